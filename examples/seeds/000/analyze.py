#!/usr/bin/python3
"""Seed 000 analysis with the `tessera` command: CSP and structure, LENS, events, summed signals,
LENS->CSP peak delays, and the paper's figure types as PNG (matplotlib).

usage: analyze.py TESSERA_EXE TRAJECTORY OUTDIR [--cutoff RC] [--link D]
         [--elastic-threshold X] [--plastic-threshold X] [--split TIMESTEP]

Steps (each a tessera command; the plots only read its outputs):
  1. tessera compute TRAJ -o structure.dump --csp 12 --acna       per-atom CSP and a-CNA
  2. tessera lens structure.dump -o lens.dump --cutoff RC          LENS between consecutive frames
  3. tessera summary lens.dump -o summary.csv                      summed LENS, CSP per frame
  4. phase boundary: the least-squares change point of summed CSP (or --split)
  5. tessera events lens.dump --column lens --normalize --split B  elastic / plastic events,
     thresholds 0.6 / 0.4 as in the paper, link 2.8 Å
  6. figures: summed signals, event-size histograms, peak-delay histogram, LENS-CSP scatter
"""
import argparse
import os
import subprocess
import sys

import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("tessera")
p.add_argument("trajectory")
p.add_argument("outdir")
p.add_argument("--cutoff", type=float, default=3.1, help="LENS cutoff (paper: 8.0; 3.1 also tested)")
p.add_argument("--link", type=float, default=2.8)
p.add_argument("--elastic-threshold", type=float, default=0.6)
p.add_argument("--plastic-threshold", type=float, default=0.4)
p.add_argument("--split", type=int, default=None, help="phase boundary timestep (default: detected)")
p.add_argument("--timestep-ps", type=float, default=0.002, help="MD timestep in ps, for time axes")
a = p.parse_args()
os.makedirs(a.outdir, exist_ok=True)
out = lambda name: os.path.join(a.outdir, name)  # noqa: E731


def tessera(*args):
    print("$ tessera " + " ".join(args), flush=True)
    subprocess.run([a.tessera, *args], check=True)


def read_dump(path, columns):
    """Per-frame timestep and the requested columns, rows sorted by id."""
    steps, data = [], {c: [] for c in columns}
    with open(path) as f:
        while True:
            line = f.readline()
            if not line:
                break
            assert line.startswith("ITEM: TIMESTEP"), line
            steps.append(int(f.readline()))
            f.readline()
            n = int(f.readline())
            for _ in range(4):
                f.readline()
            names = f.readline().split()[2:]
            block = np.loadtxt([f.readline() for _ in range(n)], ndmin=2)
            order = np.argsort(block[:, names.index("id")])
            for c in columns:
                data[c].append(block[order, names.index(c)])
    return np.array(steps), {c: np.array(v) for c, v in data.items()}


def change_point(y):
    """Index splitting y into two segments with the least total squared deviation."""
    best, best_cost = 1, np.inf
    for k in range(2, len(y) - 1):
        cost = ((y[:k] - y[:k].mean()) ** 2).sum() + ((y[k:] - y[k:].mean()) ** 2).sum()
        if cost < best_cost:
            best, best_cost = k, cost
    return best


tessera("compute", a.trajectory, "-o", out("structure.dump"), "--csp", "12", "--acna")
tessera("lens", out("structure.dump"), "-o", out("lens.dump"), "--cutoff", str(a.cutoff))
tessera("summary", out("lens.dump"), "-o", out("summary.csv"))

summary = np.genfromtxt(out("summary.csv"), delimiter=",", names=True)
steps_s = summary["timestep"]
split = a.split if a.split is not None else int(steps_s[change_point(summary["csp"])])
print(f"phase boundary (elastic -> plastic): timestep {split}")

for phase, frames_arg, thr in (("elastic", None, a.elastic_threshold), ("plastic", None, a.plastic_threshold)):
    tessera("events", out("lens.dump"), "--column", "lens", "--threshold", str(thr), "--link", str(a.link),
            "--split", str(split), "-o", out(f"events_{phase}_all.csv"))
events = {}
for phase in ("elastic", "plastic"):
    ev = np.genfromtxt(out(f"events_{phase}_all.csv"), delimiter=",", names=True, ndmin=1)
    keep = ev["timestep"] < split if phase == "elastic" else ev["timestep"] >= split
    events[phase] = ev[keep]

# Per-atom series for the delay histogram and the scatter.
steps, cols = read_dump(out("lens.dump"), ["lens", "csp"])
t_ps = steps * a.timestep_ps
dt_ps = (steps[1] - steps[0]) * a.timestep_ps if len(steps) > 1 else 0.0
lens, csp = cols["lens"], cols["csp"]  # shape (frames, atoms)
lens_n = (lens - lens.min()) / max(lens.max() - lens.min(), 1e-300)
csp_n = (csp - csp.min()) / max(csp.max() - csp.min(), 1e-300)
# LENS(t-Δt, t) is reported at t; shift it back by Δt/2 to align with CSP (paper, Fig. 2e).
t_lens = t_ps - dt_ps / 2
delays = t_ps[np.argmax(csp, axis=0)] - t_lens[np.argmax(lens, axis=0)]

fig, ax = plt.subplots(2, 2, figsize=(11, 8))
ax[0, 0].plot(t_lens, summary["lens"], color="tab:blue", label="Σ LENS")
ax[0, 0].set_xlabel("time (ps)")
ax[0, 0].set_ylabel("summed LENS", color="tab:blue")
tw = ax[0, 0].twinx()
tw.plot(steps_s * a.timestep_ps, summary["csp"], color="tab:red", label="Σ CSP")
tw.set_ylabel("summed CSP (Å²)", color="tab:red")
ax[0, 0].axvspan(t_ps[0], split * a.timestep_ps, color="gold", alpha=0.2, label="elastic")
ax[0, 0].set_title("(a) summed LENS and CSP")
bins = np.arange(1, 12) - 0.5
for phase, color in (("elastic", "gold"), ("plastic", "tab:blue")):
    sizes = np.minimum(events[phase]["size"], 10) if len(events[phase]) else np.array([])
    ax[0, 1].hist(sizes, bins=bins, alpha=0.6, color=color, density=True,
                  label=f"{phase} ({len(sizes)} events, max {int(events[phase]['size'].max()) if len(sizes) else 0})")
ax[0, 1].set_xticks(range(1, 11), [str(k) for k in range(1, 10)] + ["≥10"])
ax[0, 1].set_xlabel("event size (atoms)")
ax[0, 1].set_ylabel("fraction of events")
ax[0, 1].legend()
ax[0, 1].set_title("(b) LENS event sizes")
ax[1, 0].hist(delays, bins=30, color="tab:purple")
ax[1, 0].set_xlabel("t(CSP max) − t(LENS max) (ps)")
ax[1, 0].set_ylabel("atoms")
ax[1, 0].set_title("(c) LENS→CSP peak delay")
ax[1, 1].hist2d(csp_n.ravel(), lens_n.ravel(), bins=80, cmap="viridis", norm=matplotlib.colors.LogNorm())
ax[1, 1].axvline(0.4, color="red", ls="--")
ax[1, 1].axhline(0.4, color="blue", ls="--")
ax[1, 1].set_xlabel("normalised CSP")
ax[1, 1].set_ylabel("normalised LENS")
ax[1, 1].set_title("(d) LENS vs CSP, all atoms and frames")
fig.tight_layout()
fig.savefig(out("seed000.png"), dpi=110)

def size_stats(ev):
    if len(ev) == 0:
        return "no events"
    s = ev["size"]
    return f"{len(s)} events, {np.mean(s == 1):.0%} single atoms, largest {int(s.max())}, ≥10 atoms: {int(np.sum(s >= 10))}"

print(f"elastic phase (before {split}): {size_stats(events['elastic'])}")
print(f"plastic phase (from {split}):   {size_stats(events['plastic'])}")
print(f"figure: {out('seed000.png')}")
