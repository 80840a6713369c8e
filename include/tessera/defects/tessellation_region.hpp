#pragma once
/// @file
/// The part of a crystal a dislocation extraction analysis has to tessellate: the atoms near its
/// defects, and a test that tells which cells of their tessellation are cells of the whole one.
///
/// DXA's interface mesh lies where the elastic mapping fails — at atoms in no crystal and at
/// boundaries between clusters — and far from them every Delaunay cell is good crystal that no
/// Burgers circuit touches. So only the atoms within a radius R of such *seed* atoms need to be
/// tessellated. A cell of the tessellation of that subset is a cell of the whole tessellation
/// when no left-out atom lies inside its circumsphere (an empty sphere stays empty when atoms are
/// added back only outside it); `excludes_nothing_within` answers that for a sphere, and the
/// caller checks it for every cell its result depends on (defects/dislocations.hpp).
///
/// Atoms are binned on a grid in fractional coordinates (periodic axes wrap; open axes span the
/// atoms' extent), bins about `bin_width` wide. A bin is included when a seed's bin is within
/// R along every axis, counted in bins (a box around each seed bin that contains the ball of
/// radius R); every atom of an included bin is included. A sphere is then free of left-out atoms
/// when every bin its bounding box in fractional coordinates overlaps is included or empty.
/// The test is conservative (bins, bounding boxes): it may call a true cell doubtful, never the
/// reverse.
#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace tessera {

class tessellation_region {
public:
    /// Atoms at `positions` in `box`; `seed[i]` != 0 marks a seed; atoms within `radius` of a seed
    /// (at least) are included; bins about `bin_width` wide (both in length units).
    template <class Box>
    tessellation_region(const std::vector<std::array<double, 3>>& positions, const Box& box,
                        const std::vector<std::uint8_t>& seed, double radius, double bin_width) {
        if (!(radius > 0) || !(bin_width > 0) || !std::isfinite(radius) || !std::isfinite(bin_width))
            throw error("tessellation_region: radius and bin width must be positive and finite (", radius, ", ",
                        bin_width, ")");
        const std::size_t n = positions.size();
        if (seed.size() != n) throw error("tessellation_region: ", seed.size(), " seed flags for ", n, " atoms");
        const mat3<double> h = box.cell();
        h_inverse_ = inverse(h);
        origin_ = box.from_fractional(vec3<double>{0, 0, 0});
        const vec3<double> cols[3] = {h.column(0), h.column(1), h.column(2)};
        const double volume = std::abs(dot(cols[0], cross(cols[1], cols[2])));
        std::vector<vec3<double>> s(n);
        for (std::size_t i = 0; i < n; ++i) {
            const vec3<double> r{positions[i][0], positions[i][1], positions[i][2]};
            s[i] = h_inverse_ * (box.wrap(r) - origin_);
        }
        for (std::size_t d = 0; d < 3; ++d) {
            periodic_[d] = box.periodic(d);
            // Length per unit of fractional coordinate, perpendicular to the other two axes.
            width_[d] = volume / std::sqrt(norm2(cross(cols[(d + 1) % 3], cols[(d + 2) % 3])));
            if (periodic_[d]) {
                low_[d] = 0, range_[d] = 1;
            } else {
                double lo = n ? s[0][d] : 0, hi = lo;
                for (const auto& x : s) lo = std::min(lo, x[d]), hi = std::max(hi, x[d]);
                low_[d] = lo, range_[d] = std::max(hi - lo, 1e-12);
            }
            const double cells = std::floor(range_[d] * width_[d] / bin_width);
            bins_[d] = int(std::clamp(cells, 1.0, 1024.0));
        }
        // No more bins than a few per atom (a sparse gas in a large box).
        while (double(bins_[0]) * bins_[1] * bins_[2] > 8.0 * double(n) + 64)
            for (auto& b : bins_) b = std::max(1, b / 2);
        const std::size_t total = std::size_t(bins_[0]) * std::size_t(bins_[1]) * std::size_t(bins_[2]);
        std::vector<std::uint32_t> bin_of(n);
        std::vector<std::uint8_t> marked(total, 0);
        for (std::size_t i = 0; i < n; ++i) {
            std::array<int, 3> b;
            for (std::size_t d = 0; d < 3; ++d) b[d] = bin_along(d, s[i][d]);
            bin_of[i] = std::uint32_t(flat(b));
            if (seed[i]) marked[bin_of[i]] = 1;
        }
        // Dilate by k_d bins along each axis in turn (a box around every seed bin).
        for (std::size_t d = 0; d < 3; ++d) {
            const double bin_length = range_[d] * width_[d] / bins_[d];
            const int k = int(std::ceil(radius / bin_length));
            dilate(marked, d, k);
        }
        included_.assign(n, 0);
        for (std::size_t i = 0; i < n; ++i) included_[i] = marked[bin_of[i]];
        // Guards: one left-out atom (the lowest index) per block of about guard_bins bins along
        // each axis joins the tessellation, so the region's tessellation has no hull, and no
        // huge cells, where a whole one has none: every part of the cell (and of the ghost layer
        // around it) holds points a few bins apart.
        std::array<int, 3> blocks{};
        for (std::size_t d = 0; d < 3; ++d) blocks[d] = std::max(1, (bins_[d] + guard_bins - 1) / guard_bins);
        const std::size_t block_count =
            static_cast<std::size_t>(blocks[0]) * static_cast<std::size_t>(blocks[1]) * static_cast<std::size_t>(blocks[2]);
        std::vector<std::uint32_t> guard(block_count, std::numeric_limits<std::uint32_t>::max());
        for (std::size_t i = 0; i < n; ++i) {
            if (included_[i]) continue;
            std::size_t rest = bin_of[i];
            const std::size_t c = rest % std::size_t(bins_[2]);
            rest /= std::size_t(bins_[2]);
            const std::size_t b = rest % std::size_t(bins_[1]), a = rest / std::size_t(bins_[1]);
            const std::size_t block = (a / guard_bins * std::size_t(blocks[1]) + b / guard_bins) * std::size_t(blocks[2]) +
                                      c / guard_bins;
            if (guard[block] == std::numeric_limits<std::uint32_t>::max()) guard[block] = std::uint32_t(i);
        }
        for (const std::uint32_t g : guard)
            if (g != std::numeric_limits<std::uint32_t>::max()) included_[g] = 1;
        has_excluded_.assign(total, 0);
        for (std::size_t i = 0; i < n; ++i)
            if (!included_[i]) has_excluded_[bin_of[i]] = 1;
    }

    /// Per atom: 1 when it is in the region.
    const std::vector<std::uint8_t>& included() const noexcept { return included_; }
    std::size_t included_count() const noexcept {
        return std::size_t(std::count(included_.begin(), included_.end(), std::uint8_t(1)));
    }

    /// True when no atom outside the region can lie within `radius` of `centre` (length units,
    /// any periodic image). False for a non-finite sphere.
    bool excludes_nothing_within(const vec3<double>& centre, double radius) const {
        if (!std::isfinite(radius) || !std::isfinite(centre.x) || !std::isfinite(centre.y) || !std::isfinite(centre.z))
            return false;
        const vec3<double> s = h_inverse_ * (centre - origin_);
        std::array<int, 3> first{}, last{};
        for (std::size_t d = 0; d < 3; ++d) {
            // A sphere reaches radius / width along fractional axis d; widened by a relative 1e-9
            // (rounding of the centre) and read in bins.
            const double half = radius / width_[d] * (1 + 1e-9) + 1e-12;
            const double lo = (s[d] - half - low_[d]) / range_[d] * bins_[d];
            const double hi = (s[d] + half - low_[d]) / range_[d] * bins_[d];
            if (periodic_[d]) {
                if (hi - lo >= bins_[d] - 1) {
                    first[d] = 0, last[d] = bins_[d] - 1;
                } else {
                    first[d] = int(std::floor(lo)), last[d] = int(std::floor(hi));
                }
            } else {
                if (hi < 0 || lo >= bins_[d]) return true;  // beyond the atoms along an open axis
                first[d] = std::max(0, int(std::floor(lo))), last[d] = std::min(bins_[d] - 1, int(std::floor(hi)));
            }
        }
        for (int a = first[0]; a <= last[0]; ++a)
            for (int b = first[1]; b <= last[1]; ++b)
                for (int c = first[2]; c <= last[2]; ++c)
                    if (has_excluded_[flat({wrap_bin(0, a), wrap_bin(1, b), wrap_bin(2, c)})]) return false;
        return true;
    }

private:
    static constexpr int guard_bins = 4;  ///< guard spacing, in bins (about two neighbour cutoffs)
    mat3<double> h_inverse_ = mat3<double>::identity();
    vec3<double> origin_{};
    std::array<bool, 3> periodic_{};
    std::array<double, 3> width_{}, low_{}, range_{};
    std::array<int, 3> bins_{1, 1, 1};
    std::vector<std::uint8_t> included_, has_excluded_;

    int bin_along(std::size_t d, double s) const {
        const int b = int(std::floor((s - low_[d]) / range_[d] * bins_[d]));
        return periodic_[d] ? wrap_bin(d, b) : std::clamp(b, 0, bins_[d] - 1);
    }
    int wrap_bin(std::size_t d, int b) const { return ((b % bins_[d]) + bins_[d]) % bins_[d]; }
    std::size_t flat(const std::array<int, 3>& b) const {
        return (std::size_t(b[0]) * std::size_t(bins_[1]) + std::size_t(b[1])) * std::size_t(bins_[2]) + std::size_t(b[2]);
    }

    /// marked ← 1 where a marked bin lies within k bins along axis d (wrapping on periodic axes).
    void dilate(std::vector<std::uint8_t>& marked, std::size_t d, int k) const {
        const int m = bins_[d];
        if (k <= 0) return;
        std::vector<std::uint8_t> line(static_cast<std::size_t>(m)), out(static_cast<std::size_t>(m));
        std::vector<int> prefix(static_cast<std::size_t>(3 * m + 1));
        const std::size_t o1 = (d + 1) % 3, o2 = (d + 2) % 3;
        for (int u = 0; u < bins_[o1]; ++u)
            for (int v = 0; v < bins_[o2]; ++v) {
                std::array<int, 3> b{};
                b[o1] = u, b[o2] = v;
                for (int x = 0; x < m; ++x) b[d] = x, line[std::size_t(x)] = marked[flat(b)];
                // Prefix sums over three copies of the line (periodic) or one padded by zeros.
                prefix[0] = 0;
                for (int x = 0; x < 3 * m; ++x) {
                    const int value = periodic_[d] || (x >= m && x < 2 * m) ? line[std::size_t(x % m)] : 0;
                    prefix[std::size_t(x + 1)] = prefix[std::size_t(x)] + value;
                }
                for (int x = 0; x < m; ++x) {
                    const int lo = std::max(0, m + x - k), hi = std::min(3 * m, m + x + k + 1);
                    out[std::size_t(x)] = prefix[std::size_t(hi)] - prefix[std::size_t(lo)] > 0;
                }
                for (int x = 0; x < m; ++x) b[d] = x, marked[flat(b)] = out[std::size_t(x)];
            }
    }
};

}  // namespace tessera
