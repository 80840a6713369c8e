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
    return {[o]() -> std::optional<frame_planner> {
        if (!(o->r_cut > 0)) return std::nullopt;
        return frame_planner{[d = make_soap(*o, "--soap")](const frame_context&, std::vector<planned_descriptor>& out) {
            out.push_back({d, false, "--soap"});
        }};
    }};
}

}  // namespace tessera::cli
