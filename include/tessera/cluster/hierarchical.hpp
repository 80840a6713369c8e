#pragma once
/// @file
/// Agglomerative (hierarchical) clustering of the rows of a feature table, Euclidean metric,
/// linkage ward / single / complete / average: the dendrogram of
/// `scipy.cluster.hierarchy.linkage(X, method, metric="euclidean")` and the flat labels of
/// scikit-learn's `AgglomerativeClustering(n_clusters=k, linkage=method)` and of SciPy's
/// `fcluster(Z, t, criterion="distance")`.
///
/// Cluster distances (Lance–Williams; x, y merge into xy, n_* are cluster sizes):
///   single    d(xy, i) = min(d_xi, d_yi)
///   complete  d(xy, i) = max(d_xi, d_yi)
///   average   d(xy, i) = (n_x d_xi + n_y d_yi) / (n_x + n_y)                (UPGMA)
///   ward      d(xy, i) = sqrt(((n_x+n_i) d_xi² + (n_y+n_i) d_yi² − n_i d_xy²) / (n_x+n_y+n_i))
/// starting from Euclidean point distances; Ward's height is therefore
/// sqrt(2 n_x n_y / (n_x + n_y)) ‖c_x − c_y‖, the value SciPy reports (not the increase of the
/// within-cluster sum of squares, which is half its square).
///
/// Algorithms, as SciPy 1.10 runs them (D. Müllner, "Modern hierarchical, agglomerative
/// clustering algorithms", arXiv:1109.2378):
///  - ward / complete / average: the nearest-neighbour chain on the condensed distance matrix
///    (N(N−1)/2 doubles), O(N²) time; the merges are then stably sorted by height and relabelled
///    with a union–find, which gives the linkage-matrix ids.
///  - single: MST-LINKAGE-CORE, Prim's dense O(N²) scan from row 0, distances computed on the
///    fly (O(N) memory), then the same stable sort and relabelling. Boost.Graph's Prim is not
///    used: on the implicit complete graph it costs O(N² log N), and it records the true MST edge
///    (parent, child), whereas scikit-learn's child order — which decides its label numbering —
///    follows the scan's (last vertex added, next vertex) pairs. Only the dense scan reproduces
///    both SciPy's tree and scikit-learn's labels.
/// Ties follow SciPy exactly: the chain prefers its previous element and otherwise the lowest
/// index at the minimum; Prim takes the lowest index at the minimum; equal heights keep their
/// discovery order. Every distance is computed with SciPy's operations in SciPy's order (and
/// products kept out of fused multiply-adds, detail/rounded.hpp), so even tied data (duplicate
/// rows, integer descriptors) give SciPy's dendrogram merge for merge.
///
/// The `dendrogram` has SciPy's linkage-matrix semantics: merge i joins clusters a < b into
/// cluster `leaves + i`, at `height`, holding `size` rows; leaves are 0 … leaves−1; heights are
/// non-decreasing.
///
/// Cuts:
///  - cut_by_count(d, k): scikit-learn's `_hc_cut`. Its label numbering is the position of each
///    cluster in a Python heapq of negated node ids after k−1 pops of the highest node — not
///    sorted by size nor by first row — and it reads each merge's children in scikit-learn's
///    order, which equals SciPy's except for single linkage (merge::sklearn_swapped).
///  - cut_by_distance(d, t): SciPy's fcluster criterion "distance": rows joined by merges of
///    height ≤ t (SciPy's cophenetic rule: a cluster's largest merge height) share a label;
///    labels are numbered in SciPy's preorder traversal, minus one (0-based). scikit-learn's
///    `distance_threshold=t` keeps merges of height < t strictly instead; that partition is
///    cut_by_count(d, 1 + #{merges with height ≥ t}).
///
/// Memory: ward / complete / average hold the condensed matrix, 8 N(N−1)/2 bytes; more than
/// `agglomerate_max_rows` = 65 536 rows (2^31 pairs, 16 GiB) is refused with a tessera::error.
/// Single linkage needs O(N) memory and has no row limit.
///
///     tessera::dendrogram d = tessera::agglomerate(X, tessera::linkage::ward);
///     std::vector<std::size_t> labels = tessera::cut_by_count(d, 3);  // == sklearn labels_

#include <tessera/core/error.hpp>
#include <tessera/learn/detail/rounded.hpp>
#include <tessera/learn/feature_matrix.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <new>
#include <numeric>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera {

enum class linkage { ward, single, complete, average };

/// "ward", "single", "complete" or "average" (scikit-learn's and SciPy's names).
[[nodiscard]] inline linkage parse_linkage(std::string_view name) {
    if (name == "ward") return linkage::ward;
    if (name == "single") return linkage::single;
    if (name == "complete") return linkage::complete;
    if (name == "average") return linkage::average;
    throw error("tessera::parse_linkage: unknown linkage '", std::string(name),
                "' (valid: ward, single, complete, average)");
}

[[nodiscard]] constexpr std::string_view to_string(linkage method) noexcept {
    switch (method) {
        case linkage::ward: return "ward";
        case linkage::single: return "single";
        case linkage::complete: return "complete";
        case linkage::average: return "average";
    }
    return "?";
}

/// One row of SciPy's linkage matrix Z.
struct merge {
    std::size_t a = 0, b = 0;  ///< the two clusters joined, a < b
    double height = 0;         ///< linkage distance of the merge
    std::size_t size = 0;      ///< rows in the new cluster
    /// scikit-learn's children_ row is (b, a) rather than (a, b). Only single linkage sets it
    /// (scikit-learn labels its own MST without sorting); only cut_by_count reads it.
    bool sklearn_swapped = false;
};

struct dendrogram {
    std::size_t leaves = 0;       ///< rows clustered
    std::vector<merge> merges;    ///< leaves − 1 merges, heights non-decreasing
};

/// Largest table agglomerate accepts for ward / complete / average (2^31 condensed pairs).
inline constexpr std::size_t agglomerate_max_rows = 65536;

namespace detail {

// Index of pair (i, j), i < j, in the row-major upper triangle of an n x n matrix (SciPy's).
[[nodiscard]] inline std::size_t condensed_index(std::size_t n, std::size_t i, std::size_t j) noexcept {
    return n * i - i * (i + 1) / 2 + (j - i - 1);
}

// SciPy's Euclidean distance: squares summed in column order, then the root.
[[nodiscard]] inline double euclidean(const feature_matrix_view& x, std::size_t i, std::size_t j) noexcept {
    const double* u = x.data + i * x.stride();
    const double* v = x.data + j * x.stride();
    double s = 0;
    for (std::size_t c = 0; c < x.cols; ++c) {
        const double d = u[c] - v[c];
        s += rounded_product(d, d);
    }
    return std::sqrt(s);
}

// SciPy's Lance–Williams updates (_hierarchy_distance_update.pxi), same operation order.
[[nodiscard]] inline double lance_williams(linkage method, double d_xi, double d_yi, double d_xy, std::size_t n_x,
                                           std::size_t n_y, std::size_t n_i) noexcept {
    const double nx = static_cast<double>(n_x), ny = static_cast<double>(n_y);
    switch (method) {
        case linkage::complete: return std::max(d_xi, d_yi);
        case linkage::average: return (rounded_product(nx, d_xi) + rounded_product(ny, d_yi)) / (nx + ny);
        case linkage::ward: {
            const double t = 1.0 / static_cast<double>(n_x + n_y + n_i);
            return std::sqrt(rounded_product(static_cast<double>(n_i + n_x) * t * d_xi, d_xi) +
                             rounded_product(static_cast<double>(n_i + n_y) * t * d_yi, d_yi) -
                             rounded_product(static_cast<double>(n_i) * t * d_xy, d_xy));
        }
        case linkage::single: break;
    }
    return std::min(d_xi, d_yi);
}

// A merge before relabelling: positions x, y (the rows that represented the clusters).
struct raw_merge {
    std::size_t x, y;
    double height;
};

// Nearest-neighbour chain (SciPy's _hierarchy.nn_chain) for complete / average / ward.
inline std::vector<raw_merge> nn_chain(const feature_matrix_view& x, linkage method) {
    const std::size_t n = x.rows;
    const std::size_t pairs = n * (n - 1) / 2;
    std::vector<double> D;
    try {
        D.resize(pairs);
    } catch (const std::bad_alloc&) {
        throw error("tessera::agglomerate: cannot allocate the ", pairs, " pairwise distances (",
                    static_cast<double>(pairs) * 8.0 / 1073741824.0, " GiB) of ", n, " rows");
    }
    for (std::size_t i = 0, k = 0; i + 1 < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) D[k++] = euclidean(x, i, j);

    std::vector<std::size_t> size(n, 1), chain(n);
    std::vector<raw_merge> out(n - 1);
    std::size_t length = 0, y = 0;
    for (std::size_t k = 0; k + 1 < n; ++k) {
        if (length == 0) {
            length = 1;
            chain[0] = static_cast<std::size_t>(std::find_if(size.begin(), size.end(), [](std::size_t s) { return s > 0; }) -
                                                size.begin());
        }
        std::size_t cx = 0;
        double current_min = 0;
        for (;;) {
            cx = chain[length - 1];
            // The previous chain element is preferred at equal distance, so the chain never cycles.
            if (length > 1) {
                y = chain[length - 2];
                current_min = D[condensed_index(n, std::min(cx, y), std::max(cx, y))];
            } else {
                current_min = std::numeric_limits<double>::infinity();
            }
            // Row cx of the symmetric matrix, i ascending: column cx of the rows above, then row cx.
            std::size_t idx = cx > 0 ? cx - 1 : 0;  // condensed_index(n, 0, cx)
            for (std::size_t i = 0; i < cx; ++i) {
                if (size[i] != 0 && D[idx] < current_min) {
                    current_min = D[idx];
                    y = i;
                }
                idx += n - i - 2;
            }
            const std::size_t base = cx + 1 < n ? condensed_index(n, cx, cx + 1) : 0;
            for (std::size_t i = cx + 1; i < n; ++i)
                if (size[i] != 0 && D[base + (i - cx - 1)] < current_min) {
                    current_min = D[base + (i - cx - 1)];
                    y = i;
                }
            if (length > 1 && y == chain[length - 2]) break;
            chain[length++] = y;
        }
        length -= 2;
        std::size_t lo = std::min(cx, y), hi = std::max(cx, y);
        const std::size_t n_x = size[lo], n_y = size[hi];
        out[k] = {lo, hi, current_min};
        size[lo] = 0;  // cluster lo is dropped; hi now represents the merged cluster
        size[hi] = n_x + n_y;
        for (std::size_t i = 0; i < n; ++i) {
            if (size[i] == 0 || i == hi) continue;
            const std::size_t ix = condensed_index(n, std::min(i, lo), std::max(i, lo));
            const std::size_t iy = condensed_index(n, std::min(i, hi), std::max(i, hi));
            D[iy] = lance_williams(method, D[ix], D[iy], current_min, n_x, n_y, size[i]);
        }
    }
    return out;
}

// MST-LINKAGE-CORE (SciPy's mst_single_linkage, scikit-learn's mst_linkage_core): Prim's dense
// scan from row 0; merge k records (last vertex added, next vertex, its distance to the tree).
inline std::vector<raw_merge> prim_scan(const feature_matrix_view& x) {
    const std::size_t n = x.rows;
    std::vector<char> merged(n, 0);
    std::vector<double> D(n, std::numeric_limits<double>::infinity());
    std::vector<raw_merge> out(n - 1);
    std::size_t cx = 0, y = 0;
    for (std::size_t k = 0; k + 1 < n; ++k) {
        double current_min = std::numeric_limits<double>::infinity();
        merged[cx] = 1;
        for (std::size_t i = 0; i < n; ++i) {
            if (merged[i]) continue;
            const double d = euclidean(x, cx, i);
            if (D[i] > d) D[i] = d;
            if (D[i] < current_min) {
                y = i;
                current_min = D[i];
            }
        }
        out[k] = {cx, y, current_min};
        cx = y;
    }
    return out;
}

// Stable sort by height, then cluster ids by union–find (SciPy's `label`). scikit-learn keeps
// SciPy's (a < b) for the nearest-neighbour chain but (find(x), find(y)) for its own MST.
inline dendrogram relabel(std::vector<raw_merge> raw, std::size_t n, bool sklearn_keeps_order) {
    std::stable_sort(raw.begin(), raw.end(), [](const raw_merge& p, const raw_merge& q) { return p.height < q.height; });
    std::vector<std::size_t> parent(2 * n - 1), size(2 * n - 1, 1);
    std::iota(parent.begin(), parent.end(), std::size_t(0));
    auto find = [&parent](std::size_t v) {
        std::size_t root = v;
        while (parent[root] != root) root = parent[root];
        while (parent[v] != root) v = std::exchange(parent[v], root);
        return root;
    };
    dendrogram d{n, {}};
    d.merges.reserve(n - 1);
    for (std::size_t i = 0; i + 1 < n; ++i) {
        const std::size_t rx = find(raw[i].x), ry = find(raw[i].y), id = n + i;
        parent[rx] = parent[ry] = id;
        size[id] = size[rx] + size[ry];
        d.merges.push_back({std::min(rx, ry), std::max(rx, ry), raw[i].height, size[id], sklearn_keeps_order && rx > ry});
    }
    return d;
}

// Throws unless `d` is a well-formed dendrogram: leaves − 1 merges, each joining two distinct
// clusters that exist and were not merged before.
inline void check_dendrogram(const dendrogram& d, const char* who) {
    if (d.leaves == 0) throw error(who, ": the dendrogram has no leaves");
    if (d.merges.size() + 1 != d.leaves)
        throw error(who, ": a dendrogram of ", d.leaves, " leaves needs ", d.leaves - 1, " merges, not ",
                    d.merges.size());
    std::vector<char> used(2 * d.leaves - 1, 0);
    for (std::size_t i = 0; i < d.merges.size(); ++i) {
        const merge& m = d.merges[i];
        if (m.a >= m.b || m.b >= d.leaves + i || used[m.a] || used[m.b])
            throw error(who, ": merge ", i, " joins clusters ", m.a, " and ", m.b,
                        " (needs a < b < ", d.leaves + i, ", each cluster merged once)");
        used[m.a] = used[m.b] = 1;
    }
}

// Python's heapq on a list of ints (scikit-learn's _hc_cut keeps negated node ids in one).
inline void heap_sift_down(std::vector<std::int64_t>& h, std::size_t start, std::size_t pos) {
    const std::int64_t item = h[pos];
    while (pos > start) {
        const std::size_t parent = (pos - 1) >> 1;
        if (item < h[parent]) {
            h[pos] = h[parent];
            pos = parent;
            continue;
        }
        break;
    }
    h[pos] = item;
}
inline void heap_sift_up(std::vector<std::int64_t>& h, std::size_t pos) {
    const std::size_t end = h.size(), start = pos;
    const std::int64_t item = h[pos];
    std::size_t child = 2 * pos + 1;
    while (child < end) {
        if (child + 1 < end && !(h[child] < h[child + 1])) ++child;
        h[pos] = h[child];
        pos = child;
        child = 2 * pos + 1;
    }
    h[pos] = item;
    heap_sift_down(h, start, pos);
}
inline void heappush(std::vector<std::int64_t>& h, std::int64_t item) {
    h.push_back(item);
    heap_sift_down(h, 0, h.size() - 1);
}
inline void heappushpop(std::vector<std::int64_t>& h, std::int64_t item) {
    if (!h.empty() && h[0] < item) {
        std::swap(item, h[0]);
        heap_sift_up(h, 0);
    }
}

}  // namespace detail

/// The dendrogram of the rows of `x` (see the file comment). Throws on an empty or non-finite
/// table, and for ward / complete / average on more than agglomerate_max_rows rows.
[[nodiscard]] inline dendrogram agglomerate(const feature_matrix_view& x, linkage method) {
    check_features(x, "tessera::agglomerate");
    if (x.rows == 0) throw error("tessera::agglomerate: the feature matrix has no rows");
    if (method != linkage::single && x.rows > agglomerate_max_rows)
        throw error("tessera::agglomerate: ", x.rows, " rows need ", x.rows * (x.rows - 1) / 2,
                    " pairwise distances; ", to_string(method), " linkage accepts at most ", agglomerate_max_rows,
                    " rows (2^31 pairs, 16 GiB); single linkage has no such limit");
    if (x.rows == 1) return {1, {}};
    if (method == linkage::single) return detail::relabel(detail::prim_scan(x), x.rows, true);
    return detail::relabel(detail::nn_chain(x, method), x.rows, false);
}

/// Labels 0 … k−1 of the k clusters left after undoing the last k − 1 merges, numbered as
/// scikit-learn's AgglomerativeClustering(n_clusters=k).labels_ (see the file comment).
[[nodiscard]] inline std::vector<std::size_t> cut_by_count(const dendrogram& d, std::size_t k) {
    detail::check_dendrogram(d, "tessera::cut_by_count");
    const std::size_t n = d.leaves;
    if (k == 0 || k > n) throw error("tessera::cut_by_count: k = ", k, " clusters, but the dendrogram has ", n, " leaves");
    std::vector<std::size_t> labels(n, 0);
    if (n == 1) return labels;
    auto children = [&d, n](std::size_t node) {
        const merge& m = d.merges[node - n];
        return m.sklearn_swapped ? std::pair{m.b, m.a} : std::pair{m.a, m.b};
    };
    std::vector<std::int64_t> heap{-static_cast<std::int64_t>(std::max(d.merges.back().a, d.merges.back().b) + 1)};
    heap.reserve(k);
    for (std::size_t i = 0; i + 1 < k; ++i) {
        const auto [c0, c1] = children(static_cast<std::size_t>(-heap[0]));
        detail::heappush(heap, -static_cast<std::int64_t>(c0));
        detail::heappushpop(heap, -static_cast<std::int64_t>(c1));
    }
    std::vector<std::size_t> stack;
    for (std::size_t label = 0; label < heap.size(); ++label) {
        stack.assign(1, static_cast<std::size_t>(-heap[label]));
        while (!stack.empty()) {
            const std::size_t node = stack.back();
            stack.pop_back();
            if (node < n) {
                labels[node] = label;
            } else {
                stack.push_back(d.merges[node - n].a);
                stack.push_back(d.merges[node - n].b);
            }
        }
    }
    return labels;
}

/// SciPy's fcluster(Z, t, criterion="distance") − 1: rows whose cluster's largest merge height
/// is ≤ t share a label; labels 0, 1, … in SciPy's preorder traversal (merge::a first).
[[nodiscard]] inline std::vector<std::size_t> cut_by_distance(const dendrogram& d, double t) {
    detail::check_dendrogram(d, "tessera::cut_by_distance");
    if (std::isnan(t)) throw error("tessera::cut_by_distance: the threshold is NaN");
    const std::size_t n = d.leaves;
    std::vector<std::size_t> labels(n, 0);
    if (n == 1) return labels;
    // Largest height in each subtree (heights of SciPy's linkages are monotone, but fcluster
    // takes the maximum and so do we). Children precede parents, so one forward pass suffices.
    std::vector<double> max_height(n - 1);
    for (std::size_t i = 0; i + 1 < n; ++i) {
        double h = d.merges[i].height;
        for (std::size_t c : {d.merges[i].a, d.merges[i].b})
            if (c >= n && max_height[c - n] > h) h = max_height[c - n];
        max_height[i] = h;
    }
    // SciPy's cluster_monocrit, 1-based counter, labels stored 0-based.
    std::vector<char> visited(2 * n - 1, 0);
    std::vector<std::size_t> stack{2 * n - 2};
    std::size_t count = 0;
    constexpr std::size_t none = std::numeric_limits<std::size_t>::max();
    std::size_t leader = none;
    while (!stack.empty()) {
        const std::size_t root = stack.back() - n;
        const std::size_t lc = d.merges[root].a, rc = d.merges[root].b;
        if (leader == none && max_height[root] <= t) {
            leader = root;
            ++count;
        }
        if (lc >= n && !visited[lc]) {
            visited[lc] = 1;
            stack.push_back(lc);
            continue;
        }
        if (rc >= n && !visited[rc]) {
            visited[rc] = 1;
            stack.push_back(rc);
            continue;
        }
        for (std::size_t c : {lc, rc})
            if (c < n) {
                if (leader == none) ++count;  // a singleton cluster
                labels[c] = count - 1;
            }
        if (leader == root) leader = none;
        stack.pop_back();
    }
    return labels;
}

}  // namespace tessera
