#pragma once
/// @file
/// The analytic Hessian H_{ia,jb} = ∂²E/∂r_{ia}∂r_{jb} of a potential's total energy (eV/Å² in
/// metal units) and the mass-weighted dynamical matrix D = M^-1/2 H M^-1/2, for normal modes
/// (physics/modes.hpp) and vibrational densities of states (physics/vdos.hpp).
///
/// Form. Every potential here is a *pair functional*: with F'_a frozen, the energy is a sum of
/// radial pair terms, and the rest is the curvature of the embedding. So
///
///     H = Σ_bonds K(ψ'_ij, ψ''_ij, r_ij)  +  Σ_a c_a g_a g_aᵀ,
///     K = ψ'' n nᵀ + (ψ'/r)(I − n nᵀ)      (n = (r_j − r_i)/r; +K on block (i,i), −K on (i,j)),
///     g_a = ∇ρ_a = Σ_b w_ab n_ab (on atom b) − Σ_b w_ab n_ab (on atom a),
///
/// - lj_cut (pair_style lj/cut): ψ = E_ij(r), no embedding terms. ψ' = −r·fpair and
///   ψ'' = r⁻²·r⁻⁶(13·lj1·r⁻⁶ − 7·lj2), with LAMMPS's lj1 = 48εσ¹², lj2 = 24εσ⁶ (std::pow, as
///   PairLJCut), so H is the exact derivative of lj_cut's forces.
/// - eam_potential (eam, eam/alloy, eam/fs): ψ = φ_ij + F'_i ρ_{j→i} + F'_j ρ_{i→j},
///   c_a = F''_a(ρ_a), w_ab = ρ'_{b→a}(r_ab). Derivatives are those of LAMMPS's tabulated cubics
///   (physics/detail/eam_spline.hpp): the force uses the slope coefficients [0..2], which are the
///   exact derivative of the value cubic [3..6], so the cubic's f'' = (2c₀p + c₁)/δ is the exact
///   derivative of eam_potential's forces inside a knot interval (one-sided at a knot, 0 where
///   LAMMPS holds a function constant, F'' = 0 above ρ_max where F is linear). φ = z2r/r,
///   φ' = (z2r' − φ)/r, φ'' = (z2r'' − 2φ')/r. The c_a g_a g_aᵀ terms couple two neighbours of a
///   common atom: EAM's H reaches 2·r_c, a pair potential's r_c.
///
/// Storage (`sparse_hessian`): the pair blocks in block-CSR (rows = atoms, 3×3 row-major blocks,
/// columns sorted, the diagonal block included) plus the embedding terms (c_a and the sparse
/// g_a). `multiply` applies H (or D) in O(bonds) memory — what Lanczos/KPM on 20 000 atoms need,
/// where the assembled EAM matrix (2·r_c reach, ~500 blocks a row) would take gigabytes;
/// `to_sparse` (Eigen::SparseMatrix) and `to_dense` assemble it for small systems.
///
/// Periodic images are the neighbour list's (bond vectors carry them, physics/potential.hpp):
/// several images of one neighbour add into one block; a bond from an atom to its own image
/// changes no energy under a displacement of that atom and is skipped. Properties, all to rounding:
/// H is symmetric, each block row sums to zero (translation invariance Σ_j H_ij = 0), and
/// relabelling atoms permutes H.
///
/// Customisation (ArborX style): a potential P gets a Hessian by specialising
/// `hessian_traits<P>` with `static void bond_terms(const P&, const neighbor_list<double>&,
/// std::span<const int> types, pair_functional_terms&)`; `hessian_potential<P>` checks it and
/// `hessian()` names what is missing in a static_assert.
///
///     auto eam = tessera::eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr");
///     auto h = tessera::hessian(eam, positions, types, box);          // eV/Å²
///     auto d = tessera::dynamical_matrix(h, eam.tables().masses, types);  // eV/(Å²·amu)
///     Eigen::MatrixXd dense = d.to_dense();                          // 3N×3N, small N only
///
/// Not done: three-body potentials (Tersoff, SW) have no pair-functional form and no traits here.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/neighbors/neighbor_list.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/physics/detail/eam_spline.hpp>
#include <tessera/physics/eam.hpp>
#include <tessera/physics/lj_cut.hpp>
#include <tessera/physics/potential.hpp>

#include <Eigen/Dense>
#include <Eigen/Sparse>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

namespace tessera {

/// What a pair-functional potential contributes per bond of a full list (see the file comment):
/// every vector is indexed like list.all_distances2(), except `embedding` (one per atom).
/// A bond outside the potential's range gets d1 = d2 = weight = 0.
struct pair_functional_terms {
    std::vector<double> d1;         ///< ψ'(r) of the bond's pair (the full pair, seen from either row)
    std::vector<double> d2;         ///< ψ''(r)
    std::vector<double> weight;     ///< w_ab = ρ'_{b→a}(r) for the bond a→b; empty: no embedding
    std::vector<double> embedding;  ///< c_a = F''_a(ρ_a) per atom; empty: no embedding
};

template <class P>
struct hessian_traits {
    using not_specialized = void;
};

template <class P>
concept hessian_potential = potential<P> && requires(const P& p, const neighbor_list<double>& list,
                                                     std::span<const int> types, pair_functional_terms& t) {
    hessian_traits<P>::bond_terms(p, list, types, t);
};

/// H (or D after dynamical_matrix) as pair blocks plus embedding terms; see the file comment.
class sparse_hessian {
public:
    using block = std::array<double, 9>;  ///< row-major 3×3: block[3a + b] = H_{ia,jb}

    sparse_hessian() = default;

    std::size_t num_atoms() const noexcept { return n_; }
    std::size_t dimension() const noexcept { return 3 * n_; }
    bool mass_weighted() const noexcept { return mass_weighted_; }

    /// Pair part, block CSR: row i's blocks are [offsets()[i], offsets()[i+1]), columns sorted.
    std::span<const std::size_t> offsets() const noexcept { return offsets_; }
    std::span<const neighbor_index> columns() const noexcept { return columns_; }
    std::span<const block> blocks() const noexcept { return blocks_; }
    /// Embedding part: H += Σ_a embedding()[a] g_a g_aᵀ, g_a's entries at [gradient_offsets()[a], ..[a+1]).
    std::span<const double> embedding() const noexcept { return c_; }
    std::span<const std::size_t> gradient_offsets() const noexcept { return g_offsets_; }
    std::span<const neighbor_index> gradient_atoms() const noexcept { return g_atoms_; }
    std::span<const vec3<double>> gradient_vectors() const noexcept { return g_vectors_; }

    /// y = H x (x, y of length 3N, components x_{3i+a}; no aliasing). No allocation.
    void multiply(std::span<const double> x, std::span<double> y) const {
        if (x.size() != dimension() || y.size() != dimension())
            throw error("tessera::sparse_hessian::multiply: vectors of ", x.size(), " and ", y.size(),
                        " entries for dimension ", dimension());
        for (std::size_t i = 0; i < n_; ++i) {
            double s[3] = {0, 0, 0};
            for (std::size_t k = offsets_[i]; k < offsets_[i + 1]; ++k) {
                const double* v = x.data() + 3 * std::size_t(columns_[k]);
                const block& b = blocks_[k];
                for (std::size_t a = 0; a < 3; ++a) s[a] += b[3 * a] * v[0] + b[3 * a + 1] * v[1] + b[3 * a + 2] * v[2];
            }
            for (std::size_t a = 0; a < 3; ++a) y[3 * i + a] = s[a];
        }
        for (std::size_t a = 0; a < c_.size(); ++a) {
            if (c_[a] == 0.0) continue;
            double dot = 0;
            for (std::size_t k = g_offsets_[a]; k < g_offsets_[a + 1]; ++k) {
                const double* v = x.data() + 3 * std::size_t(g_atoms_[k]);
                dot += g_vectors_[k].x * v[0] + g_vectors_[k].y * v[1] + g_vectors_[k].z * v[2];
            }
            dot *= c_[a];
            for (std::size_t k = g_offsets_[a]; k < g_offsets_[a + 1]; ++k) {
                double* v = y.data() + 3 * std::size_t(g_atoms_[k]);
                for (std::size_t d = 0; d < 3; ++d) v[d] += dot * g_vectors_[k][d];
            }
        }
    }

    /// The assembled 3N×3N matrix. Memory: 8·9N² bytes; meant for N up to a few thousand.
    Eigen::MatrixXd to_dense() const {
        const auto m = Eigen::Index(dimension());
        Eigen::MatrixXd h = Eigen::MatrixXd::Zero(m, m);
        for (std::size_t i = 0; i < n_; ++i)
            for (std::size_t k = offsets_[i]; k < offsets_[i + 1]; ++k)
                for (std::size_t a = 0; a < 3; ++a)
                    for (std::size_t b = 0; b < 3; ++b)
                        h(Eigen::Index(3 * i + a), Eigen::Index(3 * columns_[k] + b)) += blocks_[k][3 * a + b];
        for (std::size_t a = 0; a < c_.size(); ++a) {
            if (c_[a] == 0.0) continue;
            for (std::size_t p = g_offsets_[a]; p < g_offsets_[a + 1]; ++p)
                for (std::size_t q = g_offsets_[a]; q < g_offsets_[a + 1]; ++q)
                    for (std::size_t d = 0; d < 3; ++d)
                        for (std::size_t e = 0; e < 3; ++e)
                            h(Eigen::Index(3 * g_atoms_[p] + d), Eigen::Index(3 * g_atoms_[q] + e)) +=
                                c_[a] * g_vectors_[p][d] * g_vectors_[q][e];
        }
        return h;
    }

    /// The assembled matrix in Eigen's compressed column storage (EAM: reaches 2·r_c; on a CuZr
    /// glass ~500 blocks per atom, ~40 kB per atom).
    Eigen::SparseMatrix<double> to_sparse() const {
        // Row by row with a dense accumulator over block columns (SPA), so the embedding terms
        // never exist as one triplet per (a, p, q).
        std::vector<std::vector<std::pair<std::size_t, std::size_t>>> touching(n_);  // atom → (a, slot)
        for (std::size_t a = 0; a < c_.size(); ++a)
            if (c_[a] != 0.0)
                for (std::size_t p = g_offsets_[a]; p < g_offsets_[a + 1]; ++p) touching[g_atoms_[p]].push_back({a, p});
        std::vector<std::size_t> slot(n_, npos);
        std::vector<std::size_t> cols;
        std::vector<block> acc;
        std::vector<Eigen::Triplet<double>> triplets;
        for (std::size_t i = 0; i < n_; ++i) {
            cols.clear();
            acc.clear();
            const auto add = [&](std::size_t j) -> block& {
                if (slot[j] == npos) {
                    slot[j] = cols.size();
                    cols.push_back(j);
                    acc.push_back(block{});
                }
                return acc[slot[j]];
            };
            for (std::size_t k = offsets_[i]; k < offsets_[i + 1]; ++k) {
                block& b = add(columns_[k]);
                for (std::size_t e = 0; e < 9; ++e) b[e] += blocks_[k][e];
            }
            for (const auto& [a, p] : touching[i])
                for (std::size_t q = g_offsets_[a]; q < g_offsets_[a + 1]; ++q) {
                    block& b = add(g_atoms_[q]);
                    for (std::size_t d = 0; d < 3; ++d)
                        for (std::size_t e = 0; e < 3; ++e) b[3 * d + e] += c_[a] * g_vectors_[p][d] * g_vectors_[q][e];
                }
            for (std::size_t s = 0; s < cols.size(); ++s) {
                for (std::size_t d = 0; d < 3; ++d)
                    for (std::size_t e = 0; e < 3; ++e)
                        triplets.emplace_back(Eigen::Index(3 * i + d), Eigen::Index(3 * cols[s] + e), acc[s][3 * d + e]);
                slot[cols[s]] = npos;
            }
        }
        const auto dim = Eigen::Index(dimension());
        Eigen::SparseMatrix<double> h(dim, dim);
        h.setFromTriplets(triplets.begin(), triplets.end());
        return h;
    }

    /// Builds H from per-bond terms of a full list (what hessian() calls; public for potentials
    /// that provide their own hessian_traits).
    static sparse_hessian from_bond_terms(const neighbor_list<double>& list, const pair_functional_terms& t) {
        static constexpr const char* who = "tessera::hessian";
        const std::size_t n = list.num_particles(), nb = list.all_distances2().size();
        if (list.kind() != list_kind::full) throw error(who, ": needs a full neighbour list");
        if (t.d1.size() != nb || t.d2.size() != nb)
            throw error(who, ": bond terms for ", t.d1.size(), " bonds, the list has ", nb);
        const bool embed = !t.embedding.empty();
        if (embed && (t.embedding.size() != n || t.weight.size() != nb))
            throw error(who, ": embedding terms sized ", t.embedding.size(), " / ", t.weight.size(), " for ", n,
                        " atoms / ", nb, " bonds");
        sparse_hessian h;
        h.n_ = n;
        h.offsets_.assign(1, 0);
        std::vector<std::size_t> slot(n, npos);
        std::vector<std::pair<neighbor_index, block>> row;
        std::vector<std::pair<neighbor_index, vec3<double>>> grad;
        for (std::size_t i = 0; i < n; ++i) {
            const auto nbr = list.neighbors(i);
            const auto vec = list.vectors(i);
            const auto d2 = list.distances2(i);
            const std::size_t base = list.offsets()[i];
            row.clear();
            row.push_back({neighbor_index(i), block{}});
            slot[i] = 0;
            for (std::size_t k = 0; k < nbr.size(); ++k) {
                const std::size_t j = nbr[k];
                if (j >= n) throw error(who, ": atom ", i, " has neighbour ", j, " beyond the ", n, " rows");
                if (j == i || (t.d1[base + k] == 0.0 && t.d2[base + k] == 0.0)) continue;
                const double r2 = d2[k];
                const double r = std::sqrt(r2);
                const double s = t.d1[base + k] / r, c = (t.d2[base + k] - s) / r2;
                const double v[3] = {vec[k].x, vec[k].y, vec[k].z};
                if (slot[j] == npos) {
                    slot[j] = row.size();
                    row.push_back({neighbor_index(j), block{}});
                }
                block& off = row[slot[j]].second;
                block& diag = row[0].second;
                for (std::size_t a = 0; a < 3; ++a)
                    for (std::size_t b = 0; b < 3; ++b) {
                        const double kab = c * v[a] * v[b] + (a == b ? s : 0.0);
                        diag[3 * a + b] += kab;
                        off[3 * a + b] -= kab;
                    }
            }
            for (const auto& e : row) slot[e.first] = npos;
            std::sort(row.begin(), row.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
            for (const auto& e : row) {
                h.columns_.push_back(e.first);
                h.blocks_.push_back(e.second);
            }
            h.offsets_.push_back(h.columns_.size());
        }
        if (!embed) {
            h.g_offsets_.assign(1, 0);
            return h;
        }
        h.c_ = t.embedding;
        h.g_offsets_.assign(1, 0);
        for (std::size_t a = 0; a < n; ++a) {
            const auto nbr = list.neighbors(a);
            const auto vec = list.vectors(a);
            const auto d2 = list.distances2(a);
            const std::size_t base = list.offsets()[a];
            grad.clear();
            grad.push_back({neighbor_index(a), vec3<double>{0, 0, 0}});
            slot[a] = 0;
            for (std::size_t k = 0; k < nbr.size(); ++k) {
                const std::size_t b = nbr[k];
                const double w = t.weight[base + k];
                if (b == a || w == 0.0) continue;
                const double f = w / std::sqrt(d2[k]);
                const vec3<double> g{f * vec[k].x, f * vec[k].y, f * vec[k].z};
                if (slot[b] == npos) {
                    slot[b] = grad.size();
                    grad.push_back({neighbor_index(b), vec3<double>{0, 0, 0}});
                }
                grad[slot[b]].second = grad[slot[b]].second + g;
                grad[0].second = grad[0].second - g;
            }
            for (const auto& e : grad) slot[e.first] = npos;
            std::sort(grad.begin(), grad.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
            for (const auto& e : grad) {
                h.g_atoms_.push_back(e.first);
                h.g_vectors_.push_back(e.second);
            }
            h.g_offsets_.push_back(h.g_atoms_.size());
        }
        return h;
    }

    /// M^-1/2 H M^-1/2 with `inverse_sqrt_mass[i]` = 1/√m_i (dynamical_matrix() computes it).
    sparse_hessian scaled(std::span<const double> inverse_sqrt_mass) const {
        if (inverse_sqrt_mass.size() != n_)
            throw error("tessera::sparse_hessian: ", inverse_sqrt_mass.size(), " masses for ", n_, " atoms");
        sparse_hessian d = *this;
        for (std::size_t i = 0; i < n_; ++i)
            for (std::size_t k = offsets_[i]; k < offsets_[i + 1]; ++k)
                for (double& e : d.blocks_[k]) e *= inverse_sqrt_mass[i] * inverse_sqrt_mass[columns_[k]];
        for (std::size_t p = 0; p < g_atoms_.size(); ++p)
            d.g_vectors_[p] = d.g_vectors_[p] * inverse_sqrt_mass[g_atoms_[p]];
        d.mass_weighted_ = true;
        return d;
    }

private:
    static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
    std::size_t n_ = 0;
    std::vector<std::size_t> offsets_{0};
    std::vector<neighbor_index> columns_;
    std::vector<block> blocks_;
    std::vector<double> c_;
    std::vector<std::size_t> g_offsets_{0};
    std::vector<neighbor_index> g_atoms_;
    std::vector<vec3<double>> g_vectors_;
    bool mass_weighted_ = false;
};

/// LAMMPS pair_style lj/cut: ψ = E_ij, exactly differentiating lj_cut's force arithmetic.
template <>
struct hessian_traits<lj_cut> {
    static void bond_terms(const lj_cut& p, const neighbor_list<double>& list, std::span<const int> types,
                           pair_functional_terms& t) {
        const std::size_t nt = p.num_types(), n = list.num_particles();
        check_types("tessera::hessian(lj_cut)", types, n, nt);
        // PairLJCut::init_one's coefficients, once per type pair
        std::vector<std::array<double, 3>> c(nt * nt);  // lj1, lj2, cutsq
        for (std::size_t a = 0; a < nt; ++a)
            for (std::size_t b = 0; b < nt; ++b) {
                const auto q = p.parameters(int(a + 1), int(b + 1));
                c[a * nt + b] = {48.0 * q.epsilon * std::pow(q.sigma, 12.0), 24.0 * q.epsilon * std::pow(q.sigma, 6.0),
                                 q.cutoff * q.cutoff};
            }
        const std::size_t nb = list.all_distances2().size();
        t.d1.assign(nb, 0.0);
        t.d2.assign(nb, 0.0);
        t.weight.clear();
        t.embedding.clear();
        for (std::size_t i = 0; i < n; ++i) {
            const auto nbr = list.neighbors(i);
            const auto d2 = list.distances2(i);
            const std::size_t base = list.offsets()[i];
            for (std::size_t k = 0; k < nbr.size(); ++k) {
                const auto& q = c[std::size_t(types[i] - 1) * nt + std::size_t(types[nbr[k]] - 1)];
                const double rsq = d2[k];
                if (!(rsq < q[2])) continue;
                if (!(rsq > 0.0)) throw error("tessera::hessian(lj_cut): atoms ", i, " and ", nbr[k], " overlap");
                const double r2inv = 1.0 / rsq, r6inv = r2inv * r2inv * r2inv;
                const double fpair = r6inv * (q[0] * r6inv - q[1]) * r2inv;  // = −ψ'/r
                t.d1[base + k] = -fpair * std::sqrt(rsq);
                t.d2[base + k] = r2inv * r6inv * (13.0 * q[0] * r6inv - 7.0 * q[1]);
            }
        }
    }

    static void check_types(const char* who, std::span<const int> types, std::size_t n, std::size_t nt) {
        if (types.size() != n) throw error(who, ": ", types.size(), " types for ", n, " atoms");
        for (std::size_t i = 0; i < n; ++i)
            if (types[i] < 1 || std::size_t(types[i]) > nt)
                throw error(who, ": atom ", i, " has type ", types[i], ", the potential defines types 1..", nt);
    }
};

/// LAMMPS pair_style eam, eam/alloy, eam/fs: second derivatives of the tabulated cubics.
template <>
struct hessian_traits<eam_potential> {
    static void bond_terms(const eam_potential& eam, const neighbor_list<double>& list, std::span<const int> types,
                           pair_functional_terms& t) {
        static constexpr const char* who = "tessera::hessian(eam)";
        const std::size_t n = list.num_particles(), nt = eam.num_types();
        hessian_traits<lj_cut>::check_types(who, types, n, nt);
        const eam_tables& tb = eam.tables();
        const auto sp = eam.splines();
        const double rdr = 1.0 / tb.dr, rdrho = 1.0 / tb.drho, cutsq = tb.cutoff * tb.cutoff;
        const std::size_t nb = list.all_distances2().size();
        t.d1.assign(nb, 0.0);
        t.d2.assign(nb, 0.0);
        t.weight.assign(nb, 0.0);
        t.embedding.assign(n, 0.0);
        std::vector<double> fp(n);
        // LAMMPS's r → (m, p) lookup (PairEAM::compute): a bond beyond the table is held constant.
        const auto locate = [&](double r, std::size_t& m, double& p) {
            p = r * rdr + 1.0;
            int mi = static_cast<int>(p);
            mi = std::min(mi, tb.nr - 1);
            p -= mi;
            m = std::size_t(mi);
            const bool clamped = p > 1.0;
            p = std::min(p, 1.0);
            return clamped;
        };
        // pass 1: ρ_a, F'_a, F''_a and w_ab = ρ'_{b→a}
        for (std::size_t a = 0; a < n; ++a) {
            const std::size_t ta = std::size_t(types[a] - 1);
            const auto nbr = list.neighbors(a);
            const auto d2 = list.distances2(a);
            const std::size_t base = list.offsets()[a];
            double rho = 0;
            for (std::size_t k = 0; k < nbr.size(); ++k) {
                const double rsq = d2[k];
                if (nbr[k] >= n) throw error(who, ": atom ", a, " has neighbour ", nbr[k], " beyond the ", n, " rows");
                if (!(rsq > 0.0) || !std::isfinite(rsq))
                    throw error(who, ": atoms ", a, " and ", nbr[k], " overlap or have a non-finite distance");
                if (!(rsq < cutsq)) continue;
                const std::size_t tb_ = std::size_t(types[nbr[k]] - 1);
                std::size_t m;
                double p;
                const bool clamped = locate(std::sqrt(rsq), m, p);
                const auto v = detail::eval_spline(sp.rhor[std::size_t(tb.type2rhor[tb_ * nt + ta])][m], p, clamped, rdr);
                rho += v.f;
                t.weight[base + k] = v.d1;
            }
            double p = rho * rdrho + 1.0;
            int m = static_cast<int>(p);
            m = std::max(1, std::min(m, tb.nrho - 1));
            p -= m;
            const bool clamped = p > 1.0;
            p = std::min(p, 1.0);
            const auto f = detail::eval_spline(sp.frho[std::size_t(tb.type2frho[ta])][std::size_t(m)], p, false, rdrho);
            fp[a] = f.d1;  // LAMMPS: F' at the clamped point, also above ρ_max
            t.embedding[a] = (clamped || rho > tb.rhomax) ? 0.0 : f.d2;
        }
        // pass 2: ψ' and ψ'' per bond; terms added in atom-index order so both rows agree bitwise
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t ti = std::size_t(types[i] - 1);
            const auto nbr = list.neighbors(i);
            const auto d2 = list.distances2(i);
            const std::size_t base = list.offsets()[i];
            for (std::size_t k = 0; k < nbr.size(); ++k) {
                const double rsq = d2[k];
                if (!(rsq < cutsq)) continue;
                const std::size_t j = nbr[k], tj = std::size_t(types[j] - 1);
                const double r = std::sqrt(rsq);
                std::size_t m;
                double p;
                const bool clamped = locate(r, m, p);
                const auto into_i = detail::eval_spline(sp.rhor[std::size_t(tb.type2rhor[tj * nt + ti])][m], p, clamped, rdr);
                const auto into_j = detail::eval_spline(sp.rhor[std::size_t(tb.type2rhor[ti * nt + tj])][m], p, clamped, rdr);
                const auto z = detail::eval_spline(sp.z2r[std::size_t(tb.type2z2r[ti * nt + tj])][m], p, clamped, rdr);
                const double recip = 1.0 / r, phi = z.f * recip;
                const double phi1 = (z.d1 - phi) * recip, phi2 = (z.d2 - 2.0 * phi1) * recip;
                const bool first = i <= j;
                const double e1_lo = first ? fp[i] * into_i.d1 : fp[j] * into_j.d1;
                const double e1_hi = first ? fp[j] * into_j.d1 : fp[i] * into_i.d1;
                const double e2_lo = first ? fp[i] * into_i.d2 : fp[j] * into_j.d2;
                const double e2_hi = first ? fp[j] * into_j.d2 : fp[i] * into_i.d2;
                t.d1[base + k] = phi1 + e1_lo + e1_hi;
                t.d2[base + k] = phi2 + e2_lo + e2_hi;
            }
        }
    }
};

static_assert(hessian_potential<lj_cut>);
static_assert(hessian_potential<eam_potential>);

/// H from a full neighbour list with rows = atoms, covering the potential's cutoff.
template <class P>
sparse_hessian hessian(const P& pot, const neighbor_list<double>& list, std::span<const int> types) {
    static_assert(hessian_potential<P>,
                  "tessera::hessian: this potential has no analytic Hessian; specialise tessera::hessian_traits<P> "
                  "with static void bond_terms(const P&, const neighbor_list<double>&, std::span<const int>, "
                  "pair_functional_terms&) (see physics/hessian.hpp)");
    pair_functional_terms t;
    hessian_traits<P>::bond_terms(pot, list, types, t);
    return sparse_hessian::from_bond_terms(list, t);
}

/// H of a configuration: builds the full list at pot.cutoff() over `bx`'s images.
template <class P, particle_storage S, box B>
sparse_hessian hessian(const P& pot, const S& positions, std::span<const int> types, const B& bx) {
    static_assert(hessian_potential<P>,
                  "tessera::hessian: this potential has no analytic Hessian; specialise tessera::hessian_traits<P> "
                  "(see physics/hessian.hpp)");
    const std::size_t n = tessera::size(positions);
    if (types.size() != n) throw error("tessera::hessian: ", types.size(), " types for ", n, " atoms");
    const auto list = find_neighbors<double>(positions, bx, ball{pot.cutoff()});
    return hessian(pot, list, types);
}

/// D = M^-1/2 H M^-1/2 with m_i = type_masses[types[i] − 1] (amu in metal units; LJ: 1).
inline sparse_hessian dynamical_matrix(const sparse_hessian& h, std::span<const double> type_masses,
                                       std::span<const int> types) {
    static constexpr const char* who = "tessera::dynamical_matrix";
    if (h.mass_weighted()) throw error(who, ": the matrix is already mass-weighted");
    if (types.size() != h.num_atoms()) throw error(who, ": ", types.size(), " types for ", h.num_atoms(), " atoms");
    for (std::size_t t = 0; t < type_masses.size(); ++t)
        if (!(type_masses[t] > 0) || !std::isfinite(type_masses[t]))
            throw error(who, ": mass of type ", t + 1, " is ", type_masses[t], " (must be finite and > 0)");
    std::vector<double> s(types.size());
    for (std::size_t i = 0; i < types.size(); ++i) {
        if (types[i] < 1 || std::size_t(types[i]) > type_masses.size())
            throw error(who, ": atom ", i, " has type ", types[i], ", masses are given for types 1..", type_masses.size());
        s[i] = 1.0 / std::sqrt(type_masses[std::size_t(types[i] - 1)]);
    }
    return h.scaled(s);
}

/// ‖F‖₂ over all 3N components and max_i |F_i| of a configuration: whether it is a minimum at
/// which a harmonic analysis means something is the caller's judgement (LAMMPS's fnorm / fmax).
struct force_norms {
    double two_norm = 0, max_norm = 0;
};

template <potential P, particle_storage S, box B>
force_norms residual_forces(const P& pot, const S& positions, std::span<const int> types, const B& bx) {
    const std::size_t n = tessera::size(positions);
    if (types.size() != n) throw error("tessera::residual_forces: ", types.size(), " types for ", n, " atoms");
    const auto list = find_neighbors<double>(positions, bx, ball{pot.cutoff()});
    std::vector<vec3<double>> f(n);
    force_output<double> out;
    out.force = f;
    typename P::workspace ws{};
    pot.compute(list, types, out, ws);
    force_norms r;
    double s = 0;
    for (const auto& v : f) {
        const double q = v.x * v.x + v.y * v.y + v.z * v.z;
        s += q;
        r.max_norm = std::max(r.max_norm, std::sqrt(q));
    }
    r.two_norm = std::sqrt(s);
    return r;
}

}  // namespace tessera
