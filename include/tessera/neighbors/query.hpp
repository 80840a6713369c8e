#pragma once
/// @file
/// Neighbour queries (freud's vocabulary): `ball{r}` — every neighbour closer than r, any number
/// of periodic images; `nearest{k}` — the k nearest, sorted by distance, optionally only within
/// `max_radius`. `find_neighbors(particles, box, query, options, policy)` returns a
/// neighbor_list whose rows are the first `options.n_local` particles while all particles
/// (ghosts included) are candidates.
///
/// Conventions, fixed so results are reproducible:
/// - a neighbour is strictly closer than the cutoff, r² < r_c² (as LAMMPS pair and coord/atom);
/// - a particle is never its own neighbour at zero image shift, but its periodic images are;
/// - k-nearest ties are broken by (distance², neighbour index, bond vector x, y, z);
/// - half lists keep bond (i, j) when j > i, or j = i (a self image) when the bond vector is
///   lexicographically positive — each pair once; ghosts (j >= n_local) are always kept;
/// - rows are independent of the thread count and of the order chunks run in.

#include <tessera/core/detail/popcount.hpp>
#include <tessera/core/box.hpp>
#include <tessera/core/detail/simd_mask.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/neighbors/cell_list.hpp>
#include <tessera/neighbors/neighbor_list.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <sstream>
#include <tuple>
#include <type_traits>
#include <vector>

namespace tessera {

/// All neighbours with |r_ij| < radius.
struct ball {
    double radius;
};

/// All neighbours with |r_ij| < radius, each row sorted by distance: serves ball descriptors
/// and k-nearest descriptors at once (the first k of a row are the k nearest when the row holds
/// at least k — LAMMPS's centro/atom and orientorder/atom see the same neighbours within their
/// cutoff). One query instead of two for a CSP + CNA + Steinhardt + coordination pipeline.
struct sorted_ball {
    double radius;
};

/// The k nearest neighbours (sorted by distance), only those with |r_ij| < max_radius.
struct nearest {
    std::size_t k;
    double max_radius = std::numeric_limits<double>::infinity();
};

/// Rows sorted by distance holding every neighbour closer than `radius` and, beyond it, as many
/// as it takes to hold the k nearest closer than `max_radius`: one query whose row prefixes serve
/// ball descriptors (the bonds inside their cutoff) and k-nearest descriptors (the first k) at
/// once — what the run-time planner runs. Each prefix equals, bond for bond, the row of a
/// `sorted_ball{r}` (r <= radius) or of a `nearest{k', max_r}` (k' <= k, max_r <= max_radius).
struct nearest_or_ball {
    std::size_t k;
    double radius;
    double max_radius = std::numeric_limits<double>::infinity();
};

/// The queries that run over a cell list (find_neighbors_into with a cell_list, row builders,
/// streaming pipelines): the one test pipelines and the planner use to tell them apart.
template <class Q>
concept cell_list_query = std::is_same_v<Q, ball> || std::is_same_v<Q, sorted_ball> || std::is_same_v<Q, nearest> ||
                          std::is_same_v<Q, nearest_or_ball>;

struct query_options {
    std::size_t n_local = std::numeric_limits<std::size_t>::max();  ///< rows; default: all particles
    list_kind kind = list_kind::full;
    bool sort_by_distance = false;  ///< ball rows sorted like nearest rows (nearest rows always are)
};

namespace detail {

inline void validate(const ball& q) {
    if (!(q.radius > 0) || !std::isfinite(q.radius)) {
        throw error("ball query: the cutoff must be positive and finite, got ", q.radius);
    }
}
inline void validate(const sorted_ball& q) { validate(ball{q.radius}); }
inline void validate(const nearest_or_ball& q) {
    validate(ball{q.radius});
    if (q.k == 0) throw error("nearest_or_ball query: k must be at least 1");
    if (!(q.max_radius > 0)) {
        throw error("nearest_or_ball query: max_radius must be positive, got ", q.max_radius);
    }
}
inline void validate(const nearest& q) {
    if (q.k == 0) throw error("nearest query: k must be at least 1");
    if (!(q.max_radius > 0)) {
        throw error("nearest query: max_radius must be positive, got ", q.max_radius);
    }
}

template <class T>
struct candidate {
    T r2;
    std::size_t j;
    vec3<T> r;
    friend bool operator<(const candidate& a, const candidate& b) noexcept {
        return std::tie(a.r2, a.j, a.r.x, a.r.y, a.r.z) < std::tie(b.r2, b.j, b.r.x, b.r.y, b.r.z);
    }
};

/// Appends the first `limit` candidates (all by default) to out sorted by (r², j, vector) — what
/// std::sort / std::partial_sort on candidate gives. Rows of up to 64 are ordered by rank (rank_k =
/// #{m : (r²_m, j_m) < (r²_k, j_k)}),
/// counted with SIMD comparisons over all m at once: branch-free, where an insertion sort
/// mispredicts on most steps. Equal (r², j) — two images of one particle at the same distance —
/// leave a rank unused and fall back to std::sort.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12 cannot see r2/j[0, n) written first
#endif
template <class Arch = xsimd::default_arch, class T>
void push_sorted(std::vector<candidate<T>>& c, neighbor_list<T>& out,
                 std::size_t limit = std::numeric_limits<std::size_t>::max()) {
    const std::size_t n = c.size();
    const std::size_t first = std::min(limit, n);
    if constexpr (has_batch<T, Arch> && std::is_same_v<T, double>) {
        using batch = xsimd::batch<T, Arch>;
        constexpr std::size_t W = batch::size;
        if (n <= 64) {
            alignas(64) T r2[64 + W], j[64 + W];  // j as double: exact below 2^53
            for (std::size_t k = 0; k < n; ++k) {
                r2[k] = c[k].r2;
                j[k] = T(c[k].j);
            }
            for (std::size_t k = n; k < n + W; ++k) r2[k] = j[k] = std::numeric_limits<T>::infinity();
            std::uint8_t at[64];
            std::uint64_t used = 0;
            for (std::size_t k = 0; k < n; ++k) {
                const batch rk(r2[k]), jk(j[k]);
                int rank = 0;
                for (std::size_t m = 0; m < n; m += W) {
                    const batch rm = batch::load_aligned(r2 + m), jm = batch::load_aligned(j + m);
                    rank += detail::popcount(bitmask((rm < rk) || ((rm == rk) && (jm < jk))));
                }
                at[rank] = std::uint8_t(k);
                used |= std::uint64_t(1) << rank;
            }
            if (used == (n == 64 ? ~std::uint64_t(0) : (std::uint64_t(1) << n) - 1)) {
                for (std::size_t r = 0; r < first; ++r) out.push_bond(c[at[r]].j, c[at[r]].r, c[at[r]].r2);
                return;
            }
        }
    }
    std::partial_sort(c.begin(), c.begin() + std::ptrdiff_t(first), c.end());
    for (std::size_t r = 0; r < first; ++r) out.push_bond(c[r].j, c[r].r, c[r].r2);
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

template <class T>
bool keep_in_half(std::size_t i, std::size_t j, const vec3<T>& r) noexcept {
    if (j != i) return j > i;
    return std::tie(r.x, r.y, r.z) > std::make_tuple(T(0), T(0), T(0));
}

/// Fills rows [0, n_rows) with row(i, list, scratch), in chunks, concatenated in order.
/// `out` is cleared but keeps its capacity, so a list reused across frames stops allocating.
template <class T, class Policy, class Row>
void build_rows(neighbor_list<T>& out, std::size_t n_rows, list_kind kind, Policy policy, Row&& row,
                double expected_per_row = 0) {
    constexpr std::size_t chunk = 2048;
    out.clear(kind);
    // Reserving from the expected count avoids regrowing (and page-faulting) three arrays:
    // list writing, not the search, dominates a ball query (docs/performance.md).
    // Generous: capacity that is reserved but never written costs no physical memory, while a
    // regrowth copies everything (crystal shells put more neighbours inside r than the mean
    // density predicts).
    const double expected = expected_per_row > 0 && std::isfinite(expected_per_row) ? expected_per_row * 1.5 + 8.0 : 0.0;
    if constexpr (std::is_same_v<Policy, serial_policy>) {
        out.reserve(n_rows, std::size_t(expected * double(n_rows)));
        std::vector<candidate<T>> scratch;
        for (std::size_t i = 0; i < n_rows; ++i) {
            row(i, out, scratch);
            out.end_row();
        }
    } else {
        const std::size_t count = (n_rows + chunk - 1) / chunk;
        std::vector<neighbor_list<T>> parts(count);
        for_each_chunk(policy, n_rows, chunk, [&](std::size_t c, std::size_t b, std::size_t e) {
            std::vector<candidate<T>> scratch;
            parts[c].clear(kind);
            parts[c].reserve(e - b, std::size_t(expected * double(e - b)));
            for (std::size_t i = b; i < e; ++i) {
                row(i, parts[c], scratch);
                parts[c].end_row();
            }
        });
        std::size_t bonds = 0;
        for (const auto& p : parts) bonds += p.num_bonds();
        out.reserve(n_rows, bonds);
        for (const auto& p : parts) out.append_rows(p);
    }
}

template <class S>
std::size_t rows_for(const S& particles, const query_options& opt) {
    const std::size_t n_total = tessera::size(particles);
    if (opt.n_local == std::numeric_limits<std::size_t>::max()) return n_total;
    if (opt.n_local > n_total) {
        throw error("neighbour query: n_local = ", opt.n_local, " exceeds the number of particles ", n_total);
    }
    return opt.n_local;
}

}  // namespace detail

namespace detail {

/// Builds one row of a ball query (the bonds of particle i, appended to out): shared by the
/// stored-list queries below and by pipelines that stream rows straight into descriptors.
template <class T, class Arch>
struct ball_row_builder {
    const cell_list<T, Arch>& cells;
    T radius;
    bool half;
    bool sorted;

    void operator()(std::size_t i, neighbor_list<T>& out, std::vector<candidate<T>>& scratch) const {
        if (!sorted) {
            cells.for_each_within(cells.wrapped_position(i), radius, i, [&](std::size_t j, const vec3<T>& r, T r2) {
                if (!half || keep_in_half(i, j, r)) out.push_bond(j, r, r2);
            });
            return;
        }
        scratch.clear();
        cells.for_each_within(cells.wrapped_position(i), radius, i, [&](std::size_t j, const vec3<T>& r, T r2) {
            if (!half || keep_in_half(i, j, r)) scratch.push_back({r2, j, r});
        });
        push_sorted<Arch>(scratch, out);
    }
};

/// Builds one row of a k-nearest query (adaptive radius; rows sorted by distance).
template <class T, class Arch>
struct nearest_row_builder {
    const cell_list<T, Arch>& cells;
    std::size_t k;
    T max_r, r0;

    void operator()(std::size_t i, neighbor_list<T>& out, std::vector<candidate<T>>& scratch) const {
        const vec3<T> p = cells.wrapped_position(i);
        T r = std::min(r0, max_r);
        for (;;) {
            scratch.clear();
            cells.for_each_within(p, r, i, [&](std::size_t j, const vec3<T>& v, T r2) { scratch.push_back({r2, j, v}); });
            // Every particle closer than r is in scratch, so the k smallest are the k nearest.
            const bool enough = scratch.size() >= k;
            const bool exhausted = r >= max_r || (cells.all_open() && r > cells.open_extent());
            if (enough || exhausted) break;
            r = std::min(r * T(1.5), max_r);
        }
        push_sorted<Arch>(scratch, out, k);
    }
};

/// Builds one row of a nearest_or_ball query: candidates within a radius that starts at the ball
/// radius and grows (as nearest_row_builder's) until it holds k within max_radius; the row is
/// the sorted first max(k, #within radius) of them.
template <class T, class Arch>
struct nearest_or_ball_row_builder {
    const cell_list<T, Arch>& cells;
    std::size_t k;
    T radius, max_r;

    void operator()(std::size_t i, neighbor_list<T>& out, std::vector<candidate<T>>& scratch) const {
        const vec3<T> p = cells.wrapped_position(i);
        const T reach = std::max(radius, max_r);  // no candidate beyond this is ever used
        T r = radius;
        const T ball2 = radius * radius, near2 = max_r * max_r;
        for (;;) {
            scratch.clear();
            std::size_t in_ball = 0, in_near = 0;
            cells.for_each_within(p, r, i, [&](std::size_t j, const vec3<T>& v, T r2) {
                scratch.push_back({r2, j, v});
                in_ball += r2 < ball2;
                in_near += r2 < near2;
            });
            const bool enough = in_near >= k;
            const bool exhausted = r >= reach || r >= max_r || (cells.all_open() && r > cells.open_extent());
            if (enough || exhausted) {
                // Sorted: the first min(k, in_near) are the k nearest within max_r, the first
                // in_ball are all within radius.
                const std::size_t keep = std::max(std::min(k, in_near), in_ball);
                push_sorted<Arch>(scratch, out, keep);
                return;
            }
            r = std::min(r * T(1.5), reach);
        }
    }
};

template <class T, class Arch>
nearest_or_ball_row_builder<T, Arch> row_builder(const cell_list<T, Arch>& cells, const nearest_or_ball& q,
                                                 const query_options& opt) {
    validate(q);
    if (opt.kind == list_kind::half) throw error("nearest_or_ball query: half lists are not defined");
    const T max_r = q.max_radius < std::numeric_limits<double>::max() ? T(q.max_radius) : std::numeric_limits<T>::max();
    return {cells, q.k, T(q.radius), max_r};
}

template <class T, class Arch>
ball_row_builder<T, Arch> row_builder(const cell_list<T, Arch>& cells, const ball& q, const query_options& opt) {
    validate(q);
    return {cells, T(q.radius), opt.kind == list_kind::half, opt.sort_by_distance};
}
template <class T, class Arch>
ball_row_builder<T, Arch> row_builder(const cell_list<T, Arch>& cells, const sorted_ball& q, const query_options& opt) {
    validate(q);
    return {cells, T(q.radius), opt.kind == list_kind::half, true};
}
template <class T, class Arch>
nearest_row_builder<T, Arch> row_builder(const cell_list<T, Arch>& cells, const nearest& q, const query_options& opt) {
    validate(q);
    if (opt.kind == list_kind::half) throw error("nearest query: half lists are not defined for k-nearest neighbours");
    const T max_r = q.max_radius < std::numeric_limits<double>::max() ? T(q.max_radius) : std::numeric_limits<T>::max();
    // Radius expected to hold k+1 particles at the mean density, with margin.
    const T rho = cells.density();
    T r0 = rho > 0 ? T(1.25) * std::cbrt(T(3) * T(q.k + 1) / (T(4) * std::numbers::pi_v<T> * rho)) : T(1);
    if (!(r0 > 0) || !std::isfinite(r0)) r0 = T(1);
    return {cells, q.k, max_r, r0};
}

}  // namespace detail

/// Ball query over a prebuilt cell list into `out` (cleared; its capacity is reused).
template <class T, class Arch, class Policy = serial_policy>
void find_neighbors_into(const cell_list<T, Arch>& cells, std::size_t n_rows, const ball& q, neighbor_list<T>& out,
                         const query_options& opt = {}, Policy policy = {}) {
    const auto row = detail::row_builder(cells, q, opt);
    const double per_row = double(cells.density()) * 4.0 / 3.0 * std::numbers::pi * q.radius * q.radius * q.radius *
                           (opt.kind == list_kind::half ? 0.5 : 1.0);
    detail::build_rows<T>(out, n_rows, opt.kind, policy, row, per_row);
}

/// Ball query with every row sorted by (distance², index, vector).
template <class T, class Arch, class Policy = serial_policy>
void find_neighbors_into(const cell_list<T, Arch>& cells, std::size_t n_rows, const sorted_ball& q,
                         neighbor_list<T>& out, query_options opt = {}, Policy policy = {}) {
    opt.sort_by_distance = true;
    find_neighbors_into(cells, n_rows, ball{q.radius}, out, opt, policy);
}

/// k-nearest query over a prebuilt cell list. Rows are sorted by distance; a row holds fewer
/// than k bonds only when fewer than k particles (images included) lie within max_radius.
template <class T, class Arch, class Policy = serial_policy>
void find_neighbors_into(const cell_list<T, Arch>& cells, std::size_t n_rows, const nearest& q, neighbor_list<T>& out,
                         const query_options& opt = {}, Policy policy = {}) {
    const auto row = detail::row_builder(cells, q, opt);
    detail::build_rows<T>(out, n_rows, opt.kind, policy, row, double(q.k));
}
/// nearest_or_ball query over a prebuilt cell list (rows sorted by distance).
template <class T, class Arch, class Policy = serial_policy>
void find_neighbors_into(const cell_list<T, Arch>& cells, std::size_t n_rows, const nearest_or_ball& q,
                         neighbor_list<T>& out, const query_options& opt = {}, Policy policy = {}) {
    const auto row = detail::row_builder(cells, q, opt);
    const double per_ball = double(cells.density()) * 4.0 / 3.0 * std::numbers::pi * q.radius * q.radius * q.radius;
    detail::build_rows<T>(out, n_rows, opt.kind, policy, row, std::max(per_ball, double(q.k)));
}
/// Any query over a prebuilt cell list, returning a new list (reuse the cell list for several
/// queries on the same frame; find_neighbors_into reuses the list's storage too).
template <class T, class Arch, class Query, class Policy = serial_policy>
    requires cell_list_query<Query>
neighbor_list<T> find_neighbors(const cell_list<T, Arch>& cells, std::size_t n_rows, const Query& q,
                                const query_options& opt = {}, Policy policy = {}) {
    neighbor_list<T> out;
    find_neighbors_into(cells, n_rows, q, out, opt, policy);
    return out;
}

namespace detail {
/// Bins `cells` for query q: ball-type queries at the cutoff (narrower bins search less volume
/// but make the runs the SIMD filter sweeps too short: bench/neighbors.cpp measured rc 13–33 %
/// faster than rc/2); k-nearest at about k/4 particles per bin (the k-th neighbour ~2 bins away).
template <class U, class Arch, class S, box B, class Query>
void bin_for_query(cell_list<U, Arch>& cells, const S& particles, const B& box, const Query& q) {
    if constexpr (std::is_same_v<Query, ball> || std::is_same_v<Query, sorted_ball> ||
                  std::is_same_v<Query, nearest_or_ball>) {
        cells.build(particles, box, U(q.radius));
    } else {
        static_assert(std::is_same_v<Query, nearest>,
                      "tessera: a query is tessera::ball, tessera::sorted_ball, tessera::nearest or "
                      "tessera::nearest_or_ball");
        cells.build(particles, box, -U(std::max<std::size_t>(q.k, 4)) / U(4));  // negative: particles per bin
    }
}
}  // namespace detail

/// Builds a cell list sized for the query and runs it: the one-call form.
template <class T = void, class S, box B, class Query, class Policy = serial_policy>
auto find_neighbors(const S& particles, const B& box, const Query& q, const query_options& opt = {}, Policy policy = {}) {
    check_particle_storage<S>();  // a readable diagnostic instead of a failed-constraint list
    using U = std::conditional_t<std::is_void_v<T>, particle_value_t<S>, T>;
    const std::size_t rows = detail::rows_for(particles, opt);
    detail::validate(q);
    cell_list<U> cells;
    detail::bin_for_query(cells, particles, box, q);
    return find_neighbors(cells, rows, q, opt, policy);
}

/// The same into caller-owned storage: `cells` and `out` keep their capacity across calls, so a
/// loop over frames allocates nothing once the first frame has sized them (no page faults on a
/// fresh multi-megabyte list every frame — docs/performance.md).
template <class U, class Arch, class S, box B, class Query, class Policy = serial_policy>
void find_neighbors_into(const S& particles, const B& box, const Query& q, cell_list<U, Arch>& cells,
                         neighbor_list<U>& out, const query_options& opt = {}, Policy policy = {}) {
    check_particle_storage<S>();
    const std::size_t rows = detail::rows_for(particles, opt);
    detail::validate(q);
    detail::bin_for_query(cells, particles, box, q);
    find_neighbors_into(cells, rows, q, out, opt, policy);
}

}  // namespace tessera
