// Placeholder front end for the `tessera` command (see DESIGN.md section 10); to be replaced.
#include <tessera/version.hpp>

#include <CLI/CLI.hpp>

#include <iostream>
#include <string>

int main(int argc, char** argv) {
    const std::string version = std::to_string(tessera::version_major) + "." +
                                std::to_string(tessera::version_minor) + "." +
                                std::to_string(tessera::version_patch);
    CLI::App app{"tessera: per-particle descriptors for molecular-dynamics trajectories"};
    app.set_version_flag("--version", "tessera " + version);
    app.require_subcommand(1);

    auto* compute = app.add_subcommand("compute", "compute descriptors for a trajectory");
    std::string input;
    compute->add_option("input", input, "LAMMPS dump or extended XYZ file");

    CLI11_PARSE(app, argc, argv);

    if (compute->parsed()) {
        std::cerr << "tessera compute: not yet implemented\n";
        return 2;
    }
    return 0;
}
