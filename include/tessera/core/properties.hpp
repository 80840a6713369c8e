#pragma once
/// @file
/// Optional per-particle data that travels beside the positions: types, ids and the ghost split.
///
/// Never part of a particle storage (a host code keeps types and ids in arrays of its own);
/// passed by span, so nothing is copied. `n_local` rows are computed; particles n_local..n_total
/// are ghosts that serve only as neighbours (how MPI-decomposed hosts embed tessera: docs/embedding.md).

#include <tessera/core/error.hpp>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <sstream>

namespace tessera {

struct particle_properties {
    std::span<const int> types{};          ///< 1-based types (LAMMPS convention), or empty
    std::span<const std::int64_t> ids{};   ///< ids, or empty
    std::size_t n_local = std::numeric_limits<std::size_t>::max();  ///< default: all particles
    int num_types = 0;                     ///< 0: the largest type present

    /// Checks the spans against the particle count and returns the resolved copy (n_local,
    /// num_types filled in). Types must lie in [1, num_types].
    particle_properties resolved(std::size_t n_total) const {
        particle_properties p = *this;
        if (p.n_local == std::numeric_limits<std::size_t>::max()) p.n_local = n_total;
        if (p.n_local > n_total) {
            throw error("n_local = ", p.n_local, " exceeds the number of particles ", n_total);
        }
        if (!types.empty() && types.size() != n_total) {
            throw error("types: ", types.size(), " entries for ", n_total, " particles");
        }
        if (!ids.empty() && ids.size() != n_total) {
            throw error("ids: ", ids.size(), " entries for ", n_total, " particles");
        }
        int max_type = 0;
        for (std::size_t i = 0; i < types.size(); ++i) {
            if (types[i] < 1) {
                std::ostringstream os;
                os << "types: particle " << i << " has type " << types[i] << "; types start at 1";
                throw error(os.str());
            }
            if (types[i] > max_type) max_type = types[i];
        }
        if (p.num_types == 0) p.num_types = max_type;
        else if (max_type > p.num_types) {
            throw error("types: type ", max_type, " exceeds num_types = ", p.num_types);
        }
        return p;
    }
};

}  // namespace tessera
