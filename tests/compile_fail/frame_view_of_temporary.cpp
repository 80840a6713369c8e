// EXPECT: use of deleted function .*tessera::frame_view
// A frame_view keeps references: built on a temporary (frame::positions() returns by value) it
// would dangle, so that constructor is deleted.
#include <tessera/pipeline/frame_pairs.hpp>

#include <array>
#include <vector>

std::vector<std::array<double, 3>> make_positions();

void misuse(const tessera::triclinic_box<double>& b, const tessera::particle_properties& p) {
    const tessera::frame_view f(make_positions(), b, p);
    (void)f;
}
