#pragma once
/// @file
/// lammps_dump_writer: LAMMPS text dumps that LAMMPS (read_dump, rerun) and OVITO read back.
/// Writes [ITEM: UNITS] (first frame, if the frame has units), [ITEM: TIME], TIMESTEP,
/// NUMBER OF ATOMS, BOX BOUNDS (triclinic in bounding-box form, the inverse of
/// triclinic_from_bounds; the frame's boundary flags when they agree with the box) and ATOMS with
/// every column: string columns (frame::labels) as their labels, integral columns as integers,
/// other values in the shortest form that reads back bit for bit; NaN as `nan` (whatever its
/// sign), infinities as `inf` and `-inf`, which LAMMPS and OVITO read. Paths ending in ".gz" are
/// gzip-compressed. Memory: one frame's text is streamed out in ~1 MiB chunks.
///
/// A string column's values must be label numbers (frame::label_base(c) + an index into
/// labels[c]) and its labels non-empty and free of whitespace; otherwise write() throws.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/frame.hpp>
#include <tessera/io/detail/text_input.hpp>
#include <tessera/io/detail/text_output.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tessera {

namespace detail {

/// True for a line that starts a LAMMPS dump item ("ITEM:").
inline bool starts_with_item(std::string_view line) { return line.substr(0, 5) == "ITEM:"; }

/// Parses LAMMPS boundary flags ("pp", "fs", "m", ...) into periodicity; false if invalid.
inline bool parse_boundary_flag(std::string_view f, bool& periodic) {
    if (f.empty() || f.size() > 2) return false;
    bool any_p = false, any_other = false;
    for (char c : f) {
        if (c == 'p') any_p = true;
        else if (c == 'f' || c == 's' || c == 'm') any_other = true;
        else return false;
    }
    if (any_p && any_other) return false;
    periodic = any_p;
    return true;
}

}  // namespace detail

class lammps_dump_writer {
public:
    /// Writes to a file; gzip-compressed when the path ends in ".gz". `name` is what messages
    /// call it (default: the path).
    explicit lammps_dump_writer(const std::filesystem::path& path, std::string name = {})
        : sink_(detail::open_sink(path, name)), name_(name.empty() ? path.string() : std::move(name)) {}
    /// Writes to a stream, which must outlive the writer.
    explicit lammps_dump_writer(std::ostream& os, std::string name = "<stream>")
        : sink_(std::make_unique<detail::ostream_sink>(os, name)), name_(std::move(name)) {}
    lammps_dump_writer(lammps_dump_writer&&) noexcept = default;
    ~lammps_dump_writer() {
        try {
            close();
        } catch (...) {  // destructors do not throw; call close() to see errors
        }
    }

    /// Appends one frame.
    void write(const frame& f) {
        if (!sink_) throw error(name_ + ": write after close");
        validate(f);
        buf_.clear();
        if (!f.units.empty() && frames_ == 0) buf_ += "ITEM: UNITS\n" + f.units + "\n";
        if (f.time) {
            buf_ += "ITEM: TIME\n";
            detail::append_double(buf_, *f.time);
            buf_ += '\n';
        }
        buf_ += "ITEM: TIMESTEP\n" + std::to_string(f.timestep) + "\nITEM: NUMBER OF ATOMS\n" +
                std::to_string(f.natoms) + "\n";
        write_box(f);
        buf_ += "ITEM: ATOMS";
        for (const auto& n : f.names) (buf_ += ' ') += n;
        buf_ += '\n';
        flush();
        write_atoms(f);
        ++frames_;
    }

    /// Significant digits of non-integer atom values (printf's %g with that precision; LAMMPS
    /// writes 6). 0, the default: the shortest form that reads back bit for bit. The box and
    /// the time are always written exactly.
    void set_precision(int significant_digits) {
        if (significant_digits < 0 || significant_digits > 17)
            throw error(name_ + ": precision must be 0 (shortest exact) or 1..17 significant digits, got " +
                        std::to_string(significant_digits));
        precision_ = significant_digits;
    }
    int precision() const noexcept { return precision_; }

    /// Flushes and closes; throws tessera::error on an I/O error. Idempotent.
    void close() {
        if (!sink_) return;
        auto s = std::move(sink_);
        s->close();
    }

private:
    void flush() {
        sink_->write(buf_);
        buf_.clear();
    }
    void validate(const frame& f) const {
        if (f.columns.size() != f.names.size())
            throw error(name_ + ": frame has " + std::to_string(f.names.size()) + " column names but " +
                        std::to_string(f.columns.size()) + " columns");
        if (f.names.empty()) throw error(name_ + ": frame has no columns to write");
        for (std::size_t c = 0; c < f.names.size(); ++c) {
            if (f.columns[c].size() != f.natoms)
                throw error(name_ + ": column '" + f.names[c] + "' has " + std::to_string(f.columns[c].size()) +
                            " values for " + std::to_string(f.natoms) + " atoms");
            if (f.names[c].empty() || f.names[c].find_first_of(" \t\r\n") != std::string::npos)
                throw error(name_ + ": column name '" + f.names[c] + "' is empty or contains whitespace");
            if (!f.is_string_column(c)) continue;
            for (const auto& l : f.labels[c])
                if (l.empty() || l.find_first_of(" \t\r\n\v\f") != std::string::npos)
                    throw error(name_ + ": string column '" + f.names[c] + "' has label " + detail::quoted(l) +
                                ", which is empty or contains whitespace");
            const double base = static_cast<double>(f.label_base(c));
            const double n = static_cast<double>(f.labels[c].size());
            for (std::size_t i = 0; i < f.natoms; ++i) {
                const double k = f.columns[c][i] - base;
                if (!(k >= 0 && k < n && k == std::floor(k)))
                    throw error(name_ + ": string column '" + f.names[c] + "' row " + std::to_string(i) + " holds " +
                                std::to_string(f.columns[c][i]) + ", not a label number (" +
                                std::to_string(f.label_base(c)) + ".." +
                                std::to_string(f.label_base(c) + f.labels[c].size() - 1) + ")");
            }
        }
    }

    /// The frame's flags when they agree with the box's periodicity, else "pp"/"ff" from it.
    static std::string flags_for(const frame& f, const periodicity& per) {
        std::vector<std::string_view> t;
        detail::split(f.box_flags, t);
        bool ok = t.size() == 3;
        for (std::size_t d = 0; ok && d < 3; ++d) {
            bool p = false;
            ok = detail::parse_boundary_flag(t[d], p) && p == per[d];
        }
        if (ok) return f.box_flags;
        std::string s;
        for (std::size_t d = 0; d < 3; ++d) (s += d ? " " : "") += per[d] ? "pp" : "ff";
        return s;
    }

    /// The atom lines, formatted straight into a reused buffer and written in ~1 MiB chunks.
    void write_atoms(const frame& f) {
        constexpr std::size_t chunk = std::size_t(1) << 20;
        const std::size_t ncol = f.names.size();
        std::size_t row_max = ncol * (detail::max_number_chars + 1) + 2;
        std::vector<unsigned char> integral(ncol, 0);
        std::vector<const double*> column(ncol);
        std::vector<const std::vector<std::string>*> labels(ncol, nullptr);
        std::vector<std::size_t> base(ncol, 0);
        bool strings = false;
        for (std::size_t c = 0; c < ncol; ++c) {
            integral[c] = c < f.integral.size() && f.integral[c];
            column[c] = f.columns[c].data();
            if (f.is_string_column(c)) {
                strings = true;
                labels[c] = &f.labels[c];
                base[c] = f.label_base(c);
                std::size_t longest = 0;
                for (const auto& l : f.labels[c]) longest = std::max(longest, l.size());
                row_max += longest;
            }
        }
        if (text_.size() < chunk + row_max) text_.resize(chunk + row_max);
        char* const begin = text_.data();
        char* p = begin;
        for (std::size_t i = 0; i < f.natoms; ++i) {
            if (!strings) {
                for (std::size_t c = 0; c < ncol; ++c) {
                    if (c) *p++ = ' ';
                    p = integral[c] ? detail::write_integral(p, column[c][i], precision_)
                                    : detail::write_double(p, column[c][i], precision_);
                }
            } else {
                for (std::size_t c = 0; c < ncol; ++c) {
                    if (c) *p++ = ' ';
                    if (labels[c]) {
                        const std::string& l = (*labels[c])[static_cast<std::size_t>(column[c][i]) - base[c]];
                        if (c == 0 && detail::starts_with_item(l)) *p++ = ' ';  // not an item line when read
                        p = std::copy(l.begin(), l.end(), p);
                    } else {
                        p = integral[c] ? detail::write_integral(p, column[c][i], precision_)
                                        : detail::write_double(p, column[c][i], precision_);
                    }
                }
            }
            *p++ = '\n';
            if (std::size_t(p - begin) >= chunk) {
                sink_->write(std::string_view(begin, std::size_t(p - begin)));
                p = begin;
            }
        }
        if (p != begin) sink_->write(std::string_view(begin, std::size_t(p - begin)));
    }

    void bounds_line(double lo, double hi) {
        detail::append_double(buf_, lo);
        buf_ += ' ';
        detail::append_double(buf_, hi);
    }
    void tilt(double t) {
        buf_ += ' ';
        detail::append_double(buf_, t);
        buf_ += '\n';
    }

    void write_box(const frame& f) {
        if (const auto* b = std::get_if<triclinic_box<double>>(&f.box)) {
            const vec3<double> lo = b->lo(), hi = b->hi();
            const double xy = b->xy(), xz = b->xz(), yz = b->yz();
            buf_ += "ITEM: BOX BOUNDS xy xz yz " + flags_for(f, b->periodic_axes()) + "\n";
            // Inverse of triclinic_from_bounds (LAMMPS "Howto triclinic").
            bounds_line(lo.x + std::min({0.0, xy, xz, xy + xz}), hi.x + std::max({0.0, xy, xz, xy + xz}));
            tilt(xy);
            bounds_line(lo.y + std::min(0.0, yz), hi.y + std::max(0.0, yz));
            tilt(xz);
            bounds_line(lo.z, hi.z);
            tilt(yz);
            return;
        }
        vec3<double> lo, hi;
        periodicity per = not_periodic;
        if (const auto* b = std::get_if<orthogonal_box<double>>(&f.box)) {
            lo = b->lo();
            hi = b->hi();
            per = b->periodic_axes();
        } else {  // open box: the atoms' bounding box, non-periodic
            const auto fam = f.coordinate_family();
            if (fam == "xs" || fam == "xsu")
                throw error(name_ + ": cannot write scaled coordinates of a frame without a box");
            const auto r = fam.empty() ? std::vector<std::array<double, 3>>{} : f.positions();
            for (std::size_t d = 0; d < 3; ++d) {
                lo[d] = r.empty() ? 0.0 : r[0][d];
                hi[d] = lo[d];
                for (const auto& p : r) lo[d] = std::min(lo[d], p[d]), hi[d] = std::max(hi[d], p[d]);
                lo[d] -= 0.5;
                hi[d] += 0.5;
            }
        }
        buf_ += "ITEM: BOX BOUNDS " + flags_for(f, per) + "\n";
        for (std::size_t d = 0; d < 3; ++d) {
            bounds_line(lo[d], hi[d]);
            buf_ += '\n';
        }
    }

    std::unique_ptr<detail::byte_sink> sink_;
    std::string name_;
    std::string buf_;          ///< header text
    std::vector<char> text_;   ///< atom lines
    int precision_ = 0;
    std::size_t frames_ = 0;
};

}  // namespace tessera
