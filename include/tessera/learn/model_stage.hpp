#pragma once
/// @file
/// model_stage: a trained model as a per-particle stage of a fused pipeline (tessera issue 15).
/// Per particle it computes the descriptors the model reads, from the same neighbour row, into a
/// small per-thread buffer; picks the model's features by column name; scales them and applies
/// the model; and writes the model's outputs — in the one pass over particles, with nothing
/// stored per particle but the outputs.
///
///     auto model = tessera::load_model("phase.json");   // features: csp, coord, q6
///     tessera::model_stage ms{model, tessera::csp{12}, tessera::coordination{3.0},
///                             tessera::steinhardt{.degrees = {6}}};
///     auto pipe = tessera::pipeline(tessera::nearest_or_ball{12, 3.0}, ms);
///     auto out  = pipe.run(positions, box, props, tessera::openmp_policy{});
///     std::span<const double> p = out.column("proba_1");
///
/// Why a wrapper descriptor: the descriptor contract (descriptors/descriptor.hpp) lets a
/// per-particle descriptor see only its own row and write only its own columns, so a model
/// cannot read columns other descriptors wrote. Wrapping the descriptors it needs keeps the
/// contract and both pipelines unchanged: model_stage *is* a per-particle descriptor (need,
/// request(), columns(), prepare(), compute()), usable in pipeline<> and — `dynamic_model_stage`,
/// its inner descriptors chosen at run time as any_descriptor — in the planner.
///
/// Neighbours (the planner's prefix rule, pipeline/planner.hpp): request() is the union of the
/// inner requests — the largest k (with its max_radius) and the largest ball — and each inner
/// descriptor is handed exactly the bonds its own request() names: on a row sorted by distance
/// the prefix prefix_length() gives (zero copy); on an unsorted ball row (only when every inner
/// request is a ball) the bonds inside its radius, copied in row order into a per-thread buffer.
/// Hence, on a sorted stage each inner descriptor's values equal those of a separate pipeline
/// of the same stage bit for bit. Mixing k-nearest and ball requests needs rows holding both:
/// `nearest_or_ball{k, r}` (or `sorted_ball{r}`) in a pipeline, which prepare() checks; the
/// planner derives it. Inner descriptors must be per-particle and state a finite request
/// (a ball with a cutoff, or k nearest); Voronoi rows are not supported (checked at construction).
///
/// Columns: with `with_features`, the inner descriptors' columns first (in order); then the
/// model's outputs (learned_row_model: `prediction`, `decision`, `proba_<c>`, `label_mean`),
/// each prefixed by `prefix` (e.g. "phase_" → `phase_prediction`) to tell two stages apart.
/// prepare() maps each model feature to the inner column of that name, once: a feature none of
/// them computes, or one computed by two, is a tessera::error naming it and listing the columns.
///
/// Per particle: no allocation (buffers are per thread, grown on a thread's first rows and
/// reused, one set per nesting depth so that a stage inside a stage is safe), no throwing, const.
/// prepare() stores the resolved feature map in the stage (a mutable member, set before the
/// particle loop): don't prepare one stage object from two threads at once (two pipelines or
/// planners sharing it running concurrently) — copy it instead.

#include <tessera/core/error.hpp>
#include <tessera/descriptors/descriptor.hpp>
#include <tessera/learn/model_file.hpp>
#include <tessera/learn/row_model.hpp>
#include <tessera/neighbors/prefix_list.hpp>
#include <tessera/pipeline/any_descriptor.hpp>

#include <algorithm>
#include <array>
#include <concepts>
#include <cstddef>
#include <deque>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace tessera {

/// What model_stage needs of a model: its feature names (read in that order), its output column
/// names, and one row's inference, raw features → outputs, into per-thread `scratch`.
template <class M>
concept row_model = std::copy_constructible<M> &&
                    requires(const M& m, const double* x, double* y, typename M::scratch& s) {
                        { m.features() } -> std::convertible_to<const std::vector<std::string>&>;
                        { m.outputs() } -> std::convertible_to<const std::vector<std::string>&>;
                        m.predict_row(x, y, s);
                    };

namespace detail {

/// prepare()'s result: where inner descriptor d's columns start in the feature buffer
/// (offset[d], offset.back() = all), and the buffer entry of each model feature.
struct model_stage_layout {
    std::vector<std::size_t> offset;
    std::vector<std::size_t> pick;
};

/// Checks one inner request at construction: finite, not Voronoi.
inline void check_inner_request(const neighbor_request& r, std::size_t d, const std::vector<std::string>& cols) {
    auto who = [&] {
        std::string s;
        for (const auto& c : cols) s += (s.empty() ? "" : ",") + c;
        return s;
    };
    if (r.voronoi)
        throw error("model_stage: descriptor ", d + 1, " (columns ", who(),
                    ") reads Voronoi neighbours, which a model_stage cannot share with other requests");
    const bool finite = r.need == neighbor_need::sorted_nearest
                            ? (r.k > 0 && r.k < std::numeric_limits<std::size_t>::max() && r.radius > 0)
                            : (r.radius > 0 && r.radius < std::numeric_limits<double>::max());
    if (!finite)
        throw error("model_stage: descriptor ", d + 1, " (columns ", who(),
                    ") states no finite neighbour request (k = ", r.k, ", radius ", r.radius,
                    "): give it a cutoff or a number of neighbours");
}

/// The union of the inner requests: one prefix of a sorted row holding each of them.
inline neighbor_request union_request(std::span<const neighbor_request> rs) {
    std::size_t k = 0;
    double near_r = 0, ball_r = 0;
    for (const auto& r : rs) {
        if (r.need == neighbor_need::sorted_nearest) {
            k = std::max(k, r.k);
            near_r = std::max(near_r, r.radius);
            ball_r = std::max(ball_r, r.also_within);
        } else {
            ball_r = std::max(ball_r, r.radius);
        }
    }
    if (k == 0) return neighbor_request::within(ball_r);
    if (ball_r == 0) return neighbor_request::nearest_k(k, near_r);
    return neighbor_request::nearest_k_or_within(k, ball_r, near_r);
}

/// Checks that the stage's rows hold the union request.
inline void check_stage(const neighbor_stage_info& s, const neighbor_request& u) {
    const bool sorted = u.need == neighbor_need::sorted_nearest;
    const double ball_r = sorted ? u.also_within : u.radius;
    if (sorted && s.provides != neighbor_need::sorted_nearest)
        throw error("model_stage: its descriptors read the ", u.k, " nearest neighbours (sorted by distance)",
                    ball_r > 0 ? " and a ball" : "",
                    ", but the stage's rows are not sorted by distance: use tessera::nearest_or_ball{", u.k, ", ",
                    ball_r, "} (or tessera::nearest{", u.k, "} without a ball), or the planner");
    if (sorted && s.k < u.k)
        throw error("model_stage: its descriptors need the ", u.k, " nearest neighbours but the stage provides k = ",
                    s.k);
    if (ball_r > 0 && s.radius < ball_r)
        throw error("model_stage: its descriptors need every neighbour within ", ball_r,
                    " but the stage's radius is ", s.radius);
}

/// Maps each model feature to the one inner column of that name.
inline model_stage_layout resolve_layout(const std::vector<std::vector<std::string>>& cols,
                                         const std::vector<std::string>& features) {
    model_stage_layout l;
    std::vector<std::string> all;
    l.offset.push_back(0);
    for (const auto& c : cols) {
        all.insert(all.end(), c.begin(), c.end());
        l.offset.push_back(all.size());
    }
    auto listing = [&] {
        std::string s;
        for (const auto& c : all) s += (s.empty() ? "" : ", ") + c;
        return s;
    };
    for (const auto& f : features) {
        const auto n = std::count(all.begin(), all.end(), f);
        if (n == 0)
            throw error("model_stage: the model reads feature '", f,
                        "', which none of the stage's descriptors computes (they compute: ", listing(), ")");
        if (n > 1)
            throw error("model_stage: feature '", f, "' is computed by ", n,
                        " of the stage's descriptors: ambiguous (give them distinct parameters or column names)");
        l.pick.push_back(std::size_t(std::find(all.begin(), all.end(), f) - all.begin()));
    }
    return l;
}

/// Per-thread buffers of one stage evaluation.
template <class T, class Scratch>
struct model_stage_buffers {
    std::vector<T> features;  ///< every inner column of the row
    std::vector<double> x, y;  ///< the model's features and outputs
    Scratch scratch;
    std::vector<neighbor_index> j;  ///< an unsorted ball row cut to a smaller radius
    std::vector<vec3<T>> r;
    std::vector<T> d2, w;
};

/// This thread's buffers at the current nesting depth (a stage whose inner descriptor is itself
/// a stage gets a second set): grown on first use, then reused.
template <class B>
class thread_buffers {
public:
    thread_buffers() {
        if (pool().size() <= depth()) pool().emplace_back();  // a deque: earlier sets stay put
        b_ = &pool()[depth()];
        ++depth();
    }
    ~thread_buffers() { --depth(); }
    thread_buffers(const thread_buffers&) = delete;
    thread_buffers& operator=(const thread_buffers&) = delete;
    B& operator*() const noexcept { return *b_; }
    B* operator->() const noexcept { return b_; }

private:
    static std::deque<B>& pool() {
        thread_local std::deque<B> p;
        return p;
    }
    static std::size_t& depth() {
        thread_local std::size_t d = 0;
        return d;
    }
    B* b_;
};

template <class V>
void grow_to(V& v, std::size_t n) {
    if (v.size() < n) v.resize(n);
}

/// The bonds of `row` that request `r` reads (see the file comment): a prefix when the row is
/// sorted, else (a ball request) the bonds inside its radius, copied when some are outside.
template <class T, class B>
particle_row<T> cut_row(const particle_row<T>& row, const neighbor_request& r, bool sorted, B& b) {
    if (sorted || r.need == neighbor_need::sorted_nearest) {
        const std::size_t m = prefix_length(row.distances2, r);
        return {row.index, row.neighbors.first(m), row.vectors.first(m), row.distances2.first(m), row.properties,
                row.weights.empty() ? row.weights : row.weights.first(m)};
    }
    const T rc = T(r.radius);
    const T r2 = rc * rc;  // the test a ball query applies, in T
    const std::size_t n = row.size();
    std::size_t inside = 0;
    for (std::size_t k = 0; k < n; ++k) inside += row.distances2[k] < r2 ? 1 : 0;
    if (inside == n) return row;
    grow_to(b.j, n);
    grow_to(b.r, n);
    grow_to(b.d2, n);
    if (!row.weights.empty()) grow_to(b.w, n);
    std::size_t m = 0;
    for (std::size_t k = 0; k < n; ++k) {
        if (!(row.distances2[k] < r2)) continue;
        b.j[m] = row.neighbors[k];
        b.r[m] = row.vectors[k];
        b.d2[m] = row.distances2[k];
        if (!row.weights.empty()) b.w[m] = row.weights[k];
        ++m;
    }
    return {row.index, {b.j.data(), m}, {b.r.data(), m}, {b.d2.data(), m}, row.properties,
            row.weights.empty() ? row.weights : std::span<const T>{b.w.data(), m}};
}

/// After the inner descriptors filled b.features: the model, and every output column.
template <class T, class Model, class B>
void finish_row(const Model& model, const model_stage_layout& l, bool with_features, B& b, output_row<T> out) {
    const std::size_t nf = l.pick.size(), no = model.outputs().size();
    grow_to(b.x, nf);
    grow_to(b.y, no);
    for (std::size_t f = 0; f < nf; ++f) b.x[f] = double(b.features[l.pick[f]]);
    model.predict_row(b.x.data(), b.y.data(), b.scratch);
    std::size_t c = 0;
    if (with_features)
        for (std::size_t k = 0; k < l.offset.back(); ++k) out[c++] = b.features[k];
    for (std::size_t o = 0; o < no; ++o) out[c++] = T(b.y[o]);
}

/// The stage's need: a ball when any inner descriptor needs one (rows sorted or not), else the
/// k nearest when any needs them.
template <class... D>
constexpr neighbor_need model_stage_need() {
    if (((D::need == neighbor_need::ball) || ...)) return neighbor_need::ball;
    if (((D::need == neighbor_need::sorted_nearest) || ...)) return neighbor_need::sorted_nearest;
    return neighbor_need::any;
}

}  // namespace detail

/// A model inside the pipeline: inner descriptors D... fixed at compile time (see the file comment).
template <row_model Model, class... D>
class model_stage {
    static_assert(sizeof...(D) > 0, "tessera::model_stage: give the descriptors that compute the model's features");
    static_assert((particle_descriptor<D> && ...),
                  "tessera::model_stage: every inner descriptor must be per-particle (compute()); whole-list "
                  "descriptors (compute_all()) cannot run inside one particle's row");
    static_assert((requests_neighbors<D> && ...),
                  "tessera::model_stage: every inner descriptor must state its neighbours (request())");

public:
    static constexpr neighbor_need need = detail::model_stage_need<D...>();

    std::string prefix;          ///< prepended to the model's output column names
    bool with_features = false;  ///< also write the inner descriptors' columns (first)

    model_stage(Model model, D... descriptors) : model_(std::move(model)), inner_(std::move(descriptors)...) {
        init();
    }
    /// From a learned_model (load_model / model_from_json), as learned_row_model.
    model_stage(learned_model model, D... descriptors)
        requires std::same_as<Model, learned_row_model>
        : model_(std::move(model)), inner_(std::move(descriptors)...) {
        init();
    }

    const Model& model() const noexcept { return model_; }
    const std::tuple<D...>& descriptors() const noexcept { return inner_; }

    neighbor_request request() const { return union_; }

    std::vector<std::string> columns(const particle_properties& p) const {
        std::vector<std::string> c;
        if (with_features)
            std::apply([&](const D&... d) { (append(c, d.columns(p)), ...); }, inner_);
        for (const auto& o : model_.outputs()) c.push_back(prefix + o);
        return c;
    }

    void prepare(const neighbor_stage_info& stage, const particle_properties& p) const {
        detail::check_stage(stage, union_);
        std::vector<std::vector<std::string>> cols;
        std::apply([&](const D&... d) { ((d.prepare(d.request().stage_info(), p), cols.push_back(d.columns(p))), ...); },
                   inner_);
        layout_ = std::make_shared<const detail::model_stage_layout>(detail::resolve_layout(cols, model_.features()));
    }

    template <class T>
    void compute(const particle_row<T>& row, output_row<T> out) const {
        const detail::model_stage_layout& l = *layout_;
        detail::thread_buffers<detail::model_stage_buffers<T, typename Model::scratch>> b;
        detail::grow_to(b->features, l.offset.back());
        const bool sorted = std::is_sorted(row.distances2.begin(), row.distances2.end());
        std::size_t d = 0;
        std::apply(
            [&](const D&... inner) {
                ((inner.compute(detail::cut_row(row, requests_[d], sorted, *b),
                                output_row<T>{b->features.data() + l.offset[d], 1}),
                  ++d),
                 ...);
            },
            inner_);
        detail::finish_row(model_, l, with_features, *b, out);
    }

private:
    void init() {
        std::size_t d = 0;
        std::apply(
            [&](const D&... inner) {
                ((requests_[d] = inner.request(),
                  detail::check_inner_request(requests_[d], d, inner.columns(particle_properties{})), ++d),
                 ...);
            },
            inner_);
        union_ = detail::union_request(requests_);
    }
    static void append(std::vector<std::string>& a, const std::vector<std::string>& b) {
        a.insert(a.end(), b.begin(), b.end());
    }

    Model model_;
    std::tuple<D...> inner_;
    std::array<neighbor_request, sizeof...(D)> requests_{};
    neighbor_request union_;
    mutable std::shared_ptr<const detail::model_stage_layout> layout_;  ///< set by prepare()
};

template <class... D>
model_stage(learned_model, D...) -> model_stage<learned_row_model, D...>;

/// The same with its inner descriptors chosen at run time (a command line, a Python call): what
/// a planner runs. Rows are T (the planner's); need is `any` (the checks are prepare()'s).
template <class T = double, row_model Model = learned_row_model>
class dynamic_model_stage {
public:
    static constexpr neighbor_need need = neighbor_need::any;

    std::string prefix;          ///< prepended to the model's output column names
    bool with_features = false;  ///< also write the inner descriptors' columns (first)

    dynamic_model_stage(Model model, std::vector<any_descriptor<T>> descriptors)
        : model_(std::move(model)), inner_(std::move(descriptors)) {
        if (inner_.empty())
            throw error("dynamic_model_stage: give the descriptors that compute the model's features");
        for (std::size_t d = 0; d < inner_.size(); ++d) {
            if (!inner_[d].per_particle())
                throw error("dynamic_model_stage: descriptor ", d + 1,
                            " is a whole-list descriptor (compute_all), which cannot run inside one particle's row");
            requests_.push_back(inner_[d].request());
            detail::check_inner_request(requests_.back(), d, inner_[d].columns(particle_properties{}));
        }
        union_ = detail::union_request(requests_);
    }
    dynamic_model_stage(learned_model model, std::vector<any_descriptor<T>> descriptors)
        requires std::same_as<Model, learned_row_model>
        : dynamic_model_stage(learned_row_model(std::move(model)), std::move(descriptors)) {}

    const Model& model() const noexcept { return model_; }
    neighbor_request request() const { return union_; }

    std::vector<std::string> columns(const particle_properties& p) const {
        std::vector<std::string> c;
        if (with_features)
            for (const auto& d : inner_) {
                const auto dc = d.columns(p);
                c.insert(c.end(), dc.begin(), dc.end());
            }
        for (const auto& o : model_.outputs()) c.push_back(prefix + o);
        return c;
    }

    void prepare(const neighbor_stage_info& stage, const particle_properties& p) const {
        detail::check_stage(stage, union_);
        std::vector<std::vector<std::string>> cols;
        for (const auto& d : inner_) {
            d.prepare(p);  // against a stage serving exactly its request
            cols.push_back(d.columns(p));
        }
        layout_ = std::make_shared<const detail::model_stage_layout>(detail::resolve_layout(cols, model_.features()));
    }

    /// U is T (a template only so that the descriptor concepts, which try double rows, hold for
    /// every T).
    template <class U>
    void compute(const particle_row<U>& row, output_row<U> out) const {
        static_assert(std::is_same_v<U, T>, "tessera::dynamic_model_stage<T>: rows must be of T");
        const detail::model_stage_layout& l = *layout_;
        detail::thread_buffers<detail::model_stage_buffers<T, typename Model::scratch>> b;
        detail::grow_to(b->features, l.offset.back());
        const bool sorted = std::is_sorted(row.distances2.begin(), row.distances2.end());
        for (std::size_t d = 0; d < inner_.size(); ++d)
            inner_[d].compute(detail::cut_row(row, requests_[d], sorted, *b),
                              output_row<T>{b->features.data() + l.offset[d], 1});
        detail::finish_row(model_, l, with_features, *b, out);
    }

private:
    Model model_;
    std::vector<any_descriptor<T>> inner_;
    std::vector<neighbor_request> requests_;
    neighbor_request union_;
    mutable std::shared_ptr<const detail::model_stage_layout> layout_;  ///< set by prepare()
};

}  // namespace tessera
