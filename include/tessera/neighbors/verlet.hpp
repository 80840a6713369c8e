#pragma once
/// @file
/// Verlet list: a ball list built once with radius r_c + skin and reused across frames while no
/// particle has moved more than skin/2 since the build (then no pair can have crossed from
/// beyond r_c + skin to inside r_c) and the box is unchanged.
///
/// On reuse each stored bond vector is advanced by the particles' minimum-image displacements,
///     r_ij(t) = r_ij(t0) + Δ_j − Δ_i,   Δ = minimum_image(r(t) − r(t0)),
/// which stays valid when particles are re-wrapped across periodic faces between frames
/// (displacements below half a box width), and the list is filtered to r² < r_c². A box that
/// changed in any way forces a rebuild: the stored images would no longer be the right ones.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/neighbors/neighbor_list.hpp>
#include <tessera/neighbors/query.hpp>

#include <cmath>
#include <cstddef>
#include <optional>
#include <span>
#include <sstream>
#include <vector>

namespace tessera {

template <class T, box B>
class verlet_list {
public:
    /// `cutoff`: the radius of the lists handed out; `skin`: extra reach of the stored list.
    verlet_list(T cutoff, T skin) : cutoff_(cutoff), skin_(skin) {
        if (!(cutoff > 0) || !(skin >= 0) || !std::isfinite(cutoff) || !std::isfinite(skin)) {
            throw error("verlet_list: need cutoff > 0 and skin >= 0, got cutoff = ", cutoff, ", skin = ", skin);
        }
    }

    /// True when the stored list cannot serve this frame (first call, particle count or box
    /// changed, or some particle moved farther than skin/2).
    template <particle_storage S>
    bool needs_rebuild(const S& particles, const B& bx) const {
        const std::size_t n = tessera::size(particles);
        if (!built_ || n != reference_.size() || !same_box(bx)) return true;
        const T limit = (skin_ / 2) * (skin_ / 2);
        for (std::size_t i = 0; i < n; ++i) {
            const vec3<T> d = bx.minimum_image(vec3<T>(position(particles, i)) - reference_[i]);
            if (norm2(d) > limit) return true;
        }
        return false;
    }

    /// The neighbour list of this frame (rows: first n_local particles), rebuilding if needed.
    template <particle_storage S, class Policy = serial_policy>
    const neighbor_list<T>& update(const S& particles, const B& bx, const query_options& opt = {}, Policy policy = {}) {
        if (needs_rebuild(particles, bx) || opt.n_local != options_.n_local || opt.kind != options_.kind) {
            rebuild(particles, bx, opt, policy);
            return current_;
        }
        const std::size_t n = tessera::size(particles);
        displacement_.resize(n);
        for (std::size_t i = 0; i < n; ++i)
            displacement_[i] = bx.minimum_image(vec3<T>(position(particles, i)) - reference_[i]);
        current_.clear(opt.kind);
        const T c2 = cutoff_ * cutoff_;
        // Each row is filtered into scratch without a branch (every bond is written, the count
        // advances only for bonds inside the cutoff: about half of a skin list, in no order a
        // branch predictor could learn), then appended as a block. The same values in the same
        // order as a bond-by-bond push: the list is bitwise what it was.
        for (std::size_t i = 0; i < stored_.num_particles(); ++i) {
            const auto idx = stored_.neighbors(i);
            const auto vec = stored_.vectors(i);
            if (row_index_.size() < idx.size()) {
                row_index_.resize(idx.size());
                row_vector_.resize(idx.size());
                row_distance2_.resize(idx.size());
            }
            neighbor_index* rj = row_index_.data();
            vec3<T>* rv = row_vector_.data();
            T* rd = row_distance2_.data();
            const vec3<T> di = displacement_[i];
            std::size_t count = 0;
            for (std::size_t k = 0; k < idx.size(); ++k) {
                const vec3<T> r = vec[k] + displacement_[idx[k]] - di;
                const T r2 = norm2(r);
                rj[count] = idx[k];
                rv[count] = r;
                rd[count] = r2;
                count += std::size_t(r2 < c2);
            }
            current_.append_row(std::span<const neighbor_index>(rj, count), std::span<const vec3<T>>(rv, count),
                                std::span<const T>(rd, count));
        }
        ++reuses_;
        return current_;
    }

    T cutoff() const noexcept { return cutoff_; }
    T skin() const noexcept { return skin_; }
    std::size_t rebuilds() const noexcept { return rebuilds_; }
    std::size_t reuses() const noexcept { return reuses_; }

private:
    template <particle_storage S, class Policy>
    void rebuild(const S& particles, const B& bx, const query_options& opt, Policy policy) {
        const std::size_t n = tessera::size(particles);
        reference_.resize(n);
        for (std::size_t i = 0; i < n; ++i) reference_[i] = vec3<T>(position(particles, i));
        query_options stored_opt = opt;
        stored_opt.sort_by_distance = false;
        stored_ = find_neighbors<T>(particles, bx, ball{double(cutoff_ + skin_)}, stored_opt, policy);
        current_.clear(opt.kind);
        for (std::size_t i = 0; i < stored_.num_particles(); ++i) {
            const auto idx = stored_.neighbors(i);
            const auto vec = stored_.vectors(i);
            const auto d2 = stored_.distances2(i);
            for (std::size_t k = 0; k < idx.size(); ++k)
                if (d2[k] < cutoff_ * cutoff_) current_.push_bond(idx[k], vec[k], d2[k]);
            current_.end_row();
        }
        box_ = bx;
        built_ = true;
        options_ = opt;
        ++rebuilds_;
    }

    bool same_box(const B& bx) const {
        if (!box_) return false;
        const B& a = *box_;
        return a.origin() == bx.origin() && a.cell() == bx.cell() && a.periodic(0) == bx.periodic(0) &&
               a.periodic(1) == bx.periodic(1) && a.periodic(2) == bx.periodic(2);
    }

    T cutoff_, skin_;
    bool built_ = false;
    std::optional<B> box_;
    query_options options_;
    std::vector<vec3<T>> reference_, displacement_;
    std::vector<neighbor_index> row_index_;  // one filtered row (update's scratch)
    std::vector<vec3<T>> row_vector_;
    std::vector<T> row_distance2_;
    neighbor_list<T> stored_, current_;
    std::size_t rebuilds_ = 0, reuses_ = 0;
};

}  // namespace tessera
