// The descriptors bench/descriptors.cpp does not cover, each beside a peer on the same frame,
// one thread each: LAMMPS (through liblammps's C API, in-process) where Debian's LAMMPS has the
// same computation, otherwise a plain scalar implementation written below (independent of the
// tessera headers: its own Y_lm, Wigner 3j, matching search, quadrature).
//
// Frames (both periodic cubes, N = 4n³ = 10 976, 97 556, and 1 000 188 with
// TESSERA_BENCH_LARGE=1):
//   fcc    fcc Cu, a = 3.615 Å, Gaussian noise σ = 0.05 Å per component, lattice order — the
//          frame of bench/descriptors.cpp (same seeds, so the same coordinates). One type.
//   glass  CuZr-like binary "glass": random sequential addition at ρ = 0.0576 Å⁻³ (Cu50Zr50)
//          with type-pair minimum distances Cu–Cu 1.9, Cu–Zr 2.15, Zr–Zr 2.4 Å (packing
//          fraction ≈ 0.31), types 1 (Cu) and 2 (Zr) alternating in insertion order (50/50),
//          then atoms sorted by 2.4 Å cells (spatially local, as a host's sorted atoms; random
//          order costs LAMMPS, whose sorting is off here, 2–3× in cache misses). No crystalline
//          order at any range.
//
// | row           | tessera                                              | peer                                       |
// |---------------|------------------------------------------------------|--------------------------------------------|
// | rdf           | rdf_accumulator(6.0, 200, ntypes).add_frame          | LAMMPS compute rdf 200 [* * 1 1 1 2 2 2]   |
// |               |   (total; glass: total + partials 11, 12, 22)        |   cutoff 6.0                               |
// | wl            | pipeline(nearest{12}, steinhardt{4,6; wl, wlhat})    | LAMMPS orientorder/atom nnn 12 degrees 2   |
// |               |                                                      |   4 6 wl yes wl/hat yes                    |
// | acna          | pipeline(nearest{14}, adaptive_cna)                  | LAMMPS cna/atom 3.086 — NOT equal work:    |
// |               |                                                      |   nearest comparable (fixed-cutoff CNA)    |
// | qbar          | pipeline(nearest{12}, steinhardt_average{4,6; wl})   | scalar: Legendre recurrence Y_lm, Racah 3j |
// | solid_bonds   | pipeline(nearest{12}, solid_bonds{l 6, 0.7})         | scalar (same Y_lm code)                    |
// | csp_matching  | pipeline(nearest{12}, csp{12, matching})             | scalar: recursive search over perfect      |
// |               |                                                      |   matchings, pruned when the partial sum   |
// |               |                                                      |   reaches the best so far                  |
// | sf            | pipeline(ball{10}, symmetry_functions{μ 1.5:7.5:0.2, | scalar: per bond, per μ, std::exp          |
// |               |   L 3.5, cutoff 10 (cosine taper)}), per type        |                                            |
// | sf_r18        | the same with no taper over ball{18} = μ_max + 3L     | (the literal seed-003 form)                |
// | entropy       | pipeline(ball{8}, pair_entropy{σ 0.2, rc 3:8:0.5,    | scalar: the LAMMPS entropy/atom quadrature |
// |               |   N/V, partial})                                     |   per cutoff, written out                  |
// | entropy_r15   | the same with rc 3:15:0.5 (seed 003's 25 cutoffs)    |                                            |
// | chemical_order| pipeline(ball{4.35}, chemical_order{Cu–Cu 3.05,      | scalar: shell counts, Z*, α, η             |
// |               |   Cu–Zr 3.75, Zr–Zr 4.35})                           |                                            |
//
// Rows per case (names <descriptor>/<frame>/N=<N>/<impl>):
//   tessera           pipeline.run: its own neighbour search + the descriptor (what a user runs)
//   tessera_on_list   pipeline.run_on a neighbour list built once, untimed (the kernel alone)
//   tessera_scalar    the same with the header's scalar path (symmetry_functions::use_simd =
//                     false; basic_steinhardt_average<void>, basic_solid_bonds<void>,
//                     basic_pair_entropy<void>)
//   scalar_peer       the plain implementation below on the same prebuilt list
//   lammps            `run 0 post no` with thermo referencing the compute (as bench/descriptors)
//   baseline/…/lammps the same `run 0` without computes; LAMMPS compute only = lammps − baseline
// The same stage feeds tessera_on_list and scalar_peer, so their ratio is the kernel's.
//
// Equal work (checked once per frame and N before timing; abort on mismatch, tolerances below
// at each check): tessera's values against the peer's, atom by atom (LAMMPS rows through atom
// ids). TESSERA_BENCH_SKIP_CHECKS=1 skips them.
//
//   taskset -c 1 build/bench/bench_features --benchmark_repetitions=3
//       --benchmark_enable_random_interleaving=true --benchmark_report_aggregates_only=true
// Environment: TESSERA_BENCH_FEATURES=rdf,wl,… registers (and checks) only those rows;
// TESSERA_BENCH_SMALL=1 only N = 10 976.
#include <tessera/core/box.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/descriptors/adaptive_cna.hpp>
#include <tessera/descriptors/chemical_order.hpp>
#include <tessera/descriptors/csp.hpp>
#include <tessera/descriptors/pair_entropy.hpp>
#include <tessera/descriptors/solid_bonds.hpp>
#include <tessera/descriptors/steinhardt.hpp>
#include <tessera/descriptors/symmetry_functions.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/pipeline/pipeline.hpp>
#include <tessera/stats/rdf.hpp>

#include "common/lammps_peer.hpp"
#include "common/noisy_fcc.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace {

using point = std::array<double, 3>;
using points_t = std::vector<point>;
using ortho_box = tessera::orthogonal_box<double>;
using list_t = tessera::neighbor_list<double>;

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "bench_features: CHECK FAILED: %s\n", what.c_str());
    std::abort();
}

// ---------------------------------------------------------------------------------------------
// Frames

enum class frame_kind { fcc, glass };
const char* name_of(frame_kind f) { return f == frame_kind::fcc ? "fcc" : "glass"; }

struct input {
    frame_kind kind;
    int n;
    points_t pts;
    ortho_box box;
    double side;
    std::vector<int> types;  // empty for fcc (one type)
    int ntypes() const { return types.empty() ? 1 : 2; }
    tessera::particle_properties props() const {
        tessera::particle_properties p;
        p.types = types;
        return p.resolved(pts.size());
    }
    double density() const { return double(pts.size()) / (side * side * side); }
};

constexpr double lattice_a = 3.615;
constexpr double glass_density = 0.0576;

input make_fcc(int n) {
    std::mt19937_64 rng(1234 + n);  // as bench/descriptors.cpp: the same frame
    const double L = n * lattice_a;
    const ortho_box box({0, 0, 0}, {L, L, L});
    points_t p = tessera_bench::noisy_fcc(n, lattice_a, 0.05, rng);
    return {frame_kind::fcc, n, std::move(p), box, L, {}};
}

input make_glass(int n) {
    const std::size_t N = std::size_t(4) * n * n * n;
    const double L = std::cbrt(double(N) / glass_density);
    const double dmin[3][3] = {{0, 0, 0}, {0, 1.9, 2.15}, {0, 2.15, 2.4}};
    const int nc = int(L / 2.4);
    const double cs = L / nc;
    std::vector<std::vector<std::uint32_t>> cell(std::size_t(nc) * nc * nc);
    std::mt19937_64 rng(4321 + n);
    std::uniform_real_distribution<double> u(0.0, L);
    points_t p;
    std::vector<int> t;
    p.reserve(N);
    t.reserve(N);
    std::size_t trials = 0;
    auto cidx = [&](int a, int b, int c) { return (std::size_t((a + nc) % nc) * nc + std::size_t((b + nc) % nc)) * nc + std::size_t((c + nc) % nc); };
    while (p.size() < N) {
        if (++trials > 2000 * N) fail("glass frame: random sequential addition did not reach N");
        const point q{u(rng), u(rng), u(rng)};
        const int type = 1 + int(p.size() % 2);
        const int ca = std::min(int(q[0] / cs), nc - 1), cb = std::min(int(q[1] / cs), nc - 1),
                  cc = std::min(int(q[2] / cs), nc - 1);
        bool ok = true;
        for (int da = -1; da <= 1 && ok; ++da)
            for (int db = -1; db <= 1 && ok; ++db)
                for (int dc = -1; dc <= 1 && ok; ++dc)
                    for (const std::uint32_t j : cell[cidx(ca + da, cb + db, cc + dc)]) {
                        double r2 = 0;
                        for (int d = 0; d < 3; ++d) {
                            double x = q[d] - p[j][d];
                            x -= L * std::round(x / L);
                            r2 += x * x;
                        }
                        const double m = dmin[type][t[j]];
                        if (r2 < m * m) {
                            ok = false;
                            break;
                        }
                    }
        if (!ok) continue;
        cell[cidx(ca, cb, cc)].push_back(std::uint32_t(p.size()));
        p.push_back(q);
        t.push_back(type);
    }
    // Spatial order (by RSA cell, z-major), as a host code's sorted atoms would be: otherwise
    // LAMMPS (atom sorting off) pays cache misses on random order that tessera's cell list hides.
    std::vector<std::size_t> order(N);
    std::vector<std::size_t> key(N);
    for (std::size_t i = 0; i < N; ++i) {
        order[i] = i;
        key[i] = cidx(std::min(int(p[i][2] / cs), nc - 1), std::min(int(p[i][1] / cs), nc - 1),
                      std::min(int(p[i][0] / cs), nc - 1));
    }
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key[a] < key[b]; });
    points_t ps(N);
    std::vector<int> ts(N);
    for (std::size_t i = 0; i < N; ++i) {
        ps[i] = p[order[i]];
        ts[i] = t[order[i]];
    }
    return {frame_kind::glass, n, std::move(ps), ortho_box({0, 0, 0}, {L, L, L}), L, std::move(ts)};
}

const input& frame_for(frame_kind f, int n) {
    static std::map<std::pair<int, int>, std::unique_ptr<input>> cache;
    auto& slot = cache[{int(f), n}];
    if (!slot) slot = std::make_unique<input>(f == frame_kind::fcc ? make_fcc(n) : make_glass(n));
    return *slot;
}

/// One prebuilt neighbour list at a time (the large-radius ones take gigabytes at N ≈ 10⁵).
template <class Stage>
const list_t& list_for(const input& in, const Stage& stage, const std::string& stage_key) {
    static std::string key;
    static std::unique_ptr<list_t> list;
    const std::string k = std::string(name_of(in.kind)) + "/" + std::to_string(in.n) + "/" + stage_key;
    if (!list || key != k) {
        list.reset();
        tessera::query_options opt;
        list = std::make_unique<list_t>(tessera::find_neighbors<double>(in.pts, in.box, stage, opt));
        key = k;
    }
    return *list;
}

// ---------------------------------------------------------------------------------------------
// Scalar peers (independent of the tessera headers except for reading the neighbour list).

/// Y_lm(θ, φ), m = 0 … l, for l <= 12: associated Legendre functions by the standard
/// recurrences (Condon–Shortley phase), normalised with factorials.
struct ylm_table {
    double K[13][13];
    ylm_table() {
        for (int l = 0; l <= 12; ++l)
            for (int m = 0; m <= l; ++m) {
                double ratio = 1;  // (l-m)!/(l+m)!
                for (int k = l - m + 1; k <= l + m; ++k) ratio /= k;
                K[l][m] = std::sqrt((2 * l + 1) / (4 * std::numbers::pi) * ratio);
            }
    }
    /// y[l][m] for l <= lmax, bond (x, y, z).
    void eval(int lmax, double x, double y, double z, std::complex<double> out[13][13]) const {
        const double r = std::sqrt(x * x + y * y + z * z);
        const double ct = z / r;
        const double st = std::sqrt(std::max(0.0, (1 - ct) * (1 + ct)));
        const double phi = std::atan2(y, x);
        double P[13][13];
        double pmm = 1;
        for (int m = 0; m <= lmax; ++m) {
            if (m > 0) pmm *= -(2 * m - 1) * st;
            P[m][m] = pmm;
            if (m + 1 <= lmax) P[m + 1][m] = ct * (2 * m + 1) * pmm;
            for (int l = m + 2; l <= lmax; ++l)
                P[l][m] = ((2 * l - 1) * ct * P[l - 1][m] - (l + m - 1) * P[l - 2][m]) / (l - m);
        }
        for (int m = 0; m <= lmax; ++m) {
            const std::complex<double> e = std::polar(1.0, m * phi);
            for (int l = m; l <= lmax; ++l) out[l][m] = K[l][m] * P[l][m] * e;
        }
    }
};
const ylm_table& ylm() {
    static const ylm_table t;
    return t;
}

/// Wigner 3j (l l l; m1 m2 m3) by Racah's formula.
double wigner3j_lll(int l, int m1, int m2, int m3) {
    if (m1 + m2 + m3 != 0 || std::abs(m1) > l || std::abs(m2) > l || std::abs(m3) > l) return 0;
    static double f[40];
    static bool init = [] {
        f[0] = 1;
        for (int k = 1; k < 40; ++k) f[k] = f[k - 1] * k;
        return true;
    }();
    (void)init;
    const int j1 = l, j2 = l, j3 = l;
    const double delta = f[j1 + j2 - j3] * f[j1 - j2 + j3] * f[-j1 + j2 + j3] / f[j1 + j2 + j3 + 1];
    const double pre = std::sqrt(delta * f[j1 + m1] * f[j1 - m1] * f[j2 + m2] * f[j2 - m2] * f[j3 + m3] * f[j3 - m3]);
    double sum = 0;
    for (int k = 0; k <= 3 * l; ++k) {
        const int a[6] = {k, j3 - j2 + k + m1, j3 - j1 + k - m2, j1 + j2 - j3 - k, j1 - k - m1, j2 - k + m2};
        bool ok = true;
        for (int x : a) ok = ok && x >= 0;
        if (!ok) continue;
        double d = 1;
        for (int x : a) d *= f[x];
        sum += (k % 2 ? -1.0 : 1.0) / d;
    }
    const int ph = j1 - j2 - m3;
    return ((ph % 2 + 2) % 2 ? -1.0 : 1.0) * pre * sum;
}

/// q_lm (m >= 0) of the first `nnn` bonds of every row, for l in {4, 6}: qlm[i][l][m].
using qlm_row = std::array<std::array<std::complex<double>, 13>, 13>;
std::vector<qlm_row> peer_qlm(const list_t& list, std::size_t nnn, int lmax) {
    std::vector<qlm_row> q(list.num_particles());
    std::complex<double> y[13][13];
    for (std::size_t i = 0; i < q.size(); ++i) {
        for (auto& a : q[i]) a.fill({0, 0});
        const auto v = list.vectors(i);
        if (v.size() < nnn) fail("peer: a row with fewer than nnn neighbours");
        for (std::size_t k = 0; k < nnn; ++k) {
            ylm().eval(lmax, v[k].x, v[k].y, v[k].z, y);
            for (int l = 0; l <= lmax; ++l)
                for (int m = 0; m <= l; ++m) q[i][l][m] += y[l][m];
        }
        for (int l = 0; l <= lmax; ++l)
            for (int m = 0; m <= l; ++m) q[i][l][m] /= double(nnn);
    }
    return q;
}
std::complex<double> q_of(const std::array<std::complex<double>, 13>& q, int m) {
    return m >= 0 ? q[m] : ((-m) % 2 ? -1.0 : 1.0) * std::conj(q[-m]);
}
double norm2_of(const std::array<std::complex<double>, 13>& q, int l) {
    double s = std::norm(q[0]);
    for (int m = 1; m <= l; ++m) s += 2 * std::norm(q[m]);
    return s;
}
double ql_of(const std::array<std::complex<double>, 13>& q, int l) {
    return std::sqrt(4 * std::numbers::pi / (2 * l + 1) * norm2_of(q, l));
}
double wl_of(const std::array<std::complex<double>, 13>& q, int l) {
    double w = 0;
    for (int m1 = -l; m1 <= l; ++m1)
        for (int m2 = -l; m2 <= l; ++m2) {
            const int m3 = -m1 - m2;
            if (std::abs(m3) > l) continue;
            w += wigner3j_lll(l, m1, m2, m3) * (q_of(q, m1) * q_of(q, m2) * q_of(q, m3)).real();
        }
    return w;
}

/// Lechner–Dellago q̄4, q̄6, w̄4, w̄6 (normalised), 12 nearest; column-major.
std::vector<double> peer_qbar(const list_t& list) {
    const std::size_t n = list.num_particles();
    const auto q = peer_qlm(list, 12, 6);
    std::vector<double> out(4 * n);
    for (std::size_t i = 0; i < n; ++i) {
        qlm_row s = q[i];
        const auto nb = list.neighbors(i);
        for (std::size_t a = 0; a < 12; ++a)
            for (int l : {4, 6})
                for (int m = 0; m <= l; ++m) s[l][m] += q[nb[a]][l][m];
        for (int l : {4, 6})
            for (int m = 0; m <= l; ++m) s[l][m] /= 13.0;
        int c = 0;
        for (int l : {4, 6}) out[std::size_t(c++) * n + i] = ql_of(s[l], l);
        for (int l : {4, 6}) out[std::size_t(c++) * n + i] = wl_of(s[l], l) / std::pow(norm2_of(s[l], l), 1.5);
    }
    return out;
}

/// Number of bonds (12 nearest) with s(i, j) > 0.7, l = 6.
std::vector<double> peer_solid_bonds(const list_t& list) {
    const std::size_t n = list.num_particles();
    const auto q = peer_qlm(list, 12, 6);
    std::vector<double> norm(n);
    for (std::size_t i = 0; i < n; ++i) norm[i] = std::sqrt(norm2_of(q[i][6], 6));
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto nb = list.neighbors(i);
        int count = 0;
        for (std::size_t a = 0; a < 12; ++a) {
            const auto& qi = q[i][6];
            const auto& qj = q[nb[a]][6];
            double dot = (qi[0] * std::conj(qj[0])).real();
            for (int m = 1; m <= 6; ++m) dot += 2 * (qi[m] * std::conj(qj[m])).real();
            if (dot / (norm[i] * norm[nb[a]]) > 0.7) ++count;
        }
        out[i] = count;
    }
    return out;
}

/// Matching CSP, 12 nearest: minimum over perfect matchings of Σ |R_j + R_k|², by recursion
/// (lowest unmatched neighbour first), pruned when the partial sum reaches the best so far.
void peer_match(const double (&w)[12][12], unsigned used, double acc, double& best) {
    if (used == 0xFFFu) {
        best = std::min(best, acc);
        return;
    }
    int j = 0;
    while (used >> j & 1u) ++j;
    for (int k = j + 1; k < 12; ++k) {
        if (used >> k & 1u) continue;
        const double a = acc + w[j][k];
        if (a < best) peer_match(w, used | 1u << j | 1u << k, a, best);
    }
}
std::vector<double> peer_csp_matching(const list_t& list) {
    std::vector<double> out(list.num_particles());
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto v = list.vectors(i);
        double w[12][12];
        for (int j = 0; j < 12; ++j)
            for (int k = j + 1; k < 12; ++k) {
                const double x = v[j].x + v[k].x, y = v[j].y + v[k].y, z = v[j].z + v[k].z;
                w[j][k] = w[k][j] = x * x + y * y + z * z;
            }
        double best = std::numeric_limits<double>::infinity();
        peer_match(w, 0, 0.0, best);
        out[i] = best;
    }
    return out;
}

/// G_i^(b)(μ_k) = Σ_{j of type b, r < rc} exp(−(r − μ_k)²/L²) f_c(r); column (b−1)·nμ + k.
std::vector<double> peer_sf(const list_t& list, const std::vector<int>& types, int ntypes, const std::vector<double>& mu,
                            double L, double rc, bool smooth) {
    const std::size_t n = list.num_particles(), nmu = mu.size();
    std::vector<double> out(n * nmu * std::size_t(ntypes), 0.0);
    std::vector<double> acc(nmu * std::size_t(ntypes));
    for (std::size_t i = 0; i < n; ++i) {
        std::fill(acc.begin(), acc.end(), 0.0);
        const auto nb = list.neighbors(i);
        const auto d2 = list.distances2(i);
        for (std::size_t k = 0; k < nb.size(); ++k) {
            if (rc > 0 && !(d2[k] < rc * rc)) continue;
            const double r = std::sqrt(d2[k]);
            const double fc = rc > 0 && smooth ? 0.5 * (1 + std::cos(std::numbers::pi * r / rc)) : 1.0;
            const std::size_t b = types.empty() ? 0 : std::size_t(types[nb[k]] - 1);
            for (std::size_t m = 0; m < nmu; ++m) acc[b * nmu + m] += fc * std::exp(-(r - mu[m]) * (r - mu[m]) / (L * L));
        }
        for (std::size_t c = 0; c < acc.size(); ++c) out[c * n + i] = acc[c];
    }
    return out;
}

/// Two-body excess entropy, LAMMPS entropy/atom quadrature (grid kσ, Gaussians on bins
/// ⌊r/σ⌋ ± 3, trapezoid, g < 1e-10 → integrand r²; bin 0 contributes 0), global density,
/// partial over neighbour types; one column per cutoff, each computed from scratch.
std::vector<double> peer_entropy(const list_t& list, const std::vector<int>& types, int ntypes, double sigma,
                                 const std::vector<double>& cutoffs, double rho) {
    const std::size_t n = list.num_particles();
    std::vector<double> frac(std::size_t(ntypes) + 1, 0.0);
    for (int t : types) frac[std::size_t(t)] += 1.0 / double(types.size());
    std::vector<double> out(n * cutoffs.size());
    std::vector<double> g;
    for (std::size_t i = 0; i < n; ++i) {
        const auto nb = list.neighbors(i);
        const auto d2 = list.distances2(i);
        for (std::size_t c = 0; c < cutoffs.size(); ++c) {
            const double rc = cutoffs[c];
            const int nbin = int(rc / sigma) + 1;
            double s = 0;
            for (int v = 1; v <= ntypes; ++v) {
                const double rv = rho * frac[std::size_t(v)];
                g.assign(std::size_t(nbin), 0.0);
                for (std::size_t k = 0; k < nb.size(); ++k) {
                    if (!(d2[k] < rc * rc) || types[nb[k]] != v) continue;
                    const double r = std::sqrt(d2[k]);
                    const int bin = int(std::floor(r / sigma));
                    for (int b = std::max(bin - 3, 1); b <= std::min(bin + 3, nbin - 1); ++b) {
                        const double rb = b * sigma;
                        g[std::size_t(b)] += std::exp(-(r - rb) * (r - rb) / (2 * sigma * sigma)) /
                                             (4 * std::numbers::pi * rv * std::sqrt(2 * std::numbers::pi) * sigma * rb * rb);
                    }
                }
                double integral = 0;
                for (int b = 0; b < nbin; ++b) {
                    const double rb = b * sigma;
                    const double f = g[std::size_t(b)] < 1e-10 ? rb * rb : (g[std::size_t(b)] * std::log(g[std::size_t(b)]) - g[std::size_t(b)] + 1) * rb * rb;
                    integral += (b == 0 || b == nbin - 1) ? 0.5 * f : f;
                }
                s += -2 * std::numbers::pi * rv * integral * sigma;
            }
            out[c * n + i] = s;
        }
    }
    return out;
}

/// Warren–Cowley α_i(B) and η_i(B) (columns alpha_1, alpha_2, eta_1, eta_2), pair cutoffs.
std::vector<double> peer_chemical_order(const list_t& list, const std::vector<int>& types, const double (&rc)[3][3]) {
    const std::size_t n = list.num_particles();
    std::vector<std::array<double, 3>> z(n, {0, 0, 0});
    for (std::size_t i = 0; i < n; ++i) {
        const auto nb = list.neighbors(i);
        const auto d2 = list.distances2(i);
        for (std::size_t k = 0; k < nb.size(); ++k) {
            const int b = types[nb[k]];
            const double c = rc[types[i]][b];
            if (d2[k] < c * c) {
                z[i][0] += 1;
                z[i][std::size_t(b)] += 1;
            }
        }
    }
    double number[3] = {0, 0, 0}, zsum[3][3] = {};
    for (std::size_t i = 0; i < n; ++i) {
        number[types[i]] += 1;
        for (int b = 0; b < 3; ++b) zsum[types[i]][b] += z[i][std::size_t(b)];
    }
    double c[3], Z[3], zmean = 0;
    for (int a = 1; a <= 2; ++a) {
        c[a] = number[a] / double(n);
        Z[a] = zsum[a][0] / number[a];
        zmean += c[a] * Z[a];
    }
    std::vector<double> out(4 * n);
    for (std::size_t i = 0; i < n; ++i)
        for (int b = 1; b <= 2; ++b) {
            const double zi = z[i][0], zib = z[i][std::size_t(b)];
            out[std::size_t(b - 1) * n + i] = c[b] * zi > 0 ? 1 - zib / (c[b] * zi) : 0.0;
            const double zstar = c[b] * Z[types[i]] * Z[b] / zmean;
            out[std::size_t(1 + b) * n + i] = 1 - zib / zstar;
        }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Cases with a scalar peer. Each: the stage (for the prebuilt list), the pipeline, its scalar
// variant (or none), the peer, the sizes and the comparison tolerance.

struct tolerance {
    double rel;   ///< |t − p| <= rel·|p| + abs
    double abs;
    const char* what;
};

// The first descriptor's columns of a pipeline result, one after the other.
template <class Result>
std::vector<double> first_columns(const Result& r) {
    std::vector<double> v;
    for (std::size_t c = 0; c < r.template names_of<0>().size(); ++c) {
        const auto col = r.template get<0>(c);
        v.insert(v.end(), col.begin(), col.end());
    }
    return v;
}
template <class Pipe>
std::vector<double> columns_of(const Pipe& pipe, const input& in) {
    return first_columns(pipe.run(in.pts, in.box, in.props()));
}
template <class Pipe>
std::vector<double> columns_on(const Pipe& pipe, const list_t& list, const input& in) {
    const auto p = in.props();
    return first_columns(pipe.run_on(list, p));
}

const std::vector<double> sf_mu = tessera::symmetry_functions::grid(1.5, 7.5, 0.2);  // 31 centres
const std::vector<double> entropy_cut_8 = tessera::symmetry_functions::grid(3.0, 8.0, 0.5);    // 11
const std::vector<double> entropy_cut_15 = tessera::symmetry_functions::grid(3.0, 15.0, 0.5);  // 25
constexpr double sro_rc[3][3] = {{0, 0, 0}, {0, 3.05, 3.75}, {0, 3.75, 4.35}};

enum class feature { qbar, solid_bonds, csp_matching, sf, sf_r18, entropy, entropy_r15, chemical_order };
const char* name_of(feature f) {
    switch (f) {
        case feature::qbar: return "qbar";
        case feature::solid_bonds: return "solid_bonds";
        case feature::csp_matching: return "csp_matching";
        case feature::sf: return "sf";
        case feature::sf_r18: return "sf_r18";
        case feature::entropy: return "entropy";
        case feature::entropy_r15: return "entropy_r15";
        default: return "chemical_order";
    }
}

template <bool Scalar>
auto sf_desc(double rc, bool smooth) {
    tessera::basic_symmetry_functions<> s;
    s.mu = sf_mu;
    s.width = 3.5;
    s.cutoff = rc;
    s.smooth = smooth;
    s.use_simd = !Scalar;
    return s;
}
template <class Arch = xsimd::default_arch>
tessera::basic_pair_entropy<Arch> entropy_desc(const input& in, const std::vector<double>& cuts) {
    tessera::basic_pair_entropy<Arch> p;
    p.sigma = 0.2;
    p.cutoffs = cuts;
    p.density = in.density();
    p.partial = true;
    return p;
}
tessera::chemical_order sro_desc() {
    tessera::chemical_order c;
    c.pairs = tessera::pair_coordination::from_pairs({{{1, 1}, 3.05}, {{1, 2}, 3.75}, {{2, 2}, 4.35}});
    return c;
}
template <class Arch>
tessera::basic_steinhardt_average<Arch> qbar_desc() {
    tessera::basic_steinhardt_average<Arch> s;
    s.degrees = {4, 6};
    s.nnn = 12;
    s.wl = true;
    return s;
}

/// Calls fn(stage, stage_key, pipeline) — with the scalar variant when `scalar` (cases without
/// one return false).
template <class Fn>
bool with_case(feature f, const input& in, bool scalar, Fn&& fn) {
    switch (f) {
        case feature::qbar:
            if (scalar) fn(tessera::nearest{12}, "nearest12", tessera::pipeline(tessera::nearest{12}, qbar_desc<void>()));
            else fn(tessera::nearest{12}, "nearest12", tessera::pipeline(tessera::nearest{12}, qbar_desc<xsimd::default_arch>()));
            return true;
        case feature::solid_bonds:
            if (scalar) fn(tessera::nearest{12}, "nearest12", tessera::pipeline(tessera::nearest{12}, tessera::basic_solid_bonds<void>{}));
            else fn(tessera::nearest{12}, "nearest12", tessera::pipeline(tessera::nearest{12}, tessera::solid_bonds{}));
            return true;
        case feature::csp_matching:
            if (scalar) return false;
            fn(tessera::nearest{12}, "nearest12", tessera::pipeline(tessera::nearest{12}, tessera::csp{12, tessera::csp_mode::matching}));
            return true;
        case feature::sf:
            if (scalar) fn(tessera::ball{10.0}, "ball10", tessera::pipeline(tessera::ball{10.0}, sf_desc<true>(10.0, true)));
            else fn(tessera::ball{10.0}, "ball10", tessera::pipeline(tessera::ball{10.0}, sf_desc<false>(10.0, true)));
            return true;
        case feature::sf_r18:
            if (scalar) fn(tessera::ball{18.0}, "ball18", tessera::pipeline(tessera::ball{18.0}, sf_desc<true>(0.0, false)));
            else fn(tessera::ball{18.0}, "ball18", tessera::pipeline(tessera::ball{18.0}, sf_desc<false>(0.0, false)));
            return true;
        case feature::entropy:
            if (scalar) fn(tessera::ball{8.0}, "ball8", tessera::pipeline(tessera::ball{8.0}, entropy_desc<void>(in, entropy_cut_8)));
            else fn(tessera::ball{8.0}, "ball8", tessera::pipeline(tessera::ball{8.0}, entropy_desc(in, entropy_cut_8)));
            return true;
        case feature::entropy_r15:
            if (scalar) fn(tessera::ball{15.0}, "ball15", tessera::pipeline(tessera::ball{15.0}, entropy_desc<void>(in, entropy_cut_15)));
            else fn(tessera::ball{15.0}, "ball15", tessera::pipeline(tessera::ball{15.0}, entropy_desc(in, entropy_cut_15)));
            return true;
        case feature::chemical_order:
            if (scalar) return false;
            fn(tessera::ball{4.35}, "ball4.35", tessera::pipeline(tessera::ball{4.35}, sro_desc()));
            return true;
    }
    return false;
}

std::vector<double> run_peer(feature f, const list_t& list, const input& in) {
    switch (f) {
        case feature::qbar: return peer_qbar(list);
        case feature::solid_bonds: return peer_solid_bonds(list);
        case feature::csp_matching: return peer_csp_matching(list);
        case feature::sf: return peer_sf(list, in.types, in.ntypes(), sf_mu, 3.5, 10.0, true);
        case feature::sf_r18: return peer_sf(list, in.types, in.ntypes(), sf_mu, 3.5, 0.0, false);
        case feature::entropy: return peer_entropy(list, in.types, in.ntypes(), 0.2, entropy_cut_8, in.density());
        case feature::entropy_r15: return peer_entropy(list, in.types, in.ntypes(), 0.2, entropy_cut_15, in.density());
        default: return peer_chemical_order(list, in.types, sro_rc);
    }
}

tolerance tolerance_of(feature f) {
    switch (f) {
        case feature::qbar: return {0, 1e-10, "absolute 1e-10 (q̄4, q̄6, w̄4, w̄6)"};
        case feature::solid_bonds: return {0, 0, "exact (integer counts)"};
        case feature::csp_matching: return {1e-12, 0, "relative 1e-12"};
        case feature::sf:
        case feature::sf_r18: return {1e-12, 1e-300, "relative 1e-12"};
        case feature::entropy:
        case feature::entropy_r15: return {1e-10, 0, "relative 1e-10"};
        default: return {0, 1e-14, "absolute 1e-14"};
    }
}

void compare(const std::string& label, const std::vector<double>& t, const std::vector<double>& p, tolerance tol,
             std::size_t n) {
    if (t.size() != p.size()) fail(label + ": " + std::to_string(t.size()) + " values vs the peer's " + std::to_string(p.size()));
    double worst_rel = 0, worst_abs = 0;
    for (std::size_t k = 0; k < t.size(); ++k) {
        const double d = std::abs(t[k] - p[k]);
        worst_abs = std::max(worst_abs, d);
        if (p[k] != 0) worst_rel = std::max(worst_rel, d / std::abs(p[k]));
        if (!(d <= tol.rel * std::abs(p[k]) + tol.abs))
            fail(label + ": column " + std::to_string(k / n) + " atom " + std::to_string(k % n) + ": tessera " +
                 std::to_string(t[k]) + " vs peer " + std::to_string(p[k]));
    }
    std::fprintf(stderr, "bench_features: %s: %zu values agree (%s; max abs diff %.2e, max rel diff %.2e)\n",
                 label.c_str(), t.size(), tol.what, worst_abs, worst_rel);
}

void check_feature(feature f, frame_kind fr, int n) {
    const input& in = frame_for(fr, n);
    const std::string label = std::string(name_of(f)) + "/" + name_of(fr) + "/N=" + std::to_string(in.pts.size());
    std::vector<double> peer, full, on, scalar;
    with_case(f, in, false, [&](const auto& stage, const char* key, const auto& pipe) {
        full = columns_of(pipe, in);
        const list_t& list = list_for(in, stage, key);
        on = columns_on(pipe, list, in);
        peer = run_peer(f, list, in);
    });
    const tolerance tol = tolerance_of(f);
    compare(label + " tessera vs scalar peer", full, peer, tol, in.pts.size());
    if (on != full) fail(label + ": run_on a prebuilt list differs from run");
    if (with_case(f, in, true, [&](const auto& stage, const char* key, const auto& pipe) {
            scalar = columns_on(pipe, list_for(in, stage, key), in);
        }))
        compare(label + " tessera scalar path vs scalar peer", scalar, peer, tol, in.pts.size());
    if (f == feature::solid_bonds || f == feature::chemical_order) {
        double mean = 0;
        for (std::size_t i = 0; i < in.pts.size(); ++i) mean += full[i];
        std::fprintf(stderr, "bench_features: %s: mean of column 0 = %.4f\n", label.c_str(), mean / double(in.pts.size()));
    }
}

void set_counters(benchmark::State& state, std::size_t atoms) {
    state.counters["atoms/s"] = benchmark::Counter(double(atoms), benchmark::Counter::kIsIterationInvariantRate);
}

enum class impl { tessera, on_list, scalar_path, peer };

void bm_feature(benchmark::State& state, feature f, frame_kind fr, int n, impl which) {
    const input& in = frame_for(fr, n);
    if (which == impl::peer) {
        with_case(f, in, false, [&](const auto& stage, const char* key, const auto&) {
            const list_t& list = list_for(in, stage, key);
            for (auto _ : state) {
                auto v = run_peer(f, list, in);
                benchmark::DoNotOptimize(v.data());
            }
        });
    } else {
        with_case(f, in, which == impl::scalar_path, [&](const auto& stage, const char* key, const auto& pipe) {
            const auto props = in.props();
            if (which == impl::tessera) {
                for (auto _ : state) {
                    const auto r = pipe.run(in.pts, in.box, props);
                    benchmark::DoNotOptimize(r.template get<0>().data());
                }
            } else {
                const list_t& list = list_for(in, stage, key);
                for (auto _ : state) {
                    const auto r = pipe.run_on(list, props);
                    benchmark::DoNotOptimize(r.template get<0>().data());
                }
            }
        });
    }
    set_counters(state, in.pts.size());
}

// ---------------------------------------------------------------------------------------------
// Cases against LAMMPS

constexpr double rdf_rmax = 6.0;
constexpr std::size_t rdf_bins = 200;

tessera::steinhardt wl_desc() {
    tessera::steinhardt s;
    s.degrees = {4, 6};
    s.nnn = 12;
    s.wl = true;
    s.wlhat = true;
    return s;
}

enum class lmp_case { rdf, wl, acna };
const char* name_of(lmp_case c) {
    switch (c) {
        case lmp_case::rdf: return "rdf";
        case lmp_case::wl: return "wl";
        default: return "acna";
    }
}

void bm_tessera_lmp(benchmark::State& state, lmp_case c, frame_kind fr, int n) {
    const input& in = frame_for(fr, n);
    const auto props = in.props();
    for (auto _ : state) {
        switch (c) {
            case lmp_case::rdf: {
                tessera::rdf_accumulator acc(rdf_rmax, rdf_bins, in.types.empty() ? 0 : 2);
                acc.add_frame(in.pts, in.box, props);
                auto t = acc.result();
                benchmark::DoNotOptimize(t.g.data());
                break;
            }
            case lmp_case::wl: {
                const auto r = tessera::pipeline(tessera::nearest{12}, wl_desc()).run(in.pts, in.box, props);
                benchmark::DoNotOptimize(r.get<0>().data());
                break;
            }
            case lmp_case::acna: {
                const auto r = tessera::pipeline(tessera::nearest{14}, tessera::adaptive_cna{}).run(in.pts, in.box, props);
                benchmark::DoNotOptimize(r.get<0>().data());
                break;
            }
        }
    }
    set_counters(state, in.pts.size());
}

#if TESSERA_BENCH_HAVE_LAMMPS
using tessera_bench::lammps_frame;

/// One LAMMPS instance per frame and N. fcc: pair zero 3.1 (as bench/descriptors.cpp); glass:
/// pair zero 5.0 (orientorder/atom takes its 12 nearest within the pair cutoff). Skin 0.1,
/// ghost cutoff 6.5 for the rdf list (6.0 + skin), no atom sorting.
lammps_frame& lammps_for(frame_kind fr, int n) {
    static std::map<std::pair<int, int>, std::unique_ptr<lammps_frame>> cache;
    auto& slot = cache[{int(fr), n}];
    if (!slot) {
        const input& in = frame_for(fr, n);
        const bool glass = fr == frame_kind::glass;
        slot = std::make_unique<lammps_frame>(tessera_bench::open_lammps_frame(
            in.pts, glass ? in.types : std::vector<int>{}, in.side,
            glass ? std::vector<double>{63.546, 91.224} : std::vector<double>{63.546},
            std::string(glass ? "pair_style zero 5.0\n" : "pair_style zero 3.1\n") +
                "pair_coeff * *\nneighbor 0.1 bin\nneigh_modify every 1 delay 0 check no\n"
                "comm_modify cutoff 6.5\n" +
                (glass ? "compute rdf all rdf 200 * * 1 1 1 2 2 2 cutoff 6.0\n" : "compute rdf all rdf 200 cutoff 6.0\n") +
                "compute wl all orientorder/atom nnn 12 degrees 2 4 6 wl yes wl/hat yes\n"
                "compute cna all cna/atom 3.086\n"
                "compute r_wl all reduce sum c_wl[1]\n"
                "compute r_cna all reduce sum c_cna\n"
                "thermo_style custom step\nrun 0 post no\n"));
    }
    return *slot;
}

const char* thermo_for(int c) {
    switch (c) {
        case int(lmp_case::rdf): return "thermo_style custom step c_rdf[1][2]";
        case int(lmp_case::wl): return "thermo_style custom step c_r_wl";
        case int(lmp_case::acna): return "thermo_style custom step c_r_cna";
        default: return "thermo_style custom step";
    }
}

void bm_lammps(benchmark::State& state, frame_kind fr, int n, int c /* -1: baseline */) {
    lammps_frame& f = lammps_for(fr, n);
    tessera_bench::time_lammps_run0(state, f, thermo_for(c));
    set_counters(state, f.row_of_local.size());
}

void check_lammps(frame_kind fr, int n) {
    const input& in = frame_for(fr, n);
    lammps_frame& f = lammps_for(fr, n);
    const std::string N = "/" + std::string(name_of(fr)) + "/N=" + std::to_string(in.pts.size());
    tessera_bench::lammps_run(f.h, "thermo_style custom step c_rdf[1][2] c_r_wl c_r_cna");
    tessera_bench::lammps_run(f.h, "reset_timestep 0\nrun 0 post no");
    const auto props = in.props();

    // rdf: every g and coordination column equal to 1e-12 relative, and the pair counts behind
    // them (g·norm) equal as integers.
    {
        const auto* a = static_cast<double**>(lammps_extract_compute(f.h, "rdf", LMP_STYLE_GLOBAL, LMP_TYPE_ARRAY));
        if (!a) fail("rdf: lammps_extract_compute returned null");
        tessera::rdf_accumulator acc(rdf_rmax, rdf_bins, in.types.empty() ? 0 : 2);
        acc.add_frame(in.pts, in.box, props);
        const auto t = acc.result();
        double worst = 0, pairs = 0;
        for (std::size_t c = 0; c < t.g.size(); ++c)
            for (std::size_t k = 0; k < rdf_bins; ++k) {
                const double lg = a[k][1 + 2 * c], lc = a[k][2 + 2 * c];
                if (std::abs(a[k][0] - t.r[k]) > 1e-12) fail("rdf: bin centres differ");
                for (const auto& [x, y] : {std::pair{t.g[c][k], lg}, std::pair{t.coord[c][k], lc}}) {
                    const double d = std::abs(x - y);
                    if (y != 0) worst = std::max(worst, d / std::abs(y));
                    if (d > 1e-12 * std::abs(y))
                        fail("rdf" + N + ": column " + t.names[c] + " bin " + std::to_string(k) + ": tessera " +
                             std::to_string(x) + " vs LAMMPS " + std::to_string(y));
                }
            }
        // pair counts in the total: Σ_k coord increments · N / 2 (unordered pairs within r_max)
        pairs = t.coord[0][rdf_bins - 1] * double(in.pts.size()) / 2;
        std::fprintf(stderr,
                     "bench_features: rdf%s: %zu columns × %zu bins of g and coordination agree with LAMMPS (max rel "
                     "diff %.2e; %.0f pairs within %.1f Å)\n",
                     N.c_str(), t.g.size(), rdf_bins, worst, pairs, rdf_rmax);
    }
    // wl: q4 q6 w4 w6 ŵ4 ŵ6 to 1e-9 absolute.
    {
        const auto* q = static_cast<double**>(lammps_extract_compute(f.h, "wl", LMP_STYLE_ATOM, LMP_TYPE_ARRAY));
        if (!q) fail("wl: lammps_extract_compute returned null");
        const auto r = tessera::pipeline(tessera::nearest{12}, wl_desc()).run(in.pts, in.box, props);
        double worst[6] = {};
        for (std::size_t i = 0; i < f.row_of_local.size(); ++i) {
            const std::size_t row = f.row_of_local[i];
            for (std::size_t c = 0; c < 6; ++c) {
                const double d = std::abs(r.get<0>(c)[row] - q[i][c]);
                worst[c] = std::max(worst[c], d);
                if (d > 1e-9)
                    fail("wl" + N + ": column " + r.names_of<0>()[c] + " atom id " + std::to_string(row + 1) + ": tessera " +
                         std::to_string(r.get<0>(c)[row]) + " vs LAMMPS " + std::to_string(q[i][c]));
            }
        }
        std::fprintf(stderr,
                     "bench_features: wl%s: q4 q6 w4 w6 what4 what6 agree with LAMMPS (1e-9 absolute; max |diff| "
                     "%.1e %.1e %.1e %.1e %.1e %.1e)\n",
                     N.c_str(), worst[0], worst[1], worst[2], worst[3], worst[4], worst[5]);
    }
    // a-CNA beside fixed-cutoff CNA: not the same computation; report how often the codes agree.
    if (fr == frame_kind::fcc) {
        const auto* cna = static_cast<const double*>(lammps_extract_compute(f.h, "cna", LMP_STYLE_ATOM, LMP_TYPE_VECTOR));
        if (!cna) fail("cna: lammps_extract_compute returned null");
        const auto r = tessera::pipeline(tessera::nearest{14}, tessera::adaptive_cna{}).run(in.pts, in.box, props);
        std::size_t same = 0, fcc_a = 0, fcc_l = 0;
        for (std::size_t i = 0; i < f.row_of_local.size(); ++i) {
            const double a = r.get<0>()[f.row_of_local[i]];
            same += a == cna[i];
            fcc_a += a == 1.0;
            fcc_l += cna[i] == 1.0;
        }
        std::fprintf(stderr,
                     "bench_features: acna%s: a-CNA vs LAMMPS cna/atom 3.086 (not equal work): same code for %zu of "
                     "%zu atoms; fcc %zu (a-CNA) vs %zu (cna/atom)\n",
                     N.c_str(), same, f.row_of_local.size(), fcc_a, fcc_l);
    }
}
#endif

// ---------------------------------------------------------------------------------------------

benchmark::internal::Benchmark* with_unit(benchmark::internal::Benchmark* b, int n) {
    b->Unit(benchmark::kMillisecond);
    if (n >= 63) b->Iterations(1);
    return b;
}

int register_all() {
    const bool large = std::getenv("TESSERA_BENCH_LARGE") != nullptr;
    const bool skip = std::getenv("TESSERA_BENCH_SKIP_CHECKS") != nullptr;
    std::vector<int> sizes = {14, 29};
    if (large) sizes.push_back(63);
    const bool small = std::getenv("TESSERA_BENCH_SMALL") != nullptr;
    if (small) sizes = {14};
    const std::string only = std::getenv("TESSERA_BENCH_FEATURES") ? std::getenv("TESSERA_BENCH_FEATURES") : "";
    auto wanted = [&](const std::string& name) { return only.empty() || ("," + only + ",").find("," + name + ",") != std::string::npos; };

    // LAMMPS cases: rdf and wl on both frames; acna on fcc (the cna/atom cutoff suits fcc only).
    for (frame_kind fr : {frame_kind::fcc, frame_kind::glass})
        for (int n : sizes) {
            const input& in = frame_for(fr, n);
            const std::string N = "/" + std::string(name_of(fr)) + "/N=" + std::to_string(in.pts.size()) + "/";
            std::vector<lmp_case> cases;
            for (lmp_case c : {lmp_case::rdf, lmp_case::wl, lmp_case::acna})
                if (wanted(name_of(c)) && !(c == lmp_case::acna && fr == frame_kind::glass)) cases.push_back(c);
            if (cases.empty()) continue;
#if TESSERA_BENCH_HAVE_LAMMPS
            if (!skip) check_lammps(fr, n);
#endif
            for (lmp_case c : cases) {
                with_unit(benchmark::RegisterBenchmark((name_of(c) + N + "tessera").c_str(), bm_tessera_lmp, c, fr, n), n);
#if TESSERA_BENCH_HAVE_LAMMPS
                with_unit(benchmark::RegisterBenchmark((name_of(c) + N + "lammps").c_str(), bm_lammps, fr, n, int(c)), n);
#endif
            }
#if TESSERA_BENCH_HAVE_LAMMPS
            with_unit(benchmark::RegisterBenchmark(("baseline" + N + "lammps").c_str(), bm_lammps, fr, n, -1), n);
#endif
        }

    // Scalar-peer cases: which frames and sizes (the large-radius ones are memory-bound: a ball
    // of 15–18 Å holds 800–1 400 neighbours per atom, 36 B each).
    struct plan {
        feature f;
        std::vector<frame_kind> frames;
        std::vector<int> sizes;
    };
    std::vector<int> big = sizes;
    const std::vector<plan> plans = {
        {feature::qbar, {frame_kind::fcc, frame_kind::glass}, big},
        {feature::solid_bonds, {frame_kind::fcc, frame_kind::glass}, big},
        {feature::csp_matching, {frame_kind::fcc, frame_kind::glass}, {14, 29}},
        {feature::sf, {frame_kind::glass}, {14, 29}},
        {feature::sf_r18, {frame_kind::glass}, {14}},
        {feature::entropy, {frame_kind::glass}, {14, 29}},
        {feature::entropy_r15, {frame_kind::glass}, {14}},
        {feature::chemical_order, {frame_kind::glass}, big},
    };
    for (const plan& p : plans) {
        if (!wanted(name_of(p.f))) continue;
        for (frame_kind fr : p.frames)
            for (int n : p.sizes) {
                if (small && n != 14) continue;
                const input& in = frame_for(fr, n);
                if (!skip) check_feature(p.f, fr, n);
                const std::string base =
                    std::string(name_of(p.f)) + "/" + name_of(fr) + "/N=" + std::to_string(in.pts.size()) + "/";
                with_unit(benchmark::RegisterBenchmark((base + "tessera").c_str(), bm_feature, p.f, fr, n, impl::tessera), n);
                with_unit(benchmark::RegisterBenchmark((base + "tessera_on_list").c_str(), bm_feature, p.f, fr, n, impl::on_list), n);
                if (with_case(p.f, in, true, [](const auto&, const char*, const auto&) {}))
                    with_unit(benchmark::RegisterBenchmark((base + "tessera_scalar").c_str(), bm_feature, p.f, fr, n,
                                                           impl::scalar_path),
                              n);
                with_unit(benchmark::RegisterBenchmark((base + "scalar_peer").c_str(), bm_feature, p.f, fr, n, impl::peer), n);
            }
    }
    return 0;
}

const int registered = register_all();

}  // namespace
