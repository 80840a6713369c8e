#pragma once
/// @file
/// The relaxed (non-affine) shear modulus of a configuration at an energy minimum, globally and
/// per atom, for any potential with an analytic Hessian (physics/hessian.hpp: lj_cut, EAM).
///
/// Global (Lutsko, J. Appl. Phys. 65, 2991 (1989); Maloney & Lemaître, PRE 74, 016118 (2006)).
/// Under the simple shear γ of plane ab (r_a += γ r_b, LAMMPS's tilt, physics/deform.hpp) the
/// atoms of a minimum follow x(γ) with ∂E/∂x = 0 at every γ, so dx/dγ = u solves H u = Ξ and
///
///     V μ_R = d²E/dγ²|relaxed = d²E/dγ²|affine − Ξᵀ H⁺ Ξ,   Ξ = −∂²E/∂x∂γ,   u = H⁺ Ξ,
///
/// with Ξ the force each atom gains per unit affine strain and u the non-affine displacement per
/// unit strain (Å, relative to the affine motion). The first term is the Born term of
/// physics/shear_modulus.hpp (with the stress term σ_bb, so at zero stress μ_R is the relaxed
/// C_abab). H⁺ is the inverse on the complement of the three rigid translations (a periodic box
/// has no other zero modes at a true minimum): u is found by conjugate gradients on
/// sparse_hessian::multiply with Ξ and every iterate projected on that complement, stopped at
/// ‖Hu − Ξ‖ ≤ tolerance·‖Ξ‖; a direction of zero or negative curvature (not a minimum, or an
/// isolated zero mode such as a rattler) is an error naming the plane, never a silent huge value.
///
/// Ξ and the Born term are analytic, from the same per-bond terms as H (ψ', ψ'', ρ' and F''
/// of pair_functional_terms): with v = r_j − r_i the bond vector (image included), r' = v_a v_b/r,
/// r'' = v_b²/r − v_a² v_b²/r³ and ρ̇_c = Σ_b ρ'_{b→c} r'_cb,
///
///     ∂²E/∂x_i∂γ = −Σ_j [(ψ'' − ψ'/r)(r'/r) v + (ψ'/r) v_b e_a] + Σ_c F''_c ρ̇_c ∂ρ_c/∂x_i,
///     d²E/dγ²    = ½ Σ_i Σ_j (ψ'' r'² + ψ' r'') + Σ_c F''_c ρ̇_c².
///
/// Analytic rather than a central difference of forces under apply_shear_step(±ε): it is exactly
/// the mixed derivative of the energy whose Hessian H is, so Ξ lies in H's range to rounding and
/// Ξᵀ H⁺ Ξ has no O(ε²) or table-noise error (a tabulated EAM's forces carry ~1e-10 relative noise
/// that a difference quotient divides by ε). The tests compare it with that difference.
///
/// Per atom (our definition; the literature has several). μ_R,i is the derivative of atom i's
/// shear stress along the relaxed path: the affine Born term of atom i (atomic_shear_modulus's
/// d²E_i/dγ² for eam_potential; ½Σ_j(ψ''r'² + ψ'r'') for a pair potential, where the energy and
/// virial partitions coincide) plus the first-order change of its virial along u,
///
///     Ω_i μ_R,i = d²E_i/dγ²|affine − (∂W_i,ab/∂x)·u,    W_i,ab = −½ Σ_j ψ'_ij v_a v_b / r,
///
/// W_i the per-atom virial of physics/potential.hpp (LAMMPS's ev_tally: each pair's term half to
/// each atom; `compute stress/atom` = −W_i·nktv2p), the F'_i, F'_j inside ψ' changing with ρ
/// along u. Since Σ_i W_i,ab = −∂E/∂γ, Σ_i (∂W_i,ab/∂x)·u = Ξ·u and Σ_i Ω_i μ_R,i = V μ_R exactly;
/// with Ω_i = V/N the mean of μ_R,i is μ_R. For EAM the Born part splits the energy (F'_i ρ''_{j→i}
/// to i alone) and the correction the virial (half and half); each sums to its global term.
/// In fcc (every atom a centre of inversion) Ξ = 0 and μ_R,i = μ_B,i.
///
///     auto r = tessera::relaxed_shear_modulus(eam, positions, types, box);   // GPa, Ω = V/N
///     r.relaxed[0];          // μ_R,xy of the box; r.born[0] the affine one
///     r.atomic[i][0];        // μ_R,i,xy; r.atomic_born[i][0] = atomic_shear_modulus's value
///
/// The configuration must be a minimum (forces ~0; physics/minimize.hpp); at a non-zero force the
/// formula misses the ∂E/∂x·d²x/dγ² term and the caller gets a number without meaning.
/// Not done: Ξ and H are serial (the neighbour list and the EAM Born term take the policy).

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/neighbors/neighbor_list.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/physics/deform.hpp>
#include <tessera/physics/hessian.hpp>
#include <tessera/physics/shear_modulus.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <type_traits>
#include <vector>

namespace tessera {

struct relaxed_modulus_options {
    /// Ω_i per atom (Å³ in metal units); empty: V/N for every atom (as shear_modulus_options).
    std::span<const double> atomic_volume{};
    /// energy/volume → output units: GPa for metal units by default; 1 keeps eV/Å³ (or lj units).
    double unit = ev_per_a3_to_gpa;
    /// CG stops at ‖H u − Ξ‖₂ ≤ tolerance·‖Ξ‖₂ (then |Ξᵀu error| ≲ tolerance·‖Ξ‖‖u‖).
    double tolerance = 1e-10;
    /// CG iteration cap per plane; 0: 20·3N. Reaching it is an error (a soft mode or a saddle).
    std::size_t max_iterations = 0;
};

/// Planes in the order xy, xz, yz (shear_plane's order) everywhere.
struct relaxed_modulus_result {
    std::array<double, 3> born{};     ///< μ_B of the box: (1/V) d²E/dγ²|affine · unit
    std::array<double, 3> relaxed{};  ///< μ_R of the box
    std::vector<std::array<double, 3>> atomic_born;  ///< μ_B,i (= atomic_shear_modulus for EAM)
    std::vector<std::array<double, 3>> atomic;       ///< μ_R,i; Σ_i Ω_i μ_R,i = V μ_R
    std::array<std::vector<vec3<double>>, 3> nonaffine;  ///< u per plane (length per unit strain)
    std::array<std::size_t, 3> iterations{};  ///< CG iterations per plane
    std::array<double, 3> residual{};         ///< final ‖H u − Ξ‖ / ‖Ξ‖ per plane (0 if Ξ = 0)
};

/// Ξ = −∂²E/∂x∂γ and the affine curvatures of one plane, from a full list and H's bond terms.
struct affine_shear_response {
    std::vector<double> force;         ///< Ξ, 3N entries (x_{3i+a}); energy/length per unit strain
    double curvature = 0;              ///< d²E/dγ²|affine of the whole box (energy)
    std::vector<double> atomic_curvature;  ///< per atom, virial partition (sums to `curvature`)
};

namespace detail {

inline constexpr std::size_t shear_a[3] = {0, 0, 1}, shear_b[3] = {1, 2, 2};

/// ρ̇_c = Σ_b ρ'_{b→c} r'_cb per atom (empty without embedding terms).
inline std::vector<double> density_rate(const neighbor_list<double>& list, const pair_functional_terms& t,
                                        std::size_t q) {
    std::vector<double> rate;
    if (t.embedding.empty()) return rate;
    rate.assign(list.num_particles(), 0.0);
    for (std::size_t c = 0; c < rate.size(); ++c) {
        const auto vec = list.vectors(c);
        const auto d2 = list.distances2(c);
        const std::size_t base = list.offsets()[c];
        for (std::size_t k = 0; k < vec.size(); ++k) {
            const double w = t.weight[base + k];
            if (w != 0.0) rate[c] += w * vec[k][shear_a[q]] * vec[k][shear_b[q]] / std::sqrt(d2[k]);
        }
    }
    return rate;
}

}  // namespace detail

/// Ξ and the affine curvature of plane q (0 xy, 1 xz, 2 yz) from the terms hessian_traits<P>
/// writes for `list` (full, rows = atoms).
inline affine_shear_response affine_shear(const neighbor_list<double>& list, const pair_functional_terms& t,
                                          shear_plane plane) {
    const std::size_t q = voigt_index(plane) - 3, pa = detail::shear_a[q], pb = detail::shear_b[q];
    const std::size_t n = list.num_particles();
    const bool embed = !t.embedding.empty();
    affine_shear_response s;
    s.force.assign(3 * n, 0.0);
    s.atomic_curvature.assign(n, 0.0);
    const std::vector<double> rate = detail::density_rate(list, t, q);
    for (std::size_t i = 0; i < n; ++i) {
        const auto nbr = list.neighbors(i);
        const auto vec = list.vectors(i);
        const auto d2 = list.distances2(i);
        const std::size_t base = list.offsets()[i];
        double dx[3] = {0, 0, 0}, born = 0;
        for (std::size_t k = 0; k < nbr.size(); ++k) {
            const double p1 = t.d1[base + k], p2 = t.d2[base + k];
            const double w = embed ? t.weight[base + k] : 0.0;
            if (p1 == 0.0 && p2 == 0.0 && w == 0.0) continue;
            const double r = std::sqrt(d2[k]), va = vec[k][pa], vb = vec[k][pb];
            const double r1 = va * vb / r, r2 = vb * vb / r * (1.0 - va * va / d2[k]);
            born += 0.5 * (p2 * r1 * r1 + p1 * r2);
            if (embed && w != 0.0) {  // F''_i ρ̇_i ρ'_{j→i} changes pair (i, j)'s ψ': half to each end
                const double y = 0.5 * t.embedding[i] * rate[i] * w * r1;
                born += y;
                s.atomic_curvature[nbr[k]] += y;
            }
            if (nbr[k] == i) continue;  // a bond to its own image does not move with x_i
            const double c = (p2 - p1 / r) * r1 / r;
            for (std::size_t d = 0; d < 3; ++d) dx[d] += c * vec[k][d];
            dx[pa] += p1 / r * vb;
        }
        s.atomic_curvature[i] += born;
        for (std::size_t d = 0; d < 3; ++d) s.force[3 * i + d] += dx[d];  // Ξ = −∂²E/∂x∂γ (pair part)
    }
    if (embed)  // −F''_c ρ̇_c ∇ρ_c, ∇ρ_c = Σ_b ρ'_{b→c} n_cb (on b) − (on c)
        for (std::size_t c = 0; c < n; ++c) {
            const double f = t.embedding[c] * rate[c];
            if (f == 0.0) continue;
            const auto nbr = list.neighbors(c);
            const auto vec = list.vectors(c);
            const auto d2 = list.distances2(c);
            const std::size_t base = list.offsets()[c];
            for (std::size_t k = 0; k < nbr.size(); ++k) {
                const double w = t.weight[base + k];
                if (w == 0.0 || nbr[k] == c) continue;
                const double g = f * w / std::sqrt(d2[k]);
                for (std::size_t d = 0; d < 3; ++d) {
                    s.force[3 * nbr[k] + d] -= g * vec[k][d];
                    s.force[3 * c + d] += g * vec[k][d];
                }
            }
        }
    for (const double x : s.atomic_curvature) s.curvature += x;
    return s;
}

/// (∂W_i,ab/∂x)·u for every atom i: the first-order change of the per-atom virial's ab component
/// (plane q) along the displacement field u (3N), the F' inside ψ' following ρ.
inline std::vector<double> virial_derivative(const neighbor_list<double>& list, const pair_functional_terms& t,
                                             shear_plane plane, std::span<const double> u) {
    const std::size_t q = voigt_index(plane) - 3, pa = detail::shear_a[q], pb = detail::shear_b[q];
    const std::size_t n = list.num_particles();
    if (u.size() != 3 * n) throw error("tessera::virial_derivative: ", u.size(), " entries for ", n, " atoms");
    const bool embed = !t.embedding.empty();
    std::vector<double> drho(embed ? n : 0, 0.0), dw(n, 0.0);
    const auto du = [&](std::size_t i, std::size_t j, const vec3<double>& v, double r, double out[3]) {
        for (std::size_t d = 0; d < 3; ++d) out[d] = u[3 * j + d] - u[3 * i + d];
        return (out[0] * v.x + out[1] * v.y + out[2] * v.z) / r;  // δr
    };
    if (embed)
        for (std::size_t c = 0; c < n; ++c) {
            const auto nbr = list.neighbors(c);
            const auto vec = list.vectors(c);
            const auto d2 = list.distances2(c);
            const std::size_t base = list.offsets()[c];
            for (std::size_t k = 0; k < nbr.size(); ++k) {
                if (t.weight[base + k] == 0.0 || nbr[k] == c) continue;
                double dv[3];
                drho[c] += t.weight[base + k] * du(c, nbr[k], vec[k], std::sqrt(d2[k]), dv);
            }
        }
    for (std::size_t i = 0; i < n; ++i) {
        const auto nbr = list.neighbors(i);
        const auto vec = list.vectors(i);
        const auto d2 = list.distances2(i);
        const std::size_t base = list.offsets()[i];
        double acc = 0;
        for (std::size_t k = 0; k < nbr.size(); ++k) {
            const double p1 = t.d1[base + k], p2 = t.d2[base + k];
            const double w = embed ? t.weight[base + k] : 0.0;
            if (p1 == 0.0 && p2 == 0.0 && w == 0.0) continue;
            const double r = std::sqrt(d2[k]), va = vec[k][pa], vb = vec[k][pb];
            const double s = va * vb / r;
            double dv[3];
            const double dr = du(i, nbr[k], vec[k], r, dv);
            const double ds = (dv[pa] * vb + va * dv[pb]) / r - s * dr / r;
            acc += -0.5 * (p2 * dr * s + p1 * ds);
            if (embed && w != 0.0) {
                const double y = -0.5 * t.embedding[i] * drho[i] * w * s;
                acc += y;
                dw[nbr[k]] += y;
            }
        }
        dw[i] += acc;
    }
    return dw;
}

namespace detail {

/// Removes the mean of each Cartesian component (the projection off the rigid translations).
inline void project_translations(std::span<double> x) {
    const std::size_t n = x.size() / 3;
    if (n == 0) return;
    for (std::size_t d = 0; d < 3; ++d) {
        double m = 0;
        for (std::size_t i = 0; i < n; ++i) m += x[3 * i + d];
        m /= double(n);
        for (std::size_t i = 0; i < n; ++i) x[3 * i + d] -= m;
    }
}

inline double dot(std::span<const double> a, std::span<const double> b) {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
    return s;
}

/// CG for H u = b on the complement of the translations; returns (iterations, relative residual).
inline std::pair<std::size_t, double> solve_projected(const sparse_hessian& h, std::vector<double> b,
                                                      std::vector<double>& u, double tol, std::size_t max_it,
                                                      const char* plane) {
    const std::size_t m = b.size();
    project_translations(b);
    u.assign(m, 0.0);
    const double bnorm = std::sqrt(dot(b, b));
    if (bnorm == 0.0) return {0, 0.0};
    std::vector<double> r = b, p = b, hp(m);
    double rr = dot(r, r);
    for (std::size_t it = 1; it <= max_it; ++it) {
        h.multiply(p, hp);
        project_translations(hp);
        const double php = dot(p, hp);
        if (!(php > 0.0))
            throw error("tessera::relaxed_shear_modulus: plane ", plane, ": the Hessian has a direction of curvature ",
                        php / dot(p, p), " (not a minimum, or a zero mode such as a rattler) after ", it, " CG iterations");
        const double alpha = rr / php;
        for (std::size_t i = 0; i < m; ++i) {
            u[i] += alpha * p[i];
            r[i] -= alpha * hp[i];
        }
        const double rr_new = dot(r, r);
        if (std::sqrt(rr_new) <= tol * bnorm) {
            // the recursive residual drifts from the true one over many iterations: report the true one
            h.multiply(u, hp);
            project_translations(hp);
            double t = 0;
            for (std::size_t i = 0; i < m; ++i) t += (hp[i] - b[i]) * (hp[i] - b[i]);
            return {it, std::sqrt(t) / bnorm};
        }
        const double beta = rr_new / rr;
        rr = rr_new;
        for (std::size_t i = 0; i < m; ++i) p[i] = r[i] + beta * p[i];
    }
    throw error("tessera::relaxed_shear_modulus: plane ", plane, ": conjugate gradients did not reach ", tol,
                " relative residual in ", max_it, " iterations (a soft mode or a saddle point?)");
}

}  // namespace detail

/// μ_B and μ_R of the box and of every atom for the planes xy, xz, yz (see the file comment).
/// The box must be periodic along x, y and z (a simple shear needs a cell).
template <class P, particle_storage S, box B, class Policy = serial_policy>
    requires execution_policy<Policy>
relaxed_modulus_result relaxed_shear_modulus(const P& pot, const S& positions, std::span<const int> types,
                                             const B& bx, const relaxed_modulus_options& options = {},
                                             Policy policy = {}) {
    static_assert(hessian_potential<P>,
                  "tessera::relaxed_shear_modulus: this potential has no analytic Hessian; specialise "
                  "tessera::hessian_traits<P> (see physics/hessian.hpp)");
    static constexpr const char* who = "tessera::relaxed_shear_modulus";
    const std::size_t n = tessera::size(positions);
    if (types.size() != n) throw error(who, ": ", types.size(), " types for ", n, " atoms");
    for (std::size_t d = 0; d < 3; ++d)
        if (!bx.periodic(d)) throw error(who, ": the box is not periodic along axis ", d, "; a simple shear needs a cell");
    if (!std::isfinite(options.unit) || !(options.unit > 0))
        throw error(who, ": unit factor must be finite and positive, got ", options.unit);
    if (!std::isfinite(options.tolerance) || !(options.tolerance > 0))
        throw error(who, ": CG tolerance must be finite and positive, got ", options.tolerance);
    const auto& vol = options.atomic_volume;
    detail::check_atomic_volumes(who, vol, n);
    const double V = double(bx.volume());
    if (!(std::isfinite(V) && V > 0)) throw error(who, ": the box volume is ", V);
    for (std::size_t i = 0; i < n; ++i) {
        const auto r = tessera::position(positions, i);
        if (!std::isfinite(r.x) || !std::isfinite(r.y) || !std::isfinite(r.z))
            throw error(who, ": atom ", i, " has a non-finite position");
    }

    const auto list = find_neighbors<double>(positions, bx, ball{pot.cutoff()}, query_options{}, policy);
    pair_functional_terms t;
    hessian_traits<P>::bond_terms(pot, list, types, t);  // checks types, overlaps
    const sparse_hessian h = sparse_hessian::from_bond_terms(list, t);
    std::vector<std::array<double, 3>> born_i;
    if constexpr (std::is_same_v<P, eam_potential>) born_i = atomic_shear_curvature(pot, list, types, policy);

    relaxed_modulus_result res;
    res.atomic_born.assign(n, {});
    res.atomic.assign(n, {});
    const std::size_t max_it = options.max_iterations ? options.max_iterations : 20 * 3 * std::max<std::size_t>(n, 1);
    const double mean_volume = n ? V / double(n) : 0.0;
    constexpr shear_plane planes[3] = {shear_plane::xy, shear_plane::xz, shear_plane::yz};
    for (std::size_t q = 0; q < 3; ++q) {
        const affine_shear_response s = affine_shear(list, t, planes[q]);
        std::vector<double> u;
        const auto [it, resid] = detail::solve_projected(h, s.force, u, options.tolerance, max_it, to_string(planes[q]));
        res.iterations[q] = it;
        res.residual[q] = resid;
        const std::vector<double> dw = virial_derivative(list, t, planes[q], u);
        double correction = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double scale = options.unit / (vol.empty() ? mean_volume : vol[i]);
            const double b = born_i.empty() ? s.atomic_curvature[i] : born_i[i][q];
            res.atomic_born[i][q] = b * scale;
            res.atomic[i][q] = (b - dw[i]) * scale;
            correction -= dw[i];
        }
        res.born[q] = s.curvature / V * options.unit;
        // Σ_i −(∂W_i/∂x)·u = −Ξ·u: the virial sum keeps Σ_i Ω_i μ_R,i = V μ_R to rounding
        res.relaxed[q] = (s.curvature + correction) / V * options.unit;
        res.nonaffine[q].resize(n);
        for (std::size_t i = 0; i < n; ++i) res.nonaffine[q][i] = {u[3 * i], u[3 * i + 1], u[3 * i + 2]};
    }
    return res;
}

}  // namespace tessera
