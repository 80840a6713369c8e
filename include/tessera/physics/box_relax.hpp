#pragma once
/// @file
/// Relaxation of the cell to a target hydrostatic pressure together with the atoms — what LAMMPS's
/// `fix box/relax tri P` + `minimize` achieves (seed 001 relaxes its glass until every stress
/// component is below 0.1 MPa), by a different route that works over any relaxation engine.
///
/// LAMMPS adds the six cell degrees of freedom to the minimiser's objective. tessera alternates
/// instead: relax the atoms at fixed cell, measure the configurational pressure tensor P (no
/// kinetic part), and solve P(c) = P_target·I for the six LAMMPS cell parameters
/// c = (l_x, l_y, l_z, xy, xz, yz) by Broyden's method on the strains
///
///     ε = (Δl_x/l_x, Δl_y/l_y, Δl_z/l_z, Δxy/l_y, Δxz/l_z, Δyz/l_z),
///
/// starting from the affine (unrelaxed) Jacobian ∂P/∂ε measured by six finite strains of 10⁻⁴
/// without relaxation. The affine response is stiffer than the relaxed one, so the first steps
/// undershoot and the iteration approaches the root from one side; Broyden's rank-one updates
/// then learn the relaxed response. Each cell change remaps the atoms (fractional coordinates
/// kept, as `change_box … remap`). Only components whose axes are periodic move (a non-periodic
/// axis has no pressure to balance, as in LAMMPS). Stops when every |P_ab − P_target δ_ab| is
/// below the tolerance (default 1 bar = 0.1 MPa in metal units), or after `max_cycles`.
///
/// The minimum reached is a minimum of the same enthalpy-like problem as LAMMPS's, so relaxed
/// energies agree to the tolerance of the stress criterion; the path is not LAMMPS's.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/physics/aqs.hpp>
#include <tessera/physics/deform.hpp>
#include <tessera/physics/engine.hpp>
#include <tessera/physics/potential.hpp>

#include <Eigen/Dense>

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace tessera {

struct box_relax_options {
    double target_pressure = 0;   ///< P_target (pressure units: bar in metal)
    double tolerance = 1.0;       ///< stop when every |P_ab − P_target δ_ab| < tolerance
    double nktv2p = nktv2p_metal; ///< energy/volume → pressure
    std::size_t max_cycles = 50;  ///< relax-atoms / update-cell cycles
    double probe_strain = 1e-4;   ///< finite strain of the affine Jacobian
    double max_strain = 0.02;     ///< largest strain component of one cell update
};

struct box_relax_result {
    relax_result relax;              ///< the last atom relaxation (initial energy: of the first)
    std::size_t cycles = 0;
    std::array<double, 6> pressure{};
    double max_pressure_error = 0;
    bool converged = false;
};

namespace detail {

/// The cell with strains ε applied (order xx yy zz xy xz yz; shear as tilt change / l_⊥).
inline triclinic_box<double> strained_cell(const triclinic_box<double>& b, const std::array<double, 6>& e) {
    const vec3<double> lo = b.lo();
    const vec3<double> len{b.hi().x - lo.x, b.hi().y - lo.y, b.hi().z - lo.z};
    const vec3<double> hi{lo.x + len.x * (1 + e[0]), lo.y + len.y * (1 + e[1]), lo.z + len.z * (1 + e[2])};
    return triclinic_box<double>(lo, hi, b.xy() + e[3] * len.y, b.xz() + e[4] * len.z, b.yz() + e[5] * len.z,
                                 b.periodic_axes());
}

/// Whether strain component c may move: its axes must be periodic.
inline bool component_free(const triclinic_box<double>& b, std::size_t c) {
    static constexpr std::size_t axes[6][2] = {{0, 0}, {1, 1}, {2, 2}, {0, 1}, {0, 2}, {1, 2}};
    return b.periodic(axes[c][0]) && b.periodic(axes[c][1]);
}

}  // namespace detail

/// Relaxes atoms and cell to P_target (file comment). x and box end relaxed.
template <relaxation_engine E>
box_relax_result relax_box(E& engine, std::span<vec3<double>> x, triclinic_box<double>& box, const box_relax_options& o) {
    if (!(o.tolerance > 0)) throw error("box relax: the pressure tolerance must be positive, got ", o.tolerance);
    const std::size_t n = x.size();
    std::vector<vec3<double>> force(n), probe(n);
    force_output<double> out{force, {}, {}};
    box_relax_result r;
    std::vector<std::size_t> free;
    for (std::size_t c = 0; c < 6; ++c)
        if (detail::component_free(box, c)) free.push_back(c);
    const auto m = Eigen::Index(free.size());

    auto residual = [&](const triclinic_box<double>& b, std::span<const vec3<double>> pos, std::array<double, 6>& p) {
        engine.evaluate(pos, b, out);
        p = pressure_tensor(out, b.volume(), o.nktv2p);
        Eigen::VectorXd f(m);
        for (Eigen::Index k = 0; k < m; ++k) {
            const std::size_t c = free[std::size_t(k)];
            f[k] = p[c] - (c < 3 ? o.target_pressure : 0.0);
        }
        return f;
    };

    r.relax = engine.relax(x, box, {});
    const double initial_energy = r.relax.initial_energy;
    Eigen::VectorXd f = residual(box, x, r.pressure);
    // Affine Jacobian ∂P/∂ε by forward differences, no relaxation.
    Eigen::MatrixXd jac(m, m);
    for (Eigen::Index k = 0; k < m; ++k) {
        std::array<double, 6> e{};
        e[free[std::size_t(k)]] = o.probe_strain;
        const triclinic_box<double> b = detail::strained_cell(box, e);
        std::copy(x.begin(), x.end(), probe.begin());
        remap(std::span<vec3<double>>(probe), box, b);
        std::array<double, 6> p{};
        jac.col(k) = (residual(b, probe, p) - f) / o.probe_strain;
    }
    for (r.cycles = 0; r.cycles < o.max_cycles; ++r.cycles) {
        r.max_pressure_error = m ? f.cwiseAbs().maxCoeff() : 0.0;
        if (r.max_pressure_error < o.tolerance) {
            r.converged = true;
            break;
        }
        Eigen::VectorXd step = -jac.fullPivLu().solve(f);
        if (!step.allFinite()) throw error("box relax: the pressure response is singular (no stiffness along some cell component)");
        const double biggest = step.cwiseAbs().maxCoeff();
        if (biggest > o.max_strain) step *= o.max_strain / biggest;
        std::array<double, 6> e{};
        for (Eigen::Index k = 0; k < m; ++k) e[free[std::size_t(k)]] = step[k];
        const triclinic_box<double> next = detail::strained_cell(box, e);
        remap(x, box, next);
        box = next;
        r.relax = engine.relax(x, box, {});
        const Eigen::VectorXd f_next = residual(box, x, r.pressure);
        // Broyden's ("good") rank-one update: J += (Δf − J s) sᵀ / (sᵀ s).
        const Eigen::VectorXd df = f_next - f;
        jac += (df - jac * step) * step.transpose() / step.squaredNorm();
        f = f_next;
    }
    r.max_pressure_error = m ? f.cwiseAbs().maxCoeff() : 0.0;
    r.relax.initial_energy = initial_energy;
    return r;
}

}  // namespace tessera
