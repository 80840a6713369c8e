// tessera::tessellation_region (defects/tessellation_region.hpp) against brute force: every atom
// within the radius of a seed is in the region, and a sphere the region calls free of left-out
// atoms has none inside, in any periodic image — on random atoms in a tilted box periodic along
// x and y and open along z, and in an open box.
#include <tessera/core/box.hpp>
#include <tessera/defects/tessellation_region.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <random>
#include <vector>

using tessera::vec3;

namespace {

struct random_atoms {
    std::vector<std::array<double, 3>> positions;
    std::vector<std::uint8_t> seed;
};

/// `n` atoms uniform in the box's cell (and up to 3 length units beyond it along open axes, as
/// a shrink-wrapped dump may have them); one in `seed_every` a seed.
template <class Box>
random_atoms make_atoms(const Box& box, std::size_t n, std::size_t seed_every, std::uint64_t rng_seed) {
    std::mt19937_64 rng(rng_seed);
    std::uniform_real_distribution<double> u(0, 1);
    random_atoms a;
    for (std::size_t i = 0; i < n; ++i) {
        vec3<double> s{u(rng), u(rng), u(rng)};
        const vec3<double> r = box.from_fractional(s);
        a.positions.push_back({r.x, r.y, r.z});
        a.seed.push_back(i % seed_every == 0);
    }
    return a;
}

template <class Box>
double distance(const Box& box, const std::array<double, 3>& p, const vec3<double>& q) {
    return std::sqrt(norm2(box.minimum_image(vec3<double>{p[0], p[1], p[2]} - q)));
}

template <class Box>
void check_region(const Box& box, const random_atoms& a, double radius, double bin_width, std::uint64_t rng_seed) {
    const tessera::tessellation_region region(a.positions, box, a.seed, radius, bin_width);
    const auto& in = region.included();
    REQUIRE(in.size() == a.positions.size());
    // Inclusion: within `radius` of a seed (minimum image) implies included.
    std::size_t near = 0, missed = 0;
    for (std::size_t i = 0; i < a.positions.size(); ++i) {
        bool close = false;
        for (std::size_t j = 0; j < a.positions.size() && !close; ++j)
            if (a.seed[j]) {
                const auto& q = a.positions[j];
                close = distance(box, a.positions[i], vec3<double>{q[0], q[1], q[2]}) <= radius;
            }
        near += close;
        missed += close && !in[i];
    }
    CHECK(missed == 0);
    CHECK(near > 0);
    CHECK(region.included_count() < a.positions.size());  // the test means something: some left out
    // Spheres: "free" implies no left-out atom strictly inside (any image).
    std::mt19937_64 rng(rng_seed);
    std::uniform_real_distribution<double> u(-0.1, 1.1), r(0.2, 2.5 * bin_width);
    std::size_t free = 0, wrong = 0;
    for (int t = 0; t < 3000; ++t) {
        const vec3<double> centre = box.from_fractional(vec3<double>{u(rng), u(rng), u(rng)});
        const double rad = r(rng);
        if (!region.excludes_nothing_within(centre, rad)) continue;
        ++free;
        for (std::size_t i = 0; i < a.positions.size(); ++i)
            if (!in[i] && distance(box, a.positions[i], centre) < rad) ++wrong;
    }
    CHECK(wrong == 0);
    CHECK(free > 100);  // and it does call spheres free
    // Non-finite spheres are never free.
    CHECK_FALSE(region.excludes_nothing_within(vec3<double>{0, 0, 0}, std::numeric_limits<double>::infinity()));
    CHECK_FALSE(region.excludes_nothing_within(vec3<double>{std::nan(""), 0, 0}, 1.0));
}

}  // namespace

TEST_CASE("tessellation_region: inclusion and the sphere test against brute force, tilted box periodic in x and y") {
    const tessera::triclinic_box<double> box({0, 0, 0}, {30, 26, 24}, 7.5, -4.0, 3.0, {true, true, false});
    const auto a = make_atoms(box, 2500, 97, 11);
    check_region(box, a, 4.0, 1.5, 12);
    check_region(box, make_atoms(box, 2500, 800, 14), 7.0, 2.2, 13);  // fewer seeds, a wider radius
}

TEST_CASE("tessellation_region: inclusion and the sphere test against brute force, open box") {
    const tessera::orthogonal_box<double> cell({-5, 0, 2}, {25, 20, 30}, tessera::not_periodic);
    const auto a = make_atoms(cell, 2000, 151, 21);
    check_region(tessera::open_box<double>{}, a, 5.0, 1.5, 22);
}

TEST_CASE("tessellation_region: bad arguments") {
    const tessera::orthogonal_box<double> box({0, 0, 0}, {10, 10, 10});
    const std::vector<std::array<double, 3>> p = {{1, 1, 1}, {2, 2, 2}};
    CHECK_THROWS_AS(tessera::tessellation_region(p, box, {1}, 3.0, 1.0), tessera::error);       // one flag short
    CHECK_THROWS_AS(tessera::tessellation_region(p, box, {1, 0}, 0.0, 1.0), tessera::error);    // no radius
    CHECK_THROWS_AS(tessera::tessellation_region(p, box, {1, 0}, 3.0, -1.0), tessera::error);   // no bin width
}
