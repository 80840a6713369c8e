#pragma once
/// @file
/// Bond breaking and formation between two configurations A (before) and B (after) — local
/// configurational excitations (LCE) (Shiihara, Iwashita, Adachi, Todaka, Egami 2025,
/// after Iwashita & Egami): a pair i–j is bonded when r < r_c(type_i, type_j) (first neighbour
/// shell, e.g. Cu–Cu 3.05 Å, Cu–Zr 3.75 Å, Zr–Zr 4.35 Å), and a hysteresis h (0.075 Å in that paper)
/// keeps thermal rattling across r_c from counting.
///
/// Rules (`bond_change_rule`):
/// - `distance_change` (default; the paper's wording): **broken** if r_A < r_c, r_B ≥ r_c and
///   r_B − r_A > h ("moving outside the first neighbour shell with an interatomic distance
///   increase beyond a set threshold"); **formed** if r_A ≥ r_c, r_B < r_c and r_A − r_B > h;
/// - `shell_margin`: broken if r_A < r_c and r_B > r_c + h; formed if r_A > r_c + h and r_B < r_c
///   (a band of width h outside the shell).
/// Each broken or formed bond counts once for each of its two atoms.
///
/// The pair in the other frame is the *same* pair and periodic image, followed through
/// fractional coordinates (detail::follow_fractional_bond, as D²min): boxes may differ (shear,
/// tension) and cutoffs may exceed half the box (bonds to images count separately). Atoms are
/// matched by id; results are in B's row order. Types are taken per id from A (they must agree).

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/type_pair_table.hpp>
#include <tessera/descriptors/frame_pair.hpp>
#include <tessera/dynamics/trajectory.hpp>
#include <tessera/neighbors/query.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace tessera {

/// Symmetric cutoffs per type pair, types 1..num_types, every pair set and positive (the
/// first shells bonds are counted in): a type_pair_table that bond changes check is complete.
class pair_cutoffs {
public:
    explicit pair_cutoffs(int num_types = 1, double value = 0) : table_(num_types, value) {
        if (num_types < 1) throw error("pair_cutoffs: need at least one type");
    }
    /// From a parsed table ("1-1:3.05,1-2:3.75,2-2:4.35"); validate() checks it is complete.
    explicit pair_cutoffs(type_pair_table table) : table_(std::move(table)) {
        if (table_.num_types() < 1) throw error("pair_cutoffs: need at least one type");
    }
    void set(int a, int b, double rc) {
        if (!(rc > 0) || !std::isfinite(rc))
            throw error("pair_cutoffs: cutoff for types ", a, "-", b, " must be positive and finite, got ", rc);
        if (a < 1 || b < 1 || a > num_types() || b > num_types())
            throw error("pair_cutoffs: type ", a < 1 || a > num_types() ? a : b, " outside 1..", num_types());
        table_.set(a, b, rc);
    }
    double operator()(int a, int b) const noexcept { return table_(a, b); }
    int num_types() const noexcept { return table_.num_types(); }
    double max() const noexcept { return table_.max(); }
    const type_pair_table& table() const noexcept { return table_; }
    void validate() const {
        for (int a = 1; a <= num_types(); ++a)
            for (int b = a; b <= num_types(); ++b)
                if (!((*this)(a, b) > 0)) throw error("pair_cutoffs: no cutoff set for types ", a, "-", b);
    }

private:
    type_pair_table table_;
};

enum class bond_change_rule { distance_change, shell_margin };

struct bond_change_options {
    pair_cutoffs cutoffs;
    double hysteresis = 0.075;
    bond_change_rule rule = bond_change_rule::distance_change;
};

struct bond_change_counts {
    std::vector<std::uint32_t> broken, formed;  ///< per atom, B's row order
};

inline bool bond_broken(double ra, double rb, double rc, double h, bond_change_rule rule) noexcept {
    return rule == bond_change_rule::distance_change ? (ra < rc && rb >= rc && rb - ra > h) : (ra < rc && rb > rc + h);
}
inline bool bond_formed(double ra, double rb, double rc, double h, bond_change_rule rule) noexcept {
    return rule == bond_change_rule::distance_change ? (ra >= rc && rb < rc && ra - rb > h) : (ra > rc + h && rb < rc);
}

namespace detail {
/// One side: for every bond of `from` (a ball query at the largest cutoff) with r < r_c, the
/// same bond in `to`; calls hit(row_in_from, r_from, r_to, rc).
template <class SA, class BA, class SB, class BB, class Hit>
void scan_bonds(const SA& xa, const BA& ba, const SB& xb, const BB& bb, std::span<const std::size_t> b_of_a,
                std::span<const int> types_a, const pair_cutoffs& rc, Hit&& hit) {
    using T = double;
    const std::size_t n = tessera::size(xa);
    const auto list = find_neighbors<T>(xa, ba, ball{rc.max()});
    const mat3<T> ha(ba.cell()), hb(bb.cell());
    const mat3<T> ha_inv = inverse(ha);
    std::vector<vec3<T>> sb(n);
    for (std::size_t i = 0; i < n; ++i) sb[i] = vec3<T>(bb.to_fractional(vec3<T>(position(xb, b_of_a[i]))));
    periodicity per{};
    for (std::size_t d = 0; d < 3; ++d) per[d] = ba.periodic(d);
    for (std::size_t i = 0; i < n; ++i) {
        const auto nb = list.neighbors(i);
        const auto vec = list.vectors(i);
        const auto r2 = list.distances2(i);
        for (std::size_t k = 0; k < nb.size(); ++k) {
            const std::size_t j = nb[k];
            const double c = rc(types_a[i], types_a[j]);
            const double ra = std::sqrt(double(r2[k]));
            if (!(ra < c)) continue;
            const vec3<T> f = follow_fractional_bond(ha_inv * vec[k], sb[j] - sb[i], per);
            hit(i, ra, double(norm(hb * f)), c);
        }
    }
}
}  // namespace detail

/// Bonds broken and formed per atom between A and B (results in B's row order).
template <particle_storage SA, box BA, particle_storage SB, box BB>
bond_change_counts bond_changes(const SA& xa, const BA& ba, std::span<const std::int64_t> ids_a,
                                std::span<const int> types_a, const SB& xb, const BB& bb,
                                std::span<const std::int64_t> ids_b, const bond_change_options& opt,
                                const std::string& what = "bond changes") {
    opt.cutoffs.validate();
    if (!(opt.hysteresis >= 0)) throw error(what + ": the hysteresis must be >= 0");
    const std::size_t n = tessera::size(xa);
    if (ids_a.size() != n || types_a.size() != n || ids_b.size() != tessera::size(xb))
        throw error(what + ": ids, types and positions differ in length");
    for (std::size_t d = 0; d < 3; ++d)
        if (ba.periodic(d) != bb.periodic(d)) throw error(what + ": the two frames differ in periodicity");
    for (int t : types_a)
        if (t < 1 || t > opt.cutoffs.num_types()) {
            throw error(what, ": type ", t, " has no cutoffs (types 1..", opt.cutoffs.num_types(), ")");
        }
    const id_index ia(ids_a, what + " (before)"), ib(ids_b, what + " (after)");
    const auto b_of_a = match_ids(ib, ia, id_mismatch::error, what, "current", "reference");  // A row -> B row
    const auto a_of_b = match_ids(ia, ib, id_mismatch::error, what, "reference", "current");  // B row -> A row
    std::vector<int> types_b(n);
    for (std::size_t k = 0; k < n; ++k) types_b[k] = types_a[a_of_b[k]];
    bond_change_counts out;
    out.broken.assign(n, 0);
    out.formed.assign(n, 0);
    const double h = opt.hysteresis;
    // Bonds of A followed to B: broken ones.
    detail::scan_bonds(xa, ba, xb, bb, b_of_a, types_a, opt.cutoffs, [&](std::size_t i, double ra, double rb, double c) {
        if (bond_broken(ra, rb, c, h, opt.rule)) ++out.broken[b_of_a[i]];
    });
    // Bonds of B followed back to A: formed ones.
    detail::scan_bonds(xb, bb, xa, ba, a_of_b, types_b, opt.cutoffs, [&](std::size_t i, double rb, double ra, double c) {
        if (bond_formed(ra, rb, c, h, opt.rule)) ++out.formed[i];
    });
    return out;
}

/// Bond changes as a two-frame descriptor (descriptors/frame_pair.hpp), for compute_frame_pairs
/// (pipeline/frame_pairs.hpp): reference bonds followed to the current frame count as broken,
/// current bonds followed back as formed; columns `bonds_broken bonds_formed` (as `tessera
/// bonds`). Types are the reference frame's (the runner checks that each id keeps its type).
/// Alone, equal to bond_changes() (the same bonds followed by the same arithmetic).
struct bond_change_descriptor {
    bond_change_options options;

    frame_pair_request request() const { return {options.cutoffs.max(), options.cutoffs.max()}; }
    std::vector<std::string> columns(const particle_properties&) const { return {"bonds_broken", "bonds_formed"}; }
    void prepare(const particle_properties& reference, const particle_properties&) const {
        options.cutoffs.validate();
        if (!(options.hysteresis >= 0)) throw error("bond changes: the hysteresis must be >= 0");
        if (reference.types.empty()) throw error("bond changes: neither frame has types");
        for (std::size_t i = 0; i < reference.types.size(); ++i) {
            const int t = reference.types[i];
            if (t < 1 || t > options.cutoffs.num_types())
                throw error("bond changes: atom id ", reference.ids.empty() ? std::int64_t(i) : reference.ids[i],
                            " has type ", t, ", which has no cutoffs (types 1..", options.cutoffs.num_types(), ")");
        }
    }

    template <class T>
    void compute(const frame_pair_row<T>& row, output_row<T> out) const {
        const double h = options.hysteresis;
        const int ti = row.reference.type();
        std::uint32_t broken = 0, formed = 0;
        for (std::size_t k = 0; k < row.reference.size(); ++k) {
            const double c = options.cutoffs(ti, row.reference.neighbor_type(k));
            const double ra = std::sqrt(double(row.reference.distances2[k]));
            if (!(ra < c)) continue;
            broken += bond_broken(ra, double(norm(row.reference_bonds_now[k])), c, h, options.rule);
        }
        // Current bonds: the neighbours' types by id from the reference frame, as bond_changes().
        for (std::size_t k = 0; k < row.current.size(); ++k) {
            const double c = options.cutoffs(ti, row.current.neighbor_type(k));
            const double rb = std::sqrt(double(row.current.distances2[k]));
            if (!(rb < c)) continue;
            formed += bond_formed(double(norm(row.current_bonds_then[k])), rb, c, h, options.rule);
        }
        out[0] = T(broken);
        out[1] = T(formed);
    }
};

}  // namespace tessera
