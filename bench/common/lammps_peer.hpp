#pragma once
// The benchmarks' LAMMPS peer (Debian liblammps, in the same process): one instance per input
// frame, holding the frame's atoms (ids = row + 1, no sorting), the caller's pair style and
// computes; a timed `run 0 post no` is what those computes cost in a LAMMPS `rerun`. Shared by
// bench_descriptors and bench_features, so both time LAMMPS the same way.
#if TESSERA_BENCH_HAVE_LAMMPS
#include <benchmark/benchmark.h>

#include <library.h>

#include <array>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace tessera_bench {

/// A LAMMPS instance with one frame's atoms; row_of_local maps LAMMPS's local index to the
/// input row (by atom id). Closed with the process (benchmarks cache instances per input).
struct lammps_frame {
    void* h = nullptr;
    std::vector<std::size_t> row_of_local;
};

[[noreturn]] inline void lammps_peer_fail(const std::string& what) {
    std::fprintf(stderr, "lammps peer: %s\n", what.c_str());
    std::exit(1);
}

/// Runs LAMMPS commands (newline-separated); a LAMMPS error stops the benchmark with its message.
inline void lammps_run(void* h, const std::string& commands) {
    lammps_commands_string(h, commands.c_str());
    if (lammps_has_error(h)) {
        char buf[1024];
        lammps_get_last_error_message(h, buf, sizeof buf);
        lammps_peer_fail("LAMMPS: " + std::string(buf) + " in: " + commands);
    }
}

/// Opens LAMMPS (metal units) on the periodic cube [0, side)³ with `num_types` types of the given
/// masses (mass of type t = masses[t-1]), creates the atoms (positions row by row, types[i] or 1
/// when types is empty), then runs `setup` (pair style, computes; it should end with `run 0`).
inline lammps_frame open_lammps_frame(const std::vector<std::array<double, 3>>& positions, const std::vector<int>& types,
                                      double side, const std::vector<double>& masses, const std::string& setup) {
    lammps_frame f;
    const char* args[] = {"tessera_bench", "-screen", "none", "-log", "none", "-nocite"};
    f.h = lammps_open_no_mpi(6, const_cast<char**>(args), nullptr);
    if (!f.h) lammps_peer_fail("lammps_open_no_mpi");
    char buf[512];
    std::snprintf(buf, sizeof buf,
                  "units metal\natom_style atomic\natom_modify map array sort 0 0.0\nboundary p p p\n"
                  "region box block 0 %.17g 0 %.17g 0 %.17g\ncreate_box %d box\n",
                  side, side, side, int(masses.size()));
    lammps_run(f.h, buf);
    for (std::size_t t = 0; t < masses.size(); ++t) {
        std::snprintf(buf, sizeof buf, "mass %zu %.17g", t + 1, masses[t]);
        lammps_run(f.h, buf);
    }
    const std::size_t n = positions.size();
    std::vector<double> x;
    x.reserve(3 * n);
    for (const auto& p : positions) x.insert(x.end(), p.begin(), p.end());
    std::vector<int> ids(n), t = types.empty() ? std::vector<int>(n, 1) : types;
    for (std::size_t i = 0; i < n; ++i) ids[i] = int(i + 1);
    const int made = lammps_create_atoms(f.h, int(n), ids.data(), t.data(), x.data(), nullptr, nullptr, 0);
    if (made != int(n)) lammps_peer_fail("lammps_create_atoms made " + std::to_string(made));
    lammps_run(f.h, setup);
    const int nlocal = *static_cast<int*>(lammps_extract_global(f.h, "nlocal"));
    if (nlocal != int(n)) lammps_peer_fail("LAMMPS nlocal " + std::to_string(nlocal));
    const int* tag = static_cast<const int*>(lammps_extract_atom(f.h, "id"));
    f.row_of_local.resize(std::size_t(nlocal));
    for (int i = 0; i < nlocal; ++i) f.row_of_local[std::size_t(i)] = std::size_t(tag[i] - 1);
    return f;
}

/// Times `run 0 post no` with the given thermo line. A compute's occasional full list is rebuilt
/// only when the step moved since the last re-neighbouring; repeated `run 0` at one step would
/// reuse the first run's list. So each iteration first moves the step (untimed), and every timed
/// `run 0` builds every list.
inline void time_lammps_run0(benchmark::State& state, lammps_frame& f, const std::string& thermo) {
    lammps_run(f.h, thermo);
    static long step = 0;
    for (auto _ : state) {
        state.PauseTiming();
        lammps_command(f.h, ("reset_timestep " + std::to_string(++step)).c_str());
        state.ResumeTiming();
        lammps_command(f.h, "run 0 post no");
    }
}

}  // namespace tessera_bench
#endif  // TESSERA_BENCH_HAVE_LAMMPS
