// tests for core/execution.hpp: chunked loops under serial_policy and openmp_policy.
//
// Every thread-invariance test in this suite compares openmp_policy{1} with {2} or {N}. Built
// without OpenMP, openmp_policy runs serially and those tests compare a result with itself: they
// cannot fail. The first case below makes that build fail instead (unless CMake reported the gap
// as the skipped ctest entry peer_missing.openmp, TESSERA_TEST_ALLOW_NO_OPENMP).
#include <tessera/core/execution.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <thread>
#include <vector>

#if defined(_OPENMP)
#include <omp.h>
#endif

using namespace tessera;

TEST_CASE("execution: openmp_policy{2} really runs chunks on two threads", "[execution][threads]") {
#if defined(_OPENMP)
    std::vector<int> thread_of_chunk(64, -1);
    detail::for_each_chunk(openmp_policy{2}, 64 * 10, 10, [&](std::size_t c, std::size_t, std::size_t) {
        thread_of_chunk[c] = omp_get_thread_num();
        // a chunk that sleeps hands the core to the other thread even on a loaded machine
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
    const std::set<int> threads(thread_of_chunk.begin(), thread_of_chunk.end());
    CHECK(threads.count(-1) == 0);  // every chunk ran
    CHECK(threads == std::set<int>{0, 1});
#elif defined(TESSERA_TEST_ALLOW_NO_OPENMP)
    WARN("built without OpenMP: thread-invariance tests compare serial with serial (ctest peer_missing.openmp)");
#else
    FAIL("built without OpenMP: every thread-invariance test would compare serial with serial");
#endif
}

TEST_CASE("execution: chunks cover 0 .. n-1 once, in order, for every policy and chunk size", "[execution]") {
    for (const std::size_t n : {0u, 1u, 7u, 64u, 1000u}) {
        for (const std::size_t chunk : {1u, 3u, 64u, 5000u}) {
            const std::size_t count = (n + chunk - 1) / chunk;
            std::vector<std::size_t> covered(n, 0), begins(count, n + 1), ends(count, n + 1);
            auto body = [&](std::size_t c, std::size_t b, std::size_t e) {
                begins[c] = b;
                ends[c] = e;
                for (std::size_t i = b; i < e; ++i) ++covered[i];
            };
            for (int threads : {1, 2, 3}) {
                std::fill(covered.begin(), covered.end(), 0);
                detail::for_each_chunk(openmp_policy{threads}, n, chunk, body);
                for (std::size_t i = 0; i < n; ++i) REQUIRE(covered[i] == 1);
                for (std::size_t c = 0; c < count; ++c) {
                    REQUIRE(begins[c] == c * chunk);
                    REQUIRE(ends[c] == std::min(n, (c + 1) * chunk));
                }
            }
            std::fill(covered.begin(), covered.end(), 0);
            detail::for_each_chunk(serial, n, chunk, body);
            for (std::size_t i = 0; i < n; ++i) REQUIRE(covered[i] == 1);
        }
    }
}
