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
        for (const auto& f : t_.rhor) rhor_.push_back(spline(t_.nr, t_.dr, f));
        for (const auto& f : t_.z2r) z2r_.push_back(spline(t_.nr, t_.dr, f));
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

    template <class Policy>
        requires execution_policy<Policy>
    void compute(const neighbor_list<double>& list, std::span<const int> types, force_output<double>& out,
                 workspace& ws, Policy policy) const {
        static constexpr const char* who = "tessera::eam_potential";
        check_force_arguments(who, list, types, out, t_.num_types);
        const std::size_t n = list.num_particles();
        constexpr std::size_t chunk = 256;  // fixed: partial totals must not depend on the thread count
        const std::size_t nchunks = (n + chunk - 1) / chunk;
        constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
        ws.rho.resize(n);
        ws.fp.resize(n);
        ws.partial.assign(nchunks, std::array<double, 7>{});
        ws.bad.assign(nchunks, npos);
        const std::size_t nt = t_.num_types;
        const auto offsets = list.offsets();

        // Pass 1: ρ_i over row i, then F'(ρ_i) and F(ρ_i) (the embedding energy is i's alone).
        detail::for_each_chunk(policy, n, chunk, [&](std::size_t c, std::size_t b, std::size_t e) {
            double esum = 0;
            for (std::size_t i = b; i < e; ++i) {
                const std::size_t ti = std::size_t(types[i] - 1);
                const auto nb = list.neighbors(i);
                const auto d2 = list.distances2(i);
                double rho = 0.0;
                for (std::size_t k = 0; k < nb.size(); ++k) {
                    const double rsq = d2[k];
                    if (!(rsq > 0.0) || nb[k] >= n || !std::isfinite(rsq)) {
                        if (ws.bad[c] == npos) ws.bad[c] = offsets[i] + k;
                        continue;
                    }
                    if (!(rsq < cutforcesq_)) continue;
                    const std::size_t tj = std::size_t(types[nb[k]] - 1);
                    double p = std::sqrt(rsq) * rdr_ + 1.0;
                    int m = static_cast<int>(p);
                    m = std::min(m, t_.nr - 1);
                    p -= m;
                    p = std::min(p, 1.0);
                    const auto& coeff = rhor_[std::size_t(t_.type2rhor[tj * nt + ti])][std::size_t(m)];
                    rho += ((coeff[3] * p + coeff[4]) * p + coeff[5]) * p + coeff[6];
                }
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
                const std::size_t ti = std::size_t(types[i] - 1);
                const double fpi = ws.fp[i];
                const auto nb = list.neighbors(i);
                const auto vec = list.vectors(i);
                const auto d2 = list.distances2(i);
                double fx = 0, fy = 0, fz = 0;
                double ei = want_e ? out.energy[i] : 0.0;  // LAMMPS's order: F(ρ_i), then ½φ per bond
                std::array<double, 6> w{};
                for (std::size_t k = 0; k < nb.size(); ++k) {
                    const double rsq = d2[k];
                    if (!(rsq < cutforcesq_)) continue;
                    const std::size_t j = nb[k];
                    const std::size_t tj = std::size_t(types[j] - 1);
                    const double r = std::sqrt(rsq);
                    double p = r * rdr_ + 1.0;
                    int m = static_cast<int>(p);
                    m = std::min(m, t_.nr - 1);
                    p -= m;
                    p = std::min(p, 1.0);
                    const auto um = std::size_t(m);
                    const auto& ci = rhor_[std::size_t(t_.type2rhor[ti * nt + tj])][um];
                    const double rhoip = (ci[0] * p + ci[1]) * p + ci[2];
                    const auto& cj = rhor_[std::size_t(t_.type2rhor[tj * nt + ti])][um];
                    const double rhojp = (cj[0] * p + cj[1]) * p + cj[2];
                    const auto& cz = z2r_[std::size_t(t_.type2z2r[ti * nt + tj])][um];
                    const double z2p = (cz[0] * p + cz[1]) * p + cz[2];
                    const double z2 = ((cz[3] * p + cz[4]) * p + cz[5]) * p + cz[6];
                    const double recip = 1.0 / r;
                    const double phi = z2 * recip;
                    const double phip = z2p * recip - phi * recip;
                    const double psip = fpi * rhojp + ws.fp[j] * rhoip + phip;
                    const double fpair = -psip * recip;
                    // LAMMPS's del = r_i − r_j = −(bond vector)
                    const double dx = -vec[k].x, dy = -vec[k].y, dz = -vec[k].z;
                    fx += dx * fpair;
                    fy += dy * fpair;
                    fz += dz * fpair;
                    ei += 0.5 * phi;
                    w[0] += 0.5 * (dx * dx * fpair);
                    w[1] += 0.5 * (dy * dy * fpair);
                    w[2] += 0.5 * (dz * dz * fpair);
                    w[3] += 0.5 * (dx * dy * fpair);
                    w[4] += 0.5 * (dx * dz * fpair);
                    w[5] += 0.5 * (dy * dz * fpair);
                }
                out.force[i] = vec3<double>{fx, fy, fz};
                if (want_e) out.energy[i] = ei;
                if (want_w) out.virial[i] = w;
                part[0] += ei;
                for (std::size_t a = 0; a < 6; ++a) part[a + 1] += w[a];
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

    eam_tables t_;
    double rdr_ = 0, rdrho_ = 0, cutforcesq_ = 0;
    std::vector<std::vector<coeffs>> frho_, rhor_, z2r_;
};

static_assert(potential<eam_potential>);

}  // namespace tessera
