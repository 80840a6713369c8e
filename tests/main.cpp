// The one main() of tessera_tests; test cases live in tests/unit/*.cpp.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
