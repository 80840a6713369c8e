#!/usr/bin/python3
"""End-to-end test of `tessera learn fit|predict|score` against scikit-learn on the same data:
a synthetic 3-class table and a real descriptor table (tessera compute on the LAMMPS CuZr glass,
label = atom type). kNN predictions, probabilities and label means identical; logistic
probabilities within 1e-6 (sklearn newton-cg at tol 1e-8, its rounding floor: both converge to the unique optimum
of the same objective); SVM decision values within 1e-4 and >= 99.9 % identical predictions
(libsvm underneath both); gradient boosting (fit, cv, rfe, and a converted scikit-learn model)
identical predictions, probabilities within 1e-12, cv accuracies and rfe rankings identical; EasyEnsemble probabilities are the mean of its logistic learners';
metrics equal sklearn.metrics; bad input fails with a message naming the file.
Usage: check_learn.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
import os
import shutil
import sys

import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checks, run  # noqa: E402

exe, ref, work = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
check = Checks()
W = lambda name: os.path.join(work, name)  # noqa: E731
try:
    from sklearn import metrics, svm
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
    from sklearn.preprocessing import StandardScaler
except ImportError:
    print("scikit-learn missing (Debian python3-sklearn): skipped (exit 77, a ctest skip)")
    sys.exit(77)
warnings.simplefilter("ignore")  # sklearn's ConvergenceWarning at its rounding floor


def t(*args):
    return run(exe, *args)


def write_csv(path, names, cols):
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for row in zip(*cols):
            f.write(",".join(repr(float(v)) if isinstance(v, float) else str(v) for v in row) + "\n")


def read(path):
    return np.genfromtxt(path, delimiter=",", names=True)


# --- data: a synthetic 3-class table, and tessera's own descriptors of the CuZr glass ----------
rng = np.random.default_rng(7)
n, m = 600, 4
centers = np.array([[0, 0, 0, 0], [1.5, 0.5, 0, 1], [0, 1.5, 1, 0.5]])
y = rng.integers(0, 3, n)
X = centers[y] + rng.normal(0, 0.9, (n, m))
X[:, 3] *= 40  # one feature on another scale: the scaler matters
ids = np.arange(1, n + 1)
names = [f"f{j}" for j in range(m)]
train, test = slice(0, 450), slice(450, n)
write_csv(W("train.csv"), ["id"] + names + ["cls"], [ids[train]] + [list(X[train, j]) for j in range(m)] + [y[train] + 1])
write_csv(W("test.csv"), ["id"] + names + ["cls"], [ids[test]] + [list(X[test, j]) for j in range(m)] + [y[test] + 1])
ytr, yte = y[train] + 1, y[test] + 1
sc = StandardScaler().fit(X[train])
Xtr, Xte = sc.transform(X[train]), sc.transform(X[test])

# kNN (uniform weights, k = 15): identical predictions, probabilities and label means
r = t("learn", "fit", "--model", "knn", "--data", W("train.csv"), "--label", "cls", "--k", "15", "-o", W("knn.json"))
check(r.returncode == 0, f"fit knn ({r.stderr.strip()})")
r = t("learn", "predict", W("knn.json"), "--data", W("test.csv"), "-o", W("knn_pred.csv"))
p = read(W("knn_pred.csv"))
sk = KNeighborsClassifier(n_neighbors=15, algorithm="brute").fit(Xtr, ytr)
idx = sk.kneighbors(Xte, return_distance=False)
check(np.array_equal(p["id"], ids[test]) and np.array_equal(p["prediction"], sk.predict(Xte)),
      "knn: ids kept, predictions identical to scikit-learn")
check(np.array_equal(np.column_stack([p[f"proba_{c}"] for c in (1, 2, 3)]), sk.predict_proba(Xte)),
      "knn: probabilities identical")
check(np.abs(p["label_mean"] - ytr[idx].mean(axis=1)).max() < 1e-12, "knn: label_mean = mean label of the k nearest")

# logistic regression, L2, C = 0.5, multinomial
r = t("learn", "fit", "--model", "logistic", "--data", W("train.csv"), "--label", "cls", "--C", "0.5", "-o", W("lr.json"))
check(r.returncode == 0, f"fit logistic ({r.stderr.strip()})")
t("learn", "predict", W("lr.json"), "--data", W("test.csv"), "-o", W("lr_pred.csv"))
p = read(W("lr_pred.csv"))
sk = LogisticRegression(C=0.5, solver="newton-cg", tol=1e-8, max_iter=10000).fit(Xtr, ytr)
dp = np.abs(np.column_stack([p[f"proba_{c}"] for c in (1, 2, 3)]) - sk.predict_proba(Xte)).max()
check(dp < 1e-6 and np.array_equal(p["prediction"], sk.predict(Xte)), f"logistic: probabilities within 1e-6 ({dp:.2e})")

# binary logistic with class_weight balanced: the decision column
yb = (y == 0).astype(int)
write_csv(W("bin_train.csv"), names + ["b"], [list(X[train, j]) for j in range(m)] + [yb[train]])
write_csv(W("bin_test.csv"), names + ["b"], [list(X[test, j]) for j in range(m)] + [yb[test]])
t("learn", "fit", "--model", "logistic", "--data", W("bin_train.csv"), "--label", "b", "--class-weight", "balanced",
  "-o", W("lrb.json"))
t("learn", "predict", W("lrb.json"), "--data", W("bin_test.csv"), "-o", W("lrb_pred.csv"))
p = read(W("lrb_pred.csv"))
sk = LogisticRegression(class_weight="balanced", solver="newton-cg", tol=1e-8, max_iter=10000).fit(Xtr, yb[train])
check(np.abs(p["decision"] - sk.decision_function(Xte)).max() < 1e-6 and np.abs(p["proba_1"] - sk.predict_proba(Xte)[:, 1]).max() < 1e-6,
      "binary logistic (balanced): decision and probability within 1e-6")

# SVM, RBF, C = 2, gamma = 0.3
r = t("learn", "fit", "--model", "svm", "--data", W("bin_train.csv"), "--label", "b", "--C", "2", "--gamma", "0.3",
      "-o", W("svm.json"))
check(r.returncode == 0, f"fit svm ({r.stderr.strip()})")
t("learn", "predict", W("svm.json"), "--data", W("bin_test.csv"), "-o", W("svm_pred.csv"))
p = read(W("svm_pred.csv"))
sk = svm.SVC(C=2, gamma=0.3, kernel="rbf").fit(Xtr, yb[train])
dd = np.abs(p["decision"] - sk.decision_function(Xte)).max()
same = np.mean(p["prediction"] == sk.predict(Xte))
check(dd < 1e-4 and same >= 0.999, f"svm: decision within 1e-4 ({dd:.1e}), predictions {100 * same:.1f} % identical")

# EasyEnsemble of logistic regressions on imbalanced labels: probabilities in [0, 1], sum to 1
yi = (X[:, 0] > 1.3).astype(int)
write_csv(W("imb.csv"), names + ["loose"], [list(X[:, j]) for j in range(m)] + [yi])
r = t("learn", "fit", "--model", "easyensemble", "--data", W("imb.csv"), "--label", "loose", "--seed", "3", "-o", W("ee.json"))
t("learn", "predict", W("ee.json"), "--data", W("imb.csv"), "-o", W("ee_pred.csv"))
p = read(W("ee_pred.csv")) if r.returncode == 0 else None
check(r.returncode == 0 and np.abs(p["proba_0"] + p["proba_1"] - 1).max() < 1e-12
      and metrics.roc_auc_score(yi, p["proba_1"]) > 0.95, f"easyensemble: probabilities sum to 1, AUC > 0.95 ({r.stderr.strip()})")
r2 = t("learn", "fit", "--model", "easyensemble", "--data", W("imb.csv"), "--label", "loose", "--seed", "3", "-o", W("ee2.json"))
check(open(W("ee.json")).read() == open(W("ee2.json")).read(), "easyensemble: the same seed gives the same model file")

# A model saved and loaded predicts bit-identically: predict twice from the file
t("learn", "predict", W("lr.json"), "--data", W("test.csv"), "-o", W("lr_pred2.csv"))
check(open(W("lr_pred.csv")).read() == open(W("lr_pred2.csv")).read(), "predictions from a model file are reproducible")

# score = sklearn.metrics
r = t("learn", "score", "--truth", W("test.csv"), "--label", "cls", "--pred", W("knn_pred.csv"))
got = dict(line.split(",") for line in r.stdout.strip().splitlines()[1:])
pk = read(W("knn_pred.csv"))["prediction"]
check(float(got["accuracy"]) == metrics.accuracy_score(yte, pk)
      and abs(float(got["balanced_accuracy"]) - metrics.balanced_accuracy_score(yte, pk)) < 1e-12
      and abs(float(got["f1_macro"]) - metrics.f1_score(yte, pk, average="macro")) < 1e-12
      and abs(float(got["precision_weighted"]) - metrics.precision_score(yte, pk, average="weighted")) < 1e-12
      and int(got["confusion_1_2"]) == metrics.confusion_matrix(yte, pk)[0, 1], "score: metrics equal sklearn.metrics")

# A real descriptor table: tessera compute on the CuZr glass, label = type (Cu or Zr)
glass = os.path.join(ref, "cuzr_glass.dump")
r = t("compute", glass, "-o", W("desc.csv"), "--coord", "3.4", "--steinhardt", "4,6", "--csp", "12", "--columns",
      "id,type,coord,q4,q6,csp", "-q")
d = read(W("desc.csv"))
write_csv(W("desc_train.csv"), ["coord", "q4", "q6", "csp", "type"], [list(d[c][:3000]) for c in ("coord", "q4", "q6", "csp")] + [list(d["type"][:3000].astype(int))])
r = t("learn", "fit", "--model", "knn", "--data", W("desc_train.csv"), "--label", "type", "--k", "50", "-o", W("glass_knn.json"))
r = t("learn", "predict", W("glass_knn.json"), "--data", W("desc.csv"), "-o", W("glass_pred.csv"))
p = read(W("glass_pred.csv"))
F = np.column_stack([d[c] for c in ("coord", "q4", "q6", "csp")])
s2 = StandardScaler().fit(F[:3000])
sk = KNeighborsClassifier(n_neighbors=50, algorithm="brute").fit(s2.transform(F[:3000]), d["type"][:3000])
check(r.returncode == 0 and np.array_equal(p["prediction"], sk.predict(s2.transform(F))),
      "knn on tessera's own descriptors of a LAMMPS CuZr glass (dump -> csv -> model): identical to sklearn")

# --- scripts/sklearn_to_tessera.py: a model fitted in Python predicts the same in tessera ------
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler  # noqa: E402
from sklearn_to_tessera import save, to_tessera  # noqa: E402

Xtr_raw, Xte_raw = X[train], X[test]
for name, est, exact in (
        ("svc", make_pipeline(StandardScaler(), svm.SVC(C=3, gamma=0.2, probability=True, random_state=0)), False),
        ("lr", make_pipeline(MinMaxScaler(), LogisticRegression(C=2.0, max_iter=1000)), False),
        ("knn", make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=9, weights="distance", p=1)), True)):
    est.fit(Xtr_raw, ytr)
    save(to_tessera(est, names, "cls"), W(f"sk_{name}.json"))
    r = t("learn", "predict", W(f"sk_{name}.json"), "--data", W("test.csv"), "-o", W(f"sk_{name}.csv"))
    if not check(r.returncode == 0, f"sklearn {name} converted and run by tessera ({r.stderr.strip()})"):
        continue
    p = read(W(f"sk_{name}.csv"))
    proba = np.column_stack([p[f"proba_{c}"] for c in (1, 2, 3)])
    dp = np.abs(proba - est.predict_proba(Xte_raw)).max()
    same = np.array_equal(p["prediction"], est.predict(Xte_raw))
    # kNN: identical (same neighbours, same weights); SVC/logistic: the same formula with another
    # summation order (BLAS in sklearn): probabilities within 1e-9.
    check(same and (dp == 0 if exact else dp < 1e-9), f"sklearn {name}: predictions identical, probabilities "
          f"{'identical' if exact else 'within 1e-9'} ({dp:.1e})")

# --- learn cv = GridSearchCV(Pipeline(StandardScaler, model), StratifiedKFold(5)) ---------------
from sklearn.feature_selection import RFE  # noqa: E402
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_predict  # noqa: E402

r = t("learn", "cv", "--model", "logistic", "--data", W("train.csv"), "--label", "cls", "--folds", "5",
      "--grid", "C=0.1,1,10", "-o", W("cv.csv"))
if check(r.returncode == 0, f"learn cv logistic ({r.stderr.strip()})"):
    cv = read(W("cv.csv"))
    gs = GridSearchCV(make_pipeline(StandardScaler(), LogisticRegression(solver="newton-cg", tol=1e-8, max_iter=10000)),
                      {"logisticregression__C": [0.1, 1, 10]}, cv=StratifiedKFold(5),
                      scoring=["accuracy", "f1_macro"], refit=False).fit(Xtr_raw, ytr)
    check(np.array_equal(cv["C"], [0.1, 1, 10])
          and np.array_equal(cv["mean_accuracy"], gs.cv_results_["mean_test_accuracy"])
          and np.abs(cv["mean_f1_macro"] - gs.cv_results_["mean_test_f1_macro"]).max() < 1e-12
          and np.array_equal(cv["std_accuracy"], gs.cv_results_["std_test_accuracy"]),
          "learn cv logistic: mean and std accuracy identical to GridSearchCV, f1_macro within 1e-12")
r = t("learn", "cv", "--model", "knn", "--data", W("train.csv"), "--label", "cls", "--grid", "k=5,15,40")
if check(r.returncode == 0, f"learn cv knn to stdout ({r.stderr.strip()})"):
    rows = [l.split(",") for l in r.stdout.strip().splitlines()]
    gs = GridSearchCV(make_pipeline(StandardScaler(), KNeighborsClassifier(algorithm="brute")),
                      {"kneighborsclassifier__n_neighbors": [5, 15, 40]}, cv=StratifiedKFold(5)).fit(Xtr_raw, ytr)
    check(rows[0][:2] == ["k", "mean_accuracy"] and [float(x[1]) for x in rows[1:]] == list(gs.cv_results_["mean_test_score"]),
          "learn cv knn: mean accuracy identical to GridSearchCV")

# --- learn cv --predictions = cross_val_predict(Pipeline(StandardScaler, best model), StratifiedKFold)
r = t("learn", "cv", "--model", "knn", "--data", W("train.csv"), "--label", "cls", "--grid", "k=5,15,40",
      "-o", W("cv_knn.csv"), "--predictions", W("cv_knn_pred.csv"))
if check(r.returncode == 0, f"learn cv knn --predictions ({r.stderr.strip()})"):
    cvk, pr = read(W("cv_knn.csv")), read(W("cv_knn_pred.csv"))
    kbest = int(cvk["k"][int(np.argmax(cvk["mean_accuracy"]))])  # argmax: the first on a tie, as best_index_
    skf = StratifiedKFold(5)
    fold_ref = np.zeros(len(ytr), int)
    for f_, (_, te) in enumerate(skf.split(Xtr_raw, ytr)):
        fold_ref[te] = f_
    pipe = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=kbest, algorithm="brute"))
    reg = make_pipeline(StandardScaler(), KNeighborsRegressor(n_neighbors=kbest, algorithm="brute"))
    check(np.array_equal(pr["row"], np.arange(len(ytr))) and np.array_equal(pr["id"], ids[train])
          and np.array_equal(pr["fold"], fold_ref) and np.array_equal(pr["cls"], ytr),
          "learn cv --predictions: rows in data order, ids, the true labels and StratifiedKFold's folds")
    check(np.array_equal(pr["prediction"], cross_val_predict(pipe, Xtr_raw, ytr, cv=skf)),
          f"learn cv --predictions knn (k = {kbest}): identical to cross_val_predict")
    check(np.array_equal(np.column_stack([pr[f"proba_{c}"] for c in (1, 2, 3)]),
                         cross_val_predict(pipe, Xtr_raw, ytr, cv=skf, method="predict_proba")),
          "learn cv --predictions knn: probabilities identical to cross_val_predict(predict_proba)")
    # the mean of the same k labels, summed in another order: 1e-12
    check(np.abs(pr["label_mean"] - cross_val_predict(reg, Xtr_raw, ytr, cv=skf)).max() < 1e-12,
          "learn cv --predictions knn: label_mean = cross_val_predict(KNeighborsRegressor) within 1e-12")
    fold_acc = [np.mean(pr["prediction"][pr["fold"] == f_] == ytr[pr["fold"] == f_]) for f_ in range(5)]
    check(abs(np.mean(fold_acc) - cvk["mean_accuracy"].max()) < 1e-15,
          "learn cv --predictions: the folds' accuracies average to the best row's mean_accuracy")
r = t("learn", "cv", "--model", "logistic", "--data", W("train.csv"), "--label", "cls", "--C", "1",
      "--predictions", W("cv_log_pred.csv"))
if check(r.returncode == 0, f"learn cv logistic --predictions, scores to stdout ({r.stderr.strip()})"):
    pr = read(W("cv_log_pred.csv"))
    lr = make_pipeline(StandardScaler(), LogisticRegression(C=1, solver="newton-cg", tol=1e-8, max_iter=10000))
    pp = cross_val_predict(lr, Xtr_raw, ytr, cv=StratifiedKFold(5), method="predict_proba")
    # as the logistic fit above: the same optimum to sklearn's rounding floor
    check(np.abs(np.column_stack([pr[f"proba_{c}"] for c in (1, 2, 3)]) - pp).max() < 1e-6
          and np.array_equal(pr["prediction"], np.array([1, 2, 3])[np.argmax(pp, axis=1)]),
          "learn cv --predictions logistic: probabilities within 1e-6 of cross_val_predict, same classes")
r = t("learn", "cv", "--model", "knn", "--data", W("train.csv"), "--label", "cls", "--k", "15",
      "--predictions", W("cv_knn_pred2.csv"))
lines = r.stdout.strip().splitlines()
check(r.returncode == 0 and lines[0].startswith("k,mean_accuracy") and len(lines) == 2,
      f"learn cv --predictions FILE without -o: stdout is the scores table only ({lines[-1:]})")
r = t("learn", "cv", "--model", "knn", "--data", W("train.csv"), "--label", "cls", "--predictions", "-")
check(r.returncode == 2 and "--predictions" in r.stderr, "learn cv --predictions - with the scores on stdout: usage error")
r = t("learn", "cv", "--model", "knn", "--data", W("train.csv"), "--label", "cls", "-o", W("same.csv"),
      "--predictions", W("same.csv"))
check(r.returncode == 2 and "--predictions" in r.stderr and not os.path.exists(W("same.csv")),
      f"learn cv: --predictions equal to -o is a usage error ({r.stderr.strip()})")


# --- learn relieff = the ReliefF formula (learn/feature_selection.hpp), written here in NumPy -----
def relieff_ref(Xf, yf, k):
    """Robnik-Sikonja & Kononenko 2003 Fig. 3 with m = n: range-scaled Manhattan distance, k
    nearest hits and k nearest misses of each other class (ties: lower row), miss terms weighted
    by P(C) / (1 - P(y_i))."""
    Z = (Xf - Xf.min(0)) / np.ptp(Xf, 0)
    cl, cnt = np.unique(yf, return_counts=True)
    prior = dict(zip(cl, cnt / len(yf)))
    Wr = np.zeros(Xf.shape[1])
    for i in range(len(yf)):
        d = np.abs(Z - Z[i]).sum(1)
        d[i] = np.inf
        for c in cl:
            idx = np.flatnonzero(yf == c)
            idx = idx[np.argsort(d[idx], kind="stable")[:k]]
            s_ = np.abs(Z[idx] - Z[i]).mean(0)
            Wr += -s_ if c == yf[i] else prior[c] / (1 - prior[yf[i]]) * s_
    return Wr / len(yf)


Xrf = np.column_stack([X[:300], rng.normal(0, 1, 300)])
write_csv(W("relieff.csv"), ["id"] + names + ["noise", "cls"],
          [ids[:300]] + [list(Xrf[:, j]) for j in range(m + 1)] + [y[:300] + 1])
r = t("learn", "relieff", "--data", W("relieff.csv"), "--label", "cls", "--k", "7", "-o", W("relieff_w.csv"))
if check(r.returncode == 0, f"learn relieff ({r.stderr.strip()})"):
    rows = [l.split(",") for l in open(W("relieff_w.csv")).read().splitlines()]
    wt = np.array([float(x[1]) for x in rows[1:]])
    wref = relieff_ref(Xrf, y[:300] + 1, 7)
    # the same sums in another order (per class, then per row): 1e-12 relative to the largest weight
    check(rows[0] == ["feature", "weight", "rank"] and [x[0] for x in rows[1:]] == names + ["noise"]
          and np.abs(wt - wref).max() < 1e-12 * np.abs(wref).max(),
          f"learn relieff: weights equal the NumPy formula within 1e-12 ({np.round(wref, 4).tolist()})")
    check([int(x[2]) for x in rows[1:]] == list(np.argsort(np.argsort(-wref, kind="stable"), kind="stable") + 1)
          and int(rows[-1][2]) == m + 1, "learn relieff: ranks by decreasing weight, the noise column last")
r = t("learn", "relieff", "--data", W("relieff.csv"), "--label", "noise")
check(r.returncode != 0 and "relieff.csv" in r.stderr and "not an integer class label" in r.stderr,
      f"learn relieff: a non-integer label column is refused, naming the file ({r.stderr.strip()})")

# --- learn rfe = RFE(LogisticRegression) on standardized features ------------------------------
Xr = np.column_stack([X[:, j] for j in range(m)] + [rng.normal(0, 1, n) for _ in range(4)])
rnames = names + [f"noise{j}" for j in range(4)]
write_csv(W("rfe.csv"), rnames + ["cls"], [list(Xr[:, j]) for j in range(len(rnames))] + [y + 1])
r = t("learn", "rfe", "--model", "logistic", "--data", W("rfe.csv"), "--label", "cls", "--n-features", "3", "-o", W("rank.csv"))
if check(r.returncode == 0, f"learn rfe logistic ({r.stderr.strip()})"):
    rk = [l.split(",") for l in open(W("rank.csv")).read().splitlines()[1:]]
    sk = RFE(LogisticRegression(solver="newton-cg", tol=1e-8, max_iter=10000), n_features_to_select=3).fit(
        StandardScaler().fit_transform(Xr), y + 1)
    check([x[0] for x in rk] == rnames and [int(x[1]) for x in rk] == list(sk.ranking_)
          and [x[2] == "1" for x in rk] == list(sk.support_), f"learn rfe: ranking identical to sklearn RFE ({sk.ranking_})")

# --- gbt = GradientBoostingClassifier ------------------------------------------------------------
# scikit-learn runs in a child process with NumPy's AVX-512 exp/log loops disabled when the CPU has
# them (they differ from the C library's by 1 ulp, which can flip exactly tied splits; see
# include/tessera/learn/gradient_boosting.hpp): then tessera's fit is scikit-learn's to the bit.
import json  # noqa: E402
import subprocess  # noqa: E402

SKLEARN_GBT = r"""
import json, sys
import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.feature_selection import RFE
from sklearn.model_selection import GridSearchCV, StratifiedKFold
a = json.load(open(sys.argv[1]))
def table(path, label):
    d = np.genfromtxt(path, delimiter=",", names=True)
    return np.column_stack([d[c] for c in a["features"]]), d[label].astype(int)
X, y = table(a["train"], a["label"])
out = {}
if a["task"] == "fit":
    g = GradientBoostingClassifier(**a["params"]).fit(X, y)
    Xq, _ = table(a["test"], a["label"])
    out = {"proba": g.predict_proba(Xq).tolist(), "pred": g.predict(Xq).tolist(),
           "decision": g.decision_function(Xq).tolist()}
elif a["task"] == "cv":
    gs = GridSearchCV(GradientBoostingClassifier(**a["params"]), a["grid"], cv=StratifiedKFold(5),
                      scoring=["accuracy", "f1_macro"], refit=False).fit(X, y)
    out = {"params": [dict(p) for p in gs.cv_results_["params"]],
           "accuracy": gs.cv_results_["mean_test_accuracy"].tolist(),
           "f1_macro": gs.cv_results_["mean_test_f1_macro"].tolist()}
else:
    out = {"ranking": RFE(GradientBoostingClassifier(**a["params"]), n_features_to_select=a["n"]).fit(X, y).ranking_.tolist()}
json.dump(out, open(sys.argv[2], "w"))
"""


def sklearn_gbt(tag, **args):
    env = dict(os.environ)
    if "avx512f" in open("/proc/cpuinfo").read():
        env["NPY_DISABLE_CPU_FEATURES"] = "AVX512F AVX512CD AVX512_SKX AVX512_CLX AVX512_CNL AVX512_ICL"
    json.dump(args, open(W(f"{tag}_args.json"), "w"))
    subprocess.run([sys.executable, "-c", SKLEARN_GBT, W(f"{tag}_args.json"), W(f"{tag}_sk.json")], env=env, check=True)
    return json.load(open(W(f"{tag}_sk.json")))


r = t("learn", "fit", "--model", "gbt", "--scale", "none", "--data", W("train.csv"), "--label", "cls", "--features",
      ",".join(names), "--n-estimators", "40", "--learning-rate", "0.2", "--max-depth", "4", "--seed", "3", "-o", W("gbt.json"))
if check(r.returncode == 0, f"fit gbt 3 classes ({r.stderr.strip()})"):
    t("learn", "predict", W("gbt.json"), "--data", W("test.csv"), "-o", W("gbt_pred.csv"))
    p = read(W("gbt_pred.csv"))
    sk = sklearn_gbt("gbt3", task="fit", train=W("train.csv"), test=W("test.csv"), label="cls", features=names,
                     params={"n_estimators": 40, "learning_rate": 0.2, "max_depth": 4, "random_state": 3})
    proba = np.column_stack([p[f"proba_{c}"] for c in (1, 2, 3)])
    rel = np.abs(proba - np.array(sk["proba"])).max()
    check(np.array_equal(p["prediction"], sk["pred"]) and rel <= 1e-12,
          f"gbt (3 classes, 40 stages, depth 4, rate 0.2): predictions identical, probabilities within 1e-12 ({rel:.1e})")
r = t("learn", "fit", "--model", "gbt", "--scale", "none", "--data", W("bin_train.csv"), "--label", "b", "-o", W("gbtb.json"))
if check(r.returncode == 0, f"fit gbt binary, default 100 stages ({r.stderr.strip()})"):
    t("learn", "predict", W("gbtb.json"), "--data", W("bin_test.csv"), "-o", W("gbtb_pred.csv"))
    p = read(W("gbtb_pred.csv"))
    sk = sklearn_gbt("gbt2", task="fit", train=W("bin_train.csv"), test=W("bin_test.csv"), label="b", features=names,
                     params={"random_state": 0})
    dd = np.abs(p["decision"] - np.array(sk["decision"])).max()
    check(len(json.load(open(W("gbtb.json")))["gbt"]["trees"]) == 100 and np.array_equal(p["prediction"], sk["pred"])
          and dd <= 1e-12 * np.abs(sk["decision"]).max(),
          f"gbt binary (defaults: 100 stages): predictions identical, decision within 1e-12 relative ({dd:.1e})")
r = t("learn", "cv", "--model", "gbt", "--scale", "none", "--data", W("train.csv"), "--label", "cls", "--features",
      ",".join(names), "--grid", "n_estimators=10,30", "--grid", "max_depth=2,3", "-o", W("gbt_cv.csv"))
if check(r.returncode == 0, f"learn cv gbt ({r.stderr.strip()})"):
    cv = read(W("gbt_cv.csv"))
    sk = sklearn_gbt("gbtcv", task="cv", train=W("train.csv"), label="cls", features=names, params={"random_state": 0},
                     grid={"n_estimators": [10, 30], "max_depth": [2, 3]})
    ok = len(cv) == 4
    for prm, acc, f1 in zip(sk["params"], sk["accuracy"], sk["f1_macro"]):
        row = cv[(cv["n_estimators"] == prm["n_estimators"]) & (cv["max_depth"] == prm["max_depth"])]
        ok = ok and len(row) == 1 and row["mean_accuracy"][0] == acc and abs(row["mean_f1_macro"][0] - f1) < 1e-12
    check(ok, "learn cv gbt: mean accuracy identical to GridSearchCV(GradientBoostingClassifier), f1_macro within 1e-12")
r = t("learn", "rfe", "--model", "gbt", "--scale", "none", "--n-estimators", "30", "--data", W("rfe.csv"), "--label", "cls",
      "--n-features", "3", "-o", W("gbt_rank.csv"))
if check(r.returncode == 0, f"learn rfe gbt ({r.stderr.strip()})"):
    rk = [l.split(",") for l in open(W("gbt_rank.csv")).read().splitlines()[1:]]
    sk = sklearn_gbt("gbtrfe", task="rfe", train=W("rfe.csv"), label="cls", features=rnames,
                     params={"n_estimators": 30, "random_state": 0}, n=3)
    check([int(x[1]) for x in rk] == sk["ranking"],
          f"learn rfe gbt: ranking identical to RFE(GradientBoostingClassifier) ({sk['ranking']})")
from sklearn.ensemble import GradientBoostingClassifier  # noqa: E402
est = make_pipeline(StandardScaler(), GradientBoostingClassifier(n_estimators=30, max_depth=2, random_state=1))
est.fit(Xtr_raw, ytr)
save(to_tessera(est, names, "cls"), W("sk_gbt.json"))
r = t("learn", "predict", W("sk_gbt.json"), "--data", W("test.csv"), "-o", W("sk_gbt.csv"))
if check(r.returncode == 0, f"sklearn GradientBoostingClassifier converted and run by tessera ({r.stderr.strip()})"):
    p = read(W("sk_gbt.csv"))
    dp = np.abs(np.column_stack([p[f"proba_{c}"] for c in (1, 2, 3)]) - est.predict_proba(Xte_raw)).max()
    check(np.array_equal(p["prediction"], est.predict(Xte_raw)) and dp < 1e-12,
          f"sklearn gbt (Pipeline with StandardScaler) converted: predictions identical, probabilities within 1e-12 ({dp:.1e})")

# --- bad input ---------------------------------------------------------------------------------
r = t("learn", "fit", "--model", "knn", "--data", W("train.csv"), "--label", "nope", "-o", W("x.json"))
check(r.returncode == 2 and "nope" in r.stderr, "missing label column named")
open(W("bad.csv"), "w").write("a,b,cls\n1,2,1\n3,Cu,2\n")
r = t("learn", "fit", "--model", "knn", "--data", W("bad.csv"), "--label", "cls", "--k", "1", "-o", W("x.json"))
check(r.returncode == 1 and "bad.csv:3" in r.stderr and "'b'" in r.stderr, f"non-numeric cell: file, line, column ({r.stderr.strip()})")
open(W("nan.csv"), "w").write("a,b,cls\n1,2,1\n3,nan,2\n")
r = t("learn", "fit", "--model", "logistic", "--data", W("nan.csv"), "--label", "cls", "-o", W("x.json"))
check(r.returncode == 1 and "nan.csv" in r.stderr and "nan.csv:3: column 'b'" in r.stderr, f"NaN feature named by its line ({r.stderr.strip()})")
open(W("one.csv"), "w").write("a,cls\n1,1\n2,1\n")
r = t("learn", "fit", "--model", "logistic", "--data", W("one.csv"), "--label", "cls", "-o", W("x.json"))
check(r.returncode == 1 and "single class" in r.stderr, "a single class")
open(W("two.csv"), "w").write("a,cls\n1,1\n2,2\n")
r = t("learn", "fit", "--model", "knn", "--data", W("two.csv"), "--label", "cls", "--k", "5", "-o", W("x.json"))
check(r.returncode != 0 and "--k 5" in r.stderr, "fewer rows than k")
write_csv(W("other.csv"), ["g0", "g1"], [[1.0, 2.0], [3.0, 4.0]])
r = t("learn", "predict", W("lr.json"), "--data", W("other.csv"), "-o", W("x.csv"))
check(r.returncode != 0 and "f0" in r.stderr and "other.csv" in r.stderr, "data without the model's features")
open(W("corrupt.json"), "w").write('{"format": "tessera-model", "version": 1, "model": "svm"')
r = t("learn", "predict", W("corrupt.json"), "--data", W("test.csv"), "-o", W("x.csv"))
check(r.returncode == 1 and "corrupt.json" in r.stderr and not os.path.exists(W("x.csv")), "a corrupt model file")
check.finish()
