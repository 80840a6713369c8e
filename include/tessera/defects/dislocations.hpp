#pragma once
/// @file
/// Dislocation extraction analysis (DXA): dislocation lines with their Burgers vectors, families,
/// lengths and density, from atomic positions of a crystal (fcc first; bcc and hcp where the same
/// machinery serves).
///
/// A. Stukowski & K. Albe, "Extracting dislocations and non-dislocation crystal defects from
/// atomistic simulation data", Modelling Simul. Mater. Sci. Eng. 18, 085001 (2010);
/// A. Stukowski, V. V. Bulatov, A. Arsenlis, "Automated identification and indexing of
/// dislocations in crystal interfaces", ibid. 20, 085007 (2012). Conventions (Burgers circuit
/// sense, families, defaults) follow OVITO 3's implementation, so results read alike.
///
/// Steps, each in its own header:
///  1. structure_identification.hpp — crystalline atoms (CNA with a local cutoff), their
///     neighbours in template order, clusters and the transitions between them;
///  2. neighbors/delaunay.hpp — the Delaunay tessellation of the atoms and a ghost layer
///     (3.5 × the largest local cutoff) on periodic axes; for fcc/hcp input only of the atoms
///     within `region_cutoffs` neighbour cutoffs of a defect atom when that region's cells are
///     checked to be those of the whole tessellation wherever the result depends on them
///     (tessellation_region.hpp; the same lines, 2–3× faster on a crystal with a few defects);
///  3. elastic_mapping.hpp — an ideal lattice vector per tessellation edge; good and bad cells;
///  4. interface_mesh.hpp — the surface between good crystal and defects;
///  5. burgers_tracer.hpp — Burgers circuits swept along the mesh into lines and junctions;
///  6. dislocation_network.hpp — coarsening, smoothing, lengths.
/// Then every line's Burgers vector is classified into the lattice's families
/// (lattice_tables.hpp: perfect 1/2<110>, Shockley 1/6<112>, stair-rod 1/6<110>, Hirth 1/3<100>,
/// Frank 1/3<111>, other for fcc), and the density is the total length over the cell volume.
///
/// Deterministic: no step depends on the thread count; a fixed generator replaces OVITO's random
/// start edges. The interface mesh is numbered canonically (by particle indices and relative
/// images, interface_mesh.hpp), so the lines do not depend on how the tessellation stored its
/// cells: a rigid translation of all atoms, or re-imaging them, gives the same lines bit for bit.
/// They do depend on the atoms' order in `positions` — through the reference implementation's
/// index-order rules (cluster seeds, the order circuits are tried) — and where the tracer's
/// greedy choices matter (tangled cores) a permutation can give different lines; pass atoms in a
/// fixed order (e.g. by id: `tessera dxa` does) to compare frames.
#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/defects/burgers_tracer.hpp>
#include <tessera/defects/dislocation_network.hpp>
#include <tessera/defects/elastic_mapping.hpp>
#include <tessera/defects/interface_mesh.hpp>
#include <tessera/defects/lattice_tables.hpp>
#include <tessera/defects/structure_identification.hpp>
#include <tessera/defects/tessellation_region.hpp>
#include <tessera/neighbors/delaunay.hpp>

#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

namespace tessera {

namespace detail {

/// Atoms the interface mesh can be near: in no crystal, or with a neighbour in another cluster.
inline std::vector<std::uint8_t> defect_seeds(const crystal_analysis& crystal) {
    const std::size_t n = crystal.cluster.size();
    std::vector<std::uint8_t> seed(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t c = crystal.cluster[i];
        if (c == 0) {
            seed[i] = 1;
            continue;
        }
        for (std::size_t k = 0; k < crystal.count[i] && !seed[i]; ++k)
            seed[i] = crystal.cluster[crystal.neighbors[i * crystal.max_neighbors + k]] != c;
    }
    return seed;
}

/// Whether the tessellation of a region serves as the whole one. interface_mesh puts facets on
/// faces of primary good cells toward cells that are not good or toward the hull, and pairs
/// their edges by walking around them through good cells; the vertex clusters of atoms in no
/// crystal come from their tessellation edges. So every face of a primary cell where a facet can
/// be — toward an exact cell that may be bad (mapping not good, or circumradius² ≥ alpha), or
/// toward the hull with only seeds as vertices (the whole tessellation's hull is made of
/// surface atoms, in no crystal) — and every seed must have only `exact` cells (cells of the whole
/// tessellation) around its vertices, and no hull face with a crystalline vertex. Then the cells
/// that are not exact, and the other hull faces, lie away from everything the result reads and
/// count as good (region_policy).
template <class Exact>
bool region_serves(const periodic_delaunay& t, const elastic_mapping& mapping, const std::vector<std::uint8_t>& seed,
                   double alpha, Exact&& exact) {
    const auto& cells = t.tessellation.vertices;
    const auto& nbrs = t.tessellation.neighbors;
    constexpr std::uint32_t none = delaunay_tessellation::none;
    std::vector<std::uint32_t> incident(t.particle.size(), none);
    for (std::size_t c = 0; c < cells.size(); ++c)
        for (const std::uint32_t v : cells[c]) incident[v] = std::uint32_t(c);
    auto seed_point = [&](std::uint32_t v) { return seed[t.particle[v]] != 0; };
    std::vector<std::uint8_t> checked(t.particle.size(), 0);
    std::vector<std::uint32_t> stack, visited;
    std::vector<std::uint8_t> seen(cells.size(), 0);
    // All cells around point v exact, and its hull faces made of seeds.
    auto star_is_exact = [&](std::uint32_t v) {
        if (checked[v]) return true;
        checked[v] = 1;
        if (incident[v] == none) return true;  // a left-out particle: in no cell
        bool ok = true;
        stack.assign(1, incident[v]);
        visited.clear();
        seen[incident[v]] = 1;
        while (!stack.empty() && ok) {
            const std::uint32_t c = stack.back();
            stack.pop_back();
            visited.push_back(c);
            if (!exact(c)) ok = false;
            for (std::uint32_t k = 0; k < 4 && ok; ++k) {
                if (cells[c][k] == v) continue;  // the face opposite v does not hold v
                const std::uint32_t o = nbrs[c][k];
                if (o == none) {
                    for (std::uint32_t m = 0; m < 4; ++m)
                        if (m != k && !seed_point(cells[c][m])) ok = false;
                    continue;
                }
                if (!seen[o]) seen[o] = 1, stack.push_back(o);
            }
        }
        for (const std::uint32_t c : visited) seen[c] = 0;
        for (const std::uint32_t c : stack) seen[c] = 0;
        return ok;
    };
    for (std::uint32_t p = 0; p < t.num_particles; ++p)
        if (seed[p] && !star_is_exact(p)) return false;
    std::vector<std::int8_t> bad(cells.size(), -1);  // may be bad: not good by the mapping or alpha
    auto maybe_bad = [&](std::uint32_t c) {
        if (bad[c] < 0) {
            const double radius = t.circumsphere(c).second;
            bad[c] = !(radius * radius < alpha) || !mapping.good(c);
        }
        return bad[c] != 0;
    };
    for (std::size_t c = 0; c < cells.size(); ++c) {
        if (!t.is_primary(c)) continue;
        for (std::uint32_t k = 0; k < 4; ++k) {
            const std::uint32_t o = nbrs[c][k];
            bool facet = false;
            if (o == none) {
                facet = true;
                for (std::uint32_t m = 0; m < 4; ++m) facet = facet && (m == k || seed_point(cells[c][m]));
            } else {
                facet = exact(o) && maybe_bad(o);
            }
            if (!facet) continue;
            for (std::uint32_t m = 0; m < 4; ++m)
                if (m != k && !star_is_exact(cells[c][m])) return false;
        }
    }
    return true;
}

/// interface_mesh's policy for the tessellation of a region: cells that are not cells of the
/// whole tessellation count as good, and so do missing neighbours across hull faces with a
/// vertex that is no seed (the region's own boundary, not the crystal's surface).
/// With `restricted` false it is the whole tessellation's policy (one instantiation of the mesh
/// for both, so both run the same machine code: bit-identical results under any compiler's
/// floating-point contraction).
template <class Exact>
struct region_policy {
    const periodic_delaunay* t;
    const std::vector<std::uint8_t>* seed;
    Exact* exact;
    bool restricted;
    bool counts_good(std::size_t c) const { return restricted && !(*exact)(c); }
    bool missing_counts_good(std::size_t c, std::uint32_t slot) const {
        if (!restricted) return false;
        const auto& v = t->tessellation.vertices[c];
        for (std::uint32_t m = 0; m < 4; ++m)
            if (m != slot && !(*seed)[t->particle[v[m]]]) return true;
        return false;
    }
};

}  // namespace detail

struct dislocation_options {
    lattice_structure lattice = lattice_structure::fcc;  ///< the input crystal
    int max_circuit = 14;          ///< longest trial Burgers circuit (edges)
    int stretchability = 9;        ///< how much longer a circuit may grow while tracing
    int smoothing_level = 1;       ///< Taubin iterations (0: none)
    double point_interval = 2.5;   ///< coarsening (0: keep every point)
    int max_path_steps = 4;        ///< crystal path length for the elastic mapping
    /// Tessellate only the atoms within this many neighbour cutoffs of a defect atom (an atom in
    /// no crystal or next to another cluster), check that every cell the result depends on is a
    /// cell of the whole tessellation, and when not, try once 1.5× wider, then tessellate every
    /// atom (tessellation_region.hpp); 0: always tessellate every atom. fcc and hcp input; bcc input
    /// is always tessellated whole (a bcc core's atoms may all be crystalline). Same lines
    /// either way.
    double region_cutoffs = 2.0;
};

/// One dislocation line.
struct dislocation_line {
    std::vector<vec3<double>> points;  ///< unwrapped polyline (may leave the box)
    vec3<double> burgers_lattice{};     ///< in the frame of `cluster` (lattice units)
    vec3<double> burgers_spatial{};     ///< O_cluster · b (length units)
    std::uint32_t cluster = 0;
    int family = 0;                     ///< lattice_tables.hpp family id (0: other)
    std::string family_name;            ///< e.g. "1/6<112> (Shockley)"
    std::string burgers_notation;       ///< e.g. "1/6[1 -2 1]"
    double length = 0;
    bool closed = false;                ///< a loop, or infinite through periodic boundaries
    int junction_arms[2] = {1, 1};      ///< arms at the start and end (1: a dangling end)
    int junction[2] = {-1, -1};         ///< the junction at the start and end (index), or −1
};

struct dislocation_result {
    std::vector<dislocation_line> lines;
    std::vector<int> structure;        ///< per atom: lattice_structure code (0 other)
    std::vector<std::int32_t> line_of_atom;  ///< per atom: a line whose circuit swept a facet at it, or −1
    double total_length = 0;
    double volume = 0;                 ///< the cell volume (0 for an open box)
    double density = 0;                ///< total length / volume (0 for an open box)
    std::vector<double> length_by_family;  ///< indexed as burgers_families(lattice)
    vec3<double> burgers_sum{};        ///< Σ over lines of the spatial Burgers vectors (lines as oriented)
    std::size_t interface_facets = 0;
    std::size_t tessellated_atoms = 0;  ///< atoms in the tessellation (all, or the region around defects)
    std::size_t junctions = 0;         ///< nodes where three or more lines meet
    /// Burgers vector conservation: the largest |Σ b| over junctions, each line's b counted
    /// + when it ends at the node and − when it starts there, carried into one lattice frame
    /// (lattice units; 0 when exact).
    double worst_junction_residual = 0;
};

/// Runs the analysis on `positions` (wrapped or not) in `box`.
template <class Box>
dislocation_result extract_dislocations(const std::vector<std::array<double, 3>>& positions, const Box& box,
                                        const dislocation_options& options = {}) {
    dislocation_result out;
    crystal_analysis crystal = identify_crystal_structure(positions, box, options.lattice);
    out.structure = crystal.structure;
    out.line_of_atom.assign(positions.size(), -1);
    const auto families = burgers_families(options.lattice);
    out.length_by_family.assign(families.size(), 0.0);
    double volume = 0;
    if (box.periodic(0) && box.periodic(1) && box.periodic(2)) volume = std::abs(determinant(box.cell()));
    out.volume = volume;
    if (crystal.max_neighbor_distance <= 0) return out;  // no crystal: nothing to trace

    const std::size_t n = positions.size();
    std::vector<vec3<double>> points(n);
    for (std::size_t i = 0; i < n; ++i) points[i] = {positions[i][0], positions[i][1], positions[i][2]};
    const double cutoff = crystal.max_neighbor_distance;
    const double alpha = 5 * cutoff;  // interface_mesh.hpp: the reference implementation's alpha test
    // The region around defects (tessellation_region.hpp), where it saves work: tried at
    // region_cutoffs, then once 1.5× wider, then the whole tessellation.
    const std::vector<std::uint8_t> seed = detail::defect_seeds(crystal);
    std::optional<tessellation_region> region;
    int region_tries = options.region_cutoffs > 0 && options.lattice != lattice_structure::bcc ? 2 : 0;
    auto next_region = [&]() {
        region.reset();
        while (region_tries > 0 && !region) {
            const double radius = (region_tries == 2 ? 1.0 : 1.5) * options.region_cutoffs * cutoff;
            --region_tries;
            region.emplace(positions, box, seed, radius, 0.5 * cutoff);
            if (double(region->included_count()) > 0.6 * double(n)) region.reset(), region_tries = 0;
        }
    };
    next_region();
    std::vector<dislocation_segment> segments;
    for (bool first = true;; first = false) {
        if (!first) next_region();
        const bool restricted = region.has_value();
        const periodic_delaunay tess =
            restricted ? delaunay(points, box, 3.5 * cutoff, region->included()) : delaunay(points, box, 3.5 * cutoff);
        // The tessellation rounds positions to 2^20 steps across the points' extent: an atom far
        // from the rest along an open axis would make the steps coarse enough to change cells.
        if (tess.tessellation.grid_step > 1e-3 * cutoff)
            throw error("dislocations: the atoms span ", tess.tessellation.grid_step * 1048575,
                        " length units (an atom far from the others along a non-periodic axis?): the tessellation's "
                        "grid step ", tess.tessellation.grid_step, " exceeds 1e-3 of the neighbour cutoff ", cutoff,
                        "; remove stray atoms first");
        const elastic_mapping mapping(tess, crystal, box, options.max_path_steps);
        // Cells of the region's tessellation that are cells of the whole one (cached).
        std::vector<std::int8_t> exact_state(restricted ? tess.tessellation.size() : 0, -1);
        auto exact = [&](std::size_t c) {
            if (exact_state[c] < 0) {
                const auto [centre, radius] = tess.circumsphere(c);
                exact_state[c] = region->excludes_nothing_within(centre, radius) ? 1 : 0;
            }
            return exact_state[c] != 0;
        };
        if (restricted && !detail::region_serves(tess, mapping, seed, alpha, exact)) continue;  // wider, or whole
        std::vector<std::int32_t> face_line;
        std::vector<std::uint32_t> face_particles;  // 3 per mesh face
        try {
            const detail::region_policy<decltype(exact)> policy{&tess, &seed, &exact, restricted};
            interface_mesh mesh(tess, mapping, alpha, policy);
            out.interface_facets = mesh.face_count();
            burgers_tracer tracer(
                mesh, crystal.graph, [&](vec3<double> d) { return box.minimum_image(d); },
                [&](vec3<double> d) {
                    vec3<double> s = inverse(box.cell()) * d;
                    for (std::size_t k = 0; k < 3; ++k) s[k] = box.periodic(k) ? std::floor(s[k] + 0.5) : 0.0;
                    return box.cell() * s;
                });
            segments = tracer.trace(options.max_circuit, options.stretchability, int(options.lattice));
            face_line = tracer.face_lines();
            face_particles.resize(3 * mesh.face_count());
            for (std::size_t e = 0; e < face_particles.size(); ++e)
                face_particles[e] = mesh.vertices[mesh.edges[e].from].particle;
        } catch (const error&) {
            // The region's tessellation met something its check did not foresee (an internal
            // inconsistency of the mesh): the whole tessellation decides.
            if (restricted) continue;
            throw;
        }
        out.tessellated_atoms = restricted ? region->included_count() : n;
        for (std::size_t f = 0; f < face_line.size(); ++f)
            if (face_line[f] >= 0)
                for (std::size_t k = 0; k < 3; ++k) {
                    const std::uint32_t p = face_particles[3 * f + k];
                    if (out.line_of_atom[p] < 0 || face_line[f] < out.line_of_atom[p]) out.line_of_atom[p] = face_line[f];
                }
        break;
    }

    for (auto& s : segments) {
        dislocation_line l;
        const bool infinite = s.closed && norm2(s.line.front() - s.line.back()) > 1e-8;
        auto coarse = coarsen_dislocation_line(options.point_interval, s.line, s.core_size, s.closed, infinite);
        smooth_dislocation_line(options.smoothing_level, coarse, s.closed);
        l.points.assign(coarse.begin(), coarse.end());
        l.length = polyline_length(l.points);
        l.burgers_lattice = s.burgers;
        l.cluster = s.cluster;
        l.burgers_spatial = crystal.graph.cluster(s.cluster).orientation * s.burgers;
        l.closed = s.closed;
        l.junction_arms[0] = s.junction_arms[0], l.junction_arms[1] = s.junction_arms[1];
        l.junction[0] = s.junction[0], l.junction[1] = s.junction[1];
        int cluster_structure = crystal.graph.cluster(s.cluster).structure;
        // A line next to a twin boundary may be read in the twin's frame, where its Burgers vector
        // is a twin image of a lattice vector (e.g. 1/18[-5 5 2] for a Shockley): read it in an
        // crystal of the input lattice within two interfaces (e.g. across the hcp layer of a twin)
        // where it belongs to a family, if there is one (the lowest cluster id). The vector itself
        // is unchanged.
        if (cluster_structure == int(options.lattice) && classify_burgers(s.burgers, options.lattice).id == 0)
            for (std::uint32_t other = 1; other < crystal.graph.size(); ++other) {
                if (other == s.cluster || crystal.graph.cluster(other).structure != int(options.lattice)) continue;
                const std::uint32_t t = crystal.graph.find(s.cluster, other);  // within two interfaces
                if (t == cluster_graph::none) continue;
                const vec3<double> b = crystal.graph.apply(t, s.burgers);
                if (classify_burgers(b, options.lattice).id == 0) continue;
                s.burgers = b, s.cluster = other, l.cluster = other, l.burgers_lattice = b;
                l.burgers_spatial = crystal.graph.cluster(other).orientation * b;
                break;
            }
        cluster_structure = crystal.graph.cluster(s.cluster).structure;
        const burgers_family& fam = cluster_structure == int(options.lattice) ? classify_burgers(s.burgers, options.lattice)
                                                                              : families[0];
        l.family = fam.id;
        l.family_name = std::string(fam.name);
        l.burgers_notation = format_burgers(s.burgers, lattice_structure(cluster_structure));
        for (std::size_t k = 0; k < families.size(); ++k)
            if (families[k].id == fam.id) out.length_by_family[k] += l.length;
        out.total_length += l.length;
        out.burgers_sum = out.burgers_sum + l.burgers_spatial;
        out.lines.push_back(std::move(l));
    }
    out.density = volume > 0 ? out.total_length / volume : 0;
    // Conservation at junctions, in the frame of the first arm's cluster.
    int junction_count = 0;
    for (const auto& l : out.lines) junction_count = std::max({junction_count, l.junction[0] + 1, l.junction[1] + 1});
    out.junctions = std::size_t(junction_count);
    for (int j = 0; j < junction_count; ++j) {
        vec3<double> sum{};
        std::uint32_t frame = 0;
        bool carried = true;
        for (const auto& l : out.lines)
            for (int end = 0; end < 2; ++end) {
                if (l.junction[end] != j) continue;
                const double sign = end == 1 ? 1.0 : -1.0;  // ends here: +b; starts here: −b
                if (frame == 0) frame = l.cluster;
                const std::uint32_t t = crystal.graph.find(l.cluster, frame);
                if (t == cluster_graph::none) {
                    carried = false;
                    continue;
                }
                sum = sum + crystal.graph.apply(t, l.burgers_lattice) * sign;
            }
        if (carried) out.worst_junction_residual = std::max(out.worst_junction_residual, std::sqrt(norm2(sum)));
    }
    return out;
}

}  // namespace tessera
