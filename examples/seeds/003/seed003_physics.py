#!/usr/bin/python3
"""Seed 003: per-atom boson-peak intensity and activation barriers of a CuZr inherent structure
(Yang, Wei, Zaccone & Wang 2021, "Machine-learning integrated glassy defect ..."), end to end
with Debian's LAMMPS and the `tessera` command.

usage: seed003_physics.py --tessera EXE [--out DIR] [--quick] [options]   (normally via ./physics)

Stages (every number comes from a LAMMPS or tessera run; Python only picks atoms, reads the
outputs, computes summary statistics and plots):
  1. glass    lmp -in ../001/cuzr_glass.in: B2 CuZr -> melt -> NPT quench -> minimise (Cu50Zr50)
              tessera minimize --box-relax 0: zero stress, as the paper's NPT (Parrinello-Rahman,
              stress kept zero) preparation; then tessera minimize --ftol 1e-8 at fixed cell: the
              inherent structure (IS)
  2. vdos     tessera vdos IS --method dense --per-atom: g(nu), g/nu^2, the system's boson-peak
              frequency and I_BP,i = max g_i(nu)/nu^2 (paper Eq. 6)
  3. barriers tessera barriers IS --atoms IDS --searches-per-atom K: ARTn barriers dq_1..dq_K per atom
              (the paper's 24 per atom on every atom; here a subset, below)
  4. summary.json and seed003_physics.png
Atoms searched: M atoms at evenly spaced ranks of I_BP (a systematic sample: it follows the
I_BP distribution and spans its range, which the I_BP-vs-dq_min rank correlation needs).
"""
import argparse
import csv
import json
import os
import re
import textwrap
import subprocess
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
GLASS_IN = os.path.join(HERE, "..", "001", "cuzr_glass.in")
POT = ["--pair-style", "eam/fs", "--pair-coeff", "* * CuZr_mm.eam.fs Cu Zr"]
TYPES = {1: "Cu", 2: "Zr"}

p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("--tessera", required=True)
p.add_argument("--out", default=None, help="output directory (default build/seed003-physics[-quick])")
p.add_argument("--quick", action="store_true", help="small and fast (< 10 min on 2 cores)")
p.add_argument("--cells", type=int, help="B2 cells per axis: 2*n^3 atoms (quick 6 -> 432, full 10 -> 2000)")
p.add_argument("--quench-steps", type=int, help="2 fs MD steps from 2000 K to 50 K (quick 15000, full 100000)")
p.add_argument("--no-box-relax", action="store_true",
               help="skip the zero-stress cell relaxation (IS at the cell LAMMPS's NPT quench left)")
p.add_argument("--ftol", type=float, default=1e-8, help="force 2-norm tolerance of the IS, eV/A (default 1e-8)")
p.add_argument("--omega-bins", type=int, default=100, help="tessera vdos --omega-bins (default 100)")
p.add_argument("--bp-window", default=None,
               help="LO,HI THz: tessera vdos --bp-window (default: none, the paper's max over all frequencies)")
p.add_argument("--search-atoms", type=int,
               help="atoms searched, at evenly spaced I_BP ranks (default 20: of 432 quick, of 2000 full)")
p.add_argument("--searches-per-atom", type=int, help="ARTn searches per atom (quick 8, full 8; paper 24)")
p.add_argument("--force-criterion", default=None, choices=["norm", "max-atom", "max-component"],
               help="tessera barriers --force-criterion (default: tessera's, norm; the paper's is max-atom)")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seed", type=int, default=20250320, help="LAMMPS velocity seed and tessera barriers --seed")
p.add_argument("--reuse", action="store_true", help="reuse DIR's outputs of earlier stages if present")
a = p.parse_args()

Q = a.quick
a.cells = a.cells or (6 if Q else 10)
a.quench_steps = a.quench_steps or (15000 if Q else 100000)
a.search_atoms = a.search_atoms or 20
a.searches_per_atom = a.searches_per_atom or 8
melt, hold = (2500, 2500) if Q else (5000, 10000)
a.out = a.out or os.path.join("build", "seed003-physics-quick" if Q else "seed003-physics")
os.makedirs(a.out, exist_ok=True)
out = lambda name: os.path.join(a.out, name)  # noqa: E731
timing = {}
t_start = time.time()


def log(msg):
    print(f"[seed003 {time.time() - t_start:7.1f} s] {msg}", flush=True)


def tessera(*args):
    """Runs the command, echoes it and its standard output, returns that output."""
    print("$ tessera " + " ".join(str(x) if " " not in str(x) else repr(str(x)) for x in args), flush=True)
    r = subprocess.run([a.tessera, *map(str, args)], check=True, stdout=subprocess.PIPE, text=True)
    print(r.stdout, end="", flush=True)
    return r.stdout


reused = []  # outputs taken from an earlier run (--reuse): their stage's time here is ~0


def fresh(*paths):
    """True when the stage must run: not --reuse, or an output is missing."""
    if a.reuse and all(os.path.exists(x) for x in paths):
        reused.extend(os.path.basename(x) for x in paths)
        return False
    return True


def read_dump(path):
    """First frame of a LAMMPS text dump: (box lengths, {column: array}), rows sorted by id."""
    with open(path) as f:
        lines = f.readlines()
    n = int(lines[3])
    bounds = [list(map(float, lines[5 + k].split()[:2])) for k in range(3)]
    cols = lines[8].split()[2:]
    d = np.array([r.split() for r in lines[9:9 + n]], dtype=float)
    d = d[np.argsort(d[:, cols.index("id")], kind="stable")]
    return np.array([hi - lo for lo, hi in bounds]), {c: d[:, k] for k, c in enumerate(cols)}


def stats(v):
    v = np.asarray(v, dtype=float)
    v = v[~np.isnan(v)]
    if len(v) == 0:
        return {"n": 0}
    q = np.percentile(v, [5, 25, 50, 75, 95])
    return {"n": int(len(v)), "mean": float(v.mean()), "std": float(v.std(ddof=1)) if len(v) > 1 else 0.0,
            "min": float(v.min()), "p5": float(q[0]), "p25": float(q[1]), "median": float(q[2]),
            "p75": float(q[3]), "p95": float(q[4]), "max": float(v.max())}


def histogram(v, bins):
    v = np.asarray(v, dtype=float)
    c, e = np.histogram(v[~np.isnan(v)], bins=bins)
    return {"edges": [float(x) for x in e], "counts": [int(x) for x in c]}


# ---------------------------------------------------------------- 1. glass and inherent structure
t0 = time.time()
n_atoms = 2 * a.cells ** 3
raw, cell, inh = out("glass_lammps.dump"), out("glass_cell.dump"), out("is.dump")
if fresh(raw):
    log(f"glass: {n_atoms} atoms Cu50Zr50, melt 3000 K {melt * 0.002:g} ps, 2000 K {hold * 0.002:g} ps, "
        f"NPT quench to 50 K in {a.quench_steps * 0.002:g} ps (LAMMPS)")
    env = dict(os.environ, LAMMPS_POTENTIALS="/usr/share/lammps/potentials")
    subprocess.run(["lmp", "-in", GLASS_IN, "-var", "n", str(a.cells), "-var", "melt", str(melt),
                    "-var", "hold", str(hold), "-var", "quench", str(a.quench_steps), "-var", "seed", str(a.seed),
                    "-var", "out", "glass_lammps.dump", "-log", "lammps.log", "-screen", "none"],
                   check=True, cwd=a.out, env=env)
timing["lammps_glass_s"] = round(time.time() - t0, 1)
t0 = time.time()
src = raw
if not a.no_box_relax:
    # The paper keeps the stress tensor at zero (NPT, Parrinello-Rahman) down to 0 K.
    if fresh(cell):
        tessera("minimize", raw, "-o", cell, *POT, "--box-relax", 0, "--min-style", "cg", "--ftol", 1e-6)
    src = cell
if fresh(inh):
    # The IS at fixed cell, tight: vdos refuses a largest atomic force above 1e-3 eV/A, and
    # barriers measures ΔQ from this energy.
    tessera("minimize", src, "-o", inh, *POT, "--min-style", "cg", "--ftol", a.ftol)
timing["inherent_structure_s"] = round(time.time() - t0, 1)
box, is_cols = read_dump(inh)
types = is_cols["type"].astype(int)
ids = is_cols["id"].astype(np.int64)
log(f"inherent structure: {len(ids)} atoms, box {box[0]:.3f} x {box[1]:.3f} x {box[2]:.3f} A")

# ---------------------------------------------------------------- 2. VDOS and I_BP
t0 = time.time()
vdos_csv, bp_dump, vdos_txt = out("vdos.csv"), out("bp.dump"), out("vdos.txt")
if fresh(vdos_csv, bp_dump, vdos_txt):
    args = ["vdos", inh, *POT, "-o", vdos_csv, "--per-atom", bp_dump, "--method", "dense", "--omega-bins", a.omega_bins]
    if a.bp_window:
        args += ["--bp-window", a.bp_window]
    with open(vdos_txt, "w") as f:
        f.write(tessera(*args))
timing["vdos_s"] = round(time.time() - t0, 1)
with open(vdos_txt) as f:
    vdos_msg = f.read().strip()
m = re.search(r"boson peak of g/omega\^2 at ([0-9.eE+-]+) THz", vdos_msg)
nu_bp = float(m.group(1)) if m else float("nan")
mz = re.search(r"(\d+) zero modes, (\d+) negative modes", vdos_msg)
zero_modes, negative_modes = (int(mz.group(1)), int(mz.group(2))) if mz else (None, None)
spec = np.genfromtxt(vdos_csv, delimiter=",", names=True)
_, bp_cols = read_dump(bp_dump)
ibp, vlow = bp_cols["boson_peak"], bp_cols["vdos_low"]
log(f"boson peak of g/nu^2 at {nu_bp:g} THz; I_BP median {np.median(ibp):.4g} THz^-3")

# ---------------------------------------------------------------- 3. barriers
t0 = time.time()
order = np.argsort(ibp, kind="stable")
m_atoms = min(a.search_atoms, len(ids))
ranks = np.unique(((np.arange(m_atoms) + 0.5) * len(ids) / m_atoms).astype(int))
chosen = np.sort(order[ranks])
dq_dump, saddles_csv, dq_txt = out("dq.dump"), out("dq_saddles.csv"), out("barriers.txt")
if fresh(dq_dump, saddles_csv, dq_txt):
    args = ["barriers", inh, *POT, "-o", dq_dump, "--saddles", saddles_csv,
            "--searches-per-atom", a.searches_per_atom, "--seed", a.seed,
            "--atoms", ",".join(map(str, ids[chosen])), "--threads", a.threads]
    if a.force_criterion:
        args += ["--force-criterion", a.force_criterion]
    with open(dq_txt, "w") as f:
        f.write(tessera(*args))
timing["barriers_s"] = round(time.time() - t0, 1)
_, dq_cols = read_dump(dq_dump)
k_cols = sorted((c for c in dq_cols if re.fullmatch(r"dq_\d+", c)), key=lambda c: int(c[3:]))
dq_all_per_atom = np.column_stack([dq_cols[c] for c in k_cols])
searched = ~np.isnan(dq_cols["n_saddles"])
dq_min, dq_mean = dq_cols["dq_min"], dq_cols["dq_mean"]
with open(saddles_csv) as f:
    rows = list(csv.DictReader(f))
status = {}
for r in rows:
    status[r["status"]] = status.get(r["status"], 0) + 1
n_search = len(rows)
converged = [r for r in rows if r["status"] == "converged"]
distinct = [r for r in converged if r["duplicate"] == "0"]
dq_flat = dq_all_per_atom[searched].ravel()
dq_flat = dq_flat[~np.isnan(dq_flat)]
dq_flat_type = np.repeat(types[searched], dq_all_per_atom.shape[1])[~np.isnan(dq_all_per_atom[searched].ravel())]
log(f"barriers: {int(searched.sum())} atoms, {n_search} searches, {status}, {len(dq_flat)} distinct barriers")

# ---------------------------------------------------------------- 4. summary and figure
t0 = time.time()
from scipy.stats import spearmanr  # noqa: E402


def spearman(x, y):
    ok = ~np.isnan(x) & ~np.isnan(y)
    if ok.sum() < 3:
        return {"n": int(ok.sum()), "rho": None, "p_value": None}
    r = spearmanr(x[ok], y[ok])
    return {"n": int(ok.sum()), "rho": float(r.correlation), "p_value": float(r.pvalue)}


rho = spearman(ibp[searched], dq_min[searched])
rho_mean = spearman(ibp[searched], dq_mean[searched])
rho_low = spearman(vlow[searched], dq_min[searched])
dq_bins = np.linspace(0.0, max(1.0, np.ceil(np.nanmax(dq_flat) * 4) / 4 if len(dq_flat) else 1.0), 21)
lg_ibp = np.log10(ibp)
ibp_bins = np.linspace(np.floor(lg_ibp.min() * 10) / 10, np.ceil(lg_ibp.max() * 10) / 10, 31)

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

col = {1: "C0", 2: "C3"}
fig, ax = plt.subplots(2, 3, figsize=(12, 7))
A = ax[0, 0]
A.plot(spec["omega"], spec["g_over_omega2"], "-k", lw=1.2, label="g(ν)/ν²")
A.axvline(nu_bp, color="C3", ls="--", label=f"boson peak {nu_bp:.3g} THz")
A.set_xlabel("ν (THz)")
A.set_ylabel("g(ν)/ν² (THz⁻³)")
A.set_title(f"reduced VDOS, {len(ids)} atoms (dense, {a.omega_bins} bins)", fontsize=9)
A.legend(fontsize=7, loc="upper right")
ins = A.inset_axes([0.5, 0.3, 0.45, 0.35])
ins.plot(spec["omega"], spec["g"], "-", color="0.3", lw=1)
ins.set_title("g(ν)", fontsize=7)
ins.tick_params(labelsize=6)
B = ax[0, 1]
B.hist([lg_ibp[types == t] for t in (1, 2)], bins=ibp_bins, stacked=True, color=[col[1], col[2]],
       label=[f"Cu ({(types == 1).sum()})", f"Zr ({(types == 2).sum()})"])
B.plot(lg_ibp[chosen], np.zeros(len(chosen)), "k|", ms=12, label="searched")
B.set_xlabel("log10 I_BP = log10 max_ν g_i(ν)/ν² (THz⁻³)")
B.set_ylabel("atoms")
B.set_title("per-atom boson-peak intensity", fontsize=9)
B.legend(fontsize=7)
C = ax[0, 2]
C.hist([dq_flat[dq_flat_type == t] for t in (1, 2)], bins=dq_bins, stacked=True, color=[col[1], col[2]],
       label=["Cu", "Zr"])
C.set_xlabel("ΔQ (eV)")
C.set_ylabel("distinct barriers")
C.set_title(f"all ΔQ: {len(dq_flat)} distinct barriers\n"
            f"({int(searched.sum())} atoms × {a.searches_per_atom} searches)",
            fontsize=9)
C.legend(fontsize=7)
D = ax[1, 0]
D.hist([dq_min[searched & (types == t)] for t in (1, 2)], bins=dq_bins, stacked=True, color=[col[1], col[2]],
       label=["Cu", "Zr"])
D.set_xlabel("ΔQ_min = dq_min (eV)")
D.set_ylabel("atoms")
D.set_title(f"lowest barrier per atom\n({int((~np.isnan(dq_min[searched])).sum())} of "
            f"{int(searched.sum())} searched atoms have one)", fontsize=9)
D.legend(fontsize=7)
E = ax[1, 1]
for t in (1, 2):
    s = searched & (types == t)
    E.scatter(ibp[s], dq_min[s], s=18, color=col[t], label=TYPES[t])
E.set_xscale("log")
E.set_xlabel("I_BP (THz⁻³)")
E.set_ylabel("ΔQ_min (eV)")
E.set_title(f"Spearman ρ(I_BP, ΔQ_min) = {rho['rho']:.2f}\n(n = {rho['n']} atoms, p = {rho['p_value']:.2g})"
            if rho["rho"] is not None else "too few atoms with a barrier", fontsize=9)
E.legend(fontsize=7)
F = ax[1, 2]
names = sorted(status, key=lambda s: -status[s])
F.barh(range(len(names)), [status[s] for s in names], color=["C2" if s == "converged" else "0.6" for s in names])
F.set_yticks(range(len(names)))
F.set_yticklabels([textwrap.fill(s, 16) for s in names], fontsize=8)
F.invert_yaxis()
F.set_xlabel("searches")
F.set_title(f"ARTn outcomes: {len(converged)} of {n_search} searches\n"
            f"converged ({100 * len(converged) / max(1, n_search):.0f} %)",
            fontsize=9)
for k, s in enumerate(names):
    F.text(status[s], k, f" {status[s]}", va="center", fontsize=8)
fig.suptitle(f"Seed 003 physics: Cu50Zr50 inherent structure ({len(ids)} atoms), "
             f"{'quick' if Q else 'default'} mode", fontsize=11)
fig.tight_layout()
fig.savefig(out("seed003_physics.png"), dpi=80)
timing["analysis_plot_s"] = round(time.time() - t0, 1)
timing["total_s"] = round(time.time() - t_start, 1)

pe = is_cols.get("pe")
summary = {
    "mode": "quick" if Q else "default",
    "system": {
        "composition": "Cu50Zr50", "atoms": int(len(ids)), "Cu": int((types == 1).sum()), "Zr": int((types == 2).sum()),
        "potential": "CuZr_mm.eam.fs (eam/fs, Mendelev et al. 2009)", "box_A": [float(x) for x in box],
        "number_density_per_A3": float(len(ids) / np.prod(box)),
        "energy_per_atom_eV": float(pe.sum() / len(ids)) if pe is not None else None,
        "glass": {"melt_K_ps": [3000, melt * 0.002], "hold_K_ps": [2000, hold * 0.002],
                  "quench_K_per_s": 1950.0 / (a.quench_steps * 0.002e-12), "ensemble": "NPT, P = 0",
                  "lammps_input": "examples/seeds/001/cuzr_glass.in", "seed": a.seed},
        "inherent_structure": ("tessera minimize --min-style cg --ftol " + str(a.ftol)
                               + ("" if a.no_box_relax else ", after --box-relax 0 (--ftol 1e-6)")),
    },
    "vdos": {"method": "dense", "omega_bins": a.omega_bins, "bp_window_THz": a.bp_window,
             "boson_peak_frequency_THz": nu_bp, "zero_modes": zero_modes, "negative_modes": negative_modes,
             "tessera_message": vdos_msg,
             "boson_peak_frequency_definition": "bin centre of the max of g(nu)/nu^2, nu = omega/2pi"},
    "I_BP": {"units": "THz^-3", "definition": "max over bins of g_i(nu)/nu^2, g_i normalised by 3N (paper Eq. 6)",
             "all": stats(ibp), "Cu": stats(ibp[types == 1]), "Zr": stats(ibp[types == 2]),
             "log10_histogram": histogram(lg_ibp, ibp_bins)},
    "barriers": {
        "atoms_searched": int(searched.sum()), "searches_per_atom": a.searches_per_atom,
        "atom_choice": f"{m_atoms} atoms at evenly spaced ranks of I_BP ((k + 0.5) N / M, k = 0..M-1)",
        "searched_ids": [int(x) for x in ids[searched]],
        "force_criterion": a.force_criterion or "norm (tessera default)", "seed": a.seed,
        "searches": n_search, "status": status,
        "status_fraction": {k: v / n_search for k, v in status.items()} if n_search else {},
        "yield_converged": len(converged) / n_search if n_search else None,
        "saddles_converged": len(converged), "saddles_distinct": len(distinct),
        "barriers_in_dump": int(len(dq_flat)),
        "atoms_with_a_barrier": int((~np.isnan(dq_min[searched])).sum()),
        "dq_all_eV": {"all": stats(dq_flat), "Cu": stats(dq_flat[dq_flat_type == 1]),
                      "Zr": stats(dq_flat[dq_flat_type == 2]), "histogram": histogram(dq_flat, dq_bins)},
        "dq_min_eV": {"all": stats(dq_min[searched]), "Cu": stats(dq_min[searched & (types == 1)]),
                      "Zr": stats(dq_min[searched & (types == 2)]), "histogram": histogram(dq_min[searched], dq_bins)},
        "dq_mean_eV": stats(dq_mean[searched]),
        "n_saddles_per_atom": stats(dq_cols["n_saddles"][searched]),
        "tessera_message": open(dq_txt).read().strip(),
    },
    "spearman": {"I_BP_vs_dq_min": rho, "I_BP_vs_dq_mean": rho_mean, "vdos_low_vs_dq_min": rho_low,
                 "over": "the searched atoms with at least one barrier"},
    "threads": a.threads,
    "timing_s": timing,
    "reused_outputs": reused,
    "paper": {"atoms": 19652, "samples": 10, "quench_K_per_s": 1e10, "equilibration_2000K_ns": 2,
              "boson_peak_THz": "around 5 (Fig. 5b)", "searches_per_atom": 24,
              "artn": "kick 0.1 A within 2 A, push 0.15 A, lambda < -0.30 eV/A^2, max force 0.05 eV/A",
              "dq_distribution": "broad, Cu narrower than Zr and peaked lower (Fig. 2a-c; no numbers in the text)"},
}
with open(out("summary.json"), "w") as f:
    json.dump(summary, f, indent=1)
log(f"done: {out('summary.json')}, {out('seed003_physics.png')} ({timing})")
