// EXPECT: this type is not a descriptor
#include <tessera/pipeline/pipeline.hpp>

struct not_a_descriptor {};
void misuse() { [[maybe_unused]] auto p = tessera::pipeline(tessera::ball{3.0}, not_a_descriptor{}); }
