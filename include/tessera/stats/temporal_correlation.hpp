#pragma once
/// @file
/// Time autocorrelation of a field sampled at fixed sites (voxels of stats/voxel_field.hpp, or
/// atoms), streamed frame by frame, and the per-site relaxation time.
///
/// **TACF** (seed 004, Wu & Ruiz Pestana, Front. Mater. 10, 1272355 (2023), Eq. 3):
/// \f[ \mathrm{TACF}(\Delta t) = \big\langle (L^*(r_0,t_0) - m(t_0))\,
///     (L^*(r_0,t_0+\Delta t) - m(t_0+\Delta t)) \big\rangle_{r_0,\,t_0}, \f]
/// where L*(r₀, t) is the field at site r₀ in frame t and m(t) = ⟨L*(r, t)⟩_r = ⟨L(t)⟩_N the
/// system mean (for voxel fields the count-weighted mean of the voxel means, which is the mean
/// over the particles, as the paper states). The average is a joint one over every
/// (site, origin) pair with both values present: frames t₀ = 0 … T−1−Δt, all origins. A missing
/// value (NaN: an empty voxel) drops that pair only. The value is **unnormalised**, as the
/// paper's equation is; `tacf_normalised` = TACF(Δt)/TACF(0) is also returned (the zero
/// crossing is the same). Per site, TACF_{r₀}(Δt) is the same average over origins only
/// (the paper's TACF_{L*,r₀}, Fig. 9C).
///
/// Deliberate choice: each factor is taken about the mean of its own frame
/// (`tacf_reference::each_frame`, default). The printed Eq. 3 can be read as subtracting m(t₀) in
/// both factors; that reading is `tacf_reference::origin_frame`. They differ only through the drift
/// m(t₀+Δt) − m(t₀) (seed 004's ⟨L⟩ grows logarithmically in time, so the drift is real there).
/// `tacf_reference::none` correlates the raw values.
///
/// **Streaming.** With a maximum lag L, a ring buffer keeps the last L + 1 frames (sites × (L+1)
/// values and L + 1 means) and running sums/counts per site and lag are updated as each frame
/// arrives: memory 24 · sites · (L+1) bytes (memory_bytes()), independent of the number of frames,
/// and the result after T frames equals the all-origins average over the stored series exactly.
///
/// **Relaxation time** (seed 004, Fig. 9D: t_c = Δt(TACF_{r₀} = 0)): the first lag k ≥ 1 (lags
/// without samples skipped) with TACF_{r₀}(k) ≤ 0, linearly interpolated from the previous
/// sampled lag k' (TACF > 0): t_c = k' + (k − k') C(k') / (C(k') − C(k)), in units of the frame
/// interval; `interpolate = false` reports k itself. A site whose TACF stays positive up to the
/// maximum lag is *censored* (t_c ≥ L, reported as NaN); a site without data at lag 0 or with
/// TACF(0) = 0 (it never fluctuates) is *undefined* (NaN). Fit the distribution of t_c with
/// stats/power_law.hpp.

#include <tessera/core/error.hpp>
#include <tessera/stats/voxel_field.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace tessera {

/// Which mean each factor of the TACF is taken about (see the file comment).
enum class tacf_reference { each_frame, origin_frame, none };

struct temporal_correlation_table {
    std::size_t sites = 0, max_lag = 0, frames = 0;
    std::vector<double> tacf;             ///< [k], k = 0 … max_lag; NaN where no samples
    std::vector<double> tacf_normalised;  ///< tacf[k] / tacf[0]
    std::vector<std::uint64_t> samples;   ///< (site, origin) pairs behind tacf[k]
    std::vector<double> site_tacf;        ///< [v · (max_lag+1) + k]; NaN where no samples
    std::vector<std::uint64_t> site_samples;  ///< origins behind site_tacf, same layout
    double site(std::size_t v, std::size_t k) const { return site_tacf[v * (max_lag + 1) + k]; }
};

/// Streaming TACF over sites with a ring buffer of max_lag + 1 frames.
class temporal_correlation {
public:
    temporal_correlation(std::size_t sites, std::size_t max_lag, tacf_reference ref = tacf_reference::each_frame)
        : sites_(sites), lags_(max_lag + 1), ref_(ref) {
        if (sites == 0) throw error("temporal_correlation: the number of sites must be at least 1");
        if (max_lag >= std::size_t(1) << 24) throw error("temporal_correlation: max_lag = ", max_lag, " is too large");
        if (sites > (std::size_t(1) << 40) / lags_)
            throw error("temporal_correlation: ", sites, " sites x ", lags_, " lags is too large");
        buffer_.assign(sites_ * lags_, 0.0);
        means_.assign(lags_, 0.0);
        sum_.assign(sites_ * lags_, 0.0);
        count_.assign(sites_ * lags_, 0);
    }

    std::size_t sites() const noexcept { return sites_; }
    std::size_t max_lag() const noexcept { return lags_ - 1; }
    std::size_t frames() const noexcept { return frames_; }
    /// Bytes held for the buffer and the sums: 24 · sites · (max_lag + 1) + 8 · (max_lag + 1).
    std::size_t memory_bytes() const noexcept {
        return buffer_.size() * sizeof(double) + sum_.size() * sizeof(double) + count_.size() * sizeof(std::uint64_t) +
               means_.size() * sizeof(double);
    }

    /// Adds a frame whose system mean is the plain mean of the present (non-NaN) values.
    void add_frame(std::span<const double> values) {
        double m = 0;
        std::size_t n = 0;
        for (const double x : values)
            if (!std::isnan(x)) {
                m += x;
                ++n;
            }
        add_frame(values, n ? m / double(n) : std::numeric_limits<double>::quiet_NaN());
    }

    /// Adds a voxel field; the system mean is the count-weighted mean of the voxel means.
    void add_frame(const voxel_field& f) {
        double m = 0, n = 0;
        for (std::size_t v = 0; v < f.size(); ++v)
            if (f.count[v]) {
                m += f.mean[v] * double(f.count[v]);
                n += double(f.count[v]);
            }
        add_frame(f.mean, n > 0 ? m / n : std::numeric_limits<double>::quiet_NaN());
    }

    /// Adds a frame with an explicit system mean m(t). NaN values are missing.
    void add_frame(std::span<const double> values, double reference_mean) {
        if (values.size() != sites_)
            throw error("temporal_correlation: ", values.size(), " values for ", sites_, " sites");
        for (std::size_t v = 0; v < sites_; ++v)
            if (std::isinf(values[v])) throw error("temporal_correlation: value of site ", v, " is infinite");
        if (ref_ != tacf_reference::none && !std::isfinite(reference_mean))
            throw error("temporal_correlation: frame ", frames_, " has no finite mean (no values present?)");
        const std::size_t slot = frames_ % lags_;
        double* const now = buffer_.data() + slot * sites_;
        for (std::size_t v = 0; v < sites_; ++v) now[v] = values[v];
        means_[slot] = ref_ == tacf_reference::none ? 0.0 : reference_mean;
        const std::size_t kmax = frames_ < lags_ - 1 ? frames_ : lags_ - 1;
        for (std::size_t k = 0; k <= kmax; ++k) {
            const std::size_t o = (frames_ - k) % lags_;
            const double* const then = buffer_.data() + o * sites_;
            const double m0 = means_[o];
            const double m1 = ref_ == tacf_reference::origin_frame ? m0 : means_[slot];
            double* const s = sum_.data() + k * sites_;
            std::uint64_t* const c = count_.data() + k * sites_;
            for (std::size_t v = 0; v < sites_; ++v) {
                const double a = then[v], b = now[v];
                if (std::isnan(a) || std::isnan(b)) continue;
                s[v] += (a - m0) * (b - m1);
                ++c[v];
            }
        }
        ++frames_;
    }

    temporal_correlation_table result() const {
        temporal_correlation_table t;
        const double nan = std::numeric_limits<double>::quiet_NaN();
        t.sites = sites_;
        t.max_lag = lags_ - 1;
        t.frames = frames_;
        t.tacf.assign(lags_, nan);
        t.tacf_normalised.assign(lags_, nan);
        t.samples.assign(lags_, 0);
        t.site_tacf.assign(sites_ * lags_, nan);
        t.site_samples.assign(sites_ * lags_, 0);
        for (std::size_t k = 0; k < lags_; ++k) {
            double s = 0;
            std::uint64_t c = 0;
            for (std::size_t v = 0; v < sites_; ++v) {
                const double sv = sum_[k * sites_ + v];
                const std::uint64_t cv = count_[k * sites_ + v];
                s += sv;
                c += cv;
                t.site_samples[v * lags_ + k] = cv;
                if (cv) t.site_tacf[v * lags_ + k] = sv / double(cv);
            }
            t.samples[k] = c;
            if (c) t.tacf[k] = s / double(c);
        }
        for (std::size_t k = 0; k < lags_; ++k) t.tacf_normalised[k] = t.tacf[k] / t.tacf[0];
        return t;
    }

private:
    std::size_t sites_, lags_;
    tacf_reference ref_;
    std::size_t frames_ = 0;
    std::vector<double> buffer_;  // [slot · sites + v]
    std::vector<double> means_;   // [slot]
    std::vector<double> sum_;     // [k · sites + v]
    std::vector<std::uint64_t> count_;
};

/// Per-site relaxation times t_c (in lags) and how many sites fall in each case.
struct relaxation_times_result {
    std::vector<double> t_c;      ///< NaN when censored or undefined
    std::size_t crossed = 0;      ///< sites whose TACF reached ≤ 0 within max_lag
    std::size_t censored = 0;     ///< TACF > 0 at every sampled lag ≤ max_lag: t_c ≥ max_lag
    std::size_t undefined = 0;    ///< no data at lag 0, or TACF(0) = 0
};

/// t_c of every site from a temporal_correlation_table (definition in the file comment).
inline relaxation_times_result relaxation_times(const temporal_correlation_table& t, bool interpolate = true) {
    relaxation_times_result r;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::size_t lags = t.max_lag + 1;
    r.t_c.assign(t.sites, nan);
    for (std::size_t v = 0; v < t.sites; ++v) {
        const double* c = t.site_tacf.data() + v * lags;
        const std::uint64_t* n = t.site_samples.data() + v * lags;
        if (n[0] == 0 || !(c[0] > 0)) {
            ++r.undefined;
            continue;
        }
        std::size_t prev = 0;
        bool found = false;
        for (std::size_t k = 1; k < lags && !found; ++k) {
            if (n[k] == 0) continue;
            if (c[k] <= 0) {
                r.t_c[v] = interpolate ? double(prev) + double(k - prev) * c[prev] / (c[prev] - c[k]) : double(k);
                found = true;
            } else {
                prev = k;
            }
        }
        if (found) ++r.crossed;
        else ++r.censored;
    }
    return r;
}

}  // namespace tessera
