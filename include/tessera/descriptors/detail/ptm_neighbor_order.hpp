#pragma once
/// @file
/// The neighbour order polyhedral template matching reads (descriptors/ptm.hpp): the up to 18
/// nearest neighbours, sorted by the solid angle of their face of the central atom's Voronoi
/// cell (built from those neighbours only), largest first; neighbours without a face get 0,
/// ties keep the distance order. This is the order of OVITO's PTM (ptm_preorder_neighbours,
/// OVITO 3); it makes the choice of the first N neighbours robust where the shells overlap
/// (bcc at high temperature: the 8 + 6 split is a face-size split, not a distance split).
///
/// Solid angle of a face: its vertices as unit vectors from the centre, fanned into triangles
/// from the first vertex, Σ |Ω| with Ω = 2 atan2(R₁·(R₂×R₃), 1 + R₁·R₂ + R₂·R₃ + R₃·R₁)
/// (Van Oosterom & Strackee, IEEE Trans. Biomed. Eng. 30, 125 (1983)).

#include <tessera/core/vec.hpp>
#include <tessera/neighbors/voronoi.hpp>
#include <tessera/neighbors/voronoi_cell.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>

namespace tessera::detail {

inline constexpr std::size_t ptm_max_input_neighbors = 18;
/// The candidate pool of the two-shell selection: the central atom's 32 nearest (see
/// ptm_two_shell_select).
inline constexpr std::size_t ptm_two_shell_pool = 32;

/// Writes order[0..n): indices into p[0..n) (sorted by distance), by decreasing solid angle.
/// `cell` is caller-owned scratch (its buffers are reused across calls).
inline void ptm_order_by_solid_angle(const vec3<double>* p, std::size_t n, voronoi_cell<double>& cell,
                                     std::array<std::uint8_t, ptm_max_input_neighbors>& order) {
    std::array<double, ptm_max_input_neighbors> angle{};
    for (std::size_t k = 0; k < n; ++k) order[k] = std::uint8_t(k);
    if (n == 0) return;
    double rmax = 0;
    for (std::size_t k = 0; k < n; ++k) rmax = std::max(rmax, std::sqrt(norm2(p[k])));
    if (!(rmax > 0)) return;
    const double half = 10 * rmax;
    constexpr std::size_t wall = voronoi_wall(6);
    cell.init_parallelepiped({-half, -half, -half}, {2 * half, 0, 0}, {0, 2 * half, 0}, {0, 0, 2 * half},
                             {wall, wall, wall, wall, wall, wall}, 1e-10 * rmax);
    for (std::size_t k = 0; k < n; ++k) {
        const double len = std::sqrt(norm2(p[k]));
        if (!(len > 0)) continue;
        cell.cut(p[k] * (1 / len), len / 2, k, p[k]);
    }
    cell.finish();
    // the cell's vertices as unit vectors, once (each is shared by three or more faces)
    std::array<vec3<double>, 128> units;
    const std::size_t nv = std::min<std::size_t>(cell.num_vertices(), units.size());
    for (std::size_t k = 0; k < nv; ++k) {
        const vec3<double> v = cell.vertex(k);
        units[k] = v * (1 / std::sqrt(norm2(v)));
    }
    for (const auto& f : cell.faces()) {
        if (f.neighbor >= n) continue;
        const auto vs = cell.face_vertices(f);
        if (vs.size() < 3) continue;
        auto unit = [&](std::size_t j) {
            if (vs[j] < nv) return units[vs[j]];
            const vec3<double> v = cell.vertex(vs[j]);
            return v * (1 / std::sqrt(norm2(v)));
        };
        const vec3<double> r1 = unit(0);
        double omega = 0;
        for (std::size_t j = 1; j + 1 < vs.size(); ++j) {
            const vec3<double> r2 = unit(j), r3 = unit(j + 1);
            omega += std::abs(2 * std::atan2(dot(r1, cross(r2, r3)), 1 + dot(r1, r2) + dot(r2, r3) + dot(r3, r1)));
        }
        angle[f.neighbor] = omega;
    }
    // Insertion sort, stable (equal angles keep the distance order); std::stable_sort may allocate.
    for (std::size_t k = 1; k < n; ++k) {
        const std::uint8_t v = order[k];
        std::size_t j = k;
        for (; j > 0 && angle[order[j - 1]] < angle[v]; --j) order[j] = order[j - 1];
        order[j] = v;
    }
}

/// The neighbours of a two-shell template (diamond: 4 inner × 3 outer; graphene: 3 × 2): the
/// inner atoms are the first `num_inner` in solid-angle order; the outer atoms are chosen round
/// robin over the inner atoms, each taking its next nearest unclaimed atom (the inner atoms and
/// the centre are claimed from the start), until each has `per_inner`. Writes sel[0..num_inner)
/// = inner, then per_inner outer atoms per inner atom in the inner atoms' order — the template
/// order. False if some inner atom runs out of candidates.
///
/// The reference implementation takes each inner atom's candidates from that atom's own
/// (solid-angle ordered) neighbour list, limited to its 13 nearest; a per-atom descriptor sees
/// only its own row, so here the candidates are the central atom's `ptm_two_shell_pool` (32)
/// nearest bonds p[0..n), sorted by distance from the inner atom, its 12 nearest among them. In
/// diamond the 12 outer atoms are the central atom's 5th–16th nearest and the pool reaches past
/// its third shell (28 atoms), so a thermally displaced outer atom stays in the pool; with 18
/// bonds only, one Si atom of 216 at 1000 K lost its diamond match (tests/reference/ptm).
template <std::size_t M>
bool ptm_two_shell_select(const vec3<double>* p, std::size_t n, const std::array<std::uint8_t, ptm_max_input_neighbors>& order,
                          std::size_t num_inner, std::size_t per_inner, std::array<std::uint8_t, M>& sel) {
    n = std::min(n, ptm_two_shell_pool);
    if (n < num_inner + num_inner * per_inner || num_inner > 4) return false;
    std::array<bool, ptm_two_shell_pool> claimed{};
    for (std::size_t k = 0; k < num_inner; ++k) {
        sel[k] = order[k];
        claimed[order[k]] = true;
    }
    std::array<std::array<std::uint8_t, ptm_two_shell_pool>, 4> cand{};
    std::array<std::size_t, 4> ncand{}, taken{};
    for (std::size_t k = 0; k < num_inner; ++k) {
        const vec3<double> c = p[order[k]];
        std::array<double, ptm_two_shell_pool> d2{};
        for (std::size_t m = 0; m < n; ++m) {
            if (claimed[m]) continue;
            d2[m] = norm2(p[m] - c);
            // insertion into cand[k] by distance (stable: equal distances keep bond order)
            std::size_t j = ncand[k]++;
            for (; j > 0 && d2[cand[k][j - 1]] > d2[m]; --j) cand[k][j] = cand[k][j - 1];
            cand[k][j] = std::uint8_t(m);
        }
        ncand[k] = std::min<std::size_t>(ncand[k], 12);
    }
    for (std::size_t rank = 0; rank < 12; ++rank)
        for (std::size_t k = 0; k < num_inner; ++k) {
            if (taken[k] == per_inner || rank >= ncand[k]) continue;
            const std::uint8_t c = cand[k][rank];
            if (claimed[c]) continue;
            claimed[c] = true;
            sel[num_inner + k * per_inner + taken[k]++] = c;
        }
    for (std::size_t k = 0; k < num_inner; ++k)
        if (taken[k] != per_inner) return false;
    return true;
}

}  // namespace tessera::detail
