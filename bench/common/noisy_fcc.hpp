#pragma once
// The benchmarks' crystal input: n³ conventional fcc cells (lattice constant a), every component
// displaced by Gaussian noise σ drawn from `rng` in lattice order (i fastest, then j, k; four
// basis atoms per cell), optionally wrapped into the periodic cube [0, n·a)³. One definition, so
// bench_descriptors, bench_features, bench_dynamics and bench_neighbors time the same frame.
#include <tessera/core/box.hpp>

#include <array>
#include <cstddef>
#include <random>
#include <vector>

namespace tessera_bench {

inline std::vector<std::array<double, 3>> noisy_fcc(int n, double a, double sigma, std::mt19937_64& rng,
                                                    bool wrap = true) {
    static constexpr double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    std::normal_distribution<double> noise(0.0, sigma);
    const double L = n * a;
    const tessera::orthogonal_box<double> box({0, 0, 0}, {L, L, L});
    std::vector<std::array<double, 3>> p;
    p.reserve(std::size_t(4) * std::size_t(n) * std::size_t(n) * std::size_t(n));
    for (int k = 0; k < n; ++k)
        for (int j = 0; j < n; ++j)
            for (int i = 0; i < n; ++i)
                for (const auto& b : basis) {
                    // three draws in x, y, z order (sequenced, unlike function arguments)
                    const double x = (i + b[0]) * a + noise(rng);
                    const double y = (j + b[1]) * a + noise(rng);
                    const double z = (k + b[2]) * a + noise(rng);
                    if (wrap) {
                        const auto w = box.wrap({x, y, z});
                        p.push_back({w.x, w.y, w.z});
                    } else {
                        p.push_back({x, y, z});
                    }
                }
    return p;
}

}  // namespace tessera_bench
