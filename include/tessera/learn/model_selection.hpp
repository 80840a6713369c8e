#pragma once
/// @file
/// Model selection as scikit-learn 1.2.1's sklearn.model_selection: stratified splits, k-fold
/// cross-validation and grid search over the learn/ models.
///
/// **stratified_kfold(labels, k, shuffle = false)** — StratifiedKFold._make_test_folds, verbatim:
/// classes are numbered in order of first appearance in `labels` (0 = the first label seen);
/// with the encoded labels sorted, position p goes to fold p mod k, which fixes
/// allocation[f][c] = the number of rows of class c in test fold f; then the rows of class c,
/// in row order, get fold ids 0 (allocation[0][c] times), 1, 2, ... (blocks, keeping the data
/// order). Fold f's test indices are the rows with id f, ascending. With shuffle = false the fold
/// membership is identical to sklearn's (tests/reference/learn/make_cv_reference.py: balanced,
/// imbalanced 47:6, non-contiguous and negative labels, labels first seen out of sorted order,
/// 7 classes, k = 2 ... 10). With shuffle = true each class's block of fold ids is permuted
/// (Fisher–Yates) as sklearn does, but with std::mt19937_64(seed) and a portable bounded draw,
/// not numpy's RandomState: the folds differ from sklearn's for the same seed; they are
/// deterministic per seed (and identical on every platform), and the per-class counts
/// allocation[f][c] are the unshuffled ones, so every fold holds ⌊n_c/k⌋ or ⌈n_c/k⌉ rows of
/// each class c.
/// Errors: k < 2; k > n_samples; k greater than the size of some class. sklearn raises
/// ValueError("n_splits=k cannot be greater than the number of members in each class.") only
/// when k exceeds *every* class count and merely warns when it exceeds *some*; tessera prints
/// nothing, so it throws in both cases (the message names the class and its count).
///
/// **stratified_train_test_split(labels, test_fraction, seed)** — the counts of sklearn's
/// train_test_split(stratify=y) (StratifiedShuffleSplit): n_test = ⌈test_fraction · n⌉,
/// n_train = n − n_test; per-class train counts = _approximate_mode(class_counts, n_train),
/// test counts = _approximate_mode(class_counts − train counts, n_test), where
/// _approximate_mode floors n_draw · n_c / n and hands the remaining draws to the classes of
/// largest remainder (ties among equal remainders broken at random); each class's rows are
/// permuted and the first go to train, the next to test. The RNG is std::mt19937_64(seed), not
/// numpy's, so the rows drawn differ from sklearn's; the counts per class are sklearn's up to
/// its random tie-breaking. Both index lists are returned ascending.
/// Errors (sklearn's): test_fraction outside (0, 1); a class with a single row; n_train or
/// n_test smaller than the number of classes.
///
/// **cross_validate / grid_search** — for each parameter point and each fold f: a model from the
/// factory `make(const param_point&)`, fitted on the rows outside test fold f and scored on the
/// rows of fold f; with `cv_options::standardize` a standard_scaler is fitted on the training
/// rows only and applied to both parts (sklearn's Pipeline(StandardScaler(), model)). Per metric,
/// mean = Σ_f s_f / k and std = sqrt(Σ_f (s_f − mean)² / k) (ddof = 0, sklearn's
/// mean_test_<m>/std_test_<m>), sums in numpy's pairwise order, so when the fold scores equal
/// sklearn's the mean and std are sklearn's to the bit. knn_classifier's predictions are
/// sklearn's brute force exactly and logistic_regression's coefficients agree with
/// newton-cg (tol 1e-8) to ~1e-9, so on the reference data the fold scores, means and stds are
/// identical to GridSearchCV's (tests/learn/model_selection.cpp; mean accuracies 0.7625, 0.775,
/// 0.775 for C = 0.1, 1, 10).
///
/// A model is anything with (a) `fit(const double* X, rows, cols, std::span<const int> y)` and
/// `predict(X, rows, cols, std::span<int> out)` (logistic_regression, easy_ensemble; an SVM
/// through a small struct whose fit calls train_svm and keeps the svm_model) or (b) `fit(const feature_matrix_view&, std::span<const std::int64_t>)` and
/// `predict(const feature_matrix_view&, std::span<std::int64_t> out)` (knn_classifier).
/// Parameter grid: std::map name → values, so the keys are sorted alphabetically as sklearn's
/// ParameterGrid sorts them; rows are the cartesian product with the last key varying fastest
/// and each key's values in the order given (itertools.product), i.e. cv_results_ order.
///
/// Threads: the (grid point, fold) tasks run through the execution policy (one task per chunk);
/// each task writes only its own slot of the score table, and means/stds are reduced afterwards
/// in a fixed order, so the results are bit-identical for any thread count. The factory is
/// called concurrently under openmp_policy and must be thread-safe (a pure function of its
/// argument); models are fitted and queried serially inside their task. An exception in any
/// task is rethrown after the loop (the one of the first failing task in task order).
/// Errors (tessera::error): X null/empty or non-finite, labels ≠ rows, no folds, a fold index out
/// of range or repeated, an empty train or test part, no metrics, an empty grid or a parameter
/// with no values, and whatever the model's fit throws (prefixed with the parameter point and
/// fold).
/// References: scikit-learn 1.2.1 sklearn/model_selection/_split.py (StratifiedKFold,
/// StratifiedShuffleSplit, _approximate_mode), _search.py (ParameterGrid, _format_results);
/// numpy/core/src/umath/loops_utils.h.src (pairwise summation).

#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/learn/detail/numpy_sum.hpp>
#include <tessera/learn/feature_matrix.hpp>
#include <tessera/learn/metrics.hpp>
#include <tessera/learn/scaler.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace tessera {

/// One point of a parameter grid, e.g. {{"C", 1.0}, {"gamma", 0.1}} (keys sorted).
using param_point = std::map<std::string, double>;
/// Per parameter, the values to try, in the order given.
using param_grid = std::map<std::string, std::vector<double>>;

/// Row indices, each list ascending.
struct train_test_indices {
    std::vector<std::size_t> train, test;
};

enum class cv_metric { accuracy, balanced_accuracy, f1_macro, f1_weighted, precision_macro, recall_macro };

/// sklearn's scoring name of a metric ("accuracy", "balanced_accuracy", "f1_macro", ...).
[[nodiscard]] inline const char* cv_metric_name(cv_metric m) noexcept {
    switch (m) {
        case cv_metric::accuracy: return "accuracy";
        case cv_metric::balanced_accuracy: return "balanced_accuracy";
        case cv_metric::f1_macro: return "f1_macro";
        case cv_metric::f1_weighted: return "f1_weighted";
        case cv_metric::precision_macro: return "precision_macro";
        case cv_metric::recall_macro: return "recall_macro";
    }
    return "?";
}

struct cv_options {
    std::vector<cv_metric> metrics{cv_metric::accuracy};
    bool standardize = false;  ///< standard_scaler fitted on each training part (sklearn Pipeline)
};

/// The cv_results_ of a grid search: one row per parameter point, in ParameterGrid order.
struct cv_results {
    std::vector<std::string> param_names;  ///< sorted
    std::vector<param_point> params;       ///< one per row
    std::vector<cv_metric> metrics;
    std::size_t n_folds = 0;
    std::vector<double> mean;         ///< [row * metrics.size() + m]: mean_test_<m>
    std::vector<double> stddev;       ///< [row * metrics.size() + m]: std_test_<m> (ddof = 0)
    std::vector<double> fold_scores;  ///< [(row * n_folds + f) * metrics.size() + m]: split<f>_test_<m>

    [[nodiscard]] std::size_t rows() const noexcept { return params.size(); }
    [[nodiscard]] double mean_score(std::size_t row, std::size_t m) const { return mean[row * metrics.size() + m]; }
    [[nodiscard]] double std_score(std::size_t row, std::size_t m) const { return stddev[row * metrics.size() + m]; }
    [[nodiscard]] double fold_score(std::size_t row, std::size_t fold, std::size_t m) const {
        return fold_scores[(row * n_folds + fold) * metrics.size() + m];
    }
    /// The row of the highest mean of metric m, the first on a tie (sklearn's best_index_,
    /// rank_test_<m> == 1 first).
    [[nodiscard]] std::size_t best_index(std::size_t m = 0) const {
        if (m >= metrics.size()) throw error("cv_results::best_index: metric ", m, " of ", metrics.size());
        std::size_t best = 0;
        for (std::size_t r = 1; r < rows(); ++r)
            if (mean_score(r, m) > mean_score(best, m)) best = r;
        return best;
    }
};

namespace detail {

/// Classes numbered by first appearance (sklearn's y_encoded); returns the number of classes.
inline std::size_t encode_by_appearance(std::span<const int> labels, std::vector<std::size_t>& code,
                                        std::vector<int>& classes) {
    std::map<int, std::size_t> seen;
    code.resize(labels.size());
    classes.clear();
    for (std::size_t i = 0; i < labels.size(); ++i) {
        auto [it, inserted] = seen.emplace(labels[i], classes.size());
        if (inserted) classes.push_back(labels[i]);
        code[i] = it->second;
    }
    return classes.size();
}

/// A uniform integer in [0, n) from a 64-bit engine, the same on every platform (rejection
/// sampling; std::uniform_int_distribution is implementation-defined).
inline std::uint64_t bounded_draw(std::mt19937_64& rng, std::uint64_t n) {
    const std::uint64_t limit = std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % n;
    std::uint64_t v;
    do v = rng();
    while (v >= limit);
    return v % n;
}

template <class T>
void fisher_yates(std::vector<T>& v, std::mt19937_64& rng) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[bounded_draw(rng, i)]);
}

inline double cv_score(cv_metric m, std::span<const std::int64_t> t, std::span<const std::int64_t> p) {
    switch (m) {
        case cv_metric::accuracy: return accuracy_score(t, p);
        case cv_metric::balanced_accuracy: return balanced_accuracy_score(t, p);
        case cv_metric::f1_macro: return precision_recall_f1(t, p, score_average::macro).f1;
        case cv_metric::f1_weighted: return precision_recall_f1(t, p, score_average::weighted).f1;
        case cv_metric::precision_macro: return precision_recall_f1(t, p, score_average::macro).precision;
        case cv_metric::recall_macro: return precision_recall_f1(t, p, score_average::macro).recall;
    }
    throw error("cross_validate: unknown metric");
}

template <class M>
concept cv_pointer_model = requires(M m, const M cm, const double* X, std::size_t n, std::span<const int> y,
                                    std::span<int> out) {
    m.fit(X, n, n, y);
    cm.predict(X, n, n, out);
};

template <class M>
concept cv_view_model = requires(M m, const M cm, const feature_matrix_view& x, std::span<const std::int64_t> y,
                                 std::span<std::int64_t> out) {
    m.fit(x, y);
    cm.predict(x, out);
};

/// Fits a model on (Xtr, ytr) and returns its predictions on Xte (labels as int64 for metrics.hpp).
template <class Model>
std::vector<std::int64_t> cv_fit_predict(Model& model, const std::vector<double>& Xtr, const std::vector<int>& ytr,
                                         const std::vector<double>& Xte, std::size_t nte, std::size_t cols) {
    const std::size_t ntr = ytr.size();
    std::vector<std::int64_t> pred(nte);
    if constexpr (cv_pointer_model<Model>) {
        model.fit(Xtr.data(), ntr, cols, std::span<const int>(ytr));
        std::vector<int> p(nte);
        model.predict(Xte.data(), nte, cols, std::span<int>(p));
        std::copy(p.begin(), p.end(), pred.begin());
    } else if constexpr (cv_view_model<Model>) {
        const std::vector<std::int64_t> y64(ytr.begin(), ytr.end());
        model.fit(feature_matrix_view{Xtr.data(), ntr, cols, cols, {}}, std::span<const std::int64_t>(y64));
        model.predict(feature_matrix_view{Xte.data(), nte, cols, cols, {}}, std::span<std::int64_t>(pred));
    } else {
        static_assert(cv_pointer_model<Model> || cv_view_model<Model>,
                      "cross_validate: the model needs fit/predict on (X, rows, cols, int labels) or on "
                      "(feature_matrix_view, int64 labels)");
    }
    return pred;
}

inline std::string describe(const param_point& p) {
    std::ostringstream os;
    os << '{';
    bool first = true;
    for (const auto& [k, v] : p) {
        os << (first ? "" : ", ") << k << ": " << v;
        first = false;
    }
    os << '}';
    return os.str();
}

}  // namespace detail

/// Per fold, the test row indices (ascending) of sklearn's StratifiedKFold(n_splits, shuffle).
[[nodiscard]] inline std::vector<std::vector<std::size_t>> stratified_kfold(std::span<const int> labels,
                                                                            std::size_t n_splits,
                                                                            bool shuffle = false,
                                                                            std::uint64_t seed = 0) {
    if (n_splits < 2) throw error("stratified_kfold: n_splits = ", n_splits, " (need at least 2)");
    const std::size_t n = labels.size();
    if (n_splits > n)
        throw error("stratified_kfold: cannot have number of splits n_splits=", n_splits,
                    " greater than the number of samples: n_samples=", n);
    std::vector<std::size_t> code;
    std::vector<int> classes;
    const std::size_t nc = detail::encode_by_appearance(labels, code, classes);
    std::vector<std::size_t> count(nc, 0);
    for (std::size_t c : code) ++count[c];
    for (std::size_t c = 0; c < nc; ++c)
        if (count[c] < n_splits)
            throw error("stratified_kfold: n_splits=", n_splits,
                        " cannot be greater than the number of members in each class (label ", classes[c],
                        " has ", count[c], " rows)");
    // allocation[f][c] = #{p in [start_c, start_c + count_c) : p mod k == f}
    std::vector<std::size_t> alloc(n_splits * nc, 0);
    std::size_t start = 0;
    for (std::size_t c = 0; c < nc; ++c) {
        for (std::size_t f = 0; f < n_splits; ++f) {
            // positions p in [start, start + count) with p ≡ f (mod k)
            const std::size_t first = start + (f + n_splits - start % n_splits) % n_splits;
            const std::size_t end = start + count[c];
            alloc[f * nc + c] = first < end ? (end - first + n_splits - 1) / n_splits : 0;
        }
        start += count[c];
    }
    std::mt19937_64 rng(seed);
    std::vector<std::vector<std::size_t>> rows_of(nc);
    for (std::size_t i = 0; i < n; ++i) rows_of[code[i]].push_back(i);
    std::vector<std::size_t> fold_of(n);
    for (std::size_t c = 0; c < nc; ++c) {
        std::vector<std::size_t> folds_for_class;
        folds_for_class.reserve(count[c]);
        for (std::size_t f = 0; f < n_splits; ++f) folds_for_class.insert(folds_for_class.end(), alloc[f * nc + c], f);
        if (shuffle) detail::fisher_yates(folds_for_class, rng);
        for (std::size_t r = 0; r < count[c]; ++r) fold_of[rows_of[c][r]] = folds_for_class[r];
    }
    std::vector<std::vector<std::size_t>> folds(n_splits);
    for (std::size_t i = 0; i < n; ++i) folds[fold_of[i]].push_back(i);
    return folds;
}

/// A stratified random split (sklearn train_test_split(stratify=labels) counts; see the file
/// comment for the RNG).
[[nodiscard]] inline train_test_indices stratified_train_test_split(std::span<const int> labels,
                                                                    double test_fraction, std::uint64_t seed = 0) {
    if (!(test_fraction > 0 && test_fraction < 1))
        throw error("stratified_train_test_split: test_fraction = ", test_fraction, " must be in (0, 1)");
    const std::size_t n = labels.size();
    std::vector<std::size_t> code;
    std::vector<int> classes;
    const std::size_t nc = detail::encode_by_appearance(labels, code, classes);
    if (nc == 0) throw error("stratified_train_test_split: no labels");
    const std::size_t n_test = static_cast<std::size_t>(std::ceil(test_fraction * static_cast<double>(n)));
    const std::size_t n_train = n - n_test;
    std::vector<std::size_t> count(nc, 0);
    for (std::size_t c : code) ++count[c];
    for (std::size_t c = 0; c < nc; ++c)
        if (count[c] < 2)
            throw error("stratified_train_test_split: the least populated class in y (label ", classes[c],
                        ") has only 1 member, which is too few; the minimum number of groups for any class "
                        "cannot be less than 2");
    if (n_train < nc)
        throw error("stratified_train_test_split: the train_size = ", n_train,
                    " should be greater or equal to the number of classes = ", nc);
    if (n_test < nc)
        throw error("stratified_train_test_split: the test_size = ", n_test,
                    " should be greater or equal to the number of classes = ", nc);
    std::mt19937_64 rng(seed);
    // sklearn _approximate_mode(class_counts, n_draws, rng)
    auto approximate_mode = [&](const std::vector<std::size_t>& counts, std::size_t n_draws) {
        std::size_t total = 0;
        for (std::size_t v : counts) total += v;
        std::vector<std::size_t> floored(nc);
        std::vector<double> rem(nc);
        std::size_t assigned = 0;
        for (std::size_t c = 0; c < nc; ++c) {
            const double cont = static_cast<double>(n_draws) * static_cast<double>(counts[c]) / static_cast<double>(total);
            floored[c] = static_cast<std::size_t>(std::floor(cont));
            rem[c] = cont - static_cast<double>(floored[c]);
            assigned += floored[c];
        }
        std::size_t need = n_draws - assigned;
        std::vector<double> values(rem);
        std::sort(values.begin(), values.end(), std::greater<>());
        values.erase(std::unique(values.begin(), values.end()), values.end());
        for (double v : values) {
            if (need == 0) break;
            std::vector<std::size_t> inds;
            for (std::size_t c = 0; c < nc; ++c)
                if (rem[c] == v) inds.push_back(c);
            detail::fisher_yates(inds, rng);
            const std::size_t add = std::min(inds.size(), need);
            for (std::size_t a = 0; a < add; ++a) ++floored[inds[a]];
            need -= add;
        }
        return floored;
    };
    const std::vector<std::size_t> n_i = approximate_mode(count, n_train);
    std::vector<std::size_t> left(nc);
    for (std::size_t c = 0; c < nc; ++c) left[c] = count[c] - n_i[c];
    const std::vector<std::size_t> t_i = approximate_mode(left, n_test);
    std::vector<std::vector<std::size_t>> rows_of(nc);
    for (std::size_t i = 0; i < n; ++i) rows_of[code[i]].push_back(i);
    train_test_indices out;
    for (std::size_t c = 0; c < nc; ++c) {
        detail::fisher_yates(rows_of[c], rng);
        out.train.insert(out.train.end(), rows_of[c].begin(), rows_of[c].begin() + static_cast<std::ptrdiff_t>(n_i[c]));
        out.test.insert(out.test.end(), rows_of[c].begin() + static_cast<std::ptrdiff_t>(n_i[c]),
                        rows_of[c].begin() + static_cast<std::ptrdiff_t>(n_i[c] + t_i[c]));
    }
    std::sort(out.train.begin(), out.train.end());
    std::sort(out.test.begin(), out.test.end());
    return out;
}

/// The grid's points in sklearn ParameterGrid order (keys sorted, the last key fastest).
[[nodiscard]] inline std::vector<param_point> expand_grid(const param_grid& grid) {
    if (grid.empty()) throw error("expand_grid: the parameter grid is empty (no parameters)");
    for (const auto& [name, values] : grid)
        if (values.empty())
            throw error("expand_grid: parameter grid for parameter '", name, "' needs a non-empty list of values");
    std::vector<param_point> points(1);
    for (const auto& [name, values] : grid) {  // std::map: ascending keys; later keys vary faster
        std::vector<param_point> next;
        next.reserve(points.size() * values.size());
        for (const auto& p : points)
            for (double v : values) {
                param_point q = p;
                q[name] = v;
                next.push_back(std::move(q));
            }
        points = std::move(next);
    }
    return points;
}

/// Cross-validated scores of every parameter point (rows of the result in the order given).
template <class Factory, execution_policy Policy = serial_policy>
[[nodiscard]] cv_results cross_validate_points(Factory&& make_model, const std::vector<param_point>& points,
                                               const double* X, std::size_t rows, std::size_t cols,
                                               std::span<const int> y,
                                               const std::vector<std::vector<std::size_t>>& test_folds,
                                               const cv_options& options = {}, Policy policy = {}) {
    const char* who = "cross_validate";
    if (points.empty()) throw error(who, ": no parameter points");
    if (options.metrics.empty()) throw error(who, ": no metrics to compute");
    if (rows != y.size()) throw error(who, ": X has ", rows, " rows but ", y.size(), " labels were given");
    if (rows == 0 || cols == 0 || X == nullptr) throw error(who, ": X is empty (", rows, " x ", cols, ")");
    check_features(feature_matrix_view{X, rows, cols, cols, {}}, who);
    const std::size_t k = test_folds.size();
    if (k < 2) throw error(who, ": ", k, " folds (need at least 2)");
    std::vector<std::size_t> seen(rows, k);
    for (std::size_t f = 0; f < k; ++f) {
        if (test_folds[f].empty()) throw error(who, ": test fold ", f, " is empty");
        if (test_folds[f].size() >= rows) throw error(who, ": test fold ", f, " leaves no training rows");
        for (std::size_t i : test_folds[f]) {
            if (i >= rows) throw error(who, ": test fold ", f, " holds row ", i, " of ", rows);
            if (seen[i] != k) throw error(who, ": row ", i, " is in test folds ", seen[i], " and ", f);
            seen[i] = f;
        }
    }
    const std::size_t nm = options.metrics.size();
    cv_results res;
    res.params = points;
    for (const auto& p : points)
        for (const auto& kv : p)
            if (std::find(res.param_names.begin(), res.param_names.end(), kv.first) == res.param_names.end())
                res.param_names.push_back(kv.first);
    std::sort(res.param_names.begin(), res.param_names.end());
    res.metrics = options.metrics;
    res.n_folds = k;
    res.fold_scores.assign(points.size() * k * nm, 0.0);
    const std::size_t tasks = points.size() * k;
    std::vector<std::exception_ptr> failures(tasks);
    detail::for_each_chunk(policy, tasks, 1, [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t t = b; t < e; ++t) {
            const std::size_t g = t / k, f = t % k;
            try {
                std::vector<char> in_test(rows, 0);
                for (std::size_t i : test_folds[f]) in_test[i] = 1;
                const std::size_t nte = test_folds[f].size(), ntr = rows - nte;
                std::vector<double> Xtr(ntr * cols), Xte(nte * cols);
                std::vector<int> ytr;
                ytr.reserve(ntr);
                std::vector<std::int64_t> yte;
                yte.reserve(nte);
                for (std::size_t i = 0, a = 0; i < rows; ++i)
                    if (!in_test[i]) {
                        std::copy_n(X + i * cols, cols, Xtr.begin() + static_cast<std::ptrdiff_t>(a++ * cols));
                        ytr.push_back(y[i]);
                    }
                for (std::size_t r = 0; r < nte; ++r) {  // test rows in the fold's order (ascending from stratified_kfold)
                    const std::size_t i = test_folds[f][r];
                    std::copy_n(X + i * cols, cols, Xte.begin() + static_cast<std::ptrdiff_t>(r * cols));
                    yte.push_back(y[i]);
                }
                if (options.standardize) {
                    standard_scaler sc;
                    sc.fit(feature_matrix_view{Xtr.data(), ntr, cols, cols, {}});
                    sc.transform(feature_matrix_view{Xtr.data(), ntr, cols, cols, {}}, Xtr);
                    sc.transform(feature_matrix_view{Xte.data(), nte, cols, cols, {}}, Xte);
                }
                auto model = make_model(points[g]);
                const std::vector<std::int64_t> pred = detail::cv_fit_predict(model, Xtr, ytr, Xte, nte, cols);
                for (std::size_t m = 0; m < nm; ++m)
                    res.fold_scores[(g * k + f) * nm + m] = detail::cv_score(options.metrics[m], yte, pred);
            } catch (const std::exception& ex) {
                failures[t] = std::make_exception_ptr(
                    error(who, ": parameters ", detail::describe(points[g]), ", fold ", f, ": ", ex.what()));
            } catch (...) {
                failures[t] = std::current_exception();
            }
        }
    });
    for (const auto& ep : failures)
        if (ep) std::rethrow_exception(ep);
    res.mean.assign(points.size() * nm, 0.0);
    res.stddev.assign(points.size() * nm, 0.0);
    std::vector<double> s(k);
    for (std::size_t g = 0; g < points.size(); ++g)
        for (std::size_t m = 0; m < nm; ++m) {
            for (std::size_t f = 0; f < k; ++f) s[f] = res.fold_scores[(g * k + f) * nm + m];
            const double mean = detail::numpy_pairwise_sum(s.data(), k) / static_cast<double>(k);
            for (std::size_t f = 0; f < k; ++f) s[f] = detail::rounded_product(s[f] - mean, s[f] - mean);
            res.mean[g * nm + m] = mean;
            res.stddev[g * nm + m] = std::sqrt(detail::numpy_pairwise_sum(s.data(), k) / static_cast<double>(k));
        }
    return res;
}

/// Cross-validated scores of one parameter point (a one-row table).
template <class Factory, execution_policy Policy = serial_policy>
[[nodiscard]] cv_results cross_validate(Factory&& make_model, const param_point& params, const double* X,
                                        std::size_t rows, std::size_t cols, std::span<const int> y,
                                        const std::vector<std::vector<std::size_t>>& test_folds,
                                        const cv_options& options = {}, Policy policy = {}) {
    return cross_validate_points(std::forward<Factory>(make_model), std::vector<param_point>{params}, X, rows, cols,
                                 y, test_folds, options, policy);
}

/// sklearn GridSearchCV(refit=False).cv_results_: every point of the grid cross-validated.
template <class Factory, execution_policy Policy = serial_policy>
[[nodiscard]] cv_results grid_search(Factory&& make_model, const param_grid& grid, const double* X, std::size_t rows,
                                     std::size_t cols, std::span<const int> y,
                                     const std::vector<std::vector<std::size_t>>& test_folds,
                                     const cv_options& options = {}, Policy policy = {}) {
    return cross_validate_points(std::forward<Factory>(make_model), expand_grid(grid), X, rows, cols, y, test_folds,
                                 options, policy);
}

}  // namespace tessera
