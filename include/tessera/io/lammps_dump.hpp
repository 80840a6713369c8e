#pragma once
/// @file
/// LAMMPS text dumps (`dump atom`, `dump custom`): a streaming reader and a writer.
///
/// Reader: one frame at a time (memory bounded by one frame; a frame's buffers are reused),
/// plain or gzip (detected by the magic bytes), from a path, a std::istream, or a
/// std::string_view buffer. Items, in LAMMPS order:
///
///     [ITEM: UNITS] [ITEM: TIME] ITEM: TIMESTEP, ITEM: NUMBER OF ATOMS,
///     ITEM: BOX BOUNDS [xy xz yz] <flags>, ITEM: ATOMS <column names...>
///
/// Columns may come in any order and number. Every malformed input throws tessera::error with a
/// message "<file>:<line>: frame <k> (timestep <t>): <what is wrong>" (k: 0-based index in the
/// file; the timestep once read); a reader never returns a short frame. After an
/// error the reader and frame are unspecified. Coordinates are not required at read time:
/// frame::positions() names what is missing.
///
/// Numbers: a per-atom field may be `nan`, `-nan`, `inf`, `-inf` (any case, also `+inf`,
/// `infinity`; what LAMMPS writes for undefined per-atom values), read as NaN or ±inf. The box
/// bounds, the timestep, the time and the number of atoms must be finite.
///
/// String columns (`dump custom ... element`, OVITO's named types): a column is a string column
/// in a frame when its field on the frame's first atom line is not a number (nor nan/inf).
/// Every field of a string column is then taken as a label, whatever it looks like (`1.5` too).
/// The columns `id`, `x y z`, `xu yu zu`, `xs ys zs`, `xsu ysu zsu` and `ix iy iz` are always
/// numeric. A numeric column whose field on a later line is not a number is an error naming the
/// file, line, column and field. Labels are numbered in order of first appearance, per column
/// name, over all frames read by this reader (frames passed over with skip() do not count): a
/// label keeps its number in every later frame and new labels get the next numbers. The frame
/// stores them as frame::labels and the numbers as the column's values (see core/frame.hpp:
/// `type` counts from 1, other columns from 0).
///
/// Types from strings (frame::type_names: type t is type_names[t-1]):
///  - `type` holds strings: it becomes numeric types 1..n by the label order above, type_names
///    are the labels, and the column keeps them (the writer writes the names back);
///  - a numeric `type` and an `element` string column: both are kept as read; type_names[t-1]
///    is the element of type t, as seen over the frames read so far ("" for a type not seen
///    yet), provided every atom of a type has had the same element in this reader and types are
///    integers in 1..65536; otherwise type_names is empty (for the rest of the file once one
///    type has had two elements);
///  - no `type` column but an `element` string column: a numeric `type` column (integral, no
///    labels) is appended with type = element label number + 1, then type_names as in the case
///    above (so they are the element labels, in order); `element` stays a string column;
///  - otherwise type_names is empty.
///
/// Writer (lammps_dump_writer.hpp, included here): the same items, triclinic boxes in the
/// bounding-box form LAMMPS and OVITO read, the frame's boundary flags, string columns as their
/// labels, integer columns as integers and all other values in the shortest form that reads
/// back bit for bit (NaN as `nan`, infinities as `inf`/`-inf`). Paths ending in ".gz" are
/// written gzip-compressed. Reading back a whole file the writer wrote gives the same frames
/// (labels, label numbers, type_names; NaN up to its sign).
///
/// See docs/io.md.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/frame.hpp>
#include <tessera/io/detail/atom_ids.hpp>
#include <tessera/io/detail/text_input.hpp>
#include <tessera/io/lammps_dump_writer.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace tessera {

namespace detail {

/// The text after "ITEM: " with surrounding whitespace removed.
inline std::string_view item_body(std::string_view line) {
    line.remove_prefix(5);
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    const auto e = line.find_last_not_of(" \t\r");
    return line.substr(b, e - b + 1);
}

/// Columns the reader never takes as strings: frame interprets them as numbers.
inline bool numeric_only_column(std::string_view name) noexcept {
    static constexpr std::string_view names[] = {"id", "x",  "y",  "z",   "xu",  "yu",  "zu", "xs",
                                                 "ys", "zs", "xsu", "ysu", "zsu", "ix", "iy", "iz"};
    for (const auto n : names)
        if (n == name) return true;
    return false;
}

}  // namespace detail

class lammps_dump_reader {
public:
    /// Opens a dump file, gzip-compressed or not.
    explicit lammps_dump_reader(const std::filesystem::path& path)
        : in_(detail::open_source(path), path.string()) {}
    /// Reads from a stream, which must outlive the reader; `name` is used in error messages.
    explicit lammps_dump_reader(std::istream& is, std::string name = "<stream>")
        : in_(std::make_unique<detail::istream_source>(is, name), name) {}
    /// Reads from a copy of `text`.
    static lammps_dump_reader from_string(std::string text, std::string name = "<string>") {
        return lammps_dump_reader(std::make_unique<detail::memory_source>(std::move(text)), std::move(name));
    }
    /// Reads from a buffer without copying it; the buffer must outlive the reader.
    static lammps_dump_reader from_buffer(std::string_view buffer, std::string name = "<buffer>") {
        return lammps_dump_reader(std::make_unique<detail::memory_source>(buffer), std::move(name));
    }

    /// Reads the next frame into f (reusing its buffers). False at the end of input.
    bool next(frame& f) {
        if (!read_header(f)) return false;
        read_atoms(f);
        ++frames_;
        in_.set_context({});
        return true;
    }
    /// Skips the next frame without parsing its atom lines. False at the end of input.
    bool skip() {
        if (!read_header(scratch_)) return false;
        std::string_view line;
        for (std::size_t i = 0; i < scratch_.natoms; ++i)
            if (!in_.next(line)) truncated(scratch_, i, {});
            else if (detail::starts_with_item(line)) truncated(scratch_, i, line);
        ++frames_;
        in_.set_context({});
        return true;
    }

    const std::string& name() const noexcept { return in_.name(); }
    /// Line number of the last line read.
    std::size_t line() const noexcept { return in_.line(); }
    /// Input bytes consumed so far (compressed bytes for gzip): progress against the file size.
    std::uint64_t input_consumed() const noexcept { return in_.input_consumed(); }

    /// Frames read or skipped so far.
    std::size_t frames() const noexcept { return frames_; }

private:
    lammps_dump_reader(std::unique_ptr<detail::byte_source> src, std::string name) : in_(std::move(src), name) {}

    /// `item` is the ITEM line met where an atom line was due, or empty at the end of input.
    [[noreturn]] void truncated(const frame& f, std::size_t got, std::string_view item) const {
        const std::string what = "truncated frame: " + std::to_string(got) + " of " + std::to_string(f.natoms) +
                                 " atom lines";
        if (!item.empty()) throw in_.fail(what + " before " + detail::quoted(item));
        throw in_.fail_at(in_.line() + 1, what + " before the end of the file");
    }

    /// Next line of the header; EOF there is a truncated frame.
    std::string_view header_line(std::string_view after) {
        std::string_view line;
        if (!in_.next(line))
            throw in_.fail_at(in_.line() + 1, "unexpected end of file after '" + std::string(after) +
                                                  "' (truncated frame header)");
        return line;
    }
    std::string_view expect_item(std::string_view expected) {
        std::string_view line = header_line(items_seen_);
        const std::string_view body = detail::starts_with_item(line) ? detail::item_body(line) : std::string_view{};
        if (body.substr(0, expected.size()) != expected ||
            (body.size() > expected.size() && !detail::is_space(body[expected.size()])))
            throw in_.fail("expected 'ITEM: " + std::string(expected) + "', found " + detail::quoted(line) +
                           " (missing or out-of-order item)");
        items_seen_ = "ITEM: " + std::string(expected);
        return detail::item_body(line);
    }
    std::int64_t single_integer(std::string_view what) {
        const std::string_view line = header_line(items_seen_);
        detail::split(line, tok_);
        std::int64_t v = 0;
        if (tok_.size() != 1 || !detail::parse_int64(tok_[0], v))
            throw in_.fail("expected one integer (" + std::string(what) + "), found " + detail::quoted(line));
        return v;
    }

    bool read_header(frame& f) {
        std::string_view line;
        if (!in_.next_nonblank(line)) return false;
        // Errors from here to the frame's end name it: its index in the file, and its timestep
        // once read (0-based, as --frames counts).
        in_.set_context("frame " + std::to_string(frames_) + ": ");
        if (!detail::starts_with_item(line)) {
            // An atom line where a frame should start: the frame before holds more atom lines
            // than its NUMBER OF ATOMS says (or a stray line follows it).
            detail::split(line, tok_);
            double v = 0;
            bool il = false;
            const bool atom_like = frames_ > 0 && !tok_.empty() && detail::parse_double(tok_[0], v, il) == detail::parse_status::ok;
            throw in_.fail("expected 'ITEM: TIMESTEP' at the start of a frame, found " + detail::quoted(line) +
                           (atom_like ? " (an atom line? the frame before has more atom lines than its NUMBER OF ATOMS)"
                                      : ""));
        }
        f.time.reset();
        std::string_view item = detail::item_body(line);
        items_seen_ = line;
        if (item == "UNITS") {
            detail::split(header_line(items_seen_), tok_);
            if (tok_.size() != 1) throw in_.fail("expected one unit style after 'ITEM: UNITS'");
            units_.assign(tok_[0]);
            items_seen_ = "ITEM: UNITS";
            line = header_line(items_seen_);
            item = detail::starts_with_item(line) ? detail::item_body(line) : std::string_view{};
        }
        if (item == "TIME") {
            detail::split(header_line("ITEM: TIME"), tok_);
            double t = 0;
            bool integer_like = false;
            if (tok_.size() != 1 || detail::parse_double(tok_[0], t, integer_like) != detail::parse_status::ok)
                throw in_.fail("expected one finite number after 'ITEM: TIME'");
            f.time = t;
            line = header_line("ITEM: TIME");
            item = detail::starts_with_item(line) ? detail::item_body(line) : std::string_view{};
        }
        if (item != "TIMESTEP")
            throw in_.fail("expected 'ITEM: TIMESTEP', found " + detail::quoted(line) +
                           " (missing or out-of-order item)");
        items_seen_ = "ITEM: TIMESTEP";
        f.units = units_;
        f.timestep = single_integer("the timestep");
        in_.set_context("frame " + std::to_string(frames_) + " (timestep " + std::to_string(f.timestep) + "): ");
        expect_item("NUMBER OF ATOMS");
        const std::int64_t n = single_integer("the number of atoms");
        if (n < 0) throw in_.fail("negative number of atoms: " + std::to_string(n));
        f.natoms = static_cast<std::size_t>(n);
        read_box(f, expect_item("BOX BOUNDS"));
        read_columns(f, expect_item("ATOMS"));
        return true;
    }

    void read_box(frame& f, std::string_view item) {
        const std::size_t item_line = in_.line();
        detail::split(item.substr(10), tok_);  // after "BOX BOUNDS"
        std::size_t k = 0;
        bool tilted = false;
        if (!tok_.empty() && (tok_[0] == "abc" || tok_[0] == "origin"))
            throw in_.fail("general triclinic boxes ('BOX BOUNDS abc origin', LAMMPS 2023+) are not supported; "
                           "write the dump without 'dump_modify triclinic/general yes'");
        if (tok_.size() >= 3 && tok_[0] == "xy" && tok_[1] == "xz" && tok_[2] == "yz") {
            tilted = true;
            k = 3;
        }
        periodicity per = fully_periodic;
        f.box_flags.clear();
        if (tok_.size() - k == 3) {
            for (std::size_t d = 0; d < 3; ++d) {
                if (!detail::parse_boundary_flag(tok_[k + d], per[d]))
                    throw in_.fail("invalid boundary flag " + detail::quoted(tok_[k + d]) +
                                   " in 'ITEM: BOX BOUNDS' (expected pp, or f/s/m per side)");
                if (d) f.box_flags += ' ';
                f.box_flags.append(tok_[k + d]);
            }
        } else if (tok_.size() != k) {
            throw in_.fail("'ITEM: BOX BOUNDS' needs three boundary flags (e.g. 'pp pp pp'), found " +
                           detail::quoted(item));
        }
        std::array<std::array<double, 3>, 3> v{};
        const std::size_t per_line = tilted ? 3 : 2;
        static constexpr const char* axis[3] = {"x", "y", "z"};
        for (std::size_t d = 0; d < 3; ++d) {
            const std::string_view line = header_line("ITEM: BOX BOUNDS");
            detail::split(line, tok_);
            if (tok_.size() != per_line)
                throw in_.fail("box bounds line for " + std::string(axis[d]) + " has " + std::to_string(tok_.size()) +
                               " fields, expected " + std::to_string(per_line) +
                               (tilted ? " (lo_bound hi_bound tilt)" : " (lo hi)"));
            for (std::size_t j = 0; j < per_line; ++j) {
                bool il = false;
                const auto st = detail::parse_double(tok_[j], v[d][j], il);
                if (st != detail::parse_status::ok)
                    throw in_.fail(detail::number_problem(st, tok_[j], std::string("box ") + axis[d]));
            }
            if (!(v[d][1] > v[d][0]))
                throw in_.fail("box " + std::string(axis[d]) + " hi " + detail::quoted(tok_[1]) +
                               " is not greater than lo " + detail::quoted(tok_[0]));
        }
        try {
            if (tilted)
                f.box = triclinic_from_bounds(v[0][0], v[0][1], v[1][0], v[1][1], v[2][0], v[2][1], v[0][2], v[1][2],
                                              v[2][2], per);
            else
                f.box = orthogonal_box<double>({v[0][0], v[1][0], v[2][0]}, {v[0][1], v[1][1], v[2][1]}, per);
        } catch (const error& e) {
            throw in_.fail_at(item_line, std::string("invalid box: ") + e.what());
        }
    }

    void read_columns(frame& f, std::string_view item) {
        detail::split(item.substr(5), tok_);  // after "ATOMS"
        if (tok_.empty()) throw in_.fail("'ITEM: ATOMS' lists no column names");
        if (const auto c = detail::first_duplicate(tok_); c >= 0)
            throw in_.fail("duplicate column name " + detail::quoted(tok_[static_cast<std::size_t>(c)]));
        f.names.resize(tok_.size());
        for (std::size_t c = 0; c < tok_.size(); ++c) f.names[c].assign(tok_[c]);
        f.columns.resize(tok_.size());
        f.integral.assign(tok_.size(), 1);
        f.labels.resize(tok_.size());
        f.type_names.clear();
    }

    void read_atoms(frame& f) {
        const std::size_t ncol = f.names.size();
        // NUMBER OF ATOMS is never trusted alone. When the input's size is known (a regular file,
        // a buffer) and the rest of it can hold natoms lines (a value takes at least 2 bytes, a
        // digit and a separator), the frame is sized once, which spares the doublings (up to 2×
        // the columns' memory, 40 B per atom for id type x y z). Otherwise — a stream, gzip, a
        // count the input cannot hold, or more memory than is there — at most 2^16 values over
        // all columns, whatever the header claims, and the columns grow with the lines actually
        // present (a reused frame keeps its capacity). Reserving 2^23 values up front cost every
        // bad file a 64 MB allocation (the fuzzer ran at a few hundred inputs/s).
        const std::size_t small = std::min<std::size_t>(f.natoms, (std::size_t(1) << 16) / std::max<std::size_t>(ncol, 1));
        const std::uint64_t left = in_.bytes_left();
        const bool fits = left != detail::byte_source::unknown_size &&
                          f.natoms <= left / (2 * std::uint64_t(std::max<std::size_t>(ncol, 1)));
        for (auto& col : f.columns) col.clear();
        try {
            for (auto& col : f.columns) col.reserve(fits ? f.natoms : small);
        } catch (const std::bad_alloc&) {
            for (auto& col : f.columns) {
                std::vector<double>().swap(col);
                col.reserve(small);
            }
        }
        const std::size_t first_line = in_.line() + 1;
        f.first_line = first_line;
        str_.assign(ncol, -1);
        if (f.natoms > 0) {
            atom_line(f, 0);
            if (classify(f)) parse_rows<true>(f, first_line);
            else parse_rows<false>(f, first_line);
        }
        for (std::size_t c = 0; c < ncol; ++c)
            if (str_[c] >= 0) f.labels[c] = tables_[static_cast<std::size_t>(str_[c])].labels;
            else f.labels[c].clear();
        check_ids(f, first_line);
        derive_types(f);
    }

    /// Reads atom line i (0-based) of the frame and splits it into tok_.
    void atom_line(const frame& f, std::size_t i) {
        std::string_view line;
        if (!in_.next(line)) truncated(f, i, {});
        else if (detail::starts_with_item(line)) truncated(f, i, line);
        detail::split(line, tok_);
        if (tok_.size() != f.names.size())
            throw in_.fail("atom line has " + std::to_string(tok_.size()) + " fields, expected " +
                           std::to_string(f.names.size()) + " (" + f.column_list() + ")");
    }

    /// Decides from the first atom line (in tok_) which columns are string columns (str_[c] =
    /// their label table); true if any is.
    bool classify(frame& f) {
        bool any = false;
        for (std::size_t c = 0; c < f.names.size(); ++c) {
            double v = 0;
            bool il = false;
            if (detail::numeric_only_column(f.names[c]) ||
                detail::parse_double(tok_[c], v, il) != detail::parse_status::not_a_number)
                continue;
            // a map, not a scan of tables_: a header may name 10^6 string columns
            const auto [it, added] = table_of_.try_emplace(f.names[c], tables_.size());
            if (added) {
                tables_.emplace_back();
                tables_.back().column = f.names[c];
            }
            str_[c] = static_cast<std::ptrdiff_t>(it->second);
            f.integral[c] = 1;
            any = true;
        }
        return any;
    }

    /// Parses the frame's atom lines, the first of which is already split into tok_.
    template <bool Strings>
    void parse_rows(frame& f, std::size_t first_line) {
        const std::size_t ncol = f.names.size();
        for (std::size_t i = 0;;) {
            for (std::size_t c = 0; c < ncol; ++c) {
                if constexpr (Strings) {
                    if (str_[c] >= 0) {
                        f.columns[c].push_back(label_number(tables_[static_cast<std::size_t>(str_[c])], tok_[c],
                                                            f.label_base(c)));
                        continue;
                    }
                }
                double v = 0;
                bool il = false;
                const auto st = detail::parse_double(tok_[c], v, il);
                if (st != detail::parse_status::ok) [[unlikely]] {
                    if (st != detail::parse_status::not_finite) bad_field(f, c, st, first_line);
                }
                f.columns[c].push_back(v);
                f.integral[c] &= static_cast<unsigned char>(il);
            }
            if (++i == f.natoms) return;
            atom_line(f, i);
        }
    }

    [[noreturn]] void bad_field(const frame& f, std::size_t c, detail::parse_status st, std::size_t first_line) const {
        std::string what = detail::number_problem(st, tok_[c], f.names[c]);
        if (st == detail::parse_status::not_a_number && in_.line() != first_line &&
            !detail::numeric_only_column(f.names[c]))
            what += " (the column is numeric in this frame: its field on the frame's first atom line, line " +
                    std::to_string(first_line) + ", is a number)";
        throw in_.fail(what);
    }

    /// The labels of one string column, kept over the frames of this reader.
    struct label_table {
        std::string column;
        std::vector<std::string> labels;
        std::unordered_map<std::string, std::size_t, detail::string_hash, std::equal_to<>> index;
        std::size_t last = 0;  ///< number of the label looked up last
    };
    static constexpr std::size_t max_labels = std::size_t(1) << 24;

    /// base + the number of label s in table t, adding s if new.
    double label_number(label_table& t, std::string_view s, std::size_t base) {
        if (t.last < t.labels.size() && t.labels[t.last] == s) return static_cast<double>(base + t.last);
        if (t.labels.size() <= 8) {
            for (std::size_t k = 0; k < t.labels.size(); ++k)
                if (t.labels[k] == s) return static_cast<double>(base + (t.last = k));
        } else if (const auto it = t.index.find(s); it != t.index.end()) {
            return static_cast<double>(base + (t.last = it->second));
        }
        if (t.labels.size() >= max_labels)
            throw in_.fail("more than " + std::to_string(max_labels) + " distinct strings in column '" + t.column + "'");
        t.index.emplace(std::string(s), t.labels.size());
        t.labels.emplace_back(s);
        t.last = t.labels.size() - 1;
        return static_cast<double>(base + t.last);
    }

    /// frame::type_names and the `type` column from string columns (see the file comment).
    void derive_types(frame& f) {
        f.type_names.clear();
        const auto ct = f.column_index("type");
        if (ct >= 0 && str_[static_cast<std::size_t>(ct)] >= 0) {
            f.type_names = f.labels[static_cast<std::size_t>(ct)];
            return;
        }
        const auto ce = f.column_index("element");
        if (ce < 0 || str_[static_cast<std::size_t>(ce)] < 0) return;
        auto type_column = static_cast<std::size_t>(ct);
        if (ct < 0) {  // type = element label number + 1; names as for a numeric type column
            std::vector<double> type = f.columns[static_cast<std::size_t>(ce)];
            for (double& t : type) t += 1;
            f.add_column("type", std::move(type), true);
            type_column = f.names.size() - 1;
        }
        const auto& elements = f.labels[static_cast<std::size_t>(ce)];
        if (type_conflict_) return;
        const auto& type = f.columns[type_column];
        const auto& element = f.columns[static_cast<std::size_t>(ce)];
        for (const double t : type)
            if (!(t >= 1 && t <= 65536 && t == std::floor(t))) return;
        for (std::size_t i = 0; i < type.size(); ++i) {
            const auto k = static_cast<std::size_t>(type[i]) - 1;
            if (k >= type_element_.size()) type_element_.resize(k + 1, -1);
            const auto e = static_cast<std::ptrdiff_t>(element[i]);
            if (type_element_[k] < 0) type_element_[k] = e;
            else if (type_element_[k] != e) {
                type_conflict_ = true;
                return;
            }
        }
        f.type_names.resize(type_element_.size());
        for (std::size_t k = 0; k < type_element_.size(); ++k)
            if (type_element_[k] >= 0) f.type_names[k] = elements[static_cast<std::size_t>(type_element_[k])];
    }

    void check_ids(const frame& f, std::size_t first_line) {
        const auto c = f.column_index("id");
        if (c < 0) return;
        if (auto fault = ids_.check(f.columns[static_cast<std::size_t>(c)], first_line))
            throw in_.fail_at(first_line + fault->row, fault->what);
    }

    detail::line_reader in_;
    std::vector<std::string_view> tok_;
    detail::atom_id_checker ids_;
    std::vector<label_table> tables_;      ///< per column name ever read as strings
    std::unordered_map<std::string, std::size_t, detail::string_hash, std::equal_to<>> table_of_;  ///< name -> tables_ index
    std::vector<std::ptrdiff_t> str_;      ///< per column of the frame: its label table, or -1
    std::vector<std::ptrdiff_t> type_element_;  ///< numeric type t -> element label number (t-1), or -1
    bool type_conflict_ = false;                ///< a type has had two elements
    std::string items_seen_;
    frame scratch_;
    std::size_t frames_ = 0;
    /// `ITEM: UNITS`, as LAMMPS writes it: once, before the first frame; every frame carries it,
    /// whichever frame object it is read into.
    std::string units_;
};

}  // namespace tessera
