// cluster/tracking.hpp: hand-made sequences with every event kind and tie rule, invariance
// under atom reordering, and mobile-atom clusters of a LAMMPS CuZr liquid tracked identically
// to an independent Python implementation (tests/reference/cluster/make_tracking_reference.py).
#include <tessera/cluster/tracking.hpp>

#include "../support/reference_frames.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace tessera;
using cluster_list = std::vector<std::vector<std::int64_t>>;

namespace {

constexpr std::size_t none = cluster_track::none;

void add(cluster_tracker& t, std::int64_t ts, const cluster_list& cl) {
    std::vector<std::size_t> off{0};
    std::vector<std::int64_t> ids;
    for (const auto& c : cl) {
        ids.insert(ids.end(), c.begin(), c.end());
        off.push_back(ids.size());
    }
    t.add_frame(ts, off, ids);
}

cluster_tracker run(const std::vector<cluster_list>& frames) {
    cluster_tracker t;
    for (std::size_t f = 0; f < frames.size(); ++f) add(t, std::int64_t(10 * f), frames[f]);
    return t;
}

void check_track(const cluster_track& tr, std::size_t first, std::size_t last, std::vector<std::size_t> sizes,
                 track_origin origin, std::size_t parent, track_end end, std::size_t merged_into) {
    INFO("track " << tr.id);
    CHECK(tr.first_frame == first);
    CHECK(tr.last_frame == last);
    CHECK(tr.first_timestep == std::int64_t(10 * first));
    CHECK(tr.last_timestep == std::int64_t(10 * last));
    CHECK(tr.sizes == sizes);
    CHECK(tr.max_size == *std::max_element(sizes.begin(), sizes.end()));
    CHECK(tr.origin == origin);
    CHECK(tr.parent == parent);
    CHECK(tr.end == end);
    CHECK(tr.merged_into == merged_into);
}

bool same(const cluster_track& a, const cluster_track& b) {
    return a.id == b.id && a.first_frame == b.first_frame && a.last_frame == b.last_frame &&
           a.first_timestep == b.first_timestep && a.last_timestep == b.last_timestep && a.max_size == b.max_size &&
           a.sizes == b.sizes && a.atoms_at_birth == b.atoms_at_birth && a.atoms == b.atoms && a.origin == b.origin &&
           a.parent == b.parent && a.end == b.end && a.merged_into == b.merged_into;
}

}  // namespace

TEST_CASE("tracking: birth, growth, shrink, death", "[cluster][tracking]") {
    const auto t = run({{{1, 2, 3}}, {{4, 1, 2, 3}, {10}}, {{3, 2}}, {}});
    REQUIRE(t.tracks().size() == 2);
    check_track(t.tracks()[0], 0, 2, {3, 4, 2}, track_origin::birth, none, track_end::death, none);
    check_track(t.tracks()[1], 1, 1, {1}, track_origin::birth, none, track_end::death, none);
    CHECK(t.tracks()[0].atoms_at_birth == std::vector<std::int64_t>{1, 2, 3});
    CHECK(t.tracks()[0].atoms == std::vector<std::int64_t>{1, 2, 3, 4});
    const auto& ev = t.events();
    REQUIRE(ev.size() == 4);
    CHECK((ev[1].births == 1 && ev[1].deaths == 0 && ev[2].deaths == 1 && ev[3].deaths == 1 && ev[3].clusters == 0));
    CHECK(t.new_per_frame() == std::vector<std::size_t>{1, 1, 0, 0});
    CHECK(t.current_tracks().empty());
}

TEST_CASE("tracking: merges — largest overlap continues, ties to the older then lower track", "[cluster][tracking]") {
    SECTION("largest overlap") {
        const auto t = run({{{1, 2, 3}, {4, 5}, {7}}, {{1, 2, 3, 4, 5, 6}, {7}}});
        REQUIRE(t.tracks().size() == 3);
        // Births of frame 0 are numbered by smallest id: {1,2,3} → 0, {4,5} → 1, {7} → 2.
        check_track(t.tracks()[0], 0, 1, {3, 6}, track_origin::birth, none, track_end::alive, none);
        check_track(t.tracks()[1], 0, 0, {2}, track_origin::birth, none, track_end::merged, 0);
        check_track(t.tracks()[2], 0, 1, {1, 1}, track_origin::birth, none, track_end::alive, none);
        CHECK(t.events()[1].merges == 1);
        CHECK(std::vector<std::size_t>(t.current_tracks().begin(), t.current_tracks().end()) ==
              std::vector<std::size_t>{0, 2});
    }
    SECTION("equal overlap: the older track continues") {
        const auto t = run({{{8, 9}}, {{8, 9}, {5, 6}}, {{8, 5}}});
        REQUIRE(t.tracks().size() == 2);
        check_track(t.tracks()[0], 0, 2, {2, 2, 2}, track_origin::birth, none, track_end::alive, none);
        check_track(t.tracks()[1], 1, 1, {2}, track_origin::birth, none, track_end::merged, 0);
    }
    SECTION("equal overlap and age: the lower track id continues") {
        const auto t = run({{{2}, {1}}, {{1, 2}}});
        check_track(t.tracks()[0], 0, 1, {1, 2}, track_origin::birth, none, track_end::alive, none);
        check_track(t.tracks()[1], 0, 0, {1}, track_origin::birth, none, track_end::merged, 0);
        CHECK(t.tracks()[0].atoms_at_birth == std::vector<std::int64_t>{1});  // id 0 = smallest atom id
    }
}

TEST_CASE("tracking: splits — largest overlap continues, ties to the larger then smallest-id fragment",
          "[cluster][tracking]") {
    SECTION("largest overlap") {
        const auto t = run({{{1, 2, 3, 4, 5, 6}}, {{5, 6}, {1, 2, 3, 4}}});
        REQUIRE(t.tracks().size() == 2);
        check_track(t.tracks()[0], 0, 1, {6, 4}, track_origin::birth, none, track_end::alive, none);
        check_track(t.tracks()[1], 1, 1, {2}, track_origin::split, 0, track_end::alive, none);
        CHECK(t.events()[1].splits == 1);
        CHECK(t.events()[1].births == 0);
        CHECK(t.new_per_frame() == std::vector<std::size_t>{1, 0});
        CHECK(t.new_per_frame(new_cluster_rule::births_and_splits) == std::vector<std::size_t>{1, 1});
    }
    SECTION("equal overlap: the larger fragment continues") {
        const auto t = run({{{1, 2, 3, 4}}, {{3, 4}, {1, 2, 9, 10}}});
        check_track(t.tracks()[0], 0, 1, {4, 4}, track_origin::birth, none, track_end::alive, none);
        CHECK(t.tracks()[0].atoms == std::vector<std::int64_t>{1, 2, 3, 4, 9, 10});
        CHECK(t.tracks()[1].atoms_at_birth == std::vector<std::int64_t>{3, 4});
    }
    SECTION("equal overlap and size: the fragment with the smallest atom id continues") {
        const auto t = run({{{1, 2, 3, 4, 5, 6}}, {{4, 5, 6}, {3, 2, 1}}});
        CHECK(t.tracks()[1].atoms_at_birth == std::vector<std::int64_t>{4, 5, 6});
        CHECK(t.tracks()[1].parent == 0);
    }
}

TEST_CASE("tracking: merge and split at once (mutual best match)", "[cluster][tracking]") {
    SECTION("a split fragment and a merge in one frame") {
        // P0 {1..5}, P1 {6,7} → C0 {1,2}, C1 {3..7}: overlaps (P0,C0)=2, (P0,C1)=3, (P1,C1)=2.
        const auto t = run({{{1, 2, 3, 4, 5}, {6, 7}}, {{1, 2}, {3, 4, 5, 6, 7}}});
        REQUIRE(t.tracks().size() == 3);
        check_track(t.tracks()[0], 0, 1, {5, 5}, track_origin::birth, none, track_end::alive, none);
        check_track(t.tracks()[1], 0, 0, {2}, track_origin::birth, none, track_end::merged, 0);
        check_track(t.tracks()[2], 1, 1, {2}, track_origin::split, 0, track_end::alive, none);
        const auto& e = t.events()[1];
        CHECK((e.births == 0 && e.splits == 1 && e.merges == 1 && e.deaths == 0));
    }
    SECTION("a track merging into a split fragment") {
        // P0 {1..6}, P1 {7,8} → C0 {1..4}, C1 {5,6,7}: C1's best predecessor is P0 (2 > 1), but P0
        // continues into C0, so C1 is a split of P0; P1's only successor C1 → merged into it.
        const auto t = run({{{1, 2, 3, 4, 5, 6}, {7, 8}}, {{1, 2, 3, 4}, {5, 6, 7}}});
        REQUIRE(t.tracks().size() == 3);
        check_track(t.tracks()[0], 0, 1, {6, 4}, track_origin::birth, none, track_end::alive, none);
        check_track(t.tracks()[1], 0, 0, {2}, track_origin::birth, none, track_end::merged, 2);
        check_track(t.tracks()[2], 1, 1, {3}, track_origin::split, 0, track_end::alive, none);
    }
    SECTION("crossing exchange: each keeps its majority") {
        const auto t = run({{{1, 2, 3, 4}, {5, 6}}, {{1, 2, 3}, {4, 5, 6}}});
        REQUIRE(t.tracks().size() == 2);
        check_track(t.tracks()[0], 0, 1, {4, 3}, track_origin::birth, none, track_end::alive, none);
        check_track(t.tracks()[1], 0, 1, {2, 3}, track_origin::birth, none, track_end::alive, none);
    }
    SECTION("no gap closing: an absent frame ends the track") {
        const auto t = run({{{1, 2}}, {}, {{1, 2}}});
        REQUIRE(t.tracks().size() == 2);
        check_track(t.tracks()[0], 0, 0, {2}, track_origin::birth, none, track_end::death, none);
        check_track(t.tracks()[1], 2, 2, {2}, track_origin::birth, none, track_end::alive, none);
    }
}

TEST_CASE("tracking: delays to the next event of another signal", "[cluster][tracking]") {
    // Signal A: {1,2} at ts 0 → {2,3} at ts 10; {7} at ts 20. Signal B: {9} at ts 0, {3} at 30,
    // {1} at 40, {7} at 20 (same frame as A's {7}: delay 0).
    cluster_tracker a, b;
    add(a, 0, {{1, 2}});
    add(a, 10, {{2, 3}});
    add(a, 20, {{7}});
    add(b, 0, {{9}});
    add(b, 20, {{7}});
    add(b, 30, {{3}});
    add(b, 40, {{1}});
    const auto d = delays_to_next_event(a.tracks(), b.tracks());
    REQUIRE(d.size() == 2);
    CHECK((d[0].a == 0 && d[0].b == 2 && d[0].delay == 30));  // {3} joined track 0 after its birth
    CHECK((d[1].a == 1 && d[1].b == 1 && d[1].delay == 0));
    const auto back = delays_to_next_event(b.tracks(), a.tracks());
    CHECK(back[0].b == none);  // {9}: A never touches atom 9
    CHECK((back[1].b == 1 && back[1].delay == 0));
    CHECK(back[2].b == none);  // B's {3} at ts 30: no A birth at or after 30 holds atom 3
}

TEST_CASE("tracking: errors name what is wrong", "[cluster][tracking][errors]") {
    cluster_tracker t;
    add(t, 5, {{1, 2}});
    CHECK_THROWS_WITH(add(t, 5, {{1}}), Catch::Contains("does not follow timestep 5"));
    CHECK_THROWS_WITH(add(t, 6, {{1, 2}, {2}}), Catch::Contains("atom id 2 appears twice"));
    CHECK_THROWS_WITH(add(t, 7, {{1}, {}}), Catch::Contains("cluster 1 at timestep 7 is empty"));
    const std::vector<std::size_t> off{0, 3};
    const std::vector<std::int64_t> ids{1, 2};
    CHECK_THROWS_WITH(t.add_frame(8, off, ids), Catch::Contains("offsets must start at 0"));
    CHECK(t.tracks().size() == 1);  // failed calls left the tracker as it was
    CHECK(t.events().size() == 1);
}

namespace {

struct reference {
    std::map<std::int64_t, std::vector<std::size_t>> frame_counts;  // timestep → clusters b s m d
    std::map<std::int64_t, std::vector<std::vector<std::int64_t>>> clusters;
    std::vector<std::vector<std::string>> tracks, sizes, birth, atoms;
};

std::vector<std::int64_t> ints(std::istringstream& is) {
    std::vector<std::int64_t> v;
    for (std::int64_t x; is >> x;) v.push_back(x);
    return v;
}

// Mobile-atom clusters of frames 1..20, optionally with every frame's atom order shuffled.
cluster_tracker track_mobile(const std::vector<frame>& frames, double threshold, std::uint64_t shuffle_seed,
                             reference* ref_clusters = nullptr) {
    cluster_tracker t;
    std::mt19937_64 g(shuffle_seed);
    for (std::size_t k = 1; k < frames.size(); ++k) {
        const auto x0 = frames[k - 1].positions(unwrap::required), x1u = frames[k].positions(unwrap::required);
        const auto x1 = frames[k].positions();
        const auto ids = frames[k].ids();
        REQUIRE(ids == frames[k - 1].ids());
        std::vector<std::size_t> order(ids.size());
        std::iota(order.begin(), order.end(), std::size_t(0));
        if (shuffle_seed) std::shuffle(order.begin(), order.end(), g);
        std::vector<std::array<double, 3>> pos(ids.size());
        std::vector<std::int64_t> pid(ids.size());
        std::unique_ptr<bool[]> flag(new bool[ids.size()]);
        for (std::size_t r = 0; r < order.size(); ++r) {
            const std::size_t i = order[r];
            const double dx = x1u[i][0] - x0[i][0], dy = x1u[i][1] - x0[i][1], dz = x1u[i][2] - x0[i][2];
            flag[r] = std::sqrt(dx * dx + dy * dy + dz * dz) > threshold;
            pos[r] = x1[i];
            pid[r] = ids[i];
        }
        with_box(frames[k].box, [&](const auto& box) {
            const auto c = find_clusters(pos, box, std::span<const bool>(flag.get(), ids.size()), 3.0);
            t.add_frame(frames[k].timestep, c, pid);
            if (ref_clusters) {
                auto& got = ref_clusters->clusters[frames[k].timestep];
                for (std::size_t m = 0; m < c.count(); ++m) {
                    std::vector<std::int64_t> v;
                    for (auto i : c.members(m)) v.push_back(pid[i]);
                    std::sort(v.begin(), v.end());
                    got.push_back(v);
                }
                std::sort(got.begin(), got.end());
            }
        });
    }
    return t;
}

std::string str(track_origin o) { return o == track_origin::birth ? "birth" : "split"; }
std::string str(track_end e) { return e == track_end::alive ? "alive" : e == track_end::death ? "death" : "merged"; }
std::string str(std::size_t v) { return v == none ? "-1" : std::to_string(v); }

}  // namespace

TEST_CASE("tracking: mobile-atom clusters of a CuZr liquid equal an independent Python tracker", "[cluster][tracking]") {
    // Flags and links are comparisons of the same doubles; the Python script asserts that no
    // displacement lies within 1e-9 Å of a threshold and no pair within 1e-9 Å of the link, so
    // the clusters must be identical, and then every track field must be identical too.
    const auto frames = tessera_test::read_reference_frames("msd/cuzr_liquid.dump");
    REQUIRE(frames.size() == 21);
    std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/cluster/tracking_cuzr_liquid.txt");
    REQUIRE(in);
    std::map<std::string, reference> ref;
    std::vector<std::array<std::int64_t, 3>> ref_delays;
    for (std::string line; std::getline(in, line);) {
        std::istringstream is(line);
        std::string kind, sig;
        is >> kind;
        if (kind == "delay") {
            std::array<std::int64_t, 3> d;
            is >> d[0] >> d[1] >> d[2];
            ref_delays.push_back(d);
            continue;
        }
        if (kind.empty() || kind[0] == '#' || kind == "signal") continue;
        is >> sig;
        auto& r = ref[sig];
        if (kind == "frame" || kind == "cluster") {
            std::int64_t ts;
            is >> ts;
            auto v = ints(is);
            if (kind == "frame") r.frame_counts[ts] = std::vector<std::size_t>(v.begin(), v.end());
            else r.clusters[ts].push_back(v);
            continue;
        }
        std::vector<std::string> words;
        for (std::string w; is >> w;) words.push_back(w);
        (kind == "track" ? r.tracks : kind == "sizes" ? r.sizes : kind == "birth" ? r.birth : r.atoms).push_back(words);
    }
    REQUIRE(ref.size() == 2);
    std::map<std::string, cluster_tracker> got;
    for (auto [sig, threshold] : {std::pair<std::string, double>{"A", 0.95}, {"B", 1.15}}) {
        INFO("signal " << sig);
        const auto& r = ref[sig];
        reference mine;
        const auto t = track_mobile(frames, threshold, 0, &mine);
        for (auto& [ts, cl] : mine.clusters) {
            auto want = r.clusters.count(ts) ? r.clusters.at(ts) : std::vector<std::vector<std::int64_t>>{};
            std::sort(want.begin(), want.end());
            INFO("timestep " << ts);
            REQUIRE(cl == want);
        }
        REQUIRE(t.events().size() == 20);
        for (const auto& e : t.events())
            REQUIRE(std::vector<std::size_t>{e.clusters, e.births, e.splits, e.merges, e.deaths} ==
                    r.frame_counts.at(e.timestep));
        REQUIRE(t.tracks().size() == r.tracks.size());
        for (const auto& tr : t.tracks()) {
            INFO("track " << tr.id);
            const std::vector<std::string> fields{
                std::to_string(tr.id),          std::to_string(tr.first_frame), std::to_string(tr.last_frame),
                std::to_string(tr.first_timestep), std::to_string(tr.last_timestep), std::to_string(tr.max_size),
                str(tr.origin),                 str(tr.parent),                 str(tr.end),
                str(tr.merged_into)};
            REQUIRE(fields == r.tracks[tr.id]);
            auto strings = [&](const auto& v) {
                std::vector<std::string> s{std::to_string(tr.id)};
                for (auto x : v) s.push_back(std::to_string(x));
                return s;
            };
            REQUIRE(strings(tr.sizes) == r.sizes[tr.id]);
            REQUIRE(strings(tr.atoms_at_birth) == r.birth[tr.id]);
            REQUIRE(strings(tr.atoms) == r.atoms[tr.id]);
        }
        // Every event kind occurs in this data (the test exercises all of them).
        if (sig == "A")
            for (auto want : {std::size_t(1), std::size_t(2), std::size_t(3), std::size_t(4)}) {
                std::size_t n = 0;
                for (const auto& e : t.events()) n += want == 1 ? e.births : want == 2 ? e.splits : want == 3 ? e.merges : e.deaths;
                CHECK(n > 0);
            }

        // Reordering the atoms of every frame changes nothing.
        for (std::uint64_t seed : {7u, 1234u}) {
            const auto s = track_mobile(frames, threshold, seed);
            REQUIRE(s.tracks().size() == t.tracks().size());
            for (std::size_t k = 0; k < t.tracks().size(); ++k) REQUIRE(same(s.tracks()[k], t.tracks()[k]));
            REQUIRE(s.new_per_frame(new_cluster_rule::births_and_splits) ==
                    t.new_per_frame(new_cluster_rule::births_and_splits));
        }
        got.emplace(sig, t);
    }
    const auto d = delays_to_next_event(got.at("A").tracks(), got.at("B").tracks());
    REQUIRE(d.size() == ref_delays.size());
    std::size_t found = 0;
    for (std::size_t k = 0; k < d.size(); ++k) {
        INFO("A track " << k);
        REQUIRE(std::int64_t(d[k].a) == ref_delays[k][0]);
        REQUIRE((d[k].b == none ? std::int64_t(-1) : std::int64_t(d[k].b)) == ref_delays[k][1]);
        if (d[k].b != none) {
            REQUIRE(d[k].delay == ref_delays[k][2]);
            ++found;
        }
    }
    CHECK(found > 100);
}
