// cluster/onion.hpp: against the tropea-clustering code itself (tests/reference/cluster/
// make_onion_reference.py runs a verbatim copy of its onion_uni), recovery of known states in a
// synthetic 3-state signal, invariance under row order and thread count, errors.
#include <tessera/cluster/onion.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace tessera;

namespace {

struct table {
    std::vector<double> v;
    std::size_t rows = 0, cols = 0;
    feature_matrix_view view() const { return {v.data(), rows, cols, 0, {}}; }
};

table read_input(const std::string& name) {
    std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/cluster/onion_" + name + "_input.txt");
    REQUIRE(in);
    table t;
    for (std::string line; std::getline(in, line);) {
        std::istringstream is(line);
        std::size_t n = 0;
        for (double x; is >> x; ++n) t.v.push_back(x);
        if (t.rows++ == 0) t.cols = n;
        REQUIRE(n == t.cols);
    }
    return t;
}

struct reference_case {
    std::string name, input;
    onion_options opt;
    std::vector<onion_state> states;
    std::vector<int> labels;
};

std::vector<reference_case> read_reference() {
    std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/cluster/onion_reference.txt");
    REQUIRE(in);
    std::vector<reference_case> out;
    for (std::string line; std::getline(in, line);) {
        std::istringstream is(line);
        std::string kind;
        is >> kind;
        if (kind == "case") {
            reference_case c;
            int reassign;
            is >> c.name >> c.input >> c.opt.window >> c.opt.bins >> c.opt.number_of_sigmas >> reassign;
            c.opt.reassign_unclassified = reassign != 0;
            out.push_back(c);
        } else if (kind == "state") {
            onion_state s;
            is >> s.mean >> s.sigma >> s.area >> s.r2 >> s.fraction;
            out.back().states.push_back(s);
        } else if (kind == "labels") {
            for (int l; is >> l;) out.back().labels.push_back(l);
        }
    }
    return out;
}

// Markov switching between states (the truth is known per frame).
table switching(std::size_t rows, std::size_t cols, const std::vector<double>& mean, const std::vector<double>& sd,
                double p_switch, std::uint64_t seed, std::vector<int>* truth) {
    std::mt19937_64 g(seed);
    std::uniform_real_distribution<double> u(0, 1);
    std::normal_distribution<double> z(0, 1);
    table t{std::vector<double>(rows * cols), rows, cols};
    if (truth) truth->assign(rows * cols, 0);
    for (std::size_t i = 0; i < rows; ++i) {
        int s = int(u(g) * double(mean.size()));
        for (std::size_t k = 0; k < cols; ++k) {
            if (u(g) < p_switch) s = (s + 1 + int(u(g) * double(mean.size() - 1))) % int(mean.size());
            t.v[i * cols + k] = mean[std::size_t(s)] + sd[std::size_t(s)] * z(g);
            if (truth) (*truth)[i * cols + k] = s;
        }
    }
    return t;
}

}  // namespace

TEST_CASE("onion: identical to the tropea-clustering code (labels exactly, states to 1e-7)", "[cluster][onion]") {
    // Same KDE arithmetic and the same MINPACK Levenberg–Marquardt algorithm: the parameters
    // differ by rounding (Eigen's vs MINPACK's Householder QR, summation order) amplified at
    // most to the fit's stopping tolerance — LM stops once a step is below xtol = 1.49e-8
    // relative, and two runs whose rounding differs may stop one (linearly convergent) step
    // apart. Measured: ≤ 5e-10 of the scale (σ for μ and σ, A, 1 for R²); tolerance 1e-7. Any
    // change of rule (interval, start, bandwidth, grid) moves them by far more (≥ 1e-4).
    const auto cases = read_reference();
    REQUIRE(cases.size() == 5);
    std::map<std::string, table> inputs;
    double worst = 0;
    for (const auto& c : cases) {
        INFO("case " << c.name);
        if (!inputs.count(c.input)) inputs[c.input] = read_input(c.input);
        const table& x = inputs[c.input];
        const auto r = onion_cluster(x.view(), c.opt);
        REQUIRE(r.windows_per_series == x.cols / c.opt.window);
        REQUIRE(r.window_labels == c.labels);
        REQUIRE(r.states.size() == c.states.size());
        for (std::size_t k = 0; k < c.states.size(); ++k) {
            const auto &a = r.states[k], &b = c.states[k];
            INFO("state " << k);
            // The mean's scale is the state's width (a mean near 0 has no relative precision).
            for (auto [got, want, scale] : {std::array{a.mean, b.mean, b.sigma}, {a.sigma, b.sigma, b.sigma},
                                            {a.area, b.area, b.area}, {a.r2, b.r2, 1.0}}) {
                CHECK(std::abs(got - want) <= 1e-7 * std::abs(scale));
                worst = std::max(worst, std::abs(got - want) / std::abs(scale));
            }
            CHECK(a.fraction == b.fraction);  // a count over the same number of windows
        }
        const double uncl = double(std::count(c.labels.begin(), c.labels.end(), -1)) / double(c.labels.size());
        CHECK(r.unclassified_fraction == uncl);
    }
    WARN("largest relative difference of a state parameter to tropea-clustering: " << worst);
}

TEST_CASE("onion: recovers three noisy states, windows with a transition stay unclassified", "[cluster][onion]") {
    const std::vector<double> mean{0.0, 1.0, 2.5}, sd{0.10, 0.15, 0.10};
    std::vector<int> truth;
    const std::size_t rows = 100, cols = 1000, win = 10;
    const auto x = switching(rows, cols, mean, sd, 0.002, 99, &truth);
    const auto r = onion_cluster(x.view(), {.window = win});
    REQUIRE(r.states.size() == 3);
    std::size_t pure = 0, correct = 0, mixed = 0, mixed_unclassified = 0, wide = 0;
    std::vector<std::size_t> n_state(3, 0);
    for (std::size_t w = 0; w < rows * (cols / win); ++w) {
        const std::size_t i = w / (cols / win), k0 = (w % (cols / win)) * win;
        const int s = truth[i * cols + k0];
        bool same = true;
        for (std::size_t k = 1; k < win; ++k) same = same && truth[i * cols + k0 + k] == s;
        if (same) {
            ++pure;
            ++n_state[std::size_t(s)];
            const auto v = x.v.begin() + std::ptrdiff_t(i * cols + k0);
            const auto [lo, hi] = std::minmax_element(v, v + std::ptrdiff_t(win));
            const bool fits = *hi - *lo < 4 * r.states[std::size_t(s)].sigma;
            wide += !fits;
            correct += r.window_labels[w] == (fits ? s : -1);
        } else {
            ++mixed;
            mixed_unclassified += r.window_labels[w] == -1;
        }
    }
    // Means: the fit centres the peak of a kernel density; a symmetric kernel leaves the mean
    // unbiased, so it lies within a few standard errors sd/√n of the truth (n = values in the
    // state, ≥ 2·10⁴ here): 5 sd/√n is ~0.005 at most.
    for (std::size_t k = 0; k < 3; ++k) {
        INFO("state " << k);
        CHECK(std::abs(r.states[k].mean - mean[k]) < 5 * sd[k] / std::sqrt(double(n_state[k] * win)));
        // σ is √2 × the sd of the density that was fitted: the noise widened by the KDE's kernel,
        // so at least √2·sd and, with Scott's bandwidth on these data, not beyond 2·√2·sd.
        CHECK(r.states[k].sigma > std::sqrt(2.0) * sd[k]);
        CHECK(r.states[k].sigma < 2 * std::sqrt(2.0) * sd[k]);
    }
    // A window without a transition is labelled with its state when its range is below the
    // state's band 2 n_σ σ (n_σ = 2), else unclassified (the noise is Gaussian: a range of
    // 10 values beyond 4σ ≈ 5.8 sd happens ~1 in 1000); every window spanning a transition
    // (jumps ≥ 1 > 4σ) is unclassified — so the unclassified fraction is exactly those two.
    CHECK(correct == pure);
    CHECK(wide < pure / 200);
    CHECK(mixed_unclassified == mixed);
    CHECK(r.unclassified_fraction == double(mixed + wide) / double(pure + mixed));
    CHECK(mixed > 100);  // the data do have transitions (expected ~1.8 % of 10⁴ windows)
    double total = r.unclassified_fraction;
    for (const auto& s : r.states) total += s.fraction;
    CHECK(total == Approx(1.0).epsilon(1e-12));
}

TEST_CASE("onion: row order, thread count and the reassign option", "[cluster][onion]") {
    const auto x = switching(40, 600, {0.0, 1.0, 2.5}, {0.10, 0.15, 0.10}, 0.004, 5, nullptr);
    const onion_options opt{.window = 12};
    const auto r = onion_cluster(x.view(), opt);
    REQUIRE(r.states.size() == 3);
    // Reversed rows: the KDE sums the same values in another order, so parameters move by
    // rounding, amplified at most to the fit's stopping tolerance (xtol 1.49e-8); labels follow
    // their rows.
    table rev{std::vector<double>(x.v.size()), x.rows, x.cols};
    for (std::size_t i = 0; i < x.rows; ++i)
        std::copy_n(x.v.begin() + std::ptrdiff_t(i * x.cols), x.cols,
                    rev.v.begin() + std::ptrdiff_t((x.rows - 1 - i) * x.cols));
    const auto s = onion_cluster(rev.view(), opt);
    REQUIRE(s.states.size() == r.states.size());
    for (std::size_t k = 0; k < r.states.size(); ++k) {
        CHECK(std::abs(s.states[k].mean - r.states[k].mean) < 1e-7 * r.states[k].sigma);
        CHECK(s.states[k].sigma == Approx(r.states[k].sigma).epsilon(1e-7));
        CHECK(s.states[k].fraction == r.states[k].fraction);
    }
    const std::size_t per = r.windows_per_series;
    for (std::size_t i = 0; i < x.rows; ++i)
        for (std::size_t w = 0; w < per; ++w)
            REQUIRE(s.window_labels[(x.rows - 1 - i) * per + w] == r.window_labels[i * per + w]);
    // Threads split the KDE by grid point; each point sums in the same order.
    const auto t = onion_cluster(x.view(), opt, openmp_policy{2});
    CHECK(t.window_labels == r.window_labels);
    for (std::size_t k = 0; k < r.states.size(); ++k) CHECK(t.states[k].mean == r.states[k].mean);
    // Only iteration-classified windows: every label given is the one the default gives.
    auto only = opt;
    only.reassign_unclassified = false;
    const auto o = onion_cluster(x.view(), only);
    for (std::size_t w = 0; w < o.window_labels.size(); ++w)
        if (o.window_labels[w] >= 0) REQUIRE(o.window_labels[w] == r.window_labels[w]);
    CHECK(o.unclassified_fraction >= r.unclassified_fraction);
}

TEST_CASE("onion: degenerate data and errors", "[cluster][onion][errors]") {
    std::vector<double> flat(4 * 20, 1.5);
    const feature_matrix_view f{flat.data(), 4, 20, 0, {}};
    const auto r = onion_cluster(f, {.window = 5});  // zero variance: no state, nothing classified
    CHECK(r.states.empty());
    CHECK(r.window_labels == std::vector<int>(16, -1));
    CHECK(r.unclassified_fraction == 1.0);
    CHECK_THROWS_WITH(onion_cluster(f, {.window = 1}), Catch::Contains("window = 1"));
    CHECK_THROWS_WITH(onion_cluster(f, {.window = 5, .bins = 1}), Catch::Contains("bins = 1"));
    CHECK_THROWS_WITH(onion_cluster(f, {.window = 5, .number_of_sigmas = 0}), Catch::Contains("number_of_sigmas"));
    CHECK_THROWS_WITH(onion_cluster(feature_matrix_view{flat.data(), 1, 20, 0, {}}, {.window = 11}),
                      Catch::Contains("at least 2"));
    flat[7] = std::nan("");
    CHECK_THROWS_WITH(onion_cluster(f, {.window = 5}), Catch::Contains("row 0, column 7"));
}

TEST_CASE("onion: merge overlaps (exact integrals) equal the reference's quad", "[cluster][onion]") {
    // scipy's quad has epsabs = epsrel = 1.49e-8 on the integrals; the fractions agree to that.
    std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/cluster/onion_reference.txt");
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) {
        std::istringstream is(line);
        std::string kind;
        is >> kind;
        if (kind != "shared") continue;
        double a1, m1, s1, a2, m2, s2, f1, f2;
        is >> a1 >> m1 >> s1 >> a2 >> m2 >> s2 >> f1 >> f2;
        const auto [g1, g2] = detail::onion::shared_fractions({m1, s1, a1}, {m2, s2, a2});
        INFO("pair " << n);
        CHECK(std::abs(g1 - f1) < 1e-8 * std::max(1.0, f1));
        CHECK(std::abs(g2 - f2) < 1e-8 * std::max(1.0, f2));
        ++n;
    }
    CHECK(n == 6);
}
