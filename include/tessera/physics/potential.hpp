#pragma once
/// @file
/// The energy-model contract: what a potential is, what a force evaluation writes, and the
/// evaluator that feeds a potential tessera's neighbour lists with a skin.
///
/// A potential reads a **full** neighbour list (every bond i→j and j→i, periodic images resolved
/// into the bond vectors, rows = the n particles) and the particles' types, and writes, for the n
/// rows, forces and optionally per-atom energies and per-atom virials. Because bond vectors carry
/// the images, a potential never sees a box: the same code serves periodic, fixed, shrink-wrapped
/// and triclinic boxes, and small cells where an atom meets several images of one neighbour.
/// Full lists cost twice the pair arithmetic of LAMMPS's half lists with newton on, but each row
/// is written by one thread only, so results are bitwise independent of the thread count.
///
/// Conventions (LAMMPS's, so per-atom numbers compare to `compute pe/atom`, `compute
/// stress/atom` and `dump fx fy fz` digit for digit):
/// - energy in the potential file's units (eV for EAM "metal"); pair energy is split half to
///   each atom, the embedding energy belongs to its atom;
/// - per-atom virial W_i,ab = ½ Σ_j (r_i − r_j)_a f_ij,b over the pairs of i (f_ij: the force on
///   i due to the pair term with j; many-body terms by LAMMPS's ev_tally rule), in energy units
///   (eV, not bar·Å³), components in LAMMPS order xx, yy, zz, xy, xz, yz. `compute stress/atom`
///   without kinetic part is −W_i · nktv2p (nktv2p = 1.6021765e6 bar·Å³/eV in metal units);
///   Σ_i W_i is the configurational virial, P_ab·V = Σ m v_a v_b + Σ_i W_i,ab.
///
/// The `potential` concept (ArborX-style: a readable static_assert names what is missing):
///
///     typename P::workspace;                       // per-caller scratch, reused across calls
///     double p.cutoff() const;                     // the largest interaction range
///     std::size_t p.num_types() const;             // types 1..num_types() are valid
///     void p.compute(const neighbor_list<double>&, std::span<const int> types,
///                    force_output<double>&, typename P::workspace&) const;
///
/// `compute` is const and thread-safe on a shared potential: all mutable state lives in the
/// caller's workspace (one per thread / per worker). It throws `tessera::error` for a type
/// outside 1..num_types(), a bond shorter than the potential allows, or a list that is not full.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/neighbors/neighbor_list.hpp>
#include <tessera/neighbors/verlet.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <span>
#include <vector>

namespace tessera {

/// Conversion of energy/volume to pressure: LAMMPS's `force->nktv2p` (bar·Å³/eV for metal units,
/// 1 for lj units). Per-atom stress in LAMMPS metal units = −W_i · nktv2p_metal.
inline constexpr double nktv2p_metal = 1.6021765e6;

/// Where a force evaluation writes. Spans are caller-owned; an empty optional span is skipped
/// (and costs nothing). Totals are always computed.
template <class T = double>
struct force_output {
    std::span<vec3<T>> force;              ///< required, one per row
    std::span<T> energy;                   ///< per-atom energy, or empty
    std::span<std::array<T, 6>> virial;    ///< per-atom virial W_i (xx yy zz xy xz yz), or empty
    T total_energy = 0;                    ///< Σ_i E_i
    std::array<T, 6> total_virial{};       ///< Σ_i W_i
};

template <class P>
concept potential = requires(const P& p, const neighbor_list<double>& list, std::span<const int> types,
                             force_output<double>& out, typename P::workspace& ws) {
    typename P::workspace;
    { p.cutoff() } -> std::convertible_to<double>;
    { p.num_types() } -> std::convertible_to<std::size_t>;
    p.compute(list, types, out, ws);
};

/// Checks the arguments every potential's compute shares (sizes, full list, types in range).
inline void check_force_arguments(const char* who, const neighbor_list<double>& list, std::span<const int> types,
                                  const force_output<double>& out, std::size_t num_types) {
    const std::size_t n = list.num_particles();
    if (list.kind() != list_kind::full) throw error(who, ": needs a full neighbour list");
    if (types.size() < n) throw error(who, ": ", types.size(), " types for ", n, " atoms");
    if (out.force.size() != n) throw error(who, ": force output has ", out.force.size(), " rows, list has ", n);
    if (!out.energy.empty() && out.energy.size() != n)
        throw error(who, ": energy output has ", out.energy.size(), " rows, list has ", n);
    if (!out.virial.empty() && out.virial.size() != n)
        throw error(who, ": virial output has ", out.virial.size(), " rows, list has ", n);
    for (std::size_t i = 0; i < n; ++i)
        if (types[i] < 1 || std::size_t(types[i]) > num_types)
            throw error(who, ": atom ", i, " has type ", types[i], ", the potential defines types 1..", num_types);
}

/// A potential plus the neighbour list (with skin, rebuilt only when an atom moved more than
/// skin/2 or the box changed) and workspace it needs: what minimisers and drivers call once per
/// configuration. One evaluator per thread; the potential itself is shared.
template <potential P, box B>
class force_evaluator {
public:
    /// `skin`: LAMMPS's neighbor skin (2.0 Å is its metal default, 0.3 σ its lj default).
    force_evaluator(const P& pot, double skin) : pot_(&pot), list_(pot.cutoff(), skin) {}

    /// Forces (and what `out` asks for) of the configuration; returns the total energy.
    template <particle_storage S>
    double evaluate(const S& positions, std::span<const int> types, const B& bx, force_output<double>& out) {
        const neighbor_list<double>& nl = list_.update(positions, bx);
        pot_->compute(nl, types, out, workspace_);
        return out.total_energy;
    }

    const P& potential_model() const noexcept { return *pot_; }
    std::size_t rebuilds() const noexcept { return list_.rebuilds(); }

private:
    const P* pot_;
    verlet_list<double, B> list_;
    typename P::workspace workspace_{};
};

}  // namespace tessera
