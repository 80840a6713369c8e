// `tessera msd INPUT -o msd.csv [--origins [--max-lag K] [--origin-stride S]] [--frames A:B:S]`
//
// CSV `timestep,msd,alpha2,msd_1,msd_2,...`: mean-squared displacement of unwrapped positions
// and the non-Gaussian parameter relative to the first frame (per type: msd_<type>), or, with
// --origins, averaged over time origins per lag (dynamics/msd.hpp). Unwrapped coordinates or
// image flags are used when present, else minimum-image increments between frames.
#include "displacements.hpp"
#include "subcommands.hpp"

#include <memory>

namespace tessera::cli {

void register_msd(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<displacement_cli_options>();
    CLI::App* sub = app.add_subcommand("msd", "mean-squared displacement and non-Gaussian parameter alpha2");
    add_displacement_options(sub, *o);
    sub->add_option("-o,--output", o->output, "output CSV (-: stdout): timestep,msd,alpha2,msd_<type>...")->required();
    add_examples(sub, {
                     "tessera msd run.dump -o msd.csv",
                     "tessera msd run.dump -o msd.csv --origins --max-lag 100 --origin-stride 10"});
    sub->callback([o, &action] { action = [o] { return run_displacements(*o, displacement_output::msd); }; });
}

}  // namespace tessera::cli
