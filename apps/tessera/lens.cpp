// `tessera lens INPUT -o OUTPUT --cutoff RC [--delta K] [--threads N] [--intersect]`
//
// Writes every frame that has a frame K positions earlier (all but the first K) with its input
// columns plus `lens`: LENS between that earlier frame and this one (dynamics/lens.hpp).
// Memory: the neighbour-id sets of the last K frames and the current frame, whatever the
// trajectory's length.
#include "common.hpp"
#include "frame_window.hpp"
#include "output.hpp"
#include "subcommands.hpp"

#include <tessera/dynamics/lens.hpp>

#include <string_view>
#include <memory>
#include <string>
#include <variant>

namespace tessera::cli {
namespace {

struct lens_options {
    int precision = 0;  // --precision
    bool overwrite = false;
    std::string input, output, frames;
    double cutoff = 0;
    std::size_t delta = 1;
    int threads = 0;
    bool intersect = false;
};

int run_lens(const lens_options& o) {
    output_file out(o.output, {o.input});
    run_report report("lens");
    frame_writer writer(out);
    writer.set_precision(o.precision);
    delta_window<neighbor_id_sets> window(o.delta);  // sets of the last `delta` selected frames
    neighbor_id_set_builder<double> builder;          // scratch kept across frames
    std::vector<double> values;
    std::size_t written = 0;
    const std::size_t used = for_each_selected_frame(o.input, o.frames, "tessera lens", [&](frame& f, std::size_t index) {
        const std::string what = o.input + " frame " + std::to_string(index) + " (timestep " + std::to_string(f.timestep) + ")";
        const auto x = f.positions();
        const auto ids = f.ids();
        neighbor_id_sets sets = window.take_storage();
        std::visit([&](const auto& b) { builder.build(x, b, ids, o.cutoff, sets, openmp_policy{o.threads}, what); }, f.box);
        if (const neighbor_id_sets* before = window.partner()) {
            values.assign(f.natoms, 0.0);
            compare_with_intersect_hint([&] {
                lens(*before, sets, values, o.intersect ? id_mismatch::intersect : id_mismatch::error, what,
                     openmp_policy{o.threads});
            });
            add_result_column(f, o.overwrite, "lens", values);
            writer.write(f);
            ++written;
        }
        window.push(std::move(sets));
    }, &report.tally);
    writer.close();
    require_frame_pairs(written, used, o.delta, o.input, "LENS");
    out.commit();
    report.done({&out});
    return 0;
}

}  // namespace

void register_lens(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<lens_options>();
    CLI::App* sub = app.add_subcommand("lens", "LENS: how much each atom's set of neighbours changed between frames K apart (0: same neighbours, 1: all new)");
    sub->add_option("input", o->input, "LAMMPS text dump (.gz ok) or extended XYZ, with atom ids")->required();
    sub->add_option("-o,--output", o->output, "output LAMMPS dump (.gz: compressed; -: stdout; .csv or .npy: a per-atom table): frames K.. with input columns + lens")->required();
    sub->add_option("--cutoff", o->cutoff, "neighbour cutoff r_cut (length; e.g. 3.1 Å, the first minimum of g(r) in Cu, or 8.0 Å for a wider environment)")
        ->required()
        ->check(positive_number());
    sub->add_option("--delta", o->delta, "K: LENS between selected frames t-K and t (default 1)")
        ->check(positive_number());
    add_frames_option(sub, o->frames);
    add_precision_option(sub, o->precision);
    add_overwrite_option(sub, o->overwrite);
    add_threads_option(sub, o->threads);
    sub->add_flag("--intersect", o->intersect,
                  "compare the atoms common to both frames (others get nan) instead of failing when the atom set changes");
    add_examples(sub, {
                     "tessera lens tension.dump -o lens.dump --cutoff 3.1",
                     "tessera lens tension.dump -o lens.dump --cutoff 8.0 --delta 2 --frames ::5"});
    sub->callback([o, &action] { action = [o] { return run_lens(*o); }; });
}

}  // namespace tessera::cli
