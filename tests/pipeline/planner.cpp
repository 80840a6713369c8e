// pipeline/planner.hpp (+ any_descriptor.hpp, neighbors/prefix_list.hpp, the nearest_or_ball
// query): the run-time planner gives, for every descriptor, the columns of the compile-time
// pipeline with the stage its request names — bit for bit — on LAMMPS frames of a sheared Cu
// crystal in a tilted box and of a Cu–Zr glass.
#include "../support/reference_frames.hpp"

#include <tessera/descriptors/adaptive_cna.hpp>
#include <tessera/descriptors/chemical_order.hpp>
#include <tessera/descriptors/cna.hpp>
#include <tessera/descriptors/coordination.hpp>
#include <tessera/descriptors/csp.hpp>
#include <tessera/descriptors/pair_entropy.hpp>
#include <tessera/descriptors/solid_bonds.hpp>
#include <tessera/descriptors/steinhardt.hpp>
#include <tessera/descriptors/symmetry_functions.hpp>
#include <tessera/neighbors/brute_force.hpp>
#include <tessera/pipeline/pipeline.hpp>
#include <tessera/pipeline/planner.hpp>

#include <catch2/catch.hpp>

#include <cmath>

#include <array>
#include <string>
#include <variant>
#include <vector>

using namespace tessera;

namespace {

struct test_frame {
    std::vector<std::array<double, 3>> positions;
    std::vector<int> types;
    any_box box;
};

test_frame load(const std::string& name) {
    const auto frames = tessera_test::read_reference_frames(name);
    test_frame t;
    frames.back().positions(t.positions);
    t.types = frames.back().types();
    t.box = frames.back().box;
    return t;
}

/// Column c of descriptor e of the planner equals column c of the one-descriptor pipeline with
/// stage `stage`, every value bit for bit (== on doubles; NaN — an undefined value, e.g. q_l of
/// an atom with fewer than nnn neighbours within the cutoff — must be NaN in both).
template <class Stage, class D>
void require_same(const planner_result<double>& got, std::size_t e, const Stage& stage, const D& d,
                  const test_frame& f, const particle_properties& props) {
    const auto pipe = pipeline(stage, d);
    const auto want = std::visit([&](const auto& b) { return pipe.template run<double>(f.positions, b, props); }, f.box);
    const auto names = want.names();
    REQUIRE(got.names_of(e) == names);
    for (std::size_t c = 0; c < names.size(); ++c) {
        const auto a = got.column(e, c);
        const auto b = want.template get<0>(c);
        std::size_t differ = 0;
        for (std::size_t i = 0; i < a.size(); ++i) differ += !(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])));
        INFO("descriptor " << e << " column " << names[c]);
        REQUIRE(differ == 0);
    }
}

template <class Policy = serial_policy>
planner_result<double> run(const planner<double>& plan, const test_frame& f, const particle_properties& props,
                           Policy policy = {}) {
    return std::visit([&](const auto& b) { return plan.run(f.positions, b, props, policy); }, f.box);
}

}  // namespace

TEST_CASE("planner: one descriptor alone equals its own pipeline bit for bit", "[planner]") {
    const test_frame f = load("cu_tilted_ref.dump");
    const particle_properties props{.types = f.types};
    SECTION("a ball: the same unsorted ball query") {
        planner<double> plan;
        plan.add(coordination{3.0});
        CHECK(plan.plan().describe() == "ball{radius = 3}");
        require_same(run(plan, f, props), 0, ball{3.0}, coordination{3.0}, f, props);
    }
    SECTION("k nearest") {
        planner<double> plan;
        plan.add(csp{12});
        CHECK(plan.plan().describe() == "nearest{k = 12, max_radius = inf}");
        require_same(run(plan, f, props), 0, nearest{12}, csp{12}, f, props);
    }
    SECTION("two balls of different radii: a sorted ball, each descriptor its prefix") {
        planner<double> plan;
        plan.add(coordination{2.7});
        plan.add(cna{3.086});
        CHECK(plan.plan().describe() == "sorted_ball{radius = 3.086}");
        const auto out = run(plan, f, props);
        require_same(out, 0, sorted_ball{2.7}, coordination{2.7}, f, props);
        require_same(out, 1, sorted_ball{3.086}, cna{3.086}, f, props);
    }
}

TEST_CASE("planner: the whole-job set in one pass equals each descriptor's own pipeline", "[planner]") {
    const test_frame f = load("cu_tilted_ref.dump");
    const particle_properties props{.types = f.types};
    planner<double> plan;
    const csp c12{12};
    const cna c{3.086};
    const steinhardt q{.degrees = {4, 6}, .nnn = 12, .wl = true, .wlhat = true};
    const coordination z{3.0};
    const adaptive_cna a{};
    const basic_csp<> m{8, csp_mode::matching};
    const steinhardt qc{.degrees = {6}, .nnn = 0, .cutoff = 3.2};
    const steinhardt qkc{.degrees = {4}, .nnn = 12, .cutoff = 2.8};  // 12 nearest within 2.8: often fewer
    for (const auto& d : std::vector<any_descriptor<double>>{c12, c, q, z, a, m, qc, qkc}) plan.add(d);
    const auto s = plan.plan();
    CHECK(s.describe() == "nearest_or_ball{k = 14, radius = 3.2, max_radius = inf}");
    CHECK_FALSE(s.stores_list);  // streamed: no whole-list descriptor
    const auto out = run(plan, f, props);
    require_same(out, 0, nearest{12}, c12, f, props);
    require_same(out, 1, sorted_ball{3.086}, c, f, props);
    require_same(out, 2, nearest{12}, q, f, props);
    require_same(out, 3, sorted_ball{3.0}, z, f, props);
    require_same(out, 4, nearest{14}, a, f, props);
    require_same(out, 5, nearest{8}, m, f, props);
    require_same(out, 6, sorted_ball{3.2}, qc, f, props);
    require_same(out, 7, nearest{12, 2.8}, qkc, f, props);
    // the column order of the result is the order of add()
    CHECK(out.names().front() == "csp");
    CHECK(out.column("acna").data() == out.column(4, 0).data());
}

TEST_CASE("planner: positions read in place (soa_view, as tessera compute does) give the same bits, and take() moves a "
          "descriptor's columns out", "[planner]") {
    const test_frame f = load("cu_tilted_ref.dump");
    const particle_properties props{.types = f.types};
    planner<double> plan;
    plan.add(csp{12});
    plan.add(steinhardt{.degrees = {4, 6}, .nnn = 12});
    plan.add(coordination{3.0});
    const auto want = run(plan, f, props);
    std::vector<double> x, y, z;
    for (const auto& p : f.positions) x.push_back(p[0]), y.push_back(p[1]), z.push_back(p[2]);
    const soa_view<double> in_place{x.data(), y.data(), z.data(), x.size()};
    planner<double>::workspace ws;
    std::visit([&](const auto& b) { (void)plan.run(in_place, b, ws, props); }, f.box);
    for (std::size_t e = 0; e < plan.size(); ++e) {
        const std::size_t n = ws.result.size(), columns = ws.result.names_of(e).size();
        const double* before = ws.result.column(e, 0).data();
        const std::vector<double> block = ws.result.take(e);
        REQUIRE(block.size() == columns * n);
        CHECK(block.data() == before);  // moved, not copied
        for (std::size_t c = 0; c < columns; ++c) {
            const auto expected = want.column(e, c);
            std::size_t differ = 0;
            for (std::size_t i = 0; i < n; ++i) {
                const double a = block[c * n + i], b = expected[i];
                differ += !(a == b || (std::isnan(a) && std::isnan(b)));
            }
            INFO("descriptor " << e << " column " << c);
            CHECK(differ == 0);
        }
    }
    // The workspace serves the next frame after its columns were taken.
    std::visit([&](const auto& b) { (void)plan.run(in_place, b, ws, props); }, f.box);
    CHECK(ws.result.column(0, 0)[5] == want.column(0, 0)[5]);
}

TEST_CASE("planner: whole-list descriptors read prefixes of a stored list, results do not depend on it", "[planner]") {
    const test_frame f = load("cuzr_glass_ref.dump");
    const particle_properties props{.types = f.types};
    const steinhardt q{.degrees = {4, 6}, .nnn = 12};
    const steinhardt_average qa{.degrees = {4, 6}, .nnn = 12, .wl = true};
    const solid_bonds sb{.l = 6, .threshold = 0.7, .nnn = 0, .cutoff = 3.6};
    const pair_coordination pc = pair_coordination::from_pairs({{{1, 1}, 3.05}, {{1, 2}, 3.75}, {{2, 2}, 4.35}});
    const chemical_order sro{0, pc};
    const symmetry_functions sf{symmetry_functions::grid(1.5, 4.5, 0.5), 1.0, 5.0};
    pair_entropy pe{.sigma = 0.2, .cutoffs = {3.0, 4.0}, .density = 2000 / (33.05194928 * 33.05194928 * 33.05194928)};
    planner<double> plan;
    for (const auto& d : std::vector<any_descriptor<double>>{q, qa, sb, pc, sro, sf, pe}) plan.add(d);
    const auto s = plan.plan();
    CHECK(s.describe() == "nearest_or_ball{k = 12, radius = 5, max_radius = inf} (stored list)");
    const auto out = run(plan, f, props);
    require_same(out, 0, nearest{12}, q, f, props);
    require_same(out, 1, nearest{12}, qa, f, props);
    require_same(out, 2, sorted_ball{3.6}, sb, f, props);
    require_same(out, 3, sorted_ball{4.35}, pc, f, props);
    require_same(out, 4, sorted_ball{4.35}, sro, f, props);
    require_same(out, 5, sorted_ball{5.0}, sf, f, props);
    require_same(out, 6, sorted_ball{4.0}, pe, f, props);

    SECTION("stored and streamed rows give the same per-particle columns") {
        planner<double> streamed;
        for (const auto& d : std::vector<any_descriptor<double>>{q, pc, sf, pe}) streamed.add(d);
        CHECK_FALSE(streamed.plan().stores_list);
        const auto o2 = run(streamed, f, props);
        for (const auto& [a, b] : {std::pair{0, 0}, {3, 1}, {5, 2}, {6, 3}})
            for (std::size_t c = 0; c < out.names_of(a).size(); ++c) {
                const auto x = out.column(a, c), y = o2.column(b, c);
                REQUIRE(std::equal(x.begin(), x.end(), y.begin()));
            }
    }
    SECTION("one thread and two threads agree bit for bit") {
        const auto o1 = run(plan, f, props, openmp_policy{1});
        const auto o2 = run(plan, f, props, openmp_policy{2});
        for (std::size_t e = 0; e < plan.size(); ++e)
            for (std::size_t c = 0; c < o1.names_of(e).size(); ++c) {
                const auto x = o1.column(e, c), y = o2.column(e, c);
                REQUIRE(std::equal(x.begin(), x.end(), y.begin()));
            }
    }
}

TEST_CASE("planner: Voronoi requests share one tessellation beside the cell-list stage", "[planner][voronoi]") {
    const test_frame f = load("cuzr_glass_ref.dump");
    const particle_properties props{.types = f.types};
    const steinhardt qv{.degrees = {4, 6}, .nnn = 0, .face_weighted = true};
    const steinhardt_average qav{.degrees = {6}, .nnn = 0, .face_weighted = true};
    planner<double> plan;
    plan.add(qv);
    plan.add(csp{12});
    plan.add(qav);
    CHECK(plan.plan().describe() == "nearest{k = 12, max_radius = inf} + voronoi");
    const auto out = run(plan, f, props);
    require_same(out, 0, voronoi_neighbors{}, qv, f, props);
    require_same(out, 1, nearest{12}, csp{12}, f, props);
    require_same(out, 2, voronoi_neighbors{}, qav, f, props);
}

TEST_CASE("nearest_or_ball rows: sorted, every neighbour within the radius and the k nearest", "[planner][neighbors]") {
    const test_frame f = load("cu_tilted_ref.dump");
    const auto& box = std::get<triclinic_box<double>>(f.box);
    for (const auto& q : {nearest_or_ball{12, 3.0}, nearest_or_ball{20, 2.6}, nearest_or_ball{6, 3.7, 2.0},
                          nearest_or_ball{60, 2.0, 5.5}}) {
        const auto got = find_neighbors<double>(f.positions, box, q);
        const auto by_ball = brute_force_neighbors(f.positions, box, ball{q.radius}, f.positions.size());
        const auto by_k = brute_force_neighbors(f.positions, box, nearest{q.k, q.max_radius}, f.positions.size());
        for (std::size_t i = 0; i < f.positions.size(); ++i) {
            const std::size_t want = std::max(by_ball.num_neighbors(i), by_k.num_neighbors(i));
            REQUIRE(got.num_neighbors(i) == want);
            const auto d2 = got.distances2(i);
            REQUIRE(std::is_sorted(d2.begin(), d2.end()));
            // the first k are the k nearest (brute force sorts by the same key)
            for (std::size_t a = 0; a < by_k.num_neighbors(i); ++a) REQUIRE(got.neighbors(i)[a] == by_k.neighbors(i)[a]);
        }
    }
}

TEST_CASE("planner: a request without a finite radius is refused, naming the descriptor", "[planner][errors]") {
    planner<double> plan;
    CHECK_THROWS_WITH(plan.add(coordination{}), Catch::Contains("columns coord") && Catch::Contains("give it a cutoff"));
    CHECK_THROWS_WITH(plan.add(steinhardt{.degrees = {6}, .nnn = 0}), Catch::Contains("columns q6"));
    plan.add(coordination{3.0});
    plan.add(csp{7});  // odd N: caught by prepare() before any particle
    const std::vector<std::array<double, 3>> p{{0, 0, 0}, {1, 0, 0}};
    CHECK_THROWS_WITH(plan.run(p, open_box<double>{}), Catch::Contains("csp: the number of neighbours N must be even"));
}

TEST_CASE("prefix_list: the rows a request reads, through the list traits", "[planner][neighbors]") {
    const test_frame f = load("cu_tilted_ref.dump");
    const auto& box = std::get<triclinic_box<double>>(f.box);
    const auto sorted = find_neighbors<double>(f.positions, box, sorted_ball{3.2});
    const auto small = find_neighbors<double>(f.positions, box, sorted_ball{2.9});
    std::vector<neighbor_index> lengths(sorted.num_particles());
    for (std::size_t i = 0; i < lengths.size(); ++i)
        lengths[i] = neighbor_index(prefix_length(sorted.distances2(i), neighbor_request::within(2.9)));
    const prefix_list<double> view(sorted, lengths);
    static_assert(csr_neighbor_list<prefix_list<double>>);
    for (std::size_t i = 0; i < lengths.size(); ++i) {
        const auto r = row_of(view, i);
        REQUIRE(r.size() == small.num_neighbors(i));
        REQUIRE(std::equal(r.neighbors.begin(), r.neighbors.end(), small.neighbors(i).begin()));
        REQUIRE(neighbor_list_traits<prefix_list<double>>::num_neighbors(view, i) == small.num_neighbors(i));
    }
    CHECK(prefix_length(sorted.distances2(0), neighbor_request::nearest_k(3)) == 3);
}

TEST_CASE("compile-time nearest_or_ball stage: each descriptor reads its own prefix", "[planner][pipeline]") {
    // Rows hold the 14 nearest even where fewer lie inside 2.6: a ball descriptor, and one that
    // leaves its cutoff to the stage, must still count only the bonds inside their balls.
    const test_frame f = load("cu_tilted_ref.dump");
    const particle_properties props{.types = f.types};
    const auto& box = std::get<triclinic_box<double>>(f.box);
    const auto pipe = pipeline(nearest_or_ball{14, 2.6}, coordination{2.6}, coordination{}, csp{12});
    const auto out = pipe.run<double>(f.positions, box, props);
    const auto want = pipeline(sorted_ball{2.6}, coordination{2.6}).run<double>(f.positions, box, props);
    const auto want_csp = pipeline(nearest{12}, csp{12}).run<double>(f.positions, box, props);
    for (std::size_t i = 0; i < f.positions.size(); ++i) {
        REQUIRE(out.get<0>()[i] == want.get<0>()[i]);
        REQUIRE(out.get<1>()[i] == want.get<0>()[i]);
        REQUIRE(out.get<2>()[i] == want_csp.get<0>()[i]);
    }
}
