#pragma once
/// @file
/// Displacement statistics of unwrapped trajectories: per-atom squared displacements at any
/// set of lags, the lg(Δr²/T) features of Liu et al. (machine-learned temperature in metallic
/// glasses, Liu, He, Lu, Zhou, Tian, Liang, Ma, Yang & Shen), the system MSD(t) (one origin or
/// averaged over
/// time origins), the non-Gaussian parameter α₂(t), the self-intermediate scattering function
/// F_s(q, t) over box-commensurate q-vectors, and τ_α where F_s falls to 1/e.
///
/// Definitions (Yang, Wei, Zaccone & Wang, integrated glassy defect; Kob & Andersen, PRE 51, 4626
/// (1995)), with Δr_i = r_i(t₀+t) − r_i(t₀)
/// from *unwrapped* positions and ⟨·⟩ over atoms (and origins t₀):
/// - MSD(t) = ⟨|Δr|²⟩;
/// - α₂(t) = 3⟨|Δr|⁴⟩ / (5⟨|Δr|²⟩²) − 1 (0 for Gaussian displacements in 3D; defined as 0 when
///   MSD = 0, e.g. at t = 0);
/// - F_s(q, t) = ⟨(1/N_q) Σ_q cos(q·Δr)⟩ over the N_q vectors q = 2π h⁻ᵀ m (m integer) of the
///   reference box with | |q| − q₀ | ≤ Δq/2 — commensurate with the periodic cell, so F_s is
///   unbiased; under a changing box the reference (first) frame's cell is used;
/// - τ_α: the first time F_s(t) ≤ 1/e, interpolated linearly between the bracketing samples.
///
/// Unwrapping: pass unwrapped positions (image flags: frame::positions(unwrap::required), or
/// xu yu zu), or let `unwrapped_trajectory` accumulate minimum-image increments (exact while no
/// atom moves more than half a box width between frames). Rows are matched by id throughout.
///
/// Memory: `displacement_correlator` keeps a ring buffer of the last max-lag frames, so its
/// memory is (max lag + 1)·N positions whatever the trajectory length; lags are a fixed set.
/// Sums are formed per fixed chunk and combined in chunk order: identical for any thread count.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/dynamics/trajectory.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace tessera {

/// Sums over the atoms of one group for one lag.
struct displacement_moments {
    double sum2 = 0;   ///< Σ |Δr|²
    double sum4 = 0;   ///< Σ |Δr|⁴
    double sum_fs = 0; ///< Σ (1/N_q) Σ_q cos(q·Δr)
    std::uint64_t count = 0;  ///< atoms × origins

    double msd() const noexcept { return count ? sum2 / double(count) : 0.0; }
    double alpha2() const noexcept {
        if (count == 0 || sum2 == 0) return 0.0;
        const double m2 = sum2 / double(count), m4 = sum4 / double(count);
        return 3.0 * m4 / (5.0 * m2 * m2) - 1.0;
    }
    double fs() const noexcept { return count ? sum_fs / double(count) : 0.0; }
    displacement_moments& operator+=(const displacement_moments& o) noexcept {
        sum2 += o.sum2;
        sum4 += o.sum4;
        sum_fs += o.sum_fs;
        count += o.count;
        return *this;
    }
};

/// α₂ from MSD and ⟨|Δr|⁴⟩ (0 when msd = 0).
inline double non_gaussian_parameter(double msd, double mean_r4) noexcept {
    return msd > 0 ? 3.0 * mean_r4 / (5.0 * msd * msd) - 1.0 : 0.0;
}

/// |r_i − r0_i|² for matched rows.
template <class T>
void squared_displacements(std::span<const vec3<T>> r0, std::span<const vec3<T>> r, std::span<T> out) {
    if (r0.size() != r.size() || out.size() != r.size()) throw error("squared_displacements: sizes differ");
    for (std::size_t i = 0; i < r.size(); ++i) out[i] = norm2(r[i] - r0[i]);
}

/// Seed 002's mobility features: lg(Δr²/T) per atom and lag. `sq[l][i]` is Δr² of atom i at lag
/// l; the output is row-major N × L. Δr² below `floor` is raised to it (a resting atom would
/// give −∞); choose floor well below the smallest physical Δr² (e.g. 1e-6 Å²).
template <class T>
std::vector<T> lg_msd_features(const std::vector<std::vector<T>>& sq, double temperature, double floor = 1e-6) {
    if (!(temperature > 0)) throw error("lg_msd_features: the temperature must be positive");
    if (!(floor > 0)) throw error("lg_msd_features: the floor must be positive");
    const std::size_t L = sq.size(), n = L ? sq[0].size() : 0;
    std::vector<T> out(n * L);
    for (std::size_t l = 0; l < L; ++l) {
        if (sq[l].size() != n) throw error("lg_msd_features: lags have different atom counts");
        for (std::size_t i = 0; i < n; ++i) out[i * L + l] = T(std::log10(std::max(double(sq[l][i]), floor) / temperature));
    }
    return out;
}

/// The q-vectors q = 2π h⁻ᵀ m of a periodic cell h (cell vectors as columns) with
/// | |q| − q0 | ≤ dq/2, m ≠ 0. All of them, in a fixed order (lexicographic m), at most
/// `max_vectors` (evenly thinned in that order when more qualify; 0 = no limit).
template <class T>
std::vector<vec3<T>> commensurate_q_vectors(const mat3<T>& h, double q0, double dq, std::size_t max_vectors = 0) {
    if (!(q0 > 0) || !(dq > 0)) throw error("F_s: |q| and the shell width must be positive");
    const mat3<T> g = transpose(inverse(h)) * T(2 * std::numbers::pi);  // reciprocal vectors as columns
    const vec3<T> w = perpendicular_widths(g);  // spacing of reciprocal lattice planes
    int reach[3];
    for (std::size_t d = 0; d < 3; ++d) reach[d] = int(std::ceil((q0 + dq) / double(w[d]))) + 1;
    std::vector<vec3<T>> out;
    const double lo = q0 - dq / 2, hi = q0 + dq / 2;
    for (int a = -reach[0]; a <= reach[0]; ++a)
        for (int b = -reach[1]; b <= reach[1]; ++b)
            for (int c = -reach[2]; c <= reach[2]; ++c) {
                const vec3<T> q = g * vec3<T>{T(a), T(b), T(c)};
                const double m = double(norm(q));
                if (m >= lo && m <= hi && (a || b || c)) out.push_back(q);
            }
    if (out.empty()) {
        std::ostringstream os;
        os << "F_s: no q-vector commensurate with the box has |q| in [" << lo << ", " << hi
           << "]; widen the shell (the smallest spacing is " << std::min({w.x, w.y, w.z}) << ")";
        throw error(os.str());
    }
    if (max_vectors && out.size() > max_vectors) {
        std::vector<vec3<T>> thin;
        for (std::size_t k = 0; k < max_vectors; ++k) thin.push_back(out[k * out.size() / max_vectors]);
        out.swap(thin);
    }
    return out;
}

/// (1/N_q) Σ_q cos(q·Δr) for one displacement.
template <class T>
double self_scattering_term(const vec3<T>& dr, std::span<const vec3<T>> q) noexcept {
    double s = 0;
    for (const auto& v : q) s += std::cos(double(dot(v, dr)));
    return q.empty() ? 0.0 : s / double(q.size());
}

/// τ_α: first t with fs(t) ≤ level (default 1/e), linearly interpolated between the samples
/// that bracket the crossing; nullopt when fs never reaches the level.
inline std::optional<double> tau_alpha(std::span<const double> t, std::span<const double> fs,
                                       double level = std::exp(-1.0)) {
    if (t.size() != fs.size()) throw error("tau_alpha: times and F_s have different lengths");
    for (std::size_t k = 0; k < fs.size(); ++k) {
        if (fs[k] > level) continue;
        if (k == 0) return t[0];
        const double f0 = fs[k - 1], f1 = fs[k];
        return t[k - 1] + (level - f0) * (t[k] - t[k - 1]) / (f1 - f0);
    }
    return std::nullopt;
}

/// Moments between two matched, unwrapped configurations: group 0 is every atom, group g ≥ 1
/// the atoms with types[i] == g (types may be empty: then only group 0). q may be empty.
template <class T, class Policy = serial_policy>
std::vector<displacement_moments> displacement_statistics(std::span<const vec3<T>> r0, std::span<const vec3<T>> r,
                                                          std::span<const int> types, int num_types,
                                                          std::span<const vec3<T>> q = {}, Policy policy = {}) {
    if (r0.size() != r.size() || (!types.empty() && types.size() != r.size()))
        throw error("displacement_statistics: sizes differ");
    const std::size_t groups = std::size_t(num_types) + 1;
    constexpr std::size_t chunk = 4096;
    const std::size_t n = r.size(), chunks = (n + chunk - 1) / chunk;
    std::vector<std::vector<displacement_moments>> part(chunks, std::vector<displacement_moments>(groups));
    detail::for_each_chunk(policy, n, chunk, [&](std::size_t c, std::size_t b, std::size_t e) {
        auto& m = part[c];
        for (std::size_t i = b; i < e; ++i) {
            const vec3<T> d = r[i] - r0[i];
            const double d2 = double(norm2(d));
            const double fs = q.empty() ? 0.0 : self_scattering_term(d, q);
            auto add = [&](std::size_t g) {
                m[g].sum2 += d2;
                m[g].sum4 += d2 * d2;
                m[g].sum_fs += fs;
                ++m[g].count;
            };
            add(0);
            if (!types.empty() && types[i] >= 1 && types[i] <= num_types) add(std::size_t(types[i]));
        }
    });
    std::vector<displacement_moments> out(groups);
    for (const auto& p : part)
        for (std::size_t g = 0; g < groups; ++g) out[g] += p[g];
    return out;
}

/// Positions of successive frames in the *first* frame's row order (matched by id), unwrapped
/// by minimum-image increments unless the input is already unwrapped.
template <class T = double>
class unwrapped_trajectory {
public:
    explicit unwrapped_trajectory(bool input_is_unwrapped = false) : input_unwrapped_(input_is_unwrapped) {}

    template <particle_storage S, box B>
    const std::vector<vec3<T>>& add(const S& positions, const B& bx, std::span<const std::int64_t> ids,
                                    const std::string& what = "frame") {
        const std::size_t n = tessera::size(positions);
        if (ids.size() != n) throw error(what + ": ids and positions differ in length");
        if (frames_ == 0) {
            first_ = id_index(ids, what);
            current_.resize(n);
            previous_.resize(n);
            for (std::size_t i = 0; i < n; ++i) current_[i] = previous_[i] = vec3<T>(position(positions, i));
            ++frames_;
            return current_;
        }
        const id_index idx(ids, what);
        const auto rows = match_ids(idx, first_, id_mismatch::error, what, "current", "first");  // first-frame row -> this row
        for (std::size_t i = 0; i < n; ++i) {
            const vec3<T> r(position(positions, rows[i]));
            if (input_unwrapped_) current_[i] = r;
            else current_[i] += vec3<T>(bx.minimum_image(vec3<typename B::value_type>(r - previous_[i])));
            previous_[i] = r;
        }
        ++frames_;
        return current_;
    }
    const std::vector<vec3<T>>& positions() const noexcept { return current_; }
    const id_index& first_index() const noexcept { return first_; }
    std::size_t frames() const noexcept { return frames_; }

private:
    bool input_unwrapped_;
    id_index first_;
    std::vector<vec3<T>> current_, previous_;
    std::size_t frames_ = 0;
};

/// MSD, α₂ and F_s at a fixed set of lags (in frames), averaged over time origins every
/// `origin_stride` frames. Feed unwrapped positions (matched rows) frame by frame; memory is a
/// ring buffer of max(lags) + 1 frames.
template <class T = double>
class displacement_correlator {
public:
    displacement_correlator(std::vector<std::size_t> lags, int num_types = 0, std::vector<vec3<T>> q = {},
                            std::size_t origin_stride = 1)
        : lags_(std::move(lags)), num_types_(num_types), q_(std::move(q)), stride_(origin_stride) {
        if (lags_.empty()) throw error("displacement_correlator: no lags");
        if (stride_ == 0) throw error("displacement_correlator: origin stride must be at least 1");
        std::sort(lags_.begin(), lags_.end());
        lags_.erase(std::unique(lags_.begin(), lags_.end()), lags_.end());
        ring_.resize(lags_.back() + 1);
        sums_.assign(lags_.size(), std::vector<displacement_moments>(std::size_t(num_types_) + 1));
    }

    template <class Policy = serial_policy>
    void add(std::span<const vec3<T>> r, std::span<const int> types = {}, Policy policy = {}) {
        const std::size_t slot = frames_ % ring_.size();
        ring_[slot].assign(r.begin(), r.end());
        for (std::size_t l = 0; l < lags_.size(); ++l) {
            const std::size_t lag = lags_[l];
            if (lag > frames_) break;
            const std::size_t origin = frames_ - lag;
            if (origin % stride_ != 0) continue;
            const auto& r0 = ring_[origin % ring_.size()];
            if (r0.size() != r.size()) throw error("displacement_correlator: the number of atoms changed");
            const auto m = displacement_statistics<T>(r0, r, types, num_types_, q_, policy);
            for (std::size_t g = 0; g < m.size(); ++g) sums_[l][g] += m[g];
        }
        ++frames_;
    }

    std::span<const std::size_t> lags() const noexcept { return lags_; }
    /// Moments of lag index l, group g (0 = all atoms, g = type g).
    const displacement_moments& moments(std::size_t l, std::size_t g = 0) const { return sums_.at(l).at(g); }
    std::size_t frames() const noexcept { return frames_; }
    std::span<const vec3<T>> q_vectors() const noexcept { return q_; }

private:
    std::vector<std::size_t> lags_;
    int num_types_;
    std::vector<vec3<T>> q_;
    std::size_t stride_;
    std::vector<std::vector<vec3<T>>> ring_;
    std::vector<std::vector<displacement_moments>> sums_;
    std::size_t frames_ = 0;
};

/// Per-atom Δr² at given lags (in frames) from one origin (the first frame fed): column l is
/// filled when frame lags[l] arrives. Input: unwrapped positions in matched rows.
template <class T = double>
class lag_displacements {
public:
    explicit lag_displacements(std::vector<std::size_t> lags) : lags_(std::move(lags)), sq_(lags_.size()) {}
    void add(std::span<const vec3<T>> r) {
        if (frames_ == 0) origin_.assign(r.begin(), r.end());
        if (r.size() != origin_.size()) throw error("lag_displacements: the number of atoms changed");
        for (std::size_t l = 0; l < lags_.size(); ++l)
            if (lags_[l] == frames_) {
                sq_[l].resize(r.size());
                squared_displacements<T>(origin_, r, sq_[l]);
            }
        ++frames_;
    }
    bool complete() const noexcept {
        return std::all_of(lags_.begin(), lags_.end(), [&](std::size_t l) { return l < frames_; });
    }
    /// sq()[l][i] = Δr² of atom i at lag l (empty until that frame arrived).
    const std::vector<std::vector<T>>& sq() const noexcept { return sq_; }

private:
    std::vector<std::size_t> lags_;
    std::vector<std::vector<T>> sq_;
    std::vector<vec3<T>> origin_;
    std::size_t frames_ = 0;
};

}  // namespace tessera
