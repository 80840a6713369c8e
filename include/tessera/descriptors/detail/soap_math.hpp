#pragma once
/// @file
/// Numerical pieces of the SOAP radial bases (descriptors/soap.hpp): scaled modified spherical
/// Bessel functions e^{−x} i_l(x) (the GTO basis's radial integrals), Gauss–Legendre quadrature
/// (the polynomial basis's integrals) and the inverse square root of an overlap matrix
/// (orthonormalising either basis, as DScribe does).

#include <tessera/core/error.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <string>
#include <vector>

namespace tessera {

namespace detail {

/// e^{−x} i_l(x) for l = 0 … lmax into out[0 … lmax], x ≥ 0: the power series for x ≤ 1,
/// the exact finite form (Abramowitz & Stegun 10.2.12 with the e^{−2x} part) for
/// x ≥ max(2, lmax(lmax+1)/2) where its alternating sum has no cancellation, and Miller's
/// downward recurrence normalised by e^{−x} i_0(x) = −expm1(−2x)/(2x) in between.
inline void scaled_sph_bessel_i(double x, int lmax, double* out) noexcept {
    if (!(x > 0)) {
        out[0] = 1;
        for (int l = 1; l <= lmax; ++l) out[l] = 0;
        return;
    }
    const double e0 = -std::expm1(-2 * x) / (2 * x);
    if (x <= 1) {
        const double ex = std::exp(-x), h = 0.5 * x * x;
        double lead = 1;  // x^l / (2l+1)!!
        for (int l = 0; l <= lmax; ++l) {
            double term = 1, sum = 1;
            for (int k = 1; k < 60; ++k) {
                term *= h / (double(k) * double(2 * l + 2 * k + 1));
                sum += term;
                if (term < 1e-17 * sum) break;
            }
            out[l] = ex * lead * sum;
            lead *= x / double(2 * l + 3);
        }
        return;
    }
    if (x >= std::max(2.0, 0.5 * lmax * (lmax + 1))) {
        const double inv2x = 1 / (2 * x), tail = std::exp(-2 * x);
        for (int l = 0; l <= lmax; ++l) {
            double s1 = 0, s2 = 0, a = 1, p = 1;  // a = (l+k)!/(k!(l−k)!), p = (2x)^−k
            for (int k = 0; k <= l; ++k) {
                s1 += (k % 2 ? -a : a) * p;
                s2 += a * p;
                a *= double(l + k + 1) * double(l - k) / double(k + 1);
                p *= inv2x;
            }
            out[l] = inv2x * (s1 + ((l + 1) % 2 ? -1.0 : 1.0) * tail * s2);
        }
        return;
    }
    // Miller: f_{N+1} = 0, f_N = 1, f_{l−1} = f_{l+1} + (2l+1)/x f_l, scaled to e^{−x} i_0.
    const int top = lmax + 24 + int(x);
    double fp1 = 0, f = 1e-200;
    for (int l = top; l >= 1; --l) {
        const double fm1 = fp1 + double(2 * l + 1) / x * f;
        fp1 = f;
        f = fm1;
        if (l - 1 <= lmax) out[l - 1] = f;
        if (std::abs(f) > 1e200) {  // rescale everything kept so far
            f *= 1e-200;
            fp1 *= 1e-200;
            for (int q = std::max(l - 1, 0); q <= lmax; ++q) out[q] *= 1e-200;
        }
    }
    const double scale = e0 / out[0];
    for (int l = 0; l <= lmax; ++l) out[l] *= scale;
}

/// Gauss–Legendre nodes and weights on [−1, 1] (Newton on P_n from the Chebyshev guesses).
inline void gauss_legendre(int n, std::vector<double>& x, std::vector<double>& w) {
    x.assign(std::size_t(n), 0.0);
    w.assign(std::size_t(n), 0.0);
    for (int i = 0; i < (n + 1) / 2; ++i) {
        double z = std::cos(std::numbers::pi * (i + 0.75) / (n + 0.5)), dp = 0;
        for (int it = 0; it < 100; ++it) {
            double p0 = 1, p1 = z;
            for (int k = 2; k <= n; ++k) {
                const double p2 = ((2.0 * k - 1) * z * p1 - (k - 1.0) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            dp = n * (z * p1 - p0) / (z * z - 1);
            const double dz = p1 / dp;
            z -= dz;
            if (std::abs(dz) < 1e-16) break;
        }
        double p0 = 1, p1 = z;  // the derivative at the converged node
        for (int k = 2; k <= n; ++k) {
            const double p2 = ((2.0 * k - 1) * z * p1 - (k - 1.0) * p0) / k;
            p0 = p1;
            p1 = p2;
        }
        dp = n * (z * p1 - p0) / (z * z - 1);
        x[std::size_t(i)] = -z;
        x[std::size_t(n - 1 - i)] = z;
        w[std::size_t(i)] = w[std::size_t(n - 1 - i)] = 2 / ((1 - z * z) * dp * dp);
    }
}

/// S^{−1/2} of a symmetric positive-definite matrix (row-major n × n), by its eigenvectors, in
/// long double (three digits beyond double: DScribe's overlap matrices are ill-conditioned).
inline std::vector<long double> inverse_sqrt(const std::vector<long double>& s, int n, const std::string& where) {
    using M = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
    M m(n, n);
    for (int a = 0; a < n; ++a)
        for (int b = 0; b < n; ++b) m(a, b) = s[std::size_t(a * n + b)];
    Eigen::SelfAdjointEigenSolver<M> es(m);
    if (es.info() != Eigen::Success || !(es.eigenvalues().minCoeff() > 0))
        throw error("soap: the ", where, " overlap matrix is not positive definite (smallest eigenvalue ",
                    double(es.eigenvalues().minCoeff()),
                    "); lower n_max or raise r_cut, as DScribe advises for the same failure");
    const M r = es.eigenvectors() * es.eigenvalues().cwiseInverse().cwiseSqrt().asDiagonal() * es.eigenvectors().transpose();
    std::vector<long double> out(std::size_t(n * n));
    for (int a = 0; a < n; ++a)
        for (int b = 0; b < n; ++b) out[std::size_t(a * n + b)] = r(a, b);
    return out;
}

}  // namespace detail

}  // namespace tessera
