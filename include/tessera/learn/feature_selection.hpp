#pragma once
/// @file
/// Feature selection: recursive feature elimination (scikit-learn 1.2.1's `RFE`) around any
/// estimator that reports per-feature importances, ReliefF feature weights, and merging of
/// classes whose mean feature vectors are indistinguishable (agglomerative clustering).
///
/// ## rfe — recursive feature elimination (sklearn/feature_selection/_rfe.py, `RFE._fit`)
/// Features f = 0 … p−1 (p ≥ 2), all "remaining" at the start; ranking_f = 1 for all.
///  - target count k: `n_features_to_select` when > 0; else `fraction_to_select` ∈ (0, 1] when
///    > 0, k = ⌊p · fraction⌋ (sklearn's float n_features_to_select; must give k ≥ 1); else
///    ⌊p / 2⌋ (sklearn's None). k ≥ p selects everything (no fit, all ranks 1), as sklearn.
///  - step s: `step` ∈ (0, 1) is a fraction, s = ⌊max(1, step · p)⌋ with p the *original* count;
///    otherwise `step` must be a whole number ≥ 1 and s = step.
///  - while more than k features remain: the estimator is fitted on the remaining columns (in
///    ascending original order, a dense row-major copy) and returns one importance per remaining
///    column; the min(s, remaining − k) least important are eliminated, and every eliminated
///    feature (this round's and all earlier ones) has its ranking incremented. So the selected
///    features have rank 1, the last eliminated rank 2, …; one round's features share a rank.
///  - importance order: ascending importance, exact ties by lower original index (a stable
///    sort). sklearn uses `np.argsort(importances)` (kind 'quicksort' = introsort): numpy 1.24
///    sorts ≤ 16 values by insertion sort (stable, the same order as here) but orders exact ties
///    among more than 16 remaining features in an unspecified way (verified: a tied array of 17
///    is not returned in index order). Exact floating-point ties of fitted coefficients are rare;
///    with them and > 16 features the rankings may differ from sklearn's.
///  - importances with `importance_getter='auto'` are sklearn's `_get_feature_importances(...,
///    transform_func="square")`: coef_² for a 1 × p coef_, Σ_rows coef_² (over the K rows of a
///    multinomial model, or the k(k−1)/2 one-vs-one rows of a linear SVC) otherwise — the squared
///    L2 norm of the column, *not* the L1 norm (`norm_order` applies only to SelectFromModel's
///    "norm" transform). `rfe_importances` computes exactly that from a fitted
///    logistic_regression or a linear-kernel svm_model; `rfe_logistic` is the ready estimator.
///    For an estimator with feature_importances_ (GradientBoostingClassifier) the importance is
///    feature_importances_² (the same "square" transform, order-preserving for these
///    non-negative values but applied so that ties fall as in sklearn); `rfe_importances` of a
///    gradient_boosting_classifier computes it, `rfe_gradient_boosting` is the ready estimator
///    (refitted with the same seed every round, as sklearn clones random_state=0).
///    Any callable works:
///
///        // est(X, rows, cols, y) -> std::vector<double> (cols importances, finite, ≥ anything)
///        tessera::rfe_options opt; opt.n_features_to_select = 3; opt.step = 1;
///        auto r = tessera::rfe(X, y, tessera::rfe_logistic{}, opt);      // r.ranking, r.support
///        // a linear SVC (learn/svm_train.hpp, libsvm):
///        auto svc = [&](const double* x, std::size_t n, std::size_t c, std::span<const int> yy) {
///            return tessera::rfe_importances(tessera::train_svm(x, n, c, yy.data(), svm_opt)); };
///
///    sklearn's final refit (`estimator_` on the selected features) is left to the caller.
///  Verified (tests/reference/learn/make_rfe_reference.py, tests/learn/feature_selection.cpp):
///  rankings identical to sklearn's RFE(LogisticRegression(solver='newton-cg', tol=1e-8, C=1))
///  on standardized binary (10 features) and 3-class (12 features) data, step 1, 2 and 0.25
///  (smallest relative importance gap at an elimination boundary 0.045, far above the ~1e-9
///  solver disagreement); with libsvm, train_svm + rfe_importances identical to
///  RFE(SVC(kernel='linear', C=1, tol=1e-6)), step 1 and 2; linear_svm_coef = SVC.coef_ to 1e-12;
///  rfe_gradient_boosting identical to RFE(GradientBoostingClassifier(random_state=0),
///  n_features_to_select=2) on 6 continuous features (tests/reference/learn/make_gbt_reference.py).
///
/// ## relieff — ReliefF weights (Kononenko 1994; Robnik-Šikonja & Kononenko, Machine Learning
/// 53, 23 (2003), Fig. 3), numeric features, every instance used once (m = n, deterministic)
/// Rows x_i (i = 0 … n−1), p numeric features, class labels y_i; P(C) = n_C / n.
///  - diff(A, a, b) = |a_A − b_A| / (max_A − min_A), max/min over all n rows; 0 for a constant
///    feature (max_A = min_A).
///  - distance d(i, j) = Σ_A diff(A, x_i, x_j) (Manhattan on range-scaled features), summed over
///    A in column order.
///  - for each i: H = the k nearest hits (rows j ≠ i with y_j = y_i), and for every class
///    C ≠ y_i, M_C = the k nearest rows of class C; nearest = smallest d(i, j), ties by lower row
///    index j. A class with fewer than k candidates contributes all of them (k_H = min(k, n_{y_i}
///    − 1), k_C = min(k, n_C); a term with no candidate is 0).
///  - W_A = (1/n) Σ_i [ −(1/k_H) Σ_{h∈H} diff(A, x_i, x_h)
///          + Σ_{C≠y_i} P(C)/(1 − P(y_i)) · (1/k_C) Σ_{m∈M_C} diff(A, x_i, x_m) ]
///    With k ≤ every class size − 1 this is the paper's W[A] − Σ diff/(m·k) + Σ_C … /(m·k).
///    W_A ∈ [−1, 1]; larger = more relevant. Evaluation order: per i, per class C ascending
///    (the hit class in its place) the diffs of its neighbours are summed nearest first, scaled
///    (−1/k_H or P(C)/(1 − P(y_i))/k_C) and added to row i's term; the terms are summed over i
///    ascending and divided by n at the end.
///  - cost: brute-force neighbour search, O(n² p) time, O(n + p) memory beyond the output; serial
///    (no threads, so trivially independent of the thread count).
///  (Not compared with skrebate's ReliefF, which is not installed here and whose handling of
///  distance ties, missing values and feature types may differ; the tests compare against an
///  independently written plain-loop implementation of the formula above.)
///
/// ## merge_similar_classes — indistinguishable classes by agglomerative clustering of class means
/// Classes c_0 < … < c_{K−1} (K ≥ 2), mean feature vectors μ_c over their rows (use standardized
/// features: the distance is Euclidean in the given units). Agglomerative clustering of the K
/// means (each class mean one point, unweighted by class size), cluster distance by `linkage`:
/// single = min, complete = max, average = mean of the Euclidean distances ‖μ_a − μ_b‖ over all
/// pairs across the two clusters (UPGMA, scipy's 'average') — each recomputed from the K×K
/// point distances, so a merge history is exact, not Lance–Williams-updated. Repeatedly the
/// closest pair of clusters is merged while its distance is < `distance_threshold` (sklearn's
/// AgglomerativeClustering distance_threshold: "at or above which clusters will not be merged";
/// scipy's fcluster(criterion='distance') merges at ≤ t instead — equal except exactly at t);
/// ties: the pair whose clusters' smallest class indices (a, b), a < b, are lexicographically
/// smallest. Result: group[c] = the group of class index c, groups numbered 0, 1, … in order of
/// their smallest class; representative = the smallest label in each group; the merge heights
/// in merge order. `merge_classes(y, m)` relabels y with the representatives (classes removed
/// by merging take their group's smallest label). Cost O(K³ + n p + K² p).
///
/// Errors (tessera::error, naming the function and the offending value): non-finite X (row and
/// column), label count ≠ rows, fewer than 2 features (rfe) or rows, a single class (relieff),
/// k = 0, bad step / target, importances of the wrong length or not finite (round named).

#include <tessera/core/error.hpp>
#include <tessera/learn/feature_matrix.hpp>
#include <tessera/learn/gradient_boosting.hpp>
#include <tessera/learn/logistic.hpp>
#include <tessera/learn/svm.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

namespace tessera {

// ---------------------------------------------------------------------------------------------
// RFE

struct rfe_options {
    std::size_t n_features_to_select = 0;  ///< k; 0 = use fraction_to_select, or p/2 if that is 0 too
    double fraction_to_select = 0.0;       ///< in (0, 1]: k = floor(p · fraction) (when n_features_to_select = 0)
    double step = 1.0;                     ///< in (0, 1): fraction of the original p; else a whole number >= 1
};

struct rfe_result {
    std::vector<bool> support;          ///< support_: true for the selected features (p entries)
    std::vector<std::size_t> ranking;   ///< ranking_: 1 = selected, larger = eliminated earlier (p entries)
    std::size_t n_features = 0;         ///< n_features_: number selected
    std::size_t n_rounds = 0;           ///< estimator fits performed

    /// Indices of the selected features, ascending.
    [[nodiscard]] std::vector<std::size_t> selected() const {
        std::vector<std::size_t> s;
        for (std::size_t j = 0; j < support.size(); ++j)
            if (support[j]) s.push_back(j);
        return s;
    }
};

/// Σ over the rows of a coef matrix (coef_rows × cols, row-major) of coef², per column: sklearn's
/// RFE importance (transform_func="square").
[[nodiscard]] inline std::vector<double> squared_coef_importances(std::span<const double> coef, std::size_t coef_rows,
                                                                 std::size_t cols) {
    if (coef.size() != coef_rows * cols)
        throw error("squared_coef_importances: ", coef.size(), " coefficients for ", coef_rows, " x ", cols);
    std::vector<double> imp(cols, 0.0);
    for (std::size_t r = 0; r < coef_rows; ++r)
        for (std::size_t j = 0; j < cols; ++j) imp[j] += coef[r * cols + j] * coef[r * cols + j];
    return imp;
}

/// RFE importances of a fitted logistic regression: Σ_k coef_kj².
[[nodiscard]] inline std::vector<double> rfe_importances(const logistic_regression& model) {
    if (!model.fitted()) throw error("rfe_importances: the logistic regression is not fitted");
    return squared_coef_importances(model.coef(), model.coef_rows(), model.n_features());
}

/// sklearn's `SVC.coef_` for a linear kernel, n_decision() × n_features row-major: for two
/// classes dual_coef_ · support_vectors_ (1 row); for k > 2 one row per class pair (i, j), i < j,
/// in the order (0,1), (0,2), …, (1,2), …: Σ_{s∈i} α^{(j−1)}_s s + Σ_{s∈j} α^{(i)}_s s
/// (sklearn's _one_vs_one_coef). Throws for a non-linear kernel (as sklearn's AttributeError).
[[nodiscard]] inline std::vector<double> linear_svm_coef(const svm_model& model) {
    const svm_parameters& p = model.parameters();
    if (p.classes.size() < 2) throw error("linear_svm_coef: the svm model is empty (not fitted)");
    if (p.kernel.type != svm_kernel::linear)
        throw error("linear_svm_coef: coef_ exists only for the linear kernel, this model's is ",
                    to_string(p.kernel.type));
    const std::size_t nf = p.n_features, k = p.classes.size(), L = model.n_support_vectors();
    std::vector<std::size_t> start(k + 1, 0);
    for (std::size_t c = 0; c < k; ++c) start[c + 1] = start[c] + p.n_support[c];
    const std::size_t rows = k == 2 ? 1 : k * (k - 1) / 2;
    std::vector<double> coef(rows * nf, 0.0);
    if (k == 2) {
        for (std::size_t s = 0; s < L; ++s)
            for (std::size_t f = 0; f < nf; ++f) coef[f] += p.dual_coef[s] * p.support_vectors[s * nf + f];
        return coef;
    }
    std::size_t row = 0;
    for (std::size_t i = 0; i < k; ++i)
        for (std::size_t j = i + 1; j < k; ++j, ++row) {
            double* w = coef.data() + row * nf;
            for (std::size_t s = start[i]; s < start[i + 1]; ++s)
                for (std::size_t f = 0; f < nf; ++f) w[f] += p.dual_coef[(j - 1) * L + s] * p.support_vectors[s * nf + f];
            for (std::size_t s = start[j]; s < start[j + 1]; ++s)
                for (std::size_t f = 0; f < nf; ++f) w[f] += p.dual_coef[i * L + s] * p.support_vectors[s * nf + f];
        }
    return coef;
}

/// RFE importances of a linear-kernel SVC: Σ over the rows of linear_svm_coef of coef².
[[nodiscard]] inline std::vector<double> rfe_importances(const svm_model& model) {
    const std::vector<double> coef = linear_svm_coef(model);
    return squared_coef_importances(coef, coef.size() / model.n_features(), model.n_features());
}

/// Ready RFE estimator: fits tessera::logistic_regression(options) and returns its importances.
/// Default options = sklearn's LogisticRegression(C=1) optimum (see learn/logistic.hpp).
struct rfe_logistic {
    logistic_options options{};
    std::vector<double> operator()(const double* X, std::size_t rows, std::size_t cols, std::span<const int> y) const {
        logistic_regression model(options);
        model.fit(X, rows, cols, y);
        return rfe_importances(model);
    }
};

/// RFE importances of a fitted gradient-boosting classifier: feature_importances_², sklearn's
/// _get_feature_importances(transform_func="square") of a 1-D feature_importances_.
[[nodiscard]] inline std::vector<double> rfe_importances(const gradient_boosting_classifier& model) {
    std::vector<double> imp = model.feature_importances();
    for (double& v : imp) v *= v;
    return imp;
}

/// Ready RFE estimator: fits tessera::gradient_boosting_classifier(options) (defaults = sklearn's
/// GradientBoostingClassifier(random_state=0)) and returns its squared feature importances.
struct rfe_gradient_boosting {
    gradient_boosting_options options{};
    std::vector<double> operator()(const double* X, std::size_t rows, std::size_t cols, std::span<const int> y) const {
        return rfe_importances(fit_gradient_boosting(feature_matrix_view{X, rows, cols, cols, {}}, y, options));
    }
};

/// Recursive feature elimination (see the file comment). `estimator(const double* X, rows, cols,
/// std::span<const int> y)` must return one finite importance per column of the dense row-major
/// rows × cols matrix it is given (the remaining features, ascending original order).
template <class Estimator>
rfe_result rfe(const feature_matrix_view& X, std::span<const int> y, Estimator&& estimator, const rfe_options& opt = {}) {
    check_features(X, "rfe");
    const std::size_t n = X.rows, p = X.cols;
    if (y.size() != n) throw error("rfe: X has ", n, " rows but ", y.size(), " labels were given");
    if (n == 0) throw error("rfe: no rows");
    if (p < 2) throw error("rfe: ", p, " feature column(s); RFE needs at least 2 (as scikit-learn)");
    std::size_t k = 0;
    if (opt.n_features_to_select > 0) {
        k = opt.n_features_to_select;
    } else if (opt.fraction_to_select != 0) {
        if (!(opt.fraction_to_select > 0 && opt.fraction_to_select <= 1))
            throw error("rfe: fraction_to_select = ", opt.fraction_to_select, " must be in (0, 1]");
        k = static_cast<std::size_t>(static_cast<double>(p) * opt.fraction_to_select);
        if (k == 0)
            throw error("rfe: fraction_to_select = ", opt.fraction_to_select, " of ", p,
                        " features selects none (floor(p * fraction) = 0)");
    } else {
        k = p / 2;
    }
    std::size_t step = 0;
    if (opt.step > 0 && opt.step < 1) {
        step = static_cast<std::size_t>(std::max(1.0, opt.step * static_cast<double>(p)));
    } else {
        if (!(opt.step >= 1) || opt.step != std::floor(opt.step) || !std::isfinite(opt.step))
            throw error("rfe: step = ", opt.step, " must be a fraction in (0, 1) or a whole number >= 1");
        step = static_cast<std::size_t>(opt.step);
    }

    rfe_result r;
    r.support.assign(p, true);
    r.ranking.assign(p, 1);
    std::vector<std::size_t> features;
    std::vector<double> sub;
    std::vector<std::size_t> order;
    std::size_t remaining = p;
    while (remaining > k) {
        features.clear();
        for (std::size_t j = 0; j < p; ++j)
            if (r.support[j]) features.push_back(j);
        const std::size_t c = features.size();
        sub.resize(n * c);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t q = 0; q < c; ++q) sub[i * c + q] = X(i, features[q]);
        const std::vector<double> imp = estimator(static_cast<const double*>(sub.data()), n, c, y);
        ++r.n_rounds;
        if (imp.size() != c)
            throw error("rfe: round ", r.n_rounds, ": the estimator returned ", imp.size(), " importances for ", c,
                        " features");
        for (std::size_t q = 0; q < c; ++q)
            if (!std::isfinite(imp[q]))
                throw error("rfe: round ", r.n_rounds, ": importance ", imp[q], " of feature ", features[q],
                            " is not finite");
        order.resize(c);
        std::iota(order.begin(), order.end(), std::size_t{0});
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return imp[a] < imp[b]; });
        const std::size_t drop = std::min(step, remaining - k);
        for (std::size_t q = 0; q < drop; ++q) r.support[features[order[q]]] = false;
        remaining -= drop;
        for (std::size_t j = 0; j < p; ++j)
            if (!r.support[j]) ++r.ranking[j];
    }
    r.n_features = remaining;
    return r;
}

// ---------------------------------------------------------------------------------------------
// ReliefF

struct relieff_options {
    std::size_t k = 10;  ///< nearest hits / misses per class (skrebate's n_neighbors default is 100)
};

/// ReliefF weights, one per column of X (see the file comment for the exact definition).
[[nodiscard]] inline std::vector<double> relieff(const feature_matrix_view& X, std::span<const int> y,
                                                 const relieff_options& opt = {}) {
    check_features(X, "relieff");
    const std::size_t n = X.rows, p = X.cols;
    if (y.size() != n) throw error("relieff: X has ", n, " rows but ", y.size(), " labels were given");
    if (n < 2) throw error("relieff: ", n, " row(s); need at least 2");
    if (opt.k == 0) throw error("relieff: k = 0; need at least one neighbour");

    std::vector<int> classes(y.begin(), y.end());
    std::sort(classes.begin(), classes.end());
    classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
    const std::size_t K = classes.size();
    if (K < 2) throw error("relieff: all ", n, " labels are ", classes[0], " (a single class; need at least two)");
    std::vector<std::size_t> label(n), count(K, 0);
    for (std::size_t i = 0; i < n; ++i) {
        label[i] = static_cast<std::size_t>(std::lower_bound(classes.begin(), classes.end(), y[i]) - classes.begin());
        ++count[label[i]];
    }
    std::vector<double> prior(K);
    for (std::size_t c = 0; c < K; ++c) prior[c] = static_cast<double>(count[c]) / static_cast<double>(n);

    std::vector<double> range(p);
    for (std::size_t a = 0; a < p; ++a) {
        double mn = X(0, a), mx = X(0, a);
        for (std::size_t i = 1; i < n; ++i) {
            mn = std::min(mn, X(i, a));
            mx = std::max(mx, X(i, a));
        }
        range[a] = mx - mn;
    }
    // diff(A, i, j); 0 for a constant feature
    auto diff = [&](std::size_t a, std::size_t i, std::size_t j) {
        return range[a] > 0 ? std::abs(X(i, a) - X(j, a)) / range[a] : 0.0;
    };

    std::vector<double> w(p, 0.0), dist(n), term(p);
    std::vector<std::vector<std::size_t>> by_class(K);
    for (auto& v : by_class) v.reserve(n);
    auto nearer = [&](std::size_t a, std::size_t b) { return dist[a] < dist[b] || (dist[a] == dist[b] && a < b); };
    for (std::size_t i = 0; i < n; ++i) {
        for (auto& v : by_class) v.clear();
        for (std::size_t j = 0; j < n; ++j) {
            if (j == i) continue;
            double d = 0;
            for (std::size_t a = 0; a < p; ++a) d += diff(a, i, j);
            dist[j] = d;
            by_class[label[j]].push_back(j);
        }
        std::fill(term.begin(), term.end(), 0.0);
        for (std::size_t c = 0; c < K; ++c) {
            auto& cand = by_class[c];
            if (cand.empty()) continue;
            const std::size_t kc = std::min(opt.k, cand.size());
            std::partial_sort(cand.begin(), cand.begin() + static_cast<std::ptrdiff_t>(kc), cand.end(), nearer);
            const bool hit = c == label[i];
            const double factor = hit ? -1.0 / static_cast<double>(kc)
                                      : prior[c] / (1.0 - prior[label[i]]) / static_cast<double>(kc);
            for (std::size_t a = 0; a < p; ++a) {
                double s = 0;
                for (std::size_t q = 0; q < kc; ++q) s += diff(a, i, cand[q]);
                term[a] += factor * s;
            }
        }
        for (std::size_t a = 0; a < p; ++a) w[a] += term[a];
    }
    for (double& v : w) v /= static_cast<double>(n);
    return w;
}

// ---------------------------------------------------------------------------------------------
// Merging indistinguishable classes

enum class class_linkage { single, complete, average };

struct class_merge_result {
    std::vector<int> classes;           ///< the K original classes, ascending
    std::vector<std::size_t> group;     ///< group of each class index (K entries), 0 … n_groups−1
    std::vector<int> representative;    ///< per group: its smallest class label
    std::vector<double> merge_heights;  ///< linkage distance of each merge performed, in order
    std::vector<double> class_means;    ///< K × p row-major class means
    [[nodiscard]] std::size_t n_groups() const noexcept { return representative.size(); }
};

/// Groups classes whose mean feature vectors lie closer than distance_threshold (see the file comment).
[[nodiscard]] inline class_merge_result merge_similar_classes(const feature_matrix_view& X, std::span<const int> y,
                                                              double distance_threshold,
                                                              class_linkage linkage = class_linkage::average) {
    check_features(X, "merge_similar_classes");
    const std::size_t n = X.rows, p = X.cols;
    if (y.size() != n) throw error("merge_similar_classes: X has ", n, " rows but ", y.size(), " labels were given");
    if (n == 0) throw error("merge_similar_classes: no rows");
    if (!(distance_threshold >= 0) || std::isnan(distance_threshold))
        throw error("merge_similar_classes: distance_threshold = ", distance_threshold, " must be >= 0");
    class_merge_result r;
    r.classes.assign(y.begin(), y.end());
    std::sort(r.classes.begin(), r.classes.end());
    r.classes.erase(std::unique(r.classes.begin(), r.classes.end()), r.classes.end());
    const std::size_t K = r.classes.size();
    if (K < 2) throw error("merge_similar_classes: all ", n, " labels are ", r.classes[0], " (a single class)");
    r.class_means.assign(K * p, 0.0);
    std::vector<double> count(K, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<std::size_t>(std::lower_bound(r.classes.begin(), r.classes.end(), y[i]) -
                                                r.classes.begin());
        count[c] += 1;
        for (std::size_t a = 0; a < p; ++a) r.class_means[c * p + a] += X(i, a);
    }
    for (std::size_t c = 0; c < K; ++c)
        for (std::size_t a = 0; a < p; ++a) r.class_means[c * p + a] /= count[c];
    std::vector<double> d(K * K, 0.0);
    for (std::size_t a = 0; a < K; ++a)
        for (std::size_t b = a + 1; b < K; ++b) {
            double s = 0;
            for (std::size_t f = 0; f < p; ++f) {
                const double t = r.class_means[a * p + f] - r.class_means[b * p + f];
                s += t * t;
            }
            d[a * K + b] = d[b * K + a] = std::sqrt(s);
        }
    // clusters as ascending member lists, kept ordered by their smallest member
    std::vector<std::vector<std::size_t>> clusters(K);
    for (std::size_t c = 0; c < K; ++c) clusters[c] = {c};
    auto cluster_distance = [&](const std::vector<std::size_t>& A, const std::vector<std::size_t>& B) {
        double v = linkage == class_linkage::single ? std::numeric_limits<double>::infinity() : 0.0;
        for (std::size_t a : A)
            for (std::size_t b : B) {
                const double x = d[a * K + b];
                if (linkage == class_linkage::single) v = std::min(v, x);
                else if (linkage == class_linkage::complete) v = std::max(v, x);
                else v += x;
            }
        return linkage == class_linkage::average ? v / static_cast<double>(A.size() * B.size()) : v;
    };
    while (clusters.size() > 1) {
        std::size_t best_a = 0, best_b = 1;
        double best = std::numeric_limits<double>::infinity();
        for (std::size_t a = 0; a < clusters.size(); ++a)
            for (std::size_t b = a + 1; b < clusters.size(); ++b) {
                const double v = cluster_distance(clusters[a], clusters[b]);
                if (v < best) {
                    best = v;
                    best_a = a;
                    best_b = b;
                }
            }
        if (!(best < distance_threshold)) break;
        r.merge_heights.push_back(best);
        auto& A = clusters[best_a];
        A.insert(A.end(), clusters[best_b].begin(), clusters[best_b].end());
        std::sort(A.begin(), A.end());
        clusters.erase(clusters.begin() + static_cast<std::ptrdiff_t>(best_b));
    }
    r.group.assign(K, 0);
    for (std::size_t g = 0; g < clusters.size(); ++g) {
        for (std::size_t c : clusters[g]) r.group[c] = g;
        r.representative.push_back(r.classes[clusters[g].front()]);
    }
    return r;
}

/// y relabelled by a merge: every label becomes its group's representative (smallest label).
[[nodiscard]] inline std::vector<int> merge_classes(std::span<const int> y, const class_merge_result& m) {
    std::vector<int> out(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) {
        const auto it = std::lower_bound(m.classes.begin(), m.classes.end(), y[i]);
        if (it == m.classes.end() || *it != y[i])
            throw error("merge_classes: label ", y[i], " at row ", i, " is not one of the merged classes");
        out[i] = m.representative[m.group[static_cast<std::size_t>(it - m.classes.begin())]];
    }
    return out;
}

}  // namespace tessera
