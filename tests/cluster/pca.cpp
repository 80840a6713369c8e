// tests for include/tessera/cluster/pca.hpp: scikit-learn 1.2.1 PCA(svd_solver="full")
// references (tests/reference/cluster/make_hierarchical_pca_reference.py) on make_blobs 300x4
// and the standardised CuZr descriptor table (400x6), properties (truncation, orthonormality,
// translation, row permutation), bad input.
#include <tessera/cluster/pca.hpp>

#include "../support/cluster_reference.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

using table = tessera_test::cluster_table;

table load(const std::string& name) { return tessera_test::read_cluster_table(name + "_x.csv"); }

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
    REQUIRE(a.size() == b.size());
    double r = 0;
    for (std::size_t i = 0; i < a.size(); ++i) r = std::max(r, std::abs(a[i] - b[i]));
    return r;
}

double max_rel_diff(const std::vector<double>& a, const std::vector<double>& b) {
    REQUIRE(a.size() == b.size());
    double r = 0;
    for (std::size_t i = 0; i < a.size(); ++i) r = std::max(r, std::abs(a[i] - b[i]) / std::abs(b[i]));
    return r;
}

void check_against_sklearn(const std::string& name) {
    const table t = load(name);
    const auto ref = tessera_test::read_cluster_keyed(name + "_pca.txt");
    std::size_t srows = 0, scols = 0;
    const auto scores_ref = tessera_test::read_cluster_table(name + "_pca_scores.csv", srows, scols);
    const std::size_t k = std::min(t.rows, t.cols);
    REQUIRE(scols == k);
    const tessera::pca_model p = tessera::fit_pca(t.view(), k);
    REQUIRE(p.cols == t.cols);
    REQUIRE(p.n == k);
    // Means: the same running sums as numpy; the data are O(1-10), so 1e-13 absolute is
    // rounding (cuzr's means are ~1e-16 after standardisation, relative error is meaningless).
    CHECK(max_abs_diff(p.mean, ref.at("mean")) <= 1e-13);
    // Singular values / variances: JacobiSVD vs LAPACK gesdd, both backward stable; the
    // spread of singular values here is at most 10x, so they agree to ~1e-15 relative; 1e-12 is
    // the bound.
    CHECK(max_rel_diff(p.singular_values, ref.at("singular_values")) <= 1e-12);
    CHECK(max_rel_diff(p.explained_variance, ref.at("explained_variance")) <= 1e-12);
    CHECK(max_rel_diff(p.explained_variance_ratio, ref.at("explained_variance_ratio")) <= 1e-12);
    // Components: error ~ eps * sigma_max / (gap between singular values), ~1e-14 here; a sign
    // flip would give ~2|v| ~ 0.1-1, so 1e-10 checks sklearn's svd_flip signs exactly.
    CHECK(max_abs_diff(p.components, ref.at("components")) <= 1e-10);
    CHECK(max_abs_diff(p.transform(t.view()), scores_ref) <= 1e-10);
}

}  // namespace

TEST_CASE("fit_pca: sklearn PCA(svd_solver='full') on make_blobs 300x4", "[cluster][pca]") {
    check_against_sklearn("blobs");
}

TEST_CASE("fit_pca: sklearn PCA(svd_solver='full') on the standardised CuZr descriptor table", "[cluster][pca]") {
    check_against_sklearn("cuzr");
}

TEST_CASE("fit_pca: truncation keeps a prefix, components are orthonormal, variances sum to the total",
          "[cluster][pca]") {
    const table t = load("cuzr");
    const auto full = tessera::fit_pca(t.view(), 6);
    const auto two = tessera::fit_pca(t.view(), 2);
    REQUIRE(two.components.size() == 2 * t.cols);
    CHECK(std::equal(two.components.begin(), two.components.end(), full.components.begin()));
    CHECK(two.explained_variance_ratio[0] == full.explained_variance_ratio[0]);  // ratio over all 6
    const auto s2 = two.transform(t.view()), s6 = full.transform(t.view());
    for (std::size_t i = 0; i < t.rows; ++i)
        for (std::size_t j = 0; j < 2; ++j) CHECK(s2[i * 2 + j] == s6[i * 6 + j]);
    for (std::size_t a = 0; a < 6; ++a)
        for (std::size_t b = 0; b < 6; ++b) {
            double dot = 0;
            for (std::size_t c = 0; c < t.cols; ++c) dot += full.components[a * 6 + c] * full.components[b * 6 + c];
            CHECK(std::abs(dot - (a == b ? 1.0 : 0.0)) <= 1e-14);
        }
    // Sum of all variances = trace of the covariance (ddof = 1).
    double trace = 0;
    for (std::size_t c = 0; c < t.cols; ++c) {
        double s = 0;
        for (std::size_t i = 0; i < t.rows; ++i) s += std::pow(t.values[i * t.cols + c] - full.mean[c], 2);
        trace += s / static_cast<double>(t.rows - 1);
    }
    const double total = std::accumulate(full.explained_variance.begin(), full.explained_variance.end(), 0.0);
    CHECK(total == Approx(trace).epsilon(1e-13));
    CHECK(std::accumulate(full.explained_variance_ratio.begin(), full.explained_variance_ratio.end(), 0.0) ==
          Approx(1.0).epsilon(1e-14));
}

TEST_CASE("fit_pca: translation and row permutation change neither components nor signs", "[cluster][pca]") {
    const table t = load("blobs");
    const auto p = tessera::fit_pca(t.view(), 4);
    table shifted = t;
    for (std::size_t i = 0; i < t.rows; ++i)
        for (std::size_t c = 0; c < t.cols; ++c) shifted.values[i * t.cols + c] += 100.0 * static_cast<double>(c + 1);
    const auto ps = tessera::fit_pca(shifted.view(), 4);
    // The shift (up to 400) costs ~eps * 400 in the centred values: 1e-11 on O(1) quantities.
    CHECK(max_abs_diff(ps.components, p.components) <= 1e-11);
    CHECK(max_rel_diff(ps.explained_variance, p.explained_variance) <= 1e-12);
    CHECK(max_abs_diff(ps.transform(shifted.view()), p.transform(t.view())) <= 1e-10);

    std::vector<std::size_t> perm(t.rows);
    std::iota(perm.begin(), perm.end(), std::size_t(0));
    std::mt19937_64 rng(7);
    std::shuffle(perm.begin(), perm.end(), rng);
    table q = t;
    for (std::size_t i = 0; i < t.rows; ++i)
        for (std::size_t c = 0; c < t.cols; ++c) q.values[i * t.cols + c] = t.values[perm[i] * t.cols + c];
    const auto pq = tessera::fit_pca(q.view(), 4);
    // The sign is decided by the row loading most on a component: the same row, wherever it is.
    CHECK(max_abs_diff(pq.components, p.components) <= 1e-12);
    const auto s = p.transform(t.view()), sq = pq.transform(q.view());
    double worst = 0;
    for (std::size_t i = 0; i < t.rows; ++i)
        for (std::size_t j = 0; j < 4; ++j) worst = std::max(worst, std::abs(sq[i * 4 + j] - s[perm[i] * 4 + j]));
    CHECK(worst <= 1e-11);
}

TEST_CASE("fit_pca: wide tables (rows < cols) keep min(rows, cols) components", "[cluster][pca]") {
    const std::vector<double> x{1, 2, 3, 4, 5, 0, 1, 0, 2, 2, 3, 1, 4, 0, 1};  // 3 x 5
    const auto p = tessera::fit_pca({x.data(), 3, 5, 0, {}}, 3);
    CHECK(p.components.size() == 15);
    CHECK(p.singular_values[2] <= 1e-14 * p.singular_values[0]);  // 3 centred rows span 2 dimensions
    CHECK(p.explained_variance_ratio[0] + p.explained_variance_ratio[1] == Approx(1.0).epsilon(1e-14));
}

TEST_CASE("fit_pca: bad input", "[cluster][pca][errors]") {
    const table t = load("blobs");
    CHECK_THROWS_WITH(tessera::fit_pca(t.view(), 0), Catch::Contains("n_components = 0"));
    CHECK_THROWS_WITH(tessera::fit_pca(t.view(), 5), Catch::Contains("min(rows, cols) = 4"));
    CHECK_THROWS_WITH(tessera::fit_pca({t.values.data(), 1, 4, 0, {}}, 1), Catch::Contains("at least 2"));
    CHECK_THROWS_WITH(tessera::fit_pca({t.values.data(), 2, 4, 0, {}}, 3), Catch::Contains("min(rows, cols) = 2"));
    std::vector<double> x = t.values;
    x[9] = std::numeric_limits<double>::infinity();
    CHECK_THROWS_WITH(tessera::fit_pca({x.data(), t.rows, t.cols, 0, {}}, 2), Catch::Contains("row 2, column 1"));
    const auto p = tessera::fit_pca(t.view(), 2);
    CHECK_THROWS_WITH(p.transform({t.values.data(), 100, 3, 0, {}}), Catch::Contains("fitted on 4"));
    CHECK_THROWS_WITH(p.transform({x.data(), t.rows, t.cols, 0, {}}), Catch::Contains("not finite"));
}
