#pragma once
/// @file
/// What a Voronoi (or radical) tessellation stores, and how one finished cell
/// (neighbors/voronoi_cell.hpp) is recorded into it. tessellate() (neighbors/voronoi.hpp) records
/// every cell; streaming consumers (descriptors/voronoi_columns.hpp) record one cell at a time
/// into a reused one-cell tessellation, so that the descriptors written against this layout serve
/// both.

#include <tessera/core/vec.hpp>
#include <tessera/neighbors/neighbor_list.hpp>
#include <tessera/neighbors/voronoi_cell.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace tessera {

/// Neighbour index of a face on wall k (k = 2·axis + side); walls sort after every particle.
constexpr std::size_t voronoi_wall(std::size_t k) noexcept { return std::numeric_limits<std::size_t>::max() - k; }
/// True for a wall (or bounding) face.
constexpr bool is_voronoi_wall(std::size_t j) noexcept { return j >= std::numeric_limits<std::size_t>::max() - 7; }

/// The tessellation: per cell data and faces in compressed rows (cell i owns faces
/// [face_offsets[i], face_offsets[i+1]); particle faces first, in the order they were made,
/// then wall faces).
template <class T = double>
struct voronoi_tessellation {
    std::vector<T> volume;                     ///< per cell
    std::vector<T> surface_area;               ///< per cell: Σ face areas (walls included)
    std::vector<std::size_t> face_offsets{0};  ///< num_cells + 1
    std::vector<std::size_t> face_neighbor;    ///< neighbour index in [0, n_total) or voronoi_wall(k)
    std::vector<vec3<T>> face_vector;          ///< r_j − r_i of the image owning the face (wall: 2·distance·normal)
    std::vector<T> face_area;
    std::vector<vec3<T>> face_normal;          ///< unit, outward
    std::vector<std::uint32_t> face_vertex_count;
    // Only with store_vertices:
    std::vector<std::size_t> vertex_offsets{0};       ///< num_cells + 1
    std::vector<vec3<T>> vertices;                    ///< relative to the (wrapped) particle position
    std::vector<std::size_t> face_vertex_offsets{0};  ///< num_faces + 1
    std::vector<std::uint32_t> face_vertices;         ///< cell-local vertex indices, counter-clockwise from outside
    /// Voronoi neighbours (particle faces only, same order as the faces) and their face areas.
    neighbor_list<T> neighbors;
    std::vector<T> neighbor_area;

    std::size_t num_cells() const noexcept { return volume.size(); }
    /// Empties every array (no cells), keeping their capacity.
    void clear() {
        volume.clear();
        surface_area.clear();
        face_offsets.assign(1, 0);
        face_neighbor.clear();
        face_vector.clear();
        face_area.clear();
        face_normal.clear();
        face_vertex_count.clear();
        vertex_offsets.assign(1, 0);
        vertices.clear();
        face_vertex_offsets.assign(1, 0);
        face_vertices.clear();
        neighbors.clear();
        neighbor_area.clear();
    }
    std::size_t num_faces(std::size_t i) const noexcept { return face_offsets[i + 1] - face_offsets[i]; }
    /// The vertices of face f (global face index) as cell-local indices.
    std::span<const std::uint32_t> face_vertex_list(std::size_t f) const noexcept {
        return {face_vertices.data() + face_vertex_offsets[f], face_vertex_offsets[f + 1] - face_vertex_offsets[f]};
    }
    std::span<const vec3<T>> cell_vertices(std::size_t i) const noexcept {
        return {vertices.data() + vertex_offsets[i], vertex_offsets[i + 1] - vertex_offsets[i]};
    }
};

namespace detail {

/// Appends one finished cell to t (faces_out: faces and areas; verts_out: also vertices).
/// Particle faces first, in the order they were made, then walls.
template <class U>
void record_voronoi_cell(voronoi_tessellation<U>& t, const voronoi_cell<U>& cell, bool faces_out, bool verts_out) {
    if (!faces_out) {  // volume and neighbours only
        for (const auto& f : cell.faces())
            if (!is_voronoi_wall(f.neighbor)) t.neighbors.push_bond(f.neighbor, f.r, norm2(f.r));
        t.neighbors.end_row();
        t.volume.push_back(cell.volume());
        return;
    }
    U vol = cell.volume(), area = 0;
    const auto faces = cell.faces();
    for (int pass = 0; pass < 2; ++pass) {  // particle faces, then walls
        for (const auto& f : faces) {
            const bool wall = is_voronoi_wall(f.neighbor);
            if (wall != (pass == 1)) continue;
            const vec3<U> av = cell.area_vector(f);
            const U a = norm(av);
            area += a;
            t.face_neighbor.push_back(f.neighbor);
            t.face_vector.push_back(f.r);
            t.face_area.push_back(a);
            // The plane's own normal (r points outward, walls too): exact, where the
            // area vector's direction is rounding noise on a sliver face. A wall touching
            // its particle (r = 0) falls back to the area vector.
            const U rn = norm(f.r);
            t.face_normal.push_back(rn > 0 ? f.r / rn : (a > 0 ? av / a : vec3<U>{}));
            t.face_vertex_count.push_back(f.count);
            if (verts_out) {
                for (std::uint32_t k : cell.face_vertices(f)) t.face_vertices.push_back(k);
                t.face_vertex_offsets.push_back(t.face_vertices.size());
            }
            if (!wall) {
                t.neighbors.push_bond(f.neighbor, f.r, norm2(f.r));
                t.neighbor_area.push_back(a);
            }
        }
    }
    t.neighbors.end_row();
    t.volume.push_back(vol);
    t.surface_area.push_back(area);
    t.face_offsets.push_back(t.face_neighbor.size());
    if (verts_out) {
        for (std::size_t k = 0; k < cell.num_vertices(); ++k) t.vertices.push_back(cell.vertex(k));
        t.vertex_offsets.push_back(t.vertices.size());
    }
}

}  // namespace detail

}  // namespace tessera
