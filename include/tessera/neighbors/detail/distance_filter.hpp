#pragma once
/// @file
/// The cell list's hot loop: for a contiguous run of candidates stored as SoA, compute the bond
/// vector (x_k + shift) − q and keep those with |·|² < r². Written once, templated on the xsimd
/// architecture (default xsimd::default_arch, so an embedded kernel follows the host's -march);
/// the tail of a run goes through the same vector code on a padded copy, and a scalar path
/// serves value types xsimd has no batch for (and is the reference the tests compare with).
/// Scalar and SIMD agree to the last bit unless the compiler contracts one of them into FMAs
/// (-march with FMA): then |r|² may differ by an ulp.

#include <tessera/core/detail/simd_mask.hpp>
#include <tessera/core/vec.hpp>

#include <xsimd/xsimd.hpp>

#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

namespace tessera::detail {

/// Scalar reference path; also the tail of the SIMD path. emit(k, r, r2) is called for hits.
template <class T, class Emit>
void filter_candidates_scalar(const T* xs, const T* ys, const T* zs, std::size_t k0, std::size_t k1,
                              const vec3<T>& q, const vec3<T>& shift, T r2max, Emit& emit) {
    for (std::size_t k = k0; k < k1; ++k) {
        const T dx = (xs[k] + shift.x) - q.x;
        const T dy = (ys[k] + shift.y) - q.y;
        const T dz = (zs[k] + shift.z) - q.z;
        const T r2 = dx * dx + dy * dy + dz * dz;
        if (r2 < r2max) emit(k, vec3<T>{dx, dy, dz}, r2);
    }
}

template <class Arch = xsimd::default_arch, class T, class Emit>
void filter_candidates(const T* xs, const T* ys, const T* zs, std::size_t k0, std::size_t k1, const vec3<T>& q,
                       const vec3<T>& shift, T r2max, Emit& emit) {
    if constexpr (has_batch<T, Arch>) {
        using batch = xsimd::batch<T, Arch>;
        constexpr std::size_t W = batch::size;
        // Fold the image shift into the query once: (x + s) − q is computed as in the scalar path.
        const batch sx(shift.x), sy(shift.y), sz(shift.z), qx(q.x), qy(q.y), qz(q.z), cut(r2max);
        alignas(64) T bx[W], by[W], bz[W], b2[W];
        // One code path for every candidate, tail included (through a padded copy): a pair's
        // fate cannot depend on where it sits in a run — i.e. on the particle order — even
        // when the compiler contracts the arithmetic into FMAs.
        auto sweep = [&](const T* px, const T* py, const T* pz, std::size_t base, std::size_t count) {
            const batch dx = (batch::load_unaligned(px) + sx) - qx;
            const batch dy = (batch::load_unaligned(py) + sy) - qy;
            const batch dz = (batch::load_unaligned(pz) + sz) - qz;
            const batch r2 = dx * dx + dy * dy + dz * dz;
            if (!xsimd::any(r2 < cut)) return;  // most batches hold no neighbour
            dx.store_aligned(bx);
            dy.store_aligned(by);
            dz.store_aligned(bz);
            r2.store_aligned(b2);
            for (std::size_t l = 0; l < count; ++l)
                if (b2[l] < r2max) emit(base + l, vec3<T>{bx[l], by[l], bz[l]}, b2[l]);
        };
        std::size_t k = k0;
        for (; k + W <= k1; k += W) sweep(xs + k, ys + k, zs + k, k, W);
        if (k < k1) {
            alignas(64) T tx[W], ty[W], tz[W];
            const std::size_t rest = k1 - k;
            for (std::size_t l = 0; l < W; ++l) {  // pad with copies of the last candidate
                const std::size_t src = k + (l < rest ? l : rest - 1);
                tx[l] = xs[src];
                ty[l] = ys[src];
                tz[l] = zs[src];
            }
            sweep(tx, ty, tz, k, rest);
        }
    } else {
        filter_candidates_scalar(xs, ys, zs, k0, k1, q, shift, r2max, emit);
    }
}

/// Readable elements the padded filter may load past the end of a run (≥ the widest batch:
/// 16 floats on AVX-512).
inline constexpr std::size_t filter_padding = 16;

/// As filter_candidates, for arrays readable up to k1 + filter_padding (cell_list pads its SoA
/// arrays): the last, partial batch of a run is loaded in place and its extra lanes masked off,
/// instead of being copied; hits are found from the comparison bitmask (countr_zero), not by
/// testing each lane. Lane arithmetic is the same as in filter_candidates, so the results are
/// identical (the tests compare both, and the scalar path).
template <class Arch = xsimd::default_arch, class T, class Emit>
void filter_candidates_padded(const T* xs, const T* ys, const T* zs, std::size_t k0, std::size_t k1,
                              const vec3<T>& q, const vec3<T>& shift, T r2max, Emit& emit) {
    if constexpr (has_batch<T, Arch>) {
        using batch = xsimd::batch<T, Arch>;
        constexpr std::size_t W = batch::size;
        static_assert(W <= filter_padding);
        const batch sx(shift.x), sy(shift.y), sz(shift.z), qx(q.x), qy(q.y), qz(q.z), cut(r2max);
        alignas(64) T bx[W], by[W], bz[W], b2[W];
        for (std::size_t k = k0; k < k1; k += W) {
            const batch dx = (batch::load_unaligned(xs + k) + sx) - qx;
            const batch dy = (batch::load_unaligned(ys + k) + sy) - qy;
            const batch dz = (batch::load_unaligned(zs + k) + sz) - qz;
            const batch r2 = dx * dx + dy * dy + dz * dz;
            std::uint64_t hits = bitmask(r2 < cut);
            if (k1 - k < W) hits &= (std::uint64_t(1) << (k1 - k)) - 1;
            if (!hits) continue;  // most batches hold no neighbour
            dx.store_aligned(bx);
            dy.store_aligned(by);
            dz.store_aligned(bz);
            r2.store_aligned(b2);
            for (; hits; hits &= hits - 1) {
                const std::size_t l = std::size_t(std::countr_zero(hits));
                emit(k + l, vec3<T>{bx[l], by[l], bz[l]}, b2[l]);
            }
        }
    } else {
        filter_candidates_scalar(xs, ys, zs, k0, k1, q, shift, r2max, emit);
    }
}

}  // namespace tessera::detail
