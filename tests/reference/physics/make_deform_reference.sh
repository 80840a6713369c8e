#!/bin/sh
# Makes the LAMMPS reference of tests/physics/deform.cpp: frame 0 of cu_tilted.dump and
# cuzr_glass.dump as data files (box from the dump's bounds by the LAMMPS triclinic rule), then
# deform_remap.in with Debian's lmp. Deterministic (no random numbers).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
/usr/bin/python3 dump_to_data.py ../cu_tilted.dump cu_tilted.data
/usr/bin/python3 dump_to_data.py ../cuzr_glass.dump cuzr_glass.data
lmp -in deform_remap.in -log none -screen none
rm -f cu_tilted.data cuzr_glass.data
