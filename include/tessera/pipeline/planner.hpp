#pragma once
/// @file
/// The run-time planner: a set of descriptors chosen at run time (a command line, a Python call,
/// a host code's input script) run as one pipeline — one neighbour query per frame, every
/// per-particle descriptor in one pass over the particles, whole-list descriptors after it.
///
///     tessera::planner<double> plan;
///     plan.add(tessera::csp{12});                        // the 12 nearest
///     plan.add(tessera::cna{3.086});                     // a ball of 3.086
///     plan.add(tessera::coordination{3.0});              // a ball of 3.0
///     plan.add(tessera::steinhardt{.degrees = {4, 6}});  // the 12 nearest
///     tessera::planner<double>::workspace ws;            // reused across frames
///     const auto& out = plan.run(positions, box, ws, props, tessera::openmp_policy{});
///     std::span<const double> csp = out.column("csp");
///
/// How the one stage is derived from the descriptors' requests (neighbor_request): every
/// request is a prefix of a row sorted by distance — a ball of r is the bonds with r² < r_c²,
/// the k nearest are the first k — so one sorted query at the largest ball radius that also
/// holds the largest k (`nearest_or_ball`) serves them all; each descriptor is handed its
/// prefix, zero copy. When every request is the same ball, the query is an unsorted ball (no
/// sort needed: each descriptor reads whole rows); only balls: `sorted_ball`; only k-nearest:
/// `nearest`. Voronoi requests share one tessellation. A request that is itself a union
/// (`nearest_k_or_within`, a learn/model_stage.hpp stage) counts as both its k and its ball.
///
/// Equivalence (tested bit for bit, tests/pipeline/planner.cpp): each descriptor's columns equal
/// those of the compile-time pipeline with the stage its request names — `nearest{k, r}` for a
/// k-nearest request; for a ball of r, `ball{r}` when the planner's stage is that same ball and
/// `sorted_ball{r}` otherwise (a ball row in search order sums its bonds in another order:
/// equal to rounding).
///
/// When no whole-list descriptor runs on the cell-list stage, rows are streamed: found,
/// handed to every descriptor while in cache, and dropped — no neighbour list is stored.
/// Per-particle kernels are called through one virtual call per particle and descriptor; the
/// neighbour search and the kernels themselves are the compile-time pipeline's.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/properties.hpp>
#include <tessera/neighbors/prefix_list.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/pipeline/any_descriptor.hpp>
#include <tessera/pipeline/voronoi_stage.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace tessera {

/// What a planner run produced: per descriptor (in the order added) its named columns, each
/// n_local values, contiguous.
template <class T>
class planner_result {
public:
    std::size_t size() const noexcept { return n_; }
    std::size_t num_descriptors() const noexcept { return names_.size(); }
    /// Column names of descriptor e (in the order added).
    const std::vector<std::string>& names_of(std::size_t e) const noexcept { return names_[e]; }
    /// Column c of descriptor e (not after take(e), until the next run).
    std::span<const T> column(std::size_t e, std::size_t c) const noexcept { return {data_[e].data() + c * n_, n_}; }
    /// Every column name, in order.
    std::vector<std::string> names() const {
        std::vector<std::string> all;
        for (const auto& v : names_) all.insert(all.end(), v.begin(), v.end());
        return all;
    }
    /// A column by name (the first descriptor that has it); tessera::error when absent.
    std::span<const T> column(std::string_view name) const {
        for (std::size_t e = 0; e < names_.size(); ++e)
            for (std::size_t c = 0; c < names_[e].size(); ++c)
                if (names_[e][c] == name) return column(e, c);
        throw error("planner result: no column named '" + std::string(name) + "'");
    }
    /// Moves descriptor e's columns out (column c at [c n, (c + 1) n)), so that a caller can keep
    /// them without a copy; the result then holds none for e until the next run.
    std::vector<T> take(std::size_t e) noexcept { return std::exchange(data_[e], {}); }

private:
    template <class>
    friend class planner;
    std::size_t n_ = 0;
    std::vector<std::vector<std::string>> names_;
    std::vector<std::vector<T>> data_;
};

template <class T = double>
class planner {
public:
    /// The neighbour stage a set of requests needs (see the file comment).
    struct stage_plan {
        std::variant<std::monostate, ball, sorted_ball, nearest, nearest_or_ball> query;  ///< cell-list stage
        bool voronoi = false;      ///< a tessellation is needed too
        bool stores_list = false;  ///< a whole-list descriptor reads the cell-list stage's rows
        /// "nearest_or_ball{k = 12, radius = 3.086}", ... for logs and tests.
        std::string describe() const;
    };

    /// Storage kept across frames: the cell-list stage allocates nothing new once the first frame
    /// sized it (a tessellation, when Voronoi requests run, is still built afresh each frame).
    struct workspace {
        cell_list<T> cells;
        neighbor_list<T> list;     ///< the cell-list stage's rows, when stored
        neighbor_list<T> voronoi;  ///< Voronoi rows (face areas as weights)
        std::vector<neighbor_index> lengths;
        planner_result<T> result;
    };

    /// Adds a descriptor; returns its index in the result. Its request must be finite (a ball
    /// of a given radius, or k nearest): a descriptor that leaves its radius to the stage (e.g.
    /// coordination with cutoff 0) is rejected here, naming it.
    std::size_t add(any_descriptor<T> d) {
        const neighbor_request& r = d.request();
        if (!r.voronoi && r.need == neighbor_need::sorted_nearest) {
            if (r.k == 0 || r.k == std::numeric_limits<std::size_t>::max() || !(r.radius > 0))
                throw error("planner: descriptor ", entries_.size() + 1, " (columns ", join(d.columns(particle_properties{})),
                            ") requests the k nearest with k = ", r.k, " and max_radius ", r.radius,
                            ": k must be finite and >= 1, max_radius > 0 (infinity for none)");
            if (!(r.also_within >= 0 && r.also_within < std::numeric_limits<double>::max()))
                throw error("planner: descriptor ", entries_.size() + 1, " (columns ", join(d.columns(particle_properties{})),
                            ") requests a ball of ", r.also_within, " with its k nearest: give a finite radius");
        } else if (!r.voronoi) {
            if (!(r.radius > 0 && r.radius < std::numeric_limits<double>::max())) {
                throw error("planner: descriptor ", entries_.size() + 1, " (columns ",
                            join(d.columns(particle_properties{})), ") needs a ball but states no finite cutoff (",
                            r.radius, "): give it a cutoff");
            }
        }
        entries_.push_back(std::move(d));
        return entries_.size() - 1;
    }

    std::size_t size() const noexcept { return entries_.size(); }
    const any_descriptor<T>& descriptor(std::size_t e) const noexcept { return entries_[e]; }

    /// Options of the tessellation behind Voronoi requests (radii for a radical one, ...).
    void set_voronoi_options(const voronoi_options& o) { voronoi_options_ = o; }

    stage_plan plan() const {
        stage_plan s;
        double ball_r = 0, near_r = 0;
        std::size_t k = 0;
        bool any_ball = false, one_radius = true;
        for (const auto& e : entries_) {
            const neighbor_request& r = e.request();
            if (r.voronoi) {
                s.voronoi = true;
                continue;
            }
            if (!e.per_particle()) s.stores_list = true;
            if (r.need != neighbor_need::sorted_nearest) {
                if (any_ball && r.radius != ball_r) one_radius = false;
                ball_r = std::max(ball_r, r.radius);
                any_ball = true;
            } else {
                k = std::max(k, r.k);
                near_r = std::max(near_r, r.radius);
                if (r.also_within > 0) {  // a union with a ball (model_stage): the ball part
                    if (any_ball && r.also_within != ball_r) one_radius = false;
                    ball_r = std::max(ball_r, r.also_within);
                    any_ball = true;
                }
            }
        }
        if (k == 0 && any_ball) {
            if (one_radius) s.query = ball{ball_r};
            else s.query = sorted_ball{ball_r};
        } else if (k > 0 && !any_ball) {
            s.query = nearest{k, near_r};
        } else if (k > 0) {
            s.query = nearest_or_ball{k, ball_r, near_r};
        }
        return s;
    }

    /// Runs every descriptor on the first n_local particles; the result lives in `ws`.
    template <particle_storage S, box B, class Policy = serial_policy>
    const planner_result<T>& run(const S& particles, const B& bx, workspace& ws, const particle_properties& props = {},
                                 Policy policy = {}) const {
        check_particle_storage<S>();
        const particle_properties p = props.resolved(tessera::size(particles));
        const std::size_t n = p.n_local;
        planner_result<T>& out = ws.result;
        out.n_ = n;
        out.names_.resize(entries_.size());
        out.data_.resize(entries_.size());
        for (std::size_t e = 0; e < entries_.size(); ++e) {
            entries_[e].prepare(p);
            out.names_[e] = entries_[e].columns(p);
            out.data_[e].assign(out.names_[e].size() * n, T(0));
        }
        const stage_plan s = plan();
        query_options opt;
        opt.n_local = n;
        std::visit(
            [&](const auto& q) {
                using Q = std::remove_cvref_t<decltype(q)>;
                if constexpr (!std::is_same_v<Q, std::monostate>)
                    run_cell_stage(particles, bx, q, s.stores_list, ws, p, opt, policy);
            },
            s.query);
        if (s.voronoi) {
            voronoi_neighbors stage{voronoi_options_};
            ws.voronoi = find_neighbors<T>(particles, bx, stage, opt, policy);
            run_on_list(ws.voronoi, /*voronoi=*/true, /*sorted=*/false, ws, p, policy);
        }
        return out;
    }

    /// The same, returning a result of its own.
    template <particle_storage S, box B, class Policy = serial_policy>
    planner_result<T> run(const S& particles, const B& bx, const particle_properties& props = {},
                          Policy policy = {}) const {
        workspace ws;
        run(particles, bx, ws, props, policy);
        return std::move(ws.result);
    }

private:
    static std::string join(const std::vector<std::string>& v) {
        std::string s;
        for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
        return s;
    }

    /// Rows of a cell-list stage: streamed through the per-particle descriptors, or stored and
    /// then also handed to the whole-list ones.
    template <class S, class B, class Q, class Policy>
    void run_cell_stage(const S& particles, const B& bx, const Q& q, bool store, workspace& ws,
                        const particle_properties& p, const query_options& opt, Policy policy) const {
        constexpr bool sorted = !std::is_same_v<Q, ball>;
        detail::validate(q);
        detail::bin_for_query(ws.cells, particles, bx, q);
        if (store) {
            find_neighbors_into(ws.cells, p.n_local, q, ws.list, opt, policy);
            run_on_list(ws.list, /*voronoi=*/false, sorted, ws, p, policy);
            return;
        }
        const auto build_row = detail::row_builder(ws.cells, q, opt);
        detail::for_each_chunk(policy, p.n_local, 1024, [&](std::size_t, std::size_t b, std::size_t e) {
            neighbor_list<T> one;  // per chunk, never per particle
            std::vector<detail::candidate<T>> scratch;
            for (std::size_t i = b; i < e; ++i) {
                one.clear();
                build_row(i, one, scratch);
                one.end_row();
                compute_row(i, one.neighbors(0), one.vectors(0), one.distances2(0), {}, false, sorted, ws, p);
            }
        });
    }

    /// Per-particle descriptors of one kind (Voronoi or not) on row i.
    void compute_row(std::size_t i, std::span<const neighbor_index> j, std::span<const vec3<T>> r,
                     std::span<const T> d2, std::span<const T> w, bool voronoi, bool sorted, workspace& ws,
                     const particle_properties& p) const {
        planner_result<T>& out = ws.result;
        for (std::size_t e = 0; e < entries_.size(); ++e) {
            const any_descriptor<T>& d = entries_[e];
            if (d.request().voronoi != voronoi || !d.per_particle()) continue;
            const std::size_t m = sorted ? prefix_length(d2, d.request()) : d2.size();
            const particle_row<T> row{i, j.first(m), r.first(m), d2.first(m), &p, w.empty() ? w : w.first(m)};
            d.compute(row, output_row<T>{out.data_[e].data() + i, out.n_});
        }
    }

    template <class Policy>
    void run_on_list(const neighbor_list<T>& list, bool voronoi, bool sorted, workspace& ws,
                     const particle_properties& p, Policy policy) const {
        const std::size_t n = list.num_particles();
        detail::for_each_chunk(policy, n, 1024, [&](std::size_t, std::size_t b, std::size_t e) {
            for (std::size_t i = b; i < e; ++i)
                compute_row(i, list.neighbors(i), list.vectors(i), list.distances2(i), list.weights(i), voronoi, sorted,
                            ws, p);
        });
        for (std::size_t e = 0; e < entries_.size(); ++e) {
            const any_descriptor<T>& d = entries_[e];
            if (d.request().voronoi != voronoi || d.per_particle()) continue;
            ws.lengths.resize(n);
            for (std::size_t i = 0; i < n; ++i)
                ws.lengths[i] = neighbor_index(sorted ? prefix_length(list.distances2(i), d.request())
                                                      : list.num_neighbors(i));
            const prefix_list<T> view(list, ws.lengths);
            auto& data = ws.result.data_[e];
            d.compute_all(view, p, output_columns<T>{data.data(), n, ws.result.names_[e].size()}, policy);
        }
    }

    std::vector<any_descriptor<T>> entries_;
    voronoi_options voronoi_options_{};
};

template <class T>
std::string planner<T>::stage_plan::describe() const {
    std::ostringstream os;
    std::visit(
        [&](const auto& q) {
            using Q = std::remove_cvref_t<decltype(q)>;
            if constexpr (std::is_same_v<Q, ball>) os << "ball{radius = " << q.radius << "}";
            else if constexpr (std::is_same_v<Q, sorted_ball>) os << "sorted_ball{radius = " << q.radius << "}";
            else if constexpr (std::is_same_v<Q, nearest>) os << "nearest{k = " << q.k << ", max_radius = " << q.max_radius << "}";
            else if constexpr (std::is_same_v<Q, nearest_or_ball>)
                os << "nearest_or_ball{k = " << q.k << ", radius = " << q.radius << ", max_radius = " << q.max_radius
                   << "}";
            else os << "no cell-list stage";
        },
        query);
    if (voronoi) os << " + voronoi";
    if (stores_list) os << " (stored list)";
    return os.str();
}

}  // namespace tessera
