// tests for include/tessera/learn/gradient_boosting.hpp: scikit-learn 1.2.1's
// GradientBoostingClassifier (tests/reference/learn/make_gbt_reference.py) on continuous 2- and
// 3-class data, stochastic boosting (subsample 0.5) and integer CuZr glass descriptors full of
// tied splits; a converted scikit-learn model (scripts/sklearn_to_tessera.py); properties.
#include <tessera/learn/gradient_boosting.hpp>
#include <tessera/learn/model_file.hpp>

#include "../support/learn_reference.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace tessera;

namespace {

struct table {
    std::vector<double> x;
    std::vector<int> y;
    std::size_t rows = 0, cols = 0;
    [[nodiscard]] feature_matrix_view view() const { return {x.data(), rows, cols}; }
};

// features f0.. and an integer "label" column
table read_table(const std::string& name) {
    const auto t = tessera_test::read_csv(name);
    table r;
    const std::size_t lab = t.column("label");
    for (const auto& h : t.header) r.cols += h.size() > 1 && h[0] == 'f' ? 1 : 0;
    for (const auto& row : t.rows) {
        for (std::size_t j = 0; j < r.cols; ++j) r.x.push_back(row[t.column("f" + std::to_string(j))]);
        r.y.push_back(int(row[lab]));
    }
    r.rows = r.y.size();
    return r;
}

std::vector<double> read_line(const std::string& name) {
    std::ifstream in(tessera_test::learn_reference_path(name));
    REQUIRE(in.good());
    std::vector<double> v;
    std::string s;
    while (in >> s) v.push_back(std::strtod(s.c_str(), nullptr));
    return v;
}

gradient_boosting_options read_options(const std::string& name) {
    const auto v = read_line(name);
    REQUIRE(v.size() == 6);
    gradient_boosting_options o;
    o.n_estimators = std::size_t(v[0]);
    o.learning_rate = v[1];
    o.max_depth = std::size_t(v[2]);
    o.subsample = v[3];
    o.min_samples_leaf = std::size_t(v[4]);
    o.seed = std::uint64_t(v[5]);
    return o;
}

// Tolerance: 1e-12 relative (floor 1e-15 absolute for values near 0). tessera repeats
// scikit-learn's operations in its order with the same C-library exp/log the reference was made
// with, and the values come out bitwise equal here; the slack covers another C library's exp/log
// (1 ulp) accumulated over the stages — far below any difference a changed split would make.
bool close(double a, double b) { return std::abs(a - b) <= 1e-12 * std::abs(b) + 1e-15; }

// Compares decision_function, predict_proba and predict on the training and query rows with
// <case>_expected.csv; returns the number of values that are bitwise equal.
std::size_t require_expected(const std::string& expected, const std::vector<double>& dec, const std::vector<double>& proba,
                             const std::vector<int>& pred, std::size_t K) {
    const auto e = tessera_test::read_csv(expected);
    const std::size_t kp = K == 2 ? 1 : K;
    REQUIRE(e.rows.size() * kp == dec.size());
    REQUIRE(e.rows.size() * K == proba.size());
    std::size_t exact = 0;
    for (std::size_t i = 0; i < e.rows.size(); ++i) {
        const auto& r = e.rows[i];
        INFO(expected << " row " << i);
        REQUIRE(pred[i] == int(r[1]));
        for (std::size_t k = 0; k < kp; ++k) {
            REQUIRE(close(dec[i * kp + k], r[2 + k]));
            exact += dec[i * kp + k] == r[2 + k] ? 1 : 0;
        }
        for (std::size_t k = 0; k < K; ++k) {
            REQUIRE(close(proba[i * K + k], r[2 + kp + k]));
            exact += proba[i * K + k] == r[2 + kp + k] ? 1 : 0;
        }
    }
    return exact;
}

table concat(const table& a, const table& b) {
    table r = a;
    r.x.insert(r.x.end(), b.x.begin(), b.x.end());
    r.y.insert(r.y.end(), b.y.begin(), b.y.end());
    r.rows += b.rows;
    return r;
}

void require_case(const std::string& c, const std::string& train, const std::string& query,
                  std::vector<int> (*relabel)(const std::vector<int>&) = nullptr) {
    table tr = read_table(train);
    if (relabel) tr.y = relabel(tr.y);
    const table all = concat(tr, read_table(query));
    const auto opt = read_options("gbt/" + c + "_options.txt");
    const auto g = fit_gradient_boosting(tr.view(), tr.y, opt);
    REQUIRE(g.n_stages() == opt.n_estimators);
    const std::size_t K = g.n_classes();
    const auto dec = g.decision_function(all.view());
    const auto proba = g.predict_proba(all.view());
    const auto pred = g.predict(all.view());
    const std::size_t exact = require_expected("gbt/" + c + "_expected.csv", dec, proba, pred, K);
    INFO(c << ": " << exact << " of " << dec.size() + proba.size() << " values bitwise equal to scikit-learn's");
    CHECK(exact * 10 >= (dec.size() + proba.size()) * 9);  // in practice all of them
    const auto imp = g.feature_importances();
    const auto ref = read_line("gbt/" + c + "_importances.txt");
    REQUIRE(imp.size() == ref.size());
    for (std::size_t j = 0; j < imp.size(); ++j) CHECK(std::abs(imp[j] - ref[j]) <= 1e-12);
    // probabilities: a distribution; predict = argmax
    for (std::size_t i = 0; i < all.rows; ++i) {
        double s = 0;
        for (std::size_t k = 0; k < K; ++k) s += proba[i * K + k];
        CHECK(std::abs(s - 1) <= 1e-12);
    }
}

}  // namespace

TEST_CASE("gradient_boosting: 2 classes, continuous, identical to scikit-learn", "[learn][gradient_boosting]") {
    require_case("binary", "gbt/binary_train.csv", "gbt/binary_query.csv");
}

TEST_CASE("gradient_boosting: 3 classes (multinomial, one tree per class per stage)", "[learn][gradient_boosting]") {
    require_case("multi", "gbt/multi_train.csv", "gbt/multi_query.csv");
}

TEST_CASE("gradient_boosting: stochastic (subsample 0.5, min_samples_leaf 5, depth 2, rate 0.2)",
          "[learn][gradient_boosting]") {
    // The subsample masks come from NumPy's RandomState stream, reproduced: the same rows per stage.
    require_case("subsample", "gbt/binary_train.csv", "gbt/binary_query.csv");
}

TEST_CASE("gradient_boosting: CuZr glass descriptors (integer features, tied splits), atom type",
          "[learn][gradient_boosting]") {
    // 800 atoms × 6 integer neighbour counts, 100 stages: many nodes have several equally good
    // splits; scikit-learn's random feature order (random_state=0) picks one, and so does tessera.
    require_case("cuzr_type", "knn_cuzr_train.csv", "knn_cuzr_query.csv");
}

TEST_CASE("gradient_boosting: CuZr glass descriptors, 3 coordination classes", "[learn][gradient_boosting]") {
    const auto t = tessera_test::read_csv("knn_cuzr_train.csv");
    static std::vector<int> cn;
    cn.clear();
    for (const auto& r : t.rows) {
        const double target = r[t.column("target")];
        cn.push_back(target <= 12 ? 0 : target == 13 ? 1 : 2);
    }
    require_case("cuzr_cn", "knn_cuzr_train.csv", "knn_cuzr_query.csv", [](const std::vector<int>&) { return cn; });
}

TEST_CASE("gradient_boosting: converted scikit-learn models predict identically and equal tessera's fit",
          "[learn][gradient_boosting]") {
    struct conv {
        const char* json;
        const char* expected;
        const char* train;
        const char* query;
        std::size_t stages;
        std::uint64_t seed;
    };
    for (const conv c : {conv{"gbt/gbt_binary_small.json", "gbt/binary_small_expected.csv", "gbt/binary_train.csv",
                              "gbt/binary_query.csv", 20, 0},
                         conv{"gbt/gbt_multi_small.json", "gbt/multi_small_expected.csv", "gbt/multi_train.csv",
                              "gbt/multi_query.csv", 10, 5}}) {
        INFO(c.json);
        const learned_model lm = load_model(tessera_test::learn_reference_path(c.json));
        REQUIRE(lm.kind == "gbt");
        const table tr = read_table(c.train), all = concat(tr, read_table(c.query));
        const auto p = lm.predict(all.x, all.rows);
        const std::size_t K = p.classes.size();
        std::vector<int> pred(p.label.begin(), p.label.end());
        const auto dec = lm.gbt->decision_function(all.view());
        require_expected(c.expected, dec, p.proba, pred, K);
        if (K == 2) CHECK(p.decision == dec);
        // tessera's own fit with the same options grows the same trees, node for node.
        gradient_boosting_options o;
        o.n_estimators = c.stages;
        o.seed = c.seed;
        const auto g = fit_gradient_boosting(tr.view(), tr.y, o);
        REQUIRE(g.trees().size() == lm.gbt->trees().size());
        for (std::size_t t = 0; t < g.trees().size(); ++t) {
            const auto &a = g.trees()[t], &b = lm.gbt->trees()[t];
            INFO("tree " << t);
            CHECK(a.feature == b.feature);
            CHECK(a.threshold == b.threshold);
            CHECK(a.children_left == b.children_left);
            CHECK(a.n_node_samples == b.n_node_samples);
            for (std::size_t v = 0; v < a.node_count() && v < b.node_count(); ++v)
                CHECK(close(a.value[v], b.value[v]));
        }
        CHECK(g.init()[0] == lm.gbt->init()[0]);
        const auto ia = g.feature_importances(), ib = lm.gbt->feature_importances();
        for (std::size_t j = 0; j < ia.size(); ++j) CHECK(std::abs(ia[j] - ib[j]) <= 1e-12);
    }
}

TEST_CASE("gradient_boosting: permuting the training rows changes nothing but rounding", "[learn][gradient_boosting]") {
    // Continuous features: no tied splits, so the trees are the same; the sums run in another
    // order, so values may move by rounding only.
    const table tr = read_table("gbt/binary_train.csv"), q = read_table("gbt/binary_query.csv");
    gradient_boosting_options o;
    o.n_estimators = 30;
    const auto a = fit_gradient_boosting(tr.view(), tr.y, o);
    std::vector<std::size_t> perm(tr.rows);
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    std::mt19937_64 rng(5);
    std::shuffle(perm.begin(), perm.end(), rng);
    table pt = tr;
    for (std::size_t i = 0; i < tr.rows; ++i) {
        pt.y[i] = tr.y[perm[i]];
        for (std::size_t j = 0; j < tr.cols; ++j) pt.x[i * tr.cols + j] = tr.x[perm[i] * tr.cols + j];
    }
    const auto b = fit_gradient_boosting(pt.view(), pt.y, o);
    CHECK(a.predict(q.view()) == b.predict(q.view()));
    const auto da = a.decision_function(q.view()), db = b.decision_function(q.view());
    for (std::size_t i = 0; i < da.size(); ++i) CHECK(std::abs(da[i] - db[i]) <= 1e-12 * std::max(1.0, std::abs(da[i])));
    for (std::size_t t = 0; t < a.trees().size(); ++t) {
        CHECK(a.trees()[t].feature == b.trees()[t].feature);
        CHECK(a.trees()[t].threshold == b.trees()[t].threshold);
    }
}

TEST_CASE("gradient_boosting: decision_function is each row's walk through every tree, any depth",
          "[learn][gradient_boosting]") {
    // decision_function evaluates trees of depth <= 4 as completed trees over SIMD lanes and
    // deeper ones row by row; both must equal the plain definition F_0 + Σ_m ν·γ(leaf of x in
    // tree m) (regression_tree::apply on the float32 row, terms added in stage order), bitwise.
    // Depths 1..6 (with leaves at several depths: min_samples_leaf stops branches early), 2 and
    // 3 classes, a row count that is not a multiple of the block or the lane count, and a
    // strided view.
    std::mt19937_64 rng(17);
    std::normal_distribution<double> g(0, 1);
    const std::size_t n = 203, p = 5, stride = 7;
    std::vector<double> x(n * stride, 99.0);
    std::vector<int> y2(n), y3(n);
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < p; ++j) x[i * stride + j] = g(rng) * (j + 1);
        y2[i] = x[i * stride] + 0.5 * g(rng) > 0 ? 1 : 0;
        y3[i] = int(i % 3);
    }
    const feature_matrix_view v{x.data(), n, p, stride, {}};
    for (std::size_t depth = 1; depth <= 6; ++depth)
        for (const auto* y : {&y2, &y3}) {
            gradient_boosting_options o;
            o.n_estimators = 7;
            o.max_depth = depth;
            o.min_samples_leaf = 9;
            o.learning_rate = 0.3;
            const auto m = fit_gradient_boosting(v, *y, o);
            const std::size_t kp = m.trees_per_stage();
            const auto dec = m.decision_function(v);
            REQUIRE(dec.size() == n * kp);
            std::size_t mismatches = 0;
            std::vector<float> row(p);
            for (std::size_t i = 0; i < n; ++i) {
                for (std::size_t j = 0; j < p; ++j) row[j] = static_cast<float>(x[i * stride + j]);
                for (std::size_t k = 0; k < kp; ++k) {
                    double f = m.init()[k];
                    for (std::size_t s = 0; s < m.n_stages(); ++s) {
                        const regression_tree& t = m.tree(s, k);
                        f += detail::rounded_product(m.learning_rate(), t.value[t.apply(row.data())]);
                    }
                    mismatches += f == dec[i * kp + k] ? 0 : 1;
                }
            }
            INFO("depth " << depth << ", " << kp << " columns");
            CHECK(mismatches == 0);
        }
}

TEST_CASE("gradient_boosting: pointer interface, labels, degenerate data", "[learn][gradient_boosting]") {
    // Labels need not be 0..K-1; the pointer overloads equal the view ones.
    std::vector<double> x;
    std::vector<int> y;
    std::mt19937 rng(3);
    std::normal_distribution<double> g(0, 1);
    for (int i = 0; i < 60; ++i) {
        const int c = i % 3;
        x.push_back(g(rng) + c);
        x.push_back(g(rng));
        y.push_back(c * 10 - 7);
    }
    gradient_boosting_classifier m(gradient_boosting_options{20, 0.3, 2, 1.0, 1, 2, 1});
    m.fit(x.data(), 60, 2, y);
    CHECK(std::vector<int>(m.classes().begin(), m.classes().end()) == std::vector<int>{-7, 3, 13});
    std::vector<int> out(60);
    m.predict(x.data(), 60, 2, out);
    CHECK(out == m.predict(feature_matrix_view{x.data(), 60, 2}));
    CHECK(m.decision_function(x.data(), 60, 2).size() == 180);
    // Perfectly separable on one feature: trees stop at pure leaves, probabilities approach 0/1.
    std::vector<double> xs{0, 1, 2, 3, 10, 11, 12, 13};
    std::vector<int> ys{0, 0, 0, 0, 1, 1, 1, 1};
    const auto s = fit_gradient_boosting(feature_matrix_view{xs.data(), 8, 1}, ys);
    const auto ps = s.predict(feature_matrix_view{xs.data(), 8, 1});
    CHECK(ps == ys);
    const auto imp = s.feature_importances();
    CHECK(imp == std::vector<double>{1.0});
}

TEST_CASE("gradient_boosting: errors", "[learn][gradient_boosting]") {
    std::vector<double> x{0, 1, 2, 3};
    std::vector<int> y{0, 1, 0, 1}, one{1, 1, 1, 1}, three{0, 1, 0};
    const feature_matrix_view X{x.data(), 4, 1};
    CHECK_THROWS_AS(fit_gradient_boosting(X, one), error);
    CHECK_THROWS_AS(fit_gradient_boosting(X, three), error);
    auto bad = [&](auto set) {
        gradient_boosting_options o;
        set(o);
        CHECK_THROWS_AS(fit_gradient_boosting(X, y, o), error);
    };
    bad([](gradient_boosting_options& o) { o.n_estimators = 0; });
    bad([](gradient_boosting_options& o) { o.learning_rate = 0; });
    bad([](gradient_boosting_options& o) { o.learning_rate = NAN; });
    bad([](gradient_boosting_options& o) { o.subsample = 0; });
    bad([](gradient_boosting_options& o) { o.subsample = 1.5; });
    bad([](gradient_boosting_options& o) { o.max_depth = 0; });
    bad([](gradient_boosting_options& o) { o.min_samples_leaf = 0; });
    bad([](gradient_boosting_options& o) { o.min_samples_split = 1; });
    bad([](gradient_boosting_options& o) { o.seed = 1ull << 32; });
    std::vector<double> xn{0, NAN, 2, 3};
    CHECK_THROWS_AS(fit_gradient_boosting(feature_matrix_view{xn.data(), 4, 1}, y), error);
    gradient_boosting_classifier unfitted;
    CHECK_THROWS_AS(unfitted.predict(X), error);
    CHECK_THROWS_AS(unfitted.feature_importances(), error);
    const auto m = fit_gradient_boosting(X, y);
    std::vector<double> x2{0, 1};
    CHECK_THROWS_AS(m.predict(feature_matrix_view{x2.data(), 1, 2}), error);
    CHECK_THROWS_AS(m.decision_function(feature_matrix_view{xn.data(), 4, 1}), error);
    // from_parts validation
    CHECK_THROWS_AS(gradient_boosting_classifier::from_parts({0}, 1, 0.1, {0.0}, {}), error);
    CHECK_THROWS_AS(gradient_boosting_classifier::from_parts({0, 1}, 1, 0.1, {0.0}, {}), error);
    CHECK_THROWS_AS(gradient_boosting_classifier::from_parts({0, 1}, 1, 0.1, {0.0, 0.0}, {m.trees()[0]}), error);
    CHECK_THROWS_AS(gradient_boosting_classifier::from_parts({1, 0}, 1, 0.1, {0.0}, {m.trees()[0]}), error);
    CHECK_NOTHROW(gradient_boosting_classifier::from_parts({0, 1}, 1, 0.1, {0.0}, {m.trees()[0]}));
    regression_tree broken = m.trees()[0];
    if (broken.node_count() > 1) {
        broken.feature[0] = 5;
        CHECK_THROWS_AS(gradient_boosting_classifier::from_parts({0, 1}, 1, 0.1, {0.0}, {broken}), error);
    }
}
