#pragma once
// Test helpers for the structure descriptors (CSP, CNA, a-CNA): perfect lattices in periodic
// orthogonal boxes, an icosahedral cluster, noise, rotations, and the LAMMPS reference reader.
#include <tessera/core/box.hpp>
#include <tessera/core/vec.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace tessera_test {

using points = std::vector<std::array<double, 3>>;

struct lattice {
    points positions;
    tessera::orthogonal_box<double> box;
};

/// n×n×n unit cells of a cubic lattice with the given basis (fractional), lattice constant a.
inline lattice cubic(const std::vector<std::array<double, 3>>& basis, double a, int n) {
    points p;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            for (int k = 0; k < n; ++k)
                for (const auto& b : basis) p.push_back({(i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a});
    return {p, tessera::orthogonal_box<double>({0, 0, 0}, {n * a, n * a, n * a})};
}
inline lattice fcc(double a, int n) { return cubic({{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}}, a, n); }
inline lattice bcc(double a, int n) { return cubic({{0, 0, 0}, {0.5, 0.5, 0.5}}, a, n); }

/// Ideal hcp (c/a = sqrt(8/3)) in an orthogonal cell: 4 atoms per a × sqrt(3)a × c cell.
inline lattice hcp(double a, int nx, int ny, int nz) {
    const double b = std::sqrt(3.0) * a, c = std::sqrt(8.0 / 3.0) * a;
    const std::array<std::array<double, 3>, 4> basis{
        {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 1.0 / 6.0, 0.5}, {0, 2.0 / 3.0, 0.5}}};
    points p;
    for (int i = 0; i < nx; ++i)
        for (int j = 0; j < ny; ++j)
            for (int k = 0; k < nz; ++k)
                for (const auto& f : basis) p.push_back({(i + f[0]) * a, (j + f[1]) * b, (k + f[2]) * c});
    return {p, tessera::orthogonal_box<double>({0, 0, 0}, {nx * a, ny * b, nz * c})};
}

/// A 13-atom icosahedron (centre first) with centre–vertex distance r.
inline points icosahedron(double r, std::array<double, 3> centre = {0, 0, 0}) {
    const double phi = (1 + std::sqrt(5.0)) / 2, s = r / std::sqrt(1 + phi * phi);
    points p{centre};
    for (double u : {-1.0, 1.0})
        for (double v : {-1.0, 1.0}) {
            p.push_back({centre[0], centre[1] + u * s, centre[2] + v * phi * s});
            p.push_back({centre[0] + u * s, centre[1] + v * phi * s, centre[2]});
            p.push_back({centre[0] + v * phi * s, centre[1], centre[2] + u * s});
        }
    return p;
}

inline void jiggle(points& p, double sigma, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    std::normal_distribution<double> n(0, sigma);
    for (auto& q : p)
        for (auto& c : q) c += n(g);
}

/// A proper rotation from a random unit quaternion.
inline std::array<std::array<double, 3>, 3> random_rotation(std::uint64_t seed) {
    std::mt19937_64 g(seed);
    std::normal_distribution<double> n(0, 1);
    double q[4];
    double s = 0;
    for (auto& c : q) {
        c = n(g);
        s += c * c;
    }
    for (auto& c : q) c /= std::sqrt(s);
    const double w = q[0], x = q[1], y = q[2], z = q[3];
    return {{{1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)},
             {2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)},
             {2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)}}};
}
inline points rotated(const points& p, const std::array<std::array<double, 3>, 3>& m) {
    points out(p.size());
    for (std::size_t i = 0; i < p.size(); ++i)
        for (int r = 0; r < 3; ++r) out[i][r] = m[r][0] * p[i][0] + m[r][1] * p[i][1] + m[r][2] * p[i][2];
    return out;
}

}  // namespace tessera_test
