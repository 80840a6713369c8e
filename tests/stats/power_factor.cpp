// tests for include/tessera/stats/power_factor.hpp against a NumPy brute force
// (tests/reference/stats/power_factor.txt, make_stats_reference.py: np.quantile(x, [tail, 1 - tail])
// with the default method='linear', strict comparisons, counts and ratios): continuous and heavily
// tied synthetic fields, the inf and NaN ratio cases, and a real one — whether an atom's D²min in
// the first AQS step (and its integer neighbour count) predicts that it is among the 5 % most
// non-affine atoms of the last step (tests/reference/d2min).
//
// Tolerances: none. The thresholds must equal numpy's to the bit (the same interpolation with the
// same rounding; an ulp off would move atoms that sit on a threshold between groups, and with
// tied data they do), and the counts and count ratios are then exact.

#include <tessera/stats/power_factor.hpp>

#include "../support/stats_reference.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

const tessera_test::stats_reference& ref() {
    static const tessera_test::stats_reference r("power_factor.txt");
    return r;
}

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

void check_against(const std::string& key, const tessera::power_factor_result& r) {
    const auto& e = ref()[key];
    INFO(key);
    CHECK(r.threshold_low == e[0]);
    CHECK(r.threshold_high == e[1]);
    CHECK(double(r.n_low) == e[2]);
    CHECK(double(r.events_low) == e[3]);
    CHECK(double(r.n_high) == e[4]);
    CHECK(double(r.events_high) == e[5]);
    CHECK(same(r.p_low, e[6]));
    CHECK(same(r.p_high, e[7]));
    CHECK(same(r.ratio, e[8]));
}

std::vector<unsigned char> mask(const std::vector<double>& v) {
    std::vector<unsigned char> m(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) m[i] = v[i] != 0;
    return m;
}

const char* const tails[] = {"0.05", "0.1", "0.25", "0.5"};

}  // namespace

TEST_CASE("power_factor: NumPy brute force on synthetic fields", "[stats][power_factor]") {
    for (const char* name : {"rand1000", "ties500", "nolow40", "none40"}) {
        const auto& x = ref()[std::string("x_") + name];
        const auto ev = mask(ref()[std::string("event_") + name]);
        for (const char* t : tails)
            check_against(std::string("pf_") + name + "_" + t, tessera::power_factor(x, ev, std::stod(t)));
    }
}

TEST_CASE("power_factor: real D²min of a CuZr AQS run predicting its last-step rearrangements", "[stats][power_factor]") {
    const auto ev = mask(ref()["event_real_d2min"]);
    const auto first_d2min = tessera_test::d2min_column(0, 1, 2), neighbours = tessera_test::d2min_column(0, 1, 1);
    REQUIRE(first_d2min.size() == ev.size());
    for (const char* t : tails) {
        check_against(std::string("pf_real_d2min_") + t, tessera::power_factor(first_d2min, ev, std::stod(t)));
        check_against(std::string("pf_real_count_") + t, tessera::power_factor(neighbours, ev, std::stod(t)));
    }
}

TEST_CASE("power_factor: the default tail is the paper's 5 %", "[stats][power_factor]") {
    const auto& x = ref()["x_rand1000"];
    const auto ev = mask(ref()["event_rand1000"]);
    check_against("pf_rand1000_0.05", tessera::power_factor(x, ev));
}

TEST_CASE("power_factor: permutation invariance (sorting makes it exact)", "[stats][power_factor][property]") {
    for (const char* name : {"rand1000", "ties500"}) {
        const auto& x = ref()[std::string("x_") + name];
        const auto ev = mask(ref()[std::string("event_") + name]);
        std::vector<std::size_t> perm(x.size());
        std::iota(perm.begin(), perm.end(), std::size_t(0));
        std::shuffle(perm.begin(), perm.end(), std::mt19937_64(3));
        std::vector<double> xp(x.size());
        std::vector<unsigned char> ep(x.size());
        for (std::size_t i = 0; i < x.size(); ++i) {
            xp[i] = x[perm[i]];
            ep[i] = ev[perm[i]];
        }
        for (const char* t : tails)
            check_against(std::string("pf_") + name + "_" + t, tessera::power_factor(xp, ep, std::stod(t)));
    }
}

TEST_CASE("power_factor: quantile_linear_sorted is numpy's 'linear'", "[stats][power_factor]") {
    const std::vector<double> v{1, 2, 4, 8};
    CHECK(tessera::quantile_linear_sorted(v, 0.0) == 1);
    CHECK(tessera::quantile_linear_sorted(v, 1.0) == 8);
    CHECK(tessera::quantile_linear_sorted(v, 0.5) == 3);   // h = 1.5: 2 + 0.5·2
    CHECK(tessera::quantile_linear_sorted(v, 0.25) == 1.75);  // h = 0.75: 2 − 0.25·1 (γ ≥ ½ from above)
    CHECK(tessera::quantile_linear_sorted(std::vector<double>{5}, 0.3) == 5);
}

TEST_CASE("power_factor: bad input is an error", "[stats][power_factor][errors]") {
    const std::vector<double> x{1, 2, 3};
    const std::vector<unsigned char> ev{0, 1, 0}, short_ev{0, 1};
    CHECK_THROWS_WITH(tessera::power_factor(x, short_ev), Catch::Contains("event mask"));
    CHECK_THROWS_WITH(tessera::power_factor(x, ev, 0.0), Catch::Contains("tail"));
    CHECK_THROWS_WITH(tessera::power_factor(x, ev, 0.6), Catch::Contains("tail"));
    CHECK_THROWS_WITH(tessera::power_factor(std::vector<double>{1}, std::vector<unsigned char>{1}),
                      Catch::Contains("at least 2"));
    const std::vector<double> bad{1, INFINITY, 3};
    CHECK_THROWS_WITH(tessera::power_factor(bad, ev), Catch::Contains("non-finite") && Catch::Contains("row 1"));
}
