#pragma once
/// @file
/// Step 3 of the Burgers-circuit tracer (defects/burgers_tracer.hpp, which includes this header at
/// its end): blocked circuit ends that surround each other become junctions, loops or merged
/// segments (join_segments, merge), and unvisited holes between blocked circuits give secondary
/// segments (create_secondary_segment). Stukowski, Bulatov & Arsenlis, Modelling Simul. Mater.
/// Sci. Eng. 20, 085007 (2012), section 3.5.

#include <tessera/defects/burgers_tracer.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

namespace tessera {

inline void burgers_tracer::join_segments(int max_length) {
    for (std::size_t i = 0; i < dangling_.size(); ++i) {
        const std::uint32_t ci = nodes_[dangling_[i]].circuit;
        std::uint32_t e = circuits_[ci].first;
        do {
            if (edge_circuit_[opp(e)] == none) {
                create_secondary_segment(e, ci, max_length);
                while (edge_circuit_[opp(e)] == none && e != circuits_[ci].first) e = next_circuit_edge_[e];
            } else {
                e = next_circuit_edge_[e];
            }
        } while (e != circuits_[ci].first);
    }
    for (const std::uint32_t n : dangling_) {
        const std::uint32_t ci = nodes_[n].circuit;
        circuits_[ci].blocked = true;
        std::uint32_t e = circuits_[ci].first;
        do {
            const std::uint32_t adjacent = edge_circuit_[opp(e)];
            if (adjacent == none) {
                circuits_[ci].blocked = false;
                break;
            }
            if (adjacent != ci && !in_ring(n, circuits_[adjacent].node)) connect(n, circuits_[adjacent].node);
            e = next_circuit_edge_[e];
        } while (e != circuits_[ci].first);
    }
    for (const std::uint32_t n : dangling_) {
        circuit& c = circuits_[nodes_[n].circuit];
        if (!c.dangling) continue;
        if (!c.blocked) {
            dissolve(n);
            continue;
        }
        if (nodes_[n].ring == n) continue;
        vec3<double> com{};
        const vec3<double> base = node_position(n);
        int arms = 1;
        bool all_blocked = true;
        for (std::uint32_t a = nodes_[n].ring; a != n; a = nodes_[a].ring) {
            if (!circuits_[nodes_[a].circuit].blocked) {
                all_blocked = false;
                break;
            }
            ++arms;
            com = com + min_image_(node_position(a) - base);
        }
        if (!all_blocked) {
            dissolve(n);
            continue;
        }
        if (arms >= 3) {
            const int junction_id = junctions_++;
            const vec3<double> centre_point = base + com * (1.0 / arms);
            std::uint32_t a = n;
            do {
                circuit& ac = circuits_[nodes_[a].circuit];
                ac.dangling = false;
                auto& s = segments_[nodes_[a].segment].s;
                if (nodes_[a].forward) {
                    s.line.push_back(s.line.back() + min_image_(centre_point - s.line.back()));
                    s.core_size.push_back(s.core_size.back());
                    s.junction_arms[1] = arms, s.junction[1] = junction_id;
                } else {
                    s.line.push_front(s.line.front() + min_image_(centre_point - s.line.front()));
                    s.core_size.push_front(s.core_size.front());
                    s.junction_arms[0] = arms, s.junction[0] = junction_id;
                }
                ac.preliminary = 0;
                a = nodes_[a].ring;
            } while (a != n);
        } else {
            const std::uint32_t n1 = n, n2 = nodes_[n].ring;
            circuit& c1 = circuits_[nodes_[n1].circuit];
            circuit& c2 = circuits_[nodes_[n2].circuit];
            c1.dangling = c2.dangling = false;
            c1.preliminary = c2.preliminary = 0;
            if (nodes_[n1].opposite == n2) {  // a closed loop, or an infinite line
                auto& s = segments_[nodes_[n1].segment].s;
                if (!is_zero(min_image_(node_position(n1) - node_position(n2)), spatial_tolerance)) {
                    s.line.push_back(s.line.back() + min_image_(s.line.front() - s.line.back()));
                    s.core_size.push_back(s.core_size.back());
                }
                s.closed = true;
            } else {
                merge(n1, n2);
            }
        }
    }
    std::erase_if(dangling_, [&](std::uint32_t n) { return !dangling(n); });
}

inline void burgers_tracer::merge(std::uint32_t n1, std::uint32_t n2) {
    const std::uint32_t far1 = nodes_[n1].opposite, far2 = nodes_[n2].opposite;
    const std::uint32_t s1i = nodes_[n1].segment, s2i = nodes_[n2].segment;
    auto& s1 = segments_[s1i];
    auto& s2 = segments_[s2i];
    auto& l1 = s1.s.line;
    auto& l2 = s2.s.line;
    auto& k1 = s1.s.core_size;
    auto& k2 = s2.s.core_size;
    const std::size_t added = l2.size() - 1;
    if (!nodes_[n1].forward) {
        s1.nodes[1] = far2;
        vec3<double> shift;
        if (!nodes_[n2].forward) {
            shift = whole_cells_(l2.front() - l1.front());
            l1.insert(l1.begin(), l2.rbegin(), l2.rend() - 1);
            k1.insert(k1.begin(), k2.rbegin(), k2.rend() - 1);
        } else {
            shift = whole_cells_(l2.back() - l1.front());
            l1.insert(l1.begin(), l2.begin(), l2.end() - 1);
            k1.insert(k1.begin(), k2.begin(), k2.end() - 1);
        }
        for (std::size_t i = 0; i < added; ++i) l1[i] = l1[i] - shift;
        s1.s.junction_arms[0] = nodes_[n2].forward ? s2.s.junction_arms[0] : s2.s.junction_arms[1];
        s1.s.junction[0] = nodes_[n2].forward ? s2.s.junction[0] : s2.s.junction[1];
        nodes_[far2].forward = false;
    } else {
        s1.nodes[0] = far2;
        vec3<double> shift;
        if (!nodes_[n2].forward) {
            shift = whole_cells_(l2.front() - l1.back());
            l1.insert(l1.end(), l2.begin() + 1, l2.end());
            k1.insert(k1.end(), k2.begin() + 1, k2.end());
        } else {
            shift = whole_cells_(l2.back() - l1.back());
            l1.insert(l1.end(), l2.rbegin() + 1, l2.rend());
            k1.insert(k1.end(), k2.rbegin() + 1, k2.rend());
        }
        for (std::size_t i = l1.size() - added; i < l1.size(); ++i) l1[i] = l1[i] - shift;
        s1.s.junction_arms[1] = nodes_[n2].forward ? s2.s.junction_arms[0] : s2.s.junction_arms[1];
        s1.s.junction[1] = nodes_[n2].forward ? s2.s.junction[0] : s2.s.junction[1];
        nodes_[far2].forward = true;
    }
    nodes_[far2].segment = s1i;
    nodes_[far2].opposite = far1;
    nodes_[far1].opposite = far2;
    nodes_[n1].opposite = n2;
    nodes_[n2].opposite = n1;
    s2.discarded = true;
    s2.replaced = s1i;
}

inline void burgers_tracer::create_secondary_segment(std::uint32_t first_edge, std::uint32_t outer, int max_length) {
    int count = 1;
    vec3<double> b{}, edge_sum{};
    std::uint32_t base_cluster = 0;
    mat3<double> frank = mat3<double>::identity();
    int circuits_met = 1;
    const std::uint32_t start = opp(first_edge);
    std::uint32_t end = start, e = start;
    for (;;) {
        for (;;) {
            const std::uint32_t o = opp(e);
            const std::uint32_t nx = prev_in_face(o);
            if (edge_circuit_[nx] != none) {
                if (edge_circuit_[nx] != outer) outer = edge_circuit_[nx], ++circuits_met;
                e = opp(nx);
                break;
            }
            e = nx;
        }
        next_circuit_edge_[end] = e;
        const auto& h = mesh_.edges[e];
        edge_sum = edge_sum + h.physical;
        b = b + frank * h.lattice;
        if (base_cluster == 0) base_cluster = mesh_.vertex_cluster[h.from];
        if (h.transition != cluster_graph::identity) frank = frank * graph_.matrix(graph_.reverse(h.transition));
        if (e == start) break;
        end = e;
        ++count;
        if (count > max_length) break;
    }
    if (circuits_met == 1 || count > max_length || is_zero(b, lattice_tolerance) ||
        !is_zero(edge_sum, spatial_tolerance) || !near_identity(frank)) {
        e = start;
        for (;;) {
            const std::uint32_t nx = next_circuit_edge_[e];
            next_circuit_edge_[e] = none;
            if (e == end) break;
            e = nx;
        }
        return;
    }
    const std::uint32_t ci = new_circuit();
    circuits_[ci].first = start, circuits_[ci].last = end, circuits_[ci].edge_count = count;
    e = start;
    do {
        edge_circuit_[e] = ci;
        e = next_circuit_edge_[e];
    } while (e != start);
    create_and_trace_segment(b, base_cluster, ci, max_length);
}

}  // namespace tessera
