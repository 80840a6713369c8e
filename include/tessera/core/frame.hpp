#pragma once
/// @file
/// tessera::frame — one snapshot of a trajectory as the readers in io/ produce it: timestep,
/// box, and named per-atom columns of doubles (column-major, each column contiguous).
///
/// Columns keep the names and the order of the input (`id type x y z c_pe ...`). Integer-valued
/// columns (ids, types, image flags) are stored as doubles too, exactly up to 2^53, and carry an
/// `integral` flag so writers print them as integers. Numeric columns may hold NaN and ±inf
/// (LAMMPS writes `nan`/`inf` for undefined per-atom values); consumers that need finite
/// positions check them (the neighbour queries do).
///
/// String (categorical) columns, such as `element` in `dump custom ... element`: `labels[c]`
/// lists the column's distinct strings and `columns[c][i]` holds label_base(c) + the index of
/// atom i's string in `labels[c]`, as an integral double. label_base(c) is 1 for the column
/// called `type` (LAMMPS types count from 1: type t is labels[c][t-1]) and 0 for every other
/// column. An empty `labels[c]` (or `labels` shorter than `names`) means column c is numeric.
/// Writers write a string column's labels, not its numbers.
///
/// Coordinates are found by family, in this priority:
///
/// | family         | meaning                          | to Cartesian                        |
/// |----------------|----------------------------------|-------------------------------------|
/// | `x y z`        | Cartesian, wrapped or not        | as stored                           |
/// | `xu yu zu`     | Cartesian, unwrapped             | as stored                           |
/// | `xs ys zs`     | fractional (scaled), wrapped     | `box.from_fractional(s)`            |
/// | `xsu ysu zsu`  | fractional, unwrapped            | `box.from_fractional(s)`            |
///
/// With `unwrap::if_available` or `unwrap::required`, image flags `ix iy iz` (when present) are
/// added to a *wrapped* family: r + h n (Cartesian) or s + n (fractional). They are never added
/// to an unwrapped family, which already contains them.
///
/// The box is a tessera::any_box (core/any_box.hpp): hand it to the library's box templates with
/// `tessera::with_box(fr, [&](const auto& box) { ... })`.

#include <tessera/core/any_box.hpp>
#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/vec.hpp>

#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace tessera {

/// How positions() treats image flags.
enum class unwrap {
    none,          ///< coordinates as stored
    if_available,  ///< add ix iy iz to a wrapped family when all three columns are present
    required,      ///< as if_available, but throw unless the result is unwrapped
};

struct frame {
    std::int64_t timestep = 0;
    std::size_t natoms = 0;
    /// open_box when the input has none (plain XYZ without a Lattice); see with_box below.
    any_box box{open_box<double>{}};
    /// Boundary flags as read (`"pp pp ff"`, `"pp fs pp"`); empty when the input had none.
    /// Writers reproduce them; when empty they derive "pp"/"ff" from box periodicity.
    std::string box_flags;
    std::optional<double> time;  ///< `ITEM: TIME` / extxyz `Time=`, when present
    std::string units;           ///< `ITEM: UNITS`, when present
    std::vector<std::string> names;            ///< column names, in input order
    std::vector<std::vector<double>> columns;  ///< columns[c][i]: column c of atom i
    std::vector<unsigned char> integral;       ///< 1 if column c holds integers (write as such)
    /// labels[c]: the strings of string column c (see the file comment); empty for a numeric
    /// column. May be shorter than `names` (missing entries are numeric columns).
    std::vector<std::vector<std::string>> labels;
    /// Species names when types were mapped from strings (extxyz species, dump `type` or
    /// `element` strings): type t is type_names[t-1] ("" for a type number without a name).
    std::vector<std::string> type_names;
    /// Line of the input file holding the first atom (atom i is on line first_line + i), set by
    /// the text readers for messages; 0 when unknown.
    std::size_t first_line = 0;

    std::size_t num_columns() const noexcept { return names.size(); }

    /// Index of the column called `name`, or -1.
    std::ptrdiff_t column_index(std::string_view name) const noexcept {
        for (std::size_t c = 0; c < names.size(); ++c)
            if (names[c] == name) return static_cast<std::ptrdiff_t>(c);
        return -1;
    }
    bool has_column(std::string_view name) const noexcept { return column_index(name) >= 0; }

    /// The column called `name`; throws tessera::error naming it and the available columns.
    std::span<const double> column(std::string_view name) const {
        const auto c = column_index(name);
        if (c < 0) throw error("frame (timestep " + std::to_string(timestep) + "): no column '" + std::string(name) +
                               "'; columns are: " + column_list());
        return columns[static_cast<std::size_t>(c)];
    }
    std::span<double> column(std::string_view name) {
        const auto c = std::as_const(*this).column(name);
        return {const_cast<double*>(c.data()), c.size()};
    }

    /// Appends (or replaces) a numeric column of natoms values, e.g. a descriptor output.
    /// Replacing a string column makes it numeric (its labels are dropped).
    void add_column(std::string name, std::vector<double> values, bool is_integral = false) {
        set_column(std::move(name), std::move(values), is_integral, {});
    }

    /// Appends (or replaces) a string column from one string per atom: labels in order of first
    /// appearance, values label_base + index (see the file comment). Strings must be non-empty
    /// and free of whitespace (so that they can be written to a text file and read back).
    void add_string_column(std::string name, const std::vector<std::string>& values) {
        if (values.size() != natoms)
            throw error("frame: column '" + name + "' has " + std::to_string(values.size()) + " values for " +
                        std::to_string(natoms) + " atoms");
        const double base = name == "type" ? 1.0 : 0.0;
        std::vector<std::string> table;
        std::unordered_map<std::string_view, std::size_t> seen;
        std::vector<double> index(values.size());
        for (std::size_t i = 0; i < values.size(); ++i) {
            const std::string& v = values[i];
            if (v.empty() || v.find_first_of(" \t\r\n\v\f") != std::string::npos)
                throw error("frame: column '" + name + "': value " + std::to_string(i) +
                            " is empty or contains whitespace");
            const auto [it, added] = seen.try_emplace(v, table.size());
            if (added) table.push_back(v);
            index[i] = base + static_cast<double>(it->second);
        }
        set_column(std::move(name), std::move(index), true, std::move(table));
    }

    /// True when column c is a string column (has labels).
    bool is_string_column(std::size_t c) const noexcept { return c < labels.size() && !labels[c].empty(); }
    /// What is added to a label's index to give the stored value: 1 for `type`, else 0.
    std::size_t label_base(std::size_t c) const noexcept { return c < names.size() && names[c] == "type"; }
    /// The string of atom i in string column c; throws tessera::error if column c is not a
    /// string column or its value is not a valid label number.
    const std::string& label(std::size_t c, std::size_t i) const {
        if (c >= names.size() || c >= columns.size() || i >= columns[c].size())
            throw error("frame: label(" + std::to_string(c) + ", " + std::to_string(i) + ") out of range");
        if (!is_string_column(c)) throw error("frame: column '" + names[c] + "' is not a string column");
        const double k = columns[c][i] - static_cast<double>(label_base(c));
        if (!(k >= 0 && k < static_cast<double>(labels[c].size()) && k == std::floor(k)))
            throw error("frame: column '" + names[c] + "' row " + std::to_string(i) + " holds " +
                        std::to_string(columns[c][i]) + ", not a label number");
        return labels[c][static_cast<std::size_t>(k)];
    }

    /// Atom ids (column `id`); throws if absent.
    std::vector<std::int64_t> ids() const { return as_integers<std::int64_t>("id"); }
    /// Atom types (column `type`); throws if absent.
    std::vector<int> types() const { return as_integers<int>("type"); }

    /// Which coordinate family positions() uses: "x", "xu", "xs" or "xsu"; empty if none.
    std::string_view coordinate_family() const noexcept {
        for (std::string_view f : {"x", "xu", "xs", "xsu"})
            if (has_family(f)) return f;
        return {};
    }
    bool has_image_flags() const noexcept { return has_column("ix") && has_column("iy") && has_column("iz"); }

    /// Cartesian positions from the first complete coordinate family (see file comment).
    std::vector<std::array<double, 3>> positions(unwrap mode = unwrap::none) const {
        std::vector<std::array<double, 3>> out;
        positions(out, mode);
        return out;
    }
    /// Same, into a caller-owned vector (reuses its capacity).
    void positions(std::vector<std::array<double, 3>>& out, unwrap mode = unwrap::none) const {
        out.resize(natoms);
        convert_positions(mode, [&](std::size_t i, const vec3<double>& p) { out[i] = {p.x, p.y, p.z}; });
    }

    /// Cartesian positions as a structure-of-arrays view, without a copy when they are stored
    /// Cartesian and need no images added (`x y z` or `xu yu zu`): the view then points into
    /// this frame's columns and is valid while they are neither replaced nor resized. Other
    /// families (fractional, or images added) are converted into `scratch` (3 natoms values,
    /// reused), which the view then points into. Checks and errors are those of positions().
    soa_view<double> positions_view(std::vector<double>& scratch, unwrap mode = unwrap::none) const {
        const std::string_view fam = coordinate_family();
        const bool unwrapped = fam == "xu" || fam == "xsu";
        const bool add_images = mode != unwrap::none && !unwrapped && has_image_flags();
        if ((fam == "x" || fam == "xu") && !add_images && !(mode == unwrap::required && !unwrapped)) {
            const std::string f(fam);
            const std::array<std::span<const double>, 3> r{column(f), column(f == "x" ? "y" : "yu"),
                                                           column(f == "x" ? "z" : "zu")};
            check_finite(fam, r);
            return {r[0].data(), r[1].data(), r[2].data(), natoms};
        }
        scratch.resize(3 * natoms);
        double* x = scratch.data();
        convert_positions(mode, [&](std::size_t i, const vec3<double>& p) {
            x[i] = p.x;
            x[natoms + i] = p.y;
            x[2 * natoms + i] = p.z;
        });
        return {x, x + natoms, x + 2 * natoms, natoms};
    }

private:
    /// The positions of the first complete coordinate family, Cartesian, handed to out(i, r)
    /// atom by atom (see the file comment); throws when the family cannot serve `mode` (before
    /// any call) or at the first atom whose position is not finite.
    template <class Out>
    void convert_positions(unwrap mode, Out&& out) const {
        const std::string_view fam = coordinate_family();
        if (fam.empty())
            throw error("frame (timestep " + std::to_string(timestep) +
                        "): no coordinate columns; need one of {x y z}, {xu yu zu}, {xs ys zs}, {xsu ysu zsu}"
                        ", columns are: " + column_list());
        const bool scaled = fam == "xs" || fam == "xsu";
        const bool unwrapped = fam == "xu" || fam == "xsu";
        const bool add_images = mode != unwrap::none && !unwrapped && has_image_flags();
        if (mode == unwrap::required && !unwrapped && !add_images)
            throw error("frame (timestep " + std::to_string(timestep) + "): unwrapped positions requested but the '" +
                        std::string(fam) + "' coordinates are wrapped and image flags ix iy iz are missing" +
                        "; columns are: " + column_list());
        const std::string f(fam);
        const std::array<std::span<const double>, 3> r{column(f), column(f == "x" ? "y" : "y" + f.substr(1)),
                                                       column(f == "x" ? "z" : "z" + f.substr(1))};
        std::array<std::span<const double>, 3> n{};
        if (add_images) n = {column("ix"), column("iy"), column("iz")};
        with_box(box, [&](const auto& b) {
            const mat3<double> h = b.cell();
            for (std::size_t i = 0; i < natoms; ++i) {
                vec3<double> p{r[0][i], r[1][i], r[2][i]};
                if (scaled) {
                    if (add_images) p += vec3<double>{n[0][i], n[1][i], n[2][i]};
                    p = b.from_fractional(p);
                } else if (add_images) {
                    p += h * vec3<double>{n[0][i], n[1][i], n[2][i]};
                }
                if (!std::isfinite(p.x) || !std::isfinite(p.y) || !std::isfinite(p.z)) non_finite_position(i, fam, r);
                out(i, p);
            }
        });
    }
    /// Positions feed every geometric computation: name the first atom whose stored coordinate
    /// is NaN or infinite (the readers accept nan/inf in any column, as LAMMPS writes them).
    void check_finite(std::string_view fam, const std::array<std::span<const double>, 3>& r) const {
        for (std::size_t i = 0; i < natoms; ++i)
            if (!std::isfinite(r[0][i]) || !std::isfinite(r[1][i]) || !std::isfinite(r[2][i]))
                non_finite_position(i, fam, r);
    }

public:
    [[noreturn]] void non_finite_position(std::size_t i, std::string_view fam,
                                          const std::array<std::span<const double>, 3>& r) const {
        const auto c = column_index("id");
        std::string who = c >= 0 ? "atom id " + number_text(columns[std::size_t(c)][i]) : "atom " + std::to_string(i + 1);
        if (first_line) who += " (line " + std::to_string(first_line + i) + ")";
        const std::string f(fam);
        throw error("frame (timestep " + std::to_string(timestep) + "): " + who + " has a non-finite position: " + f +
                    " " + number_text(r[0][i]) + ", " + (f == "x" ? "y" : "y" + f.substr(1)) + " " +
                    number_text(r[1][i]) + ", " + (f == "x" ? "z" : "z" + f.substr(1)) + " " + number_text(r[2][i]));
    }
    static std::string number_text(double v) {
        if (std::isnan(v)) return "nan";
        if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
        char b[32];
        return std::string(b, std::to_chars(b, b + sizeof b, v).ptr);
    }

    /// Origin and cell matrix (cell vectors as columns) of whichever box the frame holds.
    vec3<double> box_origin() const {
        return with_box(box, [](const auto& b) { return b.origin(); });
    }
    mat3<double> box_cell() const {
        return with_box(box, [](const auto& b) { return b.cell(); });
    }
    periodicity box_periodicity() const {
        return with_box(box, [](const auto& b) { return periodicity{b.periodic(0), b.periodic(1), b.periodic(2)}; });
    }

    /// Keeps the columns at `order` (indices into names), in that order: a subset, a
    /// reordering, or both. Each index at most once.
    void keep_columns(const std::vector<std::size_t>& order) {
        std::vector<std::string> n;
        std::vector<std::vector<double>> c;
        std::vector<unsigned char> in;
        std::vector<std::vector<std::string>> lab;
        labels.resize(names.size());
        for (const std::size_t k : order) {
            if (k >= names.size()) throw error("frame: column index ", k, " out of range (", names.size(), " columns)");
            n.push_back(std::move(names[k]));
            c.push_back(std::move(columns[k]));
            in.push_back(integral[k]);
            lab.push_back(std::move(labels[k]));
        }
        names = std::move(n);
        columns = std::move(c);
        integral = std::move(in);
        labels = std::move(lab);
    }

    /// Space-separated column names, for messages.
    std::string column_list() const {
        if (names.empty()) return "(none)";
        std::string s;
        for (const auto& n : names) (s += s.empty() ? "" : " ") += n;
        return s;
    }

private:
    void set_column(std::string name, std::vector<double> values, bool is_integral,
                    std::vector<std::string> column_labels) {
        if (values.size() != natoms)
            throw error("frame: column '" + name + "' has " + std::to_string(values.size()) + " values for " +
                        std::to_string(natoms) + " atoms");
        if (name.empty() || name.find_first_of(" \t\r\n") != std::string::npos)
            throw error("frame: column name '" + name + "' is empty or contains whitespace");
        labels.resize(names.size());
        const auto c = column_index(name);
        if (c >= 0) {
            columns[static_cast<std::size_t>(c)] = std::move(values);
            integral[static_cast<std::size_t>(c)] = is_integral;
            labels[static_cast<std::size_t>(c)] = std::move(column_labels);
            return;
        }
        names.push_back(std::move(name));
        columns.push_back(std::move(values));
        integral.push_back(is_integral);
        labels.push_back(std::move(column_labels));
    }

    bool has_family(std::string_view f) const noexcept {
        if (f == "x") return has_column("x") && has_column("y") && has_column("z");
        const std::string rest(f.substr(1));
        return has_column(f) && has_column("y" + rest) && has_column("z" + rest);
    }
    template <class I>
    std::vector<I> as_integers(std::string_view name) const {
        const auto col = column(name);
        std::vector<I> out(col.size());
        for (std::size_t i = 0; i < col.size(); ++i) {
            const double v = col[i];
            if (!(std::abs(v) <= 9007199254740992.0) || v != std::floor(v) ||
                (sizeof(I) < 8 && (v > 2147483647.0 || v < -2147483648.0)))
                throw error("frame (timestep " + std::to_string(timestep) + "): column '" + std::string(name) +
                            "' holds a non-integer value at row " + std::to_string(i));
            out[i] = static_cast<I>(v);
        }
        return out;
    }
};

/// with_box on a frame's box: `tessera::with_box(fr, [&](const auto& box) { ... })` calls f with
/// the concrete open_box, orthogonal_box or triclinic_box the frame holds (core/any_box.hpp).
template <class F>
decltype(auto) with_box(const frame& fr, F&& f) {
    return with_box(fr.box, std::forward<F>(f));
}

}  // namespace tessera
