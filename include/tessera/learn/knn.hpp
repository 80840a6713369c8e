#pragma once
/// @file
/// k-nearest-neighbour classification and regression in feature space, identical to
/// scikit-learn 1.2's KNeighborsClassifier / KNeighborsRegressor with algorithm='brute'.
///
/// For a query q, N_k(q) are the k training rows nearest to q under
/// euclidean \f$ d(q,x) = \sqrt{\sum_j (q_j - x_j)^2} \f$ or manhattan \f$ d = \sum_j |q_j - x_j| \f$.
/// Weights: uniform \f$ w_i = 1 \f$; distance \f$ w_i = 1/d_i \f$, except that when some
/// \f$ 1/d_i \f$ is infinite (a query that coincides with training rows) exactly those rows get
/// weight 1 and all others 0 (sklearn's `_get_weights`).
/// - classifier: \f$ P(c \mid q) = \sum_{i \in N_k,\, y_i = c} w_i \,/\, \sum_{i \in N_k} w_i \f$ over
///   the classes sorted ascending; predict = the class of largest summed weight, the smallest
///   class on a tie (np.argmax / scipy.stats.mode take the first);
/// - regressor: \f$ \hat y(q) = \sum w_i y_i / \sum w_i \f$;
///   Class weights are summed in neighbour order (sorted by distance, then index), as sklearn's
///   predict_proba loop does; sklearn's predict with distance weights sums with numpy
///   (weighted_mode), so two classes whose summed weights differ by an ulp could in principle
///   be ranked differently — never seen in the reference data (uniform weights: exact counts).
/// - label_mean: the uniform mean \f$ \frac1k \sum_{i \in N_k} y_i \f$ whatever the weights — the
///   "T_ML" of a structure-to-temperature model (mean temperature label of the k nearest training
///   atoms).
///
/// The neighbour search (exact, with scikit-learn's tie-breaking; k-d tree or brute force) is
/// knn_index, learn/knn_index.hpp.
///
/// The model copies its training features and labels at fit (it owns them; the caller's arrays
/// need not outlive it). Errors (tessera::error): k = 0, k > training rows, non-finite features
/// (row and column named), mismatched column counts, label count != rows, output buffers of the
/// wrong size, predict before fit.

#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/learn/feature_matrix.hpp>
#include <tessera/learn/knn_index.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tessera {

enum class knn_weights { uniform, distance };

struct knn_params {
    std::size_t k = 5;  ///< n_neighbors
    knn_weights weights = knn_weights::uniform;
    knn_metric metric = knn_metric::euclidean;
    knn_algorithm algorithm = knn_algorithm::kd_tree;  ///< speed only: results are identical
};

namespace detail {

/// sklearn's _get_weights for one query row (k distances) into w.
inline void knn_weights_of(knn_weights kind, const double* dist, std::size_t k, double* w) noexcept {
    if (kind == knn_weights::uniform) {
        std::fill(w, w + k, 1.0);
        return;
    }
    bool any_inf = false;
    for (std::size_t a = 0; a < k; ++a) {
        w[a] = 1.0 / dist[a];
        any_inf = any_inf || std::isinf(w[a]);
    }
    if (any_inf)
        for (std::size_t a = 0; a < k; ++a) w[a] = std::isinf(w[a]) ? 1.0 : 0.0;
}

/// Scratch for one chunk of queries: neighbour indices, distances, weights.
struct knn_scratch {
    std::vector<std::int64_t> idx;
    std::vector<double> dist, w, acc, rows;
};

/// Rows which[0 … n−1] of q copied into buf, as a dense n × cols view.
inline feature_matrix_view knn_gather_rows(const feature_matrix_view& q, const std::size_t* which, std::size_t n,
                                           std::vector<double>& buf) {
    buf.resize(n * q.cols);
    for (std::size_t a = 0; a < n; ++a) std::copy_n(q.data + which[a] * q.stride(), q.cols, buf.data() + a * q.cols);
    return {buf.data(), n, q.cols, q.cols, {}};
}

}  // namespace detail

/// KNeighborsClassifier (algorithm='brute'); integer class labels.
class knn_classifier {
public:
    knn_classifier() = default;
    explicit knn_classifier(knn_params params) : params_(params) {}

    /// Fits on features x (rows × cols) and one label per row.
    knn_classifier& fit(const feature_matrix_view& x, std::span<const std::int64_t> labels) {
        if (params_.k == 0) throw error("knn_classifier.fit: k (n_neighbors) must be > 0");
        if (labels.size() != x.rows)
            throw error("knn_classifier.fit: ", labels.size(), " labels for ", x.rows, " feature rows");
        index_.fit(x, params_.metric, params_.algorithm);
        if (params_.k > x.rows)
            throw error("knn_classifier.fit: k = ", params_.k, " exceeds the number of training rows (", x.rows, ")");
        classes_.assign(labels.begin(), labels.end());
        std::sort(classes_.begin(), classes_.end());
        classes_.erase(std::unique(classes_.begin(), classes_.end()), classes_.end());
        encoded_.resize(labels.size());
        for (std::size_t i = 0; i < labels.size(); ++i)
            encoded_[i] = static_cast<std::int32_t>(
                std::lower_bound(classes_.begin(), classes_.end(), labels[i]) - classes_.begin());
        return *this;
    }

    [[nodiscard]] const knn_params& params() const noexcept { return params_; }
    [[nodiscard]] std::span<const std::int64_t> classes() const noexcept { return classes_; }
    [[nodiscard]] const knn_index& index() const noexcept { return index_; }

    /// out[r * n_classes + c] = P(classes()[c] | query r); out holds rows * classes().size().
    template <class Policy = serial_policy>
        requires execution_policy<Policy>
    void predict_proba(const feature_matrix_view& q, std::span<double> out, Policy policy = {}) const {
        const std::size_t nc = classes_.size();
        index_.check_query(q, params_.k, "knn_classifier.predict_proba");
        if (out.size() != q.rows * nc)
            throw error("knn_classifier.predict_proba: output holds ", out.size(), " doubles, need rows * classes = ",
                        q.rows * nc);
        run(q, policy, [&](std::size_t r, const double* acc) {
            double norm = 0;
            for (std::size_t c = 0; c < nc; ++c) norm += acc[c];
            if (norm == 0.0) norm = 1.0;
            for (std::size_t c = 0; c < nc; ++c) out[r * nc + c] = acc[c] / norm;
        });
    }

    /// out[r] = the predicted class of query r.
    template <class Policy = serial_policy>
        requires execution_policy<Policy>
    void predict(const feature_matrix_view& q, std::span<std::int64_t> out, Policy policy = {}) const {
        index_.check_query(q, params_.k, "knn_classifier.predict");
        if (out.size() != q.rows)
            throw error("knn_classifier.predict: output holds ", out.size(), " labels, need ", q.rows);
        const std::size_t nc = classes_.size();
        run(q, policy, [&](std::size_t r, const double* acc) {
            std::size_t best = 0;
            for (std::size_t c = 1; c < nc; ++c)
                if (acc[c] > acc[best]) best = c;
            out[r] = classes_[best];
        });
    }

private:
    /// Per query r, emit(r, acc) with acc[c] = summed weight of class c, accumulated in neighbour
    /// order (as sklearn's predict_proba loop over neighbour columns).
    template <class Policy, class Emit>
    void run(const feature_matrix_view& q, Policy policy, Emit&& emit) const {
        const std::size_t k = params_.k, nc = classes_.size();
        constexpr std::size_t chunk = 256;
        // queries in the index's search order (cache locality; results are per query)
        const std::vector<std::size_t> order = index_.search_order(q);
        detail::for_each_chunk(policy, q.rows, chunk, [&](std::size_t, std::size_t b, std::size_t e) {
            const std::size_t n = e - b;
            detail::knn_scratch s;
            s.idx.resize(n * k);
            s.dist.resize(n * k);
            s.w.resize(k);
            s.acc.resize(nc);
            const feature_matrix_view sub = detail::knn_gather_rows(q, order.data() + b, n, s.rows);
            index_.search(sub, k, s.idx.data(), s.dist.data(), serial);
            for (std::size_t a = 0; a < n; ++a) {
                detail::knn_weights_of(params_.weights, s.dist.data() + a * k, k, s.w.data());
                std::fill(s.acc.begin(), s.acc.end(), 0.0);
                for (std::size_t j = 0; j < k; ++j) s.acc[encoded_[s.idx[a * k + j]]] += s.w[j];
                emit(order[b + a], s.acc.data());
            }
        });
    }

    knn_params params_{};
    knn_index index_;
    std::vector<std::int64_t> classes_;
    std::vector<std::int32_t> encoded_;
};

/// KNeighborsRegressor (algorithm='brute'); one numeric target per training row.
class knn_regressor {
public:
    knn_regressor() = default;
    explicit knn_regressor(knn_params params) : params_(params) {}

    knn_regressor& fit(const feature_matrix_view& x, std::span<const double> targets) {
        if (params_.k == 0) throw error("knn_regressor.fit: k (n_neighbors) must be > 0");
        if (targets.size() != x.rows)
            throw error("knn_regressor.fit: ", targets.size(), " targets for ", x.rows, " feature rows");
        for (std::size_t i = 0; i < targets.size(); ++i)
            if (!std::isfinite(targets[i]))
                throw error("knn_regressor.fit: target ", targets[i], " of row ", i, " is not finite");
        index_.fit(x, params_.metric, params_.algorithm);
        if (params_.k > x.rows)
            throw error("knn_regressor.fit: k = ", params_.k, " exceeds the number of training rows (", x.rows, ")");
        y_.assign(targets.begin(), targets.end());
        return *this;
    }

    [[nodiscard]] const knn_params& params() const noexcept { return params_; }
    [[nodiscard]] const knn_index& index() const noexcept { return index_; }
    [[nodiscard]] std::span<const double> targets() const noexcept { return y_; }

    /// out[r] = Σ w_i y_i / Σ w_i over the k neighbours of query r (weights as params().weights).
    template <class Policy = serial_policy>
        requires execution_policy<Policy>
    void predict(const feature_matrix_view& q, std::span<double> out, Policy policy = {}) const {
        run(q, out, params_.weights, "knn_regressor.predict", policy);
    }

    /// out[r] = (1/k) Σ y_i over the k neighbours of query r, whatever params().weights.
    template <class Policy = serial_policy>
        requires execution_policy<Policy>
    void label_mean(const feature_matrix_view& q, std::span<double> out, Policy policy = {}) const {
        run(q, out, knn_weights::uniform, "knn_regressor.label_mean", policy);
    }

private:
    template <class Policy>
    void run(const feature_matrix_view& q, std::span<double> out, knn_weights weights, const char* who,
             Policy policy) const {
        index_.check_query(q, params_.k, who);
        if (out.size() != q.rows) throw error(who, ": output holds ", out.size(), " values, need ", q.rows);
        const std::size_t k = params_.k;
        constexpr std::size_t chunk = 256;
        const std::vector<std::size_t> order = index_.search_order(q);  // as knn_classifier
        detail::for_each_chunk(policy, q.rows, chunk, [&](std::size_t, std::size_t b, std::size_t e) {
            const std::size_t n = e - b;
            detail::knn_scratch s;
            s.idx.resize(n * k);
            s.dist.resize(n * k);
            s.w.resize(k);
            const feature_matrix_view sub = detail::knn_gather_rows(q, order.data() + b, n, s.rows);
            index_.search(sub, k, s.idx.data(), s.dist.data(), serial);
            for (std::size_t a = 0; a < n; ++a) {
                const std::int64_t* nb = s.idx.data() + a * k;
                if (weights == knn_weights::uniform) {  // np.mean: sum, then / k
                    double sum = 0;
                    for (std::size_t j = 0; j < k; ++j) sum += y_[nb[j]];
                    out[order[b + a]] = sum / static_cast<double>(k);
                } else {
                    detail::knn_weights_of(weights, s.dist.data() + a * k, k, s.w.data());
                    double num = 0, den = 0;
                    for (std::size_t j = 0; j < k; ++j) {
                        num += detail::rounded_product(y_[nb[j]], s.w[j]);
                        den += s.w[j];
                    }
                    out[order[b + a]] = num / den;
                }
            }
        });
    }

    knn_params params_{};
    knn_index index_;
    std::vector<double> y_;
};

}  // namespace tessera
