#pragma once
/// @file
/// The elastic mapping of a dislocation extraction analysis: an ideal lattice vector for every
/// edge of the Delaunay tessellation, and the cells where those vectors fit together ("good"
/// crystal) or do not (defect cores, surfaces).
///
/// Input: the crystalline atoms' neighbours with their ideal lattice vectors ℓ_ij (each in the
/// frame of i's cluster) and the cluster graph (crystal_analysis). An edge (i, j) of the
/// tessellation gets ℓ_ij = the sum of ideal vectors along the shortest path of at most
/// `max_path_steps` neighbour bonds from i to j (a bond of an atom in no crystal is read
/// backwards from a crystalline neighbour), carried through cluster transitions into the frame
/// of i's *vertex cluster*: its own, or, for an atom in no crystal, one copied from a Delaunay
/// neighbour. A cell is good when all six edges have vectors and, on each face, the three carried
/// into one frame sum to zero (within 1e-3 lattice units) with no net rotation (the face's
/// transitions compose to the identity within 1e-4): a Burgers circuit around any face of a good
/// cell encloses nothing (A. Stukowski & K. Albe, Modelling Simul. Mater. Sci. Eng. 18, 085001
/// (2010); Stukowski, Bulatov & Arsenlis, ibid. 20, 085007 (2012), section 3.3).
///
/// Edges are keyed by their two particles and the periodic image between them, so every
/// periodic copy of a cell reads the same vectors and is classified alike. An edge whose ends are
/// copies of one particle, or that spans half a cell or more along a periodic axis, has no vector.
#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/defects/crystal_analysis.hpp>
#include <tessera/neighbors/delaunay.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <vector>

namespace tessera {

class elastic_mapping {
public:
    static constexpr double lattice_tolerance = 1e-3;  ///< per component, lattice units
    static constexpr std::uint32_t none = cluster_graph::none;

    /// What an edge u → v of the tessellation (point indices) maps to.
    struct edge_vector {
        vec3<double> lattice;     ///< ℓ_uv in the frame of u's vertex cluster
        std::uint32_t transition;  ///< u's vertex cluster → v's
    };

    /// Builds the mapping for every cell of `t` (primary and ghost copies).
    template <class Box>
    elastic_mapping(const periodic_delaunay& t, crystal_analysis& crystal, const Box& box, int max_path_steps = 4)
        : tess_(&t), crystal_(&crystal) {
        collect_edges(t, box);
        assign_vertex_clusters(t.num_particles);
        assign_vectors(max_path_steps, longest_bond(t, box));
        classify_cells(t);
    }

    /// The vertex cluster of particle p (0: none reachable).
    std::uint32_t vertex_cluster(std::uint32_t p) const { return vertex_cluster_[p]; }
    /// True when cell c (of the tessellation) is good crystal. Primary cells are classified up
    /// front; a ghost copy is classified when asked (alike, since its edges read the same keys).
    bool good(std::size_t c) const { return tess_->is_primary(c) ? good_[c] != 0 : compatible(c); }
    /// ℓ and the transition of edge u → v, or false if the edge has none.
    bool edge(std::uint32_t u, std::uint32_t v, edge_vector& out) const {
        bool forward = true;
        const std::size_t e = find(u, v, forward);
        if (e == npos || !has_[e]) return false;
        if (forward) {
            out = {lattice_[e], transition_[e]};
        } else {  // read backwards: −ℓ carried into the other end's frame, the reverse transition
            out = {crystal_->graph.apply(transition_[e], lattice_[e] * -1.0), crystal_->graph.reverse(transition_[e])};
        }
        return true;
    }
    std::size_t edge_count() const noexcept { return keys_.size(); }

private:
    static constexpr std::size_t npos = std::size_t(-1);
    /// (lower particle, higher particle, image of the higher relative to the lower)
    struct edge_key {
        std::uint32_t a, b;
        std::array<std::int32_t, 3> image;
        friend bool operator<(const edge_key& x, const edge_key& y) {
            return x.a != y.a ? x.a < y.a : x.b != y.b ? x.b < y.b : x.image < y.image;
        }
        friend bool operator==(const edge_key&, const edge_key&) = default;
    };

    const periodic_delaunay* tess_;
    crystal_analysis* crystal_;
    std::vector<edge_key> keys_;           // sorted, unique
    std::vector<std::uint8_t> wrapped_;    // spans ≥ ½ cell along a periodic axis
    std::vector<std::uint32_t> vertex_cluster_;
    std::vector<vec3<double>> lattice_;
    std::vector<std::uint32_t> transition_;
    std::vector<std::uint8_t> has_;
    std::vector<std::uint8_t> good_;
    std::vector<std::size_t> first_of_;    // CSR over keys_ by particle a
    // Path search scratch: a breadth-first queue and visit marks (reused across edges).
    struct path_node {
        std::uint32_t atom;
        vec3<double> l;         ///< the ideal vector from the start
        std::uint32_t cluster;  ///< the frame of l (0: the empty path)
        int distance;
    };
    std::vector<path_node> queue_;
    std::vector<std::uint32_t> visit_stamp_;
    std::uint32_t stamp_ = 0;

    static edge_key make_key(const periodic_delaunay& t, std::uint32_t u, std::uint32_t v, bool& forward) {
        const std::uint32_t pu = t.particle[u], pv = t.particle[v];
        std::array<std::int32_t, 3> rel;
        for (std::size_t d = 0; d < 3; ++d) rel[d] = t.image[v][d] - t.image[u][d];
        const std::array<std::int32_t, 3> zero{0, 0, 0};
        forward = pu < pv || (pu == pv && zero < rel);
        if (forward) return {pu, pv, rel};
        for (auto& x : rel) x = -x;
        return {pv, pu, rel};
    }

    std::size_t find(std::uint32_t u, std::uint32_t v, bool& forward) const {
        const edge_key k = make_key(*tess_, u, v, forward);
        const auto begin = keys_.begin() + std::ptrdiff_t(first_of_[k.a]);
        const auto end = keys_.begin() + std::ptrdiff_t(first_of_[k.a + 1]);
        const auto it = std::lower_bound(begin, end, k);
        return it != end && *it == k ? std::size_t(it - keys_.begin()) : npos;
    }

    static constexpr int edge_vertices[6][2] = {{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}};

    template <class Box>
    void collect_edges(const periodic_delaunay& t, const Box& box) {
        // Every edge of a ghost cell is a translate of an edge of its primary copy (same key):
        // the primary cells hold them all. Bucketed by the lower particle, each bucket sorted.
        const auto& cells = t.tessellation.vertices;
        const std::size_t n = t.num_particles;
        first_of_.assign(n + 1, 0);
        std::vector<std::uint8_t> primary(cells.size(), 0);
        for (std::size_t c = 0; c < cells.size(); ++c) {
            if (!t.is_primary(c)) continue;
            primary[c] = 1;
            for (const auto& e : edge_vertices) {
                bool forward;
                const edge_key k = make_key(t, cells[c][e[0]], cells[c][e[1]], forward);
                if (k.a != k.b) ++first_of_[k.a + 1];
            }
        }
        for (std::size_t p = 0; p < n; ++p) first_of_[p + 1] += first_of_[p];
        keys_.resize(first_of_[n]);
        std::vector<std::size_t> fill(first_of_.begin(), first_of_.end() - 1);
        for (std::size_t c = 0; c < cells.size(); ++c) {
            if (!primary[c]) continue;
            for (const auto& e : edge_vertices) {
                bool forward;
                const edge_key k = make_key(t, cells[c][e[0]], cells[c][e[1]], forward);
                if (k.a != k.b) keys_[fill[k.a]++] = k;
            }
        }
        // Sort and deduplicate each bucket in place, compacting.
        std::size_t out = 0;
        for (std::size_t p = 0; p < n; ++p) {
            const auto b = keys_.begin() + std::ptrdiff_t(first_of_[p]), e = keys_.begin() + std::ptrdiff_t(first_of_[p + 1]);
            std::sort(b, e);
            const auto last = std::unique(b, e);
            first_of_[p] = out;
            for (auto it = b; it != last; ++it) keys_[out++] = *it;
        }
        first_of_[n] = out;
        keys_.resize(out);
        // Wrapped: the bond between the two particles' wrapped positions plus the image, in
        // fractional units, reaches half a cell on a periodic axis.
        wrapped_.assign(keys_.size(), 0);
        for (std::size_t e = 0; e < keys_.size(); ++e) {
            const vec3<double> sa = box.to_fractional(t.position[keys_[e].a]);
            const vec3<double> sb = box.to_fractional(t.position[keys_[e].b]);
            for (std::size_t d = 0; d < 3; ++d)
                if (box.periodic(d) && std::abs(sb[d] + keys_[e].image[d] - sa[d]) >= 0.5) wrapped_[e] = 1;
        }
    }

    /// Crystalline atoms keep their cluster; the others repeatedly copy one from a neighbour
    /// along tessellation edges (lower-numbered edges first), until nothing changes.
    void assign_vertex_clusters(std::size_t n) {
        vertex_cluster_.assign(crystal_->cluster.begin(), crystal_->cluster.end());
        // Both directions of every edge, grouped by particle.
        std::vector<std::size_t> first(n + 1, 0);
        // (Not along wrapped edges: they never get a vector.)
        for (std::size_t e = 0; e < keys_.size(); ++e)
            if (!wrapped_[e]) ++first[keys_[e].a + 1], ++first[keys_[e].b + 1];
        for (std::size_t p = 0; p < n; ++p) first[p + 1] += first[p];
        std::vector<std::uint32_t> adjacent(first[n]);
        std::vector<std::size_t> fill(first.begin(), first.end() - 1);
        for (std::size_t e = 0; e < keys_.size(); ++e)
            if (!wrapped_[e]) adjacent[fill[keys_[e].a]++] = keys_[e].b, adjacent[fill[keys_[e].b]++] = keys_[e].a;
        for (bool changed = true; changed;) {
            changed = false;
            for (std::size_t p = 0; p < n; ++p) {
                if (vertex_cluster_[p] != 0) continue;
                for (std::size_t k = first[p]; k < first[p + 1]; ++k)
                    if (vertex_cluster_[adjacent[k]] != 0) {
                        vertex_cluster_[p] = vertex_cluster_[adjacent[k]];
                        changed = true;
                        break;
                    }
            }
        }
    }

    /// One step of a crystal path: the ideal vector from `from` to its neighbour in slot k (or,
    /// for an atom in no crystal, from a crystalline neighbour's list read backwards), with the
    /// cluster whose frame it is in. False if there is none.
    bool step(std::uint32_t from, std::uint32_t to, vec3<double>& l, std::uint32_t& cluster) const {
        const crystal_analysis& c = *crystal_;
        if (c.cluster[from] != 0) {
            const int k = c.find_neighbor(from, to);
            if (k < 0) return false;
            l = c.ideal[from * c.max_neighbors + std::size_t(k)], cluster = c.cluster[from];
            return true;
        }
        if (c.cluster[to] == 0) return false;
        const int k = c.find_neighbor(to, from);
        if (k < 0) return false;
        l = c.ideal[to * c.max_neighbors + std::size_t(k)] * -1.0, cluster = c.cluster[to];
        return true;
    }

    /// The ideal vector from a to b along at most `steps` bonds (breadth first), in the frame of
    /// the returned cluster; false if there is none.
    bool path(std::uint32_t a, std::uint32_t b, int steps, vec3<double>& l, std::uint32_t& cluster) {
        const crystal_analysis& c = *crystal_;
        if (c.cluster[a] != 0) {
            if (c.find_neighbor(a, b) >= 0) return step(a, b, l, cluster);
        } else if (c.cluster[b] != 0 && c.find_neighbor(b, a) >= 0) {
            return step(a, b, l, cluster);
        }
        if (steps <= 1) return false;
        std::vector<path_node>& queue = queue_;
        queue.clear();
        if (++stamp_ == 0) std::fill(visit_stamp_.begin(), visit_stamp_.end(), 0), stamp_ = 1;
        queue.push_back({a, {}, 0, 0});
        visit_stamp_[a] = stamp_;
        for (std::size_t head = 0; head < queue.size(); ++head) {
            const path_node cur = queue[head];
            for (std::size_t k = 0; k < c.count[cur.atom]; ++k) {
                const std::uint32_t next = c.neighbors[cur.atom * c.max_neighbors + k];
                if (visit_stamp_[next] == stamp_) continue;
                if (cur.distance >= steps - 1 && next != b) continue;
                vec3<double> s;
                std::uint32_t sc;
                if (!step(cur.atom, next, s, sc)) continue;
                vec3<double> total;
                std::uint32_t tc;
                if (cur.cluster == 0) {
                    total = s, tc = sc;
                } else if (cur.cluster == sc) {
                    total = cur.l + s, tc = sc;
                } else {
                    const std::uint32_t t = crystal_->graph.find(sc, cur.cluster);
                    if (t == none) continue;
                    total = cur.l + crystal_->graph.apply(t, s), tc = cur.cluster;
                }
                if (next == b) {
                    l = total, cluster = tc;
                    return true;
                }
                if (cur.distance < steps - 1) {
                    queue.push_back({next, total, tc, cur.distance + 1});
                    visit_stamp_[next] = stamp_;
                }
            }
        }
        return false;
    }
    /// The longest bond a crystal path can take (a crystalline atom to a listed neighbour).
    template <class Box>
    double longest_bond(const periodic_delaunay& t, const Box& box) const {
        const crystal_analysis& c = *crystal_;
        double longest = 0;
        for (std::size_t i = 0; i < c.cluster.size(); ++i) {
            if (c.cluster[i] == 0) continue;
            for (std::size_t k = 0; k < c.count[i]; ++k) {
                const std::uint32_t j = c.neighbors[i * c.max_neighbors + k];
                longest = std::max(longest, norm2(box.minimum_image(t.position[j] - t.position[i])));
            }
        }
        return std::sqrt(longest);
    }

    void assign_vectors(int steps, double longest_bond) {
        const std::size_t m = keys_.size();
        lattice_.assign(m, {});
        transition_.assign(m, none);
        has_.assign(m, 0);
        visit_stamp_.assign(tess_->num_particles, 0);
        // An edge longer than `steps` of the longest bond has no crystal path: skip the search
        // (the cells of a tessellated subset that bridge left-out atoms have many such edges).
        const double reach = steps * longest_bond * (1 + 1e-9);
        const double reach2 = reach * reach;
        for (std::size_t e = 0; e < m; ++e) {
            if (wrapped_[e]) continue;
            const std::uint32_t a = keys_[e].a, b = keys_[e].b;
            const auto& img = keys_[e].image;
            const vec3<double> bond = tess_->position[b] - tess_->position[a] +
                                      tess_->cell * vec3<double>(img[0], img[1], img[2]);
            if (norm2(bond) > reach2) continue;
            const std::uint32_t ca = vertex_cluster_[a], cb = vertex_cluster_[b];
            if (ca == 0 || cb == 0) continue;
            vec3<double> l;
            std::uint32_t pc;
            if (!path(a, b, steps, l, pc)) continue;
            if (pc != ca) {
                const std::uint32_t t = crystal_->graph.find(pc, ca);
                if (t == none) continue;
                l = crystal_->graph.apply(t, l);
            }
            const std::uint32_t t = crystal_->graph.find(ca, cb);
            if (t == none) continue;
            lattice_[e] = l, transition_[e] = t, has_[e] = 1;
        }
    }

    /// Cell c's faces: each Burgers circuit closes and no rotation is left (edges 0→1→3 vs 0→3, …).
    bool compatible(std::size_t c) const {
        static constexpr int circuits[4][3] = {{0, 4, 2}, {1, 5, 2}, {0, 3, 1}, {3, 5, 4}};
        const auto& v = tess_->tessellation.vertices[c];
        const cluster_graph& g = crystal_->graph;
        edge_vector ev[6];
        for (std::size_t e = 0; e < 6; ++e)
            if (!edge(v[edge_vertices[e][0]], v[edge_vertices[e][1]], ev[e])) return false;
        for (const auto& f : circuits) {
            const vec3<double> b = ev[f[0]].lattice + g.apply(g.reverse(ev[f[0]].transition), ev[f[1]].lattice) - ev[f[2]].lattice;
            if (std::abs(b.x) > lattice_tolerance || std::abs(b.y) > lattice_tolerance || std::abs(b.z) > lattice_tolerance)
                return false;
            const std::uint32_t t1 = ev[f[0]].transition, t2 = ev[f[1]].transition, t3 = ev[f[2]].transition;
            if (t1 != cluster_graph::identity || t2 != cluster_graph::identity || t3 != cluster_graph::identity) {
                const mat3<double> frank = g.matrix(g.reverse(t3)) * g.matrix(t2) * g.matrix(t1);
                for (std::size_t r = 0; r < 3; ++r)
                    for (std::size_t q = 0; q < 3; ++q)
                        if (std::abs(frank(r, q) - (r == q ? 1.0 : 0.0)) > cluster_graph::matrix_tolerance) return false;
            }
        }
        return true;
    }

    void classify_cells(const periodic_delaunay& t) {
        good_.assign(t.tessellation.size(), 0);
        for (std::size_t c = 0; c < t.tessellation.size(); ++c)
            if (t.is_primary(c)) good_[c] = compatible(c);
    }
};

}  // namespace tessera
