#pragma once
/// @file
/// The exact k-nearest-neighbour search in feature space behind knn_classifier and
/// knn_regressor (learn/knn.hpp): knn_index holds the training rows and returns, for each query,
/// the k rows nearest under euclidean \f$ d(q,x) = \sqrt{\sum_j (q_j - x_j)^2} \f$ or manhattan
/// \f$ d = \sum_j |q_j - x_j| \f$, sorted by (distance, index) — the neighbours scikit-learn 1.2's
/// algorithm='brute' returns.
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
/// Errors (tessera::error): non-finite features (row and column named), mismatched column
/// counts, output buffers of the wrong size, a search before fit.

#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/learn/detail/knn_kernels.hpp>
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

enum class knn_metric { euclidean, manhattan };

/// How knn_index searches; both give the same neighbours (sklearn's), only the speed differs.
enum class knn_algorithm {
    kd_tree,  ///< k-d tree, exact; a query with a tie at the k-th distance falls back to brute
    brute     ///< sklearn's brute-force heap over all rows in index order
};

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

}  // namespace tessera
