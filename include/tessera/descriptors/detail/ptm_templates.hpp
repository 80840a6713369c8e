#pragma once
/// @file
/// The reference polyhedra of polyhedral template matching (descriptors/ptm.hpp) and the
/// rotation groups that act on them.
///
/// Each template is the central atom (point 0, at the origin) and its N neighbours, scaled so
/// that the mean length of the N neighbour vectors is exactly 1 and the barycentre of all N + 1
/// points is 0. Coordinates and point order are those of the reference implementation of
/// Larsen, Schmidt & Schiøtz, Modelling Simul. Mater. Sci. Eng. 24, 055007 (2016), as vendored
/// in OVITO 3 (ptm_templates.h, variant 0 of each structure), so that orientations, template
/// indices and the alloy codes built on them mean the same as in OVITO:
/// - sc: the six ±axis neighbours; fcc: (1/√2)·⟨110⟩, cube axes along x, y, z;
/// - hcp: c axis along z, in-plane neighbour along +x (the "A" site; the other site is the
///   template rotated by 60° about z);
/// - ico: a five-fold axis along z;
/// - bcc: α⟨111⟩ then 2α⟨100⟩ with α = 7√3/3 − 7/2 (mean length 1 over all 14);
/// - cubic diamond: the 4 inner neighbours β⟨111⟩ then, per inner atom, its 3 other neighbours
///   (2β⟨110⟩), β = 4/(√3 + 6√2); hexagonal diamond: the same shells with one inner neighbour
///   along +z (c axis); graphene (planar, z = 0): 3 inner neighbours, the first along +y, then 2
///   outer per inner, g = (6√3 − 3)/11.
///
/// The rotation groups: `site_group` is every proper rotation that maps the template onto
/// itself (as a permutation of its points), found by brute force; `conventional_group` is the
/// group OVITO reduces orientations with, so that every site of a perfect crystal gets the same
/// orientation — the cubic group O (24) for sc, fcc and bcc, the icosahedral group I (60) for ico,
/// D6 (12, six-fold axis z, two-fold axes every 30° in the plane) for hcp, hexagonal diamond and
/// graphene, whose site groups are smaller (hcp D3: the two hcp sites are each other's images
/// under the extra six rotations), O for cubic diamond (site group T: the two sublattices).

#include <tessera/core/vec.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace tessera {

/// PTM structure codes: the numbers of OVITO's "Structure Type" and LAMMPS's ptm/atom.
enum class ptm_structure : int { other = 0, fcc = 1, hcp = 2, bcc = 3, ico = 4, sc = 5, dcub = 6, dhex = 7, graphene = 8 };

/// A rotation as a unit quaternion (w, x, y, z), scalar first (Hamilton convention; PTM's and
/// LAMMPS's order — OVITO's Orientation property stores x, y, z, w).
struct quaternion {
    double w = 1, x = 0, y = 0, z = 0;
    friend quaternion operator*(const quaternion& a, const quaternion& b) noexcept {
        return {a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z, a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
                a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x, a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w};
    }
};

/// The rotation matrix of a unit quaternion (active: v ↦ q v q*).
inline mat3<double> rotation_matrix(const quaternion& q) noexcept {
    const double w = q.w, x = q.x, y = q.y, z = q.z;
    return {{w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y),  //
             2 * (x * y + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x),  //
             2 * (x * z - w * y), 2 * (y * z + w * x), w * w - x * x - y * y + z * z}};
}

/// The unit quaternion of a proper rotation matrix (Shepperd's method: the largest of the four
/// diagonal combinations is the pivot, so the result is accurate for every angle), w >= 0.
inline quaternion quaternion_from_matrix(const mat3<double>& R) noexcept {
    const double t = R(0, 0) + R(1, 1) + R(2, 2);
    quaternion q;
    if (t >= R(0, 0) && t >= R(1, 1) && t >= R(2, 2)) {
        const double s = 2 * std::sqrt(1 + t);
        q = {s / 4, (R(2, 1) - R(1, 2)) / s, (R(0, 2) - R(2, 0)) / s, (R(1, 0) - R(0, 1)) / s};
    } else if (R(0, 0) >= R(1, 1) && R(0, 0) >= R(2, 2)) {
        const double s = 2 * std::sqrt(1 + R(0, 0) - R(1, 1) - R(2, 2));
        q = {(R(2, 1) - R(1, 2)) / s, s / 4, (R(0, 1) + R(1, 0)) / s, (R(0, 2) + R(2, 0)) / s};
    } else if (R(1, 1) >= R(2, 2)) {
        const double s = 2 * std::sqrt(1 - R(0, 0) + R(1, 1) - R(2, 2));
        q = {(R(0, 2) - R(2, 0)) / s, (R(0, 1) + R(1, 0)) / s, s / 4, (R(1, 2) + R(2, 1)) / s};
    } else {
        const double s = 2 * std::sqrt(1 - R(0, 0) - R(1, 1) + R(2, 2));
        q = {(R(1, 0) - R(0, 1)) / s, (R(0, 2) + R(2, 0)) / s, (R(1, 2) + R(2, 1)) / s, s / 4};
    }
    const double n = std::sqrt(q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z);
    const double sign = q.w < 0 ? -1.0 : 1.0;
    return {sign * q.w / n, sign * q.x / n, sign * q.y / n, sign * q.z / n};
}

namespace detail {

/// Largest number of points of a template (diamond: centre + 4 inner + 12 outer).
inline constexpr std::size_t ptm_max_points = 17;

/// One template: the central atom (point 0) and its neighbours, plus its symmetry.
struct ptm_template {
    ptm_structure structure = ptm_structure::other;
    std::size_t num_neighbors = 0;                 ///< N
    std::array<vec3<double>, ptm_max_points> points{};  ///< [0] = centre (origin), [1..N]
    std::size_t facets = 0;                        ///< triangles of a triangulated hull
    std::size_t max_degree = 0;                    ///< most hull edges at one vertex
    bool all_degrees_equal = false;                ///< sc: every vertex has degree 4
    /// Two-shell templates (diamond, graphene): points 1..num_inner are the inner shell, then
    /// outer_per_inner points per inner atom, in the inner atoms' order.
    std::size_t num_inner = 0, outer_per_inner = 0;
    double nearest_distance = 1;                   ///< |t_1|: the bond length in template units
    double g1 = 0;                                 ///< Σ|t_k|² over all points
    /// Proper rotations mapping the point set onto itself, each as the permutation p with
    /// R t_k = t_{p[k]} (p[0] = 0), and as a matrix.
    std::vector<std::array<std::uint8_t, ptm_max_points>> site_permutations;
    std::vector<mat3<double>> site_rotations;
    std::vector<quaternion> conventional_group;    ///< for the orientation's fundamental zone
};

inline vec3<double> ptm_v(double x, double y, double z) { return {x, y, z}; }

/// The cubic rotation group O: the 24 signed permutation matrices with determinant +1.
inline std::vector<mat3<double>> cubic_rotations() {
    std::vector<mat3<double>> out;
    const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (const auto& p : perms)
        for (int signs = 0; signs < 8; ++signs) {
            mat3<double> m;
            for (int r = 0; r < 3; ++r) m(r, std::size_t(p[r])) = (signs >> r & 1) ? -1.0 : 1.0;
            if (determinant(m) > 0) out.push_back(m);
        }
    return out;
}

/// D6 about z: rotations by k·60° about z and half-turns about the in-plane axes at k·30°.
inline std::vector<mat3<double>> hexagonal_rotations() {
    std::vector<mat3<double>> out;
    const double pi = 3.14159265358979323846;
    for (int k = 0; k < 6; ++k) {
        const double a = k * pi / 3, c = std::cos(a), s = std::sin(a);
        out.push_back(mat3<double>{{c, -s, 0, s, c, 0, 0, 0, 1}});
    }
    for (int k = 0; k < 6; ++k) {  // half-turn about (cos b, sin b, 0): 2 u u^T - I
        const double b = k * pi / 6, c = std::cos(b), s = std::sin(b);
        out.push_back(mat3<double>{{2 * c * c - 1, 2 * c * s, 0, 2 * c * s, 2 * s * s - 1, 0, 0, 0, -1}});
    }
    return out;
}

/// The permutation p with R t_k = t_{p[k]}, if R maps the template's points onto themselves.
inline bool ptm_permutation_of(const ptm_template& t, const mat3<double>& R,
                               std::array<std::uint8_t, ptm_max_points>& p) {
    p = {};
    for (std::size_t k = 0; k <= t.num_neighbors; ++k) {
        const vec3<double> r = R * t.points[k];
        bool found = false;
        for (std::size_t j = 0; j <= t.num_neighbors && !found; ++j)
            if (norm2(r - t.points[j]) < 1e-18) {
                p[k] = std::uint8_t(j);
                found = true;
            }
        if (!found) return false;
    }
    return true;
}

/// Every proper rotation mapping the template onto itself: for a fixed pair of non-collinear
/// neighbours (a, b), each image pair (i, j) with the same lengths and angle fixes one rotation
/// (from the orthonormal frames of the two pairs); those that map every point onto a point are
/// the symmetries.
inline void ptm_find_site_group(ptm_template& t) {
    const std::size_t n = t.num_neighbors;
    const std::size_t a = 1;
    std::size_t b = 2;
    while (norm2(cross(t.points[a], t.points[b])) < 1e-12) ++b;
    auto frame = [](const vec3<double>& u, const vec3<double>& v) {
        const vec3<double> e0 = u * (1 / std::sqrt(norm2(u)));
        vec3<double> e2 = cross(u, v);
        e2 = e2 * (1 / std::sqrt(norm2(e2)));
        return mat3<double>::from_columns(e0, cross(e2, e0), e2);
    };
    const mat3<double> from = frame(t.points[a], t.points[b]);
    for (std::size_t i = 1; i <= n; ++i)
        for (std::size_t j = 1; j <= n; ++j) {
            if (i == j || std::abs(norm2(t.points[i]) - norm2(t.points[a])) > 1e-12 ||
                std::abs(norm2(t.points[j]) - norm2(t.points[b])) > 1e-12 ||
                std::abs(dot(t.points[i], t.points[j]) - dot(t.points[a], t.points[b])) > 1e-12)
                continue;
            const mat3<double> R = frame(t.points[i], t.points[j]) * transpose(from);
            std::array<std::uint8_t, ptm_max_points> p;
            if (ptm_permutation_of(t, R, p)) {
                t.site_permutations.push_back(p);
                t.site_rotations.push_back(R);
            }
        }
}

inline ptm_template make_ptm_template(ptm_structure s) {
    ptm_template t;
    t.structure = s;
    const double r2 = std::sqrt(2.0), r3 = std::sqrt(3.0), r6 = std::sqrt(6.0), r5 = std::sqrt(5.0);
    std::vector<vec3<double>> nb;
    std::vector<mat3<double>> conventional;
    switch (s) {
        case ptm_structure::sc:
            nb = {ptm_v(0, 0, -1), ptm_v(0, 0, 1), ptm_v(0, -1, 0), ptm_v(0, 1, 0), ptm_v(-1, 0, 0), ptm_v(1, 0, 0)};
            t.facets = 8, t.max_degree = 4, t.all_degrees_equal = true;
            conventional = cubic_rotations();
            break;
        case ptm_structure::fcc: {
            const double f = 1 / r2;
            nb = {ptm_v(f, f, 0),  ptm_v(0, f, f),   ptm_v(f, 0, f),  ptm_v(-f, -f, 0), ptm_v(0, -f, -f), ptm_v(-f, 0, -f),
                  ptm_v(-f, f, 0), ptm_v(0, -f, f),  ptm_v(-f, 0, f), ptm_v(f, -f, 0),  ptm_v(0, f, -f),  ptm_v(f, 0, -f)};
            t.facets = 20, t.max_degree = 6;
            conventional = cubic_rotations();
            break;
        }
        case ptm_structure::hcp: {
            const double h = r6 / 3;
            nb = {ptm_v(0.5, -r3 / 2, 0),    ptm_v(-1, 0, 0),           ptm_v(-0.5, r3 / 6, -h), ptm_v(0.5, r3 / 6, -h),
                  ptm_v(0, -r3 / 3, -h),     ptm_v(-0.5, r3 / 2, 0),    ptm_v(0.5, r3 / 2, 0),   ptm_v(1, 0, 0),
                  ptm_v(-0.5, -r3 / 2, 0),   ptm_v(0, -r3 / 3, h),      ptm_v(0.5, r3 / 6, h),   ptm_v(-0.5, r3 / 6, h)};
            t.facets = 20, t.max_degree = 6;
            conventional = hexagonal_rotations();
            break;
        }
        case ptm_structure::ico: {
            const double a = std::sqrt((5 - r5) / 10), b = (5 + r5) / 10, c = r5 / 5, d = std::sqrt((5 + r5) / 10),
                         e = (5 - r5) / 10;
            nb = {ptm_v(0, 0, 1),  ptm_v(0, 0, -1),  ptm_v(-a, b, -c), ptm_v(a, -b, c),  ptm_v(0, -2 * c, -c), ptm_v(0, 2 * c, c),
                  ptm_v(d, -e, -c), ptm_v(-d, e, c), ptm_v(-d, -e, -c), ptm_v(d, e, c), ptm_v(a, b, -c),       ptm_v(-a, -b, c)};
            t.facets = 20, t.max_degree = 6;
            break;  // conventional group = site group (all 60 rotations)
        }
        case ptm_structure::bcc: {
            const double a = 7 * r3 / 3 - 3.5, b = 2 * a;
            nb = {ptm_v(a, a, a),   ptm_v(-a, a, a),  ptm_v(a, a, -a), ptm_v(-a, -a, a), ptm_v(a, -a, a),
                  ptm_v(-a, a, -a), ptm_v(-a, -a, -a), ptm_v(a, -a, -a), ptm_v(b, 0, 0),  ptm_v(-b, 0, 0),
                  ptm_v(0, b, 0),   ptm_v(0, -b, 0),  ptm_v(0, 0, b),  ptm_v(0, 0, -b)};
            t.facets = 24, t.max_degree = 8;
            conventional = cubic_rotations();
            break;
        }
        case ptm_structure::dcub: {
            const double b = 4 / (r3 + 6 * r2), c = 2 * b;
            nb = {ptm_v(b, b, b),   ptm_v(b, -b, -b), ptm_v(-b, -b, b), ptm_v(-b, b, -b),  // inner
                  ptm_v(c, c, 0),   ptm_v(0, c, c),   ptm_v(c, 0, c),                      // of inner 1
                  ptm_v(0, -c, -c), ptm_v(c, -c, 0),  ptm_v(c, 0, -c),                     // of inner 2
                  ptm_v(-c, -c, 0), ptm_v(0, -c, c),  ptm_v(-c, 0, c),                     // of inner 3
                  ptm_v(-c, 0, -c), ptm_v(-c, c, 0),  ptm_v(0, c, -c)};                    // of inner 4
            t.facets = 28, t.max_degree = 8, t.num_inner = 4, t.outer_per_inner = 3;
            conventional = cubic_rotations();
            break;
        }
        case ptm_structure::dhex: {
            const double b = 4 / (r3 + 6 * r2);
            auto v = [b](double x, double y, double z) { return ptm_v(b * x, b * y, b * z); };
            nb = {v(-r2, r6 / 3, -r3 / 3), v(0, -2 * r6 / 3, -r3 / 3), v(r2, r6 / 3, -r3 / 3), v(0, 0, r3),  // inner
                  v(-2 * r2, 0, 0),  v(-r2, r6 / 3, -4 * r3 / 3), v(-r2, r6, 0),                 // of inner 1
                  v(r2, -r6, 0),     v(0, -2 * r6 / 3, -4 * r3 / 3), v(-r2, -r6, 0),             // of inner 2
                  v(r2, r6 / 3, -4 * r3 / 3), v(r2, r6, 0), v(2 * r2, 0, 0),                     // of inner 3
                  v(0, -2 * r6 / 3, 4 * r3 / 3), v(r2, r6 / 3, 4 * r3 / 3), v(-r2, r6 / 3, 4 * r3 / 3)};  // of inner 4
            t.facets = 28, t.max_degree = 8, t.num_inner = 4, t.outer_per_inner = 3;
            conventional = hexagonal_rotations();
            break;
        }
        case ptm_structure::graphene: {
            const double g = (6 * r3 - 3) / 11;
            nb = {ptm_v(0, g, 0), ptm_v(r3 * g / 2, -g / 2, 0), ptm_v(-r3 * g / 2, -g / 2, 0),  // inner
                  ptm_v(-r3 * g / 2, 1.5 * g, 0), ptm_v(r3 * g / 2, 1.5 * g, 0),                   // of inner 1
                  ptm_v(r3 * g, 0, 0), ptm_v(r3 * g / 2, -1.5 * g, 0),                              // of inner 2
                  ptm_v(-r3 * g / 2, -1.5 * g, 0), ptm_v(-r3 * g, 0, 0)};                           // of inner 3
            t.facets = 0, t.max_degree = 0, t.num_inner = 3, t.outer_per_inner = 2;  // planar: no hull
            conventional = hexagonal_rotations();
            break;
        }
        default: break;
    }
    t.num_neighbors = nb.size();
    for (std::size_t k = 0; k < nb.size(); ++k) t.points[k + 1] = nb[k];
    t.nearest_distance = std::sqrt(norm2(t.points[1]));
    for (std::size_t k = 0; k <= t.num_neighbors; ++k) t.g1 += norm2(t.points[k]);
    ptm_find_site_group(t);
    if (conventional.empty()) conventional = t.site_rotations;
    for (const auto& R : conventional) t.conventional_group.push_back(quaternion_from_matrix(R));
    return t;
}

}  // namespace detail
}  // namespace tessera
