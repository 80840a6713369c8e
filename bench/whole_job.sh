#!/bin/sh
# Whole-job comparison (docs/performance.md): `tessera compute` on a LAMMPS dump vs LAMMPS
# `rerun` computing the same columns (coord 3.0, CSP 12, CNA 3.086, q4/q6 of the 12 nearest)
# from the same dump, each writing a dump. One thread each, pinned to one core.
#
#   bench/whole_job.sh TESSERA_BINARY [SCRATCH_DIR]
#
# TESSERA_BINARY: the CLI, e.g. built with
#   nice cmake --build build --target tessera_cli -j1        (→ build/apps/tessera/tessera), or
#   g++ -std=c++20 -O3 -DNDEBUG -march=native -fopenmp -Iinclude apps/tessera/*.cpp -lz -o tessera
# SCRATCH_DIR (default /tmp/tessera_whole_job) receives the input dump (fcc Cu, 32 000 atoms,
# 300 K, 10 frames, ~10 MB, made by LAMMPS once) and both outputs; nothing there is committed.
# Needs lmp (Debian's lammps), hyperfine (or falls back to /usr/bin/time only).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tessera=$(realpath "$1")
scratch=${2:-/tmp/tessera_whole_job}
mkdir -p "$scratch"
cd "$scratch"
export OMP_NUM_THREADS=1

if [ ! -s cu300.lammpstrj ]; then
  lmp -var out cu300.lammpstrj -in "$here/whole_job/make_dump.in" -log make.log -screen none
fi

tess="taskset -c 1 $tessera compute cu300.lammpstrj -o tessera_out.lammpstrj --csp 12 --cna 3.086 --steinhardt 4,6 --coord 3.0"
lmps="taskset -c 1 lmp -var in cu300.lammpstrj -var out lammps_out.lammpstrj -in $here/whole_job/rerun.in -log none -screen none"

# max RSS and CPU time of one run each
/usr/bin/time -v sh -c "$tess" 2> tessera.time > /dev/null
/usr/bin/time -v sh -c "$lmps" 2> lammps.time > /dev/null
for f in tessera lammps; do
  printf '%s: ' "$f"
  grep -E 'User time|System time|Maximum resident' $f.time | sed 's/^\s*//' | tr '\n' ';'
  echo
done

if command -v hyperfine > /dev/null; then
  hyperfine --warmup 1 --runs 5 --export-markdown whole_job.md -n tessera "$tess" -n lammps "$lmps"
  cat whole_job.md
fi

# same columns? (values compared by bench/whole_job/compare.py)
/usr/bin/python3 "$here/whole_job/compare.py" tessera_out.lammpstrj lammps_out.lammpstrj
