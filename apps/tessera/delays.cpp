// `tessera delays INPUT --from A --to B -o OUTPUT [--from-offset DT] [--frames A:B:S]`
//
// Per atom, the timestep at which column A peaks over the selected frames (its first maximum;
// NaN ignored, dynamics/timeseries.hpp argmax) and the same for column B, and the delay between
// them: delay = t_peak(B) − (t_peak(A) + DT). Seed-000-style analyses ask when an atom's CSP
// peaks after its LENS peak; LENS of the pair (t − Δt, t) is written at t, so DT = −Δt/2 centres
// it. Atoms are matched by id in every frame. Writes the first selected frame with its columns
// plus `peak_<A>`, `peak_<B>` (timesteps) and `delay`. Memory: two values per atom and frame.
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"

#include <tessera/dynamics/timeseries.hpp>
#include <tessera/dynamics/trajectory.hpp>

#include <CLI/CLI.hpp>

#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tessera::cli {
namespace {

struct delays_options {
    int precision = 0;  // --precision
    bool overwrite = false;
    std::string input, output, frames, from, to;
    double from_offset = 0;
};

int run_delays(const delays_options& o) {
    output_file out(o.output, {o.input});
    run_report report("delays");
    std::optional<frame> first;
    id_index first_ids;
    std::vector<std::int64_t> steps;
    std::vector<std::vector<double>> a, b;  // per frame, in the first frame's row order
    for_each_selected_frame(o.input, o.frames, "tessera delays", [&](frame& f, std::size_t index) {
        const std::string what = o.input + " frame " + std::to_string(index) + " (timestep " + std::to_string(f.timestep) + ")";
        for (const auto* name : {&o.from, &o.to})
            if (!f.has_column(*name)) throw error(what, ": no column '", *name, "' (columns: ", f.column_list(), ")");
        const auto ids = f.ids();
        if (!first) {
            first = f;
            first_ids = id_index(ids, what);
        }
        const auto rows = match_ids(id_index(ids, what), first_ids, id_mismatch::error, what, "current", "first");  // first row -> row
        const auto ca = f.column(o.from), cb = f.column(o.to);
        std::vector<double> va(rows.size()), vb(rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i) {
            va[i] = ca[rows[i]];
            vb[i] = cb[rows[i]];
        }
        a.push_back(std::move(va));
        b.push_back(std::move(vb));
        steps.push_back(f.timestep);
    }, &report.tally);
    const std::size_t n = first->natoms, frames = steps.size();
    std::vector<double> peak_a(n), peak_b(n), delay(n), series(frames);
    auto peak_time = [&](const std::vector<std::vector<double>>& s, std::size_t i) {
        for (std::size_t t = 0; t < frames; ++t) series[t] = s[t][i];
        const auto k = argmax(series);
        return k ? double(steps[*k]) : std::numeric_limits<double>::quiet_NaN();
    };
    for (std::size_t i = 0; i < n; ++i) {
        peak_a[i] = peak_time(a, i);
        peak_b[i] = peak_time(b, i);
        delay[i] = peak_b[i] - (peak_a[i] + o.from_offset);
        if (!std::isfinite(delay[i]))
            throw error(o.input, ": atom id ", first_ids.id(i), " has no finite value of '",
                        std::isfinite(peak_a[i]) ? o.to : o.from, "' in any selected frame");
    }
    add_result_column(*first, o.overwrite, "peak_" + o.from, std::move(peak_a), true);
    add_result_column(*first, o.overwrite, "peak_" + o.to, std::move(peak_b), true);
    add_result_column(*first, o.overwrite, "delay", std::move(delay), o.from_offset == std::floor(o.from_offset));
    frame_writer writer(out);
    writer.set_precision(o.precision);
    writer.write(*first);
    writer.close();
    out.commit();
    report.done({&out});
    return 0;
}

}  // namespace

void register_delays(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<delays_options>();
    CLI::App* sub = app.add_subcommand("delays", "per-atom peak times of two columns and the delay between them");
    sub->add_option("input", o->input, "LAMMPS text dump (.gz ok) or extended XYZ, with ids and both columns")->required();
    sub->add_option("-o,--output", o->output, "output LAMMPS dump (.gz: compressed; -: stdout; .csv or .npy: a per-atom table): the first frame + peak_<A>, peak_<B>, delay")
        ->required();
    sub->add_option("--from", o->from, "column A (e.g. lens)")->required();
    sub->add_option("--to", o->to, "column B (e.g. csp)")->required();
    sub->add_option("--from-offset", o->from_offset,
                    "timesteps added to A's peak times (default 0; LENS of (t - dt, t) is written at t: -dt/2 centres it)");
    add_frames_option(sub, o->frames);
    add_precision_option(sub, o->precision);
    add_overwrite_option(sub, o->overwrite);
    add_examples(sub, {
                     "tessera delays both.dump -o delays.dump --from lens --to csp",
                     "tessera delays both.dump -o delays.dump --from lens --to csp --from-offset -500"});
    sub->callback([o, &action] { action = [o] { return run_delays(*o); }; });
}

}  // namespace tessera::cli
