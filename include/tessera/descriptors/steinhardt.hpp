#pragma once
/// @file
/// Steinhardt bond-orientational order parameters (Steinhardt, Nelson & Ronchetti, PRB 28, 784
/// (1983)) and their Lechner–Dellago averages (Lechner & Dellago, JCP 129, 114707 (2008)).
///
/// For particle i with neighbour set N(i) (|N(i)| = N_i; see below) and bond directions
/// \f$ \hat r_{ij} \f$,
/// \f[ q_{lm}(i) = \frac{1}{N_i} \sum_{j \in N(i)} Y_{lm}(\hat r_{ij}), \qquad
///     q_l(i) = \sqrt{\frac{4\pi}{2l+1} \sum_{m=-l}^{l} |q_{lm}(i)|^2}, \f]
/// \f[ w_l(i) = \sum_{m_1+m_2+m_3=0} \begin{pmatrix} l & l & l \\ m_1 & m_2 & m_3 \end{pmatrix}
///     q_{lm_1}(i)\, q_{lm_2}(i)\, q_{lm_3}(i), \qquad
///     \hat w_l(i) = \frac{w_l(i)}{\left(\sum_m |q_{lm}(i)|^2\right)^{3/2}}. \f]
/// Lechner–Dellago (list descriptor steinhardt_average) average over i and its neighbours:
/// \f[ \bar q_{lm}(i) = \frac{1}{N_i + 1} \sum_{k \in \{i\} \cup N(i)} q_{lm}(k), \quad
///     \bar q_l = \sqrt{\tfrac{4\pi}{2l+1} \textstyle\sum_m |\bar q_{lm}|^2}, \quad
///     \bar w_l = \frac{\sum (l\,l\,l;\,m_1 m_2 m_3)\, \bar q_{lm_1} \bar q_{lm_2} \bar q_{lm_3}}
///                     {\left(\sum_m |\bar q_{lm}|^2\right)^{3/2}} \f]
/// (w̄_l is normalised, as Lechner & Dellago's eq. (6) define it).
///
/// Neighbours: `nnn = K > 0` — the K nearest, from a `tessera::nearest{K', rc}` stage with
/// K' >= K (rows are sorted, the first K are used); when fewer than K lie within rc, every output
/// of that particle is undefined: NaN (LAMMPS writes 0). `nnn = 0` — every neighbour of the row,
/// e.g. all within a `tessera::ball{rc}` (NaN when the row is empty). So `need` is `any`, checked
/// in prepare().
///
/// LAMMPS equivalence (Debian's LAMMPS 29 Sep 2021, `compute orientorder/atom`):
/// `nnn K degrees n l1 … wl yes wl/hat yes` = {q_l…, w_l…, ŵ_l…} with `nnn = K` and the stage
/// `nearest{K, pair cutoff}`; `nnn NULL cutoff rc` = `nnn = 0` with `ball{rc}`. That version's
/// w_l is the unnormalised sum above (no 1/sqrt(2l+1); its newer releases divide by sqrt(2l+1)),
/// ŵ_l is 0 when q_l < 1e-6, and columns come in its order: all q_l, then w_l, then ŵ_l.
/// Column names: q<l>, w<l>, what<l>; averaged: qbar<l>, wbar<l>. Degrees 0 <= l <= 12.
///
/// Y_lm sums are vectorized over bonds with xsimd (basic_steinhardt<Arch>, default
/// xsimd::default_arch); basic_steinhardt<void> is the scalar path.

#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/descriptors/detail/bond_order.hpp>
#include <tessera/descriptors/detail/spherical_harmonics.hpp>
#include <tessera/descriptors/descriptor.hpp>

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cmath>
#include <limits>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace tessera {

namespace detail {

/// Checks degrees and the neighbour selection against the stage; `who` names the descriptor.
inline void check_bond_order_setup(const char* who, std::span<const int> degrees, std::size_t nnn,
                                   const neighbor_stage_info& stage, bool face_weighted = false,
                                   double cutoff = 0) {
    std::ostringstream os;
    // A cutoff is what the stage must have cut at: the rows are used as given.
    if (cutoff < 0 || !std::isfinite(cutoff))
        os << who << ": cutoff " << cutoff << " must be >= 0 and finite";
    else if (cutoff > 0 && face_weighted)
        os << who << ": cutoff and face_weighted exclude each other (Voronoi neighbours have no cutoff)";
    else if (cutoff > 0 && std::abs(stage.radius - cutoff) > 1e-12 * cutoff)
        os << who << ": cutoff " << cutoff << " differs from the neighbour stage's radius " << stage.radius
           << " (rows are used as the stage gives them: use a stage of radius " << cutoff << ")";
    if (face_weighted && !stage.weighted)
        os << who << ": face_weighted needs a neighbour stage whose rows carry weights "
                     "(tessera::voronoi_neighbors, whose weights are the Voronoi face areas)";
    if (os.tellp() == 0 && degrees.empty()) os << who << ": give at least one degree l";
    for (std::size_t a = 0; a < degrees.size() && os.tellp() == 0; ++a) {
        if (degrees[a] < 0 || degrees[a] > max_degree)
            os << who << ": degree l = " << degrees[a] << " is outside 0.." << max_degree;
        for (std::size_t b = 0; b < a && os.tellp() == 0; ++b)
            if (degrees[a] == degrees[b]) os << who << ": degree l = " << degrees[a] << " is given twice";
    }
    if (os.tellp() == 0 && nnn > 0) {
        if (stage.provides != neighbor_need::sorted_nearest)
            os << who << ": nnn = " << nnn
               << " needs the k nearest sorted by distance (stage tessera::nearest{k}); use nnn = 0 for all "
                  "neighbours of a ball stage";
        else if (stage.k < nnn)
            os << who << ": nnn = " << nnn << " exceeds the neighbour stage's k = " << stage.k;
    }
    if (os.tellp() != 0) throw error(os.str());
}

/// The neighbours a bond-order descriptor reads: Voronoi, the nnn nearest (within cutoff when
/// given), or a ball of cutoff.
inline neighbor_request bond_order_request(std::size_t nnn, double cutoff, bool face_weighted) {
    if (face_weighted) return neighbor_request::voronoi_faces();
    const double r = cutoff > 0 ? cutoff : std::numeric_limits<double>::infinity();
    if (nnn > 0) return neighbor_request::nearest_k(nnn, r);
    return neighbor_request::within(r);
}

/// The bonds used for one row: the first nnn (nnn > 0), or all; empty when the row is too short.
template <class T>
std::span<const vec3<T>> bond_order_bonds(std::span<const vec3<T>> row, std::size_t nnn) noexcept {
    if (nnn == 0) return row;
    if (row.size() < nnn) return {};
    return row.first(nnn);
}

/// The weights matching bond_order_bonds(row, nnn): empty when unweighted.
template <class T>
std::span<const T> bond_order_weights(std::span<const T> weights, std::size_t bonds) noexcept {
    return weights.empty() ? weights : weights.first(bonds);
}

/// q_lm = (1/N) Σ Y_lm for every l <= lmax (indexed by ylm_index), or with weights
/// q_lm = Σ A_j Y_lm / Σ A_j (Mickel et al., J. Chem. Phys. 138, 044501 (2013): Voronoi face
/// areas); false when there are no bonds (or the weights sum to zero).
template <class Arch, class T>
bool row_qlm(std::span<const vec3<T>> bonds, int lmax, T* re, T* im, std::span<const T> weights = {},
             std::uint32_t needed = ~std::uint32_t(0)) noexcept {
    if (bonds.empty()) return false;
    T norm = T(bonds.size());
    if (!weights.empty()) {
        norm = T(0);
        for (std::size_t k = 0; k < bonds.size(); ++k) norm += weights[k];
        if (!(norm > T(0))) return false;
    }
    sum_ylm<Arch>(bonds, lmax, re, im, weights, needed);
    const T inv = T(1) / norm;
    for (std::size_t k = 0; k < ylm_count(lmax); ++k) {
        re[k] *= inv;
        im[k] *= inv;
    }
    return true;
}

/// Per-particle q_lm (m >= 0) of selected degrees for all rows of a list: the first pass of the
/// whole-list descriptors. Degree d of particle i occupies [i·stride + offset[d], … + l_d].
template <class T>
struct qlm_field {
    std::vector<int> degrees;
    std::vector<std::size_t> offset;
    std::size_t stride = 0;
    std::vector<T> re, im;
    std::vector<unsigned char> valid;

    const T* re_of(std::size_t i, std::size_t d) const noexcept { return re.data() + i * stride + offset[d]; }
    const T* im_of(std::size_t i, std::size_t d) const noexcept { return im.data() + i * stride + offset[d]; }
};

template <class Arch, csr_neighbor_list L, class Policy>
qlm_field<list_value_t<L>> compute_qlm_field(const L& list, std::span<const int> degrees, std::size_t nnn,
                                             Policy policy, const char* who, bool face_weighted = false) {
    using T = list_value_t<L>;
    const std::size_t n = num_rows(list);
    // Averages need the own q_lm of every neighbour they read (the first nnn, or all), so each
    // of those must have a row.
    for (std::size_t i = 0; i < n; ++i) {
        const auto row = row_of(list, i).neighbors;
        const auto used = nnn == 0 ? row : (row.size() < nnn ? row.first(0) : row.first(nnn));
        for (const auto j : used)
            if (j >= n) {
                std::ostringstream os;
                os << who << ": particle " << i << " has neighbour " << j << " without a row (a ghost; " << n
                   << " rows): averages over neighbours need every neighbour's q_lm, so give ghosts rows too";
                throw error(os.str());
            }
    }
    qlm_field<T> f;
    f.degrees.assign(degrees.begin(), degrees.end());
    int lmax = 0;
    std::uint32_t needed = 0;
    for (const int l : degrees) {
        f.offset.push_back(f.stride);
        f.stride += std::size_t(l + 1);
        lmax = std::max(lmax, l);
        needed |= std::uint32_t(1) << l;
    }
    f.re.assign(n * f.stride, T(0));
    f.im.assign(n * f.stride, T(0));
    f.valid.assign(n, 0);
    detail::for_each_chunk(policy, n, 1024, [&](std::size_t, std::size_t b, std::size_t e) {
        std::array<T, max_ylm> re, im;
        for (std::size_t i = b; i < e; ++i) {
            const auto row = row_of(list, i);
            const auto bonds = bond_order_bonds(row.vectors, nnn);
            const auto w = face_weighted ? bond_order_weights(row.weights, bonds.size()) : std::span<const T>{};
            if (!row_qlm<Arch>(bonds, lmax, re.data(), im.data(), w, needed)) continue;
            f.valid[i] = 1;
            for (std::size_t d = 0; d < f.degrees.size(); ++d)
                for (int m = 0; m <= f.degrees[d]; ++m) {
                    f.re[i * f.stride + f.offset[d] + std::size_t(m)] = re[ylm_index(f.degrees[d], m)];
                    f.im[i * f.stride + f.offset[d] + std::size_t(m)] = im[ylm_index(f.degrees[d], m)];
                }
        }
    });
    return f;
}

}  // namespace detail

/// q_l, and optionally w_l and ŵ_l, per particle (see the file comment).
template <class Arch = xsimd::default_arch>
struct basic_steinhardt {
    static constexpr neighbor_need need = neighbor_need::any;

    std::vector<int> degrees{4, 6};  ///< the l, 0 <= l <= 12, in column order
    std::size_t nnn = 12;            ///< K nearest (nearest stage), or 0: every neighbour of the row
    bool wl = false;                 ///< add w<l> columns
    bool wlhat = false;              ///< add what<l> columns
    /// Weight each bond by its Voronoi face area (Mickel et al. 2013): needs the
    /// tessera::voronoi_neighbors stage, whose rows carry the areas; use nnn = 0 with it.
    bool face_weighted = false;
    /// Only neighbours closer than this (0: none). The stage must cut at exactly this radius
    /// (prepare() checks): nnn > 0 is then the nnn nearest within it (LAMMPS orientorder/atom
    /// `nnn K cutoff RC`), nnn = 0 all within it (`nnn NULL cutoff RC`).
    double cutoff = 0;

    neighbor_request request() const { return detail::bond_order_request(nnn, cutoff, face_weighted); }

    std::vector<std::string> columns(const particle_properties&) const {
        std::vector<std::string> names;
        for (const int l : degrees) names.push_back("q" + std::to_string(l));
        if (wl)
            for (const int l : degrees) names.push_back("w" + std::to_string(l));
        if (wlhat)
            for (const int l : degrees) names.push_back("what" + std::to_string(l));
        return names;
    }

    void prepare(const neighbor_stage_info& stage, const particle_properties&) const {
        detail::check_bond_order_setup("steinhardt", degrees, nnn, stage, face_weighted, cutoff);
    }

    template <class T>
    void compute(const particle_row<T>& row, output_row<T> out) const {
        const std::size_t nd = degrees.size();
        const std::size_t ncol = nd * (1 + std::size_t(wl) + std::size_t(wlhat));
        int lmax = 0;
        std::uint32_t needed = 0;
        for (const int l : degrees) {
            lmax = std::max(lmax, l);
            needed |= std::uint32_t(1) << l;
        }
        std::array<T, detail::max_ylm> re, im;
        const auto bonds = detail::bond_order_bonds(row.vectors, nnn);
        const auto w = face_weighted ? detail::bond_order_weights(row.weights, bonds.size()) : std::span<const T>{};
        if (!detail::row_qlm<Arch>(bonds, lmax, re.data(), im.data(), w, needed)) {
            for (std::size_t c = 0; c < ncol; ++c) out[c] = std::numeric_limits<T>::quiet_NaN();  // undefined
            return;
        }
        for (std::size_t d = 0; d < nd; ++d) {
            const int l = degrees[d];
            const T* r = re.data() + detail::ylm_index(l, 0);
            const T* m = im.data() + detail::ylm_index(l, 0);
            const T q = detail::steinhardt_ql(l, r, m);
            out[d] = q;
            if (wl || wlhat) {
                const T w = detail::steinhardt_wl(l, r, m);
                if (wl) out[nd + d] = w;
                if (wlhat) out[nd * (1 + std::size_t(wl)) + d] = detail::steinhardt_wl_hat(l, w, q, r, m);
            }
        }
    }
};

/// Lechner–Dellago averages q̄_l (and normalised w̄_l): a whole-list descriptor.
template <class Arch = xsimd::default_arch>
struct basic_steinhardt_average {
    static constexpr neighbor_need need = neighbor_need::any;

    std::vector<int> degrees{4, 6};  ///< the l, 0 <= l <= 12, in column order
    std::size_t nnn = 12;            ///< K nearest (nearest stage), or 0: every neighbour of the row
    bool wl = false;                 ///< add wbar<l> columns (normalised, as ŵ_l)
    bool face_weighted = false;      ///< per-particle q_lm weighted by Voronoi face areas (as steinhardt)
    double cutoff = 0;               ///< only neighbours closer than this (as steinhardt)

    neighbor_request request() const { return detail::bond_order_request(nnn, cutoff, face_weighted); }

    std::vector<std::string> columns(const particle_properties&) const {
        std::vector<std::string> names;
        for (const int l : degrees) names.push_back("qbar" + std::to_string(l));
        if (wl)
            for (const int l : degrees) names.push_back("wbar" + std::to_string(l));
        return names;
    }

    void prepare(const neighbor_stage_info& stage, const particle_properties&) const {
        detail::check_bond_order_setup("steinhardt_average", degrees, nnn, stage, face_weighted, cutoff);
    }

    /// Particles whose own q_lm is undefined (too few neighbours) get NaN in every column; such a
    /// particle counts as a neighbour of others with q_lm = 0 (it is in their N_i + 1).
    template <csr_neighbor_list L, class Policy>
    void compute_all(const L& list, const particle_properties&, output_columns<list_value_t<L>> out,
                     Policy policy) const {
        using T = list_value_t<L>;
        const auto f = detail::compute_qlm_field<Arch>(list, degrees, nnn, policy, "steinhardt_average", face_weighted);
        const std::size_t n = num_rows(list), nd = degrees.size();
        detail::for_each_chunk(policy, n, 1024, [&](std::size_t, std::size_t b, std::size_t e) {
            std::array<T, detail::max_ylm> re, im;  // q̄_lm of every degree, at f.offset[d] + m
            for (std::size_t i = b; i < e; ++i) {
                if (!f.valid[i]) {
                    for (std::size_t c = 0; c < out.count; ++c) out.column(c)[i] = std::numeric_limits<T>::quiet_NaN();
                    continue;
                }
                const auto nb = row_of(list, i).neighbors;
                const std::size_t k = nnn > 0 ? nnn : nb.size();
                for (std::size_t c = 0; c < f.stride; ++c) {
                    re[c] = f.re[i * f.stride + c];
                    im[c] = f.im[i * f.stride + c];
                }
                for (std::size_t a = 0; a < k; ++a) {
                    const std::size_t j = nb[a];
                    for (std::size_t c = 0; c < f.stride; ++c) {
                        re[c] += f.re[j * f.stride + c];
                        im[c] += f.im[j * f.stride + c];
                    }
                }
                const T inv = T(1) / T(k + 1);
                for (std::size_t c = 0; c < f.stride; ++c) {
                    re[c] *= inv;
                    im[c] *= inv;
                }
                for (std::size_t d = 0; d < nd; ++d) {
                    const int l = degrees[d];
                    const T* r = re.data() + f.offset[d];
                    const T* m = im.data() + f.offset[d];
                    const T q = detail::steinhardt_ql(l, r, m);
                    out.column(d)[i] = q;
                    if (wl) out.column(nd + d)[i] = detail::steinhardt_wl_hat(l, detail::steinhardt_wl(l, r, m), q, r, m);
                }
            }
        });
    }
};

using steinhardt = basic_steinhardt<xsimd::default_arch>;
using steinhardt_average = basic_steinhardt_average<xsimd::default_arch>;

}  // namespace tessera
