#!/usr/bin/python3
"""End-to-end test of `tessera d2min`, `tessera msd`, `tessera isf` and `tessera bonds`.

* d2min: the committed NumPy/SciPy reference (tests/reference/d2min/d2min_ref.txt, written by
  d2min_numpy.py by another route: image-flag unwrapping, lstsq, scipy polar) for --reference
  first and previous; --reference lag:2 against previous-of-previous structure (frame count) and
  --unnormalized = n × normalised.
* msd: LAMMPS `compute msd` (tests/reference/msd/cuzr_liquid_msd.txt) per frame, all and per
  type; --origins against a NumPy double loop over origins.
* isf: NumPy direct sum over q-vectors enumerated here from the reciprocal lattice.
* bonds: an O(N²) NumPy pair comparison (same pair and image, seed 001's rule).
Usage: check_glass_dynamics.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
import os
import subprocess
import sys

import numpy as np

exe, ref, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(*args):
    r = subprocess.run([exe, *args], capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stderr)
    check(r.returncode == 0, "tessera " + " ".join(os.path.basename(a) for a in args))
    return r


def read_dump(path):
    frames = []
    with open(path) as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        step, n = int(lines[i + 1]), int(lines[i + 3])
        b = np.array([[float(v) for v in lines[i + 5 + k].split()] for k in range(3)])
        names = lines[i + 8].split()[2:]
        data = np.array([[float(v) for v in lines[i + 9 + k].split()] for k in range(n)])
        frames.append(dict(step=step, bounds=b, cols={nm: data[:, q] for q, nm in enumerate(names)}))
        i += 9 + n
    return frames


def read_numpy_ref(path):
    blocks, cur = {}, None
    for line in open(path):
        if line.startswith("# ref"):
            w = line.split()
            cur = blocks.setdefault((int(w[2]), int(w[4])), {})
        else:
            v = line.split()
            cur[int(v[0])] = [float(x) for x in v[1:]]
    return blocks


def close(a, b, rel, floor):
    return np.all(np.abs(a - b) <= rel * np.abs(b) + floor)


# ---- d2min ---------------------------------------------------------------------------------
aqs = os.path.join(ref, "d2min", "cuzr_aqs.dump")
blocks = read_numpy_ref(os.path.join(ref, "d2min", "d2min_ref.txt"))
for mode, pairs in (("first", [(0, t) for t in range(1, 6)]), ("previous", [(t - 1, t) for t in range(1, 6)])):
    out = os.path.join(work, f"d2min_{mode}.dump")
    run("d2min", aqs, "-o", out, "--cutoff", "4.0", "--reference", mode)
    frames = read_dump(out)
    check(len(frames) == 5, f"d2min --reference {mode}: 5 frames written")
    for fr, (a, b) in zip(frames, pairs):
        c = fr["cols"]
        rows = blocks[(a, b)] if (a, b) in blocks else blocks[(0, 1)]
        r = np.array([rows[int(i)] for i in c["id"]])
        ok = (close(c["d2min"], r[:, 1], 1e-9, 1e-12) and close(c["shear_strain"], r[:, 2], 1e-9, 1e-13) and
              close(c["volumetric_strain"], r[:, 3], 1e-9, 1e-13) and close(c["rotation"], r[:, 4], 1e-9, 1e-13) and
              np.all(c["strain_valid"] == 1))
        check(ok, f"d2min --reference {mode}: frame {b} vs {a} matches NumPy (1e-9 rel)")
out_u = os.path.join(work, "d2min_unnorm.dump")
run("d2min", aqs, "-o", out_u, "--cutoff", "4.0", "--unnormalized")
fu, ff = read_dump(out_u), read_dump(os.path.join(work, "d2min_first.dump"))
r01 = blocks[(0, 1)]
n01 = np.array([r01[int(i)][0] for i in fu[0]["cols"]["id"]])
check(close(fu[0]["cols"]["d2min"], n01 * ff[0]["cols"]["d2min"], 1e-12, 1e-15), "d2min --unnormalized = n × normalised")
out_l = os.path.join(work, "d2min_lag2.dump")
run("d2min", aqs, "-o", out_l, "--cutoff", "4.0", "--reference", "lag:2")
fl = read_dump(out_l)
check([f["step"] for f in fl] == [2, 3, 4, 5], "d2min --reference lag:2 writes timesteps 2..5")
check(close(fl[0]["cols"]["d2min"], np.array([blocks[(0, 2)][int(i)][1] for i in fl[0]["cols"]["id"]]), 1e-9, 1e-12),
      "d2min --reference lag:2: frame 2 vs 0 matches NumPy")
bad = subprocess.run([exe, "d2min", aqs, "-o", os.path.join(work, "x.dump"), "--cutoff", "4", "--reference", "lag:0"],
                     capture_output=True, text=True)
check(bad.returncode == 1 and "lag:K" in bad.stderr, "d2min --reference lag:0 is a clear error")

# ---- msd -----------------------------------------------------------------------------------
liq = os.path.join(ref, "msd", "cuzr_liquid.dump")
lmp = np.loadtxt(os.path.join(ref, "msd", "cuzr_liquid_msd.txt"))
out = os.path.join(work, "msd.csv")
run("msd", liq, "-o", out)
m = np.genfromtxt(out, delimiter=",", names=True)
check(list(m.dtype.names) == ["timestep", "msd", "alpha2", "msd_1", "msd_2"], "msd header timestep,msd,alpha2,msd_1,msd_2")
check(np.array_equal(m["timestep"], lmp[:, 0]), "msd timesteps = LAMMPS")
for col, k in (("msd", 1), ("msd_1", 2), ("msd_2", 3)):
    check(close(m[col], lmp[:, k], 1e-10, 1e-20), f"msd column {col} = LAMMPS compute msd (1e-10 rel)")
# NumPy: unwrapped positions from image flags, sorted by id
frames = read_dump(liq)


def unwrapped(fr):
    c, b = fr["cols"], fr["bounds"]
    L = b[:, 1] - b[:, 0]
    o = np.argsort(c["id"])
    return np.stack([c["x"] + c["ix"] * L[0], c["y"] + c["iy"] * L[1], c["z"] + c["iz"] * L[2]], 1)[o]


U = np.array([unwrapped(f) for f in frames])
d2 = np.sum((U - U[0]) ** 2, axis=2)
a2 = np.where(d2.mean(1) > 0, 3 * (d2 ** 2).mean(1) / (5 * d2.mean(1) ** 2 + 1e-300) - 1, 0)
check(close(m["alpha2"][1:], a2[1:], 1e-9, 1e-12), "msd alpha2 = NumPy 3<r^4>/(5<r^2>^2) - 1")
out = os.path.join(work, "msd_origins.csv")
run("msd", liq, "-o", out, "--origins", "--max-lag", "6", "--origin-stride", "2")
mo = np.genfromtxt(out, delimiter=",", names=True)
want = [np.mean([np.sum((U[t0 + l] - U[t0]) ** 2, 1).mean() for t0 in range(0, len(U) - l, 2)]) for l in range(7)]
check(np.array_equal(mo["timestep"], 100 * np.arange(7)), "msd --origins rows are lags 0..6 in timesteps")
check(close(mo["msd"], np.array(want), 1e-12, 1e-20), "msd --origins = NumPy average over origins (stride 2)")

# ---- isf -----------------------------------------------------------------------------------
out = os.path.join(work, "fs.csv")
r = run("isf", liq, "-q", "2.7", "--dq", "0.2", "-o", out)
fs = np.genfromtxt(out, delimiter=",", names=True)
L = frames[0]["bounds"][0, 1] - frames[0]["bounds"][0, 0]
n = np.arange(-12, 13)
g = np.stack(np.meshgrid(n, n, n, indexing="ij"), -1).reshape(-1, 3) * (2 * np.pi / L)
qn = np.linalg.norm(g, axis=1)
Q = g[(np.abs(qn - 2.7) <= 0.1) & (qn > 0)]
check(f"{len(Q)} q-vectors" in r.stderr, f"isf uses the {len(Q)} commensurate q-vectors in the shell")
want = np.array([np.cos((U[t] - U[0]) @ Q.T).mean() for t in range(len(U))])
check(close(fs["fs"], want, 1e-10, 1e-13), "isf F_s = NumPy direct sum over q-vectors")
k = np.argmax(want <= np.exp(-1))
tau = fs["timestep"][k - 1] + (np.exp(-1) - want[k - 1]) * 100 / (want[k] - want[k - 1])
check(f"tau_alpha = {tau:.10g}" in r.stderr, f"isf prints tau_alpha = {tau:.10g}")

# --select: msd and isf of a subset chosen in the first frame (x < 10: atoms then leave that region, so
# the set must be followed by id, not re-evaluated), against NumPy on the same atoms; type==1 must give
# the msd_1 column of the full run.
ids0 = np.sort(frames[0]["cols"]["id"])
x0 = frames[0]["cols"]["x"][np.argsort(frames[0]["cols"]["id"])]
sub = x0 < 10
out = os.path.join(work, "msd_select.csv")
r = run("msd", liq, "-o", out, "--select", "x < 10")
ms = np.genfromtxt(out, delimiter=",", names=True)
check(r.returncode == 0 and close(ms["msd"], d2[:, sub].mean(1), 1e-12, 1e-20),
      f"msd --select 'x < 10' ({sub.sum()} atoms chosen in frame 0, followed by id) = NumPy on those atoms")
run("msd", liq, "-o", out, "--select", "type == 1")
check(close(np.genfromtxt(out, delimiter=",", names=True)["msd"], m["msd_1"], 1e-12, 1e-20),
      "msd --select 'type == 1' = the msd_1 column of the full run")
out = os.path.join(work, "fs_select.csv")
r = run("isf", liq, "-q", "2.7", "--dq", "0.2", "-o", out, "--select", "x < 10")
want_s = np.array([np.cos((U[t][sub] - U[0][sub]) @ Q.T).mean() for t in range(len(U))])
check(r.returncode == 0 and close(np.genfromtxt(out, delimiter=",", names=True)["fs"], want_s, 1e-10, 1e-13),
      "isf --select 'x < 10' = NumPy direct sum over those atoms")
r = subprocess.run([exe, "msd", liq, "-o", out, "--select", "x < -1000"], capture_output=True, text=True)
check(r.returncode != 0 and "selects no atom" in r.stderr, f"msd --select of no atom is an error ({r.stderr.strip()[:90]})")

# --- bonds: first-shell bonds broken / formed since the first frame (seed 001 rule), against an
# O(N²) NumPy pair comparison: pair (i, j) and its image n fixed in the reference frame (nearest
# image there), followed to frame t through the unwrapped (image-flag) positions.
def cell(fr):
    b = fr["bounds"]
    xy, xz, yz = b[0, 2], b[1, 2], b[2, 2]
    xlo = b[0, 0] - min(0, xy, xz, xy + xz); xhi = b[0, 1] - max(0, xy, xz, xy + xz)
    ylo = b[1, 0] - min(0, yz); yhi = b[1, 1] - max(0, yz)
    return np.array([[xhi - xlo, xy, xz], [0, yhi - ylo, yz], [0, 0, b[2, 1] - b[2, 0]]])


def unwrapped_tri(fr):
    c = fr["cols"]
    h = cell(fr)
    o = np.argsort(c["id"])
    x = np.stack([c["x"], c["y"], c["z"]], 1) + np.stack([c["ix"], c["iy"], c["iz"]], 1) @ h.T
    return x[o], c["type"][o].astype(int), c["id"][o].astype(int)


pairs_rc = {(1, 1): 3.05, (1, 2): 3.75, (2, 1): 3.75, (2, 2): 4.35}
aqs = os.path.join(ref, "d2min", "cuzr_aqs.dump")
out_b = os.path.join(work, "bonds.dump")
run("bonds", aqs, "-o", out_b, "--pairs", "1-1:3.05,1-2:3.75,2-2:4.35", "--hysteresis", "0.075")
fr_all = read_dump(aqs)
got = read_dump(out_b)
check(len(got) == len(fr_all) - 1, f"bonds: every frame after the first ({len(got)})")
xa, ta, ida = unwrapped_tri(fr_all[0])
ha = cell(fr_all[0])
dA = xa[None, :, :] - xa[:, None, :]
nA = np.round(dA @ np.linalg.inv(ha).T)
rA = np.linalg.norm(dA - nA @ ha.T, axis=-1)
rc = np.vectorize(lambda a, b: pairs_rc[(a, b)])(ta[:, None], ta[None, :])
np.fill_diagonal(rA, 1e9)  # no self bonds
for k, g in enumerate(got):
    xb, _, _ = unwrapped_tri(fr_all[k + 1])
    hb = cell(fr_all[k + 1])
    rB = np.linalg.norm(xb[None, :, :] - xb[:, None, :] - nA @ hb.T, axis=-1)
    np.fill_diagonal(rB, 1e9)
    broken = ((rA < rc) & (rB >= rc) & (rB - rA > 0.075)).sum(1)
    formed = ((rA >= rc) & (rB < rc) & (rA - rB > 0.075)).sum(1)
    o = np.argsort(g["cols"]["id"])
    same = np.array_equal(g["cols"]["bonds_broken"][o], broken) and np.array_equal(g["cols"]["bonds_formed"][o], formed)
    check(same, f"bonds step {g['step']}: broken {int(broken.sum())}, formed {int(formed.sum())} == NumPy pair comparison")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
