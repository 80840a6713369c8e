#!/usr/bin/python3
"""Reference data for tests/learn/{knn,scaler,metrics}.cpp, made with scikit-learn 1.2.1.

Run with Debian's python (plain `python3` may lack numpy):

    /usr/bin/python3 tests/reference/learn/make_knn_reference.py

Writes, beside this script (all floats as repr(), i.e. round-trip exact doubles):

  knn_<set>_train.csv    features..., label (int), target (float)     training rows
  knn_<set>_query.csv    features..., label (int)                     query rows
  knn_<set>_<metric>_<weights>_k<k>.csv
                         pred (classifier), reg (regressor predict), mean (uniform label mean
                         of the targets = regressor with uniform weights), p<c>... (predict_proba,
                         classes ascending), n<j>... (the k neighbour indices, sorted ascending:
                         a set, sklearn's order within equal distances is an unstable sort's)
  scaler_input.csv / scaler_expected.txt   StandardScaler / MinMaxScaler parameters and outputs
  metrics_input.csv / metrics_expected.txt sklearn.metrics values

Data sets:
  int   integer-valued features in {0..3}: many exact distance ties, queries that coincide with
        training rows (distance weights 1/0). Ties at the k-th distance are resolved by
        sklearn's heap (see include/tessera/learn/knn.hpp).
  real  Gaussian features: no ties.
  cuzr  per-atom features of the Cu50Zr50 glass tests/reference/cuzr_glass.dump (first frame):
        numbers of Cu and of Zr neighbours in the shells [0, 2.9), [2.9, 3.4), [3.4, 4.0) Å
        (periodic minimum image); label = atom type, target = total neighbours within 4.0 Å.
        Atoms 1-800 (by id) train, 801-920 query. Integer features: many ties.

sklearn runs single-threaded (OMP_NUM_THREADS=1, set before numpy/sklearn load): with more
threads and few queries its brute-force search merges per-thread heaps ('parallel_on_Y') and
the outcome of exact ties can depend on the thread count.
"""
import os

os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
import sklearn  # noqa: E402
from sklearn import metrics  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
assert sklearn.__version__ == "1.2.1", sklearn.__version__


def fmt(v):
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)


def write_csv(name, header, rows):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(fmt(v) for v in r) + "\n")


def knn_set(name, Xtr, ytr, ttr, Xq, yq, configs):
    m = Xtr.shape[1]
    write_csv(f"knn_{name}_train.csv", [f"f{j}" for j in range(m)] + ["label", "target"],
              [list(Xtr[i]) + [int(ytr[i]), float(ttr[i])] for i in range(len(Xtr))])
    write_csv(f"knn_{name}_query.csv", [f"f{j}" for j in range(m)] + ["label"],
              [list(Xq[i]) + [int(yq[i])] for i in range(len(Xq))])
    for metric, weights, k in configs:
        c = KNeighborsClassifier(n_neighbors=k, weights=weights, metric=metric, algorithm="brute").fit(Xtr, ytr)
        r = KNeighborsRegressor(n_neighbors=k, weights=weights, metric=metric, algorithm="brute").fit(Xtr, ttr)
        u = KNeighborsRegressor(n_neighbors=k, weights="uniform", metric=metric, algorithm="brute").fit(Xtr, ttr)
        pred, proba = c.predict(Xq), c.predict_proba(Xq)
        reg, mean = r.predict(Xq), u.predict(Xq)
        _, nb = c.kneighbors(Xq)
        nb2 = r.kneighbors(Xq, return_distance=False)
        assert (np.sort(nb, axis=1) == np.sort(nb2, axis=1)).all()
        header = ["pred", "reg", "mean"] + [f"p{cl}" for cl in c.classes_] + [f"n{j}" for j in range(k)]
        rows = [[int(pred[i]), reg[i], mean[i]] + list(proba[i]) + [int(v) for v in np.sort(nb[i])]
                for i in range(len(Xq))]
        write_csv(f"knn_{name}_{metric}_{weights}_k{k}.csv", header, rows)


def cuzr_features():
    path = os.path.join(HERE, "..", "cuzr_glass.dump")
    with open(path) as f:
        lines = f.read().splitlines()
    n = int(lines[3])
    lo_hi = np.array([[float(v) for v in lines[5 + d].split()[:2]] for d in range(3)])
    L = lo_hi[:, 1] - lo_hi[:, 0]
    cols = lines[8].split()[2:]
    data = np.array([[float(v) for v in line.split()] for line in lines[9:9 + n]])
    data = data[np.argsort(data[:, cols.index("id")])]
    typ = data[:, cols.index("type")].astype(int)
    pos = data[:, [cols.index("x"), cols.index("y"), cols.index("z")]]
    shells = [0.0, 2.9, 3.4, 4.0]
    feats = np.zeros((n, 6), dtype=np.int64)
    within4 = np.zeros(n, dtype=np.int64)
    for i in range(n):
        d = pos - pos[i]
        d -= L * np.round(d / L)
        r = np.sqrt((d * d).sum(axis=1))
        r[i] = np.inf
        for s in range(3):
            inside = (r >= shells[s]) & (r < shells[s + 1])
            feats[i, 2 * s] = np.count_nonzero(inside & (typ == 1))
            feats[i, 2 * s + 1] = np.count_nonzero(inside & (typ == 2))
        within4[i] = np.count_nonzero(r < 4.0)
    return feats.astype(float), typ, within4.astype(float)


def main():
    rng = np.random.default_rng(20261206)
    configs = [(m, w, k) for m in ("euclidean", "manhattan") for w in ("uniform", "distance") for k in (7,)]

    # int: 4 integer features in {0..3}; 10 of the queries are training rows
    Xtr = rng.integers(0, 4, size=(300, 4)).astype(float)
    ytr = rng.integers(0, 3, size=300) * 2 + 1  # classes 1, 3, 5
    ttr = np.round(rng.normal(300.0, 50.0, size=300), 3)
    Xq = rng.integers(0, 4, size=(100, 4)).astype(float)
    Xq[:10] = Xtr[rng.choice(300, 10, replace=False)]
    yq = rng.integers(0, 3, size=100) * 2 + 1
    knn_set("int", Xtr, ytr, ttr, Xq, yq, configs)

    # real: Gaussian features, class depends on the first two features
    Xtr = np.round(rng.normal(size=(200, 6)), 4)  # 4 decimals: short files, still inexact doubles
    ytr = (Xtr[:, 0] > 0).astype(int) + (Xtr[:, 1] > 0.5).astype(int)
    ttr = np.round(1000.0 * Xtr[:, 0] + rng.normal(size=200), 4)
    Xq = np.round(rng.normal(size=(80, 6)), 4)
    yq = (Xq[:, 0] > 0).astype(int) + (Xq[:, 1] > 0.5).astype(int)
    knn_set("real", Xtr, ytr, ttr, Xq, yq, configs + [("euclidean", "uniform", 50)])

    # cuzr: descriptor table from the glass
    feats, typ, within4 = cuzr_features()
    knn_set("cuzr", feats[:800], typ[:800], within4[:800], feats[800:920], typ[800:920],
            [("euclidean", "uniform", 50), ("euclidean", "distance", 10), ("manhattan", "uniform", 15)])

    # scaler: 40 x 5, one constant column, one near-constant, mixed scales
    X = rng.normal(size=(40, 5)) * np.array([1.0, 1e3, 1e-3, 1.0, 1.0]) + np.array([0.0, 5e3, 1.0, 7.0, 0.0])
    X[:, 3] = 7.25
    X[:, 4] = 0.1 + np.where(np.arange(40) % 2 == 0, 0.0, 1e-17)
    ss, mm = StandardScaler().fit(X), MinMaxScaler().fit(X)
    write_csv("scaler_input.csv", [f"f{j}" for j in range(5)], [list(r) for r in X])
    with open(os.path.join(HERE, "scaler_expected.txt"), "w") as f:
        for key, arr in [("std_mean", ss.mean_), ("std_var", ss.var_), ("std_scale", ss.scale_),
                         ("std_transform", ss.transform(X).ravel()),
                         ("mm_min", mm.min_), ("mm_scale", mm.scale_), ("mm_data_min", mm.data_min_),
                         ("mm_data_max", mm.data_max_), ("mm_transform", mm.transform(X).ravel())]:
            f.write(key + " " + " ".join(fmt(v) for v in arr) + "\n")

    # metrics on the real set's k=7 classifier (3 classes, proba with zeros) and a binary score
    Xtr, Xq = np.loadtxt(os.path.join(HERE, "knn_real_train.csv"), delimiter=",", skiprows=1), \
        np.loadtxt(os.path.join(HERE, "knn_real_query.csv"), delimiter=",", skiprows=1)
    c = KNeighborsClassifier(n_neighbors=7, algorithm="brute").fit(Xtr[:, :6], Xtr[:, 6].astype(int))
    y_true = Xq[:, 6].astype(int)
    y_pred = c.predict(Xq[:, :6])
    y_pred[:3] = 7  # a label never true: its recall and precision are 0/0 or 0/n
    proba = c.predict_proba(Xq[:, :6])
    score_ties = proba[:, 1]  # multiples of 1/7: many ties
    score_cont = np.round(np.abs(Xq[:, 1] - 0.25) * -1 + 0.3 * rng.normal(size=len(Xq)), 6)
    bin_true = (y_true == 1).astype(int)
    write_csv("metrics_input.csv", ["y_true", "y_pred", "bin_true", "score_ties", "score_cont", "p0", "p1", "p2"],
              [[y_true[i], y_pred[i], bin_true[i], score_ties[i], score_cont[i]] + list(proba[i])
               for i in range(len(y_true))])
    labels = np.unique(np.r_[y_true, y_pred])
    out = [("labels", labels),
           ("accuracy", [metrics.accuracy_score(y_true, y_pred)]),
           ("balanced_accuracy", [metrics.balanced_accuracy_score(y_true, y_pred)]),
           ("confusion", metrics.confusion_matrix(y_true, y_pred).ravel())]
    for avg in (None, "macro", "weighted"):
        p, r, f, s = metrics.precision_recall_fscore_support(y_true, y_pred, average=avg, zero_division=0)
        tag = avg or "class"
        out += [(f"precision_{tag}", np.atleast_1d(p)), (f"recall_{tag}", np.atleast_1d(r)),
                (f"f1_{tag}", np.atleast_1d(f))]
    out += [("log_loss", [metrics.log_loss(y_true, proba, labels=[0, 1, 2])])]
    for tag, score in (("ties", score_ties), ("cont", score_cont)):
        fpr, tpr, thr = metrics.roc_curve(bin_true, score)
        out += [(f"roc_{tag}_fpr", fpr), (f"roc_{tag}_tpr", tpr), (f"roc_{tag}_thr", thr),
                (f"auc_{tag}", [metrics.roc_auc_score(bin_true, score)])]
        fpr, tpr, thr = metrics.roc_curve(bin_true, score, drop_intermediate=False)
        out += [(f"roc_{tag}_full_fpr", fpr), (f"roc_{tag}_full_thr", thr)]
    with open(os.path.join(HERE, "metrics_expected.txt"), "w") as f:
        for key, arr in out:
            f.write(key + " " + " ".join(fmt(v) for v in arr) + "\n")


if __name__ == "__main__":
    main()
