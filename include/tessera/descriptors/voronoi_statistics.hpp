#pragma once
/// @file
/// Polyhedron-type statistics over Voronoi indices <n3,n4,n5,n6>, and the propensity of a subset
/// of atoms for each type (Eq. 1 of Liu, He, Lu, Zhou, Tian, Liang, Ma, Yang & Shen,
/// machine-learned temperature in metallic glasses):
///
///     f_total(p)  = N_total(p) / N_total,        f_sub(p) = N_sub(p) / N_sub,
///     Δf_sub(p)   = (f_sub(p) − f_total(p)) / f_total(p) × 100 %.
///
/// Δf > 0: the polyhedron type is over-represented in the subset (e.g. the 10 % most liquid-like
/// atoms). For each type also its d5 = n5 / (n3 + n4 + n5 + n6). Inputs are the n3..n6 columns of
/// voronoi_cell_descriptors (any thresholds) and a subset as a 0/1 mask. The counting and Δf are
/// stats/conditional.hpp's category_propensity over the index <n3,n4,n5,n6> as the label.

#include <tessera/core/error.hpp>
#include <tessera/stats/conditional.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <span>
#include <tuple>
#include <vector>

namespace tessera {

using voronoi_index = std::array<int, 4>;  ///< <n3, n4, n5, n6>

struct polyhedron_stat {
    voronoi_index index{};
    std::size_t count_total = 0, count_subset = 0;
    double fraction_total = 0, fraction_subset = 0;
    double propensity = 0;  ///< Δf in percent (−100 when absent from the subset)
    double d5 = 0;          ///< n5 / (n3 + n4 + n5 + n6) of the index
};

/// Statistics of every polyhedron type present, sorted by count in the subset (descending), then
/// by count in total, then by index. subset_mask empty: the subset is everyone (Δf = 0); a mask
/// that selects no atom is an error (the subset fractions are undefined).
template <class T>
std::vector<polyhedron_stat> polyhedron_statistics(std::span<const T> n3, std::span<const T> n4, std::span<const T> n5,
                                                   std::span<const T> n6, std::span<const unsigned char> subset_mask = {}) {
    const std::size_t n = n3.size();
    if (n4.size() != n || n5.size() != n || n6.size() != n || (!subset_mask.empty() && subset_mask.size() != n))
        throw error("polyhedron_statistics: columns and mask must have the same length");
    if (n == 0) return {};
    std::vector<voronoi_index> index(n);
    for (std::size_t i = 0; i < n; ++i) index[i] = {int(n3[i]), int(n4[i]), int(n5[i]), int(n6[i])};
    std::vector<polyhedron_stat> out;
    for (const auto& c : category_propensity<voronoi_index>(index, subset_mask)) {
        polyhedron_stat s;
        s.index = c.label;
        s.count_total = c.count_total;
        s.count_subset = c.count_subset;
        s.fraction_total = c.fraction_total;
        s.fraction_subset = c.fraction_subset;
        s.propensity = c.propensity;
        const auto& k = c.label;
        const int sum = k[0] + k[1] + k[2] + k[3];
        s.d5 = sum ? double(k[2]) / double(sum) : 0.0;
        out.push_back(s);
    }
    std::sort(out.begin(), out.end(), [](const polyhedron_stat& a, const polyhedron_stat& b) {
        return std::tie(b.count_subset, b.count_total, a.index) < std::tie(a.count_subset, a.count_total, b.index);
    });
    return out;
}

}  // namespace tessera
