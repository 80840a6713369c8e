#pragma once
/// @file
/// The convex hull of a central atom and its N <= 18 neighbours, as polyhedral template
/// matching needs it (descriptors/ptm.hpp): a triangulated surface whose facets are oriented
/// the same way (outward normals, vertices counter-clockwise seen from outside), or a reason why
/// there is none.
///
/// Incremental construction (the beneath-beyond method, as in the reference implementation of
/// Larsen et al. 2016): an initial tetrahedron from the extreme pair along the axis of largest
/// extent, the point farthest from their line and the point farthest from that plane; then each
/// other point replaces the facets it sees (signed distance > tolerance) by a fan to their
/// horizon. A point in the plane of a facet does not see it, so coplanar points (the square
/// faces of fcc, the rhombi of bcc) give one of the face's triangulations — the template tables
/// hold them all (detail/ptm_graph.hpp). Fixed-size storage: no allocation.
///
/// The points should be centred and of unit mean length (the tolerances are absolute).

#include <tessera/core/vec.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace tessera::detail {

inline constexpr std::size_t ptm_hull_max_points = 19;
inline constexpr std::size_t ptm_hull_max_facets = 2 * ptm_hull_max_points - 4;

/// A fixed-capacity list of oriented facets (no allocation per particle).
struct ptm_facet_list {
    std::array<std::array<std::uint8_t, 3>, ptm_hull_max_facets> items{};
    std::size_t n = 0;
    std::size_t size() const noexcept { return n; }
    void push_back(const std::array<std::uint8_t, 3>& f) noexcept {
        if (n < items.size()) items[n++] = f;
    }
    std::array<std::uint8_t, 3>& operator[](std::size_t k) noexcept { return items[k]; }
    const std::array<std::uint8_t, 3>* begin() const noexcept { return items.data(); }
    const std::array<std::uint8_t, 3>* end() const noexcept { return items.data() + n; }
    const std::array<std::uint8_t, 3>* data() const noexcept { return items.data(); }
};

/// Why a hull is not usable for template matching.
enum class ptm_hull_status { ok, degenerate, centre_on_hull, too_many_facets };

/// The hull's facets and their planes. build() makes the hull of points[0..n); extend() adds
/// further points of the same array (the incremental order of the reference implementation:
/// the sc, fcc/hcp/ico and bcc shells are 7, 13 and 15 points of one ordered list, so one hull
/// grows through all three).
struct ptm_hull {
    std::size_t num_facets = 0;
    std::array<std::array<std::uint8_t, 3>, ptm_hull_max_facets> facets{};  ///< point indices, outward CCW

    /// Hull of points[0..n) from scratch (n <= ptm_hull_max_points). Point 0 is the central atom,
    /// which must not be a hull vertex (a surface atom, or one with all neighbours on one side:
    /// no template fits).
    ptm_hull_status build(const vec3<double>* points, std::size_t n, double tolerance = 1e-12) {
        num_facets = 0;
        tolerance_ = tolerance;
        if (n < 4 || n > ptm_hull_max_points) return ptm_hull_status::degenerate;
        // Initial simplex.
        std::size_t i0 = 0, i1 = 0;
        double extent = -1;
        for (std::size_t axis = 0; axis < 3; ++axis) {
            std::size_t lo = 0, hi = 0;
            auto c = [axis](const vec3<double>& p) { return axis == 0 ? p.x : axis == 1 ? p.y : p.z; };
            for (std::size_t k = 1; k < n; ++k) {
                if (c(points[k]) < c(points[lo])) lo = k;
                if (c(points[k]) > c(points[hi])) hi = k;
            }
            if (c(points[hi]) - c(points[lo]) > extent) extent = c(points[hi]) - c(points[lo]), i0 = lo, i1 = hi;
        }
        if (!(extent > tolerance)) return ptm_hull_status::degenerate;
        const vec3<double> axis01 = points[i1] - points[i0];
        std::size_t i2 = 0;
        double best = 0;
        for (std::size_t k = 0; k < n; ++k) {
            const double d = norm2(cross(axis01, points[k] - points[i0]));
            if (d > best) best = d, i2 = k;
        }
        if (!(std::sqrt(best) / std::sqrt(norm2(axis01)) > tolerance)) return ptm_hull_status::degenerate;
        const vec3<double> normal012 = cross(axis01, points[i2] - points[i0]);
        const vec3<double> unit012 = normal012 * (1 / std::sqrt(norm2(normal012)));
        std::size_t i3 = 0;
        best = 0;
        for (std::size_t k = 0; k < n; ++k) {
            const double d = std::abs(dot(unit012, points[k] - points[i0]));
            if (d > best) best = d, i3 = k;
        }
        if (!(best > tolerance)) return ptm_hull_status::degenerate;
        inside_ = (points[i0] + points[i1] + points[i2] + points[i3]) * 0.25;
        add(points, i0, i1, i2);
        add(points, i0, i1, i3);
        add(points, i0, i2, i3);
        add(points, i1, i2, i3);
        for (std::size_t p = 0; p < n; ++p) {
            if (p == i0 || p == i1 || p == i2 || p == i3) continue;
            if (!insert(points, p)) return ptm_hull_status::too_many_facets;
        }
        return centre_status();
    }

    /// Adds points[from..to) to a hull that build() made of points[0..from).
    ptm_hull_status extend(const vec3<double>* points, std::size_t from, std::size_t to) {
        if (to > ptm_hull_max_points) return ptm_hull_status::degenerate;
        for (std::size_t p = from; p < to; ++p)
            if (!insert(points, p)) return ptm_hull_status::too_many_facets;
        return centre_status();
    }

private:
    struct plane {
        vec3<double> n;
        double c;
    };
    std::array<plane, ptm_hull_max_facets> planes_{};
    vec3<double> inside_{};
    double tolerance_ = 1e-12;
    std::array<std::array<bool, ptm_hull_max_points>, ptm_hull_max_points> seen_{};

    bool add(const vec3<double>* points, std::size_t a, std::size_t b, std::size_t c) {
        if (num_facets == ptm_hull_max_facets) return false;
        vec3<double> nrm = cross(points[b] - points[a], points[c] - points[a]);
        if (dot(nrm, inside_ - points[a]) > 0) {  // keep outward normals: swap b and c
            std::swap(b, c);
            nrm = nrm * -1.0;
        }
        const double len = std::sqrt(norm2(nrm));
        nrm = len > 0 ? nrm * (1 / len) : nrm;
        facets[num_facets] = {std::uint8_t(a), std::uint8_t(b), std::uint8_t(c)};
        planes_[num_facets] = {nrm, dot(nrm, points[a])};
        ++num_facets;
        return true;
    }

    /// Replaces the facets point p sees (signed distance > tolerance) by the fan from their horizon.
    bool insert(const vec3<double>* points, std::size_t p) {
        std::array<bool, ptm_hull_max_facets> visible;  // [0, num_facets) written below
        bool any = false;
        for (std::size_t f = 0; f < num_facets; ++f) {
            visible[f] = dot(planes_[f].n, points[p]) - planes_[f].c > tolerance_;
            any = any || visible[f];
        }
        if (!any) return true;
        // seen_[a][b]: the directed edge a→b belongs to a visible facet (all false between calls)
        for (std::size_t f = 0; f < num_facets; ++f)
            if (visible[f])
                for (std::size_t e = 0; e < 3; ++e) seen_[facets[f][e]][facets[f][(e + 1) % 3]] = true;
        // Horizon: directed edges (a, b) of visible facets whose twin (b, a) is in no visible facet.
        std::array<std::array<std::uint8_t, 2>, 3 * ptm_hull_max_facets> horizon;  // [0, nh) written
        std::size_t nh = 0;
        for (std::size_t f = 0; f < num_facets; ++f) {
            if (!visible[f]) continue;
            for (std::size_t e = 0; e < 3; ++e) {
                const std::uint8_t a = facets[f][e], b = facets[f][(e + 1) % 3];
                if (!seen_[b][a]) horizon[nh++] = {a, b};
            }
        }
        for (std::size_t f = 0; f < num_facets; ++f)
            if (visible[f])
                for (std::size_t e = 0; e < 3; ++e) seen_[facets[f][e]][facets[f][(e + 1) % 3]] = false;
        // Drop the visible facets (compacting), then add the fan to p.
        std::size_t kept = 0;
        for (std::size_t f = 0; f < num_facets; ++f)
            if (!visible[f]) {
                facets[kept] = facets[f];
                planes_[kept] = planes_[f];
                ++kept;
            }
        num_facets = kept;
        for (std::size_t h = 0; h < nh; ++h)
            if (!add(points, horizon[h][0], horizon[h][1], p)) return false;
        return true;
    }

    ptm_hull_status centre_status() const {
        for (std::size_t f = 0; f < num_facets; ++f)
            for (const std::uint8_t v : facets[f])
                if (v == 0) return ptm_hull_status::centre_on_hull;
        return ptm_hull_status::ok;
    }
};

/// Hull of points[0..n) from scratch (see ptm_hull::build).
inline ptm_hull_status convex_hull_of_cluster(const vec3<double>* points, std::size_t n, ptm_hull& hull,
                                              double tolerance = 1e-12) {
    return hull.build(points, n, tolerance);
}

}  // namespace tessera::detail
