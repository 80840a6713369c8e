// neighbors/: the cell-list ball and k-nearest queries, the Verlet list and the rtree backend,
// each held to the O(N²) brute-force oracle, plus invariance properties.
#include <tessera/neighbors/brute_force.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/neighbors/rtree.hpp>
#include <tessera/neighbors/verlet.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <limits>
#include <tuple>
#include <vector>

using namespace tessera;
using points = std::vector<std::array<double, 3>>;

namespace {

// A bond identified by neighbour index and its vector rounded to 1e-6 (exact ties in a perfect
// lattice may differ in the last ulp between methods; 1e-6 is far below any lattice spacing).
using bond_key = std::tuple<std::size_t, long long, long long, long long>;

std::vector<std::vector<bond_key>> as_sets(const neighbor_list<double>& l) {
    std::vector<std::vector<bond_key>> rows(l.num_particles());
    for (std::size_t i = 0; i < l.num_particles(); ++i) {
        for (std::size_t k = 0; k < l.num_neighbors(i); ++k) {
            const auto r = l.vectors(i)[k];
            rows[i].emplace_back(l.neighbors(i)[k], std::llround(r.x * 1e6), std::llround(r.y * 1e6),
                                 std::llround(r.z * 1e6));
            // the stored squared distance is the squared length of the stored vector
            REQUIRE(l.distances2(i)[k] == Approx(norm2(r)).epsilon(1e-12));
        }
        std::sort(rows[i].begin(), rows[i].end());
    }
    return rows;
}

void require_same(const neighbor_list<double>& a, const neighbor_list<double>& b) {
    REQUIRE(a.num_particles() == b.num_particles());
    REQUIRE(a.num_bonds() == b.num_bonds());
    const auto sa = as_sets(a), sb = as_sets(b);
    for (std::size_t i = 0; i < sa.size(); ++i) {
        INFO("particle " << i);
        REQUIRE(sa[i] == sb[i]);
    }
}

template <class B>
points random_points(const B& box, std::size_t n, std::uint64_t seed, double spill = 0.0) {
    std::mt19937_64 g(seed);
    std::uniform_real_distribution<double> u(-spill, 1.0 + spill);
    points p(n);
    for (auto& q : p) {
        const auto r = box.from_fractional({u(g), u(g), u(g)});
        q = {r.x, r.y, r.z};
    }
    return p;
}

// fcc lattice of nx*ny*nz conventional cells (lattice constant a) in an orthogonal box.
points fcc(int nx, int ny, int nz, double a) {
    points p;
    const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    for (int i = 0; i < nx; ++i)
        for (int j = 0; j < ny; ++j)
            for (int k = 0; k < nz; ++k)
                for (const auto& b : basis) p.push_back({(i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a});
    return p;
}

}  // namespace

TEST_CASE("ball query equals brute force in open, orthogonal, tilted and mixed boxes", "[neighbors][ball]") {
    const triclinic_box<double> tilted({0, 0, 0}, {9, 7, 6}, 6.3, -4.1, 3.2);  // tilts beyond L/2
    const triclinic_box<double> mixed({0, 0, 0}, {9, 7, 6}, 2.0, 1.0, -1.5, {true, false, true});
    const orthogonal_box<double> ortho({-2, -3, -4}, {8, 5, 2}, {true, true, false});
    const open_box<double> open;
    for (double rc : {0.9, 2.5, 4.0}) {
        INFO("cutoff " << rc);
        {
            // spill: particles up to 30% outside the cell along every axis (periodic: re-imaged)
            const points p = random_points(tilted, 400, 1, 0.3);
            require_same(find_neighbors(p, tilted, ball{rc}), brute_force_neighbors(p, tilted, ball{rc}, p.size()));
        }
        {
            const points p = random_points(mixed, 400, 2, 0.2);
            require_same(find_neighbors(p, mixed, ball{rc}), brute_force_neighbors(p, mixed, ball{rc}, p.size()));
        }
        {
            const points p = random_points(ortho, 400, 3);
            require_same(find_neighbors(p, ortho, ball{rc}), brute_force_neighbors(p, ortho, ball{rc}, p.size()));
        }
        {
            const points p = random_points(tilted, 300, 4);  // positions only; the box is open
            require_same(find_neighbors(p, open, ball{rc}), brute_force_neighbors(p, open, ball{rc}, p.size()));
        }
    }
}

TEST_CASE("ball query on an fcc crystal: 12, 18, 42 neighbours in shells", "[neighbors][ball]") {
    const double a = 3.615;
    const points p = fcc(4, 4, 4, a);
    const orthogonal_box<double> box({0, 0, 0}, {4 * a, 4 * a, 4 * a});
    // shells at a/√2, a, a√(3/2), a√2: cutoffs between them
    const std::pair<double, std::size_t> shells[] = {{0.8 * a, 12}, {1.1 * a, 18}, {1.3 * a, 42}};
    for (auto [rc, z] : shells) {
        const auto l = find_neighbors(p, box, ball{rc});
        for (std::size_t i = 0; i < p.size(); ++i) REQUIRE(l.num_neighbors(i) == z);
        require_same(l, brute_force_neighbors(p, box, ball{rc}, p.size()));
    }
}

TEST_CASE("tiny periodic boxes: cutoffs beyond half and beyond whole box lengths give every image",
          "[neighbors][ball][images]") {
    const double a = 3.615;
    const points one_cell = fcc(1, 1, 1, a);  // 4 atoms, L = a
    const orthogonal_box<double> box({0, 0, 0}, {a, a, a});
    // Perfect fcc: 12 at a/√2, 6 at a, 24 at a√1.5, 12 at a√2 — independent of the box size.
    const auto l3 = find_neighbors(one_cell, box, ball{3.0});
    const auto l5 = find_neighbors(one_cell, box, ball{5.0});
    const auto l55 = find_neighbors(one_cell, box, ball{5.5});
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(l3.num_neighbors(i) == 12);
        CHECK(l5.num_neighbors(i) == 42);
        CHECK(l55.num_neighbors(i) == 54);
    }
    // A skewed tiny cell with a single particle: neighbours are all self images.
    const triclinic_box<double> skew({0, 0, 0}, {2, 2.5, 3}, 1.7, -1.2, 2.1);
    const points single{{0.3, 0.4, 0.5}};
    for (double rc : {1.0, 3.3, 7.0}) {
        require_same(find_neighbors(single, skew, ball{rc}), brute_force_neighbors(single, skew, ball{rc}, 1));
    }
    const points few = random_points(skew, 5, 9);
    require_same(find_neighbors(few, skew, ball{6.5}), brute_force_neighbors(few, skew, ball{6.5}, 5));
}

TEST_CASE("a periodic box far smaller than the cutoff is an error, not an endless search", "[neighbors][errors]") {
    // Malformed-input catalogue: a box of 1e-10 (wrong units) against a 3 Å cutoff reached 10^31
    // images per atom and never returned. Up to max_periodic_images it is answered exactly.
    const points single{{0.0, 0.0, 0.0}};
    const orthogonal_box<double> tiny({0, 0, 0}, {1e-10, 1e-10, 1e-10});
    CHECK_THROWS_WITH(find_neighbors(single, tiny, ball{3.0}), Catch::Contains("the box is far smaller than the cutoff"));
    CHECK_THROWS_WITH(find_neighbors(single, tiny, nearest_or_ball{12, 3.0}), Catch::Contains("periodic images"));
    // 101 images per axis (1030301 in all) is within the bound; 103 per axis is not
    const orthogonal_box<double> unit({0, 0, 0}, {1, 1, 1});
    CHECK(find_neighbors(single, unit, ball{50.0}).num_neighbors(0) > 0);
    CHECK_THROWS(find_neighbors(single, unit, ball{51.5}));
    // only periodic axes count: an open axis adds no images
    const orthogonal_box<double> open_z({0, 0, 0}, {1e-10, 1e-10, 1e-10}, {false, false, false});
    CHECK(find_neighbors(single, open_z, ball{3.0}).num_neighbors(0) == 0);
}

TEST_CASE("a box thinner than the cutoff along a non-periodic axis", "[neighbors][ball]") {
    const orthogonal_box<double> slab({0, 0, 0}, {20, 20, 0.5}, {true, true, false});
    const points p = random_points(slab, 300, 5);
    require_same(find_neighbors(p, slab, ball{3.0}), brute_force_neighbors(p, slab, ball{3.0}, p.size()));
    // and particles all in one plane
    points flat = p;
    for (auto& q : flat) q[2] = 0.25;
    require_same(find_neighbors(flat, slab, ball{3.0}), brute_force_neighbors(flat, slab, ball{3.0}, p.size()));
}

TEST_CASE("n_local rows with ghost candidates", "[neighbors][ghosts]") {
    const open_box<double> open;
    const orthogonal_box<double> ref({0, 0, 0}, {10, 10, 10});
    const points p = random_points(ref, 500, 6);
    query_options opt;
    opt.n_local = 123;
    const auto l = find_neighbors(p, open, ball{2.0}, opt);
    REQUIRE(l.num_particles() == 123);
    require_same(l, brute_force_neighbors(p, open, ball{2.0}, 123));
    const auto k = find_neighbors(p, open, nearest{10}, opt);
    REQUIRE(k.num_particles() == 123);
    require_same(k, brute_force_neighbors(p, open, nearest{10}, 123));
    opt.n_local = 501;
    CHECK_THROWS_WITH(find_neighbors(p, open, ball{2.0}, opt), Catch::Contains("n_local = 501"));
}

TEST_CASE("k-nearest equals brute force and is sorted by distance", "[neighbors][nearest]") {
    const triclinic_box<double> tilted({0, 0, 0}, {8, 7, 6}, 5.0, 3.0, -2.5, {true, true, false});
    const points p = random_points(tilted, 400, 7);
    for (std::size_t k : {1u, 6u, 12u, 40u}) {
        INFO("k = " << k);
        const auto fast = find_neighbors(p, tilted, nearest{k});
        const auto slow = brute_force_neighbors(p, tilted, nearest{k}, p.size());
        require_same(fast, slow);
        for (std::size_t i = 0; i < p.size(); ++i) {
            REQUIRE(fast.num_neighbors(i) == k);
            const auto d2 = fast.distances2(i);
            REQUIRE(std::is_sorted(d2.begin(), d2.end()));
            // same order as the oracle (random positions: no exact ties)
            REQUIRE(std::equal(fast.neighbors(i).begin(), fast.neighbors(i).end(), slow.neighbors(i).begin()));
        }
    }
    // max_radius caps the rows; a tiny open system runs out of particles
    const auto capped = find_neighbors(p, tilted, nearest{40, 1.5});
    require_same(capped, brute_force_neighbors(p, tilted, nearest{40, 1.5}, p.size()));
    const points three{{0, 0, 0}, {1, 0, 0}, {0, 2, 0}};
    const auto few = find_neighbors(three, open_box<double>{}, nearest{5});
    for (std::size_t i = 0; i < 3; ++i) CHECK(few.num_neighbors(i) == 2);
}

TEST_CASE("k-nearest on fcc with complete shells and deterministic tie-breaking", "[neighbors][nearest]") {
    const double a = 3.615;
    const points p = fcc(3, 3, 3, a);
    const orthogonal_box<double> box({0, 0, 0}, {3 * a, 3 * a, 3 * a});
    for (std::size_t k : {12u, 18u}) {
        const auto l = find_neighbors(p, box, nearest{k});
        require_same(l, brute_force_neighbors(p, box, nearest{k}, p.size()));
    }
    // Ties are broken by index only where squared distances are equal to the bit; in a lattice
    // they differ by rounding, so the guarantee tested is determinism: same input, same rows.
    const auto again = find_neighbors(p, box, nearest{4}, {}, openmp_policy{2});
    const auto l4 = find_neighbors(p, box, nearest{4});
    REQUIRE(std::equal(l4.indices().begin(), l4.indices().end(), again.indices().begin(), again.indices().end()));
    // exact ties: two particles at the same distance on opposite sides, open box
    const points line{{0, 0, 0}, {1, 0, 0}, {-1, 0, 0}};
    const auto t = find_neighbors(line, open_box<double>{}, nearest{1});
    CHECK(t.neighbors(0)[0] == 1);
}

TEST_CASE("invariance under translation, re-imaging and permutation", "[neighbors][properties]") {
    const triclinic_box<double> box({0, 0, 0}, {9, 8, 7}, 3.0, -2.0, 1.5);
    const points p = random_points(box, 400, 8);
    const auto base = find_neighbors(p, box, ball{2.7});
    const auto base_k = find_neighbors(p, box, nearest{9});

    std::mt19937_64 g(99);
    std::uniform_int_distribution<int> img(-3, 3);
    points moved = p, reimaged = p;
    const mat3<double> h = box.cell();
    for (std::size_t i = 0; i < p.size(); ++i) {
        for (std::size_t d = 0; d < 3; ++d) moved[i][d] += std::array<double, 3>{1.23, -4.56, 7.89}[d];
        const vec3<double> shift = h.column(0) * double(img(g)) + h.column(1) * double(img(g)) + h.column(2) * double(img(g));
        for (std::size_t d = 0; d < 3; ++d) reimaged[i][d] += shift[d];
    }
    require_same(find_neighbors(moved, box, ball{2.7}), base);
    require_same(find_neighbors(reimaged, box, ball{2.7}), base);
    require_same(find_neighbors(reimaged, box, nearest{9}), base_k);

    std::vector<std::size_t> perm(p.size());
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), g);
    points shuffled(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) shuffled[perm[i]] = p[i];  // old i is new perm[i]
    const auto l = find_neighbors(shuffled, box, ball{2.7});
    for (std::size_t i = 0; i < p.size(); ++i) {
        std::vector<std::size_t> a, b;
        for (auto j : base.neighbors(i)) a.push_back(perm[j]);
        for (auto j : l.neighbors(perm[i])) b.push_back(j);
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        REQUIRE(a == b);
    }
}

TEST_CASE("half lists hold each pair once, serial and threaded lists are identical", "[neighbors][half]") {
    const double a = 3.615;
    const orthogonal_box<double> tiny({0, 0, 0}, {a, a, a});
    const points p = random_points(tiny, 6, 10);
    query_options half;
    half.kind = list_kind::half;
    const auto h = find_neighbors(p, tiny, ball{5.0}, half);
    const auto f = find_neighbors(p, tiny, ball{5.0});
    REQUIRE(2 * h.num_bonds() == f.num_bonds());
    // full = half ∪ reversed half
    std::map<std::tuple<std::size_t, std::size_t, long long, long long, long long>, int> count;
    auto key = [](std::size_t i, std::size_t j, vec3<double> r) {
        return std::make_tuple(i, j, std::llround(r.x * 1e6), std::llround(r.y * 1e6), std::llround(r.z * 1e6));
    };
    for (std::size_t i = 0; i < h.num_particles(); ++i)
        for (std::size_t k = 0; k < h.num_neighbors(i); ++k) {
            ++count[key(i, h.neighbors(i)[k], h.vectors(i)[k])];
            ++count[key(h.neighbors(i)[k], i, -h.vectors(i)[k])];
        }
    for (std::size_t i = 0; i < f.num_particles(); ++i)
        for (std::size_t k = 0; k < f.num_neighbors(i); ++k) REQUIRE(count[key(i, f.neighbors(i)[k], f.vectors(i)[k])] == 1);

    const triclinic_box<double> box({0, 0, 0}, {20, 20, 20}, 4, 3, 2);
    const points q = random_points(box, 6000, 11);
    const auto s = find_neighbors(q, box, ball{2.5});
    for (int threads : {1, 2, 3}) {
        const auto t = find_neighbors(q, box, ball{2.5}, {}, openmp_policy{threads});
        REQUIRE(std::equal(s.indices().begin(), s.indices().end(), t.indices().begin(), t.indices().end()));
        REQUIRE(std::equal(s.offsets().begin(), s.offsets().end(), t.offsets().begin(), t.offsets().end()));
        REQUIRE(std::equal(s.all_distances2().begin(), s.all_distances2().end(), t.all_distances2().begin()));
    }
}

TEST_CASE("SIMD candidate filter equals the scalar filter (float and double)", "[neighbors][simd]") {
    auto run = [](auto zero) {
        using T = decltype(zero);
        std::mt19937_64 g(12);
        std::uniform_real_distribution<T> u(-3, 3);
        std::vector<T> x(1003), y(1003), z(1003);
        for (std::size_t k = 0; k < x.size(); ++k) { x[k] = u(g); y[k] = u(g); z[k] = u(g); }
        const vec3<T> q{T(0.1), T(-0.2), T(0.3)}, shift{T(0.5), T(0), T(-0.25)};
        std::vector<std::tuple<std::size_t, T, T, T, T>> a, b;
        auto ea = [&](std::size_t k, const vec3<T>& r, T r2) { a.emplace_back(k, r.x, r.y, r.z, r2); };
        auto eb = [&](std::size_t k, const vec3<T>& r, T r2) { b.emplace_back(k, r.x, r.y, r.z, r2); };
        detail::filter_candidates(x.data(), y.data(), z.data(), 3, x.size(), q, shift, T(4), ea);
        detail::filter_candidates_scalar(x.data(), y.data(), z.data(), 3, x.size(), q, shift, T(4), eb);
        REQUIRE(a.size() > 50);
        // Bit-identical unless the compiler contracted one path into FMAs (e.g. -march=native):
        // then |r|² may differ by rounding, so compare r² to 4 ulps and the vectors exactly
        // (they are one add and one subtract in both paths); membership differs only for a
        // candidate within those ulps of the cutoff, which this input has none of.
        REQUIRE(a.size() == b.size());
        for (std::size_t m = 0; m < a.size(); ++m) {
            REQUIRE(std::get<0>(a[m]) == std::get<0>(b[m]));
            REQUIRE(std::get<1>(a[m]) == std::get<1>(b[m]));
            REQUIRE(std::get<2>(a[m]) == std::get<2>(b[m]));
            REQUIRE(std::get<3>(a[m]) == std::get<3>(b[m]));
            REQUIRE(std::abs(std::get<4>(a[m]) - std::get<4>(b[m])) <= 4 * std::numeric_limits<T>::epsilon() * std::get<4>(b[m]));
        }
    };
    run(0.0);
    run(0.0f);
}

TEST_CASE("float neighbour lists agree with double away from the cutoff", "[neighbors][float]") {
    const orthogonal_box<double> box({0, 0, 0}, {12, 12, 12});
    const points p = random_points(box, 800, 13);
    std::vector<std::array<float, 3>> pf(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) pf[i] = {float(p[i][0]), float(p[i][1]), float(p[i][2])};
    const orthogonal_box<float> boxf({0, 0, 0}, {12, 12, 12});
    const auto d = find_neighbors(p, box, ball{2.5});
    const auto f = find_neighbors(pf, boxf, ball{2.5f});
    // Pairs within 1e-4 of the cutoff may flip in float (relative precision 6e-8 of r² ~ 6):
    // count only the pairs clearly inside or outside.
    std::size_t clear_d = 0, clear_f = 0;
    for (double r2 : d.all_distances2()) clear_d += std::abs(std::sqrt(r2) - 2.5) > 1e-4;
    for (float r2 : f.all_distances2()) clear_f += std::abs(std::sqrt(double(r2)) - 2.5) > 1e-4;
    CHECK(clear_d == clear_f);
    CHECK(d.num_bonds() > 10000);
}

TEST_CASE("rtree backend equals the cell list", "[neighbors][rtree]") {
    const triclinic_box<double> box({0, 0, 0}, {10, 9, 8}, 4.5, -3.5, 2.0, {true, false, true});
    const points p = random_points(box, 600, 14);
    for (double rc : {1.5, 3.0, 6.0}) {
        const rtree_index<double> rt(p, box, rc);
        require_same(rt.neighbors(p.size(), rc), find_neighbors(p, box, ball{rc}));
    }
}

TEST_CASE("Verlet list: reuse within skin/2, rebuild beyond it or when the box changes", "[neighbors][verlet]") {
    const triclinic_box<double> box({0, 0, 0}, {12, 11, 10}, 2.0, 1.0, -1.0);
    points p = random_points(box, 700, 15);
    verlet_list<double, triclinic_box<double>> v(2.5, 0.6);
    require_same(v.update(p, box), find_neighbors(p, box, ball{2.5}));
    std::mt19937_64 g(16);
    std::uniform_real_distribution<double> u(-0.05, 0.05);  // after 3 steps |Δ| <= 0.15·√3 < 0.3 = skin/2
    for (int step = 0; step < 3; ++step) {
        for (auto& q : p)
            for (auto& c : q) c += u(g);
        // re-wrap some particles across the periodic faces: reuse must not care
        for (std::size_t i = 0; i < p.size(); i += 7) {
            const auto w = box.wrap({p[i][0] + 12, p[i][1], p[i][2]});
            p[i] = {w.x, w.y, w.z};
        }
        REQUIRE_FALSE(v.needs_rebuild(p, box));
        require_same(v.update(p, box), find_neighbors(p, box, ball{2.5}));
    }
    CHECK(v.rebuilds() == 1);
    CHECK(v.reuses() == 3);
    p[0][0] += 0.5;
    CHECK(v.needs_rebuild(p, box));
    require_same(v.update(p, box), find_neighbors(p, box, ball{2.5}));
    CHECK(v.rebuilds() == 2);
    const triclinic_box<double> sheared({0, 0, 0}, {12, 11, 10}, 2.1, 1.0, -1.0);
    CHECK(v.needs_rebuild(p, sheared));
    require_same(v.update(p, sheared), find_neighbors(p, sheared, ball{2.5}));
    CHECK_THROWS_AS((verlet_list<double, triclinic_box<double>>(2.5, -1.0)), tessera::error);
}

TEST_CASE("bad queries and bad positions give tessera::error", "[neighbors][errors]") {
    const orthogonal_box<double> box({0, 0, 0}, {10, 10, 10});
    points p = random_points(box, 10, 17);
    CHECK_THROWS_WITH(find_neighbors(p, box, ball{0.0}), Catch::Contains("cutoff must be positive"));
    CHECK_THROWS_WITH(find_neighbors(p, box, ball{-1.0}), Catch::Contains("cutoff must be positive"));
    CHECK_THROWS_WITH(find_neighbors(p, box, nearest{0}), Catch::Contains("k must be at least 1"));
    p[3][1] = std::nan("");
    CHECK_THROWS_WITH(find_neighbors(p, box, ball{2.0}), Catch::Contains("particle 3 has a non-finite position"));
}

TEST_CASE("neighbor_list: append_row equals push_bond + end_row", "[neighbors]") {
    std::mt19937_64 rng(3);
    std::uniform_real_distribution<double> u(-2, 2);
    tessera::neighbor_list<double> a, b;
    a.reserve(5, 40);
    for (std::size_t row = 0; row < 5; ++row) {
        std::vector<tessera::neighbor_index> j;
        std::vector<tessera::vec3<double>> r;
        std::vector<double> r2;
        for (std::size_t k = 0; k < row * 3 % 7; ++k) {  // 0, 3, 6, 2, 5 bonds: empty rows too
            j.push_back(tessera::neighbor_index(10 * row + k));
            r.push_back({u(rng), u(rng), u(rng)});
            r2.push_back(tessera::norm2(r.back()));
            b.push_bond(j.back(), r.back(), r2.back());
        }
        b.end_row();
        a.append_row(j, r, r2);
    }
    REQUIRE(a.num_particles() == b.num_particles());
    REQUIRE(std::equal(a.offsets().begin(), a.offsets().end(), b.offsets().begin(), b.offsets().end()));
    CHECK(std::equal(a.indices().begin(), a.indices().end(), b.indices().begin(), b.indices().end()));
    CHECK(std::equal(a.all_distances2().begin(), a.all_distances2().end(), b.all_distances2().begin(),
                     b.all_distances2().end()));
    for (std::size_t k = 0; k < a.num_bonds(); ++k) CHECK(a.all_vectors()[k] == b.all_vectors()[k]);
}

TEST_CASE("ball query on an affinely sheared lattice with atoms on the cell faces equals brute force", "[neighbors][ball]") {
    // Regression: an atom on a lower face gets a fractional coordinate of ~ -1e-17 after a small
    // negative tilt; wrapping shifted it by a cell vector, the value rounded to 1 and was binned
    // at 0 but stored a whole cell vector away, so its bonds were lost (21000 -> 19110 here).
    const double a = 3.615;
    const int cells = 5;
    const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    for (double gamma : {-1e-3, -1e-8, 1e-8, 1e-3}) {
        std::vector<vec3<double>> x;
        for (int i = 0; i < cells; ++i)
            for (int j = 0; j < cells; ++j)
                for (int k = 0; k < cells; ++k)
                    for (const auto& b : basis) {
                        const double y = (j + b[1]) * a;
                        x.push_back({(i + b[0]) * a + gamma * y, y, (k + b[2]) * a});
                    }
        const triclinic_box<double> box({0, 0, 0}, {cells * a, cells * a, cells * a}, gamma * cells * a, 0, 0);
        const auto l = find_neighbors(x, box, ball{5.0});
        const auto want = brute_force_neighbors(x, box, ball{5.0}, x.size());
        CHECK(l.num_bonds() == 21000);  // 42 neighbours within 5 Å in fcc (12 + 6 + 24) × 500 atoms
        // Same bonds; vectors to rounding (wrapping by cell vectors rounds, and this lattice puts
        // components on the half-way points of require_same's 1e-6 keys, e.g. −1.8093075).
        for (std::size_t i = 0; i < x.size(); ++i) {
            std::vector<std::pair<std::size_t, vec3<double>>> got, ref;
            for (std::size_t k = 0; k < l.num_neighbors(i); ++k) got.emplace_back(l.neighbors(i)[k], l.vectors(i)[k]);
            for (std::size_t k = 0; k < want.num_neighbors(i); ++k) ref.emplace_back(want.neighbors(i)[k], want.vectors(i)[k]);
            auto order = [](const auto& p, const auto& q) {
                return std::tie(p.first, p.second.x, p.second.y, p.second.z) < std::tie(q.first, q.second.x, q.second.y, q.second.z);
            };
            std::sort(got.begin(), got.end(), order);
            std::sort(ref.begin(), ref.end(), order);
            REQUIRE(got.size() == ref.size());
            for (std::size_t k = 0; k < got.size(); ++k) {
                REQUIRE(got[k].first == ref[k].first);
                REQUIRE(norm(got[k].second - ref[k].second) < 1e-12);
            }
        }
    }
}
