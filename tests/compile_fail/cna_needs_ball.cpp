// EXPECT: needs all neighbours within a cutoff
// Fixed-cutoff CNA needs every neighbour within RC: a k-nearest stage does not provide them.
#include <tessera/descriptors/cna.hpp>
#include <tessera/pipeline/pipeline.hpp>

auto bad = tessera::pipeline(tessera::nearest{12}, tessera::cna{3.086});
