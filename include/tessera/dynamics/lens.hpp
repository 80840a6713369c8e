#pragma once
/// @file
/// LENS — Local Environments and Neighbors Shuffling (Crippa, Cardellini, Caruso, Pavan,
/// PNAS 120, e2300565120 (2023); seed 000 Eq. 2). For particle i and frames t, t + Δt:
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
/// Cost: one cell-list pass per frame (its sets serve both pairs the frame takes part in) and,
/// per particle, one pass over each of the two sets — never a quadratic set comparison, and no
/// sorting: sets hold 4-byte row indices, compared by marking.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/dynamics/trajectory.hpp>
#include <tessera/neighbors/cell_list.hpp>
#include <tessera/neighbors/neighbor_list.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <sstream>
#include <vector>

namespace tessera {

/// For each particle of one frame (rows as given), its neighbours within the cutoff as a set of
/// *rows of the same frame* (each neighbour once, whatever the number of images), plus the
/// frame's id index that turns rows into ids. Rows are 4-byte indices in no particular order:
/// sets are compared by marking, not by sorting (lens() below).
class neighbor_id_sets {
public:
    std::size_t size() const noexcept { return offsets_.empty() ? 0 : offsets_.size() - 1; }
    /// Neighbour rows of particle i (unordered, unique).
    std::span<const neighbor_index> row(std::size_t i) const noexcept {
        return {rows_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]};
    }
    const id_index& index() const noexcept { return index_; }

    /// Sets of the particles within `cutoff` (ids[i] is the id of row i).
    template <particle_storage S, box B, class Policy = serial_policy>
    static neighbor_id_sets build(const S& positions, const B& bx, std::span<const std::int64_t> ids, double cutoff,
                                  Policy policy = {}, const std::string& what = "frame") {
        const std::size_t n = tessera::size(positions);
        if (ids.size() != n) {
            std::ostringstream os;
            os << what << ": " << ids.size() << " ids for " << n << " particles";
            throw error(os.str());
        }
        if (n > std::size_t(std::numeric_limits<neighbor_index>::max())) throw error(what + ": too many particles for LENS");
        neighbor_id_sets s;
        s.index_ = id_index(ids, what);
        if (!(cutoff > 0) || !std::isfinite(cutoff)) {
            std::ostringstream os;
            os << what << ": the LENS cutoff must be positive and finite, got " << cutoff;
            throw error(os.str());
        }
        // Rows go straight from the cell list into the sets: no bond vectors are stored (at 8 Å
        // that would be ~180 bonds × 36 bytes per particle). A neighbour reached through several
        // periodic images is kept once: a per-chunk stamp array marks what the row already has.
        using T = particle_value_t<S>;
        const cell_list<T> cells(positions, bx, T(cutoff));
        // Few chunks: each carries a stamp array over all n particles.
        const std::size_t chunk = detail::few_chunks(policy, n);
        const std::size_t chunks = n ? (n + chunk - 1) / chunk : 0;
        std::vector<std::vector<std::size_t>> counts(chunks);
        std::vector<std::vector<neighbor_index>> parts(chunks);
        detail::for_each_chunk(policy, n, chunk, [&](std::size_t c, std::size_t b, std::size_t e) {
            auto& out = parts[c];
            auto& cnt = counts[c];
            cnt.reserve(e - b);
            std::vector<std::uint32_t> stamp(n, 0);  // stamp[j] == i + 1: j already in row i
            for (std::size_t i = b; i < e; ++i) {
                const std::size_t begin = out.size();
                const auto mark = std::uint32_t(i + 1);
                cells.for_each_within(cells.wrapped_position(i), T(cutoff), i, [&](std::size_t j, const vec3<T>&, T) {
                    // own periodic images are not neighbours; other images of j count once
                    if (j != i && stamp[j] != mark) {
                        stamp[j] = mark;
                        out.push_back(neighbor_index(j));
                    }
                });
                cnt.push_back(out.size() - begin);
            }
        });
        s.offsets_.assign(1, 0);
        s.offsets_.reserve(n + 1);
        std::size_t total = 0;
        for (const auto& part : parts) total += part.size();
        s.rows_.reserve(total);
        for (std::size_t c = 0; c < chunks; ++c) {
            for (std::size_t k : counts[c]) s.offsets_.push_back(s.offsets_.back() + k);
            s.rows_.insert(s.rows_.end(), parts[c].begin(), parts[c].end());
        }
        return s;
    }

private:
    std::vector<std::size_t> offsets_;
    std::vector<neighbor_index> rows_;
    id_index index_;
};

/// LENS of every particle of the later frame (rows in `after`'s order). Under
/// id_mismatch::intersect, particles absent from `before` get NaN (LENS is undefined for them),
/// and a neighbour absent from the other frame simply differs.
///
/// |A △ B| = |A| + |B| − 2|A ∩ B|, with |A ∩ B| counted by marking A's members (mapped to the
/// later frame's rows) and looking B's members up: linear in the row sizes, no sorting.
template <class Policy = serial_policy>
void lens(const neighbor_id_sets& before, const neighbor_id_sets& after, std::span<double> out,
          id_mismatch mode = id_mismatch::error, const std::string& what = "LENS", Policy policy = {}) {
    if (out.size() != after.size()) {
        std::ostringstream os;
        os << what << ": output has " << out.size() << " entries for " << after.size() << " particles";
        throw error(os.str());
    }
    // later row -> earlier row, and earlier row -> later row (no_row where an id is missing)
    const std::vector<std::size_t> to_before = match_ids(before.index(), after.index(), mode, what);
    std::vector<std::size_t> to_after(before.size(), no_row);
    for (std::size_t i = 0; i < to_before.size(); ++i)
        if (to_before[i] != no_row) to_after[to_before[i]] = i;
    const std::size_t n = after.size();
    detail::for_each_chunk(policy, n, detail::few_chunks(policy, n), [&](std::size_t, std::size_t b, std::size_t e) {
        std::vector<std::uint32_t> stamp(n, 0);  // stamp[j] == i + 1: later row j is in A_i
        for (std::size_t i = b; i < e; ++i) {
            const std::size_t ib = to_before[i];
            if (ib == no_row) {
                out[i] = std::numeric_limits<double>::quiet_NaN();
                continue;
            }
            const auto a = before.row(ib), c = after.row(i);
            const auto mark = std::uint32_t(i + 1);
            for (const auto j : a)
                if (to_after[j] != no_row) stamp[to_after[j]] = mark;
            std::size_t common = 0;
            for (const auto j : c) common += stamp[j] == mark;
            const std::size_t total = a.size() + c.size();
            out[i] = total == 0 ? 0.0 : double(total - 2 * common) / double(total);
        }
    });
}

}  // namespace tessera
