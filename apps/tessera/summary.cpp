// `tessera summary INPUT -o summary.csv [--frames A:B:S]`
//
// One CSV row per frame: the timestep and the sum over atoms of every per-atom column, in input
// order (seed 000 plots summed LENS and summed CSP against time this way).
#include "common.hpp"
#include "subcommands.hpp"

#include <tessera/io/csv_writer.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

namespace tessera::cli {
namespace {

struct summary_options {
    std::string input, output, frames;
};

int run_summary(const summary_options& o) {
    std::unique_ptr<csv_writer> out;  // opened with the first frame's columns as its header
    std::vector<std::string> header;
    for_each_selected_frame(o.input, o.frames, "tessera summary", [&](const frame& f, std::size_t index) {
        if (!out) {
            header = f.names;
            std::vector<std::string> names{"timestep"};
            names.insert(names.end(), header.begin(), header.end());
            out = std::make_unique<csv_writer>(o.output, names);
        } else if (f.names != header) {
            throw error(o.input + " frame " + std::to_string(index) + " (timestep " + std::to_string(f.timestep) +
                        "): columns differ from the first frame's (" + f.column_list() + ")");
        }
        out->add(f.timestep);
        for (const auto& col : f.columns) {
            double sum = 0;
            for (double v : col) sum += v;
            out->add(sum);
        }
        out->end_row();
    });
    if (out) out->close();
    return 0;
}

}  // namespace

void register_summary(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<summary_options>();
    CLI::App* sub = app.add_subcommand("summary", "per-frame sums of every per-atom column, as CSV");
    sub->add_option("input", o->input, "LAMMPS text dump (.gz ok) or extended XYZ")->required();
    sub->add_option("-o,--output", o->output, "output CSV: timestep,<sum of each column>")->required();
    add_frames_option(sub, o->frames);
    sub->callback([o, &action] { action = [o] { return run_summary(*o); }; });
}

}  // namespace tessera::cli
