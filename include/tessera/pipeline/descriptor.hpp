#pragma once
/// @file
/// What a descriptor is, for the pipeline: a small value type that states what neighbours it
/// needs, names its output columns, and computes one particle's outputs from that particle's
/// neighbour row. The pipeline calls compute() once per particle inside one fused loop, so a
/// descriptor never allocates there and never sees other particles' rows. Descriptors that need
/// their neighbours' intermediate results are whole-list descriptors (compute_all, below).
///
///     struct my_descriptor {
///         static constexpr neighbor_need need = neighbor_need::ball;   // or sorted_nearest, any
///         std::vector<std::string> columns(const particle_properties&) const;
///         void prepare(const neighbor_stage_info&, const particle_properties&) const; // validate
///         template <class T> void compute(const particle_row<T>&, output_row<T>) const;
///     };

#include <tessera/core/execution.hpp>
#include <tessera/core/properties.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/neighbors/neighbor_list.hpp>

#include <concepts>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace tessera {

/// The neighbours a descriptor needs from the pipeline's neighbour stage.
enum class neighbor_need {
    any,             ///< works on whatever rows it is given
    ball,            ///< all neighbours within a cutoff (tessera::ball)
    sorted_nearest,  ///< the k nearest, sorted by distance (tessera::nearest)
};

/// What the stage of a running pipeline provides (for run-time checks such as cutoff <= radius).
struct neighbor_stage_info {
    neighbor_need provides = neighbor_need::any;
    double radius = 0;   ///< ball radius, or the nearest query's max_radius
    std::size_t k = 0;   ///< nearest: k
    bool weighted = false;  ///< rows carry per-bond weights (Voronoi face areas)
};

/// One particle's neighbourhood, as the pipeline hands it to compute().
template <class T>
struct particle_row {
    std::size_t index;                        ///< the particle
    std::span<const neighbor_index> neighbors; ///< indices in [0, n_total)
    std::span<const vec3<T>> vectors;          ///< r_j − r_i
    std::span<const T> distances2;             ///< |r_j − r_i|²
    const particle_properties* properties;    ///< types, ids (may be empty spans)
    std::span<const T> weights{};              ///< per-bond weights, or empty (stage-dependent)

    std::size_t size() const noexcept { return neighbors.size(); }
    int type() const noexcept { return properties->types.empty() ? 1 : properties->types[index]; }
    int neighbor_type(std::size_t k) const noexcept {
        return properties->types.empty() ? 1 : properties->types[neighbors[k]];
    }
};

/// Where compute() writes: column c of this particle.
template <class T>
struct output_row {
    T* base;
    std::size_t stride;
    T& operator[](std::size_t c) const noexcept { return base[c * stride]; }
};

/// All of a descriptor's columns: n values each, column-major.
template <class T>
struct output_columns {
    T* base;
    std::size_t n;
    std::size_t count;
    std::span<T> column(std::size_t c) const noexcept { return {base + c * n, n}; }
};

/// What every descriptor has: its neighbour need, its column names and a set-up check.
template <class D>
concept descriptor_common = requires(const D& d, const particle_properties& p, const neighbor_stage_info& s) {
    { D::need } -> std::convertible_to<neighbor_need>;
    { d.columns(p) } -> std::convertible_to<std::vector<std::string>>;
    d.prepare(s, p);
};

/// A per-particle descriptor: compute() sees one row and writes that particle's outputs. The
/// pipeline fuses all of these into one loop over particles.
template <class D>
concept particle_descriptor = descriptor_common<D> &&
                              requires(const D& d, const particle_row<double>& row, output_row<double> out) {
                                  d.compute(row, out);
                              };

/// A whole-list descriptor: needs other particles' intermediate results (Lechner–Dellago
/// averages, bond crystallinity, …), so it runs its own passes over the list:
///     template <class T, class Policy>
///     void compute_all(const neighbor_list<T>&, const particle_properties&, output_columns<T>, Policy) const;
/// It must give identical results for any policy/thread count.
template <class D>
concept list_descriptor = descriptor_common<D> &&
                          requires(const D& d, const neighbor_list<double>& l, const particle_properties& p,
                                   output_columns<double> out) { d.compute_all(l, p, out, serial_policy{}); };

template <class D>
concept descriptor = particle_descriptor<D> || list_descriptor<D>;

}  // namespace tessera
