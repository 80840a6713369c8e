// k-means (cluster/kmeans.hpp), one thread, one Lloyd run from fixed k-means++ centres:
//
// | row            | what                                                                   |
// |----------------|------------------------------------------------------------------------|
// | tessera_hamerly| kmeans_from, kmeans_algorithm::hamerly (the default)                   |
// | tessera_lloyd  | kmeans_from, kmeans_algorithm::lloyd (every distance, every iteration) |
// | plain_lloyd    | a textbook Lloyd loop written here (independent peer): all k distances |
// |                | per row, argmin, mean; stops when no label changes                     |
//
// Data: 10^6 rows × 8 features, 8 Gaussian blobs (unit spread, centres uniform in [-1.5, 1.5]^8,
// overlapping), k = 8. plain_lloyd
// stops on unchanged labels only, so its iteration count can exceed the other two (which also
// stop on sklearn's centre-shift tolerance). Counter: rows × iterations per second.
// Build: g++ -std=c++20 -O2 -I include bench/cluster_kmeans.cpp -lbenchmark -lpthread
//
// (Numbers below are from before the blocked distance scan and the two-pass Hamerly of
// cluster/kmeans.hpp; the current ones, and sklearn's: bench/cluster_sklearn.cpp, docs/performance.md.)
// Measured 2026-12-06 on this shared 2-core machine (g++ 12 -O2, one thread; CPU time, the wall
// time was ~2.5x from other jobs), three runs: tessera_hamerly 0.89-0.94 s and tessera_lloyd
// 0.89-0.98 s (15 iterations each), plain_lloyd 2.0 s (31 iterations, ~64 ms each — the same
// per iteration as tessera_lloyd). Hamerly skips 64 % of the rows after the first iteration
// here (heavily overlapping blobs), but at k = d = 8 a skipped row saves only 8 short distances,
// little next to the passes every iteration makes anyway (centre sums, labels, bounds): the gain
// is at most ~20 % per iteration and within this machine's noise. It grows with k: on
// 2·10^5 × 8 rows with k = 32, 21 ms per iteration against Lloyd's 36 ms (40 iterations).

#include <tessera/cluster/kmeans.hpp>

#include <benchmark/benchmark.h>

#include <cstddef>
#include <limits>
#include <random>
#include <vector>

namespace {

constexpr std::size_t rows = 1000000, cols = 8, k = 8;

struct problem {
    std::vector<double> x, init;
};

const problem& data() {
    static problem p = [] {
        problem q;
        std::mt19937_64 g(8);
        std::uniform_real_distribution<double> U(-1.5, 1.5);
        std::normal_distribution<double> N;
        std::vector<double> centres(k * cols);
        for (auto& c : centres) c = U(g);
        q.x.resize(rows * cols);
        for (std::size_t i = 0; i < rows; ++i) {
            const std::size_t c = i % k;
            for (std::size_t j = 0; j < cols; ++j) q.x[i * cols + j] = centres[c * cols + j] + N(g);
        }
        std::mt19937_64 seed(1);
        q.init = tessera::kmeans_plusplus(tessera::feature_matrix_view{q.x.data(), rows, cols}, k, seed);
        return q;
    }();
    return p;
}

// The peer: Lloyd's algorithm as in a textbook, no bounds, stops when labels are unchanged.
// cols and k are run-time arguments, as in tessera (compile-time 8 × 8 would let the compiler
// unroll what no library taking a table at run time can).
std::size_t plain_lloyd(const std::vector<double>& x, std::vector<double> c, std::vector<std::size_t>& label,
                        std::size_t max_iter, std::size_t d, std::size_t kk) {
    const std::size_t n = x.size() / d;
    label.assign(n, kk);
    std::vector<double> sum(kk * d);
    std::vector<std::size_t> count(kk);
    std::size_t it = 0;
    for (; it < max_iter; ++it) {
        bool changed = false;
        for (std::size_t i = 0; i < n; ++i) {
            std::size_t best = 0;
            double bd = std::numeric_limits<double>::infinity();
            for (std::size_t j = 0; j < kk; ++j) {
                double dist = 0;
                for (std::size_t m = 0; m < d; ++m) dist += (x[i * d + m] - c[j * d + m]) * (x[i * d + m] - c[j * d + m]);
                if (dist < bd) { bd = dist; best = j; }
            }
            changed |= label[i] != best;
            label[i] = best;
        }
        if (!changed) break;
        std::fill(sum.begin(), sum.end(), 0.0);
        std::fill(count.begin(), count.end(), 0);
        for (std::size_t i = 0; i < n; ++i) {
            ++count[label[i]];
            for (std::size_t m = 0; m < d; ++m) sum[label[i] * d + m] += x[i * d + m];
        }
        for (std::size_t j = 0; j < kk; ++j)
            if (count[j] > 0)
                for (std::size_t m = 0; m < d; ++m) c[j * d + m] = sum[j * d + m] / static_cast<double>(count[j]);
    }
    return it + 1;
}

void run_tessera(benchmark::State& state, tessera::kmeans_algorithm algorithm) {
    const problem& p = data();
    const tessera::feature_matrix_view x{p.x.data(), rows, cols};
    std::size_t iterations = 0;
    for (auto _ : state) {
        const auto r = tessera::kmeans_from(x, p.init, 300, 1e-4, algorithm);
        benchmark::DoNotOptimize(r.inertia);
        iterations = r.iterations;
    }
    state.counters["iterations"] = static_cast<double>(iterations);
    state.counters["row_iter_per_s"] = benchmark::Counter(static_cast<double>(rows * iterations),
                                                          benchmark::Counter::kIsIterationInvariantRate);
}

void tessera_hamerly(benchmark::State& state) { run_tessera(state, tessera::kmeans_algorithm::hamerly); }
void tessera_lloyd(benchmark::State& state) { run_tessera(state, tessera::kmeans_algorithm::lloyd); }

void plain_lloyd_peer(benchmark::State& state) {
    const problem& p = data();
    std::vector<std::size_t> label;
    std::size_t iterations = 0, d = cols, kk = k;
    benchmark::DoNotOptimize(d);
    benchmark::DoNotOptimize(kk);
    for (auto _ : state) {
        iterations = plain_lloyd(p.x, p.init, label, 300, d, kk);
        benchmark::DoNotOptimize(label.data());
    }
    state.counters["iterations"] = static_cast<double>(iterations);
    state.counters["row_iter_per_s"] = benchmark::Counter(static_cast<double>(rows * iterations),
                                                          benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK(tessera_hamerly)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(tessera_lloyd)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(plain_lloyd_peer)->Name("plain_lloyd")->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK_MAIN();
