// EXPECT: needs the k nearest neighbours sorted by distance
// A descriptor that needs sorted nearest neighbours in a pipeline whose stage is a ball query.
#include <tessera/pipeline/pipeline.hpp>

#include <string>
#include <vector>

struct needs_nearest {
    static constexpr tessera::neighbor_need need = tessera::neighbor_need::sorted_nearest;
    std::vector<std::string> columns(const tessera::particle_properties&) const { return {"x"}; }
    void prepare(const tessera::neighbor_stage_info&, const tessera::particle_properties&) const {}
    template <class T>
    void compute(const tessera::particle_row<T>&, tessera::output_row<T>) const {}
};

void misuse() { [[maybe_unused]] auto p = tessera::pipeline(tessera::ball{3.0}, needs_nearest{}); }
