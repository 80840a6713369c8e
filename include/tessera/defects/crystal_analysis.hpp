#pragma once
/// @file
/// The crystal part of a dislocation extraction analysis, as data: each atom's structure, its
/// neighbours in template order with their ideal lattice vectors, and the clusters (grains) they
/// form with the transitions between them. defects/structure_identification.hpp fills it;
/// defects/elastic_mapping.hpp reads it.
///
/// For a crystalline atom i in cluster C, `ideal[i·max_neighbors + k]` is the lattice vector
/// (lattice units, C's frame) of the bond to `neighbors[i·max_neighbors + k]`. An atom in no
/// crystal lists instead the crystalline atoms that count it among their neighbours (up to
/// max_neighbors of them), without vectors: a path through it reads their bonds backwards.
#include <tessera/defects/cluster_graph.hpp>

#include <cstdint>
#include <vector>

namespace tessera {

struct crystal_analysis {
    std::size_t max_neighbors = 0;          ///< slots per atom (12 fcc/hcp, 14 bcc)
    std::vector<int> structure;             ///< per atom (0: other)
    std::vector<std::uint32_t> cluster;     ///< per atom (0: none)
    std::vector<std::uint8_t> count;        ///< per atom: slots used
    std::vector<std::uint32_t> neighbors;   ///< atom × max_neighbors
    std::vector<vec3<double>> ideal;        ///< atom × max_neighbors (crystalline atoms)
    cluster_graph graph;
    double max_neighbor_distance = 0;       ///< the largest local cutoff of a crystalline atom

    /// The slot of b among a's neighbours, or −1.
    int find_neighbor(std::uint32_t a, std::uint32_t b) const noexcept {
        const std::uint32_t* row = neighbors.data() + std::size_t(a) * max_neighbors;
        for (std::size_t k = 0; k < count[a]; ++k)
            if (row[k] == b) return int(k);
        return -1;
    }
};

}  // namespace tessera
