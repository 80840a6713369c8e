#pragma once
/// @file
/// Kernels of the exact k-NN search (learn/knn_index.hpp): sklearn's heap push, the one
/// distance function every search path uses (so the tree and the brute force agree to the
/// bit), the same distances for panels of 8 rows in SIMD lanes, and the lexicographic
/// (value, index) heap of the tree search.

#include <tessera/learn/detail/rounded.hpp>

#include <xsimd/xsimd.hpp>

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

namespace tessera {

namespace detail {

/// sklearn/utils/_heap.pyx heap_push, verbatim: a max-heap of `size` (value, index) pairs.
inline void knn_heap_push(double* values, std::int64_t* indices, std::size_t size, double val,
                          std::int64_t val_idx) noexcept {
    if (val >= values[0]) return;
    std::size_t cur = 0;
    for (;;) {
        const std::size_t l = 2 * cur + 1, r = l + 1;
        std::size_t sw;
        if (l >= size) break;
        if (r >= size) {
            if (values[l] > val) sw = l;
            else break;
        } else if (values[l] >= values[r]) {
            if (val < values[l]) sw = l;
            else break;
        } else {
            if (val < values[r]) sw = r;
            else break;
        }
        values[cur] = values[sw];
        indices[cur] = indices[sw];
        cur = sw;
    }
    values[cur] = val;
    indices[cur] = val_idx;
}

}  // namespace detail

namespace detail {

/// Σ_j (x_j - y_j)² (Squared) or Σ_j |x_j - y_j|, summed sequentially over j, or any value
/// >= bound as soon as a partial sum reaches bound (every 4 terms). One function for every
/// path, so the tree and the brute force compute bit-identical distances.
template <bool Squared>
inline double knn_row_distance(const double* x, const double* y, std::size_t m, double bound) noexcept {
    double s = 0;
    std::size_t j = 0;
    for (; j + 4 <= m; j += 4) {
        for (std::size_t u = 0; u < 4; ++u) {
            const double d = x[j + u] - y[j + u];
            s += Squared ? detail::rounded_product(d, d) : std::abs(d);
        }
        if (s >= bound) return s;
    }
    for (; j < m; ++j) {
        const double d = x[j] - y[j];
        s += Squared ? detail::rounded_product(d, d) : std::abs(d);
    }
    return s;
}

/// Rows side by side: a panel holds knn_panel consecutive rows feature-major (entry (r, j) at
/// j · knn_panel + r), so that SIMD lanes are rows.
inline constexpr std::size_t knn_panel = 8;

/// A product rounded to double in every lane before it is used (rounded_product for batches:
/// no fused multiply-add with the following addition).
template <class B>
[[nodiscard]] inline B knn_rounded_product(const B& a, const B& b) noexcept {
    B p = a * b;
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && defined(__AVX512F__)
    auto r = static_cast<typename B::register_type>(p);
    __asm__("" : "+v"(r));
    p = B(r);
#elif defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && defined(__SSE2__)
    auto r = static_cast<typename B::register_type>(p);
    __asm__("" : "+x"(r));
    p = B(r);
#elif defined(__GNUC__)
    __asm__("" : "+m"(p));
#else
    volatile B v = p;
    p = v;
#endif
    return p;
}

/// knn_row_distance of the knn_panel rows of one panel, lane r summing row r's terms in
/// knn_row_distance's order (so each full sum is bit-identical to it). Stops early, leaving
/// partial sums, only when every lane's partial sum has reached bound (checked every 4 terms,
/// as knn_row_distance): those rows would all be rejected anyway.
template <bool Squared>
inline void knn_panel_distances(const double* x, const double* panel, std::size_t m, double bound, double* out) noexcept {
    using batch = xsimd::batch<double>;
    constexpr std::size_t w = batch::size, nb = knn_panel / w;
    static_assert(knn_panel % w == 0);
    batch s[nb];
    for (std::size_t u = 0; u < nb; ++u) s[u] = batch(0.0);
    const batch lim(bound);
    for (std::size_t j = 0; j < m; ++j) {
        const batch xj(x[j]);
        for (std::size_t u = 0; u < nb; ++u) {
            const batch d = xj - batch::load_aligned(panel + j * knn_panel + u * w);
            s[u] = s[u] + (Squared ? knn_rounded_product(d, d) : xsimd::abs(d));
        }
        if ((j & 3) == 3 && j + 1 < m) {
            auto all = s[0] >= lim;
            for (std::size_t u = 1; u < nb; ++u) all = all && (s[u] >= lim);
            if (xsimd::all(all)) break;
        }
    }
    for (std::size_t u = 0; u < nb; ++u) s[u].store_unaligned(out + u * w);
}

/// The next double above a distance v >= 0 (std::nextafter(v, +inf) without the libm call; +inf
/// stays +inf): the bound that stops a sum only when it exceeds v.
inline double knn_next_up(double v) noexcept {
    if (!(v < std::numeric_limits<double>::infinity())) return v;
    if (v == 0) return std::numeric_limits<double>::denorm_min();
    return std::bit_cast<double>(std::bit_cast<std::uint64_t>(v) + 1);
}

/// Max-heap of (value, index) ordered lexicographically: keeps the k smallest pairs.
inline void knn_lex_heap_push(double* v, std::int64_t* ix, std::size_t k, double val, std::int64_t idx) noexcept {
    if (val > v[0] || (val == v[0] && idx >= ix[0])) return;
    std::size_t cur = 0;
    const auto greater = [&](std::size_t a, double bv, std::int64_t bi) { return v[a] > bv || (v[a] == bv && ix[a] > bi); };
    for (;;) {
        const std::size_t l = 2 * cur + 1, r = l + 1;
        if (l >= k) break;
        std::size_t big = l;
        if (r < k && greater(r, v[l], ix[l])) big = r;
        if (!greater(big, val, idx)) break;
        v[cur] = v[big];
        ix[cur] = ix[big];
        cur = big;
    }
    v[cur] = val;
    ix[cur] = idx;
}

}  // namespace detail

}  // namespace tessera
