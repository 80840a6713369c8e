#pragma once
// Shared pieces of the `tessera` command: opening trajectories by format, frame selection,
// terminal progress. Library code never prints; the command does, to stderr only.
#include <tessera/core/error.hpp>
#include <tessera/core/frame.hpp>
#include <tessera/io/extxyz.hpp>
#include <tessera/io/lammps_dump.hpp>

#include <CLI/CLI.hpp>

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

/// A trajectory reader chosen by file name: *.xyz / *.extxyz (optionally .gz) are extended XYZ,
/// everything else a LAMMPS text dump.
class trajectory_reader {
public:
    explicit trajectory_reader(const std::filesystem::path& path) : reader_(open(path)) {}
    bool next(frame& f) {
        return std::visit([&](auto& r) { return r.next(f); }, reader_);
    }
    bool skip() {
        return std::visit([&](auto& r) { return r.skip(); }, reader_);
    }

private:
    using any_reader = std::variant<lammps_dump_reader, extxyz_reader>;
    static any_reader open(const std::filesystem::path& path) {
        if (!std::filesystem::exists(path)) throw error(path.string() + ": no such file");
        std::string name = path.filename().string();
        if (name.size() > 3 && name.ends_with(".gz")) name.resize(name.size() - 3);
        if (name.ends_with(".xyz") || name.ends_with(".extxyz")) return any_reader(std::in_place_type<extxyz_reader>, path);
        return any_reader(std::in_place_type<lammps_dump_reader>, path);
    }
    any_reader reader_;
};

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

/// One line of progress on stderr, only when stderr is a terminal.
class progress {
public:
    explicit progress(std::string what) : what_(std::move(what)), enabled_(isatty(STDERR_FILENO) == 1) {}
    void frame(std::size_t count, std::int64_t timestep) const {
        if (enabled_) std::fprintf(stderr, "\r%s: frame %zu (timestep %lld)   ", what_.c_str(), count, (long long)timestep);
    }
    ~progress() {
        if (enabled_) std::fprintf(stderr, "\n");
    }

private:
    std::string what_;
    bool enabled_;
};

/// Reads `input` and calls fn(frame&, index) for every frame the --frames text selects (index:
/// 0-based position in the file), with terminal progress labelled `what` (none when null).
/// Returns how many frames fn saw; none at all is an error naming the file.
template <class Fn>
std::size_t for_each_selected_frame(const std::string& input, const std::string& frames, const char* what, Fn&& fn) {
    const frame_selection selection = frame_selection::parse(frames);
    trajectory_reader reader(input);
    std::optional<progress> bar;
    if (what) bar.emplace(what);
    frame f;
    std::size_t index = 0, used = 0;
    for (;; ++index) {
        if (selection.finished(index)) break;
        if (!selection.selects(index)) {
            if (!reader.skip()) break;
            continue;
        }
        if (!reader.next(f)) break;
        fn(f, index);
        ++used;
        if (bar) bar->frame(used, f.timestep);
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
