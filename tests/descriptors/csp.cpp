// descriptors/csp.hpp: conventional CSP against LAMMPS centro/atom, matching CSP against brute
// force over all perfect matchings, perfect lattices, invariances, threads, SIMD vs scalar.
#include <tessera/descriptors/csp.hpp>
#include <tessera/io/lammps_dump.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include "../support/structure_lattices.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>
#include <random>
#include <vector>

using namespace tessera;
using namespace tessera_test;

namespace {

// Independent references, written without the library's helpers.
double brute_conventional(const std::vector<vec3<double>>& r) {
    std::vector<double> s;
    for (std::size_t j = 0; j < r.size(); ++j)
        for (std::size_t k = j + 1; k < r.size(); ++k) s.push_back(norm2(r[j] + r[k]));
    std::sort(s.begin(), s.end());
    return std::accumulate(s.begin(), s.begin() + std::ptrdiff_t(r.size() / 2), 0.0);
}

// Every perfect matching: pair the first free point with each other free point, recurse.
void all_matchings(const std::vector<vec3<double>>& r, std::vector<bool>& used, double acc, double& best,
                   std::size_t& count) {
    std::size_t j = 0;
    while (j < r.size() && used[j]) ++j;
    if (j == r.size()) {
        best = std::min(best, acc);
        ++count;
        return;
    }
    used[j] = true;
    for (std::size_t k = j + 1; k < r.size(); ++k) {
        if (used[k]) continue;
        used[k] = true;
        all_matchings(r, used, acc + norm2(r[j] + r[k]), best, count);
        used[k] = false;
    }
    used[j] = false;
}

std::vector<vec3<double>> random_shell(std::size_t n, std::mt19937_64& g, bool centro) {
    std::normal_distribution<double> nd(0, 1);
    std::vector<vec3<double>> r;
    for (std::size_t k = 0; k < n; ++k) {
        if (centro && k % 2 == 1) {  // roughly centrosymmetric with noise
            r.push_back(-r.back() + vec3<double>{0.1 * nd(g), 0.1 * nd(g), 0.1 * nd(g)});
            continue;
        }
        r.push_back({nd(g), nd(g), nd(g)});
    }
    std::shuffle(r.begin(), r.end(), g);
    return r;
}

}  // namespace

TEST_CASE("csp: matching mode equals brute force over all perfect matchings (N = 8, 12)", "[csp]") {
    std::mt19937_64 g(101);
    for (std::size_t n : {8u, 12u}) {
        const basic_csp<> matching{n, csp_mode::matching};
        const basic_csp<> conventional{n, csp_mode::conventional};
        for (int trial = 0; trial < 40; ++trial) {
            const auto r = random_shell(n, g, trial % 2 == 0);
            std::vector<bool> used(n, false);
            double best = INFINITY;
            std::size_t count = 0;
            all_matchings(r, used, 0.0, best, count);
            REQUIRE(count == (n == 8 ? 105u : 10395u));
            const double m = matching.value(std::span<const vec3<double>>(r));
            CHECK(m == Approx(best).epsilon(1e-13));
            const double c = conventional.value(std::span<const vec3<double>>(r));
            CHECK(c == Approx(brute_conventional(r)).epsilon(1e-13));
            CHECK(c <= m * (1 + 1e-13));  // the conventional sum relaxes the matching constraint
            // both exact solvers (branch and bound: N <= 12 default; subset DP: N > 12 default)
            detail::csp_scratch<double> sc;
            for (std::size_t k = 0; k < n; ++k) sc.x[k] = r[k].x, sc.y[k] = r[k].y, sc.z[k] = r[k].z;
            detail::csp_pair_sums_scalar(sc.x.data(), sc.y.data(), sc.z.data(), n, sc.pairs.data());
            std::vector<double> dp(std::size_t(1) << n);
            CHECK(detail::csp_min_matching(sc.pairs.data(), n, dp.data()) == Approx(best).epsilon(1e-13));
            CHECK(detail::csp_min_matching_bb(sc.pairs.data(), n) == Approx(best).epsilon(1e-13));
        }
    }
}

TEST_CASE("csp: matching solvers agree for N = 14, 16 (DP vs branch and bound)", "[csp]") {
    std::mt19937_64 g(202);
    for (std::size_t n : {2u, 4u, 6u, 10u, 14u, 16u}) {
        std::vector<double> dp(std::size_t(1) << n);
        for (int trial = 0; trial < 10; ++trial) {
            const auto r = random_shell(n, g, trial % 2 == 0);
            detail::csp_scratch<double> sc;
            for (std::size_t k = 0; k < n; ++k) sc.x[k] = r[k].x, sc.y[k] = r[k].y, sc.z[k] = r[k].z;
            detail::csp_pair_sums_scalar(sc.x.data(), sc.y.data(), sc.z.data(), n, sc.pairs.data());
            const double a = detail::csp_min_matching(sc.pairs.data(), n, dp.data());
            REQUIRE(detail::csp_min_matching_bb(sc.pairs.data(), n) == Approx(a).epsilon(1e-13));
            REQUIRE(basic_csp<>{n, csp_mode::matching}.value(std::span<const vec3<double>>(r)) ==
                    Approx(a).epsilon(1e-13));
        }
    }
}

TEST_CASE("csp: SIMD pair sums agree with the scalar path", "[csp][simd]") {
    std::mt19937_64 g(7);
    std::uniform_real_distribution<double> u(-3, 3);
    for (std::size_t n : {2u, 3u, 8u, 12u, 13u, 16u, 31u, 32u}) {
        detail::csp_scratch<double> a;
        detail::csp_scratch<float> af;
        for (std::size_t k = 0; k < n; ++k) {
            a.x[k] = u(g), a.y[k] = u(g), a.z[k] = u(g);
            af.x[k] = float(a.x[k]), af.y[k] = float(a.y[k]), af.z[k] = float(a.z[k]);
        }
        std::array<double, detail::csp_max_pairs> ref{};
        std::array<float, detail::csp_max_pairs> reff{};
        detail::csp_pair_sums_scalar(a.x.data(), a.y.data(), a.z.data(), n, ref.data());
        detail::csp_pair_sums_scalar(af.x.data(), af.y.data(), af.z.data(), n, reff.data());
        detail::csp_pair_sums(a.x.data(), a.y.data(), a.z.data(), n, a.pairs.data());
        detail::csp_pair_sums(af.x.data(), af.y.data(), af.z.data(), n, af.pairs.data());
        for (std::size_t p = 0; p < n * (n - 1) / 2; ++p) {
            // equal unless the compiler contracts one path into FMAs (then within an ulp or two)
            REQUIRE(a.pairs[p] == Approx(ref[p]).epsilon(1e-15).margin(1e-300));
            REQUIRE(af.pairs[p] == Approx(reff[p]).epsilon(1e-6).margin(1e-30));
        }
    }
}

TEST_CASE("csp: zero on perfect fcc (N = 12) and bcc (N = 8), both modes", "[csp]") {
    const auto f = fcc(3.615, 4);
    const auto b = bcc(2.87, 5);
    for (auto mode : {csp_mode::conventional, csp_mode::matching}) {
        const auto of = pipeline(nearest{12}, csp{12, mode}).run(f.positions, f.box);
        const auto ob = pipeline(nearest{8}, csp{8, mode}).run(b.positions, b.box);
        for (double v : of.get<csp>()) REQUIRE(std::abs(v) < 1e-20);
        for (double v : ob.get<csp>()) REQUIRE(std::abs(v) < 1e-20);
    }
    // hcp is not centrosymmetric: 3 pairs of the 12 are not opposite
    const auto h = hcp(2.556, 4, 3, 3);
    const auto oh = pipeline(nearest{12}, csp{12}).run(h.positions, h.box);
    const double a = 2.556;  // conventional CSP of ideal hcp = 3 × |R_j + R_k|² of the unpaired = a²
    for (double v : oh.get<csp>()) REQUIRE(v == Approx(a * a).epsilon(1e-10));
}

TEST_CASE("csp: rotation, permutation and thread-count invariance", "[csp]") {
    auto c = fcc(3.615, 4);
    jiggle(c.positions, 0.08, 3);
    // open cluster, so the whole configuration can be rotated
    for (auto mode : {csp_mode::conventional, csp_mode::matching}) {
        const auto pipe = pipeline(nearest{12}, csp{12, mode});
        const auto ref_result = pipe.run(c.positions, open_box<double>{});
        const auto ref = ref_result.get<csp>();
        const auto rot_result = pipe.run(rotated(c.positions, random_rotation(5)), open_box<double>{});
        for (std::size_t i = 0; i < ref.size(); ++i)
            REQUIRE(rot_result.get<csp>()[i] == Approx(ref[i]).epsilon(1e-9).margin(1e-12));
        std::vector<std::size_t> perm(c.positions.size());
        std::iota(perm.begin(), perm.end(), 0);
        std::shuffle(perm.begin(), perm.end(), std::mt19937_64(9));
        points shuffled(perm.size());
        for (std::size_t k = 0; k < perm.size(); ++k) shuffled[k] = c.positions[perm[k]];
        const auto per_result = pipe.run(shuffled, open_box<double>{});
        for (std::size_t k = 0; k < perm.size(); ++k)
            REQUIRE(per_result.get<csp>()[k] == Approx(ref[perm[k]]).epsilon(1e-12).margin(1e-14));
        // periodic, several thread counts: bit-identical
        const auto serial_result = pipe.run(c.positions, c.box);
        for (int t : {1, 2, 3}) {
            const auto th = pipe.run(c.positions, c.box, {}, openmp_policy{t});
            const auto a = serial_result.get<csp>(), b = th.get<csp>();
            REQUIRE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
        }
    }
}

TEST_CASE("csp: fewer than N neighbours gives NaN (undefined), bad N and short stages are errors", "[csp][errors]") {
    const points two{{0, 0, 0}, {1, 0, 0}, {0, 1.5, 0}};
    const auto out = pipeline(nearest{12}, csp{12}).run(two, open_box<double>{});
    for (double v : out.get<csp>()) CHECK(std::isnan(v));
    const auto f = fcc(3.615, 3);
    CHECK_THROWS_WITH(pipeline(nearest{12}, csp{11}).run(f.positions, f.box), Catch::Contains("even"));
    CHECK_THROWS_WITH(pipeline(nearest{18}, csp{18, csp_mode::matching}).run(f.positions, f.box),
                      Catch::Contains("limit of 16"));
    CHECK_THROWS_WITH(pipeline(nearest{34}, csp{34}).run(f.positions, f.box), Catch::Contains("limit of 32"));
    CHECK_THROWS_WITH(pipeline(nearest{8}, csp{12}).run(f.positions, f.box), Catch::Contains("k = 8"));
    CHECK_NOTHROW(pipeline(nearest{32}, csp{32}).run(f.positions, f.box));
    CHECK_NOTHROW(pipeline(nearest{16}, csp{16, csp_mode::matching}).run(f.positions, f.box));
}

TEST_CASE("csp: equals LAMMPS centro/atom fcc on the tilted Cu reference", "[csp][lammps]") {
    const std::filesystem::path path = std::filesystem::path(TESSERA_TEST_DATA_DIR) / "cu_tilted_ref.dump";
    // Committed reference (tests/reference/make_reference.sh): missing is a broken checkout, a failure.
    INFO("reference " << path.string());
    REQUIRE(std::filesystem::exists(path));
    lammps_dump_reader reader(path);
    frame f;
    int frames = 0;
    double worst = 0;
    while (reader.next(f)) {
        ++frames;
        const auto pos = f.positions();
        const auto lmp = f.column("c_csp");
        const auto result = std::visit(
            [&](const auto& b) { return pipeline(nearest{12}, csp{12}).run(pos, b); }, f.box);
        const auto mine = result.get<csp>();
        std::size_t nonzero = 0;
        for (std::size_t i = 0; i < f.natoms; ++i) {
            const double d = std::abs(mine[i] - lmp[i]) / std::max(std::abs(lmp[i]), 1e-3);
            worst = std::max(worst, d);
            nonzero += lmp[i] > 1;
            REQUIRE(d < 1e-8);
        }
        CHECK(nonzero > 0);  // a non-trivial frame (thermal noise alone gives CSP < 1 Å²)
        // matching CSP is an upper bound of the conventional one
        const auto m = std::visit(
            [&](const auto& b) { return pipeline(nearest{12}, csp{12, csp_mode::matching}).run(pos, b); }, f.box);
        for (std::size_t i = 0; i < f.natoms; ++i) REQUIRE(m.get<csp>()[i] >= mine[i] * (1 - 1e-12));
    }
    CHECK(frames >= 2);
    INFO("max relative difference to LAMMPS: " << worst);
    WARN("csp vs LAMMPS centro/atom: max relative difference " << worst << " over " << frames << " frames");
}
