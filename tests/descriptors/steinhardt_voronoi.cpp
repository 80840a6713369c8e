// Voronoi-face-area-weighted Steinhardt (Mickel, Kapfer, Schröder-Turk & Mecke, J. Chem. Phys.
// 138, 044501 (2013)): q_lm = Σ_f A_f Y_lm(r_f) / Σ_f A_f over the faces of the Voronoi cell.
// Reference: an independent evaluation with std::sph_legendre (libstdc++'s special functions, a
// different route from tessera's recurrences) on the faces and areas of tessellate().
#include <tessera/descriptors/steinhardt.hpp>
#include <tessera/neighbors/voronoi.hpp>
#include <tessera/pipeline/voronoi_stage.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <numbers>
#include <random>
#include <vector>

using namespace tessera;
using points = std::vector<std::array<double, 3>>;

namespace {
double weighted_ql_reference(int l, const std::vector<vec3<double>>& r, const std::vector<double>& area) {
    double sum_a = 0;
    for (double a : area) sum_a += a;
    double total = 0;
    for (int m = -l; m <= l; ++m) {
        std::complex<double> q = 0;
        for (std::size_t k = 0; k < r.size(); ++k) {
            const double len = norm(r[k]);
            const double theta = std::acos(r[k].z / len), phi = std::atan2(r[k].y, r[k].x);
            const int am = std::abs(m);
            // Y_l^|m| with the Condon–Shortley phase (std::sph_legendre includes it); Y_l^{-m} = (-1)^m conj(Y_l^m)
            std::complex<double> y = std::sph_legendre(unsigned(l), unsigned(am), theta) * std::polar(1.0, am * phi);
            if (m < 0) y = (am % 2 ? -1.0 : 1.0) * std::conj(y);
            q += area[k] * y;
        }
        q /= sum_a;
        total += std::norm(q);
    }
    return std::sqrt(4 * std::numbers::pi / (2 * l + 1) * total);
}
}  // namespace

TEST_CASE("steinhardt voronoi: face-area weighted q_l equals an independent std::sph_legendre sum", "[steinhardt][voronoi]") {
    const triclinic_box<double> box({0, 0, 0}, {9, 8, 7}, 2.0, -1.0, 1.5);
    std::mt19937_64 g(41);
    std::uniform_real_distribution<double> u(0, 1);
    points p(300);
    for (auto& q : p) {
        const auto r = box.from_fractional({u(g), u(g), u(g)});
        q = {r.x, r.y, r.z};
    }
    steinhardt s;
    s.degrees = {2, 4, 6};
    s.nnn = 0;
    s.face_weighted = true;
    const auto out = pipeline(voronoi_neighbors{}, s).run(p, box);
    voronoi_options opt;
    opt.store_vertices = false;
    const auto t = tessellate<double>(p, box, opt);
    for (std::size_t i = 0; i < p.size(); ++i) {
        const auto v = t.neighbors.vectors(i);
        std::vector<vec3<double>> r(v.begin(), v.end());
        const std::vector<double> a(t.neighbor_area.begin() + std::ptrdiff_t(t.neighbors.offsets()[i]),
                                    t.neighbor_area.begin() + std::ptrdiff_t(t.neighbors.offsets()[i + 1]));
        for (std::size_t d = 0; d < 3; ++d) {
            const double ref = weighted_ql_reference(s.degrees[d], r, a);
            // Tolerance: two different Y_lm evaluations and summation orders, ~1e-15 each.
            REQUIRE(out.get<0>(d)[i] == Approx(ref).epsilon(1e-11).margin(1e-13));
        }
    }
}

TEST_CASE("steinhardt voronoi: perfect fcc gives the textbook values, weighted or not", "[steinhardt][voronoi]") {
    const double a = 3.615;
    points p;
    const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 3; ++k)
                for (const auto& b : basis) p.push_back({(i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a});
    const orthogonal_box<double> box({0, 0, 0}, {3 * a, 3 * a, 3 * a});
    steinhardt s;
    s.nnn = 0;
    s.face_weighted = true;
    const auto out = pipeline(voronoi_neighbors{}, s).run(p, box);
    for (std::size_t i = 0; i < p.size(); ++i) {
        CHECK(out.get<0>(0)[i] == Approx(0.190941).margin(1e-6));  // 12 equal rhombic faces
        CHECK(out.get<0>(1)[i] == Approx(0.574524).margin(1e-6));
    }
}

TEST_CASE("steinhardt voronoi: face_weighted without a weighted stage is an error", "[steinhardt][voronoi][errors]") {
    steinhardt s;
    s.nnn = 0;
    s.face_weighted = true;
    const points p{{0, 0, 0}, {1, 0, 0}};
    CHECK_THROWS_WITH(pipeline(ball{2.0}, s).run(p, open_box<double>{}), Catch::Contains("face_weighted needs"));
}
