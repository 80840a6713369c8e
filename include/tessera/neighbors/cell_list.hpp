#pragma once
/// @file
/// Cell list (binning) over fractional coordinates, for any box, any cutoff and any tilt.
///
/// Particles are binned in the box's fractional coordinates s = h⁻¹(r − lo): along a periodic
/// axis the bins tile [0, 1) and a particle is first wrapped by whole cell vectors; along a
/// non-periodic axis they tile the particles' own extent, so open boxes and boxes thinner than the
/// cutoff in a non-periodic direction need nothing special. A sphere of radius r around a point
/// spans r / w_d in fractional coordinate d (w_d: the perpendicular width of the cell), so a query
/// visits exactly the bins that range covers. On a periodic axis the range may run past the box
/// any number of times: each pass is another periodic image, which is why a cutoff longer than
/// half (or several) box lengths returns every image within reach, as LAMMPS's ghost atoms do.
///
/// Bins are stored in x-fastest order and particles sorted by bin, so bins that are adjacent in
/// x with the same image form one contiguous run of the SoA arrays; the distance filter
/// (detail/distance_filter.hpp) sweeps such runs with SIMD.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/neighbors/detail/distance_filter.hpp>
#include <tessera/neighbors/detail/wrap_position.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <sstream>
#include <utility>
#include <vector>

namespace tessera {

namespace detail {
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    const std::int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
}  // namespace detail

template <class T = double, class Arch = xsimd::default_arch>
class cell_list {
public:
    using value_type = T;
    static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
    /// Most periodic images of one particle a cutoff may reach ((2m+1)^3 for m box widths):
    /// build() refuses more, naming the box and the cutoff (a box in the wrong units, not physics).
    static constexpr std::size_t max_periodic_images = std::size_t(1) << 20;

    cell_list() = default;

    /// Bins all particles of `particles` (n_total of them; ghosts included) in `box`.
    /// `bin_width` is a length: bins are at least that wide perpendicular to each face (fewer,
    /// wider bins are used when the count would exceed ~2 bins per particle). A negative
    /// bin_width −m means "about m particles per bin" (see with_occupancy).
    template <particle_storage S, box B>
    cell_list(const S& particles, const B& box, T bin_width) {
        build(particles, box, bin_width);
    }

    template <particle_storage S, box B>
    void build(const S& particles, const B& box, T bin_width);

    /// Bins sized from the particles' mean density so that a bin holds about `per_bin` of them
    /// (for k-nearest queries, whose reach is not known in advance).
    template <particle_storage S, box B>
    static cell_list with_occupancy(const S& particles, const B& box, T per_bin) {
        cell_list c;
        c.build(particles, box, T(-1) * per_bin);
        return c;
    }

    std::size_t size() const noexcept { return index_.size(); }
    /// Particle position after wrapping into the box along periodic axes (same order as input).
    vec3<T> wrapped_position(std::size_t i) const noexcept {
        const std::size_t k = slot_[i];
        return {x_[k], y_[k], z_[k]};
    }
    /// Number density of the region the bins cover (for estimating nearest-neighbour radii).
    T density() const noexcept { return density_; }
    /// True when no axis is periodic: then the particle set is finite and queries can run out.
    bool all_open() const noexcept { return !periodic_[0] && !periodic_[1] && !periodic_[2]; }
    /// Longest distance between two particles when all axes are open (an upper bound).
    T open_extent() const noexcept { return open_extent_; }
    const std::array<std::size_t, 3>& bins() const noexcept { return nbin_; }

    /// Calls sink(j, r, r2) for every particle j and periodic image with r = r_j − p,
    /// r2 = |r|² < radius². `self` (an input index, or npos) is excluded at zero image shift.
    template <class Sink>
    void for_each_within(const vec3<T>& p, T radius, std::size_t self, Sink&& sink) const {
        for_each_within(p, radius, self, [](std::int64_t, std::int64_t, std::int64_t, const vec3<T>&) {}, sink);
    }
    /// The same, also calling on_image(ix, iy, iz, shift) before the candidates of each periodic
    /// image (shift = ix·a + iy·b + iz·c, the exact vector added to those candidates' positions):
    /// lets a list store a small image code per bond instead of the bond vector.
    template <class OnImage, class Sink>
    void for_each_within(const vec3<T>& p, T radius, std::size_t self, OnImage&& on_image, Sink&& sink) const;

private:
    // Geometry of the binning frame.
    vec3<T> origin_;
    mat3<T> h_, h_inv_;
    std::array<bool, 3> periodic_{};
    std::array<T, 3> smin_{}, span_{}, width_{};  // fractional offset/extent of bins, perpendicular widths
    std::array<std::size_t, 3> nbin_{1, 1, 1};
    T density_ = 0, open_extent_ = 0;
    // Particles sorted by bin (SoA) and the bookkeeping between orders.
    std::vector<T> x_, y_, z_;
    // 32-bit like neighbor_index (neighbor_list.hpp): 8 B per particle instead of 16.
    std::vector<std::uint32_t> index_;     // sorted slot -> input index
    std::vector<std::uint32_t> slot_;      // input index -> sorted slot
    std::vector<std::size_t> bin_start_;   // bin b holds slots [bin_start_[b], bin_start_[b+1])
};

template <class T, class Arch>
template <particle_storage S, box B>
void cell_list<T, Arch>::build(const S& particles, const B& box, T bin_width) {
    const std::size_t n = tessera::size(particles);
    if (n > std::numeric_limits<std::uint32_t>::max())
        throw error("cell_list: ", n, " particles; at most 2^32 - 1 are supported (32-bit particle indices)");
    const T per_bin = bin_width < 0 ? -bin_width : T(0);
    if (per_bin > 0) bin_width = T(1);  // replaced below, once the density is known
    if (!(bin_width > 0) || !std::isfinite(bin_width)) {
        throw error("cell_list: bin width must be positive and finite, got ", bin_width);
    }
    origin_ = vec3<T>(box.origin());
    h_ = mat3<T>(box.cell());
    h_inv_ = inverse(h_);
    const vec3<T> w = perpendicular_widths(h_);
    for (std::size_t d = 0; d < 3; ++d) {
        periodic_[d] = box.periodic(d);
        width_[d] = w[d];
    }
    // A cutoff many times the box reaches (2m+1)^3 periodic images of every particle: legitimate
    // for a thin slab (a few), never for a box in the wrong units (1e-10 against 3 Å: 10^31, a
    // search that never ends). Refused here, before any parallel loop can meet it.
    if (per_bin == 0) {
        double images = 1;
        for (std::size_t d = 0; d < 3; ++d)
            if (periodic_[d]) images *= 2 * std::ceil(double(bin_width) / double(width_[d])) + 1;
        if (!(images <= double(max_periodic_images)))
            throw error("neighbour search: a cutoff of ", bin_width, " in a periodic box of widths ", width_[0], " x ",
                        width_[1], " x ", width_[2], " reaches ", images,
                        " periodic images of every atom (at most ", max_periodic_images,
                        "): the box is far smaller than the cutoff (check the box bounds and the cutoff's units)");
    }

    // Fractional coordinates, wrapped along periodic axes by whole cell vectors: computed here
    // for the bounds and again when binning, instead of keeping them (24 B per particle at the
    // peak of the build). Each particle's bin is computed once (kept in slot_ until the fill),
    // so the counting sort is consistent whatever the compiler does to the arithmetic.
    auto fractional = [&](std::size_t i) {
        vec3<T> r(position(particles, i)), f;
        detail::wrap_position(i, r, f, origin_, h_, h_inv_, periodic_, detail::roundup::keep_position);
        return std::pair{r, f};
    };
    // Sized with the filter's padding from the start: growing them by the padding afterwards
    // reallocates each to twice its size (libstdc++'s growth), 24 B per particle for nothing.
    x_.resize(n + detail::filter_padding);
    y_.resize(n + detail::filter_padding);
    z_.resize(n + detail::filter_padding);
    std::array<T, 3> lo{std::numeric_limits<T>::max(), std::numeric_limits<T>::max(), std::numeric_limits<T>::max()};
    std::array<T, 3> hi{std::numeric_limits<T>::lowest(), std::numeric_limits<T>::lowest(),
                        std::numeric_limits<T>::lowest()};
    for (std::size_t i = 0; i < n; ++i) {
        const auto [r, f] = fractional(i);
        for (std::size_t d = 0; d < 3; ++d) {
            lo[d] = std::min(lo[d], f[d]);
            hi[d] = std::max(hi[d], f[d]);
        }
        x_[i] = r.x;
        y_[i] = r.y;
        z_[i] = r.z;
    }

    // Bin layout: periodic axes tile [0,1); open axes tile the particles' extent.
    T region_volume = std::abs(determinant(h_));
    open_extent_ = 0;
    for (std::size_t d = 0; d < 3; ++d) {
        if (periodic_[d]) {
            smin_[d] = 0;
            span_[d] = 1;
        } else {
            smin_[d] = n ? lo[d] : T(0);
            const T extent = n ? hi[d] - lo[d] : T(0);
            // An extent of zero (all particles in one plane) still needs a non-zero span.
            span_[d] = extent > 0 ? extent * (T(1) + T(1e-9)) : bin_width / width_[d];
            region_volume *= span_[d];
            open_extent_ += span_[d] * norm(h_.column(d));
        }
    }
    density_ = region_volume > 0 ? T(n) / region_volume : T(0);
    T bw = bin_width;
    if (per_bin > 0 && density_ > 0 && std::isfinite(density_)) bw = std::cbrt(per_bin / density_);
    const std::size_t max_bins =
        std::min<std::size_t>(std::max<std::size_t>(27, 2 * n), std::numeric_limits<std::uint32_t>::max());
    for (;;) {
        std::size_t total = 1;
        for (std::size_t d = 0; d < 3; ++d) {
            const T count = std::floor(span_[d] * width_[d] / bw);
            nbin_[d] = count < 1 ? 1 : (count > T(1 << 20) ? std::size_t(1) << 20 : static_cast<std::size_t>(count));
            total *= nbin_[d];
        }
        if (total <= max_bins) break;
        bw *= T(1.26);
    }

    // Counting sort by bin (stable: equal bins keep input order, so results are deterministic).
    const std::size_t nb = nbin_[0] * nbin_[1] * nbin_[2];
    auto bin_of = [&](std::size_t i) {
        const vec3<T> f = fractional(i).second;
        std::size_t b[3];
        for (std::size_t d = 0; d < 3; ++d) {
            const T u = (f[d] - smin_[d]) / span_[d] * T(nbin_[d]);
            const auto c = static_cast<std::int64_t>(std::floor(u));
            b[d] = static_cast<std::size_t>(std::clamp<std::int64_t>(c, 0, std::int64_t(nbin_[d]) - 1));
        }
        return b[0] + nbin_[0] * (b[1] + nbin_[1] * b[2]);
    };
    bin_start_.assign(nb + 1, 0);
    index_.resize(n);
    slot_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        slot_[i] = static_cast<std::uint32_t>(bin_of(i));  // the bin, until the fill below
        ++bin_start_[slot_[i] + 1];
    }
    for (std::size_t b = 0; b < nb; ++b) bin_start_[b + 1] += bin_start_[b];
    std::vector<std::size_t> fill(bin_start_.begin(), bin_start_.end() - 1);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = fill[slot_[i]]++;
        index_[k] = static_cast<std::uint32_t>(i);
        slot_[i] = static_cast<std::uint32_t>(k);
    }
    // Permute the wrapped positions into slot order.
    std::vector<T> tmp(n + detail::filter_padding);
    for (std::vector<T>* a : {&x_, &y_, &z_}) {
        for (std::size_t k = 0; k < n; ++k) tmp[k] = (*a)[index_[k]];
        a->swap(tmp);
    }
    // Readable padding after the last slot: the filter loads whole batches past a run's end
    // and masks the extra lanes (detail::filter_candidates_padded).
    for (std::vector<T>* a : {&x_, &y_, &z_}) std::fill(a->begin() + std::ptrdiff_t(n), a->end(), T(0));
}

template <class T, class Arch>
template <class OnImage, class Sink>
void cell_list<T, Arch>::for_each_within(const vec3<T>& p, T radius, std::size_t self, OnImage&& on_image,
                                         Sink&& sink) const {
    if (index_.empty() || !(radius > 0)) return;
    const vec3<T> f = h_inv_ * (p - origin_);
    std::int64_t lo[3], hi[3];
    for (std::size_t d = 0; d < 3; ++d) {
        const T scale = T(nbin_[d]) / span_[d];
        const T u = (f[d] - smin_[d]) * scale;
        const T reach = radius / width_[d] * scale;
        lo[d] = static_cast<std::int64_t>(std::floor(u - reach));
        hi[d] = static_cast<std::int64_t>(std::floor(u + reach));
        if (!periodic_[d]) {
            lo[d] = std::max<std::int64_t>(lo[d], 0);
            hi[d] = std::min<std::int64_t>(hi[d], std::int64_t(nbin_[d]) - 1);
            if (lo[d] > hi[d]) return;
        }
    }
    const T r2max = radius * radius;
    const std::size_t self_slot = self == npos ? npos : slot_[self];
    const auto n0 = std::int64_t(nbin_[0]), n1 = std::int64_t(nbin_[1]), n2 = std::int64_t(nbin_[2]);
    const vec3<T> a = h_.column(0), b = h_.column(1), c = h_.column(2);

    for (std::int64_t bz = lo[2]; bz <= hi[2]; ++bz) {
        const std::int64_t iz = detail::floor_div(bz, n2), cz = bz - iz * n2;
        for (std::int64_t by = lo[1]; by <= hi[1]; ++by) {
            const std::int64_t iy = detail::floor_div(by, n1), cy = by - iy * n1;
            const std::size_t row = std::size_t(n0 * (cy + n1 * cz));
            // Split the x range into runs of bins sharing one image: each run is contiguous.
            std::int64_t bx = lo[0];
            while (bx <= hi[0]) {
                const std::int64_t ix = detail::floor_div(bx, n0), cx0 = bx - ix * n0;
                const std::int64_t run_end = std::min(hi[0], (ix + 1) * n0 - 1);
                const std::int64_t cx1 = run_end - ix * n0;
                const std::size_t k0 = bin_start_[row + std::size_t(cx0)];
                const std::size_t k1 = bin_start_[row + std::size_t(cx1) + 1];
                bx = run_end + 1;
                if (k0 == k1) continue;
                const vec3<T> shift = a * T(ix) + b * T(iy) + c * T(iz);
                on_image(ix, iy, iz, shift);
                const bool zero_shift = ix == 0 && iy == 0 && iz == 0;
                const std::size_t skip = zero_shift ? self_slot : npos;
                auto emit = [&](std::size_t k, const vec3<T>& r, T r2) {
                    if (k != skip) sink(std::size_t(index_[k]), r, r2);
                };
                detail::filter_candidates_padded<Arch>(x_.data(), y_.data(), z_.data(), k0, k1, p, shift, r2max, emit);
            }
        }
    }
}

}  // namespace tessera
