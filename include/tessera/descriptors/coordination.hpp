#pragma once
/// @file
/// Coordination number: the number of neighbours closer than a cutoff, in total and per
/// neighbour type,
/// \f[ Z_i = \sum_{j \ne i} \Theta(r_c - r_{ij}), \qquad
///     Z_i^{(b)} = \sum_{j \ne i,\ t_j = b} \Theta(r_c - r_{ij}), \f]
/// counting every periodic image of j (and of i itself) strictly inside r_c.
///
/// Matches LAMMPS `compute coord/atom cutoff Rc` (total) and `compute coord/atom cutoff Rc 1 2 …`
/// (per type), which use the same strict r² < r_c² test over ghost images. Columns: `coord`,
/// then `coord_1`, …, `coord_<ntypes>` when types are known.

#include <tessera/core/error.hpp>
#include <tessera/pipeline/descriptor.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace tessera {

struct coordination {
    static constexpr neighbor_need need = neighbor_need::ball;

    double cutoff = 0;     ///< 0: the radius of the pipeline's ball stage
    bool per_type = true;  ///< add one column per neighbour type when types are given

    std::vector<std::string> columns(const particle_properties& p) const {
        std::vector<std::string> names{"coord"};
        if (per_type && !p.types.empty())
            for (int t = 1; t <= p.num_types; ++t) names.push_back("coord_" + std::to_string(t));
        return names;
    }

    void prepare(const neighbor_stage_info& stage, const particle_properties&) const {
        if (cutoff < 0 || (cutoff > 0 && cutoff > stage.radius)) {
            std::ostringstream os;
            os << "coordination: cutoff " << cutoff << " must be positive and at most the neighbour radius "
               << stage.radius;
            throw error(os.str());
        }
    }

    template <class T>
    void compute(const particle_row<T>& row, output_row<T> out) const {
        const bool split = per_type && !row.properties->types.empty();
        const int ntypes = split ? row.properties->num_types : 0;
        for (int t = 0; t <= ntypes; ++t) out[std::size_t(t)] = 0;
        const T c2 = T(cutoff) * T(cutoff);
        for (std::size_t k = 0; k < row.size(); ++k) {
            if (cutoff > 0 && !(row.distances2[k] < c2)) continue;
            out[0] += 1;
            if (split) out[std::size_t(row.neighbor_type(k))] += 1;
        }
    }
};

}  // namespace tessera
