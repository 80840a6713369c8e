#!/usr/bin/env bash
# Regenerates the Lennard-Jones / minimiser reference data of tests/physics (serial Debian LAMMPS,
# 29 Sep 2021). Usage: tests/reference/physics/make_lj_reference.sh   (from anywhere; ~10 s)
#   ka_glass.in     500-atom Kob-Andersen glass (melt + quench)       -> ka_glass.data (not committed)
#   ka_forces.in    per-atom pe / forces / stress, periodic + triclinic -> ka_periodic*.dump, ka_triclinic.dump
#   ka_open.in      the same as a free cluster (boundary s s s)         -> ka_open.dump
#   ka_minimize.in  minimize 0.0 1e-10 with sd, cg, fire (+ frozen)     -> ka_minimize_ref.txt
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
LMP=${LMP:-lmp}
lmp_run() { "${LMP}" -nocite -screen none "$@"; }

lmp_run -in ka_glass.in -log /tmp/tessera_ka_glass.log
lmp_run -in ka_forces.in -log /tmp/tessera_ka_forces.log
lmp_run -in ka_open.in -log /tmp/tessera_ka_open.log

out=ka_minimize_ref.txt
echo "# style frozen stop_reason | E_initial/N E_final/N (LAMMPS %18.15g) | iterations evaluations | fnorm2_final fnorminf_final | E_final total (%.17g)" > "$out"
for style in cg sd fire; do
    for frozen in 0 1; do
        log=/tmp/tessera_ka_min_${style}_${frozen}.log
        lmp_run -in ka_minimize.in -var style "$style" -var frozen "$frozen" -log "$log"
        awk -v style="$style" -v frozen="$frozen" '
            /Stopping criterion =/ { sub(/.*= /, ""); gsub(/ /, "_"); reason = $0 }
            /Energy initial, next-to-last, final =/ { getline; e0 = $1; e1 = $3 }
            /Iterations, force evaluations =/ { it = $5; ev = $6 }
            /Force two-norm initial, final =/ { f2 = $7 }
            /Force max component initial, final =/ { fi = $8 }
            /^total_energy / { et = $2 }
            END { print style, frozen, reason, e0, e1, it, ev, f2, fi, et }' "$log" >> "$out"
    done
done
cat "$out"
