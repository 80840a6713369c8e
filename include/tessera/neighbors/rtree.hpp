#pragma once
/// @file
/// A second, independent ball-query backend on Boost.Geometry's R-tree (bulk-loaded with the
/// packing algorithm). Periodicity is handled the way MD codes handle it with ghost atoms: every
/// periodic image whose fractional coordinate lies within r / w_d of the cell along a periodic
/// axis is inserted as a replica, so a plain Cartesian query around a wrapped particle sees all
/// images within r. Results follow the same conventions as query.hpp, which makes the backend a
/// cross-check of the cell list and a peer in benchmarks.

#include <tessera/core/box.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/neighbors/neighbor_list.hpp>
#include <tessera/neighbors/query.hpp>

#include <boost/geometry.hpp>
#include <boost/geometry/index/rtree.hpp>

#include <cmath>
#include <utility>
#include <vector>

namespace tessera {

template <class T = double>
class rtree_index {
public:
    using point_t = boost::geometry::model::point<T, 3, boost::geometry::cs::cartesian>;
    using box_t = boost::geometry::model::box<point_t>;
    using value_t = std::pair<point_t, std::size_t>;  // position (an image), replica number

    /// Indexes all particles plus the periodic replicas within `reach` of the cell.
    template <particle_storage S, box B>
    rtree_index(const S& particles, const B& bx, T reach) {
        const std::size_t n = tessera::size(particles);
        const mat3<T> h(bx.cell());
        const mat3<T> h_inv = inverse(h);
        const vec3<T> o(bx.origin()), w = perpendicular_widths(h);
        int m[3];
        T pad[3];
        for (std::size_t d = 0; d < 3; ++d) {
            m[d] = bx.periodic(d) ? static_cast<int>(std::ceil(reach / w[d])) + 1 : 0;
            pad[d] = reach / w[d];
        }
        wrapped_.resize(n);
        std::vector<value_t> values;
        values.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            vec3<T> r = bx.wrap(vec3<T>(position(particles, i)));
            wrapped_[i] = r;
            const vec3<T> s = h_inv * (r - o);
            for (int a = -m[0]; a <= m[0]; ++a)
                for (int b = -m[1]; b <= m[1]; ++b)
                    for (int c = -m[2]; c <= m[2]; ++c) {
                        const T sa = s.x + T(a), sb = s.y + T(b), sc = s.z + T(c);
                        if ((a && (sa < -pad[0] || sa > 1 + pad[0])) || (b && (sb < -pad[1] || sb > 1 + pad[1])) ||
                            (c && (sc < -pad[2] || sc > 1 + pad[2])))
                            continue;
                        const vec3<T> p = r + h.column(0) * T(a) + h.column(1) * T(b) + h.column(2) * T(c);
                        owner_.push_back(i);
                        zero_shift_.push_back(a == 0 && b == 0 && c == 0);
                        values.emplace_back(point_t(p.x, p.y, p.z), owner_.size() - 1);
                    }
        }
        tree_ = tree_t(values.begin(), values.end());  // packing (STR) bulk load
    }

    std::size_t size() const noexcept { return wrapped_.size(); }

    /// Ball query rows for the first n_rows particles (r must not exceed the indexed reach).
    neighbor_list<T> neighbors(std::size_t n_rows, T r) const {
        neighbor_list<T> out;
        out.clear();
        std::vector<value_t> hits;
        for (std::size_t i = 0; i < n_rows; ++i) {
            const vec3<T>& p = wrapped_[i];
            const box_t query(point_t(p.x - r, p.y - r, p.z - r), point_t(p.x + r, p.y + r, p.z + r));
            hits.clear();
            tree_.query(boost::geometry::index::intersects(query), std::back_inserter(hits));
            for (const value_t& v : hits) {
                const std::size_t j = owner_[v.second];
                if (j == i && zero_shift_[v.second]) continue;
                const vec3<T> d{boost::geometry::get<0>(v.first) - p.x, boost::geometry::get<1>(v.first) - p.y,
                                boost::geometry::get<2>(v.first) - p.z};
                const T d2 = norm2(d);
                if (d2 < r * r) out.push_bond(j, d, d2);
            }
            out.end_row();
        }
        return out;
    }

private:
    using tree_t = boost::geometry::index::rtree<value_t, boost::geometry::index::quadratic<16>>;
    tree_t tree_;
    std::vector<vec3<T>> wrapped_;
    std::vector<std::size_t> owner_;
    std::vector<bool> zero_shift_;
};

}  // namespace tessera
