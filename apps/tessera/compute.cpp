// `tessera compute INPUT -o OUTPUT [descriptor flags] [--frames A:B:S] [--threads N]`
//
// Reads every (selected) frame, runs the requested descriptors and writes a LAMMPS dump with the
// same frames, box and input columns plus one named column per output (docs/cli.md). Each
// descriptor's flags live in compute_<name>.cpp (compute_descriptors.hpp); all of them run in
// one planner per frame (pipeline/planner.hpp): one neighbour query, one pass over the atoms.
#include "common.hpp"
#include "compute_descriptors.hpp"
#include "subcommands.hpp"

#include <tessera/pipeline/planner.hpp>

#include <CLI/CLI.hpp>

#include <cstdlib>

#include <functional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace tessera::cli {
namespace {

struct compute_options {
    int precision = 0;  // --precision
    std::string input, output, frames;
    int threads = 0;
    std::vector<descriptor_cli> descriptors;
};

int run_compute(const compute_options& o) {
    std::vector<frame_planner> planned;
    std::vector<column_producer> producers;
    for (const auto& d : o.descriptors) {
        if (d.plan)
            if (auto p = d.plan()) planned.push_back(std::move(*p));
        if (d.make)
            if (auto p = d.make()) producers.push_back(std::move(*p));
    }
    if (planned.empty() && producers.empty())
        throw error("tessera compute: no descriptor requested (e.g. --coord 3.0)");
    const bool show_plan = std::getenv("TESSERA_SHOW_PLAN") != nullptr;  // for tests and the curious
    lammps_dump_writer writer(o.output);
    writer.set_precision(o.precision);
    std::vector<std::array<double, 3>> positions;
    std::vector<int> types;
    planner<double>::workspace ws;  // neighbour storage reused from frame to frame
    std::vector<planned_descriptor> entries;
    for_each_selected_frame(o.input, o.frames, "tessera compute", [&](frame& f, std::size_t) {
        f.positions(positions);
        types.clear();
        if (f.has_column("type")) types = f.types();
        particle_properties props;
        props.types = types;
        const frame_context ctx{positions, f.box, props, openmp_policy{o.threads}};
        entries.clear();
        for (const auto& p : planned) p(ctx, entries);
        if (!entries.empty()) {
            planner<double> plan;
            for (const auto& e : entries) plan.add(e.descriptor);
            if (show_plan) std::fprintf(stderr, "tessera compute: stage %s\n", plan.plan().describe().c_str());
            const auto& out = std::visit(
                [&](const auto& b) -> const planner_result<double>& {
                    return plan.run(positions, b, ws, props, ctx.policy);
                },
                f.box);
            for (std::size_t e = 0; e < entries.size(); ++e)
                for (std::size_t c = 0; c < out.names_of(e).size(); ++c) {
                    const auto col = out.column(e, c);
                    f.add_column(out.names_of(e)[c], std::vector<double>(col.begin(), col.end()), entries[e].integral);
                }
        }
        for (const auto& p : producers) p(ctx, f);
        writer.write(f);
    });
    writer.close();
    return 0;
}

}  // namespace

void register_compute(CLI::App& app, std::function<int()>& action) {
    auto opts = std::make_shared<compute_options>();
    CLI::App* sub = app.add_subcommand("compute", "compute per-atom descriptors for every frame of a trajectory");
    sub->add_option("input", opts->input, "LAMMPS text dump (.gz ok) or extended XYZ")->required();
    sub->add_option("-o,--output", opts->output, "output LAMMPS dump: input columns + descriptor columns")->required();
    add_frames_option(sub, opts->frames);
    add_precision_option(sub, opts->precision);
    add_threads_option(sub, opts->threads);
    // One line per descriptor (compute_<name>.cpp); columns appear in this order.
    opts->descriptors.push_back(coordination_cli(sub));
    opts->descriptors.push_back(radial_cli(sub));
    opts->descriptors.push_back(steinhardt_cli(sub));
    opts->descriptors.push_back(csp_cli(sub));
    opts->descriptors.push_back(cna_cli(sub));
    opts->descriptors.push_back(voronoi_cli(sub));
    sub->callback([opts, &action] { action = [opts] { return run_compute(*opts); }; });
}

}  // namespace tessera::cli
