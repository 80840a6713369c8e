#pragma once
/// @file
/// The per-row loops of eam_potential (physics/eam.hpp): the density sum ρ_i of pass 1 and the
/// force/energy/virial sums of pass 2, over the bonds of one row of a full neighbour list.
///
/// Tables are packed per ordered type pair (t_i, t_j) so one bond reads one place (eam.hpp
/// builds them): `rho` holds, for m = 0..n_r, the 4 value coefficients of ρ_{t_j→t_i} (one
/// 32-byte block); `force` holds 16 doubles per m (two cache lines): r·φ value coefficients
/// 3..6, its derivative coefficients 0..2, a pad, then the derivative coefficients 0..2 of
/// ρ_{t_i→t_j}' (LAMMPS's rhoip) and of ρ_{t_j→t_i}' (rhojp), two pads. A row's tables start at
/// `tab + t_i·n_t·stride` and a neighbour of type t_j adds t_j·stride.
///
/// Each function exists twice: a scalar loop (the reference, and the path for targets xsimd has
/// no double batch for) and an xsimd loop over batches of bonds (Arch defaults to
/// xsimd::default_arch, so it follows the build's -march like neighbors/detail/distance_filter.hpp).
/// The SIMD loop copies up to `segment` bonds at a time into aligned scratch on the stack (bond
/// vectors de-interleaved, the neighbour's table offset and F'_j looked up, the tail padded with
/// a masked bond), then evaluates every lane with the scalar loop's operations in the same order,
/// LAMMPS's PairEAM::compute per bond: p = r·(1/δ) + 1, m = min(⌊p⌋, n_r − 1), p = min(p − m, 1),
/// Horner with the gathered coefficients. Only the order of the per-row sums differs (lane
/// partial sums, then in lane order), so scalar and SIMD agree to rounding; both depend on
/// nothing but the row, so results stay bitwise independent of the thread count.
///
/// ⌊p⌋ and the gather indices use the 2^52 trick (exact for 0 ≤ p < 2^51; bonds are finite and
/// r < cutoff for every unmasked lane, and m is clamped before the index is formed).

#include <tessera/core/detail/simd_mask.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/neighbors/neighbor_list.hpp>

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <type_traits>

namespace tessera::detail {

/// What the row loops share: table spacing, last interval, cutoff², packed tables and strides.
struct eam_row_params {
    double rdr = 0;          ///< 1/δ_r
    double mmax = 0;         ///< n_r − 1 (last interval), as a double
    int mmax_int = 0;        ///< n_r − 1
    double cutsq = 0;        ///< cutoff²
    std::size_t rho_stride = 0, force_stride = 0;  ///< doubles per type pair: (n_r + 1)·4, ·16
};

inline constexpr std::size_t eam_no_bad_bond = std::numeric_limits<std::size_t>::max();

/// Is bond (j, r²) unusable: a neighbour without a row, a zero or non-finite distance.
inline bool eam_bad_bond(std::size_t j, double rsq, std::size_t n) noexcept {
    return j >= n || !(rsq > 0.0 && rsq < std::numeric_limits<double>::infinity());
}

// ---------------------------------------------------------------------------------------------
// Scalar reference.

/// ρ_i of row (nb, d2); `bad` gets the first unusable bond's position in the row (or stays).
inline double eam_density_row_scalar(std::span<const neighbor_index> nb, std::span<const double> d2,
                                     const int* types, std::size_t n, const double* tab_i,
                                     const eam_row_params& q, std::size_t& bad) {
    double rho = 0.0;
    for (std::size_t k = 0; k < nb.size(); ++k) {
        const double rsq = d2[k];
        if (eam_bad_bond(nb[k], rsq, n)) {
            if (bad == eam_no_bad_bond) bad = k;
            continue;
        }
        if (!(rsq < q.cutsq)) continue;
        double p = std::sqrt(rsq) * q.rdr + 1.0;
        int m = static_cast<int>(p);
        m = std::min(m, q.mmax_int);
        p -= m;
        p = std::min(p, 1.0);
        const double* c = tab_i + std::size_t(types[nb[k]] - 1) * q.rho_stride + std::size_t(m) * 4;
        rho += ((c[0] * p + c[1]) * p + c[2]) * p + c[3];
    }
    return rho;
}

/// Pass-2 sums of row i: {f_x, f_y, f_z, Σ ½φ, W_xx, W_yy, W_zz, W_xy, W_xz, W_yz}, each added to
/// `acc` (acc[3] starts at F(ρ_i), LAMMPS's order for pe/atom).
inline void eam_force_row_scalar(std::span<const neighbor_index> nb, std::span<const vec3<double>> vec,
                                 std::span<const double> d2, const int* types, const double* fp, double fpi,
                                 const double* tab_i, const eam_row_params& q, std::array<double, 10>& acc) {
    for (std::size_t k = 0; k < nb.size(); ++k) {
        const double rsq = d2[k];
        if (!(rsq < q.cutsq)) continue;
        const std::size_t j = nb[k];
        const double r = std::sqrt(rsq);
        double p = r * q.rdr + 1.0;
        int m = static_cast<int>(p);
        m = std::min(m, q.mmax_int);
        p -= m;
        p = std::min(p, 1.0);
        const double* c = tab_i + std::size_t(types[j] - 1) * q.force_stride + std::size_t(m) * 16;
        const double z2 = ((c[0] * p + c[1]) * p + c[2]) * p + c[3];
        const double z2p = (c[4] * p + c[5]) * p + c[6];
        const double rhoip = (c[8] * p + c[9]) * p + c[10];
        const double rhojp = (c[11] * p + c[12]) * p + c[13];
        const double recip = 1.0 / r;
        const double phi = z2 * recip;
        const double phip = z2p * recip - phi * recip;
        const double psip = fpi * rhojp + fp[j] * rhoip + phip;
        const double fpair = -psip * recip;
        // LAMMPS's del = r_i − r_j = −(bond vector)
        const double dx = -vec[k].x, dy = -vec[k].y, dz = -vec[k].z;
        acc[0] += dx * fpair;
        acc[1] += dy * fpair;
        acc[2] += dz * fpair;
        acc[3] += 0.5 * phi;
        acc[4] += 0.5 * (dx * dx * fpair);
        acc[5] += 0.5 * (dy * dy * fpair);
        acc[6] += 0.5 * (dz * dz * fpair);
        acc[7] += 0.5 * (dx * dy * fpair);
        acc[8] += 0.5 * (dx * dz * fpair);
        acc[9] += 0.5 * (dy * dz * fpair);
    }
}

// ---------------------------------------------------------------------------------------------
// xsimd.

/// Bonds staged per segment (a multiple of every batch width; 64·6 doubles = 3 KiB of stack).
inline constexpr std::size_t eam_segment = 64;

template <class Arch>
struct eam_simd {
    using batch = xsimd::batch<double, Arch>;
    using ibatch = xsimd::batch<std::int64_t, Arch>;
    static constexpr std::size_t W = batch::size;
    static_assert(eam_segment % W == 0);

    /// tab[idx[l]] per lane: the hardware gather where the build has one (xsimd 8.1's gather
    /// for avx512bw falls back to a scalar loop), else lane by lane through the stack.
    static batch gather(const double* tab, const ibatch& idx) {
#if defined(__AVX512F__)
        if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) {
            // the masked form: GCC 12 warns that the unmasked one reads an undefined source
            return _mm512_mask_i64gather_pd(_mm512_setzero_pd(), __mmask8(0xff), idx, tab, 8);
        } else
#endif
#if defined(__AVX2__)
        if constexpr (std::is_base_of_v<xsimd::avx2, Arch>) {
            return _mm256_mask_i64gather_pd(_mm256_setzero_pd(), tab, idx, _mm256_castsi256_pd(_mm256_set1_epi64x(-1)), 8);
        } else
#endif
        {
            alignas(64) std::int64_t i[W];
            alignas(64) double v[W];
            idx.store_aligned(i);
            for (std::size_t l = 0; l < W; ++l) v[l] = tab[i[l]];
            return batch::load_aligned(v);
        }
    }

    /// Σ of the lanes, in lane order (no xsimd::hadd: GCC 12 warns inside its AVX-512 version).
    static double lane_sum(const batch& b) {
        alignas(64) double v[W];
        b.store_aligned(v);
        double s = 0.0;
        for (std::size_t l = 0; l < W; ++l) s += v[l];
        return s;
    }

    /// m = min(⌊p⌋, mmax) and p − m clamped to 1; returns m·stride + off as gather indices.
    static ibatch locate(batch& p, const batch& off, double stride, const eam_row_params& q) {
        const batch big(4503599627370496.0);  // 2^52
        batch m = (p + big) - big;             // p rounded to nearest
        m = xsimd::select(m > p, m - batch(1.0), m);
        m = xsimd::min(m, batch(q.mmax));
        p = xsimd::min(p - m, batch(1.0));
        const batch idx = m * batch(stride) + off + big;
        return xsimd::bitwise_cast<ibatch>(idx) - xsimd::bitwise_cast<ibatch>(big);
    }

    static double density_row(std::span<const neighbor_index> nb, std::span<const double> d2, const int* types,
                              std::size_t n, const double* tab_i, const eam_row_params& q, std::size_t& bad) {
        alignas(64) double rs[eam_segment], off[eam_segment];
        batch acc(0.0);
        const batch cut(q.cutsq), rdr(q.rdr), one(1.0);
        for (std::size_t s = 0; s < nb.size(); s += eam_segment) {
            const std::size_t len = std::min(eam_segment, nb.size() - s);
            for (std::size_t k = 0; k < len; ++k) {
                const std::size_t j = nb[s + k];
                const double rsq = d2[s + k];
                if (eam_bad_bond(j, rsq, n)) {
                    if (bad == eam_no_bad_bond) bad = s + k;
                    rs[k] = q.cutsq;  // masked
                    off[k] = 0.0;
                    continue;
                }
                rs[k] = rsq;
                off[k] = double(std::size_t(types[j] - 1) * q.rho_stride);
            }
            const std::size_t padded = (len + W - 1) / W * W;
            for (std::size_t k = len; k < padded; ++k) {
                rs[k] = q.cutsq;
                off[k] = 0.0;
            }
            alignas(64) double pp[eam_segment];  // staged as in force_row (see there)
            alignas(64) std::int64_t ix[eam_segment] = {};  // {}: GCC cannot see stage 1 fill [0, len)
            for (std::size_t k = 0; k < padded; k += W) {
                batch p = xsimd::sqrt(batch::load_aligned(rs + k)) * rdr + one;
                locate(p, batch::load_aligned(off + k), 4.0, q).store_aligned(ix + k);
                p.store_aligned(pp + k);
            }
            for (std::size_t k = 0; k < len; ++k) __builtin_prefetch(tab_i + ix[k]);
            for (std::size_t k = 0; k < padded; k += W) {
                const batch rsq = batch::load_aligned(rs + k), p = batch::load_aligned(pp + k);
                const ibatch idx = ibatch::load_aligned(ix + k);
                const batch c0 = gather(tab_i, idx), c1 = gather(tab_i + 1, idx);
                const batch c2 = gather(tab_i + 2, idx), c3 = gather(tab_i + 3, idx);
                const batch v = ((c0 * p + c1) * p + c2) * p + c3;
                acc += xsimd::select(rsq < cut, v, batch(0.0));
            }
        }
        return lane_sum(acc);
    }

    static void force_row(std::span<const neighbor_index> nb, std::span<const vec3<double>> vec,
                          std::span<const double> d2, const int* types, const double* fp, double fpi,
                          const double* tab_i, const eam_row_params& q, std::array<double, 10>& out) {
        alignas(64) double rs[eam_segment], off[eam_segment], fj[eam_segment];
        alignas(64) double bx[eam_segment], by[eam_segment], bz[eam_segment];
        const batch cut(q.cutsq), rdr(q.rdr), one(1.0), half(0.5), zero(0.0), fpi_b(fpi);
        batch a[10];
        for (auto& x : a) x = zero;
        for (std::size_t s = 0; s < nb.size(); s += eam_segment) {
            const std::size_t len = std::min(eam_segment, nb.size() - s);
            for (std::size_t k = 0; k < len; ++k) {
                const std::size_t j = nb[s + k];
                rs[k] = d2[s + k];
                off[k] = double(std::size_t(types[j] - 1) * q.force_stride);
                fj[k] = fp[j];
                bx[k] = -vec[s + k].x;  // LAMMPS's del = r_i − r_j
                by[k] = -vec[s + k].y;
                bz[k] = -vec[s + k].z;
            }
            const std::size_t padded = (len + W - 1) / W * W;
            for (std::size_t k = len; k < padded; ++k) {
                rs[k] = q.cutsq;
                off[k] = fj[k] = bx[k] = by[k] = bz[k] = 0.0;
            }
            // Stage 1: r, p and the table index of every bond; stage 2: prefetch the 128-byte
            // blocks, so the table misses of 64 bonds overlap instead of each stalling its bond.
            alignas(64) double rr[eam_segment], pp[eam_segment];
            alignas(64) std::int64_t ix[eam_segment] = {};  // {}: GCC cannot see stage 1 fill [0, len)
            for (std::size_t k = 0; k < padded; k += W) {
                const batch r = xsimd::sqrt(batch::load_aligned(rs + k));
                batch p = r * rdr + one;
                locate(p, batch::load_aligned(off + k), 16.0, q).store_aligned(ix + k);
                r.store_aligned(rr + k);
                p.store_aligned(pp + k);
            }
            for (std::size_t k = 0; k < len; ++k) {
                __builtin_prefetch(tab_i + ix[k]);
                __builtin_prefetch(tab_i + ix[k] + 8);
            }
            for (std::size_t k = 0; k < padded; k += W) {
                const batch rsq = batch::load_aligned(rs + k);
                const batch r = batch::load_aligned(rr + k), p = batch::load_aligned(pp + k);
                const ibatch idx = ibatch::load_aligned(ix + k);
                const auto g = [&](std::size_t c) { return gather(tab_i + c, idx); };
                const batch z2 = ((g(0) * p + g(1)) * p + g(2)) * p + g(3);
                const batch z2p = (g(4) * p + g(5)) * p + g(6);
                const batch rhoip = (g(8) * p + g(9)) * p + g(10);
                const batch rhojp = (g(11) * p + g(12)) * p + g(13);
                const batch recip = one / r;
                const batch phi = z2 * recip;
                const batch phip = z2p * recip - phi * recip;
                const batch psip = fpi_b * rhojp + batch::load_aligned(fj + k) * rhoip + phip;
                const auto inside = rsq < cut;
                const batch fpair = xsimd::select(inside, -psip * recip, zero);
                const batch dx = batch::load_aligned(bx + k), dy = batch::load_aligned(by + k),
                            dz = batch::load_aligned(bz + k);
                a[0] += dx * fpair;
                a[1] += dy * fpair;
                a[2] += dz * fpair;
                a[3] += half * xsimd::select(inside, phi, zero);
                a[4] += half * (dx * dx * fpair);
                a[5] += half * (dy * dy * fpair);
                a[6] += half * (dz * dz * fpair);
                a[7] += half * (dx * dy * fpair);
                a[8] += half * (dx * dz * fpair);
                a[9] += half * (dy * dz * fpair);
            }
        }
        for (std::size_t c = 0; c < 10; ++c) out[c] += lane_sum(a[c]);
    }
};

}  // namespace tessera::detail
