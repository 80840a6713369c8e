#!/usr/bin/python3
"""tessera's learning layer (bench/learn.cpp) beside scikit-learn, on the same data, one thread.

    learn_sklearn.py make DIR           writes the data and the fixed prediction models (.npy)
    learn_sklearn.py compare DIR JSON   times scikit-learn on DIR, checks that its values agree
                                        with the outputs bench_learn wrote into DIR, and prints
                                        tessera/sklearn ratios from bench_learn's JSON output

bench/learn_compare.sh BUILD_DIR runs both steps and the benchmark in between.

Data (deterministic: numpy's default_rng with the seeds below; sizes of issue 15):
  knn       10^5 training + 10^5 query rows x 16 features, 7 classes (seed 002's temperature
            classes), features lg(MSD(t)/T) at 16 lag times from a two-parameter (vibration,
            diffusion) model per atom plus noise -- correlated features of low intrinsic
            dimension, as seed 002's mobility features; k = 50, uniform weights.
  logistic  10^5 x 60, binary, labels from a logistic model of correlated Gaussian features; C = 1.
  svm       2*10^4 x 100 (seed 003's feature count), binary, RBF, gamma = 'scale', C = 1,
            cache 200 MB, tol 1e-3 (SVC's defaults).
  predict   fixed models, written here and loaded by bench_learn, applied to 10^6 rows x 60
            (logistic; gbt: 100 trees of depth 3 fitted on 2*10^4 rows) and to 10^5 rows x 100
            (svm with ~2000 support vectors; 10^6 rows would take sklearn minutes).
Timing: CPU time (time.process_time, as bench_learn's cpu_time), best of REPEAT runs (default 3; runs longer than 20 s once), with
OMP_NUM_THREADS / OPENBLAS_NUM_THREADS = 1 and threadpoolctl limiting BLAS and OpenMP to one
thread.
"""
import os
import sys

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ[_v] = "1"

import json
import pickle
import time
import warnings

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

TEMPERATURES = np.array([100, 700, 800, 900, 1000, 1200, 1700])
N_KNN, N_LOG, N_SVM, N_PRED, N_SVM_PRED = 100_000, 100_000, 20_000, 1_000_000, 100_000
N_BRUTE = 10_000


def knn_features(rng, n):
    """lg(MSD(t)/T) at 16 lag times, MSD = vibration plateau + 6 D t, per-atom latent parameters."""
    cls = rng.integers(0, len(TEMPERATURES), n)
    T = TEMPERATURES[cls].astype(float)
    t = np.logspace(np.log10(0.2), np.log10(200.0), 16)  # ps
    plateau = 0.01 * (T / 300.0) * np.exp(0.3 * rng.standard_normal(n))  # A^2
    D = 1e-5 * np.exp(6000.0 * (1 / 1000.0 - 1 / T) + 0.8 * rng.standard_normal(n))  # A^2/ps
    msd = plateau[:, None] * (1 - np.exp(-t[None, :] / 0.1)) + 6 * D[:, None] * t[None, :]
    x = np.log10(msd / T[:, None]) + 0.02 * rng.standard_normal((n, 16))
    return np.ascontiguousarray(x), TEMPERATURES[cls].astype(np.int64)


def correlated_gaussian(rng, n, p, mix):
    return np.ascontiguousarray(rng.standard_normal((n, p)) @ mix)


def make(d):
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import SVC

    os.makedirs(d, exist_ok=True)
    rng = np.random.default_rng(15002)
    xtr, ytr = knn_features(rng, N_KNN)
    xq, yq = knn_features(rng, N_KNN)
    np.save(f"{d}/knn_train_x.npy", xtr)
    np.save(f"{d}/knn_train_y.npy", ytr)
    np.save(f"{d}/knn_query_x.npy", xq)

    rng = np.random.default_rng(15060)
    p = 60
    mix = np.eye(p) + 0.3 * rng.standard_normal((p, p)) / np.sqrt(p)
    w = rng.standard_normal(p) / np.sqrt(p) * 1.5
    x = correlated_gaussian(rng, N_LOG, p, mix)
    y = (rng.random(N_LOG) < 1 / (1 + np.exp(-(x @ w + 0.3)))).astype(np.int32)
    np.save(f"{d}/log_x.npy", x)
    np.save(f"{d}/log_y.npy", y)
    xp = correlated_gaussian(rng, N_PRED, p, mix)
    np.save(f"{d}/pred_x.npy", xp)
    # fixed logistic model for the prediction rows: sklearn's optimum on the training rows
    lr = LogisticRegression(C=1.0, solver="newton-cg", tol=1e-8, max_iter=1000).fit(x, y)
    np.save(f"{d}/pred_log_coef.npy", np.ascontiguousarray(lr.coef_.ravel()))
    np.save(f"{d}/pred_log_intercept.npy", lr.intercept_.copy())
    # fixed gbt model: 100 trees of depth 3 on the first 2*10^4 rows
    gb = GradientBoostingClassifier(n_estimators=100, max_depth=3, random_state=0).fit(x[:20000], y[:20000])
    init = gb._raw_predict_init(x[:1])[0]
    np.save(f"{d}/pred_gbt_init.npy", np.asarray(init, dtype=np.float64))
    trees = [gb.estimators_[m, 0].tree_ for m in range(gb.n_estimators_)]
    offs = np.cumsum([0] + [t.node_count for t in trees]).astype(np.int64)
    np.save(f"{d}/pred_gbt_offsets.npy", offs)
    cat = lambda f: np.concatenate([f(t) for t in trees])
    np.save(f"{d}/pred_gbt_children_left.npy", cat(lambda t: t.children_left).astype(np.int64))
    np.save(f"{d}/pred_gbt_children_right.npy", cat(lambda t: t.children_right).astype(np.int64))
    np.save(f"{d}/pred_gbt_feature.npy", cat(lambda t: t.feature).astype(np.int64))
    np.save(f"{d}/pred_gbt_threshold.npy", cat(lambda t: t.threshold).astype(np.float64))
    np.save(f"{d}/pred_gbt_value.npy", cat(lambda t: t.value[:, 0, 0]).astype(np.float64))
    np.save(f"{d}/pred_gbt_impurity.npy", cat(lambda t: t.impurity).astype(np.float64))
    np.save(f"{d}/pred_gbt_n_node_samples.npy", cat(lambda t: t.n_node_samples).astype(np.int64))
    np.save(f"{d}/pred_gbt_weighted_n_node_samples.npy", cat(lambda t: t.weighted_n_node_samples).astype(np.float64))
    with open(f"{d}/pred_gbt.pickle", "wb") as f:
        pickle.dump(gb, f)

    rng = np.random.default_rng(15100)
    p = 100
    lat = rng.standard_normal((N_SVM + N_SVM_PRED, 10))
    load = rng.standard_normal((10, p)) / np.sqrt(10)
    xs = lat @ load + 0.5 * rng.standard_normal((N_SVM + N_SVM_PRED, p))
    score = np.sin(lat[:, 0]) + lat[:, 1] * lat[:, 2] + 0.5 * lat[:, 3] ** 2 + 0.7 * rng.standard_normal(len(lat))
    ys = np.where(score > np.quantile(score, 0.8), 1, -1).astype(np.int32)
    np.save(f"{d}/svm_x.npy", np.ascontiguousarray(xs[:N_SVM]))
    np.save(f"{d}/svm_y.npy", ys[:N_SVM])
    np.save(f"{d}/svm_pred_x.npy", np.ascontiguousarray(xs[N_SVM:]))
    # fixed SVM model for prediction: SVC on the first rows, ~2000 support vectors
    n_fit = 4700
    sv = SVC(C=1.0, gamma="scale").fit(xs[:n_fit], ys[:n_fit])
    np.save(f"{d}/pred_svm_sv.npy", np.ascontiguousarray(sv.support_vectors_))
    np.save(f"{d}/pred_svm_dual_coef.npy", np.ascontiguousarray(sv.dual_coef_.ravel()))
    np.save(f"{d}/pred_svm_intercept.npy", sv.intercept_.copy())
    np.save(f"{d}/pred_svm_n_support.npy", sv.n_support_.astype(np.int64))
    np.save(f"{d}/pred_svm_gamma.npy", np.array([sv._gamma]))
    with open(f"{d}/pred_svm.pickle", "wb") as f:
        pickle.dump(sv, f)
    print(f"made {d}: svm prediction model has {sv.support_vectors_.shape[0]} support vectors")


def best_time(fn, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.process_time()  # CPU time, as Google Benchmark's cpu_time (one thread)
        out = fn()
        times.append(time.process_time() - t0)
        if times[-1] > 20:
            break
    return min(times), out


def compare(d, json_path, repeat):
    from sklearn.linear_model import LogisticRegression
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    with open(json_path) as f:
        bench = json.load(f)
    # Google Benchmark JSON: per name the median aggregate if repetitions were run, else the run
    tess = {}
    for b in bench["benchmarks"]:
        name, agg = b["run_name"].split("/iterations:")[0], b.get("aggregate_name")
        if agg not in (None, "median"):
            continue
        if agg == "median" or name not in tess:
            scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
            tess[name] = b["cpu_time"] * scale
    L = lambda n: np.load(f"{d}/{n}.npy")
    rows, checks = [], []
    # CASES (env): a comma list of knn, logistic, svm, gbt to time only those (default: all)
    cases = set(os.environ.get("CASES", "knn,logistic,svm,gbt").split(","))

    def row(case, tname, sk_label, sk_time, target):
        t = tess.get(tname)
        ratio = sk_time / t if t else float("nan")
        rows.append((case, t, sk_label, sk_time, ratio, target))

    with threadpool_limits(limits=1):
        info = [(i.get("internal_api"), i.get("num_threads"), os.path.basename(i.get("filepath", ""))) for i in threadpool_info()]
        # --- kNN
        xtr, ytr, xq = L("knn_train_x"), L("knn_train_y"), L("knn_query_x")
        tpred = L("out_knn_predict") if "knn" in cases else None
        for alg in ("kd_tree", "brute") if "knn" in cases else ():
            # sklearn's 'auto' takes brute for > 15 features; brute (reference BLAS: ~3 ms/query)
            # is timed on the first N_BRUTE queries and scaled to 10^5 (its cost is linear in them)
            nq = len(xq) if alg == "kd_tree" else N_BRUTE
            m = KNeighborsClassifier(n_neighbors=50, algorithm=alg)
            tf, _ = best_time(lambda: m.fit(xtr, ytr), repeat)
            tp, pred = best_time(lambda: m.predict(xq[:nq]), repeat)
            tp *= len(xq) / nq
            checks.append((f"knn predict vs sklearn {alg} ({nq} queries)",
                           f"{int(np.sum(pred != tpred[:nq]))} of {nq} labels differ"))
            row("kNN fit (index build) 10^5 x 16", "learn/knn_fit", f"KNeighborsClassifier({alg}).fit", tf, "")
            row("kNN classify 10^5 queries vs 10^5 x 16, k = 50", "learn/knn_predict",
                f"KNeighborsClassifier({alg}).predict" + ("" if nq == len(xq) else f" (x{len(xq) // nq} of {nq} queries)"),
                tp, ">= 3x")
        # --- logistic fit
        x, y = L("log_x"), L("log_y")
        if "logistic" in cases:
            tcoef = L("out_log_coef")
            tint = L("out_log_intercept")
            tprob = 1 / (1 + np.exp(-(x @ tcoef + tint[0])))
        for solver, tol in (("lbfgs", 1e-4), ("newton-cg", 1e-4), ("newton-cg", 1e-8)) if "logistic" in cases else ():
            m = LogisticRegression(C=1.0, solver=solver, tol=tol, max_iter=1000)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                tf, _ = best_time(lambda: m.fit(x, y), repeat)
            dp = np.max(np.abs(m.predict_proba(x)[:, 1] - tprob))
            checks.append((f"logistic fit vs sklearn {solver} tol {tol:g} ({m.n_iter_[0]} it)",
                           f"max |P_tessera - P_sklearn| = {dp:.1e}, max |coef diff| = {np.max(np.abs(m.coef_.ravel() - tcoef)):.1e}"))
            row("logistic fit 10^5 x 60, C = 1", "learn/logistic_fit", f"LogisticRegression({solver}, tol={tol:g})", tf,
                ">= 1x (lbfgs)")
        # --- svm fit
        if "svm" in cases:
            xs, ys = L("svm_x"), L("svm_y")
            m = SVC(C=1.0, gamma="scale", cache_size=200, tol=1e-3)
            tf, _ = best_time(lambda: m.fit(xs, ys), min(repeat, 2))
            xsp = L("svm_pred_x")[:20000]
            tdec = L("out_svm_fit_decision")
            dd = np.max(np.abs(m.decision_function(xsp) - tdec))
            checks.append(("svm fit vs SVC", f"{m.support_vectors_.shape[0]} SVs (tessera {int(L('out_svm_fit_nsv')[0])}); "
                           f"max |decision diff| on 2*10^4 new rows = {dd:.1e}"))
            row("SVM fit 2*10^4 x 100, RBF (libsvm both)", "learn/svm_fit", "SVC(cache_size=200).fit", tf, ">= 1x")
        # --- predictions with fixed models
        xp = L("pred_x") if cases & {"logistic", "gbt"} else None
        if "logistic" in cases:
            lr = LogisticRegression()
            lr.classes_ = np.array([0, 1])
            lr.coef_ = L("pred_log_coef")[None, :]
            lr.intercept_ = L("pred_log_intercept")
            tp, prob = best_time(lambda: lr.predict_proba(xp), repeat)
            checks.append(("logistic predict_proba 10^6", f"max |diff| = {np.max(np.abs(prob - L('out_log_proba').reshape(-1, 2))):.1e}"))
            row("logistic predict_proba 10^6 x 60", "learn/logistic_predict_proba", "LogisticRegression.predict_proba", tp, ">= 5x")

        if "gbt" in cases:
            with open(f"{d}/pred_gbt.pickle", "rb") as f:
                gb = pickle.load(f)
            tp, dec = best_time(lambda: gb.decision_function(xp), repeat)
            checks.append(("gbt decision_function 10^6", f"max |diff| = {np.max(np.abs(dec - L('out_gbt_decision'))):.1e}"))
            row("gbt decision_function 10^6 x 60, 100 trees depth 3", "learn/gbt_decision_function",
                "GradientBoostingClassifier.decision_function", tp, ">= 5x")

        if "svm" in cases:
            with open(f"{d}/pred_svm.pickle", "rb") as f:
                sv = pickle.load(f)
            xsp = L("svm_pred_x")
            tp, dec = best_time(lambda: sv.decision_function(xsp), repeat)
            checks.append((f"svm decision_function 10^5 ({sv.support_vectors_.shape[0]} SVs)",
                           f"max |diff| = {np.max(np.abs(dec - L('out_svm_decision'))):.1e} (max |f| {np.max(np.abs(dec)):.1f})"))
            row(f"SVM decision_function 10^5 x 100, {sv.support_vectors_.shape[0]} SVs", "learn/svm_decision_function",
                "SVC.decision_function", tp, ">= 5x")

    print("threadpools:", info)
    print("\nvalues:")
    for c, v in checks:
        print(f"  {c}: {v}")
    print("\n| case | tessera | scikit-learn | sklearn time | sklearn / tessera | target |")
    print("|---|---|---|---|---|---|")
    for case, t, lab, s, r, target in rows:
        ts = f"{t:.3g} s" if t else "—"
        print(f"| {case} | {ts} | `{lab}` | {s:.3g} s | {r:.2f}× | {target} |")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "make":
        make(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3], int(os.environ.get("REPEAT", "3")))
    else:
        sys.exit(__doc__)
