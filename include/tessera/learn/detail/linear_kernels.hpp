#pragma once
/// @file
/// The arithmetic kernels of learn/logistic.hpp (and of row_model.hpp's per-row logistic):
/// linear decisions z = w·x + b over rows of a row-major matrix, in two summation orders, and
/// the register tiles of the Newton Hessian Σ_i c_i x̃_i x̃_iᵀ. Speed only: each kernel's
/// comment states the order in which its sums are formed, which fixes its values.

#include <xsimd/xsimd.hpp>

#include <cstddef>

namespace tessera::detail {

/// Hints the cache to fetch p[0 … n) (no effect on results).
inline void prefetch([[maybe_unused]] const double* p, [[maybe_unused]] std::size_t n) {
#if defined(__GNUC__)
    for (std::size_t j = 0; j < n; j += 8) __builtin_prefetch(p + j);
#endif
}

/// Rows per group in linear_decisions.
inline constexpr std::size_t decision_rows = 8;

/// z[i · stride] = b + Σ_j w_j x_ij for the rows of X (rows × cols, row-major), each sum in
/// column order with every product rounded before it is added (the products are formed by SIMD
/// into buf, decision_rows × cols doubles, then added: the compiler has no multiply-add to fuse
/// — the values of the previous four-row loop as g++ -O3 vectorised it), decision_rows rows at
/// a time (independent sums for instruction-level parallelism). Used by the fit, whose
/// coefficients it leaves bitwise as they were. Rows up to readable_rows (>= rows) may be
/// prefetched.
inline void linear_decisions(const double* w, double b, const double* X, std::size_t rows, std::size_t cols,
                             double* z, std::size_t stride, double* buf, std::size_t readable_rows) {
    constexpr std::size_t R = decision_rows, ahead = 4 * R;
    std::size_t i = 0;
    for (; i + R <= rows; i += R) {
        const double* x = X + i * cols;
        if (i + ahead + R <= readable_rows) prefetch(x + ahead * cols, R * cols);
        for (std::size_t r = 0; r < R; ++r)
            for (std::size_t j = 0; j < cols; ++j) buf[r * cols + j] = w[j] * x[r * cols + j];
        double v[R];
        for (std::size_t r = 0; r < R; ++r) v[r] = b;
        for (std::size_t j = 0; j < cols; ++j)
            for (std::size_t r = 0; r < R; ++r) v[r] += buf[r * cols + j];
        for (std::size_t r = 0; r < R; ++r) z[(i + r) * stride] = v[r];
    }
    for (; i < rows; ++i) {
        const double* x = X + i * cols;
        for (std::size_t j = 0; j < cols; ++j) buf[j] = w[j] * x[j];
        double v = b;
        for (std::size_t j = 0; j < cols; ++j) v += buf[j];
        z[i * stride] = v;
    }
}

/// The same decisions for queries, summed for speed: per row, SIMD partial sums (FMA) over
/// the columns j ≡ u (mod lanes), then their pairwise (tree) sum, the intercept and the remaining
/// columns — a different rounding from linear_decisions (a few ulps of the summed terms),
/// deterministic for a given build. One row at a time, in memory order: this runs at the speed
/// of reading X (measured: interleaving rows, or software prefetch, made it slower).
inline void linear_decisions_simd(const double* w, double b, const double* X, std::size_t rows, std::size_t cols,
                                  double* z, std::size_t stride) {
    using batch = xsimd::batch<double>;
    constexpr std::size_t L = batch::size;
    const std::size_t cv = cols / L * L;
    for (std::size_t i = 0; i < rows; ++i) {
        const double* x = X + i * cols;
        batch a(0.0);
        for (std::size_t j = 0; j < cv; j += L) a = xsimd::fma(batch::load_unaligned(w + j), batch::load_unaligned(x + j), a);
        alignas(batch::arch_type::alignment()) double t[L];  // lanes summed as a tree (not
        a.store_aligned(t);                                    // xsimd 8.1's avx512 hadd: it warns)
        for (std::size_t h = L / 2; h > 0; h /= 2)
            for (std::size_t u = 0; u < h; ++u) t[u] += t[u + h];
        double v = b + t[0];
        for (std::size_t j = cv; j < cols; ++j) v += w[j] * x[j];
        z[i * stride] = v;
    }
}

/// Rows of a Hessian register tile: gram_tile_rows × (NB batches) accumulators fit the
/// register file (16 zmm of 32 with avx512, 8 of 16 ymm/xmm otherwise).
inline constexpr std::size_t gram_tile_rows = xsimd::batch<double>::size >= 8 ? 8 : 4;

/// H(a, b) += Σ_i cx_ia · x_ib over the rows i = 0 … nrows-1 in order, for the tile a ∈ [a0,
/// a0 + gram_tile_rows), b ∈ [b0, b0 + NB·lanes); entries outside [0, q)² are left alone.
/// x and cx: nrows rows of stride qp, zero beyond column q (qp a multiple of the tile sizes).
/// Each entry sees the same operations in the same order as the plain loop over rows
/// H(a, b) = H(a, b) + cx_ia · x_ib, whatever the tile shape.
template <std::size_t NB>
inline void gram_tile(double* H, std::size_t ldh, std::size_t q, const double* x, const double* cx,
                      std::size_t qp, std::size_t nrows, std::size_t a0, std::size_t b0) {
    using batch = xsimd::batch<double>;
    constexpr std::size_t L = batch::size, TA = gram_tile_rows, W = NB * L;
    double tile[TA][W];
    for (std::size_t u = 0; u < TA; ++u)
        for (std::size_t v = 0; v < W; ++v)
            tile[u][v] = a0 + u < q && b0 + v < q ? H[(a0 + u) * ldh + b0 + v] : 0.0;
    batch acc[TA][NB];
    for (std::size_t u = 0; u < TA; ++u)
        for (std::size_t w = 0; w < NB; ++w) acc[u][w] = batch::load_unaligned(tile[u] + w * L);
    // (a row with c_i = 0 adds exact zeros: no test needed, the sums never hold -0)
    for (std::size_t i = 0; i < nrows; ++i, x += qp, cx += qp) {
        batch xb[NB];
        for (std::size_t w = 0; w < NB; ++w) xb[w] = batch::load_unaligned(x + b0 + w * L);
        for (std::size_t u = 0; u < TA; ++u) {
            const batch ca(cx[a0 + u]);
            for (std::size_t w = 0; w < NB; ++w) acc[u][w] = acc[u][w] + ca * xb[w];
        }
    }
    for (std::size_t u = 0; u < TA; ++u)
        for (std::size_t w = 0; w < NB; ++w) acc[u][w].store_unaligned(tile[u] + w * L);
    for (std::size_t u = 0; u < TA && a0 + u < q; ++u)
        for (std::size_t v = 0; v < W && b0 + v < q; ++v) H[(a0 + u) * ldh + b0 + v] = tile[u][v];
}

}  // namespace tessera::detail
