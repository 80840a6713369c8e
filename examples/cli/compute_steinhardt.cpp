// `--steinhardt L,...` (+ --steinhardt-nnn K, --steinhardt-cutoff RC, --steinhardt-voronoi, --wl, --wlhat, --average)
// and `--solid-bonds [THRESHOLD]`: columns q<l>, w<l>, what<l>, qbar<l>, wbar<l>, solid_bonds
// (descriptors/steinhardt.hpp, descriptors/solid_bonds.hpp; docs/descriptors/steinhardt.md).
#include "compute_descriptors.hpp"

#include <tessera/descriptors/solid_bonds.hpp>
#include <tessera/descriptors/steinhardt.hpp>
#include <tessera/pipeline/pipeline.hpp>
#include <tessera/pipeline/voronoi_stage.hpp>

#include <memory>
#include <string>
#include <variant>
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

template <class Stage>
void run_steinhardt(const steinhardt_options& o, const Stage& stage, std::size_t nnn, const frame_context& c,
                    frame& f) {
    const particle_properties p = c.properties.resolved(c.positions.size());
    const auto list = std::visit(
        [&](const auto& b) { return find_neighbors<double>(c.positions, b, stage, {}, c.policy); }, c.box);
    auto add = [&f](const auto& result) {
        for (const auto& name : result.names()) {
            const auto col = result.column(name);
            f.add_column(name, std::vector<double>(col.begin(), col.end()), name == "solid_bonds");
        }
    };
    if (!o.degrees.empty()) {
        add(pipeline(stage, steinhardt{.degrees = o.degrees, .nnn = nnn, .wl = o.wl, .wlhat = o.wlhat,
                                       .face_weighted = o.voronoi})
                .run_on(list, p, c.policy));
        if (o.average)
            add(pipeline(stage, steinhardt_average{.degrees = o.degrees, .nnn = nnn, .wl = o.wl || o.wlhat,
                                                   .face_weighted = o.voronoi})
                    .run_on(list, p, c.policy));
    }
    if (o.solid_opt->count() > 0)
        add(pipeline(stage, solid_bonds{.l = 6, .threshold = o.solid.empty() ? 0.7 : o.solid.front(), .nnn = nnn})
                .run_on(list, p, c.policy));
}
}  // namespace

descriptor_cli steinhardt_cli(CLI::App* compute) {
    auto o = std::make_shared<steinhardt_options>();
    o->degrees_opt = compute
                         ->add_option("--steinhardt", o->degrees,
                                      "Steinhardt q_l for the degrees L,... (0-12): columns q<l> (LAMMPS orientorder/atom)")
                         ->delimiter(',')
                         ->check(CLI::Range(0, 12));
    o->nnn_opt = compute
                     ->add_option("--steinhardt-nnn", o->nnn,
                                  "Steinhardt/solid bonds: the K nearest neighbours (default 12); within RC when "
                                  "--steinhardt-cutoff is also given")
                     ->check(CLI::PositiveNumber);
    o->cutoff_opt = compute
                        ->add_option("--steinhardt-cutoff", o->cutoff,
                                     "Steinhardt/solid bonds: all neighbours within RC (instead of the K nearest)")
                        ->check(CLI::PositiveNumber);
    auto* wl = compute->add_flag("--wl", o->wl, "with --steinhardt: columns w<l> (unnormalised, as LAMMPS 2021)");
    auto* wlhat = compute->add_flag("--wlhat", o->wlhat, "with --steinhardt: columns what<l> (normalised w_l)");
    auto* average = compute->add_flag("--average", o->average,
                                      "with --steinhardt: Lechner-Dellago averages qbar<l> (and wbar<l> with --wl/--wlhat)");
    o->solid_opt = compute
                       ->add_option("--solid-bonds", o->solid,
                                    "number of crystalline bonds, s(i,j) = q6(i).q6(j)*/|q6(i)||q6(j)| > THRESHOLD "
                                    "(default 0.7): column solid_bonds")
                       ->expected(0, 1);
    o->voronoi_opt = compute->add_flag(
        "--steinhardt-voronoi", o->voronoi,
        "Steinhardt/solid bonds over the Voronoi neighbours, q_lm weighted by face area (Mickel et al. 2013)");
    o->voronoi_opt->excludes(o->nnn_opt)->excludes(o->cutoff_opt);
    wl->needs(o->degrees_opt);
    wlhat->needs(o->degrees_opt);
    average->needs(o->degrees_opt);
    return {[o]() -> std::optional<column_producer> {
        if (o->degrees_opt->count() == 0 && o->solid_opt->count() == 0) {
            if (o->nnn_opt->count() > 0 || o->cutoff_opt->count() > 0)
                throw error("--steinhardt-nnn/--steinhardt-cutoff need --steinhardt or --solid-bonds");
            return std::nullopt;
        }
        const bool by_cutoff = o->cutoff_opt->count() > 0, by_count = !by_cutoff || o->nnn_opt->count() > 0;
        return column_producer{[o, by_cutoff, by_count](const frame_context& c, frame& f) {
            if (o->voronoi) {
                run_steinhardt(*o, voronoi_neighbors{}, 0, c, f);
            } else if (by_count) {
                const nearest stage = by_cutoff ? nearest{o->nnn, o->cutoff} : nearest{o->nnn};
                run_steinhardt(*o, stage, o->nnn, c, f);
            } else {
                run_steinhardt(*o, ball{o->cutoff}, 0, c, f);
            }
        }};
    }};
}

}  // namespace tessera::cli
