#!/usr/bin/env bash
# near_instability_432.dump: a 432-atom Cu50Zr50 glass (CuZr_mm.eam.fs) one AQS step before a
# plastic event, where an xy strain step of 1e-6 triggers the event (tests/physics/minimize.cpp,
# fire_fallback). Made from the quick seed-001 run (LAMMPS melt-quench, seed 20250320) and
# `tessera aqs` in steps of 1e-6 from the configuration before its second event (the stress
# drops at the third 1e-6 step; frame 2 is kept). Debian LAMMPS (29 Sep 2021) and tessera.
# The glass depends on LAMMPS's random velocities, so a rerun on another LAMMPS build may give a
# different (equally valid) configuration; the committed one is what the test uses.
set -euo pipefail
TESSERA=${TESSERA:-build/apps/tessera/tessera}
out=$(mktemp -d)
examples/seeds/001/run --quick --out "$out/s001"
"$TESSERA" aqs "$out/s001/aqs_fine_2.dump" --frame 0 -o "$out/bis.dump" --pair-style eam/fs \
  --pair-coeff '* * CuZr_mm.eam.fs Cu Zr' --min-style cg --ftol 1e-6 --shear xy --strain-step 1e-6 --steps 50 \
  --stress-drop 10
awk 'BEGIN{f=-1} /^ITEM: TIMESTEP/{f++} f==2' "$out/bis.dump" |
  awk 'NR<=8{print;next} NR==9{print "ITEM: ATOMS id type x y z";next} {print $1,$2,$3,$4,$5}' \
  > tests/reference/physics/near_instability_432.dump
