#!/usr/bin/python3
"""Reference rankings of scikit-learn's RFE for tests/learn/feature_selection.cpp.

Run with Debian's python3 (scikit-learn 1.2.1, numpy 1.24.2):

    /usr/bin/python3 tests/reference/learn/make_rfe_reference.py

Writes into tests/reference/learn/rfe/:
  <data>.csv                 standardized training data (StandardScaler, ddof 0): x0..x{p-1}, y
  <data>_svc.csv             SVC(kernel="linear", C=1) fitted on <data>.csv: line 1 classes_,
                             line 2 n_support_, line 3 intercept_, line 4 dual_coef_ (row-major),
                             line 5 support_vectors_ (row-major), line 6 coef_ (row-major), line 7
                             the RFE importances sum over rows of coef_**2
  <data>_rfe_svc.csv         as <data>_rfe.csv for RFE(SVC(kernel="linear", C=1, tol=1e-6)), step 1 and 2
  <data>_rfe.csv             one row per case: name, n_features_to_select, step, min_gap,
                             then ranking_[0..p-1], then support_[0..p-1] (0/1)

Estimator: LogisticRegression(solver="newton-cg", tol=1e-8, max_iter=10000, C=1) — the optimum
tessera::logistic_regression reaches (coefficients agree to ~1e-9, see make_logistic_reference.py).
RFE(importance_getter="auto") ranks by coef_**2 (summed over the K rows for multinomial fits) and
drops the `step` smallest per round (np.argsort, default kind). min_gap is the smallest relative
gap, over all rounds, between the last eliminated and the first kept importance
(|a - b| / max(a, b)): far above the solvers' ~1e-9 disagreement, so the rankings must be identical.
The script replays RFE by hand and asserts it equals sklearn's ranking_.
"""
import os
import warnings

import numpy as np
from sklearn.feature_selection import RFE
from sklearn.linear_model import LogisticRegression
from scipy.optimize._linesearch import LineSearchWarning
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rfe")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20261206)


def estimator():
    return LogisticRegression(solver="newton-cg", tol=1e-8, max_iter=10000, C=1.0)


def binary(n=160, p=10):
    w = np.array([2.4, -1.9, 1.5, -1.15, 0.85, -0.6, 0.4, -0.25, 0.12, 0.03])[:p]
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3.0, size=p) + rng.normal(0, 2, size=p)
    Z = (X - X.mean(0)) / X.std(0)
    prob = 1 / (1 + np.exp(-(Z @ w)))
    y = (rng.uniform(size=n) < prob).astype(int)
    return X, y


def multiclass(n=210, p=12):
    W = rng.normal(size=(3, p)) * np.geomspace(2.0, 0.05, p)
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3.0, size=p) + rng.normal(0, 2, size=p)
    Z = (X - X.mean(0)) / X.std(0)
    L = Z @ W.T
    P = np.exp(L - L.max(1, keepdims=True))
    P /= P.sum(1, keepdims=True)
    u = rng.uniform(size=n)[:, None]
    y = (u > np.cumsum(P, axis=1)).sum(1)
    return X, np.array([1, 4, 6])[y]


def replay(X, y, k, step):
    """RFE by hand; returns ranking and the smallest relative gap at an elimination boundary."""
    p = X.shape[1]
    step = int(max(1, step * p)) if 0 < step < 1 else int(step)
    support = np.ones(p, bool)
    ranking = np.ones(p, int)
    gap = np.inf
    while support.sum() > k:
        feats = np.arange(p)[support]
        coef = estimator().fit(X[:, feats], y).coef_
        imp = (coef**2).sum(0)
        order = np.argsort(imp, kind="stable")
        t = min(step, support.sum() - k)
        a, b = imp[order[t - 1]], imp[order[t]]
        gap = min(gap, (b - a) / max(a, b))
        support[feats[order[:t]]] = False
        ranking[~support] += 1
    return ranking, gap


for data, (X, y) in [("binary", binary()), ("multiclass", multiclass())]:
    Xs = StandardScaler().fit_transform(X)
    p = Xs.shape[1]
    np.savetxt(os.path.join(OUT, data + ".csv"), np.column_stack([Xs, y]), delimiter=",", fmt="%.17g",
               header=",".join([f"x{j}" for j in range(p)] + ["y"]), comments="")
    rows = []
    for k, step in [(3, 1), (3, 2), (3, 0.25)]:
        with warnings.catch_warnings():
            # newton-cg's Wolfe line search may warn once it sits at its rounding floor (~1e-9);
            # a ConvergenceWarning (max_iter reached) would mean no reference.
            warnings.simplefilter("ignore", LineSearchWarning)
            warnings.filterwarnings("ignore", message="Line Search failed")
            warnings.simplefilter("error", ConvergenceWarning)
            rfe = RFE(estimator(), n_features_to_select=k, step=step).fit(Xs, y)
            ranking, gap = replay(Xs, y, k, step)
        assert np.array_equal(ranking, rfe.ranking_), (data, k, step, ranking, rfe.ranking_)
        assert gap > 1e-4, (data, k, step, gap)
        rows.append([f"{data}_k{k}_step{step}", str(k), repr(step), f"{gap:.3g}"]
                    + [str(r) for r in rfe.ranking_] + [str(int(s)) for s in rfe.support_])
        print(data, k, step, rfe.ranking_, f"min gap {gap:.3g}")
    with open(os.path.join(OUT, data + "_rfe.csv"), "w") as f:
        f.write(",".join(["name", "n_features_to_select", "step", "min_gap"]
                         + [f"rank{j}" for j in range(p)] + [f"support{j}" for j in range(p)]) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")

    # RFE around a linear SVC (tessera: train_svm + rfe_importances, libsvm): tol 1e-6 so that
    # both libsvm copies stop near the same optimum; the gaps are checked as for the logistic.
    svc_rows = []
    for k, step in [(3, 1), (3, 2)]:
        est = SVC(kernel="linear", C=1.0, tol=1e-6)
        rfe = RFE(est, n_features_to_select=k, step=step).fit(Xs, y)
        sup = np.ones(p, bool)
        rank = np.ones(p, int)
        gap = np.inf
        while sup.sum() > k:
            feats = np.arange(p)[sup]
            imp = (SVC(kernel="linear", C=1.0, tol=1e-6).fit(Xs[:, feats], y).coef_ ** 2).sum(0)
            o = np.argsort(imp, kind="stable")
            t = min(step, sup.sum() - k)
            gap = min(gap, (imp[o[t]] - imp[o[t - 1]]) / imp[o[t]])
            sup[feats[o[:t]]] = False
            rank[~sup] += 1
        assert np.array_equal(rank, rfe.ranking_) and gap > 1e-3, (data, k, step, gap)
        svc_rows.append([f"{data}_svc_k{k}_step{step}", str(k), repr(step), f"{gap:.3g}"]
                        + [str(r) for r in rfe.ranking_] + [str(int(v)) for v in rfe.support_])
        print(data, "SVC", k, step, rfe.ranking_, f"min gap {gap:.3g}")
    with open(os.path.join(OUT, data + "_rfe_svc.csv"), "w") as f:
        f.write(",".join(["name", "n_features_to_select", "step", "min_gap"]
                         + [f"rank{j}" for j in range(p)] + [f"support{j}" for j in range(p)]) + "\n")
        for r in svc_rows:
            f.write(",".join(r) + "\n")

    svc = SVC(kernel="linear", C=1.0).fit(Xs, y)
    with open(os.path.join(OUT, data + "_svc.csv"), "w") as f:
        for a in [svc.classes_, svc.n_support_, svc.intercept_, svc.dual_coef_, svc.support_vectors_, svc.coef_,
                  (svc.coef_**2).sum(0)]:
            f.write(",".join(repr(float(v)) if np.asarray(a).dtype.kind == "f" else str(int(v))
                             for v in np.asarray(a).ravel()) + "\n")

# Merging indistinguishable classes: scipy's hierarchical clustering of the class means
# (tessera::merge_similar_classes). classes.csv: standardized x0..x3, y (7 classes; 2 and 5 share
# a centre, as do 0, 3 and 6 approximately). classes_linkage.csv: method, threshold, then the
# canonical group of each class (numbered by first occurrence in ascending class order; fcluster
# criterion='distance' at a threshold no merge height equals), then all K-1 merge heights Z[:, 2].
from scipy.cluster.hierarchy import fcluster, linkage  # noqa: E402

centres = rng.normal(0, 2.0, size=(7, 4))
centres[5] = centres[2] + 0.05
centres[3] = centres[0] + 0.3
centres[6] = centres[0] - 0.25
labels = np.array([10, 11, 12, 13, 14, 15, 16])
ys = np.repeat(labels, [25, 30, 20, 28, 22, 26, 24])
Xc = centres[ys - 10] + 0.4 * rng.normal(size=(len(ys), 4))
order = rng.permutation(len(ys))
Xc, ys = StandardScaler().fit_transform(Xc[order]), ys[order]
np.savetxt(os.path.join(OUT, "classes.csv"), np.column_stack([Xc, ys]), delimiter=",", fmt="%.17g",
           header="x0,x1,x2,x3,y", comments="")
means = np.array([Xc[ys == c].mean(0) for c in labels])
with open(os.path.join(OUT, "classes_linkage.csv"), "w") as f:
    for method in ["single", "complete", "average"]:
        Z = linkage(means, method=method, metric="euclidean")
        h = Z[:, 2]
        mids = [(h[i] + h[i + 1]) / 2 for i in range(len(h) - 1)] + [h[0] / 2, h[-1] * 2]
        for t in sorted(mids):
            flat = fcluster(Z, t, criterion="distance")
            canon = {}
            groups = [canon.setdefault(v, len(canon)) for v in flat]
            f.write(",".join([method, repr(float(t))] + [str(g) for g in groups] + [repr(float(v)) for v in h]) + "\n")
        print(method, np.round(h, 4))
