#!/bin/sh
# Regenerate the DXA reference inputs (fcc Cu, Mishin 2001 EAM) with serial LAMMPS.
#
# Usage:  tests/reference/dxa/make_dislocations.sh [OUTDIR]
#   OUTDIR  where the dumps and LAMMPS logs go (default: this script's directory)
# Environment:
#   LMP     LAMMPS binary (default: lmp, Debian's 29 Sep 2021 build)
#   PY      Python for the check (default: /usr/bin/python3, needs numpy + ase);
#           set PY=none to skip check_inputs.py
#   ONLY    space-separated subset of: edge screw perfect300 frank_loop sft
#
# Writes, per case, <case>.dump (LAMMPS `dump custom`, columns id type x y z,
# sorted by id) gzip'd to <case>.dump.gz when larger than 1 MB, and <case>.log.
# Serial runs of the same binary are deterministic.  Runs LAMMPS on one core
# (OMP_NUM_THREADS=1, no mpirun).  About 6 CPU minutes in all on one core.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here}
mkdir -p "$out"
out=$(cd "$out" && pwd)
LMP=${LMP:-lmp}
PY=${PY:-/usr/bin/python3}
ONLY=${ONLY:-"edge screw perfect300 frank_loop sft"}
OMP_NUM_THREADS=1
export OMP_NUM_THREADS

run() {
    case=$1
    t0=$(date +%s)
    echo ">>> $case: $LMP -in $case.in"
    rm -f "$out/$case.dump" "$out/$case.dump.gz"
    # LAMMPS is run from the script directory (the inputs are there); all
    # output goes to $out
    (cd "$here" && "$LMP" -nocite -screen none -log "$out/$case.log" \
        -in "$case.in" -var out "$out/$case.dump")
    if [ "$(wc -c < "$out/$case.dump")" -gt 1000000 ]; then
        gzip -n -9 "$out/$case.dump"
    fi
    echo "    done in $(( $(date +%s) - t0 )) s"
}

for c in $ONLY; do
    run "$c"
done

if [ "$PY" != none ]; then
    echo ">>> $PY check_inputs.py $out"
    "$PY" "$here/check_inputs.py" "$out"
fi
