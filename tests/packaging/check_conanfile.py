#!/usr/bin/python3
"""Validate conanfile.py without Conan: it must parse, import (against stub `conan` modules) and
derive from include/tessera/version.hpp the version given on the command line.

usage: check_conanfile.py <source-dir> <expected-version>
"""
import ast
import importlib.util
import os
import sys
import types


def install_conan_stubs():
    class ConanFile:  # minimal stand-in: attributes only
        pass

    def load(_conanfile, path, encoding="utf-8"):
        with open(path, encoding=encoding) as f:
            return f.read()

    def _unused(*_args, **_kwargs):
        raise AssertionError("not expected to be called by this check")

    modules = {
        "conan": {"ConanFile": ConanFile},
        "conan.tools": {},
        "conan.tools.build": {"check_min_cppstd": _unused},
        "conan.tools.files": {"copy": _unused, "load": load},
        "conan.tools.layout": {"basic_layout": _unused},
    }
    for name, attrs in modules.items():
        module = types.ModuleType(name)
        module.__dict__.update(attrs)
        sys.modules[name] = module


def main():
    source_dir, expected = sys.argv[1], sys.argv[2]
    path = os.path.join(source_dir, "conanfile.py")
    with open(path, encoding="utf-8") as f:
        ast.parse(f.read(), filename=path)

    install_conan_stubs()
    spec = importlib.util.spec_from_file_location("tessera_conanfile", path)
    recipe = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(recipe)

    with open(os.path.join(source_dir, "include", "tessera", "version.hpp"), encoding="utf-8") as f:
        parsed = recipe.parse_version(f.read())
    if parsed != expected:
        sys.exit(f"conanfile.py parse_version() gives {parsed}, version.hpp says {expected}")

    # set_version() as Conan calls it: recipe_folder is the directory holding conanfile.py.
    conanfile = recipe.TesseraConan()
    conanfile.recipe_folder = source_dir
    conanfile.set_version()
    if conanfile.version != expected:
        sys.exit(f"conanfile.py set_version() gives {conanfile.version}, expected {expected}")
    if recipe.TesseraConan.package_type != "header-library":
        sys.exit("conanfile.py: package_type must be header-library")

    try:
        recipe.parse_version("#define TESSERA_VERSION_MAJOR 1\n")
    except ValueError:
        pass
    else:
        sys.exit("conanfile.py parse_version() accepts an incomplete version.hpp")
    check_license_and_zlib_option(recipe)
    print(f"conanfile.py OK (version {parsed}, BSD-3-Clause, zlib option on and off)")


class _CppInfo:
    def __init__(self):
        self.properties, self.requires, self.defines = {}, [], []

    def set_property(self, key, value):
        self.properties[key] = value


def _configured(recipe, zlib):
    conanfile = recipe.TesseraConan()
    conanfile.options = types.SimpleNamespace(zlib=zlib)
    conanfile.required = []
    conanfile.requires = conanfile.required.append
    conanfile.requirements()
    conanfile.cpp_info = _CppInfo()
    conanfile.package_info()
    return conanfile


def check_license_and_zlib_option(recipe):
    """A consumer of the conan package gets what a CMake consumer gets: zlib when the option is on
    (the default, as the CMake build uses zlib when found), TESSERA_NO_ZLIB when off; the license is
    declared and no invented homepage is named."""
    cls = recipe.TesseraConan
    if getattr(cls, "license", None) != "BSD-3-Clause":
        sys.exit("conanfile.py: license must be BSD-3-Clause (the LICENSE file)")
    for attr in ("url", "homepage"):
        if hasattr(cls, attr):
            sys.exit(f"conanfile.py: '{attr}' names a homepage the project does not have")
    if cls.options.get("zlib") != [True, False] or cls.default_options.get("zlib") is not True:
        sys.exit("conanfile.py: option zlib must exist and default to True")
    on, off = _configured(recipe, True), _configured(recipe, False)
    if not any(r.startswith("zlib/") for r in on.required) or "zlib::zlib" not in on.cpp_info.requires:
        sys.exit(f"conanfile.py: zlib=True must require zlib (requires {on.required}, {on.cpp_info.requires})")
    if on.cpp_info.defines:
        sys.exit(f"conanfile.py: zlib=True must not define {on.cpp_info.defines}")
    if any(r.startswith("zlib/") for r in off.required) or "zlib::zlib" in off.cpp_info.requires:
        sys.exit("conanfile.py: zlib=False still requires zlib")
    if off.cpp_info.defines != ["TESSERA_NO_ZLIB"]:
        sys.exit(f"conanfile.py: zlib=False must define TESSERA_NO_ZLIB, defines {off.cpp_info.defines}")


if __name__ == "__main__":
    main()
