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
/// a single cutoff gives column `entropy`. They share one pass over the neighbours (each
/// neighbour's Gaussians are evaluated once, not once per cutoff that includes it), and the
/// 1/(4πρ r_k²√(2π)σ) factor is applied per bin at integration: the same sums as LAMMPS's in
/// another order, so equal to rounding (7× fewer exponentials for the 25 cutoffs of Yang et al.).

#include <tessera/core/error.hpp>
#include <tessera/descriptors/descriptor.hpp>

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace tessera {

/// Arch: the xsimd architecture of the Gaussian sums (the 2·3 + 1 bins a neighbour reaches, a
/// batch at a time); void: the scalar path.
template <class Arch = xsimd::default_arch>
struct basic_pair_entropy {
    static constexpr neighbor_need need = neighbor_need::ball;

    double sigma = 0.2;             ///< Gaussian smearing width (also the grid step)
    std::vector<double> cutoffs;    ///< integration limits r_c
    double density = 0;             ///< global number density N/V (required unless local)
    double local_radius = 0;        ///< > 0: local density within this radius instead
    bool partial = false;           ///< sum over neighbour types with partial densities
    /// Type fractions N_v/N for `partial`, indexed by type (entry 0 unused). Empty: computed from
    /// the particles given. An MPI host running on a subdomain passes the global fractions here
    /// (the subdomain's own composition is not the system's).
    std::vector<double> type_fractions{};

    /// A ball of the largest cutoff (or of the local-density radius, when larger).
    neighbor_request request() const {
        const double rmax = cutoffs.empty() ? 0.0 : *std::max_element(cutoffs.begin(), cutoffs.end());
        return neighbor_request::within(std::max(rmax, local_radius));
    }

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
            if (!type_fractions.empty()) {
                if (type_fractions.size() < std::size_t(p.num_types) + 1) {
                    std::ostringstream e;
                    e << "pair_entropy: type_fractions has " << type_fractions.size()
                      << " entries; types go up to " << p.num_types << " (entry 0 is unused)";
                    throw error(e.str());
                }
                for (std::size_t t = 1; t < type_fractions.size(); ++t)
                    if (!(type_fractions[t] >= 0) || !std::isfinite(type_fractions[t])) {
                        throw error("pair_entropy: type_fractions[", t, "] = ", type_fractions[t],
                                    " is not a fraction");
                    }
                fractions_ = type_fractions;
                return;
            }
            fractions_.assign(std::size_t(p.num_types) + 1, 0.0);
            for (int t : p.types) fractions_[std::size_t(t)] += 1.0;
            for (int t = 1; t <= p.num_types; ++t) fractions_[std::size_t(t)] /= double(p.types.size());
        }
    }

    template <class T>
    void compute(const particle_row<T>& row, output_row<T> out) const {
        double rho = density;
        if (local_radius > 0) {
            std::size_t count = 0;
            const double r2 = local_radius * local_radius;
            for (const T d2 : row.distances2)
                if (double(d2) < r2) ++count;
            rho = double(count) / (4.0 / 3.0 * std::numbers::pi * local_radius * local_radius * local_radius);
        }
        // All cutoffs in one pass over the neighbours: the grid r_k = kσ does not depend on the
        // cutoff, so with the cutoffs in increasing order, g(r_k) for cutoff c is the running sum
        // over the neighbours with r < r_c read on bins k < n_bin(c) (a neighbour's Gaussian
        // reaches ⌊r/σ⌋ + 3 at most, clipped there exactly as the per-cutoff sum clips it).
        // Neighbours are bucketed by the first cutoff that includes them (a counting sort), the
        // sums kept without the 1/(4πρ_v r_k² √(2π)σ) factor, applied per bin at integration.
        thread_local scratch w;
        const std::size_t ncut = cutoffs.size();
        w.order.resize(ncut);
        for (std::size_t c = 0; c < ncut; ++c) w.order[c] = c;
        std::sort(w.order.begin(), w.order.end(), [&](std::size_t a, std::size_t b) { return cutoffs[a] < cutoffs[b]; });
        w.cut2.resize(ncut);
        for (std::size_t c = 0; c < ncut; ++c) w.cut2[c] = cutoffs[w.order[c]] * cutoffs[w.order[c]];
        const int nbin_max = static_cast<int>(cutoffs[w.order[ncut - 1]] / sigma) + 1;
        const int ntv = partial ? int(fractions_.size()) - 1 : 1;  // type slots (1 when not partial)
        // bucket[c]: neighbours first included at sorted cutoff c (in row order within a bucket)
        w.start.assign(ncut + 1, 0);
        w.bucket_of.resize(row.size());
        for (std::size_t k = 0; k < row.size(); ++k) {
            const double d2 = double(row.distances2[k]);
            const std::size_t c = std::size_t(std::upper_bound(w.cut2.begin(), w.cut2.end(), d2) - w.cut2.begin());
            w.bucket_of[k] = c;  // c == ncut: beyond every cutoff
            if (c < ncut) ++w.start[c + 1];
        }
        for (std::size_t c = 0; c < ncut; ++c) w.start[c + 1] += w.start[c];
        w.sorted.resize(w.start[ncut]);
        w.fill.assign(w.start.begin(), w.start.end() - 1);
        for (std::size_t k = 0; k < row.size(); ++k)
            if (w.bucket_of[k] < ncut) w.sorted[w.fill[w.bucket_of[k]]++] = k;
        // per type: pad zeros, bins 0 … nbin_max − 1, pad zeros (room for whole batches)
        const std::size_t stride = std::size_t(nbin_max) + 2 * pad;
        w.gsum.assign(stride * std::size_t(ntv), 0.0);
        const double sigmasq2 = 2 * sigma * sigma;
        for (std::size_t c = 0; c < ncut; ++c) {
            for (std::size_t s = w.start[c]; s < w.start[c + 1]; ++s) {
                const std::size_t k = w.sorted[s];
                const int v = partial ? row.neighbor_type(k) : 1;
                if (v > ntv) continue;
                double* g = w.gsum.data() + std::size_t(v - 1) * stride + pad;
                const double r = std::sqrt(double(row.distances2[k]));
                const int bin = static_cast<int>(std::floor(r / sigma));
                const int lo = std::max(bin - deltabin, 1);  // bin 0: r² = 0, see file comment
                const int hi = std::min(bin + deltabin, nbin_max - 1);
                if constexpr (std::is_void_v<Arch>) {
                    for (int b = lo; b <= hi; ++b) {
                        const double x = r - b * sigma;
                        g[b] += std::exp(-x * x / sigmasq2);
                    }
                } else {
                    using B = xsimd::batch<double, Arch>;
                    constexpr int W = int(B::size);
                    const B lane = basic_pair_entropy::lane<Arch>();
                    for (int j = 0; j <= 2 * deltabin; j += W) {
                        const int b0 = bin - deltabin + j;
                        const B b = B(double(b0)) + lane;
                        const auto in = (b >= B(double(lo))) && (b <= B(double(hi)));
                        const B x = B(r) - b * B(sigma);
                        const B e = xsimd::select(in, xsimd::exp(-(x * x) / B(sigmasq2)), B(0.0));
                        (B::load_unaligned(g + b0) + e).store_unaligned(g + b0);
                    }
                }
            }
            const int nbin = static_cast<int>(cutoffs[w.order[c]] / sigma) + 1;
            double s = 0;
            for (int v = 1; v <= ntv; ++v) {
                const double rho_v = partial ? rho * fractions_[std::size_t(v)] : rho;
                if (!(rho_v > 0)) continue;
                const double inv_norm = 1.0 / (4 * std::numbers::pi * rho_v * std::sqrt(2. * std::numbers::pi) * sigma);
                s += -2 * std::numbers::pi * rho_v * integrate(w.gsum.data() + std::size_t(v - 1) * stride + pad, inv_norm, nbin);
            }
            out[w.order[c]] = T(s);
        }
    }

    /// Internal: type fractions N_v/N, filled by prepare() (public only to keep this an aggregate).
    mutable std::vector<double> fractions_{};

private:
    static constexpr int deltabin = 3;
    /// Zeros either side of a type's bins: a batch starting at bin − 3 stays inside.
    static constexpr std::size_t pad = std::size_t(deltabin) + 1 + 16;

    /// Per-thread buffers, grown once, never per particle.
    struct scratch {
        std::vector<std::size_t> order, start, fill, bucket_of, sorted;
        std::vector<double> cut2, gsum;
    };

    /// Trapezoid rule with step σ over bins 0 … nbin − 1 of g_k = gsum_k · inv_norm / r_k²
    /// (bins 1 … nbin − 2 a batch at a time on the SIMD path; gsum is padded with zeros).
    double integrate(const double* gsum, double inv_norm, int nbin) const {
        auto integrand = [&](int k) {
            const double rb = k * sigma;
            const double rbsq = rb * rb;
            const double g = k == 0 ? 0.0 : gsum[k] * inv_norm / rbsq;
            return g < 1.e-10 ? rbsq : (g * std::log(g) - g + 1) * rbsq;
        };
        double value = 0.;
        int k = 1;
        if constexpr (!std::is_void_v<Arch>) {
            using B = xsimd::batch<double, Arch>;
            constexpr int W = int(B::size);
            B acc(0.0);
            for (; k + W <= nbin - 1; k += W) {
                const B rb = (B(double(k)) + lane<Arch>()) * B(sigma);
                const B rbsq = rb * rb;
                const B g = B::load_unaligned(gsum + k) * B(inv_norm) / rbsq;
                acc += xsimd::select(g < B(1.e-10), rbsq, (g * xsimd::log(g) - g + B(1.0)) * rbsq);
            }
            value = xsimd::hadd(acc);
        }
        for (; k < nbin - 1; ++k) value += integrand(k);
        value += 0.5 * integrand(0);
        value += 0.5 * integrand(nbin - 1);
        return value * sigma;
    }

    /// {0, 1, …, W − 1} as a batch.
    template <class A>
    static xsimd::batch<double, A> lane() noexcept {
        constexpr std::size_t W = xsimd::batch<double, A>::size;
        alignas(64) static constexpr auto iota = [] {
            std::array<double, W> a{};
            for (std::size_t l = 0; l < W; ++l) a[l] = double(l);
            return a;
        }();
        return xsimd::batch<double, A>::load_aligned(iota.data());
    }
};

/// Two-body excess entropy on the build's default xsimd architecture.
using pair_entropy = basic_pair_entropy<>;

}  // namespace tessera
