// descriptors/local_rdf.hpp: the local g_i(r) descriptor against the formula evaluated on
// brute-force neighbour rows, through the planner (sharing its query with other descriptors).
#include "../support/reference_frames.hpp"

#include <tessera/descriptors/coordination.hpp>
#include <tessera/descriptors/csp.hpp>
#include <tessera/descriptors/local_rdf.hpp>
#include <tessera/neighbors/brute_force.hpp>
#include <tessera/pipeline/planner.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>

using namespace tessera;

TEST_CASE("local_rdf descriptor equals the Piaggi-Parrinello sum over brute-force bonds", "[descriptors][local_rdf]") {
    const auto frames = tessera_test::read_reference_frames("cuzr_glass_ref.dump");
    std::vector<std::array<double, 3>> x;
    frames.front().positions(x);
    const auto& box = std::get<orthogonal_box<double>>(frames.front().box);
    const double rho = double(x.size()) / box.volume();
    local_rdf_descriptor d{{1.5, 2.0, 2.5, 3.0, 3.5, 4.0}, 0.15, 4.6, rho};
    planner<double> plan;
    plan.add(csp{12});
    plan.add(d);
    plan.add(coordination{3.0});
    const auto out = plan.run(x, box);
    REQUIRE(out.names_of(1) == std::vector<std::string>{"gloc_0", "gloc_1", "gloc_2", "gloc_3", "gloc_4", "gloc_5"});
    const auto bf = brute_force_neighbors(x, box, ball{4.6}, x.size());
    double worst = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t k = 0; k < d.r.size(); ++k) {
            double sum = 0;
            for (const double d2 : bf.distances2(i)) {
                const double e = d.r[k] - std::sqrt(d2);
                sum += std::exp(-e * e / (2 * 0.15 * 0.15));
            }
            const double want = sum / (4 * std::numbers::pi * rho * std::sqrt(2 * std::numbers::pi) * 0.15 * d.r[k] * d.r[k]);
            // relative, floored at 1e-6 (g ~ 1; far in a Gaussian's tail only absolute error means anything)
            worst = std::max(worst, std::abs(out.column(1, k)[i] - want) / std::max(std::abs(want), 1e-6));
        }
    // Bond lengths from the cell list and from brute force may differ in the last bit (different
    // image arithmetic); the Gaussian amplifies that by |r − r_ij| r_ij / σ² (≤ ~150 here), and the
    // terms are summed in another order: 1e-12 allows ~100 ulp (measured 1.2e-13).
    INFO("worst relative error " << worst);
    CHECK(worst < 1e-12);
    local_rdf_descriptor bad = d;
    bad.r = {0.0, 1.0};
    planner<double> p2;
    p2.add(bad);
    CHECK_THROWS_WITH(p2.run(x, box), Catch::Contains("grid point r = 0 must be positive"));
}
