#pragma once
/// @file
/// Gradient-boosted regression trees for classification, identical to scikit-learn 1.2.1's
/// `GradientBoostingClassifier(loss="log_loss", criterion="friedman_mse", init=None,
/// max_features=None, random_state=seed)` (Friedman, Ann. Stat. 29, 1189 (2001), Algorithm 6;
/// ESL 2nd ed. §10.10).
///
/// Classes c_0 < … < c_{K−1} (K >= 2, sorted); features rounded to float32 (scikit-learn's DTYPE)
/// for fitting and for prediction. The raw score F has K' = 1 column for K = 2 and K columns
/// otherwise:
///  - init (DummyClassifier(strategy="prior")): π_k = n_k / n, clipped to [ε, 1 − ε] with
///    ε = float32 epsilon 2^−23; F_0 = log(π_1 / (1 − π_1)) for K = 2, F_0k = log π_k for K > 2.
///  - stage m = 1 … n_estimators: with F frozen at its value before the stage, per column k the
///    residual r_i = y_ik − p_ik (K = 2: y_i = [class = c_1], p_i = expit(F_i) = 1/(1 + e^−F_i);
///    K > 2: y_ik = [class = c_k], p_ik = exp(F_ik − logsumexp_j F_ij), scipy's logsumexp); a
///    regression tree (learn/regression_tree.hpp: friedman_mse, depth max_depth) is fitted to r
///    on the stage's rows; each leaf R gets the Newton step
///        γ_R = Σ_{i∈R} r_i / Σ_{i∈R} (y_i − r_i)(1 − y_i + r_i)      (K = 2)
///        γ_R = (K−1)/K · Σ r_i / Σ (y_ik − r_i)(1 − y_ik + r_i)     (K > 2)
///    (0 when |denominator| < 1e-150; sums over the stage's rows of the leaf in row order, in
///    numpy's pairwise order) — sklearn's _update_terminal_region; then F_ik += ν γ_{R(x_i)}
///    for every row (ν = learning_rate).
///  - subsample < 1 (stochastic gradient boosting): each stage uses ⌊subsample · n⌋ (>= 1) rows,
///    drawn without replacement by selection sampling (sklearn's _random_sample_mask: row i is
///    taken when u_i (n − i) < n_inbag − taken, u_i uniform); trees and leaf values use only
///    those rows, F is updated for all.
///  - decision_function(x) = F_0 + ν Σ_m γ_m(x) (rows × K', sklearn's decision_function, 1-D
///    for K = 2); predict_proba: K = 2 [1 − expit(F), expit(F)], K > 2 softmax via logsumexp;
///    predict = the class of the largest probability (first on ties, np.argmax).
///  - feature_importances(): per tree with more than one node the unnormalised impurity
///    decrease (regression_tree::feature_importances), averaged over those trees (sequential
///    sum, np.mean over axis 0), divided by its total (numpy pairwise sum); all zeros when every
///    tree is a single leaf.
///
/// Same numbers as scikit-learn, and the same ties. `seed` is scikit-learn's integer
/// random_state (0 … 2^32 − 1): the trees' feature-visiting order and the subsample masks come
/// from the same NumPy RandomState stream (learn/detail/numpy_random.hpp), so with the same seed
/// tessera grows the same trees — including which of two equally good splits is taken, which
/// scikit-learn decides by its random feature order — for subsample = 1 and subsample < 1.
/// The arithmetic is scikit-learn's, operation for operation (numpy's pairwise sums, products
/// rounded before they are added), so the results are bitwise scikit-learn's when both use the
/// C library's exp and log. Caveat: NumPy 1.24 on AVX-512 machines evaluates np.exp/np.log on
/// arrays with its own SIMD code, 1 ulp away from the C library in about a quarter of
/// arguments (K > 2 residuals and probabilities, the init's log; scipy's expit, used for K = 2,
/// is the C library's). Values then agree to ~1e-15, but where two candidate splits give the
/// *same partition* of a node's rows (a tie broken by the last bits of the sums) the credited
/// feature, hence the threshold, importances and predictions on new rows, can differ — as
/// scikit-learn's own results differ between AVX-512 and other machines. The reference data
/// (tests/reference/learn/make_gbt_reference.py) is made with NumPy's AVX-512 loops disabled
/// (NPY_DISABLE_CPU_FEATURES), i.e. scikit-learn as on any machine without AVX-512; against it
/// tessera is bitwise identical (tests/learn/gradient_boosting.cpp: 2- and 3-class continuous
/// data, integer CuZr glass descriptors full of ties, subsample 0.5).
///
/// Not offered: sample weights, other losses (exponential, regression), init estimators other
/// than the prior, max_features / max_leaf_nodes / min_impurity_decrease / ccp_alpha (all at
/// scikit-learn's defaults), early stopping (n_iter_no_change), warm start. Errors
/// (tessera::error): a single class, NaN/inf or |x| > FLT_MAX in X, rows ≠ labels, bad options
/// (n_estimators = 0, learning_rate <= 0, subsample outside (0, 1], max_depth = 0,
/// min_samples_split < 2, min_samples_leaf = 0, seed >= 2^32). Queries are const and thread-safe.

#include <tessera/core/error.hpp>
#include <tessera/learn/detail/numpy_random.hpp>
#include <tessera/learn/detail/numpy_sum.hpp>
#include <tessera/learn/detail/rounded.hpp>
#include <tessera/learn/feature_matrix.hpp>
#include <tessera/learn/regression_tree.hpp>

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace tessera {

struct gradient_boosting_options {
    std::size_t n_estimators = 100;  ///< boosting stages
    double learning_rate = 0.1;      ///< shrinkage ν, > 0
    std::size_t max_depth = 3;       ///< depth of each tree, >= 1
    double subsample = 1.0;          ///< fraction of rows per stage, (0, 1]
    std::uint64_t seed = 0;          ///< scikit-learn's random_state, < 2^32
    std::size_t min_samples_split = 2, min_samples_leaf = 1;
};

namespace detail {

/// scipy.special.expit (1.10: 1 / (1 + exp(−x))).
inline double gb_expit(double x) { return 1.0 / (1.0 + std::exp(-x)); }

/// scipy.special.logsumexp of one row of k values.
inline double gb_logsumexp(const double* a, std::size_t k, double* tmp) {
    double amax = *std::max_element(a, a + k);
    if (!std::isfinite(amax)) amax = 0;
    for (std::size_t j = 0; j < k; ++j) tmp[j] = std::exp(a[j] - amax);
    return std::log(numpy_pairwise_sum(tmp, k)) + amax;
}

}  // namespace detail

class gradient_boosting_classifier {
public:
    gradient_boosting_classifier() = default;
    explicit gradient_boosting_classifier(gradient_boosting_options options) : opt_(options) {
        check_options(opt_);
    }

    /// Fits on x (rows × cols) and class labels y (see the file comment).
    gradient_boosting_classifier& fit(const feature_matrix_view& x, std::span<const int> y) {
        constexpr const char* who = "gradient_boosting_classifier::fit";
        check_options(opt_);
        check_features(x, who);
        if (y.size() != x.rows) throw error(who, ": X has ", x.rows, " rows but ", y.size(), " labels were given");
        if (x.rows == 0) throw error(who, ": no rows");
        std::vector<int> classes(y.begin(), y.end());
        std::sort(classes.begin(), classes.end());
        classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
        if (classes.size() < 2)
            throw error(who, ": all ", x.rows, " labels are ", classes[0], " (a single class; need at least two)");
        const std::size_t n = x.rows, p = x.cols, K = classes.size(), kp = K == 2 ? 1 : K;
        std::vector<std::size_t> label(n), count(K, 0);
        for (std::size_t i = 0; i < n; ++i) {
            label[i] = static_cast<std::size_t>(std::lower_bound(classes.begin(), classes.end(), y[i]) - classes.begin());
            ++count[label[i]];
        }
        const std::vector<float> xf = detail::float32_table(x, who);

        // The prior, clipped at float32's epsilon (sklearn's get_init_raw_predictions).
        const double eps = static_cast<double>(FLT_EPSILON);
        auto clip = [&](double v) { return std::clamp(v, eps, 1.0 - eps); };
        std::vector<double> init(kp);
        if (K == 2) {
            const double pi = clip(static_cast<double>(count[1]) / static_cast<double>(n));
            init[0] = std::log(pi / (1.0 - pi));
        } else {
            for (std::size_t k = 0; k < K; ++k) init[k] = std::log(clip(static_cast<double>(count[k]) / static_cast<double>(n)));
        }

        std::vector<double> raw(n * kp), raw_copy(n * kp), target(n), residual(n), tmp(kp), num(n), den(n);
        for (std::size_t i = 0; i < n; ++i) std::copy(init.begin(), init.end(), raw.begin() + std::ptrdiff_t(i * kp));
        std::vector<std::size_t> in_bag, leaf_of(n), order(n), offset;
        std::vector<char> mask(n, 1);
        const auto n_inbag = std::max<std::size_t>(1, static_cast<std::size_t>(opt_.subsample * static_cast<double>(n)));
        detail::numpy_random_state rs(static_cast<std::uint32_t>(opt_.seed));
        detail::friedman_tree_builder builder(xf.data(), n, p);
        regression_tree_options topt;
        topt.max_depth = opt_.max_depth;
        topt.min_samples_split = opt_.min_samples_split;
        topt.min_samples_leaf = opt_.min_samples_leaf;
        const double newton_factor = K == 2 ? 1.0 : static_cast<double>(K - 1) / static_cast<double>(K);

        std::vector<regression_tree> trees;
        trees.reserve(opt_.n_estimators * kp);
        for (std::size_t stage = 0; stage < opt_.n_estimators; ++stage) {
            if (opt_.subsample < 1.0) {  // _random_sample_mask: all n uniforms are drawn first
                for (std::size_t i = 0; i < n; ++i) num[i] = rs.uniform();
                std::size_t taken = 0;
                for (std::size_t i = 0; i < n; ++i) {
                    mask[i] = num[i] * static_cast<double>(n - i) < static_cast<double>(n_inbag - taken);
                    taken += mask[i] ? 1 : 0;
                }
            }
            in_bag.clear();
            for (std::size_t i = 0; i < n; ++i)
                if (mask[i]) in_bag.push_back(i);
            raw_copy = raw;
            for (std::size_t k = 0; k < kp; ++k) {
                for (std::size_t i = 0; i < n; ++i) {
                    const double* f = raw_copy.data() + i * kp;
                    target[i] = (K == 2 ? label[i] == 1 : label[i] == k) ? 1.0 : 0.0;
                    const double prob = K == 2 ? detail::gb_expit(f[0])
                                               : std::exp(f[k] - detail::gb_logsumexp(f, kp, tmp.data()));
                    residual[i] = target[i] - prob;
                }
                regression_tree tree = builder.build(in_bag, residual.data(), topt, rs.randint_rand_r_max());

                // Newton step per leaf over the leaf's stage rows, ascending (np.where order).
                const std::size_t m = tree.node_count();
                offset.assign(m + 1, 0);
                for (std::size_t i = 0; i < n; ++i) {
                    leaf_of[i] = tree.apply(xf.data() + i * p);
                    if (mask[i]) ++offset[leaf_of[i] + 1];
                }
                for (std::size_t v = 0; v < m; ++v) offset[v + 1] += offset[v];
                {
                    std::vector<std::size_t> fill(offset.begin(), offset.end() - 1);
                    for (std::size_t i = 0; i < n; ++i)
                        if (mask[i]) order[fill[leaf_of[i]]++] = i;
                }
                for (std::size_t v = 0; v < m; ++v) {
                    if (!tree.is_leaf(v)) continue;
                    const std::size_t a = offset[v], b = offset[v + 1];
                    for (std::size_t q = a; q < b; ++q) {
                        const std::size_t i = order[q];
                        num[q - a] = residual[i];
                        den[q - a] = detail::rounded_product(target[i] - residual[i], (1.0 - target[i]) + residual[i]);
                    }
                    const double numerator = detail::numpy_pairwise_sum(num.data(), b - a) * newton_factor;
                    const double denominator = detail::numpy_pairwise_sum(den.data(), b - a);
                    tree.value[v] = std::abs(denominator) < 1e-150 ? 0.0 : numerator / denominator;
                }
                for (std::size_t i = 0; i < n; ++i)
                    raw[i * kp + k] += detail::rounded_product(opt_.learning_rate, tree.value[leaf_of[i]]);
                trees.push_back(std::move(tree));
            }
        }
        classes_ = std::move(classes);
        n_features_ = p;
        learning_rate_ = opt_.learning_rate;
        init_ = std::move(init);
        trees_ = std::move(trees);
        flatten();
        return *this;
    }

    /// The same on a dense row-major buffer (the interface of learn/model_selection.hpp).
    gradient_boosting_classifier& fit(const double* X, std::size_t rows, std::size_t cols, std::span<const int> y) {
        return fit(feature_matrix_view{X, rows, cols, cols, {}}, y);
    }

    /// A model from its parts (a loaded file, a converted scikit-learn model): classes ascending,
    /// init (1 value for 2 classes, else one per class), trees stage-major (stage m, column k at
    /// m · trees_per_stage() + k).
    static gradient_boosting_classifier from_parts(std::vector<int> classes, std::size_t n_features,
                                                   double learning_rate, std::vector<double> init,
                                                   std::vector<regression_tree> trees) {
        constexpr const char* who = "gradient_boosting_classifier::from_parts";
        if (classes.size() < 2) throw error(who, ": need at least two classes");
        if (!std::is_sorted(classes.begin(), classes.end()) ||
            std::adjacent_find(classes.begin(), classes.end()) != classes.end())
            throw error(who, ": classes must be strictly ascending");
        const std::size_t kp = classes.size() == 2 ? 1 : classes.size();
        if (n_features == 0) throw error(who, ": no features");
        if (init.size() != kp) throw error(who, ": ", classes.size(), " classes need ", kp, " init values, got ", init.size());
        for (double v : init)
            if (!std::isfinite(v)) throw error(who, ": init value ", v, " is not finite");
        if (!(learning_rate > 0) || !std::isfinite(learning_rate))
            throw error(who, ": learning_rate = ", learning_rate, " must be > 0 and finite");
        if (trees.empty() || trees.size() % kp != 0)
            throw error(who, ": ", trees.size(), " trees is not a positive multiple of ", kp, " trees per stage");
        for (const auto& t : trees) t.validate(n_features, who);
        gradient_boosting_classifier g;
        g.classes_ = std::move(classes);
        g.n_features_ = n_features;
        g.learning_rate_ = learning_rate;
        g.init_ = std::move(init);
        g.trees_ = std::move(trees);
        g.opt_.n_estimators = g.trees_.size() / kp;
        g.opt_.learning_rate = learning_rate;
        g.flatten();
        return g;
    }

    [[nodiscard]] bool fitted() const noexcept { return !classes_.empty(); }
    [[nodiscard]] const gradient_boosting_options& options() const noexcept { return opt_; }
    [[nodiscard]] std::span<const int> classes() const noexcept { return classes_; }
    [[nodiscard]] std::size_t n_classes() const noexcept { return classes_.size(); }
    [[nodiscard]] std::size_t n_features() const noexcept { return n_features_; }
    [[nodiscard]] double learning_rate() const noexcept { return learning_rate_; }
    /// Columns of the raw score: 1 for two classes, K otherwise (trees per stage).
    [[nodiscard]] std::size_t trees_per_stage() const noexcept { return classes_.size() == 2 ? 1 : classes_.size(); }
    [[nodiscard]] std::size_t n_stages() const noexcept { return fitted() ? trees_.size() / trees_per_stage() : 0; }
    [[nodiscard]] std::span<const double> init() const noexcept { return init_; }
    [[nodiscard]] std::span<const regression_tree> trees() const noexcept { return trees_; }
    [[nodiscard]] const regression_tree& tree(std::size_t stage, std::size_t k) const {
        return trees_.at(stage * trees_per_stage() + k);
    }

    /// rows × trees_per_stage(): F_0 + ν Σ_m γ_m(x), row-major.
    [[nodiscard]] std::vector<double> decision_function(const feature_matrix_view& x) const {
        check_query(x, "decision_function");
        const std::size_t kp = trees_per_stage(), nf = n_features_;
        std::vector<double> out(x.rows * kp);
        // Blocks of rows, trees outer: a tree stays in registers / L1 while a block's rows go
        // through it. The block is held feature-major (xt[j·block + i] = double(float(x_ij)),
        // the value Tree.apply compares) so that SIMD lanes are rows. A tree of depth <= 4 is
        // evaluated as its completed tree (complete_tree_): every split's comparison for every
        // lane, then a select per split from the leaves up — the lane gets the leaf its row's
        // walk reaches (the same comparisons decide), so the same ν·γ. Deeper trees walk row by
        // row. Either way each row's column adds its trees in stage order, as before: bitwise
        // the same sums.
        constexpr std::size_t block = 64;
        static_assert(block % xsimd::batch<double>::size == 0);
        std::vector<double, xsimd::aligned_allocator<double>> xt(nf * block, 0.0), acc(kp * block);
        for (std::size_t b = 0; b < x.rows; b += block) {
            const std::size_t n = std::min(block, x.rows - b);
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t j = 0; j < nf; ++j) xt[j * block + i] = static_cast<double>(static_cast<float>(x(b + i, j)));
            if (n < block)  // padding lanes: finite values, results discarded
                for (std::size_t j = 0; j < nf; ++j) std::fill(xt.begin() + std::ptrdiff_t(j * block + n), xt.begin() + std::ptrdiff_t((j + 1) * block), 0.0);
            for (std::size_t k = 0; k < kp; ++k) std::fill(acc.begin() + std::ptrdiff_t(k * block), acc.begin() + std::ptrdiff_t((k + 1) * block), init_[k]);
            for (std::size_t t = 0; t < trees_.size(); ++t) {
                double* a = acc.data() + (t % kp) * block;
                const complete_tree& c = complete_[t];
                switch (c.depth) {  // depth as a template argument: the tree's splits unrolled
                case 0: complete_tree_pass<0>(c, xt.data(), a, block); break;
                case 1: complete_tree_pass<1>(c, xt.data(), a, block); break;
                case 2: complete_tree_pass<2>(c, xt.data(), a, block); break;
                case 3: complete_tree_pass<3>(c, xt.data(), a, block); break;
                case 4: complete_tree_pass<4>(c, xt.data(), a, block); break;
                default: {
                    const flat_node* tree = flat_.data() + flat_start_[t];
                    for (std::size_t i = 0; i < n; ++i) {
                        std::uint32_t v = 0;
                        for (std::size_t d = 0; d < c.depth; ++d)
                            v = tree[v].child[xt[tree[v].feature * block + i] <= tree[v].threshold ? 0 : 1];
                        a[i] += tree[v].step;
                    }
                }
                }
            }
            double* o = out.data() + b * kp;
            for (std::size_t i = 0; i < n; ++i)
                for (std::size_t k = 0; k < kp; ++k) o[i * kp + k] = acc[k * block + i];
        }
        return out;
    }

    /// rows × n_classes(): class probabilities, columns in classes() order.
    [[nodiscard]] std::vector<double> predict_proba(const feature_matrix_view& x) const {
        const std::vector<double> f = decision_function(x);
        const std::size_t K = n_classes();
        std::vector<double> out(x.rows * K), tmp(K);
        for (std::size_t i = 0; i < x.rows; ++i) {
            double* o = out.data() + i * K;
            if (K == 2) {
                o[1] = detail::gb_expit(f[i]);
                o[0] = 1.0 - o[1];
            } else {
                const double lse = detail::gb_logsumexp(f.data() + i * K, K, tmp.data());
                for (std::size_t k = 0; k < K; ++k) o[k] = std::exp(f[i * K + k] - lse);
            }
        }
        return out;
    }

    /// The class of the largest probability per row (first on ties).
    [[nodiscard]] std::vector<int> predict(const feature_matrix_view& x) const {
        const std::vector<double> pr = predict_proba(x);
        const std::size_t K = n_classes();
        std::vector<int> out(x.rows);
        for (std::size_t i = 0; i < x.rows; ++i) {
            const double* o = pr.data() + i * K;
            out[i] = classes_[static_cast<std::size_t>(std::max_element(o, o + K) - o)];
        }
        return out;
    }

    // Dense row-major overloads (learned_model, model_selection, easy_ensemble's interface).
    [[nodiscard]] std::vector<double> decision_function(const double* X, std::size_t rows, std::size_t cols) const {
        return decision_function(feature_matrix_view{X, rows, cols, cols, {}});
    }
    [[nodiscard]] std::vector<double> predict_proba(const double* X, std::size_t rows, std::size_t cols) const {
        return predict_proba(feature_matrix_view{X, rows, cols, cols, {}});
    }
    void predict(const double* X, std::size_t rows, std::size_t cols, std::span<int> out) const {
        if (out.size() != rows)
            throw error("gradient_boosting_classifier::predict: output holds ", out.size(), " values for ", rows, " rows");
        const std::vector<int> p = predict(feature_matrix_view{X, rows, cols, cols, {}});
        std::copy(p.begin(), p.end(), out.begin());
    }

    /// scikit-learn's feature_importances_ (see the file comment); sums to 1 unless all zero.
    [[nodiscard]] std::vector<double> feature_importances() const {
        if (!fitted()) throw error("gradient_boosting_classifier::feature_importances: the model is not fitted");
        std::vector<double> sum(n_features_, 0.0);
        std::size_t relevant = 0;
        for (const auto& t : trees_) {
            if (t.node_count() <= 1) continue;
            const std::vector<double> imp = t.feature_importances(n_features_);
            for (std::size_t j = 0; j < n_features_; ++j) sum[j] += imp[j];
            ++relevant;
        }
        if (relevant == 0) return sum;
        for (double& v : sum) v /= static_cast<double>(relevant);
        const double total = detail::numpy_pairwise_sum(sum.data(), sum.size());
        for (double& v : sum) v /= total;
        return sum;
    }

    static void check_options(const gradient_boosting_options& o) {
        constexpr const char* who = "gradient_boosting_classifier";
        if (o.n_estimators < 1) throw error(who, ": n_estimators = 0; need at least one stage");
        if (!(o.learning_rate > 0) || !std::isfinite(o.learning_rate))
            throw error(who, ": learning_rate = ", o.learning_rate, " must be > 0 and finite");
        if (!(o.subsample > 0 && o.subsample <= 1))
            throw error(who, ": subsample = ", o.subsample, " must be in (0, 1]");
        if (o.seed > 0xFFFFFFFFull)
            throw error(who, ": seed = ", o.seed, " exceeds 2^32 - 1 (scikit-learn's random_state range)");
        regression_tree_options t;
        t.max_depth = o.max_depth;
        t.min_samples_split = o.min_samples_split;
        t.min_samples_leaf = o.min_samples_leaf;
        detail::check_tree_options(t, who);
    }

private:
    void check_query(const feature_matrix_view& x, const char* what) const {
        const std::string who = std::string("gradient_boosting_classifier::") + what;
        if (!fitted()) throw error(who, ": the model is not fitted");
        check_features(x, who.c_str());
        check_feature_count(x, n_features_, who.c_str());
        for (std::size_t i = 0; i < x.rows; ++i)
            for (std::size_t j = 0; j < x.cols; ++j)
                if (std::abs(x(i, j)) > static_cast<double>(FLT_MAX))
                    throw error(who, ": feature value ", x(i, j), " at row ", i, ", column ", j,
                                " is too large for float32 (scikit-learn's tree input type)");
    }

    gradient_boosting_options opt_{};
    std::vector<int> classes_;
    std::size_t n_features_ = 0;
    double learning_rate_ = 0.1;
    std::vector<double> init_;
    std::vector<regression_tree> trees_;

    /// The trees for prediction: per node its split (a leaf: feature 0, both children itself)
    /// and, for a leaf, its term ν·γ (the same rounded product decision_function adds), so that
    /// every row takes exactly depth steps (regression_tree::apply's path, then stays put).
    struct flat_node {
        double threshold, step;
        std::uint32_t feature, child[2];
    };
    std::vector<flat_node> flat_;
    std::vector<std::size_t> flat_start_;

    /// A tree of depth D <= max_simd_depth as the complete binary tree of depth D in heap order
    /// (2^D − 1 splits, 2^D leaf terms): a leaf reached at depth d < D becomes splits whose two
    /// subtrees end in copies of its term (their comparisons, on feature 0 at threshold 0, then
    /// choose between equal values). Deeper trees: depth only, walked through flat_.
    static constexpr std::size_t max_simd_depth = 4;
    struct complete_tree {
        std::size_t depth, start, leaf_start;
    };
    std::vector<complete_tree> complete_;
    std::vector<std::uint32_t> cfeature_;
    std::vector<double> cthreshold_, cstep_;

    /// acc[i] += the term of row i's leaf in completed tree c, for the block's `block` rows
    /// (xt feature-major): every split compared on every lane, then from the bottom level up
    /// val[v] = (x_f <= threshold) ? val[left] : val[right] — the walk's choice at every node
    /// on the walk's path, so val[0] is the term of the walk's leaf.
    template <std::size_t D>
    void complete_tree_pass(const complete_tree& c, const double* xt, double* acc, std::size_t block) const noexcept {
        using batch = xsimd::batch<double>;
        constexpr std::size_t width = std::size_t(1) << D, splits = width - 1;
        const std::uint32_t* feat = cfeature_.data() + c.start;
        const double* thr = cthreshold_.data() + c.start;
        const double* leaf = cstep_.data() + c.leaf_start;
        std::array<batch, width> term;
        std::array<batch, splits + 1> threshold;
        std::array<const double*, splits + 1> column;
        for (std::size_t v = 0; v < width; ++v) term[v] = batch(leaf[v]);
        for (std::size_t h = 0; h < splits; ++h) {
            threshold[h] = batch(thr[h]);
            column[h] = xt + feat[h] * block;
        }
        for (std::size_t i = 0; i < block; i += batch::size) {
            std::array<batch, width> val = term;
            // level d: heap nodes 2^d − 1 … 2^(d+1) − 2 (w = 2^d of them); children of h: 2h+1, 2h+2
            for (std::size_t w = width / 2; w >= 1; w /= 2)
                for (std::size_t v = 0; v < w; ++v) {
                    const std::size_t h = w - 1 + v;
                    val[v] = xsimd::select(batch::load_aligned(column[h] + i) <= threshold[h], val[2 * v], val[2 * v + 1]);
                }
            (batch::load_aligned(acc + i) + val[0]).store_aligned(acc + i);
        }
    }

    void complete(const regression_tree& t, std::size_t v, std::size_t h, std::size_t d, const complete_tree& c) {
        const std::size_t splits = (std::size_t(1) << c.depth) - 1;
        if (d == c.depth) {
            cstep_[c.leaf_start + h - splits] = detail::rounded_product(learning_rate_, t.value[v]);
            return;
        }
        const bool leaf = t.is_leaf(v);
        cfeature_[c.start + h] = leaf ? 0 : static_cast<std::uint32_t>(t.feature[v]);
        cthreshold_[c.start + h] = leaf ? 0.0 : t.threshold[v];
        complete(t, leaf ? v : static_cast<std::size_t>(t.children_left[v]), 2 * h + 1, d + 1, c);
        complete(t, leaf ? v : static_cast<std::size_t>(t.children_right[v]), 2 * h + 2, d + 1, c);
    }

    void flatten() {
        flat_.clear();
        flat_start_.clear();
        complete_.clear();
        cfeature_.clear();
        cthreshold_.clear();
        cstep_.clear();
        std::vector<std::size_t> depth;
        for (const auto& t : trees_) {
            const std::size_t m = t.node_count();
            flat_start_.push_back(flat_.size());
            depth.assign(m, 0);
            std::size_t max_depth = 0;
            for (std::size_t v = 0; v < m; ++v) {  // pre-order: a parent precedes its children
                flat_node f{};
                if (t.is_leaf(v)) {
                    f.threshold = 0;
                    f.feature = 0;
                    f.child[0] = f.child[1] = static_cast<std::uint32_t>(v);
                    f.step = detail::rounded_product(learning_rate_, t.value[v]);
                    max_depth = std::max(max_depth, depth[v]);
                } else {
                    const auto l = static_cast<std::size_t>(t.children_left[v]), r = static_cast<std::size_t>(t.children_right[v]);
                    f.threshold = t.threshold[v];
                    f.feature = static_cast<std::uint32_t>(t.feature[v]);
                    f.child[0] = static_cast<std::uint32_t>(l);
                    f.child[1] = static_cast<std::uint32_t>(r);
                    depth[l] = depth[r] = depth[v] + 1;
                }
                flat_.push_back(f);
            }
            complete_tree c{max_depth, cfeature_.size(), cstep_.size()};
            complete_.push_back(c);
            if (max_depth <= max_simd_depth) {
                cfeature_.resize(c.start + (std::size_t(1) << max_depth) - 1);
                cthreshold_.resize(cfeature_.size());
                cstep_.resize(c.leaf_start + (std::size_t(1) << max_depth));
                complete(t, 0, 0, 0, c);
            }
        }
    }
};

/// Fits a gradient-boosting classifier (see the file comment).
[[nodiscard]] inline gradient_boosting_classifier fit_gradient_boosting(const feature_matrix_view& x,
                                                                        std::span<const int> y,
                                                                        const gradient_boosting_options& options = {}) {
    gradient_boosting_classifier g(options);
    g.fit(x, y);
    return g;
}

}  // namespace tessera
