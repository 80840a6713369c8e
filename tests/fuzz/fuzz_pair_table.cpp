// libFuzzer target for the per-type-pair value lists of the command line, "A-B:V,..."
// (core/type_pair_table.hpp: `tessera bonds --pairs`, `tessera compute --coord-pairs`).
// What parses must be symmetric, non-negative and finite, with types 1..max_types.
//
// Build and run: scripts/fuzz (docs/reliability.md). Only tessera::error is an accepted outcome.
#include "fuzz_util.hpp"

#include <tessera/core/type_pair_table.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    try {
        const auto t = tessera::type_pair_table::parse(tessera_fuzz::text_of(data, size), "--pairs");
        const int n = t.num_types();
        if (n < 1 || n > tessera::type_pair_table::max_types) std::abort();
        if (t.values().size() != std::size_t(n) * std::size_t(n)) std::abort();
        for (int a = 1; a <= n && a <= 64; ++a)
            for (int b = 1; b <= n && b <= 64; ++b)
                if (t(a, b) != t(b, a) || !(t(a, b) >= 0) || !std::isfinite(t(a, b))) std::abort();
    } catch (const tessera::error&) {
    }
    return 0;
}
