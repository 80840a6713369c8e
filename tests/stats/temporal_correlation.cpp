// stats/temporal_correlation.hpp: streaming TACF, per-voxel TACF and relaxation times against the
// NumPy brute force of tests/reference/stats/make_correlation_reference.py on a real trajectory
// (the 21-frame CuZr liquid of tests/reference/msd, Zr fraction voxelised 4×4×4), missing values,
// streaming = all-origins, errors.
#include <tessera/io/lammps_dump.hpp>
#include <tessera/stats/temporal_correlation.hpp>

#include "../support/learn_reference.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace tessera;

namespace {
const std::string cdir = "../stats/correlation/";  // read_csv resolves names under learn/

temporal_correlation liquid(tacf_reference mode, std::size_t max_lag) {
    lammps_dump_reader r(std::string(TESSERA_TEST_DATA_DIR) + "/msd/cuzr_liquid.dump");
    frame f;
    temporal_correlation acc(64, max_lag, mode);
    voxel_field v;
    std::vector<std::size_t> scratch;
    while (r.next(f)) {
        const auto types = f.column("type");
        std::vector<double> zr(types.begin(), types.end());
        for (auto& x : zr) x -= 1.0;  // Zr indicator
        const auto& b = std::get<orthogonal_box<double>>(f.box);
        voxelize(f.positions(), b, std::span<const double>(zr), {4, 4, 4}, v, scratch);
        acc.add_frame(v);
    }
    return acc;
}

void check_mode(tacf_reference mode, const std::string& name) {
    const auto acc = liquid(mode, 8);
    CHECK(acc.frames() == 21);
    CHECK(acc.memory_bytes() == 24 * 64 * 9 + 8 * 9);
    const auto t = acc.result();
    const auto ref = tessera_test::read_csv(cdir + "tacf_" + name + ".csv");
    const auto sites = tessera_test::read_csv(cdir + "tacf_" + name + "_sites.csv");
    const auto tc = tessera_test::read_csv(cdir + "tacf_" + name + "_tc.csv");
    REQUIRE(ref.rows.size() == 9);
    // The same products summed in another order: |Δ| <= (samples · ε) · mean|product|; 1e-12 of
    // the mean |product| (column "scale") leaves a wide margin for ≤ 1344 terms.
    for (std::size_t k = 0; k < 9; ++k) {
        INFO(name << " lag " << k);
        CHECK(t.samples[k] == std::uint64_t(ref.rows[k][1]));
        CHECK(std::abs(t.tacf[k] - ref.rows[k][2]) <= 1e-12 * ref.rows[k][4]);
        CHECK(std::abs(t.tacf_normalised[k] - ref.rows[k][3]) <= 1e-12 * ref.rows[k][4] / t.tacf[0]);
    }
    REQUIRE(sites.rows.size() == 64 * 9);
    for (const auto& row : sites.rows) {
        const auto v = std::size_t(row[0]), k = std::size_t(row[1]);
        INFO(name << " site " << v << " lag " << k);
        CHECK(t.site_samples[v * 9 + k] == std::uint64_t(row[2]));
        CHECK(std::abs(t.site(v, k) - row[3]) <= 1e-12 * ref.rows[k][4]);
    }
    const auto ri = relaxation_times(t), rf = relaxation_times(t, false);
    CHECK(ri.crossed + ri.censored + ri.undefined == 64);
    std::size_t nan = 0;
    for (const auto& row : tc.rows) {
        const auto v = std::size_t(row[0]);
        INFO(name << " site " << v);
        if (std::isnan(row[1])) {
            ++nan;
            CHECK(std::isnan(ri.t_c[v]));
            CHECK(std::isnan(rf.t_c[v]));
        } else {
            // interpolation divides differences of ~1e-3 values known to 1e-12 of ~1e-2
            CHECK(std::abs(ri.t_c[v] - row[1]) <= 1e-9);
            CHECK(rf.t_c[v] == row[2]);
        }
    }
    CHECK(nan == ri.censored + ri.undefined);
    CHECK(ri.crossed > 10);
}
}  // namespace

TEST_CASE("temporal_correlation: TACF of the voxelised Zr fraction of a CuZr liquid matches NumPy", "[tacf]") {
    check_mode(tacf_reference::each_frame, "each_frame");
    check_mode(tacf_reference::origin_frame, "origin_frame");
}

TEST_CASE("temporal_correlation: streaming equals the all-origins average, missing values drop pairs",
          "[tacf]") {
    // Random series with holes: compare with a direct double loop over stored frames.
    std::mt19937_64 rng(11);
    std::normal_distribution<double> g(0.3, 1.0);
    const std::size_t sites = 7, T = 40, L = 12;
    std::vector<std::vector<double>> x(T, std::vector<double>(sites));
    for (auto& fr : x)
        for (auto& v : fr) v = (rng() % 9 == 0) ? std::nan("") : g(rng);
    temporal_correlation acc(sites, L);
    std::vector<double> m(T);
    for (std::size_t t = 0; t < T; ++t) {
        double s = 0;
        std::size_t n = 0;
        for (const double v : x[t])
            if (!std::isnan(v)) {
                s += v;
                ++n;
            }
        m[t] = s / double(n);
        acc.add_frame(x[t]);
    }
    const auto r = acc.result();
    for (std::size_t k = 0; k <= L; ++k) {
        double s = 0;
        std::uint64_t c = 0;
        for (std::size_t v = 0; v < sites; ++v) {
            double sv = 0;
            std::uint64_t cv = 0;
            for (std::size_t t0 = 0; t0 + k < T; ++t0) {
                if (std::isnan(x[t0][v]) || std::isnan(x[t0 + k][v])) continue;
                sv += (x[t0][v] - m[t0]) * (x[t0 + k][v] - m[t0 + k]);
                ++cv;
            }
            CHECK(r.site_samples[v * (L + 1) + k] == cv);
            CHECK(r.site(v, k) == Approx(sv / double(cv)).epsilon(1e-13));
            s += sv;
            c += cv;
        }
        CHECK(r.samples[k] == c);
        CHECK(r.tacf[k] == Approx(s / double(c)).epsilon(1e-13));
    }
    CHECK(r.tacf_normalised[0] == 1.0);
    // Memory does not grow with the number of frames.
    const std::size_t bytes = acc.memory_bytes();
    for (std::size_t t = 0; t < 100; ++t) acc.add_frame(x[t % T]);
    CHECK(acc.memory_bytes() == bytes);
}

TEST_CASE("temporal_correlation: relaxation times by hand, censored and undefined sites", "[tacf]") {
    temporal_correlation_table t;
    t.sites = 3;
    t.max_lag = 4;
    t.site_tacf = {1.0, 0.5, 0.2, -0.2, -0.1,   // crosses between 2 and 3: t_c = 2.5
                   1.0, 0.9, 0.8, 0.7, 0.6,     // never: censored
                   0.0, 0.0, 0.0, 0.0, 0.0};    // no fluctuation: undefined
    t.site_samples = {5, 0, 3, 2, 1, 5, 4, 3, 2, 1, 5, 4, 3, 2, 1};  // site 0 has no sample at lag 1
    const auto r = relaxation_times(t);
    CHECK(r.t_c[0] == Approx(2.5));
    CHECK(std::isnan(r.t_c[1]));
    CHECK(std::isnan(r.t_c[2]));
    CHECK(r.crossed == 1);
    CHECK(r.censored == 1);
    CHECK(r.undefined == 1);
    CHECK(relaxation_times(t, false).t_c[0] == 3.0);
    // lag 1 is skipped, so the interpolation runs from lag 0 when lag 2 is the first crossing
    t.site_tacf[2] = -0.5;
    CHECK(relaxation_times(t).t_c[0] == Approx(0.0 + 2.0 * 1.0 / 1.5));
}

TEST_CASE("temporal_correlation: bad input throws tessera::error", "[tacf][errors]") {
    CHECK_THROWS_AS(temporal_correlation(0, 3), error);
    temporal_correlation acc(3, 2);
    const std::vector<double> two{1, 2};
    CHECK_THROWS_AS(acc.add_frame(two), error);
    const std::vector<double> inf{1, std::numeric_limits<double>::infinity(), 2};
    CHECK_THROWS_AS(acc.add_frame(inf), error);
    const std::vector<double> none{std::nan(""), std::nan(""), std::nan("")};
    CHECK_THROWS_AS(acc.add_frame(none), error);  // no mean to subtract
    temporal_correlation raw(3, 2, tacf_reference::none);
    CHECK_NOTHROW(raw.add_frame(none));
}
