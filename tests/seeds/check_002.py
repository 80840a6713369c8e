#!/usr/bin/python3
"""Independent check of seed 002 (docs/seeds/002.md): recompute every number of OUT_DIR/summary.json
from the LAMMPS outputs the run left (quench_vt.txt, ladder_*.dump, tensile/creep/cyclic strain
files, creep*/cyclic*.dump.gz, *_voronoi.csv) with NumPy / SciPy / scikit-learn 1.2.1.
It does not import seed002.py and does not call tessera; it re-derives the per-atom features
(instead of atom-msd), ReliefF, the class clusters (instead of `tessera cluster`), T_ML (instead of
`tessera learn`), D2min / von Mises / rotation (instead of `tessera d2min`) and the Pearson
coefficients (instead of `tessera stats`).

usage: check_002.py OUT_DIR      prints `key: run=... check=... ok` per key; exit 1 on any mismatch
"""
import csv
import gzip
import json
import os
import sys

import numpy as np
from scipy import stats
from scipy.spatial import cKDTree
from sklearn.cluster import AgglomerativeClustering
from sklearn.model_selection import StratifiedKFold, cross_val_predict, cross_val_score
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

D = sys.argv[1]
S = json.load(open(os.path.join(D, "summary.json")))
P = lambda n: os.path.join(D, n)  # noqa: E731
bad = []
PAR = S["params"]  # the run's parameters (options of seed002.py)
FLOOR = PAR["floor"]  # tessera atom-msd's --floor
DUMP_PS = PAR["dump_ps"]  # frame interval of the creep/cyclic dumps
CUTOFF = PAR["d2min_cutoff"]
K = PAR["knn_k"]
FOLDS = PAR["folds"]
RAW = bool(PAR["raw_displacements"])  # else atom-msd --reference-box: positions in the window's first cell


def report(key, run, chk, tol, rel=False):
    """|run - chk| <= tol (or <= tol * |chk| with rel)."""
    r, c = np.atleast_1d(np.asarray(run, float)), np.atleast_1d(np.asarray(chk, float))
    ok = r.shape == c.shape and bool(np.all(np.abs(r - c) <= (tol * np.abs(c) if rel else tol)))
    fmt = lambda v: (f"{v[0]:.6g}" if v.size == 1 else f"[{v.size} values, max {np.max(np.abs(v)):.4g}]")  # noqa: E731
    print(f"{key}: run={fmt(r)} check={fmt(c)} {'ok' if ok else 'MISMATCH'}"
          + ("" if ok or r.shape != c.shape else f" (max diff {np.max(np.abs(r - c)):.3g})"))
    if not ok:
        bad.append(key)


def read_table(path):
    with open(path) as f:
        r = csv.reader(f)
        h = next(r)
        return h, np.array([[float(v) for v in row] for row in r])


def dump_frames(path, want=None):
    """Frames of a LAMMPS text dump, {index: (box lo (3,), lengths (3,), columns, rows sorted by id)}
    for the 0-based indices in `want` (all if None); read line by line, so that a full-mode dump
    (thousands of frames) is never held whole."""
    op = gzip.open if path.endswith(".gz") else open
    frames, i = {}, 0
    with op(path, "rt") as f:
        while f.readline().startswith("ITEM: TIMESTEP"):
            f.readline()
            f.readline()
            n = int(f.readline())
            f.readline()
            b = np.array([list(map(float, f.readline().split()[:2])) for _ in range(3)])
            cols = f.readline().split()[2:]
            rows = [f.readline() for _ in range(n)]
            if want is None or i in want:
                d = np.array([ln.split() for ln in rows], dtype=float)
                d = d[np.argsort(d[:, cols.index("id")], kind="stable")]
                frames[i] = (b[:, 0], b[:, 1] - b[:, 0], cols, d)
            i += 1
            if want is not None and i > max(want):
                break
    return frames if want is not None else [frames[k] for k in range(i)]


def cols_of(fr, names):
    return fr[3][:, [fr[2].index(c) for c in names]]


def positions(fr, ref):
    """Unwrapped positions of frame fr, mapped into the cell of frame ref through fractional
    coordinates (lo + s L per axis; the dumps' cells are orthogonal) unless the run used raw
    displacements: what `tessera atom-msd --reference-box` documents, coded here from its formula."""
    xu = cols_of(fr, ["xu", "yu", "zu"])
    return xu if RAW else (xu - fr[0]) / fr[1] * ref[1] + ref[0]


# ---------------------------------------------------------------- T_g: hinge fit of the V-T curve
vt = np.loadtxt(P("quench_vt.txt"))
T, V = vt[:, 1], vt[:, 2]


def hinge(T, V):
    # the same definition as the run (continuous two-line least squares, break on a 0.5 K grid in
    # [300, 1500] K), coded separately: the SSE from the QR residual of each design matrix
    best, arg = np.inf, None
    for tb in 300.0 + 0.5 * np.arange(2401):
        A = np.column_stack([np.ones_like(T), T - tb, np.clip(T - tb, 0, None)])
        q, r = np.linalg.qr(A)
        res = V - q @ (q.T @ V)
        sse = res @ res
        if sse < best:
            best, arg = sse, tb
    return arg


# identical grid and definition: the same grid point unless two SSEs tie within rounding (0 K)
report("tg", S["tg"], hinge(T, V), 0.0)

# ---------------------------------------------------------------- ladder features
lags_fs = S["lags_fs"]
temps = S["temperatures"]
X, y, ids = [], [], []
for t in temps:
    fr = dump_frames(P(f"ladder_{t}.dump"))
    assert len(fr) == len(lags_fs) + 1, f"ladder_{t}.dump: {len(fr)} frames"
    r0 = positions(fr[0], fr[0])
    X.append(np.column_stack([np.log10(np.maximum(((positions(f, fr[0]) - r0) ** 2).sum(1), FLOOR) / t)
                              for f in fr[1:]]))
    y.append(np.full(len(r0), t))
    ids.append(fr[0][3][:, fr[0][2].index("id")])
X, y, ids = np.vstack(X), np.concatenate(y), np.concatenate(ids)
h, fa = read_table(P("features_all.csv"))
# the same printed positions; the cell mapping is rounded differently here and in tessera (a few
# 1e-15 A on 30 A coordinates), which moves lg(dr2) by <= 2 * 4e-15 A / |dr| / ln 10 <= 4e-12 at the
# floor's |dr| = 1e-3 A: 1e-10 in lg units
report("features_all (lg dr2/T per atom and lag)", fa[:, 2:], X, 1e-10)
report("atoms", S["atoms"], len(ids) // len(temps), 0)
# the quench: 100 K per segment of fixed length; the rate from the V-T file's time axis (steps x 2 fs)
seg_ps = 100.0 / (S["quench_rate_k_per_s"] * 1e-12)
# 19 segments (2000 -> 100 K); the last 0.5 ps average ends with the quench; 2 fs steps
report("quench_rate_k_per_s (segment ps from quench_vt.txt)", seg_ps, vt[-1, 0] * 0.002 / 19, 1e-9, rel=True)

# ---------------------------------------------------------------- ReliefF (independent: k-d trees)
def relieff_kdtree(X, y, k):
    Z = (X - X.min(0)) / np.ptp(X, 0)
    cl, cnt = np.unique(y, return_counts=True)
    pri = dict(zip(cl, cnt / len(y)))
    trees = {c: (cKDTree(Z[y == c]), np.flatnonzero(y == c)) for c in cl}
    W = np.zeros(X.shape[1])
    for c in cl:
        tree, idx = trees[c]
        for c2 in cl:
            _, nb = trees[c2][0].query(Z[idx], k=k + (c2 == c), p=1)
            nb = trees[c2][1][nb[:, 1:] if c2 == c else nb]  # drop the instance itself among hits
            diff = np.abs(Z[nb] - Z[idx][:, None, :]).sum(1) / (len(y) * k)
            W += (-diff if c2 == c else pri[c2] / (1 - pri[c]) * diff).sum(0)
    return W


W = relieff_kdtree(X, y, PAR["relief_k"])
# summation order differs (per class vs per instance): agreement to 1e-9 relative
report("relieff_weights", S["relieff_weights"], W, 1e-9, rel=True)
drop = 0
while drop < len(W) and W[drop] < PAR["relief_threshold"] * W.max():
    drop += 1
report("lags_kept_fs", S["lags_kept_fs"], lags_fs[drop:], 0)

# ---------------------------------------------------------------- class clusters (scikit-learn ward)
Xk = X[:, drop:]
cent = np.array([((Xk[y == t] - Xk.mean(0)) / Xk.std(0)).mean(0) for t in temps])
lab = AgglomerativeClustering(n_clusters=min(PAR["n_clusters"], len(temps)), linkage="ward").fit_predict(cent)
kept = sorted(min(t for t, l in zip(temps, lab) if l == c) for c in set(lab))
report("classes_kept", S["classes_kept"], kept, 0)
groups = sorted(sorted(t for t, l in zip(temps, lab) if l == c) for c in set(lab))
report("class_clusters", sum(S["class_clusters"], []), sum(groups, []), 0)
report("class_clusters sizes", [len(g) for g in S["class_clusters"]], [len(g) for g in groups], 0)

# ---------------------------------------------------------------- kNN: CV accuracy and held-out T_ML
sel = np.isin(y, kept)
Xs, ys = Xk[sel], y[sel]
pipe = make_pipeline(StandardScaler(), KNeighborsClassifier(n_neighbors=K))
acc = cross_val_score(pipe, Xs, ys, cv=StratifiedKFold(FOLDS), scoring="accuracy").mean()
# the same folds, scaler and neighbours: equal up to the rounding of a mean of 10 fractions
report("cv_accuracy", S["cv_accuracy"], acc, 1e-12)
# held-out T_ML: scikit-learn's cross_val_predict on the same StratifiedKFold folds
fold = np.zeros(len(ys), dtype=int)
for f, (_, te) in enumerate(StratifiedKFold(FOLDS).split(Xs, ys)):
    fold[te] = f
tml = cross_val_predict(make_pipeline(StandardScaler(), KNeighborsRegressor(n_neighbors=K)), Xs, ys,
                        cv=StratifiedKFold(FOLDS))
h, ho = read_table(P("heldout_tml.csv"))
report("heldout folds (StratifiedKFold)", ho[:, h.index("fold")], fold, 0)
# the mean of the same 50 labels: identical unless a distance tie reorders neighbours (1e-9 K)
report("heldout T_ML per atom", ho[:, h.index("T_ML")], tml, 1e-9)
mean_tml = np.array([tml[ys == t].mean() for t in kept])
lr = stats.linregress(kept, mean_tml)
report("heldout_mean_tml", S["heldout_mean_tml"], mean_tml, 1e-9)
report("tml_vs_t_slope", S["tml_vs_t_slope"], lr.slope, 1e-9, rel=True)
report("tml_vs_t_intercept", S["tml_vs_t_intercept"], lr.intercept, 1e-6)
report("tml_vs_t_r2", S["tml_vs_t_r2"], lr.rvalue ** 2, 1e-9)
model = make_pipeline(StandardScaler(), KNeighborsRegressor(n_neighbors=K)).fit(Xs, ys)

# ---------------------------------------------------------------- tensile
ss = np.loadtxt(P("tensile_stress_strain.txt"))
report("yield_strength_gpa", S["yield_strength_gpa"], ss[:, 2].max(), 0)
report("yield_strain", S["yield_strain"], ss[np.argmax(ss[:, 2]), 1], 0)

# ---------------------------------------------------------------- deformation windows
lag_frames = [int(round(L / (DUMP_PS * 1000))) for L in S["lags_kept_fs"]]
TD = PAR["deform_temperature"]


def tml_of(frames, i0):
    r0 = positions(frames[i0], frames[i0])
    F = np.column_stack([np.log10(np.maximum(((positions(frames[i0 + k], frames[i0]) - r0) ** 2).sum(1),
                                             FLOOR) / TD) for k in lag_frames])
    return frames[i0][3][:, frames[i0][2].index("id")], model.predict(F)


def d2min(fr0, fr1):
    """Falk-Langer D2min (per neighbour), von Mises Green-Lagrangian shear strain, polar rotation angle."""
    lo0, L0, lo1, L1 = fr0[0], fr0[1], fr1[0], fr1[1]
    x0, x1 = cols_of(fr0, ["xu", "yu", "zu"]), cols_of(fr1, ["xu", "yu", "zu"])
    s0, s1 = (x0 - lo0) / L0, (x1 - lo1) / L1
    w = np.mod(x0 - lo0, L0)
    pairs = cKDTree(w, boxsize=L0).query_pairs(CUTOFF, output_type="ndarray")
    out = np.full((len(x0), 3), np.nan)
    nbr = [[] for _ in range(len(x0))]
    for i, j in pairs:
        nbr[i].append(j)
        nbr[j].append(i)
    for i in range(len(x0)):
        j = np.array(nbr[i])
        ds0 = s0[j] - s0[i]
        ds0 -= np.round(ds0)
        d0 = ds0 * L0
        dst = s1[j] - s1[i]
        dt = (ds0 + (dst - ds0) - np.round(dst - ds0)) * L1
        Y, Xm = d0.T @ d0, dt.T @ d0
        J = Xm @ np.linalg.inv(Y)
        r = dt - d0 @ J.T
        E = 0.5 * (J.T @ J - np.eye(3))
        vm = np.sqrt(E[0, 1] ** 2 + E[0, 2] ** 2 + E[1, 2] ** 2 + ((E[0, 0] - E[1, 1]) ** 2 + (E[0, 0] - E[2, 2]) ** 2
                                                                   + (E[1, 1] - E[2, 2]) ** 2) / 6)
        u, _, vt_ = np.linalg.svd(J)
        R = u @ vt_
        ang = np.arccos(np.clip((np.trace(R) - 1) / 2, -1, 1))
        out[i] = [(r ** 2).sum() / len(j), vm, ang]
    return out


dts = [v for v in (1, 2, 5, 10, 20, 50, 100, 200) if v <= S["lags_fs"][-1] / 1000 + 1e-9]
for i, cr in enumerate(S["creep"]):
    st0 = [int(round(v / DUMP_PS)) for v in cr["start_ps"]]
    want = {0} | {a + k for a in st0 for k in [0] + lag_frames + [int(round(dt / DUMP_PS)) for dt in dts]}
    raw = dump_frames(P(f"creep{i}.dump.gz"), want)
    report(f"creep[{i}].sigma_h_gpa", cr["sigma_h_gpa"], cr["fraction_of_yield"] * S["yield_strength_gpa"], 1e-12)
    lf, tm, rho = [], [], {"d2min": {}, "shear_strain": {}, "rotation": {}}
    for s in cr["start_ps"]:
        i0 = int(round(s / DUMP_PS))
        idw, t = tml_of(raw, i0)
        hp, dp = read_table(P(f"creep{i}_f{i0}_tml.csv"))
        # same training rows, features from the same printed positions: identical up to distance ties
        report(f"creep{i} t={s:g} ps T_ML per atom", dp[:, hp.index("label_mean")], t, 1e-9)
        lf.append(np.mean(t > S["tg"]))
        tm.append(t.mean())
        for dt in dts:
            k = int(round(dt / DUMP_PS))
            res = d2min(raw[i0], raw[i0 + k])
            hc, dc = read_table(P(f"creep{i}_f{i0}_dt{dt}.csv"))
            for c, name in enumerate(("d2min", "shear_strain", "rotation")):
                if c == 0 and s == cr["start_ps"][0]:
                    # positions printed with 8 digits (~1e-6 A): D2min to 1e-5 relative + 1e-10 A^2
                    ok = np.all(np.abs(dc[:, hc.index(name)] - res[:, c]) <= 1e-5 * np.abs(res[:, c]) + 1e-10)
                    if not ok:
                        report(f"creep{i} t={s:g} dt={dt} d2min per atom", dc[:, hc.index(name)], res[:, c], 1e-5,
                               rel=True)
                rho[name].setdefault(str(dt), []).append(stats.pearsonr(t, res[:, c])[0])
    report(f"creep[{i}].liquid_fraction", cr["liquid_fraction"], lf, 0)
    report(f"creep[{i}].tml_mean", cr["tml_mean"], tm, 1e-9)
    for name in rho:
        for dt in map(str, dts):
            # T_ML identical; strains from positions printed to 8 digits: rho to 1e-4
            report(f"creep[{i}].rho.{name}.{dt}", cr["rho"][name][dt], rho[name][dt], 1e-4)
    if i == len(S["creep"]) - 1:
        report("liquid_fraction_start", S["liquid_fraction_start"], lf[0], 0)
        report("liquid_fraction_end", S["liquid_fraction_end"], lf[-1], 0)
        report("rho_tml_d2min", S["rho_tml_d2min"], rho["d2min"][str(dts[-1])][0], 1e-4)
        report("rho_tml_vonmises", S["rho_tml_vonmises"], rho["shear_strain"][str(dts[-1])][0], 1e-4)
        report("rho_tml_rotation", S["rho_tml_rotation"], rho["rotation"][str(dts[-1])][0], 1e-4)
    # Voronoi types of the 10 % most solid-/liquid-like atoms (Eq. 1), from tessera's voronoi_n*
    vo = S["voronoi"][i]
    report(f"voronoi[{i}].sigma_h_gpa", vo["sigma_h_gpa"], cr["sigma_h_gpa"], 0)
    i0 = int(round(vo["start_ps"] / DUMP_PS))
    hv, dv = read_table(P(f"creep{i}_f{i0}_voronoi.csv"))
    idv = dv[:, hv.index("id")]
    idw, t = tml_of(raw, i0)
    tv = t[np.searchsorted(idw, idv)]
    vt_ = dv[:, [hv.index(f"voronoi_n{q}") for q in (3, 4, 5, 6)]].astype(int)
    o = np.argsort(tv, kind="stable")
    n10 = int(round(0.1 * len(o)))
    report(f"voronoi[{i}].n_tail", vo["n_tail"], n10, 0)
    u, cnt = np.unique(vt_, axis=0, return_counts=True)
    # the ten most common types (ties in count: lexicographic order of the index, as np.unique + stable sort)
    report(f"voronoi[{i}] ten most common types", [v["index"] for v in vo["types"]],
           u[np.argsort(-cnt, kind="stable")[:10]], 0)
    for v in vo["types"] + [dict(vo["icosahedra"], index=[0, 0, 12, 0])]:
        m = np.all(vt_ == v["index"], axis=1)
        ft = m.mean()
        vals = [ft, m[o[:n10]].sum(), m[o[-n10:]].sum()]
        run = [v["f_total"], v["n_sa"], v["n_la"]]
        if "df_sa_percent" in v:
            vals += [(m[o[:n10]].mean() - ft) / ft * 100, (m[o[-n10:]].mean() - ft) / ft * 100]
            run += [v["df_sa_percent"], v["df_la_percent"]]
        report(f"voronoi[{i}] {v['index']} f_total, n_sa, n_la(, df_sa, df_la %)", run, vals, 1e-9)

for j, cy in enumerate(S["cyclic"]):
    st = np.loadtxt(P(f"cyclic{j}_strain.txt"))
    per = 1e12 / cy["frequency_hz"]
    c = np.floor(st[:, 1] / per + 1e-9).astype(int)
    amp = [(st[c == q, 2].max() - st[c == q, 2].min()) / 2 for q in range(len(cy["strain_amplitude"]))]
    report(f"cyclic[{j}].strain_amplitude", cy["strain_amplitude"], amp, 0)
    raw = dump_frames(P(f"cyclic{j}.dump.gz"),
                      {int(round(v / DUMP_PS)) + k for v in cy["start_ps"] for k in [0] + lag_frames})
    tw = [tml_of(raw, int(round(s / DUMP_PS)))[1] for s in cy["start_ps"]]
    lf = [np.mean(t > S["tg"]) for t in tw]
    report(f"cyclic[{j}].liquid_fraction", cy["liquid_fraction"], lf, 0)
    report(f"cyclic[{j}].tml_mean", cy["tml_mean"], [t.mean() for t in tw], 1e-9)
    report(f"cyclic[{j}].sigma0_gpa", cy["sigma0_gpa"], S["params"]["cyclic_fraction"] * S["yield_strength_gpa"], 1e-12)
    report(f"cyclic_liquid_fraction_end[{j}]", S["cyclic_liquid_fraction_end"][j], lf[-1], 0)

print("FAILED: " + ", ".join(bad) if bad else "all ok")
sys.exit(1 if bad else 0)
