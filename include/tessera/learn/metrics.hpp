#pragma once
/// @file
/// Classification metrics as sklearn.metrics 1.2.1 computes them.
///
/// With labels L = the sorted union of y_true and y_pred (sklearn's unique_labels) and, per
/// label c, tp_c, pred_c = #{y_pred = c}, true_c = #{y_true = c}:
/// - accuracy = #{y_true = y_pred} / n;
/// - confusion matrix C[i][j] = #{y_true = L_i, y_pred = L_j};
/// - precision_c = tp_c / pred_c, recall_c = tp_c / true_c, F1_c = 2 p r / (p + r), each 0 when
///   its denominator is 0 (sklearn's zero_division="warn" returns 0; nothing is printed here);
///   macro = unweighted mean over L, weighted = mean weighted by true_c (Σ p_c true_c / Σ true_c);
/// - balanced accuracy = mean over labels with true_c > 0 of recall_c (labels only predicted are
///   dropped, as sklearn drops their NaN);
/// - ROC curve (sklearn roc_curve, pos_label given, default 1): thresholds at the distinct scores,
///   descending; tps/fps cumulative counts; with drop_intermediate, points collinear with both
///   neighbours (second differences of fps and tps both 0) are dropped; a point (0, 0) with
///   threshold max + 1 is prepended; fpr = fps / fps_last (NaN when there are no negatives, where
///   sklearn warns), tpr likewise;
/// - auc = trapezoid rule (np.trapz) over (x, y), x monotone (either direction); roc_auc_score =
///   auc of the drop_intermediate ROC curve, an error unless both classes occur;
/// - log loss = -(1/n) Σ_i log p̃_{i, y_i}, with p clipped to [eps, 1 - eps] and each row
///   renormalised to sum 1; eps defaults to DBL_EPSILON (sklearn 1.2 eps="auto" =
///   np.finfo(y_pred.dtype).eps for float64 probabilities).
///
/// Sums run sequentially; numpy's means use pairwise summation, so averaged quantities agree
/// with sklearn to rounding (tests: 1e-12 relative), count ratios exactly.
/// Errors (tessera::error): length mismatches, empty inputs, a probability table whose width is
/// not the number of labels, a label of y_true missing from the given labels, non-finite scores.

#include <tessera/core/error.hpp>
#include <tessera/learn/detail/rounded.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <vector>

namespace tessera {

namespace detail {

inline void check_label_pair(std::span<const std::int64_t> y_true, std::span<const std::int64_t> y_pred,
                             const char* who) {
    if (y_true.size() != y_pred.size())
        throw error(who, ": y_true has ", y_true.size(), " labels, y_pred ", y_pred.size());
    if (y_true.empty()) throw error(who, ": no samples");
}

inline std::vector<std::int64_t> union_labels(std::span<const std::int64_t> a, std::span<const std::int64_t> b) {
    std::vector<std::int64_t> l(a.begin(), a.end());
    l.insert(l.end(), b.begin(), b.end());
    std::sort(l.begin(), l.end());
    l.erase(std::unique(l.begin(), l.end()), l.end());
    return l;
}

inline std::size_t label_index(const std::vector<std::int64_t>& labels, std::int64_t v) {
    return static_cast<std::size_t>(std::lower_bound(labels.begin(), labels.end(), v) - labels.begin());
}

}  // namespace detail

/// Fraction of samples with y_pred == y_true.
[[nodiscard]] inline double accuracy_score(std::span<const std::int64_t> y_true, std::span<const std::int64_t> y_pred) {
    detail::check_label_pair(y_true, y_pred, "accuracy_score");
    std::size_t hit = 0;
    for (std::size_t i = 0; i < y_true.size(); ++i) hit += y_true[i] == y_pred[i];
    return static_cast<double>(hit) / static_cast<double>(y_true.size());
}

/// Counts over the sorted union of labels: counts[i * labels.size() + j] = #{true L_i, pred L_j}.
struct confusion_matrix_result {
    std::vector<std::int64_t> labels;
    std::vector<std::int64_t> counts;
    [[nodiscard]] std::int64_t operator()(std::size_t i, std::size_t j) const { return counts[i * labels.size() + j]; }
};

[[nodiscard]] inline confusion_matrix_result confusion_matrix(std::span<const std::int64_t> y_true,
                                                              std::span<const std::int64_t> y_pred) {
    detail::check_label_pair(y_true, y_pred, "confusion_matrix");
    confusion_matrix_result r{detail::union_labels(y_true, y_pred), {}};
    const std::size_t nl = r.labels.size();
    r.counts.assign(nl * nl, 0);
    for (std::size_t i = 0; i < y_true.size(); ++i)
        ++r.counts[detail::label_index(r.labels, y_true[i]) * nl + detail::label_index(r.labels, y_pred[i])];
    return r;
}

/// Per-label precision, recall, F1 and support (number of true samples), labels sorted.
struct classification_scores {
    std::vector<std::int64_t> labels;
    std::vector<double> precision, recall, f1;
    std::vector<std::int64_t> support;
};

enum class score_average { macro, weighted };

struct averaged_scores {
    double precision = 0, recall = 0, f1 = 0;
};

[[nodiscard]] inline classification_scores precision_recall_f1(std::span<const std::int64_t> y_true,
                                                               std::span<const std::int64_t> y_pred) {
    const auto cm = confusion_matrix(y_true, y_pred);
    const std::size_t nl = cm.labels.size();
    classification_scores s{cm.labels, std::vector<double>(nl), std::vector<double>(nl), std::vector<double>(nl),
                            std::vector<std::int64_t>(nl)};
    for (std::size_t c = 0; c < nl; ++c) {
        std::int64_t pred = 0, truth = 0;
        for (std::size_t o = 0; o < nl; ++o) {
            pred += cm(o, c);
            truth += cm(c, o);
        }
        const double tp = static_cast<double>(cm(c, c));
        s.precision[c] = pred > 0 ? tp / static_cast<double>(pred) : 0.0;
        s.recall[c] = truth > 0 ? tp / static_cast<double>(truth) : 0.0;
        const double den = s.precision[c] + s.recall[c];
        s.f1[c] = den > 0 ? 2.0 * s.precision[c] * s.recall[c] / den : 0.0;
        s.support[c] = truth;
    }
    return s;
}

[[nodiscard]] inline averaged_scores precision_recall_f1(std::span<const std::int64_t> y_true,
                                                         std::span<const std::int64_t> y_pred, score_average avg) {
    const auto s = precision_recall_f1(y_true, y_pred);
    const std::size_t nl = s.labels.size();
    averaged_scores a;
    double wsum = 0;
    for (std::size_t c = 0; c < nl; ++c) {
        const double w = avg == score_average::macro ? 1.0 : static_cast<double>(s.support[c]);
        a.precision += detail::rounded_product(w, s.precision[c]);
        a.recall += detail::rounded_product(w, s.recall[c]);
        a.f1 += detail::rounded_product(w, s.f1[c]);
        wsum += w;
    }
    if (wsum == 0) return {};
    a.precision /= wsum;
    a.recall /= wsum;
    a.f1 /= wsum;
    return a;
}

/// Mean recall over the labels that occur in y_true.
[[nodiscard]] inline double balanced_accuracy_score(std::span<const std::int64_t> y_true,
                                                    std::span<const std::int64_t> y_pred) {
    const auto s = precision_recall_f1(y_true, y_pred);
    double sum = 0;
    std::size_t n = 0;
    for (std::size_t c = 0; c < s.labels.size(); ++c)
        if (s.support[c] > 0) {
            sum += s.recall[c];
            ++n;
        }
    return sum / static_cast<double>(n);
}

struct roc_curve_result {
    std::vector<double> fpr, tpr, thresholds;
};

/// sklearn.metrics.roc_curve for a binary problem: y_true == pos_label is positive.
[[nodiscard]] inline roc_curve_result roc_curve(std::span<const std::int64_t> y_true, std::span<const double> y_score,
                                                std::int64_t pos_label = 1, bool drop_intermediate = true) {
    if (y_true.size() != y_score.size())
        throw error("roc_curve: y_true has ", y_true.size(), " labels, y_score ", y_score.size(), " scores");
    if (y_true.empty()) throw error("roc_curve: no samples");
    for (std::size_t i = 0; i < y_score.size(); ++i)
        if (!std::isfinite(y_score[i])) throw error("roc_curve: score ", y_score[i], " of sample ", i, " is not finite");
    const std::size_t n = y_true.size();
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t(0));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return y_score[a] > y_score[b]; });
    std::vector<double> tps, fps, thr;
    double tp = 0;
    for (std::size_t r = 0; r < n; ++r) {
        tp += y_true[order[r]] == pos_label ? 1.0 : 0.0;
        if (r + 1 == n || y_score[order[r + 1]] != y_score[order[r]]) {  // last of a run of equal scores
            tps.push_back(tp);
            fps.push_back(static_cast<double>(r + 1) - tp);
            thr.push_back(y_score[order[r]]);
        }
    }
    roc_curve_result out;
    std::vector<std::size_t> keep;
    const std::size_t m = tps.size();
    for (std::size_t i = 0; i < m; ++i) {
        if (drop_intermediate && m > 2 && i > 0 && i + 1 < m) {
            const double d2f = fps[i + 1] - 2 * fps[i] + fps[i - 1];  // np.diff(., 2), exact (integers)
            const double d2t = tps[i + 1] - 2 * tps[i] + tps[i - 1];
            if (d2f == 0 && d2t == 0) continue;
        }
        keep.push_back(i);
    }
    const double fl = fps[m - 1], tl = tps[m - 1];
    const double nan = std::numeric_limits<double>::quiet_NaN();
    out.fpr.push_back(fl > 0 ? 0.0 : nan);
    out.tpr.push_back(tl > 0 ? 0.0 : nan);
    out.thresholds.push_back(thr[keep[0]] + 1);
    for (const std::size_t i : keep) {
        out.fpr.push_back(fl > 0 ? fps[i] / fl : nan);
        out.tpr.push_back(tl > 0 ? tps[i] / tl : nan);
        out.thresholds.push_back(thr[i]);
    }
    return out;
}

/// Area under y(x) by the trapezoid rule; x must be monotone (increasing or decreasing).
[[nodiscard]] inline double auc(std::span<const double> x, std::span<const double> y) {
    if (x.size() != y.size()) throw error("auc: x has ", x.size(), " points, y ", y.size());
    if (x.size() < 2) throw error("auc: at least 2 points are needed, got ", x.size());
    bool any_neg = false, all_nonpos = true;
    for (std::size_t i = 1; i < x.size(); ++i) {
        const double dx = x[i] - x[i - 1];
        any_neg = any_neg || dx < 0;
        all_nonpos = all_nonpos && dx <= 0;
    }
    if (any_neg && !all_nonpos) throw error("auc: x is neither increasing nor decreasing");
    double area = 0;
    for (std::size_t i = 1; i < x.size(); ++i) area += detail::rounded_product(x[i] - x[i - 1], y[i] + y[i - 1]) / 2.0;
    return any_neg ? -area : area;
}

/// Area under the ROC curve (binary; both classes must occur).
[[nodiscard]] inline double roc_auc_score(std::span<const std::int64_t> y_true, std::span<const double> y_score,
                                          std::int64_t pos_label = 1) {
    std::size_t pos = 0;
    for (const auto v : y_true) pos += v == pos_label;
    if (pos == 0 || pos == y_true.size())
        throw error("roc_auc_score: only one class in y_true (", pos, " of ", y_true.size(),
                    " samples positive); the ROC AUC is undefined");
    const auto roc = roc_curve(y_true, y_score, pos_label, true);
    return auc(roc.fpr, roc.tpr);
}

/// Cross-entropy of probabilities proba (rows × labels.size(), row-major, columns in the order of
/// `labels`, which must be sorted ascending as sklearn's LabelBinarizer orders them).
[[nodiscard]] inline double log_loss(std::span<const std::int64_t> y_true, std::span<const double> proba,
                                     std::span<const std::int64_t> labels,
                                     double eps = std::numeric_limits<double>::epsilon()) {
    const std::size_t n = y_true.size(), nl = labels.size();
    if (n == 0) throw error("log_loss: no samples");
    if (nl < 2) throw error("log_loss: at least 2 labels are needed, got ", nl);
    if (!std::is_sorted(labels.begin(), labels.end()) ||
        std::adjacent_find(labels.begin(), labels.end()) != labels.end())
        throw error("log_loss: labels must be sorted ascending without repeats");
    if (proba.size() != n * nl)
        throw error("log_loss: proba holds ", proba.size(), " values, need samples * labels = ", n * nl);
    double total = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const auto it = std::lower_bound(labels.begin(), labels.end(), y_true[i]);
        if (it == labels.end() || *it != y_true[i])
            throw error("log_loss: label ", y_true[i], " of sample ", i, " is not among the given labels");
        double rowsum = 0;
        for (std::size_t c = 0; c < nl; ++c) {
            const double p = proba[i * nl + c];
            if (!std::isfinite(p)) throw error("log_loss: probability ", p, " at sample ", i, ", column ", c, " is not finite");
            rowsum += std::clamp(p, eps, 1 - eps);
        }
        const double p = std::clamp(proba[i * nl + static_cast<std::size_t>(it - labels.begin())], eps, 1 - eps);
        total += -std::log(p / rowsum);
    }
    return total / static_cast<double>(n);
}

}  // namespace tessera
