// `tessera timesoap INPUT -o OUTPUT --cutoff RC [--delta K] [--soap-* as tessera compute --soap]
//  [--threads N] [--intersect]`
//
// As `tessera lens`: writes every frame that has a frame K positions earlier (all but the first K)
// with its input columns plus `timesoap`: the chord ‖p̂_i(t−K) − p̂_i(t)‖ between the atom's
// normalised SOAP vectors (dynamics/timesoap.hpp; SOAP of descriptors/soap.hpp, r_cut = RC).
// Memory: the SOAP vectors of the last K frames and the current frame.
#include "common.hpp"
#include "frame_window.hpp"
#include "output.hpp"
#include "soap_options.hpp"
#include "subcommands.hpp"

#include <tessera/dynamics/timesoap.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace tessera::cli {
namespace {

struct timesoap_options {
    int precision = 0;
    bool overwrite = false;
    std::string input, output, frames;
    soap_cli_options soap;  // soap.r_cut is --cutoff
    std::size_t delta = 1;
    int threads = 0;
    bool intersect = false;
};

int run_timesoap(const timesoap_options& o) {
    (void)make_soap(o.soap, "--cutoff/--soap-*");  // parameter errors (and the basis warning) first
    // The species count is the first frame's highest type, kept for every frame (the vectors of
    // two frames must have the same components to be compared).
    std::optional<soap> descriptor;
    int species = 0;
    output_file out(o.output, {o.input});
    run_report report("timesoap");
    frame_writer writer(out);
    writer.set_precision(o.precision);
    delta_window<soap_frame> window(o.delta);  // the last `delta` selected frames
    std::vector<double> values;
    std::size_t written = 0;
    const std::size_t used = for_each_selected_frame(o.input, o.frames, "tessera timesoap", [&](frame& f, std::size_t index) {
        const std::string what = o.input + " frame " + std::to_string(index) + " (timestep " + std::to_string(f.timestep) + ")";
        const auto x = f.positions();
        const auto ids = f.ids();
        const auto types = f.has_column("type") ? f.types() : std::vector<int>{};
        particle_properties props;
        props.types = types;
        int top = 1;
        for (const int t : types) top = std::max(top, t);
        if (!descriptor) {
            species = top;
            descriptor.emplace(make_soap_for_species(o.soap, top, "--cutoff/--soap-*", false));
        } else if (top > species) {
            throw error(what, ": type ", top, ", but the first frame has types up to ", species,
                        " only; TimeSOAP compares vectors of the first frame's species (put a frame with every type first)");
        }
        soap_frame current = window.take_storage();
        std::visit([&](const auto& b) { compute_soap_frame(x, b, props, ids, *descriptor, current, what, openmp_policy{o.threads}); },
                   f.box);
        if (const soap_frame* before = window.partner()) {
            values.assign(f.natoms, 0.0);
            compare_with_intersect_hint([&] {
                timesoap(*before, current, values, o.intersect ? id_mismatch::intersect : id_mismatch::error, what,
                         openmp_policy{o.threads});
            });
            add_result_column(f, o.overwrite, "timesoap", values);
            writer.write(f);
            ++written;
        }
        window.push(std::move(current));
    }, &report.tally);
    writer.close();
    require_frame_pairs(written, used, o.delta, o.input, "TimeSOAP");
    out.commit();
    report.done({&out});
    return 0;
}

}  // namespace

void register_timesoap(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<timesoap_options>();
    CLI::App* sub = app.add_subcommand(
        "timesoap", "TimeSOAP: how far each atom's normalised SOAP vector moved between frames K apart (0: same environment)");
    sub->add_option("input", o->input, "LAMMPS text dump (.gz ok) or extended XYZ, with atom ids")->required();
    sub->add_option("-o,--output", o->output,
                    "output LAMMPS dump (.gz: compressed; -: stdout; .csv or .npy: a per-atom table): frames K.. with input "
                    "columns + timesoap")
        ->required();
    sub->add_option("--cutoff", o->soap.r_cut, "SOAP radial cutoff r_cut (length; as tessera compute --soap RC)")
        ->required()
        ->check(positive_number());
    sub->add_option("--delta", o->delta, "K: TimeSOAP between selected frames t-K and t (default 1)")->check(positive_number());
    add_soap_options(sub, o->soap);
    add_frames_option(sub, o->frames);
    add_precision_option(sub, o->precision);
    add_overwrite_option(sub, o->overwrite);
    add_threads_option(sub, o->threads);
    sub->add_flag("--intersect", o->intersect,
                  "compare the atoms common to both frames (others get nan) instead of failing when the atom set changes");
    add_examples(sub, {"tessera timesoap tension.dump -o timesoap.dump --cutoff 5 --soap-sigma 0.5",
                       "tessera timesoap water.xyz -o ts.csv --cutoff 6 --soap-nmax 6 --soap-lmax 4 --delta 2"});
    sub->callback([o, &action] { action = [o] { return run_timesoap(*o); }; });
}

}  // namespace tessera::cli
