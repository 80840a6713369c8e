#pragma once
/// @file
/// Logistic regression (binary and multinomial), the model of scikit-learn's
/// `LogisticRegression(solver="lbfgs", multi_class="auto", fit_intercept=True)`, fitted to its
/// unique optimum by Newton's method.
///
/// Rows x_i (n features), labels y_i from K >= 2 classes c_0 < c_1 < ... < c_{K-1} (sorted
/// ascending), per-row weights s_i = sample_weight_i * class_weight(y_i) with
/// class_weight = 1 (`class_weight_mode::none`) or n_samples / (K * count(y_i)) (`balanced`,
/// counts unweighted, as sklearn's compute_class_weight). The objective, intercepts unpenalised,
/// \f[ F = \tfrac{1}{2C} \lVert W \rVert^2 + \sum_i s_i\, \ell_i \f]
/// — sklearn's \f$ \tfrac12 \lVert W\rVert^2 + C \sum_i s_i \ell_i \f$ divided by C, same
/// minimiser (`penalty l2`; `penalty none` drops the first term):
///  - K = 2 (binary): one vector w, decision z_i = w·x_i + b, p_i = σ(z_i) the probability of
///    c_1, \f$ \ell_i = \log(1 + e^{z_i}) - [y_i = c_1] z_i \f$; predict_proba = [1 - p, p];
///    predict = c_1 when z > 0, else c_0. coef() is 1 × n, intercept() has one entry.
///  - K > 2 (multinomial): K vectors w_k, z_ik = w_k·x_i + b_k, p_ik = softmax_k(z_i),
///    \f$ \ell_i = \log \sum_k e^{z_{ik}} - z_{i,y_i} \f$; predict = the class of the largest
///    probability (ties: the first). coef() is K × n, intercept() has K entries.
///    Softmax is unchanged by adding one constant to every b_k (and, with penalty none, one vector
///    to every w_k); the fit returns the representative with Σ_k b_k = 0 (and Σ_k w_k = 0) —
///    the one sklearn's solvers reach from their zero start.
///
/// Solver: Newton's method from zero with the exact Hessian, a Cholesky solve of the
/// (K(n+1))² system (n+1 for binary) and backtracking (Armijo) line search; stops when
/// max|∇F| <= tol · max(1, max|∇F(0)|) (default tol 1e-10) or when the Newton decrement falls to
/// the rounding floor. With L2 the objective is strictly convex, so the result is the optimum
/// to ~1e-10; sklearn's own lbfgs (tol=1e-4 by default, and in 1.2.1 scipy's ftol 2.2e-9 always)
/// stops earlier — compare against sklearn run with solver="newton-cg", tol=1e-8
/// (tests/reference/learn/make_logistic_reference.py): coefficients agree to ~1e-9.
/// With penalty none and separable classes there is no finite optimum: the fit throws (taken as
/// a mean weighted log loss below 1e-6 at convergence, or a singular Hessian).
///
/// Input: X row-major, rows × cols (`const double*`), labels `int`. Errors (tessera::error): a
/// single class, NaN/inf in X (row and column named) or in the weights, rows ≠ labels,
/// negative weights, C <= 0, no convergence. Queries are const and thread-safe; they sum each
/// row's terms in SIMD partial sums (detail::linear_decisions_simd: one pass over X at memory
/// speed, the NaN/inf check folded in), which differs from a sequential sum by a few ulps.
/// Reference: scikit-learn 1.2.1, sklearn/linear_model/_logistic.py; Hastie, Tibshirani &
/// Friedman, *The Elements of Statistical Learning*, 2nd ed., §4.4.

#include <tessera/core/error.hpp>
#include <tessera/learn/detail/linear_kernels.hpp>

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <vector>

namespace tessera {

enum class logistic_penalty { l2, none };
enum class class_weight_mode { none, balanced };

struct logistic_options {
    logistic_penalty penalty = logistic_penalty::l2;
    double C = 1.0;                       ///< inverse regularisation strength (l2 only), > 0
    class_weight_mode class_weight = class_weight_mode::none;
    double tol = 1e-10;                   ///< relative gradient tolerance (see the file comment)
    int max_iter = 200;                   ///< Newton iterations
};

namespace detail {

/// Solves A x = b in place (b becomes x) for symmetric positive definite A (n × n, row-major,
/// only the upper triangle read; A is overwritten). False when A is not numerically PD.
inline bool cholesky_solve(std::vector<double>& A, std::size_t n, std::vector<double>& b) {
    double max_diag = 0;
    for (std::size_t i = 0; i < n; ++i) max_diag = std::max(max_diag, std::abs(A[i * n + i]));
    // Lower factor L stored in the lower triangle, read from the upper triangle of A.
    for (std::size_t j = 0; j < n; ++j) {
        double d = A[j * n + j];
        for (std::size_t k = 0; k < j; ++k) d -= A[j * n + k] * A[j * n + k];
        if (!(d > 1e-13 * max_diag)) return false;
        const double ljj = std::sqrt(d);
        A[j * n + j] = ljj;
        for (std::size_t i = j + 1; i < n; ++i) {
            double s = A[j * n + i];  // upper triangle: A(j, i) = A(i, j)
            for (std::size_t k = 0; k < j; ++k) s -= A[i * n + k] * A[j * n + k];
            A[i * n + j] = s / ljj;
        }
    }
    for (std::size_t i = 0; i < n; ++i) {  // L y = b
        double s = b[i];
        for (std::size_t k = 0; k < i; ++k) s -= A[i * n + k] * b[k];
        b[i] = s / A[i * n + i];
    }
    for (std::size_t i = n; i-- > 0;) {  // Lᵀ x = y
        double s = b[i];
        for (std::size_t k = i + 1; k < n; ++k) s -= A[k * n + i] * b[k];
        b[i] = s / A[i * n + i];
    }
    return true;
}

/// Throws naming the first non-finite entry of a row-major rows × cols matrix.
/// first_row: the row number of X's first row in the caller's matrix (for the message).
inline void check_finite_matrix(const char* who, const double* X, std::size_t rows, std::size_t cols,
                                std::size_t first_row = 0) {
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t j = 0; j < cols; ++j)
            if (!std::isfinite(X[i * cols + j]))
                throw error(who, ": X[", first_row + i, "][", j, "] = ", X[i * cols + j],
                            " is not finite (row ", first_row + i, ", column ", j, ")");
}

/// log(1 + e^z) without overflow.
inline double softplus(double z) { return std::max(z, 0.0) + std::log1p(std::exp(-std::abs(z))); }
/// 1 / (1 + e^-z) without overflow.
inline double sigmoid(double z) {
    if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
    const double e = std::exp(z);
    return e / (1.0 + e);
}

}  // namespace detail

class logistic_regression {
public:
    logistic_regression() = default;
    explicit logistic_regression(logistic_options options) : opt_(options) { check_options(); }

    /// Fits on X (rows × cols, row-major) and labels y; sample_weight empty = all ones.
    logistic_regression& fit(const double* X, std::size_t rows, std::size_t cols, std::span<const int> y,
                             std::span<const double> sample_weight = {}) {
        check_options();
        if (rows != y.size())
            throw error("logistic_regression::fit: X has ", rows, " rows but ", y.size(), " labels were given");
        if (!sample_weight.empty() && sample_weight.size() != rows)
            throw error("logistic_regression::fit: ", sample_weight.size(), " sample weights for ", rows, " rows");
        if (rows == 0) throw error("logistic_regression::fit: no rows");
        if (cols == 0) throw error("logistic_regression::fit: no feature columns");
        if (X == nullptr) throw error("logistic_regression::fit: X is null");
        for (std::size_t i = 0; i < sample_weight.size(); ++i)
            if (!std::isfinite(sample_weight[i]) || sample_weight[i] < 0)
                throw error("logistic_regression::fit: sample_weight[", i, "] = ", sample_weight[i],
                            " (must be finite and >= 0)");

        std::vector<int> classes(y.begin(), y.end());
        std::sort(classes.begin(), classes.end());
        classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
        if (classes.size() < 2)
            throw error("logistic_regression::fit: all ", rows, " labels are ", classes[0],
                        " (a single class; need at least two)");
        const std::size_t K = classes.size();
        std::vector<std::size_t> label(rows);
        std::vector<double> count(K, 0.0);
        for (std::size_t i = 0; i < rows; ++i) {
            label[i] = static_cast<std::size_t>(std::lower_bound(classes.begin(), classes.end(), y[i]) - classes.begin());
            count[label[i]] += 1;
        }
        std::vector<double> s(rows);
        for (std::size_t i = 0; i < rows; ++i) {
            s[i] = sample_weight.empty() ? 1.0 : sample_weight[i];
            if (opt_.class_weight == class_weight_mode::balanced)
                s[i] *= static_cast<double>(rows) / (static_cast<double>(K) * count[label[i]]);
        }

        const double lambda = opt_.penalty == logistic_penalty::l2 ? 1.0 / opt_.C : 0.0;
        const std::size_t m = K == 2 ? 1 : K;  // coefficient vectors
        const std::size_t q = cols + 1;         // per vector: coefficients then intercept
        const std::size_t dim = m * q;
        double total_weight = 0;
        for (double v : s) total_weight += v;
        // Weight of the gauge term that pins the softmax shift (multinomial only): any positive
        // value gives the same optimum; this one keeps the Hessian's scale.
        const double gauge = m > 1 ? std::max(total_weight, 1.0) / static_cast<double>(K) : 0.0;
        const bool gauge_coef = m > 1 && opt_.penalty == logistic_penalty::none;

        std::vector<double> theta(dim, 0.0), grad(dim), hess(dim * dim), step(dim), trial(dim), trial_grad(dim);
        std::vector<double> z(rows * m), prob(rows * m);
        constexpr std::size_t row_block = 128;
        using batch = xsimd::batch<double>;
        constexpr std::size_t lanes = batch::size;
        // x̃ = (x, 1) padded with zeros to a multiple of the Hessian tiles' widths and heights
        constexpr std::size_t tile_step = std::max(2 * lanes, detail::gram_tile_rows);
        const std::size_t qp = (q + tile_step - 1) / tile_step * tile_step;
        std::vector<double> xt(row_block * qp, 0.0), cxt(row_block * qp, 0.0);

        // The Hessian's data terms of rows i0 … i1-1 added to hess, from the probabilities the
        // evaluation just computed for them (while the rows are in cache):
        // blocks (k, l), l >= k: Σ_i c_i x̃_i x̃_iᵀ with c_i = s_i p_ik (δ_kl - p_il); only the
        // upper triangle of the whole matrix is filled (cholesky_solve reads it).
        // H_ab += (c_i x̃_ia) x̃_ib over i in row order, for every (a, b) of the block, in register
        // tiles (detail::gram_tile: 8 × 16 entries with avx512) over the rows held in xt (x̃
        // padded with zeros to qp columns); every entry sees the same operations in the same
        // order as the plain loop  row[b] += (c[i] * x̃_ia) * x̃_ib  over all rows.
        auto hessian_rows = [&](std::size_t i0, std::size_t i1) {
            const std::size_t nr = i1 - i0;
            for (std::size_t i = i0; i < i1; ++i) {
                double* r = xt.data() + (i - i0) * qp;
                const double* xi = X + i * cols;
                for (std::size_t a = 0; a < cols; ++a) r[a] = xi[a];  // a loop, not a memmove call per row
                r[cols] = 1.0;
            }
            for (std::size_t k = 0; k < m; ++k)
                for (std::size_t l = k; l < m; ++l) {
                    for (std::size_t i = i0; i < i1; ++i) {
                        const double pk = prob[i * m + k];
                        const double ci = m == 1 ? s[i] * pk * (1.0 - pk) : s[i] * pk * ((k == l ? 1.0 : 0.0) - prob[i * m + l]);
                        // c_i x̃_ia once per row (the tiles broadcast it)
                        const double* r = xt.data() + (i - i0) * qp;
                        double* cr = cxt.data() + (i - i0) * qp;
                        for (std::size_t a = 0; a < qp; ++a) cr[a] = ci * r[a];
                    }
                    double* hb = hess.data() + (k * q) * dim + l * q;
                    for (std::size_t a0 = 0; a0 < q; a0 += detail::gram_tile_rows) {
                        std::size_t b0 = k == l ? a0 / lanes * lanes : 0;
                        // diagonal blocks: the upper triangle (b >= a) and the few entries below
                        // it that share a SIMD batch; a one-batch tile on the diagonal
                        if (k == l) {
                            detail::gram_tile<1>(hb, dim, q, xt.data(), cxt.data(), qp, nr, a0, b0);
                            b0 += lanes;
                        }
                        for (; b0 < q; b0 += 2 * lanes)
                            if (b0 + 2 * lanes <= qp)
                                detail::gram_tile<2>(hb, dim, q, xt.data(), cxt.data(), qp, nr, a0, b0);
                            else
                                detail::gram_tile<1>(hb, dim, q, xt.data(), cxt.data(), qp, nr, a0, b0);
                    }
                }
        };
        auto hessian_penalty = [&]() {
            for (std::size_t k = 0; k < m; ++k)
                for (std::size_t j = 0; j < cols; ++j) hess[(k * q + j) * dim + k * q + j] += lambda;
            if (m > 1)
                for (std::size_t j = gauge_coef ? 0 : cols; j < q; ++j)
                    for (std::size_t k = 0; k < m; ++k)
                        for (std::size_t l = k; l < m; ++l) hess[(k * q + j) * dim + l * q + j] += gauge;
        };
        // The Hessian at the point of the last evaluation, in its own pass over X.
        auto build_hessian = [&]() {
            std::fill(hess.begin(), hess.end(), 0.0);
            for (std::size_t b0 = 0; b0 < rows; b0 += row_block) {
                const std::size_t b1 = std::min(rows, b0 + row_block);
                // the next block's rows fetched from memory while this block's tiles run
                detail::prefetch(X + b1 * cols, (std::min(rows, b1 + row_block) - b1) * cols);
                hessian_rows(b0, b1);
            }
            hessian_penalty();
        };
        // Objective F, gradient g and, when with_hessian, the Hessian (into hess) at t, in one
        // pass over X in blocks of rows (a block's rows stay in cache from the decisions to the
        // Hessian; each sum still runs in row order). The Hessian is formed before the line
        // search knows whether it accepts the point (one Hessian lost per rejected step) to save
        // a pass over X per Newton step.
        // check_rows: X's NaN/inf check in the same pass (used at t = 0, where every finite row
        // has the decision exactly 0: a non-finite one is checked entry by entry, which throws
        // naming the entry).
        std::vector<double> zbuf(detail::decision_rows * cols);
        auto evaluate = [&](const std::vector<double>& t, std::vector<double>& g, bool check_rows, bool with_hessian) {
            double f = 0;
            std::fill(g.begin(), g.end(), 0.0);
            if (with_hessian) std::fill(hess.begin(), hess.end(), 0.0);
            for (std::size_t b0 = 0; b0 < rows; b0 += row_block) {
                const std::size_t b1 = std::min(rows, b0 + row_block);
                for (std::size_t k = 0; k < m; ++k)
                    detail::linear_decisions(t.data() + k * q, t[k * q + cols], X + b0 * cols, b1 - b0, cols,
                                             z.data() + b0 * m + k, m, zbuf.data(), rows - b0);
                if (check_rows)
                    for (std::size_t i = b0; i < b1; ++i)
                        if (!std::isfinite(z[i * m]))
                            detail::check_finite_matrix("logistic_regression::fit", X + i * cols, 1, cols, i);
                for (std::size_t i = b0; i < b1; ++i) {
                    if (m == 1) {
                        const double zi = z[i];
                        f += s[i] * (detail::softplus(zi) - (label[i] == 1 ? zi : 0.0));
                        prob[i] = detail::sigmoid(zi);
                    } else {
                        double zmax = z[i * m];
                        for (std::size_t k = 1; k < m; ++k) zmax = std::max(zmax, z[i * m + k]);
                        double sum = 0;
                        for (std::size_t k = 0; k < m; ++k) sum += (prob[i * m + k] = std::exp(z[i * m + k] - zmax));
                        for (std::size_t k = 0; k < m; ++k) prob[i * m + k] /= sum;
                        f += s[i] * (zmax + std::log(sum) - z[i * m + label[i]]);
                    }
                }
                for (std::size_t i = b0; i < b1; ++i) {
                    const double* xi = X + i * cols;
                    for (std::size_t k = 0; k < m; ++k) {
                        const double target = m == 1 ? (label[i] == 1 ? 1.0 : 0.0) : (label[i] == k ? 1.0 : 0.0);
                        const double r = s[i] * (prob[i * m + k] - target);
                        double* gk = g.data() + k * q;
                        for (std::size_t j = 0; j < cols; ++j) gk[j] += r * xi[j];
                        gk[cols] += r;
                    }
                }
                if (with_hessian) hessian_rows(b0, b1);
            }
            if (with_hessian) hessian_penalty();
            for (std::size_t k = 0; k < m; ++k)
                for (std::size_t j = 0; j < cols; ++j) f += 0.5 * lambda * t[k * q + j] * t[k * q + j];
            for (std::size_t k = 0; k < m; ++k)
                for (std::size_t j = 0; j < cols; ++j) g[k * q + j] += lambda * t[k * q + j];
            if (m > 1)
                for (std::size_t j = gauge_coef ? 0 : cols; j < q; ++j) {
                    double gs = 0;
                    for (std::size_t k = 0; k < m; ++k) gs += t[k * q + j];
                    f += 0.5 * gauge * gs * gs;
                    for (std::size_t k = 0; k < m; ++k) g[k * q + j] += gauge * gs;
                }
            return f;
        };
        auto max_abs = [](const std::vector<double>& v) {
            double r = 0;
            for (double x : v) r = std::max(r, std::abs(x));
            return r;
        };
        auto not_converged = [&](const char* why) {
            throw error("logistic_regression::fit: ", why, " after ", iterations_, " Newton iterations (max|gradient| = ",
                        grad_norm_, ")",
                        opt_.penalty == logistic_penalty::none
                            ? "; with penalty none the classes may be separable (no finite optimum) or feature "
                              "columns collinear: use penalty l2"
                            : "");
        };

        double f = evaluate(theta, grad, true, true);  // also X's NaN/inf check
        bool hessian_ready = true;  // hess holds the Hessian at theta
        double previous_grad_norm = 0;
        const double scale = std::max(1.0, max_abs(grad));
        iterations_ = 0;
        grad_norm_ = max_abs(grad);
        bool converged = false;
        while (true) {
            grad_norm_ = max_abs(grad);
            if (grad_norm_ <= opt_.tol * scale) { converged = true; break; }
            if (iterations_ >= static_cast<std::size_t>(opt_.max_iter)) break;
            for (std::size_t i = 0; i < dim; ++i) step[i] = -grad[i];
            if (!hessian_ready) build_hessian();
            if (!detail::cholesky_solve(hess, dim, step)) not_converged("the Hessian is singular");
            // The next point needs its Hessian unless it will be the optimum: Newton's quadratic
            // convergence (|g'| ≈ C |g|², C estimated from the last step) predicting |g'| far
            // below the tolerance skips it (speed only: a wrong guess costs a separate pass).
            const double predicted = previous_grad_norm > 0
                                         ? grad_norm_ / (previous_grad_norm * previous_grad_norm) * grad_norm_ * grad_norm_
                                         : std::numeric_limits<double>::infinity();
            hessian_ready = !(predicted < 1e-2 * opt_.tol * scale);
            previous_grad_norm = grad_norm_;
            double slope = 0;
            for (std::size_t i = 0; i < dim; ++i) slope += grad[i] * step[i];
            // Newton decrement at the rounding floor of F: no further progress is possible.
            if (-slope <= 1e-22 * std::max(1.0, std::abs(f))) { converged = true; break; }
            // Near the optimum the decrease Newton predicts (−slope/2) can fall below what F, a sum
            // over all rows, resolves in floating point while the gradient is still far above its
            // own rounding floor and the tolerance: Armijo on F then sees only rounding noise and
            // shrinks the step to nothing (a 432-row, one-feature fit stalled at |g| = 2.8e-6 for
            // 1000 iterations). There the step is judged by the gradient instead, which Newton keeps
            // shrinking quadratically (tests/learn/logistic.cpp, "rounding floor of F").
            const bool f_blind = -slope <= 1e-12 * std::max(1.0, std::abs(f));
            double t = 1.0, f_new = f;
            bool accepted = false;
            for (int ls = 0; ls < 60; ++ls, t *= 0.5) {
                for (std::size_t i = 0; i < dim; ++i) trial[i] = theta[i] + t * step[i];
                f_new = evaluate(trial, trial_grad, false, hessian_ready);
                if (f_blind ? max_abs(trial_grad) < grad_norm_ : f_new <= f + 1e-4 * t * slope) {
                    accepted = true;
                    break;
                }
            }
            ++iterations_;
            if (!accepted) {
                // Only rounding stands between us and the optimum when the gradient is tiny.
                if (grad_norm_ <= 1e-7 * scale) { converged = true; break; }
                not_converged("the line search failed");
            }
            // A step the line search accepted without lowering F: rounding decides, not the
            // optimisation (the gradient is then at its floor, a few ulps of the summed terms).
            const bool stalled = !(f_new < f);
            theta.swap(trial);
            // the last trial evaluated is the accepted point: its decisions, probabilities,
            // objective and gradient are those of the new theta
            f = f_new;
            grad.swap(trial_grad);
            if (stalled && max_abs(grad) <= 1e-7 * scale) {
                grad_norm_ = max_abs(grad);
                converged = true;
                break;
            }
        }
        if (!converged) not_converged("no convergence");
        // Unpenalised and (nearly) separable: the gradient has decayed exponentially along a ray
        // to infinity, not at an optimum. Mean log loss < 1e-6 is taken as that sign.
        if (opt_.penalty == logistic_penalty::none && f <= 1e-6 * total_weight)
            throw error("logistic_regression::fit: with penalty none the training classes are separable (mean "
                        "weighted log loss ", f / total_weight, " after ", iterations_,
                        " Newton iterations): no finite optimum; use penalty l2");

        classes_ = std::move(classes);
        n_features_ = cols;
        coef_.assign(m * cols, 0.0);
        intercept_.assign(m, 0.0);
        for (std::size_t k = 0; k < m; ++k) {
            for (std::size_t j = 0; j < cols; ++j) coef_[k * cols + j] = theta[k * q + j];
            intercept_[k] = theta[k * q + cols];
        }
        objective_ = f;
        return *this;
    }

    /// A model from given parameters (e.g. sklearn's classes_, coef_, intercept_): coef is
    /// rows × n_features, one row for two classes, one per class for more.
    static logistic_regression from_coefficients(std::vector<int> classes, std::size_t n_features,
                                                 std::vector<double> coef, std::vector<double> intercept) {
        if (classes.size() < 2) throw error("logistic_regression::from_coefficients: need at least two classes");
        if (!std::is_sorted(classes.begin(), classes.end()) ||
            std::adjacent_find(classes.begin(), classes.end()) != classes.end())
            throw error("logistic_regression::from_coefficients: classes must be strictly ascending");
        const std::size_t m = classes.size() == 2 ? 1 : classes.size();
        if (n_features == 0 || coef.size() != m * n_features || intercept.size() != m)
            throw error("logistic_regression::from_coefficients: ", classes.size(), " classes and ", n_features,
                        " features need ", m * n_features, " coefficients and ", m, " intercepts (got ",
                        coef.size(), " and ", intercept.size(), ")");
        logistic_regression r;
        r.classes_ = std::move(classes);
        r.n_features_ = n_features;
        r.coef_ = std::move(coef);
        r.intercept_ = std::move(intercept);
        return r;
    }

    bool fitted() const noexcept { return !classes_.empty(); }
    const logistic_options& options() const noexcept { return opt_; }
    std::span<const int> classes() const noexcept { return classes_; }
    std::size_t n_classes() const noexcept { return classes_.size(); }
    std::size_t n_features() const noexcept { return n_features_; }
    /// Rows of coef(): 1 for two classes, K for K > 2 (sklearn's coef_ shape).
    std::size_t coef_rows() const noexcept { return intercept_.size(); }
    /// coef_rows() × n_features(), row-major.
    std::span<const double> coef() const noexcept { return coef_; }
    std::span<const double> intercept() const noexcept { return intercept_; }
    /// Newton iterations, max|∇F| and F at the end of the last fit.
    std::size_t iterations() const noexcept { return iterations_; }
    double gradient_norm() const noexcept { return grad_norm_; }
    double objective() const noexcept { return objective_; }

    /// out (rows × coef_rows()): X w + b per coefficient row.
    void decision_function(const double* X, std::size_t rows, std::size_t cols, std::span<double> out) const {
        check_query("decision_function", X, rows, cols, out.size(), coef_rows());
        const std::size_t m = coef_rows();
        for (std::size_t i0 = 0; i0 < rows; i0 += query_block) {
            const std::size_t i1 = std::min(rows, i0 + query_block);
            decide("decision_function", X, i0, i1, out.data() + i0 * m, m);
        }
    }
    std::vector<double> decision_function(const double* X, std::size_t rows, std::size_t cols) const {
        std::vector<double> out(rows * coef_rows());
        decision_function(X, rows, cols, out);
        return out;
    }

    /// out (rows × n_classes()): class probabilities, columns in classes() order.
    void predict_proba(const double* X, std::size_t rows, std::size_t cols, std::span<double> out) const {
        const std::size_t K = n_classes();
        check_query("predict_proba", X, rows, cols, out.size(), K);
        for (std::size_t i0 = 0; i0 < rows; i0 += query_block) {
            const std::size_t i1 = std::min(rows, i0 + query_block);
            if (K == 2) {
                // the decision goes to column 1, then becomes [1 - p, p]
                decide("predict_proba", X, i0, i1, out.data() + 2 * i0 + 1, 2);
                for (std::size_t i = i0; i < i1; ++i) {
                    const double p = detail::sigmoid(out[2 * i + 1]);
                    out[2 * i] = 1.0 - p;
                    out[2 * i + 1] = p;
                }
                continue;
            }
            decide("predict_proba", X, i0, i1, out.data() + i0 * K, K);
            for (std::size_t i = i0; i < i1; ++i) {
                double* o = out.data() + i * K;
                const double zmax = *std::max_element(o, o + K);
                double sum = 0;
                for (std::size_t k = 0; k < K; ++k) sum += (o[k] = std::exp(o[k] - zmax));
                for (std::size_t k = 0; k < K; ++k) o[k] /= sum;
            }
        }
    }
    std::vector<double> predict_proba(const double* X, std::size_t rows, std::size_t cols) const {
        std::vector<double> out(rows * n_classes());
        predict_proba(X, rows, cols, out);
        return out;
    }

    /// out (rows): binary: classes()[1] when the decision is > 0, else classes()[0];
    /// multinomial: the class of the largest decision (ties: the first).
    void predict(const double* X, std::size_t rows, std::size_t cols, std::span<int> out) const {
        check_query("predict", X, rows, cols, out.size(), 1);
        const std::size_t m = coef_rows();
        std::vector<double> z(std::min(rows, query_block) * m);
        for (std::size_t i0 = 0; i0 < rows; i0 += query_block) {
            const std::size_t i1 = std::min(rows, i0 + query_block);
            decide("predict", X, i0, i1, z.data(), m);
            for (std::size_t i = i0; i < i1; ++i) {
                const double* zi = z.data() + (i - i0) * m;
                if (m == 1)
                    out[i] = zi[0] > 0 ? classes_[1] : classes_[0];
                else
                    out[i] = classes_[static_cast<std::size_t>(std::max_element(zi, zi + m) - zi)];
            }
        }
    }
    std::vector<int> predict(const double* X, std::size_t rows, std::size_t cols) const {
        std::vector<int> out(rows);
        predict(X, rows, cols, out);
        return out;
    }

private:
    void check_options() const {
        if (opt_.penalty == logistic_penalty::l2 && !(opt_.C > 0 && std::isfinite(opt_.C)))
            throw error("logistic_regression: C = ", opt_.C, " must be > 0 and finite");
        if (!(opt_.tol > 0)) throw error("logistic_regression: tol = ", opt_.tol, " must be > 0");
        if (opt_.max_iter < 1) throw error("logistic_regression: max_iter = ", opt_.max_iter, " must be >= 1");
    }
    void check_query(const char* what, const double* X, std::size_t rows, std::size_t cols, std::size_t out_size,
                     std::size_t per_row) const {
        if (!fitted()) throw error("logistic_regression::", what, ": the model is not fitted");
        if (cols != n_features_)
            throw error("logistic_regression::", what, ": X has ", cols, " columns, the model ", n_features_,
                        " features");
        if (out_size != rows * per_row)
            throw error("logistic_regression::", what, ": output holds ", out_size, " values, ", rows * per_row,
                        " needed");
        if (rows > 0 && X == nullptr) throw error("logistic_regression::", what, ": X is null");
    }
    /// Rows per block of a query: the block's rows stay in cache from the decisions to the
    /// probabilities, and its decisions are checked before the next block is read.
    static constexpr std::size_t query_block = 512;
    /// z[(i - i0) · stride + k] = the decisions of rows i0 … i1-1 (every k < coef_rows()), with
    /// X's NaN/inf check in the same pass: finite coefficients give a non-finite decision for a
    /// row holding NaN/inf (0 · inf is NaN), and such a row is then checked entry by entry, which
    /// throws naming the entry (or passes when the sum merely overflowed).
    void decide(const char* what, const double* X, std::size_t i0, std::size_t i1, double* z,
                std::size_t stride) const {
        const std::size_t m = coef_rows(), cols = n_features_;
        for (std::size_t k = 0; k < m; ++k)
            detail::linear_decisions_simd(coef_.data() + k * cols, intercept_[k], X + i0 * cols, i1 - i0, cols, z + k,
                                          stride);
        for (std::size_t i = i0; i < i1; ++i)
            for (std::size_t k = 0; k < m; ++k)
                if (!std::isfinite(z[(i - i0) * stride + k])) {
                    const std::string who = std::string("logistic_regression::") + what;
                    detail::check_finite_matrix(who.c_str(), X + i * cols, 1, cols, i);
                }
    }

    logistic_options opt_{};
    std::vector<int> classes_;
    std::size_t n_features_ = 0;
    std::vector<double> coef_, intercept_;
    std::size_t iterations_ = 0;
    double grad_norm_ = 0, objective_ = 0;
};

}  // namespace tessera
