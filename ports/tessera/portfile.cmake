# Overlay port for tessera (header-only). Builds from the checkout this port lives in:
#   vcpkg install tessera --overlay-ports=<repo>/ports
# To package a published release instead, replace SOURCE_PATH with vcpkg_from_github(...).
set(VCPKG_BUILD_TYPE release)   # header-only: no debug variant

get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
if(NOT EXISTS "${SOURCE_PATH}/include/tessera/version.hpp")
  message(FATAL_ERROR "tessera overlay port: ${SOURCE_PATH} is not a tessera checkout")
endif()

# Feature `zlib` (default) -> TESSERA_USE_ZLIB: the installed tesseraConfig.cmake then finds zlib,
# as a CMake build of the same tree does. LAPACK stays off: vcpkg must not pick up a system LAPACK
# the manifest does not declare (physics/vdos.hpp falls back to Eigen's solver).
vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS FEATURES zlib TESSERA_USE_ZLIB)

vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    ${FEATURE_OPTIONS}
    -DTESSERA_USE_LAPACK=OFF
    -DTESSERA_BUILD_TESTS=OFF
    -DTESSERA_BUILD_APPS=OFF
    -DTESSERA_BUILD_EXAMPLES=OFF
    -DTESSERA_BUILD_BENCHMARKS=OFF
    -DTESSERA_ENABLE_OPENMP=OFF
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME tessera CONFIG_PATH share/cmake/tessera)
vcpkg_fixup_pkgconfig()

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/lib" "${CURRENT_PACKAGES_DIR}/debug")

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/share/doc")   # LICENSE goes where vcpkg wants it:
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
