#pragma once
/// @file
/// Bond crystallinity (ten Wolde, Ruiz-Montero & Frenkel, JCP 104, 9932 (1996); as used by
/// Lechner & Dellago, JCP 129, 114707 (2008), and for metallic glasses with threshold 0.7):
/// the normalised correlation of the Steinhardt coefficients of two neighbours,
/// \f[ s(i,j) = \frac{\mathrm{Re} \sum_{m=-l}^{l} q_{lm}(i)\, q_{lm}^*(j)}{|q_l(i)|\,|q_l(j)|},
///     \qquad |q_l(i)| = \Big(\sum_m |q_{lm}(i)|^2\Big)^{1/2}, \f]
/// with \f$ q_{lm} \f$ as in steinhardt.hpp (Steinhardt, Nelson & Ronchetti, PRB 28, 784 (1983)),
/// and per particle the number of crystalline bonds
/// \f[ n_{solid}(i) = \#\{\, j \in N(i) : s(i,j) > s_c \,\}. \f]
/// Neighbours N(i) are those that define q_lm (nnn = K nearest, or 0 = the whole row, exactly as
/// steinhardt); a bond to a particle whose q_lm is undefined (too few neighbours, or |q_l| = 0)
/// is never crystalline. Column: `solid_bonds`. Defaults: l = 6, s_c = 0.7, nnn = 12.
/// A whole-list descriptor: every neighbour needs a row (no ghosts).

#include <tessera/descriptors/steinhardt.hpp>

#include <cmath>
#include <string>
#include <vector>

namespace tessera {

template <class Arch = xsimd::default_arch>
struct basic_solid_bonds {
    static constexpr neighbor_need need = neighbor_need::any;

    int l = 6;               ///< degree of the q_lm correlated
    double threshold = 0.7;  ///< s_c: a bond is crystalline when s(i, j) > s_c
    std::size_t nnn = 12;    ///< K nearest (nearest stage), or 0: every neighbour of the row
    double cutoff = 0;       ///< only neighbours closer than this (as steinhardt)
    bool voronoi = false;    ///< request the Voronoi neighbours (unweighted; use nnn = 0)

    neighbor_request request() const {
        return voronoi ? neighbor_request::voronoi_faces() : detail::bond_order_request(nnn, cutoff, false);
    }

    std::vector<std::string> columns(const particle_properties&) const { return {"solid_bonds"}; }

    void prepare(const neighbor_stage_info& stage, const particle_properties&) const {
        const int d[1] = {l};
        detail::check_bond_order_setup("solid_bonds", d, nnn, stage, false, cutoff);
        if (!std::isfinite(threshold)) throw error("solid_bonds: the threshold must be finite");
    }

    /// s(i, j) for every bond of row i used here, in row order (for tests and analysis).
    template <csr_neighbor_list L, class Policy = serial_policy>
    std::vector<std::vector<list_value_t<L>>> bond_values(const L& list, Policy policy = {}) const {
        using T = list_value_t<L>;
        const int d[1] = {l};
        const auto f = detail::compute_qlm_field<Arch>(list, std::span<const int>(d), nnn, policy, "solid_bonds");
        const auto norms = norms_of(f, num_rows(list));
        std::vector<std::vector<T>> s(num_rows(list));
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (!(norms[i] > T(0))) continue;
            const auto nb = row_of(list, i).neighbors;
            const std::size_t k = nnn > 0 ? nnn : nb.size();
            for (std::size_t a = 0; a < k; ++a) s[i].push_back(correlation(f, norms, i, nb[a]));
        }
        return s;
    }

    template <csr_neighbor_list L, class Policy>
    void compute_all(const L& list, const particle_properties&, output_columns<list_value_t<L>> out,
                     Policy policy) const {
        using T = list_value_t<L>;
        const int d[1] = {l};
        const auto f = detail::compute_qlm_field<Arch>(list, std::span<const int>(d), nnn, policy, "solid_bonds");
        const std::size_t n = num_rows(list);
        const auto norms = norms_of(f, n);
        const auto col = out.column(0);
        detail::for_each_chunk(policy, n, 1024, [&](std::size_t, std::size_t b, std::size_t e) {
            for (std::size_t i = b; i < e; ++i) {
                col[i] = T(0);
                if (!(norms[i] > T(0))) continue;
                const auto nb = row_of(list, i).neighbors;
                const std::size_t k = nnn > 0 ? nnn : nb.size();
                std::size_t count = 0;
                for (std::size_t a = 0; a < k; ++a)
                    if (correlation(f, norms, i, nb[a]) > T(threshold)) ++count;
                col[i] = T(count);
            }
        });
    }

private:
    template <class T>
    static std::vector<T> norms_of(const detail::qlm_field<T>& f, std::size_t n) {
        std::vector<T> norms(n, T(0));
        for (std::size_t i = 0; i < n; ++i)
            if (f.valid[i]) norms[i] = std::sqrt(detail::qlm_norm2(f.degrees[0], f.re_of(i, 0), f.im_of(i, 0)));
        return norms;
    }
    /// s(i, j); 0 when q_lm(j) is undefined.
    template <class T>
    static T correlation(const detail::qlm_field<T>& f, const std::vector<T>& norms, std::size_t i, std::size_t j) {
        if (!(norms[j] > T(0))) return T(0);
        return detail::qlm_dot(f.degrees[0], f.re_of(i, 0), f.im_of(i, 0), f.re_of(j, 0), f.im_of(j, 0)) /
               (norms[i] * norms[j]);
    }
};

using solid_bonds = basic_solid_bonds<xsimd::default_arch>;

}  // namespace tessera
