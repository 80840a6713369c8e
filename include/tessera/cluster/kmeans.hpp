#pragma once
/// @file
/// k-means clustering of a feature table (Lloyd's algorithm, k-means++ seeding), the model of
/// scikit-learn 1.2.1's `KMeans(algorithm="lloyd")` (sklearn/cluster/_kmeans.py).
///
/// Minimises the inertia \f$ \sum_i \lVert x_i - c_{l_i} \rVert^2 \f$ over k centres. One run:
///  - seeding, `kmeans_plusplus`: sklearn's `_kmeans_plusplus` (greedy k-means++): the first
///    centre a uniformly drawn row; then for each further centre, n_local_trials =
///    2 + floor(ln k) candidates drawn with probability ∝ D²(x) (the first row whose running sum
///    of D² reaches u·ΣD², u uniform in [0, 1)), keeping the candidate that gives the lowest
///    potential ΣD² (ties: the first drawn). Deliberate difference: the draws come from tessera's
///    std::mt19937_64 (u = (rng() >> 11)·2⁻⁵³, indices by unbiased rejection), not numpy's
///    RandomState, so seeds do not carry over from Python — only the algorithm does.
///  - Lloyd iterations as `_kmeans_single_lloyd`: assign every row to its nearest centre (ties:
///    the lowest index), then move each centre to the mean of its rows (sums over blocks of 4096
///    rows, each in row order, the blocks added in order; then multiplied by 1/count, as
///    sklearn's `_average_centers`; sklearn sums the mean-centred rows, so the two agree to
///    rounding, not bitwise, either way). A centre left with no rows is
///    relocated as sklearn's `_relocate_empty_clusters_dense`: the empty clusters take, in order,
///    the rows farthest from their (pre-update) centres — sklearn takes them from argpartition,
///    whose order among several empties is unspecified; here descending distance, ties to the
///    lower row — and the row's sum moves from its old cluster (its label is not changed until
///    the next assignment, as in sklearn). Stop when the labels did not change (strict
///    convergence), or when \f$ \sum_j \lVert c_j^{new} - c_j^{old} \rVert^2 \le tol_{abs} \f$
///    with tol_abs = tol · mean_j var(x_{·j}) (`_tolerance`, population variance), or after
///    max_iter iterations; unless converged strictly, the labels are recomputed from the final
///    centres (sklearn's final E-step), so labels and centres always agree.
///  - `kmeans` does n_init runs (sklearn 1.2's default n_init = 10, before its change to "auto")
///    drawing successive seedings from one generator, and keeps the lowest inertia; a later run
///    replaces the best only if its inertia is strictly lower and its partition differs
///    (`_is_same_clustering`), as sklearn.
///
/// Assignment uses Hamerly's bounds (G. Hamerly, "Making k-means even faster", SDM 2010): one
/// upper bound to the own centre and one lower bound to all others per row, plus half the
/// distance to the nearest other centre. Chosen over Elkan's k lower bounds per row because the
/// tables tessera clusters have few columns and small k, where Hamerly's paper finds it the
/// faster of the two, and it needs O(n) rather than O(nk) memory. Measured (bench/cluster_sklearn.cpp,
/// docs/performance.md): on 10^6 × 8 heavily overlapping blobs, k = 8, Hamerly still scans 44 %
/// of the rows and is ~10–30 % slower than `lloyd` (the vectorised scan of 8 centres costs about
/// what the bound bookkeeping does); at k = 32 (2·10^5 × 8) it is 1.7× faster, at d = 32 1.15×.
/// Hence the default, `kmeans_algorithm::automatic`: Hamerly when k ≥ 16 or k·cols ≥ 256, else
/// Lloyd (kmeans_prefers_hamerly).
/// The skip test runs as a separate branch-free pass that lists the rows to scan (a
/// mispredicted skip branch cost more than the scan it saved). The bounds only
/// skip distance computations; every
/// bound is widened by a relative margin (cols + 8)·ε (and every update rounded outward), larger
/// than the rounding of a squared distance, so a row is skipped only when plain Lloyd's computed
/// argmin provably equals its current label. Labels, centres, inertia and iteration counts are
/// therefore bitwise those of `kmeans_algorithm::lloyd` (every distance, every iteration).
/// Distances are direct sums Σ(x_j − c_j)² in column order, four or eight centres at a time
/// (detail::kmeans_centre_blocks: the same operations per distance, independent chains that the
/// compiler vectorises); sklearn instead
/// centres X and uses ‖c‖² − 2x·c through BLAS, so the two can disagree only for a row
/// equidistant from two centres to ~1e-15 relative (tests/cluster/kmeans.cpp: identical labels,
/// centres to 1e-12, on blobs and on the CuZr descriptor table).
///
/// Threads: the assignment step runs over fixed chunks of 4096 rows under an execution policy;
/// each row's label depends only on that row, each chunk sums its own rows for the centres, and
/// the chunks' sums (and the inertia, serially in row order) are added in a fixed order, so
/// results are identical for any thread count.
/// Errors (tessera::error): k = 0, k > rows, 0 columns, NaN/inf, max_iter = 0, n_init = 0,
/// tol < 0, initial centres of the wrong size or not finite.

#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/learn/feature_matrix.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <span>
#include <vector>

namespace tessera {

/// How the assignment step finds each row's nearest centre; all three give bitwise the same
/// labels, centres, inertia and iteration count (see the file comment), so this is a speed choice.
enum class kmeans_algorithm {
    automatic,  ///< Hamerly when k ≥ 16 or k·cols ≥ 256 (kmeans_prefers_hamerly), else Lloyd
    hamerly,    ///< Hamerly's bounds skip rows whose nearest centre provably did not change
    lloyd       ///< every distance, every iteration
};

/// automatic's switch. With few centres a full vectorised scan costs about what Hamerly's bound
/// bookkeeping does (measured, 2·10^5 rows of overlapping blobs, Hamerly/Lloyd time: k = 8 at
/// d = 8, 16, 32: 1.1–1.3, 1.28, 0.87; d = 8 at k = 16, 32: 0.96, 0.58).
[[nodiscard]] constexpr bool kmeans_prefers_hamerly(std::size_t k, std::size_t cols) noexcept {
    return k >= 16 || k * cols >= 256;
}

struct kmeans_options {
    std::size_t k = 8;
    std::size_t n_init = 10;      ///< independent k-means++ runs; the lowest inertia is kept
    std::size_t max_iter = 300;   ///< Lloyd iterations per run
    double tol = 1e-4;            ///< relative to the mean feature variance (see the file comment)
    std::uint64_t seed = 0;       ///< seeds the std::mt19937_64 of the k-means++ draws
    kmeans_algorithm algorithm = kmeans_algorithm::automatic;
};

namespace detail {
/// Σ_j (a_j − b_j)² in column order: the one distance every path uses.
inline double kmeans_sqdist(const double* a, const double* b, std::size_t d) noexcept {
    double s = 0;
    for (std::size_t j = 0; j < d; ++j) {
        const double t = a[j] - b[j];
        s += t * t;
    }
    return s;
}
/// The centres regrouped for the assignment: blocks of W centres stored column by column
/// (centre c = W·b + l, column j at [b·W·d + W·j + l]), eight centres per block while eight remain,
/// then four, then one at a time; so W distances advance together — independent add chains, and
/// lanes the compiler puts into vector registers. Each distance is still the sum Σ_j (x_j − c_j)²
/// started from 0 in column order, the operations of kmeans_sqdist, so every path sees the same
/// value for the same (row, centre).
class kmeans_centre_blocks {
public:
    void assign(const double* centers, std::size_t k, std::size_t d) {
        k_ = k;
        d_ = d;
        full8_ = k / 8 * 8;
        full4_ = full8_ + (k - full8_) / 4 * 4;
        centers_ = centers;
        blocked_.resize(full4_ * d);
        for (std::size_t c = 0; c < full4_; ++c) {
            const std::size_t w = c < full8_ ? 8 : 4, start = c < full8_ ? c / 8 * 8 : full8_;
            for (std::size_t j = 0; j < d; ++j) blocked_[start * d + w * j + (c - start)] = centers[c * d + j];
        }
    }
    /// Squared distances of row x to every centre into out[0..k).
    void distances(const double* x, double* out) const noexcept {
        for (std::size_t c0 = 0; c0 < full8_; c0 += 8) block<8>(x, &blocked_[c0 * d_], out + c0);
        if (full4_ > full8_) block<4>(x, &blocked_[full8_ * d_], out + full8_);
        for (std::size_t c = full4_; c < k_; ++c) out[c] = kmeans_sqdist(x, centers_ + c * d_, d_);
    }
    /// Nearest centre (ties: the lowest index) and its squared distance b1; with b2 also the
    /// smallest distance to any other centre. Written as minimum, first index at the minimum,
    /// then the minimum of the rest: selects without data-dependent branches, which a sequential
    /// "if (t < best)" scan mispredicts on overlapping clusters.
    std::size_t nearest(const double* x, double* scratch, double& b1, double* b2 = nullptr) const noexcept {
        distances(x, scratch);
        const std::size_t k = k_;
        double m = scratch[0];
        for (std::size_t j = 1; j < k; ++j) m = scratch[j] < m ? scratch[j] : m;
        std::size_t best = 0;
        for (std::size_t j = k; j-- > 1;) best = scratch[j] == m ? j : best;
        b1 = m;
        if (b2) {
            double m2 = std::numeric_limits<double>::infinity();
            for (std::size_t j = 0; j < best; ++j) m2 = scratch[j] < m2 ? scratch[j] : m2;
            for (std::size_t j = best + 1; j < k; ++j) m2 = scratch[j] < m2 ? scratch[j] : m2;
            *b2 = m2;
        }
        return best;
    }

private:
    // W = 4 or 8, written out: -O2 does not unroll a lane loop, and accumulators left in memory
    // would serialise on store-to-load forwarding.
    template <std::size_t W>
    void block(const double* x, const double* cb, double* out) const noexcept {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (std::size_t j = 0; j < d_; ++j, cb += W) {
            const double xj = x[j];
            const double t0 = xj - cb[0], t1 = xj - cb[1], t2 = xj - cb[2], t3 = xj - cb[3];
            s0 += t0 * t0;
            s1 += t1 * t1;
            s2 += t2 * t2;
            s3 += t3 * t3;
            if constexpr (W == 8) {
                const double t4 = xj - cb[4], t5 = xj - cb[5], t6 = xj - cb[6], t7 = xj - cb[7];
                s4 += t4 * t4;
                s5 += t5 * t5;
                s6 += t6 * t6;
                s7 += t7 * t7;
            }
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
        if constexpr (W == 8) {
            out[4] = s4;
            out[5] = s5;
            out[6] = s6;
            out[7] = s7;
        }
    }

    std::size_t k_ = 0, d_ = 0, full8_ = 0, full4_ = 0;
    const double* centers_ = nullptr;
    std::vector<double> blocked_;
};
}  // namespace detail

struct kmeans_result {
    std::size_t k = 0, cols = 0;
    std::vector<double> centers;       ///< k × cols, row-major
    std::vector<std::size_t> labels;   ///< nearest centre of each training row
    double inertia = 0;                ///< Σ squared distance of each row to its centre
    std::size_t iterations = 0;        ///< Lloyd iterations of the kept run (sklearn's n_iter_)
    bool converged = false;            ///< stopped before max_iter (labels fixed or shift ≤ tol)

    /// Nearest centre of each row of x (ties: the lowest index), as KMeans.predict.
    [[nodiscard]] std::vector<std::size_t> predict(const feature_matrix_view& x) const {
        check_features(x, "tessera::kmeans_result::predict");
        check_feature_count(x, cols, "tessera::kmeans_result::predict");
        std::vector<std::size_t> out(x.rows);
        detail::kmeans_centre_blocks blocks;
        blocks.assign(centers.data(), k, cols);
        std::vector<double> scratch(k);
        double b1 = 0;
        for (std::size_t i = 0; i < x.rows; ++i) out[i] = blocks.nearest(x.row(i).data(), scratch.data(), b1);
        return out;
    }
};

namespace detail {

inline void kmeans_check(const feature_matrix_view& x, std::size_t k, std::size_t max_iter, double tol,
                         const char* who) {
    check_features(x, who);
    if (k == 0) throw error(who, ": k must be at least 1");
    if (k > x.rows) throw error(who, ": k = ", k, " exceeds the ", x.rows, " rows");
    if (max_iter == 0) throw error(who, ": max_iter must be at least 1");
    if (!(tol >= 0) || !std::isfinite(tol)) throw error(who, ": tol = ", tol, " must be finite and >= 0");
}

/// sklearn's `_tolerance`: tol times the mean over columns of the population variance.
inline double kmeans_tolerance(const feature_matrix_view& x, double tol) {
    if (tol == 0) return 0;
    // Row-major passes (numpy's axis-0 reductions add rows in the same order).
    std::vector<double> mean(x.cols, 0.0), var(x.cols, 0.0);
    for (std::size_t i = 0; i < x.rows; ++i)
        for (std::size_t j = 0; j < x.cols; ++j) mean[j] += x(i, j);
    for (double& m : mean) m /= static_cast<double>(x.rows);
    for (std::size_t i = 0; i < x.rows; ++i)
        for (std::size_t j = 0; j < x.cols; ++j) var[j] += (x(i, j) - mean[j]) * (x(i, j) - mean[j]);
    double total = 0;
    for (double v : var) total += v / static_cast<double>(x.rows);
    return total / static_cast<double>(x.cols) * tol;
}

inline double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
/// Uniform in [0, n), unbiased (rejects the 2⁶⁴ mod n lowest draws).
inline std::size_t uniform_index(std::mt19937_64& rng, std::size_t n) {
    const std::uint64_t m = n, threshold = (0 - m) % m;
    for (;;)
        if (const std::uint64_t r = rng(); r >= threshold) return static_cast<std::size_t>(r % m);
}

/// sklearn's `_is_same_clustering`: does a → b map each label of a to a single label of b?
inline bool same_clustering(const std::vector<std::size_t>& a, const std::vector<std::size_t>& b, std::size_t k) {
    std::vector<std::size_t> map(k, k);
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (map[a[i]] == k) map[a[i]] = b[i];
        else if (map[a[i]] != b[i]) return false;
    }
    return true;
}

/// One Lloyd run from `centers` (k × cols, overwritten by the result); tol_abs already scaled.
template <class Policy>
kmeans_result kmeans_single(const feature_matrix_view& x, std::vector<double> centers, std::size_t k,
                            std::size_t max_iter, double tol_abs, kmeans_algorithm algorithm, Policy policy) {
    const std::size_t n = x.rows, d = x.cols;
    constexpr double eps = std::numeric_limits<double>::epsilon();
    constexpr double inf = std::numeric_limits<double>::infinity();
    // Relative margin covering the rounding of a squared distance (≤ (d+3)ε/2) and of the bound
    // arithmetic; bounds are kept on true distances, rounded outward.
    const double rel = static_cast<double>(d + 8) * eps;
    const auto up = [rel](double v) { return v * (1 + rel); };
    const auto down = [rel](double v) { return std::max(v * (1 - rel), 0.0); };  // max: no branch
    const bool hamerly = k > 1 && (algorithm == kmeans_algorithm::hamerly ||
                                   (algorithm == kmeans_algorithm::automatic && kmeans_prefers_hamerly(k, d)));

    constexpr std::size_t unset = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> labels(n, unset);
    std::vector<double> upper(hamerly ? n : 0), lower(hamerly ? n : 0);
    std::vector<double> new_centers(k * d), counts(k), shift(k), gap(k, inf);
    std::vector<double> far;  // distances for empty-cluster relocation, allocated on demand
    std::vector<std::size_t> order;
    bool first = true;
    double max1 = 0, max2 = 0;  // largest and second-largest centre shift of the last M-step
    std::size_t arg1 = 0;       // the centre that moved most
    constexpr std::size_t chunk = 4096;
    std::vector<char> chunk_changed((n + chunk - 1) / chunk);
    kmeans_centre_blocks blocks;
    std::vector<double> scratch(((n + chunk - 1) / chunk) * k);  // per chunk: no sharing between threads
    std::vector<std::uint32_t> pending(hamerly ? n : 0);          // rows of each chunk to scan
    std::vector<double> partial(((n + chunk - 1) / chunk) * (k * d + k));  // per chunk: sums, counts

    // Assignment to `c`; true when a label changed. The Hamerly bounds are valid for the
    // previous centres on entry (moved here by the shifts to `c`) and for `c` on exit.
    const auto assign = [&](const std::vector<double>& c, bool accumulate) {
        if (hamerly && !first)
            for (std::size_t j = 0; j < k; ++j) {
                double m = inf;
                for (std::size_t o = 0; o < k; ++o)
                    if (o != j) m = std::min(m, down(std::sqrt(kmeans_sqdist(&c[j * d], &c[o * d], d))));
                gap[j] = m;  // lower bound of the distance to the nearest other centre
            }
        blocks.assign(c.data(), k, d);
        for_each_chunk(policy, n, chunk, [&](std::size_t ci, std::size_t b, std::size_t e) {
            bool changed = false;
            const auto scan = [&](std::size_t i) {
                double b1 = 0, b2 = 0;
                const std::size_t best = blocks.nearest(x.row(i).data(), &scratch[ci * k], b1, hamerly ? &b2 : nullptr);
                changed |= labels[i] != best;
                labels[i] = best;
                if (hamerly) { upper[i] = up(std::sqrt(b1)); lower[i] = down(std::sqrt(b2)); }
            };
            if (!hamerly || first) {
                for (std::size_t i = b; i < e; ++i) scan(i);
            } else {
                // Two passes: the bound updates and the skip test for every row, writing the rows
                // that need a scan to a list without a branch (a skip decision is close to a coin
                // flip on overlapping clusters, and mispredicting it cost more than the scan it
                // saved); then the scans.
                std::uint32_t* const todo = &pending[b];
                std::size_t m = 0;
                for (std::size_t i = b; i < e; ++i) {
                    const std::size_t a = labels[i];
                    // Hamerly's bound update for the centre shifts, rounded outward.
                    const double u = up(upper[i] + up(shift[a]));
                    const double l = down(lower[i] - up(a == arg1 ? max2 : max1));
                    upper[i] = u;
                    lower[i] = l;
                    // Lower bound of the distance to every other centre: own bound, or triangle
                    // inequality through the nearest other centre.
                    const double lb = std::max(l, down(gap[a] - u));
                    todo[m] = static_cast<std::uint32_t>(i - b);
                    m += !(up(u) < down(lb));
                }
                for (std::size_t q = 0; q < m; ++q) scan(b + todo[q]);
            }
            chunk_changed[ci] = changed;
            if (!accumulate) return;
            // This chunk's share of the M-step sums while its rows are still in cache.
            double* const sum = &partial[ci * (k * d + k)];
            double* const cnt = sum + k * d;
            std::fill(sum, sum + k * d + k, 0.0);
            for (std::size_t i = b; i < e; ++i) {
                const double* xi = x.row(i).data();
                double* si = sum + labels[i] * d;
                for (std::size_t j = 0; j < d; ++j) si[j] += xi[j];
                cnt[labels[i]] += 1;
            }
        });
        first = false;
        return std::find(chunk_changed.begin(), chunk_changed.end(), char{1}) != chunk_changed.end();
    };

    std::size_t it = 0;
    bool strict = false, converged = false;
    for (; it < max_iter; ++it) {
        const bool changed = assign(centers, true);
        // M-step: the chunks' sums (rows in order within a chunk) added in chunk order, so the
        // result does not depend on the thread count.
        std::fill(new_centers.begin(), new_centers.end(), 0.0);
        std::fill(counts.begin(), counts.end(), 0.0);
        for (std::size_t off = 0; off < partial.size(); off += k * d + k) {
            for (std::size_t m = 0; m < k * d; ++m) new_centers[m] += partial[off + m];
            for (std::size_t j = 0; j < k; ++j) counts[j] += partial[off + k * d + j];
        }
        std::size_t n_empty = 0;
        for (std::size_t j = 0; j < k; ++j) n_empty += counts[j] == 0;
        if (n_empty > 0) {
            far.resize(n);
            order.resize(n);
            for (std::size_t i = 0; i < n; ++i) far[i] = kmeans_sqdist(x.row(i).data(), &centers[labels[i] * d], d);
            std::iota(order.begin(), order.end(), std::size_t{0});
            std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_empty), order.end(),
                              [&](std::size_t p, std::size_t q) { return far[p] > far[q] || (far[p] == far[q] && p < q); });
            std::size_t next = 0;
            for (std::size_t j = 0; j < k; ++j) {
                if (counts[j] != 0) continue;
                const std::size_t r = order[next++], old = labels[r];
                const double* xr = x.row(r).data();
                for (std::size_t m = 0; m < d; ++m) {
                    new_centers[old * d + m] -= xr[m];
                    new_centers[j * d + m] = xr[m];
                }
                counts[j] = 1;
                counts[old] -= 1;
            }
        }
        for (std::size_t j = 0; j < k; ++j)
            if (counts[j] > 0) {
                const double alpha = 1.0 / counts[j];
                for (std::size_t m = 0; m < d; ++m) new_centers[j * d + m] *= alpha;
            }
        double shift_total = 0;
        max1 = max2 = 0;
        arg1 = 0;
        for (std::size_t j = 0; j < k; ++j) {
            shift[j] = std::sqrt(kmeans_sqdist(&new_centers[j * d], &centers[j * d], d));
            shift_total += shift[j] * shift[j];
            if (shift[j] > max1) { max2 = max1; max1 = shift[j]; arg1 = j; }
            else if (shift[j] > max2) max2 = shift[j];
        }
        centers.swap(new_centers);
        if (!changed) { strict = converged = true; ++it; break; }  // labels as the step before
        if (shift_total <= tol_abs) { converged = true; ++it; break; }
    }
    if (!strict) assign(centers, false);  // labels from the final centres (sklearn's final E-step)

    kmeans_result r;
    r.k = k;
    r.cols = d;
    r.iterations = it;
    r.converged = converged;
    for (std::size_t i = 0; i < n; ++i) r.inertia += kmeans_sqdist(x.row(i).data(), &centers[labels[i] * d], d);
    r.centers = std::move(centers);
    r.labels = std::move(labels);
    return r;
}

}  // namespace detail

/// k-means++ seeding (sklearn's `_kmeans_plusplus`, see the file comment): k × cols centres,
/// each a row of x, drawn from `rng` (advanced; successive calls give successive seedings).
inline std::vector<double> kmeans_plusplus(const feature_matrix_view& x, std::size_t k, std::mt19937_64& rng) {
    detail::kmeans_check(x, k, 1, 0, "tessera::kmeans_plusplus");
    const std::size_t n = x.rows, d = x.cols;
    const std::size_t trials = 2 + static_cast<std::size_t>(std::log(static_cast<double>(k)));
    std::vector<double> centers(k * d), closest(n), cumsum(n);
    std::vector<std::size_t> candidates(trials);
    const auto put = [&](std::size_t c, std::size_t row) {
        std::copy_n(x.row(row).data(), d, centers.begin() + static_cast<std::ptrdiff_t>(c * d));
    };
    put(0, detail::uniform_index(rng, n));
    double pot = 0;
    for (std::size_t i = 0; i < n; ++i) pot += closest[i] = detail::kmeans_sqdist(x.row(i).data(), centers.data(), d);
    for (std::size_t c = 1; c < k; ++c) {
        double run = 0;
        for (std::size_t i = 0; i < n; ++i) cumsum[i] = run += closest[i];
        for (auto& id : candidates) {
            const double target = detail::uniform01(rng) * pot;
            id = std::min<std::size_t>(
                static_cast<std::size_t>(std::lower_bound(cumsum.begin(), cumsum.end(), target) - cumsum.begin()), n - 1);
        }
        std::size_t best = 0;
        double best_pot = std::numeric_limits<double>::infinity();
        for (std::size_t t = 0; t < trials; ++t) {
            const double* cand = x.row(candidates[t]).data();
            double p = 0;
            for (std::size_t i = 0; i < n; ++i) p += std::min(closest[i], detail::kmeans_sqdist(x.row(i).data(), cand, d));
            if (p < best_pot) { best_pot = p; best = t; }
        }
        const double* cand = x.row(candidates[best]).data();
        for (std::size_t i = 0; i < n; ++i) closest[i] = std::min(closest[i], detail::kmeans_sqdist(x.row(i).data(), cand, d));
        pot = best_pot;
        put(c, candidates[best]);
    }
    return centers;
}

/// One Lloyd run from the given k × cols centres (k = initial_centers.size() / cols), as
/// `KMeans(init=initial_centers, n_init=1)`.
template <class Policy = serial_policy>
    requires execution_policy<Policy>
kmeans_result kmeans_from(const feature_matrix_view& x, std::span<const double> initial_centers,
                          std::size_t max_iter = 300, double tol = 1e-4,
                          kmeans_algorithm algorithm = kmeans_algorithm::automatic, Policy policy = {}) {
    constexpr const char* who = "tessera::kmeans_from";
    if (x.cols == 0) throw error(who, ": the feature matrix has 0 columns");
    if (initial_centers.empty() || initial_centers.size() % x.cols != 0)
        throw error(who, ": ", initial_centers.size(), " initial centre values are not a positive multiple of the ",
                    x.cols, " columns");
    const std::size_t k = initial_centers.size() / x.cols;
    detail::kmeans_check(x, k, max_iter, tol, who);
    for (std::size_t i = 0; i < initial_centers.size(); ++i)
        if (!std::isfinite(initial_centers[i]))
            throw error(who, ": initial centre ", i / x.cols, ", column ", i % x.cols, " is not finite");
    return detail::kmeans_single(x, {initial_centers.begin(), initial_centers.end()}, k, max_iter,
                                 detail::kmeans_tolerance(x, tol), algorithm, policy);
}

/// Best of n_init k-means++-seeded runs (see the file comment).
template <class Policy = serial_policy>
    requires execution_policy<Policy>
kmeans_result kmeans(const feature_matrix_view& x, const kmeans_options& options, Policy policy = {}) {
    constexpr const char* who = "tessera::kmeans";
    detail::kmeans_check(x, options.k, options.max_iter, options.tol, who);
    if (options.n_init == 0) throw error(who, ": n_init must be at least 1");
    const double tol_abs = detail::kmeans_tolerance(x, options.tol);
    std::mt19937_64 rng(options.seed);
    kmeans_result best;
    for (std::size_t run = 0; run < options.n_init; ++run) {
        kmeans_result r = detail::kmeans_single(x, kmeans_plusplus(x, options.k, rng), options.k, options.max_iter,
                                                tol_abs, options.algorithm, policy);
        if (run == 0 || (r.inertia < best.inertia && !detail::same_clustering(r.labels, best.labels, options.k)))
            best = std::move(r);
    }
    return best;
}

}  // namespace tessera
