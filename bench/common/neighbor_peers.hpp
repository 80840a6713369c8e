#pragma once
// Inputs and peers of bench/neighbors.cpp (its file comment describes both): the noisy fcc and
// random frames, and the brute-force / nanoflann / Boost R-tree neighbour lists it compares
// tessera's against. Included by that one translation unit only (functions are inline).
#include <tessera/core/box.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/neighbors/cell_list.hpp>
#include <tessera/neighbors/compact_list.hpp>
#include <tessera/neighbors/detail/distance_filter.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/neighbors/rtree.hpp>
#include "noisy_fcc.hpp"
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

namespace neighbor_bench {

using point = std::array<double, 3>;
using points_t = std::vector<point>;
using ortho_box = tessera::orthogonal_box<double>;
using tric_box = tessera::triclinic_box<double>;

inline constexpr double lattice_a = 3.615;  // Cu, Å
inline constexpr double noise_sigma = 0.05;  // Å
inline constexpr std::size_t knn_k = 12;
inline constexpr double knn_reach = 5.0;  // replica reach for the KD-tree k-nearest query (verified in bench/neighbors.cpp)

[[noreturn]] inline void fail(const std::string& what) {
    std::fprintf(stderr, "bench_neighbors: CHECK FAILED: %s\n", what.c_str());
    std::abort();
}

// --------------------------------------------------------------------------------------------
// Inputs

template <class Box>
struct input {
    std::string name;
    points_t pts;
    Box box;
};

inline points_t fcc_sites(int n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    return tessera_bench::noisy_fcc(n, lattice_a, noise_sigma, rng, /*wrap=*/false);  // the query wraps
}

inline const input<ortho_box>& ortho_input(const std::string& kind, int n) {
    static std::map<std::pair<std::string, int>, std::unique_ptr<input<ortho_box>>> cache;
    auto& slot = cache[{kind, n}];
    if (!slot) {
        const double L = n * lattice_a;
        const ortho_box box({0, 0, 0}, {L, L, L});
        points_t p;
        if (kind == "fcc") {
            p = fcc_sites(n, 1234 + n);
        } else {
            std::mt19937_64 rng(5678 + n);
            std::uniform_real_distribution<double> u(0.0, L);
            p.resize(std::size_t(4) * n * n * n);
            for (auto& q : p) q = {u(rng), u(rng), u(rng)};
        }
        for (auto& q : p) {  // wrap the noisy sites into the box once (all methods get the same input)
            const auto w = box.wrap({q[0], q[1], q[2]});
            q = {w.x, w.y, w.z};
        }
        slot = std::make_unique<input<ortho_box>>(input<ortho_box>{kind, std::move(p), box});
    }
    return *slot;
}

inline const input<tric_box>& triclinic_input(int n) {
    static std::map<int, std::unique_ptr<input<tric_box>>> cache;
    auto& slot = cache[n];
    if (!slot) {
        const double L = n * lattice_a;
        // Tilts that are whole lattice constants keep the fcc lattice periodic in the tilted cell.
        const tric_box box({0, 0, 0}, {L, L, L}, 8 * lattice_a, 5 * lattice_a, 7 * lattice_a);
        points_t p = fcc_sites(n, 4321 + n);
        for (auto& q : p) {
            const auto w = box.wrap({q[0], q[1], q[2]});
            q = {w.x, w.y, w.z};
        }
        slot = std::make_unique<input<tric_box>>(input<tric_box>{"fcc-triclinic", std::move(p), box});
    }
    return *slot;
}

// --------------------------------------------------------------------------------------------
// Peers. Their lists hold (index, r²) per bond in CSR; tessera's (and the R-tree's) also hold the
// bond vector.

struct csr {
    std::vector<std::size_t> offsets{0};
    std::vector<std::uint32_t> index;
    std::vector<double> d2;
    std::size_t num_bonds() const { return index.size(); }
    std::size_t num_neighbors(std::size_t i) const { return offsets[i + 1] - offsets[i]; }
};

/// The wrapped particles first (zero shift), then every periodic image whose fractional
/// coordinate lies within reach / w_d of the cell — the same replicas as rtree_index.
template <class Box>
struct replica_cloud {
    std::vector<point> pts;
    std::vector<std::uint32_t> owner;  // replica -> particle
    std::size_t kdtree_get_point_count() const { return pts.size(); }
    double kdtree_get_pt(std::size_t i, std::size_t d) const { return pts[i][d]; }
    template <class BBOX>
    bool kdtree_get_bbox(BBOX&) const { return false; }

    replica_cloud(const points_t& in, const Box& box, double reach) {
        using namespace tessera;
        const std::size_t n = in.size();
        const mat3<double> h(box.cell());
        const mat3<double> h_inv = inverse(h);
        const vec3<double> o(box.origin()), w = perpendicular_widths(h);
        int m[3];
        double pad[3];
        for (std::size_t d = 0; d < 3; ++d) {
            m[d] = box.periodic(d) ? static_cast<int>(std::ceil(reach / w[d])) + 1 : 0;
            pad[d] = reach / w[d];
        }
        pts.reserve(n + n / 2);
        owner.reserve(n + n / 2);
        for (std::size_t i = 0; i < n; ++i) {
            const vec3<double> r = box.wrap({in[i][0], in[i][1], in[i][2]});
            pts.push_back({r.x, r.y, r.z});
            owner.push_back(std::uint32_t(i));
        }
        for (std::size_t i = 0; i < n; ++i) {
            const vec3<double> r{pts[i][0], pts[i][1], pts[i][2]};
            const vec3<double> s = h_inv * (r - o);
            for (int a = -m[0]; a <= m[0]; ++a)
                for (int b = -m[1]; b <= m[1]; ++b)
                    for (int c = -m[2]; c <= m[2]; ++c) {
                        if (a == 0 && b == 0 && c == 0) continue;
                        const double sa = s.x + a, sb = s.y + b, sc = s.z + c;
                        if ((a && (sa < -pad[0] || sa > 1 + pad[0])) || (b && (sb < -pad[1] || sb > 1 + pad[1])) ||
                            (c && (sc < -pad[2] || sc > 1 + pad[2])))
                            continue;
                        const vec3<double> p = r + h.column(0) * double(a) + h.column(1) * double(b) + h.column(2) * double(c);
                        pts.push_back({p.x, p.y, p.z});
                        owner.push_back(std::uint32_t(i));
                    }
        }
    }
};

#if TESSERA_BENCH_HAVE_NANOFLANN
template <class Box>
using kd_tree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, replica_cloud<Box>>,
                                                    replica_cloud<Box>, 3>;

/// nanoflann ball query (radius is squared for L2): replicas + tree build + all rows.
template <class Box>
inline csr nanoflann_ball(const input<Box>& in, double rc) {
    const replica_cloud<Box> cloud(in.pts, in.box, rc);
    kd_tree<Box> tree(3, cloud, nanoflann::KDTreeSingleIndexAdaptorParams(10));
    tree.buildIndex();
    const std::size_t n = in.pts.size();
    csr out;
    out.offsets.reserve(n + 1);
    std::vector<std::pair<std::uint32_t, double>> matches;
    const nanoflann::SearchParams params(32, 0.0f, /*sorted=*/false);
    for (std::size_t i = 0; i < n; ++i) {
        matches.clear();
        tree.radiusSearch(cloud.pts[i].data(), rc * rc, matches, params);
        for (const auto& [k, d2] : matches) {
            if (k == i) continue;  // the particle itself at zero shift; its images are neighbours
            out.index.push_back(cloud.owner[k]);
            out.d2.push_back(d2);
        }
        out.offsets.push_back(out.index.size());
    }
    return out;
}

/// nanoflann k nearest (k + 1 requested, self dropped); rows sorted by distance.
template <class Box>
inline csr nanoflann_knn(const input<Box>& in, std::size_t k) {
    const replica_cloud<Box> cloud(in.pts, in.box, knn_reach);
    kd_tree<Box> tree(3, cloud, nanoflann::KDTreeSingleIndexAdaptorParams(10));
    tree.buildIndex();
    const std::size_t n = in.pts.size();
    csr out;
    out.offsets.reserve(n + 1);
    out.index.reserve(n * k);
    out.d2.reserve(n * k);
    std::vector<std::uint32_t> idx(k + 1);
    std::vector<double> d2(k + 1);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t got = tree.knnSearch(cloud.pts[i].data(), k + 1, idx.data(), d2.data());
        std::size_t kept = 0;
        for (std::size_t c = 0; c < got && kept < k; ++c) {
            if (idx[c] == i) continue;
            out.index.push_back(cloud.owner[idx[c]]);
            out.d2.push_back(d2[c]);
            ++kept;
        }
        out.offsets.push_back(out.index.size());
    }
    return out;
}
#endif

/// Straightforward scalar cell list (orthogonal periodic box, bins ≥ rc, 27 cells, ≥ 3 bins per
/// axis): what one writes first. Fills a tessera::neighbor_list (index, vector, r²) like tessera.
inline tessera::neighbor_list<double> scalar_ball(const input<ortho_box>& in, double rc) {
    const auto L = in.box.lengths();
    const std::size_t n = in.pts.size();
    int nb[3];
    for (int d = 0; d < 3; ++d) {
        nb[d] = std::max(1, int(std::floor(L[d] / rc)));
        if (nb[d] < 3) fail("scalar_ball needs at least 3 bins per axis");
    }
    const std::size_t ncell = std::size_t(nb[0]) * nb[1] * nb[2];
    std::vector<std::size_t> start(ncell + 1, 0), cell_of(n);
    std::vector<point> wrapped(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto w = in.box.wrap({in.pts[i][0], in.pts[i][1], in.pts[i][2]});
        wrapped[i] = {w.x, w.y, w.z};
        int c[3];
        for (int d = 0; d < 3; ++d) c[d] = std::min(nb[d] - 1, int(wrapped[i][d] / L[d] * nb[d]));
        cell_of[i] = c[0] + std::size_t(nb[0]) * (c[1] + std::size_t(nb[1]) * c[2]);
        ++start[cell_of[i] + 1];
    }
    for (std::size_t c = 0; c < ncell; ++c) start[c + 1] += start[c];
    std::vector<std::size_t> fill(start.begin(), start.end() - 1), order(n);
    std::vector<point> sorted(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = fill[cell_of[i]]++;
        order[k] = i;
        sorted[k] = wrapped[i];
    }
    const double r2max = rc * rc;
    tessera::neighbor_list<double> out;
    out.clear();
    for (std::size_t i = 0; i < n; ++i) {
        const point& p = wrapped[i];
        const std::size_t ci = cell_of[i];
        const int cx = int(ci % nb[0]), cy = int((ci / nb[0]) % nb[1]), cz = int(ci / (std::size_t(nb[0]) * nb[1]));
        for (int dz = -1; dz <= 1; ++dz)
            for (int dy = -1; dy <= 1; ++dy)
                for (int dx = -1; dx <= 1; ++dx) {
                    int c[3] = {cx + dx, cy + dy, cz + dz};
                    double shift[3] = {0, 0, 0};
                    for (int d = 0; d < 3; ++d) {
                        if (c[d] < 0) { c[d] += nb[d]; shift[d] = -L[d]; }
                        else if (c[d] >= nb[d]) { c[d] -= nb[d]; shift[d] = L[d]; }
                    }
                    const std::size_t cc = c[0] + std::size_t(nb[0]) * (c[1] + std::size_t(nb[1]) * c[2]);
                    for (std::size_t k = start[cc]; k < start[cc + 1]; ++k) {
                        const double rx = sorted[k][0] + shift[0] - p[0];
                        const double ry = sorted[k][1] + shift[1] - p[1];
                        const double rz = sorted[k][2] + shift[2] - p[2];
                        const double r2 = rx * rx + ry * ry + rz * rz;
                        if (r2 < r2max && !(order[k] == i && shift[0] == 0 && shift[1] == 0 && shift[2] == 0))
                            out.push_bond(order[k], {rx, ry, rz}, r2);
                    }
                }
        out.end_row();
    }
    return out;
}

}  // namespace neighbor_bench
