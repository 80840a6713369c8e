// descriptors/cna.hpp and adaptive_cna.hpp: against LAMMPS cna/atom, against an independent
// Python reference (tests/reference/structure/cna_reference.py), perfect lattices and an
// icosahedron, noise, invariances, threads.
#include <tessera/descriptors/adaptive_cna.hpp>
#include <tessera/descriptors/cna.hpp>
#include <tessera/descriptors/csp.hpp>
#include <tessera/io/lammps_dump.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include "../support/structure_lattices.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <numeric>
#include <random>
#include <vector>

using namespace tessera;
using namespace tessera_test;

namespace {
constexpr double fcc_code = 1, hcp_code = 2, bcc_code = 3, ico_code = 4, other_code = 5;

template <class B>
std::vector<double> run_cna(const points& p, const B& box, double rc, openmp_policy pol = openmp_policy{1}) {
    const auto r = pipeline(ball{rc}, cna{rc}).run(p, box, {}, pol);
    const auto c = r.template get<cna>();
    return {c.begin(), c.end()};
}
template <class B>
std::vector<double> run_acna(const points& p, const B& box, openmp_policy pol = openmp_policy{1}) {
    const auto r = pipeline(nearest{14}, adaptive_cna{}).run(p, box, {}, pol);
    const auto c = r.template get<adaptive_cna>();
    return {c.begin(), c.end()};
}
bool all_equal(const std::vector<double>& v, double code) {
    return std::all_of(v.begin(), v.end(), [&](double c) { return c == code; });
}
}  // namespace

TEST_CASE("cna: perfect fcc, hcp, bcc and an icosahedron are identified (CNA and a-CNA)", "[cna]") {
    const auto f = fcc(3.615, 4);
    const auto h = hcp(2.556, 4, 3, 3);
    const auto b = bcc(2.87, 5);
    CHECK(all_equal(run_cna(f.positions, f.box, 3.086), fcc_code));
    CHECK(all_equal(run_cna(h.positions, h.box, 3.086), hcp_code));
    CHECK(all_equal(run_cna(b.positions, b.box, 3.4), bcc_code));
    CHECK(all_equal(run_acna(f.positions, f.box), fcc_code));
    CHECK(all_equal(run_acna(h.positions, h.box), hcp_code));
    CHECK(all_equal(run_acna(b.positions, b.box), bcc_code));
    // a-CNA has no cutoff: the same lattices scaled by 1.7 are still identified
    auto scale = [](lattice l, double s) {
        for (auto& q : l.positions)
            for (auto& c : q) c *= s;
        l.box = orthogonal_box<double>({0, 0, 0}, l.box.hi() * s);
        return l;
    };
    CHECK(all_equal(run_acna(scale(f, 1.7).positions, scale(f, 1.7).box), fcc_code));
    CHECK(all_equal(run_acna(scale(b, 0.6).positions, scale(b, 0.6).box), bcc_code));

    const points ico = icosahedron(2.5, {1, 2, 3});
    const auto c = run_cna(ico, open_box<double>{}, 3.0);
    const auto a = run_acna(ico, open_box<double>{});
    CHECK(c[0] == ico_code);
    CHECK(a[0] == ico_code);
    for (std::size_t k = 1; k < ico.size(); ++k) {  // surface atoms: 6 neighbours
        CHECK(c[k] == other_code);
        CHECK(a[k] == other_code);
    }
    // thermal noise: the icosahedron survives 2 % displacements under a-CNA
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        points q = ico;
        jiggle(q, 0.05, seed);
        CHECK(run_acna(q, open_box<double>{})[0] == ico_code);
    }
}

TEST_CASE("cna: a-CNA keeps fcc, hcp and bcc under small thermal noise", "[cna]") {
    auto f = fcc(3.615, 4);
    auto h = hcp(2.556, 4, 3, 3);
    auto b = bcc(2.87, 5);
    jiggle(f.positions, 0.06, 11);
    jiggle(h.positions, 0.06, 12);
    jiggle(b.positions, 0.06, 13);
    CHECK(all_equal(run_acna(f.positions, f.box), fcc_code));
    CHECK(all_equal(run_acna(h.positions, h.box), hcp_code));
    CHECK(all_equal(run_acna(b.positions, b.box), bcc_code));
}

TEST_CASE("cna: CNA and a-CNA equal the independent Python reference code for code", "[cna][reference]") {
    const auto path = std::filesystem::path(TESSERA_TEST_DATA_DIR) / "structure" / "cna_reference.dump";
    REQUIRE(std::filesystem::exists(path));
    lammps_dump_reader reader(path);
    frame f;
    int frames = 0;
    std::map<int, int> seen;
    while (reader.next(f)) {
        ++frames;
        const auto pos = f.positions();
        const double rc = f.column("rc")[0];
        const auto ref_a = f.column("acna"), ref_c = f.column("cna");
        const auto a = std::visit([&](const auto& b) { return run_acna(pos, b); }, f.box);
        const auto c = std::visit([&](const auto& b) { return run_cna(pos, b, rc); }, f.box);
        for (std::size_t i = 0; i < f.natoms; ++i) {
            INFO("frame " << f.timestep << " atom " << i + 1);
            REQUIRE(a[i] == ref_a[i]);
            REQUIRE(c[i] == ref_c[i]);
            ++seen[int(a[i])];
        }
    }
    CHECK(frames == 6);
    CHECK(seen[1] > 0);
    CHECK(seen[2] > 0);
    CHECK(seen[3] > 0);
    CHECK(seen[5] > 0);
}

TEST_CASE("cna: rotation, permutation and thread-count invariance", "[cna]") {
    auto l = fcc(3.615, 4);
    jiggle(l.positions, 0.13, 21);  // a mix of fcc and other
    const auto ref_c = run_cna(l.positions, open_box<double>{}, 3.086);
    const auto ref_a = run_acna(l.positions, open_box<double>{});
    CHECK(std::count(ref_a.begin(), ref_a.end(), fcc_code) > 10);
    CHECK(std::count(ref_a.begin(), ref_a.end(), other_code) > 10);
    const auto rot = rotated(l.positions, random_rotation(22));
    CHECK(run_cna(rot, open_box<double>{}, 3.086) == ref_c);
    CHECK(run_acna(rot, open_box<double>{}) == ref_a);
    std::vector<std::size_t> perm(l.positions.size());
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), std::mt19937_64(23));
    points shuffled(perm.size());
    for (std::size_t k = 0; k < perm.size(); ++k) shuffled[k] = l.positions[perm[k]];
    const auto pc = run_cna(shuffled, open_box<double>{}, 3.086);
    const auto pa = run_acna(shuffled, open_box<double>{});
    for (std::size_t k = 0; k < perm.size(); ++k) {
        REQUIRE(pc[k] == ref_c[perm[k]]);
        REQUIRE(pa[k] == ref_a[perm[k]]);
    }
    const auto serial_c = run_cna(l.positions, l.box, 3.086);
    const auto serial_a = run_acna(l.positions, l.box);
    for (int t : {2, 3}) {
        CHECK(run_cna(l.positions, l.box, 3.086, openmp_policy{t}) == serial_c);
        CHECK(run_acna(l.positions, l.box, openmp_policy{t}) == serial_a);
    }
}

TEST_CASE("cna: fused with CSP in one nearest-14 pipeline, set-up errors", "[cna][errors]") {
    const auto f = fcc(3.615, 3);
    const auto out = pipeline(nearest{14}, csp{12}, adaptive_cna{}).run(f.positions, f.box);
    REQUIRE(out.names() == std::vector<std::string>{"csp", "acna"});
    CHECK(all_equal({out.get<adaptive_cna>().begin(), out.get<adaptive_cna>().end()}, fcc_code));
    CHECK_THROWS_WITH(pipeline(nearest{12}, adaptive_cna{}).run(f.positions, f.box), Catch::Contains("k = 12"));
    CHECK_THROWS_WITH(pipeline(ball{3.0}, cna{}).run(f.positions, f.box), Catch::Contains("must be positive"));
    CHECK_THROWS_WITH(pipeline(ball{3.0}, cna{3.1}).run(f.positions, f.box), Catch::Contains("at most"));
    // more than 16 neighbours within the cutoff: other (LAMMPS MAXNEAR)
    CHECK(all_equal(run_cna(f.positions, f.box, 4.0), other_code));
}

TEST_CASE("cna: equals LAMMPS cna/atom 3.086 on the tilted Cu reference", "[cna][lammps]") {
    const std::filesystem::path path = std::filesystem::path(TESSERA_TEST_DATA_DIR) / "cu_tilted_ref.dump";
    // Committed reference (tests/reference/make_reference.sh): missing is a broken checkout, a failure.
    INFO("reference " << path.string());
    REQUIRE(std::filesystem::exists(path));
    lammps_dump_reader reader(path);
    frame f;
    std::size_t mismatches = 0, atoms = 0, frames = 0;
    std::map<int, int> mix;
    while (reader.next(f)) {
        const auto pos = f.positions();
        const auto lmp = f.column("c_cna");
        const auto mine = std::visit([&](const auto& b) { return run_cna(pos, b, 3.086, openmp_policy{0}); }, f.box);
        for (std::size_t i = 0; i < f.natoms; ++i) {
            ++mix[int(lmp[i])];
            if (mine[i] != lmp[i]) {
                ++mismatches;
                WARN("frame " << f.timestep << " id " << f.column("id")[i] << ": tessera " << mine[i] << ", LAMMPS "
                              << lmp[i]);
            }
        }
        atoms += f.natoms;
        ++frames;
    }
    // the reference holds several frames of the tilted Cu run, with defects (not fcc alone)
    CHECK(frames >= 2);
    CHECK(atoms > 0);
    CHECK(mix[1] > 0);
    CHECK(mix[1] < int(atoms));
    WARN("cna vs LAMMPS cna/atom: " << mismatches << " mismatches in " << atoms << " atoms; LAMMPS mix fcc "
                                     << mix[1] << " hcp " << mix[2] << " bcc " << mix[3] << " ico " << mix[4]
                                     << " other " << mix[5]);
    CHECK(mismatches == 0);
}
