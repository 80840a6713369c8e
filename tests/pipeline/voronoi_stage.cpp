// tests for include/tessera/pipeline/voronoi_stage.hpp: Voronoi neighbours as a pipeline stage.

#include <tessera/pipeline/voronoi_stage.hpp>

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

namespace {
struct voronoi_test_count {  // neighbour count, need::any
    static constexpr neighbor_need need = neighbor_need::any;
    std::vector<std::string> columns(const particle_properties&) const { return {"n"}; }
    void prepare(const neighbor_stage_info&, const particle_properties&) const {}
    template <class T>
    void compute(const particle_row<T>& row, output_row<T> out) const {
        out[0] = T(row.size());
    }
};
}  // namespace

TEST_CASE("voronoi: neighbours as a pipeline stage", "[voronoi][pipeline]") {
    const double a = 2.87;
    const pts x = lattice({{0, 0, 0}, {0.5, 0.5, 0.5}}, 4, a);
    const orthogonal_box<double> box({0, 0, 0}, {4 * a, 4 * a, 4 * a});
    const auto pipe = pipeline(voronoi_neighbors{}, voronoi_test_count{});
    const auto out = pipe.run(x, box, {}, openmp_policy{2});
    const auto n = out.get<voronoi_test_count>();
    REQUIRE(n.size() == x.size());
    for (double v : n) CHECK(v == 14);
}
