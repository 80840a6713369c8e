// dynamics/lens.hpp and dynamics/trajectory.hpp: LENS against a brute-force set computation on
// real LAMMPS frames (triclinic), invariance under atom reordering, id matching errors.
#include <tessera/dynamics/lens.hpp>
#include <tessera/dynamics/trajectory.hpp>
#include <tessera/io/lammps_dump.hpp>
#include <tessera/neighbors/brute_force.hpp>

#include "../support/dynamics_frames.hpp"
#include "../support/reference_frames.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <iterator>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace tessera;

namespace {
// Brute force, written from the definition: id sets from the O(N²) oracle, std::set algebra.
std::vector<double> brute_lens(const frame& a, const frame& b, double rc) {
    auto sets = [&](const frame& f) {
        const auto x = f.positions();
        const auto ids = f.ids();
        const auto l = std::visit([&](const auto& bx) { return brute_force_neighbors(x, bx, ball{rc}, x.size()); }, f.box);
        std::map<std::int64_t, std::set<std::int64_t>> s;
        for (std::size_t i = 0; i < x.size(); ++i) {
            auto& row = s[ids[i]];
            for (auto j : l.neighbors(i))
                if (ids[j] != ids[i]) row.insert(ids[j]);
        }
        return s;
    };
    const auto sa = sets(a), sb = sets(b);
    const auto ids_b = b.ids();
    std::vector<double> out;
    for (auto id : ids_b) {
        const auto& A = sa.at(id);
        const auto& B = sb.at(id);
        std::vector<std::int64_t> diff;
        std::set_symmetric_difference(A.begin(), A.end(), B.begin(), B.end(), std::back_inserter(diff));
        out.push_back(A.size() + B.size() == 0 ? 0.0 : double(diff.size()) / double(A.size() + B.size()));
    }
    return out;
}

std::vector<double> fast_lens(const frame& a, const frame& b, double rc, openmp_policy policy = {1}) {
    auto sets = [&](const frame& f) {
        const auto x = f.positions();
        const auto ids = f.ids();
        return std::visit([&](const auto& bx) { return neighbor_id_sets::build(x, bx, ids, rc, policy); }, f.box);
    };
    std::vector<double> out(b.natoms);
    lens(sets(a), sets(b), out);
    return out;
}

}  // namespace

TEST_CASE("lens: equals brute-force set operations on tilted-box Cu frames through yield", "[lens]") {
    const auto frames = tessera_test::read_reference_frames("cu_tilted_ref.dump");
    REQUIRE(frames.size() >= 3);
    for (double rc : {3.1, 5.5, 8.0}) {
        for (std::size_t t = 0; t + 1 < frames.size(); ++t) {
            INFO("rc " << rc << " pair " << t);
            const auto fast = fast_lens(frames[t], frames[t + 1], rc, openmp_policy{2});
            const auto slow = brute_lens(frames[t], frames[t + 1], rc);
            REQUIRE(fast == slow);  // both are ratios of the same integers: exact
            // Yield between these frames reshuffles neighbours: the test compares non-trivial values.
            CHECK(*std::max_element(fast.begin(), fast.end()) > 0.05);
        }
    }
}

TEST_CASE("lens: independent of atom order in either frame, and 0 against itself", "[lens]") {
    const auto frames = tessera_test::read_reference_frames("cu_tilted_ref.dump");
    const auto base = fast_lens(frames[0], frames[1], 3.1);
    const frame a = tessera_test::shuffled_rows(frames[0], 1), b = tessera_test::shuffled_rows(frames[1], 2);
    const auto again = fast_lens(a, b, 3.1);
    const auto ids_b = b.ids(), ids_1 = frames[1].ids();
    std::map<std::int64_t, double> by_id;
    for (std::size_t i = 0; i < again.size(); ++i) by_id[ids_b[i]] = again[i];
    for (std::size_t i = 0; i < base.size(); ++i) REQUIRE(by_id.at(ids_1[i]) == base[i]);
    const auto self = fast_lens(frames[2], tessera_test::shuffled_rows(frames[2], 3), 3.1);
    CHECK(std::all_of(self.begin(), self.end(), [](double v) { return v == 0.0; }));
}

TEST_CASE("lens: the definition on a hand-made example, and empty neighbourhoods", "[lens]") {
    // Atom 1 has neighbours {2, 3} at t and {3, 4} at t+Δt: |△| = 2, |A| + |B| = 4 → 0.5.
    std::vector<std::array<double, 3>> x0{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {5, 5, 5}, {20, 20, 20}};
    std::vector<std::array<double, 3>> x1{{0, 0, 0}, {9, 9, 9}, {0, 1, 0}, {1, 0, 0}, {20, 20, 20}};
    const std::vector<std::int64_t> ids{1, 2, 3, 4, 5};
    const open_box<double> open;
    const auto a = neighbor_id_sets::build(x0, open, ids, 1.5);
    const auto b = neighbor_id_sets::build(x1, open, ids, 1.5);
    std::vector<double> out(5);
    lens(a, b, out);
    CHECK(out[0] == 0.5);
    CHECK(out[4] == 0.0);  // isolated in both frames: 0 by definition
    CHECK(out[1] == 1.0);  // atom 2: {1, 3} → {}: 2 changes over 2
}

TEST_CASE("lens: a changed atom set is an error unless intersecting", "[lens][errors]") {
    std::vector<std::array<double, 3>> x{{0, 0, 0}, {1, 0, 0}, {2, 0, 0}};
    const open_box<double> open;
    const auto a = neighbor_id_sets::build(x, open, std::vector<std::int64_t>{1, 2, 3}, 1.5);
    const auto b = neighbor_id_sets::build(x, open, std::vector<std::int64_t>{1, 2, 4}, 1.5);
    std::vector<double> out(3);
    CHECK_THROWS_WITH(lens(a, b, out), Catch::Contains("atom id 3 is in the earlier frame but not in the later one"));
    lens(a, b, out, id_mismatch::intersect);
    CHECK(std::isnan(out[2]));
    CHECK(out[0] == 0.0);  // atom 1 sees {2} in both frames
    CHECK(out[1] == 0.5);  // atom 2: {1, 3} → {1, 4}
    CHECK_THROWS_WITH(neighbor_id_sets::build(x, open, std::vector<std::int64_t>{1, 1, 2}, 1.5),
                      Catch::Contains("atom id 1 appears twice"));
    CHECK_THROWS_WITH(neighbor_id_sets::build(x, open, std::vector<std::int64_t>{1, 2, 3}, 0.0),
                      Catch::Contains("cutoff must be positive"));
}

TEST_CASE("unwrapper: minimum-image increments recover unwrapped coordinates", "[trajectory]") {
    const orthogonal_box<double> box({0, 0, 0}, {10, 10, 10});
    std::vector<std::array<double, 3>> truth{{9.5, 5, 5}}, wrapped(1);
    unwrapper<double> u;
    for (int step = 0; step < 30; ++step) {
        const auto w = box.wrap({truth[0][0], truth[0][1], truth[0][2]});
        wrapped[0] = {w.x, w.y, w.z};
        const auto& r = u.update(wrapped, box);
        REQUIRE(r[0].x == Approx(truth[0][0]).margin(1e-12));
        truth[0][0] += 0.7;  // crosses the periodic face several times
    }
}
