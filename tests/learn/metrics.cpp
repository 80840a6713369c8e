// tests for include/tessera/learn/metrics.hpp against sklearn.metrics 1.2.1
// (tests/reference/learn/metrics_*): a 3-class kNN prediction with one label (7) that occurs
// only in y_pred (zero_division cases), its predict_proba (zeros: log-loss clipping), and two
// binary scores for the ROC curve — one with many ties (multiples of 1/7), one continuous.
//
// Tolerances: counts, accuracy, per-class ratios, the ROC points and thresholds must be exact
// (the same integer counts divided once); averaged quantities (macro/weighted means, balanced
// accuracy, AUC, log loss) to 1e-12 relative, because numpy sums them pairwise and tessera
// sequentially.

#include <tessera/learn/metrics.hpp>

#include "../support/learn_reference.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

namespace {

struct inputs {
    std::vector<std::int64_t> y_true, y_pred, bin_true;
    std::vector<double> score_ties, score_cont, proba;
};

inputs load() {
    const auto t = tessera_test::read_csv("metrics_input.csv");
    inputs in;
    for (const auto& r : t.rows) {
        in.y_true.push_back(std::int64_t(r[0]));
        in.y_pred.push_back(std::int64_t(r[1]));
        in.bin_true.push_back(std::int64_t(r[2]));
        in.score_ties.push_back(r[3]);
        in.score_cont.push_back(r[4]);
        in.proba.insert(in.proba.end(), r.begin() + 5, r.begin() + 8);
    }
    return in;
}

bool close(double a, double b) { return std::abs(a - b) <= 1e-12 * std::max(std::abs(a), std::abs(b)); }

std::vector<double> as_double(const std::vector<std::int64_t>& v) { return {v.begin(), v.end()}; }

}  // namespace

TEST_CASE("metrics: classification scores equal sklearn.metrics", "[learn][metrics]") {
    const inputs in = load();
    const auto ref = tessera_test::read_keyed("metrics_expected.txt");
    CHECK(tessera::accuracy_score(in.y_true, in.y_pred) == ref.at("accuracy")[0]);
    CHECK(close(tessera::balanced_accuracy_score(in.y_true, in.y_pred), ref.at("balanced_accuracy")[0]));
    const auto cm = tessera::confusion_matrix(in.y_true, in.y_pred);
    CHECK(as_double(cm.labels) == ref.at("labels"));
    CHECK(as_double(cm.counts) == ref.at("confusion"));
    const auto s = tessera::precision_recall_f1(in.y_true, in.y_pred);
    CHECK(s.precision == ref.at("precision_class"));
    CHECK(s.recall == ref.at("recall_class"));
    CHECK(s.f1 == ref.at("f1_class"));
    CHECK(s.precision.back() == 0.0);  // label 7: predicted 3 times, never true
    for (const auto avg : {tessera::score_average::macro, tessera::score_average::weighted}) {
        const std::string tag = avg == tessera::score_average::macro ? "macro" : "weighted";
        INFO(tag);
        const auto a = tessera::precision_recall_f1(in.y_true, in.y_pred, avg);
        CHECK(close(a.precision, ref.at("precision_" + tag)[0]));
        CHECK(close(a.recall, ref.at("recall_" + tag)[0]));
        CHECK(close(a.f1, ref.at("f1_" + tag)[0]));
    }
}

TEST_CASE("metrics: log loss equals sklearn's (eps = DBL_EPSILON clipping)", "[learn][metrics]") {
    const inputs in = load();
    const auto ref = tessera_test::read_keyed("metrics_expected.txt");
    const std::vector<std::int64_t> labels{0, 1, 2};
    const double ll = tessera::log_loss(in.y_true, in.proba, labels);
    CHECK(close(ll, ref.at("log_loss")[0]));
    // the clipping matters: some true-class probabilities are 0
    bool zero = false;
    for (std::size_t i = 0; i < in.y_true.size(); ++i) zero = zero || in.proba[i * 3 + std::size_t(in.y_true[i])] == 0;
    CHECK(zero);
    using Catch::Matchers::Contains;
    CHECK_THROWS_WITH(tessera::log_loss(in.y_true, in.proba, std::vector<std::int64_t>{0, 1}), Contains("need samples * labels"));
    CHECK_THROWS_WITH(tessera::log_loss(std::vector<std::int64_t>{5}, std::vector<double>{0.5, 0.5},
                                        std::vector<std::int64_t>{0, 1}),
                      Contains("label 5 of sample 0 is not among"));
}

TEST_CASE("metrics: ROC curve and AUC equal sklearn's", "[learn][metrics]") {
    const inputs in = load();
    const auto ref = tessera_test::read_keyed("metrics_expected.txt");
    for (const std::string tag : {"ties", "cont"}) {
        INFO(tag);
        const auto& score = tag == "ties" ? in.score_ties : in.score_cont;
        const auto roc = tessera::roc_curve(in.bin_true, score);
        CHECK(roc.fpr == ref.at("roc_" + tag + "_fpr"));
        CHECK(roc.tpr == ref.at("roc_" + tag + "_tpr"));
        CHECK(roc.thresholds == ref.at("roc_" + tag + "_thr"));
        const auto full = tessera::roc_curve(in.bin_true, score, 1, false);
        CHECK(full.fpr == ref.at("roc_" + tag + "_full_fpr"));
        CHECK(full.thresholds == ref.at("roc_" + tag + "_full_thr"));
        CHECK(close(tessera::roc_auc_score(in.bin_true, score), ref.at("auc_" + tag)[0]));
    }
    using Catch::Matchers::Contains;
    CHECK_THROWS_WITH(tessera::roc_auc_score(std::vector<std::int64_t>{1, 1}, std::vector<double>{0.1, 0.2}),
                      Contains("only one class"));
    CHECK_THROWS_WITH(tessera::auc(std::vector<double>{0, 1, 0.5}, std::vector<double>{0, 1, 1}),
                      Contains("neither increasing nor decreasing"));
    CHECK(tessera::auc(std::vector<double>{1, 0}, std::vector<double>{1, 1}) == 1.0);  // decreasing x
}

TEST_CASE("metrics: mismatched lengths are errors", "[learn][metrics]") {
    using Catch::Matchers::Contains;
    const std::vector<std::int64_t> a{1, 2}, b{1};
    CHECK_THROWS_WITH(tessera::accuracy_score(a, b), Contains("y_true has 2 labels, y_pred 1"));
    CHECK_THROWS_WITH(tessera::roc_curve(a, std::vector<double>{0.5}), Contains("2 labels, y_score 1"));
}
