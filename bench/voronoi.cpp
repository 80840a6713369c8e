// Voronoi tessellation: tessera::tessellate beside voro++ on the same points, single-threaded
// (BM_tessera_voronoi_threads: tessera with an OpenMP policy, wall-clock time, 10^5 points).
// Both build their spatial structure inside the timed loop and store equivalent outputs, in two
// modes (third argument of BM_tessera_voronoi):
//   2  volumes + neighbours: store_faces = false  vs  BM_voropp (volume() + neighbors() into
//      arrays; tessera's neighbour list also carries the bond vectors and distances);
//   1  everything: faces with areas, normals, vertex lists, and the vertices  vs  BM_voropp_full
//      (volume, neighbors, face_areas, normals, face_vertices, vertices into arrays);
//   0  as 1 without vertices (no voro++ peer: its normals/areas need the same cell walk).
// BM_voronoi_columns: the per-atom columns `tessera compute --voronoi` (second argument 0) or
// `--interstice` (1) writes, from a stored tessellation (tessellate + compute_all, third argument
// 0) or streamed (compute_voronoi_columns, 1), one thread (memory: docs/performance.md). The streamed
// columns are checked against the stored ones first (exact without FMA, 1e-12 of the column
// scale with it), or the program aborts.
// Inputs: uniform random points, a thermal-like fcc crystal (σ = 0.02 a), and a glass (the
// committed CuZr glass replicated 3×3×3 when present, else a perturbed fcc with σ = 0.15 a).
//   bench_voronoi --benchmark_counter_tables=true
#include <tessera/descriptors/interstice.hpp>
#include <tessera/descriptors/voronoi_cell.hpp>
#include <tessera/descriptors/voronoi_columns.hpp>
#include <tessera/io/lammps_dump.hpp>
#include <tessera/neighbors/voronoi.hpp>

#include <benchmark/benchmark.h>

#if TESSERA_BENCH_HAVE_VORO
#include <voro++.hh>
#endif

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace {

struct input {
    std::vector<std::array<double, 3>> x;
    std::array<double, 3> len{};
};

input make_input(int kind, std::size_t n) {
    input in;
    std::mt19937_64 rng(42);
    if (kind == 0) {  // random
        const double L = std::cbrt(double(n));
        in.len = {L, L, L};
        std::uniform_real_distribution<double> u(0, L);
        in.x.resize(n);
        for (auto& p : in.x) p = {u(rng), u(rng), u(rng)};
        return in;
    }
    if (kind == 2) {
        const std::string file = std::string(TESSERA_TEST_DATA_DIR) + "/voronoi/cuzr_glass_pos.dump";
        if (std::ifstream(file).good()) {
            tessera::lammps_dump_reader r(file);
            tessera::frame f;
            r.next(f);
            const auto x = f.positions();
            const auto& b = std::get<tessera::orthogonal_box<double>>(f.box);
            const auto h = b.cell();
            const int rep = std::max(1, int(std::lround(std::cbrt(double(n) / double(x.size())))));
            in.len = {h(0, 0) * rep, h(1, 1) * rep, h(2, 2) * rep};
            for (int i = 0; i < rep; ++i)
                for (int j = 0; j < rep; ++j)
                    for (int k = 0; k < rep; ++k)
                        for (const auto& p : x) {
                            auto q = b.wrap(tessera::vec3<double>{p[0], p[1], p[2]}) - b.origin();
                            in.x.push_back({q.x + i * h(0, 0), q.y + j * h(1, 1), q.z + k * h(2, 2)});
                        }
            return in;
        }
    }
    const int nc = std::max(1, int(std::lround(std::cbrt(double(n) / 4))));
    const double a = 1.5874;  // density 1
    const double sigma = kind == 1 ? 0.02 * a : 0.15 * a;
    std::normal_distribution<double> g(0, sigma);
    in.len = {nc * a, nc * a, nc * a};
    const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    for (int k = 0; k < nc; ++k)
        for (int j = 0; j < nc; ++j)
            for (int i = 0; i < nc; ++i)
                for (const auto& bb : basis) {
                    std::array<double, 3> p{(i + bb[0]) * a + 0.25 + g(rng), (j + bb[1]) * a + 0.25 + g(rng),
                                            (k + bb[2]) * a + 0.25 + g(rng)};
                    for (int d = 0; d < 3; ++d) p[std::size_t(d)] -= std::floor(p[std::size_t(d)] / in.len[std::size_t(d)]) * in.len[std::size_t(d)];
                    in.x.push_back(p);
                }
    return in;
}

const char* kind_name(int k) { return k == 0 ? "random" : (k == 1 ? "fcc" : "glass"); }

template <class Policy>
void run_tessera(benchmark::State& state, Policy policy, const std::string& suffix) {
    const input in = make_input(int(state.range(0)), std::size_t(state.range(1)));
    const tessera::orthogonal_box<double> box({0, 0, 0}, {in.len[0], in.len[1], in.len[2]});
    tessera::voronoi_options opt;
    opt.store_vertices = state.range(2) == 1;
    opt.store_faces = state.range(2) != 2;
    double vol = 0;
    for (auto _ : state) {
        const auto t = tessera::tessellate(in.x, box, opt, policy);
        vol = t.volume[0];
        benchmark::DoNotOptimize(vol);
    }
    state.SetLabel(std::string(kind_name(int(state.range(0)))) +
                   (!opt.store_faces ? " volume+neighbours" : (opt.store_vertices ? " full" : " no-vertices")) + suffix);
    state.counters["atoms/s"] = benchmark::Counter(double(in.x.size()) * double(state.iterations()), benchmark::Counter::kIsRate);
}

void BM_tessera_voronoi(benchmark::State& state) { run_tessera(state, tessera::serial_policy{}, ""); }

// The same with an OpenMP policy (threads = fourth argument), wall-clock time: threads on top of
// the single-threaded comparison (cells are independent; output identical for any thread count).
void BM_tessera_voronoi_threads(benchmark::State& state) {
    run_tessera(state, tessera::openmp_policy{int(state.range(3))}, ", " + std::to_string(state.range(3)) + " threads");
}

// The Voronoi columns of `tessera compute`: stored path (what the command did before) or streamed.
std::vector<double> stored_columns(const input& in, const tessera::orthogonal_box<double>& box, bool interstice) {
    tessera::voronoi_options opt;
    opt.store_vertices = interstice;
    const auto t = tessera::tessellate(in.x, box, opt);
    return interstice ? tessera::interstice{}.compute_all(t) : tessera::voronoi_cell_descriptors{}.compute_all(t);
}

std::vector<double> streamed_columns(const input& in, const tessera::orthogonal_box<double>& box, bool interstice) {
    const std::size_t n = in.x.size();
    const std::size_t count = interstice ? tessera::interstice::num_features : tessera::num_voronoi_cell_columns;
    std::vector<double> v(count * n);
    std::vector<double*> cols;
    for (std::size_t k = 0; k < count; ++k) cols.push_back(v.data() + k * n);
    tessera::voronoi_column_outputs<double> out;
    (interstice ? out.interstice : out.cell) = cols;
    tessera::compute_voronoi_columns(in.x, box, {}, out);
    return v;
}

void BM_voronoi_columns(benchmark::State& state) {
    const input in = make_input(int(state.range(0)), std::size_t(state.range(1)));
    const tessera::orthogonal_box<double> box({0, 0, 0}, {in.len[0], in.len[1], in.len[2]});
    const bool interstice = state.range(2) == 1, streamed = state.range(3) == 1;
    if (streamed) {  // same columns first
        const auto a = streamed_columns(in, box, interstice), b = stored_columns(in, box, interstice);
        double scale = 0, worst = 0;
        for (double x : b) scale = std::max(scale, std::abs(x));
        for (std::size_t k = 0; k < a.size(); ++k) worst = std::max(worst, std::abs(a[k] - b[k]));
        if (a.size() != b.size() || !(worst <= 1e-12 * scale)) {
            std::fprintf(stderr, "bench_voronoi: streamed and stored columns differ by %g (scale %g)\n", worst, scale);
            std::abort();
        }
    }
    for (auto _ : state) {
        const auto v = streamed ? streamed_columns(in, box, interstice) : stored_columns(in, box, interstice);
        benchmark::DoNotOptimize(v.data());
    }
    state.SetLabel(std::string(kind_name(int(state.range(0)))) + (interstice ? " interstice" : " cell columns") +
                   (streamed ? ", streamed" : ", stored tessellation"));
    state.counters["atoms/s"] = benchmark::Counter(double(in.x.size()) * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_voronoi_columns)->ArgsProduct({{0, 1, 2}, {100000}, {0, 1}, {0, 1}})->Unit(benchmark::kMillisecond);

#if TESSERA_BENCH_HAVE_VORO
// voro++ over every cell of the input, as its documentation recommends (periodic container,
// ~5 particles per block); on_cell(cell, id) stores what each variant keeps. The container is
// built inside the timed loop, like tessera's cell list.
template <class OnCell>
void for_each_voro_cell(const input& in, voro::voronoicell_neighbor& c, OnCell&& on_cell) {
    const int n = int(in.x.size());
    const int nb = std::max(1, int(std::cbrt(n / 5.0)));
    voro::container con(0, in.len[0], 0, in.len[1], 0, in.len[2], nb, nb, nb, true, true, true, 8);
    for (int i = 0; i < n; ++i) con.put(i, in.x[std::size_t(i)][0], in.x[std::size_t(i)][1], in.x[std::size_t(i)][2]);
    voro::c_loop_all loop(con);
    if (loop.start()) do {
            if (con.compute_cell(c, loop)) on_cell(c, loop.pid());
        } while (loop.inc());
}

void BM_voropp(benchmark::State& state) {
    const input in = make_input(int(state.range(0)), std::size_t(state.range(1)));
    const int n = int(in.x.size());
    std::vector<int> nbrs;
    double vol = 0;
    for (auto _ : state) {
        std::vector<double> volume;
        std::vector<int> neighbor;
        std::vector<std::size_t> offsets{0};
        volume.reserve(std::size_t(n));
        offsets.reserve(std::size_t(n) + 1);
        voro::voronoicell_neighbor cell;
        for_each_voro_cell(in, cell, [&](voro::voronoicell_neighbor& c, int) {
            volume.push_back(c.volume());
            c.neighbors(nbrs);
            neighbor.insert(neighbor.end(), nbrs.begin(), nbrs.end());
            offsets.push_back(neighbor.size());
        });
        vol = volume[0];
        benchmark::DoNotOptimize(vol);
        benchmark::DoNotOptimize(neighbor.data());
    }
    state.SetLabel(std::string(kind_name(int(state.range(0)))) + " volume+neighbours");
    state.counters["atoms/s"] = benchmark::Counter(double(n) * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_voropp)->ArgsProduct({{0, 1, 2}, {10000, 100000, 1000000}})->Unit(benchmark::kMillisecond);

// voro++ producing what tessera's volumes + neighbours mode stores: per neighbour the index, the
// bond vector (minimum image from the input positions: unambiguous here, cells are much smaller
// than the box) and its squared length, in the same three arrays. What a voro++ user adds to get
// bonds that descriptors can use; BM_voropp (ids only) stays the conservative peer.
void BM_voropp_vectors(benchmark::State& state) {
    const input in = make_input(int(state.range(0)), std::size_t(state.range(1)));
    const int n = int(in.x.size());
    std::vector<int> nbrs;
    double vol = 0;
    for (auto _ : state) {
        std::vector<double> volume, distance2;
        std::vector<std::uint32_t> neighbor;
        std::vector<std::array<double, 3>> vector;
        std::vector<std::size_t> offsets{0};
        volume.reserve(std::size_t(n));
        offsets.reserve(std::size_t(n) + 1);
        voro::voronoicell_neighbor cell;
        for_each_voro_cell(in, cell, [&](voro::voronoicell_neighbor& c, int id) {
            volume.push_back(c.volume());
            c.neighbors(nbrs);
            const auto& xi = in.x[std::size_t(id)];
            for (int j : nbrs) {
                std::array<double, 3> r{};
                for (std::size_t d = 0; d < 3; ++d) {
                    r[d] = in.x[std::size_t(j)][d] - xi[d];
                    r[d] -= in.len[d] * std::nearbyint(r[d] / in.len[d]);
                }
                neighbor.push_back(std::uint32_t(j));
                vector.push_back(r);
                distance2.push_back(r[0] * r[0] + r[1] * r[1] + r[2] * r[2]);
            }
            offsets.push_back(neighbor.size());
        });
        vol = volume[0];
        benchmark::DoNotOptimize(vol);
        benchmark::DoNotOptimize(vector.data());
    }
    state.SetLabel(std::string(kind_name(int(state.range(0)))) + " volume+neighbours with bond vectors");
    state.counters["atoms/s"] = benchmark::Counter(double(n) * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_voropp_vectors)->ArgsProduct({{0, 1, 2}, {10000, 100000, 1000000}})->Unit(benchmark::kMillisecond);

// voro++ producing what tessellate stores: per cell volume and surface area, per face neighbour,
// area, normal and vertex list, the vertices, in compressed rows.
void BM_voropp_full(benchmark::State& state) {
    const input in = make_input(int(state.range(0)), std::size_t(state.range(1)));
    const int n = int(in.x.size());
    std::vector<int> nbrs, fv;
    std::vector<double> areas, nrm, vs;
    double vol = 0;
    for (auto _ : state) {
        std::vector<double> volume, surface, face_area, face_normal, vertices;
        std::vector<int> face_neighbor, face_vertices;
        std::vector<std::size_t> face_offsets{0}, vertex_offsets{0}, face_vertex_offsets{0};
        volume.reserve(std::size_t(n));
        surface.reserve(std::size_t(n));
        voro::voronoicell_neighbor cell;
        for_each_voro_cell(in, cell, [&](voro::voronoicell_neighbor& c, int) {
            volume.push_back(c.volume());
            c.neighbors(nbrs);
            c.face_areas(areas);
            c.normals(nrm);
            c.face_vertices(fv);
            c.vertices(vs);
            double a = 0;
            for (double x : areas) a += x;
            surface.push_back(a);
            face_neighbor.insert(face_neighbor.end(), nbrs.begin(), nbrs.end());
            face_area.insert(face_area.end(), areas.begin(), areas.end());
            face_normal.insert(face_normal.end(), nrm.begin(), nrm.end());
            for (std::size_t k = 0; k < fv.size(); k += std::size_t(fv[k]) + 1) {
                face_vertices.insert(face_vertices.end(), fv.begin() + std::ptrdiff_t(k) + 1,
                                     fv.begin() + std::ptrdiff_t(k) + 1 + fv[k]);
                face_vertex_offsets.push_back(face_vertices.size());
            }
            vertices.insert(vertices.end(), vs.begin(), vs.end());
            face_offsets.push_back(face_neighbor.size());
            vertex_offsets.push_back(vertices.size() / 3);
        });
        vol = volume[0];
        benchmark::DoNotOptimize(vol);
        benchmark::DoNotOptimize(face_vertices.data());
    }
    state.SetLabel(std::string(kind_name(int(state.range(0)))) + " full");
    state.counters["atoms/s"] = benchmark::Counter(double(n) * double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_voropp_full)->ArgsProduct({{0, 1, 2}, {10000, 100000}})->Unit(benchmark::kMillisecond);
#endif

BENCHMARK(BM_tessera_voronoi)->ArgsProduct({{0, 1, 2}, {10000, 100000}, {1}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tessera_voronoi)->ArgsProduct({{0, 1, 2}, {10000, 100000, 1000000}, {2}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tessera_voronoi)->ArgsProduct({{0, 1, 2}, {10000}, {0}})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tessera_voronoi_threads)
    ->ArgsProduct({{0, 1, 2}, {100000}, {1, 2}, {1, 2}})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
