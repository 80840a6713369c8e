#pragma once
/// @file
/// Power-law tails p(x) ∝ x^(−α) for x ≥ x_min: the maximum-likelihood exponent and Clauset's
/// choice of x_min, plus a log-binned density for plotting (seed 004, Fig. 9D: the distribution
/// of voxel relaxation times t_c, "a clear power-law … with an exponent close to −1").
///
/// Method of Clauset, Shalizi & Newman, SIAM Review 51, 661 (2009), continuous case:
/// - fit_power_law(x, x_min): for a given x_min, over the n samples x_i ≥ x_min,
///   \f$ \hat\alpha = 1 + n \big[\sum_i \ln(x_i/x_{min})\big]^{-1} \f$ (their Eq. 3.1) with standard
///   error (α̂ − 1)/√n (Eq. 3.2) — the same α̂ as scipy.stats.pareto.fit(x, floc=0, fscale=x_min)
///   gives as b + 1;
/// - fit_power_law_scan(x, min_tail): x_min is chosen as the candidate minimising the Kolmogorov–Smirnov distance between the tail
///   and the fitted law, computed as in the authors' plfit.m: tail sorted ascending z_1 … z_n,
///   D = max_i |(1 − (x_min/z_i)^(α̂−1)) − (i−1)/n|; candidates are the distinct sample values
///   except the largest, ties in D go to the smaller x_min. Deliberate difference: candidates
///   leaving fewer than `min_tail` samples (default 10) are not considered — plfit.m would accept
///   a two-point tail, whose α̂ is meaningless.
/// NaN samples (censored or undefined relaxation times) are ignored; other non-positive or
/// non-finite samples are errors. The continuous law is used although t_c from
/// stats/temporal_correlation.hpp is interpolated between integer lags — documented, not corrected.

#include <tessera/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

namespace tessera {

struct power_law_fit {
    double alpha = 0;         ///< exponent of p(x) ∝ x^(−α)
    double alpha_stderr = 0;  ///< (α − 1)/√n
    double x_min = 0;
    std::size_t n_tail = 0;   ///< samples ≥ x_min
    double ks = 0;            ///< KS distance of the tail to the fitted law
};

namespace detail {
/// Sorted finite samples (NaN dropped); throws on non-positive or infinite ones.
inline std::vector<double> power_law_samples(std::span<const double> x, const char* who) {
    std::vector<double> z;
    z.reserve(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        if (std::isnan(x[i])) continue;
        if (!(x[i] > 0) || std::isinf(x[i])) throw error(who, ": sample ", i, " = ", x[i], " is not positive and finite");
        z.push_back(x[i]);
    }
    std::sort(z.begin(), z.end());
    return z;
}

/// α̂ and D for the tail z[first …) of sorted samples, fitted from x_min <= z[first].
inline power_law_fit power_law_tail(const std::vector<double>& z, std::size_t first, double x_min) {
    power_law_fit f;
    f.x_min = x_min;
    f.n_tail = z.size() - first;
    const double n = double(f.n_tail);
    double s = 0;
    for (std::size_t i = first; i < z.size(); ++i) s += std::log(z[i] / f.x_min);
    f.alpha = 1.0 + n / s;
    f.alpha_stderr = (f.alpha - 1.0) / std::sqrt(n);
    double d = 0;
    for (std::size_t i = first; i < z.size(); ++i) {
        const double cf = 1.0 - std::pow(f.x_min / z[i], f.alpha - 1.0);
        d = std::max(d, std::abs(cf - double(i - first) / n));
    }
    f.ks = d;
    return f;
}
}  // namespace detail

/// Maximum-likelihood α̂ above a given x_min (> 0); ks is the tail's KS distance to the fit.
inline power_law_fit fit_power_law(std::span<const double> x, double x_min) {
    if (!(x_min > 0) || !std::isfinite(x_min)) throw error("fit_power_law: x_min must be positive and finite");
    const std::vector<double> z = detail::power_law_samples(x, "fit_power_law");
    const auto first = std::size_t(std::lower_bound(z.begin(), z.end(), x_min) - z.begin());
    if (z.size() - first < 2) throw error("fit_power_law: fewer than 2 samples >= x_min = ", x_min);
    if (!(z.back() > x_min)) throw error("fit_power_law: every sample >= x_min equals x_min");
    return detail::power_law_tail(z, first, x_min);
}

/// α̂ with x_min chosen by the KS criterion (Clauset et al.; see the file comment).
inline power_law_fit fit_power_law_scan(std::span<const double> x, std::size_t min_tail = 10) {
    if (min_tail < 2) throw error("fit_power_law_scan: min_tail must be at least 2");
    const std::vector<double> z = detail::power_law_samples(x, "fit_power_law_scan");
    power_law_fit best;
    bool any = false;
    for (std::size_t first = 0; first < z.size(); ++first) {
        if (first > 0 && z[first] == z[first - 1]) continue;  // distinct candidates only
        if (z[first] == z.back()) break;                      // not the largest value
        if (z.size() - first < min_tail) break;
        const power_law_fit f = detail::power_law_tail(z, first, z[first]);
        if (!any || f.ks < best.ks) {
            best = f;
            any = true;
        }
    }
    if (!any) throw error("fit_power_law_scan: no x_min leaves ", min_tail, " samples above a smaller value (", z.size(),
                          " samples)");
    return best;
}

/// A density histogram on logarithmic bins: edges lo·(hi/lo)^(k/bins), density = count /
/// (samples in [lo, hi) · bin width); NaN samples and samples outside [lo, hi) are not counted.
struct log_histogram {
    std::vector<double> edges;          ///< bins + 1 edges
    std::vector<double> centres;        ///< geometric centres sqrt(e_k e_{k+1})
    std::vector<std::size_t> count;
    std::vector<double> density;
};

inline log_histogram make_log_histogram(std::span<const double> x, double lo, double hi, std::size_t bins) {
    if (!(lo > 0) || !(hi > lo) || !std::isfinite(hi) || bins == 0)
        throw error("make_log_histogram: needs 0 < lo < hi finite and bins >= 1");
    log_histogram h;
    h.edges.resize(bins + 1);
    const double ratio = std::log(hi / lo);
    for (std::size_t k = 0; k <= bins; ++k) h.edges[k] = lo * std::exp(ratio * double(k) / double(bins));
    h.edges[bins] = hi;
    h.count.assign(bins, 0);
    std::size_t total = 0;
    for (const double v : x) {
        if (!(v >= lo && v < hi)) continue;
        auto k = std::size_t(std::upper_bound(h.edges.begin(), h.edges.end(), v) - h.edges.begin()) - 1;
        if (k >= bins) k = bins - 1;
        ++h.count[k];
        ++total;
    }
    h.centres.resize(bins);
    h.density.resize(bins);
    for (std::size_t k = 0; k < bins; ++k) {
        h.centres[k] = std::sqrt(h.edges[k] * h.edges[k + 1]);
        h.density[k] = total ? double(h.count[k]) / (double(total) * (h.edges[k + 1] - h.edges[k])) : 0.0;
    }
    return h;
}

}  // namespace tessera
