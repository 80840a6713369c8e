// EXPECT: needs the k nearest neighbours sorted by distance
// CSP uses the N nearest neighbours sorted by distance: a ball stage does not provide them.
#include <tessera/descriptors/csp.hpp>
#include <tessera/pipeline/pipeline.hpp>

auto bad = tessera::pipeline(tessera::ball{3.0}, tessera::csp{12});
