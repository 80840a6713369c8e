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
//
// Minimisation (issue 16): frame 0 of the same glass (2000 atoms, not relaxed) minimised with
// `min_style cg` and `fire`, `minimize 0.0 1e-10 100000 1000000`, metal units (timestep 0.001,
// neighbor 2.0 bin, neigh_modify every 1 delay 0 check yes) — tests/reference/physics/cli_minimize.in.
//   min/tessera/STYLE/2000   tessera::minimize (skin 2.0, FIRE masses from the EAM file), one thread
//   min/lammps/STYLE/2000    `minimize ...` through liblammps (setup included); positions reset
//                            untimed before each run with lammps_scatter_atoms
// Each is one run per iteration (seconds); use --benchmark_repetitions=N (the "min" statistic is
// the best run). Before timing both are checked against cli_minimize.txt (iterations, energy).
//
// Frozen-atom analysis (issue 16): the configuration one xy step of 1e-3 before a large stress
// drop (cli_frozen_before.dump, 686 atoms; frozen_before_2000.dump, 2000 atoms, made by
// tests/reference/physics/make_frozen_2000.sh), K atoms spread over the ids (every N/K-th;
// K = TESSERA_BENCH_FROZEN_ATOMS, default 20) plus the reference relaxation (nothing frozen):
//   frozen/tessera/N/threads:T  frozen_atom_analysis (cg, ftol 1e-10) with T workers (wall time)
//   frozen/lammps/N             the same K + 1 relaxations scripted in LAMMPS as a user would:
//                               per atom `clear`, then cli_frozen.in (read_data, pair_coeff,
//                               change_box xy remap, fix setforce 0 0 0 on the atom, minimize cg)
// Counters: relaxations/s. Before timing, every tessera D_f is compared with LAMMPS's D.
//
//   taskset -c 1 build/bench/bench_physics --benchmark_filter='min/' --benchmark_repetitions=3
//   build/bench/bench_physics --benchmark_filter='frozen/' --benchmark_repetitions=3
#include <tessera/core/box.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/io/lammps_dump.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/physics/eam.hpp>
#include <tessera/physics/frozen_atoms.hpp>
#include <tessera/physics/minimize.hpp>
#include <tessera/physics/native_engine.hpp>

#include <benchmark/benchmark.h>

#if TESSERA_BENCH_HAVE_LAMMPS
#include <library.h>
#endif

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>
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

/// A LAMMPS instance holding the glass `in` (metal units, ids 1..N in order, no sorting), no pair style yet.
void* lammps_with_glass(const input& in) {
    const char* args[] = {"tessera_bench", "-screen", "none", "-log", "none", "-nocite"};
    void* h = lammps_open_no_mpi(6, const_cast<char**>(args), nullptr);
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
    return h;
}

void* lammps_for(int r, bool zero) {
    static std::map<std::pair<int, bool>, void*> cache;
    void*& h = cache[{r, zero}];
    if (h) return h;
    const input& in = glass(r);
    h = lammps_with_glass(in);
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


// ---------------------------------------------------------------------------------------------
// Minimisation and frozen-atom analysis.

// LAMMPS metal units: ftm2v = 1/mvv2e (src/update.cpp).
constexpr double metal_ftm2v = 1.0 / 1.0364269e-4;

tessera::minimize_options metal_options(tessera::min_style style) {
    tessera::minimize_options o;
    o.style = style;
    o.etol = 0.0;
    o.ftol = 1e-10;
    o.max_iterations = 100000;
    o.max_evaluations = 1000000;
    o.skin = 2.0;
    o.fire.timestep = 0.001;
    o.fire.ftm2v = metal_ftm2v;
    o.fire.masses = cuzr().tables().masses;
    return o;
}

const char* style_name(tessera::min_style s) { return s == tessera::min_style::fire ? "fire" : "cg"; }

// cli_minimize.txt: style initial final iterations evaluations criterion
struct min_reference {
    double final_energy = 0;
    std::size_t iterations = 0;
    // LAMMPS's own path depends on its atom order (sorting, summation order): FIRE's 900
    // iterations become 901 with `atom_modify sort 0 0.0`; 2 % covers such rounding paths.
    bool matches(std::size_t it, double e) const {
        const double di = std::abs(double(it) - double(iterations));
        return di <= 0.02 * double(iterations) && std::abs(e - final_energy) <= 1e-9 * std::abs(final_energy);
    }
};
min_reference reference_of(tessera::min_style style) {
    FILE* f = std::fopen((std::string(TESSERA_TEST_DATA_DIR) + "/physics/cli_minimize.txt").c_str(), "r");
    if (!f) fail("cannot read cli_minimize.txt");
    char name[16], crit[64];
    double e0, e1;
    std::size_t it, ev;
    min_reference r;
    while (std::fscanf(f, "%15s %lf %lf %zu %zu %63s", name, &e0, &e1, &it, &ev, crit) == 6)
        if (std::string(name) == style_name(style)) r = {e1, it};
    std::fclose(f);
    if (r.iterations == 0) fail("cli_minimize.txt has no row for this style");
    return r;
}

void bm_min_tessera(benchmark::State& state, tessera::min_style style) {
    const input& in = glass(1);
    const tessera::orthogonal_box<double> box(in.lo, in.hi);
    const tessera::minimize_options o = metal_options(style);
    std::vector<tessera::vec3<double>> x0, x;
    for (const auto& p : in.x) x0.push_back({p[0], p[1], p[2]});
    tessera::minimize_result r;
    for (auto _ : state) {
        state.PauseTiming();
        x = x0;
        state.ResumeTiming();
        r = tessera::minimize(cuzr(), std::span<tessera::vec3<double>>(x), std::span<const int>(in.types), box, o);
    }
    const min_reference ref = reference_of(style);
    if (!ref.matches(r.iterations, r.final_energy))
        fail(std::string("tessera ") + style_name(style) + ": " + std::to_string(r.iterations) + " iterations, E = " +
             std::to_string(r.final_energy) + " vs cli_minimize.txt");
    state.counters["iterations"] = double(r.iterations);
    state.counters["evaluations"] = double(r.evaluations);
}

#if TESSERA_BENCH_HAVE_LAMMPS
void* lammps_min(tessera::min_style style) {
    static std::map<int, void*> cache;
    void*& h = cache[int(style)];
    if (h) return h;
    const input& in = glass(1);
    h = lammps_with_glass(in);
    cmd(h, std::string("pair_style eam/fs\npair_coeff * * CuZr_mm.eam.fs Cu Zr\n"
                       "neighbor 2.0 bin\nneigh_modify every 1 delay 0 check yes\n"
                       "thermo_style custom step pe\nmin_style ") + style_name(style) + "\n");
    return h;
}

void bm_min_lammps(benchmark::State& state, tessera::min_style style) {
    void* h = lammps_min(style);
    const input& in = glass(1);
    std::vector<double> x;
    for (const auto& p : in.x) x.insert(x.end(), p.begin(), p.end());
    std::vector<int> zero_image(in.x.size(), (512 << 20) | (512 << 10) | 512);  // IMGMAX: image 0
    char xname[] = "x", imagename[] = "image";
    for (auto _ : state) {
        state.PauseTiming();
        lammps_scatter_atoms(h, xname, 1, 3, x.data());
        lammps_scatter_atoms(h, imagename, 0, 1, zero_image.data());
        lammps_command(h, "reset_timestep 0");
        state.ResumeTiming();
        lammps_command(h, "minimize 0.0 1.0e-10 100000 1000000");
    }
    const min_reference ref = reference_of(style);
    const double e = lammps_get_thermo(h, "pe");
    const auto it = std::size_t(lammps_get_thermo(h, "step"));
    if (!ref.matches(it, e))
        fail(std::string("LAMMPS ") + style_name(style) + ": " + std::to_string(it) + " iterations, E = " +
             std::to_string(e) + " vs cli_minimize.txt");
    state.counters["iterations"] = double(it);
}
#endif

// The before-event configurations.
struct frozen_input {
    std::vector<tessera::vec3<double>> x;       // unwrapped (tessera)
    std::vector<std::array<double, 3>> wrapped;  // as dumped (the LAMMPS data file)
    std::vector<int> types;
    tessera::triclinic_box<double> box{{0, 0, 0}, {1, 1, 1}, 0, 0, 0};
    std::string data_file;  // LAMMPS data file written at start-up
};

const frozen_input& before_event(std::size_t n) {
    static std::map<std::size_t, frozen_input> cache;
    auto it = cache.find(n);
    if (it != cache.end()) return it->second;
    const std::string name = n == 686 ? "cli_frozen_before.dump" : "frozen_before_" + std::to_string(n) + ".dump";
    tessera::lammps_dump_reader rd(std::string(TESSERA_TEST_DATA_DIR) + "/physics/" + name);
    tessera::frame f;
    if (!rd.next(f)) fail("cannot read " + name);
    frozen_input in;
    in.box = std::get<tessera::triclinic_box<double>>(f.box);
    for (const auto& p : f.positions(tessera::unwrap::if_available)) in.x.push_back({p[0], p[1], p[2]});
    in.wrapped = f.positions();
    in.types = f.types();
    const auto ids = f.ids();
    for (std::size_t i = 0; i < ids.size(); ++i)
        if (ids[i] != std::int64_t(i + 1)) fail(name + ": ids must be 1..N in order");
    // dump_to_data.py's file: masses from the EAM file, 17 significant digits
    in.data_file = "/tmp/tessera_bench_frozen_" + std::to_string(n) + "_" + std::to_string(getpid()) + ".data";
    FILE* d = std::fopen(in.data_file.c_str(), "w");
    if (!d) fail("cannot write " + in.data_file);
    const auto& b = in.box;
    std::fprintf(d, "before-event configuration\n\n%zu atoms\n2 atom types\n\n", in.x.size());
    std::fprintf(d, "%.17g %.17g xlo xhi\n%.17g %.17g ylo yhi\n%.17g %.17g zlo zhi\n%.17g %.17g %.17g xy xz yz\n",
                 b.lo().x, b.hi().x, b.lo().y, b.hi().y, b.lo().z, b.hi().z, b.xy(), b.xz(), b.yz());
    std::fprintf(d, "\nMasses\n\n1 %.17g\n2 %.17g\n\nAtoms # atomic\n\n", cuzr().tables().masses[0],
                 cuzr().tables().masses[1]);
    for (std::size_t i = 0; i < in.x.size(); ++i)
        std::fprintf(d, "%zu %d %.17g %.17g %.17g\n", i + 1, in.types[i], in.wrapped[i][0], in.wrapped[i][1],
                     in.wrapped[i][2]);
    std::fclose(d);
    return cache.emplace(n, std::move(in)).first->second;
}

std::size_t frozen_subset_size() {
    const char* e = std::getenv("TESSERA_BENCH_FROZEN_ATOMS");
    return e ? std::size_t(std::atol(e)) : 20;
}

std::vector<std::size_t> frozen_subset(std::size_t n) {
    const std::size_t k = std::min(frozen_subset_size(), n);
    std::vector<std::size_t> atoms;
    for (std::size_t j = 0; j < k; ++j) atoms.push_back(j * n / k + (n / k) / 2);
    return atoms;
}

constexpr double frozen_step = 1e-3;

tessera::frozen_atom_result run_frozen_tessera(std::size_t n, unsigned threads) {
    const frozen_input& in = before_event(n);
    const tessera::native_engine engine(cuzr(), in.types, metal_options(tessera::min_style::cg));
    tessera::frozen_atom_options opt;
    opt.plane = tessera::shear_plane::xy;
    opt.strain_step = frozen_step;
    opt.atoms = frozen_subset(n);
    opt.threads = threads;
    return tessera::frozen_atom_analysis(engine, in.x, in.box, opt);
}

void bm_frozen_tessera(benchmark::State& state, std::size_t n, unsigned threads) {
    tessera::frozen_atom_result r;
    for (auto _ : state) r = run_frozen_tessera(n, threads);
    std::size_t evals = r.reference_relax.evaluations;
    for (const auto& rr : r.relax) evals += rr.evaluations;
    const double relaxations = double(frozen_subset(n).size() + 1);
    state.counters["relax/s"] = benchmark::Counter(relaxations, benchmark::Counter::kIsIterationInvariantRate);
    state.counters["evals/relax"] = double(evals) / relaxations;
}

#if TESSERA_BENCH_HAVE_LAMMPS
// One frozen-atom relaxation as a LAMMPS user scripts it (id 0: nothing frozen); returns D.
double lammps_frozen(void* h, const frozen_input& in, std::size_t id) {
    cmd(h, "clear\nvariable data string " + in.data_file + "\nvariable gamma equal " + std::to_string(frozen_step) +
               "\nvariable id equal " + std::to_string(id) + "\nvariable out string /tmp\ninclude " +
               std::string(TESSERA_TEST_DATA_DIR) + "/physics/cli_frozen.in\n");
    const auto* sum = static_cast<const double*>(lammps_extract_compute(h, "sum", 0, 0));
    if (!sum) fail("LAMMPS frozen run " + std::to_string(id) + " failed");
    return std::sqrt(*sum);
}

void* lammps_frozen_handle() {
    static void* h = nullptr;
    if (h) return h;
    const char* args[] = {"tessera_bench", "-screen", "none", "-log", "none", "-nocite"};
    h = lammps_open_no_mpi(6, const_cast<char**>(args), nullptr);
    if (!h) fail("lammps_open_no_mpi");
    return h;
}

void bm_frozen_lammps(benchmark::State& state, std::size_t n) {
    const frozen_input& in = before_event(n);
    void* h = lammps_frozen_handle();
    const auto atoms = frozen_subset(n);
    for (auto _ : state) {
        benchmark::DoNotOptimize(lammps_frozen(h, in, 0));
        for (std::size_t a : atoms) benchmark::DoNotOptimize(lammps_frozen(h, in, a + 1));
    }
    state.counters["relax/s"] =
        benchmark::Counter(double(atoms.size() + 1), benchmark::Counter::kIsIterationInvariantRate);
}

// tessera's D_f against LAMMPS's D for the subset (the cli test's comparison, 1e-6 relative here:
// both relax to ftol 1e-10 along paths that agree to rounding at first).
void check_frozen(std::size_t n) {
    const auto r = run_frozen_tessera(n, 2);
    void* h = lammps_frozen_handle();
    const frozen_input& in = before_event(n);
    double worst = std::abs(lammps_frozen(h, in, 0) - r.d_reference) / r.d_reference;
    for (std::size_t a : frozen_subset(n)) {
        const double d = lammps_frozen(h, in, a + 1);
        worst = std::max(worst, std::abs(d - r.d_f[a]) / d);
    }
    std::fprintf(stderr, "frozen N = %zu: D_ref = %.10g, %zu atoms, worst rel. dev. of D_f vs LAMMPS %.2e\n", n,
                 r.d_reference, frozen_subset(n).size(), worst);
    if (!(worst < 1e-6)) fail("frozen-atom D_f differs from LAMMPS");
}
#endif

const std::vector<std::size_t>& frozen_sizes() {
    static const std::vector<std::size_t> sizes = [] {
        std::vector<std::size_t> s{686};
        if (FILE* f = std::fopen((std::string(TESSERA_TEST_DATA_DIR) + "/physics/frozen_before_2000.dump").c_str(), "r")) {
            std::fclose(f);
            s.push_back(2000);
        }
        return s;
    }();
    return sizes;
}

bool selected(const char* prefix) {
    // Expensive cross-checks only when the filter asks for that family (or runs everything).
    const char* f = std::getenv("TESSERA_BENCH_CHECK");
    return !f || std::string(f).find(prefix) != std::string::npos;
}

const int registered = [] {
    for (int r : {1, 2, 3}) {
        const std::string n = std::to_string(glass(r).x.size());
#if TESSERA_BENCH_HAVE_LAMMPS
        if (selected("eam")) check(r);
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
    const auto min_stats = [](benchmark::internal::Benchmark* b) {
        b->Unit(benchmark::kSecond)->Iterations(1)->ComputeStatistics("min", [](const std::vector<double>& v) {
            return *std::min_element(v.begin(), v.end());
        });
    };
    for (const auto style : {tessera::min_style::cg, tessera::min_style::fire}) {
        const std::string s = style_name(style);
#if TESSERA_BENCH_HAVE_LAMMPS
        min_stats(benchmark::RegisterBenchmark(("min/lammps/" + s + "/2000").c_str(), bm_min_lammps, style));
#endif
        min_stats(benchmark::RegisterBenchmark(("min/tessera/" + s + "/2000").c_str(), bm_min_tessera, style));
    }
    for (const std::size_t n : frozen_sizes()) {
        const std::string ns = std::to_string(n);
#if TESSERA_BENCH_HAVE_LAMMPS
        if (selected("frozen")) check_frozen(n);
        min_stats(benchmark::RegisterBenchmark(("frozen/lammps/" + ns).c_str(), bm_frozen_lammps, n));
#endif
        for (unsigned t : {1u, 2u})
            min_stats(benchmark::RegisterBenchmark(("frozen/tessera/" + ns + "/threads:" + std::to_string(t)).c_str(),
                                                   bm_frozen_tessera, n, t)
                          ->UseRealTime());
    }
    return 0;
}();

}  // namespace
