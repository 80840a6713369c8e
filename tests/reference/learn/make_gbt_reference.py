#!/usr/bin/python3
"""Reference data for tests/learn/gradient_boosting.cpp, tests/learn/regression_tree.cpp and the
gradient-boosting RFE case of tests/learn/feature_selection.cpp, made with scikit-learn 1.2.1.

Run with Debian's python (plain `python3` may lack numpy):

    /usr/bin/python3 tests/reference/learn/make_gbt_reference.py

NumPy 1.24 evaluates np.exp / np.log on float64 arrays with its own AVX-512 code when the CPU
has AVX-512F, and that code differs from the C library's exp/log by 1 ulp for about a quarter of
arguments; tessera (like scikit-learn on any other machine) uses the C library's. So that the
reference does not depend on the machine that made it, this script disables NumPy's AVX-512
loops (NPY_DISABLE_CPU_FEATURES, set before numpy loads) when the CPU has them: the data are then
scikit-learn's results with the C library's exp/log, on which tessera is bitwise identical.

Writes into gbt/ beside this script (floats as repr(), exact doubles):

  <case>_train.csv, <case>_query.csv   features f0.., label        (synthetic cases only; the
                                       cuzr cases read ../knn_cuzr_train.csv / knn_cuzr_query.csv)
  <case>_expected.csv                  set (0 train, 1 query), pred, d0.. (decision_function,
                                       1 column for 2 classes), p0.. (predict_proba)
  <case>_importances.txt               feature_importances_ (one line)
  <case>_options.txt                   n_estimators learning_rate max_depth subsample
                                       min_samples_leaf random_state
  gbt_binary_small.json / gbt_multi_small.json
                                       scripts/sklearn_to_tessera.py conversions (compact JSON) of
                                       smaller models (20 and 10 stages) on the binary / multi data
  <...>_small_expected.csv              their expected outputs as above
  tree_<case>.csv, tree_<case>_x.csv   DecisionTreeRegressor(criterion="friedman_mse") trees
                                       (continuous: max_depth=6, random_state=0; ties: 8, 42):
                                       node, left, right, feature, threshold, impurity,
                                       n_node_samples, weighted_n_node_samples, value
  rfe_gbt_ranking.txt                  RFE(GradientBoostingClassifier(random_state=0),
                                       n_features_to_select=2, step=1).ranking_ on binary_train

Cases (GradientBoostingClassifier, loss="log_loss"):
  binary      make_classification(500, 6 features, 4 informative, 1 redundant, random_state=0):
              rows 0-399 train, 400-499 query; n_estimators=50, max_depth=3, random_state=0.
  multi       the same with n_classes=3, n_clusters_per_class=1, random_state=1; random_state=5.
  subsample   the binary data; n_estimators=40, learning_rate=0.2, max_depth=2, subsample=0.5,
              min_samples_leaf=5, random_state=7 (stochastic GB: NumPy's stream reproduced).
  cuzr_type   integer neighbour-count descriptors of the CuZr glass (knn_cuzr_*.csv, see
              make_knn_reference.py), label = atom type (2 classes); defaults (100 stages),
              random_state=0. Integer features: many exactly tied splits.
  cuzr_cn     the same features, 3 classes from the total neighbour count (target <= 12, = 13,
              >= 14); n_estimators=30, random_state=3.
"""
import os

if "avx512f" in open("/proc/cpuinfo").read():
    os.environ["NPY_DISABLE_CPU_FEATURES"] = "AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL"
os.environ.setdefault("OMP_NUM_THREADS", "1")

import csv  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.ensemble import GradientBoostingClassifier  # noqa: E402
from sklearn.feature_selection import RFE  # noqa: E402
from sklearn.tree import DecisionTreeRegressor  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "gbt")
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
from sklearn_to_tessera import to_tessera  # noqa: E402


def write_table(name, X, y):
    with open(os.path.join(OUT, name), "w") as f:
        f.write(",".join([f"f{j}" for j in range(X.shape[1])] + ["label"]) + "\n")
        for row, c in zip(X, y):
            f.write(",".join(repr(float(v)) for v in row) + f",{int(c)}\n")


def read_cuzr(name):
    with open(os.path.join(HERE, name)) as f:
        rows = list(csv.DictReader(f))
    X = np.array([[float(r[f"f{j}"]) for j in range(6)] for r in rows])
    return X, rows


def write_expected(name, g, Xtr, Xq):
    with open(os.path.join(OUT, name), "w") as f:
        kd = 1 if g.n_classes_ == 2 else g.n_classes_
        f.write(",".join(["set", "pred"] + [f"d{k}" for k in range(kd)] + [f"p{k}" for k in range(g.n_classes_)]) + "\n")
        for s, X in ((0, Xtr), (1, Xq)):
            d = g.decision_function(X).reshape(len(X), -1)
            p = g.predict_proba(X)
            pred = g.predict(X)
            for i in range(len(X)):
                f.write(",".join([str(s), str(int(pred[i]))] + [repr(float(v)) for v in d[i]] +
                                 [repr(float(v)) for v in p[i]]) + "\n")


def gbt_case(case, Xtr, ytr, Xq, **kw):
    g = GradientBoostingClassifier(**kw).fit(Xtr, ytr)
    write_expected(f"{case}_expected.csv", g, Xtr, Xq)
    with open(os.path.join(OUT, f"{case}_importances.txt"), "w") as f:
        f.write(" ".join(repr(float(v)) for v in g.feature_importances_) + "\n")
    with open(os.path.join(OUT, f"{case}_options.txt"), "w") as f:
        f.write(f"{g.n_estimators} {g.learning_rate!r} {g.max_depth} {g.subsample!r} {g.min_samples_leaf} "
                f"{g.random_state}\n")
    return g


def main():
    os.makedirs(OUT, exist_ok=True)
    X, y = make_classification(n_samples=500, n_features=6, n_informative=4, n_redundant=1, random_state=0)
    write_table("binary_train.csv", X[:400], y[:400])
    write_table("binary_query.csv", X[400:], y[400:])
    gbt_case("binary", X[:400], y[:400], X[400:], n_estimators=50, max_depth=3, random_state=0)
    gbt_case("subsample", X[:400], y[:400], X[400:], n_estimators=40, learning_rate=0.2, max_depth=2,
             subsample=0.5, min_samples_leaf=5, random_state=7)
    small = GradientBoostingClassifier(n_estimators=20, random_state=0).fit(X[:400], y[:400])
    write_expected("binary_small_expected.csv", small, X[:400], X[400:])
    with open(os.path.join(OUT, "gbt_binary_small.json"), "w") as f:
        json.dump(to_tessera(small, [f"f{j}" for j in range(6)], "label"), f, separators=(",", ":"))
        f.write("\n")
    rfe = RFE(GradientBoostingClassifier(random_state=0), n_features_to_select=2, step=1).fit(X[:400], y[:400])
    with open(os.path.join(OUT, "rfe_gbt_ranking.txt"), "w") as f:
        f.write(" ".join(str(int(v)) for v in rfe.ranking_) + "\n")

    Xm, ym = make_classification(n_samples=500, n_features=6, n_informative=4, n_redundant=1, n_classes=3,
                                 n_clusters_per_class=1, random_state=1)
    write_table("multi_train.csv", Xm[:400], ym[:400])
    write_table("multi_query.csv", Xm[400:], ym[400:])
    gbt_case("multi", Xm[:400], ym[:400], Xm[400:], n_estimators=50, max_depth=3, random_state=5)
    small = GradientBoostingClassifier(n_estimators=10, random_state=5).fit(Xm[:400], ym[:400])
    write_expected("multi_small_expected.csv", small, Xm[:400], Xm[400:])
    with open(os.path.join(OUT, "gbt_multi_small.json"), "w") as f:
        json.dump(to_tessera(small, [f"f{j}" for j in range(6)], "label"), f, separators=(",", ":"))
        f.write("\n")

    Xc, rows = read_cuzr("knn_cuzr_train.csv")
    Xcq, _ = read_cuzr("knn_cuzr_query.csv")
    yc = np.array([int(r["label"]) for r in rows])
    gbt_case("cuzr_type", Xc, yc, Xcq, random_state=0)
    t = np.array([float(r["target"]) for r in rows])
    ycn = np.where(t <= 12, 0, np.where(t == 13, 1, 2))
    gbt_case("cuzr_cn", Xc, ycn, Xcq, n_estimators=30, random_state=3)

    # Single regression trees: continuous targets, and two-valued targets on integer features (ties).
    rng = np.random.RandomState(11)
    Xt = rng.normal(size=(300, 5))
    for case, Xr, yr, depth, seed in (
            ("continuous", Xt, Xt[:, 0] + np.sin(Xt[:, 1]) + 0.3 * rng.normal(size=300), 6, 0),
            ("ties", Xc, (yc == 2) - 0.4, 8, 42)):
        np.savetxt(os.path.join(OUT, f"tree_{case}_x.csv"), np.column_stack([Xr, yr]), delimiter=",",
                   header=",".join([f"f{j}" for j in range(Xr.shape[1])] + ["y"]), comments="", fmt="%r")
        tr = DecisionTreeRegressor(criterion="friedman_mse", max_depth=depth, random_state=seed).fit(Xr, yr).tree_
        with open(os.path.join(OUT, f"tree_{case}.csv"), "w") as f:
            f.write("node,left,right,feature,threshold,impurity,n_node_samples,weighted_n_node_samples,value\n")
            for v in range(tr.node_count):
                f.write(f"{v},{tr.children_left[v]},{tr.children_right[v]},{tr.feature[v]},{float(tr.threshold[v])!r},"
                        f"{float(tr.impurity[v])!r},{tr.n_node_samples[v]},{float(tr.weighted_n_node_samples[v])!r},"
                        f"{float(tr.value[v, 0, 0])!r}\n")


if __name__ == "__main__":
    main()
