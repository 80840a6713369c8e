// libFuzzer target for the extended XYZ reader (io/extxyz.hpp).
// Build and run: scripts/fuzz [SECONDS] --only extxyz (docs/reliability.md).
// Only tessera::error is an accepted outcome of bad input.
#include <tessera/io/extxyz.hpp>

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto reader = tessera::extxyz_reader::from_buffer(text, "fuzz");
    tessera::frame f;
    try {
        while (reader.next(f)) {
            try {
                (void)f.positions(tessera::unwrap::if_available);
                (void)f.ids();
            } catch (const tessera::error&) {
            }
        }
    } catch (const tessera::error&) {
    }
    return 0;
}
