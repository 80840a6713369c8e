// The descriptors bench/descriptors.cpp does not cover, each beside a peer on the same frame,
// one thread each: LAMMPS (through liblammps's C API, in-process) where Debian's LAMMPS has the
// same computation, otherwise a plain scalar implementation (bench/common/scalar_feature_peers.hpp
// and below; independent of the tessera headers: its own Y_lm, Wigner 3j, matching search,
// quadrature).
//
// Frames (both periodic cubes, N = 4n³ = 10 976, 97 556, and 1 000 188 with
// TESSERA_BENCH_LARGE=1):
//   fcc    fcc Cu, a = 3.615 Å, Gaussian noise σ = 0.05 Å per component, lattice order — the
//          frame of bench/descriptors.cpp (same seeds, so the same coordinates). One type.
//   glass  CuZr-like binary "glass": random sequential addition at ρ = 0.0576 Å⁻³ (Cu50Zr50)
//          with type-pair minimum distances Cu–Cu 1.9, Cu–Zr 2.15, Zr–Zr 2.4 Å (packing
//          fraction ≈ 0.31), types 1 (Cu) and 2 (Zr) alternating in insertion order (50/50),
//          then atoms sorted by 2.4 Å cells (spatially local, as a host's sorted atoms; random
//          order costs LAMMPS, whose sorting is off here, 2–3× in cache misses). No crystalline
//          order at any range.
//
// | row           | tessera                                              | peer                                       |
// |---------------|------------------------------------------------------|--------------------------------------------|
// | rdf           | rdf_accumulator(6.0, 200, ntypes).add_frame          | LAMMPS compute rdf 200 [* * 1 1 1 2 2 2]   |
// |               |   (total; glass: total + partials 11, 12, 22)        |   cutoff 6.0                               |
// | wl            | pipeline(nearest{12}, steinhardt{4,6; wl, wlhat})    | LAMMPS orientorder/atom nnn 12 degrees 2   |
// |               |                                                      |   4 6 wl yes wl/hat yes                    |
// | acna          | pipeline(nearest{14}, adaptive_cna)                  | LAMMPS cna/atom 3.086 — NOT equal work:    |
// |               |                                                      |   nearest comparable (fixed-cutoff CNA)    |
// | qbar          | pipeline(nearest{12}, steinhardt_average{4,6; wl})   | scalar: Legendre recurrence Y_lm, Racah 3j |
// | solid_bonds   | pipeline(nearest{12}, solid_bonds{l 6, 0.7})         | scalar (same Y_lm code)                    |
// | csp_matching  | pipeline(nearest{12}, csp{12, matching})             | scalar: recursive search over perfect      |
// |               |                                                      |   matchings, pruned when the partial sum   |
// |               |                                                      |   reaches the best so far                  |
// | sf            | pipeline(ball{10}, symmetry_functions{μ 1.5:7.5:0.2, | scalar: per bond, per μ, std::exp          |
// |               |   L 3.5, cutoff 10 (cosine taper)}), per type        |                                            |
// | sf_r18        | the same with no taper over ball{18} = μ_max + 3L     | (the literal seed-003 form)                |
// | entropy       | pipeline(ball{8}, pair_entropy{σ 0.2, rc 3:8:0.5,    | scalar: the LAMMPS entropy/atom quadrature |
// |               |   N/V, partial})                                     |   per cutoff, written out                  |
// | entropy_r15   | the same with rc 3:15:0.5 (seed 003's 25 cutoffs)    |                                            |
// | chemical_order| pipeline(ball{4.35}, chemical_order{Cu–Cu 3.05,      | scalar: shell counts, Z*, α, η             |
// |               |   Cu–Zr 3.75, Zr–Zr 4.35})                           |                                            |
//
// Rows per case (names <descriptor>/<frame>/N=<N>/<impl>):
//   tessera           pipeline.run: its own neighbour search + the descriptor (what a user runs)
//   tessera_on_list   pipeline.run_on a neighbour list built once, untimed (the kernel alone)
//   tessera_scalar    the same with the header's scalar path (symmetry_functions::use_simd =
//                     false; basic_steinhardt_average<void>, basic_solid_bonds<void>,
//                     basic_pair_entropy<void>)
//   scalar_peer       the plain implementation (common/scalar_feature_peers.hpp, or below) on
//                     the same prebuilt list
//   lammps            `run 0 post no` with thermo referencing the compute (as bench/descriptors)
//   baseline/…/lammps the same `run 0` without computes; LAMMPS compute only = lammps − baseline
// The same stage feeds tessera_on_list and scalar_peer, so their ratio is the kernel's.
//
// Equal work (checked once per frame and N before timing; abort on mismatch, tolerances below
// at each check): tessera's values against the peer's, atom by atom (LAMMPS rows through atom
// ids). TESSERA_BENCH_SKIP_CHECKS=1 skips them.
//
//   taskset -c 1 build/bench/bench_features --benchmark_repetitions=3
//       --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
// Environment: TESSERA_BENCH_FEATURES=rdf,wl,… registers (and checks) only those rows;
// TESSERA_BENCH_SMALL=1 only N = 10 976.
#include <tessera/core/box.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/descriptors/adaptive_cna.hpp>
#include <tessera/descriptors/chemical_order.hpp>
#include <tessera/descriptors/csp.hpp>
#include <tessera/descriptors/pair_entropy.hpp>
#include <tessera/descriptors/solid_bonds.hpp>
#include <tessera/descriptors/steinhardt.hpp>
#include <tessera/descriptors/symmetry_functions.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/pipeline/pipeline.hpp>
#include <tessera/stats/rdf.hpp>

#include "common/lammps_peer.hpp"
#include "common/noisy_fcc.hpp"
#include "common/feature_frames.hpp"
#include "common/scalar_feature_peers.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace {

using point = std::array<double, 3>;
using points_t = std::vector<point>;
using ortho_box = tessera::orthogonal_box<double>;
using list_t = tessera::neighbor_list<double>;
using namespace feature_peers;
using namespace feature_frames;

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "bench_features: CHECK FAILED: %s\n", what.c_str());
    std::abort();
}

// ---------------------------------------------------------------------------------------------
// Cases with a scalar peer. Each: the stage (for the prebuilt list), the pipeline, its scalar
// variant (or none), the peer, the sizes and the comparison tolerance.

struct tolerance {
    double rel;   ///< |t − p| <= rel·|p| + abs
    double abs;
    const char* what;
};

// The first descriptor's columns of a pipeline result, one after the other.
template <class Result>
std::vector<double> first_columns(const Result& r) {
    std::vector<double> v;
    for (std::size_t c = 0; c < r.template names_of<0>().size(); ++c) {
        const auto col = r.template get<0>(c);
        v.insert(v.end(), col.begin(), col.end());
    }
    return v;
}
template <class Pipe>
std::vector<double> columns_of(const Pipe& pipe, const input& in) {
    return first_columns(pipe.run(in.pts, in.box, in.props()));
}
template <class Pipe>
std::vector<double> columns_on(const Pipe& pipe, const list_t& list, const input& in) {
    const auto p = in.props();
    return first_columns(pipe.run_on(list, p));
}

const std::vector<double> sf_mu = tessera::symmetry_functions::grid(1.5, 7.5, 0.2);  // 31 centres
const std::vector<double> entropy_cut_8 = tessera::symmetry_functions::grid(3.0, 8.0, 0.5);    // 11
const std::vector<double> entropy_cut_15 = tessera::symmetry_functions::grid(3.0, 15.0, 0.5);  // 25
constexpr double sro_rc[3][3] = {{0, 0, 0}, {0, 3.05, 3.75}, {0, 3.75, 4.35}};

enum class feature { qbar, solid_bonds, csp_matching, sf, sf_r18, entropy, entropy_r15, chemical_order };
const char* name_of(feature f) {
    switch (f) {
        case feature::qbar: return "qbar";
        case feature::solid_bonds: return "solid_bonds";
        case feature::csp_matching: return "csp_matching";
        case feature::sf: return "sf";
        case feature::sf_r18: return "sf_r18";
        case feature::entropy: return "entropy";
        case feature::entropy_r15: return "entropy_r15";
        default: return "chemical_order";
    }
}

template <bool Scalar>
auto sf_desc(double rc, bool smooth) {
    tessera::basic_symmetry_functions<> s;
    s.mu = sf_mu;
    s.width = 3.5;
    s.cutoff = rc;
    s.smooth = smooth;
    s.use_simd = !Scalar;
    return s;
}
template <class Arch = xsimd::default_arch>
tessera::basic_pair_entropy<Arch> entropy_desc(const input& in, const std::vector<double>& cuts) {
    tessera::basic_pair_entropy<Arch> p;
    p.sigma = 0.2;
    p.cutoffs = cuts;
    p.density = in.density();
    p.partial = true;
    return p;
}
tessera::chemical_order sro_desc() {
    tessera::chemical_order c;
    c.pairs = tessera::pair_coordination::from_pairs({{{1, 1}, 3.05}, {{1, 2}, 3.75}, {{2, 2}, 4.35}});
    return c;
}
template <class Arch>
tessera::basic_steinhardt_average<Arch> qbar_desc() {
    tessera::basic_steinhardt_average<Arch> s;
    s.degrees = {4, 6};
    s.nnn = 12;
    s.wl = true;
    return s;
}

/// Calls fn(stage, stage_key, pipeline) — with the scalar variant when `scalar` (cases without
/// one return false).
template <class Fn>
bool with_case(feature f, const input& in, bool scalar, Fn&& fn) {
    switch (f) {
        case feature::qbar:
            if (scalar) fn(tessera::nearest{12}, "nearest12", tessera::pipeline(tessera::nearest{12}, qbar_desc<void>()));
            else fn(tessera::nearest{12}, "nearest12", tessera::pipeline(tessera::nearest{12}, qbar_desc<xsimd::default_arch>()));
            return true;
        case feature::solid_bonds:
            if (scalar) fn(tessera::nearest{12}, "nearest12", tessera::pipeline(tessera::nearest{12}, tessera::basic_solid_bonds<void>{}));
            else fn(tessera::nearest{12}, "nearest12", tessera::pipeline(tessera::nearest{12}, tessera::solid_bonds{}));
            return true;
        case feature::csp_matching:
            if (scalar) return false;
            fn(tessera::nearest{12}, "nearest12", tessera::pipeline(tessera::nearest{12}, tessera::csp{12, tessera::csp_mode::matching}));
            return true;
        case feature::sf:
            if (scalar) fn(tessera::ball{10.0}, "ball10", tessera::pipeline(tessera::ball{10.0}, sf_desc<true>(10.0, true)));
            else fn(tessera::ball{10.0}, "ball10", tessera::pipeline(tessera::ball{10.0}, sf_desc<false>(10.0, true)));
            return true;
        case feature::sf_r18:
            if (scalar) fn(tessera::ball{18.0}, "ball18", tessera::pipeline(tessera::ball{18.0}, sf_desc<true>(0.0, false)));
            else fn(tessera::ball{18.0}, "ball18", tessera::pipeline(tessera::ball{18.0}, sf_desc<false>(0.0, false)));
            return true;
        case feature::entropy:
            if (scalar) fn(tessera::ball{8.0}, "ball8", tessera::pipeline(tessera::ball{8.0}, entropy_desc<void>(in, entropy_cut_8)));
            else fn(tessera::ball{8.0}, "ball8", tessera::pipeline(tessera::ball{8.0}, entropy_desc(in, entropy_cut_8)));
            return true;
        case feature::entropy_r15:
            if (scalar) fn(tessera::ball{15.0}, "ball15", tessera::pipeline(tessera::ball{15.0}, entropy_desc<void>(in, entropy_cut_15)));
            else fn(tessera::ball{15.0}, "ball15", tessera::pipeline(tessera::ball{15.0}, entropy_desc(in, entropy_cut_15)));
            return true;
        case feature::chemical_order:
            if (scalar) return false;
            fn(tessera::ball{4.35}, "ball4.35", tessera::pipeline(tessera::ball{4.35}, sro_desc()));
            return true;
    }
    return false;
}

std::vector<double> run_peer(feature f, const list_t& list, const input& in) {
    switch (f) {
        case feature::qbar: return peer_qbar(list);
        case feature::solid_bonds: return peer_solid_bonds(list);
        case feature::csp_matching: return peer_csp_matching(list);
        case feature::sf: return peer_sf(list, in.types, in.ntypes(), sf_mu, 3.5, 10.0, true);
        case feature::sf_r18: return peer_sf(list, in.types, in.ntypes(), sf_mu, 3.5, 0.0, false);
        case feature::entropy: return peer_entropy(list, in.types, in.ntypes(), 0.2, entropy_cut_8, in.density());
        case feature::entropy_r15: return peer_entropy(list, in.types, in.ntypes(), 0.2, entropy_cut_15, in.density());
        default: return peer_chemical_order(list, in.types, sro_rc);
    }
}

tolerance tolerance_of(feature f) {
    switch (f) {
        case feature::qbar: return {0, 1e-10, "absolute 1e-10 (q̄4, q̄6, w̄4, w̄6)"};
        case feature::solid_bonds: return {0, 0, "exact (integer counts)"};
        case feature::csp_matching: return {1e-12, 0, "relative 1e-12"};
        case feature::sf:
        case feature::sf_r18: return {1e-12, 1e-300, "relative 1e-12"};
        case feature::entropy:
        case feature::entropy_r15: return {1e-10, 0, "relative 1e-10"};
        default: return {0, 1e-14, "absolute 1e-14"};
    }
}

void compare(const std::string& label, const std::vector<double>& t, const std::vector<double>& p, tolerance tol,
             std::size_t n) {
    if (t.size() != p.size()) fail(label + ": " + std::to_string(t.size()) + " values vs the peer's " + std::to_string(p.size()));
    double worst_rel = 0, worst_abs = 0;
    for (std::size_t k = 0; k < t.size(); ++k) {
        const double d = std::abs(t[k] - p[k]);
        worst_abs = std::max(worst_abs, d);
        if (p[k] != 0) worst_rel = std::max(worst_rel, d / std::abs(p[k]));
        if (!(d <= tol.rel * std::abs(p[k]) + tol.abs))
            fail(label + ": column " + std::to_string(k / n) + " atom " + std::to_string(k % n) + ": tessera " +
                 std::to_string(t[k]) + " vs peer " + std::to_string(p[k]));
    }
    std::fprintf(stderr, "bench_features: %s: %zu values agree (%s; max abs diff %.2e, max rel diff %.2e)\n",
                 label.c_str(), t.size(), tol.what, worst_abs, worst_rel);
}

void check_feature(feature f, frame_kind fr, int n) {
    const input& in = frame_for(fr, n);
    const std::string label = std::string(name_of(f)) + "/" + name_of(fr) + "/N=" + std::to_string(in.pts.size());
    std::vector<double> peer, full, on, scalar;
    with_case(f, in, false, [&](const auto& stage, const char* key, const auto& pipe) {
        full = columns_of(pipe, in);
        const list_t& list = list_for(in, stage, key);
        on = columns_on(pipe, list, in);
        peer = run_peer(f, list, in);
    });
    const tolerance tol = tolerance_of(f);
    compare(label + " tessera vs scalar peer", full, peer, tol, in.pts.size());
    if (on != full) fail(label + ": run_on a prebuilt list differs from run");
    if (with_case(f, in, true, [&](const auto& stage, const char* key, const auto& pipe) {
            scalar = columns_on(pipe, list_for(in, stage, key), in);
        }))
        compare(label + " tessera scalar path vs scalar peer", scalar, peer, tol, in.pts.size());
    if (f == feature::solid_bonds || f == feature::chemical_order) {
        double mean = 0;
        for (std::size_t i = 0; i < in.pts.size(); ++i) mean += full[i];
        std::fprintf(stderr, "bench_features: %s: mean of column 0 = %.4f\n", label.c_str(), mean / double(in.pts.size()));
    }
}

void set_counters(benchmark::State& state, std::size_t atoms) {
    state.counters["atoms/s"] = benchmark::Counter(double(atoms), benchmark::Counter::kIsIterationInvariantRate);
}

enum class impl { tessera, on_list, scalar_path, peer };

void bm_feature(benchmark::State& state, feature f, frame_kind fr, int n, impl which) {
    const input& in = frame_for(fr, n);
    if (which == impl::peer) {
        with_case(f, in, false, [&](const auto& stage, const char* key, const auto&) {
            const list_t& list = list_for(in, stage, key);
            for (auto _ : state) {
                auto v = run_peer(f, list, in);
                benchmark::DoNotOptimize(v.data());
            }
        });
    } else {
        with_case(f, in, which == impl::scalar_path, [&](const auto& stage, const char* key, const auto& pipe) {
            const auto props = in.props();
            if (which == impl::tessera) {
                for (auto _ : state) {
                    const auto r = pipe.run(in.pts, in.box, props);
                    benchmark::DoNotOptimize(r.template get<0>().data());
                }
            } else {
                const list_t& list = list_for(in, stage, key);
                for (auto _ : state) {
                    const auto r = pipe.run_on(list, props);
                    benchmark::DoNotOptimize(r.template get<0>().data());
                }
            }
        });
    }
    set_counters(state, in.pts.size());
}

// ---------------------------------------------------------------------------------------------
// Cases against LAMMPS

constexpr double rdf_rmax = 6.0;
constexpr std::size_t rdf_bins = 200;

tessera::steinhardt wl_desc() {
    tessera::steinhardt s;
    s.degrees = {4, 6};
    s.nnn = 12;
    s.wl = true;
    s.wlhat = true;
    return s;
}

enum class lmp_case { rdf, wl, acna };
const char* name_of(lmp_case c) {
    switch (c) {
        case lmp_case::rdf: return "rdf";
        case lmp_case::wl: return "wl";
        default: return "acna";
    }
}

void bm_tessera_lmp(benchmark::State& state, lmp_case c, frame_kind fr, int n) {
    const input& in = frame_for(fr, n);
    const auto props = in.props();
    for (auto _ : state) {
        switch (c) {
            case lmp_case::rdf: {
                tessera::rdf_accumulator acc(rdf_rmax, rdf_bins, in.types.empty() ? 0 : 2);
                acc.add_frame(in.pts, in.box, props);
                auto t = acc.result();
                benchmark::DoNotOptimize(t.g.data());
                break;
            }
            case lmp_case::wl: {
                const auto r = tessera::pipeline(tessera::nearest{12}, wl_desc()).run(in.pts, in.box, props);
                benchmark::DoNotOptimize(r.get<0>().data());
                break;
            }
            case lmp_case::acna: {
                const auto r = tessera::pipeline(tessera::nearest{14}, tessera::adaptive_cna{}).run(in.pts, in.box, props);
                benchmark::DoNotOptimize(r.get<0>().data());
                break;
            }
        }
    }
    set_counters(state, in.pts.size());
}

#if TESSERA_BENCH_HAVE_LAMMPS
using tessera_bench::lammps_frame;

/// One LAMMPS instance per frame and N. fcc: pair zero 3.1 (as bench/descriptors.cpp); glass:
/// pair zero 5.0 (orientorder/atom takes its 12 nearest within the pair cutoff). Skin 0.1,
/// ghost cutoff 6.5 for the rdf list (6.0 + skin), no atom sorting.
lammps_frame& lammps_for(frame_kind fr, int n) {
    static std::map<std::pair<int, int>, std::unique_ptr<lammps_frame>> cache;
    auto& slot = cache[{int(fr), n}];
    if (!slot) {
        const input& in = frame_for(fr, n);
        const bool glass = fr == frame_kind::glass;
        slot = std::make_unique<lammps_frame>(tessera_bench::open_lammps_frame(
            in.pts, glass ? in.types : std::vector<int>{}, in.side,
            glass ? std::vector<double>{63.546, 91.224} : std::vector<double>{63.546},
            std::string(glass ? "pair_style zero 5.0\n" : "pair_style zero 3.1\n") +
                "pair_coeff * *\nneighbor 0.1 bin\nneigh_modify every 1 delay 0 check no\n"
                "comm_modify cutoff 6.5\n" +
                (glass ? "compute rdf all rdf 200 * * 1 1 1 2 2 2 cutoff 6.0\n" : "compute rdf all rdf 200 cutoff 6.0\n") +
                "compute wl all orientorder/atom nnn 12 degrees 2 4 6 wl yes wl/hat yes\n"
                "compute cna all cna/atom 3.086\n"
                "compute r_wl all reduce sum c_wl[1]\n"
                "compute r_cna all reduce sum c_cna\n"
                "thermo_style custom step\nrun 0 post no\n"));
    }
    return *slot;
}

const char* thermo_for(int c) {
    switch (c) {
        case int(lmp_case::rdf): return "thermo_style custom step c_rdf[1][2]";
        case int(lmp_case::wl): return "thermo_style custom step c_r_wl";
        case int(lmp_case::acna): return "thermo_style custom step c_r_cna";
        default: return "thermo_style custom step";
    }
}

void bm_lammps(benchmark::State& state, frame_kind fr, int n, int c /* -1: baseline */) {
    lammps_frame& f = lammps_for(fr, n);
    tessera_bench::time_lammps_run0(state, f, thermo_for(c));
    set_counters(state, f.row_of_local.size());
}

void check_lammps(frame_kind fr, int n) {
    const input& in = frame_for(fr, n);
    lammps_frame& f = lammps_for(fr, n);
    const std::string N = "/" + std::string(name_of(fr)) + "/N=" + std::to_string(in.pts.size());
    tessera_bench::lammps_run(f.h, "thermo_style custom step c_rdf[1][2] c_r_wl c_r_cna");
    tessera_bench::lammps_run(f.h, "reset_timestep 0\nrun 0 post no");
    const auto props = in.props();

    // rdf: every g and coordination column equal to 1e-12 relative, and the pair counts behind
    // them (g·norm) equal as integers.
    {
        const auto* a = static_cast<double**>(lammps_extract_compute(f.h, "rdf", LMP_STYLE_GLOBAL, LMP_TYPE_ARRAY));
        if (!a) fail("rdf: lammps_extract_compute returned null");
        tessera::rdf_accumulator acc(rdf_rmax, rdf_bins, in.types.empty() ? 0 : 2);
        acc.add_frame(in.pts, in.box, props);
        const auto t = acc.result();
        double worst = 0, pairs = 0;
        for (std::size_t c = 0; c < t.g.size(); ++c)
            for (std::size_t k = 0; k < rdf_bins; ++k) {
                const double lg = a[k][1 + 2 * c], lc = a[k][2 + 2 * c];
                if (std::abs(a[k][0] - t.r[k]) > 1e-12) fail("rdf: bin centres differ");
                for (const auto& [x, y] : {std::pair{t.g[c][k], lg}, std::pair{t.coord[c][k], lc}}) {
                    const double d = std::abs(x - y);
                    if (y != 0) worst = std::max(worst, d / std::abs(y));
                    if (d > 1e-12 * std::abs(y))
                        fail("rdf" + N + ": column " + t.names[c] + " bin " + std::to_string(k) + ": tessera " +
                             std::to_string(x) + " vs LAMMPS " + std::to_string(y));
                }
            }
        // pair counts in the total: Σ_k coord increments · N / 2 (unordered pairs within r_max)
        pairs = t.coord[0][rdf_bins - 1] * double(in.pts.size()) / 2;
        std::fprintf(stderr,
                     "bench_features: rdf%s: %zu columns × %zu bins of g and coordination agree with LAMMPS (max rel "
                     "diff %.2e; %.0f pairs within %.1f Å)\n",
                     N.c_str(), t.g.size(), rdf_bins, worst, pairs, rdf_rmax);
    }
    // wl: q4 q6 w4 w6 ŵ4 ŵ6 to 1e-9 absolute.
    {
        const auto* q = static_cast<double**>(lammps_extract_compute(f.h, "wl", LMP_STYLE_ATOM, LMP_TYPE_ARRAY));
        if (!q) fail("wl: lammps_extract_compute returned null");
        const auto r = tessera::pipeline(tessera::nearest{12}, wl_desc()).run(in.pts, in.box, props);
        double worst[6] = {};
        for (std::size_t i = 0; i < f.row_of_local.size(); ++i) {
            const std::size_t row = f.row_of_local[i];
            for (std::size_t c = 0; c < 6; ++c) {
                const double d = std::abs(r.get<0>(c)[row] - q[i][c]);
                worst[c] = std::max(worst[c], d);
                if (d > 1e-9)
                    fail("wl" + N + ": column " + r.names_of<0>()[c] + " atom id " + std::to_string(row + 1) + ": tessera " +
                         std::to_string(r.get<0>(c)[row]) + " vs LAMMPS " + std::to_string(q[i][c]));
            }
        }
        std::fprintf(stderr,
                     "bench_features: wl%s: q4 q6 w4 w6 what4 what6 agree with LAMMPS (1e-9 absolute; max |diff| "
                     "%.1e %.1e %.1e %.1e %.1e %.1e)\n",
                     N.c_str(), worst[0], worst[1], worst[2], worst[3], worst[4], worst[5]);
    }
    // a-CNA beside fixed-cutoff CNA: not the same computation; report how often the codes agree.
    if (fr == frame_kind::fcc) {
        const auto* cna = static_cast<const double*>(lammps_extract_compute(f.h, "cna", LMP_STYLE_ATOM, LMP_TYPE_VECTOR));
        if (!cna) fail("cna: lammps_extract_compute returned null");
        const auto r = tessera::pipeline(tessera::nearest{14}, tessera::adaptive_cna{}).run(in.pts, in.box, props);
        std::size_t same = 0, fcc_a = 0, fcc_l = 0;
        for (std::size_t i = 0; i < f.row_of_local.size(); ++i) {
            const double a = r.get<0>()[f.row_of_local[i]];
            same += a == cna[i];
            fcc_a += a == 1.0;
            fcc_l += cna[i] == 1.0;
        }
        std::fprintf(stderr,
                     "bench_features: acna%s: a-CNA vs LAMMPS cna/atom 3.086 (not equal work): same code for %zu of "
                     "%zu atoms; fcc %zu (a-CNA) vs %zu (cna/atom)\n",
                     N.c_str(), same, f.row_of_local.size(), fcc_a, fcc_l);
    }
}
#endif

// ---------------------------------------------------------------------------------------------

benchmark::internal::Benchmark* with_unit(benchmark::internal::Benchmark* b, int n) {
    b->Unit(benchmark::kMillisecond);
    if (n >= 63) b->Iterations(1);
    return b;
}

int register_all() {
    const bool large = std::getenv("TESSERA_BENCH_LARGE") != nullptr;
    const bool skip = std::getenv("TESSERA_BENCH_SKIP_CHECKS") != nullptr;
    std::vector<int> sizes = {14, 29};
    if (large) sizes.push_back(63);
    const bool small = std::getenv("TESSERA_BENCH_SMALL") != nullptr;
    if (small) sizes = {14};
    const std::string only = std::getenv("TESSERA_BENCH_FEATURES") ? std::getenv("TESSERA_BENCH_FEATURES") : "";
    auto wanted = [&](const std::string& name) { return only.empty() || ("," + only + ",").find("," + name + ",") != std::string::npos; };

    // LAMMPS cases: rdf and wl on both frames; acna on fcc (the cna/atom cutoff suits fcc only).
    for (frame_kind fr : {frame_kind::fcc, frame_kind::glass})
        for (int n : sizes) {
            const input& in = frame_for(fr, n);
            const std::string N = "/" + std::string(name_of(fr)) + "/N=" + std::to_string(in.pts.size()) + "/";
            std::vector<lmp_case> cases;
            for (lmp_case c : {lmp_case::rdf, lmp_case::wl, lmp_case::acna})
                if (wanted(name_of(c)) && !(c == lmp_case::acna && fr == frame_kind::glass)) cases.push_back(c);
            if (cases.empty()) continue;
#if TESSERA_BENCH_HAVE_LAMMPS
            if (!skip) check_lammps(fr, n);
#endif
            for (lmp_case c : cases) {
                with_unit(benchmark::RegisterBenchmark((name_of(c) + N + "tessera").c_str(), bm_tessera_lmp, c, fr, n), n);
#if TESSERA_BENCH_HAVE_LAMMPS
                with_unit(benchmark::RegisterBenchmark((name_of(c) + N + "lammps").c_str(), bm_lammps, fr, n, int(c)), n);
#endif
            }
#if TESSERA_BENCH_HAVE_LAMMPS
            with_unit(benchmark::RegisterBenchmark(("baseline" + N + "lammps").c_str(), bm_lammps, fr, n, -1), n);
#endif
        }

    // Scalar-peer cases: which frames and sizes (the large-radius ones are memory-bound: a ball
    // of 15–18 Å holds 800–1 400 neighbours per atom, 36 B each).
    struct plan {
        feature f;
        std::vector<frame_kind> frames;
        std::vector<int> sizes;
    };
    std::vector<int> big = sizes;
    const std::vector<plan> plans = {
        {feature::qbar, {frame_kind::fcc, frame_kind::glass}, big},
        {feature::solid_bonds, {frame_kind::fcc, frame_kind::glass}, big},
        {feature::csp_matching, {frame_kind::fcc, frame_kind::glass}, {14, 29}},
        {feature::sf, {frame_kind::glass}, {14, 29}},
        {feature::sf_r18, {frame_kind::glass}, {14}},
        {feature::entropy, {frame_kind::glass}, {14, 29}},
        {feature::entropy_r15, {frame_kind::glass}, {14}},
        {feature::chemical_order, {frame_kind::glass}, big},
    };
    for (const plan& p : plans) {
        if (!wanted(name_of(p.f))) continue;
        for (frame_kind fr : p.frames)
            for (int n : p.sizes) {
                if (small && n != 14) continue;
                const input& in = frame_for(fr, n);
                if (!skip) check_feature(p.f, fr, n);
                const std::string base =
                    std::string(name_of(p.f)) + "/" + name_of(fr) + "/N=" + std::to_string(in.pts.size()) + "/";
                with_unit(benchmark::RegisterBenchmark((base + "tessera").c_str(), bm_feature, p.f, fr, n, impl::tessera), n);
                with_unit(benchmark::RegisterBenchmark((base + "tessera_on_list").c_str(), bm_feature, p.f, fr, n, impl::on_list), n);
                if (with_case(p.f, in, true, [](const auto&, const char*, const auto&) {}))
                    with_unit(benchmark::RegisterBenchmark((base + "tessera_scalar").c_str(), bm_feature, p.f, fr, n,
                                                           impl::scalar_path),
                              n);
                with_unit(benchmark::RegisterBenchmark((base + "scalar_peer").c_str(), bm_feature, p.f, fr, n, impl::peer), n);
            }
    }
    return 0;
}

const int registered = register_all();

}  // namespace
