#!/usr/bin/env bash
# Regenerate all LAMMPS reference data in this directory (serial LAMMPS).
# Usage: tests/reference/make_reference.sh      (from anywhere)
# Needs: Debian's lmp (lammps package, potentials in /usr/share/lammps/potentials)
#        /usr/bin/python3 with numpy (for the final cross-check only)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

LMP=${LMP:-lmp}
PY=${PY:-/usr/bin/python3}

run() {
    local in=$1
    echo ">>> ${LMP} -in ${in}"
    local t0=$SECONDS
    "${LMP}" -nocite -in "${in}" -log "${in%.in}.log" -screen none
    echo "    done in $((SECONDS - t0)) s"
}

# outputs are (re)written from scratch; cuzr_glass.in appends its 2nd frame
rm -f cu_tilted.dump cu_tilted_ref.dump tiny_box_ref.dump tiny_tri_ref.dump \
      cuzr_glass.dump cuzr_glass_ref.dump cuzr_rdf.txt

run cu_tilted.in          # ~15 s : MD, writes cu_tilted.dump
run cu_tilted_rerun.in    # ~1 s  : rerun, writes cu_tilted_ref.dump
run tiny_box.in           # <1 s  : writes tiny_box_ref.dump, tiny_tri_ref.dump
run cuzr_glass.in         # ~2-3 min: MD, writes cuzr_glass.dump
run cuzr_glass_rerun.in   # ~1 s  : rerun, writes cuzr_glass_ref.dump, cuzr_rdf.txt

# D²min / atomic strain (tests/reference/d2min) and MSD (tests/reference/msd)
rm -f d2min/cuzr_aqs.dump msd/cuzr_liquid.dump msd/cuzr_liquid_msd.txt
(cd d2min && run cuzr_aqs.in)            # ~40 s : quench + 5 AQS steps, writes cuzr_aqs.dump
(cd msd && run cuzr_liquid_msd.in)       # ~15 s : liquid MD with compute msd
echo ">>> ${PY} d2min/d2min_numpy.py"
(cd d2min && "${PY}" d2min_numpy.py cuzr_aqs.dump 4.0 > d2min_ref.txt)   # needs numpy + scipy

# String (element) and non-finite columns in LAMMPS's default format (tests/io/string_columns.cpp)
rm -f strings/element_nan.dump
(cd strings && run element_nan.in)       # <1 s

# LAMMPS logs are not committed (see .gitignore)
echo ">>> ${PY} check_reference.py"
"${PY}" check_reference.py
