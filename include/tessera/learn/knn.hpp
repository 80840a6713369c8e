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
/// its single-thread (and 'parallel_on_X') result. Checked once (not a committed test) on
/// 20000 × 5 integer features in 0..4, k = 10: 500 queries — sklearn with 1 vs 2 threads differ
/// in 424 neighbour sets, tessera equals its 1-thread result in all; 3000 queries
/// ('parallel_on_X') — sklearn's 1- and 2-thread results agree and tessera equals them in all,
/// for euclidean and manhattan, kd_tree and brute.
///
/// Search (knn_params::algorithm; the neighbours are the same either way):
/// - kd_tree (default): a k-d tree finds the k smallest (distance, index) pairs; when no other
///   row lies at the k-th distance that set is unique, hence sklearn's. A query whose search
///   would visit more than 1/8 of the rows (high intrinsic dimension, where a tree cannot prune)
///   is redone as a plain scan of the rows in tree order (same pairs); a query with a tie at
///   the k-th distance is redone by sklearn's brute force. Measured (-O3 -march=native, 1
///   thread, 10^5 rows × 20 features, k = 50, bench/knn.cpp): 37 µs/query on features of
///   intrinsic dimension 3, 2.3 ms/query on isotropic Gaussian features; 10^5 × 16
///   mobility-like features (bench/learn.cpp): 0.13 ms/query, 3.1–5× sklearn's kd_tree.
///   The rows are stored in panels of 8 (feature-major inside a panel: SIMD lanes are rows,
///   each lane summing its row's terms in the scalar order, so the distances are the same
///   bits), and a batch of queries is searched in tree order (queries that start in the same
///   leaf one after another: cache reuse; each query's result is its own).
///   Memory: one copy of the rows (tree order), the tree's boxes and a permutation —
///   memory_bytes() ≈ 1.25× the training matrix at 16 features (the brute algorithm: 1×).
/// - brute: sklearn's heap over all rows in index order, blocked (blocks of queries × blocks of
///   training rows, for cache reuse), with an exact early exit: a row is dropped as soon as its
///   partial distance sum reaches the heap's root, which the heap would reject anyway (partial
///   sums of non-negative terms never decrease in floating point), so pruning changes nothing.
/// Both evaluate distances with one function (sequential sum over features), so they agree to
/// the bit. Queries are split over threads by the execution policy; each query's result depends
/// on that query only, hence results are identical for any thread count.
///
/// The model copies its training features and labels at fit (it owns them; the caller's arrays
/// need not outlive it). Errors (tessera::error): k = 0, k > training rows, non-finite features
/// (row and column named), mismatched column counts, label count != rows, output buffers of the
/// wrong size, predict before fit.

#include <tessera/core/error.hpp>
#include <tessera/learn/detail/rounded.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/learn/feature_matrix.hpp>

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

namespace tessera {

enum class knn_weights { uniform, distance };
enum class knn_metric { euclidean, manhattan };

/// How knn_index searches; both give the same neighbours (sklearn's), only the speed differs.
enum class knn_algorithm {
    kd_tree,  ///< k-d tree, exact; a query with a tie at the k-th distance falls back to brute
    brute     ///< sklearn's brute-force heap over all rows in index order
};

struct knn_params {
    std::size_t k = 5;  ///< n_neighbors
    knn_weights weights = knn_weights::uniform;
    knn_metric metric = knn_metric::euclidean;
    knn_algorithm algorithm = knn_algorithm::kd_tree;  ///< speed only: results are identical
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

namespace detail {

/// Σ_j (x_j - y_j)² (Squared) or Σ_j |x_j - y_j|, summed sequentially over j, or any value
/// >= bound as soon as a partial sum reaches bound (every 4 terms). One function for every
/// path, so the tree and the brute force compute bit-identical distances.
template <bool Squared>
inline double knn_row_distance(const double* x, const double* y, std::size_t m, double bound) noexcept {
    double s = 0;
    std::size_t j = 0;
    for (; j + 4 <= m; j += 4) {
        for (std::size_t u = 0; u < 4; ++u) {
            const double d = x[j + u] - y[j + u];
            s += Squared ? detail::rounded_product(d, d) : std::abs(d);
        }
        if (s >= bound) return s;
    }
    for (; j < m; ++j) {
        const double d = x[j] - y[j];
        s += Squared ? detail::rounded_product(d, d) : std::abs(d);
    }
    return s;
}

/// Rows side by side: a panel holds knn_panel consecutive rows feature-major (entry (r, j) at
/// j · knn_panel + r), so that SIMD lanes are rows.
inline constexpr std::size_t knn_panel = 8;

/// A product rounded to double in every lane before it is used (rounded_product for batches:
/// no fused multiply-add with the following addition).
template <class B>
[[nodiscard]] inline B knn_rounded_product(const B& a, const B& b) noexcept {
    B p = a * b;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && defined(__AVX512F__)
    auto r = static_cast<typename B::register_type>(p);
    __asm__("" : "+v"(r));
    p = B(r);
#elif defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
    auto r = static_cast<typename B::register_type>(p);
    __asm__("" : "+x"(r));
    p = B(r);
#elif defined(__GNUC__)
    __asm__("" : "+m"(p));
#else
    volatile B v = p;
    p = v;
#endif
    return p;
}

/// knn_row_distance of the knn_panel rows of one panel, lane r summing row r's terms in
/// knn_row_distance's order (so each full sum is bit-identical to it). Stops early, leaving
/// partial sums, only when every lane's partial sum has reached bound (checked every 4 terms,
/// as knn_row_distance): those rows would all be rejected anyway.
template <bool Squared>
inline void knn_panel_distances(const double* x, const double* panel, std::size_t m, double bound, double* out) noexcept {
    using batch = xsimd::batch<double>;
    constexpr std::size_t w = batch::size, nb = knn_panel / w;
    static_assert(knn_panel % w == 0);
    batch s[nb];
    for (std::size_t u = 0; u < nb; ++u) s[u] = batch(0.0);
    const batch lim(bound);
    for (std::size_t j = 0; j < m; ++j) {
        const batch xj(x[j]);
        for (std::size_t u = 0; u < nb; ++u) {
            const batch d = xj - batch::load_aligned(panel + j * knn_panel + u * w);
            s[u] = s[u] + (Squared ? knn_rounded_product(d, d) : xsimd::abs(d));
        }
        if ((j & 3) == 3 && j + 1 < m) {
            auto all = s[0] >= lim;
            for (std::size_t u = 1; u < nb; ++u) all = all && (s[u] >= lim);
            if (xsimd::all(all)) break;
        }
    }
    for (std::size_t u = 0; u < nb; ++u) s[u].store_unaligned(out + u * w);
}

/// The next double above a distance v >= 0 (std::nextafter(v, +inf) without the libm call; +inf
/// stays +inf): the bound that stops a sum only when it exceeds v.
inline double knn_next_up(double v) noexcept {
    if (!(v < std::numeric_limits<double>::infinity())) return v;
    if (v == 0) return std::numeric_limits<double>::denorm_min();
    return std::bit_cast<double>(std::bit_cast<std::uint64_t>(v) + 1);
}

/// Max-heap of (value, index) ordered lexicographically: keeps the k smallest pairs.
inline void knn_lex_heap_push(double* v, std::int64_t* ix, std::size_t k, double val, std::int64_t idx) noexcept {
    if (val > v[0] || (val == v[0] && idx >= ix[0])) return;
    std::size_t cur = 0;
    const auto greater = [&](std::size_t a, double bv, std::int64_t bi) { return v[a] > bv || (v[a] == bv && ix[a] > bi); };
    for (;;) {
        const std::size_t l = 2 * cur + 1, r = l + 1;
        if (l >= k) break;
        std::size_t big = l;
        if (r < k && greater(r, v[l], ix[l])) big = r;
        if (!greater(big, val, idx)) break;
        v[cur] = v[big];
        ix[cur] = ix[big];
        cur = big;
    }
    v[cur] = val;
    ix[cur] = idx;
}

}  // namespace detail

/// The training set of a k-NN model and the exact search over it.
///
/// kd_tree (default): a k-d tree (median split on the widest dimension, leaves of <= 32 rows)
/// finds the k smallest (distance, index) pairs, pruning a node only when its box's lower bound
/// exceeds the current k-th distance (the bound is summed in the same order as the distance, so
/// it never exceeds a distance inside the box, rounding included). Rows evicted from, or
/// rejected as equal by, the heap tell whether another row lies at the final k-th distance
/// (tree_query): if none does, the k nearest are a unique set and equal sklearn's; if one
/// does, the query is redone by the brute-force heap (sklearn's history-dependent choice).
/// Either way the result is the brute force's. The rows are kept once, in tree order (fit
/// drops the original-order copy), in panels of detail::knn_panel rows; the brute force for
/// ties computes distances in that order and pushes them in index order.
class knn_index {
public:
    knn_index() = default;
    explicit knn_index(const feature_matrix_view& train, knn_metric metric = knn_metric::euclidean,
                       knn_algorithm algorithm = knn_algorithm::kd_tree) {
        fit(train, metric, algorithm);
    }

    knn_index& fit(const feature_matrix_view& train, knn_metric metric = knn_metric::euclidean,
                   knn_algorithm algorithm = knn_algorithm::kd_tree) {
        check_features(train, "knn.fit");
        if (train.rows == 0) throw error("knn.fit: the training feature matrix has 0 rows");
        rows_ = train.rows;
        cols_ = train.cols;
        metric_ = metric;
        algorithm_ = algorithm;
        data_.resize(rows_ * cols_);
        for (std::size_t i = 0; i < rows_; ++i) std::copy_n(train.row(i).data(), cols_, data_.data() + i * cols_);
        nodes_.clear();
        boxes_.clear();
        perm_.clear();
        tdata_.clear();
        if (algorithm_ == knn_algorithm::kd_tree) {
            build_tree();
            // the tree keeps one copy of the rows, in tree order (the brute-force fallback reads
            // it in that order too): the index stays near 1.25x the training matrix
            data_.clear();
            data_.shrink_to_fit();
        }
        return *this;
    }

    [[nodiscard]] std::size_t rows() const noexcept { return rows_; }
    [[nodiscard]] std::size_t cols() const noexcept { return cols_; }
    [[nodiscard]] knn_metric metric() const noexcept { return metric_; }
    [[nodiscard]] knn_algorithm algorithm() const noexcept { return algorithm_; }
    /// The training rows, row-major in the order given to fit (a copy: kd_tree keeps them in
    /// tree order).
    [[nodiscard]] std::vector<double> training() const {
        if (!data_.empty()) return data_;
        std::vector<double> x(rows_ * cols_);
        for (std::size_t p = 0; p < rows_; ++p)
            for (std::size_t j = 0; j < cols_; ++j) x[perm_[p] * cols_ + j] = tdata_[tree_entry(p, j)];
        return x;
    }
    /// Bytes held by the index (its copy of the rows, tree nodes and boxes, permutations), by
    /// capacity. kd_tree: rows·cols·8 + 8·rows + (≈ rows/12 nodes)·(32 + 16·cols), ≈ 1.25× the
    /// training matrix at 16 columns; brute: the matrix alone.
    [[nodiscard]] std::size_t memory_bytes() const noexcept {
        return data_.capacity() * sizeof(double) + tdata_.capacity() * sizeof(double) +
               boxes_.capacity() * sizeof(double) + nodes_.capacity() * sizeof(node) +
               perm_.capacity() * sizeof(std::size_t);
    }

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
        if (metric_ == knn_metric::euclidean)
            search_impl<true>(q, k, out_idx, out_dist, policy);
        else
            search_impl<false>(q, k, out_idx, out_dist, policy);
    }

    /// Entries of the node stack search_row() needs (> the tree's depth + 1).
    [[nodiscard]] std::size_t row_stack_size() const noexcept {
        return std::min<std::size_t>(nodes_.size() + 1, 256);  // median splits: depth <= log2 n + 1
    }

    /// Doubles of scratch search_row() needs (the brute force that settles a tie at the k-th
    /// distance reads every row's distance).
    [[nodiscard]] std::size_t row_scratch_size() const noexcept { return rows_; }

    /// An order of q's rows for searching them (a permutation of 0 … rows − 1): by the leaf
    /// the tree search of each row visits first (the nearer child by box bound at every node),
    /// ties by row number. Consecutive queries then read the same leaves and boxes from cache;
    /// each query's result does not depend on the order. The identity for the brute algorithm.
    [[nodiscard]] std::vector<std::size_t> search_order(const feature_matrix_view& q) const {
        std::vector<std::size_t> order(q.rows);
        std::iota(order.begin(), order.end(), std::size_t(0));
        if (algorithm_ != knn_algorithm::kd_tree || nodes_.empty() || q.cols != cols_) return order;
        std::vector<std::size_t> leaf(q.rows);
        for (std::size_t a = 0; a < q.rows; ++a)
            leaf[a] = metric_ == knn_metric::euclidean ? first_leaf<true>(q.data + a * q.stride())
                                                       : first_leaf<false>(q.data + a * q.stride());
        std::stable_sort(order.begin(), order.end(), [&](std::size_t u, std::size_t v) { return leaf[u] < leaf[v]; });
        return order;
    }

    /// The k nearest training rows of one query row `x` (cols() values), unchecked: idx[k] and
    /// dist[k], sorted by (distance, index) — the row kneighbors() gives for x, bit for bit (the
    /// same tree walk and fallbacks, or the same heap over rows in index order). `stack` holds
    /// row_stack_size() entries and `scratch` row_scratch_size() doubles (both unused by the
    /// brute algorithm). No allocation: for callers that query one row at a time (a model
    /// inside a per-particle pipeline stage).
    void search_row(const double* x, std::size_t k, std::int64_t* idx, double* dist,
                    std::pair<std::size_t, double>* stack, double* scratch) const noexcept {
        if (metric_ == knn_metric::euclidean)
            one_row<true>(x, k, idx, dist, stack, scratch);
        else
            one_row<false>(x, k, idx, dist, stack, scratch);
    }

private:
    template <bool Squared>
    void one_row(const double* x, std::size_t k, std::int64_t* hi, double* hv, std::pair<std::size_t, double>* stack,
                 double* scratch) const noexcept {
        if (algorithm_ != knn_algorithm::kd_tree || nodes_.empty()) {  // brute_blocked's heap for one query
            std::fill(hv, hv + k, std::numeric_limits<double>::infinity());
            std::fill(hi, hi + k, std::int64_t(-1));
            for (std::size_t t = 0; t < rows_; ++t) {
                const double s = detail::knn_row_distance<Squared>(x, data_.data() + t * cols_, cols_, hv[0]);
                if (s < hv[0]) detail::knn_heap_push(hv, hi, k, s, static_cast<std::int64_t>(t));
            }
        } else if (tree_row<Squared>(x, k, hv, hi, stack) == tree_result::tie) {
            brute_query<Squared>(x, k, hv, hi, scratch);
        }
        finish(hv, hi, k);
    }

    struct node {
        std::size_t begin, end;  // rows perm_[begin, end)
        std::int64_t left = -1, right = -1;
    };
    static constexpr std::size_t leaf_size = 32, panel = detail::knn_panel;

    /// Position of row p (tree order), feature j in tdata_: panels of `panel` rows, feature-major.
    [[nodiscard]] std::size_t tree_entry(std::size_t p, std::size_t j) const noexcept {
        return p / panel * panel * cols_ + j * panel + p % panel;
    }

    /// Offers the rows at tree positions [b, e) to the heap in that order, a panel at a time
    /// (knn_panel_distances with the bound at the panel's start; lanes outside [b, e) ignored).
    template <bool Squared>
    void offer_rows(const double* x, std::size_t b, std::size_t e, std::size_t k, double* hv, std::int64_t* hi,
                    double& tie_min) const noexcept {
        alignas(64) double s[panel];
        for (std::size_t p0 = b / panel * panel; p0 < e; p0 += panel) {
            detail::knn_panel_distances<Squared>(x, tdata_.data() + p0 * cols_, cols_, detail::knn_next_up(hv[0]), s);
            const std::size_t from = std::max(b, p0), to = std::min(e, p0 + panel);
            for (std::size_t p = from; p < to; ++p)
                offer(hv, hi, k, s[p - p0], static_cast<std::int64_t>(perm_[p]), tie_min);
        }
    }

    void build_tree() {
        perm_.resize(rows_);
        std::iota(perm_.begin(), perm_.end(), std::size_t(0));
        nodes_.reserve(2 * (rows_ / leaf_size + 1));
        build(0, rows_);
        // panels of knn_panel rows, the last one padded with zeros (never read as a row)
        tdata_.assign((rows_ + panel - 1) / panel * panel * cols_, 0.0);
        for (std::size_t p = 0; p < rows_; ++p)
            for (std::size_t j = 0; j < cols_; ++j) tdata_[tree_entry(p, j)] = data_[perm_[p] * cols_ + j];
    }

    std::int64_t build(std::size_t b, std::size_t e) {
        const std::int64_t id = static_cast<std::int64_t>(nodes_.size());
        nodes_.push_back({b, e});
        const std::size_t m = cols_, base = boxes_.size();
        boxes_.resize(base + 2 * m);
        double* lo = boxes_.data() + base;
        double* hi = lo + m;
        std::copy_n(data_.data() + perm_[b] * m, m, lo);
        std::copy_n(data_.data() + perm_[b] * m, m, hi);
        for (std::size_t i = b + 1; i < e; ++i) {
            const double* y = data_.data() + perm_[i] * m;
            for (std::size_t j = 0; j < m; ++j) {
                lo[j] = std::min(lo[j], y[j]);
                hi[j] = std::max(hi[j], y[j]);
            }
        }
        if (e - b <= leaf_size) return id;
        std::size_t dim = 0;
        for (std::size_t j = 1; j < m; ++j)
            if (hi[j] - lo[j] > hi[dim] - lo[dim]) dim = j;
        if (!(hi[dim] > lo[dim])) return id;  // all rows identical: a leaf
        const std::size_t mid = b + (e - b) / 2;
        std::nth_element(perm_.begin() + std::ptrdiff_t(b), perm_.begin() + std::ptrdiff_t(mid),
                         perm_.begin() + std::ptrdiff_t(e), [&](std::size_t a, std::size_t c) {
                             const double va = data_[a * m + dim], vc = data_[c * m + dim];
                             return va < vc || (va == vc && a < c);
                         });
        const std::int64_t l = build(b, mid);
        const std::int64_t r = build(mid, e);
        nodes_[std::size_t(id)].left = l;
        nodes_[std::size_t(id)].right = r;
        return id;
    }

    /// The leaf tree_query reaches first from x (the child of smaller box bound, left on equality).
    template <bool Squared>
    [[nodiscard]] std::size_t first_leaf(const double* x) const noexcept {
        std::size_t id = 0;
        while (nodes_[id].left >= 0) {
            const std::size_t l = std::size_t(nodes_[id].left), r = std::size_t(nodes_[id].right);
            double bl, br;
            box_bounds<Squared>(x, l, r, bl, br);
            id = bl <= br ? l : r;
        }
        return id;
    }

    /// Lower bound of the distance from x to node n's box, summed as knn_row_distance sums.
    template <bool Squared>
    double box_bound(const double* x, std::size_t n) const noexcept {
        const std::size_t m = cols_;
        const double* lo = boxes_.data() + 2 * m * n;
        const double* hi = lo + m;
        double s = 0;
        for (std::size_t j = 0; j < m; ++j) {
            double g = 0;
            if (x[j] < lo[j]) g = lo[j] - x[j];
            else if (x[j] > hi[j]) g = x[j] - hi[j];
            s += Squared ? detail::rounded_product(g, g) : g;
        }
        return s;
    }

    /// sklearn's brute force for one query: its heap over all rows in index order. In a kd_tree
    /// index the rows are stored in tree order, so the distances are computed in that order
    /// (a panel at a time, in full) into dist[index], then pushed in index order:
    /// the same pushes as knn_row_distance with the early exit (a partial sum >= the root means
    /// a full sum >= the root: rejected either way). dist: rows_ doubles of scratch.
    template <bool Squared>
    void brute_query(const double* x, std::size_t k, double* hv, std::int64_t* hi, double* dist) const noexcept {
        std::fill(hv, hv + k, std::numeric_limits<double>::infinity());
        std::fill(hi, hi + k, std::int64_t(-1));
        alignas(64) double s[panel];
        for (std::size_t p0 = 0; p0 < rows_; p0 += panel) {
            detail::knn_panel_distances<Squared>(x, tdata_.data() + p0 * cols_, cols_,
                                                 std::numeric_limits<double>::infinity(), s);
            for (std::size_t p = p0; p < std::min(rows_, p0 + panel); ++p) dist[perm_[p]] = s[p - p0];
        }
        for (std::size_t t = 0; t < rows_; ++t)
            if (dist[t] < hv[0]) detail::knn_heap_push(hv, hi, k, dist[t], static_cast<std::int64_t>(t));
    }

    /// Lower bounds of the distance from x to the boxes of nodes a and b (box_bound of each;
    /// the two sums interleaved for instruction-level parallelism, each in box_bound's order).
    template <bool Squared>
    void box_bounds(const double* x, std::size_t a, std::size_t b, double& ba, double& bb) const noexcept {
        const std::size_t m = cols_;
        const double* la = boxes_.data() + 2 * m * a;
        const double* lb = boxes_.data() + 2 * m * b;
        double sa = 0, sb = 0;
        for (std::size_t j = 0; j < m; ++j) {
            // max(lo - x, x - hi, 0): the gap to the box along j (0 inside); as box_bound's branches
            const double ga = std::max(std::max(la[j] - x[j], x[j] - la[m + j]), 0.0);
            const double gb = std::max(std::max(lb[j] - x[j], x[j] - lb[m + j]), 0.0);
            sa += Squared ? detail::rounded_product(ga, ga) : ga;
            sb += Squared ? detail::rounded_product(gb, gb) : gb;
        }
        ba = sa;
        bb = sb;
    }

    /// One candidate row (distance s, training index idx) into the lexicographic heap; tie_min
    /// keeps the smallest distance of the rows that end up outside the heap (evicted, or
    /// rejected as an equal distance with a larger index).
    static void offer(double* hv, std::int64_t* hi, std::size_t k, double s, std::int64_t idx, double& tie_min) noexcept {
        if (s > hv[0]) return;
        if (s == hv[0] && idx >= hi[0]) {
            tie_min = std::min(tie_min, s);
            return;
        }
        tie_min = std::min(tie_min, hv[0]);
        detail::knn_lex_heap_push(hv, hi, k, s, idx);
    }

    enum class tree_result { unique, tie, gave_up };

    /// The k smallest (distance, index) by a scan of all rows in tree order (no boxes: for a
    /// query where the tree does not prune), a panel at a time with knn_panel_distances' early
    /// exit; `unique` or `tie` as tree_query.
    template <bool Squared>
    tree_result scan_query(const double* x, std::size_t k, double* hv, std::int64_t* hi) const noexcept {
        std::fill(hv, hv + k, std::numeric_limits<double>::infinity());
        std::fill(hi, hi + k, std::numeric_limits<std::int64_t>::max());
        double tie_min = std::numeric_limits<double>::infinity();
        offer_rows<Squared>(x, 0, rows_, k, hv, hi, tie_min);
        return tie_min == hv[0] ? tree_result::tie : tree_result::unique;
    }

    /// k smallest (distance, index) by the tree: `unique` when no other row lies at the k-th
    /// distance (the set is then sklearn's), `tie` when one does, `gave_up` when the search would
    /// visit more than max_visit rows (then hv/hi are incomplete).
    ///
    /// Tie test without a second pass: a row outside the final heap at the k-th distance dk was
    /// evaluated and then evicted or rejected as equal (every row not evaluated lies beyond a box
    /// bound or a partial sum > the root at that time >= dk), so there is a tie exactly when the
    /// smallest such distance (tie_min, always >= dk) equals dk.
    template <bool Squared>
    tree_result tree_query(const double* x, std::size_t k, double* hv, std::int64_t* hi,
                           std::pair<std::size_t, double>* stack, std::size_t max_visit) const noexcept {
        std::fill(hv, hv + k, std::numeric_limits<double>::infinity());
        std::fill(hi, hi + k, std::numeric_limits<std::int64_t>::max());
        std::size_t top = 0, visited = 0;
        double tie_min = std::numeric_limits<double>::infinity();
        stack[top++] = {0, 0.0};
        while (top > 0) {
            const auto [id, bound] = stack[--top];
            if (bound > hv[0]) continue;
            const node& nd = nodes_[id];
            if (nd.left < 0) {
                if ((visited += nd.end - nd.begin) > max_visit) return tree_result::gave_up;
                offer_rows<Squared>(x, nd.begin, nd.end, k, hv, hi, tie_min);
                continue;
            }
            const std::size_t l = std::size_t(nd.left), r = std::size_t(nd.right);
            double bl, br;
            box_bounds<Squared>(x, l, r, bl, br);
            // push the farther child first so the nearer one is searched first
            if (bl <= br) {
                stack[top++] = {r, br};
                stack[top++] = {l, bl};
            } else {
                stack[top++] = {l, bl};
                stack[top++] = {r, br};
            }
        }
        return tie_min == hv[0] ? tree_result::tie : tree_result::unique;
    }

    /// One query through the tree: a tree that does not prune (high intrinsic dimension) is
    /// given up after an eighth of the rows and the search redone as a scan of the rows in tree
    /// order. `tie` leaves the caller to settle the k-th distance by sklearn's brute force.
    template <bool Squared>
    tree_result tree_row(const double* x, std::size_t k, double* hv, std::int64_t* hi,
                         std::pair<std::size_t, double>* stack) const noexcept {
        const tree_result r = tree_query<Squared>(x, k, hv, hi, stack, rows_ / 8);
        return r == tree_result::gave_up ? scan_query<Squared>(x, k, hv, hi) : r;
    }

    template <bool Squared, class Policy>
    void search_impl(const feature_matrix_view& q, std::size_t k, std::int64_t* out_idx, double* out_dist,
                     Policy policy) const {
        const bool tree = algorithm_ == knn_algorithm::kd_tree && !nodes_.empty();
        if (!tree) {
            brute_blocked<Squared>(q, k, out_idx, out_dist, policy);
            return;
        }
        constexpr std::size_t chunk = 64;
        const std::vector<std::size_t> order = search_order(q);  // cache locality only
        detail::for_each_chunk(policy, q.rows, chunk, [&](std::size_t, std::size_t b, std::size_t e) {
            std::vector<std::pair<std::size_t, double>> stack(row_stack_size());
            std::vector<double> dist;  // brute-force scratch, allocated on the first tie
            for (std::size_t pos = b; pos < e; ++pos) {
                const std::size_t a = order[pos];
                const double* x = q.data + a * q.stride();
                double* hv = out_dist + a * k;
                std::int64_t* hi = out_idx + a * k;
                if (tree_row<Squared>(x, k, hv, hi, stack.data()) == tree_result::tie) {
                    if (dist.empty()) dist.resize(rows_);
                    brute_query<Squared>(x, k, hv, hi, dist.data());
                }
                finish(hv, hi, k);
            }
        });
    }

    template <bool Squared, class Policy>
    void brute_blocked(const feature_matrix_view& q, std::size_t k, std::int64_t* out_idx, double* out_dist,
                       Policy policy) const {
        constexpr std::size_t query_block = 16;
        const std::size_t m = cols_;
        const std::size_t train_block = std::max<std::size_t>(64, (std::size_t(1) << 15) / (m * sizeof(double)));
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
                    for (std::size_t t = t0; t < t1; ++t) {
                        const double s = detail::knn_row_distance<Squared>(x, data_.data() + t * m, m, hv[0]);
                        if (s < hv[0]) detail::knn_heap_push(hv, hi, k, s, static_cast<std::int64_t>(t));
                    }
                }
            }
            for (std::size_t a = 0; a < nq; ++a) finish(vals + a * k, idx + a * k, k);
        });
    }

    /// Heap → rows sorted by (distance, index); ranking values → distances.
    ///
    /// Slots the heap never filled (index -1 or INT64_MAX): every remaining row is at an infinite
    /// distance — finite features whose squared differences overflow (a query at 1e200, or a
    /// model file's scaler mean at 1e308) — and the heap rejects a value equal to its +inf root.
    /// They get the lowest-index rows not yet chosen, at +inf: the order a tie at equal distance
    /// gets everywhere else, and never an out-of-range index (fuzz_model_json found one).
    void finish(double* hv, std::int64_t* hi, std::size_t k) const {
        for (std::size_t a = 0, next = 0; a < k; ++a) {
            if (hi[a] >= 0 && hi[a] < static_cast<std::int64_t>(rows_)) continue;
            for (;; ++next) {  // the next row index not already in the heap (k is small)
                bool used = false;
                for (std::size_t b = 0; b < k; ++b) used |= hi[b] == static_cast<std::int64_t>(next);
                if (!used) break;
            }
            hi[a] = static_cast<std::int64_t>(next++);
            hv[a] = std::numeric_limits<double>::infinity();
        }
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
    knn_algorithm algorithm_ = knn_algorithm::kd_tree;
    std::vector<node> nodes_;
    std::vector<double> boxes_;  // per node: lo[cols], hi[cols]
    std::vector<std::size_t> perm_;   // tree position -> training row
    std::vector<double> tdata_;       // rows in tree order (kd_tree; data_ is then empty)
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
