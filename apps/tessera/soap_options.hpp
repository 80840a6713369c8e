#pragma once
// The SOAP options shared by `tessera compute --soap RC` and `tessera timesoap --cutoff RC`
// (descriptors/soap.hpp, docs/descriptors/soap.md): one definition of the flags and of the
// parameters they make.
#include "common.hpp"

#include <tessera/descriptors/soap.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>

namespace tessera::cli {

struct soap_cli_options {
    double r_cut = 0, sigma = 1.0;
    int n_max = 8, l_max = 6;
    std::string basis = "gto", weighting = "none", compression = "off";
    double r0 = 0, c = 1, m = 1, d = 1;
    bool normalize = false;
};

/// Adds --soap-nmax, --soap-lmax, --soap-sigma, --soap-basis, --soap-weighting (+ --soap-r0,
/// --soap-c, --soap-m, --soap-d) and --soap-compression; the cutoff flag is the caller's.
inline void add_soap_options(CLI::App* sub, soap_cli_options& o) {
    sub->add_option("--soap-nmax", o.n_max, "SOAP radial basis functions n_max (default 8)")->check(in_range(1, 20));
    sub->add_option("--soap-lmax", o.l_max, "SOAP spherical-harmonic degree l_max (default 6)")->check(in_range(0, 12));
    sub->add_option("--soap-sigma", o.sigma, "SOAP Gaussian width sigma of each atom's density (default 1)")
        ->check(positive_number());
    sub->add_option("--soap-basis", o.basis, "SOAP radial basis: gto (default) or polynomial (DScribe's)")
        ->check(CLI::IsMember({"gto", "polynomial"}));
    sub->add_option("--soap-weighting", o.weighting,
                    "SOAP density weighting (DScribe's): none (default; atoms to RC + 3.72 sigma), poly "
                    "c(1 + 2(r/r0)^3 - 3(r/r0)^2)^m (zero with zero slope at r0: a smooth cutoff), pow c/(d + (r/r0)^m) "
                    "or exp c/(d + exp(-r/r0))")
        ->check(CLI::IsMember({"none", "poly", "pow", "exp"}));
    sub->add_option("--soap-r0", o.r0, "weighting r0 (length; default: the SOAP cutoff RC)")->check(positive_number());
    sub->add_option("--soap-c", o.c, "weighting c (default 1)")->check(positive_number());
    sub->add_option("--soap-m", o.m, "weighting m (poly, pow; default 1)")->check(positive_number());
    sub->add_option("--soap-d", o.d, "weighting d (pow, exp; default 1)")->check(CLI::NonNegativeNumber);
    sub->add_option("--soap-compression", o.compression,
                    "SOAP species pairs: off (default, every pair), crossover (same-species only), mu2 (species summed) "
                    "or mu1nu1 (each species against the sum)")
        ->check(CLI::IsMember({"off", "crossover", "mu2", "mu1nu1"}));
}

/// A --soap-* parameter given without the flag that enables SOAP (`enabling`) is a usage error
/// (it would silently do nothing).
inline void reject_soap_options_without(CLI::App* sub, const char* enabling) {
    for (const char* name : {"--soap-nmax", "--soap-lmax", "--soap-sigma", "--soap-basis", "--soap-weighting",
                             "--soap-r0", "--soap-c", "--soap-m", "--soap-d", "--soap-compression", "--soap-normalize"}) {
        const CLI::Option* o = sub->get_option_no_throw(name);
        if (o && o->count() > 0) throw usage_error(name, " needs ", enabling);
    }
}

/// The descriptor the flags describe, for `species` species (0: from each frame's types); a
/// parameter error is a usage error naming `flag`.
inline soap make_soap_for_species(const soap_cli_options& o, int species, const char* flag, bool warn = true) {
    soap_parameters p;
    p.r_cut = o.r_cut;
    p.n_max = o.n_max;
    p.l_max = o.l_max;
    p.sigma = o.sigma;
    p.basis = o.basis == "polynomial" ? soap_basis::polynomial : soap_basis::gto;
    p.weighting = o.weighting == "poly"  ? soap_weighting::poly
                  : o.weighting == "pow" ? soap_weighting::pow
                  : o.weighting == "exp" ? soap_weighting::exp
                                         : soap_weighting::none;
    p.weight_r0 = o.r0;
    p.weight_c = o.c;
    p.weight_m = o.m;
    p.weight_d = o.d;
    p.compression = o.compression == "crossover" ? soap_compression::crossover
                    : o.compression == "mu2"     ? soap_compression::mu2
                    : o.compression == "mu1nu1"  ? soap_compression::mu1nu1
                                                  : soap_compression::off;
    p.normalize = o.normalize;
    p.species = species;
    try {
        soap d(p);
        if (warn && d.basis_defect() > 1e-6)  // usable, but say so (docs/descriptors/soap.md)
            std::fprintf(stderr,
                         "tessera: warning: %s: the %s radial basis with n_max %d at r_cut %g is orthonormal only to "
                         "%.2g (its overlap matrix is ill-conditioned, as in DScribe); lower n_max for an orthonormal "
                         "basis\n",
                         flag, o.basis.c_str(), o.n_max, o.r_cut, d.basis_defect());
        return d;
    } catch (const tessera::error& e) {
        throw usage_error(flag, ": ", e.what());
    }
}

/// The descriptor the flags describe with the species taken from the particles (checks the
/// parameters and warns about the basis once).
inline soap make_soap(const soap_cli_options& o, const char* flag) { return make_soap_for_species(o, 0, flag); }

}  // namespace tessera::cli
