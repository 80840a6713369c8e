// dynamics/bond_changes.hpp: per-atom bonds broken and formed (seed 001, LCE) against a
// brute-force pair comparison on the sheared/stretched CuZr AQS frames (tests/reference/d2min),
// both hysteresis rules, atom-order independence, errors.
#include <tessera/dynamics/bond_changes.hpp>
#include <tessera/io/lammps_dump.hpp>

#include "../support/dynamics_frames.hpp"
#include "../support/reference_frames.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using namespace tessera;

namespace {

// Brute force, written from the definition and by another route than the library: positions
// unwrapped with LAMMPS image flags (rows sorted by id in these dumps), every pair i < j and the
// 27 images m around the nearest one in A; the same (j, m) in B is xu_j(B) + h_B m − xu_i(B).
std::pair<std::vector<int>, std::vector<int>> brute(const frame& a, const frame& b, const pair_cutoffs& rc, double h,
                                                    bond_change_rule rule) {
    const auto xa = a.positions(unwrap::required), xb = b.positions(unwrap::required);
    const auto ia = a.ids(), ib = b.ids();
    REQUIRE(ia == ib);
    const auto ty = a.types();
    const mat3<double> ha = a.box_cell(), hb = b.box_cell(), ha_inv = inverse(ha);
    const std::size_t n = xa.size();
    std::vector<int> broken(n, 0), formed(n, 0);
    auto v3 = [](const std::array<double, 3>& p) { return vec3<double>{p[0], p[1], p[2]}; };
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            const vec3<double> da = v3(xa[j]) - v3(xa[i]), db = v3(xb[j]) - v3(xb[i]);
            vec3<double> s = ha_inv * da;
            const vec3<double> m0{-std::round(s.x), -std::round(s.y), -std::round(s.z)};
            for (int p = -1; p <= 1; ++p)
                for (int q = -1; q <= 1; ++q)
                    for (int r = -1; r <= 1; ++r) {
                        const vec3<double> m = m0 + vec3<double>{double(p), double(q), double(r)};
                        const double ra = norm(da + ha * m), rb = norm(db + hb * m);
                        const double c = rc(ty[i], ty[j]);
                        const bool brk = rule == bond_change_rule::distance_change ? (ra < c && rb >= c && rb - ra > h)
                                                                                   : (ra < c && rb > c + h);
                        const bool frm = rule == bond_change_rule::distance_change ? (ra >= c && rb < c && ra - rb > h)
                                                                                   : (ra > c + h && rb < c);
                        if (brk) ++broken[i], ++broken[j];
                        if (frm) ++formed[i], ++formed[j];
                    }
        }
    return {broken, formed};
}

bond_change_counts fast(const frame& a, const frame& b, const bond_change_options& opt) {
    const auto xa = a.positions(), xb = b.positions();
    const auto ia = a.ids(), ib = b.ids();
    const auto ta = a.types();
    return std::visit([&](const auto& ba, const auto& bb) { return bond_changes(xa, ba, ia, ta, xb, bb, ib, opt); },
                      a.box, b.box);
}

}  // namespace

TEST_CASE("bond_changes: per-atom broken/formed counts equal a brute-force pair comparison on sheared CuZr",
          "[bond_changes]") {
    const auto frames = tessera_test::read_reference_frames("d2min/cuzr_aqs.dump");
    REQUIRE(frames.size() == 6);
    for (auto rule : {bond_change_rule::distance_change, bond_change_rule::shell_margin}) {
        for (auto [ta, tb] : {std::pair{0, 1}, std::pair{2, 3}, std::pair{4, 5}, std::pair{0, 5}}) {
            INFO("rule " << int(rule) << " frames " << ta << " -> " << tb);
            bond_change_options opt{tessera_test::seed001_cutoffs(), 0.075, rule};
            const auto got = fast(frames[std::size_t(ta)], frames[std::size_t(tb)], opt);
            const auto [broken, formed] = brute(frames[std::size_t(ta)], frames[std::size_t(tb)], opt.cutoffs, 0.075, rule);
            std::size_t total = 0;
            for (std::size_t i = 0; i < broken.size(); ++i) {
                INFO("atom row " << i);
                REQUIRE(got.broken[i] == std::uint32_t(broken[i]));
                REQUIRE(got.formed[i] == std::uint32_t(formed[i]));
                total += got.broken[i] + got.formed[i];
            }
            CHECK(total > 10);  // bonds do change between these frames: the comparison is not empty
        }
    }
}

TEST_CASE("bond_changes: independent of atom order, zero against itself, errors", "[bond_changes]") {
    const auto frames = tessera_test::read_reference_frames("d2min/cuzr_aqs.dump");
    bond_change_options opt{tessera_test::seed001_cutoffs(), 0.075, bond_change_rule::distance_change};
    const auto base = fast(frames[0], frames[5], opt);
    frame b = frames[5];
    std::vector<std::size_t> perm(b.natoms);
    std::iota(perm.begin(), perm.end(), std::size_t(0));
    std::mt19937_64 g(3);
    std::shuffle(perm.begin(), perm.end(), g);
    for (std::size_t c = 0; c < b.columns.size(); ++c)
        for (std::size_t i = 0; i < b.natoms; ++i) b.columns[c][i] = frames[5].columns[c][perm[i]];
    const auto again = fast(frames[0], b, opt);
    for (std::size_t i = 0; i < b.natoms; ++i) {
        REQUIRE(again.broken[i] == base.broken[perm[i]]);
        REQUIRE(again.formed[i] == base.formed[perm[i]]);
    }
    const auto self = fast(frames[3], frames[3], opt);
    CHECK(std::accumulate(self.broken.begin(), self.broken.end(), 0u) == 0u);
    CHECK(std::accumulate(self.formed.begin(), self.formed.end(), 0u) == 0u);

    // The hysteresis: a pair crossing r_c by less than h is not counted; by more than h it is.
    const open_box<double> open;
    const std::vector<std::int64_t> ids{1, 2};
    const std::vector<int> types{1, 1};
    pair_cutoffs rc(1);
    rc.set(1, 1, 3.0);
    bond_change_options o{rc, 0.075, bond_change_rule::distance_change};
    const std::vector<std::array<double, 3>> a{{0, 0, 0}, {2.95, 0, 0}}, b1{{0, 0, 0}, {3.01, 0, 0}},
        b2{{0, 0, 0}, {3.05, 0, 0}};
    CHECK(bond_changes(a, open, ids, types, b1, open, ids, o).broken[0] == 0);  // +0.06 < h
    CHECK(bond_changes(a, open, ids, types, b2, open, ids, o).broken[0] == 1);  // +0.10 > h
    CHECK(bond_changes(b2, open, ids, types, a, open, ids, o).formed[1] == 1);
    o.rule = bond_change_rule::shell_margin;
    CHECK(bond_changes(a, open, ids, types, b2, open, ids, o).broken[0] == 0);  // 3.05 < r_c + h
    pair_cutoffs unset(2);
    unset.set(1, 1, 3.0);
    CHECK_THROWS_WITH(bond_changes(a, open, ids, types, b2, open, ids, bond_change_options{unset}),
                      Catch::Contains("no cutoff set for types 1-2"));
    const std::vector<int> bad{1, 3};
    CHECK_THROWS_WITH(bond_changes(a, open, ids, bad, b2, open, ids, o), Catch::Contains("type 3 has no cutoffs"));
}
