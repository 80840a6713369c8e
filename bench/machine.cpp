// Machine limits, for placing tessera's kernels on a rough roofline (docs/performance.md).
//
//   triad/threads=T   STREAM-like triad a[i] = b[i] + s·c[i] over three arrays of 2^25 doubles
//                     (3 × 256 MiB, far beyond L3); bytes counted as STREAM does: 24 B per
//                     element (no write-allocate traffic counted). T = 1, 2 (OpenMP, static).
//   fma/<arch>        register-resident FMA chains: 16 independent accumulators of
//                     xsimd::batch<double, Arch>, each updated acc = acc·x + y; flops = 2 per lane
//                     per FMA. avx512 (8 lanes; Zen 4 runs them as two 256-bit halves) and sse2
//                     (2 lanes, mul + add where FMA is unavailable in the ISA).
//
//   taskset -c 1 build/bench/bench_machine --benchmark_filter='threads=1|fma' --benchmark_repetitions=3 \
//       --benchmark_report_aggregates_only=true
//   build/bench/bench_machine --benchmark_filter='threads=2' ...          # two threads, wall clock
#include <benchmark/benchmark.h>
#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <memory>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace {

constexpr std::size_t triad_n = std::size_t(1) << 25;

struct triad_arrays {
    std::unique_ptr<double[]> a, b, c;
    triad_arrays() : a(new double[triad_n]), b(new double[triad_n]), c(new double[triad_n]) {
#pragma omp parallel for schedule(static) num_threads(2)
        for (std::ptrdiff_t i = 0; i < std::ptrdiff_t(triad_n); ++i) a[i] = 0, b[i] = 1, c[i] = 2;
    }
};

triad_arrays& arrays() {
    static triad_arrays t;
    return t;
}

void bm_triad(benchmark::State& state) {
    const int threads = int(state.range(0));
    auto& t = arrays();
    double* __restrict a = t.a.get();
    const double* __restrict b = t.b.get();
    const double* __restrict c = t.c.get();
    const double s = 3.0;
    for (auto _ : state) {
#pragma omp parallel for schedule(static) num_threads(threads)
        for (std::ptrdiff_t i = 0; i < std::ptrdiff_t(triad_n); ++i) a[i] = b[i] + s * c[i];
        benchmark::ClobberMemory();
    }
    state.counters["GB/s"] = benchmark::Counter(24.0 * double(triad_n) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

template <class Arch>
void bm_fma(benchmark::State& state) {
    using batch = xsimd::batch<double, Arch>;
    constexpr int chains = 16;
    constexpr long steps = 1 << 20;
    const batch x(0.999999), y(1e-7);
    for (auto _ : state) {
        batch acc[chains];
        for (int k = 0; k < chains; ++k) acc[k] = batch(1.0 + k);
        for (long s = 0; s < steps; ++s)
            for (int k = 0; k < chains; ++k) acc[k] = xsimd::fma(acc[k], x, y);
        batch sum = acc[0];
        for (int k = 1; k < chains; ++k) sum += acc[k];
        benchmark::DoNotOptimize(sum);
    }
    state.counters["GFLOP/s"] = benchmark::Counter(2.0 * double(batch::size) * chains * double(steps) / 1e9,
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK(bm_triad)->Name("triad/threads=1")->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_triad)->Name("triad/threads=2")->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
#if XSIMD_WITH_AVX512F
BENCHMARK(bm_fma<xsimd::avx512f>)->Name("fma/avx512")->Unit(benchmark::kMillisecond);
#endif
#if XSIMD_WITH_FMA3_AVX2
BENCHMARK(bm_fma<xsimd::fma3<xsimd::avx2>>)->Name("fma/avx2+fma3")->Unit(benchmark::kMillisecond);
#endif
BENCHMARK(bm_fma<xsimd::sse2>)->Name("fma/sse2")->Unit(benchmark::kMillisecond);
