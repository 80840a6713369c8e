#pragma once
/// @file
/// The neighbour list every descriptor reads: compressed sparse rows (CSR) over the queried
/// particles, each bond carrying the neighbour's index, the bond vector r_j − r_i (with the
/// periodic image already resolved) and its squared length — freud's "bonds carry vectors and
/// distances": descriptors need vectors, not just indices.
///
/// `neighbor_list_traits<L>` (the Cabana pattern) is the single contract algorithms use, so a
/// foreign list (a host code's own) can be adapted by specializing it:
///
///     static std::size_t num_particles(const L&);          // particles with a row (n_local)
///     static std::size_t num_neighbors(const L&, i);
///     static std::size_t neighbor(const L&, i, k);         // index in [0, n_total)
///
/// and, for lists that carry geometry, `bond_vector(l, i, k)` and `distance2(l, i, k)`.

#include <tessera/core/detail/huge_page_allocator.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>

#include <cassert>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tessera {

/// Index type of neighbours in a list: 32 bits keep a bond at 4 + 3·sizeof(T) + sizeof(T) bytes.
using neighbor_index = std::uint32_t;

/// Full lists hold every bond i→j; half lists keep each pair once (see query.hpp for the rule).
enum class list_kind { full, half };

template <class T = double>
class neighbor_list {
public:
    using value_type = T;

    neighbor_list() = default;

    std::size_t num_particles() const noexcept { return offsets_.empty() ? 0 : offsets_.size() - 1; }
    std::size_t num_bonds() const noexcept { return index_.size(); }
    std::size_t num_neighbors(std::size_t i) const noexcept { return offsets_[i + 1] - offsets_[i]; }
    list_kind kind() const noexcept { return kind_; }

    /// Row i: neighbour indices, bond vectors r_j − r_i, squared distances.
    std::span<const neighbor_index> neighbors(std::size_t i) const noexcept {
        return {index_.data() + offsets_[i], num_neighbors(i)};
    }
    std::span<const vec3<T>> vectors(std::size_t i) const noexcept {
        return {vector_.data() + offsets_[i], num_neighbors(i)};
    }
    std::span<const T> distances2(std::size_t i) const noexcept {
        return {distance2_.data() + offsets_[i], num_neighbors(i)};
    }

    /// Optional per-bond weights (e.g. Voronoi face areas); empty spans when the list has none.
    bool has_weights() const noexcept { return !weight_.empty(); }
    std::span<const T> weights(std::size_t i) const noexcept {
        if (weight_.empty()) return {};
        return {weight_.data() + offsets_[i], num_neighbors(i)};
    }
    /// Attaches one weight per bond (in bond order); throws on a size mismatch.
    void set_weights(std::vector<T> w) {
        if (!w.empty() && w.size() != index_.size()) throw error("neighbor_list::set_weights: one weight per bond expected");
        weight_ = std::move(w);
    }

    /// Raw CSR arrays (offsets has num_particles() + 1 entries).
    std::span<const std::size_t> offsets() const noexcept { return offsets_; }
    std::span<const neighbor_index> indices() const noexcept { return index_; }
    std::span<const vec3<T>> all_vectors() const noexcept { return vector_; }
    std::span<const T> all_distances2() const noexcept { return distance2_; }

    // -- building (used by the queries; rows are appended in order) ---------------------------
    void clear(list_kind kind = list_kind::full) {
        offsets_.assign(1, 0);
        index_.clear();
        vector_.clear();
        distance2_.clear();
        weight_.clear();
        kind_ = kind;
    }
    void reserve(std::size_t rows, std::size_t bonds) {
        offsets_.reserve(rows + 1);
        index_.reserve(bonds);
        vector_.reserve(bonds);
        distance2_.reserve(bonds);
    }
    void push_bond(std::size_t j, const vec3<T>& r, T r2) {
        index_.push_back(static_cast<neighbor_index>(j));
        vector_.push_back(r);
        distance2_.push_back(r2);
    }
    void end_row() { offsets_.push_back(index_.size()); }
    /// Appends one whole row (the three spans have equal sizes): a block copy per array.
    void append_row(std::span<const neighbor_index> j, std::span<const vec3<T>> r, std::span<const T> r2) {
        assert(j.size() == r.size() && j.size() == r2.size());
        index_.insert(index_.end(), j.begin(), j.end());
        vector_.insert(vector_.end(), r.begin(), r.end());
        distance2_.insert(distance2_.end(), r2.begin(), r2.end());
        offsets_.push_back(index_.size());
    }
    /// Appends all rows of `other` after this list's rows.
    void append_rows(const neighbor_list& other) {
        const std::size_t base = index_.size();
        for (std::size_t r = 1; r < other.offsets_.size(); ++r) offsets_.push_back(base + other.offsets_[r]);
        index_.insert(index_.end(), other.index_.begin(), other.index_.end());
        vector_.insert(vector_.end(), other.vector_.begin(), other.vector_.end());
        distance2_.insert(distance2_.end(), other.distance2_.begin(), other.distance2_.end());
    }

private:
    // Large arrays on transparent huge pages (core/detail/huge_page_allocator.hpp): a fresh list
    // of many megabytes otherwise costs a page fault per 4 KiB written.
    template <class V>
    using array = std::vector<V, detail::huge_page_allocator<V>>;
    array<std::size_t> offsets_{0};
    array<neighbor_index> index_;
    array<vec3<T>> vector_;
    array<T> distance2_;
    std::vector<T> weight_;
    list_kind kind_ = list_kind::full;
};

// ---------------------------------------------------------------------------------------------
// Traits: the contract algorithms use.

template <class L>
struct neighbor_list_traits {
    using not_specialized = void;
};

/// One row of a list with geometry, as contiguous spans (the CSR fast path of the traits):
/// neighbour indices, bond vectors r_j − r_i, squared lengths and (possibly empty) weights.
template <class T>
struct bond_row {
    std::span<const neighbor_index> neighbors;
    std::span<const vec3<T>> vectors;
    std::span<const T> distances2;
    std::span<const T> weights{};
    std::size_t size() const noexcept { return neighbors.size(); }
};

template <class T>
struct neighbor_list_traits<neighbor_list<T>> {
    using value_type = T;
    static constexpr bool has_geometry = true;
    static std::size_t num_particles(const neighbor_list<T>& l) noexcept { return l.num_particles(); }
    static std::size_t num_neighbors(const neighbor_list<T>& l, std::size_t i) noexcept { return l.num_neighbors(i); }
    static std::size_t neighbor(const neighbor_list<T>& l, std::size_t i, std::size_t k) noexcept {
        return l.neighbors(i)[k];
    }
    static vec3<T> bond_vector(const neighbor_list<T>& l, std::size_t i, std::size_t k) noexcept {
        return l.vectors(i)[k];
    }
    static T distance2(const neighbor_list<T>& l, std::size_t i, std::size_t k) noexcept {
        return l.distances2(i)[k];
    }
    /// CSR fast path: row i as contiguous spans.
    static bond_row<T> row(const neighbor_list<T>& l, std::size_t i) noexcept {
        return {l.neighbors(i), l.vectors(i), l.distances2(i), l.weights(i)};
    }
};

/// Any list algorithms can walk.
template <class L>
concept neighbor_list_like =
    !requires { typename neighbor_list_traits<L>::not_specialized; } &&
    requires(const L& l, std::size_t i, std::size_t k) {
        { neighbor_list_traits<L>::num_particles(l) } -> std::convertible_to<std::size_t>;
        { neighbor_list_traits<L>::num_neighbors(l, i) } -> std::convertible_to<std::size_t>;
        { neighbor_list_traits<L>::neighbor(l, i, k) } -> std::convertible_to<std::size_t>;
    };

/// A list that also carries bond vectors and squared distances.
template <class L>
concept geometric_neighbor_list =
    neighbor_list_like<L> && requires(const L& l, std::size_t i, std::size_t k) {
        typename neighbor_list_traits<L>::value_type;
        { neighbor_list_traits<L>::bond_vector(l, i, k) };
        { neighbor_list_traits<L>::distance2(l, i, k) };
    };

/// A geometric list whose rows are contiguous spans (`neighbor_list_traits<L>::row(l, i)` returns
/// a bond_row): what whole-list descriptors are written against, so that tessera's list, the
/// planner's row-prefix views and a host's own CSR list (through a traits specialization) all
/// serve them.
template <class L>
concept csr_neighbor_list = geometric_neighbor_list<L> && requires(const L& l, std::size_t i) {
    { neighbor_list_traits<L>::row(l, i) } -> std::same_as<bond_row<typename neighbor_list_traits<L>::value_type>>;
};

/// The value type (float or double) of a list's geometry.
template <class L>
using list_value_t = typename neighbor_list_traits<L>::value_type;

/// Number of rows of any list, and row i of a CSR list: the two calls whole-list algorithms use.
template <neighbor_list_like L>
std::size_t num_rows(const L& l) noexcept {
    return neighbor_list_traits<L>::num_particles(l);
}
template <csr_neighbor_list L>
bond_row<list_value_t<L>> row_of(const L& l, std::size_t i) noexcept {
    return neighbor_list_traits<L>::row(l, i);
}

}  // namespace tessera
