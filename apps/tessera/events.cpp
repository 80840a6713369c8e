// `tessera events INPUT --column NAME --threshold X --link D -o events.csv [--normalize]
//                 [--split TIMESTEP] [--frames A:B:S]`
//
// Atoms whose value in column NAME exceeds X (strictly) are events; events closer than D
// (periodic images included) are linked into clusters (cluster/components.hpp). One CSV row per
// cluster: timestep, cluster number (1 = largest in its frame), size, periodic-aware centroid.
// --normalize min–max normalises the column over all selected frames first (seed 000 does this
// before thresholding LENS); --split T normalises the frames before T and from T on separately,
// as seed 000 does for its elastic/plastic and pre/post-fracture phases.
// --track follows the clusters from frame to frame by shared atom ids (cluster/tracking.hpp:
// births, splits, merges, deaths) and writes one row per track instead; --new-per-frame adds a
// table of the new clusters of every frame.
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"

#include <tessera/cluster/components.hpp>
#include <tessera/cluster/tracking.hpp>
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
    bool track = false;
    std::string new_per_frame;
};

const char* origin_name(track_origin o) { return o == track_origin::birth ? "birth" : "split"; }
const char* end_name(track_end e) { return e == track_end::alive ? "alive" : e == track_end::death ? "death" : "merged"; }

/// TRACKS.csv: the contract's five columns first (frames are the input's frame indices, as
/// --frames counts them), then timesteps and provenance.
void write_tracks(const output_file& file, const cluster_tracker& tracker, const std::vector<std::size_t>& frame_index) {
    const auto w = file.csv({"track", "first_frame", "last_frame", "max_size", "atoms_at_birth", "birth_size",
                             "first_timestep", "last_timestep", "origin", "parent", "end", "merged_into"});
    for (const cluster_track& t : tracker.tracks()) {
        std::string atoms;
        for (const std::int64_t id : t.atoms_at_birth) (atoms += atoms.empty() ? "" : " ") += std::to_string(id);
        w->add(t.id).add(frame_index[t.first_frame]).add(frame_index[t.last_frame]).add(t.max_size).add_text(atoms);
        w->add(t.atoms_at_birth.size()).add(t.first_timestep).add(t.last_timestep).add_text(origin_name(t.origin));
        if (t.parent == cluster_track::none) w->add_text("");
        else w->add(t.parent);
        w->add_text(end_name(t.end));
        if (t.merged_into == cluster_track::none) w->add_text("");
        else w->add(t.merged_into);
        w->end_row();
    }
    w->close();
}

/// NEW.csv: per frame, the clusters born in it (splits counted apart) and the other events.
void write_new_per_frame(const output_file& file, const cluster_tracker& tracker, const std::vector<std::size_t>& frame_index) {
    const auto w = file.csv({"frame", "new_clusters", "timestep", "clusters", "births", "splits", "merges", "deaths"});
    const auto& ev = tracker.events();
    const auto fresh = tracker.new_per_frame(new_cluster_rule::births);
    for (std::size_t k = 0; k < ev.size(); ++k) {
        w->add(frame_index[k]).add(fresh[k]).add(ev[k].timestep).add(ev[k].clusters).add(ev[k].births);
        w->add(ev[k].splits).add(ev[k].merges).add(ev[k].deaths).end_row();
    }
    w->close();
}

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
    std::optional<output_file> new_file;
    if (!o.new_per_frame.empty()) new_file.emplace(o.new_per_frame, std::vector<std::string>{o.input, o.output});
    run_report report("events");
    cluster_tracker tracker;
    std::vector<std::size_t> frame_index;  // tracker frame -> input frame index
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
    std::unique_ptr<csv_writer> writer;
    if (!o.track) writer = file.csv({"timestep", "cluster", "size", "x", "y", "z"});
    std::vector<std::int64_t> ids;
    std::unique_ptr<bool[]> flags;  // std::vector<bool> has no contiguous storage to span
    std::size_t capacity = 0;
    for_each_selected_frame(o.input, o.frames, "tessera events", [&](const frame& f, std::size_t index) {
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
        if (o.track) {
            if (!f.has_column("id")) throw error("--track follows atoms by id, but the frame has no id column");
            ids = f.ids();
            tracker.add_frame(f.timestep, cl, ids);
            frame_index.push_back(index);
            return;
        }
        for (std::size_t c = 0; c < cl.count(); ++c) {
            const auto& m = cl.centroid(c);
            writer->add(f.timestep).add(c + 1).add(cl.size(c)).add(m.x).add(m.y).add(m.z).end_row();
        }
    }, &report.tally);
    if (o.track) write_tracks(file, tracker, frame_index);
    else writer->close();
    if (new_file) write_new_per_frame(*new_file, tracker, frame_index);
    file.commit();
    if (new_file) new_file->commit();
    report.done({&file, new_file ? &*new_file : nullptr});
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
    auto* track = sub->add_flag("--track", o->track,
                                "follow clusters across frames by shared atom ids; -o gets one row per track: "
                                "track,first_frame,last_frame,max_size,atoms_at_birth,birth_size,first_timestep,"
                                "last_timestep,origin,parent,end,merged_into");
    sub->add_option("--new-per-frame", o->new_per_frame,
                    "with --track: CSV of frame,new_clusters,timestep,clusters,births,splits,merges,deaths")
        ->needs(track);
    add_frames_option(sub, o->frames);
    add_examples(sub, {
                     "tessera events lens.dump -o events.csv --column lens --threshold 0.5 --link 2.8",
                     "tessera events lens.dump -o events.csv --column lens --threshold 0.8 --link 2.8 --normalize --select 'type==1'",
                     "tessera events lens.dump --column lens --threshold 0.5 --link 2.8 --track -o tracks.csv --new-per-frame new.csv"});
    sub->callback([o, &action] { action = [o] { return run_events(*o); }; });
}

}  // namespace tessera::cli
