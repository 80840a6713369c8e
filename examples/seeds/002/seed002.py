#!/usr/bin/python3
"""Seed 002: machine-learned temperature T_ML of the atoms of a Cu50Zr50 glass under creep and
cyclic loading (Liu, He, Lu, Zhou, Tian, Liang, Ma, Yang, Shen, Sci. China Mater. 2022), end to
end with Debian's LAMMPS and the `tessera` command.

usage: seed002.py --tessera EXE [--out DIR] [--quick] [options]   (normally via ./run)

Stages (every number comes from a LAMMPS or tessera run; Python writes the LAMMPS inputs, moves
columns between tables, and computes what no tessera command does: the V-T hinge fit, the ReliefF
cut, the class centroids, fractions and fits):
  1. quench   lmp: B2 CuZr -> melt 3000 K -> 2000 K -> NPT quench at zero pressure in 100 K
              segments; V(T) every 0.5 ps (quench_vt.txt); a data file at every ladder T
  2. ladder   lmp per T: NPT at T and zero pressure, then frames at log-spaced lags (ladder_T.dump)
              tessera atom-msd --lags 1..L --temperature T --reference-box: lg(dr2/T) per atom and lag
  3. ML       tessera learn relieff on all lags -> drop the short-lag prefix of low weight;
              class centroids -> tessera cluster agglomerative (ward, k=7) -> keep the lowest T of
              each cluster; tessera learn cv (10 folds, knn k=50) -> cv_accuracy, and with
              --predictions the held-out T_ML (label_mean of each atom's out-of-fold model)
  4. tensile  lmp: fix deform z erate, 100 K -> yield strength (peak stress) and strain
  5. creep    lmp: compression along z ramped at 0.1 GPa/ps to sigma_h = f * sigma_y, held
     cyclic   lmp: sigma_z(t) = sigma_0 sin(2 pi f t), piecewise-linear pressure targets
  6. windows  tessera atom-msd --reference-box (each start time) -> tessera learn predict -> T_ML;
              tessera d2min (start, start + dt) -> d2min, shear_strain (von Mises), rotation;
              tessera stats --pearson; tessera compute --voronoi -> Voronoi types, Eq. 1 Delta f (both runs)
  7. summary.json and seed002.png
"""
import argparse
import concurrent.futures as cf
import csv
import gzip
import json
import os
import subprocess
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
POT = "/usr/share/lammps/potentials/CuZr_mm.eam.fs"
DT_FS = 2.0  # timestep, fs (LAMMPS metal units: 0.002 ps)

p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("--tessera", required=True)
p.add_argument("--out", default=None, help="output directory (default build/seeds/002)")
p.add_argument("--quick", action="store_true", help="small and fast (< 10 min on 2 idle cores)")
p.add_argument("--cells", type=int, help="B2 cells per axis: 2 n^3 atoms (quick 6 -> 432, full 9 -> 1458)")
p.add_argument("--quench-ps-per-100K", type=float, help="quench time per 100 K (quick 2.5 -> 4e13 K/s, full 50 -> 2e12 K/s)")
p.add_argument("--temperatures", help="ladder, K, comma-separated (quick 10 values, full 100..1700 every 100)")
p.add_argument("--max-lag-ps", type=float, help="longest feature lag (quick 20, full 200 as the paper)")
p.add_argument("--equil-ps", type=float, help="NPT at each ladder T before the feature window (quick 5, full 20)")
p.add_argument("--classes", type=int, default=7, help="clusters of temperature classes kept (the paper keeps 7)")
p.add_argument("--relief-k", type=int, default=10, help="ReliefF nearest hits/misses (Robnik-Sikonja & Kononenko: 10)")
p.add_argument("--relief-threshold", type=float, default=0.1,
               help="drop the short-lag prefix of features whose ReliefF weight < this fraction of the largest")
p.add_argument("--k", type=int, default=50, help="kNN neighbours (the paper: 50)")
p.add_argument("--folds", type=int, default=10, help="cross-validation folds (the paper: 10)")
p.add_argument("--erate", type=float, help="tensile strain rate, 1/ps (quick 0.01, full 0.0017 as the paper)")
p.add_argument("--max-strain", type=float, default=0.12, help="tensile run to this strain")
p.add_argument("--creep-fractions", default="0.85,0.95",
               help="sigma_h / sigma_y of the creep runs (the paper: 2.2 and 2.3 GPa; its sigma_y is in the "
                    "unavailable supplementary)")
p.add_argument("--stress-rate", type=float, default=0.1, help="creep ramp, GPa/ps (the paper: 0.1 MPa/fs)")
p.add_argument("--hold-ps", type=float, help="creep hold (quick 80, full 470 as the paper)")
p.add_argument("--cyclic-fraction", type=float, default=0.6, help="sigma_0 / sigma_y (the paper: 1.6 GPa < sigma_y)")
p.add_argument("--frequencies", default="2e10,5e10,1e11", help="cyclic driving frequencies, Hz (the paper's)")
p.add_argument("--cyclic-ps", type=float, help="cyclic run length (quick 100, full 800)")
p.add_argument("--chunks-per-period", type=int, default=20, help="piecewise-linear pressure targets per period")
p.add_argument("--start-every-ps", type=float, help="T_ML window start times (quick 10, full 40)")
p.add_argument("--dump-ps", type=float, default=0.1, help="frame interval of the creep/cyclic dumps, ps")
p.add_argument("--d2min-cutoff", type=float, default=4.0, help="D2min neighbour cutoff, A (CuZr first shell)")
p.add_argument("--deform-temperature", type=float, default=100.0, help="creep/cyclic/tensile temperature, K (paper 100)")
p.add_argument("--raw-displacements", action="store_true",
               help="lg(dr2/T) from raw unwrapped displacements (affine cell deformation included); default: "
                    "displacements in the reference box")
p.add_argument("--jobs", type=int, default=2, help="serial LAMMPS runs at once")
p.add_argument("--seed", type=int, default=20260320)
p.add_argument("--reuse", action="store_true", help="skip LAMMPS runs whose outputs exist")
a = p.parse_args()

Q = a.quick
a.cells = a.cells or (6 if Q else 9)
a.quench_ps_per_100K = a.quench_ps_per_100K or (2.5 if Q else 50.0)
temps = [int(t) for t in a.temperatures.split(",")] if a.temperatures else (
    [100, 300, 500, 700, 800, 900, 1000, 1200, 1400, 1700] if Q else list(range(100, 1701, 100)))
a.max_lag_ps = a.max_lag_ps or (20.0 if Q else 200.0)
a.equil_ps = a.equil_ps or (5.0 if Q else 20.0)
a.erate = a.erate or (0.01 if Q else 0.0017)
a.hold_ps = a.hold_ps or (60.0 if Q else 470.0)
a.cyclic_ps = a.cyclic_ps or (80.0 if Q else 800.0)
a.start_every_ps = a.start_every_ps or (10.0 if Q else 40.0)
a.out = os.path.abspath(a.out or os.path.join("build", "seeds", "002"))
os.makedirs(a.out, exist_ok=True)
out = lambda name: os.path.join(a.out, name)  # noqa: E731
TD = a.deform_temperature
# lags, fs: the paper's 0.01 ... 200 ps on a 1-2-5 ladder, cut at --max-lag-ps
LAGS_FS = [int(v) for v in (10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000)
           if v <= a.max_lag_ps * 1000 + 1e-9]
t_start = time.time()
timing = {}


def log(msg):
    print(f"[seed002 {time.time() - t_start:7.1f} s] {msg}", flush=True)


def tessera(*args, quiet=False):
    if not quiet:
        print("$ tessera " + " ".join(str(x) for x in args), flush=True)
    subprocess.run([a.tessera, *map(str, args)], check=True, stderr=subprocess.DEVNULL if quiet else None)


def lammps(name, text):
    """Write DIR/name.in and run it serially in DIR (skipped with --reuse if name.done exists)."""
    if a.reuse and os.path.exists(out(name + ".done")):
        return
    with open(out(name + ".in"), "w") as f:
        f.write(text)
    t0 = time.time()
    subprocess.run(["lmp", "-in", name + ".in", "-log", name + ".log", "-screen", "none"], cwd=a.out, check=True)
    open(out(name + ".done"), "w").write(f"{time.time() - t0:.1f}\n")
    log(f"lmp {name}: {time.time() - t0:.0f} s")


def pool(jobs):
    with cf.ThreadPoolExecutor(a.jobs) as ex:
        for f in [ex.submit(lammps, n, t) for n, t in jobs]:
            f.result()


def steps(ps):
    return int(round(ps * 1000 / DT_FS))


HEAD = f"""units metal
boundary p p p
atom_style atomic
timestep {DT_FS / 1000}
"""
PAIR = f"""pair_style eam/fs
pair_coeff * * {POT} Cu Zr
neighbor 1.0 bin
"""


# Dumps carry the raw unwrapped positions; `tessera atom-msd --reference-box` maps every frame into
# the window's first cell (r' = H0 H(t)^-1 (r - lo(t)) + lo0) before it takes displacements, so
# that the cell's uniform deformation (creep, cyclic load, barostat breathing) is not counted as
# mobility (--raw-displacements: the raw unwrapped ones, as LAMMPS msd).
COLS = "id type xu yu zu"
REFBOX_FLAG = [] if a.raw_displacements else ["--reference-box"]


def read_csv(path):
    with open(path) as f:
        r = csv.reader(f)
        head = next(r)
        data = np.array([[float(v) for v in row] for row in r])
    return head, data


def write_csv(path, head, cols):
    with open(path, "w") as f:
        f.write(",".join(head) + "\n")
        for row in zip(*cols):
            f.write(",".join(repr(float(v)) if not float(v).is_integer() else str(int(v)) for v in row) + "\n")


def col(head, data, name):
    return data[:, head.index(name)]


# ---------------------------------------------------------------- 1. glass by quench, V(T)
t0 = time.time()
seg = steps(a.quench_ps_per_100K)
q = HEAD + f"""lattice custom 3.26 a1 1 0 0 a2 0 1 0 a3 0 0 1 basis 0 0 0 basis 0.5 0.5 0.5
region cell block 0 {a.cells} 0 {a.cells} 0 {a.cells}
create_box 2 cell
create_atoms 1 region cell basis 1 1 basis 2 2
mass 1 63.546
mass 2 91.224
""" + PAIR + f"""velocity all create 3000.0 {a.seed} mom yes rot yes dist gaussian
thermo 1000
thermo_style custom step temp pe press vol
# a periodic B2 crystal superheats (seed 001): melt at 3000 K, then hold at the paper's 2000 K
fix md all npt temp 3000 3000 0.1 iso 0 0 1
run {steps(6 if Q else 20)}
unfix md
fix md all npt temp 2000 2000 0.1 iso 0 0 1
run {steps(6 if Q else 100)}
unfix md
reset_timestep 0
variable T equal temp
variable v equal vol/atoms
# V-T curve: averages over 0.5 ps (A^3 per atom)
fix vt all ave/time 10 25 250 v_T v_v file quench_vt.txt
"""
for T in range(2000, 100, -100):
    q += f"fix md all npt temp {T} {T - 100} 0.1 iso 0 0 1\nrun {seg}\nunfix md\n"
    if T - 100 in temps:
        q += f"write_data ladder_{T - 100}.data\n"
log(f"quench: {2 * a.cells ** 3} atoms, {100 / a.quench_ps_per_100K:.3g} K/ps = "
    f"{1e14 / a.quench_ps_per_100K:.2g} K/s")
lammps("quench", q)
vt = np.loadtxt(out("quench_vt.txt"))
T_q, V_q = vt[:, 1], vt[:, 2]


def hinge_tg(T, V, lo=300.0, hi=1500.0, step=0.5):
    """T_g: the break of the continuous two-line fit V = c0 + c1 (T - Tb) + c2 max(T - Tb, 0),
    least squares, Tb on a 0.5 K grid (the glass and liquid lines of the V-T curve)."""
    best = (np.inf, None)
    for tb in np.arange(lo, hi + step / 2, step):
        A = np.column_stack([np.ones_like(T), T - tb, np.maximum(T - tb, 0)])
        c = np.linalg.lstsq(A, V, rcond=None)[0]
        sse = float(np.sum((A @ c - V) ** 2))
        if sse < best[0]:
            best = (sse, tb)
    return best[1]


tg = float(hinge_tg(T_q, V_q))
timing["quench"] = time.time() - t0
log(f"T_g = {tg:.1f} K (the paper: 685 K at 1e11 K/s)")

# ---------------------------------------------------------------- 2. temperature ladder
t0 = time.time()
lag_steps = [int(round(L / DT_FS)) for L in LAGS_FS]


def ladder_input(T):
    edges = [0] + lag_steps
    nxt = " + ".join(f"(step>={lo}&&step<{hi})*{hi}" for lo, hi in zip(edges[:-1], edges[1:]))
    nxt += f" + (step>={lag_steps[-1]})*{10 * lag_steps[-1]}"
    s = HEAD + f"read_data ladder_{T}.data\n" + PAIR + f"""thermo 1000
fix md all npt temp {T} {T} 0.1 iso 0 0 1
run {steps(a.equil_ps)}
reset_timestep 0
# frames at 0 and at the lags: the dump's next step from an equal-style variable
variable nxt equal "{nxt}"
dump lad all custom 1 ladder_{T}.dump {COLS}
dump_modify lad sort id format float %.10g every v_nxt first yes
run {lag_steps[-1]}
"""
    if T == 100:  # the deformation runs start from here
        s += "write_data glass_100K.data\n"
    return s


td = int(TD)
if td not in temps:
    raise SystemExit(f"seed002: the deformation temperature {td} K must be on the ladder")
pool([(f"ladder_{T}", ladder_input(T)) for T in sorted(temps, key=lambda T: T != td)])
timing["ladder_md"] = time.time() - t0
t0 = time.time()
nl = len(LAGS_FS)
rows_T, rows_id, rows_f = [], [], []
for T in temps:
    tessera("atom-msd", out(f"ladder_{T}.dump"), "-o", out(f"ladder_{T}_msd.csv"), "--lags",
            ",".join(str(i) for i in range(1, nl + 1)), "--temperature", T, *REFBOX_FLAG, quiet=True)
    h, d = read_csv(out(f"ladder_{T}_msd.csv"))
    rows_T.append(np.full(len(d), T))
    rows_id.append(col(h, d, "id"))
    rows_f.append(np.column_stack([col(h, d, f"lg_dr2_T_{i}") for i in range(1, nl + 1)]))
FEAT = [f"lg_dr2_T_{L}fs" for L in LAGS_FS]
y_all, id_all, X_all = np.concatenate(rows_T), np.concatenate(rows_id), np.vstack(rows_f)
write_csv(out("features_all.csv"), ["id", "T"] + FEAT, [id_all, y_all] + list(X_all.T))
log(f"features: {len(y_all)} atoms x {nl} lags ({LAGS_FS[0] / 1000:g} ... {LAGS_FS[-1] / 1000:g} ps)")


# ---------------------------------------------------------------- 3a. ReliefF feature ranking
# ReliefF (Robnik-Sikonja & Kononenko 2003, every atom a sample, k nearest hits and misses per
# class, range-scaled Manhattan distance; learn/feature_selection.hpp): `tessera learn relieff`
tessera("learn", "relieff", "--data", out("features_all.csv"), "--label", "T", "--features", ",".join(FEAT),
        "--k", a.relief_k, "-o", out("relieff_weights.csv"))
with open(out("relieff_weights.csv")) as f:
    W = np.array([float(r["weight"]) for r in csv.DictReader(f)])
drop = 0
while drop < nl and W[drop] < a.relief_threshold * W.max():
    drop += 1
keep_feat = FEAT[drop:]
keep_lags_fs = LAGS_FS[drop:]
write_csv(out("relieff.csv"), ["lag_fs", "weight", "kept"], [LAGS_FS, W, [int(i >= drop) for i in range(nl)]])
log(f"ReliefF: weights {np.round(W, 4).tolist()}; dropped lags <= {LAGS_FS[drop - 1] / 1000 if drop else 0:g} ps")

# ---------------------------------------------------------------- 3b. indistinguishable classes
Xk = X_all[:, drop:]
mu, sd = Xk.mean(0), Xk.std(0)
cent = np.array([((Xk[y_all == T] - mu) / sd).mean(0) for T in temps])
write_csv(out("class_centroids.csv"), ["id", "T"] + keep_feat, [range(1, len(temps) + 1), temps] + list(cent.T))
tessera("cluster", "agglomerative", out("class_centroids.csv"), "--features", ",".join(keep_feat),
        "--k", min(a.classes, len(temps)), "--linkage", "ward", "-o", out("class_clusters.csv"))
h, d = read_csv(out("class_clusters.csv"))
lab = col(h, d, "label").astype(int)
kept = sorted(min(T for T, l in zip(temps, lab) if l == c) for c in set(lab))
groups = sorted([sorted(T for T, l in zip(temps, lab) if l == c) for c in set(lab)])
log(f"class clusters {groups}; kept {kept} (the paper: 100, 700, 800, 900, 1000, 1200, 1700)")

# ---------------------------------------------------------------- 3c. kNN: CV and held-out T_ML
t0 = time.time()
sel = np.isin(y_all, kept)
train_cols = [id_all[sel], y_all[sel]] + list(X_all[sel][:, drop:].T)
write_csv(out("train.csv"), ["id", "T"] + keep_feat, train_cols)
tessera("learn", "cv", "--model", "knn", "--data", out("train.csv"), "--label", "T", "--features", ",".join(keep_feat),
        "--folds", a.folds, "--grid", f"k={a.k}", "-o", out("cv.csv"), "--predictions", out("heldout_pred.csv"))
with open(out("cv.csv")) as f:
    cvrow = list(csv.DictReader(f))[0]
acc_key = "mean_accuracy"
cv_accuracy = float(cvrow[acc_key])
# held-out T_ML: each atom's label mean from the model of the fold that held it out (the same
# StratifiedKFold folds as the accuracy; scikit-learn's cross_val_predict)
ys = y_all[sel]
with open(out("heldout_pred.csv")) as f:
    rows = list(csv.DictReader(f))
fold = np.array([int(r["fold"]) for r in rows])
tml_held = np.array([float(r["label_mean"]) for r in rows])
if not np.array_equal(np.array([float(r["id"]) for r in rows]), id_all[sel]):
    raise SystemExit("seed002: learn cv --predictions rows are not train.csv's")
write_csv(out("heldout_tml.csv"), ["id", "T", "fold", "T_ML"], [id_all[sel], ys, fold, tml_held])
mean_tml = np.array([tml_held[ys == T].mean() for T in kept])
slope, icpt = np.polyfit(np.array(kept, float), mean_tml, 1)
r2 = 1 - np.sum((mean_tml - (slope * np.array(kept) + icpt)) ** 2) / np.sum((mean_tml - mean_tml.mean()) ** 2)
tessera("learn", "fit", "--model", "knn", "--k", a.k, "--data", out("train.csv"), "--label", "T",
        "--features", ",".join(keep_feat), "-o", out("tml_model.json"))
timing["ml"] = time.time() - t0
log(f"cv accuracy {cv_accuracy:.3f}; mean held-out T_ML {np.round(mean_tml).tolist()} vs {kept}: "
    f"slope {slope:.3f}, R^2 {r2:.4f}")

# ---------------------------------------------------------------- 4. tensile test at 100 K
t0 = time.time()
P_BAR = 1e4  # bar per GPa
lammps("tensile", HEAD + "read_data glass_100K.data\n" + PAIR + f"""variable L0 equal $(lz)
variable e equal (lz-v_L0)/v_L0
variable s equal -pzz/{P_BAR}
fix md all npt temp {TD} {TD} 0.1 x 0 0 1 y 0 0 1
fix dz all deform 1 z erate {a.erate} remap x
fix ss all ave/time 10 10 100 v_e v_s file tensile_stress_strain.txt
thermo 1000
run {steps(a.max_strain / a.erate)}
""")
ss = np.loadtxt(out("tensile_stress_strain.txt"))
iy = int(np.argmax(ss[:, 2]))
sigma_y, eps_y = float(ss[iy, 2]), float(ss[iy, 1])
timing["tensile"] = time.time() - t0
log(f"tensile: yield strength {sigma_y:.2f} GPa at strain {eps_y:.3f}")

# ---------------------------------------------------------------- 5. creep and cyclic runs
t0 = time.time()
fracs = [float(v) for v in a.creep_fractions.split(",")]
freqs = [float(v) for v in a.frequencies.split(",")]
# the creep/cyclic frame interval must divide every kept lag (the windows' lags are in frames): if
# ReliefF keeps a lag shorter than --dump-ps, dump at the greatest common divisor of the kept lags
dump_fs = int(round(a.dump_ps * 1000))
if any(L % dump_fs for L in keep_lags_fs):
    dump_fs = int(np.gcd.reduce(keep_lags_fs + [dump_fs]))
    log(f"kept lags {keep_lags_fs} fs: creep/cyclic frames every {dump_fs} fs instead of {a.dump_ps} ps")
    a.dump_ps = dump_fs / 1000
every = steps(a.dump_ps)
STRAIN = f"""variable L0 equal $(lz)
variable e equal (lz-v_L0)/v_L0
variable s equal -pzz/{P_BAR}
variable t equal time
"""


def creep_input(i, frac):
    sh = frac * sigma_y
    return HEAD + "read_data glass_100K.data\n" + PAIR + STRAIN + f"""thermo 1000
fix st all ave/time 5 10 50 v_t v_e v_s file creep{i}_ramp_strain.txt
fix md all npt temp {TD} {TD} 0.1 x 0 0 1 y 0 0 1 z 0 {sh * P_BAR} 1
run {steps(sh / a.stress_rate)}
unfix md
unfix st
reset_timestep 0
# the hold: time and strain (against the unloaded glass) from its start
fix st all ave/time 5 10 50 v_t v_e v_s file creep{i}_strain.txt
fix md all npt temp {TD} {TD} 0.1 x 0 0 1 y 0 0 1 z {sh * P_BAR} {sh * P_BAR} 1
dump hold all custom/gz {every} creep{i}.dump.gz {COLS}
dump_modify hold sort id format float %.8g
run {steps(a.hold_ps)}
"""


def cyclic_input(j, f):
    period_ps = 1e12 / f
    nchunk = int(round(a.cyclic_ps / period_ps * a.chunks_per_period))
    cs = steps(period_ps / a.chunks_per_period)
    s0 = a.cyclic_fraction * sigma_y * P_BAR
    s = HEAD + "read_data glass_100K.data\n" + PAIR + STRAIN + f"""thermo 10000
reset_timestep 0
fix st all ave/time 5 10 50 v_t v_e v_s file cyclic{j}_strain.txt
dump cyc all custom/gz {every} cyclic{j}.dump.gz {COLS}
dump_modify cyc sort id format float %.8g
"""
    # sigma_zz(t) = sigma_0 sin(2 pi f t) (tension positive) -> LAMMPS pressure target -sigma_zz,
    # linear within each chunk (fix npt ramps its target over a run)
    for c in range(nchunk):
        p0 = -s0 * np.sin(2 * np.pi * c / a.chunks_per_period)
        p1 = -s0 * np.sin(2 * np.pi * (c + 1) / a.chunks_per_period)
        s += (f"fix md all npt temp {TD} {TD} 0.1 x 0 0 1 y 0 0 1 z {p0:.3f} {p1:.3f} 1\n"
              f"run {cs}\n")
    return s


pool([(f"creep{i}", creep_input(i, fr)) for i, fr in enumerate(fracs)] +
     [(f"cyclic{j}", cyclic_input(j, f)) for j, f in enumerate(freqs)])
timing["deform_md"] = time.time() - t0
log("creep and cyclic runs done")

# ---------------------------------------------------------------- 6. T_ML windows, D2min, Voronoi
t0 = time.time()
lag_frames = []
for L in keep_lags_fs:
    if abs(L / (a.dump_ps * 1000) - round(L / (a.dump_ps * 1000))) > 1e-9:
        raise SystemExit(f"seed002: kept lag {L} fs is not a multiple of the {a.dump_ps} ps dump interval")
    lag_frames.append(int(round(L / (a.dump_ps * 1000))))
maxlag = lag_frames[-1]


def tml_window(name, i0):
    """T_ML of every atom for the window starting at frame i0 of name.dump.gz: CSV id,T_ML."""
    tessera("atom-msd", out(f"{name}.dump.gz"), "--frames", f"{i0}:", "-o", out("win_msd.csv"),
            "--lags", ",".join(map(str, lag_frames)), "--temperature", TD, *REFBOX_FLAG, quiet=True)
    h, d = read_csv(out("win_msd.csv"))
    write_csv(out("win_feat.csv"), ["id"] + keep_feat,
              [col(h, d, "id")] + [col(h, d, f"lg_dr2_T_{k}") for k in lag_frames])
    tessera("learn", "predict", out("tml_model.json"), "--data", out("win_feat.csv"),
            "-o", out(f"{name}_f{i0}_tml.csv"), quiet=True)
    hp, dp = read_csv(out(f"{name}_f{i0}_tml.csv"))
    return col(hp, dp, "id"), col(hp, dp, "label_mean")


def n_frames(name):
    with gzip.open(out(f"{name}.dump.gz"), "rt") as f:
        return sum(1 for line in f if line.startswith("ITEM: TIMESTEP"))


starts_every = int(round(a.start_every_ps / a.dump_ps))
dts_ps = [v for v in (1, 2, 5, 10, 20, 50, 100, 200) if v <= a.max_lag_ps + 1e-9]
creep_res = []
for i, fr in enumerate(fracs):
    nf = n_frames(f"creep{i}")
    starts = list(range(0, nf - maxlag, starts_every))
    res = {"sigma_h_gpa": fr * sigma_y, "fraction_of_yield": fr, "start_ps": [], "liquid_fraction": [],
           "tml_mean": [], "rho": {}}
    for i0 in starts:
        ids, tml = tml_window(f"creep{i}", i0)
        res["start_ps"].append(i0 * a.dump_ps)
        res["liquid_fraction"].append(float(np.mean(tml > tg)))
        res["tml_mean"].append(float(tml.mean()))
        for dt in dts_ps:
            k = int(round(dt / a.dump_ps))
            tessera("d2min", out(f"creep{i}.dump.gz"), "--frames", f"{i0}:{i0 + k + 1}:{k}", "--cutoff",
                    a.d2min_cutoff, "-o", out("d2_tmp.csv"), quiet=True)
            hd, dd = read_csv(out("d2_tmp.csv"))
            last = dd[-len(ids):]  # the second frame (against the first)
            order = np.argsort(col(hd, last, "id"))
            idmap = np.searchsorted(col(hd, last, "id")[order], ids)
            rows = order[idmap]
            name = f"creep{i}_f{i0}_dt{dt}"
            write_csv(out(f"{name}.csv"), ["id", "T_ML", "d2min", "shear_strain", "rotation"],
                      [ids, tml] + [col(hd, last, c_)[rows] for c_ in ("d2min", "shear_strain", "rotation")])
            tessera("stats", out(f"{name}.csv"), "--pearson", "T_ML,d2min,shear_strain,rotation",
                    "-o", out(f"{name}_pearson.csv"), quiet=True)
            with open(out(f"{name}_pearson.csv")) as f:
                for r in csv.DictReader(f):
                    if r["a"] == "T_ML":
                        res["rho"].setdefault(f"{r['b']}", {}).setdefault(str(dt), []).append(float(r["pearson_r"]))
    creep_res.append(res)
    log(f"creep sigma_h = {fr * sigma_y:.2f} GPa: liquid fraction {np.round(res['liquid_fraction'], 3).tolist()}")
for f_ in ("win_msd.csv", "win_feat.csv", "d2_tmp.csv"):
    if os.path.exists(out(f_)):
        os.remove(out(f_))

# Voronoi types <n3,n4,n5,n6> of the most solid-like / liquid-like 10 % (the paper's Eq. 1): for each
# creep run (the paper: the higher sigma_h), at the window start nearest the paper's t = 40 ps
voronoi = []
for ic, r in enumerate(creep_res):
    vor_i0 = int(round(min(r["start_ps"], key=lambda s: abs(s - 40.0)) / a.dump_ps))
    tessera("compute", out(f"creep{ic}.dump.gz"), "--frames", vor_i0, "--voronoi", "-o",
            out(f"creep{ic}_f{vor_i0}_voronoi.csv"), quiet=True)
    hv, dv = read_csv(out(f"creep{ic}_f{vor_i0}_voronoi.csv"))
    hp, dp = read_csv(out(f"creep{ic}_f{vor_i0}_tml.csv"))
    vor_ids = col(hv, dv, "id")
    tml_v = col(hp, dp, "label_mean")[np.searchsorted(col(hp, dp, "id"), vor_ids)]
    vtypes = np.column_stack([col(hv, dv, f"voronoi_n{k}") for k in (3, 4, 5, 6)]).astype(int)
    order = np.argsort(tml_v, kind="stable")
    n10 = int(round(0.1 * len(order)))
    sa, la = order[:n10], order[-n10:]
    uniq, cnt = np.unique(vtypes, axis=0, return_counts=True)
    top = uniq[np.argsort(-cnt, kind="stable")[:10]]
    types = []
    for v in top:
        m = np.all(vtypes == v, axis=1)
        ft = m.mean()
        types.append({"index": v.tolist(), "f_total": float(ft), "n_sa": int(m[sa].sum()), "n_la": int(m[la].sum()),
                      "df_sa_percent": float((m[sa].mean() - ft) / ft * 100),
                      "df_la_percent": float((m[la].mean() - ft) / ft * 100)})
    ico = np.all(vtypes == [0, 0, 12, 0], axis=1)
    voronoi.append({"sigma_h_gpa": r["sigma_h_gpa"], "start_ps": vor_i0 * a.dump_ps, "n_tail": n10, "types": types,
                    "icosahedra": {"f_total": float(ico.mean()), "n_sa": int(ico[sa].sum()), "n_la": int(ico[la].sum())}})
    log(f"Voronoi at sigma_h = {r['sigma_h_gpa']:.2f} GPa, t = {vor_i0 * a.dump_ps:g} ps, <n3,n4,n5,n6> top 10: "
        + "; ".join(f"{v['index']} dSA {v['df_sa_percent']:+.0f}% dLA {v['df_la_percent']:+.0f}%" for v in types))

# cyclic: strain amplitude per period and T_ML windows
cyc_res = []
for j, f in enumerate(freqs):
    st = np.loadtxt(out(f"cyclic{j}_strain.txt"))
    period = 1e12 / f
    cyc = np.floor(st[:, 1] / period + 1e-9).astype(int)
    amp = [float((st[cyc == c, 2].max() - st[cyc == c, 2].min()) / 2) for c in range(int(a.cyclic_ps // period))]
    nf = n_frames(f"cyclic{j}")
    res = {"frequency_hz": f, "sigma0_gpa": a.cyclic_fraction * sigma_y, "strain_amplitude": amp,
           "start_ps": [], "liquid_fraction": [], "tml_mean": []}
    for i0 in range(0, nf - maxlag, starts_every):
        ids, tml = tml_window(f"cyclic{j}", i0)
        res["start_ps"].append(i0 * a.dump_ps)
        res["liquid_fraction"].append(float(np.mean(tml > tg)))
        res["tml_mean"].append(float(tml.mean()))
    cyc_res.append(res)
    log(f"cyclic f = {f:.1e} Hz: strain amplitude {amp[0]:.4f} -> {amp[-1]:.4f}; liquid fraction "
        f"{np.round(res['liquid_fraction'], 3).tolist()}")
for f_ in ("win_msd.csv", "win_feat.csv"):
    if os.path.exists(out(f_)):
        os.remove(out(f_))
timing["windows"] = time.time() - t0

# ---------------------------------------------------------------- 7. summary and figure
hi = creep_res[-1]
dt_ref = str(dts_ps[-1])
summary = {
    "tg": tg,
    "tml_vs_t_slope": float(slope),
    "tml_vs_t_r2": float(r2),
    "classes_kept": kept,
    "cv_accuracy": cv_accuracy,
    "rho_tml_d2min": hi["rho"]["d2min"][dt_ref][0],
    "rho_tml_vonmises": hi["rho"]["shear_strain"][dt_ref][0],
    "rho_tml_rotation": hi["rho"]["rotation"][dt_ref][0],
    "liquid_fraction_start": hi["liquid_fraction"][0],
    "liquid_fraction_end": hi["liquid_fraction"][-1],
    "rho_definition": {"sigma_h_gpa": hi["sigma_h_gpa"], "start_ps": hi["start_ps"][0], "dt_ps": dts_ps[-1]},
    "atoms": 2 * a.cells ** 3,
    "params": {"knn_k": a.k, "folds": a.folds, "n_clusters": a.classes, "relief_k": a.relief_k,
               "relief_threshold": a.relief_threshold, "dump_ps": a.dump_ps, "d2min_cutoff": a.d2min_cutoff,
               "deform_temperature": TD, "cyclic_fraction": a.cyclic_fraction, "floor": 1e-6, "raw_displacements": int(a.raw_displacements)},
    "quench_rate_k_per_s": 1e14 / a.quench_ps_per_100K,
    "temperatures": temps,
    "class_clusters": groups,
    "lags_fs": LAGS_FS,
    "lags_kept_fs": keep_lags_fs,
    "relieff_weights": W.tolist(),
    "heldout_mean_tml": mean_tml.tolist(),
    "tml_vs_t_intercept": float(icpt),
    "yield_strength_gpa": sigma_y,
    "yield_strain": eps_y,
    "creep": creep_res,
    "cyclic": cyc_res,
    "cyclic_liquid_fraction_end": [r["liquid_fraction"][-1] for r in cyc_res],
    "voronoi": voronoi,
}
with open(out("timing.json"), "w") as f:
    json.dump({k_: round(v, 1) for k_, v in timing.items()}, f, indent=1)
with open(out("summary.json"), "w") as f:
    json.dump(summary, f, indent=1)

import matplotlib  # noqa: E402
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

fig, ax = plt.subplots(2, 4, figsize=(20, 8.5))
ax[0, 0].plot(T_q, V_q, ".", ms=2, label="quench (NPT, P = 0)")
ax[0, 0].axvline(tg, color="C3", label=f"T_g = {tg:.0f} K (this run)")
ax[0, 0].axvline(685, color="k", ls="--", label="T_g = 685 K (paper, 1e11 K/s)")
ax[0, 0].set(xlabel="T (K)", ylabel="volume per atom (Å³)", title="volume–temperature curve")
ax[0, 0].legend(fontsize=8)
ax[0, 1].plot(kept, mean_tml, "o-", label=f"held-out mean T_ML (slope {slope:.2f}, R² {r2:.3f})")
ax[0, 1].plot([0, 1800], [0, 1800], "k:", label="T_ML = T")
ax[0, 1].set(xlabel="actual temperature T (K)", ylabel="machine-learned temperature T_ML (K)",
             title=f"kNN k={a.k}, {a.folds}-fold CV accuracy {cv_accuracy:.2f} (paper Fig. 1)")
ax[0, 1].legend(fontsize=8)
for i, r in enumerate(creep_res):
    ax[0, 2].plot(r["start_ps"], r["liquid_fraction"], "o-", label=f"creep σ_h = {r['sigma_h_gpa']:.2f} GPa")
for j, r in enumerate(cyc_res):
    ax[0, 2].plot(r["start_ps"], r["liquid_fraction"], "s--", label=f"cyclic f = {r['frequency_hz']:.0e} Hz")
ax[0, 2].set(xlabel="window start time t (ps)", ylabel="liquid-like fraction (T_ML > T_g)",
             title="liquid-like atoms (paper Figs. 2, 4b)")
ax[0, 2].legend(fontsize=8)
for i0f, r in zip(hi["start_ps"], range(len(hi["start_ps"]))):
    _, tml = read_csv(out(f"creep{len(fracs) - 1}_f{int(round(i0f / a.dump_ps))}_tml.csv"))
    ax[1, 0].hist(tml[:, _.index("label_mean")], bins=30, range=(0, 1800), histtype="step", density=True,
                  label=f"t = {i0f:.0f} ps")
ax[1, 0].axvline(tg, color="k", ls="--", label="T_g")
ax[1, 0].set(xlabel="T_ML (K)", ylabel="probability density (1/K)",
             title=f"T_ML at σ_h = {hi['sigma_h_gpa']:.2f} GPa, 100 K (paper Fig. 2)")
ax[1, 0].legend(fontsize=7)
for key, lab_, m in (("d2min", "D²min", "o"), ("shear_strain", "von Mises strain", "s"), ("rotation", "rotation", "^")):
    for i, r in enumerate(creep_res):
        ax[1, 1].plot(dts_ps, [r["rho"][key][str(dt)][0] for dt in dts_ps], m + ("-" if i else ":"),
                      color={"d2min": "C0", "shear_strain": "C1", "rotation": "C2"}[key],
                      label=f"{lab_}, σ_h = {r['sigma_h_gpa']:.2f} GPa")
ax[1, 1].axhline(0, color="k", lw=0.5)
ax[1, 1].set(xscale="log", xlabel="Δt from the start time t = 0 (ps)", ylabel="Pearson ρ with T_ML",
             title="ρ(T_ML, local plasticity) (paper Fig. 5a–c: ρ > 0)")
ax[1, 1].legend(fontsize=7)
for j, r in enumerate(cyc_res):
    st = np.loadtxt(out(f"cyclic{j}_strain.txt"))
    ax[1, 2].plot(st[:, 1], st[:, 2], lw=0.7, label=f"f = {r['frequency_hz']:.0e} Hz")
ax[1, 2].set(xlabel="time (ps)", ylabel="strain ε_zz",
             title=f"cyclic σ_0 = {cyc_res[0]['sigma0_gpa']:.2f} GPa (paper Fig. 4a: 1.6 GPa)")
ax[1, 2].legend(fontsize=8)
for i, r in enumerate(creep_res):
    st = np.loadtxt(out(f"creep{i}_strain.txt"))
    ax[0, 3].plot(st[:, 0] * DT_FS / 1000, -st[:, 2], label=f"σ_h = {r['sigma_h_gpa']:.2f} GPa "
                                                           f"({r['fraction_of_yield']:.2f} σ_y)")
ax[0, 3].axhline(eps_y, color="k", ls="--", label=f"tensile yield strain ε_y = {eps_y:.3f}")
ax[0, 3].set(xlabel="hold time t (ps)", ylabel="compressive strain −ε_zz", yscale="log",
             title=f"creep at 100 K (σ_y = {sigma_y:.2f} GPa in tension)")
ax[0, 3].legend(fontsize=8)
amp_t = [(np.arange(len(r["strain_amplitude"])) + 0.5) * 1e12 / r["frequency_hz"] for r in cyc_res]
for r, tt in zip(cyc_res, amp_t):
    ax[1, 3].plot(tt, r["strain_amplitude"], "o-", label=f"f = {r['frequency_hz']:.0e} Hz")
ax[1, 3].set(xlabel="time (ps)", ylabel="strain amplitude ε_0 per period", title="cyclic: ε_0 (paper Fig. 4a)")
ax[1, 3].legend(fontsize=8)
fig.suptitle(f"Seed 002 — T_ML in Cu50Zr50 ({2 * a.cells ** 3} atoms{', quick' if Q else ''}; Liu et al. 2022)")
fig.tight_layout()
fig.savefig(out("seed002.png"), dpi=80)

print(f"tg: {tg:.1f} K (paper 685 K)")
print(f"classes_kept: {kept} (paper [100, 700, 800, 900, 1000, 1200, 1700])")
print(f"cv_accuracy: {cv_accuracy:.3f}")
print(f"tml_vs_t: slope {slope:.3f}, R^2 {r2:.4f} (paper: close to linear)")
print(f"yield strength {sigma_y:.2f} GPa at strain {eps_y:.3f}; creep sigma_h {[round(r['sigma_h_gpa'], 2) for r in creep_res]} GPa")
print(f"rho(T_ML, d2min) {summary['rho_tml_d2min']:.3f}, rho(T_ML, von Mises) {summary['rho_tml_vonmises']:.3f} "
      f"(paper: > 0)")
print(f"liquid fraction under creep: {summary['liquid_fraction_start']:.3f} -> {summary['liquid_fraction_end']:.3f}")
print(f"cyclic liquid fraction at the end: {summary['cyclic_liquid_fraction_end']} for f = {freqs} Hz")
log(f"done: {out('summary.json')} (seconds: { {k_: round(v) for k_, v in timing.items()} })")
