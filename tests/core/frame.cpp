// frame::positions_view (core/frame.hpp), the in-place positions `tessera compute` hands its
// descriptors: for every coordinate family, with and without image flags, and every unwrap
// mode, it must give the same values, bit for bit, and the same errors as positions(), the
// copying path the rest of the library has used since wave 1 (checked in tests/io/lammps_dump.cpp
// against hand-computed unwrapping). Cartesian columns must be read in place (no copy).
#include <tessera/core/frame.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace {

using tessera::frame;
using tessera::unwrap;

// A frame of n atoms in a triclinic box with coordinates of `family` ("x", "xu", "xs", "xsu")
// and, when asked, image flags.
frame make_frame(const std::string& family, bool images, std::size_t n, unsigned seed) {
    frame f;
    f.natoms = n;
    f.box = tessera::triclinic_box<double>({-1, 0, 2}, {9, 11, 10}, 1.5, -0.5, 2.0);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(-3, 12), s(-0.2, 1.2);
    std::vector<double> id(n);
    for (std::size_t i = 0; i < n; ++i) id[i] = double(i + 1);
    f.add_column("id", id, true);
    const bool scaled = family == "xs" || family == "xsu";
    const std::string suffix = family == "x" ? "" : family.substr(1);
    for (const std::string axis : {"x", "y", "z"}) {
        std::vector<double> v(n);
        for (auto& x : v) x = scaled ? s(rng) : u(rng);
        f.add_column(axis + suffix, v);
    }
    if (images)
        for (const std::string axis : {"ix", "iy", "iz"}) {
            std::vector<double> v(n);
            for (auto& x : v) x = double(int(rng() % 5) - 2);
            f.add_column(axis, v, true);
        }
    return f;
}

std::optional<std::string> error_of(const auto& call) {
    try {
        call();
    } catch (const tessera::error& e) {
        return std::string(e.what());
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("frame: positions_view equals positions() bit for bit, for every family, image flags and unwrap mode") {
    for (const std::string family : {"x", "xu", "xs", "xsu"})
        for (const bool images : {false, true})
            for (const unwrap mode : {unwrap::none, unwrap::if_available, unwrap::required}) {
                CAPTURE(family, images, int(mode));
                const frame f = make_frame(family, images, 257, 11);
                std::vector<double> scratch;
                const auto copied_error = error_of([&] { (void)f.positions(mode); });
                const auto view_error = error_of([&] { (void)f.positions_view(scratch, mode); });
                REQUIRE(copied_error == view_error);  // wrapped families without images refuse `required`
                if (copied_error) continue;
                const auto expected = f.positions(mode);
                const tessera::soa_view<double> v = f.positions_view(scratch, mode);
                REQUIRE(v.n == f.natoms);
                for (std::size_t i = 0; i < f.natoms; ++i) {
                    CHECK(v.x[i] == expected[i][0]);
                    CHECK(v.y[i] == expected[i][1]);
                    CHECK(v.z[i] == expected[i][2]);
                }
                // In place exactly when the stored columns are the Cartesian answer.
                const bool unwrapped = family == "xu" || family == "xsu";
                const bool in_place = (family == "x" || family == "xu") && !(images && mode != unwrap::none && !unwrapped);
                const std::string suffix = family == "x" ? "" : family.substr(1);
                CHECK((v.x == f.column("x" + suffix).data()) == in_place);
                CHECK((v.z == f.column("z" + suffix).data()) == in_place);
                CHECK(scratch.size() == (in_place ? 0 : 3 * f.natoms));
            }
}

TEST_CASE("frame: positions_view refuses what positions() refuses, with the same message") {
    std::vector<double> scratch;
    SECTION("a non-finite coordinate, in place and converted") {
        for (const std::string family : {"x", "xs"}) {
            frame f = make_frame(family, false, 20, 3);
            f.columns[std::size_t(f.column_index(family == "x" ? "y" : "ys"))][7] =
                std::numeric_limits<double>::quiet_NaN();
            const auto copied = error_of([&] { (void)f.positions(); });
            REQUIRE(copied);
            CHECK_THAT(*copied, Catch::Contains("atom id 8 has a non-finite position"));
            CHECK(error_of([&] { (void)f.positions_view(scratch); }) == copied);
        }
    }
    SECTION("a non-finite image flag when images are added") {
        frame f = make_frame("x", true, 20, 4);
        f.columns[std::size_t(f.column_index("iz"))][12] = std::numeric_limits<double>::infinity();
        CHECK_FALSE(error_of([&] { (void)f.positions_view(scratch); }));  // images not read
        const auto copied = error_of([&] { (void)f.positions(unwrap::if_available); });
        REQUIRE(copied);
        CHECK_THAT(*copied, Catch::Contains("atom id 13 has a non-finite position"));
        CHECK(error_of([&] { (void)f.positions_view(scratch, unwrap::if_available); }) == copied);
    }
    SECTION("no coordinate columns") {
        frame f;
        f.natoms = 1;
        f.add_column("id", {1.0}, true);
        const auto copied = error_of([&] { (void)f.positions(); });
        REQUIRE(copied);
        CHECK_THAT(*copied, Catch::Contains("no coordinate columns"));
        CHECK(error_of([&] { (void)f.positions_view(scratch); }) == copied);
    }
}
