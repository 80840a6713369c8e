#pragma once
/// @file
/// The per-cell member of the descriptor contract (descriptors/descriptor.hpp): a descriptor
/// of one particle's Voronoi cell — its volume, faces, edges, vertices — rather than of a row
/// of neighbours. `voronoi_cell_descriptors` (descriptors/voronoi_cell.hpp) and
/// `interstice_short_range` (descriptors/interstice.hpp) are per-cell descriptors;
/// pipeline/cell_columns.hpp streams any set of them through one tessellation pass without
/// storing the tessellation, and `compute_voronoi_columns` (descriptors/voronoi_columns.hpp)
/// runs the command's two through the same calls.
///
///     struct my_cell_measure {
///         bool needs_vertices() const { return false; }   // faces, areas, volume suffice
///         std::vector<std::string> columns(const particle_properties&) const;
///         void prepare(const particle_properties&) const;  // validate parameters
///         template <class T> void compute(const voronoi_cell_row<T>&, output_row<T>) const;
///     };
///
/// A cell is handed over as a `voronoi_cell_row`: a tessellation holding it (`cells`, cell
/// index `cell` there: a one-cell tessellation when streamed, the whole one when stored) and the
/// particle it belongs to (`particle`, the index into per-particle inputs such as `radii` —
/// the radical tessellation's, empty for plain Voronoi — or types). The tessellation has faces
/// (and vertices when `needs_vertices()`); its `neighbors` rows give the Voronoi neighbours with
/// bond vectors. A descriptor that needs
/// working memory declares `struct scratch` and takes `compute(row, out, scratch&)` (one per
/// chunk of cells; no allocation per cell once grown).

#include <tessera/core/properties.hpp>
#include <tessera/descriptors/descriptor.hpp>
#include <tessera/neighbors/voronoi_tessellation.hpp>

#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace tessera {

/// One Voronoi cell and the particle it belongs to (file comment).
template <class T>
struct voronoi_cell_row {
    const voronoi_tessellation<T>* cells;   ///< holds the cell (faces; vertices if asked for)
    std::size_t cell;                       ///< its index in `cells`
    std::size_t particle;                   ///< the particle's index in the input
    const particle_properties* properties;  ///< types, ids (may be empty spans)
    std::span<const double> radii{};        ///< the radical tessellation's radii by particle, or empty
};

/// A per-cell descriptor: says whether it reads the cell's vertices, names its columns, checks
/// itself, and computes one particle from its cell, with or without per-chunk scratch.
template <class D>
concept cell_descriptor = requires(const D& d, const particle_properties& p) {
    { d.needs_vertices() } -> std::convertible_to<bool>;
    { d.columns(p) } -> std::convertible_to<std::vector<std::string>>;
    d.prepare(p);
} && (detail::computes_row<D, voronoi_cell_row<double>> ||
     detail::computes_row_with_scratch<D, voronoi_cell_row<double>>);

}  // namespace tessera
