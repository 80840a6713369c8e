// `--coord RC`: columns coord, coord_1 … coord_<ntypes> (descriptors/coordination.hpp).
#include "compute_descriptors.hpp"

#include <tessera/descriptors/coordination.hpp>

#include <memory>

namespace tessera::cli {

descriptor_cli coordination_cli(CLI::App* compute) {
    auto rc = std::make_shared<double>(0.0);
    compute
        ->add_option("--coord", *rc,
                     "coordination number within RC: columns coord, coord_1, coord_2, ... (per neighbour type)")
        ->check(positive_number());
    return {[rc]() -> std::optional<frame_planner> {
        if (*rc <= 0) return std::nullopt;
        return frame_planner{[d = coordination{*rc}](const frame_context&, std::vector<planned_descriptor>& out) {
            out.push_back({d, true, "--coord"});
        }};
    }};
}

}  // namespace tessera::cli
