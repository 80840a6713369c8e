// EXPECT: every argument after the policy must be a per-cell descriptor
// Handing the per-cell runner a per-particle descriptor (CSP reads neighbour rows, not cells).
#include <tessera/descriptors/csp.hpp>
#include <tessera/pipeline/cell_columns.hpp>

#include <vector>

void misuse(const std::vector<tessera::vec3<double>>& x, const tessera::orthogonal_box<double>& b) {
    (void)tessera::compute_cell_columns(x, b, tessera::voronoi_options{}, {}, tessera::serial_policy{}, tessera::csp{12});
}
