#pragma once
/// @file
/// Shared by cna.hpp and adaptive_cna.hpp: structure codes and the bond bit-matrix of one
/// neighbourhood (at most 32 neighbours), common neighbours, bonds among them, and the number
/// of bonds in the largest connected cluster of those bonds (the third CNA index).

#include <tessera/core/detail/popcount.hpp>

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace tessera {

/// Structure codes of cna, adaptive_cna (LAMMPS cna/atom numbering).
enum class cna_structure : int {
    unknown = 0,  ///< not analysed (LAMMPS: atom outside the compute group); never produced here
    fcc = 1,
    hcp = 2,
    bcc = 3,
    ico = 4,
    other = 5,
};

namespace detail {

/// Symmetric adjacency among the neighbours of one particle: bit k of row[j] = "j and k bonded".
struct cna_bonds {
    std::array<std::uint32_t, 32> row{};
    std::size_t n = 0;

    void set(std::size_t j, std::size_t k) noexcept {
        row[j] |= std::uint32_t(1) << k;
        row[k] |= std::uint32_t(1) << j;
    }
    /// Common neighbours of the central particle and neighbour j: the neighbours bonded to j.
    std::uint32_t common(std::size_t j) const noexcept { return row[j]; }
};

/// CNA signature of one bond (central particle – neighbour j).
struct cna_signature {
    int common = 0;     ///< number of common neighbours
    int bonds = 0;      ///< bonds among the common neighbours
    int max_bonds = 0;  ///< most bonds any common neighbour has to the others (LAMMPS)
    int min_bonds = 0;  ///< fewest bonds any common neighbour has to the others (LAMMPS)
    int chain = 0;      ///< bonds in the largest connected cluster of those bonds (Honeycutt–Andersen)
};

/// WithChain = false skips the largest-cluster flood fill (`chain` stays 0): fixed-cutoff CNA
/// classifies by max/min bonds as LAMMPS does and never reads it.
template <bool WithChain = true>
cna_signature cna_signature_of(const cna_bonds& b, std::size_t j) noexcept {
    cna_signature s;
    const std::uint32_t common = b.common(j);
    s.common = detail::popcount(common);
    if (s.common == 0) return s;
    s.min_bonds = 32;
    int twice = 0;
    for (std::uint32_t m = common; m; m &= m - 1) {
        const int k = std::countr_zero(m);
        const int deg = detail::popcount(b.row[std::size_t(k)] & common);
        twice += deg;
        if (deg > s.max_bonds) s.max_bonds = deg;
        if (deg < s.min_bonds) s.min_bonds = deg;
    }
    s.bonds = twice / 2;
    if constexpr (!WithChain) return s;
    // largest connected cluster, counted in bonds: flood fill over the common neighbours
    std::uint32_t left = common;
    while (left) {
        std::uint32_t cluster = left & (~left + 1), frontier = cluster;
        while (frontier) {
            const int k = std::countr_zero(frontier);
            frontier &= frontier - 1;
            const std::uint32_t add = b.row[std::size_t(k)] & common & ~cluster;
            cluster |= add;
            frontier |= add;
        }
        left &= ~cluster;
        int cluster_twice = 0;
        for (std::uint32_t m = cluster; m; m &= m - 1)
            cluster_twice += detail::popcount(b.row[std::size_t(std::countr_zero(m))] & cluster);
        if (cluster_twice / 2 > s.chain) s.chain = cluster_twice / 2;
    }
    return s;
}

}  // namespace detail
}  // namespace tessera
