// defects/dislocations.hpp and the steps it is made of (structure_identification, cluster_graph,
// elastic_mapping, interface_mesh, burgers_tracer, dislocation_network): perfect lattices (no
// defect), LAMMPS Cu in a tilted box before and after yield (tests/reference/cu_tilted.dump:
// Shockley partials meeting at junctions, Burgers vectors conserved), the interface mesh's
// invariants, translation / re-imaging / permutation invariance, bad input. The constructed
// edge and screw dislocations are in tests/defects/dislocations_constructed.cpp.
#include <tessera/core/box.hpp>
#include <tessera/defects/dislocations.hpp>

#include "../support/reference_frames.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

using tessera::vec3;
using tessera::mat3;

namespace {

std::vector<std::array<double, 3>> lattice_block(const std::vector<vec3<double>>& basis, int cells, double a,
                                                 const mat3<double>& deform = mat3<double>::identity()) {
    std::vector<std::array<double, 3>> p;
    for (int i = 0; i < cells; ++i)
        for (int j = 0; j < cells; ++j)
            for (int k = 0; k < cells; ++k)
                for (const auto& b : basis) {
                    const vec3<double> x = deform * vec3<double>{(i + b.x) * a, (j + b.y) * a, (k + b.z) * a};
                    p.push_back({x.x, x.y, x.z});
                }
    return p;
}

const std::vector<vec3<double>> fcc_basis = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
const std::vector<vec3<double>> bcc_basis = {{0, 0, 0}, {0.5, 0.5, 0.5}};

/// The frames of cu_tilted.dump: 3500 (elastic), 8000 (yielding), 8250.
const std::vector<tessera::frame>& tilted_frames() {
    static const auto frames = tessera_test::read_reference_frames("cu_tilted.dump");
    return frames;
}

template <class Fn>
auto on_frame(const tessera::frame& f, Fn&& fn) {
    return tessera::with_box(f.box, [&](const auto& box) { return fn(f.positions(), box); });
}

/// Families and lattice-frame Burgers vectors of the lines, sorted (order-free comparison).
std::vector<std::string> line_signature(const tessera::dislocation_result& r) {
    std::vector<std::string> s;
    for (const auto& l : r.lines) s.push_back(l.family_name + " " + l.burgers_notation);
    std::sort(s.begin(), s.end());
    return s;
}

/// The same lines, line by line, with `shift` (length units) between the runs' atoms: families,
/// lattice Burgers vectors and point counts exactly; spatial Burgers vectors, lengths and
/// points (moved by `shift`, up to whole cell vectors) to 1e-9 — the rounding of re-wrapped
/// coordinates, far below anything a change of the traced lines would make.
template <class Box>
void check_same_lines(const tessera::dislocation_result& base, const tessera::dislocation_result& r,
                      const vec3<double>& shift, const Box& box) {
    REQUIRE(r.lines.size() == base.lines.size());
    const mat3<double> h_inverse = tessera::inverse(box.cell());
    for (std::size_t k = 0; k < r.lines.size(); ++k) {
        const auto& a = base.lines[k];
        const auto& b = r.lines[k];
        INFO("line " << k << ": " << a.family_name << " " << a.burgers_notation << " vs " << b.family_name << " "
                     << b.burgers_notation);
        CHECK(a.family == b.family);
        CHECK(a.burgers_notation == b.burgers_notation);
        CHECK(norm2(a.burgers_lattice - b.burgers_lattice) == 0);
        CHECK(std::sqrt(norm2(a.burgers_spatial - b.burgers_spatial)) < 1e-9);
        CHECK(std::abs(a.length - b.length) < 1e-9 * (1 + a.length));
        REQUIRE(a.points.size() == b.points.size());
        double worst = 0;
        for (std::size_t i = 0; i < a.points.size(); ++i) {
            const vec3<double> s = h_inverse * (b.points[i] - a.points[i] - shift);
            for (std::size_t d = 0; d < 3; ++d) worst = std::max(worst, std::abs(s[d] - std::round(s[d])));
        }
        CHECK(worst < 1e-9);
    }
}

}  // namespace

TEST_CASE("dislocations: perfect fcc, strained by 1 %, in an orthogonal box: all fcc, one cluster, no interface, no line") {
    const double a = 3.615;
    const mat3<double> strain{{1.01, 0, 0, 0, 0.995, 0, 0, 0, 1.0}};
    const auto p = lattice_block(fcc_basis, 5, a, strain);
    const tessera::orthogonal_box<double> box({0, 0, 0}, {5 * a * 1.01, 5 * a * 0.995, 5 * a});
    const auto c = tessera::identify_crystal_structure(p, box, tessera::lattice_structure::fcc);
    CHECK(std::count(c.structure.begin(), c.structure.end(), 1) == std::ptrdiff_t(p.size()));
    CHECK(c.graph.size() == 2);  // the null cluster and one crystal
    // The orientation maps ideal vectors onto the bonds: O ≈ diag(1.01, 0.995, 1)·a (preferred frame).
    const mat3<double> O = c.graph.cluster(1).orientation;
    for (std::size_t r = 0; r < 3; ++r)
        for (std::size_t q = 0; q < 3; ++q) CHECK(O(r, q) == Approx(r == q ? a * strain(r, r) : 0.0).margin(1e-9));
    // Every bond equals O·ℓ (a uniform strain is exactly linear).
    double worst = 0;
    for (std::size_t i = 0; i < p.size(); ++i)
        for (std::size_t k = 0; k < c.count[i]; ++k) {
            const std::uint32_t j = c.neighbors[i * 12 + k];
            const vec3<double> r = box.minimum_image(vec3<double>{p[j][0] - p[i][0], p[j][1] - p[i][1], p[j][2] - p[i][2]});
            worst = std::max(worst, std::sqrt(norm2(r - O * c.ideal[i * 12 + k])));
        }
    CHECK(worst < 1e-9);
    const auto r = tessera::extract_dislocations(p, box);
    CHECK(r.interface_facets == 0);
    CHECK(r.lines.empty());
    CHECK(r.total_length == 0);
    CHECK(r.volume == Approx(box.volume()));
}

TEST_CASE("dislocations: perfect bcc and hcp are recognised as their lattice") {
    {
        const double a = 2.87;
        const auto p = lattice_block(bcc_basis, 5, a);
        const tessera::orthogonal_box<double> box({0, 0, 0}, {5 * a, 5 * a, 5 * a});
        tessera::dislocation_options o;
        o.lattice = tessera::lattice_structure::bcc;
        const auto r = tessera::extract_dislocations(p, box, o);
        CHECK(std::count(r.structure.begin(), r.structure.end(), 3) == std::ptrdiff_t(p.size()));
        CHECK(r.lines.empty());
    }
    {
        // hcp with ideal c/a: orthohexagonal cell (a, √3 a, c) with 4 atoms.
        const double a = 2.556, c = a * std::sqrt(8.0 / 3.0);
        std::vector<std::array<double, 3>> p;
        const int nx = 6, ny = 4, nz = 4;
        const vec3<double> basis[4] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 1.0 / 6, 0.5}, {0, 2.0 / 3, 0.5}};
        for (int i = 0; i < nx; ++i)
            for (int j = 0; j < ny; ++j)
                for (int k = 0; k < nz; ++k)
                    for (const auto& b : basis) p.push_back({(i + b.x) * a, (j + b.y) * a * std::sqrt(3.0), (k + b.z) * c});
        const tessera::orthogonal_box<double> box({0, 0, 0}, {nx * a, ny * a * std::sqrt(3.0), nz * c});
        tessera::dislocation_options o;
        o.lattice = tessera::lattice_structure::hcp;
        const auto r = tessera::extract_dislocations(p, box, o);
        CHECK(std::count(r.structure.begin(), r.structure.end(), 2) == std::ptrdiff_t(p.size()));
        CHECK(r.lines.empty());
        CHECK(r.interface_facets == 0);
    }
}

TEST_CASE("dislocations: LAMMPS Cu at 300 K in a tilted box, elastic: no line") {
    const auto& f = tilted_frames()[0];
    REQUIRE(f.timestep == 3500);
    const auto r = on_frame(f, [](const auto& p, const auto& box) { return tessera::extract_dislocations(p, box); });
    CHECK(r.lines.empty());
    CHECK(r.total_length == 0);
    CHECK(std::count(r.structure.begin(), r.structure.end(), 1) == 1000);
}

TEST_CASE("dislocations: LAMMPS Cu yielding in a tilted box: Shockley partials, Burgers vectors conserved at junctions") {
    const auto& f = tilted_frames()[1];
    REQUIRE(f.timestep == 8000);
    const auto r = on_frame(f, [](const auto& p, const auto& box) { return tessera::extract_dislocations(p, box); });
    REQUIRE(!r.lines.empty());
    double sum = 0;
    for (const auto& l : r.lines) {
        INFO(l.family_name << " " << l.burgers_notation);
        CHECK(l.family == 2);  // Shockley, 1/6<112>
        CHECK(std::sqrt(norm2(l.burgers_lattice)) == Approx(1 / std::sqrt(6.0)).margin(1e-9));
        // Spatial: O·b, |b| ≈ a/√6 = 1.476 Å within the crystal's elastic strain (a few %).
        CHECK(std::sqrt(norm2(l.burgers_spatial)) == Approx(3.615 / std::sqrt(6.0)).epsilon(0.05));
        CHECK(l.length > 0);
        sum += l.length;
    }
    CHECK(r.total_length == Approx(sum));
    CHECK(r.density == Approx(r.total_length / r.volume));
    CHECK(r.junctions >= 1);
    CHECK(r.worst_junction_residual < 1e-9);  // exact lattice vectors: conservation to rounding
    // Atoms tagged with a line exist only where there are lines, and only non-crystal or
    // interface atoms are tagged.
    CHECK(std::count_if(r.line_of_atom.begin(), r.line_of_atom.end(), [](int x) { return x >= 0; }) > 0);
    for (const int x : r.line_of_atom) CHECK(x < int(r.lines.size()));
}

TEST_CASE("dislocations: the interface mesh is a closed oriented 2-manifold with consistent edge vectors") {
    const auto& f = tilted_frames()[1];
    on_frame(f, [](const auto& p, const auto& box) {
        auto crystal = tessera::identify_crystal_structure(p, box, tessera::lattice_structure::fcc);
        std::vector<vec3<double>> q;
        for (const auto& x : p) q.push_back({x[0], x[1], x[2]});
        const auto tess = tessera::delaunay(q, box, 3.5 * crystal.max_neighbor_distance);
        const tessera::elastic_mapping mapping(tess, crystal, box);
        const tessera::interface_mesh mesh(tess, mapping, 5 * crystal.max_neighbor_distance);
        REQUIRE(mesh.face_count() > 0);
        std::size_t bad_pair = 0, bad_vector = 0, bad_lattice = 0, bad_ring = 0;
        const auto& g = crystal.graph;
        for (std::uint32_t e = 0; e < mesh.edges.size(); ++e) {
            const auto& h = mesh.edges[e];
            const auto& o = mesh.edges[h.opposite];
            if (o.opposite != e || o.from != h.to || o.to != h.from) ++bad_pair;
            if (norm2(h.physical + o.physical) > 1e-20) ++bad_vector;
            // v(opp) = −T·v and T(opp) = T⁻¹.
            const vec3<double> back = g.apply(h.transition, h.lattice) * -1.0;
            if (norm2(back - o.lattice) > 1e-18 || g.reverse(h.transition) != o.transition) ++bad_lattice;
        }
        // Around every vertex the outgoing half-edges form one fan (vertices were split).
        for (std::uint32_t v = 0; v < mesh.vertices.size(); ++v) {
            const std::uint32_t first = mesh.out_edges[mesh.out_first[v]];
            std::uint32_t x = first;
            std::size_t steps = 0;
            do {
                x = mesh.edges[tessera::interface_mesh::prev(x)].opposite;
                ++steps;
            } while (x != first && steps < 1000);
            if (steps != mesh.out_first[v + 1] - mesh.out_first[v]) ++bad_ring;
        }
        CHECK(bad_pair == 0);
        CHECK(bad_vector == 0);
        CHECK(bad_lattice == 0);
        CHECK(bad_ring == 0);
        // A closed surface: Σ over faces of the (outward) area vectors vanishes.
        vec3<double> area{};
        for (std::size_t fce = 0; fce < mesh.face_count(); ++fce)
            area = area + cross(mesh.edges[3 * fce].physical, mesh.edges[3 * fce + 1].physical) * 0.5;
        CHECK(std::sqrt(norm2(area)) < 1e-9);
        return 0;
    });
}

TEST_CASE("dislocations: invariant under translation, re-imaging and atom order") {
    const auto& f = tilted_frames()[1];
    on_frame(f, [](const auto& p, const auto& box) {
        const auto base = tessera::extract_dislocations(p, box);
        const auto sig = line_signature(base);
        const mat3<double> h = box.cell();
        std::mt19937_64 rng(17);
        // Translation by a random vector (positions re-wrapped by the analysis).
        {
            std::uniform_real_distribution<double> u(-20, 20);
            const vec3<double> t{u(rng), u(rng), u(rng)};
            auto q = p;
            for (auto& x : q) x = {x[0] + t.x, x[1] + t.y, x[2] + t.z};
            const auto r = tessera::extract_dislocations(q, box);
            CHECK(line_signature(r) == sig);
            // The same lines, not only the same kinds: the mesh is numbered by particle, not by
            // where the tessellation stored its cells (interface_mesh.hpp).
            check_same_lines(base, r, t, box);
        }
        // Re-imaging: atoms moved by whole cell vectors.
        {
            std::uniform_int_distribution<int> k(-2, 2);
            auto q = p;
            for (auto& x : q) {
                const vec3<double> s = h * vec3<double>(k(rng), k(rng), k(rng));
                x = {x[0] + s.x, x[1] + s.y, x[2] + s.z};
            }
            const auto r = tessera::extract_dislocations(q, box);
            CHECK(line_signature(r) == sig);
            check_same_lines(base, r, vec3<double>{}, box);
        }
        // Permutation: the same lines (search and cluster seeds start elsewhere; lengths agree
        // within the coarsening's resolution).
        {
            std::vector<std::size_t> perm(p.size());
            for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = i;
            std::shuffle(perm.begin(), perm.end(), rng);
            std::vector<std::array<double, 3>> q(p.size());
            for (std::size_t i = 0; i < p.size(); ++i) q[perm[i]] = p[i];
            const auto r = tessera::extract_dislocations(q, box);
            CHECK(line_signature(r).size() == sig.size());
            CHECK(r.total_length == Approx(base.total_length).epsilon(0.05));
            for (std::size_t i = 0; i < p.size(); ++i) CHECK(r.structure[perm[i]] == base.structure[i]);
        }
        return 0;
    });
}

TEST_CASE("dislocations: bad input and a lattice that does not match") {
    // A box too small for the analysis: a neighbour half a cell away.
    const double a = 3.615;
    const auto p = lattice_block(fcc_basis, 1, a);
    const tessera::orthogonal_box<double> tiny({0, 0, 0}, {a, a, a});
    CHECK_THROWS_WITH(tessera::extract_dislocations(p, tiny), Catch::Contains("box is too small"));
    // bcc asked of an fcc crystal: nothing is crystalline, so nothing is traced (the command warns).
    const auto q = lattice_block(fcc_basis, 4, a);
    const tessera::orthogonal_box<double> box({0, 0, 0}, {4 * a, 4 * a, 4 * a});
    tessera::dislocation_options o;
    o.lattice = tessera::lattice_structure::bcc;
    const auto r = tessera::extract_dislocations(q, box, o);
    CHECK(std::count(r.structure.begin(), r.structure.end(), 0) == std::ptrdiff_t(q.size()));
    CHECK(r.lines.empty());
    // One atom far away along an open axis would coarsen the tessellation's grid: an error.
    auto stray = q;
    stray.push_back({a, a, 1e5});
    const tessera::orthogonal_box<double> slab({0, 0, 0}, {4 * a, 4 * a, 4 * a}, {true, true, false});
    CHECK_THROWS_WITH(tessera::extract_dislocations(stray, slab), Catch::Contains("stray atoms"));
    o.max_circuit = 2;
    o.lattice = tessera::lattice_structure::fcc;
    const auto& f = tilted_frames()[1];
    CHECK_THROWS_WITH(on_frame(f, [&](const auto& pp, const auto& bx) { return tessera::extract_dislocations(pp, bx, o); }),
                      Catch::Contains("maximum circuit size"));
}

TEST_CASE("cluster_graph: direct transitions, their reverses and two-step compositions") {
    tessera::cluster_graph g;
    const auto a = g.create_cluster(1), b = g.create_cluster(2), c = g.create_cluster(1);
    const mat3<double> rz{{0, -1, 0, 1, 0, 0, 0, 0, 1}};  // 90° about z
    const mat3<double> rx{{1, 0, 0, 0, 0, -1, 0, 1, 0}};  // 90° about x
    const auto ab = g.add_direct(a, b, rz);
    CHECK(g.add_direct(a, b, rz) == ab);  // the same matrix: one transition, two bonds
    CHECK(g.get(ab).area == 2);
    g.add_direct(b, c, rx);
    CHECK(g.find(a, a) == tessera::cluster_graph::identity);
    CHECK(g.find(a, b) == ab);
    const auto ac = g.find(a, c);
    REQUIRE(ac != tessera::cluster_graph::none);
    const mat3<double> expect = rx * rz;
    for (std::size_t k = 0; k < 9; ++k) CHECK(g.matrix(ac).a[k] == Approx(expect.a[k]).margin(1e-15));
    const auto ca = g.find(c, a);
    CHECK(ca == g.reverse(ac));
    const auto d = g.create_cluster(3);
    CHECK(g.find(a, d) == tessera::cluster_graph::none);
    CHECK(g.find(0, a) == tessera::cluster_graph::none);
}

TEST_CASE("dislocation_network: coarsening keeps open ends, loops keep four points, Taubin keeps ends fixed") {
    std::deque<vec3<double>> line;
    std::deque<int> core;
    for (int i = 0; i <= 40; ++i) line.push_back({0.5 * i, 0, 0}), core.push_back(8);
    const auto c = tessera::coarsen_dislocation_line(2.5, line, core, false, false);
    CHECK(c.size() < line.size());
    CHECK(c.front().x == 0);
    CHECK(c.back().x == 20);
    CHECK(tessera::polyline_length(c) == Approx(20));  // a straight line stays straight
    auto s = c;
    tessera::smooth_dislocation_line(3, s, false);
    CHECK(s.front().x == 0);
    CHECK(s.back().x == 20);
    // An infinite line of one period whose core is wide against its length (Σ core · interval >
    // (points − 1)²): straightened to two points one period apart.
    const std::deque<int> wide(line.size(), 60);
    const auto inf = tessera::coarsen_dislocation_line(2.5, line, wide, false, true);
    REQUIRE(inf.size() == 2);
    CHECK(tessera::polyline_length(inf) == Approx(20));
    // A closed loop (a circle, narrow core: groups of ~5 points): at least four points, and the
    // smoothed loop stays near the circle (averaging five points of a 30° arc: radius −1 %).
    std::deque<vec3<double>> circle;
    std::deque<int> ccore;
    for (int i = 0; i <= 60; ++i)
        circle.push_back({10 * std::cos(2 * M_PI * i / 60), 10 * std::sin(2 * M_PI * i / 60), 0}), ccore.push_back(2);
    auto cl = tessera::coarsen_dislocation_line(2.5, circle, ccore, true, false);
    CHECK(cl.size() >= 4);
    tessera::smooth_dislocation_line(1, cl, true);
    for (const auto& q : cl) CHECK(std::sqrt(q.x * q.x + q.y * q.y) == Approx(10).epsilon(0.1));
}
