#pragma once
/// @file
/// Energy minimisation of a configuration as LAMMPS's `minimize etol ftol maxiter maxeval`
/// does it (29 Sep 2021 sources: src/min.cpp, min_linesearch.cpp, min_sd.cpp, min_cg.cpp,
/// min_fire.cpp), for any `potential` and any box, moving the caller's positions in place.
///
///     tessera::minimize_options opt;                 // cg, quadratic line search, dmax 0.1
///     opt.etol = 0.0; opt.ftol = 1e-10; opt.normalize_energy = true;   // lj units
///     auto r = tessera::minimize(lj, positions, types, box, opt);
///     if (!r.converged()) report(r.message());       // "max iterations", "linesearch alpha is zero", ...
///
/// Styles (options in minimize_options.hpp):
/// - **cg**: Polak–Ribière, h ← f + β h with β = max(0, (f·f − f·g)/(g·g)), g the previous
///   force; β = 0 every nlimit = min(2³¹−1, 3N) iterations ((iter+1) % nlimit == 0) and h ← f
///   whenever the new h is not downhill (f·h <= 0). Line search per detail/line_search.hpp.
/// - **sd**: h ← f, the same line search.
/// - **fire**: detail/fire.hpp.
/// Stop tests, in LAMMPS's order after each iteration: line-search failure (its reason),
/// evaluations >= max_evaluations, |E − E_prev| < etol·½(|E| + |E_prev| + EPS_ENERGY = 1e-8),
/// ‖f‖₂² < ftol² (tested only for ftol > 0), and after max_iterations "max iterations" — a run
/// that did not converge says so in the result, it is never hidden. Energies in these tests
/// are per atom with `normalize_energy` (LAMMPS's `thermo_modify norm yes`, default in lj
/// units); the result always reports total energies.
///
/// Not LAMMPS, off by default: `fire_fallback` continues a sd/cg run that stopped on a line-search
/// failure above ftol with FIRE (minimize_options.hpp says why frozen-atom analysis needs it).
///
/// Frozen atoms (`frozen[i] != 0`) get zero force after every evaluation — LAMMPS's
/// `fix setforce 0 0 0` on a group — so they never move, but they still act on the others
/// (and enter E and 3N as in LAMMPS). The box is fixed (no `fix box/relax`).
///
/// Deliberate differences: positions are not wrapped back into a periodic box (LAMMPS remaps at
/// each reneighbouring, adding a rounding of the coordinate; tessera's neighbour list reads
/// unwrapped positions), and LAMMPS sums forces over half lists in its own atom order, so the
/// two runs agree to rounding at first; over hundreds of CG iterations these ulps can grow, so
/// iteration counts match LAMMPS for runs where the path is not chaotic (see the tests). No
/// allocation per iteration: working vectors are allocated once; the neighbour list reallocates
/// only when it is rebuilt (an atom moved more than skin/2).

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/physics/detail/fire.hpp>
#include <tessera/physics/detail/line_search.hpp>
#include <tessera/physics/detail/min_system.hpp>
#include <tessera/physics/minimize_options.hpp>
#include <tessera/physics/potential.hpp>

#include <climits>
#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace tessera {

namespace detail {

inline void check_minimize_arguments(std::span<const vec3<double>> x, std::span<const int> types,
                                     std::span<const unsigned char> frozen, const minimize_options& o,
                                     std::size_t num_types) {
    const char* who = "tessera::minimize";
    if (types.size() != x.size()) throw error(who, ": ", types.size(), " types for ", x.size(), " atoms");
    if (!frozen.empty() && frozen.size() != x.size())
        throw error(who, ": frozen mask has ", frozen.size(), " entries for ", x.size(), " atoms");
    for (std::size_t i = 0; i < x.size(); ++i)
        if (!std::isfinite(x[i].x) || !std::isfinite(x[i].y) || !std::isfinite(x[i].z))
            throw error(who, ": atom ", i, " has a non-finite position");
    if (!(o.etol >= 0) || !(o.ftol >= 0) || !std::isfinite(o.etol) || !std::isfinite(o.ftol))
        throw error(who, ": etol and ftol must be >= 0 and finite, got ", o.etol, " and ", o.ftol);
    if (!(o.dmax > 0) || !std::isfinite(o.dmax)) throw error(who, ": dmax must be > 0, got ", o.dmax);
    if (o.style == min_style::fire) {
        const fire_options& p = o.fire;
        // MinFire::init's checks, plus what would make the dynamics meaningless.
        if (p.tmax < p.tmin) throw error(who, ": FIRE tmax (", p.tmax, ") has to be larger than tmin (", p.tmin, ")");
        if (p.dtgrow < 1.0) throw error(who, ": FIRE dtgrow has to be larger than 1.0, got ", p.dtgrow);
        if (p.dtshrink > 1.0) throw error(who, ": FIRE dtshrink has to be smaller than 1.0, got ", p.dtshrink);
        if (!(p.timestep > 0) || !std::isfinite(p.timestep)) throw error(who, ": FIRE timestep must be > 0");
        if (!(p.ftm2v > 0) || !std::isfinite(p.ftm2v)) throw error(who, ": FIRE ftm2v must be > 0");
        if (!p.masses.empty()) {
            if (p.masses.size() < num_types)
                throw error(who, ": ", p.masses.size(), " masses for ", num_types, " types");
            for (std::size_t t = 0; t < p.masses.size(); ++t)
                if (!(p.masses[t] > 0) || !std::isfinite(p.masses[t]))
                    throw error(who, ": mass of type ", t + 1, " must be > 0, got ", p.masses[t]);
        }
    }
}

/// MinLineSearch-based iterate() of min_sd.cpp and min_cg.cpp.
template <class System>
stop_reason linesearch_iterate(System& s, const minimize_options& o, std::span<vec3<double>> x0,
                               std::span<vec3<double>> g, std::span<vec3<double>> h, double& ecurrent,
                               double& eprevious, std::size_t& niter) {
    constexpr double eps_energy = 1.0e-8;
    const bool cg = o.style == min_style::cg;
    const std::size_t ndoftotal = 3 * s.x.size();
    const std::size_t nlimit = ndoftotal < std::size_t(INT_MAX) ? ndoftotal : std::size_t(INT_MAX);
    for (std::size_t i = 0; i < s.f.size(); ++i) h[i] = g[i] = s.f[i];
    double gg = s.fnorm_sqr();

    for (std::size_t iter = 0; iter < o.max_iterations; ++iter) {
        ++niter;
        eprevious = ecurrent;
        const std::optional<stop_reason> fail =
            o.line_search == line_search_style::quadratic
                ? linemin_quadratic(s, x0, std::span<const vec3<double>>(h), o.dmax, ecurrent, ecurrent)
                : linemin_backtrack(s, x0, std::span<const vec3<double>>(h), o.dmax, ecurrent, ecurrent);
        if (fail) return *fail;
        if (s.neval >= o.max_evaluations) return stop_reason::max_evaluations;
        if (std::fabs(ecurrent - eprevious) <
            o.etol * 0.5 * (std::fabs(ecurrent) + std::fabs(eprevious) + eps_energy))
            return stop_reason::energy_tolerance;

        if (!cg) {
            if (o.ftol > 0.0 && s.fnorm_sqr() < o.ftol * o.ftol) return stop_reason::force_tolerance;
            for (std::size_t i = 0; i < s.f.size(); ++i) h[i] = s.f[i];
            continue;
        }
        double ff = 0.0, fg = 0.0;
        for (std::size_t i = 0; i < s.f.size(); ++i)
            for (std::size_t d = 0; d < 3; ++d) {
                ff += s.f[i][d] * s.f[i][d];
                fg += s.f[i][d] * g[i][d];
            }
        if (o.ftol > 0.0 && ff < o.ftol * o.ftol) return stop_reason::force_tolerance;

        const double ratio = (ff - fg) / gg;
        double beta = 0.0 > ratio ? 0.0 : ratio;  // LAMMPS's MAX(0.0, ratio)
        if ((niter + 1) % nlimit == 0) beta = 0.0;
        gg = ff;
        for (std::size_t i = 0; i < s.f.size(); ++i)
            for (std::size_t d = 0; d < 3; ++d) {
                g[i][d] = s.f[i][d];
                h[i][d] = g[i][d] + beta * h[i][d];
            }
        if (dot3n(g, h) <= 0.0)
            for (std::size_t i = 0; i < s.f.size(); ++i) h[i] = g[i];
    }
    return stop_reason::max_iterations;
}

}  // namespace detail

/// Minimises the potential energy over `positions` (moved in place) with LAMMPS's algorithms.
/// `types[i]` in 1..pot.num_types(); `frozen` empty or one flag per atom; the box stays fixed.
/// Throws tessera::error on bad arguments (sizes, non-finite positions, invalid options) and
/// whatever the potential throws (overlapping atoms); a run that does not converge returns
/// normally with `reason` saying why.
template <potential P, box B>
minimize_result minimize(const P& pot, std::span<vec3<double>> positions, std::span<const int> types, const B& bx,
                         const minimize_options& options = {}, std::span<const unsigned char> frozen = {}) {
    detail::check_minimize_arguments(positions, types, frozen, options, pot.num_types());
    minimize_result r;
    if (positions.empty()) {
        r.reason = stop_reason::zero_force;
        return r;
    }
    detail::min_system<P, B> s(pot, positions, types, bx, frozen, options);
    double ecurrent = s.energy_force();  // Min::setup: not counted
    double eprevious = ecurrent;
    r.initial_energy = s.raw_energy;
    r.initial_force_norm = std::sqrt(s.fnorm_sqr());
    r.initial_force_max = s.fnorm_inf();

    std::size_t niter = 0;
    const std::size_t n = positions.size();
    if (options.style == min_style::fire) {
        std::vector<vec3<double>> v(n);
        r.reason = detail::fire_iterate(s, std::span<vec3<double>>(v), types, options, ecurrent, eprevious, niter);
    } else {
        std::vector<vec3<double>> x0(n), g(n), h(n);
        r.reason = detail::linesearch_iterate(s, options, x0, g, h, ecurrent, eprevious, niter);
        const bool line_search_failed = r.reason == stop_reason::zero_alpha || r.reason == stop_reason::not_downhill ||
                                        r.reason == stop_reason::zero_quadratic;
        if (options.fire_fallback && line_search_failed && options.ftol > 0 &&
            s.fnorm_sqr() >= options.ftol * options.ftol) {
            r.line_search_reason = r.reason;
            const std::size_t before = niter;
            std::vector<vec3<double>> v(n);
            r.reason = detail::fire_iterate(s, std::span<vec3<double>>(v), types, options, ecurrent, eprevious, niter);
            r.fallback_iterations = niter - before;
        }
    }
    // The last evaluation is always of the final positions (a failed line search restores x0
    // with one more evaluation), so LAMMPS's extra energy_force() in Min::run is not needed.
    r.final_energy = s.raw_energy;
    r.iterations = niter;
    r.evaluations = s.neval;
    r.final_force_norm = std::sqrt(s.fnorm_sqr());
    r.final_force_max = s.fnorm_inf();
    r.neighbor_rebuilds = s.rebuilds();
    return r;
}

}  // namespace tessera
