#pragma once
/// @file
/// learned_model: a fitted model with the names of the features it reads, the label it predicts
/// and its input scaler — what `tessera learn fit` writes and `tessera learn predict` (or a host
/// code, in situ) reads. Saved as one JSON document (nlohmann-json, Debian nlohmann-json3-dev):
///
///     {"format": "tessera-model", "version": 1,
///      "model": "knn" | "logistic" | "svm" | "easyensemble" | "gbt",
///      "features": ["f1", "f2", ...], "label": "T",
///      "scaler": {"kind": "none"}
///              | {"kind": "standard", "mean": [...], "scale": [...]}
///              | {"kind": "minmax", "min": [...], "scale": [...]},
///      "knn": {"k": 50, "weights": "uniform"|"distance", "metric": "euclidean"|"manhattan",
///              "x": [[scaled training row], ...], "y": [label, ...]},
///      "logistic": {"classes": [...], "coef": [[...], ...], "intercept": [...]},
///      "svm": {"kernel": "rbf"|"linear"|"poly"|"sigmoid", "gamma": g, "coef0": c, "degree": d,
///              "classes": [...], "n_support": [...], "support_vectors": [[...], ...],
///              "dual_coef": [[...], ...], "intercept": [...], "prob_a": [...], "prob_b": [...]},
///      "easyensemble": {"seed": s, "estimators": [{"classes": ..., "coef": ..., "intercept": ...}, ...]},
///      "gbt": {"classes": [...], "learning_rate": ν, "init": [F_0, ...],
///              "trees": [{"children_left": [...], "children_right": [...], "feature": [...],
///                         "threshold": [...], "value": [...], "impurity": [...],
///                         "n_node_samples": [...], "weighted_n_node_samples": [...]}, ...]}}
///
/// Exactly one of the model objects is present. Coefficients follow scikit-learn's attribute
/// names and signs (coef_, intercept_, dual_coef_, ...; gbt trees are scikit-learn's tree_
/// arrays, stage-major: stage m, class column k at m·K' + k, K' = 1 for two classes), so
/// scripts/sklearn_to_tessera.py-style converters are direct. Numbers are written by nlohmann-json with 17 significant digits
/// (round trip exact): a model saved and loaded predicts bit-identically.
///
/// Scaling: x' = (x − mean)/scale (standard) or x' = x·scale + min (minmax), the fitted
/// scikit-learn StandardScaler / MinMaxScaler parameters; kNN keeps its training rows scaled.
/// Errors (tessera::error) name the file and what is missing or inconsistent.

#include <tessera/core/error.hpp>
#include <tessera/learn/ensemble.hpp>
#include <tessera/learn/feature_matrix.hpp>
#include <tessera/learn/gradient_boosting.hpp>
#include <tessera/learn/knn.hpp>
#include <tessera/learn/logistic.hpp>
#include <tessera/learn/scaler.hpp>
#include <tessera/learn/svm.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace tessera {

/// What learned_model::predict returns for `rows` query rows.
struct model_prediction {
    std::vector<std::int64_t> label;  ///< predicted class (classifiers)
    std::vector<double> decision;     ///< binary logistic / svm / gbt decision value; empty otherwise
    std::vector<std::int64_t> classes;
    std::vector<double> proba;       ///< rows × classes.size(); empty when the model has none
    std::vector<double> label_mean;  ///< kNN: mean label of the k nearest training rows
};

struct learned_model {
    std::string kind;  ///< "knn", "logistic", "svm", "easyensemble", "gbt"
    std::vector<std::string> features;
    std::string label;
    std::string scaling = "none";  ///< "none", "standard", "minmax"
    std::vector<double> shift, factor;  ///< standard: mean, scale; minmax: min, scale

    knn_params knn;
    std::vector<double> knn_x;  ///< scaled training rows, row-major
    std::vector<std::int64_t> knn_y;
    std::optional<logistic_regression> logistic;
    std::optional<svm_model> svm;
    std::optional<easy_ensemble<logistic_regression>> ensemble;
    std::optional<gradient_boosting_classifier> gbt;

    /// Applies the scaler to row-major raw features (rows × features.size()), in place.
    void scale(std::vector<double>& x) const {
        const std::size_t m = features.size();
        if (scaling == "none") return;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const std::size_t j = i % m;
            x[i] = scaling == "standard" ? (x[i] - shift[j]) / factor[j] : x[i] * factor[j] + shift[j];
        }
    }

    /// Prepares the fitted parts that are not stored (the kNN search structures).
    void prepare() {
        if (kind != "knn") return;
        const std::size_t m = features.size();
        const feature_matrix_view x{knn_x.data(), knn_y.size(), m};
        classifier_.emplace(knn);
        classifier_->fit(x, knn_y);
        knn_params uniform = knn;
        uniform.weights = knn_weights::uniform;
        std::vector<double> y(knn_y.begin(), knn_y.end());
        regressor_.emplace(uniform);
        regressor_->fit(x, y);
    }

    /// Predictions for `rows` rows of raw (unscaled) features, row-major, in features order.
    template <class Policy = serial_policy>
    model_prediction predict(std::vector<double> x, std::size_t rows, Policy policy = {}) const {
        const std::size_t m = features.size();
        if (x.size() != rows * m) throw error("learned_model::predict: ", x.size(), " values for ", rows, " rows of ", m, " features");
        scale(x);
        model_prediction p;
        p.label.resize(rows);
        auto to64 = [](std::span<const int> c) { return std::vector<std::int64_t>(c.begin(), c.end()); };
        if (kind == "knn") {
            if (!classifier_) throw error("learned_model: prepare() was not called after loading a kNN model");
            const feature_matrix_view q{x.data(), rows, m};
            const auto c = classifier_->classes();
            p.classes.assign(c.begin(), c.end());
            p.proba.resize(rows * p.classes.size());
            classifier_->predict_proba(q, p.proba, policy);
            classifier_->predict(q, p.label, policy);
            p.label_mean.resize(rows);
            regressor_->label_mean(q, p.label_mean, policy);
        } else if (kind == "logistic") {
            p.classes = to64(logistic->classes());
            std::vector<int> y(rows);
            logistic->predict(x.data(), rows, m, y);
            p.label.assign(y.begin(), y.end());
            p.proba = logistic->predict_proba(x.data(), rows, m);
            if (p.classes.size() == 2) p.decision = logistic->decision_function(x.data(), rows, m);
        } else if (kind == "svm") {
            p.classes = to64(svm->classes());
            std::vector<int> y(rows);
            svm->predict(x.data(), rows, m, std::span<int>(y), policy);
            p.label.assign(y.begin(), y.end());
            if (svm->has_probability()) {
                p.proba.resize(rows * p.classes.size());
                svm->predict_proba(x.data(), rows, m, std::span<double>(p.proba), policy);
            }
            if (p.classes.size() == 2) {
                p.decision.resize(rows);
                svm->decision_function(x.data(), rows, m, std::span<double>(p.decision), policy);
            }
        } else if (kind == "easyensemble") {
            p.classes = to64(ensemble->classes());
            std::vector<int> y(rows);
            ensemble->predict(x.data(), rows, m, std::span<int>(y));
            p.label.assign(y.begin(), y.end());
            p.proba = ensemble->predict_proba(x.data(), rows, m);
        } else if (kind == "gbt") {
            p.classes = to64(gbt->classes());
            std::vector<int> y(rows);
            gbt->predict(x.data(), rows, m, std::span<int>(y));
            p.label.assign(y.begin(), y.end());
            p.proba = gbt->predict_proba(x.data(), rows, m);
            if (p.classes.size() == 2) p.decision = gbt->decision_function(x.data(), rows, m);
        } else {
            throw error("learned_model: unknown model kind '", kind, "'");
        }
        return p;
    }

private:
    std::optional<knn_classifier> classifier_;
    std::optional<knn_regressor> regressor_;
};

namespace detail {

/// An integer field: a JSON integer, or a number with an integral value, in T's range; else a
/// tessera::error naming `what`. nlohmann's get<T>() casts instead: a float beyond T's range is
/// undefined behaviour ("k": 1.8e19, found by tests/fuzz/fuzz_model_json.cpp) and an integer
/// beyond it wraps silently ("k": -1 as 2^64 - 1, "classes": [4294967297] as [1]).
template <class T>
T integer_from_json(const nlohmann::json& v, const std::string& what) {
    static_assert(std::is_integral_v<T>);
    if (v.is_number_unsigned()) {
        const auto u = v.get<std::uint64_t>();
        if (std::in_range<T>(u)) return static_cast<T>(u);
    } else if (v.is_number_integer()) {
        const auto i = v.get<std::int64_t>();
        if (std::in_range<T>(i)) return static_cast<T>(i);
    } else if (v.is_number_float()) {
        const double d = v.get<double>();
        // [min, 2^digits): both ends exact in double, so the comparisons are exact too.
        if (d == std::trunc(d) && d >= static_cast<double>(std::numeric_limits<T>::min()) &&
            d < std::ldexp(1.0, std::numeric_limits<T>::digits))
            return static_cast<T>(d);
    } else {
        throw error(what, ": expected an integer, found ", v.type_name(), " ", v.dump());
    }
    throw error(what, ": ", v.dump(), " is not an integer in ", std::numeric_limits<T>::min(), "..",
                std::numeric_limits<T>::max());
}
/// An array of integer fields (integer_from_json each).
template <class T>
std::vector<T> integers_from_json(const nlohmann::json& a, const std::string& what) {
    if (!a.is_array()) throw error(what, ": expected an array, found ", a.type_name());
    std::vector<T> out;
    out.reserve(a.size());
    for (const auto& v : a) out.push_back(integer_from_json<T>(v, what));
    return out;
}

inline nlohmann::json rows_json(std::span<const double> v, std::size_t cols) {
    nlohmann::json a = nlohmann::json::array();
    for (std::size_t r = 0; cols > 0 && r < v.size() / cols; ++r)
        a.push_back(std::vector<double>(v.begin() + std::ptrdiff_t(r * cols), v.begin() + std::ptrdiff_t((r + 1) * cols)));
    return a;
}
inline std::vector<double> rows_from_json(const nlohmann::json& a, std::size_t cols, const std::string& what) {
    std::vector<double> v;
    for (const auto& row : a) {
        const auto r = row.get<std::vector<double>>();
        if (r.size() != cols) throw error(what, ": a row of ", r.size(), " values for ", cols, " columns");
        v.insert(v.end(), r.begin(), r.end());
    }
    return v;
}
inline nlohmann::json logistic_json(const logistic_regression& m) {
    return {{"classes", std::vector<int>(m.classes().begin(), m.classes().end())},
            {"coef", rows_json(m.coef(), m.n_features())},
            {"intercept", std::vector<double>(m.intercept().begin(), m.intercept().end())}};
}
inline logistic_regression logistic_from_json(const nlohmann::json& j, std::size_t m, const std::string& what) {
    return logistic_regression::from_coefficients(integers_from_json<int>(j.at("classes"), what + " classes"), m,
                                                  rows_from_json(j.at("coef"), m, what + " coef"),
                                                  j.at("intercept").get<std::vector<double>>());
}

}  // namespace detail

/// The model as JSON text (see the file comment).
inline std::string model_to_json(const learned_model& lm) {
    using nlohmann::json;
    const std::size_t m = lm.features.size();
    json j = {{"format", "tessera-model"}, {"version", 1}, {"model", lm.kind}, {"features", lm.features}, {"label", lm.label}};
    if (lm.scaling == "standard") j["scaler"] = {{"kind", "standard"}, {"mean", lm.shift}, {"scale", lm.factor}};
    else if (lm.scaling == "minmax") j["scaler"] = {{"kind", "minmax"}, {"min", lm.shift}, {"scale", lm.factor}};
    else j["scaler"] = {{"kind", "none"}};
    if (lm.kind == "knn") {
        j["knn"] = {{"k", lm.knn.k},
                    {"weights", lm.knn.weights == knn_weights::distance ? "distance" : "uniform"},
                    {"metric", lm.knn.metric == knn_metric::manhattan ? "manhattan" : "euclidean"},
                    {"x", detail::rows_json(lm.knn_x, m)},
                    {"y", lm.knn_y}};
    } else if (lm.kind == "logistic") {
        j["logistic"] = detail::logistic_json(*lm.logistic);
    } else if (lm.kind == "svm") {
        const auto& p = lm.svm->parameters();
        const std::size_t sv = p.n_features ? p.support_vectors.size() / p.n_features : 0;
        j["svm"] = {{"kernel", to_string(p.kernel.type)}, {"gamma", p.kernel.gamma}, {"coef0", p.kernel.coef0},
                    {"degree", p.kernel.degree}, {"classes", p.classes}, {"n_support", p.n_support},
                    {"support_vectors", detail::rows_json(p.support_vectors, p.n_features)},
                    {"dual_coef", detail::rows_json(p.dual_coef, sv)}, {"intercept", p.intercept},
                    {"prob_a", p.prob_a}, {"prob_b", p.prob_b}};
    } else if (lm.kind == "easyensemble") {
        json est = json::array();
        for (std::size_t e = 0; e < lm.ensemble->n_estimators(); ++e) est.push_back(detail::logistic_json(lm.ensemble->estimator(e)));
        j["easyensemble"] = {{"seed", lm.ensemble->seed()}, {"estimators", est}};
    } else if (lm.kind == "gbt") {
        json trees = json::array();
        for (const auto& t : lm.gbt->trees())
            trees.push_back({{"children_left", t.children_left}, {"children_right", t.children_right},
                             {"feature", t.feature}, {"threshold", t.threshold}, {"value", t.value},
                             {"impurity", t.impurity}, {"n_node_samples", t.n_node_samples},
                             {"weighted_n_node_samples", t.weighted_n_node_samples}});
        const auto c = lm.gbt->classes();
        const auto init = lm.gbt->init();
        j["gbt"] = {{"classes", std::vector<int>(c.begin(), c.end())},
                    {"learning_rate", lm.gbt->learning_rate()},
                    {"init", std::vector<double>(init.begin(), init.end())},
                    {"trees", trees}};
    } else {
        throw error("model_to_json: unknown model kind '", lm.kind, "'");
    }
    return j.dump(1);
}

/// Reads a model from JSON text; `name` appears in messages. The result is prepared (ready to predict).
inline learned_model model_from_json(const std::string& text, const std::string& name = "<model>") {
    using nlohmann::json;
    learned_model lm;
    try {
        const json j = json::parse(text);
        if (j.value("format", "") != "tessera-model")
            throw error(name, ": not a tessera model file (no \"format\": \"tessera-model\")");
        const auto version = j.contains("version") ? detail::integer_from_json<int>(j["version"], "version") : 0;
        if (version != 1) throw error(name, ": model file version ", version, "; this tessera reads version 1");
        lm.kind = j.at("model").get<std::string>();
        lm.features = j.at("features").get<std::vector<std::string>>();
        lm.label = j.value("label", "");
        const std::size_t m = lm.features.size();
        if (m == 0) throw error(name, ": the model has no features");
        const auto& sc = j.at("scaler");
        lm.scaling = sc.at("kind").get<std::string>();
        if (lm.scaling == "standard") {
            lm.shift = sc.at("mean").get<std::vector<double>>();
            lm.factor = sc.at("scale").get<std::vector<double>>();
        } else if (lm.scaling == "minmax") {
            lm.shift = sc.at("min").get<std::vector<double>>();
            lm.factor = sc.at("scale").get<std::vector<double>>();
        } else if (lm.scaling != "none") {
            throw error(name, ": unknown scaler kind '", lm.scaling, "'");
        }
        if (lm.scaling != "none" && (lm.shift.size() != m || lm.factor.size() != m))
            throw error(name, ": the scaler has ", lm.shift.size(), " values for ", m, " features");
        if (lm.kind == "knn") {
            const auto& k = j.at("knn");
            lm.knn.k = detail::integer_from_json<std::size_t>(k.at("k"), "knn k");
            const auto w = k.at("weights").get<std::string>(), metric = k.at("metric").get<std::string>();
            if (w != "uniform" && w != "distance") throw error(name, ": knn weights '", w, "'");
            if (metric != "euclidean" && metric != "manhattan") throw error(name, ": knn metric '", metric, "'");
            lm.knn.weights = w == "distance" ? knn_weights::distance : knn_weights::uniform;
            lm.knn.metric = metric == "manhattan" ? knn_metric::manhattan : knn_metric::euclidean;
            lm.knn_x = detail::rows_from_json(k.at("x"), m, name + ": knn x");
            lm.knn_y = detail::integers_from_json<std::int64_t>(k.at("y"), "knn y");
            if (lm.knn_y.size() * m != lm.knn_x.size())
                throw error(name, ": knn has ", lm.knn_x.size() / m, " training rows but ", lm.knn_y.size(), " labels");
        } else if (lm.kind == "logistic") {
            lm.logistic = detail::logistic_from_json(j.at("logistic"), m, name + ": logistic");
        } else if (lm.kind == "svm") {
            const auto& s = j.at("svm");
            svm_parameters p;
            const auto kernel = s.at("kernel").get<std::string>();
            bool known = false;
            for (auto t : {svm_kernel::linear, svm_kernel::poly, svm_kernel::rbf, svm_kernel::sigmoid})
                if (kernel == to_string(t)) p.kernel.type = t, known = true;
            if (!known) throw error(name, ": unknown svm kernel '", kernel, "'");
            p.kernel.gamma = s.at("gamma").get<double>();
            p.kernel.coef0 = s.at("coef0").get<double>();
            p.kernel.degree = detail::integer_from_json<int>(s.at("degree"), "svm degree");
            p.n_features = m;
            p.classes = detail::integers_from_json<int>(s.at("classes"), "svm classes");
            p.n_support = detail::integers_from_json<std::size_t>(s.at("n_support"), "svm n_support");
            p.support_vectors = detail::rows_from_json(s.at("support_vectors"), m, name + ": svm support_vectors");
            const std::size_t sv = p.support_vectors.size() / m;
            p.dual_coef = detail::rows_from_json(s.at("dual_coef"), sv, name + ": svm dual_coef");
            p.intercept = s.at("intercept").get<std::vector<double>>();
            p.prob_a = s.value("prob_a", std::vector<double>{});
            p.prob_b = s.value("prob_b", std::vector<double>{});
            lm.svm.emplace(std::move(p));
        } else if (lm.kind == "easyensemble") {
            const auto& e = j.at("easyensemble");
            std::vector<logistic_regression> learners;
            for (const auto& est : e.at("estimators"))
                learners.push_back(detail::logistic_from_json(est, m, name + ": easyensemble estimator"));
            lm.ensemble = easy_ensemble<logistic_regression>::from_estimators(std::move(learners), m,
                                                                             e.contains("seed") ? detail::integer_from_json<std::uint64_t>(e["seed"], "easyensemble seed")
                                                                                                : std::uint64_t(0));
        } else if (lm.kind == "gbt") {
            const auto& g = j.at("gbt");
            std::vector<regression_tree> trees;
            for (const auto& t : g.at("trees")) {
                regression_tree r;
                r.children_left = detail::integers_from_json<std::int64_t>(t.at("children_left"), "gbt children_left");
                r.children_right = detail::integers_from_json<std::int64_t>(t.at("children_right"), "gbt children_right");
                r.feature = detail::integers_from_json<std::int64_t>(t.at("feature"), "gbt feature");
                r.threshold = t.at("threshold").get<std::vector<double>>();
                r.value = t.at("value").get<std::vector<double>>();
                r.impurity = t.at("impurity").get<std::vector<double>>();
                r.n_node_samples = detail::integers_from_json<std::int64_t>(t.at("n_node_samples"), "gbt n_node_samples");
                r.weighted_n_node_samples = t.at("weighted_n_node_samples").get<std::vector<double>>();
                trees.push_back(std::move(r));
            }
            lm.gbt = gradient_boosting_classifier::from_parts(detail::integers_from_json<int>(g.at("classes"), "gbt classes"), m,
                                                              g.at("learning_rate").get<double>(),
                                                              g.at("init").get<std::vector<double>>(), std::move(trees));
        } else {
            throw error(name, ": unknown model '", lm.kind, "' (knn, logistic, svm, easyensemble, gbt)");
        }
        lm.prepare();  // inside: its errors (a k beyond the training rows) name the file too
    } catch (const nlohmann::json::exception& e) {
        throw error(name, ": not a valid tessera model file: ", e.what());
    } catch (const error& e) {
        const std::string what = e.what();
        if (what.rfind(name, 0) == 0) throw;
        throw error(name, ": ", what);
    }
    return lm;
}

/// Saves to / loads from a file.
inline void save_model(const learned_model& lm, const std::filesystem::path& path, const std::string& name = {}) {
    const std::string text = model_to_json(lm);
    std::ofstream out(path, std::ios::binary);
    out << text << '\n';
    out.close();
    if (!out) throw error(name.empty() ? path.string() : name, ": cannot write the model file");
}
inline learned_model load_model(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (std::error_code ec; std::filesystem::is_directory(path, ec))
        throw error(path.string(), ": is a directory, not a model file");
    if (!in) throw error(path.string(), ": cannot open the model file");
    std::ostringstream ss;
    ss << in.rdbuf();
    return model_from_json(ss.str(), path.string());
}

}  // namespace tessera
