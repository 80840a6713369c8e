// Per-particle descriptors: tessera beside LAMMPS (through liblammps's C API) on the same frame,
// one thread each.
//
// Input: fcc Cu, a = 3.615 Å, Gaussian noise σ = 0.05 Å per component (as bench/neighbors.cpp),
// n³ unit cells → N = 4n³ = 10 976, 97 556 (and 1 000 188 with TESSERA_BENCH_LARGE=1), periodic
// cube, atoms in lattice order.
//
// | descriptor | tessera                                                   | LAMMPS compute                          |
// |------------|-----------------------------------------------------------|-----------------------------------------|
// | coord      | pipeline(ball{3.0}, coordination{})                       | coord/atom cutoff 3.0                   |
// | csp        | pipeline(nearest{12}, csp{})                              | centro/atom fcc                         |
// | cna        | pipeline(ball{3.086}, cna{3.086})                         | cna/atom 3.086                          |
// | q4q6       | pipeline(nearest{12}, steinhardt{{4,6}, nnn 12})          | orientorder/atom nnn 12 degrees 2 4 6   |
// | combined   | pipeline(nearest{12}, csp, steinhardt) then               | all four computes in one `run 0`        |
// |            | pipeline(ball{3.086}, coordination{3.0}, cna{3.086})      |                                         |
// | combined/tessera_one_list: pipeline(sorted_ball{3.086}, csp, q4/q6, coordination, cna):    |                                         |
// |            | one sorted query, one fused pass (valid when each row has >= 12 within rc)    |                                   |
// | combined/tessera_one_list_workspace: the same through a pipeline::workspace kept across    |                                         |
// |            | iterations (no allocation after the first frame)                              |                                   |
//
// LAMMPS set-up: units metal, pair_style zero 3.1, neighbor 0.1 bin (lists to 3.2 Å — a small
// skin, which favours LAMMPS), atom sorting off. Each compute requests its own occasional full
// neighbour list, built when the compute runs. Timed on the LAMMPS side:
//   lammps/<d>       `run 0 post no` with thermo_style referencing `compute reduce sum` of the
//                    compute(s), so they are invoked once per run: setup (ghost atoms, the
//                    half list of pair zero, pair zero) + the computes (their full lists + work).
//   lammps/baseline  the same `run 0` with thermo_style step only: setup without the computes.
// "LAMMPS compute only" = lammps/<d> − lammps/baseline (reported in docs/performance.md).
// Between iterations (untimed) `reset_timestep k+1`: without it LAMMPS would not rebuild the
// computes' occasional lists on a repeated `run 0` at the same step (NPair::last_build).
// tessera's time always includes its own neighbour search (one search per pipeline).
//
// Before any timing the values are compared once (abort on mismatch): coord and CNA exactly,
// CSP to 1e-8 relative, q4/q6 to 1e-9 absolute, atom by atom through the LAMMPS atom ids.
//
//   taskset -c 1 build/bench/bench_descriptors --benchmark_filter=-omp2 --benchmark_repetitions=3 \
//       --benchmark_report_aggregates_only=true
//   build/bench/bench_descriptors --benchmark_filter=combined   # includes tessera_omp2 (wall clock)
#include <tessera/core/box.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/descriptors/cna.hpp>
#include <tessera/descriptors/coordination.hpp>
#include <tessera/descriptors/csp.hpp>
#include <tessera/descriptors/steinhardt.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include "common/lammps_peer.hpp"
#include "common/noisy_fcc.hpp"

#include <benchmark/benchmark.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using point = std::array<double, 3>;
using points_t = std::vector<point>;
using ortho_box = tessera::orthogonal_box<double>;

constexpr double lattice_a = 3.615;
constexpr double noise_sigma = 0.05;
constexpr double coord_rc = 3.0;
constexpr double cna_rc = 3.086;

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "bench_descriptors: CHECK FAILED: %s\n", what.c_str());
    std::abort();
}

struct input {
    int n;
    points_t pts;
    ortho_box box;
};

const input& fcc_input(int n) {
    static std::map<int, std::unique_ptr<input>> cache;
    auto& slot = cache[n];
    if (!slot) {
        std::mt19937_64 rng(1234 + n);
        const double L = n * lattice_a;
        const ortho_box box({0, 0, 0}, {L, L, L});
        points_t p = tessera_bench::noisy_fcc(n, lattice_a, noise_sigma, rng);
        slot = std::make_unique<input>(input{n, std::move(p), box});
    }
    return *slot;
}

// ---------------------------------------------------------------------------------------------
// tessera

enum class which { coord, csp, cna, q4q6, combined, combined_one_list };
const char* name_of(which w) {
    switch (w) {
        case which::coord: return "coord";
        case which::csp: return "csp";
        case which::cna: return "cna";
        case which::q4q6: return "q4q6";
        case which::combined: return "combined";
        default: return "combined_one_list";
    }
}

tessera::steinhardt q46() {
    tessera::steinhardt s;
    s.degrees = {4, 6};
    s.nnn = 12;
    return s;
}

struct tessera_values {
    std::vector<double> coord, csp, cna, q4, q6;
};

template <class Policy>
tessera_values run_tessera(const input& in, which w, Policy policy) {
    tessera_values v;
    const auto copy = [](std::span<const double> s) { return std::vector<double>(s.begin(), s.end()); };
    switch (w) {
        case which::coord: {
            const auto r = tessera::pipeline(tessera::ball{coord_rc}, tessera::coordination{}).run(in.pts, in.box, {}, policy);
            v.coord = copy(r.template get<tessera::coordination>());
            break;
        }
        case which::csp: {
            const auto r = tessera::pipeline(tessera::nearest{12}, tessera::csp{}).run(in.pts, in.box, {}, policy);
            v.csp = copy(r.template get<tessera::csp>());
            break;
        }
        case which::cna: {
            const auto r = tessera::pipeline(tessera::ball{cna_rc}, tessera::cna{cna_rc}).run(in.pts, in.box, {}, policy);
            v.cna = copy(r.template get<tessera::cna>());
            break;
        }
        case which::q4q6: {
            const auto r = tessera::pipeline(tessera::nearest{12}, q46()).run(in.pts, in.box, {}, policy);
            v.q4 = copy(r.template get<tessera::steinhardt>(0));
            v.q6 = copy(r.template get<tessera::steinhardt>(1));
            break;
        }
        case which::combined: {
            const auto a = tessera::pipeline(tessera::nearest{12}, tessera::csp{}, q46()).run(in.pts, in.box, {}, policy);
            const auto b = tessera::pipeline(tessera::ball{cna_rc}, tessera::coordination{coord_rc}, tessera::cna{cna_rc})
                               .run(in.pts, in.box, {}, policy);
            v.csp = copy(a.template get<tessera::csp>());
            v.q4 = copy(a.template get<tessera::steinhardt>(0));
            v.q6 = copy(a.template get<tessera::steinhardt>(1));
            v.coord = copy(b.template get<tessera::coordination>());
            v.cna = copy(b.template get<tessera::cna>());
            break;
        }
        case which::combined_one_list: {
            // One fused pipeline on one sorted_ball query at the CNA cutoff: the first 12 of each
            // sorted row are the 12 nearest when the row holds >= 12 within 3.086 Å (true for this
            // input; the values are checked against LAMMPS below). LAMMPS's computes likewise see
            // only neighbours within their cutoff.
            const auto r = tessera::pipeline(tessera::sorted_ball{cna_rc}, tessera::csp{}, q46(),
                                             tessera::coordination{coord_rc}, tessera::cna{cna_rc})
                               .run(in.pts, in.box, {}, policy);
            v.csp = copy(r.template get<0>());
            v.q4 = copy(r.template get<1>(0));
            v.q6 = copy(r.template get<1>(1));
            v.coord = copy(r.template get<2>());
            v.cna = copy(r.template get<3>());
            break;
        }
    }
    return v;
}

void set_counters(benchmark::State& state, std::size_t atoms) {
    state.counters["atoms/s"] = benchmark::Counter(double(atoms), benchmark::Counter::kIsIterationInvariantRate);
}

void bm_tessera(benchmark::State& state, int n, which w, int threads) {
    const input& in = fcc_input(n);
    for (auto _ : state) {
        if (threads == 1) {
            auto v = run_tessera(in, w, tessera::serial_policy{});
            benchmark::DoNotOptimize(v);
        } else {
            auto v = run_tessera(in, w, tessera::openmp_policy{threads});
            benchmark::DoNotOptimize(v);
        }
    }
    set_counters(state, in.pts.size());
}

/// The one-list combined job through a pipeline workspace kept across iterations (what a
/// trajectory loop or an in-situ host does): no allocation after the first frame.
void bm_tessera_workspace(benchmark::State& state, int n) {
    const input& in = fcc_input(n);
    const auto pipe = tessera::pipeline(tessera::sorted_ball{cna_rc}, tessera::csp{}, q46(),
                                        tessera::coordination{coord_rc}, tessera::cna{cna_rc});
    decltype(pipe)::workspace<double> ws;
    for (auto _ : state) {
        const auto& r = pipe.run(in.pts, in.box, ws);
        benchmark::DoNotOptimize(r.get<0>().data());
    }
    set_counters(state, in.pts.size());
}

// ---------------------------------------------------------------------------------------------
// LAMMPS

#if TESSERA_BENCH_HAVE_LAMMPS
using tessera_bench::lammps_frame;

lammps_frame& lammps_for(int n) {
    static std::map<int, std::unique_ptr<lammps_frame>> cache;
    auto& slot = cache[n];
    if (!slot) {
        const input& in = fcc_input(n);
        slot = std::make_unique<lammps_frame>(tessera_bench::open_lammps_frame(
            in.pts, {}, n * lattice_a, {63.546},
            "pair_style zero 3.1\npair_coeff * *\nneighbor 0.1 bin\nneigh_modify every 1 delay 0 check no\n"
            "compute coord all coord/atom cutoff 3.0\n"
            "compute csp all centro/atom fcc\n"
            "compute cna all cna/atom 3.086\n"
            "compute q46 all orientorder/atom nnn 12 degrees 2 4 6\n"
            "compute r_coord all reduce sum c_coord\n"
            "compute r_csp all reduce sum c_csp\n"
            "compute r_cna all reduce sum c_cna\n"
            "compute r_q46 all reduce sum c_q46[1] c_q46[2]\n"
            "thermo_style custom step\nrun 0 post no\n"));
    }
    return *slot;
}

const char* thermo_for(which w) {
    switch (w) {
        case which::coord: return "thermo_style custom step c_r_coord";
        case which::csp: return "thermo_style custom step c_r_csp";
        case which::cna: return "thermo_style custom step c_r_cna";
        case which::q4q6: return "thermo_style custom step c_r_q46[1] c_r_q46[2]";
        default: return "thermo_style custom step c_r_coord c_r_csp c_r_cna c_r_q46[1] c_r_q46[2]";
    }
}

void bm_lammps(benchmark::State& state, int n, int w /* -1: baseline */) {
    lammps_frame& f = lammps_for(n);
    tessera_bench::time_lammps_run0(state, f, w < 0 ? "thermo_style custom step" : thermo_for(which(w)));
    set_counters(state, f.row_of_local.size());
}

/// Once per N, outside timing: tessera's values (combined pipelines, and each single pipeline)
/// equal LAMMPS's.
void check(int n) {
    const input& in = fcc_input(n);
    lammps_frame& f = lammps_for(n);
    tessera_bench::lammps_run(f.h, thermo_for(which::combined));
    tessera_bench::lammps_run(f.h, "run 0 post no");
    const auto* coord = static_cast<const double*>(lammps_extract_compute(f.h, "coord", LMP_STYLE_ATOM, LMP_TYPE_VECTOR));
    const auto* csp = static_cast<const double*>(lammps_extract_compute(f.h, "csp", LMP_STYLE_ATOM, LMP_TYPE_VECTOR));
    const auto* cna = static_cast<const double*>(lammps_extract_compute(f.h, "cna", LMP_STYLE_ATOM, LMP_TYPE_VECTOR));
    const auto* q = static_cast<double**>(lammps_extract_compute(f.h, "q46", LMP_STYLE_ATOM, LMP_TYPE_ARRAY));
    if (!coord || !csp || !cna || !q) fail("lammps_extract_compute returned null");
    const tessera_values combined = run_tessera(in, which::combined, tessera::serial_policy{});
    const tessera_values singles[] = {run_tessera(in, which::coord, tessera::serial_policy{}),
                                      run_tessera(in, which::csp, tessera::serial_policy{}),
                                      run_tessera(in, which::cna, tessera::serial_policy{}),
                                      run_tessera(in, which::q4q6, tessera::serial_policy{})};
    const tessera_values omp = run_tessera(in, which::combined, tessera::openmp_policy{2});
    const tessera_values one = run_tessera(in, which::combined_one_list, tessera::serial_policy{});
    std::size_t n_fcc = 0;
    double max_csp_rel = 0, max_q = 0;
    for (std::size_t i = 0; i < f.row_of_local.size(); ++i) {
        const std::size_t r = f.row_of_local[i];
        const std::string at = " at atom id " + std::to_string(r + 1) + ", N=" + std::to_string(in.pts.size());
        for (const tessera_values* t : {&combined, &omp, &one}) {
            if (t->coord[r] != coord[i]) fail("coord " + std::to_string(t->coord[r]) + " vs " + std::to_string(coord[i]) + at);
            if (t->cna[r] != cna[i]) fail("cna " + std::to_string(t->cna[r]) + " vs " + std::to_string(cna[i]) + at);
            const double rel = std::abs(t->csp[r] - csp[i]) / std::max(std::abs(csp[i]), 1e-300);
            max_csp_rel = std::max(max_csp_rel, rel);
            if (rel > 1e-8) fail("csp " + std::to_string(t->csp[r]) + " vs " + std::to_string(csp[i]) + at);
            const double dq = std::max(std::abs(t->q4[r] - q[i][0]), std::abs(t->q6[r] - q[i][1]));
            max_q = std::max(max_q, dq);
            if (dq > 1e-9) fail("q4/q6" + at);
        }
        if (singles[0].coord[r] != coord[i] || singles[2].cna[r] != cna[i] || singles[1].csp[r] != combined.csp[r] ||
            singles[3].q4[r] != combined.q4[r] || singles[3].q6[r] != combined.q6[r])
            fail("single pipelines differ from the combined ones" + at);
        n_fcc += cna[i] == 1.0;
    }
    std::fprintf(stderr,
                 "bench_descriptors: N=%zu checked against LAMMPS: coord, cna exact; max csp rel diff %.2e; max |dq| "
                 "%.2e; %zu of %zu atoms fcc (CNA)\n",
                 in.pts.size(), max_csp_rel, max_q, n_fcc, in.pts.size());
}
#endif

int register_all() {
    std::vector<int> sizes = {7, 14, 29};  // N = 1 372, 10 976, 97 556
    if (std::getenv("TESSERA_BENCH_LARGE")) sizes.push_back(63);
    const bool skip = std::getenv("TESSERA_BENCH_SKIP_CHECKS") != nullptr;
    for (int n : sizes) {
        const std::string N = "/N=" + std::to_string(4 * n * n * n) + "/";
#if TESSERA_BENCH_HAVE_LAMMPS
        if (!skip) check(n);
#endif
        for (which w : {which::coord, which::csp, which::cna, which::q4q6, which::combined}) {
            const std::string base = std::string(name_of(w)) + N;
            auto* b = benchmark::RegisterBenchmark((base + "tessera").c_str(), bm_tessera, n, w, 1);
            b->Unit(benchmark::kMillisecond);
            if (n == 63) b->Iterations(1);
            if (w == which::combined) {
                b = benchmark::RegisterBenchmark((base + "tessera_one_list").c_str(), bm_tessera, n, which::combined_one_list, 1);
                b->Unit(benchmark::kMillisecond);
                if (n == 63) b->Iterations(1);
                b = benchmark::RegisterBenchmark((base + "tessera_one_list_workspace").c_str(), bm_tessera_workspace, n);
                b->Unit(benchmark::kMillisecond);
                if (n == 63) b->Iterations(1);
                b = benchmark::RegisterBenchmark((base + "tessera_omp2").c_str(), bm_tessera, n, w, 2);
                b->Unit(benchmark::kMillisecond)->UseRealTime();
                if (n == 63) b->Iterations(1);
            }
#if TESSERA_BENCH_HAVE_LAMMPS
            b = benchmark::RegisterBenchmark((base + "lammps").c_str(), bm_lammps, n, int(w));
            b->Unit(benchmark::kMillisecond);
            if (n == 63) b->Iterations(1);
#endif
        }
#if TESSERA_BENCH_HAVE_LAMMPS
        auto* b = benchmark::RegisterBenchmark(("baseline" + N + "lammps").c_str(), bm_lammps, n, -1);
        b->Unit(benchmark::kMillisecond);
        if (n == 63) b->Iterations(1);
#endif
    }
    return 0;
}

const int registered = register_all();

}  // namespace
