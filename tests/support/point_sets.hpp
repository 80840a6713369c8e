#pragma once
// Point sets shared by the Voronoi tests (tests/neighbors/voronoi.cpp and the descriptor and
// pipeline tests built on tessellations): uniform random points in a box and lattices.

#include <array>
#include <cstddef>
#include <random>
#include <vector>

namespace tessera_test {

using pts = std::vector<std::array<double, 3>>;

/// n points uniform in [lo, lo + len) (std::mt19937_64 with the given seed).
inline pts random_points(std::size_t n, const std::array<double, 3>& lo, const std::array<double, 3>& len, unsigned seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0, 1);
    pts x(n);
    for (auto& p : x)
        for (int d = 0; d < 3; ++d) p[std::size_t(d)] = lo[std::size_t(d)] + len[std::size_t(d)] * u(rng);
    return x;
}

/// n radii drawn uniformly from [lo, hi) (radical tessellations, interstice features).
inline std::vector<double> random_radii(std::size_t n, double lo, double hi, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(lo, hi);
    std::vector<double> radii(n);
    for (auto& r : radii) r = u(rng);
    return radii;
}

/// nc³ cells of the given basis (fractional coordinates) with lattice constant a, shifted by
/// `shift` along each axis (off the box faces).
inline pts lattice(const std::vector<std::array<double, 3>>& basis, int nc, double a, double shift = 0.1) {
    pts x;
    for (int k = 0; k < nc; ++k)
        for (int j = 0; j < nc; ++j)
            for (int i = 0; i < nc; ++i)
                for (const auto& b : basis) x.push_back({(i + b[0]) * a + shift, (j + b[1]) * a + shift, (k + b[2]) * a + shift});
    return x;
}

}  // namespace tessera_test
