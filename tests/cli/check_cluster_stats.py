#!/usr/bin/python3
"""End-to-end test of `tessera cluster`, `tessera pca`, `tessera stats`, `tessera correlate` and `tessera events --track`
against scikit-learn 1.2.1, SciPy and NumPy (Debian), and against an independent Python tracker.

Inputs: per-atom descriptors of the LAMMPS CuZr glass (tessera compute on cuzr_glass.dump), and
the LAMMPS CuZr liquid trajectory msd/cuzr_liquid.dump. Tolerances (each stated where used):
 - agglomerative labels, histogram counts, tracks: identical (exact algorithms, same tie rules);
 - PCA scores 1e-9 absolute on O(1) scores (SVD vs LAPACK: ~1e-14 seen, see cluster/pca.hpp);
 - Pearson/Spearman r 1e-12, p 1e-9 relative (Boost's incomplete beta vs cdflib: ~3e-13);
 - KDE 1e-12 relative to the peak (~4e-16 seen);
 - k-means: tessera's draws are its own, so it cannot equal scikit-learn's seeds; checked instead
   that every row is labelled with its nearest printed centre, that the printed inertia is that
   of labels and centres (1e-9 relative), that scikit-learn started from those centres stays
   there (within its tolerance), and that on well-separated blobs the partition equals
   scikit-learn's (adjusted Rand index 1);
 - GMM: on well-separated blobs the same partition as scikit-learn and a mean log-likelihood
   within 1e-6 of scikit-learn's (both converge to the same optimum, tol 1e-3 on its change).
Usage: check_cluster_stats.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
import os
import re
import shutil
import sys

import numpy as np
from scipy import stats as sps
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture
from sklearn.preprocessing import StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checks, run  # noqa: E402

exe, ref, work = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
check = Checks()


def read_csv(path):
    with open(path) as f:
        header = f.readline().strip().split(",")
    data = np.genfromtxt(path, delimiter=",", skip_header=1, dtype=float, ndmin=2)
    return header, data


def tessera(*args):
    r = run(exe, *args, cwd=work)
    check(r.returncode == 0, "tessera " + " ".join(map(str, args)) + ("" if r.returncode == 0 else f" -> {r.stderr.strip()[-400:]}"))
    return r


# --- descriptors of the real glass -------------------------------------------------------------
glass = os.path.join(ref, "cuzr_glass.dump")
tessera("compute", glass, "-o", "desc.csv", "--frames", "0", "--coord", "3.4", "--steinhardt", "4,6",
        "--columns", "id,type,coord,q4,q6")
header, desc = read_csv(os.path.join(work, "desc.csv"))
col = {n: desc[:, k] for k, n in enumerate(header)}
feats = np.column_stack([col["coord"], col["q4"], col["q6"]])
scaled = StandardScaler().fit_transform(feats)

# --- agglomerative: labels identical to scikit-learn ---------------------------------------------
for linkage in ("ward", "single", "complete", "average"):
    for k in (2, 5):
        out = f"agg_{linkage}_{k}.csv"
        tessera("cluster", "agglomerative", "desc.csv", "--features", "coord,q4,q6", "--scale", "standard", "--k", k,
                "--linkage", linkage, "-o", out)
        h, lab = read_csv(os.path.join(work, out))
        ours = lab[:, h.index("label")].astype(int)
        theirs = AgglomerativeClustering(n_clusters=k, linkage=linkage).fit(scaled).labels_
        check(h[0] == "id" and (lab[:, 0] == col["id"]).all(), f"agglomerative {linkage}: ids in input order")
        check((ours == theirs).all(), f"agglomerative {linkage} k={k}: labels identical to scikit-learn "
                                      f"({int((ours != theirs).sum())} differ)")

# --- PCA: scores to 1e-9, signs included --------------------------------------------------------
r = tessera("pca", "desc.csv", "--features", "coord,q4,q6", "--scale", "standard", "--components", "2", "-o", "pca.csv")
h, sc = read_csv(os.path.join(work, "pca.csv"))
p = PCA(n_components=2, svd_solver="full").fit(scaled)
theirs = p.transform(scaled)
check(h == ["id", "pc1", "pc2"], f"pca columns {h}")
err = np.abs(sc[:, 1:] - theirs).max()
check(err < 1e-9, f"pca scores equal scikit-learn's within 1e-9 (max {err:.2e})")
ev = [float(m.group(1)) for m in re.finditer(r"pc\d+,([^,]+),", r.stderr)]
check(len(ev) == 2 and np.allclose(ev, p.explained_variance_, rtol=1e-12, atol=0),
      f"pca explained variance on stderr {ev} = scikit-learn's {p.explained_variance_}")

# --- k-means: labels, centres and inertia consistent, scikit-learn's optimum and partition -------
rng = np.random.default_rng(4)
centres = np.array([[0, 0, 0], [6, 0, 0], [0, 6, 0], [0, 0, 6]], float)
blobs = np.vstack([c + rng.normal(size=(150, 3)) for c in centres])
np.savetxt(os.path.join(work, "blobs.csv"), blobs, delimiter=",", header="a,b,c", comments="", fmt="%.17g")
for name, x, path in (("glass", scaled, "desc.csv"), ("blobs", blobs, "blobs.csv")):
    k = 4
    extra = ["--features", "coord,q4,q6", "--scale", "standard"] if name == "glass" else []
    r = tessera("cluster", "kmeans", path, *extra, "--k", k, "--seed", "3", "-o", f"km_{name}.csv")
    h, lab = read_csv(os.path.join(work, f"km_{name}.csv"))
    labels = lab[:, h.index("label")].astype(int)
    cent = np.array([[float(v) for v in m.group(1).split(",")]
                     for m in re.finditer(r"cluster kmeans: \d+,(.*)", r.stderr)])
    check(cent.shape == (k, x.shape[1]), f"kmeans {name}: {k} centres on stderr ({cent.shape})")
    d2 = ((x[:, None, :] - cent[None, :, :]) ** 2).sum(axis=2)
    check((d2.argmin(axis=1) == labels).all(), f"kmeans {name}: every row is labelled with its nearest centre")
    inertia = float(re.search(r"inertia ([^ ]+)", r.stderr).group(1))
    mine = d2[np.arange(len(x)), labels].sum()
    check(abs(inertia - mine) <= 1e-9 * mine, f"kmeans {name}: printed inertia {inertia} = that of labels and centres {mine}")
    # one Lloyd step of scikit-learn from tessera's centres changes nothing beyond its tolerance
    sk1 = KMeans(n_clusters=k, init=cent, n_init=1, max_iter=300, algorithm="lloyd").fit(x)
    # (tessera stops at scikit-learn's tolerance, so scikit-learn may still move a few rows: within 1e-3 of the inertia)
    # (the two sum the inertia in different orders: -1e-12 relative allowed below)
    check(adjusted_rand_score(sk1.labels_, labels) >= 0.99 and -1e-12 * inertia <= inertia - sk1.inertia_ <= 1e-3 * inertia,
          f"kmeans {name}: scikit-learn started from tessera's centres stays at its optimum ({sk1.inertia_} vs {inertia})")
    if name == "blobs":
        sk = KMeans(n_clusters=k, n_init=10, random_state=0).fit(x)
        check(adjusted_rand_score(sk.labels_, labels) == 1.0, "kmeans blobs: the partition of scikit-learn")
        check(inertia <= sk.inertia_ * (1 + 1e-9), f"kmeans blobs: inertia {inertia} <= scikit-learn's {sk.inertia_}")

# --- GMM on blobs: scikit-learn's partition and log-likelihood ----------------------------------
for cov in ("full", "diag", "spherical", "tied"):
    r = tessera("cluster", "gmm", "blobs.csv", "--k", 4, "--covariance", cov, "-o", f"gmm_{cov}.csv")
    h, lab = read_csv(os.path.join(work, f"gmm_{cov}.csv"))
    check(h == ["label", "proba_0", "proba_1", "proba_2", "proba_3"], f"gmm {cov}: columns {h}")
    sk = GaussianMixture(n_components=4, covariance_type=cov, random_state=0).fit(blobs)
    check(adjusted_rand_score(sk.predict(blobs), lab[:, 0].astype(int)) == 1.0, f"gmm {cov}: scikit-learn's partition")
    ll = float(re.search(r"log-likelihood ([^,]+),", r.stderr).group(1))
    bic = float(re.search(r"BIC ([^,]+),", r.stderr).group(1))
    check(abs(ll - sk.score(blobs)) < 1e-6, f"gmm {cov}: mean log-likelihood {ll} vs scikit-learn {sk.score(blobs)}")
    check(abs(bic - sk.bic(blobs)) < 1e-6 * abs(sk.bic(blobs)), f"gmm {cov}: BIC {bic} vs scikit-learn {sk.bic(blobs)}")
    check(np.allclose(lab[:, 1:].sum(axis=1), 1.0, rtol=0, atol=1e-12), f"gmm {cov}: probabilities sum to 1")

# --- onion: the reference code's labels (tests/reference/cluster/make_onion_reference.py) ---------
series = np.loadtxt(os.path.join(ref, "cluster", "onion_states3_input.txt"))
with open(os.path.join(work, "series.csv"), "w") as f:
    f.write(",".join(f"t{k}" for k in range(series.shape[1])) + "\n")
    for row in series:
        f.write(",".join(f"{v:.6f}" for v in row) + "\n")
expected, in_case = [], False
for line in open(os.path.join(ref, "cluster", "onion_reference.txt")):
    if line.startswith("case "):
        in_case = line.split()[1] == "states3"
    elif in_case and line.startswith("labels "):
        expected.append([int(v) for v in line.split()[1:]])
r = tessera("cluster", "onion", "series.csv", "--window", 10, "-o", "onion.csv")
h, lab = read_csv(os.path.join(work, "onion.csv"))
check(h[0] == "window_0" and len(h) == 50, f"cluster onion: one column per window ({len(h)})")
check(lab.astype(int).tolist() == expected, "cluster onion: window labels identical to the tropea-clustering code's")
check("states" in r.stderr and "unclassified fraction" in r.stderr, "cluster onion: states on stderr")

# --- stats ----------------------------------------------------------------------------------------
tessera("stats", "desc.csv", "--pearson", "coord,q4,q6", "-o", "corr.csv")
with open(os.path.join(work, "corr.csv")) as f:
    rows = [line.strip().split(",") for line in f][1:]
check(len(rows) == 3, f"stats --pearson: 3 pairs ({len(rows)})")
for a, b, n, pr, pp, sr, spv in rows:
    ref_p, ref_s = sps.pearsonr(col[a], col[b]), sps.spearmanr(col[a], col[b])
    check(int(n) == len(desc) and abs(float(pr) - ref_p[0]) < 1e-12 and abs(float(sr) - ref_s[0]) < 1e-12,
          f"stats {a},{b}: r = scipy's (pearson {pr} vs {ref_p[0]}, spearman {sr} vs {ref_s[0]})")
    check(abs(float(pp) - ref_p[1]) <= 1e-9 * ref_p[1] + 1e-300 and abs(float(spv) - ref_s[1]) <= 1e-9 * ref_s[1] + 1e-300,
          f"stats {a},{b}: p-values = scipy's ({pp} vs {ref_p[1]}, {spv} vs {ref_s[1]})")

tessera("stats", "desc.csv", "--power-factor", "q6:type", "--tail", "0.1", "-o", "pf.csv")
h, pf = read_csv(os.path.join(work, "pf.csv"))
got = dict(zip(h, pf[0]))
x = col["q6"]  # every atom's type is nonzero: every atom is an event, so only thresholds and group sizes say anything
lo, hi = np.quantile(x, [0.1, 0.9])
check(got["threshold_low"] == lo and got["threshold_high"] == hi, "stats --power-factor: thresholds = np.quantile")
check(got["n_low"] == (x < lo).sum() and got["n_high"] == (x > hi).sum(), "stats --power-factor: group sizes (strict)")

# an event column with real contrast: Zr atoms (type 2) flagged, the rest 0
with open(os.path.join(work, "desc.csv")) as f, open(os.path.join(work, "desc_ev.csv"), "w") as g:
    g.write(f.readline().strip() + ",zr\n")
    for line in f:
        t = line.strip().split(",")[header.index("type")]
        g.write(line.strip() + ("," + ("1" if t == "2" else "0")) + "\n")
tessera("stats", "desc_ev.csv", "--power-factor", "q6:zr", "-o", "pf_zr.csv")
h, pf = read_csv(os.path.join(work, "pf_zr.csv"))
got = dict(zip(h, pf[0]))
zr = col["type"] == 2
lo, hi = np.quantile(x, [0.05, 0.95])
p_low, p_high = zr[x < lo].mean(), zr[x > hi].mean()
check(got["p_low"] == p_low and got["p_high"] == p_high and abs(got["power_factor"] - p_high / p_low) <= 1e-15 * (p_high / p_low),
      f"stats --power-factor q6:zr = NumPy ({got['power_factor']} vs {p_high / p_low})")

r = tessera("stats", "desc.csv", "--kde", "q6", "--points", "64", "-o", "kde.csv")
h, kde = read_csv(os.path.join(work, "kde.csv"))
theirs = sps.gaussian_kde(col["q6"])(kde[:, 0])
err = np.abs(kde[:, 1] - theirs).max() / theirs.max()
check(h == ["q6", "density"] and err < 1e-12, f"stats --kde = scipy.stats.gaussian_kde (max {err:.1e} of the peak)")

tessera("stats", "desc.csv", "--histogram", "q6", "--bins", "17", "-o", "hist.csv")
h, hist = read_csv(os.path.join(work, "hist.csv"))
counts, edges = np.histogram(col["q6"], bins=17)
check((hist[:, 2] == counts).all() and (hist[:, 0] == edges[:-1]).all() and (hist[:, 1] == edges[1:]).all(),
      "stats --histogram = np.histogram (counts and edges identical)")

r = run(exe, "stats", "desc.csv", "--pearson", "q6", "-o", "x.csv", cwd=work)
check(r.returncode == 2, "stats --pearson with one column is a usage error")
r = run(exe, "stats", "desc.csv", "--pearson", "q6,nope", "-o", "x.csv", cwd=work)
check(r.returncode == 2 and "no column 'nope'" in r.stderr, "stats: a missing column is named")
r = run(exe, "cluster", "kmeans", "desc.csv", "--k", "100000", "-o", "x.csv", cwd=work)
check(r.returncode == 2 and "exceeds" in r.stderr, "cluster: k larger than the rows is an error")

# --- correlate spatial / temporal against NumPy brute force on real LAMMPS frames -----------------
from common import read_dump, column  # noqa: E402

tessera("compute", glass, "-o", "q.dump", "--frames", "0", "--steinhardt", "6", "--coord", "3.4")
fr = read_dump(os.path.join(work, "q.dump"))[0]
with open(os.path.join(work, "q.dump")) as f:
    lines = f.read().splitlines()
lo_hi = np.array([[float(v) for v in lines[5 + k].split()[:2]] for k in range(3)])
L = lo_hi[:, 1] - lo_hi[:, 0]
pos = np.column_stack([column(fr, c) for c in ("x", "y", "z")])
q6 = np.array(column(fr, "q6"))
rmax, dr = 8.0, 0.25
r = tessera("correlate", "spatial", "q.dump", "--field", "q6", "--rmax", rmax, "--dr", dr, "-o", "sacf.csv")
h, sa = read_csv(os.path.join(work, "sacf.csv"))
dq = q6 - q6.mean()
nb = int(round(rmax / dr))
cnt, acc = np.zeros(nb, np.int64), np.zeros(nb)
for i in range(len(pos) - 1):
    d = pos[i + 1:] - pos[i]
    d -= L * np.round(d / L)
    rr = np.sqrt((d * d).sum(axis=1))
    m = rr < rmax
    b = (rr[m] / dr).astype(int)
    np.add.at(cnt, b, 1)
    np.add.at(acc, b, dq[i] * dq[i + 1:][m])
check(h == ["r", "c", "count", "sacf"], f"correlate spatial columns {h}")
check((sa[:, 2] == cnt).all(), "correlate spatial: pair counts per bin identical to NumPy's O(N^2) loop")
ref_sacf = np.where(cnt > 0, acc / np.maximum(cnt, 1), np.nan)
ok = cnt > 0
err = np.abs(sa[ok, 3] - ref_sacf[ok]).max() / np.abs(dq).max() ** 2
check(err < 1e-12, f"correlate spatial: SACF per bin = NumPy within 1e-12 of max|df|^2 ({err:.1e})")
err = np.abs(sa[ok, 1] - ref_sacf[ok] / dq.var()).max()
check(err < 1e-10, f"correlate spatial: C = SACF / var(q6) ({err:.1e})")
check("xi" in r.stderr or "no correlation length" in r.stderr, "correlate spatial: the correlation length on stderr")

liquid = os.path.join(ref, "msd", "cuzr_liquid.dump")
frames = read_dump(liquid)
tessera("correlate", "temporal", liquid, "--field", "type", "--voxels", "3,3,3", "--max-lag", 8, "-o", "tacf.csv",
        "--zero-crossings", "zc.csv", "--fluctuations", "dl.csv")
h, ta = read_csv(os.path.join(work, "tacf.csv"))
with open(liquid) as f:
    raw = f.read().splitlines()
deltas = []
off = 0
for fr in frames:
    n = len(fr["rows"])
    box = np.array([[float(v) for v in raw[off + 5 + k].split()[:2]] for k in range(3)])
    off += 9 + n
    p = np.column_stack([column(fr, c) for c in ("x", "y", "z")])
    s_frac = (p - box[:, 0]) / (box[:, 1] - box[:, 0])
    s_frac -= np.floor(s_frac)
    idx = np.minimum((s_frac * 3).astype(int), 2)
    v = idx[:, 0] + 3 * (idx[:, 1] + 3 * idx[:, 2])
    t = np.array(column(fr, "type"))
    sums, counts = np.bincount(v, t, 27), np.bincount(v, None, 27)
    means = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    deltas.append(means - t.mean())
deltas = np.array(deltas)
ref_tacf = []
for k in range(9):
    prod = deltas[:len(deltas) - k] * deltas[k:]
    ref_tacf.append(np.nanmean(prod))
dt = frames[1]["timestep"] - frames[0]["timestep"]
check(h[:2] == ["dt", "tacf"] and (ta[:, 0] == np.arange(9) * dt).all(), f"correlate temporal: dt in timesteps ({h})")
err = np.abs(ta[:, 1] - ref_tacf).max() / abs(ref_tacf[0])
check(err < 1e-12, f"correlate temporal: TACF = NumPy over voxels and origins ({err:.1e} of TACF(0))")
h, zc = read_csv(os.path.join(work, "zc.csv"))
check(h[:2] == ["voxel", "t_c"] and len(zc) == 27, f"correlate temporal: zero crossings per voxel ({len(zc)} rows)")
h, dl = read_csv(os.path.join(work, "dl.csv"))
check(len(dl) == 3 and dl[0, h.index("rms")] == 0.0, "correlate temporal: fluctuations of 1^3..3^3 grids (1^3 is 0)")

# --- events --track against an independent tracker (tests/reference/cluster/make_tracking_reference.py)
sys.path.insert(0, os.path.join(ref, "cluster"))
import make_tracking_reference as tr  # noqa: E402

frames = tr.read_dump(os.path.join(ref, "msd", "cuzr_liquid.dump"))
lines = []
seq = []
for k in range(1, len(frames)):
    ts, box, ids, xk, img = frames[k]
    _, box0, _, x0, img0 = frames[k - 1]
    L = np.array([b[1] - b[0] for b in box])
    d = (xk + img * L) - (x0 + img0 * np.array([b[1] - b[0] for b in box0]))
    disp = np.sqrt((d * d).sum(axis=1))
    seq.append((ts, tr.clusters_of(ids, xk, L, disp > 0.95)))
    lines += ["ITEM: TIMESTEP", str(ts), "ITEM: NUMBER OF ATOMS", str(len(ids)), "ITEM: BOX BOUNDS pp pp pp"]
    lines += [f"{b[0]!r} {b[1]!r}" for b in box]
    lines.append("ITEM: ATOMS id type x y z disp")
    lines += [f"{ids[i]} 1 {xk[i, 0]!r} {xk[i, 1]!r} {xk[i, 2]!r} {disp[i]!r}" for i in range(len(ids))]
with open(os.path.join(work, "disp.dump"), "w") as f:
    f.write("\n".join(lines) + "\n")
tracks, events = tr.track(seq)
tessera("events", "disp.dump", "--column", "disp", "--threshold", "0.95", "--link", "3.0", "--track", "-o", "tracks.csv",
        "--new-per-frame", "new.csv")
with open(os.path.join(work, "tracks.csv")) as f:
    th = f.readline().strip().split(",")
    trows = [line.rstrip("\n").split(",") for line in f]
check(th[:5] == ["track", "first_frame", "last_frame", "max_size", "atoms_at_birth"], f"TRACKS.csv columns {th[:5]}")
check(len(trows) == len(tracks), f"events --track: {len(trows)} tracks, the reference {len(tracks)}")
same = all(
    int(r[0]) == t["id"] and int(r[1]) == t["first_frame"] and int(r[2]) == t["last_frame"]
    and int(r[3]) == max(t["sizes"]) and r[4].split() == [str(a) for a in sorted(t["birth"])]
    and r[th.index("origin")] == t["origin"] and r[th.index("end")] == t["end"]
    and r[th.index("parent")] == ("" if t["parent"] is None else str(t["parent"]))
    and r[th.index("merged_into")] == ("" if t["merged_into"] is None else str(t["merged_into"]))
    for r, t in zip(trows, tracks))
check(same, "events --track: every track (frames, size, atoms at birth, origin, end) equals the reference tracker's")
h, new = read_csv(os.path.join(work, "new.csv"))
check(h[:2] == ["frame", "new_clusters"] and [int(v) for v in new[:, 1]] == [e["births"] for e in events]
      and [int(v) for v in new[:, h.index("merges")]] == [e["merges"] for e in events],
      "events --new-per-frame: births and merges per frame equal the reference's")

check.finish()
