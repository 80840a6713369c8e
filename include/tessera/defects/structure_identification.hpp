#pragma once
/// @file
/// The crystal analysis a dislocation extraction analysis starts from: which atoms are crystal,
/// their neighbours in the order of the ideal shell, and the clusters (grains) they form.
///
/// 1. **Local structure** (a common neighbour analysis with a local cutoff, as OVITO's DXA):
///    fcc/hcp input reads the 12 nearest, bcc the 14; the local cutoff is
///    r_c = s (1 + √2)/2 with s the mean distance of the 12 nearest (fcc, hcp) or
///    s/(√3/2) (1 + √2)/2 with s the mean of the 8 nearest (bcc); an atom with one more neighbour
///    inside r_c is not crystalline. Every bond's signature (common neighbours, bonds among them,
///    bonds in their largest cluster) must be 421 (fcc), 421/422 (hcp: six each) or 666/444
///    (bcc: eight and six). The neighbours are then ordered as the ideal shell's vectors: the
///    first permutation (depth first, pruned at the first mismatch) under which every signature
///    class and every bond among neighbours equals the template's (lattice_tables.hpp).
/// 2. **Clusters.** Crystalline atoms of one structure grow breadth-first from the lowest
///    unassigned index into a cluster; a neighbour joins when the lattice frames of the two
///    atoms, compared through three non-coplanar shared atoms, differ by a symmetry operation of
///    the lattice (within 1e-4), which becomes its own frame. The orientation O = W V⁻¹ is the
///    least-squares map of the cluster's ideal bond vectors onto the spatial ones
///    (V = Σ ℓℓᵀ, W = Σ r ℓᵀ); clusters of the input structure are re-expressed in the
///    symmetry-equivalent frame closest to the axes.
/// 3. **Transitions** between touching clusters (fcc next to the hcp of a stacking fault, twins,
///    grains) from the same three shared atoms, kept when orthogonal; atoms in no crystal learn
///    which crystalline atoms count them as neighbours.
///
/// References: A. Stukowski & K. Albe, Modelling Simul. Mater. Sci. Eng. 18, 085001 (2010);
/// A. Stukowski, V. V. Bulatov, A. Arsenlis, ibid. 20, 085007 (2012); D. Faken & H. Jónsson,
/// Comput. Mater. Sci. 2, 279 (1994) (CNA). Diamond lattices are not supported yet.
#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/defects/crystal_analysis.hpp>
#include <tessera/defects/lattice_tables.hpp>
#include <tessera/descriptors/detail/cna_signatures.hpp>
#include <tessera/neighbors/query.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <deque>
#include <vector>

namespace tessera {

namespace detail {

/// The frames of atom `a` and its neighbour `b` (slot k of a's list) compared through three
/// non-coplanar atoms both see: two common neighbours of the bond (the template's) and a itself.
/// Column c of `in_a` is the ideal vector from b to the c-th shared atom as `a_ideal` reads it,
/// column c of `in_b` the same vector as `b_ideal` reads it (b's ideal vector to that atom).
/// False when b does not list one of the three atoms.
template <class AIdeal, class BIdeal>
bool shared_atom_frames(const crystal_analysis& crystal, const lattice_table& table, std::size_t nn, std::size_t a,
                        std::size_t k, AIdeal&& a_ideal, BIdeal&& b_ideal, mat3<double>& in_a, mat3<double>& in_b) {
    const std::uint32_t b = crystal.neighbors[a * nn + k];
    for (std::size_t col = 0; col < 3; ++col) {
        std::uint32_t atom;
        vec3<double> v1;
        if (col != 2) {
            const std::size_t cn = table.common_neighbors(k)[col];
            atom = crystal.neighbors[a * nn + cn];
            v1 = a_ideal(cn) - a_ideal(k);
        } else {
            atom = std::uint32_t(a);
            v1 = a_ideal(k) * -1.0;
        }
        const int j = crystal.find_neighbor(b, atom);
        if (j < 0) return false;
        const vec3<double> v2 = b_ideal(std::size_t(j));
        for (std::size_t r = 0; r < 3; ++r) in_a(r, col) = v1[r], in_b(r, col) = v2[r];
    }
    return true;
}

}  // namespace detail

/// Crystal analysis of `positions` in `box` for an fcc (finding fcc and hcp), hcp (the same) or
/// bcc input lattice. Throws tessera::error for another lattice, or when the box is too small
/// (a neighbour half a cell away along a periodic axis).
template <class Box>
crystal_analysis identify_crystal_structure(const std::vector<std::array<double, 3>>& positions, const Box& box,
                                            lattice_structure input) {
    if (input != lattice_structure::fcc && input != lattice_structure::hcp && input != lattice_structure::bcc)
        throw error("dislocations: the input lattice must be fcc, hcp or bcc");
    const bool close_packed = input != lattice_structure::bcc;
    const std::size_t nn = close_packed ? 12 : 14;
    const std::size_t n = positions.size();
    crystal_analysis out;
    out.max_neighbors = nn;
    out.structure.assign(n, 0);
    out.cluster.assign(n, 0);
    out.count.assign(n, 0);
    out.neighbors.assign(n * nn, 0);
    out.ideal.assign(n * nn, {});
    std::vector<std::size_t> symmetry(n, 0);
    if (n == 0) return out;
    const auto list = find_neighbors(positions, box, nearest{nn + 1});
    const mat3<double> h = box.cell();
    const mat3<double> h_inverse = inverse(h);

    // 1. Local structure and template order.
    for (std::size_t i = 0; i < n; ++i) {
        const auto idx = list.neighbors(i);
        const auto vec = list.vectors(i);
        const auto d2 = list.distances2(i);
        if (idx.size() < nn) continue;
        double scale = 0;
        const std::size_t averaged = close_packed ? 12 : 8;
        for (std::size_t k = 0; k < averaged; ++k) scale += std::sqrt(d2[k]);
        scale /= double(averaged);
        const double cutoff = close_packed ? scale * (1 + std::sqrt(2.0)) / 2 : scale / (std::sqrt(3.0) / 2) * (1 + std::sqrt(2.0)) / 2;
        const double cutoff2 = cutoff * cutoff;
        if (idx.size() > nn && d2[nn] <= cutoff2) continue;
        detail::cna_bonds bonds;
        bonds.n = nn;
        for (std::size_t a = 0; a < nn; ++a)
            for (std::size_t b = a + 1; b < nn; ++b)
                if (norm2(vec[a] - vec[b]) <= cutoff2) bonds.set(a, b);
        std::array<int, 16> cls{};
        int c0 = 0, c1 = 0;
        bool ok = true;
        for (std::size_t k = 0; k < nn && ok; ++k) {
            const auto s = detail::cna_signature_of(bonds, k);
            if (close_packed) {
                if (s.common == 4 && s.bonds == 2 && s.chain == 1) cls[k] = 0, ++c0;
                else if (s.common == 4 && s.bonds == 2 && s.chain == 2) cls[k] = 1, ++c1;
                else ok = false;
            } else {
                if (s.common == 6 && s.bonds == 6 && s.chain == 6) cls[k] = 0, ++c0;
                else if (s.common == 4 && s.bonds == 4 && s.chain == 4) cls[k] = 1, ++c1;
                else ok = false;
            }
        }
        if (!ok) continue;
        lattice_structure type;
        if (close_packed && c0 == 12) type = lattice_structure::fcc;
        else if (close_packed && c0 == 6 && c1 == 6) type = lattice_structure::hcp;
        else if (!close_packed && c0 == 8 && c1 == 6) type = lattice_structure::bcc;
        else continue;
        const lattice_table& table = lattice_table::get(type);
        // The first neighbour permutation, in lexicographic order, matching the template's
        // classes and bonds (template position a gets neighbour map[a]): depth first, each
        // position tries the unused neighbours in increasing order, and a neighbour is placed
        // only when its class and its bonds to the neighbours already placed match the
        // template's — the order OVITO's search visits permutations in, without visiting the
        // ones a mismatch excludes.
        std::array<int, 16> map{}, next_try{};
        std::uint32_t used = 0;
        bool found = false;
        for (std::size_t a = 0;;) {
            if (a == nn) {
                found = true;
                break;
            }
            int placed = -1;
            for (int na = next_try[a]; na < int(nn) && placed < 0; ++na) {
                if ((used >> na) & 1u || cls[std::size_t(na)] != table.cna_class(a)) continue;
                // Bonds of na to the placed neighbours, as template positions, against the template's.
                std::uint32_t have = 0;
                for (std::size_t b = 0; b < a; ++b) have |= ((bonds.row[std::size_t(na)] >> map[b]) & 1u) << b;
                const std::uint32_t want = table.bond_row(a) & ((std::uint32_t(1) << a) - 1);
                if (have == want) placed = na;
            }
            if (placed >= 0) {
                map[a] = placed, next_try[a] = placed + 1, used |= std::uint32_t(1) << placed;
                if (++a < nn) next_try[a] = 0;
                continue;
            }
            if (a == 0) break;  // no permutation matches
            --a;
            used &= ~(std::uint32_t(1) << map[a]);
        }
        if (!found) continue;
        // Neighbours are identified by index alone from here on: two images of one atom in the
        // shell, or a bond of half a cell, mean the periodic box is too small.
        for (std::size_t k = 0; k < nn; ++k)
            for (std::size_t m = k + 1; m < nn; ++m)
                if (idx[k] == idx[m])
                    throw error("dislocations: the periodic box is too small: atom ", i, " has two images of atom ",
                                idx[k], " among its ", nn, " nearest neighbours (the analysis needs at least two "
                                "neighbour distances per cell vector)");
        for (std::size_t k = 0; k < nn; ++k) {
            const vec3<double> v = vec[std::size_t(map[k])];
            const vec3<double> s = h_inverse * v;
            for (std::size_t d = 0; d < 3; ++d)
                if (box.periodic(d) && std::abs(s[d]) >= 0.5 + 1e-12)
                    throw error("dislocations: the periodic box is too small along axis ", d,
                                ": atom ", i, " has a neighbour half a cell away (the analysis needs at least two "
                                "neighbour distances per cell vector)");
            out.neighbors[i * nn + k] = idx[std::size_t(map[k])];
        }
        out.structure[i] = int(type);
        out.count[i] = std::uint8_t(nn);
        out.max_neighbor_distance = std::max(out.max_neighbor_distance, cutoff);
    }

    // 2. Clusters.
    auto wrapped = [&](std::size_t a, std::size_t b) {  // r_b − r_a, minimum image
        const vec3<double> d{positions[b][0] - positions[a][0], positions[b][1] - positions[a][1],
                             positions[b][2] - positions[a][2]};
        return box.minimum_image(d);
    };
    for (std::size_t seed = 0; seed < n; ++seed) {
        if (out.cluster[seed] != 0 || out.structure[seed] == 0) continue;
        const auto type = lattice_structure(out.structure[seed]);
        const lattice_table& table = lattice_table::get(type);
        const auto L = table.lattice_vectors();
        const std::uint32_t c = out.graph.create_cluster(out.structure[seed]);
        out.graph.cluster(c).atoms = 1;
        out.cluster[seed] = c;
        symmetry[seed] = 0;
        mat3<double> V{}, W{};
        std::deque<std::size_t> queue{seed};
        std::vector<std::size_t> members{seed};
        while (!queue.empty()) {
            const std::size_t cur = queue.front();
            queue.pop_front();
            const auto& perm = table.symmetries()[symmetry[cur]].permutation;
            for (std::size_t k = 0; k < nn; ++k) {
                const std::uint32_t nb = out.neighbors[cur * nn + k];
                const vec3<double> l = L[perm[k]];
                const vec3<double> r = wrapped(cur, nb);
                for (std::size_t a = 0; a < 3; ++a)
                    for (std::size_t b = 0; b < 3; ++b) V(a, b) += l[b] * l[a], W(a, b) += l[b] * r[a];
                if (out.cluster[nb] != 0 || out.structure[nb] != out.structure[cur]) continue;
                // nb's template order, before its symmetry is known: its raw template vectors.
                mat3<double> tm1{}, tm2{};
                const bool overlap = detail::shared_atom_frames(
                    out, table, nn, cur, k, [&](std::size_t m) { return L[perm[m]]; },
                    [&](std::size_t m) { return L[m]; }, tm1, tm2);
                if (!overlap || std::abs(determinant(tm2)) < 1e-12) continue;
                const int s = table.find_symmetry(tm1 * inverse(tm2));
                if (s < 0) continue;
                out.cluster[nb] = c;
                ++out.graph.cluster(c).atoms;
                symmetry[nb] = std::size_t(s);
                queue.push_back(nb);
                members.push_back(nb);
            }
        }
        mat3<double> O = W * inverse(V);
        if (type == input && input != lattice_structure::hcp) {
            const std::size_t S = preferred_symmetry(O, table);
            if (S != 0) {
                O = O * transpose(table.symmetries()[S].matrix);
                for (const std::size_t m : members) symmetry[m] = table.product(S, symmetry[m]);
            }
        }
        out.graph.cluster(c).orientation = O;
    }
    // Ideal vectors in each atom's cluster frame.
    for (std::size_t i = 0; i < n; ++i) {
        if (out.cluster[i] == 0) continue;
        const lattice_table& table = lattice_table::get(lattice_structure(out.structure[i]));
        const auto& perm = table.symmetries()[symmetry[i]].permutation;
        for (std::size_t k = 0; k < nn; ++k) out.ideal[i * nn + k] = table.lattice_vectors()[perm[k]];
    }

    // 3. Transitions; reverse lists for atoms in no crystal.
    std::vector<std::uint8_t> crystalline(n);
    for (std::size_t i = 0; i < n; ++i) crystalline[i] = out.cluster[i] != 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t c1 = out.cluster[i];
        if (c1 == 0) continue;
        const lattice_table& table = lattice_table::get(lattice_structure(out.structure[i]));
        for (std::size_t k = 0; k < nn; ++k) {
            const std::uint32_t nb = out.neighbors[i * nn + k];
            const std::uint32_t c2 = out.cluster[nb];
            if (c2 == 0) {
                if (!crystalline[nb] && out.count[nb] < nn) out.neighbors[nb * nn + out.count[nb]++] = std::uint32_t(i);
                continue;
            }
            if (c2 == c1) continue;
            if (out.graph.find_direct(c1, c2) != cluster_graph::none) {
                out.graph.count_bond(c1, c2);
                continue;
            }
            // Both frames are cluster frames now: the ideal vectors.
            mat3<double> tm1{}, tm2{};
            const bool overlap = detail::shared_atom_frames(
                out, table, nn, i, k, [&](std::size_t m) { return out.ideal[i * nn + m]; },
                [&](std::size_t m) { return out.ideal[nb * nn + m]; }, tm1, tm2);
            if (!overlap || std::abs(determinant(tm1)) < 1e-12) continue;
            const mat3<double> T = tm2 * inverse(tm1);
            // T is made of ideal vectors only: a lattice rotation is orthogonal to rounding.
            const mat3<double> TTt = T * transpose(T);
            bool orthogonal = true;
            for (std::size_t a = 0; a < 3 && orthogonal; ++a)
                for (std::size_t b = 0; b < 3 && orthogonal; ++b)
                    orthogonal = std::abs(TTt(a, b) - (a == b ? 1.0 : 0.0)) <= 1e-8;
            if (orthogonal) out.graph.add_direct(c1, c2, T);
        }
    }
    return out;
}

}  // namespace tessera
