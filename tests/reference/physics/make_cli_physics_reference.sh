#!/bin/sh
# References of tests/cli/check_physics.py (tessera minimize, aqs, frozen-atoms) from Debian's
# LAMMPS (29 Sep 2021), CuZr_mm.eam.fs. Takes ~3 minutes. Writes:
#   cli_minimize.txt  style initial_pe final_pe iterations evaluations criterion, for cg and fire
#                     (min_style ..., minimize 0.0 1e-10 100000 1000000) on frame 0 of ../cuzr_glass.dump
#   cli_aqs.txt       step strain pe pxx pyy pzz pxy pxz pyz: 8 xy steps of 1e-3 from frame 0 of
#                     ../d2min/cuzr_aqs.dump, cg after each (a stress drop at step 7)
#   cli_frozen_before.dump  the step-6 configuration of that AQS run (step 7 is its first stress
#                     drop, 27 bar; the first large one, 1650 bar at step 27, needs ~8 s per
#                     relaxation, too long for a test)
#   cli_frozen.txt    "id D": D_f of 20 atoms (10 that move most in the event, 10 spread over the
#                     ids) and id 0 = nothing frozen, one step of 1e-3 from cli_frozen_before.dump
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export LAMMPS_POTENTIALS=/usr/share/lammps/potentials
py=/usr/bin/python3

$py dump_to_data.py ../cuzr_glass.dump "$work/glass.data" 63.546 91.224
: > cli_minimize.txt
for style in cg fire; do
    lmp -nocite -in cli_minimize.in -var data "$work/glass.data" -var style $style -log "$work/min_$style.log" -screen none
    $py - "$work/min_$style.log" $style >> cli_minimize.txt <<'PY'
import re, sys
log = open(sys.argv[1]).read()
initial = re.search(r'^initial (\S+)', log, re.M).group(1)
final = re.search(r'^final (\S+)', log, re.M).group(1)
crit = re.search(r'Stopping criterion = (.*)', log).group(1).strip()
it, ev = re.search(r'Iterations, force evaluations = (\d+) (\d+)', log).groups()
print(sys.argv[2], initial, final, it, ev, crit.replace(' ', '_'))
PY
done

$py dump_to_data.py ../d2min/cuzr_aqs.dump "$work/aqs.data" 63.546 91.224
lmp -nocite -in cli_aqs.in -var data "$work/aqs.data" -var nsteps 8 -var gamma 1e-3 -var out "$work" \
    -log "$work/aqs.log" -screen none
head -9 cli_aqs.txt > "$work/aqs8.txt" && mv "$work/aqs8.txt" cli_aqs.txt
cp "$work/aqs.6.dump" cli_frozen_before.dump

$py dump_to_data.py cli_frozen_before.dump "$work/before.data" 63.546 91.224
lmp -nocite -in cli_frozen.in -var data "$work/before.data" -var gamma 1e-3 -var id 0 -var out "$work" \
    -log "$work/frozen0.log" -screen none
ids=$($py - "$work/reference_displacement.dump" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[9:]]
by_move = sorted(rows, key=lambda r: -float(r[4]))
chosen = [int(r[0]) for r in by_move[:10]]
k = 8
while len(chosen) < 20:  # then ids spread over the range, skipping any already chosen
    if k not in chosen:
        chosen.append(k)
    k += len(rows) // 10 if len(chosen) < 19 else 1
print(' '.join(map(str, chosen)))
PY
)
grep '^D 0 ' "$work/frozen0.log" | awk '{print $2, $3}' > cli_frozen.txt
for id in $ids; do
    lmp -nocite -in cli_frozen.in -var data "$work/before.data" -var gamma 1e-3 -var id $id -var out "$work" \
        -log "$work/frozen$id.log" -screen none
    grep "^D $id " "$work/frozen$id.log" | awk '{print $2, $3}' >> cli_frozen.txt
done
