#pragma once
/// @file
/// Gaussian mixture models fitted by expectation–maximisation, the model of scikit-learn 1.2.1's
/// `GaussianMixture` (sklearn/mixture/_gaussian_mixture.py and _base.py).
///
/// Density \f$ p(x) = \sum_c w_c\, \mathcal N(x; \mu_c, \Sigma_c) \f$ over k components, with
/// `covariance_type` full (one d × d Σ_c per component), tied (one Σ shared), diag (Σ_c
/// diagonal) or spherical (Σ_c = σ_c² I). As sklearn:
///  - E-step (`_estimate_log_prob_resp`): log N through the Cholesky factor of the precision,
///    U_c = (L_c⁻¹)ᵀ with Σ_c = L_c L_cᵀ, so log N = −½(d log 2π + ‖(x − μ_c) U_c‖²) + Σ log diag U_c;
///    responsibilities r_ic = exp(log w_c + log N_ic − logsumexp_c(...)).
///  - M-step (`_estimate_gaussian_parameters`): n_c = Σ_i r_ic + 10ε, μ_c = Σ_i r_ic x_i / n_c,
///    Σ_c = Σ_i r_ic (x_i − μ_c)(x_i − μ_c)ᵀ / n_c + reg_covar·I (tied: summed over components and
///    divided by Σ_c n_c; diag: the diagonal only; spherical: the mean of the diag variances),
///    w_c = n_c / Σ n_c. A covariance that is not positive definite (Cholesky fails; diag or
///    spherical ≤ 0) throws, as sklearn's ValueError ("increase reg_covar").
///  - Iterate from the initial parameters: E-step, M-step, lower_bound = the mean log-likelihood
///    of that E-step; stop when |Δ lower_bound| < tol (default 1e-3) or after max_iter (100).
///    n_init runs keep the highest lower bound (the first on ties); a final E-step with the kept
///    parameters gives `labels`, so labels == predict(training rows), as sklearn's fit_predict.
///  - Initialisation (init_params="kmeans"): one-hot responsibilities from a k-means labelling,
///    turned into parameters by the M-step formulas with w_c = n_c / rows (`_initialize`).
///    Deliberate difference: sklearn runs KMeans(n_init=1) with numpy's RandomState; tessera
///    runs its own kmeans_plusplus + kmeans_from (cluster/kmeans.hpp) with one std::mt19937_64
///    seeded by `seed` and shared by the n_init runs. `gmm_from` starts from given
///    responsibilities instead (sklearn: `_initialize(X, resp)`), which is how the tests compare
///    with sklearn from the same start.
///  - score_samples = logsumexp_c(log w_c + log N_c) per row, score = its mean, predict = argmax
///    (ties: the lowest component), predict_proba = the responsibilities;
///    bic = −2·n·score + p ln n, aic = −2·n·score + 2p, p = sklearn's `_n_parameters`:
///    k·d means + (k − 1) weights + covariance parameters (full k·d(d+1)/2, tied d(d+1)/2,
///    diag k·d, spherical k).
/// Two further differences, both in evaluation order only: sklearn computes diag and spherical
/// variances as E[x²] − 2μE[x] + μ² and their log densities through −2x·μ (cancellation when
/// |μ| ≫ σ); tessera uses the two-pass form (x − μ)² throughout, so it agrees with sklearn to
/// rounding on standardised data and stays accurate on raw descriptor columns. And `converged`
/// is that of the kept run (sklearn reports whether any run converged).
/// Measured against sklearn from the same start (tests/cluster/gmm.cpp, blobs and the CuZr
/// descriptor table, all four types): lower bound ≤ 2e-14, means and covariances ≤ 4e-14
/// relative, predict_proba ≤ 6e-13 — except CuZr diag, 7e-10, where a component's variance is
/// reg_covar + 3e-17 and sklearn's one-pass value is the one off (2e-9 relative).
///
/// Serial (the E-step costs O(n k d²); parallelism is not worth its complexity at these sizes).
/// Errors (tessera::error): k = 0, k > rows, 0 columns, NaN/inf, tol < 0, reg_covar < 0,
/// max_iter = 0, n_init = 0, responsibilities of the wrong size, negative or not finite.

#include <tessera/cluster/kmeans.hpp>
#include <tessera/core/error.hpp>
#include <tessera/learn/feature_matrix.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <span>
#include <vector>

namespace tessera {

enum class covariance_type { full, tied, diag, spherical };

struct gmm_options {
    std::size_t k = 1;                                  ///< number of components
    covariance_type covariance = covariance_type::full;
    double tol = 1e-3;        ///< on the change of the mean log-likelihood between iterations
    double reg_covar = 1e-6;  ///< added to the diagonal of every covariance
    std::size_t max_iter = 100;
    std::size_t n_init = 1;   ///< k-means-initialised runs; the highest lower bound is kept
    std::uint64_t seed = 0;   ///< seeds the k-means++ draws of the initialisations
};

/// A fitted mixture. Shapes as sklearn's attributes, flattened row-major.
struct gaussian_mixture {
    std::size_t k = 0, cols = 0;
    covariance_type covariance = covariance_type::full;
    std::vector<double> weights;              ///< k
    std::vector<double> means;                ///< k × cols
    std::vector<double> covariances;          ///< full k×cols×cols, tied cols×cols, diag k×cols, spherical k
    std::vector<double> precisions_cholesky;  ///< same shape; full/tied: upper-triangular U, precision = U Uᵀ
    bool converged = false;
    std::size_t n_iter = 0;                   ///< EM iterations of the kept run
    double lower_bound = 0;                   ///< mean log-likelihood at the last E-step of the kept run
    std::vector<std::size_t> labels;          ///< predict() of the training rows

    /// log(w_c N(x; μ_c, Σ_c)) for the k components into out[0..k).
    void weighted_log_prob(const double* x, double* out) const {
        std::vector<double> terms(2 * k), scratch(2 * cols);
        row_terms(terms.data());
        weighted_log_prob(x, out, terms.data(), scratch.data());
    }
    /// The same with the row-independent terms from row_terms (2k values) and 2·cols doubles of
    /// scratch, for loops over rows: the logarithms of the Cholesky diagonals and of the weights
    /// are taken once instead of per row.
    void weighted_log_prob(const double* x, double* out, const double* terms, double* scratch) const {
        const double log_2pi = std::log(2 * std::numbers::pi);
        double* const diff = scratch;
        double* const y = scratch + cols;
        for (std::size_t c = 0; c < k; ++c) {
            const double* mu = &means[c * cols];
            for (std::size_t j = 0; j < cols; ++j) diff[j] = x[j] - mu[j];
            double q = 0;
            if (covariance == covariance_type::full || covariance == covariance_type::tied) {
                const double* u = covariance == covariance_type::full ? &precisions_cholesky[c * cols * cols]
                                                                       : precisions_cholesky.data();
                // y_j = Σ_{m ≤ j} (x − μ)_m U_mj, summed over m in increasing order for every j;
                // row m of U is added to all y_j at once (contiguous, independent sums).
                std::fill(y, y + cols, 0.0);
                for (std::size_t m = 0; m < cols; ++m) {
                    const double dm = diff[m];
                    const double* um = u + m * cols;
                    for (std::size_t j = m; j < cols; ++j) y[j] += dm * um[j];
                }
                for (std::size_t j = 0; j < cols; ++j) q += y[j] * y[j];
            } else if (covariance == covariance_type::diag) {
                const double* p = &precisions_cholesky[c * cols];
                for (std::size_t j = 0; j < cols; ++j) {
                    const double t = diff[j] * p[j];
                    q += t * t;
                }
            } else {
                const double p = precisions_cholesky[c];
                for (std::size_t j = 0; j < cols; ++j) q += diff[j] * diff[j];
                q *= p * p;
            }
            out[c] = -0.5 * (static_cast<double>(cols) * log_2pi + q) + terms[c] + terms[k + c];
        }
    }
    /// Row-independent terms of weighted_log_prob: [0, k) Σ_j log U_jj (the log-determinant of
    /// the precision's Cholesky factor, summed in column order), [k, 2k) log w_c.
    void row_terms(double* terms) const {
        for (std::size_t c = 0; c < k; ++c) {
            double log_det = 0;
            if (covariance == covariance_type::full || covariance == covariance_type::tied) {
                const double* u = covariance == covariance_type::full ? &precisions_cholesky[c * cols * cols]
                                                                       : precisions_cholesky.data();
                for (std::size_t j = 0; j < cols; ++j) log_det += std::log(u[j * cols + j]);
            } else if (covariance == covariance_type::diag) {
                for (std::size_t j = 0; j < cols; ++j) log_det += std::log(precisions_cholesky[c * cols + j]);
            } else {
                log_det = static_cast<double>(cols) * std::log(precisions_cholesky[c]);
            }
            terms[c] = log_det;
            terms[k + c] = std::log(weights[c]);
        }
    }

    /// log p(x) of each row (sklearn's score_samples).
    [[nodiscard]] std::vector<double> score_samples(const feature_matrix_view& x) const {
        check(x, "tessera::gaussian_mixture::score_samples");
        std::vector<double> out(x.rows), wlp(k), terms(2 * k), scratch(2 * cols);
        row_terms(terms.data());
        for (std::size_t i = 0; i < x.rows; ++i) {
            weighted_log_prob(x.row(i).data(), wlp.data(), terms.data(), scratch.data());
            out[i] = logsumexp(wlp);
        }
        return out;
    }
    /// Mean log-likelihood per row.
    [[nodiscard]] double score(const feature_matrix_view& x) const {
        const auto s = score_samples(x);
        double sum = 0;
        for (double v : s) sum += v;
        return sum / static_cast<double>(s.size());
    }
    /// Responsibilities, rows × k row-major.
    [[nodiscard]] std::vector<double> predict_proba(const feature_matrix_view& x) const {
        check(x, "tessera::gaussian_mixture::predict_proba");
        std::vector<double> out(x.rows * k), terms(2 * k), scratch(2 * cols);
        row_terms(terms.data());
        for (std::size_t i = 0; i < x.rows; ++i) {
            const std::span<double> r(&out[i * k], k);
            weighted_log_prob(x.row(i).data(), r.data(), terms.data(), scratch.data());
            const double lse = logsumexp(r);
            for (double& v : r) v = std::exp(v - lse);
        }
        return out;
    }
    /// Most probable component of each row (ties: the lowest index).
    [[nodiscard]] std::vector<std::size_t> predict(const feature_matrix_view& x) const {
        check(x, "tessera::gaussian_mixture::predict");
        std::vector<std::size_t> out(x.rows);
        std::vector<double> wlp(k), terms(2 * k), scratch(2 * cols);
        row_terms(terms.data());
        for (std::size_t i = 0; i < x.rows; ++i) {
            weighted_log_prob(x.row(i).data(), wlp.data(), terms.data(), scratch.data());
            out[i] = static_cast<std::size_t>(std::max_element(wlp.begin(), wlp.end()) - wlp.begin());
        }
        return out;
    }
    /// Free parameters, as sklearn's `_n_parameters`.
    [[nodiscard]] std::size_t n_parameters() const noexcept {
        const std::size_t tri = cols * (cols + 1) / 2;
        const std::size_t cov = covariance == covariance_type::full   ? k * tri
                                : covariance == covariance_type::tied ? tri
                                : covariance == covariance_type::diag ? k * cols
                                                                      : k;
        return cov + k * cols + k - 1;
    }
    [[nodiscard]] double bic(const feature_matrix_view& x) const {
        const double n = static_cast<double>(x.rows);
        return -2 * score(x) * n + static_cast<double>(n_parameters()) * std::log(n);
    }
    [[nodiscard]] double aic(const feature_matrix_view& x) const {
        return -2 * score(x) * static_cast<double>(x.rows) + 2 * static_cast<double>(n_parameters());
    }

    /// log Σ exp(v) as scipy's logsumexp (shifted by the maximum).
    static double logsumexp(std::span<const double> v) {
        const double m = *std::max_element(v.begin(), v.end());
        if (!std::isfinite(m)) return m;
        double s = 0;
        for (double t : v) s += std::exp(t - m);
        return std::log(s) + m;
    }

private:
    void check(const feature_matrix_view& x, const char* who) const {
        check_features(x, who);
        check_feature_count(x, cols, who);
        if (x.rows == 0) throw error(who, ": no rows");
    }
};

namespace detail {

/// M-step: parameters of `g` from responsibilities r (rows × k); weights n_c / weight_total
/// (rows at initialisation, Σ n_c afterwards, as sklearn).
inline void gmm_m_step(const feature_matrix_view& x, const std::vector<double>& r, gaussian_mixture& g,
                       double reg_covar, bool initial) {
    const std::size_t n = x.rows, d = x.cols, k = g.k;
    std::vector<double> nk(k, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < k; ++c) nk[c] += r[i * k + c];
    double total = 0;
    for (double& v : nk) total += v += 10 * std::numeric_limits<double>::epsilon();
    g.means.assign(k * d, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < k; ++c)
            for (std::size_t j = 0; j < d; ++j) g.means[c * d + j] += r[i * k + c] * x(i, j);
    for (std::size_t c = 0; c < k; ++c)
        for (std::size_t j = 0; j < d; ++j) g.means[c * d + j] /= nk[c];
    g.weights.resize(k);
    for (std::size_t c = 0; c < k; ++c) g.weights[c] = nk[c] / (initial ? static_cast<double>(n) : total);

    // Two-pass scatter Σ_i r_ic (x_i − μ_c)(x_i − μ_c)ᵀ (lower triangle; diagonal only for
    // diag/spherical); tied sums every component into one matrix.
    const bool matrix = g.covariance == covariance_type::full || g.covariance == covariance_type::tied;
    const bool tied = g.covariance == covariance_type::tied;
    const std::size_t blocks = tied ? 1 : k, per = matrix ? d * d : d;
    std::vector<double> cov(blocks * per, 0.0), diff(d);
    for (std::size_t c = 0; c < k; ++c) {
        double* s = &cov[(tied ? 0 : c) * per];
        for (std::size_t i = 0; i < n; ++i) {
            const double w = r[i * k + c];
            for (std::size_t j = 0; j < d; ++j) diff[j] = x(i, j) - g.means[c * d + j];
            if (matrix) {
                for (std::size_t a = 0; a < d; ++a) {
                    const double wa = w * diff[a];  // (w·diff_a)·diff_b, the order of w * diff[a] * diff[b]
                    for (std::size_t b = 0; b <= a; ++b) s[a * d + b] += wa * diff[b];
                }
            } else {
                for (std::size_t j = 0; j < d; ++j) s[j] += w * diff[j] * diff[j];
            }
        }
        if (!tied)
            for (std::size_t m = 0; m < per; ++m) s[m] /= nk[c];
    }
    if (tied)
        for (double& v : cov) v /= total;
    for (std::size_t b = 0; b < blocks; ++b) {
        double* s = &cov[b * per];
        if (matrix) {
            for (std::size_t a = 0; a < d; ++a) {
                s[a * d + a] += reg_covar;
                for (std::size_t c2 = 0; c2 < a; ++c2) s[c2 * d + a] = s[a * d + c2];
            }
        } else {
            for (std::size_t j = 0; j < d; ++j) s[j] += reg_covar;
        }
    }
    if (g.covariance == covariance_type::spherical) {
        g.covariances.assign(k, 0.0);
        for (std::size_t c = 0; c < k; ++c) {
            for (std::size_t j = 0; j < d; ++j) g.covariances[c] += cov[c * d + j];
            g.covariances[c] /= static_cast<double>(d);
        }
    } else {
        g.covariances = std::move(cov);
    }

    // Precision Cholesky factors: U = (L⁻¹)ᵀ for Σ = L Lᵀ; 1/σ for diag and spherical.
    constexpr const char* ill = "tessera::gmm: fitting failed because component ";
    g.precisions_cholesky.assign(g.covariances.size(), 0.0);
    if (!matrix) {
        for (std::size_t m = 0; m < g.covariances.size(); ++m) {
            if (!(g.covariances[m] > 0))
                throw error(ill, m / (g.covariances.size() / k),
                            " has an ill-defined (non-positive) variance; decrease k or increase reg_covar");
            g.precisions_cholesky[m] = 1.0 / std::sqrt(g.covariances[m]);
        }
        return;
    }
    std::vector<double> L(d * d), z(d);
    for (std::size_t b = 0; b < blocks; ++b) {
        const double* A = &g.covariances[b * d * d];
        std::fill(L.begin(), L.end(), 0.0);
        for (std::size_t j = 0; j < d; ++j) {
            double v = A[j * d + j];
            for (std::size_t p = 0; p < j; ++p) v -= L[j * d + p] * L[j * d + p];
            if (!(v > 0))
                throw error(ill, b, " has an ill-defined (not positive definite) covariance; decrease k or increase reg_covar");
            L[j * d + j] = std::sqrt(v);
            for (std::size_t i = j + 1; i < d; ++i) {
                double s = A[i * d + j];
                for (std::size_t p = 0; p < j; ++p) s -= L[i * d + p] * L[j * d + p];
                L[i * d + j] = s / L[j * d + j];
            }
        }
        double* U = &g.precisions_cholesky[b * d * d];
        for (std::size_t col = 0; col < d; ++col) {  // column `col` of L⁻¹ by forward substitution
            for (std::size_t i = 0; i < d; ++i) {
                double s = i == col ? 1.0 : 0.0;
                for (std::size_t p = col; p < i; ++p) s -= L[i * d + p] * z[p];
                z[i] = i < col ? 0.0 : s / L[i * d + i];
            }
            for (std::size_t i = col; i < d; ++i) U[col * d + i] = z[i];  // U = (L⁻¹)ᵀ
        }
    }
}

/// E-step: responsibilities into r, returns the mean log-likelihood.
inline double gmm_e_step(const feature_matrix_view& x, const gaussian_mixture& g, std::vector<double>& r) {
    double sum = 0;
    std::vector<double> terms(2 * g.k), scratch(2 * g.cols);
    g.row_terms(terms.data());
    for (std::size_t i = 0; i < x.rows; ++i) {
        const std::span<double> ri(&r[i * g.k], g.k);
        g.weighted_log_prob(x.row(i).data(), ri.data(), terms.data(), scratch.data());
        const double lse = gaussian_mixture::logsumexp(ri);
        for (double& v : ri) v = std::exp(v - lse);
        sum += lse;
    }
    return sum / static_cast<double>(x.rows);
}

inline void gmm_check(const feature_matrix_view& x, const gmm_options& o, const char* who) {
    check_features(x, who);
    if (o.k == 0) throw error(who, ": k must be at least 1");
    if (o.k > x.rows) throw error(who, ": k = ", o.k, " exceeds the ", x.rows, " rows");
    if (!(o.tol >= 0) || !std::isfinite(o.tol)) throw error(who, ": tol = ", o.tol, " must be finite and >= 0");
    if (!(o.reg_covar >= 0) || !std::isfinite(o.reg_covar))
        throw error(who, ": reg_covar = ", o.reg_covar, " must be finite and >= 0");
    if (o.max_iter == 0) throw error(who, ": max_iter must be at least 1");
    if (o.n_init == 0) throw error(who, ": n_init must be at least 1");
}

/// One EM run from responsibilities r (rows × k; used as scratch afterwards).
inline gaussian_mixture gmm_run(const feature_matrix_view& x, std::vector<double>& r, const gmm_options& o) {
    gaussian_mixture g;
    g.k = o.k;
    g.cols = x.cols;
    g.covariance = o.covariance;
    gmm_m_step(x, r, g, o.reg_covar, true);
    double lower = -std::numeric_limits<double>::infinity();
    for (g.n_iter = 1; g.n_iter <= o.max_iter; ++g.n_iter) {
        const double previous = lower;
        lower = gmm_e_step(x, g, r);
        gmm_m_step(x, r, g, o.reg_covar, false);
        if (std::abs(lower - previous) < o.tol) {
            g.converged = true;
            break;
        }
    }
    g.n_iter = std::min(g.n_iter, o.max_iter);
    g.lower_bound = lower;
    return g;
}

}  // namespace detail

/// EM from given responsibilities (rows × k, row-major; e.g. one-hot labels), one run.
inline gaussian_mixture gmm_from(const feature_matrix_view& x, std::span<const double> responsibilities,
                                 const gmm_options& options) {
    constexpr const char* who = "tessera::gmm_from";
    detail::gmm_check(x, options, who);
    if (responsibilities.size() != x.rows * options.k)
        throw error(who, ": ", responsibilities.size(), " responsibilities for ", x.rows, " rows × k = ", options.k);
    for (std::size_t i = 0; i < responsibilities.size(); ++i)
        if (!(responsibilities[i] >= 0) || !std::isfinite(responsibilities[i]))
            throw error(who, ": responsibility ", responsibilities[i], " of row ", i / options.k, ", component ",
                        i % options.k, " is negative or not finite");
    std::vector<double> r(responsibilities.begin(), responsibilities.end());
    gaussian_mixture g = detail::gmm_run(x, r, options);
    g.labels = g.predict(x);
    return g;
}

/// EM from n_init k-means initialisations (see the file comment); the highest lower bound wins.
inline gaussian_mixture gmm(const feature_matrix_view& x, const gmm_options& options) {
    detail::gmm_check(x, options, "tessera::gmm");
    std::mt19937_64 rng(options.seed);
    std::vector<double> r(x.rows * options.k);
    gaussian_mixture best;
    for (std::size_t run = 0; run < options.n_init; ++run) {
        const auto km = kmeans_from(x, kmeans_plusplus(x, options.k, rng));
        std::fill(r.begin(), r.end(), 0.0);
        for (std::size_t i = 0; i < x.rows; ++i) r[i * options.k + km.labels[i]] = 1.0;
        gaussian_mixture g = detail::gmm_run(x, r, options);
        if (run == 0 || g.lower_bound > best.lower_bound) best = std::move(g);
    }
    best.labels = best.predict(x);
    return best;
}

}  // namespace tessera
