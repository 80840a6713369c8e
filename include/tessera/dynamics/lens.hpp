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
/// Cost: one ball query per frame (reused for both pairs a frame takes part in) and a linear
/// merge of two sorted id lists per particle — never a quadratic set comparison.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/dynamics/trajectory.hpp>
#include <tessera/neighbors/cell_list.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <sstream>
#include <vector>

namespace tessera {

/// For each particle of one frame (rows as given), the sorted ids of its neighbours.
class neighbor_id_sets {
public:
    std::size_t size() const noexcept { return offsets_.empty() ? 0 : offsets_.size() - 1; }
    std::span<const std::int64_t> row(std::size_t i) const noexcept {
        return {ids_.data() + offsets_[i], offsets_[i + 1] - offsets_[i]};
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
        neighbor_id_sets s;
        s.index_ = id_index(ids, what);
        if (!(cutoff > 0) || !std::isfinite(cutoff)) {
            std::ostringstream os;
            os << what << ": the LENS cutoff must be positive and finite, got " << cutoff;
            throw error(os.str());
        }
        // Ids go straight from the cell list into the rows: no bond vectors are stored (at 8 Å
        // that would be ~180 bonds × 36 bytes per particle).
        using T = particle_value_t<S>;
        const cell_list<T> cells(positions, bx, T(cutoff));
        constexpr std::size_t chunk = 4096;
        const std::size_t chunks = (n + chunk - 1) / chunk;
        std::vector<std::vector<std::size_t>> counts(chunks);
        std::vector<std::vector<std::int64_t>> parts(chunks);
        detail::for_each_chunk(policy, n, chunk, [&](std::size_t c, std::size_t b, std::size_t e) {
            auto& out = parts[c];
            auto& cnt = counts[c];
            cnt.reserve(e - b);
            for (std::size_t i = b; i < e; ++i) {
                const std::size_t begin = out.size();
                cells.for_each_within(cells.wrapped_position(i), T(cutoff), i, [&](std::size_t j, const vec3<T>&, T) {
                    if (j != i) out.push_back(ids[j]);  // own periodic images are not neighbours
                });
                std::sort(out.begin() + std::ptrdiff_t(begin), out.end());
                out.erase(std::unique(out.begin() + std::ptrdiff_t(begin), out.end()), out.end());
                cnt.push_back(out.size() - begin);
            }
        });
        s.offsets_.assign(1, 0);
        s.offsets_.reserve(n + 1);
        std::size_t total = 0;
        for (const auto& p : parts) total += p.size();
        s.ids_.reserve(total);
        for (std::size_t c = 0; c < chunks; ++c) {
            for (std::size_t k : counts[c]) s.offsets_.push_back(s.offsets_.back() + k);
            s.ids_.insert(s.ids_.end(), parts[c].begin(), parts[c].end());
        }
        return s;
    }

private:
    std::vector<std::size_t> offsets_;
    std::vector<std::int64_t> ids_;
    id_index index_;
};

namespace detail {
/// |A △ B| for sorted unique ranges, by one merge.
inline std::size_t symmetric_difference_size(std::span<const std::int64_t> a, std::span<const std::int64_t> b) noexcept {
    std::size_t p = 0, q = 0, common = 0;
    while (p < a.size() && q < b.size()) {
        if (a[p] < b[q]) ++p;
        else if (b[q] < a[p]) ++q;
        else {
            ++common;
            ++p;
            ++q;
        }
    }
    return a.size() + b.size() - 2 * common;
}
}  // namespace detail

/// LENS of every particle of the later frame (rows in `after`'s order). Under
/// id_mismatch::intersect, particles absent from `before` get NaN (LENS is undefined for them).
inline void lens(const neighbor_id_sets& before, const neighbor_id_sets& after, std::span<double> out,
                 id_mismatch mode = id_mismatch::error, const std::string& what = "LENS") {
    if (out.size() != after.size()) {
        std::ostringstream os;
        os << what << ": output has " << out.size() << " entries for " << after.size() << " particles";
        throw error(os.str());
    }
    const std::vector<std::size_t> rows = match_ids(before.index(), after.index(), mode, what);
    for (std::size_t i = 0; i < after.size(); ++i) {
        if (rows[i] == no_row) {
            out[i] = std::numeric_limits<double>::quiet_NaN();
            continue;
        }
        const auto a = before.row(rows[i]), b = after.row(i);
        const std::size_t total = a.size() + b.size();
        out[i] = total == 0 ? 0.0 : double(detail::symmetric_difference_size(a, b)) / double(total);
    }
}

}  // namespace tessera
