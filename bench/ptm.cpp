// Polyhedral template matching (descriptors/ptm.hpp) beside adaptive CNA (its speed class: the
// issue's bar) on thermal fcc Cu, one thread, and the 18-nearest search alone.
//
// | row              | what is timed                                                          |
// |------------------|------------------------------------------------------------------------|
// | ptm_default      | pipeline(nearest{32}, ptm{}): sc, fcc, hcp, ico, bcc, both diamonds     |
// | ptm_single_shell | sc, fcc, hcp, ico, bcc only (no two-shell neighbour selection)          |
// | ptm_ovito_set    | the same with fcc, hcp, bcc only (OVITO's default selection)            |
// | acna             | pipeline(nearest{14}, adaptive_cna{}): a-CNA, the same atoms            |
// | nearest18_only   | pipeline(nearest{18}) with a trivial descriptor: the neighbour part     |
//
// Thermal noise σ = 0.08 Å on fcc Cu (a = 3.615 Å): every atom fcc for both methods. 20³ cells
// (32,000 atoms). Counter: atoms/s (items_per_second) and µs per atom.
//
//   cmake --build build --target bench_ptm && build/bench/bench_ptm --benchmark_min_time=2
#include <tessera/descriptors/adaptive_cna.hpp>
#include <tessera/descriptors/ptm.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include "common/noisy_fcc.hpp"

#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

namespace {

constexpr double lattice = 3.615;

struct frame_data {
    std::vector<std::array<double, 3>> p;
    tessera::orthogonal_box<double> box;
};

frame_data make(int cells) {
    std::mt19937_64 rng(42);
    const double L = cells * lattice;
    return {tessera_bench::noisy_fcc(cells, lattice, 0.08, rng), tessera::orthogonal_box<double>({0, 0, 0}, {L, L, L})};
}

template <class Pipe>
void time_pipeline(benchmark::State& state, const frame_data& f, const Pipe& pipe) {
    double checksum = 0;
    for (auto _ : state) {
        const auto out = pipe.run(f.p, f.box, {});
        checksum += out.template get<0>(0)[0];
        benchmark::DoNotOptimize(checksum);
    }
    state.SetItemsProcessed(state.iterations() * std::int64_t(f.p.size()));
    state.counters["us_per_atom"] = benchmark::Counter(double(f.p.size()) * 1e-6,
                                                       benchmark::Counter::kIsIterationInvariantRate |
                                                           benchmark::Counter::kInvert);
}

void ptm_default(benchmark::State& s) {
    time_pipeline(s, make(int(s.range(0))), tessera::pipeline(tessera::nearest{32}, tessera::ptm{}));
}
void ptm_single_shell(benchmark::State& s) {
    time_pipeline(s, make(int(s.range(0))),
                  tessera::pipeline(tessera::nearest{18}, tessera::ptm{0.1, tessera::ptm_single_shell}));
}
void ptm_ovito_set(benchmark::State& s) {
    time_pipeline(s, make(int(s.range(0))),
                  tessera::pipeline(tessera::nearest{18}, tessera::ptm{0.1, tessera::ptm_ovito_default}));
}
void acna(benchmark::State& s) {
    time_pipeline(s, make(int(s.range(0))), tessera::pipeline(tessera::nearest{14}, tessera::adaptive_cna{}));
}
/// The neighbour part: the same 18-nearest query, each row only counted.
struct row_size {
    static constexpr tessera::neighbor_need need = tessera::neighbor_need::any;
    std::vector<std::string> columns(const tessera::particle_properties&) const { return {"n"}; }
    void prepare(const tessera::neighbor_stage_info&, const tessera::particle_properties&) const {}
    template <class T>
    void compute(const tessera::particle_row<T>& row, tessera::output_row<T> out) const {
        out[0] = T(row.size());
    }
};
void nearest18_only(benchmark::State& s) {
    time_pipeline(s, make(int(s.range(0))), tessera::pipeline(tessera::nearest{18}, row_size{}));
}

}  // namespace

BENCHMARK(ptm_default)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ptm_single_shell)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(ptm_ovito_set)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(acna)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(nearest18_only)->Arg(20)->Unit(benchmark::kMillisecond)->UseRealTime();
