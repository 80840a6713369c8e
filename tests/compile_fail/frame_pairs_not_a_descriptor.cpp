// EXPECT: every argument after the policy must be a two-frame descriptor
// Handing the frame-pair runner a per-particle descriptor (CSP reads one frame, not two).
#include <tessera/descriptors/csp.hpp>
#include <tessera/pipeline/frame_pairs.hpp>

#include <vector>

void misuse(const std::vector<tessera::vec3<double>>& x, const tessera::triclinic_box<double>& b,
            const tessera::particle_properties& p) {
    const tessera::frame_view f(x, b, p);
    (void)tessera::compute_frame_pairs(f, f, tessera::serial_policy{}, tessera::csp{12});
}
