#pragma once
// Each subcommand registers itself on the app and, when parsed, sets the action main() runs.
#include <CLI/CLI.hpp>

#include <functional>

namespace tessera::cli {
void register_compute(CLI::App& app, std::function<int()>& action);
void register_rdf(CLI::App& app, std::function<int()>& action);
void register_lens(CLI::App& app, std::function<int()>& action);
void register_timesoap(CLI::App& app, std::function<int()>& action);
void register_events(CLI::App& app, std::function<int()>& action);
void register_summary(CLI::App& app, std::function<int()>& action);
void register_bonds(CLI::App& app, std::function<int()>& action);
void register_d2min(CLI::App& app, std::function<int()>& action);
void register_msd(CLI::App& app, std::function<int()>& action);
void register_isf(CLI::App& app, std::function<int()>& action);
void register_atom_msd(CLI::App& app, std::function<int()>& action);
void register_vmsd(CLI::App& app, std::function<int()>& action);
void register_delays(CLI::App& app, std::function<int()>& action);
void register_polyhedra(CLI::App& app, std::function<int()>& action);
void register_learn(CLI::App& app, std::function<int()>& action);
void register_cluster(CLI::App& app, std::function<int()>& action);
void register_pca(CLI::App& app, std::function<int()>& action);
void register_stats(CLI::App& app, std::function<int()>& action);
void register_correlate(CLI::App& app, std::function<int()>& action);
void register_energy(CLI::App& app, std::function<int()>& action);
void register_minimize(CLI::App& app, std::function<int()>& action);
void register_aqs(CLI::App& app, std::function<int()>& action);
void register_frozen_atoms(CLI::App& app, std::function<int()>& action);
void register_vdos(CLI::App& app, std::function<int()>& action);
void register_barriers(CLI::App& app, std::function<int()>& action);
void register_dxa(CLI::App& app, std::function<int()>& action);
}  // namespace tessera::cli
