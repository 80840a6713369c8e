#pragma once
/// @file
/// A neighbour list at 8 bytes per bond: the neighbour's index (4 B) and the index of its
/// periodic image (4 B) into a small table of image shifts, plus the particles' wrapped positions
/// (24 B per particle in double). Bond vectors are rebuilt on access as
///
///     r_ij = (x_j + s_image) − x_i        (the same operations, on the same numbers, as the
///                                          cell list's distance filter)
///
/// so they are bit-identical to those a `neighbor_list` stores (36 B per bond: index, vector,
/// r²). |r_ij|² is recomputed from the vector; where the compiler contracts multiply-adds into
/// FMAs it may differ from the stored r² of a `neighbor_list` in the last bit.
///
/// When to use it: large cutoffs and large systems, where a list's memory (and the page faults
/// of writing it) dominate — e.g. 43 bonds per atom at 5 Å in Cu: 344 B per atom instead of
/// 1.5 kB. Memory: 8 B per particle row (offsets) + 24 B per particle (positions) + 8 B per bond
/// (docs/performance.md, "Memory per atom"). Rows are in search order (not sorted).
///
///     auto list = tessera::find_compact_neighbors(points, box, tessera::ball{5.0});
///     for (std::size_t k = 0; k < list.num_neighbors(i); ++k) {
///         const auto j = list.neighbors(i)[k];
///         const tessera::vec3<double> r = list.bond_vector(i, k);
///     }
///
/// The list is a `geometric_neighbor_list` through `neighbor_list_traits`.

#include <tessera/core/box.hpp>
#include <tessera/core/detail/huge_page_allocator.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/neighbors/cell_list.hpp>
#include <tessera/neighbors/neighbor_list.hpp>
#include <tessera/neighbors/query.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <span>
#include <utility>
#include <vector>

namespace tessera {

template <class T = double>
class compact_neighbor_list;

/// Ball query over a prebuilt cell list into a compact list (cleared; capacity reused). Rows
/// hold every particle and periodic image with |r_ij| < radius, in search order.
template <class T, class Arch, class Policy = serial_policy>
void find_neighbors_into(const cell_list<T, Arch>& cells, std::size_t n_rows, const ball& q,
                         compact_neighbor_list<T>& out, const query_options& opt = {}, Policy policy = {});

template <class T>
class compact_neighbor_list {
public:
    using value_type = T;

    std::size_t num_particles() const noexcept { return offsets_.empty() ? 0 : offsets_.size() - 1; }
    std::size_t num_bonds() const noexcept { return index_.size(); }
    std::size_t num_neighbors(std::size_t i) const noexcept { return offsets_[i + 1] - offsets_[i]; }
    list_kind kind() const noexcept { return kind_; }

    std::span<const neighbor_index> neighbors(std::size_t i) const noexcept {
        return {index_.data() + offsets_[i], num_neighbors(i)};
    }
    /// Image of each bond of row i: an index into image_shifts().
    std::span<const std::uint32_t> images(std::size_t i) const noexcept {
        return {image_.data() + offsets_[i], num_neighbors(i)};
    }
    /// The distinct periodic image shifts (lattice vectors) the bonds use.
    std::span<const vec3<T>> image_shifts() const noexcept { return shift_; }
    /// Particle j's position wrapped into the box (j < number of particles, ghosts included).
    vec3<T> position(std::size_t j) const noexcept { return position_[j]; }

    /// Bond vector r_j + shift − r_i of the k-th bond of row i.
    vec3<T> bond_vector(std::size_t i, std::size_t k) const noexcept {
        const std::size_t b = offsets_[i] + k;
        const vec3<T>& pj = position_[index_[b]];
        const vec3<T>& s = shift_[image_[b]];
        const vec3<T>& pi = position_[i];
        return {(pj.x + s.x) - pi.x, (pj.y + s.y) - pi.y, (pj.z + s.z) - pi.z};
    }
    T distance2(std::size_t i, std::size_t k) const noexcept {
        const vec3<T> r = bond_vector(i, k);
        return r.x * r.x + r.y * r.y + r.z * r.z;
    }
    /// Writes row i's bond vectors (and squared lengths, if d2 is not null) to caller storage of
    /// at least num_neighbors(i) elements: what a fused per-particle pass does once per row.
    void row_geometry(std::size_t i, vec3<T>* vectors, T* d2 = nullptr) const noexcept {
        const std::size_t n = num_neighbors(i);
        for (std::size_t k = 0; k < n; ++k) {
            vectors[k] = bond_vector(i, k);
            if (d2) d2[k] = vectors[k].x * vectors[k].x + vectors[k].y * vectors[k].y + vectors[k].z * vectors[k].z;
        }
    }

    /// Bytes held by the list's arrays (sizes, not capacities).
    std::size_t memory_bytes() const noexcept {
        return offsets_.size() * sizeof(std::size_t) + index_.size() * sizeof(neighbor_index) +
               image_.size() * sizeof(std::uint32_t) + position_.size() * sizeof(vec3<T>) +
               shift_.size() * sizeof(vec3<T>);
    }

    std::span<const std::size_t> offsets() const noexcept { return offsets_; }
    std::span<const neighbor_index> indices() const noexcept { return index_; }

    void clear(list_kind kind = list_kind::full) {
        offsets_.assign(1, 0);
        index_.clear();
        image_.clear();
        position_.clear();
        shift_.clear();
        kind_ = kind;
    }

private:
    template <class U, class Arch, class Policy>
    friend void find_neighbors_into(const cell_list<U, Arch>&, std::size_t, const ball&, compact_neighbor_list<U>&,
                                    const query_options&, Policy);

    template <class V>
    using array = std::vector<V, detail::huge_page_allocator<V>>;  // see neighbor_list
    array<std::size_t> offsets_{0};
    array<neighbor_index> index_;
    array<std::uint32_t> image_;
    std::vector<vec3<T>> position_;
    std::vector<vec3<T>> shift_;
    list_kind kind_ = list_kind::full;
};

template <class T>
struct neighbor_list_traits<compact_neighbor_list<T>> {
    using value_type = T;
    static constexpr bool has_geometry = true;
    static std::size_t num_particles(const compact_neighbor_list<T>& l) noexcept { return l.num_particles(); }
    static std::size_t num_neighbors(const compact_neighbor_list<T>& l, std::size_t i) noexcept {
        return l.num_neighbors(i);
    }
    static std::size_t neighbor(const compact_neighbor_list<T>& l, std::size_t i, std::size_t k) noexcept {
        return l.neighbors(i)[k];
    }
    static vec3<T> bond_vector(const compact_neighbor_list<T>& l, std::size_t i, std::size_t k) noexcept {
        return l.bond_vector(i, k);
    }
    static T distance2(const compact_neighbor_list<T>& l, std::size_t i, std::size_t k) noexcept {
        return l.distance2(i, k);
    }
};

namespace detail {

/// Rows of one chunk: bonds with chunk-local image numbers, and the image table in order of
/// first appearance (key = packed (ix, iy, iz)).
template <class T>
struct compact_part {
    std::vector<std::size_t> ends;  // end of each row, relative to the part
    std::vector<neighbor_index, huge_page_allocator<neighbor_index>> index;
    std::vector<std::uint32_t, huge_page_allocator<std::uint32_t>> image;
    std::vector<std::uint64_t> keys;
    std::vector<vec3<T>> shifts;

    std::uint32_t image_of(std::int64_t ix, std::int64_t iy, std::int64_t iz, const vec3<T>& s) {
        constexpr std::int64_t bias = std::int64_t(1) << 20;  // cell lists have at most 2^20 bins per axis
        const std::uint64_t key = (std::uint64_t(ix + bias) << 42) | (std::uint64_t(iy + bias) << 21) |
                                  std::uint64_t(iz + bias);
        for (std::size_t t = keys.size(); t-- > 0;)  // few images (27 for rc below the box size)
            if (keys[t] == key) return std::uint32_t(t);
        keys.push_back(key);
        shifts.push_back(s);
        return std::uint32_t(keys.size() - 1);
    }
};

}  // namespace detail

template <class T, class Arch, class Policy>
void find_neighbors_into(const cell_list<T, Arch>& cells, std::size_t n_rows, const ball& q,
                         compact_neighbor_list<T>& out, const query_options& opt, Policy policy) {
    detail::validate(q);
    if (opt.sort_by_distance) throw error("compact neighbour list: rows are in search order; sort_by_distance is not supported");
    const T radius = T(q.radius);
    const bool half = opt.kind == list_kind::half;
    const double per_row = double(cells.density()) * 4.0 / 3.0 * std::numbers::pi * q.radius * q.radius * q.radius *
                           (half ? 0.5 : 1.0);
    const double expected = per_row > 0 && std::isfinite(per_row) ? per_row * 1.5 + 8.0 : 0.0;

    auto run_rows = [&](std::size_t b, std::size_t e, detail::compact_part<T>& part) {
        std::uint32_t current = 0;
        for (std::size_t i = b; i < e; ++i) {
            cells.for_each_within(
                cells.wrapped_position(i), radius, i,
                [&](std::int64_t ix, std::int64_t iy, std::int64_t iz, const vec3<T>& s) {
                    current = part.image_of(ix, iy, iz, s);
                },
                [&](std::size_t j, const vec3<T>& r, T) {
                    if (half && !detail::keep_in_half(i, j, r)) return;
                    part.index.push_back(static_cast<neighbor_index>(j));
                    part.image.push_back(current);
                });
            part.ends.push_back(part.index.size());
        }
    };

    out.clear(opt.kind);
    const std::size_t n_total = cells.size();
    out.position_.resize(n_total);
    for (std::size_t j = 0; j < n_total; ++j) out.position_[j] = cells.wrapped_position(j);

    constexpr std::size_t chunk = 2048;
    const std::size_t count = std::is_same_v<Policy, serial_policy> ? 1 : (n_rows + chunk - 1) / chunk;
    std::vector<detail::compact_part<T>> parts(std::max<std::size_t>(count, 1));
    if constexpr (std::is_same_v<Policy, serial_policy>) {
        // Serial: write straight into the output arrays (no copy).
        detail::compact_part<T>& p = parts[0];
        p.index.swap(out.index_);
        p.image.swap(out.image_);
        p.index.reserve(std::size_t(expected * double(n_rows)));
        p.image.reserve(std::size_t(expected * double(n_rows)));
        p.ends.reserve(n_rows);
        run_rows(0, n_rows, p);
        out.index_.swap(p.index);
        out.image_.swap(p.image);
        out.offsets_.reserve(n_rows + 1);
        out.offsets_.insert(out.offsets_.end(), p.ends.begin(), p.ends.end());
        out.shift_ = std::move(p.shifts);
        return;
    } else {
        detail::for_each_chunk(policy, n_rows, chunk, [&](std::size_t c, std::size_t b, std::size_t e) {
            parts[c].index.reserve(std::size_t(expected * double(e - b)));
            parts[c].image.reserve(std::size_t(expected * double(e - b)));
            run_rows(b, e, parts[c]);
        });
        // Merge in chunk order; images numbered by first appearance over the chunks in order —
        // the numbering the serial pass gives, so the list is identical for any thread count.
        std::vector<std::uint64_t> keys;
        std::size_t bonds = 0;
        for (const auto& p : parts) bonds += p.index.size();
        out.index_.reserve(bonds);
        out.image_.reserve(bonds);
        out.offsets_.reserve(n_rows + 1);
        for (const auto& p : parts) {
            std::vector<std::uint32_t> to_global(p.keys.size());
            for (std::size_t t = 0; t < p.keys.size(); ++t) {
                std::size_t g = 0;
                while (g < keys.size() && keys[g] != p.keys[t]) ++g;
                if (g == keys.size()) {
                    keys.push_back(p.keys[t]);
                    out.shift_.push_back(p.shifts[t]);
                }
                to_global[t] = std::uint32_t(g);
            }
            const std::size_t base = out.index_.size();
            for (const std::size_t e : p.ends) out.offsets_.push_back(base + e);
            out.index_.insert(out.index_.end(), p.index.begin(), p.index.end());
            for (const std::uint32_t t : p.image) out.image_.push_back(to_global[t]);
        }
    }
}

/// One-call form: bins the particles at the cutoff and runs the compact ball query.
template <class T = void, class S, box B, class Policy = serial_policy>
auto find_compact_neighbors(const S& particles, const B& box, const ball& q, const query_options& opt = {},
                            Policy policy = {}) {
    check_particle_storage<S>();
    using U = std::conditional_t<std::is_void_v<T>, particle_value_t<S>, T>;
    const std::size_t rows = detail::rows_for(particles, opt);
    detail::validate(q);
    cell_list<U> cells;
    detail::bin_for_query(cells, particles, box, q);
    compact_neighbor_list<U> out;
    find_neighbors_into(cells, rows, q, out, opt, policy);
    return out;
}

}  // namespace tessera
