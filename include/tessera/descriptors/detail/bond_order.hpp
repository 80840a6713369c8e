#pragma once
/// @file
/// Rotational invariants of a set of complex coefficients \f$ q_{lm} \f$, \f$ -l \le m \le l \f$,
/// stored for m >= 0 only (the rest follow from \f$ q_{l,-m} = (-1)^m q_{lm}^* \f$, true of any
/// real-weighted sum of Y_lm):
/// \f[ |q_l|^2 = \sum_{m=-l}^{l} |q_{lm}|^2, \qquad
///     q_l = \sqrt{\tfrac{4\pi}{2l+1}\, |q_l|^2}, \f]
/// \f[ w_l = \sum_{m_1+m_2+m_3=0} \begin{pmatrix} l & l & l \\ m_1 & m_2 & m_3 \end{pmatrix}
///     q_{lm_1} q_{lm_2} q_{lm_3}, \qquad \hat w_l = w_l / |q_l|^{3}, \f]
/// and the bond correlation \f$ \mathrm{Re} \sum_m q_{lm}(i)\, q_{lm}^*(j) \f$.
/// Steinhardt, Nelson & Ronchetti, PRB 28, 784 (1983), eqs. (1.2)–(1.4).

#include <tessera/descriptors/detail/spherical_harmonics.hpp>
#include <tessera/descriptors/detail/wigner3j.hpp>

#include <array>
#include <cmath>
#include <numbers>

namespace tessera::detail {

/// Σ_{m=-l..l} |q_lm|², from re[m], im[m] for m = 0..l.
template <class T>
T qlm_norm2(int l, const T* re, const T* im) noexcept {
    T s = re[0] * re[0] + im[0] * im[0];
    for (int m = 1; m <= l; ++m) s += T(2) * (re[m] * re[m] + im[m] * im[m]);
    return s;
}

/// q_l = sqrt(4π/(2l+1) Σ_m |q_lm|²).
template <class T>
T steinhardt_ql(int l, const T* re, const T* im) noexcept {
    return std::sqrt(T(4) * std::numbers::pi_v<T> / T(2 * l + 1) * qlm_norm2(l, re, im));
}

/// w_l = Σ (l l l; m1 m2 m3) q_lm1 q_lm2 q_lm3 (not normalised), from re[m], im[m], m = 0..l.
template <class T>
T steinhardt_wl(int l, const T* re, const T* im) noexcept {
    std::array<T, 2 * max_degree + 1> qr, qi;  // m = -l..l at m + l
    for (int m = 0; m <= l; ++m) {
        qr[std::size_t(l + m)] = re[m];
        qi[std::size_t(l + m)] = im[m];
        const T sign = (m % 2 == 0) ? T(1) : T(-1);
        qr[std::size_t(l - m)] = sign * re[m];
        qi[std::size_t(l - m)] = -sign * im[m];
    }
    const auto& w3j = wigner3j_lll_table::get();
    T sum = 0;
    for (int m1 = -l; m1 <= l; ++m1) {
        const int lo = m1 < 0 ? -l - m1 : -l, hi = m1 > 0 ? l - m1 : l;  // |m1 + m2| <= l
        const T ar = qr[std::size_t(m1 + l)], ai = qi[std::size_t(m1 + l)];
        for (int m2 = lo; m2 <= hi; ++m2) {
            const int m3 = -m1 - m2;
            const T br = qr[std::size_t(m2 + l)], bi = qi[std::size_t(m2 + l)];
            const T cr = qr[std::size_t(m3 + l)], ci = qi[std::size_t(m3 + l)];
            const T abr = ar * br - ai * bi, abi = ar * bi + ai * br;
            sum += T(w3j(l, m1, m2)) * (abr * cr - abi * ci);
        }
    }
    return sum;
}

/// ŵ_l = w_l / (Σ_m |q_lm|²)^{3/2}; 0 when q_l < 1e-6 (LAMMPS orientorder/atom's QEPSILON).
template <class T>
T steinhardt_wl_hat(int l, T wl, T ql, const T* re, const T* im) noexcept {
    if (ql < T(1e-6)) return T(0);
    const T n2 = qlm_norm2(l, re, im);
    return wl / (n2 * std::sqrt(n2));
}

/// Re Σ_{m=-l..l} a_lm b_lm*.
template <class T>
T qlm_dot(int l, const T* are, const T* aim, const T* bre, const T* bim) noexcept {
    T s = are[0] * bre[0] + aim[0] * bim[0];
    for (int m = 1; m <= l; ++m) s += T(2) * (are[m] * bre[m] + aim[m] * bim[m]);
    return s;
}

}  // namespace tessera::detail
