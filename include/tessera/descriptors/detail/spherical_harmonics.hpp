#pragma once
/// @file
/// Sums of spherical harmonics over bond directions, for bond-orientational order (Steinhardt,
/// Lechner–Dellago, bond crystallinity):
/// \f[ S_{lm} = \sum_{b} Y_{lm}(\hat r_b), \qquad 0 \le m \le l \le l_{max} \le 12, \f]
/// (negative m follow from \f$ Y_{l,-m} = (-1)^m Y_{lm}^* \f$). Convention: orthonormal
/// \f$ Y_{lm}(\theta,\phi) = \sqrt{\tfrac{2l+1}{4\pi}\tfrac{(l-m)!}{(l+m)!}}\, P_l^m(\cos\theta)\, e^{im\phi} \f$
/// with the Condon–Shortley phase in \f$ P_l^m \f$ (as scipy.special.sph_harm and LAMMPS).
///
/// Evaluation avoids angles: with \f$ \hat r = (x, y, z) \f$ and \f$ w = x + iy = \sin\theta\, e^{i\phi} \f$,
/// \f$ Y_{lm} = \tilde P_{lm}(z)\, w^m \f$, where \f$ \tilde P_{lm} = N_{lm} P_l^m / \sin^m\theta \f$
/// is a polynomial in z obeying the usual three-term recurrences of normalised Legendre functions:
/// \f[ \tilde P_{00} = \tfrac{1}{\sqrt{4\pi}}, \quad
///     \tilde P_{mm} = -\sqrt{\tfrac{2m+1}{2m}}\, \tilde P_{m-1,m-1}, \quad
///     \tilde P_{m+1,m} = \sqrt{2m+3}\, z\, \tilde P_{mm}, \f]
/// \f[ \tilde P_{lm} = a_{lm}\, z\, \tilde P_{l-1,m} - b_{lm}\, \tilde P_{l-2,m}, \quad
///     a_{lm} = \sqrt{\tfrac{4l^2-1}{l^2-m^2}}, \quad
///     b_{lm} = \sqrt{\tfrac{(2l+1)((l-1)^2-m^2)}{(2l-3)(l^2-m^2)}}. \f]
/// No division by \f$ \sin\theta \f$, so bonds along z need no special case.
///
/// The same kernel runs on scalars and on xsimd batches (one bond per lane); sum_ylm<Arch>
/// uses batches of Arch (one bond per lane, the last batch padded), and
/// sum_ylm<void> is the scalar reference. Both agree to rounding (summation order differs).
/// Reference: e.g. Limpanuparb & Milthorpe, arXiv:1410.1748 (2014), for the recurrences.

#include <tessera/core/vec.hpp>

#include <xsimd/xsimd.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <span>
#include <type_traits>

namespace tessera::detail {

/// Largest degree l supported by the fixed-size scratch arrays.
inline constexpr int max_degree = 12;

/// Number of (l, m) pairs with 0 <= m <= l <= lmax, and the index of one of them.
constexpr std::size_t ylm_count(int lmax) noexcept { return std::size_t((lmax + 1) * (lmax + 2) / 2); }
constexpr std::size_t ylm_index(int l, int m) noexcept { return std::size_t(l * (l + 1) / 2 + m); }
inline constexpr std::size_t max_ylm = ylm_count(max_degree);

/// Recurrence coefficients of the normalised, sin^m-free Legendre functions (see file comment).
template <class T>
struct legendre_coefficients {
    std::array<T, max_degree + 1> diag{};  ///< \tilde P_{mm}
    std::array<T, max_ylm> a{}, b{};       ///< a_{lm}, b_{lm} at ylm_index(l, m), l >= m + 1

    static const legendre_coefficients& get() {
        static const legendre_coefficients c = [] {
            legendre_coefficients r;
            double p = 1.0 / std::sqrt(4.0 * std::numbers::pi);
            for (int m = 0; m <= max_degree; ++m) {
                if (m > 0) p *= -std::sqrt((2.0 * m + 1.0) / (2.0 * m));
                r.diag[std::size_t(m)] = T(p);
                if (m + 1 <= max_degree) {
                    r.a[ylm_index(m + 1, m)] = T(std::sqrt(2.0 * m + 3.0));
                    r.b[ylm_index(m + 1, m)] = T(0);
                }
                for (int l = m + 2; l <= max_degree; ++l) {
                    const double l2 = double(l) * l, m2 = double(m) * m, lm1 = double(l - 1) * (l - 1);
                    r.a[ylm_index(l, m)] = T(std::sqrt((4.0 * l2 - 1.0) / (l2 - m2)));
                    r.b[ylm_index(l, m)] = T(std::sqrt((2.0 * l + 1.0) * (lm1 - m2) / ((2.0 * l - 3.0) * (l2 - m2))));
                }
            }
            return r;
        }();
        return c;
    }
};

/// Adds weight · Y_lm(x, y, z) for 0 <= m <= l <= lmax to (re, im) at ylm_index(l, m), for the
/// degrees l whose bit is set in `needed` (the recurrence still runs through every l <= lmax).
/// (x, y, z) must be a unit vector. V is a scalar or an xsimd batch; T its element type.
template <class T, class V>
inline void add_ylm(const V& x, const V& y, const V& z, const V& weight, int lmax, V* re, V* im,
                    std::uint32_t needed = ~std::uint32_t(0)) noexcept {
    const auto& c = legendre_coefficients<T>::get();
    V wr = weight, wi(T(0));  // weight · w^m, starting at m = 0
    for (int m = 0; m <= lmax; ++m) {
        V p_lm2(T(0));
        V p_lm1(c.diag[std::size_t(m)]);
        std::size_t k = ylm_index(m, m);
        if (needed >> m & 1u) {
            re[k] += p_lm1 * wr;
            im[k] += p_lm1 * wi;
        }
        for (int l = m + 1; l <= lmax; ++l) {
            k = ylm_index(l, m);
            const V p = c.a[k] * z * p_lm1 - c.b[k] * p_lm2;
            if (needed >> l & 1u) {
                re[k] += p * wr;
                im[k] += p * wi;
            }
            p_lm2 = p_lm1;
            p_lm1 = p;
        }
        const V nr = wr * x - wi * y;  // w^{m+1} = w^m (x + iy)
        wi = wr * y + wi * x;
        wr = nr;
    }
}

template <class T, class Arch>
inline constexpr bool has_ylm_batch =
    !std::is_void_v<Arch> && (std::is_same_v<T, float> || std::is_same_v<T, double>);

/// Sets (re, im)[ylm_index(l, m)] = Σ_b Y_lm(r_b / |r_b|) over the given bond vectors, for
/// 0 <= m <= l <= lmax <= max_degree and the l whose bit is set in `needed` (other entries are
/// 0). Bonds of zero length are skipped. Arch = void: scalar path; otherwise groups of
/// batch<T, Arch>::size bonds per step, the last group zero-padded, and the lane sums of W
/// accumulators reduced at once (xsimd::haddp).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12's AVX-512 intrinsics (_mm512_undefined_pd)
#endif
template <class Arch = xsimd::default_arch, class T>
void sum_ylm(std::span<const vec3<T>> bonds, int lmax, T* re, T* im, std::span<const T> weights = {},
             std::uint32_t needed = ~std::uint32_t(0)) noexcept {
    const std::size_t count = ylm_count(lmax);
    for (std::size_t k = 0; k < count; ++k) re[k] = im[k] = T(0);
    if constexpr (has_ylm_batch<T, Arch>) {
        using batch = xsimd::batch<T, Arch>;
        constexpr std::size_t W = batch::size;
        std::array<batch, max_ylm> bre, bim;
        for (std::size_t k = 0; k < count; ++k) bre[k] = bim[k] = batch(T(0));
        alignas(64) T xs[W], ys[W], zs[W], ws[W];
        for (std::size_t b = 0; b < bonds.size(); b += W) {
            // The last group is padded with zero vectors, which get weight 0 below.
            for (std::size_t l = 0; l < W; ++l) {
                const bool in = b + l < bonds.size();
                xs[l] = in ? bonds[b + l].x : T(0);
                ys[l] = in ? bonds[b + l].y : T(0);
                zs[l] = in ? bonds[b + l].z : T(0);
                ws[l] = in ? (weights.empty() ? T(1) : weights[b + l]) : T(0);
            }
            const batch x = batch::load_aligned(xs), y = batch::load_aligned(ys), z = batch::load_aligned(zs);
            const batch r = xsimd::sqrt(x * x + y * y + z * z);
            const auto zero = r == batch(T(0));
            const batch inv = xsimd::select(zero, batch(T(0)), batch(T(1)) / r);
            // A zero-length bond (padding, or a duplicate particle) contributes nothing: weight 0.
            const batch keep = xsimd::select(zero, batch(T(0)), batch::load_aligned(ws));
            add_ylm<T>(batch(x * inv), batch(y * inv), batch(z * inv), keep, lmax, bre.data(), bim.data(), needed);
        }
        // Reduce the needed accumulators W at a time: haddp gives W lane sums in one batch.
        std::array<std::size_t, 2 * max_ylm> which;
        std::array<batch, 2 * max_ylm> acc;
        std::size_t used = 0;
        for (int l = 0; l <= lmax; ++l) {
            if (!(needed >> l & 1u)) continue;
            for (int m = 0; m <= l; ++m) {
                const std::size_t k = ylm_index(l, m);
                which[used] = k;
                acc[used++] = bre[k];
                which[used] = max_ylm + k;
                acc[used++] = bim[k];
            }
        }
        if constexpr (!std::is_same_v<T, double>) {
            // xsimd 8.1's haddp permutes the lanes for 16 floats on AVX-512 (checked: lane 2
            // holds row 4's sum); reduce one accumulator at a time for float.
            for (std::size_t g = 0; g < used; ++g) {
                const std::size_t k = which[g];
                (k < max_ylm ? re[k] : im[k - max_ylm]) = xsimd::hadd(acc[g]);
            }
            return;
        }
        for (std::size_t g = 0; g < used; g += W) {
            std::array<batch, W> row;
            for (std::size_t l = 0; l < W; ++l) row[l] = g + l < used ? acc[g + l] : batch(T(0));
            alignas(64) T sums[W];
            xsimd::haddp(row.data()).store_aligned(sums);
            for (std::size_t l = 0; l < W && g + l < used; ++l) {
                const std::size_t k = which[g + l];
                (k < max_ylm ? re[k] : im[k - max_ylm]) = sums[l];
            }
        }
        return;
    }
    for (std::size_t k = 0; k < bonds.size(); ++k) {
        const vec3<T>& v = bonds[k];
        const T r = std::sqrt(v.x * v.x + v.y * v.y + v.z * v.z);
        if (!(r > T(0))) continue;
        add_ylm<T>(v.x / r, v.y / r, v.z / r, weights.empty() ? T(1) : weights[k], lmax, re, im, needed);
    }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

}  // namespace tessera::detail
