#!/bin/sh
# tessera's learning layer vs scikit-learn on the same data, one thread (issue 15; docs/performance.md).
#   bench/learn_compare.sh BUILD_DIR [DATA_DIR]
# BUILD_DIR: a CMake build with the benchmarks (cmake --build BUILD_DIR --target bench_learn), or
# any directory holding a bench_learn binary (e.g. built by hand, see docs/performance.md).
# DATA_DIR (default /tmp/learnbench_data, ~1 GB): data and models from bench/learn_sklearn.py make.
# Env: REPETITIONS (bench_learn, default 3), REPEAT (sklearn best-of, default 3), TASKSET (default
# "taskset -c 1"; set empty to run unpinned), SKLEARN_LD_LIBRARY_PATH (e.g. a directory with
# OpenBLAS's libblas.so.3, to time scikit-learn with an optimised BLAS instead of Debian's default).
# CASES (e.g. "logistic"): time only those of knn, logistic, svm, gbt on the scikit-learn side;
# FILTER: bench_learn's --benchmark_filter (e.g. "logistic"; default all rows).
set -eu
build=${1:?usage: bench/learn_compare.sh BUILD_DIR [DATA_DIR]}
data=${2:-/tmp/learnbench_data}
here=$(cd "$(dirname "$0")" && pwd)
bin=$build/bench/bench_learn
[ -x "$bin" ] || bin=$build/bench_learn
[ -x "$bin" ] || { echo "no bench_learn in $build/bench or $build" >&2; exit 1; }
taskset=${TASKSET-taskset -c 1}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
[ -f "$data/pred_svm.pickle" ] || /usr/bin/python3 "$here/learn_sklearn.py" make "$data"
TESSERA_LEARN_DATA=$data $taskset "$bin" --benchmark_filter="${FILTER:-.}" --benchmark_repetitions="${REPETITIONS:-3}" \
    --benchmark_report_aggregates_only=true --benchmark_out="$data/tessera.json" --benchmark_out_format=json
LD_LIBRARY_PATH=${SKLEARN_LD_LIBRARY_PATH:-${LD_LIBRARY_PATH:-}} $taskset /usr/bin/python3 "$here/learn_sklearn.py" \
    compare "$data" "$data/tessera.json"
