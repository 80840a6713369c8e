// stats/voxel_field.hpp: voxel counts/means/stds and ΔL*(N) against the NumPy reference of
// tests/reference/stats/make_correlation_reference.py (orthogonal CuZr glass, triclinic Cu),
// grid following a deformed box, empty voxels, errors.
#include <tessera/io/lammps_dump.hpp>
#include <tessera/stats/voxel_field.hpp>

#include "../support/learn_reference.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <string>
#include <vector>

using namespace tessera;

namespace {
const std::string dir = std::string(TESSERA_TEST_DATA_DIR) + "/";
const std::string cdir = "../stats/correlation/";  // read_csv resolves names under learn/

std::vector<frame> frames_of(const std::string& name) {
    lammps_dump_reader r(dir + name);
    std::vector<frame> out;
    frame f;
    while (r.next(f)) out.push_back(f);
    return out;
}

template <class F>
void with_closed_box(const frame& f, F&& fn) {
    std::visit(
        [&](const auto& b) {
            if constexpr (!std::is_same_v<std::decay_t<decltype(b)>, open_box<double>>) fn(b);
        },
        f.box);
}

void check_voxels(const std::string& name, const std::string& dump, const std::string& field, voxel_dims dims,
                  const std::vector<voxel_dims>& grids) {
    const auto frames = frames_of(dump);
    const auto ref = tessera_test::read_csv(cdir + "voxel_" + name + ".csv");
    voxel_field v;
    with_closed_box(frames[0], [&](const auto& b) { v = voxelize(frames[0].positions(), b, frames[0].column(field), dims); });
    REQUIRE(v.size() == ref.rows.size());
    std::size_t total = 0;
    for (std::size_t q = 0; q < v.size(); ++q) {
        INFO(name << " voxel " << q);
        const auto& row = ref.rows[q];
        REQUIRE(v.count[q] == std::size_t(row[0]));  // identical assignment
        total += v.count[q];
        if (!v.count[q]) {
            CHECK((std::isnan(v.mean[q]) && std::isnan(v.stddev[q])));
            continue;
        }
        // NumPy sums a handful of values in the same order for n < 8 (pairwise only beyond);
        // 1e-14 of the voxel's scale covers the few-ulp difference for larger voxels.
        const double scale = std::abs(row[1]) + row[2];
        CHECK(std::abs(v.mean[q] - row[1]) <= 1e-14 * scale);
        CHECK(std::abs(v.stddev[q] - row[2]) <= 1e-14 * scale);
    }
    CHECK(total == frames[0].natoms);

    voxel_fluctuations fl(grids);
    for (const auto& f : frames) with_closed_box(f, [&](const auto& b) { fl.add_frame(f.positions(), b, f.column(field)); });
    const auto rows = fl.result();
    const auto fref = tessera_test::read_csv(cdir + "fluct_" + name + ".csv");
    REQUIRE(rows.size() == fref.rows.size());
    for (std::size_t g = 0; g < rows.size(); ++g) {
        const auto& row = fref.rows[g];
        INFO(name << " grid " << g);
        CHECK(rows[g].dims == voxel_dims{std::size_t(row[0]), std::size_t(row[1]), std::size_t(row[2])});
        CHECK(rows[g].particles_per_voxel == Approx(row[3]).epsilon(1e-15));
        CHECK(rows[g].samples == std::size_t(row[6]));
        // deviations of voxel means from the system mean: absolute 1e-14 of the field's scale
        // (the 1×1×1 grid subtracts two equal means: 0 up to rounding)
        CHECK(std::abs(rows[g].rms - row[4]) <= 1e-14 * (1 + row[4]));
        CHECK(std::abs(rows[g].mean_abs - row[5]) <= 1e-14 * (1 + row[5]));
    }
    CHECK(rows.front().rms < 1e-14);  // one voxel = the whole system: no fluctuation
}
}  // namespace

TEST_CASE("voxel_field: CuZr glass (orthogonal) matches NumPy, counts identical", "[voxel]") {
    check_voxels("cuzr", "cuzr_glass_ref.dump", "c_qc38[2]", {8, 8, 8}, {{1, 1, 1}, {2, 2, 2}, {4, 4, 4}, {8, 8, 8}});
}

TEST_CASE("voxel_field: triclinic Cu matches NumPy, counts identical", "[voxel]") {
    check_voxels("cu_tilted", "cu_tilted_ref.dump", "c_csp", {6, 5, 4}, {{1, 1, 1}, {3, 2, 2}, {6, 5, 4}});
}

TEST_CASE("voxel_field: the grid follows an affinely deformed box, periodic images wrap", "[voxel]") {
    std::vector<std::array<double, 3>> pos{{0.5, 0.5, 0.5}, {9.5, 0.5, 0.5}, {5.2, 7.7, 2.1}, {-0.5, 0.5, 0.5}};
    const std::vector<double> f{1.0, 2.0, 3.0, 4.0};
    const orthogonal_box<double> bx({0, 0, 0}, {10, 10, 10});
    const auto v = voxelize(pos, bx, f, {2, 2, 2});
    // particles 1 and 3 are both at s_x = 0.95 (3 wrapped from −0.05): same voxel 1
    CHECK(v.count == std::vector<std::size_t>{1, 2, 0, 1, 0, 0, 0, 0});
    CHECK(v.mean[1] == 3.0);
    CHECK(v.stddev[1] == 1.0);
    CHECK(std::isnan(v.mean[2]));
    // Shear and stretch the box and map the particles affinely: same voxels, same values.
    const triclinic_box<double> tri({1, 2, 3}, {21, 14, 11}, 4.0, -3.0, 2.5);
    std::vector<std::array<double, 3>> moved;
    for (const auto& p : pos) {
        const auto r = tri.from_fractional(bx.to_fractional(vec3<double>{p[0], p[1], p[2]}));
        moved.push_back({r.x, r.y, r.z});
    }
    const auto w = voxelize(moved, tri, f, {2, 2, 2});
    CHECK(w.count == v.count);
    CHECK(w.mean[1] == v.mean[1]);
    // A particle outside a non-periodic axis is an error, not a clamp.
    const orthogonal_box<double> open_z({0, 0, 0}, {10, 10, 10}, {true, true, false});
    std::vector<std::array<double, 3>> out{{1, 1, 11}};
    const std::vector<double> one{1.0};
    CHECK_THROWS_AS(voxelize(out, open_z, one, {2, 2, 2}), error);
    CHECK_THROWS_AS(voxelize(pos, bx, f, {2, 0, 2}), error);
    CHECK_THROWS_AS(voxelize(pos, open_box<double>{}, f, {2, 2, 2}), error);
    const std::vector<double> bad{1.0, std::nan(""), 3.0, 4.0};
    CHECK_THROWS_AS(voxelize(pos, bx, bad, {2, 2, 2}), error);
    CHECK_THROWS_AS(voxel_fluctuations({}), error);
}
