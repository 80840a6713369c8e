// `tessera d2min INPUT -o OUTPUT --cutoff RC [--reference first|previous|lag:K] [--unnormalized]
//                [--frames A:B:S] [--threads N]`
//
// Writes every frame that has a reference (all but the first, or the first K under lag:K) with
// its input columns plus `d2min`, `shear_strain`, `volumetric_strain`, `rotation`,
// `strain_valid` (dynamics/d2min.hpp). Memory: the prepared references (neighbour lists) of at
// most K frames, whatever the trajectory's length.
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"

#include <tessera/dynamics/d2min.hpp>

#include <cstdio>
#include <deque>
#include <memory>
#include <string>
#include <variant>

namespace tessera::cli {
namespace {

struct d2min_cli_options {
    int precision = 0;  // --precision
    bool overwrite = false;
    std::string input, output, frames, reference = "first";
    double cutoff = 0;
    int threads = 0;
    bool unnormalized = false;
};

// 0 = first frame; K >= 1 = the frame K selected frames earlier.
std::size_t parse_reference(const std::string& s) {
    if (s == "first") return 0;
    if (s == "previous") return 1;
    if (s.rfind("lag:", 0) == 0) {
        std::size_t used = 0;
        long long k = -1;
        try {
            k = std::stoll(s.substr(4), &used);
        } catch (const std::exception&) {
            used = 0;
        }
        if (used == s.size() - 4 && k >= 1) return std::size_t(k);
    }
    throw error("--reference '" + s + "': expected first, previous or lag:K with K >= 1");
}

int run_d2min(const d2min_cli_options& o) {
    output_file out(o.output, {o.input});
    run_report report("d2min");
    const std::size_t lag = parse_reference(o.reference);
    d2min_options opt;
    opt.cutoff = o.cutoff;
    opt.normalization = o.unnormalized ? d2min_normalization::sum : d2min_normalization::per_neighbor;
    frame_writer writer(out);
    writer.set_precision(o.precision);
    const openmp_policy policy{o.threads};
    std::deque<d2min_reference<double>> window;  // lag:K: the last K frames; first: frame 0 only
    atomic_strain_result<double> res;
    std::size_t written = 0, undefined = 0;
    const std::size_t used = for_each_selected_frame(o.input, o.frames, "tessera d2min", [&](frame& f, std::size_t index) {
        const std::string what = o.input + " frame " + std::to_string(index) + " (timestep " + std::to_string(f.timestep) + ")";
        const auto x = f.positions();
        const auto ids = f.ids();
        const bool have_reference = lag == 0 ? !window.empty() : window.size() == lag;
        if (have_reference) {
            std::visit([&](const auto& b) { d2min(window.front(), x, b, ids, res, policy, what); }, f.box);
            std::vector<double> valid(res.size());
            for (std::size_t i = 0; i < res.size(); ++i) {
                valid[i] = res.valid[i];
                undefined += res.valid[i] ? 0 : 1;
            }
            add_result_column(f, o.overwrite, "d2min", res.d2min);
            add_result_column(f, o.overwrite, "shear_strain", res.shear_strain);
            add_result_column(f, o.overwrite, "volumetric_strain", res.volumetric_strain);
            add_result_column(f, o.overwrite, "rotation", res.rotation);
            add_result_column(f, o.overwrite, "strain_valid", std::move(valid), true);
            writer.write(f);
            ++written;
        }
        if (lag == 0 && window.empty())
            std::visit([&](const auto& b) { window.emplace_back(x, b, ids, opt, policy, what); }, f.box);
        if (lag > 0) {
            std::visit([&](const auto& b) { window.emplace_back(x, b, ids, opt, policy, what); }, f.box);
            if (window.size() > lag) window.pop_front();
        }
    }, &report.tally);
    writer.close();
    if (written == 0)
        throw error(o.input + ": " + std::to_string(used) + " selected frame(s); D²min with --reference " + o.reference +
                    " needs at least " + std::to_string(lag == 0 ? 2 : lag + 1));
    out.commit();
    if (undefined > 0)
        std::fprintf(stderr,
                     "tessera d2min: undefined for %zu atom%s (summed over frames; fewer than 3 or coplanar reference "
                     "neighbours, or an inverted neighbourhood): written as nan, strain_valid 0\n",
                     undefined, undefined == 1 ? "" : "s");
    report.done({&out});
    return 0;
}

}  // namespace

void register_d2min(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<d2min_cli_options>();
    CLI::App* sub = app.add_subcommand("d2min", "D²min non-affine displacement and atomic strain (Falk–Langer)");
    sub->add_option("input", o->input, "LAMMPS text dump (.gz ok) or extended XYZ, with atom ids")->required();
    sub->add_option("-o,--output", o->output,
                    "output LAMMPS dump (.gz: compressed; -: stdout; .csv or .npy: a per-atom table): input columns + d2min shear_strain volumetric_strain rotation strain_valid")
        ->required();
    sub->add_option("--cutoff", o->cutoff, "neighbours within this distance (length) in the reference frame, e.g. 4.0 Å or 2.5 σ")
        ->required()
        ->check(positive_number());
    sub->add_option("--reference", o->reference, "first (default), previous, or lag:K (K selected frames back)");
    sub->add_flag("--unnormalized", o->unnormalized, "D²min as OVITO's sum over neighbours (default: divided by their number)");
    add_frames_option(sub, o->frames);
    add_precision_option(sub, o->precision);
    add_overwrite_option(sub, o->overwrite);
    add_threads_option(sub, o->threads);
    add_examples(sub, {
                     "tessera d2min shear.dump -o d2min.dump --cutoff 4.0",
                     "tessera d2min shear.dump -o d2min.dump --cutoff 4.0 --reference lag:5 --unnormalized"});
    sub->callback([o, &action] { action = [o] { return run_d2min(*o); }; });
}

}  // namespace tessera::cli
