// libFuzzer target for the `--frames A:B:S` slices of the command line
// (apps/tessera/common.hpp cli::frame_selection). Input: the slice text. What parses is
// resolved on files of 0..4 frames (negative indices count from the end) and, when it needs
// no count, on a file of unknown length.
//
// Build and run: scripts/fuzz (docs/reliability.md). Only tessera::error is an accepted outcome.
#include "fuzz_util.hpp"

#include "../../apps/tessera/common.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(tessera_fuzz::text_of(data, size));
    try {
        const auto s = tessera::cli::frame_selection::parse(text);
        if (s.step < 1) std::abort();
        for (std::size_t count = 0; count < 5; ++count) {
            const auto r = s.resolve(count);
            for (std::size_t i = 0; i < count; ++i) (void)r.selects(i), (void)r.finished(i);
        }
        if (!s.needs_count()) (void)s.resolve(std::nullopt);
    } catch (const tessera::error&) {
    }
    return 0;
}
