#pragma once
/// @file
/// LENS id sets, fast path: every pair within the cutoff found once (half shell of cells) and
/// written to both rows. Used by neighbor_id_set_builder (dynamics/lens.hpp) whenever each pair
/// has at most one periodic image within the cutoff — every periodic axis at least 3 bins of
/// width >= r_cut, i.e. cells wider than 3 r_cut — and otherwise the general path (a cell-list
/// query per particle, de-duplicating images with a stamp array) is used.
///
/// Binning mirrors cell_list (neighbors/cell_list.hpp): fractional coordinates, wrapping by whole
/// cell vectors along periodic axes, bins tiling [0, 1) (periodic) or the particles' extent
/// (open), x-fastest order, stable counting sort. Bins are at least r_cut (plus a relative 1e-9)
/// wide perpendicular to each face, so every neighbour of a particle lies in its own bin or one
/// of the 26 around it; with >= 3 bins per periodic axis those 27 bins are distinct, each pair of
/// bins has one image shift, and the 13 "forward" bins (offset (dx, dy, dz) > 0 in (dz, dy, dx)
/// order) plus the later members of a particle's own bin reach every pair exactly once.
///
/// Distance test: the same SIMD expression as the cell list's filter, ((x_j + shift) − x_i)²
/// summed over x, y, z, < r_cut². A pair is decided once, from the side that owns it (the
/// general path decides i→j and j→i separately; with a non-zero image shift the two can differ
/// in the last bit, which matters only for a pair within an ulp or so of r_cut).
///
/// Hits are extracted as indices only: with AVX-512VL a compress of the lane indices under the
/// comparison mask, elsewhere a lane loop. Everything is kept in buffers owned by the caller's
/// workspace, so a trajectory loop allocates nothing after its first frame.

#include <tessera/core/detail/popcount.hpp>
#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/neighbors/detail/distance_filter.hpp>  // has_batch
#include <tessera/neighbors/detail/wrap_position.hpp>

#include <xsimd/xsimd.hpp>

#if defined(__AVX512F__) && defined(__AVX512VL__)
#include <immintrin.h>
#define TESSERA_LENS_AVX512_COMPRESS 1
#endif

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <sstream>
#include <type_traits>
#include <vector>

namespace tessera::detail {

/// Appends to `out` the indices k in [k0, k1) with |(x_k + shift) − q|² < r2max. The arrays must
/// be readable up to k1 − 1 + batch size (the workspace pads them); `out` needs room for
/// (k1 − k0) + batch size entries.
template <class Arch, class T>
inline std::uint32_t* lens_filter_run(const T* xs, const T* ys, const T* zs, std::size_t k0, std::size_t k1,
                                      const vec3<T>& q, const vec3<T>& shift, T r2max, std::uint32_t* out) noexcept {
    if constexpr (has_batch<T, Arch>) {
        using batch = xsimd::batch<T, Arch>;
        constexpr std::size_t W = batch::size;
        const batch sx(shift.x), sy(shift.y), sz(shift.z), qx(q.x), qy(q.y), qz(q.z), cut(r2max);
        for (std::size_t k = k0; k < k1; k += W) {
            // as detail::filter_candidates: (x + s) − q, then dx² + dy² + dz²
            const batch dx = (batch::load_unaligned(xs + k) + sx) - qx;
            const batch dy = (batch::load_unaligned(ys + k) + sy) - qy;
            const batch dz = (batch::load_unaligned(zs + k) + sz) - qz;
            const batch r2 = dx * dx + dy * dy + dz * dz;
            const std::size_t valid = k1 - k < W ? k1 - k : W;
#if defined(TESSERA_LENS_AVX512_COMPRESS)
            if constexpr (std::is_same_v<T, double> && W == 8) {
                const __mmask8 m = __mmask8(_mm512_cmp_pd_mask(__m512d(r2), __m512d(cut), _CMP_LT_OQ) &
                                            ((1u << valid) - 1u));
                // branch-free: a batch holds a hit about half the time, unpredictably
                const __m256i idx = _mm256_add_epi32(_mm256_set1_epi32(int(k)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
                _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), _mm256_maskz_compress_epi32(m, idx));
                out += detail::popcount(unsigned(m));
                continue;
            } else if constexpr (std::is_same_v<T, float> && W == 16) {
                const __mmask16 m = __mmask16(_mm512_cmp_ps_mask(__m512(r2), __m512(cut), _CMP_LT_OQ) &
                                              ((1u << valid) - 1u));
                const __m512i idx = _mm512_add_epi32(_mm512_set1_epi32(int(k)),
                                                     _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
                _mm512_storeu_si512(out, _mm512_maskz_compress_epi32(m, idx));
                out += detail::popcount(unsigned(m));
                continue;
            }
#endif
            if (!xsimd::any(r2 < cut)) continue;
            alignas(64) T b2[W];
            r2.store_aligned(b2);
            for (std::size_t l = 0; l < valid; ++l) {
                *out = std::uint32_t(k + l);
                out += b2[l] < r2max;
            }
        }
    } else {
        for (std::size_t k = k0; k < k1; ++k) {
            const T dx = (xs[k] + shift.x) - q.x;
            const T dy = (ys[k] + shift.y) - q.y;
            const T dz = (zs[k] + shift.z) - q.z;
            *out = std::uint32_t(k);
            out += dx * dx + dy * dy + dz * dz < r2max;
        }
    }
    return out;
}

/// Batch width of lens_filter_run (its padding and output slack).
template <class Arch, class T>
constexpr std::size_t lens_batch_width() noexcept {
    if constexpr (has_batch<T, Arch>) return xsimd::batch<T, Arch>::size;
    else return 1;
}

/// Scratch of the half-shell pass: binned positions, the per-particle half lists, degrees.
template <class T>
struct lens_pair_scratch {
    // binning
    vec3<T> origin;
    mat3<T> h, h_inv;
    std::array<bool, 3> periodic{};
    std::array<T, 3> smin{}, span{};
    std::array<std::size_t, 3> nbin{1, 1, 1};
    std::vector<T> x, y, z;                  // wrapped positions in slot (bin) order, padded
    std::vector<std::uint32_t> index;        // slot -> row
    std::vector<std::uint32_t> bin_of;       // row -> bin (scratch)
    std::vector<std::uint32_t> bin_start;    // bin b holds slots [bin_start[b], bin_start[b + 1])
    std::vector<vec3<T>> wrapped, frac;      // row order (scratch)
    // half lists: per chunk of bins, concatenated in slot order
    std::vector<std::vector<std::uint32_t>> half;  // chunk -> slot ids j (owner: the slot whose turn it was)
    std::vector<std::size_t> half_used;
    std::vector<std::uint32_t> half_count;   // slot -> entries it owns
    std::vector<std::uint32_t> degree;       // slot -> |C_i|
    std::vector<std::uint32_t> owned;        // slot -> pairs it lists (partner of higher rank)
};

/// Counts the pairs (i, j) for j in [p, e): degrees of both, and which one lists the pair.
template <class T>
inline void lens_count(lens_pair_scratch<T>& w, const std::uint32_t* rank, std::size_t i, const std::uint32_t* p,
                       const std::uint32_t* e) noexcept {
    const std::uint32_t ri = rank[i];
    w.degree[i] += std::uint32_t(e - p);
    std::uint32_t mine = 0;
    for (; p != e; ++p) {
        const std::uint32_t j = *p;
        ++w.degree[j];
        const bool own = ri < rank[j];
        mine += own;
        w.owned[j] += !own;
    }
    w.owned[i] += mine;
}

/// Bins the particles for the half-shell pass. False when some periodic axis gets fewer than 3
/// bins (a pair could then have several images within the cutoff): use the general path.
template <class T, particle_storage S, box B>
bool lens_bin(lens_pair_scratch<T>& w, const S& particles, const B& bx, T rc, std::size_t pad) {
    const std::size_t n = tessera::size(particles);
    w.origin = vec3<T>(bx.origin());
    w.h = mat3<T>(bx.cell());
    w.h_inv = inverse(w.h);
    const vec3<T> width = perpendicular_widths(w.h);
    for (std::size_t d = 0; d < 3; ++d) w.periodic[d] = bx.periodic(d);
    w.wrapped.resize(n);
    w.frac.resize(n);
    std::array<T, 3> lo{std::numeric_limits<T>::max(), std::numeric_limits<T>::max(), std::numeric_limits<T>::max()};
    std::array<T, 3> hi{std::numeric_limits<T>::lowest(), std::numeric_limits<T>::lowest(), std::numeric_limits<T>::lowest()};
    for (std::size_t i = 0; i < n; ++i) {
        vec3<T> r(position(particles, i)), f;
        // as cell_list::build, except that a coordinate rounding up to 1 moves the position to
        // bin 0 with it: the 27-bin stencil needs every particle inside its bin
        wrap_position(i, r, f, w.origin, w.h, w.h_inv, w.periodic, roundup::move_position);
        for (std::size_t d = 0; d < 3; ++d) {
            lo[d] = std::min(lo[d], f[d]);
            hi[d] = std::max(hi[d], f[d]);
        }
        w.frac[i] = f;
        w.wrapped[i] = r;
    }
    // Bins at least rc (1 + 1e-9) wide, so that rounding cannot put a neighbour two bins away.
    T bw = rc * (T(1) + T(1e-9));
    for (std::size_t d = 0; d < 3; ++d) {
        if (w.periodic[d]) {
            w.smin[d] = 0;
            w.span[d] = 1;
        } else {
            w.smin[d] = n ? lo[d] : T(0);
            const T extent = n ? hi[d] - lo[d] : T(0);
            w.span[d] = extent > 0 ? extent * (T(1) + T(1e-9)) : bw / width[d];
        }
    }
    const std::size_t max_bins = std::max<std::size_t>(27, 2 * n);
    for (;;) {
        std::size_t total = 1;
        for (std::size_t d = 0; d < 3; ++d) {
            const T count = std::floor(w.span[d] * width[d] / bw);
            w.nbin[d] = count < 1 ? 1 : (count > T(1 << 20) ? std::size_t(1) << 20 : static_cast<std::size_t>(count));
            total *= w.nbin[d];
        }
        if (total <= max_bins) break;
        bw *= T(1.26);
    }
    for (std::size_t d = 0; d < 3; ++d)
        if (w.periodic[d] && w.nbin[d] < 3) return false;

    const std::size_t nb = w.nbin[0] * w.nbin[1] * w.nbin[2];
    w.bin_of.resize(n);
    w.bin_start.assign(nb + 1, 0);
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t b[3];
        for (std::size_t d = 0; d < 3; ++d) {
            const T u = (w.frac[i][d] - w.smin[d]) / w.span[d] * T(w.nbin[d]);
            const auto c = static_cast<std::int64_t>(std::floor(u));
            b[d] = static_cast<std::size_t>(std::clamp<std::int64_t>(c, 0, std::int64_t(w.nbin[d]) - 1));
        }
        w.bin_of[i] = std::uint32_t(b[0] + w.nbin[0] * (b[1] + w.nbin[1] * b[2]));
        ++w.bin_start[w.bin_of[i] + 1];
    }
    for (std::size_t b = 0; b < nb; ++b) w.bin_start[b + 1] += w.bin_start[b];
    w.index.resize(n);
    w.x.resize(n + pad);
    w.y.resize(n + pad);
    w.z.resize(n + pad);
    for (std::size_t i = 0; i < n; ++i) {  // stable: bins keep the input order
        const std::uint32_t k = w.bin_start[w.bin_of[i]]++;
        w.index[k] = std::uint32_t(i);
        w.x[k] = w.wrapped[i].x;
        w.y[k] = w.wrapped[i].y;
        w.z[k] = w.wrapped[i].z;
    }
    for (std::size_t b = nb; b > 0; --b) w.bin_start[b] = w.bin_start[b - 1];
    w.bin_start[0] = 0;
    for (std::size_t k = n; k < n + pad; ++k) w.x[k] = w.y[k] = w.z[k] = T(0);  // read, never kept
    return true;
}

/// The half-shell pass over bins [b0, b1): appends each pair once to `out` (grown as needed,
/// `used` entries kept), records per slot how many entries it found, and — given the ranks (one
/// chunk: nothing else writes the counts) — counts them (lens_count).
template <class Arch, class T>
void lens_half_pass(lens_pair_scratch<T>& w, T rc, std::size_t b0, std::size_t b1, std::vector<std::uint32_t>& out,
                    std::size_t& used, const std::uint32_t* rank) {
    constexpr std::size_t W = lens_batch_width<Arch, T>();
    const T r2max = rc * rc;
    const auto n0 = std::int64_t(w.nbin[0]), n1 = std::int64_t(w.nbin[1]), n2 = std::int64_t(w.nbin[2]);
    const vec3<T> a = w.h.column(0), b = w.h.column(1), c = w.h.column(2);
    const T* xs = w.x.data();
    const T* ys = w.y.data();
    const T* zs = w.z.data();
    struct run {
        std::size_t k0, k1;
        vec3<T> shift;
    };
    std::array<run, 16> runs;  // at most 4 rows x 2 runs + 1 (own row, wrapped)
    used = 0;
    for (std::size_t bin = b0; bin < b1; ++bin) {
        const std::size_t s0 = w.bin_start[bin], s1 = w.bin_start[bin + 1];
        if (s0 == s1) continue;
        const auto cx = std::int64_t(bin % w.nbin[0]), cy = std::int64_t((bin / w.nbin[0]) % w.nbin[1]),
                   cz = std::int64_t(bin / (w.nbin[0] * w.nbin[1]));
        std::size_t nr = 0, candidates = 0;
        // x range [x_lo, x_hi] of row (by, bz), split into runs of one image each
        auto add_row = [&](std::int64_t by, std::int64_t bz, std::int64_t x_lo, std::int64_t x_hi) {
            std::int64_t iy = 0, iz = 0;
            if (by < 0 || by >= n1) {
                if (!w.periodic[1]) return;
                iy = by < 0 ? -1 : 1;
                by -= iy * n1;
            }
            if (bz < 0 || bz >= n2) {
                if (!w.periodic[2]) return;
                iz = bz < 0 ? -1 : 1;
                bz -= iz * n2;
            }
            if (!w.periodic[0]) {
                x_lo = std::max<std::int64_t>(x_lo, 0);
                x_hi = std::min<std::int64_t>(x_hi, n0 - 1);
            }
            const std::size_t row = std::size_t(n0 * (by + n1 * bz));
            std::int64_t bx = x_lo;
            while (bx <= x_hi) {
                const std::int64_t ix = bx < 0 ? -1 : (bx >= n0 ? 1 : 0);
                const std::int64_t x0 = bx - ix * n0;
                const std::int64_t x1 = std::min(x_hi, (ix + 1) * n0 - 1) - ix * n0;
                bx = x1 + ix * n0 + 1;
                const std::size_t k0 = w.bin_start[row + std::size_t(x0)], k1 = w.bin_start[row + std::size_t(x1) + 1];
                if (k0 == k1) continue;
                // as cell_list::for_each_within
                runs[nr++] = {k0, k1, a * T(ix) + b * T(iy) + c * T(iz)};
                candidates += k1 - k0;
            }
        };
        // own bin: later members (handled per particle below), then bin x + 1 of the same row
        add_row(cy, cz, cx + 1, cx + 1);
        add_row(cy + 1, cz, cx - 1, cx + 1);
        add_row(cy - 1, cz + 1, cx - 1, cx + 1);
        add_row(cy, cz + 1, cx - 1, cx + 1);
        add_row(cy + 1, cz + 1, cx - 1, cx + 1);
        const std::size_t need = used + (s1 - s0) * (candidates + (s1 - s0)) + 2 * W;
        if (need > out.size()) out.resize(std::max(need, out.size() + out.size() / 2));
        std::uint32_t* o = out.data() + used;
        const vec3<T> zero{};
        for (std::size_t i = s0; i < s1; ++i) {
            const vec3<T> q{xs[i], ys[i], zs[i]};
            std::uint32_t* const start = o;
            o = lens_filter_run<Arch>(xs, ys, zs, i + 1, s1, q, zero, r2max, o);
            for (std::size_t r = 0; r < nr; ++r) o = lens_filter_run<Arch>(xs, ys, zs, runs[r].k0, runs[r].k1, q, runs[r].shift, r2max, o);
            w.half_count[i] = std::uint32_t(o - start);
            if (rank) lens_count(w, rank, i, start, o);
        }
        used = std::size_t(o - out.data());
    }
}

}  // namespace tessera::detail
