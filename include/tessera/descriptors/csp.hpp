#pragma once
/// @file
/// Centrosymmetry parameter (Kelchner, Plimpton & Hamilton, Phys. Rev. B 58, 11085 (1998)).
/// With R_1 … R_N the bond vectors to the N nearest neighbours of particle i (N even: 12 for
/// fcc, 8 for bcc),
///
/// - **conventional** (LAMMPS `compute centro/atom N`, OVITO "conventional"):
///   \f[ \mathrm{CSP}_i = \sum_{k=1}^{N/2} s_{(k)}, \f]
///   the sum of the N/2 smallest of the N(N−1)/2 pair sums s_{jk} = |R_j + R_k|², j < k.
///   A neighbour may appear in several of the selected pairs (this is the published definition
///   and what LAMMPS does). Ties between pair sums do not matter: tied values are equal, so the
///   sum is the same whichever is selected.
/// - **matching** (Larsen, arXiv:2003.08879; OVITO "matching"): the minimum over all perfect
///   matchings of the N neighbours into N/2 disjoint pairs of the sum of |R_j + R_k|². Solved
///   exactly: N ≤ 12 by branch and bound (about 0.5 µs per atom in a crystal, ≤ 20 µs in a
///   gas), N = 14, 16 by dynamic programming over subsets (always pair the lowest unmatched
///   neighbour), O(2^N · N) time — hence N ≤ 16.
///
/// Undefined — NaN — when fewer than N neighbours were found (with tessera::nearest that happens
/// only with a finite max_radius or a system of fewer than N + 1 particles): tessera's rule for
/// every descriptor without a value, so that no number reads as "perfect crystal" by accident.
/// LAMMPS writes 0 there. Units: length².
///
/// Needs `tessera::nearest{k}` with k ≥ N (only the first N of each sorted row are used).
/// Column: `csp`.
///
/// No allocation per particle: the pair sums live in fixed arrays (N ≤ 32 conventional); the
/// matching DP table (2^N values, N > 12) is a per-thread buffer grown once per thread.
/// The pair sums are vectorized with xsimd (template on the architecture, default
/// xsimd::default_arch); detail::csp_pair_sums_scalar is the reference path the tests compare with.

#include <tessera/core/detail/popcount.hpp>
#include <tessera/core/detail/simd_mask.hpp>
#include <tessera/core/error.hpp>
#include <tessera/descriptors/descriptor.hpp>

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace tessera {

enum class csp_mode {
    conventional,  ///< sum of the N/2 smallest pair sums (LAMMPS centro/atom)
    matching,      ///< minimum-weight perfect matching (Larsen 2020)
};

namespace detail {

inline constexpr std::size_t csp_max_conventional = 32;
inline constexpr std::size_t csp_max_matching = 16;
inline constexpr std::size_t csp_max_pairs = csp_max_conventional * (csp_max_conventional - 1) / 2;
inline constexpr std::size_t csp_pad = 16;  ///< slack for full-width SIMD loads/stores

template <class T>
struct csp_scratch {
    alignas(64) std::array<T, csp_max_conventional + csp_pad> x{}, y{}, z{};
    alignas(64) std::array<T, csp_max_pairs + csp_pad> pairs{};
};

/// Pair sums s_jk = |R_j + R_k|², j < k, in row-major order (j outer): the reference path.
template <class T>
void csp_pair_sums_scalar(const T* x, const T* y, const T* z, std::size_t n, T* pairs) noexcept {
    std::size_t p = 0;
    for (std::size_t j = 0; j < n; ++j)
        for (std::size_t k = j + 1; k < n; ++k) {
            const T sx = x[j] + x[k], sy = y[j] + y[k], sz = z[j] + z[k];
            pairs[p++] = sx * sx + sy * sy + sz * sz;
        }
}

template <class T, class Arch>
inline constexpr bool csp_has_batch = (std::is_same_v<T, float> || std::is_same_v<T, double>) &&
                                      requires { typename xsimd::batch<T, Arch>; };

/// Same sums, vectorized over k. x, y, z and pairs need csp_pad elements of slack after the
/// data (padded lanes are computed and then overwritten or ignored).
template <class Arch = xsimd::default_arch, class T>
void csp_pair_sums(const T* x, const T* y, const T* z, std::size_t n, T* pairs) noexcept {
    if constexpr (csp_has_batch<T, Arch>) {
        using batch = xsimd::batch<T, Arch>;
        constexpr std::size_t W = batch::size;
        static_assert(W <= csp_pad, "csp: SIMD width exceeds the scratch padding");
        std::size_t p = 0;
        for (std::size_t j = 0; j + 1 < n; ++j) {
            const batch xj(x[j]), yj(y[j]), zj(z[j]);
            for (std::size_t k = j + 1; k < n; k += W) {
                const batch sx = xj + batch::load_unaligned(x + k);
                const batch sy = yj + batch::load_unaligned(y + k);
                const batch sz = zj + batch::load_unaligned(z + k);
                const batch s = sx * sx + sy * sy + sz * sz;
                s.store_unaligned(pairs + p + (k - j - 1));
            }
            p += n - j - 1;
        }
    } else {
        csp_pair_sums_scalar(x, y, z, n, pairs);
    }
}

/// Sum of the h smallest of pairs[0, m), summed in ascending order (so the result does not
/// depend on the order the pairs were made in): one pass keeping a sorted list of the h best
/// (h = N/2 ≤ 16). The scalar reference and fallback of csp_smallest_sum_simd below.
template <class T>
T csp_smallest_sum(const T* pairs, std::size_t m, std::size_t h) noexcept {
    if (h == 0) return T(0);
    T best[csp_max_conventional / 2];
    std::size_t kept = 0;
    for (std::size_t p = 0; p < m; ++p) {
        const T v = pairs[p];
        if (kept == h) {
            if (!(v < best[h - 1])) continue;
            --kept;  // the largest of the h drops out
        }
        std::size_t k = kept++;
        for (; k > 0 && v < best[k - 1]; --k) best[k] = best[k - 1];
        best[k] = v;
    }
    T s = 0;
    for (std::size_t k = 0; k < kept; ++k) s += best[k];
    return s;
}

/// The same sum with SIMD: rounds of "take the minimum v of all pair sums, count its copies c,
/// add v min(c, still needed) times, set those lanes to +∞" — one `min` per batch per round,
/// whole-batch updates (a scalar store into a batch that is reloaded next round would stall
/// store-to-load forwarding). ≈ 5× faster than nth_element + sort for 66 pairs. Identical
/// result: the same h values, summed in ascending order. pairs must have room for padding to a
/// multiple of the batch width (csp_scratch does); its contents are destroyed.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12's _mm512_min_pd (_mm512_undefined_pd)
#endif
template <class Arch, class T>
T csp_smallest_sum_simd(T* pairs, std::size_t m, std::size_t h) noexcept {
    if constexpr (csp_has_batch<T, Arch>) {
        using batch = xsimd::batch<T, Arch>;
        constexpr std::size_t W = batch::size;
        const std::size_t mp = (m + W - 1) / W * W;
        const batch inf(std::numeric_limits<T>::infinity());
        for (std::size_t p = m; p < mp; ++p) pairs[p] = std::numeric_limits<T>::infinity();
        T s = 0;
        for (std::size_t taken = 0; taken < h;) {
            batch lo0 = batch::load_unaligned(pairs), lo1 = inf;  // two chains: half the latency
            std::size_t p = W;
            for (; p + W < mp; p += 2 * W) {
                lo0 = xsimd::min(lo0, batch::load_unaligned(pairs + p));
                lo1 = xsimd::min(lo1, batch::load_unaligned(pairs + p + W));
            }
            if (p < mp) lo0 = xsimd::min(lo0, batch::load_unaligned(pairs + p));
            alignas(64) T lanes[W];
            xsimd::min(lo0, lo1).store_aligned(lanes);
            T v = lanes[0];
            for (std::size_t l = 1; l < W; ++l) v = lanes[l] < v ? lanes[l] : v;
            const batch vb(v);
            std::size_t copies = 0;
            for (std::size_t q = 0; q < mp; q += W) {
                const batch x = batch::load_unaligned(pairs + q);
                const auto eq = x == vb;
                copies += std::size_t(detail::popcount(bitmask(eq)));
                xsimd::select(eq, inf, x).store_unaligned(pairs + q);
            }
            if (copies == 0) break;  // v is NaN: nothing sensible to sum
            for (; copies > 0 && taken < h; --copies, ++taken) s += v;
        }
        return s;
    } else {
        return csp_smallest_sum(pairs, m, h);
    }
}

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

/// Minimum-weight perfect matching of n ≤ 16 points (n even) with pair weights in row-major
/// upper-triangle order (as csp_pair_sums). dp must hold 2^n values.
template <class T>
T csp_min_matching(const T* pairs, std::size_t n, T* dp) noexcept {
    // square weight matrix from the row-major upper triangle
    T w[csp_max_matching][csp_max_matching];
    for (std::size_t j = 0, p = 0; j < n; ++j)
        for (std::size_t k = j + 1; k < n; ++k) w[j][k] = pairs[p++];
    const std::uint32_t full = (std::uint32_t(1) << n) - 1;
    const T inf = std::numeric_limits<T>::infinity();
    std::fill(dp, dp + full + 1, inf);
    dp[0] = 0;
    for (std::uint32_t mask = 0; mask < full; ++mask) {
        const T base = dp[mask];
        if (base == inf) continue;  // unreachable: not a union of pairs containing a prefix
        // the lowest unmatched neighbour is paired next: every matching is reached exactly once
        const std::size_t j = std::size_t(std::countr_one(mask));
        const std::uint32_t with_j = mask | (std::uint32_t(1) << j);
        for (std::uint32_t free = ~with_j & full & ~((std::uint32_t(2) << j) - 1); free; free &= free - 1) {
            const std::size_t k = std::size_t(std::countr_zero(free));
            const std::uint32_t next = with_j | (std::uint32_t(1) << k);
            const T v = base + w[j][k];
            if (v < dp[next]) dp[next] = v;
        }
    }
    return dp[full];
}

/// Same minimum by depth-first branch and bound: pair the lowest free neighbour with each free
/// partner; prune when the partial sum plus a lower bound of the rest (half of each free
/// neighbour's smallest weight) reaches the best complete matching so far (seeded by a greedy
/// matching). Exact up to rounding in the bound (a pruned branch can beat the result by at
/// most an ulp or so). Near-centrosymmetric neighbourhoods cut almost every branch at once.
/// Used for N <= 12 (at most 10 395 leaves); the DP above for larger N.
template <class T>
struct csp_matcher {
    T w[csp_max_matching][csp_max_matching];
    T half_min[csp_max_matching];  ///< half of each neighbour's smallest weight: a lower bound
    std::uint32_t full;
    T best;

    /// rest: sum of half_min over the free neighbours, a lower bound of their matching's cost
    void dive(std::uint32_t used, T acc, T rest) noexcept {
        if (used == full) {
            if (acc < best) best = acc;
            return;
        }
        const std::size_t j = std::size_t(std::countr_one(used));
        const std::uint32_t with_j = used | (std::uint32_t(1) << j);
        for (std::uint32_t free = ~with_j & full; free; free &= free - 1) {
            const std::size_t k = std::size_t(std::countr_zero(free));
            const T v = acc + w[j][k];
            const T r = rest - half_min[j] - half_min[k];
            if (v + r < best) dive(with_j | (std::uint32_t(1) << k), v, r);
        }
    }
};

template <class T>
T csp_min_matching_bb(const T* pairs, std::size_t n) noexcept {
    csp_matcher<T> m;
    for (std::size_t j = 0, p = 0; j < n; ++j)
        for (std::size_t k = j + 1; k < n; ++k) m.w[j][k] = m.w[k][j] = pairs[p++];
    m.full = (std::uint32_t(1) << n) - 1;
    T rest = 0;
    for (std::size_t j = 0; j < n; ++j) {
        T lo = std::numeric_limits<T>::infinity();
        for (std::size_t k = 0; k < n; ++k)
            if (k != j && m.w[j][k] < lo) lo = m.w[j][k];
        m.half_min[j] = lo / 2;
        rest += m.half_min[j];
    }
    // greedy seed: the lowest free neighbour takes its nearest-to-opposite free partner
    T greedy = 0;
    for (std::uint32_t used = 0; used != m.full;) {
        const std::size_t j = std::size_t(std::countr_one(used));
        used |= std::uint32_t(1) << j;
        std::size_t best_k = 0;
        T best_w = std::numeric_limits<T>::infinity();
        for (std::uint32_t free = ~used & m.full; free; free &= free - 1) {
            const std::size_t k = std::size_t(std::countr_zero(free));
            if (m.w[j][k] < best_w) best_w = m.w[j][k], best_k = k;
        }
        used |= std::uint32_t(1) << best_k;
        greedy += best_w;
    }
    // strictly above the greedy sum, so the search itself finds (and sums) the optimum
    m.best = std::nextafter(greedy, std::numeric_limits<T>::infinity());
    m.dive(0, T(0), rest);
    return m.best;
}

}  // namespace detail

template <class Arch = xsimd::default_arch>
struct basic_csp {
    static constexpr neighbor_need need = neighbor_need::sorted_nearest;

    std::size_t num_neighbors = 12;  ///< N: 12 for fcc, 8 for bcc; even
    csp_mode mode = csp_mode::conventional;

    neighbor_request request() const { return neighbor_request::nearest_k(num_neighbors); }

    std::vector<std::string> columns(const particle_properties&) const { return {"csp"}; }

    void prepare(const neighbor_stage_info& stage, const particle_properties&) const {
        const std::size_t limit =
            mode == csp_mode::matching ? detail::csp_max_matching : detail::csp_max_conventional;
        std::ostringstream os;
        if (num_neighbors < 2 || num_neighbors % 2 != 0)
            os << "csp: the number of neighbours N must be even and at least 2, got " << num_neighbors;
        else if (num_neighbors > limit)
            os << "csp: N = " << num_neighbors << " exceeds the limit of " << limit << " for "
               << (mode == csp_mode::matching ? "matching mode (2^N dynamic programming)" : "conventional mode");
        else if (stage.k < num_neighbors)
            os << "csp: needs the " << num_neighbors << " nearest neighbours but the stage provides k = " << stage.k
               << "; use tessera::nearest{" << num_neighbors << "} or more";
        if (!os.str().empty()) throw error(os.str());
    }

    template <class T>
    void compute(const particle_row<T>& row, output_row<T> out) const {
        out[0] = value(row.vectors);
    }

    /// CSP of one neighbourhood (bond vectors sorted by distance; the first N are used).
    template <class T>
    T value(std::span<const vec3<T>> bonds) const {
        const std::size_t n = num_neighbors;
        if (bonds.size() < n) return std::numeric_limits<T>::quiet_NaN();  // undefined (file comment)
        thread_local detail::csp_scratch<T> s;
        for (std::size_t k = 0; k < n; ++k) {
            s.x[k] = bonds[k].x;
            s.y[k] = bonds[k].y;
            s.z[k] = bonds[k].z;
        }
        detail::csp_pair_sums<Arch>(s.x.data(), s.y.data(), s.z.data(), n, s.pairs.data());
        const std::size_t m = n * (n - 1) / 2;
        if (mode == csp_mode::conventional) return detail::csp_smallest_sum_simd<Arch>(s.pairs.data(), m, n / 2);
        if (n <= 12) return detail::csp_min_matching_bb(s.pairs.data(), n);
        thread_local std::vector<T> dp;  // grown once per thread, never per particle
        if (dp.size() < (std::size_t(1) << n)) dp.resize(std::size_t(1) << detail::csp_max_matching);
        return detail::csp_min_matching(s.pairs.data(), n, dp.data());
    }
};

/// The centrosymmetry parameter on the default SIMD architecture.
using csp = basic_csp<>;

}  // namespace tessera
