// libFuzzer target for the LAMMPS pair_style/pair_coeff lines of lj/cut
// (physics/lj_cut.hpp lj_cut::from_lammps: `tessera energy|minimize|aqs --pair-style
// 'lj/cut RC' --pair-coeff 'I J EPS SIGMA [RC]'`, with LAMMPS's '*', 'N*', '*M', 'N*M' ranges).
// Input: the first line is the pair_style, each further line one pair_coeff.
//
// Build and run: scripts/fuzz (docs/reliability.md). Only tessera::error is an accepted outcome.
#include "fuzz_util.hpp"

#include <tessera/physics/lj_cut.hpp>

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text = tessera_fuzz::text_of(data, size);
    std::vector<std::string> lines;
    std::size_t b = 0;
    while (b <= text.size()) {
        const std::size_t e = std::min(text.find('\n', b), text.size());
        lines.emplace_back(text.substr(b, e - b));
        b = e + 1;
    }
    const std::string style = lines.front();
    lines.erase(lines.begin());
    for (const bool shift : {false, true}) {
        try {
            (void)tessera::lj_cut::from_lammps(style, lines, shift);
        } catch (const tessera::error&) {
        }
    }
    return 0;
}
