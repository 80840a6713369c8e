#pragma once
/// @file
/// Principal component analysis of a feature table, as scikit-learn 1.2's
/// `PCA(n_components=n, svd_solver="full", whiten=False)`:
///
///   mean                     column means (`mean_`)
///   Xc = X − mean = U S Vᵀ   thin SVD, singular values descending
///   components               the first n rows of Vᵀ (`components_`, n × cols, row-major)
///   explained_variance       S_j² / (rows − 1)  (`explained_variance_`, ddof = 1)
///   explained_variance_ratio S_j² / Σ_all S²     (over all min(rows, cols) values, not the n kept)
///   singular_values          S_j (`singular_values_`)
///   transform(X)             (X − mean) componentsᵀ, rows × n (`transform`)
///
/// Signs: sklearn's `svd_flip(U, Vt)` with its 1.2 default u_based_decision=True — in each
/// column of U the entry of largest |U| (the first one at a tie, numpy.argmax) is made positive,
/// and the matching row of Vᵀ flipped with it. So a component's sign follows the row that loads
/// most on it, not the component's own largest coefficient.
///
/// Why an SVD of the centred table (Eigen's JacobiSVD, column-pivoting Householder QR first)
/// rather than an eigen-decomposition of the covariance XcᵀXc: forming XcᵀXc squares the
/// condition number, so a small variance λ_j comes out with an absolute error ~ ε λ_max, i.e.
/// relative ε λ_max / λ_j; the SVD's singular values carry ~ ε σ_max, relative
/// 2 ε sqrt(λ_max / λ_j) on the variance. One-sided Jacobi is the most accurate of Eigen's SVDs
/// (high relative accuracy), and after the QR its sweeps act on a cols × cols triangle, so for
/// the tall, narrow tables of descriptors it costs about one QR, O(rows cols²). LAPACK's gesdd,
/// which scikit-learn calls, is backward stable too: both agree to rounding wherever the
/// decomposition is unique.
///
/// Not unique, hence not reproducible to sklearn's bits: components whose singular value is 0
/// (rank-deficient tables, rows ≤ cols) or repeated — any rotation within such a subspace is an
/// SVD. Memory: two copies of the table plus the thin U (rows × min(rows, cols)) in doubles.
/// Whitening (whiten=True), fractional / "mle" n_components and the randomized / ARPACK solvers
/// are not provided.
///
///     tessera::pca_model p = tessera::fit_pca(X, 2);
///     std::vector<double> scores = p.transform(X);    // rows x 2, row-major

#include <tessera/core/error.hpp>
#include <tessera/learn/feature_matrix.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

namespace tessera {

struct pca_model {
    std::size_t cols = 0;                          ///< features of the fitted table
    std::size_t n = 0;                             ///< components kept
    std::vector<double> mean;                      ///< cols
    std::vector<double> components;                ///< n × cols, row-major, orthonormal rows
    std::vector<double> explained_variance;        ///< n, descending
    std::vector<double> explained_variance_ratio;  ///< n
    std::vector<double> singular_values;           ///< n

    /// Scores (x − mean) componentsᵀ: x.rows × n, row-major. Throws unless x has `cols`
    /// finite columns.
    [[nodiscard]] std::vector<double> transform(const feature_matrix_view& x) const {
        check_features(x, "tessera::pca_model::transform");
        check_feature_count(x, cols, "tessera::pca_model::transform");
        std::vector<double> scores(x.rows * n);
        std::vector<double> centred(cols);
        for (std::size_t i = 0; i < x.rows; ++i) {
            const auto r = x.row(i);
            for (std::size_t c = 0; c < cols; ++c) centred[c] = r[c] - mean[c];
            for (std::size_t j = 0; j < n; ++j) {
                const double* v = components.data() + j * cols;
                double s = 0;
                for (std::size_t c = 0; c < cols; ++c) s += centred[c] * v[c];
                scores[i * n + j] = s;
            }
        }
        return scores;
    }
};

/// Fits the first `n_components` principal components of the rows of `x` (see the file
/// comment). Throws on fewer than 2 rows, n_components = 0 or > min(rows, cols), or a
/// non-finite value.
[[nodiscard]] inline pca_model fit_pca(const feature_matrix_view& x, std::size_t n_components) {
    check_features(x, "tessera::fit_pca");
    if (x.rows < 2) throw error("tessera::fit_pca: ", x.rows, " rows; the variance (ddof = 1) needs at least 2");
    const std::size_t k = std::min(x.rows, x.cols);
    if (n_components == 0 || n_components > k)
        throw error("tessera::fit_pca: n_components = ", n_components, " must be between 1 and min(rows, cols) = ",
                    k, " (", x.rows, " rows, ", x.cols, " columns)");

    pca_model m;
    m.cols = x.cols;
    m.n = n_components;
    // numpy's mean over axis 0: one running sum per column, rows in order, then the division.
    m.mean.assign(x.cols, 0.0);
    for (std::size_t i = 0; i < x.rows; ++i) {
        const auto r = x.row(i);
        for (std::size_t c = 0; c < x.cols; ++c) m.mean[c] += r[c];
    }
    for (double& v : m.mean) v /= static_cast<double>(x.rows);

    const auto rows = static_cast<Eigen::Index>(x.rows), cols = static_cast<Eigen::Index>(x.cols);
    Eigen::MatrixXd centred(rows, cols);
    for (Eigen::Index i = 0; i < rows; ++i)
        for (Eigen::Index c = 0; c < cols; ++c)
            centred(i, c) = x(static_cast<std::size_t>(i), static_cast<std::size_t>(c)) - m.mean[static_cast<std::size_t>(c)];
    const Eigen::JacobiSVD<Eigen::MatrixXd, Eigen::ColPivHouseholderQRPreconditioner> svd(
        centred, Eigen::ComputeThinU | Eigen::ComputeThinV);
    const Eigen::VectorXd& S = svd.singularValues();
    const Eigen::MatrixXd& U = svd.matrixU();
    const Eigen::MatrixXd& V = svd.matrixV();

    const double dof = static_cast<double>(x.rows - 1);
    double total = 0;
    for (Eigen::Index j = 0; j < S.size(); ++j) total += S(j) * S(j) / dof;
    m.components.resize(n_components * x.cols);
    for (std::size_t j = 0; j < n_components; ++j) {
        const auto jj = static_cast<Eigen::Index>(j);
        Eigen::Index arg = 0;  // numpy.argmax(|U[:, j]|): the first maximum
        for (Eigen::Index i = 1; i < rows; ++i)
            if (std::abs(U(i, jj)) > std::abs(U(arg, jj))) arg = i;
        const double sign = U(arg, jj) < 0 ? -1.0 : 1.0;
        for (Eigen::Index c = 0; c < cols; ++c) m.components[j * x.cols + static_cast<std::size_t>(c)] = sign * V(c, jj);
        const double variance = S(jj) * S(jj) / dof;
        m.explained_variance.push_back(variance);
        m.explained_variance_ratio.push_back(variance / total);
        m.singular_values.push_back(S(jj));
    }
    return m;
}

}  // namespace tessera
