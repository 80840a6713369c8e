// `tessera vdos INPUT --pair-style ... --pair-coeff ... -o VDOS.csv [--per-atom OUT.dump]
//               [--omega-bins N] [--lowest-modes K]`
//
// Vibrational density of states of a configuration at a minimum (seed 003): the analytic Hessian
// (physics/hessian.hpp), the dynamical matrix with the potential's masses, its normal modes
// (physics/vdos.hpp, dense) or the kernel polynomial method (physics/kpm.hpp, large systems).
// VDOS.csv: omega (bin centre: ν = ω/2π in THz for metal units, ω in 1/τ for lj), g (1/(3N)
// normalisation), g_over_omega2. OUT.dump: the input frame + boson_peak (I_BP = max g_i/ω², seed
// 003 Eq. 6) and vdos_low (the atom's weight in the soft modes relative to the mean atom: below the
// boson-peak frequency, or in the K lowest modes with --lowest-modes). A configuration that is not
// a minimum is refused with its largest atomic force (relax it with `tessera minimize`).
#include "common.hpp"
#include "output.hpp"
#include "physics_options.hpp"
#include "subcommands.hpp"

#include <tessera/io/csv_writer.hpp>
#include <tessera/physics/hessian.hpp>
#include <tessera/physics/kpm.hpp>
#include <tessera/physics/vdos.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace tessera::cli {
namespace {

struct vdos_cli_options {
    potential_options potential;
    std::size_t bins = 100;
    std::size_t lowest_modes = 0;
    std::string method = "auto";
    double max_frequency = 0;
    std::vector<double> bp_window;
    double max_force = -1;
    std::size_t moments = 256, vectors = 32;
    std::uint64_t seed = 1;
    std::size_t dense_limit = 3000;
    std::size_t frame_index = 0;
    int precision = 0;
    bool overwrite = false;
    std::string input, output, per_atom;
};

/// What the command writes, from either path.
struct spectrum {
    std::vector<double> frequency, g, reduced;
    std::vector<double> boson_peak, vdos_low;
    double boson_peak_frequency = 0, low_frequency = 0;
    std::size_t zero_modes = 0, negative_modes = 0, low_modes = 0;
    std::string method;
};

/// I_BP and vdos_low from per-atom densities on bins (the KPM path; the dense path gets them from
/// tessera::vdos with the same definitions).
void per_atom_from_density(spectrum& s, const std::vector<double>& per_atom, std::size_t n, double bp_lo, double bp_hi) {
    const std::size_t nb = s.frequency.size();
    const auto in_window = [&](std::size_t b) { return s.frequency[b] >= bp_lo && s.frequency[b] <= bp_hi; };
    s.boson_peak.assign(n, 0.0);
    s.vdos_low.assign(n, 0.0);
    double mean = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double best = -1, low = 0;
        for (std::size_t b = 0; b < nb; ++b) {
            const double gi = per_atom[i * nb + b];
            const double v = gi / (s.frequency[b] * s.frequency[b]);
            if (in_window(b) && v > best) best = v;
            if (s.frequency[b] < s.low_frequency) low += gi;
        }
        s.boson_peak[i] = std::max(best, 0.0);
        s.vdos_low[i] = low;
        mean += low;
    }
    mean /= double(n);
    for (double& v : s.vdos_low) v = mean > 0 ? v / mean : 0.0;
}

int run_vdos(const vdos_cli_options& o) {
    const any_potential pot = make_potential(o.potential);
    const bool metal = units_of(o.potential) == "metal";
    double bp_lo = 0, bp_hi = std::numeric_limits<double>::infinity();
    if (!o.bp_window.empty()) {
        if (o.bp_window.size() != 2 || !(o.bp_window[0] >= 0) || !(o.bp_window[1] > o.bp_window[0]))
            throw usage_error("--bp-window: expected LO,HI with 0 <= LO < HI, got ", o.bp_window.size(), " values");
        bp_lo = o.bp_window[0];
        bp_hi = o.bp_window[1];
    }
    output_file out(o.output, {o.input});
    std::optional<output_file> atoms_out;
    if (!o.per_atom.empty()) atoms_out.emplace(o.per_atom, std::vector<std::string>{o.input, o.output}, "--per-atom");
    FILE* info = out.is_stdout() || (atoms_out && atoms_out->is_stdout()) ? stderr : stdout;
    run_report report("vdos");

    frame f = read_one_frame(o.input, o.frame_index);
    const std::string what = o.input + " frame " + std::to_string(o.frame_index);
    const physics_system s = system_of(f, what);
    const std::size_t n = s.x.size();
    if (n < 2) throw error(what, ": ", n, " atoms; a spectrum needs at least 2");
    std::string method = o.method;
    if (method == "auto") method = n <= o.dense_limit ? "dense" : "kpm";
    if (method == "dense" && n > 6000)
        throw usage_error(what, ": ", n, " atoms is too large for the dense path (a ", 3 * n, "x", 3 * n,
                          " matrix of ", 72.0 * double(n) * double(n) / 1e9,
                          " GB and hours of diagonalisation); use --method kpm");
    if (method == "kpm" && o.lowest_modes > 0)
        throw usage_error("--lowest-modes needs the individual modes of --method dense");

    spectrum sp;
    sp.method = method;
    std::visit(
        [&](const auto& p) {
            const force_norms residual = residual_forces(p, s.x, s.types, s.box);
            const double limit = o.max_force >= 0 ? o.max_force : 1e-3;
            if (residual.max_norm > limit)
                throw error(what, ": not a minimum: the largest atomic force is ", residual.max_norm,
                            metal ? " eV/A" : " (lj units)", " (|F| ", residual.two_norm, "), above --max-force ", limit,
                            "; relax it first (tessera minimize) or raise --max-force");
            std::vector<double> masses = masses_of(pot);
            if (masses.empty()) masses.assign(p.num_types(), 1.0);
            const sparse_hessian d = dynamical_matrix(hessian(p, s.x, s.types, s.box), masses, s.types);
            const double scale = metal ? frequency_scale_thz : frequency_scale_lj;
            if (method == "dense") {
                modes_options mo;
                mo.frequency_scale = scale;
                const normal_modes m = dense_modes(d, mo);
                vdos_options vo;
                vo.bins = o.bins;
                vo.max_frequency = o.max_frequency;
                vo.bp_min_frequency = bp_lo;
                vo.bp_max_frequency = bp_hi;
                if (o.lowest_modes > 0) {
                    // ν_low between the K-th and (K+1)-th positive non-zero modes: vdos_low is then the
                    // atom's weight in exactly the K softest modes.
                    std::vector<double> positive;
                    for (std::size_t k = 0; k < m.frequency.size(); ++k)
                        if (!m.is_zero(k) && m.frequency[k] > 0) positive.push_back(m.frequency[k]);
                    if (o.lowest_modes >= positive.size())
                        throw usage_error("--lowest-modes ", o.lowest_modes, ": the system has ", positive.size(),
                                          " positive non-zero modes");
                    vo.low_frequency = 0.5 * (positive[o.lowest_modes - 1] + positive[o.lowest_modes]);
                }
                const vdos_result r = vdos(m, vo);
                sp.frequency = r.frequency;
                sp.g = r.g;
                sp.reduced = r.reduced;
                sp.boson_peak = r.boson_peak;
                sp.vdos_low = r.vdos_low;
                sp.boson_peak_frequency = r.boson_peak_frequency;
                sp.low_frequency = r.low_frequency;
                sp.low_modes = r.low_modes;
                sp.zero_modes = m.zero_modes;
                sp.negative_modes = m.negative_modes;
            } else {
                kpm_options ko;
                ko.moments = o.moments;
                ko.vectors = o.vectors;
                ko.seed = o.seed;
                ko.bins = o.bins;
                ko.max_frequency = o.max_frequency;
                ko.frequency_scale = scale;
                const kpm_vdos r = kpm_per_atom_vdos(d, ko);
                sp.frequency = r.frequency;
                sp.g = r.g;
                sp.reduced.resize(r.g.size());
                double best = -1;
                for (std::size_t b = 0; b < r.g.size(); ++b) {
                    sp.reduced[b] = r.g[b] / (r.frequency[b] * r.frequency[b]);
                    if (r.frequency[b] >= bp_lo && r.frequency[b] <= bp_hi && sp.reduced[b] > best)
                        best = sp.reduced[b], sp.boson_peak_frequency = r.frequency[b];
                }
                sp.low_frequency = sp.boson_peak_frequency;
                if (r.lambda_min < 0) sp.negative_modes = 1;  // at least one: KPM does not count them
                per_atom_from_density(sp, r.per_atom, n, bp_lo, bp_hi);
            }
        },
        pot);

    {
        auto w = out.csv({"omega", "g", "g_over_omega2"});
        for (std::size_t b = 0; b < sp.frequency.size(); ++b) w->add(sp.frequency[b]).add(sp.g[b]).add(sp.reduced[b]).end_row();
        w->close();
    }
    out.commit();
    if (atoms_out) {
        add_result_column(f, o.overwrite, "boson_peak", sp.boson_peak);
        add_result_column(f, o.overwrite, "vdos_low", sp.vdos_low);
        frame_writer writer(*atoms_out);
        writer.set_precision(o.precision);
        writer.write(f);
        writer.close();
        atoms_out->commit();
    }
    const char* unit = metal ? "THz" : "1/tau";
    std::fprintf(info, "tessera vdos: %s: %zu atoms, %s path, boson peak of g/omega^2 at %.4g %s", what.c_str(), n,
                 sp.method.c_str(), sp.boson_peak_frequency, unit);
    if (sp.method == "dense")
        std::fprintf(info, ", %zu zero modes, %zu negative modes, vdos_low over %zu modes below %.4g %s", sp.zero_modes,
                     sp.negative_modes, sp.low_modes, sp.low_frequency, unit);
    std::fprintf(info, "\n");
    if (sp.negative_modes > 0)
        std::fprintf(stderr, "tessera vdos: %s has %s negative modes: not a stable minimum; they are left out of g\n",
                     what.c_str(), sp.method == "dense" ? std::to_string(sp.negative_modes).c_str() : "some");
    report.done(1, n, {&out, atoms_out ? &*atoms_out : nullptr});
    return 0;
}

}  // namespace

void register_vdos(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<vdos_cli_options>();
    CLI::App* sub = app.add_subcommand(
        "vdos", "vibrational density of states and per-atom boson-peak intensity from the analytic Hessian");
    sub->add_option("input", o->input, "a configuration at a minimum (LAMMPS dump or extended XYZ, with types)")->required();
    sub->add_option("-o,--output", o->output,
                    "CSV: omega (bin centre; THz = omega/2pi in metal units, 1/tau in lj), g (normalised by 3N), "
                    "g_over_omega2")
        ->required();
    add_potential_options(sub, o->potential);
    sub->add_option("--per-atom", o->per_atom, "LAMMPS dump: the input frame + boson_peak (max of g_i/omega^2) and vdos_low");
    sub->add_option("--omega-bins", o->bins, "histogram bins on [0, max frequency] (default 100)")->check(CLI::Range(1, 1000000));
    sub->add_option("--lowest-modes", o->lowest_modes,
                    "vdos_low = the atom's weight in the K lowest non-zero modes (default: the modes below the boson "
                    "peak); dense path only")
        ->check(CLI::Range(1, 1 << 30));
    sub->add_option("--method", o->method,
                    "dense (all 3N modes, exact; up to 6000 atoms), kpm (kernel polynomial method, any size, "
                    "stochastic) or auto (dense up to --dense-limit atoms; default)")
        ->check(CLI::IsMember({"auto", "dense", "kpm"}));
    sub->add_option("--dense-limit", o->dense_limit, "largest system auto sends to the dense path (default 3000 atoms)");
    sub->add_option("--max-frequency", o->max_frequency, "upper end of the histogram (default: the largest mode)")
        ->check(non_negative_number());
    sub->add_option("--bp-window", o->bp_window, "LO,HI: frequencies where the max of g/omega^2 is taken (default all)")
        ->delimiter(',');
    sub->add_option("--max-force", o->max_force,
                    "refuse a configuration whose largest atomic force is above this (default 1e-3 eV/A or lj units)")
        ->check(non_negative_number());
    sub->add_option("--moments", o->moments, "kpm: Chebyshev moments (default 256)")->check(CLI::Range(2, 1 << 20));
    sub->add_option("--vectors", o->vectors, "kpm: random vectors; per-atom noise ~ 1/sqrt(vectors) (default 32)")
        ->check(CLI::Range(1, 1 << 20));
    sub->add_option("--seed", o->seed, "kpm: random seed (default 1)");
    sub->add_option("--frame", o->frame_index, "which frame of INPUT to use (default 0)");
    add_precision_option(sub, o->precision);
    add_overwrite_option(sub, o->overwrite);
    add_examples(sub, {"tessera vdos is.dump -o vdos.csv --per-atom bp.dump --pair-style eam/fs --pair-coeff '* * "
                       "CuZr_mm.eam.fs Cu Zr'",
                       "tessera vdos ka.dump -o vdos.csv --pair-style 'lj/cut 2.5' --pair-coeff '1 1 1.0 1.0 2.5' "
                       "--pair-coeff '1 2 1.5 0.8 2.0' --pair-coeff '2 2 0.5 0.88 2.2' --pair-modify 'shift yes'"});
    sub->callback([o, &action] { action = [o] { return run_vdos(*o); }; });
}

}  // namespace tessera::cli
