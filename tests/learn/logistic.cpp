// tests for include/tessera/learn/logistic.hpp: scikit-learn 1.2.1 references
// (tests/reference/learn/make_logistic_reference.py) and properties of the optimum.
#include <tessera/learn/logistic.hpp>

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

namespace {

std::string logistic_dir() { return std::string(TESSERA_TEST_DATA_DIR) + "/learn/logistic/"; }

// Numeric CSV (optionally skipping a header line) into rows of doubles.
std::vector<std::vector<double>> read_csv(const std::string& path, bool header) {
    std::ifstream in(path);
    REQUIRE(in.good());
    std::vector<std::vector<double>> rows;
    std::string line;
    if (header) std::getline(in, line);
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::vector<double> row;
        std::stringstream ss(line);
        std::string cell;
        while (std::getline(ss, cell, ',')) row.push_back(std::stod(cell));
        rows.push_back(row);
    }
    return rows;
}

struct reference_case {
    std::string name;
    double C = 1;
    std::string class_weight;
    bool weighted = false;
    std::size_t p = 0, K = 0;
};

std::vector<reference_case> read_cases() {
    std::ifstream in(logistic_dir() + "cases.csv");
    REQUIRE(in.good());
    std::string line;
    std::getline(in, line);
    std::vector<reference_case> cases;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::stringstream ss(line);
        std::vector<std::string> f;
        std::string cell;
        while (std::getline(ss, cell, ',')) f.push_back(cell);
        REQUIRE(f.size() >= 6);
        cases.push_back({f[0], std::stod(f[1]), f[2], f[3] == "1", std::stoul(f[4]), std::stoul(f[5])});
    }
    return cases;
}

struct dataset {
    std::vector<double> X;
    std::vector<int> y;
    std::vector<double> w;
    std::size_t rows = 0, cols = 0;
};

dataset load_dataset(const std::string& name, std::size_t p) {
    const auto rows = read_csv(logistic_dir() + name + ".csv", true);
    dataset d;
    d.rows = rows.size();
    d.cols = p;
    for (const auto& r : rows) {
        REQUIRE(r.size() == p + 2);
        d.X.insert(d.X.end(), r.begin(), r.begin() + static_cast<std::ptrdiff_t>(p));
        d.y.push_back(static_cast<int>(std::lround(r[p])));
        d.w.push_back(r[p + 1]);
    }
    return d;
}

tessera::logistic_options options_of(const reference_case& c) {
    tessera::logistic_options o;
    if (c.C == 0)
        o.penalty = tessera::logistic_penalty::none;
    else
        o.C = c.C;
    o.class_weight = c.class_weight == "balanced" ? tessera::class_weight_mode::balanced
                                                  : tessera::class_weight_mode::none;
    return o;
}

double max_diff(std::span<const double> a, std::span<const double> b) {
    REQUIRE(a.size() == b.size());
    double r = 0;
    for (std::size_t i = 0; i < a.size(); ++i) r = std::max(r, std::abs(a[i] - b[i]));
    return r;
}

// coef rows with the intercept appended, as the reference files store them.
std::vector<double> parameters(const tessera::logistic_regression& m) {
    std::vector<double> out;
    const std::size_t p = m.n_features();
    for (std::size_t k = 0; k < m.coef_rows(); ++k) {
        out.insert(out.end(), m.coef().begin() + static_cast<std::ptrdiff_t>(k * p),
                   m.coef().begin() + static_cast<std::ptrdiff_t>((k + 1) * p));
        out.push_back(m.intercept()[k]);
    }
    return out;
}

}  // namespace

TEST_CASE("logistic_regression equals scikit-learn 1.2.1 (newton-cg, tol 1e-8)", "[learn][logistic]") {
    const auto cases = read_cases();
    REQUIRE(cases.size() >= 8);
    for (const auto& c : cases) {
        INFO("case " << c.name);
        const dataset d = load_dataset(c.name, c.p);
        tessera::logistic_regression model(options_of(c));
        model.fit(d.X.data(), d.rows, d.cols, d.y, c.weighted ? std::span<const double>(d.w) : std::span<const double>{});
        REQUIRE(model.n_classes() == c.K);
        REQUIRE(std::is_sorted(model.classes().begin(), model.classes().end()));
        REQUIRE(model.coef_rows() == (c.K == 2 ? 1u : c.K));

        std::vector<double> ref_params;
        for (const auto& r : read_csv(logistic_dir() + c.name + "_coef.csv", false))
            ref_params.insert(ref_params.end(), r.begin(), r.end());
        const double dp = max_diff(parameters(model), ref_params);
        INFO("max |coef - sklearn| = " << dp << ", Newton iterations " << model.iterations()
                                       << ", max|grad| " << model.gradient_norm());
        // The issue asks for 1e-6; achieved: <= 2.5e-9 (the reference's own max|grad| is up to
        // 1.5e-8, see cases.csv), so the check is 1e-8.
        CHECK(dp < 1e-8);

        const auto ref_proba = read_csv(logistic_dir() + c.name + "_proba.csv", false);
        const auto proba = model.predict_proba(d.X.data(), d.rows, d.cols);
        const auto pred = model.predict(d.X.data(), d.rows, d.cols);
        double dprob = 0;
        std::size_t mismatches = 0;
        for (std::size_t i = 0; i < d.rows; ++i) {
            REQUIRE(ref_proba[i].size() == c.K + 1);
            double sum = 0;
            for (std::size_t k = 0; k < c.K; ++k) {
                dprob = std::max(dprob, std::abs(proba[i * c.K + k] - ref_proba[i][k]));
                sum += proba[i * c.K + k];
            }
            CHECK(sum == Approx(1.0).margin(1e-14));
            mismatches += pred[i] != static_cast<int>(std::lround(ref_proba[i][c.K]));
        }
        INFO("max |proba - sklearn| = " << dprob);
        CHECK(dprob < 1e-8);  // achieved: <= 1.2e-9
        CHECK(mismatches == 0);

        // Multinomial representative: intercepts (and, with penalty none, coefficient vectors) sum to 0.
        if (c.K > 2) {
            double sb = 0;
            for (double b : model.intercept()) sb += b;
            CHECK(std::abs(sb) < 1e-12);
        }
    }
}

TEST_CASE("logistic_regression: the optimum's invariances", "[learn][logistic]") {
    const auto cases = read_cases();
    for (const auto& c : cases) {
        INFO("case " << c.name);
        const dataset d = load_dataset(c.name, c.p);
        const std::span<const double> w = c.weighted ? std::span<const double>(d.w) : std::span<const double>{};
        tessera::logistic_regression base(options_of(c));
        base.fit(d.X.data(), d.rows, d.cols, d.y, w);
        const auto p0 = parameters(base);

        {  // row permutation
            std::vector<std::size_t> perm(d.rows);
            std::iota(perm.begin(), perm.end(), 0);
            std::mt19937_64 rng(7);
            std::shuffle(perm.begin(), perm.end(), rng);
            dataset e;
            for (std::size_t i : perm) {
                e.X.insert(e.X.end(), d.X.begin() + static_cast<std::ptrdiff_t>(i * d.cols),
                           d.X.begin() + static_cast<std::ptrdiff_t>((i + 1) * d.cols));
                e.y.push_back(d.y[i]);
                e.w.push_back(d.w[i]);
            }
            tessera::logistic_regression m(options_of(c));
            m.fit(e.X.data(), d.rows, d.cols, e.y, c.weighted ? std::span<const double>(e.w) : std::span<const double>{});
            CHECK(max_diff(parameters(m), p0) < 1e-9);
        }
        if (c.class_weight != "balanced") {
            // every row twice with C halved is the same objective (not with balanced weights:
            // they are count-normalised)
            dataset e = d;
            e.X.insert(e.X.end(), d.X.begin(), d.X.end());
            e.y.insert(e.y.end(), d.y.begin(), d.y.end());
            e.w.insert(e.w.end(), d.w.begin(), d.w.end());
            auto o = options_of(c);
            o.C = c.C == 0 ? 1.0 : c.C / 2;
            tessera::logistic_regression m(o);
            m.fit(e.X.data(), 2 * d.rows, d.cols, e.y, c.weighted ? std::span<const double>(e.w) : std::span<const double>{});
            CHECK(max_diff(parameters(m), p0) < 1e-9);
        }
        {  // integer sample weights equal repeated rows; balanced = explicit weights
            std::vector<double> sw(d.rows);
            for (std::size_t i = 0; i < d.rows; ++i) sw[i] = c.weighted ? d.w[i] : 1.0;
            if (c.class_weight == "balanced") {
                // class_weight balanced == sample weights n / (K * count(y)) with class_weight none
                std::vector<int> cls(base.classes().begin(), base.classes().end());
                for (std::size_t i = 0; i < d.rows; ++i)
                    sw[i] *= static_cast<double>(d.rows) /
                             (static_cast<double>(cls.size()) *
                              static_cast<double>(std::count(d.y.begin(), d.y.end(), d.y[i])));
                auto o = options_of(c);
                o.class_weight = tessera::class_weight_mode::none;
                tessera::logistic_regression m(o);
                m.fit(d.X.data(), d.rows, d.cols, d.y, sw);
                CHECK(max_diff(parameters(m), p0) < 1e-9);
            } else if (!c.weighted) {
                // weight 3 on row 0 == row 0 repeated three times
                std::vector<double> w3(d.rows, 1.0);
                w3[0] = 3;
                tessera::logistic_regression a(options_of(c)), b(options_of(c));
                a.fit(d.X.data(), d.rows, d.cols, d.y, w3);
                dataset e = d;
                for (int r = 0; r < 2; ++r) {
                    e.X.insert(e.X.end(), d.X.begin(), d.X.begin() + static_cast<std::ptrdiff_t>(d.cols));
                    e.y.push_back(d.y[0]);
                }
                b.fit(e.X.data(), d.rows + 2, d.cols, e.y);
                CHECK(max_diff(parameters(a), parameters(b)) < 1e-9);
            }
        }
    }
}

TEST_CASE("logistic_regression: the gradient vanishes at the fit", "[learn][logistic]") {
    // Binary objective gradient recomputed here: Σ s_i (p_i - y_i) x̃_i + [w / C, 0].
    const dataset d = load_dataset("binary", 3);
    tessera::logistic_regression m(tessera::logistic_options{.C = 0.7});
    m.fit(d.X.data(), d.rows, d.cols, d.y);
    const auto proba = m.predict_proba(d.X.data(), d.rows, d.cols);
    std::vector<double> g(4, 0.0);
    for (std::size_t i = 0; i < d.rows; ++i) {
        const double r = proba[2 * i + 1] - (d.y[i] == m.classes()[1] ? 1.0 : 0.0);
        for (std::size_t j = 0; j < 3; ++j) g[j] += r * d.X[i * 3 + j];
        g[3] += r;
    }
    for (std::size_t j = 0; j < 3; ++j) g[j] += m.coef()[j] / 0.7;
    for (double v : g) CHECK(std::abs(v) < 1e-9);
    // decision_function and predict are consistent with predict_proba.
    const auto z = m.decision_function(d.X.data(), d.rows, d.cols);
    const auto pred = m.predict(d.X.data(), d.rows, d.cols);
    for (std::size_t i = 0; i < d.rows; ++i) {
        CHECK(proba[2 * i + 1] == Approx(1 / (1 + std::exp(-z[i]))).epsilon(1e-14));
        CHECK(pred[i] == (z[i] > 0 ? m.classes()[1] : m.classes()[0]));
    }
}

TEST_CASE("logistic_regression: from_coefficients and ties", "[learn][logistic]") {
    // Three classes with equal decisions everywhere: predict picks the first class.
    const auto m = tessera::logistic_regression::from_coefficients({4, 8, 9}, 2, {0, 0, 0, 0, 0, 0}, {0, 0, 0});
    const double X[] = {1.0, -2.0, 0.5, 0.25};
    const auto pred = m.predict(X, 2, 2);
    CHECK(pred == std::vector<int>{4, 4});
    const auto proba = m.predict_proba(X, 2, 2);
    for (double p : proba) CHECK(p == Approx(1.0 / 3));
    // Binary: decision exactly 0 -> the first class (sklearn: scores > 0 picks classes_[1]).
    const auto b = tessera::logistic_regression::from_coefficients({-1, 1}, 1, {2.0}, {-1.0});
    const double xb[] = {0.5, 0.75};
    CHECK(b.predict(xb, 2, 1) == std::vector<int>{-1, 1});
    CHECK_THROWS_AS(tessera::logistic_regression::from_coefficients({1, 2, 3}, 2, {0, 0}, {0}), tessera::error);
}

TEST_CASE("logistic_regression: errors name what and where", "[learn][logistic]") {
    using Catch::Matchers::Contains;
    tessera::logistic_regression m;
    std::vector<double> X = {0, 1, 1, 0, 2, 2, 3, 1};
    std::vector<int> y = {0, 0, 1, 1};
    CHECK_THROWS_WITH(m.fit(X.data(), 4, 2, std::vector<int>{3, 3, 3, 3}), Contains("single class"));
    CHECK_THROWS_WITH(m.fit(X.data(), 4, 2, std::vector<int>{0, 1, 1}), Contains("4 rows but 3 labels"));
    X[5] = std::nan("");
    CHECK_THROWS_WITH(m.fit(X.data(), 4, 2, y), Contains("row 2, column 1"));
    X[5] = std::numeric_limits<double>::infinity();
    CHECK_THROWS_WITH(m.fit(X.data(), 4, 2, y), Contains("row 2, column 1"));
    X[5] = 2;
    CHECK_THROWS_WITH(m.fit(X.data(), 4, 2, y, std::vector<double>{1, 1, -1, 1}), Contains("sample_weight[2]"));
    CHECK_THROWS_WITH(m.predict(X.data(), 4, 2), Contains("not fitted"));
    CHECK_THROWS_AS(tessera::logistic_regression(tessera::logistic_options{.C = 0}), tessera::error);
    m.fit(X.data(), 4, 2, y);
    CHECK_THROWS_WITH(m.predict_proba(X.data(), 2, 4), Contains("4 columns, the model 2 features"));
    // Separable classes without a penalty: no finite optimum, a loud failure.
    tessera::logistic_regression none(tessera::logistic_options{.penalty = tessera::logistic_penalty::none});
    const std::vector<double> sep = {0, 1, 2, 3};
    CHECK_THROWS_WITH(none.fit(sep.data(), 4, 1, y), Contains("separable"));
}

TEST_CASE("logistic_regression: converges where the rounding floor of F hides Newton's last step", "[learn][logistic]") {
    // A real one-feature fit (432 rows; make_logistic_rounding_floor_reference.py says where it comes
    // from) on which Armijo's test on F saw only rounding noise two steps before the optimum: the line
    // search shrank every step to nothing and the fit stopped at |g| = 2.8e-6 after 1000 iterations,
    // with coefficients off by 2e-7 relative. The reference optimum is Newton's in 80-bit arithmetic.
    const auto rows = read_csv(logistic_dir() + "rounding_floor.csv", true);
    const auto ref = read_csv(logistic_dir() + "rounding_floor_expected.csv", true);
    REQUIRE(ref.size() == 1);
    std::vector<double> x;
    std::vector<int> y;
    for (const auto& r : rows) {
        x.push_back(r[0]);
        y.push_back(int(r[1]));
    }
    REQUIRE(x.size() == 432);
    tessera::logistic_regression m(tessera::logistic_options{.C = 1.0, .max_iter = 1000});
    REQUIRE_NOTHROW(m.fit(x.data(), x.size(), 1, y));
    CHECK(m.iterations() < 20);  // Newton: a handful of steps, not a crawl
    CHECK(m.gradient_norm() < 1e-10 * 14.2);  // tol · max|∇F(0)| (max|∇F(0)| = 14.19 here)
    // Coefficients to 1e-10 relative: double arithmetic on 432 rows resolves the optimum to ~1e-13;
    // the stalled fit was 2e-7 off.
    CHECK(m.coef()[0] == Approx(ref[0][0]).epsilon(1e-10));
    CHECK(m.intercept()[0] == Approx(ref[0][1]).epsilon(1e-8));
}
