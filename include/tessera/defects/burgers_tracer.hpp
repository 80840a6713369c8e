#pragma once
/// @file
/// Dislocation lines from Burgers circuits on the interface mesh: the tracing step of the
/// dislocation extraction analysis (A. Stukowski & K. Albe, Modelling Simul. Mater. Sci. Eng. 18,
/// 085001 (2010); A. Stukowski, V. V. Bulatov, A. Arsenlis, ibid. 20, 085007 (2012), section 3.5).
///
/// 1. **Trial circuits.** From every mesh vertex, a breadth-first walk over mesh edges gives each
///    vertex reached lattice coordinates X (the sum of ideal vectors along the way, carried
///    through cluster transitions). Reaching a vertex again by another edge closes a circuit
///    whose Burgers vector b = X_old − X_new; a circuit with b ≠ 0, no net rotation, a closed
///    spatial sum (it does not wrap around the periodic box) and no crossing of an existing
///    circuit starts a dislocation segment. Circuits of 3, 5, … `max_circuit` edges are tried.
/// 2. **Sweeping.** The circuit and its mirror image (built along its inner side) move apart
///    along the dislocation's tube of the mesh like rubber bands: they shed edges where two
///    edges are one face's (removing a face), skip pairs of faces, and grow by one edge when
///    they can move no other way, up to the current length. The centre of each new circuit is
///    a point of the line. Circuits never cross each other's edges or swept faces.
/// 3. **Junctions.** A circuit end whose every edge borders other circuits is blocked; blocked
///    ends that surround each other form a junction (three or more arms), a loop (both ends of
///    one segment) or a continuation (two segments, merged). Unvisited holes between blocked
///    circuits give secondary segments (the missing arm of a junction). The circuit length grows
///    from 3 to `max_circuit + stretchability` so ends can reach each other.
/// 4. **Finishing.** Points added while an end was stretched beyond `max_circuit` are dropped
///    unless the end joined a junction; Burgers vectors are expressed in a cluster of the input
///    structure when the segment's own is another (the hcp of a stacking fault); every Burgers
///    vector is negated and every line oriented along +x, +y or +z by its largest component
///    (the reference implementation's conventions, for the same signs).
///
/// Defaults as the reference implementation (OVITO 3): max_circuit 14, stretchability 9.
#include <tessera/defects/interface_mesh.hpp>

#include <cmath>
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

namespace tessera {

/// One traced line: a polyline (unwrapped across periodic boundaries), its Burgers vector in the
/// frame of `cluster` (lattice units), and how each end terminates.
struct dislocation_segment {
    std::deque<vec3<double>> line;
    std::deque<int> core_size;   ///< circuit edges at each point
    vec3<double> burgers{};      ///< lattice frame of `cluster`
    std::uint32_t cluster = 0;
    bool closed = false;         ///< a loop, or an infinite line through periodic boundaries
    int junction_arms[2] = {1, 1};  ///< arms at the start and end node (1: a dangling end)
    int junction[2] = {-1, -1};     ///< the junction (≥ 3 arms) at the start and end, or −1
};

class burgers_tracer {
public:
    static constexpr std::uint32_t none = interface_mesh::none;
    static constexpr double lattice_tolerance = 1e-3;
    static constexpr double spatial_tolerance = 1e-4;

    /// `min_image(d)`: the minimum image of a spatial vector (the box's); `shift(a, b)`: the
    /// whole-cell vector nearest to b − a along periodic axes (zero elsewhere).
    burgers_tracer(interface_mesh& mesh, cluster_graph& graph, std::function<vec3<double>(vec3<double>)> min_image,
                   std::function<vec3<double>(vec3<double>)> whole_cells)
        : mesh_(mesh), graph_(graph), min_image_(std::move(min_image)), whole_cells_(std::move(whole_cells)) {
        edge_circuit_.assign(mesh.edges.size(), none);
        next_circuit_edge_.assign(mesh.edges.size(), none);
        face_circuit_.assign(mesh.face_count(), none);
        face_swept_.assign(mesh.face_count(), 0);
    }

    /// Traces every line; `input_structure` is the crystal whose clusters Burgers vectors are
    /// finally expressed in.
    std::vector<dislocation_segment> trace(int max_circuit, int stretchability, int input_structure) {
        if (max_circuit < 3) throw error("dislocations: the maximum circuit size must be at least 3, not ", max_circuit);
        if (stretchability < 0) throw error("dislocations: the circuit stretchability must be >= 0, not ", stretchability);
        const int longest = max_circuit + stretchability;
        for (int length = 3; length <= longest; ++length) {
            for (std::size_t i = 0; i < dangling_.size(); ++i) {
                const std::uint32_t n = dangling_[i];
                trace_segment(n, length, length <= max_circuit);
            }
            if (length <= max_circuit && length % 2 != 0) find_primary_segments(length);
            join_segments(length);
            if (length >= max_circuit)
                for (const std::uint32_t n : dangling_) {
                    circuit& c = circuits_[nodes_[n].circuit];
                    if (!c.capped) c.capped = true, c.preliminary = 0;
                }
        }
        return finish(input_structure);
    }

private:
    struct circuit {
        std::uint32_t first = none, last = none;
        int edge_count = 0;
        std::uint32_t node = none;
        std::size_t preliminary = 0;  ///< line points at this end that are preliminary
        bool blocked = false, dangling = true, capped = false;
    };
    struct node {
        std::uint32_t segment, opposite, ring, circuit;
        bool forward;
    };
    struct segment_state {
        dislocation_segment s;
        std::uint32_t nodes[2];  ///< [0] forward end, [1] backward end
        bool discarded = false;
        std::uint32_t replaced = none;  ///< merged into this segment
        std::int32_t output = -1;       ///< index in trace()'s result
    };

    interface_mesh& mesh_;
    cluster_graph& graph_;
    std::function<vec3<double>(vec3<double>)> min_image_, whole_cells_;
    std::vector<std::uint32_t> edge_circuit_, next_circuit_edge_, face_circuit_;
    std::vector<std::uint8_t> face_swept_;  // by a primary segment
    std::vector<circuit> circuits_;
    std::vector<node> nodes_;
    std::vector<segment_state> segments_;
    std::vector<std::uint32_t> dangling_;
    int junctions_ = 0;
    std::uint64_t rng_ = 0x2545f4914f6cdd1dULL;  // xorshift: fixed seed, deterministic

    std::uint32_t opp(std::uint32_t e) const { return mesh_.edges[e].opposite; }
    std::uint32_t face(std::uint32_t e) const { return mesh_.edges[e].face; }
    static std::uint32_t next_in_face(std::uint32_t e) { return interface_mesh::next(e); }
    static std::uint32_t prev_in_face(std::uint32_t e) { return interface_mesh::prev(e); }
    std::uint32_t random_below(int n) {
        rng_ ^= rng_ << 13, rng_ ^= rng_ >> 7, rng_ ^= rng_ << 17;
        return std::uint32_t(rng_ % std::uint64_t(n));
    }
    static bool is_zero(const vec3<double>& v, double tol) {
        return std::abs(v.x) <= tol && std::abs(v.y) <= tol && std::abs(v.z) <= tol;
    }
    static bool near_identity(const mat3<double>& m) {
        for (std::size_t r = 0; r < 3; ++r)
            for (std::size_t c = 0; c < 3; ++c)
                if (std::abs(m(r, c) - (r == c ? 1.0 : 0.0)) > cluster_graph::matrix_tolerance) return false;
        return true;
    }
    static bool near(const mat3<double>& a, const mat3<double>& b) {
        for (std::size_t r = 0; r < 3; ++r)
            for (std::size_t c = 0; c < 3; ++c)
                if (std::abs(a(r, c) - b(r, c)) > cluster_graph::matrix_tolerance) return false;
        return true;
    }
    std::uint32_t edge_at(const circuit& c, int index) const {
        std::uint32_t e = c.first;
        for (; index != 0; --index) e = next_circuit_edge_[e];
        return e;
    }
    vec3<double> centre(const circuit& c) const {
        vec3<double> point{}, sum{};
        std::uint32_t e = c.first;
        do {
            sum = sum + point;
            point = point + mesh_.edges[e].physical;
            e = next_circuit_edge_[e];
        } while (e != c.first);
        return mesh_.vertices[mesh_.edges[c.first].from].position + sum * (1.0 / c.edge_count);
    }
    vec3<double> node_position(std::uint32_t n) const {
        const auto& s = segments_[nodes_[n].segment].s;
        return nodes_[n].forward ? s.line.back() : s.line.front();
    }
    bool dangling(std::uint32_t n) const { return nodes_[n].ring == n; }

    // --- trial circuits ------------------------------------------------------------------------

    struct search_node {
        std::uint32_t vertex;
        vec3<double> coord;
        mat3<double> tm;
        int depth;
        std::uint32_t predecessor;  ///< mesh edge into this vertex (none at the start)
    };
    std::vector<search_node> search_;
    std::vector<std::uint32_t> search_of_;  // per vertex: index into search_, or none
    std::vector<std::uint8_t> visited_;

    void find_primary_segments(int max_length) {
        const int depth = (max_length - 1) / 2;
        const std::size_t nv = mesh_.vertices.size();
        search_of_.assign(nv, none);
        visited_.assign(nv, 0);
        for (std::uint32_t start = 0; start < nv; ++start) {
            if (mesh_.out_first[start] == mesh_.out_first[start + 1]) continue;
            search_.clear();
            search_.push_back({start, {}, mat3<double>::identity(), 0, none});
            search_of_[start] = 0;
            bool found = false;
            for (std::size_t head = 0; head < search_.size() && !found; ++head) {
                const search_node cur = search_[head];
                for (std::uint32_t k = mesh_.out_first[cur.vertex]; k < mesh_.out_first[cur.vertex + 1]; ++k) {
                    const std::uint32_t e = mesh_.out_edges[k];
                    const auto& h = mesh_.edges[e];
                    if (next_circuit_edge_[e] != none || next_circuit_edge_[h.opposite] != none) continue;
                    if (face_circuit_[h.face] != none) continue;
                    const std::uint32_t nb = h.to;
                    const vec3<double> coord = cur.coord + cur.tm * h.lattice;
                    if (search_of_[nb] != none) {
                        const search_node& other = search_[search_of_[nb]];
                        const vec3<double> b = other.coord - coord;
                        if (!is_zero(b, lattice_tolerance)) {
                            const mat3<double> frank = cur.tm * graph_.matrix(graph_.reverse(h.transition));
                            if (near(frank, other.tm) && create_circuit(e, max_length)) {
                                found = true;
                                break;
                            }
                        }
                    } else if (cur.depth < depth) {
                        const mat3<double> tm =
                            h.transition == cluster_graph::identity ? cur.tm : cur.tm * graph_.matrix(graph_.reverse(h.transition));
                        search_of_[nb] = std::uint32_t(search_.size());
                        search_.push_back({nb, coord, tm, cur.depth + 1, e});
                    }
                }
            }
            for (const auto& s : search_) search_of_[s.vertex] = none, visited_[s.vertex] = 0;
        }
    }

    std::uint32_t new_circuit() {
        circuits_.push_back({});
        return std::uint32_t(circuits_.size() - 1);
    }

    /// The circuit closed by mesh edge `e` of the current search; true when the search from this
    /// start vertex should stop (a segment was made, or the circuit crossed another).
    bool create_circuit(std::uint32_t e, int max_length) {
        const std::uint32_t cv = mesh_.edges[e].from, nv = mesh_.edges[e].to;
        const std::uint32_t ci = new_circuit();
        circuit c;
        c.edge_count = 1;
        c.first = c.last = opp(e);
        edge_circuit_[c.first] = ci;
        auto pred_vertex = [&](std::uint32_t s) { return mesh_.edges[search_[s].predecessor].from; };
        // Unmark the second branch, mark the first.
        for (std::uint32_t s = search_of_[nv];; s = search_of_[pred_vertex(s)]) {
            visited_[search_[s].vertex] = 0;
            if (search_[s].predecessor == none) break;
        }
        for (std::uint32_t s = search_of_[cv];; s = search_of_[pred_vertex(s)]) {
            visited_[search_[s].vertex] = 1;
            if (search_[s].predecessor == none) break;
        }
        // Walk the second branch back to the first.
        for (std::uint32_t s = search_of_[nv];; s = search_of_[pred_vertex(s)]) {
            if (visited_[search_[s].vertex]) {
                visited_[search_[s].vertex] = 0;
                break;
            }
            const std::uint32_t p = search_[s].predecessor;
            next_circuit_edge_[p] = c.first;
            c.first = p;
            ++c.edge_count;
            edge_circuit_[p] = ci;
        }
        // The first branch back to the meeting point, reversed.
        for (std::uint32_t s = search_of_[cv]; visited_[search_[s].vertex]; s = search_of_[pred_vertex(s)]) {
            const std::uint32_t p = opp(search_[s].predecessor);
            next_circuit_edge_[c.last] = p;
            c.last = p;
            ++c.edge_count;
            edge_circuit_[p] = ci;
            visited_[search_[s].vertex] = 0;
        }
        next_circuit_edge_[c.last] = c.first;
        circuits_[ci] = c;
        // Spatial sum, Burgers vector.
        vec3<double> edge_sum{}, b{};
        mat3<double> frank = mat3<double>::identity();
        std::uint32_t x = c.first;
        do {
            const auto& h = mesh_.edges[x];
            edge_sum = edge_sum + h.physical;
            b = b + frank * h.lattice;
            if (h.transition != cluster_graph::identity) frank = frank * graph_.matrix(graph_.reverse(h.transition));
            x = next_circuit_edge_[x];
        } while (x != c.first);
        const bool intersects = intersects_other_circuits(ci);
        if (is_zero(b, lattice_tolerance) || !is_zero(edge_sum, spatial_tolerance) || intersects) {
            x = c.first;
            do {
                const std::uint32_t y = next_circuit_edge_[x];
                next_circuit_edge_[x] = none;
                edge_circuit_[x] = none;
                x = y;
            } while (x != c.first);
            circuits_.pop_back();
            return intersects;
        }
        create_and_trace_segment(b, mesh_.vertex_cluster[mesh_.edges[c.first].from], ci, max_length);
        return true;
    }

    bool intersects_other_circuits(std::uint32_t ci) const {
        std::uint32_t e1 = circuits_[ci].first;
        do {
            const std::uint32_t e2 = next_circuit_edge_[e1];
            if (e1 != opp(e2)) {
                std::uint32_t cur = opp(e1);
                do {
                    const std::uint32_t nx = prev_in_face(cur);
                    if (nx != e2 && edge_circuit_[nx] != none) {
                        int out = 0, in = 0;
                        crossing(opp(e2), opp(e1), nx, next_circuit_edge_[nx], out, in);
                        if (out) return true;
                    }
                    cur = opp(nx);
                } while (cur != e2);
            }
            e1 = e2;
        } while (e1 != circuits_[ci].first);
        return false;
    }

    void crossing(std::uint32_t a1, std::uint32_t a2, std::uint32_t b1, std::uint32_t b2, int& out, int& in) const {
        std::uint32_t e = b2;
        bool c1_in = false, c2_in = false;
        for (;;) {
            const std::uint32_t o = opp(e);
            if (o == b1) break;
            if (e != b2) {
                if (o == a1) c1_in = true;
                if (e == a2) c2_in = true;
            }
            e = next_in_face(o);
        }
        bool c1_out = false, c2_out = false;
        e = b1;
        for (;;) {
            const std::uint32_t nx = next_in_face(e);
            if (nx == b2) break;
            e = opp(nx);
            if (e == a1) c1_out = true;
            if (nx == a2) c2_out = true;
        }
        if (c2_out && !c1_out) ++out;
        else if (c2_in && !c1_in) ++in;
    }

    std::uint32_t build_reverse_circuit(std::uint32_t fi) {
        const std::uint32_t bi = new_circuit();
        circuit b;
        std::uint32_t e1 = circuits_[fi].first;
        do {
            const std::uint32_t e2 = next_circuit_edge_[e1];
            const std::uint32_t o1 = opp(e1), o2 = opp(e2);
            const std::uint32_t f1 = face(o1), f2 = face(o2);
            if (f1 != f2) {
                const std::uint32_t inner1 = opp(prev_in_face(o1));
                const std::uint32_t inner2 = opp(next_in_face(o2));
                face_swept_[f1] = 1, face_circuit_[f1] = bi;
                face_swept_[f2] = 1, face_circuit_[f2] = bi;
                edge_circuit_[inner1] = bi, edge_circuit_[inner2] = bi;
                next_circuit_edge_[inner2] = inner1;
                if (b.last == none) {
                    b.last = inner1, b.first = inner2, b.edge_count += 2;
                } else if (b.last != inner2) {
                    if (inner1 != b.first) {
                        next_circuit_edge_[inner1] = b.first;
                        b.edge_count += 2;
                    } else {
                        b.edge_count += 1;
                    }
                    b.first = inner2;
                } else if (b.first != inner1) {
                    next_circuit_edge_[inner1] = b.first;
                    b.first = inner1;
                    b.edge_count += 1;
                }
            }
            e1 = e2;
        } while (e1 != circuits_[fi].first);
        if (b.last == none) throw error("dislocations: internal error: an empty reverse circuit");
        next_circuit_edge_[b.last] = b.first;
        circuits_[bi] = b;
        return bi;
    }

    void create_and_trace_segment(const vec3<double>& b, std::uint32_t cluster, std::uint32_t fi, int max_length) {
        const std::uint32_t bi = build_reverse_circuit(fi);
        const auto si = std::uint32_t(segments_.size());
        segments_.push_back({});
        segments_[si].s.burgers = b;
        segments_[si].s.cluster = cluster;
        const auto fn = std::uint32_t(nodes_.size());
        nodes_.push_back({si, fn + 1, fn, fi, true});
        nodes_.push_back({si, fn, fn + 1, bi, false});
        segments_[si].nodes[0] = fn, segments_[si].nodes[1] = fn + 1;
        circuits_[fi].node = fn, circuits_[bi].node = fn + 1;
        dangling_.push_back(fn);
        dangling_.push_back(fn + 1);
        segments_[si].s.line.push_back(centre(circuits_[bi]));
        segments_[si].s.core_size.push_back(circuits_[bi].edge_count);
        append_point(fn);
        trace_segment(fn, max_length, true);
        trace_segment(fn + 1, max_length, true);
    }

    void append_point(std::uint32_t n) {
        auto& s = segments_[nodes_[n].segment].s;
        circuit& c = circuits_[nodes_[n].circuit];
        const vec3<double> last = nodes_[n].forward ? s.line.back() : s.line.front();
        const vec3<double> p = last + min_image_(centre(c) - last);
        if (nodes_[n].forward) {
            s.line.push_back(p);
            s.core_size.push_back(c.edge_count);
        } else {
            s.line.push_front(p);
            s.core_size.push_front(c.edge_count);
        }
        ++c.preliminary;
    }

    // --- sweeping (defects/detail/burgers_sweep.hpp, included at the end of this header) -------
    /// Moves end n's circuit along the tube, appending a line point per move, until it can move
    /// no other way or (extended) reaches max_length edges.
    void trace_segment(std::uint32_t n, int max_length, bool primary);
    // The moves, each true when it applied (e0, e1, e2: consecutive circuit edges, advanced).
    bool remove_two(std::uint32_t ci, std::uint32_t& e0, std::uint32_t& e1, std::uint32_t& e2);
    bool remove_three(std::uint32_t ci, std::uint32_t& e0, std::uint32_t& e1, std::uint32_t& e2, bool primary);
    bool remove_one(std::uint32_t ci, std::uint32_t& e0, std::uint32_t& e1, std::uint32_t& e2, bool primary);
    bool sweep_two(std::uint32_t ci, std::uint32_t& e0, std::uint32_t& e1, std::uint32_t& e2, bool primary);
    bool insert_one(std::uint32_t ci, std::uint32_t& e0, std::uint32_t& e1, bool primary);

    // --- junctions -----------------------------------------------------------------------------

    bool in_ring(std::uint32_t n, std::uint32_t other) const {
        std::uint32_t x = nodes_[n].ring;
        do {
            if (x == other) return true;
            x = nodes_[x].ring;
        } while (x != nodes_[n].ring);
        return false;
    }
    void connect(std::uint32_t a, std::uint32_t b) { std::swap(nodes_[a].ring, nodes_[b].ring); }
    void dissolve(std::uint32_t n) {
        std::uint32_t x = nodes_[n].ring;
        while (x != n) {
            const std::uint32_t y = nodes_[x].ring;
            nodes_[x].ring = x;
            x = y;
        }
        nodes_[n].ring = n;
    }

    // --- junctions (defects/detail/burgers_junctions.hpp, included at the end of this header) ----
    void join_segments(int max_length);
    /// Two segments meeting end to end become one (segment of n2 appended to n1's).
    void merge(std::uint32_t n1, std::uint32_t n2);
    void create_secondary_segment(std::uint32_t first_edge, std::uint32_t outer, int max_length);

    // --- finishing -----------------------------------------------------------------------------

    std::vector<dislocation_segment> finish(int input_structure) {
        std::vector<dislocation_segment> out;
        for (auto& st : segments_) {
            if (st.discarded) continue;
            auto& s = st.s;
            const std::size_t back_pre = circuits_[nodes_[st.nodes[1]].circuit].preliminary;
            const std::size_t fwd_pre = circuits_[nodes_[st.nodes[0]].circuit].preliminary;
            if (back_pre + fwd_pre >= s.line.size()) continue;  // nothing but preliminary points
            s.line.erase(s.line.begin(), s.line.begin() + std::ptrdiff_t(back_pre));
            s.line.erase(s.line.end() - std::ptrdiff_t(fwd_pre), s.line.end());
            s.core_size.erase(s.core_size.begin(), s.core_size.begin() + std::ptrdiff_t(back_pre));
            s.core_size.erase(s.core_size.end() - std::ptrdiff_t(fwd_pre), s.core_size.end());
            if (graph_.cluster(s.cluster).structure != input_structure) {
                for (const std::uint32_t t : graph_.direct_from(s.cluster)) {
                    const std::uint32_t c = graph_.get(t).to;
                    if (graph_.cluster(c).structure != input_structure) continue;
                    s.burgers = graph_.apply(t, s.burgers);
                    s.cluster = c;
                    break;
                }
            }
            s.burgers = s.burgers * -1.0;
            const vec3<double> dir = s.line.back() - s.line.front();
            if (!is_zero(dir, spatial_tolerance)) {
                const double ax = std::abs(dir.x), ay = std::abs(dir.y), az = std::abs(dir.z);
                const double lead = ax > ay ? (ax > az ? dir.x : dir.z) : (ay > az ? dir.y : dir.z);
                if (lead < 0) {
                    std::reverse(s.line.begin(), s.line.end());
                    std::reverse(s.core_size.begin(), s.core_size.end());
                    s.burgers = s.burgers * -1.0;
                    std::swap(s.junction_arms[0], s.junction_arms[1]);
                    std::swap(s.junction[0], s.junction[1]);
                }
            }
            st.output = std::int32_t(out.size());
            out.push_back(std::move(s));
        }
        return out;
    }

public:
    /// After trace(): the line each mesh face was swept by (an index into trace()'s result), or −1.
    std::vector<std::int32_t> face_lines() const {
        std::vector<std::int32_t> out(face_circuit_.size(), -1);
        for (std::size_t f = 0; f < face_circuit_.size(); ++f) {
            if (face_circuit_[f] == none) continue;
            const std::uint32_t node = circuits_[face_circuit_[f]].node;
            if (node == none) continue;
            std::uint32_t seg = nodes_[node].segment;
            while (segments_[seg].replaced != none) seg = segments_[seg].replaced;
            out[f] = segments_[seg].output;
        }
        return out;
    }
};

}  // namespace tessera

#include <tessera/defects/detail/burgers_sweep.hpp>
#include <tessera/defects/detail/burgers_junctions.hpp>
