#pragma once
// The streaming skeleton shared by the two-frame measures `tessera lens` and `tessera timesoap`:
// each selected frame is compared with the one `delta` selected frames before it, keeping only
// the last `delta` frames' states and reusing the storage of the state that leaves the window.
#include <tessera/core/error.hpp>

#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <utility>

namespace tessera::cli {

template <class State>
class delta_window {
public:
    explicit delta_window(std::size_t delta) : delta_(delta) {}
    /// Storage for the next frame's state (the state that last left the window, or empty).
    State take_storage() { return std::move(spare_); }
    /// The state `delta` frames before the next one, once that many were pushed; else nullptr.
    const State* partner() const noexcept { return frames_.size() == delta_ ? &frames_.front() : nullptr; }
    /// Adds the newest frame's state (the oldest leaves when the window is full).
    void push(State&& s) {
        if (frames_.size() == delta_) {
            spare_ = std::move(frames_.front());
            frames_.pop_front();
        }
        frames_.push_back(std::move(s));
    }

private:
    std::size_t delta_;
    std::deque<State> frames_;
    State spare_{};
};

/// Runs compare(); a "set of atoms changed" error gets the hint that --intersect compares the
/// atoms common to both frames.
template <class Compare>
void compare_with_intersect_hint(Compare&& compare) {
    try {
        compare();
    } catch (const error& e) {
        if (std::string_view(e.what()).find("set of atoms changed") == std::string_view::npos) throw;
        throw error(e.what(), "; --intersect compares the atoms common to both frames");
    }
}

/// No frame written: fewer than delta + 1 frames were selected.
inline void require_frame_pairs(std::size_t written, std::size_t used, std::size_t delta, const std::string& input,
                                const char* measure) {
    if (written == 0)
        throw error(input + ": " + std::to_string(used) + " selected frame(s); " + measure + " with --delta " +
                    std::to_string(delta) + " needs at least " + std::to_string(delta + 1));
}

}  // namespace tessera::cli
