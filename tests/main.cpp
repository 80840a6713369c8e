// The one main() of tessera_tests; test cases live in tests/<area>/*.cpp, mirroring include/tessera/<area>/.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
