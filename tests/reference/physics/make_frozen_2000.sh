#!/bin/sh
# The 2000-atom before-event configuration of bench/physics.cpp's frozen-atom benchmark (issue 16),
# from Debian's LAMMPS (29 Sep 2021), CuZr_mm.eam.fs. Frame 1 of ../cuzr_glass.dump (the 2000-atom
# CuZr glass, minimised) is given a zero tilt (a triclinic box, so change_box can shear it) and
# run through cli_aqs.in: minimize, then xy steps of 1e-3, each followed by min_style cg,
# minimize 0.0 1e-10 100000 1000000. The stress pxy rises monotonically (by 160-300 bar per
# step) up to step 32; step 33 has the first stress drop (+981 bar in pxy, i.e. the shear stress
# -pxy falls). frozen_before_2000.dump is the step-32 configuration: one step of 1e-3 before the
# drop. Takes ~12 minutes (33 cg minimisations of 2000 atoms).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LAMMPS_POTENTIALS=/usr/share/lammps/potentials
sed -n '/^ITEM: TIMESTEP/{n;/^1$/{:a;N;$!ba;s/^/ITEM: TIMESTEP\n/;p}}' ../cuzr_glass.dump > "$work/frame1.dump"
/usr/bin/python3 dump_to_data.py "$work/frame1.dump" "$work/glass1.data" 63.546 91.224
sed -i '/zlo zhi/a 0 0 0 xy xz yz' "$work/glass1.data"
cp cli_aqs.in "$work/"
(cd "$work" && lmp -nocite -in cli_aqs.in -var data glass1.data -var nsteps 33 -var gamma 1e-3 -var out "$work" \
    -log aqs.log -screen none)
# the first step whose pxy rises (a stress drop) must be 33
/usr/bin/python3 - "$work/cli_aqs.txt" <<'PY'
import sys
p = [float(l.split()[6]) for l in open(sys.argv[1])]
first = next(k for k in range(1, len(p)) if p[k] > p[k - 1])
assert first == 33, first
print('first stress drop at step', first, 'of', p[first] - p[first - 1], 'bar')
PY
cp "$work/aqs.32.dump" frozen_before_2000.dump
