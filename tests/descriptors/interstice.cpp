// tests for include/tessera/descriptors/interstice.hpp: interstice features of perfect fcc, and
// the Delaunay tetrahedra seen from the Voronoi dual tiling the box.

#include <tessera/descriptors/interstice.hpp>
#include <tessera/neighbors/voronoi.hpp>

#include "../support/point_sets.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <string>
#include <vector>

using namespace tessera;
using tessera_test::lattice;
using tessera_test::pts;
using tessera_test::random_points;

TEST_CASE("voronoi: interstice features of perfect fcc (touching spheres and points)", "[voronoi][interstice]") {
    const double a = 3.615;
    const pts x = lattice({{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}}, 3, a);
    const orthogonal_box<double> box({0, 0, 0}, {3 * a, 3 * a, 3 * a});
    const auto t = tessellate(x, box);
    const std::size_t n = x.size();
    REQUIRE(interstice::columns().size() == 60);
    CHECK(interstice::columns()[59] == "int_std_vol_std");
    // Points (R = 0): 12 distances a/√2; 24 equilateral triangles; 20 tetrahedra of a³/24 (8 regular,
    // 12 quarter-octahedra from the fan split of the 6 four-face vertices).
    auto f = interstice{}.compute_all(t);
    for (std::size_t i = 0; i < n; i += 7) {
        CHECK(f[0 * n + i] == Approx(a / std::sqrt(2.0)));
        CHECK(f[3 * n + i] == Approx(0).margin(1e-7));
        CHECK(f[4 * n + i] == Approx(std::sqrt(3.0) / 8 * a * a));
        CHECK(f[7 * n + i] == Approx(0).margin(1e-6));
        CHECK(f[8 * n + i] == Approx(a * a * a / 24));
        CHECK(f[9 * n + i] == Approx(a * a * a / 24));
        CHECK(f[10 * n + i] == Approx(a * a * a / 24));
        CHECK(f[12 * n + i] == Approx(a / std::sqrt(2.0)));  // mean over neighbours of dist_mean
        CHECK(f[(12 + 36 + 8) * n + i] == Approx(0).margin(1e-6));  // std over neighbours of vol_mean
    }
    // Touching spheres R = a/(2√2): free distance 0, free area = triangle − πR²/2.
    const double R = a / (2 * std::sqrt(2.0));
    std::vector<double> radii(n, R);
    voronoi_options opt;
    opt.radii = radii;
    const auto tr = tessellate(x, box, opt);
    f = interstice{}.compute_all(tr, radii);
    for (std::size_t i = 0; i < n; i += 7) {
        CHECK(f[0 * n + i] == Approx(0).margin(1e-12));
        CHECK(f[4 * n + i] == Approx(std::sqrt(3.0) / 8 * a * a - std::numbers::pi * R * R / 2));
        CHECK(f[10 * n + i] > 0);  // some space is left in every tetrahedron
    }
}

TEST_CASE("voronoi: Delaunay tetrahedra from the Voronoi dual tile the periodic box four times",
          "[voronoi][interstice]") {
    // Each Delaunay tetrahedron is seen from its 4 vertices: Σ_i Σ_tets V = 4 × box volume
    // (R = 0, general position). Counts come from int_vol_mean × number of tetrahedra, so we
    // recompute the number from the vertices (one tetrahedron per vertex of degree 3).
    const triclinic_box<double> box({0, 0, 0}, {8, 7, 9}, 1.5, -1.0, 0.5);
    pts x = random_points(600, {0, 0, 0}, {1, 1, 1}, 31);
    for (auto& p : x) {
        const vec3<double> r = box.cell() * vec3<double>{p[0], p[1], p[2]};
        p = {r.x, r.y, r.z};
    }
    const auto t = tessellate(x, box);
    const std::size_t n = x.size();
    const auto f = interstice{}.compute_all(t);
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += f[8 * n + i] * double(t.cell_vertices(i).size());
    CHECK(sum == Approx(4 * box.volume()).epsilon(1e-9));
    // Medium range: mean over Voronoi neighbours of int_dist_min, recomputed by hand for one atom.
    const auto nb = t.neighbors.neighbors(17);
    double m = 0;
    for (auto j : nb) m += f[2 * n + j];
    CHECK(f[(12 + 2) * n + 17] == Approx(m / double(nb.size())));
}
