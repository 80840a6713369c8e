#pragma once
/// @file
/// Runs any set of two-frame descriptors (descriptors/frame_pair.hpp) on a reference and a
/// current frame: one ball query per frame at the largest radius asked of it, particles matched
/// by id, every bond followed to the other frame once, and one pass over the current frame's
/// particles that hands each descriptor its frame_pair_row.
///
///     const frame_view reference(x0, box0, {types0, ids0}), current(x1, box1, {types1, ids1});
///     std::vector<double> out = compute_frame_pairs(reference, current, openmp_policy{},
///                                                   d2min_descriptor{{.cutoff = 3.6}},
///                                                   lens_descriptor{3.6});   // 5 + 1 columns
///
/// Output: the descriptors' columns in the order given, column-major, one row per particle of
/// the current frame (output_columns). With one descriptor the result equals its stand-alone
/// function: d2min() and bond_changes() bit for bit in builds without floating-point
/// contraction (the same neighbour query, bond following and per-particle arithmetic; with FMA
/// the inlined copies may fuse differently, to rounding), lens() exactly (integer set counts,
/// although lens() finds its pairs its own way) — tests/pipeline/frame_pairs.cpp. With several,
/// a descriptor whose radius is below the shared one reads the shared rows filtered to its
/// radius, so its sums run over the same bonds in another order (last-bit differences).
///
/// Requirements, checked before any neighbour query: ids in both frames (for n > 0), the same set
/// of ids (each once), the same periodicity, finite positions; where both frames have types,
/// each id keeps its type; a frame without types reads the other's by id. Results do not depend
/// on the thread count (per-particle work only).

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/properties.hpp>
#include <tessera/descriptors/frame_pair.hpp>
#include <tessera/dynamics/trajectory.hpp>
#include <tessera/neighbors/query.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

namespace tessera {

/// One frame as the frame-pair runner reads it: positions and box (referenced, not copied) and
/// the particles' properties (ids required). `name` says which frame in error messages.
template <particle_storage S, box B>
class frame_view {
public:
    frame_view(const S& positions, const B& bx, particle_properties properties, std::string name = "frame")
        : positions_(&positions), box_(&bx), properties_(properties), name_(std::move(name)) {}
    // Positions and box are referenced: a temporary would dangle.
    frame_view(const S&&, const B&, particle_properties, std::string = "frame") = delete;
    frame_view(const S&, const B&&, particle_properties, std::string = "frame") = delete;
    frame_view(const S&&, const B&&, particle_properties, std::string = "frame") = delete;
    const S& positions() const noexcept { return *positions_; }
    const B& box() const noexcept { return *box_; }
    const particle_properties& properties() const noexcept { return properties_; }
    const std::string& name() const noexcept { return name_; }

private:
    const S* positions_;
    const B* box_;
    particle_properties properties_;
    std::string name_;
};

namespace detail {

// The frames' particles matched by id, with one typing: a frame without types reads the
// other frame's by id (num_types set), so prepare(), columns() and compute() all see the same.
struct frame_pair_matching {
    particle_properties reference, current;       // resolved; types possibly filled in
    std::vector<std::size_t> ref_of_cur, cur_of_ref;
    std::vector<int> mapped_types;                 // storage of filled-in types

    template <particle_storage S0, box B0, particle_storage S1, box B1>
    frame_pair_matching(const frame_view<S0, B0>& f0, const frame_view<S1, B1>& f1, const std::string& what) {
        const std::size_t n0 = tessera::size(f0.positions()), n = tessera::size(f1.positions());
        reference = resolve(f0, n0);
        current = resolve(f1, n);
        ref_of_cur.resize(n);
        cur_of_ref.resize(n0);
        if (n == n0 && std::equal(reference.ids.begin(), reference.ids.end(), current.ids.begin())) {
            const id_index unique_ids(current.ids, f1.name());
            for (std::size_t c = 0; c < n; ++c) ref_of_cur[c] = cur_of_ref[c] = c;
        } else {
            const id_index ia(reference.ids, f0.name()), ib(current.ids, f1.name());
            ref_of_cur = match_ids(ia, ib, id_mismatch::error, what, "reference", "current");
            cur_of_ref = match_ids(ib, ia, id_mismatch::error, what, "current", "reference");
        }
        if (!reference.types.empty() && !current.types.empty()) {
            for (std::size_t c = 0; c < n; ++c)
                if (reference.types[ref_of_cur[c]] != current.types[c])
                    throw error(what, ": atom id ", current.ids[c], " has type ", reference.types[ref_of_cur[c]],
                                " in the reference frame and ", current.types[c], " in the current one");
            reference.num_types = current.num_types = std::max(reference.num_types, current.num_types);
        } else if (current.types.empty() && !reference.types.empty()) {
            mapped_types.resize(n);
            for (std::size_t c = 0; c < n; ++c) mapped_types[c] = reference.types[ref_of_cur[c]];
            current.types = mapped_types;
            current.num_types = reference.num_types;
        } else if (reference.types.empty() && !current.types.empty()) {
            mapped_types.resize(n0);
            for (std::size_t i = 0; i < n0; ++i) mapped_types[i] = current.types[cur_of_ref[i]];
            reference.types = mapped_types;
            reference.num_types = current.num_types;
        }
    }
    frame_pair_matching(const frame_pair_matching&) = delete;  // spans point into mapped_types
    frame_pair_matching& operator=(const frame_pair_matching&) = delete;

private:
    template <particle_storage S, box B>
    static particle_properties resolve(const frame_view<S, B>& f, std::size_t n) {
        particle_properties p;
        try {
            p = f.properties().resolved(n);
        } catch (const error& e) {
            throw error(f.name(), ": ", e.what());
        }
        if (p.ids.empty() && n > 0) throw error(f.name(), ": two-frame descriptors match particles by id; no ids given");
        return p;
    }
};

// One frame's side of the run: fractional positions, cell and (if read) the neighbour list.
template <class T>
struct frame_pair_side {
    std::vector<vec3<T>> fractional;  // by this frame's row
    neighbor_list<T> list;            // empty when nobody reads this frame's bonds
    mat3<T> h, h_inv;
};

template <class T, particle_storage S, box B, class Policy>
frame_pair_side<T> frame_pair_prepare_side(const frame_view<S, B>& f, std::span<const std::int64_t> ids, double radius,
                                           Policy policy) {
    frame_pair_side<T> side;
    const std::size_t n = tessera::size(f.positions());
    side.h = mat3<T>(f.box().cell());
    side.h_inv = inverse(side.h);
    side.fractional.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const vec3<T> r(position(f.positions(), i));
        if (!is_finite(r)) throw error(f.name(), ": non-finite position of atom id ", ids[i]);
        side.fractional[i] = vec3<T>(f.box().to_fractional(vec3<typename B::value_type>(r)));
    }
    if (radius > 0) side.list = find_neighbors<T>(f.positions(), f.box(), ball{radius}, query_options{}, policy);
    return side;
}

// One side of a row narrowed to a descriptor's radius: radius 0 reads nothing of that frame,
// a radius below the shared one keeps the bonds strictly inside it (order kept) in these
// buffers, the shared radius keeps the row as it is.
template <class T>
struct frame_pair_filtered {
    std::vector<neighbor_index> neighbors;
    std::vector<vec3<T>> vectors, followed;
    std::vector<T> distances2;

    void narrow(particle_row<T>& row, std::span<const vec3<T>>& follow, T radius, T shared) {
        if (radius == 0) {
            row.neighbors = {};
            row.vectors = {};
            row.distances2 = {};
            follow = {};
            return;
        }
        if (!(radius < shared)) return;
        neighbors.clear();
        vectors.clear();
        followed.clear();
        distances2.clear();
        const T r2 = radius * radius;
        for (std::size_t k = 0; k < row.size(); ++k)
            if (row.distances2[k] < r2) {
                neighbors.push_back(row.neighbors[k]);
                vectors.push_back(row.vectors[k]);
                followed.push_back(follow[k]);
                distances2.push_back(row.distances2[k]);
            }
        row.neighbors = neighbors;
        row.vectors = vectors;
        row.distances2 = distances2;
        follow = followed;
    }
};

// Row `i` of `side`'s list into `row`, and each of its bonds followed into the other frame
// (fractional positions `s_other` by this side's rows, cell `h_other`), written to `followed`.
template <class T>
std::span<const vec3<T>> follow_row(const frame_pair_side<T>& side, std::size_t i, const std::vector<vec3<T>>& s_other,
                                    const mat3<T>& h_other, const periodicity& per, particle_row<T>& row,
                                    std::vector<vec3<T>>& followed) {
    row.neighbors = side.list.neighbors(i);
    row.vectors = side.list.vectors(i);
    row.distances2 = side.list.distances2(i);
    followed.resize(row.size());
    for (std::size_t k = 0; k < followed.size(); ++k) {
        const vec3<T> f =
            follow_fractional_bond(side.h_inv * row.vectors[k], s_other[row.neighbors[k]] - s_other[i], per);
        followed[k] = h_other * f;
    }
    return followed;
}

// The runner behind compute_frame_pairs (its descriptors checked there, with a readable
// message). `make_out(n, count)` returns where the columns go, or throws.
template <class T, particle_storage S0, box B0, particle_storage S1, box B1, class Policy, class MakeOut,
          frame_pair_descriptor... D>
void run_frame_pairs(const frame_view<S0, B0>& reference, const frame_view<S1, B1>& current, MakeOut&& make_out,
                     Policy policy, const D&... descriptors) {
    const std::size_t n0 = tessera::size(reference.positions()), n = tessera::size(current.positions());
    const std::string what = reference.name() + " → " + current.name();
    for (std::size_t d = 0; d < 3; ++d)
        if (bool(reference.box().periodic(d)) != bool(current.box().periodic(d)))
            throw error(what, ": periodicity along axis ", d, " differs between the frames");

    // What each frame must provide; particles matched by id with one typing; the descriptors'
    // own checks; where the columns go. All before any neighbour query.
    const std::array<frame_pair_request, sizeof...(D)> requests{descriptors.request()...};
    double r0 = 0, r1 = 0;
    for (const frame_pair_request& q : requests) {
        for (double r : {q.reference_radius, q.current_radius})
            if (!(r >= 0) || !std::isfinite(r))
                throw error(what, ": a two-frame descriptor asks for a neighbour radius of ", r);
        r0 = std::max(r0, q.reference_radius);
        r1 = std::max(r1, q.current_radius);
    }
    const frame_pair_matching match(reference, current, what);
    const particle_properties& props0 = match.reference;
    const particle_properties& props1 = match.current;
    const std::vector<std::size_t>& ref_of_cur = match.ref_of_cur;
    const std::vector<std::size_t>& cur_of_ref = match.cur_of_ref;
    (descriptors.prepare(props0, props1), ...);
    std::array<std::size_t, sizeof...(D) + 1> first_column{};
    {
        std::size_t k = 0;
        ((first_column[k + 1] = first_column[k] + descriptors.columns(props1).size(), ++k), ...);
    }
    const output_columns<T> out = make_out(n, first_column.back());
    if (out.n != n || out.count < first_column.back())
        throw error(what, ": output has ", out.count, " columns of ", out.n, " rows; the descriptors write ",
                    first_column.back(), " columns of ", n, " rows");
    const frame_pair_side<T> a = frame_pair_prepare_side<T>(reference, props0.ids, r0, policy);
    const frame_pair_side<T> b = frame_pair_prepare_side<T>(current, props1.ids, r1, policy);
    // Each frame's fractional positions by the other frame's rows, for following bonds across.
    std::vector<vec3<T>> s1_by_ref(n0), s0_by_cur(n);
    for (std::size_t i = 0; i < n0; ++i) s1_by_ref[i] = b.fractional[cur_of_ref[i]];
    for (std::size_t c = 0; c < n; ++c) s0_by_cur[c] = a.fractional[ref_of_cur[c]];
    periodicity per{};
    for (std::size_t d = 0; d < 3; ++d) per[d] = reference.box().periodic(d);

    detail::for_each_chunk(policy, n, 1024, [&](std::size_t, std::size_t begin, std::size_t end) {
        std::vector<vec3<T>> now, then;  // per chunk: no allocation per particle once grown
        std::array<detail::frame_pair_filtered<T>, 2> filtered;
        std::tuple<typename detail::scratch_of<D>::type...> scratch;
        for (std::size_t c = begin; c < end; ++c) {
            const std::size_t i = ref_of_cur[c];
            frame_pair_row<T> row{c, i, {i, {}, {}, {}, &props0}, {}, {c, {}, {}, {}, &props1}, {}};
            if (r0 > 0) row.reference_bonds_now = detail::follow_row(a, i, s1_by_ref, b.h, per, row.reference, now);
            if (r1 > 0) row.current_bonds_then = detail::follow_row(b, c, s0_by_cur, a.h, per, row.current, then);
            std::size_t k = 0;
            auto run = [&](const auto& d, auto& s) {
                const frame_pair_request q = requests[k];
                frame_pair_row<T> own = row;
                filtered[0].narrow(own.reference, own.reference_bonds_now, T(q.reference_radius), T(r0));
                filtered[1].narrow(own.current, own.current_bonds_then, T(q.current_radius), T(r1));
                const output_row<T> o{out.base + first_column[k] * n + c, n};
                using Desc = std::remove_cvref_t<decltype(d)>;
                if constexpr (detail::computes_row_with_scratch<Desc, frame_pair_row<double>>) d.compute(own, o, s);
                else d.compute(own, o);
                ++k;
            };
            std::apply([&](auto&... s) { (run(descriptors, s), ...); }, scratch);
        }
    });
}

// The readable diagnostic for a wrong argument (true when the call may go ahead).
template <class... D>
constexpr bool frame_pair_descriptors_ok() {
    static_assert(sizeof...(D) > 0, "compute_frame_pairs: give at least one two-frame descriptor");
    static_assert((frame_pair_descriptor<D> && ...),
                  "compute_frame_pairs: every argument after the policy must be a two-frame descriptor: request() -> "
                  "frame_pair_request, columns(properties), prepare(reference, current), compute(frame_pair_row, "
                  "output_row[, scratch]) (descriptors/frame_pair.hpp)");
    return sizeof...(D) > 0 && (frame_pair_descriptor<D> && ...);
}

}  // namespace detail

/// Runs `descriptors` on (reference, current) into `out` (file comment): out.n must be the
/// current frame's particle count, out.count at least the sum of the descriptors' columns.
template <class T = double, particle_storage S0, box B0, particle_storage S1, box B1, class Policy, class... D>
void compute_frame_pairs(const frame_view<S0, B0>& reference, const frame_view<S1, B1>& current,
                         output_columns<T> out, Policy policy, const D&... descriptors) {
    if constexpr (detail::frame_pair_descriptors_ok<D...>())
        detail::run_frame_pairs<T>(reference, current, [&](std::size_t, std::size_t) { return out; }, policy,
                                   descriptors...);
}

/// Convenience: all columns, column-major (current frame's particles × the descriptors' columns).
template <class T = double, particle_storage S0, box B0, particle_storage S1, box B1, class Policy, class... D>
    requires(!std::is_same_v<Policy, output_columns<T>>)
std::vector<T> compute_frame_pairs(const frame_view<S0, B0>& reference, const frame_view<S1, B1>& current,
                                   Policy policy, const D&... descriptors) {
    std::vector<T> v;
    if constexpr (detail::frame_pair_descriptors_ok<D...>())
        detail::run_frame_pairs<T>(
            reference, current,
            [&](std::size_t n, std::size_t count) {
                v.resize(n * count);
                return output_columns<T>{v.data(), n, count};
            },
            policy, descriptors...);
    return v;
}

}  // namespace tessera
