#pragma once
/// @file
/// Affine deformation of a triclinic box with the atoms carried along — LAMMPS's
/// `change_box all xy delta D remap` (and xz, yz) — and the strain conventions of simple shear.
///
/// Remap (LAMMPS change_box.cpp, "remap x"): every atom's fractional coordinates in the old box,
/// s = H⁻¹(r − lo), are kept and mapped back with the new cell, r' = lo + H' s. For a tilt change
/// Δ of the `xy` factor this is r'_x = r_x + Δ·s_y, i.e. the affine simple shear
/// r' = (I + γ e_x⊗e_y) r with γ = Δ/l_y about the box origin; likewise xz (Δ·s_z along x,
/// γ = Δ/l_z) and yz (Δ·s_z along y, γ = Δ/l_z).
///
/// Shear strain of a step: the engineering shear strain γ = Δtilt / l_⊥ with l_⊥ = l_y for xy and
/// l_z for xz and yz (seed 001's 15 % over 3000 steps is γ = 5·10⁻⁵ per step; LAMMPS scripts write
/// it as `change_box all xy delta $(5e-5*ly) remap`). A negative strain shears the other way.
///
/// Tilt limits: LAMMPS refuses a tilt beyond half the box length unless `box tilt large`;
/// tessera's neighbour queries are exact for any tilt (they enumerate images), so no flip is
/// done and none is needed; positions stay where the affine map puts them (unwrapped).

#include <tessera/core/any_box.hpp>
#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>

#include <cmath>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>

namespace tessera {

/// The three simple-shear planes a triclinic LAMMPS box can take.
enum class shear_plane { xy, xz, yz };

/// "xy" / "xz" / "yz" (case as LAMMPS writes them); anything else is an error naming the text.
inline shear_plane parse_shear_plane(std::string_view s) {
    if (s == "xy") return shear_plane::xy;
    if (s == "xz") return shear_plane::xz;
    if (s == "yz") return shear_plane::yz;
    throw error("shear direction '", std::string(s), "': expected xy, xz or yz");
}

inline const char* to_string(shear_plane p) noexcept {
    return p == shear_plane::xy ? "xy" : (p == shear_plane::xz ? "xz" : "yz");
}

/// Index of the plane's component in LAMMPS order xx yy zz xy xz yz (3, 4 or 5).
inline std::size_t voigt_index(shear_plane p) noexcept {
    return p == shear_plane::xy ? 3 : (p == shear_plane::xz ? 4 : 5);
}

/// The tilt factor of `p` in a box, and its engineering shear strain tilt / l_⊥.
template <class T>
T tilt(const triclinic_box<T>& b, shear_plane p) noexcept {
    return p == shear_plane::xy ? b.xy() : (p == shear_plane::xz ? b.xz() : b.yz());
}
template <class T>
T shear_strain(const triclinic_box<T>& b, shear_plane p) noexcept {
    const T l = p == shear_plane::xy ? b.hi().y - b.lo().y : b.hi().z - b.lo().z;
    return tilt(b, p) / l;
}

/// The box with the tilt of `p` changed by `delta` (lengths, origin and periodicity unchanged).
template <class T>
triclinic_box<T> with_tilt_delta(const triclinic_box<T>& b, shear_plane p, T delta) {
    T xy = b.xy(), xz = b.xz(), yz = b.yz();
    (p == shear_plane::xy ? xy : (p == shear_plane::xz ? xz : yz)) += delta;
    return triclinic_box<T>(b.lo(), b.hi(), xy, xz, yz, b.periodic_axes());
}

/// Moves every position from box `from` to box `to` keeping fractional coordinates (LAMMPS remap).
template <class T>
void remap(std::span<vec3<T>> positions, const triclinic_box<T>& from, const triclinic_box<T>& to) noexcept {
    for (vec3<T>& r : positions) r = to.from_fractional(from.to_fractional(r));
}

/// One affine simple-shear step of engineering strain `strain` in plane `p`: returns the new box
/// and remaps the positions into it (`change_box all xy delta strain·l_y remap`).
template <class T>
triclinic_box<T> apply_shear_step(std::span<vec3<T>> positions, const triclinic_box<T>& b, shear_plane p, T strain) {
    if (!std::isfinite(strain)) throw error("shear step: strain must be finite, got ", strain);
    const std::size_t axis = p == shear_plane::xy ? 1 : 2;
    if (!b.periodic(axis) || !b.periodic(0) || (p == shear_plane::yz && !b.periodic(1)))
        throw error("shear step: simple shear ", to_string(p),
                    " needs a box periodic along both of its axes (LAMMPS refuses to tilt a non-periodic box too)");
    const T l = p == shear_plane::xy ? b.hi().y - b.lo().y : b.hi().z - b.lo().z;
    const triclinic_box<T> next = with_tilt_delta(b, p, strain * l);
    remap(positions, b, next);
    return next;
}

/// Any box a reader produces, as the triclinic box physics drivers deform: an orthogonal box
/// becomes one with zero tilts (same origin, lengths and periodicity); an open box (no cell) is
/// an error naming `what`, since an affine cell strain needs a cell.
inline triclinic_box<double> as_triclinic(const any_box& any, const std::string& what) {
    return with_box(any, [&](const auto& b) -> triclinic_box<double> {
        using B = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<B, triclinic_box<double>>) {
            return b;
        } else if constexpr (std::is_same_v<B, orthogonal_box<double>>) {
            return triclinic_box<double>(b.lo(), b.hi(), 0.0, 0.0, 0.0, b.periodic_axes());
        } else {
            throw error(what, ": the frame has no simulation cell (an open box); this needs a periodic cell");
        }
    });
}

}  // namespace tessera
