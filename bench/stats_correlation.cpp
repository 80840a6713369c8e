// Spatial and temporal correlation (stats/spatial_correlation.hpp, stats/temporal_correlation.hpp),
// one thread — issue 18's scaling targets: the SACF linear in N (cell list, no O(N²)); the voxel
// TACF streaming with memory independent of the number of frames.
//
// | row                   | timed                                                                |
// |-----------------------|----------------------------------------------------------------------|
// | sacf/N                | spatial_correlation(20 Å, 200 bins = 0.1 Å, 3³ jackknife blocks).add_frame |
// | tacf/atoms/frames     | per frame: voxelize (15³) + temporal_correlation(3375 sites, max_lag 100).add_frame |
//
// SACF input: fcc Al-like crystal, a = 4.05 Å (0.060 atoms/Å³), Gaussian noise 0.1 Å, n³ cells in
// lattice order (N = 10 976, 97 556, 1 000 188), periodic cube; field N(0, 1) per atom. Counters:
// µs per atom and pairs (i < j within r_max) per atom — constant µs/atom is linear scaling.
// TACF input: the same crystal (n = 29, N = 97 556; TESSERA_BENCH_LARGE=1 adds n = 63, 10⁶ atoms,
// 1000 frames), fixed positions, field an AR(1) process per atom (f ← 0.95 f + 0.31 N(0,1), drawn
// untimed). Counters: ms per frame, memory_bytes() of the correlator, and the process's peak RSS
// (getrusage; a process-wide maximum, so compare frame counts in separate runs, as
// bench/cluster_compare.sh does: --benchmark_filter='tacf/97556/100$' then '.../400$').
// Build: g++ -std=c++20 -O2 -DNDEBUG -I include bench/stats_correlation.cpp -lbenchmark_main -lbenchmark -lpthread

#include "common/noisy_fcc.hpp"

#include <tessera/stats/spatial_correlation.hpp>
#include <tessera/stats/temporal_correlation.hpp>
#include <tessera/stats/voxel_field.hpp>

#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr double lattice_a = 4.05;  // 4 / a³ = 0.0602 atoms/Å³

struct frame {
    std::vector<std::array<double, 3>> pos;
    tessera::orthogonal_box<double> box;
};

frame crystal(int n) {
    std::mt19937_64 rng(4);
    const double L = n * lattice_a;
    return {tessera_bench::noisy_fcc(n, lattice_a, 0.1, rng), tessera::orthogonal_box<double>({0, 0, 0}, {L, L, L})};
}

int cells_for(std::int64_t atoms) {
    int n = 1;
    while (4 * std::int64_t(n) * n * n < atoms) ++n;
    return n;
}

double peak_rss_mb() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return double(u.ru_maxrss) / 1024.0;  // kB on Linux
}

void sacf(benchmark::State& state) {
    const frame f = crystal(cells_for(state.range(0)));
    const std::size_t n = f.pos.size();
    std::mt19937_64 rng(5);
    std::normal_distribution<double> N;
    std::vector<double> field(n);
    for (double& v : field) v = N(rng);
    std::uint64_t pairs = 0;
    for (auto _ : state) {
        tessera::spatial_correlation acc(20.0, 200);
        acc.add_frame(f.pos, f.box, std::span<const double>(field));
        const auto t = acc.result();
        pairs = 0;
        for (const auto p : t.pairs) pairs += p;
        benchmark::DoNotOptimize(t.sacf.data());
    }
    state.counters["N"] = double(n);
    state.counters["pairs_per_atom"] = double(pairs) / double(n);
    state.counters["us_per_atom"] =
        benchmark::Counter(double(n) * double(state.iterations()) * 1e-6,
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void tacf(benchmark::State& state) {
    const frame f = crystal(cells_for(state.range(0)));
    const auto frames = static_cast<std::size_t>(state.range(1));
    const std::size_t n = f.pos.size();
    const tessera::voxel_dims dims{15, 15, 15};
    std::mt19937_64 rng(6);
    std::normal_distribution<double> N;
    std::vector<double> field(n);
    std::vector<std::size_t> index;
    tessera::voxel_field vf;
    std::size_t bytes = 0;
    double crossed = 0;
    for (auto _ : state) {
        state.PauseTiming();
        for (double& v : field) v = N(rng);
        tessera::temporal_correlation tc(15 * 15 * 15, 100);
        state.ResumeTiming();
        for (std::size_t t = 0; t < frames; ++t) {
            state.PauseTiming();
            for (double& v : field) v = 0.95 * v + 0.31224989991991997 * N(rng);  // sqrt(1 − 0.95²)
            state.ResumeTiming();
            tessera::voxelize(f.pos, f.box, std::span<const double>(field), dims, vf, index);
            tc.add_frame(vf);
        }
        bytes = tc.memory_bytes();
        const auto r = tessera::relaxation_times(tc.result());
        crossed = double(r.crossed);
        benchmark::DoNotOptimize(r.t_c.data());
    }
    state.counters["atoms"] = double(n);
    state.counters["frames"] = double(frames);
    state.counters["ms_per_frame"] =
        benchmark::Counter(double(frames) * double(state.iterations()) * 1e-3,
                           benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
    state.counters["correlator_MB"] = double(bytes) / 1048576.0;
    state.counters["peak_rss_MB"] = peak_rss_mb();
    state.counters["sites_crossed"] = crossed;
}

bool large() {
    const char* e = std::getenv("TESSERA_BENCH_LARGE");
    return e && *e && std::string(e) != "0";
}

const bool registered = [] {
    auto* s = benchmark::RegisterBenchmark("sacf", sacf)->Unit(benchmark::kMillisecond)->Iterations(1);
    s->Arg(10976)->Arg(97556)->Arg(1000188);
    auto* t = benchmark::RegisterBenchmark("tacf", tacf)->Unit(benchmark::kMillisecond)->Iterations(1);
    t->Args({97556, 100})->Args({97556, 400});
    if (large()) t->Args({1000188, 100})->Args({1000188, 1000});
    return true;
}();

}  // namespace
