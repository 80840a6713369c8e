#pragma once
/// @file
/// Runs any set of per-cell descriptors (descriptors/cell_descriptor.hpp) over the Voronoi (or,
/// with options.radii, radical) cells of particles [0, options.n_local), streaming: each cell is
/// computed once (for_each_voronoi_cell, neighbors/voronoi.hpp), recorded into a reused one-cell
/// tessellation, handed to every descriptor, and dropped — no tessellation is stored.
///
///     std::vector<double> v = compute_cell_columns(x, box, voronoi_options{}, properties, openmp_policy{},
///                                                  voronoi_cell_descriptors{}, interstice_short_range{});
///
/// Output: the descriptors' columns in the order given, column-major, n_local rows
/// (output_columns). The values equal those of the same descriptors on the stored tessellation
/// (tessellate(), then compute(voronoi_cell_row{&t, i, i, ...}) per cell) bit for bit in builds
/// without floating-point contraction, to rounding with it (tests/pipeline/cell_columns.cpp),
/// and do not depend on the thread count. options.store_faces / store_vertices are ignored:
/// faces are always recorded, vertices when a descriptor's needs_vertices() says so.

#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/properties.hpp>
#include <tessera/descriptors/cell_descriptor.hpp>
#include <tessera/neighbors/voronoi.hpp>
#include <tessera/neighbors/voronoi_tessellation.hpp>

#include <array>
#include <cstddef>
#include <limits>
#include <tuple>
#include <vector>

namespace tessera {

namespace detail {

// The runner behind compute_cell_columns (its descriptors checked there, with a readable message).
template <class T, particle_storage S, box B, class Policy, cell_descriptor... D>
void run_cell_columns(const S& particles, const B& bx, const voronoi_options& options,
                      const particle_properties& properties, output_columns<T> out, Policy policy,
                      const D&... descriptors) {
    const std::size_t n_total = tessera::size(particles);
    const std::size_t n_rows = options.n_local == std::numeric_limits<std::size_t>::max() ? n_total : options.n_local;
    if (n_rows > n_total)
        throw error("compute_cell_columns: n_local = ", n_rows, " exceeds the number of particles ", n_total);
    const particle_properties props = properties.resolved(n_total);
    (descriptors.prepare(props), ...);
    std::array<std::size_t, sizeof...(D) + 1> first_column{};
    {
        std::size_t k = 0;
        ((first_column[k + 1] = first_column[k] + descriptors.columns(props).size(), ++k), ...);
    }
    if (out.n != n_rows || out.count < first_column.back())
        throw error("compute_cell_columns: output has ", out.count, " columns of ", out.n, " rows; the descriptors write ",
                    first_column.back(), " columns of ", n_rows, " rows");
    const bool with_vertices = (bool(descriptors.needs_vertices()) || ...);
    for_each_voronoi_cell<T>(particles, bx, options, policy, [&](std::size_t) {
        return [&, one = voronoi_tessellation<T>{}, scratch = std::tuple<typename scratch_of<D>::type...>{}](
                   std::size_t i, const voronoi_cell<T>& cell) mutable {
            one.clear();
            detail::record_voronoi_cell(one, cell, /*faces_out=*/true, with_vertices);
            const voronoi_cell_row<T> row{&one, 0, i, &props, options.radii};
            std::size_t k = 0;
            auto run = [&](const auto& d, auto& s) {
                const output_row<T> o{out.base + first_column[k] * n_rows + i, n_rows};
                if constexpr (computes_row_with_scratch<std::remove_cvref_t<decltype(d)>, voronoi_cell_row<double>>) d.compute(row, o, s);
                else d.compute(row, o);
                ++k;
            };
            std::apply([&](auto&... s) { (run(descriptors, s), ...); }, scratch);
        };
    });
}

}  // namespace detail

/// Runs `descriptors` on every cell into `out` (file comment): out.n must be n_local, out.count
/// at least the sum of the descriptors' columns.
template <class T = double, particle_storage S, box B, class Policy, class... D>
void compute_cell_columns(const S& particles, const B& bx, const voronoi_options& options,
                          const particle_properties& properties, output_columns<T> out, Policy policy,
                          const D&... descriptors) {
    static_assert(sizeof...(D) > 0, "compute_cell_columns: give at least one per-cell descriptor");
    static_assert((cell_descriptor<D> && ...),
                  "compute_cell_columns: every argument after the policy must be a per-cell descriptor: "
                  "needs_vertices(), columns(properties), prepare(properties), compute(voronoi_cell_row, "
                  "output_row[, scratch]) (descriptors/cell_descriptor.hpp)");
    if constexpr (sizeof...(D) > 0 && (cell_descriptor<D> && ...))
        detail::run_cell_columns<T>(particles, bx, options, properties, out, policy, descriptors...);
}

/// Convenience: all columns, column-major (n_local rows × the descriptors' columns).
template <class T = double, particle_storage S, box B, class Policy, class... D>
    requires(!std::is_same_v<Policy, output_columns<T>>)
std::vector<T> compute_cell_columns(const S& particles, const B& bx, const voronoi_options& options,
                                    const particle_properties& properties, Policy policy, const D&... descriptors) {
    const std::size_t n_total = tessera::size(particles);
    const std::size_t n_rows =
        options.n_local == std::numeric_limits<std::size_t>::max() ? n_total : std::min(options.n_local, n_total);
    std::size_t count = 0;
    if constexpr ((cell_descriptor<D> && ...)) {
        const particle_properties p = properties.resolved(n_total);
        count = (std::size_t(0) + ... + descriptors.columns(p).size());
    }
    std::vector<T> v(n_rows * count);
    compute_cell_columns<T>(particles, bx, options, properties, output_columns<T>{v.data(), n_rows, count}, policy,
                            descriptors...);
    return v;
}

}  // namespace tessera
