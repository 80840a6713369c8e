// tests for include/tessera/learn/regression_tree.hpp: DecisionTreeRegressor(criterion=
// "friedman_mse") of scikit-learn 1.2.1 (tests/reference/learn/make_gbt_reference.py), node for
// node, and the NumPy / scikit-learn random streams it depends on.
#include <tessera/learn/regression_tree.hpp>

#include "../support/learn_reference.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

using namespace tessera;

namespace {

// Compares a fitted tree with scikit-learn's arrays. Exact: the tree reproduces scikit-learn's
// visiting order, sort, partition and every sum's order, so even impurities agree to the bit
// (the reference was made with NumPy's C-library exp/log, irrelevant for a single tree anyway).
void require_tree(const std::string& name, std::size_t max_depth, std::uint32_t seed) {
    const auto data = tessera_test::read_csv("gbt/tree_" + name + "_x.csv");
    const auto ref = tessera_test::read_csv("gbt/tree_" + name + ".csv");
    const std::size_t p = data.header.size() - 1, n = data.rows.size();
    std::vector<double> x, y;
    for (const auto& r : data.rows) {
        x.insert(x.end(), r.begin(), r.begin() + std::ptrdiff_t(p));
        y.push_back(r[p]);
    }
    regression_tree_options o;
    o.max_depth = max_depth;
    const regression_tree t = fit_regression_tree(feature_matrix_view{x.data(), n, p}, y, o, seed);
    REQUIRE(t.node_count() == ref.rows.size());
    std::size_t leaves = 0;
    for (std::size_t v = 0; v < t.node_count(); ++v) {
        const auto& r = ref.rows[v];
        INFO(name << " node " << v);
        REQUIRE(t.children_left[v] == std::int64_t(r[1]));
        REQUIRE(t.children_right[v] == std::int64_t(r[2]));
        REQUIRE(t.feature[v] == std::int64_t(r[3]));
        REQUIRE(t.threshold[v] == r[4]);
        REQUIRE(t.impurity[v] == r[5]);
        REQUIRE(t.n_node_samples[v] == std::int64_t(r[6]));
        REQUIRE(t.weighted_n_node_samples[v] == r[7]);
        REQUIRE(t.value[v] == r[8]);
        leaves += t.is_leaf(v) ? 1 : 0;
    }
    CHECK(leaves > 10);
    // apply(): every training row reaches a leaf whose mean is its target's leaf mean.
    std::vector<float> row(p);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < p; ++j) row[j] = static_cast<float>(x[i * p + j]);
        REQUIRE(t.is_leaf(t.apply(row.data())));
    }
}

}  // namespace

TEST_CASE("regression_tree: continuous data, identical to DecisionTreeRegressor(friedman_mse, max_depth=6)",
          "[learn][regression_tree]") {
    require_tree("continuous", 6, 0);
}

TEST_CASE("regression_tree: integer features and a two-valued target (ties broken as scikit-learn's "
          "random feature order breaks them)",
          "[learn][regression_tree]") {
    // 800 CuZr atoms, 6 integer neighbour counts, target ±: most nodes have several equally good
    // splits; only the reproduced RNG stream picks scikit-learn's.
    require_tree("ties", 8, 42);
}

TEST_CASE("regression_tree: another seed breaks the ties differently", "[learn][regression_tree]") {
    const auto data = tessera_test::read_csv("gbt/tree_ties_x.csv");
    std::vector<double> x, y;
    for (const auto& r : data.rows) {
        x.insert(x.end(), r.begin(), r.begin() + 6);
        y.push_back(r[6]);
    }
    const feature_matrix_view X{x.data(), y.size(), 6};
    regression_tree_options o;
    o.max_depth = 8;
    const auto a = fit_regression_tree(X, y, o, 42), b = fit_regression_tree(X, y, o, 43), c = fit_regression_tree(X, y, o, 42);
    CHECK(a.feature == c.feature);
    CHECK(a.threshold == c.threshold);
    CHECK((a.feature != b.feature || a.threshold != b.threshold));
    // Whatever the tie-break, the root's split is one of the equally best: the same impurity
    // decrease, hence the same total importance at the root.
    auto root_gain = [](const regression_tree& t) {
        const auto l = std::size_t(t.children_left[0]), r = std::size_t(t.children_right[0]);
        return t.weighted_n_node_samples[0] * t.impurity[0] - t.weighted_n_node_samples[l] * t.impurity[l] -
               t.weighted_n_node_samples[r] * t.impurity[r];
    };
    CHECK(std::abs(root_gain(a) - root_gain(b)) <= 1e-12 * root_gain(a));
}

TEST_CASE("regression_tree: numpy RandomState streams", "[learn][regression_tree]") {
    // np.random.RandomState(0).randint(0, 2**31 - 1, size=3) and .uniform(size=2) after them
    // (printed by NumPy 1.24.2).
    detail::numpy_random_state rs(0);
    CHECK(rs.randint_rand_r_max() == 209652396u);
    CHECK(rs.randint_rand_r_max() == 398764591u);
    CHECK(rs.randint_rand_r_max() == 924231285u);
    detail::numpy_random_state u(0);
    CHECK(u.uniform() == 0.5488135039273248);
    CHECK(u.uniform() == 0.7151893663724195);
}

TEST_CASE("regression_tree: options and input errors", "[learn][regression_tree]") {
    std::vector<double> x{0, 1, 2, 3}, y{0, 1, 0, 1};
    const feature_matrix_view X{x.data(), 4, 1};
    regression_tree_options o;
    o.max_depth = 0;
    CHECK_THROWS_AS(fit_regression_tree(X, y, o), error);
    o = {};
    o.min_samples_split = 1;
    CHECK_THROWS_AS(fit_regression_tree(X, y, o), error);
    o = {};
    o.min_samples_leaf = 0;
    CHECK_THROWS_AS(fit_regression_tree(X, y, o), error);
    std::vector<double> y3{0, 1, 0};
    CHECK_THROWS_AS(fit_regression_tree(X, y3), error);
    std::vector<double> ynan{0, NAN, 0, 1};
    CHECK_THROWS_AS(fit_regression_tree(X, ynan), error);
    std::vector<double> big{0, 1e39, 2, 3};
    CHECK_THROWS_AS(fit_regression_tree(feature_matrix_view{big.data(), 4, 1}, y), error);
    // A constant target: a single leaf holding the mean.
    std::vector<double> yc{2, 2, 2, 2};
    const auto t = fit_regression_tree(X, yc);
    CHECK(t.node_count() == 1);
    CHECK(t.value[0] == 2.0);
    // Constant features: no split possible.
    std::vector<double> xc{1, 1, 1, 1};
    CHECK(fit_regression_tree(feature_matrix_view{xc.data(), 4, 1}, y).node_count() == 1);
}
