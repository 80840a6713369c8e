#pragma once
/// @file
/// Random undersampling and the EasyEnsemble classifier (Liu, Wu & Zhou, "Exploratory
/// undersampling for class-imbalance learning", IEEE TSMC-B 39, 539 (2009)), with the semantics of
/// imbalanced-learn's `RandomUnderSampler(sampling_strategy="auto", replacement=False)` and
/// `EasyEnsembleClassifier(n_estimators=10, sampling_strategy="auto", replacement=False)`.
///
/// random_undersampler: with class counts n_c and minority count m = min_c n_c, a subset keeps
/// m rows of every class, drawn without replacement (the minority class, and any class of count m,
/// whole). Indices are returned ascending within each class, classes in ascending label order.
///
/// easy_ensemble<Model>: E subsets from one undersampler; learner e is a copy of the prototype
/// model fitted on subset e; \f$ P(c \mid x) = \frac{1}{E} \sum_e P_e(c \mid x) \f$, and predict =
/// the class of the largest averaged probability (ties: the first). The base model is a template
/// parameter (logistic_regression by default, as in the glass "looseness" work that used logistic
/// regression inside EasyEnsemble; imblearn's own default base is AdaBoost).
///
/// Randomness: std::mt19937_64 seeded with `seed`; each class's rows are drawn by a partial
/// Fisher–Yates shuffle whose uniform integers come from the engine by rejection sampling (not
/// std::uniform_int_distribution, whose algorithm differs between standard libraries), so a seed
/// gives the same subsets with every compiler. It does NOT reproduce imblearn's NumPy RNG: the
/// subsets, and so the fitted ensemble, differ from imblearn's for any random_state; only their
/// distribution is the same.
///
/// Errors (tessera::error): fewer than two classes, rows ≠ labels, n_estimators = 0, a learner
/// whose classes differ from the ensemble's. Queries are const and thread-safe.

#include <tessera/core/error.hpp>
#include <tessera/learn/logistic.hpp>

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <random>
#include <span>
#include <utility>
#include <vector>

namespace tessera {

namespace detail {

/// Uniform integer in [0, n) from a 64-bit engine, by rejection (portable across libraries).
inline std::uint64_t uniform_below(std::mt19937_64& engine, std::uint64_t n) {
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() -
                                std::numeric_limits<std::uint64_t>::max() % n;  // multiple of n
    std::uint64_t v;
    do v = engine();
    while (v >= limit);
    return v % n;
}

}  // namespace detail

class random_undersampler {
public:
    explicit random_undersampler(std::uint64_t seed = 0) : engine_(seed) {}

    /// Row indices of one balanced subset of the rows labelled y; advances the engine.
    std::vector<std::size_t> sample(std::span<const int> y) {
        std::vector<int> classes(y.begin(), y.end());
        std::sort(classes.begin(), classes.end());
        classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
        if (classes.size() < 2)
            throw error("random_undersampler: ", y.size(), " labels hold ", classes.size(),
                        " class(es); undersampling needs at least two");
        std::vector<std::vector<std::size_t>> rows(classes.size());
        for (std::size_t i = 0; i < y.size(); ++i)
            rows[static_cast<std::size_t>(std::lower_bound(classes.begin(), classes.end(), y[i]) - classes.begin())]
                .push_back(i);
        std::size_t minority = y.size();
        for (const auto& r : rows) minority = std::min(minority, r.size());
        std::vector<std::size_t> out;
        out.reserve(minority * classes.size());
        for (auto& r : rows) {
            // Partial Fisher–Yates: the first `minority` entries become a uniform draw without
            // replacement.
            for (std::size_t a = 0; a < minority && r.size() > minority; ++a)
                std::swap(r[a], r[a + detail::uniform_below(engine_, r.size() - a)]);
            std::sort(r.begin(), r.begin() + static_cast<std::ptrdiff_t>(minority));
            out.insert(out.end(), r.begin(), r.begin() + static_cast<std::ptrdiff_t>(minority));
        }
        return out;
    }

private:
    std::mt19937_64 engine_;
};

/// What easy_ensemble needs of a base model: copyable, fit on (X, rows, cols, labels),
/// predict_proba into a rows × classes vector, classes() ascending.
template <class M>
concept ensemble_base_model =
    std::copy_constructible<M> && requires(M m, const M cm, const double* X, std::size_t n, std::span<const int> y) {
        m.fit(X, n, n, y);
        { cm.predict_proba(X, n, n) } -> std::convertible_to<std::vector<double>>;
        { cm.classes() } -> std::convertible_to<std::span<const int>>;
    };

template <ensemble_base_model Model = logistic_regression>
class easy_ensemble {
public:
    explicit easy_ensemble(Model prototype = Model{}, std::size_t n_estimators = 10, std::uint64_t seed = 0)
        : prototype_(std::move(prototype)), n_estimators_(n_estimators), seed_(seed) {
        if (n_estimators_ == 0) throw error("easy_ensemble: n_estimators must be >= 1");
    }

    /// Draws n_estimators balanced subsets (seeded as documented above) and fits one copy of the
    /// prototype on each.
    easy_ensemble& fit(const double* X, std::size_t rows, std::size_t cols, std::span<const int> y) {
        if (rows != y.size())
            throw error("easy_ensemble::fit: X has ", rows, " rows but ", y.size(), " labels were given");
        if (X == nullptr || cols == 0) throw error("easy_ensemble::fit: X is empty");
        random_undersampler sampler(seed_);
        std::vector<int> classes(y.begin(), y.end());
        std::sort(classes.begin(), classes.end());
        classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
        std::vector<Model> learners;
        std::vector<std::vector<std::size_t>> subsets;
        std::vector<double> Xs;
        std::vector<int> ys;
        for (std::size_t e = 0; e < n_estimators_; ++e) {
            auto idx = sampler.sample(y);
            Xs.resize(idx.size() * cols);
            ys.resize(idx.size());
            for (std::size_t r = 0; r < idx.size(); ++r) {
                std::copy_n(X + idx[r] * cols, cols, Xs.begin() + static_cast<std::ptrdiff_t>(r * cols));
                ys[r] = y[idx[r]];
            }
            Model m = prototype_;
            m.fit(Xs.data(), idx.size(), cols, std::span<const int>(ys));
            const auto mc = std::span<const int>(m.classes());
            if (!std::equal(mc.begin(), mc.end(), classes.begin(), classes.end()))
                throw error("easy_ensemble::fit: learner ", e, " has ", mc.size(), " classes, the data ",
                            classes.size());
            learners.push_back(std::move(m));
            subsets.push_back(std::move(idx));
        }
        classes_ = std::move(classes);
        learners_ = std::move(learners);
        subsets_ = std::move(subsets);
        n_features_ = cols;
        return *this;
    }

    /// An ensemble from already fitted learners (e.g. read from a model file): every learner
    /// must have the same classes and n_features; subsets are not known (empty).
    static easy_ensemble from_estimators(std::vector<Model> learners, std::size_t n_features, std::uint64_t seed = 0) {
        if (learners.empty()) throw error("easy_ensemble::from_estimators: no learners");
        easy_ensemble e(learners.front(), learners.size(), seed);
        const auto c0 = std::span<const int>(learners.front().classes());
        for (std::size_t k = 1; k < learners.size(); ++k) {
            const auto ck = std::span<const int>(learners[k].classes());
            if (!std::equal(ck.begin(), ck.end(), c0.begin(), c0.end()))
                throw error("easy_ensemble::from_estimators: learner ", k, " has other classes than learner 0");
        }
        e.classes_.assign(c0.begin(), c0.end());
        e.subsets_.assign(learners.size(), {});
        e.learners_ = std::move(learners);
        e.n_features_ = n_features;
        return e;
    }

    bool fitted() const noexcept { return !learners_.empty(); }
    std::span<const int> classes() const noexcept { return classes_; }
    std::size_t n_classes() const noexcept { return classes_.size(); }
    std::size_t n_estimators() const noexcept { return n_estimators_; }
    std::uint64_t seed() const noexcept { return seed_; }
    /// Learner e (0 <= e < n_estimators) and the training rows it was fitted on.
    const Model& estimator(std::size_t e) const { return learners_.at(e); }
    std::span<const std::size_t> subset(std::size_t e) const { return subsets_.at(e); }

    /// out (rows × n_classes()): the learners' predict_proba averaged.
    void predict_proba(const double* X, std::size_t rows, std::size_t cols, std::span<double> out) const {
        check_query("predict_proba", cols, out.size(), rows * n_classes());
        std::fill(out.begin(), out.end(), 0.0);
        for (const auto& m : learners_) {
            const std::vector<double> p = m.predict_proba(X, rows, cols);
            for (std::size_t i = 0; i < out.size(); ++i) out[i] += p[i];
        }
        const double inv = 1.0 / static_cast<double>(learners_.size());
        for (double& v : out) v *= inv;
    }
    std::vector<double> predict_proba(const double* X, std::size_t rows, std::size_t cols) const {
        std::vector<double> out(rows * n_classes());
        predict_proba(X, rows, cols, out);
        return out;
    }

    /// out (rows): the class of the largest averaged probability (ties: the first).
    void predict(const double* X, std::size_t rows, std::size_t cols, std::span<int> out) const {
        check_query("predict", cols, out.size(), rows);
        const auto p = predict_proba(X, rows, cols);
        const std::size_t K = n_classes();
        for (std::size_t i = 0; i < rows; ++i) {
            const auto row = p.begin() + static_cast<std::ptrdiff_t>(i * K);
            out[i] = classes_[static_cast<std::size_t>(std::max_element(row, row + static_cast<std::ptrdiff_t>(K)) - row)];
        }
    }
    std::vector<int> predict(const double* X, std::size_t rows, std::size_t cols) const {
        std::vector<int> out(rows);
        predict(X, rows, cols, out);
        return out;
    }

private:
    void check_query(const char* what, std::size_t cols, std::size_t out_size, std::size_t needed) const {
        if (!fitted()) throw error("easy_ensemble::", what, ": the ensemble is not fitted");
        if (cols != n_features_)
            throw error("easy_ensemble::", what, ": X has ", cols, " columns, the ensemble ", n_features_, " features");
        if (out_size != needed)
            throw error("easy_ensemble::", what, ": output holds ", out_size, " values, ", needed, " needed");
    }

    Model prototype_;
    std::size_t n_estimators_;
    std::uint64_t seed_;
    std::vector<int> classes_;
    std::vector<Model> learners_;
    std::vector<std::vector<std::size_t>> subsets_;
    std::size_t n_features_ = 0;
};

}  // namespace tessera
