#pragma once
/// @file
/// The relaxation-engine contract: what AQS and frozen-atom analysis need from whatever relaxes a
/// configuration — tessera's own potentials and minimisers (physics/native_engine.hpp) or LAMMPS
/// through liblammps, for potentials tessera does not implement.
///
/// An engine is bound to one system (its atom count and types, its potential, its minimiser
/// settings) and offers
///
///     relax_result e.relax(std::span<vec3<double>> x, const triclinic_box<double>& box,
///                          std::span<const unsigned char> frozen);
///         // moves x in place to a local energy minimum at fixed box; atoms with frozen[i] != 0
///         // do not move (LAMMPS `fix setforce 0 0 0`) but still exert forces; empty = none frozen
///     double e.evaluate(std::span<const vec3<double>> x, const triclinic_box<double>& box,
///                       force_output<double>& out);
///         // energy, forces and what `out` asks for, of the configuration as it is
///
/// and is copy-constructible: drivers that work in parallel give each worker its own copy (a
/// LAMMPS engine copy is its own LAMMPS instance). `relax` and `evaluate` are deterministic: the
/// same input gives the same output bits whatever else ran before on that copy, which is what
/// makes frozen-atom analysis independent of the thread count and of the order atoms are visited.

#include <tessera/core/box.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/physics/potential.hpp>

#include <concepts>
#include <cstddef>
#include <span>
#include <string>

namespace tessera {

/// Why a minimisation stopped, as LAMMPS's `minimize` reports it.
enum class stop_reason {
    energy_tolerance,      ///< "energy tolerance"
    force_tolerance,       ///< "force tolerance"
    max_iterations,        ///< "max iterations"
    max_evaluations,       ///< "max force evaluations"
    linesearch_alpha_zero, ///< "linesearch alpha is zero" (sd/cg: no downhill step left at rounding)
    zero_force,            ///< "forces are zero"
    quadratic_factors_zero ///< "quadratic factors are zero" (LAMMPS's quadratic line search)
};

inline const char* to_string(stop_reason r) noexcept {
    switch (r) {
    case stop_reason::energy_tolerance: return "energy tolerance";
    case stop_reason::force_tolerance: return "force tolerance";
    case stop_reason::max_iterations: return "max iterations";
    case stop_reason::max_evaluations: return "max force evaluations";
    case stop_reason::linesearch_alpha_zero: return "linesearch alpha is zero";
    case stop_reason::zero_force: return "forces are zero";
    case stop_reason::quadratic_factors_zero: return "quadratic factors are zero";
    }
    return "unknown";
}

/// Outcome of one relaxation. `reached_limit()` is the non-converged case a driver must report:
/// the iteration or evaluation budget ran out before a tolerance was met.
struct relax_result {
    double initial_energy = 0;
    double final_energy = 0;
    std::size_t iterations = 0;
    std::size_t evaluations = 0;
    stop_reason reason = stop_reason::force_tolerance;
    double force_two_norm = 0;  ///< |F| over all unfrozen degrees of freedom at the end
    double force_max = 0;       ///< max_i |F_i,a| at the end
    bool reached_limit() const noexcept {
        return reason == stop_reason::max_iterations || reason == stop_reason::max_evaluations;
    }
};

template <class E>
concept relaxation_engine =
    std::copy_constructible<E> &&
    requires(E& e, std::span<vec3<double>> x, std::span<const vec3<double>> cx, const triclinic_box<double>& box,
             std::span<const unsigned char> frozen, force_output<double>& out) {
        { e.relax(x, box, frozen) } -> std::same_as<relax_result>;
        { e.evaluate(cx, box, out) } -> std::convertible_to<double>;
    };

}  // namespace tessera
