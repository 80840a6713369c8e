// tests for include/tessera/stats/savgol.hpp against scipy.signal.savgol_filter 1.10.1
// (mode='interp') and against the same filter in exact rational arithmetic
// (tests/reference/stats/savgol.txt, make_stats_reference.py): Gaussian noise and a noisy sine
// with windows 1 … 51, polyorders 0 … 6, derivatives 0 … 3 (3 > polyorder: zeros) and spacings
// delta ≠ 1; and real LENS series (seed 000) of a CuZr liquid trajectory
// (tests/reference/msd/cuzr_liquid.dump, r_cut 3.7 Å): the per-frame sum and two atoms.
//
// Tolerances, relative to the scale s = max|y| / delta^deriv of the signal:
// - against the exact filter: 1e-14·s — tessera's weights come from an orthonormal basis on the
//   window (errors of a few ulps), then one sum of window_length rounded products;
// - against scipy: 1e-12·s, the figure asked for, except where scipy itself is farther from the
//   exact filter: its error grows with the conditioning of the raw Vandermonde matrix it passes
//   to lstsq. Measured (max over the series, units of s): tessera − exact ≤ 7.5e-16 everywhere;
//   scipy − exact 4.0e-13 (noise, 21, 4), 3.1e-12 (noise, 31, 5), 1.3e-8 (sine, 51, 6), ≤ 7e-15
//   on every other case including all LENS series — so the window-31 and window-51 cases are
//   checked as |tessera − scipy| <= |scipy − exact| + 1e-14.

#include <tessera/stats/savgol.hpp>

#include "../support/stats_reference.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

const tessera_test::stats_reference& ref() {
    static const tessera_test::stats_reference r("savgol.txt");
    return r;
}

struct params {
    std::size_t w, p, d;
    const char* delta;
};

}  // namespace

TEST_CASE("savgol_filter: scipy.signal.savgol_filter and the exact rational filter", "[stats][savgol]") {
    const std::vector<std::pair<const char*, std::vector<params>>> cases{
        {"noise",
         {{5, 2, 0, "1.0"},
          {11, 3, 0, "1.0"},
          {21, 4, 0, "1.0"},
          {31, 5, 0, "1.0"},
          {7, 2, 1, "0.5"},
          {9, 4, 2, "1.0"},
          {5, 1, 3, "1.0"},
          {1, 0, 0, "1.0"},
          {3, 2, 0, "1.0"}}},
        {"sine", {{11, 2, 0, "1.0"}, {15, 3, 1, "0.08"}, {51, 6, 0, "1.0"}}},
        {"lens_sum", {{5, 2, 0, "1.0"}, {7, 3, 0, "1.0"}, {7, 2, 1, "1.0"}, {19, 3, 0, "1.0"}}},
        {"lens_atom7", {{5, 2, 0, "1.0"}, {9, 3, 0, "1.0"}}},
        {"lens_atom100", {{5, 2, 0, "1.0"}, {7, 2, 1, "2.0"}}},
    };
    for (const auto& [name, list] : cases) {
        const auto& y = ref()[std::string("series_") + name];
        double ymax = 0;
        for (double v : y) ymax = std::max(ymax, std::abs(v));
        for (const auto& c : list) {
            const std::string key = std::string(name) + "_" + std::to_string(c.w) + "_" + std::to_string(c.p) + "_" +
                                    std::to_string(c.d) + "_" + c.delta;
            INFO(key);
            const double delta = std::stod(c.delta);
            const auto out = tessera::savgol_filter(y, c.w, c.p, c.d, delta);
            const auto& scipy = ref()["sg_" + key];
            const auto& exact = ref()["exact_" + key];
            REQUIRE(out.size() == y.size());
            const double s = ymax / std::pow(delta, double(c.d));
            double to_exact = 0, to_scipy = 0, scipy_to_exact = 0;
            for (std::size_t t = 0; t < y.size(); ++t) {
                to_exact = std::max(to_exact, std::abs(out[t] - exact[t]) / s);
                to_scipy = std::max(to_scipy, std::abs(out[t] - scipy[t]) / s);
                scipy_to_exact = std::max(scipy_to_exact, std::abs(scipy[t] - exact[t]) / s);
            }
            INFO("max |tessera - exact| / s = " << to_exact << ", |tessera - scipy| / s = " << to_scipy
                                                << ", |scipy - exact| / s = " << scipy_to_exact);
            CHECK(to_exact <= 1e-14);
            // Within 1e-12 of scipy — unless scipy itself is farther than that from the exact
            // filter, and then the whole difference must be scipy's own error.
            CHECK((to_scipy <= 1e-12 || to_scipy <= scipy_to_exact + 1e-14));
        }
    }
}

TEST_CASE("savgol_filter: polynomials up to polyorder pass through unchanged", "[stats][savgol][property]") {
    // y = 0.5 t³ − 2 t² + t − 3: a cubic filter reproduces it and its derivatives everywhere,
    // edges included (exact filter property; tolerance for the ~1e5 magnitudes at t ≈ 60).
    std::vector<double> y(60), dy(60), d2y(60);
    const double h = 0.25;  // sample spacing: x = h t
    for (std::size_t i = 0; i < y.size(); ++i) {
        const double x = h * double(i);
        y[i] = 0.5 * x * x * x - 2 * x * x + x - 3;
        dy[i] = 1.5 * x * x - 4 * x + 1;
        d2y[i] = 3 * x - 4;
    }
    const auto s0 = tessera::savgol_filter(y, 9, 3);
    const auto s1 = tessera::savgol_filter(y, 9, 3, 1, h);
    const auto s2 = tessera::savgol_filter(y, 9, 3, 2, h);
    for (std::size_t i = 0; i < y.size(); ++i) {
        CHECK(s0[i] == Approx(y[i]).margin(1e-12));
        CHECK(s1[i] == Approx(dy[i]).margin(1e-11));
        CHECK(s2[i] == Approx(d2y[i]).margin(1e-10));
    }
    const auto s4 = tessera::savgol_filter(y, 9, 3, 4, h);  // deriv > polyorder: zeros, as scipy
    CHECK(std::all_of(s4.begin(), s4.end(), [](double v) { return v == 0.0; }));
}

TEST_CASE("savgol_filter: the span overload writes in place of a result vector", "[stats][savgol]") {
    const auto& y = ref()["series_noise"];
    std::vector<double> out(y.size());
    tessera::savgol_filter(y, 11, 3, out);
    // The same code, inlined into two callers: with -march=native the compiler may fuse
    // multiply-adds differently in each, so the two agree to rounding (a few ulps of max|y|).
    const auto ref_out = tessera::savgol_filter(y, 11, 3);
    const double scale = std::abs(*std::max_element(y.begin(), y.end(), [](double a, double b) { return std::abs(a) < std::abs(b); }));
    REQUIRE(out.size() == ref_out.size());
    for (std::size_t i = 0; i < out.size(); ++i) CHECK(std::abs(out[i] - ref_out[i]) <= 1e-14 * scale);
}

TEST_CASE("savgol_filter: bad parameters are errors", "[stats][savgol][errors]") {
    const std::vector<double> y(10, 1.0);
    std::vector<double> out(9);
    CHECK_THROWS_WITH(tessera::savgol_filter(y, 4, 2), Catch::Contains("odd"));
    CHECK_THROWS_WITH(tessera::savgol_filter(y, 11, 2), Catch::Contains("exceeds the signal length"));
    CHECK_THROWS_WITH(tessera::savgol_filter(y, 5, 5), Catch::Contains("polyorder"));
    CHECK_THROWS_WITH(tessera::savgol_filter(y, 5, 2, 0, 0.0), Catch::Contains("delta"));
    CHECK_THROWS_WITH(tessera::savgol_filter(y, 5, 2, out), Catch::Contains("output"));
    std::vector<double> bad(y);
    bad[3] = NAN;
    CHECK_THROWS_WITH(tessera::savgol_filter(bad, 5, 2), Catch::Contains("index 3"));
}
