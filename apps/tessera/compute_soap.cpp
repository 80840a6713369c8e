// `--soap RC [--soap-nmax N] [--soap-lmax L] [--soap-sigma S] [--soap-basis gto|polynomial]
//  [--soap-weighting none|poly] [--soap-compression off|crossover|mu2] [--soap-normalize]`:
// columns soap_0 … soap_<F-1>, the SOAP power spectrum in DScribe's order
// (descriptors/soap.hpp, docs/descriptors/soap.md).
#include "compute_descriptors.hpp"

#include <tessera/descriptors/soap.hpp>

#include <memory>
#include <string>

namespace tessera::cli {

namespace {
struct soap_cli_options {
    double r_cut = 0, sigma = 1.0;
    int n_max = 8, l_max = 6;
    std::string basis = "gto", weighting = "none", compression = "off";
    bool normalize = false;
};
}  // namespace

descriptor_cli soap_cli(CLI::App* compute) {
    auto o = std::make_shared<soap_cli_options>();
    compute->add_option("--soap", o->r_cut,
                        "SOAP power spectrum with radial cutoff RC (DScribe's r_cut): columns soap_0, soap_1, ... in "
                        "DScribe's order (species = atom types)")
        ->check(positive_number());
    compute->add_option("--soap-nmax", o->n_max, "SOAP radial basis functions n_max (default 8)")->check(in_range(1, 20));
    compute->add_option("--soap-lmax", o->l_max, "SOAP spherical-harmonic degree l_max (default 6)")->check(in_range(0, 12));
    compute->add_option("--soap-sigma", o->sigma, "SOAP Gaussian width sigma of each atom's density (default 1)")
        ->check(positive_number());
    compute->add_option("--soap-basis", o->basis, "SOAP radial basis: gto (default) or polynomial (DScribe's)")
        ->check(CLI::IsMember({"gto", "polynomial"}));
    compute->add_option("--soap-weighting", o->weighting,
                        "SOAP density weighting: none (default, DScribe's; atoms to RC + 3.72 sigma) or poly "
                        "(1 + 2(r/RC)^3 - 3(r/RC)^2: zero with zero slope at RC, a smooth cutoff)")
        ->check(CLI::IsMember({"none", "poly"}));
    compute->add_option("--soap-compression", o->compression,
                        "SOAP species pairs: off (default, every pair), crossover (same-species only) or mu2 "
                        "(species summed)")
        ->check(CLI::IsMember({"off", "crossover", "mu2"}));
    compute->add_flag("--soap-normalize", o->normalize, "divide each atom's SOAP vector by its norm");
    return {[o]() -> std::optional<frame_planner> {
        const bool given = o->r_cut > 0;
        if (!given) return std::nullopt;
        soap_parameters p;
        p.r_cut = o->r_cut;
        p.n_max = o->n_max;
        p.l_max = o->l_max;
        p.sigma = o->sigma;
        p.basis = o->basis == "polynomial" ? soap_basis::polynomial : soap_basis::gto;
        p.weighting = o->weighting == "poly" ? soap_weighting::poly : soap_weighting::none;
        p.compression = o->compression == "crossover" ? soap_compression::crossover
                        : o->compression == "mu2"     ? soap_compression::mu2
                                                      : soap_compression::off;
        p.normalize = o->normalize;
        std::optional<soap> d;
        try {
            d.emplace(p);
        } catch (const tessera::error& e) {
            throw usage_error("--soap: ", e.what());
        }
        return frame_planner{[d = *d](const frame_context&, std::vector<planned_descriptor>& out) {
            out.push_back({d, false, "--soap"});
        }};
    }};
}

}  // namespace tessera::cli
