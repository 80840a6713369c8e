// `tessera frozen-atoms INPUT -o DF.dump --pair-style ... --pair-coeff ... --shear xy
//                       --strain-step 5e-5 [--atoms ID,ID,...] [--threads N] [--csv HIST.csv]`
//
// Frozen-atom analysis (physics/frozen_atoms.hpp, seed 001): INPUT is the configuration one AQS
// step before a stress drop. Applies the strain step, then for every atom (or --atoms) freezes it,
// relaxes the rest and records D_f, the total displacement of the relaxation; D with nothing
// frozen is the reference. DF.dump is the input frame + d_f (NaN for atoms not analysed) and
// stz_core (0 rest, 1 primary core, 2 secondary core; the rule is in the header). HIST.csv: the
// logarithmic histogram of D_f (10 bins per decade) with the core atoms per bin. Prints D_ref,
// the core's size, its gap and its clusters (atoms closer than --cluster-cutoff).
#include "common.hpp"
#include "output.hpp"
#include "physics_options.hpp"
#include "subcommands.hpp"

#include <tessera/cluster/components.hpp>
#include <tessera/io/csv_writer.hpp>
#include <tessera/physics/frozen_atoms.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <variant>

namespace tessera::cli {
namespace {

struct frozen_cli_options {
    potential_options potential;
    minimizer_options minimizer;
    std::string shear = "xy";
    double strain_step = 5e-5;
    std::vector<std::int64_t> atoms;
    int threads = 1;
    double cluster_cutoff = -1;
    double min_gap = 0.3;
    std::size_t frame_index = 0;
    bool overwrite = false;
    int precision = 0;
    std::string input, output, csv;
};

int run_frozen_atoms(const frozen_cli_options& o) {
    const auto [plane, sign] = parse_signed_shear(o.shear);
    const any_potential pot = make_potential(o.potential);
    const std::vector<double> masses = masses_of(pot);
    output_file out(o.output, {o.input});
    std::optional<output_file> csv_out;
    if (!o.csv.empty()) csv_out.emplace(o.csv, std::vector<std::string>{o.input, o.output}, "--csv");
    FILE* info = out.is_stdout() || (csv_out && csv_out->is_stdout()) ? stderr : stdout;
    run_report report("frozen-atoms");

    frame f = read_one_frame(o.input, o.frame_index);
    const std::string what = o.input + " frame " + std::to_string(o.frame_index);
    const physics_system s = system_of(f, what);
    const std::size_t n = s.x.size();

    frozen_atom_options opt;
    opt.plane = plane;
    opt.strain_step = sign * o.strain_step;
    opt.threads = unsigned(o.threads > 0 ? o.threads : 1);
    opt.atoms = atom_indices_of(f, o.atoms, what);

    frozen_atom_result r;
    std::visit(
        [&](const auto& p) {
            const native_engine engine(p, s.types, native_minimize_options(o.minimizer, o.potential, masses));
            r = frozen_atom_analysis(engine, s.x, s.box, opt);
        },
        pot);
    if (r.reference_relax.reached_limit())
        throw error(what, ": the reference relaxation (nothing frozen) stopped on '", to_string(r.reference_relax.reason),
                    "'; raise --max-iter/--max-eval");
    // Relaxations that stopped above --ftol (limits, or a line-search failure without --fallback
    // fire) did not reach the minimum their D_f is about; counted and reported, never silent.
    const double ftol = o.minimizer.ftol;
    const auto stuck = [&](const relax_result& x) { return x.reached_limit() || (!x.converged() && ftol > 0 && x.final_force_norm >= ftol); };
    if (stuck(r.reference_relax) && !r.reference_relax.reached_limit())
        throw error(what, ": the reference relaxation (nothing frozen) stopped on '", to_string(r.reference_relax.reason),
                    "' at |F| ", r.reference_relax.final_force_norm, " above --ftol ", ftol, "; use --fallback fire");
    std::size_t limited = 0, not_converged = 0, fallbacks = 0;
    for (std::size_t i = 0; i < n; ++i) {
        if (std::isnan(r.d_f[i])) continue;
        limited += r.relax[i].reached_limit();
        not_converged += stuck(r.relax[i]) && !r.relax[i].reached_limit();
        fallbacks += r.relax[i].fallback_iterations > 0;
    }

    // With --atoms, the atoms not analysed are counted at D_ref for the split (freezing a
    // bystander leaves D ~ D_ref), so the median the rule walks down from stays in the bulk even
    // when the subset is chosen near the event; their labels stay 0.
    std::vector<double> ranked = r.d_f;
    if (!opt.atoms.empty())
        for (double& d : ranked)
            if (std::isnan(d)) d = r.d_reference;
    stz_core_split split = split_stz_core(ranked, o.min_gap);
    if (!opt.atoms.empty())
        for (std::size_t i = 0; i < n; ++i)
            if (std::isnan(r.d_f[i]) && split.label[i] != 0) {
                (split.label[i] == 1 ? split.primary_size : split.secondary_size) -= 1;
                split.label[i] = 0;
            }
    std::vector<double> label(n);
    for (std::size_t i = 0; i < n; ++i) label[i] = split.label[i];
    add_result_column(f, o.overwrite, "d_f", r.d_f);
    add_result_column(f, o.overwrite, "stz_core", label, true);
    frame_writer writer(out);
    writer.set_precision(o.precision);
    writer.write(f);
    writer.close();
    out.commit();

    if (csv_out) {
        double lo = std::numeric_limits<double>::infinity(), hi = -lo;
        for (double d : r.d_f)
            if (!std::isnan(d) && d > 0) lo = std::min(lo, std::log10(d)), hi = std::max(hi, std::log10(d));
        auto w = csv_out->csv({"d_f_lo", "d_f_hi", "count", "core"});
        if (std::isfinite(lo)) {
            const int first = int(std::floor(lo * 10)), last = int(std::floor(hi * 10));
            std::vector<std::size_t> count(std::size_t(last - first + 1)), core(count.size());
            for (std::size_t i = 0; i < n; ++i) {
                if (std::isnan(r.d_f[i]) || r.d_f[i] <= 0) continue;
                const auto b = std::size_t(std::clamp(int(std::floor(std::log10(r.d_f[i]) * 10)) - first, 0, last - first));
                ++count[b];
                core[b] += split.label[i] != 0;
            }
            for (std::size_t b = 0; b < count.size(); ++b) {
                w->add(std::pow(10.0, double(first + int(b)) / 10)).add(std::pow(10.0, double(first + int(b) + 1) / 10));
                w->add(std::int64_t(count[b])).add(std::int64_t(core[b]));
                w->end_row();
            }
        }
        w->close();
        csv_out->commit();
    }

    std::fprintf(info, "tessera frozen-atoms: %s: D_ref %.6g (nothing frozen, %s), %zu atoms analysed\n", what.c_str(),
                 r.d_reference, std::string(to_string(r.reference_relax.reason)).c_str(),
                 opt.atoms.empty() ? n : opt.atoms.size());
    if (split.primary_size == 0) {
        std::fprintf(info, "tessera frozen-atoms: no STZ core: no gap of %.3g decades in log10 D_f below the bulk\n", o.min_gap);
    } else {
        std::fprintf(info, "tessera frozen-atoms: STZ core %zu atoms (D_f < %.6g, gap %.3g decades)", split.primary_size + split.secondary_size,
                     split.threshold, split.gap_decades);
        if (split.secondary_size)
            std::fprintf(info, ": primary %zu (D_f < %.6g), secondary %zu", split.primary_size, split.secondary_threshold,
                         split.secondary_size);
        std::fprintf(info, "\n");
        const double link = o.cluster_cutoff > 0 ? o.cluster_cutoff : (units_of(o.potential) == "metal" ? 3.5 : 1.5);
        std::unique_ptr<bool[]> flags(new bool[n]);  // a span<const bool> (vector<bool> has none)
        for (std::size_t i = 0; i < n; ++i) flags[i] = split.label[i] != 0;
        const auto c = find_clusters<double>(s.x, s.box, std::span<const bool>(flags.get(), n), link);
        std::string sizes;
        for (std::size_t k = 0; k < c.count(); ++k) sizes += (k ? " " : "") + std::to_string(c.size(k));
        std::fprintf(info, "tessera frozen-atoms: core clusters (link %.3g): %zu, sizes %s\n", link, c.count(), sizes.c_str());
    }
    if (fallbacks)
        std::fprintf(info, "tessera frozen-atoms: %zu relaxations continued with FIRE after a line-search failure above --ftol\n",
                     fallbacks);
    report.done(1, n, {&out, csv_out ? &*csv_out : nullptr});
    if (not_converged) {
        std::fprintf(stderr,
                     "tessera frozen-atoms: %zu relaxations stopped on a line-search failure with |F| above --ftol "
                     "(--fallback none); their D_f are written but are not D_f of a minimum\n",
                     not_converged);
        return 1;
    }
    if (limited) {
        std::fprintf(stderr,
                     "tessera frozen-atoms: %zu relaxations stopped at --max-iter/--max-eval before a tolerance; their "
                     "D_f are written but not converged\n",
                     limited);
        return 1;
    }
    return 0;
}

}  // namespace

void register_frozen_atoms(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<frozen_cli_options>();
    CLI::App* sub = app.add_subcommand("frozen-atoms", "frozen-atom analysis of a plastic event: D_f per atom and the STZ core");
    sub->add_option("input", o->input, "the configuration one AQS step before the stress drop (LAMMPS dump or extended XYZ)")
        ->required();
    sub->add_option("-o,--output", o->output, "output LAMMPS dump: the input frame + d_f and stz_core")->required();
    add_potential_options(sub, o->potential);
    add_minimizer_options(sub, o->minimizer, "fire", "fire");
    sub->add_option("--shear", o->shear, "shear plane of the step, xy, xz or yz, optionally signed (-xy; default xy)");
    sub->add_option("--strain-step", o->strain_step, "the strain step that triggers the event (default 5e-5)")
        ->check(positive_number());
    sub->add_option("--atoms", o->atoms, "atom ids to freeze one at a time (default: every atom)")->delimiter(',');
    sub->add_option("--threads", o->threads, "worker threads, each relaxing its own atoms (default 1); results do not depend on it")
        ->check(positive_number());
    sub->add_option("--csv", o->csv, "logarithmic histogram of D_f: d_f_lo,d_f_hi,count,core");
    sub->add_option("--min-gap", o->min_gap, "decades of log10 D_f that separate the core from the rest (default 0.3)")
        ->check(positive_number());
    sub->add_option("--cluster-cutoff", o->cluster_cutoff,
                    "core atoms closer than this are one cluster (default 3.5 in metal units, 1.5 in lj)")
        ->check(positive_number());
    sub->add_option("--frame", o->frame_index, "which frame of INPUT to use (default 0)");
    add_precision_option(sub, o->precision);
    add_overwrite_option(sub, o->overwrite);
    add_examples(sub, {"tessera frozen-atoms before.dump -o df.dump --csv hist.csv --pair-style eam/fs --pair-coeff '* * "
                       "CuZr_mm.eam.fs Cu Zr' --shear -xy --strain-step 5e-5 --min-style sd --threads 2",
                       "tessera frozen-atoms before.dump -o df.dump --pair-style eam/fs --pair-coeff '* * CuZr_mm.eam.fs "
                       "Cu Zr' --atoms 17,250,1033"});
    sub->callback([o, &action] { action = [o] { return run_frozen_atoms(*o); }; });
}

}  // namespace tessera::cli
