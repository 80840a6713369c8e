// tests for include/tessera/learn/model_selection.hpp: scikit-learn 1.2.1 references
// (tests/reference/learn/make_cv_reference.py) — StratifiedKFold fold membership, GridSearchCV
// cv_results_ of Pipeline(StandardScaler, LogisticRegression / KNeighborsClassifier) — and
// properties (stratification, determinism per seed, thread-count independence, errors).
#include <tessera/learn/knn.hpp>
#include <tessera/learn/logistic.hpp>
#include <tessera/learn/model_selection.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string cv_dir() { return std::string(TESSERA_TEST_DATA_DIR) + "/learn/cv/"; }

struct csv_table {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    [[nodiscard]] std::size_t col(const std::string& name) const {
        const auto it = std::find(header.begin(), header.end(), name);
        REQUIRE(it != header.end());
        return static_cast<std::size_t>(it - header.begin());
    }
};

std::vector<std::string> split(const std::string& line, char sep) {
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, sep)) f.push_back(cell);
    return f;
}

csv_table read_csv(const std::string& file) {
    std::ifstream in(cv_dir() + file);
    REQUIRE(in.good());
    csv_table t;
    std::string line;
    std::getline(in, line);
    t.header = split(line, ',');
    while (std::getline(in, line))
        if (!line.empty()) t.rows.push_back(split(line, ','));
    return t;
}

struct kfold_case {
    std::size_t k = 0;
    std::vector<int> labels, folds;
};

std::map<std::string, kfold_case> kfold_cases() {
    const csv_table t = read_csv("kfold.csv");
    std::map<std::string, kfold_case> cases;
    for (const auto& r : t.rows) {
        auto& c = cases[r[0]];
        c.k = std::stoul(r[1]);
        REQUIRE(std::stoul(r[2]) == c.labels.size());
        c.labels.push_back(std::stoi(r[3]));
        c.folds.push_back(std::stoi(r[4]));
    }
    return cases;
}

struct data_set {
    std::vector<double> X;
    std::vector<int> y;
    std::size_t cols = 0;
};

data_set load_data() {
    const csv_table t = read_csv("data.csv");
    data_set d;
    d.cols = t.header.size() - 1;
    for (const auto& r : t.rows) {
        for (std::size_t j = 0; j < d.cols; ++j) d.X.push_back(std::stod(r[j]));
        d.y.push_back(std::stoi(r[d.cols]));
    }
    return d;
}

const std::vector<tessera::cv_metric> metrics{tessera::cv_metric::accuracy, tessera::cv_metric::balanced_accuracy,
                                              tessera::cv_metric::f1_macro};

// Compares a cv_results table with a grid_*.csv file: parameters, then per metric mean, std
// and the five fold scores. tol = 0: bit-identical.
void check_against(const tessera::cv_results& r, const std::string& file, double tol) {
    const csv_table t = read_csv(file);
    REQUIRE(r.rows() == t.rows.size());
    REQUIRE(r.n_folds == 5);
    for (std::size_t i = 0; i < r.rows(); ++i) {
        INFO(file << " row " << i);
        for (const auto& name : r.param_names) CHECK(r.params[i].at(name) == std::stod(t.rows[i][t.col(name)]));
        for (std::size_t m = 0; m < r.metrics.size(); ++m) {
            const std::string mn = tessera::cv_metric_name(r.metrics[m]);
            INFO(mn);
            for (std::size_t f = 0; f < 5; ++f) {
                const double ref = std::stod(t.rows[i][t.col("split" + std::to_string(f) + "_test_" + mn)]);
                CHECK(std::abs(r.fold_score(i, f, m) - ref) <= tol);
            }
            CHECK(std::abs(r.mean_score(i, m) - std::stod(t.rows[i][t.col("mean_test_" + mn)])) <= tol);
            CHECK(std::abs(r.std_score(i, m) - std::stod(t.rows[i][t.col("std_test_" + mn)])) <= tol);
        }
    }
}

auto make_logistic = [](const tessera::param_point& p) {
    tessera::logistic_options o;
    o.C = p.at("C");
    return tessera::logistic_regression(o);
};

auto make_knn = [](const tessera::param_point& p) {
    tessera::knn_params kp;
    kp.k = static_cast<std::size_t>(p.at("n_neighbors"));
    kp.metric = p.at("p") == 1 ? tessera::knn_metric::manhattan : tessera::knn_metric::euclidean;
    return tessera::knn_classifier(kp);
};

bool same(const tessera::cv_results& a, const tessera::cv_results& b) {
    return a.params == b.params && a.fold_scores == b.fold_scores && a.mean == b.mean && a.stddev == b.stddev;
}

}  // namespace

TEST_CASE("stratified_kfold: fold membership identical to sklearn StratifiedKFold(shuffle=False)", "[learn][cv]") {
    const auto cases = kfold_cases();
    REQUIRE(cases.size() == 9);
    for (const auto& [name, c] : cases) {
        INFO(name << " n_splits=" << c.k);
        if (name == "fewer_than_k_warns") {  // sklearn warns, tessera throws
            CHECK_THROWS_AS(tessera::stratified_kfold(c.labels, c.k), tessera::error);
            continue;
        }
        const auto folds = tessera::stratified_kfold(c.labels, c.k);
        REQUIRE(folds.size() == c.k);
        std::vector<int> id(c.labels.size(), -1);
        for (std::size_t f = 0; f < folds.size(); ++f) {
            CHECK(std::is_sorted(folds[f].begin(), folds[f].end()));
            for (std::size_t i : folds[f]) id[i] = static_cast<int>(f);
        }
        CHECK(id == c.folds);
    }
}

TEST_CASE("stratified_kfold: errors as sklearn's ValueError", "[learn][cv]") {
    const csv_table t = read_csv("kfold_errors.csv");
    REQUIRE(t.rows.size() == 2);
    for (const auto& r : t.rows) {
        std::vector<int> y;
        for (const auto& v : split(r[2], ' ')) y.push_back(std::stoi(v));
        INFO(r[0]);
        CHECK_THROWS_WITH(tessera::stratified_kfold(y, std::stoul(r[1])),
                          Catch::Contains("cannot be greater than the number of members in each class"));
    }
    const std::vector<int> y{0, 0, 0, 1, 1, 1};
    CHECK_THROWS_WITH(tessera::stratified_kfold(y, 1), Catch::Contains("n_splits = 1"));
    CHECK_THROWS_WITH(tessera::stratified_kfold(y, 7), Catch::Contains("n_samples=6"));
    CHECK_THROWS_AS(tessera::stratified_kfold(std::vector<int>{0, 0, 0, 1, 1}, 3), tessera::error);
}

TEST_CASE("stratified_kfold(shuffle=true): stratified, deterministic per seed", "[learn][cv]") {
    for (const auto& [name, c] : kfold_cases()) {
        if (name == "fewer_than_k_warns") continue;
        INFO(name);
        const auto a = tessera::stratified_kfold(c.labels, c.k, true, 42);
        const auto b = tessera::stratified_kfold(c.labels, c.k, true, 42);
        const auto d = tessera::stratified_kfold(c.labels, c.k, true, 43);
        CHECK(a == b);
        if (c.labels.size() > 30) CHECK(a != d);
        std::map<int, std::size_t> total;
        for (int l : c.labels) ++total[l];
        std::size_t covered = 0;
        for (const auto& fold : a) {
            covered += fold.size();
            std::map<int, std::size_t> n;
            for (std::size_t i : fold) ++n[c.labels[i]];
            for (const auto& [lab, nc] : total) {
                const double ideal = static_cast<double>(nc) / static_cast<double>(c.k);
                CHECK(std::abs(static_cast<double>(n[lab]) - ideal) < 1.0);
            }
        }
        CHECK(covered == c.labels.size());
    }
}

TEST_CASE("stratified_train_test_split: class proportions, disjoint, deterministic", "[learn][cv]") {
    std::vector<int> y;
    for (int i = 0; i < 100; ++i) y.push_back(i % 10 < 7 ? 3 : (i % 10 < 9 ? -1 : 8));  // 70:20:10
    const auto s = tessera::stratified_train_test_split(y, 0.25, 7);
    CHECK(s.test.size() == 25);  // ceil(0.25 * 100)
    CHECK(s.train.size() == 75);
    std::vector<std::size_t> all(s.train);
    all.insert(all.end(), s.test.begin(), s.test.end());
    std::sort(all.begin(), all.end());
    for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i] == i);
    std::map<int, int> nt;
    for (std::size_t i : s.test) ++nt[y[i]];
    // sklearn: train counts _approximate_mode([70, 20, 10], 75) = [52 or 53, 15, 7 or 8] and the rest drawn for test
    CHECK(nt[-1] == 5);
    CHECK(nt[3] + nt[8] == 20);
    CHECK(std::abs(nt[3] - 17.5) <= 0.5);
    CHECK(std::abs(nt[8] - 2.5) <= 0.5);
    const auto s2 = tessera::stratified_train_test_split(y, 0.25, 7);
    CHECK(s.test == s2.test);
    CHECK(s.train == s2.train);
    CHECK(tessera::stratified_train_test_split(y, 0.25, 8).test != s.test);
    CHECK_THROWS_AS(tessera::stratified_train_test_split(y, 1.0, 0), tessera::error);
    CHECK_THROWS_AS(tessera::stratified_train_test_split(y, 0.02, 0), tessera::error);  // 2 test rows < 3 classes
    CHECK_THROWS_WITH(tessera::stratified_train_test_split(std::vector<int>{1, 1, 2, 2, 5}, 0.4, 0),
                      Catch::Contains("only 1 member"));
}

TEST_CASE("expand_grid: sklearn ParameterGrid order", "[learn][cv]") {
    const auto pts = tessera::expand_grid({{"p", {2, 1}}, {"n_neighbors", {15, 1, 4}}});
    REQUIRE(pts.size() == 6);
    const double expect[6][2] = {{15, 2}, {15, 1}, {1, 2}, {1, 1}, {4, 2}, {4, 1}};
    for (std::size_t i = 0; i < 6; ++i) {
        CHECK(pts[i].at("n_neighbors") == expect[i][0]);
        CHECK(pts[i].at("p") == expect[i][1]);
    }
    CHECK_THROWS_AS(tessera::expand_grid({}), tessera::error);
    CHECK_THROWS_WITH(tessera::expand_grid({{"C", {}}}), Catch::Contains("'C'"));
}

TEST_CASE("grid_search: Pipeline(StandardScaler, LogisticRegression) equals sklearn GridSearchCV", "[learn][cv]") {
    const data_set d = load_data();
    const auto folds = tessera::stratified_kfold(d.y, 5);
    tessera::cv_options o;
    o.metrics = metrics;
    o.standardize = true;
    const auto r = tessera::grid_search(make_logistic, {{"C", {0.1, 1, 10}}}, d.X.data(), d.y.size(), d.cols, d.y,
                                        folds, o);
    check_against(r, "grid_logistic.csv", 0.0);
    CHECK(r.mean_score(0, 0) == 0.7625);
    CHECK(r.best_index(0) == 1);  // C = 1 and C = 10 tie at 0.775: the first
    const auto r1 = tessera::grid_search(make_logistic, {{"C", {0.1, 1, 10}}}, d.X.data(), d.y.size(), d.cols, d.y,
                                         folds, o, tessera::openmp_policy{1});
    const auto r2 = tessera::grid_search(make_logistic, {{"C", {0.1, 1, 10}}}, d.X.data(), d.y.size(), d.cols, d.y,
                                         folds, o, tessera::openmp_policy{2});
    CHECK(same(r1, r2));
    CHECK(same(r, r1));
}

TEST_CASE("grid_search: kNN (scaled and raw) equals sklearn GridSearchCV, thread-count independent", "[learn][cv]") {
    const data_set d = load_data();
    const auto folds = tessera::stratified_kfold(d.y, 5);
    const tessera::param_grid grid{{"n_neighbors", {15, 1, 4}}, {"p", {2, 1}}};
    tessera::cv_options o;
    o.metrics = metrics;
    o.standardize = true;
    const auto scaled = tessera::grid_search(make_knn, grid, d.X.data(), d.y.size(), d.cols, d.y, folds, o);
    check_against(scaled, "grid_knn.csv", 0.0);
    CHECK(scaled.best_index(0) == 0);
    o.standardize = false;
    const auto raw1 = tessera::grid_search(make_knn, grid, d.X.data(), d.y.size(), d.cols, d.y, folds, o,
                                           tessera::openmp_policy{1});
    const auto raw2 = tessera::grid_search(make_knn, grid, d.X.data(), d.y.size(), d.cols, d.y, folds, o,
                                           tessera::openmp_policy{2});
    check_against(raw1, "grid_knn_raw.csv", 0.0);
    CHECK(same(raw1, raw2));
}

TEST_CASE("cross_validate: one point, errors name what and where", "[learn][cv]") {
    const data_set d = load_data();
    const auto folds = tessera::stratified_kfold(d.y, 5);
    const auto r = tessera::cross_validate(make_knn, {{"n_neighbors", 15}, {"p", 2}}, d.X.data(), d.y.size(), d.cols,
                                           d.y, folds);
    REQUIRE(r.rows() == 1);
    CHECK(r.metrics.size() == 1);
    const std::size_t n = d.y.size();
    // k larger than a training part: the model's error, with the parameter point and fold
    CHECK_THROWS_WITH(tessera::cross_validate(make_knn, {{"n_neighbors", 70}, {"p", 2}}, d.X.data(), n, d.cols, d.y,
                                              folds),
                      Catch::Contains("{n_neighbors: 70, p: 2}, fold 0") && Catch::Contains("exceeds"));
    CHECK_THROWS_WITH(tessera::cross_validate(make_knn, {{"n_neighbors", 1}, {"p", 2}}, d.X.data(), n, d.cols, d.y,
                                              {folds[0]}),
                      Catch::Contains("1 folds"));
    auto bad = folds;
    bad[1].push_back(bad[0][0]);
    CHECK_THROWS_WITH(tessera::cross_validate(make_knn, {{"n_neighbors", 1}, {"p", 2}}, d.X.data(), n, d.cols, d.y,
                                              bad),
                      Catch::Contains("in test folds 0 and 1"));
    bad = folds;
    bad[2].push_back(n);
    CHECK_THROWS_AS(tessera::cross_validate(make_knn, {{"n_neighbors", 1}, {"p", 2}}, d.X.data(), n, d.cols, d.y, bad),
                    tessera::error);
    CHECK_THROWS_AS(tessera::grid_search(make_knn, {}, d.X.data(), n, d.cols, d.y, folds), tessera::error);
    tessera::cv_options none;
    none.metrics.clear();
    CHECK_THROWS_WITH(tessera::cross_validate(make_knn, {{"n_neighbors", 1}, {"p", 2}}, d.X.data(), n, d.cols, d.y,
                                              folds, none),
                      Catch::Contains("no metrics"));
    CHECK_THROWS_AS(tessera::cross_validate(make_knn, {{"n_neighbors", 1}, {"p", 2}}, d.X.data(), n - 1, d.cols, d.y,
                                            folds),
                    tessera::error);
}
