// tests for include/tessera/learn/feature_selection.hpp: RFE rankings identical to scikit-learn
// 1.2.1's RFE (tests/reference/learn/make_rfe_reference.py), sklearn's linear SVC coef_, RFE's
// elimination bookkeeping on hand-checked cases, and ReliefF against an independently written
// brute-force implementation plus its relevance properties.
#include <tessera/learn/feature_selection.hpp>
#if defined(TESSERA_TEST_HAVE_LIBSVM)
#include <tessera/learn/svm_train.hpp>
#endif

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace tessera;

namespace {

std::string rfe_dir() { return std::string(TESSERA_TEST_DATA_DIR) + "/learn/rfe/"; }

std::vector<std::string> split(const std::string& line) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) f.push_back(cell);
    return f;
}

struct labelled {
    std::vector<double> X;
    std::vector<int> y;
    std::size_t rows = 0, cols = 0;
    feature_matrix_view view() const { return {X.data(), rows, cols, 0, {}}; }
};

// <name>.csv: header, then x0..x{p-1}, y
labelled load_data(const std::string& name) {
    std::ifstream in(rfe_dir() + name + ".csv");
    REQUIRE(in.good());
    std::string line;
    std::getline(in, line);
    labelled d;
    d.cols = split(line).size() - 1;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto f = split(line);
        REQUIRE(f.size() == d.cols + 1);
        for (std::size_t j = 0; j < d.cols; ++j) d.X.push_back(std::stod(f[j]));
        d.y.push_back(static_cast<int>(std::lround(std::stod(f[d.cols]))));
        ++d.rows;
    }
    return d;
}

std::vector<double> doubles(const std::string& line) {
    std::vector<double> v;
    for (const auto& s : split(line)) v.push_back(std::stod(s));
    return v;
}

}  // namespace

namespace {

// Runs every case of <file> (name, n_features_to_select, step, min_gap, ranks…, support…) on
// <data>.csv with the given estimator; returns the number of cases.
template <class Estimator>
std::size_t check_rfe_cases(const std::string& data, const std::string& file, Estimator&& estimator) {
    const labelled d = load_data(data);
    std::ifstream in(rfe_dir() + file);
    REQUIRE(in.good());
    std::string line;
    std::getline(in, line);
    std::size_t n_cases = 0;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto f = split(line);
        REQUIRE(f.size() == 4 + 2 * d.cols);
        INFO(f[0]);
        rfe_options opt;
        opt.n_features_to_select = std::stoul(f[1]);
        opt.step = std::stod(f[2]);
        const rfe_result r = rfe(d.view(), d.y, estimator, opt);
        std::vector<std::size_t> ranking(d.cols);
        std::vector<bool> support(d.cols);
        for (std::size_t j = 0; j < d.cols; ++j) {
            ranking[j] = std::stoul(f[4 + j]);
            support[j] = f[4 + d.cols + j] == "1";
        }
        CHECK(r.ranking == ranking);
        CHECK(r.support == support);
        CHECK(r.n_features == opt.n_features_to_select);
        ++n_cases;
    }
    return n_cases;
}

}  // namespace

TEST_CASE("rfe: rankings identical to scikit-learn 1.2.1 RFE(LogisticRegression)", "[learn][feature_selection]") {
    CHECK(check_rfe_cases("binary", "binary_rfe.csv", rfe_logistic{}) == 3);
    CHECK(check_rfe_cases("multiclass", "multiclass_rfe.csv", rfe_logistic{}) == 3);
}

TEST_CASE("rfe: ranking identical to scikit-learn 1.2.1 RFE(GradientBoostingClassifier(random_state=0))",
          "[learn][feature_selection]") {
    // tests/reference/learn/make_gbt_reference.py: gbt/binary_train.csv (6 continuous features,
    // 400 rows), n_features_to_select=2, step=1; importances = feature_importances_² per round.
    const std::string dir = std::string(TESSERA_TEST_DATA_DIR) + "/learn/gbt/";
    std::ifstream in(dir + "binary_train.csv");
    REQUIRE(in.good());
    std::string line;
    std::getline(in, line);
    labelled d;
    d.cols = split(line).size() - 1;
    while (std::getline(in, line)) {
        const auto f = split(line);
        for (std::size_t j = 0; j < d.cols; ++j) d.X.push_back(std::stod(f[j]));
        d.y.push_back(std::stoi(f[d.cols]));
        ++d.rows;
    }
    std::ifstream rin(dir + "rfe_gbt_ranking.txt");
    std::vector<std::size_t> expected;
    for (std::size_t r; rin >> r;) expected.push_back(r);
    REQUIRE(expected.size() == d.cols);
    rfe_options o;
    o.n_features_to_select = 2;
    const rfe_result r = rfe(d.view(), d.y, rfe_gradient_boosting{}, o);
    CHECK(r.ranking == expected);
    CHECK(r.n_rounds == 4);
    // the importances are the squares of feature_importances_
    const auto g = fit_gradient_boosting(d.view(), d.y);
    const auto imp = g.feature_importances(), sq = rfe_importances(g);
    for (std::size_t j = 0; j < d.cols; ++j) CHECK(sq[j] == imp[j] * imp[j]);
}

#if defined(TESSERA_TEST_HAVE_LIBSVM)
TEST_CASE("rfe: rankings identical to scikit-learn 1.2.1 RFE(SVC(kernel='linear')) (libsvm)",
          "[learn][feature_selection]") {
    svm_train_options opt;
    opt.kernel.type = svm_kernel::linear;
    opt.C = 1.0;
    opt.tol = 1e-6;
    auto svc = [&](const double* X, std::size_t rows, std::size_t cols, std::span<const int> y) {
        return rfe_importances(train_svm(X, rows, cols, y.data(), opt));
    };
    CHECK(check_rfe_cases("binary", "binary_rfe_svc.csv", svc) == 2);
    CHECK(check_rfe_cases("multiclass", "multiclass_rfe_svc.csv", svc) == 2);
}
#endif

TEST_CASE("linear_svm_coef equals scikit-learn's SVC(kernel='linear').coef_", "[learn][feature_selection]") {
    for (const std::string name : {"binary", "multiclass"}) {
        INFO(name);
        const labelled d = load_data(name);
        std::ifstream in(rfe_dir() + name + "_svc.csv");
        REQUIRE(in.good());
        std::vector<std::string> lines;
        std::string line;
        while (std::getline(in, line))
            if (!line.empty()) lines.push_back(line);
        REQUIRE(lines.size() == 7);
        svm_parameters p;
        p.kernel.type = svm_kernel::linear;
        p.n_features = d.cols;
        for (double v : doubles(lines[0])) p.classes.push_back(static_cast<int>(v));
        for (double v : doubles(lines[1])) p.n_support.push_back(static_cast<std::size_t>(v));
        p.intercept = doubles(lines[2]);
        p.dual_coef = doubles(lines[3]);
        p.support_vectors = doubles(lines[4]);
        const std::vector<double> coef_ref = doubles(lines[5]), imp_ref = doubles(lines[6]);
        const tessera::svm_model model(p);
        const std::vector<double> coef = linear_svm_coef(model);
        REQUIRE(coef.size() == coef_ref.size());
        for (std::size_t i = 0; i < coef.size(); ++i) CHECK(coef[i] == Approx(coef_ref[i]).epsilon(1e-12).margin(1e-12));
        const std::vector<double> imp = rfe_importances(model);
        REQUIRE(imp.size() == d.cols);
        for (std::size_t j = 0; j < d.cols; ++j) CHECK(imp[j] == Approx(imp_ref[j]).epsilon(1e-12).margin(1e-13));

        svm_parameters rbf = p;
        rbf.kernel.type = svm_kernel::rbf;
        rbf.kernel.gamma = 0.1;
        CHECK_THROWS_AS(linear_svm_coef(tessera::svm_model(rbf)), error);
    }
}

namespace {

// A table whose first row holds each feature's importance; the estimator reads it back, so the
// elimination order is known in advance.
struct fixed_importances {
    std::vector<double> X;
    std::vector<int> y;
    std::size_t p;
    explicit fixed_importances(std::vector<double> w) : p(w.size()) {
        X = w;
        for (double v : w) X.push_back(v + 1);  // a second row
        y = {0, 1};
    }
    feature_matrix_view view() const { return {X.data(), 2, p, 0, {}}; }
};

std::vector<double> first_row(const double* X, std::size_t, std::size_t cols, std::span<const int>) {
    return {X, X + cols};
}

}  // namespace

TEST_CASE("rfe: elimination rounds, ranks, step, targets and ties", "[learn][feature_selection]") {
    const fixed_importances t({5, 1, 4, 2, 3, 0.5});
    rfe_options opt;
    opt.n_features_to_select = 2;
    {
        const auto r = rfe(t.view(), t.y, first_row, opt);
        CHECK(r.ranking == std::vector<std::size_t>{1, 4, 1, 3, 2, 5});
        CHECK(r.support == std::vector<bool>{true, false, true, false, false, false});
        CHECK(r.selected() == std::vector<std::size_t>{0, 2});
        CHECK(r.n_rounds == 4);
    }
    {
        opt.step = 3;  // round 1 drops f5, f1, f3; round 2 only min(3, 3 − 2) = 1: f4
        const auto r = rfe(t.view(), t.y, first_row, opt);
        CHECK(r.ranking == std::vector<std::size_t>{1, 3, 1, 3, 2, 3});
        CHECK(r.n_rounds == 2);
    }
    {
        opt.step = 0.4;  // floor(max(1, 0.4 · 6)) = 2 per round
        const auto r = rfe(t.view(), t.y, first_row, opt);
        CHECK(r.ranking == std::vector<std::size_t>{1, 3, 1, 2, 2, 3});
    }
    {
        opt.step = 0.01;  // max(1, 0.06) = 1
        CHECK(rfe(t.view(), t.y, first_row, opt).ranking == std::vector<std::size_t>{1, 4, 1, 3, 2, 5});
    }
    {
        rfe_options o;  // None: p / 2 = 3
        const auto r = rfe(t.view(), t.y, first_row, o);
        CHECK(r.n_features == 3);
        CHECK(r.ranking == std::vector<std::size_t>{1, 3, 1, 2, 1, 4});
        o.fraction_to_select = 0.34;  // floor(2.04) = 2
        CHECK(rfe(t.view(), t.y, first_row, o).n_features == 2);
        o.fraction_to_select = 1.0;  // everything, no fit
        const auto all = rfe(t.view(), t.y, first_row, o);
        CHECK(all.n_rounds == 0);
        CHECK(all.ranking == std::vector<std::size_t>(6, 1));
        o.n_features_to_select = 9;  // more than p: everything, as sklearn
        CHECK(rfe(t.view(), t.y, first_row, o).n_features == 6);
    }
    {
        // exact ties: lower index eliminated first (numpy's argsort for <= 16 features)
        const fixed_importances ties({2, 2, 1, 2});
        rfe_options o;
        o.n_features_to_select = 1;
        CHECK(rfe(ties.view(), ties.y, first_row, o).ranking == std::vector<std::size_t>{3, 2, 4, 1});
    }
}

TEST_CASE("rfe: errors", "[learn][feature_selection]") {
    const fixed_importances t({5, 1, 4, 2});
    rfe_options opt;
    auto bad = [&](rfe_options o) { CHECK_THROWS_AS(rfe(t.view(), t.y, first_row, o), error); };
    opt.step = 1.5;
    bad(opt);
    opt.step = 0;
    bad(opt);
    opt.step = -2;
    bad(opt);
    opt = {};
    opt.fraction_to_select = 1.5;
    bad(opt);
    opt.fraction_to_select = 0.1;  // floor(0.4) = 0
    bad(opt);
    const std::vector<int> short_y{0};
    CHECK_THROWS_AS(rfe(t.view(), short_y, first_row), error);
    auto wrong_size = [](const double*, std::size_t, std::size_t cols, std::span<const int>) {
        return std::vector<double>(cols + 1, 1.0);
    };
    CHECK_THROWS_AS(rfe(t.view(), t.y, wrong_size), error);
    auto not_finite = [](const double*, std::size_t, std::size_t cols, std::span<const int>) {
        return std::vector<double>(cols, std::numeric_limits<double>::quiet_NaN());
    };
    CHECK_THROWS_AS(rfe(t.view(), t.y, not_finite), error);
    const std::vector<double> one{1.0, 2.0};
    CHECK_THROWS_AS(rfe(feature_matrix_view{one.data(), 2, 1, 0, {}}, t.y, first_row), error);
    std::vector<double> nan_x = t.X;
    nan_x[5] = std::numeric_limits<double>::infinity();
    try {
        (void)rfe(feature_matrix_view{nan_x.data(), 2, 4, 0, {}}, t.y, first_row);
        FAIL("no throw");
    } catch (const error& e) {
        CHECK(std::string(e.what()).find("row 1, column 1") != std::string::npos);
    }
}

namespace {

// ReliefF written independently, straight from Robnik-Šikonja & Kononenko (2003), Fig. 3:
// W[A] := W[A] − diff(A, R, H_j)/(m·k_H) + Σ_{C≠class(R)} P(C)/(1 − P(class(R))) diff(A, R, M_j(C))/(m·k_C)
// with every neighbour list fully sorted by (distance, index).
std::vector<double> relieff_brute_force(const std::vector<double>& X, std::size_t n, std::size_t p,
                                        const std::vector<int>& y, std::size_t k) {
    std::vector<double> lo(p, 1e300), hi(p, -1e300);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t a = 0; a < p; ++a) {
            lo[a] = std::min(lo[a], X[i * p + a]);
            hi[a] = std::max(hi[a], X[i * p + a]);
        }
    auto diff = [&](std::size_t a, std::size_t i, std::size_t j) {
        if (hi[a] == lo[a]) return 0.0;
        return std::fabs(X[i * p + a] - X[j * p + a]) / (hi[a] - lo[a]);
    };
    std::vector<int> cls;
    for (int v : y)
        if (std::find(cls.begin(), cls.end(), v) == cls.end()) cls.push_back(v);
    auto prior = [&](int c) {
        double cnt = 0;
        for (int v : y) cnt += v == c ? 1 : 0;
        return cnt / double(n);
    };
    std::vector<double> W(p, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        for (int c : cls) {
            std::vector<std::pair<double, std::size_t>> cand;
            for (std::size_t j = 0; j < n; ++j) {
                if (j == i || y[j] != c) continue;
                double d = 0;
                for (std::size_t a = 0; a < p; ++a) d += diff(a, i, j);
                cand.emplace_back(d, j);
            }
            std::sort(cand.begin(), cand.end());
            const std::size_t kk = std::min(k, cand.size());
            for (std::size_t q = 0; q < kk; ++q)
                for (std::size_t a = 0; a < p; ++a) {
                    const double dv = diff(a, i, cand[q].second) / (double(n) * double(kk));
                    if (c == y[i])
                        W[a] -= dv;
                    else
                        W[a] += prior(c) / (1 - prior(y[i])) * dv;
                }
        }
    }
    return W;
}

}  // namespace

TEST_CASE("relieff equals an independent brute-force ReliefF", "[learn][feature_selection]") {
    std::mt19937_64 rng(20261206);
    std::normal_distribution<double> normal;
    std::uniform_int_distribution<int> level(0, 4);
    const std::size_t n = 57, p = 7;
    std::vector<int> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = i < 30 ? 3 : (i < 47 ? -1 : 8);  // unequal classes: 30, 17, 10
    std::shuffle(y.begin(), y.end(), rng);
    SECTION("real-valued features (a constant one among them)") {
        std::vector<double> X(n * p);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t a = 0; a < p; ++a)
                X[i * p + a] = a == 4 ? 2.5 : normal(rng) * double(a + 1) + (a == 1 ? 0.8 * y[i] : 0.0);
        for (std::size_t k : {1, 3, 10, 16, 40}) {
            INFO("k = " << k);
            const auto w = relieff({X.data(), n, p, 0, {}}, y, {k});
            const auto ref = relieff_brute_force(X, n, p, y, k);
            for (std::size_t a = 0; a < p; ++a) CHECK(std::fabs(w[a] - ref[a]) <= 1e-12);
            CHECK(w[4] == 0.0);
        }
    }
    SECTION("integer levels: many distance ties (broken by lower index) and duplicate rows") {
        std::vector<double> X(n * p);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t a = 0; a < p; ++a) X[i * p + a] = level(rng);  // range 4: diffs exact
        for (std::size_t a = 0; a < p; ++a) X[9 * p + a] = X[3 * p + a];
        for (std::size_t k : {1, 2, 5, 12}) {
            INFO("k = " << k);
            const auto w = relieff({X.data(), n, p, 0, {}}, y, {k});
            const auto ref = relieff_brute_force(X, n, p, y, k);
            for (std::size_t a = 0; a < p; ++a) CHECK(std::fabs(w[a] - ref[a]) <= 1e-12);
        }
    }
}

TEST_CASE("relieff: informative features outrank noise", "[learn][feature_selection]") {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(-1, 1);
    const std::size_t n = 200, p = 6;
    std::vector<double> X(n * p);
    std::vector<int> y(n);
    SECTION("a threshold on one feature") {
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t a = 0; a < p; ++a) X[i * p + a] = u(rng);
            y[i] = X[i * p + 2] + 0.2 * u(rng) > 0 ? 1 : 0;
        }
        const auto w = relieff({X.data(), n, p, 0, {}}, y, {10});
        for (std::size_t a = 0; a < p; ++a)
            if (a != 2) CHECK(w[2] > w[a] + 0.1);
    }
    SECTION("XOR of two features (an interaction univariate scores miss)") {
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t a = 0; a < p; ++a) X[i * p + a] = u(rng);
            y[i] = (X[i * p + 0] > 0) != (X[i * p + 3] > 0) ? 1 : 0;
        }
        const auto w = relieff({X.data(), n, p, 0, {}}, y, {10});
        for (std::size_t a : {1, 2, 4, 5}) {
            CHECK(w[0] > w[a]);
            CHECK(w[3] > w[a]);
        }
    }
}

TEST_CASE("relieff: errors", "[learn][feature_selection]") {
    const std::vector<double> X{0, 1, 2, 3, 4, 5};
    const std::vector<int> y{0, 1, 1};
    const feature_matrix_view v{X.data(), 3, 2, 0, {}};
    CHECK_NOTHROW(relieff(v, y, {1}));
    CHECK_THROWS_AS(relieff(v, y, {0}), error);
    CHECK_THROWS_AS(relieff(v, std::vector<int>{0, 0, 0}), error);
    CHECK_THROWS_AS(relieff(v, std::vector<int>{0, 1}), error);
    std::vector<double> bad = X;
    bad[3] = std::nan("");
    CHECK_THROWS_AS(relieff({bad.data(), 3, 2, 0, {}}, y), error);
}

TEST_CASE("merge_similar_classes equals scipy's hierarchical clustering of the class means",
          "[learn][feature_selection]") {
    const labelled d = load_data("classes");
    std::ifstream in(rfe_dir() + "classes_linkage.csv");
    REQUIRE(in.good());
    std::string line;
    std::size_t n_cases = 0;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        const auto f = split(line);
        const std::size_t K = 7;
        REQUIRE(f.size() == 2 + K + (K - 1));
        INFO(line);
        const class_linkage method = f[0] == "single"     ? class_linkage::single
                                     : f[0] == "complete" ? class_linkage::complete
                                                          : class_linkage::average;
        const double t = std::stod(f[1]);
        const class_merge_result m = merge_similar_classes(d.view(), d.y, t, method);
        REQUIRE(m.classes.size() == K);
        for (std::size_t c = 0; c < K; ++c) CHECK(m.group[c] == std::stoul(f[2 + c]));
        // merges performed = K − groups; their heights are scipy's first ones
        REQUIRE(m.merge_heights.size() == K - m.n_groups());
        for (std::size_t q = 0; q < m.merge_heights.size(); ++q)
            CHECK(m.merge_heights[q] == Approx(std::stod(f[2 + K + q])).epsilon(1e-12));
        for (std::size_t g = 0; g < m.n_groups(); ++g) {
            const auto first = std::find(m.group.begin(), m.group.end(), g) - m.group.begin();
            CHECK(m.representative[g] == m.classes[static_cast<std::size_t>(first)]);
        }
        ++n_cases;
    }
    CHECK(n_cases == 3 * 7);

    // the full tree (threshold infinity) and relabelling
    const auto all = merge_similar_classes(d.view(), d.y, std::numeric_limits<double>::infinity());
    CHECK(all.n_groups() == 1);
    CHECK(all.merge_heights.size() == 6);
    CHECK(std::is_sorted(all.merge_heights.begin(), all.merge_heights.end()));
    const auto m = merge_similar_classes(d.view(), d.y, 1.0, class_linkage::average);  // {10, 13, 16}, {12, 15}
    const std::vector<int> merged = merge_classes(d.y, m);
    for (std::size_t i = 0; i < d.y.size(); ++i) {
        const int expect = d.y[i] == 13 || d.y[i] == 16 ? 10 : d.y[i] == 15 ? 12 : d.y[i];
        CHECK(merged[i] == expect);
    }
    CHECK_THROWS_AS(merge_classes(std::vector<int>{10, 99}, m), error);
    CHECK_THROWS_AS(merge_similar_classes(d.view(), d.y, -1.0), error);
    CHECK_THROWS_AS(merge_similar_classes(d.view(), std::vector<int>(d.rows, 3), 1.0), error);
}
