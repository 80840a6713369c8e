// D²min benchmarks: tessera's per-frame kernel (reference prepared once: neighbour list and
// fractional bonds) with xsimd-batched accumulation, the same with the scalar loop, and a
// straightforward scalar implementation (per-atom std::vector of bond pairs, AoS, J from the
// adjugate inverse, bonds followed with the same fractional mapping) — all on the same frames.
//
// Input: the 686-atom sheared CuZr glass of tests/reference/d2min (frames 0 and 4), replicated
// R×R×R (R = 1, 3, 5: 686, 18 522, 85 750 atoms) in its triclinic cell; r_cut = 4.0 and 5.0 Å.
// Before timing, the three methods are compared (max relative D²min difference < 1e-10, else
// abort). Counters: atoms/s, bonds/s. Single-threaded, CPU time.
//
// Whole frame pair (reference list built inside the timed loop): d2min_reference + d2min()
// beside compute_frame_pairs(d2min_descriptor) (pipeline/frame_pairs.hpp, the two-frame
// contract), checked equal before timing — what the contract costs over the hand-written path.
#include <tessera/dynamics/d2min.hpp>
#include <tessera/pipeline/frame_pairs.hpp>
#include <tessera/io/lammps_dump.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

using namespace tessera;

namespace {

struct input {
    std::vector<std::array<double, 3>> x0, x1;
    std::vector<std::int64_t> ids;
    triclinic_box<double> b0{{0, 0, 0}, {1, 1, 1}, 0, 0, 0}, b1{{0, 0, 0}, {1, 1, 1}, 0, 0, 0};
};

triclinic_box<double> scaled(const triclinic_box<double>& b, int r) {
    const vec3<double> lo = b.lo(), hi = b.hi();
    return triclinic_box<double>(lo, lo + (hi - lo) * double(r), b.xy() * r, b.xz() * r, b.yz() * r);
}

input make(int rep) {
    lammps_dump_reader rd(std::string(TESSERA_TEST_DATA_DIR) + "/d2min/cuzr_aqs.dump");
    std::vector<frame> fr;
    frame f;
    while (rd.next(f)) fr.push_back(f);
    input in;
    const auto& a = std::get<triclinic_box<double>>(fr[0].box);
    const auto& b = std::get<triclinic_box<double>>(fr[4].box);
    in.b0 = scaled(a, rep);
    in.b1 = scaled(b, rep);
    // Unwrapped (image flags): replicas of wrapped frames would jump by a fraction of the supercell.
    const auto p0 = fr[0].positions(unwrap::required), p1 = fr[4].positions(unwrap::required);
    const auto ids = fr[0].ids();
    const mat3<double> h0 = a.cell(), h1 = b.cell();
    for (int i = 0; i < rep; ++i)
        for (int j = 0; j < rep; ++j)
            for (int k = 0; k < rep; ++k) {
                const vec3<double> n{double(i), double(j), double(k)};
                const vec3<double> s0 = h0 * n, s1 = h1 * n;
                for (std::size_t q = 0; q < p0.size(); ++q) {
                    in.x0.push_back({p0[q][0] + s0.x, p0[q][1] + s0.y, p0[q][2] + s0.z});
                    in.x1.push_back({p1[q][0] + s1.x, p1[q][1] + s1.y, p1[q][2] + s1.z});
                    in.ids.push_back(ids[q] + std::int64_t(((i * rep + j) * rep + k) * 1000));
                }
            }
    return in;
}

// Straightforward scalar D²min (the "what one writes first" peer).
void naive_d2min(const d2min_reference<double>& ref, const input& in, std::vector<double>& out) {
    const std::size_t n = in.x1.size();  // rows identical in both frames here
    const mat3<double> h = in.b1.cell();
    const auto& list = ref.neighbors();
    const auto fb = ref.fractional_bonds();
    const auto off = list.offsets();
    out.assign(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        std::vector<std::pair<vec3<double>, vec3<double>>> bonds;
        const vec3<double> si = in.b1.to_fractional({in.x1[i][0], in.x1[i][1], in.x1[i][2]});
        for (std::size_t k = off[i]; k < off[i + 1]; ++k) {
            const std::size_t j = list.indices()[k];
            const vec3<double> sj = in.b1.to_fractional({in.x1[j][0], in.x1[j][1], in.x1[j][2]});
            vec3<double> ds = sj - si - fb[k];
            ds = {ds.x - std::round(ds.x), ds.y - std::round(ds.y), ds.z - std::round(ds.z)};
            bonds.push_back({list.all_vectors()[k], h * (fb[k] + ds)});
        }
        mat3<double> X, Y;
        for (const auto& [d0, dt] : bonds)
            for (std::size_t r = 0; r < 3; ++r)
                for (std::size_t c = 0; c < 3; ++c) {
                    X(r, c) += dt[r] * d0[c];
                    Y(r, c) += d0[r] * d0[c];
                }
        if (bonds.size() < 3) continue;
        const mat3<double> J = X * inverse(Y);
        double s = 0;
        for (const auto& [d0, dt] : bonds) s += norm2(dt - J * d0);
        out[i] = s / double(bonds.size());
    }
}

void run_case(benchmark::State& st, int rep, double rc, int method) {
    static std::map<int, input> cache;
    if (!cache.count(rep)) cache[rep] = make(rep);
    const input& in = cache[rep];
    d2min_options opt;
    opt.cutoff = rc;
    opt.vectorized = method != 1;  // tessera_scalar is the only scalar row
    const d2min_reference<double> ref(in.x0, in.b0, in.ids, opt);
    atomic_strain_result<double> res;
    std::vector<double> naive;
    {  // equivalence check
        d2min(ref, in.x1, in.b1, in.ids, res);
        naive_d2min(ref, in, naive);
        for (std::size_t i = 0; i < naive.size(); ++i)
            if (std::abs(res.d2min[i] - naive[i]) > 1e-10 * std::abs(naive[i]) + 1e-12) {
                std::fprintf(stderr, "d2min bench: methods disagree at atom %zu: %.17g vs %.17g\n", i, res.d2min[i], naive[i]);
                std::abort();
            }
    }
    const particle_properties props{{}, in.ids};
    const frame_view reference(in.x0, in.b0, props, "reference"), current(in.x1, in.b1, props, "current");
    const d2min_descriptor descriptor{opt};
    std::vector<double> columns;
    if (method >= 3) {  // the runner against the stand-alone function
        columns = compute_frame_pairs(reference, current, serial_policy{}, descriptor);
        for (std::size_t i = 0; i < res.size(); ++i)
            if (std::abs(columns[i] - res.d2min[i]) > 1e-12 * std::abs(res.d2min[i]) + 1e-15) {
                std::fprintf(stderr, "d2min bench: frame-pair runner disagrees at atom %zu\n", i);
                std::abort();
            }
    }
    for (auto _ : st) {
        if (method == 3) {
            const d2min_reference<double> whole_ref(in.x0, in.b0, in.ids, opt);
            d2min(whole_ref, in.x1, in.b1, in.ids, res);
            benchmark::DoNotOptimize(res.d2min.data());
        } else if (method == 4) {
            compute_frame_pairs<double>(reference, current, output_columns<double>{columns.data(), in.ids.size(), 5},
                                        serial_policy{}, descriptor);
            benchmark::DoNotOptimize(columns.data());
        } else if (method == 2) {
            naive_d2min(ref, in, naive);
            benchmark::DoNotOptimize(naive.data());
        } else {
            d2min(ref, in.x1, in.b1, in.ids, res);
            benchmark::DoNotOptimize(res.d2min.data());
        }
    }
    const double atoms = double(in.ids.size()), bonds = double(ref.neighbors().num_bonds());
    st.counters["atoms/s"] = benchmark::Counter(atoms, benchmark::Counter::kIsIterationInvariantRate);
    st.counters["bonds/s"] = benchmark::Counter(bonds, benchmark::Counter::kIsIterationInvariantRate);
}

const int registered = [] {
    const char* names[] = {"tessera_simd", "tessera_scalar", "naive_scalar", "pair_reference_plus_d2min",
                           "pair_frame_pairs_runner"};
    for (int rep : {1, 3, 5})
        for (double rc : {4.0, 5.0})
            for (int m = 0; m < 5; ++m) {
                const std::string name = "d2min/cuzr_aqs/N=" + std::to_string(686 * rep * rep * rep) +
                                         "/rc=" + std::to_string(int(rc)) + "/" + names[m];
                benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& s) { run_case(s, rep, rc, m); })
                    ->Unit(benchmark::kMillisecond);
            }
    return 0;
}();

}  // namespace
