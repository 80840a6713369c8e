#pragma once
/// @file
/// A zero-copy, row-major view of a feature table: the input of every learn/ component.
///
/// Row i, column j is `data[i * stride() + j]`, where `stride() = row_stride` (0 means `cols`, a
/// dense table). Nothing is copied: the caller's doubles (a descriptor result, a numpy buffer, a
/// LAMMPS per-atom array) must outlive the view. Feature names are optional; when given there is
/// one per column (the column order is part of a trained model's contract, as scikit-learn's
/// `feature_names_in_`).
///
///     std::vector<double> x(n * 3);                          // n rows of 3 features
///     tessera::feature_matrix_view X{x.data(), n, 3};
///     tessera::check_features(X, "my_model.fit");           // throws on NaN/inf (row, column)
///     std::span<const double> r = X.row(7);
///
/// A view with rows = 0 is valid (empty); cols = 0 is rejected by check_features.

#include <tessera/core/error.hpp>

#include <cmath>
#include <cstddef>
#include <span>
#include <string>

namespace tessera {

struct feature_matrix_view {
    const double* data = nullptr;
    std::size_t rows = 0;
    std::size_t cols = 0;
    std::size_t row_stride = 0;            ///< distance between rows in doubles; 0 means cols
    std::span<const std::string> names{};  ///< empty, or one name per column

    [[nodiscard]] constexpr std::size_t stride() const noexcept { return row_stride ? row_stride : cols; }
    [[nodiscard]] std::span<const double> row(std::size_t i) const noexcept { return {data + i * stride(), cols}; }
    [[nodiscard]] double operator()(std::size_t i, std::size_t j) const noexcept { return data[i * stride() + j]; }
};

/// A view of a dense row-major buffer of `rows * cols` doubles.
[[nodiscard]] inline feature_matrix_view features(std::span<const double> buffer, std::size_t cols) {
    if (cols == 0) throw error("feature_matrix_view: cols must be > 0");
    if (buffer.size() % cols != 0)
        throw error("feature_matrix_view: buffer of ", buffer.size(), " doubles is not a whole number of rows of ",
                    cols, " columns");
    return {buffer.data(), buffer.size() / cols, cols, cols, {}};
}

/// Throws tessera::error unless the view is well formed (cols > 0, a non-null pointer when
/// rows > 0, row_stride >= cols, names empty or one per column) and every value is finite; the
/// message names `who`, the first offending row and column (and the column's name when given).
inline void check_features(const feature_matrix_view& x, const char* who) {
    if (x.cols == 0) throw error(who, ": the feature matrix has 0 columns");
    if (x.row_stride != 0 && x.row_stride < x.cols)
        throw error(who, ": row_stride ", x.row_stride, " is smaller than the number of columns ", x.cols);
    if (x.rows > 0 && x.data == nullptr) throw error(who, ": the feature matrix has ", x.rows, " rows but no data");
    if (!x.names.empty() && x.names.size() != x.cols)
        throw error(who, ": ", x.names.size(), " feature names for ", x.cols, " columns");
    for (std::size_t i = 0; i < x.rows; ++i) {
        const double* r = x.data + i * x.stride();
        for (std::size_t j = 0; j < x.cols; ++j)
            if (!std::isfinite(r[j])) {
                if (x.names.empty())
                    throw error(who, ": feature value ", r[j], " at row ", i, ", column ", j, " is not finite");
                throw error(who, ": feature value ", r[j], " at row ", i, ", column ", j, " ('", x.names[j],
                            "') is not finite");
            }
    }
}

/// Throws unless `x` has `cols` columns (a model fitted on `cols` features meets new data).
inline void check_feature_count(const feature_matrix_view& x, std::size_t cols, const char* who) {
    if (x.cols != cols)
        throw error(who, ": the feature matrix has ", x.cols, " columns, but the model was fitted on ", cols);
}

}  // namespace tessera
