#pragma once
/// @file
/// FIRE 2.0 as LAMMPS 29 Sep 2021 runs it (src/min_fire.cpp, MinFire::iterate; J. Guénolé,
/// W.G. Nöhring, A. Vaid, F. Houllé, Z. Xie, A. Prakash, E. Bitzek, Comput. Mater. Sci. 175,
/// 109584 (2020)), step for step:
///
/// each step, P = v·f. If P > 0: mixing factors 1 − α and α|v|/|f| (0 if f·f <= 1e-20), and
/// after more than delaystep steps since the last P <= 0, dt = min(dt·dtgrow, dtmax) and
/// α *= alphashrink. Otherwise: remember the step; unless within the first delaystep steps
/// (initialdelay), α = α0 and dt *= dtshrink if that stays >= dtmin; stop after vdfmax
/// consecutive such steps; move back half a step x −= ½ dt v (halfstepback) and zero v.
/// After a reset, one extra counted evaluation gives the forces from which the step limit is
/// taken. The step dtv <= dt is cut so that no velocity component moves more than dmax. Then
/// the integrator (semi-implicit Euler by default: v += dtv f/m, v = (1−α)v + α|v| f̂, x += dtv v)
/// and one counted evaluation. etol is tested only more than delaystep steps after the last
/// reset; ftol on ‖f‖₂.
///
/// Sums have LAMMPS's association (per-atom v·f, then over atoms), velocities start at zero,
/// step counting starts at 0 for this call (LAMMPS counts from its current timestep, but only
/// differences enter).

#include <tessera/physics/detail/min_system.hpp>

#include <algorithm>
#include <cmath>
#include <span>

namespace tessera::detail {

template <class System>
stop_reason fire_iterate(System& s, std::span<vec3<double>> v, std::span<const int> types, const minimize_options& opt,
                         double& ecurrent, double& eprevious, std::size_t& niter) {
    const fire_options& p = opt.fire;
    const std::size_t n = s.x.size();
    const auto mass = [&](std::size_t i) { return p.masses.empty() ? 1.0 : p.masses[std::size_t(types[i] - 1)]; };
    const double eps_energy = 1.0e-8;

    double dt = p.timestep;
    const double dtmax = p.tmax * dt, dtmin = p.tmin * dt;
    double alpha = p.alpha0;
    std::size_t ntimestep = 0, last_negative = 0, vdotf_negatif = 0;
    const std::size_t ntimestep_start = 0;
    bool flagv0 = true;
    for (auto& vi : v) vi = {0.0, 0.0, 0.0};

    if (p.integrator == fire_integrator::leapfrog) {
        s.energy_force();
        ++s.neval;
        const double dtf = -0.5 * dt * p.ftm2v;
        for (std::size_t i = 0; i < n; ++i) {
            const double dtfm = dtf / mass(i);
            v[i] = {dtfm * s.f[i].x, dtfm * s.f[i].y, dtfm * s.f[i].z};
        }
    }

    for (std::size_t iter = 0; iter < opt.max_iterations; ++iter) {
        ntimestep = ++niter;
        double scale1 = 0.0, scale2 = 0.0;
        const double vdotfall = dot_atoms(v, s.f);
        if (vdotfall > 0.0) {
            const double vdotvall = dot_atoms(v, v);
            vdotf_negatif = 0;
            const double fdotfall = dot_atoms(s.f, s.f);
            scale1 = 1.0 - alpha;
            scale2 = fdotfall <= 1e-20 ? 0.0 : alpha * std::sqrt(vdotvall / fdotfall);
            if (ntimestep - last_negative > p.delaystep) {
                const double grown = dt * p.dtgrow;
                dt = grown < dtmax ? grown : dtmax;
                alpha *= p.alphashrink;
            }
        } else {
            last_negative = ntimestep;
            const bool delayflag = !(ntimestep - ntimestep_start < p.delaystep && p.initialdelay);
            if (delayflag) {
                alpha = p.alpha0;
                if (dt * p.dtshrink >= dtmin) dt *= p.dtshrink;
            }
            ++vdotf_negatif;
            if (p.vdfmax > 0 && vdotf_negatif > p.vdfmax) return stop_reason::max_vdotf_negative;
            if (p.halfstepback)
                for (std::size_t i = 0; i < n; ++i) {
                    s.x[i].x -= 0.5 * dt * v[i].x;
                    s.x[i].y -= 0.5 * dt * v[i].y;
                    s.x[i].z -= 0.5 * dt * v[i].z;
                }
            for (auto& vi : v) vi = {0.0, 0.0, 0.0};
            flagv0 = true;
        }

        if (flagv0) {  // velocities of one step from rest, only to limit the step below
            const double dtf = dt * p.ftm2v;
            s.energy_force();
            ++s.neval;
            for (std::size_t i = 0; i < n; ++i) {
                const double dtfm = dtf / mass(i);
                v[i] = {dtfm * s.f[i].x, dtfm * s.f[i].y, dtfm * s.f[i].z};
            }
        }
        double dtv = dt;
        for (std::size_t i = 0; i < n; ++i) {
            double vmax = std::max(std::fabs(v[i].x), std::fabs(v[i].y));
            vmax = std::max(vmax, std::fabs(v[i].z));
            if (dtv * vmax > opt.dmax) dtv = opt.dmax / vmax;
        }
        if (flagv0)
            for (auto& vi : v) vi = {0.0, 0.0, 0.0};

        const bool mix = vdotfall > 0.0;
        const auto mix_velocity = [&](std::size_t i) {
            if (!mix) return;
            v[i].x = scale1 * v[i].x + scale2 * s.f[i].x;
            v[i].y = scale1 * v[i].y + scale2 * s.f[i].y;
            v[i].z = scale1 * v[i].z + scale2 * s.f[i].z;
        };
        const auto kick = [&](std::size_t i, double dtf) {
            const double dtfm = dtf / mass(i);
            v[i].x += dtfm * s.f[i].x;
            v[i].y += dtfm * s.f[i].y;
            v[i].z += dtfm * s.f[i].z;
        };
        const auto drift = [&](std::size_t i) {
            s.x[i].x += dtv * v[i].x;
            s.x[i].y += dtv * v[i].y;
            s.x[i].z += dtv * v[i].z;
        };
        switch (p.integrator) {
            case fire_integrator::euler_implicit:
            case fire_integrator::leapfrog: {
                const double dtf = dtv * p.ftm2v;
                for (std::size_t i = 0; i < n; ++i) {
                    kick(i, dtf);
                    mix_velocity(i);
                    drift(i);
                }
                eprevious = ecurrent;
                ecurrent = s.energy_force();
                ++s.neval;
                break;
            }
            case fire_integrator::verlet: {
                const double dtf = 0.5 * dtv * p.ftm2v;
                for (std::size_t i = 0; i < n; ++i) {
                    kick(i, dtf);
                    mix_velocity(i);
                    drift(i);
                }
                eprevious = ecurrent;
                ecurrent = s.energy_force();
                ++s.neval;
                for (std::size_t i = 0; i < n; ++i) kick(i, dtf);
                break;
            }
            case fire_integrator::euler_explicit: {
                const double dtf = dtv * p.ftm2v;
                for (std::size_t i = 0; i < n; ++i) {
                    mix_velocity(i);
                    drift(i);
                    kick(i, dtf);
                }
                eprevious = ecurrent;
                ecurrent = s.energy_force();
                ++s.neval;
                break;
            }
        }
        flagv0 = false;

        if (opt.etol > 0.0 && ntimestep - last_negative > p.delaystep &&
            std::fabs(ecurrent - eprevious) <
                opt.etol * 0.5 * (std::fabs(ecurrent) + std::fabs(eprevious) + eps_energy))
            return stop_reason::energy_tolerance;
        if (opt.ftol > 0.0 && s.fnorm_sqr() < opt.ftol * opt.ftol) return stop_reason::force_tolerance;
    }
    return stop_reason::max_iterations;
}

}  // namespace tessera::detail
