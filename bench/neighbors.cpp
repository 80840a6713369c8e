// Neighbour-search benchmarks: tessera's cell list against Boost.Geometry's R-tree
// (tessera::rtree_index), nanoflann's KD-tree and a plain scalar 27-cell reference, all answering
// the same periodic question (every image closer than rc, self excluded at zero shift).
//
// Inputs (generated here, fixed seeds): fcc Cu (a = 3.615 Å, Gaussian noise σ = 0.05 Å per
// component) and uniform random points at the same density 4/a³ = 0.0847 Å⁻³, N = 4n³ atoms with
// n = 14, 29, 63 (10 976, 97 556, 1 000 188), periodic orthogonal box n·a; one triclinic fcc box
// (N = 97 556, tilts xy = 8a, xz = 5a, yz = 7a, which keep the lattice periodic).
//
// Before the first timing of an (input, cutoff) every method is run once and the results are
// compared (bond count, per-row counts, Σ r²); a mismatch aborts: a benchmark must compare equal
// work. Counters: pairs/s (bonds found per second) and atoms/s. Single-threaded cases are timed
// in CPU time (robust on a shared machine); the openmp{2} cases in wall-clock time (UseRealTime).
//
// Benchmark names: <query>/<input>/N=<atoms>/rc=<cutoff>/<method>. The N = 10⁶ cases run one
// iteration each; skip them with --benchmark_filter=-N=1000188 (a negative filter). Set
// TESSERA_BENCH_LARGE=1 to also register N = 10⁶ at rc = 5 (≈ 1.6 GB per neighbour list).
// TESSERA_BENCH_SKIP_CHECKS=1 skips the equivalence checks (only for profiling a single case).

#include <tessera/core/box.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/neighbors/cell_list.hpp>
#include <tessera/neighbors/compact_list.hpp>
#include <tessera/neighbors/detail/distance_filter.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/neighbors/rtree.hpp>

#include "common/neighbor_peers.hpp"
#include "common/noisy_fcc.hpp"

#include <benchmark/benchmark.h>

#if TESSERA_BENCH_HAVE_NANOFLANN
#include <nanoflann.hpp>
#endif

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace neighbor_bench;

// --------------------------------------------------------------------------------------------
// One-time equivalence checks (outside timing).

template <class L>
std::vector<std::size_t> row_counts(const L& l, std::size_t n) {
    std::vector<std::size_t> c(n);
    for (std::size_t i = 0; i < n; ++i) c[i] = l.num_neighbors(i);
    return c;
}
double sum_d2(const tessera::neighbor_list<double>& l) {
    double s = 0;
    for (double v : l.all_distances2()) s += v;
    return s;
}
double sum_d2(const tessera::compact_neighbor_list<double>& l) {
    double s = 0;
    for (std::size_t i = 0; i < l.num_particles(); ++i)
        for (std::size_t k = 0; k < l.num_neighbors(i); ++k) s += l.distance2(i, k);
    return s;
}
double sum_d2(const csr& l) {
    double s = 0;
    for (double v : l.d2) s += v;
    return s;
}

template <class Ref, class L>
void expect_same(const std::string& what, std::size_t n, const Ref& ref, const L& l, const char* name) {
    if (ref.num_bonds() != l.num_bonds())
        fail(what + ": tessera finds " + std::to_string(ref.num_bonds()) + " bonds, " + name + " finds " +
             std::to_string(l.num_bonds()));
    if (row_counts(ref, n) != row_counts(l, n)) fail(what + ": per-row neighbour counts differ for " + name);
    const double a = sum_d2(ref), b = sum_d2(l);
    if (std::abs(a - b) > 1e-9 * std::abs(a)) fail(what + ": sum of r^2 differs for " + name);
}

template <class Box>
void check_ball(const input<Box>& in, double rc) {
    if (std::getenv("TESSERA_BENCH_SKIP_CHECKS")) return;  // for profiling only
    static std::set<std::pair<const void*, double>> done;
    if (!done.insert({&in, rc}).second) return;
    const std::size_t n = in.pts.size();
    const std::string what = in.name + " N=" + std::to_string(n) + " rc=" + std::to_string(rc);
    const auto ref = tessera::find_neighbors(in.pts, in.box, tessera::ball{rc});
    if (ref.num_particles() != n) fail(what + ": tessera list has the wrong number of rows");
    expect_same(what, n, ref, tessera::find_neighbors(in.pts, in.box, tessera::ball{rc}, {}, tessera::openmp_policy{2}),
                "tessera openmp{2}");
    for (double f : {1.0, 1.0 / 3.0}) {
        const tessera::cell_list<double> cells(in.pts, in.box, rc * f);
        expect_same(what, n, ref, tessera::find_neighbors(cells, n, tessera::ball{rc}), "tessera (other bin width)");
    }
    expect_same(what, n, ref, tessera::rtree_index<double>(in.pts, in.box, rc).neighbors(n, rc), "rtree");
    {
        const auto compact = tessera::find_compact_neighbors(in.pts, in.box, tessera::ball{rc});
        expect_same(what, n, ref, compact, "tessera compact");
        for (std::size_t i = 0; i < n; ++i)  // same rows, same order, bit-identical vectors
            for (std::size_t k = 0; k < compact.num_neighbors(i); ++k)
                if (compact.neighbors(i)[k] != ref.neighbors(i)[k] || !(compact.bond_vector(i, k) == ref.vectors(i)[k]))
                    fail(what + ": compact list bond differs from neighbor_list");
    }
#if TESSERA_BENCH_HAVE_NANOFLANN
    expect_same(what, n, ref, nanoflann_ball(in, rc), "nanoflann");
#endif
    if constexpr (std::is_same_v<Box, ortho_box>) expect_same(what, n, ref, scalar_ball(in, rc), "scalar");
    std::fprintf(stderr, "check %-32s: %zu bonds (%.2f per atom), all methods agree\n", what.c_str(), ref.num_bonds(),
                 double(ref.num_bonds()) / double(n));
}

template <class Box>
void check_knn(const input<Box>& in) {
    if (std::getenv("TESSERA_BENCH_SKIP_CHECKS")) return;  // for profiling only
    static std::set<const void*> done;
    if (!done.insert(&in).second) return;
#if TESSERA_BENCH_HAVE_NANOFLANN
    const std::size_t n = in.pts.size();
    const std::string what = "knn " + in.name + " N=" + std::to_string(n);
    const auto t = tessera::find_neighbors(in.pts, in.box, tessera::nearest{knn_k});
    const csr f = nanoflann_knn(in, knn_k);
    if (t.num_bonds() != n * knn_k || f.num_bonds() != n * knn_k) fail(what + ": rows are not all k long");
    double worst = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto d = t.distances2(i);
        for (std::size_t c = 0; c < knn_k; ++c) {
            const double b = f.d2[f.offsets[i] + c];
            if (std::abs(d[c] - b) > 1e-9 * std::max(1.0, d[c])) fail(what + ": k-nearest distances differ");
            if (c > 0 && d[c] < d[c - 1]) fail(what + ": tessera row not sorted");
        }
        worst = std::max(worst, d[knn_k - 1]);
    }
    if (!(std::sqrt(worst) < knn_reach)) fail(what + ": k-th neighbour beyond the KD-tree replica reach");
    std::fprintf(stderr, "check %-32s: k-nearest distances agree (max k-th distance %.3f A)\n", what.c_str(),
                 std::sqrt(worst));
#else
    (void)in;
#endif
}

// --------------------------------------------------------------------------------------------
// Benchmark bodies

void set_counters(benchmark::State& state, std::size_t atoms, std::size_t bonds) {
    state.counters["pairs/s"] = benchmark::Counter(double(bonds), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["atoms/s"] = benchmark::Counter(double(atoms), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["bonds/atom"] = double(bonds) / double(atoms);
}

enum class method {
    tessera,
    tessera_omp2,
    tessera_count_only,
    tessera_reuse_list,
    tessera_compact,
    tessera_compact_reuse,
    rtree,
    nanoflann,
    scalar
};

template <class Box>
void bm_ball(benchmark::State& state, const input<Box>* in, double rc, method m) {
    check_ball(*in, rc);
    const std::size_t n = in->pts.size();
    std::size_t bonds = 0;
    tessera::neighbor_list<double> reused;
    tessera::compact_neighbor_list<double> reused_compact;
    tessera::cell_list<double> reused_cells;
    for (auto _ : state) {
        switch (m) {
            case method::tessera: {
                const auto l = tessera::find_neighbors(in->pts, in->box, tessera::ball{rc});
                bonds = l.num_bonds();
                benchmark::DoNotOptimize(l.indices().data());
                break;
            }
            case method::tessera_omp2: {
                const auto l = tessera::find_neighbors(in->pts, in->box, tessera::ball{rc}, {}, tessera::openmp_policy{2});
                bonds = l.num_bonds();
                benchmark::DoNotOptimize(l.indices().data());
                break;
            }
            case method::tessera_count_only: {  // same cell list (bins rc) and filter, no list written
                const tessera::cell_list<double> cells(in->pts, in->box, rc);
                std::size_t c = 0;
                for (std::size_t i = 0; i < n; ++i)
                    cells.for_each_within(cells.wrapped_position(i), rc, i,
                                          [&](std::size_t, const tessera::vec3<double>&, double) { ++c; });
                bonds = c;
                break;
            }
            case method::tessera_reuse_list: {
                // find_neighbors_into with a cell list and a list kept across iterations, as a
                // trajectory loop does: no reallocation, no page faults after the first frame.
                tessera::find_neighbors_into(in->pts, in->box, tessera::ball{rc}, reused_cells, reused);
                bonds = reused.num_bonds();
                benchmark::DoNotOptimize(reused.indices().data());
                break;
            }
            case method::tessera_compact: {  // 8 B per bond (index + image), vectors rebuilt on access
                const auto l = tessera::find_compact_neighbors(in->pts, in->box, tessera::ball{rc});
                bonds = l.num_bonds();
                benchmark::DoNotOptimize(l.indices().data());
                break;
            }
            case method::tessera_compact_reuse: {
                reused_cells.build(in->pts, in->box, rc);
                tessera::find_neighbors_into(reused_cells, n, tessera::ball{rc}, reused_compact);
                bonds = reused_compact.num_bonds();
                benchmark::DoNotOptimize(reused_compact.indices().data());
                break;
            }
            case method::rtree: {
                const auto l = tessera::rtree_index<double>(in->pts, in->box, rc).neighbors(n, rc);
                bonds = l.num_bonds();
                benchmark::DoNotOptimize(l.indices().data());
                break;
            }
            case method::nanoflann: {
#if TESSERA_BENCH_HAVE_NANOFLANN
                const csr l = nanoflann_ball(*in, rc);
                bonds = l.num_bonds();
                benchmark::DoNotOptimize(l.index.data());
#endif
                break;
            }
            case method::scalar: {
                if constexpr (std::is_same_v<Box, ortho_box>) {
                    const auto l = scalar_ball(*in, rc);
                    bonds = l.num_bonds();
                    benchmark::DoNotOptimize(l.indices().data());
                }
                break;
            }
        }
    }
    set_counters(state, n, bonds);
}

/// Prebuilt-cell_list overload with bin width rc·frac (build included in the time, as in the
/// one-call form, which uses frac = 1/2).
void bm_bin_width(benchmark::State& state, const input<ortho_box>* in, double rc, double frac) {
    check_ball(*in, rc);
    const std::size_t n = in->pts.size();
    std::size_t bonds = 0;
    for (auto _ : state) {
        const tessera::cell_list<double> cells(in->pts, in->box, rc * frac);
        const auto l = tessera::find_neighbors(cells, n, tessera::ball{rc});
        bonds = l.num_bonds();
        benchmark::DoNotOptimize(l.indices().data());
    }
    set_counters(state, n, bonds);
}

void bm_cell_build(benchmark::State& state, const input<ortho_box>* in, double width) {
    for (auto _ : state) {
        const tessera::cell_list<double> cells(in->pts, in->box, width);
        benchmark::DoNotOptimize(cells.size());
    }
    state.counters["atoms/s"] =
        benchmark::Counter(double(in->pts.size()), benchmark::Counter::kIsIterationInvariantRate);
}

template <class Box>
void bm_knn(benchmark::State& state, const input<Box>* in, method m) {
    check_knn(*in);
    const std::size_t n = in->pts.size();
    std::size_t bonds = 0;
    for (auto _ : state) {
        if (m == method::tessera) {
            const auto l = tessera::find_neighbors(in->pts, in->box, tessera::nearest{knn_k});
            bonds = l.num_bonds();
            benchmark::DoNotOptimize(l.indices().data());
        } else if (m == method::tessera_omp2) {
            const auto l = tessera::find_neighbors(in->pts, in->box, tessera::nearest{knn_k}, {}, tessera::openmp_policy{2});
            bonds = l.num_bonds();
            benchmark::DoNotOptimize(l.indices().data());
        } else {
#if TESSERA_BENCH_HAVE_NANOFLANN
            const csr l = nanoflann_knn(*in, knn_k);
            bonds = l.num_bonds();
            benchmark::DoNotOptimize(l.index.data());
#endif
        }
    }
    set_counters(state, n, bonds);
}

// --------------------------------------------------------------------------------------------
// The SIMD distance filter alone: candidates in SoA runs of length `run`, a query point per run,
// about 25 % of the candidates inside the cutoff (as for bins of rc/2: ball / 5³ bins ≈ 27 %).

struct filter_data {
    std::vector<double> x, y, z;
    std::vector<tessera::vec3<double>> q;
};

const filter_data& filter_input() {
    static const filter_data d = [] {
        constexpr std::size_t total = 1 << 16;
        filter_data f;
        std::mt19937_64 rng(99);
        std::uniform_real_distribution<double> u(-1.0, 1.0), qn(-0.05, 0.05);
        f.x.resize(total);
        f.y.resize(total);
        f.z.resize(total);
        for (std::size_t k = 0; k < total; ++k) {
            f.x[k] = u(rng);
            f.y[k] = u(rng);
            f.z[k] = u(rng);
        }
        f.q.resize(total);
        for (auto& p : f.q) p = {qn(rng), qn(rng), qn(rng)};
        return f;
    }();
    return d;
}

template <bool Simd>
void bm_filter(benchmark::State& state) {
    const std::size_t run = std::size_t(state.range(0));
    const filter_data& f = filter_input();
    const std::size_t total = f.x.size();
    // 4/3 π r³ = 0.25 · 2³  →  r ≈ 0.782
    const double r = std::cbrt(0.25 * 8.0 * 3.0 / (4.0 * 3.14159265358979));
    const double r2 = r * r;
    const tessera::vec3<double> shift{0, 0, 0};
    std::size_t hits = 0;
    double acc = 0;
    auto emit = [&](std::size_t, const tessera::vec3<double>& v, double d2) {
        ++hits;
        acc += d2 + v.x;
    };
    for (auto _ : state) {
        hits = 0;
        for (std::size_t k0 = 0, j = 0; k0 < total; k0 += run, ++j) {
            const std::size_t k1 = std::min(total, k0 + run);
            if constexpr (Simd)
                tessera::detail::filter_candidates<xsimd::default_arch>(f.x.data(), f.y.data(), f.z.data(), k0, k1,
                                                                        f.q[j], shift, r2, emit);
            else
                tessera::detail::filter_candidates_scalar(f.x.data(), f.y.data(), f.z.data(), k0, k1, f.q[j], shift, r2,
                                                          emit);
        }
        benchmark::DoNotOptimize(acc);
    }
    state.counters["candidates/s"] = benchmark::Counter(double(total), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["hit_fraction"] = double(hits) / double(total);
    state.SetLabel(std::string(xsimd::default_arch::name()) + " W=" +
                   std::to_string(xsimd::batch<double, xsimd::default_arch>::size));
}

// --------------------------------------------------------------------------------------------
// Registration

std::string rc_name(double rc) { return rc == 3.0 ? "3" : "5"; }

template <class Box>
void register_ball(const input<Box>& in, double rc, bool large) {
    const std::string base = "ball/" + in.name + "/N=" + std::to_string(in.pts.size()) + "/rc=" + rc_name(rc) + "/";
    struct entry {
        const char* name;
        method m;
    };
    std::vector<entry> ms = {{"tessera", method::tessera}, {"tessera_omp2", method::tessera_omp2},
                             {"rtree", method::rtree}};
#if TESSERA_BENCH_HAVE_NANOFLANN
    ms.push_back({"nanoflann", method::nanoflann});
#endif
    if constexpr (std::is_same_v<Box, ortho_box>) ms.push_back({"scalar27", method::scalar});
    if (!large && std::is_same_v<Box, ortho_box>) {
        ms.push_back({"tessera_count_only", method::tessera_count_only});
        ms.push_back({"tessera_reuse_list", method::tessera_reuse_list});
        ms.push_back({"tessera_compact_reuse", method::tessera_compact_reuse});
    }
    ms.push_back({"tessera_compact", method::tessera_compact});
    for (const auto& e : ms) {
        auto* b = benchmark::RegisterBenchmark((base + e.name).c_str(), bm_ball<Box>, &in, rc, e.m);
        b->Unit(benchmark::kMillisecond);
        if (e.m == method::tessera_omp2) b->UseRealTime();
        if (large) b->Iterations(1);
    }
}

template <class Box>
void register_knn(const input<Box>& in, bool large) {
    const std::string base = "knn12/" + in.name + "/N=" + std::to_string(in.pts.size()) + "/";
    std::vector<std::pair<const char*, method>> ms = {{"tessera", method::tessera},
                                                      {"tessera_omp2", method::tessera_omp2}};
#if TESSERA_BENCH_HAVE_NANOFLANN
    ms.push_back({"nanoflann", method::nanoflann});
#endif
    for (const auto& [name, m] : ms) {
        auto* b = benchmark::RegisterBenchmark((base + name).c_str(), bm_knn<Box>, &in, m);
        b->Unit(benchmark::kMillisecond);
        if (m == method::tessera_omp2) b->UseRealTime();
        if (large) b->Iterations(1);
    }
}

int register_all() {
    const bool large_rc5 = std::getenv("TESSERA_BENCH_LARGE") != nullptr;
    for (const char* kind : {"fcc", "random"}) {
        for (int n : {14, 29}) {
            for (double rc : {3.0, 5.0}) register_ball(ortho_input(kind, n), rc, false);
            register_knn(ortho_input(kind, n), false);
        }
        register_ball(ortho_input(kind, 63), 3.0, true);
        if (large_rc5) register_ball(ortho_input(kind, 63), 5.0, true);
        register_knn(ortho_input(kind, 63), true);
    }
    for (double rc : {3.0, 5.0}) register_ball(triclinic_input(29), rc, false);

    // Bin width for the ball query (default rc/2), at N ≈ 10⁵.
    for (const char* kind : {"fcc", "random"})
        for (double rc : {3.0, 5.0})
            for (auto [frac, label] : {std::pair{1.0, "rc"}, std::pair{0.5, "rc/2"}, std::pair{1.0 / 3.0, "rc/3"},
                                       std::pair{0.25, "rc/4"}}) {
                const std::string name = std::string("binwidth/") + kind + "/N=97556/rc=" + rc_name(rc) + "/bin=" + label;
                benchmark::RegisterBenchmark(name.c_str(), bm_bin_width, &ortho_input(kind, 29), rc, frac)
                    ->Unit(benchmark::kMillisecond);
            }
    for (auto [w, label] : {std::pair{3.0, "3.0"}, std::pair{1.5, "1.5"}, std::pair{1.0, "1.0"}})
        benchmark::RegisterBenchmark((std::string("cell_build/random/N=97556/bin=") + label).c_str(), bm_cell_build,
                                     &ortho_input("random", 29), w)
            ->Unit(benchmark::kMillisecond);

    for (auto* b : {benchmark::RegisterBenchmark("filter/simd", bm_filter<true>),
                    benchmark::RegisterBenchmark("filter/scalar", bm_filter<false>)})
        b->Arg(4)->Arg(8)->Arg(16)->Arg(64)->Arg(1024)->Unit(benchmark::kMicrosecond);
    return 0;
}

const int registered = register_all();

}  // namespace
