// `tessera bonds INPUT -o OUTPUT --pairs A-B:RC,... [--hysteresis H] [--rule distance|margin]
//                [--reference first|previous] [--frames A:B:S]`
//
// Local configurational excitations (seed 001): for every frame after the reference, the input
// columns plus `bonds_broken` and `bonds_formed` — first-shell bonds of each atom broken and
// formed since the reference frame, with per-type-pair cutoffs and a hysteresis
// (dynamics/bond_changes.hpp; seed 001: Cu–Cu 3.05, Cu–Zr 3.75, Zr–Zr 4.35 Å, h = 0.075 Å).
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"

#include <tessera/dynamics/bond_changes.hpp>

#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <variant>

namespace tessera::cli {
namespace {

struct bonds_options {
    int precision = 0;  // --precision
    bool overwrite = false;
    std::string input, output, frames, pairs, rule = "distance", reference = "first";
    double hysteresis = 0.075;
};

/// "1-1:3.05,1-2:3.75,2-2:4.35" → cutoffs for types 1..max, every pair given.
pair_cutoffs parse_pairs(const std::string& text) {
    pair_cutoffs c(type_pair_table::parse(text, "--pairs"));
    c.validate();
    return c;
}

int run_bonds(const bonds_options& o) {
    output_file out(o.output, {o.input});
    run_report report("bonds");
    bond_change_options opt{parse_pairs(o.pairs), o.hysteresis,
                            o.rule == "margin" ? bond_change_rule::shell_margin : bond_change_rule::distance_change};
    const bool previous = o.reference == "previous";
    frame_writer writer(out);
    writer.set_precision(o.precision);
    std::optional<frame> ref;
    std::size_t written = 0;
    const std::size_t used = for_each_selected_frame(o.input, o.frames, "tessera bonds", [&](frame& f, std::size_t index) {
        if (!ref) {
            const auto types = f.types();
            check_table_types(types, opt.cutoffs.num_types(), "--pairs");
        }
        if (ref) {
            const std::string what = o.input + " frame " + std::to_string(index) + " (timestep " + std::to_string(f.timestep) + ")";
            const auto xa = ref->positions(), xb = f.positions();
            const auto ia = ref->ids(), ib = f.ids();
            const auto ta = ref->types();
            const auto counts = std::visit(
                [&](const auto& ba, const auto& bb) { return bond_changes(xa, ba, ia, ta, xb, bb, ib, opt, what); }, ref->box,
                f.box);
            add_result_column(f, o.overwrite, "bonds_broken", std::vector<double>(counts.broken.begin(), counts.broken.end()), true);
            add_result_column(f, o.overwrite, "bonds_formed", std::vector<double>(counts.formed.begin(), counts.formed.end()), true);
            writer.write(f);
            ++written;
        }
        if (!ref || previous) ref = f;
    }, &report.tally);
    writer.close();
    if (written == 0) throw error(o.input + ": " + std::to_string(used) + " selected frame(s); bond changes need two");
    out.commit();
    report.done({&out});
    return 0;
}

}  // namespace

void register_bonds(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<bonds_options>();
    CLI::App* sub = app.add_subcommand("bonds", "first-shell bonds each atom broke and formed since a reference frame (local configuration changes)");
    sub->add_option("input", o->input, "LAMMPS text dump (.gz ok) or extended XYZ, with ids and types")->required();
    sub->add_option("-o,--output", o->output, "output LAMMPS dump (.gz: compressed; -: stdout; .csv or .npy: a per-atom table): input columns + bonds_broken bonds_formed")->required();
    sub->add_option("--pairs", o->pairs, "first-shell cutoffs r_c per type pair (length), every pair of the file's types, e.g. 1-1:3.05,1-2:3.75,2-2:4.35")->required();
    sub->add_option("--hysteresis", o->hysteresis, "h: distance change (length) a bond must make to count (default 0.075)")
        ->check(non_negative_number());
    sub->add_option("--rule", o->rule,
                    "distance (default: a bond breaks when it crosses r_c and its length changes by more than h) or margin (broken when r > r_c + h)")
        ->check(CLI::IsMember({"distance", "margin"}));
    sub->add_option("--reference", o->reference, "first (default) or previous frame")
        ->check(CLI::IsMember({"first", "previous"}));
    add_frames_option(sub, o->frames);
    add_precision_option(sub, o->precision);
    add_overwrite_option(sub, o->overwrite);
    add_examples(sub, {
                     "tessera bonds glass.dump -o bonds.dump --pairs 1-1:3.05,1-2:3.75,2-2:4.35",
                     "tessera bonds glass.dump -o bonds.dump --pairs 1-1:3.05,1-2:3.75,2-2:4.35 --reference previous --hysteresis 0.1"});
    sub->callback([o, &action] { action = [o] { return run_bonds(*o); }; });
}

}  // namespace tessera::cli
