// Bitwise fingerprint of the minimiser and frozen-atom analysis (issue 16): build it against two
// versions of the headers and compare the hashes, e.g. before/after a speed change.
//   bench_physics_bitwise min | fire              minimize cg / FIRE, 2000-atom glass (frame 0)
//   bench_physics_bitwise frozen K THREADS [rev]  D_ref + D_f of K atoms, 686-atom before-event file
//   bench_physics_bitwise frozen2000 K THREADS [rev]
#include <tessera/io/lammps_dump.hpp>
#include <tessera/physics/eam.hpp>
#include <tessera/physics/frozen_atoms.hpp>
#include <tessera/physics/minimize.hpp>
#include <tessera/physics/native_engine.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <algorithm>
using namespace tessera;
static std::uint64_t h = 1469598103934665603ull;
static void mix(double v) { std::uint64_t b; std::memcpy(&b, &v, 8); for (int k = 0; k < 8; ++k) { h ^= (b >> (8 * k)) & 255; h *= 1099511628211ull; } }
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
int main(int argc, char** argv) {
    const std::string what = argc > 1 ? argv[1] : "min";
    const auto pot = eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr");
    minimize_options o; o.etol = 0; o.ftol = 1e-10; o.max_iterations = 100000; o.max_evaluations = 1000000; o.skin = 2.0;
    o.fire.timestep = 0.001; o.fire.ftm2v = 1.0 / 1.0364269e-4; o.fire.masses = pot.tables().masses;
    const std::string dir = TESSERA_TEST_DATA_DIR;
    if (what == "min" || what == "fire") {
        lammps_dump_reader rd(dir + "/cuzr_glass.dump"); frame f; rd.next(f);
        const auto box = std::get<orthogonal_box<double>>(f.box);
        std::vector<vec3<double>> x; for (auto& p : f.positions()) x.push_back({p[0], p[1], p[2]});
        const auto types = f.types();
        o.style = what == "fire" ? min_style::fire : min_style::cg;
        double t0 = now(), c0 = double(std::clock()) / CLOCKS_PER_SEC;
        auto r = minimize(pot, std::span<vec3<double>>(x), std::span<const int>(types), box, o);
        double t1 = now(), c1 = double(std::clock()) / CLOCKS_PER_SEC;
        for (auto& p : x) { mix(p.x); mix(p.y); mix(p.z); }
        mix(r.final_energy);
        std::printf("%s: it %zu ev %zu E %.17g wall %.3f s cpu %.3f s (%.3f ms/eval) hash %016llx\n", what.c_str(), r.iterations,
                    r.evaluations, r.final_energy, t1 - t0, c1 - c0, 1e3 * (c1 - c0) / double(r.evaluations), (unsigned long long)h);
    } else {
        const std::string file = what == "frozen2000" ? "/physics/frozen_before_2000.dump" : "/physics/cli_frozen_before.dump";
        lammps_dump_reader rd(dir + file); frame f; rd.next(f);
        const auto box = std::get<triclinic_box<double>>(f.box);
        std::vector<vec3<double>> x; for (auto& p : f.positions(unwrap::if_available)) x.push_back({p[0], p[1], p[2]});
        const native_engine engine(pot, f.types(), o);
        frozen_atom_options fo; fo.strain_step = 1e-3;
        const std::size_t n = x.size(), k = argc > 2 ? std::size_t(std::atol(argv[2])) : 4;
        fo.threads = argc > 3 ? unsigned(std::atoi(argv[3])) : 1;
        for (std::size_t j = 0; j < k; ++j) fo.atoms.push_back(j * n / k + (n / k) / 2);
        if (argc > 4) std::reverse(fo.atoms.begin(), fo.atoms.end());
        double t0 = now(), c0 = double(std::clock()) / CLOCKS_PER_SEC;
        auto r = frozen_atom_analysis(engine, x, box, fo);
        double t1 = now(), c1 = double(std::clock()) / CLOCKS_PER_SEC;
        std::size_t ev = r.reference_relax.evaluations;
        mix(r.d_reference);
        std::vector<std::size_t> sorted = fo.atoms; std::sort(sorted.begin(), sorted.end());
        for (std::size_t a : sorted) { mix(r.d_f[a]); ev += r.relax[a].evaluations; }
        std::uint64_t hd = h;
        std::printf("%s: %zu atoms + ref, threads %u: D_ref %.17g, D_f[%zu] %.17g, evals/relax %.0f, wall %.3f s cpu %.3f s (%.3f ms/eval cpu) hash %016llx\n",
                    what.c_str(), k, fo.threads, r.d_reference, fo.atoms[0], r.d_f[fo.atoms[0]], double(ev) / double(k + 1), t1 - t0, c1 - c0,
                    1e3 * (c1 - c0) / double(ev), (unsigned long long)hd);
    }
}
