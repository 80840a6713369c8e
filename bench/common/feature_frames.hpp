#pragma once
// The frames of bench/features.cpp (its file comment describes them): noisy fcc Cu and a
// CuZr-like random-sequential-addition "glass", cached per (kind, n), and one prebuilt
// neighbour list at a time. Included by that one translation unit only (functions are inline).
#include <tessera/core/box.hpp>
#include <tessera/neighbors/query.hpp>

#include "noisy_fcc.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace feature_frames {

using point = std::array<double, 3>;
using points_t = std::vector<point>;
using ortho_box = tessera::orthogonal_box<double>;
using list_t = tessera::neighbor_list<double>;


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

inline input make_fcc(int n) {
    std::mt19937_64 rng(1234 + n);  // as bench/descriptors.cpp: the same frame
    const double L = n * lattice_a;
    const ortho_box box({0, 0, 0}, {L, L, L});
    points_t p = tessera_bench::noisy_fcc(n, lattice_a, 0.05, rng);
    return {frame_kind::fcc, n, std::move(p), box, L, {}};
}

inline input make_glass(int n) {
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
        if (++trials > 2000 * N) {
            std::fprintf(stderr, "bench_features: CHECK FAILED: glass frame: random sequential addition did not reach N\n");
            std::abort();
        }
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

inline const input& frame_for(frame_kind f, int n) {
    static std::map<std::pair<int, int>, std::unique_ptr<input>> cache;
    auto& slot = cache[{int(f), n}];
    if (!slot) slot = std::make_unique<input>(f == frame_kind::fcc ? make_fcc(n) : make_glass(n));
    return *slot;
}

/// One prebuilt neighbour list at a time (the large-radius ones take gigabytes at N ≈ 10⁵).
template <class Stage>
inline const list_t& list_for(const input& in, const Stage& stage, const std::string& stage_key) {
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

}  // namespace feature_frames
