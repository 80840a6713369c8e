// Vibrational modes (issue 17): dense normal modes + VDOS (physics/vdos.hpp) and the stochastic
// per-atom VDOS (physics/kpm.hpp) of the CuZr glass.
//
// Input: frame 0 of tests/reference/cuzr_glass.dump (2000 atoms, L = 33.05 Å) minimised once,
// untimed, with tessera::minimize (cg, ftol 1e-10, as bench/physics.cpp's min/ rows), CuZr_mm.eam.fs.
// For KPM that minimum is replicated 5×2×1 (20 000 atoms; still a minimum: the images are the
// same periodic system).
//
//   modes/dense/2000        hessian + dynamical_matrix + to_dense + dense_modes (eigenvectors) +
//                           vdos (100 bins, per atom): the "2000 atoms under a minute"
//                           (LAPACK when compiled with TESSERA_HAVE_LAPACK, Eigen otherwise)
//   modes/solver/eigen/1500 dense_modes of the leading 1500×1500 block of that D (atoms 0..499),
//   modes/solver/lapack/1500 with eigenvectors — the peer pair: Eigen's solver vs LAPACK dsyevd on
//                           the same matrix (numpy is not callable from here; numpy.linalg.eigh
//                           is dsyevd on the same OpenBLAS). Before timing their eigenvalues are
//                           compared (abort beyond 1e-12·max|λ|).
//   kpm/hessian/20000       hessian + dynamical_matrix of the 20 000 atoms (sparse)
//   kpm/vdos/20000/threads:T  kpm_per_atom_vdos, 256 moments, TESSERA_BENCH_KPM_VECTORS random
//                           vectors (default 8), 100 bins, T workers (wall time); before timing the
//                           T = 2 result is checked bitwise against T = 1 (16 moments, 3 vectors).
// Each row is one run per iteration (seconds); counters atoms/s.
//
//   build/bench/bench_physics_modes --benchmark_filter='modes/'
//   build/bench/bench_physics_modes --benchmark_filter='kpm/'
//
// Measured on the shared 2-core machine with other jobs running (load average 4–9; g++ 12 -O3
// -march=native; Debian OpenBLAS 0.3.21 pthread = liblapack.so.3, 2 BLAS threads):
//   modes/dense/2000          70.7 s wall (LAPACK), 0 negative and 3 zero modes, ν_BP 0.56 THz
//                             (numpy.linalg.eigh of the same D, dumped to disk, 66 s; dsyevd alone 64 s)
//   modes/solver/eigen/1500   3.11 s   modes/solver/lapack/1500  0.90 s  (eigenvalues agree to 3.4e-13 of max)
//   kpm/hessian/20000         0.61 s (1.79 M 3×3 blocks)
//   kpm/vdos/20000, 4 vectors 1 thread 29.1 s, 2 threads 31.0 s wall (mean of 2): no speed-up on the
//                             oversubscribed machine; the calling thread's CPU halves (15.0 → 8.4 s)
//   (8 vectors, load 8: 40.6 s with 1 thread.)
#include <tessera/io/lammps_dump.hpp>
#include <tessera/physics/eam.hpp>
#include <tessera/physics/hessian.hpp>
#include <tessera/physics/kpm.hpp>
#include <tessera/physics/minimize.hpp>
#include <tessera/physics/vdos.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "bench_physics_modes: %s\n", what.c_str());
    std::exit(1);
}

const tessera::eam_potential& cuzr() {
    static const auto p = tessera::eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr");
    return p;
}

struct config {
    std::vector<tessera::vec3<double>> x;
    std::vector<int> types;
    tessera::orthogonal_box<double> box{{0, 0, 0}, {1, 1, 1}};
};

// The minimised 2000-atom glass (cached: minimising takes seconds).
const config& glass() {
    static const config c = [] {
        tessera::lammps_dump_reader rd(std::string(TESSERA_TEST_DATA_DIR) + "/cuzr_glass.dump");
        tessera::frame f;
        if (!rd.next(f)) fail("cannot read cuzr_glass.dump");
        config g;
        g.box = std::get<tessera::orthogonal_box<double>>(f.box);
        for (const auto& p : f.positions()) g.x.push_back({p[0], p[1], p[2]});
        const auto t = f.types();
        g.types.assign(t.begin(), t.end());
        tessera::minimize_options o;
        o.style = tessera::min_style::cg;
        o.etol = 0.0;
        o.ftol = 1e-10;
        o.max_iterations = 100000;
        o.max_evaluations = 1000000;
        o.skin = 2.0;
        tessera::minimize(cuzr(), std::span<tessera::vec3<double>>(g.x), std::span<const int>(g.types), g.box, o);
        const auto fn = tessera::residual_forces(cuzr(), g.x, g.types, g.box);
        if (!(fn.max_norm < 1e-6)) fail("the minimised glass has max |F| = " + std::to_string(fn.max_norm));
        return g;
    }();
    return c;
}

config replicated(int rx, int ry, int rz) {
    const config& g = glass();
    const auto len = g.box.lengths();
    config c;
    c.box = tessera::orthogonal_box<double>(g.box.lo(), {g.box.lo().x + rx * len.x, g.box.lo().y + ry * len.y,
                                                         g.box.lo().z + rz * len.z});
    for (int a = 0; a < rx; ++a)
        for (int b = 0; b < ry; ++b)
            for (int d = 0; d < rz; ++d)
                for (std::size_t i = 0; i < g.x.size(); ++i) {
                    c.x.push_back({g.x[i].x + a * len.x, g.x[i].y + b * len.y, g.x[i].z + d * len.z});
                    c.types.push_back(g.types[i]);
                }
    return c;
}

tessera::sparse_hessian dynamical(const config& c) {
    return tessera::dynamical_matrix(tessera::hessian(cuzr(), c.x, c.types, c.box), cuzr().tables().masses, c.types);
}

void bm_dense(benchmark::State& state) {
    const config& g = glass();
    tessera::vdos_result v;
    tessera::eigensolver used{};
    for (auto _ : state) {
        const auto m = tessera::dense_modes(dynamical(g));
        v = tessera::vdos(m, {.bins = 100});
        used = m.solver;
        benchmark::DoNotOptimize(v.boson_peak.data());
    }
    state.SetLabel(used == tessera::eigensolver::lapack ? "lapack" : "eigen");
    state.counters["atoms/s"] = benchmark::Counter(double(g.x.size()), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["negative_modes"] = double(v.negative_modes);
    state.counters["zero_modes"] = double(v.zero_modes);
    state.counters["nu_BP_THz"] = v.boson_peak_frequency;
}
BENCHMARK(bm_dense)->Name("modes/dense/2000")->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

const Eigen::MatrixXd& block1500() {
    static const Eigen::MatrixXd b = dynamical(glass()).to_dense().topLeftCorner(1500, 1500);
    return b;
}

void check_solvers_agree() {
    static bool done = false;
    if (done || !tessera::have_lapack) return;
    const auto a = tessera::dense_modes(block1500(), 500, {.eigenvectors = false, .solver = tessera::eigensolver::lapack});
    const auto b = tessera::dense_modes(block1500(), 500, {.eigenvectors = false, .solver = tessera::eigensolver::eigen});
    const double top = a.eigenvalues.cwiseAbs().maxCoeff();
    const double diff = (a.eigenvalues - b.eigenvalues).cwiseAbs().maxCoeff();
    if (!(diff <= 1e-12 * top)) fail("LAPACK and Eigen eigenvalues differ by " + std::to_string(diff / top) + " of max");
    std::fprintf(stderr, "bench_physics_modes: 1500x1500 block, LAPACK vs Eigen max |dlambda|/max|lambda| = %.3g\n",
                 diff / top);
    done = true;
}

void bm_solver(benchmark::State& state, tessera::eigensolver s) {
    if (s == tessera::eigensolver::lapack && !tessera::have_lapack) {
        state.SkipWithError("compiled without TESSERA_HAVE_LAPACK");
        return;
    }
    check_solvers_agree();
    const Eigen::MatrixXd& d = block1500();
    for (auto _ : state) {
        const auto m = tessera::dense_modes(d, 500, {.solver = s});
        benchmark::DoNotOptimize(m.eigenvectors.data());
    }
    state.counters["atoms/s"] = benchmark::Counter(500.0, benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK_CAPTURE(bm_solver, eigen, tessera::eigensolver::eigen)
    ->Name("modes/solver/eigen/1500")->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();
BENCHMARK_CAPTURE(bm_solver, lapack, tessera::eigensolver::lapack)
    ->Name("modes/solver/lapack/1500")->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

const config& big() {
    static const config c = replicated(5, 2, 1);
    return c;
}

const tessera::sparse_hessian& big_dynamical() {
    static const tessera::sparse_hessian d = dynamical(big());
    return d;
}

std::size_t kpm_vectors() {
    const char* e = std::getenv("TESSERA_BENCH_KPM_VECTORS");
    const long v = e ? std::atol(e) : 8;
    if (v < 1) fail("TESSERA_BENCH_KPM_VECTORS must be >= 1");
    return std::size_t(v);
}

void bm_kpm_hessian(benchmark::State& state) {
    const config& c = big();
    std::size_t blocks = 0;
    for (auto _ : state) {
        const auto d = dynamical(c);
        blocks = d.blocks().size();
        benchmark::DoNotOptimize(d.blocks().data());
    }
    state.counters["atoms/s"] = benchmark::Counter(double(c.x.size()), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["blocks"] = double(blocks);
}
BENCHMARK(bm_kpm_hessian)->Name("kpm/hessian/20000")->Unit(benchmark::kSecond)->Iterations(1)->UseRealTime();

void bm_kpm(benchmark::State& state) {
    const auto threads = unsigned(state.range(0));
    const auto& d = big_dynamical();
    {
        static bool checked = false;
        if (!checked) {
            const tessera::kpm_options o{.moments = 16, .vectors = 3, .threads = 1};
            auto o2 = o;
            o2.threads = 2;
            if (tessera::kpm_per_atom_vdos(d, o).per_atom != tessera::kpm_per_atom_vdos(d, o2).per_atom)
                fail("KPM with 2 threads differs from 1 thread");
            checked = true;
        }
    }
    const tessera::kpm_options o{.moments = 256, .vectors = kpm_vectors(), .bins = 100, .threads = threads};
    for (auto _ : state) {
        const auto r = tessera::kpm_per_atom_vdos(d, o);
        benchmark::DoNotOptimize(r.per_atom.data());
    }
    state.counters["atoms/s"] = benchmark::Counter(double(d.num_atoms()), benchmark::Counter::kIsIterationInvariantRate);
    state.counters["vectors"] = double(o.vectors);
}
BENCHMARK(bm_kpm)->Name("kpm/vdos/20000")->ArgName("threads")->Arg(1)->Arg(2)->Unit(benchmark::kSecond)
    ->Iterations(1)->UseRealTime();

}  // namespace
