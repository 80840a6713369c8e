#pragma once
// A smooth two-type eam/fs-style potential tabulated from analytic functions, shared by the
// physics tests that take difference quotients (shear_modulus, hessian, relaxed_modulus): exact
// doubles, so the interpolant's f'' jumps at knots are only its O(δ² f⁗) interpolation error,
// not table rounding. A distinct ρ for each (i, j) order, Morse pairs, F = −E√(1+ρ) + cρ², all
// cut off by (1 − r/r_c)⁴ (C³ at r_c). Masses per type: 1 unless given.

#include <tessera/physics/eam.hpp>

#include <cmath>
#include <cstddef>
#include <utility>
#include <vector>

namespace tessera_test {

inline tessera::eam_potential smooth_eam(std::vector<double> masses = {1.0, 1.0}) {
    tessera::eam_tables t;
    t.nr = 5000;
    t.dr = 0.0015;
    t.nrho = 4000;
    t.drho = 0.005;
    t.rhomax = (t.nrho - 1) * t.drho;
    t.cutoff = 7.0;
    t.num_types = 2;
    const double rc = 7.0;
    const auto s = [&](double r) { return r < rc ? std::pow(1.0 - r / rc, 4) : 0.0; };
    const double amp[4] = {1.0, 0.7, 1.3, 0.9}, beta[4] = {2.0, 1.6, 2.4, 1.8};
    for (std::size_t k = 0; k < 4; ++k) {
        std::vector<double> f(std::size_t(t.nr));
        for (std::size_t m = 0; m < f.size(); ++m) {
            const double r = double(m) * t.dr;
            f[m] = amp[k] * std::exp(-beta[k] * (r - 2.5)) * s(r);
        }
        t.rhor.push_back(f);
    }
    const double D[3] = {0.3, 0.45, 0.6}, alpha[3] = {1.4, 1.3, 1.2}, r0[3] = {2.6, 2.9, 3.2};
    for (std::size_t k = 0; k < 3; ++k) {
        std::vector<double> f(std::size_t(t.nr));
        for (std::size_t m = 0; m < f.size(); ++m) {
            const double r = double(m) * t.dr, e = std::exp(-alpha[k] * (r - r0[k]));
            f[m] = r * D[k] * (e * e - 2.0 * e) * s(r);
        }
        t.z2r.push_back(f);
    }
    const double E[2] = {2.0, 3.0}, c2[2] = {0.01, 0.02};
    for (std::size_t k = 0; k < 2; ++k) {
        std::vector<double> f(std::size_t(t.nrho));
        for (std::size_t m = 0; m < f.size(); ++m) {
            const double rho = double(m) * t.drho;
            f[m] = -E[k] * std::sqrt(1.0 + rho) + c2[k] * rho * rho;
        }
        t.frho.push_back(f);
    }
    t.type2frho = {0, 1};
    t.type2rhor = {0, 1, 2, 3};
    t.type2z2r = {0, 1, 1, 2};
    t.masses = std::move(masses);
    return tessera::eam_potential(std::move(t));
}

}  // namespace tessera_test
