#pragma once
/// @file
/// The interface mesh of a dislocation extraction analysis: the closed triangle surface that
/// separates good crystal (cells of the Delaunay tessellation whose elastic mapping is
/// compatible) from everything else — dislocation cores, stacking-fault edges, surfaces, voids.
/// Burgers circuits are drawn on it (defects/burgers_tracer.hpp).
///
/// Facets: every face of a primary good cell whose neighbour across it is not good (a bad cell,
/// a cell failing the alpha test, or none), wound so that its normal points out of the good cell,
/// numbered in a canonical order (by particle indices and relative images, not by where the
/// tessellation stored the cell), so the traced lines do not depend on the tessellation's storage
/// order. A policy says how cells a tessellated subset lacks or got wrong count (whole_tessellation:
/// they do not exist).
/// Each half-edge carries the spatial vector between its two atoms (unwrapped, from the cell's
/// own points), the ideal lattice vector of that tessellation edge in the frame of its first
/// atom's vertex cluster, and the cluster transition to the second atom's (elastic_mapping).
/// Opposite half-edges are paired by turning around their tessellation edge through good cells
/// to the next facet, so the mesh is a 2-manifold along edges even where several tubes touch;
/// a vertex shared by separate fans of facets is split into one vertex per fan, so it is a
/// 2-manifold at vertices too (A. Stukowski, V. V. Bulatov, A. Arsenlis, Modelling Simul. Mater.
/// Sci. Eng. 20, 085007 (2012), section 3.4).
///
/// Alpha test (as the reference implementation, OVITO): a cell counts only if its squared
/// circumradius is below 5 × the largest local neighbour cutoff (a length compared with an area:
/// the reference implementation's choice, kept for equal results). It matters only at free
/// surfaces and voids; a crystal's cells have R² ≈ 3 Å² against ≈ 15 for Cu.
#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/defects/elastic_mapping.hpp>
#include <tessera/neighbors/delaunay.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <unordered_map>
#include <vector>

namespace tessera {

class interface_mesh {
public:
    static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();

    struct half_edge {
        std::uint32_t from, to;        ///< mesh vertices
        std::uint32_t face;
        std::uint32_t opposite = none;
        vec3<double> physical;         ///< r_to − r_from, unwrapped
        vec3<double> lattice;          ///< ideal vector, frame of from's vertex cluster
        std::uint32_t transition;      ///< from's vertex cluster → to's
    };
    struct vertex {
        std::uint32_t particle;
        vec3<double> position;         ///< the particle's wrapped position
    };

    std::vector<vertex> vertices;
    std::vector<half_edge> edges;      ///< face f owns edges 3f, 3f + 1, 3f + 2 (in order)
    std::vector<std::uint32_t> vertex_cluster;  ///< per mesh vertex: its particle's vertex cluster

    std::size_t face_count() const noexcept { return edges.size() / 3; }
    static std::uint32_t next(std::uint32_t e) noexcept { return e - e % 3 + (e % 3 + 1) % 3; }
    static std::uint32_t prev(std::uint32_t e) noexcept { return e - e % 3 + (e % 3 + 2) % 3; }
    /// Half-edges leaving vertex v: out_edges[out_first[v] … out_first[v + 1]).
    std::vector<std::uint32_t> out_first, out_edges;

    /// How cells the tessellation lacks or got wrong count: a whole tessellation's policy.
    /// The tessellation of a subset of the atoms (defects/tessellation_region.hpp) passes its
    /// own: its cells that are not cells of the whole tessellation, and the faces on its hull
    /// that are not the crystal's surface, lie far from every defect and count as good.
    struct whole_tessellation {
        /// Cell c, not good by the mapping or the alpha test, counts as good.
        bool counts_good(std::size_t) const { return false; }
        /// The missing neighbour of cell c across `slot` (a hull face) counts as good.
        bool missing_counts_good(std::size_t, std::uint32_t) const { return false; }
    };

    /// Builds the mesh. `alpha` is compared with the squared circumradius (see file comment).
    interface_mesh(const periodic_delaunay& t, const elastic_mapping& mapping, double alpha)
        : interface_mesh(t, mapping, alpha, whole_tessellation{}) {}
    template <class Policy>
    interface_mesh(const periodic_delaunay& t, const elastic_mapping& mapping, double alpha, const Policy& policy) {
        const auto& cells = t.tessellation.vertices;
        const auto& nbrs = t.tessellation.neighbors;
        // Good = compatible and passing the alpha test; primary cells up front, ghost copies
        // when the walk around an edge reaches them (2: not known yet).
        // The alpha test of a cell too flat for its circumradius in doubles (the reference
        // implementation's rule): it passes when all four neighbours exist and pass themselves.
        auto filled = [&](std::size_t c) {
            const double r2 = circumradius2(t, c);
            if (std::isfinite(r2)) return r2 < alpha;
            for (const std::uint32_t o : nbrs[c]) {
                if (o == delaunay_tessellation::none) return false;
                const double q2 = circumradius2(t, o);
                if (!(q2 < alpha)) return false;
            }
            return true;
        };
        auto classify = [&](std::size_t c) -> std::uint8_t {
            if (mapping.good(c) && filled(c)) return 1;
            return policy.counts_good(c) ? 1 : 0;
        };
        std::vector<std::uint8_t> good_state(cells.size(), 2);
        for (std::size_t c = 0; c < cells.size(); ++c)
            if (t.is_primary(c)) good_state[c] = classify(c);
        auto good = [&](std::size_t c) {
            if (good_state[c] == 2) good_state[c] = classify(c);
            return good_state[c] != 0;
        };
        // Primary copies, for facets reached through ghost cells: keyed only where needed (good
        // primary cells with a facet), below.
        std::unordered_map<cell_key, std::uint32_t, key_hash> primary_of;
        // Facets: (primary good cell, slot) → face id.
        std::unordered_map<std::uint64_t, std::uint32_t> face_of;
        static constexpr int outward[4][3] = {{1, 2, 3}, {0, 3, 2}, {0, 1, 3}, {0, 2, 1}};
        // Facets are numbered in a canonical order — by their cell's key (particles and relative
        // images, key_of), then by which of its vertices they leave out — and each starts at its
        // lowest (particle, relative image) vertex: the mesh, and so every traced line, depends on
        // the tessellation's cells only, not on the order its builder stored them in (insertion
        // order, a translation of all atoms, a tessellation of a subset of the atoms).
        struct facet_entry {
            cell_key key;
            std::uint32_t left_out;  ///< index in `key` of the vertex the facet leaves out
            std::uint32_t cell, slot;
        };
        std::vector<facet_entry> facets;
        for (std::size_t c = 0; c < cells.size(); ++c) {
            if (!t.is_primary(c) || !good(c)) continue;
            bool faceted = false;
            for (std::uint32_t k = 0; k < 4; ++k) {
                const std::uint32_t o = nbrs[c][k];
                if (o == delaunay_tessellation::none ? policy.missing_counts_good(c, k) : good(o)) continue;
                cell_key key = key_of(t, c);
                if (!faceted) primary_of.emplace(key, std::uint32_t(c)), faceted = true;
                const auto left_out = relative_descriptor(t, cells[c], k);
                const auto at = std::find(key.begin(), key.end(), left_out);
                facets.push_back({key, std::uint32_t(at - key.begin()), std::uint32_t(c), k});
            }
        }
        std::sort(facets.begin(), facets.end(), [](const facet_entry& a, const facet_entry& b) {
            return a.key != b.key ? a.key < b.key : a.left_out < b.left_out;
        });
        std::vector<std::array<std::uint32_t, 3>> face_points;  // tessellation points, per face
        face_points.reserve(facets.size());
        for (const facet_entry& fe : facets) {
            const auto& cell = cells[fe.cell];
            std::array<std::uint32_t, 3> points = {cell[outward[fe.slot][0]], cell[outward[fe.slot][1]],
                                                   cell[outward[fe.slot][2]]};
            std::array<std::array<std::int64_t, 4>, 3> d;
            for (std::size_t i = 0; i < 3; ++i) d[i] = relative_descriptor(t, cell, slot_of(cell, points[i]));
            const std::size_t first = std::size_t(std::min_element(d.begin(), d.end()) - d.begin());
            std::rotate(points.begin(), points.begin() + std::ptrdiff_t(first), points.end());
            face_of.emplace(std::uint64_t(fe.cell) << 2 | fe.slot, std::uint32_t(face_points.size()));
            face_points.push_back(points);
        }
        // Half-edges with their vectors; vertices per particle for now (split below).
        const std::size_t nf = face_points.size();
        edges.resize(3 * nf);
        for (std::size_t f = 0; f < nf; ++f)
            for (std::size_t i = 0; i < 3; ++i) {
                const std::uint32_t u = face_points[f][i], v = face_points[f][(i + 1) % 3];
                half_edge& h = edges[3 * f + i];
                h.from = t.particle[u], h.to = t.particle[v], h.face = std::uint32_t(f);
                h.physical = t.bond(u, v);
                elastic_mapping::edge_vector ev;
                if (!mapping.edge(u, v, ev)) throw error("interface_mesh: internal error: a good cell's edge has no vector");
                h.lattice = ev.lattice, h.transition = ev.transition;
            }
        // Opposites: turn around the tessellation edge (u, v) from the facet's cell, through good
        // cells, to the first cell that is not good; the facet before it holds v → u.
        for (std::size_t c = 0; c < cells.size(); ++c) {
            if (!t.is_primary(c) || good_state[c] != 1) continue;
            for (std::uint32_t k = 0; k < 4; ++k) {
                const auto it = face_of.find(std::uint64_t(c) << 2 | k);
                if (it == face_of.end()) continue;
                const std::uint32_t f = it->second;
                for (std::uint32_t i = 0; i < 3; ++i) {
                    half_edge& h = edges[3 * f + i];
                    if (h.opposite != none) continue;
                    const std::uint32_t u = face_points[f][i], v = face_points[f][(i + 1) % 3];
                    const std::uint32_t third = face_points[f][(i + 2) % 3];
                    // Leave c through its other face holding u and v: the one opposite `third`.
                    std::uint32_t cell = std::uint32_t(c), pu = u, pv = v, opposite_vertex = third;
                    for (int guard = 0;; ++guard) {
                        if (guard > 1000) throw error("interface_mesh: internal error: no way around an edge");
                        const std::uint32_t slot = slot_of(cells[cell], opposite_vertex);
                        const std::uint32_t o = nbrs[cell][slot];
                        if (o == delaunay_tessellation::none && policy.missing_counts_good(cell, slot))
                            throw error("interface_mesh: internal error: an edge of the mesh reaches the hull of a "
                                        "tessellated subset");
                        if (o == delaunay_tessellation::none || !good(o)) {
                            // The facet of `cell` across `slot` holds pv → pu.
                            const std::uint32_t g = facet_of(t, cell, slot, primary_of, face_of);
                            const std::uint32_t e = edge_in_face(t, face_points[g], pv, pu);
                            h.opposite = 3 * g + e;
                            edges[3 * g + e].opposite = 3 * f + i;
                            break;
                        }
                        // Into o: it shares (pu, pv) and the vertex of `cell` at `slot`'s face …
                        // the next face to cross is o's face holding pu, pv but not the shared third.
                        const std::uint32_t shared_third = other_vertex(cells[cell], slot, pu, pv);
                        opposite_vertex = shared_third;
                        // Points of o equal to pu, pv: the same tessellation points (o is adjacent).
                        cell = o;
                    }
                }
            }
        }
        for (const auto& h : edges)
            if (h.opposite == none) throw error("interface_mesh: internal error: an unpaired half-edge");
        split_vertices(t);
        vertex_cluster.resize(vertices.size());
        for (std::size_t v = 0; v < vertices.size(); ++v) vertex_cluster[v] = mapping.vertex_cluster(vertices[v].particle);
    }

private:
    using cell_key = std::array<std::array<std::int64_t, 4>, 4>;
    struct key_hash {
        std::size_t operator()(const cell_key& k) const noexcept {
            std::uint64_t h = 1469598103934665603ULL;
            for (const auto& row : k)
                for (const auto x : row) h = (h ^ std::uint64_t(x)) * 1099511628211ULL;
            return std::size_t(h);
        }
    };
    /// A cell as sorted (particle, image relative to its lowest-particle vertex): equal for all
    /// periodic copies.
    /// The slot of the cell's vertex with the lowest (particle, image): the anchor relative
    /// images are taken against, the same point in every periodic copy.
    static std::size_t anchor_slot(const periodic_delaunay& t, const std::array<std::uint32_t, 4>& v) {
        std::size_t low = 0;
        for (std::size_t k = 1; k < 4; ++k)
            if (t.particle[v[k]] < t.particle[v[low]] ||
                (t.particle[v[k]] == t.particle[v[low]] && t.image[v[k]] < t.image[v[low]]))
                low = k;
        return low;
    }
    /// Vertex `slot` of `cell` as (particle, image relative to the cell's anchor vertex): the
    /// same for that vertex in every periodic copy of the cell.
    static std::array<std::int64_t, 4> relative_descriptor(const periodic_delaunay& t,
                                                           const std::array<std::uint32_t, 4>& cell, std::size_t slot) {
        const std::uint32_t a = cell[anchor_slot(t, cell)], v = cell[slot];
        return {t.particle[v], t.image[v][0] - t.image[a][0], t.image[v][1] - t.image[a][1], t.image[v][2] - t.image[a][2]};
    }
    static cell_key key_of(const periodic_delaunay& t, std::size_t c) {
        const auto& v = t.tessellation.vertices[c];
        cell_key key;
        for (std::size_t k = 0; k < 4; ++k) key[k] = relative_descriptor(t, v, k);
        std::sort(key.begin(), key.end());
        return key;
    }
    static double circumradius2(const periodic_delaunay& t, std::size_t c) {
        // From bond vectors (periodic_delaunay::bond): every periodic copy of a cell gets the
        // same bits, so the copies always agree on the alpha test.
        // Vertices in the canonical order of key_of (particle, then image), which every copy shares.
        std::array<std::uint32_t, 4> v = t.tessellation.vertices[c];
        std::sort(v.begin(), v.end(), [&](std::uint32_t a, std::uint32_t b) {
            return t.particle[a] != t.particle[b] ? t.particle[a] < t.particle[b] : t.image[a] < t.image[b];
        });
        const vec3<double> u = t.bond(v[0], v[1]), w = t.bond(v[0], v[2]), x = t.bond(v[0], v[3]);
        // Indeterminate (infinite) for a cell flat in doubles (the exact grid test made it
        // positive): relative volume below 1e-9 of the edge lengths cubed.
        const double den = 2 * dot(u, cross(w, x));
        const double scale = std::sqrt(norm2(u) * norm2(w) * norm2(x));
        if (!(std::abs(den) > 1e-9 * scale)) return std::numeric_limits<double>::infinity();
        const vec3<double> r = (cross(w, x) * norm2(u) + cross(x, u) * norm2(w) + cross(u, w) * norm2(x)) * (1 / den);
        return norm2(r);
    }
    static std::uint32_t slot_of(const std::array<std::uint32_t, 4>& cell, std::uint32_t point) {
        for (std::uint32_t k = 0; k < 4; ++k)
            if (cell[k] == point) return k;
        throw error("interface_mesh: internal error: a point is not in its cell");
    }
    /// The vertex of `cell` that is neither `skip_slot`'s vertex nor a nor b.
    static std::uint32_t other_vertex(const std::array<std::uint32_t, 4>& cell, std::uint32_t skip_slot, std::uint32_t a,
                                      std::uint32_t b) {
        for (std::uint32_t k = 0; k < 4; ++k)
            if (k != skip_slot && cell[k] != a && cell[k] != b) return cell[k];
        throw error("interface_mesh: internal error: a degenerate cell");
    }
    /// The face id of (cell, slot), through the primary copy when `cell` is a ghost.
    static std::uint32_t facet_of(const periodic_delaunay& t, std::uint32_t cell, std::uint32_t slot,
                                  const std::unordered_map<cell_key, std::uint32_t, key_hash>& primary_of,
                                  const std::unordered_map<std::uint64_t, std::uint32_t>& face_of) {
        std::uint32_t c = cell, k = slot;
        if (!t.is_primary(cell)) {
            const auto it = primary_of.find(key_of(t, cell));
            if (it == primary_of.end()) throw error("interface_mesh: internal error: a ghost cell without its primary copy");
            c = it->second;
            // The slot in c of the point that is the same (particle, relative image) as cell's.
            const auto& g = t.tessellation.vertices[cell];
            const auto& p = t.tessellation.vertices[c];
            const std::uint32_t gp = g[slot];
            // Relative images against the anchor vertex of each copy.
            const std::uint32_t ga = g[anchor_slot(t, g)], pa = p[anchor_slot(t, p)];
            k = 4;
            for (std::uint32_t q = 0; q < 4; ++q) {
                bool same = t.particle[p[q]] == t.particle[gp];
                for (std::size_t d = 0; d < 3 && same; ++d)
                    same = t.image[p[q]][d] - t.image[pa][d] == t.image[gp][d] - t.image[ga][d];
                if (same) k = q;
            }
            if (k == 4) throw error("interface_mesh: internal error: no matching slot in a primary copy");
        }
        const auto it = face_of.find(std::uint64_t(c) << 2 | k);
        if (it == face_of.end()) throw error("interface_mesh: internal error: a facet was not created");
        return it->second;
    }
    /// Which edge of face g runs from particle a to particle b (points of a copy of its cell).
    std::uint32_t edge_in_face(const periodic_delaunay& t, const std::array<std::uint32_t, 3>& g, std::uint32_t a,
                               std::uint32_t b) const {
        for (std::uint32_t e = 0; e < 3; ++e)
            if (t.particle[g[e]] == t.particle[a] && t.particle[g[(e + 1) % 3]] == t.particle[b]) return e;
        throw error("interface_mesh: internal error: the opposite half-edge is missing");
    }

    /// One mesh vertex per fan of facets around each particle.
    void split_vertices(const periodic_delaunay& t) {
        const std::size_t m = edges.size();
        // Around a vertex: the next outgoing half-edge after e is opposite(prev(e)).
        std::vector<std::uint32_t> vertex_of_edge(m, none);
        for (std::uint32_t e = 0; e < m; ++e) {
            if (vertex_of_edge[e] != none) continue;
            const std::uint32_t particle = edges[e].from;
            const std::uint32_t v = std::uint32_t(vertices.size());
            vertices.push_back({particle, t.position[particle]});
            std::uint32_t x = e;
            do {
                vertex_of_edge[x] = v;
                x = edges[prev(x)].opposite;
            } while (x != e && vertex_of_edge[x] == none);
        }
        for (std::uint32_t e = 0; e < m; ++e) edges[e].from = vertex_of_edge[e];
        for (std::uint32_t e = 0; e < m; ++e) edges[e].to = edges[next(e)].from;
        out_first.assign(vertices.size() + 1, 0);
        for (const auto& h : edges) ++out_first[h.from + 1];
        for (std::size_t v = 0; v < vertices.size(); ++v) out_first[v + 1] += out_first[v];
        out_edges.resize(m);
        std::vector<std::uint32_t> fill(out_first.begin(), out_first.end() - 1);
        for (std::uint32_t e = 0; e < m; ++e) out_edges[fill[edges[e].from]++] = e;
    }
};

}  // namespace tessera
