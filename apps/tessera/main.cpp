// The `tessera` command: subcommands over LAMMPS dumps and extended XYZ (docs/cli.md).
// run() is the whole command; program.cpp's main() calls it. CMakeLists.txt builds the program
// once per SIMD architecture, and the `tessera` launcher (dispatch.cpp) runs the best one.
#include "common.hpp"
#include "subcommands.hpp"

#include <tessera/core/error.hpp>
#include <tessera/version.hpp>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>
#include <functional>
#include <string>

namespace tessera::cli {

int run(int argc, char** argv, const char* simd) {
    const std::string version = std::to_string(tessera::version_major) + "." + std::to_string(tessera::version_minor) +
                                "." + std::to_string(tessera::version_patch);
    CLI::App app{"tessera: per-particle descriptors for molecular-dynamics trajectories"};
    app.set_version_flag("--version", "tessera " + version + " (SIMD: " + simd + ")");
    app.require_subcommand(1);
    app.fallthrough();  // --quiet may follow the subcommand's own options
    bool quiet = false;
    app.add_flag("-q,--quiet", quiet, "no progress line on stderr (shown only when stderr is a terminal)");
    std::function<int()> action;
    tessera::cli::register_compute(app, action);
    tessera::cli::register_rdf(app, action);
    tessera::cli::register_lens(app, action);
    tessera::cli::register_events(app, action);
    tessera::cli::register_summary(app, action);
    tessera::cli::register_bonds(app, action);
    tessera::cli::register_d2min(app, action);
    tessera::cli::register_msd(app, action);
    tessera::cli::register_isf(app, action);
    tessera::cli::register_atom_msd(app, action);
    tessera::cli::register_vmsd(app, action);
    tessera::cli::register_delays(app, action);
    tessera::cli::register_polyhedra(app, action);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0 through CLI11; bad arguments exit 2 with CLI11's message.
        const int code = app.exit(e);
        return code == 0 ? 0 : 2;
    }
    show_progress = !quiet;
    try {
        return action ? action() : 0;
    } catch (const tessera::error& e) {
        std::fprintf(stderr, "tessera: error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tessera: internal error: %s\n", e.what());
        return 3;
    }
}

}  // namespace tessera::cli
