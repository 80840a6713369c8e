#pragma once
// The subcommands whose time is spent in SIMD kernels (neighbour queries and descriptors). Only
// these are built for AVX2 and AVX-512 (tessera-avx2, tessera-avx512 hold nothing else); every
// other subcommand (learn, summary, msd, ...) spends its time in I/O or scalar loops and exists once,
// in the complete baseline program tessera-sse2. The launcher (dispatch.cpp) reads this list to
// route a command line; CMakeLists.txt's TESSERA_CLI_KERNEL_SOURCES must build the same
// subcommands (a mismatch is a link error: main.cpp registers exactly these in the SIMD builds).
// Included by dispatch.cpp, which uses nothing of the library: keep this header dependency-free.
#include <string_view>

namespace tessera::cli {
inline constexpr std::string_view kernel_subcommands[] = {"compute", "rdf", "lens", "timesoap", "events", "bonds", "d2min", "correlate"};

inline constexpr bool is_kernel_subcommand(std::string_view name) noexcept {
    for (std::string_view k : kernel_subcommands)
        if (k == name) return true;
    return false;
}
}  // namespace tessera::cli
