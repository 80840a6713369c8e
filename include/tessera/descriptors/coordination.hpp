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
#include <tessera/core/type_pair_table.hpp>
#include <tessera/descriptors/descriptor.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace tessera {

struct coordination {
    static constexpr neighbor_need need = neighbor_need::ball;

    double cutoff = 0;     ///< 0: the radius of the pipeline's ball stage
    bool per_type = true;  ///< add one column per neighbour type when types are given

    /// A ball of `cutoff` (0 = the stage's radius: no finite request, so the planner rejects it).
    neighbor_request request() const {
        return neighbor_request::within(cutoff > 0 ? cutoff : std::numeric_limits<double>::infinity());
    }

    std::vector<std::string> columns(const particle_properties& p) const {
        std::vector<std::string> names{"coord"};
        if (per_type && !p.types.empty())
            for (int t = 1; t <= p.num_types; ++t) names.push_back("coord_" + std::to_string(t));
        return names;
    }

    void prepare(const neighbor_stage_info& stage, const particle_properties&) const {
        if (cutoff < 0 || (cutoff > 0 && cutoff > stage.radius)) {
            throw error("coordination: cutoff ", cutoff, " must be positive and at most the neighbour radius ",
                        stage.radius);
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

/// Coordination number with a cutoff per (centre type, neighbour type) pair,
/// \f[ Z_i = \sum_{j \ne i} \Theta\big(r_c(t_i, t_j) - r_{ij}\big), \qquad
///     Z_i^{(b)} = \sum_{j \ne i,\ t_j = b} \Theta\big(r_c(t_i, b) - r_{ij}\big), \f]
/// with a symmetric table r_c(a, b) = r_c(b, a) — e.g. first-shell cutoffs from the minima of
/// the partial g_ab(r) (Cu–Cu 3.05, Cu–Zr 3.75, Zr–Zr 4.35 Å for Cu–Zr glasses, as in Shiihara et
/// al.'s frozen-atom analysis).
/// Strict r² < r_c² as coordination. Run it behind `ball{max_cutoff()}`. Pairs absent from the
/// table (cutoff 0) never count. Columns: `coord`, `coord_1`, …, `coord_<ntypes>`.
struct pair_coordination {
    static constexpr neighbor_need need = neighbor_need::ball;

    int ntypes = 0;                ///< size of the table
    std::vector<double> cutoffs;   ///< ntypes × ntypes, row-major, symmetric; 0 = never counted

    pair_coordination() = default;
    explicit pair_coordination(int n) : ntypes(n), cutoffs(std::size_t(n) * std::size_t(n), 0.0) {}
    /// From a parsed table ("1-1:3.05,1-2:3.75,2-2:4.35", core/type_pair_table.hpp).
    static pair_coordination from_table(const type_pair_table& t) {
        pair_coordination pc(t.num_types());
        pc.cutoffs = t.values();
        return pc;
    }
    /// From (type a, type b, cutoff) triples; types 1-based; sets both (a,b) and (b,a).
    static pair_coordination from_pairs(const std::vector<std::pair<std::pair<int, int>, double>>& pairs) {
        int n = 0;
        for (const auto& [ab, rc] : pairs) n = std::max({n, ab.first, ab.second});
        pair_coordination pc(n);
        for (const auto& [ab, rc] : pairs) pc.set(ab.first, ab.second, rc);
        return pc;
    }
    void set(int a, int b, double rc) {
        if (a < 1 || b < 1 || a > ntypes || b > ntypes) {
            throw error("pair_coordination: type pair ", a, "-", b, " outside 1..", ntypes);
        }
        if (!(rc >= 0) || !std::isfinite(rc)) {
            throw error("pair_coordination: cutoff ", rc, " for pair ", a, "-", b, " must be >= 0 and finite");
        }
        cutoffs[std::size_t(a - 1) * std::size_t(ntypes) + std::size_t(b - 1)] = rc;
        cutoffs[std::size_t(b - 1) * std::size_t(ntypes) + std::size_t(a - 1)] = rc;
    }
    double cutoff(int a, int b) const noexcept {
        if (a < 1 || b < 1 || a > ntypes || b > ntypes) return 0;
        return cutoffs[std::size_t(a - 1) * std::size_t(ntypes) + std::size_t(b - 1)];
    }
    /// The radius the pipeline's ball stage needs.
    double max_cutoff() const noexcept {
        double m = 0;
        for (double c : cutoffs) m = std::max(m, c);
        return m;
    }
    neighbor_request request() const { return neighbor_request::within(max_cutoff()); }

    std::vector<std::string> columns(const particle_properties& p) const {
        std::vector<std::string> names{"coord"};
        for (int t = 1; t <= p.num_types; ++t) names.push_back("coord_" + std::to_string(t));
        return names;
    }

    void prepare(const neighbor_stage_info& stage, const particle_properties& p) const {
        if (ntypes <= 0 || cutoffs.size() != std::size_t(ntypes) * std::size_t(ntypes))
            throw error("pair_coordination: the cutoff table is empty or not ntypes x ntypes");
        if (p.types.empty()) throw error("pair_coordination: needs particle types");
        if (max_cutoff() > stage.radius) {
            throw error("pair_coordination: largest cutoff ", max_cutoff(), " exceeds the neighbour radius ",
                        stage.radius);
        }
        for (int a = 1; a <= ntypes; ++a)
            for (int b = 1; b <= ntypes; ++b)
                if (cutoff(a, b) != cutoff(b, a)) throw error("pair_coordination: the cutoff table is not symmetric");
    }

    template <class T>
    void compute(const particle_row<T>& row, output_row<T> out) const {
        const int nt = row.properties->num_types;
        for (int t = 0; t <= nt; ++t) out[std::size_t(t)] = 0;
        const int a = row.type();
        for (std::size_t k = 0; k < row.size(); ++k) {
            const int b = row.neighbor_type(k);
            const T rc = T(cutoff(a, b));
            if (!(row.distances2[k] < rc * rc)) continue;
            out[0] += 1;
            out[std::size_t(b)] += 1;
        }
    }
};

}  // namespace tessera
