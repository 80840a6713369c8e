#pragma once
/// @file
/// O(N²) reference neighbour search — the oracle the tests hold the fast paths to (Cabana keeps
/// one for the same reason). It shares no code with the cell list: every pair (i, j) is tried
/// against every periodic image n with |n_d| <= ceil(r / w_d) + 1 around the separation reduced
/// to fractional components in [-1/2, 1/2], which covers all images within r for any tilt.
/// Same conventions as query.hpp (strict r² < r_c², self excluded at zero shift, tie-break).

#include <tessera/core/box.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/neighbors/neighbor_list.hpp>
#include <tessera/neighbors/query.hpp>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <vector>

namespace tessera {

namespace detail {
/// All (j, image) bonds of particle i closer than `radius`, unsorted.
template <class T, particle_storage S, box B>
void brute_force_row(const S& particles, const B& bx, std::size_t i, T radius, std::vector<candidate<T>>& out) {
    const std::size_t n = tessera::size(particles);
    const mat3<T> h(bx.cell());
    const mat3<T> h_inv = inverse(h);
    const vec3<T> w = perpendicular_widths(h);
    int reach[3];
    for (std::size_t d = 0; d < 3; ++d)
        reach[d] = bx.periodic(d) ? static_cast<int>(std::ceil(radius / w[d])) + 1 : 0;
    const vec3<T> ri(position(particles, i));
    for (std::size_t j = 0; j < n; ++j) {
        vec3<T> d0 = vec3<T>(position(particles, j)) - ri;
        vec3<T> s = h_inv * d0;
        for (std::size_t d = 0; d < 3; ++d)
            if (bx.periodic(d)) d0 -= h.column(d) * std::round(s[d]);
        for (int a = -reach[0]; a <= reach[0]; ++a)
            for (int b = -reach[1]; b <= reach[1]; ++b)
                for (int c = -reach[2]; c <= reach[2]; ++c) {
                    const vec3<T> r = d0 + h.column(0) * T(a) + h.column(1) * T(b) + h.column(2) * T(c);
                    if (j == i && norm2(r) == T(0)) continue;
                    const T r2 = norm2(r);
                    if (r2 < radius * radius) out.push_back({r2, j, r});
                }
    }
}
}  // namespace detail

/// Every neighbour closer than q.radius, rows sorted by (distance², index, vector).
template <class T = double, particle_storage S, box B>
neighbor_list<T> brute_force_neighbors(const S& particles, const B& bx, const ball& q, std::size_t n_local) {
    neighbor_list<T> out;
    out.clear();
    std::vector<detail::candidate<T>> row;
    for (std::size_t i = 0; i < n_local; ++i) {
        row.clear();
        detail::brute_force_row(particles, bx, i, T(q.radius), row);
        std::sort(row.begin(), row.end());
        for (const auto& c : row) out.push_bond(c.j, c.r, c.r2);
        out.end_row();
    }
    return out;
}

/// The k nearest (within q.max_radius), found by doubling a brute-force ball until it holds k.
template <class T = double, particle_storage S, box B>
neighbor_list<T> brute_force_neighbors(const S& particles, const B& bx, const nearest& q, std::size_t n_local) {
    neighbor_list<T> out;
    out.clear();
    std::vector<detail::candidate<T>> row;
    const std::size_t n = tessera::size(particles);
    const bool periodic = bx.periodic(0) || bx.periodic(1) || bx.periodic(2);
    for (std::size_t i = 0; i < n_local; ++i) {
        T r = T(1);
        for (;;) {
            row.clear();
            const T rr = std::min<T>(r, T(q.max_radius));
            detail::brute_force_row(particles, bx, i, rr, row);
            if (row.size() >= q.k || rr >= T(q.max_radius) || (!periodic && row.size() + 1 >= n)) break;
            r *= 2;
        }
        std::sort(row.begin(), row.end());
        const std::size_t m = std::min(q.k, row.size());
        for (std::size_t c = 0; c < m; ++c) out.push_bond(row[c].j, row[c].r, row[c].r2);
        out.end_row();
    }
    return out;
}

}  // namespace tessera
