#pragma once
/// @file
/// Step 2 of the Burgers-circuit tracer (defects/burgers_tracer.hpp, which includes this header at
/// its end): a circuit end moves along the dislocation's tube of the interface mesh like a rubber
/// band — shedding two edges that are one edge's two sides (remove_two), the three edges of a
/// face (remove_three), two edges of a face for its third (remove_one), two faces at once
/// (sweep_two) — and grows by one edge (insert_one) only when it can move no other way, each
/// move adding a point to the line. Stukowski, Bulatov & Arsenlis, Modelling Simul. Mater. Sci.
/// Eng. 20, 085007 (2012), section 3.5; the move order is the reference implementation's (OVITO 3).

#include <tessera/defects/burgers_tracer.hpp>

#include <cstdint>

namespace tessera {


inline void burgers_tracer::trace_segment(std::uint32_t n, int max_length, bool primary) {
    const std::uint32_t ci = nodes_[n].circuit;
    for (;;) {
        std::uint32_t e0 = edge_at(circuits_[ci], int(random_below(circuits_[ci].edge_count)));
        std::uint32_t e1 = next_circuit_edge_[e0], e2 = next_circuit_edge_[e1];
        int counter = 0;
        do {
            bool shortened = remove_two(ci, e0, e1, e2) || remove_three(ci, e0, e1, e2, primary) ||
                             remove_one(ci, e0, e1, e2, primary) || sweep_two(ci, e0, e1, e2, primary);
            if (shortened) {
                append_point(n);
                counter = -1;
            }
            e0 = e1, e1 = e2, e2 = next_circuit_edge_[e2];
            ++counter;
        } while (counter <= circuits_[ci].edge_count);
        if (circuits_[ci].edge_count >= max_length) break;
        bool extended = false;
        const std::uint32_t first = edge_at(circuits_[ci], int(random_below(circuits_[ci].edge_count)));
        e0 = first, e1 = next_circuit_edge_[first];
        do {
            if (insert_one(ci, e0, e1, primary)) {
                extended = true;
                append_point(n);
                break;
            }
            e0 = e1, e1 = next_circuit_edge_[e1];
        } while (e0 != first);
        if (!extended) break;
    }
}

inline bool burgers_tracer::remove_two(std::uint32_t ci, std::uint32_t& e0, std::uint32_t& e1, std::uint32_t& e2) {
    if (e1 != opp(e2)) return false;
    circuit& c = circuits_[ci];
    next_circuit_edge_[e0] = next_circuit_edge_[e2];
    if (e0 == c.last) c.first = next_circuit_edge_[c.last];
    else if (e1 == c.last) c.last = e0, c.first = next_circuit_edge_[e0];
    else if (e2 == c.last) c.last = e0;
    c.edge_count -= 2;
    e1 = next_circuit_edge_[e0], e2 = next_circuit_edge_[e1];
    return true;
}

inline bool burgers_tracer::remove_three(std::uint32_t ci, std::uint32_t& e0, std::uint32_t& e1, std::uint32_t& e2, bool primary) {
    const std::uint32_t f1 = face(e1);
    if (face(e2) != f1 || face_circuit_[f1] != none) return false;
    circuit& c = circuits_[ci];
    const std::uint32_t e3 = next_circuit_edge_[e2];
    if (face(e3) != f1) return false;
    next_circuit_edge_[e0] = next_circuit_edge_[e3];
    if (e2 == c.first || e3 == c.first) c.first = next_circuit_edge_[e3], c.last = e0;
    else if (e1 == c.first) c.first = next_circuit_edge_[e3];
    else if (e3 == c.last) c.last = e0;
    c.edge_count -= 3;
    e1 = next_circuit_edge_[e3], e2 = next_circuit_edge_[e1];
    face_circuit_[f1] = ci;
    if (primary) face_swept_[f1] = 1;
    return true;
}

inline bool burgers_tracer::remove_one(std::uint32_t ci, std::uint32_t& e0, std::uint32_t& e1, std::uint32_t& e2, bool primary) {
    const std::uint32_t f1 = face(e1);
    if (face(e2) != f1 || face_circuit_[f1] != none) return false;
    circuit& c = circuits_[ci];
    if (face(e0) == f1) return false;
    const std::uint32_t short_edge = opp(prev_in_face(e1));
    if (edge_circuit_[short_edge] != none) return false;
    next_circuit_edge_[short_edge] = next_circuit_edge_[e2];
    next_circuit_edge_[e0] = short_edge;
    if (e0 == c.last) c.first = short_edge;
    if (e2 == c.last) c.last = short_edge;
    else if (e2 == c.first) c.first = next_circuit_edge_[short_edge], c.last = short_edge;
    c.edge_count -= 1;
    e1 = short_edge, e2 = next_circuit_edge_[short_edge];
    edge_circuit_[short_edge] = ci;
    face_circuit_[f1] = ci;
    if (primary) face_swept_[f1] = 1;
    return true;
}

inline bool burgers_tracer::sweep_two(std::uint32_t ci, std::uint32_t& e0, std::uint32_t& e1, std::uint32_t& e2, bool primary) {
    const std::uint32_t f1 = face(e1), f2 = face(e2);
    if (face_circuit_[f1] != none || face_circuit_[f2] != none) return false;
    circuit& c = circuits_[ci];
    if (f1 == f2 || c.edge_count <= 2) return false;
    const std::uint32_t outer1 = opp(prev_in_face(e1)), inner1 = next_in_face(e1);
    const std::uint32_t outer2 = opp(next_in_face(e2)), inner2 = prev_in_face(e2);
    if (inner1 != opp(inner2) || edge_circuit_[outer1] != none || edge_circuit_[outer2] != none) return false;
    next_circuit_edge_[outer1] = outer2;
    next_circuit_edge_[outer2] = next_circuit_edge_[e2];
    next_circuit_edge_[e0] = outer1;
    if (e0 == c.last) c.first = outer1;
    else if (e1 == c.last) c.last = outer1, c.first = outer2;
    else if (e2 == c.last) c.last = outer2;
    edge_circuit_[outer1] = edge_circuit_[outer2] = ci;
    face_circuit_[f1] = face_circuit_[f2] = ci;
    if (primary) face_swept_[f1] = face_swept_[f2] = 1;
    e0 = outer1, e1 = outer2, e2 = next_circuit_edge_[e1];
    return true;
}

inline bool burgers_tracer::insert_one(std::uint32_t ci, std::uint32_t& e0, std::uint32_t& e1, bool primary) {
    const std::uint32_t f = face(e1);
    if (face_circuit_[f] != none) return false;
    const std::uint32_t i1 = opp(prev_in_face(e1));
    if (edge_circuit_[i1] != none) return false;
    const std::uint32_t i2 = opp(next_in_face(e1));
    if (edge_circuit_[i2] != none) return false;
    circuit& c = circuits_[ci];
    next_circuit_edge_[i1] = i2;
    next_circuit_edge_[i2] = next_circuit_edge_[e1];
    next_circuit_edge_[e0] = i1;
    if (e0 == c.last) c.first = i1;
    else if (e1 == c.last) c.last = i2;
    edge_circuit_[i1] = edge_circuit_[i2] = ci;
    ++c.edge_count;
    face_circuit_[f] = ci;
    if (primary) face_swept_[f] = 1;
    return true;
}

}  // namespace tessera
