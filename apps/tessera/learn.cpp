// `tessera learn fit|predict|score` (docs/cli.md): supervised models over per-atom feature
// tables — kNN (the machine-learned temperature: mean label of the k nearest training atoms),
// logistic regression, RBF/linear/poly SVM (libsvm), EasyEnsemble of logistic regressions,
// gradient-boosted trees (gbt, GradientBoostingClassifier) — with scikit-learn's semantics
// (include/tessera/learn/). Data: CSV with a header, or any
// trajectory tessera reads (every frame's atoms are rows, its columns the features).
// Models: one JSON file (learn/model_file.hpp). Every `learn` subcommand is registered here;
// cv, relieff and rfe run in learn_selection.cpp, on the shared pieces of learn_common.hpp.
#include "learn_common.hpp"

namespace tessera::cli {
namespace {

using namespace learn_cli;

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

