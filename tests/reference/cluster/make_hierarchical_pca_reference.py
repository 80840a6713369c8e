#!/usr/bin/python3
"""SciPy / scikit-learn references for tests/cluster/hierarchical.cpp and tests/cluster/pca.cpp.

Run with Debian's python3 (scipy 1.10.1, scikit-learn 1.2.1, numpy 1.24.2):

    /usr/bin/python3 tests/reference/cluster/make_hierarchical_pca_reference.py

Two tables (floats written as repr() of doubles, so strtod reads back the same bits):
  blobs  make_blobs(n_samples=300, n_features=4, centers=4, cluster_std=1.5, random_state=18):
         continuous, every pairwise distance distinct (asserted below).
  cuzr   the first 400 rows of tests/reference/learn/knn_cuzr_train.csv, features f0..f5 only
         (numbers of Cu / Zr neighbours in three shells of the LAMMPS CuZr glass
         tests/reference/cuzr_glass.dump), standardised by StandardScaler. Integer counts: 31
         duplicated rows and only ~21700 distinct values among the 79800 distances, so this
         table exercises SciPy's tie rules (which pair the nearest-neighbour chain and Prim's
         scan pick first), not just the arithmetic.

Files in tests/reference/cluster/ (NAME = blobs or cuzr):
  NAME_x.csv            the table (header x0..x{p-1})
  NAME_linkage.csv      method,a,b,height,size: scipy.cluster.hierarchy.linkage(X, method,
                        metric="euclidean") for ward, single, complete, average (n-1 rows each)
  NAME_labels.csv       method,k,l0..l{n-1}: AgglomerativeClustering(n_clusters=k,
                        linkage=method).fit(X).labels_ for k = 2, 3, 5, 8, 20
                        (single linkage: k >= 6 (blobs), >= 18 (cuzr) is where its unsorted
                        children_ change the label numbering)
  NAME_fcluster.csv     method,t,l0..l{n-1}: fcluster(Z, t, criterion="distance") - 1, for t at
                        the height of merge n-2-m exactly (the "<= t" rule) and halfway to the
                        next lower merge height, m = 1, 3, 6
  NAME_pca.txt          key v...: PCA(n_components=min(n, p), svd_solver="full") mean_,
                        components_ (row-major), explained_variance_, explained_variance_ratio_,
                        singular_values_
  NAME_pca_scores.csv   PCA(...).transform(X) (n x min(n, p))
"""
import os

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import pdist
from sklearn.cluster import AgglomerativeClustering
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from sklearn.preprocessing import StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
METHODS = ["ward", "single", "complete", "average"]


def write_csv(path, header, rows):
    with open(os.path.join(HERE, path), "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(v if isinstance(v, str) else repr(v) for v in r) + "\n")


def reference(name, X):
    n, p = X.shape
    write_csv(f"{name}_x.csv", [f"x{j}" for j in range(p)], [[float(v) for v in r] for r in X])

    zrows, lrows, frows = [], [], []
    for m in METHODS:
        Z = linkage(X, method=m, metric="euclidean")
        for a, b, h, s in Z:
            zrows.append([m, int(a), int(b), float(h), int(s)])
        for k in (2, 3, 5, 8, 20):
            labels = AgglomerativeClustering(n_clusters=k, linkage=m).fit(X).labels_
            lrows.append([m, k] + [int(v) for v in labels])
        for mm in (1, 3, 6):
            hi, lo = Z[n - 2 - mm, 2], Z[n - 3 - mm, 2]
            for t in (hi, 0.5 * (hi + lo)):
                labels = fcluster(Z, t, criterion="distance") - 1
                frows.append([m, float(t)] + [int(v) for v in labels])
    write_csv(f"{name}_linkage.csv", ["method", "a", "b", "height", "size"], zrows)
    write_csv(f"{name}_labels.csv", ["method", "k"] + [f"l{i}" for i in range(n)], lrows)
    write_csv(f"{name}_fcluster.csv", ["method", "t"] + [f"l{i}" for i in range(n)], frows)

    q = min(n, p)
    pca = PCA(n_components=q, svd_solver="full").fit(X)
    with open(os.path.join(HERE, f"{name}_pca.txt"), "w") as f:
        for key in ("mean_", "components_", "explained_variance_", "explained_variance_ratio_",
                    "singular_values_"):
            f.write(key.rstrip("_") + " " + " ".join(repr(float(v)) for v in np.ravel(getattr(pca, key))) + "\n")
    write_csv(f"{name}_pca_scores.csv", [f"s{j}" for j in range(q)], [[float(v) for v in r] for r in pca.transform(X)])


X, _ = make_blobs(n_samples=300, n_features=4, centers=4, cluster_std=1.5, random_state=18)
d = pdist(X)
assert np.unique(d).size == d.size, "blobs: tied distances"
reference("blobs", X)

raw = np.loadtxt(os.path.join(HERE, "..", "learn", "knn_cuzr_train.csv"), delimiter=",", skiprows=1)
reference("cuzr", StandardScaler().fit_transform(raw[:400, :6]))
