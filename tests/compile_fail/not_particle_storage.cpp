// EXPECT: this type is not a particle storage
// A plain pointer carries no size: it is not a particle storage.
#include <tessera/neighbors/query.hpp>

void misuse(const double* x) {
    (void)tessera::find_neighbors(x, tessera::open_box<double>{}, tessera::ball{2.0});
}
