// libFuzzer target for the extended XYZ reader. Build and run as fuzz_lammps_dump.cpp:
//   clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
//       tests/fuzz/fuzz_extxyz.cpp -lz -o fuzz_extxyz
//   mkdir -p corpus_xyz && ./fuzz_extxyz -max_total_time=120 -max_len=4096 corpus_xyz
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
