#pragma once
/// @file
/// `detail::popcount(x)`: the number of set bits, inline on every target. std::popcount compiles
/// to the POPCNT instruction only where the target has it (-mpopcnt, x86-64-v2 and up); on
/// baseline x86-64 it is a call into libgcc (__popcountdi2), which measured 27 % of a whole
/// `tessera compute` run (SIMD rank counts in the neighbour sort, CNA signatures). Without
/// POPCNT the SWAR count below (Hacker's Delight §5-1, a dozen ALU operations) is used instead.

#include <bit>
#include <cstdint>

namespace tessera::detail {

inline constexpr int popcount(std::uint64_t x) noexcept {
#if defined(__POPCNT__)
    return std::popcount(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return int((x * 0x0101010101010101ull) >> 56);
#endif
}

}  // namespace tessera::detail
