#pragma once
/// @file
/// The binning step the cell list and the LENS pair search share: particle i's position r and
/// its fractional coordinates f = H⁻¹(r − origin), wrapped along periodic axes by whole cell
/// vectors into [0, 1). A non-finite position is a tessera::error naming the particle.

#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <sstream>

namespace tessera::detail {

/// What to do with a fractional coordinate that wraps to 1 − ε and rounds up to 1: it is the
/// same point as 0 by periodicity. `keep_position`: r unchanged and f set to the largest double
/// below 1, so the particle is binned in the last bin, where r lies (the cell list: its bond
/// vectors stay bitwise those of the brute-force oracle); `move_position`: f = 0 and r moved by
/// one cell vector with it (the LENS half-shell stencil).
///
/// Setting f = 0 with r unchanged, as this once did for the cell list, put the particle a whole
/// cell vector from its bin and lost its bonds: an atom on a lower face whose f comes out as
/// −1e-17 after a small negative tilt is shifted by +1 cell vector and rounds to 1 (found on an
/// affinely sheared fcc lattice; tests/neighbors/query.cpp has it).
enum class roundup { keep_position, move_position };

template <class T>
void wrap_position(std::size_t i, vec3<T>& r, vec3<T>& f, const vec3<T>& origin, const mat3<T>& h,
                   const mat3<T>& h_inv, const std::array<bool, 3>& periodic, roundup on_roundup) {
    if (!is_finite(r)) {
        throw error("cell_list: particle ", i, " has a non-finite position (", r.x, ", ", r.y, ", ", r.z, ")");
    }
    f = h_inv * (r - origin);
    for (std::size_t d = 0; d < 3; ++d) {
        if (!periodic[d]) continue;
        const T m = std::floor(f[d]);
        if (m != T(0)) {
            r -= h.column(d) * m;
            f[d] -= m;
        }
        if (!(f[d] < T(1))) {
            if (on_roundup == roundup::move_position) {
                f[d] = T(0);
                r -= h.column(d);
            } else {
                f[d] = std::nextafter(T(1), T(0));
            }
        }
        if (f[d] < T(0)) f[d] = T(0);
    }
}

}  // namespace tessera::detail
