// tessera::lj_cut against Debian's LAMMPS (29 Sep 2021) on a 500-atom Kob-Andersen glass
// (tests/reference/physics/make_lj_reference.sh): per-atom energy (compute pe/atom), forces and
// virial stress (compute stress/atom NULL virial), with and without pair_modify shift, in an
// orthogonal periodic box, a tilted triclinic box and with no periodic images (boundary s s s);
// against an N^2 oracle with explicit images; finite differences; permutation and translation.
#include "../support/reference_frames.hpp"

#include <tessera/physics/lj_cut.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

using tessera::vec3;

tessera::lj_cut kob_andersen(bool shift) {
    const std::vector<std::string> coeffs{"1 1 1.0 1.0 2.5", "pair_coeff 1 2 1.5 0.8 2.0", "2 2 0.5 0.88 2.2"};
    return tessera::lj_cut::from_lammps("lj/cut 2.5", coeffs, shift);
}

struct evaluation {
    std::vector<vec3<double>> force;
    std::vector<double> energy;
    std::vector<std::array<double, 6>> virial;
    double total_energy = 0;
};

template <class Box>
evaluation evaluate(const tessera::lj_cut& pot, const std::vector<vec3<double>>& x, const std::vector<int>& types,
                    const Box& box) {
    evaluation e;
    e.force.resize(x.size());
    e.energy.resize(x.size());
    e.virial.resize(x.size());
    tessera::force_output<double> out{e.force, e.energy, e.virial};
    tessera::force_evaluator<tessera::lj_cut, Box> ev(pot, 0.3);
    e.total_energy = ev.evaluate(x, types, box, out);
    return e;
}

evaluation evaluate_frame(const tessera::lj_cut& pot, const tessera::frame& fr) {
    const auto p = fr.positions();
    std::vector<vec3<double>> x(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) x[i] = {p[i][0], p[i][1], p[i][2]};
    const auto types = fr.types();
    return tessera::with_box(fr, [&](const auto& box) { return evaluate(pot, x, types, box); });
}

// Rounding-level agreement: both sides sum ~50 pair terms per atom in double precision, in a
// different order (LAMMPS: half list, newton on, its own atom order; tessera: full list by row),
// so each per-atom value differs by a few ulps of the largest term (terms reach ~1e2 for the
// closest pairs, values are O(1..10)). |a - b| <= 1e-9 (|b| + s), with s the rms of the
// column, is ~1e5 times that rounding level yet far below any formula error (a wrong constant,
// mixing rule, shift or sign is >= 1e-4 relative).
void require_close(std::span<const double> got, std::span<const double> want, const char* what) {
    REQUIRE(got.size() == want.size());
    double s = 0;
    for (double w : want) s += w * w;
    s = std::sqrt(s / double(want.size()));
    double worst = 0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        const double err = std::abs(got[i] - want[i]) / (std::abs(want[i]) + s);
        worst = std::max(worst, err);
        if (err > 1e-9) {
            INFO(what << " row " << i << ": tessera " << got[i] << ", LAMMPS " << want[i]);
            CHECK(err <= 1e-9);
        }
    }
    INFO(what << ": worst relative error " << worst);
    CHECK(worst <= 1e-9);
}

void compare_with_lammps(const evaluation& e, const tessera::frame& fr) {
    const std::size_t n = fr.natoms;
    std::vector<double> col(n);
    const char* fnames[3] = {"fx", "fy", "fz"};
    for (std::size_t d = 0; d < 3; ++d) {
        for (std::size_t i = 0; i < n; ++i) col[i] = e.force[i][d];
        require_close(col, fr.column(fnames[d]), fnames[d]);
    }
    require_close(e.energy, fr.column("c_pe"), "pe/atom");
    // compute stress/atom NULL virial = -W_i * nktv2p, nktv2p = 1 in lj units.
    const char* snames[6] = {"c_s[1]", "c_s[2]", "c_s[3]", "c_s[4]", "c_s[5]", "c_s[6]"};
    for (std::size_t a = 0; a < 6; ++a) {
        for (std::size_t i = 0; i < n; ++i) col[i] = -e.virial[i][a];
        require_close(col, fr.column(snames[a]), snames[a]);
    }
}

// N^2 oracle: every pair and every periodic image with |n_k| <= 1 (enough: the cutoff 2.5 is
// below every box width here), straight from the formula E = 4 eps[(s/r)^12 - (s/r)^6] - shift.
struct oracle_result {
    std::vector<vec3<double>> force;
    std::vector<double> energy;
};
oracle_result oracle(const std::vector<vec3<double>>& x, const std::vector<int>& types,
                     const tessera::orthogonal_box<double>& box, bool shift) {
    const double eps[3][3] = {{0, 0, 0}, {0, 1.0, 1.5}, {0, 1.5, 0.5}};
    const double sig[3][3] = {{0, 0, 0}, {0, 1.0, 0.8}, {0, 0.8, 0.88}};
    const vec3<double> len = box.lengths();
    oracle_result out{std::vector<vec3<double>>(x.size()), std::vector<double>(x.size(), 0.0)};
    for (std::size_t i = 0; i < x.size(); ++i)
        for (std::size_t j = 0; j < x.size(); ++j)
            for (int a = -1; a <= 1; ++a)
                for (int b = -1; b <= 1; ++b)
                    for (int c = -1; c <= 1; ++c) {
                        if (i == j && a == 0 && b == 0 && c == 0) continue;
                        const vec3<double> d = x[j] + vec3<double>{a * len.x, b * len.y, c * len.z} - x[i];
                        const double r = std::sqrt(norm2(d));
                        const double e = eps[types[i]][types[j]], s = sig[types[i]][types[j]], rc = 2.5 * s;
                        if (!(r < rc)) continue;
                        const double sr6 = std::pow(s / r, 6), src6 = std::pow(s / rc, 6);
                        const double u = 4 * e * (sr6 * sr6 - sr6) - (shift ? 4 * e * (src6 * src6 - src6) : 0.0);
                        const double dudr = 4 * e * (-12 * sr6 * sr6 + 6 * sr6) / r;
                        out.energy[i] += 0.5 * u;
                        out.force[i] += d * (dudr / r);  // F_i = -dU/dr * (r_i - r_j)/r
                    }
    return out;
}

}  // namespace

TEST_CASE("lj_cut: coefficients, ranges and geometric mixing as LAMMPS") {
    const auto ka = kob_andersen(true);
    CHECK(ka.num_types() == 2);
    CHECK(ka.cutoff() == 2.5);
    const auto ab = ka.parameters(2, 1);
    CHECK(ab.epsilon == 1.5);
    CHECK(ab.sigma == 0.8);
    CHECK(ab.cutoff == 2.0);
    CHECK(ab.explicitly_set);
    // shift = 4 eps ((s/rc)^12 - (s/rc)^6) with s/rc = 1/2.5
    CHECK(ab.offset == Approx(4 * 1.5 * (std::pow(0.4, 12) - std::pow(0.4, 6))).epsilon(1e-15));
    CHECK(ka.pair_energy(1, 1, 2.5) == 0.0);
    CHECK(ka.pair_energy(1, 1, std::pow(2.0, 1.0 / 6.0)) == Approx(-1.0 - ka.parameters(1, 1).offset).epsilon(1e-14));

    // Unset (1,2) mixes geometrically, cutoff included; "*" and ranges as LAMMPS's bounds.
    const std::vector<std::string> c{"* * 1.0 1.0", "2 2 0.5 0.88 2.2"};
    const auto mixed = tessera::lj_cut::from_lammps("lj/cut 2.5", c, false, 2);
    const auto m = mixed.parameters(1, 2);
    CHECK(mixed.parameters(1, 1).explicitly_set);
    CHECK(m.epsilon == 1.0);  // "* *" set (1,2) explicitly
    tessera::lj_cut p(3, 3.0);
    p.set_coeff(1, 1, 1.0, 1.0);
    p.set_coeff("2*3", "2*3", 0.25, 1.21, 2.0);
    const auto q = p.parameters(1, 3);
    CHECK_FALSE(q.explicitly_set);
    CHECK(q.epsilon == std::sqrt(0.25));
    CHECK(q.sigma == std::sqrt(1.21));
    CHECK(q.cutoff == std::sqrt(3.0 * 2.0));
    CHECK(p.parameters(2, 3).explicitly_set);
    CHECK(p.cutoff() == 3.0);

    // Missing (i,i): named; malformed lines and ranges: named.
    const std::vector<std::string> missing{"1 1 1.0 1.0", "1 2 1.5 0.8"};
    CHECK_THROWS_WITH(tessera::lj_cut::from_lammps("lj/cut 2.5", missing, false),
                      Catch::Contains("types 2 2 are not set"));
    const std::vector<std::string> bad{"1 1 1.0"};
    CHECK_THROWS_WITH(tessera::lj_cut::from_lammps("lj/cut 2.5", bad, false), Catch::Contains("I J EPSILON"));
    const std::vector<std::string> range{"1 3 1.0 1.0"};
    CHECK_THROWS_WITH(tessera::lj_cut::from_lammps("lj/cut 2.5", range, false, 2), Catch::Contains("'3'"));
    CHECK_THROWS_WITH(tessera::lj_cut::from_lammps("lj/cut/coul 2.5", c, false), Catch::Contains("lj/cut CUTOFF"));
    CHECK_THROWS(p.set_coeff(1, 1, 1.0, -1.0));
    CHECK_THROWS(p.set_coeff(1, 4, 1.0, 1.0));
}

TEST_CASE("lj_cut: Kob-Andersen glass, periodic box, matches LAMMPS pe/atom, forces, stress/atom") {
    const auto frames = tessera_test::read_reference_frames("physics/ka_periodic.dump");
    REQUIRE(frames.size() == 1);
    const auto e = evaluate_frame(kob_andersen(true), frames[0]);
    compare_with_lammps(e, frames[0]);

    SECTION("shift no") {
        const auto noshift = tessera_test::read_reference_frames("physics/ka_periodic_noshift.dump");
        const auto e0 = evaluate_frame(kob_andersen(false), frames[0]);
        require_close(e0.energy, noshift[0].column("c_pe"), "pe/atom (shift no)");
        for (std::size_t i = 0; i < e0.force.size(); ++i) CHECK(e0.force[i] == e.force[i]);  // forces are never shifted
    }
}

TEST_CASE("lj_cut: triclinic box matches LAMMPS") {
    const auto frames = tessera_test::read_reference_frames("physics/ka_triclinic.dump");
    REQUIRE(std::holds_alternative<tessera::triclinic_box<double>>(frames[0].box));
    compare_with_lammps(evaluate_frame(kob_andersen(true), frames[0]), frames[0]);
}

TEST_CASE("lj_cut: non-periodic cluster (boundary s s s) matches LAMMPS") {
    const auto frames = tessera_test::read_reference_frames("physics/ka_open.dump");
    REQUIRE(!frames[0].box_periodicity()[0]);
    compare_with_lammps(evaluate_frame(kob_andersen(true), frames[0]), frames[0]);
}

TEST_CASE("lj_cut: N^2 oracle, finite differences, permutation and translation") {
    const auto frames = tessera_test::read_reference_frames("physics/ka_periodic.dump");
    const auto& fr = frames[0];
    const auto p = fr.positions();
    std::vector<vec3<double>> x(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) x[i] = {p[i][0], p[i][1], p[i][2]};
    const auto types = fr.types();
    const auto box = std::get<tessera::orthogonal_box<double>>(fr.box);
    const std::size_t n = x.size();

    for (bool shift : {true, false}) {
        const auto pot = kob_andersen(shift);
        const auto e = evaluate(pot, x, types, box);
        const auto o = oracle(x, types, box, shift);
        // Same rounding argument as require_close; the oracle's pow-based formula rounds
        // differently from lj1..lj4, so 1e-9 again.
        std::vector<double> a(n), b(n);
        for (std::size_t d = 0; d < 3; ++d) {
            for (std::size_t i = 0; i < n; ++i) {
                a[i] = e.force[i][d];
                b[i] = o.force[i][d];
            }
            require_close(a, b, "force vs oracle");
        }
        require_close(e.energy, o.energy, "energy vs oracle");
        CHECK(e.total_energy == Approx(std::accumulate(o.energy.begin(), o.energy.end(), 0.0)).epsilon(1e-12));
    }

    const auto pot = kob_andersen(true);
    const auto e = evaluate(pot, x, types, box);

    // Central differences, h = 1e-5: truncation ~h^2 |E'''| ~ 1e-10 * 1e4, rounding
    // ~1e-16 * |E| / h ~ 4e-8; forces are O(10). Shifted energy: continuous at the cutoff.
    const double h = 1e-5;
    for (std::size_t i : {0u, 17u, 123u, 499u})
        for (std::size_t d = 0; d < 3; ++d) {
            auto xp = x, xm = x;
            xp[i][d] += h;
            xm[i][d] -= h;
            const double fd = -(evaluate(pot, xp, types, box).total_energy - evaluate(pot, xm, types, box).total_energy) / (2 * h);
            CHECK(std::abs(fd - e.force[i][d]) <= 1e-5 * (1 + std::abs(e.force[i][d])));
        }

    // Permuted rows give the permuted per-atom results: each row sums its own bonds, but the
    // bond order within a row may change, hence rounding-level and not bitwise.
    std::vector<std::size_t> perm(n);
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), std::mt19937_64(5));
    std::vector<vec3<double>> xp(n);
    std::vector<int> tp(n);
    for (std::size_t k = 0; k < n; ++k) {
        xp[k] = x[perm[k]];
        tp[k] = types[perm[k]];
    }
    const auto ep = evaluate(pot, xp, tp, box);
    for (std::size_t k = 0; k < n; ++k) {
        CHECK(ep.energy[k] == Approx(e.energy[perm[k]]).epsilon(1e-12).margin(1e-12));
        for (std::size_t d = 0; d < 3; ++d)
            CHECK(ep.force[k][d] == Approx(e.force[perm[k]][d]).epsilon(1e-12).margin(1e-11));
    }

    // A rigid translation (periodic: also across the faces) changes nothing beyond rounding.
    std::vector<vec3<double>> xt(n);
    for (std::size_t i = 0; i < n; ++i) xt[i] = x[i] + vec3<double>{3.21, -1.7, 0.55};
    const auto et = evaluate(pot, xt, types, box);
    CHECK(et.total_energy == Approx(e.total_energy).epsilon(1e-13));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t d = 0; d < 3; ++d) CHECK(et.force[i][d] == Approx(e.force[i][d]).epsilon(1e-10).margin(1e-10));
    // Newton's third law: forces sum to zero.
    vec3<double> sum{};
    for (const auto& f : e.force) sum += f;
    CHECK(std::sqrt(norm2(sum)) < 1e-10);
}

TEST_CASE("lj_cut: bad input throws") {
    const auto pot = kob_andersen(true);
    std::vector<vec3<double>> x{{0, 0, 0}, {1, 0, 0}};
    std::vector<int> types{1, 3};
    CHECK_THROWS_WITH(evaluate(pot, x, types, tessera::open_box<double>{}), Catch::Contains("type 3"));
    types = {1, 1};
    x[1] = x[0];
    CHECK_THROWS_WITH(evaluate(pot, x, types, tessera::open_box<double>{}), Catch::Contains("coincide"));
}

// Found by tests/fuzz/fuzz_lj_pair_coeff.cpp (libFuzzer timeout > 15 s): from_lammps re-mixed the
// whole types² table after every pair_coeff line, so lines with ranges over 4096 types took
// seconds each. It now resolves once after the last line; the result must be the one of setting
// the lines one by one (later lines override earlier ones, unset pairs mix geometrically).
TEST_CASE("lj_cut: from_lammps resolves once, same result as set_coeff line by line (fuzz regression)") {
    const std::vector<std::string> lines{"* * 1 1", "2* 3 0.5 0.9", "*2 4 1.2 1.1 4", "3 3 0.7 0.95 2.7", "1 1 2 1.05"};
    const auto a = tessera::lj_cut::from_lammps("lj/cut 3", lines, true);
    tessera::lj_cut b(4, 3.0, true);
    b.set_coeff("*", "*", 1, 1);
    b.set_coeff("2*", "3", 0.5, 0.9);
    b.set_coeff("*2", "4", 1.2, 1.1, 4.0);
    b.set_coeff(3, 3, 0.7, 0.95, 2.7);
    b.set_coeff(1, 1, 2, 1.05);
    REQUIRE(a.num_types() == 4);
    for (int i = 1; i <= 4; ++i)
        for (int j = 1; j <= 4; ++j) {
            const auto pa = a.parameters(i, j), pb = b.parameters(i, j);
            CHECK(pa.epsilon == pb.epsilon);
            CHECK(pa.sigma == pb.sigma);
            CHECK(pa.cutoff == pb.cutoff);
            CHECK(pa.offset == pb.offset);
        }
    CHECK(a.cutoff() == b.cutoff());
    // the fuzzer's input (ranges up to type 4096, then a bad number): a prompt, named error
    const std::vector<std::string> fuzz{"* * 1 1", "2*  * 1 1", "2*  * 1  1 1", "2*  * 1 1", "2* 3 0.5 0.9",
                                        "*2 3 0.@1 0 4*1", "2* 3 0.5 0.9", "4096*2 3 0.@1 0 4*3*"};
    CHECK_THROWS_AS(tessera::lj_cut::from_lammps("lj/cut 3", fuzz, false), tessera::error);
}

// The fuzz target keeps type numbers small (a 4096-type table is 1.2 GB), so the bound on the
// number of types is checked here: one past it is refused before any table is allocated, by the
// constructor and by from_lammps whether the count is given or read from the lines; a type
// number beyond a given count is refused by name.
TEST_CASE("lj_cut: the number of types is bounded") {
    CHECK_THROWS_WITH(tessera::lj_cut(4097, 2.5), Catch::Contains("1..4096, got 4097"));
    CHECK_THROWS_WITH(tessera::lj_cut(0, 2.5), Catch::Contains("1..4096, got 0"));
    const std::vector<std::string> beyond{"* * 1 1", "4097 4097 1 1"};
    CHECK_THROWS_WITH(tessera::lj_cut::from_lammps("lj/cut 2.5", beyond, false), Catch::Contains("1..4096, got 4097"));
    const std::vector<std::string> past_count{"* * 1 1", "9 9 1 1"};
    CHECK_THROWS_AS(tessera::lj_cut::from_lammps("lj/cut 2.5", past_count, false, 8), tessera::error);
    const auto eight = tessera::lj_cut::from_lammps("lj/cut 2.5", std::vector<std::string>{"1*7 1*7 1 1", "8 8 2 1"}, false, 8);
    CHECK(eight.num_types() == 8);
    CHECK(eight.parameters(8, 8).epsilon == 2.0);
    CHECK(eight.parameters(1, 8).epsilon == Approx(std::sqrt(2.0)).epsilon(1e-15));
}
