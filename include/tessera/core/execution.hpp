#pragma once
/// @file
/// Execution policies: `serial` and `openmp{threads}`.
///
/// Work is split into fixed-size chunks of consecutive particles whose results are concatenated
/// in chunk order, so every result is bit-identical for any thread count (no reduction order
/// depends on scheduling). Without OpenMP at compile time, `openmp` runs serially.
///
/// One caveat, from the compiler rather than the library: `serial_policy` and `openmp_policy`
/// are different template instantiations, and with FMA-capable targets (-march=native) the
/// compiler may contract floating-point expressions differently in each. openmp_policy{1} and
/// openmp_policy{N} always agree to the bit; serial and openmp agree to rounding (a few ulps), and
/// exactly wherever the result is an integer or a comparison far from its threshold.

#include <cstddef>
#include <type_traits>

#if defined(_OPENMP)
#include <omp.h>
#endif

namespace tessera {

struct serial_policy {};
inline constexpr serial_policy serial{};

struct openmp_policy {
    int threads = 0;  ///< 0: OpenMP's default (OMP_NUM_THREADS or the number of cores)
};

template <class P>
concept execution_policy = std::is_same_v<P, serial_policy> || std::is_same_v<P, openmp_policy>;

namespace detail {

/// Calls body(chunk_index, begin, end) for consecutive chunks of [0, n) of `chunk` items each.
/// Chunks may run concurrently under openmp_policy; body must only write chunk-private state.
template <class Body>
void for_each_chunk(serial_policy, std::size_t n, std::size_t chunk, Body&& body) {
    const std::size_t count = (n + chunk - 1) / chunk;
    for (std::size_t c = 0; c < count; ++c) body(c, c * chunk, c * chunk + chunk < n ? c * chunk + chunk : n);
}

template <class Body>
void for_each_chunk(openmp_policy policy, std::size_t n, std::size_t chunk, Body&& body) {
    const std::size_t count = (n + chunk - 1) / chunk;
#if defined(_OPENMP)
    const int threads = policy.threads > 0 ? policy.threads : omp_get_max_threads();
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (std::ptrdiff_t c = 0; c < static_cast<std::ptrdiff_t>(count); ++c) {
        const std::size_t b = static_cast<std::size_t>(c) * chunk;
        body(static_cast<std::size_t>(c), b, b + chunk < n ? b + chunk : n);
    }
#else
    (void)policy;
    for (std::size_t c = 0; c < count; ++c) body(c, c * chunk, c * chunk + chunk < n ? c * chunk + chunk : n);
#endif
}

/// A chunk size giving each worker a few chunks (for dynamic balance) but no more, for loops
/// whose chunks carry O(n) scratch (e.g. a stamp array over all particles): serial = one chunk.
inline std::size_t few_chunks(serial_policy, std::size_t n) noexcept { return n > 0 ? n : 1; }
inline std::size_t few_chunks(openmp_policy policy, std::size_t n) noexcept {
#if defined(_OPENMP)
    const std::size_t workers = std::size_t(policy.threads > 0 ? policy.threads : omp_get_max_threads());
#else
    (void)policy;
    const std::size_t workers = 1;
#endif
    const std::size_t c = (n + 4 * workers - 1) / (4 * workers);
    return c > 0 ? c : 1;
}

}  // namespace detail
}  // namespace tessera
