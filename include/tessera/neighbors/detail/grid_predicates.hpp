#pragma once
/// @file
/// Exact orientation and in-sphere signs for points on an integer grid, with a floating-point
/// filter and symbolic perturbation of the in-sphere test (the Delaunay tessellation's kernel).
///
/// Coordinates are integers in [−2²³, 2²³] (delaunay.hpp rounds the input to such a grid).
/// Differences then fit 25 bits and every determinant below fits a signed 128-bit integer:
///   orient:    |det| ≤ 6 · (2²⁴)³            = 2^74.6
///   in-sphere: |det| ≤ 4 · 3·2⁴⁸ · 6·2⁷²      = 2^126.2 < 2^127.
/// Each sign is first taken from a double evaluation when it exceeds Shewchuk's static error
/// bound for exact inputs (J. R. Shewchuk, "Adaptive precision floating-point arithmetic and fast
/// robust geometric predicates", Discrete Comput. Geom. 18, 305 (1997): errboundA of orient3d and
/// insphere, scaled by the permanent), and from the 128-bit evaluation otherwise.
///
/// Symbolic perturbation (Edelsbrunner & Mücke, ACM TOG 9, 66 (1990); the in-sphere scheme of
/// Devillers & Teillaud, Comput. Geom. 44, 286 (2011)): point p's lifted coordinate |p|² gets
/// +ε^(rank of p), the lexicographically larger point (x, then y, then z) dominant. A zero
/// in-sphere determinant is then decided by the first non-zero coefficient of those ε terms,
/// each an exact 3×3 orientation. The perturbation is one fixed lifting of the whole point set, so
/// every test agrees with every other: the result is the unique regular triangulation of the
/// perturbed lifting — a Delaunay tessellation in which cospherical ties (perfect lattices) are
/// broken consistently, with no flat cells. Lexicographic order is translation invariant, so two
/// translated copies of a configuration (periodic images) are tessellated alike, ties included.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <utility>

namespace tessera::detail {

using grid_point = std::array<std::int64_t, 3>;
__extension__ typedef __int128 int128;  // GCC and Clang (__extension__: no -Wpedantic warning)

inline int sign_of(int128 v) noexcept { return (v > 0) - (v < 0); }

/// det [b−a; c−a; d−a] (rows), exactly: > 0 when (a, b, c, d) is right-handed.
inline int orient_exact(const grid_point& a, const grid_point& b, const grid_point& c, const grid_point& d) noexcept {
    const int128 bx = b[0] - a[0], by = b[1] - a[1], bz = b[2] - a[2];
    const int128 cx = c[0] - a[0], cy = c[1] - a[1], cz = c[2] - a[2];
    const int128 dx = d[0] - a[0], dy = d[1] - a[1], dz = d[2] - a[2];
    return sign_of(bx * (cy * dz - cz * dy) - by * (cx * dz - cz * dx) + bz * (cx * dy - cy * dx));
}

/// Sign of det [b−a; c−a; d−a], filtered.
inline int orient(const grid_point& a, const grid_point& b, const grid_point& c, const grid_point& d) noexcept {
    const double bx = double(b[0] - a[0]), by = double(b[1] - a[1]), bz = double(b[2] - a[2]);
    const double cx = double(c[0] - a[0]), cy = double(c[1] - a[1]), cz = double(c[2] - a[2]);
    const double dx = double(d[0] - a[0]), dy = double(d[1] - a[1]), dz = double(d[2] - a[2]);
    const double det = bx * (cy * dz - cz * dy) - by * (cx * dz - cz * dx) + bz * (cx * dy - cy * dx);
    // Static filter: the permanent is at most 6·M³ for M the largest |difference|, so Shewchuk's
    // bound (7 + 56ε)ε·permanent ≤ 42ε·M³ < 1e-14·M³.
    const double m = std::max({std::abs(bx), std::abs(by), std::abs(bz), std::abs(cx), std::abs(cy), std::abs(cz),
                               std::abs(dx), std::abs(dy), std::abs(dz)});
    const double bound = 1e-14 * m * m * m;
    if (det > bound) return 1;
    if (-det > bound) return -1;
    return orient_exact(a, b, c, d);
}

/// The 4×4 in-sphere determinant of (a, b, c, d) against e, rows (p − e, |p − e|²); its sign,
/// exactly, with `lift_column` selecting what the fourth column holds: −1 the lifted values (the
/// determinant itself), 0…3 the unit vector of that row, 4 all ones (the ε coefficients).
inline int insphere_column_exact(const std::array<const grid_point*, 5>& p, int lift_column) noexcept {
    int128 r[4][4];
    for (int i = 0; i < 4; ++i) {
        const int128 x = (*p[i])[0] - (*p[4])[0], y = (*p[i])[1] - (*p[4])[1], z = (*p[i])[2] - (*p[4])[2];
        r[i][0] = x, r[i][1] = y, r[i][2] = z;
        r[i][3] = lift_column < 0 ? x * x + y * y + z * z : (lift_column == 4 || lift_column == i ? 1 : 0);
    }
    // Expansion along the fourth column: Σ_i (−1)^(i+3) r[i][3] · minor_i.
    int128 det = 0;
    for (int i = 0; i < 4; ++i) {
        if (r[i][3] == 0) continue;
        int rows[3], k = 0;
        for (int j = 0; j < 4; ++j)
            if (j != i) rows[k++] = j;
        const auto& u = r[rows[0]];
        const auto& v = r[rows[1]];
        const auto& w = r[rows[2]];
        const int128 minor = u[0] * (v[1] * w[2] - v[2] * w[1]) - u[1] * (v[0] * w[2] - v[2] * w[0]) +
                             u[2] * (v[0] * w[1] - v[1] * w[0]);
        det += ((i + 3) % 2 == 0 ? 1 : -1) * r[i][3] * minor;
    }
    return sign_of(det);
}

/// > 0 when e lies inside the sphere through the positively oriented (a, b, c, d), < 0 outside;
/// never 0: ties are broken by the symbolic perturbation (the five points distinct).
inline int insphere(const grid_point& a, const grid_point& b, const grid_point& c, const grid_point& d,
                    const grid_point& e) noexcept {
    double r[4][4];
    const grid_point* q[4] = {&a, &b, &c, &d};
    double m = 0;  // the largest |difference|
    for (int i = 0; i < 4; ++i) {
        const double x = double((*q[i])[0] - e[0]), y = double((*q[i])[1] - e[1]), z = double((*q[i])[2] - e[2]);
        r[i][0] = x, r[i][1] = y, r[i][2] = z, r[i][3] = x * x + y * y + z * z;
        m = std::max({m, std::abs(x), std::abs(y), std::abs(z)});
    }
    auto minor = [&](int i, int j, int k) {
        return r[i][0] * (r[j][1] * r[k][2] - r[j][2] * r[k][1]) - r[i][1] * (r[j][0] * r[k][2] - r[j][2] * r[k][0]) +
               r[i][2] * (r[j][0] * r[k][1] - r[j][1] * r[k][0]);
    };
    // Expansion along the lift column: Σ_i (−1)^(i+3) w_i · minor(rows ≠ i).
    const double det = -r[0][3] * minor(1, 2, 3) + r[1][3] * minor(0, 2, 3) - r[2][3] * minor(0, 1, 3) +
                       r[3][3] * minor(0, 1, 2);
    // Static filter: the permanent is at most 4 · 3M² · 6M³ = 72·M⁵, so Shewchuk's bound
    // (16 + 224ε)ε·permanent ≤ 1152ε·M⁵ = 1.28e-13·M⁵; doubled for the evaluation order.
    const double m2 = m * m;
    const double bound = 2.6e-13 * m2 * m2 * m;
    // Orientation convention: for positively oriented (a, b, c, d) this determinant is negative
    // when e is inside (checked in tests/neighbors/delaunay.cpp), hence the minus signs.
    if (det > bound) return -1;
    if (-det > bound) return 1;
    const std::array<const grid_point*, 5> p = {&a, &b, &c, &d, &e};
    if (const int s = insphere_column_exact(p, -1); s != 0) return -s;
    // Cospherical: +ε^rank on each lifted coordinate w = |p|², the lexicographically largest
    // point dominant. Up to column operations the fourth column is w_i − w_e, so the ε of row
    // i < 4 adds ε·(unit column i) and e's subtracts ε·(column of ones).
    std::array<int, 5> order = {0, 1, 2, 3, 4};  // rows; 4 = e
    for (int i = 1; i < 5; ++i)  // descending lexicographic order (five elements: insertion sort)
        for (int j = i; j > 0 && *p[order[j - 1]] < *p[order[j]]; --j) std::swap(order[j - 1], order[j]);
    for (const int column : order)
        if (const int s = insphere_column_exact(p, column); s != 0) return column == 4 ? s : -s;
    return 1;  // unreachable for a non-degenerate (a, b, c, d): the column of ones is its orientation
}

}  // namespace tessera::detail
