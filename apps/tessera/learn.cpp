// `tessera learn fit|predict|score` (docs/cli.md): supervised models over per-atom feature
// tables — kNN (the machine-learned temperature: mean label of the k nearest training atoms),
// logistic regression, RBF/linear/poly SVM (libsvm), EasyEnsemble of logistic regressions —
// with scikit-learn's semantics (include/tessera/learn/). Data: CSV with a header, or any
// trajectory tessera reads (every frame's atoms are rows, its columns the features).
// Models: one JSON file (learn/model_file.hpp).
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"

#include <tessera/io/csv_reader.hpp>
#include <tessera/learn/metrics.hpp>
#include <tessera/learn/model_file.hpp>
#include <tessera/learn/svm_train.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace tessera::cli {
namespace {

/// A CSV table, or the atoms of every frame of a trajectory as rows.
table load_table(const std::string& path) {
    const bool csv = path.ends_with(".csv") || path.ends_with(".csv.gz");
    if (csv) return read_csv(path);
    table t;
    t.source = path;
    for_each_selected_frame(path, "", nullptr, [&](frame& f, std::size_t index) {
        if (t.names.empty()) {
            t.names = f.names;
            t.columns.resize(f.names.size());
        } else if (f.names != t.names) {
            throw error(path, " frame ", index, ": columns '", f.column_list(), "' differ from the first frame's");
        }
        for (std::size_t c = 0; c < f.names.size(); ++c) t.columns[c].insert(t.columns[c].end(), f.columns[c].begin(), f.columns[c].end());
        t.rows += f.natoms;
    });
    return t;
}

/// Row-major features `names` of table t; NaN/inf are errors naming the file, row and column.
std::vector<double> feature_rows(const table& t, const std::vector<std::string>& names, const char* option) {
    std::vector<std::span<const double>> cols;
    for (const auto& n : names) {
        if (!t.has_column(n))
            throw usage_error(option, ": ", t.source, " has no column '", n, "'", detail::did_you_mean(n, t.names),
                              "; columns are: ", [&] {
                                  std::string s;
                                  for (const auto& m : t.names) (s += s.empty() ? "" : " ") += m;
                                  return s;
                              }());
        cols.push_back(t.column(n));
    }
    std::vector<double> x(t.rows * names.size());
    for (std::size_t i = 0; i < t.rows; ++i)
        for (std::size_t j = 0; j < names.size(); ++j) {
            const double v = cols[j][i];
            if (!std::isfinite(v))
                throw error(t.source, ": row ", i + 1, ", column '", names[j], "': ", v, " is not a finite feature value");
            x[i * names.size() + j] = v;
        }
    return x;
}

/// Class labels: the column's values, each an integer.
std::vector<std::int64_t> class_labels(const table& t, const std::string& label) {
    if (!t.has_column(label))
        throw usage_error("--label: ", t.source, " has no column '", label, "'", detail::did_you_mean(label, t.names));
    const auto col = t.column(label);
    std::vector<std::int64_t> y(col.size());
    for (std::size_t i = 0; i < col.size(); ++i) {
        if (!(std::abs(col[i]) < 9.0e15) || col[i] != std::floor(col[i]))
            throw error(t.source, ": row ", i + 1, ", label column '", label, "': ", col[i],
                        " is not an integer class label");
        y[i] = static_cast<std::int64_t>(col[i]);
    }
    return y;
}

struct fit_options {
    std::string model, data, label, output, scale = "standard", weights = "uniform", kernel = "rbf", class_weight, metric = "euclidean";
    std::vector<std::string> features;
    std::size_t k = 50, n_estimators = 10;
    double C = 1.0, gamma = 0.1, learning_rate = 0.1, tol = 1e-3;
    int degree = 3, max_depth = 3, threads = 0;
    std::uint64_t seed = 0;
    bool probability = false;
};

int run_fit(const fit_options& o) {
    output_file out(o.output, {o.data});
    run_report report("learn fit");
    if (o.model == "gbt")
        throw usage_error("--model gbt: gradient boosting is not implemented yet (knn, logistic, svm, easyensemble)");
    const table t = load_table(o.data);
    learned_model lm;
    lm.kind = o.model;
    lm.label = o.label;
    if (!o.features.empty()) {
        lm.features = o.features;
    } else {  // every other column but ids and timesteps
        for (const auto& n : t.names)
            if (n != o.label && n != "id" && n != "timestep") lm.features.push_back(n);
    }
    if (std::find(lm.features.begin(), lm.features.end(), o.label) != lm.features.end())
        throw usage_error("--features: the label '", o.label, "' cannot be a feature");
    const auto y = class_labels(t, o.label);
    std::vector<double> x = feature_rows(t, lm.features, "--features");
    const std::size_t m = lm.features.size(), n = t.rows;
    if (std::set<std::int64_t>(y.begin(), y.end()).size() < 2)
        throw error(o.data, ": the label column '", o.label, "' has a single class; a classifier needs two or more");
    // The scaler, fitted on the training rows (learn/scaler.hpp, scikit-learn's definitions).
    lm.scaling = o.scale;
    const feature_matrix_view view{x.data(), n, m};
    if (o.scale == "standard") {
        standard_scaler s;
        s.fit(view);
        lm.shift = s.mean_, lm.factor = s.scale_;
    } else if (o.scale == "minmax") {
        minmax_scaler s;
        s.fit(view);
        lm.shift = s.min_, lm.factor = s.scale_;
    }
    lm.scale(x);
    std::vector<int> yi(y.begin(), y.end());
    for (std::size_t i = 0; i < y.size(); ++i)
        if (y[i] != yi[i]) throw error(o.data, ": row ", i + 1, ": class label ", y[i], " is out of the range of int");
    if (o.model == "knn") {
        if (o.k > n) throw usage_error("--k ", o.k, " exceeds the ", n, " training rows of ", o.data);
        lm.knn.k = o.k;
        lm.knn.weights = o.weights == "distance" ? knn_weights::distance : knn_weights::uniform;
        lm.knn.metric = o.metric == "manhattan" ? knn_metric::manhattan : knn_metric::euclidean;
        lm.knn_x = x;
        lm.knn_y = y;
    } else if (o.model == "logistic" || o.model == "easyensemble") {
        logistic_options lo;
        lo.C = o.C;
        lo.class_weight = o.class_weight == "balanced" ? class_weight_mode::balanced : class_weight_mode::none;
        lo.max_iter = 1000;
        if (o.model == "logistic") {
            lm.logistic.emplace(lo);
            lm.logistic->fit(x.data(), n, m, yi);
        } else {
            lm.ensemble.emplace(logistic_regression(lo), o.n_estimators, o.seed);
            lm.ensemble->fit(x.data(), n, m, yi);
        }
    } else if (o.model == "svm") {
        svm_train_options so;
        so.C = o.C;
        so.kernel.gamma = o.gamma;
        so.kernel.degree = o.degree;
        so.kernel.type = o.kernel == "linear" ? svm_kernel::linear : o.kernel == "poly" ? svm_kernel::poly : svm_kernel::rbf;
        so.tol = o.tol;
        so.probability = o.probability;
        so.balanced = o.class_weight == "balanced";
        lm.svm = train_svm(x.data(), n, m, yi.data(), so);
    }
    lm.prepare();
    save_model(lm, out.temporary(), out.target());
    out.commit();
    report.done(1, n, {&out});
    return 0;
}

struct predict_options {
    std::string model, data, output;
    int threads = 0;
};

int run_predict(const predict_options& o) {
    output_file out(o.output, {o.data, o.model});
    run_report report("learn predict");
    const learned_model lm = load_model(o.model);
    const table t = load_table(o.data);
    const auto x = feature_rows(t, lm.features, "the model's features");
    const auto p = lm.predict(x, t.rows, openmp_policy{o.threads});
    std::vector<std::string> header;
    const bool id = t.has_column("id");
    if (id) header.push_back("id");
    header.push_back("prediction");
    if (!p.decision.empty()) header.push_back("decision");
    if (!p.proba.empty())
        for (const auto c : p.classes) header.push_back("proba_" + std::to_string(c));
    if (!p.label_mean.empty()) header.push_back("label_mean");
    const auto w = out.csv(header);
    const auto ids = id ? t.column("id") : std::span<const double>{};
    const std::size_t k = p.classes.size();
    for (std::size_t i = 0; i < t.rows; ++i) {
        if (id) w->add(std::int64_t(ids[i]));
        w->add(p.label[i]);
        if (!p.decision.empty()) w->add(p.decision[i]);
        if (!p.proba.empty())
            for (std::size_t c = 0; c < k; ++c) w->add(p.proba[i * k + c]);
        if (!p.label_mean.empty()) w->add(p.label_mean[i]);
        w->end_row();
    }
    w->close();
    out.commit();
    report.done(1, t.rows, {&out});
    return 0;
}

struct score_options {
    std::string truth, label, pred;
};

int run_score(const score_options& o) {
    const table truth = load_table(o.truth), pred = read_csv(o.pred);
    const auto y = class_labels(truth, o.label);
    const auto yp = class_labels(pred, "prediction");
    if (y.size() != yp.size())
        throw error(o.pred, ": ", yp.size(), " predictions for the ", y.size(), " rows of ", o.truth);
    std::printf("metric,value\n");
    std::printf("accuracy,%.17g\n", accuracy_score(std::span<const std::int64_t>(y), std::span<const std::int64_t>(yp)));
    std::printf("balanced_accuracy,%.17g\n",
                balanced_accuracy_score(std::span<const std::int64_t>(y), std::span<const std::int64_t>(yp)));
    for (const auto avg : {score_average::macro, score_average::weighted}) {
        const auto s = precision_recall_f1(std::span<const std::int64_t>(y), std::span<const std::int64_t>(yp), avg);
        const char* a = avg == score_average::macro ? "macro" : "weighted";
        std::printf("precision_%s,%.17g\nrecall_%s,%.17g\nf1_%s,%.17g\n", a, s.precision, a, s.recall, a, s.f1);
    }
    const auto cm = confusion_matrix(std::span<const std::int64_t>(y), std::span<const std::int64_t>(yp));
    const std::size_t k = cm.labels.size();
    for (std::size_t a = 0; a < k; ++a)
        for (std::size_t b = 0; b < k; ++b)
            std::printf("confusion_%lld_%lld,%lld\n", (long long)cm.labels[a], (long long)cm.labels[b],
                        (long long)cm.counts[a * k + b]);
    return 0;
}

}  // namespace

void register_learn(CLI::App& app, std::function<int()>& action) {
    CLI::App* learn = app.add_subcommand("learn", "supervised models on per-atom features (scikit-learn semantics)");
    learn->require_subcommand(1);

    auto f = std::make_shared<fit_options>();
    CLI::App* fit = learn->add_subcommand("fit", "fit a model and write it as JSON");
    fit->add_option("--model", f->model, "knn, logistic, svm or easyensemble (EasyEnsemble of logistic regressions)")
        ->required()
        ->check(CLI::IsMember({"knn", "logistic", "svm", "easyensemble", "gbt"}));
    fit->add_option("--data", f->data, "training table: CSV with a header, or a trajectory (atoms of every frame)")->required();
    fit->add_option("--label", f->label, "the column of integer class labels (e.g. a temperature label)")->required();
    fit->add_option("--features", f->features, "feature columns (comma-separated; default: every other column but id and timestep)")
        ->delimiter(',');
    fit->add_option("--scale", f->scale, "none, standard (default) or minmax: scaler fitted on the training rows")
        ->check(CLI::IsMember({"none", "standard", "minmax"}));
    fit->add_option("--k", f->k, "knn: neighbours (default 50)")->check(positive_number());
    fit->add_option("--weights", f->weights, "knn: uniform (default) or distance")->check(CLI::IsMember({"uniform", "distance"}));
    fit->add_option("--metric", f->metric, "knn: euclidean (default) or manhattan")->check(CLI::IsMember({"euclidean", "manhattan"}));
    fit->add_option("--C", f->C, "logistic/svm/easyensemble: inverse regularisation (default 1)")->check(positive_number());
    fit->add_option("--gamma", f->gamma, "svm: kernel gamma (default 0.1)")->check(positive_number());
    fit->add_option("--kernel", f->kernel, "svm: rbf (default), linear or poly")->check(CLI::IsMember({"rbf", "linear", "poly"}));
    fit->add_option("--degree", f->degree, "svm poly: degree (default 3)")->check(positive_number());
    fit->add_option("--tol", f->tol, "svm: libsvm stopping tolerance (default 1e-3, as scikit-learn)")->check(positive_number());
    fit->add_flag("--probability", f->probability, "svm: fit Platt probabilities (libsvm's 5-fold CV)");
    fit->add_option("--class-weight", f->class_weight, "balanced: weight classes by n/(k n_c)")->check(CLI::IsMember({"balanced"}));
    fit->add_option("--n-estimators", f->n_estimators, "easyensemble: balanced subsets, one learner each (default 10)")
        ->check(positive_number());
    fit->add_option("--seed", f->seed, "easyensemble: seed of the undersampling (default 0)");
    fit->add_option("-o,--output", f->output, "the model file (JSON)")->required();
    add_examples(fit, {"tessera learn fit --model knn --data train.csv --label T --k 50 -o tml.json",
                       "tessera learn fit --model svm --data train.csv --label soft --C 10 --gamma 0.1 -o igd.json"});
    fit->callback([f, &action] { action = [f] { return run_fit(*f); }; });

    auto p = std::make_shared<predict_options>();
    CLI::App* predict = learn->add_subcommand("predict", "apply a model file to a table");
    predict->add_option("model", p->model, "the model file (tessera learn fit)")->required();
    predict->add_option("--data", p->data, "table: CSV with a header, or a trajectory")->required();
    predict->add_option("-o,--output", p->output, "CSV: id (if present), prediction, decision, proba_<class>, label_mean")
        ->required();
    add_threads_option(predict, p->threads);
    add_examples(predict, {"tessera learn predict tml.json --data test.csv -o pred.csv",
                           "tessera learn predict tml.json --data features.dump -o pred.csv"});
    predict->callback([p, &action] { action = [p] { return run_predict(*p); }; });

    auto s = std::make_shared<score_options>();
    CLI::App* score = learn->add_subcommand("score", "metrics of predictions against true labels (printed as CSV)");
    score->add_option("--truth", s->truth, "table with the true labels")->required();
    score->add_option("--label", s->label, "the label column of --truth")->required();
    score->add_option("--pred", s->pred, "predictions (tessera learn predict)")->required();
    add_examples(score, {"tessera learn score --truth test.csv --label T --pred pred.csv",
                         "tessera learn score --truth test.csv --label soft --pred pred.csv > metrics.csv"});
    score->callback([s, &action] { action = [s] { return run_score(*s); }; });
}

}  // namespace tessera::cli
