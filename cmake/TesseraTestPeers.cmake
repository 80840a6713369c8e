# The reference implementations tessera's tests compare with ("peers": voro++, libsvm, liblammps,
# LAMMPS's potential files, OpenMP for the thread-invariance tests, scikit-learn for the CLI
# checks). A comparison that compiles out or returns early when its peer is missing is a test that
# cannot fail, so in tessera's own build a missing peer is either
#   - a configuration error (TESSERA_TEST_REQUIRE_PEERS=ON, the default: scripts/test installs every
#     peer through scripts/lib/deps.sh, so missing means a broken machine), or
#   - with TESSERA_TEST_REQUIRE_PEERS=OFF, a ctest entry `peer_missing.<peer>` that ctest reports
#     as skipped (exit code 77), so the gap stays visible in every test summary.
# Tests that find a peer only at run time (Python modules) exit 77 themselves (SKIP_RETURN_CODE).
option(TESSERA_TEST_REQUIRE_PEERS
       "Fail configuration when a reference implementation the tests compare with is missing (OFF: a skipped ctest entry per missing peer)"
       ON)

function(tessera_test_peer_missing peer what)
  if(TESSERA_TEST_REQUIRE_PEERS)
    message(FATAL_ERROR
      "tessera tests: ${peer} not found, so ${what}. Install it (scripts/lib/deps.sh installs every "
      "peer) or configure with -DTESSERA_TEST_REQUIRE_PEERS=OFF to build without those comparisons "
      "(each missing peer then shows as a skipped ctest entry peer_missing.${peer}).")
  endif()
  message(WARNING "tessera tests: ${peer} not found, so ${what} (ctest reports peer_missing.${peer} as skipped)")
  add_test(NAME "peer_missing.${peer}"
           COMMAND sh -c "echo 'tessera tests: ${peer} not found, so ${what}'; exit 77")
  set_tests_properties("peer_missing.${peer}" PROPERTIES SKIP_RETURN_CODE 77 LABELS "unit;peer")
endfunction()
