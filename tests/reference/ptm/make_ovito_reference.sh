#!/bin/sh
# Regenerates the OVITO PTM reference tables *.ovito.txt.gz that tests/cli/check_ptm.py compares
# `tessera compute --ptm` with: OVITO 3's vendored PTM library (P. M. Larsen, MIT licence;
# src/3rdparty/ptm of OVITO's source, here the snapshot github.com/CHN-beta/ovito @ dae998df,
# 2022-06-19) compiled with ovito_ptm_driver.cpp, which calls it as OVITO's PTMAlgorithm does
# (18 nearest periodic neighbours, ptm_preorder_neighbours, each atom's own ordered list through
# the get_neighbours callback, deformation gradient on). The library is not vendored here.
#
# usage: make_ovito_reference.sh OVITO_SOURCE_DIR     (the directory holding src/3rdparty/ptm)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ptm="$1/src/3rdparty/ptm"
[ -f "$ptm/ptm_functions.h" ] || { echo "no $ptm/ptm_functions.h" >&2; exit 2; }
bin=$(mktemp -d)/ovito_ptm
g++ -std=c++17 -O2 -I "$ptm" "$here/ovito_ptm_driver.cpp" "$ptm"/*.cpp -o "$bin"
# flags 127: sc, fcc, hcp, ico, bcc, cubic and hexagonal diamond (tessera's default set)
for src in "$here/../cu_tilted.dump" "$here/../cuzr_glass_ref.dump" "$here/cu_1200.dump" "$here/si_dcub_1000.dump" \
           "$here/si_dhex_600.dump"; do
  name=$(basename "$src" .dump)
  "$bin" "$src" 127 | gzip -9 > "$here/$name.ovito.txt.gz"
done
