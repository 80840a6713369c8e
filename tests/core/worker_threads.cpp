// core/worker_threads.hpp: every worker runs once, results land in their own slots whatever the
// worker count, the first exception is rethrown after every worker has finished.
#include <tessera/core/error.hpp>
#include <tessera/core/worker_threads.hpp>

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <thread>
#include <vector>

using namespace tessera;

TEST_CASE("run_workers: interleaved items give the same slots for any worker count", "[core][threads]") {
    const std::size_t items = 37;
    std::vector<double> one(items), many(items);
    auto fill = [&](std::vector<double>& out, unsigned workers) {
        run_workers(workers, [&](unsigned w) {
            for (std::size_t j = w; j < items; j += workers) out[j] = double(j * j) + 0.5;
        });
    };
    fill(one, 1);
    fill(many, 5);
    CHECK(one == many);
    for (std::size_t j = 0; j < items; ++j) CHECK(one[j] == double(j * j) + 0.5);
}

TEST_CASE("run_workers: worker 0 runs in the calling thread, the others on their own", "[core][threads]") {
    const auto caller = std::this_thread::get_id();
    std::thread::id seen;
    run_workers(1, [&](unsigned w) {
        CHECK(w == 0);
        seen = std::this_thread::get_id();
    });
    CHECK(seen == caller);
    std::atomic<int> calls{0}, off_caller{0}, zero_on_caller{0};
    run_workers(4, [&](unsigned w) {
        ++calls;
        if (std::this_thread::get_id() != caller) ++off_caller;
        if (w == 0 && std::this_thread::get_id() == caller) ++zero_on_caller;
    });
    CHECK(calls == 4);
    CHECK(off_caller == 3);
    CHECK(zero_on_caller == 1);
}

TEST_CASE("run_workers: the first exception is rethrown after every worker finished", "[core][threads]") {
    std::atomic<int> finished{0};
    CHECK_THROWS_AS(run_workers(3,
                                [&](unsigned w) {
                                    if (w == 1) throw error("worker 1 failed");
                                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                                    ++finished;
                                }),
                    error);
    CHECK(finished == 2);  // workers 0 and 2 were not abandoned
    CHECK_THROWS_WITH(run_workers(1, [](unsigned) { throw error("inline failure"); }), Catch::Contains("inline failure"));
}
