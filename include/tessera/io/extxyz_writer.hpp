#pragma once
/// @file
/// extxyz_writer: extended XYZ (the ASE / OVITO / QUIP flavour that io/extxyz.hpp reads) from
/// tessera::frame, so that ase.io.read and OVITO read what tessera computes.
///
///     1000
///     Lattice="ax 0 0 bx by 0 cx cy cz" Origin="x0 y0 z0" Properties=species:S:1:pos:R:3:id:I:1:type:I:1:csp:R:1 Time=1.5 Timestep=3500 pbc="T T T"
///     Cu 39.56550365308602 21.958961199720726 -0.03636430602716995 1 1 0.00123
///
/// Comment line: `Lattice` = the box's cell vectors a, b, c (the columns of box.cell(): LAMMPS's
/// upper-triangular form, so the reader maps it straight back without a rotation), `Origin` =
/// the box's lo corner (ASE keeps it in atoms.info; positions are absolute either way), `pbc`,
/// `Time` (when the frame has one) and `Timestep`. An open box (no box in the input) is written
/// without Lattice, with pbc="F F F".
///
/// Properties, in ASE's convention species first, then pos:
/// - `species:S:1`: the atom's element, from a string column `element` if the frame has one,
///   else from a string `type` column, else frame::type_names[type-1], else `X` (ASE's dummy
///   element, atomic number 0): ASE accepts only element symbols here (a bare type number is a
///   KeyError in ase.Atoms), so the type number itself goes in the `type` column.
/// - `pos:R:3`: Cartesian positions (frame::positions(): x y z as stored, or xu / xs / xsu
///   converted); that family's columns are not repeated.
/// - every other column in frame order: string columns S:1 (their labels), integral columns whose
///   values are all whole numbers I:1, the rest R:1.
/// Numbers: the shortest form that reads back bit for bit (std::to_chars), NaN as `nan`,
/// infinities as `inf`/`-inf` (ASE and tessera's reader read them), or set_precision() digits
/// for atom values. Paths ending in ".gz" are gzip-compressed. One frame's atom text is
/// streamed out in ~1 MiB chunks.
///
/// Read back by extxyz_reader: the columns (ids, types, positions, every value), the box's lo,
/// tilts and periodicity come back bit for bit, and the Lattice is box.cell() exactly. The
/// reader rebuilds hi as Origin + length, which is hi unless that sum is a rounding tie or
/// |lo| is large against hi - lo; then hi is within one ulp of hi - lo (cu_tilted.dump: 1 of its
/// 9 upper bounds), as triclinic bounds are in a LAMMPS dump. No other length fixes that: the
/// sums lo + L of consecutive doubles L step over such an hi. Not carried: boundary flags other
/// than periodic or not (`fs`, `m`), units, and type_names when there is a `type` column (the
/// reader then ignores species).
///
/// Errors (tessera::error): a frame without a coordinate family; a column called `species` or
/// `pos`, or a name containing ':' (it would break Properties); the column / label conditions of
/// lammps_dump_writer (sizes, whitespace, label numbers).

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/frame.hpp>
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

class extxyz_writer {
public:
    /// Writes to a file; gzip-compressed when the path ends in ".gz". `name` is what messages
    /// call it (default: the path).
    explicit extxyz_writer(const std::filesystem::path& path, std::string name = {})
        : sink_(detail::open_sink(path, name)), name_(name.empty() ? path.string() : std::move(name)) {}
    /// Writes to a stream, which must outlive the writer.
    explicit extxyz_writer(std::ostream& os, std::string name = "<stream>")
        : sink_(std::make_unique<detail::ostream_sink>(os, name)), name_(std::move(name)) {}
    extxyz_writer(extxyz_writer&&) noexcept = default;
    ~extxyz_writer() {
        try {
            close();
        } catch (...) {  // destructors do not throw; call close() to see errors
        }
    }

    /// Appends one frame.
    void write(const frame& f) {
        if (!sink_) throw error(name_ + ": write after close");
        plan(f);
        f.positions(pos_);
        buf_.clear();
        buf_ += std::to_string(f.natoms);
        buf_ += '\n';
        write_comment(f);
        sink_->write(buf_);
        write_atoms(f);
        ++frames_;
    }

    /// Significant digits of non-integer atom values (printf's %g with that precision). 0, the
    /// default: the shortest form that reads back bit for bit. The box and the time are always
    /// written exactly.
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
    enum class kind : unsigned char { real, integer, text };
    struct out_column {
        std::size_t c;
        kind k;
    };

    /// Checks the frame and decides what goes where: the species source and each written column.
    void plan(const frame& f) {
        if (f.columns.size() != f.names.size())
            throw error(name_ + ": frame has " + std::to_string(f.names.size()) + " column names but " +
                        std::to_string(f.columns.size()) + " columns");
        const std::string_view fam = f.coordinate_family();
        if (fam.empty())
            throw error(name_ + ": extended XYZ needs positions; the frame has no coordinate columns (columns are: " +
                        f.column_list() + ")");
        const std::string fs(fam);
        const std::string skip[3] = {fs, fs == "x" ? "y" : "y" + fs.substr(1), fs == "x" ? "z" : "z" + fs.substr(1)};
        cols_.clear();
        species_col_ = -1;
        type_col_ = f.column_index("type");
        for (std::size_t c = 0; c < f.names.size(); ++c) {
            const std::string& n = f.names[c];
            if (f.columns[c].size() != f.natoms)
                throw error(name_ + ": column '" + n + "' has " + std::to_string(f.columns[c].size()) + " values for " +
                            std::to_string(f.natoms) + " atoms");
            if (n.empty() || n.find_first_of(" \t\r\n\v\f:\"") != std::string::npos)
                throw error(name_ + ": column name '" + n +
                            "' is empty or contains whitespace, ':' or '\"', which extended XYZ Properties cannot hold");
            if (n == "species" || n == "pos")
                throw error(name_ + ": column '" + n + "' clashes with the extended XYZ property of that name");
            if (f.is_string_column(c)) {
                check_labels(f, c);
                if (n == "element" || (n == "type" && species_col_ < 0)) species_col_ = static_cast<std::ptrdiff_t>(c);
            }
            if (n == skip[0] || n == skip[1] || n == skip[2]) continue;
            kind k = kind::real;
            if (f.is_string_column(c)) k = kind::text;
            else if (c < f.integral.size() && f.integral[c] && all_whole(f.columns[c])) k = kind::integer;
            cols_.push_back({c, k});
        }
    }

    static bool all_whole(const std::vector<double>& v) {
        for (double x : v)
            if (!(std::abs(x) <= 9007199254740992.0 && x == std::floor(x))) return false;
        return true;
    }

    void check_labels(const frame& f, std::size_t c) const {
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
                            std::to_string(f.columns[c][i]) + ", not a label number");
        }
    }

    void number(double v) { detail::append_double(buf_, v); }
    void triple(const vec3<double>& v) {
        number(v.x);
        buf_ += ' ';
        number(v.y);
        buf_ += ' ';
        number(v.z);
    }

    void write_comment(const frame& f) {
        vec3<double> lo, hi;
        double xy = 0, xz = 0, yz = 0;
        periodicity per = not_periodic;
        bool cell = true;
        if (const auto* b = std::get_if<triclinic_box<double>>(&f.box)) {
            lo = b->lo(), hi = b->hi(), xy = b->xy(), xz = b->xz(), yz = b->yz(), per = b->periodic_axes();
        } else if (const auto* o = std::get_if<orthogonal_box<double>>(&f.box)) {
            lo = o->lo(), hi = o->hi(), per = o->periodic_axes();
        } else {
            cell = false;
        }
        if (cell) {
            const vec3<double> L = hi - lo;  // the box's own cell lengths (box.cell())
            // Cell vectors a = (lx, 0, 0), b = (xy, ly, 0), c = (xz, yz, lz), as ASE's cell rows.
            buf_ += "Lattice=\"";
            triple({L.x, 0, 0});
            buf_ += ' ';
            triple({xy, L.y, 0});
            buf_ += ' ';
            triple({xz, yz, L.z});
            buf_ += "\" Origin=\"";
            triple(lo);
            buf_ += "\" ";
        }
        buf_ += "Properties=species:S:1:pos:R:3";
        for (const auto& oc : cols_) {
            buf_ += ':';
            buf_ += f.names[oc.c];
            buf_ += oc.k == kind::text ? ":S:1" : oc.k == kind::integer ? ":I:1" : ":R:1";
        }
        if (f.time) {
            buf_ += " Time=";
            number(*f.time);
        }
        buf_ += " Timestep=" + std::to_string(f.timestep) + " pbc=\"";
        for (std::size_t d = 0; d < 3; ++d) (buf_ += d ? " " : "") += per[d] ? 'T' : 'F';
        buf_ += "\"\n";
    }

    /// The element of atom i (see the file comment).
    std::string_view species(const frame& f, std::size_t i) const {
        if (species_col_ >= 0) return f.label(static_cast<std::size_t>(species_col_), i);
        if (type_col_ >= 0 && !f.type_names.empty()) {
            const double t = f.columns[static_cast<std::size_t>(type_col_)][i];
            if (t >= 1 && t <= static_cast<double>(f.type_names.size()) && t == std::floor(t)) {
                const std::string& s = f.type_names[static_cast<std::size_t>(t) - 1];
                if (!s.empty() && s.find_first_of(" \t\r\n\v\f") == std::string::npos) return s;
            }
        }
        return "X";
    }

    void write_atoms(const frame& f) {
        std::size_t row_max = (cols_.size() + 3) * (detail::max_number_chars + 1) + 2;
        std::size_t longest = 1;
        for (std::size_t c = 0; c < f.names.size(); ++c)
            if (f.is_string_column(c))
                for (const auto& l : f.labels[c]) longest = std::max(longest, l.size());
        for (const auto& s : f.type_names) longest = std::max(longest, s.size());
        row_max += (cols_.size() + 1) * longest;
        // ~1 MiB chunks, or the whole frame when it is smaller (a writer made for one small
        // frame does not zero a megabyte).
        const std::size_t chunk = std::min(std::size_t(1) << 20, f.natoms * row_max);
        if (text_.size() < chunk + row_max) text_.resize(chunk + row_max);
        char* const begin = text_.data();
        char* p = begin;
        for (std::size_t i = 0; i < f.natoms; ++i) {
            const std::string_view s = species(f, i);
            p = std::copy(s.begin(), s.end(), p);
            for (std::size_t d = 0; d < 3; ++d) {
                *p++ = ' ';
                p = detail::write_double(p, pos_[i][d], precision_);
            }
            for (const auto& oc : cols_) {
                *p++ = ' ';
                const double v = f.columns[oc.c][i];
                if (oc.k == kind::text) {
                    const std::string& l = f.label(oc.c, i);
                    p = std::copy(l.begin(), l.end(), p);
                } else if (oc.k == kind::integer) {
                    p = detail::write_integral(p, v, precision_);
                } else {
                    p = detail::write_double(p, v, precision_);
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

    std::unique_ptr<detail::byte_sink> sink_;
    std::string name_;
    std::string buf_;         ///< count and comment lines
    std::vector<char> text_;  ///< atom lines
    std::vector<std::array<double, 3>> pos_;
    std::vector<out_column> cols_;
    std::ptrdiff_t species_col_ = -1;
    std::ptrdiff_t type_col_ = -1;
    int precision_ = 0;
    std::size_t frames_ = 0;
};

}  // namespace tessera
