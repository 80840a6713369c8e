#pragma once
/// @file
/// Training a C-SVC with libsvm (Chang & Lin, ACM TIST 2, 27 (2011); Debian `libsvm-dev`, link
/// `-lsvm`) into a tessera::svm_model — the optional component of tessera/learn: only this header
/// needs libsvm, tessera/learn/svm.hpp (inference) does not.
///
/// Reproduces scikit-learn's `SVC(kernel, C, gamma, coef0, degree, tol, cache_size, shrinking,
/// class_weight)` (sklearn runs its own copy of libsvm): labels are mapped to class indices in
/// ascending order and the samples are handed to libsvm grouped by class in that order, keeping
/// their order within a class — the problem sklearn's libsvm solves. class_weight='balanced'
/// gives class c the weight n / (k n_c) (C_c = C · weight), as sklearn. The decision values then
/// agree with sklearn's to the solver's rounding (kernel sums in another order); the tests
/// require 1e-4 and ≥ 99.9 % identical predictions.
///
/// probability = true makes libsvm fit Platt's A, B per class pair by an internal 5-fold cross
/// validation that shuffles with the C library's rand() (global state: not thread-safe, and
/// not sklearn's RNG), so probA/probB differ from sklearn's fit; the decision function does not.
///
/// Global state: libsvm prints progress to stdout through one process-wide print function.
/// train_svm sets it to a no-op (svm_set_print_string_function) on every call and leaves it so:
/// a host that installed its own print function loses it. Concurrent train_svm calls are safe
/// with probability = false (libsvm's solver has no other shared state).

#if !__has_include(<libsvm/svm.h>)
#error "tessera/learn/svm_train.hpp needs libsvm (Debian package libsvm-dev, <libsvm/svm.h>, link -lsvm); svm.hpp alone needs nothing"
#else

#include <tessera/core/error.hpp>
#include <tessera/learn/svm.hpp>

#include <libsvm/svm.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <memory>
#include <numeric>
#include <vector>

namespace tessera {

/// Training parameters, named and defaulted as sklearn's SVC (gamma has no 'scale' default here:
/// pass svm_gamma_scale(X, rows, cols) for it).
struct svm_train_options {
    svm_kernel_params kernel{};
    double C = 1.0;                ///< > 0
    double tol = 1e-3;             ///< libsvm's eps (stopping tolerance), > 0
    double cache_size_mb = 200.0;  ///< kernel cache, MB
    bool shrinking = true;
    bool probability = false;     ///< also fit Platt's probA/probB (internal 5-fold CV)
    bool balanced = false;        ///< class_weight='balanced'
};

namespace detail {
inline void svm_silent_print(const char*) {}
struct svm_model_deleter {
    void operator()(::svm_model* m) const noexcept { svm_free_and_destroy_model(&m); }
};
}  // namespace detail

/// Trains on X (rows × cols, row-major, finite) with labels y[rows] (≥ 2 distinct values).
inline svm_model train_svm(const double* X, std::size_t rows, std::size_t cols, const int* y,
                           const svm_train_options& opt) {
    const auto fail = [](const auto&... parts) { throw error("train_svm: ", parts...); };
    if (rows == 0 || cols == 0) fail("X is empty (", rows, " rows x ", cols, " columns)");
    if (X == nullptr || y == nullptr) fail("X or y is null");
    if (!(opt.C > 0) || !std::isfinite(opt.C)) fail("C = ", opt.C, "; it must be > 0 and finite");
    if (!(opt.tol > 0)) fail("tol = ", opt.tol, "; it must be > 0");
    if (!(opt.cache_size_mb > 0)) fail("cache_size_mb = ", opt.cache_size_mb, "; it must be > 0");
    const auto& kp = opt.kernel;
    if (kp.type != svm_kernel::linear && !(kp.gamma > 0 && std::isfinite(kp.gamma)))
        fail("gamma = ", kp.gamma, " for the ", to_string(kp.type), " kernel; it must be > 0 and finite");
    if (!std::isfinite(kp.coef0)) fail("coef0 = ", kp.coef0, " is not finite");
    if (kp.type == svm_kernel::poly && kp.degree < 0) fail("degree = ", kp.degree, " is negative");
    for (std::size_t i = 0; i < rows; ++i)
        for (std::size_t f = 0; f < cols; ++f)
            if (!std::isfinite(X[i * cols + f])) fail("X[", i, "][", f, "] = ", X[i * cols + f], " is not finite");

    // classes ascending; samples grouped by class (stable) as sklearn's libsvm sees them
    std::map<int, std::size_t> index;
    for (std::size_t i = 0; i < rows; ++i) index.emplace(y[i], 0);
    if (index.size() < 2)
        fail("y has a single class (", y[0], "); a classifier needs at least 2");
    std::vector<int> classes;
    for (auto& [label, c] : index) c = classes.size(), classes.push_back(label);
    const std::size_t k = classes.size();
    std::vector<std::size_t> count(k, 0);
    for (std::size_t i = 0; i < rows; ++i) ++count[index[y[i]]];
    std::vector<std::size_t> order(rows);
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return index[y[a]] < index[y[b]]; });

    std::vector<svm_node> nodes(rows * (cols + 1));
    std::vector<svm_node*> xs(rows);
    std::vector<double> ys(rows);
    for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t i = order[r];
        svm_node* row = nodes.data() + r * (cols + 1);
        for (std::size_t f = 0; f < cols; ++f) row[f] = svm_node{int(f) + 1, X[i * cols + f]};
        row[cols] = svm_node{-1, 0.0};
        xs[r] = row;
        ys[r] = double(index[y[i]]);
    }
    svm_problem prob{};
    prob.l = int(rows);
    prob.y = ys.data();
    prob.x = xs.data();

    std::vector<int> weight_label;
    std::vector<double> weight;
    svm_parameter param{};
    param.svm_type = C_SVC;
    param.kernel_type = kp.type == svm_kernel::linear ? LINEAR
                        : kp.type == svm_kernel::poly ? POLY
                        : kp.type == svm_kernel::rbf  ? RBF
                                                      : SIGMOID;
    param.degree = kp.degree;
    param.gamma = kp.type == svm_kernel::linear ? 0.0 : kp.gamma;
    param.coef0 = kp.coef0;
    param.cache_size = opt.cache_size_mb;
    param.eps = opt.tol;
    param.C = opt.C;
    if (opt.balanced) {
        for (std::size_t c = 0; c < k; ++c) {
            weight_label.push_back(int(c));
            weight.push_back(double(rows) / (double(k) * double(count[c])));
        }
        param.nr_weight = int(k);
        param.weight_label = weight_label.data();
        param.weight = weight.data();
    }
    param.nu = 0.5;
    param.p = 0.1;
    param.shrinking = opt.shrinking ? 1 : 0;
    param.probability = opt.probability ? 1 : 0;
    if (const char* msg = svm_check_parameter(&prob, &param)) fail("libsvm rejects the parameters: ", msg);

    svm_set_print_string_function(&detail::svm_silent_print);
    std::unique_ptr<::svm_model, detail::svm_model_deleter> m(::svm_train(&prob, &param));
    if (!m) fail("libsvm's svm_train returned no model");
    if (std::size_t(m->nr_class) != k) fail("libsvm found ", m->nr_class, " classes, expected ", k);
    for (std::size_t c = 0; c < k; ++c)
        if (m->label[c] != int(c)) fail("libsvm ordered the classes unexpectedly (label[", c, "] = ", m->label[c], ")");

    svm_parameters p;
    p.kernel = kp;
    if (kp.type == svm_kernel::linear) p.kernel.gamma = kp.gamma > 0 ? kp.gamma : 1.0;  // unused
    p.n_features = cols;
    p.classes = classes;
    const std::size_t L = std::size_t(m->l);
    for (std::size_t c = 0; c < k; ++c) p.n_support.push_back(std::size_t(m->nSV[c]));
    p.support_vectors.assign(L * cols, 0.0);
    for (std::size_t s = 0; s < L; ++s)
        for (const svm_node* n = m->SV[s]; n->index != -1; ++n)
            if (n->index >= 1 && std::size_t(n->index) <= cols) p.support_vectors[s * cols + std::size_t(n->index - 1)] = n->value;
    // sklearn's public convention (svm.hpp): binary −sv_coef, +rho; multiclass sv_coef, −rho
    const double sign = k == 2 ? -1.0 : 1.0;
    p.dual_coef.resize((k - 1) * L);
    for (std::size_t r = 0; r + 1 < k; ++r)
        for (std::size_t s = 0; s < L; ++s) p.dual_coef[r * L + s] = sign * m->sv_coef[r][s];
    const std::size_t np = k * (k - 1) / 2;
    for (std::size_t q = 0; q < np; ++q) p.intercept.push_back(k == 2 ? m->rho[q] : -m->rho[q]);
    if (opt.probability && m->probA && m->probB) {
        p.prob_a.assign(m->probA, m->probA + np);
        p.prob_b.assign(m->probB, m->probB + np);
    }
    return svm_model(std::move(p));
}

}  // namespace tessera

#endif
