#pragma once
/// @file
/// Distributions of a per-atom field: a fixed-bin histogram as numpy.histogram computes it, and
/// a one-dimensional Gaussian kernel density estimate as scipy.stats.gaussian_kde.
///
/// **histogram1d(values, bins, lo, hi)** — numpy.histogram(values, bins, range=(lo, hi)) (1.24):
/// edges eᵢ = lo + i·(hi − lo)/bins (np.linspace's rounding, last edge exactly hi); bin k holds
/// e_k <= v < e_{k+1}, the last bin also v = hi (closed); values outside [lo, hi] are not
/// counted (returned as `outside`). The bin of a value is found as numpy finds it — ⌊(v − lo)·
/// bins/(hi − lo)⌋, then corrected by one against the edges — so counts equal numpy's exactly,
/// also for values within an ulp of an edge. lo = hi is widened to lo − ½, hi + ½ (numpy); the
/// range-less overload takes [min, max] of the values (numpy's default range). Weights sum per
/// bin in input order (np.bincount; blocks of 65536 as numpy). density = counts / width / Σcounts
/// (numpy's density=True, in numpy's operation order: NaN in every bin when nothing was counted).
/// The class tessera::histogram of dynamics/timeseries.hpp is the streaming, half-open variant
/// used for time series; this is the one that matches numpy.
///
/// **gaussian_kde** — scipy.stats.gaussian_kde (1.10) for one-dimensional data:
/// \f[ \hat f(x) = \sum_i w_i\, \frac{1}{\sqrt{2\pi}\,h}\, e^{-\frac12 (x_i/h - x/h)^2},
///     \qquad h = \sigma\,\mathrm{factor}, \f]
/// weights wᵢ normalised to sum 1 (1/n without weights), n_eff = 1/Σwᵢ², σ² the weighted sample
/// variance with scipy's (np.cov aweights, ddof = 1) normalisation
/// Σwᵢ(xᵢ − x̄)² / (1 − Σwᵢ²) (for equal weights the usual n − 1 denominator), and
/// factor = n_eff^(−1/5) ('scott', the default), (¾ n_eff)^(−1/5) ('silverman'), or a number.
/// The sum runs over the data in input order for each evaluation point, as scipy's kernel
/// loop; results agree with scipy to ~1e-15 relative (BLAS's dot in np.cov and LAPACK's
/// triangular solve round differently by an ulp). Constant data (σ = 0) is an error, where scipy
/// raises a LinAlgError from its Cholesky factorisation.
///
/// Inputs are spans and are not copied: a gaussian_kde refers to its data and weights, which
/// must outlive it. Non-finite values are errors, as are negative weights or a zero weight sum.

#include <tessera/core/error.hpp>
#include <tessera/learn/detail/rounded.hpp>
#include <tessera/stats/detail/numpy_sum.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numbers>
#include <span>
#include <vector>

namespace tessera {

struct histogram1d_result {
    std::vector<double> edges;    ///< bins + 1 edges, np.linspace(lo, hi, bins + 1)
    std::vector<double> counts;   ///< per bin: number of values (sum of their weights when weighted)
    std::vector<double> density;  ///< counts / width / Σcounts (numpy density=True)
    std::size_t outside = 0;      ///< values outside [lo, hi], not counted
};

namespace detail {

inline void check_finite_values(std::span<const double> v, const char* who, const char* what) {
    for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i])) throw error(who, ": ", what, " has the non-finite value ", v[i], " at row ", i);
}

/// np.linspace(lo, hi, bins + 1): i·step + lo, the last edge hi.
inline std::vector<double> linspace_edges(double lo, double hi, std::size_t bins) {
    std::vector<double> e(bins + 1);
    const double step = (hi - lo) / double(bins);
    for (std::size_t i = 0; i <= bins; ++i) e[i] = rounded_product(double(i), step) + lo;
    e[bins] = hi;
    return e;
}

/// Bin of v in [edges.front(), edges.back()] exactly as numpy.histogram's uniform-bin path
/// (norm = bins / (hi − lo)): truncate (v − lo)·norm, then one correction against the edges.
inline std::size_t numpy_bin(double v, std::span<const double> edges, double norm) noexcept {
    const std::size_t bins = edges.size() - 1;
    auto k = static_cast<std::size_t>(rounded_product(v - edges[0], norm));
    if (k >= bins) k = bins - 1;  // v == hi (and numpy's "indices == n" fix-up)
    if (v < edges[k]) --k;
    else if (v >= edges[k + 1] && k != bins - 1) ++k;
    return k;
}

}  // namespace detail

/// numpy.histogram(values, bins, range=(lo, hi), weights=weights, density=…) — counts and
/// density both returned. weights: empty, or one per value.
[[nodiscard]] inline histogram1d_result histogram1d(std::span<const double> values, std::size_t bins, double lo,
                                                    double hi, std::span<const double> weights = {}) {
    if (bins == 0) throw error("histogram1d: the number of bins must be at least 1");
    if (!std::isfinite(lo) || !std::isfinite(hi)) throw error("histogram1d: the range [", lo, ", ", hi, "] is not finite");
    if (lo > hi) throw error("histogram1d: the range [", lo, ", ", hi, "] has lo > hi");
    if (!weights.empty() && weights.size() != values.size())
        throw error("histogram1d: ", values.size(), " values but ", weights.size(), " weights");
    detail::check_finite_values(values, "histogram1d", "the field");
    detail::check_finite_values(weights, "histogram1d", "the weights");
    if (lo == hi) {  // numpy widens an empty range
        lo -= 0.5;
        hi += 0.5;
    }
    histogram1d_result h;
    h.edges = detail::linspace_edges(lo, hi, bins);
    h.counts.assign(bins, 0.0);
    const double norm = double(bins) / (hi - lo);
    constexpr std::size_t block = 65536;  // numpy.histogram's BLOCK: weights are summed per block
    std::vector<double> partial(weights.empty() ? 0 : bins);
    for (std::size_t b0 = 0; b0 < values.size(); b0 += block) {
        const std::size_t b1 = std::min(values.size(), b0 + block);
        std::fill(partial.begin(), partial.end(), 0.0);
        for (std::size_t i = b0; i < b1; ++i) {
            const double v = values[i];
            if (!(v >= lo && v <= hi)) {
                ++h.outside;
                continue;
            }
            const std::size_t k = detail::numpy_bin(v, h.edges, norm);
            if (weights.empty()) h.counts[k] += 1.0;
            else partial[k] += weights[i];
        }
        for (std::size_t k = 0; k < partial.size(); ++k) h.counts[k] += partial[k];
    }
    const double total = detail::numpy_sum(h.counts);
    h.density.resize(bins);
    for (std::size_t k = 0; k < bins; ++k) h.density[k] = h.counts[k] / (h.edges[k + 1] - h.edges[k]) / total;
    return h;
}

/// numpy.histogram's default range: [min, max] of the values (widened by ½ when they are equal).
[[nodiscard]] inline histogram1d_result histogram1d(std::span<const double> values, std::size_t bins,
                                                    std::span<const double> weights = {}) {
    detail::check_finite_values(values, "histogram1d", "the field");
    if (values.empty()) return histogram1d(values, bins, 0.0, 1.0, weights);  // numpy's range for no data
    const auto [mn, mx] = std::minmax_element(values.begin(), values.end());
    return histogram1d(values, bins, *mn, *mx, weights);
}

enum class kde_bandwidth { scott, silverman };

/// One-dimensional Gaussian kernel density estimate, scipy.stats.gaussian_kde (see file comment).
class gaussian_kde {
public:
    /// Bandwidth by rule of thumb; weights: empty (equal) or one non-negative weight per value.
    explicit gaussian_kde(std::span<const double> data, kde_bandwidth rule = kde_bandwidth::scott,
                          std::span<const double> weights = {})
        : data_(data), weights_(weights) {
        prepare();
        const double neff = neff_;
        factor_ = rule == kde_bandwidth::scott ? std::pow(neff, -1.0 / 5.0) : std::pow(neff * 3.0 / 4.0, -1.0 / 5.0);
        finish();
    }
    /// Bandwidth factor given (scipy: bw_method=<scalar>): h = factor · σ.
    gaussian_kde(std::span<const double> data, double factor, std::span<const double> weights = {})
        : data_(data), weights_(weights) {
        if (!(factor > 0) || !std::isfinite(factor))
            throw error("gaussian_kde: the bandwidth factor must be positive and finite, got ", factor);
        prepare();
        factor_ = factor;
        finish();
    }

    [[nodiscard]] double factor() const noexcept { return factor_; }            ///< scipy's kde.factor
    [[nodiscard]] double neff() const noexcept { return neff_; }                ///< 1 / Σ wᵢ²
    [[nodiscard]] double data_variance() const noexcept { return variance_; }   ///< σ² (kde._data_covariance)
    [[nodiscard]] double bandwidth() const noexcept { return h_; }              ///< h = σ·factor (kde.cho_cov)
    [[nodiscard]] double covariance() const noexcept { return variance_ * factor_ * factor_; }  ///< kde.covariance
    [[nodiscard]] std::size_t size() const noexcept { return data_.size(); }

    /// Density at x (kde(x)).
    [[nodiscard]] double operator()(double x) const noexcept {
        const double xs = x / h_;
        double f = 0;
        for (std::size_t i = 0; i < data_.size(); ++i) {
            const double r = data_[i] / h_ - xs;
            const double k = std::exp(-detail::rounded_product(r, r) / 2.) * norm_;
            f += detail::rounded_product(weight(i), k);
        }
        return f;
    }
    /// Densities at points, written to out (same size).
    void evaluate(std::span<const double> points, std::span<double> out) const {
        if (out.size() != points.size())
            throw error("gaussian_kde::evaluate: ", points.size(), " points but room for ", out.size());
        detail::check_finite_values(points, "gaussian_kde::evaluate", "the points");
        for (std::size_t j = 0; j < points.size(); ++j) out[j] = (*this)(points[j]);
    }
    [[nodiscard]] std::vector<double> evaluate(std::span<const double> points) const {
        std::vector<double> out(points.size());
        evaluate(points, out);
        return out;
    }

private:
    std::span<const double> data_, weights_;
    double wsum_ = 1, neff_ = 0, factor_ = 1, variance_ = 0, h_ = 1, norm_ = 0;

    // scipy: weights /= sum(weights) once; recomputing wᵢ / Σw gives the same rounded value.
    [[nodiscard]] double weight(std::size_t i) const noexcept {
        return weights_.empty() ? 1.0 / double(data_.size()) : weights_[i] / wsum_;
    }

    void prepare() {
        const std::size_t n = data_.size();
        if (n < 2) throw error("gaussian_kde: need at least 2 values, got ", n);
        detail::check_finite_values(data_, "gaussian_kde", "the data");
        if (!weights_.empty()) {
            if (weights_.size() != n) throw error("gaussian_kde: ", n, " values but ", weights_.size(), " weights");
            detail::check_finite_values(weights_, "gaussian_kde", "the weights");
            for (std::size_t i = 0; i < n; ++i)
                if (weights_[i] < 0) throw error("gaussian_kde: negative weight ", weights_[i], " at row ", i);
            wsum_ = detail::numpy_sum(weights_);
            if (!(wsum_ > 0)) throw error("gaussian_kde: the weights sum to zero");
        }
        const auto w = [this](std::size_t i) { return weight(i); };
        const double sw2 = detail::numpy_sum(n, [&](std::size_t i) { return detail::rounded_product(w(i), w(i)); });
        neff_ = 1 / sw2;
        // np.cov(x, aweights=w, ddof=1): mean = Σwx / Σw, fact = Σw − Σw·w / Σw, c = Σ(x − m)·(x − m)·w / fact
        const double ws = detail::numpy_sum(n, w);
        const double mean = detail::numpy_sum(n, [&](std::size_t i) { return detail::rounded_product(data_[i], w(i)); }) / ws;
        const double fact = ws - 1 * sw2 / ws;
        double c = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double d = data_[i] - mean;
            c += detail::rounded_product(d, detail::rounded_product(d, w(i)));
        }
        variance_ = c * (1 / fact);
        if (!(variance_ > 0))
            throw error("gaussian_kde: the data have zero variance (every value is ", data_[0], "), so no bandwidth");
    }
    void finish() {
        h_ = std::sqrt(variance_) * factor_;  // scipy: cholesky(data covariance) · factor
        norm_ = std::pow(2 * std::numbers::pi, -1 / 2.) / h_;
    }
};

}  // namespace tessera
