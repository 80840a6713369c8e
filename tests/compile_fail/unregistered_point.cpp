// EXPECT: this type is not a particle storage
// A user struct must be registered with TESSERA_REGISTER_POINT before a vector of it is a storage.
#include <tessera/neighbors/query.hpp>

#include <vector>

struct atom {
    double x, y, z;
};
void misuse(const std::vector<atom>& a) {
    (void)tessera::find_neighbors(a, tessera::open_box<double>{}, tessera::nearest{4});
}
