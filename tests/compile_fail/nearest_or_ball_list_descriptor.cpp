// EXPECT: with a nearest_or_ball stage every descriptor must be per-particle
// A whole-list descriptor behind a nearest_or_ball stage: its rows would run past the ball's
// radius (the pipeline cuts per-particle rows to each request; the planner cuts lists too).
#include <tessera/descriptors/steinhardt.hpp>
#include <tessera/pipeline/pipeline.hpp>

void misuse() {
    [[maybe_unused]] auto p =
        tessera::pipeline(tessera::nearest_or_ball{12, 3.0}, tessera::steinhardt_average{.degrees = {6}, .nnn = 12});
}
