// EXPECT: csr_neighbor_list
// A whole-list descriptor given something that is not a neighbour list with contiguous rows
// (no neighbor_list_traits specialization with row()).
#include <tessera/descriptors/steinhardt.hpp>

#include <vector>

void misuse() {
    const std::vector<std::vector<int>> rows(10);
    std::vector<double> out(20);
    tessera::steinhardt_average{}.compute_all(rows, tessera::particle_properties{},
                                              tessera::output_columns<double>{out.data(), 10, 2},
                                              tessera::serial_policy{});
}
