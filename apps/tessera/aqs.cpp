// `tessera aqs INPUT -o TRAJ.dump --pair-style ... --pair-coeff ... --shear xy --strain-step 5e-5
//              --steps N [--min-style sd|cg|fire] [--stress-drop DS] [--csv STRESS.csv]`
//
// Athermal quasi-static simple shear (physics/aqs.hpp): relax the input (step 0), then N times
// an affine shear step (LAMMPS `change_box all xy delta γ·ly remap`) and a relaxation at fixed box.
// TRAJ.dump gets every --every-th relaxed configuration with pe fx fy fz and stress/atom
// (sxx … syz, bar·Å³ in metal units); STRESS.csv one row per step:
// step,strain,pe,pxx,pyy,pzz,pxy,pxz,pyz,drop — LAMMPS's pressure tensor (bar in metal units) of
// the relaxed state and the stress drop of the step (the fall of the shear stress against the
// loading, in pressure units) when it exceeds --stress-drop, else 0.
#include "common.hpp"
#include "output.hpp"
#include "physics_options.hpp"
#include "subcommands.hpp"

#include <tessera/io/csv_writer.hpp>
#include <tessera/physics/aqs.hpp>
#include <tessera/stats/power_law.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <variant>

namespace tessera::cli {
namespace {

struct aqs_cli_options {
    potential_options potential;
    minimizer_options minimizer;
    std::string shear = "xy";
    double strain_step = 5e-5;
    std::size_t steps = 0, every = 1, frame_index = 0;
    double stress_drop = 0;
    int precision = 0;
    std::string input, output, csv;
};

int run_aqs_command(const aqs_cli_options& o) {
    const auto [plane, sign] = parse_signed_shear(o.shear);
    const any_potential pot = make_potential(o.potential);
    const std::vector<double> masses = masses_of(pot);
    const stress_units units = stress_units_of(o.potential);
    output_file out(o.output, {o.input});
    std::optional<output_file> csv_out;
    if (!o.csv.empty()) csv_out.emplace(o.csv, std::vector<std::string>{o.input, o.output}, "--csv");
    FILE* info = out.is_stdout() || (csv_out && csv_out->is_stdout()) ? stderr : stdout;
    run_report report("aqs");

    const frame input = read_one_frame(o.input, o.frame_index);
    const std::string what = o.input + " frame " + std::to_string(o.frame_index);
    physics_system s = system_of(input, what);
    frame_writer writer(out);
    writer.set_precision(o.precision);
    // Rows are written as steps finish, so a long run's curve can be watched (and survives a kill
    // as the temporary file).
    std::unique_ptr<csv_writer> table;
    if (csv_out) table = csv_out->csv({"step", "strain", "pe", "pxx", "pyy", "pzz", "pxy", "pxz", "pyz", "drop"});
    aqs_options opt;
    opt.plane = plane;
    opt.strain_step = sign * o.strain_step;
    opt.steps = o.steps;
    opt.drop_threshold = o.stress_drop;
    opt.nktv2p = units.nktv2p;
    std::vector<aqs_step> curve;
    std::visit(
        [&](const auto& p) {
            native_engine engine(p, s.types, native_minimize_options(o.minimizer, o.potential, masses));
            curve = run_aqs(engine, std::span<vec3<double>>(s.x), s.box, opt,
                            [&](const aqs_step& step, std::span<const vec3<double>> x, const triclinic_box<double>& box,
                                const force_output<double>& ev) {
                                if (table) {
                                    table->add(std::int64_t(step.step)).add(step.strain).add(step.energy);
                                    for (double p : step.pressure) table->add(p);
                                    table->add(step.event ? step.drop : 0.0);
                                    table->end_row();
                                }
                                if (step.event)
                                    std::fprintf(info, "tessera aqs: step %zu (strain %.6g): stress drop %.6g\n", step.step,
                                                 step.strain, step.drop);
                                if (step.step % o.every != 0 && step.step != o.steps) return;
                                frame f = input;
                                f.timestep = std::int64_t(step.step);
                                store_positions(f, x, box);
                                add_energy_force_columns(f, ev.energy, ev.force);
                                add_stress_columns(f, ev.virial, units);
                                writer.write(f);
                            });
        },
        pot);
    writer.close();
    out.commit();
    if (csv_out) {
        table->close();
        csv_out->commit();
    }
    std::vector<double> sizes;
    for (const auto& step : curve)
        if (step.event) sizes.push_back(step.drop);
    std::fprintf(info, "tessera aqs: %zu steps of %.6g %s strain, %zu stress drops above %.6g\n", o.steps,
                 sign * o.strain_step, to_string(plane), sizes.size(), o.stress_drop);
    // The distribution of drop sizes P(Δσ) ∝ Δσ^−α (seed 001, Fig. 3a): Clauset's maximum
    // likelihood with x_min by the KS criterion (stats/power_law.hpp), once the tail has 10 drops.
    if (sizes.size() >= 11) {
        const power_law_fit fit = fit_power_law_scan(sizes, 10);
        std::fprintf(info, "tessera aqs: drop sizes: power law alpha %.4g +- %.2g above %.6g (%zu drops, KS %.3g)\n",
                     fit.alpha, fit.alpha_stderr, fit.x_min, fit.n_tail, fit.ks);
    }
    report.done(curve.size(), input.natoms, {&out, csv_out ? &*csv_out : nullptr});
    return 0;
}

}  // namespace

void register_aqs(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<aqs_cli_options>();
    CLI::App* sub = app.add_subcommand("aqs", "athermal quasi-static simple shear: shear step, relax, record stress; stress drops");
    sub->add_option("input", o->input, "LAMMPS text dump (.gz ok) or extended XYZ with a periodic cell: the glass to shear")
        ->required();
    sub->add_option("-o,--output", o->output,
                    "trajectory of relaxed configurations (LAMMPS dump; timestep = AQS step) with pe fx fy fz sxx syy "
                    "szz sxy sxz syz")
        ->required();
    add_potential_options(sub, o->potential);
    add_minimizer_options(sub, o->minimizer, "cg");
    sub->add_option("--shear", o->shear, "shear plane xy, xz or yz, optionally signed (-xy shears the other way; default xy)");
    sub->add_option("--strain-step", o->strain_step, "engineering shear strain per step (default 5e-5)")
        ->check(positive_number());
    sub->add_option("--steps", o->steps, "number of shear steps after the relaxed step 0")->required();
    sub->add_option("--stress-drop", o->stress_drop,
                    "a step is a stress drop when the shear stress falls by more than this (pressure units: bar in "
                    "metal; default 0: any fall)")
        ->check(non_negative_number());
    sub->add_option("--csv", o->csv, "stress-strain table: step,strain,pe,pxx,pyy,pzz,pxy,pxz,pyz,drop");
    sub->add_option("--every", o->every, "write every K-th step to the trajectory (default 1; the last step always)")
        ->check(positive_number());
    sub->add_option("--frame", o->frame_index, "which frame of INPUT to start from (default 0, the first)");
    add_precision_option(sub, o->precision);
    add_examples(sub, {"tessera aqs glass.dump -o aqs.dump --csv stress.csv --pair-style eam/fs --pair-coeff '* * "
                       "CuZr_mm.eam.fs Cu Zr' --shear xy --strain-step 5e-5 --steps 3000 --min-style sd",
                       "tessera aqs ka.dump -o aqs.dump --pair-style 'lj/cut 2.5' --pair-coeff '1 1 1.0 1.0' --pair-coeff "
                       "'1 2 1.5 0.8' --pair-coeff '2 2 0.5 0.88' --shear -xz --strain-step 1e-4 --steps 500"});
    sub->callback([o, &action] { action = [o] { return run_aqs_command(*o); }; });
}

}  // namespace tessera::cli
