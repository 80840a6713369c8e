// libFuzzer target for the LAMMPS pair_style/pair_coeff lines of lj/cut
// (physics/lj_cut.hpp lj_cut::from_lammps: `tessera energy|minimize|aqs --pair-style
// 'lj/cut RC' --pair-coeff 'I J EPS SIGMA [RC]'`, with LAMMPS's '*', 'N*', '*M', 'N*M' ranges).
// Input: the first line is the pair_style, each further line one pair_coeff.
//
// Type numbers: from_lammps sizes its tables by the largest type a line names (up to 4096:
// (n+1)^2 entries of 72 bytes, 1.2 GB at 4096, which ran the first runs at ~1 100 exec/s). An
// input whose digit runs are all <= 256 is parsed as the command parses it (number of types
// taken from the lines); any input is also parsed with num_types = 8 given, so type numbers
// beyond the count (any size) reach the range checks without a large table. The 1..4096 bound
// itself is a unit test (tests/physics/lj_cut.cpp, "lj_cut: the number of types is bounded").
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
    bool small_numbers = true;  // every run of digits is a number <= 256
    for (std::size_t i = 0; i < text.size() && small_numbers;) {
        if (text[i] < '0' || text[i] > '9') {
            ++i;
            continue;
        }
        std::size_t value = 0;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
            if ((value = value * 10 + std::size_t(text[i] - '0')) > 256) small_numbers = false;
    }
    for (const bool shift : {false, true}) {
        if (small_numbers) {
            try {
                (void)tessera::lj_cut::from_lammps(style, lines, shift);
            } catch (const tessera::error&) {
            }
        }
        try {
            (void)tessera::lj_cut::from_lammps(style, lines, shift, 8);
        } catch (const tessera::error&) {
        }
    }
    return 0;
}
