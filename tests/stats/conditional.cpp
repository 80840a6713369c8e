// tests for include/tessera/stats/conditional.hpp against NumPy
// (tests/reference/stats/conditional.txt, make_stats_reference.py): conditional PDFs from
// np.histogram2d normalised per row (the script also asserts each row equals
// numpy.histogram(density=True) of that row's atoms) on a correlated synthetic pair and on the
// CuZr glass (q6 given the coordination number, with an empty coordination bin), and Δf of
// categories (seed 002, Eq. 1) on synthetic labels and on the glass's coordination numbers with
// the 10 % highest-q6 atoms as the subset.
//
// Tolerances: counts exact; densities exact (the same two divisions in the same order; NaN rows
// where numpy's 0/0 gives NaN); Δf exact (one subtraction and two divisions of exact fractions,
// the order of the script's expression).

#include <tessera/stats/conditional.hpp>

#include "../support/stats_reference.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

const tessera_test::stats_reference& ref() {
    static const tessera_test::stats_reference r("conditional.txt");
    return r;
}

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

}  // namespace

TEST_CASE("conditional_pdf: np.histogram2d normalised per B-bin", "[stats][conditional]") {
    for (const char* name : {"synthetic", "real_q6_by_coord"}) {
        const std::string n = name;
        INFO(n);
        const bool real = n.rfind("real", 0) == 0;
        const auto a = real ? tessera_test::glass_column("c_qc38[2]") : ref()["ca_" + n];
        const auto b = real ? tessera_test::glass_column("c_c35[3]") : ref()["cb_" + n];
        const auto& s = ref()["cpdf_" + n];
        const auto r = tessera::conditional_pdf(a, std::size_t(s[0]), s[1], s[2], b, std::size_t(s[3]), s[4], s[5]);
        const auto& counts = ref()["ccounts_" + n];
        const auto& pdf = ref()["cpdf_values_" + n];
        REQUIRE(r.counts.size() == counts.size());
        std::size_t counted = 0;
        for (std::size_t i = 0; i < counts.size(); ++i) {
            CHECK(double(r.counts[i]) == counts[i]);
            CHECK(same(r.pdf[i], pdf[i]));
            counted += r.counts[i];
        }
        CHECK(counted + r.outside == a.size());
        for (std::size_t j = 0; j < r.bins_b; ++j) {  // property: each non-empty row integrates to 1
            if (r.row_total[j] == 0) continue;
            double integral = 0;
            for (std::size_t k = 0; k < r.bins_a; ++k) integral += r.at(j, k) * (r.a_edges[k + 1] - r.a_edges[k]);
            CHECK(integral == Approx(1.0).epsilon(1e-14));
        }
    }
}

TEST_CASE("conditional_pdf: an empty B-bin is a NaN row, reported by row_total", "[stats][conditional]") {
    const std::vector<double> a{0.1, 0.2, 0.9}, b{0.1, 0.1, 0.1};
    const auto r = tessera::conditional_pdf(a, 2, 0.0, 1.0, b, 2, 0.0, 1.0);
    CHECK(r.row_total == std::vector<std::size_t>{3, 0});
    CHECK(r.at(0, 0) == Approx(2.0 / 3.0 / 0.5));
    CHECK(std::isnan(r.at(1, 0)));
}

TEST_CASE("category_propensity: Δf of seed 002 against NumPy", "[stats][conditional][propensity]") {
    for (const char* name : {"synthetic", "real_coord_q6"}) {
        const std::string n = name;
        INFO(n);
        const std::vector<double> labels_d = n == "synthetic" ? ref()["labels_synthetic"] : tessera_test::glass_column("c_c35[3]");
        const auto& mask_d = ref()["mask_" + n];
        std::vector<std::int64_t> labels(labels_d.size());
        std::vector<unsigned char> mask(mask_d.size());
        for (std::size_t i = 0; i < labels.size(); ++i) {
            labels[i] = std::int64_t(labels_d[i]);
            mask[i] = mask_d[i] != 0;
        }
        const auto s = tessera::category_propensity<std::int64_t>(labels, mask);
        const auto& e = ref()["cat_" + n];
        REQUIRE(s.size() * 4 == e.size());
        for (std::size_t c = 0; c < s.size(); ++c) {
            CHECK(double(s[c].label) == e[4 * c]);
            CHECK(double(s[c].count_total) == e[4 * c + 1]);
            CHECK(double(s[c].count_subset) == e[4 * c + 2]);
            CHECK(s[c].propensity == e[4 * c + 3]);
        }
        // property: permuting the atoms (labels and mask together) changes nothing
        std::vector<std::size_t> perm(labels.size());
        std::iota(perm.begin(), perm.end(), std::size_t(0));
        std::shuffle(perm.begin(), perm.end(), std::mt19937_64(2));
        std::vector<std::int64_t> lp(labels.size());
        std::vector<unsigned char> mp(labels.size());
        for (std::size_t i = 0; i < perm.size(); ++i) {
            lp[i] = labels[perm[i]];
            mp[i] = mask[perm[i]];
        }
        const auto sp = tessera::category_propensity<std::int64_t>(lp, mp);
        for (std::size_t c = 0; c < s.size(); ++c) CHECK(sp[c].propensity == s[c].propensity);
    }
}

TEST_CASE("category_propensity: no mask is everyone, an empty subset is an error", "[stats][conditional][propensity]") {
    const std::vector<int> labels{3, 1, 3, 3};
    const auto all = tessera::category_propensity<int>(labels);
    REQUIRE(all.size() == 2);
    CHECK(all[0].label == 1);
    CHECK(all[0].propensity == 0.0);
    CHECK(all[1].fraction_total == 0.75);
    const std::vector<unsigned char> none(4, 0), wrong(3, 1);
    CHECK_THROWS_WITH(tessera::category_propensity<int>(labels, none), Catch::Contains("subset is empty"));
    CHECK_THROWS_WITH(tessera::category_propensity<int>(labels, wrong), Catch::Contains("mask"));
}

TEST_CASE("conditional_pdf: bad input is an error", "[stats][conditional][errors]") {
    const std::vector<double> a{1, 2}, b{1};
    CHECK_THROWS_WITH(tessera::conditional_pdf(a, 2, 0.0, 1.0, b, 2, 0.0, 1.0), Catch::Contains("different lengths"));
    CHECK_THROWS_WITH(tessera::conditional_pdf(a, 2, 1.0, 1.0, a, 2, 0.0, 1.0), Catch::Contains("A range"));
    CHECK_THROWS_WITH(tessera::conditional_pdf(a, 0, 0.0, 1.0, a, 2, 0.0, 1.0), Catch::Contains("bins"));
}
