// EAM force evaluation: tessera::eam_potential beside LAMMPS pair eam/fs (liblammps C API) on
// the same configuration, one thread each.
//
// Input: the CuZr glass frame 0 (tests/reference/cuzr_glass.dump, 2000 atoms, cubic periodic
// L = 33.05 Å), replicated r×r×r (r = 1, 2, 3 → N = 2000, 16 000, 54 000); CuZr_mm.eam.fs Cu Zr
// (cutoff 7.6 Å, ~100 neighbours per atom in a full list).
//
//   eam/tessera/N        find_neighbors(ball{7.6}) + compute (forces, per-atom energy and virial)
//   eam/tessera_list/N   the list only
//   eam/tessera_omp2/N   the same as eam/tessera with openmp_policy{2} (wall clock)
//   eam/lammps/N         `run 0 post no` with pair eam/fs, neighbor 0.0 bin (no skin: the same
//                        list range as tessera), `compute pe/atom` + `compute stress/atom NULL
//                        virial` reduced in thermo so per-atom energy and virial are computed too.
//                        Includes LAMMPS's setup (ghost atoms, half list build, newton on).
//   eam/lammps_baseline/N  the same run with pair_style zero 7.6: setup + list without the EAM work.
// Between LAMMPS iterations (untimed) `reset_timestep k+1`, as bench/descriptors.cpp.
// Before timing, tessera's total energy is compared with LAMMPS's (abort beyond 1e-10 relative).
//
//   taskset -c 1 build/bench/bench_physics --benchmark_filter=-omp2
#include <tessera/core/box.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/io/lammps_dump.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/physics/eam.hpp>

#include <benchmark/benchmark.h>

#if TESSERA_BENCH_HAVE_LAMMPS
#include <library.h>
#endif

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "bench_physics: %s\n", what.c_str());
    std::exit(1);
}

struct input {
    std::vector<std::array<double, 3>> x;
    std::vector<int> types;
    tessera::vec3<double> lo, hi;
};

const input& glass(int r) {
    static std::map<int, input> cache;
    auto it = cache.find(r);
    if (it != cache.end()) return it->second;
    tessera::lammps_dump_reader rd(std::string(TESSERA_TEST_DATA_DIR) + "/cuzr_glass.dump");
    tessera::frame f;
    if (!rd.next(f)) fail("cannot read cuzr_glass.dump");
    const auto& box = std::get<tessera::orthogonal_box<double>>(f.box);
    const auto x0 = f.positions();
    const auto t0 = f.types();
    input in;
    in.lo = box.lo();
    const auto len = box.lengths();
    in.hi = {box.lo().x + r * len.x, box.lo().y + r * len.y, box.lo().z + r * len.z};
    for (int a = 0; a < r; ++a)
        for (int b = 0; b < r; ++b)
            for (int c = 0; c < r; ++c)
                for (std::size_t i = 0; i < x0.size(); ++i) {
                    in.x.push_back({x0[i][0] + a * len.x, x0[i][1] + b * len.y, x0[i][2] + c * len.z});
                    in.types.push_back(t0[i]);
                }
    return cache.emplace(r, std::move(in)).first->second;
}

const tessera::eam_potential& cuzr() {
    static const auto p = tessera::eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr");
    return p;
}

struct tessera_run {
    std::vector<tessera::vec3<double>> f;
    std::vector<double> e;
    std::vector<std::array<double, 6>> w;
    tessera::eam_potential::workspace ws;
    tessera::neighbor_list<double> list;
    tessera::cell_list<double> cells;

    template <class Policy>
    double run(const input& in, Policy policy) {
        const tessera::orthogonal_box<double> box(in.lo, in.hi);
        tessera::find_neighbors_into(in.x, box, tessera::ball{cuzr().cutoff()}, cells, list, {}, policy);
        f.resize(in.x.size());
        e.resize(in.x.size());
        w.resize(in.x.size());
        tessera::force_output<double> out;
        out.force = f;
        out.energy = e;
        out.virial = w;
        cuzr().compute(list, in.types, out, ws, policy);
        return out.total_energy;
    }
};

void counters(benchmark::State& state, std::size_t n) {
    state.counters["atoms/s"] = benchmark::Counter(double(n), benchmark::Counter::kIsIterationInvariantRate);
}

void bm_tessera(benchmark::State& state, int r, int threads) {
    const input& in = glass(r);
    tessera_run t;
    for (auto _ : state) {
        const double e = threads == 1 ? t.run(in, tessera::serial) : t.run(in, tessera::openmp_policy{threads});
        benchmark::DoNotOptimize(e);
    }
    counters(state, in.x.size());
}

void bm_tessera_list(benchmark::State& state, int r) {
    const input& in = glass(r);
    tessera_run t;
    const tessera::orthogonal_box<double> box(in.lo, in.hi);
    for (auto _ : state) {
        tessera::find_neighbors_into(in.x, box, tessera::ball{cuzr().cutoff()}, t.cells, t.list);
        benchmark::DoNotOptimize(t.list.num_bonds());
    }
    counters(state, in.x.size());
}

#if TESSERA_BENCH_HAVE_LAMMPS
void cmd(void* h, const std::string& s) { lammps_commands_string(h, s.c_str()); }

void* lammps_for(int r, bool zero) {
    static std::map<std::pair<int, bool>, void*> cache;
    void*& h = cache[{r, zero}];
    if (h) return h;
    const input& in = glass(r);
    const char* args[] = {"tessera_bench", "-screen", "none", "-log", "none", "-nocite"};
    h = lammps_open_no_mpi(6, const_cast<char**>(args), nullptr);
    if (!h) fail("lammps_open_no_mpi");
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "units metal\natom_style atomic\natom_modify map array sort 0 0.0\nboundary p p p\n"
                  "region box block %.17g %.17g %.17g %.17g %.17g %.17g\ncreate_box 2 box\nmass * 1.0\n",
                  in.lo.x, in.hi.x, in.lo.y, in.hi.y, in.lo.z, in.hi.z);
    cmd(h, buf);
    std::vector<double> x;
    for (const auto& p : in.x) x.insert(x.end(), p.begin(), p.end());
    std::vector<int> ids(in.x.size()), types = in.types;
    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = int(i + 1);
    if (lammps_create_atoms(h, int(in.x.size()), ids.data(), types.data(), x.data(), nullptr, nullptr, 1) !=
        int(in.x.size()))
        fail("lammps_create_atoms");
    cmd(h, zero ? "pair_style zero 7.6\npair_coeff * *\n" : "pair_style eam/fs\npair_coeff * * CuZr_mm.eam.fs Cu Zr\n");
    cmd(h,
        "neighbor 0.0 bin\nneigh_modify every 1 delay 0 check no\n"
        "compute pe all pe/atom\ncompute s all stress/atom NULL virial\n"
        "compute rpe all reduce sum c_pe\ncompute rs all reduce sum c_s[1]\n"
        "thermo_style custom step pe c_rpe c_rs\nthermo_modify format float %.17g\nrun 0 post no\n");
    return h;
}

void bm_lammps(benchmark::State& state, int r, bool zero) {
    void* h = lammps_for(r, zero);
    static long step = 0;
    for (auto _ : state) {
        state.PauseTiming();
        lammps_command(h, ("reset_timestep " + std::to_string(++step)).c_str());
        state.ResumeTiming();
        lammps_command(h, "run 0 post no");
    }
    counters(state, glass(r).x.size());
}

void check(int r) {
    void* h = lammps_for(r, false);
    cmd(h, "run 0 post no");
    const double pe = lammps_get_thermo(h, "pe");
    tessera_run t;
    const double ours = t.run(glass(r), tessera::serial);
    if (!(std::abs(ours - pe) <= 1e-10 * std::abs(pe)))
        fail("total energy " + std::to_string(ours) + " vs LAMMPS " + std::to_string(pe));
    std::fprintf(stderr, "N = %zu: E = %.17g (LAMMPS %.17g, rel. dev. %.2e)\n", glass(r).x.size(), ours, pe,
                 std::abs(ours - pe) / std::abs(pe));
}
#endif

const int registered = [] {
    for (int r : {1, 2, 3}) {
        const std::string n = std::to_string(glass(r).x.size());
#if TESSERA_BENCH_HAVE_LAMMPS
        check(r);
        benchmark::RegisterBenchmark(("eam/lammps/" + n).c_str(), bm_lammps, r, false)->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("eam/lammps_baseline/" + n).c_str(), bm_lammps, r, true)
            ->Unit(benchmark::kMillisecond);
#endif
        benchmark::RegisterBenchmark(("eam/tessera/" + n).c_str(), bm_tessera, r, 1)->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("eam/tessera_list/" + n).c_str(), bm_tessera_list, r)->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark(("eam/tessera_omp2/" + n).c_str(), bm_tessera, r, 2)
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
    }
    return 0;
}();

}  // namespace
