// The dislocation extraction analysis (defects/dislocations.hpp) beside tessera's adaptive CNA
// (the bar: the whole analysis within 3× a-CNA's time) on the same frames, one thread,
// and its main steps alone (structure identification, the periodic Delaunay tessellation).
//
// Input: the LAMMPS-relaxed dissociated edge dislocation in Cu (tests/reference/dxa/edge.dump.gz,
// 58,290 atoms, line along z, periodic x and z, free y) stacked `copies` times along the line:
// 2 copies = 116,580 atoms, 18 copies = 1,049,220 atoms (two Shockley partials through all).
//
// | row            | what is timed                                                             |
// |----------------|---------------------------------------------------------------------------|
// | dxa            | extract_dislocations: everything, lines out (the default: the region      |
// |                | around defects is tessellated, tessellation_region.hpp)                    |
// | dxa_whole      | the same with every atom tessellated (region_cutoffs = 0): same lines      |
// | dxa_structure  | identify_crystal_structure: CNA, ordering, clusters, transitions           |
// | dxa_delaunay   | the periodic Delaunay tessellation with DXA's ghost layer                  |
// | acna           | pipeline(nearest{14}, adaptive_cna{}) on the same atoms                    |
//
//   cmake --build build --target bench_defects && build/bench/bench_defects
#include <tessera/core/frame.hpp>
#include <tessera/defects/dislocations.hpp>
#include <tessera/descriptors/adaptive_cna.hpp>
#include <tessera/io/lammps_dump.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

namespace {

struct stacked {
    std::vector<std::array<double, 3>> positions;
    tessera::orthogonal_box<double> box{{0, 0, 0}, {1, 1, 1}};
};

stacked make(int copies) {
    tessera::lammps_dump_reader reader(std::string(TESSERA_TEST_DATA_DIR) + "/dxa/edge.dump.gz");
    tessera::frame f;
    reader.next(f);
    const auto p = f.positions();
    stacked s;
    tessera::with_box(f.box, [&](const auto& b) {
        const auto lo = b.origin();
        const auto h = b.cell();
        const double lz = h(2, 2);
        for (int c = 0; c < copies; ++c)
            for (const auto& x : p) s.positions.push_back({x[0], x[1], x[2] + c * lz});
        s.box = tessera::orthogonal_box<double>(lo, {lo.x + h(0, 0), lo.y + h(1, 1), lo.z + copies * lz},
                                                b.periodic_axes());
    });
    return s;
}

const stacked& input(int copies) {
    static stacked two = make(2), eighteen = make(18);
    return copies == 2 ? two : eighteen;
}

void per_atom(benchmark::State& state, std::size_t n) {
    state.SetItemsProcessed(state.iterations() * std::int64_t(n));
    state.counters["us_per_atom"] = benchmark::Counter(double(n) * 1e-6, benchmark::Counter::kIsIterationInvariantRate |
                                                                              benchmark::Counter::kInvert);
}

void dxa(benchmark::State& state) {
    const auto& s = input(int(state.range(0)));
    std::size_t lines = 0, tessellated = 0;
    for (auto _ : state) {
        const auto r = tessera::extract_dislocations(s.positions, s.box);
        lines = r.lines.size();
        tessellated = r.tessellated_atoms;
        benchmark::DoNotOptimize(lines);
    }
    state.counters["lines"] = double(lines);
    state.counters["tessellated_atoms"] = double(tessellated);
    per_atom(state, s.positions.size());
}
void dxa_whole(benchmark::State& state) {
    const auto& s = input(int(state.range(0)));
    tessera::dislocation_options whole;
    whole.region_cutoffs = 0;
    std::size_t lines = 0;
    for (auto _ : state) {
        const auto r = tessera::extract_dislocations(s.positions, s.box, whole);
        lines = r.lines.size();
        benchmark::DoNotOptimize(lines);
    }
    state.counters["lines"] = double(lines);
    per_atom(state, s.positions.size());
}
void dxa_structure(benchmark::State& state) {
    const auto& s = input(int(state.range(0)));
    for (auto _ : state) {
        const auto c = tessera::identify_crystal_structure(s.positions, s.box, tessera::lattice_structure::fcc);
        benchmark::DoNotOptimize(c.max_neighbor_distance);
    }
    per_atom(state, s.positions.size());
}
void dxa_delaunay(benchmark::State& state) {
    const auto& s = input(int(state.range(0)));
    std::vector<tessera::vec3<double>> q;
    for (const auto& x : s.positions) q.push_back({x[0], x[1], x[2]});
    const double ghost = 3.5 * 3.086;  // DXA's layer: 3.5 × the largest local cutoff (Cu)
    std::size_t points = 0;
    for (auto _ : state) {
        const auto t = tessera::delaunay(q, s.box, ghost);
        points = t.particle.size();
        benchmark::DoNotOptimize(points);
    }
    state.counters["points_with_ghosts"] = double(points);
    per_atom(state, s.positions.size());
}
void acna(benchmark::State& state) {
    const auto& s = input(int(state.range(0)));
    const auto pipe = tessera::pipeline(tessera::nearest{14}, tessera::adaptive_cna{});
    for (auto _ : state) {
        const auto out = pipe.run(s.positions, s.box, {});
        benchmark::DoNotOptimize(out.get<0>()[0]);
    }
    per_atom(state, s.positions.size());
}

}  // namespace

BENCHMARK(dxa)->Arg(2)->Arg(18)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(dxa_whole)->Arg(2)->Arg(18)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(dxa_structure)->Arg(2)->Arg(18)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(dxa_delaunay)->Arg(2)->Arg(18)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(acna)->Arg(2)->Arg(18)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);
