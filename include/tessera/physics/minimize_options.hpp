#pragma once
/// @file
/// What `tessera::minimize` (physics/minimize.hpp) is asked and what it answers: the minimiser
/// style, LAMMPS's `minimize etol ftol maxiter maxeval` arguments, its `min_modify` settings, and
/// the result with LAMMPS's stop criteria (enum and LAMMPS's own text, as printed after
/// "Stopping criterion =").
///
/// Defaults are LAMMPS's (29 Sep 2021, src/min.cpp Min::Min): dmax 0.1, line quadratic, FIRE
/// integrator eulerimplicit, tmax 10, tmin 0.02, delaystep 20, dtgrow 1.1, dtshrink 0.5,
/// alpha0 0.25, alphashrink 0.99, halfstepback yes, initialdelay yes, vdfmax 2000, norm two.
/// LAMMPS's `minimize` command has no default tolerances; here etol = 0, ftol = 1e-8,
/// max_iterations = 10000 and max_evaluations = 100000.
///
/// Units: LAMMPS normalises the minimiser's energy by the number of atoms when thermo does
/// (`thermo_modify norm`, default yes for lj units, no for metal/real): set `normalize_energy`
/// to match a LAMMPS run in lj units. It changes the line search (its EMACH = 1e-8 and
/// EPS_QUAD = 1e-28 thresholds apply to E/N and f·h/N) and the etol test, so it changes the
/// path, not only the reported numbers. FIRE needs the timestep (LAMMPS `timestep`: 0.005 τ in
/// lj, 0.001 ps in metal), the masses per type and LAMMPS's ftm2v (1 in lj units,
/// 1/1.0364269e-4 in metal units).

#include <cstddef>
#include <span>
#include <string_view>

namespace tessera {

/// LAMMPS `min_style`: sd, cg (Polak–Ribière), fire (the 2020 FIRE 2.0 of Guénolé et al.).
enum class min_style { sd, cg, fire };

/// LAMMPS `min_modify line`: quadratic (default) or backtrack.
enum class line_search_style { quadratic, backtrack };

/// LAMMPS `min_modify integrator` for FIRE.
enum class fire_integrator { euler_implicit, verlet, leapfrog, euler_explicit };

/// Why the minimiser stopped, in LAMMPS's order (src/min.h) with its texts (to_string).
enum class stop_reason {
    max_iterations,        ///< "max iterations": not converged
    max_evaluations,       ///< "max force evaluations": not converged
    energy_tolerance,      ///< "energy tolerance"
    force_tolerance,       ///< "force tolerance"
    not_downhill,          ///< "search direction is not downhill"
    zero_alpha,            ///< "linesearch alpha is zero"
    zero_force,            ///< "forces are zero"
    zero_quadratic,        ///< "quadratic factors are zero"
    max_vdotf_negative = 11 ///< "max iterations with v.f negative" (FIRE's vdfmax)
};

inline constexpr std::string_view to_string(stop_reason r) noexcept {
    switch (r) {
        case stop_reason::max_iterations: return "max iterations";
        case stop_reason::max_evaluations: return "max force evaluations";
        case stop_reason::energy_tolerance: return "energy tolerance";
        case stop_reason::force_tolerance: return "force tolerance";
        case stop_reason::not_downhill: return "search direction is not downhill";
        case stop_reason::zero_alpha: return "linesearch alpha is zero";
        case stop_reason::zero_force: return "forces are zero";
        case stop_reason::zero_quadratic: return "quadratic factors are zero";
        case stop_reason::max_vdotf_negative: return "max iterations with v.f negative";
    }
    return "unknown";
}

/// FIRE parameters (`min_modify` keywords of the same names; LAMMPS defaults).
struct fire_options {
    double timestep = 0.005;   ///< LAMMPS `timestep` at the start (lj default 0.005)
    double tmax = 10.0;        ///< dtmax = tmax · timestep
    double tmin = 0.02;        ///< dtmin = tmin · timestep
    std::size_t delaystep = 20;
    double dtgrow = 1.1;
    double dtshrink = 0.5;
    double alpha0 = 0.25;
    double alphashrink = 0.99;
    fire_integrator integrator = fire_integrator::euler_implicit;
    bool halfstepback = true;
    bool initialdelay = true;      ///< no dt/alpha reset during the first delaystep steps
    std::size_t vdfmax = 2000;     ///< stop after this many consecutive v·f <= 0 steps (0: never)
    double ftm2v = 1.0;            ///< LAMMPS force->ftm2v (1 in lj units)
    std::span<const double> masses{};  ///< masses[t-1] of type t; empty: all 1
};

struct minimize_options {
    min_style style = min_style::cg;
    double etol = 0.0;                    ///< stop when |ΔE| < etol·½(|E| + |E_prev| + 1e-8)
    double ftol = 1e-8;                   ///< stop when ‖F‖₂ < ftol (Euclidean norm of the 3N vector)
    std::size_t max_iterations = 10000;
    std::size_t max_evaluations = 100000;
    double dmax = 0.1;                    ///< largest coordinate change per line search / FIRE step
    line_search_style line_search = line_search_style::quadratic;
    bool normalize_energy = false;        ///< LAMMPS thermo_modify norm (yes in lj units)
    double skin = 0.3;                    ///< neighbour skin (lj default 0.3 σ; metal 2.0 Å)
    fire_options fire{};
    /// Not LAMMPS: when sd/cg stop on a line-search failure ("linesearch alpha is zero", "search
    /// direction is not downhill", "quadratic factors are zero") while ‖F‖₂ is still above ftol,
    /// go on with FIRE (these `fire` settings, its own max_iterations) from where the line search
    /// stopped — what LAMMPS users script as `min_style cg; minimize; min_style fire; minimize`.
    /// Why: the line search compares energies, and near a mechanical instability (an AQS step
    /// just past a saddle-node, where frozen-atom analysis works) the energy changes of a step
    /// fall below the rounding of the total energy; cg then stops at forces 100× above ftol
    /// *before the event*, which a frozen-atom analysis would read as "freezing stopped the event".
    /// FIRE uses forces only. Needs ftol > 0; `minimize_result::fallback_iterations` says if it ran.
    bool fire_fallback = false;
};

struct minimize_result {
    double initial_energy = 0;            ///< total potential energy before (never normalised)
    double final_energy = 0;              ///< total potential energy after
    std::size_t iterations = 0;           ///< LAMMPS "Iterations"
    std::size_t evaluations = 0;          ///< LAMMPS "force evaluations" (the setup one not counted)
    stop_reason reason = stop_reason::max_iterations;
    double initial_force_norm = 0, final_force_norm = 0;  ///< ‖F‖₂ over 3N components (frozen zeroed)
    double initial_force_max = 0, final_force_max = 0;    ///< max |F_i,a| ("max component")
    std::size_t neighbor_rebuilds = 0;
    std::size_t fallback_iterations = 0;  ///< FIRE iterations after a line-search failure (fire_fallback)
    stop_reason line_search_reason = stop_reason::max_iterations;  ///< sd/cg's own stop when the fallback ran

    /// True for the two tolerance criteria; false for max iterations/evaluations and failures.
    bool converged() const noexcept {
        return reason == stop_reason::energy_tolerance || reason == stop_reason::force_tolerance;
    }
    std::string_view message() const noexcept { return to_string(reason); }
    /// The run ran out of budget (iterations, force evaluations, or FIRE's consecutive uphill
    /// steps) before any stopping criterion: a result a driver must report, not use silently.
    /// LAMMPS's "linesearch alpha is zero" is not such a case: it is the normal end of sd/cg at a
    /// force tolerance below what rounding allows.
    bool reached_limit() const noexcept {
        return reason == stop_reason::max_iterations || reason == stop_reason::max_evaluations ||
               reason == stop_reason::max_vdotf_negative;
    }
};

}  // namespace tessera
