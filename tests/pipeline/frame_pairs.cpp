// pipeline/frame_pairs.hpp and the two-frame descriptor contract (descriptors/frame_pair.hpp):
// each dynamics descriptor run alone through compute_frame_pairs equals its stand-alone function
// (d2min(), bond_changes(), lens() — each tested against NumPy/brute force in tests/dynamics),
// on real LAMMPS frames (CuZr glass under AQS shear and tension; Cu through yield in a tilted
// box); several together with rows shuffled and on two threads; the errors.
#include <tessera/dynamics/bond_changes.hpp>
#include <tessera/dynamics/d2min.hpp>
#include <tessera/dynamics/lens.hpp>
#include <tessera/pipeline/frame_pairs.hpp>

#include "../support/dynamics_frames.hpp"
#include "../support/reference_frames.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using namespace tessera;

namespace {

// Bitwise equal where the compiler may not contract a*b+c into an FMA; with -march=native
// (FMA) the runner's and the function's inlined copies of the same expressions may contract
// differently, so values agree to a few ulps: 1e-12 relative (plus 1e-15 absolute near 0).
bool same_value(double a, double b) {
#if defined(__FMA__)
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return std::abs(a - b) <= 1e-12 * std::max(std::abs(a), std::abs(b)) + 1e-15;
#else
    return std::memcmp(&a, &b, sizeof a) == 0;
#endif
}

// What the runner needs of a frame, kept alive beside the view.
struct held_frame {
    std::vector<std::array<double, 3>> x;
    std::vector<std::int64_t> ids;
    std::vector<int> types;
    triclinic_box<double> box;
    explicit held_frame(const frame& f)
        : x(f.positions()), ids(f.ids()), types(f.types()), box(std::get<triclinic_box<double>>(f.box)) {}
    frame_view<std::vector<std::array<double, 3>>, triclinic_box<double>> view(const char* name) const {
        return {x, box, particle_properties{types, ids}, name};
    }
};

std::vector<double> lens_alone(const frame& a, const frame& b, double rc) {
    auto sets = [&](const frame& f) {
        const auto x = f.positions();
        const auto ids = f.ids();
        return std::visit([&](const auto& bx) { return neighbor_id_sets::build(x, bx, ids, rc); }, f.box);
    };
    std::vector<double> out(b.natoms);
    lens(sets(a), sets(b), out);
    return out;
}

atomic_strain_result<double> d2min_alone(const frame& a, const frame& b, const d2min_options& opt) {
    const held_frame ha(a), hb(b);
    const d2min_reference<double> ref(ha.x, ha.box, ha.ids, opt);
    atomic_strain_result<double> out;
    d2min(ref, hb.x, hb.box, hb.ids, out);
    return out;
}

bond_change_counts bonds_alone(const frame& a, const frame& b, const bond_change_options& opt) {
    const held_frame ha(a), hb(b);
    return bond_changes(ha.x, ha.box, ha.ids, ha.types, hb.x, hb.box, hb.ids, opt);
}

void require_d2min_columns(const std::vector<double>& v, std::size_t n, std::size_t first,
                           const atomic_strain_result<double>& want, bool exact) {
    std::size_t differing = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double got[] = {v[first * n + i], v[(first + 1) * n + i], v[(first + 2) * n + i], v[(first + 3) * n + i]};
        const double ref[] = {want.d2min[i], want.shear_strain[i], want.volumetric_strain[i], want.rotation[i]};
        for (std::size_t c = 0; c < 4; ++c) {
            if (exact) {
                differing += !same_value(got[c], ref[c]);
            } else {
                // Filtered rows: the same bonds summed in another order; the existing
                // atom-order test of D²min (tests/dynamics/d2min.cpp) bounds that at 1e-9
                // relative (J = X Y⁻¹ amplifies rounding by Y's condition number).
                const bool ok = std::isnan(ref[c]) ? std::isnan(got[c])
                                                   : std::abs(got[c] - ref[c]) <= 1e-9 * std::abs(ref[c]) + 1e-12;
                differing += !ok;
            }
        }
        differing += v[(first + 4) * n + i] != double(want.valid[i]);
    }
    CHECK(differing == 0);
}

}  // namespace

TEST_CASE("frame pairs: each dynamics descriptor alone equals its own function (CuZr AQS, Cu through yield)",
          "[frame_pairs]") {
    const auto cuzr = tessera_test::read_reference_frames("d2min/cuzr_aqs.dump");
    REQUIRE(cuzr.size() >= 4);
    const held_frame c0(cuzr[0]), c3(cuzr[3]);
    const std::size_t n = c3.x.size();

    SECTION("D²min and atomic strain, cutoff 4.0, frame 0 -> 3 (shear and tension)") {
        d2min_options opt;
        opt.cutoff = 4.0;
        const auto v = compute_frame_pairs(c0.view("frame 0"), c3.view("frame 3"), serial_policy{}, d2min_descriptor{opt});
        REQUIRE(v.size() == 5 * n);
        const auto want = d2min_alone(cuzr[0], cuzr[3], opt);
        REQUIRE(std::count(want.valid.begin(), want.valid.end(), 1) > std::ptrdiff_t(n) * 9 / 10);
        require_d2min_columns(v, n, 0, want, true);
        opt.vectorized = false;
        const auto scalar = compute_frame_pairs(c0.view("0"), c3.view("3"), serial_policy{}, d2min_descriptor{opt});
        require_d2min_columns(scalar, n, 0, d2min_alone(cuzr[0], cuzr[3], opt), true);
    }
    SECTION("bonds broken and formed, seed 001 cutoffs, both rules") {
        for (const auto rule : {bond_change_rule::distance_change, bond_change_rule::shell_margin}) {
            const bond_change_options opt{tessera_test::seed001_cutoffs(), 0.075, rule};
            const auto v = compute_frame_pairs(c0.view("0"), c3.view("3"), serial_policy{}, bond_change_descriptor{opt});
            const auto want = bonds_alone(cuzr[0], cuzr[3], opt);
            REQUIRE(std::accumulate(want.broken.begin(), want.broken.end(), 0u) > 0);
            REQUIRE(std::accumulate(want.formed.begin(), want.formed.end(), 0u) > 0);
            std::size_t differing = 0;
            for (std::size_t i = 0; i < n; ++i)
                differing += (v[i] != double(want.broken[i])) + (v[n + i] != double(want.formed[i]));
            CHECK(differing == 0);
        }
    }
    SECTION("LENS, cutoff 3.6, Cu in a tilted box through yield") {
        const auto cu = tessera_test::read_reference_frames("cu_tilted_ref.dump");
        REQUIRE(cu.size() >= 2);
        const held_frame a(cu.front()), b(cu.back());
        const auto v = compute_frame_pairs(a.view("first"), b.view("last"), serial_policy{}, lens_descriptor{3.6});
        const auto want = lens_alone(cu.front(), cu.back(), 3.6);
        REQUIRE(std::count_if(want.begin(), want.end(), [](double x) { return x > 0; }) > 0);
        CHECK(v == want);  // ratios of the same two integers
    }
}

TEST_CASE("frame pairs: three descriptors at once, rows shuffled in both frames, one and two threads",
          "[frame_pairs]") {
    const auto cuzr = tessera_test::read_reference_frames("d2min/cuzr_aqs.dump");
    const frame a = tessera_test::shuffled_rows(cuzr[0], 3), b = tessera_test::shuffled_rows(cuzr[3], 4);
    const held_frame ha(a), hb(b);
    const std::size_t n = hb.x.size();
    d2min_options dopt;
    dopt.cutoff = 4.0;  // below the bond changes' 4.35: D²min reads filtered reference rows
    const bond_change_options bopt{tessera_test::seed001_cutoffs(), 0.075, bond_change_rule::distance_change};
    const d2min_descriptor d2{dopt};
    const bond_change_descriptor bc{bopt};
    const lens_descriptor le{3.2};
    const auto one = compute_frame_pairs(ha.view("a"), hb.view("b"), openmp_policy{1}, d2, bc, le);
    const auto two = compute_frame_pairs(ha.view("a"), hb.view("b"), openmp_policy{2}, d2, bc, le);
    REQUIRE(one.size() == 8 * n);
    CHECK(std::memcmp(one.data(), two.data(), one.size() * sizeof(double)) == 0);  // NaN-safe bitwise

    require_d2min_columns(one, n, 0, d2min_alone(a, b, dopt), false);
    const auto bonds = bonds_alone(a, b, bopt);
    std::size_t differing = 0;
    for (std::size_t i = 0; i < n; ++i)
        differing += (one[5 * n + i] != double(bonds.broken[i])) + (one[6 * n + i] != double(bonds.formed[i]));
    CHECK(differing == 0);
    const auto lens_want = lens_alone(a, b, 3.2);
    CHECK(std::equal(lens_want.begin(), lens_want.end(), one.begin() + 7 * std::ptrdiff_t(n)));

    // The frames in their original row orders give the same values per id.
    const held_frame o0(cuzr[0]), o3(cuzr[3]);
    const auto sorted = compute_frame_pairs(o0.view("0"), o3.view("3"), serial_policy{}, d2, bc, le);
    std::map<std::int64_t, std::size_t> row;
    for (std::size_t i = 0; i < n; ++i) row[o3.ids[i]] = i;
    std::size_t count_mismatch = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t k = row.at(hb.ids[i]);
        for (std::size_t c = 4; c < 8; ++c) count_mismatch += one[c * n + i] != sorted[c * n + k];
    }
    CHECK(count_mismatch == 0);
}

TEST_CASE("frame pairs: a frame without types reads the other's by id, empty frames", "[frame_pairs]") {
    const auto cuzr = tessera_test::read_reference_frames("d2min/cuzr_aqs.dump");
    const held_frame a(cuzr[0]), b(cuzr[3]);
    const bond_change_descriptor bc{{tessera_test::seed001_cutoffs(), 0.075, bond_change_rule::distance_change}};
    const auto both = compute_frame_pairs(a.view("a"), b.view("b"), serial_policy{}, bc);
    using view = frame_view<std::vector<std::array<double, 3>>, triclinic_box<double>>;
    const view a_untyped(a.x, a.box, {{}, a.ids}, "a"), b_untyped(b.x, b.box, {{}, b.ids}, "b");
    CHECK(compute_frame_pairs(a.view("a"), b_untyped, serial_policy{}, bc) == both);
    CHECK(compute_frame_pairs(a_untyped, b.view("b"), serial_policy{}, bc) == both);
    CHECK_THROWS_WITH(compute_frame_pairs(a_untyped, b_untyped, serial_policy{}, bc),
                      Catch::Contains("neither frame has types"));
    // Types beyond the cutoff table name an atom.
    const bond_change_descriptor one_type{{pair_cutoffs(1, 3.0), 0.075, bond_change_rule::distance_change}};
    CHECK_THROWS_WITH(compute_frame_pairs(a.view("a"), b.view("b"), serial_policy{}, one_type),
                      Catch::Contains("has type 2, which has no cutoffs (types 1..1)"));

    const std::vector<std::array<double, 3>> none;
    const view e0(none, a.box, {}, "empty 0"), e1(none, b.box, {}, "empty 1");
    CHECK(compute_frame_pairs(e0, e1, serial_policy{}, d2min_descriptor{{4.0}}, lens_descriptor{3.0}).empty());
}

TEST_CASE("frame pairs: errors name the frame and the atom", "[frame_pairs][errors]") {
    const auto cuzr = tessera_test::read_reference_frames("d2min/cuzr_aqs.dump");
    const held_frame a(cuzr[0]), b(cuzr[1]);
    const lens_descriptor le{3.0};
    SECTION("no ids") {
        const frame_view<std::vector<std::array<double, 3>>, triclinic_box<double>> no_ids(a.x, a.box, {a.types, {}}, "ref.dump");
        CHECK_THROWS_WITH(compute_frame_pairs(no_ids, b.view("cur"), serial_policy{}, le),
                          Catch::Contains("ref.dump") && Catch::Contains("no ids"));
    }
    SECTION("an atom only in one frame") {
        held_frame c(cuzr[1]);
        c.ids[7] = 999999;
        // The first id (in id order) present in one frame only: 8, which "cur" lost.
        CHECK_THROWS_WITH(compute_frame_pairs(a.view("ref"), c.view("cur"), serial_policy{}, le),
                          Catch::Contains("ref → cur: atom id " + std::to_string(a.ids[7]) +
                                          " is in the reference frame but not in the current one"));
    }
    SECTION("properties that do not fit the frame") {
        const std::vector<int> short_types(3, 1);
        const frame_view<std::vector<std::array<double, 3>>, triclinic_box<double>> bad(b.x, b.box, {short_types, b.ids},
                                                                                         "cur.dump");
        CHECK_THROWS_WITH(compute_frame_pairs(a.view("ref"), bad, serial_policy{}, le), Catch::StartsWith("cur.dump: "));
    }
    SECTION("a type that changes with its id") {
        held_frame c(cuzr[1]);
        c.types[5] = c.types[5] == 1 ? 2 : 1;
        CHECK_THROWS_WITH(compute_frame_pairs(a.view("ref"), c.view("cur"), serial_policy{}, le),
                          Catch::Contains("atom id " + std::to_string(c.ids[5])) && Catch::Contains("type"));
    }
    SECTION("periodicity") {
        held_frame c(cuzr[1]);
        c.box = triclinic_box<double>(c.box.lo(), c.box.hi(), c.box.xy(), c.box.xz(), c.box.yz(), {true, true, false});
        CHECK_THROWS_WITH(compute_frame_pairs(a.view("ref"), c.view("cur"), serial_policy{}, le),
                          Catch::Contains("periodicity along axis 2"));
    }
    SECTION("a non-finite position") {
        held_frame c(cuzr[1]);
        c.x[3][1] = std::nan("");
        CHECK_THROWS_WITH(compute_frame_pairs(a.view("ref"), c.view("cur"), serial_policy{}, le),
                          Catch::Contains("cur") && Catch::Contains("non-finite position of atom id " + std::to_string(c.ids[3])));
    }
    SECTION("bad parameters and outputs") {
        CHECK_THROWS_WITH(compute_frame_pairs(a.view("ref"), b.view("cur"), serial_policy{}, lens_descriptor{-1}),
                          Catch::Contains("radius of -1"));
        CHECK_THROWS_WITH(compute_frame_pairs(a.view("ref"), b.view("cur"), serial_policy{}, d2min_descriptor{}),
                          Catch::Contains("cutoff must be positive"));
        std::vector<double> small(3);
        CHECK_THROWS_WITH(compute_frame_pairs<double>(a.view("ref"), b.view("cur"), output_columns<double>{small.data(), 3, 1},
                                                      serial_policy{}, le),
                          Catch::Contains("output has 1 columns of 3 rows"));
    }
}
