#!/usr/bin/python3
"""Reference data for tests/learn/svm.cpp: scikit-learn's SVC (libsvm underneath).

Run with Debian's python3-sklearn (1.2.1):  /usr/bin/python3 make_svm_reference.py
Writes, beside this script, into svm/:
  <data>_train.csv, <data>_test.csv     features..., label (one row per sample, no header)
  <data>_<kernel>.txt                   the fitted SVC and its outputs on <data>_test.csv, as blocks
                                        "name rows cols" followed by rows lines of comma-separated
                                        values (17 significant digits: exact doubles)
Blocks: params (C gamma coef0 degree tol balanced), classes, n_support, support_vectors,
dual_coef, intercept, probA, probB, decision (binary: sklearn's one column; multiclass: 'ovo'),
decision_ovr (multiclass only), predict, proba.
"""
import os
import numpy as np
from sklearn.svm import SVC

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "svm")
os.makedirs(here, exist_ok=True)


def fmt(v):
    return repr(float(v))


def write_data(name, X, y):
    with open(os.path.join(here, name), "w") as f:
        for row, label in zip(X, y):
            f.write(",".join(fmt(v) for v in row) + "," + str(int(label)) + "\n")


def block(f, name, a):
    a = np.asarray(a, dtype=float)
    if a.ndim == 1:
        a = a.reshape(1, -1) if name in ("params", "classes", "n_support", "intercept", "probA", "probB") else a.reshape(-1, 1)
    f.write(f"{name} {a.shape[0]} {a.shape[1]}\n")
    for row in a:
        f.write(",".join(fmt(v) for v in row) + "\n")


rng = np.random.default_rng(20260612)


def blobs(centres, n_per, spread, n_features):
    X, y = [], []
    for c, (centre, n) in enumerate(zip(centres, n_per)):
        X.append(rng.normal(centre, spread, size=(n, n_features)))
        y.append(np.full(n, c))
    X = np.vstack(X)
    y = np.concatenate(y)
    p = rng.permutation(len(y))
    return X[p], y[p]


# binary: 4 features, overlapping classes; labels 3 and 7 (not 0/1: tests the label mapping)
Xb, yb = blobs([np.zeros(4), np.full(4, 0.9)], [70, 60], 0.8, 4)
yb = np.where(yb == 0, 7, 3)
Xbt, ybt = blobs([np.zeros(4), np.full(4, 0.9)], [40, 40], 0.8, 4)
ybt = np.where(ybt == 0, 7, 3)
# 3 classes, 3 features, unbalanced (for class_weight='balanced')
c3 = [np.array([0.0, 0.0, 0.0]), np.array([1.2, 0.3, -0.4]), np.array([0.2, 1.4, 0.6])]
X3, y3 = blobs(c3, [60, 40, 25], 0.7, 3)
X3t, y3t = blobs(c3, [30, 30, 30], 0.7, 3)
# 4 classes, 2 features (ties in votes happen in 4-class ovo)
c4 = [np.array([0.0, 0.0]), np.array([1.5, 0.0]), np.array([0.0, 1.5]), np.array([1.5, 1.5])]
X4, y4 = blobs(c4, [30, 30, 30, 30], 0.75, 2)
X4t, y4t = blobs(c4, [25, 25, 25, 25], 0.75, 2)

datasets = {"binary": (Xb, yb, Xbt), "three": (X3, y3, X3t), "four": (X4, y4, X4t)}
for name, (X, y, Xt) in datasets.items():
    write_data(f"{name}_train.csv", X, y)
    write_data(f"{name}_test.csv", Xt, np.zeros(len(Xt)))

cases = [
    ("binary", "rbf", dict(C=2.0, gamma=0.3)),
    ("binary", "linear", dict(C=0.5)),
    ("binary", "poly", dict(C=1.0, gamma=0.4, coef0=1.0, degree=3)),
    ("three", "rbf", dict(C=1.5, gamma=0.5)),
    ("three", "linear", dict(C=1.0)),
    ("three", "poly", dict(C=0.8, gamma=0.5, coef0=0.5, degree=2)),
    ("three", "rbf_balanced", dict(C=1.0, gamma=0.7, class_weight="balanced")),
    ("four", "rbf", dict(C=3.0, gamma=1.0)),
    ("four", "sigmoid", dict(C=1.0, gamma=0.2, coef0=-0.5)),
]
for data, kname, kw in cases:
    X, y, Xt = datasets[data]
    kernel = kname.split("_")[0]
    tol = 1e-3
    clf = SVC(kernel=kernel, tol=tol, probability=True, random_state=0, **kw).fit(X, y)
    gamma = clf._gamma
    with open(os.path.join(here, f"{data}_{kname}.txt"), "w") as f:
        block(f, "params", [clf.C, gamma, clf.coef0, clf.degree, tol, 1.0 if kw.get("class_weight") else 0.0])
        block(f, "classes", clf.classes_)
        block(f, "n_support", clf.n_support_)
        block(f, "support_vectors", clf.support_vectors_)
        block(f, "dual_coef", clf.dual_coef_)
        block(f, "intercept", clf.intercept_)
        block(f, "probA", clf.probA_)
        block(f, "probB", clf.probB_)
        clf.decision_function_shape = "ovo"  # sklearn's default is 'ovr'
        block(f, "decision", clf.decision_function(Xt))
        if len(clf.classes_) > 2:
            clf.decision_function_shape = "ovr"
            block(f, "decision_ovr", clf.decision_function(Xt))
        block(f, "predict", clf.predict(Xt))
        block(f, "proba", clf.predict_proba(Xt))
    print(data, kname, "n_SV", clf.n_support_, "train acc", clf.score(X, y))
