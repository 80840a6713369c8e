// Tests for physics/box_relax.hpp: the 686-atom CuZr glass (minimised at fixed cell, P ~ -7 kbar)
// relaxed with its cell to zero pressure, against LAMMPS fix box/relax tri 0.0 + minimize
// (tests/reference/physics/make_box_relax_reference.sh): same energy and cell.
#include "../support/reference_frames.hpp"

#include <tessera/physics/box_relax.hpp>
#include <tessera/physics/deform.hpp>
#include <tessera/physics/eam.hpp>
#include <tessera/physics/native_engine.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

using namespace tessera;

namespace {

std::vector<double> reference_line(const std::string& key) {
    std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/physics/box_relax_ref.txt");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream s(line);
        std::string k;
        s >> k;
        if (k != key) continue;
        std::vector<double> v;
        double x;
        while (s >> x) v.push_back(x);
        return v;
    }
    FAIL("no line '" << key << "' in box_relax_ref.txt");
    return {};
}

}  // namespace

TEST_CASE("box relaxation reaches LAMMPS fix box/relax tri's minimum (CuZr glass)", "[physics][box_relax]") {
    const auto frames = tessera_test::read_reference_frames("d2min/cuzr_aqs.dump");
    const frame& f = frames.front();
    std::vector<vec3<double>> x;
    for (const auto& p : f.positions(unwrap::if_available)) x.push_back({p[0], p[1], p[2]});
    triclinic_box<double> box = as_triclinic(f.box, "cuzr_aqs.dump");
    const auto pot = eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr");
    minimize_options mo;
    mo.ftol = 1e-10;
    mo.skin = 2.0;
    native_engine engine(pot, f.types(), mo);
    box_relax_options bo;
    bo.tolerance = 1e-3;  // bar; the cell then differs from the exact root by ~1e-3/1e6 in strain
    const auto r = relax_box(engine, std::span<vec3<double>>(x), box, bo);
    const auto initial = reference_line("initial"), final = reference_line("final"), cell = reference_line("cell");
    INFO("cycles " << r.cycles << ", max |P| " << r.max_pressure_error);
    CHECK(r.converged);
    CHECK(r.max_pressure_error < 1e-3);
    // Initial pressures (before any relaxation) agree with LAMMPS to rounding of the virial.
    const double n = double(x.size());
    CHECK(r.relax.initial_energy == Approx(initial[0]).epsilon(1e-12));
    // Same minimum: energy per atom within the 1e-8 eV/atom (a pressure residual of
    // 1e-3 bar changes E by ~V P²/2K ~ 1e-18 eV), cell within 1e-6 Å (strain ~ P/K ~ 1e-9).
    CHECK(std::abs(r.relax.final_energy - final[0]) / n < 1e-8);
    CHECK(box.hi().x - box.lo().x == Approx(cell[0]).margin(1e-6));
    CHECK(box.hi().y - box.lo().y == Approx(cell[1]).margin(1e-6));
    CHECK(box.hi().z - box.lo().z == Approx(cell[2]).margin(1e-6));
    CHECK(box.xy() == Approx(cell[3]).margin(1e-6));
    CHECK(box.xz() == Approx(cell[4]).margin(1e-6));
    CHECK(box.yz() == Approx(cell[5]).margin(1e-6));
}

TEST_CASE("box relaxation leaves non-periodic axes alone and rejects a bad tolerance", "[physics][box_relax]") {
    const auto frames = tessera_test::read_reference_frames("d2min/cuzr_aqs.dump");
    const frame& f = frames.front();
    std::vector<vec3<double>> x;
    for (const auto& p : f.positions(unwrap::if_available)) x.push_back({p[0], p[1], p[2]});
    const triclinic_box<double> full = as_triclinic(f.box, "cuzr_aqs.dump");
    triclinic_box<double> slab(full.lo(), full.hi(), 0, 0, 0, periodicity{true, true, false});
    const auto pot = eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr");
    minimize_options mo;
    mo.ftol = 1e-8;
    native_engine engine(pot, f.types(), mo);
    box_relax_options bo;
    bo.tolerance = 0.0;
    CHECK_THROWS_WITH(relax_box(engine, std::span<vec3<double>>(x), slab, bo), Catch::Contains("tolerance"));
    bo.tolerance = 10.0;
    const double lz = slab.hi().z - slab.lo().z;
    const auto r = relax_box(engine, std::span<vec3<double>>(x), slab, bo);
    CHECK(r.converged);
    CHECK(slab.hi().z - slab.lo().z == lz);  // z is not periodic: it never moves
    CHECK(slab.xz() == 0.0);
    CHECK(slab.yz() == 0.0);
    CHECK(std::abs(r.pressure[0]) < 10.0);
    CHECK(std::abs(r.pressure[3]) < 10.0);
}
