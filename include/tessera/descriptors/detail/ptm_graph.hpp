#pragma once
/// @file
/// Graph matching for polyhedral template matching (descriptors/ptm.hpp): the canonical form of
/// an oriented triangulated hull, and the table of every triangulation of each template's hull.
///
/// Canonical form. A triangulated convex hull is a 3-connected planar graph, so its rotation
/// system (the cyclic order of the neighbours around each vertex, seen from outside) fixes it
/// up to orientation-preserving isomorphism. From a directed start edge (a, b), label a first,
/// then visit the vertices breadth-first, each one's neighbours in rotation order starting from
/// the neighbour it was reached from, labelling vertices as they are met; the code is, vertex by
/// vertex in label order, the labels of its neighbours in that order, each list closed by 0xFF.
/// The code determines the rotation system, so two hulls have the same smallest code over start
/// edges iff a proper rotation-like relabelling maps one onto the other (a complete invariant;
/// mirror images differ, as they must: only proper rotations align them). Start edges are only
/// those whose facet has the largest (degree a, degree b, degree c) — an isomorphism-invariant
/// choice, as in the reference implementation, which however compares 64-bit hashes of its codes;
/// here whole codes are compared. Every start edge that gives the smallest code gives one
/// labelling; they differ by the graph's orientation-preserving automorphisms.
///
/// Template tables. A perfect template's hull has coplanar points (fcc and hcp: six squares;
/// bcc: twelve rhombi); a measured hull is one of its triangulations. The tables hold, for each
/// distinct code over all triangulations, every map label → template point obtained from every
/// triangulation and every labelling with that code, with maps that differ by a symmetry of the
/// template (giving the same RMSD) kept once. Counts of distinct triangulations up to the site
/// group (Burnside): fcc 8, hcp 16, bcc 218, sc 1, ico 1, cubic diamond 12, hexagonal diamond 24
/// — checked by tests/descriptors/ptm.cpp.
///
/// Diamond (two-shell) hulls: the 12 outer atoms form the hull (a cuboctahedron or its twin); the
/// triangle of the three outer neighbours of each inner atom is replaced by the three facets
/// through that inner atom, giving 28 facets over all 16 vertices, inner vertices coloured 1
/// (the reference implementation's construction; an inner atom that is itself on the hull keeps
/// its hull facets). Colours enter the code, so inner and outer atoms never match each other.

#include <tessera/descriptors/detail/ptm_hull.hpp>
#include <tessera/descriptors/detail/ptm_templates.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

namespace tessera::detail {

inline constexpr std::size_t ptm_graph_max_vertices = ptm_hull_max_points - 1;
inline constexpr std::size_t ptm_code_capacity = 2 * (3 * ptm_graph_max_vertices - 6) + ptm_graph_max_vertices;
inline constexpr std::uint8_t ptm_none = 0xFF;

using ptm_code = std::array<std::uint8_t, ptm_code_capacity>;

/// A triangulated sphere on vertices 0..n−1 (the neighbours; the centre is not a vertex).
struct ptm_graph {
    std::size_t n = 0;
    std::size_t num_facets = 0;
    std::array<std::array<std::uint8_t, ptm_graph_max_vertices>, ptm_graph_max_vertices> next{};  ///< third vertex of the facet with directed edge a→b
    std::array<std::uint8_t, ptm_graph_max_vertices> degree{};
    std::array<std::uint8_t, ptm_graph_max_vertices> colour{};  ///< diamond: 1 inner, 0 outer
    std::array<std::array<std::uint8_t, 3>, ptm_hull_max_facets> facets{};

    /// From oriented facets over vertices 0..n−1, with vertex colours (or all 0). False if an
    /// edge is used twice in one direction (not a consistently oriented closed surface).
    bool build(std::size_t vertices, const std::array<std::uint8_t, 3>* f, std::size_t count,
               const std::uint8_t* colours = nullptr) {
        n = vertices;
        num_facets = count;
        colour.fill(0);
        if (colours)
            for (std::size_t v = 0; v < vertices; ++v) colour[v] = colours[v];
        for (std::size_t a = 0; a < vertices; ++a) std::fill(next[a].begin(), next[a].begin() + vertices, ptm_none);
        degree.fill(0);
        for (std::size_t k = 0; k < count; ++k) {
            facets[k] = f[k];
            for (std::size_t e = 0; e < 3; ++e) {
                const std::uint8_t a = f[k][e], b = f[k][(e + 1) % 3], c = f[k][(e + 2) % 3];
                if (a >= n || b >= n || c >= n || next[a][b] != ptm_none) return false;
                next[a][b] = c;
                ++degree[a];
            }
        }
        for (std::size_t k = 0; k < count; ++k)  // closed: every edge's twin is in some facet
            for (std::size_t e = 0; e < 3; ++e)
                if (next[f[k][(e + 1) % 3]][f[k][e]] == ptm_none) return false;
        return true;
    }

    /// The code from the start edge (a, b), and the labelling vertex → label. Returns the length.
    /// With `bound` (a code of length bound_len): stops and returns 0 as soon as the code is
    /// known to be larger than the bound (the canonical search needs only smaller or equal ones).
    std::size_t code_from(std::uint8_t a, std::uint8_t b, ptm_code& code,
                          std::array<std::uint8_t, ptm_graph_max_vertices>& label, const ptm_code* bound = nullptr,
                          std::size_t bound_len = 0) const {
        bool below = bound == nullptr;  // already smaller than the bound: no more comparisons
        // false: code[0..len] is already larger than the bound (a longer code with an equal
        // prefix counts as larger, as in lexicographical_compare)
        auto still_candidate = [&](std::size_t len) {
            if (below) return true;
            if (len >= bound_len || code[len] > (*bound)[len]) return false;
            below = code[len] < (*bound)[len];
            return true;
        };
        label.fill(ptm_none);
        std::array<std::uint8_t, ptm_graph_max_vertices> queue{}, reference{};
        std::size_t head = 0, tail = 0, len = 0;
        std::uint8_t next_label = 0;
        label[a] = next_label++;
        queue[tail] = a, reference[tail] = b, ++tail;
        while (head < tail) {
            const std::uint8_t v = queue[head], r = reference[head];
            ++head;
            std::uint8_t w = r;
            do {
                if (label[w] == ptm_none) {
                    label[w] = next_label++;
                    queue[tail] = w, reference[tail] = v, ++tail;
                }
                code[len] = std::uint8_t(label[w] | colour[w] << 6);  // labels < 32: colour in bit 6
                if (!still_candidate(len)) return 0;
                ++len;
                w = next[v][w];  // the next neighbour of v in rotation order
            } while (w != r && w != ptm_none);
            code[len] = ptm_none;
            if (!still_candidate(len)) return 0;
            ++len;
        }
        return len;
    }

    /// Directed start edges: those of facets whose (deg a, deg b, deg c) is largest.
    template <class F>
    void for_each_start_edge(F&& f) const {
        std::uint32_t top = 0;
        auto key = [&](std::uint8_t a, std::uint8_t b, std::uint8_t c) {
            return std::uint32_t(degree[a]) << 16 | std::uint32_t(degree[b]) << 8 | degree[c];
        };
        for (std::size_t k = 0; k < num_facets; ++k)
            for (std::size_t e = 0; e < 3; ++e)
                top = std::max(top, key(facets[k][e], facets[k][(e + 1) % 3], facets[k][(e + 2) % 3]));
        for (std::size_t k = 0; k < num_facets; ++k)
            for (std::size_t e = 0; e < 3; ++e)
                if (key(facets[k][e], facets[k][(e + 1) % 3], facets[k][(e + 2) % 3]) == top)
                    f(facets[k][e], facets[k][(e + 1) % 3]);
    }

    /// The smallest code and the first labelling that gives it.
    std::size_t canonical(ptm_code& best, std::array<std::uint8_t, ptm_graph_max_vertices>& best_label) const {
        ptm_code code;
        std::array<std::uint8_t, ptm_graph_max_vertices> label;
        std::size_t best_len = 0;
        for_each_start_edge([&](std::uint8_t a, std::uint8_t b) {
            const std::size_t len = best_len == 0 ? code_from(a, b, code, label) : code_from(a, b, code, label, &best, best_len);
            if (len == 0) return;  // larger than the best so far
            if (best_len == 0 || std::lexicographical_compare(code.begin(), code.begin() + len, best.begin(),
                                                              best.begin() + best_len)) {
                std::copy(code.begin(), code.begin() + len, best.begin());
                best_label = label, best_len = len;
            }
        });
        return best_len;
    }
};

/// One distinct code of a template's triangulations and the maps label → template point (1..N)
/// it admits, one per class of maps equal up to a template symmetry.
struct ptm_code_entry {
    ptm_code code{};
    std::size_t length = 0;
    std::vector<std::array<std::uint8_t, ptm_graph_max_vertices>> label_to_point;
};

/// The code table of one template, sorted by code.
struct ptm_graph_table {
    std::vector<ptm_code_entry> entries;
    std::size_t triangulations = 0;        ///< all triangulations of the template hull
    std::size_t distinct_up_to_symmetry = 0;  ///< of those, up to the site group

    const ptm_code_entry* find(const ptm_code& code, std::size_t length) const noexcept {
        auto less = [](const ptm_code_entry& e, const std::pair<const ptm_code*, std::size_t>& c) {
            return std::lexicographical_compare(e.code.begin(), e.code.begin() + e.length, c.first->begin(),
                                                c.first->begin() + c.second);
        };
        const auto key = std::make_pair(&code, length);
        auto it = std::lower_bound(entries.begin(), entries.end(), key, less);
        if (it == entries.end() || it->length != length ||
            !std::equal(it->code.begin(), it->code.begin() + length, code.begin()))
            return nullptr;
        return &*it;
    }
};

/// Diamond hulls: the facet made of inner atom k's three outer atoms (vertices 4 + 3k … 6 + 3k)
/// becomes the fan of three facets through k, for each inner atom not already on the hull. False
/// if a facet holds two inner atoms, or the counts do not come to 28 facets (the reference
/// implementation's rules). `colours` gets 1 for the inner vertices.
template <class Facets>
bool diamond_replace_inner_triangles(Facets& facets, std::size_t num_inner,
                                     std::array<std::uint8_t, ptm_graph_max_vertices>& colours) {
    colours.fill(0);
    std::array<bool, 4> inverted{};
    std::size_t n_inverted = 0, found = 0;
    for (std::size_t k = 0; k < num_inner; ++k) colours[k] = 1;
    for (const auto& f : facets) {
        int inner = 0;
        for (const auto v : f)
            if (v < num_inner) ++inner, inverted[v] = true;
        if (inner >= 2) return false;
    }
    for (std::size_t k = 0; k < num_inner; ++k) n_inverted += inverted[k];
    if (facets.size() != 20 + 2 * n_inverted) return false;
    const std::size_t count = facets.size();
    for (std::size_t k = 0; k < num_inner; ++k) {
        if (inverted[k]) continue;
        const std::uint8_t lo = std::uint8_t(num_inner + 3 * k);
        for (std::size_t i = 0; i < count; ++i) {
            auto f = facets[i];
            if (f[0] < lo || f[0] > lo + 2 || f[1] < lo || f[1] > lo + 2 || f[2] < lo || f[2] > lo + 2) continue;
            const std::uint8_t c = std::uint8_t(k);
            facets[i] = {f[0], f[1], c};
            facets.push_back({f[1], f[2], c});
            facets.push_back({f[2], f[0], c});
            ++found;
            break;
        }
    }
    return found + n_inverted == num_inner;
}

/// Every triangulation of the template's hull: the supporting planes through three neighbours
/// with all points on one side are the faces; a face with four points (a square or rhombus) has
/// two triangulations; larger faces do not occur in these templates.
inline ptm_graph_table make_ptm_graph_table(const ptm_template& t) {
    if (t.facets == 0) return {};  // graphene: planar, matched without a hull
    const std::size_t n = t.num_neighbors;
    const auto* p = t.points.data() + 1;  // neighbours only: vertex k is template point k + 1
    struct face {
        std::vector<std::uint8_t> v;  // counter-clockwise seen from outside
    };
    std::vector<face> faces;
    std::vector<std::array<std::uint8_t, 3>> seen;
    for (std::size_t a = 0; a < n; ++a)
        for (std::size_t b = a + 1; b < n; ++b)
            for (std::size_t c = b + 1; c < n; ++c) {
                vec3<double> nrm = cross(p[b] - p[a], p[c] - p[a]);
                if (norm2(nrm) < 1e-20) continue;
                nrm = nrm * (1 / std::sqrt(norm2(nrm)));
                const double off = dot(nrm, p[a]);
                if (off < 0) nrm = nrm * -1.0;
                const double o = std::abs(off);
                bool support = true;
                std::vector<std::uint8_t> on;
                for (std::size_t k = 0; k < n && support; ++k) {
                    const double d = dot(nrm, p[k]) - o;
                    if (d > 1e-9) support = false;
                    else if (d > -1e-9) on.push_back(std::uint8_t(k));
                }
                if (!support || on[0] != a || on[1] != b || on[2] != c) continue;  // each face once
                // Order the face's points counter-clockwise about the outward normal.
                vec3<double> centre{};
                for (auto k : on) centre = centre + p[k];
                centre = centre * (1.0 / double(on.size()));
                const vec3<double> e0 = p[on[0]] - centre, e1 = cross(nrm, e0);
                std::sort(on.begin(), on.end(), [&](std::uint8_t i, std::uint8_t j) {
                    return std::atan2(dot(p[i] - centre, e1), dot(p[i] - centre, e0)) <
                           std::atan2(dot(p[j] - centre, e1), dot(p[j] - centre, e0));
                });
                faces.push_back({on});
            }
    std::size_t quads = 0;
    for (const auto& f : faces) quads += f.v.size() == 4;

    ptm_graph_table table;
    std::vector<ptm_code_entry> all;
    std::set<ptm_code> canonical_codes;  // normalised facet lists of the classes seen
    for (std::size_t choice = 0; choice < (std::size_t(1) << quads); ++choice) {
        std::vector<std::array<std::uint8_t, 3>> tri;
        std::size_t q = 0;
        for (const auto& f : faces) {
            const auto& v = f.v;
            if (v.size() == 3) {
                tri.push_back({v[0], v[1], v[2]});
            } else {
                const bool other = choice >> q++ & 1;
                if (!other) tri.push_back({v[0], v[1], v[2]}), tri.push_back({v[0], v[2], v[3]});
                else tri.push_back({v[0], v[1], v[3]}), tri.push_back({v[1], v[2], v[3]});
            }
        }
        std::array<std::uint8_t, ptm_graph_max_vertices> colours{};
        if (t.num_inner > 0 && !diamond_replace_inner_triangles(tri, t.num_inner, colours)) continue;
        ptm_graph g;
        if (tri.size() != t.facets || !g.build(n, tri.data(), tri.size(), colours.data())) continue;
        ++table.triangulations;
        ptm_code best;
        std::array<std::uint8_t, ptm_graph_max_vertices> label;
        const std::size_t len = g.canonical(best, label);
        // Every labelling with the smallest code: the automorphisms.
        std::vector<std::array<std::uint8_t, ptm_graph_max_vertices>> maps;
        g.for_each_start_edge([&](std::uint8_t a, std::uint8_t b) {
            ptm_code code;
            std::array<std::uint8_t, ptm_graph_max_vertices> l;
            const std::size_t m = g.code_from(a, b, code, l);
            if (m != len || !std::equal(code.begin(), code.begin() + m, best.begin())) return;
            std::array<std::uint8_t, ptm_graph_max_vertices> inv{};
            for (std::size_t v = 0; v < n; ++v) inv[l[v]] = std::uint8_t(v + 1);
            maps.push_back(inv);
        });
        auto it = std::find_if(all.begin(), all.end(), [&](const ptm_code_entry& e) {
            return e.length == len && std::equal(best.begin(), best.begin() + len, e.code.begin());
        });
        if (it == all.end()) {
            all.push_back({best, len, {}});
            it = all.end() - 1;
        }
        for (const auto& m : maps) {
            bool equivalent = false;
            for (const auto& kept : it->label_to_point) {
                for (const auto& s : t.site_permutations) {
                    bool same = true;
                    for (std::size_t l = 0; l < n && same; ++l) same = s[kept[l]] == m[l];
                    if (same) {
                        equivalent = true;
                        break;
                    }
                }
                if (equivalent) break;
            }
            if (!equivalent) it->label_to_point.push_back(m);
        }
        // Distinct up to symmetry: the triangulation's facet set, canonically relabelled by each
        // site permutation; count those never seen before.
        std::vector<std::array<std::uint8_t, 3>> key = tri;
        auto normalise = [](std::vector<std::array<std::uint8_t, 3>> f) {
            for (auto& x : f)  // the smallest vertex first, keeping the cyclic order
                while (x[0] > x[1] || x[0] > x[2]) x = {x[1], x[2], x[0]};
            std::sort(f.begin(), f.end());
            return f;
        };
        bool novel = true;
        for (const auto& s : t.site_permutations) {
            std::vector<std::array<std::uint8_t, 3>> img;
            for (const auto& x : tri)
                img.push_back({std::uint8_t(s[x[0] + 1] - 1), std::uint8_t(s[x[1] + 1] - 1), std::uint8_t(s[x[2] + 1] - 1)});
            const auto ni = normalise(img);
            // Store normalised facet lists as codes of bytes in canonical_codes.
            ptm_code c{};
            std::size_t k = 0;
            for (const auto& x : ni)
                for (auto v : x) c[k++] = v;
            if (canonical_codes.count(c)) {
                novel = false;
                break;
            }
        }
        if (novel) {
            ++table.distinct_up_to_symmetry;
            const auto nk = normalise(key);
            ptm_code c{};
            std::size_t k = 0;
            for (const auto& x : nk)
                for (auto v : x) c[k++] = v;
            canonical_codes.insert(c);
        }
    }
    std::sort(all.begin(), all.end(), [](const ptm_code_entry& a, const ptm_code_entry& b) {
        return std::lexicographical_compare(a.code.begin(), a.code.begin() + a.length, b.code.begin(),
                                            b.code.begin() + b.length);
    });
    table.entries = std::move(all);
    return table;
}

}  // namespace tessera::detail
