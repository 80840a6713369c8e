// `tessera compute INPUT -o OUTPUT [descriptor flags] [--frames A:B:S] [--threads N]`
//
// Reads every (selected) frame, runs the requested descriptors and writes a LAMMPS dump with the
// same frames, box and input columns plus one named column per output (docs/cli.md). Each
// descriptor's flags live in compute_<name>.cpp (compute_descriptors.hpp); all of them run in
// one planner per frame (pipeline/planner.hpp): one neighbour query, one pass over the atoms.
#include "common.hpp"
#include "output.hpp"
#include "compute_descriptors.hpp"
#include "subcommands.hpp"

#include <tessera/pipeline/planner.hpp>

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdlib>
#include <map>

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
    bool overwrite = false;
    std::string select;
    column_choice columns;
    std::vector<descriptor_cli> descriptors;
};

/// Where a frame's descriptor columns go: checked for clashes with the input's columns and with
/// each other, and counted for undefined values (NaN) per flag.
class column_sink {
public:
    column_sink(frame& f, bool overwrite, std::map<std::string, std::size_t>& undefined)
        : f_(f), input_columns_(f.num_columns()), overwrite_(overwrite), undefined_(undefined) {}

    void add(const std::string& name, std::vector<double> values, bool integral, const std::string& flag) {
        const auto c = f_.column_index(name);
        if (c >= 0 && std::size_t(c) < input_columns_ && !overwrite_)
            throw usage_error(flag, " writes column '", name,
                              "', which the input already has; pass --overwrite to replace it, or rename it first");
        if (c >= 0 && std::size_t(c) >= input_columns_)
            throw usage_error(flag, " and ", owner_[std::size_t(c) - input_columns_], " both write column '", name,
                              "'; give only one of them");
        // The descriptors read the positions in place (frame::positions_view): those columns stay.
        if (c >= 0 && is_coordinate(name))
            throw usage_error(flag, " writes column '", name,
                              "', which holds the positions the descriptors read; rename it in the input first");
        std::size_t nan = 0;
        for (const double v : values) nan += std::isnan(v) ? 1 : 0;
        auto& worst = frame_undefined_[flag];
        worst = std::max(worst, nan);
        f_.add_column(name, std::move(values), integral);
        if (c < 0) owner_.push_back(flag);
    }
    /// Adds every column of `produced` (a producer's scratch frame) under `flag`.
    void add_all(frame& produced, const std::string& flag) {
        for (std::size_t c = 0; c < produced.num_columns(); ++c)
            add(produced.names[c], std::move(produced.columns[c]), produced.integral[c] != 0, flag);
    }
    /// Atoms with an undefined value, per flag (the most in any one of its columns).
    ~column_sink() {
        for (const auto& [flag, n] : frame_undefined_) undefined_[flag] += n;
    }

private:
    static bool is_coordinate(const std::string& name) {
        for (const char* c : {"x", "y", "z", "xu", "yu", "zu", "xs", "ys", "zs", "xsu", "ysu", "zsu"})
            if (name == c) return true;
        return false;
    }
    frame& f_;
    std::size_t input_columns_;
    bool overwrite_;
    std::vector<std::string> owner_;
    std::map<std::string, std::size_t> frame_undefined_;
    std::map<std::string, std::size_t>& undefined_;
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
        throw usage_error("compute: no descriptor requested; add at least one, e.g. --coord 3.0 or --csp 12 "
                          "(tessera compute --help lists them)");
    const bool show_plan = std::getenv("TESSERA_SHOW_PLAN") != nullptr;  // for tests and the curious
    output_file out(o.output, {o.input});
    frame_writer writer(out);
    writer.set_precision(o.precision);
    const run_report report("compute");
    const selection selected = parse_selection(o.select);
    std::vector<unsigned char> mask;
    std::vector<double> converted;  // positions, when the frame's own columns cannot be read in place
    std::vector<int> types;
    planner<double>::workspace ws;  // neighbour storage reused from frame to frame
    std::vector<planned_descriptor> entries;
    std::map<std::string, std::size_t> undefined;  // atoms × frames without a value, per flag
    std::size_t atoms = 0;
    const std::size_t frames = for_each_selected_frame(o.input, o.frames, "tessera compute", [&](frame& f, std::size_t index) {
        try {
            const soa_view<double> positions = f.positions_view(converted);  // no copy of x y z
            types.clear();
            if (f.has_column("type")) types = f.types();
            particle_properties props;
            props.types = types;
            const frame_context ctx{positions, f.box, props, openmp_policy{o.threads}};
            entries.clear();
            for (const auto& p : planned) p(ctx, entries);
            column_sink sink(f, o.overwrite, undefined);
            if (!entries.empty()) {
                planner<double> plan;
                for (const auto& e : entries) plan.add(e.descriptor);
                if (show_plan) std::fprintf(stderr, "tessera compute: stage %s\n", plan.plan().describe().c_str());
                const auto& result = std::visit(
                    [&](const auto& b) -> const planner_result<double>& {
                        return plan.run(positions, b, ws, props, ctx.policy);
                    },
                    f.box);
                // Each descriptor's columns move into the frame: a one-column block as it is, a
                // block of several column by column, released before the next block is taken.
                for (std::size_t e = 0; e < entries.size(); ++e) {
                    const std::vector<std::string> names = result.names_of(e);
                    std::vector<double> block = ws.result.take(e);
                    if (names.size() == 1) {
                        sink.add(names[0], std::move(block), entries[e].integral, entries[e].flag);
                        continue;
                    }
                    const std::size_t n = result.size();
                    for (std::size_t c = 0; c < names.size(); ++c)
                        sink.add(names[c], std::vector<double>(block.begin() + std::ptrdiff_t(c * n),
                                                               block.begin() + std::ptrdiff_t((c + 1) * n)),
                                 entries[e].integral, entries[e].flag);
                }
                // The columns are in the frame now. When other producers (the Voronoi columns)
                // follow, the workspace (its cell list, ~35 B per atom) is released rather than
                // kept for the next frame, so that the two never coexist.
                if (!producers.empty()) ws = planner<double>::workspace{};
            }
            for (const auto& p : producers) {
                frame produced;
                produced.natoms = f.natoms;
                p.produce(ctx, produced);
                sink.add_all(produced, p.flag);
            }
        } catch (const usage_error&) {
            throw;
        } catch (const error& e) {  // name the frame the descriptor failed on
            throw frame_error(o.input, index, f, e.what());
        }
        if (!selected.selects_all()) {
            try {
                selected.evaluate(f, mask);
            } catch (const error& e) {
                throw usage_error("--select: ", e.what());
            }
            keep_atoms(f, mask);
        }
        o.columns.apply(f);
        writer.write(f);
        atoms = f.natoms;
    });
    writer.close();
    out.commit();
    for (const auto& [flag, n] : undefined)
        if (n > 0)
            std::fprintf(stderr,
                         "tessera compute: %s is undefined for %zu atom%s (summed over frames; too few neighbours): "
                         "written as nan\n",
                         flag.c_str(), n, n == 1 ? "" : "s");
    report.done(frames, atoms, {&out});
    return 0;
}

}  // namespace

void register_compute(CLI::App& app, std::function<int()>& action) {
    auto opts = std::make_shared<compute_options>();
    CLI::App* sub = app.add_subcommand("compute", "compute per-atom descriptors for every frame of a trajectory");
    sub->add_option("input", opts->input, "LAMMPS text dump (.gz ok) or extended XYZ")->required();
    sub->add_option("-o,--output", opts->output,
                    "output: a LAMMPS dump (.gz: compressed; -: stdout), or per-atom rows in a .csv or .npy table; "
                    "input columns + descriptor columns")
        ->required();
    add_select_option(sub, opts->select,
                      "write only the selected atoms (descriptors still see every atom as a neighbour)");
    add_column_options(sub, opts->columns);
    sub->add_flag("--overwrite", opts->overwrite,
                  "let a descriptor replace an input column of the same name (default: an error)");
    add_frames_option(sub, opts->frames);
    add_precision_option(sub, opts->precision);
    add_threads_option(sub, opts->threads);
    // One line per descriptor (compute_<name>.cpp); columns appear in this order.
    opts->descriptors.push_back(coordination_cli(sub));
    opts->descriptors.push_back(radial_cli(sub));
    opts->descriptors.push_back(steinhardt_cli(sub));
    opts->descriptors.push_back(csp_cli(sub));
    opts->descriptors.push_back(cna_cli(sub));
    opts->descriptors.push_back(ptm_cli(sub));
    opts->descriptors.push_back(voronoi_cli(sub));
    opts->descriptors.push_back(soap_cli(sub));
    add_examples(sub, {
                     "tessera compute cu.dump -o cu_out.dump --csp 12 --cna 3.086 --steinhardt 4,6",
                     "tessera compute glass.dump -o atoms.npy --coord-pairs 1-1:3.05,1-2:3.75,2-2:4.35 --select 'type==2' --frames -1"});
    sub->callback([opts, &action] { action = [opts] { return run_compute(*opts); }; });
}

}  // namespace tessera::cli
