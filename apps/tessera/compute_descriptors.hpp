#pragma once
// How a descriptor plugs into `tessera compute`: one file apps/tessera/compute_<name>.cpp defines
// `descriptor_cli <name>_cli(CLI::App* compute)`, which adds the descriptor's flags to the
// subcommand and returns factories; after parsing, `plan()` returns what the descriptor adds to
// the frame's planner (one neighbour query and one pass for all of them), or nothing when its
// flags were not given. Descriptors not yet on the planner (Voronoi cells) return a column
// producer from `make()` instead. compute.cpp lists the registrations; columns appear in that order.
#include "common.hpp"

#include <tessera/core/execution.hpp>
#include <tessera/core/frame.hpp>
#include <tessera/core/properties.hpp>
#include <tessera/pipeline/any_descriptor.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tessera::cli {

/// What a producer sees of one frame.
struct frame_context {
    soa_view<double> positions;  ///< the frame's own columns when Cartesian (frame::positions_view)
    const any_box& box;
    const particle_properties& properties;
    openmp_policy policy;
};

/// One descriptor for the frame's planner, whether its columns are integers (written so), and
/// the flag that asked for it (for messages).
struct planned_descriptor {
    any_descriptor<double> descriptor;
    bool integral = false;
    const char* flag = "";
};

/// Adds a descriptor's planner entries for one frame (parameters may depend on the frame, e.g. N/V).
using frame_planner = std::function<void(const frame_context&, std::vector<planned_descriptor>&)>;

/// Adds a descriptor's columns (frame::add_column) to an empty frame of natoms atoms, outside the
/// planner; `flag` names it in messages.
struct column_producer {
    std::function<void(const frame_context&, frame&)> produce;
    std::string flag;
};

/// A per-type-pair table of `flag` must match the frame's types (common.hpp check_table_types).
inline void check_table_types(const frame_context& c, int table_types, const char* flag) {
    check_table_types(std::span<const int>(c.properties.types), table_types, flag);
}

struct descriptor_cli {
    std::function<std::optional<frame_planner>()> plan;  ///< planner entries, or nothing
    std::function<std::optional<column_producer>()> make{};  ///< own columns, or nothing
};

descriptor_cli coordination_cli(CLI::App* compute);
descriptor_cli radial_cli(CLI::App* compute);
descriptor_cli steinhardt_cli(CLI::App* compute);
descriptor_cli csp_cli(CLI::App* compute);  ///< --csp N, --csp-mode (compute_structure.cpp)
descriptor_cli cna_cli(CLI::App* compute);  ///< --cna RC, --acna (compute_structure.cpp)
descriptor_cli voronoi_cli(CLI::App* compute);
descriptor_cli soap_cli(CLI::App* compute);  ///< --soap RC, --soap-* (compute_soap.cpp)
descriptor_cli ptm_cli(CLI::App* compute);   ///< --ptm [RMSD_CUTOFF], --ptm-* (compute_ptm.cpp)

}  // namespace tessera::cli
