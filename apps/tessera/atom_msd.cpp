// `tessera atom-msd INPUT -o OUTPUT --lags K1,K2,... [--temperature T] [--floor F] [--frames A:B:S]`
//
// Per-atom squared displacements Δr_i² between the first selected frame and the frames K
// selected frames later (dynamics/msd.hpp, lag_displacements; unwrapped coordinates or image
// flags when present, else minimum-image increments between frames), written as the first
// frame with its input columns plus `dr2_<K>` per lag and, with --temperature T, the features
// `lg_dr2_T_<K>` = lg(max(Δr², F)/T) of machine-learned temperature models (Liu et al.).
// --reference-box maps every frame's (unwrapped) positions into the first frame's cell through
// fractional coordinates first, r' = H₀ H(t)⁻¹ (r − lo(t)) + lo₀, so the displacement excludes
// the cell's uniform deformation (creep, tension) — the affine part d2min also removes.
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"

#include <tessera/dynamics/msd.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tessera::cli {
namespace {

struct atom_msd_options {
    int precision = 0;  // --precision
    bool overwrite = false;
    std::string input, output, frames;
    std::vector<std::size_t> lags;
    double temperature = 0, floor = 1e-6;
    bool reference_box = false;
};

int run_atom_msd(const atom_msd_options& o) {
    output_file out(o.output, {o.input});
    run_report report("atom-msd");
    std::optional<frame> first;
    std::optional<unwrapped_trajectory<double>> traj;
    lag_displacements<double> lags(o.lags);
    const std::size_t last = *std::max_element(o.lags.begin(), o.lags.end());
    std::size_t used = 0;
    std::vector<vec3<double>> mapped;  // --reference-box: positions in the first frame's cell
    // Frames after the largest lag are not needed: stop reading there.
    for_each_selected_frame(o.input, o.frames, "tessera atom-msd", [&](frame& f, std::size_t index) {
        const std::string what = o.input + " frame " + std::to_string(index) + " (timestep " + std::to_string(f.timestep) + ")";
        if (!traj) {
            const auto fam = f.coordinate_family();
            traj.emplace(fam == "xu" || fam == "xsu" || f.has_image_flags());
            first = f;
        }
        const auto x = f.positions(unwrap::if_available);
        const auto ids = f.ids();
        const auto& r =
            std::visit([&](const auto& b) -> const std::vector<vec3<double>>& { return traj->add(x, b, ids, what); }, f.box);
        if (o.reference_box) {
            mapped.resize(r.size());
            std::visit(
                [&](const auto& b, const auto& b0) {
                    for (std::size_t i = 0; i < r.size(); ++i) mapped[i] = b0.from_fractional(b.to_fractional(r[i]));
                },
                f.box, first->box);
            lags.add(mapped);
        } else {
            lags.add(r);
        }
        return ++used <= last;
    }, &report.tally);
    if (!lags.complete())
        throw error(o.input + ": lag " + std::to_string(last) + " needs " + std::to_string(last + 1) +
                    " selected frames, the selection has " + std::to_string(used));
    for (std::size_t l = 0; l < o.lags.size(); ++l)
        add_result_column(*first, o.overwrite, "dr2_" + std::to_string(o.lags[l]), lags.sq()[l]);
    if (o.temperature > 0) {
        const auto lg = lg_msd_features(lags.sq(), o.temperature, o.floor);  // row-major N × L
        const std::size_t n = first->natoms, L = o.lags.size();
        for (std::size_t l = 0; l < L; ++l) {
            std::vector<double> col(n);
            for (std::size_t i = 0; i < n; ++i) col[i] = lg[i * L + l];
            add_result_column(*first, o.overwrite, "lg_dr2_T_" + std::to_string(o.lags[l]), std::move(col));
        }
    }
    frame_writer writer(out);
    writer.set_precision(o.precision);
    writer.write(*first);
    writer.close();
    out.commit();
    report.done({&out});
    return 0;
}

}  // namespace

void register_atom_msd(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<atom_msd_options>();
    CLI::App* sub = app.add_subcommand(
        "atom-msd", "per-atom squared displacements at given lags (and lg(dr2/T) features) from the first frame");
    sub->add_option("input", o->input, "LAMMPS text dump (.gz ok) or extended XYZ, with atom ids")->required();
    sub->add_option("-o,--output", o->output, "output LAMMPS dump (.gz: compressed; -: stdout; .csv or .npy: a per-atom table): the first frame + dr2_<K> (+ lg_dr2_T_<K>)")
        ->required();
    sub->add_option("--lags", o->lags, "lags K in selected frames after the first, e.g. 1,10,100")
        ->required()
        ->delimiter(',')
        ->check(positive_number());
    sub->add_option("--temperature", o->temperature, "T: also write lg(max(dr2, FLOOR)/T) as lg_dr2_T_<K>")
        ->check(positive_number());
    sub->add_option("--floor", o->floor, "smallest dr2 in the lg features (default 1e-6; a resting atom would give -inf)")
        ->check(positive_number());
    sub->add_flag("--reference-box", o->reference_box,
                  "map each frame into the first frame's cell through fractional coordinates first: displacements "
                  "without the cell's uniform deformation (creep, tension)");
    add_frames_option(sub, o->frames);
    add_precision_option(sub, o->precision);
    add_overwrite_option(sub, o->overwrite);
    add_examples(sub, {
                     "tessera atom-msd run.dump -o dr2.dump --lags 1,10,100",
                     "tessera atom-msd creep.dump -o dr2_nonaffine.dump --lags 1,10 --reference-box",
                     "tessera atom-msd run.dump -o features.dump --lags 1,10,100 --temperature 700"});
    sub->callback([o, &action] { action = [o] { return run_atom_msd(*o); }; });
}

}  // namespace tessera::cli
