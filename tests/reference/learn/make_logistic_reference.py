#!/usr/bin/python3
"""Reference fits of scikit-learn's LogisticRegression for tests/learn/logistic.cpp.

Run with Debian's python3 (scikit-learn 1.2.1, scipy 1.10.1, numpy 1.24.2):

    /usr/bin/python3 tests/reference/learn/make_logistic_reference.py

Writes into tests/reference/learn/logistic/:
  cases.csv          name, C (0 = penalty None), class_weight, weighted, n_features, n_classes,
                     max_grad (max |gradient| at the reference), lbfgs_coef_diff (max |coef_lbfgs - coef_ref|)
  <name>.csv         training data: x0..x{p-1}, y, sw  (sw = sample weight, 1 when unweighted)
  <name>_coef.csv    coef_ rows with intercept_ appended as the last column (sklearn's shapes:
                     1 row for two classes, K rows for K > 2 classes)
  <name>_proba.csv   predict_proba on the training rows (columns = classes_ ascending), then the
                     predicted label as the last column

Solver. The reference optimum comes from solver="newton-cg", tol=1e-8, max_iter=10000
(multi_class="auto": binary for two classes, multinomial for more). sklearn 1.2.1's lbfgs takes
tol as gtol only and leaves scipy's default ftol = 2.2e-9 in place, so even with tol=1e-10 it
stops up to ~5e-5 away from the optimum on these data; newton-cg stops on max|grad| <= tol and
converges quadratically (8-10 iterations here; asking for tol=1e-10 or less only makes it spin
to max_iter at its rounding floor, ~1e-9, without moving). cases.csv records, for information,
max|grad| of the objective at the reference (recomputed here in NumPy) and the distance of
lbfgs (tol=1e-10, max_iter=10000) to it.
Both start from zero, so for multinomial fits the K intercepts (and, with penalty None, the K
coefficient vectors) sum to zero, the convention tessera::logistic_regression follows.
"""
import os
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "logistic")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20260612)


def blobs(counts, labels, p, spread=1.0, scale=None):
    xs, ys = [], []
    for c, lab in zip(counts, labels):
        centre = rng.normal(0.0, 1.2, size=p)
        xs.append(centre + spread * rng.normal(size=(c, p)))
        ys.append(np.full(c, lab))
    X = np.vstack(xs)
    y = np.concatenate(ys)
    if scale is not None:
        X = X * np.asarray(scale)
    order = rng.permutation(len(y))
    return X[order], y[order]


def objective_gradient(model, X, y, sw, C, cw):
    """max |gradient| of sum_i s_i logloss_i + 0.5/C ||W||^2 (intercepts unpenalised)."""
    classes = model.classes_
    s = np.broadcast_to(np.asarray(sw, dtype=float), y.shape).copy()
    if cw == "balanced":
        counts = np.array([np.sum(y == c) for c in classes])
        s *= (len(y) / (len(classes) * counts))[np.searchsorted(classes, y)]
    Y = (y[:, None] == classes[None, :]).astype(float)
    P = model.predict_proba(X)
    if len(classes) == 2:
        R = s * (P[:, 1] - Y[:, 1])
        G = np.concatenate([X.T @ R, [R.sum()]])[None, :]
        W = model.coef_
    else:
        R = s[:, None] * (P - Y)
        G = np.hstack([(X.T @ R).T, R.sum(axis=0)[:, None]])
        W = model.coef_
    if C is not None:
        G[:, :-1] += W / C
    return float(np.abs(G).max())


cases = [
    # name, X, y, C (None = penalty None), class_weight, sample weights
    ("binary", *blobs([30, 30], [0, 1], 3), 1.0, None, None),
    ("binary_weighted", *blobs([28, 22], [-1, 4], 2), 0.5, None, "random"),
    ("multiclass", *blobs([30, 30, 30], [2, 5, 7], 4, scale=[1.0, 3.0, 0.5, 1.0]), 2.0, None, None),
    ("imbalanced", *blobs([80, 20], [0, 1], 3, spread=1.3), 1.0, None, None),
    ("balanced", *blobs([60, 25, 10], [0, 1, 2], 3, spread=1.2), 1.0, "balanced", None),
    ("balanced_binary", *blobs([70, 15], [1, 3], 2, spread=1.4), 0.3, "balanced", "random"),
    ("none_binary", *blobs([40, 40], [0, 1], 2, spread=1.8), None, None, None),
    ("none_multiclass", *blobs([30, 25, 35], [0, 1, 2], 2, spread=1.8), None, None, "random"),
]

rows = ["name,C,class_weight,weighted,n_features,n_classes,max_grad,lbfgs_coef_diff"]
for name, X, y, C, cw, sw in cases:
    w = rng.uniform(0.5, 2.0, size=len(y)) if sw == "random" else None
    common = dict(penalty=None if C is None else "l2", C=1.0 if C is None else C,
                  class_weight=cw, fit_intercept=True, max_iter=10000)
    ref = LogisticRegression(solver="newton-cg", tol=1e-8, **common).fit(X, y, sample_weight=w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lb = LogisticRegression(solver="lbfgs", tol=1e-10, **common).fit(X, y, sample_weight=w)
    diff = float(np.max(np.abs(np.hstack([ref.coef_, ref.intercept_[:, None]])
                               - np.hstack([lb.coef_, lb.intercept_[:, None]]))))
    p = X.shape[1]
    grad = objective_gradient(ref, X, y, 1.0 if w is None else w, C, cw)
    data = np.column_stack([X, y, np.ones(len(y)) if w is None else w])
    np.savetxt(os.path.join(OUT, name + ".csv"), data, delimiter=",", fmt="%.17g",
               header=",".join([f"x{j}" for j in range(p)] + ["y", "sw"]), comments="")
    np.savetxt(os.path.join(OUT, name + "_coef.csv"),
               np.hstack([ref.coef_, ref.intercept_[:, None]]), delimiter=",", fmt="%.17g")
    np.savetxt(os.path.join(OUT, name + "_proba.csv"),
               np.column_stack([ref.predict_proba(X), ref.predict(X)]), delimiter=",", fmt="%.17g")
    rows.append(f"{name},{0 if C is None else C},{cw or 'none'},{int(w is not None)},{p},"
                f"{len(ref.classes_)},{grad:.3g},{diff:.3g}")
    print(f"{name}: classes {ref.classes_}, n_iter {ref.n_iter_}, max|grad| {grad:.3g}, "
          f"lbfgs vs newton-cg {diff:.3g}")

with open(os.path.join(OUT, "cases.csv"), "w") as f:
    f.write("\n".join(rows) + "\n")
