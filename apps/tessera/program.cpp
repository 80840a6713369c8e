// main() of one build of the command (see dispatch.cpp): runs it, naming the SIMD architecture
// it was compiled for in --version (TESSERA_CLI_SIMD, set by CMakeLists.txt; the launcher says
// whether the choice was forced through TESSERA_SIMD_RUNNING).
#include <cstdlib>
#include <string>

namespace tessera::cli {
int run(int argc, char** argv, const char* simd);
}

#ifndef TESSERA_CLI_SIMD
#define TESSERA_CLI_SIMD "as compiled, no dispatch"
#endif

int main(int argc, char** argv) {
    const char* running = std::getenv("TESSERA_SIMD_RUNNING");
    // The launcher's note ("avx2, forced") only when it names this build.
    const std::string own = TESSERA_CLI_SIMD;
    const std::string simd = running && std::string(running).rfind(own, 0) == 0 ? running : own;
    return tessera::cli::run(argc, argv, simd.c_str());
}
