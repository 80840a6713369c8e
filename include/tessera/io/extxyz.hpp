#pragma once
/// @file
/// Extended XYZ (ASE / OVITO / QUIP flavour): a streaming reader producing tessera::frame.
///
///     <natoms>
///     Lattice="ax ay az bx by bz cx cy cz" Properties=species:S:1:pos:R:3 pbc="T T T" Time=0.5
///     Cu 0.0 0.0 0.0
///
/// Comment-line keys (case-insensitive): `Lattice` (cell vectors a, b, c), `Origin` (cell
/// origin, default 0), `Properties` (default `species:S:1:pos:R:3`), `pbc` (default `T T T` with
/// a Lattice, else `F F F`), `Time` (-> frame::time), `step` or `timestep` (-> frame::timestep;
/// default: the frame's index in the file). Other keys are ignored.
///
/// Columns: `pos` -> x y z, `velo`/`vel`/`velocities` -> vx vy vz, `forces`/`force` -> fx fy fz,
/// `species` (S) -> integer `type` numbered 1, 2, ... by first appearance in the file (names in
/// frame::type_names, the same numbering for every frame) unless Properties has its own `type`,
/// which then wins (species is skipped: extxyz_writer writes both, the type numbers exactly);
/// other S properties with one column become string columns (frame::labels, labels in order of
/// first appearance in the frame), wider ones are skipped; L properties become 0/1. Other names are kept, a property with count k > 1 becoming
/// `name[1] ... name[k]`. Without an `id` property, an `id` column 1..N is added first.
/// R (and I, L) fields must be numbers; R fields may be `nan`, `inf`, `-inf` (any case), read
/// as NaN and ±inf. Lattice, Origin and Time must be finite.
///
/// Cells: LAMMPS needs a along +x and b in the xy plane (an upper-triangular h). A Lattice that
/// already has that form (ay = az = bz = 0, ax, by, cz > 0) maps directly to orthogonal_box or
/// triclinic_box. Any other right-handed cell is rotated into the LAMMPS frame, about the
/// origin, with the rotation R = h_lammps h^-1 (rotation() returns it) applied to positions,
/// velocities and forces; other vector properties are left as read. Left-handed or degenerate
/// cells are an error. Errors: "<file>:<line>: frame <k>: <what>" like the LAMMPS reader.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/frame.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/io/detail/atom_ids.hpp>
#include <tessera/io/detail/extxyz_comment.hpp>
#include <tessera/io/detail/text_input.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tessera {

class extxyz_reader {
public:
    explicit extxyz_reader(const std::filesystem::path& path) : in_(detail::open_source(path), path.string()) {}
    explicit extxyz_reader(std::istream& is, std::string name = "<stream>")
        : in_(std::make_unique<detail::istream_source>(is, name), name) {}
    /// Reads from a copy of `text`.
    static extxyz_reader from_string(std::string text, std::string name = "<string>") {
        return extxyz_reader(std::make_unique<detail::memory_source>(std::move(text)), std::move(name));
    }
    /// Reads from a buffer without copying it; the buffer must outlive the reader.
    static extxyz_reader from_buffer(std::string_view buffer, std::string name = "<buffer>") {
        return extxyz_reader(std::make_unique<detail::memory_source>(buffer), std::move(name));
    }

    /// Reads the next frame into f (reusing its buffers). False at the end of input.
    bool next(frame& f) {
        if (!read_header(f)) return false;
        read_atoms(f);
        ++frames_;
        in_.set_context({});
        return true;
    }
    /// Skips the next frame. False at the end of input.
    bool skip() {
        std::string_view line;
        if (!in_.next_nonblank(line)) return false;
        in_.set_context("frame " + std::to_string(frames_) + ": ");
        const std::size_t n = natoms(line);
        if (!in_.next(line)) throw eof("comment line");
        for (std::size_t i = 0; i < n; ++i)
            if (!in_.next(line)) throw eof("atom line " + std::to_string(i + 1) + " of " + std::to_string(n));
        ++frames_;
        in_.set_context({});
        return true;
    }

    const std::string& name() const noexcept { return in_.name(); }
    std::size_t line() const noexcept { return in_.line(); }
    /// Input bytes consumed so far (compressed bytes for gzip): progress against the file size.
    std::uint64_t input_consumed() const noexcept { return in_.input_consumed(); }
    std::size_t frames() const noexcept { return frames_; }
    /// Rotation applied to the last frame's positions, velocities and forces (identity if none).
    const mat3<double>& rotation() const noexcept { return rotation_; }
    /// Species names in type order (type t is species()[t-1]).
    const std::vector<std::string>& species() const noexcept { return species_; }

private:
    extxyz_reader(std::unique_ptr<detail::byte_source> src, std::string name) : in_(std::move(src), name) {}

    enum class kind { real, integer, boolean, species, text, skip };
    struct field {
        kind k;
        std::size_t column;  // target column (unused for skip)
        std::string_view property;
    };

    error eof(const std::string& what) const {
        return in_.fail_at(in_.line() + 1, "unexpected end of file: missing " + what + " (truncated frame)");
    }

    std::size_t natoms(std::string_view line) {
        detail::split(line, tok_);
        std::int64_t n = 0;
        if (tok_.size() != 1 || !detail::parse_int64(tok_[0], n))
            throw in_.fail("expected the number of atoms (one integer), found " + detail::quoted(line));
        if (n < 0) throw in_.fail("negative number of atoms: " + std::to_string(n));
        return static_cast<std::size_t>(n);
    }

    void add(frame& f, std::string name, kind k, std::string_view property) {
        fields_.push_back({k, f.names.size(), property});
        f.names.push_back(std::move(name));
        f.integral.push_back(k != kind::real);
    }

    void numbers(std::string_view key, const std::string& value, std::size_t count, double* out) {
        detail::split(value, tok_);
        if (tok_.size() != count)
            throw in_.fail(std::string(key) + " needs " + std::to_string(count) + " numbers, found " +
                           detail::quoted(value));
        for (std::size_t j = 0; j < count; ++j) {
            bool il = false;
            const auto st = detail::parse_double(tok_[j], out[j], il);
            if (st != detail::parse_status::ok) throw in_.fail(detail::number_problem(st, tok_[j], key));
        }
    }

    bool read_header(frame& f) {
        std::string_view line;
        if (!in_.next_nonblank(line)) return false;
        in_.set_context("frame " + std::to_string(frames_) + ": ");  // errors name the frame (0-based)
        f.natoms = natoms(line);
        if (!in_.next(line)) throw eof("comment line");
        if (const auto e = detail::parse_key_values(line, kv_); !e.empty()) throw in_.fail(e);
        std::optional<std::array<double, 9>> lattice;
        std::array<double, 3> origin{0, 0, 0};
        std::optional<periodicity> pbc;
        std::string properties = "species:S:1:pos:R:3";
        f.timestep = static_cast<std::int64_t>(frames_);
        f.time.reset();
        f.units.clear();
        f.box_flags.clear();
        for (const auto& [key, value] : kv_) {
            if (detail::iequals(key, "Lattice")) {
                lattice.emplace();
                numbers("Lattice", value, 9, lattice->data());
            } else if (detail::iequals(key, "Origin")) {
                numbers("Origin", value, 3, origin.data());
            } else if (detail::iequals(key, "Properties")) {
                properties = value;
            } else if (detail::iequals(key, "pbc")) {
                detail::split(value, tok_);
                periodicity p{};
                for (std::size_t d = 0; d < 3; ++d) {
                    const auto b = tok_.size() == 3 ? detail::parse_bool(tok_[d]) : std::nullopt;
                    if (!b) throw in_.fail("pbc needs three of T/F, found " + detail::quoted(value));
                    p[d] = *b;
                }
                pbc = p;
            } else if (detail::iequals(key, "Time")) {
                double t = 0;
                numbers("Time", value, 1, &t);
                f.time = t;
            } else if (detail::iequals(key, "step") || detail::iequals(key, "timestep")) {
                if (!detail::parse_int64(value, f.timestep))
                    throw in_.fail(key + " must be an integer, found " + detail::quoted(value));
            }
        }
        if (const auto e = detail::parse_properties(properties, props_); !e.empty()) throw in_.fail(e);
        build_columns(f);
        set_box(f, lattice, origin, pbc);
        return true;
    }

    void build_columns(frame& f) {
        f.names.clear();
        f.integral.clear();
        fields_.clear();
        vector_columns_.clear();
        synth_id_ = true;
        bool own_type = false;
        for (const auto& p : props_) {
            synth_id_ &= !(p.name == "id" && p.count == 1);
            own_type |= p.name == "type" && p.count == 1;
        }
        if (synth_id_) {
            f.names.push_back("id");
            f.integral.push_back(1);
        }
        for (const auto& p : props_) {
            const std::string_view n = p.name;
            const kind k = p.type == 'R' ? kind::real : p.type == 'I' ? kind::integer : p.type == 'L' ? kind::boolean
                                                                                                  : kind::skip;
            const char* v3 = n == "pos" ? "" : (n == "velo" || n == "vel" || n == "velocities") ? "v"
                                               : (n == "forces" || n == "force")                 ? "f"
                                                                                                 : nullptr;
            if (p.type == 'S') {
                if (n == "species" && p.count == 1 && !own_type) add(f, "type", kind::species, n);
                else if (n != "species" && p.count == 1) add(f, p.name, kind::text, n);
                else
                    for (std::size_t j = 0; j < p.count; ++j) fields_.push_back({kind::skip, 0, n});
            } else if (v3 && p.type == 'R') {
                if (p.count != 3) throw in_.fail("property '" + p.name + "' must have 3 columns");
                vector_columns_.push_back(f.names.size());
                for (const char* axis : {"x", "y", "z"}) add(f, std::string(v3) + axis, k, n);
            } else if (p.count == 1) {
                add(f, p.name, k, n);
            } else {
                for (std::size_t j = 0; j < p.count; ++j) add(f, p.name + "[" + std::to_string(j + 1) + "]", k, n);
            }
        }
        if (const auto c = detail::first_duplicate(f.names); c >= 0)  // n log n: Properties may be long
            throw in_.fail("duplicate column '" + f.names[static_cast<std::size_t>(c)] + "' from Properties");
        f.columns.resize(f.names.size());
        for (auto& c : f.columns) c.clear();
        f.labels.assign(f.names.size(), {});
        text_index_.assign(f.names.size(), {});
    }

    void set_box(frame& f, const std::optional<std::array<double, 9>>& L, const std::array<double, 3>& o,
                 std::optional<periodicity> pbc) {
        rotation_ = mat3<double>::identity();
        if (!L) {
            if (pbc && ((*pbc)[0] || (*pbc)[1] || (*pbc)[2])) throw in_.fail("pbc has T but there is no Lattice");
            f.box = open_box<double>{};
            return;
        }
        const periodicity per = pbc.value_or(fully_periodic);
        const auto& l = *L;
        const vec3<double> lo{o[0], o[1], o[2]};
        try {
            if (l[1] == 0 && l[2] == 0 && l[5] == 0 && l[0] > 0 && l[4] > 0 && l[8] > 0) {
                const vec3<double> hi = lo + vec3<double>{l[0], l[4], l[8]};
                if (l[3] == 0 && l[6] == 0 && l[7] == 0) f.box = orthogonal_box<double>(lo, hi, per);
                else f.box = triclinic_box<double>(lo, hi, l[3], l[6], l[7], per);
                return;
            }
            const vec3<double> a{l[0], l[1], l[2]}, b{l[3], l[4], l[5]}, c{l[6], l[7], l[8]};
            const mat3<double> h = mat3<double>::from_columns(a, b, c);
            const double vol = determinant(h);
            if (!(vol > 1e-12 * norm(a) * norm(b) * norm(c)))
                throw error("Lattice is left-handed or degenerate (a.(b x c) = " + std::to_string(vol) + ")");
            // LAMMPS "Howto triclinic": the same cell with a along x and b in the xy plane.
            const double lx = norm(a), xy = dot(b, a) / lx, ly = norm(cross(a, b)) / lx, xz = dot(c, a) / lx;
            const double yz = (dot(b, c) - xy * xz) / ly, lz = vol / (lx * ly);
            const mat3<double> hl{{lx, xy, xz, 0, ly, yz, 0, 0, lz}};
            rotation_ = hl * inverse(h);
            f.box = triclinic_box<double>(lo, lo + vec3<double>{lx, ly, lz}, xy, xz, yz, per);
        } catch (const error& e) {
            throw in_.fail(std::string("invalid box: ") + e.what());
        }
    }

    /// Type number (1-based) of a species, adding it if new. A scan of the first few (the usual
    /// handful of elements), then a hash: a scan of all was quadratic in the number of distinct
    /// species (a file of 10^6 atoms with distinct names: 5·10^11 comparisons).
    std::size_t species_type(std::string_view s) {
        if (species_.size() <= 8) {
            for (std::size_t t = 0; t < species_.size(); ++t)
                if (species_[t] == s) return t + 1;
        } else if (const auto it = species_index_.find(s); it != species_index_.end()) {
            return it->second + 1;
        }
        if (species_.size() >= 1000000) throw in_.fail("too many distinct species");
        species_index_.emplace(std::string(s), species_.size());
        species_.emplace_back(s);
        return species_.size();
    }

    void read_atoms(frame& f) {
        // At most 2^16 values (512 KB) reserved over all columns, whatever the count line claims;
        // beyond that the columns grow with the lines actually present (a reused frame keeps its
        // capacity, so only a first large frame grows). Reserving more for a claim costs every
        // bad file a large allocation (2^23 values ran the fuzzer at a few hundred inputs/s).
        const std::size_t reserve =
            std::min<std::size_t>(f.natoms, (std::size_t(1) << 16) / std::max<std::size_t>(f.columns.size(), 1));
        for (auto& c : f.columns) c.reserve(reserve);
        std::string_view line;
        f.first_line = in_.line() + 1;
        for (std::size_t i = 0; i < f.natoms; ++i) {
            if (!in_.next(line)) throw eof("atom line " + std::to_string(i + 1) + " of " + std::to_string(f.natoms));
            detail::split(line, tok_);
            if (tok_.size() != fields_.size())
                throw in_.fail("atom line has " + std::to_string(tok_.size()) + " fields, expected " +
                               std::to_string(fields_.size()) + " from Properties");
            if (synth_id_) f.columns[0].push_back(static_cast<double>(i + 1));
            for (std::size_t k = 0; k < fields_.size(); ++k) {
                const field& fd = fields_[k];
                double v = 0;
                bool il = false;
                if (fd.k == kind::skip) continue;
                if (fd.k == kind::species) {
                    v = static_cast<double>(species_type(tok_[k]));
                } else if (fd.k == kind::text) {
                    auto& labels = f.labels[fd.column];
                    auto& index = text_index_[fd.column];
                    auto it = index.find(tok_[k]);  // no string made for a label seen before
                    if (it == index.end()) {
                        it = index.emplace(std::string(tok_[k]), labels.size()).first;
                        labels.emplace_back(tok_[k]);
                    }
                    v = static_cast<double>(f.label_base(fd.column) + it->second);
                } else if (fd.k == kind::boolean) {
                    const auto b = detail::parse_bool(tok_[k]);
                    if (!b) throw in_.fail("value " + detail::quoted(tok_[k]) + " of logical property '" +
                                           std::string(fd.property) + "' is not T or F");
                    v = *b;
                } else {
                    const auto st = detail::parse_double(tok_[k], v, il);
                    if (st != detail::parse_status::ok && st != detail::parse_status::not_finite)
                        throw in_.fail(detail::number_problem(st, tok_[k], f.names[fd.column]));
                    if (fd.k == kind::integer && !il)
                        throw in_.fail("non-integer value " + detail::quoted(tok_[k]) + " in integer column '" +
                                       f.names[fd.column] + "'");
                }
                f.columns[fd.column].push_back(v);
            }
        }
        f.type_names = species_;
        if (!synth_id_) check_ids(f);
        if (rotation_ != mat3<double>::identity()) rotate(f);
    }

    /// An `id` property must hold distinct integers (commands match atoms by id), as in dumps.
    void check_ids(const frame& f) {
        const auto c = f.column_index("id");
        if (c < 0) return;
        if (auto fault = ids_.check(f.columns[static_cast<std::size_t>(c)], f.first_line))
            throw in_.fail_at(f.first_line + fault->row, fault->what);
    }

    void rotate(frame& f) const {
        const vec3<double> o = f.box_origin();
        for (std::size_t c0 : vector_columns_) {
            const bool is_pos = f.names[c0] == "x";
            auto &x = f.columns[c0], &y = f.columns[c0 + 1], &z = f.columns[c0 + 2];
            for (std::size_t i = 0; i < f.natoms; ++i) {
                vec3<double> r{x[i], y[i], z[i]};
                r = is_pos ? o + rotation_ * (r - o) : rotation_ * r;
                x[i] = r.x, y[i] = r.y, z[i] = r.z;
            }
        }
    }

    detail::line_reader in_;
    std::vector<std::string_view> tok_;
    std::vector<std::pair<std::string, std::string>> kv_;
    std::vector<detail::xyz_property> props_;
    std::vector<field> fields_;
    std::vector<std::size_t> vector_columns_;
    detail::atom_id_checker ids_;
    std::vector<std::string> species_;
    std::unordered_map<std::string, std::size_t, detail::string_hash, std::equal_to<>> species_index_;  ///< species -> index
    std::vector<std::unordered_map<std::string, std::size_t, detail::string_hash, std::equal_to<>>> text_index_;  ///< per string column: label -> index
    mat3<double> rotation_ = mat3<double>::identity();
    std::size_t frames_ = 0;
    bool synth_id_ = false;
};

}  // namespace tessera
