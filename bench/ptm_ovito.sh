#!/bin/sh
# tessera::ptm beside OVITO 3's vendored PTM library on identical neighbourhoods (bench/ptm_ovito/peer.cpp).
# usage: bench/ptm_ovito.sh OVITO_SOURCE_DIR    (the directory holding src/3rdparty/ptm; e.g. a checkout of
#        github.com/CHN-beta/ovito, or `git archive HEAD src/3rdparty/ptm` of it). Same flags as the
#        Release benchmarks (-O3, baseline x86-64) for both libraries.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ptm="$1/src/3rdparty/ptm"
[ -f "$ptm/ptm_functions.h" ] || { echo "no $ptm/ptm_functions.h" >&2; exit 2; }
out=$(mktemp -d)
for f in "$ptm"/*.cpp; do g++ -std=c++17 -O3 -DNDEBUG -I "$ptm" -c "$f" -o "$out/$(basename "$f" .cpp).o" & done; wait
g++ -std=c++20 -O3 -DNDEBUG -I "$here/../include" -I "$here" -I "$ptm" -isystem /usr/include/eigen3 \
    "$here/ptm_ovito/peer.cpp" "$out"/*.o -o "$out/ptm_ovito_peer"
"$out/ptm_ovito_peer"
