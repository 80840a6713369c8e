// libFuzzer target for the LAMMPS dump reader (and writer round trip).
//
// Build and run: scripts/fuzz [SECONDS] --only lammps_dump (docs/reliability.md).
//
// Only tessera::error is an accepted outcome of bad input; any other exception, crash,
// sanitizer report or round-trip mismatch aborts the fuzzer.
#include <tessera/io/lammps_dump.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string_view>
#include <vector>

namespace {
/// Equal bits, or both NaN (the writer writes every NaN as "nan").
bool same_value(double a, double b) {
    if (a != a || b != b) return a != a && b != b;
    return std::memcmp(&a, &b, sizeof a) == 0;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto reader = tessera::lammps_dump_reader::from_buffer(text, "fuzz");
    std::vector<tessera::frame> frames;
    tessera::frame f;
    try {
        while (reader.next(f)) {
            try {
                (void)f.positions(tessera::unwrap::if_available);
            } catch (const tessera::error&) {
            }
            for (std::size_t c = 0; c < f.names.size(); ++c)
                if (f.is_string_column(c))
                    for (std::size_t i = 0; i < f.natoms; ++i) (void)f.label(c, i);  // every value names a label
            frames.push_back(f);
        }
    } catch (const tessera::error&) {
    }
    // What was read must write and read back to the same frames: string columns (label numbers
    // depend on the frames before), types and type names from strings, values (NaN as NaN).
    std::ostringstream os;
    {
        tessera::lammps_dump_writer w(os);
        for (const auto& fr : frames) w.write(fr);
    }
    auto again = tessera::lammps_dump_reader::from_string(os.str(), "again");
    for (const auto& fr : frames) {
        tessera::frame g;
        try {
            if (!again.next(g)) std::abort();
        } catch (const tessera::error&) {
            return 0;  // e.g. a box whose bounds do not survive the bounding-box round trip
        }
        if (g.names != fr.names || g.natoms != fr.natoms || g.timestep != fr.timestep || g.labels != fr.labels ||
            g.type_names != fr.type_names)
            std::abort();
        for (std::size_t c = 0; c < fr.names.size(); ++c)
            for (std::size_t i = 0; i < fr.natoms; ++i)
                if (!same_value(fr.columns[c][i], g.columns[c][i])) std::abort();
    }
    return 0;
}
