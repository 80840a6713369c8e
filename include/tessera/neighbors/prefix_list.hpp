#pragma once
/// @file
/// A view of a list whose rows are sorted by distance, each row cut to a prefix: the bonds one
/// neighbour request reads (those strictly inside a radius, at most k of them). Zero copy: the
/// view holds the base list and one length per row. The run-time planner serves every
/// descriptor from one sorted query this way; whole-list descriptors see the view through
/// `neighbor_list_traits` as they would see a list of their own.
///
///     tessera::prefix_list<double> q12(sorted, lengths);   // lengths[i] <= sorted.num_neighbors(i)
///     tessera::steinhardt_average{}.compute_all(q12, props, out, policy);

#include <tessera/descriptors/descriptor.hpp>
#include <tessera/neighbors/neighbor_list.hpp>

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

namespace tessera {

template <class T>
class prefix_list {
public:
    using value_type = T;

    /// `lengths[i]`: how many bonds of row i the view keeps (the first ones).
    prefix_list(const neighbor_list<T>& base, std::span<const neighbor_index> lengths) noexcept
        : base_(&base), lengths_(lengths) {}

    std::size_t num_particles() const noexcept { return base_->num_particles(); }
    std::size_t num_neighbors(std::size_t i) const noexcept { return lengths_[i]; }
    bond_row<T> row(std::size_t i) const noexcept {
        const std::size_t n = lengths_[i];
        const auto w = base_->weights(i);
        return {base_->neighbors(i).first(n), base_->vectors(i).first(n), base_->distances2(i).first(n),
                w.empty() ? w : w.first(n)};
    }

private:
    const neighbor_list<T>* base_;
    std::span<const neighbor_index> lengths_;
};

template <class T>
struct neighbor_list_traits<prefix_list<T>> {
    using value_type = T;
    static constexpr bool has_geometry = true;
    static std::size_t num_particles(const prefix_list<T>& l) noexcept { return l.num_particles(); }
    static std::size_t num_neighbors(const prefix_list<T>& l, std::size_t i) noexcept { return l.num_neighbors(i); }
    static std::size_t neighbor(const prefix_list<T>& l, std::size_t i, std::size_t k) noexcept {
        return l.row(i).neighbors[k];
    }
    static vec3<T> bond_vector(const prefix_list<T>& l, std::size_t i, std::size_t k) noexcept {
        return l.row(i).vectors[k];
    }
    static T distance2(const prefix_list<T>& l, std::size_t i, std::size_t k) noexcept {
        return l.row(i).distances2[k];
    }
    static bond_row<T> row(const prefix_list<T>& l, std::size_t i) noexcept { return l.row(i); }
};

/// How many bonds of a row sorted by distance a request reads: those with r² < radius² (the
/// test a ball query applies, in T), at most k — and, when the request has `also_within`, at
/// least those with r² < also_within². Rows not sorted by distance (a plain ball query) are
/// read whole — the planner only does that when every request is that same ball.
template <class T>
std::size_t prefix_length(std::span<const T> sorted_distances2, const neighbor_request& request) noexcept {
    const std::size_t n = std::min(sorted_distances2.size(), request.k);
    // Rows are short (tens of bonds): a forward scan beats a binary search here.
    std::size_t m = n;
    if (request.radius < std::numeric_limits<double>::max()) {
        const T r = T(request.radius);
        const T r2 = r * r;
        m = 0;
        while (m < n && sorted_distances2[m] < r2) ++m;
    }
    if (request.also_within > 0) {
        const T b = T(request.also_within);
        const T b2 = b * b;
        while (m < sorted_distances2.size() && sorted_distances2[m] < b2) ++m;
    }
    return m;
}

}  // namespace tessera
