#pragma once
/// @file
/// Feature scaling as scikit-learn's StandardScaler and MinMaxScaler (sklearn 1.2).
///
/// standard_scaler: \f$ z_{ij} = (x_{ij} - \mu_j) / s_j \f$ with \f$ \mu_j = \frac1n\sum_i x_{ij} \f$
/// and \f$ s_j = \sqrt{\sigma_j^2} \f$, the population variance (ddof = 0) computed, as sklearn's
/// `_incremental_mean_and_var` does, by the corrected two-pass formula of Chan, Golub & LeVeque
/// (Am. Stat. 37, 242 (1983)):
/// \f$ \sigma_j^2 = \frac1n\left[\sum_i (x_{ij}-\mu_j)^2 - \frac1n\left(\sum_i (x_{ij}-\mu_j)\right)^2\right] \f$.
/// A (near-)constant feature — sklearn's `_is_constant_feature`:
/// \f$ \sigma^2 \le n\,\epsilon\,\sigma^2 + (n\,\mu\,\epsilon)^2 \f$, ε = 2^-52 — gets s = 1.
/// Sums run over rows in order, as numpy's axis-0 reduction of a C-ordered array does, so
/// mean_, var_ and scale_ equal sklearn's to the bit (tests/learn/scaler.cpp checks this).
///
/// minmax_scaler (feature_range (a, b), default (0, 1)): `scale_ = (b - a) / range`, with a range
/// below 10 ε replaced by 1 (sklearn's `_handle_zeros_in_scale`), `min_ = a - data_min_ * scale_`,
/// transform `x * scale_ + min_` (two roundings, as sklearn's in-place `X *= scale_; X += min_`),
/// inverse `(z - min_) / scale_`.
///
/// Parameters are public members named as sklearn's attributes (mean_, var_, scale_, min_, ...),
/// so a fitted scaler can be saved and restored by copying them. transform writes into a caller
/// buffer of rows * cols doubles (row-major, dense); it may be the input's own buffer when the
/// input is dense. Bad input (non-finite values, a column count other than the fitted one, a
/// buffer of the wrong size, transform before fit) throws tessera::error.

#include <tessera/core/error.hpp>
#include <tessera/learn/detail/rounded.hpp>
#include <tessera/learn/feature_matrix.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

namespace tessera {

namespace detail {

inline void check_scaler_io(const char* who, const feature_matrix_view& x, std::size_t fitted_cols,
                            std::span<double> out) {
    if (fitted_cols == 0) throw error(who, ": the scaler is not fitted (call fit first)");
    check_feature_count(x, fitted_cols, who);
    check_features(x, who);
    if (out.size() != x.rows * x.cols)
        throw error(who, ": output buffer holds ", out.size(), " doubles, need rows * cols = ", x.rows * x.cols);
}

}  // namespace detail

class standard_scaler {
public:
    bool with_mean = true;  ///< subtract mean_ in transform (sklearn with_mean)
    bool with_std = true;   ///< divide by scale_ in transform (sklearn with_std)

    std::vector<double> mean_;   ///< per feature
    std::vector<double> var_;    ///< per feature, ddof = 0
    std::vector<double> scale_;  ///< sqrt(var_), 1 for constant features
    std::size_t n_samples_seen_ = 0;

    standard_scaler() = default;
    standard_scaler(bool with_mean_, bool with_std_) : with_mean(with_mean_), with_std(with_std_) {}

    [[nodiscard]] std::size_t n_features_in() const noexcept { return mean_.size(); }

    standard_scaler& fit(const feature_matrix_view& x) {
        check_features(x, "standard_scaler.fit");
        if (x.rows == 0) throw error("standard_scaler.fit: the feature matrix has 0 rows");
        const std::size_t n = x.rows, m = x.cols;
        const double dn = static_cast<double>(n);
        std::vector<double> sum(m, 0.0), corr(m, 0.0), sq(m, 0.0);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < m; ++j) sum[j] += x(i, j);
        mean_.assign(m, 0.0);
        var_.assign(m, 0.0);
        scale_.assign(m, 1.0);
        for (std::size_t j = 0; j < m; ++j) mean_[j] = sum[j] / dn;  // sklearn: T = new_sum / n
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < m; ++j) {
                const double t = x(i, j) - mean_[j];
                corr[j] += t;
                sq[j] += detail::rounded_product(t, t);
            }
        constexpr double eps = std::numeric_limits<double>::epsilon();
        for (std::size_t j = 0; j < m; ++j) {
            var_[j] = (sq[j] - detail::rounded_product(corr[j], corr[j]) / dn) / dn;
            const double c = dn * mean_[j] * eps;
            const double bound = detail::rounded_product(dn * eps, var_[j]) + detail::rounded_product(c, c);
            scale_[j] = var_[j] <= bound ? 1.0 : std::sqrt(var_[j]);
        }
        n_samples_seen_ = n;
        return *this;
    }

    void transform(const feature_matrix_view& x, std::span<double> out) const {
        detail::check_scaler_io("standard_scaler.transform", x, n_features_in(), out);
        const std::size_t m = x.cols;
        for (std::size_t i = 0; i < x.rows; ++i)
            for (std::size_t j = 0; j < m; ++j) {
                double v = x(i, j);
                if (with_mean) v -= mean_[j];
                if (with_std) v /= scale_[j];
                out[i * m + j] = v;
            }
    }

    void inverse_transform(const feature_matrix_view& z, std::span<double> out) const {
        detail::check_scaler_io("standard_scaler.inverse_transform", z, n_features_in(), out);
        const std::size_t m = z.cols;
        for (std::size_t i = 0; i < z.rows; ++i)
            for (std::size_t j = 0; j < m; ++j) {
                double v = z(i, j);
                if (with_std) v = detail::rounded_product(v, scale_[j]);
                if (with_mean) v += mean_[j];
                out[i * m + j] = v;
            }
    }
};

class minmax_scaler {
public:
    double range_min = 0.0;  ///< feature_range[0]
    double range_max = 1.0;  ///< feature_range[1]

    std::vector<double> min_;    ///< per feature: range_min - data_min_ * scale_
    std::vector<double> scale_;  ///< per feature: (range_max - range_min) / data_range_ (range 1 if ~0)
    std::vector<double> data_min_, data_max_, data_range_;
    std::size_t n_samples_seen_ = 0;

    minmax_scaler() = default;
    minmax_scaler(double feature_range_min, double feature_range_max)
        : range_min(feature_range_min), range_max(feature_range_max) {}

    [[nodiscard]] std::size_t n_features_in() const noexcept { return scale_.size(); }

    minmax_scaler& fit(const feature_matrix_view& x) {
        if (!(range_min < range_max))
            throw error("minmax_scaler.fit: feature_range (", range_min, ", ", range_max,
                        ") must have min < max");
        check_features(x, "minmax_scaler.fit");
        if (x.rows == 0) throw error("minmax_scaler.fit: the feature matrix has 0 rows");
        const std::size_t m = x.cols;
        data_min_.assign(x.row(0).begin(), x.row(0).end());
        data_max_ = data_min_;
        for (std::size_t i = 1; i < x.rows; ++i)
            for (std::size_t j = 0; j < m; ++j) {
                const double v = x(i, j);
                if (v < data_min_[j]) data_min_[j] = v;
                if (v > data_max_[j]) data_max_[j] = v;
            }
        data_range_.assign(m, 0.0);
        scale_.assign(m, 1.0);
        min_.assign(m, 0.0);
        constexpr double eps = std::numeric_limits<double>::epsilon();
        for (std::size_t j = 0; j < m; ++j) {
            data_range_[j] = data_max_[j] - data_min_[j];
            const double range = data_range_[j] < 10 * eps ? 1.0 : data_range_[j];
            scale_[j] = (range_max - range_min) / range;
            min_[j] = range_min - detail::rounded_product(data_min_[j], scale_[j]);
        }
        n_samples_seen_ = x.rows;
        return *this;
    }

    void transform(const feature_matrix_view& x, std::span<double> out) const {
        detail::check_scaler_io("minmax_scaler.transform", x, n_features_in(), out);
        const std::size_t m = x.cols;
        for (std::size_t i = 0; i < x.rows; ++i)
            for (std::size_t j = 0; j < m; ++j) {
                const double v = detail::rounded_product(x(i, j), scale_[j]) + min_[j];
                out[i * m + j] = v;
            }
    }

    void inverse_transform(const feature_matrix_view& z, std::span<double> out) const {
        detail::check_scaler_io("minmax_scaler.inverse_transform", z, n_features_in(), out);
        const std::size_t m = z.cols;
        for (std::size_t i = 0; i < z.rows; ++i)
            for (std::size_t j = 0; j < m; ++j) out[i * m + j] = (z(i, j) - min_[j]) / scale_[j];
    }
};

}  // namespace tessera
