#pragma once
// Per-atom tables for the subcommands that work on rows of features (learn, cluster, pca, stats):
// a CSV file with a header, or the atoms of every frame of a trajectory as rows (its columns).
#include "common.hpp"

#include <tessera/io/csv_reader.hpp>

#include <algorithm>
#include <cmath>
#include <span>
#include <string>
#include <vector>

namespace tessera::cli {

/// A CSV table, or the atoms of every frame of a trajectory (or of the `frames` selected, the
/// --frames syntax) as rows.
inline table load_table(const std::string& path, const std::string& frames = "") {
    const bool csv = path.ends_with(".csv") || path.ends_with(".csv.gz");
    if (csv) {
        if (!frames.empty()) throw usage_error("--frames applies to trajectories, not to the table ", path);
        return read_csv(path);
    }
    table t;
    t.source = path;
    bool lines_known = true;
    for_each_selected_frame(path, frames, nullptr, [&](frame& f, std::size_t index) {
        if (t.names.empty()) {
            t.names = f.names;
            t.columns.resize(f.names.size());
        } else if (f.names != t.names) {
            throw error(path, " frame ", index, ": columns '", f.column_list(), "' differ from the first frame's");
        }
        for (std::size_t c = 0; c < f.names.size(); ++c) t.columns[c].insert(t.columns[c].end(), f.columns[c].begin(), f.columns[c].end());
        t.rows += f.natoms;
        lines_known = lines_known && f.first_line > 0;
        for (std::size_t i = 0; lines_known && i < f.natoms; ++i) t.lines.push_back(f.first_line + i);
    });
    if (!lines_known) t.lines.clear();
    return t;
}

/// Row-major features `names` of table t; NaN/inf are errors naming the file, row and column.
inline std::vector<double> feature_rows(const table& t, const std::vector<std::string>& names, const char* option) {
    std::vector<std::span<const double>> cols;
    for (const auto& n : names) {
        if (!t.has_column(n))
            throw usage_error(option, ": ", t.source, " has no column '", n, "'", detail::did_you_mean(n, t.names),
                              "; columns are: ", [&] {
                                  std::string s;
                                  for (const auto& m : t.names) (s += s.empty() ? "" : " ") += m;
                                  return s;
                              }());
        cols.push_back(t.column(n));
    }
    std::vector<double> x(t.rows * names.size());
    for (std::size_t i = 0; i < t.rows; ++i)
        for (std::size_t j = 0; j < names.size(); ++j) {
            const double v = cols[j][i];
            if (!std::isfinite(v)) {
                if (i < t.lines.size())
                    throw error(t.source, ":", t.lines[i], ": column '", names[j], "': ", v,
                                " is not a finite feature value");
                throw error(t.source, ": row ", i + 1, ", column '", names[j], "': ", v, " is not a finite feature value");
            }
            x[i * names.size() + j] = v;
        }
    return x;
}

/// The features to use: `chosen` when given, else every column but `exclude`, ids and timesteps.
inline std::vector<std::string> default_features(const table& t, const std::vector<std::string>& chosen,
                                                 const std::vector<std::string>& exclude = {}) {
    if (!chosen.empty()) return chosen;
    std::vector<std::string> names;
    for (const auto& n : t.names)
        if (n != "id" && n != "timestep" && std::find(exclude.begin(), exclude.end(), n) == exclude.end())
            names.push_back(n);
    return names;
}

}  // namespace tessera::cli
