#pragma once
/// @file
/// Per-atom stress from a potential's per-atom virial, in LAMMPS's `compute stress/atom`
/// convention, and the atomic von Mises stress.
///
/// LAMMPS (`compute stress/atom`, doc page "compute stress/atom"): the per-atom stress is the
/// negative of the per-atom pressure tensor times a volume,
///
///     S_i,ab = −[ m_i v_i,a v_i,b + W_i,ab ] · nktv2p          (units pressure·volume)
///
/// with W_i the per-atom virial of physics/potential.hpp (eV in metal units) and nktv2p the
/// units' energy/volume → pressure factor (1.6021765e6 bar·Å³/eV in metal units, 1 in lj
/// units). For a kinetic part LAMMPS uses mvv2e·m v v; in metal units mvv2e = 1.0364269e-4
/// (g/mol·Å²/ps² → eV), in lj units 1. Summed over all atoms, −Σ_i S_i / V is the pressure
/// tensor LAMMPS reports (`thermo press`, `pxx` …). A per-atom stress in pressure units needs a
/// per-atom volume; the Voronoi volume (descriptors/voronoi_cell.hpp) is the usual choice, and
/// then σ_i = S_i / V_i.
///
/// Atomic von Mises stress (the equivalent stress of the deviatoric part; seed 001 compares its
/// change during an event with D_f):
///
///     σ_vM = sqrt( ½[(σxx−σyy)² + (σyy−σzz)² + (σzz−σxx)²] + 3(σxy² + σyz² + σxz²) )
///
/// It is invariant under rotations and under adding a hydrostatic part; it is computed from
/// whatever the six components are (pressure·volume or pressure units), so callers choose.
/// Components are in LAMMPS order xx, yy, zz, xy, xz, yz throughout.

#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <span>

namespace tessera {

/// The unit constants LAMMPS uses for stress (force->nktv2p, force->mvv2e).
struct stress_units {
    double nktv2p;  ///< energy/volume → pressure
    double mvv2e;   ///< mass·velocity² → energy
};
inline constexpr stress_units metal_stress_units{1.6021765e6, 1.0364269e-4};
inline constexpr stress_units lj_stress_units{1.0, 1.0};

/// S_i = −W_i · nktv2p for every atom (no kinetic part): `compute stress/atom NULL virial`.
inline void stress_from_virial(std::span<const std::array<double, 6>> virial, stress_units units,
                               std::span<std::array<double, 6>> stress) {
    if (stress.size() != virial.size())
        throw error("stress_from_virial: ", virial.size(), " virials for ", stress.size(), " stress rows");
    for (std::size_t i = 0; i < virial.size(); ++i)
        for (std::size_t c = 0; c < 6; ++c) stress[i][c] = -virial[i][c] * units.nktv2p;
}

/// Adds LAMMPS's kinetic part −mvv2e·m_i v_i,a v_i,b · nktv2p to per-atom stresses.
inline void add_kinetic_stress(std::span<const double> mass, std::span<const vec3<double>> velocity,
                               stress_units units, std::span<std::array<double, 6>> stress) {
    if (mass.size() != stress.size() || velocity.size() != stress.size())
        throw error("add_kinetic_stress: ", stress.size(), " atoms but ", mass.size(), " masses and ", velocity.size(),
                    " velocities");
    for (std::size_t i = 0; i < stress.size(); ++i) {
        const double m = units.mvv2e * mass[i];
        const vec3<double>& v = velocity[i];
        stress[i][0] -= m * v.x * v.x * units.nktv2p;
        stress[i][1] -= m * v.y * v.y * units.nktv2p;
        stress[i][2] -= m * v.z * v.z * units.nktv2p;
        stress[i][3] -= m * v.x * v.y * units.nktv2p;
        stress[i][4] -= m * v.x * v.z * units.nktv2p;
        stress[i][5] -= m * v.y * v.z * units.nktv2p;
    }
}

/// σ_i = S_i / V_i (pressure·volume → pressure). A volume that is not positive and finite is an
/// error naming the atom: a zero Voronoi volume means overlapping atoms, not a huge stress.
inline void divide_by_volume(std::span<std::array<double, 6>> stress, std::span<const double> volume) {
    if (volume.size() != stress.size())
        throw error("divide_by_volume: ", stress.size(), " stress rows but ", volume.size(), " volumes");
    for (std::size_t i = 0; i < stress.size(); ++i) {
        if (!(volume[i] > 0) || !std::isfinite(volume[i]))
            throw error("divide_by_volume: atom ", i, " has volume ", volume[i], " (need positive and finite)");
        for (double& s : stress[i]) s /= volume[i];
    }
}

/// Von Mises equivalent stress of one tensor (components xx yy zz xy xz yz).
inline double von_mises(const std::array<double, 6>& s) noexcept {
    const double dxy = s[0] - s[1], dyz = s[1] - s[2], dzx = s[2] - s[0];
    return std::sqrt(0.5 * (dxy * dxy + dyz * dyz + dzx * dzx) + 3.0 * (s[3] * s[3] + s[4] * s[4] + s[5] * s[5]));
}

/// Von Mises stress of every atom.
inline void von_mises(std::span<const std::array<double, 6>> stress, std::span<double> out) {
    if (out.size() != stress.size())
        throw error("von_mises: ", stress.size(), " stress rows but ", out.size(), " outputs");
    for (std::size_t i = 0; i < stress.size(); ++i) out[i] = von_mises(stress[i]);
}

/// Mean of the stress tensors of a group of atoms (seed 001's "von Mises stress of an STZ core":
/// the von Mises stress of the core's mean tensor, not the mean of the atoms' von Mises values).
inline std::array<double, 6> mean_stress(std::span<const std::array<double, 6>> stress,
                                         std::span<const std::size_t> atoms) {
    if (atoms.empty()) throw error("mean_stress: the group of atoms is empty");
    std::array<double, 6> m{};
    for (std::size_t a : atoms) {
        if (a >= stress.size()) throw error("mean_stress: atom ", a, " outside ", stress.size(), " rows");
        for (std::size_t c = 0; c < 6; ++c) m[c] += stress[a][c];
    }
    for (double& c : m) c /= double(atoms.size());
    return m;
}

}  // namespace tessera
