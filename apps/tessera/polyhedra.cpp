// `tessera polyhedra INPUT -o poly.csv [--subset COLUMN (--top F | --above X)] [--frames A:B:S]`
//
// Voronoi polyhedron types <n3,n4,n5,n6> (the voronoi_n3 … voronoi_n6 columns `tessera compute
// --voronoi` writes) counted over all atoms of the selected frames, and the propensity of a
// subset of atoms for each type (descriptors/voronoi_statistics.hpp):
//     f(p) = N(p)/N, f_sub(p) = N_sub(p)/N_sub, Δf(p) = (f_sub(p) − f(p))/f(p) × 100 %
// — e.g. the 10 % most liquid-like atoms of each frame (--subset T_ML --top 0.1). Subset per
// frame: the F·N atoms (rounded to nearest) with the largest values of COLUMN (ties: the earlier
// row), or those with COLUMN > X. CSV, one row per type, most frequent in the subset first:
// n3,n4,n5,n6,count,count_subset,fraction,fraction_subset,propensity,d5.
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"

#include <tessera/descriptors/voronoi_statistics.hpp>
#include <tessera/io/csv_writer.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

namespace tessera::cli {
namespace {

struct polyhedra_options {
    std::string input, output, frames, subset;
    std::optional<double> top, above;
};

int run_polyhedra(const polyhedra_options& o) {
    output_file file(o.output, {o.input});
    run_report report("polyhedra");
    static const char* const names[4] = {"voronoi_n3", "voronoi_n4", "voronoi_n5", "voronoi_n6"};
    std::vector<double> n[4];
    std::vector<unsigned char> mask;
    std::vector<std::size_t> order;
    for_each_selected_frame(o.input, o.frames, "tessera polyhedra", [&](frame& f, std::size_t index) {
        const std::string what = o.input + " frame " + std::to_string(index) + " (timestep " + std::to_string(f.timestep) + ")";
        for (int k = 0; k < 4; ++k) {
            if (!f.has_column(names[k]))
                throw error(what, ": no column '", names[k], "' (make it with tessera compute --voronoi)");
            const auto c = f.column(names[k]);
            n[k].insert(n[k].end(), c.begin(), c.end());
        }
        if (o.subset.empty()) return;
        if (!f.has_column(o.subset)) throw error(what, ": no column '", o.subset, "' (columns: ", f.column_list(), ")");
        const auto v = f.column(o.subset);
        const std::size_t base = mask.size();
        mask.resize(base + v.size(), 0);
        if (o.above) {
            for (std::size_t i = 0; i < v.size(); ++i) mask[base + i] = v[i] > *o.above;
            return;
        }
        order.resize(v.size());
        std::iota(order.begin(), order.end(), std::size_t(0));
        std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] > v[b]; });
        const auto take = static_cast<std::size_t>(std::llround(*o.top * double(v.size())));
        for (std::size_t k = 0; k < take; ++k) mask[base + order[k]] = 1;
    }, &report.tally);
    const auto stats = polyhedron_statistics<double>(n[0], n[1], n[2], n[3], mask);
    const auto writer = file.csv({"n3", "n4", "n5", "n6", "count", "count_subset", "fraction", "fraction_subset",
                              "propensity", "d5"});
    csv_writer& out = *writer;
    for (const auto& s : stats) {
        for (int k = 0; k < 4; ++k) out.add(s.index[std::size_t(k)]);
        out.add(s.count_total).add(s.count_subset).add(s.fraction_total).add(s.fraction_subset);
        out.add(s.propensity).add(s.d5).end_row();
    }
    out.close();
    file.commit();
    report.done({&file});
    return 0;
}

}  // namespace

void register_polyhedra(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<polyhedra_options>();
    CLI::App* sub = app.add_subcommand("polyhedra", "Voronoi polyhedron types and a subset's propensity for each (CSV)");
    sub->add_option("input", o->input, "dump with voronoi_n3..voronoi_n6 columns (tessera compute --voronoi)")
        ->required();
    sub->add_option("-o,--output", o->output, "output CSV, one row per polyhedron type")->required();
    auto* subset = sub->add_option("--subset", o->subset, "column that selects the subset (per frame)");
    auto* top = sub->add_option("--top", o->top, "subset: the fraction F of atoms with the largest values")
                    ->check(in_range(0.0, 1.0));
    auto* above = sub->add_option("--above", o->above, "subset: the atoms whose value exceeds X");
    top->needs(subset)->excludes(above);
    above->needs(subset);
    add_frames_option(sub, o->frames);
    add_examples(sub, {
                     "tessera polyhedra voronoi.dump -o polyhedra.csv",
                     "tessera polyhedra voronoi.dump -o polyhedra.csv --subset d2min --top 0.05"});
    sub->callback([o, &action] {
        if (!o->subset.empty() && !o->top && !o->above) throw CLI::ValidationError("--subset", "needs --top F or --above X");
        action = [o] { return run_polyhedra(*o); };
    });
}

}  // namespace tessera::cli
