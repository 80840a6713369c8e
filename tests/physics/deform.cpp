// Tests for physics/deform.hpp: one affine shear step per plane against LAMMPS's
// `change_box ... delta ... remap` (tests/reference/physics/make_deform_reference.sh), the
// strain bookkeeping, the exact affine form of the map, and errors.
#include "../support/reference_frames.hpp"

#include <tessera/physics/deform.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace tessera;

namespace {

struct config {
    std::vector<vec3<double>> x;
    triclinic_box<double> box;
};

config read(const std::string& name) {
    const auto frames = tessera_test::read_reference_frames("physics/" + name);
    REQUIRE(frames.size() == 1);
    std::vector<vec3<double>> x;
    for (const auto& p : frames[0].positions()) x.push_back({p[0], p[1], p[2]});
    return {x, as_triclinic(frames[0].box, name)};
}

// LAMMPS and tessera both map through fractional coordinates with their own H⁻¹, so each
// coordinate can differ by a few ulps of the box size (~50 Å · 2⁻⁵² ≈ 1e-14 Å) per step;
// 1e-11 Å over three steps leaves a margin and still catches any wrong tilt (a 1e-3 strain
// moves atoms by up to 5e-2 Å).
constexpr double position_tolerance = 1e-11;

void check_same(const config& got, const config& want) {
    REQUIRE(got.x.size() == want.x.size());
    double worst = 0;
    for (std::size_t i = 0; i < got.x.size(); ++i) worst = std::max(worst, norm(got.x[i] - want.x[i]));
    CHECK(worst < position_tolerance);
    // The box: LAMMPS writes it with 17 significant digits; tilts from ly·strain to rounding.
    CHECK(got.box.xy() == Approx(want.box.xy()).margin(1e-12));
    CHECK(got.box.xz() == Approx(want.box.xz()).margin(1e-12));
    CHECK(got.box.yz() == Approx(want.box.yz()).margin(1e-12));
    CHECK(got.box.lo().x == Approx(want.box.lo().x).margin(1e-12));
    CHECK(got.box.hi().z == Approx(want.box.hi().z).margin(1e-12));
}

}  // namespace

TEST_CASE("shear steps match LAMMPS change_box remap (triclinic Cu: xy, xz, yz)", "[physics][deform]") {
    config c = read("deform_before_cu.dump");
    const config want = read("deform_remap_cu.dump");
    c.box = apply_shear_step<double>(c.x, c.box, shear_plane::xy, 1e-3);
    c.box = apply_shear_step<double>(c.x, c.box, shear_plane::xz, -2e-3);
    c.box = apply_shear_step<double>(c.x, c.box, shear_plane::yz, 5e-5);
    check_same(c, want);
}

TEST_CASE("a negative xy step of an orthogonal glass matches LAMMPS", "[physics][deform]") {
    config c = read("deform_before_cuzr.dump");
    CHECK(c.box.xy() == 0.0);
    const config want = read("deform_remap_cuzr.dump");
    c.box = apply_shear_step<double>(c.x, c.box, shear_plane::xy, -5e-5);
    check_same(c, want);
    CHECK(shear_strain(c.box, shear_plane::xy) == Approx(-5e-5).epsilon(1e-12));
}

TEST_CASE("a shear step is the affine map r' = r + gamma (r_perp - lo_perp) e_parallel", "[physics][deform]") {
    const triclinic_box<double> b({-1, -2, -3}, {9, 8, 7}, 0.5, -0.25, 1.0);
    std::vector<vec3<double>> x{{0, 0, 0}, {3, 7, -2}, {12, -5, 9}};  // the last one outside the cell
    const auto x0 = x;
    const double g = 2e-3;
    const auto nb = apply_shear_step<double>(x, b, shear_plane::yz, g);
    CHECK(nb.yz() == Approx(1.0 + g * 10).epsilon(1e-15));
    for (std::size_t i = 0; i < x.size(); ++i) {
        // yz shear moves y by gamma·(z − zlo) only.
        CHECK(x[i].x == Approx(x0[i].x).margin(1e-13));
        CHECK(x[i].y == Approx(x0[i].y + g * (x0[i].z - (-3))).margin(1e-13));
        CHECK(x[i].z == Approx(x0[i].z).margin(1e-13));
    }
    // Shearing back restores the positions to rounding.
    apply_shear_step<double>(x, nb, shear_plane::yz, -g * 10 / 10);
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(norm(x[i] - x0[i]) < 1e-13);
}

TEST_CASE("deform: bad input is an error", "[physics][deform]") {
    CHECK_THROWS_WITH(parse_shear_plane("zx"), Catch::Contains("zx"));
    CHECK(parse_shear_plane("xz") == shear_plane::xz);
    const triclinic_box<double> slab({0, 0, 0}, {1, 1, 1}, 0, 0, 0, periodicity{true, true, false});
    std::vector<vec3<double>> x{{0.5, 0.5, 0.5}};
    CHECK_THROWS_WITH(apply_shear_step<double>(x, slab, shear_plane::xz, 1e-3), Catch::Contains("periodic"));
    CHECK_NOTHROW(apply_shear_step<double>(x, slab, shear_plane::xy, 1e-3));
    CHECK_THROWS_AS(apply_shear_step<double>(x, slab, shear_plane::xy, std::nan("")), tessera::error);
    CHECK_THROWS_WITH(as_triclinic(any_box{}, "input.xyz"), Catch::Contains("input.xyz"));
}
