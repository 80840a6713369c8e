// `tessera rdf INPUT -o rdf.csv --rmax R --bins N [--frames A:B:S] [--threads N] [--coord]`
//
// Total and partial g(r), normalised exactly like LAMMPS `compute rdf N * * 1 1 1 2 … cutoff R`
// (stats/rdf.hpp), averaged over the selected frames. CSV columns: r (bin centre), g, then
// g_<a>_<b> for every type pair a <= b when the input has types; with --coord also LAMMPS's
// running coordination columns n, n_<a>_<b>.
#include "common.hpp"
#include "subcommands.hpp"

#include <tessera/io/csv_writer.hpp>
#include <tessera/stats/rdf.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tessera::cli {
namespace {

struct rdf_options {
    std::string input, output, frames;
    double rmax = 0;
    std::size_t bins = 100;
    int threads = 0;
    bool coord = false;
};

int run_rdf(const rdf_options& o) {
    std::vector<std::array<double, 3>> positions;
    std::vector<int> types;
    std::optional<rdf_accumulator> acc;
    int ntypes = 0;
    for_each_selected_frame(o.input, o.frames, "tessera rdf", [&](frame& f, std::size_t index) {
        f.positions(positions);
        types.clear();
        if (f.has_column("type")) types = f.types();
        if (!acc) {
            ntypes = types.empty() ? 0 : *std::max_element(types.begin(), types.end());
            acc.emplace(o.rmax, o.bins, ntypes);
        }
        particle_properties props;
        props.types = types;
        props.num_types = ntypes;
        std::visit(
            [&](const auto& b) {
                if (!(b.volume() > 0) || !std::isfinite(double(b.volume())))
                    throw error(o.input + ": frame " + std::to_string(index) + " (timestep " +
                                std::to_string(f.timestep) + ") has no finite box; g(r) needs a volume");
                acc->add_frame(positions, b, props, openmp_policy{o.threads});
            },
            f.box);
    });
    const rdf_table t = acc->result();
    std::vector<std::string> header{"r"};
    header.insert(header.end(), t.names.begin(), t.names.end());
    if (o.coord)
        for (const auto& n : t.names) header.push_back("n" + n.substr(1));
    csv_writer out(o.output, header);
    for (std::size_t k = 0; k < t.r.size(); ++k) {
        out.add(t.r[k]);
        for (const auto& g : t.g) out.add(g[k]);
        if (o.coord)
            for (const auto& c : t.coord) out.add(c[k]);
        out.end_row();
    }
    out.close();
    return 0;
}

}  // namespace

void register_rdf(CLI::App& app, std::function<int()>& action) {
    auto opts = std::make_shared<rdf_options>();
    CLI::App* sub = app.add_subcommand("rdf", "total and partial g(r) averaged over frames (LAMMPS compute rdf normalisation)");
    sub->add_option("input", opts->input, "LAMMPS text dump (.gz ok) or extended XYZ")->required();
    sub->add_option("-o,--output", opts->output, "output CSV: r,g,g_1_1,g_1_2,...")->required();
    sub->add_option("--rmax", opts->rmax, "outer edge of the last bin")->required()->check(CLI::PositiveNumber);
    sub->add_option("--bins", opts->bins, "number of bins (default 100)")->check(CLI::PositiveNumber);
    add_frames_option(sub, opts->frames);
    add_threads_option(sub, opts->threads);
    sub->add_flag("--coord", opts->coord, "also write LAMMPS's running coordination columns n, n_<a>_<b>");
    sub->callback([opts, &action] { action = [opts] { return run_rdf(*opts); }; });
}

}  // namespace tessera::cli
