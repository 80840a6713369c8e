#pragma once
/// @file
/// The truncated 12-6 Lennard-Jones pair potential, LAMMPS `pair_style lj/cut` digit for digit.
///
/// For a pair of types (α, β) with well depth ε, length σ and cutoff r_c,
/// \f[ E(r) = 4\varepsilon\left[(\sigma/r)^{12} - (\sigma/r)^{6}\right] - E_{\rm shift},
///     \qquad r < r_c, \f]
/// and 0 beyond; E_shift = 4ε[(σ/r_c)¹² − (σ/r_c)⁶] with `pair_modify shift yes`, else 0 (the
/// force is never shifted). Arithmetic as LAMMPS's PairLJCut::compute (src/pair_lj_cut.cpp): with
/// lj1 = 48εσ¹², lj2 = 24εσ⁶, lj3 = 4εσ¹², lj4 = 4εσ⁶ (std::pow, as LAMMPS) and r⁻⁶ = (r⁻²)³,
///     f_ij = (r_i − r_j) · r⁻⁶(lj1 r⁻⁶ − lj2) r⁻²,     E_ij = r⁻⁶(lj3 r⁻⁶ − lj4) − E_shift,
/// a pair counts when r² < r_c² (strictly). Per atom (potential.hpp's conventions, those of
/// `compute pe/atom` and `compute stress/atom NULL virial`): E_i = ½ Σ_j E_ij and
/// W_i,ab = ½ Σ_j (r_i − r_j)_a f_ij,b, components xx yy zz xy xz yz.
///
/// Coefficients (LAMMPS `pair_coeff I J ε σ [r_c]`): I and J are a type, `*`, `n*`, `*n` or `m*n`
/// (LAMMPS's bounds); r_c defaults to the global cutoff of `pair_style lj/cut r_c`. A pair i ≠ j
/// never set is mixed geometrically from (i,i) and (j,j), LAMMPS's default `pair_modify mix
/// geometric`: ε = √(ε_ii ε_jj), σ = √(σ_ii σ_jj), r_c = √(r_c,ii r_c,jj). An (i,i) never set is
/// an error ("All pair coeffs are not set" in LAMMPS; here the message names the pair).
///
/// The Kob–Andersen 80:20 mixture (PRE 51, 4626 (1995)), r_c = 2.5 σ_αβ:
///
///     const std::vector<std::string> coeffs{"1 1 1.0 1.0 2.5", "1 2 1.5 0.8 2.0", "2 2 0.5 0.88 2.2"};
///     auto ka = tessera::lj_cut::from_lammps("lj/cut 2.5", coeffs, /*shift=*/true);
///
/// Differences from LAMMPS: only geometric mixing (no `pair_modify mix arithmetic/sixthpower`),
/// no special_lj bond scaling (tessera has no bonds), no `pair_modify tail` correction. Sums run
/// over a full list in row order, so totals agree with LAMMPS to rounding (~1e-15 relative), not
/// bitwise.

#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/neighbors/neighbor_list.hpp>
#include <tessera/physics/potential.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera {

class lj_cut {
public:
    /// No scratch is needed: compute() writes straight into the output rows.
    struct workspace {};

    /// Resolved parameters of one type pair (after mixing).
    struct pair_parameters {
        double epsilon = 0, sigma = 0, cutoff = 0, offset = 0;
        bool explicitly_set = false;
    };

    /// `num_types` types, LAMMPS's global cutoff (`pair_style lj/cut global_cutoff`), shift on/off.
    lj_cut(int num_types, double global_cutoff, bool shift = false)
        : n_(num_types), global_cut_(global_cutoff), shift_(shift) {
        if (num_types < 1 || num_types > 4096)
            throw error("lj_cut: the number of types must be in 1..4096, got ", num_types);
        if (!(global_cutoff > 0) || !std::isfinite(global_cutoff))
            throw error("lj_cut: the global cutoff must be positive and finite, got ", global_cutoff);
        const std::size_t m = std::size_t(n_ + 1) * std::size_t(n_ + 1);
        set_.assign(m, 0);
        eps_.assign(m, 0);
        sig_.assign(m, 0);
        cut_.assign(m, 0);
        resolve();
    }

    /// `pair_coeff i j epsilon sigma [cutoff]` for single types (either order). Without a cutoff
    /// the global one applies. ε >= 0, σ > 0, cutoff > 0.
    void set_coeff(int i, int j, double epsilon, double sigma, std::optional<double> cutoff = std::nullopt) {
        if (i < 1 || j < 1 || i > n_ || j > n_)
            throw error("lj_cut: pair_coeff ", i, " ", j, ": types must be in 1..", n_);
        check_values(epsilon, sigma, cutoff);
        if (i > j) std::swap(i, j);
        const std::size_t k = at(i, j);
        eps_[k] = epsilon;
        sig_[k] = sigma;
        cut_[k] = cutoff ? *cutoff : global_cut_;
        set_[k] = 1;
        resolve();
    }

    /// The same with LAMMPS type ranges: "2", "*", "1*2", "2*", "*3".
    void set_coeff(std::string_view i_range, std::string_view j_range, double epsilon, double sigma,
                   std::optional<double> cutoff = std::nullopt) {
        assign_range(i_range, j_range, epsilon, sigma, cutoff);
        resolve();
    }

private:
    /// set_coeff's assignment without resolve(): from_lammps resolves once after all lines, not
    /// per line (O(types²) each: 8 lines of "4096*2 ..." took > 15 s; found by
    /// tests/fuzz/fuzz_lj_pair_coeff.cpp).
    void assign_range(std::string_view i_range, std::string_view j_range, double epsilon, double sigma,
                      std::optional<double> cutoff) {
        const auto [ilo, ihi] = type_bounds(i_range);
        const auto [jlo, jhi] = type_bounds(j_range);
        check_values(epsilon, sigma, cutoff);
        bool any = false;
        for (int i = ilo; i <= ihi; ++i)
            for (int j = std::max(jlo, i); j <= jhi; ++j) {
                const std::size_t k = at(i, j);
                eps_[k] = epsilon;
                sig_[k] = sigma;
                cut_[k] = cutoff ? *cutoff : global_cut_;
                set_[k] = 1;
                any = true;
            }
        // LAMMPS's "Incorrect args for pair coefficients" when a range pair selects nothing (I > J).
        if (!any) throw error("lj_cut: pair_coeff ", i_range, " ", j_range, " sets no pair (needs I <= J)");
    }

public:
    /// From LAMMPS input lines: `pair_style` "lj/cut RC" and `pair_coeff` lines "I J EPS SIGMA [RC]"
    /// (a leading "pair_coeff" word is allowed); `shift` = `pair_modify shift yes`. The number of
    /// types is `num_types`, or if 0 the largest type number written in the lines (then a line
    /// with an open range like "2*" or "*" needs some explicit number elsewhere). Every pair
    /// must end up defined (directly or mixed), else an error names the missing (i,i).
    static lj_cut from_lammps(std::string_view pair_style, std::span<const std::string> pair_coeffs, bool shift,
                              int num_types = 0) {
        std::vector<std::string_view> w = words(pair_style);
        if (w.size() != 2 || w[0] != "lj/cut")
            throw error("lj_cut::from_lammps: pair_style '", pair_style, "' is not 'lj/cut CUTOFF'");
        const double rc = number(w[1], "pair_style cutoff");
        std::vector<std::vector<std::string_view>> lines;
        int n = num_types;
        for (const std::string& line : pair_coeffs) {
            std::vector<std::string_view> t = words(line);
            if (!t.empty() && t[0] == "pair_coeff") t.erase(t.begin());
            if (t.size() != 4 && t.size() != 5)
                throw error("lj_cut::from_lammps: pair_coeff '", line, "' is not 'I J EPSILON SIGMA [CUTOFF]'");
            if (num_types == 0)
                for (std::size_t k = 0; k < 2; ++k)
                    for (std::string_view part : {t[k].substr(0, t[k].find('*')),
                                                  t[k].find('*') == std::string_view::npos
                                                      ? std::string_view{}
                                                      : t[k].substr(t[k].find('*') + 1)})
                        if (!part.empty()) n = std::max(n, integer(part, line));
            lines.push_back(std::move(t));
        }
        if (n < 1) throw error("lj_cut::from_lammps: cannot tell the number of types (no explicit type number)");
        lj_cut p(n, rc, shift);
        for (std::size_t l = 0; l < lines.size(); ++l) {
            const auto& t = lines[l];
            const double eps = number(t[2], pair_coeffs[l]), sig = number(t[3], pair_coeffs[l]);
            std::optional<double> cut;
            if (t.size() == 5) cut = number(t[4], pair_coeffs[l]);
            p.assign_range(t[0], t[1], eps, sig, cut);
        }
        p.resolve();
        p.require_complete();
        return p;
    }

    double cutoff() const noexcept { return max_cut_; }
    std::size_t num_types() const noexcept { return std::size_t(n_); }
    bool shift() const noexcept { return shift_; }

    /// Parameters of pair (i, j) as compute() uses them; throws if (i,j) cannot be resolved yet.
    pair_parameters parameters(int i, int j) const {
        if (i < 1 || j < 1 || i > n_ || j > n_) throw error("lj_cut: types ", i, " ", j, " outside 1..", n_);
        require_complete();
        const coefficients& c = table_[at(i, j)];
        if (i > j) std::swap(i, j);
        return {c.epsilon, c.sigma, c.cutoff, c.offset, set_[at(i, j)] != 0};
    }

    /// E_ij(r) of one pair, shift included (0 at and beyond the cutoff).
    double pair_energy(int i, int j, double r) const {
        (void)parameters(i, j);  // validates the types and completeness
        const coefficients& c = table_[at(i, j)];
        const double rsq = r * r;
        if (!(rsq < c.cutsq)) return 0;
        const double r2inv = 1.0 / rsq, r6inv = r2inv * r2inv * r2inv;
        return r6inv * (c.lj3 * r6inv - c.lj4) - c.offset;
    }

    /// Forces, and per-atom energies / virials if `out` has room for them (see potential.hpp).
    void compute(const neighbor_list<double>& list, std::span<const int> types, force_output<double>& out,
                 workspace&) const {
        check_force_arguments("lj_cut", list, types, out, std::size_t(n_));
        require_complete();
        const std::size_t n = list.num_particles();
        const bool want_e = !out.energy.empty(), want_v = !out.virial.empty();
        double etotal = 0;
        std::array<double, 6> vtotal{};
        const std::size_t stride = std::size_t(n_ + 1);
        for (std::size_t i = 0; i < n; ++i) {
            const coefficients* row = table_.data() + std::size_t(types[i]) * stride;
            const auto idx = list.neighbors(i);
            const auto vec = list.vectors(i);
            const auto d2 = list.distances2(i);
            double fx = 0, fy = 0, fz = 0, e = 0;
            std::array<double, 6> w{};
            for (std::size_t k = 0; k < idx.size(); ++k) {
                const std::size_t j = idx[k];
                if (j >= types.size()) throw error("lj_cut: neighbour ", j, " of atom ", i, " has no type");
                const int tj = types[j];
                if (tj < 1 || tj > n_) throw error("lj_cut: atom ", j, " has type ", tj, ", types are 1..", n_);
                const coefficients& c = row[tj];
                const double rsq = d2[k];
                if (!(rsq < c.cutsq)) continue;
                if (!(rsq > 0)) throw error("lj_cut: atoms ", i, " and ", j, " coincide (r = 0)");
                // LAMMPS's delx = x_i - x_j; the list stores r_j - r_i.
                const double delx = -vec[k].x, dely = -vec[k].y, delz = -vec[k].z;
                const double r2inv = 1.0 / rsq;
                const double r6inv = r2inv * r2inv * r2inv;
                const double forcelj = r6inv * (c.lj1 * r6inv - c.lj2);
                const double fpair = forcelj * r2inv;
                fx += delx * fpair;
                fy += dely * fpair;
                fz += delz * fpair;
                // Energy and virial are always summed: force_output's totals are always reported.
                e += 0.5 * (r6inv * (c.lj3 * r6inv - c.lj4) - c.offset);
                w[0] += 0.5 * (delx * delx * fpair);
                w[1] += 0.5 * (dely * dely * fpair);
                w[2] += 0.5 * (delz * delz * fpair);
                w[3] += 0.5 * (delx * dely * fpair);
                w[4] += 0.5 * (delx * delz * fpair);
                w[5] += 0.5 * (dely * delz * fpair);
            }
            out.force[i] = {fx, fy, fz};
            if (want_e) out.energy[i] = e;
            if (want_v) out.virial[i] = w;
            etotal += e;
            for (std::size_t a = 0; a < 6; ++a) vtotal[a] += w[a];
        }
        out.total_energy = etotal;
        out.total_virial = vtotal;
    }

private:
    struct coefficients {
        double cutsq = 0, lj1 = 0, lj2 = 0, lj3 = 0, lj4 = 0, offset = 0;
        double epsilon = 0, sigma = 0, cutoff = 0;
    };

    std::size_t at(int i, int j) const noexcept { return std::size_t(i) * std::size_t(n_ + 1) + std::size_t(j); }

    static void check_values(double epsilon, double sigma, std::optional<double> cutoff) {
        if (!(epsilon >= 0) || !std::isfinite(epsilon)) throw error("lj_cut: epsilon must be >= 0 and finite, got ", epsilon);
        if (!(sigma > 0) || !std::isfinite(sigma)) throw error("lj_cut: sigma must be > 0 and finite, got ", sigma);
        if (cutoff && (!(*cutoff > 0) || !std::isfinite(*cutoff)))
            throw error("lj_cut: the pair cutoff must be > 0 and finite, got ", *cutoff);
    }

    /// LAMMPS's utils::bounds: "n", "*", "n*", "*n", "m*n" over 1..n_.
    std::pair<int, int> type_bounds(std::string_view s) const {
        const auto fail = [&]() { return error("lj_cut: pair_coeff type '", s, "' is not a type or range within 1..", n_); };
        const std::size_t star = s.find('*');
        int lo = 1, hi = n_;
        if (star == std::string_view::npos) {
            lo = hi = integer(s, s);
        } else {
            if (star > 0) lo = integer(s.substr(0, star), s);
            if (star + 1 < s.size()) hi = integer(s.substr(star + 1), s);
        }
        if (lo < 1 || hi > n_ || lo > hi) throw fail();
        return {lo, hi};
    }

    static std::vector<std::string_view> words(std::string_view s) {
        std::vector<std::string_view> out;
        std::size_t k = 0;
        while (k < s.size()) {
            while (k < s.size() && (s[k] == ' ' || s[k] == '\t')) ++k;
            const std::size_t b = k;
            while (k < s.size() && s[k] != ' ' && s[k] != '\t') ++k;
            if (k > b) out.push_back(s.substr(b, k - b));
        }
        return out;
    }
    static double number(std::string_view s, std::string_view where) {
        double v = 0;
        const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || p != s.data() + s.size()) throw error("lj_cut: '", s, "' in '", where, "' is not a number");
        return v;
    }
    static int integer(std::string_view s, std::string_view where) {
        int v = 0;
        const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || p != s.data() + s.size() || s.empty())
            throw error("lj_cut: '", s, "' in '", where, "' is not a type number");
        return v;
    }

    /// Mixes unset pairs and derives LAMMPS's lj1..lj4 and offsets (PairLJCut::init_one).
    void resolve() {
        const std::size_t m = std::size_t(n_ + 1) * std::size_t(n_ + 1);
        table_.assign(m, coefficients{});
        missing_ = {0, 0};
        max_cut_ = 0;
        for (int i = 1; i <= n_; ++i)
            if (!set_[at(i, i)] && missing_.first == 0) missing_ = {i, i};
        for (int i = 1; i <= n_; ++i)
            for (int j = i; j <= n_; ++j) {
                double eps, sig, cut;
                const std::size_t k = at(i, j);
                if (set_[k]) {
                    eps = eps_[k];
                    sig = sig_[k];
                    cut = cut_[k];
                } else {
                    const std::size_t a = at(i, i), b = at(j, j);
                    if (!set_[a] || !set_[b]) continue;
                    eps = std::sqrt(eps_[a] * eps_[b]);  // Pair::mix_energy, GEOMETRIC
                    sig = std::sqrt(sig_[a] * sig_[b]);  // Pair::mix_distance, GEOMETRIC
                    cut = std::sqrt(cut_[a] * cut_[b]);
                }
                coefficients c;
                c.epsilon = eps;
                c.sigma = sig;
                c.cutoff = cut;
                c.cutsq = cut * cut;
                c.lj1 = 48.0 * eps * std::pow(sig, 12.0);
                c.lj2 = 24.0 * eps * std::pow(sig, 6.0);
                c.lj3 = 4.0 * eps * std::pow(sig, 12.0);
                c.lj4 = 4.0 * eps * std::pow(sig, 6.0);
                if (shift_ && cut > 0.0) {
                    const double ratio = sig / cut;
                    c.offset = 4.0 * eps * (std::pow(ratio, 12.0) - std::pow(ratio, 6.0));
                }
                table_[at(i, j)] = c;
                table_[at(j, i)] = c;
                max_cut_ = std::max(max_cut_, cut);
            }
        if (max_cut_ == 0) max_cut_ = global_cut_;
    }

    void require_complete() const {
        if (missing_.first != 0)
            throw error("lj_cut: pair coefficients for types ", missing_.first, " ", missing_.second,
                        " are not set (pairs i != j are mixed from (i,i) and (j,j), which must be set)");
    }

    int n_;
    double global_cut_;
    bool shift_;
    std::vector<unsigned char> set_;
    std::vector<double> eps_, sig_, cut_;
    std::vector<coefficients> table_;
    std::pair<int, int> missing_{0, 0};
    double max_cut_ = 0;
};

static_assert(potential<lj_cut>);

}  // namespace tessera
