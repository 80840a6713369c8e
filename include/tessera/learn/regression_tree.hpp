#pragma once
/// @file
/// A regression tree grown exactly as scikit-learn 1.2.1's
/// `DecisionTreeRegressor(criterion="friedman_mse", splitter="best", max_features=None,
/// random_state=seed)` grows it — the base learner of gradient boosting (learn/gradient_boosting.hpp).
///
/// Definition. Rows x_i (p features, rounded to float32 first, as scikit-learn's DTYPE), targets
/// y_i (double). A node holds rows S; it becomes a leaf when depth >= max_depth, |S| <
/// max(min_samples_split, 2·min_samples_leaf), its impurity <= DBL_EPSILON, or no admissible
/// split exists. Otherwise, for every feature f (not constant on S: max − min > 1e-7 in float32,
/// FEATURE_THRESHOLD) the rows are sorted by x_f and every position between two consecutive
/// values that differ by more than 1e-7 (float32 arithmetic) and leaves >= min_samples_leaf rows
/// on each side is a candidate, scored by Friedman's improvement (his eq. 35; sklearn's
/// FriedmanMSE proxy)
/// \f[ \frac{(n_R\, s_L - n_L\, s_R)^2}{n_L\, n_R}, \qquad s_{L,R} = \sum_{i \in L,R} y_i . \f]
/// The best candidate (strictly larger score wins) splits at the threshold
/// t = x_(p−1)/2 + x_(p)/2 (double; x_(p−1) itself if t rounds up to x_(p)), rows with x_f <= t
/// go left. Node impurity = MSE = Σy²/n − (Σy/n)², the node value = Σy/n.
///
/// Tie rules reproduced bit for bit. scikit-learn visits the features of every node in a
/// random order (Fisher–Yates draws from `rand_r`, seeded per tree by
/// `RandomState(random_state).randint(0, 2^31 − 1)`; known-constant features skipped as in its
/// splitter), sorts rows with its own introsort (not stable), partitions in place, and keeps the
/// *first* best candidate in that order. The order of rows then sets the order of every sum.
/// This file reproduces that machinery — the RNG streams (learn/detail/numpy_random.hpp), the
/// features array and its constant-feature bookkeeping, introsort, the partition, the
/// incremental left/right sums (updated from whichever end is nearer), the depth-first build
/// order (left child first) — so for the same seed the tree is scikit-learn's, node for node:
/// same features, thresholds, and bitwise the same impurities and values (products are
/// rounded before they are added, detail/rounded.hpp, since scikit-learn's x86-64 build has no
/// FMA). Ties between equally good splits (integer features, two-valued targets) are therefore
/// broken as scikit-learn breaks them. Rows of weight zero do not exist here: a fit takes the
/// list of rows it uses (gradient boosting's in-bag rows), as scikit-learn drops rows of weight
/// 0; sample weights other than 0/1 are not supported.
///
/// Arrays follow scikit-learn's `tree_` attributes: children_left/right (−1 at leaves), feature
/// and threshold (−2 at leaves), impurity, n_node_samples, weighted_n_node_samples, value; nodes
/// in depth-first pre-order. `apply` sends a row (float32, compared as double with the
/// threshold, as Tree.apply) to its leaf. `feature_importances` is Tree.compute_feature_importances
/// (normalize=False): Σ over split nodes of w·imp − w_L·imp_L − w_R·imp_R per feature, divided by
/// the root's weight.
/// Reference: scikit-learn 1.2.1, sklearn/tree/_splitter.pyx (BestSplitter.node_split),
/// _criterion.pyx (MSE, FriedmanMSE), _tree.pyx (DepthFirstTreeBuilder, Tree); J. H. Friedman,
/// "Greedy function approximation: a gradient boosting machine", Ann. Stat. 29, 1189 (2001).

#include <tessera/core/error.hpp>
#include <tessera/learn/detail/numpy_random.hpp>
#include <tessera/learn/detail/rounded.hpp>
#include <tessera/learn/feature_matrix.hpp>

#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <utility>
#include <vector>

namespace tessera {

struct regression_tree_options {
    std::size_t max_depth = 3;          ///< >= 1
    std::size_t min_samples_split = 2;  ///< >= 2
    std::size_t min_samples_leaf = 1;   ///< >= 1
};

/// A fitted tree in scikit-learn's array layout (see the file comment).
struct regression_tree {
    static constexpr std::int64_t leaf = -1;       ///< TREE_LEAF
    static constexpr std::int64_t undefined = -2;  ///< TREE_UNDEFINED
    std::vector<std::int64_t> children_left, children_right, feature;
    std::vector<double> threshold, impurity, weighted_n_node_samples, value;
    std::vector<std::int64_t> n_node_samples;

    [[nodiscard]] std::size_t node_count() const noexcept { return children_left.size(); }
    [[nodiscard]] bool is_leaf(std::size_t node) const noexcept { return children_left[node] == leaf; }

    /// The leaf of a row of float32 features.
    [[nodiscard]] std::size_t apply(const float* row) const noexcept {
        std::size_t node = 0;
        while (children_left[node] != leaf)
            node = static_cast<std::size_t>(static_cast<double>(row[feature[node]]) <= threshold[node]
                                                ? children_left[node]
                                                : children_right[node]);
        return node;
    }

    /// Unnormalised impurity decrease per feature (Tree.compute_feature_importances(normalize=False)).
    [[nodiscard]] std::vector<double> feature_importances(std::size_t n_features) const {
        std::vector<double> imp(n_features, 0.0);
        for (std::size_t v = 0; v < node_count(); ++v) {
            if (is_leaf(v)) continue;
            const auto l = static_cast<std::size_t>(children_left[v]), r = static_cast<std::size_t>(children_right[v]);
            imp[static_cast<std::size_t>(feature[v])] +=
                detail::rounded_product(weighted_n_node_samples[v], impurity[v]) -
                detail::rounded_product(weighted_n_node_samples[l], impurity[l]) -
                detail::rounded_product(weighted_n_node_samples[r], impurity[r]);
        }
        for (double& v : imp) v /= weighted_n_node_samples[0];
        return imp;
    }

    /// Throws unless the arrays describe a tree over n_features features that `apply` can walk:
    /// equal lengths, children after their parent (pre-order), features in range.
    void validate(std::size_t n_features, const char* who) const {
        const std::size_t m = node_count();
        if (m == 0) throw error(who, ": a tree has no nodes");
        if (children_right.size() != m || feature.size() != m || threshold.size() != m || value.size() != m ||
            impurity.size() != m || weighted_n_node_samples.size() != m || n_node_samples.size() != m)
            throw error(who, ": a tree's node arrays differ in length (", m, " children_left)");
        for (std::size_t v = 0; v < m; ++v) {
            if (!std::isfinite(value[v])) throw error(who, ": node ", v, " has a non-finite value ", value[v]);
            if (children_left[v] == leaf && children_right[v] == leaf) continue;
            const auto l = children_left[v], r = children_right[v];
            if (l <= static_cast<std::int64_t>(v) || r <= static_cast<std::int64_t>(v) ||
                l >= static_cast<std::int64_t>(m) || r >= static_cast<std::int64_t>(m))
                throw error(who, ": node ", v, " has children ", l, ", ", r, " (must follow it, < ", m, ")");
            if (feature[v] < 0 || feature[v] >= static_cast<std::int64_t>(n_features))
                throw error(who, ": node ", v, " splits on feature ", feature[v], " of ", n_features);
            if (std::isnan(threshold[v])) throw error(who, ": node ", v, " has a NaN threshold");
        }
    }
};

namespace detail {

// scikit-learn's introsort of (Xf, samples) by Xf (tree/_splitter.pyx sort/introsort/heapsort),
// transcribed: the order of equal values it leaves sets the order of later sums.
inline void tree_swap(float* xf, std::size_t* s, std::ptrdiff_t i, std::ptrdiff_t j) noexcept {
    std::swap(xf[i], xf[j]);
    std::swap(s[i], s[j]);
}
inline float tree_median3(const float* xf, std::ptrdiff_t n) noexcept {
    const float a = xf[0], b = xf[n / 2], c = xf[n - 1];
    if (a < b) {
        if (b < c) return b;
        if (a < c) return c;
        return a;
    }
    if (b < c) {
        if (a < c) return a;
        return c;
    }
    return b;
}
inline void tree_sift_down(float* xf, std::size_t* s, std::ptrdiff_t start, std::ptrdiff_t end) noexcept {
    std::ptrdiff_t root = start;
    for (;;) {
        const std::ptrdiff_t child = root * 2 + 1;
        std::ptrdiff_t maxind = root;
        if (child < end && xf[maxind] < xf[child]) maxind = child;
        if (child + 1 < end && xf[maxind] < xf[child + 1]) maxind = child + 1;
        if (maxind == root) return;
        tree_swap(xf, s, root, maxind);
        root = maxind;
    }
}
inline void tree_heapsort(float* xf, std::size_t* s, std::ptrdiff_t n) noexcept {
    for (std::ptrdiff_t start = (n - 2) / 2;; --start) {
        tree_sift_down(xf, s, start, n);
        if (start == 0) break;
    }
    for (std::ptrdiff_t end = n - 1; end > 0; --end) {
        tree_swap(xf, s, 0, end);
        tree_sift_down(xf, s, 0, end);
    }
}
inline void tree_introsort(float* xf, std::size_t* s, std::ptrdiff_t n, std::ptrdiff_t maxd) noexcept {
    while (n > 1) {
        if (maxd <= 0) {
            tree_heapsort(xf, s, n);
            return;
        }
        --maxd;
        const float pivot = tree_median3(xf, n);
        std::ptrdiff_t i = 0, l = 0, r = n;
        while (i < r) {
            if (xf[i] < pivot) tree_swap(xf, s, i++, l++);
            else if (xf[i] > pivot) tree_swap(xf, s, i, --r);
            else ++i;
        }
        tree_introsort(xf, s, l, maxd);
        xf += r;
        s += r;
        n -= r;
    }
}
inline void tree_sort(float* xf, std::size_t* s, std::ptrdiff_t n) noexcept {
    if (n == 0) return;
    // 2 * (SIZE_t) log2(n), log2 computed as ln(n) / ln(2) like sklearn's _utils.log.
    const auto maxd = 2 * static_cast<std::ptrdiff_t>(std::log(static_cast<double>(n)) / std::log(2.0));
    tree_introsort(xf, s, n, maxd);
}

/// Grows scikit-learn friedman_mse trees on one float32 table; reusable across trees (gradient
/// boosting fits one per stage and class on the same rows).
class friedman_tree_builder {
public:
    /// X: rows × cols float32, row-major; y: one target per row (both must outlive the builder's use).
    friedman_tree_builder(const float* X, std::size_t rows, std::size_t cols) : X_(X), rows_(rows), cols_(cols) {}

    /// The tree on `rows_used` (ascending row indices) with targets y (indexed by row), the
    /// splitter's rand_r state seeded with `rand_r_seed`.
    regression_tree build(std::span<const std::size_t> rows_used, const double* y, const regression_tree_options& opt,
                          std::uint32_t rand_r_seed) {
        for (const std::size_t r : rows_used)
            if (r >= rows_) throw error("regression tree: row ", r, " of a table of ", rows_, " rows");
        y_ = y;
        rand_state_ = rand_r_seed;
        min_leaf_ = opt.min_samples_leaf;
        samples_.assign(rows_used.begin(), rows_used.end());
        xf_.assign(samples_.size(), 0.0f);
        features_.resize(cols_);
        std::iota(features_.begin(), features_.end(), std::size_t{0});
        constant_features_.assign(cols_, 0);
        const std::size_t min_split = std::max(opt.min_samples_split, 2 * opt.min_samples_leaf);

        regression_tree t;
        struct record {
            std::size_t start, end, depth;
            std::int64_t parent;
            bool is_left;
            double impurity;
            std::size_t n_constant;
        };
        std::vector<record> stack{{0, samples_.size(), 0, regression_tree::undefined, false,
                                   std::numeric_limits<double>::infinity(), 0}};
        bool first = true;
        while (!stack.empty()) {
            const record rec = stack.back();
            stack.pop_back();
            double impurity = rec.impurity;
            std::size_t n_constant = rec.n_constant;
            node_reset(rec.start, rec.end);
            const std::size_t n_node = rec.end - rec.start;
            bool is_leaf = rec.depth >= opt.max_depth || n_node < min_split || n_node < 2 * min_leaf_;
            if (first) {
                impurity = node_impurity();
                first = false;
            }
            is_leaf = is_leaf || impurity <= DBL_EPSILON;
            split s{};
            s.pos = rec.end;
            if (!is_leaf) {
                s = node_split(n_constant);
                is_leaf = s.pos >= rec.end || s.improvement + DBL_EPSILON < 0.0;
            }
            const auto id = static_cast<std::int64_t>(t.node_count());
            if (rec.parent != regression_tree::undefined)
                (rec.is_left ? t.children_left : t.children_right)[static_cast<std::size_t>(rec.parent)] = id;
            t.children_left.push_back(regression_tree::leaf);
            t.children_right.push_back(regression_tree::leaf);
            t.feature.push_back(is_leaf ? regression_tree::undefined : static_cast<std::int64_t>(s.feature));
            t.threshold.push_back(is_leaf ? double(regression_tree::undefined) : s.threshold);
            t.impurity.push_back(impurity);
            t.n_node_samples.push_back(static_cast<std::int64_t>(n_node));
            t.weighted_n_node_samples.push_back(w_node_);
            t.value.push_back(sum_total_ / w_node_);
            if (!is_leaf) {
                stack.push_back({s.pos, rec.end, rec.depth + 1, id, false, s.impurity_right, n_constant});
                stack.push_back({rec.start, s.pos, rec.depth + 1, id, true, s.impurity_left, n_constant});
            }
        }
        return t;
    }

private:
    struct split {
        std::size_t feature = 0, pos = 0;
        double threshold = 0, improvement = -std::numeric_limits<double>::infinity();
        double impurity_left = std::numeric_limits<double>::infinity();
        double impurity_right = std::numeric_limits<double>::infinity();
    };

    // ---- the criterion (RegressionCriterion / MSE / FriedmanMSE, unit weights) ----
    void node_reset(std::size_t start, std::size_t end) {
        start_ = start, end_ = end;
        sum_total_ = 0, sq_sum_total_ = 0, w_node_ = 0;
        for (std::size_t p = start; p < end; ++p) {
            const double yi = y_[samples_[p]];
            sum_total_ += yi;
            sq_sum_total_ += rounded_product(yi, yi);
            w_node_ += 1.0;
        }
        reset();
    }
    void reset() {
        pos_ = start_;
        sum_left_ = 0, w_left_ = 0;
        sum_right_ = sum_total_, w_right_ = w_node_;
    }
    void update(std::size_t new_pos) {
        if (new_pos - pos_ <= end_ - new_pos) {
            for (std::size_t p = pos_; p < new_pos; ++p) {
                sum_left_ += y_[samples_[p]];
                w_left_ += 1.0;
            }
        } else {  // reverse_reset, then remove from the end
            sum_left_ = sum_total_, w_left_ = w_node_;
            for (std::size_t p = end_; p-- > new_pos;) {
                sum_left_ -= y_[samples_[p]];
                w_left_ -= 1.0;
            }
        }
        w_right_ = w_node_ - w_left_;
        sum_right_ = sum_total_ - sum_left_;
        pos_ = new_pos;
    }
    double node_impurity() const {
        const double mean = sum_total_ / w_node_;
        return sq_sum_total_ / w_node_ - rounded_product(mean, mean);
    }
    double proxy_improvement() const {
        const double diff = rounded_product(w_right_, sum_left_) - rounded_product(w_left_, sum_right_);
        return diff * diff / (w_left_ * w_right_);
    }
    double improvement() const {
        const double diff = rounded_product(w_right_, sum_left_) - rounded_product(w_left_, sum_right_);
        return diff * diff / (w_left_ * w_right_ * w_node_);
    }
    void children_impurity(double& left, double& right) const {
        double sq_left = 0;
        for (std::size_t p = start_; p < pos_; ++p) {
            const double yi = y_[samples_[p]];
            sq_left += rounded_product(yi, yi);
        }
        const double sq_right = sq_sum_total_ - sq_left;
        const double ml = sum_left_ / w_left_, mr = sum_right_ / w_right_;
        left = sq_left / w_left_ - rounded_product(ml, ml);
        right = sq_right / w_right_ - rounded_product(mr, mr);
    }

    // ---- BestSplitter.node_split ----
    split node_split(std::size_t& n_constant_features) {
        constexpr float feature_threshold = 1e-7f;
        const std::size_t start = start_, end = end_;
        split best, current;
        best.pos = end;
        double best_proxy = -std::numeric_limits<double>::infinity();
        std::size_t f_i = cols_, n_visited = 0, n_found_constants = 0, n_drawn_constants = 0;
        const std::size_t n_known_constants = n_constant_features;
        std::size_t n_total_constants = n_known_constants;
        while (f_i > n_total_constants && (n_visited < cols_ || n_visited <= n_found_constants + n_drawn_constants)) {
            ++n_visited;
            std::size_t f_j = sklearn_rand_int(n_drawn_constants, f_i - n_found_constants, rand_state_);
            if (f_j < n_known_constants) {
                std::swap(features_[n_drawn_constants], features_[f_j]);
                ++n_drawn_constants;
                continue;
            }
            f_j += n_found_constants;
            current.feature = features_[f_j];
            for (std::size_t i = start; i < end; ++i) xf_[i] = X_[samples_[i] * cols_ + current.feature];
            tree_sort(xf_.data() + start, samples_.data() + start, static_cast<std::ptrdiff_t>(end - start));
            if (xf_[end - 1] <= xf_[start] + feature_threshold) {
                std::swap(features_[f_j], features_[n_total_constants]);
                ++n_found_constants;
                ++n_total_constants;
                continue;
            }
            --f_i;
            std::swap(features_[f_i], features_[f_j]);
            reset();
            std::size_t p = start;
            while (p < end) {
                while (p + 1 < end && xf_[p + 1] <= xf_[p] + feature_threshold) ++p;
                ++p;
                if (p >= end) continue;
                current.pos = p;
                if (p - start < min_leaf_ || end - p < min_leaf_) continue;
                update(p);
                const double proxy = proxy_improvement();
                if (proxy > best_proxy) {
                    best_proxy = proxy;
                    current.threshold = static_cast<double>(xf_[p - 1]) / 2.0 + static_cast<double>(xf_[p]) / 2.0;
                    if (current.threshold == static_cast<double>(xf_[p]) || std::isinf(current.threshold))
                        current.threshold = static_cast<double>(xf_[p - 1]);
                    best = current;
                }
            }
        }
        if (best.pos < end) {
            std::size_t partition_end = end, p = start;
            while (p < partition_end) {
                if (static_cast<double>(X_[samples_[p] * cols_ + best.feature]) <= best.threshold) {
                    ++p;
                } else {
                    --partition_end;
                    std::swap(samples_[p], samples_[partition_end]);
                }
            }
            reset();
            update(best.pos);
            children_impurity(best.impurity_left, best.impurity_right);
            best.improvement = improvement();
        }
        // The known constants keep their order for the children; newly found ones are appended.
        for (std::size_t q = 0; q < n_known_constants; ++q) features_[q] = constant_features_[q];
        for (std::size_t q = 0; q < n_found_constants; ++q)
            constant_features_[n_known_constants + q] = features_[n_known_constants + q];
        n_constant_features = n_total_constants;
        return best;
    }

    const float* X_;
    std::size_t rows_, cols_;
    const double* y_ = nullptr;
    std::uint32_t rand_state_ = 0;
    std::size_t min_leaf_ = 1;
    std::vector<std::size_t> samples_, features_, constant_features_;
    std::vector<float> xf_;
    std::size_t start_ = 0, end_ = 0, pos_ = 0;
    double sum_total_ = 0, sq_sum_total_ = 0, w_node_ = 0, sum_left_ = 0, sum_right_ = 0, w_left_ = 0, w_right_ = 0;
};

/// float32 copy of a feature table (scikit-learn's DTYPE), throwing on values beyond float's range.
inline std::vector<float> float32_table(const feature_matrix_view& x, const char* who) {
    std::vector<float> f(x.rows * x.cols);
    for (std::size_t i = 0; i < x.rows; ++i)
        for (std::size_t j = 0; j < x.cols; ++j) {
            const double v = x(i, j);
            if (std::abs(v) > static_cast<double>(FLT_MAX))
                throw error(who, ": feature value ", v, " at row ", i, ", column ", j,
                            " is too large for float32 (scikit-learn's tree input type)");
            f[i * x.cols + j] = static_cast<float>(v);
        }
    return f;
}

inline void check_tree_options(const regression_tree_options& o, const char* who) {
    if (o.max_depth < 1) throw error(who, ": max_depth = ", o.max_depth, " must be >= 1");
    if (o.min_samples_split < 2) throw error(who, ": min_samples_split = ", o.min_samples_split, " must be >= 2");
    if (o.min_samples_leaf < 1) throw error(who, ": min_samples_leaf = ", o.min_samples_leaf, " must be >= 1");
}

}  // namespace detail

/// DecisionTreeRegressor(criterion="friedman_mse", max_depth, min_samples_split,
/// min_samples_leaf, random_state=seed).fit(x, y): the same tree, node for node.
[[nodiscard]] inline regression_tree fit_regression_tree(const feature_matrix_view& x, std::span<const double> y,
                                                         const regression_tree_options& opt = {},
                                                         std::uint32_t seed = 0) {
    check_features(x, "fit_regression_tree");
    detail::check_tree_options(opt, "fit_regression_tree");
    if (y.size() != x.rows) throw error("fit_regression_tree: X has ", x.rows, " rows but ", y.size(), " targets");
    if (x.rows == 0) throw error("fit_regression_tree: no rows");
    for (std::size_t i = 0; i < y.size(); ++i)
        if (!std::isfinite(y[i])) throw error("fit_regression_tree: target ", y[i], " at row ", i, " is not finite");
    const std::vector<float> xf = detail::float32_table(x, "fit_regression_tree");
    detail::numpy_random_state rs(seed);
    std::vector<std::size_t> rows(x.rows);
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    detail::friedman_tree_builder b(xf.data(), x.rows, x.cols);
    return b.build(rows, y.data(), opt, rs.randint_rand_r_max());
}

}  // namespace tessera
