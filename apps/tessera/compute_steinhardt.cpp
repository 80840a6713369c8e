// `--steinhardt L,...` (+ --steinhardt-nnn K, --steinhardt-cutoff RC, --steinhardt-voronoi, --wl, --wlhat, --average)
// and `--solid-bonds [THRESHOLD]`: columns q<l>, w<l>, what<l>, qbar<l>, wbar<l>, solid_bonds
// (descriptors/steinhardt.hpp, descriptors/solid_bonds.hpp; docs/descriptors/steinhardt.md).
#include "compute_descriptors.hpp"

#include <tessera/descriptors/solid_bonds.hpp>
#include <tessera/descriptors/steinhardt.hpp>

#include <memory>
#include <string>
#include <vector>

namespace tessera::cli {

namespace {
struct steinhardt_options {
    std::vector<int> degrees;
    std::size_t nnn = 12;
    double cutoff = 0;
    bool wl = false, wlhat = false, average = false, voronoi = false;
    std::vector<double> solid;  // --solid-bonds [THRESHOLD]
    CLI::Option *degrees_opt = nullptr, *nnn_opt = nullptr, *cutoff_opt = nullptr, *solid_opt = nullptr,
                *voronoi_opt = nullptr;
};

/// --solid-bonds THRESHOLD, or 0.7 when the flag is bare (CLI11 leaves the vector empty then, or
/// holds its default-constructed value: read the flag's own results to tell them apart).
double solid_threshold(const steinhardt_options& o) {
    const auto& given = o.solid_opt->results();
    if (given.empty() || given.front().empty()) return 0.7;
    return o.solid.front();
}

/// The bond-order descriptors the flags ask for, each stating its neighbours: Voronoi (face
/// weighted), the nnn nearest (within cutoff when given), or all within cutoff.
void plan_steinhardt(const steinhardt_options& o, std::size_t nnn, double cutoff, std::vector<planned_descriptor>& out) {
    if (!o.degrees.empty()) {
        out.push_back({steinhardt{.degrees = o.degrees, .nnn = nnn, .wl = o.wl, .wlhat = o.wlhat,
                                  .face_weighted = o.voronoi, .cutoff = cutoff},
                       false, "--steinhardt"});
        if (o.average)
            out.push_back({steinhardt_average{.degrees = o.degrees, .nnn = nnn, .wl = o.wl || o.wlhat,
                                              .face_weighted = o.voronoi, .cutoff = cutoff},
                           false, "--average"});
    }
    if (o.solid_opt->count() > 0)
        out.push_back({solid_bonds{.l = 6, .threshold = solid_threshold(o), .nnn = nnn,
                                   .cutoff = cutoff, .voronoi = o.voronoi},
                       true, "--solid-bonds"});
}
}  // namespace

descriptor_cli steinhardt_cli(CLI::App* compute) {
    auto o = std::make_shared<steinhardt_options>();
    o->degrees_opt = compute
                         ->add_option("--steinhardt", o->degrees,
                                      "Steinhardt q_l for the degrees L,... (0-12): columns q<l> (LAMMPS orientorder/atom)")
                         ->delimiter(',')
                         ->check(in_range(0, 12));
    o->nnn_opt = compute
                     ->add_option("--steinhardt-nnn", o->nnn,
                                  "Steinhardt/solid bonds: the K nearest neighbours (default 12); within RC when "
                                  "--steinhardt-cutoff is also given")
                     ->check(positive_number());
    o->cutoff_opt = compute
                        ->add_option("--steinhardt-cutoff", o->cutoff,
                                     "Steinhardt/solid bonds: all neighbours within RC (instead of the K nearest)")
                        ->check(positive_number());
    auto* wl = compute->add_flag("--wl", o->wl, "with --steinhardt: columns w<l> (unnormalised, as LAMMPS 2021)");
    auto* wlhat = compute->add_flag("--wlhat", o->wlhat, "with --steinhardt: columns what<l> (normalised w_l)");
    auto* average = compute->add_flag("--average", o->average,
                                      "with --steinhardt: Lechner-Dellago averages qbar<l> (and wbar<l> with --wl/--wlhat)");
    o->solid_opt = compute
                       ->add_option("--solid-bonds", o->solid,
                                    "number of crystalline bonds, s(i,j) = q6(i).q6(j)*/|q6(i)||q6(j)| > THRESHOLD; "
                                    "the value is optional: a bare --solid-bonds uses 0.7: column solid_bonds")
                       ->expected(0, 1);
    o->voronoi_opt = compute->add_flag(
        "--steinhardt-voronoi", o->voronoi,
        "Steinhardt/solid bonds over the Voronoi neighbours, q_lm weighted by face area (Mickel et al. 2013)");
    o->voronoi_opt->excludes(o->nnn_opt)->excludes(o->cutoff_opt);
    wl->needs(o->degrees_opt);
    wlhat->needs(o->degrees_opt);
    average->needs(o->degrees_opt);
    return {[o]() -> std::optional<frame_planner> {
        if (o->degrees_opt->count() == 0 && o->solid_opt->count() == 0) {
            if (o->nnn_opt->count() > 0 || o->cutoff_opt->count() > 0)
                throw usage_error("--steinhardt-nnn/--steinhardt-cutoff need --steinhardt or --solid-bonds");
            return std::nullopt;
        }
        const bool by_cutoff = o->cutoff_opt->count() > 0, by_count = !by_cutoff || o->nnn_opt->count() > 0;
        const std::size_t nnn = o->voronoi ? 0 : (by_count ? o->nnn : 0);
        const double cutoff = o->voronoi || !by_cutoff ? 0.0 : o->cutoff;
        return frame_planner{[o, nnn, cutoff](const frame_context&, std::vector<planned_descriptor>& out) {
            plan_steinhardt(*o, nnn, cutoff, out);
        }};
    }};
}

}  // namespace tessera::cli
