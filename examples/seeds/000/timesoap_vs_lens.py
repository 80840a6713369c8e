#!/usr/bin/python3
"""LENS beside TimeSOAP on the seed-000 Cu tension trajectory (docs/seeds/000.md): the two
descriptors of local-environment change that seed 000 and dynsight put side by side.

usage: timesoap_vs_lens.py TESSERA_EXE TRAJECTORY OUTDIR [--lens-cutoff 3.1] [--soap-cutoff 4.0]
         [--soap-sigma 0.5] [--nmax 6] [--lmax 6]

Steps (each a tessera command; Python only reads their outputs and draws):
  1. tessera lens TRAJ -o lens.dump --cutoff RC_LENS           LENS between consecutive frames
  2. tessera timesoap lens.dump -o both.dump --cutoff RC_SOAP   TimeSOAP of the same frame pairs
                                                                (frame 1's partner is frame 0 of lens.dump:
                                                                 both.dump starts one frame later)
  3. tessera summary both.dump -o summary.csv --columns lens,timesoap --stats mean,max
  4. tessera delays both.dump -o delays.csv --from lens --to timesoap   per-atom peak times
Prints and writes OUTDIR/timesoap_vs_lens.json: the Pearson correlation of the per-frame means,
of the per-atom values (all frames), the frames of the five largest peaks of each mean signal
and how many coincide (within one frame), and the median per-atom peak delay; draws
OUTDIR/timesoap_vs_lens.png.
"""
import argparse
import json
import os
import subprocess

import numpy as np
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("tessera")
p.add_argument("trajectory")
p.add_argument("outdir")
p.add_argument("--lens-cutoff", type=float, default=3.1)
p.add_argument("--soap-cutoff", type=float, default=4.0)
p.add_argument("--soap-sigma", type=float, default=0.5)
p.add_argument("--nmax", type=int, default=6)
p.add_argument("--lmax", type=int, default=6)
p.add_argument("--timestep-ps", type=float, default=0.002)
a = p.parse_args()
os.makedirs(a.outdir, exist_ok=True)
out = lambda name: os.path.join(a.outdir, name)  # noqa: E731


def tessera(*args):
    print("$ tessera " + " ".join(map(str, args)), flush=True)
    subprocess.run([a.tessera, *map(str, args)], check=True)


tessera("lens", a.trajectory, "-o", out("lens.dump"), "--cutoff", a.lens_cutoff)
tessera("timesoap", out("lens.dump"), "-o", out("both.dump"), "--cutoff", a.soap_cutoff, "--soap-sigma", a.soap_sigma,
        "--soap-nmax", a.nmax, "--soap-lmax", a.lmax)
tessera("summary", out("both.dump"), "-o", out("summary.csv"), "--columns", "lens,timesoap", "--stats", "mean,max")
tessera("delays", out("both.dump"), "-o", out("delays.csv"), "--from", "lens", "--to", "timesoap")

s = np.genfromtxt(out("summary.csv"), delimiter=",", names=True)
t_ps = s["timestep"] * a.timestep_ps
lens_m, ts_m = s["lens_mean"], s["timesoap_mean"]


def peaks(x, k=5):
    """Frames of the k largest strict local maxima (interior frames)."""
    idx = [i for i in range(1, len(x) - 1) if x[i] > x[i - 1] and x[i] >= x[i + 1]]
    return sorted(sorted(idx, key=lambda i: -x[i])[:k])


pl, pt = peaks(lens_m), peaks(ts_m)
coincide = sum(any(abs(i - j) <= 1 for j in pt) for i in pl)
# per-atom values of every frame
vals = {"lens": [], "timesoap": []}
with open(out("both.dump")) as f:
    while f.readline():
        for _ in range(2):
            f.readline()
        n = int(f.readline())
        for _ in range(4):
            f.readline()
        cols = f.readline().split()[2:]
        rows = np.array([f.readline().split() for _ in range(n)], dtype=float)
        for c in vals:
            vals[c].append(rows[:, cols.index(c)])
L, T = np.concatenate(vals["lens"]), np.concatenate(vals["timesoap"])
d = np.genfromtxt(out("delays.csv"), delimiter=",", names=True)
result = {
    "frames": int(len(t_ps)),
    "pearson_mean_signals": float(np.corrcoef(lens_m, ts_m)[0, 1]),
    "pearson_per_atom": float(np.corrcoef(L, T)[0, 1]),
    "lens_peak_frames": [int(s["timestep"][i]) for i in pl],
    "timesoap_peak_frames": [int(s["timestep"][i]) for i in pt],
    "peaks_coinciding_within_one_frame": int(coincide),
    "median_peak_delay_timesteps": float(np.median(d["delay"])),
    "params": {"lens_cutoff": a.lens_cutoff, "soap_cutoff": a.soap_cutoff, "soap_sigma": a.soap_sigma,
               "n_max": a.nmax, "l_max": a.lmax},
}
json.dump(result, open(out("timesoap_vs_lens.json"), "w"), indent=1)
print(json.dumps(result, indent=1))

fig, ax = plt.subplots(1, 3, figsize=(15, 4.2))
ax[0].plot(t_ps, lens_m / lens_m.max(), label=f"mean LENS (r_c = {a.lens_cutoff} Å), / max")
ax[0].plot(t_ps, ts_m / ts_m.max(), label=f"mean TimeSOAP (r_cut = {a.soap_cutoff} Å, σ = {a.soap_sigma} Å), / max")
ax[0].plot(t_ps[pl], lens_m[pl] / lens_m.max(), "v", color="C0", label="5 largest LENS peaks")
ax[0].plot(t_ps[pt], ts_m[pt] / ts_m.max(), "^", color="C1", label="5 largest TimeSOAP peaks")
ax[0].set_xlabel("time (ps)")
ax[0].set_ylabel("per-frame mean, normalised")
ax[0].set_title(f"Cu under tension: ρ(mean LENS, mean TimeSOAP) = {result['pearson_mean_signals']:.2f}")
ax[0].legend(fontsize=7)
h = ax[1].hist2d(L, T, bins=[40, 60], cmap="viridis", norm=matplotlib.colors.LogNorm())
fig.colorbar(h[3], ax=ax[1], label="atom-frames")
ax[1].set_xlabel("LENS δ_i (per atom and frame)")
ax[1].set_ylabel("TimeSOAP d_i")
ax[1].set_title(f"per atom: Pearson ρ = {result['pearson_per_atom']:.2f}")
dl = d["delay"] * a.timestep_ps
ax[2].hist(dl, bins=41, color="C2")
ax[2].axvline(np.median(dl), color="k", ls="--", label=f"median {np.median(dl):.2f} ps")
ax[2].set_xlabel("t(TimeSOAP peak) − t(LENS peak) per atom (ps)")
ax[2].set_ylabel("atoms")
ax[2].set_title("per-atom peak delay (tessera delays)")
ax[2].legend()
fig.tight_layout()
fig.savefig(out("timesoap_vs_lens.png"), dpi=110)
print("figure:", out("timesoap_vs_lens.png"))
