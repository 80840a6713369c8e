#pragma once
/// @file
/// Polar decomposition of a 3x3 matrix, F = R U, with U = sqrt(F^T F) symmetric positive
/// definite and R orthogonal, plus the rotation angle of R.
///
/// U comes from the symmetric eigen-decomposition F^T F = V diag(λ) V^T (core/vec.hpp, cyclic
/// Jacobi): U = V diag(√λ) V^T and R = F V diag(1/√λ) V^T. This is exact in exact arithmetic
/// for every non-singular F and accurate to a few ulps for the well-conditioned local
/// deformation gradients met per particle (atomic strain, D²min). det R = sign(det F): callers
/// that need a proper rotation check det F > 0 first.

#include <tessera/core/vec.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace tessera {

template <class T>
struct polar_decomposition {
    mat3<T> rotation;  ///< R (orthogonal)
    mat3<T> stretch;   ///< U = sqrt(F^T F) (symmetric, right stretch tensor)
    bool ok = false;   ///< false when F is singular to working precision (R, U then identity)
};

/// F = R U. Returns ok = false (R = U = I) when the smallest eigenvalue of F^T F is not above
/// `tolerance` times the largest.
template <class T>
polar_decomposition<T> polar(const mat3<T>& F, T tolerance = T(1e3) * std::numeric_limits<T>::epsilon()) noexcept {
    polar_decomposition<T> out{mat3<T>::identity(), mat3<T>::identity(), false};
    const symmetric_eigen<T> e = eigen_symmetric(transpose(F) * F);
    if (!(e.values[0] > tolerance * e.values[2]) || !(e.values[2] > T(0))) return out;
    mat3<T> u, u_inv;
    for (std::size_t r = 0; r < 3; ++r)
        for (std::size_t c = 0; c < 3; ++c) {
            T su = 0, si = 0;
            for (std::size_t k = 0; k < 3; ++k) {
                const T s = std::sqrt(e.values[k]);
                const T vv = e.vectors(r, k) * e.vectors(c, k);
                su += vv * s;
                si += vv / s;
            }
            u(r, c) = su;
            u_inv(r, c) = si;
        }
    out.rotation = F * u_inv;
    out.stretch = u;
    out.ok = true;
    return out;
}

/// Rotation angle θ ∈ [0, π] of a proper rotation R, from θ = atan2(|w|, (tr R − 1)/2) with w
/// the axial vector of (R − R^T)/2 (|w| = sin θ). Accurate for small angles, where
/// acos((tr R − 1)/2) would lose half the digits.
template <class T>
T rotation_angle(const mat3<T>& R) noexcept {
    const T wx = (R(2, 1) - R(1, 2)) / T(2);
    const T wy = (R(0, 2) - R(2, 0)) / T(2);
    const T wz = (R(1, 0) - R(0, 1)) / T(2);
    const T s = std::sqrt(wx * wx + wy * wy + wz * wz);
    const T c = (R(0, 0) + R(1, 1) + R(2, 2) - T(1)) / T(2);
    return std::atan2(s, c);
}

}  // namespace tessera
