// Tests for physics/stress.hpp: the von Mises stress against closed forms (uniaxial, pure shear),
// its invariances (rotation, hydrostatic shift), LAMMPS's sign and unit conventions, and errors.
#include <tessera/physics/stress.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

using tessera::von_mises;

namespace {

using tensor = std::array<double, 6>;

// R S Rᵀ of a symmetric tensor in LAMMPS component order.
tensor rotate(const tensor& s, double angle, int axis) {
    const double c = std::cos(angle), si = std::sin(angle);
    double r[3][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
    const int a = (axis + 1) % 3, b = (axis + 2) % 3;
    r[a][a] = c;
    r[a][b] = -si;
    r[b][a] = si;
    r[b][b] = c;
    const double m[3][3] = {{s[0], s[3], s[4]}, {s[3], s[1], s[5]}, {s[4], s[5], s[2]}};
    double out[3][3] = {};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j)
            for (int k = 0; k < 3; ++k)
                for (int l = 0; l < 3; ++l) out[i][j] += r[i][k] * m[k][l] * r[j][l];
    return {out[0][0], out[1][1], out[2][2], out[0][1], out[0][2], out[1][2]};
}

}  // namespace

TEST_CASE("von Mises stress: uniaxial tension is |sigma|, pure shear is sqrt(3) tau", "[physics][stress]") {
    CHECK(von_mises(tensor{2.5, 0, 0, 0, 0, 0}) == Approx(2.5).epsilon(1e-15));
    CHECK(von_mises(tensor{0, 0, -4.0, 0, 0, 0}) == Approx(4.0).epsilon(1e-15));
    CHECK(von_mises(tensor{0, 0, 0, 1.5, 0, 0}) == Approx(std::sqrt(3.0) * 1.5).epsilon(1e-15));
    CHECK(von_mises(tensor{0, 0, 0, 0, 0, -0.7}) == Approx(std::sqrt(3.0) * 0.7).epsilon(1e-15));
    // A hydrostatic tensor has no deviatoric part.
    CHECK(von_mises(tensor{3, 3, 3, 0, 0, 0}) == 0.0);
}

TEST_CASE("von Mises stress is invariant under rotations and hydrostatic shifts", "[physics][stress]") {
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> u(-5, 5);
    for (int trial = 0; trial < 50; ++trial) {
        tensor s{};
        for (double& c : s) c = u(rng);
        const double vm = von_mises(s);
        const double p = u(rng);
        const tensor shifted{s[0] + p, s[1] + p, s[2] + p, s[3], s[4], s[5]};
        // Rounding of ~10 operations on values of magnitude 5: 1e-12 relative is ample and
        // still fails for any wrong coefficient (those change the value at the 1e-1 level).
        CHECK(von_mises(shifted) == Approx(vm).epsilon(1e-12));
        const tensor r = rotate(rotate(s, u(rng), 0), u(rng), 2);
        CHECK(von_mises(r) == Approx(vm).epsilon(1e-12));
    }
}

TEST_CASE("stress/atom: S = -W nktv2p, kinetic part -m v v, division by volume", "[physics][stress]") {
    const std::vector<std::array<double, 6>> w{{1, 2, 3, 4, 5, 6}, {-1, 0, 0, 0.5, 0, 0}};
    std::vector<std::array<double, 6>> s(2);
    tessera::stress_from_virial(w, tessera::metal_stress_units, s);
    CHECK(s[0][0] == -1.6021765e6);
    CHECK(s[1][3] == -0.5 * 1.6021765e6);
    // lj units: S = -W exactly.
    tessera::stress_from_virial(w, tessera::lj_stress_units, s);
    CHECK(s[0][5] == -6.0);
    const std::vector<double> mass{2.0, 1.0};
    const std::vector<tessera::vec3<double>> v{{1, 2, 3}, {0, 0, 0}};
    tessera::add_kinetic_stress(mass, v, tessera::lj_stress_units, s);
    CHECK(s[0][0] == -1.0 - 2.0);        // -W_xx - m vx vx
    CHECK(s[0][3] == -4.0 - 2.0 * 2.0);  // -W_xy - m vx vy
    CHECK(s[0][5] == -6.0 - 2.0 * 6.0);  // -W_yz - m vy vz
    CHECK(s[1][0] == 1.0);
    const std::vector<double> vol{2.0, 4.0};
    tessera::divide_by_volume(s, vol);
    CHECK(s[0][0] == -1.5);
    CHECK(s[1][0] == 0.25);
    const std::vector<std::size_t> group{0, 1};
    CHECK(tessera::mean_stress(s, group)[0] == Approx((-1.5 + 0.25) / 2));
}

TEST_CASE("stress/atom: bad input is an error naming what is wrong", "[physics][stress]") {
    std::vector<std::array<double, 6>> s(2);
    const std::vector<double> bad{1.0, 0.0};
    CHECK_THROWS_WITH(tessera::divide_by_volume(s, bad), Catch::Contains("atom 1"));
    const std::vector<double> short_vol{1.0};
    CHECK_THROWS_AS(tessera::divide_by_volume(s, short_vol), tessera::error);
    CHECK_THROWS_WITH(tessera::mean_stress(s, std::vector<std::size_t>{}), Catch::Contains("empty"));
    CHECK_THROWS_WITH(tessera::mean_stress(s, std::vector<std::size_t>{5}), Catch::Contains("atom 5"));
}
