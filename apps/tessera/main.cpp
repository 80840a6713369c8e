// The `tessera` command: subcommands over LAMMPS dumps and extended XYZ (docs/cli.md).
// run() is the whole command; program.cpp's main() calls it. CMakeLists.txt builds the program
// once per SIMD architecture, and the `tessera` launcher (dispatch.cpp) runs the best one.
#include "common.hpp"
#include "subcommands.hpp"

#include <tessera/core/detail/closest_name.hpp>
#include <tessera/core/error.hpp>
#include <tessera/version.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>
#include <vector>
#include <exception>
#include <functional>
#include <string>

namespace tessera::cli {
namespace {

std::vector<std::string> option_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::Option* o : app.get_options()) {
        for (const auto& l : o->get_lnames()) names.push_back("--" + l);
        for (const auto& s : o->get_snames()) names.push_back("-" + s);
    }
    return names;
}

/// Throws usage_error for an unknown subcommand (at any level: `tessera learn fti`) or an
/// unknown option of the chosen one.
void check_arguments(CLI::App& app, int argc, char** argv) {
    CLI::App* current = &app;
    std::string path;  // "learn fit"
    std::vector<std::string> known = option_names(app);
    auto subcommands_of = [](CLI::App* a) { return a->get_subcommands([](CLI::App*) { return true; }); };
    for (int a = 1; a < argc; ++a) {
        const std::string_view arg = argv[a];
        if (arg == "--") break;
        const auto subs = subcommands_of(current);
        if (!subs.empty() && !arg.empty() && arg[0] != '-') {
            CLI::App* next = nullptr;
            for (CLI::App* s : subs)
                if (s->get_name() == arg) next = s;
            if (!next) {
                std::vector<std::string> names;
                for (CLI::App* s : subs) names.push_back(s->get_name());
                throw usage_error("unknown subcommand '", arg, "'", path.empty() ? "" : " of tessera " + path,
                                  detail::did_you_mean(arg, names), "; run tessera ", path.empty() ? "" : path + " ",
                                  "--help for the list");
            }
            current = next;
            path += (path.empty() ? "" : " ") + next->get_name();
            const auto own = option_names(*next);
            known.insert(known.end(), own.begin(), own.end());
            continue;
        }
        // An option: "--name", "--name=value" or "-x"; negative numbers are values.
        if (arg.size() < 2 || arg[0] != '-' || (std::isdigit(static_cast<unsigned char>(arg[1])) || arg[1] == '.'))
            continue;
        const std::string name(arg.substr(0, arg.find('=')));
        if (name.size() > 2 && name[1] != '-') continue;  // "-abc": CLI11 splits short flags itself
        if (std::find(known.begin(), known.end(), name) != known.end()) continue;
        if (name == "-h" || name == "--help" || name == "--version") continue;
        throw usage_error("unknown option ", name, path.empty() ? std::string() : " for tessera " + path,
                          detail::did_you_mean(name, known), "; run tessera ", path.empty() ? std::string() : path + " ",
                          "--help for the options");
    }
}

}  // namespace

int run(int argc, char** argv, const char* simd) {
    const std::string version = std::to_string(tessera::version_major) + "." + std::to_string(tessera::version_minor) +
                                "." + std::to_string(tessera::version_patch);
    CLI::App app{"tessera: per-particle descriptors for molecular-dynamics trajectories"};
    app.set_version_flag("--version", "tessera " + version + " (SIMD: " + simd + ")");
    app.require_subcommand(1);
    app.footer("Run tessera SUBCOMMAND --help for its options, units and examples. Exit codes: 0 done, 1 bad or "
               "unreadable data, 2 bad command line.\nExample: tessera compute cu.dump -o out.dump --csp 12 --cna 3.086");
    app.fallthrough();  // --quiet may follow the subcommand's own options
    bool quiet = false;
    app.add_flag("-q,--quiet", quiet, "no progress line on stderr (shown only when stderr is a terminal)");
    std::function<int()> action;
    tessera::cli::register_compute(app, action);
    tessera::cli::register_rdf(app, action);
    tessera::cli::register_lens(app, action);
    tessera::cli::register_timesoap(app, action);
    tessera::cli::register_events(app, action);
    tessera::cli::register_bonds(app, action);
    tessera::cli::register_d2min(app, action);
    tessera::cli::register_correlate(app, action);
#ifndef TESSERA_CLI_KERNELS_ONLY  // the SIMD builds hold only kernel_subcommands.hpp's list
    tessera::cli::register_summary(app, action);
    tessera::cli::register_msd(app, action);
    tessera::cli::register_isf(app, action);
    tessera::cli::register_atom_msd(app, action);
    tessera::cli::register_vmsd(app, action);
    tessera::cli::register_delays(app, action);
    tessera::cli::register_polyhedra(app, action);
    tessera::cli::register_learn(app, action);
    tessera::cli::register_cluster(app, action);
    tessera::cli::register_pca(app, action);
    tessera::cli::register_stats(app, action);
    tessera::cli::register_energy(app, action);
    tessera::cli::register_minimize(app, action);
    tessera::cli::register_aqs(app, action);
    tessera::cli::register_frozen_atoms(app, action);
    tessera::cli::register_vdos(app, action);
    tessera::cli::register_barriers(app, action);
    tessera::cli::register_dxa(app, action);
#endif
    try {
        // Unknown subcommands and options first, with the closest valid name: CLI11 would
        // report a missing required option instead when the typo was of that option.
        check_arguments(app, argc, argv);
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0 through CLI11; bad arguments exit 2 with CLI11's message.
        if (e.get_exit_code() == 0) return app.exit(e);
        std::fprintf(stderr, "tessera: error: %s\n", e.what());
        std::fprintf(stderr, "Run with --help for more information.\n");
        return 2;
    } catch (const usage_error& e) {
        std::fprintf(stderr, "tessera: error: %s\n", e.what());
        return 2;
    }
    show_progress = !quiet;
    try {
        return action ? action() : 0;
    } catch (const usage_error& e) {
        std::fprintf(stderr, "tessera: error: %s\n", e.what());
        return 2;
    } catch (const tessera::error& e) {
        std::fprintf(stderr, "tessera: error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "tessera: internal error: %s\n", e.what());
        return 3;
    }
}

}  // namespace tessera::cli
