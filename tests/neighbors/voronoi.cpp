// Voronoi / radical tessellation (neighbors/voronoi.hpp) against voro++ (the library, in the test,
// when CMake finds it: TESSERA_TEST_HAVE_VORO),
// exact lattice cells, and invariances. Tolerances: volumes are sums of O(100) triangle products of
// coordinates of size ~10, so agreement with voro++ is expected to ~1e-12 absolute (we check 1e-9
// relative, DESIGN §5); face counts must agree exactly except for faces that voro++ keeps below our
// vertex-merging tolerance (1e-10 of the spacing), which random inputs never produce.
#include <tessera/neighbors/voronoi.hpp>

#include "../support/point_sets.hpp"

#include <catch2/catch.hpp>
#if TESSERA_TEST_HAVE_VORO
#include <voro++.hh>
#endif

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

using namespace tessera;
using tessera_test::lattice;
using tessera_test::pts;
using tessera_test::random_points;

namespace {

#if TESSERA_TEST_HAVE_VORO
struct reference_cell {
    double volume = 0;
    int faces = 0;
    std::vector<int> neighbors;  // sorted
};

template <class Container, class Loop>
std::vector<reference_cell> voro_cells(Container& con, Loop& loop, std::size_t n) {
    std::vector<reference_cell> out(n);
    voro::voronoicell_neighbor c;
    if (loop.start()) do {
            if (con.compute_cell(c, loop)) {
                const int id = loop.pid();
                out[std::size_t(id)].volume = c.volume();
                out[std::size_t(id)].faces = c.number_of_faces();
                c.neighbors(out[std::size_t(id)].neighbors);
                std::sort(out[std::size_t(id)].neighbors.begin(), out[std::size_t(id)].neighbors.end());
            }
        } while (loop.inc());
    return out;
}

std::vector<reference_cell> voro_orthogonal(const pts& x, const orthogonal_box<double>& b,
                                            std::span<const double> radii = {}) {
    const auto lo = b.origin();
    const auto L = b.cell();
    const int nb = std::max(1, int(std::cbrt(double(x.size()) / 5)));
    if (radii.empty()) {
        voro::container con(lo.x, lo.x + L(0, 0), lo.y, lo.y + L(1, 1), lo.z, lo.z + L(2, 2), nb, nb, nb,
                            b.periodic(0), b.periodic(1), b.periodic(2), 8);
        for (std::size_t i = 0; i < x.size(); ++i) con.put(int(i), x[i][0], x[i][1], x[i][2]);
        voro::c_loop_all loop(con);
        return voro_cells(con, loop, x.size());
    }
    voro::container_poly con(lo.x, lo.x + L(0, 0), lo.y, lo.y + L(1, 1), lo.z, lo.z + L(2, 2), nb, nb, nb,
                             b.periodic(0), b.periodic(1), b.periodic(2), 8);
    for (std::size_t i = 0; i < x.size(); ++i) con.put(int(i), x[i][0], x[i][1], x[i][2], radii[i]);
    voro::c_loop_all loop(con);
    return voro_cells(con, loop, x.size());
}

/// voro++'s container_periodic takes (bx, bxy, by, bxz, byz, bz): a = (bx,0,0), b = (bxy,by,0),
/// c = (bxz,byz,bz) — LAMMPS's (lx, xy, ly, xz, yz, lz) exactly; positions relative to lo.
std::vector<reference_cell> voro_triclinic(const pts& x, const triclinic_box<double>& b) {
    const auto h = b.cell();
    const auto lo = b.origin();
    const int nb = std::max(1, int(std::cbrt(double(x.size()) / 5)));
    voro::container_periodic con(h(0, 0), h(0, 1), h(1, 1), h(0, 2), h(1, 2), h(2, 2), nb, nb, nb, 8);
    for (std::size_t i = 0; i < x.size(); ++i) con.put(int(i), x[i][0] - lo.x, x[i][1] - lo.y, x[i][2] - lo.z);
    voro::c_loop_all_periodic loop(con);
    return voro_cells(con, loop, x.size());
}

struct comparison {
    double max_volume_diff = 0, max_rel_volume_diff = 0;
    std::size_t face_mismatches = 0, neighbor_mismatches = 0;
};

template <class T>
comparison compare(const voronoi_tessellation<T>& t, const std::vector<reference_cell>& ref) {
    comparison c;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        const double d = std::abs(double(t.volume[i]) - ref[i].volume);
        c.max_volume_diff = std::max(c.max_volume_diff, d);
        c.max_rel_volume_diff = std::max(c.max_rel_volume_diff, d / ref[i].volume);
        c.face_mismatches += int(t.num_faces(i)) != ref[i].faces;
        std::vector<int> ours;
        for (std::size_t f = t.face_offsets[i]; f < t.face_offsets[i + 1]; ++f)
            ours.push_back(is_voronoi_wall(t.face_neighbor[f]) ? -1 - int(voronoi_wall(0) - t.face_neighbor[f])
                                                                : int(t.face_neighbor[f]));
        std::sort(ours.begin(), ours.end());
        c.neighbor_mismatches += ours != ref[i].neighbors;
    }
    return c;
}

#endif  // TESSERA_TEST_HAVE_VORO

/// n radii uniform in [lo, hi) (std::mt19937 with the given seed).
std::vector<double> random_radii(std::size_t n, double lo, double hi, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(lo, hi);
    std::vector<double> radii(n);
    for (auto& r : radii) r = u(rng);
    return radii;
}

template <class T>
double total_volume(const voronoi_tessellation<T>& t) {
    double s = 0;
    for (auto v : t.volume) s += double(v);
    return s;
}

/// Largest |A_ij − A_ji| over particle faces (absolute: a sliver face has a large relative rounding
/// error), and whether every face has its partner.
template <class T>
std::pair<double, bool> area_symmetry(const voronoi_tessellation<T>& t) {
    double worst = 0;
    bool partners = true;
    const auto& nl = t.neighbors;
    for (std::size_t i = 0; i < nl.num_particles(); ++i) {
        const auto nb = nl.neighbors(i);
        const auto vec = nl.vectors(i);
        for (std::size_t k = 0; k < nb.size(); ++k) {
            const std::size_t j = nb[k];
            const double a = t.neighbor_area[nl.offsets()[i] + k];
            bool found = false;
            const auto nbj = nl.neighbors(j);
            const auto vecj = nl.vectors(j);
            for (std::size_t m = 0; m < nbj.size(); ++m) {
                if (nbj[m] != i || norm(vecj[m] + vec[k]) > 1e-9) continue;
                found = true;
                worst = std::max(worst, std::abs(a - t.neighbor_area[nl.offsets()[j] + m]));
            }
            partners &= found;
        }
    }
    return {worst, partners};
}

}  // namespace

TEST_CASE("voronoi: perfect fcc gives rhombic dodecahedra of volume a^3/4", "[voronoi]") {
    const double a = 3.615;
    const pts x = lattice({{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}}, 4, a);
    const orthogonal_box<double> box({0, 0, 0}, {4 * a, 4 * a, 4 * a});
    const auto t = tessellate(x, box);
    for (std::size_t i = 0; i < x.size(); ++i) {
        INFO("atom " << i);
        REQUIRE(t.num_faces(i) == 12);
        CHECK(t.volume[i] == Approx(a * a * a / 4).epsilon(1e-12));
        CHECK(t.cell_vertices(i).size() == 14);
        for (std::size_t f = t.face_offsets[i]; f < t.face_offsets[i + 1]; ++f) {
            CHECK(t.face_vertex_count[f] == 4);
            CHECK(t.face_area[f] == Approx(a * a * std::sqrt(2.0) / 8).epsilon(1e-12));
        }
    }
    CHECK(total_volume(t) == Approx(box.volume()).epsilon(1e-12));
}

TEST_CASE("voronoi: perfect bcc gives truncated octahedra (8 hexagons, 6 squares, a^3/2)", "[voronoi]") {
    const double a = 2.87;
    const pts x = lattice({{0, 0, 0}, {0.5, 0.5, 0.5}}, 5, a, -0.3);
    const orthogonal_box<double> box({-1, -1, -1}, {5 * a - 1, 5 * a - 1, 5 * a - 1});
    const auto t = tessellate(x, box);
    for (std::size_t i = 0; i < x.size(); ++i) {
        INFO("atom " << i);
        REQUIRE(t.num_faces(i) == 14);
        CHECK(t.volume[i] == Approx(a * a * a / 2).epsilon(1e-12));
        int hex = 0, sq = 0;
        for (std::size_t f = t.face_offsets[i]; f < t.face_offsets[i + 1]; ++f) {
            hex += t.face_vertex_count[f] == 6;
            sq += t.face_vertex_count[f] == 4;
        }
        CHECK(hex == 8);
        CHECK(sq == 6);
    }
}

#if TESSERA_TEST_HAVE_VORO
TEST_CASE("voronoi: random points in a periodic orthogonal box match voro++", "[voronoi][voro++]") {
    const orthogonal_box<double> box({-2, 1, 0}, {10, 11, 9});
    const pts x = random_points(2000, {-2, 1, 0}, {12, 10, 9}, 7);
    const auto t = tessellate(x, box);
    const auto c = compare(t, voro_orthogonal(x, box));
    WARN("vs voro++: max |dV| " << c.max_volume_diff << ", face-count mismatches " << c.face_mismatches << ", neighbour-set mismatches " << c.neighbor_mismatches);
    CHECK(c.max_rel_volume_diff < 1e-9);
    CHECK(c.face_mismatches == 0);
    CHECK(c.neighbor_mismatches == 0);
    CHECK(std::abs(total_volume(t) - box.volume()) / box.volume() < 1e-10);
    const auto [asym, partners] = area_symmetry(t);
    CHECK(asym < 1e-11);  // areas ~0.5
    CHECK(partners);
}

TEST_CASE("voronoi: random points in a tilted periodic box match voro++ container_periodic", "[voronoi][voro++]") {
    const triclinic_box<double> box({1, -1, 2}, {11, 8, 10}, 3.0, -2.0, 1.5);
    pts x = random_points(1500, {0, 0, 0}, {1, 1, 1}, 11);
    const auto h = box.cell();
    for (auto& p : x) {
        const vec3<double> r = box.origin() + h * vec3<double>{p[0], p[1], p[2]};
        p = {r.x, r.y, r.z};
    }
    const auto t = tessellate(x, box);
    const auto c = compare(t, voro_triclinic(x, box));
    WARN("vs voro++: max |dV| " << c.max_volume_diff << ", face-count mismatches " << c.face_mismatches << ", neighbour-set mismatches " << c.neighbor_mismatches);
    CHECK(c.max_rel_volume_diff < 1e-9);
    CHECK(c.face_mismatches == 0);
    CHECK(c.neighbor_mismatches == 0);  // docs/descriptors/voronoi.md states 0
    CHECK(std::abs(total_volume(t) - box.volume()) / box.volume() < 1e-10);
    const auto [asym, partners] = area_symmetry(t);
    CHECK(asym < 1e-11);  // areas ~0.5
    CHECK(partners);
}

TEST_CASE("voronoi: radical tessellation with radii matches voro++ container_poly", "[voronoi][voro++]") {
    const orthogonal_box<double> box({0, 0, 0}, {12, 12, 12});
    const pts x = random_points(1200, {0, 0, 0}, {12, 12, 12}, 3);
    const std::vector<double> radii = random_radii(x.size(), 0.3, 0.7, 5);
    voronoi_options opt;
    opt.radii = radii;
    const auto t = tessellate(x, box, opt);
    const auto c = compare(t, voro_orthogonal(x, box, radii));
    WARN("vs voro++: max |dV| " << c.max_volume_diff << ", face-count mismatches " << c.face_mismatches << ", neighbour-set mismatches " << c.neighbor_mismatches);
    CHECK(c.max_rel_volume_diff < 1e-9);
    CHECK(c.face_mismatches == 0);
    CHECK(c.neighbor_mismatches == 0);
    CHECK(std::abs(total_volume(t) - box.volume()) / box.volume() < 1e-10);
}

TEST_CASE("voronoi: walls clip non-periodic axes like voro++'s container walls", "[voronoi][voro++]") {
    const orthogonal_box<double> box({0, 0, 0}, {10, 9, 8}, {true, false, false});
    const pts x = random_points(800, {0, 0, 0}, {10, 9, 8}, 19);
    const auto t = tessellate(x, box);
    const auto c = compare(t, voro_orthogonal(x, box));
    CHECK(c.max_rel_volume_diff < 1e-9);
    CHECK(c.face_mismatches == 0);
    CHECK(c.neighbor_mismatches == 0);
    CHECK(std::abs(total_volume(t) - box.volume()) / box.volume() < 1e-10);
}

TEST_CASE("voronoi: cells larger than the starting cube (radical giants, sparse walls) match voro++", "[voronoi][voro++]") {
    // The bounding cube starts with half-width 4 spacings, (V/N)^{1/3}; these cells reach much
    // farther, so they are computed again in larger cubes. Checked against voro++, and that some
    // vertex lies beyond the first cube (otherwise the test would not exercise the regrowth).
    auto farthest_vertex = [](const voronoi_tessellation<double>& t) {  // max-norm: leaves the cube
        double r = 0;
        for (const auto& v : t.vertices) r = std::max({r, std::abs(v.x), std::abs(v.y), std::abs(v.z)});
        return r;
    };
    SECTION("radical: three particles with radius 6 among radii 0.3-0.5") {
        const orthogonal_box<double> box({0, 0, 0}, {10, 10, 10});
        const pts x = random_points(1000, {0, 0, 0}, {10, 10, 10}, 41);
        std::vector<double> radii = random_radii(x.size(), 0.3, 0.5, 6);
        radii[10] = radii[500] = radii[900] = 6.0;
        voronoi_options opt;
        opt.radii = radii;
        const auto t = tessellate(x, box, opt);
        CHECK(farthest_vertex(t) > 4 * 1.0);  // spacing 1
        const auto c = compare(t, voro_orthogonal(x, box, radii));
        CHECK(c.max_rel_volume_diff < 1e-9);
        CHECK(c.face_mismatches == 0);
        CHECK(c.neighbor_mismatches == 0);
        CHECK(std::abs(total_volume(t) - box.volume()) / box.volume() < 1e-10);
    }
    SECTION("walls: a dense cluster and a few points far out in a closed box") {
        const orthogonal_box<double> box({0, 0, 0}, {100, 100, 100}, {false, false, false});
        pts x = random_points(500, {48, 48, 48}, {4, 4, 4}, 43);
        const pts far = random_points(6, {0, 0, 0}, {100, 100, 100}, 44);
        x.insert(x.end(), far.begin(), far.end());
        const auto t = tessellate(x, box);
        CHECK(farthest_vertex(t) > 4 * std::cbrt(box.volume() / double(x.size())));
        const auto c = compare(t, voro_orthogonal(x, box));
        CHECK(c.max_rel_volume_diff < 1e-9);
        CHECK(c.face_mismatches == 0);
        CHECK(c.neighbor_mismatches == 0);
        CHECK(std::abs(total_volume(t) - box.volume()) / box.volume() < 1e-10);
    }
}

#endif  // TESSERA_TEST_HAVE_VORO

TEST_CASE("voronoi: open box tiles the particles' bounding box", "[voronoi]") {
    const pts x = random_points(500, {0, 0, 0}, {6, 7, 8}, 23);
    const auto t = tessellate(x, open_box<double>{});
    double lo[3] = {1e300, 1e300, 1e300}, hi[3] = {-1e300, -1e300, -1e300};
    for (const auto& p : x)
        for (int d = 0; d < 3; ++d) {
            lo[d] = std::min(lo[d], p[std::size_t(d)]);
            hi[d] = std::max(hi[d], p[std::size_t(d)]);
        }
    const double v = (hi[0] - lo[0]) * (hi[1] - lo[1]) * (hi[2] - lo[2]);
    CHECK(std::abs(total_volume(t) - v) / v < 1e-10);
}

TEST_CASE("voronoi: permutation, translation and thread count do not change cells", "[voronoi]") {
    const double a = 3.615;
    pts x = lattice({{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}}, 5, a);
    std::mt19937_64 rng(3);
    std::normal_distribution<double> g(0, 0.05);
    for (std::size_t i = 0; i < x.size(); i += 3)
        for (auto& c : x[i]) c += g(rng);  // two thirds stay on perfect sites: degenerate vertices
    const triclinic_box<double> box({0, 0, 0}, {5 * a, 5 * a, 5 * a}, a, 0, 0);
    const auto t = tessellate(x, box);
    // Translation (with wrap-around) and permutation.
    std::vector<std::size_t> perm(x.size());
    for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = i;
    std::shuffle(perm.begin(), perm.end(), rng);
    pts y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) y[i] = {x[perm[i]][0] + 4.1, x[perm[i]][1] - 7.3, x[perm[i]][2] + 1.7};
    const auto u = tessellate(y, box);
    double dv = 0;
    std::size_t faces = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        dv = std::max(dv, std::abs(u.volume[i] - t.volume[perm[i]]));
        faces += u.num_faces(i) != t.num_faces(perm[i]);
    }
    CHECK(dv < 1e-10);
    CHECK(faces == 0);
    // Threads: bit-identical.
    pts many = lattice({{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}}, 9, a);
    for (auto& p : many)
        for (auto& c : p) c += g(rng);
    const orthogonal_box<double> big({0, 0, 0}, {9 * a, 9 * a, 9 * a});
    // Any thread count: bit-identical (openmp_policy{1} and {2} run the same compiled code).
    // serial_policy is a separate template instantiation, which the compiler may contract into
    // FMAs differently (seen with -march=native): equal to rounding, same faces.
    const auto s1 = tessellate(many, big, {}, openmp_policy{1});
    const auto s2 = tessellate(many, big, {}, openmp_policy{2});
    CHECK(s1.volume == s2.volume);
    CHECK(s1.face_area == s2.face_area);
    CHECK(s1.face_neighbor == s2.face_neighbor);
    const auto s0 = tessellate(many, big, {}, serial);
    REQUIRE(s0.face_area.size() == s1.face_area.size());
    CHECK(s0.face_neighbor == s1.face_neighbor);
    for (std::size_t f = 0; f < s0.face_area.size(); ++f)
        REQUIRE(std::abs(s0.face_area[f] - s1.face_area[f]) <= 1e-12 * std::max(1.0, s1.face_area[f]));
    CHECK(std::abs(total_volume(s1) - big.volume()) / big.volume() < 1e-10);
    const auto [asym, partners] = area_symmetry(s1);
    CHECK(asym < 1e-10);  // areas ~2
    CHECK(partners);
}

TEST_CASE("voronoi: spatial and input computation orders give the same cells", "[voronoi]") {
    // Above 2^15 particles store_faces = false computes the cells in a spatial order (and
    // reorders the output); the full output still keeps the input order up to 2^18 particles.
    const pts x = random_points(33000, {0, 0, 0}, {32, 32, 32}, 23);
    const orthogonal_box<double> box({0, 0, 0}, {32, 32, 32});
    const auto full = tessellate(x, box);
    voronoi_options lean_opt;
    lean_opt.store_faces = false;
    const auto lean = tessellate(x, box, lean_opt);
    REQUIRE(lean.volume == full.volume);
    REQUIRE(lean.neighbors.num_particles() == full.neighbors.num_particles());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const auto a = lean.neighbors.neighbors(i), b = full.neighbors.neighbors(i);
        REQUIRE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
        const auto da = lean.neighbors.distances2(i), db = full.neighbors.distances2(i);
        REQUIRE(std::equal(da.begin(), da.end(), db.begin(), db.end()));
    }
    CHECK(std::abs(total_volume(full) - box.volume()) / box.volume() < 1e-10);
}

TEST_CASE("voronoi: store_faces = false gives the same volumes and neighbours", "[voronoi]") {
    std::mt19937_64 rng(11);
    const double L = 12.6;
    std::uniform_real_distribution<double> u(0, L);
    pts x(2000);  // > 1024: the threaded run below uses several chunks
    for (auto& p : x) p = {u(rng), u(rng), u(rng)};
    const orthogonal_box<double> box({0, 0, 0}, {L, L, L}, {true, true, false});  // walls on z
    const auto full = tessellate(x, box);
    voronoi_options lean_opt;
    lean_opt.store_faces = false;
    const auto lean = tessellate(x, box, lean_opt);
    CHECK(lean.volume == full.volume);
    CHECK(lean.face_neighbor.empty());
    CHECK(lean.surface_area.empty());
    CHECK(lean.vertices.empty());
    REQUIRE(lean.neighbors.num_particles() == full.neighbors.num_particles());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const auto a = lean.neighbors.neighbors(i), b = full.neighbors.neighbors(i);
        REQUIRE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
        const auto va = lean.neighbors.vectors(i), vb = full.neighbors.vectors(i);
        for (std::size_t k = 0; k < va.size(); ++k) CHECK(norm(va[k] - vb[k]) == 0);
    }
    // Threads (a separate instantiation: equal to rounding, same neighbours).
    const auto lean2 = tessellate(x, box, lean_opt, openmp_policy{2});
    REQUIRE(lean2.volume.size() == lean.volume.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        REQUIRE(std::abs(lean2.volume[i] - lean.volume[i]) <= 1e-12);
        const auto a = lean2.neighbors.neighbors(i), b = lean.neighbors.neighbors(i);
        REQUIRE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
    }
}

TEST_CASE("voronoi: float and double tessellations agree", "[voronoi][float]") {
    const orthogonal_box<double> box({0, 0, 0}, {9, 9, 9});
    const pts x = random_points(700, {0, 0, 0}, {9, 9, 9}, 41);
    const auto d = tessellate<double>(x, box);
    std::vector<std::array<float, 3>> xf;
    for (const auto& p : x) xf.push_back({float(p[0]), float(p[1]), float(p[2])});
    const auto f = tessellate<float>(xf, orthogonal_box<float>({0, 0, 0}, {9, 9, 9}));
    double worst = 0, total = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        worst = std::max(worst, std::abs(double(f.volume[i]) - d.volume[i]) / d.volume[i]);
        total += double(f.volume[i]);
    }
    CHECK(worst < 1e-4);
    CHECK(total == Approx(729).epsilon(1e-5));
}

TEST_CASE("voronoi: ghost particles cut but get no cells (n_local)", "[voronoi][ghosts]") {
    const orthogonal_box<double> box({0, 0, 0}, {9, 9, 9});
    const pts x = random_points(700, {0, 0, 0}, {9, 9, 9}, 43);
    const auto all = tessellate(x, box);
    voronoi_options opt;
    opt.n_local = 300;
    const auto part = tessellate(x, box, opt, openmp_policy{2});
    REQUIRE(part.num_cells() == 300);
    REQUIRE(part.neighbors.num_particles() == 300);
    for (std::size_t i = 0; i < 300; ++i) {
        CHECK(part.volume[i] == all.volume[i]);
        CHECK(part.num_faces(i) == all.num_faces(i));
    }
}

TEST_CASE("voronoi: tiny periodic boxes (faces with a particle's own images) and tilted walls",
          "[voronoi][images]") {
    // One bcc unit cell: each cell is a truncated octahedron; the 6 squares face the particle's own
    // images at ±a, the 8 hexagons face images of the other particle.
    const double a = 2.87;
    const pts x{{0.1, 0.2, 0.3}, {0.1 + a / 2, 0.2 + a / 2, 0.3 + a / 2}};
    const auto t = tessellate(x, orthogonal_box<double>({0, 0, 0}, {a, a, a}));
    for (std::size_t i = 0; i < 2; ++i) {
        REQUIRE(t.num_faces(i) == 14);
        CHECK(t.volume[i] == Approx(a * a * a / 2).epsilon(1e-12));
        std::size_t self = 0;
        for (std::size_t f = t.face_offsets[i]; f < t.face_offsets[i + 1]; ++f) self += t.face_neighbor[f] == i;
        CHECK(self == 6);
    }
#if TESSERA_TEST_HAVE_VORO
    // Five random points in a strongly tilted small box, against voro++.
    const triclinic_box<double> box({0, 0, 0}, {3, 2.5, 2}, 1.4, -0.9, 1.1);
    pts y = random_points(5, {0, 0, 0}, {1, 1, 1}, 77);
    for (auto& p : y) {
        const vec3<double> r = box.cell() * vec3<double>{p[0], p[1], p[2]};
        p = {r.x, r.y, r.z};
    }
    const auto c = compare(tessellate(y, box), voro_triclinic(y, box));
    CHECK(c.max_rel_volume_diff < 1e-9);
    CHECK(c.face_mismatches == 0);
    CHECK(c.neighbor_mismatches == 0);  // faces with a particle's own images name it, as voro++ does
#endif
    // Triclinic box, periodic in x and y, walls on the tilted z faces: cells tile the box.
    const triclinic_box<double> wb({0, 0, 0}, {7, 6, 5}, 1.2, 0.8, -0.7, {true, true, false});
    pts z = random_points(300, {0, 0, 0}, {1, 1, 1}, 79);
    for (auto& p : z) {
        const vec3<double> r = wb.cell() * vec3<double>{p[0], p[1], p[2]};
        p = {r.x, r.y, r.z};
    }
    const auto tw = tessellate(z, wb);
    CHECK(std::abs(total_volume(tw) - wb.volume()) / wb.volume() < 1e-10);
    std::size_t walls = 0;
    for (auto j : tw.face_neighbor) walls += is_voronoi_wall(j);
    CHECK(walls > 0);
}

TEST_CASE("voronoi: simple cubic (8 cells per vertex) and fcc in its primitive rhombohedral cell",
          "[voronoi][degenerate]") {
    const double a = 2.5;
    const pts sc = lattice({{0, 0, 0}}, 4, a, 0.37);
    const auto t = tessellate(sc, orthogonal_box<double>({0, 0, 0}, {4 * a, 4 * a, 4 * a}));
    for (std::size_t i = 0; i < sc.size(); ++i) {
        REQUIRE(t.num_faces(i) == 6);
        CHECK(t.cell_vertices(i).size() == 8);
        CHECK(t.volume[i] == Approx(a * a * a).epsilon(1e-12));
    }
    // fcc primitive cell as a LAMMPS triclinic box: a1 = (a/√2, 0, 0), a2, a3 tilted; 3×3×3 cells.
    const double c = 3.615, l = c / std::sqrt(2.0);
    const double lx = l, xy = l / 2, ly = l * std::sqrt(3.0) / 2, xz = l / 2, yz = l / (2 * std::sqrt(3.0)),
                 lz = l * std::sqrt(2.0 / 3.0);
    const triclinic_box<double> box({0, 0, 0}, {3 * lx, 3 * ly, 3 * lz}, 3 * xy, 3 * xz, 3 * yz);
    pts x;
    for (int k = 0; k < 3; ++k)
        for (int j = 0; j < 3; ++j)
            for (int i = 0; i < 3; ++i)
                x.push_back({i * lx + j * xy + k * xz + 0.05, j * ly + k * yz + 0.05, k * lz + 0.05});
    const auto u = tessellate(x, box);
    for (std::size_t i = 0; i < x.size(); ++i) {
        REQUIRE(u.num_faces(i) == 12);
        CHECK(u.volume[i] == Approx(c * c * c / 4).epsilon(1e-12));
    }
}

TEST_CASE("voronoi: face normals are unit and outward, along the face's own area vector", "[voronoi]") {
    // The normal is the plane's (bond direction; walls: the wall's); checked against the area
    // vector the test computes from the face's vertices, for faces large enough that its
    // direction is not rounding noise (area > 1e-6: direction error ~ 1e-16 / 1e-6).
    const pts x = random_points(600, {0, 0, 0}, {8, 8, 8}, 31);
    const std::vector<double> radii = random_radii(x.size(), 0.1, 0.5, 4);
    voronoi_options with_radii;
    with_radii.radii = radii;
    for (const auto& [t, name] : {std::pair{tessellate(x, orthogonal_box<double>({0, 0, 0}, {8, 8, 8}, {true, false, true})), "walls"},
                                  std::pair{tessellate(x, orthogonal_box<double>({0, 0, 0}, {8, 8, 8}), with_radii), "radical"}}) {
        INFO(name);
        std::size_t checked = 0;
        for (std::size_t i = 0; i < t.num_cells(); ++i) {
            const auto v = t.cell_vertices(i);
            for (std::size_t f = t.face_offsets[i]; f < t.face_offsets[i + 1]; ++f) {
                CHECK(norm(t.face_normal[f]) == Approx(1.0).epsilon(1e-14));
                const auto fv = t.face_vertex_list(f);
                vec3<double> av{};
                for (std::size_t q = 1; q + 1 < fv.size(); ++q) av += cross(v[fv[q]] - v[fv[0]], v[fv[q + 1]] - v[fv[0]]);
                if (norm(av) / 2 < 1e-6) continue;
                CHECK(dot(t.face_normal[f], av / norm(av)) > 1 - 1e-9);
                // Outward: a plain Voronoi cell contains its particle (a radical one need not).
                if (std::string(name) == "walls") CHECK(dot(t.face_normal[f], v[fv[0]]) > 0);
                ++checked;
            }
        }
        CHECK(checked > 5000);
    }
}

TEST_CASE("voronoi: float cells in a large box are as accurate as in a small one", "[voronoi]") {
    // Float rounding must scale with the cell, not the box: face areas (~1) of a float
    // tessellation of 20 000 points agree with the double one to 5e-5, about ten float
    // roundings of coordinates up to 27 (the bounding cube starts a few spacings wide; with a
    // box-sized cube the difference was ~2e-4 here and grew with N).
    const pts x = random_points(20000, {0, 0, 0}, {27.1, 27.1, 27.1}, 9);
    const orthogonal_box<double> b({0, 0, 0}, {27.1, 27.1, 27.1});
    const auto tf = tessellate<float>(x, b);
    const auto td = tessellate<double>(x, b);
    double worst = 0;
    std::size_t matched = 0;
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t f = tf.face_offsets[i]; f < tf.face_offsets[i + 1]; ++f)
            for (std::size_t g = td.face_offsets[i]; g < td.face_offsets[i + 1]; ++g)
                if (td.face_neighbor[g] == tf.face_neighbor[f] &&
                    norm(vec3<double>(tf.face_vector[f]) - td.face_vector[g]) < 1e-3) {
                    worst = std::max(worst, std::abs(double(tf.face_area[f]) - td.face_area[g]));
                    ++matched;
                }
    CHECK(matched > 0.999 * double(td.face_area.size()));
    CHECK(worst < 5e-5);
}
