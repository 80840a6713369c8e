// EXPECT: must state its neighbours at run time
// A descriptor without request(): fine in a compile-time pipeline, where the stage is written
// out, but the planner cannot know which neighbours to find for it.
#include <tessera/pipeline/planner.hpp>

#include <string>
#include <vector>

struct silent_about_neighbors {
    static constexpr tessera::neighbor_need need = tessera::neighbor_need::ball;
    std::vector<std::string> columns(const tessera::particle_properties&) const { return {"x"}; }
    void prepare(const tessera::neighbor_stage_info&, const tessera::particle_properties&) const {}
    template <class T>
    void compute(const tessera::particle_row<T>&, tessera::output_row<T>) const {}
};

void misuse() {
    tessera::planner<double> plan;
    plan.add(silent_about_neighbors{});
}
