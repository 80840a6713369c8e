// libFuzzer target for the EAM potential file readers (physics/eam_file.hpp): funcfl
// (pair_style eam), setfl (eam/alloy) and Finnis–Sinclair (eam/fs), then their conversion to
// pair eam's tables. The readers open paths: the input goes through a temporary file. The
// first byte picks the format (mod 3); the rest is the file.
//
// Build and run: scripts/fuzz (docs/reliability.md). Only tessera::error is an accepted outcome.
#include "fuzz_util.hpp"

#include <tessera/physics/eam_file.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const int format = data[0] % 3;
    const tessera_fuzz::temp_file file(data + 1, size - 1);
    try {
        if (format == 0) {
            const auto f = tessera::read_eam_funcfl(file.path());
            const std::vector<tessera::eam_funcfl> files{f};
            const std::vector<int> type_file{0, 0};
            const auto t = tessera::eam_tables_from_funcfl(files, type_file);
            if (t.num_types != 2) std::abort();
        } else {
            const auto f = format == 1 ? tessera::read_eam_setfl(file.path()) : tessera::read_eam_fs(file.path());
            if (f.frho.size() != f.elements.size()) std::abort();
            std::vector<std::string> types(f.elements.begin(), f.elements.end());
            types.push_back(f.elements.front());
            const auto t = tessera::eam_tables_from_setfl(f, types);
            if (t.num_types != types.size()) std::abort();
        }
    } catch (const tessera::error&) {
    }
    return 0;
}
