// LENS per frame and event clustering.
//
// LENS: fcc Cu (a = 3.615 Å, σ = 0.05 Å noise, as bench/neighbors.cpp), n = 29 → N = 97 556,
// cutoff 8 Å (≈ 176 neighbours each). Frame 2 = frame 1 + Gaussian displacements σ = 0.1 Å per
// component (wrapped), same ids (1..N) in the same order.
//   lens/build          neighbor_id_set_builder::build of one frame into recycled sets (the
//                       builder and the sets reused across iterations, as in a trajectory loop)
//   lens/build_fresh    neighbor_id_sets::build: the same with everything allocated afresh
//   lens/lens           lens(before, after) on two prebuilt id sets
//   lens/frame          build of the new frame (reused builder) + lens(): the per-frame cost in
//                       a trajectory (each frame's sets are built once and reused for both pairs)
//   lens/dynsight_like_scalar  dynsight's numba algorithm as plain scalar C++ (see below): the
//                       stand-in for "dynsight's own numba implementation" (numba is not packaged
//                       in Debian 12; numba's compiled loops run at about this speed)
// The frames and tessera's LENS values are written (before timing) to
// $TESSERA_BENCH_LENS_FRAMES (default /tmp/tessera_lens_frames.bin) for bench/lens_numpy.py:
//   int64 N, double L, double x1[N][3], double x2[N][3], double lens[N]   (little endian)
//
// Clusters: the same N = 97 556 fcc frame, 5 % of the atoms flagged in compact clumps (all atoms
// within 6 Å of random centres, until 5 % are flagged), link 2.8 Å; find_clusters with
// cluster_algorithm::union_find (default) vs boost_graph. Everything else in find_clusters is
// shared (subset, ball query among flagged atoms, grouping, centroids); both are checked to give
// the same clusters.
//
//   taskset -c 1 build/bench/bench_dynamics --benchmark_repetitions=3 --benchmark_enable_random_interleaving=true \
//     --benchmark_report_aggregates_only=true
#include <tessera/cluster/components.hpp>
#include <tessera/core/box.hpp>
#include <tessera/dynamics/lens.hpp>

#include "common/noisy_fcc.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace {

using point = std::array<double, 3>;
using points_t = std::vector<point>;
using ortho_box = tessera::orthogonal_box<double>;

constexpr double lattice_a = 3.615;
constexpr int cells = 29;
constexpr double lens_cutoff = 8.0;
constexpr double displacement_sigma = 0.1;
constexpr double link = 2.8;

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "bench_dynamics: CHECK FAILED: %s\n", what.c_str());
    std::abort();
}

struct frames {
    ortho_box box{{0, 0, 0}, {cells * lattice_a, cells * lattice_a, cells * lattice_a}};
    points_t x1, x2;
    std::vector<std::int64_t> ids;
    std::unique_ptr<bool[]> flagged;
    std::size_t n_flagged = 0;
};

const frames& input() {
    static const frames f = [] {
        frames f;
        std::mt19937_64 rng(1234 + cells);
        f.x1 = tessera_bench::noisy_fcc(cells, lattice_a, 0.05, rng);
        std::normal_distribution<double> disp(0.0, displacement_sigma);
        const std::size_t n = f.x1.size();
        for (const auto& p : f.x1) {
            const auto w = f.box.wrap({p[0] + disp(rng), p[1] + disp(rng), p[2] + disp(rng)});
            f.x2.push_back({w.x, w.y, w.z});
        }
        f.ids.resize(n);
        for (std::size_t i = 0; i < n; ++i) f.ids[i] = std::int64_t(i + 1);
        // event clumps: all atoms within 6 Å of random centres until 5 % are flagged
        f.flagged = std::make_unique<bool[]>(n);
        std::fill(f.flagged.get(), f.flagged.get() + n, false);
        const double L = cells * lattice_a;
        std::uniform_real_distribution<double> u(0.0, L);
        while (f.n_flagged < n / 20) {
            const tessera::vec3<double> c{u(rng), u(rng), u(rng)};
            for (std::size_t i = 0; i < n && f.n_flagged < n / 20; ++i) {
                const auto d = f.box.minimum_image(tessera::vec3<double>{f.x1[i][0], f.x1[i][1], f.x1[i][2]} - c);
                if (!f.flagged[i] && tessera::norm2(d) < 36.0) {
                    f.flagged[i] = true;
                    ++f.n_flagged;
                }
            }
        }
        return f;
    }();
    return f;
}

std::size_t id_set_bytes(const tessera::neighbor_id_sets& s) { return s.bytes(); }

struct csr {
    std::vector<std::int32_t> indptr, indices;
};
csr dynsight_like_neighbours(const points_t& x, double L, double rc);
void dynsight_like_lens(const csr& a, const csr& b, std::vector<double>& out);

void write_frames_and_check() {
    const frames& f = input();
    const std::size_t n = f.x1.size();
    const auto a = tessera::neighbor_id_sets::build(f.x1, f.box, f.ids, lens_cutoff);
    const auto b = tessera::neighbor_id_sets::build(f.x2, f.box, f.ids, lens_cutoff);
    std::vector<double> out(n);
    tessera::lens(a, b, out);
    {
        // the scalar dynsight-like peer computes the same values
        std::vector<double> peer(n);
        const double L = cells * lattice_a;
        dynsight_like_lens(dynsight_like_neighbours(f.x1, L, lens_cutoff), dynsight_like_neighbours(f.x2, L, lens_cutoff), peer);
        for (std::size_t i = 0; i < n; ++i)
            if (peer[i] != out[i]) fail("dynsight-like peer differs from tessera at atom " + std::to_string(i));
    }
    const std::size_t bonds = 2 * b.pairs();
    double mean = 0;
    for (std::size_t i = 0; i < n; ++i) mean += out[i];
    // the same sets, in the same order, with two threads
    const auto b2 = tessera::neighbor_id_sets::build(f.x2, f.box, f.ids, lens_cutoff, tessera::openmp_policy{2});
    std::vector<std::pair<std::size_t, std::size_t>> p1, p2;
    b.for_each_pair([&](std::size_t i, std::size_t j) { p1.emplace_back(i, j); });
    b2.for_each_pair([&](std::size_t i, std::size_t j) { p2.emplace_back(i, j); });
    if (p1 != p2) fail("id sets differ with openmp_policy{2}");
    std::vector<double> out2(n);
    tessera::lens(a, b2, out2, tessera::id_mismatch::error, "LENS", tessera::openmp_policy{2});
    if (out2 != out) fail("LENS differs with openmp_policy{2}");
    const char* env = std::getenv("TESSERA_BENCH_LENS_FRAMES");
    const std::string path = env ? env : "/tmp/tessera_lens_frames.bin";
    if (std::FILE* fp = std::fopen(path.c_str(), "wb")) {
        const std::int64_t nn = std::int64_t(n);
        const double L = cells * lattice_a;
        std::fwrite(&nn, sizeof nn, 1, fp);
        std::fwrite(&L, sizeof L, 1, fp);
        std::fwrite(f.x1.data(), sizeof(point), n, fp);
        std::fwrite(f.x2.data(), sizeof(point), n, fp);
        std::fwrite(out.data(), sizeof(double), n, fp);
        std::fclose(fp);
    } else {
        fail("cannot write " + path);
    }
    std::fprintf(stderr,
                 "bench_dynamics: LENS N=%zu rc=%.1f: %.1f neighbours/atom, mean LENS %.4f; id sets %.1f MB = %.1f "
                 "B/atom (%.2f B/atom + 2 B/neighbour); frames written to %s\n",
                 n, lens_cutoff, double(bonds) / double(n), mean / double(n), double(id_set_bytes(b)) / 1e6,
                 double(id_set_bytes(b)) / double(n), double(id_set_bytes(b) - 2 * bonds) / double(n), path.c_str());

    // clusters: both algorithms agree
    const std::span<const bool> flags(f.flagged.get(), n);
    const auto uf = tessera::find_clusters<double>(f.x1, f.box, flags, link, tessera::cluster_algorithm::union_find);
    const auto bg = tessera::find_clusters<double>(f.x1, f.box, flags, link, tessera::cluster_algorithm::boost_graph);
    if (uf.count() != bg.count()) fail("cluster counts differ");
    std::size_t largest = 0;
    for (std::size_t c = 0; c < uf.count(); ++c) {
        if (!std::equal(uf.members(c).begin(), uf.members(c).end(), bg.members(c).begin(), bg.members(c).end()))
            fail("cluster members differ");
        largest = std::max(largest, uf.size(c));
    }
    std::fprintf(stderr, "bench_dynamics: clusters: %zu flagged atoms, %zu clusters, largest %zu (both algorithms agree)\n",
                 f.n_flagged, uf.count(), largest);
}

void set_counters(benchmark::State& state, std::size_t atoms) {
    state.counters["atoms/s"] = benchmark::Counter(double(atoms), benchmark::Counter::kIsIterationInvariantRate);
}

// A trajectory loop: one builder, sets objects recycled (no allocation after the first frames).
void bm_lens_build(benchmark::State& state) {
    const frames& f = input();
    tessera::neighbor_id_set_builder<double> builder;
    tessera::neighbor_id_sets s;
    for (auto _ : state) {
        builder.build(f.x2, f.box, f.ids, lens_cutoff, s);
        benchmark::DoNotOptimize(s);
    }
    set_counters(state, f.x1.size());
}

// One-off: neighbor_id_sets::build allocates everything afresh (page faults included).
void bm_lens_build_fresh(benchmark::State& state) {
    const frames& f = input();
    for (auto _ : state) {
        auto s = tessera::neighbor_id_sets::build(f.x2, f.box, f.ids, lens_cutoff);
        benchmark::DoNotOptimize(s);
    }
    set_counters(state, f.x1.size());
}

void bm_lens_only(benchmark::State& state) {
    const frames& f = input();
    const auto a = tessera::neighbor_id_sets::build(f.x1, f.box, f.ids, lens_cutoff);
    const auto b = tessera::neighbor_id_sets::build(f.x2, f.box, f.ids, lens_cutoff);
    std::vector<double> out(f.x1.size());
    for (auto _ : state) {
        tessera::lens(a, b, out);
        benchmark::DoNotOptimize(out.data());
    }
    set_counters(state, f.x1.size());
}

// Per frame of a trajectory: build the new frame's sets (reused builder, recycled sets) + LENS
// against the previous frame's sets.
void bm_lens_frame(benchmark::State& state) {
    const frames& f = input();
    const auto a = tessera::neighbor_id_sets::build(f.x1, f.box, f.ids, lens_cutoff);
    tessera::neighbor_id_set_builder<double> builder;
    tessera::neighbor_id_sets b;
    std::vector<double> out(f.x1.size());
    for (auto _ : state) {
        builder.build(f.x2, f.box, f.ids, lens_cutoff, b);
        tessera::lens(a, b, out);
        benchmark::DoNotOptimize(out.data());
    }
    set_counters(state, f.x1.size());
}

void bm_clusters(benchmark::State& state, tessera::cluster_algorithm algo) {
    const frames& f = input();
    const std::span<const bool> flags(f.flagged.get(), f.x1.size());
    for (auto _ : state) {
        auto c = tessera::find_clusters<double>(f.x1, f.box, flags, link, algo);
        benchmark::DoNotOptimize(c);
    }
    set_counters(state, f.x1.size());
}


// ---------------------------------------------------------------------------------------------
// Peer: dynsight's LENS (GMPavanLab/dynsight, src/dynsight/_internal/lens/lens.py,
// compute_lens_over_trj) transcribed to plain scalar C++ — what its numba kernels compile to:
// a linked-list cell list with cells >= r_cut (at least 3 per axis), the 27 surrounding cells,
// minimum image per pair, a count pass and a fill pass (CSR), each row sorted, then a merge of
// the two sorted rows. Like dynsight, both frames' lists are rebuilt for every frame pair and the
// box must be orthogonal. Algorithm written from its description; no code copied.

csr dynsight_like_neighbours(const points_t& x, double L, double rc) {
    const int n = int(x.size());
    const int nc = std::max(3, int(L / rc));
    std::vector<int> head(std::size_t(nc) * nc * nc, -1), next(std::size_t(n), -1);
    std::vector<std::array<int, 3>> cell(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
        std::array<int, 3> c{};
        for (int d = 0; d < 3; ++d) c[std::size_t(d)] = int(x[std::size_t(i)][std::size_t(d)] / L * nc) % nc;
        cell[std::size_t(i)] = c;
        const int k = (c[0] * nc + c[1]) * nc + c[2];
        next[std::size_t(i)] = head[std::size_t(k)];
        head[std::size_t(k)] = i;
    }
    // dynsight tests r² < (r_c − 1e-6)²; the exact r_c here, so both sides find the same pairs
    const double rc2 = rc * rc;
    auto visit = [&](int i, auto&& f) {
        const auto c = cell[std::size_t(i)];
        for (int dx = -1; dx <= 1; ++dx)
            for (int dy = -1; dy <= 1; ++dy)
                for (int dz = -1; dz <= 1; ++dz) {
                    const int k = (((c[0] + dx + nc) % nc) * nc + (c[1] + dy + nc) % nc) * nc + (c[2] + dz + nc) % nc;
                    for (int j = head[std::size_t(k)]; j != -1; j = next[std::size_t(j)]) {
                        double r2 = 0;
                        for (int d = 0; d < 3; ++d) {
                            double dr = x[std::size_t(j)][std::size_t(d)] - x[std::size_t(i)][std::size_t(d)];
                            dr -= std::nearbyint(dr / L) * L;
                            r2 += dr * dr;
                        }
                        if (j != i && r2 < rc2) f(j);
                    }
                }
    };
    csr out;
    out.indptr.assign(std::size_t(n) + 1, 0);
    for (int i = 0; i < n; ++i) {
        int count = 0;
        visit(i, [&](int) { ++count; });
        out.indptr[std::size_t(i) + 1] = out.indptr[std::size_t(i)] + count;
    }
    out.indices.resize(std::size_t(out.indptr.back()));
    for (int i = 0; i < n; ++i) {
        int at = out.indptr[std::size_t(i)];
        visit(i, [&](int j) { out.indices[std::size_t(at++)] = j; });
        std::sort(out.indices.begin() + out.indptr[std::size_t(i)], out.indices.begin() + out.indptr[std::size_t(i) + 1]);
    }
    return out;
}

void dynsight_like_lens(const csr& a, const csr& b, std::vector<double>& out) {
    for (std::size_t u = 0; u + 1 < a.indptr.size(); ++u) {
        std::int32_t i = a.indptr[u], e1 = a.indptr[u + 1], j = b.indptr[u], e2 = b.indptr[u + 1];
        const int denom = (e1 - i) + (e2 - j);
        int inter = 0;
        while (i < e1 && j < e2) {
            if (a.indices[std::size_t(i)] == b.indices[std::size_t(j)]) ++inter, ++i, ++j;
            else if (a.indices[std::size_t(i)] < b.indices[std::size_t(j)]) ++i;
            else ++j;
        }
        out[u] = denom > 0 ? double(denom - 2 * inter) / double(denom) : 0.0;
    }
}

void bm_lens_dynsight_like(benchmark::State& state) {
    const frames& f = input();
    const double L = cells * lattice_a;
    std::vector<double> out(f.x1.size());
    for (auto _ : state) {
        const csr a = dynsight_like_neighbours(f.x1, L, lens_cutoff);  // dynsight rebuilds both frames per pair
        const csr b = dynsight_like_neighbours(f.x2, L, lens_cutoff);
        dynsight_like_lens(a, b, out);
        benchmark::DoNotOptimize(out.data());
    }
    set_counters(state, f.x1.size());
}

int register_all() {
    if (!std::getenv("TESSERA_BENCH_SKIP_CHECKS")) write_frames_and_check();
    benchmark::RegisterBenchmark("lens/N=97556/rc=8/build", bm_lens_build)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("lens/N=97556/rc=8/build_fresh", bm_lens_build_fresh)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("lens/N=97556/rc=8/lens", bm_lens_only)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("lens/N=97556/rc=8/frame", bm_lens_frame)->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("lens/N=97556/rc=8/dynsight_like_scalar", bm_lens_dynsight_like)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("clusters/N=97556/flag=5%/link=2.8/union_find", bm_clusters,
                                 tessera::cluster_algorithm::union_find)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("clusters/N=97556/flag=5%/link=2.8/boost_graph", bm_clusters,
                                 tessera::cluster_algorithm::boost_graph)
        ->Unit(benchmark::kMillisecond);
    return 0;
}

const int registered = register_all();

}  // namespace
