# ctest `install_consumer`: install the current build tree into a scratch prefix, then configure,
# build and run tests/consumer against it with find_package(tessera CONFIG REQUIRED); also check
# the installed pkg-config file. Any failing step fails the test.
#   cmake -DBUILD_DIR=<tessera build> -DCONSUMER_SOURCE_DIR=<tests/consumer> -DWORK_DIR=<scratch>
#         [-DGENERATOR=Ninja] [-DCXX_COMPILER=g++] [-DCXX_LAUNCHER=ccache] [-DEXPECTED_VERSION=x.y.z] -P run.cmake
# With -DNO_ZLIB_SOURCE_DIR=<tessera source> it first configures that source with TESSERA_USE_ZLIB=OFF
# (library only) in WORK_DIR and installs that package instead of BUILD_DIR's: the package a vcpkg
# or conan user gets with the `zlib` feature off. The consumer must then compile and refuse a .gz.
foreach(_var CONSUMER_SOURCE_DIR WORK_DIR)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "run.cmake: ${_var} not set")
  endif()
endforeach()

set(_prefix "${WORK_DIR}/prefix")
set(_build "${WORK_DIR}/build")
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

function(regex_escape out in)
  string(REGEX REPLACE "([][+.*()^$?|\\\\])" "\\\\\\1" _escaped "${in}")
  set(${out} "${_escaped}" PARENT_SCOPE)
endfunction()
regex_escape(_prefix_re "${_prefix}")

function(step name)
  message(STATUS "[install_consumer] ${name}: ${ARGN}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _out)
  message("${_out}")
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "[install_consumer] step '${name}' failed (exit ${_rc})")
  endif()
  set(STEP_OUTPUT "${_out}" PARENT_SCOPE)
endfunction()

if(NO_ZLIB_SOURCE_DIR)
  set(_nozlib_build "${WORK_DIR}/tessera-nozlib")
  set(_tessera_args -S "${NO_ZLIB_SOURCE_DIR}" -B "${_nozlib_build}" -DTESSERA_USE_ZLIB=OFF
      -DTESSERA_BUILD_TESTS=OFF -DTESSERA_BUILD_APPS=OFF -DTESSERA_BUILD_EXAMPLES=OFF
      -DTESSERA_BUILD_BENCHMARKS=OFF)
  if(GENERATOR)
    list(APPEND _tessera_args -G "${GENERATOR}")
  endif()
  step(configure-tessera-without-zlib "${CMAKE_COMMAND}" ${_tessera_args})
  set(BUILD_DIR "${_nozlib_build}")
elseif(NOT BUILD_DIR)
  message(FATAL_ERROR "run.cmake: BUILD_DIR not set")
endif()
step(install "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${_prefix}")

# The installed tree must contain the package files we promise.
foreach(_f include/tessera/version.hpp include/tessera/core/error.hpp
           share/cmake/tessera/tesseraConfig.cmake share/cmake/tessera/tesseraConfigVersion.cmake
           share/cmake/tessera/tesseraTargets.cmake share/pkgconfig/tessera.pc
           share/doc/tessera/LICENSE)
  if(NOT EXISTS "${_prefix}/${_f}")
    message(FATAL_ERROR "[install_consumer] missing from the install tree: ${_f}")
  endif()
endforeach()

set(_configure_args -S "${CONSUMER_SOURCE_DIR}" -B "${_build}"
    "-DCMAKE_PREFIX_PATH=${_prefix}" -DCMAKE_BUILD_TYPE=Release)
if(GENERATOR)
  list(APPEND _configure_args -G "${GENERATOR}")
endif()
if(CXX_COMPILER)
  list(APPEND _configure_args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
if(EXPECTED_VERSION)
  list(APPEND _configure_args "-DEXPECTED_VERSION=${EXPECTED_VERSION}")
endif()
if(CXX_LAUNCHER)  # the tessera build's compiler launcher (scripts/test: ccache) for the consumer too
  list(APPEND _configure_args "-DCMAKE_CXX_COMPILER_LAUNCHER=${CXX_LAUNCHER}")
endif()
step(configure "${CMAKE_COMMAND}" ${_configure_args})
if(NOT STEP_OUTPUT MATCHES "tessera [0-9.]+ from ${_prefix_re}/")
  message(FATAL_ERROR "[install_consumer] the consumer did not pick up tessera from ${_prefix}")
endif()
step(build "${CMAKE_COMMAND}" --build "${_build}")

find_program(_exe NAMES consumer PATHS "${_build}" PATH_SUFFIXES Release NO_DEFAULT_PATH REQUIRED)
step(run "${_exe}")
if(EXPECTED_VERSION AND NOT STEP_OUTPUT MATCHES "tessera ${EXPECTED_VERSION}\n")
  message(FATAL_ERROR "[install_consumer] consumer printed the wrong version (expected ${EXPECTED_VERSION})")
endif()
if(NOT STEP_OUTPUT MATCHES "caught tessera::error")
  message(FATAL_ERROR "[install_consumer] consumer did not catch tessera::error")
endif()
if(NO_ZLIB_SOURCE_DIR AND NOT STEP_OUTPUT MATCHES "gzip: built without zlib, refused: [^\n]*without zlib")
  message(FATAL_ERROR "[install_consumer] the package without zlib did not refuse the .gz clearly")
elseif(NOT NO_ZLIB_SOURCE_DIR AND NOT STEP_OUTPUT MATCHES "gzip: read 1 atom\\(s\\) from consumer_one_atom.dump.gz: ok")
  message(FATAL_ERROR "[install_consumer] the package with zlib did not read the .gz")
endif()

# pkg-config: the .pc file is relocatable and must point at the scratch prefix.
find_program(_pkg_config pkg-config)
if(NOT _pkg_config)
  message(FATAL_ERROR "[install_consumer] pkg-config not found (apt-get install pkg-config)")
endif()
set(ENV{PKG_CONFIG_PATH} "${_prefix}/share/pkgconfig")
step(pkg-config "${_pkg_config}" --cflags tessera)
if(NOT STEP_OUTPUT MATCHES "-std=c\\+\\+20" OR NOT STEP_OUTPUT MATCHES "-I${_prefix_re}/")
  message(FATAL_ERROR "[install_consumer] unexpected pkg-config --cflags output: ${STEP_OUTPUT}")
endif()
string(STRIP "${STEP_OUTPUT}" _cflags)
separate_arguments(_cflags UNIX_COMMAND "${_cflags}")
step(pkg-config-libs "${_pkg_config}" --libs tessera)
string(STRIP "${STEP_OUTPUT}" _libs)
separate_arguments(_libs UNIX_COMMAND "${_libs}")
# ... and the flags alone must be enough to compile and link the consumer (.gz reading included).
if(NOT CXX_COMPILER)
  set(CXX_COMPILER c++)
endif()
step(pkg-config-compile ${CXX_LAUNCHER} "${CXX_COMPILER}" ${_cflags} "${CONSUMER_SOURCE_DIR}/main.cpp"
     -o "${WORK_DIR}/consumer_pkgconfig" ${_libs})
step(pkg-config-run "${WORK_DIR}/consumer_pkgconfig")
step(pkg-config-version "${_pkg_config}" --modversion tessera)
if(EXPECTED_VERSION AND NOT STEP_OUTPUT MATCHES "^${EXPECTED_VERSION}")
  message(FATAL_ERROR "[install_consumer] pkg-config reports version ${STEP_OUTPUT}, expected ${EXPECTED_VERSION}")
endif()
message(STATUS "[install_consumer] OK")
