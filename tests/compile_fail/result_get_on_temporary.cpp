// EXPECT: use of deleted function
// A span into a temporary result would dangle: get() on an rvalue result is deleted.
#include <tessera/descriptors/coordination.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include <array>
#include <vector>

void misuse() {
    const auto p = tessera::pipeline(tessera::ball{3.0}, tessera::coordination{});
    std::vector<std::array<double, 3>> x{{0, 0, 0}};
    (void)p.run(x, tessera::open_box<double>{}).get<tessera::coordination>();
}
