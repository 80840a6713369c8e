// SOAP power spectrum (descriptors/soap.hpp) on thermal fcc Cu: the xsimd path beside the
// header's scalar path (basic_soap<void>), one thread, and the neighbour search alone.
//
// | row              | what is timed                                                       |
// |------------------|---------------------------------------------------------------------|
// | soap_simd        | pipeline(ball{R}, soap) over every atom: search + spectrum          |
// | soap_scalar      | the same with basic_soap<void> (the reference path)                 |
// | ball_only        | pipeline(ball{R}) with a descriptor-free stage: the neighbour part  |
//
// Parameters: n_max = 8, l_max = 6, r_cut = 5 Å, σ = 0.5 Å (R = r_cut + 3.717 σ = 6.86 Å,
// ~114 neighbours per Cu atom), gto basis, one species; 20³ cells (32,000 atoms) by default,
// `--benchmark_filter=.../30` for 30³ (108,000). Counters: atoms/s (items_per_second) and
// µs per atom. Published figures for comparison (docs/performance.md): librascal/featomic GTO
// SOAP at n_max = 8, l_max = 6 ≈ 0.3–0.4 ms per atom.
//
//   cmake --build build --target bench_soap && build/bench/bench_soap --benchmark_min_time=2
#include <tessera/descriptors/coordination.hpp>
#include <tessera/descriptors/soap.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include "common/noisy_fcc.hpp"

#include <benchmark/benchmark.h>

#include <random>

namespace {

constexpr double lattice = 3.615;

struct frame_data {
    std::vector<std::array<double, 3>> p;
    tessera::orthogonal_box<double> box;
};

frame_data make(int cells) {
    std::mt19937_64 rng(42);
    const double L = cells * lattice;
    return {tessera_bench::noisy_fcc(cells, lattice, 0.08, rng), tessera::orthogonal_box<double>({0, 0, 0}, {L, L, L})};
}

tessera::soap_parameters params() {
    tessera::soap_parameters p;
    p.r_cut = 5.0;
    p.n_max = 8;
    p.l_max = 6;
    p.sigma = 0.5;
    return p;
}

template <class D>
void run_soap(benchmark::State& state) {
    const frame_data f = make(int(state.range(0)));
    const D d(params());
    const auto pipe = tessera::pipeline(tessera::ball{d.radius()}, d);
    double checksum = 0;
    for (auto _ : state) {
        const auto out = pipe.run(f.p, f.box, {});
        checksum += out.template get<0>(0)[0];
        benchmark::DoNotOptimize(checksum);
    }
    state.SetItemsProcessed(state.iterations() * std::int64_t(f.p.size()));
    state.counters["us_per_atom"] = benchmark::Counter(double(f.p.size()) * 1e-6,
                                                       benchmark::Counter::kIsIterationInvariantRate |
                                                           benchmark::Counter::kInvert);
}

void soap_simd(benchmark::State& s) { run_soap<tessera::soap>(s); }
void soap_scalar(benchmark::State& s) { run_soap<tessera::basic_soap<void>>(s); }

/// The neighbour part alone: the same ball with coordination (a count per bond).
void ball_only(benchmark::State& state) {
    const frame_data f = make(int(state.range(0)));
    const double R = tessera::soap(params()).radius();
    const auto pipe = tessera::pipeline(tessera::ball{R}, tessera::coordination{R});
    for (auto _ : state) {
        const auto out = pipe.run(f.p, f.box, {});
        benchmark::DoNotOptimize(out.get<tessera::coordination>(0)[0]);
    }
    state.SetItemsProcessed(state.iterations() * std::int64_t(f.p.size()));
}

}  // namespace

BENCHMARK(soap_simd)->Arg(20)->Arg(30)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(soap_scalar)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ball_only)->Arg(20)->Arg(30)->Unit(benchmark::kMillisecond)->UseRealTime();
