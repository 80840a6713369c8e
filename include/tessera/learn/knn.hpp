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
/// - label_mean: the uniform mean \f$ \frac1k \sum_{i \in N_k} y_i \f$ whatever the weights — the
///   "T_ML" of a structure-to-temperature model (mean temperature label of the k nearest training
///   atoms).
///
/// Exact search with scikit-learn's tie-breaking. sklearn 1.2 brute force (ArgKmin) pushes every
/// training row, in ascending index order, into a fixed-size max-heap (sklearn/utils/_heap.pyx
/// `heap_push`: a value >= the root is rejected, otherwise it replaces the root and sifts down).
/// When rows tie at the k-th distance, which of them survive depends on that heap's history —
/// it is NOT "lowest index first": with training rows 1, -1, 1, 0.5, -0.5 (1 feature), query 0
/// and k = 3, sklearn returns rows {1, 3, 4}. tessera runs the same heap with the same push
/// order and the same ranking value (squared euclidean / manhattan distance), so its neighbour
/// sets are sklearn's whenever the two compute the same distances: always for manhattan
/// (sequential sum, as sklearn's ManhattanDistance), and for euclidean whenever the squared
/// distances are exact (e.g. integer-valued features) or no two candidate distances lie within
/// rounding (~1e-16 relative) of each other — sklearn evaluates ||x||² - 2 x·y + ||y||² with BLAS,
/// tessera evaluates Σ (x-y)² directly, so they may round differently. The neighbours of a query
/// are returned sorted by (distance, index); sklearn's order within equal distances is that of
/// its unstable quicksort, which changes no prediction except through summation order.
/// Caveat on sklearn's side: with more than one OpenMP thread and few queries (its
/// 'parallel_on_Y' strategy, n_queries <= 4 * 256 * threads and n_queries <= n_train) sklearn
/// merges per-thread heaps and its tie outcome depends on its thread count; tessera reproduces
/// its single-thread (and 'parallel_on_X') result.
///
/// The search is a blocked brute force (blocks of queries × blocks of training rows, for cache
/// reuse) with an exact early exit: a row is skipped as soon as its partial distance sum reaches
/// the heap's root, which the heap would reject anyway (partial sums of non-negative terms never
/// decrease in floating point), so the pruning changes nothing. Queries are split over threads
/// by the execution policy; every query's result depends on that query only, hence results are
/// identical for any thread count. Cost O(n_query · n_train · cols) in the worst case.
///
/// The model copies its training features and labels at fit (it owns them; the caller's arrays
/// need not outlive it). Errors (tessera::error): k = 0, k > training rows, non-finite features
/// (row and column named), mismatched column counts, label count != rows, output buffers of the
/// wrong size, predict before fit.

#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/learn/feature_matrix.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

namespace tessera {

enum class knn_weights { uniform, distance };
enum class knn_metric { euclidean, manhattan };

struct knn_params {
    std::size_t k = 5;  ///< n_neighbors
    knn_weights weights = knn_weights::uniform;
    knn_metric metric = knn_metric::euclidean;
};

namespace detail {

/// sklearn/utils/_heap.pyx heap_push, verbatim: a max-heap of `size` (value, index) pairs.
inline void knn_heap_push(double* values, std::int64_t* indices, std::size_t size, double val,
                          std::int64_t val_idx) noexcept {
    if (val >= values[0]) return;
    std::size_t cur = 0;
    for (;;) {
        const std::size_t l = 2 * cur + 1, r = l + 1;
        std::size_t sw;
        if (l >= size) break;
        if (r >= size) {
            if (values[l] > val) sw = l;
            else break;
        } else if (values[l] >= values[r]) {
            if (val < values[l]) sw = l;
            else break;
        } else {
            if (val < values[r]) sw = r;
            else break;
        }
        values[cur] = values[sw];
        indices[cur] = indices[sw];
        cur = sw;
    }
    values[cur] = val;
    indices[cur] = val_idx;
}

}  // namespace detail

/// The training set of a k-NN model and the exact search over it.
class knn_index {
public:
    knn_index() = default;
    explicit knn_index(const feature_matrix_view& train, knn_metric metric = knn_metric::euclidean) {
        fit(train, metric);
    }

    knn_index& fit(const feature_matrix_view& train, knn_metric metric = knn_metric::euclidean) {
        check_features(train, "knn.fit");
        if (train.rows == 0) throw error("knn.fit: the training feature matrix has 0 rows");
        rows_ = train.rows;
        cols_ = train.cols;
        metric_ = metric;
        data_.resize(rows_ * cols_);
        for (std::size_t i = 0; i < rows_; ++i) std::copy_n(train.row(i).data(), cols_, data_.data() + i * cols_);
        return *this;
    }

    [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
    [[nodiscard]] std::size_t cols() const noexcept { return cols_; }
    [[nodiscard]] knn_metric metric() const noexcept { return metric_; }
    [[nodiscard]] feature_matrix_view training() const noexcept { return {data_.data(), rows_, cols_, cols_, {}}; }

    /// Checks a query matrix and k against this index (the checks kneighbors makes).
    void check_query(const feature_matrix_view& q, std::size_t k, const char* who) const {
        if (rows_ == 0) throw error(who, ": the model is not fitted (call fit first)");
        if (k == 0) throw error(who, ": k (n_neighbors) must be > 0");
        if (k > rows_)
            throw error(who, ": k = ", k, " exceeds the number of training rows (", rows_, ")");
        check_feature_count(q, cols_, who);
        check_features(q, who);
    }

    /// The k nearest training rows of every query: `indices` and `distances` hold rows * k
    /// values, row-major, each row sorted by (distance, index). Neighbour sets as sklearn's
    /// brute force (see the file comment).
    template <class Policy = serial_policy>
        requires execution_policy<Policy>
    void kneighbors(const feature_matrix_view& q, std::size_t k, std::span<std::int64_t> indices,
                    std::span<double> distances, Policy policy = {}) const {
        check_query(q, k, "knn.kneighbors");
        if (indices.size() != q.rows * k || distances.size() != q.rows * k)
            throw error("knn.kneighbors: output buffers hold ", indices.size(), " indices and ", distances.size(),
                        " distances, need rows * k = ", q.rows * k);
        search(q, k, indices.data(), distances.data(), policy);
    }

    /// Unchecked search (callers have checked): fills rows * k indices / distances.
    template <class Policy>
    void search(const feature_matrix_view& q, std::size_t k, std::int64_t* out_idx, double* out_dist,
                Policy policy) const {
        constexpr std::size_t query_block = 16;
        const std::size_t train_block = std::max<std::size_t>(64, (std::size_t(1) << 15) / (cols_ * sizeof(double)));
        detail::for_each_chunk(policy, q.rows, query_block, [&](std::size_t, std::size_t b, std::size_t e) {
            const std::size_t nq = e - b;
            double* vals = out_dist + b * k;  // the heaps live in the output rows
            std::int64_t* idx = out_idx + b * k;
            std::fill(vals, vals + nq * k, std::numeric_limits<double>::infinity());
            std::fill(idx, idx + nq * k, std::int64_t(-1));
            for (std::size_t t0 = 0; t0 < rows_; t0 += train_block) {
                const std::size_t t1 = std::min(rows_, t0 + train_block);
                for (std::size_t a = 0; a < nq; ++a) {
                    const double* x = q.data + (b + a) * q.stride();
                    double* hv = vals + a * k;
                    std::int64_t* hi = idx + a * k;
                    if (metric_ == knn_metric::euclidean)
                        scan<true>(x, t0, t1, hv, hi, k);
                    else
                        scan<false>(x, t0, t1, hv, hi, k);
                }
            }
            for (std::size_t a = 0; a < nq; ++a) finish(vals + a * k, idx + a * k, k);
        });
    }

private:
    template <bool Squared>
    void scan(const double* x, std::size_t t0, std::size_t t1, double* hv, std::int64_t* hi,
              std::size_t k) const noexcept {
        const std::size_t m = cols_;
        for (std::size_t t = t0; t < t1; ++t) {
            const double* y = data_.data() + t * m;
            const double root = hv[0];
            double s = 0;
            std::size_t j = 0;
            bool pruned = false;
            // Exact early exit every 4 features: a partial sum >= root means rejection.
            for (; j + 4 <= m; j += 4) {
                for (std::size_t u = 0; u < 4; ++u) {
                    const double d = x[j + u] - y[j + u];
                    s += Squared ? d * d : std::abs(d);
                }
                if (s >= root) {
                    pruned = true;
                    break;
                }
            }
            if (pruned) continue;
            for (; j < m; ++j) {
                const double d = x[j] - y[j];
                s += Squared ? d * d : std::abs(d);
            }
            detail::knn_heap_push(hv, hi, k, s, static_cast<std::int64_t>(t));
        }
    }

    /// Heap → rows sorted by (distance, index); ranking values → distances.
    void finish(double* hv, std::int64_t* hi, std::size_t k) const {
        // insertion sort on (value, index): k is small and this runs once per query
        for (std::size_t a = 1; a < k; ++a) {
            const double v = hv[a];
            const std::int64_t i = hi[a];
            std::size_t c = a;
            while (c > 0 && (hv[c - 1] > v || (hv[c - 1] == v && hi[c - 1] > i))) {
                hv[c] = hv[c - 1];
                hi[c] = hi[c - 1];
                --c;
            }
            hv[c] = v;
            hi[c] = i;
        }
        if (metric_ == knn_metric::euclidean)
            for (std::size_t a = 0; a < k; ++a) hv[a] = std::sqrt(hv[a]);
    }

    std::vector<double> data_;
    std::size_t rows_ = 0, cols_ = 0;
    knn_metric metric_ = knn_metric::euclidean;
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
    std::vector<double> dist, w, acc;
};

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
        index_.fit(x, params_.metric);
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
        detail::for_each_chunk(policy, q.rows, chunk, [&](std::size_t, std::size_t b, std::size_t e) {
            const std::size_t n = e - b;
            detail::knn_scratch s;
            s.idx.resize(n * k);
            s.dist.resize(n * k);
            s.w.resize(k);
            s.acc.resize(nc);
            const feature_matrix_view sub{q.data + b * q.stride(), n, q.cols, q.stride(), {}};
            index_.search(sub, k, s.idx.data(), s.dist.data(), serial);
            for (std::size_t a = 0; a < n; ++a) {
                detail::knn_weights_of(params_.weights, s.dist.data() + a * k, k, s.w.data());
                std::fill(s.acc.begin(), s.acc.end(), 0.0);
                for (std::size_t j = 0; j < k; ++j) s.acc[encoded_[s.idx[a * k + j]]] += s.w[j];
                emit(b + a, s.acc.data());
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
        index_.fit(x, params_.metric);
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
        detail::for_each_chunk(policy, q.rows, chunk, [&](std::size_t, std::size_t b, std::size_t e) {
            const std::size_t n = e - b;
            detail::knn_scratch s;
            s.idx.resize(n * k);
            s.dist.resize(n * k);
            s.w.resize(k);
            const feature_matrix_view sub{q.data + b * q.stride(), n, q.cols, q.stride(), {}};
            index_.search(sub, k, s.idx.data(), s.dist.data(), serial);
            for (std::size_t a = 0; a < n; ++a) {
                const std::int64_t* nb = s.idx.data() + a * k;
                if (weights == knn_weights::uniform) {  // np.mean: sum, then / k
                    double sum = 0;
                    for (std::size_t j = 0; j < k; ++j) sum += y_[nb[j]];
                    out[b + a] = sum / static_cast<double>(k);
                } else {
                    detail::knn_weights_of(weights, s.dist.data() + a * k, k, s.w.data());
                    double num = 0, den = 0;
                    for (std::size_t j = 0; j < k; ++j) {
                        num += y_[nb[j]] * s.w[j];
                        den += s.w[j];
                    }
                    out[b + a] = num / den;
                }
            }
        });
    }

    knn_params params_{};
    knn_index index_;
    std::vector<double> y_;
};

}  // namespace tessera
