// dynamics/lens.hpp, neighbor_id_set_builder: the half-shell fast path (detail/lens_pairs.hpp)
// against the general cell-list path and an O(N²) oracle, on random particles in orthogonal,
// triclinic, partly open and open boxes, boxes just wide enough for the fast path (3 bins) and
// too small for it (cutoff beyond half the box: the general path); identical results for any
// number of threads; a reused builder and recycled sets.
#include <tessera/dynamics/lens.hpp>
#include <tessera/neighbors/brute_force.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

using namespace tessera;

namespace {
using points = std::vector<std::array<double, 3>>;
using id_sets = std::map<std::int64_t, std::set<std::int64_t>>;

template <box B>
points random_points(const B& bx, std::size_t n, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const auto h = bx.cell();
    const auto o = bx.origin();
    points x(n);
    for (auto& p : x) {
        const vec3<double> s{u(g), u(g), u(g)};
        vec3<double> r = o + h * s;
        // some particles outside the box along periodic axes (they are wrapped)
        if (u(g) < 0.1)
            for (std::size_t d = 0; d < 3; ++d)
                if (bx.periodic(d)) r += h.column(d) * double(int(u(g) * 5) - 2);
        p = {r.x, r.y, r.z};
    }
    return x;
}

// Brute force, from the definition.
template <box B>
id_sets oracle(const points& x, const B& bx, const std::vector<std::int64_t>& ids, double rc) {
    const auto l = brute_force_neighbors(x, bx, ball{rc}, x.size());
    id_sets s;
    for (std::size_t i = 0; i < x.size(); ++i) {
        auto& row = s[ids[i]];
        for (auto j : l.neighbors(i))
            if (j != i) row.insert(ids[j]);
    }
    return s;
}

id_sets sets_of(const neighbor_id_sets& s) {
    id_sets out;
    const auto& idx = s.index();
    for (std::size_t i = 0; i < s.size(); ++i) out[idx.id(i)];
    s.for_each_pair([&](std::size_t a, std::size_t b) {
        CHECK(a != b);
        CHECK(out[idx.id(a)].insert(idx.id(b)).second);  // each pair once
        CHECK(out[idx.id(b)].insert(idx.id(a)).second);
    });
    for (std::size_t i = 0; i < s.size(); ++i) CHECK(s.degree(i) == out[idx.id(i)].size());
    return out;
}

std::vector<std::pair<std::size_t, std::size_t>> pair_list(const neighbor_id_sets& s) {
    std::vector<std::pair<std::size_t, std::size_t>> p;
    s.for_each_pair([&](std::size_t a, std::size_t b) { p.emplace_back(a, b); });
    return p;
}

std::vector<std::int64_t> shuffled_ids(std::size_t n, std::uint64_t seed) {
    std::vector<std::int64_t> ids(n);
    std::iota(ids.begin(), ids.end(), std::int64_t(100));
    std::mt19937_64 g(seed);
    std::shuffle(ids.begin(), ids.end(), g);
    return ids;
}

// One box: fast builder, general builder, oracle agree; threads do not matter.
template <box B>
void check_box(const B& bx, std::size_t n, double rc, std::uint64_t seed) {
    const points x = random_points(bx, n, seed);
    const auto ids = shuffled_ids(n, seed + 1);
    neighbor_id_set_builder<double> fast, general;
    general.set_half_shell(false);
    neighbor_id_sets f, g;
    fast.build(x, bx, ids, rc, f);
    general.build(x, bx, ids, rc, g);
    const id_sets expected = oracle(x, bx, ids, rc);
    std::size_t members = 0;
    for (const auto& [id, row] : expected) members += row.size();
    CHECK(members > 0);
    CHECK(f.pairs() * 2 == members);
    CHECK(sets_of(f) == expected);
    CHECK(sets_of(g) == expected);
    // the same arrays, in the same order, with 1, 2 or 3 threads
    const auto serial_pairs = pair_list(f);
    for (int threads : {1, 2, 3}) {
        neighbor_id_sets p;
        fast.build(x, bx, ids, rc, p, openmp_policy{threads});
        CHECK(pair_list(p) == serial_pairs);
    }
}
}  // namespace

TEST_CASE("lens builder: half shell = general path = brute force, orthogonal periodic", "[lens]") {
    const orthogonal_box<double> bx({0, 0, 0}, {10, 11, 12});
    check_box(bx, 700, 1.7, 1);   // 5-7 bins per axis
    check_box(bx, 300, 3.3, 2);   // 3 bins per axis: every neighbouring bin wraps somewhere
}

TEST_CASE("lens builder: triclinic, partly open and open boxes", "[lens]") {
    const triclinic_box<double> tilted({1, -2, 0.5}, {11, 8, 10.5}, 2.5, -1.5, 3.0);
    check_box(tilted, 600, 2.1, 3);
    check_box(tilted, 400, 2.9, 4);  // 3 bins across the narrowest perpendicular width
    const triclinic_box<double> slab({0, 0, 0}, {12, 10, 9}, 1.0, 0.5, -2.0, periodicity{true, true, false});
    check_box(slab, 500, 2.0, 5);
    const orthogonal_box<double> wire({0, 0, 0}, {9, 9, 30}, periodicity{false, false, true});
    check_box(wire, 500, 2.2, 6);
    check_box(open_box<double>{}, 400, 0.3, 7);  // unit cube of points, open
}

TEST_CASE("lens builder: cutoff beyond a third of the box takes the general path, same sets", "[lens]") {
    // a neighbour within reach through several images counts once; own images excluded
    const orthogonal_box<double> small({0, 0, 0}, {5, 5, 6});
    check_box(small, 60, 3.2, 8);  // > half the box
    check_box(small, 80, 1.9, 9);  // 2 bins along x, y
    const triclinic_box<double> tilted({0, 0, 0}, {6, 5, 7}, 2.0, 1.0, -1.5);
    check_box(tilted, 70, 3.5, 10);
}

TEST_CASE("lens builder: LENS from half-shell sets = LENS from general sets, threads, intersect", "[lens]") {
    const triclinic_box<double> bx({0, 0, 0}, {14, 13, 12}, 1.5, -2.0, 1.0);
    const std::size_t n = 900;
    const points x0 = random_points(bx, n, 11);
    points x1 = x0;
    std::mt19937_64 g(12);
    std::normal_distribution<double> d(0.0, 0.4);
    for (auto& p : x1)
        for (auto& c : p) c += d(g);
    const auto ids0 = shuffled_ids(n, 13);
    // frame 1: other row order, 20 atoms gone, 10 new ones
    std::vector<std::size_t> perm(n);
    std::iota(perm.begin(), perm.end(), std::size_t(0));
    std::shuffle(perm.begin(), perm.end(), g);
    perm.resize(n - 20);
    points y1;
    std::vector<std::int64_t> ids1;
    for (std::size_t k : perm) y1.push_back(x1[k]), ids1.push_back(ids0[k]);
    const points extra = random_points(bx, 10, 14);
    for (std::size_t k = 0; k < extra.size(); ++k) y1.push_back(extra[k]), ids1.push_back(std::int64_t(5000 + k));

    for (double rc : {2.0, 3.1}) {
        neighbor_id_set_builder<double> fast, general;
        general.set_half_shell(false);
        neighbor_id_sets fa, fb, ga, gb;
        fast.build(x0, bx, ids0, rc, fa);
        fast.build(y1, bx, ids1, rc, fb);
        general.build(x0, bx, ids0, rc, ga);
        general.build(y1, bx, ids1, rc, gb);
        std::vector<double> v_fast(y1.size()), v_general(y1.size()), v_threads(y1.size());
        CHECK_THROWS_WITH(lens(fa, fb, v_fast), Catch::Contains("frame but not in the"));
        lens(fa, fb, v_fast, id_mismatch::intersect);
        lens(ga, gb, v_general, id_mismatch::intersect);
        lens(fa, fb, v_threads, id_mismatch::intersect, "LENS", openmp_policy{3});
        // from the definition, with std::set algebra
        const id_sets A = oracle(x0, bx, ids0, rc), B = oracle(y1, bx, ids1, rc);
        for (std::size_t i = 0; i < y1.size(); ++i) {
            INFO("rc " << rc << " row " << i);
            if (!A.count(ids1[i])) {
                CHECK(std::isnan(v_fast[i]));
                CHECK(std::isnan(v_general[i]));
                CHECK(std::isnan(v_threads[i]));
                continue;
            }
            const auto& a = A.at(ids1[i]);
            const auto& b = B.at(ids1[i]);
            std::vector<std::int64_t> diff;
            std::set_symmetric_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(diff));
            const double expected = a.size() + b.size() == 0 ? 0.0 : double(diff.size()) / double(a.size() + b.size());
            CHECK(v_fast[i] == expected);
            CHECK(v_general[i] == expected);
            CHECK(v_threads[i] == expected);
        }
    }
}

TEST_CASE("lens builder: a reused builder and recycled sets give fresh results", "[lens]") {
    const orthogonal_box<double> big({0, 0, 0}, {15, 15, 15}), small({0, 0, 0}, {6, 6, 6});
    neighbor_id_set_builder<double> builder;
    neighbor_id_sets s;
    std::uint64_t seed = 20;
    for (const auto& [bx, n, rc] : {std::tuple{big, std::size_t(1500), 2.5}, std::tuple{small, std::size_t(50), 1.5},
                                    std::tuple{big, std::size_t(800), 3.0}, std::tuple{small, std::size_t(90), 3.5}}) {
        const points x = random_points(bx, n, ++seed);
        const auto ids = shuffled_ids(n, ++seed);
        builder.build(x, bx, ids, rc, s);
        const auto fresh = neighbor_id_sets::build(x, bx, ids, rc);
        CHECK(pair_list(s) == pair_list(fresh));
        CHECK(sets_of(s) == oracle(x, bx, ids, rc));
    }
}

TEST_CASE("lens builder: float positions", "[lens]") {
    const orthogonal_box<float> bx({0, 0, 0}, {10, 10, 10});
    std::vector<std::array<float, 3>> x(500);
    std::mt19937_64 g(30);
    std::uniform_real_distribution<float> u(0.0f, 10.0f);
    for (auto& p : x) p = {u(g), u(g), u(g)};
    const auto ids = shuffled_ids(x.size(), 31);
    neighbor_id_set_builder<float> fast, general;
    general.set_half_shell(false);
    neighbor_id_sets f, gs;
    fast.build(x, bx, ids, 2.0, f);
    general.build(x, bx, ids, 2.0, gs);
    CHECK(sets_of(f) == sets_of(gs));
    CHECK(f.pairs() > 0);
}
