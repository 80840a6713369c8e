#pragma once
// How a descriptor plugs into `tessera compute`: one file examples/cli/compute_<name>.cpp defines
// `descriptor_cli <name>_cli(CLI::App* compute)`, which adds the descriptor's flags to the
// subcommand and returns a factory; after parsing, the factory returns the descriptor's column
// producer, or nothing when its flags were not given. compute.cpp lists the factories.
#include <tessera/core/execution.hpp>
#include <tessera/core/frame.hpp>
#include <tessera/core/properties.hpp>

#include <CLI/CLI.hpp>

#include <array>
#include <functional>
#include <optional>
#include <vector>

namespace tessera::cli {

/// What a producer sees of one frame.
struct frame_context {
    const std::vector<std::array<double, 3>>& positions;
    const any_box& box;
    const particle_properties& properties;
    openmp_policy policy;
};

/// Appends a descriptor's columns to the frame (frame::add_column).
using column_producer = std::function<void(const frame_context&, frame&)>;

struct descriptor_cli {
    std::function<std::optional<column_producer>()> make;
};

descriptor_cli coordination_cli(CLI::App* compute);
descriptor_cli radial_cli(CLI::App* compute);
descriptor_cli steinhardt_cli(CLI::App* compute);
descriptor_cli csp_cli(CLI::App* compute);  ///< --csp N, --csp-mode (compute_structure.cpp)
descriptor_cli cna_cli(CLI::App* compute);  ///< --cna RC, --acna (compute_structure.cpp)
descriptor_cli voronoi_cli(CLI::App* compute);

}  // namespace tessera::cli
