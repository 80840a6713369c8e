#pragma once
/// @file
/// Simulation boxes: open (no walls), orthogonal and triclinic in the LAMMPS convention, each
/// periodic or not per axis.
///
/// Triclinic convention (LAMMPS "Howto triclinic"): the cell vectors are the columns of the
/// upper-triangular matrix
/// \f[ h = \begin{pmatrix} l_x & xy & xz \\ 0 & l_y & yz \\ 0 & 0 & l_z \end{pmatrix},\qquad
///     \mathbf r = \mathbf{lo} + h\,\mathbf s, \f]
/// with fractional coordinates s in [0, 1) inside the box. Tilt factors are not limited to
/// |xy| <= l_x/2: strongly tilted boxes are valid (neighbour queries in neighbors/ do not rely on
/// minimum image and remain exact for any tilt).
///
/// Every box type offers the same operations, which the `box` concept checks:
/// `periodic(d)`, `origin()`, `cell()`, `to_fractional(r)`, `from_fractional(s)`,
/// `minimum_image(d)` (also on xsimd batches), `wrap(r)` and `volume()`.

#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>

#include <array>
#include <cmath>
#include <concepts>
#include <limits>
#include <sstream>
#include <string>

namespace tessera {

/// Periodicity per axis (x, y, z).
using periodicity = std::array<bool, 3>;
inline constexpr periodicity fully_periodic{true, true, true};
inline constexpr periodicity not_periodic{false, false, false};

namespace detail {
/// Round half away from zero on scalars and (through ADL) on xsimd batches alike, so the
/// scalar and SIMD minimum images pick the same image.
template <class V>
V round_nearest(const V& v) {
    using std::round;
    return round(v);
}
template <class T>
void require_finite_extent(T lo, T hi, const char* axis) {
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > lo)) {
        throw error("box: ", axis, " bounds must be finite with hi > lo, got lo = ", lo, ", hi = ", hi);
    }
}
}  // namespace detail

/// No walls and no periodicity: minimum image and wrap are the identity; volume is infinite.
template <class T = double>
class open_box {
public:
    using value_type = T;
    static constexpr bool is_triclinic = false;

    constexpr bool periodic(std::size_t) const noexcept { return false; }
    constexpr periodicity periodic_axes() const noexcept { return not_periodic; }
    constexpr vec3<T> origin() const noexcept { return {}; }
    constexpr mat3<T> cell() const noexcept { return mat3<T>::identity(); }
    constexpr vec3<T> to_fractional(const vec3<T>& r) const noexcept { return r; }
    constexpr vec3<T> from_fractional(const vec3<T>& s) const noexcept { return s; }
    constexpr vec3<T> minimum_image(const vec3<T>& d) const noexcept { return d; }
    template <class B>
    constexpr void minimum_image(B&, B&, B&) const noexcept {}
    constexpr vec3<T> wrap(const vec3<T>& r) const noexcept { return r; }
    constexpr T volume() const noexcept { return std::numeric_limits<T>::infinity(); }
};

/// Axis-aligned box [lo, hi) with periodicity per axis.
template <class T = double>
class orthogonal_box {
public:
    using value_type = T;
    static constexpr bool is_triclinic = false;

    orthogonal_box(const vec3<T>& lo, const vec3<T>& hi, periodicity periodic = fully_periodic)
        : lo_(lo), hi_(hi), periodic_(periodic) {
        detail::require_finite_extent(lo.x, hi.x, "x");
        detail::require_finite_extent(lo.y, hi.y, "y");
        detail::require_finite_extent(lo.z, hi.z, "z");
        for (std::size_t d = 0; d < 3; ++d) {
            len_[d] = hi_[d] - lo_[d];
            inv_len_[d] = T(1) / len_[d];
        }
    }

    bool periodic(std::size_t d) const noexcept { return periodic_[d]; }
    periodicity periodic_axes() const noexcept { return periodic_; }
    const vec3<T>& lo() const noexcept { return lo_; }
    const vec3<T>& hi() const noexcept { return hi_; }
    vec3<T> origin() const noexcept { return lo_; }
    vec3<T> lengths() const noexcept { return len_; }
    mat3<T> cell() const noexcept { return mat3<T>::diagonal(len_.x, len_.y, len_.z); }

    vec3<T> to_fractional(const vec3<T>& r) const noexcept {
        return {(r.x - lo_.x) * inv_len_.x, (r.y - lo_.y) * inv_len_.y, (r.z - lo_.z) * inv_len_.z};
    }
    vec3<T> from_fractional(const vec3<T>& s) const noexcept {
        return {lo_.x + s.x * len_.x, lo_.y + s.y * len_.y, lo_.z + s.z * len_.z};
    }

    /// The image of separation d with |d_k| <= L_k/2 on periodic axes.
    vec3<T> minimum_image(vec3<T> d) const noexcept {
        minimum_image(d.x, d.y, d.z);
        return d;
    }
    /// Same on scalars or on xsimd batches (one lane per separation).
    template <class B>
    void minimum_image(B& dx, B& dy, B& dz) const noexcept {
        if (periodic_[0]) dx -= detail::round_nearest(dx * inv_len_.x) * len_.x;
        if (periodic_[1]) dy -= detail::round_nearest(dy * inv_len_.y) * len_.y;
        if (periodic_[2]) dz -= detail::round_nearest(dz * inv_len_.z) * len_.z;
    }

    /// Maps r into [lo, hi) along periodic axes by whole box lengths.
    vec3<T> wrap(vec3<T> r) const noexcept {
        for (std::size_t d = 0; d < 3; ++d)
            if (periodic_[d]) r[d] -= std::floor((r[d] - lo_[d]) * inv_len_[d]) * len_[d];
        return r;
    }
    T volume() const noexcept { return len_.x * len_.y * len_.z; }

private:
    vec3<T> lo_, hi_, len_, inv_len_;
    periodicity periodic_;
};

/// LAMMPS triclinic box: lo, hi (the parallelepiped's extents before tilting) and tilt factors
/// xy, xz, yz; cell vectors a = (lx,0,0), b = (xy,ly,0), c = (xz,yz,lz).
template <class T = double>
class triclinic_box {
public:
    using value_type = T;
    static constexpr bool is_triclinic = true;

    triclinic_box(const vec3<T>& lo, const vec3<T>& hi, T xy, T xz, T yz, periodicity periodic = fully_periodic)
        : lo_(lo), hi_(hi), xy_(xy), xz_(xz), yz_(yz), periodic_(periodic) {
        detail::require_finite_extent(lo.x, hi.x, "x");
        detail::require_finite_extent(lo.y, hi.y, "y");
        detail::require_finite_extent(lo.z, hi.z, "z");
        if (!std::isfinite(xy) || !std::isfinite(xz) || !std::isfinite(yz))
            throw error("box: tilt factors xy, xz, yz must be finite");
        lx_ = hi.x - lo.x;
        ly_ = hi.y - lo.y;
        lz_ = hi.z - lo.z;
        h_ = mat3<T>{{lx_, xy_, xz_, T(0), ly_, yz_, T(0), T(0), lz_}};
        h_inv_ = mat3<T>{{T(1) / lx_, -xy_ / (lx_ * ly_), (xy_ * yz_ - ly_ * xz_) / (lx_ * ly_ * lz_), T(0),
                          T(1) / ly_, -yz_ / (ly_ * lz_), T(0), T(0), T(1) / lz_}};
    }

    bool periodic(std::size_t d) const noexcept { return periodic_[d]; }
    periodicity periodic_axes() const noexcept { return periodic_; }
    const vec3<T>& lo() const noexcept { return lo_; }
    const vec3<T>& hi() const noexcept { return hi_; }
    T xy() const noexcept { return xy_; }
    T xz() const noexcept { return xz_; }
    T yz() const noexcept { return yz_; }
    vec3<T> origin() const noexcept { return lo_; }
    mat3<T> cell() const noexcept { return h_; }

    vec3<T> to_fractional(const vec3<T>& r) const noexcept { return h_inv_ * (r - lo_); }
    vec3<T> from_fractional(const vec3<T>& s) const noexcept { return lo_ + h_ * s; }

    /// LAMMPS's Domain::minimum_image for triclinic boxes: along periodic axes, subtract c
    /// until |d_z| <= l_z/2, then b until |d_y| <= l_y/2, then a until |d_x| <= l_x/2. It is the
    /// shortest image whenever |d| is below half the smallest perpendicular width of the cell —
    /// the regime it is used in (displacements between frames, short bonds). Neighbour queries
    /// do not use it: they enumerate images explicitly and are exact for any tilt and cutoff.
    vec3<T> minimum_image(vec3<T> d) const noexcept {
        minimum_image(d.x, d.y, d.z);
        return d;
    }
    template <class B>
    void minimum_image(B& dx, B& dy, B& dz) const noexcept {
        if (periodic_[2]) {
            const B n = detail::round_nearest(dz * (T(1) / lz_));
            dz -= n * lz_;
            dy -= n * yz_;
            dx -= n * xz_;
        }
        if (periodic_[1]) {
            const B n = detail::round_nearest(dy * (T(1) / ly_));
            dy -= n * ly_;
            dx -= n * xy_;
        }
        if (periodic_[0]) dx -= detail::round_nearest(dx * (T(1) / lx_)) * lx_;
    }

    /// Maps r into the cell along periodic axes by whole cell vectors.
    vec3<T> wrap(vec3<T> r) const noexcept {
        const vec3<T> s = to_fractional(r);
        for (std::size_t d = 0; d < 3; ++d)
            if (periodic_[d]) {
                const T n = std::floor(s[d]);
                if (n != T(0)) r -= h_.column(d) * n;
            }
        return r;
    }
    T volume() const noexcept { return lx_ * ly_ * lz_; }

private:
    vec3<T> lo_, hi_;
    T xy_, xz_, yz_, lx_{}, ly_{}, lz_{};
    mat3<T> h_, h_inv_;
    periodicity periodic_;
};

/// What the library needs of a box; open_box, orthogonal_box and triclinic_box model it.
template <class B>
concept box = requires(const B& b, vec3<typename B::value_type> v, std::size_t d) {
    typename B::value_type;
    { b.periodic(d) } -> std::convertible_to<bool>;
    { b.origin() } -> std::convertible_to<vec3<typename B::value_type>>;
    { b.cell() } -> std::convertible_to<mat3<typename B::value_type>>;
    { b.to_fractional(v) } -> std::convertible_to<vec3<typename B::value_type>>;
    { b.from_fractional(v) } -> std::convertible_to<vec3<typename B::value_type>>;
    { b.minimum_image(v) } -> std::convertible_to<vec3<typename B::value_type>>;
    { b.wrap(v) } -> std::convertible_to<vec3<typename B::value_type>>;
    { b.volume() } -> std::convertible_to<typename B::value_type>;
};

/// Perpendicular widths of the cell: the distance between opposite faces along each cell axis,
/// V / |b x c|, V / |c x a|, V / |a x b|. A sphere of radius r spans r / width_d in fractional
/// coordinate d — the quantity that decides how many periodic images a cutoff reaches.
template <class T>
vec3<T> perpendicular_widths(const mat3<T>& h) noexcept {
    const vec3<T> a = h.column(0), b = h.column(1), c = h.column(2);
    const T v = std::abs(determinant(h));
    return {v / norm(cross(b, c)), v / norm(cross(c, a)), v / norm(cross(a, b))};
}

/// The LAMMPS triclinic box from the bounding box a dump or data file writes
/// (`ITEM: BOX BOUNDS xy xz yz`), as given in the LAMMPS "Howto triclinic" page:
/// xlo = xlo_bound - min(0, xy, xz, xy+xz), xhi = xhi_bound - max(0, xy, xz, xy+xz),
/// ylo = ylo_bound - min(0, yz), yhi = yhi_bound - max(0, yz).
template <class T>
triclinic_box<T> triclinic_from_bounds(T xlo_bound, T xhi_bound, T ylo_bound, T yhi_bound, T zlo, T zhi, T xy, T xz,
                                       T yz, periodicity periodic = fully_periodic) {
    using std::max;
    using std::min;
    const T xlo = xlo_bound - min(min(T(0), xy), min(xz, xy + xz));
    const T xhi = xhi_bound - max(max(T(0), xy), max(xz, xy + xz));
    const T ylo = ylo_bound - min(T(0), yz);
    const T yhi = yhi_bound - max(T(0), yz);
    return triclinic_box<T>({xlo, ylo, zlo}, {xhi, yhi, zhi}, xy, xz, yz, periodic);
}

}  // namespace tessera
