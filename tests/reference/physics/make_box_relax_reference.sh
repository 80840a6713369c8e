#!/bin/sh
# Reference of tests/physics/box_relax.cpp (Debian LAMMPS 29 Sep 2021, ~10 s): box_relax_ref.txt.
set -eu
cd "$(cd "$(dirname "$0")" && pwd)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 dump_to_data.py ../d2min/cuzr_aqs.dump "$work/aqs.data" 63.546 91.224
lmp -nocite -in box_relax.in -var data "$work/aqs.data" -log "$work/log" -screen none
grep -A3 "Stopping criterion" "$work/log" | head -8
