#pragma once
/// @file
/// The embedded-atom method (Daw & Baskes, Phys. Rev. B 29, 6443 (1984)) as LAMMPS's
/// `pair_style eam`, `eam/alloy` and `eam/fs` evaluate it (LAMMPS 29 Sep 2021,
/// src/MANYBODY/pair_eam.cpp), on tessera's energy-model contract (physics/potential.hpp).
///
///     E = Σ_i F_{t_i}(ρ_i) + ½ Σ_i Σ_{j≠i} φ_{t_i t_j}(r_ij),   ρ_i = Σ_{j≠i} ρ_{t_j→t_i}(r_ij),
///
/// over pairs with r_ij < cutoff (for eam/fs the density a j atom gives an i atom depends on both
/// elements; for funcfl and setfl on the element of j only).
///
/// Every function is LAMMPS's tabulated cubic (PairEAM::interpolate): on a table f_1..f_n of
/// spacing δ, the slopes are f'_1 = f_2 − f_1, f'_2 = (f_3 − f_1)/2, f'_m = ((f_{m−2} − f_{m+2})
/// + 8(f_{m+1} − f_{m−1}))/12, f'_{n−1} = (f_n − f_{n−2})/2, f'_n = f_n − f_{n−1}, and on [m, m+1]
/// a Hermite cubic in p ∈ [0, 1]. Evaluation at r is LAMMPS's, operation for operation:
/// p = r/δ + 1 (as r·(1/δ) + 1), m = min(int p, n − 1), p = min(p − m, 1) — so beyond the
/// table a function is held at its last interval's end; for F(ρ) also m ≥ 1, and above
/// ρ_max = (n_ρ − 1)·δ_ρ the energy gets LAMMPS's linear term F'(ρ_max')·(ρ − ρ_max) (F' at the
/// clamped point; the force uses the same clamped F'). φ is stored as r·φ(r) ("z2r").
///
/// Per-atom outputs follow LAMMPS: E_i = F(ρ_i) + ½ Σ_j φ(r_ij) (compute pe/atom); the force
/// pair term f_ij = −(F'_i ρ'_{j→i} + F'_j ρ'_{i→j} + φ') (r_i − r_j)/r and W_i = ½ Σ_j
/// (r_i − r_j) ⊗ f_ij (ev_tally; compute stress/atom NULL virial = −W_i·nktv2p).
///
/// Speed (issue 16): LAMMPS's type2rhor/type2z2r lookups are resolved once, into tables packed
/// per ordered type pair (one 128-byte block holds everything a bond needs in pass 2), and the
/// bonds of a row run through xsimd batches (physics/detail/eam_kernel.hpp: indices of a 64-bond
/// segment first, then prefetches, then gathered Horner sums — the table misses overlap instead
/// of each stalling its bond). Per bond the operations are LAMMPS's; only the order of a row's
/// sum changes (lane partial sums). `compute<void>` runs the scalar loops.
///
/// Differences from LAMMPS, deliberate: a full list (each pair seen from both atoms, each row
/// written by one thread) instead of a half list, so per-atom sums add the same terms in another
/// order — results agree with LAMMPS to rounding (~1e-15 relative), not bitwise, and are bitwise
/// independent of the thread count; `pair hybrid`'s NULL types are not supported. Two atoms at
/// distance 0 (or a non-finite bond) throw tessera::error naming them; LAMMPS would divide by 0.
///
///     auto eam = tessera::eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr");
///     auto list = tessera::find_neighbors<double>(positions, box, tessera::ball{eam.cutoff()});
///     tessera::eam_potential::workspace ws;
///     tessera::force_output<double> out{forces, energies, virials};
///     eam.compute(list, types, out, ws);                      // or (..., ws, tessera::openmp_policy{4})

#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/neighbors/neighbor_list.hpp>
#include <tessera/physics/detail/eam_kernel.hpp>
#include <tessera/physics/eam_file.hpp>
#include <tessera/physics/potential.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <xsimd/xsimd.hpp>

namespace tessera {

class eam_potential {
public:
    /// Per-caller scratch: densities, F'(ρ), per-chunk partial totals.
    struct workspace {
        std::vector<double> rho, fp;
        std::vector<std::array<double, 7>> partial;   // per chunk: energy, virial xx..yz
        std::vector<std::size_t> bad;                 // per chunk: first offending bond, or npos
    };

    /// From tables (eam_file.hpp's eam_tables_from_funcfl / _setfl, or your own).
    explicit eam_potential(eam_tables tables) : t_(std::move(tables)) {
        const auto nt = t_.num_types;
        if (nt == 0) throw error("eam_potential: no atom types");
        if (t_.nr < 5 || t_.nrho < 5 || !(t_.dr > 0) || !(t_.drho > 0) || !(t_.cutoff > 0))
            throw error("eam_potential: need nr, nrho >= 5 and dr, drho, cutoff > 0");
        if (t_.type2frho.size() != nt || t_.type2rhor.size() != nt * nt || t_.type2z2r.size() != nt * nt)
            throw error("eam_potential: type maps sized for ", nt, " types expected");
        const auto check = [](const std::vector<std::vector<double>>& tabs, std::span<const int> idx, int n,
                              const char* what) {
            for (const int k : idx)
                if (k < 0 || std::size_t(k) >= tabs.size() || tabs[std::size_t(k)].size() < std::size_t(n))
                    throw error("eam_potential: a type maps to ", what, " table ", k, " of ", tabs.size(),
                                " (each needs ", n, " values)");
        };
        check(t_.frho, t_.type2frho, t_.nrho, "F(rho)");
        check(t_.rhor, t_.type2rhor, t_.nr, "rho(r)");
        check(t_.z2r, t_.type2z2r, t_.nr, "r*phi(r)");
        rdr_ = 1.0 / t_.dr;
        rdrho_ = 1.0 / t_.drho;
        cutforcesq_ = t_.cutoff * t_.cutoff;
        for (const auto& f : t_.frho) frho_.push_back(spline(t_.nrho, t_.drho, f));
        pack_pair_tables();
    }

    /// LAMMPS syntax: pair_style "eam", "eam/alloy" or "eam/fs" and its pair_coeff arguments
    /// (see eam_file.hpp: `* * FILE El1 El2 ...` or, for eam, `I J FILE`).
    static eam_potential from_lammps(std::string_view pair_style, std::string_view pair_coeff) {
        const std::string pc(pair_coeff);
        return eam_potential(eam_tables_from_lammps(pair_style, std::span<const std::string>(&pc, 1)));
    }
    /// Several pair_coeff lines (pair_style eam with one funcfl file per type).
    static eam_potential from_lammps(std::string_view pair_style, std::span<const std::string> pair_coeffs) {
        return eam_potential(eam_tables_from_lammps(pair_style, pair_coeffs));
    }

    double cutoff() const noexcept { return t_.cutoff; }
    std::size_t num_types() const noexcept { return t_.num_types; }
    const eam_tables& tables() const noexcept { return t_; }
    /// The splines as LAMMPS stores them (row m = 1..n: value coefficients [3..6] in p, slope
    /// coefficients [0..2] already divided by δ), indexed like tables().frho / rhor / z2r — for
    /// second derivatives (physics/shear_modulus.hpp).
    struct spline_tables { const std::vector<std::vector<std::array<double, 7>>>&frho, &rhor, &z2r; };
    spline_tables splines() const noexcept { return {frho_, rhor_, z2r_}; }

    /// Forces, per-atom energies and virials (what `out` asks for) and the totals.
    void compute(const neighbor_list<double>& list, std::span<const int> types, force_output<double>& out,
                 workspace& ws) const {
        compute(list, types, out, ws, serial);
    }

    /// As above under `policy`. `Arch`: the xsimd architecture of the bond loops (the build's
    /// best by default; `void` selects the scalar loops, which the tests compare with).
    template <class Arch = xsimd::default_arch, class Policy>
        requires execution_policy<Policy>
    void compute(const neighbor_list<double>& list, std::span<const int> types, force_output<double>& out,
                 workspace& ws, Policy policy) const {
        static constexpr const char* who = "tessera::eam_potential";
        check_force_arguments(who, list, types, out, t_.num_types);
        const std::size_t n = list.num_particles();
        constexpr std::size_t chunk = 256;  // fixed: partial totals must not depend on the thread count
        const std::size_t nchunks = (n + chunk - 1) / chunk;
        constexpr std::size_t npos = detail::eam_no_bad_bond;
        ws.rho.resize(n);
        ws.fp.resize(n);
        ws.partial.assign(nchunks, std::array<double, 7>{});
        ws.bad.assign(nchunks, npos);
        const std::size_t nt = t_.num_types;
        const auto offsets = list.offsets();
        const int* ty = types.data();
        constexpr bool vector = detail::has_batch<double, Arch>;

        // Pass 1: ρ_i over row i, then F'(ρ_i) and F(ρ_i) (the embedding energy is i's alone).
        detail::for_each_chunk(policy, n, chunk, [&](std::size_t c, std::size_t b, std::size_t e) {
            double esum = 0;
            for (std::size_t i = b; i < e; ++i) {
                const std::size_t ti = std::size_t(ty[i] - 1);
                const double* tab = rho_tab_.data() + ti * nt * q_.rho_stride;
                std::size_t bad = npos;
                double rho;
                if constexpr (vector)
                    rho = detail::eam_simd<Arch>::density_row(list.neighbors(i), list.distances2(i), ty, n, tab, q_, bad);
                else
                    rho = detail::eam_density_row_scalar(list.neighbors(i), list.distances2(i), ty, n, tab, q_, bad);
                if (bad != npos && ws.bad[c] == npos) ws.bad[c] = offsets[i] + bad;
                ws.rho[i] = rho;
                double p = rho * rdrho_ + 1.0;
                int m = static_cast<int>(p);
                m = std::max(1, std::min(m, t_.nrho - 1));
                p -= m;
                p = std::min(p, 1.0);
                const auto& coeff = frho_[std::size_t(t_.type2frho[ti])][std::size_t(m)];
                ws.fp[i] = (coeff[0] * p + coeff[1]) * p + coeff[2];
                double phi = ((coeff[3] * p + coeff[4]) * p + coeff[5]) * p + coeff[6];
                if (rho > t_.rhomax) phi += ws.fp[i] * (rho - t_.rhomax);
                if (!out.energy.empty()) out.energy[i] = phi;  // pass 2 adds the pair halves
                else esum += phi;
            }
            ws.partial[c][0] = esum;
        });
        for (const std::size_t b : ws.bad)
            if (b != npos) throw bad_bond(list, b);

        // Pass 2: forces from F'_i and F'_j (no scatter: row i writes atom i only).
        const bool want_e = !out.energy.empty(), want_w = !out.virial.empty();
        detail::for_each_chunk(policy, n, chunk, [&](std::size_t c, std::size_t b, std::size_t e) {
            std::array<double, 7> part = ws.partial[c];
            for (std::size_t i = b; i < e; ++i) {
                const std::size_t ti = std::size_t(ty[i] - 1);
                const double* tab = force_tab_.data() + ti * nt * q_.force_stride;
                // LAMMPS's order for pe/atom: F(ρ_i), then ½φ per bond
                std::array<double, 10> a{0, 0, 0, want_e ? out.energy[i] : 0.0, 0, 0, 0, 0, 0, 0};
                if constexpr (vector)
                    detail::eam_simd<Arch>::force_row(list.neighbors(i), list.vectors(i), list.distances2(i), ty,
                                                      ws.fp.data(), ws.fp[i], tab, q_, a);
                else
                    detail::eam_force_row_scalar(list.neighbors(i), list.vectors(i), list.distances2(i), ty,
                                                 ws.fp.data(), ws.fp[i], tab, q_, a);
                out.force[i] = vec3<double>{a[0], a[1], a[2]};
                if (want_e) out.energy[i] = a[3];
                if (want_w) out.virial[i] = {a[4], a[5], a[6], a[7], a[8], a[9]};
                part[0] += a[3];
                for (std::size_t k = 0; k < 6; ++k) part[k + 1] += a[k + 4];
            }
            ws.partial[c] = part;
        });
        out.total_energy = 0;
        out.total_virial = {};
        for (const auto& part : ws.partial) {
            out.total_energy += part[0];
            for (std::size_t a = 0; a < 6; ++a) out.total_virial[a] += part[a + 1];
        }
    }

private:
    using coeffs = std::array<double, 7>;

    /// LAMMPS's PairEAM::interpolate: f[k] (k = 0..n−1) → spline[m] (m = 1..n; [0] unused).
    static std::vector<coeffs> spline(int n, double delta, const std::vector<double>& f) {
        std::vector<coeffs> s(std::size_t(n) + 1, coeffs{});
        const auto un = std::size_t(n);
        for (std::size_t m = 1; m <= un; ++m) s[m][6] = f[m - 1];
        s[1][5] = s[2][6] - s[1][6];
        s[2][5] = 0.5 * (s[3][6] - s[1][6]);
        s[un - 1][5] = 0.5 * (s[un][6] - s[un - 2][6]);
        s[un][5] = s[un][6] - s[un - 1][6];
        for (std::size_t m = 3; m + 2 <= un; ++m)
            s[m][5] = ((s[m - 2][6] - s[m + 2][6]) + 8.0 * (s[m + 1][6] - s[m - 1][6])) / 12.0;
        for (std::size_t m = 1; m + 1 <= un; ++m) {
            s[m][4] = 3.0 * (s[m + 1][6] - s[m][6]) - 2.0 * s[m][5] - s[m + 1][5];
            s[m][3] = s[m][5] + s[m + 1][5] - 2.0 * (s[m + 1][6] - s[m][6]);
        }
        s[un][4] = 0.0;
        s[un][3] = 0.0;
        for (std::size_t m = 1; m <= un; ++m) {
            s[m][2] = s[m][5] / delta;
            s[m][1] = 2.0 * s[m][4] / delta;
            s[m][0] = 3.0 * s[m][3] / delta;
        }
        return s;
    }

    static error bad_bond(const neighbor_list<double>& list, std::size_t bond) {
        const auto offs = list.offsets();
        std::size_t i = 0;
        while (offs[i + 1] <= bond) ++i;
        const std::size_t j = list.indices()[bond];
        const double r2 = list.all_distances2()[bond];
        if (j >= list.num_particles())
            return error("tessera::eam_potential: atom ", i, " has neighbour ", j, " beyond the ", list.num_particles(),
                         " rows (EAM needs every atom as a row)");
        if (!std::isfinite(r2))
            return error("tessera::eam_potential: atoms ", i, " and ", j, " have a non-finite distance (NaN position?)");
        return error("tessera::eam_potential: atoms ", i, " and ", j, " overlap (distance ", std::sqrt(std::max(r2, 0.0)),
                     "; the tables start at r = 0)");
    }

    /// The pair functions as detail/eam_kernel.hpp reads them: per ordered type pair (t_i, t_j)
    /// and interval m, ρ_{t_j→t_i}'s value coefficients in rho_tab_ and everything pass 2 needs
    /// in one 128-byte block of force_tab_ (LAMMPS's type2rhor/type2z2r lookups done once here).
    void pack_pair_tables() {
        for (const auto& f : t_.rhor) rhor_.push_back(spline(t_.nr, t_.dr, f));
        for (const auto& f : t_.z2r) z2r_.push_back(spline(t_.nr, t_.dr, f));
        const auto& rhor = rhor_;
        const auto& z2r = z2r_;
        const std::size_t nt = t_.num_types, rows = std::size_t(t_.nr) + 1;
        q_.rdr = rdr_;
        q_.mmax = double(t_.nr - 1);
        q_.mmax_int = t_.nr - 1;
        q_.cutsq = cutforcesq_;
        q_.rho_stride = rows * 4;
        q_.force_stride = rows * 16;
        rho_tab_.assign(nt * nt * q_.rho_stride, 0.0);
        force_tab_.assign(nt * nt * q_.force_stride, 0.0);
        for (std::size_t ti = 0; ti < nt; ++ti)
            for (std::size_t tj = 0; tj < nt; ++tj) {
                const auto& into_i = rhor[std::size_t(t_.type2rhor[tj * nt + ti])];  // ρ_{tj→ti}
                const auto& into_j = rhor[std::size_t(t_.type2rhor[ti * nt + tj])];  // ρ_{ti→tj}
                const auto& z = z2r[std::size_t(t_.type2z2r[ti * nt + tj])];
                double* rt = rho_tab_.data() + (ti * nt + tj) * q_.rho_stride;
                double* ft = force_tab_.data() + (ti * nt + tj) * q_.force_stride;
                for (std::size_t m = 0; m < rows; ++m) {
                    for (std::size_t k = 0; k < 4; ++k) rt[m * 4 + k] = into_i[m][3 + k];
                    double* b = ft + m * 16;
                    for (std::size_t k = 0; k < 4; ++k) b[k] = z[m][3 + k];
                    for (std::size_t k = 0; k < 3; ++k) {
                        b[4 + k] = z[m][k];
                        b[8 + k] = into_j[m][k];
                        b[11 + k] = into_i[m][k];
                    }
                }
            }
    }

    eam_tables t_;
    double rdr_ = 0, rdrho_ = 0, cutforcesq_ = 0;
    std::vector<std::vector<coeffs>> frho_, rhor_, z2r_;  // rhor_, z2r_: for splines()
    detail::eam_row_params q_;
    std::vector<double, xsimd::aligned_allocator<double, 128>> rho_tab_, force_tab_;
};

static_assert(potential<eam_potential>);

}  // namespace tessera
