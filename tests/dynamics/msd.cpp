// dynamics/msd.hpp and dynamics/vibrational_msd.hpp: MSD against LAMMPS `compute msd` on a
// CuZr liquid (tests/reference/msd), time-origin averaging against a direct double loop, α₂ on
// Gaussian displacements, F_s against a direct sum over independently enumerated q-vectors,
// τ_α on a synthetic exponential, lg(Δr²/T) features, vibrational MSD.
#include <tessera/dynamics/msd.hpp>
#include <tessera/dynamics/vibrational_msd.hpp>
#include <tessera/io/lammps_dump.hpp>

#include "../support/reference_frames.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace tessera;

namespace {

// Unwrapped positions of every frame in the first frame's row order.
std::vector<std::vector<vec3<double>>> unwrapped(const std::vector<frame>& frames, bool use_image_flags) {
    unwrapped_trajectory<double> u(use_image_flags);
    std::vector<std::vector<vec3<double>>> out;
    for (const auto& f : frames) {
        const auto x = f.positions(use_image_flags ? unwrap::required : unwrap::none);
        const auto ids = f.ids();
        std::visit([&](const auto& b) { out.push_back(u.add(x, b, ids)); }, f.box);
    }
    return out;
}

}  // namespace

TEST_CASE("msd: equals LAMMPS compute msd (all atoms and per type) on a CuZr liquid", "[msd]") {
    // LAMMPS: unwrapped coordinates (x + image·L) relative to the positions when the compute
    // was created, averaged over the group. Same doubles in, same arithmetic: 1e-10 relative.
    const auto frames = tessera_test::read_reference_frames("msd/cuzr_liquid.dump");
    REQUIRE(frames.size() == 21);
    std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/msd/cuzr_liquid_msd.txt");
    std::vector<std::array<double, 4>> lmp;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream is(line);
        std::array<double, 4> r;
        is >> r[0] >> r[1] >> r[2] >> r[3];
        lmp.push_back(r);
    }
    REQUIRE(lmp.size() == frames.size());
    const auto types = frames[0].types();
    for (bool flags : {true, false}) {  // image flags, or minimum-image increments
        INFO((flags ? "image flags" : "minimum-image unwrapping"));
        const auto u = unwrapped(frames, flags);
        double worst = 0;
        for (std::size_t t = 0; t < frames.size(); ++t) {
            REQUIRE(double(frames[t].timestep) == lmp[t][0]);
            const auto m = displacement_statistics<double>(u[0], u[t], types, 2);
            for (int g = 0; g < 3; ++g) {
                const double want = lmp[t][std::size_t(g) + 1];
                INFO("frame " << t << " group " << g);
                REQUIRE(std::abs(m[std::size_t(g)].msd() - want) <= 1e-10 * want + 1e-20);
                if (want > 1e-12) worst = std::max(worst, std::abs(m[std::size_t(g)].msd() - want) / want);
            }
        }
        WARN("max relative difference to LAMMPS msd (" << (flags ? "image flags" : "min-image") << "): " << worst);
    }
    CHECK(lmp.back()[1] > 2.0);  // atoms diffuse beyond their cage: unwrapping matters
}

TEST_CASE("msd: time-origin averages equal a direct double loop, serial and OpenMP identical", "[msd]") {
    const auto frames = tessera_test::read_reference_frames("msd/cuzr_liquid.dump");
    const auto u = unwrapped(frames, true);
    const auto types = frames[0].types();
    const std::vector<std::size_t> lags{0, 1, 3, 7, 12};
    const auto q = commensurate_q_vectors(frames[0].box_cell(), 2.7, 0.2);
    displacement_correlator<double> c1(lags, 2, q, 2), c2(lags, 2, q, 2);
    for (const auto& r : u) {
        c1.add(r, types, openmp_policy{1});
        c2.add(r, types, openmp_policy{2});
    }
    for (std::size_t l = 0; l < lags.size(); ++l) {
        double s2 = 0, s4 = 0, sf = 0;
        std::uint64_t count = 0;
        for (std::size_t t0 = 0; t0 + lags[l] < u.size(); t0 += 2)
            for (std::size_t i = 0; i < u[0].size(); ++i) {
                const vec3<double> d = u[t0 + lags[l]][i] - u[t0][i];
                s2 += norm2(d);
                s4 += norm2(d) * norm2(d);
                double c = 0;
                for (const auto& v : q) c += std::cos(dot(v, d));
                sf += c / double(q.size());
                ++count;
            }
        const auto& m = c1.moments(l);
        INFO("lag " << lags[l]);
        CHECK(m.count == count);
        CHECK(m.msd() == Approx(s2 / double(count)).epsilon(1e-12).margin(1e-300));
        CHECK(m.alpha2() == Approx(non_gaussian_parameter(s2 / double(count), s4 / double(count))).epsilon(1e-10).margin(1e-12));
        CHECK(m.fs() == Approx(sf / double(count)).epsilon(1e-12));
        CHECK(c2.moments(l).sum2 == m.sum2);  // bit-identical for any thread count
        CHECK(c2.moments(l).sum_fs == m.sum_fs);
        CHECK(c1.moments(l, 1).count + c1.moments(l, 2).count == count);
    }
    CHECK(c1.moments(0).msd() == 0.0);
    CHECK(c1.moments(0).alpha2() == 0.0);
    CHECK(c1.moments(0).fs() == Approx(1.0).epsilon(1e-15));
}

TEST_CASE("msd: alpha2 vanishes for Gaussian displacements and is exact for a two-population mixture", "[msd]") {
    // Gaussian, N = 200000: the estimator's standard deviation is ≈ 1.5/√N ≈ 0.0034, so
    // |α₂| < 0.02 is a ~6σ bound (the seed is fixed; the bound is not tuned to it).
    std::mt19937_64 g(2024);
    std::normal_distribution<double> gauss(0.0, 0.4);
    const std::size_t n = 200000;
    std::vector<vec3<double>> r0(n), r1(n);
    for (std::size_t i = 0; i < n; ++i) {
        r0[i] = {double(i % 97), double(i % 89), double(i % 83)};
        r1[i] = r0[i] + vec3<double>{gauss(g), gauss(g), gauss(g)};
    }
    const auto m = displacement_statistics<double>(r0, r1, {}, 0);
    CHECK(std::abs(m[0].alpha2()) < 0.02);
    CHECK(m[0].msd() == Approx(3 * 0.16).epsilon(0.01));
    // Deterministic: half the atoms move by a, half by b (|Δr| fixed): ⟨r²⟩ = (a²+b²)/2,
    // ⟨r⁴⟩ = (a⁴+b⁴)/2 → α₂ = 3(a⁴+b⁴)/2 / (5 ((a²+b²)/2)²) − 1.
    std::vector<vec3<double>> p0(4, vec3<double>{}), p1{{1, 0, 0}, {0, 1, 0}, {0, 0, 3}, {3, 0, 0}};
    const auto mm = displacement_statistics<double>(p0, p1, {}, 0);
    CHECK(mm[0].msd() == 5.0);
    CHECK(mm[0].alpha2() == Approx(3.0 * 41.0 / (5.0 * 25.0) - 1.0).epsilon(1e-15));
}

TEST_CASE("msd: F_s over commensurate q-vectors equals a direct sum, tau_alpha on an exponential", "[msd][isf]") {
    for (int tri = 0; tri < 2; ++tri) {
        INFO((tri ? "triclinic" : "orthogonal"));
        const triclinic_box<double> b({0, 0, 0}, {12.0, 13.0, 14.0}, tri ? 3.0 : 0.0, tri ? -2.0 : 0.0, tri ? 1.5 : 0.0);
        const double q0 = 2.5, dq = 0.3;
        const auto q = commensurate_q_vectors(b.cell(), q0, dq);
        // Independent enumeration: reciprocal basis from a·b* = 2π δ, all m in [-12, 12]³.
        const mat3<double> h = b.cell();
        const vec3<double> a1 = h.column(0), a2 = h.column(1), a3 = h.column(2);
        const double vol = dot(a1, cross(a2, a3));
        const vec3<double> b1 = cross(a2, a3) * (2 * M_PI / vol), b2 = cross(a3, a1) * (2 * M_PI / vol),
                           b3 = cross(a1, a2) * (2 * M_PI / vol);
        std::vector<vec3<double>> ref;
        for (int i = -12; i <= 12; ++i)
            for (int j = -12; j <= 12; ++j)
                for (int k = -12; k <= 12; ++k) {
                    const vec3<double> v = b1 * double(i) + b2 * double(j) + b3 * double(k);
                    if (std::abs(norm(v) - q0) <= dq / 2 && (i || j || k)) ref.push_back(v);
                }
        REQUIRE(q.size() == ref.size());
        REQUIRE(q.size() > 20);
        std::mt19937_64 g(7);
        std::normal_distribution<double> gauss(0.0, 0.5);
        std::vector<vec3<double>> r0(500), r1(500);
        for (std::size_t i = 0; i < r0.size(); ++i) {
            r0[i] = {gauss(g) * 10, gauss(g) * 10, gauss(g) * 10};
            r1[i] = r0[i] + vec3<double>{gauss(g), gauss(g), gauss(g)};
        }
        double direct = 0;
        for (std::size_t i = 0; i < r0.size(); ++i)
            for (const auto& v : ref) direct += std::cos(dot(v, r1[i] - r0[i]));
        direct /= double(r0.size() * ref.size());
        const auto m = displacement_statistics<double>(r0, r1, {}, 0, q);
        CHECK(m[0].fs() == Approx(direct).epsilon(1e-12));
        CHECK(m[0].fs() < 0.9);  // the displacements decorrelate: a non-trivial value
    }
    CHECK_THROWS_WITH(commensurate_q_vectors(mat3<double>::diagonal(5, 5, 5), 0.3, 0.01), Catch::Contains("no q-vector"));

    // τ_α: F_s = exp(-t/τ) on a grid of 0.01: linear interpolation error ≲ Δt²/(8τ) ≈ 1e-5 τ.
    const double tau = 2.5;
    std::vector<double> t, fs;
    for (int k = 0; k <= 1000; ++k) {
        t.push_back(0.01 * k);
        fs.push_back(std::exp(-t.back() / tau));
    }
    const auto ta = tau_alpha(t, fs);
    REQUIRE(ta.has_value());
    CHECK(std::abs(*ta - tau) < 1e-5 * tau);
    // Exact on piecewise-linear data; nullopt when never reached.
    const std::vector<double> tl{0, 1, 2}, fl{1.0, 0.5, 0.2};
    CHECK(*tau_alpha(tl, fl) == Approx(1.0 + (std::exp(-1.0) - 0.5) / (0.2 - 0.5)).epsilon(1e-15));
    const std::vector<double> fh{1.0, 0.9, 0.8};
    CHECK_FALSE(tau_alpha(tl, fh).has_value());
}

TEST_CASE("msd: per-atom lag displacements and lg(dr^2/T) features", "[msd]") {
    const auto frames = tessera_test::read_reference_frames("msd/cuzr_liquid.dump");
    const auto u = unwrapped(frames, true);
    lag_displacements<double> lag({1, 5, 20});
    for (const auto& r : u) lag.add(r);
    REQUIRE(lag.complete());
    const auto feats = lg_msd_features(lag.sq(), 1600.0);
    for (std::size_t i = 0; i < u[0].size(); i += 37)
        for (std::size_t l = 0; l < 3; ++l) {
            const std::size_t t = l == 0 ? 1 : (l == 1 ? 5 : 20);
            CHECK(feats[i * 3 + l] == Approx(std::log10(norm2(u[t][i] - u[0][i]) / 1600.0)).epsilon(1e-14));
        }
    // A resting atom gets the floor, not -inf.
    const std::vector<std::vector<double>> zero{{0.0}};
    CHECK(lg_msd_features(zero, 100.0, 1e-6)[0] == Approx(-8.0).epsilon(1e-15));
}

TEST_CASE("msd: vibrational MSD is the time average of |r - r_ref|^2 by id, across periodic boundaries",
          "[msd][vmsd]") {
    const orthogonal_box<double> b({0, 0, 0}, {10, 10, 10});
    const std::vector<std::array<double, 3>> ref{{0.05, 5, 5}, {5, 5, 9.95}, {3, 3, 3}};
    const std::vector<std::int64_t> ids{10, 20, 30};
    vibrational_msd<double> v(ref, ids);
    // Frame 1 (rows reversed): atom 10 moved -0.1 in x across the boundary, 20 +0.1 in z across.
    const std::vector<std::array<double, 3>> f1{{3, 3, 3.2}, {5, 5, 0.05}, {9.95, 5, 5}};
    const std::vector<std::int64_t> ids1{30, 20, 10};
    v.add(f1, b, ids1);
    const std::vector<std::array<double, 3>> f2{{0.05, 5.3, 5}, {5, 5, 9.95}, {3, 3, 3}};
    v.add(f2, b, ids);
    const auto vals = v.values();
    REQUIRE(v.frames() == 2);
    CHECK(vals[0] == Approx((0.01 + 0.09) / 2).epsilon(1e-12));
    CHECK(vals[1] == Approx(0.01 / 2).epsilon(1e-12));
    CHECK(vals[2] == Approx(0.04 / 2).epsilon(1e-12));
    CHECK_THROWS_WITH(v.add(f2, b, std::vector<std::int64_t>{10, 20, 31}), Catch::Contains("atom id"));
}
