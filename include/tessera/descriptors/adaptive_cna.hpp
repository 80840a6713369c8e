#pragma once
/// @file
/// Adaptive common neighbour analysis (a-CNA; Stukowski, Modelling Simul. Mater. Sci. Eng. 20,
/// 045021 (2012)): CNA without a global cutoff, as in OVITO's "Adaptive CNA" mode.
///
/// For particle i with neighbours sorted by distance r_1 ≤ r_2 ≤ …:
///
/// 1. fcc / hcp / icosahedral — the 12 nearest, local cutoff
///    \f[ r_c^{12} = \frac{1+\sqrt2}{2}\,\frac{1}{12}\sum_{j=1}^{12} r_j ; \f]
///    two of the 12 are bonded when |r_j − r_k| ≤ r_c^{12}. Every neighbour j gets the
///    signature (common neighbours, bonds among them, bonds in the largest connected cluster of
///    those bonds). fcc: 12 × 421; hcp: 6 × 421 + 6 × 422; ico: 12 × 555.
/// 2. otherwise bcc — the 14 nearest, local cutoff
///    \f[ r_c^{14} = \frac{1+\sqrt2}{2}\,\frac{1}{14}\Big(\frac{2}{\sqrt3}\sum_{j=1}^{8} r_j
///          + \sum_{j=9}^{14} r_j\Big) ; \f]
///    bcc: 8 × 666 + 6 × 444.
/// 3. anything else, and fewer than 12 (or, for bcc, 14) neighbours: other.
///
/// Codes as tessera::cna / LAMMPS cna/atom: 1 fcc, 2 hcp, 3 bcc, 4 ico, 5 other (OVITO
/// numbers them 0 other, 1 fcc, 2 hcp, 3 bcc, 4 ico). The bond test is ≤ as in OVITO; OVITO's
/// bcc factor is the literal 1.207, here (1+√2)/2 = 1.20711 exactly as in the paper — they
/// differ only for a pair within 0.009 % of the local cutoff, far inside any structure's gap.
/// Neighbour ties at the 12th/14th place are broken as tessera::nearest does (distance, index).
///
/// Needs `tessera::nearest{k}` with k ≥ 14. Column: `acna`.

#include <tessera/core/error.hpp>
#include <tessera/descriptors/cna.hpp>
#include <tessera/descriptors/detail/cna_signatures.hpp>
#include <tessera/descriptors/descriptor.hpp>

#include <cmath>
#include <numbers>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace tessera {

struct adaptive_cna {
    static constexpr neighbor_need need = neighbor_need::sorted_nearest;

    /// The 14 nearest: 12 for the fcc/hcp/ico test, 8 + 6 for bcc (Stukowski 2012).
    neighbor_request request() const { return neighbor_request::nearest_k(14); }

    std::vector<std::string> columns(const particle_properties&) const { return {"acna"}; }

    void prepare(const neighbor_stage_info& stage, const particle_properties&) const {
        if (stage.k < 14) {
            std::ostringstream os;
            os << "adaptive_cna: needs the 14 nearest neighbours but the stage provides k = " << stage.k
               << "; use tessera::nearest{14} or more";
            throw error(os.str());
        }
    }

    template <class T>
    void compute(const particle_row<T>& row, output_row<T> out) const {
        out[0] = T(int(classify(row.vectors, row.distances2)));
    }

    /// Code of one neighbourhood: bond vectors sorted by distance and their squared lengths.
    template <class T>
    static cna_structure classify(std::span<const vec3<T>> v, std::span<const T> d2) {
        const std::size_t m = v.size();
        if (m < 12) return cna_structure::other;
        const T half_1_sqrt2 = T((1 + std::numbers::sqrt2) / 2);
        auto bonds = [&](std::size_t n, T cut) {
            detail::cna_bonds b;
            b.n = n;
            const T c2 = cut * cut;
            for (std::size_t j = 0; j < n; ++j)
                for (std::size_t k = j + 1; k < n; ++k)
                    if (norm2(v[k] - v[j]) <= c2) b.set(j, k);
            return b;
        };
        {
            T sum = 0;
            for (std::size_t j = 0; j < 12; ++j) sum += std::sqrt(d2[j]);
            const auto b = bonds(12, sum / T(12) * half_1_sqrt2);
            int n421 = 0, n422 = 0, n555 = 0;
            for (std::size_t j = 0; j < 12; ++j) {
                const auto s = detail::cna_signature_of(b, j);
                if (s.common == 4 && s.bonds == 2 && s.chain == 1) ++n421;
                else if (s.common == 4 && s.bonds == 2 && s.chain == 2) ++n422;
                else if (s.common == 5 && s.bonds == 5 && s.chain == 5) ++n555;
                else break;
            }
            if (n421 == 12) return cna_structure::fcc;
            if (n421 == 6 && n422 == 6) return cna_structure::hcp;
            if (n555 == 12) return cna_structure::ico;
        }
        if (m < 14) return cna_structure::other;
        T sum = 0;
        for (std::size_t j = 0; j < 8; ++j) sum += std::sqrt(d2[j]) * T(2 / std::numbers::sqrt3);
        for (std::size_t j = 8; j < 14; ++j) sum += std::sqrt(d2[j]);
        const auto b = bonds(14, sum / T(14) * half_1_sqrt2);
        int n444 = 0, n666 = 0;
        for (std::size_t j = 0; j < 14; ++j) {
            const auto s = detail::cna_signature_of(b, j);
            if (s.common == 4 && s.bonds == 4 && s.chain == 4) ++n444;
            else if (s.common == 6 && s.bonds == 6 && s.chain == 6) ++n666;
            else break;
        }
        if (n444 == 6 && n666 == 8) return cna_structure::bcc;
        return cna_structure::other;
    }
};

}  // namespace tessera
