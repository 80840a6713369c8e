#pragma once
/// @file
/// Per-particle Voronoi cell descriptors from a tessellation (neighbors/voronoi.hpp):
///
/// | column           | meaning                                                                 |
/// |------------------|-------------------------------------------------------------------------|
/// | `voronoi_volume` | cell volume                                                             |
/// | `voronoi_faces`  | number of counted faces (the Voronoi coordination number)               |
/// | `voronoi_area`   | cell surface area (every face, walls included)                          |
/// | `voronoi_n3`…`voronoi_n6` | counted faces with 3, 4, 5, 6 (counted) edges: the index <n3,n4,n5,n6> |
/// | `voronoi_d5`     | local fivefold symmetry d5 = n5 / Σ_k n_k (all counted faces, any k)    |
///
/// Counted faces (as OVITO's Voronoi analysis): faces to particles (walls never count) with area
/// ≥ face_area_threshold and ≥ relative_face_threshold × the cell's surface area. A face's edge
/// count ignores edges shorter than edge_threshold (needs the tessellation's vertices); a face
/// left with fewer than 3 counted edges still counts in voronoi_faces but in no n_k. Thresholds
/// of 0 (default) count every face and edge exactly as voro++ / LAMMPS voronoi/atom do.

#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/neighbors/voronoi.hpp>
#include <tessera/descriptors/cell_descriptor.hpp>
#include <tessera/descriptors/descriptor.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

namespace tessera {

struct voronoi_cell_options {
    double face_area_threshold = 0;      ///< absolute face area below which a face is not counted
    double relative_face_threshold = 0;  ///< fraction of the cell's surface area below which it is not counted
    double edge_threshold = 0;           ///< edges shorter than this are not counted in a face's edge count
};

/// Counted edges of face f of cell i (see the file comment).
template <class T>
std::size_t voronoi_face_edges(const voronoi_tessellation<T>& t, std::size_t i, std::size_t f, double edge_threshold) {
    if (!(edge_threshold > 0)) return t.face_vertex_count[f];
    if (t.vertices.empty()) throw error("voronoi descriptors: edge_threshold needs a tessellation with store_vertices");
    const auto vs = t.cell_vertices(i);
    const auto fv = t.face_vertex_list(f);
    const T e2 = T(edge_threshold) * T(edge_threshold);
    std::size_t n = 0;
    for (std::size_t k = 0; k < fv.size(); ++k)
        n += norm2(vs[fv[(k + 1) % fv.size()]] - vs[fv[k]]) >= e2;
    return n;
}

/// Whether face f of cell i is counted.
template <class T>
bool voronoi_face_counted(const voronoi_tessellation<T>& t, std::size_t i, std::size_t f, const voronoi_cell_options& o) {
    if (is_voronoi_wall(t.face_neighbor[f])) return false;
    const double a = double(t.face_area[f]);
    return a >= o.face_area_threshold && a >= o.relative_face_threshold * double(t.surface_area[i]);
}

struct voronoi_cell_descriptors {
    voronoi_cell_options options{};

    static std::vector<std::string> columns() {
        return {"voronoi_volume", "voronoi_faces", "voronoi_area", "voronoi_n3",
                "voronoi_n4",     "voronoi_n5",    "voronoi_n6",   "voronoi_d5"};
    }

    // The per-cell contract (descriptors/cell_descriptor.hpp).
    bool needs_vertices() const noexcept { return options.edge_threshold > 0; }
    std::vector<std::string> columns(const particle_properties&) const { return columns(); }
    void prepare(const particle_properties&) const {
        for (double v : {options.face_area_threshold, options.relative_face_threshold, options.edge_threshold})
            if (!(v >= 0) || !std::isfinite(v))
                throw error("voronoi_cell_descriptors: thresholds must be finite and >= 0, got ", v);
    }
    template <class T>
    void compute(const voronoi_cell_row<T>& row, output_row<T> out) const {
        compute(*row.cells, row.cell, out);
    }

    /// One cell's columns into out[0..7].
    template <class T>
    void compute(const voronoi_tessellation<T>& t, std::size_t i, output_row<T> out) const {
        std::array<std::size_t, 4> n{};
        std::size_t faces = 0;
        for (std::size_t f = t.face_offsets[i]; f < t.face_offsets[i + 1]; ++f) {
            if (!voronoi_face_counted(t, i, f, options)) continue;
            ++faces;
            const std::size_t e = voronoi_face_edges(t, i, f, options.edge_threshold);
            if (e >= 3 && e <= 6) ++n[e - 3];
        }
        out[0] = t.volume[i];
        out[1] = T(faces);
        out[2] = t.surface_area[i];
        for (std::size_t k = 0; k < 4; ++k) out[3 + k] = T(n[k]);
        out[7] = faces ? T(n[2]) / T(faces) : T(0);
    }

    /// Every cell: columns() order, column-major (out.n = t.num_cells()).
    template <class T, class Policy = serial_policy>
    void compute_all(const voronoi_tessellation<T>& t, output_columns<T> out, Policy policy = {}) const {
        if (out.n != t.num_cells() || out.count < columns().size())
            throw error("voronoi_cell_descriptors: output columns do not match the tessellation");
        if (t.face_offsets.size() != t.num_cells() + 1)
            throw error("voronoi_cell_descriptors: the tessellation must keep its faces (store_faces)");
        detail::for_each_chunk(policy, t.num_cells(), 4096, [&](std::size_t, std::size_t b, std::size_t e) {
            for (std::size_t i = b; i < e; ++i) compute(t, i, output_row<T>{out.base + i, out.n});
        });
    }

    /// Convenience: all columns, column-major, n_cells × 8.
    template <class T, class Policy = serial_policy>
    std::vector<T> compute_all(const voronoi_tessellation<T>& t, Policy policy = {}) const {
        std::vector<T> v(t.num_cells() * columns().size());
        compute_all(t, output_columns<T>{v.data(), t.num_cells(), columns().size()}, policy);
        return v;
    }
};

}  // namespace tessera
