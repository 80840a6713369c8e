#pragma once
/// @file
/// Local radial distribution function of each particle (Piaggi & Parrinello, J. Chem. Phys. 147,
/// 114112 (2017)), smoothed by Gaussians of width σ, on a grid r_0 … r_{m−1} (r_k > 0):
/// \f[ g_i(r_k) = \frac{1}{4\pi\rho\, r_k^2 \sqrt{2\pi}\,\sigma}
///     \sum_{j:\ r_{ij} < r_c} \exp\!\left(-\frac{(r_k - r_{ij})^2}{2\sigma^2}\right), \f]
/// ρ the number density (N/V of the frame). The per-particle form of the quantity pair_entropy
/// integrates (stats/rdf.hpp, local_rdf). Columns `gloc_0` … `gloc_<m−1>`. Neighbours: a ball of
/// `cutoff` (choose r_c ≥ r_{m−1} + 3σ so no Gaussian that reaches the grid is cut).

#include <tessera/core/error.hpp>
#include <tessera/descriptors/descriptor.hpp>
#include <tessera/stats/rdf.hpp>

#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace tessera {

struct local_rdf_descriptor {
    static constexpr neighbor_need need = neighbor_need::ball;

    std::vector<double> r;  ///< grid, every r_k > 0
    double sigma = 0.1;     ///< Gaussian width
    double cutoff = 0;      ///< bonds with r_ij < cutoff (> 0)
    double density = 0;     ///< ρ = N/V (> 0)

    neighbor_request request() const { return neighbor_request::within(cutoff); }

    std::vector<std::string> columns(const particle_properties&) const {
        std::vector<std::string> names;
        for (std::size_t k = 0; k < r.size(); ++k) names.push_back("gloc_" + std::to_string(k));
        return names;
    }

    void prepare(const neighbor_stage_info& stage, const particle_properties&) const {
        if (r.empty()) throw error("local_rdf: the r grid is empty");
        for (const double x : r)
            if (!(x > 0) || !std::isfinite(x)) throw error("local_rdf: grid point r = ", x, " must be positive");
        if (!(sigma > 0) || !std::isfinite(sigma)) throw error("local_rdf: sigma must be positive, got ", sigma);
        if (!(density > 0) || !std::isfinite(density)) throw error("local_rdf: the density must be positive, got ", density);
        if (!(cutoff > 0) || cutoff > stage.radius)
            throw error("local_rdf: cutoff ", cutoff, " must be positive and at most the neighbour radius ", stage.radius);
    }

    template <class T>
    void compute(const particle_row<T>& row, output_row<T> out) const {
        thread_local std::vector<double> g;  // grown once per thread, never per particle
        if (g.size() < r.size()) g.resize(r.size());
        local_rdf<T>(row.distances2, density, sigma, cutoff, r, std::span<double>(g.data(), r.size()));
        for (std::size_t k = 0; k < r.size(); ++k) out[k] = T(g[k]);
    }
};

}  // namespace tessera
