#pragma once
/// @file
/// How particle positions get into tessera without being copied.
///
/// Layering (as Boost.Geometry and ArborX do it): a traits template `particle_access<S>` whose
/// primary template is marked `not_specialized`; a concept `particle_storage<S>` over it; and
/// free functions the algorithms call. A storage type S provides
///
///     using value_type = T;                                  // coordinate type
///     static std::size_t size(const S&);
///     static vec3<T> position(const S&, std::size_t i);
///
/// Ready-made storages: `soa_view` (three arrays), `aos_view` (`const T (*)[3]`, which is also
/// LAMMPS's `double **x` since its rows are contiguous), `strided_view` (an array of structs
/// with coordinates at a fixed stride), and any contiguous range — `std::vector`, `std::span`,
/// `std::array` — of a *point type*: `std::array<T,3>`, `tessera::vec3<T>`, or a user struct
/// registered with TESSERA_REGISTER_POINT. Types and ids are separate optional spans
/// (`std::span<const int>`, `std::span<const std::int64_t>`), never part of the storage.

#include <tessera/core/vec.hpp>

#include <array>
#include <concepts>
#include <cstddef>
#include <ranges>
#include <type_traits>

namespace tessera {

// ---------------------------------------------------------------------------------------------
// Points: one particle's coordinates.

/// Traits for a single point type. Specialize (or use TESSERA_REGISTER_POINT) with
/// `using value_type = T; static T get(const P&, std::size_t d);`
template <class P>
struct point_access {
    using not_specialized = void;
};

template <class T>
struct point_access<std::array<T, 3>> {
    using value_type = T;
    static constexpr T get(const std::array<T, 3>& p, std::size_t d) noexcept { return p[d]; }
};

template <class T>
struct point_access<vec3<T>> {
    using value_type = T;
    static constexpr T get(const vec3<T>& p, std::size_t d) noexcept { return p[d]; }
};

template <class P>
concept point = !requires { typename point_access<P>::not_specialized; } &&
                requires(const P& p, std::size_t d) {
                    typename point_access<P>::value_type;
                    { point_access<P>::get(p, d) } -> std::convertible_to<typename point_access<P>::value_type>;
                };

/// Registers a user struct as a point type: `TESSERA_REGISTER_POINT(my::atom, double, x, y, z)`
/// makes `std::vector<my::atom>` (and any contiguous range of it) a particle storage.
/// Use at global namespace scope.
#define TESSERA_REGISTER_POINT(Type, CoordType, X, Y, Z)                                         \
    template <>                                                                                  \
    struct tessera::point_access<Type> {                                                         \
        using value_type = CoordType;                                                            \
        static constexpr CoordType get(const Type& p, std::size_t d) noexcept {                  \
            return d == 0 ? static_cast<CoordType>(p.X)                                          \
                          : (d == 1 ? static_cast<CoordType>(p.Y) : static_cast<CoordType>(p.Z)); \
        }                                                                                        \
    }

// ---------------------------------------------------------------------------------------------
// Storages: many particles.

template <class S>
struct particle_access {
    using not_specialized = void;
};

/// S is a particle storage when particle_access<S> is specialized with size and position.
template <class S>
concept particle_storage =
    !requires { typename particle_access<std::remove_cvref_t<S>>::not_specialized; } &&
    requires(const std::remove_cvref_t<S>& s, std::size_t i) {
        typename particle_access<std::remove_cvref_t<S>>::value_type;
        { particle_access<std::remove_cvref_t<S>>::size(s) } -> std::convertible_to<std::size_t>;
        {
            particle_access<std::remove_cvref_t<S>>::position(s, i)
        } -> std::convertible_to<vec3<typename particle_access<std::remove_cvref_t<S>>::value_type>>;
    };

template <class S>
using particle_value_t = typename particle_access<std::remove_cvref_t<S>>::value_type;

/// Readable diagnostic at the point of use (the concept check alone gives a long note list).
template <class S>
constexpr void check_particle_storage() {
    static_assert(particle_storage<S>,
                  "tessera: this type is not a particle storage. Use soa_view, aos_view or strided_view, a "
                  "contiguous range of std::array<T,3> / tessera::vec3<T>, register your point struct with "
                  "TESSERA_REGISTER_POINT, or specialize tessera::particle_access<S> with value_type, size() "
                  "and position().");
}

template <particle_storage S>
std::size_t size(const S& s) {
    return particle_access<std::remove_cvref_t<S>>::size(s);
}
template <particle_storage S>
vec3<particle_value_t<S>> position(const S& s, std::size_t i) {
    return particle_access<std::remove_cvref_t<S>>::position(s, i);
}

/// Structure of arrays: x[i], y[i], z[i].
template <class T>
struct soa_view {
    const T* x;
    const T* y;
    const T* z;
    std::size_t n;
};

template <class T>
struct particle_access<soa_view<T>> {
    using value_type = T;
    static std::size_t size(const soa_view<T>& s) noexcept { return s.n; }
    static vec3<T> position(const soa_view<T>& s, std::size_t i) noexcept { return {s.x[i], s.y[i], s.z[i]}; }
    /// SoA fast path: contiguous components.
    static const T* component(const soa_view<T>& s, std::size_t d) noexcept { return d == 0 ? s.x : (d == 1 ? s.y : s.z); }
};

/// Array of structures: xyz[i][d], three contiguous coordinates per particle.
/// `aos_view<double>{lmp_x, nlocal}` with LAMMPS's `double **x` works because LAMMPS allocates
/// x as one contiguous block with a row-pointer table; x[0] is the block.
template <class T>
struct aos_view {
    const T (*xyz)[3];
    std::size_t n;

    aos_view(const T (*data)[3], std::size_t count) noexcept : xyz(data), n(count) {}
    /// A flat array of 3n values.
    aos_view(const T* flat, std::size_t count) noexcept : xyz(reinterpret_cast<const T(*)[3]>(flat)), n(count) {}
    /// A row-pointer table whose rows are contiguous (LAMMPS's `double **x`).
    aos_view(T* const* rows, std::size_t count) noexcept
        : xyz(count ? reinterpret_cast<const T(*)[3]>(rows[0]) : nullptr), n(count) {}
};

template <class T>
struct particle_access<aos_view<T>> {
    using value_type = T;
    static std::size_t size(const aos_view<T>& s) noexcept { return s.n; }
    static vec3<T> position(const aos_view<T>& s, std::size_t i) noexcept {
        return {s.xyz[i][0], s.xyz[i][1], s.xyz[i][2]};
    }
};

/// Coordinates at a fixed stride (in elements of T): x of particle i at base[i * stride],
/// y at base[i * stride + 1], z at base[i * stride + 2].
template <class T>
struct strided_view {
    const T* base;
    std::size_t stride;
    std::size_t n;
};

template <class T>
struct particle_access<strided_view<T>> {
    using value_type = T;
    static std::size_t size(const strided_view<T>& s) noexcept { return s.n; }
    static vec3<T> position(const strided_view<T>& s, std::size_t i) noexcept {
        const T* p = s.base + i * s.stride;
        return {p[0], p[1], p[2]};
    }
};

/// Any contiguous range of a point type (std::vector<std::array<double,3>>, std::span<const my_atom>, ...).
template <class R>
    requires std::ranges::contiguous_range<R> && std::ranges::sized_range<R> &&
             point<std::remove_cv_t<std::ranges::range_value_t<R>>>
struct particle_access<R> {
    using point_type = std::remove_cv_t<std::ranges::range_value_t<R>>;
    using value_type = typename point_access<point_type>::value_type;
    static std::size_t size(const R& r) noexcept { return static_cast<std::size_t>(std::ranges::size(r)); }
    static vec3<value_type> position(const R& r, std::size_t i) noexcept {
        const point_type& p = std::ranges::data(r)[i];
        return {point_access<point_type>::get(p, 0), point_access<point_type>::get(p, 1),
                point_access<point_type>::get(p, 2)};
    }
};

}  // namespace tessera
