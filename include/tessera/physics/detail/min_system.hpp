#pragma once
/// @file
/// The state every minimiser works on (LAMMPS's Min base class): positions moved in place, the
/// force vector (the negative gradient, frozen atoms' rows zeroed as `fix setforce 0 0 0` does
/// in min_post_force), the energy function with LAMMPS's optional per-atom normalisation, the
/// evaluation counter, and the norms. Vectors are walked as LAMMPS walks its 3N arrays
/// (atom-major, x y z), so every sum has LAMMPS's order.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/physics/minimize_options.hpp>
#include <tessera/physics/potential.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace tessera::detail {

template <potential P, box B>
class min_system {
public:
    min_system(const P& pot, std::span<vec3<double>> x, std::span<const int> types, const B& bx,
               std::span<const unsigned char> frozen, const minimize_options& opt)
        : x(x), f_storage(x.size()), f(f_storage), evaluator_(pot, opt.skin), types_(types), box_(bx),
          frozen_(frozen), natoms_(double(x.size())), normalize_(opt.normalize_energy) {}

    /// Min::energy_force: forces at x (frozen rows zeroed) and the energy, per atom if normalised.
    double energy_force() {
        force_output<double> out{f, {}, {}};
        raw_energy = evaluator_.evaluate(x, types_, box_, out);
        if (!frozen_.empty())
            for (std::size_t i = 0; i < f.size(); ++i)
                if (frozen_[i]) f[i] = {0.0, 0.0, 0.0};
        return normalize_ ? raw_energy / natoms_ : raw_energy;
    }

    /// What thermo normalisation does to a dot product in the line search (normflag).
    double scaled(double v) const noexcept { return normalize_ ? v / natoms_ : v; }

    double fnorm_sqr() const noexcept {
        double s = 0.0;
        for (const auto& v : f) {
            s += v.x * v.x;
            s += v.y * v.y;
            s += v.z * v.z;
        }
        return s;
    }
    double fnorm_inf() const noexcept {
        double m = 0.0;
        for (const auto& v : f) m = std::max({std::abs(v.x), std::abs(v.y), std::abs(v.z), m});
        return m;
    }
    std::size_t rebuilds() const noexcept { return evaluator_.rebuilds(); }

    std::span<vec3<double>> x;
    std::vector<vec3<double>> f_storage;
    std::span<vec3<double>> f;
    std::size_t neval = 0;     ///< LAMMPS's neval (setup evaluation not counted)
    double raw_energy = 0;     ///< total energy of the last evaluation

private:
    force_evaluator<P, B> evaluator_;
    std::span<const int> types_;
    const B& box_;
    std::span<const unsigned char> frozen_;
    double natoms_;
    bool normalize_;
};

/// Σ a·b over 3N components in LAMMPS's order (i, then x y z) — the fvec/h loops of min_*.cpp.
inline double dot3n(std::span<const vec3<double>> a, std::span<const vec3<double>> b) noexcept {
    double s = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        s += a[i].x * b[i].x;
        s += a[i].y * b[i].y;
        s += a[i].z * b[i].z;
    }
    return s;
}

/// Σ_i (a_i·b_i) with the per-atom grouping of LAMMPS's min_fire.cpp
/// (`vdotf += v[i][0]*f[i][0] + v[i][1]*f[i][1] + v[i][2]*f[i][2]`).
inline double dot_atoms(std::span<const vec3<double>> a, std::span<const vec3<double>> b) noexcept {
    double s = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i].x * b[i].x + a[i].y * b[i].y + a[i].z * b[i].z;
    return s;
}

}  // namespace tessera::detail
