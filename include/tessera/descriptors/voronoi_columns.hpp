#pragma once
/// @file
/// Voronoi cell descriptors (descriptors/voronoi_cell.hpp) and interstice features
/// (descriptors/interstice.hpp) without a stored tessellation: each cell is computed
/// (for_each_voronoi_cell, neighbors/voronoi.hpp), reduced to its columns and dropped — the
/// per-cell contract's calls (descriptors/cell_descriptor.hpp), as pipeline/cell_columns.hpp
/// makes them for any per-cell descriptor, plus the interstice's medium-range second pass.
///
/// The columns equal, bit for bit, those of tessellate() followed by
/// voronoi_cell_descriptors::compute_all and interstice::compute_all (the same cells, recorded
/// the same way, reduced by the same functions) in builds without floating-point contraction;
/// with FMA contraction (e.g. -march=native) the compiler may fuse differently in the two
/// callers, so values agree to rounding (and a degenerate vertex of a perfect lattice may be
/// split differently into interstice tetrahedra). What changes is memory: a stored tessellation
/// holds ~1.6 kB per particle without vertices and ~3.4 kB with them (faces, normals, vertex
/// lists, a neighbour list with bond vectors), twice that while its chunks are gathered; here a
/// particle costs the cell list and the spatial order (~45 B: positions 24, 32-bit index maps 8,
/// order 8), its output columns, and, for the interstice features, its Voronoi neighbour
/// indices (4 B per face, ~60 B, and 12 B of bookkeeping): the medium-range features are
/// statistics over the neighbours' short-range features, so they are computed in a second pass
/// once every short-range feature exists.

#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/descriptors/descriptor.hpp>
#include <tessera/descriptors/interstice.hpp>
#include <tessera/descriptors/voronoi_cell.hpp>
#include <tessera/neighbors/voronoi.hpp>

#include <array>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

namespace tessera {

/// The number of voronoi_cell_descriptors::columns().
inline constexpr std::size_t num_voronoi_cell_columns = 8;

/// Where compute_voronoi_columns() writes: one pointer per column, each to n_local values
/// (index = particle). An empty span: that descriptor is not computed.
template <class T>
struct voronoi_column_outputs {
    std::span<T* const> cell{};            ///< voronoi_cell_descriptors::columns() order (8 columns)
    voronoi_cell_options cell_options{};   ///< thresholds for the cell columns
    std::span<T* const> interstice{};      ///< interstice::columns() order (60 columns)
};

/// The requested Voronoi columns of particles [0, options.n_local) (see the file comment).
/// options.radii, when set, make the tessellation radical and are the interstice radii;
/// options.store_faces and store_vertices are ignored (each cell has everything).
template <class T, particle_storage S, box B, class Policy = serial_policy>
void compute_voronoi_columns(const S& particles, const B& bx, const voronoi_options& options,
                             const voronoi_column_outputs<T>& out, Policy policy = {}) {
    const bool want_cell = !out.cell.empty(), want_interstice = !out.interstice.empty();
    if (voronoi_cell_descriptors::columns().size() != num_voronoi_cell_columns)
        throw error("compute_voronoi_columns: voronoi_cell_descriptors has ", voronoi_cell_descriptors::columns().size(),
                    " columns, num_voronoi_cell_columns says ", num_voronoi_cell_columns, " (internal error)");
    if (want_cell && out.cell.size() != num_voronoi_cell_columns)
        throw error("compute_voronoi_columns: ", out.cell.size(), " cell columns given, ", num_voronoi_cell_columns,
                    " needed");
    if (want_interstice && out.interstice.size() != interstice::num_features)
        throw error("compute_voronoi_columns: ", out.interstice.size(), " interstice columns given, ",
                    interstice::num_features, " needed");
    if (!want_cell && !want_interstice) return;
    const std::size_t n_total = tessera::size(particles);
    const std::size_t n_rows = options.n_local == std::numeric_limits<std::size_t>::max() ? n_total : options.n_local;
    if (n_rows > n_total)  // checked before anything is sized by it
        throw error("compute_voronoi_columns: n_local = ", n_rows, " exceeds the number of particles ", n_total);
    const bool with_vertices = want_interstice || out.cell_options.edge_threshold > 0;
    const voronoi_cell_descriptors cell_descriptors{out.cell_options};
    cell_descriptors.prepare({});
    const particle_properties no_properties{};  // neither descriptor reads types or ids

    // Each chunk keeps its particles' Voronoi neighbours (face order) for the second pass; own
    // cache lines, as chunks fill them concurrently.
    struct alignas(64) kept_neighbors {
        std::vector<neighbor_index> particle;
        std::vector<std::size_t> offsets{0};
        std::vector<neighbor_index> neighbors;
    };
    const detail::voronoi_chunking chunking = detail::voronoi_chunks(n_rows, policy);
    std::vector<kept_neighbors> kept(want_interstice ? chunking.count : 0);

    for_each_voronoi_cell<T>(particles, bx, options, policy, [&](std::size_t chunk) {
        if (want_interstice) {  // sized once per chunk: ~16 faces per cell
            const std::size_t rows = std::min(chunking.chunk, n_rows - chunk * chunking.chunk);
            kept[chunk].particle.reserve(rows);
            kept[chunk].offsets.reserve(rows + 1);
            kept[chunk].neighbors.reserve(16 * rows);
        }
        return [&, chunk, one = voronoi_tessellation<T>{}, scratch = interstice_short_range::scratch{}](
                   std::size_t i, const voronoi_cell<T>& cell) mutable {
            one.clear();
            detail::record_voronoi_cell(one, cell, /*faces_out=*/true, with_vertices);
            const voronoi_cell_row<T> cell_row{&one, 0, i, &no_properties, options.radii};
            if (want_cell) {
                std::array<T, num_voronoi_cell_columns> c{};
                cell_descriptors.compute(cell_row, output_row<T>{c.data(), 1});
                for (std::size_t k = 0; k < c.size(); ++k) out.cell[k][i] = c[k];
            }
            if (want_interstice) {
                std::array<T, interstice::num_short> row{};
                interstice_short_range{}.compute(cell_row, output_row<T>{row.data(), 1}, scratch);
                for (std::size_t k = 0; k < interstice::num_short; ++k) out.interstice[k][i] = row[k];
                kept_neighbors& kn = kept[chunk];
                kn.particle.push_back(neighbor_index(i));
                for (neighbor_index j : one.neighbors.neighbors(0)) kn.neighbors.push_back(j);
                kn.offsets.push_back(kn.neighbors.size());
            }
        };
    });
    if (!want_interstice) return;

    // Medium-range features: statistics over the neighbours' short-range features.
    const auto srf = [&](std::size_t j, std::size_t s) { return out.interstice[s][j]; };
    detail::for_each_chunk(policy, kept.size(), 1, [&](std::size_t, std::size_t b, std::size_t e) {
        std::array<T, interstice::num_features - interstice::num_short> row{};
        for (std::size_t c = b; c < e; ++c) {
            const kept_neighbors& kn = kept[c];
            for (std::size_t q = 0; q < kn.particle.size(); ++q) {
                const std::span<const neighbor_index> nb(kn.neighbors.data() + kn.offsets[q], kn.offsets[q + 1] - kn.offsets[q]);
                interstice::medium_range<T>(nb, n_rows, srf, row.data(), 1);
                for (std::size_t k = 0; k < row.size(); ++k) out.interstice[interstice::num_short + k][kn.particle[q]] = row[k];
            }
        }
    });
}

}  // namespace tessera
