"""Conan 2 recipe for tessera (header-only).

The version is not written here: set_version() reads it from include/tessera/version.hpp,
the single place it lives. tests/packaging/check_conanfile.py exercises parse_version().
"""
import os
import re

from conan import ConanFile
from conan.tools.build import check_min_cppstd
from conan.tools.files import copy, load
from conan.tools.layout import basic_layout

required_conan_version = ">=2.0"

_VERSION_RE = re.compile(r"^#define\s+TESSERA_VERSION_(MAJOR|MINOR|PATCH)\s+(\d+)\s*$", re.MULTILINE)


def parse_version(version_hpp_text):
    """Return "MAJOR.MINOR.PATCH" from the text of include/tessera/version.hpp."""
    parts = dict(_VERSION_RE.findall(version_hpp_text))
    missing = [p for p in ("MAJOR", "MINOR", "PATCH") if p not in parts]
    if missing:
        raise ValueError("version.hpp lacks TESSERA_VERSION_" + ", TESSERA_VERSION_".join(missing))
    return "{MAJOR}.{MINOR}.{PATCH}".format(**parts)


class TesseraConan(ConanFile):
    name = "tessera"
    package_type = "header-library"
    license = "BSD-3-Clause"
    description = ("Header-only C++20 library of per-particle descriptors for "
                   "molecular-dynamics trajectories")
    topics = ("molecular-dynamics", "descriptors", "simd", "header-only")
    settings = "os", "arch", "compiler", "build_type"
    # zlib: read and write .gz trajectories (as the CMake build does when it finds zlib). Off, the
    # headers define TESSERA_NO_ZLIB and a .gz input is a clear tessera::error.
    options = {"zlib": [True, False]}
    default_options = {"zlib": True}
    exports = "include/tessera/version.hpp", "LICENSE"
    exports_sources = "include/*", "CMakeLists.txt", "cmake/*", "LICENSE"
    no_copy_source = True

    def set_version(self):
        self.version = parse_version(
            load(self, os.path.join(self.recipe_folder, "include", "tessera", "version.hpp")))

    def layout(self):
        basic_layout(self, src_folder=".")

    def requirements(self):
        self.requires("boost/[>=1.74 <2]")
        self.requires("xsimd/[>=8.1 <9]")
        self.requires("eigen/[>=3.3 <4]")
        if self.options.zlib:
            self.requires("zlib/[>=1.2.11 <2]")

    def package_id(self):
        # Header-only: only the zlib option changes what a consumer compiles (TESSERA_NO_ZLIB).
        zlib = self.info.options.zlib
        self.info.clear()
        self.info.options.zlib = zlib

    def validate(self):
        check_min_cppstd(self, 20)

    def package(self):
        copy(self, "*.hpp", src=os.path.join(self.source_folder, "include"),
             dst=os.path.join(self.package_folder, "include"))
        copy(self, "LICENSE", src=self.source_folder, dst=os.path.join(self.package_folder, "licenses"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "tessera")
        self.cpp_info.set_property("cmake_target_name", "tessera::tessera")
        self.cpp_info.set_property("pkg_config_name", "tessera")
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        self.cpp_info.requires = ["boost::headers", "xsimd::xsimd", "eigen::eigen"]
        if self.options.zlib:
            self.cpp_info.requires.append("zlib::zlib")
        else:
            self.cpp_info.defines = ["TESSERA_NO_ZLIB"]
