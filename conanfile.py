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
    license = "see LICENSE"
    url = "https://github.com/tessera/tessera"
    description = ("Header-only C++20 library of per-particle descriptors for "
                   "molecular-dynamics trajectories")
    topics = ("molecular-dynamics", "descriptors", "simd", "header-only")
    settings = "os", "arch", "compiler", "build_type"
    exports = "include/tessera/version.hpp"
    exports_sources = "include/*", "CMakeLists.txt", "cmake/*"
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

    def package_id(self):
        self.info.clear()

    def validate(self):
        check_min_cppstd(self, 20)

    def package(self):
        copy(self, "*.hpp", src=os.path.join(self.source_folder, "include"),
             dst=os.path.join(self.package_folder, "include"))
        license_file = os.path.join(self.source_folder, "LICENSE")
        if os.path.exists(license_file):
            copy(self, "LICENSE", src=self.source_folder,
                 dst=os.path.join(self.package_folder, "licenses"))

    def package_info(self):
        self.cpp_info.set_property("cmake_file_name", "tessera")
        self.cpp_info.set_property("cmake_target_name", "tessera::tessera")
        self.cpp_info.set_property("pkg_config_name", "tessera")
        self.cpp_info.bindirs = []
        self.cpp_info.libdirs = []
        self.cpp_info.requires = ["boost::headers", "xsimd::xsimd", "eigen::eigen"]
