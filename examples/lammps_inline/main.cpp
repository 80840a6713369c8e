// lammps_inline: tessera embedded in a running LAMMPS simulation, zero copy over LAMMPS's arrays.
//
// A Cu tension run (fcc, Mishin EAM, 300 K, fix deform along x, fix npt on y and z) is driven
// through LAMMPS's C library interface (library.h only: Debian's LAMMPS C++ headers do not
// compile against its fmt 9). Every N steps a tessera pipeline runs directly on LAMMPS's own
// position, type and ghost arrays, and the descriptors go to a LAMMPS text dump.
//
// Two ways to hand LAMMPS's data to tessera, computed and compared on every analysed step:
//   ghosts:   aos_view(x, nlocal + nghost) with n_local = nlocal and an open_box. LAMMPS's ghost
//             atoms already are the periodic images within its ghost cutoff, so tessera must
//             not add images of its own: the box is open. This is what works under MPI.
//   periodic: aos_view(x, nlocal) with the periodic triclinic box (single process only: the
//             local atoms must be the whole system).
// With --check, the step's values are also compared with LAMMPS's own computes centro/atom,
// coord/atom, cna/atom and orientorder/atom evaluated on the same positions.
//
//   tessera_lammps_inline [--steps 4000] [--every 500] [--cells 10 8 8] [--out cu_tension.dump]
//                         [--potentials DIR] [--check] [--threads N] [--vacancies 0.005]
//                         [--skip-setup]   (analyse without `run 0`: shows the stale-ghost pitfall)
//                         [--ghost-cutoff 7.5]  (comm_modify cutoff; too small fails loudly)
#include <library.h>

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/frame.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/properties.hpp>
#include <tessera/descriptors/cna.hpp>
#include <tessera/descriptors/coordination.hpp>
#include <tessera/descriptors/csp.hpp>
#include <tessera/descriptors/steinhardt.hpp>
#include <tessera/io/lammps_dump_writer.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace ts = tessera;

namespace {

struct options {
    long steps = 4000;
    long every = 500;
    int cells[3] = {10, 8, 8};
    std::string out = "cu_tension.dump";
    std::string potentials;
    bool check = false;
    int threads = 0;
    double vacancies = 0.005;   // fraction of atoms deleted at random (point defects to detect)
    double ghost_cutoff = 7.5;  // comm_modify cutoff: LAMMPS's ghost shell is at least this thick
    bool skip_setup = false;    // demonstrates the stale-ghost pitfall: no `run 0` before analysis
};

// Cutoffs. LAMMPS builds ghosts out to max(pair cutoff + skin, comm_modify cutoff); the C API of
// this LAMMPS version (20220106) has no keyword that returns that value, so the host — this
// program — sets it explicitly (comm_modify cutoff, default 7.5 > Mishin's 5.507 + skin 1.0) and
// knows a lower bound of the shell LAMMPS builds.
constexpr double coord_cutoff = 3.0;   // compute coord/atom cutoff 3.0
constexpr double cna_cutoff = 3.086;   // compute cna/atom 3.086 (fcc Cu: (1+sqrt2)/2 * a/sqrt2 at a = 3.615)
constexpr std::size_t nnn = 12;        // centro/atom fcc, orientorder/atom nnn 12

void lmp_command(void* h, const std::string& cmd) {
    lammps_command(h, cmd.c_str());
    if (lammps_has_error(h)) {
        char buf[2048];
        lammps_get_last_error_message(h, buf, sizeof buf);
        throw ts::error("LAMMPS command '" + cmd + "' failed: " + buf);
    }
}

template <class T>
T* extract_atom(void* h, const char* name) {
    auto* p = static_cast<T*>(lammps_extract_atom(h, name));
    if (!p) throw ts::error(std::string("lammps_extract_atom: no per-atom array '") + name + "'");
    return p;
}
template <class T>
T* extract_global(void* h, const char* name) {
    auto* p = static_cast<T*>(lammps_extract_global(h, name));
    if (!p) throw ts::error(std::string("lammps_extract_global: no global '") + name + "'");
    return p;
}

/// LAMMPS's current box as a tessera box: lo/hi are the untilted extents, tilts xy xz yz.
ts::triclinic_box<double> lammps_box(void* h) {
    const double* lo = extract_global<double>(h, "boxlo");
    const double* hi = extract_global<double>(h, "boxhi");
    const int triclinic = *extract_global<int>(h, "triclinic");
    const int* per = extract_global<int>(h, "periodicity");
    double xy = 0, xz = 0, yz = 0;
    if (triclinic) {
        xy = *extract_global<double>(h, "xy");
        xz = *extract_global<double>(h, "xz");
        yz = *extract_global<double>(h, "yz");
    }
    return ts::triclinic_box<double>({lo[0], lo[1], lo[2]}, {hi[0], hi[1], hi[2]}, xy, xz, yz,
                                     ts::periodicity{per[0] != 0, per[1] != 0, per[2] != 0});
}

/// Atom ids as int64 (tessera's id span type); LAMMPS's tagint is int or int64 by build.
std::vector<double> ids_of(void* h, std::size_t n) {
    std::vector<double> ids(n);
    const int size = lammps_extract_setting(h, "tagint");
    if (size == 4) {
        const auto* tag = extract_atom<int>(h, "id");
        for (std::size_t i = 0; i < n; ++i) ids[i] = tag[i];
    } else if (size == 8) {
        const auto* tag = extract_atom<std::int64_t>(h, "id");
        for (std::size_t i = 0; i < n; ++i) ids[i] = double(tag[i]);
    } else {
        throw ts::error("unexpected LAMMPS tagint size " + std::to_string(size));
    }
    return ids;
}

struct max_diff {
    // |a - b| / max(|b|, 1e-3): relative (CSP here is >= 0.01 A^2, q_l ~ 0.1-0.6); the floor only
    // keeps a vanishing reference (CSP of a perfect site) from dividing by zero.
    double worst = 0;
    std::size_t where = 0;
    std::size_t count = 0;
    void add(double a, double b, std::size_t i) {
        const double d = std::abs(a - b) / std::max(std::abs(b), 1e-3);
        if (!(d <= worst)) {  // NaN counts as worst
            worst = std::isnan(d) ? INFINITY : d;
            where = i;
        }
        ++count;
    }
};

struct checker {
    int failures = 0;
    void require(bool ok, const std::string& what) {
        if (!ok) {
            std::fprintf(stderr, "FAILED: %s\n", what.c_str());
            ++failures;
        }
    }
    void within(const char* what, const max_diff& d, double tol, long step) {
        std::printf("  step %ld %-34s max diff %.3g (%zu values)\n", step, what, d.worst, d.count);
        std::ostringstream os;
        os << "step " << step << ": " << what << " differs by " << d.worst << " > " << tol << " at local index "
           << d.where;
        require(d.worst <= tol, os.str());
    }
};

}  // namespace

int main(int argc, char** argv) {
    options opt;
    for (int a = 1; a < argc; ++a) {
        const std::string arg = argv[a];
        auto next = [&]() -> std::string {
            if (a + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n", arg.c_str());
                std::exit(2);
            }
            return argv[++a];
        };
        if (arg == "--steps") opt.steps = std::stol(next());
        else if (arg == "--every") opt.every = std::stol(next());
        else if (arg == "--out") opt.out = next();
        else if (arg == "--potentials") opt.potentials = next();
        else if (arg == "--check") opt.check = true;
        else if (arg == "--threads") opt.threads = std::stoi(next());
        else if (arg == "--vacancies") opt.vacancies = std::stod(next());
        else if (arg == "--skip-setup") opt.skip_setup = true;
        else if (arg == "--ghost-cutoff") opt.ghost_cutoff = std::stod(next());
        else if (arg == "--cells")
            for (int d = 0; d < 3; ++d) opt.cells[d] = std::stoi(next());
        else {
            std::fprintf(stderr,
                         "usage: %s [--steps N] [--every M] [--cells NX NY NZ] [--out FILE] [--potentials DIR] "
                         "[--check] [--threads N] [--vacancies F] [--skip-setup] [--ghost-cutoff R]\n",
                         argv[0]);
            return 2;
        }
    }
    if (opt.every <= 0 || opt.steps < 0) {
        std::fprintf(stderr, "--every must be positive and --steps non-negative\n");
        return 2;
    }
    if (opt.potentials.empty()) {
        const char* env = std::getenv("LAMMPS_POTENTIALS");
        opt.potentials = env ? env : "/usr/share/lammps/potentials";
    }
    const std::string potential = (std::filesystem::path(opt.potentials) / "Cu_mishin1.eam.alloy").string();
    if (!std::filesystem::exists(potential)) {
        std::fprintf(stderr, "potential file %s not found (set LAMMPS_POTENTIALS or --potentials)\n", potential.c_str());
        return 1;
    }

    const std::string log = (std::filesystem::path(opt.out).parent_path() / "log.lammps").string();
    const char* lmp_argv[] = {"tessera_lammps_inline", "-screen", "none", "-log", log.c_str(), nullptr};
    void* h = lammps_open_no_mpi(5, const_cast<char**>(lmp_argv), nullptr);
    if (!h) {
        std::fprintf(stderr, "could not start LAMMPS\n");
        return 1;
    }
    int status = 0;
    try {
        // Tension: strain rate 0.01/ps along x (10 % in 10 ps); y and z relax to zero pressure.
        std::ostringstream in;
        in << "units metal\nboundary p p p\natom_style atomic\n"
           << "lattice fcc 3.615\n"
           << "region box prism 0 " << opt.cells[0] << " 0 " << opt.cells[1] << " 0 " << opt.cells[2]
           << " 0 0 0 units lattice\n"  // a triclinic (zero-tilt) box: exercises the tilt handling
           << "create_box 1 box\ncreate_atoms 1 box\nmass 1 63.546\n"
           << (opt.vacancies > 0 ? "delete_atoms porosity box " + std::to_string(opt.vacancies) + " 482793\n" : "")
           // Break the perfect lattice's exact distance ties: next to a vacancy the 12th nearest is
           // one of six equidistant second neighbours, picked differently by LAMMPS and tessera.
           << "displace_atoms all random 0.02 0.02 0.02 87287 units box\n"
           << "pair_style eam/alloy\npair_coeff * * " << potential << " Cu\n"
           << "neighbor 1.0 bin\nneigh_modify every 1 delay 0 check yes\n"
           << "comm_modify cutoff " << opt.ghost_cutoff << "\n"
           << "velocity all create 600 4928459 mom yes rot yes dist gaussian\n"
           << "timestep 0.002\n"
           << "fix relax all npt temp 300 300 0.1 y 0 0 1.0 z 0 0 1.0\n"
           << "fix pull all deform 1 x erate 0.01 remap x\n"
           << "thermo 100\nthermo_style custom step temp pe pxx lx ly lz\n";
        // LAMMPS's own per-atom computes, the in-situ reference. Nothing invokes them during a
        // run: they are evaluated on demand by lammps_extract_compute after `run 0` (below).
        if (opt.check)
            in << "compute centro all centro/atom fcc\n"
               << "compute coord all coord/atom cutoff " << coord_cutoff << "\n"
               << "compute cna all cna/atom " << cna_cutoff << "\n"
               << "compute q all orientorder/atom nnn " << nnn << " degrees 2 4 6\n";
        lammps_commands_string(h, in.str().c_str());
        if (lammps_has_error(h)) {
            char buf[2048];
            lammps_get_last_error_message(h, buf, sizeof buf);
            throw ts::error(std::string("LAMMPS input failed: ") + buf);
        }
        if (lammps_extract_setting(h, "world_size") != 1)
            throw ts::error("this example runs LAMMPS on one process (the periodic comparison needs all atoms local)");

        // The pipelines: one k-nearest pass (CSP, q4, q6) and one ball pass (coordination, CNA).
        const double ghost_cutoff = opt.ghost_cutoff;
        if (cna_cutoff > ghost_cutoff || coord_cutoff > ghost_cutoff) {
            std::ostringstream os;
            os << "the ball cutoff " << std::max(cna_cutoff, coord_cutoff) << " exceeds LAMMPS's ghost cutoff "
               << ghost_cutoff << ": ghosts would be missing; raise comm_modify cutoff";
            throw ts::error(os.str());
        }
        const auto knn_pipe = ts::pipeline(ts::nearest{nnn, ghost_cutoff}, ts::csp{nnn}, ts::steinhardt{{4, 6}, nnn});
        const auto ball_pipe = ts::pipeline(ts::ball{cna_cutoff}, ts::coordination{coord_cutoff, false},
                                            ts::cna{cna_cutoff});
        const ts::openmp_policy policy{opt.threads};

        ts::lammps_dump_writer dump(opt.out);
        checker chk;
        long analysed = 0;
        for (long step = 0;; step += opt.every) {
            // `run 0` re-does LAMMPS's setup: wraps atoms, rebuilds ghosts from the current
            // positions and box. Needed with fix deform ... remap x, which moves local atoms at
            // the end of a step without updating their ghost copies.
            if (step == 0 || !opt.skip_setup) lmp_command(h, "run 0 post no");

            const int nlocal = *extract_global<int>(h, "nlocal");
            const int nghost = *extract_global<int>(h, "nghost");
            const auto n_local = std::size_t(nlocal), n_total = std::size_t(nlocal) + std::size_t(nghost);
            double** x = extract_atom<double*>(h, "x");
            const int* type = extract_atom<int>(h, "type");
            const ts::triclinic_box<double> box = lammps_box(h);

            // (a) local + ghost rows, open box: zero copy over x and type.
            const ts::aos_view<double> all(x, n_total);
            ts::particle_properties with_ghosts{.types = std::span<const int>(type, n_total), .n_local = n_local};
            // The k nearest must all lie inside the ghost shell: nearest{12, ghost_cutoff} finds
            // only neighbours within it, so a short row means the shell is too thin — fail loudly.
            ts::query_options qo;
            qo.n_local = n_local;
            const auto knn_list = ts::find_neighbors(all, ts::open_box<double>{}, knn_pipe.stage(), qo, policy);
            for (std::size_t i = 0; i < n_local; ++i)
                if (knn_list.num_neighbors(i) < nnn) {
                    std::ostringstream os;
                    os << "atom " << i << " has only " << knn_list.num_neighbors(i) << " neighbours within LAMMPS's ghost cutoff "
                       << ghost_cutoff << ": the 12 nearest must lie inside the ghost shell; raise comm_modify cutoff";
                    throw ts::error(os.str());
                }
            const auto knn = knn_pipe.run_on(knn_list, with_ghosts.resolved(n_total), policy);
            const auto ball = ball_pipe.run(all, ts::open_box<double>{}, with_ghosts, policy);

            const long now = long(*extract_global<std::int64_t>(h, "ntimestep"));
            if (opt.check) {
                // (b) local atoms only, periodic triclinic box: must agree with (a).
                const ts::aos_view<double> local(x, n_local);
                const ts::particle_properties local_props{.types = std::span<const int>(type, n_local)};
                const auto knn_p = knn_pipe.run(local, box, local_props, policy);
                const auto ball_p = ball_pipe.run(local, box, local_props, policy);
                max_diff csp_d, q4_d, q6_d;
                bool ints_equal = true;
                for (std::size_t i = 0; i < n_local; ++i) {
                    csp_d.add(knn.get<ts::csp>()[i], knn_p.get<ts::csp>()[i], i);
                    q4_d.add(knn.get<ts::steinhardt>(0)[i], knn_p.get<ts::steinhardt>(0)[i], i);
                    q6_d.add(knn.get<ts::steinhardt>(1)[i], knn_p.get<ts::steinhardt>(1)[i], i);
                    ints_equal = ints_equal && ball.get<ts::coordination>()[i] == ball_p.get<ts::coordination>()[i] &&
                                 ball.get<ts::cna>()[i] == ball_p.get<ts::cna>()[i];
                }
                chk.within("ghosts vs periodic: csp", csp_d, 1e-10, now);
                chk.within("ghosts vs periodic: q4", q4_d, 1e-10, now);
                chk.within("ghosts vs periodic: q6", q6_d, 1e-10, now);
                chk.require(ints_equal, "ghosts vs periodic: coord and cna identical");

                // Results do not depend on the thread count: serial must be bit-identical.
                const auto knn_s = knn_pipe.run(all, ts::open_box<double>{}, with_ghosts, ts::serial);
                bool same = true;
                for (std::size_t c = 0; c < 2; ++c)
                    same = same && std::ranges::equal(knn_s.get<ts::steinhardt>(c), knn.get<ts::steinhardt>(c));
                same = same && std::ranges::equal(knn_s.get<ts::csp>(), knn.get<ts::csp>());
                chk.require(same, "serial and OpenMP results bit-identical");

                // (c) LAMMPS's own computes on the same positions (evaluated on demand now).
                const auto* centro = static_cast<const double*>(lammps_extract_compute(h, "centro", LMP_STYLE_ATOM, LMP_TYPE_VECTOR));
                const auto* coord = static_cast<const double*>(lammps_extract_compute(h, "coord", LMP_STYLE_ATOM, LMP_TYPE_VECTOR));
                const auto* cnav = static_cast<const double*>(lammps_extract_compute(h, "cna", LMP_STYLE_ATOM, LMP_TYPE_VECTOR));
                const auto* const* q = static_cast<double**>(lammps_extract_compute(h, "q", LMP_STYLE_ATOM, LMP_TYPE_ARRAY));
                if (!centro || !coord || !cnav || !q) throw ts::error("lammps_extract_compute returned null");
                max_diff lc, lq4, lq6;
                std::size_t coord_bad = 0, cna_bad = 0;
                for (std::size_t i = 0; i < n_local; ++i) {
                    lc.add(knn.get<ts::csp>()[i], centro[i], i);
                    lq4.add(knn.get<ts::steinhardt>(0)[i], q[i][0], i);
                    lq6.add(knn.get<ts::steinhardt>(1)[i], q[i][1], i);
                    coord_bad += ball.get<ts::coordination>()[i] != coord[i];
                    cna_bad += ball.get<ts::cna>()[i] != cnav[i];
                }
                chk.within("tessera vs centro/atom", lc, 1e-10, now);
                chk.within("tessera vs orientorder/atom q4", lq4, 1e-10, now);
                chk.within("tessera vs orientorder/atom q6", lq6, 1e-10, now);
                std::printf("  step %ld coord/atom mismatches %zu, cna/atom mismatches %zu (of %zu)\n", now, coord_bad,
                            cna_bad, n_local);
                chk.require(coord_bad == 0, "coord/atom identical");
                chk.require(cna_bad == 0, "cna/atom identical");
            }

            // The dump: id type x y z and the descriptors, local atoms only.
            ts::frame f;
            f.timestep = now;
            f.natoms = n_local;
            f.box = box;
            std::vector<double> xs(n_local), ys(n_local), zs(n_local), ts_(n_local);
            for (std::size_t i = 0; i < n_local; ++i) {
                xs[i] = x[i][0];
                ys[i] = x[i][1];
                zs[i] = x[i][2];
                ts_[i] = type[i];
            }
            f.add_column("id", ids_of(h, n_local), true);
            f.add_column("type", std::move(ts_), true);
            f.add_column("x", std::move(xs));
            f.add_column("y", std::move(ys));
            f.add_column("z", std::move(zs));
            auto span_vec = [](std::span<const double> s) { return std::vector<double>(s.begin(), s.end()); };
            f.add_column("csp", span_vec(knn.get<ts::csp>()));
            f.add_column("q4", span_vec(knn.get<ts::steinhardt>(0)));
            f.add_column("q6", span_vec(knn.get<ts::steinhardt>(1)));
            f.add_column("coord", span_vec(ball.get<ts::coordination>()), true);
            f.add_column("cna", span_vec(ball.get<ts::cna>()), true);
            dump.write(f);

            std::size_t fcc = 0;
            double csp_mean = 0;
            for (std::size_t i = 0; i < n_local; ++i) {
                fcc += ball.get<ts::cna>()[i] == 1;
                csp_mean += knn.get<ts::csp>()[i];
            }
            std::printf("step %ld: %zu local + %zu ghost atoms, fcc fraction %.4f, mean csp %.4f\n", now, n_local,
                        n_total - n_local, double(fcc) / double(n_local), csp_mean / double(n_local));
            ++analysed;
            if (step + opt.every > opt.steps) break;
            lmp_command(h, "run " + std::to_string(opt.every) + " post no");
        }
        dump.close();
        std::printf("analysed %ld frames, wrote %s\n", analysed, opt.out.c_str());
        if (opt.check) {
            if (chk.failures) {
                std::printf("CHECK FAILED (%d)\n", chk.failures);
                status = 1;
            } else {
                std::printf("CHECK PASSED\n");
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        status = 1;
    }
    lammps_close(h);
    lammps_mpi_finalize();
    return status;
}
