#pragma once
/// @file
/// Athermal quasi-static (AQS) simple shear: affine shear step, energy minimisation at fixed box,
/// record the stress; repeat. Stress drops (plastic events) are detected on the way.
///
/// Protocol (Maloney & Lemaître, Phys. Rev. E 74, 016118 (2006); seed 001 Methods: CuZr glass,
/// 15 % in 3000 steps of 5·10⁻⁵, steepest descent after each step), as a LAMMPS script writes it:
///
///     minimize etol ftol maxiter maxeval                   # step 0: the input, relaxed
///     loop k = 1..N:  change_box all xy delta $(γ*ly) remap units box
///                     minimize etol ftol maxiter maxeval   # step k
///
/// Stress: the configurational pressure tensor P_ab = Σ_i W_i,ab / V · nktv2p (physics/potential.hpp;
/// no kinetic part: AQS is at T = 0), LAMMPS's `pxx … pyz` at zero velocities; the shear stress of
/// plane ab is τ = −P_ab. A **stress drop** at step k is the fall of the shear stress against the
/// loading direction, drop_k = sign(γ)·(P_ab,k − P_ab,k−1) (positive when the stress relaxes);
/// step k is an event when drop_k > threshold (pressure units, bar in metal units; the default 0
/// flags every decrease). The step before an event, k−1, is the configuration frozen-atom
/// analysis starts from (physics/frozen_atoms.hpp).
///
/// A relaxation that runs out of iterations is not hidden: its step records the stop reason, and
/// `aqs_options::stop_on_limit` (default true) ends the run with an error naming the step.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/physics/deform.hpp>
#include <tessera/physics/engine.hpp>
#include <tessera/physics/potential.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace tessera {

struct aqs_options {
    shear_plane plane = shear_plane::xy;
    double strain_step = 5e-5;       ///< engineering shear strain per step; negative shears the other way
    std::size_t steps = 0;           ///< number of shear steps after step 0
    double drop_threshold = 0.0;     ///< a step is an event when its drop exceeds this (pressure units)
    double nktv2p = nktv2p_metal;    ///< energy/volume → pressure (1 for lj units)
    bool stop_on_limit = true;       ///< a relaxation that hits max iterations/evaluations is an error
};

/// One recorded step of the stress–strain curve.
struct aqs_step {
    std::size_t step = 0;
    double strain = 0;                 ///< applied strain: the tilt change since step 0 over l_⊥
    double energy = 0;                 ///< potential energy after relaxation
    std::array<double, 6> pressure{};  ///< P_ab (xx yy zz xy xz yz) after relaxation
    double drop = 0;                   ///< sign(γ)·(P_ab,k − P_ab,k−1); 0 at step 0
    bool event = false;                ///< drop > threshold
    relax_result relax;
};

/// The configurational pressure tensor Σ W / V · nktv2p of an evaluation.
inline std::array<double, 6> pressure_tensor(const force_output<double>& out, double volume, double nktv2p) {
    std::array<double, 6> p{};
    for (std::size_t c = 0; c < 6; ++c) p[c] = out.total_virial[c] / volume * nktv2p;
    return p;
}

/// Runs AQS from (x, box): relaxes step 0, then `steps` shear steps, each followed by a
/// relaxation. x and box end in the final state. After each step `observe(const aqs_step&,
/// std::span<const vec3<double>> x, const triclinic_box<double>& box, const force_output<double>& out)`
/// is called with the relaxed state and an evaluation holding forces, per-atom energies and
/// per-atom virials (so a caller can write every configuration with its per-atom fields).
template <relaxation_engine E, class Observer>
std::vector<aqs_step> run_aqs(E& engine, std::span<vec3<double>> x, triclinic_box<double>& box, const aqs_options& opt,
                              Observer&& observe) {
    if (!(std::isfinite(opt.strain_step)) || opt.strain_step == 0)
        throw error("aqs: the strain step must be finite and non-zero, got ", opt.strain_step);
    const std::size_t n = x.size();
    std::vector<vec3<double>> force(n);
    std::vector<double> energy(n);
    std::vector<std::array<double, 6>> virial(n);
    force_output<double> out{force, energy, virial};
    const std::span<const unsigned char> nothing_frozen;
    const std::size_t component = voigt_index(opt.plane);
    const double direction = opt.strain_step > 0 ? 1.0 : -1.0;

    std::vector<aqs_step> curve;
    curve.reserve(opt.steps + 1);
    const double strain0 = shear_strain(box, opt.plane);  // a pre-tilted cell starts at 0 applied strain
    for (std::size_t k = 0; k <= opt.steps; ++k) {
        if (k > 0) box = apply_shear_step<double>(x, box, opt.plane, opt.strain_step);
        aqs_step s;
        s.step = k;
        s.relax = engine.relax(x, box, nothing_frozen);
        if (s.relax.reached_limit() && opt.stop_on_limit)
            throw error("aqs: the relaxation of step ", k, " stopped on '", to_string(s.relax.reason), "' after ",
                        s.relax.iterations, " iterations (|F| = ", s.relax.final_force_norm,
                        "); raise the iteration limit or loosen the tolerances");
        s.energy = engine.evaluate(std::span<const vec3<double>>(x.data(), n), box, out);
        s.strain = shear_strain(box, opt.plane) - strain0;
        s.pressure = pressure_tensor(out, box.volume(), opt.nktv2p);
        if (k > 0) {
            s.drop = direction * (s.pressure[component] - curve.back().pressure[component]);
            s.event = s.drop > opt.drop_threshold;
        }
        curve.push_back(s);
        observe(curve.back(), std::span<const vec3<double>>(x.data(), n), static_cast<const triclinic_box<double>&>(box),
                static_cast<const force_output<double>&>(out));
    }
    return curve;
}

/// The same without an observer.
template <relaxation_engine E>
std::vector<aqs_step> run_aqs(E& engine, std::span<vec3<double>> x, triclinic_box<double>& box,
                              const aqs_options& opt) {
    return run_aqs(engine, x, box, opt, [](const auto&, auto, const auto&, const auto&) {});
}

}  // namespace tessera
