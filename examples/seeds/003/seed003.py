#!/usr/bin/python3
"""Seed 003: the integrated glassy defect (IGD) of Cu50Zr50 inherent structures (Yang, Wei,
Zaccone & Wang 2021, "Machine-learning integrated glassy defect from intricate configurational-
thermodynamic-dynamic space"), end to end with Debian's LAMMPS and the `tessera` command.

usage: seed003.py --tessera EXE [--out DIR] [--quick] [options]     (normally via ./run)

Per sample s = 1 ... S (independent quenches, different velocity seeds), in DIR/sample_s/:
  glass     lmp -in ../001/cuzr_glass.in; tessera minimize --box-relax 0 (zero stress, as the
            paper's Parrinello-Rahman NPT); tessera minimize --ftol 1e-8: the inherent structure (IS)
  G, S2     tessera compute IS --symmetry-functions 1.5:7.5:0.2 --sf-width 3.5 (31 mu; summed over
            the neighbour types = "over all neighbours") --entropy 0.2 --entropy-cutoff 3:15:0.5
            --entropy-partial (25 cutoffs; the paper's Eq. 2 sums partial densities)
  vMSD      lmp (NVT at the IS cell, T = 25 ... 500 K step 25 K) + tessera vmsd --reference IS (Eq. 3)
  dQ        tessera barriers IS --searches-per-atom K on every atom: sorted dq_1 ... dq_K
  label     tessera aqs --shear xy|yz|xz to 5 % + tessera d2min --reference lag:L (configurations
            0.01 % strain apart): rearranged if max over strain and over the 3 shears of
            Delta D2min > 0.05 A^2
  I_BP      tessera vdos IS --method dense --per-atom (per-atom boson-peak intensity, Eq. 6)
Then, for every sample n held out in turn (the paper's split is n = S): train on the others (all
rearranged atoms + as many random others), tessera learn cv --model svm --grid C=... gamma=...
(5-fold), learn fit with the best CV accuracy, learn predict on sample n (IGD = decision value);
the same for the single families {vmsd, dq, g, s2}. The held-out predictions of all samples are
pooled: tessera learn score, tessera stats --power-factor decision:rearranged --tail 0.05,
tessera stats --pearson igd,boson_peak. 700 K NPT MD of every sample (lmp) + tessera atom-msd
(per-atom squared displacements, several time origins) grouped by IGD quartile in NumPy (MSD,
alpha_2, F_s(q=2.7), tau_alpha: no tessera command takes an atom subset); RDFs around the top and
bottom 10 % of atoms by IGD with tessera rdf --centers --pool.
"""
import argparse
import concurrent.futures as cf
import csv
import json
import os
import resource
import subprocess
import threading
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
GLASS_IN = os.path.join(HERE, "..", "001", "cuzr_glass.in")
POTFILE = "/usr/share/lammps/potentials/CuZr_mm.eam.fs"
POT = ["--pair-style", "eam/fs", "--pair-coeff", "* * CuZr_mm.eam.fs Cu Zr"]
MASS = {1: 63.546, 2: 91.224}
FAMILIES = ("vmsd", "dq", "g", "s2")
PAPER = {"igd_accuracy": 0.784, "single_family_accuracy": {"vmsd": 0.725, "dq": 0.642, "g": 0.615, "s2": 0.554},
         "igd_recall": 0.764, "rearranged_fraction": 0.05, "C": 4.0, "gamma": 2.0 ** -5}

p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("--tessera", required=True)
p.add_argument("--out", default=None, help="output directory (default build/seeds/003)")
p.add_argument("--quick", action="store_true", help="small and fast (< 10 min on 2 idle cores)")
p.add_argument("--samples", type=int, help="independent glasses, each held out in turn (quick 6, full 10)")
p.add_argument("--cells", type=int, help="B2 cells per axis, 2 n^3 atoms (quick 4 -> 128, full 6 -> 432)")
p.add_argument("--quench-steps", type=int, help="2 fs steps from 2000 K to 50 K (quick 10000, full 100000)")
p.add_argument("--searches-per-atom", type=int, help="ARTn searches per atom, every atom (quick 2, full 24)")
p.add_argument("--dq-missing", type=float, default=2.0,
               help="eV: value of dq_k when an atom has fewer than k distinct barriers (default 2.0)")
p.add_argument("--vmsd-ps", type=float, help="vMSD averaging time per temperature, ps (quick 2, full 100)")
p.add_argument("--vmsd-equil-ps", type=float, help="equilibration before it, ps (quick 1, full 10)")
p.add_argument("--aqs-step", type=float, help="AQS strain step (quick 1e-4, full 2e-5; paper 1e-5)")
p.add_argument("--aqs-strain", type=float, default=0.05, help="largest shear strain (default 0.05)")
p.add_argument("--aqs-ftol", type=float, default=1e-6, help="force tolerance of each AQS relaxation, eV/A")
p.add_argument("--d2min-cutoff", type=float, default=4.0, help="D2min neighbour cutoff, A (default 4.0)")
p.add_argument("--threshold", type=float, default=0.05, help="Delta D2min threshold, A^2 (default 0.05)")
p.add_argument("--dyn-ps", type=float, help="700 K trajectory length, ps (quick 60, full 1000)")
p.add_argument("--grid-c", default="0.25,1,4,16,64", help="SVM C grid")
p.add_argument("--grid-gamma", default="0.001953125,0.0078125,0.03125,0.125,0.5", help="SVM gamma grid")
p.add_argument("--folds", type=int, default=5)
p.add_argument("--jobs", type=int, default=2, help="processes run at once (each LAMMPS run is serial)")
p.add_argument("--seed", type=int, default=20250320)
p.add_argument("--reuse", action="store_true", help="reuse outputs of an earlier run in DIR where present")
a = p.parse_args()

Q = a.quick
a.samples = a.samples or (6 if Q else 10)
a.cells = a.cells or (4 if Q else 6)
a.quench_steps = a.quench_steps or (10000 if Q else 100000)
a.searches_per_atom = a.searches_per_atom or (2 if Q else 24)
a.vmsd_ps = a.vmsd_ps or (2.0 if Q else 100.0)
a.vmsd_equil_ps = a.vmsd_equil_ps or (1.0 if Q else 10.0)
a.aqs_step = a.aqs_step or (1e-4 if Q else 2e-5)
a.dyn_ps = a.dyn_ps or (60.0 if Q else 1000.0)
melt, hold = (2500, 2500) if Q else (5000, 10000)
a.out = a.out or os.path.join("build", "seeds", "003")
if a.samples < 3:
    p.error("--samples must be at least 3 (two to train, one to test)")
os.makedirs(a.out, exist_ok=True)
TEMPS = list(range(25, 501, 25))                     # the paper's 20 vMSD temperatures, K
aqs_steps = int(round(a.aqs_strain / a.aqs_step))
d2min_lag = max(1, int(round(1e-4 / a.aqs_step)))    # configurations 0.01 % strain apart, as the paper
SHEARS = ("xy", "yz", "xz")                            # the paper's xy, yz, zx
TEST = a.samples
t_start = time.time()
timing = {}
lock = threading.Lock()


def out(*parts):
    return os.path.join(a.out, *parts)


def sdir(s, *parts):
    return out(f"sample_{s}", *parts)


def log(msg):
    with lock:
        print(f"[seed003 {time.time() - t_start:7.1f} s] {msg}", flush=True)


def run(cmd, cwd=None, stdout_file=None, env=None):
    """Runs one command (tessera or lmp); its standard output goes to stdout_file if given."""
    shown = " ".join(str(x) if " " not in str(x) else repr(str(x)) for x in cmd)
    log("$ " + shown)
    r = subprocess.run([str(x) for x in cmd], cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise SystemExit(f"seed003: failed ({r.returncode}): {shown}\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    if stdout_file:
        with open(stdout_file, "w") as f:
            f.write(r.stdout + r.stderr)
    return r.stdout + r.stderr


def tessera(*args, **kw):
    return run([a.tessera, *args], **kw)


def lmp(infile, cwd, log_name):
    env = dict(os.environ, LAMMPS_POTENTIALS=os.path.dirname(POTFILE))
    return run(["lmp", "-in", infile, "-log", log_name, "-screen", "none"], cwd=cwd, env=env)


def fresh(*paths):
    return not (a.reuse and all(os.path.exists(x) for x in paths))


def timed(name, fn):
    t0 = time.time()
    fn()
    with lock:
        timing[name] = round(time.time() - t0, 1)


def pool(tasks):
    """Runs (name, fn) tasks a.jobs at a time, in the order given (longest first)."""
    with cf.ThreadPoolExecutor(max_workers=a.jobs) as ex:
        futs = [ex.submit(timed, n, f) for n, f in tasks]
        for f in futs:
            f.result()


# ------------------------------------------------------------------------------ dump reading
def read_frames(path, want=None):
    """Every frame of a LAMMPS text dump: list of (header dict, {column: array}), rows by id."""
    frames = []
    with open(path) as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines) and lines[i].startswith("ITEM: TIMESTEP"):
        step = int(lines[i + 1])
        n = int(lines[i + 3])
        bounds = [list(map(float, lines[i + 5 + k].split())) for k in range(3)]
        cols = lines[i + 8].split()[2:]
        keep = [c for c in cols if want is None or c in want or c == "id"]
        idx = [cols.index(c) for c in keep]
        d = np.array([ln.split() for ln in lines[i + 9:i + 9 + n]], dtype=float)[:, idx]
        d = d[np.argsort(d[:, keep.index("id")], kind="stable")]
        frames.append(({"step": step, "bounds": bounds, "header": lines[i + 4]},
                       {c: d[:, k] for k, c in enumerate(keep)}))
        i += 9 + n
    return frames


def read_csv(path):
    with open(path) as f:
        r = csv.reader(f)
        head = next(r)
        rows = [row for row in r if row]
    out_ = {}
    for k, h in enumerate(head):
        try:
            out_[h] = np.array([float(row[k]) for row in rows])
        except ValueError:
            out_[h] = np.array([row[k] for row in rows])
    return out_


def write_csv(path, cols):
    names = list(cols)
    n = len(cols[names[0]])
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for i in range(n):
            f.write(",".join(repr(int(cols[c][i])) if np.issubdtype(np.asarray(cols[c]).dtype, np.integer)
                             else repr(float(cols[c][i])) for c in names) + "\n")


def write_data(dump, data):
    """LAMMPS data file (atomic, triclinic) of a tessera dump, for the MD runs."""
    hdr, c = read_frames(dump, {"id", "type", "x", "y", "z"})[0]
    (xlb, xhb, xy), (ylb, yhb, xz), (zlb, zhb, yz) = [b + [0.0] * (3 - len(b)) for b in hdr["bounds"]]
    xlo = xlb - min(0.0, xy, xz, xy + xz)
    xhi = xhb - max(0.0, xy, xz, xy + xz)
    ylo, yhi = ylb - min(0.0, yz), yhb - max(0.0, yz)
    with open(data, "w") as f:
        f.write(f"seed 003 inherent structure from {os.path.basename(dump)}\n\n{len(c['id'])} atoms\n2 atom types\n\n")
        f.write(f"{xlo!r} {xhi!r} xlo xhi\n{ylo!r} {yhi!r} ylo yhi\n{zlb!r} {zhb!r} zlo zhi\n{xy!r} {xz!r} {yz!r} xy xz yz\n\n")
        f.write("Masses\n\n" + "".join(f"{t} {m}\n" for t, m in MASS.items()) + "\nAtoms # atomic\n\n")
        for k in range(len(c["id"])):
            f.write(f"{int(c['id'][k])} {int(c['type'][k])} {c['x'][k]!r} {c['y'][k]!r} {c['z'][k]!r}\n")


MD_HEAD = """units metal
boundary p p p
atom_style atomic
read_data is.data
pair_style eam/fs
pair_coeff * * CuZr_mm.eam.fs Cu Zr
neighbor 2.0 bin
timestep 0.002
"""


# ------------------------------------------------------------------------------ stage functions
def make_glass(s):
    d = sdir(s)
    os.makedirs(d, exist_ok=True)
    raw, cell, inh = sdir(s, "glass_lammps.dump"), sdir(s, "glass_cell.dump"), sdir(s, "is.dump")
    if fresh(raw):
        env = dict(os.environ, LAMMPS_POTENTIALS=os.path.dirname(POTFILE))
        run(["lmp", "-in", GLASS_IN, "-var", "n", a.cells, "-var", "melt", melt, "-var", "hold", hold,
             "-var", "quench", a.quench_steps, "-var", "seed", a.seed + s, "-var", "out", "glass_lammps.dump",
             "-log", "glass.log", "-screen", "none"], cwd=d, env=env)
    if fresh(cell):
        tessera("minimize", raw, "-o", cell, *POT, "--box-relax", 0, "--min-style", "cg", "--ftol", 1e-6)
    if fresh(inh):
        tessera("minimize", cell, "-o", inh, *POT, "--min-style", "cg", "--ftol", 1e-8)
    write_data(inh, sdir(s, "is.data"))


def vmsd_md(s):
    """One LAMMPS run per sample: for each T, from the IS, NVT at the IS cell (positions are
    measured from the IS, so the cell must not expand), equilibrate, then dump the vibration."""
    outs = [sdir(s, f"vmsd_md_{T}.dump") for T in TEMPS]
    if not fresh(*outs):
        return
    every = 10                                        # 20 fs between frames
    eq, ms = int(round(a.vmsd_equil_ps / 0.002)), int(round(a.vmsd_ps / 0.002))
    txt = "# seed 003 vMSD runs (written by seed003.py)\n"
    for k, T in enumerate(TEMPS):
        txt += ("clear\n" if k else "") + MD_HEAD
        txt += (f"velocity all create {T} {a.seed + 1000 * s + k} mom yes rot yes dist gaussian\n"
                f"fix md all nvt temp {T} {T} 0.1\nthermo 1000\nrun {eq}\n"
                f"dump d all custom {every} vmsd_md_{T}.dump id type x y z\ndump_modify d sort id\n"
                f"run {ms}\nundump d\nunfix md\n")
    with open(sdir(s, "vmsd.in"), "w") as f:
        f.write(txt)
    lmp("vmsd.in", sdir(s), "vmsd.log")


def aqs(s, sh):
    traj, d2 = sdir(s, f"aqs_{sh}.dump"), sdir(s, f"d2min_{sh}.dump")
    if fresh(traj, sdir(s, f"aqs_{sh}.csv")):
        tessera("aqs", sdir(s, "is.dump"), "-o", traj, *POT, "--shear", sh, "--strain-step", a.aqs_step,
                "--steps", aqs_steps, "--ftol", a.aqs_ftol, "--csv", sdir(s, f"aqs_{sh}.csv"),
                stdout_file=sdir(s, f"aqs_{sh}.txt"))
    if fresh(d2):
        tessera("d2min", traj, "-o", d2, "--cutoff", a.d2min_cutoff, "--reference", f"lag:{d2min_lag}",
                "--threads", 1)


def barriers(s):
    dq = sdir(s, "dq.dump")
    if fresh(dq, sdir(s, "dq_saddles.csv")):
        tessera("barriers", sdir(s, "is.dump"), "-o", dq, *POT, "--saddles", sdir(s, "dq_saddles.csv"),
                "--searches-per-atom", a.searches_per_atom, "--seed", a.seed, "--threads", 1,
                stdout_file=sdir(s, "barriers.txt"))


def structure(s):
    f = sdir(s, "structure.csv")
    if fresh(f):
        tessera("compute", sdir(s, "is.dump"), "-o", f, "--symmetry-functions", "1.5:7.5:0.2", "--sf-width", 3.5,
                "--entropy", 0.2, "--entropy-cutoff", "3:15:0.5", "--entropy-partial", "--threads", 1)
    v = sdir(s, "bp.dump")
    if fresh(v, sdir(s, "vdos.csv")):
        tessera("vdos", sdir(s, "is.dump"), *POT, "-o", sdir(s, "vdos.csv"), "--per-atom", v, "--method", "dense",
                "--omega-bins", 100, stdout_file=sdir(s, "vdos.txt"))


DYN_EVERY = 50                                        # 0.1 ps between frames


def dynamics(s):
    """700 K, NPT at zero pressure (the paper's ensemble) from the IS; 2 ps to let the cell expand."""
    if not fresh(sdir(s, "dyn_700K.dump")):
        return
    n = int(round(a.dyn_ps / 0.002))
    txt = ("# seed 003: 700 K dynamics of the test sample (written by seed003.py)\n" + MD_HEAD +
           f"velocity all create 700 {a.seed + 7} mom yes rot yes dist gaussian\n"
           "fix md all npt temp 700 700 0.1 iso 0.0 0.0 1.0\nthermo 5000\nrun 1000\nreset_timestep 0\n"
           f"dump d all custom {DYN_EVERY} dyn_700K.dump id type xu yu zu\ndump_modify d sort id\nrun {n}\n")
    with open(sdir(s, "dyn.in"), "w") as f:
        f.write(txt)
    lmp("dyn.in", sdir(s), "dyn.log")


# ------------------------------------------------------------------------------ 1-2. simulations
samples = list(range(1, a.samples + 1))
n_atoms = 2 * a.cells ** 3
log(f"{a.samples} samples of {n_atoms} atoms; {a.searches_per_atom} ARTn searches per atom; vMSD "
    f"{len(TEMPS)} T x {a.vmsd_ps:g} ps; AQS {aqs_steps} steps of {a.aqs_step:g} x 3 shears; test = sample {TEST}")
t0 = time.time()
pool([(f"glass_{s}", lambda s=s: make_glass(s)) for s in samples])
timing["stage_glass_s"] = round(time.time() - t0, 1)
t0 = time.time()
tasks = [(f"barriers_{s}", lambda s=s: barriers(s)) for s in samples]
tasks += [(f"dyn_{s}", lambda s=s: dynamics(s)) for s in samples]
tasks += [(f"aqs_{s}_{sh}", lambda s=s, sh=sh: aqs(s, sh)) for s in samples for sh in SHEARS]
tasks += [(f"vmsd_md_{s}", lambda s=s: vmsd_md(s)) for s in samples]
tasks += [(f"structure_{s}", lambda s=s: structure(s)) for s in samples]
pool(tasks)
timing["stage_simulations_s"] = round(time.time() - t0, 1)


# ------------------------------------------------------------------------------ 3. per-sample tables
def vmsd_features(s):
    cols = {}
    for T in TEMPS:
        o = sdir(s, f"vmsd_{T}.dump")
        if fresh(o):
            tessera("vmsd", sdir(s, f"vmsd_md_{T}.dump"), "-o", o, "--reference", sdir(s, "is.dump"))
        cols[f"vmsd_{T}"] = read_frames(o, {"vmsd"})[0][1]["vmsd"]
    return cols


def labels(s):
    lab = {}
    for sh in SHEARS:
        fr = read_frames(sdir(s, f"d2min_{sh}.dump"), {"d2min"})
        lab[f"dd2min_{sh}"] = np.nanmax(np.array([c["d2min"] for _, c in fr]), axis=0)
    lab["dd2min_max"] = np.max([lab[f"dd2min_{sh}"] for sh in SHEARS], axis=0)
    lab["rearranged"] = (lab["dd2min_max"] > a.threshold).astype(np.int64)
    return lab


def table(s):
    st = read_csv(sdir(s, "structure.csv"))
    order = np.argsort(st["id"], kind="stable")
    ids = st["id"][order].astype(np.int64)
    t = {"sample": np.full(len(ids), s, dtype=np.int64), "id": ids, "type": st["type"][order].astype(np.int64)}
    for k in range(31):   # G over all neighbours: the sum of the per-type columns
        t[f"g_{k}"] = st[f"g_1_{k}"][order] + st[f"g_2_{k}"][order]
    for k in range(25):
        t[f"s2_{k}"] = st[f"entropy_{k}"][order]
    t.update(vmsd_features(s))
    dq = read_frames(sdir(s, "dq.dump"))[0][1]
    for k in range(1, a.searches_per_atom + 1):
        v = dq[f"dq_{k}"]
        t[f"dq_{k}"] = np.where(np.isnan(v), a.dq_missing, v)
    t["n_saddles"] = dq["n_saddles"]
    t.update(labels(s))
    bp = read_frames(sdir(s, "bp.dump"), {"boson_peak"})[0][1]
    t["boson_peak"] = bp["boson_peak"]
    write_csv(sdir(s, "features.csv"), t)
    return t


t0 = time.time()
tabs = {s: table(s) for s in samples}
timing["stage_tables_s"] = round(time.time() - t0, 1)
FEAT = {"g": [f"g_{k}" for k in range(31)], "s2": [f"s2_{k}" for k in range(25)],
        "vmsd": [f"vmsd_{T}" for T in TEMPS], "dq": [f"dq_{k}" for k in range(1, a.searches_per_atom + 1)]}
FEAT["igd"] = FEAT["g"] + FEAT["s2"] + FEAT["vmsd"] + FEAT["dq"]
rear = {s: tabs[s]["rearranged"] for s in samples}
frac = float(np.mean(np.concatenate([rear[s] for s in samples])))
log(f"rearranged fraction {frac:.3f} ({', '.join(str(int(rear[s].sum())) for s in samples)} atoms per sample); "
    f"features per atom: {len(FEAT['igd'])}")

# ------------------------------------------------------------------------------ 4. learning
# The paper's protocol: train on samples 1..n-1 (all rearranged atoms + as many random others),
# test on sample n. Here every sample is held out in turn (the paper's split is the rotation
# n = S); the summary's headline numbers pool the held-out predictions of all rotations (every
# atom predicted by a model that never saw its sample), because one 128-atom sample holds a
# handful of rearranged atoms. `last_sample_only` gives the paper's single split.
t0 = time.time()
ml = out("ml")
os.makedirs(ml, exist_ok=True)
keep_cols = ["sample", "id", "type"] + FEAT["igd"] + ["rearranged"]


def uid(s, i):
    return np.asarray(s, dtype=np.int64) * 1000000 + np.asarray(i, dtype=np.int64)   # unique across samples


def parse_score(txt):
    score = {}
    for line in txt.splitlines():
        parts = line.split(",")
        if len(parts) == 2:
            try:
                score[parts[0].strip()] = float(parts[1])
            except ValueError:
                pass
    return score


def power_factor(path_in, path_out):
    tessera("stats", path_in, "--power-factor", "decision:rearranged", "--tail", 0.05, "-o", path_out)
    return float(read_csv(path_out)["power_factor"][0])


def abs_chi(chi):
    """|chi| as the paper's Fig. 12b: chi, or its reciprocal for an anti-correlated predictor."""
    if np.isnan(chi) or np.isinf(chi):
        return chi
    return float("inf") if chi == 0 else float(max(chi, 1.0 / chi))


def learn(model, rd, train_csv, test_csv, test):
    f = ",".join(FEAT[model])
    cv = os.path.join(rd, f"cv_{model}.csv")
    tessera("learn", "cv", "--model", "svm", "--data", train_csv, "--label", "rearranged",
            "--features", f, "--folds", a.folds, "--grid", f"C={a.grid_c}", "--grid", f"gamma={a.grid_gamma}",
            "--threads", a.jobs, "-o", cv)
    c = read_csv(cv)
    best = int(np.argmax(c["mean_accuracy"]))        # first maximum in ParameterGrid order
    C, g = float(c["C"][best]), float(c["gamma"][best])
    mj = os.path.join(rd, f"model_{model}.json")
    tessera("learn", "fit", "--model", "svm", "--data", train_csv, "--label", "rearranged",
            "--features", f, "--C", C, "--gamma", g, "-o", mj)
    pr = os.path.join(rd, f"pred_{model}.csv")
    tessera("learn", "predict", mj, "--data", test_csv, "-o", pr, "--threads", 1)
    pd = read_csv(pr)
    assert np.array_equal(pd["id"].astype(np.int64), test["id"].astype(np.int64))
    return {"C": C, "gamma": g, "cv_accuracy": float(c["mean_accuracy"][best]),
            "decision": pd["decision"], "prediction": pd["prediction"].astype(np.int64)}


MODELS = ["igd", *FAMILIES]
rot = {}
for n in samples:
    rd = os.path.join(ml, f"test_{n}")
    os.makedirs(rd, exist_ok=True)
    rng = np.random.default_rng(a.seed + n)
    rows = [(s, i) for s in samples if s != n for i in range(len(rear[s]))]
    pos = [r for r in rows if rear[r[0]][r[1]] == 1]
    neg = [r for r in rows if rear[r[0]][r[1]] == 0]
    pick = rng.choice(len(neg), size=min(len(pos), len(neg)), replace=False)
    chosen = sorted(pos + [neg[k] for k in pick])
    train = {c: np.array([tabs[s][c][i] for s, i in chosen]) for c in keep_cols}
    train_csv, test_csv = os.path.join(rd, "train.csv"), os.path.join(rd, "test.csv")
    write_csv(train_csv, {"id": uid(train["sample"], train["id"]), **{c: train[c] for c in keep_cols if c != "id"},
                          "atom_id": train["id"]})
    test = {c: tabs[n][c] for c in keep_cols}
    test["id"] = uid(test["sample"], test["id"])
    write_csv(test_csv, test)
    rot[n] = {"train_pos": len(pos), "train_neg": int(len(pick)), "test_pos": int(test["rearranged"].sum()),
              "models": {m: learn(m, rd, train_csv, test_csv, test) for m in MODELS}}
    log(f"held out sample {n}: trained on {len(pos)} rearranged + {len(pick)} others; test has "
        f"{int(test['rearranged'].sum())} rearranged of {len(test['id'])}; " +
        ", ".join(f"{m} (C {rot[n]['models'][m]['C']:g}, gamma {rot[n]['models'][m]['gamma']:g})" for m in MODELS))

# pooled held-out predictions: one table per model, scored by tessera
all_id = np.concatenate([uid(n, tabs[n]["id"]) for n in samples])
all_y = np.concatenate([rear[n] for n in samples]).astype(np.int64)
pooled_truth = os.path.join(ml, "pooled_truth.csv")
write_csv(pooled_truth, {"id": all_id, "rearranged": all_y})
res = {}
for m in MODELS:
    dec = np.concatenate([rot[n]["models"][m]["decision"] for n in samples])
    prd = np.concatenate([rot[n]["models"][m]["prediction"] for n in samples])
    pp = os.path.join(ml, f"pooled_pred_{m}.csv")
    write_csv(pp, {"id": all_id, "prediction": prd, "decision": dec})
    score = parse_score(tessera("learn", "score", "--truth", pooled_truth, "--label", "rearranged", "--pred", pp))
    pf_in = os.path.join(ml, f"pooled_pf_in_{m}.csv")
    write_csv(pf_in, {"id": all_id, "decision": dec, "rearranged": all_y})
    chi = power_factor(pf_in, os.path.join(ml, f"pooled_pf_{m}.csv"))
    # the paper's single split: sample S held out
    rd = os.path.join(ml, f"test_{TEST}")
    score_last = parse_score(tessera("learn", "score", "--truth", os.path.join(rd, "test.csv"), "--label",
                                     "rearranged", "--pred", os.path.join(rd, f"pred_{m}.csv")))
    pf_last = os.path.join(rd, f"pf_in_{m}.csv")
    write_csv(pf_last, {"id": uid(TEST, tabs[TEST]["id"]), "decision": rot[TEST]["models"][m]["decision"],
                        "rearranged": rear[TEST].astype(np.int64)})
    chi_last = power_factor(pf_last, os.path.join(rd, f"pf_{m}.csv"))
    res[m] = {"score": score, "chi": chi, "abs_chi": abs_chi(chi), "decision": dec,
              "score_last": score_last, "chi_last": chi_last, "abs_chi_last": abs_chi(chi_last)}
    log(f"{m}: pooled accuracy {score['accuracy']:.3f} balanced {score['balanced_accuracy']:.3f} chi {chi:.3g}")
timing["stage_learning_s"] = round(time.time() - t0, 1)
igd = res["igd"]["decision"]
all_s = np.concatenate([np.full(len(tabs[n]["id"]), n) for n in samples])
all_type = np.concatenate([tabs[n]["type"] for n in samples]).astype(np.int64)
all_bp = np.concatenate([tabs[n]["boson_peak"] for n in samples])

# ------------------------------------------------------------------------------ 5. boson peak
bpin = os.path.join(ml, "igd_bp.csv")
write_csv(bpin, {"id": all_id, "igd": igd, "boson_peak": all_bp})
tessera("stats", bpin, "--pearson", "igd,boson_peak", "-o", os.path.join(ml, "igd_bp_corr.csv"))
corr = read_csv(os.path.join(ml, "igd_bp_corr.csv"))
rho_bp = float(corr["spearman_r"][0])

# ------------------------------------------------------------------------------ 6. 700 K dynamics by IGD
t0 = time.time()
QV = 2.7
n_frames = int(round(a.dyn_ps / 0.002)) // DYN_EVERY + 1
max_lag = int(0.8 * (n_frames - 1))
lags = sorted(set(int(round(x)) for x in np.geomspace(1, max_lag, 24)))
origin_stride = max(1, (n_frames - 1 - max_lag) // 4)
origins = list(range(0, n_frames - max_lag, origin_stride))
dr2 = []
for s in samples:
    per = []
    for o in origins:
        f = sdir(s, f"dyn_dr2_o{o}_lag{max_lag}.dump")
        if fresh(f):
            tessera("atom-msd", sdir(s, "dyn_700K.dump"), "-o", f, "--lags", ",".join(map(str, lags)), "--frames", f"{o}:")
        c = read_frames(f)[0][1]
        per.append(np.array([c[f"dr2_{k}"] for k in lags]))   # (lags, atoms)
    dr2.append(np.array(per))                                # (origins, lags, atoms)
dr2 = np.concatenate(dr2, axis=2)                            # atoms of all samples, in the pooled order
isf_txt = ""
for s in samples[-1:]:
    tessera("msd", sdir(s, "dyn_700K.dump"), "-o", sdir(s, "dyn_msd.csv"), "--origins", "--max-lag", max_lag,
            "--origin-stride", origin_stride)
    # --max-q 24: tessera isf costs ~0.2 us per atom, q-vector and frame pair (14 s of CPU for 108
    # q-vectors, 1001 frames of 128 atoms); 24 of them give the all-atom curve
    isf_txt = tessera("isf", sdir(s, "dyn_700K.dump"), "-q", QV, "-o", sdir(s, "dyn_fs.csv"), "--origins",
                      "--max-lag", max_lag, "--origin-stride", origin_stride, "--max-q", 24)
n_groups = 4
edges = np.quantile(igd, np.linspace(0, 1, n_groups + 1))
grp = np.clip(np.searchsorted(edges, igd, side="right") - 1, 0, n_groups - 1)
t_ps = np.array(lags) * DYN_EVERY * 0.002
rr = np.sqrt(dr2)
fs_atom = np.where(rr > 0, np.sin(QV * rr) / np.where(rr > 0, QV * rr, 1.0), 1.0)   # isotropic <exp(-iq.dr)>


def tau(fs):
    below = np.nonzero(fs < np.exp(-1))[0]
    if len(below) == 0:
        return float("nan")
    k = below[0]
    if k == 0:
        return float(t_ps[0])
    f0, f1 = fs[k - 1], fs[k]
    return float(t_ps[k - 1] + (np.exp(-1) - f0) * (t_ps[k] - t_ps[k - 1]) / (f1 - f0))


dyn_groups = []
dyn_rows = {"t_ps": t_ps}
for gi in range(n_groups):
    sel = grp == gi
    m2 = dr2[:, :, sel].mean(axis=(0, 2))
    m4 = (dr2[:, :, sel] ** 2).mean(axis=(0, 2))
    a2 = np.where(m2 > 0, 3 * m4 / (5 * np.where(m2 > 0, m2, 1) ** 2) - 1, 0.0)
    fs = fs_atom[:, :, sel].mean(axis=(0, 2))
    dyn_rows.update({f"msd_g{gi}": m2, f"alpha2_g{gi}": a2, f"fs_g{gi}": fs})
    dyn_groups.append({"igd_range": [float(edges[gi]), float(edges[gi + 1])], "atoms": int(sel.sum()),
                       "igd_mean": float(igd[sel].mean()), "msd_last_A2": float(m2[-1]),
                       "alpha2_max": float(a2.max()), "t_alpha2_max_ps": float(t_ps[int(np.argmax(a2))]),
                       "fs_last": float(fs[-1]), "tau_alpha_ps": tau(fs)})
write_csv(out("dynamics_by_igd.csv"), dyn_rows)
timing["stage_dynamics_analysis_s"] = round(time.time() - t0, 1)


# ------------------------------------------------------------------------------ 7. RDF of IGD extremes
# tessera rdf --centers EXPR --pool on one dump that holds every sample's inherent structure as a frame with
# the igd_top10 / igd_low10 flags as columns: pair counts and normalisations pooled over the samples, every
# atom a neighbour (stats/rdf.hpp; LAMMPS's normalisation, N_C (N - 1) V_k / V).
order_igd = np.argsort(igd, kind="stable")
n10 = max(1, int(round(0.1 * len(igd))))
top10 = np.isin(np.arange(len(igd)), order_igd[-n10:])
low10 = np.isin(np.arange(len(igd)), order_igd[:n10])
rdf_dump = out("is_igd_flags.dump")
with open(rdf_dump, "w") as f_:
    for s in samples:
        ids_s = tabs[s]["id"].astype(np.int64)
        flags = {int(i): (int(t), int(l)) for i, t, l in zip(ids_s, top10[all_s == s], low10[all_s == s])}
        lines = open(sdir(s, "is.dump")).read().split("\n")
        n_s_atoms = int(lines[3])
        cols = lines[8].split()[2:]
        f_.write("\n".join(lines[:8]) + "\n" + lines[8] + " igd_top10 igd_low10\n")
        for ln in lines[9:9 + n_s_atoms]:
            t_, l_ = flags[int(ln.split()[cols.index("id")])]
            f_.write(f"{ln} {t_} {l_}\n")
gg = {}
for name, expr in (("low10", "igd_low10==1"), ("high10", "igd_top10==1"), ("all", None)):
    o_ = out(f"rdf_{name}.csv")
    tessera("rdf", rdf_dump, "-o", o_, "--rmax", 8.0, "--bins", 80, "--pool", *(["--centers", expr] if expr else []))
    rd = read_csv(o_)
    gg[name], r_b = rd["g"], rd["r"]
g_low, g_high, g_all = gg["low10"], gg["high10"], gg["all"]
write_csv(out("rdf_igd_extremes.csv"), {"r": r_b, "g_low10": g_low, "g_high10": g_high, "g_all": g_all})
tessera("rdf", sdir(TEST, "is.dump"), "-o", out("rdf_test.csv"), "--rmax", 8.0, "--bins", 80)
write_csv(out("igd_all.csv"), {"sample": all_s.astype(np.int64), "id": np.concatenate([tabs[n]["id"] for n in samples]).astype(np.int64),
                               "type": all_type, "igd": igd, "rearranged": all_y,
                               "dd2min_max": np.concatenate([tabs[n]["dd2min_max"] for n in samples]),
                               "boson_peak": all_bp, "igd_group": grp.astype(np.int64),
                               "igd_top10": top10.astype(np.int64), "igd_low10": low10.astype(np.int64)})

# ------------------------------------------------------------------------------ 8. summary
sc = {m: res[m]["score"] for m in res}
test_y = all_y
r_t = test_y.astype(bool)
# ------------------------------------------------------------------------------ 9. figure
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

names = ["igd", *FAMILIES]
label = {"igd": "IGD (all 4)", "vmsd": "vMSD", "dq": "ΔQ", "g": "G", "s2": "S₂"}
fig, ax = plt.subplots(2, 4, figsize=(16, 7.5))
A = ax[0, 0]
x = np.arange(len(names))
A.bar(x - 0.2, [sc[m]["accuracy"] for m in names], 0.4, color="C0", label="test accuracy (this run)")
A.bar(x + 0.2, [sc[m]["balanced_accuracy"] for m in names], 0.4, color="C2", label="balanced accuracy (this run)")
A.plot(x - 0.2, [PAPER["igd_accuracy"]] + [PAPER["single_family_accuracy"][m] for m in FAMILIES], "r_", ms=22,
       mew=3, label="paper's test accuracy (Fig. 12a)")
A.axhline(0.5, color="0.5", lw=0.8, ls=":")
A.set_xticks(x)
A.set_xticklabels([label[m] for m in names])
A.set_ylim(0, 1.05)
A.set_ylabel("accuracy on held-out sample")
A.set_title(f"SVM, each of {a.samples} samples held out in turn (pooled)", fontsize=9)
A.legend(fontsize=7, loc="lower right")
B = ax[0, 1]
chis = [res[m]["abs_chi"] for m in names]
B.bar(x, [c if np.isfinite(c) else 0 for c in chis], color=["C3"] + ["0.6"] * 4)
for k, c in enumerate(chis):
    B.text(k, (c if np.isfinite(c) else 0) * 1.02 + 0.05, f"{c:.2g}" if np.isfinite(c) else "∞ (no low-tail event)",
           ha="center", fontsize=8)
B.axhline(1, color="0.5", lw=0.8, ls=":")
B.set_xticks(x)
B.set_xticklabels([label[m] for m in names])
B.set_ylabel("|χ| = P_R(X > X_top5%) / P_R(X < X_low5%)")
B.set_title("predictive power factor (paper Fig. 12b: IGD highest)", fontsize=9)
C = ax[0, 2]
bins = np.linspace(igd.min(), igd.max(), 16)
C.hist(igd[~r_t], bins=bins, alpha=0.6, color="C0", label=f"not rearranged ({(~r_t).sum()})")
C.hist(igd[r_t], bins=bins, alpha=0.6, color="C3", label=f"rearranged ({r_t.sum()})")
C.axvline(0, color="k", lw=0.8, ls="--")
C.set_xlabel("IGD = SVM decision value")
C.set_ylabel("atoms (held-out predictions)")
C.set_title("IGD distribution (paper Fig. 9b)", fontsize=9)
C.legend(fontsize=7)
D = ax[0, 3]
ibp = all_bp
D.scatter(igd, ibp, s=8, color="0.6", label="atoms")
qb = np.quantile(igd, np.linspace(0, 1, 9))
gb = np.clip(np.searchsorted(qb, igd, side="right") - 1, 0, 7)
D.plot([igd[gb == k].mean() for k in range(8)], [ibp[gb == k].mean() for k in range(8)], "o-", color="C3",
       label="mean of 1/8 of the atoms")
D.set_yscale("log")
D.set_xlabel("IGD")
D.set_ylabel("I_BP = max g_i(ν)/ν² (THz⁻³)")
D.set_title(f"I_BP vs IGD (paper Fig. 14b: rises with IGD)\nSpearman ρ = {rho_bp:.2f}", fontsize=9)
D.legend(fontsize=7)
cmap = plt.get_cmap("coolwarm")
for gi, g in enumerate(dyn_groups):
    c = cmap(gi / max(1, n_groups - 1))
    lab = f"IGD quartile {gi + 1} ({g['igd_range'][0]:.2f}…{g['igd_range'][1]:.2f})"
    ax[1, 0].loglog(t_ps, dyn_rows[f"msd_g{gi}"], "-", color=c, label=lab)
    ax[1, 1].semilogx(t_ps, dyn_rows[f"alpha2_g{gi}"], "-", color=c, label=lab)
    ax[1, 2].semilogx(t_ps, dyn_rows[f"fs_g{gi}"], "-", color=c, label=lab)
ax[1, 0].set_xlabel("t (ps)")
ax[1, 0].set_ylabel("MSD (Å²)")
ax[1, 0].set_title("700 K MSD by IGD (paper Fig. 14c)", fontsize=9)
ax[1, 0].legend(fontsize=6)
ax[1, 1].set_xlabel("t (ps)")
ax[1, 1].set_ylabel("α₂(t)")
ax[1, 1].set_title("non-Gaussian parameter (paper Fig. 14d)", fontsize=9)
ax[1, 2].axhline(np.exp(-1), color="k", ls="--", lw=0.8, label="1/e (τ_α)")
ax[1, 2].set_xlabel("t (ps)")
ax[1, 2].set_ylabel("F_s(q = 2.7 Å⁻¹, t)")
ax[1, 2].set_title("self-intermediate scattering (paper Fig. 14e)", fontsize=9)
ax[1, 2].legend(fontsize=6)
E_ = ax[1, 3]
E_.plot(r_b, g_low, "-", color="C0", label=f"lowest 10 % IGD ({n10} centres)")
E_.plot(r_b, g_high, "-", color="C3", label=f"highest 10 % IGD ({n10} centres)")
E_.plot(r_b, g_all, ":", color="k", lw=0.8, label="all atoms")
E_.set_xlabel("r (Å)")
E_.set_ylabel("g(r) around the centre atoms")
E_.set_title("RDF of the IGD extremes (paper Fig. 10)", fontsize=9)
E_.legend(fontsize=7)
fig.suptitle(f"Seed 003: integrated glassy defect, Cu50Zr50, {a.samples} samples × {n_atoms} atoms "
             f"({'quick' if Q else 'default'} mode; paper: 10 × 19 652)", fontsize=11)
fig.tight_layout()
fig.savefig(out("seed003.png"), dpi=72)

summary = {
    "igd_accuracy": sc["igd"]["accuracy"],
    "single_family_accuracy": {m: sc[m]["accuracy"] for m in FAMILIES},
    "igd_balanced_accuracy": sc["igd"]["balanced_accuracy"],
    "single_family_balanced_accuracy": {m: sc[m]["balanced_accuracy"] for m in FAMILIES},
    "igd_power_factor": res["igd"]["abs_chi"],
    "single_family_power_factor": {m: res[m]["abs_chi"] for m in FAMILIES},
    "rho_igd_boson_peak": rho_bp,
    "rearranged_fraction": frac,
    "rearranged_per_sample": [int(rear[s].sum()) for s in samples],
    "igd_recall": sc["igd"]["confusion_1_1"] / max(1.0, sc["igd"]["confusion_1_1"] + sc["igd"]["confusion_1_0"]),
    "power_factor_signed": {m: res[m]["chi"] for m in MODELS},
    "pearson_igd_boson_peak": float(corr["pearson_r"][0]),
    "last_sample_only": {
        "test_sample": TEST, "rearranged_in_test": int(rear[TEST].sum()),
        "igd_accuracy": res["igd"]["score_last"]["accuracy"],
        "single_family_accuracy": {m: res[m]["score_last"]["accuracy"] for m in FAMILIES},
        "igd_balanced_accuracy": res["igd"]["score_last"]["balanced_accuracy"],
        "single_family_balanced_accuracy": {m: res[m]["score_last"]["balanced_accuracy"] for m in FAMILIES},
        "igd_power_factor": res["igd"]["abs_chi_last"],
        "single_family_power_factor": {m: res[m]["abs_chi_last"] for m in FAMILIES}},
    "rotations": {str(n): {"train_rearranged": rot[n]["train_pos"], "train_others": rot[n]["train_neg"],
                           "test_rearranged": rot[n]["test_pos"],
                           "C": {m: rot[n]["models"][m]["C"] for m in MODELS},
                           "gamma": {m: rot[n]["models"][m]["gamma"] for m in MODELS},
                           "cv_accuracy": {m: rot[n]["models"][m]["cv_accuracy"] for m in MODELS}} for n in samples},
    "atoms_per_sample": n_atoms,
    "features": {m: len(FEAT[m]) for m in FEAT},
    "barrier_fraction_missing": float(np.mean(np.concatenate(
        [np.isnan(read_frames(sdir(s, "dq.dump"))[0][1]["dq_1"]) for s in samples]))),
    "dynamics_700K": {"q_inv_A": QV, "groups": dyn_groups, "lags_ps": [float(x) for x in t_ps],
                      "lag_frames": lags, "origin_frames": origins, "frame_ps": DYN_EVERY * 0.002},
    "rdf_first_peak": {k: {"r_A": float(r_b[int(np.argmax(v))]), "g": float(np.max(v))} for k, v in gg.items()},
    "parameters": {"samples": a.samples, "test_sample": TEST, "cells": a.cells, "quench_steps": a.quench_steps,
                   "searches_per_atom": a.searches_per_atom, "dq_missing_eV": a.dq_missing,
                   "vmsd_temperatures": TEMPS, "vmsd_ps": a.vmsd_ps, "vmsd_equil_ps": a.vmsd_equil_ps,
                   "aqs_step": a.aqs_step, "aqs_steps": aqs_steps, "d2min_lag": d2min_lag,
                   "d2min_cutoff_A": a.d2min_cutoff, "threshold_A2": a.threshold, "tail": 0.05,
                   "grid_C": [float(x) for x in a.grid_c.split(",")],
                   "grid_gamma": [float(x) for x in a.grid_gamma.split(",")], "folds": a.folds,
                   "dyn_ps": a.dyn_ps, "seed": a.seed, "quick": 1 if Q else 0},
    "timing_s": timing,
}
summary["timing_s"]["total_s"] = round(time.time() - t_start, 1)
_ru = resource.getrusage(resource.RUSAGE_CHILDREN)
# CPU time of every LAMMPS and tessera process: with the cores shared, total CPU / 2 is about what
# the run takes on 2 idle cores (the pool keeps both busy)
summary["timing_s"]["children_cpu_s"] = round(_ru.ru_utime + _ru.ru_stime, 1)


def finite(v):
    """JSON has no inf or NaN: an undefined number (a power factor without low-group events, a
    tau_alpha beyond the trajectory) is written as null and named in the docs."""
    if isinstance(v, dict):
        return {k: finite(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [finite(x) for x in v]
    if isinstance(v, float) and not np.isfinite(v):
        return None
    return v


with open(out("summary.json"), "w") as f:
    json.dump(finite(summary), f, indent=1)
with open(out("isf.txt"), "w") as f:
    f.write(isf_txt)
print(f"IGD held-out accuracy {summary['igd_accuracy']:.3f} (paper 0.784); single families: " +
      ", ".join(f"{m} {summary['single_family_accuracy'][m]:.3f} (paper {PAPER['single_family_accuracy'][m]})"
                for m in FAMILIES))
print(f"balanced accuracy: IGD {summary['igd_balanced_accuracy']:.3f}; " +
      ", ".join(f"{m} {summary['single_family_balanced_accuracy'][m]:.3f}" for m in FAMILIES))
print(f"|chi| (tail 5 %): IGD {summary['igd_power_factor']:.3g}; " +
      ", ".join(f"{m} {summary['single_family_power_factor'][m]:.3g}" for m in FAMILIES))
print(f"rearranged fraction {frac:.3f} (paper ~0.05); Spearman rho(IGD, I_BP) {rho_bp:.3f} (paper: positive, linear)")
print("700 K by IGD quartile (low -> high): tau_alpha " +
      ", ".join(f"{g['tau_alpha_ps']:.3g}" for g in dyn_groups) + " ps; alpha2_max " +
      ", ".join(f"{g['alpha2_max']:.3g}" for g in dyn_groups) + "; MSD at the last lag " +
      ", ".join(f"{g['msd_last_A2']:.3g}" for g in dyn_groups) + " A^2")
print(f"total {summary['timing_s']['total_s']} s (CPU of the children {summary['timing_s']['children_cpu_s']} s) -> {out('summary.json')}")
