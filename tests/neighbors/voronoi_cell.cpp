// voronoi_cell (neighbors/voronoi_cell.hpp) against an independent brute-force polytope: every
// triple of planes is intersected, the points inside all half-spaces are the vertices, each
// plane's vertices sorted by angle are its face. Random planes (general position), planes through
// existing vertices and edges (the degenerate cuts of perfect lattices), planes that remove
// everything or leave a flat remainder, and both frame orientations.
#include <tessera/neighbors/voronoi_cell.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <vector>

using namespace tessera;

namespace {

struct plane {
    vec3<double> n;  // unit
    double c;        // keeps n·x <= c
    std::size_t id;
};

struct polytope {
    std::vector<vec3<double>> vertices;
    std::vector<std::size_t> face_ids;     // planes with a face (>= 3 vertices), in plane order
    std::vector<std::size_t> face_counts;  // their vertex counts
    double volume = 0;
};

// Brute force, written without the cell's ideas: O(P^3) triples, merge within tol, faces by angle.
polytope brute_force(const std::vector<plane>& planes, double tol) {
    polytope p;
    const std::size_t m = planes.size();
    for (std::size_t a = 0; a < m; ++a)
        for (std::size_t b = a + 1; b < m; ++b)
            for (std::size_t c = b + 1; c < m; ++c) {
                const vec3<double> na = planes[a].n, nb = planes[b].n, nc = planes[c].n;
                const double det = dot(na, cross(nb, nc));
                if (std::abs(det) < 1e-12) continue;
                const vec3<double> x =
                    (cross(nb, nc) * planes[a].c + cross(nc, na) * planes[b].c + cross(na, nb) * planes[c].c) / det;
                bool inside = true;
                for (const auto& q : planes) inside = inside && dot(q.n, x) <= q.c + tol;
                if (!inside) continue;
                bool seen = false;
                for (const auto& v : p.vertices) seen = seen || norm(v - x) < tol;
                if (!seen) p.vertices.push_back(x);
            }
    for (const auto& q : planes) {
        std::vector<vec3<double>> on;
        for (const auto& v : p.vertices)
            if (std::abs(dot(q.n, v) - q.c) < tol) on.push_back(v);
        if (on.size() < 3) continue;
        vec3<double> centre{};
        for (const auto& v : on) centre += v;
        centre /= double(on.size());
        const vec3<double> u0 = std::abs(q.n.x) < 0.6 ? vec3<double>{1, 0, 0} : vec3<double>{0, 1, 0};
        const vec3<double> u = cross(q.n, u0) / norm(cross(q.n, u0)), w = cross(q.n, u);
        std::sort(on.begin(), on.end(), [&](const auto& x, const auto& y) {
            return std::atan2(dot(x - centre, w), dot(x - centre, u)) < std::atan2(dot(y - centre, w), dot(y - centre, u));
        });
        double area = 0;
        for (std::size_t k = 0; k < on.size(); ++k)
            area += dot(cross(on[k] - centre, on[(k + 1) % on.size()] - centre), q.n) / 2;
        p.volume += area * q.c / 3;  // pyramid from the origin
        p.face_ids.push_back(q.id);
        p.face_counts.push_back(on.size());
    }
    return p;
}

// The cube's planes in the order make_cell creates its faces (frame axes e0, e1, e2).
std::vector<plane> cube_planes(double h, bool right_handed = true) {
    std::vector<plane> p;
    const std::array<std::size_t, 3> axes = right_handed ? std::array<std::size_t, 3>{0, 1, 2} : std::array<std::size_t, 3>{0, 2, 1};
    for (std::size_t axis : axes)
        for (int side = 0; side < 2; ++side) {
            vec3<double> n{};
            n[axis] = side ? 1.0 : -1.0;
            p.push_back({n, h, 1000 + 2 * axis + std::size_t(side)});
        }
    return p;
}

voronoi_cell<double> make_cell(double h, bool right_handed, double eps) {
    voronoi_cell<double> cell;
    const std::array<std::size_t, 6> ids{1000, 1001, 1002, 1003, 1004, 1005};
    if (right_handed) {
        cell.init_parallelepiped({-h, -h, -h}, {2 * h, 0, 0}, {0, 2 * h, 0}, {0, 0, 2 * h}, ids, eps);
    } else {  // the same cube from a left-handed frame: (e0, e2, e1) with faces relabelled
        const std::array<std::size_t, 6> swapped{1000, 1001, 1004, 1005, 1002, 1003};
        cell.init_parallelepiped({-h, -h, -h}, {2 * h, 0, 0}, {0, 0, 2 * h}, {0, 2 * h, 0}, swapped, eps);
    }
    return cell;
}

// Compares a finished cell with the brute-force polytope of the same planes.
void check_against_brute_force(voronoi_cell<double>& cell, const std::vector<plane>& planes, double tol) {
    cell.finish();
    const polytope ref = brute_force(planes, tol);
    REQUIRE(cell.num_vertices() == ref.vertices.size());
    for (std::size_t k = 0; k < cell.num_vertices(); ++k) {
        double best = 1e300;
        for (const auto& v : ref.vertices) best = std::min(best, norm(cell.vertex(k) - v));
        CHECK(best < tol);
    }
    REQUIRE(cell.faces().size() == ref.face_ids.size());
    std::size_t edges2 = 0;
    for (std::size_t f = 0; f < ref.face_ids.size(); ++f) {
        const auto& fc = cell.faces()[f];
        CHECK(fc.neighbor == ref.face_ids[f]);  // creation order = plane order
        CHECK(fc.count == ref.face_counts[f]);
        edges2 += fc.count;
        // Counter-clockwise from outside: the area vector points along the plane's normal.
        const auto& q = *std::find_if(planes.begin(), planes.end(), [&](const plane& x) { return x.id == fc.neighbor; });
        const vec3<double> av = cell.area_vector(fc);
        CHECK(dot(av, q.n) > 0.999999 * norm(av));
    }
    // Euler: V − E + F = 2.
    CHECK(long(cell.num_vertices()) - long(edges2 / 2) + long(cell.faces().size()) == 2);
    CHECK(cell.volume() == Approx(ref.volume).epsilon(1e-10));
}

}  // namespace

TEST_CASE("voronoi_cell: random planes match the brute-force polytope, both frame orientations", "[voronoi]") {
    std::mt19937_64 rng(2024);
    std::normal_distribution<double> g(0, 1);
    std::uniform_real_distribution<double> u(0.4, 1.2);
    for (int trial = 0; trial < 200; ++trial) {
        const bool right = trial % 2 == 0;
        auto cell = make_cell(2.0, right, 1e-10);
        std::vector<plane> planes = cube_planes(2.0, right);
        const int cuts = 1 + trial % 40;
        for (int k = 0; k < cuts; ++k) {
            vec3<double> n{g(rng), g(rng), g(rng)};
            n /= norm(n);
            const double c = u(rng);
            planes.push_back({n, c, std::size_t(k)});
            const double r2 = cell.max_radius2();
            cell.cut(n, c, std::size_t(k), n * (2 * c));
            // Largest vertex distance: never grows, and matches the vertices (checked below).
            CHECK(cell.max_radius2() <= r2);
        }
        REQUIRE_FALSE(cell.empty());
        check_against_brute_force(cell, planes, 1e-9);
        double r2 = 0;
        for (std::size_t k = 0; k < cell.num_vertices(); ++k) r2 = std::max(r2, norm2(cell.vertex(k)));
        CHECK(cell.max_radius2() == Approx(r2).epsilon(1e-12));
    }
}

TEST_CASE("voronoi_cell: the rhombic dodecahedron from its 12 planes in any order", "[voronoi]") {
    // |x| + |y| <= 1, |y| + |z| <= 1, |x| + |z| <= 1: six 4-face vertices (±1, 0, 0) …, eight
    // 3-face vertices (±1/2, ±1/2, ±1/2); every cut after the first few goes through vertices.
    std::vector<plane> dodeca;
    const double s = 1 / std::sqrt(2.0);
    std::size_t id = 0;
    for (int a = 0; a < 3; ++a)
        for (int sa : {-1, 1})
            for (int sb : {-1, 1}) {
                vec3<double> n{};
                n[std::size_t(a)] = sa * s;
                n[std::size_t((a + 1) % 3)] = sb * s;
                dodeca.push_back({n, s, id++});
            }
    std::mt19937_64 rng(7);
    for (int trial = 0; trial < 100; ++trial) {
        std::shuffle(dodeca.begin(), dodeca.end(), rng);
        auto cell = make_cell(3.0, trial % 2 == 0, 1e-10);
        for (const auto& q : dodeca) cell.cut(q.n, q.c, q.id, q.n * (2 * q.c));
        cell.finish();
        REQUIRE(cell.faces().size() == 12);
        CHECK(cell.num_vertices() == 14);
        for (const auto& f : cell.faces()) CHECK(f.count == 4);
        CHECK(cell.volume() == Approx(2.0).epsilon(1e-14));
        // The six second-neighbour planes of fcc (x = ±1, …) touch the 4-face vertices only.
        for (std::size_t axis = 0; axis < 3; ++axis)
            for (double side : {-1.0, 1.0}) {
                vec3<double> n{};
                n[axis] = side;
                CHECK_FALSE(cell.cut(n, 1.0, 99, n * 2.0));
            }
    }
}

TEST_CASE("voronoi_cell: planes through vertices and edges", "[voronoi]") {
    SECTION("a plane through three corners cuts off the fourth: new face through kept vertices") {
        auto cell = make_cell(1.0, true, 1e-10);
        const vec3<double> n = vec3<double>{1, 1, 1} / std::sqrt(3.0);
        REQUIRE(cell.cut(n, 1 / std::sqrt(3.0), 7, n * (2 / std::sqrt(3.0))));
        std::vector<plane> planes = cube_planes(1.0);
        planes.push_back({n, 1 / std::sqrt(3.0), 7});
        check_against_brute_force(cell, planes, 1e-9);
        CHECK(cell.num_vertices() == 7);
        CHECK(cell.volume() == Approx(8.0 - 4.0 / 3.0).epsilon(1e-14));
        for (const auto& f : cell.faces())
            if (f.neighbor == 7) CHECK(f.count == 3);
    }
    SECTION("a plane touching a corner or containing an edge changes nothing") {
        auto cell = make_cell(1.0, true, 1e-10);
        const vec3<double> n3 = vec3<double>{1, 1, 1} / std::sqrt(3.0), n2 = vec3<double>{1, 1, 0} / std::sqrt(2.0);
        CHECK_FALSE(cell.cut(n3, std::sqrt(3.0), 1, n3));
        CHECK_FALSE(cell.cut(n2, std::sqrt(2.0), 2, n2));
        cell.finish();
        CHECK(cell.faces().size() == 6);
        CHECK(cell.num_vertices() == 8);
    }
    SECTION("within the tolerance a plane goes through the vertex: no sliver face") {
        auto cell = make_cell(1.0, true, 1e-10);
        const vec3<double> n = vec3<double>{1, 1, 1} / std::sqrt(3.0);
        REQUIRE(cell.cut(n, 1 / std::sqrt(3.0) + 0.5e-10, 7, n));  // off the corners by < ε
        cell.finish();
        CHECK(cell.num_vertices() == 7);
        CHECK(cell.faces().size() == 7);
    }
    SECTION("a plane along a face after a cut through its edge: the face and the edge merge") {
        auto cell = make_cell(1.0, true, 1e-10);
        const vec3<double> n = vec3<double>{1, 1, 0} / std::sqrt(2.0);
        REQUIRE(cell.cut(n, 0.0, 3, n));  // x + y <= 0: through the cube's diagonal edges
        cell.finish();
        CHECK(cell.faces().size() == 5);  // a triangular prism
        CHECK(cell.num_vertices() == 6);
        CHECK(cell.volume() == Approx(4.0).epsilon(1e-14));
        REQUIRE(cell.cut(n, -1 / std::sqrt(2.0), 4, n));  // parallel, deeper: x + y <= -1
        cell.finish();
        CHECK(cell.faces().size() == 5);
        CHECK(cell.volume() == Approx(1.0).epsilon(1e-14));
    }
}

TEST_CASE("voronoi_cell: cuts that leave nothing with a volume", "[voronoi]") {
    SECTION("everything out") {
        auto cell = make_cell(1.0, true, 1e-10);
        REQUIRE(cell.cut({1, 0, 0}, -2.0, 1, {}));
        CHECK(cell.empty());
        cell.finish();
        CHECK(cell.faces().empty());
        CHECK(cell.volume() == 0.0);
    }
    SECTION("a flat remainder on the plane") {
        auto cell = make_cell(1.0, true, 1e-10);
        REQUIRE(cell.cut({1, 0, 0}, -1.0, 1, {}));
        CHECK(cell.empty());
    }
}

TEST_CASE("voronoi_cell: float cells match the brute force at float precision", "[voronoi]") {
    std::mt19937_64 rng(99);
    std::normal_distribution<double> g(0, 1);
    std::uniform_real_distribution<double> u(0.4, 1.2);
    for (int trial = 0; trial < 50; ++trial) {
        voronoi_cell<float> cell;
        cell.init_parallelepiped({-2, -2, -2}, {4, 0, 0}, {0, 4, 0}, {0, 0, 4}, {1000, 1001, 1002, 1003, 1004, 1005},
                                 1e-5f);
        std::vector<plane> planes = cube_planes(2.0);
        for (int k = 0; k < 20; ++k) {
            vec3<double> n{g(rng), g(rng), g(rng)};
            n /= norm(n);
            const double c = u(rng);
            const vec3<float> nf{float(n.x), float(n.y), float(n.z)};
            planes.push_back({vec3<double>{nf.x, nf.y, nf.z}, double(float(c)), std::size_t(k)});
            cell.cut(nf, float(c), std::size_t(k), nf);
        }
        cell.finish();
        const polytope ref = brute_force(planes, 1e-4);
        // Float rounding may merge or split vertices within ~1e-5 of each other: compare volumes
        // (relative 1e-5, ~100 float epsilons) and the faces present.
        CHECK(double(cell.volume()) == Approx(ref.volume).epsilon(1e-5));
        CHECK(cell.faces().size() == ref.face_ids.size());
    }
}
