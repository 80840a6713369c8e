// descriptors/chemical_order.hpp + pair_coordination: B2, random alloy, brute force, invariances.
#include <tessera/descriptors/chemical_order.hpp>
#include <tessera/descriptors/coordination.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

using namespace tessera;
using points = std::vector<std::array<double, 3>>;

namespace {
// B2 (CsCl): type 1 on corners, type 2 on body centres.
void b2(int m, double a, points& p, std::vector<int>& t) {
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j)
            for (int k = 0; k < m; ++k) {
                p.push_back({i * a, j * a, k * a});
                t.push_back(1);
                p.push_back({(i + 0.5) * a, (j + 0.5) * a, (k + 0.5) * a});
                t.push_back(2);
            }
}
const pair_coordination cuzr_shell = pair_coordination::from_pairs({{{1, 1}, 3.05}, {{1, 2}, 3.75}, {{2, 2}, 4.35}});
}  // namespace

TEST_CASE("chemical_order: perfect B2 has alpha_AB = eta_AB = -1 in the first shell", "[chemical_order]") {
    points p;
    std::vector<int> t;
    b2(6, 3.2, p, t);
    const orthogonal_box<double> box({0, 0, 0}, {6 * 3.2, 6 * 3.2, 6 * 3.2});
    const chemical_order co{3.0};  // first shell 2.77, second 3.2
    const auto out = pipeline(ball{3.0}, co).run(p, box, {.types = t});
    REQUIRE(out.names() == std::vector<std::string>{"alpha_1", "alpha_2", "eta_1", "eta_2"});
    for (std::size_t i = 0; i < p.size(); ++i) {
        const std::size_t other = t[i] == 1 ? 1 : 0, same = 1 - other;
        REQUIRE(out.get<0>(other)[i] == Approx(-1.0));
        REQUIRE(out.get<0>(same)[i] == Approx(1.0));
        REQUIRE(out.get<0>(2 + other)[i] == Approx(-1.0));
    }
    const auto list = find_neighbors<double>(p, box, ball{3.0});
    const auto s = chemical_order_summary(co, list, {.types = t});
    CHECK(s.alpha[1][2] == Approx(-1.0));
    CHECK(s.alpha[2][1] == Approx(-1.0));
    CHECK(s.alpha[1][1] == Approx(1.0));
    CHECK(s.eta[1][2] == Approx(-1.0));
    CHECK(s.z_star[1][2] == Approx(4.0));
    CHECK(s.z[1] == 8.0);
}

TEST_CASE("chemical_order: a random alloy has alpha ~ 0", "[chemical_order]") {
    points p;
    std::vector<int> t;
    b2(14, 3.2, p, t);  // bcc sites, 5488 atoms
    std::mt19937_64 g(3);
    std::shuffle(t.begin(), t.end(), g);
    const orthogonal_box<double> box({0, 0, 0}, {14 * 3.2, 14 * 3.2, 14 * 3.2});
    const auto list = find_neighbors<double>(p, box, ball{3.0});
    const auto s = chemical_order_summary(chemical_order{3.0}, list, {.types = t});
    for (int a = 1; a <= 2; ++a)
        for (int b = 1; b <= 2; ++b) {
            CHECK(std::abs(s.alpha[a][b]) < 0.03);  // σ ≈ 1/sqrt(N Z/2) ≈ 0.007
            CHECK(std::abs(s.eta[a][b]) < 0.03);
        }
}

TEST_CASE("chemical_order and pair_coordination: equal brute-force per-pair-cutoff counts",
          "[chemical_order][pair_coordination]") {
    const double len = 17.0;
    std::mt19937_64 g(11);
    std::uniform_real_distribution<double> u(0, len);
    points p(900);
    for (auto& q : p) q = {u(g), u(g), u(g)};
    std::vector<int> t(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) t[i] = (i * 5) % 7 < 3 ? 1 : 2;
    const orthogonal_box<double> box({0, 0, 0}, {len, len, len});
    const auto out = pipeline(ball{cuzr_shell.max_cutoff()}, cuzr_shell, chemical_order{0, cuzr_shell})
                         .run(p, box, {.types = t}, openmp_policy{2});
    REQUIRE(out.names_of<0>() == std::vector<std::string>{"coord", "coord_1", "coord_2"});
    double c[3] = {0, 0, 0};
    for (int x : t) c[x] += 1.0 / double(t.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
        double z[3] = {0, 0, 0};
        for (std::size_t j = 0; j < p.size(); ++j) {
            if (j == i) continue;
            double r2 = 0;
            for (int d = 0; d < 3; ++d) {
                double x = p[j][d] - p[i][d];
                x -= len * std::round(x / len);
                r2 += x * x;
            }
            const double rc = t[i] == 2 && t[j] == 2 ? 4.35 : (t[i] == 1 && t[j] == 1 ? 3.05 : 3.75);
            if (r2 < rc * rc) {
                z[0] += 1;
                z[t[j]] += 1;
            }
        }
        for (int b = 0; b <= 2; ++b) REQUIRE(out.get<0>(std::size_t(b))[i] == z[b]);
        for (int b = 1; b <= 2; ++b)
            REQUIRE(out.get<1>(std::size_t(b - 1))[i] == Approx(z[0] > 0 ? 1 - z[b] / (c[b] * z[0]) : 0.0));
    }
}

TEST_CASE("chemical_order: permutation invariant and thread-count independent", "[chemical_order][invariance]") {
    points p;
    std::vector<int> t;
    b2(5, 3.2, p, t);
    std::mt19937_64 g(4);
    std::normal_distribution<double> nd(0, 0.15);
    for (auto& q : p)
        for (auto& x : q) x += nd(g);
    std::shuffle(t.begin(), t.end(), g);
    const orthogonal_box<double> box({0, 0, 0}, {16, 16, 16});
    const auto pipe = pipeline(ball{4.35}, chemical_order{0, cuzr_shell});
    const auto o1 = pipe.run(p, box, {.types = t});
    const auto o2 = pipe.run(p, box, {.types = t}, openmp_policy{2});
    std::vector<std::size_t> perm(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) perm[i] = (i * 7 + 3) % p.size();  // 7 coprime to 250
    points q(p.size());
    std::vector<int> qt(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
        q[perm[i]] = p[i];
        qt[perm[i]] = t[i];
    }
    const auto o3 = pipe.run(q, box, {.types = qt});
    for (std::size_t c = 0; c < 4; ++c)
        for (std::size_t i = 0; i < p.size(); ++i) {
            REQUIRE(o2.get<0>(c)[i] == o1.get<0>(c)[i]);
            REQUIRE(o3.get<0>(c)[perm[i]] == Approx(o1.get<0>(c)[i]).epsilon(1e-14));
        }
}

TEST_CASE("chemical_order and pair_coordination: bad input is an error", "[chemical_order][errors]") {
    const points p{{0, 0, 0}, {1, 0, 0}};
    CHECK_THROWS_WITH(pipeline(ball{2.0}, chemical_order{1.0}).run(p, open_box<double>{}),
                      Catch::Contains("needs particle types"));
    const std::vector<int> t{1, 2};
    CHECK_THROWS_WITH(pipeline(ball{4.0}, cuzr_shell).run(p, open_box<double>{}, {.types = t}) .size(), Catch::Contains("exceeds"));
    pair_coordination bad(2);
    CHECK_THROWS(bad.set(3, 1, 1.0));
    CHECK_THROWS(bad.set(1, 1, -1.0));
}
