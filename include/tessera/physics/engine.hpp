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
#include <tessera/physics/minimize_options.hpp>
#include <tessera/physics/potential.hpp>

#include <concepts>
#include <cstddef>
#include <span>
#include <string>

namespace tessera {

/// Outcome of one relaxation: the minimiser's result (minimize_options.hpp) — energies,
/// iterations, evaluations, LAMMPS's stopping criterion, final force norms; `reached_limit()` is
/// the non-converged case a driver must report.
using relax_result = minimize_result;

template <class E>
concept relaxation_engine =
    std::copy_constructible<E> &&
    requires(E& e, std::span<vec3<double>> x, std::span<const vec3<double>> cx, const triclinic_box<double>& box,
             std::span<const unsigned char> frozen, force_output<double>& out) {
        { e.relax(x, box, frozen) } -> std::same_as<relax_result>;
        { e.evaluate(cx, box, out) } -> std::convertible_to<double>;
    };

}  // namespace tessera
