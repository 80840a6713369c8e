// tests for include/tessera/descriptors/voronoi_statistics.hpp: polyhedron-type statistics and
// the propensity of Voronoi types (Δf of the top and bottom of a ranking).

#include <tessera/descriptors/voronoi_statistics.hpp>
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

TEST_CASE("voronoi: polyhedron statistics and propensity (seed 002, Eq. 1)", "[voronoi][statistics]") {
    // 10 atoms: 4 × <0,0,12,0>, 6 × <0,2,8,1>; subset = 3 icosahedra + 1 other.
    std::vector<double> n3(10, 0), n4(10), n5(10), n6(10);
    std::vector<unsigned char> mask(10, 0);
    for (std::size_t i = 0; i < 10; ++i) {
        const bool ico = i < 4;
        n4[i] = ico ? 0 : 2;
        n5[i] = ico ? 12 : 8;
        n6[i] = ico ? 0 : 1;
    }
    mask[0] = mask[1] = mask[2] = mask[7] = 1;
    const auto s = polyhedron_statistics<double>(n3, n4, n5, n6, mask);
    REQUIRE(s.size() == 2);
    CHECK(s[0].index == voronoi_index{0, 0, 12, 0});
    CHECK(s[0].count_subset == 3);
    CHECK(s[0].propensity == Approx((0.75 - 0.4) / 0.4 * 100));
    CHECK(s[0].d5 == 1.0);
    CHECK(s[1].propensity == Approx((0.25 - 0.6) / 0.6 * 100));
    CHECK(s[1].d5 == Approx(8.0 / 11.0));
    // A mask that selects nobody leaves f_sub undefined (stats/conditional.hpp's category_propensity).
    const std::vector<unsigned char> none(10, 0);
    CHECK_THROWS_WITH(polyhedron_statistics<double>(n3, n4, n5, n6, none), Catch::Contains("subset is empty"));
}

// ---- interstice features ----------------------------------------------------------------------
