// The run-time planner (pipeline/planner.hpp) beside the hand-written compile-time pipeline for
// the same descriptors — CSP 12, CNA 3.086, q4/q6 of the 12 nearest, coordination 3.0 — on a
// noisy fcc Cu crystal (a = 3.615, σ = 0.05) of N = 4·n³ atoms, one thread, workspaces reused
// across iterations (the per-frame cost of a trajectory run).
//
//   pipeline/hand_written: pipeline(nearest_or_ball{12, 3.086}, csp, cna, steinhardt, coordination)
//   pipeline/planner:      planner with the same four descriptors (derives the same stage)
//   pipeline/planner_by_name_order: the planner with the descriptors added in another order
//
// Target (the architecture issue): planner ≥ 0.95× the hand-written pipeline. Both must give
// the same columns; checked before timing (aborts otherwise).
//
//   cmake --build build --target bench_planner && build/bench/bench_planner --benchmark_repetitions=5
#include "common/noisy_fcc.hpp"

#include <tessera/descriptors/cna.hpp>
#include <tessera/descriptors/coordination.hpp>
#include <tessera/descriptors/csp.hpp>
#include <tessera/descriptors/steinhardt.hpp>
#include <tessera/pipeline/pipeline.hpp>
#include <tessera/pipeline/planner.hpp>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <random>

namespace {

constexpr double lattice_a = 3.615;

struct input {
    std::vector<std::array<double, 3>> points;
    tessera::orthogonal_box<double> box;
};

input make_input(int n) {
    std::mt19937_64 rng(7);
    const double L = n * lattice_a;
    return {tessera_bench::noisy_fcc(n, lattice_a, 0.05, rng), tessera::orthogonal_box<double>({0, 0, 0}, {L, L, L})};
}

const tessera::csp csp12{12};
const tessera::cna cna_fixed{3.086};
const tessera::steinhardt q46{.degrees = {4, 6}, .nnn = 12};
const tessera::coordination coord3{3.0};

auto hand_written() { return tessera::pipeline(tessera::nearest_or_ball{12, 3.086}, csp12, cna_fixed, q46, coord3); }

tessera::planner<double> planned(bool reversed) {
    tessera::planner<double> p;
    if (reversed) {
        p.add(coord3);
        p.add(q46);
        p.add(cna_fixed);
        p.add(csp12);
    } else {
        p.add(csp12);
        p.add(cna_fixed);
        p.add(q46);
        p.add(coord3);
    }
    return p;
}

void check_same(const input& in) {
    const auto pipe = hand_written();
    const auto want = pipe.run<double>(in.points, in.box);
    const auto got = planned(false).run(in.points, in.box);
    const auto names = want.names();
    for (const auto& name : names) {
        const auto a = want.column(name), b = got.column(name);
        for (std::size_t i = 0; i < a.size(); ++i)
            if (!(a[i] == b[i])) {
                std::fprintf(stderr, "bench_planner: column %s differs at %zu\n", name.c_str(), i);
                std::abort();
            }
    }
}

void hand_written_pipeline(benchmark::State& state) {
    const input in = make_input(int(state.range(0)));
    check_same(in);
    const auto pipe = hand_written();
    decltype(pipe)::workspace<double> ws;
    for (auto _ : state) {
        const auto& out = pipe.run<double>(in.points, in.box, ws);
        benchmark::DoNotOptimize(out.get<0>().data());
    }
    state.counters["atoms/s"] = benchmark::Counter(double(in.points.size()), benchmark::Counter::kIsIterationInvariantRate);
}

void planner_run(benchmark::State& state) {
    const input in = make_input(int(state.range(0)));
    const auto plan = planned(state.range(1) != 0);
    tessera::planner<double>::workspace ws;
    for (auto _ : state) {
        const auto& out = plan.run(in.points, in.box, ws);
        benchmark::DoNotOptimize(out.column(0, 0).data());
    }
    state.counters["atoms/s"] = benchmark::Counter(double(in.points.size()), benchmark::Counter::kIsIterationInvariantRate);
}

}  // namespace

BENCHMARK(hand_written_pipeline)->Name("pipeline/hand_written")->Arg(12)->Arg(30)->Unit(benchmark::kMillisecond);
BENCHMARK(planner_run)->Name("pipeline/planner")->Args({12, 0})->Args({30, 0})->Unit(benchmark::kMillisecond);
BENCHMARK(planner_run)->Name("pipeline/planner_reversed")->Args({12, 1})->Args({30, 1})->Unit(benchmark::kMillisecond);
