#pragma once
/// @file
/// Coarse-grained workers on std::thread: `run_workers(T, work)` calls work(w) for w = 0 … T−1,
/// w = 0 in the calling thread and each other on a thread of its own, joins them all, and
/// rethrows the first exception any worker threw.
///
/// For tasks that each take milliseconds to seconds and own heavy private state — one relaxation
/// per frozen atom (physics/frozen_atoms.hpp), a batch of saddle searches per atom
/// (physics/activation_barriers.hpp), a batch of KPM random vectors (physics/kpm.hpp) — where each
/// worker copies an engine or a potential once and keeps it. (Fine-grained loops over particles
/// use core/execution.hpp's OpenMP chunks instead.)
///
/// Determinism is the caller's contract: worker w takes a fixed set of items (e.g. interleaved,
/// j = w, w + T, …) and writes each item's result to that item's own slot, so results do not
/// depend on T. A worker that throws stops its own items; the others finish theirs before the
/// exception is rethrown, so no thread outlives the call.

#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace tessera {

template <class Work>
void run_workers(unsigned workers, Work&& work) {
    if (workers <= 1) {
        work(0u);
        return;
    }
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto guarded = [&](unsigned w) {
        try {
            work(w);
        } catch (...) {
            const std::lock_guard<std::mutex> lock(failure_mutex);
            if (!failure) failure = std::current_exception();
        }
    };
    std::vector<std::thread> pool;
    pool.reserve(workers - 1);
    for (unsigned w = 1; w < workers; ++w) pool.emplace_back(guarded, w);
    guarded(0u);
    for (auto& t : pool) t.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace tessera
