// `--coord RC`: columns coord, coord_1 … coord_<ntypes> (descriptors/coordination.hpp).
#include "compute_descriptors.hpp"

#include <tessera/descriptors/coordination.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include <memory>
#include <variant>

namespace tessera::cli {

descriptor_cli coordination_cli(CLI::App* compute) {
    auto rc = std::make_shared<double>(0.0);
    compute
        ->add_option("--coord", *rc,
                     "coordination number within RC: columns coord, coord_1, coord_2, ... (per neighbour type)")
        ->check(CLI::PositiveNumber);
    return {[rc]() -> std::optional<column_producer> {
        if (*rc <= 0) return std::nullopt;
        return column_producer{[cutoff = *rc](const frame_context& c, frame& f) {
            const auto pipe = pipeline(ball{cutoff}, coordination{});
            const auto result = std::visit(
                [&](const auto& b) { return pipe.run<double>(c.positions, b, c.properties, c.policy); }, c.box);
            const auto names = result.names();
            for (std::size_t k = 0; k < names.size(); ++k) {
                const auto col = result.get<coordination>(k);
                f.add_column(names[k], std::vector<double>(col.begin(), col.end()), true);
            }
        }};
    }};
}

}  // namespace tessera::cli
