// tests for include/tessera/learn/knn.hpp against scikit-learn 1.2.1 (KNeighborsClassifier /
// KNeighborsRegressor, algorithm='brute'); reference data: tests/reference/learn/.
//
// Tolerances: neighbour sets and class predictions must be identical. Uniform predict_proba is
// count / k and must be identical too. Regression outputs and distance-weighted probabilities
// are compared to 1e-12 relative: they are sums over the same neighbours, but numpy adds them in
// another order (pairwise summation, sklearn's unstable sort order within equal distances) and
// sklearn's euclidean distances come from ||x||² - 2x·y + ||y||² (BLAS), tessera's from Σ(x-y)²;
// both differ by a few ulps only, 1e-12 leaves room for k = 50 terms and nothing more.

#include <tessera/learn/knn.hpp>

#include "../support/learn_reference.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

using tessera_test::csv_table;
using tessera_test::read_csv;

struct data_set {
    std::size_t cols = 0;
    std::vector<double> x, q;
    std::vector<std::int64_t> label, qlabel;
    std::vector<double> target;
    tessera::feature_matrix_view train() const { return {x.data(), label.size(), cols}; }
    tessera::feature_matrix_view query() const { return {q.data(), qlabel.size(), cols}; }
};

data_set load(const std::string& name) {
    const csv_table tr = read_csv("knn_" + name + "_train.csv"), qu = read_csv("knn_" + name + "_query.csv");
    data_set d;
    d.cols = tr.header.size() - 2;
    for (const auto& r : tr.rows) {
        d.x.insert(d.x.end(), r.begin(), r.begin() + std::ptrdiff_t(d.cols));
        d.label.push_back(std::int64_t(r[d.cols]));
        d.target.push_back(r[d.cols + 1]);
    }
    for (const auto& r : qu.rows) {
        d.q.insert(d.q.end(), r.begin(), r.begin() + std::ptrdiff_t(d.cols));
        d.qlabel.push_back(std::int64_t(r[d.cols]));
    }
    return d;
}

bool close(double a, double b, double rel = 1e-12) {
    return std::abs(a - b) <= rel * std::max({std::abs(a), std::abs(b), 1e-300});
}

void check_against_sklearn(const std::string& set, tessera::knn_metric metric, tessera::knn_weights weights,
                           std::size_t k, tessera::knn_algorithm algorithm) {
    const std::string file = "knn_" + set + "_" + (metric == tessera::knn_metric::euclidean ? "euclidean" : "manhattan") +
                             "_" + (weights == tessera::knn_weights::uniform ? "uniform" : "distance") + "_k" +
                             std::to_string(k) + ".csv";
    INFO(file << (algorithm == tessera::knn_algorithm::brute ? " brute" : " kd_tree"));
    const data_set d = load(set);
    const csv_table ref = read_csv(file);
    const tessera::knn_params p{k, weights, metric, algorithm};
    tessera::knn_classifier clf(p);
    clf.fit(d.train(), d.label);
    tessera::knn_regressor reg(p);
    reg.fit(d.train(), d.target);
    const std::size_t nq = d.qlabel.size(), nc = clf.classes().size();
    REQUIRE(ref.rows.size() == nq);
    REQUIRE(ref.header.size() == 3 + nc + k);
    for (std::size_t c = 0; c < nc; ++c) REQUIRE(ref.header[3 + c] == "p" + std::to_string(clf.classes()[c]));

    std::vector<std::int64_t> idx(nq * k), pred(nq);
    std::vector<double> dist(nq * k), proba(nq * nc), y(nq), mean(nq);
    clf.index().kneighbors(d.query(), k, idx, dist);
    clf.predict(d.query(), pred);
    clf.predict_proba(d.query(), proba);
    reg.predict(d.query(), y);
    reg.label_mean(d.query(), mean);
    std::size_t mismatched_sets = 0, bad_pred = 0, bad_proba = 0, bad_reg = 0, bad_mean = 0;
    for (std::size_t i = 0; i < nq; ++i) {
        const auto& r = ref.rows[i];
        std::vector<std::int64_t> mine(idx.begin() + std::ptrdiff_t(i * k), idx.begin() + std::ptrdiff_t((i + 1) * k));
        std::sort(mine.begin(), mine.end());
        for (std::size_t j = 0; j < k; ++j) mismatched_sets += mine[j] != std::int64_t(r[3 + nc + j]) ? 1 : 0;
        for (std::size_t j = 1; j < k; ++j) REQUIRE(dist[i * k + j - 1] <= dist[i * k + j]);
        bad_pred += pred[i] != std::int64_t(r[0]);
        bad_reg += !close(y[i], r[1]);
        bad_mean += !close(mean[i], r[2]);
        for (std::size_t c = 0; c < nc; ++c) {
            const double a = proba[i * nc + c], b = r[3 + c];
            bad_proba += weights == tessera::knn_weights::uniform ? a != b : std::abs(a - b) > 1e-12;
        }
    }
    CHECK(mismatched_sets == 0);
    CHECK(bad_pred == 0);
    CHECK(bad_proba == 0);
    CHECK(bad_reg == 0);
    CHECK(bad_mean == 0);
}

void check_against_sklearn(const std::string& set, tessera::knn_metric metric, tessera::knn_weights weights,
                           std::size_t k) {
    check_against_sklearn(set, metric, weights, k, tessera::knn_algorithm::kd_tree);
    check_against_sklearn(set, metric, weights, k, tessera::knn_algorithm::brute);
}

}  // namespace

TEST_CASE("knn: identical to scikit-learn on integer features (exact ties)", "[learn][knn]") {
    using M = tessera::knn_metric;
    using W = tessera::knn_weights;
    for (const M m : {M::euclidean, M::manhattan})
        for (const W w : {W::uniform, W::distance}) check_against_sklearn("int", m, w, 7);
}

TEST_CASE("knn: identical to scikit-learn on Gaussian features", "[learn][knn]") {
    using M = tessera::knn_metric;
    using W = tessera::knn_weights;
    for (const M m : {M::euclidean, M::manhattan})
        for (const W w : {W::uniform, W::distance}) check_against_sklearn("real", m, w, 7);
    check_against_sklearn("real", M::euclidean, W::uniform, 50);
}

TEST_CASE("knn: identical to scikit-learn on CuZr glass shell counts", "[learn][knn]") {
    using M = tessera::knn_metric;
    using W = tessera::knn_weights;
    check_against_sklearn("cuzr", M::euclidean, W::uniform, 50);
    check_against_sklearn("cuzr", M::euclidean, W::distance, 10);
    check_against_sklearn("cuzr", M::manhattan, W::uniform, 15);
}

TEST_CASE("knn: a query on training rows uses only those rows with distance weights", "[learn][knn]") {
    const std::vector<double> x{0, 0, 1, 0, 0, 0, 3, 3};  // rows 0 and 2 coincide
    const std::vector<std::int64_t> lab{4, 9, 9, 9};
    const std::vector<double> t{10, 20, 40, 80};
    tessera::knn_classifier c({3, tessera::knn_weights::distance});
    c.fit({x.data(), 4, 2}, lab);
    tessera::knn_regressor r({3, tessera::knn_weights::distance});
    r.fit({x.data(), 4, 2}, t);
    const std::vector<double> q{0, 0};
    std::vector<double> proba(2), y(1), m(1);
    c.predict_proba({q.data(), 1, 2}, proba);
    r.predict({q.data(), 1, 2}, y);
    r.label_mean({q.data(), 1, 2}, m);
    CHECK(proba == std::vector<double>{0.5, 0.5});
    CHECK(y[0] == 25.0);                      // (10 + 40) / 2: row 1 at distance 1 gets weight 0
    CHECK(m[0] == (10.0 + 40.0 + 20.0) / 3);  // label_mean: uniform over the 3 nearest
    std::vector<std::int64_t> p(1);
    c.predict({q.data(), 1, 2}, p);
    CHECK(p[0] == 4);  // tie 0.5 / 0.5: the smaller class, as np.argmax
}

TEST_CASE("knn: results do not depend on the thread count", "[learn][knn]") {
    const data_set d = load("cuzr");
    tessera::knn_regressor r({50});
    r.fit(d.train(), d.target);
    tessera::knn_classifier c({10, tessera::knn_weights::distance});
    c.fit(d.train(), d.label);
    const std::size_t nq = d.qlabel.size();
    std::vector<double> a(nq), b(nq), s(nq), pa(nq * 2), pb(nq * 2);
    r.label_mean(d.query(), s, tessera::serial);
    r.label_mean(d.query(), a, tessera::openmp_policy{1});
    r.label_mean(d.query(), b, tessera::openmp_policy{2});
    CHECK(a == b);
    CHECK(a == s);
    c.predict_proba(d.query(), pa, tessera::openmp_policy{1});
    c.predict_proba(d.query(), pb, tessera::openmp_policy{2});
    CHECK(pa == pb);
    std::vector<std::int64_t> i1(nq * 50), i2(nq * 50);
    std::vector<double> d1(nq * 50), d2(nq * 50);
    r.index().kneighbors(d.query(), 50, i1, d1, tessera::openmp_policy{1});
    r.index().kneighbors(d.query(), 50, i2, d2, tessera::openmp_policy{2});
    CHECK(i1 == i2);
    CHECK(d1 == d2);
}

TEST_CASE("knn: permuting the training rows changes no prediction without boundary ties", "[learn][knn]") {
    // Gaussian data: no two distances tie, so the k nearest are a unique set. With integer data
    // a tie at the k-th distance is resolved by the heap's history, which depends on the row
    // order (as in sklearn): there only the distances of the k neighbours are invariant.
    for (const std::string set : {"real", "int"}) {
        INFO(set);
        const data_set d = load(set);
        const std::size_t n = d.label.size(), m = d.cols, nq = d.qlabel.size(), k = 7;
        std::vector<std::size_t> perm(n);
        std::iota(perm.begin(), perm.end(), std::size_t(0));
        std::shuffle(perm.begin(), perm.end(), std::mt19937(12345));
        std::vector<double> px(n * m), pt(n);
        for (std::size_t i = 0; i < n; ++i) {
            std::copy_n(d.x.begin() + std::ptrdiff_t(perm[i] * m), m, px.begin() + std::ptrdiff_t(i * m));
            pt[i] = d.target[perm[i]];
        }
        tessera::knn_regressor a({k}), b({k});
        a.fit(d.train(), d.target);
        b.fit({px.data(), n, m}, pt);
        std::vector<std::int64_t> ia(nq * k), ib(nq * k);
        std::vector<double> da(nq * k), db(nq * k), ya(nq), yb(nq);
        a.index().kneighbors(d.query(), k, ia, da);
        b.index().kneighbors(d.query(), k, ib, db);
        a.label_mean(d.query(), ya);
        b.label_mean(d.query(), yb);
        CHECK(da == db);  // the sorted neighbour distances are always invariant
        std::size_t untied = 0;
        for (std::size_t i = 0; i < nq; ++i) {
            // boundary tie: another training row at the k-th distance
            std::size_t at_or_below = 0;
            for (std::size_t t = 0; t < n; ++t) {
                double s = 0;
                for (std::size_t j = 0; j < m; ++j) {  // each product rounded, as the library does (no FMA)
                    const double diff = d.x[t * m + j] - d.q[i * m + j];
                    s += tessera::detail::rounded_product(diff, diff);
                }
                // 1e-12 relative: this loop sums in another order than the library's (and the
                // compiler may contract it differently); a real tie is exact, a near one is not a tie
                at_or_below += std::sqrt(s) <= da[i * k + k - 1] * (1 + 1e-12);
            }
            if (at_or_below != k) continue;
            ++untied;
            std::vector<std::int64_t> sa(ia.begin() + std::ptrdiff_t(i * k), ia.begin() + std::ptrdiff_t(i * k + k)), sb;
            for (std::size_t j = 0; j < k; ++j) sb.push_back(std::int64_t(perm[std::size_t(ib[i * k + j])]));
            std::sort(sa.begin(), sa.end());
            std::sort(sb.begin(), sb.end());
            CHECK(sa == sb);
            CHECK(close(ya[i], yb[i], 1e-14));
        }
        if (set == "real") CHECK(untied == nq);
        else CHECK(untied > 0);
    }
}

TEST_CASE("knn: bad input is a tessera::error naming what is wrong", "[learn][knn]") {
    const std::vector<double> x{0, 0, 1, 1, 2, 2};
    const std::vector<std::int64_t> lab{0, 1, 1};
    const tessera::feature_matrix_view X{x.data(), 3, 2};
    using Catch::Matchers::Contains;
    CHECK_THROWS_WITH(tessera::knn_classifier({0}).fit(X, lab), Contains("k (n_neighbors) must be > 0"));
    CHECK_THROWS_WITH(tessera::knn_classifier({4}).fit(X, lab), Contains("k = 4 exceeds the number of training rows (3)"));
    CHECK_THROWS_WITH(tessera::knn_classifier({1}).fit(X, std::vector<std::int64_t>{0, 1}), Contains("2 labels for 3"));
    std::vector<double> bad = x;
    bad[3] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(tessera::knn_regressor({1}).fit({bad.data(), 3, 2}, std::vector<double>{1, 2, 3}),
                      Contains("row 1, column 1 is not finite"));
    tessera::knn_classifier c({2});
    c.fit(X, lab);
    const std::vector<double> q3{0, 0, 0};
    std::vector<std::int64_t> out(1);
    CHECK_THROWS_WITH(c.predict({q3.data(), 1, 3}, out), Contains("has 3 columns, but the model was fitted on 2"));
    std::vector<double> qn{0, std::numeric_limits<double>::infinity()};
    CHECK_THROWS_WITH(c.predict({qn.data(), 1, 2}, out), Contains("row 0, column 1 is not finite"));
    std::vector<std::int64_t> i5(5);
    std::vector<double> d5(5);
    CHECK_THROWS_WITH(c.index().kneighbors({x.data(), 1, 2}, 5, i5, d5), Contains("k = 5 exceeds"));
    CHECK_THROWS_WITH(c.index().kneighbors({x.data(), 1, 2}, 0, i5, d5), Contains("must be > 0"));
    CHECK_THROWS_WITH(tessera::knn_classifier{}.predict({x.data(), 1, 2}, out), Contains("not fitted"));
    std::vector<std::int64_t> out2(2);
    CHECK_THROWS_WITH(c.predict({x.data(), 1, 2}, out2), Contains("output holds 2 labels, need 1"));
}

TEST_CASE("knn: panels of rows and the query order change nothing (odd sizes, strided queries)", "[learn][knn]") {
    // The kd_tree keeps its rows in panels of 8 (SIMD lanes = rows; the last panel padded) and
    // searches queries in tree order. Row counts that are not multiples of 8, feature counts not
    // multiples of 4, a strided query view: neighbours and distances must equal the brute
    // force's bit for bit, classifier/regressor outputs must equal the per-row search_row path,
    // and training() must give back the rows.
    std::mt19937_64 g(11);
    std::normal_distribution<double> N;
    for (const std::size_t n : {std::size_t(9), std::size_t(333), std::size_t(1003)})
        for (const std::size_t m : {std::size_t(1), std::size_t(5), std::size_t(13)})
            for (const auto metric : {tessera::knn_metric::euclidean, tessera::knn_metric::manhattan}) {
                const std::size_t nq = 97, stride = m + 3, k = std::min<std::size_t>(7, n);
                std::vector<double> x(n * m), q(nq * stride, -1e300);
                std::vector<std::int64_t> y(n);
                for (std::size_t i = 0; i < n; ++i) {
                    for (std::size_t j = 0; j < m; ++j) x[i * m + j] = N(g) * double(j + 1);
                    y[i] = std::int64_t(i % 3);
                }
                for (std::size_t i = 0; i < nq; ++i)
                    for (std::size_t j = 0; j < m; ++j) q[i * stride + j] = N(g) * double(j + 1);
                const tessera::feature_matrix_view qv{q.data(), nq, m, stride, {}};
                tessera::knn_index tree({x.data(), n, m}, metric, tessera::knn_algorithm::kd_tree);
                tessera::knn_index brute({x.data(), n, m}, metric, tessera::knn_algorithm::brute);
                CHECK(tree.training() == x);
                std::vector<std::int64_t> it(nq * k), ib(nq * k);
                std::vector<double> dt(nq * k), db(nq * k);
                tree.kneighbors(qv, k, it, dt);
                brute.kneighbors(qv, k, ib, db);
                CHECK(it == ib);
                CHECK(dt == db);
                auto order = tree.search_order(qv);
                std::sort(order.begin(), order.end());
                for (std::size_t a = 0; a < nq; ++a) CHECK(order[a] == a);
                // classifier and regressor (query order, gathered rows) vs one row at a time
                tessera::knn_classifier c({k, tessera::knn_weights::uniform, metric});
                c.fit({x.data(), n, m}, y);
                std::vector<std::int64_t> pred(nq);
                c.predict(qv, pred);
                std::vector<std::pair<std::size_t, double>> stack(tree.row_stack_size());
                std::vector<double> scratch(tree.row_scratch_size()), d1(k);
                std::vector<std::int64_t> i1(k);
                std::size_t wrong = 0;
                for (std::size_t a = 0; a < nq; ++a) {
                    tree.search_row(q.data() + a * stride, k, i1.data(), d1.data(), stack.data(), scratch.data());
                    std::size_t count[3] = {0, 0, 0};
                    for (const auto i : i1) ++count[y[std::size_t(i)]];
                    std::size_t best = 0;
                    for (std::size_t cl = 1; cl < 3; ++cl)
                        if (count[cl] > count[best]) best = cl;
                    wrong += pred[a] == std::int64_t(best) ? 0 : 1;
                    for (std::size_t j = 0; j < k; ++j) wrong += i1[j] == it[a * k + j] && d1[j] == dt[a * k + j] ? 0 : 1;
                }
                CHECK(wrong == 0);
                std::vector<double> yt(y.begin(), y.end()), mean(nq);
                tessera::knn_regressor r({k, tessera::knn_weights::uniform, metric});
                r.fit({x.data(), n, m}, yt);
                r.label_mean(qv, mean);
                for (std::size_t a = 0; a < nq; ++a) {
                    double sum = 0;
                    for (std::size_t j = 0; j < k; ++j) sum += yt[std::size_t(it[a * k + j])];
                    CHECK(mean[a] == sum / double(k));
                }
            }
}
