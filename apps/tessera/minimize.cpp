// `tessera minimize INPUT -o OUT --pair-style ... --pair-coeff ... [--min-style sd|cg|fire]
//                   [--box-relax PRESS] [--etol 0 --ftol 1e-10 --max-iter N]`
//
// Relaxes every selected frame to a local energy minimum (physics/minimize.hpp: LAMMPS's
// min_style sd / cg with the quadratic line search, and fire), at fixed box or, with
// --box-relax, with the cell relaxed to the target pressure (physics/box_relax.hpp). Writes the
// relaxed frames with pe fx fy fz; prints each frame's initial and final energy, iterations,
// force evaluations and LAMMPS's stopping criterion. A run that hits --max-iter or --max-eval
// is reported and, without --allow-unconverged, exits with status 1 after writing.
#include "common.hpp"
#include "output.hpp"
#include "physics_options.hpp"
#include "subcommands.hpp"

#include <tessera/physics/box_relax.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace tessera::cli {
namespace {

struct minimize_cli_options {
    potential_options potential;
    minimizer_options minimizer;
    std::optional<double> box_relax;
    double box_tolerance = 1.0;
    bool allow_unconverged = false;
    int precision = 0;
    std::string input, output, frames;
};

int run_minimize(const minimize_cli_options& o) {
    const any_potential pot = make_potential(o.potential);
    const std::vector<double> masses = masses_of(pot);
    const stress_units units = stress_units_of(o.potential);
    output_file out(o.output, {o.input});
    FILE* info = out.is_stdout() ? stderr : stdout;
    frame_writer writer(out);
    writer.set_precision(o.precision);
    run_report report("minimize");
    std::size_t unconverged = 0;
    for_each_selected_frame(o.input, o.frames, "tessera minimize", [&](frame& f, std::size_t index) {
        const std::string what = o.input + " frame " + std::to_string(index);
        physics_system s = system_of(f, what);
        const std::size_t n = s.x.size();
        std::vector<vec3<double>> force(n);
        std::vector<double> energy(n);
        force_output<double> result{force, energy, {}};
        relax_result r;
        std::visit(
            [&](const auto& p) {
                native_engine engine(p, s.types, native_minimize_options(o.minimizer, o.potential, masses));
                if (o.box_relax) {
                    box_relax_options b;
                    b.target_pressure = *o.box_relax;
                    b.tolerance = o.box_tolerance;
                    b.nktv2p = units.nktv2p;
                    const box_relax_result br = relax_box(engine, std::span<vec3<double>>(s.x), s.box, b);
                    r = br.relax;
                    std::fprintf(info, "tessera minimize: %s: box relaxed in %zu cycles, max |P_ab - P_target| %.6g\n",
                                 what.c_str(), br.cycles, br.max_pressure_error);
                } else {
                    r = engine.relax(s.x, s.box, {});
                }
                engine.evaluate(std::span<const vec3<double>>(s.x), s.box, result);
            },
            pot);
        std::fprintf(info,
                     "tessera minimize: %s: energy %.15g -> %.15g (%.15g per atom), %zu iterations, %zu force "
                     "evaluations, stopping criterion: %s, |F| %.6g, max |F_i| %.6g\n",
                     what.c_str(), r.initial_energy, r.final_energy, n ? r.final_energy / double(n) : 0.0, r.iterations,
                     r.evaluations, std::string(to_string(r.reason)).c_str(), r.final_force_norm, r.final_force_max);
        if (r.reached_limit()) ++unconverged;
        store_positions(f, s.x, s.box);
        add_energy_force_columns(f, energy, force);
        writer.write(f);
    }, &report.tally);
    writer.close();
    out.commit();
    report.done({&out});
    if (unconverged && !o.allow_unconverged) {
        std::fprintf(stderr,
                     "tessera minimize: %zu frame%s stopped at --max-iter/--max-eval before a tolerance was met (written "
                     "anyway); raise the limits or pass --allow-unconverged\n",
                     unconverged, unconverged == 1 ? "" : "s");
        return 1;
    }
    return 0;
}

}  // namespace

void register_minimize(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<minimize_cli_options>();
    CLI::App* sub = app.add_subcommand("minimize", "relax atoms (and optionally the cell) to a local energy minimum, as LAMMPS minimize");
    sub->add_option("input", o->input, "LAMMPS text dump (.gz ok) or extended XYZ, with atom types and a cell")->required();
    sub->add_option("-o,--output", o->output,
                    "output LAMMPS dump (.gz: compressed; -: stdout; .csv or .npy: a per-atom table): the relaxed "
                    "frames + pe fx fy fz")
        ->required();
    add_potential_options(sub, o->potential);
    add_minimizer_options(sub, o->minimizer, "cg");
    sub->add_option("--box-relax", o->box_relax,
                    "also relax the cell (all six components, as fix box/relax tri) to this hydrostatic pressure "
                    "(bar in metal units)");
    sub->add_option("--box-tolerance", o->box_tolerance,
                    "with --box-relax: stop when every |P_ab - target| is below this (default 1 bar = 0.1 MPa)")
        ->check(positive_number());
    sub->add_flag("--allow-unconverged", o->allow_unconverged,
                  "exit 0 even when a minimisation stopped at --max-iter or --max-eval");
    add_frames_option(sub, o->frames);
    add_precision_option(sub, o->precision);
    add_examples(sub, {"tessera minimize glass.dump -o relaxed.dump --pair-style eam/fs --pair-coeff '* * CuZr_mm.eam.fs Cu Zr'",
                       "tessera minimize glass.dump -o relaxed.dump --pair-style eam/fs --pair-coeff '* * CuZr_mm.eam.fs Cu Zr' "
                       "--min-style fire --box-relax 0"});
    sub->callback([o, &action] { action = [o] { return run_minimize(*o); }; });
}

}  // namespace tessera::cli
