#pragma once
/// @file
/// Radial symmetry functions (Behler–Parrinello G², the "softness" structure functions of
/// Cubuk et al., PRL 114, 108001 (2015)), per neighbour type b on a grid of centres μ_k:
/// \f[ G_i^{(b)}(\mu_k) = \sum_{j \ne i,\ t_j = b} e^{-(r_{ij} - \mu_k)^2 / L^2}\, f_c(r_{ij}), \f]
/// exactly the form of Yang et al., "Machine-learning integrated glassy defect …" (2021), Eq. 1
/// (L², not 2L²; μ = 1.5 … 7.5 Å step 0.2, L = 3.5 Å there: 31 functions).
///
/// Cutoff: with `cutoff` = r_c > 0 only r_ij < r_c count, multiplied by the smooth Behler cutoff
/// \f$ f_c(r) = \tfrac12\big(1 + \cos(\pi r / r_c)\big) \f$ when `smooth` (else f_c = 1); with
/// r_c = 0, f_c = 1 over every neighbour of the ball stage (choose its radius ≳ μ_max + 3L for
/// converged sums). Columns `g_<b>_<k>` for types b = 1 … ntypes (one type when untyped) and
/// k = 0 … n_μ − 1.
///
/// The Gaussian sums are vectorized with xsimd (`batch<T, Arch>`, Arch a template parameter
/// defaulting to xsimd::default_arch) over the μ grid, bond by bond, into per-type accumulators;
/// compute_scalar() (use_simd = false) is the plain reference path. (Vectorizing over bonds
/// instead, with a horizontal sum per μ and batch, was 2.6× slower at 31 μ and two types:
/// docs/performance.md, "Other descriptors".)

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

template <class Arch = xsimd::default_arch>
struct basic_symmetry_functions {
    static constexpr neighbor_need need = neighbor_need::ball;

    std::vector<double> mu;  ///< Gaussian centres
    double width = 1;        ///< L
    double cutoff = 0;       ///< r_c; 0 = no cutoff beyond the stage radius
    bool smooth = true;      ///< multiply by the cosine cutoff function when cutoff > 0
    bool use_simd = true;    ///< false: scalar path (for tests and comparisons)

    /// A ball of `cutoff`, or without one of μ_max + 3L (where a Gaussian has fallen to e^-9).
    neighbor_request request() const {
        return neighbor_request::within(cutoff > 0 ? cutoff : (mu.empty() ? 0.0 : mu.back()) + 3 * width);
    }

    /// The grid μ0, μ0 + dμ, …, up to μ1 inclusive (with a tolerance of dμ/1000).
    static std::vector<double> grid(double mu0, double mu1, double dmu) {
        if (!(dmu > 0) || !(mu1 >= mu0)) throw error("symmetry_functions: need dmu > 0 and mu1 >= mu0");
        std::vector<double> g;
        for (std::size_t k = 0;; ++k) {
            const double m = mu0 + double(k) * dmu;
            if (m > mu1 + 1e-3 * dmu) break;
            g.push_back(m);
        }
        return g;
    }

    int types_of(const particle_properties& p) const noexcept { return p.types.empty() ? 1 : std::max(1, p.num_types); }

    std::vector<std::string> columns(const particle_properties& p) const {
        std::vector<std::string> names;
        for (int t = 1; t <= types_of(p); ++t)
            for (std::size_t k = 0; k < mu.size(); ++k) names.push_back("g_" + std::to_string(t) + "_" + std::to_string(k));
        return names;
    }

    void prepare(const neighbor_stage_info& stage, const particle_properties&) const {
        std::ostringstream os;
        if (mu.empty()) os << "symmetry_functions: the mu grid is empty";
        else if (!(width > 0) || !std::isfinite(width)) os << "symmetry_functions: width L must be positive, got " << width;
        else if (cutoff < 0 || cutoff > stage.radius)
            os << "symmetry_functions: cutoff " << cutoff << " must be >= 0 and at most the neighbour radius "
               << stage.radius;
        if (!os.str().empty()) throw error(os.str());
    }

    template <class T>
    void compute(const particle_row<T>& row, output_row<T> out) const {
        if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
            if (use_simd) return compute_simd(row, out);
        }
        compute_scalar(row, out);
    }

    /// Plain loops; also handles the bonds [begin, size) when the SIMD path leaves a tail.
    template <class T>
    void compute_scalar(const particle_row<T>& row, output_row<T> out, std::size_t begin = 0, bool zero = true) const {
        const std::size_t nmu = mu.size();
        const int nt = types_of(*row.properties);
        if (zero)
            for (std::size_t c = 0; c < nmu * std::size_t(nt); ++c) out[c] = 0;
        const T inv_l2 = T(1) / (T(width) * T(width));
        const T rc = T(cutoff);
        for (std::size_t k = begin; k < row.size(); ++k) {
            const T d2 = row.distances2[k];
            if (rc > 0 && !(d2 < rc * rc)) continue;
            const T r = std::sqrt(d2);
            const T fc = (rc > 0 && smooth) ? T(0.5) * (T(1) + std::cos(std::numbers::pi_v<T> * r / rc)) : T(1);
            const std::size_t base = std::size_t(row.neighbor_type(k) - 1) * nmu;
            for (std::size_t m = 0; m < nmu; ++m) {
                const T x = r - T(mu[m]);
                out[base + m] += fc * std::exp(-x * x * inv_l2);
            }
        }
    }

    /// Vectorized in two passes: r and f_c for a batch of bonds at a time, then per bond the
    /// Gaussians of a batch of μ at a time, added into per-type accumulators (no horizontal
    /// sums, no per-type masks). Buffers are per thread, grown once, never per particle.
    template <class T>
    void compute_simd(const particle_row<T>& row, output_row<T> out) const {
        using B = xsimd::batch<T, Arch>;
        constexpr std::size_t W = B::size;
        const std::size_t nmu = mu.size();
        const std::size_t nt = std::size_t(types_of(*row.properties));
        const std::size_t nmb = (nmu + W - 1) / W * W;  // μ padded to whole batches
        const std::size_t nbond = row.size();
        if (nmu == 0) return;
        const std::size_t nbond_pad = (nbond + W - 1) / W * W;
        thread_local std::vector<T, xsimd::aligned_allocator<T>> buf;
        const std::size_t need = nmb * (1 + nt) + 2 * nbond_pad;
        if (buf.size() < need) buf.resize(need);
        T* const mu_pad = buf.data();
        T* const acc = mu_pad + nmb;
        T* const rr = acc + nmb * nt;
        T* const fcs = rr + nbond_pad;
        for (std::size_t m = 0; m < nmb; ++m) mu_pad[m] = T(mu[std::min(m, nmu - 1)]);
        for (std::size_t c = 0; c < nmb * nt; ++c) acc[c] = T(0);
        // pass 1: r and the cutoff factor (0 outside the cutoff), a batch of bonds at a time
        const T rc = T(cutoff);
        const std::size_t nfull = nbond / W * W;
        for (std::size_t k = 0; k < nfull; k += W) {
            const B d2 = B::load_unaligned(row.distances2.data() + k);
            const B r = xsimd::sqrt(d2);
            B fc(T(1));
            if (rc > 0) {
                if (smooth) fc = B(T(0.5)) * (B(T(1)) + xsimd::cos(B(std::numbers::pi_v<T> / rc) * r));
                fc = xsimd::select(d2 < B(rc * rc), fc, B(T(0)));
            }
            r.store_aligned(rr + k);
            fc.store_aligned(fcs + k);
        }
        for (std::size_t k = nfull; k < nbond; ++k) {
            const T d2 = row.distances2[k];
            rr[k] = std::sqrt(d2);
            fcs[k] = rc > 0 ? (d2 < rc * rc ? (smooth ? T(0.5) * (T(1) + std::cos(std::numbers::pi_v<T> / rc * rr[k])) : T(1))
                                             : T(0))
                            : T(1);
        }
        // pass 2: per bond, every μ a batch at a time, into the neighbour type's accumulator
        const B inv_l2(T(1) / (T(width) * T(width)));
        for (std::size_t k = 0; k < nbond; ++k) {
            if (fcs[k] == T(0)) continue;
            T* const a = acc + std::size_t(row.neighbor_type(k) - 1) * nmb;
            const B r(rr[k]), fc(fcs[k]);
            for (std::size_t m = 0; m < nmb; m += W) {
                const B x = r - B::load_aligned(mu_pad + m);
                (B::load_aligned(a + m) + fc * xsimd::exp(-(x * x) * inv_l2)).store_aligned(a + m);
            }
        }
        for (std::size_t t = 0; t < nt; ++t)
            for (std::size_t m = 0; m < nmu; ++m) out[t * nmu + m] = acc[t * nmb + m];
    }
};

/// Radial symmetry functions for the build's default xsimd architecture.
using symmetry_functions = basic_symmetry_functions<xsimd::default_arch>;

}  // namespace tessera
