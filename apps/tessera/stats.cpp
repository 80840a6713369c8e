// `tessera stats` (docs/cli.md): statistics of per-atom columns with SciPy's / NumPy's
// definitions (include/tessera/stats/): Pearson and Spearman correlations with their p-values,
// the predictive power factor of a field for an event (seed 003's P_R), a Gaussian kernel
// density estimate and a histogram. Data: CSV with a header, or any trajectory tessera reads
// (the atoms of every selected frame are rows).
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"
#include "table_input.hpp"

#include <tessera/stats/correlation.hpp>
#include <tessera/stats/histogram.hpp>
#include <tessera/stats/power_factor.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

namespace tessera::cli {
namespace {

struct stats_options {
    std::string input, output, frames;
    std::vector<std::string> pearson;
    std::string power_factor, kde, histogram, bandwidth = "scott";
    double tail = 0.05;
    std::size_t points = 200, bins = 50;
    std::vector<double> range;
};

/// A column of the table as finite values; NaN/inf are errors naming the file, row and column.
std::span<const double> finite_column(const table& t, const std::string& name, const char* option) {
    if (!t.has_column(name))
        throw usage_error(option, ": ", t.source, " has no column '", name, "'", detail::did_you_mean(name, t.names));
    const auto c = t.column(name);
    for (std::size_t i = 0; i < c.size(); ++i)
        if (!std::isfinite(c[i])) throw error(t.source, ": row ", i + 1, ", column '", name, "': ", c[i], " is not finite");
    return c;
}

void run_pearson(const stats_options& o, const table& t, const output_file& out) {
    if (o.pearson.size() < 2) throw usage_error("--pearson needs two or more columns (A,B or A,B,C,...)");
    const auto w = out.csv({"a", "b", "n", "pearson_r", "pearson_p", "spearman_r", "spearman_p"});
    for (std::size_t i = 0; i < o.pearson.size(); ++i)
        for (std::size_t j = i + 1; j < o.pearson.size(); ++j) {
            const auto a = finite_column(t, o.pearson[i], "--pearson"), b = finite_column(t, o.pearson[j], "--pearson");
            const correlation_result p = pearson(a, b), s = spearman(a, b);
            w->add_text(o.pearson[i]).add_text(o.pearson[j]).add(std::int64_t(p.n));
            w->add(p.r).add(p.p_value).add(s.r).add(s.p_value);
            w->end_row();
        }
    w->close();
}

void run_power_factor(const stats_options& o, const table& t, const output_file& out) {
    const auto colon = o.power_factor.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == o.power_factor.size())
        throw usage_error("--power-factor '", o.power_factor, "': expected FIELD:EVENT_COLUMN (e.g. igd:rearranged)");
    const std::string field = o.power_factor.substr(0, colon), event_name = o.power_factor.substr(colon + 1);
    const auto x = finite_column(t, field, "--power-factor");
    const auto e = finite_column(t, event_name, "--power-factor");
    std::vector<unsigned char> event(e.size());
    for (std::size_t i = 0; i < e.size(); ++i) event[i] = e[i] != 0.0;  // an event: any nonzero value
    const power_factor_result r = tessera::power_factor(x, event, o.tail);
    const auto w = out.csv({"field", "event", "tail", "threshold_low", "threshold_high", "n_low", "events_low", "p_low",
                            "n_high", "events_high", "p_high", "power_factor"});
    w->add_text(field).add_text(event_name).add(o.tail).add(r.threshold_low).add(r.threshold_high);
    w->add(std::int64_t(r.n_low)).add(std::int64_t(r.events_low)).add(r.p_low);
    w->add(std::int64_t(r.n_high)).add(std::int64_t(r.events_high)).add(r.p_high).add(r.ratio);
    w->end_row();
    w->close();
}

std::pair<double, double> value_range(const stats_options& o, std::span<const double> v, double pad) {
    if (o.range.size() == 2) {
        if (!(o.range[0] < o.range[1])) throw usage_error("--range ", o.range[0], ",", o.range[1], ": expected LO,HI with LO < HI");
        return {o.range[0], o.range[1]};
    }
    if (!o.range.empty()) throw usage_error("--range: expected two numbers LO,HI");
    const auto [mn, mx] = std::minmax_element(v.begin(), v.end());
    return {*mn - pad, *mx + pad};
}

void run_kde(const stats_options& o, const table& t, const output_file& out) {
    const auto v = finite_column(t, o.kde, "--kde");
    if (v.size() < 2) throw error(t.source, ": a density estimate needs two or more values of '", o.kde, "'");
    std::unique_ptr<gaussian_kde> kde;
    if (o.bandwidth == "scott") kde = std::make_unique<gaussian_kde>(v, kde_bandwidth::scott);
    else if (o.bandwidth == "silverman") kde = std::make_unique<gaussian_kde>(v, kde_bandwidth::silverman);
    else {
        double factor = 0;
        const auto* end = o.bandwidth.data() + o.bandwidth.size();
        const auto [p, ec] = std::from_chars(o.bandwidth.data(), end, factor);
        if (ec != std::errc{} || p != end || !(factor > 0) || !std::isfinite(factor))
            throw usage_error("--bandwidth '", o.bandwidth, "': expected scott, silverman or a positive factor");
        kde = std::make_unique<gaussian_kde>(v, factor);
    }
    // Default grid: the data's range widened by three bandwidths, where the density has decayed.
    const auto [lo, hi] = value_range(o, v, 3.0 * kde->bandwidth());
    std::vector<double> x(o.points);
    for (std::size_t i = 0; i < o.points; ++i)
        x[i] = o.points == 1 ? lo : lo + (hi - lo) * double(i) / double(o.points - 1);
    const std::vector<double> density = kde->evaluate(x);
    const auto w = out.csv({o.kde, "density"});
    for (std::size_t i = 0; i < x.size(); ++i) w->add(x[i]).add(density[i]).end_row();
    w->close();
    std::fprintf(stderr, "tessera: stats --kde %s: %zu values, bandwidth %.17g (factor %.17g, %s)\n", o.kde.c_str(),
                 v.size(), kde->bandwidth(), kde->factor(), o.bandwidth.c_str());
}

void run_histogram(const stats_options& o, const table& t, const output_file& out) {
    const auto v = finite_column(t, o.histogram, "--histogram");
    const histogram1d_result h =
        o.range.empty() ? histogram1d(v, o.bins) : [&] {
            const auto [lo, hi] = value_range(o, v, 0.0);
            return histogram1d(v, o.bins, lo, hi);
        }();
    const auto w = out.csv({"lo", "hi", "count", "density"});
    for (std::size_t k = 0; k < o.bins; ++k)
        w->add(h.edges[k]).add(h.edges[k + 1]).add(std::int64_t(h.counts[k])).add(h.density[k]).end_row();
    w->close();
    if (h.outside) std::fprintf(stderr, "tessera: stats --histogram %s: %zu values outside --range\n", o.histogram.c_str(), h.outside);
}

int run_stats(const stats_options& o) {
    const int modes = int(!o.pearson.empty()) + int(!o.power_factor.empty()) + int(!o.kde.empty()) + int(!o.histogram.empty());
    if (modes != 1) throw usage_error("choose one of --pearson, --power-factor, --kde or --histogram");
    output_file out(o.output, {o.input});
    run_report report("stats");
    const table t = load_table(o.input, o.frames);
    if (t.rows == 0) throw error(o.input, ": no rows");
    if (!o.pearson.empty()) run_pearson(o, t, out);
    else if (!o.power_factor.empty()) run_power_factor(o, t, out);
    else if (!o.kde.empty()) run_kde(o, t, out);
    else run_histogram(o, t, out);
    out.commit();
    report.done(1, t.rows, {&out});
    return 0;
}

}  // namespace

void register_stats(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<stats_options>();
    CLI::App* sub = app.add_subcommand("stats", "correlations, power factor, density estimates of per-atom columns (CSV)");
    sub->add_option("input", o->input, "table: CSV with a header, or a trajectory (the atoms of every frame are rows)")
        ->required();
    sub->add_option("-o,--output", o->output, "CSV (- for stdout)")->required();
    sub->add_option("--frames", o->frames, "trajectory frames to use (e.g. 0:10, -1; default all)");
    sub->add_option("--pearson", o->pearson,
                    "A,B[,C...]: Pearson and Spearman correlation (and p-values, as scipy.stats) of every pair: "
                    "a,b,n,pearson_r,pearson_p,spearman_r,spearman_p")
        ->delimiter(',');
    sub->add_option("--power-factor", o->power_factor,
                    "FIELD:EVENT_COLUMN: P(event | FIELD above its top-tail quantile) / P(event | FIELD below its "
                    "low-tail quantile); an event is a nonzero EVENT_COLUMN value");
    sub->add_option("--tail", o->tail, "the tail fraction of --power-factor (default 0.05)")->check(in_range(0.0, 0.5));
    sub->add_option("--kde", o->kde, "COLUMN: Gaussian kernel density estimate (scipy.stats.gaussian_kde) on a grid: COLUMN,density");
    sub->add_option("--bandwidth", o->bandwidth, "--kde bandwidth rule: scott (default), silverman, or a factor");
    sub->add_option("--points", o->points, "--kde grid points (default 200)")->check(positive_number());
    sub->add_option("--histogram", o->histogram, "COLUMN: histogram as numpy.histogram: lo,hi,count,density");
    sub->add_option("--bins", o->bins, "--histogram bins (default 50)")->check(positive_number());
    sub->add_option("--range", o->range,
                    "LO,HI of --histogram (default the values' range) or of the --kde grid (default the range "
                    "widened by 3 bandwidths)")
        ->delimiter(',');
    add_examples(sub, {"tessera stats desc.dump --frames -1 --pearson q6,csp -o corr.csv",
                       "tessera stats desc.csv --power-factor igd:rearranged --tail 0.05 -o pr.csv"});
    sub->callback([o, &action] { action = [o] { return run_stats(*o); }; });
}

}  // namespace tessera::cli
