#pragma once
/// @file
/// The ideal crystal tables of the dislocation extraction algorithm (DXA) for fcc, hcp, bcc, cubic
/// and hexagonal diamond: the neighbour shell a crystalline atom is matched to, the lattice vectors
/// its bonds map onto, the symmetry group of the lattice, the Burgers vector families and the
/// notation a lattice-frame Burgers vector is printed in.
///
/// DXA: A. Stukowski & K. Albe, Modelling Simul. Mater. Sci. Eng. 18, 085001 (2010);
/// A. Stukowski, V. V. Bulatov & A. Arsenlis, Modelling Simul. Mater. Sci. Eng. 20, 085007 (2012).
/// Vectors, their order, the family ids and the notation are those of OVITO 3's implementation
/// (StructureAnalysis, BurgersVectorFamily, DislocationVis), so a lattice-frame Burgers vector,
/// a symmetry index or a family id means the same here as there.
///
/// Units: lattice constant 1 for the cubic lattices. hcp and hexagonal diamond use fcc-equivalent
/// units: nearest-neighbour distance √½ in hcp, c = √(4/3), c axis along z, two neighbours along ±x.
/// The diamonds' bond is √3/4.
///
/// Coordination structure: N neighbour vectors c_0..c_{N-1}. fcc and hcp have 12; bcc has 14
/// (the 8 ⟨111⟩/2 first, then the 6 ⟨100⟩); the diamonds have 16 (4 inner bonds, then the 12
/// second neighbours). Among them:
/// - template bonds: c_i and c_j are bonded iff |c_i − c_j| < r_t, with r_t midway between the
///   first two distances: (1 + √½)/2 for fcc, hcp and two outer diamond neighbours,
///   (1 + √2)/2 for bcc, (√3/4 + √½)/2 from an inner diamond neighbour (so two inner ones, √½
///   apart, are never bonded).
/// - a CNA class per neighbour (the signature its bond has in the perfect crystal):
///   fcc 0 (421); hcp 0 (421) out of the basal plane, 1 (422) in it; bcc 0 (666) for ⟨111⟩ and
///   1 (444) for ⟨100⟩; diamonds 0 for inner and 1 (543) for outer neighbours, except hexagonal
///   diamond's outer neighbours in the basal plane, which are 2 (544).
/// - per neighbour n, two common neighbours (i1, i2): the first pair i1 < i2 with both bonded to
///   n and det[c_n, c_i1, c_i2] ≠ 0. They are three non-coplanar reference points of the bond.
/// Lattice vectors L: the N coordination vectors first, then the rest of their orbit under the
/// point group. For hcp and cubic diamond these are the inversion images −c_i (the other stacking
/// site, the other sublattice). Hexagonal diamond also needs the z-mirror images of its inner
/// bonds. |L| = 12 (fcc), 18 (hcp), 14 (bcc), 20 (cubic diamond), 32 (hexagonal diamond).
///
/// Symmetry group: every orthogonal T, proper or improper, with T·c_i = L[p(i)] for all i < N.
/// It is generated, not typed. Fix the first three non-coplanar coordination vectors (columns of
/// M1). Try every ordered triple of lattice vectors as their images (columns of M2), set
/// T = M2·M1⁻¹, and keep T if it is orthogonal and maps every c_i onto a lattice vector. The
/// operations are sorted by p in lexicographic order, which is the order OVITO's permutation search
/// finds them in; the identity is index 0. Orders: 48 (O_h) for the cubic lattices, 24 (D_6h) for
/// the hexagonal ones. Each group contains the inversion.
/// product(a, b) is the index of T_a·T_b (OVITO's permutations[b].product[a]).
///
/// Burgers vector families (lattice frame, the units above) are tried in list order, and the first
/// match wins; no match is "Other" (id 0). For the cubic lattices, b matches prototype p iff
/// sort(|b_x|, |b_y|, |b_z|) = sort(|p_x|, |p_y|, |p_z|) within 1e-3 per component. For the
/// hexagonal lattices, b matches iff (|b_x|, |b_y|, |b_z|) equals (|p_x|, |p_y|, |p_z|) or
/// (|p_x/2 + √3 p_y/2|, |p_y/2 − √3 p_x/2|, |p_z|) within 1e-3. That covers every image of these
/// prototypes because each lies on a mirror line of the basal plane. DXA classifies only segments
/// whose cluster has the input structure; the others are "Other".
///
/// Notation (format_burgers), as OVITO prints it. Cubic: "1/d[u v w]" ("[u v w]" when d = 1)
/// with integers u, v, w = d·b. d is the first f/c, f = 1..11 (c: the smallest |b_i| above 1e-3)
/// that is an integer in 1..79 and makes d·b integer ("integer": within 1e-2); for sums of lattice
/// vectors, the least common denominator. Otherwise three `%7.6f` decimals without brackets;
/// b = 0 is "[0 0 0]". Hexagonal: the same on the Miller–Bravais indices [u v t w] of
/// b = U a1 + V a2 + W c (a1, a2 = (√2/4, ∓√6/4, 0), c = (0, 0, √(4/3))): u = (2U − V)/3,
/// v = (2V − U)/3, t = −(U + V)/3, w = W; decimals keep the brackets; b = 0 is "[0 0 0 0]".
/// Other: decimals, and "0 0 0" for b = 0. Decimals are always in the C locale.
///
/// Preferred orientation: a cluster orientation O maps lattice vectors to space (O ≈ a·R). DXA
/// re-expresses it in the equivalent frame closest to a preferred P (the identity):
/// S = argmin_S Σ_ij |(O·T_S⁻¹)_ij / |det O|^{1/3} − P_ij|, the first minimum in group order.
/// Then O ← O·T_S⁻¹, and each member atom's symmetry index a ← product(S, a), because
/// O·T_a = (O·T_S⁻¹)·(T_S·T_a). An axis-aligned cubic crystal thus gets O ≈ a·I, and its Burgers
/// vectors read directly as [uvw]. OVITO applies this to fcc, bcc and cubic diamond input only.

#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tessera {

/// Lattice structure codes: OVITO's DXA "Structure Type" numbering.
enum class lattice_structure : int { other = 0, fcc = 1, hcp = 2, bcc = 3, cubic_diamond = 4, hex_diamond = 5 };

/// fcc, bcc and cubic diamond (point group O_h).
constexpr bool is_cubic(lattice_structure s) noexcept {
    return s == lattice_structure::fcc || s == lattice_structure::bcc || s == lattice_structure::cubic_diamond;
}
/// hcp and hexagonal diamond (point group D_6h).
constexpr bool is_hexagonal(lattice_structure s) noexcept {
    return s == lattice_structure::hcp || s == lattice_structure::hex_diamond;
}

/// One symmetry operation of a lattice: T·c_i = L[p(i)] for the coordination vectors c_i, i < N.
struct lattice_symmetry {
    mat3<double> matrix;                         ///< T: orthogonal, det = ±1
    std::array<std::uint8_t, 16> permutation{};  ///< p(i), i < N: an index into lattice_vectors()
};

namespace detail {

/// OVITO's lattice vectors as exact integers in units of 1/4 (cubic) or (√2/4, √6/12, √3/12)
/// (hexagonal), in OVITO's order; the first n are the coordination vectors.
struct lattice_source {
    std::size_t n, m;
    bool hexagonal;
    std::array<std::array<std::int8_t, 3>, 32> v;
};

inline const lattice_source& lattice_source_of(lattice_structure s) {
    static constexpr lattice_source fcc{12, 12, false, {{{2, 2, 0}, {0, 2, 2}, {2, 0, 2}, {-2, -2, 0}, {0, -2, -2},
        {-2, 0, -2}, {-2, 2, 0}, {0, -2, 2}, {-2, 0, 2}, {2, -2, 0}, {0, 2, -2}, {2, 0, -2}}}};
    static constexpr lattice_source hcp{12, 18, true, {{{1, -3, 0}, {-2, 0, 0}, {-1, 1, -4}, {1, 1, -4}, {0, -2, -4},
        {-1, 3, 0}, {1, 3, 0}, {2, 0, 0}, {-1, -3, 0}, {0, -2, 4}, {1, 1, 4}, {-1, 1, 4},
        {0, 2, 4}, {-1, -1, -4}, {1, -1, 4}, {0, 2, -4}, {1, -1, -4}, {-1, -1, 4}}}};
    static constexpr lattice_source bcc{14, 14, false, {{{2, 2, 2}, {-2, 2, 2}, {2, 2, -2}, {-2, -2, 2}, {2, -2, 2},
        {-2, 2, -2}, {-2, -2, -2}, {2, -2, -2}, {4, 0, 0}, {-4, 0, 0}, {0, 4, 0}, {0, -4, 0}, {0, 0, 4}, {0, 0, -4}}}};
    static constexpr lattice_source cubic_diamond{16, 20, false, {{{1, 1, 1}, {1, -1, -1}, {-1, -1, 1}, {-1, 1, -1},
        {0, -2, 2}, {2, 2, 0}, {-2, 0, 2}, {-2, 2, 0}, {0, 2, 2}, {2, -2, 0}, {2, 0, 2}, {2, 0, -2}, {-2, -2, 0},
        {0, -2, -2}, {0, 2, -2}, {-2, 0, -2}, {1, -1, 1}, {1, 1, -1}, {-1, 1, 1}, {-1, -1, -1}}}};
    static constexpr lattice_source hex_diamond{16, 32, true, {{{-1, 1, -1}, {0, -2, -1}, {1, 1, -1}, {0, 0, 3},
        {1, -3, 0}, {-2, 0, 0}, {-1, 3, 0}, {1, 3, 0}, {2, 0, 0}, {-1, -3, 0}, {-1, 1, -4}, {1, 1, -4}, {0, -2, -4},
        {0, -2, 4}, {1, 1, 4}, {-1, 1, 4}, {-1, 1, 1}, {0, -2, 1}, {1, 1, 1}, {0, 0, -3}, {-1, -1, -1}, {0, 2, -1},
        {1, -1, -1}, {-1, -1, 1}, {0, 2, 1}, {1, -1, 1}, {0, 2, 4}, {-1, -1, -4}, {1, -1, 4}, {0, 2, -4},
        {1, -1, -4}, {-1, -1, 4}}}};
    switch (s) {
        case lattice_structure::fcc: return fcc;
        case lattice_structure::hcp: return hcp;
        case lattice_structure::bcc: return bcc;
        case lattice_structure::cubic_diamond: return cubic_diamond;
        case lattice_structure::hex_diamond: return hex_diamond;
        default: throw error("lattice_table: structure ", int(s), " is not fcc, hcp, bcc, cubic or hex diamond");
    }
}

}  // namespace detail

/// The tables of one lattice. Construct one, or share the one built on first use: get(s).
class lattice_table {
public:
    static constexpr std::size_t max_neighbors = 16;
    static constexpr std::size_t max_lattice_vectors = 32;

    explicit lattice_table(lattice_structure s) : structure_(s) {
        const detail::lattice_source& src = detail::lattice_source_of(s);
        n_ = src.n;
        m_ = src.m;
        const vec3<double> unit = src.hexagonal
                                      ? vec3<double>{std::sqrt(2.0) / 4, std::sqrt(6.0) / 12, std::sqrt(3.0) / 12}
                                      : vec3<double>{0.25, 0.25, 0.25};
        for (std::size_t k = 0; k < m_; ++k)
            vectors_[k] = {unit.x * src.v[k][0], unit.y * src.v[k][1], unit.z * src.v[k][2]};
        build_shell(src);
        build_group();
    }

    /// The table of s, built once per program on first use (thread-safe). Throws for `other`.
    static const lattice_table& get(lattice_structure s) {
        using ls = lattice_structure;
        static const lattice_table tables[] = {lattice_table(ls::fcc), lattice_table(ls::hcp), lattice_table(ls::bcc),
                                               lattice_table(ls::cubic_diamond), lattice_table(ls::hex_diamond)};
        detail::lattice_source_of(s);  // throws for a non-lattice
        return tables[std::size_t(s) - 1];
    }

    lattice_structure structure() const noexcept { return structure_; }
    /// N: 12 (fcc, hcp), 14 (bcc), 16 (diamonds).
    std::size_t num_neighbors() const noexcept { return n_; }
    /// L: the coordination vectors, then the rest of their orbit under the point group.
    std::span<const vec3<double>> lattice_vectors() const noexcept { return {vectors_.data(), m_}; }
    /// c_0..c_{N-1}: the first N lattice vectors, in OVITO's template order.
    std::span<const vec3<double>> coordination_vectors() const noexcept { return {vectors_.data(), n_}; }
    /// Template bonds of neighbour i: bit j set iff c_i and c_j are bonded.
    std::uint32_t bond_row(std::size_t i) const noexcept { return bonds_[i]; }
    bool bonded(std::size_t i, std::size_t j) const noexcept { return (bonds_[i] >> j) & 1u; }
    /// The CNA class neighbour i has in the perfect crystal (0, 1 or 2; see the file comment).
    int cna_class(std::size_t i) const noexcept { return cna_[i]; }
    /// The first pair i1 < i2 of neighbours bonded to i with c_i, c_i1, c_i2 non-coplanar.
    std::array<std::size_t, 2> common_neighbors(std::size_t i) const noexcept { return common_[i]; }

    /// The point group, identity first, in OVITO's order.
    std::span<const lattice_symmetry> symmetries() const noexcept { return group_; }
    /// Index of T_a·T_b.
    std::size_t product(std::size_t a, std::size_t b) const noexcept { return product_[a * group_.size() + b]; }
    /// Index of T_a⁻¹ (= T_aᵀ).
    std::size_t inverse(std::size_t a) const noexcept { return inverse_[a]; }
    /// Index of the operation equal to T within `tolerance` per entry (OVITO: 1e-4), or −1.
    int find_symmetry(const mat3<double>& T, double tolerance = 1e-4) const noexcept {
        for (std::size_t s = 0; s < group_.size(); ++s) {
            bool equal = true;
            for (std::size_t k = 0; k < 9 && equal; ++k) equal = std::abs(T.a[k] - group_[s].matrix.a[k]) <= tolerance;
            if (equal) return int(s);
        }
        return -1;
    }

private:
    void build_shell(const detail::lattice_source& src) {
        const bool diamond = n_ == 16, bcc = structure_ == lattice_structure::bcc;
        const double outer = bcc ? (1 + std::sqrt(2.0)) / 2 : (1 + std::sqrt(0.5)) / 2;
        const double inner = (std::sqrt(3.0) / 4 + std::sqrt(0.5)) / 2;
        for (std::size_t i = 0; i < n_; ++i)
            for (std::size_t j = i + 1; j < n_; ++j) {
                if (norm(vectors_[i] - vectors_[j]) < (diamond && i < 4 ? inner : outer)) {
                    bonds_[i] |= std::uint32_t(1) << j;
                    bonds_[j] |= std::uint32_t(1) << i;
                }
            }
        for (std::size_t i = 0; i < n_; ++i) {
            const bool basal = src.v[i][2] == 0;
            switch (structure_) {
                case lattice_structure::hcp: cna_[i] = basal ? 1 : 0; break;
                case lattice_structure::bcc: cna_[i] = i < 8 ? 0 : 1; break;
                case lattice_structure::cubic_diamond: cna_[i] = i < 4 ? 0 : 1; break;
                case lattice_structure::hex_diamond: cna_[i] = i < 4 ? 0 : (basal ? 2 : 1); break;
                default: cna_[i] = 0;
            }
            bool found = false;
            for (std::size_t i1 = 0; i1 < n_ && !found; ++i1)
                for (std::size_t i2 = i1 + 1; i2 < n_ && !found; ++i2)
                    if (bonded(i, i1) && bonded(i, i2) &&
                        std::abs(dot(vectors_[i], cross(vectors_[i1], vectors_[i2]))) > 1e-12) {
                        common_[i] = {i1, i2};
                        found = true;
                    }
            if (!found) throw error("lattice_table: neighbour ", i, " has no two non-coplanar common neighbours");
        }
    }

    // Entries of the symmetry matrices are 0, ±1/2, ±√3/2 or ±1: rounding noise of M2·M1⁻¹ is snapped.
    static void snap(mat3<double>& T) noexcept {
        for (double& x : T.a)
            for (const double v : {0.0, 0.5, std::sqrt(0.75), 1.0})
                if (std::abs(std::abs(x) - v) < 1e-9) x = v == 0 ? 0.0 : std::copysign(v, x);
    }

    void build_group() {
        const std::span<const vec3<double>> L = lattice_vectors();
        std::array<std::size_t, 3> ref{};  // the first three non-coplanar coordination vectors
        std::size_t found = 0;
        for (std::size_t i = 0; i < n_ && found < 3; ++i) {
            if (found == 1 && norm2(cross(L[ref[0]], L[i])) <= 1e-12) continue;
            if (found == 2 && std::abs(dot(L[ref[0]], cross(L[ref[1]], L[i]))) <= 1e-12) continue;
            ref[found++] = i;
        }
        const mat3<double> M1inv = tessera::inverse(mat3<double>::from_columns(L[ref[0]], L[ref[1]], L[ref[2]]));
        auto same = [](double x, double y) { return std::abs(x - y) < 1e-9; };
        for (std::size_t a = 0; a < m_; ++a)
            for (std::size_t b = 0; b < m_; ++b)
                for (std::size_t c = 0; c < m_; ++c) {
                    lattice_symmetry op{mat3<double>::from_columns(L[a], L[b], L[c]) * M1inv, {}};
                    snap(op.matrix);
                    const mat3<double> TtT = transpose(op.matrix) * op.matrix;
                    bool ok = true;
                    for (std::size_t k = 0; k < 9 && ok; ++k) ok = same(TtT.a[k], k % 4 == 0 ? 1.0 : 0.0);
                    for (std::size_t i = 0; i < n_ && ok; ++i) {
                        const vec3<double> t = op.matrix * L[i];
                        ok = false;
                        for (std::size_t k = 0; k < m_ && !ok; ++k)
                            if (same(t.x, L[k].x) && same(t.y, L[k].y) && same(t.z, L[k].z)) {
                                op.permutation[i] = std::uint8_t(k);
                                ok = true;
                            }
                    }
                    if (ok) group_.push_back(op);
                }
        std::sort(group_.begin(), group_.end(), [this](const lattice_symmetry& x, const lattice_symmetry& y) {
            return std::lexicographical_compare(x.permutation.begin(), x.permutation.begin() + std::ptrdiff_t(n_),
                                                y.permutation.begin(), y.permutation.begin() + std::ptrdiff_t(n_));
        });
        const std::size_t g = group_.size();
        if (g == 0 || group_[0].matrix != mat3<double>::identity())
            throw error("lattice_table: the symmetry search did not find the identity first");
        product_.resize(g * g);
        inverse_.resize(g);
        for (std::size_t a = 0; a < g; ++a)
            for (std::size_t b = 0; b < g; ++b) {
                const int ab = find_symmetry(group_[a].matrix * group_[b].matrix, 1e-9);
                if (ab < 0) throw error("lattice_table: the symmetry group is not closed under products");
                product_[a * g + b] = std::uint8_t(ab);
                if (ab == 0) inverse_[a] = std::uint8_t(b);
            }
    }

    lattice_structure structure_;
    std::size_t n_ = 0, m_ = 0;
    std::array<vec3<double>, max_lattice_vectors> vectors_{};
    std::array<std::uint32_t, max_neighbors> bonds_{};
    std::array<int, max_neighbors> cna_{};
    std::array<std::array<std::size_t, 2>, max_neighbors> common_{};
    std::vector<lattice_symmetry> group_;
    std::vector<std::uint8_t> product_, inverse_;
};

/// One Burgers vector family: OVITO's id, name and prototype (lattice frame; zero for "Other";
/// the hexagonal ones use √½, √(4/3) and √1.5).
struct burgers_family {
    int id = 0;
    std::string_view name;
    vec3<double> prototype;
};

/// The families of s in classification order, "Other" (id 0) first; only "Other" for `other`.
inline std::span<const burgers_family> burgers_families(lattice_structure s) noexcept {
    constexpr double r12 = 0.70710678118654752, r43 = 1.1547005383792515, r32 = 1.2247448713915890;
    static constexpr burgers_family other[] = {{0, "Other", {}}};
    static constexpr burgers_family fcc[] = {
        {0, "Other", {}}, {1, "1/2<110> (Perfect)", {1. / 2, 1. / 2, 0}},
        {2, "1/6<112> (Shockley)", {1. / 6, 1. / 6, 2. / 6}}, {3, "1/6<110> (Stair-rod)", {1. / 6, 1. / 6, 0}},
        {4, "1/3<100> (Hirth)", {1. / 3, 0, 0}}, {5, "1/3<111> (Frank)", {1. / 3, 1. / 3, 1. / 3}}};
    static constexpr burgers_family bcc[] = {{0, "Other", {}}, {11, "1/2<111>", {1. / 2, 1. / 2, 1. / 2}},
                                             {12, "<100>", {1, 0, 0}}, {13, "<110>", {1, 1, 0}}};
    static constexpr burgers_family hcp[] = {{0, "Other", {}}, {21, "1/3<1-210>", {r12, 0, 0}},
                                             {22, "<0001>", {0, 0, r43}}, {23, "<1-100>", {0, r32, 0}},
                                             {24, "1/3<1-100>", {0, r32 / 3, 0}}, {25, "1/3<1-213>", {r12, 0, r43}}};
    static constexpr burgers_family cubic_diamond[] = {
        {0, "Other", {}}, {31, "1/2<110>", {1. / 2, 1. / 2, 0}}, {32, "1/6<112>", {1. / 6, 1. / 6, 2. / 6}},
        {33, "1/6<110>", {1. / 6, 1. / 6, 0}}, {34, "1/3<111>", {1. / 3, 1. / 3, 1. / 3}}};
    static constexpr burgers_family hex_diamond[] = {{0, "Other", {}}, {41, "1/3<1-210>", {r12, 0, 0}},
                                                     {42, "<0001>", {0, 0, r43}}, {43, "<1-100>", {0, r32, 0}},
                                                     {44, "1/3<1-100>", {0, r32 / 3, 0}}};
    switch (s) {
        case lattice_structure::fcc: return fcc;
        case lattice_structure::hcp: return hcp;
        case lattice_structure::bcc: return bcc;
        case lattice_structure::cubic_diamond: return cubic_diamond;
        case lattice_structure::hex_diamond: return hex_diamond;
        default: return other;
    }
}

/// Whether lattice-frame b belongs to family f of lattice s (the rule in the file comment).
inline bool is_burgers_member(const vec3<double>& b, const burgers_family& f, lattice_structure s) noexcept {
    const vec3<double>& p = f.prototype;
    if (p == vec3<double>{}) return false;
    auto equal = [](std::array<double, 3> u, std::array<double, 3> v) {
        return std::abs(u[0] - v[0]) <= 1e-3 && std::abs(u[1] - v[1]) <= 1e-3 && std::abs(u[2] - v[2]) <= 1e-3;
    };
    std::array<double, 3> bb{std::abs(b.x), std::abs(b.y), std::abs(b.z)};
    std::array<double, 3> pp{std::abs(p.x), std::abs(p.y), std::abs(p.z)};
    if (is_cubic(s)) {
        std::sort(bb.begin(), bb.end());
        std::sort(pp.begin(), pp.end());
        return equal(bb, pp);
    }
    if (!is_hexagonal(s)) return false;
    const double h = std::sqrt(3.0) / 2;
    return equal(bb, pp) || equal(bb, {std::abs(p.x / 2 + h * p.y), std::abs(p.y / 2 - h * p.x), std::abs(p.z)});
}

/// The first family of s that b belongs to, else "Other".
inline const burgers_family& classify_burgers(const vec3<double>& b, lattice_structure s) noexcept {
    const std::span<const burgers_family> families = burgers_families(s);
    for (const burgers_family& f : families)
        if (is_burgers_member(b, f, s)) return f;
    return families[0];
}

namespace detail {

/// OVITO's integer test: v within 1e-2 of an integer n (|v| ≤ 1e6 here, to stay within int).
inline bool near_integer(double v, int& n) noexcept {
    if (!(std::abs(v) <= 1e6)) return false;
    double ip;
    const double frac = std::modf(v, &ip);
    if (frac >= -1e-2 && frac <= 1e-2) n = int(ip);
    else if (frac >= 1 - 1e-2) n = int(ip) + 1;
    else if (frac <= -1 + 1e-2) n = int(ip) - 1;
    else return false;
    return true;
}

/// "1/d[i j k]" (or "[i j k]") for components x by OVITO's search, or "" when it finds none.
template <std::size_t K>
std::string fraction_notation(const std::array<double, K>& x) {
    double smallest = std::numeric_limits<double>::max();
    for (const double c : x)
        if (std::abs(c) < smallest && std::abs(c) > 1e-3) smallest = std::abs(c);
    if (smallest == std::numeric_limits<double>::max()) return {};
    for (int f = 1; f <= 11; ++f) {
        int d = 0;
        if (!near_integer(f / smallest, d) || d < 1 || d >= 80) continue;  // d = 0 would print "1/0[...]"
        std::array<int, K> n{};
        bool integral = true;
        for (std::size_t k = 0; k < K && integral; ++k) integral = near_integer(x[k] * d, n[k]);
        if (!integral) continue;
        std::string out = d == 1 ? "[" : "1/" + std::to_string(d) + "[";
        for (std::size_t k = 0; k < K; ++k) out += (k ? " " : "") + std::to_string(n[k]);
        return out + "]";
    }
    return {};
}

/// Components as `%7.6f` in the C locale, separated by single spaces.
inline std::string decimal_notation(std::span<const double> x) {
    std::string out;
    for (std::size_t k = 0; k < x.size(); ++k) {
        char buf[400];
        const auto r = std::to_chars(buf, buf + sizeof buf, x[k], std::chars_format::fixed, 6);
        const std::size_t len = std::size_t(r.ptr - buf);
        if (k) out.push_back(' ');
        if (len < 7) out.append(7 - len, ' ');  // right-aligned in 7 columns, as %7.6f
        out.append(buf, len);
    }
    return out;
}

}  // namespace detail

/// A lattice-frame Burgers vector of a cluster of structure s as OVITO prints it, e.g.
/// "1/6[1 -2 1]" (cubic) or "1/3[1 1 -2 0]" (hexagonal); the rules are in the file comment.
inline std::string format_burgers(const vec3<double>& b, lattice_structure s) {
    const bool zero = std::abs(b.x) <= 1e-12 && std::abs(b.y) <= 1e-12 && std::abs(b.z) <= 1e-12;
    if (is_cubic(s)) {
        if (zero) return "[0 0 0]";
        std::string out = detail::fraction_notation<3>({b.x, b.y, b.z});
        if (!out.empty()) return out;
    } else if (is_hexagonal(s)) {
        if (zero) return "[0 0 0 0]";
        const double U = std::sqrt(2.0) * b.x - std::sqrt(2.0 / 3.0) * b.y;
        const double V = std::sqrt(2.0) * b.x + std::sqrt(2.0 / 3.0) * b.y, W = std::sqrt(0.75) * b.z;
        const std::array<double, 4> uvtw{(2 * U - V) / 3, (2 * V - U) / 3, -(U + V) / 3, W};
        std::string out = detail::fraction_notation<4>(uvtw);
        return out.empty() ? "[" + detail::decimal_notation(uvtw) + "]" : out;
    }
    if (zero) return "0 0 0";
    const std::array<double, 3> xyz{b.x, b.y, b.z};
    return detail::decimal_notation(xyz);
}

/// The index S of the symmetry operation that brings orientation O (lattice → space) closest to
/// `preferred`: argmin_S Σ_ij |(O·T_S⁻¹)_ij / |det O|^{1/3} − P_ij|, the first in group order on
/// ties. The caller then sets O ← O·T_S⁻¹ and each atom's index a ← table.product(S, a).
inline std::size_t preferred_symmetry(const mat3<double>& orientation, const lattice_table& table,
                                      const mat3<double>& preferred = mat3<double>::identity()) {
    const double det = determinant(orientation);
    if (!std::isfinite(det) || det == 0)
        throw error("preferred_symmetry: the orientation matrix is singular or not finite (det = ", det, ")");
    const double scale = std::cbrt(std::abs(det));
    double best = std::numeric_limits<double>::infinity();
    std::size_t best_index = 0;
    const std::span<const lattice_symmetry> group = table.symmetries();
    for (std::size_t s = 0; s < group.size(); ++s) {
        const mat3<double> o = orientation * transpose(group[s].matrix);
        double deviation = 0;
        for (std::size_t k = 0; k < 9; ++k) deviation += std::abs(o.a[k] / scale - preferred.a[k]);
        if (deviation < best) {
            best = deviation;
            best_index = s;
        }
    }
    return best_index;
}

}  // namespace tessera
