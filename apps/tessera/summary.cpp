// `tessera summary INPUT -o summary.csv [--columns A,B] [--stats sum,mean,min,max]
//                 [--by type|cna|acna|ptm|COLUMN] [--select EXPR] [--frames A:B:S]`
//
// Per-frame statistics of per-atom columns, as CSV (docs/cli.md):
//   - without --by: one row per frame, `timestep,atoms` then each column's statistics
//     (`<column>_<stat>`; with the default --stats sum and no --columns, the historical
//     `timestep,<sum of each column>` table, every column summed);
//   - with --by G: one row per frame and value of G — `timestep,G,name,count,fraction` then the
//     statistics of the chosen columns within the group — as OVITO's structure counts and
//     per-type means. For cna/acna/ptm every structure code is listed (count 0 included) and
//     `name` says which structure it is; for `type`, the species name when the input has one.
// Statistics skip NaN (undefined values, docs/cli.md); `count` and `fraction` count atoms, the
// fraction of the selected atoms of the frame.
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"

#include <tessera/io/csv_writer.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tessera::cli {
namespace {

struct summary_options {
    std::string input, output, frames, by, select;
    std::vector<std::string> columns, stats;
};

/// Structure codes and names of the classifiers tessera and OVITO write.
const std::vector<std::pair<int, const char*>>* structure_codes(const std::string& by) {
    static const std::vector<std::pair<int, const char*>> cna{{1, "fcc"}, {2, "hcp"}, {3, "bcc"}, {4, "ico"}, {5, "other"}};
    static const std::vector<std::pair<int, const char*>> ptm{{0, "other"}, {1, "fcc"},  {2, "hcp"},
                                                              {3, "bcc"},   {4, "ico"},  {5, "sc"},
                                                              {6, "cubic_diamond"}, {7, "hex_diamond"}, {8, "graphene"}};
    if (by == "cna" || by == "acna") return &cna;
    if (by == "ptm") return &ptm;
    return nullptr;
}

/// Running statistics of one column within one group, NaN skipped.
struct moments {
    double sum = 0, lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
    std::size_t n = 0;
    void add(double v) {
        if (std::isnan(v)) return;
        sum += v, ++n;
        lo = std::min(lo, v), hi = std::max(hi, v);
    }
    double get(const std::string& stat) const {
        const double nan = std::numeric_limits<double>::quiet_NaN();
        if (stat == "sum") return sum;
        if (stat == "mean") return n ? sum / double(n) : nan;
        if (stat == "min") return n ? lo : nan;
        return n ? hi : nan;  // max
    }
};

int run_summary(const summary_options& o) {
    output_file file(o.output, {o.input});
    run_report report("summary");
    const selection selected = parse_selection(o.select);
    const auto* codes = structure_codes(o.by);
    const bool legacy = o.by.empty() && o.columns.empty() && o.stats.empty();  // timestep,<sum of each column>
    const std::vector<std::string> stats = !o.stats.empty() ? o.stats : o.by.empty() ? std::vector<std::string>{"sum"}
                                                                                     : std::vector<std::string>{"mean"};
    std::unique_ptr<csv_writer> out;  // opened with the first frame (its columns make the header)
    std::vector<std::string> names;    // the summarised columns
    std::vector<unsigned char> mask;
    for_each_selected_frame(o.input, o.frames, "tessera summary", [&](frame& f, std::size_t) {
        if (!selected.selects_all()) {
            try {
                selected.evaluate(f, mask);
            } catch (const error& e) {
                throw usage_error("--select: ", e.what());
            }
            keep_atoms(f, mask);
        }
        if (!out) {
            if (!o.columns.empty()) {
                names = o.columns;
            } else if (o.by.empty()) {  // every numeric column (a string column's numbers mean nothing summed)
                for (std::size_t c = 0; c < f.num_columns(); ++c)
                    if (!f.is_string_column(c)) names.push_back(f.names[c]);
            }
            for (const auto& n : names) {
                if (!f.has_column(n))
                    throw usage_error("--columns: no column '", n, "'", detail::did_you_mean(n, f.names),
                                      "; columns are: ", f.column_list());
                if (f.is_string_column(std::size_t(f.column_index(n))))
                    throw usage_error("--columns: '", n, "' holds strings; count its values with --by ", n);
            }
            if (!o.by.empty() && !f.has_column(o.by))
                throw usage_error("--by ", o.by, ": the input has no column '", o.by, "'",
                                  detail::did_you_mean(o.by, f.names), "; columns are: ", f.column_list(),
                                  o.by == "cna" || o.by == "acna" ? " (make it with tessera compute --" + o.by + ")" : "");
            std::vector<std::string> header{"timestep"};
            if (o.by.empty()) {
                if (!legacy) header.push_back("atoms");
            } else {
                header.insert(header.end(), {o.by, "name", "count", "fraction"});
            }
            for (const auto& n : names)
                for (const auto& s : stats) header.push_back(legacy ? n : n + "_" + s);
            out = file.csv(std::move(header));
        }
        std::vector<std::span<const double>> cols;
        for (const auto& n : names) cols.push_back(f.column(n));
        auto write_stats = [&](const std::vector<moments>& m) {
            for (const auto& mm : m)
                for (const auto& s : stats) out->add(mm.get(s));
        };
        if (o.by.empty()) {
            std::vector<moments> m(cols.size());
            for (std::size_t c = 0; c < cols.size(); ++c)
                for (const double v : cols[c]) m[c].add(v);
            out->add(f.timestep);
            if (!legacy) out->add(f.natoms);
            write_stats(m);
            out->end_row();
            return;
        }
        // Groups: every structure code, or the values present in this frame.
        const auto group = f.column(o.by);
        std::map<double, std::pair<std::size_t, std::vector<moments>>> groups;
        if (codes)
            for (const auto& [code, name] : *codes) groups[code] = {0, std::vector<moments>(cols.size())};
        for (std::size_t i = 0; i < f.natoms; ++i) {
            auto& g = groups[group[i]];
            if (g.second.empty()) g.second.resize(cols.size());
            ++g.first;
            for (std::size_t c = 0; c < cols.size(); ++c) g.second[c].add(cols[c][i]);
        }
        for (const auto& [value, g] : groups) {
            std::string name;
            if (codes) {
                for (const auto& [code, n] : *codes)
                    if (double(code) == value) name = n;
            } else if (o.by == "type" && value >= 1 && value <= double(f.type_names.size()) && value == std::floor(value)) {
                name = f.type_names[std::size_t(value) - 1];
            } else if (const auto c = f.column_index(o.by); f.is_string_column(std::size_t(c))) {
                const double k = value - double(f.label_base(std::size_t(c)));
                const auto& labels = f.labels[std::size_t(c)];
                if (k >= 0 && k < double(labels.size())) name = labels[std::size_t(k)];
            }
            if (name.empty()) name = "-";
            out->add(f.timestep).add(value).add_text(name).add(g.first);
            out->add(f.natoms ? double(g.first) / double(f.natoms) : std::numeric_limits<double>::quiet_NaN());
            write_stats(g.second);
            out->end_row();
        }
    }, &report.tally);
    out->close();
    file.commit();
    report.done({&file});
    return 0;
}

}  // namespace

void register_summary(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<summary_options>();
    CLI::App* sub = app.add_subcommand(
        "summary",
        "per-frame statistics of per-atom columns (CSV): sums, means, minima, maxima, and counts and fractions per "
        "structure or type (--by)");
    sub->add_option("input", o->input, "LAMMPS text dump (.gz ok) or extended XYZ")->required();
    sub->add_option("-o,--output", o->output,
                    "output CSV (-: stdout); without options: timestep,<sum of each column> (one row per frame)")
        ->required();
    sub->add_option("--columns", o->columns,
                    "the columns to summarise (comma-separated; default: every column without --by, none with it)")
        ->delimiter(',');
    sub->add_option("--stats", o->stats,
                    "statistics of each column: sum, mean, min, max (comma-separated; default sum, or mean with --by)")
        ->delimiter(',')
        ->check(CLI::IsMember({"sum", "mean", "min", "max"}));
    sub->add_option("--by", o->by,
                    "group the atoms by a column: cna, acna or ptm (structure counts and fractions, every structure "
                    "listed), type (with species names when known), or any integer column");
    add_select_option(sub, o->select, "summarise only the selected atoms (count and fraction are of them)");
    add_frames_option(sub, o->frames);
    add_examples(sub, {"tessera summary lens.dump -o sums.csv",
                       "tessera summary out.dump -o structures.csv --by cna",
                       "tessera summary out.dump -o per_type.csv --by type --columns csp,c_pe --stats mean,max"});
    sub->callback([o, &action] { action = [o] { return run_summary(*o); }; });
}

}  // namespace tessera::cli
