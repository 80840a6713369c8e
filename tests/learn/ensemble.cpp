// tests for include/tessera/learn/ensemble.hpp: random undersampling and EasyEnsemble with
// logistic regression. imblearn's NumPy RNG is not reproduced (see the header), so the tests check
// the statistical contract: balanced subsets, without replacement, deterministic per seed.
#include <tessera/learn/ensemble.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <random>
#include <set>
#include <vector>

namespace {

struct data {
    std::vector<double> X;
    std::vector<int> y;
    std::size_t rows = 0, cols = 3;
};

// Imbalanced three-class blobs: 70 / 20 / 9 rows (labels 5, -2, 11 in shuffled order).
data make_data(std::uint64_t seed = 11) {
    std::mt19937_64 rng(seed);
    std::normal_distribution<double> n01(0.0, 1.0);
    data d;
    const int labels[] = {5, -2, 11};
    const std::size_t counts[] = {70, 20, 9};
    const double centres[3][3] = {{0, 0, 0}, {1.5, -1, 0.5}, {-1, 1.5, 1}};
    for (int c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < counts[c]; ++i) {
            for (int j = 0; j < 3; ++j) d.X.push_back(centres[c][j] + n01(rng));
            d.y.push_back(labels[c]);
        }
    d.rows = d.y.size();
    // interleave the classes so indices of a class are not contiguous
    std::vector<std::size_t> perm(d.rows);
    for (std::size_t i = 0; i < d.rows; ++i) perm[i] = i;
    std::shuffle(perm.begin(), perm.end(), rng);
    data e;
    e.rows = d.rows;
    for (std::size_t i : perm) {
        e.X.insert(e.X.end(), d.X.begin() + static_cast<std::ptrdiff_t>(3 * i), d.X.begin() + static_cast<std::ptrdiff_t>(3 * i + 3));
        e.y.push_back(d.y[i]);
    }
    return e;
}

}  // namespace

TEST_CASE("random_undersampler: balanced, without replacement, seeded", "[learn][ensemble]") {
    const data d = make_data();
    tessera::random_undersampler a(42), b(42), c(43);
    std::map<std::size_t, int> times_drawn;  // rows of the majority class over many subsets
    for (int draw = 0; draw < 200; ++draw) {
        const auto s = a.sample(d.y);
        CHECK(s == b.sample(d.y));  // same seed, same sequence
        REQUIRE(s.size() == 27);    // 3 classes × minority count 9
        std::map<int, std::size_t> per_class;
        std::set<std::size_t> distinct(s.begin(), s.end());
        CHECK(distinct.size() == s.size());  // without replacement
        for (std::size_t i : s) {
            REQUIRE(i < d.rows);
            ++per_class[d.y[i]];
            if (d.y[i] == 5) ++times_drawn[i];
        }
        CHECK(per_class[5] == 9);
        CHECK(per_class[-2] == 9);
        CHECK(per_class[11] == 9);
        // the minority class is kept whole
        for (std::size_t i = 0; i < d.rows; ++i)
            if (d.y[i] == 11) CHECK(distinct.count(i) == 1);
        // classes in ascending label order, ascending indices within each
        for (std::size_t k = 0; k < 3; ++k) {
            CHECK(std::is_sorted(s.begin() + static_cast<std::ptrdiff_t>(9 * k), s.begin() + static_cast<std::ptrdiff_t>(9 * k + 9)));
            CHECK(d.y[s[9 * k]] == (k == 0 ? -2 : k == 1 ? 5 : 11));
        }
    }
    // Uniform draws: each of the 70 majority rows is expected 200 * 9 / 70 = 25.7 times
    // (binomial sd ≈ 4.7); all rows are drawn and none absurdly often or rarely.
    CHECK(times_drawn.size() == 70);
    for (const auto& [row, n] : times_drawn) {
        INFO("row " << row);
        CHECK(n > 5);
        CHECK(n < 50);
    }
    // A different seed gives different subsets.
    tessera::random_undersampler a2(42);
    CHECK(a2.sample(d.y) != c.sample(d.y));
    CHECK_THROWS_AS(a.sample(std::vector<int>{1, 1, 1}), tessera::error);
}

TEST_CASE("easy_ensemble with logistic regression", "[learn][ensemble]") {
    const data d = make_data();
    tessera::logistic_options o;
    o.C = 0.5;
    tessera::easy_ensemble<> ens(tessera::logistic_regression(o), 10, 7);
    ens.fit(d.X.data(), d.rows, d.cols, d.y);
    REQUIRE(ens.n_estimators() == 10);
    CHECK(std::vector<int>(ens.classes().begin(), ens.classes().end()) == std::vector<int>{-2, 5, 11});

    // Each learner was fitted on its own balanced subset: refitting on the stored subset gives it back.
    for (std::size_t e = 0; e < ens.n_estimators(); ++e) {
        const auto s = ens.subset(e);
        REQUIRE(s.size() == 27);
        std::vector<double> Xs;
        std::vector<int> ys;
        for (std::size_t i : s) {
            Xs.insert(Xs.end(), d.X.begin() + static_cast<std::ptrdiff_t>(3 * i), d.X.begin() + static_cast<std::ptrdiff_t>(3 * i + 3));
            ys.push_back(d.y[i]);
        }
        for (int c : {-2, 5, 11}) CHECK(std::count(ys.begin(), ys.end(), c) == 9);
        tessera::logistic_regression m(o);
        m.fit(Xs.data(), s.size(), 3, ys);
        for (std::size_t k = 0; k < m.coef().size(); ++k) CHECK(m.coef()[k] == ens.estimator(e).coef()[k]);
    }
    // Averaged probabilities = mean of the learners' own predict_proba, recomputed here.
    const auto p = ens.predict_proba(d.X.data(), d.rows, d.cols);
    std::vector<double> mean(p.size(), 0.0);
    for (std::size_t e = 0; e < ens.n_estimators(); ++e) {
        const auto pe = ens.estimator(e).predict_proba(d.X.data(), d.rows, d.cols);
        for (std::size_t i = 0; i < p.size(); ++i) mean[i] += pe[i] / 10.0;
    }
    const auto pred = ens.predict(d.X.data(), d.rows, d.cols);
    std::size_t correct = 0;
    for (std::size_t i = 0; i < d.rows; ++i) {
        double sum = 0;
        for (std::size_t k = 0; k < 3; ++k) {
            CHECK(p[3 * i + k] == Approx(mean[3 * i + k]).margin(1e-15));
            sum += p[3 * i + k];
        }
        CHECK(sum == Approx(1.0).margin(1e-14));
        const std::size_t best = static_cast<std::size_t>(
            std::max_element(p.begin() + static_cast<std::ptrdiff_t>(3 * i), p.begin() + static_cast<std::ptrdiff_t>(3 * i + 3)) -
            (p.begin() + static_cast<std::ptrdiff_t>(3 * i)));
        CHECK(pred[i] == ens.classes()[best]);
        correct += pred[i] == d.y[i];
    }
    CHECK(correct > d.rows / 2);  // the blobs are separated enough to be learnt

    // Seed determinism; a different seed gives a different ensemble.
    tessera::easy_ensemble<> same(tessera::logistic_regression(o), 10, 7), other(tessera::logistic_regression(o), 10, 8);
    same.fit(d.X.data(), d.rows, d.cols, d.y);
    other.fit(d.X.data(), d.rows, d.cols, d.y);
    CHECK(same.predict_proba(d.X.data(), d.rows, d.cols) == p);
    CHECK(other.predict_proba(d.X.data(), d.rows, d.cols) != p);
    bool any_subset_differs = false;
    for (std::size_t e = 0; e < 10; ++e) {
        CHECK(std::ranges::equal(same.subset(e), ens.subset(e)));
        any_subset_differs |= !std::ranges::equal(other.subset(e), ens.subset(e));
    }
    CHECK(any_subset_differs);

    // Errors.
    CHECK_THROWS_AS(tessera::easy_ensemble<>(tessera::logistic_regression{}, 0), tessera::error);
    tessera::easy_ensemble<> unfitted;
    CHECK_THROWS_AS(unfitted.predict(d.X.data(), 1, 3), tessera::error);
    CHECK_THROWS_AS(ens.predict_proba(d.X.data(), 1, 2), tessera::error);
    CHECK_THROWS_AS(unfitted.fit(d.X.data(), d.rows, d.cols, std::vector<int>(d.rows, 4)), tessera::error);
}
