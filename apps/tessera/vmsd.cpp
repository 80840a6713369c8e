// `tessera vmsd INPUT -o OUTPUT [--reference REF] [--frames A:B:S]`
//
// Vibrational mean-squared displacement per atom (dynamics/vibrational_msd.hpp):
// <|r_i(t) − r_i,ref|²> over the selected frames of INPUT, minimum image in each frame's box,
// atoms matched by id, against the first frame of REF (normally the inherent structure the
// atoms vibrate around) or, without --reference, the first selected frame of INPUT (then the
// average runs over the frames after it). Writes the reference frame with its columns plus `vmsd`.
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"

#include <tessera/dynamics/vibrational_msd.hpp>

#include <CLI/CLI.hpp>

#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace tessera::cli {
namespace {

struct vmsd_options {
    int precision = 0;  // --precision
    bool overwrite = false;
    std::string input, output, frames, reference;
};

int run_vmsd(const vmsd_options& o) {
    output_file out(o.output, {o.input, o.reference});
    run_report report("vmsd");
    std::optional<frame> ref;
    if (!o.reference.empty()) {
        trajectory_reader r(o.reference);
        frame f;
        if (!r.next(f)) throw error(o.reference + ": no frame to use as the reference");
        ref = std::move(f);
    }
    std::optional<vibrational_msd<double>> v;
    for_each_selected_frame(o.input, o.frames, "tessera vmsd", [&](frame& f, std::size_t index) {
        const std::string what = o.input + " frame " + std::to_string(index) + " (timestep " + std::to_string(f.timestep) + ")";
        if (!v) {
            const std::string ref_name = ref ? o.reference + " (reference)" : what + " (reference)";
            if (!ref) {
                ref = f;  // the reference itself is not averaged
                v.emplace(ref->positions(), ref->ids(), ref_name);
                return;
            }
            v.emplace(ref->positions(), ref->ids(), ref_name);
        }
        const auto ids = f.ids();
        std::visit([&](const auto& b) { v->add(f.positions(), b, ids, what); }, f.box);
    }, &report.tally);
    if (v->frames() == 0)
        throw error(o.input + ": no frame to average after the reference (the first selected frame); select at "
                              "least two frames or give --reference");
    add_result_column(*ref, o.overwrite, "vmsd", v->values());
    frame_writer writer(out);
    writer.set_precision(o.precision);
    writer.write(*ref);
    writer.close();
    out.commit();
    report.done({&out});
    return 0;
}

}  // namespace

void register_vmsd(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<vmsd_options>();
    CLI::App* sub = app.add_subcommand("vmsd", "vibrational mean-squared displacement per atom about a reference");
    sub->add_option("input", o->input, "LAMMPS text dump (.gz ok) or extended XYZ, with atom ids")->required();
    sub->add_option("-o,--output", o->output, "output LAMMPS dump (.gz: compressed; -: stdout; .csv or .npy: a per-atom table): the reference frame + vmsd")->required();
    sub->add_option("--reference", o->reference,
                    "dump whose first frame is the reference (e.g. the inherent structure); default: the first "
                    "selected frame of INPUT");
    add_frames_option(sub, o->frames);
    add_precision_option(sub, o->precision);
    add_overwrite_option(sub, o->overwrite);
    add_examples(sub, {
                     "tessera vmsd vib.dump -o vmsd.dump",
                     "tessera vmsd vib.dump -o vmsd.dump --reference minimized.dump"});
    sub->callback([o, &action] { action = [o] { return run_vmsd(*o); }; });
}

}  // namespace tessera::cli
