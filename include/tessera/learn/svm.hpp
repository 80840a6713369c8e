#pragma once
/// @file
/// Support-vector classification (C-SVC) — inference. A model trained by libsvm
/// (Chang & Lin, ACM TIST 2, 27 (2011)) directly (tessera/learn/svm_train.hpp) or by
/// scikit-learn's `SVC` (libsvm underneath) gives the same numbers here as there.
///
/// With support vectors s_1 … s_L, kernel K and classes c_0 < c_1 < … < c_{k−1}:
///
/// - kernels: linear K(x, s) = x·s; poly K = (γ x·s + r)^d; rbf K = exp(−γ |x − s|²);
///   sigmoid K = tanh(γ x·s + r). The integer power is libsvm's `powi` (binary exponentiation).
/// - one-vs-one: one decision value per class pair (i, j), i < j, in the order
///   (0,1), (0,2), …, (0,k−1), (1,2), …:
///   \f[ f_{ij}(x) = \sum_{s \in i} \alpha^{(j-1)}_s K(x, s) + \sum_{s \in j} \alpha^{(i)}_s K(x, s) + b_{ij}, \f]
///   with α the dual coefficients (row m of `dual_coef`, libsvm's sv_coef layout: (k−1) × L,
///   support vectors grouped by class) and b the intercepts. f_ij > 0 votes for class i, otherwise
///   for j; the prediction is the class with most votes, ties to the lower class index (libsvm).
/// - sign convention = scikit-learn's public attributes (`dual_coef_`, `intercept_`): for
///   k > 2, b_ij = −ρ_ij (libsvm's rho) and `decision_function` returns f_ij (sklearn's
///   decision_function_shape='ovo'); for k = 2 sklearn stores −sv_coef and +ρ, so the one decision
///   value is positive for classes[1] (as sklearn's `decision_function`). `decision_function_ovr`
///   is sklearn's 'ovr' shape: votes + s/(3(|s| + 1)) with s the summed pair confidences.
/// - probabilities (Platt, Lin, Lin & Weng 2007; Wu, Lin & Weng, JMLR 5, 975 (2004) "method 2"):
///   r_ij = clamp(1 / (1 + exp(A_ij f + B_ij)), 1e−7, 1 − 1e−7) with f libsvm's decision value
///   (positive for class i), A, B = sklearn's probA_, probB_; then libsvm's
///   `multiclass_probability` fixed-point iteration (eps = 0.005/k, max(100, k) iterations),
///   ported operation for operation — for k = 2 too, as sklearn's libsvm does (libsvm ≥ 3.2x
///   returns (r_01, 1 − r_01) directly for two classes; the two differ by up to ~0.003). Only the probability of a model
///   with probA/probB; like sklearn, `predict` does not use them.
///
/// Input: row-major `(const double* X, rows, cols)`, cols = the model's feature count; every
/// value finite (checked, tessera::error names row and column). Kernel values are vectorized
/// over support vectors with xsimd (template on the architecture, default xsimd::default_arch;
/// Arch = void is the scalar reference path); rows are split in fixed chunks under an execution
/// policy, so results do not depend on the thread count. Const queries are thread-safe.
///
/// Not bitwise equal to sklearn: sklearn's dense libsvm sums |x − s|² and x·s with BLAS ddot
/// (its own summation order) and calls libm exp/tanh; tessera sums features in order and uses
/// xsimd's exp/tanh (≤ 1-2 ulp apart). Decision values agree to ~1e-15 × Σ|α K|.

#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

// GCC 12's AVX-512 intrinsics behind xsimd::exp/tanh/min (_mm512_undefined_pd) warn spuriously
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace tessera {

enum class svm_kernel { linear, poly, rbf, sigmoid };

inline const char* to_string(svm_kernel k) noexcept {
    switch (k) {
        case svm_kernel::linear: return "linear";
        case svm_kernel::poly: return "poly";
        case svm_kernel::rbf: return "rbf";
        case svm_kernel::sigmoid: return "sigmoid";
    }
    return "?";
}

/// Kernel and its parameters (sklearn: kernel, gamma, coef0, degree; gamma unused by linear).
struct svm_kernel_params {
    svm_kernel type = svm_kernel::rbf;
    double gamma = 1.0;  ///< γ > 0 (poly, rbf, sigmoid); sklearn's gamma='scale' is svm_gamma_scale()
    double coef0 = 0.0;  ///< r (poly, sigmoid)
    int degree = 3;      ///< d ≥ 0 (poly)
};

/// A fitted C-SVC, in scikit-learn's attribute names and sign conventions (see the file comment).
struct svm_parameters {
    svm_kernel_params kernel;
    std::size_t n_features = 0;
    std::vector<int> classes;              ///< classes_, strictly ascending, ≥ 2
    std::vector<std::size_t> n_support;    ///< n_support_: support vectors per class (sum L)
    std::vector<double> support_vectors;   ///< support_vectors_, L × n_features row-major, grouped by class
    std::vector<double> dual_coef;         ///< dual_coef_, (k−1) × L row-major
    std::vector<double> intercept;         ///< intercept_, k(k−1)/2
    std::vector<double> prob_a, prob_b;    ///< probA_, probB_ (k(k−1)/2 each), or both empty
};

/// sklearn's gamma='scale': 1 / (n_features · Var(X)) over all values of X (population variance,
/// two-pass). Throws when X is empty or constant.
inline double svm_gamma_scale(const double* X, std::size_t rows, std::size_t cols) {
    const std::size_t n = rows * cols;
    if (n == 0) throw error("svm_gamma_scale: X is empty (", rows, " rows x ", cols, " columns)");
    double mean = 0;
    for (std::size_t i = 0; i < n; ++i) mean += X[i];
    mean /= double(n);
    double var = 0;
    for (std::size_t i = 0; i < n; ++i) var += (X[i] - mean) * (X[i] - mean);
    var /= double(n);
    if (!(var > 0) || !std::isfinite(var))
        throw error("svm_gamma_scale: the variance of X is ", var, "; gamma='scale' needs a positive finite variance");
    return 1.0 / (double(cols) * var);
}

namespace detail {

inline constexpr std::size_t svm_pad = 16;  ///< support-vector padding: a multiple of every batch width

template <class Arch>
inline constexpr bool svm_has_batch = !std::is_void_v<Arch> && requires { typename xsimd::batch<double, Arch>; };

/// libsvm's powi: base^times by binary exponentiation (the same multiplications in the same order).
template <class V>
V svm_powi(V base, int times) noexcept {
    V tmp = base, ret = V(1.0);
    for (int t = times; t > 0; t /= 2) {
        if (t % 2 == 1) ret *= tmp;
        tmp = tmp * tmp;
    }
    return ret;
}

/// `v` with lanes beyond ±746 moved to ±746 (NaN kept), for xsimd::exp and xsimd::tanh: their
/// range reduction converts v/ln2 to a 64-bit integer, undefined behaviour beyond ±2^63 ln 2 and
/// for ±inf (an rbf distance that overflows: a support vector or query row of 1e200; found by
/// tests/fuzz/fuzz_model_json.cpp under UBSan).
/// Bit-identical results: exp(±746) is 0 and +inf as exp(±inf), tanh(±746) = ±1 as tanh(±inf).
template <class B>
B svm_clamp_exp_arg(B v) noexcept {
    const B lim(746.0);
    return xsimd::select(v > lim, lim, xsimd::select(v < -lim, -lim, v));
}

/// libsvm's sigmoid_predict: 1 / (1 + exp(A f + B)), written to avoid cancellation.
inline double svm_sigmoid_predict(double f, double A, double B) noexcept {
    const double fApB = f * A + B;
    if (fApB >= 0) return std::exp(-fApB) / (1.0 + std::exp(-fApB));
    return 1.0 / (1 + std::exp(fApB));
}

/// libsvm's multiclass_probability (Wu, Lin & Weng 2004, method 2), same operations in the same
/// order. r: k × k row-major pairwise probabilities (r[i][j] = P(i | i or j)); Q: k × k scratch;
/// Qp: k scratch; p: the k probabilities.
inline void svm_multiclass_probability(std::size_t k, const double* r, double* Q, double* Qp, double* p) noexcept {
    const int max_iter = std::max(100, int(k));
    const double eps = 0.005 / double(k);
    for (std::size_t t = 0; t < k; ++t) {
        p[t] = 1.0 / double(k);
        Q[t * k + t] = 0;
        for (std::size_t j = 0; j < t; ++j) {
            Q[t * k + t] += r[j * k + t] * r[j * k + t];
            Q[t * k + j] = Q[j * k + t];
        }
        for (std::size_t j = t + 1; j < k; ++j) {
            Q[t * k + t] += r[j * k + t] * r[j * k + t];
            Q[t * k + j] = -r[j * k + t] * r[t * k + j];
        }
    }
    for (int iter = 0; iter < max_iter; ++iter) {
        double pQp = 0;
        for (std::size_t t = 0; t < k; ++t) {
            Qp[t] = 0;
            for (std::size_t j = 0; j < k; ++j) Qp[t] += Q[t * k + j] * p[j];
            pQp += p[t] * Qp[t];
        }
        double max_error = 0;
        for (std::size_t t = 0; t < k; ++t) {
            const double e = std::fabs(Qp[t] - pQp);
            if (e > max_error) max_error = e;
        }
        if (max_error < eps) break;
        for (std::size_t t = 0; t < k; ++t) {
            const double diff = (-Qp[t] + pQp) / Q[t * k + t];
            p[t] += diff;
            pQp = (pQp + diff * (diff * Q[t * k + t] + 2 * Qp[t])) / (1 + diff) / (1 + diff);
            for (std::size_t j = 0; j < k; ++j) {
                Qp[j] = (Qp[j] + diff * Q[t * k + j]) / (1 + diff);
                p[j] /= (1 + diff);
            }
        }
    }
}

}  // namespace detail

class svm_model {
public:
    svm_model() = default;

    /// Validates p (sizes, ascending classes, γ > 0 for non-linear kernels, finite values).
    explicit svm_model(svm_parameters p) : p_(std::move(p)) { build(); }

    const svm_parameters& parameters() const noexcept { return p_; }
    std::size_t n_classes() const noexcept { return p_.classes.size(); }
    std::size_t n_features() const noexcept { return p_.n_features; }
    std::size_t n_support_vectors() const noexcept { return n_sv_; }
    std::size_t n_pairs() const noexcept { return n_classes() * (n_classes() - 1) / 2; }
    /// Columns of decision_function: 1 for two classes, k(k−1)/2 otherwise (sklearn 'ovo').
    std::size_t n_decision() const noexcept { return n_classes() == 2 ? 1 : n_pairs(); }
    bool has_probability() const noexcept { return !p_.prob_a.empty(); }
    std::span<const int> classes() const noexcept { return p_.classes; }

    /// Decision values, rows × n_decision() into out (sklearn's decision_function, shape 'ovo').
    template <class Arch = xsimd::default_arch, execution_policy Policy = serial_policy>
    void decision_function(const double* X, std::size_t rows, std::size_t cols, std::span<double> out,
                           Policy policy = {}) const {
        check_input("decision_function", X, rows, cols, out.size(), n_decision());
        run<Arch>(rows, policy, [&](std::size_t i, const double* f, double*) {
            if (n_classes() == 2)
                out[i] = -f[0];  // libsvm's value is positive for classes[0]; sklearn flips it
            else
                std::copy(f, f + n_pairs(), out.begin() + std::ptrdiff_t(i * n_pairs()));
        }, X);
    }
    template <class Arch = xsimd::default_arch, execution_policy Policy = serial_policy>
    std::vector<double> decision_function(const double* X, std::size_t rows, std::size_t cols, Policy policy = {}) const {
        std::vector<double> out(rows * n_decision());
        decision_function<Arch>(X, rows, cols, std::span<double>(out), policy);
        return out;
    }

    /// sklearn's decision_function_shape='ovr': rows × k (k > 2); for two classes the same single
    /// column as decision_function (as sklearn).
    template <class Arch = xsimd::default_arch, execution_policy Policy = serial_policy>
    void decision_function_ovr(const double* X, std::size_t rows, std::size_t cols, std::span<double> out,
                               Policy policy = {}) const {
        if (n_classes() == 2) return decision_function<Arch>(X, rows, cols, out, policy);
        const std::size_t k = n_classes();
        check_input("decision_function_ovr", X, rows, cols, out.size(), k);
        run<Arch>(rows, policy, [&](std::size_t i, const double* f, double* work) {
            double* votes = out.data() + i * k;
            double* s = work;
            for (std::size_t c = 0; c < k; ++c) votes[c] = 0, s[c] = 0;
            std::size_t m = 0;
            for (std::size_t a = 0; a < k; ++a)
                for (std::size_t b = a + 1; b < k; ++b, ++m) {
                    // sklearn: predictions = dec < 0, confidences = -dec
                    s[a] -= -f[m];
                    s[b] += -f[m];
                    if (f[m] < 0) votes[b] += 1; else votes[a] += 1;
                }
            for (std::size_t c = 0; c < k; ++c) votes[c] += s[c] / (3 * (std::fabs(s[c]) + 1));
        }, X);
    }

    /// Predicted class labels (libsvm's one-vs-one vote; ties to the lower class).
    template <class Arch = xsimd::default_arch, execution_policy Policy = serial_policy>
    void predict(const double* X, std::size_t rows, std::size_t cols, std::span<int> out, Policy policy = {}) const {
        check_input("predict", X, rows, cols, out.size(), 1);
        run<Arch>(rows, policy, [&](std::size_t i, const double* f, double* work) { out[i] = p_.classes[vote(f, work)]; }, X);
    }
    template <class Arch = xsimd::default_arch, execution_policy Policy = serial_policy>
    std::vector<int> predict(const double* X, std::size_t rows, std::size_t cols, Policy policy = {}) const {
        std::vector<int> out(rows);
        predict<Arch>(X, rows, cols, std::span<int>(out), policy);
        return out;
    }

    /// Class probabilities, rows × k (sklearn's predict_proba); needs probA/probB.
    template <class Arch = xsimd::default_arch, execution_policy Policy = serial_policy>
    void predict_proba(const double* X, std::size_t rows, std::size_t cols, std::span<double> out,
                       Policy policy = {}) const {
        if (!has_probability())
            throw error("svm predict_proba: the model has no probability parameters (probA, probB); "
                        "train it with probability = true (sklearn: SVC(probability=True))");
        const std::size_t k = n_classes();
        check_input("predict_proba", X, rows, cols, out.size(), k);
        run<Arch>(rows, policy, [&](std::size_t i, const double* f, double* work) { probability(f, out.data() + i * k, work); }, X);
    }
    template <class Arch = xsimd::default_arch, execution_policy Policy = serial_policy>
    std::vector<double> predict_proba(const double* X, std::size_t rows, std::size_t cols, Policy policy = {}) const {
        std::vector<double> out(rows * n_classes());
        predict_proba<Arch>(X, rows, cols, std::span<double>(out), policy);
        return out;
    }

    /// libsvm's decision values of one row (positive for the lower class of each pair) into
    /// f[n_pairs()]; k: scratch of kernel_scratch_size() doubles. No checks, no allocation.
    template <class Arch = xsimd::default_arch>
    void libsvm_decision_values(const double* x, double* k, double* f) const noexcept {
        kernel_row<Arch>(x, k);
        pair_sums<Arch>(k, f);
    }
    std::size_t kernel_scratch_size() const noexcept { return stride_; }
    /// From one row's libsvm decision values f: the index into classes() of libsvm's vote
    /// (what predict() reports), and the class probabilities p[n_classes()] (predict_proba(),
    /// needs has_probability()); work: work_size() doubles. No checks, no allocation.
    std::size_t vote_row(const double* f, double* work) const noexcept { return vote(f, work); }
    void probability_row(const double* f, double* p, double* work) const noexcept { probability(f, p, work); }
    std::size_t work_size() const noexcept { return 3 * n_classes() * n_classes() + 2 * n_classes(); }

private:
    svm_parameters p_;
    std::size_t n_sv_ = 0, stride_ = 0;
    std::vector<double> svt_;    ///< support vectors feature-major: svt_[f * stride_ + s], padded with 0
    std::vector<double> coef_;   ///< libsvm's sv_coef, (k−1) × stride_
    std::vector<double> rho_;    ///< libsvm's rho per pair
    std::vector<std::size_t> start_;  ///< first support vector of each class

    void build() {
        const auto fail = [](const auto&... parts) { throw error("svm_model: ", parts...); };
        const std::size_t k = p_.classes.size(), nf = p_.n_features;
        if (k < 2) fail("needs at least 2 classes, got ", k);
        for (std::size_t c = 1; c < k; ++c)
            if (!(p_.classes[c - 1] < p_.classes[c]))
                fail("classes must be strictly ascending (classes[", c - 1, "] = ", p_.classes[c - 1],
                     ", classes[", c, "] = ", p_.classes[c], ")");
        if (nf == 0) fail("n_features is 0");
        const auto& kp = p_.kernel;
        if (kp.type != svm_kernel::linear && !(kp.gamma > 0 && std::isfinite(kp.gamma)))
            fail("gamma = ", kp.gamma, " for the ", to_string(kp.type), " kernel; it must be > 0 and finite");
        if (!std::isfinite(kp.coef0)) fail("coef0 = ", kp.coef0, " is not finite");
        if (kp.type == svm_kernel::poly && kp.degree < 0) fail("degree = ", kp.degree, " is negative");
        if (p_.n_support.size() != k) fail("n_support has ", p_.n_support.size(), " entries for ", k, " classes");
        n_sv_ = 0;
        start_.assign(k, 0);
        for (std::size_t c = 0; c < k; ++c) start_[c] = n_sv_, n_sv_ += p_.n_support[c];
        if (n_sv_ == 0) fail("no support vectors");
        if (p_.support_vectors.size() != n_sv_ * nf)
            fail("support_vectors has ", p_.support_vectors.size(), " values, expected ", n_sv_, " x ", nf);
        if (p_.dual_coef.size() != (k - 1) * n_sv_)
            fail("dual_coef has ", p_.dual_coef.size(), " values, expected ", k - 1, " x ", n_sv_);
        const std::size_t np = k * (k - 1) / 2;
        if (p_.intercept.size() != np) fail("intercept has ", p_.intercept.size(), " values, expected ", np);
        if (p_.prob_a.size() != p_.prob_b.size() || (!p_.prob_a.empty() && p_.prob_a.size() != np))
            fail("probA/probB have ", p_.prob_a.size(), "/", p_.prob_b.size(), " values, expected both ", np,
                 " or both empty");
        const auto finite = [&](const std::vector<double>& v, const char* name) {
            for (std::size_t i = 0; i < v.size(); ++i)
                if (!std::isfinite(v[i])) fail(name, "[", i, "] = ", v[i], " is not finite");
        };
        finite(p_.support_vectors, "support_vectors");
        finite(p_.dual_coef, "dual_coef");
        finite(p_.intercept, "intercept");
        finite(p_.prob_a, "probA");
        finite(p_.prob_b, "probB");

        // libsvm's internal form: binary sklearn stores -sv_coef and +rho; multiclass sv_coef, -rho.
        const double sign = k == 2 ? -1.0 : 1.0;
        stride_ = (n_sv_ + detail::svm_pad - 1) / detail::svm_pad * detail::svm_pad + detail::svm_pad;
        svt_.assign(nf * stride_, 0.0);
        for (std::size_t s = 0; s < n_sv_; ++s)
            for (std::size_t f = 0; f < nf; ++f) svt_[f * stride_ + s] = p_.support_vectors[s * nf + f];
        coef_.assign((k - 1) * stride_, 0.0);
        for (std::size_t m = 0; m + 1 < k; ++m)
            for (std::size_t s = 0; s < n_sv_; ++s) coef_[m * stride_ + s] = sign * p_.dual_coef[m * n_sv_ + s];
        rho_.resize(np);
        for (std::size_t m = 0; m < np; ++m) rho_[m] = k == 2 ? p_.intercept[m] : -p_.intercept[m];
    }

    void check_input(const char* what, const double* X, std::size_t rows, std::size_t cols, std::size_t out_size,
                     std::size_t per_row) const {
        if (n_sv_ == 0) throw error("svm ", what, ": the model is empty (default-constructed)");
        if (cols != p_.n_features)
            throw error("svm ", what, ": X has ", cols, " columns, the model was trained on ", p_.n_features,
                        " features");
        if (out_size != rows * per_row)
            throw error("svm ", what, ": output has ", out_size, " values, expected ", rows, " x ", per_row);
        if (rows > 0 && X == nullptr) throw error("svm ", what, ": X is null with ", rows, " rows");
        for (std::size_t i = 0; i < rows; ++i)
            for (std::size_t f = 0; f < cols; ++f)
                if (!std::isfinite(X[i * cols + f]))
                    throw error("svm ", what, ": X[", i, "][", f, "] = ", X[i * cols + f], " is not finite");
    }

    /// body(row, libsvm decision values) for every row, in fixed chunks under the policy.
    template <class Arch, class Policy, class Body>
    void run(std::size_t rows, Policy policy, Body&& body, const double* X) const {
        const std::size_t nf = p_.n_features;
        detail::for_each_chunk(policy, rows, 64, [&](std::size_t, std::size_t b, std::size_t e) {
            const std::size_t nc = n_classes();
            std::vector<double> k(stride_), f(n_pairs()), work(3 * nc * nc + 2 * nc);
            for (std::size_t i = b; i < e; ++i) {
                libsvm_decision_values<Arch>(X + i * nf, k.data(), f.data());
                body(i, static_cast<const double*>(f.data()), work.data());
            }
        });
    }

    /// K(x, s) for every support vector s (and padding lanes) into k[stride_].
    template <class Arch>
    void kernel_row(const double* x, double* k) const noexcept {
        const std::size_t nf = p_.n_features;
        const auto& kp = p_.kernel;
        if constexpr (detail::svm_has_batch<Arch>) {
            using batch = xsimd::batch<double, Arch>;
            constexpr std::size_t W = batch::size;
            static_assert(detail::svm_pad % W == 0, "svm: SIMD width must divide the padding");
            const batch gamma(kp.gamma), coef0(kp.coef0);
            std::size_t s0 = 0;
            // four batches of support vectors at once: four independent accumulators hide the
            // add latency; each lane's sum is the same as in the one-batch loop below
            for (; s0 + 4 * W <= stride_ && s0 < n_sv_; s0 += 4 * W) {
                batch acc[4] = {batch(0.0), batch(0.0), batch(0.0), batch(0.0)};
                if (kp.type == svm_kernel::rbf) {
                    for (std::size_t f = 0; f < nf; ++f) {
                        const double* sv = svt_.data() + f * stride_ + s0;
                        const batch xf(x[f]);
                        for (std::size_t u = 0; u < 4; ++u) {
                            const batch diff = batch::load_unaligned(sv + u * W) - xf;
                            acc[u] = acc[u] + diff * diff;
                        }
                    }
                    for (std::size_t u = 0; u < 4; ++u) xsimd::exp(detail::svm_clamp_exp_arg(-(gamma * acc[u]))).store_unaligned(k + s0 + u * W);
                } else {
                    for (std::size_t f = 0; f < nf; ++f) {
                        const double* sv = svt_.data() + f * stride_ + s0;
                        const batch xf(x[f]);
                        for (std::size_t u = 0; u < 4; ++u) acc[u] = acc[u] + batch::load_unaligned(sv + u * W) * xf;
                    }
                    for (std::size_t u = 0; u < 4; ++u) {
                        if (kp.type == svm_kernel::linear)
                            acc[u].store_unaligned(k + s0 + u * W);
                        else if (kp.type == svm_kernel::poly)
                            detail::svm_powi(gamma * acc[u] + coef0, kp.degree).store_unaligned(k + s0 + u * W);
                        else
                            xsimd::tanh(detail::svm_clamp_exp_arg(gamma * acc[u] + coef0)).store_unaligned(k + s0 + u * W);
                    }
                }
            }
            for (std::size_t s = s0; s < n_sv_; s += W) {
                batch acc(0.0);
                if (kp.type == svm_kernel::rbf) {
                    for (std::size_t f = 0; f < nf; ++f) {
                        const batch diff = batch::load_unaligned(svt_.data() + f * stride_ + s) - batch(x[f]);
                        acc = acc + diff * diff;
                    }
                    xsimd::exp(detail::svm_clamp_exp_arg(-(gamma * acc))).store_unaligned(k + s);
                } else {
                    for (std::size_t f = 0; f < nf; ++f)
                        acc = acc + batch::load_unaligned(svt_.data() + f * stride_ + s) * batch(x[f]);
                    if (kp.type == svm_kernel::linear)
                        acc.store_unaligned(k + s);
                    else if (kp.type == svm_kernel::poly)
                        detail::svm_powi(gamma * acc + coef0, kp.degree).store_unaligned(k + s);
                    else
                        xsimd::tanh(detail::svm_clamp_exp_arg(gamma * acc + coef0)).store_unaligned(k + s);
                }
            }
        } else {
            for (std::size_t s = 0; s < n_sv_; ++s) {
                double acc = 0;
                if (kp.type == svm_kernel::rbf) {
                    for (std::size_t f = 0; f < nf; ++f) {
                        const double d = svt_[f * stride_ + s] - x[f];
                        acc += d * d;
                    }
                    k[s] = std::exp(-(kp.gamma * acc));
                } else {
                    for (std::size_t f = 0; f < nf; ++f) acc += svt_[f * stride_ + s] * x[f];
                    if (kp.type == svm_kernel::linear)
                        k[s] = acc;
                    else if (kp.type == svm_kernel::poly)
                        k[s] = detail::svm_powi(kp.gamma * acc + kp.coef0, kp.degree);
                    else
                        k[s] = std::tanh(kp.gamma * acc + kp.coef0);
                }
            }
        }
    }

    /// Σ coef[s] k[s] over s in [b, e).
    template <class Arch>
    static double range_dot(const double* coef, const double* k, std::size_t b, std::size_t e) noexcept {
        if constexpr (detail::svm_has_batch<Arch>) {
            using batch = xsimd::batch<double, Arch>;
            constexpr std::size_t W = batch::size;
            batch acc(0.0);
            std::size_t s = b;
            for (; s + W <= e; s += W) acc = acc + batch::load_unaligned(coef + s) * batch::load_unaligned(k + s);
            double sum = xsimd::hadd(acc);
            for (; s < e; ++s) sum += coef[s] * k[s];
            return sum;
        } else {
            double sum = 0;
            for (std::size_t s = b; s < e; ++s) sum += coef[s] * k[s];
            return sum;
        }
    }

    /// libsvm's svm_predict_values: pair (i, j) sums class i's SVs with sv_coef[j−1] and class j's
    /// with sv_coef[i], minus rho.
    template <class Arch>
    void pair_sums(const double* k, double* f) const noexcept {
        const std::size_t nc = n_classes();
        std::size_t m = 0;
        for (std::size_t i = 0; i < nc; ++i)
            for (std::size_t j = i + 1; j < nc; ++j, ++m) {
                const double* c1 = coef_.data() + (j - 1) * stride_;
                const double* c2 = coef_.data() + i * stride_;
                double sum = range_dot<Arch>(c1, k, start_[i], start_[i] + p_.n_support[i]);
                sum += range_dot<Arch>(c2, k, start_[j], start_[j] + p_.n_support[j]);
                f[m] = sum - rho_[m];
            }
    }

    /// libsvm's vote: f > 0 votes for the lower class of the pair; the first class with most votes.
    /// work: n_classes() doubles of scratch.
    std::size_t vote(const double* f, double* v) const noexcept {
        const std::size_t nc = n_classes();
        std::fill(v, v + nc, 0.0);
        std::size_t m = 0;
        for (std::size_t i = 0; i < nc; ++i)
            for (std::size_t j = i + 1; j < nc; ++j, ++m) v[f[m] > 0 ? i : j] += 1;
        std::size_t best = 0;
        for (std::size_t c = 1; c < nc; ++c)
            if (v[c] > v[best]) best = c;
        return best;
    }

    /// libsvm's svm_predict_probability from its decision values f; work: 2k² + k doubles.
    void probability(const double* f, double* p, double* work) const noexcept {
        const std::size_t nc = n_classes();
        constexpr double min_prob = 1e-7;
        double* r = work;
        double* Q = work + nc * nc;
        double* Qp = work + 2 * nc * nc;
        std::size_t m = 0;
        for (std::size_t i = 0; i < nc; ++i)
            for (std::size_t j = i + 1; j < nc; ++j, ++m) {
                r[i * nc + j] = std::min(std::max(detail::svm_sigmoid_predict(f[m], p_.prob_a[m], p_.prob_b[m]), min_prob),
                                         1 - min_prob);
                r[j * nc + i] = 1 - r[i * nc + j];
            }
        detail::svm_multiclass_probability(nc, r, Q, Qp, p);
    }
};

}  // namespace tessera

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
