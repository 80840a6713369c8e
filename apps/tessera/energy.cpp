// `tessera energy INPUT -o OUT --pair-style STYLE --pair-coeff COEFF ... [--shear-modulus]`
//
// Per-atom energy, forces and stress of every selected frame with a LAMMPS potential
// (physics/eam.hpp, physics/lj_cut.hpp on the contract of physics/potential.hpp): adds the
// columns pe fx fy fz sxx syy szz sxy sxz syz — LAMMPS's `compute pe/atom`, `fx fy fz` and
// `compute stress/atom NULL virial` (pressure·volume: bar·Å³ in metal units) — and with
// --shear-modulus mu_xy mu_xz mu_yz (physics/shear_modulus.hpp) and von_mises (of the stress
// columns). Prints each frame's total energy and pressure tensor.
#include "common.hpp"
#include "output.hpp"
#include "physics_options.hpp"
#include "subcommands.hpp"

#include <tessera/physics/relaxed_modulus.hpp>
#include <tessera/physics/shear_modulus.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace tessera::cli {
namespace {

struct energy_options {
    potential_options potential;
    bool shear_modulus = false;
    bool relaxed_modulus = false;
    int precision = 0;
    int threads = 1;
    std::string input, output, frames;
};

int run_energy(const energy_options& o) {
    const any_potential pot = make_potential(o.potential);
    const stress_units units = stress_units_of(o.potential);
    output_file out(o.output, {o.input});
    frame_writer writer(out);
    writer.set_precision(o.precision);
    run_report report("energy");
    for_each_selected_frame(o.input, o.frames, "tessera energy", [&](frame& f, std::size_t index) {
        const std::size_t n = f.natoms;
        const auto types = f.types();
        std::vector<vec3<double>> force(n);
        std::vector<double> energy(n);
        std::vector<std::array<double, 6>> virial(n);
        force_output<double> result{force, energy, virial};
        std::vector<std::array<double, 3>> modulus;
        std::optional<relaxed_modulus_result> relaxed;
        std::visit(
            [&](const auto& p) {
                with_box(f.box, [&](const auto& box) {
                    using B = std::decay_t<decltype(box)>;
                    force_evaluator<std::decay_t<decltype(p)>, B> evaluator(p, skin_of(o.potential));
                    evaluator.evaluate(f.positions(), types, box, result);
                    if (o.relaxed_modulus) {
                        if constexpr (std::is_same_v<B, triclinic_box<double>> || std::is_same_v<B, orthogonal_box<double>>) {
                            relaxed_modulus_options ro;
                            ro.unit = units_of(o.potential) == "metal" ? ev_per_a3_to_gpa : 1.0;
                            relaxed = relaxed_shear_modulus(p, f.positions(), types, box, ro);
                        } else {
                            throw usage_error("--relaxed-modulus needs a periodic box");
                        }
                    }
                    if (o.shear_modulus) {
                        using P = std::decay_t<decltype(p)>;
                        if constexpr (std::is_same_v<P, eam_potential>) {
                            modulus = atomic_shear_modulus(p, f.positions(), types, box);
                        } else {
                            throw usage_error("--shear-modulus needs an EAM potential (eam, eam/alloy, eam/fs)");
                        }
                    }
                });
            },
            pot);
        add_energy_force_columns(f, energy, force);
        std::vector<std::array<double, 6>> stress;
        add_stress_columns(f, virial, units, &stress);
        if (o.shear_modulus) {
            static constexpr const char* mu_names[3] = {"mu_xy", "mu_xz", "mu_yz"};
            for (std::size_t c = 0; c < 3; ++c) {
                std::vector<double> col(n);
                for (std::size_t i = 0; i < n; ++i) col[i] = modulus[i][c];
                add_result_column(f, true, mu_names[c], std::move(col));
            }
            std::vector<double> vm(n);
            von_mises(stress, vm);
            add_result_column(f, true, "von_mises", std::move(vm));
        }
        if (relaxed) {
            static constexpr const char* names[3] = {"mu_xy_relaxed", "mu_xz_relaxed", "mu_yz_relaxed"};
            for (std::size_t c = 0; c < 3; ++c) {
                std::vector<double> col(n);
                for (std::size_t i = 0; i < n; ++i) col[i] = relaxed->atomic[i][c];
                add_result_column(f, true, names[c], std::move(col));
            }
            std::fprintf(stderr,
                         "tessera energy: frame %zu: shear modulus of the box (%s) xy xz yz: affine %.8g %.8g %.8g, relaxed %.8g "
                         "%.8g %.8g\n",
                         index, units_of(o.potential) == "metal" ? "GPa" : "lj units", relaxed->born[0], relaxed->born[1],
                         relaxed->born[2], relaxed->relaxed[0], relaxed->relaxed[1], relaxed->relaxed[2]);
        }
        if (show_progress) {
            const double volume = with_box(f.box, [](const auto& b) { return double(b.volume()); });
            std::fprintf(stderr, "tessera energy: frame %zu (timestep %lld): pe %.12g (%.12g per atom)", index,
                         static_cast<long long>(f.timestep), result.total_energy,
                         n ? result.total_energy / double(n) : 0.0);
            if (std::isfinite(volume))
                std::fprintf(stderr, ", pxx pyy pzz pxy pxz pyz %.8g %.8g %.8g %.8g %.8g %.8g",
                             result.total_virial[0] / volume * units.nktv2p, result.total_virial[1] / volume * units.nktv2p,
                             result.total_virial[2] / volume * units.nktv2p, result.total_virial[3] / volume * units.nktv2p,
                             result.total_virial[4] / volume * units.nktv2p, result.total_virial[5] / volume * units.nktv2p);
            std::fprintf(stderr, "\n");
        }
        writer.write(f);
    }, &report.tally);
    writer.close();
    out.commit();
    report.done({&out});
    return 0;
}

}  // namespace

void register_energy(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<energy_options>();
    CLI::App* sub = app.add_subcommand(
        "energy", "per-atom energy, forces and stress (LAMMPS pe/atom, stress/atom) with an EAM or Lennard-Jones potential");
    sub->add_option("input", o->input, "LAMMPS text dump (.gz ok) or extended XYZ, with atom types")->required();
    sub->add_option("-o,--output", o->output,
                    "output LAMMPS dump (.gz: compressed; -: stdout; .csv or .npy: a per-atom table): the input "
                    "+ pe fx fy fz sxx syy szz sxy sxz syz (stress/atom, pressure*volume: bar*A^3 in metal units)")
        ->required();
    add_potential_options(sub, o->potential);
    sub->add_flag("--shear-modulus", o->shear_modulus,
                  "also mu_xy mu_xz mu_yz (atomic shear modulus: affine Born term of the atom's EAM energy per "
                  "strain, GPa) and von_mises (of the stress/atom columns, same units)");
    sub->add_flag("--relaxed-modulus", o->relaxed_modulus,
                  "also mu_xy_relaxed mu_xz_relaxed mu_yz_relaxed: the relaxed (non-affine) shear modulus per atom "
                  "(affine Born term minus the non-affine relaxation, Lutsko; GPa in metal units, V/N per atom; sums to "
                  "the box's, which is printed); needs a minimum in a periodic box, EAM or lj/cut");
    add_frames_option(sub, o->frames);
    add_precision_option(sub, o->precision);
    add_examples(sub, {"tessera energy glass.dump -o e.dump --pair-style eam/fs --pair-coeff '* * CuZr_mm.eam.fs Cu Zr'",
                       "tessera energy ka.dump -o e.dump --pair-style 'lj/cut 2.5' --pair-coeff '1 1 1.0 1.0' "
                       "--pair-coeff '1 2 1.5 0.8' --pair-coeff '2 2 0.5 0.88' --pair-modify 'shift yes'"});
    sub->callback([o, &action] { action = [o] { return run_energy(*o); }; });
}

}  // namespace tessera::cli
