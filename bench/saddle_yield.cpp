// ARTn yield on the committed glasses (issue 17): the fraction of searches that converge to a
// connected first-order saddle, the barriers, and the time per search.
//
//   bench_saddle_yield cuzr|ka [atoms=4] [searches=6] [key=value ...]
//
// cuzr: tests/reference/cuzr_glass.dump (2000 atoms, eam/fs CuZr_mm), minimised by cg to
// ‖F‖ < 1e-6 eV/Å first; ka: tests/reference/physics/ka_periodic.dump (500 atoms, KA lj/cut 2.5),
// minimised to 1e-10. Atoms are spread over the indices (0, n/A, 2n/A, ...). Keys: hessian=0|1
// (analytic products), recover=N (max_recoveries), criterion=norm|atom|component, ftol=.., threads=..
#include <tessera/io/lammps_dump.hpp>
#include <tessera/physics/eam.hpp>
#include <tessera/physics/lj_cut.hpp>
#include <tessera/physics/hessian.hpp>
#include <tessera/physics/activation_barriers.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <string>
#include <vector>

using namespace tessera;

namespace {

long only_search = -1;  ///< key search=k: run only search k of each atom

struct glass {
    std::vector<vec3<double>> x;
    std::vector<int> types;
    triclinic_box<double> box{{0, 0, 0}, {1, 1, 1}, 0, 0, 0};
};

glass read(const std::string& name) {
    lammps_dump_reader r(std::string(TESSERA_TEST_DATA_DIR) + "/" + name);
    frame f;
    if (!r.next(f)) std::exit(1);
    glass g;
    for (const auto& p : f.positions()) g.x.push_back({p[0], p[1], p[2]});
    g.types = f.types();
    const auto ob = std::get<orthogonal_box<double>>(f.box);
    g.box = triclinic_box<double>(ob.origin(),
                                  ob.origin() + vec3<double>{ob.cell()(0, 0), ob.cell()(1, 1), ob.cell()(2, 2)}, 0, 0, 0);
    return g;
}

template <class P>
int run(const P& pot, glass g, const minimize_options& mo, activation_options opt, std::size_t natoms) {
    const auto m = minimize(pot, std::span<vec3<double>>(g.x), g.types, g.box, mo);
    std::printf("minimised: %zu iterations, |F| = %.3g\n", m.iterations, m.final_force_norm);
    std::fflush(stdout);
    {  // cost of one analytic Hessian build + Lanczos-sized products vs one force evaluation
        force_evaluator<P, triclinic_box<double>> e(pot, opt.search.relax.skin);
        std::vector<vec3<double>> f(g.x.size());
        force_output<double> out{f, {}, {}};
        e.evaluate(std::span<const vec3<double>>(g.x), g.types, g.box, out);
        const int reps = 20;
        auto t = std::chrono::steady_clock::now();
        for (int k = 0; k < reps; ++k) e.evaluate(std::span<const vec3<double>>(g.x), g.types, g.box, out);
        const double tf = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count() / reps;
        t = std::chrono::steady_clock::now();
        sparse_hessian h;
        for (int k = 0; k < reps; ++k) h = hessian(pot, g.x, g.types, g.box);
        const double th = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count() / reps;
        std::vector<double> u(3 * g.x.size(), 1e-3), y(3 * g.x.size());
        t = std::chrono::steady_clock::now();
        for (int k = 0; k < reps; ++k) h.multiply(u, y);
        const double tm = std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count() / reps;
        std::printf("force evaluation %.3f ms (skin kept), Hessian build %.3f ms, product %.3f ms\n", 1e3 * tf,
                    1e3 * th, 1e3 * tm);
    }
    for (std::size_t k = 0; k < natoms; ++k) opt.atoms.push_back(k * g.x.size() / natoms);
    std::map<std::string, int> counts;
    std::vector<double> barriers;
    std::size_t total = 0, evals = 0, index1 = 0;
    double secs = 0;
    const std::span<const vec3<double>> x0(g.x);
    for (std::size_t a : opt.atoms) {
        for (std::size_t k = 0; k < opt.searches_per_atom; ++k) {
            if (only_search >= 0 && k != std::size_t(only_search)) continue;
            const auto t0 = std::chrono::steady_clock::now();
            const auto s = saddle_search(pot, x0, g.types, g.box, a, saddle_search_seed(opt.seed, a, k), opt.search);
            const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            secs += dt;
            ++total;
            evals += s.evaluations;
            ++counts[std::string(to_string(s.status))];
            double second = std::numeric_limits<double>::quiet_NaN();
            if (s.converged()) {
                barriers.push_back(s.barrier);
                // Independent index check: the two lowest eigenvalues of the analytic H at the
                // saddle, by Lanczos (200 products) on H and on H + 1e3·v₁v₁ᵀ.
                const sparse_hessian h = hessian(pot, s.saddle, g.types, g.box);
                const std::size_t n = g.x.size();
                std::vector<double> fin(3 * n), fout(3 * n);
                std::vector<vec3<double>> v1(n), v2(n);
                for (std::size_t i = 0; i < n; ++i) v1[i] = v2[i] = {std::sin(1.0 + double(i)), std::cos(2.0 * double(i)), 0.3};
                tessera::detail::lanczos_workspace ws;
                auto hv = [&](std::span<const vec3<double>> u, std::span<vec3<double>> out, bool deflate) {
                    for (std::size_t i = 0; i < n; ++i)
                        for (std::size_t c = 0; c < 3; ++c) fin[3 * i + c] = u[i][c];
                    h.multiply(fin, fout);
                    const double c1 = deflate ? 1e3 * tessera::detail::dot_flat(v1, u) : 0.0;
                    for (std::size_t i = 0; i < n; ++i)
                        out[i] = vec3<double>{fout[3 * i], fout[3 * i + 1], fout[3 * i + 2]} + c1 * v1[i];
                };
                const auto l1 = tessera::detail::lowest_mode([&](auto u, auto o) { hv(u, o, false); },
                                                             std::span<vec3<double>>(v1), 200, 1e-10, 1.0, ws);
                const auto l2 = tessera::detail::lowest_mode([&](auto u, auto o) { hv(u, o, true); },
                                                             std::span<vec3<double>>(v2), 200, 1e-10, 1.0, ws);
                second = l2.eigenvalue;
                index1 += (l1.eigenvalue < 0.0) && (l2.eigenvalue > -1e-3);
            }
            std::printf("atom %4zu #%zu %-44s dQ %8.4f lambda %8.4f 2nd %9.5f evals %5zu hess %4zu rec %zu %.1f s\n", a,
                        k, std::string(to_string(s.status)).c_str(), s.barrier, s.eigenvalue, second, s.evaluations,
                        s.hessian_builds, s.recoveries, dt);
            std::fflush(stdout);
        }
    }
    std::printf("\n%zu searches, %.2f s each, %.0f force evaluations each; %zu converged saddles of index 1\n",
                total, secs / double(total), double(evals) / double(total), index1);
    for (const auto& [k, v] : counts) std::printf("  %-44s %3d (%.0f %%)\n", k.c_str(), v, 100.0 * v / double(total));
    std::sort(barriers.begin(), barriers.end());
    std::printf("\n%zu searches, %.2f s each (wall, %u threads), %.0f evaluations each\n", total, secs / double(total),
                opt.threads, double(evals) / double(total));
    for (const auto& [k, v] : counts) std::printf("  %-44s %3d (%.0f %%)\n", k.c_str(), v, 100.0 * v / double(total));
    std::printf("barriers:");
    for (double b : barriers) std::printf(" %.3f", b);
    std::printf("\n");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s cuzr|ka [atoms] [searches] [key=value ...]\n", argv[0]);
        return 2;
    }
    const std::string sys = argv[1];
    const std::size_t natoms = argc > 2 ? std::size_t(std::atoi(argv[2])) : 4;
    activation_options opt;
    opt.searches_per_atom = argc > 3 ? std::size_t(std::atoi(argv[3])) : 6;
    opt.seed = 17;
    if (sys == "ka") opt.search = saddle_search_options::lj_defaults();
    for (int i = 4; i < argc; ++i) {
        const std::string a = argv[i];
        const auto eq = a.find('=');
        const std::string k = a.substr(0, eq), v = a.substr(eq + 1);
        if (k == "threads") opt.threads = unsigned(std::atoi(v.c_str()));
        else if (k == "hessian") opt.search.analytic_hessian = v == "1";
        else if (k == "recover") opt.search.max_recoveries = std::size_t(std::atoi(v.c_str()));
        else if (k == "ftol") opt.search.force_tolerance = std::atof(v.c_str());
        else if (k == "basin_relax") opt.search.basin_relax_steps = std::size_t(std::atoi(v.c_str()));
        else if (k == "climb_relax") opt.search.climb_relax_steps = std::size_t(std::atoi(v.c_str()));
        else if (k == "max_step") opt.search.max_step = std::atof(v.c_str());
        else if (k == "mode_step") opt.search.max_mode_step = std::atof(v.c_str());
        else if (k == "push") opt.search.push_step = std::atof(v.c_str());
        else if (k == "threshold") opt.search.eigenvalue_threshold = std::atof(v.c_str());
        else if (k == "search") only_search = std::atol(v.c_str());
        else if (k == "seed") opt.seed = std::uint64_t(std::atoll(v.c_str()));
        else if (k == "criterion")
            opt.search.criterion = v == "norm" ? force_criterion::norm
                                   : v == "atom" ? force_criterion::max_atom
                                                 : force_criterion::max_component;
        else {
            std::fprintf(stderr, "unknown key %s\n", k.c_str());
            return 2;
        }
    }
    if (sys == "cuzr") {
        const auto eam = eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr");
        minimize_options mo;
        mo.ftol = 1e-6;
        mo.skin = 2.0;
        return run(eam, read("cuzr_glass.dump"), mo, opt, natoms);
    }
    const std::vector<std::string> coeffs{"1 1 1.0 1.0 2.5", "1 2 1.5 0.8 2.0", "2 2 0.5 0.88 2.2"};
    const auto ka = lj_cut::from_lammps("lj/cut 2.5", coeffs, true);
    minimize_options mo;
    mo.ftol = 1e-10;
    mo.normalize_energy = true;
    return run(ka, read("physics/ka_periodic.dump"), mo, opt, natoms);
}
