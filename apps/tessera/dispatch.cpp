// The `tessera` launcher: runs the build of the command made for the best SIMD architecture this
// CPU (and its operating system) supports. CMakeLists.txt builds the command three times, each a
// complete program compiled for one architecture — tessera-sse2 (baseline x86-64),
// tessera-avx2 (AVX2+FMA+BMI2) and tessera-avx512 (AVX-512 F/CD/BW/DQ/VL) — installed in
// libexec/tessera/ (next to this launcher in a build tree); the launcher checks CPUID and
// replaces itself (execv) with one of them. Separate programs, not copies linked into one: a
// program's static initialisers (CLI11's validators, iostream) run before main(), so copies
// built for AVX linked into one binary would execute AVX instructions on every CPU before any
// check could choose; and separate programs share no inline function the linker could pick
// from the wrong copy.
//
// Only the subcommands that spend their time in SIMD kernels (kernel_subcommands.hpp) are in the
// AVX2 and AVX-512 builds; any other command line (learn, summary, msd, ..., a top-level --help)
// runs tessera-sse2, the complete program, whatever the CPU: it has no kernels to speed up, and
// building it once instead of three times saves a third of the command's build time.
//
// TESSERA_SIMD=sse2|avx2|avx512 forces a build for the kernel subcommands and for a bare
// --version (an error if the CPU lacks it): for tests and comparisons. Header-only users are not
// affected: their -march decides, as always.
// Compiled for the baseline, includes nothing of the library.
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include <unistd.h>

#include "kernel_subcommands.hpp"

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

/// Directory of this executable ("" if unknown).
std::string own_directory() {
    char path[PATH_MAX];
    const ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n <= 0) return {};
    path[n] = '\0';
    std::string s(path);
    const auto slash = s.rfind('/');
    return slash == std::string::npos ? std::string{} : s.substr(0, slash);
}

/// The build for `arch`: next to the launcher (build tree), else in ../libexec/tessera (installed).
std::string find_build(const std::string& dir, const char* arch) {
    for (const std::string& candidate :
         {dir + "/tessera-" + arch, dir + "/../libexec/tessera/tessera-" + arch})
        if (access(candidate.c_str(), X_OK) == 0) return candidate;
    return {};
}

/// Whether this command line goes to a SIMD build: its first word that is not an option names a
/// kernel subcommand, or it has no such word and asks for --version (which names the build).
/// The command's global options (-q, --quiet, --help, --version) take no value, so the first
/// non-option word is the subcommand.
bool wants_simd_build(int argc, char** argv) {
    bool version = false;
    for (int a = 1; a < argc; ++a) {
        const char* arg = argv[a];
        if (arg[0] != '-') return tessera::cli::is_kernel_subcommand(arg);
        if (std::strcmp(arg, "--") == 0) return false;
        if (std::strcmp(arg, "--version") == 0) version = true;
    }
    return version;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string dir = own_directory();
    const char* forced = std::getenv("TESSERA_SIMD");
    const char* chosen = nullptr;
    if (forced && *forced) {
        if (std::strcmp(forced, "sse2") == 0) {
            chosen = "sse2";
        } else if (std::strcmp(forced, "avx2") == 0) {
            if (!has_avx2()) {
                std::fprintf(stderr, "tessera: error: TESSERA_SIMD=avx2, but this CPU has no AVX2+FMA+BMI2\n");
                return 1;
            }
            chosen = "avx2";
        } else if (std::strcmp(forced, "avx512") == 0) {
            if (!has_avx512()) {
                std::fprintf(stderr, "tessera: error: TESSERA_SIMD=avx512, but this CPU has no AVX-512 F/CD/BW/DQ/VL\n");
                return 1;
            }
            chosen = "avx512";
        } else {
            std::fprintf(stderr, "tessera: error: TESSERA_SIMD='%s': expected sse2, avx2 or avx512\n", forced);
            return 1;
        }
    }
    // After the TESSERA_SIMD checks, so a misspelt value is an error for every command line.
    if (!wants_simd_build(argc, argv)) {
        const std::string exe = find_build(dir, "sse2");
        if (!exe.empty()) {
            setenv("TESSERA_SIMD_RUNNING", "sse2", 1);
            execv(exe.c_str(), argv);
            std::fprintf(stderr, "tessera: error: cannot run %s: %s\n", exe.c_str(), std::strerror(errno));
            return 1;
        }
        std::fprintf(stderr, "tessera: error: no build of the command found next to %s/tessera or in %s/../libexec/tessera\n",
                     dir.c_str(), dir.c_str());
        return 1;
    }
    const char* order[3];
    int count = 0;
    if (chosen) {
        order[count++] = chosen;  // forced: that build or nothing
    } else {
        if (has_avx512()) order[count++] = "avx512";
        if (has_avx2()) order[count++] = "avx2";
        order[count++] = "sse2";
    }
    for (int k = 0; k < count; ++k) {
        const std::string exe = find_build(dir, order[k]);
        if (exe.empty()) continue;
        setenv("TESSERA_SIMD_RUNNING", chosen ? (std::string(order[k]) + ", forced").c_str() : order[k], 1);
        execv(exe.c_str(), argv);
        std::fprintf(stderr, "tessera: error: cannot run %s: %s\n", exe.c_str(), std::strerror(errno));
        return 1;
    }
    std::fprintf(stderr, "tessera: error: no build of the command found next to %s/tessera or in %s/../libexec/tessera%s%s\n",
                 dir.c_str(), dir.c_str(), chosen ? " for TESSERA_SIMD=" : "", chosen ? chosen : "");
    return 1;
}
