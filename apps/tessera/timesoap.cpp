// `tessera timesoap INPUT -o OUTPUT --cutoff RC [--delta K] [--soap-nmax N] [--soap-lmax L]
//  [--soap-sigma S] [--soap-basis gto|polynomial] [--soap-weighting none|poly]
//  [--soap-compression off|crossover|mu2] [--threads N] [--intersect]`
//
// As `tessera lens`: writes every frame that has a frame K positions earlier (all but the first K)
// with its input columns plus `timesoap`: the chord ‖p̂_i(t−K) − p̂_i(t)‖ between the atom's
// normalised SOAP vectors (dynamics/timesoap.hpp; SOAP of descriptors/soap.hpp, r_cut = RC).
// Memory: the SOAP vectors of the last K frames and the current frame.
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"

#include <tessera/dynamics/timesoap.hpp>

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace tessera::cli {
namespace {

struct timesoap_options {
    int precision = 0;
    bool overwrite = false;
    std::string input, output, frames;
    double cutoff = 0, sigma = 1.0;
    int n_max = 8, l_max = 6;
    std::string basis = "gto", weighting = "none", compression = "off";
    std::size_t delta = 1;
    int threads = 0;
    bool intersect = false;
};

soap make_soap(const timesoap_options& o) {
    soap_parameters p;
    p.r_cut = o.cutoff;
    p.n_max = o.n_max;
    p.l_max = o.l_max;
    p.sigma = o.sigma;
    p.basis = o.basis == "polynomial" ? soap_basis::polynomial : soap_basis::gto;
    p.weighting = o.weighting == "poly" ? soap_weighting::poly : soap_weighting::none;
    p.compression = o.compression == "crossover" ? soap_compression::crossover
                    : o.compression == "mu2"     ? soap_compression::mu2
                                                  : soap_compression::off;
    try {
        return soap(p);
    } catch (const tessera::error& e) {
        throw usage_error("--cutoff/--soap-*: ", e.what());
    }
}

int run_timesoap(const timesoap_options& o) {
    const soap descriptor = make_soap(o);
    output_file out(o.output, {o.input});
    run_report report("timesoap");
    frame_writer writer(out);
    writer.set_precision(o.precision);
    std::deque<soap_frame> window;  // the last `delta` selected frames
    soap_frame spare;               // storage of the frame that left the window, reused
    std::vector<double> values;
    std::size_t written = 0;
    const std::size_t used = for_each_selected_frame(o.input, o.frames, "tessera timesoap", [&](frame& f, std::size_t index) {
        const std::string what = o.input + " frame " + std::to_string(index) + " (timestep " + std::to_string(f.timestep) + ")";
        const auto x = f.positions();
        const auto ids = f.ids();
        const auto types = f.has_column("type") ? f.types() : std::vector<int>{};
        particle_properties props;
        props.types = types;
        soap_frame current = std::move(spare);
        std::visit([&](const auto& b) { compute_soap_frame(x, b, props, ids, descriptor, current, what, openmp_policy{o.threads}); },
                   f.box);
        if (window.size() == o.delta) {
            values.assign(f.natoms, 0.0);
            try {
                timesoap(window.front(), current, values, o.intersect ? id_mismatch::intersect : id_mismatch::error, what,
                         openmp_policy{o.threads});
            } catch (const error& e) {
                if (std::string_view(e.what()).find("set of atoms changed") == std::string_view::npos) throw;
                throw error(e.what(), "; --intersect compares the atoms common to both frames");
            }
            add_result_column(f, o.overwrite, "timesoap", values);
            writer.write(f);
            ++written;
            spare = std::move(window.front());
            window.pop_front();
        }
        window.push_back(std::move(current));
    }, &report.tally);
    writer.close();
    if (written == 0)
        throw error(o.input + ": " + std::to_string(used) + " selected frame(s); TimeSOAP with --delta " +
                    std::to_string(o.delta) + " needs at least " + std::to_string(o.delta + 1));
    out.commit();
    report.done({&out});
    return 0;
}

}  // namespace

void register_timesoap(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<timesoap_options>();
    CLI::App* sub = app.add_subcommand(
        "timesoap", "TimeSOAP: how far each atom's normalised SOAP vector moved between frames K apart (0: same environment)");
    sub->add_option("input", o->input, "LAMMPS text dump (.gz ok) or extended XYZ, with atom ids")->required();
    sub->add_option("-o,--output", o->output,
                    "output LAMMPS dump (.gz: compressed; -: stdout; .csv or .npy: a per-atom table): frames K.. with input "
                    "columns + timesoap")
        ->required();
    sub->add_option("--cutoff", o->cutoff, "SOAP radial cutoff r_cut (length; as tessera compute --soap RC)")
        ->required()
        ->check(positive_number());
    sub->add_option("--delta", o->delta, "K: TimeSOAP between selected frames t-K and t (default 1)")->check(positive_number());
    sub->add_option("--soap-nmax", o->n_max, "radial basis functions n_max (default 8)")->check(in_range(1, 20));
    sub->add_option("--soap-lmax", o->l_max, "spherical-harmonic degree l_max (default 6)")->check(in_range(0, 12));
    sub->add_option("--soap-sigma", o->sigma, "Gaussian width sigma (default 1)")->check(positive_number());
    sub->add_option("--soap-basis", o->basis, "gto (default) or polynomial")->check(CLI::IsMember({"gto", "polynomial"}));
    sub->add_option("--soap-weighting", o->weighting, "none (default) or poly (smooth cutoff at r_cut)")
        ->check(CLI::IsMember({"none", "poly"}));
    sub->add_option("--soap-compression", o->compression, "off (default), crossover or mu2")
        ->check(CLI::IsMember({"off", "crossover", "mu2"}));
    add_frames_option(sub, o->frames);
    add_precision_option(sub, o->precision);
    add_overwrite_option(sub, o->overwrite);
    add_threads_option(sub, o->threads);
    sub->add_flag("--intersect", o->intersect,
                  "compare the atoms common to both frames (others get nan) instead of failing when the atom set changes");
    add_examples(sub, {"tessera timesoap tension.dump -o timesoap.dump --cutoff 5 --soap-sigma 0.5",
                       "tessera timesoap water.xyz -o ts.csv --cutoff 6 --soap-nmax 6 --soap-lmax 4 --delta 2"});
    sub->callback([o, &action] { action = [o] { return run_timesoap(*o); }; });
}

}  // namespace tessera::cli
