// physics/lammps_engine.hpp in a host that initialised MPI itself below MPI_THREAD_MULTIPLE (here
// MPI_THREAD_SERIALIZED, as an MPI code that calls MPI from one thread at a time would): every
// engine then serialises all of its LAMMPS calls (`concurrent()` false), and frozen-atom analysis
// on two threads still equals one thread bitwise. A separate executable with its own main(),
// because MPI is initialised once per process and tessera_lammps_tests lets the first engine do it
// at MPI_THREAD_MULTIPLE. Built only where liblammps is found (tests/CMakeLists.txt).
#define CATCH_CONFIG_RUNNER
#include <tessera/physics/frozen_atoms.hpp>
#include <tessera/physics/lammps_engine.hpp>

#include "../support/structure_lattices.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

using namespace tessera;

TEST_CASE("lammps engine in an MPI_THREAD_SERIALIZED host: calls serialised, threads=2 equals threads=1", "[physics][lammps]") {
    const char* dir = std::getenv("LAMMPS_POTENTIALS");
    const std::string potential = std::string(dir ? dir : "/usr/share/lammps/potentials") + "/Cu_mishin1.eam.alloy";
    INFO("Cu_mishin1.eam.alloy of Debian lammps-data: " << potential);
    REQUIRE(static_cast<bool>(std::ifstream(potential)));

    int provided = -1;
    MPI_Query_thread(&provided);
    REQUIRE(provided == MPI_THREAD_SERIALIZED);

    // fcc Cu, 3x3x3 cells (108 atoms), Gaussian noise of 0.05 Angstrom.
    tessera_test::lattice fcc = tessera_test::fcc(3.615, 3);
    tessera_test::jiggle(fcc.positions, 0.05, 7);
    std::vector<vec3<double>> x;
    for (const auto& p : fcc.positions) x.push_back({p[0], p[1], p[2]});
    const triclinic_box<double> box(fcc.box.lo(), fcc.box.hi(), 0, 0, 0);

    lammps_engine_options o;
    o.types.assign(x.size(), 1);
    o.pair_style = "eam/alloy";
    o.pair_coeff = {"* * " + potential + " Cu"};
    const lammps_engine e(o);
    CHECK_FALSE(e.concurrent());
    CHECK(lammps_get_mpi_comm(e.handle()) != MPI_Comm_c2f(MPI_COMM_WORLD));

    frozen_atom_options fo;
    fo.strain_step = 1e-3;
    fo.atoms = {0, 13, 54, 107};
    fo.threads = 1;
    const auto one = frozen_atom_analysis(e, x, box, fo);
    fo.threads = 2;
    const auto two = frozen_atom_analysis(e, x, box, fo);
    for (std::size_t k : fo.atoms) {
        CHECK(std::isfinite(one.d_f[k]));
        CHECK(one.d_f[k] > 0);
        CHECK(two.d_f[k] == one.d_f[k]);
        CHECK(two.relax[k].final_energy == one.relax[k].final_energy);
    }
}

int main(int argc, char* argv[]) {
    int provided = -1;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided);
    const int failed = Catch::Session().run(argc, argv);
    MPI_Finalize();
    return failed;
}
