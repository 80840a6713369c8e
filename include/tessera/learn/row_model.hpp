#pragma once
/// @file
/// learned_row_model: a fitted learned_model (learn/model_file.hpp) evaluated one row at a time,
/// const, without allocating — what a model needs to run per particle inside a fused pipeline
/// (learn/model_stage.hpp), where rows arrive one by one on several threads.
///
///     tessera::learned_row_model m{tessera::load_model("looseness.json")};
///     tessera::learned_row_model::scratch s;        // one per thread, sized on first use
///     std::vector<double> out(m.outputs().size());
///     m.predict_row(raw_features.data(), out.data(), s);
///
/// Output columns, in this order (the fields of model_prediction, per row):
///  - `prediction`: the predicted class (every kind);
///  - `decision`: the decision value of a two-class logistic / svm / gbt model;
///  - `proba_<c>` for each class c in ascending order: knn, logistic, easyensemble, gbt, and
///    svm when it has probability parameters;
///  - `label_mean`: kNN, the plain mean label of the k nearest training rows (uniform weights
///    whatever the model's; the "T_ML" of Seed 002).
///
/// Every value equals learned_model::predict's for that row, bit for bit: the scaler, then the
/// same arithmetic in the same order (tested in tests/learn/model_stage.cpp against the batch
/// path). kNN queries its k-d tree through knn_index::search_row (the same walk as the batch
/// search). A row with a non-finite feature gets NaN in every column (the batch path throws
/// there instead; one bad particle must not abort a pipeline run on many threads).

#include <tessera/core/error.hpp>
#include <tessera/learn/detail/linear_kernels.hpp>
#include <tessera/learn/model_file.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tessera {

class learned_row_model {
public:
    /// Per-thread buffers: sized by the first predict_row() on a thread, reused after.
    struct scratch {
        std::vector<double> x, work, f;
        std::vector<float> xf;
        std::vector<std::int64_t> idx;
        std::vector<std::pair<std::size_t, double>> stack;
        std::vector<double> distances;  ///< kNN: every training row's distance, to settle a tie
    };

    learned_row_model() = default;
    /// Takes a prepared model (load_model / model_from_json prepare it; call lm.prepare() on
    /// one built by hand). Throws tessera::error when the model is incomplete.
    explicit learned_row_model(learned_model lm) {
        auto own = std::make_shared<parts>();
        parts& p = *own;
        p.lm = std::move(lm);
        const learned_model& l = p.lm;
        const std::size_t m = l.features.size();
        if (m == 0) throw error("learned_row_model: the model has no features");
        if (l.scaling != "none" && (l.shift.size() != m || l.factor.size() != m))
            throw error("learned_row_model: the scaler has ", l.shift.size(), " values for ", m, " features");
        std::vector<std::int64_t> classes;
        if (l.kind == "knn") {
            if (l.knn_y.empty() || l.knn_x.size() != l.knn_y.size() * m)
                throw error("learned_row_model: the kNN model has ", l.knn_x.size(), " training values for ",
                            l.knn_y.size(), " labels of ", m, " features");
            if (l.knn.k == 0 || l.knn.k > l.knn_y.size())
                throw error("learned_row_model: kNN k = ", l.knn.k, " with ", l.knn_y.size(), " training rows");
            p.index.fit(feature_matrix_view{l.knn_x.data(), l.knn_y.size(), m}, l.knn.metric, l.knn.algorithm);
            classes.assign(l.knn_y.begin(), l.knn_y.end());
            std::sort(classes.begin(), classes.end());
            classes.erase(std::unique(classes.begin(), classes.end()), classes.end());
            for (std::int64_t y : l.knn_y)
                p.encoded.push_back(std::size_t(std::lower_bound(classes.begin(), classes.end(), y) - classes.begin()));
        } else if (l.kind == "logistic" && l.logistic) {
            classes.assign(l.logistic->classes().begin(), l.logistic->classes().end());
        } else if (l.kind == "svm" && l.svm) {
            classes.assign(l.svm->classes().begin(), l.svm->classes().end());
        } else if (l.kind == "easyensemble" && l.ensemble) {
            classes.assign(l.ensemble->classes().begin(), l.ensemble->classes().end());
        } else if (l.kind == "gbt" && l.gbt) {
            classes.assign(l.gbt->classes().begin(), l.gbt->classes().end());
        } else {
            throw error("learned_row_model: model kind '", l.kind, "' without its fitted parameters");
        }
        p.classes = classes;
        const bool two = classes.size() == 2;
        p.has_decision = two && (l.kind == "logistic" || l.kind == "svm" || l.kind == "gbt");
        p.has_proba = l.kind != "svm" || l.svm->has_probability();
        p.outputs.push_back("prediction");
        if (p.has_decision) p.outputs.push_back("decision");
        if (p.has_proba)
            for (std::int64_t c : classes) p.outputs.push_back("proba_" + std::to_string(c));
        if (l.kind == "knn") p.outputs.push_back("label_mean");
        m_ = std::move(own);
    }

    /// Feature names, in the order predict_row reads them.
    const std::vector<std::string>& features() const noexcept { return m_->lm.features; }
    /// Output column names (see the file comment).
    const std::vector<std::string>& outputs() const noexcept { return m_->outputs; }
    const learned_model& model() const noexcept { return m_->lm; }

    /// One row: raw (unscaled) features x[features().size()] → out[outputs().size()].
    void predict_row(const double* raw, double* out, scratch& s) const {
        const parts& p = *m_;
        const learned_model& l = p.lm;
        const std::size_t m = l.features.size(), nc = p.classes.size();
        grow(s.x, m);
        for (std::size_t j = 0; j < m; ++j) {
            if (!std::isfinite(raw[j])) {
                std::fill(out, out + p.outputs.size(), std::numeric_limits<double>::quiet_NaN());
                return;
            }
            // learned_model::scale, element by element
            s.x[j] = l.scaling == "standard" ? (raw[j] - l.shift[j]) / l.factor[j]
                     : l.scaling == "minmax" ? raw[j] * l.factor[j] + l.shift[j]
                                             : raw[j];
        }
        const double* x = s.x.data();
        double* proba = out + 1 + (p.has_decision ? 1 : 0);  // proba_<c> columns, when present
        std::size_t best = 0;                                // index of the predicted class
        if (l.kind == "knn") {
            const std::size_t k = l.knn.k;
            grow(s.idx, k);
            grow(s.f, k);
            grow(s.work, k + nc);
            grow(s.stack, p.index.row_stack_size());
            grow(s.distances, p.index.row_scratch_size());
            p.index.search_row(x, k, s.idx.data(), s.f.data(), s.stack.data(), s.distances.data());
            // knn_classifier::run: class weights summed in neighbour order
            double* w = s.work.data();
            double* acc = w + k;
            detail::knn_weights_of(l.knn.weights, s.f.data(), k, w);
            std::fill(acc, acc + nc, 0.0);
            for (std::size_t j = 0; j < k; ++j) acc[p.encoded[std::size_t(s.idx[j])]] += w[j];
            double norm = 0;
            for (std::size_t c = 0; c < nc; ++c) norm += acc[c];
            if (norm == 0.0) norm = 1.0;
            for (std::size_t c = 0; c < nc; ++c) proba[c] = acc[c] / norm;
            for (std::size_t c = 1; c < nc; ++c)
                if (acc[c] > acc[best]) best = c;
            double sum = 0;  // knn_regressor::label_mean: np.mean, sum then / k
            for (std::size_t j = 0; j < k; ++j) sum += double(l.knn_y[std::size_t(s.idx[j])]);
            out[p.outputs.size() - 1] = sum / static_cast<double>(k);
        } else if (l.kind == "logistic") {
            const logistic_regression& r = *l.logistic;
            grow(s.f, r.coef_rows());
            logistic_row(r, x, m, s.f.data(), proba);
            if (r.coef_rows() == 1) {
                best = s.f[0] > 0 ? 1 : 0;
                if (p.has_decision) out[1] = s.f[0];
            } else {
                best = std::size_t(std::max_element(s.f.begin(), s.f.begin() + std::ptrdiff_t(nc)) - s.f.begin());
            }
        } else if (l.kind == "svm") {
            const svm_model& v = *l.svm;
            grow(s.f, v.kernel_scratch_size() + v.n_pairs());
            grow(s.work, v.work_size());
            double* f = s.f.data() + v.kernel_scratch_size();
            v.libsvm_decision_values(x, s.f.data(), f);
            best = v.vote_row(f, s.work.data());
            if (p.has_decision) out[1] = -f[0];  // svm_model::decision_function's sign
            if (p.has_proba) v.probability_row(f, proba, s.work.data());
        } else if (l.kind == "easyensemble") {
            const auto& e = *l.ensemble;
            grow(s.f, 2 * nc);
            std::fill(proba, proba + nc, 0.0);
            for (std::size_t t = 0; t < e.n_estimators(); ++t) {
                logistic_row(e.estimator(t), x, m, s.f.data(), s.f.data() + nc);
                for (std::size_t c = 0; c < nc; ++c) proba[c] += s.f[nc + c];
            }
            const double inv = 1.0 / static_cast<double>(e.n_estimators());
            for (std::size_t c = 0; c < nc; ++c) proba[c] *= inv;
            best = std::size_t(std::max_element(proba, proba + nc) - proba);
        } else {  // gbt: gradient_boosting_classifier::decision_function / predict_proba
            const gradient_boosting_classifier& g = *l.gbt;
            const std::size_t kp = g.trees_per_stage();
            grow(s.xf, m);
            grow(s.f, kp + nc);
            for (std::size_t j = 0; j < m; ++j) s.xf[j] = static_cast<float>(x[j]);
            double* f = s.f.data();
            std::copy(g.init().begin(), g.init().end(), f);
            const auto trees = g.trees();
            for (std::size_t t = 0; t < trees.size(); ++t)
                f[t % kp] += detail::rounded_product(g.learning_rate(), trees[t].value[trees[t].apply(s.xf.data())]);
            if (nc == 2) {
                proba[1] = detail::gb_expit(f[0]);
                proba[0] = 1.0 - proba[1];
                out[1] = f[0];
            } else {
                const double lse = detail::gb_logsumexp(f, nc, s.f.data() + kp);
                for (std::size_t c = 0; c < nc; ++c) proba[c] = std::exp(f[c] - lse);
            }
            best = std::size_t(std::max_element(proba, proba + nc) - proba);
        }
        out[0] = static_cast<double>(p.classes[best]);
    }

private:
    struct parts {
        learned_model lm;
        knn_index index;
        std::vector<std::size_t> encoded;  ///< kNN: class index of each training row
        std::vector<std::int64_t> classes;
        std::vector<std::string> outputs;
        bool has_decision = false, has_proba = false;
    };

    template <class V>
    static void grow(V& v, std::size_t n) {
        if (v.size() < n) v.resize(n);  // once per thread: later rows reuse the buffer
    }

    /// logistic_regression's decision_function (z[coef_rows()]) and predict_proba (p[classes])
    /// of one row, with the batch code's sums in the batch code's order.
    static void logistic_row(const logistic_regression& r, const double* x, std::size_t cols, double* z,
                             double* p) noexcept {
        const auto coef = r.coef();
        const auto b = r.intercept();
        const std::size_t rows = r.coef_rows();
        for (std::size_t k = 0; k < rows; ++k)
            detail::linear_decisions_simd(coef.data() + k * cols, b[k], x, 1, cols, z + k, 1);
        if (rows == 1) {
            const double q = detail::sigmoid(z[0]);
            p[0] = 1.0 - q;
            p[1] = q;
            return;
        }
        const double zmax = *std::max_element(z, z + rows);
        double sum = 0;
        for (std::size_t k = 0; k < rows; ++k) sum += (p[k] = std::exp(z[k] - zmax));
        for (std::size_t k = 0; k < rows; ++k) p[k] /= sum;
    }

    std::shared_ptr<const parts> m_;  ///< immutable once built: copies share it
};

}  // namespace tessera
