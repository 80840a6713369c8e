#pragma once
/// @file
/// One convex cell clipped plane by plane: the polyhedron tessellate() (neighbors/voronoi.hpp)
/// cuts with bisector planes.
///
/// Representation — the dual one of Lévy's ConvexCell (B. Lévy, geogram; N. Ray, D. Sokolov,
/// S. Lefebvre, B. Lévy, "Meshless Voronoi on the GPU", ACM Trans. Graph. 37 (6), 2018): each
/// vertex is stored as the *triangle* of the three faces (planes) that meet there, listed
/// counter-clockwise seen from outside, with its position and, for each of its three edges,
/// the twin: the vertex at the other end of that polyhedron edge and the edge's index there
/// (edge k of a vertex lies on faces k and k+1). A vertex where m > 3 faces meet (perfect fcc,
/// bcc, simple cubic) is m − 2 coincident triangles joined by zero-length edges, so every stored
/// vertex has exactly three edges and a cut is a local operation:
///
///  1. classify every vertex by its signed distance d = n·x − c with the tolerance ε: out
///     (d > ε), on (|d| ≤ ε), in (d < −ε). Nothing changes unless some vertex is out;
///  2. the out vertices are removed; every edge from an out vertex to a kept one gets a new
///     vertex — where the plane crosses it (computed from the kept end, t = d_in / (d_in − d_out)),
///     or exactly at the kept end when that one is on the plane: the plane then goes *through*
///     the vertex, so no sliver vertices or faces within ε are made;
///  3. the new vertex is the triangle (the edge's two faces, the new plane); the new vertices are
///     joined in a ring, which is the new face. Freed slots are reused and the arrays stay dense.
///
/// A plane cuts a convex polyhedron along one closed curve that crosses each face once, so the
/// boundary of the removed region must be a single cycle through distinct faces. The cut checks
/// this before changing anything; it can only fail through rounding of d at ±ε, and the cut is
/// then repeated with a 16× wider ε (up to three times) before tessera::error is thrown.
///
/// finish() turns the triangles into polygons: the copies of a vertex made by cuts through it carry
/// its vertex id and become one output vertex, each face is walked around its edges, and faces
/// left with fewer than three distinct vertices (planes that only touch the cell at a vertex or
/// along an edge) are dropped.
/// The cost of a cut is proportional to the removed region and its rim (a few vertices), not to
/// the whole cell, which is what made this faster than the face-list clipping it replaced
/// (docs/performance.md, "Voronoi vs voro++").

#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <sstream>

namespace tessera {

namespace detail {
/// Growable scratch array without per-element checks: capacity kept across cells.
template <class X>
struct scratch_buffer {
    std::unique_ptr<X[]> p;
    std::size_t n = 0, cap = 0;
    void ensure(std::size_t c) {
        if (c <= cap) return;
        const std::size_t nc = std::max<std::size_t>(2 * c, 64);
        auto q = std::make_unique<X[]>(nc);
        std::copy(p.get(), p.get() + cap, q.get());
        p = std::move(q);
        cap = nc;
    }
    X* data() noexcept { return p.get(); }
    const X* data() const noexcept { return p.get(); }
    X& operator[](std::size_t k) noexcept { return p[k]; }
    const X& operator[](std::size_t k) const noexcept { return p[k]; }
    void push(const X& x) noexcept { p[n++] = x; }  // caller ensured the capacity
};
}  // namespace detail

/// One convex cell relative to its particle (see the file comment). Use: init_parallelepiped,
/// cut as often as needed (max_radius2() and empty() are valid between cuts), then finish()
/// before reading faces, vertices or the volume.
template <class T = double>
class voronoi_cell {
public:
    struct face {
        std::size_t neighbor;
        vec3<T> r;            ///< bond vector (or 2·distance·normal for walls)
        std::uint32_t begin;  ///< into the vertex-index pool
        std::uint32_t count;
    };

    /// The parallelepiped corner + a·e0 + b·e1 + c·e2, a, b, c ∈ [0, 1]; face k (2·axis + side)
    /// gets neighbour ids[k].
    void init_parallelepiped(const vec3<T>& corner, const vec3<T>& e0, const vec3<T>& e1, const vec3<T>& e2,
                             const std::array<std::size_t, 6>& ids, T eps) {
        eps_ = eps;
        np_ = 0;
        nt_ = 0;
        finished_ = false;
        reserve_triangles(8);
        reserve_planes(6);
        const std::array<vec3<T>, 3> e{e0, e1, e2};
        const vec3<T> centre = corner + (e0 + e1 + e2) * T(0.5);
        std::array<vec3<T>, 6> normal{};
        for (std::size_t axis = 0; axis < 3; ++axis) {
            const vec3<T> n = cross(e[(axis + 1) % 3], e[(axis + 2) % 3]);
            const vec3<T> unit = n / norm(n);
            for (std::size_t side = 0; side < 2; ++side) {
                const vec3<T> on_face = corner + e[axis] * T(side);
                const T h = dot(unit, on_face - centre);  // signed distance of the face from the centre
                const vec3<T> outward = h > 0 ? unit : -unit;
                normal[2 * axis + side] = outward;
                add_plane(ids[2 * axis + side], outward * (T(2) * std::abs(h)));
            }
        }
        // The corners' face order depends only on the frame's handedness (a mirror image reverses
        // it): both topologies are built once per cell object.
        const bool right = dot(cross(e0, e1), e2) > 0;
        auto& topo = cube_[right ? 1 : 0];
        if (!cube_ready_[right ? 1 : 0]) {
            for (std::uint32_t k = 0; k < 8; ++k) {
                const std::uint32_t a = k & 1u, b = (k >> 1) & 1u, c = (k >> 2) & 1u;
                std::array<std::uint32_t, 3> f{a, 2 + b, 4 + c};
                // Counter-clockwise seen from outside  <=>  det(n_f0, n_f1, n_f2) > 0.
                if (dot(normal[f[0]], cross(normal[f[1]], normal[f[2]])) < 0) std::swap(f[1], f[2]);
                topo.tri[k] = f;
            }
            // Twins: edge k of t (faces f_k, f_k+1) is edge q of the corner listing them reversed.
            for (std::uint32_t t = 0; t < 8; ++t)
                for (std::uint32_t k = 0; k < 3; ++k)
                    for (std::uint32_t u = 0; u < 8; ++u)
                        for (std::uint32_t q = 0; q < 3; ++q)
                            if (u != t && topo.tri[u][q] == topo.tri[t][(k + 1) % 3] &&
                                topo.tri[u][(q + 1) % 3] == topo.tri[t][k])
                                topo.twin[t][k] = 4 * u + q;
            cube_ready_[right ? 1 : 0] = true;
        }
        for (std::uint32_t k = 0; k < 8; ++k) {
            set_position(k, corner + e0 * T(k & 1u) + e1 * T((k >> 1) & 1u) + e2 * T((k >> 2) & 1u));
            tri_[k] = topo.tri[k];
            twin_[k] = topo.twin[k];
            vid_[k] = k;
        }
        nt_ = 8;
        next_vid_ = 8;
        rmax2_ = compute_max_radius2();
    }

    /// Keeps the part with n·x <= c (n unit). Returns true if the cell changed.
    bool cut(const vec3<T>& n, T c, std::size_t neighbor, const vec3<T>& r) {
        const std::size_t nt = nt_;
        const T* X = x_.data();
        const T* Y = y_.data();
        const T* Z = z_.data();
        T* dist = dist_.data();
        const T eps = eps_;
        // Most candidate planes miss the cell: a branch-free pass first (vectorizes), keeping the
        // distances for the cut (64-bit flags: the same lane width as T = double).
        std::int64_t any = 0;
        for (std::size_t k = 0; k < nt; ++k) {
            const T d = n.x * X[k] + n.y * Y[k] + n.z * Z[k] - c;
            dist[k] = d;
            any |= std::int64_t(d > eps);
        }
        if (!any) return false;
        finished_ = false;
        T tolerance = eps_;
        for (int attempt = 0; attempt < 4; ++attempt, tolerance *= T(16))
            if (apply_cut(tolerance, neighbor, r)) return true;
        std::ostringstream os;
        os << "voronoi_cell: inconsistent topology cutting with the plane of neighbour " << neighbor
           << " (rounding at the tolerance; internal error)";
        throw error(os.str());
    }

    bool empty() const noexcept { return nt_ == 0; }
    /// Largest squared distance of a vertex from the particle (kept up to date by the cuts).
    T max_radius2() const noexcept { return rmax2_; }

    /// Merges coincident vertices and builds the face polygons; call before reading faces,
    /// vertices and the volume (again after further cuts).
    void finish() {
        if (finished_) return;
        finished_ = true;
        faces_.n = pool_.n = nv_ = 0;
        const std::size_t nt = nt_;
        if (nt == 0) return;
        // Coincident vertices share a vertex id (a copy made by a cut through a kept vertex takes
        // that vertex's id): number the distinct ids in slot order of their first copy.
        out_id_.ensure(next_vid_);
        for (std::size_t v = 0; v < next_vid_; ++v) out_id_[v] = none;
        vx_.ensure(nt);
        index_.ensure(nt);
        for (std::uint32_t t = 0; t < nt; ++t) {
            std::uint32_t& o = out_id_[vid_[t]];
            if (o == none) {
                o = std::uint32_t(nv_);
                vx_[nv_++] = vec3<T>{x_[t], y_[t], z_[t]};
            }
            index_[t] = o;
        }
        // Faces in plane (creation) order, each walked counter-clockwise from outside: from face
        // p at position k of vertex t, the next vertex is across edge k−1 (faces k−1 and k).
        start_.ensure(np_);
        for (std::size_t p = 0; p < np_; ++p) start_[p] = none;
        for (std::uint32_t t = 0; t < nt; ++t)
            for (std::uint32_t k = 0; k < 3; ++k)
                if (start_[tri_[t][k]] == none) start_[tri_[t][k]] = 4 * t + k;
        faces_.ensure(np_);
        pool_.ensure(3 * nt + 1);
        // Every (vertex, face) pair is visited once over all walks: 3·nt steps in all.
        std::size_t steps = 0;
        for (std::size_t p = 0; p < np_; ++p) {
            const std::uint32_t s = start_[p];
            if (s == none) continue;
            const auto b = std::uint32_t(pool_.n);
            std::uint32_t cur = s;
            do {
                const std::uint32_t id = index_[cur >> 2];
                if (pool_.n == b || pool_[pool_.n - 1] != id) pool_.push(id);
                cur = twin_[cur >> 2][((cur & 3u) + 2) % 3];
                if (++steps > 3 * nt) throw error("voronoi_cell: a face does not close (internal error)");
            } while (cur != s);
            if (pool_.n - b > 1 && pool_[pool_.n - 1] == pool_[b]) --pool_.n;
            const auto cnt = std::uint32_t(pool_.n - b);
            if (cnt >= 3)
                faces_.push({plane_[p].neighbor, plane_[p].r, b, cnt});
            else
                pool_.n = b;  // touches the cell only at a vertex or along an edge
        }
    }

    /// After finish(): distinct vertices (coincident ones merged), in slot order of their first copy.
    std::size_t num_vertices() const noexcept { return nv_; }
    vec3<T> vertex(std::size_t k) const noexcept { return vx_[k]; }
    std::span<const face> faces() const noexcept { return {faces_.data(), faces_.n}; }
    std::span<const std::uint32_t> face_vertices(const face& f) const noexcept { return {pool_.data() + f.begin, f.count}; }

    /// Area vector of a face (|a| = area, direction = outward normal).
    vec3<T> area_vector(const face& f) const noexcept {
        const std::uint32_t* p = pool_.data() + f.begin;
        vec3<T> s{};
        const vec3<T> o = vertex(p[0]);
        for (std::uint32_t q = 1; q + 1 < f.count; ++q) s += cross(vertex(p[q]) - o, vertex(p[q + 1]) - o);
        return s * T(0.5);
    }
    /// Volume: Σ over faces of the pyramids from the particle (signed, so exact for any origin).
    T volume() const noexcept {
        T vol = 0;
        for (std::size_t fi = 0; fi < faces_.n; ++fi) {
            const face& f = faces_[fi];
            const std::uint32_t* p = pool_.data() + f.begin;
            const vec3<T> o = vertex(p[0]);
            for (std::uint32_t q = 1; q + 1 < f.count; ++q) vol += dot(o, cross(vertex(p[q]), vertex(p[q + 1])));
        }
        return vol / T(6);
    }

private:
    static constexpr std::uint32_t none = ~std::uint32_t(0);
    struct plane_info {
        std::size_t neighbor;
        vec3<T> r;
    };
    /// A new vertex, before it is written: the kept vertex's edge it hangs on (twin code, slot
    /// 4·u + edge), its two old faces a, b (the third is the new plane), the vertex id of the
    /// kept vertex when it is a copy of it (else none) and its position.
    struct rim_vertex {
        std::uint32_t in_twin, a, b, vid;
        vec3<T> x;
    };

    /// The cut with tolerance eps (dist_ holds the distances). false: the removed region's
    /// boundary is not one cycle through distinct faces (nothing was changed).
    bool apply_cut(T eps, std::size_t neighbor, const vec3<T>& r) {
        const std::size_t nt = nt_;
        const T* dist = dist_.data();
        std::uint8_t* out = out_.data();
        std::uint32_t* gone = gone_.data();
        // Removed vertices (in slot order) and whether any vertex stays strictly inside.
        std::size_t m = 0;
        std::int64_t inside = 0;
        for (std::size_t k = 0; k < nt; ++k) {
            const T d = dist[k];
            const bool o = d > eps;
            out[k] = std::uint8_t(o);
            gone[m] = std::uint32_t(k);
            m += std::size_t(o);
            inside |= std::int64_t(d < -eps);
        }
        // The largest vertex distance changes only if a removed vertex had it: new vertices lie on
        // edges from a kept vertex, so they are no farther than the farther end.
        bool lost_max = false;
        if (m == 0) return true;  // only possible on a retry with a wider tolerance
        if (!inside) {  // nothing with a volume is left (radical cells)
            nt_ = 0;
            rmax2_ = 0;
            return true;
        }
        // Rim: every edge from a removed vertex to a kept one.
        rim_.ensure(3 * m + 3);
        std::size_t nr = 0;
        const auto q = std::uint32_t(np_);  // the new plane's index
        for (std::size_t g = 0; g < m; ++g) {
            const std::uint32_t t = gone[g];
            lost_max |= x_[t] * x_[t] + y_[t] * y_[t] + z_[t] * z_[t] >= rmax2_ * T(0.999999);  // margin: rounding
            for (std::uint32_t k = 0; k < 3; ++k) {
                const std::uint32_t tw = twin_[t][k], u = tw >> 2;
                if (out[u]) continue;
                const std::uint32_t a = tri_[t][k], b = tri_[t][(k + 1) % 3];
                const T du = dist[u];
                vec3<T> x{x_[u], y_[u], z_[u]};
                std::uint32_t vid = vid_[u];
                if (du < -eps) {  // strictly inside: where the plane crosses the edge
                    const T s = du / (du - dist[t]);
                    x = x + (vec3<T>{x_[t], y_[t], z_[t]} - x) * s;
                    vid = none;  // a new vertex
                }  // else on the plane: the new vertex is the kept one (a copy, same id)
                rim_[nr++] = {tw, a, b, vid, x};
            }
        }
        // Check: one cycle through distinct faces. Rim vertex (a, b, q) is followed, around the
        // new face, by the rim vertex whose first face is b.
        reserve_planes(np_ + 1);
        ++stamp_;
        if (stamp_ == 0) {  // wrapped: clear the stamps
            for (std::size_t p = 0; p < plane_stamp_.cap; ++p) plane_stamp_[p] = 0;
            stamp_ = 1;
        }
        for (std::size_t i = 0; i < nr; ++i) {
            const std::uint32_t a = rim_[i].a;
            if (plane_stamp_[a] == stamp_) return false;  // a face crossed twice
            plane_stamp_[a] = stamp_;
            by_first_[a] = std::uint32_t(i);
        }
        {
            std::size_t len = 0;
            std::size_t i = 0;
            do {
                const std::uint32_t b = rim_[i].b;
                if (plane_stamp_[b] != stamp_) return false;  // the ring does not close
                i = by_first_[b];
                ++len;
            } while (i != 0 && len <= nr);
            if (len != nr) return false;  // more than one cycle
        }
        // Write the new vertices: into the removed slots first, then appended.
        add_plane(neighbor, r);
        reserve_triangles(nt + nr);
        out = out_.data();
        gone = gone_.data();
        slot_.ensure(nr);
        for (std::size_t i = 0; i < nr; ++i) {
            std::uint32_t s;
            if (i < m) {
                s = gone[i];
                out[s] = 0;  // reused: no longer a hole
            } else {
                s = std::uint32_t(nt + (i - m));
                out[s] = 0;
            }
            slot_[i] = s;
            const rim_vertex& v = rim_[i];
            set_position(s, v.x);
            vid_[s] = v.vid == none ? std::uint32_t(next_vid_++) : v.vid;
            tri_[s] = {v.a, v.b, q};
            twin_[s][0] = v.in_twin;
            twin_[v.in_twin >> 2][v.in_twin & 3u] = 4 * s;
        }
        for (std::size_t i = 0; i < nr; ++i) {  // the ring: edge 1 (b, q) meets edge 2 (q, b) of the next
            const std::uint32_t s = slot_[i], s2 = slot_[by_first_[rim_[i].b]];
            twin_[s][1] = 4 * s2 + 2;
            twin_[s2][2] = 4 * s + 1;
        }
        // Fill the holes left (more vertices removed than made) from the end, keeping slots dense.
        std::size_t n_new = nt + (nr > m ? nr - m : 0);
        if (m > nr) {
            n_new = nt - (m - nr);
            std::size_t last = nt;
            for (std::size_t g = nr; g < m; ++g) {
                const std::uint32_t h = gone[g];
                if (h >= n_new) break;  // ascending: the remaining holes are all beyond the end
                do --last;
                while (out[last]);
                move_triangle(std::uint32_t(last), h);
            }
        }
        nt_ = n_new;
        if (lost_max) rmax2_ = compute_max_radius2();
        return true;
    }

    void move_triangle(std::uint32_t from, std::uint32_t to) noexcept {
        x_[to] = x_[from];
        y_[to] = y_[from];
        z_[to] = z_[from];
        tri_[to] = tri_[from];
        vid_[to] = vid_[from];
        for (std::uint32_t k = 0; k < 3; ++k) {
            const std::uint32_t tw = twin_[from][k];
            twin_[to][k] = tw;
            twin_[tw >> 2][tw & 3u] = 4 * to + k;
        }
        out_[to] = 0;
    }

    T compute_max_radius2() const noexcept {
        const T* X = x_.data();
        const T* Y = y_.data();
        const T* Z = z_.data();
        T m[8] = {};  // eight lanes: one vector max per step
        std::size_t k = 0;
        for (; k + 8 <= nt_; k += 8)
            for (std::size_t l = 0; l < 8; ++l) {
                const T r = X[k + l] * X[k + l] + Y[k + l] * Y[k + l] + Z[k + l] * Z[k + l];
                m[l] = m[l] < r ? r : m[l];
            }
        for (; k < nt_; ++k) m[0] = std::max(m[0], X[k] * X[k] + Y[k] * Y[k] + Z[k] * Z[k]);
        T r = m[0];
        for (std::size_t l = 1; l < 8; ++l) r = std::max(r, m[l]);
        return r;
    }

    void reserve_triangles(std::size_t c) {
        x_.ensure(c);
        y_.ensure(c);
        z_.ensure(c);
        dist_.ensure(c);
        tri_.ensure(c);
        twin_.ensure(c);
        vid_.ensure(c);
        out_.ensure(c);
        gone_.ensure(c);
    }
    void reserve_planes(std::size_t c) {
        plane_.ensure(c);
        plane_stamp_.ensure(c);  // new entries are zero (make_unique value-initialises)
        by_first_.ensure(c);
    }
    void add_plane(std::size_t neighbor, const vec3<T>& r) noexcept { plane_[np_++] = {neighbor, r}; }
    void set_position(std::uint32_t k, const vec3<T>& v) noexcept {
        x_[k] = v.x;
        y_[k] = v.y;
        z_[k] = v.z;
    }

    T eps_ = 0, rmax2_ = 0;
    std::size_t nt_ = 0, np_ = 0, nv_ = 0;  // vertex slots (triangles), planes, merged vertices
    std::size_t next_vid_ = 0;              // vertex ids handed out (coincident copies share one)
    std::uint32_t stamp_ = 0;
    bool finished_ = false;
    detail::scratch_buffer<T> x_, y_, z_, dist_;
    detail::scratch_buffer<std::array<std::uint32_t, 3>> tri_, twin_;
    detail::scratch_buffer<std::uint8_t> out_;
    detail::scratch_buffer<std::uint32_t> gone_, slot_, plane_stamp_, by_first_;
    detail::scratch_buffer<plane_info> plane_;
    detail::scratch_buffer<rim_vertex> rim_;
    detail::scratch_buffer<std::uint32_t> vid_;  // per slot: vertex id
    struct cube_topology {
        std::array<std::array<std::uint32_t, 3>, 8> tri, twin;
    };
    std::array<cube_topology, 2> cube_{};
    std::array<bool, 2> cube_ready_{};
    // finish()
    detail::scratch_buffer<std::uint32_t> out_id_, index_, start_, pool_;
    detail::scratch_buffer<vec3<T>> vx_;
    detail::scratch_buffer<face> faces_;
};

}  // namespace tessera
