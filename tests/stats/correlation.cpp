// tests for include/tessera/stats/correlation.hpp against scipy.stats 1.10.1 (pearsonr,
// spearmanr, rankdata) — tests/reference/stats/correlation.txt from make_stats_reference.py:
// synthetic cases (continuous, heavy ties, n = 2 and 3, a weak and a very strong correlation,
// a large offset) and real fields of the CuZr glass (q6 against coordination, q4 against q6)
// and of its AQS run (D²min of the first against the last step).
//
// Tolerances:
// - ranks: exact (½(s + e + 1) of integers, as rankdata);
// - r: 4e-16·√n absolute (both sides sum n rounded products; scipy's BLAS ddot/dnrm2 in another
//   order, so the difference is a random walk of ~√n half-ulps of terms ≤ 1);
// - p from scipy's own r: 1e-13 relative for Pearson (the same Boost.Math ibetac; only the Boost
//   version differs), 1e-11 relative for Spearman (Boost's ibeta against scipy's cdflib cdft,
//   measured ≤ 3.1e-13 here; r and the Pearson p came out identical to the bit on every case);
// - p from tessera's r: additionally |d ln p / dr|·(r tolerance), computed from the beta density,
//   because in the far tail (p ~ 1e-60) a one-ulp change of r moves p by ~1e-13 relative.

#include <tessera/stats/correlation.hpp>

#include "../support/stats_reference.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using tessera::pearson;
using tessera::spearman;

namespace {

const tessera_test::stats_reference& ref() {
    static const tessera_test::stats_reference r("correlation.txt");
    return r;
}

double r_tolerance(std::size_t n) { return 4e-16 * std::sqrt(double(n)) + 1e-16; }

// d ln p / dr for the Pearson beta tail (p = 2 I_{(1−|r|)/2}(m, m)): the density over the tail mass.
double pearson_p_slope(double r, std::size_t n, double p) {
    if (n <= 2 || std::abs(r) == 1) return 0.0;  // p is exactly 1 (n = 2) or 0 (|r| = 1)
    const double m = double(n) / 2 - 1;
    const double x = (1 - std::abs(r)) / 2;
    const double log_density = (m - 1) * std::log(x) + (m - 1) * std::log1p(-x) - (2 * std::lgamma(m) - std::lgamma(2 * m));
    return p > 0 ? std::exp(log_density) / p : 0.0;  // d/dr of 2 I_x = −2 density · dx/dr = density
}

void check_case(const std::string& name, std::span<const double> a, std::span<const double> b) {
    INFO("case " << name);
    const std::size_t n = a.size();
    const auto ra = tessera::rank_average(a), rb = tessera::rank_average(b);
    CHECK(ra == ref()["rank_a_" + name]);
    CHECK(rb == ref()["rank_b_" + name]);

    const auto& pr = ref()["pearson_" + name];
    const auto p = pearson(a, b);
    CHECK(p.n == n);
    CHECK(std::abs(p.r - pr[0]) <= r_tolerance(n));
    CHECK(tessera::pearson_p_value(pr[0], n) == Approx(pr[1]).epsilon(1e-13).margin(0));
    const double slack = pearson_p_slope(pr[0], n, pr[1]) * r_tolerance(n);
    CHECK(p.p_value == Approx(pr[1]).epsilon(1e-13 + slack).margin(0));

    const auto& sr = ref()["spearman_" + name];
    const auto s = spearman(a, b);
    CHECK(std::abs(s.r - sr[0]) <= r_tolerance(n));
    if (std::isnan(sr[1])) {
        CHECK(std::isnan(s.p_value));
    } else {
        CHECK(tessera::spearman_p_value(sr[0], n) == Approx(sr[1]).epsilon(1e-11).margin(0));
        // The t law's tail is steeper than the beta law's by at most ~n/(1 − r²); bound it that way.
        const double s_slack = (double(n) / (1 - sr[0] * sr[0])) * r_tolerance(n);
        CHECK(s.p_value == Approx(sr[1]).epsilon(1e-11 + s_slack).margin(0));
    }
}

}  // namespace

TEST_CASE("correlation: pearson, spearman and ranks against scipy on synthetic fields", "[stats][correlation]") {
    for (const char* name : {"rand50", "ties200", "n3", "n2", "weak1000", "strong300", "offset"}) {
        const auto& a = ref()[std::string("a_") + name];
        const auto& b = ref()[std::string("b_") + name];
        check_case(name, a, b);
    }
}

TEST_CASE("correlation: real per-atom fields of the CuZr glass and its AQS run", "[stats][correlation]") {
    const auto q4 = tessera_test::glass_column("c_qc38[1]"), q6 = tessera_test::glass_column("c_qc38[2]");
    const auto coord = tessera_test::glass_column("c_c35[3]");
    check_case("real_q6_coord", q6, coord);
    check_case("real_q4_q6", q4, q6);
    check_case("real_d2min", tessera_test::d2min_column(0, 1, 2), tessera_test::d2min_column(4, 5, 2));
}

TEST_CASE("correlation: n = 2 follows scipy (r = ±1, Pearson p = 1, Spearman p NaN)", "[stats][correlation]") {
    const std::vector<double> a{1, 3}, b{5, 2};
    const auto p = pearson(a, b);
    CHECK(p.r == -1.0);
    CHECK(p.p_value == 1.0);
    CHECK(std::isnan(spearman(a, b).p_value));
    CHECK(pearson(a, a).r == 1.0);
}

TEST_CASE("correlation: invariances", "[stats][correlation][property]") {
    const auto& a = ref()["a_ties200"];
    const auto& b = ref()["b_ties200"];
    const std::size_t n = a.size();
    const auto p0 = pearson(a, b), s0 = spearman(a, b);

    // Permuting the pairs (the same permutation of both fields) changes only rounding.
    std::vector<std::size_t> perm(n);
    std::iota(perm.begin(), perm.end(), std::size_t(0));
    std::shuffle(perm.begin(), perm.end(), std::mt19937_64(18));
    std::vector<double> ap(n), bp(n);
    for (std::size_t i = 0; i < n; ++i) {
        ap[i] = a[perm[i]];
        bp[i] = b[perm[i]];
    }
    CHECK(std::abs(pearson(ap, bp).r - p0.r) <= r_tolerance(n));
    CHECK(std::abs(spearman(ap, bp).r - s0.r) <= r_tolerance(n));
    // Symmetry: the products commute, so Pearson's sums are identical; Spearman divides by the
    // two standard deviations in a fixed order (np.corrcoef's), which may differ by an ulp.
    CHECK(pearson(b, a).r == p0.r);
    CHECK(std::abs(spearman(b, a).r - s0.r) <= 2e-16);

    // Affine maps: r unchanged (sign flips with a negative scale); Spearman sees only ranks, so a
    // strictly increasing map leaves it identical to the bit.
    std::vector<double> aff(n), neg(n), mono(n);
    for (std::size_t i = 0; i < n; ++i) {
        aff[i] = 2 * a[i] + 3;
        neg[i] = -0.5 * a[i] + 7;
        mono[i] = std::exp(a[i]);
    }
    CHECK(std::abs(pearson(aff, b).r - p0.r) <= r_tolerance(n));
    CHECK(std::abs(pearson(neg, b).r + p0.r) <= r_tolerance(n));
    CHECK(spearman(mono, b).r == s0.r);
    CHECK(spearman(neg, b).r == -s0.r);
}

TEST_CASE("correlation: rank_average on ties", "[stats][correlation]") {
    const std::vector<double> x{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
    const std::vector<double> expected{4.5, 1.5, 6, 1.5, 8, 11, 3, 10, 8, 4.5, 8};
    CHECK(tessera::rank_average(x) == expected);
    CHECK(tessera::rank_average(std::vector<double>{}).empty());
}

TEST_CASE("correlation: bad input is an error naming the problem", "[stats][correlation][errors]") {
    const std::vector<double> a{1, 2, 3}, b{1, 2}, c{2, 2, 2}, one{1};
    std::vector<double> nan_field{1, std::nan(""), 3};
    CHECK_THROWS_WITH(pearson(a, b), Catch::Contains("different lengths"));
    CHECK_THROWS_WITH(spearman(one, one), Catch::Contains("at least 2"));
    CHECK_THROWS_WITH(pearson(a, c), Catch::Contains("field b is constant"));
    CHECK_THROWS_WITH(spearman(c, a), Catch::Contains("field a is constant"));
    CHECK_THROWS_WITH(pearson(nan_field, a), Catch::Contains("non-finite") && Catch::Contains("row 1"));
    CHECK_THROWS_WITH(tessera::rank_average(nan_field), Catch::Contains("NaN at row 1"));
    CHECK_THROWS_AS(tessera::pearson_p_value(1.5, 10), tessera::error);
}
