#!/usr/bin/python3
"""Reference fits of scikit-learn's KMeans and GaussianMixture for tests/cluster/kmeans.cpp and
tests/cluster/gmm.cpp.

Run with Debian's python3 (scikit-learn 1.2.1, numpy 1.24.2):

    /usr/bin/python3 tests/reference/cluster/make_kmeans_gmm_reference.py

OMP_NUM_THREADS=1 is set before sklearn is imported: KMeans sums each centre over per-thread
partial sums, so only its one-thread result has a fixed summation order (row order, as tessera).

Data (written here, read back by the tests; floats are repr(), exact doubles):
  blobs_2000x5.csv     make_blobs(2000, 5 features, 4 centres, std 2.5, centre box ±6), rounded to 6 decimals
  blobs_1500x4.csv     make_blobs(1500, 4 features, 3 centres, std 2, centre box ±4), rounded to 6 decimals
  cuzr_standardised.csv  columns f0..f5 of tests/reference/learn/knn_cuzr_train.csv (tessera
                       descriptors of the LAMMPS CuZr glass), standardised (x - mean) / std
KMeans (kmeans_<case>.txt, "key values..." lines):
  init        k*cols initial centres (distinct rows of X chosen by a seeded numpy Generator;
              blobs_empty adds a centre far from every row so the first step has an empty cluster)
  centers, labels, inertia, n_iter   of KMeans(init=init, n_init=1, algorithm="lloyd")
  best10_inertia_seeds  inertia_ of KMeans(k, n_init=10, random_state=s) for s = 0..29 (k-means++
              with sklearn's draws); best10_inertia is the one of random_state=0
GaussianMixture (gmm_<data>_<covariance_type>.txt):
  init_labels   KMeans(k, n_init=1, random_state=0) labels (sklearn's init_params="kmeans");
                the fit starts from their one-hot responsibilities via GaussianMixture._initialize
  weights, means, covariances, precisions_cholesky (sklearn's shapes, flattened), lower_bound,
  n_iter, converged, score, bic, aic, labels (predict), proba_rows (every 5th row),
  proba (predict_proba on those rows, flattened), score_samples (on those rows),
  own_init_lower_bound  lower_bound_ of GaussianMixture(k, n_init=1, random_state=0, tol=1e-10,
                max_iter=1000) (its own k-means init, run to the optimum)
"""
import os

os.environ["OMP_NUM_THREADS"] = "1"

import numpy as np  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402
from sklearn.datasets import make_blobs  # noqa: E402
from sklearn.mixture import GaussianMixture  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20260618)


def write_table(name, X):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(",".join(f"x{j}" for j in range(X.shape[1])) + "\n")
        for row in X:
            f.write(",".join(repr(float(v)) for v in row) + "\n")


def write_keyed(name, items):
    with open(os.path.join(HERE, name), "w") as f:
        for key, val in items:
            vals = np.atleast_1d(np.asarray(val, dtype=float)).ravel()
            f.write(key + " " + " ".join(repr(float(v)) for v in vals) + "\n")


X5, _ = make_blobs(n_samples=2000, n_features=5, centers=4, cluster_std=2.5, center_box=(-6, 6), random_state=7)
X5 = np.round(X5, 6)
X4, _ = make_blobs(n_samples=1500, n_features=4, centers=3, cluster_std=2.0, center_box=(-4, 4), random_state=11)
X4 = np.round(X4, 6)
raw = np.loadtxt(os.path.join(HERE, "..", "learn", "knn_cuzr_train.csv"), delimiter=",", skiprows=1)[:, :6]
XC = (raw - raw.mean(axis=0)) / raw.std(axis=0)
write_table("blobs_2000x5.csv", X5)
write_table("blobs_1500x4.csv", X4)
write_table("cuzr_standardised.csv", XC)


def distinct_rows(X, k):
    while True:
        idx = rng.choice(len(X), size=k, replace=False)
        if len(np.unique(X[idx], axis=0)) == k:
            return X[idx].copy()


kmeans_cases = [("blobs", X5, 4, None), ("blobs_empty", X5, 4, "far"), ("cuzr_k3", XC, 3, None),
                ("cuzr_k8", XC, 8, None)]
for name, X, k, special in kmeans_cases:
    init = distinct_rows(X, k)
    if special == "far":
        init[-1] = X.max(axis=0) + 100.0
    km = KMeans(n_clusters=k, init=init, n_init=1, algorithm="lloyd").fit(X)
    best = [KMeans(n_clusters=k, n_init=10, random_state=s, algorithm="lloyd").fit(X).inertia_ for s in range(30)]
    write_keyed(f"kmeans_{name}.txt", [("init", init), ("centers", km.cluster_centers_), ("labels", km.labels_),
                                       ("inertia", km.inertia_), ("n_iter", km.n_iter_),
                                       ("best10_inertia", best[0]), ("best10_inertia_seeds", best)])
    print(f"kmeans {name}: k {k}, n_iter {km.n_iter_}, inertia {km.inertia_!r}, best of 10 {best[0]!r}, median over 30 seeds {np.median(best)!r}")

for dname, X, k in [("blobs", X4, 3), ("cuzr", XC, 3)]:
    init_labels = KMeans(n_clusters=k, n_init=1, random_state=0).fit(X).labels_
    resp = np.zeros((len(X), k))
    resp[np.arange(len(X)), init_labels] = 1
    rows = np.arange(0, len(X), 5)
    for cov in ["full", "tied", "diag", "spherical"]:
        gm = GaussianMixture(n_components=k, covariance_type=cov)
        gm._initialize_parameters = lambda X_, random_state, gm=gm: gm._initialize(X_, resp)
        gm.fit(X)
        own = GaussianMixture(n_components=k, covariance_type=cov, n_init=1, random_state=0, tol=1e-10,
                              max_iter=1000).fit(X)
        write_keyed(f"gmm_{dname}_{cov}.txt", [
            ("init_labels", init_labels), ("weights", gm.weights_), ("means", gm.means_),
            ("covariances", gm.covariances_), ("precisions_cholesky", gm.precisions_cholesky_),
            ("lower_bound", gm.lower_bound_), ("n_iter", gm.n_iter_), ("converged", gm.converged_),
            ("score", gm.score(X)), ("bic", gm.bic(X)), ("aic", gm.aic(X)), ("labels", gm.predict(X)),
            ("proba_rows", rows), ("proba", gm.predict_proba(X[rows])), ("score_samples", gm.score_samples(X[rows])),
            ("own_init_lower_bound", own.lower_bound_)])
        print(f"gmm {dname} {cov}: n_iter {gm.n_iter_}, lower bound {gm.lower_bound_!r}, "
              f"own init {own.lower_bound_!r}")
