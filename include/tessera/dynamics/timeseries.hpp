#pragma once
/// @file
/// Time-series tools for per-atom signals (as Perrone et al., J. Chem. Phys. 162 (2025),
/// doi:10.1063/5.0265378, use them): min–max normalisation, centred moving
/// average, peak detection with height and prominence (the definitions of
/// scipy.signal.find_peaks, so results can be checked against SciPy), the argmax used for
/// peak-to-peak delays, a least-squares change point for phase boundaries, and histograms.
///
/// Layout convention: a per-atom time series is a contiguous span of values in frame order.

#include <tessera/core/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <sstream>
#include <vector>

namespace tessera {

/// Rescales values in place to [0, 1] by (v − min)/(max − min) over the span, NaNs ignored and
/// kept. Seed 000 normalises LENS this way over the frames of one phase before thresholding;
/// pass that window. A constant signal becomes all zeros.
inline void normalize_minmax(std::span<double> values) noexcept {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (double v : values)
        if (!std::isnan(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    const double range = hi - lo;
    for (double& v : values)
        if (!std::isnan(v)) v = range > 0 ? (v - lo) / range : 0.0;
}

/// Centred moving average over `window` samples (odd; shrinks at the ends so every output
/// averages only existing samples).
inline void moving_average(std::span<const double> in, std::size_t window, std::span<double> out) {
    if (window == 0 || window % 2 == 0) {
        throw error("moving_average: the window must be odd and positive, got ", window);
    }
    if (out.size() != in.size()) throw error("moving_average: output and input sizes differ");
    const std::size_t h = window / 2, n = in.size();
    for (std::size_t t = 0; t < n; ++t) {
        const std::size_t a = t >= h ? t - h : 0, b = std::min(n - 1, t + h);
        double s = 0;
        for (std::size_t k = a; k <= b; ++k) s += in[k];
        out[t] = s / double(b - a + 1);
    }
}

struct peak_options {
    double height = -std::numeric_limits<double>::infinity();      ///< minimum peak value
    double prominence = -std::numeric_limits<double>::infinity();  ///< minimum prominence
};

/// Indices of the peaks of x, as scipy.signal.find_peaks(x, height=, prominence=): a peak is a
/// sample (or the middle of a flat run, rounding down) higher than both neighbours; the first
/// and last samples are never peaks. Prominence: the peak's height above the higher of the two
/// minima found walking left and right until a strictly higher sample or the signal's end.
inline std::vector<std::size_t> find_peaks(std::span<const double> x, const peak_options& opt = {}) {
    std::vector<std::size_t> peaks;
    const std::size_t n = x.size();
    for (std::size_t i = 1; i + 1 < n;) {
        if (x[i - 1] < x[i]) {
            std::size_t ahead = i + 1;
            while (ahead + 1 < n && x[ahead] == x[i]) ++ahead;  // flat run
            if (x[ahead] < x[i]) {
                const std::size_t left = i, right = ahead - 1;
                peaks.push_back((left + right) / 2);
                i = ahead;
                continue;
            }
        }
        ++i;
    }
    std::vector<std::size_t> kept;
    for (std::size_t p : peaks) {
        if (!(x[p] >= opt.height)) continue;
        double left_min = x[p], right_min = x[p];
        for (std::size_t i = p + 1; i-- > 0 && x[i] <= x[p];) left_min = std::min(left_min, x[i]);
        for (std::size_t i = p; i < n && x[i] <= x[p]; ++i) right_min = std::min(right_min, x[i]);
        if (x[p] - std::max(left_min, right_min) >= opt.prominence) kept.push_back(p);
    }
    return kept;
}

/// Index of the first maximum (NaNs ignored), or nothing for an empty / all-NaN series.
inline std::optional<std::size_t> argmax(std::span<const double> x) noexcept {
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < x.size(); ++i)
        if (!std::isnan(x[i]) && (!best || x[i] > x[*best])) best = i;
    return best;
}

/// The index k (1 <= k < n) that splits x into x[0, k) and x[k, n) with the least total squared
/// deviation from the two segment means — a single least-squares change point, used to find the
/// elastic → plastic boundary in a summed per-frame signal (summed CSP jumps at yield).
/// O(n) with prefix sums. Needs n >= 2.
inline std::size_t change_point(std::span<const double> x) {
    const std::size_t n = x.size();
    if (n < 2) throw error("change_point: need at least two samples");
    std::vector<double> s(n + 1, 0.0), q(n + 1, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        s[i + 1] = s[i] + x[i];
        q[i + 1] = q[i] + x[i] * x[i];
    }
    auto sse = [&](std::size_t a, std::size_t b) {  // Σ (x − mean)² over [a, b)
        const double m = double(b - a), sum = s[b] - s[a];
        return (q[b] - q[a]) - sum * sum / m;
    };
    std::size_t best = 1;
    double best_cost = std::numeric_limits<double>::infinity();
    for (std::size_t k = 1; k < n; ++k) {
        const double cost = sse(0, k) + sse(k, n);
        if (cost < best_cost) {
            best_cost = cost;
            best = k;
        }
    }
    return best;
}

/// Fixed-width histogram of values on [lo, hi) with `bins` bins; values outside are counted in
/// `below` / `above`, NaNs in `invalid`.
struct histogram {
    double lo, hi;
    std::vector<std::size_t> counts;
    std::size_t below = 0, above = 0, invalid = 0;

    histogram(double lo_, double hi_, std::size_t bins) : lo(lo_), hi(hi_), counts(bins, 0) {
        if (!(hi > lo) || bins == 0) throw error("histogram: need hi > lo and at least one bin");
    }
    void add(double v) noexcept {
        if (std::isnan(v)) ++invalid;
        else if (v < lo) ++below;
        else if (v >= hi) ++above;
        else {
            const auto b = static_cast<std::size_t>((v - lo) / (hi - lo) * double(counts.size()));
            ++counts[std::min(b, counts.size() - 1)];
        }
    }
    double bin_center(std::size_t b) const noexcept { return lo + (double(b) + 0.5) * (hi - lo) / double(counts.size()); }
};

}  // namespace tessera
