#pragma once
/// @file
/// Per-atom values mapped onto a voxel grid that follows the box, and the size dependence of the
/// voxel-averaged field's fluctuations.
///
/// **Voxels** (seed 004, Wu & Ruiz Pestana, Front. Mater. 10, 1272355 (2023), Sec. 2.4: "map each
/// configuration of the glass to a cube of side 1, discretize that space into 15 × 15 × 15 voxels"):
/// the grid lives in the box's fractional coordinates s = h⁻¹(r − lo), so a voxel is a fixed
/// fraction of the cell however the cell is tilted or strained, and voxel (ix, iy, iz) of frame t
/// and of frame t' are "the same place" — what the time autocorrelation needs. Along a periodic
/// axis s is wrapped into [0, 1) first (s − ⌊s⌋; the rounding case s − ⌊s⌋ = 1 for a tiny negative
/// s goes to the last voxel, where it belongs). Along a non-periodic axis a particle outside
/// [0, 1) is an error (the grid covers the box, not the particles' extent). Voxel index
/// v = ix + nx (iy + ny iz), with i_d = min(⌊s_d n_d⌋, n_d − 1).
///
/// Per voxel: count n_v, mean, and the population standard deviation (ddof = 0, NumPy's default)
/// sqrt(Σ (f_j − mean)² / n_v), computed in two passes (no cancellation). An empty voxel has
/// count 0 and NaN mean and std — it is "no data", not zero.
///
/// **Fluctuations ΔL*(N)** (seed 004, Sec. 2.4 and Fig. 8A): at each frame the field's voxel means
/// L̄_v deviate from the system mean m(t) = ⟨f(t)⟩ over all particles by d_v = L̄_v − m(t); with
/// N = (particles) / (voxels) the mean number of particles per voxel,
/// \f[ \Delta L^*(N) = \sqrt{\big\langle d_v^2 \big\rangle_{v,t}}
///     \quad\text{(rms, reported)} \qquad \langle |d_v| \rangle_{v,t} \quad\text{(also reported)}, \f]
/// averaged over the non-empty voxels of every frame, one row per grid size. The paper's printed
/// equation is garbled in our copy (which of "square root" and "average" comes first is not
/// legible), so both orders are given; what is certain from its text is that ΔL* is the deviation of
/// the *voxel-averaged* field from the system mean: it "becomes (artifactually) zero" when one
/// voxel is the whole system, and scales as N^(−1/2) for large N — neither holds for the spread of
/// the particles inside a voxel, which tends to the field's own standard deviation.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/vec.hpp>

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace tessera {

/// Grid dimensions nx, ny, nz (voxels per cell vector a, b, c).
using voxel_dims = std::array<std::size_t, 3>;

/// A voxelised per-atom field of one frame. Voxel v = ix + nx (iy + ny iz).
struct voxel_field {
    voxel_dims dims{0, 0, 0};
    std::vector<std::size_t> count;  ///< particles per voxel
    std::vector<double> mean;        ///< NaN where count = 0
    std::vector<double> stddev;      ///< population std (ddof = 0); NaN where count = 0
    std::size_t size() const noexcept { return count.size(); }
};

namespace detail {

inline void check_voxel_dims(const voxel_dims& dims, const char* who) {
    for (std::size_t d = 0; d < 3; ++d)
        if (dims[d] == 0) throw error(who, ": voxel grid dimension ", d, " is 0; every dimension must be >= 1");
    if (dims[0] > std::numeric_limits<std::uint32_t>::max() / dims[1] / dims[2])
        throw error(who, ": voxel grid ", dims[0], " x ", dims[1], " x ", dims[2], " is too large");
}

template <box B>
void check_closed_box(const B& bx, const char* who) {
    const double v = double(bx.volume());
    if (!(v > 0) || !std::isfinite(v)) throw error(who, ": needs a periodic or closed box (finite positive volume)");
}

/// Cell of s (fractional) on an n-grid along one axis: wrapped on periodic axes; outside [0, 1) on
/// an open axis gives npos when !clamp, else the nearest edge cell.
inline std::size_t fractional_cell(double s, std::size_t n, bool periodic, bool clamp) noexcept {
    constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
    if (periodic) s -= std::floor(s);
    else if (!(s >= 0.0 && s < 1.0)) {
        if (!clamp) return npos;
        s = s < 0.0 || std::isnan(s) ? 0.0 : 1.0;
    }
    const double u = std::floor(s * double(n));
    return u >= double(n) ? n - 1 : std::size_t(u);
}

/// Flat grid cell of particle position p (see fractional_cell).
template <box B, class T>
std::size_t grid_cell(const B& bx, const vec3<T>& p, const voxel_dims& dims, bool clamp) noexcept {
    using V = typename B::value_type;
    const vec3<V> s = bx.to_fractional(vec3<V>{V(p.x), V(p.y), V(p.z)});
    std::size_t c[3];
    for (std::size_t d = 0; d < 3; ++d) {
        c[d] = fractional_cell(double(s[d]), dims[d], bx.periodic(d), clamp);
        if (c[d] == std::numeric_limits<std::size_t>::max()) return c[d];
    }
    return c[0] + dims[0] * (c[1] + dims[1] * c[2]);
}

}  // namespace detail

/// Writes the voxel index of every particle into `out` (size = number of particles).
template <particle_storage S, box B>
void voxel_indices(const S& particles, const B& bx, const voxel_dims& dims, std::span<std::size_t> out) {
    detail::check_voxel_dims(dims, "voxel_indices");
    detail::check_closed_box(bx, "voxel_indices");
    const std::size_t n = tessera::size(particles);
    if (out.size() != n) throw error("voxel_indices: output has ", out.size(), " entries for ", n, " particles");
    for (std::size_t i = 0; i < n; ++i) {
        out[i] = detail::grid_cell(bx, tessera::position(particles, i), dims, false);
        if (out[i] == std::numeric_limits<std::size_t>::max())
            throw error("voxel_indices: particle ", i, " lies outside the box along a non-periodic axis");
    }
}

/// Voxelises `values` (one per particle) into `out`, reusing its storage across frames.
/// `index` is scratch for the particles' voxel indices (resized as needed).
template <particle_storage S, box B>
void voxelize(const S& particles, const B& bx, std::span<const double> values, const voxel_dims& dims,
              voxel_field& out, std::vector<std::size_t>& index) {
    const std::size_t n = tessera::size(particles);
    if (values.size() != n) throw error("voxelize: ", values.size(), " values for ", n, " particles");
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(values[i])) throw error("voxelize: value of particle ", i, " is not finite");
    index.resize(n);
    voxel_indices(particles, bx, dims, std::span<std::size_t>(index));
    const std::size_t nv = dims[0] * dims[1] * dims[2];
    out.dims = dims;
    out.count.assign(nv, 0);
    out.mean.assign(nv, 0.0);
    out.stddev.assign(nv, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        ++out.count[index[i]];
        out.mean[index[i]] += values[i];
    }
    for (std::size_t v = 0; v < nv; ++v)
        out.mean[v] = out.count[v] ? out.mean[v] / double(out.count[v]) : std::numeric_limits<double>::quiet_NaN();
    for (std::size_t i = 0; i < n; ++i) {
        const double e = values[i] - out.mean[index[i]];
        out.stddev[index[i]] += e * e;
    }
    for (std::size_t v = 0; v < nv; ++v)
        out.stddev[v] = out.count[v] ? std::sqrt(out.stddev[v] / double(out.count[v]))
                                     : std::numeric_limits<double>::quiet_NaN();
}

/// One-call form.
template <particle_storage S, box B>
voxel_field voxelize(const S& particles, const B& bx, std::span<const double> values, const voxel_dims& dims) {
    voxel_field out;
    std::vector<std::size_t> index;
    voxelize(particles, bx, values, dims, out, index);
    return out;
}

/// ΔL*(N) for one grid, accumulated over frames (see the file comment).
struct voxel_fluctuation_row {
    voxel_dims dims{0, 0, 0};
    double particles_per_voxel = 0;  ///< N: mean over frames of (particles / voxels)
    double rms = 0;                  ///< sqrt(⟨(L̄_v − m)²⟩) over non-empty voxels and frames
    double mean_abs = 0;             ///< ⟨|L̄_v − m|⟩ over the same
    std::size_t samples = 0;         ///< non-empty (voxel, frame) pairs averaged
};

/// Accumulates ΔL*(N) for several grid sizes at once.
class voxel_fluctuations {
public:
    explicit voxel_fluctuations(std::vector<voxel_dims> grids) : grids_(std::move(grids)) {
        if (grids_.empty()) throw error("voxel_fluctuations: no grid sizes given");
        for (const auto& g : grids_) detail::check_voxel_dims(g, "voxel_fluctuations");
        sum2_.assign(grids_.size(), 0.0);
        sum1_.assign(grids_.size(), 0.0);
        nsum_.assign(grids_.size(), 0.0);
        samples_.assign(grids_.size(), 0);
    }

    template <particle_storage S, box B>
    void add_frame(const S& particles, const B& bx, std::span<const double> values) {
        const std::size_t n = tessera::size(particles);
        if (n == 0) throw error("voxel_fluctuations: a frame without particles");
        if (values.size() != n) throw error("voxel_fluctuations: ", values.size(), " values for ", n, " particles");
        double m = 0;  // the system mean (= the count-weighted mean of the voxel means)
        for (const double x : values) m += x;
        m /= double(n);
        for (std::size_t g = 0; g < grids_.size(); ++g) {
            voxelize(particles, bx, values, grids_[g], field_, index_);
            for (std::size_t v = 0; v < field_.size(); ++v) {
                if (field_.count[v] == 0) continue;
                const double d = field_.mean[v] - m;
                sum2_[g] += d * d;
                sum1_[g] += std::abs(d);
                ++samples_[g];
            }
            nsum_[g] += double(n) / double(field_.size());
        }
        ++frames_;
    }

    std::size_t frames() const noexcept { return frames_; }

    std::vector<voxel_fluctuation_row> result() const {
        std::vector<voxel_fluctuation_row> rows(grids_.size());
        const double nan = std::numeric_limits<double>::quiet_NaN();
        for (std::size_t g = 0; g < grids_.size(); ++g) {
            rows[g].dims = grids_[g];
            rows[g].samples = samples_[g];
            rows[g].particles_per_voxel = frames_ ? nsum_[g] / double(frames_) : nan;
            rows[g].rms = samples_[g] ? std::sqrt(sum2_[g] / double(samples_[g])) : nan;
            rows[g].mean_abs = samples_[g] ? sum1_[g] / double(samples_[g]) : nan;
        }
        return rows;
    }

private:
    std::vector<voxel_dims> grids_;
    std::vector<double> sum2_, sum1_, nsum_;
    std::vector<std::size_t> samples_;
    std::size_t frames_ = 0;
    voxel_field field_;
    std::vector<std::size_t> index_;
};

}  // namespace tessera
