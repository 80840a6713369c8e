// `tessera isf INPUT -q Q -o fs.csv [--dq DQ] [--max-q N] [--origins ...] [--frames A:B:S]`
//
// CSV `timestep,fs`: self-intermediate scattering function F_s(q, t) = <cos(q·Δr)> averaged
// over the q-vectors commensurate with the first frame's box with | |q| − Q | ≤ DQ/2, relative to
// the first frame or averaged over time origins (dynamics/msd.hpp). Prints the number of
// q-vectors and τ_α (F_s = 1/e, linear interpolation, in timesteps) on stderr.
#include "displacements.hpp"
#include "subcommands.hpp"

#include <memory>

namespace tessera::cli {

void register_isf(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<displacement_cli_options>();
    CLI::App* sub = app.add_subcommand("isf", "self-intermediate scattering function F_s(q,t) and tau_alpha");
    add_displacement_options(sub, *o);
    sub->add_option("-o,--output", o->output, "output CSV (-: stdout): timestep,fs")->required();
    sub->add_option("-q,--q", o->q, "|q| (inverse length, e.g. 2.7 1/Å at the first S(q) peak of CuZr)")
        ->required()
        ->check(positive_number());
    sub->add_option("--dq", o->dq, "width of the |q| shell (default 0.1)")->check(positive_number());
    sub->add_option("--max-q", o->max_q, "use at most N q-vectors, evenly thinned (default 0: all)")->check(non_negative_number());
    add_examples(sub, {
                     "tessera isf run.dump -o fs.csv --q 2.7",
                     "tessera isf run.dump -o fs.csv --q 7.25 --dq 0.2 --origins --max-lag 50"});
    sub->callback([o, &action] { action = [o] { return run_displacements(*o, displacement_output::isf); }; });
}

}  // namespace tessera::cli
