// `tessera compute INPUT -o OUTPUT [descriptor flags] [--frames A:B:S] [--threads N]`
//
// Reads every (selected) frame, runs the requested descriptors and writes a LAMMPS dump with the
// same frames, box and input columns plus one named column per output (docs/cli.md). Each
// descriptor flag adds a `column_producer`; later descriptors add theirs the same way.
#include "common.hpp"
#include "subcommands.hpp"

#include <tessera/descriptors/coordination.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include <CLI/CLI.hpp>

#include <functional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace tessera::cli {
namespace {

struct compute_options {
    std::string input, output, frames;
    int threads = 0;
    double coord_cutoff = 0;
};

/// What a producer sees of one frame.
struct frame_context {
    const std::vector<std::array<double, 3>>& positions;
    const any_box& box;
    const particle_properties& properties;
    openmp_policy policy;
};

using column_producer = std::function<void(const frame_context&, frame&)>;

std::vector<column_producer> producers_for(const compute_options& o) {
    std::vector<column_producer> out;
    if (o.coord_cutoff > 0) {
        const double rc = o.coord_cutoff;
        out.emplace_back([rc](const frame_context& c, frame& f) {
            const auto pipe = pipeline(ball{rc}, coordination{});
            const auto result = std::visit(
                [&](const auto& b) { return pipe.run<double>(c.positions, b, c.properties, c.policy); }, c.box);
            const auto names = result.names();
            for (std::size_t k = 0; k < names.size(); ++k) {
                const auto col = result.get<coordination>(k);
                f.add_column(names[k], std::vector<double>(col.begin(), col.end()), true);
            }
        });
    }
    return out;
}

int run_compute(const compute_options& o) {
    const auto producers = producers_for(o);
    if (producers.empty()) throw error("tessera compute: no descriptor requested (e.g. --coord 3.0)");
    const frame_selection selection = frame_selection::parse(o.frames);
    trajectory_reader reader(o.input);
    lammps_dump_writer writer(o.output);
    progress bar("tessera compute");
    frame f;
    std::vector<std::array<double, 3>> positions;
    std::vector<int> types;
    std::size_t index = 0, written = 0;
    for (;; ++index) {
        if (selection.finished(index)) break;
        if (!selection.selects(index)) {
            if (!reader.skip()) break;
            continue;
        }
        if (!reader.next(f)) break;
        f.positions(positions);
        types.clear();
        if (f.has_column("type")) types = f.types();
        particle_properties props;
        props.types = types;
        const frame_context ctx{positions, f.box, props, openmp_policy{o.threads}};
        for (const auto& p : producers) p(ctx, f);
        writer.write(f);
        bar.frame(++written, f.timestep);
    }
    writer.close();
    if (written == 0) throw error(o.input + ": no frame selected (the file has " + std::to_string(index) + " frames)");
    return 0;
}

}  // namespace

void register_compute(CLI::App& app, std::function<int()>& action) {
    auto opts = std::make_shared<compute_options>();
    CLI::App* sub = app.add_subcommand("compute", "compute per-atom descriptors for every frame of a trajectory");
    sub->add_option("input", opts->input, "LAMMPS text dump (.gz ok) or extended XYZ")->required();
    sub->add_option("-o,--output", opts->output, "output LAMMPS dump: input columns + descriptor columns")->required();
    sub->add_option("--frames", opts->frames, "frames to process, A:B:S (0-based, B exclusive) or one index");
    sub->add_option("--threads", opts->threads, "OpenMP threads (0: all cores); results do not depend on it")
        ->check(CLI::NonNegativeNumber);
    sub->add_option("--coord", opts->coord_cutoff,
                    "coordination number within RC: columns coord, coord_1, coord_2, ... (per neighbour type)")
        ->check(CLI::PositiveNumber);
    sub->callback([opts, &action] { action = [opts] { return run_compute(*opts); }; });
}

}  // namespace tessera::cli
