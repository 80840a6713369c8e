// `tessera cluster kmeans|gmm|agglomerative|onion` and `tessera pca` (docs/cli.md): unsupervised
// analysis of per-atom feature tables with scikit-learn's / SciPy's semantics
// (include/tessera/cluster/). Data: CSV with a header, or any trajectory tessera reads (the atoms
// of every selected frame are rows, its columns the features). Outputs: CSV, one row per input row
// (id first when the input has one); the fit's figures (inertia, log-likelihood, BIC, explained
// variance) go to stderr.
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"
#include "table_input.hpp"

#include <tessera/cluster/gmm.hpp>
#include <tessera/cluster/hierarchical.hpp>
#include <tessera/cluster/kmeans.hpp>
#include <tessera/cluster/onion.hpp>

#include <tessera/cluster/pca.hpp>
#include <tessera/learn/scaler.hpp>
#include <tessera/stats/savgol.hpp>

#include <cmath>
#include <cstdint>
#include <map>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

namespace tessera::cli {
namespace {

/// The rows to analyse: the chosen features of the input, scaled as asked, and its ids.
struct feature_table {
    table source;
    std::vector<std::string> features;
    std::vector<double> x;  ///< rows × features, row-major, scaled
    [[nodiscard]] feature_matrix_view view() const { return {x.data(), source.rows, features.size()}; }
    [[nodiscard]] bool has_ids() const { return source.has_column("id"); }
};

feature_table read_features(const std::string& input, const std::string& frames,
                            const std::vector<std::string>& chosen, const std::string& scale) {
    feature_table t;
    t.source = load_table(input, frames);
    if (t.source.rows == 0) throw error(input, ": no rows to analyse");
    t.features = default_features(t.source, chosen);
    if (t.features.empty()) throw usage_error(input, " has no feature columns (besides id and timestep)");
    t.x = feature_rows(t.source, t.features, "--features");
    if (scale == "standard") {
        standard_scaler s;
        s.fit(t.view());
        s.transform(t.view(), t.x);
    } else if (scale == "minmax") {
        minmax_scaler s;
        s.fit(t.view());
        s.transform(t.view(), t.x);
    }
    return t;
}

struct cluster_options {
    std::string method, input, output, frames, scale = "none", covariance = "full", linkage = "ward";
    std::vector<std::string> features;
    std::size_t k = 0, n_init = 0, max_iter = 0;
    std::uint64_t seed = 0;
    int threads = 0;
};

void write_labels(const output_file& out, const feature_table& t, std::span<const std::size_t> labels,
                  std::span<const double> proba, std::size_t k) {
    std::vector<std::string> header;
    if (t.has_ids()) header.push_back("id");
    header.push_back("label");
    if (!proba.empty())
        for (std::size_t c = 0; c < k; ++c) header.push_back("proba_" + std::to_string(c));
    const auto w = out.csv(header);
    const auto ids = t.has_ids() ? t.source.column("id") : std::span<const double>{};
    for (std::size_t i = 0; i < t.source.rows; ++i) {
        if (!ids.empty()) w->add(std::int64_t(ids[i]));
        w->add(std::int64_t(labels[i]));
        if (!proba.empty())
            for (std::size_t c = 0; c < k; ++c) w->add(proba[i * k + c]);
        w->end_row();
    }
    w->close();
}

/// The centres (or means) on stderr, one line per cluster, in the features' (scaled) units.
void print_centres(const char* method, const char* what, const feature_table& t, std::span<const double> centres,
                   std::size_t k, const std::string& scale) {
    std::string names;
    for (const auto& f : t.features) (names += ",") += f;
    std::fprintf(stderr, "tessera: cluster %s: %s%s%s\n", method, what, names.c_str(),
                 scale == "none" ? "" : (" (" + scale + "-scaled)").c_str());
    const std::size_t m = t.features.size();
    for (std::size_t c = 0; c < k; ++c) {
        std::fprintf(stderr, "tessera: cluster %s: %zu", method, c);
        for (std::size_t j = 0; j < m; ++j) std::fprintf(stderr, ",%.17g", centres[c * m + j]);
        std::fprintf(stderr, "\n");
    }
}

int run_cluster(const cluster_options& o) {
    output_file out(o.output, {o.input});
    run_report report("cluster " + o.method);
    const feature_table t = read_features(o.input, o.frames, o.features, o.scale);
    const feature_matrix_view x = t.view();
    if (o.k > x.rows) throw usage_error("--k ", o.k, " exceeds the ", x.rows, " rows of ", o.input);
    if (o.method == "kmeans") {
        kmeans_options ko;
        ko.k = o.k;
        if (o.n_init) ko.n_init = o.n_init;
        if (o.max_iter) ko.max_iter = o.max_iter;
        ko.seed = o.seed;
        const kmeans_result r = tessera::kmeans(x, ko, openmp_policy{o.threads});
        write_labels(out, t, r.labels, {}, o.k);
        std::fprintf(stderr, "tessera: cluster kmeans: inertia %.17g after %zu iterations%s\n", r.inertia, r.iterations,
                     r.converged ? "" : " (not converged: raise --max-iter)");
        print_centres("kmeans", "cluster", t, r.centers, o.k, o.scale);
    } else if (o.method == "gmm") {
        gmm_options go;
        go.k = o.k;
        go.covariance = o.covariance == "diag"        ? covariance_type::diag
                        : o.covariance == "spherical" ? covariance_type::spherical
                        : o.covariance == "tied"      ? covariance_type::tied
                                                      : covariance_type::full;
        if (o.n_init) go.n_init = o.n_init;
        if (o.max_iter) go.max_iter = o.max_iter;
        go.seed = o.seed;
        const gaussian_mixture g = tessera::gmm(x, go);
        write_labels(out, t, g.labels, g.predict_proba(x), o.k);
        print_centres("gmm", "component,weight", t, {}, 0, o.scale);
        for (std::size_t c = 0; c < o.k; ++c) {
            std::fprintf(stderr, "tessera: cluster gmm: %zu,%.17g", c, g.weights[c]);
            for (std::size_t j = 0; j < g.cols; ++j) std::fprintf(stderr, ",%.17g", g.means[c * g.cols + j]);
            std::fprintf(stderr, "\n");
        }
        std::fprintf(stderr, "tessera: cluster gmm: mean log-likelihood %.17g, BIC %.17g, AIC %.17g%s\n",
                         g.score(x), g.bic(x), g.aic(x), g.converged ? "" : " (not converged: raise --max-iter)");
    } else {
        const dendrogram d = agglomerate(x, parse_linkage(o.linkage));
        const auto labels = cut_by_count(d, o.k);
        write_labels(out, t, labels, {}, o.k);
        if (o.k > 1 && d.merges.size() >= o.k)  // merges ascend in height; the last k-1 are undone
            std::fprintf(stderr, "tessera: cluster agglomerative: the cut to %zu clusters lies between merge heights %.17g and %.17g\n",
                         o.k, d.merges[d.merges.size() - o.k].height, d.merges[d.merges.size() - o.k + 1].height);
    }
    out.commit();
    report.done(1, x.rows, {&out});
    return 0;
}

struct pca_options {
    std::string input, output, frames, scale = "none";
    std::vector<std::string> features;
    std::size_t components = 0;
};

int run_pca(const pca_options& o) {
    output_file out(o.output, {o.input});
    run_report report("pca");
    const feature_table t = read_features(o.input, o.frames, o.features, o.scale);
    const feature_matrix_view x = t.view();
    const pca_model m = fit_pca(x, o.components);
    const std::vector<double> scores = m.transform(x);
    std::vector<std::string> header;
    if (t.has_ids()) header.push_back("id");
    for (std::size_t c = 0; c < m.n; ++c) header.push_back("pc" + std::to_string(c + 1));
    const auto w = out.csv(header);
    const auto ids = t.has_ids() ? t.source.column("id") : std::span<const double>{};
    for (std::size_t i = 0; i < x.rows; ++i) {
        if (!ids.empty()) w->add(std::int64_t(ids[i]));
        for (std::size_t c = 0; c < m.n; ++c) w->add(scores[i * m.n + c]);
        w->end_row();
    }
    w->close();
    out.commit();
    {  // the fit's figures are results: shown with --quiet too
        std::fprintf(stderr, "tessera: pca: component,explained_variance,ratio,loadings(%s)\n", [&] {
            std::string s;
            for (const auto& f : t.features) (s += s.empty() ? "" : " ") += f;
            return s;
        }().c_str());
        for (std::size_t c = 0; c < m.n; ++c) {
            std::fprintf(stderr, "tessera: pca: pc%zu,%.17g,%.17g,", c + 1, m.explained_variance[c], m.explained_variance_ratio[c]);
            for (std::size_t j = 0; j < m.cols; ++j) std::fprintf(stderr, "%s%.6g", j ? " " : "", m.components[c * m.cols + j]);
            std::fprintf(stderr, "\n");
        }
    }
    report.done(1, x.rows, {&out});
    return 0;
}

struct onion_cli_options {
    std::string input, output, frames, column;
    std::size_t window = 0, bins = 0;
    double sigmas = 2.0;
    bool strict = false;
    int threads = 0;
    std::vector<std::size_t> savgol;  ///< window, polynomial order; empty: no smoothing
};

/// Per-atom series, rows = atoms, columns = time: from a CSV (one row per atom, every column
/// but id a time point, in order) or from a trajectory's --column over the selected frames,
/// atoms matched by id (the first frame's order).
struct series_table {
    std::vector<std::int64_t> ids;  ///< empty for a CSV without an id column
    std::vector<double> values;     ///< rows × times, row-major
    std::size_t rows = 0, times = 0;
};

series_table read_series(const onion_cli_options& o) {
    series_table s;
    const bool csv = o.input.ends_with(".csv") || o.input.ends_with(".csv.gz");
    if (csv) {
        if (!o.column.empty()) throw usage_error("--column picks a trajectory column; ", o.input, " is a table of series");
        const table t = load_table(o.input, o.frames);
        const auto times = default_features(t, {});
        s.rows = t.rows, s.times = times.size();
        s.values = feature_rows(t, times, "the series columns");
        if (t.has_column("id"))
            for (double v : t.column("id")) s.ids.push_back(std::int64_t(v));
        return s;
    }
    if (o.column.empty()) throw usage_error("--column: name the trajectory column whose per-atom series to cluster");
    std::map<std::int64_t, std::size_t> row_of;
    std::vector<std::vector<double>> per_frame;
    for_each_selected_frame(o.input, o.frames, "tessera cluster onion", [&](const frame& f, std::size_t) {
        if (!f.has_column("id")) throw error("the series of an atom follow its id, but the frame has no id column");
        const auto ids = f.ids();
        const auto v = f.column(o.column);
        if (per_frame.empty()) {
            s.ids = ids;
            for (std::size_t i = 0; i < ids.size(); ++i)
                if (!row_of.emplace(ids[i], i).second) throw error("atom id ", ids[i], " appears twice");
        } else if (ids.size() != s.ids.size()) {
            throw error(ids.size(), " atoms, but the first frame has ", s.ids.size());
        }
        std::vector<double> col(s.ids.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const auto it = row_of.find(ids[i]);
            if (it == row_of.end()) throw error("atom id ", ids[i], " is not in the first frame");
            col[it->second] = v[i];
        }
        per_frame.push_back(std::move(col));
    });
    s.rows = s.ids.size(), s.times = per_frame.size();
    s.values.resize(s.rows * s.times);
    for (std::size_t t = 0; t < s.times; ++t)
        for (std::size_t i = 0; i < s.rows; ++i) {
            const double v = per_frame[t][i];
            if (!std::isfinite(v))
                throw error(o.input, ": atom ", s.ids[i], ", frame ", t, " of the selection: ", o.column, " = ", v,
                            " is not finite");
            s.values[i * s.times + t] = v;
        }
    return s;
}

int run_onion(const onion_cli_options& o) {
    output_file out(o.output, {o.input});
    run_report report("cluster onion");
    series_table s = read_series(o);
    if (!o.savgol.empty()) {  // smoothed per series first, as dynsight does before Onion
        if (o.savgol.size() != 2) throw usage_error("--savgol: expected WINDOW,ORDER (e.g. 11,2)");
        std::vector<double> smooth(s.times);
        for (std::size_t i = 0; i < s.rows; ++i) {
            const std::span<double> row(s.values.data() + i * s.times, s.times);
            savgol_filter(row, o.savgol[0], o.savgol[1], smooth);
            std::copy(smooth.begin(), smooth.end(), row.begin());
        }
    }
    if (o.window > s.times)
        throw usage_error("--window ", o.window, " exceeds the ", s.times, " time points of each series in ", o.input);
    onion_options oo;
    oo.window = o.window;
    oo.bins = o.bins;
    oo.number_of_sigmas = o.sigmas;
    oo.reassign_unclassified = !o.strict;
    const onion_result r = onion_cluster(feature_matrix_view{s.values.data(), s.rows, s.times}, oo, openmp_policy{o.threads});
    std::vector<std::string> header;
    if (!s.ids.empty()) header.push_back("id");
    for (std::size_t w = 0; w < r.windows_per_series; ++w) header.push_back("window_" + std::to_string(w));
    const auto w = out.csv(header);
    for (std::size_t i = 0; i < s.rows; ++i) {
        if (!s.ids.empty()) w->add(s.ids[i]);
        for (std::size_t k = 0; k < r.windows_per_series; ++k) w->add(r.window_labels[i * r.windows_per_series + k]);
        w->end_row();
    }
    w->close();
    out.commit();
    // The states are results: on stderr also with --quiet.
    std::fprintf(stderr, "tessera: cluster onion: %zu states, unclassified fraction %.6g\n", r.states.size(),
                 r.unclassified_fraction);
    std::fprintf(stderr, "tessera: cluster onion: state,mean,sigma,area,r2,fraction\n");
    for (std::size_t k = 0; k < r.states.size(); ++k) {
        const onion_state& st = r.states[k];
        std::fprintf(stderr, "tessera: cluster onion: %zu,%.17g,%.17g,%.17g,%.17g,%.17g\n", k, st.mean, st.sigma, st.area,
                     st.r2, st.fraction);
    }
    report.done(s.times, s.rows, {&out});
    return 0;
}

void register_onion(CLI::App* cluster, std::function<int()>& action) {
    auto o = std::make_shared<onion_cli_options>();
    CLI::App* sub = cluster->add_subcommand(
        "onion", "Onion clustering of per-atom time series (Becchi et al., PNAS 2024): a state per window, as CSV");
    sub->add_option("input", o->input,
                    "series: a CSV with one row per atom (optional id, then one column per time point), or a "
                    "trajectory with --column")
        ->required();
    sub->add_option("--column", o->column, "trajectory column whose per-atom series to cluster (e.g. lens)");
    sub->add_option("--window", o->window, "window length Δt in time points (frames); trailing points that do not fill one are dropped")
        ->required()
        ->check(in_range(2, 1e9));
    sub->add_option("--bins", o->bins, "points of the density estimate (default 0: the reference's auto, 100)");
    sub->add_option("--sigmas", o->sigmas, "half-width of a state's band in its σ (default 2)")->check(positive_number());
    sub->add_flag("--strict-unclassified", o->strict,
                  "windows left unclassified by the iterations stay -1 (the reference reassigns them at the end)");
    sub->add_option("--savgol", o->savgol,
                    "WINDOW,ORDER: smooth each series first with a Savitzky-Golay filter (scipy.signal.savgol_filter, "
                    "mode interp)")
        ->delimiter(',');
    sub->add_option("--frames", o->frames, "trajectory frames to use (e.g. 0:100; default all)");
    sub->add_option("-o,--output", o->output, "CSV: id (if present), window_0 ... (state index, -1 unclassified)")->required();
    add_threads_option(sub, o->threads);
    add_examples(sub, {"tessera cluster onion lens.dump --column lens --window 10 -o states.csv",
                       "tessera cluster onion series.csv --window 20 --bins 50 -o states.csv"});
    sub->callback([o, &action] { action = [o] { return run_onion(*o); }; });
}

void add_table_options(CLI::App* sub, std::string& input, std::string& frames, std::vector<std::string>& features,
                       std::string& scale) {
    sub->add_option("input", input, "table: CSV with a header, or a trajectory (the atoms of every frame are rows)")
        ->required();
    sub->add_option("--features", features, "columns to use, comma-separated (default: every column but id and timestep)")
        ->delimiter(',');
    sub->add_option("--frames", frames, "trajectory frames to use (e.g. 0:10, -1; default all)");
    sub->add_option("--scale", scale, "none (default, as scikit-learn), standard (zero mean, unit variance) or minmax")
        ->check(CLI::IsMember({"none", "standard", "minmax"}));
}

}  // namespace

void register_cluster(CLI::App& app, std::function<int()>& action) {
    CLI::App* cluster = app.add_subcommand("cluster", "unsupervised clustering of per-atom features (scikit-learn semantics)");
    cluster->require_subcommand(1);
    for (const char* method : {"kmeans", "gmm", "agglomerative"}) {
        auto o = std::make_shared<cluster_options>();
        o->method = method;
        const std::string m = method;
        CLI::App* sub = cluster->add_subcommand(
            method, m == "kmeans" ? "k-means (k-means++ seeding, Lloyd, n_init restarts): labels as CSV"
                    : m == "gmm"  ? "Gaussian mixture (EM from k-means): labels and proba_<k> as CSV"
                                  : "agglomerative (hierarchical) clustering cut at k clusters: labels as CSV");
        add_table_options(sub, o->input, o->frames, o->features, o->scale);
        sub->add_option("--k", o->k, "number of clusters")->required()->check(positive_number());
        sub->add_option("-o,--output", o->output, "CSV: id (if the input has one), label" +
                                                      std::string(m == "gmm" ? ", proba_0 ... proba_<k-1>" : ""))
            ->required();
        if (m != "agglomerative") {
            sub->add_option("--seed", o->seed, "seed of the k-means++ initialisation (default 0)");
            sub->add_option("--n-init", o->n_init,
                            std::string("initialisations, the best kept (default ") + (m == "kmeans" ? "10" : "1") + ")")
                ->check(positive_number());
            sub->add_option("--max-iter", o->max_iter,
                            std::string("iterations per initialisation (default ") + (m == "kmeans" ? "300" : "100") + ")")
                ->check(positive_number());
        }
        if (m == "kmeans") add_threads_option(sub, o->threads);
        if (m == "gmm")
            sub->add_option("--covariance", o->covariance, "full (default), diag, spherical or tied")
                ->check(CLI::IsMember({"full", "diag", "spherical", "tied"}));
        if (m == "agglomerative")
            sub->add_option("--linkage", o->linkage, "ward (default), single, complete or average")
                ->check(CLI::IsMember({"ward", "single", "complete", "average"}));
        if (m == "kmeans")
            add_examples(sub, {"tessera cluster kmeans features.csv --k 4 --scale standard -o labels.csv",
                               "tessera cluster kmeans run.dump --frames -1 --features csp,q6 --k 3 --seed 7 -o labels.csv"});
        else if (m == "gmm")
            add_examples(sub, {"tessera cluster gmm features.csv --k 3 --covariance diag -o labels.csv",
                               "tessera cluster gmm run.dump --features q4,q6 --k 2 --n-init 5 -o labels.csv"});
        else
            add_examples(sub, {"tessera cluster agglomerative features.csv --k 5 --linkage average -o labels.csv",
                               "tessera cluster agglomerative run.dump --frames -1 --features csp --k 2 --linkage single -o labels.csv"});
        sub->callback([o, &action] { action = [o] { return run_cluster(*o); }; });
    }
    register_onion(cluster, action);
}

void register_pca(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<pca_options>();
    CLI::App* sub = app.add_subcommand("pca", "principal components of per-atom features (scikit-learn's PCA): scores as CSV");
    add_table_options(sub, o->input, o->frames, o->features, o->scale);
    sub->add_option("--components", o->components, "number of components")->required()->check(positive_number());
    sub->add_option("-o,--output", o->output, "CSV: id (if the input has one), pc1 ... pcN")->required();
    add_examples(sub, {"tessera pca features.csv --components 2 -o scores.csv",
                       "tessera pca run.dump --features q4,q6,w6,csp --scale standard --components 3 -o scores.csv"});
    sub->callback([o, &action] { action = [o] { return run_pca(*o); }; });
}

}  // namespace tessera::cli
