// libFuzzer target for the selection language (core/selection.hpp).
//
// Build and run: scripts/fuzz [SECONDS] --only selection (docs/reliability.md).
//
// Only tessera::error is an accepted outcome of bad input; any other exception, crash or
// sanitizer report aborts the fuzzer. What parses is evaluated on a small frame (NaN, inf,
// species names), and count() must agree with the mask.
#include <tessera/core/selection.hpp>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const tessera::frame f = [] {
        tessera::frame g;
        g.natoms = 5;
        const double nan = std::numeric_limits<double>::quiet_NaN();
        const double inf = std::numeric_limits<double>::infinity();
        g.add_column("id", {1, 2, 3, 4, 5}, true);
        g.add_column("type", {1, 2, 2, 1, 3}, true);
        g.add_column("x", {0, -1.5, nan, inf, 1e300});
        g.add_column("c_stress[1]", {0, 0, -0.0, 2, -inf});
        g.type_names = {"Cu", "Zr"};
        return g;
    }();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        const auto sel = tessera::selection::parse(text);
        try {
            const auto mask = sel.evaluate(f);
            std::size_t n = 0;
            for (const auto m : mask) {
                if (m > 1) std::abort();
                n += m;
            }
            if (mask.size() != f.natoms || sel.count(f) != n) std::abort();
        } catch (const tessera::error&) {
        }
    } catch (const tessera::error&) {
    }
    return 0;
}
