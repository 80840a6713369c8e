// EXPECT: only ball stages can reuse neighbours across frames
// A k-nearest set can change without any particle moving far: no Verlet reuse for nearest stages.
#include <tessera/descriptors/csp.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include <array>
#include <vector>

void misuse() {
    const auto p = tessera::pipeline(tessera::nearest{12}, tessera::csp{12});
    std::vector<std::array<double, 3>> x{{0, 0, 0}};
    const tessera::orthogonal_box<double> box({0, 0, 0}, {5, 5, 5});
    tessera::verlet_list<double, tessera::orthogonal_box<double>> cache(3.0, 0.5);
    (void)p.run(x, box, cache);
}
