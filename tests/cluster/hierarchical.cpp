// tests for include/tessera/cluster/hierarchical.hpp: SciPy 1.10.1 linkage matrices, SciPy
// fcluster and scikit-learn 1.2.1 AgglomerativeClustering labels
// (tests/reference/cluster/make_hierarchical_pca_reference.py), hand-computed merges and
// properties (row permutation, cut limits), bad input.
#include <tessera/cluster/hierarchical.hpp>

#include "../support/cluster_reference.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

using tessera_test::read_cluster_csv;

using table = tessera_test::cluster_table;

table load(const std::string& name) { return tessera_test::read_cluster_table(name + "_x.csv"); }

std::vector<std::size_t> to_labels(const std::vector<double>& v, std::size_t from) {
    std::vector<std::size_t> l;
    for (std::size_t i = from; i < v.size(); ++i) l.push_back(static_cast<std::size_t>(std::lround(v[i])));
    return l;
}

// Same partition up to renaming of the labels.
bool same_partition(const std::vector<std::size_t>& p, const std::vector<std::size_t>& q) {
    if (p.size() != q.size()) return false;
    std::map<std::size_t, std::size_t> pq, qp;
    for (std::size_t i = 0; i < p.size(); ++i) {
        if (pq.emplace(p[i], q[i]).first->second != q[i]) return false;
        if (qp.emplace(q[i], p[i]).first->second != p[i]) return false;
    }
    return true;
}

void check_against_scipy(const std::string& name) {
    const table t = load(name);
    const auto Z = read_cluster_csv(name + "_linkage.csv", 1);
    const auto labels = read_cluster_csv(name + "_labels.csv", 1);
    const auto fcl = read_cluster_csv(name + "_fcluster.csv", 1);
    for (const char* method_name : {"ward", "single", "complete", "average"}) {
        INFO(name << " " << method_name);
        const tessera::dendrogram d = tessera::agglomerate(t.view(), tessera::parse_linkage(method_name));
        REQUIRE(d.leaves == t.rows);
        REQUIRE(d.merges.size() == t.rows - 1);
        std::size_t row = 0;
        double worst = 0;
        for (std::size_t r = 0; r < Z.text.size(); ++r) {
            if (Z.text[r][0] != method_name) continue;
            const tessera::merge& m = d.merges[row];
            INFO("merge " << row);
            // ids and sizes are combinatorial: identical, including SciPy's tie rules (cuzr has
            // duplicate rows and many equal distances).
            REQUIRE(m.a == static_cast<std::size_t>(Z.numbers[r][0]));
            REQUIRE(m.b == static_cast<std::size_t>(Z.numbers[r][1]));
            REQUIRE(m.size == static_cast<std::size_t>(Z.numbers[r][3]));
            // Heights: the same operations in the same order as SciPy, so they agree to the
            // bit (all 2792 do, with -O1 and with -O2 -march=native); 1e-12 relative is the
            // issue's bound, leaving room for a compiler that reorders.
            const double ref = Z.numbers[r][2];
            const double err = std::abs(m.height - ref) / std::max(std::abs(ref), 1e-300);
            worst = std::max(worst, ref == 0 ? std::abs(m.height) : err);
            ++row;
        }
        REQUIRE(row == d.merges.size());
        CHECK(worst <= 1e-12);
        for (std::size_t r = 0; r < labels.text.size(); ++r) {
            if (labels.text[r][0] != method_name) continue;
            const auto k = static_cast<std::size_t>(labels.numbers[r][0]);
            INFO("k = " << k);
            CHECK(tessera::cut_by_count(d, k) == to_labels(labels.numbers[r], 1));
        }
        for (std::size_t r = 0; r < fcl.text.size(); ++r) {
            if (fcl.text[r][0] != method_name) continue;
            INFO("t = " << fcl.numbers[r][0]);
            CHECK(tessera::cut_by_distance(d, fcl.numbers[r][0]) == to_labels(fcl.numbers[r], 1));
        }
    }
}

}  // namespace

TEST_CASE("agglomerate: SciPy's Z, sklearn's labels and fcluster on make_blobs 300x4", "[cluster][hierarchical]") {
    check_against_scipy("blobs");
}

TEST_CASE("agglomerate: SciPy's Z, sklearn's labels and fcluster on the standardised CuZr table (ties)",
          "[cluster][hierarchical]") {
    check_against_scipy("cuzr");
}

TEST_CASE("agglomerate: hand-computed merges of 1-d points {0, 1, 3, 7}", "[cluster][hierarchical]") {
    const std::vector<double> x{0, 1, 3, 7};
    const tessera::feature_matrix_view X{x.data(), 4, 1, 0, {}};
    using tessera::linkage;
    auto heights = [&](linkage m) {
        const auto d = tessera::agglomerate(X, m);
        std::vector<double> h;
        for (const auto& g : d.merges) h.push_back(g.height);
        return h;
    };
    // merges: {0,1}, then {0,1}+{3}, then +{7}
    CHECK(heights(linkage::single) == std::vector<double>{1, 2, 4});
    CHECK(heights(linkage::complete) == std::vector<double>{1, 3, 7});
    const auto avg = heights(linkage::average);
    CHECK(avg[1] == Approx(2.5).epsilon(1e-15));             // (3 + 2) / 2
    CHECK(avg[2] == Approx((7 + 6 + 4) / 3.0).epsilon(1e-15));
    // Ward: sqrt(2 n_a n_b / (n_a + n_b)) |c_a - c_b|
    const auto w = heights(linkage::ward);
    CHECK(w[0] == Approx(1.0).epsilon(1e-15));
    CHECK(w[1] == Approx(std::sqrt(2.0 * 2 * 1 / 3) * 2.5).epsilon(1e-14));
    CHECK(w[2] == Approx(std::sqrt(2.0 * 3 * 1 / 4) * (7 - 4.0 / 3)).epsilon(1e-14));
    const auto d = tessera::agglomerate(X, linkage::ward);
    CHECK(d.merges[0].a == 0);
    CHECK(d.merges[0].b == 1);
    CHECK(d.merges[1].a == 2);
    CHECK(d.merges[1].b == 4);
    CHECK(d.merges[2].a == 3);
    CHECK(d.merges[2].b == 5);
    CHECK(d.merges[2].size == 4);
}

TEST_CASE("agglomerate: permuting the rows permutes the labels (same partition)", "[cluster][hierarchical]") {
    const table t = load("blobs");
    std::vector<std::size_t> perm(t.rows);
    std::iota(perm.begin(), perm.end(), std::size_t(0));
    std::mt19937_64 rng(18);
    std::shuffle(perm.begin(), perm.end(), rng);
    table p = t;
    for (std::size_t i = 0; i < t.rows; ++i)
        std::copy_n(t.values.begin() + static_cast<std::ptrdiff_t>(perm[i] * t.cols), t.cols,
                    p.values.begin() + static_cast<std::ptrdiff_t>(i * t.cols));
    for (auto m : {tessera::linkage::ward, tessera::linkage::single, tessera::linkage::complete,
                   tessera::linkage::average}) {
        INFO(tessera::to_string(m));
        const auto d = tessera::agglomerate(t.view(), m), dp = tessera::agglomerate(p.view(), m);
        // A pair's distance has the same bits whichever row comes first, so min / max linkages
        // agree exactly; ward and average updates are summed in another order once the merged
        // clusters' representatives change, so they agree to rounding (1e-12 relative).
        const double tol = m == tessera::linkage::single || m == tessera::linkage::complete ? 0.0 : 1e-12;
        for (std::size_t i = 0; i < d.merges.size(); ++i) {
            CHECK(std::abs(dp.merges[i].height - d.merges[i].height) <= tol * d.merges[i].height);
            CHECK(dp.merges[i].size == d.merges[i].size);
        }
        for (std::size_t k : {2, 3, 5, 17}) {
            const auto l = tessera::cut_by_count(d, k), lp = tessera::cut_by_count(dp, k);
            std::vector<std::size_t> back(t.rows);
            for (std::size_t i = 0; i < t.rows; ++i) back[perm[i]] = lp[i];
            CHECK(same_partition(l, back));
        }
        const double h = d.merges[d.merges.size() - 4].height;
        const auto l = tessera::cut_by_distance(d, h), lp = tessera::cut_by_distance(dp, h);
        std::vector<std::size_t> back(t.rows);
        for (std::size_t i = 0; i < t.rows; ++i) back[perm[i]] = lp[i];
        CHECK(same_partition(l, back));
    }
}

TEST_CASE("cuts: limits and consistency between the two cuts", "[cluster][hierarchical]") {
    const table t = load("blobs");
    const auto d = tessera::agglomerate(t.view(), tessera::linkage::average);
    const std::size_t n = t.rows;
    CHECK(tessera::cut_by_count(d, 1) == std::vector<std::size_t>(n, 0));
    auto all = tessera::cut_by_count(d, n);
    std::sort(all.begin(), all.end());
    for (std::size_t i = 0; i < n; ++i) CHECK(all[i] == i);
    CHECK(tessera::cut_by_distance(d, std::numeric_limits<double>::infinity()) == std::vector<std::size_t>(n, 0));
    auto singles = tessera::cut_by_distance(d, -1.0);
    std::sort(singles.begin(), singles.end());
    for (std::size_t i = 0; i < n; ++i) CHECK(singles[i] == i);
    // Threshold between two heights: the same partition as the count cut, 1 + merges above.
    for (std::size_t m : {1u, 4u, 9u}) {
        const double t_mid = 0.5 * (d.merges[n - 1 - m].height + d.merges[n - 2 - m].height);
        CHECK(same_partition(tessera::cut_by_distance(d, t_mid), tessera::cut_by_count(d, m + 1)));
    }
}

TEST_CASE("agglomerate: one and two rows", "[cluster][hierarchical]") {
    const std::vector<double> x{1, 2, 4, 6};
    const auto one = tessera::agglomerate({x.data(), 1, 2, 0, {}}, tessera::linkage::ward);
    CHECK(one.leaves == 1);
    CHECK(one.merges.empty());
    CHECK(tessera::cut_by_count(one, 1) == std::vector<std::size_t>{0});
    CHECK(tessera::cut_by_distance(one, 0.0) == std::vector<std::size_t>{0});
    for (auto m : {tessera::linkage::ward, tessera::linkage::single}) {
        const auto two = tessera::agglomerate({x.data(), 2, 2, 0, {}}, m);
        REQUIRE(two.merges.size() == 1);
        CHECK(two.merges[0].height == 5.0);  // |(1, 2) - (4, 6)|
        CHECK(tessera::cut_by_count(two, 2) == std::vector<std::size_t>{1, 0});  // sklearn: heap [-1, 0]
        CHECK(tessera::cut_by_distance(two, 4.99) == std::vector<std::size_t>{0, 1});
        CHECK(tessera::cut_by_distance(two, 5.0) == std::vector<std::size_t>{0, 0});  // height <= t joins
    }
}

TEST_CASE("agglomerate and cuts: bad input", "[cluster][hierarchical][errors]") {
    const table t = load("blobs");
    const auto d = tessera::agglomerate(t.view(), tessera::linkage::ward);
    CHECK_THROWS_WITH(tessera::cut_by_count(d, 0), Catch::Contains("k = 0"));
    CHECK_THROWS_WITH(tessera::cut_by_count(d, t.rows + 1), Catch::Contains("301"));
    CHECK_THROWS_WITH(tessera::cut_by_distance(d, std::nan("")), Catch::Contains("NaN"));
    CHECK_THROWS_WITH(tessera::parse_linkage("median"), Catch::Contains("ward, single, complete, average"));
    CHECK(tessera::parse_linkage("single") == tessera::linkage::single);

    std::vector<double> x = t.values;
    x[7] = std::nan("");
    CHECK_THROWS_WITH(tessera::agglomerate({x.data(), t.rows, t.cols, 0, {}}, tessera::linkage::single),
                      Catch::Contains("row 1, column 3"));
    CHECK_THROWS_WITH(tessera::agglomerate({x.data(), 0, t.cols, 0, {}}, tessera::linkage::ward),
                      Catch::Contains("no rows"));

    // Above 65 536 rows the condensed matrix (16 GiB) is refused before anything is allocated.
    const std::vector<double> big(tessera::agglomerate_max_rows + 1, 0.5);
    CHECK_THROWS_WITH(tessera::agglomerate({big.data(), big.size(), 1, 0, {}}, tessera::linkage::ward),
                      Catch::Contains("at most 65536 rows"));

    tessera::dendrogram broken = d;
    broken.merges.pop_back();
    CHECK_THROWS_WITH(tessera::cut_by_count(broken, 2), Catch::Contains("needs 299 merges"));
    broken = d;
    broken.merges[5].b = broken.merges[5].a;
    CHECK_THROWS_WITH(tessera::cut_by_distance(broken, 1.0), Catch::Contains("merge 5"));
    broken = d;
    broken.merges[10].b = 2 * t.rows;
    CHECK_THROWS(tessera::cut_by_count(broken, 3));
}
