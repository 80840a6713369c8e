#pragma once
/// @file
/// Pearson and Spearman correlation of two per-atom fields, as scipy.stats (1.10) computes them.
///
/// **Pearson** (scipy.stats.pearsonr, alternative='two-sided'):
/// \f[ r = \frac{\sum_i (a_i - \bar a)(b_i - \bar b)}{\lVert a - \bar a\rVert\,\lVert b - \bar b\rVert},
///     \qquad p = 2\,I_{1-x}(m, m),\quad x = \tfrac{1 + |r|}{2},\ m = \tfrac n2 - 1, \f]
/// i.e. twice the survival function of the Beta(m, m) law of r on (−1, 1) under independence
/// (scipy: 2 · beta(m, m, loc=−1, scale=2).sf(|r|), evaluated by Boost.Math's ibetac — the same
/// library and, with promote_double<false>, the same precision scipy uses). r is clipped to
/// [−1, 1]. n = 2 gives r = sign(a₁−a₀)·sign(b₁−b₀) and p = 1, as scipy.
///
/// **Spearman** (scipy.stats.spearmanr): both fields ranked by rank_average (ties get the mean of
/// the ranks they span, scipy.stats.rankdata method='average'), then the correlation of the
/// ranks as np.corrcoef computes it, cov_ab/√cov_bb/√cov_aa (scipy returns its [1, 0] entry), clipped. Its p-value is scipy's
/// Student-t approximation with n − 2 degrees of freedom,
/// \f[ t = r\sqrt{\frac{n-2}{(1+r)(1-r)}},\qquad p = 2\,F_{t,\,n-2}(-|t|), \f]
/// with the t tail as the incomplete beta ½·I_{ν/(ν+t²)}(ν/2, ½) (Boost.Math); scipy evaluates it
/// with cdflib's cdft (special.stdtr), so here p agrees to ~1e-13 relative rather than to the
/// bit. |r| = 1 gives p = 0; n = 2 leaves no degree of freedom and p is NaN, as scipy.
///
/// Rounding: means are numpy's pairwise sums (detail/numpy_sum.hpp); the norms and dot products
/// are plain sequential sums where scipy calls BLAS (dnrm2, ddot, dgemm), so r agrees with scipy
/// to a few units in the last place, not to the bit.
///
/// Deliberate difference — constant input: scipy warns (ConstantInputWarning) and returns NaN;
/// here it is a tessera::error naming the constant field, because a correlation of a field that
/// does not vary is undefined, and a NaN written into a table is easy to miss, while the
/// command layer turns the error into a message that says which field to drop. NaN or infinite
/// values, fields of different lengths and fewer than two values are errors too (scipy
/// propagates NaN; 'omit' is the caller's job: select the rows first). Nearly constant input
/// (scipy's NearConstantInputWarning) is computed without comment.
///
/// Cost: pearson is one pass and allocates nothing; spearman and rank_average sort, so they
/// allocate the ranks and one index permutation (O(n) scratch, once per call).

#include <tessera/core/error.hpp>
#include <tessera/learn/detail/rounded.hpp>
#include <tessera/stats/detail/numpy_sum.hpp>

#include <boost/math/policies/policy.hpp>
#include <boost/math/special_functions/beta.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

namespace tessera {

/// A correlation coefficient with its two-sided p-value (test of zero correlation).
struct correlation_result {
    double r = 0;        ///< coefficient in [−1, 1]
    double p_value = 0;  ///< two-sided; NaN only for Spearman with n = 2
    std::size_t n = 0;   ///< number of pairs
};

namespace detail {

// scipy's Boost.Math policy: compute in double (no promotion to long double) — the precision of
// scipy.stats.beta.sf. Errors at domain boundaries are never reached (arguments are checked).
using scipy_boost_policy = boost::math::policies::policy<boost::math::policies::promote_float<false>,
                                                         boost::math::policies::promote_double<false>>;

inline void check_field(std::span<const double> x, const char* who, const char* name) {
    for (std::size_t i = 0; i < x.size(); ++i)
        if (!std::isfinite(x[i])) throw error(who, ": field ", name, " has the non-finite value ", x[i], " at row ", i);
}

inline void check_pair(std::span<const double> a, std::span<const double> b, const char* who) {
    if (a.size() != b.size()) throw error(who, ": fields of different lengths (", a.size(), " and ", b.size(), ")");
    if (a.size() < 2) throw error(who, ": need at least 2 values, got ", a.size());
    check_field(a, who, "a");
    check_field(b, who, "b");
    const auto reject_constant = [who](std::span<const double> x, const char* name) {
        if (std::all_of(x.begin(), x.end(), [x](double v) { return v == x[0]; }))
            throw error(who, ": field ", name, " is constant (every value is ", x[0],
                        "), so its correlation is undefined");
    };
    reject_constant(a, "a");
    reject_constant(b, "b");
}

}  // namespace detail

/// Two-sided p-value of a Pearson r from n pairs under independence (scipy.stats.pearsonr's
/// beta-distribution p-value): 2·I_{(1−|r|)/2}(n/2 − 1, n/2 − 1); 1 for n = 2.
[[nodiscard]] inline double pearson_p_value(double r, std::size_t n) {
    if (n < 2) throw error("pearson_p_value: need n >= 2, got ", n);
    if (!(std::abs(r) <= 1)) throw error("pearson_p_value: r = ", r, " is outside [-1, 1]");
    if (n == 2) return 1.0;
    const double m = double(n) / 2 - 1, x = (std::abs(r) + 1) / 2;
    if (x >= 1) return 0.0;
    return 2 * boost::math::ibetac(m, m, x, detail::scipy_boost_policy());
}

/// Two-sided p-value of a Spearman r from n pairs, scipy.stats.spearmanr's t approximation
/// (see the file comment); NaN for n = 2.
[[nodiscard]] inline double spearman_p_value(double r, std::size_t n) {
    if (n < 2) throw error("spearman_p_value: need n >= 2, got ", n);
    if (!(std::abs(r) <= 1)) throw error("spearman_p_value: r = ", r, " is outside [-1, 1]");
    if (n == 2) return std::numeric_limits<double>::quiet_NaN();
    const double dof = double(n - 2);
    const double q = dof / ((r + 1.0) * (1.0 - r));  // +inf at |r| = 1, as numpy's divide
    const double t = r * std::sqrt(std::max(q, 0.0));
    if (std::isinf(t)) return 0.0;
    // P(T < −|t|) = ½ I_{ν/(ν+t²)}(ν/2, ½)
    const double tail = 0.5 * boost::math::ibeta(dof / 2, 0.5, dof / (dof + t * t), detail::scipy_boost_policy());
    return 2 * tail;
}

/// Ranks 1 … n of x, ties given the average of the ranks they span (scipy.stats.rankdata,
/// method='average': a run of equal values at sorted positions [s, e) gets ½(s + e + 1), exact).
/// NaN is an error (its rank is undefined).
[[nodiscard]] inline std::vector<double> rank_average(std::span<const double> x) {
    for (std::size_t i = 0; i < x.size(); ++i)
        if (std::isnan(x[i])) throw error("rank_average: NaN at row ", i);
    std::vector<std::size_t> order(x.size());
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::sort(order.begin(), order.end(), [x](std::size_t i, std::size_t j) { return x[i] < x[j]; });
    std::vector<double> rank(x.size());
    for (std::size_t s = 0; s < order.size();) {
        std::size_t e = s + 1;
        while (e < order.size() && x[order[e]] == x[order[s]]) ++e;
        const double r = 0.5 * (double(s) + double(e) + 1.0);
        for (std::size_t k = s; k < e; ++k) rank[order[k]] = r;
        s = e;
    }
    return rank;
}

/// Pearson's r of a and b with its two-sided p-value (scipy.stats.pearsonr). Errors: lengths
/// differ, n < 2, a non-finite value, a constant field.
[[nodiscard]] inline correlation_result pearson(std::span<const double> a, std::span<const double> b) {
    detail::check_pair(a, b, "pearson");
    const std::size_t n = a.size();
    if (n == 2) {
        const auto sign = [](double v) { return double((v > 0) - (v < 0)); };
        return {sign(a[1] - a[0]) * sign(b[1] - b[0]), 1.0, n};
    }
    const double ma = detail::numpy_mean(a), mb = detail::numpy_mean(b);
    double saa = 0, sbb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        saa += detail::rounded_product(a[i] - ma, a[i] - ma);
        sbb += detail::rounded_product(b[i] - mb, b[i] - mb);
    }
    const double na = std::sqrt(saa), nb = std::sqrt(sbb);
    double r = 0;  // scipy: dot(am / |am|, bm / |bm|)
    for (std::size_t i = 0; i < n; ++i) r += detail::rounded_product((a[i] - ma) / na, (b[i] - mb) / nb);
    r = std::clamp(r, -1.0, 1.0);
    return {r, pearson_p_value(r, n), n};
}

/// Spearman's rank correlation of a and b with its two-sided p-value (scipy.stats.spearmanr).
/// Errors as pearson (a field constant after ranking is a constant field).
[[nodiscard]] inline correlation_result spearman(std::span<const double> a, std::span<const double> b) {
    detail::check_pair(a, b, "spearman");
    const std::size_t n = a.size();
    const std::vector<double> ra = rank_average(a), rb = rank_average(b);
    // np.corrcoef: centre by the means, covariances scaled by 1/(n − 1), then c01 / s0 / s1.
    const double ma = detail::numpy_mean(ra), mb = detail::numpy_mean(rb);
    double caa = 0, cbb = 0, cab = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double da = ra[i] - ma, db = rb[i] - mb;
        caa += detail::rounded_product(da, da);
        cbb += detail::rounded_product(db, db);
        cab += detail::rounded_product(da, db);
    }
    const double f = 1.0 / double(n - 1);  // scipy reports corrcoef[1, 0] = c10 / s1 / s0
    const double r = std::clamp(cab * f / std::sqrt(cbb * f) / std::sqrt(caa * f), -1.0, 1.0);
    return {r, spearman_p_value(r, n), n};
}

}  // namespace tessera
