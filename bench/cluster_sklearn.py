#!/usr/bin/python3
"""scikit-learn / SciPy side of bench/cluster_sklearn.cpp (issue 18, performance).

Reads the inputs and tessera's results that bench_cluster_sklearn wrote (raw float64 files in
DIR), fits the same models with the reference on one thread, checks that the results agree, and
prints times and ratios (reference CPU time / tessera CPU time; > 1 means tessera is faster).

    bench/cluster_sklearn.py DIR [--tessera-json FILE] [--repetitions R] [--only REGEX]

FILE is Google Benchmark's --benchmark_out JSON of bench_cluster_sklearn; without it only the
reference times and the checks are printed. --only runs the cases whose name ("kmeans",
"gmm", "ward 20000", "single 5000") matches REGEX. Times are CPU seconds (time.process_time) of one
fit, the median of R repetitions; OpenBLAS/OpenMP are held to one thread (environment +
threadpoolctl).

Checks (exit status 1 if one fails):
  k-means, lloyd and elkan from the same centres: the same iteration count, inertia within 1e-9
    relative, centres within 1e-9 (sklearn centres X and uses ||c||^2 - 2 x.c through BLAS;
    tessera sums (x - c)^2 directly, so they agree to rounding, not bitwise);
  GMM full from the same responsibilities, tol = 0 (both run max_iter iterations): lower bound
    within 1e-8 relative, means within 1e-8;
  Ward and single linkage: the same merges (a, b, size) and heights within 1e-12 relative.
"""
import os
import re

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402
from scipy.cluster.hierarchy import linkage  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - the environment variables above still apply
    threadpool_limits = None

COLS = 8
TARGETS = {  # case -> (tessera benchmark, minimum ratio reference / tessera)
    "kmeans lloyd": ("kmeans/default", 2.0),
    "kmeans elkan": ("kmeans/default", 2.0),
    "gmm full": ("gmm_full", 1.0),
}
failures = []


def load(d, name, cols=None):
    a = np.fromfile(os.path.join(d, name), dtype="<f8")
    return a.reshape(-1, cols) if cols else a


def timed(fn, reps):
    cpu, result = [], None
    for _ in range(reps):
        t0 = time.process_time()
        result = fn()
        cpu.append(time.process_time() - t0)
    return statistics.median(cpu), result


def check(what, ok, detail):
    print(f"  check {what}: {'ok' if ok else 'FAILED'} ({detail})")
    if not ok:
        failures.append(what)


def rel(a, b):
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def tessera_times(path):
    """Median CPU seconds per run name from Google Benchmark JSON (repetitions or aggregates)."""
    if not path:
        return {}
    with open(path) as f:
        data = json.load(f)
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    runs, medians = {}, {}
    for b in data["benchmarks"]:
        name = b["run_name"].replace("/iterations:1", "")
        t = b["cpu_time"] * scale[b.get("time_unit", "ns")]
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[name] = t
        else:
            runs.setdefault(name, []).append(t)
    out = {k: statistics.median(v) for k, v in runs.items()}
    out.update(medians)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--tessera-json")
    ap.add_argument("--repetitions", type=int, default=3)
    ap.add_argument("--only", default="")
    args = ap.parse_args()
    want = re.compile(args.only)
    d, reps = args.dir, args.repetitions
    warnings.simplefilter("ignore", ConvergenceWarning)
    ref = {}

    if want.search("kmeans"):
        kmeans_cases(d, reps, ref)
    if want.search("gmm"):
        gmm_case(d, reps, ref)
    agglomerative_cases(d, reps, ref, want)
    report(ref, tessera_times(args.tessera_json))
    if failures:
        print("FAILED checks:", ", ".join(failures))
        return 1
    print("all checks passed")
    return 0


def kmeans_cases(d, reps, ref):
    x = load(d, "kmeans_x.f64", COLS)
    init = load(d, "kmeans_init.f64", COLS)
    inertia, iters = load(d, "kmeans_tessera.f64")
    centres = load(d, "kmeans_tessera_centers.f64", COLS)
    print(f"k-means {x.shape[0]} x {x.shape[1]}, k = {init.shape[0]}: tessera inertia {inertia:.17g}, {int(iters)} iterations")
    for algo in ("lloyd", "elkan"):
        def fit(algo=algo):
            return KMeans(n_clusters=init.shape[0], init=init, n_init=1, max_iter=300, tol=1e-4,
                          algorithm=algo).fit(x)
        t, km = timed(fit, reps)
        ref[f"kmeans {algo}"] = t
        print(f"  sklearn {algo}: {t * 1e3:.0f} ms CPU, {km.n_iter_} iterations, inertia {km.inertia_:.17g}")
        check(f"kmeans {algo} iterations", km.n_iter_ == int(iters), f"{km.n_iter_} vs {int(iters)}")
        check(f"kmeans {algo} inertia", rel(km.inertia_, inertia) <= 1e-9, f"rel {rel(km.inertia_, inertia):.2e}")
        dc = np.max(np.abs(km.cluster_centers_ - centres))
        check(f"kmeans {algo} centres", dc <= 1e-9, f"max |diff| {dc:.2e}")


def gmm_case(d, reps, ref):
    """GMM, full covariance, from the same responsibilities."""
    x = load(d, "gmm_x.f64", COLS)
    resp = load(d, "gmm_resp.f64")
    lower, n_iter = load(d, "gmm_tessera.f64")
    means = load(d, "gmm_tessera_means.f64", COLS)
    k = means.shape[0]
    resp = resp.reshape(-1, k)
    print(f"GMM full {x.shape[0]} x {x.shape[1]}, k = {k}, {int(n_iter)} iterations (tol 0): tessera lower bound {lower:.17g}")

    def fit_gmm():
        gm = GaussianMixture(n_components=k, covariance_type="full", tol=0.0, reg_covar=1e-6,
                             max_iter=int(n_iter), n_init=1)
        gm._initialize_parameters = lambda X_, random_state, gm=gm: gm._initialize(X_, resp)
        gm.fit_predict(x)  # fit_predict: tessera's gmm_from also labels the rows
        return gm
    t, gm = timed(fit_gmm, reps)
    ref["gmm full"] = t
    print(f"  sklearn: {t * 1e3:.0f} ms CPU, {gm.n_iter_} iterations, lower bound {gm.lower_bound_:.17g}")
    check("gmm iterations", gm.n_iter_ == int(n_iter), f"{gm.n_iter_} vs {int(n_iter)}")
    check("gmm lower bound", rel(gm.lower_bound_, lower) <= 1e-8, f"rel {rel(gm.lower_bound_, lower):.2e}")
    dm = np.max(np.abs(gm.means_ - means))
    check("gmm means", dm <= 1e-8, f"max |diff| {dm:.2e}")


def agglomerative_cases(d, reps, ref, want):
    sizes = sorted(int(f.split("_")[1]) for f in os.listdir(d) if f.startswith("agglo_") and f.endswith("_x.f64"))
    for n in sizes:
        x = load(d, f"agglo_{n}_x.f64", COLS)
        for method in ("ward", "single"):
            if not want.search(f"{method} {n}"):
                continue
            z_t = load(d, f"{method}_{n}_tessera.f64", 4)
            t, z = timed(lambda: linkage(x, method=method), reps)
            ref[f"{method} {n}"] = t
            TARGETS[f"{method} {n}"] = (f"{method}/{n}", 1.0 if method == "ward" else None)
            print(f"{method} {n} x {COLS}: scipy linkage {t * 1e3:.0f} ms CPU")
            same = np.array_equal(z[:, [0, 1, 3]], z_t[:, [0, 1, 3]])
            check(f"{method} {n} merges", same, "a, b, size identical" if same else "differ")
            dh = np.max(np.abs(z[:, 2] - z_t[:, 2]) / np.maximum(np.abs(z[:, 2]), 1e-300))
            check(f"{method} {n} heights", dh <= 1e-12, f"max rel diff {dh:.2e}")


def report(ref, tt):
    print()
    print("| case | tessera ms | reference ms | ratio ref/tessera | target | met |")
    print("|---|---|---|---|---|---|")
    for case, t_ref in ref.items():
        bench, target = TARGETS[case]
        t_t = tt.get(bench)
        ratio = t_ref / t_t if t_t else float("nan")
        met = "—" if target is None or not t_t else ("yes" if ratio >= target else "no")
        tgt = f"≥ {target:g}×" if target else "—"
        print(f"| {case} | {t_t * 1e3:.0f} | {t_ref * 1e3:.0f} | {ratio:.2f}× | {tgt} | {met} |"
              if t_t else f"| {case} | — | {t_ref * 1e3:.0f} | — | {tgt} | — |")
    for b in ("kmeans/hamerly", "kmeans/lloyd"):
        if b in tt:
            print(f"(tessera {b}: {tt[b] * 1e3:.0f} ms)")


if __name__ == "__main__":
    if threadpool_limits is None:
        sys.exit(main())
    with threadpool_limits(limits=1):
        sys.exit(main())
