// dynamics/timesoap.hpp: the chord between normalised SOAP vectors against sqrt(2 - 2 cos) in
// long double from the pipeline's SOAP columns; zero for identical frames; ids followed across
// a permutation; missing atoms; zero vectors; errors.
#include <tessera/dynamics/timesoap.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

using namespace tessera;
using points = std::vector<std::array<double, 3>>;

namespace {

struct system_t {
    points p;
    std::vector<std::int64_t> ids;
    std::vector<int> types;
};

system_t random_system(std::size_t n, double len, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    std::uniform_real_distribution<double> u(0, len);
    system_t s;
    for (std::size_t i = 0; i < n; ++i) {
        s.p.push_back({u(g), u(g), u(g)});
        s.ids.push_back(std::int64_t(1000 + 3 * i));
        s.types.push_back(1 + int(i % 3 == 0));
    }
    return s;
}

system_t moved(const system_t& s, double amount, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    std::normal_distribution<double> d(0, amount);
    system_t t = s;
    for (auto& q : t.p)
        for (auto& c : q) c += d(g);
    return t;
}

soap_parameters params() {
    soap_parameters p;
    p.r_cut = 4.0;
    p.n_max = 4;
    p.l_max = 4;
    p.sigma = 0.5;
    return p;
}

soap_frame frame_of(const system_t& s, double len, const soap& d) {
    soap_frame f;
    particle_properties props;
    props.types = s.types;
    props.num_types = 2;
    const orthogonal_box<double> box({0, 0, 0}, {len, len, len});
    compute_soap_frame(s.p, box, props, s.ids, d, f, "test frame");
    return f;
}

}  // namespace

TEST_CASE("timesoap: the chord between normalised SOAP vectors, zero for identical frames", "[timesoap]") {
    const double len = 14;
    const soap d(params());
    const system_t a = random_system(300, len, 4), b = moved(a, 0.15, 9);
    const soap_frame fa = frame_of(a, len, d), fb = frame_of(b, len, d);
    REQUIRE(fa.features == d.features(2));
    std::vector<double> out(b.p.size());
    timesoap(fa, fb, out);
    double worst = 0, largest = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        long double dot = 0, na = 0, nb = 0;
        for (std::size_t c = 0; c < fa.features; ++c) {
            dot += (long double)fa.value(i, c) * fb.value(i, c);
            na += (long double)fa.value(i, c) * fa.value(i, c);
            nb += (long double)fb.value(i, c) * fb.value(i, c);
        }
        const long double cosine = dot / std::sqrt(na * nb);
        const double ref = double(std::sqrt(std::max(0.0L, 2 - 2 * cosine)));
        worst = std::max(worst, std::abs(out[i] - ref) - 1e-12 * ref);
        largest = std::max(largest, out[i]);
    }
    // 2 - 2 cos in long double loses ~1e-19/d; the double chord is good to ~1e-15 relative:
    // 1e-12 relative plus 1e-15 absolute
    CHECK(worst <= 1e-15);
    CHECK(largest > 1e-3);  // the move changed environments
    timesoap(fa, fa, out);
    for (double v : out) CHECK(v == 0.0);
}

TEST_CASE("timesoap: follows ids across a permutation, NaN for atoms new in the later frame", "[timesoap]") {
    const double len = 13;
    const soap d(params());
    const system_t a = random_system(200, len, 1), b = moved(a, 0.2, 2);
    const soap_frame fa = frame_of(a, len, d), fb = frame_of(b, len, d);
    std::vector<double> ref(b.p.size());
    timesoap(fa, fb, ref);
    system_t c;  // b in another order
    std::vector<std::size_t> perm(b.p.size());
    for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = (i * 71 + 5) % perm.size();
    c.p.resize(b.p.size());
    c.ids.resize(b.p.size());
    c.types.resize(b.p.size());
    for (std::size_t i = 0; i < perm.size(); ++i) {
        c.p[perm[i]] = b.p[i];
        c.ids[perm[i]] = b.ids[i];
        c.types[perm[i]] = b.types[i];
    }
    const soap_frame fc = frame_of(c, len, d);
    std::vector<double> out(c.p.size());
    timesoap(fa, fc, out);
    double worst = 0;
    for (std::size_t i = 0; i < perm.size(); ++i) worst = std::max(worst, std::abs(out[perm[i]] - ref[i]));
    // the same neighbours summed in another order: rounding only
    CHECK(worst <= 1e-13);

    system_t e = b;  // one atom renamed: it is new in the later frame, and id 1000 is gone
    e.ids[0] = 999999;
    const soap_frame fe = frame_of(e, len, d);
    CHECK_THROWS_WITH(timesoap(fa, fe, out), Catch::Contains("set of atoms changed"));
    timesoap(fa, fe, out, id_mismatch::intersect);
    CHECK(std::isnan(out[0]));
    for (std::size_t i = 1; i < out.size(); ++i) CHECK(std::abs(out[i] - ref[i]) <= 1e-13);
}

TEST_CASE("timesoap: zero vectors, mismatched lengths and output sizes", "[timesoap]") {
    soap_parameters p = params();
    p.centre_weight = 0;  // an isolated atom then has no density at all
    const soap d(p);
    const double len = 40;
    system_t lone;
    lone.p = {{1, 1, 1}, {20, 20, 20}, {20.5, 20.3, 20.1}};
    lone.ids = {1, 2, 3};
    lone.types = {1, 1, 1};
    system_t apart = lone;
    apart.p[1] = {30, 30, 30};  // atom 2 loses its only neighbour
    std::vector<double> out(3);
    timesoap(frame_of(lone, len, d), frame_of(apart, len, d), out);
    CHECK(out[0] == 0.0);                        // zero both times
    CHECK(out[1] == Approx(std::sqrt(2.0)));     // zero only later
    CHECK(out[2] == Approx(std::sqrt(2.0)));     // its neighbour left too
    soap_parameters q = params();
    q.n_max = 3;
    const soap other(q);
    CHECK_THROWS_WITH(timesoap(frame_of(lone, len, d), frame_of(lone, len, other), out), Catch::Contains("components"));
    std::vector<double> small(2);
    CHECK_THROWS_WITH(timesoap(frame_of(lone, len, d), frame_of(lone, len, d), small), Catch::Contains("entries"));
}
