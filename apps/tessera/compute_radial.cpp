// Radial descriptors for `tessera compute` (docs/descriptors/radial.md):
//   --coord-pairs 1-1:3.05,1-2:3.75,2-2:4.35   coord, coord_1 … (descriptors/coordination.hpp)
//   --symmetry-functions MU0:MU1:DMU --sf-width L [--sf-cutoff RC]
//                                              g_<type>_<k> (descriptors/symmetry_functions.hpp)
//   --entropy SIGMA --entropy-cutoff RC|R0:R1:DR [--entropy-local R] [--entropy-partial]
//                                              entropy or entropy_<k> (descriptors/pair_entropy.hpp)
//   --sro RC|pairs                             alpha_<b>, eta_<b> (descriptors/chemical_order.hpp)
//   --local-rdf R0:R1:DR --local-rdf-sigma S [--local-rdf-cutoff RC]
//                                              gloc_<k> (descriptors/local_rdf.hpp)
#include "compute_descriptors.hpp"

#include <tessera/descriptors/chemical_order.hpp>
#include <tessera/descriptors/coordination.hpp>
#include <tessera/descriptors/local_rdf.hpp>
#include <tessera/descriptors/pair_entropy.hpp>
#include <tessera/descriptors/symmetry_functions.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>
#include <string>
#include <variant>

namespace tessera::cli {
namespace {

struct radial_options {
    std::string coord_pairs, sf_grid, entropy_cutoff, sro, local_rdf_grid;
    double sf_width = 0, sf_cutoff = 0, entropy_sigma = 0, entropy_local = 0, local_rdf_sigma = 0, local_rdf_cutoff = 0;
    bool entropy_partial = false;
};

double parse_number(const std::string& s, const std::string& flag) {
    std::size_t used = 0;
    double v = 0;
    try {
        v = std::stod(s, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != s.size() || s.empty()) throw usage_error(flag + ": '" + s + "' is not a number");
    return v;
}

/// "A:B:S" → grid A, A+S, … ≤ B; "A" → {A}.
std::vector<double> parse_grid(const std::string& s, const std::string& flag) {
    const auto c1 = s.find(':');
    if (c1 == std::string::npos) return {parse_number(s, flag)};
    const auto c2 = s.find(':', c1 + 1);
    if (c2 == std::string::npos) throw usage_error(flag + ": expected START:STOP:STEP, got '" + s + "'");
    return symmetry_functions::grid(parse_number(s.substr(0, c1), flag), parse_number(s.substr(c1 + 1, c2 - c1 - 1), flag),
                                    parse_number(s.substr(c2 + 1), flag));
}

/// "1-1:3.05,1-2:3.75,2-2:4.35" (core/type_pair_table.hpp)
pair_coordination parse_pairs(const std::string& s) {
    return pair_coordination::from_table(type_pair_table::parse(s, "--coord-pairs"));
}

}  // namespace

descriptor_cli radial_cli(CLI::App* compute) {
    auto o = std::make_shared<radial_options>();
    compute->add_option("--coord-pairs", o->coord_pairs,
                        "coordination with per type-pair cutoffs A-B:RC,...: columns coord, coord_1, ...");
    compute->add_option("--symmetry-functions", o->sf_grid,
                        "radial symmetry functions on the grid MU0:MU1:DMU: columns g_<type>_<k>");
    compute->add_option("--sf-width", o->sf_width, "symmetry-function width L in exp(-(r-mu)^2/L^2)")
        ->check(positive_number());
    compute->add_option("--sf-cutoff", o->sf_cutoff,
                        "symmetry-function cutoff with a smooth cosine taper (default: mu_max + 3 L, no taper)")
        ->check(positive_number());
    compute->add_option("--entropy", o->entropy_sigma, "two-body excess entropy with Gaussian width SIGMA")
        ->check(positive_number());
    compute->add_option("--entropy-cutoff", o->entropy_cutoff,
                        "entropy integration cutoff RC, or a grid R0:R1:DR (columns entropy_<k>)");
    compute->add_option("--entropy-local", o->entropy_local, "use the local density within R instead of N/V")
        ->check(positive_number());
    compute->add_flag("--entropy-partial", o->entropy_partial, "sum over neighbour types with partial densities");
    compute->add_option("--sro", o->sro,
                        "chemical short-range order in the first shell RC, or 'pairs' for the --coord-pairs "
                        "table: columns alpha_<type>, eta_<type>");
    compute->add_option("--local-rdf", o->local_rdf_grid,
                        "smoothed local g_i(r) on the grid R0:R1:DR (r > 0): columns gloc_<k>");
    compute->add_option("--local-rdf-sigma", o->local_rdf_sigma, "--local-rdf Gaussian width SIGMA (required)")
        ->check(positive_number());
    compute->add_option("--local-rdf-cutoff", o->local_rdf_cutoff, "--local-rdf neighbour cutoff (default R1 + 3 SIGMA)")
        ->check(positive_number());
    return {[o]() -> std::optional<frame_planner> {
        const bool any = !o->coord_pairs.empty() || !o->sf_grid.empty() || o->entropy_sigma > 0 || !o->sro.empty() ||
                         !o->local_rdf_grid.empty();
        if (!any) return std::nullopt;
        std::optional<pair_coordination> pairs;
        if (!o->coord_pairs.empty()) pairs = parse_pairs(o->coord_pairs);
        std::optional<symmetry_functions> sf;
        if (!o->sf_grid.empty()) {
            if (!(o->sf_width > 0)) throw usage_error("--symmetry-functions needs --sf-width L");
            sf = symmetry_functions{parse_grid(o->sf_grid, "--symmetry-functions"), o->sf_width, o->sf_cutoff};
        }
        std::vector<double> entropy_cutoffs;
        if (o->entropy_sigma > 0) {
            if (o->entropy_cutoff.empty()) throw usage_error("--entropy needs --entropy-cutoff RC");
            entropy_cutoffs = parse_grid(o->entropy_cutoff, "--entropy-cutoff");
        }
        std::optional<chemical_order> sro;
        if (!o->sro.empty()) {
            if (o->sro == "pairs") {
                if (!pairs) throw usage_error("--sro pairs needs --coord-pairs");
                sro = chemical_order{0, *pairs};
            } else {
                sro = chemical_order{parse_number(o->sro, "--sro")};
                if (!(sro->cutoff > 0)) throw usage_error("--sro: the cutoff must be positive");
            }
        }
        std::vector<double> local_grid;
        if (!o->local_rdf_grid.empty()) {
            if (!(o->local_rdf_sigma > 0)) throw usage_error("--local-rdf needs --local-rdf-sigma SIGMA");
            local_grid = parse_grid(o->local_rdf_grid, "--local-rdf");
        }
        return frame_planner{[=, opts = *o](const frame_context& c, std::vector<planned_descriptor>& out) {
            if (pairs) {
                check_table_types(c, pairs->ntypes, "--coord-pairs");
                out.push_back({*pairs, true, "--coord-pairs"});
            }
            if (sf) out.push_back({*sf, false, "--symmetry-functions"});
            if (!entropy_cutoffs.empty()) {
                const double volume = std::visit([](const auto& b) { return double(b.volume()); }, c.box);
                if (opts.entropy_local <= 0 && !(std::isfinite(volume) && volume > 0))
                    throw error("--entropy: the frame has no finite box volume; use --entropy-local R");
                out.push_back({pair_entropy{opts.entropy_sigma, entropy_cutoffs, double(c.positions.n) / volume,
                                            opts.entropy_local, opts.entropy_partial},
                               false, "--entropy"});
            }
            if (sro) out.push_back({*sro, false, "--sro"});
            if (!local_grid.empty()) {
                const double volume = std::visit([](const auto& b) { return double(b.volume()); }, c.box);
                if (!(std::isfinite(volume) && volume > 0))
                    throw error("--local-rdf: the frame has no finite box volume (the density N/V is needed)");
                const double rc = opts.local_rdf_cutoff > 0 ? opts.local_rdf_cutoff
                                                            : local_grid.back() + 3 * opts.local_rdf_sigma;
                out.push_back({local_rdf_descriptor{local_grid, opts.local_rdf_sigma, rc,
                                                    double(c.positions.n) / volume},
                               false, "--local-rdf"});
            }
        }};
    }};
}

}  // namespace tessera::cli
