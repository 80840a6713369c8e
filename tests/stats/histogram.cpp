// tests for include/tessera/stats/histogram.hpp against numpy.histogram 1.24.2 and
// scipy.stats.gaussian_kde 1.10.1 (tests/reference/stats/histogram.txt, make_stats_reference.py):
// normal data, values on every bin edge (hi included), 0.1 steps against 7 bins (edges an ulp
// from data values), weights, the default [min, max] range on an integer field, and q6 of the
// CuZr glass; KDEs with Scott's and Silverman's rule, a scalar factor, weights, and real q6.
//
// Tolerances:
// - edges and counts: exact (np.linspace's rounding, numpy's bin search; a count off by one
//   would be a value put in the neighbouring bin);
// - weighted counts: 1e-15 relative (sums in the same order as np.bincount — expected exact);
// - density: exact (the same three operations in numpy's order);
// - KDE factor, covariance: 1e-15 relative (np.cov's BLAS dot rounds differently by an ulp);
// - KDE values: 1e-13 relative to the largest value — each is a sum of n positive terms whose
//   arguments carry the ulp of the covariance through exp(−r²/2): δf/f ≲ r²·1e-16 ~ 1e-14 for the
//   r ≲ 10 that contribute; far in the tails (values 1e-10 of the peak) relative accuracy is not
//   meaningful and the comparison is absolute.
// Measured: every unweighted KDE value identical to scipy's to the bit; weighted: factor and
// covariance within 4.4e-16 relative, values within 3.3e-16 of the peak.

#include <tessera/stats/histogram.hpp>

#include "../support/stats_reference.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

const tessera_test::stats_reference& ref() {
    static const tessera_test::stats_reference r("histogram.txt");
    return r;
}

std::vector<double> values(const std::string& name) {
    if (name == "real_q6") return tessera_test::glass_column("c_qc38[2]");
    if (name == "real_coord_auto") return tessera_test::glass_column("c_c35[3]");
    return ref()["values_" + name];
}

}  // namespace

TEST_CASE("histogram1d: numpy.histogram counts, edges and density", "[stats][histogram]") {
    for (const char* name : {"normal", "edges", "tenths", "weighted", "real_q6", "real_coord_auto"}) {
        const std::string n = name;
        INFO(n);
        const auto v = values(n);
        const auto& spec = ref()["hist_" + n];
        const auto bins = std::size_t(spec[0]);
        const std::vector<double> w = ref().has("weights_" + n) ? ref()["weights_" + n] : std::vector<double>{};
        const auto h = n == "real_coord_auto" ? tessera::histogram1d(v, bins) : tessera::histogram1d(v, bins, spec[1], spec[2], w);
        CHECK(h.edges == ref()["edges_" + n]);
        const auto& counts = ref()["counts_" + n];
        REQUIRE(h.counts.size() == counts.size());
        for (std::size_t k = 0; k < counts.size(); ++k) CHECK(h.counts[k] == Approx(counts[k]).epsilon(1e-15).margin(0));
        CHECK(h.density == ref()["density_" + n]);
        if (w.empty()) {  // property: every value is counted once, in range or outside
            const double in = std::accumulate(h.counts.begin(), h.counts.end(), 0.0);
            CHECK(in + double(h.outside) == double(v.size()));
        }
    }
}

TEST_CASE("histogram1d: the last bin is closed, values beyond the range are counted outside", "[stats][histogram]") {
    const std::vector<double> v{0.0, 0.5, 1.0, 1.0, -0.1, 1.1};
    const auto h = tessera::histogram1d(v, 2, 0.0, 1.0);
    CHECK(h.counts == std::vector<double>{1, 3});
    CHECK(h.outside == 2);
    const auto c = tessera::histogram1d(std::vector<double>{2.0, 2.0}, 4);  // constant: numpy widens by ½
    CHECK(c.edges.front() == 1.5);
    CHECK(c.edges.back() == 2.5);
    CHECK(c.counts == std::vector<double>{0, 0, 2, 0});
}

TEST_CASE("histogram1d: permutation invariance", "[stats][histogram][property]") {
    auto v = values("normal");
    const auto h0 = tessera::histogram1d(v, 20, -3.0, 3.0);
    std::shuffle(v.begin(), v.end(), std::mt19937_64(5));
    const auto h1 = tessera::histogram1d(v, 20, -3.0, 3.0);
    CHECK(h1.counts == h0.counts);
    CHECK(h1.density == h0.density);
}

TEST_CASE("gaussian_kde: scipy.stats.gaussian_kde in one dimension", "[stats][histogram][kde]") {
    for (const char* name : {"scott", "silverman", "factor", "weighted", "real_q6"}) {
        const std::string n = name;
        INFO(n);
        const std::vector<double> data = n == "real_q6" ? tessera_test::glass_column("c_qc38[2]") : ref()["data_" + n];
        const std::vector<double> w = ref().has("kweights_" + n) ? ref()["kweights_" + n] : std::vector<double>{};
        const auto kde = n == "silverman" ? tessera::gaussian_kde(data, tessera::kde_bandwidth::silverman, w)
                         : n == "factor"  ? tessera::gaussian_kde(data, 0.3, w)
                                          : tessera::gaussian_kde(data, tessera::kde_bandwidth::scott, w);
        const auto& k = ref()["kde_" + n];
        CHECK(kde.factor() == Approx(k[0]).epsilon(1e-15).margin(0));
        CHECK(kde.covariance() == Approx(k[1]).epsilon(1e-15).margin(0));
        CHECK(kde.neff() == Approx(k[2]).epsilon(1e-15).margin(0));
        const auto& pts = ref()["points_" + n];
        const auto& pdf = ref()["pdf_" + n];
        const auto f = kde.evaluate(pts);
        const double peak = *std::max_element(pdf.begin(), pdf.end());
        for (std::size_t j = 0; j < pts.size(); ++j) CHECK(std::abs(f[j] - pdf[j]) <= 1e-13 * peak);
    }
}

TEST_CASE("gaussian_kde: integrates to 1 and ignores the order of the data", "[stats][histogram][kde][property]") {
    auto data = ref()["data_silverman"];
    const tessera::gaussian_kde kde(data, tessera::kde_bandwidth::silverman);
    // trapezoid rule over ±12 bandwidths beyond the data: the Gaussian tails lost are < 1e-30
    const auto [mn, mx] = std::minmax_element(data.begin(), data.end());
    const double a = *mn - 12 * kde.bandwidth(), b = *mx + 12 * kde.bandwidth();
    const std::size_t m = 20000;
    double integral = 0;
    for (std::size_t i = 0; i <= m; ++i) {
        const double x = a + (b - a) * double(i) / double(m);
        integral += (i == 0 || i == m ? 0.5 : 1.0) * kde(x);
    }
    integral *= (b - a) / double(m);
    CHECK(integral == Approx(1.0).epsilon(1e-9));
    const double f0 = kde(1.0);
    std::shuffle(data.begin(), data.end(), std::mt19937_64(9));
    const tessera::gaussian_kde shuffled(data, tessera::kde_bandwidth::silverman);
    CHECK(shuffled(1.0) == Approx(f0).epsilon(1e-14));
}

TEST_CASE("histogram and KDE: bad input is an error", "[stats][histogram][errors]") {
    const std::vector<double> v{1, 2, 3}, c{2, 2, 2}, w{1, -1, 1}, nanv{1, NAN, 3};
    CHECK_THROWS_WITH(tessera::histogram1d(v, 0, 0.0, 1.0), Catch::Contains("bins"));
    CHECK_THROWS_WITH(tessera::histogram1d(v, 3, 2.0, 1.0), Catch::Contains("lo > hi"));
    CHECK_THROWS_WITH(tessera::histogram1d(nanv, 3, 0.0, 1.0), Catch::Contains("row 1"));
    CHECK_THROWS_WITH(tessera::histogram1d(v, 3, 0.0, 1.0, std::vector<double>{1}), Catch::Contains("weights"));
    CHECK_THROWS_WITH(tessera::gaussian_kde(c), Catch::Contains("zero variance"));
    CHECK_THROWS_WITH(tessera::gaussian_kde(v, tessera::kde_bandwidth::scott, w), Catch::Contains("negative weight"));
    CHECK_THROWS_WITH(tessera::gaussian_kde(v, -1.0), Catch::Contains("factor"));
    CHECK_THROWS_WITH(tessera::gaussian_kde(std::vector<double>{1}), Catch::Contains("at least 2"));
}
