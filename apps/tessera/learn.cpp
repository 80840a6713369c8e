// `tessera learn fit|predict|score` (docs/cli.md): supervised models over per-atom feature
// tables — kNN (the machine-learned temperature: mean label of the k nearest training atoms),
// logistic regression, RBF/linear/poly SVM (libsvm), EasyEnsemble of logistic regressions,
// gradient-boosted trees (gbt, GradientBoostingClassifier) — with scikit-learn's semantics
// (include/tessera/learn/). Data: CSV with a header, or any
// trajectory tessera reads (every frame's atoms are rows, its columns the features).
// Models: one JSON file (learn/model_file.hpp).
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"
#include "table_input.hpp"

#include <tessera/io/csv_reader.hpp>
#include <tessera/learn/feature_selection.hpp>
#include <tessera/learn/gradient_boosting.hpp>
#include <tessera/learn/metrics.hpp>
#include <tessera/learn/model_selection.hpp>
#include <tessera/learn/model_file.hpp>
#include <tessera/learn/svm_train.hpp>

#include <algorithm>
#include <charconv>
#include <iostream>
#include <optional>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace tessera::cli {
namespace {

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
    std::size_t k = 50, n_estimators = 0;  // 0: not given (easyensemble 10, gbt 100)
    double C = 1.0, gamma = 0.1, learning_rate = 0.1, tol = 1e-3, subsample = 1.0;
    int degree = 3, max_depth = 3, threads = 0;
    std::uint64_t seed = 0;
    bool probability = false;
};

/// --n-estimators, or the model's default: 10 for easyensemble, scikit-learn's 100 for gbt.
std::size_t n_estimators(const fit_options& o) { return o.n_estimators ? o.n_estimators : o.model == "gbt" ? 100 : 10; }

/// The gradient-boosting options of the flags; a grid point may override n_estimators,
/// learning_rate and max_depth.
gradient_boosting_options gbt_options(const fit_options& o, const param_point& p = {}) {
    auto value = [&](const char* name, double fallback) {
        const auto it = p.find(name);
        return it == p.end() ? fallback : it->second;
    };
    auto count = [&](const char* name, double fallback) {
        const double v = value(name, fallback);
        if (v != std::floor(v) || v < 1) throw usage_error("--grid ", name, ": ", v, " is not a whole number >= 1");
        return static_cast<std::size_t>(v);
    };
    gradient_boosting_options g;
    g.n_estimators = count("n_estimators", double(n_estimators(o)));
    g.learning_rate = value("learning_rate", o.learning_rate);
    g.max_depth = count("max_depth", double(o.max_depth));
    g.subsample = o.subsample;
    g.seed = o.seed;
    return g;
}

/// The flags with a grid point's values in place of --k, --C, --gamma, --degree, --n-estimators,
/// --learning-rate and --max-depth (the point `learn cv` chose).
fit_options with_point(fit_options o, const param_point& p) {
    for (const auto& [name, v] : p) {
        if (name == "k") o.k = static_cast<std::size_t>(v);
        else if (name == "C") o.C = v;
        else if (name == "gamma") o.gamma = v;
        else if (name == "degree") o.degree = static_cast<int>(v);
        else if (name == "n_estimators") o.n_estimators = static_cast<std::size_t>(v);
        else if (name == "learning_rate") o.learning_rate = v;
        else if (name == "max_depth") o.max_depth = static_cast<int>(v);
    }
    return o;
}

/// The model `learn fit` writes, fitted on rows x (raw, row-major, features.size() columns) with
/// integer labels y: the scaler fitted on these rows, then the model. `source` names the rows
/// in errors.
learned_model fit_model(const fit_options& o, const std::vector<std::string>& features, std::vector<double> x,
                        std::span<const std::int64_t> y, const std::string& source) {
    learned_model lm;
    lm.kind = o.model;
    lm.label = o.label;
    lm.features = features;
    const std::size_t m = lm.features.size(), n = y.size();
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
        if (y[i] != yi[i]) throw error(source, ": row ", i + 1, ": class label ", y[i], " is out of the range of int");
    if (o.model == "knn") {
        if (o.k > n) throw usage_error("--k ", o.k, " exceeds the ", n, " training rows of ", source);
        lm.knn.k = o.k;
        lm.knn.weights = o.weights == "distance" ? knn_weights::distance : knn_weights::uniform;
        lm.knn.metric = o.metric == "manhattan" ? knn_metric::manhattan : knn_metric::euclidean;
        lm.knn_x = x;
        lm.knn_y.assign(y.begin(), y.end());
    } else if (o.model == "logistic" || o.model == "easyensemble") {
        logistic_options lo;
        lo.C = o.C;
        lo.class_weight = o.class_weight == "balanced" ? class_weight_mode::balanced : class_weight_mode::none;
        lo.max_iter = 1000;
        if (o.model == "logistic") {
            lm.logistic.emplace(lo);
            lm.logistic->fit(x.data(), n, m, yi);
        } else {
            lm.ensemble.emplace(logistic_regression(lo), n_estimators(o), o.seed);
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
    } else if (o.model == "gbt") {
        lm.gbt = fit_gradient_boosting(view, yi, gbt_options(o));
    }
    lm.prepare();
    return lm;
}

int run_fit(const fit_options& o) {
    output_file out(o.output, {o.data});
    run_report report("learn fit");
    const table t = load_table(o.data);
    std::vector<std::string> features = o.features;
    if (features.empty()) {  // every other column but ids and timesteps
        for (const auto& n : t.names)
            if (n != o.label && n != "id" && n != "timestep") features.push_back(n);
    }
    if (std::find(features.begin(), features.end(), o.label) != features.end())
        throw usage_error("--features: the label '", o.label, "' cannot be a feature");
    const auto y = class_labels(t, o.label);
    if (std::set<std::int64_t>(y.begin(), y.end()).size() < 2)
        throw error(o.data, ": the label column '", o.label, "' has a single class; a classifier needs two or more");
    const learned_model lm = fit_model(o, features, feature_rows(t, features, "--features"), y, o.data);
    save_model(lm, out.temporary(), out.target());
    out.commit();
    report.done(1, t.rows, {&out});
    return 0;
}

/// An SVC trained by libsvm behind the fit/predict interface model selection uses.
struct svm_classifier {
    svm_train_options options;
    svm_model model;
    void fit(const double* X, std::size_t rows, std::size_t cols, std::span<const int> y) {
        model = train_svm(X, rows, cols, y.data(), options);
    }
    void predict(const double* X, std::size_t rows, std::size_t cols, std::span<int> out) const {
        model.predict(X, rows, cols, out);
    }
};

/// Training rows (unscaled, row-major), integer labels and feature names, as `fit` reads them.
/// The id column as integers: every value must be an integer that a double holds exactly
/// (|id| <= 2^53); a table whose ids were written as floats (1e6) still reads, 1.5 or 1e300 do not.
std::vector<std::int64_t> integer_ids(std::span<const double> id, const std::string& table) {
    std::vector<std::int64_t> out(id.size());
    for (std::size_t i = 0; i < id.size(); ++i) {
        const double v = id[i];
        if (!(std::isfinite(v) && v == std::floor(v) && std::abs(v) <= 9007199254740992.0))
            throw error(table, ": row ", i + 1, ": id ", v, " is not an integer id");
        out[i] = std::int64_t(v);
    }
    return out;
}

struct training_set {
    std::vector<std::string> features;
    std::vector<double> x;
    std::vector<int> y;
    std::size_t rows = 0;
    std::vector<std::int64_t> ids;  ///< the id column, when the table has one (empty otherwise)
};
training_set read_training(const std::string& data, const std::string& label, const std::vector<std::string>& features) {
    const table t = load_table(data);
    training_set ts;
    ts.features = features;
    if (ts.features.empty())
        for (const auto& n : t.names)
            if (n != label && n != "id" && n != "timestep") ts.features.push_back(n);
    if (std::find(ts.features.begin(), ts.features.end(), label) != ts.features.end())
        throw usage_error("--features: the label '", label, "' cannot be a feature");
    const auto y = class_labels(t, label);
    ts.x = feature_rows(t, ts.features, "--features");
    ts.rows = t.rows;
    if (t.has_column("id")) {
        ts.ids = integer_ids(t.column("id"), data);
    }
    ts.y.assign(y.begin(), y.end());
    for (std::size_t i = 0; i < y.size(); ++i)
        if (y[i] != ts.y[i]) throw error(data, ": row ", i + 1, ": class label ", y[i], " is out of the range of int");
    if (std::set<int>(ts.y.begin(), ts.y.end()).size() < 2)
        throw error(data, ": the label column '", label, "' has a single class; a classifier needs two or more");
    return ts;
}

/// --grid NAME=V1,V2,... (repeatable) into a parameter grid; names the model knows.
param_grid parse_grid(const std::vector<std::string>& items, const std::string& model) {
    const std::map<std::string, std::vector<std::string>> known{{"knn", {"k"}},
                                                                {"logistic", {"C"}},
                                                                {"svm", {"C", "gamma", "degree"}},
                                                                {"easyensemble", {"C", "n_estimators"}},
                                                                {"gbt", {"n_estimators", "learning_rate", "max_depth"}}};
    param_grid grid;
    for (const auto& item : items) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == item.size())
            throw usage_error("--grid '", item, "': expected NAME=V1,V2,... (e.g. C=0.1,1,10)");
        const std::string name = item.substr(0, eq);
        const auto& names = known.at(model);
        if (std::find(names.begin(), names.end(), name) == names.end())
            throw usage_error("--grid: '", name, "' is not a parameter of --model ", model, detail::did_you_mean(name, names));
        std::vector<double> values;
        std::size_t start = eq + 1;
        for (;;) {
            const auto comma = item.find(',', start);
            const std::string v = item.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            double x = 0;
            const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
            if (v.empty() || ec != std::errc() || p != v.data() + v.size() || !(x > 0))
                throw usage_error("--grid ", name, ": '", v, "' is not a positive number");
            values.push_back(x);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
        if (grid.count(name)) throw usage_error("--grid: '", name, "' given twice");
        grid[name] = values;
    }
    return grid;
}

struct cv_cli_options {
    fit_options fit;
    std::size_t folds = 5;
    std::vector<std::string> grid;
    std::string predictions;  // --predictions FILE
};

/// --predictions: every row predicted by the model of the fold that held it out (scikit-learn's
/// cross_val_predict), for the grid point of best mean accuracy (the first on a tie, sklearn's
/// best_index_). Each fold's model is the one `learn fit` would write from that fold's training
/// rows with that point's parameters, so the columns are `learn predict`'s: row (0-based data
/// row), id (if the table has one), fold, the true label, prediction, decision, proba_<class>,
/// label_mean (kNN: the mean label of the k nearest training rows, the machine-learned temperature).
void write_cv_predictions(output_file& out, const fit_options& f, const training_set& ts,
                          const std::vector<std::vector<std::size_t>>& folds, const param_point& best) {
    const fit_options bf = with_point(f, best);
    const std::size_t m = ts.features.size(), n = ts.rows;
    std::vector<model_prediction> per_fold(folds.size());
    std::vector<std::size_t> fold_of(n), slot(n);
    for (std::size_t k = 0; k < folds.size(); ++k) {
        std::vector<char> held(n, 0);
        for (std::size_t r = 0; r < folds[k].size(); ++r) {
            held[folds[k][r]] = 1;
            fold_of[folds[k][r]] = k;
            slot[folds[k][r]] = r;
        }
        std::vector<double> xtr, xte;
        std::vector<std::int64_t> ytr;
        xtr.reserve((n - folds[k].size()) * m);
        for (std::size_t i = 0; i < n; ++i)
            if (!held[i]) {
                xtr.insert(xtr.end(), ts.x.begin() + static_cast<std::ptrdiff_t>(i * m),
                           ts.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * m));
                ytr.push_back(ts.y[i]);
            }
        for (const std::size_t i : folds[k])
            xte.insert(xte.end(), ts.x.begin() + static_cast<std::ptrdiff_t>(i * m),
                       ts.x.begin() + static_cast<std::ptrdiff_t>((i + 1) * m));
        const learned_model lm = fit_model(bf, ts.features, std::move(xtr), ytr,
                                           f.data + " without fold " + std::to_string(k));
        per_fold[k] = lm.predict(std::move(xte), folds[k].size(), openmp_policy{f.threads});
    }
    const model_prediction& p0 = per_fold.front();
    std::vector<std::string> header{"row"};
    if (!ts.ids.empty()) header.push_back("id");
    header.push_back("fold");
    header.push_back(f.label);
    header.push_back("prediction");
    if (!p0.decision.empty()) header.push_back("decision");
    // every fold holds every class (stratified folds with k <= each class's count), so every
    // fold's model knows the same classes
    if (!p0.proba.empty())
        for (const auto c : p0.classes) header.push_back("proba_" + std::to_string(c));
    if (!p0.label_mean.empty()) header.push_back("label_mean");
    const auto w = out.csv(header);
    for (std::size_t i = 0; i < n; ++i) {
        const model_prediction& p = per_fold[fold_of[i]];
        const std::size_t r = slot[i], nc = p.classes.size();
        if (p.classes != p0.classes)
            throw error("learn cv --predictions: the model of fold ", fold_of[i], " knows other classes than fold 0's");
        w->add(static_cast<std::int64_t>(i));
        if (!ts.ids.empty()) w->add(ts.ids[i]);
        w->add(static_cast<std::int64_t>(fold_of[i])).add(static_cast<std::int64_t>(ts.y[i])).add(p.label[r]);
        if (!p.decision.empty()) w->add(p.decision[r]);
        if (!p.proba.empty())
            for (std::size_t c = 0; c < nc; ++c) w->add(p.proba[r * nc + c]);
        if (!p.label_mean.empty()) w->add(p.label_mean[r]);
        w->end_row();
    }
    w->close();
}

int run_cv(const cv_cli_options& o) {
    const fit_options& f = o.fit;
    std::optional<output_file> out, pred_out;
    if (!f.output.empty()) out.emplace(f.output, std::vector<std::string>{f.data});
    if (!o.predictions.empty()) {
        std::vector<std::string> others{f.data};
        if (!f.output.empty()) others.push_back(f.output);
        if (o.predictions == f.output && o.predictions != "-")
            throw usage_error("--predictions ", o.predictions, " is also the -o output; choose another name");
        if (o.predictions == "-" && (f.output.empty() || f.output == "-"))
            throw usage_error("--predictions -: the scores already go to stdout; give -o CV.csv or a --predictions file");
        pred_out.emplace(o.predictions, others, "--predictions");
    }
    run_report report("learn cv");
    if (f.scale == "minmax") throw usage_error("--scale minmax: cross-validation scales with standard (or none)");
    const training_set ts = read_training(f.data, f.label, f.features);
    const std::size_t m = ts.features.size();
    param_grid grid = parse_grid(o.grid, f.model);
    if (grid.empty()) {
        if (f.model == "gbt") grid["n_estimators"] = {double(n_estimators(f))};
        else grid[f.model == "knn" ? "k" : "C"] = {f.model == "knn" ? double(f.k) : f.C};
    }
    const auto folds = stratified_kfold(ts.y, o.folds);
    cv_options co;
    co.standardize = f.scale == "standard";
    co.metrics = {cv_metric::accuracy, cv_metric::balanced_accuracy, cv_metric::f1_macro, cv_metric::f1_weighted,
                  cv_metric::precision_macro, cv_metric::recall_macro};
    const openmp_policy policy{f.threads};
    auto value = [](const param_point& p, const char* name, double fallback) {
        const auto it = p.find(name);
        return it == p.end() ? fallback : it->second;
    };
    auto logistic_opts = [&](const param_point& p) {
        logistic_options lo;
        lo.C = value(p, "C", f.C);
        lo.class_weight = f.class_weight == "balanced" ? class_weight_mode::balanced : class_weight_mode::none;
        lo.max_iter = 1000;
        return lo;
    };
    cv_results r;
    if (f.model == "knn") {
        r = grid_search(
            [&](const param_point& p) {
                knn_params kp;
                kp.k = std::size_t(value(p, "k", double(f.k)));
                kp.weights = f.weights == "distance" ? knn_weights::distance : knn_weights::uniform;
                kp.metric = f.metric == "manhattan" ? knn_metric::manhattan : knn_metric::euclidean;
                return knn_classifier(kp);
            },
            grid, ts.x.data(), ts.rows, m, ts.y, folds, co, policy);
    } else if (f.model == "logistic") {
        r = grid_search([&](const param_point& p) { return logistic_regression(logistic_opts(p)); }, grid, ts.x.data(),
                        ts.rows, m, ts.y, folds, co, policy);
    } else if (f.model == "easyensemble") {
        r = grid_search(
            [&](const param_point& p) {
                return easy_ensemble<logistic_regression>(logistic_regression(logistic_opts(p)),
                                                          std::size_t(value(p, "n_estimators", double(n_estimators(f)))),
                                                          f.seed);
            },
            grid, ts.x.data(), ts.rows, m, ts.y, folds, co, policy);
    } else if (f.model == "gbt") {
        r = grid_search([&](const param_point& p) { return gradient_boosting_classifier(gbt_options(f, p)); }, grid,
                        ts.x.data(), ts.rows, m, ts.y, folds, co, policy);
    } else {
        r = grid_search(
            [&](const param_point& p) {
                svm_classifier s;
                s.options.C = value(p, "C", f.C);
                s.options.kernel.gamma = value(p, "gamma", f.gamma);
                s.options.kernel.degree = int(value(p, "degree", f.degree));
                s.options.kernel.type = f.kernel == "linear" ? svm_kernel::linear
                                        : f.kernel == "poly" ? svm_kernel::poly
                                                             : svm_kernel::rbf;
                s.options.tol = f.tol;
                s.options.balanced = f.class_weight == "balanced";
                return s;
            },
            grid, ts.x.data(), ts.rows, m, ts.y, folds, co, policy);
    }
    std::vector<std::string> header = r.param_names;
    for (const auto mt : r.metrics) {
        header.push_back(std::string("mean_") + cv_metric_name(mt));
        header.push_back(std::string("std_") + cv_metric_name(mt));
    }
    std::unique_ptr<csv_writer> w = out ? out->csv(header) : std::make_unique<csv_writer>(std::cout, header, "<stdout>");
    for (std::size_t row = 0; row < r.rows(); ++row) {
        for (const auto& n : r.param_names) w->add(r.params[row].at(n));
        for (std::size_t k = 0; k < r.metrics.size(); ++k) w->add(r.mean_score(row, k)).add(r.std_score(row, k));
        w->end_row();
    }
    w->close();
    if (pred_out) write_cv_predictions(*pred_out, f, ts, folds, r.params[r.best_index(0)]);
    for (auto* file : {&out, &pred_out})
        if (*file) (*file)->commit();
    // the summary line goes to stdout unless an output is stdout: not when the scores went there
    if (out) report.done(1, ts.rows, {&*out, pred_out ? &*pred_out : nullptr});
    return 0;
}

struct relieff_cli_options {
    std::string data, label, output;
    std::vector<std::string> features;
    std::size_t k = 10;
};

/// `learn relieff`: ReliefF weights of the feature columns (learn/feature_selection.hpp), one
/// row per feature in column order: feature, weight, rank (1 = the largest weight; ties share
/// the order of the columns).
int run_relieff(const relieff_cli_options& o) {
    std::optional<output_file> out;
    if (!o.output.empty()) out.emplace(o.output, std::vector<std::string>{o.data});
    run_report report("learn relieff");
    const training_set ts = read_training(o.data, o.label, o.features);
    const std::size_t m = ts.features.size();
    relieff_options ro;
    ro.k = o.k;
    const std::vector<double> w = relieff(feature_matrix_view{ts.x.data(), ts.rows, m}, ts.y, ro);
    std::vector<std::size_t> order(m);
    for (std::size_t j = 0; j < m; ++j) order[j] = j;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return w[a] > w[b]; });
    std::vector<std::size_t> rank(m);
    for (std::size_t r = 0; r < m; ++r) rank[order[r]] = r + 1;
    const std::vector<std::string> header{"feature", "weight", "rank"};
    std::unique_ptr<csv_writer> wr = out ? out->csv(header) : std::make_unique<csv_writer>(std::cout, header, "<stdout>");
    for (std::size_t j = 0; j < m; ++j) wr->add_text(ts.features[j]).add(w[j]).add(static_cast<std::int64_t>(rank[j])).end_row();
    wr->close();
    if (out) {
        out->commit();
        report.done(1, ts.rows, {&*out});
    }
    return 0;
}

struct rfe_cli_options {
    fit_options fit;
    std::size_t n_features = 0;
    double step = 1;
};

int run_rfe(const rfe_cli_options& o) {
    const fit_options& f = o.fit;
    std::optional<output_file> out;
    if (!f.output.empty()) out.emplace(f.output, std::vector<std::string>{f.data});
    run_report report("learn rfe");
    if (f.model != "logistic" && f.model != "svm" && f.model != "gbt")
        throw usage_error("--model ", f.model,
                          ": rfe ranks by the coefficients of logistic or (linear) svm, or the feature importances of gbt");
    if (f.model == "svm" && f.kernel != "linear")
        throw usage_error("--model svm: rfe needs --kernel linear (coefficients exist only for a linear kernel)");
    training_set ts = read_training(f.data, f.label, f.features);
    const std::size_t m = ts.features.size();
    if (o.n_features == 0 || o.n_features >= m)
        throw usage_error("--n-features ", o.n_features, ": choose between 1 and ", m - 1, " of the ", m, " features");
    const feature_matrix_view view{ts.x.data(), ts.rows, m};
    if (f.scale == "standard") {  // scaled once on all rows, as a Pipeline(StandardScaler, RFE(...)) would
        standard_scaler s;
        s.fit(view);
        s.transform(view, ts.x);
    } else if (f.scale == "minmax") {
        minmax_scaler s;
        s.fit(view);
        s.transform(view, ts.x);
    }
    rfe_options ro;
    ro.n_features_to_select = o.n_features;
    ro.step = o.step;
    rfe_result r;
    if (f.model == "logistic") {
        rfe_logistic est;
        est.options.C = f.C;
        est.options.class_weight = f.class_weight == "balanced" ? class_weight_mode::balanced : class_weight_mode::none;
        est.options.max_iter = 1000;
        r = rfe(view, ts.y, est, ro);
    } else if (f.model == "gbt") {
        r = rfe(view, ts.y, rfe_gradient_boosting{gbt_options(f)}, ro);
    } else {
        r = rfe(view, ts.y,
                [&](const double* X, std::size_t rows, std::size_t cols, std::span<const int> y) {
                    svm_train_options so;
                    so.C = f.C;
                    so.kernel.type = svm_kernel::linear;
                    so.tol = f.tol;
                    so.balanced = f.class_weight == "balanced";
                    return rfe_importances(train_svm(X, rows, cols, y.data(), so));
                },
                ro);
    }
    const std::vector<std::string> header{"feature", "ranking", "selected"};
    std::unique_ptr<csv_writer> w = out ? out->csv(header) : std::make_unique<csv_writer>(std::cout, header, "<stdout>");
    for (std::size_t j = 0; j < m; ++j) w->add_text(ts.features[j]).add(r.ranking[j]).add(int(r.support[j])).end_row();
    w->close();
    if (out) {
        out->commit();
        report.done(1, ts.rows, {&*out});
    }
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
    const auto x = feature_rows(t, lm.features, ("the features of " + o.model).c_str());
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
    const auto ids = id ? integer_ids(t.column("id"), o.data) : std::vector<std::int64_t>{};
    const std::size_t k = p.classes.size();
    for (std::size_t i = 0; i < t.rows; ++i) {
        if (id) w->add(ids[i]);
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

    // Options shared by fit, cv and rfe: the model and its parameters.
    auto add_model_options = [](CLI::App* sub, fit_options& f, bool with_output_required) {
        sub->add_option("--model", f.model,
                        "knn, logistic, svm, easyensemble (EasyEnsemble of logistic regressions) or gbt "
                        "(gradient-boosted trees)")
            ->required()
            ->check(CLI::IsMember({"knn", "logistic", "svm", "easyensemble", "gbt"}));
        sub->add_option("--data", f.data, "training table: CSV with a header, or a trajectory (atoms of every frame)")
            ->required();
        sub->add_option("--label", f.label, "the column of integer class labels (e.g. a temperature label)")->required();
        sub->add_option("--features", f.features,
                        "feature columns (comma-separated; default: every other column but id and timestep)")
            ->delimiter(',');
        sub->add_option("--scale", f.scale, "none, standard (default) or minmax: scaler fitted on the training rows")
            ->check(CLI::IsMember({"none", "standard", "minmax"}));
        sub->add_option("--k", f.k, "knn: neighbours (default 50)")->check(positive_number());
        sub->add_option("--weights", f.weights, "knn: uniform (default) or distance")
            ->check(CLI::IsMember({"uniform", "distance"}));
        sub->add_option("--metric", f.metric, "knn: euclidean (default) or manhattan")
            ->check(CLI::IsMember({"euclidean", "manhattan"}));
        sub->add_option("--C", f.C, "logistic/svm/easyensemble: inverse regularisation (default 1)")->check(positive_number());
        sub->add_option("--gamma", f.gamma, "svm: kernel gamma (default 0.1)")->check(positive_number());
        sub->add_option("--kernel", f.kernel, "svm: rbf (default), linear or poly")
            ->check(CLI::IsMember({"rbf", "linear", "poly"}));
        sub->add_option("--degree", f.degree, "svm poly: degree (default 3)")->check(positive_number());
        sub->add_option("--tol", f.tol, "svm: libsvm stopping tolerance (default 1e-3, as scikit-learn)")
            ->check(positive_number());
        sub->add_option("--class-weight", f.class_weight, "balanced: weight classes by n/(k n_c)")
            ->check(CLI::IsMember({"balanced"}));
        sub->add_option("--n-estimators", f.n_estimators,
                        "easyensemble: balanced subsets, one learner each (default 10); gbt: boosting stages (default 100)")
            ->check(positive_number());
        sub->add_option("--learning-rate", f.learning_rate, "gbt: shrinkage of each tree (default 0.1)")
            ->check(positive_number());
        sub->add_option("--max-depth", f.max_depth, "gbt: depth of each tree (default 3)")->check(positive_number());
        sub->add_option("--subsample", f.subsample, "gbt: fraction of rows per stage, in (0, 1] (default 1)")
            ->check(CLI::Range(0.0, 1.0))
            ->check(positive_number());
        sub->add_option("--seed", f.seed,
                        "easyensemble: seed of the undersampling; gbt: scikit-learn's random_state, < 2^32 (default 0)");
        add_threads_option(sub, f.threads);
        auto* o = sub->add_option("-o,--output", f.output, with_output_required ? "the output file" : "output CSV (default: stdout)");
        if (with_output_required) o->required();
    };

    auto f = std::make_shared<fit_options>();
    CLI::App* fit = learn->add_subcommand("fit", "fit a model and write it as JSON");
    add_model_options(fit, *f, true);
    fit->add_flag("--probability", f->probability, "svm: fit Platt probabilities (libsvm's 5-fold CV)");
    add_examples(fit, {"tessera learn fit --model knn --data train.csv --label T --k 50 -o tml.json",
                       "tessera learn fit --model svm --data train.csv --label soft --C 10 --gamma 0.1 -o igd.json",
                       "tessera learn fit --model gbt --data train.csv --label soft --scale none --n-estimators 200 -o gbt.json"});
    fit->callback([f, &action] { action = [f] { return run_fit(*f); }; });

    auto c = std::make_shared<cv_cli_options>();
    CLI::App* cv = learn->add_subcommand("cv", "stratified k-fold cross-validation over a parameter grid (CSV)");
    add_model_options(cv, c->fit, false);
    cv->add_option("--folds", c->folds, "stratified folds (default 5; scikit-learn's StratifiedKFold without shuffling)")
        ->check(in_range(2, 1000));
    cv->add_option("--grid", c->grid,
                   "NAME=V1,V2,... (repeatable): C, gamma, degree (svm), k (knn), n_estimators (easyensemble, gbt), "
                   "learning_rate, max_depth (gbt)")
        ->take_all();
    cv->add_option("--predictions", c->predictions,
                   "CSV of out-of-fold predictions of the best grid point (by mean accuracy; scikit-learn's "
                   "cross_val_predict): row, id, fold, <label>, prediction, decision, proba_<class>, label_mean");
    add_examples(cv, {"tessera learn cv --model svm --data train.csv --label soft --folds 10 --grid C=0.1,1,10 --grid gamma=0.01,0.1",
                      "tessera learn cv --model knn --data train.csv --label T --grid k=10,50,100 -o cv.csv",
                      "tessera learn cv --model knn --data train.csv --label T --k 50 --folds 10 --predictions heldout.csv"});
    cv->callback([c, &action] { action = [c] { return run_cv(*c); }; });

    auto rf = std::make_shared<relieff_cli_options>();
    CLI::App* relieff_cmd =
        learn->add_subcommand("relieff", "ReliefF feature weights (Robnik-Sikonja & Kononenko 2003): one row per feature (CSV)");
    relieff_cmd->add_option("--data", rf->data, "table: CSV with a header, or a trajectory (atoms of every frame)")->required();
    relieff_cmd->add_option("--label", rf->label, "the column of integer class labels")->required();
    relieff_cmd->add_option("--features", rf->features,
                            "feature columns (comma-separated; default: every other column but id and timestep)")
        ->delimiter(',');
    relieff_cmd->add_option("--k", rf->k, "nearest hits and misses per class (default 10)")->check(positive_number());
    relieff_cmd->add_option("-o,--output", rf->output, "output CSV: feature, weight, rank (default: stdout)");
    add_examples(relieff_cmd, {"tessera learn relieff --data features.csv --label T --k 10 -o relieff.csv"});
    relieff_cmd->callback([rf, &action] { action = [rf] { return run_relieff(*rf); }; });

    auto e = std::make_shared<rfe_cli_options>();
    CLI::App* rfe_cmd = learn->add_subcommand("rfe", "recursive feature elimination (scikit-learn's RFE): a ranking (CSV)");
    add_model_options(rfe_cmd, e->fit, false);
    rfe_cmd->add_option("--n-features", e->n_features, "features to keep")->required()->check(positive_number());
    rfe_cmd->add_option("--step", e->step, "features removed per round (>= 1), or a fraction in (0, 1) (default 1)")
        ->check(positive_number());
    add_examples(rfe_cmd, {"tessera learn rfe --model logistic --data train.csv --label loose --n-features 10",
                           "tessera learn rfe --model svm --kernel linear --data train.csv --label soft --n-features 5 -o ranking.csv",
                           "tessera learn rfe --model gbt --scale none --data train.csv --label soft --n-features 5"});
    rfe_cmd->callback([e, &action] { action = [e] { return run_rfe(*e); }; });

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
