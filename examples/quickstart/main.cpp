// Quickstart: zero-copy neighbour search and a fused descriptor pipeline over a host's arrays.
// Build: part of the tessera build (target tessera_quickstart); run it without arguments.
#include <tessera/descriptors/coordination.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include <cmath>
#include <cstdio>
#include <vector>

int main() {
    namespace ts = tessera;
    // A host code's array of structures: 4 x 4 x 4 fcc cells of Cu, two species alternating.
    const double a = 3.615;
    std::vector<double> xyz;  // x0 y0 z0 x1 y1 z1 ...
    std::vector<int> types;
    const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            for (int k = 0; k < 4; ++k)
                for (const auto& b : basis) {
                    xyz.insert(xyz.end(), {(i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a});
                    types.push_back(1 + int(types.size() % 2));
                }
    const std::size_t n = types.size();

    const ts::aos_view<double> positions(xyz.data(), n);  // no copy
    const ts::triclinic_box<double> box({0, 0, 0}, {4 * a, 4 * a, 4 * a}, 0.0, 0.0, 0.0);

    // The 12 nearest neighbours of atom 0, sorted by distance, with bond vectors.
    const auto knn = ts::find_neighbors(positions, box, ts::nearest{12});
    std::printf("atom 0: %zu nearest, first at %.4f (a/sqrt 2 = %.4f)\n", knn.num_neighbors(0),
                std::sqrt(knn.distances2(0)[0]), a / std::sqrt(2.0));

    // One neighbour pass, two coordination columns (3.0 and 4.0 cutoffs), per type.
    const auto pipe = ts::pipeline(ts::ball{4.0}, ts::coordination{3.0}, ts::coordination{4.0, false});
    const auto out = pipe.run(positions, box, {.types = types}, ts::openmp_policy{});
    for (std::size_t c = 0; c < out.names_of<0>().size(); ++c)
        std::printf("rc 3.0: %s[0] = %g\n", out.names_of<0>()[c].c_str(), out.get<0>(c)[0]);
    std::printf("rc 4.0: coord[0] = %g\n", out.get<1>()[0]);
    return 0;
}
