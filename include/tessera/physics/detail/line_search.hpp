#pragma once
/// @file
/// LAMMPS's line minimisations along a search direction h (src/min_linesearch.cpp,
/// MinLineSearch::linemin_quadratic and linemin_backtrack), step for step.
///
/// Both start from x0 = x with energy E0 and slope f·h (> 0, else "search direction is not
/// downhill"; f·h and the energies are per atom when normalised), take alpha_max =
/// min(ALPHA_MAX = 1, dmax / max|h_k|) (no coordinate moves more than dmax; all h = 0 is
/// "forces are zero"), and evaluate x0 + α h for α = alpha_max, α/2, α/4, ... (ALPHA_REDUCE 0.5).
/// Backtracking accepts the first α with E − E0 <= −BACKTRACK_SLOPE·α·(f·h) (slope 0.4).
/// Quadratic (Dennis & Schnabel) additionally, at each α, computes the new f·h and, when the
/// energy change agrees with the trapezoid of the slopes to
///     relerr = |1 − (½ (α − α_prev)(fh + fh_prev) + E) / E_prev| <= QUADRATIC_TOL = 0.1,
/// jumps to the secant root α₀ = α − (α − α_prev) fh / (fh − fh_prev) when 0 < α₀ < alpha_max,
/// accepting it if E(α₀) − E0 < EMACH = 1e-8. |fh| or |Δfh| below EPS_QUAD = 1e-28 restores x0
/// ("quadratic factors are zero"); α <= 0 or a demanded decrease smaller than EMACH restores x0
/// ("linesearch alpha is zero"; backtracking returns "energy tolerance" instead when the
/// energy had decreased). LAMMPS's quirk is kept: after a rejected secant step the positions,
/// energy and E_prev are those of α₀, while fh_prev is that of α.

#include <tessera/physics/detail/min_system.hpp>

#include <algorithm>
#include <cmath>
#include <optional>
#include <span>

namespace tessera::detail {

struct line_search_constants {
    static constexpr double alpha_max = 1.0;
    static constexpr double alpha_reduce = 0.5;
    static constexpr double backtrack_slope = 0.4;
    static constexpr double quadratic_tol = 0.1;
    static constexpr double emach = 1.0e-8;
    static constexpr double eps_quad = 1.0e-28;
};

/// x = x0 + α h (x0 itself for α <= 0), then one counted evaluation (MinLineSearch::alpha_step).
template <class System>
double alpha_step(System& s, std::span<const vec3<double>> x0, std::span<const vec3<double>> h, double alpha) {
    for (std::size_t i = 0; i < s.x.size(); ++i) s.x[i] = x0[i];
    if (alpha > 0.0)
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            s.x[i].x += alpha * h[i].x;
            s.x[i].y += alpha * h[i].y;
            s.x[i].z += alpha * h[i].z;
        }
    ++s.neval;
    return s.energy_force();
}

/// Shared start: slope, alpha_max, x0 := x. Returns a failure, or nothing and sets fdoth, alphamax.
template <class System>
std::optional<stop_reason> line_search_start(System& s, std::span<vec3<double>> x0, std::span<const vec3<double>> h,
                                             double dmax, double& fdoth, double& alphamax) {
    fdoth = s.scaled(dot3n(s.f, h));
    if (fdoth <= 0.0) return stop_reason::not_downhill;
    double hmax = 0.0;
    for (const auto& v : h) hmax = std::max({hmax, std::abs(v.x), std::abs(v.y), std::abs(v.z)});
    const double ratio = dmax / hmax;
    alphamax = line_search_constants::alpha_max < ratio ? line_search_constants::alpha_max : ratio;
    if (hmax == 0.0) return stop_reason::zero_force;
    for (std::size_t i = 0; i < s.x.size(); ++i) x0[i] = s.x[i];
    return std::nullopt;
}

/// linemin_quadratic. On success (nullopt) x, f and `ecurrent` are those of the accepted point.
template <class System>
std::optional<stop_reason> linemin_quadratic(System& s, std::span<vec3<double>> x0, std::span<const vec3<double>> h,
                                             double dmax, double eoriginal, double& ecurrent) {
    using c = line_search_constants;
    double fdothall = 0, alphamax = 0;
    if (auto fail = line_search_start(s, x0, h, dmax, fdothall, alphamax)) return fail;
    double alpha = alphamax, fhprev = fdothall, engprev = eoriginal, alphaprev = 0.0;
    while (true) {
        ecurrent = alpha_step(s, x0, h, alpha);
        double ff = 0.0, fh = 0.0;
        for (std::size_t i = 0; i < s.f.size(); ++i)
            for (std::size_t d = 0; d < 3; ++d) {
                ff += s.f[i][d] * s.f[i][d];
                fh += s.f[i][d] * h[i][d];
            }
        ff = s.scaled(ff);  // computed by LAMMPS too, unused by the decision
        (void)ff;
        fh = s.scaled(fh);
        const double delfh = fh - fhprev;
        if (std::fabs(fh) < c::eps_quad || std::fabs(delfh) < c::eps_quad) {
            ecurrent = alpha_step(s, x0, h, 0.0);
            return stop_reason::zero_quadratic;
        }
        const double relerr = std::fabs(1.0 - (0.5 * (alpha - alphaprev) * (fh + fhprev) + ecurrent) / engprev);
        const double alpha0 = alpha - (alpha - alphaprev) * fh / delfh;
        if (relerr <= c::quadratic_tol && alpha0 > 0.0 && alpha0 < alphamax) {
            ecurrent = alpha_step(s, x0, h, alpha0);
            if (ecurrent - eoriginal < c::emach) return std::nullopt;
        }
        const double de_ideal = -c::backtrack_slope * alpha * fdothall;
        const double de = ecurrent - eoriginal;
        if (de <= de_ideal) return std::nullopt;
        fhprev = fh;
        engprev = ecurrent;
        alphaprev = alpha;
        alpha *= c::alpha_reduce;
        if (alpha <= 0.0 || de_ideal >= -c::emach) {
            ecurrent = alpha_step(s, x0, h, 0.0);
            return stop_reason::zero_alpha;
        }
    }
}

/// linemin_backtrack (Nocedal & Wright, procedure 3.1).
template <class System>
std::optional<stop_reason> linemin_backtrack(System& s, std::span<vec3<double>> x0, std::span<const vec3<double>> h,
                                             double dmax, double eoriginal, double& ecurrent) {
    using c = line_search_constants;
    double fdothall = 0, alpha = 0;
    if (auto fail = line_search_start(s, x0, h, dmax, fdothall, alpha)) return fail;
    while (true) {
        ecurrent = alpha_step(s, x0, h, alpha);
        const double de_ideal = -c::backtrack_slope * alpha * fdothall;
        const double de = ecurrent - eoriginal;
        if (de <= de_ideal) return std::nullopt;
        alpha *= c::alpha_reduce;
        if (alpha <= 0.0 || de_ideal >= -c::emach) {
            ecurrent = alpha_step(s, x0, h, 0.0);
            return de < 0.0 ? stop_reason::energy_tolerance : stop_reason::zero_alpha;
        }
    }
}

}  // namespace tessera::detail
