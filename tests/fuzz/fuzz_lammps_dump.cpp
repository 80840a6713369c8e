// libFuzzer target for the LAMMPS dump reader (and writer round trip).
//
// Build and run (clang 14, from the repository root):
//   clang++-14 -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude \
//       tests/fuzz/fuzz_lammps_dump.cpp -lz -o fuzz_lammps_dump
//   mkdir -p corpus && ./fuzz_lammps_dump -max_total_time=120 -max_len=4096 corpus
//
// Only tessera::error is an accepted outcome of bad input; any other exception, crash,
// sanitizer report or round-trip mismatch aborts the fuzzer.
#include <tessera/io/lammps_dump.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string_view>

namespace {
bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto reader = tessera::lammps_dump_reader::from_buffer(text, "fuzz");
    tessera::frame f;
    try {
        while (reader.next(f)) {
            try {
                (void)f.positions(tessera::unwrap::if_available);
            } catch (const tessera::error&) {
            }
            // What was read must write and read back to the same values.
            std::ostringstream os;
            tessera::lammps_dump_writer(os).write(f);
            tessera::frame g;
            try {
                auto again = tessera::lammps_dump_reader::from_string(os.str(), "again");
                if (!again.next(g)) std::abort();
            } catch (const tessera::error&) {
                continue;  // e.g. a box whose bounds do not survive the bounding-box round trip
            }
            if (g.names != f.names || g.natoms != f.natoms || g.timestep != f.timestep) std::abort();
            for (std::size_t c = 0; c < f.names.size(); ++c)
                for (std::size_t i = 0; i < f.natoms; ++i)
                    if (!same_bits(f.columns[c][i], g.columns[c][i])) std::abort();
        }
    } catch (const tessera::error&) {
    }
    return 0;
}
