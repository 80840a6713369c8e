#pragma once
// All frames of a committed reference dump (tests/reference/<name>), for the dynamics tests.
#include <tessera/core/frame.hpp>
#include <tessera/io/lammps_dump.hpp>

#include <string>
#include <vector>

namespace tessera_test {

inline std::vector<tessera::frame> read_reference_frames(const std::string& name) {
    tessera::lammps_dump_reader r(std::string(TESSERA_TEST_DATA_DIR) + "/" + name);
    std::vector<tessera::frame> frames;
    tessera::frame f;
    while (r.next(f)) frames.push_back(f);
    return frames;
}

}  // namespace tessera_test
