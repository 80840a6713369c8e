#pragma once
/// @file
/// read_csv: a numeric CSV table with a header row — what `tessera learn` reads as training and
/// test data, and what the command's CSV outputs (csv_writer, per-atom `.csv`) look like.
///
///     tessera::table t = tessera::read_csv("train.csv");   // .gz ok
///     std::span<const double> T = t.column("temperature");
///
/// Format: comma-separated; the first non-blank line names the columns (unique, non-empty;
/// surrounding spaces and one pair of double quotes around a name are removed); every other
/// non-blank line is a row with one number per column (spaces around a number are allowed;
/// `nan`, `inf`, `-inf` are read as such, and callers that need finite values check). Lines
/// beginning with `#` are comments. No quoting inside rows: a cell is a number. A UTF-8
/// byte-order mark before the header (Excel's "CSV UTF-8") is skipped; CRLF line ends are read.
///
/// Errors (tessera::error) name the file, line and column: a row with too few or too many cells,
/// an empty or non-numeric cell, a duplicate or empty column name, an empty file. Memory: the
/// columns, plus one line.

#include <tessera/core/error.hpp>
#include <tessera/io/detail/text_input.hpp>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera {

/// Named numeric columns of equal length (column-major).
struct table {
    std::vector<std::string> names;
    std::vector<std::vector<double>> columns;
    std::size_t rows = 0;
    std::string source;  ///< file name, for messages
    std::vector<std::size_t> lines;  ///< line of each row in `source`, for messages (empty: unknown)

    /// Index of the column called `name`, or -1.
    std::ptrdiff_t column_index(std::string_view name) const noexcept {
        for (std::size_t c = 0; c < names.size(); ++c)
            if (names[c] == name) return static_cast<std::ptrdiff_t>(c);
        return -1;
    }
    bool has_column(std::string_view name) const noexcept { return column_index(name) >= 0; }
    /// The column called `name`; throws naming the file and its columns when absent.
    std::span<const double> column(std::string_view name) const {
        const auto c = column_index(name);
        if (c < 0) {
            std::string list;
            for (const auto& n : names) (list += list.empty() ? "" : " ") += n;
            throw error(source, ": no column '", name, "'; columns are: ", list);
        }
        return columns[static_cast<std::size_t>(c)];
    }
};

namespace detail {

/// Splits `line` at commas into trimmed cells (views into `line`).
inline void split_csv(std::string_view line, std::vector<std::string_view>& cells) {
    cells.clear();
    std::size_t start = 0;
    for (;;) {
        const std::size_t comma = line.find(',', start);
        std::string_view cell = line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        const auto b = cell.find_first_not_of(" \t");
        cell = b == std::string_view::npos ? std::string_view{} : cell.substr(b, cell.find_last_not_of(" \t") - b + 1);
        cells.push_back(cell);
        if (comma == std::string_view::npos) return;
        start = comma + 1;
    }
}

inline table read_csv(line_reader& in) {
    table t;
    t.source = in.name();
    std::string_view line;
    std::vector<std::string_view> cells;
    auto next_line = [&]() {
        while (in.next_nonblank(line))
            if (line.find_first_not_of(" \t") != std::string_view::npos && line[line.find_first_not_of(" \t")] != '#')
                return true;
        return false;
    };
    if (!next_line()) throw error(in.name(), ": empty file (expected a header line naming the columns)");
    if (in.line() == 1 && line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);  // Excel's UTF-8 BOM
    split_csv(line, cells);
    for (std::size_t c = 0; c < cells.size(); ++c) {
        std::string_view n = cells[c];
        if (n.size() >= 2 && n.front() == '"' && n.back() == '"') n = n.substr(1, n.size() - 2);
        if (n.empty()) throw in.fail("column " + std::to_string(c + 1) + " of the header has no name");
        t.names.emplace_back(n);
    }
    if (const auto c = first_duplicate(t.names); c >= 0)  // n log n: a hostile header may be long
        throw in.fail("column name '" + t.names[static_cast<std::size_t>(c)] + "' appears twice in the header");
    t.columns.resize(t.names.size());
    while (next_line()) {
        split_csv(line, cells);
        if (cells.size() != t.names.size())
            throw in.fail("row has " + std::to_string(cells.size()) + " cells for " + std::to_string(t.names.size()) +
                          " columns");
        for (std::size_t c = 0; c < cells.size(); ++c) {
            if (cells[c].empty()) throw in.fail("empty cell in column '" + t.names[c] + "'");
            double v = 0;
            bool integer_like = false;
            const auto st = parse_double(cells[c], v, integer_like);
            if (st != parse_status::ok && st != parse_status::not_finite)
                throw in.fail(number_problem(st, cells[c], t.names[c]));
            t.columns[c].push_back(v);
        }
        t.lines.push_back(in.line());
        ++t.rows;
    }
    return t;
}

}  // namespace detail

/// Reads a CSV table from a file (gzip-compressed when it ends in ".gz").
inline table read_csv(const std::filesystem::path& path) {
    detail::line_reader in(detail::open_source(path), path.string());
    return detail::read_csv(in);
}
/// Reads a CSV table from text (`name` appears in messages).
inline table read_csv_text(std::string_view text, std::string name = "<string>") {
    detail::line_reader in(std::make_unique<detail::memory_source>(std::string(text)), std::move(name));
    return detail::read_csv(in);
}

}  // namespace tessera
