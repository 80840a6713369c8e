// stats/power_law.hpp: Clauset's continuous MLE against scipy.stats.pareto.fit and a NumPy KS
// scan (tests/reference/stats/make_correlation_reference.py), recovery of a known exponent, the
// log histogram, errors.
#include <tessera/stats/power_law.hpp>

#include "../support/learn_reference.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace tessera;

namespace {
std::vector<double> samples() {
    std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/stats/correlation/powerlaw_samples.txt");
    REQUIRE(in);
    std::vector<double> x;
    for (double v; in >> v;) x.push_back(v);
    return x;
}
}  // namespace

TEST_CASE("power_law: MLE exponent equals scipy's Pareto fit and recovers the true exponent", "[powerlaw]") {
    // 1000 uniform samples on [0.5, 2) under 2000 Pareto samples with α = 2.5 above x_min = 2.
    const auto x = samples();
    REQUIRE(x.size() == 3000);
    const auto ref = tessera_test::read_keyed("../stats/correlation/powerlaw_fit.txt");
    const auto f = fit_power_law(x, 2.0);
    // a sum of 2000 logs in another order than NumPy's pairwise sum: 1e-12 relative
    CHECK(f.n_tail == std::size_t(ref.at("fixed_n")[0]));
    CHECK(std::abs(f.alpha - ref.at("fixed_alpha_scipy")[0]) <= 1e-12 * f.alpha);
    CHECK(std::abs(f.alpha_stderr - ref.at("fixed_stderr")[0]) <= 1e-12 * f.alpha_stderr);
    CHECK(std::abs(f.ks - ref.at("fixed_ks")[0]) <= 1e-12);
    CHECK(std::abs(f.alpha - 2.5) < 3 * f.alpha_stderr);  // the true exponent, within 3σ

    const auto s = fit_power_law_scan(x);
    CHECK(s.x_min == ref.at("scan_xmin")[0]);  // the same sample value is chosen
    CHECK(s.n_tail == std::size_t(ref.at("scan_n")[0]));
    CHECK(std::abs(s.alpha - ref.at("scan_alpha")[0]) <= 1e-12 * s.alpha);
    CHECK(std::abs(s.ks - ref.at("scan_ks")[0]) <= 1e-12);
    CHECK(std::abs(s.x_min - 2.0) < 0.2);  // finds the start of the tail
    CHECK(std::abs(s.alpha - 2.5) < 3 * s.alpha_stderr);
}

TEST_CASE("power_law: exponent near 1 as in seed 004, NaN ignored, order-independent", "[powerlaw]") {
    // α = 1.2 (p ∝ t^-1.2), 20000 samples: the standard error is (α−1)/√n = 0.0014.
    std::mt19937_64 rng(5);
    std::vector<double> x;
    for (int i = 0; i < 20000; ++i) {
        const double u = double(rng() >> 11) * 0x1.0p-53;
        x.push_back(std::pow(1.0 - u, -1.0 / 0.2));
        if (i % 100 == 0) x.push_back(std::nan(""));  // censored relaxation times
    }
    const auto f = fit_power_law(x, 1.0);
    CHECK(f.n_tail == 20000);
    CHECK(std::abs(f.alpha - 1.2) < 3 * f.alpha_stderr);
    std::reverse(x.begin(), x.end());
    CHECK(fit_power_law(x, 1.0).alpha == Approx(f.alpha).epsilon(1e-13));
}

TEST_CASE("power_law: log histogram and errors", "[powerlaw]") {
    const std::vector<double> x{1.0, 1.5, 3.0, 9.99, 10.0, std::nan("")};
    const auto h = make_log_histogram(x, 1.0, 10.0, 2);
    CHECK(h.edges[1] == Approx(std::sqrt(10.0)));
    CHECK(h.count == std::vector<std::size_t>{3, 1});  // 10.0 is outside [1, 10)
    CHECK(h.density[0] * (h.edges[1] - h.edges[0]) + h.density[1] * (h.edges[2] - h.edges[1]) == Approx(1.0));
    CHECK_THROWS_AS(make_log_histogram(x, 0.0, 10.0, 2), error);
    const std::vector<double> neg{1.0, -2.0, 3.0};
    CHECK_THROWS_AS(fit_power_law(neg, 1.0), error);
    const std::vector<double> few{1.0, 2.0, 3.0};
    CHECK_THROWS_AS(fit_power_law(few, 2.5), error);  // one sample above x_min
    CHECK_THROWS_AS(fit_power_law_scan(few), error);  // fewer than min_tail = 10
    CHECK_THROWS_AS(fit_power_law(few, 0.0), error);
}
