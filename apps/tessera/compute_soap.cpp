// `--soap RC [--soap-nmax N] [--soap-lmax L] [--soap-sigma S] [--soap-basis gto|polynomial]
//  [--soap-weighting none|poly|pow|exp [--soap-r0 R0 --soap-c C --soap-m M --soap-d D]]
//  [--soap-compression off|crossover|mu2] [--soap-normalize]`:
// columns soap_0 … soap_<F-1>, the SOAP power spectrum in DScribe's order
// (descriptors/soap.hpp, docs/descriptors/soap.md).
#include "compute_descriptors.hpp"
#include "soap_options.hpp"

#include <memory>

namespace tessera::cli {

descriptor_cli soap_cli(CLI::App* compute) {
    auto o = std::make_shared<soap_cli_options>();
    compute->add_option("--soap", o->r_cut,
                        "SOAP power spectrum with radial cutoff RC (DScribe's r_cut): columns soap_0, soap_1, ... in "
                        "DScribe's order (species = atom types)")
        ->check(positive_number());
    add_soap_options(compute, *o);
    compute->add_flag("--soap-normalize", o->normalize, "divide each atom's SOAP vector by its norm");
    return {[o, compute]() -> std::optional<frame_planner> {
        if (!(o->r_cut > 0)) {
            reject_soap_options_without(compute, "--soap");
            return std::nullopt;
        }
        (void)make_soap(*o, "--soap");  // parameter errors before any frame is read
        // The species count is the first frame's highest type, kept for every frame: a frame that
        // lacks the highest type still writes the same columns with the same meaning.
        auto fixed = std::make_shared<std::optional<soap>>();
        auto species = std::make_shared<int>(0);
        return frame_planner{[o, fixed, species](const frame_context& c, std::vector<planned_descriptor>& out) {
            int top = 1;
            for (const int t : c.properties.types) top = std::max(top, t);
            if (!*fixed) {
                const soap_cli_options& first = *o;
                *species = top;
                fixed->emplace(make_soap_for_species(first, top, "--soap", false));
            } else if (top > *species) {
                throw error("--soap: this frame has type ", top, ", the first frame only types up to ", *species,
                            "; SOAP columns keep the first frame's species (put a frame with every type first)");
            }
            out.push_back({**fixed, false, "--soap"});
        }};
    }};
}

}  // namespace tessera::cli
