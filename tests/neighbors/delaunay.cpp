// neighbors/delaunay.hpp: against SciPy's Qhull (tests/reference/delaunay/make_reference.py) on
// random points and a LAMMPS CuZr glass, against a brute-force empty-sphere oracle, on perfect
// lattices (every cell cospherical with its neighbours: the symbolic perturbation's case), under
// permutation and scaling, and on bad input.
#include <tessera/neighbors/delaunay.hpp>
#include <tessera/core/box.hpp>

#include "../support/reference_frames.hpp"

#include <catch2/catch.hpp>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

using tessera::delaunay;
using tessera::delaunay_tessellation;
using tessera::vec3;
using cell_key = std::array<std::uint32_t, 4>;

namespace {

struct reference {
    std::vector<vec3<double>> points;
    std::set<cell_key> cells;
};

reference read_reference(const std::string& name) {
    const std::string path = std::string(TESSERA_TEST_DATA_DIR) + "/delaunay/" + name;
    gzFile f = gzopen(path.c_str(), "rb");
    REQUIRE(f != nullptr);
    char line[256];
    reference r;
    auto next = [&] {
        REQUIRE(gzgets(f, line, sizeof line) != nullptr);
        return std::string(line);
    };
    const std::size_t n = std::stoul(next().substr(7));
    for (std::size_t i = 0; i < n; ++i) {
        vec3<double> p;
        REQUIRE(std::sscanf(next().c_str(), "%lf %lf %lf", &p.x, &p.y, &p.z) == 3);
        r.points.push_back(p);
    }
    const std::size_t m = std::stoul(next().substr(6));
    for (std::size_t i = 0; i < m; ++i) {
        cell_key c;
        REQUIRE(std::sscanf(next().c_str(), "%u %u %u %u", &c[0], &c[1], &c[2], &c[3]) == 4);
        r.cells.insert(c);
    }
    gzclose(f);
    return r;
}

cell_key sorted(cell_key c) {
    std::sort(c.begin(), c.end());
    return c;
}

double volume6(const vec3<double>& a, const vec3<double>& b, const vec3<double>& c, const vec3<double>& d) {
    return dot(b - a, cross(c - a, d - a));
}

/// Circumcentre and squared radius of a tetrahedron (long double: near-flat cells).
std::pair<vec3<double>, double> circumsphere(const vec3<double>& a, const vec3<double>& b, const vec3<double>& c,
                                             const vec3<double>& d) {
    const vec3<double> u = b - a, v = c - a, w = d - a;
    const double den = 2 * dot(u, cross(v, w));
    const vec3<double> x = (cross(v, w) * norm2(u) + cross(w, u) * norm2(v) + cross(u, v) * norm2(w)) * (1 / den);
    return {a + x, norm2(x)};
}

/// Structural checks every tessellation must pass: right-handed cells, neighbours that share the
/// face and point back, no face shared by more than two cells.
void check_structure(const std::vector<vec3<double>>& p, const delaunay_tessellation& t) {
    REQUIRE(t.vertices.size() == t.neighbors.size());
    std::size_t bad_orientation = 0, bad_neighbor = 0;
    for (std::size_t c = 0; c < t.size(); ++c) {
        const auto& v = t.vertices[c];
        if (!(volume6(p[v[0]], p[v[1]], p[v[2]], p[v[3]]) > 0)) ++bad_orientation;
        for (std::size_t k = 0; k < 4; ++k) {
            const std::uint32_t o = t.neighbors[c][k];
            if (o == delaunay_tessellation::none) continue;
            // o must hold the three vertices of face k, and point back at c across its fourth.
            std::size_t shared = 0, back = 4;
            for (std::size_t j = 0; j < 4; ++j) {
                const bool in_face = std::count(v.begin(), v.end(), t.vertices[o][j]) && t.vertices[o][j] != v[k];
                shared += in_face;
                if (!in_face) back = j;
            }
            if (shared != 3 || back == 4 || t.neighbors[o][back] != c) ++bad_neighbor;
        }
    }
    CHECK(bad_orientation == 0);
    CHECK(bad_neighbor == 0);
}

}  // namespace

TEST_CASE("delaunay: the grid predicates' in-sphere sign and perturbation") {
    using tessera::detail::grid_point;
    const grid_point a{0, 0, 0}, b{100, 0, 0}, c{0, 100, 0}, d{0, 0, 100};
    REQUIRE(tessera::detail::orient(a, b, c, d) == 1);
    REQUIRE(tessera::detail::orient(a, c, b, d) == -1);
    CHECK(tessera::detail::insphere(a, b, c, d, grid_point{25, 25, 25}) == 1);
    CHECK(tessera::detail::insphere(a, b, c, d, grid_point{300, 300, 300}) == -1);
    // On the sphere (100, 100, 100): decided by the perturbation, never 0, and the two cells of a
    // cospherical pair disagree exactly as a consistent lifting demands: e inside (abcd) ⇔ d
    // outside the sphere of the reflected cell.
    const grid_point e{100, 100, 100};
    const int s1 = tessera::detail::insphere(a, b, c, d, e);
    CHECK(s1 != 0);
    // (a, b, c, e) is right-handed too; with the same five points, "e in sphere(abcd)" and
    // "d in sphere(abce)" are the same lifted determinant up to the swap of two rows.
    REQUIRE(tessera::detail::orient(a, b, c, e) == 1);
    const int s2 = tessera::detail::insphere(a, b, c, e, d);
    CHECK(s2 == -s1);
}

TEST_CASE("delaunay: equals SciPy's Qhull on random points and a LAMMPS CuZr glass") {
    for (const char* name : {"random_600.txt.gz", "cuzr_glass.txt.gz"}) {
        INFO(name);
        const reference r = read_reference(name);
        const delaunay_tessellation t = delaunay(r.points);
        check_structure(r.points, t);
        std::set<cell_key> ours;
        for (const auto& v : t.vertices) ours.insert(sorted(v));
        // Every cell of ours is one of Qhull's ...
        std::size_t not_in_qhull = 0;
        for (const auto& c : ours) not_in_qhull += !r.cells.count(c);
        CHECK(not_in_qhull == 0);
        // ... and the only Qhull cells we lack are flat ones on the hull whose circumspheres reach
        // the enclosing tetrahedron (radius > the point set's extent).
        vec3<double> lo = r.points[0], hi = r.points[0];
        for (const auto& p : r.points)
            for (std::size_t d = 0; d < 3; ++d) lo[d] = std::min(lo[d], p[d]), hi[d] = std::max(hi[d], p[d]);
        const double extent = std::max({hi.x - lo.x, hi.y - lo.y, hi.z - lo.z});
        std::size_t missing = 0, missing_small = 0;
        for (const auto& c : r.cells)
            if (!ours.count(c)) {
                ++missing;
                const auto [centre, r2] = circumsphere(r.points[c[0]], r.points[c[1]], r.points[c[2]], r.points[c[3]]);
                missing_small += r2 < extent * extent;
            }
        CHECK(missing_small == 0);  // the documented guarantee (delaunay.hpp: radius ≤ 1.7 extents)
        CHECK(missing * 50 <= r.cells.size());  // measured: 51 of 3698 and 180 of 11733, all on the hull
        UNSCOPED_INFO(name << ": " << ours.size() << " cells, Qhull " << r.cells.size() << ", missing " << missing);
    }
}

TEST_CASE("delaunay: every cell's circumsphere is empty (brute force) and the cells fill the hull") {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(-5, 5);
    std::vector<vec3<double>> p(400);
    for (auto& x : p) x = {u(rng), u(rng), u(rng)};
    const delaunay_tessellation t = delaunay(p);
    check_structure(p, t);
    std::size_t violations = 0;
    for (const auto& v : t.vertices) {
        const auto [centre, r2] = circumsphere(p[v[0]], p[v[1]], p[v[2]], p[v[3]]);
        for (std::size_t i = 0; i < p.size(); ++i) {
            if (i == v[0] || i == v[1] || i == v[2] || i == v[3]) continue;
            // Relative margin: the circumcentre of a near-flat cell carries rounding of ~1e-12·r².
            violations += norm2(p[i] - centre) < r2 * (1 - 1e-9);
        }
    }
    CHECK(violations == 0);
}

TEST_CASE("delaunay: perfect fcc and bcc blocks (cospherical everywhere) tile their cube exactly") {
    for (const bool fcc : {true, false}) {
        INFO((fcc ? "fcc" : "bcc"));
        const int cells = 5;
        const double a = 3.615;
        std::vector<vec3<double>> p;
        // Lattice points in the closed cube [0, cells·a]³ (its corners included: the hull is the cube).
        const std::vector<vec3<double>> basis =
            fcc ? std::vector<vec3<double>>{{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}}
                : std::vector<vec3<double>>{{0, 0, 0}, {0.5, 0.5, 0.5}};
        for (int i = 0; i <= cells; ++i)
            for (int j = 0; j <= cells; ++j)
                for (int k = 0; k <= cells; ++k)
                    for (const auto& b : basis) {
                        const vec3<double> x{(i + b.x) * a, (j + b.y) * a, (k + b.z) * a};
                        if (x.x <= cells * a + 1e-9 && x.y <= cells * a + 1e-9 && x.z <= cells * a + 1e-9) p.push_back(x);
                    }
        const delaunay_tessellation t = delaunay(p);
        check_structure(p, t);
        double volume = 0;
        for (const auto& v : t.vertices) volume += volume6(p[v[0]], p[v[1]], p[v[2]], p[v[3]]) / 6;
        const double cube = std::pow(cells * a, 3);
        CHECK(volume == Approx(cube).epsilon(1e-12));  // sums of exact lattice volumes: rounding only
        // Locally Delaunay with ties allowed: no neighbour's far vertex strictly inside a circumsphere.
        std::size_t violations = 0;
        for (std::size_t c = 0; c < t.size(); ++c) {
            const auto& v = t.vertices[c];
            const auto [centre, r2] = circumsphere(p[v[0]], p[v[1]], p[v[2]], p[v[3]]);
            for (std::size_t i = 0; i < p.size(); ++i)
                if (i != v[0] && i != v[1] && i != v[2] && i != v[3]) violations += norm2(p[i] - centre) < r2 * (1 - 1e-9);
        }
        CHECK(violations == 0);
        // Ties are broken by the points' coordinates, not their input indices: a shuffled input
        // gives the same cells, cospherical everywhere as this block is.
        std::vector<std::uint32_t> perm(p.size());
        for (std::uint32_t i = 0; i < perm.size(); ++i) perm[i] = i;
        std::shuffle(perm.begin(), perm.end(), std::mt19937_64(11));
        std::vector<vec3<double>> q(p.size());
        for (std::size_t i = 0; i < p.size(); ++i) q[perm[i]] = p[i];
        std::vector<std::uint32_t> back(perm.size());
        for (std::uint32_t i = 0; i < perm.size(); ++i) back[perm[i]] = i;
        std::set<cell_key> base, shuffled;
        for (const auto& v : t.vertices) base.insert(sorted(v));
        for (const auto& v : delaunay(q).vertices) shuffled.insert(sorted({back[v[0]], back[v[1]], back[v[2]], back[v[3]]}));
        CHECK(shuffled == base);
    }
}

TEST_CASE("delaunay: invariant under permutation and under scaling by a power of two") {
    const reference r = read_reference("random_600.txt.gz");
    const delaunay_tessellation t = delaunay(r.points);
    std::set<cell_key> base;
    for (const auto& v : t.vertices) base.insert(sorted(v));

    std::vector<std::uint32_t> perm(r.points.size());
    for (std::uint32_t i = 0; i < perm.size(); ++i) perm[i] = i;
    std::shuffle(perm.begin(), perm.end(), std::mt19937_64(3));
    std::vector<vec3<double>> q(r.points.size());
    for (std::size_t i = 0; i < perm.size(); ++i) q[perm[i]] = r.points[i];  // point i → slot perm[i]
    std::set<cell_key> permuted;
    std::vector<std::uint32_t> back(perm.size());
    for (std::uint32_t i = 0; i < perm.size(); ++i) back[perm[i]] = i;
    for (const auto& v : delaunay(q).vertices) permuted.insert(sorted({back[v[0]], back[v[1]], back[v[2]], back[v[3]]}));
    CHECK(permuted == base);

    // Scaling by a power of two leaves the grid (and so every decision) unchanged.
    std::vector<vec3<double>> s = r.points;
    for (auto& x : s) x = x * 4.0;
    std::set<cell_key> scaled;
    for (const auto& v : delaunay(s).vertices) scaled.insert(sorted(v));
    CHECK(scaled == base);
}

TEST_CASE("delaunay: degenerate and bad input") {
    CHECK(delaunay(std::vector<vec3<double>>{}).size() == 0);
    CHECK(delaunay(std::vector<vec3<double>>{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}}).size() == 0);
    // Coplanar points: no cell has volume, so none is returned.
    std::vector<vec3<double>> plane;
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 5; ++j) plane.push_back({double(i), double(j), 0});
    CHECK(delaunay(plane).size() == 0);
    // One tetrahedron.
    const auto one = delaunay(std::vector<vec3<double>>{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}});
    REQUIRE(one.size() == 1);
    CHECK(one.neighbors[0] == cell_key{delaunay_tessellation::none, delaunay_tessellation::none,
                                       delaunay_tessellation::none, delaunay_tessellation::none});
    std::vector<vec3<double>> bad = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0.2, 0.2, 0.2}};
    bad[3].y = std::nan("");
    CHECK_THROWS_WITH(delaunay(bad), Catch::Contains("point 3") && Catch::Contains("non-finite"));
    bad[3] = {0, 0, 1};
    bad.push_back({1, 0, 0});  // a copy of point 1
    CHECK_THROWS_WITH(delaunay(bad), Catch::Contains("points 1 and 5") && Catch::Contains("coincide"));
}

// --- periodic boxes: ghost layers and primary cells --------------------------------------------

namespace {

/// A primary cell as sorted (particle, image relative to the lowest-particle vertex) tuples:
/// the same in every periodic copy.
std::array<std::array<std::int64_t, 4>, 4> periodic_key(const tessera::periodic_delaunay& t, std::size_t c) {
    const auto& v = t.tessellation.vertices[c];
    std::size_t low = 0;
    for (std::size_t k = 1; k < 4; ++k)
        if (t.particle[v[k]] < t.particle[v[low]] ||
            (t.particle[v[k]] == t.particle[v[low]] && t.image[v[k]] < t.image[v[low]]))
            low = k;
    std::array<std::array<std::int64_t, 4>, 4> key;
    for (std::size_t k = 0; k < 4; ++k)
        key[k] = {t.particle[v[k]], t.image[v[k]][0] - t.image[v[low]][0], t.image[v[k]][1] - t.image[v[low]][1],
                  t.image[v[k]][2] - t.image[v[low]][2]};
    std::sort(key.begin(), key.end());
    return key;
}

std::vector<vec3<double>> as_vectors(const std::vector<std::array<double, 3>>& raw) {
    std::vector<vec3<double>> p(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) p[i] = {raw[i][0], raw[i][1], raw[i][2]};
    return p;
}

template <class Box>
void check_periodic(const std::vector<vec3<double>>& p, const Box& box, const tessera::periodic_delaunay& t,
                    std::size_t expected_primary = 0) {
    check_structure(t.position, t.tessellation);
    std::size_t primary = 0, open_faces = 0;
    double volume = 0;
    std::set<std::array<std::array<std::int64_t, 4>, 4>> keys;
    for (std::size_t c = 0; c < t.tessellation.size(); ++c) {
        if (!t.is_primary(c)) continue;
        ++primary;
        const auto& v = t.tessellation.vertices[c];
        volume += volume6(t.position[v[0]], t.position[v[1]], t.position[v[2]], t.position[v[3]]) / 6;
        for (const auto o : t.tessellation.neighbors[c]) open_faces += o == delaunay_tessellation::none;
        keys.insert(periodic_key(t, c));
    }
    CHECK(keys.size() == primary);  // no cell is primary twice
    CHECK(open_faces == 0);         // the ghost layer surrounds every primary cell
    CHECK(volume == Approx(box.volume()).epsilon(1e-10));
    if (expected_primary) CHECK(primary == expected_primary);
    (void)p;
}

}  // namespace

TEST_CASE("delaunay, periodic: perfect fcc and bcc have 6 primary cells per atom filling the box") {
    for (const bool fcc : {true, false}) {
        INFO((fcc ? "fcc" : "bcc"));
        const int cells = 4;
        const double a = fcc ? 3.615 : 2.87;
        std::vector<vec3<double>> p;
        const std::vector<vec3<double>> basis =
            fcc ? std::vector<vec3<double>>{{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}}
                : std::vector<vec3<double>>{{0, 0, 0}, {0.5, 0.5, 0.5}};
        for (int i = 0; i < cells; ++i)
            for (int j = 0; j < cells; ++j)
                for (int k = 0; k < cells; ++k)
                    for (const auto& b : basis) p.push_back({(i + b.x) * a, (j + b.y) * a, (k + b.z) * a});
        const tessera::orthogonal_box<double> box({0, 0, 0}, {cells * a, cells * a, cells * a});
        // fcc: 2 tetrahedral holes + 1 octahedron (4 cells) per atom; bcc: 24 Voronoi vertices per
        // cell, each shared by 4 atoms.
        check_periodic(p, box, tessera::delaunay(p, box, 2 * a), 6 * p.size());
    }
}

TEST_CASE("delaunay, periodic: LAMMPS Cu at 300 K in a tilted box, invariant under re-imaging and permutation") {
    const auto frames = tessera_test::read_reference_frames("cu_tilted_ref.dump");
    const auto& f = frames.front();
    const std::vector<vec3<double>> p = as_vectors(f.positions());
    tessera::with_box(f.box, [&](const auto& box) {
        const auto t = tessera::delaunay(p, box, 8.0);
        check_periodic(p, box, t);
        std::set<std::array<std::array<std::int64_t, 4>, 4>> base;
        for (std::size_t c = 0; c < t.tessellation.size(); ++c)
            if (t.is_primary(c)) base.insert(periodic_key(t, c));
        // Re-imaging: every atom moved by whole cell vectors gives the same primary cells.
        std::mt19937_64 rng(5);
        std::uniform_int_distribution<int> shift(-2, 2);
        std::vector<vec3<double>> moved = p;
        const auto h = box.cell();
        for (auto& x : moved) x = x + h * vec3<double>(shift(rng), shift(rng), shift(rng));
        const auto t2 = tessera::delaunay(moved, box, 8.0);
        std::set<std::array<std::array<std::int64_t, 4>, 4>> reimaged;
        for (std::size_t c = 0; c < t2.tessellation.size(); ++c)
            if (t2.is_primary(c)) reimaged.insert(periodic_key(t2, c));
        CHECK(reimaged == base);
        // Permutation: particle i → slot perm[i].
        std::vector<std::uint32_t> perm(p.size());
        for (std::uint32_t i = 0; i < perm.size(); ++i) perm[i] = i;
        std::shuffle(perm.begin(), perm.end(), std::mt19937_64(9));
        std::vector<vec3<double>> q(p.size());
        for (std::size_t i = 0; i < p.size(); ++i) q[perm[i]] = p[i];
        const auto t3 = tessera::delaunay(q, box, 8.0);
        std::vector<std::uint32_t> back(perm.size());
        for (std::uint32_t i = 0; i < perm.size(); ++i) back[perm[i]] = i;
        std::set<std::array<std::uint32_t, 4>> base_particles, permuted_particles;
        for (std::size_t c = 0; c < t.tessellation.size(); ++c)
            if (t.is_primary(c)) {
                const auto& v = t.tessellation.vertices[c];
                base_particles.insert(sorted({t.particle[v[0]], t.particle[v[1]], t.particle[v[2]], t.particle[v[3]]}));
            }
        for (std::size_t c = 0; c < t3.tessellation.size(); ++c)
            if (t3.is_primary(c)) {
                const auto& v = t3.tessellation.vertices[c];
                permuted_particles.insert(sorted({back[t3.particle[v[0]]], back[t3.particle[v[1]]],
                                                  back[t3.particle[v[2]]], back[t3.particle[v[3]]]}));
            }
        CHECK(permuted_particles == base_particles);
    });
}

TEST_CASE("delaunay, periodic: tessellating a subset, cells with no left-out particle in their circumsphere are cells of the whole") {
    // The property tessellation_region.hpp (dislocation analysis) relies on: same grid, same
    // rounding, so an empty sphere of the subset that stays empty with everything added is a
    // cell of the whole tessellation, bit for bit (same particles, same relative images).
    const auto frames = tessera_test::read_reference_frames("cu_tilted_ref.dump");
    const auto& f = frames.front();
    const std::vector<vec3<double>> p = as_vectors(f.positions());
    tessera::with_box(f.box, [&](const auto& box) {
        const auto whole = tessera::delaunay(p, box, 8.0);
        std::set<std::array<std::array<std::int64_t, 4>, 4>> whole_keys;
        for (std::size_t c = 0; c < whole.tessellation.size(); ++c)
            if (whole.is_primary(c)) whole_keys.insert(periodic_key(whole, c));
        // A slab of the cell plus a random fifth of the rest.
        std::vector<std::uint8_t> include(p.size(), 0);
        std::mt19937_64 rng(3);
        std::uniform_real_distribution<double> u(0, 1);
        for (std::size_t i = 0; i < p.size(); ++i) include[i] = box.to_fractional(box.wrap(p[i])).x < 0.4 || u(rng) < 0.2;
        const auto part = tessera::delaunay(p, box, 8.0, include);
        CHECK(part.tessellation.grid_step == whole.tessellation.grid_step);
        REQUIRE(part.num_particles == p.size());
        for (std::uint32_t i = 0; i < p.size(); ++i) CHECK(part.particle[i] == i);
        std::size_t empty = 0, matched = 0, with_left_out = 0, vertex_left_out = 0;
        for (std::size_t c = 0; c < part.tessellation.size(); ++c) {
            for (const auto v : part.tessellation.vertices[c]) vertex_left_out += !include[part.particle[v]];
            if (!part.is_primary(c)) continue;
            const auto [centre, radius] = part.circumsphere(c);
            bool inside = false;
            for (std::size_t i = 0; i < p.size() && !inside; ++i)
                inside = !include[i] && std::sqrt(norm2(box.minimum_image(p[i] - centre))) < radius * (1 + 1e-9);
            if (inside) {
                ++with_left_out;
                continue;
            }
            ++empty;
            matched += whole_keys.count(periodic_key(part, c));
        }
        CHECK(vertex_left_out == 0);
        CHECK(empty > 1000);
        CHECK(matched == empty);
        CHECK(with_left_out > 0);  // the subset does have cells of its own
    });
    // Flags for every particle, or none.
    const std::vector<vec3<double>> q = {{1, 1, 1}, {2, 1, 1}, {1, 2, 1}, {1, 1, 2}, {2, 2, 2}};
    const tessera::orthogonal_box<double> box({0, 0, 0}, {10, 10, 10});
    const std::vector<std::uint8_t> short_flags = {1, 1};
    CHECK_THROWS_AS(tessera::delaunay(q, box, 1.0, short_flags), tessera::error);
}

TEST_CASE("delaunay, periodic: bad input") {
    const tessera::orthogonal_box<double> box({0, 0, 0}, {10, 10, 10});
    std::vector<vec3<double>> p = {{1, 1, 1}, {5, 1, 1}, {1, 5, 1}, {1, 1, 5}, {11, 1, 1}};  // particle 4 is particle 0 one box over
    CHECK_THROWS_WITH(tessera::delaunay(p, box, 3.0), Catch::Contains("particles 0 and 4") && Catch::Contains("coincide"));
    p[4] = {std::nan(""), 0, 0};
    CHECK_THROWS_WITH(tessera::delaunay(p, box, 3.0), Catch::Contains("particle 4") && Catch::Contains("non-finite"));
    p[4] = {3, 3, 3};
    CHECK_THROWS_WITH(tessera::delaunay(p, box, -1.0), Catch::Contains("ghost width"));
}
