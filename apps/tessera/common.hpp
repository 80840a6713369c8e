#pragma once
// Shared pieces of the `tessera` command: opening trajectories by format, frame selection,
// terminal progress. Library code never prints; the command does, to stderr only.
#include <tessera/core/error.hpp>
#include <tessera/core/detail/closest_name.hpp>
#include <tessera/core/frame.hpp>
#include <tessera/core/selection.hpp>
#include <tessera/io/trajectory_reader.hpp>

#include "frame_prefetch.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <limits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include <unistd.h>

namespace tessera::cli {

/// A mistake in the command line (exit code 2), as opposed to a problem with the data (a plain
/// tessera::error, exit code 1). main.cpp maps them; docs/cli.md documents the codes.
struct usage_error : error {
    using error::error;
};

/// Python-style slice A:B:S over frame indices: 0-based, B exclusive, empty parts = defaults,
/// negative A or B count from the end (-1 is the last frame), S >= 1. "A" alone is one frame.
struct frame_selection {
    std::optional<long long> start, stop;
    long long step = 1;
    bool single = false;  ///< "A": exactly frame A
    std::string text;

    static frame_selection parse(const std::string& text) {
        frame_selection s;
        s.text = text;
        if (text.empty()) return s;
        const auto c1 = text.find(':');
        const auto c2 = c1 == std::string::npos ? std::string::npos : text.find(':', c1 + 1);
        if (c2 != std::string::npos && text.find(':', c2 + 1) != std::string::npos)
            throw usage_error("--frames '", text, "': expected A, A:B or A:B:S");
        auto number = [&](const std::string& part, const char* what) -> std::optional<long long> {
            if (part.empty()) return std::nullopt;
            long long v = 0;
            const char* b = part.data() + (part[0] == '+' ? 1 : 0);
            const auto [p, ec] = std::from_chars(b, part.data() + part.size(), v);
            if (ec != std::errc() || p != part.data() + part.size())
                throw usage_error("--frames '", text, "': ", what, " must be an integer (negative counts from the end), got '",
                                  part, "'");
            return v;
        };
        if (c1 == std::string::npos) {  // a single frame index
            s.start = number(text, "the frame index");
            if (!s.start) throw usage_error("--frames '", text, "': empty frame index");
            s.single = true;
            return s;
        }
        s.start = number(text.substr(0, c1), "start");
        s.stop = number(text.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1), "stop");
        if (c2 != std::string::npos) {
            const auto step = number(text.substr(c2 + 1), "step");
            if (step && *step < 1)
                throw usage_error("--frames '", text, "': the step must be at least 1 (frames are read in order)");
            s.step = step.value_or(1);
        }
        return s;
    }
    /// Whether the selection needs the number of frames (a negative index).
    bool needs_count() const noexcept { return (start && *start < 0) || (stop && *stop < 0); }

    /// The selection on a file of `count` frames (any count when !needs_count()).
    struct resolved {
        std::size_t start = 0;
        std::optional<std::size_t> stop;
        std::size_t step = 1;
        bool selects(std::size_t index) const {
            return index >= start && (!stop || index < *stop) && (index - start) % step == 0;
        }
        bool finished(std::size_t index) const { return stop && index >= *stop; }
    };
    resolved resolve(std::optional<std::size_t> count) const {
        auto absolute = [&](long long v) -> long long {
            return v >= 0 ? v : (count ? std::max(0LL, static_cast<long long>(*count) + v) : 0);
        };
        resolved r;
        r.step = static_cast<std::size_t>(step);
        if (single) {
            const long long a = *start >= 0 ? *start : (count ? static_cast<long long>(*count) + *start : -1);
            if (a < 0)  // -5 of a 3-frame file: nothing, reported by the caller with the count
                return resolved{0, std::size_t(0), 1};
            r.start = static_cast<std::size_t>(a);
            r.stop = r.start + 1;
            return r;
        }
        r.start = static_cast<std::size_t>(start ? absolute(*start) : 0);
        if (stop) r.stop = static_cast<std::size_t>(absolute(*stop));
        return r;
    }
};

/// Number of frames in a trajectory file (reads it through once, without parsing atom lines).
inline std::size_t count_frames(const std::string& input) {
    trajectory_reader reader(input);
    std::size_t n = 0;
    while (reader.skip()) ++n;
    return n;
}

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

/// Number of frames `frames` (the --frames syntax) selects in a trajectory file (one pass
/// without parsing atom lines): for a streaming computation that must size itself first.
inline std::size_t count_selected_frames(const std::string& input, const std::string& frames) {
    const std::size_t count = count_frames(input);
    const auto selection = frame_selection::parse(frames).resolve(count);
    std::size_t n = 0;
    for (std::size_t index = 0; index < count && !selection.finished(index); ++index) n += selection.selects(index);
    return n;
}

/// What a run read, for its closing line (run_report in output.hpp).
struct frame_tally {
    std::size_t frames = 0;
    std::size_t atoms = 0;  ///< of the last frame read
};

/// An error in frame `index` of `input`: "<input> frame <index> (timestep <t>): <what>".
/// frame.hpp names the frame by its timestep alone ("frame (timestep 5): no column 'x'"): that
/// is dropped, this prefix says it with the file and the index.
inline error frame_error(const std::string& input, std::size_t index, const frame& f, std::string_view what) {
    const std::string own = "frame (timestep " + std::to_string(f.timestep) + "): ";
    if (what.substr(0, own.size()) == own) what.remove_prefix(own.size());
    return error(input, " frame ", index, " (timestep ", f.timestep, "): ", what);
}

/// Reads `input` and calls fn(frame&, index) for every frame the --frames text selects (index:
/// 0-based position in the file), with terminal progress labelled `what` (none when null).
/// fn may return bool: false stops reading after that frame (nothing more is needed).
/// Returns how many frames fn saw; none at all is an error naming the file. The next frame is
/// read on a second thread while fn works (frame_prefetch.hpp); errors keep their place.
template <class Fn>
std::size_t for_each_selected_frame(const std::string& input, const std::string& frames, const char* what, Fn&& fn,
                                    frame_tally* tally = nullptr) {
    const frame_selection parsed = frame_selection::parse(frames);
    const auto selection = parsed.resolve(parsed.needs_count() ? std::optional(count_frames(input)) : std::nullopt);
    trajectory_reader reader(input);
    std::optional<progress> bar;
    if (what) {
        std::error_code ec;
        const auto size = std::filesystem::file_size(input, ec);
        bar.emplace(what, ec ? 0 : std::uint64_t(size));
    }
    frame f;
    std::size_t index = 0, used = 0, types_shown = 0;
    {
        // TESSERA_READ_AHEAD=0: one thread, one frame in memory (docs/cli.md).
        const char* ahead = std::getenv("TESSERA_READ_AHEAD");
        frame_prefetcher<frame_selection::resolved> frames_ahead(reader, selection,
                                                                 !(ahead && std::string_view(ahead) == "0"));
        while (const auto got = frames_ahead.next(f)) {
            index = got->index;
            if (f.type_names.size() > types_shown && show_progress) {  // the string -> type mapping, once
                const auto t = f.column_index("type");
                std::string map;
                for (std::size_t k = 0; k < f.type_names.size(); ++k)
                    map += (k ? " " : "") + std::to_string(k + 1) + "=" + f.type_names[k];
                std::fprintf(stderr, "tessera: %s: types from %s: %s\n", input.c_str(),
                             t >= 0 && f.is_string_column(std::size_t(t)) ? "type names" : "element", map.c_str());
                types_shown = f.type_names.size();
            }
            bool more = true;
            try {
                if constexpr (std::is_same_v<std::invoke_result_t<Fn&, frame&, std::size_t>, bool>) more = fn(f, index);
                else fn(f, index);
            } catch (const usage_error&) {
                throw;
            } catch (const error& e) {  // every message names the file and the frame
                if (std::string_view(e.what()).find(input) != std::string_view::npos) throw;
                throw frame_error(input, index, f, e.what());
            }
            ++used;
            if (tally) tally->frames = used, tally->atoms = f.natoms;
            if (bar) bar->frame(used, f.timestep, f.natoms, got->consumed);
            if (!more) break;
        }
        if (used == 0) index = frames_ahead.end_index();
    }  // the reading thread has stopped: the reader is this thread's again
    if (used == 0) {
        while (reader.skip()) ++index;  // the true count, for the message
        if (index == 0) throw error(input, ": no frames (the file is empty or blank)");
        throw error(input, ": --frames '", frames, "' selects none of its ", index, " frame",
                          index == 1 ? "" : "s", index ? " (0 to " + std::to_string(index - 1) + ")" : std::string());
    }
    return used;
}

/// Validators for numeric options whose messages say what was wrong in the user's terms (CLI11's
/// own print the range with DBL_MAX's 309 digits). `kind`: "positive", "non-negative" or a
/// range "[lo, hi]"; decimal commas ("3,086") are named as such.
inline CLI::Validator number_check(std::string kind, double lo, double hi, bool lo_open = false) {
    return CLI::Validator(
        [=](std::string& text) -> std::string {
            double v = 0;
            const char* b = text.data() + (!text.empty() && text[0] == '+' ? 1 : 0);
            const auto [p, ec] = std::from_chars(b, text.data() + text.size(), v);
            if (text.empty() || ec != std::errc() || p != text.data() + text.size() || !std::isfinite(v))
                return "'" + text + "' is not a number" +
                       (text.find(',') != std::string::npos ? " (write decimals with a point, e.g. 3.086)" : "");
            if (v < lo || v > hi || (lo_open && v == lo)) return "'" + text + "' is not " + kind;
            return {};
        },
        kind == "positive" ? "> 0" : kind == "non-negative" ? ">= 0" : kind.substr(kind.find('[')));
}
inline CLI::Validator positive_number() {
    return number_check("positive", 0, std::numeric_limits<double>::infinity(), true);
}
inline CLI::Validator non_negative_number() {
    return number_check("non-negative", 0, std::numeric_limits<double>::infinity());
}
/// Integers in [lo, hi] (CLI11 converts to the option's integer type after this check).
inline CLI::Validator in_range(double lo, double hi) {
    auto fmt = [](double x) {
        char b[32];
        std::snprintf(b, sizeof b, "%g", x);
        return std::string(b);
    };
    return number_check("in the range [" + fmt(lo) + ", " + fmt(hi) + "]", lo, hi);
}

/// --select EXPR: core/selection.hpp's language; a syntax error is a usage error.
inline selection parse_selection(const std::string& text) {
    if (text.empty()) return {};
    try {
        return selection::parse(text);
    } catch (const error& e) {
        throw usage_error("--select: ", e.what());
    }
}
inline void add_select_option(CLI::App* sub, std::string& text, const char* what) {
    sub->add_option("--select", text,
                    std::string(what) + "; EXPR over any column, e.g. 'type==2', 'csp>4 && c_pe<-3.5', "
                                        "'not (x<10 or x>20)' (docs/cli.md, 'Selections')");
}

/// Keeps the atoms whose mask is 1, in order (every column, labels included).
inline void keep_atoms(frame& f, const std::vector<unsigned char>& mask) {
    std::size_t kept = 0;
    for (auto& col : f.columns) {
        std::size_t k = 0;
        for (std::size_t i = 0; i < f.natoms; ++i)
            if (mask[i]) col[k++] = col[i];
        col.resize(k);
        kept = k;
    }
    if (f.columns.empty())
        for (std::size_t i = 0; i < f.natoms; ++i) kept += mask[i] ? 1 : 0;
    f.natoms = kept;
    f.first_line = 0;  // rows are no longer the file's lines
}

/// --columns A,B,... (exactly these, in this order) or --drop-columns A,B,...: which of a frame's
/// columns are written. Names the frame lacks are errors with the closest name.
struct column_choice {
    std::vector<std::string> keep, drop;

    bool empty() const noexcept { return keep.empty() && drop.empty(); }
    void apply(frame& f) const {
        if (empty()) return;
        auto missing = [&](const std::string& n) {
            throw usage_error(keep.empty() ? "--drop-columns" : "--columns", ": no column '", n, "'",
                              detail::did_you_mean(n, f.names), "; columns are: ", f.column_list());
        };
        std::vector<std::size_t> order;
        if (!keep.empty()) {
            for (const auto& n : keep) {
                const auto c = f.column_index(n);
                if (c < 0) missing(n);
                if (std::find(order.begin(), order.end(), std::size_t(c)) != order.end())
                    throw usage_error("--columns: '", n, "' is listed twice");
                order.push_back(std::size_t(c));
            }
        } else {
            for (const auto& n : drop)
                if (!f.has_column(n)) missing(n);
            for (std::size_t c = 0; c < f.num_columns(); ++c)
                if (std::find(drop.begin(), drop.end(), f.names[c]) == drop.end()) order.push_back(c);
            if (order.empty()) throw usage_error("--drop-columns: every column would be dropped");
        }
        f.keep_columns(order);
    }
};
inline void add_column_options(CLI::App* sub, column_choice& choice) {
    auto* keep = sub->add_option("--columns", choice.keep,
                                 "write only these columns, in this order (comma-separated; default: all)")
                     ->delimiter(',');
    sub->add_option("--drop-columns", choice.drop, "write every column except these (comma-separated)")
        ->delimiter(',')
        ->excludes(keep);
}

/// The help footer of a subcommand: units, the exit codes, and examples (one command per entry).
inline void add_examples(CLI::App* sub, std::initializer_list<const char*> examples) {
    std::string text = "Lengths are in the input's units (Å for LAMMPS metal units, σ for lj); times in timesteps.\n"
                       "Exit codes: 0 done, 1 bad or unreadable data, 2 bad command line.\n\nExamples:\n";
    for (const char* e : examples) (text += "  ") += std::string(e) + "\n";
    sub->footer(text);
}

/// The options every trajectory subcommand shares.
inline void add_frames_option(CLI::App* sub, std::string& frames) {
    sub->add_option("--frames", frames,
                    "frames to use: one index, or A:B:S as in Python (0-based, B exclusive, negative counts from the "
                    "end: -1 is the last frame, -5: the last five; default: all)");
}
/// --precision N for subcommands that write dumps (lammps_dump_writer::set_precision).
inline void add_precision_option(CLI::App* sub, int& precision) {
    sub->add_option("--precision", precision,
                     "significant digits of non-integer output values (printf %g; LAMMPS writes 6); 0, the "
                     "default: the shortest form that reads back bit for bit")
        ->check(in_range(0, 17));
}
/// A per-type-pair table of `flag` covering types 1..table_types must match the frame's types:
/// a type the table lacks or names in vain is an error (no silent zeros).
inline void check_table_types(std::span<const int> types, int table_types, const char* flag) {
    if (types.empty()) throw usage_error(flag, " needs a type column in the input");
    const auto [lo, hi] = std::minmax_element(types.begin(), types.end());
    if (*hi > table_types)
        throw usage_error(flag, " covers types 1..", table_types, " but the input has atoms of type ", *hi,
                          "; give its pairs too");
    if (table_types > *hi)
        throw usage_error(flag, " names type ", table_types, ", but the input's types are ", *lo, "..", *hi);
}

/// --overwrite for subcommands that add columns to the frames they write.
inline void add_overwrite_option(CLI::App* sub, bool& overwrite) {
    sub->add_flag("--overwrite", overwrite, "let an output column replace an input column of the same name (default: an error)");
}
/// Adds a result column to a frame being written: one the input already has is an error unless
/// --overwrite (input columns are kept unchanged otherwise).
inline void add_result_column(frame& f, bool overwrite, const std::string& name, std::vector<double> values,
                              bool integral = false) {
    if (!overwrite && f.has_column(name))
        throw usage_error("the input already has a column '", name,
                          "'; pass --overwrite to replace it, or rename it first");
    f.add_column(name, std::move(values), integral);
}
inline void add_threads_option(CLI::App* sub, int& threads) {
    sub->add_option("--threads", threads, "OpenMP threads (0: all cores); results do not depend on it")
        ->check(non_negative_number());
}

}  // namespace tessera::cli
