#!/bin/bash
# Issue 18's performance rows in one command: tessera's clustering against scikit-learn / SciPy on
# identical data (bench_cluster_sklearn + bench/cluster_sklearn.py, results checked), and the
# SACF / voxel-TACF scaling runs (bench_stats_correlation). One thread throughout, CPU times,
# medians of REPS interleaved repetitions.
#
#   bench/cluster_compare.sh BUILD_DIR [REPS]     (REPS default 3)
#
# BUILD_DIR/bench/bench_cluster_sklearn and bench_stats_correlation are used when present (a
# CMake build); otherwise they are compiled there with g++ -O2 -DNDEBUG. Environment:
# TESSERA_BENCH_LARGE=1 adds Ward/single at 2·10⁴ rows (SciPy needs ~3.5 GB) and the TACF of
# 10⁶ atoms × 1000 frames; TESSERA_BENCH_CLUSTER_DIR (default /tmp/tessera_cluster_bench) holds
# the exchanged data (~90 MB, ~1.4 GB more with LARGE). Takes ~4 min by default on a quiet
# 2-core machine (the SACF of 10⁶ atoms alone ~30 s).
set -euo pipefail
BUILD=${1:?usage: bench/cluster_compare.sh BUILD_DIR [REPS]}
REPS=${2:-3}
SRC=$(cd "$(dirname "$0")/.." && pwd)
DIR=${TESSERA_BENCH_CLUSTER_DIR:-/tmp/tessera_cluster_bench}
export TESSERA_BENCH_CLUSTER_DIR=$DIR OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
mkdir -p "$BUILD/bench" "$DIR"
for b in cluster_sklearn stats_correlation; do
  if [ ! -x "$BUILD/bench/bench_$b" ]; then
    main=""; grep -q '^int main' "$SRC/bench/$b.cpp" || main="-lbenchmark_main"
    echo "compiling bench_$b"
    g++ -std=c++20 -O2 -DNDEBUG -I "$SRC/include" "$SRC/bench/$b.cpp" -o "$BUILD/bench/bench_$b" $main -lbenchmark -lpthread
  fi
done
PIN=""; command -v taskset >/dev/null && PIN="taskset -c 1"
GB="--benchmark_repetitions=$REPS --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true"

echo "== clustering: tessera =="
$PIN "$BUILD/bench/bench_cluster_sklearn" $GB --benchmark_out="$DIR/tessera.json" --benchmark_out_format=json
echo "== clustering: scikit-learn / SciPy, checks and ratios =="
$PIN /usr/bin/python3 "$SRC/bench/cluster_sklearn.py" "$DIR" --tessera-json "$DIR/tessera.json" --repetitions "$REPS"

echo "== SACF, r_max 20 Å, linear in N? =="
$PIN "$BUILD/bench/bench_stats_correlation" --benchmark_filter='^sacf' $GB
echo "== voxel TACF: memory against the frame count (one process per run: peak RSS is per process) =="
cases="97556/100 97556/400"
[ "${TESSERA_BENCH_LARGE:-0}" != 0 ] && cases="$cases 1000188/100 1000188/1000"
for c in $cases; do
  $PIN "$BUILD/bench/bench_stats_correlation" --benchmark_filter="^tacf/$c/" 2>/dev/null | grep '^tacf'
done
