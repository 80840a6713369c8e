// EXPECT: any_descriptor: this type is not a descriptor
// Handing the run-time planner something that is not a descriptor.
#include <tessera/pipeline/planner.hpp>

struct not_a_descriptor {};
void misuse() {
    tessera::planner<double> plan;
    plan.add(not_a_descriptor{});
}
