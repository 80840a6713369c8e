// libFuzzer target for the extended XYZ reader (io/extxyz.hpp) and, on every frame it accepts,
// the writer (io/extxyz_writer.hpp): a frame read, written and read again must come back with the
// same number of atoms, the same positions bit for bit (NaN as NaN), the same ids, and the same
// box origin and cell matrix bit for bit (the writer's documented round trip). A writer error
// (tessera::error: e.g. a column name the format cannot carry) is an accepted outcome.
// Build and run: scripts/fuzz [SECONDS] --only extxyz (docs/reliability.md).
// Only tessera::error is an accepted outcome of bad input; a round-trip mismatch aborts.
#include <tessera/io/extxyz.hpp>
#include <tessera/io/extxyz_writer.hpp>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

namespace {

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

void round_trip(const tessera::frame& f) {
    std::ostringstream os;
    try {
        tessera::extxyz_writer w(os, "fuzz-out");
        w.write(f);
    } catch (const tessera::error&) {
        return;
    }
    const std::string text = os.str();
    auto back_reader = tessera::extxyz_reader::from_buffer(text, "fuzz-out");
    tessera::frame g;
    if (!back_reader.next(g)) std::abort();  // the writer wrote a frame the reader does not see
    if (g.natoms != f.natoms) std::abort();
    const auto p = f.positions(), q = g.positions();
    for (std::size_t i = 0; i < p.size(); ++i)
        for (int k = 0; k < 3; ++k)
            if (!same(p[i][k], q[i][k])) std::abort();
    if (f.has_column("id") && f.ids() != g.ids()) std::abort();
    if (!(f.box_origin() == g.box_origin()) || !(f.box_cell() == g.box_cell())) std::abort();
    if (back_reader.next(g)) std::abort();  // one frame written, one read
}

}  // namespace

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
                continue;  // a frame without usable positions or ids is not written
            }
            round_trip(f);
        }
    } catch (const tessera::error&) {
    }
    return 0;
}
