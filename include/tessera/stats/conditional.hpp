#pragma once
/// @file
/// Conditional statistics of per-atom fields: the distribution of one field given bins of
/// another, and the excess fraction of categories in a subset of atoms.
///
/// **conditional_pdf(a, b, …)** — P(A | B ∈ bin j), a two-dimensional histogram normalised per
/// B-bin. With the bins of numpy.histogram (histogram.hpp: uniform edges from np.linspace, each
/// bin half-open [e_k, e_{k+1}) except the last, closed; values outside the range not counted)
/// along A (bins_a on [a_lo, a_hi]) and B (bins_b on [b_lo, b_hi]):
/// \f[ N_{jk} = \#\{i : b_i \in B_j,\ a_i \in A_k\},\qquad
///     P(A_k \mid B_j) = \frac{N_{jk}}{\big(\sum_{k'} N_{jk'}\big)\,\Delta a_k}, \f]
/// i.e. for each B-bin j a probability density in A that integrates to 1 over the A range —
/// numpy.histogram(a[b in B_j], bins_a, range=(a_lo, a_hi), density=True) for every j, and the
/// same counts as np.histogram2d(b, a, [bins_b, bins_a], range=…). Atoms in B_j whose A lies
/// outside the A range are excluded from the normaliser (they are counted in `outside`); a B-bin
/// with no atoms has no conditional distribution and its row is NaN (row_total says so).
/// Seed 004 plots p(L | class) this way.
///
/// **category_propensity(labels, subset)** — the excess fraction of each category in a subset
/// (seed 002, Eq. 1, Liu et al., machine-learned temperature in metallic glasses):
/// \f[ f_{\mathrm{tot}}(c) = \frac{N(c)}{N},\quad f_{\mathrm{sub}}(c) = \frac{N_{\mathrm{sub}}(c)}{N_{\mathrm{sub}}},
///     \quad \Delta f(c) = \frac{f_{\mathrm{sub}}(c) - f_{\mathrm{tot}}(c)}{f_{\mathrm{tot}}(c)} \times 100\,\%, \f]
/// relative and in percent as in the paper: > 0 the category is over-represented in the subset,
/// −100 % it is absent from it. Labels are any totally ordered type (integer labels, or the
/// Voronoi index <n3,n4,n5,n6> — descriptors/voronoi_statistics.hpp builds on this); only
/// categories present in the sample are reported (f_tot > 0, so Δf is always defined). An empty
/// subset mask means "every atom" (Δf = 0); a mask that selects nobody is an error, since the
/// subset fractions are then undefined.

#include <tessera/core/error.hpp>
#include <tessera/stats/histogram.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <map>
#include <span>
#include <tuple>
#include <vector>

namespace tessera {

struct conditional_pdf_result {
    std::vector<double> a_edges, b_edges;  ///< bins_a + 1 and bins_b + 1 edges (np.linspace)
    std::size_t bins_a = 0, bins_b = 0;
    std::vector<std::size_t> counts;     ///< N_jk, row-major: counts[j * bins_a + k]
    std::vector<double> pdf;             ///< P(A_k | B_j), same layout; a row of NaN when row_total[j] = 0
    std::vector<std::size_t> row_total;  ///< Σ_k N_jk: atoms in B-bin j with A in range
    std::size_t outside = 0;             ///< atoms with A or B outside its range
    [[nodiscard]] double at(std::size_t j, std::size_t k) const noexcept { return pdf[j * bins_a + k]; }
};

/// P(A | B ∈ bin j) on bins_a × bins_b bins of [a_lo, a_hi] × [b_lo, b_hi] (see file comment).
[[nodiscard]] inline conditional_pdf_result conditional_pdf(std::span<const double> a, std::size_t bins_a, double a_lo,
                                                            double a_hi, std::span<const double> b, std::size_t bins_b,
                                                            double b_lo, double b_hi) {
    if (a.size() != b.size()) throw error("conditional_pdf: fields of different lengths (", a.size(), " and ", b.size(), ")");
    if (bins_a == 0 || bins_b == 0) throw error("conditional_pdf: the numbers of bins must be at least 1");
    for (auto [lo, hi, name] : {std::tuple{a_lo, a_hi, "A"}, std::tuple{b_lo, b_hi, "B"}})
        if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi))
            throw error("conditional_pdf: the ", name, " range [", lo, ", ", hi, "] must be finite with lo < hi");
    detail::check_finite_values(a, "conditional_pdf", "field A");
    detail::check_finite_values(b, "conditional_pdf", "field B");
    conditional_pdf_result r;
    r.bins_a = bins_a;
    r.bins_b = bins_b;
    r.a_edges = detail::linspace_edges(a_lo, a_hi, bins_a);
    r.b_edges = detail::linspace_edges(b_lo, b_hi, bins_b);
    r.counts.assign(bins_a * bins_b, 0);
    r.row_total.assign(bins_b, 0);
    const double norm_a = double(bins_a) / (a_hi - a_lo), norm_b = double(bins_b) / (b_hi - b_lo);
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (!(a[i] >= a_lo && a[i] <= a_hi && b[i] >= b_lo && b[i] <= b_hi)) {
            ++r.outside;
            continue;
        }
        const std::size_t j = detail::numpy_bin(b[i], r.b_edges, norm_b), k = detail::numpy_bin(a[i], r.a_edges, norm_a);
        ++r.counts[j * bins_a + k];
        ++r.row_total[j];
    }
    r.pdf.resize(r.counts.size());
    for (std::size_t j = 0; j < bins_b; ++j)
        for (std::size_t k = 0; k < bins_a; ++k)
            r.pdf[j * bins_a + k] = r.row_total[j] ? double(r.counts[j * bins_a + k]) /
                                                         (r.a_edges[k + 1] - r.a_edges[k]) / double(r.row_total[j])
                                                   : std::numeric_limits<double>::quiet_NaN();
    return r;
}

template <class Label>
struct category_stat {
    Label label{};
    std::size_t count_total = 0, count_subset = 0;
    double fraction_total = 0, fraction_subset = 0;
    double propensity = 0;  ///< Δf in percent
};

/// Δf of a subset over the category of a label (0 for fractions identical to the sample's).
[[nodiscard]] inline double propensity_percent(double fraction_subset, double fraction_total) noexcept {
    return (fraction_subset - fraction_total) / fraction_total * 100.0;
}

/// Per category present in labels (ascending label order): counts, fractions and Δf of the atoms
/// with subset_mask[i] != 0 (see file comment). subset_mask: empty (everyone) or one per label.
template <class Label>
[[nodiscard]] std::vector<category_stat<Label>> category_propensity(std::span<const Label> labels,
                                                                    std::span<const unsigned char> subset_mask = {}) {
    const std::size_t n = labels.size();
    if (!subset_mask.empty() && subset_mask.size() != n)
        throw error("category_propensity: ", n, " labels but a subset mask of ", subset_mask.size());
    if (n == 0) throw error("category_propensity: no labels");
    std::map<Label, category_stat<Label>> by_label;
    std::size_t n_sub = 0;
    for (std::size_t i = 0; i < n; ++i) {
        auto& s = by_label[labels[i]];
        const bool in = subset_mask.empty() || subset_mask[i];
        ++s.count_total;
        s.count_subset += in;
        n_sub += in;
    }
    if (n_sub == 0) throw error("category_propensity: the subset is empty (the mask selects none of the ", n, " atoms)");
    std::vector<category_stat<Label>> out;
    out.reserve(by_label.size());
    for (auto& [label, s] : by_label) {
        s.label = label;
        s.fraction_total = double(s.count_total) / double(n);
        s.fraction_subset = double(s.count_subset) / double(n_sub);
        s.propensity = propensity_percent(s.fraction_subset, s.fraction_total);
        out.push_back(s);
    }
    return out;
}

}  // namespace tessera
