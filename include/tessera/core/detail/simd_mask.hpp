#pragma once
/// @file
/// `bitmask(b)`: the lanes of an xsimd comparison result as an integer, bit l = lane l.
/// xsimd 8.1 (Debian 12) has no batch_bool::mask(), so the common x86 architectures read the
/// mask register directly (AVX-512 keeps comparisons in k-registers; AVX/SSE use movemask) and
/// any other architecture goes through a store to bools. Lets a kernel walk only the set lanes
/// (countr_zero) instead of testing every lane with a branch.

#include <xsimd/xsimd.hpp>

#include <cstddef>
#include <cstdint>
#include <type_traits>

#if defined(__SSE2__) || defined(__AVX__) || defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace tessera::detail {

/// Whether xsimd has a batch of T on Arch (float and double only: kernels fall back to scalar
/// code for other value types).
template <class T, class Arch>
inline constexpr bool has_batch = !std::is_void_v<Arch> && requires { typename xsimd::batch<T, Arch>; } &&
                                   (std::is_same_v<T, float> || std::is_same_v<T, double>);

template <class T, class Arch>
std::uint64_t bitmask(const xsimd::batch_bool<T, Arch>& b) noexcept {
    constexpr std::size_t W = xsimd::batch_bool<T, Arch>::size;
#if defined(__AVX512F__)
    if constexpr (std::is_base_of_v<xsimd::avx512f, Arch>) {
        return std::uint64_t(b.data);  // __mmask8 / __mmask16
    } else
#endif
#if defined(__AVX__)
    if constexpr (std::is_base_of_v<xsimd::avx, Arch> && std::is_same_v<T, double>) {
        return std::uint64_t(unsigned(_mm256_movemask_pd(b.data)));
    } else if constexpr (std::is_base_of_v<xsimd::avx, Arch> && std::is_same_v<T, float>) {
        return std::uint64_t(unsigned(_mm256_movemask_ps(b.data)));
    } else
#endif
#if defined(__SSE2__)
    if constexpr (std::is_base_of_v<xsimd::sse2, Arch> && std::is_same_v<T, double>) {
        return std::uint64_t(unsigned(_mm_movemask_pd(b.data)));
    } else if constexpr (std::is_base_of_v<xsimd::sse2, Arch> && std::is_same_v<T, float>) {
        return std::uint64_t(unsigned(_mm_movemask_ps(b.data)));
    } else
#endif
    {
        alignas(64) bool lanes[W];
        b.store_aligned(lanes);
        std::uint64_t m = 0;
        for (std::size_t l = 0; l < W; ++l) m |= std::uint64_t(lanes[l]) << l;
        return m;
    }
}

}  // namespace tessera::detail
