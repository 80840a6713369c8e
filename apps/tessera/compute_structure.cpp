// Structure descriptors for `tessera compute`:
//   --csp N [--csp-mode conventional|matching]   column csp   (descriptors/csp.hpp)
//   --cna RC                                     column cna   (descriptors/cna.hpp)
//   --acna                                       column acna  (descriptors/adaptive_cna.hpp)
#include "compute_descriptors.hpp"

#include <tessera/descriptors/adaptive_cna.hpp>
#include <tessera/descriptors/cna.hpp>
#include <tessera/descriptors/csp.hpp>

#include <memory>
#include <string>

namespace tessera::cli {

descriptor_cli csp_cli(CLI::App* compute) {
    auto n = std::make_shared<int>(0);
    auto mode = std::make_shared<std::string>("conventional");
    compute
        ->add_option("--csp", *n,
                     "centrosymmetry parameter over the N nearest neighbours (12 fcc, 8 bcc; even): column csp")
        ->check(in_range(2, 32));
    compute
        ->add_option("--csp-mode", *mode,
                     "conventional (sum of the N/2 smallest pair terms, = LAMMPS centro/atom; default) or matching "
                     "(minimum-weight perfect matching, N <= 16)")
        ->check(CLI::IsMember({"conventional", "matching"}));
    return {[n, mode]() -> std::optional<frame_planner> {
        if (*n <= 0) return std::nullopt;
        const basic_csp<> d{std::size_t(*n), *mode == "matching" ? csp_mode::matching : csp_mode::conventional};
        d.prepare(d.request().stage_info(), {});  // bad N: an error before any frame
        return frame_planner{[d](const frame_context&, std::vector<planned_descriptor>& out) { out.push_back({d, false, "--csp"}); }};
    }};
}

descriptor_cli cna_cli(CLI::App* compute) {
    auto rc = std::make_shared<double>(0.0);
    auto adaptive = std::make_shared<bool>(false);
    compute
        ->add_option("--cna", *rc,
                     "common neighbour analysis with cutoff RC, LAMMPS cna/atom codes (1 fcc, 2 hcp, 3 bcc, 4 ico, "
                     "5 other): column cna")
        ->check(positive_number());
    compute->add_flag("--acna", *adaptive, "adaptive common neighbour analysis (no cutoff), same codes: column acna");
    return {[rc, adaptive]() -> std::optional<frame_planner> {
        if (*rc <= 0 && !*adaptive) return std::nullopt;
        return frame_planner{[rc = *rc, adaptive = *adaptive](const frame_context&, std::vector<planned_descriptor>& out) {
            if (rc > 0) out.push_back({cna{rc}, true, "--cna"});
            if (adaptive) out.push_back({adaptive_cna{}, true, "--acna"});
        }};
    }};
}

}  // namespace tessera::cli
