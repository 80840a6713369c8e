// `tessera learn cv|relieff|rfe` (docs/cli.md): model selection over per-atom feature tables —
// k-fold cross-validation with a parameter grid (and the held-out predictions), ReliefF feature
// weights, recursive feature elimination. The options and `learn fit`'s model building are in
// learn_common.hpp; the subcommands are registered in learn.cpp.
#include "learn_common.hpp"

namespace tessera::cli::learn_cli {

namespace {

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

}  // namespace

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

}  // namespace tessera::cli::learn_cli
