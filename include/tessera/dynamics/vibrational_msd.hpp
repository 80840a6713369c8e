#pragma once
/// @file
/// Vibrational mean-squared displacement (Debye–Waller factor per atom; Yang, Wei, Zaccone & Wang,
/// integrated glassy defect, Eq. 3):
/// \f[ \langle \Delta r_i^2 \rangle = \left\langle |\mathbf r_i(t) - \mathbf r_{i,\mathrm{ref}}|^2
/// \right\rangle_t \f]
/// the time average over the frames fed, against a fixed reference configuration — normally the
/// inherent structure (energy-minimised) the atoms vibrate around.
///
/// Conventions: atoms are matched by id; the displacement is the minimum image in the *current*
/// frame's box, so wrapped positions are fine as long as vibrations stay below half a box width
/// (the regime the quantity is meant for: no hopping between basins). Frames with a different
/// set of ids are an error. Results are in the reference's row order.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/dynamics/trajectory.hpp>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tessera {

template <class T = double>
class vibrational_msd {
public:
    template <particle_storage S>
    vibrational_msd(const S& reference, std::span<const std::int64_t> ids, const std::string& what = "reference")
        : index_(ids, what) {
        const std::size_t n = tessera::size(reference);
        if (ids.size() != n) throw error(what + ": ids and positions differ in length");
        ref_.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            ref_[i] = vec3<T>(position(reference, i));
            if (!is_finite(ref_[i])) throw error(what + ": non-finite position of atom id " + std::to_string(ids[i]));
        }
        sum_.assign(n, 0.0);
    }

    /// Adds one frame (any row order).
    template <particle_storage S, box B>
    void add(const S& positions, const B& bx, std::span<const std::int64_t> ids, const std::string& what = "frame") {
        const std::size_t n = tessera::size(positions);
        if (ids.size() != n) throw error(what + ": ids and positions differ in length");
        const id_index idx(ids, what);
        const auto rows = match_ids(idx, index_, id_mismatch::error, what, "current", "reference");  // reference row -> this row
        for (std::size_t i = 0; i < ref_.size(); ++i) {
            const vec3<typename B::value_type> r(position(positions, rows[i]));
            const vec3<T> d(bx.minimum_image(r - vec3<typename B::value_type>(ref_[i])));
            sum_[i] += double(norm2(d));
        }
        ++frames_;
    }

    std::size_t frames() const noexcept { return frames_; }
    /// Time-averaged |r − r_ref|² per atom (reference row order); zeros before any frame.
    std::vector<double> values() const {
        std::vector<double> v(sum_.size(), 0.0);
        if (frames_)
            for (std::size_t i = 0; i < v.size(); ++i) v[i] = sum_[i] / double(frames_);
        return v;
    }
    const id_index& index() const noexcept { return index_; }

private:
    id_index index_;
    std::vector<vec3<T>> ref_;
    std::vector<double> sum_;
    std::size_t frames_ = 0;
};

}  // namespace tessera
