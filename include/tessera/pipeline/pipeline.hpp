#pragma once
/// @file
/// Compile-time composition: one neighbour stage feeding any number of descriptors in one fused
/// pass over particles (docs/architecture.md).
///
///     auto pipe = tessera::pipeline(tessera::ball{3.0}, tessera::coordination{});
///     auto out  = pipe.run(positions, box, {.types = types});
///     std::span<const double> z = out.get<tessera::coordination>();
///
/// Each descriptor states the neighbours it needs (descriptor.hpp); each stage states what it
/// provides (below). A mismatch — e.g. a descriptor needing the k nearest sorted by distance in
/// a pipeline whose stage is a ball — is a compile error with a message saying so. The neighbour
/// list is built once per run; descriptors then run particle by particle, all of them on the
/// same row while it is in cache, under the execution policy (results identical for any thread
/// count: each particle's outputs depend only on its own row).

#include <tessera/core/box.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/properties.hpp>
#include <tessera/neighbors/prefix_list.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/neighbors/verlet.hpp>
#include <tessera/descriptors/descriptor.hpp>

#include <array>
#include <limits>
#include <cmath>
#include <cstddef>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

namespace tessera {

/// What a neighbour stage provides. Specialize for a new stage type.
template <class Stage>
struct neighbor_stage_traits {
    using not_specialized = void;
};

template <>
struct neighbor_stage_traits<ball> {
    static constexpr bool provides_ball = true;
    static constexpr bool provides_sorted_nearest = false;
    static neighbor_stage_info info(const ball& b) { return {neighbor_need::ball, b.radius, 0}; }
};

/// Rows hold everything within the radius, sorted: both kinds of descriptor can share it.
/// k is unbounded: a k-nearest descriptor uses the first k of a row and treats a shorter row as
/// "fewer than k within reach" (CSP 0, Steinhardt 0, a-CNA other), as LAMMPS does.
template <>
struct neighbor_stage_traits<sorted_ball> {
    static constexpr bool provides_ball = true;
    static constexpr bool provides_sorted_nearest = true;
    static neighbor_stage_info info(const sorted_ball& b) {
        return {neighbor_need::sorted_nearest, b.radius, std::numeric_limits<std::size_t>::max()};
    }
};

template <>
struct neighbor_stage_traits<nearest> {
    static constexpr bool provides_ball = false;
    static constexpr bool provides_sorted_nearest = true;
    static neighbor_stage_info info(const nearest& q) { return {neighbor_need::sorted_nearest, q.max_radius, q.k}; }
};

/// Rows sorted by distance holding every neighbour within the radius and at least the k nearest:
/// serves both kinds (what the planner derives for mixed requests).
/// In a compile-time pipeline each descriptor is handed the prefix of a row its request() names.
template <>
struct neighbor_stage_traits<nearest_or_ball> {
    static constexpr bool provides_ball = true;
    static constexpr bool provides_sorted_nearest = true;
    static neighbor_stage_info info(const nearest_or_ball& q) {
        return {neighbor_need::sorted_nearest, q.radius, q.k};
    }
};

template <class Stage>
concept neighbor_stage = !requires { typename neighbor_stage_traits<Stage>::not_specialized; };

namespace detail {
/// Instantiated once per descriptor: the static_asserts name the mismatch in plain words.
template <class Stage, class D>
constexpr bool check_descriptor() {
    static_assert(descriptor<D>,
                  "tessera::pipeline: this type is not a descriptor (it needs `need`, columns(), prepare() and "
                  "compute() or compute_all(); see tessera/descriptors/descriptor.hpp)");
    if constexpr (descriptor<D>) {
        static_assert(D::need != neighbor_need::sorted_nearest || neighbor_stage_traits<Stage>::provides_sorted_nearest,
                      "tessera::pipeline: a descriptor needs the k nearest neighbours sorted by distance, but the "
                      "neighbour stage does not provide them: use tessera::nearest{k} as the stage");
        static_assert(D::need != neighbor_need::ball || neighbor_stage_traits<Stage>::provides_ball,
                      "tessera::pipeline: a descriptor needs all neighbours within a cutoff, but the neighbour "
                      "stage does not provide them: use tessera::ball{radius} as the stage");
        static_assert(!std::is_same_v<Stage, nearest_or_ball> || (particle_descriptor<D> && requests_neighbors<D>),
                      "tessera::pipeline: with a nearest_or_ball stage every descriptor must be per-particle and "
                      "state its neighbours (request()): rows run past a ball's radius to hold the k nearest, so "
                      "each descriptor is handed the prefix it requests; use tessera::planner otherwise");
    }
    return true;
}

template <class T, class Tuple>
struct index_of;
template <class T, class... D>
struct index_of<T, std::tuple<D...>> {
    static constexpr std::size_t value = [] {
        constexpr std::array<bool, sizeof...(D)> match{std::is_same_v<T, D>...};
        for (std::size_t k = 0; k < match.size(); ++k)
            if (match[k]) return k;
        return match.size();
    }();
};
}  // namespace detail

/// Outputs of one run: per descriptor, a column-major block of n_local × columns values.
template <class T, class... D>
class pipeline_result {
public:
    std::size_t size() const noexcept { return n_; }

    /// Column `c` of descriptor Desc (the first of that type in the pipeline).
    template <class Desc>
    std::span<const T> get(std::size_t c = 0) const& {
        constexpr std::size_t d = detail::index_of<Desc, std::tuple<D...>>::value;
        static_assert(d < sizeof...(D), "tessera::pipeline_result::get: this descriptor is not in the pipeline");
        return {data_[d].data() + c * n_, n_};
    }
    /// Column `c` of the K-th descriptor (0-based, pipeline order) — for pipelines holding two
    /// descriptors of the same type.
    template <std::size_t K>
    std::span<const T> get(std::size_t c = 0) const& {
        static_assert(K < sizeof...(D), "tessera::pipeline_result::get<K>: K is past the last descriptor");
        return {data_[K].data() + c * n_, n_};
    }
    /// Column names of the K-th descriptor.
    template <std::size_t K>
    const std::vector<std::string>& names_of() const noexcept {
        return names_[K];
    }
    /// Views into a temporary result would dangle: keep the result in a variable.
    template <class Desc>
    std::span<const T> get(std::size_t = 0) const&& = delete;
    template <std::size_t K>
    std::span<const T> get(std::size_t = 0) const&& = delete;
    std::span<const T> column(std::string_view) const&& = delete;

    /// Every column name in pipeline order.
    std::vector<std::string> names() const {
        std::vector<std::string> all;
        for (const auto& v : names_) all.insert(all.end(), v.begin(), v.end());
        return all;
    }
    /// A column by name (the first descriptor that has it); throws tessera::error when absent.
    std::span<const T> column(std::string_view name) const& {
        for (std::size_t d = 0; d < sizeof...(D); ++d)
            for (std::size_t c = 0; c < names_[d].size(); ++c)
                if (names_[d][c] == name) return {data_[d].data() + c * n_, n_};
        throw error("pipeline result: no column named '" + std::string(name) + "'");
    }

private:
    template <class, class...>
    friend class pipeline;
    std::size_t n_ = 0;
    std::array<std::vector<T>, sizeof...(D)> data_;
    std::array<std::vector<std::string>, sizeof...(D)> names_;
};

template <class Stage, class... D>
class pipeline {
    static_assert(neighbor_stage<Stage>,
                  "tessera::pipeline: the first argument must be a neighbour stage (tessera::ball{r} or "
                  "tessera::nearest{k})");
    static_assert(sizeof...(D) > 0, "tessera::pipeline: give at least one descriptor after the neighbour stage");
    static_assert((detail::check_descriptor<Stage, D>() && ...));

public:
    pipeline(Stage stage, D... descriptors) : stage_(stage), descriptors_(descriptors...) {}

    const Stage& stage() const noexcept { return stage_; }

    /// Runs the neighbour query and every descriptor over the first n_local particles.
    template <class T = void, particle_storage S, box B, class Policy = serial_policy>
    auto run(const S& particles, const B& bx, const particle_properties& props = {}, Policy policy = {}) const {
        using U = std::conditional_t<std::is_void_v<T>, particle_value_t<S>, T>;
        const particle_properties p = props.resolved(tessera::size(particles));
        if constexpr (streams) {
            cell_list<U> cells;
            pipeline_result<U, D...> out;
            run_streaming(particles, bx, cells, p, out, policy);
            return out;
        } else {
            query_options opt;
            opt.n_local = p.n_local;
            const neighbor_list<U> list = find_neighbors<U>(particles, bx, stage_, opt, policy);
            return run_on(list, p, policy);
        }
    }

    /// True when every descriptor works on one row at a time and the stage is a cell-list query:
    /// then run() never stores the neighbour list. Each row is found, handed to every descriptor
    /// while it is in cache, and dropped — memory per neighbour is zero (one row of scratch per
    /// thread), and there is no list to write. Results are identical to run_on(list) on the
    /// stored list (the same row builder makes the same rows).
    static constexpr bool streams = (particle_descriptor<D> && ...) &&
                                    cell_list_query<Stage>;

    /// Storage a caller keeps across frames so that a run allocates nothing once the first frame
    /// has sized it: the cell list, the neighbour list (unused by streaming pipelines, see
    /// `streams`) and the result (for cell-list stages, see cell_list_query). run() with a
    /// workspace returns a reference into it, valid
    /// until the next run with the same workspace.
    template <class U>
    struct workspace {
        cell_list<U> cells;
        neighbor_list<U> list;
        pipeline_result<U, D...> result;
    };

    template <class U, particle_storage S, box B, class Policy = serial_policy>
    const pipeline_result<U, D...>& run(const S& particles, const B& bx, workspace<U>& ws,
                                        const particle_properties& props = {}, Policy policy = {}) const {
        const particle_properties p = props.resolved(tessera::size(particles));
        query_options opt;  // used by the stored-list branches
        opt.n_local = p.n_local;
        if constexpr (streams) {
            run_streaming(particles, bx, ws.cells, p, ws.result, policy);  // ws.list stays unused
            return ws.result;
        } else if constexpr (cell_list_query<Stage>) {
            find_neighbors_into(particles, bx, stage_, ws.cells, ws.list, opt, policy);
        } else {
            ws.list = find_neighbors<U>(particles, bx, stage_, opt, policy);
        }
        run_on_into(ws.list, p, ws.result, policy);
        return ws.result;
    }

    /// Same, reusing neighbours across frames: `cache` (a verlet_list built with this stage's
    /// radius as cutoff and a skin) rebuilds only when a particle moved more than skin/2 or
    /// the box changed. Ball stages only: a k-nearest set can change without anyone moving far.
    template <class U, box B, particle_storage S, class Policy = serial_policy>
    pipeline_result<U, D...> run(const S& particles, const B& bx, verlet_list<U, B>& cache,
                                 const particle_properties& props = {}, Policy policy = {}) const {
        static_assert(std::is_same_v<Stage, ball>,
                      "tessera::pipeline::run with a verlet_list: only ball stages can reuse neighbours across frames "
                      "(a k-nearest set, or the order of a sorted row, can change without anyone moving far)");
        if constexpr (std::is_same_v<Stage, ball>) {
            const particle_properties p = props.resolved(tessera::size(particles));
            if (std::abs(double(cache.cutoff()) - stage_.radius) > 1e-12 * stage_.radius) {
                throw error("pipeline: the verlet_list cutoff ", cache.cutoff(), " differs from the stage radius ",
                            stage_.radius);
            }
            query_options opt;
            opt.n_local = p.n_local;
            return run_on(cache.update(particles, bx, opt, policy), p, policy);
        } else {
            return {};
        }
    }

    /// Runs the descriptors on a neighbour list the caller already has (e.g. a verlet_list's, or
    /// a host code's own CSR list adapted through neighbor_list_traits). The rows must be what the
    /// stage would give (the stage is not run; its parameters go to the descriptors' prepare()).
    template <csr_neighbor_list L, class Policy = serial_policy>
    pipeline_result<list_value_t<L>, D...> run_on(const L& list, const particle_properties& p,
                                                  Policy policy = {}) const {
        pipeline_result<list_value_t<L>, D...> out;
        run_on_into(list, p, out, policy);
        return out;
    }

    /// The same into an existing result (its arrays keep their capacity).
    template <csr_neighbor_list L, class Policy = serial_policy>
    void run_on_into(const L& list, const particle_properties& p, pipeline_result<list_value_t<L>, D...>& out,
                     Policy policy = {}) const {
        using U = list_value_t<L>;
        const neighbor_stage_info info = neighbor_stage_traits<Stage>::info(stage_);
        const std::size_t n = num_rows(list);
        out.n_ = n;
        std::apply([&](const D&... d) { prepare_all(info, p, out, n, d...); }, descriptors_);
        if constexpr ((particle_descriptor<D> || ...)) {
            detail::for_each_chunk(policy, n, 1024, [&](std::size_t, std::size_t b, std::size_t e) {
                for (std::size_t i = b; i < e; ++i) {
                    const bond_row<U> r = row_of(list, i);
                    const particle_row<U> row{i, r.neighbors, r.vectors, r.distances2, &p, r.weights};
                    compute_row(row, out, n, std::index_sequence_for<D...>{});
                }
            });
        }
        run_list_descriptors(list, p, out, n, policy, std::index_sequence_for<D...>{});
    }

private:
    /// The fused search-and-describe pass (see `streams`): bins the particles into `cells`, then
    /// per chunk of rows one reusable single-row list (allocated per chunk, never per particle).
    template <class U, particle_storage S, box B, class Policy>
    void run_streaming(const S& particles, const B& bx, cell_list<U>& cells, const particle_properties& p,
                       pipeline_result<U, D...>& out, Policy policy) const {
        check_particle_storage<S>();
        query_options opt;
        opt.n_local = p.n_local;
        const std::size_t n = detail::rows_for(particles, opt);
        detail::validate(stage_);
        detail::bin_for_query(cells, particles, bx, stage_);
        const auto build_row = detail::row_builder(cells, stage_, opt);
        const neighbor_stage_info info = neighbor_stage_traits<Stage>::info(stage_);
        out.n_ = n;
        std::apply([&](const D&... d) { prepare_all(info, p, out, n, d...); }, descriptors_);
        detail::for_each_chunk(policy, n, 1024, [&](std::size_t, std::size_t b, std::size_t e) {
            neighbor_list<U> one;
            std::vector<detail::candidate<U>> scratch;
            for (std::size_t i = b; i < e; ++i) {
                one.clear();
                build_row(i, one, scratch);
                one.end_row();
                const particle_row<U> row{i, one.neighbors(0), one.vectors(0), one.distances2(0), &p, {}};
                compute_row(row, out, n, std::index_sequence_for<D...>{});
            }
        });
    }

    template <class U>
    static void prepare_all(const neighbor_stage_info& info, const particle_properties& p,
                            pipeline_result<U, D...>& out, std::size_t n, const D&... d) {
        std::size_t k = 0;
        ((d.prepare(info, p), out.names_[k] = d.columns(p), out.data_[k].assign(out.names_[k].size() * n, U(0)), ++k),
         ...);
    }
    /// The stage's radius (nearest_or_ball); through a template so that clang does not check
    /// `.radius` on stages without one inside the discarded branch below.
    template <class S>
    static double stage_radius(const S& s) noexcept {
        if constexpr (requires { s.radius; }) return double(s.radius);
        else return 0.0;
    }
    template <class U, std::size_t... K>
    void compute_row(const particle_row<U>& row, pipeline_result<U, D...>& out, std::size_t n,
                     std::index_sequence<K...>) const {
        auto one = [&](const auto& d, std::vector<U>& data) {
            using Desc = std::remove_cvref_t<decltype(d)>;
            if constexpr (std::is_same_v<Stage, nearest_or_ball> && requests_neighbors<Desc>) {
                // Each descriptor reads the prefix it requests (as the planner hands it); a ball
                // left to the stage (cutoff 0) is the stage's ball, not the whole row.
                neighbor_request r = d.request();
                if (r.need != neighbor_need::sorted_nearest && !(r.radius < std::numeric_limits<double>::max()))
                    r.radius = stage_radius(stage_);
                const std::size_t m = prefix_length(row.distances2, r);
                const particle_row<U> cut{row.index,         row.neighbors.first(m), row.vectors.first(m),
                                          row.distances2.first(m), row.properties,
                                          row.weights.empty() ? row.weights : row.weights.first(m)};
                d.compute(cut, output_row<U>{data.data() + row.index, n});
            } else if constexpr (particle_descriptor<Desc>) {
                d.compute(row, output_row<U>{data.data() + row.index, n});
            }
        };
        (one(std::get<K>(descriptors_), out.data_[K]), ...);
    }
    template <class L, class Policy, std::size_t... K>
    void run_list_descriptors(const L& list, const particle_properties& p,
                              pipeline_result<list_value_t<L>, D...>& out, std::size_t n, Policy policy,
                              std::index_sequence<K...>) const {
        using U = list_value_t<L>;
        auto one = [&](const auto& d, std::vector<U>& data, const std::vector<std::string>& names) {
            using Desc = std::remove_cvref_t<decltype(d)>;
            if constexpr (!particle_descriptor<Desc>)
                d.compute_all(list, p, output_columns<U>{data.data(), n, names.size()}, policy);
        };
        (one(std::get<K>(descriptors_), out.data_[K], out.names_[K]), ...);
    }

    Stage stage_;
    std::tuple<D...> descriptors_;
};

}  // namespace tessera
