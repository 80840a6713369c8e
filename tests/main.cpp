// The one main() of tessera_tests (and of tessera_lammps_tests, tessera_tests_sanitized); test
// cases live in tests/<area>/*.cpp, mirroring include/tessera/<area>/.
//
// TESSERA_TEST_DATA_DIR is a path relative to the directory of the test executable (see
// tests/CMakeLists.txt): no compiled object names the absolute location of the source tree, so a
// compiler cache (scripts/test uses ccache when present) shares objects between clones. main()
// therefore runs the tests from the executable's directory, wherever it was started from.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <filesystem>
#include <iostream>
#include <system_error>

int main(int argc, char* argv[]) {
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) std::filesystem::current_path(exe.parent_path(), ec);
    if (ec) {
        std::cerr << "tessera tests: cannot change to the test executable's directory (" << ec.message()
                  << "); reference data is found relative to it\n";
        return 2;
    }
    return Catch::Session().run(argc, argv);
}
