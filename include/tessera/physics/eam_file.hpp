#pragma once
/// @file
/// EAM potential files in the three LAMMPS (DYNAMO) formats, and LAMMPS's conversion of what
/// they hold into the tabulated functions pair eam evaluates (`PairEAM::file2array()` and its
/// eam/alloy, eam/fs overrides, LAMMPS 29 Sep 2021, src/MANYBODY/pair_eam*.cpp).
///
/// Formats (LAMMPS `pair_style eam` documentation; all grids start at 0):
/// - **funcfl** (`pair_style eam`, one element, e.g. Cu_u3.eam): line 1 comment; line 2
///   `Z mass a lattice`; line 3 `Nrho drho Nr dr cutoff`; then F(ρ) (Nrho values, ρ = k·drho),
///   Z(r) (Nr values, r = k·dr; the pair term is φ(r) = 27.2·0.529·Z_i(r)·Z_j(r)/r, Hartree·Bohr
///   to eV·Å) and ρ(r) (Nr values).
/// - **setfl** (`eam/alloy`, e.g. Cu_mishin1.eam.alloy): lines 1–3 comments; line 4
///   `N El1 ... ElN`; line 5 `Nrho drho Nr dr cutoff`; per element a line `Z mass a lattice`,
///   F(ρ), ρ(r); then r·φ(r) for each pair i ≥ j (11, 21, 22, 31, ...).
/// - **Finnis–Sinclair** (`eam/fs`, e.g. CuZr_mm.eam.fs): as setfl, but each element block holds
///   N density tables ρ_{i,j}(r), j = 1..N, after F(ρ).
/// Table values run on across lines (any number per line).
///
/// Conversion to one grid (`eam_tables`): setfl and fs keep the file's grid; several funcfl
/// files are resampled onto a common grid — dr, drho the largest spacing among the files in use,
/// r_max and ρ_max the largest (N−1)·spacing, N = int(max/spacing + 0.5) — by LAMMPS's 4-point
/// Lagrange interpolation (index clamped to [2, N_file − 2]), and the pair term of types i, j is
/// z2r = 27.2·0.529·Z_i(r)·Z_j(r) on that grid (LAMMPS's mixing for i ≠ j). The cutoff is the
/// largest file cutoff (funcfl) or the file's (setfl/fs). Operation order is LAMMPS's, so the
/// tables are bitwise LAMMPS's.
///
/// `eam_tables_from_lammps(pair_style, pair_coeffs)` takes LAMMPS's own command arguments:
/// - `eam/alloy` or `eam/fs`: one pair_coeff `* * FILE El1 El2 ...`, one element per atom type
///   (type t = the t-th element given; elements may repeat). LAMMPS's `NULL` (pair hybrid) is
///   rejected: every type needs an element.
/// - `eam`: pair_coeff lines `I J FILE` (I, J: a type, `*`, `n*`, `*n` or `m*n`); only the I = J
///   pairs set a type's file (LAMMPS mixes I ≠ J). The number of types is the largest type
///   number written in the lines (a `*` bound reaches up to it; `* * FILE` alone means 1 type).
/// A relative FILE that does not exist is also looked for in /usr/share/lammps/potentials
/// (Debian's lammps-data; LAMMPS's own LAMMPS_POTENTIALS variable is not consulted).
///
/// Errors (tessera::error) name the file and line: a missing file, a truncated table, a
/// non-numeric token, a bad header, an element not in the file, a type without a file/element.

#include <tessera/core/error.hpp>
#include <tessera/io/detail/text_input.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tessera {

/// A funcfl (single-element DYNAMO) file as read.
struct eam_funcfl {
    std::string file;  ///< the path opened
    double mass = 0;
    int nrho = 0;
    double drho = 0;
    int nr = 0;
    double dr = 0;
    double cutoff = 0;
    std::vector<double> frho;  ///< F(ρ) at ρ = k·drho, k = 0..nrho−1
    std::vector<double> zr;    ///< Z(r) at r = k·dr (effective charge, √(Hartree·Bohr))
    std::vector<double> rhor;  ///< ρ(r) at r = k·dr
};

/// A setfl (eam/alloy) or Finnis–Sinclair (eam/fs) file as read.
struct eam_setfl {
    std::string file;
    bool finnis_sinclair = false;
    std::vector<std::string> elements;
    std::vector<double> masses;
    int nrho = 0;
    double drho = 0;
    int nr = 0;
    double dr = 0;
    double cutoff = 0;
    std::vector<std::vector<double>> frho;  ///< [element] F(ρ)
    std::vector<std::vector<double>> rhor;  ///< setfl: [element] ρ(r); fs: [i·N + j] ρ_{i,j}(r) in file order
    std::vector<std::vector<double>> z2r;   ///< [i(i+1)/2 + j], j ≤ i: r·φ_ij(r) (eV·Å)
};

/// The functions pair eam interpolates, on one grid (LAMMPS's frho/rhor/z2r arrays after
/// file2array; index k here is LAMMPS's k+1), and which table each atom type (pair) uses.
struct eam_tables {
    int nrho = 0;
    double drho = 0;
    int nr = 0;
    double dr = 0;
    double rhomax = 0;  ///< (nrho−1)·drho: beyond it F is extended linearly (LAMMPS)
    double cutoff = 0;
    std::vector<std::vector<double>> frho, rhor, z2r;
    std::size_t num_types = 0;
    std::vector<int> type2frho;  ///< [t−1]
    std::vector<int> type2rhor;  ///< [(ti−1)·num_types + tj−1]: LAMMPS's type2rhor[ti][tj]
    std::vector<int> type2z2r;   ///< same layout
    std::vector<double> masses;  ///< [t−1], from the file (LAMMPS sets the type masses from it)
};

/// The path a potential file is opened from: `path` when it exists, else, for a relative path,
/// /usr/share/lammps/potentials/`path`; throws when neither exists.
inline std::string find_eam_file(std::string_view path) {
    const std::string p(path);
    detail::check_not_directory(p);
    if (std::ifstream(p).good()) return p;
    if (!p.empty() && p.front() != '/') {
        const std::string q = "/usr/share/lammps/potentials/" + p;
        if (std::ifstream(q).good()) return q;
        throw error("eam: cannot open potential file '", p, "' (nor /usr/share/lammps/potentials/", p, ")");
    }
    throw error("eam: cannot open potential file '", p, "'");
}

namespace detail {

/// Line-numbered reader of a potential file: header lines are whole lines, tables run across lines.
class eam_reader {
public:
    // The text readers' line_reader: lines are bounded (a 2 GB line fails at 64 MiB instead of
    // being held), gzip-compressed potentials are read, and CRLF line ends are accepted.
    explicit eam_reader(std::string_view path)
        : path_(find_eam_file(path)), in_(detail::open_source(path_), path_) {}
    const std::string& path() const noexcept { return path_; }

    void skip_line(const char* what) {
        next_line(what);
        pos_ = tokens_.size();  // comments are not values
    }

    /// The next whole line's tokens (the previous table must have ended at its line's end).
    std::vector<std::string> header(const char* what) {
        if (pos_ < tokens_.size())
            throw error(path_, ":", line_no_, ": ", tokens_.size() - pos_, " values beyond the table, before the ",
                        what, " line");
        next_line(what);
        pos_ = tokens_.size();
        return tokens_;
    }

    /// n numbers, continuing on the current line if values remain there.
    std::vector<double> table(std::size_t n, const std::string& what) {
        std::vector<double> v;
        // Reserve what the file claims only up to a bound: a header's Nrho = 2147483647 must end in
        // "truncated", not in a 16 GB allocation (found by tests/fuzz/fuzz_eam.cpp).
        v.reserve(std::min<std::size_t>(n, std::size_t(1) << 16));
        while (v.size() < n) {
            if (pos_ == tokens_.size()) {
                if (!read_line())
                    throw error(path_, ": truncated: ", what, " has ", v.size(), " of its ", n,
                                " values at the end of the file (line ", line_no_, ")");
                continue;
            }
            v.push_back(number(tokens_[pos_++], what));
        }
        return v;
    }

    /// After the last table: nothing but blank lines may follow (a longer table than the header
    /// announces, or a second potential pasted in, would otherwise be ignored silently).
    void expect_end(const std::string& last) {
        if (pos_ < tokens_.size())
            throw error(path_, ":", line_no_, ": ", tokens_.size() - pos_, " values beyond the last table (", last,
                        "): the file holds more than its header announces");
        while (read_line())
            if (!tokens_.empty())
                throw error(path_, ":", line_no_, ": values after the last table (", last,
                            "): the file holds more than its header announces");
    }

    double number(const std::string& tok, const std::string& what) const {
        double x = 0;
        const char* b = tok.data();
        const char* e = b + tok.size();
        if (b != e && *b == '+') ++b;
        const auto [ptr, ec] = std::from_chars(b, e, x);
        if (ec != std::errc() || ptr != e || !std::isfinite(x))
            throw error(path_, ":", line_no_, ": ", tessera::detail::quoted(tok), " is not a finite number (", what, ")");
        return x;
    }
    int integer(const std::string& tok, const std::string& what) const {
        int x = 0;
        const auto [ptr, ec] = std::from_chars(tok.data(), tok.data() + tok.size(), x);
        if (ec != std::errc() || ptr != tok.data() + tok.size())
            throw error(path_, ":", line_no_, ": ", tessera::detail::quoted(tok), " is not an integer (", what, ")");
        return x;
    }
    std::size_t line() const noexcept { return line_no_; }

    /// `Nrho drho Nr dr cutoff`, checked.
    template <class F>
    void grid(F& f) {
        const auto t = header("Nrho drho Nr dr cutoff");
        if (t.size() < 5)
            throw error(path_, ":", line_no_, ": expected 'Nrho drho Nr dr cutoff', found ", t.size(), " values");
        f.nrho = integer(t[0], "Nrho");
        f.drho = number(t[1], "drho");
        f.nr = integer(t[2], "Nr");
        f.dr = number(t[3], "dr");
        f.cutoff = number(t[4], "cutoff");
        // interpolate() needs 5 points; the spacings divide
        if (f.nrho < 5 || f.nr < 5 || !(f.drho > 0) || !(f.dr > 0) || !(f.cutoff > 0))
            throw error(path_, ":", line_no_, ": need Nrho, Nr >= 5 and drho, dr, cutoff > 0, found ", f.nrho, " ",
                        f.drho, " ", f.nr, " ", f.dr, " ", f.cutoff);
    }

private:
    bool read_line() {
        std::string_view s;
        if (!in_.next(s)) return false;
        ++line_no_;
        tokens_.clear();
        pos_ = 0;
        std::size_t i = 0;
        while (i < s.size()) {
            while (i < s.size() && std::string_view(" \t\r\f\v").find(s[i]) != std::string_view::npos) ++i;
            std::size_t j = i;
            while (j < s.size() && std::string_view(" \t\r\f\v").find(s[j]) == std::string_view::npos) ++j;
            if (j > i) tokens_.emplace_back(s.substr(i, j - i));
            i = j;
        }
        return true;
    }
    void next_line(const char* what) {
        if (!read_line()) {
            if (line_no_ == 0) throw error(path_, ": empty file");
            throw error(path_, ": truncated: the file ends at line ", line_no_, " where the ", what, " line should be");
        }
    }

    std::string path_;
    line_reader in_;
    std::size_t line_no_ = 0;
    std::vector<std::string> tokens_;
    std::size_t pos_ = 0;
};

inline double eam_mass(eam_reader& r, const std::string& who) {
    const auto t = r.header("Z mass a lattice");
    if (t.size() < 2)
        throw error(r.path(), ":", r.line(), ": expected 'Z mass a lattice' of ", who, ", found ", t.size(), " values");
    return r.number(t[1], "mass of " + who);
}

inline eam_setfl read_multi_element(std::string_view path, bool fs) {
    eam_reader r(path);
    eam_setfl f;
    f.file = r.path();
    f.finnis_sinclair = fs;
    for (int k = 0; k < 3; ++k) r.skip_line("comment");
    const auto el = r.header("N El1 ... ElN");
    if (el.empty()) throw error(f.file, ":", r.line(), ": expected 'N El1 ... ElN', found an empty line");
    const int n = r.integer(el[0], "number of elements");
    if (n < 1 || std::size_t(n) + 1 != el.size())
        throw error(f.file, ":", r.line(), ": the element line announces ", el[0], " elements but names ", el.size() - 1);
    f.elements.assign(el.begin() + 1, el.end());
    r.grid(f);
    const auto ne = std::size_t(n);
    for (std::size_t i = 0; i < ne; ++i) {
        const std::string& e = f.elements[i];
        f.masses.push_back(eam_mass(r, e));
        f.frho.push_back(r.table(std::size_t(f.nrho), "F(rho) of " + e));
        if (fs) {
            for (std::size_t j = 0; j < ne; ++j)
                f.rhor.push_back(r.table(std::size_t(f.nr), "rho(r) of " + e + "-" + f.elements[j]));
        } else {
            f.rhor.push_back(r.table(std::size_t(f.nr), "rho(r) of " + e));
        }
    }
    for (std::size_t i = 0; i < ne; ++i)
        for (std::size_t j = 0; j <= i; ++j)
            f.z2r.push_back(r.table(std::size_t(f.nr), "r*phi(r) of " + f.elements[i] + "-" + f.elements[j]));
    r.expect_end("r*phi(r) of " + f.elements.back() + "-" + f.elements.back());
    return f;
}

/// LAMMPS's 4-point resampling of a 1-based funcfl table `v` (v[k−1] = LAMMPS's file->f[k]) at x.
inline double eam_resample(const std::vector<double>& v, int n, double spacing, double x) {
    const double sixth = 1.0 / 6.0;
    double p = x / spacing + 1.0;
    int k = static_cast<int>(p);
    k = std::min(k, n - 2);
    k = std::max(k, 2);
    p -= k;
    p = std::min(p, 2.0);
    const double cof1 = -sixth * p * (p - 1.0) * (p - 2.0);
    const double cof2 = 0.5 * (p * p - 1.0) * (p - 2.0);
    const double cof3 = -0.5 * p * (p + 1.0) * (p - 2.0);
    const double cof4 = sixth * p * (p * p - 1.0);
    const auto at = [&](int m) { return v[std::size_t(m - 1)]; };
    return cof1 * at(k - 1) + cof2 * at(k) + cof3 * at(k + 1) + cof4 * at(k + 2);
}

/// LAMMPS's lower-triangular z2r index of two map entries.
inline int eam_z2r_index(int a, int b) {
    if (a < b) std::swap(a, b);
    int n = 0;
    for (int m = 0; m < a; ++m) n += m + 1;
    return n + b;
}

}  // namespace detail

/// Reads a funcfl file (pair_style eam).
inline eam_funcfl read_eam_funcfl(std::string_view path) {
    detail::eam_reader r(path);
    eam_funcfl f;
    f.file = r.path();
    r.skip_line("comment");
    f.mass = detail::eam_mass(r, "the element");
    r.grid(f);
    f.frho = r.table(std::size_t(f.nrho), "F(rho)");
    f.zr = r.table(std::size_t(f.nr), "Z(r)");
    f.rhor = r.table(std::size_t(f.nr), "rho(r)");
    r.expect_end("rho(r)");
    return f;
}

/// Reads a setfl file (pair_style eam/alloy).
inline eam_setfl read_eam_setfl(std::string_view path) { return detail::read_multi_element(path, false); }

/// Reads a Finnis–Sinclair file (pair_style eam/fs).
inline eam_setfl read_eam_fs(std::string_view path) { return detail::read_multi_element(path, true); }

/// LAMMPS's PairEAM::file2array for funcfl files: `type_file[t−1]` is the file of type t
/// (LAMMPS's map). Every file is resampled (as LAMMPS does); only files some type uses set the grid.
inline eam_tables eam_tables_from_funcfl(std::span<const eam_funcfl> files, std::span<const int> type_file) {
    if (type_file.empty()) throw error("eam: no atom types");
    for (std::size_t t = 0; t < type_file.size(); ++t)
        if (type_file[t] < 0 || std::size_t(type_file[t]) >= files.size())
            throw error("eam: type ", t + 1, " refers to funcfl file ", type_file[t], " of ", files.size());
    eam_tables tb;
    double rmax = 0;
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (std::find(type_file.begin(), type_file.end(), int(i)) == type_file.end()) continue;
        const eam_funcfl& f = files[i];
        tb.dr = std::max(tb.dr, f.dr);
        tb.drho = std::max(tb.drho, f.drho);
        rmax = std::max(rmax, (f.nr - 1) * f.dr);
        tb.rhomax = std::max(tb.rhomax, (f.nrho - 1) * f.drho);
        tb.cutoff = std::max(tb.cutoff, f.cutoff);
    }
    // LAMMPS's init_one takes the largest cutoff of all files read, used or not
    for (const eam_funcfl& f : files) tb.cutoff = std::max(tb.cutoff, f.cutoff);
    tb.nr = static_cast<int>(rmax / tb.dr + 0.5);  // 0.5: round-off in the divide (LAMMPS)
    tb.nrho = static_cast<int>(tb.rhomax / tb.drho + 0.5);
    if (tb.nr < 5 || tb.nrho < 5) throw error("eam: the common funcfl grid has fewer than 5 points");

    for (const eam_funcfl& f : files) {
        std::vector<double> fr(std::size_t(tb.nrho)), rr(std::size_t(tb.nr));
        for (int m = 1; m <= tb.nrho; ++m)
            fr[std::size_t(m - 1)] = detail::eam_resample(f.frho, f.nrho, f.drho, (m - 1) * tb.drho);
        for (int m = 1; m <= tb.nr; ++m)
            rr[std::size_t(m - 1)] = detail::eam_resample(f.rhor, f.nr, f.dr, (m - 1) * tb.dr);
        tb.frho.push_back(std::move(fr));
        tb.rhor.push_back(std::move(rr));
    }
    for (std::size_t i = 0; i < files.size(); ++i)
        for (std::size_t j = 0; j <= i; ++j) {
            std::vector<double> z(std::size_t(tb.nr));
            for (int m = 1; m <= tb.nr; ++m) {
                const double r = (m - 1) * tb.dr;
                const double zri = detail::eam_resample(files[i].zr, files[i].nr, files[i].dr, r);
                const double zrj = detail::eam_resample(files[j].zr, files[j].nr, files[j].dr, r);
                z[std::size_t(m - 1)] = 27.2 * 0.529 * zri * zrj;
            }
            tb.z2r.push_back(std::move(z));
        }
    const std::size_t nt = type_file.size();
    tb.num_types = nt;
    tb.type2frho.assign(type_file.begin(), type_file.end());
    tb.type2rhor.resize(nt * nt);
    tb.type2z2r.resize(nt * nt);
    for (std::size_t i = 0; i < nt; ++i) {
        tb.masses.push_back(files[std::size_t(type_file[i])].mass);
        for (std::size_t j = 0; j < nt; ++j) {
            tb.type2rhor[i * nt + j] = type_file[i];
            tb.type2z2r[i * nt + j] = detail::eam_z2r_index(type_file[i], type_file[j]);
        }
    }
    return tb;
}

/// LAMMPS's PairEAMAlloy/PairEAMFS::file2array: the file's grid, type t → `type_elements[t−1]`.
inline eam_tables eam_tables_from_setfl(const eam_setfl& f, std::span<const std::string> type_elements) {
    if (type_elements.empty()) throw error("eam: ", f.file, ": no atom types mapped to elements");
    const std::size_t ne = f.elements.size();
    std::vector<int> map;
    for (std::size_t t = 0; t < type_elements.size(); ++t) {
        const auto it = std::find(f.elements.begin(), f.elements.end(), type_elements[t]);
        if (it == f.elements.end()) {
            std::string have;
            for (const auto& e : f.elements) have += " " + e;
            throw error("eam: element '", type_elements[t], "' (type ", t + 1, ") is not in ", f.file,
                        " (its elements:", have, ")");
        }
        map.push_back(int(it - f.elements.begin()));
    }
    eam_tables tb;
    tb.nrho = f.nrho;
    tb.nr = f.nr;
    tb.drho = f.drho;
    tb.dr = f.dr;
    tb.rhomax = (tb.nrho - 1) * tb.drho;
    tb.cutoff = f.cutoff;
    tb.frho = f.frho;
    tb.rhor = f.rhor;
    tb.z2r = f.z2r;
    const std::size_t nt = map.size();
    tb.num_types = nt;
    tb.type2frho = map;
    tb.type2rhor.resize(nt * nt);
    tb.type2z2r.resize(nt * nt);
    for (std::size_t i = 0; i < nt; ++i) {
        tb.masses.push_back(f.masses[std::size_t(map[i])]);
        for (std::size_t j = 0; j < nt; ++j) {
            tb.type2rhor[i * nt + j] = f.finnis_sinclair ? map[i] * int(ne) + map[j] : map[i];
            tb.type2z2r[i * nt + j] = detail::eam_z2r_index(map[i], map[j]);
        }
    }
    return tb;
}

namespace detail {

inline std::vector<std::string> eam_words(std::string_view s) {
    std::vector<std::string> w;
    std::size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
        std::size_t j = i;
        while (j < s.size() && !(s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r')) ++j;
        if (j > i) w.emplace_back(s.substr(i, j - i));
        i = j;
    }
    return w;
}

/// LAMMPS's force->bounds: "*", "n", "n*", "*n", "m*n" over types 1..nt → [lo, hi].
inline void eam_bounds(const std::string& s, int nt, int& lo, int& hi, const std::string& line) {
    const auto num = [&](std::string_view t, int dflt) {
        if (t.empty()) return dflt;
        int x = 0;
        const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), x);
        if (ec != std::errc() || p != t.data() + t.size())
            throw error("eam: pair_coeff '", line, "': '", s, "' is not a type or type range");
        return x;
    };
    const auto star = s.find('*');
    if (star == std::string::npos) {
        lo = hi = num(s, 0);
    } else {
        lo = num(std::string_view(s).substr(0, star), 1);
        hi = num(std::string_view(s).substr(star + 1), nt);
    }
    if (lo < 1 || hi > nt || lo > hi)
        throw error("eam: pair_coeff '", line, "': type range '", s, "' is outside types 1..", nt);
}

/// The largest type number written in a funcfl pair_coeff's I J fields (0 when only '*').
inline int eam_explicit_types(const std::vector<std::string>& w) {
    int m = 0;
    for (std::size_t a = 0; a < 2 && a < w.size(); ++a) {
        std::string_view s = w[a];
        while (!s.empty()) {
            const auto star = s.find('*');
            const std::string_view t = s.substr(0, star);
            int x = 0;
            if (!t.empty() && std::from_chars(t.data(), t.data() + t.size(), x).ec == std::errc()) m = std::max(m, x);
            if (star == std::string_view::npos) break;
            s = s.substr(star + 1);
        }
    }
    return m;
}

}  // namespace detail

/// The tables of LAMMPS's `pair_style` + `pair_coeff` commands (see the file comment).
inline eam_tables eam_tables_from_lammps(std::string_view pair_style, std::span<const std::string> pair_coeffs) {
    const auto style_words = detail::eam_words(pair_style);
    const std::string style = style_words.size() == 1 ? style_words[0] : std::string(pair_style);
    if (style == "eam/alloy" || style == "eam/fs") {
        if (pair_coeffs.size() != 1)
            throw error("eam: pair_style ", style, " takes one pair_coeff '* * FILE El1 El2 ...', got ",
                        pair_coeffs.size());
        const auto w = detail::eam_words(pair_coeffs[0]);
        if (w.size() < 4 || w[0] != "*" || w[1] != "*")
            throw error("eam: pair_style ", style, ": pair_coeff must be '* * FILE El1 El2 ...' (one element per atom ",
                        "type), got '", pair_coeffs[0], "'");
        std::vector<std::string> elements(w.begin() + 3, w.end());
        for (std::size_t t = 0; t < elements.size(); ++t)
            if (elements[t] == "NULL")
                throw error("eam: pair_coeff '", pair_coeffs[0], "': type ", t + 1,
                            " is NULL; tessera has no pair hybrid, every type needs an element");
        const eam_setfl f = style == "eam/fs" ? read_eam_fs(w[2]) : read_eam_setfl(w[2]);
        return eam_tables_from_setfl(f, elements);
    }
    if (style != "eam")
        throw error("eam: pair_style '", std::string(pair_style), "' is not one of eam, eam/alloy, eam/fs");
    if (pair_coeffs.empty()) throw error("eam: pair_style eam needs pair_coeff lines 'I I FILE'");
    std::vector<std::vector<std::string>> lines;
    int nt = 0;
    for (const std::string& pc : pair_coeffs) {
        auto w = detail::eam_words(pc);
        if (w.size() != 3) throw error("eam: pair_style eam: pair_coeff must be 'I J FILE', got '", pc, "'");
        nt = std::max(nt, detail::eam_explicit_types(w));
        lines.push_back(std::move(w));
    }
    nt = std::max(nt, 1);
    std::vector<std::string> names;  // LAMMPS identifies a funcfl file by its pair_coeff string
    std::vector<eam_funcfl> files;
    std::vector<int> map(std::size_t(nt), -1);
    for (std::size_t l = 0; l < lines.size(); ++l) {
        const auto& w = lines[l];
        int ilo = 0, ihi = 0, jlo = 0, jhi = 0;
        detail::eam_bounds(w[0], nt, ilo, ihi, pair_coeffs[l]);
        detail::eam_bounds(w[1], nt, jlo, jhi, pair_coeffs[l]);
        auto it = std::find(names.begin(), names.end(), w[2]);
        const int file = int(it - names.begin());
        if (it == names.end()) {
            files.push_back(read_eam_funcfl(w[2]));
            names.push_back(w[2]);
        }
        int count = 0;
        for (int i = ilo; i <= ihi; ++i)
            if (i >= jlo && i <= jhi) {
                map[std::size_t(i - 1)] = file;
                ++count;
            }
        if (count == 0)
            throw error("eam: pair_coeff '", pair_coeffs[l], "': pair_style eam sets I I pairs only (it mixes I J)");
    }
    for (int t = 1; t <= nt; ++t)
        if (map[std::size_t(t - 1)] < 0)
            throw error("eam: type ", t, " has no funcfl file: add pair_coeff '", t, " ", t, " FILE'");
    return eam_tables_from_funcfl(files, map);
}

}  // namespace tessera
