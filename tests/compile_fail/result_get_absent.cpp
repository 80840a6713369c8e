// EXPECT: this descriptor is not in the pipeline
#include <tessera/descriptors/coordination.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include <array>
#include <vector>

struct other {};
void misuse() {
    const auto p = tessera::pipeline(tessera::ball{3.0}, tessera::coordination{});
    std::vector<std::array<double, 3>> x{{0, 0, 0}};
    const auto out = p.run(x, tessera::open_box<double>{});
    (void)out.get<other>();
}
