// pipeline/ + descriptors/coordination.hpp: composition, named outputs, ghosts, threads.
#include <tessera/descriptors/adaptive_cna.hpp>
#include <tessera/descriptors/cna.hpp>
#include <tessera/descriptors/coordination.hpp>
#include <tessera/descriptors/csp.hpp>
#include <tessera/descriptors/steinhardt.hpp>
#include <tessera/neighbors/brute_force.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include <catch2/catch.hpp>

#include <cmath>

#include <algorithm>
#include <random>
#include <vector>

using namespace tessera;
using points = std::vector<std::array<double, 3>>;

namespace {
points random_in(const triclinic_box<double>& box, std::size_t n, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    std::uniform_real_distribution<double> u(0, 1);
    points p(n);
    for (auto& q : p) {
        const auto r = box.from_fractional({u(g), u(g), u(g)});
        q = {r.x, r.y, r.z};
    }
    return p;
}
}  // namespace

TEST_CASE("coordination equals brute-force counts, in total and per neighbour type", "[pipeline][coordination]") {
    const triclinic_box<double> box({0, 0, 0}, {14, 12, 11}, 5.0, -3.0, 2.0);
    const points p = random_in(box, 900, 21);
    std::vector<int> types(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) types[i] = 1 + int(i % 3);
    const auto pipe = pipeline(ball{3.2}, coordination{}, coordination{2.5, false});
    const auto out = pipe.run(p, box, {.types = types});
    REQUIRE(out.names() == std::vector<std::string>{"coord", "coord_1", "coord_2", "coord_3", "coord"});
    const auto bf = brute_force_neighbors(p, box, ball{3.2}, p.size());
    const auto bf25 = brute_force_neighbors(p, box, ball{2.5}, p.size());
    for (std::size_t i = 0; i < p.size(); ++i) {
        REQUIRE(out.get<coordination>()[i] == double(bf.num_neighbors(i)));
        double by_type[4] = {0, 0, 0, 0};
        for (auto j : bf.neighbors(i)) by_type[types[j]] += 1;
        for (int t = 1; t <= 3; ++t) REQUIRE(out.get<coordination>(std::size_t(t))[i] == by_type[t]);
        REQUIRE(out.get<1>()[i] == double(bf25.num_neighbors(i)));
    }
    CHECK(out.column("coord_2").data() == out.get<coordination>(2).data());
    CHECK_THROWS_WITH(out.column("csp"), Catch::Contains("no column named 'csp'"));
}

TEST_CASE("a descriptor cutoff beyond the stage radius is an error", "[pipeline][errors]") {
    const points p{{0, 0, 0}, {1, 0, 0}};
    const auto pipe = pipeline(ball{2.0}, coordination{3.0});
    CHECK_THROWS_WITH(pipe.run(p, open_box<double>{}), Catch::Contains("at most the neighbour radius 2"));
}

TEST_CASE("results do not depend on the thread count", "[pipeline][threads]") {
    const triclinic_box<double> box({0, 0, 0}, {30, 30, 30}, 3.0, 2.0, 1.0);
    const points p = random_in(box, 5000, 22);
    const auto pipe = pipeline(ball{3.0}, coordination{});
    const auto serial_out = pipe.run(p, box);
    for (int t : {1, 2, 4}) {
        const auto threaded = pipe.run(p, box, {}, openmp_policy{t});
        const auto a = serial_out.get<coordination>(), b = threaded.get<coordination>();
        REQUIRE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
    }
}

TEST_CASE("two open subdomains with ghost shells reproduce the periodic whole", "[pipeline][ghosts]") {
    // A periodic orthogonal box split at x = L/2 into two slabs. Each rank holds its own atoms
    // (local) followed by ghosts: every periodic image within rc of its slab.
    const double L = 16, rc = 3.0;
    const orthogonal_box<double> box({0, 0, 0}, {L, L, L});
    const triclinic_box<double> as_tri({0, 0, 0}, {L, L, L}, 0, 0, 0);
    const points p = random_in(as_tri, 1500, 23);
    const auto pipe = pipeline(ball{rc}, coordination{});
    const auto whole_result = pipe.run(p, box);
    const auto whole = whole_result.get<coordination>();
    for (int half = 0; half < 2; ++half) {
        const double lo = half * L / 2, hi = lo + L / 2;
        points local, ghosts;
        std::vector<std::size_t> owner;
        for (std::size_t i = 0; i < p.size(); ++i)
            if (p[i][0] >= lo && p[i][0] < hi) {
                local.push_back(p[i]);
                owner.push_back(i);
            }
        for (const auto& q : p)
            for (int a = -1; a <= 1; ++a)
                for (int b = -1; b <= 1; ++b)
                    for (int c = -1; c <= 1; ++c) {
                        const std::array<double, 3> g{q[0] + a * L, q[1] + b * L, q[2] + c * L};
                        const bool inside = a == 0 && g[0] >= lo && g[0] < hi && b == 0 && c == 0;
                        const bool near = g[0] > lo - rc && g[0] < hi + rc && g[1] > -rc && g[1] < L + rc &&
                                          g[2] > -rc && g[2] < L + rc;
                        if (!inside && near) ghosts.push_back(g);
                    }
        points all = local;
        all.insert(all.end(), ghosts.begin(), ghosts.end());
        particle_properties props;
        props.n_local = local.size();
        const auto part = pipe.run(all, open_box<double>{}, props);
        REQUIRE(part.size() == local.size());
        for (std::size_t k = 0; k < local.size(); ++k) REQUIRE(part.get<coordination>()[k] == whole[owner[k]]);
    }
}

namespace {
// A whole-list descriptor: the mean coordination of each particle's neighbours (needs every
// particle's row, so it cannot be computed row by row).
struct neighbour_mean_coordination {
    static constexpr neighbor_need need = neighbor_need::ball;
    std::vector<std::string> columns(const particle_properties&) const { return {"mean_neighbour_coord"}; }
    void prepare(const neighbor_stage_info&, const particle_properties&) const {}
    template <class T, class Policy>
    void compute_all(const neighbor_list<T>& l, const particle_properties&, output_columns<T> out, Policy) const {
        for (std::size_t i = 0; i < l.num_particles(); ++i) {
            T s = 0;
            for (auto j : l.neighbors(i)) s += T(l.num_neighbors(j));
            out.column(0)[i] = l.num_neighbors(i) ? s / T(l.num_neighbors(i)) : T(0);
        }
    }
};
}  // namespace

TEST_CASE("whole-list descriptors run beside per-particle ones", "[pipeline][list_descriptor]") {
    const points chain{{0, 0, 0}, {1, 0, 0}, {2, 0, 0}, {3, 0, 0}};
    const auto pipe = pipeline(ball{1.5}, coordination{}, neighbour_mean_coordination{});
    const auto out = pipe.run(chain, open_box<double>{});
    CHECK(out.names() == std::vector<std::string>{"coord", "mean_neighbour_coord"});
    const std::vector<double> z{1, 2, 2, 1}, mean{2, 1.5, 1.5, 2};
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(out.get<0>()[i] == z[i]);
        CHECK(out.get<1>()[i] == mean[i]);
    }
}

TEST_CASE("a pipeline reuses neighbours across frames through a verlet_list", "[pipeline][verlet]") {
    const triclinic_box<double> box({0, 0, 0}, {14, 12, 11}, 2.0, 1.0, -1.0);
    points p = random_in(box, 700, 24);
    const auto pipe = pipeline(ball{2.8}, coordination{});
    verlet_list<double, triclinic_box<double>> cache(2.8, 0.6);
    std::mt19937_64 g(25);
    std::uniform_real_distribution<double> u(-0.04, 0.04);
    for (int frame = 0; frame < 4; ++frame) {
        const auto reused = pipe.run(p, box, cache);
        const auto fresh = pipe.run(p, box);
        const auto a = reused.get<coordination>(), b = fresh.get<coordination>();
        REQUIRE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
        for (auto& q : p)
            for (auto& c : q) c += u(g);
    }
    CHECK(cache.rebuilds() == 1);
    CHECK(cache.reuses() == 3);
    verlet_list<double, triclinic_box<double>> wrong(3.0, 0.5);
    CHECK_THROWS_WITH(pipe.run(p, box, wrong), Catch::Contains("differs from the stage radius"));
}

TEST_CASE("a sorted_ball stage feeds ball and k-nearest descriptors from one query", "[pipeline][sorted_ball]") {
    // fcc Cu with thermal noise: within 4.0 Å every atom has its 12 (and 18) nearest.
    const double a = 3.615;
    points p;
    std::mt19937_64 g(26);
    std::normal_distribution<double> noise(0, 0.05);
    const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    for (int i = 0; i < 5; ++i)
        for (int j = 0; j < 5; ++j)
            for (int k = 0; k < 5; ++k)
                for (const auto& b : basis)
                    p.push_back({(i + b[0]) * a + noise(g), (j + b[1]) * a + noise(g), (k + b[2]) * a + noise(g)});
    const triclinic_box<double> box({0, 0, 0}, {5 * a, 5 * a, 5 * a}, 0, 0, 0);
    steinhardt q;
    q.degrees = {4, 6};
    q.nnn = 12;
    const auto one = pipeline(sorted_ball{4.0}, csp{}, q, adaptive_cna{}, coordination{3.0}, cna{3.086}).run(p, box);
    const auto knn = pipeline(nearest{14}, csp{}, q, adaptive_cna{}).run(p, box);
    const auto within = pipeline(ball{3.086}, coordination{3.0}, cna{3.086}).run(p, box);
    auto same = [](std::span<const double> x, std::span<const double> y) { return std::equal(x.begin(), x.end(), y.begin(), y.end()); };
    CHECK(same(one.get<0>(), knn.get<0>()));
    CHECK(same(one.get<1>(0), knn.get<1>(0)));
    CHECK(same(one.get<1>(1), knn.get<1>(1)));
    CHECK(same(one.get<2>(), knn.get<2>()));
    CHECK(same(one.get<3>(), within.get<0>()));
    CHECK(same(one.get<4>(), within.get<1>()));
    // a row with fewer than N within the radius: CSP undefined, NaN (LAMMPS centro/atom writes 0)
    const auto sparse = pipeline(sorted_ball{2.0}, csp{}).run(p, box);
    CHECK(std::all_of(sparse.get<0>().begin(), sparse.get<0>().end(), [](double v) { return std::isnan(v); }));
}

TEST_CASE("a pipeline workspace reuses its storage across frames with identical results", "[pipeline][workspace]") {
    const triclinic_box<double> box({0, 0, 0}, {14, 12, 11}, 2.0, 1.0, -1.0);
    points p = random_in(box, 800, 27);
    const auto pipe = pipeline(sorted_ball{3.2}, coordination{3.0}, csp{});
    decltype(pipe)::workspace<double> ws;
    std::mt19937_64 g(28);
    std::uniform_real_distribution<double> u(-0.02, 0.02);
    const void* result_storage = nullptr;
    for (int frame = 0; frame < 4; ++frame) {
        const auto& reused = pipe.run(p, box, ws, {}, openmp_policy{2});
        const auto fresh = pipe.run(p, box);
        for (std::size_t d = 0; d < 2; ++d) {
            const auto a = d ? reused.get<1>() : reused.get<0>();
            const auto b = d ? fresh.get<1>() : fresh.get<0>();
            REQUIRE(std::equal(a.begin(), a.end(), b.begin(), b.end()));
        }
        static_assert(decltype(pipe)::streams, "per-particle descriptors on a cell-list stage stream their rows");
        CHECK(ws.list.num_bonds() == 0);  // streamed: no list stored
        if (frame == 1) {  // sized by frame 0; frames 1.. write into the same arrays
            result_storage = reused.get<0>().data();
        } else if (frame > 1) {
            CHECK(reused.get<0>().data() == result_storage);
        }
        for (auto& q : p)
            for (auto& c : q) c += u(g);
    }
}

TEST_CASE("streaming pipelines equal the descriptors run on the stored list", "[pipeline][streaming]") {
    const triclinic_box<double> box({0, 0, 0}, {15, 13, 12}, 3.0, -2.0, 1.5);
    const points p = random_in(box, 900, 41);
    std::vector<int> types(p.size());
    for (std::size_t i = 0; i < types.size(); ++i) types[i] = 1 + int(i % 2);
    particle_properties props;
    props.types = types;
    props.n_local = 700;  // the rest are ghosts: rows only for the first 700
    query_options opt;
    opt.n_local = props.n_local;
    auto same = [](std::span<const double> a, std::span<const double> b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); };
    {
        const auto pipe = pipeline(sorted_ball{3.4}, csp{}, coordination{3.0}, cna{3.2});
        static_assert(decltype(pipe)::streams);
        const auto streamed = pipe.run(p, box, props);
        const auto stored = pipe.run_on(find_neighbors(p, box, sorted_ball{3.4}, opt), props.resolved(p.size()));
        REQUIRE(streamed.size() == 700);
        for (std::size_t k = 0; k < 3; ++k) CHECK(same(streamed.column(streamed.names()[k]), stored.column(stored.names()[k])));
    }
    {
        const auto pipe = pipeline(nearest{12}, csp{});
        const auto streamed = pipe.run(p, box, props, openmp_policy{2});
        const auto stored = pipe.run_on(find_neighbors(p, box, nearest{12}, opt), props.resolved(p.size()), openmp_policy{2});
        CHECK(same(streamed.get<0>(), stored.get<0>()));
    }
    {
        const auto pipe = pipeline(ball{3.0}, coordination{3.0});
        const auto streamed = pipe.run(p, box, props);
        const auto stored = pipe.run_on(find_neighbors(p, box, ball{3.0}, opt), props.resolved(p.size()));
        CHECK(same(streamed.get<0>(), stored.get<0>()));
    }
}
