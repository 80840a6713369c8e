// Smoke tests for the two headers every other part depends on.
#include <tessera/core/error.hpp>
#include <tessera/version.hpp>

#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <type_traits>

TEST_CASE("version constants mirror the version macros", "[version]") {
    STATIC_REQUIRE(tessera::version_major == TESSERA_VERSION_MAJOR);
    STATIC_REQUIRE(tessera::version_minor == TESSERA_VERSION_MINOR);
    STATIC_REQUIRE(tessera::version_patch == TESSERA_VERSION_PATCH);
    REQUIRE(tessera::version_major >= 0);
    REQUIRE(tessera::version_minor >= 0);
    REQUIRE(tessera::version_patch >= 0);
}

TEST_CASE("tessera::error is a std::runtime_error carrying its message", "[error]") {
    STATIC_REQUIRE(std::is_base_of_v<std::runtime_error, tessera::error>);
    const std::string message = "frame 3, atom id 17: position is not finite";
    try {
        throw tessera::error(message);
    } catch (const std::runtime_error& e) {
        REQUIRE(std::string(e.what()) == message);
    }
    REQUIRE_THROWS_AS(throw tessera::error("x"), tessera::error);
}

TEST_CASE("the reference data directory is passed to the tests", "[build]") {
    const std::string dir = TESSERA_TEST_DATA_DIR;
    REQUIRE(dir.size() > std::string("/tests/reference").size());
    REQUIRE(dir.substr(dir.size() - std::string("/tests/reference").size()) == "/tests/reference");
}
