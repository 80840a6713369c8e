# Runs `cmake --build BUILD_DIR --target TARGET` and passes only if the build FAILS and its output
# matches the regex given on the first line of SOURCE as `// EXPECT: <regex>`.
# Usage: cmake -DBUILD_DIR=... -DTARGET=... -DSOURCE=... -P TesseraCompileFail.cmake
foreach(_var BUILD_DIR TARGET SOURCE)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "TesseraCompileFail.cmake: ${_var} not set")
  endif()
endforeach()

file(STRINGS "${SOURCE}" _first_line LIMIT_COUNT 1)
if(NOT _first_line MATCHES "^// EXPECT: (.+)$")
  message(FATAL_ERROR "${SOURCE}: first line must be `// EXPECT: <regex>`")
endif()
set(_expect "${CMAKE_MATCH_1}")

# No "clean" first: a TU that failed has no object file, so the compiler always runs again; one
# that (wrongly) compiled stays up to date and keeps the test failing until it is fixed.
execute_process(
  COMMAND "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --target "${TARGET}"
  RESULT_VARIABLE _result
  OUTPUT_VARIABLE _output
  ERROR_VARIABLE _output)

if(_result EQUAL 0)
  message("${_output}")
  message(FATAL_ERROR "${SOURCE}: compiled successfully but must not compile (expected /${_expect}/)")
endif()
if(NOT _output MATCHES "${_expect}")
  message("${_output}")
  message(FATAL_ERROR "${SOURCE}: failed to compile, but not with the expected diagnostic /${_expect}/")
endif()
message(STATUS "${SOURCE}: failed to compile as expected (matched /${_expect}/)")
