#pragma once
/// @file
/// Predictive power factor of a per-atom field X for an event R (e.g. "the atom rearranges"),
/// seed 003 (IGD paper, around Fig. 12(b)):
/// \f[ \chi = \frac{P(R \mid X_i > X_{\mathrm{top}})}{P(R \mid X_i < X_{\mathrm{low}})}, \f]
/// with X_top and X_low the (1 − tail) and tail quantiles of X over all atoms (the paper uses
/// tail = 5 %, about the fraction of atoms that rearrange there). Each conditional probability
/// is a count ratio: events among the atoms beyond the threshold / atoms beyond the threshold.
///
/// Conventions (the paper leaves them open; these are stated so the numbers are reproducible):
/// - quantiles are numpy.quantile's default method='linear' (Hyndman & Fan type 7): on the
///   sorted values v₀ ≤ … ≤ v_{n−1}, h = (n − 1)q, v_⌊h⌋ + (h − ⌊h⌋)(v_{⌊h⌋+1} − v_⌊h⌋), with
///   numpy's rounding (for a fraction ≥ ½ it interpolates down from the upper value), so the
///   thresholds equal np.quantile(x, [tail, 1 - tail]) to the bit;
/// - both comparisons are strict, as in the paper: an atom whose value equals a threshold is in
///   neither group. With continuous fields this drops at most the atom sitting on the quantile;
///   with heavily tied fields (integer coordination numbers) the groups can be much smaller
///   than tail·n, or empty — the counts are returned so the caller sees it;
/// - p_high = events_high / n_high, p_low = events_low / n_low, each NaN when its group is empty;
///   ratio = p_high / p_low: +inf when p_low = 0 < p_high, NaN when both are 0 or either group
///   is empty (0/0 is undefined, not "no predictive power").
/// - The paper replaces χ by 1/χ for a field anti-correlated with R; both probabilities are
///   returned, so that choice (and |log χ| comparisons) is left to the caller.
///
/// Errors: lengths differ, fewer than 2 atoms, a non-finite value of X, tail outside (0, ½].
/// Cost: one sorted copy of X (the only allocation), then one pass.

#include <tessera/core/error.hpp>
#include <tessera/learn/detail/rounded.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

namespace tessera {

struct power_factor_result {
    double threshold_low = 0, threshold_high = 0;  ///< X_low = quantile(tail), X_top = quantile(1 − tail)
    std::size_t n_low = 0, events_low = 0;         ///< atoms with X < X_low, and how many have the event
    std::size_t n_high = 0, events_high = 0;       ///< atoms with X > X_top, and how many have the event
    double p_low = 0, p_high = 0;                  ///< conditional event probabilities (NaN: empty group)
    double ratio = 0;                              ///< χ = p_high / p_low (inf / NaN rules in the file comment)
};

/// numpy.quantile(sorted, q) with method='linear' on already sorted values (n >= 1, q in [0, 1]).
[[nodiscard]] inline double quantile_linear_sorted(std::span<const double> sorted, double q) {
    if (sorted.empty()) throw error("quantile_linear_sorted: no values");
    if (!(q >= 0 && q <= 1)) throw error("quantile_linear_sorted: q = ", q, " is outside [0, 1]");
    const std::size_t n = sorted.size();
    const double h = double(n - 1) * q;  // numpy: (n - 1) * quantiles
    if (h >= double(n - 1)) return sorted[n - 1];
    const double lo = std::floor(h), gamma = h - lo;
    const double a = sorted[std::size_t(lo)], b = sorted[std::size_t(lo) + 1], d = b - a;
    // numpy's _lerp: a + d·γ, or b − d·(1 − γ) when γ >= ½ (exact at both ends).
    return gamma >= 0.5 ? b - detail::rounded_product(d, 1 - gamma) : a + detail::rounded_product(d, gamma);
}

/// Power factor of field x for the event mask (nonzero = the atom has the event); tail is the
/// quantile fraction on each side (default 5 %, the paper's).
[[nodiscard]] inline power_factor_result power_factor(std::span<const double> x, std::span<const unsigned char> event,
                                                      double tail = 0.05) {
    if (x.size() != event.size())
        throw error("power_factor: the field has ", x.size(), " values but the event mask ", event.size());
    if (x.size() < 2) throw error("power_factor: need at least 2 atoms, got ", x.size());
    if (!(tail > 0 && tail <= 0.5)) throw error("power_factor: tail = ", tail, " must be in (0, 0.5]");
    for (std::size_t i = 0; i < x.size(); ++i)
        if (!std::isfinite(x[i])) throw error("power_factor: the field has the non-finite value ", x[i], " at row ", i);
    std::vector<double> sorted(x.begin(), x.end());
    std::sort(sorted.begin(), sorted.end());
    power_factor_result res;
    res.threshold_low = quantile_linear_sorted(sorted, tail);
    res.threshold_high = quantile_linear_sorted(sorted, 1 - tail);
    for (std::size_t i = 0; i < x.size(); ++i) {
        const bool ev = event[i] != 0;
        if (x[i] < res.threshold_low) {
            ++res.n_low;
            res.events_low += ev;
        }
        if (x[i] > res.threshold_high) {
            ++res.n_high;
            res.events_high += ev;
        }
    }
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    res.p_low = res.n_low ? double(res.events_low) / double(res.n_low) : nan;
    res.p_high = res.n_high ? double(res.events_high) / double(res.n_high) : nan;
    if (std::isnan(res.p_low) || std::isnan(res.p_high) || (res.p_low == 0 && res.p_high == 0)) res.ratio = nan;
    else if (res.p_low == 0) res.ratio = std::numeric_limits<double>::infinity();
    else res.ratio = res.p_high / res.p_low;
    return res;
}

}  // namespace tessera
