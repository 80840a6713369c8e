// EXPECT: needs all neighbours within a cutoff
// coordination counts neighbours within a cutoff; a k-nearest stage cannot feed it.
#include <tessera/descriptors/coordination.hpp>
#include <tessera/pipeline/pipeline.hpp>

void misuse() { [[maybe_unused]] auto p = tessera::pipeline(tessera::nearest{12}, tessera::coordination{}); }
