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
    print(f"conanfile.py OK (version {parsed})")


if __name__ == "__main__":
    main()
