#pragma once
/// @file
/// Optimal superposition of a template onto a neighbourhood for polyhedral template matching:
/// the rotation R and scale s minimising
/// \f[ \mathrm{RMSD}^2 = \min_{R \in SO(3),\,s} \frac{1}{N+1} \sum_{k=0}^{N} \lVert R\,t_k - s\,\tilde x_k \rVert^2 \f]
/// over the template points t_k (barycentre 0) and the neighbourhood points x̃_k in the same
/// order, minus their barycentre (centre included) — Larsen, Schmidt & Schiøtz (2016), eq. for
/// the scale-invariant RMSD; the scale multiplies the input, so the RMSD is in template units
/// (mean neighbour distance 1) and comparable across structures and materials.
///
/// With k₀ = max_R Σ (R t_k)·x̃_k, G₁ = Σ|t_k|², G₂ = Σ|x̃_k|²: s = k₀ / G₂ and
/// RMSD = √((G₁ − s k₀) / (N+1)) (evaluated as the explicit residual, see below). k₀ and R are the largest eigenvalue and its eigenvector
/// (a unit quaternion) of Horn's symmetric 4×4 matrix of the cross-covariance
/// S_ab = Σ t_k[a] x̃_k[b] (Horn, J. Opt. Soc. Am. A 4, 629 (1987)); the reference
/// implementation solves the same eigenproblem by Newton iteration on its characteristic
/// polynomial (QCP, Theobald 2005). Here Eigen's self-adjoint solver (tridiagonal QL), which is
/// accurate for every input including the degenerate ones where QCP's eigenvector fails.

#include <tessera/core/vec.hpp>
#include <tessera/descriptors/detail/ptm_templates.hpp>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <Eigen/LU>

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace tessera::detail {

struct ptm_superposition {
    double rmsd = 0;
    double scale = 0;        ///< s: template units per input length unit
    quaternion rotation;     ///< R: template frame → input frame
};

/// The cross-covariance S_ab = Σ t_k[a] x_k[b].
using ptm_covariance = double[3][3];
inline void cross_covariance(const vec3<double>* t, const vec3<double>* x, std::size_t n, ptm_covariance& S) noexcept {
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) S[a][b] = 0;
    for (std::size_t k = 0; k < n; ++k) {
        const double ta[3] = {t[k].x, t[k].y, t[k].z}, xb[3] = {x[k].x, x[k].y, x[k].z};
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) S[a][b] += ta[a] * xb[b];
    }
}

/// Horn's symmetric 4×4 matrix of the cross-covariance S.
inline Eigen::Matrix4d horn_matrix(const ptm_covariance& S) noexcept {
    const double xx = S[0][0], xy = S[0][1], xz = S[0][2], yx = S[1][0], yy = S[1][1], yz = S[1][2], zx = S[2][0],
                 zy = S[2][1], zz = S[2][2];
    Eigen::Matrix4d N;
    N << xx + yy + zz, yz - zy, zx - xz, xy - yx,  //
        yz - zy, xx - yy - zz, xy + yx, zx + xz,   //
        zx - xz, xy + yx, -xx + yy - zz, yz + zy,  //
        xy - yx, zx + xz, yz + zy, -xx - yy + zz;
    return N;
}

/// The largest eigenvalue k₀ of Horn's matrix for the cross-covariance S, by Newton's method on
/// its characteristic polynomial λ⁴ + c₂λ² + c₁λ + c₀ (c₂ = −2 Σ S_ab², c₁ = −8 det S, c₀ = det N;
/// the QCP method of Theobald, Acta Cryst. A 61, 478 (2005)), from the upper bound √(G₁G₂)
/// (Cauchy–Schwarz), which Newton's iteration on this polynomial approaches monotonically from
/// above. ~10× cheaper than a full 4×4 eigensolver; used to rank candidates only.
inline double horn_max_eigenvalue(const ptm_covariance& S, double g1, double g2) noexcept {
    double c2 = 0;
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) c2 += S[a][b] * S[a][b];
    c2 *= -2;
    const double detS = S[0][0] * (S[1][1] * S[2][2] - S[1][2] * S[2][1]) - S[0][1] * (S[1][0] * S[2][2] - S[1][2] * S[2][0]) +
                        S[0][2] * (S[1][0] * S[2][1] - S[1][1] * S[2][0]);
    const double c1 = -8 * detS;
    const double c0 = horn_matrix(S).determinant();  // Eigen's fixed-size 4×4 cofactor formula
    double lambda = std::sqrt(g1 * g2);
    for (int it = 0; it < 50; ++it) {
        const double l2 = lambda * lambda;
        const double p = (l2 + c2) * l2 + c1 * lambda + c0;
        const double dp = 2 * (2 * l2 + c2) * lambda + c1;
        if (!(dp != 0)) break;
        const double step = p / dp;
        lambda -= step;
        if (std::abs(step) <= 1e-11 * std::abs(lambda)) break;
    }
    return lambda;
}

/// The squared RMSD of the optimal superposition from the eigenvalue alone, (G₁ − k₀²/G₂)/n: to
/// rank candidate correspondences (the winner's RMSD is then evaluated term by term).
inline double superposed_rmsd2(const vec3<double>* t, const vec3<double>* x, std::size_t n, double g1,
                               double g2) noexcept {
    ptm_covariance S;
    cross_covariance(t, x, n, S);
    const double k0 = horn_max_eigenvalue(S, g1, g2);
    return (g1 - (g2 > 0 ? k0 * k0 / g2 : 0)) / double(n);
}

/// t[0..n) and x[0..n) in corresponding order; x already minus its barycentre, t with
/// barycentre 0; g2 = Σ|x|².
inline ptm_superposition superpose(const vec3<double>* t, const vec3<double>* x, std::size_t n, double g2) noexcept {
    ptm_covariance S;
    cross_covariance(t, x, n, S);
    const Eigen::Matrix4d N = horn_matrix(S);
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix4d> eig(N);
    const double k0 = eig.eigenvalues()[3];
    const Eigen::Vector4d v = eig.eigenvectors().col(3);
    ptm_superposition r;
    r.scale = g2 > 0 ? k0 / g2 : 0;
    const double sign = v[0] < 0 ? -1.0 : 1.0;
    r.rotation = {sign * v[0], sign * v[1], sign * v[2], sign * v[3]};
    // The residual summed term by term rather than as G1 − s k0: the difference of two O(1)
    // numbers leaves ~1e-16 of rounding, whose square root (1e-8) would hide a perfect match.
    const mat3<double> R = rotation_matrix(r.rotation);
    double residual = 0;
    for (std::size_t k = 0; k < n; ++k) residual += norm2(R * t[k] - x[k] * r.scale);
    r.rmsd = std::sqrt(residual / double(n));
    return r;
}

}  // namespace tessera::detail
