#pragma once
// Shared pieces of the `tessera` command: opening trajectories by format, frame selection,
// terminal progress. Library code never prints; the command does, to stderr only.
#include <tessera/core/error.hpp>
#include <tessera/core/frame.hpp>
#include <tessera/io/trajectory_reader.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

#include <unistd.h>

namespace tessera::cli {

/// Python-style slice A:B:S over frame indices (0-based, B exclusive; empty parts = defaults).
struct frame_selection {
    std::size_t start = 0;
    std::optional<std::size_t> stop;
    std::size_t step = 1;

    static frame_selection parse(const std::string& text) {
        frame_selection s;
        if (text.empty()) return s;
        const auto c1 = text.find(':');
        const auto c2 = c1 == std::string::npos ? std::string::npos : text.find(':', c1 + 1);
        auto number = [&](const std::string& part, const char* what) -> std::optional<std::size_t> {
            if (part.empty()) return std::nullopt;
            std::size_t used = 0;
            long long v = -1;
            try {
                v = std::stoll(part, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used != part.size() || v < 0)
                throw error("--frames '" + text + "': " + what + " must be a non-negative integer, got '" + part + "'");
            return static_cast<std::size_t>(v);
        };
        if (c1 == std::string::npos) {  // a single frame index
            s.start = number(text, "the frame index").value();
            s.stop = s.start + 1;
            return s;
        }
        s.start = number(text.substr(0, c1), "start").value_or(0);
        s.stop = number(text.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1), "stop");
        if (c2 != std::string::npos) {
            s.step = number(text.substr(c2 + 1), "step").value_or(1);
            if (s.step == 0) throw error("--frames '" + text + "': step must be at least 1");
        }
        return s;
    }
    bool selects(std::size_t index) const {
        return index >= start && (!stop || index < *stop) && (index - start) % step == 0;
    }
    bool finished(std::size_t index) const { return stop && index >= *stop; }
};

/// Whether subcommands show progress (cleared by --quiet; see main.cpp).
inline bool show_progress = true;

/// One line of progress on stderr, only when stderr is a terminal and not --quiet: frames done
/// (of about how many, estimated from the bytes read of the file), atoms per second and the
/// time left, refreshed at most 5 times a second.
class progress {
public:
    progress(std::string what, std::uint64_t input_size)
        : what_(std::move(what)), size_(input_size), enabled_(show_progress && isatty(STDERR_FILENO) == 1),
          start_(std::chrono::steady_clock::now()), last_(start_) {}
    void frame(std::size_t count, std::int64_t timestep, std::size_t atoms, std::uint64_t consumed) {
        atoms_ += atoms;
        if (!enabled_) return;
        const auto now = std::chrono::steady_clock::now();
        if (now - last_ < std::chrono::milliseconds(200)) return;
        last_ = now;
        const double elapsed = std::chrono::duration<double>(now - start_).count();
        std::fprintf(stderr, "\r%s: frame %zu", what_.c_str(), count);
        const double done = size_ > 0 && consumed > 0 ? std::min(1.0, double(consumed) / double(size_)) : 0.0;
        if (done > 0) std::fprintf(stderr, " of ~%.0f", std::max(double(count), double(count) / done));
        const double rate = double(atoms_) / std::max(elapsed, 1e-9);
        std::fprintf(stderr, " (timestep %lld) | %.3g %satoms/s", (long long)timestep,
                     rate >= 1e6 ? rate / 1e6 : rate >= 1e3 ? rate / 1e3 : rate, rate >= 1e6 ? "M " : rate >= 1e3 ? "k " : "");
        if (done > 0 && done < 1) {
            const double left = elapsed * (1 - done) / done;
            if (left < 120) std::fprintf(stderr, " | ~%.0f s left", left);
            else std::fprintf(stderr, " | ~%.0f min left", left / 60);
        }
        std::fprintf(stderr, "   ");
        shown_ = true;
    }
    ~progress() {
        if (enabled_ && shown_) std::fprintf(stderr, "\n");
    }

private:
    std::string what_;
    std::uint64_t size_;
    bool enabled_, shown_ = false;
    std::size_t atoms_ = 0;
    std::chrono::steady_clock::time_point start_, last_;
};

/// Reads `input` and calls fn(frame&, index) for every frame the --frames text selects (index:
/// 0-based position in the file), with terminal progress labelled `what` (none when null).
/// fn may return bool: false stops reading after that frame (nothing more is needed).
/// Returns how many frames fn saw; none at all is an error naming the file.
template <class Fn>
std::size_t for_each_selected_frame(const std::string& input, const std::string& frames, const char* what, Fn&& fn) {
    const frame_selection selection = frame_selection::parse(frames);
    trajectory_reader reader(input);
    std::optional<progress> bar;
    if (what) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(input, ec);
        bar.emplace(what, ec ? 0 : std::uint64_t(size));
    }
    frame f;
    std::size_t index = 0, used = 0;
    for (;; ++index) {
        if (selection.finished(index)) break;
        if (!selection.selects(index)) {
            if (!reader.skip()) break;
            continue;
        }
        if (!reader.next(f)) break;
        bool more = true;
        if constexpr (std::is_same_v<std::invoke_result_t<Fn&, frame&, std::size_t>, bool>) more = fn(f, index);
        else fn(f, index);
        ++used;
        if (bar) bar->frame(used, f.timestep, f.natoms, reader.input_consumed());
        if (!more) break;
    }
    if (used == 0) throw error(input + ": no frame selected (the file has " + std::to_string(index) + " frames)");
    return used;
}

/// The options every trajectory subcommand shares.
inline void add_frames_option(CLI::App* sub, std::string& frames) {
    sub->add_option("--frames", frames, "frames to use, A:B:S (0-based, B exclusive) or one index");
}
/// --precision N for subcommands that write dumps (lammps_dump_writer::set_precision).
inline void add_precision_option(CLI::App* sub, int& precision) {
    sub->add_option("--precision", precision,
                     "significant digits of non-integer output values (printf %g; LAMMPS writes 6); 0, the "
                     "default: the shortest form that reads back bit for bit")
        ->check(CLI::Range(0, 17));
}
inline void add_threads_option(CLI::App* sub, int& threads) {
    sub->add_option("--threads", threads, "OpenMP threads (0: all cores); results do not depend on it")
        ->check(CLI::NonNegativeNumber);
}

}  // namespace tessera::cli
