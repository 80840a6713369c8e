// MSD family over a long trajectory: tessera::displacement_correlator (ring buffer of max-lag
// frames, averages over every time origin as frames arrive) beside the straightforward version
// that stores the whole trajectory and loops over origins and lags afterwards. Same lags, same
// origins, same moments (checked equal before timing).
//
// Input: N = 4 000 atoms, T = 1 000 frames of a Gaussian random walk (σ = 0.05 per step and
// component), lags 1, 2, 4, …, 256 frames; two atom types.
//   taskset -c 1 build/bench/bench_msd --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
// Memory: the correlator holds 257 frames (N·24 B each) whatever T is; the straightforward
// version holds all T frames.
#include <tessera/dynamics/msd.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

namespace {

constexpr std::size_t atoms = 4000, frames = 1000;

const std::vector<std::vector<tessera::vec3<double>>>& trajectory() {
    static const auto t = [] {
        std::vector<std::vector<tessera::vec3<double>>> t(frames, std::vector<tessera::vec3<double>>(atoms));
        std::mt19937_64 g(5);
        std::normal_distribution<double> step(0, 0.05);
        std::uniform_real_distribution<double> u(0, 30);
        for (auto& r : t[0]) r = {u(g), u(g), u(g)};
        for (std::size_t f = 1; f < frames; ++f)
            for (std::size_t i = 0; i < atoms; ++i) t[f][i] = t[f - 1][i] + tessera::vec3<double>{step(g), step(g), step(g)};
        return t;
    }();
    return t;
}

std::vector<std::size_t> lags() {
    std::vector<std::size_t> l;
    for (std::size_t k = 1; k <= 256; k *= 2) l.push_back(k);
    return l;
}

std::vector<int> types() {
    std::vector<int> t(atoms);
    for (std::size_t i = 0; i < atoms; ++i) t[i] = 1 + int(i % 2);
    return t;
}

/// The straightforward version: all frames in memory, then every origin and lag.
std::vector<double> msd_all_frames(const std::vector<std::vector<tessera::vec3<double>>>& t) {
    const auto L = lags();
    std::vector<double> out;
    for (std::size_t lag : L) {
        double s = 0;
        std::size_t c = 0;
        for (std::size_t o = 0; o + lag < t.size(); ++o)
            for (std::size_t i = 0; i < atoms; ++i) {
                const auto d = t[o + lag][i] - t[o][i];
                s += tessera::norm2(d);
                ++c;
            }
        out.push_back(s / double(c));
    }
    return out;
}

std::vector<double> msd_correlator(const std::vector<std::vector<tessera::vec3<double>>>& t) {
    tessera::displacement_correlator<double> corr(lags(), 2);
    const auto ty = types();
    for (const auto& r : t) corr.add(r, ty);
    std::vector<double> out;
    for (std::size_t l = 0; l < corr.lags().size(); ++l) out.push_back(corr.moments(l).msd());
    return out;
}

void check() {
    const auto a = msd_all_frames(trajectory()), b = msd_correlator(trajectory());
    for (std::size_t k = 0; k < a.size(); ++k)
        if (std::abs(a[k] - b[k]) > 1e-9 * a[k]) {
            std::fprintf(stderr, "bench_msd: CHECK FAILED: lag index %zu: %.17g vs %.17g\n", k, a[k], b[k]);
            std::abort();
        }
    std::fprintf(stderr, "bench_msd: correlator == all-frames double loop for %zu lags (msd at lag 256: %.4f)\n", a.size(),
                 a.back());
}

void bm_correlator(benchmark::State& state) {
    const auto& t = trajectory();
    for (auto _ : state) benchmark::DoNotOptimize(msd_correlator(t));
    state.counters["frames/s"] = benchmark::Counter(double(frames), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["MB held"] = double(257 * atoms * sizeof(tessera::vec3<double>)) / 1e6;
}

void bm_all_frames(benchmark::State& state) {
    const auto& t = trajectory();
    for (auto _ : state) benchmark::DoNotOptimize(msd_all_frames(t));
    state.counters["frames/s"] = benchmark::Counter(double(frames), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["MB held"] = double(frames * atoms * sizeof(tessera::vec3<double>)) / 1e6;
}

const int registered = [] {
    check();
    benchmark::RegisterBenchmark("msd/N=4000/T=1000/lags=1..256/correlator", bm_correlator)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("msd/N=4000/T=1000/lags=1..256/all_frames_double_loop", bm_all_frames)
        ->Unit(benchmark::kMillisecond);
    return 0;
}();

}  // namespace
