#pragma once
/// @file
/// The two-frame member of the descriptor contract (descriptors/descriptor.hpp): a descriptor
/// of how a particle's neighbourhood changed between a reference frame and a current one —
/// D²min and atomic strain (dynamics/d2min.hpp), bonds broken and formed (dynamics/bond_changes.hpp),
/// LENS (dynamics/lens.hpp). pipeline/frame_pairs.hpp runs any set of them with one neighbour
/// query per frame and one pass over the particles.
///
/// Particles are matched by id. Each particle is handed over as a `frame_pair_row`:
/// - `reference`: its neighbours in the reference frame (rows of the reference frame, vectors
///   d_j(0) = r_j − r_i there), and `reference_bonds_now`: each of these bonds followed to the
///   current frame, d_j(t) — the *same* pair and periodic image, mapped through fractional
///   coordinates (dynamics/d2min.hpp says why, and why not the Cartesian minimum image);
/// - `current`: its neighbours in the current frame (rows of the current frame, vectors there),
///   and `current_bonds_then`: each of these bonds followed back to the reference frame.
/// A side nobody asked for (`frame_pair_request` radius 0) is empty. Each descriptor sees
/// exactly the bonds strictly inside its own radii, in the order of the frame's neighbour query
/// (bonds beyond a descriptor's radius are filtered out of the shared rows, order kept).
/// `reference.properties` are the reference frame's types and ids, `current.properties` the
/// current frame's (a frame given without types gets the other frame's, by id); outputs are in
/// the current frame's row order.
///
///     struct my_change {
///         double cutoff = 3.0;
///         frame_pair_request request() const { return {cutoff, 0}; }   // reference bonds only
///         std::vector<std::string> columns(const particle_properties&) const;
///         void prepare(const particle_properties& reference, const particle_properties& current) const;
///         template <class T> void compute(const frame_pair_row<T>&, output_row<T>) const;
///     };
///
/// A descriptor that needs working memory per row declares `struct scratch` and takes
/// `compute(row, out, scratch&)`: the runner makes one per chunk of particles, so compute()
/// never allocates once the scratch has grown to the largest row.

#include <tessera/core/properties.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/descriptors/descriptor.hpp>

#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace tessera {

/// The neighbours a two-frame descriptor reads: all bonds with r < reference_radius in the
/// reference frame and with r < current_radius in the current frame; 0 reads none there.
struct frame_pair_request {
    double reference_radius = 0;
    double current_radius = 0;
    friend bool operator==(const frame_pair_request&, const frame_pair_request&) = default;
};

/// One particle in both frames (file comment).
template <class T>
struct frame_pair_row {
    std::size_t index;                              ///< its row in the current frame (outputs go here)
    std::size_t reference_index;                    ///< its row in the reference frame (same id)
    particle_row<T> reference;                      ///< reference-frame neighbours, vectors d_j(0)
    std::span<const vec3<T>> reference_bonds_now;   ///< d_j(t), same order as reference
    particle_row<T> current;                        ///< current-frame neighbours, vectors there
    std::span<const vec3<T>> current_bonds_then;    ///< those bonds in the reference frame
};

/// A two-frame descriptor: states what it reads of each frame, names its columns (from the
/// current frame's properties), checks itself against both frames' properties, and computes one
/// particle from its frame_pair_row, with or without per-chunk scratch.
template <class D>
concept frame_pair_descriptor =
    requires(const D& d, const particle_properties& p) {
        { d.request() } -> std::convertible_to<frame_pair_request>;
        { d.columns(p) } -> std::convertible_to<std::vector<std::string>>;
        d.prepare(p, p);
    } && (detail::computes_row<D, frame_pair_row<double>> ||
          detail::computes_row_with_scratch<D, frame_pair_row<double>>);

}  // namespace tessera
