// libFuzzer target for the CSV table reader (io/csv_reader.hpp), what `tessera learn`,
// `cluster` and `stats` read through apps/tessera/table_input.hpp for *.csv inputs.
// Checks on what parses: every column has `rows` values and the names are distinct.
//
// Build and run: scripts/fuzz (docs/reliability.md). Only tessera::error is an accepted outcome.
#include "fuzz_util.hpp"

#include <tessera/io/csv_reader.hpp>

#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const tessera::table t = tessera::read_csv_text(tessera_fuzz::text_of(data, size), "fuzz.csv");
        if (t.names.empty() || t.columns.size() != t.names.size()) std::abort();
        for (std::size_t c = 0; c < t.names.size(); ++c) {
            if (t.columns[c].size() != t.rows || t.names[c].empty()) std::abort();
            if (t.column_index(t.names[c]) != static_cast<std::ptrdiff_t>(c)) std::abort();  // names distinct
        }
    } catch (const tessera::error&) {
    }
    return 0;
}
