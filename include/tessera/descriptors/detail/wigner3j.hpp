#pragma once
/// @file
/// Wigner 3j symbols, by Racah's formula (e.g. Edmonds, *Angular Momentum in Quantum
/// Mechanics*, eq. 3.7.3; DLMF 34.2.4):
/// \f[ \begin{pmatrix} j_1 & j_2 & j_3 \\ m_1 & m_2 & m_3 \end{pmatrix}
///   = \delta_{m_1+m_2+m_3,0}\, (-1)^{j_1-j_2-m_3} \sqrt{\Delta(j_1 j_2 j_3)}
///     \sqrt{\textstyle\prod_k (j_k+m_k)!\,(j_k-m_k)!}
///     \sum_t \frac{(-1)^t}{t!\,(j_3-j_2+t+m_1)!\,(j_3-j_1+t-m_2)!\,(j_1+j_2-j_3-t)!\,(j_1-t-m_1)!\,(j_2-t+m_2)!}, \f]
/// \f$ \Delta(abc) = (a+b-c)!\,(a-b+c)!\,(-a+b+c)!/(a+b+c+1)! \f$, the sum over every t with
/// non-negative factorial arguments. Evaluated in long double: for the integer j <= 12 used here
/// the alternating sum loses a few digits at most, leaving ~1e-16 relative in double.
///
/// `wigner3j_lll(l, m1, m2)` = (l l l; m1 m2 −m1−m2), the symbol of the Steinhardt invariant
/// w_l, from a table built once (thread-safe static initialisation) for l <= max_degree.

#include <tessera/descriptors/detail/spherical_harmonics.hpp>

#include <array>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace tessera::detail {

inline long double factorial_ld(int n) noexcept {
    long double f = 1;
    for (int k = 2; k <= n; ++k) f *= k;
    return f;
}

/// (j1 j2 j3; m1 m2 m3) for integer arguments; 0 when the selection rules forbid it.
inline double wigner3j(int j1, int j2, int j3, int m1, int m2, int m3) noexcept {
    if (m1 + m2 + m3 != 0) return 0;
    if (std::abs(m1) > j1 || std::abs(m2) > j2 || std::abs(m3) > j3) return 0;
    if (j3 < std::abs(j1 - j2) || j3 > j1 + j2) return 0;
    const long double delta =
        factorial_ld(j1 + j2 - j3) * factorial_ld(j1 - j2 + j3) * factorial_ld(-j1 + j2 + j3) / factorial_ld(j1 + j2 + j3 + 1);
    const long double norm = factorial_ld(j1 + m1) * factorial_ld(j1 - m1) * factorial_ld(j2 + m2) *
                             factorial_ld(j2 - m2) * factorial_ld(j3 + m3) * factorial_ld(j3 - m3);
    int tmin = 0;
    if (j2 - j3 - m1 > tmin) tmin = j2 - j3 - m1;
    if (j1 - j3 + m2 > tmin) tmin = j1 - j3 + m2;
    int tmax = j1 + j2 - j3;
    if (j1 - m1 < tmax) tmax = j1 - m1;
    if (j2 + m2 < tmax) tmax = j2 + m2;
    long double sum = 0;
    for (int t = tmin; t <= tmax; ++t) {
        const long double den = factorial_ld(t) * factorial_ld(j3 - j2 + t + m1) * factorial_ld(j3 - j1 + t - m2) *
                                factorial_ld(j1 + j2 - j3 - t) * factorial_ld(j1 - t - m1) * factorial_ld(j2 - t + m2);
        sum += (t % 2 == 0 ? 1.0L : -1.0L) / den;
    }
    const int phase = ((j1 - j2 - m3) % 2 + 2) % 2 == 0 ? 1 : -1;
    return double(phase * std::sqrt(delta) * std::sqrt(norm) * sum);
}

/// Table of (l l l; m1 m2 −m1−m2) for 0 <= l <= max_degree.
class wigner3j_lll_table {
public:
    static const wigner3j_lll_table& get() {
        static const wigner3j_lll_table t;
        return t;
    }
    /// (l l l; m1 m2 −m1−m2); callers keep |m1|, |m2|, |m1 + m2| <= l.
    double operator()(int l, int m1, int m2) const noexcept {
        const int w = 2 * l + 1;
        return values_[offset_[std::size_t(l)] + std::size_t((m1 + l) * w + (m2 + l))];
    }

private:
    wigner3j_lll_table() {
        std::size_t off = 0;
        for (int l = 0; l <= max_degree; ++l) {
            offset_[std::size_t(l)] = off;
            off += std::size_t((2 * l + 1) * (2 * l + 1));
        }
        values_.resize(off);
        for (int l = 0; l <= max_degree; ++l)
            for (int m1 = -l; m1 <= l; ++m1)
                for (int m2 = -l; m2 <= l; ++m2)
                    values_[offset_[std::size_t(l)] + std::size_t((m1 + l) * (2 * l + 1) + (m2 + l))] =
                        wigner3j(l, l, l, m1, m2, -m1 - m2);
    }
    std::array<std::size_t, max_degree + 1> offset_{};
    std::vector<double> values_;
};

inline double wigner3j_lll(int l, int m1, int m2) noexcept { return wigner3j_lll_table::get()(l, m1, m2); }

}  // namespace tessera::detail
