// `--ptm [RMSD_CUTOFF] [--ptm-structures LIST] [--ptm-ordering]`: polyhedral template matching
// (descriptors/ptm.hpp, docs/descriptors/ptm.md): columns ptm ptm_rmsd ptm_qw ptm_qx ptm_qy ptm_qz
// ptm_scale (LAMMPS ptm/atom's order), then ptm_order with --ptm-ordering.
#include "compute_descriptors.hpp"

#include <tessera/descriptors/ptm.hpp>

#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace tessera::cli {

namespace {

ptm_structure_set parse_ptm_structures(const std::string& list) {
    static const std::pair<const char*, ptm_structure> names[] = {
        {"sc", ptm_structure::sc},     {"fcc", ptm_structure::fcc},   {"hcp", ptm_structure::hcp},
        {"ico", ptm_structure::ico},   {"bcc", ptm_structure::bcc},   {"dcub", ptm_structure::dcub},
        {"dhex", ptm_structure::dhex}, {"graphene", ptm_structure::graphene}};
    ptm_structure_set set = 0;
    std::istringstream in(list);
    std::string name;
    while (std::getline(in, name, ',')) {
        if (name == "all") {
            set |= ptm_all_structures;
            continue;
        }
        bool known = false;
        for (const auto& [n, s] : names)
            if (name == n) set |= ptm_bit(s), known = true;
        if (!known)
            throw usage_error("--ptm-structures: unknown structure '", name,
                              "' (sc, fcc, hcp, ico, bcc, dcub, dhex, graphene, all)");
    }
    if (set == 0) throw usage_error("--ptm-structures: no structure given");
    return set;
}

}  // namespace

descriptor_cli ptm_cli(CLI::App* compute) {
    auto cutoff = std::make_shared<std::vector<double>>();  // empty: a bare --ptm
    auto structures = std::make_shared<std::string>("sc,fcc,hcp,ico,bcc,dcub,dhex");
    auto ordering = std::make_shared<bool>(false);
    auto* ptm_opt = compute
                        ->add_option("--ptm", *cutoff,
                                     "polyhedral template matching; atoms whose best RMSD exceeds RMSD_CUTOFF are other "
                                     "(optional value, default 0.1 as OVITO; 0: no cutoff): columns ptm (0 other, 1 fcc, "
                                     "2 hcp, 3 bcc, 4 ico, 5 sc, 6 cubic diamond, 7 hexagonal diamond, 8 graphene), "
                                     "ptm_rmsd, ptm_qw, ptm_qx, ptm_qy, ptm_qz, ptm_scale (interatomic distance)")
                        ->expected(0, 1);
    auto* structures_opt = compute->add_option("--ptm-structures", *structures,
                                               "with --ptm: comma-separated templates among sc, fcc, hcp, ico, bcc, dcub, "
                                               "dhex, graphene or all (default: all but graphene; OVITO's default is "
                                               "fcc,hcp,bcc)");
    auto* ordering_opt = compute->add_flag("--ptm-ordering", *ordering,
                                           "with --ptm: column ptm_order, the chemical ordering of binary alloys (0 none, "
                                           "1 pure, 2 L1_0, 3 L1_2 A site, 4 L1_2 B site, 5 B2, 6 zincblende/wurtzite, 7 boron "
                                           "nitride; OVITO's numbers)");
    return {[=]() -> std::optional<frame_planner> {
        if (ptm_opt->count() == 0) {
            if (structures_opt->count() > 0 || ordering_opt->count() > 0)
                throw usage_error("--ptm-structures/--ptm-ordering need --ptm");
            return std::nullopt;
        }
        // A bare --ptm leaves the vector empty (or holding a default value): read the flag's own results.
        const auto& given = ptm_opt->results();
        const double rmsd_cutoff = given.empty() || given.front().empty() ? 0.1 : cutoff->front();
        if (!(rmsd_cutoff >= 0) || !std::isfinite(rmsd_cutoff))
            throw usage_error("--ptm: the RMSD cutoff must be a number >= 0 (0: no cutoff)");
        const ptm d{rmsd_cutoff, parse_ptm_structures(*structures), *ordering};
        return frame_planner{[d](const frame_context&, std::vector<planned_descriptor>& out) {
            out.push_back({d, false, "--ptm"});
        }};
    }};
}

}  // namespace tessera::cli
