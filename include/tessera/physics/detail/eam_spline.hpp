#pragma once
// Value and first two derivatives of one LAMMPS spline row (PairEAM::interpolate's 7
// coefficients: [3..6] the value cubic in p, [0..2] its derivative already divided by δ), shared
// by physics/shear_modulus.hpp and physics/hessian.hpp.
#include <array>

namespace tessera::detail {

/// Value and first two derivatives of a LAMMPS spline row at p ∈ [0, 1] (clamped: constant).
struct spline_value {
    double f, d1, d2;
};
inline spline_value eval_spline(const std::array<double, 7>& c, double p, bool clamped, double rdelta) noexcept {
    const double f = ((c[3] * p + c[4]) * p + c[5]) * p + c[6];
    if (clamped) return {f, 0.0, 0.0};
    return {f, (c[0] * p + c[1]) * p + c[2], (2.0 * c[0] * p + c[1]) * rdelta};
}

}  // namespace tessera::detail
