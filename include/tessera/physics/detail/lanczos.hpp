#pragma once
/// @file
/// The lowest eigenpair of a symmetric operator known only through products H·u — the Lanczos
/// step of ARTn (Malek & Mousseau, PRE 62, 7723 (2000)), used by physics/saddle_search.hpp with
/// H·u from central differences of the forces.
///
/// Plain Lanczos from a start vector q₀ (the previous lowest mode, so that successive calls
/// along a path converge in a few products): w = H q_j − α_j q_j − β_j q_{j−1}, with full
/// re-orthogonalisation against every earlier q (k ≤ ~20 vectors: cheap next to the force
/// evaluations, and without it finite-difference noise makes ghost copies of the lowest Ritz
/// value). The lowest Ritz pair (θ, y) of the tridiagonal T_k (Eigen's
/// SelfAdjointEigenSolver::computeFromTridiagonal) is accepted once |θ_k − θ_{k−1}| <=
/// tolerance · max(|θ_k|, scale) — relative for large |θ|, relative to `scale` (the caller's
/// eigenvalue threshold, which carries the units) near zero, where a pure relative test never
/// ends. The eigenvector is Q y, normalised.
///
/// Uniform translation (the same vector on every atom) is an exact zero mode of any
/// translation-invariant energy, periodic box or not; it is projected out of every Lanczos vector
/// so that the three zero modes never compete with the soft physical mode.

#include <tessera/core/vec.hpp>

#include <Eigen/Dense>

#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

namespace tessera::detail {

inline double dot_flat(std::span<const vec3<double>> a, std::span<const vec3<double>> b) noexcept {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += a[i].x * b[i].x + a[i].y * b[i].y + a[i].z * b[i].z;
    return s;
}

/// Removes the uniform-translation component (the mean over atoms) of v.
inline void remove_translation(std::span<vec3<double>> v) noexcept {
    if (v.empty()) return;
    vec3<double> mean{0, 0, 0};
    for (const auto& a : v) mean += a;
    mean /= double(v.size());
    for (auto& a : v) a -= mean;
}

/// Scales v to unit Euclidean norm over its 3N components; returns the norm it had.
inline double normalize_flat(std::span<vec3<double>> v) noexcept {
    const double n = std::sqrt(dot_flat(v, v));
    if (n > 0)
        for (auto& a : v) a /= n;
    return n;
}

struct lanczos_result {
    double eigenvalue = 0;    ///< lowest Ritz value
    double largest = 0;       ///< largest Ritz value (a lower bound of the top of the spectrum)
    std::size_t products = 0; ///< H·u products used
    bool converged = false;
};

/// Basis storage, allocated on first use and reused across calls.
struct lanczos_workspace {
    std::vector<std::vector<vec3<double>>> q;
    std::vector<vec3<double>> w;
};

/// Lowest eigenpair of H. `v` holds the start vector on entry (it must not vanish after the
/// translation is removed) and the normalised eigenvector on exit. `hv(u, out)` writes H·u.
template <class HessianVector>
lanczos_result lowest_mode(HessianVector&& hv, std::span<vec3<double>> v, std::size_t max_iterations, double tolerance,
                           double scale, lanczos_workspace& ws) {
    const std::size_t n = v.size();
    lanczos_result r;
    if (ws.q.size() < max_iterations) ws.q.resize(max_iterations);
    ws.w.resize(n);
    remove_translation(v);
    if (!(normalize_flat(v) > 0)) return r;
    ws.q[0].assign(v.begin(), v.end());
    std::vector<double> alpha, beta;  // T_k's diagonal and off-diagonal
    alpha.reserve(max_iterations);
    beta.reserve(max_iterations);
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver;
    Eigen::VectorXd ritz_vector;
    double previous = 0;
    std::size_t k = 0;
    for (std::size_t j = 0; j < max_iterations; ++j) {
        hv(std::span<const vec3<double>>(ws.q[j]), std::span<vec3<double>>(ws.w));
        ++r.products;
        remove_translation(ws.w);
        const double a = dot_flat(ws.q[j], ws.w);
        alpha.push_back(a);
        for (std::size_t i = 0; i < n; ++i) {
            ws.w[i] -= a * ws.q[j][i];
            if (j > 0) ws.w[i] -= beta[j - 1] * ws.q[j - 1][i];
        }
        for (std::size_t l = 0; l <= j; ++l) {  // full re-orthogonalisation (file comment)
            const double c = dot_flat(ws.q[l], ws.w);
            for (std::size_t i = 0; i < n; ++i) ws.w[i] -= c * ws.q[l][i];
        }
        k = j + 1;
        const Eigen::Map<const Eigen::VectorXd> diag(alpha.data(), Eigen::Index(k));
        const Eigen::Map<const Eigen::VectorXd> sub(beta.data(), Eigen::Index(k - 1));
        solver.computeFromTridiagonal(diag, sub, Eigen::ComputeEigenvectors);
        const double theta = solver.eigenvalues()(0);
        r.eigenvalue = theta;
        r.largest = solver.eigenvalues()(Eigen::Index(k - 1));
        ritz_vector = solver.eigenvectors().col(0);
        if (j > 0 && std::fabs(theta - previous) <= tolerance * std::max(std::fabs(theta), scale)) {
            r.converged = true;
            break;
        }
        previous = theta;
        const double b = std::sqrt(dot_flat(ws.w, ws.w));
        // An invariant subspace (exact for tiny systems): T_k's spectrum is H's restricted to it.
        if (!(b > 1e-12 * std::max(std::fabs(a), 1.0))) {
            r.converged = true;
            break;
        }
        if (j + 1 == max_iterations) break;
        beta.push_back(b);
        ws.q[j + 1].resize(n);
        for (std::size_t i = 0; i < n; ++i) ws.q[j + 1][i] = ws.w[i] / b;
    }
    for (auto& a : v) a = {0, 0, 0};
    for (std::size_t l = 0; l < k; ++l)
        for (std::size_t i = 0; i < n; ++i) v[i] += ritz_vector(Eigen::Index(l)) * ws.q[l][i];
    normalize_flat(v);
    return r;
}

}  // namespace tessera::detail
