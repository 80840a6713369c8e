// main(): runs the copy of the command compiled for the best SIMD architecture this CPU (and its
// operating system) supports. CMakeLists.txt compiles every other source of apps/tessera once
// per architecture — baseline x86-64 (SSE2) in namespace tessera, AVX2+FMA in tessera_avx2,
// AVX-512 (F, CD, BW, DQ, VL) in tessera_avx512 (the namespace renamed by -Dtessera=...) — so
// every kernel, parser and writer of a copy is built for its architecture, and no inline
// function of the library is shared between copies. Functions outside tessera (the standard
// library, CLI11) may be shared: the linker keeps the first copy it sees, and the copies are
// linked lowest architecture first, so a shared function is never built for more than the CPU
// running it has.
//
// TESSERA_SIMD=sse2|avx2|avx512 forces a copy (an error if the CPU lacks it): for tests and
// comparisons. Header-only users are not affected: their -march decides, as always.
// This file is compiled once, for the baseline, and includes nothing of the library.
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace tessera::cli {
int run(int argc, char** argv, const char* simd);
}
#if defined(TESSERA_CLI_DISPATCH)
namespace tessera_avx2::cli {
int run(int argc, char** argv, const char* simd);
}
namespace tessera_avx512::cli {
int run(int argc, char** argv, const char* simd);
}
#endif

namespace {

bool has_avx2() {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2") &&
           __builtin_cpu_supports("popcnt");
#else
    return false;
#endif
}

bool has_avx512() {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    return has_avx2() && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") &&
           __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
#else
    return false;
#endif
}

}  // namespace

int main(int argc, char** argv) {
#if defined(TESSERA_CLI_DISPATCH)
    const char* forced = std::getenv("TESSERA_SIMD");
    if (forced && *forced) {
        if (std::strcmp(forced, "sse2") == 0) return tessera::cli::run(argc, argv, "sse2, forced");
        if (std::strcmp(forced, "avx2") == 0) {
            if (!has_avx2()) {
                std::fprintf(stderr, "tessera: error: TESSERA_SIMD=avx2, but this CPU has no AVX2+FMA\n");
                return 1;
            }
            return tessera_avx2::cli::run(argc, argv, "avx2, forced");
        }
        if (std::strcmp(forced, "avx512") == 0) {
            if (!has_avx512()) {
                std::fprintf(stderr, "tessera: error: TESSERA_SIMD=avx512, but this CPU has no AVX-512 F/CD/BW/DQ/VL\n");
                return 1;
            }
            return tessera_avx512::cli::run(argc, argv, "avx512, forced");
        }
        std::fprintf(stderr, "tessera: error: TESSERA_SIMD='%s': expected sse2, avx2 or avx512\n", forced);
        return 1;
    }
    if (has_avx512()) return tessera_avx512::cli::run(argc, argv, "avx512");
    if (has_avx2()) return tessera_avx2::cli::run(argc, argv, "avx2");
    return tessera::cli::run(argc, argv, "sse2");
#else
    return tessera::cli::run(argc, argv, "as compiled, no dispatch");
#endif
}
