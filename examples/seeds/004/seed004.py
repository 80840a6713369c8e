#!/usr/bin/python3
"""Seed 004: looseness L of a Kob-Andersen glass under creep (Wu & Ruiz Pestana, Front. Mater. 10, 1272355
(2023)), end to end with Debian's LAMMPS and the `tessera` command.

usage: seed004.py --tessera EXE [--out DIR] [--quick] [options]   (normally via ./run)

Stages (every simulation and descriptor is a LAMMPS or tessera run; Python orchestrates, joins tables by
(run, frame, id), draws the balanced bootstrap samples, fits the two straight lines and the power law, plots):
  1. glass      lmp ka_glass.in: KA 80:20 at rho = 1.2, T = 3 -> 0.1 (NVT), minimised              (per run)
  2. creep      lmp ka_creep.in: NPT at T, uniaxial compressive stress sigma0 along z, x/y stress-free;
                thermo (lz) every 100 steps; raw snapshots every EVERY steps                            (per run)
  3. minimise   lmp ka_minimize.in: every snapshot minimised under the applied stress (box/relax 0,0,sigma0)
  4. features   tessera compute --interstice --radii 1:0.5,2:0.44: the 60 interstice features per atom
  5. D2min      tessera d2min --cutoff 2.5 --reference lag:K between minimised configurations dt = K*EVERY apart
  6. labels     type-A atoms; loose (1) if D2min(t0, t0 + dt) > D2min_0
  7. sweep      (dt, D2min_0): five balanced bootstraps each, tessera learn cv --model logistic (C by 5-fold CV)
  8. RFE        five balanced bootstraps of the training runs, tessera learn rfe --model gbt; mean rank
  9. top-n      test balanced accuracy of logistic models on the top n features (tessera learn fit/predict/score)
 10. L          tessera learn fit --model easyensemble --n-estimators 10 --C 1 on the top 10; L = proba_1
 11. space/time tessera correlate spatial (SACF of L, decay length) and temporal (15^3 voxels: TACF, t_c, dL*(N))
 12. creep fit  eps(t) = (sigma0/C) ln t + eps0 -> creep modulus C; <L>(t) against ln t
"""
import argparse
import concurrent.futures as cf
import csv
import json
import math
import os
import re
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
RADII = "1:0.5,2:0.44"  # sigma_AA/2, sigma_BB/2: the "spherical particle sizes" of the interstice features
LJ = ["--pair-style", "lj/cut 2.5", "--pair-coeff", "1 1 1.0 1.0 2.5", "--pair-coeff", "1 2 1.5 0.8 2.0",
      "--pair-coeff", "2 2 0.5 0.88 2.2", "--pair-modify", "shift", "yes"]

p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("--tessera", required=True)
p.add_argument("--out", default=None, help="output directory (default build/seeds/004)")
p.add_argument("--quick", action="store_true", help="small and fast (< 10 min on 2 cores)")
p.add_argument("--runs", type=int, help="independent glasses/creep runs (quick 6, full 10; the last 20 %% test)")
p.add_argument("--atoms", type=int, help="atoms per glass (quick 1000, full 10000 as the paper)")
p.add_argument("--melt-steps", type=int, help="steps at T = 3 (quick 10000, full 50000 as the paper)")
p.add_argument("--creep-steps", type=int, help="creep steps (quick 100000, full 1000000; the paper 1e7)")
p.add_argument("--every", type=int, help="steps between minimised configurations (quick 5000, full 10000)")
p.add_argument("--dt", type=int, default=10000, help="label interval dt in steps (the paper's 1e4)")
p.add_argument("--threshold", type=float, default=0.25, help="D2min_0 (the paper's 0.25)")
p.add_argument("--sigma", type=float, default=0.5, help="applied compressive stress sigma0 (the paper's 0.5)")
p.add_argument("--temperature", type=float, default=0.1, help="creep temperature (the paper's 0.1)")
p.add_argument("--voxels", type=int, help="voxels per axis of the looseness field (full 15; quick 7: same atoms/voxel)")
p.add_argument("--bootstraps", type=int, default=5, help="balanced bootstrap samples (the paper's 5)")
p.add_argument("--top", type=int, default=10, help="features of the final model (the paper's top 10 of RFE)")
p.add_argument("--seed", type=int, default=2023)
p.add_argument("--jobs", type=int, default=2, help="LAMMPS/tessera processes at once (default 2)")
args = p.parse_args()

Q = args.quick
runs = args.runs or (6 if Q else 10)
natoms = args.atoms or (1000 if Q else 10000)
melt = args.melt_steps or (10000 if Q else 50000)
creep_steps = args.creep_steps or (100000 if Q else 1000000)
every = args.every or (5000 if Q else 10000)
voxels = args.voxels or (7 if Q else 15)
out = os.path.abspath(args.out or os.path.join(ROOT, "build", "seeds", "004"))
if runs < 2:
    sys.exit("seed004: needs at least 2 runs (training and test)")
if args.dt % every:
    sys.exit(f"seed004: --dt {args.dt} must be a multiple of --every {every}")
n_test = max(1, round(0.2 * runs))
train_runs = list(range(runs - n_test))
test_runs = list(range(runs - n_test, runs))
lag = args.dt // every
sweep_dts = [d for d in (args.dt, 2 * args.dt, 5 * args.dt) if d <= creep_steps // 2]
sweep_thresholds = [0.05, 0.10, 0.15, 0.20, 0.25, 0.30]
os.makedirs(out, exist_ok=True)
for sub in ("lammps", "tessera", "ml"):
    os.makedirs(os.path.join(out, sub), exist_ok=True)
T0 = time.time()


def log(msg):
    print(f"seed004 [{time.time() - T0:6.0f} s] {msg}", flush=True)


def sh(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"seed004: command failed ({r.returncode}): {' '.join(cmd)}\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}")
    return r


def tessera(*a):
    return sh([args.tessera, *map(str, a)])


def parallel(fn, items):
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        return list(ex.map(fn, items))


def lmp(inp, logfile, **v):
    cmd = ["lmp", "-in", os.path.join(HERE, inp), "-log", logfile, "-screen", "none"]
    for k, val in v.items():
        cmd += ["-var", k, str(val)]
    sh(cmd, cwd=os.path.join(out, "lammps"))


def read_dump(path, columns):
    """Frames of a LAMMPS text dump: list of (timestep, {col: array}) with the requested columns."""
    frames = []
    with open(path) as f:
        while True:
            line = f.readline()
            if not line:
                break
            if not line.startswith("ITEM: TIMESTEP"):
                continue
            step = int(f.readline())
            f.readline()
            n = int(f.readline())
            f.readline()
            for _ in range(3):
                f.readline()
            head = f.readline().split()[2:]
            rows = np.loadtxt([f.readline() for _ in range(n)], ndmin=2)
            frames.append((step, {c: rows[:, head.index(c)] for c in columns}))
    return frames


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def read_csv(path):
    with open(path) as f:
        r = csv.reader(f)
        head = next(r)
        data = [row for row in r]
    return head, data


# ---------------------------------------------------------------- 1-3. LAMMPS: glass, creep, minimisation
def simulate(r):
    L = os.path.join(out, "lammps")
    glass, raw, mind = f"glass_{r}.data", f"raw_{r}.dump", f"min_{r}.dump"
    if not os.path.exists(os.path.join(L, mind)):
        lmp("ka_glass.in", f"glass_{r}.log", N=natoms, seed=1000 + 17 * r + args.seed % 1000, melt=melt, cool=10000,
            out=glass)
        lmp("ka_creep.in", f"creep_{r}.log", glass=glass, T=args.temperature, sigma=args.sigma, seed=7 + r,
            thermo=100, every=every, raw=raw, steps=creep_steps)
        lmp("ka_minimize.in", f"minimize_{r}.log", glass=glass, sigma=args.sigma, nframes=creep_steps // every + 1,
            every=every, raw=raw, out=mind + ".part")
        os.replace(os.path.join(L, mind + ".part"), os.path.join(L, mind))
        os.remove(os.path.join(L, raw))
    return os.path.join(L, mind)


def creep_curve(r):
    """(step, lz) rows of the creep run's thermo output."""
    rows, on = [], False
    with open(os.path.join(out, "lammps", f"creep_{r}.log")) as f:
        for line in f:
            s = line.split()
            if s[:2] == ["Step", "Temp"]:
                on, cols = True, s
                continue
            if on:
                if not s or not s[0].isdigit():
                    on = False
                    continue
                rows.append((int(s[0]), float(s[cols.index("Lz")])))
    return rows


log(f"{runs} runs of {natoms} KA atoms (train {train_runs}, test {test_runs}); creep {creep_steps} steps at "
    f"T = {args.temperature}, sigma0 = {args.sigma}; configurations every {every} steps")
mins = parallel(simulate, range(runs))
log("LAMMPS done")

# strain: compressive positive, eps(t) = -(lz(t) - lz(0)) / lz(0)
with open(os.path.join(out, "creep_strain.csv"), "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["run", "step", "lz", "strain"])
    for r in range(runs):
        c = creep_curve(r)
        for step, lz in c:
            w.writerow([r, step, repr(lz), repr(-(lz - c[0][1]) / c[0][1])])


# ---------------------------------------------------------------- 4-5. tessera: features and D2min
def describe(r):
    T = os.path.join(out, "tessera")
    feat = os.path.join(T, f"features_{r}.dump")
    if not os.path.exists(feat):
        tessera("compute", mins[r], "-o", feat, "--interstice", "--radii", RADII, "--threads", 1)
    lags = sorted({d // every for d in sweep_dts})
    for k in lags:
        d2 = os.path.join(T, f"d2min_{r}_lag{k}.dump")
        if not os.path.exists(d2):
            tessera("d2min", mins[r], "-o", d2, "--cutoff", 2.5, "--reference", f"lag:{k}", "--threads", 1)
    return feat


feats = parallel(describe, range(runs))
log("tessera compute --interstice and d2min done")

# ---------------------------------------------------------------- 6. tables: one row per (run, frame, type-A atom)
f0 = read_dump(feats[0], ["id"])
with open(feats[0]) as f:
    for line in f:
        if line.startswith("ITEM: ATOMS"):
            FEATURES = [c for c in line.split()[2:] if c.startswith("int_")]
            break
assert len(FEATURES) == 60, FEATURES
nframes = len(f0)
table = {}   # (run) -> dict of arrays over rows (frame-major, id-sorted)
for r in range(runs):
    fr = read_dump(feats[r], ["id", "type", "x", "y", "z"] + FEATURES)
    cols = {c: [] for c in ["frame", "timestep", "id", "type", "x", "y", "z"] + FEATURES}
    for k, (step, d) in enumerate(fr):
        a = d["type"] == 1
        order = np.argsort(d["id"][a])
        for c in ["id", "type", "x", "y", "z"] + FEATURES:
            cols[c].append(d[c][a][order])
        cols["frame"].append(np.full(order.size, k))
        cols["timestep"].append(np.full(order.size, step))
    t = {c: np.concatenate(v) for c, v in cols.items()}
    n_a = int((fr[0][1]["type"] == 1).sum())
    for d in sweep_dts:
        k = d // every
        d2 = read_dump(os.path.join(out, "tessera", f"d2min_{r}_lag{k}.dump"), ["id", "type", "d2min"])
        col = np.full(t["id"].size, np.nan)
        for step, dd in d2:          # D2min written at the later frame t0 + dt: label the frame t0
            f_ref = step // every - k
            a = dd["type"] == 1
            order = np.argsort(dd["id"][a])
            assert np.array_equal(dd["id"][a][order], t["id"][f_ref * n_a:(f_ref + 1) * n_a])
            col[f_ref * n_a:(f_ref + 1) * n_a] = dd["d2min"][a][order]
        t[f"d2min_dt{d}"] = col
    table[r] = t
n_a = table[0]["id"].size // nframes
log(f"{nframes} configurations per run, {n_a} type-A atoms each")

ML = os.path.join(out, "ml")
rng = np.random.default_rng(args.seed)


def rows_of(rs, d, thr):
    """Feature matrix, labels and (run, frame, id) keys of the labelled type-A rows of runs rs for (dt, D2min_0)."""
    X, y, keys = [], [], []
    for r in rs:
        t = table[r]
        ok = np.isfinite(t[f"d2min_dt{d}"])
        X.append(np.column_stack([t[c][ok] for c in FEATURES]))
        y.append((t[f"d2min_dt{d}"][ok] > thr).astype(int))
        keys.append(np.column_stack([np.full(ok.sum(), r), t["frame"][ok], t["id"][ok]]))
    return np.vstack(X), np.concatenate(y), np.vstack(keys)


def write_table(path, X, y, keys, features=FEATURES):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["run", "frame", "id"] + list(features) + ["loose"])
        for k, x, lab in zip(keys, X, y):
            w.writerow([int(k[0]), int(k[1]), int(k[2])] + [repr(float(v)) for v in x] + [int(lab)])


def balanced(y, n, rng):
    """Indices of a balanced random undersample: n of each class (without replacement)."""
    i1, i0 = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    return np.sort(np.concatenate([rng.choice(i1, n, replace=False), rng.choice(i0, n, replace=False)]))


def score(truth_csv, pred_csv):
    r = tessera("learn", "score", "--truth", truth_csv, "--label", "loose", "--pred", pred_csv)
    m = dict(line.split(",", 1) for line in r.stdout.strip().splitlines()[1:])
    return float(m["balanced_accuracy"])


# ---------------------------------------------------------------- 7. the (dt, D2min_0) sweep (paper Fig. 4)
# One sample size for every combination (as the paper: 1,285 per class everywhere), the smallest minority count;
# a combination with fewer than 20 loose rows cannot be sampled at all and is left out (reported).
positives = {(d, thr): int(rows_of(train_runs, d, thr)[1].sum()) for d in sweep_dts for thr in sweep_thresholds}
usable = {c: n for c, n in positives.items() if n >= 20}
if (args.dt, args.threshold) not in usable:
    sys.exit(f"seed004: only {positives.get((args.dt, args.threshold), 0)} loose training rows at dt = {args.dt}, "
             f"D2min_0 = {args.threshold}: run longer or bigger")
n_sweep = min(min(usable.values()), 1285)
log("loose training rows per (dt, D2min_0): " + ", ".join(f"{d}/{thr:.2f}: {n}" for (d, thr), n in positives.items()))
sweep_rows = []


def sweep_one(job):
    d, thr, b, idx, X, y, keys = job
    path = os.path.join(ML, f"sweep_dt{d}_thr{thr:.2f}_b{b}.csv")
    write_table(path, X[idx], y[idx], keys[idx])
    cvp = path.replace(".csv", "_cv.csv")
    tessera("learn", "cv", "--model", "logistic", "--data", path, "--label", "loose", "--features", ",".join(FEATURES),
            "--folds", 5, "--grid", "C=0.01,0.1,1,10", "-o", cvp, "--threads", 1)
    h, data = read_csv(cvp)
    best = max(data, key=lambda row: float(row[h.index("mean_balanced_accuracy")]))
    return [d, thr, b, float(best[h.index("C")]), float(best[h.index("mean_balanced_accuracy")]),
            float(best[h.index("std_balanced_accuracy")])]


jobs = []
for d in sweep_dts:
    for thr in sweep_thresholds:
        if (d, thr) not in usable:
            continue
        X, y, keys = rows_of(train_runs, d, thr)
        for b in range(args.bootstraps):
            jobs.append((d, thr, b, balanced(y, n_sweep, rng), X, y, keys))
sweep_rows = parallel(sweep_one, jobs)
write_csv(os.path.join(out, "sweep.csv"), ["dt", "threshold", "bootstrap", "C", "balanced_accuracy", "std_folds"],
          sweep_rows)
log(f"sweep of {len(sweep_dts)} dt x {len(sweep_thresholds)} thresholds x {args.bootstraps} bootstraps "
    f"({n_sweep} per class) done")

# ---------------------------------------------------------------- 8. RFE with gradient boosting (paper Sec. 2.3.4)
Xtr, ytr, ktr = rows_of(train_runs, args.dt, args.threshold)
Xte, yte, kte = rows_of(test_runs, args.dt, args.threshold)
n_rfe = min(int(ytr.sum()), 2115)
rfe_step = 1 if not Q else 3


def rfe_one(b):
    idx = balanced(ytr, n_rfe, np.random.default_rng(args.seed + 100 + b))
    path = os.path.join(ML, f"rfe_b{b}.csv")
    write_table(path, Xtr[idx], ytr[idx], ktr[idx])
    rank = path.replace(".csv", "_ranking.csv")
    tessera("learn", "rfe", "--model", "gbt", "--data", path, "--label", "loose", "--features", ",".join(FEATURES),
            "--n-features", 1, "--step", rfe_step, "--seed", b, "-o", rank)
    h, data = read_csv(rank)
    return {row[h.index("feature")]: int(row[h.index("ranking")]) for row in data}


ranks = parallel(rfe_one, range(args.bootstraps))
mean_rank = {f: float(np.mean([rk[f] for rk in ranks])) for f in FEATURES}
order = sorted(FEATURES, key=lambda f: (mean_rank[f], FEATURES.index(f)))
write_csv(os.path.join(out, "rfe_ranking.csv"), ["feature", "mean_rank"] + [f"rank_b{b}" for b in range(len(ranks))],
          [[f, mean_rank[f]] + [rk[f] for rk in ranks] for f in order])
top = order[:args.top]
log(f"RFE (gbt, step {rfe_step}, {n_rfe} per class): top {args.top} = {', '.join(top)}")

# test table (all labelled type-A rows of the test runs)
test_csv = os.path.join(ML, "test.csv")
write_table(test_csv, Xte, yte, kte)

# ---------------------------------------------------------------- 9. test balanced accuracy against top-n features
ns = [n for n in (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 30, 40, 60) if n <= len(FEATURES)]


def topn_one(job):
    n, b = job
    idx = balanced(ytr, n_rfe, np.random.default_rng(args.seed + 200 + b))
    path = os.path.join(ML, f"topn_b{b}.csv")
    if not os.path.exists(path):
        write_table(path, Xtr[idx], ytr[idx], ktr[idx])
    model = os.path.join(ML, f"topn_{n}_b{b}.json")
    pred = model.replace(".json", "_pred.csv")
    tessera("learn", "fit", "--model", "logistic", "--data", path, "--label", "loose", "--features",
            ",".join(order[:n]), "--C", 1, "-o", model)
    tessera("learn", "predict", model, "--data", test_csv, "-o", pred, "--threads", 1)
    return [n, b, score(test_csv, pred)]


for b in range(args.bootstraps):   # write the bootstrap tables once, before the parallel fits read them
    idx = balanced(ytr, n_rfe, np.random.default_rng(args.seed + 200 + b))
    write_table(os.path.join(ML, f"topn_b{b}.csv"), Xtr[idx], ytr[idx], ktr[idx])
topn = parallel(topn_one, [(n, b) for n in ns for b in range(args.bootstraps)])
write_csv(os.path.join(out, "topn.csv"), ["n_features", "bootstrap", "balanced_accuracy_test"], topn)
log("test balanced accuracy against the number of top features done")

# ---------------------------------------------------------------- 10. looseness: EasyEnsemble of 10 logistic learners
train_csv = os.path.join(ML, "train.csv")
write_table(train_csv, Xtr, ytr, ktr)
model = os.path.join(out, "looseness_model.json")
tessera("learn", "fit", "--model", "easyensemble", "--n-estimators", 10, "--C", 1, "--seed", args.seed,
        "--data", train_csv, "--label", "loose", "--features", ",".join(top), "-o", model)
test_pred = os.path.join(out, "test_pred.csv")
tessera("learn", "predict", model, "--data", test_csv, "-o", test_pred, "--threads", 1)
ba_test = score(test_csv, test_pred)
h, data = read_csv(test_pred)
proba_test = np.array([float(row[h.index("proba_1")]) for row in data])


def auc(y, s):
    """Area under the ROC curve = P(s_pos > s_neg) + P(tie)/2 (Mann-Whitney with average ranks)."""
    order_ = np.argsort(s, kind="mergesort")
    ranks_ = np.empty(len(s))
    ss = s[order_]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and ss[j + 1] == ss[i]:
            j += 1
        ranks_[order_[i:j + 1]] = 0.5 * (i + j) + 1
        i = j + 1
    n1 = int(y.sum())
    n0 = len(y) - n1
    return float((ranks_[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


auc_test = auc(yte, proba_test)
log(f"looseness model: test balanced accuracy {ba_test:.4f}, AUC {auc_test:.4f} "
    f"({int(yte.sum())} loose of {yte.size} test rows)")

# L on every configuration of every run (labelled or not), as dumps for the correlation commands
L_all = {}
for r in range(runs):
    t = table[r]
    path = os.path.join(ML, f"all_{r}.csv")
    keys = np.column_stack([np.full(t["id"].size, r), t["frame"], t["id"]])
    write_table(path, np.column_stack([t[c] for c in FEATURES]), np.zeros(t["id"].size, dtype=int), keys)
    pred = os.path.join(ML, f"all_{r}_pred.csv")
    tessera("learn", "predict", model, "--data", path, "-o", pred, "--threads", 1)
    h, data = read_csv(pred)
    L_all[r] = np.array([float(row[h.index("proba_1")]) for row in data])
    os.remove(path)
    # a LAMMPS dump of the type-A atoms with L, on the minimised configurations' boxes
    boxes = []
    with open(mins[r]) as f:
        lines = f.readlines()
    for i, line in enumerate(lines):
        if line.startswith("ITEM: BOX BOUNDS"):
            boxes.append(lines[i:i + 4])
    with open(os.path.join(out, f"looseness_{r}.dump"), "w") as f:
        for k in range(nframes):
            s = slice(k * n_a, (k + 1) * n_a)
            f.write(f"ITEM: TIMESTEP\n{int(t['timestep'][s][0])}\nITEM: NUMBER OF ATOMS\n{n_a}\n")
            f.writelines(boxes[k])
            f.write("ITEM: ATOMS id type x y z L d2min\n")
            d2 = t[f"d2min_dt{args.dt}"][s]
            for i in range(n_a):
                f.write(f"{int(t['id'][s][i])} 1 {t['x'][s][i]!r} {t['y'][s][i]!r} {t['z'][s][i]!r} "
                        f"{L_all[r][s][i]!r} {d2[i]!r}\n")
log("looseness predicted on every configuration")

# ---------------------------------------------------------------- 11. space and time correlations of L
big = os.path.join(out, "looseness_all.dump")
with open(big, "w") as f:
    for r in range(runs):
        with open(os.path.join(out, f"looseness_{r}.dump")) as g:
            f.write(g.read())
# r_max below half the narrowest box width of any configuration (the box shrinks along z under compression)
widths = []
for r in range(runs):
    with open(os.path.join(out, f"looseness_{r}.dump")) as f:
        lines = f.readlines()
    for i, line in enumerate(lines):
        if line.startswith("ITEM: BOX BOUNDS"):
            widths += [float(lines[i + a].split()[1]) - float(lines[i + a].split()[0]) for a in (1, 2, 3)]
rmax = math.floor(0.499 * min(widths) / 0.1) * 0.1
rmax = round(rmax, 1)
res = tessera("correlate", "spatial", big, "--field", "L", "--rmax", rmax, "--dr", 0.1, "--threads", 1,
              "-o", os.path.join(out, "sacf.csv"))
m = re.search(r"correlate spatial: xi ([-0-9.eE+]+)", res.stderr)
sacf_xi = float(m.group(1)) if m else float("nan")
os.remove(big)
tcs = []
for r in range(runs):
    res = tessera("correlate", "temporal", os.path.join(out, f"looseness_{r}.dump"), "--field", "L",
                  "--voxels", f"{voxels},{voxels},{voxels}", "--zero-crossings", os.path.join(out, f"tc_{r}.csv"),
                  "--fluctuations", os.path.join(out, f"fluct_{r}.csv"), "-o", os.path.join(out, f"tacf_{r}.csv"))
    h, data = read_csv(os.path.join(out, f"tc_{r}.csv"))
    tcs += [float(row[h.index("t_c")]) for row in data if row[h.index("t_c")] not in ("nan", "NaN")]
tcs = np.array([t for t in tcs if np.isfinite(t) and t > 0])


def power_law_mle(x, lo, hi):
    """Exponent alpha of p(t) ~ t^-alpha truncated to [lo, hi], by maximum likelihood (Aban, Meerschaert &
    Panorska 2006): maximises l(alpha) = -n ln Z(alpha) - alpha sum ln t, Z = int_lo^hi t^-alpha dt. The run's
    length bounds t_c (a voxel's TACF has fewer origins at long lags), so the tail is fitted below a third of
    the run, above two configuration intervals (the interpolation's resolution)."""
    from scipy.optimize import minimize_scalar
    t = x[(x >= lo) & (x <= hi)]
    s = np.log(t).sum()

    def nll(a):
        z = math.log(hi / lo) if abs(1 - a) < 1e-9 else (hi ** (1 - a) - lo ** (1 - a)) / (1 - a)
        return t.size * math.log(z) + a * s

    return float(minimize_scalar(nll, bounds=(-6, 6), method="bounded", options={"xatol": 1e-10}).x), int(t.size)


tc_lo, tc_hi = 2.0 * every, creep_steps / 3.0
alpha, tc_fitted = power_law_mle(tcs, tc_lo, tc_hi) if tcs.size > 20 else (float("nan"), 0)
tc_xmin = tc_lo
log(f"SACF decay length {sacf_xi:.3f}; t_c of {tcs.size} voxels, exponent {-alpha:.2f} over {tc_fitted} in "
    f"[{tc_lo:.0f}, {tc_hi:.0f}] steps")

# ---------------------------------------------------------------- 12. creep modulus and <L>(t)
h, data = read_csv(os.path.join(out, "creep_strain.csv"))
steps = sorted({int(row[1]) for row in data})
strain = np.zeros(len(steps))
for row in data:
    strain[steps.index(int(row[1]))] += float(row[3]) / runs
steps = np.array(steps, dtype=float)
fit_from = 1000.0   # after the barostat's transient (Pdamp = 10 = 1000 steps): the primary-creep regime
sel = steps >= fit_from
slope_eps, eps0 = np.polyfit(np.log(steps[sel]), strain[sel], 1)
creep_modulus = args.sigma / slope_eps
frame_steps = np.array([int(table[0]["timestep"][k * n_a]) for k in range(nframes)], dtype=float)
mean_L = np.array([np.mean([L_all[r][k * n_a:(k + 1) * n_a].mean() for r in range(runs)]) for k in range(nframes)])
write_csv(os.path.join(out, "mean_looseness.csv"), ["step", "mean_L"] + [f"mean_L_run{r}" for r in range(runs)],
          [[int(frame_steps[k]), mean_L[k]] + [L_all[r][k * n_a:(k + 1) * n_a].mean() for r in range(runs)]
           for k in range(nframes)])
pos = frame_steps > 0
log_t_slope, L0 = np.polyfit(np.log(frame_steps[pos]), mean_L[pos], 1)
log(f"creep modulus {creep_modulus:.1f} (strain = {slope_eps:.3e} ln t + {eps0:.3e}); "
    f"d<L>/d ln t = {log_t_slope:.4f}")

summary = {
    "balanced_accuracy_test": ba_test,
    "auc_test": auc_test,
    "rfe_top_features": top,
    "sacf_decay_length": sacf_xi,
    "log_t_slope": float(log_t_slope),
    "tc_power_law_exponent": float(-alpha),
    "creep_modulus": float(creep_modulus),
    "tc_fit_range": [tc_lo, tc_hi], "tc_fitted": tc_fitted,
    "tc_count": int(tcs.size),
    "creep_strain_slope": float(slope_eps), "sacf_rmax": rmax, "sacf_dr": 0.1, "rfe_step": rfe_step,
    "runs": runs, "atoms": natoms, "creep_steps": creep_steps, "every": every, "dt": args.dt,
    "threshold": args.threshold, "sigma0": args.sigma, "temperature": args.temperature, "voxels": voxels,
    "train_runs": train_runs, "test_runs": test_runs, "loose_fraction_train": float(ytr.mean()),
    "loose_fraction_test": float(yte.mean()), "seconds": round(time.time() - T0, 1),
}
with open(os.path.join(out, "summary.json"), "w") as f:
    json.dump(summary, f, indent=1)


# ---------------------------------------------------------------- the figure
def figure(path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(2, 4, figsize=(19, 8.5))
    ax = ax.ravel()
    title = (f"Seed 004 (Wu & Ruiz Pestana 2023): looseness of a Kob-Andersen glass under creep - {runs} runs x "
             f"{natoms} atoms, T = {args.temperature}, sigma0 = {args.sigma}, {creep_steps:.0e} steps")
    fig.suptitle(title, fontsize=12)
    # (a) creep
    h, data = read_csv(os.path.join(out, "creep_strain.csv"))
    for r in range(runs):
        rr = [(int(row[1]), float(row[3])) for row in data if int(row[0]) == r and int(row[1]) > 0]
        ax[0].plot([a for a, _ in rr], [b * 1e3 for _, b in rr], lw=0.6, alpha=0.4, color="tab:blue")
    tt = steps[steps > 0]
    ax[0].plot(tt, strain[steps > 0] * 1e3, color="k", lw=1.5, label="mean of runs")
    ax[0].plot(tt[tt >= fit_from], (slope_eps * np.log(tt[tt >= fit_from]) + eps0) * 1e3, "r--",
               label=f"(sigma0/C) ln t + eps0, C = {creep_modulus:.0f}")
    ax[0].set(xscale="log", xlabel="t [steps]", ylabel="compressive strain eps [1e-3]",
              title="(a) primary creep (paper Fig. 2)")
    ax[0].legend(fontsize=8)
    # (b) sweep
    sw = np.array(sweep_rows, dtype=float)
    for d in sweep_dts:
        m_ = sw[:, 0] == d
        th = sorted(set(sw[m_, 1]))
        mean = [sw[m_ & (sw[:, 1] == x), 4].mean() for x in th]
        std = [sw[m_ & (sw[:, 1] == x), 4].std() for x in th]
        ax[1].errorbar(th, mean, yerr=std, marker="o", capsize=3, label=f"dt = {d:.0e} steps")
    ax[1].axvline(args.threshold, color="r", ls=":", label="paper's choice D2min_0 = 0.25")
    ax[1].set(xlabel="D2min_0", ylabel="5-fold CV balanced accuracy", title="(b) label definition (paper Fig. 4)")
    ax[1].legend(fontsize=8)
    # (c) top-n
    tn = np.array(topn, dtype=float)
    nn = sorted(set(tn[:, 0]))
    ax[2].errorbar(nn, [tn[tn[:, 0] == n, 2].mean() for n in nn], yerr=[tn[tn[:, 0] == n, 2].std() for n in nn],
                   marker="o", capsize=3, label="logistic, 5 balanced bootstraps")
    ax[2].axhline(0.7, color="gray", ls="--", label="paper: ~0.7")
    ax[2].axvline(args.top, color="r", ls=":", label=f"final model: top {args.top}")
    ax[2].set(xscale="log", xlabel="number of top RFE features (gradient boosting)",
              ylabel="test balanced accuracy", title="(c) RFE (paper Fig. 5A)")
    ax[2].legend(fontsize=8)
    # (d) L vs D2min
    Lr, Dr = [], []
    for r in range(runs):
        d2 = table[r][f"d2min_dt{args.dt}"]
        ok = np.isfinite(d2) & (d2 > 0)
        Lr.append(L_all[r][ok])
        Dr.append(d2[ok])
    Lr, Dr = np.concatenate(Lr), np.concatenate(Dr)
    hh = ax[3].hist2d(Lr, np.log10(Dr), bins=[40, 40], cmap="viridis", norm=matplotlib.colors.LogNorm())
    fig.colorbar(hh[3], ax=ax[3], label="atoms")
    ax[3].axhline(np.log10(args.threshold), color="r", label="D2min_0 = 0.25")
    ax[3].set(xlabel="looseness L", ylabel="log10 D2min(t0, t0 + dt)", title="(d) L against D2min (paper Fig. 6A)")
    ax[3].legend(fontsize=8, loc="lower right")
    # (e) <L>(t)
    for r in range(runs):
        ax[4].plot(frame_steps[pos], [L_all[r][k * n_a:(k + 1) * n_a].mean() for k in np.flatnonzero(pos)],
                   lw=0.6, alpha=0.4, color="tab:blue")
    ax[4].plot(frame_steps[pos], mean_L[pos], "k-o", ms=3, label="mean of runs")
    ax[4].plot(frame_steps[pos], log_t_slope * np.log(frame_steps[pos]) + L0, "r--",
               label=f"d<L>/d ln t = {log_t_slope:.4f}")
    ax[4].set(xscale="log", xlabel="t [steps]", ylabel="<L>", title="(e) mean looseness (paper Fig. 7A)")
    ax[4].legend(fontsize=8)
    # (f) SACF
    h, data = read_csv(os.path.join(out, "sacf.csv"))
    rr = np.array([float(row[h.index("r")]) for row in data])
    cc = np.array([float(row[h.index("c")]) if row[h.index("c")] not in ("nan", "NaN") else np.nan for row in data])
    ax[5].plot(rr, cc, "o-", ms=3, label="C(r) = SACF / var(L)")
    ax[5].axhline(0, color="gray", lw=0.5)
    ax[5].set(xlabel="r [sigma_AA]", ylabel="C(r)", title=f"(f) SACF of L (paper Fig. 8B): xi = {sacf_xi:.2f}")
    ax[5].legend(fontsize=8)
    # (g) t_c
    if tcs.size:
        bins = np.logspace(np.log10(tcs.min()), np.log10(tcs.max()), 15)
        hist, edges = np.histogram(tcs, bins=bins, density=True)
        cen = np.sqrt(edges[1:] * edges[:-1])
        ax[6].loglog(cen[hist > 0], hist[hist > 0], "o", label=f"{tcs.size} voxels")
        if np.isfinite(alpha):
            xx = np.logspace(np.log10(tc_lo), np.log10(tc_hi), 20)
            inside = (tcs >= tc_lo) & (tcs <= tc_hi)
            z = math.log(tc_hi / tc_lo) if abs(1 - alpha) < 1e-9 else (tc_hi ** (1 - alpha) - tc_lo ** (1 - alpha)) / (1 - alpha)
            frac = inside.mean()
            ax[6].loglog(xx, frac * xx ** -alpha / z, "r--", label=f"MLE in the fit window: t_c^({-alpha:.2f})")
            ax[6].loglog(xx, frac * xx ** -1.0 / math.log(tc_hi / tc_lo), ":", color="gray", label="paper: t_c^-1")
            ax[6].axvspan(tc_lo, tc_hi, color="gray", alpha=0.1)
    ax[6].set(xlabel="t_c [steps]", ylabel="P(t_c)", title="(g) voxel relaxation times (paper Fig. 9D)")
    ax[6].legend(fontsize=8)
    # (h) fluctuations
    for r in range(runs):
        h, data = read_csv(os.path.join(out, f"fluct_{r}.csv"))
        npv = [float(row[h.index("particles_per_voxel")]) for row in data]
        rms = [float(row[h.index("rms")]) if "rms" in h else float(row[4]) for row in data]
        ax[7].loglog(npv, rms, "o-", ms=3, alpha=0.7, label=f"run {r}")
    ax[7].set(xlabel="particles per voxel N", ylabel="dL*(N) (rms)", title="(h) looseness fluctuations (paper Fig. 8A)")
    ax[7].legend(fontsize=7)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    fig.savefig(path, dpi=80)


figure(os.path.join(out, "seed004.png"))

print(f"seed004: test balanced accuracy {ba_test:.3f} (paper ~0.7), AUC {auc_test:.3f}")
print(f"seed004: <L> changes linearly in ln t: d<L>/d ln t = {log_t_slope:.4f}; creep modulus C = {creep_modulus:.0f} "
      f"(paper ~200-350 at sigma0 = 0.5, T = 0.1)")
print(f"seed004: t_c distribution exponent {-alpha:.2f} in [{tc_lo:.0f}, {tc_hi:.0f}] steps (paper ~ -1, up to 3e5); "
      f"SACF decay length {sacf_xi:.2f} sigma (paper ~0.63)")
print(f"seed004: RFE top {args.top}: {', '.join(top)}")
print(f"seed004: wrote {os.path.join(out, 'summary.json')}")
