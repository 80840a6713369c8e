#pragma once
// Shared by the `tessera learn` sources (learn.cpp: fit, predict, score and the registration;
// learn_selection.cpp: cv, relieff, rfe): the model options, reading a training table, fitting
// a model as `learn fit` does, and the options of the model-selection subcommands.
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

namespace tessera::cli::learn_cli {

/// Class labels: the column's values, each an integer.
inline std::vector<std::int64_t> class_labels(const table& t, const std::string& label) {
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
inline std::size_t n_estimators(const fit_options& o) { return o.n_estimators ? o.n_estimators : o.model == "gbt" ? 100 : 10; }

/// The gradient-boosting options of the flags; a grid point may override n_estimators,
/// learning_rate and max_depth.
inline gradient_boosting_options gbt_options(const fit_options& o, const param_point& p = {}) {
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
inline fit_options with_point(fit_options o, const param_point& p) {
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
inline learned_model fit_model(const fit_options& o, const std::vector<std::string>& features, std::vector<double> x,
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
inline std::vector<std::int64_t> integer_ids(std::span<const double> id, const std::string& table) {
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
inline training_set read_training(const std::string& data, const std::string& label, const std::vector<std::string>& features) {
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
inline param_grid parse_grid(const std::vector<std::string>& items, const std::string& model) {
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

struct relieff_cli_options {
    std::string data, label, output;
    std::vector<std::string> features;
    std::size_t k = 10;
};

struct rfe_cli_options {
    fit_options fit;
    std::size_t n_features = 0;
    double step = 1;
};

int run_cv(const cv_cli_options& o);
int run_relieff(const relieff_cli_options& o);
int run_rfe(const rfe_cli_options& o);

}  // namespace tessera::cli::learn_cli
