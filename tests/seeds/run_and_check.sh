#!/usr/bin/env bash
# ctest driver of the `seeds` label: run one seed reproduction in quick mode, then its independent check.
#   tests/seeds/run_and_check.sh 00N TESSERA_EXE OUT_DIR
# (examples/seeds/00N/run --quick --out OUT_DIR; tests/seeds/check_00N.py OUT_DIR). Each run takes minutes:
# `scripts/test --seeds` runs this label; the default scripts/test leaves it out.
set -euo pipefail
seed="$1" exe="$2" out="$3"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rm -rf "$out"
TESSERA="$exe" "$root/examples/seeds/$seed/run" --quick --out "$out"
exec /usr/bin/python3 "$root/tests/seeds/check_$seed.py" "$out"
