#pragma once
// One frame read ahead: a thread of its own parses the next selected frame of a trajectory while
// the command works on the current one, so that parsing (a tenth of `tessera compute`'s time)
// overlaps the computation instead of adding to it. Frames come out in file order with their
// index; a read error comes out in its place, after every frame before it was handed over (so a
// command writes those first, exactly as when it read them itself). Two frames exist at a time:
// the caller's and the one being read; each next() swaps them, so both keep their storage.
// Used by for_each_selected_frame (common.hpp).
#include <tessera/core/frame.hpp>
#include <tessera/io/trajectory_reader.hpp>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>
#include <utility>

namespace tessera::cli {

/// Selection: anything with selects(index) and finished(index) (frame_selection::resolved).
template <class Selection>
class frame_prefetcher {
public:
    struct item {
        std::size_t index = 0;        ///< 0-based position of the frame in the file
        std::uint64_t consumed = 0;   ///< input bytes read once this frame was (for progress)
    };

    /// Starts reading at once. `reader` must outlive this object and is used only by its thread
    /// until this object is destroyed. With `ahead` false there is no thread: next() reads.
    frame_prefetcher(trajectory_reader& reader, Selection selection, bool ahead = true)
        : reader_(reader), selection_(selection) {
        if (!ahead) return;
        try {
            worker_ = std::thread([this] { run(); });
        } catch (const std::system_error&) {  // no thread to be had: read on the caller's
        }
    }
    ~frame_prefetcher() {
        if (!worker_.joinable()) return;
        {
            const std::lock_guard lock(mutex_);
            stop_ = true;
        }
        changed_.notify_all();
        worker_.join();  // the thread stops between frames: skipping a long stride ends early
    }
    frame_prefetcher(const frame_prefetcher&) = delete;
    frame_prefetcher& operator=(const frame_prefetcher&) = delete;

    /// Swaps the next selected frame into `f` (f's previous contents go back to the reading
    /// thread, which reuses their storage); nullopt after the last one. Rethrows the reader's
    /// error when it is the next thing in the file.
    std::optional<item> next(frame& f) {
        if (!worker_.joinable()) {
            auto got = read_next(f);
            if (!got) end_index_ = index_;
            return got;
        }
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return ready_ || done_; });
        if (!ready_) {
            if (error_) std::rethrow_exception(error_);
            return std::nullopt;
        }
        std::swap(f, reading_);
        ready_ = false;
        const item it = item_;
        lock.unlock();
        changed_.notify_all();
        return it;
    }

    /// After next() returned nullopt: the index at which reading stopped (the number of frames
    /// when the file ended, else the index the selection finished at).
    std::size_t end_index() const {
        const std::lock_guard lock(mutex_);
        return end_index_;
    }

private:
    /// The next selected frame into f, or nullopt at the end (index_ then says where).
    std::optional<item> read_next(frame& f) {
        for (;; ++index_) {
            if (selection_.finished(index_) || stop_) return std::nullopt;
            if (!selection_.selects(index_)) {
                if (!reader_.skip()) return std::nullopt;
                continue;
            }
            if (!reader_.next(f)) return std::nullopt;
            return item{index_++, reader_.input_consumed()};
        }
    }

    void run() {
        try {
            for (;;) {
                {
                    std::unique_lock lock(mutex_);  // wait until the caller took the last frame
                    changed_.wait(lock, [&] { return !ready_ || stop_; });
                    if (stop_) return;
                }
                const auto got = read_next(reading_);  // reading_ is this thread's while !ready_
                const std::lock_guard lock(mutex_);
                if (!got) {
                    end_index_ = index_;
                    done_ = true;
                    break;
                }
                item_ = *got;
                ready_ = true;
                changed_.notify_all();
            }
        } catch (...) {
            const std::lock_guard lock(mutex_);
            error_ = std::current_exception();
            done_ = true;
        }
        changed_.notify_all();
    }

    trajectory_reader& reader_;
    const Selection selection_;
    frame reading_;  ///< the frame being read, or (ready_) waiting for the caller
    item item_{};
    bool ready_ = false, done_ = false;
    std::atomic<bool> stop_ = false;  ///< also read, without the lock, between skipped frames
    std::size_t index_ = 0;  ///< next frame of the file to look at (the reading side's)
    std::size_t end_index_ = 0;
    std::exception_ptr error_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::thread worker_;  ///< started in the constructor's body, after every member exists
};

}  // namespace tessera::cli
