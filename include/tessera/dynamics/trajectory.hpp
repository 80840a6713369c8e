#pragma once
/// @file
/// Matching particles across frames by id, and unwrapping trajectories.
///
/// LAMMPS dumps are not sorted (and `dump_modify sort` is optional), so a particle is the same
/// particle in two frames when its id is the same, not its row. `id_index` sorts one frame's
/// ids once (validating them); `match_ids` pairs the rows of two frames. A changed set of ids
/// is an error naming the first id that differs, unless the caller asks to intersect.
///
/// Unwrapping: from image flags (frame::positions(unwrap::required)) or, when a dump has none,
/// by accumulating minimum-image increments between consecutive frames (`unwrapper`), which is
/// exact as long as no particle moves more than half a box width between two frames.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/vec.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace tessera {

/// The rows of one frame ordered by id.
class id_index {
public:
    id_index() = default;
    /// `what` names the frame in error messages (e.g. "dump.lammpstrj frame 12").
    explicit id_index(std::span<const std::int64_t> ids, const std::string& what = "frame") : ids_(ids.begin(), ids.end()) {
        order_.resize(ids.size());
        std::iota(order_.begin(), order_.end(), std::size_t(0));
        std::sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return ids_[a] < ids_[b]; });
        for (std::size_t k = 1; k < order_.size(); ++k)
            if (ids_[order_[k]] == ids_[order_[k - 1]]) {
                throw error(what, ": atom id ", ids_[order_[k]], " appears twice (rows ", order_[k - 1], " and ",
                            order_[k], ")");
            }
    }
    std::size_t size() const noexcept { return ids_.size(); }
    std::int64_t id(std::size_t row) const noexcept { return ids_[row]; }
    std::span<const std::int64_t> ids() const noexcept { return ids_; }
    /// Rows in increasing id order.
    std::span<const std::size_t> order() const noexcept { return order_; }

private:
    std::vector<std::int64_t> ids_;
    std::vector<std::size_t> order_;
};

enum class id_mismatch {
    error,      ///< the frames must hold the same ids
    intersect,  ///< rows whose id is missing in the other frame map to npos
};

inline constexpr std::size_t no_row = std::numeric_limits<std::size_t>::max();

/// For every row of `to`, the row of `from` holding the same id (or no_row under intersect).
/// `from_name` and `to_name` say which frames they are in the message of a missing id
/// ("atom id 7 is in the reference frame but not in the current one").
inline std::vector<std::size_t> match_ids(const id_index& from, const id_index& to, id_mismatch mode = id_mismatch::error,
                                          const std::string& what = "frames", const char* from_name = "earlier",
                                          const char* to_name = "later") {
    std::vector<std::size_t> rows(to.size(), no_row);
    const auto a = from.order(), b = to.order();
    std::size_t p = 0, q = 0;
    auto complain = [&](std::int64_t id, const char* in, const char* not_in) {
        throw error(what, ": atom id ", id, " is in the ", in, " frame but not in the ", not_in,
                    " one (the set of atoms changed)");
    };
    while (p < a.size() || q < b.size()) {
        if (q == b.size() || (p < a.size() && from.id(a[p]) < to.id(b[q]))) {
            if (mode == id_mismatch::error) complain(from.id(a[p]), from_name, to_name);
            ++p;
        } else if (p == a.size() || to.id(b[q]) < from.id(a[p])) {
            if (mode == id_mismatch::error) complain(to.id(b[q]), to_name, from_name);
            ++q;
        } else {
            rows[b[q]] = a[p];
            ++p;
            ++q;
        }
    }
    return rows;
}

namespace detail {
/// The same bond (same pair, same periodic image) in another frame, in fractional coordinates:
/// ds_ref is the bond in the reference cell's fractions (image included), ds_raw = s_j − s_i in
/// the other frame (any images). The nearest-integer correction along periodic axes restores
/// the reference image; exact while the bond's fractional change stays below half a cell.
/// Used by D²min and bond changes (dynamics/d2min.hpp explains why not Cartesian minimum image).
template <class T>
vec3<T> follow_fractional_bond(const vec3<T>& ds_ref, const vec3<T>& ds_raw, const periodicity& periodic) noexcept {
    vec3<T> f = ds_ref;
    for (std::size_t d = 0; d < 3; ++d) {
        const T change = ds_raw[d] - ds_ref[d];
        f[d] += periodic[d] ? change - std::nearbyint(change) : change;
    }
    return f;
}
}  // namespace detail

/// Unwraps positions frame by frame with minimum-image increments, for dumps without image
/// flags. Feed frames in time order, each with its rows matched to the first frame's rows.
template <class T = double>
class unwrapper {
public:
    /// Returns the unwrapped positions of this frame (rows as given). The first call returns
    /// the positions unchanged.
    template <particle_storage S, box B>
    const std::vector<vec3<T>>& update(const S& positions, const B& bx) {
        const std::size_t n = tessera::size(positions);
        if (!previous_.empty() && previous_.size() != n) {
            throw error("unwrapper: ", n, " particles after ", previous_.size());
        }
        if (previous_.empty()) {
            previous_.resize(n);
            unwrapped_.resize(n);
            for (std::size_t i = 0; i < n; ++i) previous_[i] = unwrapped_[i] = vec3<T>(position(positions, i));
            return unwrapped_;
        }
        for (std::size_t i = 0; i < n; ++i) {
            const vec3<T> r(position(positions, i));
            unwrapped_[i] += bx.minimum_image(r - previous_[i]);
            previous_[i] = r;
        }
        return unwrapped_;
    }

private:
    std::vector<vec3<T>> previous_, unwrapped_;
};

}  // namespace tessera
