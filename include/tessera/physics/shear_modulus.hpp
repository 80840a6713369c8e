#pragma once
/// @file
/// The atomic-level shear modulus of an EAM solid per shear plane: the curvature of each atom's
/// energy under an affine simple shear of the cell, divided by an atomic volume (seed 001 Fig. 2c,
/// "the analytic derivative of the EAM potential with respect to cell strain", its ref. 26:
/// Y. Fan, T. Iwashita, T. Egami, Phys. Rev. E 89, 062313 (2014); atomic-level elastic moduli
/// after T. Egami's atomic-level stresses). We could not consult ref. 26's text; what is
/// implemented is the definition below, the affine (Born) per-atom modulus.
///
/// Definition. Simple shear γ in plane ab moves every bond r_ij (periodic images included) to
/// r_ij + γ r_ij,b e_a — plane xy: x += γ y (LAMMPS's xy tilt, `change_box all xy delta γ·l_y
/// remap`); xz: x += γ z; yz: y += γ z. With LAMMPS's per-atom EAM energy (physics/eam.hpp)
/// E_i = F_i(ρ_i) + ½ Σ_j φ_ij(r_ij), ρ_i = Σ_j ρ_{j→i}(r_ij), and at γ = 0
///
///     r' = r_a r_b / r,   r'' = r_b²/r − r_a² r_b²/r³,
///     d²E_i/dγ² = F''(ρ_i) (Σ_j ρ'_{j→i} r')² + F'(ρ_i) Σ_j (ρ''_{j→i} r'² + ρ'_{j→i} r'')
///               + ½ Σ_j (φ'' r'² + φ' r''),
///     μ_i,ab = (1/Ω_i) d²E_i/dγ²,
///
/// with Ω_i the mean atomic volume V/N, or a caller-given per-atom volume (e.g. Voronoi, so that
/// Σ_i Ω_i = V). Whatever Ω_i, Σ_i Ω_i μ_i,ab = d²E/dγ², the curvature of the total energy under
/// the affine shear; divided by V it is the unrelaxed (Born) shear modulus of the box.
/// Derivatives are those of LAMMPS's tabulated cubics (PairEAM::interpolate): f'(p) =
/// (c0 p + c1) p + c2, f'' = (2 c0 p + c1)/δ, φ = z2r/r, φ' = (z2r' − φ)/r, φ'' = (z2r'' − 2φ')/r.
/// The cubics are only C¹ at the knots: f'' is the one-sided value of the interval the point lies
/// in (LAMMPS's interval choice), so d²E_i/dγ² is the exact curvature of the energy LAMMPS
/// computes everywhere except at a knot, where it is the right-hand one.
/// Where LAMMPS holds a function constant (r beyond its table) the derivatives used are those of
/// that constant (0); above ρ_max, where LAMMPS extends F linearly with slope F'(ρ_max), F'' = 0.
///
/// Stress term (deliberate): this is the curvature of the energy under *simple* shear, so it
/// contains the first-derivative terms F'·Σρ'·r_b²/r and ½Σφ'·r_b²/r (from r''), i.e.
/// ∂E_i/∂η_bb, the bb part of atom i's stress-volume (η the Lagrangian strain). Summed over atoms,
/// d²E/dγ² = V (C_abab + σ_bb) with C the Born constants in Lagrangian strain and σ the Cauchy
/// stress (tension positive, σ = −P); at zero stress this is C44 exactly. We do not subtract
/// the stress term: (i) it is what "the derivative of the energy with respect to cell strain"
/// is, and what finite differences of LAMMPS's energy under `change_box xy` give; (ii) per atom
/// it is the atomic-level stress (GPa-sized in a glass), part of the atom's stiffness against
/// that shear. Per atom, ∂E_i/∂η_bb assigns F'_i·ρ'_{j→i} to i alone, whereas LAMMPS's
/// `compute stress/atom` splits each (F'_i ρ'_{j→i} + F'_j ρ'_{i→j}) bond term half and half:
/// the two agree only summed over atoms (Σ = V σ_bb = −Σ_i W_i,bb). A consequence: μ_xy
/// (x += γy) and the shear y += γx differ by σ_yy − σ_xx, which is why the planes are named
/// as LAMMPS's tilts.
///
/// Not done: the relaxed (non-affine) modulus, which subtracts Ξᵀ H⁻¹ Ξ (H the Hessian, Ξ the
/// force response to the affine shear); this is the unrelaxed (affine) modulus only. In a
/// perfect crystal where every atom is a centre of inversion (fcc) the two coincide.
///
///     auto eam = tessera::eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr");
///     auto mu = tessera::atomic_shear_modulus(eam, positions, types, box);      // GPa, V/N volumes
///     // mu[i][0] = μ_xy, mu[i][1] = μ_xz, mu[i][2] = μ_yz

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/neighbors/neighbor_list.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/physics/detail/eam_spline.hpp>
#include <tessera/physics/eam.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace tessera {

/// eV/Å³ → GPa (1 eV = 1.602176634e-19 J; 1 Å³ = 1e-30 m³): LAMMPS metal units' factor
/// nktv2p = 1.6021765e6 bar·Å³/eV is the same number in bar, rounded.
inline constexpr double ev_per_a3_to_gpa = 160.21766208;

struct shear_modulus_options {
    /// Ω_i per atom (Å³ for metal units), e.g. Voronoi volumes; empty: V/N for every atom.
    std::span<const double> atomic_volume{};
    /// energy/volume → output units: GPa for metal units by default; 1 keeps eV/Å³ (or lj units).
    double unit = ev_per_a3_to_gpa;
};


/// d²E_i/dγ² (energy units) for the three planes xy, xz, yz, from a full neighbour list with bond
/// vectors (rows = atoms); what atomic_shear_modulus divides by Ω_i.
template <class Policy = serial_policy>
    requires execution_policy<Policy>
std::vector<std::array<double, 3>> atomic_shear_curvature(const eam_potential& eam, const neighbor_list<double>& list,
                                                          std::span<const int> types, Policy policy = {}) {
    static constexpr const char* who = "tessera::atomic_shear_curvature";
    const std::size_t n = list.num_particles();
    if (list.kind() != list_kind::full) throw error(who, ": needs a full neighbour list");
    if (types.size() != n) throw error(who, ": ", types.size(), " types for ", n, " atoms");
    const std::size_t nt = eam.num_types();
    for (std::size_t i = 0; i < n; ++i)
        if (types[i] < 1 || std::size_t(types[i]) > nt)
            throw error(who, ": atom ", i, " has type ", types[i], ", the potential defines types 1..", nt);
    const eam_tables& t = eam.tables();
    const auto sp = eam.splines();
    const double rdr = 1.0 / t.dr, rdrho = 1.0 / t.drho, cutsq = t.cutoff * t.cutoff;
    // (a, b) of each plane: r_a += γ r_b
    static constexpr std::size_t pa[3] = {0, 0, 1}, pb[3] = {1, 2, 2};

    std::vector<std::array<double, 3>> out(n);
    std::vector<std::size_t> bad(n, n);  // first offending neighbour per atom (n: none)
    detail::for_each_chunk(policy, n, 256, [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            const std::size_t ti = std::size_t(types[i] - 1);
            const auto nb = list.neighbors(i);
            const auto vec = list.vectors(i);
            const auto d2 = list.distances2(i);
            double rho = 0;
            std::array<double, 3> s1{}, s2{}, pair{};
            for (std::size_t k = 0; k < nb.size(); ++k) {
                const double rsq = d2[k];
                if (!(rsq > 0.0) || !std::isfinite(rsq) || nb[k] >= n) {
                    if (bad[i] == n) bad[i] = k;
                    continue;
                }
                if (!(rsq < cutsq)) continue;
                const std::size_t tj = std::size_t(types[nb[k]] - 1);
                const double r = std::sqrt(rsq);
                double p = r * rdr + 1.0;
                int m = static_cast<int>(p);
                m = std::min(m, t.nr - 1);
                p -= m;
                const bool clamped = p > 1.0;
                p = std::min(p, 1.0);
                const auto um = std::size_t(m);
                const auto dr = detail::eval_spline(sp.rhor[std::size_t(t.type2rhor[tj * nt + ti])][um], p, clamped, rdr);
                const auto z = detail::eval_spline(sp.z2r[std::size_t(t.type2z2r[ti * nt + tj])][um], p, clamped, rdr);
                const double recip = 1.0 / r;
                const double phi = z.f * recip;
                const double phi1 = (z.d1 - phi) * recip;
                const double phi2 = (z.d2 - 2.0 * phi1) * recip;
                rho += dr.f;
                const double v[3] = {vec[k].x, vec[k].y, vec[k].z};
                for (std::size_t q = 0; q < 3; ++q) {
                    const double ra = v[pa[q]], rb = v[pb[q]];
                    const double r1 = ra * rb * recip;                       // dr/dγ
                    const double r2 = rb * rb * recip * (1.0 - ra * ra * recip * recip);  // d²r/dγ²
                    s1[q] += dr.d1 * r1;
                    s2[q] += dr.d2 * r1 * r1 + dr.d1 * r2;
                    pair[q] += phi2 * r1 * r1 + phi1 * r2;
                }
            }
            // F'(ρ_i), F''(ρ_i) as LAMMPS evaluates F (m ≥ 1; linear above ρ_max)
            double p = rho * rdrho + 1.0;
            int m = static_cast<int>(p);
            m = std::max(1, std::min(m, t.nrho - 1));
            p -= m;
            const bool clamped = p > 1.0;
            p = std::min(p, 1.0);
            const auto& cf = sp.frho[std::size_t(t.type2frho[ti])][std::size_t(m)];
            auto f = detail::eval_spline(cf, p, false, rdrho);
            if (clamped || rho > t.rhomax) f.d2 = 0.0;  // LAMMPS: F(ρ_max) + F'·(ρ − ρ_max)
            for (std::size_t q = 0; q < 3; ++q) out[i][q] = f.d2 * s1[q] * s1[q] + f.d1 * s2[q] + 0.5 * pair[q];
        }
    });
    for (std::size_t i = 0; i < n; ++i)
        if (bad[i] != n) {
            const std::size_t j = list.neighbors(i)[bad[i]];
            const double r2 = list.distances2(i)[bad[i]];
            if (j >= n) throw error(who, ": atom ", i, " has neighbour ", j, " beyond the ", n, " rows");
            if (!std::isfinite(r2)) throw error(who, ": atoms ", i, " and ", j, " have a non-finite distance");
            throw error(who, ": atoms ", i, " and ", j, " overlap (distance ", std::sqrt(std::max(r2, 0.0)), ")");
        }
    return out;
}

namespace detail {
/// Per-atom volumes Ω_i of a modulus: none (then V/N), or one finite positive value per atom.
inline void check_atomic_volumes(const char* who, std::span<const double> vol, std::size_t n) {
    if (vol.empty()) return;
    if (vol.size() != n) throw error(who, ": ", vol.size(), " atomic volumes for ", n, " atoms");
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(vol[i]) || !(vol[i] > 0))
            throw error(who, ": atomic volume of atom ", i, " is ", vol[i], " (must be finite and > 0)");
}
}  // namespace detail

/// μ_i,xy, μ_i,xz, μ_i,yz = (1/Ω_i) d²E_i/dγ² · options.unit (GPa by default) for every atom.
/// Ω_i = options.atomic_volume[i], or V/N when that is empty (then the box needs a finite volume).
template <particle_storage S, box B, class Policy = serial_policy>
    requires execution_policy<Policy>
std::vector<std::array<double, 3>> atomic_shear_modulus(const eam_potential& eam, const S& positions,
                                                        std::span<const int> types, const B& bx,
                                                        const shear_modulus_options& options = {},
                                                        Policy policy = {}) {
    static constexpr const char* who = "tessera::atomic_shear_modulus";
    const std::size_t n = tessera::size(positions);
    if (types.size() != n) throw error(who, ": ", types.size(), " types for ", n, " atoms");
    if (!std::isfinite(options.unit) || !(options.unit > 0))
        throw error(who, ": unit factor must be finite and positive, got ", options.unit);
    const auto& vol = options.atomic_volume;
    detail::check_atomic_volumes(who, vol, n);
    const double mean_volume = n > 0 ? double(bx.volume()) / double(n) : 0.0;
    if (vol.empty() && n > 0 && !(std::isfinite(mean_volume) && mean_volume > 0))
        throw error(who, ": the box has no finite volume (open box?): pass per-atom volumes in options.atomic_volume");
    const auto list = find_neighbors<double>(positions, bx, ball{eam.cutoff()}, query_options{}, policy);
    auto out = atomic_shear_curvature(eam, list, types, policy);
    for (std::size_t i = 0; i < n; ++i) {
        const double scale = options.unit / (vol.empty() ? mean_volume : vol[i]);
        for (double& x : out[i]) x *= scale;
    }
    return out;
}

}  // namespace tessera
