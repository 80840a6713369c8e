// EXPECT: the first argument must be a neighbour stage
#include <tessera/descriptors/coordination.hpp>
#include <tessera/pipeline/pipeline.hpp>

void misuse() {
    [[maybe_unused]] auto p = tessera::pipeline(tessera::coordination{}, tessera::coordination{});
}
