// `tessera correlate spatial|temporal` (docs/cli.md): correlations of a per-atom field in space
// and in time (include/tessera/stats/): the spatial autocorrelation SACF(Δr) with its normalised
// C(Δr) and the correlation length ξ of a fit C = A exp(−Δr/ξ) (stats/spatial_correlation.hpp),
// and the temporal autocorrelation TACF(Δt) of the field averaged on a voxel grid that follows
// the box, each voxel's relaxation time t_c (its TACF's first zero), the power-law tail of their
// distribution and the fluctuations ΔL*(N) of the voxel means (stats/temporal_correlation.hpp,
// voxel_field.hpp, power_law.hpp). Seed 004 (looseness) and seed 003 (ξ) use these.
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"

#include <tessera/stats/power_law.hpp>
#include <tessera/stats/spatial_correlation.hpp>
#include <tessera/stats/temporal_correlation.hpp>
#include <tessera/stats/voxel_field.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tessera::cli {
namespace {

struct spatial_options {
    std::string input, output, frames, field;
    double rmax = 0, dr = 0;
    int threads = 0;
};

int run_spatial(const spatial_options& o) {
    output_file out(o.output, {o.input});
    run_report report("correlate spatial");
    // Whole bins of --dr: an --rmax that is not a multiple is cut to the last whole bin (said on stderr).
    const double bins_real = o.rmax / o.dr;
    const auto bins = static_cast<std::size_t>(std::floor(bins_real * (1 + 1e-12)));
    if (bins < 1) throw usage_error("--dr ", o.dr, " is larger than --rmax ", o.rmax);
    const double rmax = std::abs(bins_real - double(bins)) <= 1e-9 * bins_real ? o.rmax : double(bins) * o.dr;
    if (rmax != o.rmax)
        std::fprintf(stderr, "tessera: correlate spatial: --rmax %g is not a whole number of --dr %g bins; using %zu bins to %.10g\n",
                     o.rmax, o.dr, bins, rmax);
    spatial_correlation sacf(rmax, bins);
    for_each_selected_frame(o.input, o.frames, "tessera correlate spatial", [&](const frame& f, std::size_t) {
        const auto field = f.column(o.field);
        const auto x = f.positions();
        std::visit([&](const auto& b) { sacf.add_frame(x, b, field, openmp_policy{o.threads}); }, f.box);
    }, &report.tally);
    const spatial_correlation_table t = sacf.result();
    const auto w = out.csv({"r", "c", "count", "sacf"});
    for (std::size_t k = 0; k < t.r.size(); ++k) w->add(t.r[k]).add(t.c[k]).add(t.pairs[k]).add(t.sacf[k]).end_row();
    w->close();
    out.commit();
    // ξ is a result: on stderr also with --quiet. A field that does not decay has no ξ.
    try {
        const correlation_length_fit fit = sacf.fit();
        std::fprintf(stderr,
                     "tessera: correlate spatial: xi %.10g +- %.3g (jackknife over %zu blocks; least squares %.3g), "
                     "amplitude %.6g, fitted on %zu bins r = %.6g..%.6g\n",
                     fit.xi, fit.xi_stderr, fit.jackknife_blocks, fit.xi_stderr_ols, fit.amplitude, fit.bins_used,
                     fit.r_first, fit.r_last);
    } catch (const error& e) {
        std::fprintf(stderr, "tessera: correlate spatial: no correlation length: %s\n", e.what());
    }
    report.done({&out});
    return 0;
}

struct temporal_options {
    std::string input, output, frames, field, zero_crossings, fluctuations, reference = "each-frame";
    std::vector<std::size_t> voxels{15, 15, 15};
    std::size_t max_lag = 0;
};

int run_temporal(const temporal_options& o) {
    if (o.voxels.size() != 3) throw usage_error("--voxels: expected NX,NY,NZ (e.g. 15,15,15)");
    const voxel_dims dims{o.voxels[0], o.voxels[1], o.voxels[2]};
    for (std::size_t d : dims)
        if (d == 0) throw usage_error("--voxels: every count must be positive");
    const std::vector<std::string> inputs{o.input};
    output_file out(o.output, inputs);
    std::optional<output_file> zc, dl;
    if (!o.zero_crossings.empty()) zc.emplace(o.zero_crossings, std::vector<std::string>{o.input, o.output});
    if (!o.fluctuations.empty()) dl.emplace(o.fluctuations, std::vector<std::string>{o.input, o.output, o.zero_crossings});
    run_report report("correlate temporal");
    const std::size_t frames = count_selected_frames(o.input, o.frames);
    if (frames < 2) throw usage_error("a temporal correlation needs two or more frames; the selection has ", frames);
    const std::size_t max_lag = o.max_lag ? std::min(o.max_lag, frames - 1) : frames - 1;
    const tacf_reference ref = o.reference == "origin-frame" ? tacf_reference::origin_frame
                               : o.reference == "none"       ? tacf_reference::none
                                                             : tacf_reference::each_frame;
    temporal_correlation tacf(dims[0] * dims[1] * dims[2], max_lag, ref);
    // ΔL*(N): cubic grids 1³ ... n³ up to the largest --voxels count (N = atoms per voxel).
    std::vector<voxel_dims> grids;
    for (std::size_t n = 1; n <= std::max({dims[0], dims[1], dims[2]}); ++n) grids.push_back({n, n, n});
    voxel_fluctuations fluct(grids);
    voxel_field v;
    std::vector<std::size_t> scratch;
    std::vector<std::int64_t> steps;
    for_each_selected_frame(o.input, o.frames, "tessera correlate temporal", [&](const frame& f, std::size_t) {
        const auto field = f.column(o.field);
        const auto x = f.positions();
        std::visit([&](const auto& b) {
            voxelize(x, b, field, dims, v, scratch);
            if (dl) fluct.add_frame(x, b, field);
        }, f.box);
        tacf.add_frame(v);
        steps.push_back(f.timestep);
    }, &report.tally);
    // Δt in timesteps when the frames are evenly spaced (the usual dump), else in frames.
    double step = double(steps.size() > 1 ? steps[1] - steps[0] : 1);
    for (std::size_t k = 2; k < steps.size(); ++k)
        if (steps[k] - steps[k - 1] != steps[1] - steps[0]) step = 0;
    if (step <= 0) {
        std::fprintf(stderr, "tessera: correlate temporal: the frames are not evenly spaced in timestep; dt counts frames\n");
        step = 1;
    }
    const temporal_correlation_table t = tacf.result();
    {
        const auto w = out.csv({"dt", "tacf", "tacf_normalised", "samples", "lag"});
        for (std::size_t k = 0; k <= t.max_lag; ++k)
            w->add(double(k) * step).add(t.tacf[k]).add(t.tacf_normalised[k]).add(t.samples[k]).add(k).end_row();
        w->close();
    }
    if (zc) {
        const relaxation_times_result rt = relaxation_times(t);
        const auto w = zc->csv({"voxel", "t_c", "ix", "iy", "iz"});
        std::vector<double> crossed;
        for (std::size_t s = 0; s < rt.t_c.size(); ++s) {
            const double tc = rt.t_c[s] * step;
            if (std::isfinite(tc)) crossed.push_back(tc);
            w->add(s).add(tc).add(s % dims[0]).add((s / dims[0]) % dims[1]).add(s / (dims[0] * dims[1])).end_row();
        }
        w->close();
        std::fprintf(stderr, "tessera: correlate temporal: %zu voxels crossed zero, %zu censored (no crossing within "
                             "--max-lag), %zu undefined (empty)\n", rt.crossed, rt.censored, rt.undefined);
        try {
            const power_law_fit p = fit_power_law_scan(crossed);
            std::fprintf(stderr, "tessera: correlate temporal: t_c tail P(t_c) ~ t_c^-%.6g +- %.3g above t_c = %.6g "
                                 "(%zu voxels; KS %.3g)\n", p.alpha, p.alpha_stderr, p.x_min, p.n_tail, p.ks);
        } catch (const error& e) {
            std::fprintf(stderr, "tessera: correlate temporal: no power-law tail fit: %s\n", e.what());
        }
    }
    if (dl) {
        const auto w = dl->csv({"nx", "ny", "nz", "particles_per_voxel", "rms", "mean_abs", "samples"});
        for (const voxel_fluctuation_row& r : fluct.result())
            w->add(r.dims[0]).add(r.dims[1]).add(r.dims[2]).add(r.particles_per_voxel).add(r.rms).add(r.mean_abs)
                .add(r.samples).end_row();
        w->close();
    }
    out.commit();
    if (zc) zc->commit();
    if (dl) dl->commit();
    report.done({&out, zc ? &*zc : nullptr, dl ? &*dl : nullptr});
    return 0;
}

}  // namespace

void register_correlate(CLI::App& app, std::function<int()>& action) {
    CLI::App* cor = app.add_subcommand("correlate", "spatial and temporal autocorrelation of a per-atom field (CSV)");
    cor->require_subcommand(1);

    auto s = std::make_shared<spatial_options>();
    CLI::App* sp = cor->add_subcommand("spatial", "SACF(r), C(r) = SACF/variance, and the correlation length xi");
    sp->add_option("input", s->input, "LAMMPS text dump (.gz ok) or extended XYZ with the field")->required();
    sp->add_option("--field", s->field, "per-atom column to correlate (e.g. looseness)")->required();
    sp->add_option("--rmax", s->rmax, "largest pair distance (length; below half the box's shortest width)")
        ->required()
        ->check(positive_number());
    sp->add_option("--dr", s->dr, "bin width (length)")->required()->check(positive_number());
    add_frames_option(sp, s->frames);
    sp->add_option("-o,--output", s->output, "CSV: r (bin centre), c, count (pairs), sacf")->required();
    add_threads_option(sp, s->threads);
    add_examples(sp, {"tessera correlate spatial looseness.dump --field L --rmax 10 --dr 0.25 -o sacf.csv",
                      "tessera correlate spatial cu.dump --field csp --rmax 8 --dr 0.1 --frames -1 -o sacf.csv"});
    sp->callback([s, &action] { action = [s] { return run_spatial(*s); }; });

    auto t = std::make_shared<temporal_options>();
    CLI::App* tp = cor->add_subcommand("temporal", "TACF(dt) of the field on a voxel grid; per-voxel t_c; dL*(N)");
    tp->add_option("input", t->input, "LAMMPS text dump (.gz ok) or extended XYZ with the field")->required();
    tp->add_option("--field", t->field, "per-atom column to correlate")->required();
    tp->add_option("--voxels", t->voxels, "voxel grid NX,NY,NZ in the box's own (fractional) axes (default 15,15,15)")
        ->delimiter(',');
    tp->add_option("--max-lag", t->max_lag, "largest lag in frames (default: all); memory grows with it, not with frames")
        ->check(positive_number());
    tp->add_option("--reference", t->reference,
                   "fluctuations about each frame's mean (each-frame, default), the origin frame's mean "
                   "(origin-frame, the paper's literal Eq.), or none")
        ->check(CLI::IsMember({"each-frame", "origin-frame", "none"}));
    add_frames_option(tp, t->frames);
    tp->add_option("-o,--output", t->output, "CSV: dt, tacf, tacf_normalised, samples, lag")->required();
    tp->add_option("--zero-crossings", t->zero_crossings,
                   "CSV: voxel, t_c (first zero of its TACF; NaN if none), ix, iy, iz; the tail exponent on stderr");
    tp->add_option("--fluctuations", t->fluctuations,
                   "CSV: nx, ny, nz, particles_per_voxel, rms, mean_abs, samples for cubic grids 1..max(--voxels)");
    add_examples(tp, {"tessera correlate temporal looseness.dump --field L --voxels 15,15,15 -o tacf.csv",
                      "tessera correlate temporal run.dump --field L --voxels 8,8,8 --zero-crossings zc.csv "
                      "--fluctuations dl.csv -o tacf.csv"});
    tp->callback([t, &action] { action = [t] { return run_temporal(*t); }; });
}

}  // namespace tessera::cli
