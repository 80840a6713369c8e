#pragma once
/// @file
/// Voronoi and radical (Laguerre) tessellation by cell clipping, for open, orthogonal and
/// triclinic boxes, header-only.
///
/// Algorithm (the one voro++ uses): the cell of particle i starts as a bounding polyhedron — a
/// cube of half-width four spacings (grown 4× and the cell redone while the finished cell reaches
/// it), cut by the box walls along non-periodic axes — and is cut,
/// nearest first, by the bisector plane of every candidate neighbour j found by the cell list
/// (periodic images included, any tilt):
///
///     x · r = (|r|² + R_i² − R_j²) / 2,       r = r_j − r_i (x relative to particle i),
///
/// (radical planes; R = 0 for all particles gives the ordinary Voronoi tessellation). Candidates
/// come in growing shells sorted by (|r|², r, j). The cell is complete once the next candidate
/// is farther than  ρ + sqrt(ρ² + R_max² − R_i²)  (ρ: the largest distance of a cell vertex from
/// particle i, R_max: the largest radius) — no farther point's plane can reach a vertex; with no
/// radii this is the classical |r| ≥ 2ρ.
///
/// The polyhedron and its cut are in neighbors/voronoi_cell.hpp: vertices stored as the triangles
/// of faces meeting there, with twins along the edges (Lévy's dual representation), so a cut
/// touches only the vertices it removes and their rim. A cut classifies every vertex by its signed
/// distance d to the plane with a tolerance ε: out (d > ε), on (|d| ≤ ε) or in (d < −ε); nothing
/// happens unless some vertex is out; a new vertex is made on each edge from an out- to an
/// in-vertex (computed from the in-vertex), and an edge to an on-vertex ends at that vertex.
///
/// Degeneracy (perfect fcc, bcc, …, where four or more cells meet at a vertex): the tolerance is
/// what makes these deterministic. ε = options.tolerance × L, with L = (V/N)^{1/3} the mean
/// inter-particle spacing of the input, so it is relative to the cell scale (default 1e-10 L;
/// never below 64 machine epsilons of the compute type, i.e. ~8e-6 L for float).
/// A plane passing within ε of a vertex goes *through* it: no sliver vertices or zero-area faces
/// are made, the result does not depend on the order of equidistant neighbours (up to rounding of
/// the vertex coordinates), and a perfect fcc cell is the rhombic dodecahedron with exactly 12
/// faces and 14 vertices. The price: two vertices closer than ε are merged, so a face narrower
/// than ~ε (area ≲ ε·edge) is not reported — nothing physical lives at 1e-10 of the spacing.
///
/// Outputs (voronoi_tessellation): per cell the volume, surface area, faces (neighbour index or
/// wall marker, bond vector to the neighbour's image, area, unit outward normal, vertex count),
/// optionally the vertices (relative to the particle) and each face's vertex list; and the
/// Voronoi neighbours as a tessera::neighbor_list (one bond per particle face, walls left out,
/// bond vector to the image that owns the face, distance²) with the face areas in a parallel
/// array, so every descriptor can run on Voronoi neighbours (store_faces = false: only the volumes
/// and the neighbours, for less work). Cells are independent: results are bit-identical for any
/// thread count.
///
/// Walls: along a non-periodic axis the cell is clipped by the box faces (the planes of constant
/// fractional coordinate lo and hi of that axis), widened to the particles' extent when
/// particles lie outside; an open_box has walls on the particles' bounding box. Faces on walls have
/// neighbour `voronoi_wall(k)`, k = 2·axis + (0: low side, 1: high side).

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/neighbors/cell_list.hpp>
#include <tessera/neighbors/neighbor_list.hpp>
#include <tessera/neighbors/voronoi_cell.hpp>
#include <tessera/neighbors/voronoi_tessellation.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <span>
#include <sstream>
#include <tuple>
#include <type_traits>
#include <vector>

namespace tessera {

struct voronoi_options {
    /// Per-particle radii (n_total entries) for the radical tessellation; empty: plain Voronoi.
    std::span<const double> radii{};
    /// Vertex-on-plane tolerance, relative to the mean inter-particle spacing (see above).
    double tolerance = 1e-10;
    /// Keep vertices and per-face vertex lists (needed for edge lengths and interstice features).
    bool store_vertices = true;
    /// Keep the faces (face_* arrays, surface_area, neighbor_area and, with store_vertices, the
    /// vertices). false: only volume and neighbors are filled (the rest stay empty), which is
    /// what Voronoi volumes or Voronoi neighbours alone need, and cheaper.
    bool store_faces = true;
    /// Cells for particles [0, n_local); the rest (ghosts) only cut. Default: all.
    std::size_t n_local = std::numeric_limits<std::size_t>::max();
};

namespace detail {

template <class B>
struct is_open_box : std::false_type {};
template <class T>
struct is_open_box<open_box<T>> : std::true_type {};

template <class T>
struct voronoi_candidate {
    T r2;
    vec3<T> r;
    std::size_t j;
    friend bool operator<(const voronoi_candidate& a, const voronoi_candidate& b) noexcept {
        return std::tie(a.r2, a.r.x, a.r.y, a.r.z, a.j) < std::tie(b.r2, b.r.x, b.r.y, b.r.z, b.j);
    }
};

/// Chunk-private output, concatenated in chunk order.
template <class T>
struct voronoi_part {
    voronoi_tessellation<T> t;
    std::size_t faces = 0;
};

/// How the engine splits the rows [0, n_rows) into chunks (chunk-private scratch and output):
/// one chunk when serial or small, else chunks of 1024 rows. Streaming consumers size their
/// per-chunk state with it.
struct voronoi_chunking {
    std::size_t chunk, count;
};
template <class Policy>
voronoi_chunking voronoi_chunks(std::size_t n_rows, Policy) noexcept {
    const bool one_part = std::is_same_v<Policy, serial_policy> || n_rows <= 1024;
    const std::size_t chunk = one_part ? std::max<std::size_t>(n_rows, 1) : 1024;
    return {chunk, (n_rows + chunk - 1) / chunk};
}

/// Engine tag: record every cell into the tessellation (what tessellate() does).
struct record_cells {};

/// The engine behind tessellate() and for_each_voronoi_cell(): computes the cell of every
/// particle in [0, n_local) and either records it (MakeVisitor = record_cells; returns the
/// tessellation) or hands it to make_visitor(chunk)(i, cell) and drops it (returns an empty one).
template <class U, particle_storage S, box B, class Policy, class MakeVisitor>
voronoi_tessellation<U> run_voronoi(const S& particles, const B& bx, const voronoi_options& options, Policy policy,
                                    MakeVisitor&& make_visitor) {
    constexpr bool streaming = !std::is_same_v<std::remove_cvref_t<MakeVisitor>, record_cells>;

    const std::size_t n_total = tessera::size(particles);
    const std::size_t n_rows = options.n_local == std::numeric_limits<std::size_t>::max() ? n_total : options.n_local;
    if (n_rows > n_total) {
        throw error("tessellate: n_local = ", n_rows, " exceeds the number of particles ", n_total);
    }
    const bool radical = !options.radii.empty();
    if (radical && options.radii.size() != n_total) {
        throw error("tessellate: ", options.radii.size(), " radii for ", n_total, " particles");
    }
    U rmax_particle = 0;
    for (std::size_t i = 0; i < options.radii.size(); ++i) {
        if (!(options.radii[i] >= 0) || !std::isfinite(options.radii[i])) {
            throw error("tessellate: particle ", i, " has radius ", options.radii[i], " (must be finite and >= 0)");
        }
        rmax_particle = std::max(rmax_particle, U(options.radii[i]));
    }
    if (!(options.tolerance > 0) || !(options.tolerance < 1e-3))
        throw error("tessellate: tolerance must lie in (0, 1e-3)");

    voronoi_tessellation<U> out;
    if (n_total == 0) return out;

    // Frame: fractional axes, and walls along open axes.
    const mat3<U> h = is_open_box<B>::value ? mat3<U>::identity() : mat3<U>(bx.cell());
    const vec3<U> origin = is_open_box<B>::value ? vec3<U>{} : vec3<U>(bx.origin());
    const mat3<U> g = inverse(h);
    std::array<U, 3> wall_lo{}, wall_hi{};
    {
        std::array<U, 3> smin{}, smax{};
        smin.fill(std::numeric_limits<U>::max());
        smax.fill(std::numeric_limits<U>::lowest());
        for (std::size_t i = 0; i < n_total; ++i) {
            const vec3<U> s = g * (vec3<U>(position(particles, i)) - origin);
            for (std::size_t d = 0; d < 3; ++d) {
                smin[d] = std::min(smin[d], s[d]);
                smax[d] = std::max(smax[d], s[d]);
            }
        }
        for (std::size_t d = 0; d < 3; ++d) {
            if (is_open_box<B>::value) {
                wall_lo[d] = smin[d];
                wall_hi[d] = smax[d];
                if (!(wall_hi[d] > wall_lo[d])) {  // flat along d: give it some thickness
                    wall_lo[d] -= U(0.5);
                    wall_hi[d] += U(0.5);
                }
            } else {
                wall_lo[d] = std::min(U(0), smin[d]);
                wall_hi[d] = std::max(U(1), smax[d]);
            }
        }
    }
    // Region volume and the length scale of the tolerance.
    U region = std::abs(determinant(h));
    U extent = 0;  // bound on the size of any cell
    for (std::size_t d = 0; d < 3; ++d) {
        const U span = bx.periodic(d) && !is_open_box<B>::value ? U(1) : wall_hi[d] - wall_lo[d];
        if (!(bx.periodic(d) && !is_open_box<B>::value)) region *= span;
        extent += span * norm(h.column(d));
    }
    const U spacing = std::cbrt(region / U(n_total));
    // Never below the rounding noise of U (matters for float: 64 ε ≈ 8e-6).
    const U eps = std::max(U(options.tolerance), U(64) * std::numeric_limits<U>::epsilon()) * spacing;
    const U half = U(1.01) * extent + spacing;  // half-width of the bounding cube

    // Cell list: bins about two spacings wide (~8 particles: fewer, longer runs for the SIMD
    // distance filter beat a tighter fit to the search sphere); first shell holds ~30 particles.
    cell_list<U> cells(particles, bx, U(2) * spacing);

    // Cells are computed in a spatial order (bins ~2 spacings wide, x fastest) so that consecutive
    // cells query the same bins — dumps are rarely sorted in space — and stored in input order.
    // An input that is already coherent in space (half of consecutive particles share a bin, as
    // lattice-ordered crystals) is computed in its own order, which saves the reordering copy. So
    // is a small input: while the cell list (~32 B per particle) stays in the L2 cache (2^15
    // particles), or in the L3 (2^18) when the full output makes the reordering copy expensive,
    // the copy costs more than the scattered queries (measured: bench/voronoi.cpp, random points).
    const bool faces_out = options.store_faces, verts_out = faces_out && options.store_vertices;
    // Streaming makes no reordering copy: the L2 bound applies.
    const std::size_t in_cache = faces_out && !streaming ? std::size_t(1) << 18 : std::size_t(1) << 15;
    std::vector<std::size_t> order(n_rows), rank(streaming ? 0 : n_rows);  // rank: for the gather only
    bool input_order = false;
    {
        std::array<std::size_t, 3> m{};
        std::array<U, 3> s0{}, sw{};
        for (std::size_t d = 0; d < 3; ++d) {
            const bool per = bx.periodic(d) && !is_open_box<B>::value;
            s0[d] = per ? U(0) : wall_lo[d];
            sw[d] = per ? U(1) : wall_hi[d] - wall_lo[d];
            const U width = sw[d] / norm(vec3<U>{g(d, 0), g(d, 1), g(d, 2)});
            const U cnt = std::floor(width / (U(2) * spacing));
            m[d] = cnt < U(1) ? 1 : (cnt > U(1024) ? 1024 : std::size_t(cnt));
        }
        std::vector<std::size_t> key(n_rows), start(m[0] * m[1] * m[2] + 1, 0);
        for (std::size_t i = 0; i < n_rows; ++i) {
            const vec3<U> f = g * (cells.wrapped_position(i) - origin);
            std::size_t b[3];
            for (std::size_t d = 0; d < 3; ++d) {
                const U u = (f[d] - s0[d]) / sw[d] * U(m[d]);
                b[d] = u < U(0) ? 0 : std::min(m[d] - 1, std::size_t(u));
            }
            key[i] = b[0] + m[0] * (b[1] + m[1] * b[2]);
            ++start[key[i] + 1];
        }
        std::size_t same = 0;
        for (std::size_t i = 1; i < n_rows; ++i) same += key[i] == key[i - 1];
        input_order = n_total <= in_cache || 2 * same >= n_rows;
        for (std::size_t k = 1; k < start.size(); ++k) start[k] += start[k - 1];
        for (std::size_t i = 0; i < n_rows; ++i) {
            const std::size_t r = input_order ? i : start[key[i]]++;
            if (!streaming) rank[i] = r;
            order[r] = i;
        }
    }
    const U r_first = std::cbrt(U(3) * U(30) / (U(4) * std::numbers::pi_v<U>)) * spacing;

    const voronoi_chunking chunking = voronoi_chunks(n_rows, policy);
    std::vector<voronoi_part<U>> parts(streaming ? 0 : chunking.count);
    auto run_chunk = [&](std::size_t chunk_index, std::size_t b, std::size_t e) {
        voronoi_cell<U> cell;
        std::vector<voronoi_candidate<U>> cand;
        std::vector<std::pair<U, std::size_t>> keys;
        std::vector<std::uint32_t> bucket_of;
        std::vector<std::size_t> bucket_start, bucket_fill;
        voronoi_tessellation<U> unused;
        voronoi_tessellation<U>& t = streaming ? unused : parts[chunk_index].t;
        [[maybe_unused]] auto visit = [&] {
            if constexpr (streaming) return make_visitor(chunk_index);
            else return 0;
        }();
        t.neighbors.clear();
        if (!streaming) {  // typical cell: ~16 faces, ~30 vertices, ~5.3 vertices per face
            const std::size_t m = e - b;
            t.volume.reserve(m);
            t.neighbors.reserve(m, 16 * m);
        }
        if (faces_out && !streaming) {
            const std::size_t m = e - b;
            t.surface_area.reserve(m);
            t.face_offsets.reserve(m + 1);
            t.face_neighbor.reserve(16 * m);
            t.face_vector.reserve(16 * m);
            t.face_area.reserve(16 * m);
            t.face_normal.reserve(16 * m);
            t.face_vertex_count.reserve(16 * m);
            t.neighbor_area.reserve(16 * m);
            if (verts_out) {
                t.vertex_offsets.reserve(m + 1);
                t.vertices.reserve(30 * m);
                t.face_vertex_offsets.reserve(16 * m + 1);
                t.face_vertices.reserve(90 * m);
            }
        }
        // First search radius: follows the radii the previous cells needed (the cell does not
        // depend on it: candidates are applied in one global distance order either way).
        U r_guess = r_first;
        constexpr std::size_t cube = voronoi_wall(6);  // bounding cube: never part of a finished cell
        const std::array<std::size_t, 6> ids{cube, cube, cube, cube, cube, cube};
        // Cell of particle i at p (radius Ri) inside the bounding cube of half-width cube_half:
        // walls, then candidate planes in growing shells until no unseen plane can reach it.
        auto clip = [&](std::size_t i, const vec3<U>& p, U Ri, U cube_half) {
            const U w = 2 * cube_half;
            cell.init_parallelepiped({-cube_half, -cube_half, -cube_half}, {w, 0, 0}, {0, w, 0}, {0, 0, w}, ids, eps);
            // Walls on open axes.
            const vec3<U> s = g * (p - origin);
            for (std::size_t d = 0; d < 3; ++d) {
                if (bx.periodic(d) && !is_open_box<B>::value) continue;
                const vec3<U> gd{g(d, 0), g(d, 1), g(d, 2)};
                const U gn = norm(gd);
                const vec3<U> nrm = gd / gn;
                const U c_lo = (s[d] - wall_lo[d]) / gn, c_hi = (wall_hi[d] - s[d]) / gn;
                cell.cut(-nrm, c_lo, voronoi_wall(2 * d), -nrm * (U(2) * c_lo));
                cell.cut(nrm, c_hi, voronoi_wall(2 * d + 1), nrm * (U(2) * c_hi));
            }
            // Neighbours in growing shells.
            U searched = 0;  // every candidate with |r| < searched has been applied
            U radius = r_guess;
            U rho2 = cell.max_radius2();
            auto bound = [&] {
                const U rho = std::sqrt(rho2);
                return rho + std::sqrt(std::max(U(0), rho2 + rmax_particle * rmax_particle - Ri * Ri));
            };
            U lim = bound(), lim2 = lim * lim;  // follow rho2
            for (;;) {
                cand.clear();
                const U s2 = searched * searched;
                cells.for_each_within(p, radius, i, [&](std::size_t j, const vec3<U>& r, U r2) {
                    if (r2 >= s2) cand.push_back({r2, r, j});
                });
                // Candidates in (|r|², r, j) order, lazily: a counting sort into ~2 per bucket of
                // |r|² (monotone), then each bucket sorted when reached; far buckets are never sorted.
                const std::size_t m = cand.size();
                const std::size_t nbk = std::clamp<std::size_t>(m / 2, 1, 128);
                const U scale = U(nbk) / (radius * radius - s2);
                bucket_start.assign(nbk + 1, 0);
                keys.resize(m);
                bucket_of.resize(m);
                for (std::size_t k = 0; k < m; ++k) {
                    const U u = (cand[k].r2 - s2) * scale;
                    const std::size_t bk = u < U(1) ? 0 : std::min(nbk - 1, std::size_t(u));
                    bucket_of[k] = std::uint32_t(bk);
                    ++bucket_start[bk + 1];
                }
                for (std::size_t bk = 0; bk < nbk; ++bk) bucket_start[bk + 1] += bucket_start[bk];
                bucket_fill.assign(bucket_start.begin(), bucket_start.end() - 1);
                for (std::size_t k = 0; k < m; ++k) keys[bucket_fill[bucket_of[k]]++] = {cand[k].r2, k};
                bool done = false;
                for (std::size_t bk = 0; bk < nbk && !done; ++bk) {
                    auto* kb = keys.data() + bucket_start[bk];
                    const std::size_t kn = bucket_start[bk + 1] - bucket_start[bk];
                    for (std::size_t q = 1; q < kn; ++q) {  // insertion sort
                        const auto x = kb[q];
                        std::size_t z = q;
                        while (z > 0 && (x.first < kb[z - 1].first ||
                                         (x.first == kb[z - 1].first && cand[x.second] < cand[kb[z - 1].second]))) {
                            kb[z] = kb[z - 1];
                            --z;
                        }
                        kb[z] = x;
                    }
                    for (std::size_t q = 0; q < kn; ++q) {
                        const auto& c = cand[kb[q].second];
                        if (c.r2 >= lim2) {
                            done = true;
                            break;
                        }
                        if (!(c.r2 > 0)) {
                            throw error("tessellate: particles ", i, " and ", c.j, " coincide");
                        }
                        const U Rj = radical ? U(options.radii[c.j]) : U(0);
                        const U num = c.r2 + Ri * Ri - Rj * Rj;
                        // Plane beyond every vertex (off > 0 and off² > rho2, off = num / 2|r|): no cut.
                        if (num > 0 && num * num > U(4) * c.r2 * rho2 * U(1.0000001)) continue;
                        const U len = std::sqrt(c.r2);
                        const U off = num / (U(2) * len);
                        if (off * off > rho2 && off > 0) continue;
                        if (cell.cut(c.r / len, off, c.j, c.r)) {
                            if (cell.empty()) {
                                done = true;
                                break;
                            }
                            rho2 = cell.max_radius2();
                            lim = bound();
                            lim2 = lim * lim;
                        }
                    }
                }
                if (done || cell.empty()) break;
                const bool exhausted = cells.all_open() && radius > cells.open_extent();
                if (radius >= lim || exhausted) break;
                searched = radius;
                radius = std::min(lim * U(1.0001), radius * U(1.5));
            }
            if (!cell.empty()) r_guess = U(0.875) * r_guess + U(0.125) * U(1.1) * lim;
        };
        for (std::size_t k_row = b; k_row < e; ++k_row) {
            const std::size_t i = order[k_row];
            const vec3<U> p = cells.wrapped_position(i);
            const U Ri = radical ? U(options.radii[i]) : U(0);
            // The bounding cube starts a few spacings wide: vertices made from its corners carry
            // rounding of the cube's size (in float: 1e-4 of the spacing at 10^5 particles with a
            // box-sized cube). A cell still touching it after every plane that can reach it is
            // computed again in a 4× larger cube, up to `half`, which always holds the cell.
            for (U cube_half = std::min(half, U(4) * spacing);; cube_half = std::min(half, U(4) * cube_half)) {
                clip(i, p, Ri, cube_half);
                cell.finish();
                if (cube_half >= half) break;
                bool in_cube = true;
                for (const auto& f : cell.faces()) in_cube = in_cube && f.neighbor != cube;
                if (in_cube) break;
            }
            for (const auto& f : cell.faces()) {
                if (f.neighbor == cube) {
                    throw error("tessellate: the cell of particle ", i, " reaches its bounding cube (internal error)");
                }
            }
            if constexpr (streaming) {
                visit(i, static_cast<const voronoi_cell<U>&>(cell));
            } else {
                record_voronoi_cell(t, cell, faces_out, verts_out);
            }
        }
    };

    const std::size_t chunk = chunking.chunk;
    const bool one_part = chunking.count <= 1;
    if (one_part) {
        if (n_rows) run_chunk(0, 0, n_rows);
    } else {
        for_each_chunk(policy, n_rows, chunk, [&](std::size_t c, std::size_t b, std::size_t e) { run_chunk(c, b, e); });
    }
    if constexpr (streaming) return out;
    if (one_part && input_order && n_rows > 0) {  // already in input order
        out = std::move(parts[0].t);
        return out;
    }
    // Gather into input order.
    auto locate = [&](std::size_t i) -> std::pair<const voronoi_tessellation<U>*, std::size_t> {
        return {&parts[rank[i] / chunk].t, rank[i] % chunk};
    };
    out.volume.resize(n_rows);
    if (!faces_out) {
        std::size_t nbonds = 0;
        for (std::size_t i = 0; i < n_rows; ++i) {
            const auto [t, l] = locate(i);
            out.volume[i] = t->volume[l];
            nbonds += t->neighbors.num_neighbors(l);
        }
        out.neighbors.clear();
        out.neighbors.reserve(n_rows, nbonds);
        for (std::size_t i = 0; i < n_rows; ++i) {
            const auto [t, l] = locate(i);
            out.neighbors.append_row(t->neighbors.neighbors(l), t->neighbors.vectors(l), t->neighbors.distances2(l));
        }
        return out;
    }
    out.surface_area.resize(n_rows);
    out.face_offsets.assign(n_rows + 1, 0);
    if (verts_out) out.vertex_offsets.assign(n_rows + 1, 0);
    std::size_t nfv = 0, nbonds = 0;
    for (std::size_t i = 0; i < n_rows; ++i) {
        const auto [t, l] = locate(i);
        out.volume[i] = t->volume[l];
        out.surface_area[i] = t->surface_area[l];
        out.face_offsets[i + 1] = out.face_offsets[i] + t->num_faces(l);
        if (verts_out) {
            out.vertex_offsets[i + 1] = out.vertex_offsets[i] + (t->vertex_offsets[l + 1] - t->vertex_offsets[l]);
            nfv += t->face_vertex_offsets[t->face_offsets[l + 1]] - t->face_vertex_offsets[t->face_offsets[l]];
        }
        nbonds += t->neighbors.num_neighbors(l);
    }
    const std::size_t nf = out.face_offsets.back();
    out.face_neighbor.resize(nf);
    out.face_vector.resize(nf);
    out.face_area.resize(nf);
    out.face_normal.resize(nf);
    out.face_vertex_count.resize(nf);
    if (verts_out) {
        out.vertices.resize(out.vertex_offsets.back());
        out.face_vertex_offsets.resize(nf + 1);
        out.face_vertices.resize(nfv);
    }
    out.neighbors.clear();
    out.neighbors.reserve(n_rows, nbonds);
    out.neighbor_area.reserve(nbonds);
    std::size_t fv_pos = 0;
    for (std::size_t i = 0; i < n_rows; ++i) {
        const auto [t, l] = locate(i);
        const std::size_t f0 = t->face_offsets[l], f1 = t->face_offsets[l + 1], o = out.face_offsets[i];
        std::copy(t->face_neighbor.begin() + std::ptrdiff_t(f0), t->face_neighbor.begin() + std::ptrdiff_t(f1),
                  out.face_neighbor.begin() + std::ptrdiff_t(o));
        std::copy(t->face_vector.begin() + std::ptrdiff_t(f0), t->face_vector.begin() + std::ptrdiff_t(f1),
                  out.face_vector.begin() + std::ptrdiff_t(o));
        std::copy(t->face_area.begin() + std::ptrdiff_t(f0), t->face_area.begin() + std::ptrdiff_t(f1),
                  out.face_area.begin() + std::ptrdiff_t(o));
        std::copy(t->face_normal.begin() + std::ptrdiff_t(f0), t->face_normal.begin() + std::ptrdiff_t(f1),
                  out.face_normal.begin() + std::ptrdiff_t(o));
        std::copy(t->face_vertex_count.begin() + std::ptrdiff_t(f0), t->face_vertex_count.begin() + std::ptrdiff_t(f1),
                  out.face_vertex_count.begin() + std::ptrdiff_t(o));
        if (verts_out) {
            std::copy(t->vertices.begin() + std::ptrdiff_t(t->vertex_offsets[l]),
                      t->vertices.begin() + std::ptrdiff_t(t->vertex_offsets[l + 1]),
                      out.vertices.begin() + std::ptrdiff_t(out.vertex_offsets[i]));
            for (std::size_t f = f0; f < f1; ++f) {
                out.face_vertex_offsets[o + (f - f0)] = fv_pos;
                for (std::size_t q = t->face_vertex_offsets[f]; q < t->face_vertex_offsets[f + 1]; ++q)
                    out.face_vertices[fv_pos++] = t->face_vertices[q];
            }
        }
        out.neighbors.append_row(t->neighbors.neighbors(l), t->neighbors.vectors(l), t->neighbors.distances2(l));
        const auto a0 = std::ptrdiff_t(t->neighbors.offsets()[l]), a1 = std::ptrdiff_t(t->neighbors.offsets()[l + 1]);
        out.neighbor_area.insert(out.neighbor_area.end(), t->neighbor_area.begin() + a0, t->neighbor_area.begin() + a1);
    }
    if (verts_out) out.face_vertex_offsets[nf] = fv_pos;
    return out;
}

}  // namespace detail

/// Tessellates `particles` in `box`: cells for the first options.n_local particles.
template <class T = void, particle_storage S, box B, class Policy = serial_policy>
auto tessellate(const S& particles, const B& bx, const voronoi_options& options = {}, Policy policy = {}) {
    using U = std::conditional_t<std::is_void_v<T>, particle_value_t<S>, T>;
    return detail::run_voronoi<U>(particles, bx, options, policy, detail::record_cells{});
}

/// Streams the cells: for every particle i < options.n_local, its finished cell (faces, areas,
/// vertices relative to particle i; neighbors/voronoi_cell.hpp) is handed to visit(i, cell) and
/// dropped, so nothing of the tessellation is stored (memory: the cell list and the spatial
/// order, ~45 B per particle). The cells are exactly those tessellate() records (record one with
/// detail::record_voronoi_cell). make_visitor(chunk) is called once per chunk of rows
/// (detail::voronoi_chunks(n_local, policy).count chunks, index in [0, count)) and returns the
/// visitor for that chunk's cells; under openmp_policy chunks run concurrently, so a visitor
/// writes only chunk-private state or per-particle slots. options.store_faces and
/// store_vertices do not apply here (the cell has everything).
template <class T = void, particle_storage S, box B, class Policy = serial_policy, class MakeVisitor>
void for_each_voronoi_cell(const S& particles, const B& bx, const voronoi_options& options, Policy policy,
                           MakeVisitor&& make_visitor) {
    using U = std::conditional_t<std::is_void_v<T>, particle_value_t<S>, T>;
    detail::run_voronoi<U>(particles, bx, options, policy, make_visitor);
}

}  // namespace tessera
