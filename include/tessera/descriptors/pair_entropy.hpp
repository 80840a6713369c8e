#pragma once
/// @file
/// Per-atom two-body excess entropy (Piaggi & Parrinello, J. Chem. Phys. 147, 114112 (2017);
/// Yang et al. 2021, "Machine-learning integrated glassy defect …", Eq. 2):
/// \f[ s_i = -2\pi\rho \int_0^{r_c} \big[g_i(r)\ln g_i(r) - g_i(r) + 1\big]\, r^2\, dr, \qquad
///     g_i(r) = \frac{1}{4\pi\rho r^2} \sum_{j:\ r_{ij} < r_c} \frac{1}{\sqrt{2\pi}\sigma}
///              e^{-(r - r_{ij})^2 / (2\sigma^2)}. \f]
///
/// Quadrature exactly as LAMMPS `compute entropy/atom sigma cutoff` (EXTRA-COMPUTE,
/// compute_entropy_atom.cpp), so results agree to rounding:
/// - grid r_k = kσ, k = 0 … n_bin − 1 with n_bin = ⌊r_c/σ⌋ + 1;
/// - each neighbour adds its Gaussian only to the bins ⌊r_ij/σ⌋ ± 3 (clipped to the grid);
/// - where g_i(r_k) < 10⁻¹⁰ the integrand is r_k² (the g → 0 limit of g ln g − g + 1 = 1);
/// - trapezoid rule with step σ;
/// - ρ is the global number density N/V (`density`), or with `local_radius` = R > 0 the local
///   density (neighbours within R)/(4πR³/3) — LAMMPS's `local yes` uses its neighbour-list
///   radius (pair cutoff + skin) as R.
/// One deliberate difference: the k = 0 bin (r = 0) contributes 0; LAMMPS divides by r_0² = 0
/// there and returns NaN if a neighbour is closer than 4σ.
///
/// `partial = true` gives Eq. 2 of Yang et al. literally: a sum over neighbour types v of the
/// same expression with g_i^v normalised by ρ_v = ρ N_v/N (type fractions from all particles).
///
/// Several cutoffs at once (Yang et al. use r_c = 3 … 15 Å, step 0.5): columns `entropy_<k>`;
/// a single cutoff gives column `entropy`.

#include <tessera/core/error.hpp>
#include <tessera/pipeline/descriptor.hpp>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

namespace tessera {

struct pair_entropy {
    static constexpr neighbor_need need = neighbor_need::ball;

    double sigma = 0.2;             ///< Gaussian smearing width (also the grid step)
    std::vector<double> cutoffs;    ///< integration limits r_c
    double density = 0;             ///< global number density N/V (required unless local)
    double local_radius = 0;        ///< > 0: local density within this radius instead
    bool partial = false;           ///< sum over neighbour types with partial densities

    std::vector<std::string> columns(const particle_properties&) const {
        if (cutoffs.size() == 1) return {"entropy"};
        std::vector<std::string> names;
        for (std::size_t k = 0; k < cutoffs.size(); ++k) names.push_back("entropy_" + std::to_string(k));
        return names;
    }

    void prepare(const neighbor_stage_info& stage, const particle_properties& p) const {
        std::ostringstream os;
        const double rmax = cutoffs.empty() ? 0.0 : *std::max_element(cutoffs.begin(), cutoffs.end());
        if (!(sigma > 0) || !std::isfinite(sigma)) os << "pair_entropy: sigma must be positive, got " << sigma;
        else if (cutoffs.empty()) os << "pair_entropy: give at least one cutoff";
        else if (*std::min_element(cutoffs.begin(), cutoffs.end()) <= 0) os << "pair_entropy: cutoffs must be positive";
        else if (std::max(rmax, local_radius) > stage.radius)
            os << "pair_entropy: cutoff " << std::max(rmax, local_radius) << " exceeds the neighbour radius "
               << stage.radius;
        else if (local_radius <= 0 && !(density > 0)) os << "pair_entropy: needs the number density N/V (or a local radius)";
        if (!os.str().empty()) throw error(os.str());
        fractions_.assign(1, 1.0);
        if (partial) {
            if (p.types.empty()) throw error("pair_entropy: partial = true needs particle types");
            fractions_.assign(std::size_t(p.num_types) + 1, 0.0);
            for (int t : p.types) fractions_[std::size_t(t)] += 1.0;
            for (int t = 1; t <= p.num_types; ++t) fractions_[std::size_t(t)] /= double(p.types.size());
        }
    }

    template <class T>
    void compute(const particle_row<T>& row, output_row<T> out) const {
        thread_local std::vector<double> gofr;
        double rho = density;
        if (local_radius > 0) {
            std::size_t count = 0;
            const double r2 = local_radius * local_radius;
            for (const T d2 : row.distances2)
                if (double(d2) < r2) ++count;
            rho = double(count) / (4.0 / 3.0 * std::numbers::pi * local_radius * local_radius * local_radius);
        }
        const int ntv = partial ? int(fractions_.size()) - 1 : 0;
        for (std::size_t c = 0; c < cutoffs.size(); ++c) {
            const double rc = cutoffs[c];
            const int nbin = static_cast<int>(rc / sigma) + 1;
            double s = 0;
            for (int v = partial ? 1 : 0; v <= ntv; ++v) {
                const double rho_v = partial ? rho * fractions_[std::size_t(v)] : rho;
                if (!(rho_v > 0)) continue;
                gofr.assign(std::size_t(nbin), 0.0);
                accumulate(row, rc, nbin, rho_v, partial ? v : 0, gofr);
                s += -2 * std::numbers::pi * rho_v * integrate(gofr, nbin);
            }
            out[c] = T(s);
        }
    }

    /// Internal: type fractions N_v/N, filled by prepare() (public only to keep this an aggregate).
    mutable std::vector<double> fractions_{};

private:

    template <class T>
    void accumulate(const particle_row<T>& row, double rc, int nbin, double rho, int type, std::vector<double>& gofr) const {
        constexpr int deltabin = 3;
        const double deltar = sigma;
        const double sigmasq2 = 2 * sigma * sigma;
        double norm_base = 4 * std::numbers::pi * rho;
        norm_base *= std::sqrt(2. * std::numbers::pi) * sigma;
        const double inv_norm_base = 1. / norm_base;
        const double cutsq = rc * rc;
        for (std::size_t k = 0; k < row.size(); ++k) {
            const double rsq = double(row.distances2[k]);
            if (!(rsq < cutsq)) continue;
            if (type && row.neighbor_type(k) != type) continue;
            const double r = std::sqrt(rsq);
            const int bin = static_cast<int>(std::floor(r / deltar));
            const int minbin = std::min(std::max(bin - deltabin, 0), nbin - 1);
            const int maxbin = std::min(bin + deltabin, nbin - 1);
            for (int b = std::max(minbin, 1); b <= maxbin; ++b) {  // b = 0: r² = 0, see file comment
                const double rb = b * deltar;
                const double inv_norm_kernel = inv_norm_base / (rb * rb);
                const double distance = r - rb;
                gofr[std::size_t(b)] += inv_norm_kernel * std::exp(-distance * distance / sigmasq2);
            }
        }
    }

    double integrate(const std::vector<double>& gofr, int nbin) const {
        auto integrand = [&](int k) {
            const double rb = k * sigma;
            const double rbsq = rb * rb;
            const double g = gofr[std::size_t(k)];
            return g < 1.e-10 ? rbsq : (g * std::log(g) - g + 1) * rbsq;
        };
        double value = 0.;
        for (int k = 1; k < nbin - 1; ++k) value += integrand(k);
        value += 0.5 * integrand(0);
        value += 0.5 * integrand(nbin - 1);
        return value * sigma;
    }
};

}  // namespace tessera
