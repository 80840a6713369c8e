#pragma once
/// @file
/// Per-atom vibrational densities of states of large systems by the kernel polynomial method
/// (Weiße, Wellein, Alvermann & Fehske, Rev. Mod. Phys. 78, 275 (2006), §II–III) on the sparse
/// dynamical matrix (physics/hessian.hpp `multiply`, O(bonds) memory): the large-system path to
/// physics/vdos.hpp's g_i(ν) = (1/3N) Σ_k δ(ν − ν_k) |e_k,i|² (seed 003, Eq. 6).
///
/// With D̃ = (D − a)/b mapping the spectrum into [−1, 1] and R random vectors r (entries ±1,
/// std::mt19937_64 seeded by `seed`, vector by vector), the local Chebyshev moments
///
///     μ_n,i = (1/R) Σ_r Σ_{c=x,y,z} r_{3i+c} [T_n(D̃) r]_{3i+c}  →  Σ_k T_n(λ̃_k) |e_k,i|²
///
/// (unbiased: E[r rᵀ] = I), give ρ_i(λ̃) = [μ_0 + 2 Σ_{n≥1} g_n μ_n T_n(λ̃)] / (π√(1 − λ̃²)) with the
/// Jackson kernel g_n; g_i(ν) = ρ_i(λ) (dλ/dν) / (3N), λ = (ν/scale)². Evaluated at bin centres
/// (a smoothed density, resolution Δλ ≈ πb/M, i.e. Δν ≈ Δλ·scale²/(2ν): coarser at low ν).
/// The stochastic error of one atom's moments falls as 1/√R; Σ_i g_i is far more accurate (3N
/// components average). Spectral bounds from `lanczos_steps` Lanczos iterations, widened by
/// 5 % of the width (KPM needs every eigenvalue inside [−1, 1]).
///
/// Deterministic for a given seed, and bitwise the same for any `threads`: the random vectors are
/// drawn serially in vector order from one generator (the Lanczos start vector first); workers
/// take the vectors of a batch of `threads` consecutive ones, each recursion (a chain of products,
/// inherently serial) writes that vector's moments into the worker's own buffer, and the buffers
/// are added to the sum in vector order — the same additions, in the same order, as one thread.
/// The evaluation at the bins is split over atoms (each atom's g_i depends on its moments only)
/// and Σ_i g_i is summed over atoms in order afterwards. Memory per worker: n·moments doubles
/// (41 MB for 20 000 atoms and 256 moments) plus five vectors of 3N.
/// Measured (bench/physics_modes.cpp: 20 000-atom CuZr glass, 1.79 M blocks, 256 moments, 4
/// vectors, load average 8–9 on the 2 shared cores): 1 thread 29 s wall / 15 s CPU, 2 threads
/// 31 s wall with 8.4 s CPU on the calling thread — the work splits evenly, but an oversubscribed
/// machine gives no wall-clock speed-up; one product costs ~14 ms of CPU (memory-bound).

#include <tessera/core/error.hpp>
#include <tessera/core/worker_threads.hpp>
#include <tessera/physics/hessian.hpp>
#include <tessera/physics/vdos.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <random>
#include <vector>

namespace tessera {

struct kpm_options {
    std::size_t moments = 256;
    std::size_t vectors = 32;
    std::uint64_t seed = 1;
    std::size_t lanczos_steps = 60;
    std::size_t bins = 100;
    double max_frequency = 0;  ///< 0: √(upper spectral bound)·scale
    double frequency_scale = frequency_scale_thz;
    unsigned threads = 1;  ///< workers over the random vectors (and atoms); results do not depend on it
};

struct kpm_vdos {
    double bin_width = 0;
    std::vector<double> frequency;  ///< bin centres
    std::vector<double> g;          ///< Σ_i g_i
    std::vector<double> per_atom;   ///< [i·bins + b]
    double lambda_min = 0, lambda_max = 0;  ///< the bounds used
};

inline kpm_vdos kpm_per_atom_vdos(const sparse_hessian& d, const kpm_options& o = {}) {
    static constexpr const char* who = "tessera::kpm_per_atom_vdos";
    const std::size_t n = d.num_atoms(), dim = 3 * n;
    if (o.moments < 2 || o.vectors < 1 || o.bins < 1 || o.lanczos_steps < 2 || o.threads < 1)
        throw error(who, ": need moments >= 2, vectors >= 1, bins >= 1, lanczos_steps >= 2, threads >= 1");
    if (!(o.frequency_scale > 0) || !(o.max_frequency >= 0) || !std::isfinite(o.max_frequency))
        throw error(who, ": frequency_scale must be > 0 and max_frequency >= 0");
    kpm_vdos out;
    if (n == 0) return out;
    std::mt19937_64 rng(o.seed);
    // Lanczos for the spectral bounds
    const std::size_t steps = std::min(o.lanczos_steps, dim);
    std::vector<double> v(dim), w(dim), prev(dim, 0.0);
    for (double& x : v) x = (rng() & 1) ? 1.0 : -1.0;
    {
        double nv = 0;
        for (double x : v) nv += x * x;
        for (double& x : v) x /= std::sqrt(nv);
    }
    std::vector<double> alpha, beta;
    double b_prev = 0;
    for (std::size_t k = 0; k < steps; ++k) {
        d.multiply(v, w);
        double a = 0;
        for (std::size_t q = 0; q < dim; ++q) a += w[q] * v[q];
        for (std::size_t q = 0; q < dim; ++q) w[q] -= a * v[q] + b_prev * prev[q];
        double bn = 0;
        for (double x : w) bn += x * x;
        bn = std::sqrt(bn);
        alpha.push_back(a);
        if (bn < 1e-300 || k + 1 == steps) break;
        beta.push_back(bn);
        prev = v;
        for (std::size_t q = 0; q < dim; ++q) v[q] = w[q] / bn;
        b_prev = bn;
    }
    Eigen::MatrixXd t = Eigen::MatrixXd::Zero(Eigen::Index(alpha.size()), Eigen::Index(alpha.size()));
    for (std::size_t k = 0; k < alpha.size(); ++k) t(Eigen::Index(k), Eigen::Index(k)) = alpha[k];
    for (std::size_t k = 0; k + 1 < alpha.size(); ++k)
        t(Eigen::Index(k), Eigen::Index(k + 1)) = t(Eigen::Index(k + 1), Eigen::Index(k)) = beta[k];
    const Eigen::VectorXd ritz = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(t, Eigen::EigenvaluesOnly).eigenvalues();
    double lo = std::min(0.0, ritz(0)), hi = ritz(ritz.size() - 1);
    const double pad = 0.05 * (hi - lo);
    lo -= pad;
    hi += pad;
    out.lambda_min = lo;
    out.lambda_max = hi;
    const double ca = 0.5 * (hi + lo), cb = 0.5 * (hi - lo);

    // local moments
    const std::size_t m = o.moments;
    const std::size_t workers = std::min<std::size_t>(o.threads, o.vectors);
    std::vector<double> mu(n * m, 0.0);
    struct scratch {
        std::vector<double> r, t0, t1, t2, hv, mu;  // mu: this vector's moments, [i·m + k]
    };
    std::vector<scratch> pool(workers);
    for (auto& w : pool) {
        for (auto* v : {&w.r, &w.t0, &w.t1, &w.t2, &w.hv}) v->resize(dim);
        w.mu.resize(n * m);
    }
    const auto recursion = [&](scratch& w) {
        const auto apply = [&](const std::vector<double>& x, std::vector<double>& y) {  // y = D̃ x
            d.multiply(x, w.hv);
            for (std::size_t q = 0; q < dim; ++q) y[q] = (w.hv[q] - ca * x[q]) / cb;
        };
        const auto moment = [&](std::size_t k, const std::vector<double>& tv) {
            for (std::size_t i = 0; i < n; ++i)
                w.mu[i * m + k] = w.r[3 * i] * tv[3 * i] + w.r[3 * i + 1] * tv[3 * i + 1] + w.r[3 * i + 2] * tv[3 * i + 2];
        };
        w.t0 = w.r;
        moment(0, w.t0);
        apply(w.t0, w.t1);
        moment(1, w.t1);
        for (std::size_t k = 2; k < m; ++k) {
            apply(w.t1, w.t2);
            for (std::size_t q = 0; q < dim; ++q) w.t2[q] = 2.0 * w.t2[q] - w.t0[q];
            moment(k, w.t2);
            std::swap(w.t0, w.t1);
            std::swap(w.t1, w.t2);
        }
    };
    for (std::size_t first = 0; first < o.vectors; first += workers) {
        const std::size_t batch = std::min(workers, o.vectors - first);
        for (std::size_t w = 0; w < batch; ++w)  // vector first + w, drawn in vector order
            for (double& x : pool[w].r) x = (rng() & 1) ? 1.0 : -1.0;
        run_workers(unsigned(batch), [&](unsigned w) { recursion(pool[w]); });  // core/worker_threads.hpp
        for (std::size_t w = 0; w < batch; ++w)
            for (std::size_t q = 0; q < n * m; ++q) mu[q] += pool[w].mu[q];
    }
    pool.clear();
    // Jackson kernel (Weiße et al. Eq. 71)
    std::vector<double> gk(m);
    const double mp = double(m) + 1.0;
    for (std::size_t k = 0; k < m; ++k)
        gk[k] = ((mp - double(k)) * std::cos(std::numbers::pi * double(k) / mp) +
                 std::sin(std::numbers::pi * double(k) / mp) / std::tan(std::numbers::pi / mp)) / mp;

    const double top = o.max_frequency > 0 ? o.max_frequency : std::sqrt(hi) * o.frequency_scale;
    const std::size_t nb = o.bins;
    out.bin_width = top / double(nb);
    out.frequency.resize(nb);
    out.g.assign(nb, 0.0);
    out.per_atom.assign(n * nb, 0.0);
    std::vector<double> cheb(nb * m, 0.0), jac(nb, 0.0);  // T_k(x_b) and the Jacobian per bin
    std::vector<unsigned char> inside(nb, 0);
    const double inv = 1.0 / (double(o.vectors) * double(dim));
    for (std::size_t b = 0; b < nb; ++b) {
        const double nu = (double(b) + 0.5) * out.bin_width;
        out.frequency[b] = nu;
        const double lam = (nu / o.frequency_scale) * (nu / o.frequency_scale);
        const double x = (lam - ca) / cb;
        if (!(x > -1.0 && x < 1.0)) continue;
        inside[b] = 1;
        double* c = cheb.data() + b * m;
        c[0] = 1.0;
        c[1] = x;
        for (std::size_t k = 2; k < m; ++k) c[k] = 2.0 * x * c[k - 1] - c[k - 2];
        // ρ(λ) dλ = ρ(x) dx with dx = dλ / cb; dλ/dν = 2ν/scale²
        jac[b] = 2.0 * nu / (o.frequency_scale * o.frequency_scale) / cb / (std::numbers::pi * std::sqrt(1.0 - x * x));
    }
    const std::size_t eval_workers = std::min<std::size_t>(o.threads, n);
    run_workers(unsigned(eval_workers), [&](unsigned w) {  // atoms w, w + T, ...: each depends on its moments only
        for (std::size_t i = w; i < n; i += eval_workers)
            for (std::size_t b = 0; b < nb; ++b) {
                if (!inside[b]) continue;
                const double* c = cheb.data() + b * m;
                double s = gk[0] * mu[i * m];
                for (std::size_t k = 1; k < m; ++k) s += 2.0 * gk[k] * mu[i * m + k] * c[k];
                out.per_atom[i * nb + b] = s * jac[b] * inv;
            }
    });
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t b = 0; b < nb; ++b) out.g[b] += out.per_atom[i * nb + b];
    return out;
}

}  // namespace tessera
