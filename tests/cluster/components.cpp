// cluster/components.hpp: against a brute-force flood fill over explicit periodic images,
// union-find = Boost.Graph, periodic-aware centroids, ordering, errors.
#include <tessera/cluster/components.hpp>
#include <tessera/neighbors/brute_force.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

using namespace tessera;
using points = std::vector<std::array<double, 3>>;

namespace {
// Flood fill written from the definition: pairs linked when the O(N²) oracle says so.
std::vector<std::set<std::size_t>> flood_fill(const points& x, const triclinic_box<double>& box, const std::vector<bool>& flag,
                                              double link) {
    const auto l = brute_force_neighbors(x, box, ball{link}, x.size());
    std::vector<int> seen(x.size(), 0);
    std::vector<std::set<std::size_t>> out;
    for (std::size_t s = 0; s < x.size(); ++s) {
        if (!flag[s] || seen[s]) continue;
        std::set<std::size_t> c;
        std::vector<std::size_t> stack{s};
        seen[s] = 1;
        while (!stack.empty()) {
            const std::size_t a = stack.back();
            stack.pop_back();
            c.insert(a);
            for (auto b : l.neighbors(a))
                if (flag[b] && !seen[b]) {
                    seen[b] = 1;
                    stack.push_back(b);
                }
        }
        out.push_back(c);
    }
    return out;
}
}  // namespace

TEST_CASE("clusters: equal a brute-force periodic flood fill, with both algorithms", "[cluster]") {
    const triclinic_box<double> box({0, 0, 0}, {12, 10, 9}, 4.0, -2.0, 1.5);
    std::mt19937_64 g(31);
    std::uniform_real_distribution<double> u(0, 1);
    points x(600);
    for (auto& p : x) {
        const auto r = box.from_fractional({u(g), u(g), u(g)});
        p = {r.x, r.y, r.z};
    }
    std::vector<bool> flag(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) flag[i] = u(g) < 0.4;
    std::unique_ptr<bool[]> f(new bool[x.size()]);
    for (std::size_t i = 0; i < x.size(); ++i) f[i] = flag[i];
    const std::span<const bool> flags(f.get(), x.size());
    for (double link : {1.0, 1.6, 2.2}) {
        const auto ref = flood_fill(x, box, flag, link);
        for (auto algo : {cluster_algorithm::union_find, cluster_algorithm::boost_graph}) {
            const auto c = find_clusters(x, box, flags, link, algo);
            REQUIRE(c.count() == ref.size());
            std::set<std::set<std::size_t>> got, want(ref.begin(), ref.end());
            for (std::size_t k = 0; k < c.count(); ++k) {
                got.insert(std::set<std::size_t>(c.members(k).begin(), c.members(k).end()));
                if (k) REQUIRE(c.size(k) <= c.size(k - 1));  // decreasing size
                for (auto i : c.members(k)) REQUIRE(c.cluster_of(i) == k);
            }
            REQUIRE(got == want);
        }
    }
}

TEST_CASE("clusters: a cluster straddling a periodic face has its centroid at the true middle", "[cluster]") {
    const orthogonal_box<double> box({0, 0, 0}, {10, 10, 10});
    // A chain of 4 atoms crossing x = 0: true positions -1.5, -0.5, 0.5, 1.5 → centroid x = 0.
    const points x{{8.5, 5, 5}, {9.5, 5, 5}, {0.5, 5, 5}, {1.5, 5, 5}, {5, 5, 5}};
    const bool flags[] = {true, true, true, true, true};
    const auto c = find_clusters(x, box, std::span<const bool>(flags, 5), 1.2);
    REQUIRE(c.count() == 2);
    CHECK(c.size(0) == 4);
    CHECK(c.size(1) == 1);
    const double cx = c.centroid(0).x;
    CHECK(std::min(std::abs(cx), std::abs(cx - 10)) < 1e-12);  // 0 or 10: the same point
    CHECK(c.centroid(1).x == 5);
    CHECK(c.cluster_of(4) == 1);
}

TEST_CASE("clusters: no flags, bad link, wrong flag count", "[cluster][errors]") {
    const open_box<double> open;
    const points x{{0, 0, 0}, {1, 0, 0}};
    const bool none[] = {false, false};
    CHECK(find_clusters(x, open, std::span<const bool>(none, 2), 1.5).count() == 0);
    CHECK_THROWS_WITH(find_clusters(x, open, std::span<const bool>(none, 2), 0.0), Catch::Contains("link distance"));
    CHECK_THROWS_WITH(find_clusters(x, open, std::span<const bool>(none, 1), 1.0), Catch::Contains("1 flags for 2"));
}
