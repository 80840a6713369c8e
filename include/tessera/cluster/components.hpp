#pragma once
/// @file
/// Connected components of flagged particles: two flagged particles belong to the same cluster
/// when a chain of flagged particles links them, each link shorter than `link` (strictly, any
/// periodic image — the query.hpp convention). Seed 000 groups LENS events this way with a
/// 2.8 Å link (the first-neighbour shell of Cu).
///
/// Per cluster: size, members, and a periodic-aware centroid — members are unwrapped along a
/// spanning tree of the links (each step adds a bond vector, so a cluster straddling a periodic
/// face stays whole), averaged, and the mean wrapped back into the box. A cluster that
/// percolates through a periodic box has no unique centroid; its unwrapped mean is still
/// returned (documented, not an error).
///
/// Two interchangeable algorithms: union–find with path halving and union by size (default),
/// and Boost.Graph's connected_components on an adjacency list. bench/cluster.cpp measures both;
/// the union–find is the default because it needs no graph copy of the links (see
/// docs/performance.md). Clusters are ordered by decreasing size, ties by their smallest member.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/neighbors/query.hpp>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <numeric>
#include <span>
#include <sstream>
#include <vector>

namespace tessera {

enum class cluster_algorithm { union_find, boost_graph };

template <class T = double>
class clusters {
public:
    static constexpr std::size_t none = std::numeric_limits<std::size_t>::max();

    std::size_t count() const noexcept { return centroids_.size(); }
    std::size_t size(std::size_t c) const noexcept { return offsets_[c + 1] - offsets_[c]; }
    /// Particle indices of cluster c, ascending.
    std::span<const std::size_t> members(std::size_t c) const noexcept {
        return {members_.data() + offsets_[c], size(c)};
    }
    const vec3<T>& centroid(std::size_t c) const noexcept { return centroids_[c]; }
    /// Cluster of particle i, or `none` when i is not flagged.
    std::size_t cluster_of(std::size_t i) const noexcept { return label_[i]; }

private:
    template <class U, particle_storage S, box B>
    friend clusters<U> find_clusters(const S&, const B&, std::span<const bool>, double, cluster_algorithm);
    std::vector<std::size_t> label_, offsets_, members_;
    std::vector<vec3<T>> centroids_;
};

namespace detail {
struct union_find {
    std::vector<std::size_t> parent, size;
    explicit union_find(std::size_t n) : parent(n), size(n, 1) { std::iota(parent.begin(), parent.end(), std::size_t(0)); }
    std::size_t find(std::size_t x) noexcept {
        while (parent[x] != x) {
            parent[x] = parent[parent[x]];  // path halving
            x = parent[x];
        }
        return x;
    }
    void unite(std::size_t a, std::size_t b) noexcept {
        a = find(a);
        b = find(b);
        if (a == b) return;
        if (size[a] < size[b]) std::swap(a, b);
        parent[b] = a;
        size[a] += size[b];
    }
};
}  // namespace detail

/// Clusters of the particles with flagged[i] true, linked by distances below `link`.
template <class T = double, particle_storage S, box B>
clusters<T> find_clusters(const S& positions, const B& bx, std::span<const bool> flagged, double link,
                          cluster_algorithm algorithm = cluster_algorithm::union_find) {
    const std::size_t n = tessera::size(positions);
    if (flagged.size() != n) {
        throw error("find_clusters: ", flagged.size(), " flags for ", n, " particles");
    }
    if (!(link > 0) || !std::isfinite(link)) {
        throw error("find_clusters: the link distance must be positive and finite, got ", link);
    }
    // The flagged subset (usually a small fraction): query only among its members.
    std::vector<std::size_t> subset;
    for (std::size_t i = 0; i < n; ++i)
        if (flagged[i]) subset.push_back(i);
    std::vector<vec3<T>> sub(subset.size());
    for (std::size_t k = 0; k < subset.size(); ++k) sub[k] = vec3<T>(position(positions, subset[k]));
    const std::size_t m = subset.size();
    const neighbor_list<T> links = m ? find_neighbors<T>(sub, bx, ball{link}) : neighbor_list<T>{};

    std::vector<std::size_t> root(m);
    if (algorithm == cluster_algorithm::union_find) {
        detail::union_find uf(m);
        for (std::size_t a = 0; a < m; ++a)
            for (auto b : links.neighbors(a))
                if (b > a) uf.unite(a, b);
        for (std::size_t a = 0; a < m; ++a) root[a] = uf.find(a);
    } else {
        using graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
        graph g(m);
        for (std::size_t a = 0; a < m; ++a)
            for (auto b : links.neighbors(a))
                if (b > a) boost::add_edge(a, b, g);
        std::vector<int> component(m);
        if (m) boost::connected_components(g, component.data());
        for (std::size_t a = 0; a < m; ++a) root[a] = std::size_t(component[a]);
    }

    // Group members; order clusters by decreasing size, then by smallest member.
    std::vector<std::size_t> first(m, clusters<T>::none), size(m, 0);
    for (std::size_t a = 0; a < m; ++a) {
        if (first[root[a]] == clusters<T>::none) first[root[a]] = a;
        ++size[root[a]];
    }
    std::vector<std::size_t> roots;
    for (std::size_t r = 0; r < m; ++r)
        if (size[r]) roots.push_back(r);
    std::sort(roots.begin(), roots.end(), [&](std::size_t x, std::size_t y) {
        return size[x] != size[y] ? size[x] > size[y] : first[x] < first[y];
    });
    std::vector<std::size_t> cluster_of_root(m, clusters<T>::none);
    for (std::size_t c = 0; c < roots.size(); ++c) cluster_of_root[roots[c]] = c;

    clusters<T> out;
    out.label_.assign(n, clusters<T>::none);
    out.offsets_.assign(roots.size() + 1, 0);
    for (std::size_t c = 0; c < roots.size(); ++c) out.offsets_[c + 1] = out.offsets_[c] + size[roots[c]];
    out.members_.resize(m);
    std::vector<std::size_t> fill(out.offsets_.begin(), out.offsets_.end() - 1);
    for (std::size_t a = 0; a < m; ++a) {  // a ascends, so members come out ascending
        const std::size_t c = cluster_of_root[root[a]];
        out.members_[fill[c]++] = subset[a];
        out.label_[subset[a]] = c;
    }

    // Centroids: unwrap along a breadth-first spanning tree of the links.
    out.centroids_.resize(roots.size());
    std::vector<vec3<T>> unwrapped(m);
    std::vector<bool> seen(m, false);
    std::vector<std::size_t> queue;
    for (std::size_t c = 0; c < roots.size(); ++c) {
        const std::size_t start = first[roots[c]];
        queue.assign(1, start);
        seen[start] = true;
        unwrapped[start] = sub[start];
        vec3<T> sum = sub[start];
        for (std::size_t head = 0; head < queue.size(); ++head) {
            const std::size_t a = queue[head];
            const auto nb = links.neighbors(a);
            const auto vec = links.vectors(a);
            for (std::size_t k = 0; k < nb.size(); ++k) {
                if (seen[nb[k]]) continue;
                seen[nb[k]] = true;
                unwrapped[nb[k]] = unwrapped[a] + vec[k];
                sum += unwrapped[nb[k]];
                queue.push_back(nb[k]);
            }
        }
        out.centroids_[c] = bx.wrap(sum / T(queue.size()));
    }
    return out;
}

}  // namespace tessera
