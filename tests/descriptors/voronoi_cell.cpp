// tests for include/tessera/descriptors/voronoi_cell.hpp: Voronoi index <n3,n4,n5,n6> and the
// fraction of pentagonal faces of perfect crystals and an icosahedron.

#include <tessera/descriptors/voronoi_cell.hpp>
#include <tessera/neighbors/voronoi.hpp>

#include "../support/point_sets.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <string>
#include <vector>

using namespace tessera;
using tessera_test::lattice;
using tessera_test::pts;
using tessera_test::random_points;

namespace {
std::array<double, 8> cell_row(const voronoi_tessellation<double>& t, std::size_t i, const voronoi_cell_options& o = {}) {
    std::array<double, 8> r{};
    voronoi_cell_descriptors{o}.compute(t, i, output_row<double>{r.data(), 1});
    return r;
}
}  // namespace

TEST_CASE("voronoi: index and d5 of fcc, bcc and an icosahedron", "[voronoi][descriptors]") {
    const double a = 3.615;
    const pts fcc = lattice({{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}}, 3, a);
    const auto tf = tessellate(fcc, orthogonal_box<double>({0, 0, 0}, {3 * a, 3 * a, 3 * a}));
    auto r = cell_row(tf, 5);
    CHECK(r[1] == 12);
    CHECK(r[3] == 0);
    CHECK(r[4] == 12);
    CHECK(r[5] == 0);
    CHECK(r[7] == 0);
    CHECK(r[2] == Approx(12 * a * a * std::sqrt(2.0) / 8));
    const pts bcc = lattice({{0, 0, 0}, {0.5, 0.5, 0.5}}, 3, 2.87);
    const auto tb = tessellate(bcc, orthogonal_box<double>({0, 0, 0}, {3 * 2.87, 3 * 2.87, 3 * 2.87}));
    r = cell_row(tb, 3);
    CHECK((r[4] == 6 && r[6] == 8 && r[1] == 14));
    // Icosahedron: the central cell is a dodecahedron, <0,0,12,0>, d5 = 1.
    const double phi = (1 + std::sqrt(5.0)) / 2;
    pts ico{{0, 0, 0}};
    for (int s1 : {-1, 1})
        for (int s2 : {-1, 1}) {
            ico.push_back({0, double(s1), s2 * phi});
            ico.push_back({double(s1), s2 * phi, 0});
            ico.push_back({s2 * phi, 0, double(s1)});
        }
    const auto ti = tessellate(ico, open_box<double>{});
    r = cell_row(ti, 0);
    CHECK(r[1] == 12);
    CHECK(r[5] == 12);
    CHECK(r[7] == 1.0);
    // Thresholds: a slightly perturbed fcc crystal grows tiny faces and short edges; OVITO-style
    // thresholds recover <0,12,0,0>.
    pts x = lattice({{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}}, 4, a);
    std::mt19937_64 rng(9);
    std::normal_distribution<double> g(0, 0.01);
    for (auto& p : x)
        for (auto& c : p) c += g(rng);
    const auto tp = tessellate(x, orthogonal_box<double>({0, 0, 0}, {4 * a, 4 * a, 4 * a}));
    std::size_t raw_fcc = 0, thr_fcc = 0;
    voronoi_cell_options o;
    o.relative_face_threshold = 0.01;
    o.edge_threshold = 0.1 * a;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const auto q = cell_row(tp, i);
        raw_fcc += q[1] == 12 && q[4] == 12;
        const auto w = cell_row(tp, i, o);
        thr_fcc += w[1] == 12 && w[4] == 12;
    }
    CHECK(raw_fcc < x.size());
    CHECK(thr_fcc == x.size());
}
