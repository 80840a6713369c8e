// tessera::ptm beside OVITO 3's vendored PTM library (P. M. Larsen, MIT; src/3rdparty/ptm of
// OVITO's source, not vendored here) on the same neighbourhoods, one thread. Built and run by
// bench/ptm_ovito.sh OVITO_SOURCE_DIR; not part of the CMake build because it needs that source.
//
// Both sides get the identical 18-nearest rows from one tessera pipeline; the OVITO side calls
// ptm_preorder_neighbours (its Voronoi solid-angle order) and ptm_index per atom, exactly as
// OVITO's PTMAlgorithm does, with a get_neighbours callback that hands back the ordered row.
// Only single-shell structure sets are compared (the diamond templates make OVITO ask for each
// neighbour's own ordered list, which a row-at-a-time descriptor does not have).
//
// Rows (best of 7 runs, µs per atom on 32,000 atoms of thermal fcc Cu, σ = 0.08 Å):
//   neighbours only · tessera fcc,hcp,bcc · OVITO fcc,hcp,bcc · tessera sc,fcc,hcp,ico,bcc ·
//   OVITO sc,fcc,hcp,ico,bcc · tessera a-CNA.
// Before timing, the structures of both are compared atom by atom (they must agree).
#include "ptm_functions.h"

#include <tessera/descriptors/adaptive_cna.hpp>
#include <tessera/descriptors/ptm.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include "common/noisy_fcc.hpp"

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace {

struct ovito_row_data {
    const tessera::particle_row<double>* row;
    std::uint64_t order;
};

int ovito_get_neighbours(void* vdata, size_t, size_t atom_index, int num_requested, ptm_atomicenv_t* env) {
    const auto& d = *static_cast<const ovito_row_data*>(vdata);
    const auto& row = *d.row;
    const int n = std::min<int>(num_requested - 1, int(row.size()));
    int dummy = 0;
    ptm_decode_correspondences(PTM_MATCH_FCC, d.order, env->correspondences, &dummy);
    env->atom_indices[0] = atom_index;
    env->points[0][0] = env->points[0][1] = env->points[0][2] = 0;
    for (int i = 0; i < n; ++i) {
        const int p = env->correspondences[i + 1] - 1;
        env->atom_indices[i + 1] = row.neighbors[p];
        for (int c = 0; c < 3; ++c) env->points[i + 1][c] = row.vectors[p][c];
    }
    env->numbers[0] = 1;
    for (int i = 0; i < n; ++i) env->numbers[i + 1] = 1;
    env->num = n + 1;
    return n + 1;
}

/// OVITO's PTM as a tessera descriptor: one column, OVITO's structure code.
struct ovito_ptm {
    int flags;
    ptm_local_handle_t handle;
    static constexpr tessera::neighbor_need need = tessera::neighbor_need::any;
    std::vector<std::string> columns(const tessera::particle_properties&) const { return {"ovito_ptm"}; }
    void prepare(const tessera::neighbor_stage_info&, const tessera::particle_properties&) const {}
    void compute(const tessera::particle_row<double>& row, tessera::output_row<double> out) const {
        double pts[PTM_MAX_INPUT_POINTS - 1][3];
        const int n = int(std::min<std::size_t>(row.size(), 18));
        for (int k = 0; k < n; ++k)
            for (int c = 0; c < 3; ++c) pts[k][c] = row.vectors[k][c];
        ovito_row_data d{&row, 0};
        ptm_preorder_neighbours(handle, n, pts, &d.order);
        ptm_result_t r;
        ptm_atomicenv_t env;
        ptm_index(handle, row.index, ovito_get_neighbours, &d, flags, true, &r, &env);
        out[0] = r.structure_type;
    }
};

template <class F>
double best_us_per_atom(F&& run, std::size_t n, int reps = 7) {
    double best = 1e300;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = std::chrono::steady_clock::now();
        run();
        const auto t1 = std::chrono::steady_clock::now();
        best = std::min(best, std::chrono::duration<double, std::micro>(t1 - t0).count() / double(n));
    }
    return best;
}

/// The neighbour part alone: the same query, each row only counted.
struct row_size {
    static constexpr tessera::neighbor_need need = tessera::neighbor_need::any;
    std::vector<std::string> columns(const tessera::particle_properties&) const { return {"n"}; }
    void prepare(const tessera::neighbor_stage_info&, const tessera::particle_properties&) const {}
    template <class T>
    void compute(const tessera::particle_row<T>& row, tessera::output_row<T> out) const {
        out[0] = T(row.size());
    }
};

}  // namespace

int main() {
    std::mt19937_64 rng(42);
    const int cells = 20;
    const double lattice = 3.615, L = cells * lattice;
    const auto p = tessera_bench::noisy_fcc(cells, lattice, 0.08, rng);
    const tessera::orthogonal_box<double> box({0, 0, 0}, {L, L, L});
    const std::size_t n = p.size();

    ptm_initialize_global();
    ptm_local_handle_t handle = ptm_initialize_local();
    const int ovito_set = PTM_CHECK_FCC | PTM_CHECK_HCP | PTM_CHECK_BCC;
    const int single_shell = ovito_set | PTM_CHECK_SC | PTM_CHECK_ICO;

    const auto pipe_nb = tessera::pipeline(tessera::nearest{18}, row_size{});
    const auto pipe_ov3 = tessera::pipeline(tessera::nearest{18}, ovito_ptm{ovito_set, handle});
    const auto pipe_ov5 = tessera::pipeline(tessera::nearest{18}, ovito_ptm{single_shell, handle});
    const auto pipe_t3 = tessera::pipeline(tessera::nearest{18}, tessera::ptm{0.1, tessera::ptm_ovito_default});
    const auto pipe_t5 = tessera::pipeline(tessera::nearest{18}, tessera::ptm{0.1, tessera::ptm_single_shell});
    const auto pipe_acna = tessera::pipeline(tessera::nearest{14}, tessera::adaptive_cna{});

    // Same answer first: OVITO's codes (fcc 1, hcp 2, bcc 3, ico 4, sc 5) and tessera's are equal by design.
    const auto a = pipe_ov5.run(p, box, {});
    const auto b = pipe_t5.run(p, box, {});
    std::size_t differ = 0;
    for (std::size_t i = 0; i < n; ++i) differ += a.get<0>()[i] != b.get<0>()[i];
    std::printf("atoms %zu, structures differing between OVITO's PTM and tessera::ptm: %zu\n", n, differ);

    volatile double sink = 0;
    const auto time = [&](const char* name, const auto& pipe) {
        const double us = best_us_per_atom([&] {
            const auto out = pipe.run(p, box, {});
            sink = sink + out.template get<0>(0)[0];
        }, n);
        std::printf("%-40s %7.2f us/atom %8.1f k atoms/s\n", name, us, 1e3 / us);
        return us;
    };
    time("neighbours only (18 nearest)", pipe_nb);
    const double o3 = time("OVITO PTM  fcc,hcp,bcc", pipe_ov3);
    const double t3 = time("tessera::ptm fcc,hcp,bcc", pipe_t3);
    const double o5 = time("OVITO PTM  sc,fcc,hcp,ico,bcc", pipe_ov5);
    const double t5 = time("tessera::ptm sc,fcc,hcp,ico,bcc", pipe_t5);
    time("tessera a-CNA (14 nearest)", pipe_acna);
    std::printf("OVITO/tessera time: fcc,hcp,bcc %.2f  sc,fcc,hcp,ico,bcc %.2f\n", o3 / t3, o5 / t5);
    ptm_uninitialize_local(handle);
    return differ == 0 ? 0 : 1;
}
