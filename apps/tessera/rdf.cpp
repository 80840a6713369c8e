// `tessera rdf INPUT -o rdf.csv --rmax R --bins N [--centers EXPR] [--pool] [--frames A:B:S] [--threads N] [--coord]`
//
// Total and partial g(r), normalised exactly like LAMMPS `compute rdf N * * 1 1 1 2 … cutoff R`
// (stats/rdf.hpp), averaged over the selected frames. CSV columns: r (bin centre), g, then
// g_<a>_<b> for every type pair a <= b when the input has types; with --coord also LAMMPS's
// running coordination columns n, n_<a>_<b>. With --sq FILE also the static structure factor
// S(q) = 1 + 4πρ Σ_k r_k² (g(r_k) − 1) sin(q r_k)/(q r_k) Δr of the total g, ρ the mean N/V of
// the frames (stats/rdf.hpp, structure_factor_from_rdf; --sq-window lorch damps the truncation
// ripples with sin(πr/R)/(πr/R)), on q = Q/M, 2Q/M, …, Q: CSV `q,s`. With --centers EXPR only the
// atoms the expression selects (per frame) are centres, every atom a neighbour; the partials are
// then every ordered pair g_<centre type>_<neighbour type> (stats/rdf.hpp). --pool sums counts and
// normalisations over frames instead of averaging each frame's g.
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"

#include <tessera/core/selection.hpp>
#include <tessera/io/csv_writer.hpp>
#include <tessera/stats/rdf.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tessera::cli {
namespace {

struct rdf_options {
    std::string input, output, frames, centers;
    bool pool = false;
    double rmax = 0;
    std::size_t bins = 100;
    int threads = 0;
    bool coord = false;
    std::string sq_output, sq_window = "none";
    double qmax = 0;
    std::size_t qbins = 200;
};

int run_rdf(const rdf_options& o) {
    output_file file(o.output, {o.input});
    std::optional<output_file> sq_file;
    if (!o.sq_output.empty()) sq_file.emplace(o.sq_output, std::vector<std::string>{o.input, o.output}, "--sq");
    if (file.is_stdout() && sq_file && sq_file->is_stdout()) throw usage_error("-o and --sq cannot both be stdout");
    run_report report("rdf");
    const selection centres = parse_selection(o.centers);
    const bool subset = !o.centers.empty();
    std::vector<unsigned char> mask;
    std::size_t centre_total = 0;
    std::vector<std::array<double, 3>> positions;
    std::vector<int> types;
    std::optional<rdf_accumulator> acc;
    int ntypes = 0;
    double density_sum = 0;  // Σ N/V over frames, for S(q)
    for_each_selected_frame(o.input, o.frames, "tessera rdf", [&](frame& f, std::size_t index) {
        f.positions(positions);
        types.clear();
        if (f.has_column("type")) types = f.types();
        if (!acc) {
            ntypes = types.empty() ? 0 : *std::max_element(types.begin(), types.end());
            acc.emplace(o.rmax, o.bins, ntypes, subset ? rdf_pairs::ordered : rdf_pairs::unordered,
                        o.pool ? rdf_average::pooled : rdf_average::frames);
        }
        if (subset) {
            try {
                centres.evaluate(f, mask);
            } catch (const error& e) {
                throw usage_error("--centers: ", e.what());
            }
            std::size_t count = 0;
            for (const unsigned char m : mask) count += m ? 1 : 0;
            if (count == 0 && !o.pool)  // its g would be undefined; pooled, it adds nothing
                throw error(o.input + ": frame " + std::to_string(index) + " (timestep " + std::to_string(f.timestep) +
                            "): --centers '" + o.centers + "' selects no atom (--pool lets such frames add nothing)");
            centre_total += count;
        }
        particle_properties props;
        props.types = types;
        props.num_types = ntypes;
        std::visit(
            [&](const auto& b) {
                if (!(b.volume() > 0) || !std::isfinite(double(b.volume())))
                    throw error(o.input + ": frame " + std::to_string(index) + " (timestep " +
                                std::to_string(f.timestep) + ") has no finite box; g(r) needs a volume");
                acc->add_frame(positions, b, props, openmp_policy{o.threads},
                               subset ? std::span<const unsigned char>(mask) : std::span<const unsigned char>());
                density_sum += double(positions.size()) / double(b.volume());
            },
            f.box);
    }, &report.tally);
    if (subset && centre_total == 0)
        throw error(o.input + ": --centers '" + o.centers + "' selects no atom in any selected frame");
    const rdf_table t = acc->result();
    std::vector<std::string> header{"r"};
    header.insert(header.end(), t.names.begin(), t.names.end());
    if (o.coord)
        for (const auto& n : t.names) header.push_back("n" + n.substr(1));
    const auto writer = file.csv(header);
    csv_writer& out = *writer;
    for (std::size_t k = 0; k < t.r.size(); ++k) {
        out.add(t.r[k]);
        for (const auto& g : t.g) out.add(g[k]);
        if (o.coord)
            for (const auto& c : t.coord) out.add(c[k]);
        out.end_row();
    }
    out.close();
    if (!o.sq_output.empty()) {
        std::vector<double> q(o.qbins);
        for (std::size_t k = 0; k < q.size(); ++k) q[k] = o.qmax * double(k + 1) / double(q.size());
        const double rho = density_sum / double(t.frames);
        const auto s = structure_factor_from_rdf(t.r, t.g[0], rho, q,
                                                 o.sq_window == "lorch" ? sq_window::lorch : sq_window::none);
        const auto sq = sq_file->csv({"q", "s"});
        for (std::size_t k = 0; k < q.size(); ++k) sq->add(q[k]).add(s[k]).end_row();
        sq->close();
        sq_file->commit();
    }
    file.commit();
    if (subset && show_progress)
        std::fprintf(file.is_stdout() ? stderr : stdout, "tessera rdf: --centers selected %zu atoms over %zu frames\n",
                     centre_total, t.frames);
    report.done({&file, sq_file ? &*sq_file : nullptr});
    return 0;
}

}  // namespace

void register_rdf(CLI::App& app, std::function<int()>& action) {
    auto opts = std::make_shared<rdf_options>();
    CLI::App* sub = app.add_subcommand("rdf", "total and partial g(r) averaged over frames (LAMMPS compute rdf normalisation)");
    sub->add_option("input", opts->input, "LAMMPS text dump (.gz ok) or extended XYZ")->required();
    sub->add_option("-o,--output", opts->output, "output CSV (-: stdout): r,g,g_1_1,g_1_2,...")->required();
    sub->add_option("--rmax", opts->rmax, "outer edge of the last bin")->required()->check(positive_number());
    sub->add_option("--bins", opts->bins, "number of bins (default 100)")->check(positive_number());
    sub->add_option("--centers,--centres", opts->centers,
                    "only the atoms this selection expression picks (per frame) are centres; every atom stays a "
                    "neighbour; partial columns become every ordered pair g_<centre type>_<neighbour type> "
                    "(e.g. 'igd_top==1', 'type==1 && csp>4'; docs/cli.md, 'Selections')");
    sub->add_flag("--pool", opts->pool,
                  "pool the frames: sum the pair counts and the normalisations over frames (frames weigh by their "
                  "centres; one without centres adds nothing) instead of averaging each frame's g");
    add_frames_option(sub, opts->frames);
    add_threads_option(sub, opts->threads);
    sub->add_flag("--running-coord,--coord", opts->coord,
                  "also write LAMMPS's running coordination columns n, n_<a>_<b> (--coord: the old spelling)");
    auto* sq = sub->add_option("--sq", opts->sq_output, "also write S(q) of the total g(r) to this CSV (q,s); needs --qmax");
    auto* qmax = sub->add_option("--qmax", opts->qmax, "largest q of --sq (inverse length)")->check(positive_number());
    sub->add_option("--qbins", opts->qbins, "number of q values of --sq, Q/M … Q (default 200)")
        ->check(positive_number());
    sub->add_option("--sq-window", opts->sq_window, "none (default) or lorch: window on g(r) − 1 before the transform")
        ->check(CLI::IsMember({"none", "lorch"}));
    sq->needs(qmax);
    qmax->needs(sq);
    add_examples(sub, {
                     "tessera rdf glass.dump -o rdf.csv --rmax 8 --bins 160",
                     "tessera rdf glass.dump -o rdf.csv --rmax 12 --sq sq.csv --qmax 12 --sq-window lorch --frames -10:",
                     "tessera rdf glass.dump -o rdf_zr_centres.csv --rmax 8 --centers 'type==2'"});
    sub->callback([opts, &action] { action = [opts] { return run_rdf(*opts); }; });
}

}  // namespace tessera::cli
