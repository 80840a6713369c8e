// `tessera events INPUT --column NAME --threshold X --link D -o events.csv [--normalize]
//                 [--split TIMESTEP] [--frames A:B:S]`
//
// Atoms whose value in column NAME exceeds X (strictly) are events; events closer than D
// (periodic images included) are linked into clusters (cluster/components.hpp). One CSV row per
// cluster: timestep, cluster number (1 = largest in its frame), size, periodic-aware centroid.
// --normalize min–max normalises the column over all selected frames first (seed 000 does this
// before thresholding LENS); --split T normalises the frames before T and from T on separately,
// as seed 000 does for its elastic/plastic and pre/post-fracture phases.
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"

#include <tessera/cluster/components.hpp>
#include <tessera/io/csv_writer.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace tessera::cli {
namespace {

struct events_options {
    std::string input, output, column, frames;
    double threshold = 0, link = 0;
    bool normalize = false;
    std::optional<std::int64_t> split;
    std::string select;
};

struct range {
    double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
    void add(double v) {
        if (!std::isnan(v)) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    }
    double scale(double v) const { return hi > lo ? (v - lo) / (hi - lo) : 0.0; }
};

int run_events(const events_options& o) {
    output_file file(o.output, {o.input});
    run_report report("events");
    const selection selected = parse_selection(o.select);
    std::vector<unsigned char> mask;
    range before, after;  // normalisation windows (only `before` without --split)
    const bool split = o.split.has_value();
    if (o.normalize || split) {
        for_each_selected_frame(o.input, o.frames, nullptr, [&](const frame& f, std::size_t) {
            range& r = split && f.timestep >= *o.split ? after : before;
            for (double v : f.column(o.column)) r.add(v);
        });
    }
    const auto writer = file.csv({"timestep", "cluster", "size", "x", "y", "z"});
    csv_writer& out = *writer;
    std::unique_ptr<bool[]> flags;  // std::vector<bool> has no contiguous storage to span
    std::size_t capacity = 0;
    for_each_selected_frame(o.input, o.frames, "tessera events", [&](const frame& f, std::size_t) {
        const auto values = f.column(o.column);
        const range& r = split && f.timestep >= *o.split ? after : before;
        if (capacity < f.natoms) {
            flags.reset(new bool[f.natoms]);
            capacity = f.natoms;
        }
        if (!selected.selects_all()) {
            try {
                selected.evaluate(f, mask);
            } catch (const error& e) {
                throw usage_error("--select: ", e.what());
            }
        }
        for (std::size_t i = 0; i < f.natoms; ++i) {
            const double v = (o.normalize || split) ? r.scale(values[i]) : values[i];
            flags[i] = v > o.threshold && (selected.selects_all() || mask[i]);
        }
        const auto x = f.positions();
        const std::span<const bool> flagged(flags.get(), f.natoms);
        const auto cl = std::visit([&](const auto& b) { return find_clusters(x, b, flagged, o.link); }, f.box);
        for (std::size_t c = 0; c < cl.count(); ++c) {
            const auto& m = cl.centroid(c);
            out.add(f.timestep).add(c + 1).add(cl.size(c)).add(m.x).add(m.y).add(m.z).end_row();
        }
    }, &report.tally);
    out.close();
    file.commit();
    report.done({&file});
    return 0;
}

}  // namespace

void register_events(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<events_options>();
    CLI::App* sub = app.add_subcommand("events", "spatial clusters of event atoms (a column above a threshold), per frame, as CSV");
    sub->add_option("input", o->input, "LAMMPS text dump (.gz ok) or extended XYZ")->required();
    sub->add_option("-o,--output", o->output, "output CSV (-: stdout): timestep,cluster,size,x,y,z")->required();
    sub->add_option("--column", o->column, "per-atom column to threshold (e.g. lens)")->required();
    sub->add_option("--threshold", o->threshold, "an atom is an event when its value exceeds this")->required();
    sub->add_option("--link", o->link, "event atoms closer than this distance (length) join one cluster, e.g. 2.8 Å")
        ->required()
        ->check(positive_number());
    add_select_option(sub, o->select, "only selected atoms can be events (all atoms still count for --normalize)");
    sub->add_flag("--normalize", o->normalize, "min-max normalise the column over the selected frames first (then the threshold is in [0, 1])");
    sub->add_option("--split", o->split,
                    "normalise frames before this timestep and from it on separately (implies --normalize)");
    add_frames_option(sub, o->frames);
    add_examples(sub, {
                     "tessera events lens.dump -o events.csv --column lens --threshold 0.5 --link 2.8",
                     "tessera events lens.dump -o events.csv --column lens --threshold 0.8 --link 2.8 --normalize --select 'type==1'"});
    sub->callback([o, &action] { action = [o] { return run_events(*o); }; });
}

}  // namespace tessera::cli
