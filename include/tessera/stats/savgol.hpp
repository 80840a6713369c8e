#pragma once
/// @file
/// Savitzky–Golay smoothing and differentiation of a uniformly sampled signal (a per-atom time
/// series such as LENS), as scipy.signal.savgol_filter(y, window_length, polyorder, deriv,
/// delta) with its default mode='interp' (scipy 1.10):
/// - each sample t with a full centred window [t − h, t + h] (h = window_length // 2) is
///   replaced by the value (or deriv-th derivative) at the centre of the degree-polyorder
///   least-squares polynomial through the window — a correlation with scipy's savgol_coeffs;
/// - the first h and last h samples take the same polynomial fitted to the first (last)
///   window_length samples, evaluated at their own positions (scipy's _fit_edges_polyfit);
/// - derivatives are per unit of delta (the sample spacing): d^k/dx^k = (1/delta^k) d^k/dt^k;
///   deriv > polyorder gives zeros.
///
/// Every output is a fixed linear combination of window_length inputs, so the filter is built
/// once as a window_length × window_length weight table: row r holds the weights that give the
/// fitted polynomial's value (or derivative) at window position r. Those rows come from an
/// orthonormal polynomial basis on the window, built by the Stieltjes process (qₖ ∝ u·qₖ₋₁,
/// orthogonalised twice against all previous qⱼ) on the positions scaled to u ∈ [−1, 1] —
/// well conditioned where the raw Vandermonde matrix scipy hands to lstsq is not. The result
/// therefore agrees with the exact rational least-squares filter to ~1e-15 relative, and with
/// scipy to its own rounding, which grows with window and order (tests measure both).
///
/// Deliberate differences: an even window_length is an error (scipy >= 1.? accepts it with the
/// fit evaluated half a sample off-centre; a smoothed LENS series must stay aligned with its
/// frames); only mode='interp'. Errors: even or zero window, window longer than the signal,
/// polyorder >= window_length, a non-finite sample or delta <= 0.
/// Cost: O(window_length² · polyorder) to build the table (one allocation, once per call),
/// then window_length multiply–adds per sample.

#include <tessera/core/error.hpp>
#include <tessera/learn/detail/rounded.hpp>

#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace tessera {

namespace detail {

/// Row-major window_length × window_length weights: out(t) = Σⱼ W[r][j] y(start + j) is the
/// deriv-th derivative, at window position r, of the polynomial fitted to y(start … start + w).
inline std::vector<double> savgol_weights(std::size_t w, std::size_t polyorder, std::size_t deriv, double delta) {
    std::vector<double> weights(w * w, 0.0);
    if (deriv > polyorder) return weights;
    const std::size_t m = polyorder + 1, h = w / 2;
    const double scale = h ? double(h) : 1.0;  // u = (t − h) / scale in [−1, 1]
    std::vector<double> u(w), q(m * w), c(m * m, 0.0);  // q[k*w + t] = q_k(u_t); q_k(u) = Σ_l c[k*m + l] u^l
    for (std::size_t t = 0; t < w; ++t) u[t] = (double(t) - double(h)) / scale;
    for (std::size_t k = 0; k < m; ++k) {
        double* qk = &q[k * w];
        double* ck = &c[k * m];
        if (k == 0) {
            for (std::size_t t = 0; t < w; ++t) qk[t] = 1.0;
            ck[0] = 1.0;
        } else {  // u · q_{k−1}
            for (std::size_t t = 0; t < w; ++t) qk[t] = u[t] * q[(k - 1) * w + t];
            for (std::size_t l = 0; l + 1 < m; ++l) ck[l + 1] = c[(k - 1) * m + l];
        }
        for (int pass = 0; pass < 2; ++pass)  // twice is enough (Giraud et al., "twice is enough")
            for (std::size_t j = 0; j < k; ++j) {
                const double* qj = &q[j * w];
                double dot = 0;
                for (std::size_t t = 0; t < w; ++t) dot += qk[t] * qj[t];
                for (std::size_t t = 0; t < w; ++t) qk[t] -= dot * qj[t];
                for (std::size_t l = 0; l < m; ++l) ck[l] -= dot * c[j * m + l];
            }
        double norm = 0;
        for (std::size_t t = 0; t < w; ++t) norm += qk[t] * qk[t];
        norm = std::sqrt(norm);
        for (std::size_t t = 0; t < w; ++t) qk[t] /= norm;
        for (std::size_t l = 0; l < m; ++l) ck[l] /= norm;
    }
    // d^deriv/dt^deriv of q_k at u_r: Σ_l c_kl · l!/(l − deriv)! · u_r^(l − deriv) / scale^deriv
    const double unit = std::pow(scale, double(deriv)) * std::pow(delta, double(deriv));
    std::vector<double> dq(m);
    for (std::size_t r = 0; r < w; ++r) {
        for (std::size_t k = 0; k < m; ++k) {
            double s = 0;
            for (std::size_t l = polyorder + 1; l-- > deriv;) {  // Horner in u over l = deriv … polyorder
                double falling = 1;
                for (std::size_t f = 0; f < deriv; ++f) falling *= double(l - f);
                s = s * u[r] + c[k * m + l] * falling;
            }
            dq[k] = s / unit;
        }
        for (std::size_t j = 0; j < w; ++j) {
            double s = 0;
            for (std::size_t k = 0; k < m; ++k) s += dq[k] * q[k * w + j];
            weights[r * w + j] = s;
        }
    }
    // The centre row is exactly symmetric (even deriv) or antisymmetric (odd deriv); impose it.
    const double sign = deriv % 2 ? -1.0 : 1.0;
    double* centre = &weights[h * w];
    for (std::size_t j = 1; j <= h; ++j) {
        const double v = 0.5 * (centre[h + j] + sign * centre[h - j]);
        centre[h + j] = v;
        centre[h - j] = sign * v;
    }
    if (deriv % 2) centre[h] = 0.0;
    return weights;
}

}  // namespace detail

/// Savitzky–Golay filter of y into out (same size), scipy.signal.savgol_filter(y, window_length,
/// polyorder, deriv, delta, mode='interp').
inline void savgol_filter(std::span<const double> y, std::size_t window_length, std::size_t polyorder,
                          std::span<double> out, std::size_t deriv = 0, double delta = 1.0) {
    const std::size_t n = y.size(), w = window_length;
    if (w == 0 || w % 2 == 0) throw error("savgol_filter: window_length must be odd and positive, got ", w);
    if (w > n) throw error("savgol_filter: window_length ", w, " exceeds the signal length ", n);
    if (polyorder >= w) throw error("savgol_filter: polyorder ", polyorder, " must be less than window_length ", w);
    if (!(delta > 0) || !std::isfinite(delta)) throw error("savgol_filter: delta must be positive and finite, got ", delta);
    if (out.size() != n) throw error("savgol_filter: output has ", out.size(), " samples, input ", n);
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(y[i])) throw error("savgol_filter: non-finite sample ", y[i], " at index ", i);
    const std::vector<double> W = detail::savgol_weights(w, polyorder, deriv, delta);
    const std::size_t h = w / 2;
    const auto apply = [&](const double* row, std::size_t start) {
        double s = 0;
        for (std::size_t j = 0; j < w; ++j) s += detail::rounded_product(row[j], y[start + j]);
        return s;
    };
    for (std::size_t t = 0; t < n; ++t) {
        if (t < h) out[t] = apply(&W[t * w], 0);
        else if (t + h >= n) out[t] = apply(&W[(t - (n - w)) * w], n - w);
        else out[t] = apply(&W[h * w], t - h);
    }
}

/// As above, returning the filtered signal.
[[nodiscard]] inline std::vector<double> savgol_filter(std::span<const double> y, std::size_t window_length,
                                                       std::size_t polyorder, std::size_t deriv = 0, double delta = 1.0) {
    std::vector<double> out(y.size());
    savgol_filter(y, window_length, polyorder, out, deriv, delta);
    return out;
}

}  // namespace tessera
