#pragma once
/// @file
/// Conventional (fixed-cutoff) common neighbour analysis with the signatures and codes of
/// LAMMPS `compute cna/atom RC` (Honeycutt & Andersen, J. Phys. Chem. 91, 4950 (1987);
/// Faken & Jónsson, Comput. Mater. Sci. 2, 279 (1994); Tsuzuki et al., Comput. Phys. Commun.
/// 177, 518 (2007)).
///
/// The neighbours of i are the particles with r² < RC² (every periodic image). A pair of
/// particles is *bonded* when they are closer than RC (strict). For each neighbour j of i:
/// the common neighbours are the neighbours of i bonded to j; count them (n_c), the bonds among
/// them (n_b), and, per common neighbour, its bonds to the other common neighbours (max and min).
/// Then, exactly as LAMMPS classifies:
///
/// | neighbours | condition                                                        | code    |
/// |------------|------------------------------------------------------------------|---------|
/// | 12         | all 12 bonds (n_c, n_b, max, min) = (4, 2, 1, 1)                 | 1 fcc   |
/// | 12         | six (4, 2, 1, 1) and six (4, 2, 2, 0)                            | 2 hcp   |
/// | 12         | all 12 (5, 5, 2, 2)                                              | 4 ico   |
/// | 14         | six (4, 4, 2, 2) and eight (6, 6, 2, 2)                          | 3 bcc   |
/// | otherwise (including more than 16 neighbours, where LAMMPS stops counting) | | 5 other |
///
/// LAMMPS's code 0 (unknown) marks atoms outside the compute group; tessera computes every
/// row, so 0 never appears.
///
/// Implementation note: common neighbours are found geometrically from i's own row (neighbours
/// k of i with |r_ik − r_ij|² < RC²), as LAMMPS does for ghost neighbours. For owned neighbours
/// LAMMPS intersects index lists instead, which is equivalent except (a) when the box is so
/// small that two images of one particle are both neighbours (the geometric test is the
/// correct one), and (b) when a neighbour j has more than 16 neighbours, whose list LAMMPS
/// truncates. So this descriptor needs only i's row and runs in the fused per-particle pass.
///
/// Needs `tessera::ball{r}` with r ≥ RC. Column: `cna` (codes as numbers).

#include <tessera/core/error.hpp>
#include <tessera/core/detail/simd_mask.hpp>
#include <tessera/descriptors/detail/cna_signatures.hpp>
#include <tessera/descriptors/descriptor.hpp>

#include <array>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include <xsimd/xsimd.hpp>

namespace tessera {

namespace detail {

/// Bonds among the n ≤ 16 neighbours of one particle: b.row[j] bit k set when |v_k − v_j|² < c2.
/// Each row is one or two SIMD comparisons over all k at once (the pairs are computed in both
/// orders; (v_k − v_j)² and (v_j − v_k)² are the same number, so the matrix stays symmetric).
template <class Arch, class T>
void cna_bond_matrix(const std::array<vec3<T>, 16>& v, std::size_t n, T c2, cna_bonds& b) noexcept {
    if constexpr (has_batch<T, Arch>) {
        using batch = xsimd::batch<T, Arch>;
        constexpr std::size_t W = batch::size;
        constexpr std::size_t padded = (16 + W - 1) / W * W;
        // far-away padding: never bonded (finite in float too: (1e18)² overflows to inf > c2)
        alignas(64) T x[padded], y[padded], z[padded];
        for (std::size_t k = 0; k < padded; ++k) {
            const bool real = k < n;
            x[k] = real ? v[k].x : T(1e18);
            y[k] = real ? v[k].y : T(1e18);
            z[k] = real ? v[k].z : T(1e18);
        }
        const std::uint32_t valid = (std::uint32_t(1) << n) - 1;
        for (std::size_t j = 0; j < n; ++j) {
            const batch xj(x[j]), yj(y[j]), zj(z[j]), cut(c2);
            std::uint64_t m = 0;
            for (std::size_t k = 0; k < n; k += W) {
                const batch dx = batch::load_aligned(x + k) - xj;
                const batch dy = batch::load_aligned(y + k) - yj;
                const batch dz = batch::load_aligned(z + k) - zj;
                m |= bitmask(dx * dx + dy * dy + dz * dz < cut) << k;
            }
            b.row[j] = std::uint32_t(m) & valid & ~(std::uint32_t(1) << j);
        }
    } else {
        for (std::size_t j = 0; j < n; ++j)
            for (std::size_t k = j + 1; k < n; ++k)
                if (norm2(v[k] - v[j]) < c2) b.set(j, k);
    }
}

}  // namespace detail

struct cna {
    static constexpr neighbor_need need = neighbor_need::ball;

    double cutoff = 0;  ///< RC (required, > 0, at most the ball stage's radius)

    /// LAMMPS's MAXNEAR: more neighbours than this classify as other.
    static constexpr std::size_t max_neighbors = 16;

    neighbor_request request() const { return neighbor_request::within(cutoff); }

    std::vector<std::string> columns(const particle_properties&) const { return {"cna"}; }

    void prepare(const neighbor_stage_info& stage, const particle_properties&) const {
        if (!(cutoff > 0) || cutoff > stage.radius) {
            throw error("cna: cutoff ", cutoff, " must be positive and at most the neighbour radius ", stage.radius);
        }
    }

    template <class T>
    void compute(const particle_row<T>& row, output_row<T> out) const {
        out[0] = T(int(classify(row.vectors, row.distances2, cutoff)));
    }

    /// Code of one neighbourhood: bond vectors r_j − r_i, their squared lengths, cutoff RC.
    /// Bonds at or beyond RC are ignored.
    template <class T>
    static cna_structure classify(std::span<const vec3<T>> vectors, std::span<const T> d2, double rc) {
        const T c2 = T(rc) * T(rc);
        std::array<vec3<T>, max_neighbors> v;  // max_neighbors = 16: cna_bond_matrix pads to SIMD width
        std::size_t n = 0;
        for (std::size_t k = 0; k < vectors.size(); ++k) {
            if (!(d2[k] < c2)) continue;
            if (n == max_neighbors) return cna_structure::other;
            v[n++] = vectors[k];
        }
        if (n != 12 && n != 14) return cna_structure::other;
        detail::cna_bonds b;
        b.n = n;
        detail::cna_bond_matrix<xsimd::default_arch>(v, n, c2, b);
        int n4211 = 0, n4220 = 0, n5522 = 0, n4422 = 0, n6622 = 0;
        for (std::size_t j = 0; j < n; ++j) {
            const auto s = detail::cna_signature_of<false>(b, j);
            const auto is = [&](int c, int bo, int mx, int mn) {
                return s.common == c && s.bonds == bo && s.max_bonds == mx && s.min_bonds == mn;
            };
            if (n == 12) {
                if (is(4, 2, 1, 1)) ++n4211;
                else if (is(4, 2, 2, 0)) ++n4220;
                else if (is(5, 5, 2, 2)) ++n5522;
            } else {
                if (is(4, 4, 2, 2)) ++n4422;
                else if (is(6, 6, 2, 2)) ++n6622;
            }
        }
        if (n == 12) {
            if (n4211 == 12) return cna_structure::fcc;
            if (n4211 == 6 && n4220 == 6) return cna_structure::hcp;
            if (n5522 == 12) return cna_structure::ico;
            return cna_structure::other;
        }
        if (n4422 == 6 && n6622 == 8) return cna_structure::bcc;
        return cna_structure::other;
    }
};

}  // namespace tessera
