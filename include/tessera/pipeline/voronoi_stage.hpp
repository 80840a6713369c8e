#pragma once
/// @file
/// Voronoi neighbours as a pipeline neighbour stage: every descriptor whose need is
/// `neighbor_need::any` runs on the particles sharing a Voronoi face (bond vector to the image
/// that owns the face), e.g.
///
///     auto pipe = tessera::pipeline(tessera::voronoi_neighbors{}, my_descriptor{});
///     auto out  = pipe.run(positions, box, props, tessera::openmp_policy{});
///
/// Descriptors that need a ball or the k nearest are rejected at compile time, as with any stage
/// that does not provide them. Rows carry the face areas as bond weights (particle_row::weights),
/// which `steinhardt{.face_weighted = true}` uses. For face areas or cell volumes use tessellate() directly
/// (neighbors/voronoi.hpp); its `neighbors` member is the same list, for pipeline::run_on.

#include <tessera/neighbors/voronoi.hpp>
#include <tessera/pipeline/pipeline.hpp>

namespace tessera {

/// Neighbour stage: Voronoi (or, with options.radii, radical) neighbours.
struct voronoi_neighbors {
    voronoi_options options{};
};

template <>
struct neighbor_stage_traits<voronoi_neighbors> {
    static constexpr bool provides_ball = false;
    static constexpr bool provides_sorted_nearest = false;
    static neighbor_stage_info info(const voronoi_neighbors&) { return {neighbor_need::any, 0, 0, true}; }
};

/// The pipeline's neighbour query for the Voronoi stage (rows: opt.n_local; vertices not kept).
template <class T = void, class S, box B, class Policy = serial_policy>
auto find_neighbors(const S& particles, const B& bx, const voronoi_neighbors& q, const query_options& opt = {},
                    Policy policy = {}) {
    if (opt.kind == list_kind::half) throw error("voronoi neighbours: half lists are not provided");
    voronoi_options o = q.options;
    o.n_local = opt.n_local;
    o.store_vertices = false;
    auto t = tessellate<T>(particles, bx, o, policy);
    // Face areas ride along as bond weights (Voronoi-weighted Steinhardt, Mickel et al. 2013).
    t.neighbors.set_weights(std::move(t.neighbor_area));
    return std::move(t.neighbors);
}

}  // namespace tessera
