// eam_potential vs Debian's LAMMPS (29 Sep 2021) pair eam / eam/alloy / eam/fs: per-atom energy
// (compute pe/atom), forces, per-atom virial stress (compute stress/atom NULL virial) and total
// energy, on the inputs of tests/reference/physics/make_eam_reference.sh.
//
// Tolerances. Both codes evaluate the same tables with the same operations; they differ in (a)
// summation order (LAMMPS: half list, contributions to atom i in its list order; tessera: row i
// of a full list) and (b) LAMMPS wraps atoms into the box (x + L rounds), which moves bond
// vectors by ~|x|·2^-52 ≈ 1e-14 Å. Both are rounding-level: ~1e-15 relative per sum of ~50–80
// terms, 1e-14 Å · (force constants ≲ 100 eV/Å²) ≈ 1e-12 eV/Å. We require 1e-9 relative plus an
// absolute floor for values near 0 (forces: 1e-9 eV/Å; stress/atom: 1e-3 bar·Å³ ≈ 6e-10 eV — per-
// atom stresses are 1e4–1e7 bar·Å³), three orders of magnitude above what we see (max deviations
// are printed with -s) and six below any real error (a wrong spline index or a missing mixing
// factor changes values at the 1e-3 level or more).
#include <tessera/io/lammps_dump.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/physics/eam.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

using namespace tessera;

namespace {

std::string data_path(const std::string& name) { return std::string(TESSERA_TEST_DATA_DIR) + "/" + name; }

struct result {
    std::vector<vec3<double>> force;
    std::vector<double> energy;
    std::vector<std::array<double, 6>> virial;
    double total = 0;
    std::array<double, 6> total_virial{};
};

template <class B, class Policy = serial_policy>
result evaluate(const eam_potential& eam, const std::vector<std::array<double, 3>>& x, std::span<const int> types,
                const B& box, Policy policy = {}) {
    const auto list = find_neighbors<double>(x, box, ball{eam.cutoff()});
    result r;
    r.force.resize(x.size());
    r.energy.resize(x.size());
    r.virial.resize(x.size());
    force_output<double> out{r.force, r.energy, r.virial};
    eam_potential::workspace ws;
    eam.compute(list, types, out, ws, policy);
    r.total = out.total_energy;
    r.total_virial = out.total_virial;
    return r;
}

result evaluate_frame(const eam_potential& eam, const frame& f, std::span<const int> types) {
    return std::visit([&](const auto& b) { return evaluate(eam, f.positions(), types, b); }, f.box);
}

std::vector<double> read_totals(const std::string& name) {
    std::ifstream in(data_path("physics/" + name));
    std::vector<double> v;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream is(line);
        double step = 0, pe = 0;
        is >> step >> pe;
        v.push_back(pe);
    }
    return v;
}

struct deviation {
    double energy = 0, force = 0, stress = 0, total = 0;
};

/// Compares the atoms of LAMMPS frame `lf` (a subset, by id) with tessera's result.
deviation compare(const frame& lf, const std::vector<std::int64_t>& ids, const result& r) {
    std::vector<std::size_t> row_of_id(std::size_t(*std::max_element(ids.begin(), ids.end())) + 1);
    for (std::size_t i = 0; i < ids.size(); ++i) row_of_id[std::size_t(ids[i])] = i;
    const auto lid = lf.ids();
    const auto fx = lf.column("fx"), fy = lf.column("fy"), fz = lf.column("fz"), pe = lf.column("c_pe");
    std::array<std::span<const double>, 6> s;
    for (int a = 0; a < 6; ++a) s[std::size_t(a)] = lf.column("c_s[" + std::to_string(a + 1) + "]");
    deviation d;
    REQUIRE(!lid.empty());
    for (std::size_t k = 0; k < lid.size(); ++k) {
        const std::size_t i = row_of_id[std::size_t(lid[k])];
        INFO("atom id " << lid[k]);
        CHECK(std::abs(r.energy[i] - pe[k]) <= 1e-9 * std::abs(pe[k]));
        d.energy = std::max(d.energy, std::abs(r.energy[i] - pe[k]) / std::abs(pe[k]));
        const double lf3[3] = {fx[k], fy[k], fz[k]};
        for (std::size_t a = 0; a < 3; ++a) {
            const double e = std::abs(r.force[i][a] - lf3[a]);
            CHECK(e <= 1e-9 + 1e-9 * std::abs(lf3[a]));
            d.force = std::max(d.force, e);
        }
        for (std::size_t a = 0; a < 6; ++a) {
            const double ours = -r.virial[i][a] * nktv2p_metal;
            const double e = std::abs(ours - s[a][k]);
            CHECK(e <= 1e-3 + 1e-9 * std::abs(s[a][k]));
            d.stress = std::max(d.stress, e / std::max(1.0, std::abs(s[a][k])));
        }
    }
    return d;
}

/// Runs a rerun-style case: configurations from `config`, LAMMPS results from `lammps`.
void check_case(const eam_potential& eam, const std::string& config, const std::string& lammps,
                const std::string& totals, std::size_t expect_frames, std::vector<int> (*retype)(std::vector<int>) = nullptr) {
    lammps_dump_reader cfg(data_path(config)), out(data_path("physics/" + lammps));
    const auto pe = read_totals(totals);
    frame f, lf;
    std::size_t frames = 0;
    deviation worst;
    while (out.next(lf)) {
        do {
            REQUIRE(cfg.next(f));
        } while (f.timestep != lf.timestep);
        INFO(lammps << " step " << lf.timestep);
        auto types = f.types();
        if (retype) types = retype(types);
        const result r = evaluate_frame(eam, f, types);
        const deviation d = compare(lf, f.ids(), r);
        REQUIRE(frames < pe.size());
        // totals: sums over 1000-2000 atoms in another order (rounding ~1e-14 relative)
        CHECK(std::abs(r.total - pe[frames]) <= 1e-11 * std::abs(pe[frames]));
        worst.energy = std::max(worst.energy, d.energy);
        worst.force = std::max(worst.force, d.force);
        worst.stress = std::max(worst.stress, d.stress);
        worst.total = std::max(worst.total, std::abs(r.total - pe[frames]) / std::abs(pe[frames]));
        ++frames;
    }
    CHECK(frames == expect_frames);
    WARN(lammps << ": max rel. dev. pe/atom " << worst.energy << ", max abs. dev. force " << worst.force
                << " eV/A, stress/atom " << worst.stress << " (relative to max(1, |s|)), total pe " << worst.total);
}

}  // namespace

TEST_CASE("eam/fs matches LAMMPS on the CuZr glass (orthogonal periodic, 2 frames)", "[eam][lammps]") {
    const auto eam = eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr");
    CHECK(eam.num_types() == 2);
    CHECK(eam.cutoff() == 7.6);
    check_case(eam, "cuzr_glass.dump", "eam_fs_cuzr.dump", "eam_fs_cuzr_pe.txt", 2);
}

TEST_CASE("eam/alloy matches LAMMPS on triclinic Cu (3 frames)", "[eam][lammps]") {
    const auto eam = eam_potential::from_lammps("eam/alloy", "* * Cu_mishin1.eam.alloy Cu");
    check_case(eam, "cu_tilted.dump", "eam_alloy_cu.dump", "eam_alloy_cu_pe.txt", 3);
}

TEST_CASE("eam funcfl matches LAMMPS: one file, and two files mixed", "[eam][lammps]") {
    const auto cu = eam_potential::from_lammps("eam", "1 1 Cu_u3.eam");
    check_case(cu, "cu_tilted.dump", "eam_funcfl_cu.dump", "eam_funcfl_cu_pe.txt", 1);
    const std::vector<std::string> coeffs{"1 1 Cu_u3.eam", "2 2 Ni_u3.eam"};
    const auto cuni = eam_potential::from_lammps("eam", coeffs);
    CHECK(cuni.num_types() == 2);
    CHECK(cuni.cutoff() == 4.9499999999999886);
    check_case(cuni, "cuzr_glass.dump", "eam_funcfl_mixed.dump", "eam_funcfl_mixed_pe.txt", 1);
}

namespace {
struct cluster {
    std::vector<std::array<double, 3>> x;
    std::vector<int> types;
    frame f;
};
cluster read_cluster() {
    lammps_dump_reader rd(data_path("physics/eam_cluster.dump"));
    cluster c;
    REQUIRE(rd.next(c.f));
    c.x = c.f.positions();
    c.types = c.f.types();
    return c;
}
eam_potential cluster_eam() { return eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr Cu"); }
}  // namespace

TEST_CASE("eam/fs matches LAMMPS on a non-periodic cluster (boundary s s s, element repeated over types)",
          "[eam][lammps]") {
    const auto c = read_cluster();
    const auto eam = cluster_eam();
    CHECK(eam.num_types() == 3);
    const result r = evaluate(eam, c.x, c.types, open_box<double>{});
    const deviation d = compare(c.f, c.f.ids(), r);
    const double pe = read_totals("eam_cluster_pe.txt").at(0);
    CHECK(std::abs(r.total - pe) <= 1e-11 * std::abs(pe));
    // Σ_i E_i is the total; Σ_i W_i the total virial (both kept per chunk, summed in order)
    CHECK(std::abs(std::accumulate(r.energy.begin(), r.energy.end(), 0.0) - r.total) <= 1e-12 * std::abs(pe));
    WARN("cluster: max rel. dev. pe/atom " << d.energy << ", force " << d.force << ", stress " << d.stress);
}

TEST_CASE("eam forces are minus the gradient of the total energy (central differences)", "[eam][physics]") {
    auto c = read_cluster();
    const auto eam = cluster_eam();
    const result r = evaluate(eam, c.x, c.types, open_box<double>{});
    // h = 1e-5 Å: truncation h²·E'''/6 ~ 1e-10·(spline third derivative ≲ 1e3 eV/Å³) ~ 1e-8,
    // rounding ε·|E|/h ~ 1e-16·1e3/1e-5 = 1e-8 eV/Å; the spline's derivative is exact for its cubic.
    const double h = 1e-5;
    double worst = 0;
    for (std::size_t i : {std::size_t(0), std::size_t(17), std::size_t(160), c.x.size() - 1})
        for (std::size_t a = 0; a < 3; ++a) {
            auto xp = c.x, xm = c.x;
            xp[i][a] += h;
            xm[i][a] -= h;
            const double ep = evaluate(eam, xp, c.types, open_box<double>{}).total;
            const double em = evaluate(eam, xm, c.types, open_box<double>{}).total;
            const double fd = -(ep - em) / (2 * h);
            INFO("atom " << i << " axis " << a << " force " << r.force[i][a] << " fd " << fd);
            CHECK(std::abs(fd - r.force[i][a]) <= 1e-6 * std::max(1.0, std::abs(r.force[i][a])));
            worst = std::max(worst, std::abs(fd - r.force[i][a]));
        }
    WARN("central differences: max |F + dE/dx| = " << worst << " eV/A");
}

TEST_CASE("eam is invariant under translation and permutation of atoms", "[eam][physics]") {
    const auto c = read_cluster();
    const auto eam = cluster_eam();
    const result r = evaluate(eam, c.x, c.types, open_box<double>{});
    auto shifted = c.x;
    for (auto& p : shifted) p = {p[0] + 0.123, p[1] - 4.56, p[2] + 7.89};
    const result t = evaluate(eam, shifted, c.types, open_box<double>{});
    std::vector<std::size_t> perm(c.x.size());
    std::iota(perm.begin(), perm.end(), std::size_t(0));
    std::reverse(perm.begin(), perm.end());
    std::rotate(perm.begin(), perm.begin() + 37, perm.end());
    std::vector<std::array<double, 3>> px(c.x.size());
    std::vector<int> pt(c.x.size());
    for (std::size_t k = 0; k < perm.size(); ++k) {
        px[k] = c.x[perm[k]];
        pt[k] = c.types[perm[k]];
    }
    const result p = evaluate(eam, px, pt, open_box<double>{});
    // translation moves bond vectors by rounding (~1e-15 Å); permutation reorders the sums
    CHECK(std::abs(t.total - r.total) <= 1e-12 * std::abs(r.total));
    CHECK(std::abs(p.total - r.total) <= 1e-12 * std::abs(r.total));
    for (std::size_t k = 0; k < perm.size(); ++k) {
        const std::size_t i = perm[k];
        CHECK(std::abs(p.energy[k] - r.energy[i]) <= 1e-12);
        CHECK(std::abs(t.energy[i] - r.energy[i]) <= 1e-12);
        for (std::size_t a = 0; a < 3; ++a) {
            CHECK(std::abs(p.force[k][a] - r.force[i][a]) <= 1e-11);
            CHECK(std::abs(t.force[i][a] - r.force[i][a]) <= 1e-11);
        }
        for (std::size_t a = 0; a < 6; ++a) CHECK(std::abs(p.virial[k][a] - r.virial[i][a]) <= 1e-11);
    }
}

TEST_CASE("eam results are bitwise independent of the thread count", "[eam][threads]") {
    lammps_dump_reader rd(data_path("cuzr_glass.dump"));
    frame f;
    REQUIRE(rd.next(f));
    const auto eam = eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr");
    const auto x = f.positions();
    const auto types = f.types();
    const auto& box = std::get<orthogonal_box<double>>(f.box);
    const result one = evaluate(eam, x, types, box, openmp_policy{1});
    for (int t : {2, 3}) {
        const result many = evaluate(eam, x, types, box, openmp_policy{t});
        CHECK(many.total == one.total);
        CHECK(many.total_virial == one.total_virial);
        CHECK(std::equal(many.energy.begin(), many.energy.end(), one.energy.begin()));
        CHECK(std::equal(many.virial.begin(), many.virial.end(), one.virial.begin()));
        bool same = true;
        for (std::size_t i = 0; i < x.size(); ++i)
            for (std::size_t a = 0; a < 3; ++a) same = same && many.force[i][a] == one.force[i][a];
        CHECK(same);
    }
    // optional outputs skipped: forces and totals unchanged
    const auto list = find_neighbors<double>(x, box, ball{eam.cutoff()});
    std::vector<vec3<double>> fo(x.size());
    force_output<double> out;
    out.force = fo;
    eam_potential::workspace ws;
    eam.compute(list, types, out, ws);
    CHECK(std::abs(out.total_energy - one.total) <= 1e-12 * std::abs(one.total));
    CHECK(out.total_virial == one.total_virial);
    CHECK(fo[5].x == one.force[5].x);
}

TEST_CASE("eam's SIMD bond loops agree with its scalar loops, and skip bonds beyond the cutoff",
          "[eam][simd]") {
    // The xsimd loops (detail/eam_kernel.hpp) do LAMMPS's operations per bond; only the order of
    // a row's sum differs (lane partial sums). Rows of ~100 bonds of magnitude ≲ 10 eV/Å: rounding
    // ~1e-15 relative; 1e-12 relative (plus 1e-12 absolute for values near 0) is far below any
    // indexing error (a wrong interval or type pair changes values at 1e-3 or more).
    lammps_dump_reader rd(data_path("cuzr_glass.dump"));
    frame f;
    REQUIRE(rd.next(f));
    const auto eam = eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr");
    const auto x = f.positions();
    const auto types = f.types();
    const auto& box = std::get<orthogonal_box<double>>(f.box);
    const auto run = [&](double range, bool scalar) {
        const auto list = find_neighbors<double>(x, box, ball{range});
        result r;
        r.force.resize(x.size());
        r.energy.resize(x.size());
        r.virial.resize(x.size());
        force_output<double> out{r.force, r.energy, r.virial};
        eam_potential::workspace ws;
        if (scalar) eam.compute<void>(list, types, out, ws, serial);
        else eam.compute(list, types, out, ws, serial);
        r.total = out.total_energy;
        return r;
    };
    const result ref = run(eam.cutoff(), true);
    // a longer list range: the extra bonds must contribute nothing (masked lanes in the SIMD loops)
    for (const auto& [range, scalar] : {std::pair{eam.cutoff(), false}, std::pair{eam.cutoff() + 1.0, false},
                                        std::pair{eam.cutoff() + 1.0, true}}) {
        INFO("list range " << range << (scalar ? ", scalar" : ", SIMD"));
        const result v = run(range, scalar);
        CHECK(std::abs(v.total - ref.total) <= 1e-12 * std::abs(ref.total));
        double worst = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            worst = std::max(worst, std::abs(v.energy[i] - ref.energy[i]) / std::abs(ref.energy[i]));
            for (std::size_t a = 0; a < 3; ++a)
                CHECK(std::abs(v.force[i][a] - ref.force[i][a]) <= 1e-12 + 1e-12 * std::abs(ref.force[i][a]));
            for (std::size_t a = 0; a < 6; ++a)
                CHECK(std::abs(v.virial[i][a] - ref.virial[i][a]) <= 1e-12 + 1e-12 * std::abs(ref.virial[i][a]));
        }
        CHECK(worst <= 1e-12);
    }
}

TEST_CASE("eam rejects overlapping atoms, non-finite positions and bad types", "[eam][errors]") {
    const auto eam = cluster_eam();
    std::vector<std::array<double, 3>> x{{0, 0, 0}, {2.5, 0, 0}, {0, 2.5, 0}, {2.5, 0, 0}};
    std::vector<int> types{1, 2, 3, 1};
    std::vector<vec3<double>> fo(x.size());
    force_output<double> out;
    out.force = fo;
    eam_potential::workspace ws;
    const auto list = find_neighbors<double>(x, open_box<double>{}, ball{eam.cutoff()});
    CHECK_THROWS_WITH(eam.compute(list, types, out, ws), Catch::Contains("atoms 1 and 3 overlap"));
    x[3] = {5, 5, 5};
    const auto ok = find_neighbors<double>(x, open_box<double>{}, ball{eam.cutoff()});
    CHECK_NOTHROW(eam.compute(ok, types, out, ws));
    types[2] = 4;
    CHECK_THROWS_WITH(eam.compute(ok, types, out, ws), Catch::Contains("type 4"));
    types[2] = 1;
    x[2][1] = std::nan("");
    CHECK_THROWS_AS(
        [&] {
            const auto bad = find_neighbors<double>(x, open_box<double>{}, ball{eam.cutoff()});
            eam.compute(bad, types, out, ws);
        }(),
        tessera::error);
    const auto half = find_neighbors<double>(std::vector<std::array<double, 3>>{{0, 0, 0}, {2.5, 0, 0}},
                                             open_box<double>{}, ball{eam.cutoff()}, {.kind = list_kind::half});
    std::vector<vec3<double>> f2(2);
    force_output<double> o2;
    o2.force = f2;
    CHECK_THROWS_WITH(eam.compute(half, std::vector<int>{1, 1}, o2, ws), Catch::Contains("full"));
}
