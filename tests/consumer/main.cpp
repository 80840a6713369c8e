// Built by tests/consumer/run.cmake against the installed tessera package.
#include <tessera/core/error.hpp>
#include <tessera/version.hpp>

#include <cstdio>

int main() {
    std::printf("tessera %d.%d.%d\n", tessera::version_major, tessera::version_minor,
                tessera::version_patch);
    try {
        throw tessera::error("consumer: deliberate error");
    } catch (const tessera::error& e) {
        std::printf("caught tessera::error: %s\n", e.what());
        return 0;
    }
    return 1;
}
