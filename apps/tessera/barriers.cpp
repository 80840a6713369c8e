// `tessera barriers INPUT --pair-style ... --pair-coeff ... -o DQ.dump [--searches-per-atom 24]
//                   [--seed S] [--atoms ID,ID,...] [--threads N] [--saddles SADDLES.csv]`
//
// Per-atom activation energies by ARTn saddle searches (physics/activation_barriers.hpp, seed 003):
// from the minimum INPUT, `--searches-per-atom` searches kicked around each atom; the distinct
// barriers ΔQ = E_saddle − E_min of converged, connected saddles, sorted. DQ.dump: the input
// frame + dq_1 … dq_K (K = searches per atom; NaN past the atom's n_saddles), dq_min, dq_mean,
// n_saddles (NaN everywhere for atoms not searched). SADDLES.csv (default: beside DQ.dump,
// DQ_saddles.csv): one row per search with its status, barrier, saddle and final energies, lowest
// eigenvalue at the saddle and displacements. Searches that fail are counted, never hidden.
#include "common.hpp"
#include "output.hpp"
#include "physics_options.hpp"
#include "subcommands.hpp"

#include <tessera/io/csv_writer.hpp>
#include <tessera/physics/hessian.hpp>
#include <tessera/physics/activation_barriers.hpp>

#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace tessera::cli {
namespace {

struct barriers_cli_options {
    potential_options potential;
    std::size_t searches = 24;
    std::uint64_t seed = 0;
    std::vector<std::int64_t> atoms;
    int threads = 1;
    double kick_radius = -1, kick_size = -1, push_step = -1, eigenvalue_threshold = 1, force_tolerance = -1;
    std::string criterion = "norm";
    std::size_t frame_index = 0;
    int precision = 0;
    bool overwrite = false;
    std::string input, output, saddles;
};

/// DQ.dump → DQ_saddles.csv (the extension, .gz included, replaced).
std::string saddles_path_for(const std::string& output) {
    std::string stem = output;
    if (stem.size() > 3 && stem.compare(stem.size() - 3, 3, ".gz") == 0) stem.resize(stem.size() - 3);
    const auto slash = stem.find_last_of('/');
    const auto dot = stem.find_last_of('.');
    if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) stem.resize(dot);
    return stem + "_saddles.csv";
}

int run_barriers(const barriers_cli_options& o) {
    const any_potential pot = make_potential(o.potential);
    if (o.output == "-") throw usage_error("-o -: barriers writes a dump and a saddle CSV beside it; give a file name");
    const std::string saddles = o.saddles.empty() ? saddles_path_for(o.output) : o.saddles;
    output_file out(o.output, {o.input});
    output_file csv_out(saddles, std::vector<std::string>{o.input, o.output}, "--saddles");
    run_report report("barriers");

    frame f = read_one_frame(o.input, o.frame_index);
    const std::string what = o.input + " frame " + std::to_string(o.frame_index);
    const physics_system s = system_of(f, what);
    const std::size_t n = s.x.size();

    activation_options opt;
    opt.searches_per_atom = o.searches;
    opt.seed = o.seed;
    opt.threads = unsigned(o.threads > 0 ? o.threads : 1);
    opt.atoms = atom_indices_of(f, o.atoms, what);
    const bool metal = units_of(o.potential) == "metal";
    // Seed 003's parameters are in eV and A; lj units get the header's LJ defaults.
    if (!metal) opt.search = saddle_search_options::lj_defaults();
    saddle_search_options& so = opt.search;
    so.criterion = o.criterion == "max-atom" ? force_criterion::max_atom
                   : o.criterion == "max-component" ? force_criterion::max_component : force_criterion::norm;
    if (o.kick_radius >= 0) so.kick_radius = o.kick_radius;
    if (o.kick_size >= 0) so.kick_size = o.kick_size;
    if (o.push_step >= 0) so.push_step = o.push_step;
    if (o.eigenvalue_threshold < 1) so.eigenvalue_threshold = o.eigenvalue_threshold;
    if (o.force_tolerance >= 0) so.force_tolerance = o.force_tolerance;
    so.relax.skin = skin_of(o.potential);
    so.relax.normalize_energy = !metal;

    std::vector<long long> ids;
    if (f.has_column("id"))
        for (auto id : f.ids()) ids.push_back(static_cast<long long>(id));
    activation_result r;
    std::visit(
        [&](const auto& p) {
            const force_norms residual = residual_forces(p, s.x, s.types, s.box);
            const double measure = so.criterion == force_criterion::norm ? residual.two_norm : residual.max_norm;
            if (measure >= so.force_tolerance)
                throw error(what, ": not a minimum: |F| = ", residual.two_norm, " (largest atomic force ", residual.max_norm,
                            ") is above the saddle tolerance ", so.force_tolerance, "; relax it first (tessera minimize)");
            r = activation_barriers(p, s.x, s.types, s.box, opt, std::span<const long long>(ids));
        },
        pot);

    const double nan = std::numeric_limits<double>::quiet_NaN();
    std::vector<std::vector<double>> dq(o.searches, std::vector<double>(n, nan));
    std::vector<double> dq_min(n, nan), dq_mean(n, nan), n_saddles(n, nan);
    std::map<std::string, std::size_t> statuses;
    std::size_t searched = 0, total = 0, found = 0;
    auto w = csv_out.csv({"id", "search", "status", "duplicate", "barrier", "saddle_energy", "final_energy", "eigenvalue",
                          "saddle_displacement", "final_displacement", "evaluations"});
    for (std::size_t i = 0; i < n; ++i) {
        const atom_barriers& a = r.atoms[i];
        if (a.searches.empty()) continue;
        ++searched;
        n_saddles[i] = double(a.n_saddles());
        double sum = 0;
        for (std::size_t k = 0; k < a.barriers.size() && k < o.searches; ++k) {
            dq[k][i] = a.barriers[k];
            sum += a.barriers[k];
        }
        if (!a.barriers.empty()) {
            dq_min[i] = a.barriers.front();
            dq_mean[i] = sum / double(a.barriers.size());
        }
        found += a.barriers.size();
        for (std::size_t k = 0; k < a.searches.size(); ++k) {
            const saddle_record& c = a.searches[k];
            ++total;
            ++statuses[std::string(to_string(c.status))];
            w->add(std::int64_t(ids.empty() ? std::int64_t(i + 1) : ids[i])).add(std::int64_t(k + 1));
            w->add_text(to_string(c.status)).add(std::int64_t(c.duplicate ? 1 : 0));
            w->add(c.barrier).add(c.saddle_energy).add(c.final_energy).add(c.eigenvalue);
            w->add(c.saddle_displacement).add(c.final_displacement).add(std::int64_t(c.evaluations));
            w->end_row();
        }
    }
    w->close();
    for (std::size_t k = 0; k < o.searches; ++k) add_result_column(f, o.overwrite, "dq_" + std::to_string(k + 1), std::move(dq[k]));
    add_result_column(f, o.overwrite, "dq_min", dq_min);
    add_result_column(f, o.overwrite, "dq_mean", dq_mean);
    add_result_column(f, o.overwrite, "n_saddles", n_saddles, true);
    frame_writer writer(out);
    writer.set_precision(o.precision);
    writer.write(f);
    writer.close();
    out.commit();
    csv_out.commit();

    std::string counts;
    for (const auto& [name, c] : statuses) counts += (counts.empty() ? "" : ", ") + std::to_string(c) + " " + name;
    std::fprintf(stdout, "tessera barriers: %s: %zu atoms searched, %zu searches (%s), %zu distinct barriers\n", what.c_str(),
                 searched, total, counts.c_str(), found);
    report.done(1, n, {&out, &csv_out});
    return 0;
}

}  // namespace

void register_barriers(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<barriers_cli_options>();
    CLI::App* sub = app.add_subcommand("barriers", "per-atom activation energies from ARTn saddle searches");
    sub->add_option("input", o->input, "a configuration at a minimum (LAMMPS dump or extended XYZ, with types)")->required();
    sub->add_option("-o,--output", o->output,
                    "output LAMMPS dump: the input frame + dq_1 ... dq_K (sorted distinct barriers), dq_min, dq_mean, "
                    "n_saddles (NaN for atoms not searched)")
        ->required();
    add_potential_options(sub, o->potential);
    sub->add_option("--searches-per-atom", o->searches, "saddle searches kicked around each atom (default 24)")
        ->check(CLI::Range(1, 100000));
    sub->add_option("--seed", o->seed, "random seed; each search's kick depends only on (seed, atom id, search)");
    sub->add_option("--atoms", o->atoms, "atom ids to search around (default: every atom)")->delimiter(',');
    sub->add_option("--threads", o->threads, "worker threads over atoms (default 1); results do not depend on it")
        ->check(positive_number());
    sub->add_option("--saddles", o->saddles, "per-search CSV (default: beside the output, NAME_saddles.csv)");
    sub->add_option("--kick-radius", o->kick_radius, "atoms within this of the chosen atom are kicked (default 2.0 A; lj units: "
                    "saddle_search_options::lj_defaults(), 0.8 sigma, push 0.07, threshold -5, as docs/cli.md)")
        ->check(positive_number());
    sub->add_option("--kick-size", o->kick_size, "norm of the initial kick (default 0.1 A)")->check(positive_number());
    sub->add_option("--push-step", o->push_step, "increment along the kick/mode (default 0.15 A)")->check(positive_number());
    sub->add_option("--eigenvalue-threshold", o->eigenvalue_threshold,
                    "lowest Hessian eigenvalue below which the climb starts (default -0.30 eV/A^2)");
    sub->add_option("--force-tolerance", o->force_tolerance, "saddle convergence: force norm (default 0.05 eV/A)")
        ->check(positive_number());
    sub->add_option("--force-criterion", o->criterion,
                    "saddle force test: norm (the 3N 2-norm, default: the paper's max-atom accepts flat points that are "
                    "not saddles on CuZr), max-atom (the IGD paper's 'maximum force') or max-component (ARTn-plugin)")
        ->check(CLI::IsMember({"norm", "max-atom", "max-component"}));
    sub->add_option("--frame", o->frame_index, "which frame of INPUT to use (default 0)");
    add_precision_option(sub, o->precision);
    add_overwrite_option(sub, o->overwrite);
    add_examples(sub, {"tessera barriers is.dump -o dq.dump --pair-style eam/fs --pair-coeff '* * CuZr_mm.eam.fs Cu Zr' "
                       "--atoms 1,2,3 --threads 2",
                       "tessera barriers ka_is.dump -o dq.dump --pair-style 'lj/cut 2.5' --pair-coeff '1 1 1.0 1.0 2.5' "
                       "--pair-coeff '1 2 1.5 0.8 2.0' --pair-coeff '2 2 0.5 0.88 2.2' --pair-modify 'shift yes' "
                       "--searches-per-atom 8 --seed 3"});
    sub->callback([o, &action] { action = [o] { return run_barriers(*o); }; });
}

}  // namespace tessera::cli
