#pragma once
/// @file
/// LENS — Local Environments and Neighbors Shuffling (Crippa, Cardellini, Caruso, Pavan,
/// PNAS 120, e2300565120 (2023); Perrone, Cioni, Delle Piane & Pavan, J. Chem. Phys. 162(21)
/// (2025), doi:10.1063/5.0265378, Eq. 2). For particle i and frames t, t + Δt:
/// \f[ \delta_i^{t+\Delta t} = \frac{\left| C_i^{t} \,\triangle\, C_i^{t+\Delta t} \right|}
///                                 {\left| C_i^{t} \right| + \left| C_i^{t+\Delta t} \right|}, \f]
/// where C_i^t is the set of *ids* of the particles within r_cut of i at time t (i excluded),
/// and δ = 0 when both sets are empty. δ ranges from 0 (same neighbours) to 1 (all replaced).
///
/// Conventions: neighbours are strictly closer than r_cut (query.hpp); C_i is a set of ids, so
/// a particle seen through two periodic images (cutoff > half a box length) counts once, and
/// i's own images are not neighbours (i is excluded by identity). Particles are matched across
/// frames by id, so the two frames may list them in any order; the value for the pair
/// (t, t + Δt) belongs to the later frame. Orthogonal and triclinic boxes alike (dynsight's
/// reference implementation handles orthogonal boxes only).
///
/// Cost: one pass per frame that finds each pair within the cutoff once (its sets serve both
/// frame pairs the frame takes part in; detail/lens_pairs.hpp), and, per particle, one pass over
/// its two pair lists — never a quadratic set comparison, and no sorting: each pair is stored
/// once as a 4-byte id rank and the lists are compared by marking.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/descriptors/frame_pair.hpp>
#include <tessera/dynamics/detail/lens_pairs.hpp>
#include <tessera/dynamics/trajectory.hpp>
#include <tessera/neighbors/cell_list.hpp>
#include <tessera/neighbors/neighbor_list.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace tessera {

template <class T, class Arch>
class neighbor_id_set_builder;

/// The neighbour sets C_i of one frame, stored as its set of *pairs* {i, j} (|r_ij| < r_cut, i ≠ j,
/// each pair once whatever the number of periodic images), plus the frame's id index.
///
/// Layout: particles are numbered by id rank (position in increasing id order, id_index::order);
/// each pair is listed once, under the partner of lower rank, as the higher rank; the lists are
/// stored in a spatial order of the particles (storage position s, `order()`), so that particles
/// close in space are close in memory. Ranks, not rows, make two frames' lists directly
/// comparable (same id set ⇒ same ranks), and listing each pair once halves both the memory and
/// the work of lens(): 4 bytes per pair (2 per neighbour) plus 36 bytes per particle.
class neighbor_id_sets {
public:
    /// Number of particles.
    std::size_t size() const noexcept { return rank_.size(); }
    const id_index& index() const noexcept { return index_; }
    /// Number of pairs (half the total of |C_i|).
    std::size_t pairs() const noexcept { return partners_.size(); }
    /// Rows in storage order.
    std::vector<std::size_t> order() const {
        std::vector<std::size_t> rows(size());
        for (std::size_t s = 0; s < rows.size(); ++s) rows[s] = index_.order()[rank_[s]];
        return rows;
    }
    /// |C_i| of row i.
    std::size_t degree(std::size_t row) const noexcept {
        // rank of `row`: its position in id order (binary search over the sorted ids)
        const auto ord = index_.order();
        const std::int64_t id = index_.id(row);
        std::size_t lo = 0, hi = ord.size();
        while (hi - lo > 1) {
            const std::size_t mid = (lo + hi) / 2;
            (index_.id(ord[mid]) <= id ? lo : hi) = mid;
        }
        return degree_[slot_of_rank_[lo]];
    }
    /// Calls f(row_a, row_b) once for every pair {a, b} (in storage order).
    template <class F>
    void for_each_pair(F&& f) const {
        const auto ord = index_.order();
        for (std::size_t s = 0; s < size(); ++s) {
            const std::size_t a = ord[rank_[s]];
            for (std::size_t k = offsets_[s]; k < offsets_[s + 1]; ++k) f(a, std::size_t(ord[partners_[k]]));
        }
    }
    /// Storage-level access (what lens() walks): at storage position s, the particle's rank, its
    /// |C_i|, and the ranks of its partners of higher rank; and the position of a rank.
    std::uint32_t rank_at(std::size_t s) const noexcept { return rank_[s]; }
    std::uint32_t degree_at(std::size_t s) const noexcept { return degree_[s]; }
    std::span<const std::uint32_t> partners_at(std::size_t s) const noexcept {
        return {partners_.data() + offsets_[s], offsets_[s + 1] - offsets_[s]};
    }
    std::uint32_t position_of_rank(std::size_t rank) const noexcept { return slot_of_rank_[rank]; }
    /// Bytes held (capacity of the arrays).
    std::size_t bytes() const noexcept {
        return offsets_.capacity() * sizeof(std::size_t) + partners_.capacity() * sizeof(std::uint32_t) +
               (rank_.capacity() + slot_of_rank_.capacity() + degree_.capacity()) * sizeof(std::uint32_t) +
               index_.size() * (sizeof(std::int64_t) + sizeof(std::size_t));
    }

    /// Sets of the particles within `cutoff` (ids[i] is the id of row i). In a loop over frames,
    /// neighbor_id_set_builder::build into recycled sets avoids all allocation after the first.
    template <particle_storage S, box B, class Policy = serial_policy>
    static neighbor_id_sets build(const S& positions, const B& bx, std::span<const std::int64_t> ids, double cutoff,
                                  Policy policy = {}, const std::string& what = "frame") {
        neighbor_id_sets s;
        neighbor_id_set_builder<particle_value_t<S>, xsimd::default_arch> builder;
        builder.build(positions, bx, ids, cutoff, s, policy, what);
        return s;
    }

private:
    template <class T, class Arch>
    friend class neighbor_id_set_builder;
    std::vector<std::size_t> offsets_;      // storage position s lists partners_[offsets_[s], offsets_[s + 1])
    std::vector<std::uint32_t> partners_;   // ranks (> the owner's rank)
    std::vector<std::uint32_t> rank_;       // storage position -> rank
    std::vector<std::uint32_t> slot_of_rank_;
    std::vector<std::uint32_t> degree_;     // storage position -> |C_i|
    id_index index_;
};

/// Builds neighbor_id_sets, keeping its scratch (binned positions, half lists) between calls:
/// a trajectory loop that reuses one builder and recycles its sets objects allocates nothing
/// once the first frames have sized the buffers. Results do not depend on the policy's threads.
///
/// Fast path (every periodic axis at least 3 r_cut wide, detail/lens_pairs.hpp): each pair is
/// found once from a half shell of bins of width >= r_cut (SIMD distance test, hits extracted as
/// indices), then moved under its lower-rank partner (two passes: pairs + counts, then a
/// scatter into the final arrays). Otherwise (a cutoff beyond a third of a periodic width, where a
/// neighbour can be seen through several images) one cell-list query per particle, de-duplicating
/// images with a stamp array. `set_half_shell(false)` forces the latter (for tests).
template <class T = double, class Arch = xsimd::default_arch>
class neighbor_id_set_builder {
public:
    void set_half_shell(bool on) noexcept { half_shell_ = on; }

    template <particle_storage S, box B, class Policy = serial_policy>
    void build(const S& positions, const B& bx, std::span<const std::int64_t> ids, double cutoff, neighbor_id_sets& s,
               Policy policy = {}, const std::string& what = "frame") {
        static_assert(std::is_same_v<particle_value_t<S>, T>, "neighbor_id_set_builder<T>: positions of another type");
        const std::size_t n = tessera::size(positions);
        if (ids.size() != n) {
            throw error(what, ": ", ids.size(), " ids for ", n, " particles");
        }
        if (n >= std::size_t(std::numeric_limits<std::uint32_t>::max())) throw error(what + ": too many particles for LENS");
        s.index_ = id_index(ids, what);
        if (!(cutoff > 0) || !std::isfinite(cutoff)) {
            throw error(what, ": the LENS cutoff must be positive and finite, got ", cutoff);
        }
        rank_of_row_.resize(n);
        const auto ord = s.index_.order();
        for (std::size_t k = 0; k < n; ++k) rank_of_row_[ord[k]] = std::uint32_t(k);
        constexpr std::size_t W = detail::lens_batch_width<Arch, T>();
        if (half_shell_ && detail::lens_bin(w_, positions, bx, T(cutoff), W)) build_half_shell(n, T(cutoff), s, policy);
        else build_general(positions, bx, n, T(cutoff), s, policy);
        s.slot_of_rank_.resize(n);
        for (std::size_t k = 0; k < n; ++k) s.slot_of_rank_[s.rank_[k]] = std::uint32_t(k);
    }

private:
    template <class Policy>
    void build_half_shell(std::size_t n, T rc, neighbor_id_sets& s, Policy policy) {
        auto& w = w_;
        const std::size_t nb = w.bin_start.size() - 1;
        s.rank_.resize(n);
        for (std::size_t k = 0; k < n; ++k) s.rank_[k] = rank_of_row_[w.index[k]];
        const std::uint32_t* rank = s.rank_.data();
        const std::size_t chunk = detail::few_chunks(policy, nb);
        const std::size_t chunks = (nb + chunk - 1) / chunk;
        if (w.half.size() < chunks) w.half.resize(chunks);
        w.half_used.assign(chunks, 0);
        w.half_count.resize(n);
        w.degree.assign(n, 0);
        w.owned.assign(n, 0);
        detail::for_each_chunk(policy, nb, chunk, [&](std::size_t c, std::size_t b0, std::size_t b1) {
            detail::lens_half_pass<Arch>(w, rc, b0, b1, w.half[c], w.half_used[c], chunks == 1 ? rank : nullptr);
        });
        if (chunks > 1)
            for (std::size_t c = 0; c < chunks; ++c) {
                const std::size_t s0 = w.bin_start[c * chunk], s1 = w.bin_start[std::min(nb, c * chunk + chunk)];
                const std::uint32_t* p = w.half[c].data();
                for (std::size_t i = s0; i < s1; ++i) detail::lens_count(w, rank, i, p, p + w.half_count[i]), p += w.half_count[i];
            }
        // final arrays in storage order: offsets, then every pair under its lower-rank partner
        s.degree_.assign(w.degree.begin(), w.degree.end());
        s.offsets_.resize(n + 1);
        s.offsets_[0] = 0;
        for (std::size_t i = 0; i < n; ++i) s.offsets_[i + 1] = s.offsets_[i] + w.owned[i];
        s.partners_.resize(s.offsets_[n]);
        cursor_.assign(s.offsets_.begin(), s.offsets_.end() - 1);
        std::uint32_t* out = s.partners_.data();
        std::size_t* cur = cursor_.data();
        for (std::size_t c = 0; c < chunks; ++c) {
            const std::size_t s0 = w.bin_start[c * chunk], s1 = w.bin_start[std::min(nb, c * chunk + chunk)];
            const std::uint32_t* p = w.half[c].data();
            for (std::size_t i = s0; i < s1; ++i) {
                const std::uint32_t ri = rank[i];
                for (const std::uint32_t* e = p + w.half_count[i]; p != e; ++p) {
                    const std::uint32_t j = *p, rj = rank[j];
                    const bool mine = ri < rj;
                    const std::size_t owner = mine ? i : j;
                    out[cur[owner]++] = mine ? rj : ri;
                }
            }
        }
    }

    // One cell-list query per particle; a neighbour reached through several periodic images is
    // kept once (a per-chunk stamp array marks what the row already has).
    template <particle_storage S, box B, class Policy>
    void build_general(const S& positions, const B& bx, std::size_t n, T rc, neighbor_id_sets& s, Policy policy) {
        const cell_list<T, Arch> cells(positions, bx, rc);
        // Few chunks: each carries a stamp array over all n particles.
        const std::size_t chunk = detail::few_chunks(policy, n);
        const std::size_t chunks = n ? (n + chunk - 1) / chunk : 0;
        std::vector<std::vector<std::uint32_t>> parts(chunks);
        s.degree_.assign(n, 0);
        std::vector<std::uint32_t> owned(n, 0);
        detail::for_each_chunk(policy, n, chunk, [&](std::size_t c, std::size_t b, std::size_t e) {
            auto& out = parts[c];
            std::vector<std::uint32_t> stamp(n, 0);  // stamp[j] == i + 1: j already in row i
            for (std::size_t i = b; i < e; ++i) {
                const auto mark = std::uint32_t(i + 1);
                const std::uint32_t ri = rank_of_row_[i];
                std::uint32_t deg = 0, own = 0;
                cells.for_each_within(cells.wrapped_position(i), rc, i, [&](std::size_t j, const vec3<T>&, T) {
                    // own periodic images are not neighbours; other images of j count once
                    if (j != i && stamp[j] != mark) {
                        stamp[j] = mark;
                        ++deg;
                        if (rank_of_row_[j] > ri) {
                            out.push_back(rank_of_row_[j]);
                            ++own;
                        }
                    }
                });
                s.degree_[i] = deg;
                owned[i] = own;
            }
        });
        // storage order = row order
        s.offsets_.resize(n + 1);
        s.offsets_[0] = 0;
        for (std::size_t i = 0; i < n; ++i) s.offsets_[i + 1] = s.offsets_[i] + owned[i];
        s.partners_.clear();
        s.partners_.reserve(s.offsets_[n]);
        for (const auto& part : parts) s.partners_.insert(s.partners_.end(), part.begin(), part.end());
        s.rank_.assign(rank_of_row_.begin(), rank_of_row_.end());
    }

    bool half_shell_ = true;
    detail::lens_pair_scratch<T> w_;
    std::vector<std::size_t> cursor_;
    std::vector<std::uint32_t> rank_of_row_;
};

/// LENS of every particle of the later frame (rows in `after`'s order). Under
/// id_mismatch::intersect, particles absent from `before` get NaN (LENS is undefined for them),
/// and a neighbour absent from the other frame simply differs.
///
/// |A △ B| = |A| + |B| − 2|A ∩ B|. Each pair common to both frames adds 1 to |A ∩ B| of both its
/// particles; the common pairs of particle u are found by marking its pair list in the earlier
/// frame (ranks mapped to the later frame's) and looking its later list up: linear in the list
/// sizes, no sorting, each pair handled once per frame. Integer counts: the values do not depend
/// on the number of threads.
template <class Policy = serial_policy>
void lens(const neighbor_id_sets& before, const neighbor_id_sets& after, std::span<double> out,
          id_mismatch mode = id_mismatch::error, const std::string& what = "LENS", Policy policy = {}) {
    if (out.size() != after.size()) {
        throw error(what, ": output has ", out.size(), " entries for ", after.size(), " particles");
    }
    constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
    const std::size_t n = after.size(), nb = before.size();
    const auto ord_a = after.index().order(), ord_b = before.index().order();
    // Ranks of the two frames coincide when both hold the same ids (always, under
    // id_mismatch::error); otherwise map them: later rank -> earlier rank and back.
    bool same = n == nb;
    for (std::size_t u = 0; same && u < n; ++u) same = after.index().id(ord_a[u]) == before.index().id(ord_b[u]);
    std::vector<std::uint32_t> to_before, to_after;
    if (!same) {
        const std::vector<std::size_t> rows = match_ids(before.index(), after.index(), mode, what);  // later row -> earlier row
        std::vector<std::uint32_t> rank_b(nb);
        for (std::size_t k = 0; k < nb; ++k) rank_b[ord_b[k]] = std::uint32_t(k);
        to_before.assign(n, none);
        to_after.assign(nb, none);
        for (std::size_t u = 0; u < n; ++u)
            if (rows[ord_a[u]] != no_row) {
                to_before[u] = rank_b[rows[ord_a[u]]];
                to_after[to_before[u]] = std::uint32_t(u);
            }
    }
    std::vector<std::uint32_t> common(n, 0);  // by later rank
    const bool parallel = !std::is_same_v<Policy, serial_policy>;
    auto bump = [&](std::uint32_t v, std::uint32_t by) {
        if (parallel) std::atomic_ref<std::uint32_t>(common[v]).fetch_add(by, std::memory_order_relaxed);
        else common[v] += by;
    };
    detail::for_each_chunk(policy, n, detail::few_chunks(policy, n), [&](std::size_t, std::size_t b, std::size_t e) {
        std::vector<std::uint32_t> stamp(n, 0);  // stamp[v] == u + 1: later rank v pairs with u in `before`
        for (std::size_t s = b; s < e; ++s) {
            const std::uint32_t u = after.rank_at(s);
            const std::uint32_t ub = same ? u : to_before[u];
            if (ub == none) continue;
            const auto mark = u + 1;
            if (same)
                for (const std::uint32_t v : before.partners_at(before.position_of_rank(ub))) stamp[v] = mark;
            else
                for (const std::uint32_t v : before.partners_at(before.position_of_rank(ub)))
                    if (to_after[v] != none) stamp[to_after[v]] = mark;
            std::uint32_t c = 0;
            for (const std::uint32_t v : after.partners_at(s))
                if (stamp[v] == mark) {
                    ++c;
                    bump(v, 1);
                }
            if (c) bump(u, c);
        }
    });
    detail::for_each_chunk(policy, n, detail::few_chunks(policy, n), [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t s = b; s < e; ++s) {
            const std::uint32_t u = after.rank_at(s);
            const std::uint32_t ub = same ? u : to_before[u];
            const std::size_t row = ord_a[u];
            if (ub == none) {
                out[row] = std::numeric_limits<double>::quiet_NaN();
                continue;
            }
            const std::size_t total = std::size_t(before.degree_at(before.position_of_rank(ub))) + after.degree_at(s);
            out[row] = total == 0 ? 0.0 : double(total - 2 * std::size_t(common[u])) / double(total);
        }
    });
}

/// LENS as a two-frame descriptor (descriptors/frame_pair.hpp), for compute_frame_pairs
/// (pipeline/frame_pairs.hpp): the ids within `cutoff` of the particle in each frame (its own
/// id and repeated images dropped), column `lens` (as `tessera lens`). Sets are compared by
/// sorting the two id lists of the row in the scratch (no allocation once grown). Alone, equal to
/// lens() bit for bit (both divide the same two integers).
struct lens_descriptor {
    double cutoff = 0;

    struct scratch {
        std::vector<std::int64_t> before, after;
    };

    frame_pair_request request() const { return {cutoff, cutoff}; }
    std::vector<std::string> columns(const particle_properties&) const { return {"lens"}; }
    void prepare(const particle_properties&, const particle_properties&) const {
        if (!(cutoff > 0) || !std::isfinite(cutoff)) throw error("LENS: the cutoff must be positive and finite, got ", cutoff);
    }

    template <class T>
    void compute(const frame_pair_row<T>& row, output_row<T> out, scratch& s) const {
        auto ids_of = [](const particle_row<T>& r, std::vector<std::int64_t>& ids) {
            const std::int64_t self = r.properties->ids[r.index];
            ids.clear();
            for (const neighbor_index j : r.neighbors)
                if (r.properties->ids[j] != self) ids.push_back(r.properties->ids[j]);
            std::sort(ids.begin(), ids.end());
            ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        };
        ids_of(row.reference, s.before);
        ids_of(row.current, s.after);
        std::size_t common = 0;
        for (auto p = s.before.begin(), q = s.after.begin(); p != s.before.end() && q != s.after.end();) {
            if (*p < *q) ++p;
            else if (*q < *p) ++q;
            else {
                ++common;
                ++p;
                ++q;
            }
        }
        const std::size_t total = s.before.size() + s.after.size();
        out[0] = total == 0 ? T(0) : T(double(total - 2 * common) / double(total));
    }
};

}  // namespace tessera
