#!/usr/bin/python3
"""Reference cross-validation results of scikit-learn 1.2.1 for tests/learn/model_selection.cpp.

Run with Debian's python3 (scikit-learn 1.2.1, numpy 1.24.2):

    /usr/bin/python3 tests/reference/learn/make_cv_reference.py

Writes into tests/reference/learn/cv/:
  kfold.csv        case, n_splits, row, label, fold: StratifiedKFold(n_splits, shuffle=False)
                   test-fold id of every row, for several label vectors (balanced, imbalanced,
                   non-contiguous and negative labels, labels first appearing out of order, a class
                   with exactly n_splits members, a class with fewer members than n_splits, which
                   sklearn only warns about)
  kfold_errors.csv case, n_splits, labels (space separated): label vectors on which
                   StratifiedKFold.split raises ValueError (n_splits greater than every class count)
  data.csv         x0..x3, y: 3 imbalanced classes (labels 2, 5, 9) of 4 features on very
                   different scales, rows in random order
  grid_logistic.csv  GridSearchCV(Pipeline(StandardScaler(), LogisticRegression(solver="newton-cg",
                   tol=1e-8, max_iter=10000)), {"C": [0.1, 1, 10]}, cv=StratifiedKFold(5),
                   scoring accuracy, balanced_accuracy, f1_macro): per grid point C, then for each
                   metric mean_test_<m>, std_test_<m>, split0..4_test_<m>
  grid_knn.csv     the same for Pipeline(StandardScaler(), KNeighborsClassifier(algorithm="brute"))
                   over {"n_neighbors": [15, 1, 4], "p": [2, 1]} (rows in ParameterGrid order: keys
                   sorted, the last key varying fastest, values in the order given)
  grid_knn_raw.csv the kNN grid without the scaler (plain KNeighborsClassifier)
Numbers are written with 17 significant digits (round-trip exact).
"""
import os
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cv")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(20261206)

# --- StratifiedKFold fold ids -------------------------------------------------------------
label_cases = {
    "balanced": (np.repeat([0, 1, 2], 10), 5),
    "balanced_shuffled": (rng.permutation(np.repeat([0, 1, 2], 10)), 3),
    "imbalanced": (rng.permutation(np.repeat([0, 1], [47, 6])), 5),
    "noncontiguous": (rng.permutation(np.repeat([7, -3, 42, 100], [13, 9, 21, 5])), 4),
    "appearance_order": (np.array([9] * 3 + [1] * 7 + [5] * 11 + [9] * 4 + [1] * 2), 3),
    "exactly_k": (rng.permutation(np.repeat([1, 2, 3], [5, 17, 8])), 5),
    "fewer_than_k_warns": (rng.permutation(np.repeat([0, 1, 2], [3, 20, 12])), 5),
    "many_classes": (rng.integers(0, 7, size=101), 2),
    "ten_splits": (rng.permutation(np.repeat([4, 8], [55, 34])), 10),
}
with open(os.path.join(OUT, "kfold.csv"), "w") as f:
    f.write("case,n_splits,row,label,fold\n")
    for name, (y, k) in label_cases.items():
        fold = np.full(len(y), -1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i, (_, test) in enumerate(StratifiedKFold(k).split(np.zeros(len(y)), y)):
                fold[test] = i
        assert (fold >= 0).all()
        for r, (lab, fo) in enumerate(zip(y, fold)):
            f.write(f"{name},{k},{r},{lab},{fo}\n")

error_cases = {"all_below": (np.repeat([0, 1], [4, 3]), 5), "ten": (np.repeat([3, 6, 9], [9, 9, 5]), 10)}
with open(os.path.join(OUT, "kfold_errors.csv"), "w") as f:
    f.write("case,n_splits,labels\n")
    for name, (y, k) in error_cases.items():
        try:
            list(StratifiedKFold(k).split(np.zeros(len(y)), y))
            raise SystemExit(f"{name}: sklearn did not raise")
        except ValueError as e:
            assert "cannot be greater than the number of members in each class" in str(e)
        f.write(f"{name},{k},{' '.join(str(v) for v in y)}\n")

# --- data for the grid searches -----------------------------------------------------------
counts, labels, p = [40, 25, 15], [2, 5, 9], 4
scale = np.array([1.0, 100.0, 0.01, 5.0])
xs, ys = [], []
for c, lab in zip(counts, labels):
    centre = rng.normal(0.0, 1.0, size=p)
    xs.append((centre + 1.3 * rng.normal(size=(c, p))) * scale)
    ys.append(np.full(c, lab))
order = rng.permutation(sum(counts))
X = np.vstack(xs)[order]
y = np.concatenate(ys)[order]
with open(os.path.join(OUT, "data.csv"), "w") as f:
    f.write(",".join(f"x{j}" for j in range(p)) + ",y\n")
    for row, lab in zip(X, y):
        f.write(",".join(f"{v:.17g}" for v in row) + f",{lab}\n")

METRICS = ["accuracy", "balanced_accuracy", "f1_macro"]


def grid(estimator, param_grid, path):
    gs = GridSearchCV(estimator, param_grid, cv=StratifiedKFold(5), scoring=METRICS, refit=False, n_jobs=1)
    gs.fit(X, y)
    r = gs.cv_results_
    names = sorted(k.split("__")[-1] for k in param_grid)
    keys = sorted(param_grid)
    with open(os.path.join(OUT, path), "w") as f:
        cols = names[:]
        for m in METRICS:
            cols += [f"mean_test_{m}", f"std_test_{m}"] + [f"split{i}_test_{m}" for i in range(5)]
        f.write(",".join(cols) + "\n")
        for i in range(len(r["params"])):
            vals = [f"{float(r['param_' + k][i]):.17g}" for k in keys]
            for m in METRICS:
                vals += [f"{r[f'mean_test_{m}'][i]:.17g}", f"{r[f'std_test_{m}'][i]:.17g}"]
                vals += [f"{r[f'split{s}_test_{m}'][i]:.17g}" for s in range(5)]
            f.write(",".join(vals) + "\n")
    return r


logit = Pipeline([("scale", StandardScaler()),
                  ("clf", LogisticRegression(solver="newton-cg", tol=1e-8, max_iter=10000))])
r = grid(logit, {"clf__C": [0.1, 1, 10]}, "grid_logistic.csv")
print("logistic mean accuracy", r["mean_test_accuracy"])
knn = Pipeline([("scale", StandardScaler()), ("clf", KNeighborsClassifier(algorithm="brute"))])
r = grid(knn, {"clf__n_neighbors": [15, 1, 4], "clf__p": [2, 1]}, "grid_knn.csv")
print("knn params", r["params"])
print("knn mean accuracy", r["mean_test_accuracy"])
r = grid(KNeighborsClassifier(algorithm="brute"), {"n_neighbors": [15, 1, 4], "p": [2, 1]}, "grid_knn_raw.csv")
print("raw knn mean accuracy", r["mean_test_accuracy"])
