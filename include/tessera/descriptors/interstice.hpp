#pragma once
/// @file
/// Interstice features (looseness in Kob–Andersen creep, Front. Mater. 10, 1272355 (2023),
/// doi:10.3389/fmats.2023.1272355, after Wang & Jain 2019): 12 short-range features (SRF) from the
/// free (unoccupied) distances, triangle areas and tetrahedron volumes between a particle and its
/// Voronoi neighbours, and 48 medium-range features (MRF): the same statistics over the
/// neighbours' SRFs. Exact definitions (docs/descriptors/voronoi.md):
///
/// - neighbours of i: its particle faces in the tessellation (one per face; each with the bond
///   vector r_j to the neighbour's image), walls excluded;
/// - free distance, per face j:            d = |r_j| − R_i − R_j;
/// - free area, per Delaunay triangle (i, j, k) — faces j and k of cell i share an edge:
///       A = |r_j × r_k| / 2 − Σ_{v ∈ {i,j,k}} (θ_v / 2) R_v²,   θ_v the triangle's angle at v;
/// - free volume, per Delaunay tetrahedron (i, j, k, l) — faces j, k, l meet at a vertex of cell i
///   (a vertex where m > 3 faces meet, as in perfect crystals, is split into the fan j_1 j_t j_{t+1},
///   t = 2 … m−1, of its faces in cyclic order from the first face of the cell's face list):
///       V = |r_j · (r_k × r_l)| / 6 − Σ_{v ∈ {i,j,k,l}} (Ω_v / 3) R_v³,  Ω_v the solid angle at v;
/// - statistics of each set: mean, max, min and population standard deviation (0 for an empty set).
///
/// R are the particle radii given to the tessellation (0 without radii: then d, A and V are the
/// plain Delaunay lengths, areas and volumes). Columns (SRF, then MRF):
///     int_dist_mean, int_dist_max, int_dist_min, int_dist_std, int_area_…, int_vol_…   (12)
///     int_<outer>_<srf>  e.g. int_std_vol_mean = std over the neighbours of int_vol_mean  (48)
/// with <outer> in mean, max, min, std, in that order, each over the 12 SRFs.

#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/neighbors/voronoi.hpp>
#include <tessera/descriptors/cell_descriptor.hpp>
#include <tessera/descriptors/descriptor.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <span>
#include <string>
#include <vector>

namespace tessera {

namespace detail {

/// mean, max, min, std of a running set.
template <class T>
struct summary {
    T sum = 0, sum2 = 0, mx = std::numeric_limits<T>::lowest(), mn = std::numeric_limits<T>::max();
    std::size_t n = 0;
    void add(T x) noexcept {
        sum += x;
        sum2 += x * x;
        mx = std::max(mx, x);
        mn = std::min(mn, x);
        ++n;
    }
    void write(T* out, std::size_t stride) const noexcept {
        if (n == 0) {
            for (int k = 0; k < 4; ++k) out[std::size_t(k) * stride] = 0;
            return;
        }
        const T mean = sum / T(n);
        out[0] = mean;
        out[stride] = mx;
        out[2 * stride] = mn;
        out[3 * stride] = std::sqrt(std::max(T(0), sum2 / T(n) - mean * mean));
    }
};

template <class T>
T solid_angle(const vec3<T>& a, const vec3<T>& b, const vec3<T>& c) noexcept {
    const T la = norm(a), lb = norm(b), lc = norm(c);
    const T num = std::abs(dot(a, cross(b, c)));
    const T den = la * lb * lc + dot(a, b) * lc + dot(a, c) * lb + dot(b, c) * la;
    T om = T(2) * std::atan2(num, den);
    if (om < 0) om += T(4) * std::numbers::pi_v<T>;
    return om;
}

template <class T>
T angle_between(const vec3<T>& a, const vec3<T>& b) noexcept {
    return std::atan2(norm(cross(a, b)), dot(a, b));
}

}  // namespace detail

struct interstice {
    static constexpr std::size_t num_short = 12, num_features = 60;

    static std::vector<std::string> columns() {
        static const char* metric[3] = {"dist", "area", "vol"};
        static const char* stat[4] = {"mean", "max", "min", "std"};
        std::vector<std::string> c;
        for (auto m : metric)
            for (auto s : stat) c.push_back(std::string("int_") + m + "_" + s);
        const std::vector<std::string> srf = c;
        for (auto o : stat)
            for (const auto& s : srf) c.push_back(std::string("int_") + o + "_" + s.substr(4));
        return c;
    }

    /// Reusable buffers of short_range() (so that a loop over cells does not allocate per cell).
    struct scratch {
        struct incidence {
            std::uint32_t face, prev, next;  // a face at a vertex, and the vertices before and after it
        };
        std::vector<std::uint32_t> first;  // per vertex: its incidences are [first[v], first[v + 1])
        std::vector<incidence> around;
        std::vector<std::uint32_t> ring;
    };

    /// The 12 SRFs of cell `cell` of t, the cell of particle `particle` (its index into radii),
    /// into out[0..11] (stride apart).
    template <class T>
    static void short_range(const voronoi_tessellation<T>& t, std::span<const double> radii, std::size_t cell,
                            std::size_t particle, T* out, std::size_t stride, scratch& s) {
        const auto R = [&](std::size_t j) { return radii.empty() ? T(0) : T(radii[j]); };
        const T Ri = R(particle);
        detail::summary<T> sd, sa, sv;
        const std::size_t f0 = t.face_offsets[cell], f1 = t.face_offsets[cell + 1];
        for (std::size_t f = f0; f < f1; ++f) {
            if (is_voronoi_wall(t.face_neighbor[f])) continue;
            sd.add(norm(t.face_vector[f]) - Ri - R(t.face_neighbor[f]));
        }
        // Triangles: pairs of particle faces sharing an edge (each edge seen from its lower face).
        // Tetrahedra: faces around each vertex. The incidences of each vertex, in face order.
        const std::size_t nv = t.vertex_offsets[cell + 1] - t.vertex_offsets[cell];
        s.first.assign(nv + 1, 0);
        for (std::size_t f = f0; f < f1; ++f)
            for (std::uint32_t v : t.face_vertex_list(f)) ++s.first[v + 1];
        for (std::size_t v = 0; v < nv; ++v) s.first[v + 1] += s.first[v];
        s.around.resize(s.first[nv]);
        for (std::size_t f = f0; f < f1; ++f) {
            const auto fv = t.face_vertex_list(f);
            for (std::size_t q = 0; q < fv.size(); ++q)
                s.around[s.first[fv[q]]++] = {std::uint32_t(f - f0), fv[(q + fv.size() - 1) % fv.size()],
                                              fv[(q + 1) % fv.size()]};
        }
        for (std::size_t v = nv; v > 0; --v) s.first[v] = s.first[v - 1];  // undo the fill's advance
        s.first[0] = 0;
        auto tri = [&](std::size_t fa, std::size_t fb) {
            const std::size_t ja = t.face_neighbor[fa], jb = t.face_neighbor[fb];
            if (is_voronoi_wall(ja) || is_voronoi_wall(jb)) return;
            const vec3<T> a = t.face_vector[fa], b = t.face_vector[fb];
            T area = norm(cross(a, b)) / T(2);
            area -= detail::angle_between(a, b) / T(2) * Ri * Ri;
            area -= detail::angle_between(-a, b - a) / T(2) * R(ja) * R(ja);
            area -= detail::angle_between(-b, a - b) / T(2) * R(jb) * R(jb);
            sa.add(area);
        };
        auto tet = [&](std::size_t fa, std::size_t fb, std::size_t fc) {
            const std::size_t ja = t.face_neighbor[fa], jb = t.face_neighbor[fb], jc = t.face_neighbor[fc];
            if (is_voronoi_wall(ja) || is_voronoi_wall(jb) || is_voronoi_wall(jc)) return;
            const vec3<T> a = t.face_vector[fa], b = t.face_vector[fb], c = t.face_vector[fc];
            T vol = std::abs(dot(a, cross(b, c))) / T(6);
            const auto cube = [](T r) { return r * r * r; };
            vol -= detail::solid_angle(a, b, c) / T(3) * cube(Ri);
            vol -= detail::solid_angle(-a, b - a, c - a) / T(3) * cube(R(ja));
            vol -= detail::solid_angle(-b, a - b, c - b) / T(3) * cube(R(jb));
            vol -= detail::solid_angle(-c, a - c, b - c) / T(3) * cube(R(jc));
            sv.add(vol);
        };
        for (std::size_t v = 0; v < nv; ++v) {
            const std::span<const scratch::incidence> inc(s.around.data() + s.first[v], s.first[v + 1] - s.first[v]);
            // Edges from v to a higher-numbered vertex: the face that has (v → next) and the one
            // that has (next → v), i.e. the incidence of v whose prev is that vertex.
            for (const auto& e : inc) {
                if (e.next <= v) continue;
                for (const auto& g : inc)
                    if (g.prev == e.next) tri(f0 + e.face, f0 + g.face);
            }
            if (inc.size() < 3) continue;
            // Faces around v in cyclic order: after face e comes the face whose prev is e.next.
            s.ring.clear();
            std::size_t cur = 0;
            for (std::size_t k = 1; k < inc.size(); ++k)
                if (inc[k].face < inc[cur].face) cur = k;
            for (std::size_t step = 0; step < inc.size(); ++step) {
                s.ring.push_back(inc[cur].face);
                std::size_t nxt = inc.size();
                for (std::size_t k = 0; k < inc.size(); ++k)
                    if (inc[k].prev == inc[cur].next) nxt = k;
                if (nxt == inc.size()) break;
                cur = nxt;
            }
            for (std::size_t k = 1; k + 1 < s.ring.size(); ++k) tet(f0 + s.ring[0], f0 + s.ring[k], f0 + s.ring[k + 1]);
        }
        sd.write(out, stride);
        sa.write(out + 4 * stride, stride);
        sv.write(out + 8 * stride, stride);
    }

    /// The 48 MRFs of a particle from its neighbours' SRFs: srf(j, s) is SRF s of neighbour j;
    /// neighbours j >= n_cells (ghosts, no SRFs) are left out. Writes out[0..47] (stride apart),
    /// outer statistic o of SRF s at 12·o + s.
    template <class T, class Neighbors, class SRF>
    static void medium_range(const Neighbors& neighbors, std::size_t n_cells, SRF&& srf, T* out, std::size_t stride) {
        for (std::size_t s = 0; s < num_short; ++s) {
            detail::summary<T> m;
            for (auto j : neighbors)
                if (std::size_t(j) < n_cells) m.add(srf(std::size_t(j), s));
            T tmp[4];
            m.write(tmp, 1);
            for (std::size_t o = 0; o < 4; ++o) out[(num_short * o + s) * stride] = tmp[o];
        }
    }

    /// All 60 features for every cell, column-major (out.n = t.num_cells(), out.count >= 60).
    /// radii: the radii the tessellation used (n_total entries) or empty. Needs store_vertices, and
    /// Voronoi neighbours that are cells themselves (n_local = n_total, or ghosts' SRFs missing: 0).
    template <class T, class Policy = serial_policy>
    void compute_all(const voronoi_tessellation<T>& t, std::span<const double> radii, output_columns<T> out,
                     Policy policy = {}) const {
        const std::size_t n = t.num_cells();
        if (out.n != n || out.count < num_features) throw error("interstice: output columns do not match the tessellation");
        if (t.vertices.empty() && n > 0) throw error("interstice: the tessellation must keep its vertices (store_vertices)");
        detail::for_each_chunk(policy, n, 1024, [&](std::size_t, std::size_t b, std::size_t e) {
            scratch s;
            for (std::size_t i = b; i < e; ++i) short_range(t, radii, i, i, out.base + i, n, s);
        });
        const auto srf = [&](std::size_t j, std::size_t s) { return out.base[s * n + j]; };
        detail::for_each_chunk(policy, n, 1024, [&](std::size_t, std::size_t b, std::size_t e) {
            for (std::size_t i = b; i < e; ++i)
                medium_range<T>(t.neighbors.neighbors(i), n, srf, out.base + num_short * n + i, n);
        });
    }

    template <class T, class Policy = serial_policy>
    std::vector<T> compute_all(const voronoi_tessellation<T>& t, std::span<const double> radii = {}, Policy policy = {}) const {
        std::vector<T> v(t.num_cells() * num_features);
        compute_all(t, radii, output_columns<T>{v.data(), t.num_cells(), num_features}, policy);
        return v;
    }
};

/// The 12 short-range interstice features as a per-cell descriptor (descriptors/cell_descriptor.hpp):
/// interstice::short_range on the cell, with the tessellation's radii (row.radii). The 48
/// medium-range features are statistics over the Voronoi neighbours' short-range features, so
/// they need every cell first: interstice::compute_all or compute_voronoi_columns.
struct interstice_short_range {
    using scratch = interstice::scratch;
    bool needs_vertices() const noexcept { return true; }
    std::vector<std::string> columns(const particle_properties&) const {
        std::vector<std::string> c = interstice::columns();
        c.resize(interstice::num_short);
        return c;
    }
    void prepare(const particle_properties&) const {}
    template <class T>
    void compute(const voronoi_cell_row<T>& row, output_row<T> out, scratch& s) const {
        interstice::short_range(*row.cells, row.radii, row.cell, row.particle, &out[0], out.stride, s);
    }
};

}  // namespace tessera
