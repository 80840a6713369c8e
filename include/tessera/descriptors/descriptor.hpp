#pragma once
/// @file
/// The descriptor contract: what every descriptor states and how it is run. The compile-time
/// pipeline (pipeline/pipeline.hpp) and the run-time planner (pipeline/planner.hpp) are both
/// written against it, so one header per descriptor is all a new descriptor takes.
///
/// A descriptor is a small value type that
/// - states its neighbour need at compile time (`need`: a ball, the k nearest sorted by distance,
///   or any rows) and, with its parameters, at run time (`request()`: which ball, which k) — the
///   planner derives one neighbour stage from the requests of all descriptors it runs;
/// - names its output columns (`columns()`), which may depend on the particle properties
///   (one column per type);
/// - checks its parameters against the stage it is given before any particle (`prepare()`);
/// - computes, either one particle from that particle's neighbour row (`compute()`: a
///   per-particle descriptor, fused into one loop over particles, never allocating there), or
///   all particles from a whole neighbour list (`compute_all()`: a whole-list descriptor, for
///   those that need their neighbours' intermediate results).
///
///     struct my_descriptor {
///         static constexpr neighbor_need need = neighbor_need::ball;   // or sorted_nearest, any
///         double cutoff = 3.0;
///         neighbor_request request() const { return neighbor_request::within(cutoff); }
///         std::vector<std::string> columns(const particle_properties&) const;
///         void prepare(const neighbor_stage_info&, const particle_properties&) const; // validate
///         template <class T> void compute(const particle_row<T>&, output_row<T>) const;
///     };
///
/// Result convention: column c of particle i is written to out[c] of row i (per-particle) or to
/// out.column(c)[i] (whole-list); every column of every particle is written, also when the
/// particle has too few neighbours (documented per descriptor, usually 0). Shared parameter
/// names: `cutoff` for a radius a bond must be strictly inside, a count of nearest neighbours
/// is `nnn` in bond-order descriptors and `num_neighbors` in CSP (kept for compatibility).
///
/// Whole-list descriptors take any list satisfying `csr_neighbor_list` (neighbors/neighbor_list.hpp):
/// tessera's own `neighbor_list<T>`, the planner's row-prefix views, or a host's CSR list
/// adapted through `neighbor_list_traits`.

#include <tessera/core/execution.hpp>
#include <tessera/core/properties.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/neighbors/neighbor_list.hpp>

#include <concepts>
#include <cstddef>
#include <limits>
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

/// The neighbours one descriptor reads, with its parameters: a run-time statement of `need`.
/// The planner serves every request with one sorted query (each descriptor then reads a prefix
/// of each row: bonds strictly inside `radius`, at most `k` of them).
struct neighbor_request {
    neighbor_need need = neighbor_need::any;
    double radius = std::numeric_limits<double>::infinity();  ///< bonds with r < radius
    std::size_t k = std::numeric_limits<std::size_t>::max();   ///< at most the k nearest
    bool voronoi = false;  ///< the Voronoi neighbours instead (rows weighted by face area)
    /// k-nearest requests only: also every bond with r < also_within (0: none). The union of a
    /// k-nearest and a ball request, as a stage made of several descriptors reads (model_stage).
    double also_within = 0;

    /// Every neighbour closer than r (a ball).
    static neighbor_request within(double r) { return {neighbor_need::ball, r}; }
    /// The k nearest, sorted by distance, only those closer than max_radius.
    static neighbor_request nearest_k(std::size_t k,
                                      double max_radius = std::numeric_limits<double>::infinity()) {
        return {neighbor_need::sorted_nearest, max_radius, k};
    }
    /// The k nearest (closer than max_radius) and every neighbour closer than r: the union of
    /// nearest_k(k, max_radius) and within(r), one prefix of a sorted row.
    static neighbor_request nearest_k_or_within(std::size_t k, double r,
                                                double max_radius = std::numeric_limits<double>::infinity()) {
        return {neighbor_need::sorted_nearest, max_radius, k, false, r};
    }
    /// The particles sharing a Voronoi face, each bond weighted by the face's area.
    static neighbor_request voronoi_faces() {
        return {neighbor_need::any, std::numeric_limits<double>::infinity(), std::numeric_limits<std::size_t>::max(),
                true};
    }
    /// What a stage serving exactly this request tells prepare().
    neighbor_stage_info stage_info() const {
        if (voronoi) return {neighbor_need::any, 0, 0, true};
        if (need == neighbor_need::sorted_nearest && also_within > 0)  // as nearest_or_ball{k, also_within}
            return {neighbor_need::sorted_nearest, also_within, k};
        if (need == neighbor_need::sorted_nearest) return {neighbor_need::sorted_nearest, radius, k};
        return {neighbor_need::ball, radius, 0};
    }
    friend bool operator==(const neighbor_request&, const neighbor_request&) = default;
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
///     template <csr_neighbor_list L, class Policy>
///     void compute_all(const L&, const particle_properties&, output_columns<list_value_t<L>>, Policy) const;
/// It must give identical results for any policy/thread count.
template <class D>
concept list_descriptor = descriptor_common<D> &&
                          requires(const D& d, const neighbor_list<double>& l, const particle_properties& p,
                                   output_columns<double> out) { d.compute_all(l, p, out, serial_policy{}); };

/// A descriptor that states its neighbours at run time (what the planner needs of it).
template <class D>
concept requests_neighbors = requires(const D& d) {
    { d.request() } -> std::convertible_to<neighbor_request>;
};

template <class D>
concept descriptor = particle_descriptor<D> || list_descriptor<D>;

namespace detail {
/// compute(row, out) for a row type other than particle_row (the two-frame and per-cell members
/// of the contract), without or with the descriptor's own per-chunk `scratch`.
template <class D, class Row>
concept computes_row = requires(const D& d, const Row& row, output_row<double> out) { d.compute(row, out); };
template <class D, class Row>
concept computes_row_with_scratch = requires(const D& d, const Row& row, output_row<double> out,
                                             typename D::scratch& s) { d.compute(row, out, s); };

/// A descriptor's scratch type, or an empty stand-in for those without one.
template <class D>
struct scratch_of {
    struct none {};
    using type = none;
};
template <class D>
    requires requires { typename D::scratch; }
struct scratch_of<D> {
    using type = typename D::scratch;
};
}  // namespace detail

}  // namespace tessera
