#pragma once
/// @file
/// Crystal clusters (grains of one structure and one lattice frame) and the transitions between
/// them: the graph a dislocation extraction analysis carries lattice vectors through.
///
/// A cluster has a lattice frame; its orientation O maps a lattice vector ℓ (lattice units) to
/// the average spatial vector r ≈ O ℓ of its bonds. Two clusters that touch are related by a
/// transition T_ab: a vector ℓ in a's frame is T_ab ℓ in b's frame (a rotation of the lattice: a
/// symmetry operation, or the stacking change across an fcc/hcp interface). Transitions compose
/// along paths; clusters that do not touch get the shortest composition over at most
/// `max_path` direct transitions (A. Stukowski, V. V. Bulatov, A. Arsenlis, Modelling Simul.
/// Mater. Sci. Eng. 20, 085007 (2012), section 3.2).
///
/// Transitions have ids: 0 is the identity (every cluster to itself); a transition's reverse is
/// another id. Matrices equal within 1e-4 per element are one transition (the tolerance of the
/// reference implementation for transition matrices).
#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <unordered_map>
#include <vector>

namespace tessera {

/// One crystal cluster. Cluster 0 is the null cluster (atoms in no crystal).
struct lattice_cluster {
    int structure = 0;          ///< the structure type of its atoms (0: none)
    mat3<double> orientation{};  ///< lattice frame → space (lattice units → length units)
    std::size_t atoms = 0;       ///< member atoms
};

/// Clusters and the transitions between them.
class cluster_graph {
public:
    static constexpr std::uint32_t none = std::numeric_limits<std::uint32_t>::max();
    static constexpr std::uint32_t identity = 0;  ///< the transition of every cluster to itself
    static constexpr double matrix_tolerance = 1e-4;
    static constexpr int max_path = 2;

    struct transition {
        std::uint32_t from = 0, to = 0;
        mat3<double> matrix = mat3<double>::identity();
        std::uint32_t reverse = 0;
        int distance = 0;       ///< direct transitions composed (0: identity)
        std::size_t area = 0;   ///< bonds across the interface (direct transitions)
    };

    cluster_graph() {
        clusters_.push_back({});
        out_.emplace_back();
        transitions_.push_back({});  // the identity, its own reverse
    }

    /// A new cluster of `structure`; its id (1, 2, … in creation order).
    std::uint32_t create_cluster(int structure) {
        clusters_.push_back({structure, {}, 0});
        out_.emplace_back();
        return std::uint32_t(clusters_.size() - 1);
    }
    std::size_t size() const noexcept { return clusters_.size(); }
    const lattice_cluster& cluster(std::uint32_t id) const { return clusters_.at(id); }
    lattice_cluster& cluster(std::uint32_t id) { return clusters_.at(id); }

    const transition& get(std::uint32_t t) const { return transitions_.at(t); }
    const mat3<double>& matrix(std::uint32_t t) const { return transitions_[t].matrix; }
    std::uint32_t reverse(std::uint32_t t) const { return transitions_[t].reverse; }

    /// Records a direct transition a → b with matrix `tm` (and b → a with its inverse), or counts
    /// one more bond of an existing one equal within the tolerance. Returns its id.
    std::uint32_t add_direct(std::uint32_t a, std::uint32_t b, const mat3<double>& tm) {
        if (a == b) throw error("cluster_graph: a transition needs two different clusters (", a, ")");
        for (const std::uint32_t t : out_of(a))
            if (transitions_[t].to == b && transitions_[t].distance == 1 && equal(transitions_[t].matrix, tm)) {
                ++transitions_[t].area;
                ++transitions_[transitions_[t].reverse].area;
                return t;
            }
        const std::uint32_t t = add_pair(a, b, tm, inverse(tm), 1);
        transitions_[t].area = transitions_[transitions_[t].reverse].area = 1;
        return t;
    }

    /// The direct transition a → b (any matrix), or `none`.
    std::uint32_t find_direct(std::uint32_t a, std::uint32_t b) const {
        for (const std::uint32_t t : out_.at(a))
            if (transitions_[t].to == b && transitions_[t].distance == 1) return t;
        return none;
    }
    /// Direct transitions leaving a, the most recently created first (the reference
    /// implementation's list order).
    std::vector<std::uint32_t> direct_from(std::uint32_t a) const {
        std::vector<std::uint32_t> out;
        const auto& list = out_.at(a);
        for (auto it = list.rbegin(); it != list.rend(); ++it)
            if (transitions_[*it].distance == 1) out.push_back(*it);
        return out;
    }
    /// One more bond across the interface of a and b (their direct transition must exist).
    void count_bond(std::uint32_t a, std::uint32_t b) {
        const std::uint32_t t = find_direct(a, b);
        if (t == none) throw error("cluster_graph: no direct transition between clusters ", a, " and ", b);
        ++transitions_[t].area;
        ++transitions_[transitions_[t].reverse].area;
    }

    /// The transition a → b: the identity for a == b, a direct one, else the shortest
    /// composition of at most max_path direct ones (cached). `none` when a or b is the null
    /// cluster or no path exists. Among equally short paths the result does not depend on
    /// which of a, b is asked first.
    std::uint32_t find(std::uint32_t a, std::uint32_t b) {
        if (a == 0 || b == 0) return none;
        if (a == b) return identity;
        if (const auto it = best_.find(key(a, b)); it != best_.end()) return it->second;
        // Search from the smaller id, so both directions get the same path.
        const bool flip = a > b;
        const std::uint32_t from = flip ? b : a, to = flip ? a : b;
        std::uint32_t found = none;
        int best_distance = max_path + 1;
        for (const std::uint32_t t1 : out_of(from)) {
            const transition& first = transitions_[t1];
            if (first.distance != 1) continue;
            if (first.to == to) {
                found = t1, best_distance = 1;
                break;
            }
        }
        if (found == none && max_path >= 2) {
            std::uint32_t first_leg = none, second_leg = none;
            for (const std::uint32_t t1 : out_of(from)) {
                if (transitions_[t1].distance != 1) continue;
                for (const std::uint32_t t2 : out_of(transitions_[t1].to))
                    if (transitions_[t2].distance == 1 && transitions_[t2].to == to) {
                        first_leg = t1, second_leg = t2;
                        break;
                    }
                if (first_leg != none) break;
            }
            if (first_leg != none) {
                const mat3<double> tm = transitions_[second_leg].matrix * transitions_[first_leg].matrix;
                found = add_pair(from, to, tm, inverse(tm), 2);
                best_distance = 2;
            }
        }
        (void)best_distance;
        const std::uint32_t result = found == none ? none : (flip ? transitions_[found].reverse : found);
        best_[key(a, b)] = result;
        best_[key(b, a)] = result == none ? none : transitions_[result].reverse;
        return result;
    }

    /// ℓ in the frame of t's source cluster, expressed in its target's.
    vec3<double> apply(std::uint32_t t, const vec3<double>& l) const { return transitions_[t].matrix * l; }

private:
    std::vector<lattice_cluster> clusters_;
    std::vector<transition> transitions_;
    std::vector<std::vector<std::uint32_t>> out_;  // per cluster: transitions leaving it
    std::unordered_map<std::uint64_t, std::uint32_t> best_;

    static std::uint64_t key(std::uint32_t a, std::uint32_t b) { return std::uint64_t(a) << 32 | b; }
    static bool equal(const mat3<double>& x, const mat3<double>& y) {
        for (std::size_t r = 0; r < 3; ++r)
            for (std::size_t c = 0; c < 3; ++c)
                if (std::abs(x(r, c) - y(r, c)) > matrix_tolerance) return false;
        return true;
    }
    /// Transitions leaving cluster a (a copy: add_pair may grow the lists while it is read).
    std::vector<std::uint32_t> out_of(std::uint32_t a) const { return out_.at(a); }
    std::uint32_t add_pair(std::uint32_t a, std::uint32_t b, const mat3<double>& tm, const mat3<double>& inv, int distance) {
        const auto t = std::uint32_t(transitions_.size());
        transitions_.push_back({a, b, tm, t + 1, distance, 0});
        transitions_.push_back({b, a, inv, t, distance, 0});
        out_[a].push_back(t);
        out_[b].push_back(t + 1);
        return t;
    }
};

}  // namespace tessera
