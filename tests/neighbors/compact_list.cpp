// neighbors/compact_list.hpp: the 8-byte-per-bond list holds the same rows, in the same order,
// with bit-identical bond vectors, as neighbor_list from the same cell list — in every box kind
// (tiny periodic boxes with many images included), for half lists, ghost rows and any thread
// count — and independently equals the O(N²) oracle.
#include <tessera/neighbors/brute_force.hpp>
#include <tessera/neighbors/compact_list.hpp>
#include <tessera/neighbors/query.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <random>
#include <tuple>
#include <vector>

using namespace tessera;

namespace {

using points = std::vector<std::array<double, 3>>;

template <class B>
points random_in(const B& box, std::size_t n, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    std::uniform_real_distribution<double> u(-0.2, 1.2);  // some outside the box: wrapping
    points p(n);
    for (auto& q : p) {
        const auto r = box.from_fractional({u(g), u(g), u(g)});
        q = {r.x, r.y, r.z};
    }
    return p;
}

template <class B>
void require_same_as_full(const points& p, const B& box, double rc, const query_options& opt = {}) {
    const cell_list<double> cells(p, box, rc);
    const std::size_t rows = opt.n_local == std::numeric_limits<std::size_t>::max() ? p.size() : opt.n_local;
    const auto full = find_neighbors(cells, rows, ball{rc}, opt);
    compact_neighbor_list<double> c;
    find_neighbors_into(cells, rows, ball{rc}, c, opt);
    compact_neighbor_list<double> c2, c3;
    find_neighbors_into(cells, rows, ball{rc}, c2, opt, openmp_policy{2});
    find_neighbors_into(cells, rows, ball{rc}, c3, opt, openmp_policy{3});
    REQUIRE(c.num_particles() == rows);
    REQUIRE(c.num_bonds() == full.num_bonds());
    REQUIRE(c.kind() == full.kind());
    for (std::size_t i = 0; i < rows; ++i) {
        REQUIRE(c.num_neighbors(i) == full.num_neighbors(i));
        for (std::size_t k = 0; k < c.num_neighbors(i); ++k) {
            REQUIRE(c.neighbors(i)[k] == full.neighbors(i)[k]);
            // the same additions on the same numbers as the filter: identical to the last bit
            REQUIRE(c.bond_vector(i, k) == full.vectors(i)[k]);
            // r² recomputed; equal up to FMA contraction (≤ 4 ulp, as in the filter test)
            REQUIRE(std::abs(c.distance2(i, k) - full.distances2(i)[k]) <=
                    4 * std::numeric_limits<double>::epsilon() * full.distances2(i)[k]);
            REQUIRE(c2.neighbors(i)[k] == c.neighbors(i)[k]);
            REQUIRE(c2.images(i)[k] == c.images(i)[k]);
            REQUIRE(c3.images(i)[k] == c.images(i)[k]);
        }
    }
    REQUIRE(std::equal(c.image_shifts().begin(), c.image_shifts().end(), c2.image_shifts().begin(),
                       c2.image_shifts().end()));
    // 8 B per bond, 8 B per row, 24 B per particle, plus the (small) image table
    REQUIRE(c.memory_bytes() == 8 * c.num_bonds() + 8 * (rows + 1) + 24 * p.size() + 24 * c.image_shifts().size());
}

}  // namespace

TEST_CASE("compact list: same rows and bit-identical vectors as neighbor_list in every box kind",
          "[neighbors][compact]") {
    SECTION("orthogonal") {
        const orthogonal_box<double> box({0, 0, 0}, {12, 13, 14});
        require_same_as_full(random_in(box, 600, 1), box, 3.0);
    }
    SECTION("strongly tilted triclinic") {
        const triclinic_box<double> box({0, 0, 0}, {12, 11, 10}, 7.5, -4.0, 6.0);
        require_same_as_full(random_in(box, 600, 2), box, 3.5);
    }
    SECTION("tiny periodic box: the cutoff spans several images") {
        const triclinic_box<double> box({0, 0, 0}, {3.6, 3.6, 3.6}, 1.0, 0.5, -0.7);
        require_same_as_full(random_in(box, 4, 3), box, 7.5);
    }
    SECTION("mixed periodicity and open boxes") {
        const orthogonal_box<double> slab({0, 0, 0}, {10, 10, 10}, {true, true, false});
        require_same_as_full(random_in(slab, 400, 4), slab, 3.0);
        const open_box<double> open{};
        points p = random_in(orthogonal_box<double>({0, 0, 0}, {10, 10, 10}), 300, 5);
        require_same_as_full(p, open, 2.5);
    }
    SECTION("half lists and ghost rows") {
        const orthogonal_box<double> box({0, 0, 0}, {11, 11, 11});
        const points p = random_in(box, 500, 6);
        query_options half;
        half.kind = list_kind::half;
        require_same_as_full(p, box, 3.0, half);
        query_options ghosts;
        ghosts.n_local = 350;
        require_same_as_full(p, box, 3.0, ghosts);
    }
}

TEST_CASE("compact list equals the brute-force oracle, reused storage, bad options", "[neighbors][compact]") {
    const triclinic_box<double> box({0, 0, 0}, {9, 10, 11}, 3.0, 2.0, -1.0);
    const points p = random_in(box, 300, 7);
    const auto oracle = brute_force_neighbors(p, box, ball{3.2}, p.size());
    auto c = find_compact_neighbors(p, box, ball{3.2});
    static_assert(geometric_neighbor_list<compact_neighbor_list<double>>);
    using traits = neighbor_list_traits<compact_neighbor_list<double>>;
    REQUIRE(c.num_bonds() == oracle.num_bonds());
    for (std::size_t i = 0; i < p.size(); ++i) {
        std::vector<std::tuple<std::size_t, long long, long long, long long>> a, b;
        for (std::size_t k = 0; k < traits::num_neighbors(c, i); ++k) {
            const auto r = traits::bond_vector(c, i, k);
            a.emplace_back(traits::neighbor(c, i, k), std::llround(r.x * 1e6), std::llround(r.y * 1e6),
                           std::llround(r.z * 1e6));
        }
        for (std::size_t k = 0; k < oracle.num_neighbors(i); ++k) {
            const auto r = oracle.vectors(i)[k];
            b.emplace_back(oracle.neighbors(i)[k], std::llround(r.x * 1e6), std::llround(r.y * 1e6),
                           std::llround(r.z * 1e6));
        }
        std::sort(a.begin(), a.end());
        std::sort(b.begin(), b.end());
        REQUIRE(a == b);
    }
    // a second query into the same list (cleared, capacity kept) gives the same list
    const cell_list<double> cells(p, box, 3.2);
    find_neighbors_into(cells, p.size(), ball{3.2}, c);
    REQUIRE(c.num_bonds() == oracle.num_bonds());
    // row_geometry materialises a row as the accessors give it
    std::vector<vec3<double>> v(c.num_neighbors(0));
    std::vector<double> d2(v.size());
    c.row_geometry(0, v.data(), d2.data());
    for (std::size_t k = 0; k < v.size(); ++k) {
        REQUIRE(v[k] == c.bond_vector(0, k));
        REQUIRE(d2[k] == c.distance2(0, k));
    }
    query_options sorted;
    sorted.sort_by_distance = true;
    REQUIRE_THROWS_AS(find_neighbors_into(cells, p.size(), ball{3.2}, c, sorted), error);
    REQUIRE_THROWS_AS(find_compact_neighbors(p, box, ball{-1.0}), error);
}
