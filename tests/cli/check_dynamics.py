#!/usr/bin/python3
"""End-to-end test of `tessera lens`, `tessera summary` and `tessera events` on the LAMMPS
reference frames (tilted-box Cu through yield), against NumPy written from the definitions:
LENS from id sets (the dynsight algorithm: neighbour ids per atom, set algebra), per-frame sums,
and events from a flood fill over thresholded atoms with explicit periodic images.
Usage: check_dynamics.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
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


def read_dump(path):
    frames = []
    with open(path) as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        step, n = int(lines[i + 1]), int(lines[i + 3])
        flags = lines[i + 4].split()
        b = np.array([[float(v) for v in lines[i + 5 + k].split()] for k in range(3)])
        names = lines[i + 8].split()[2:]
        data = np.array([[float(v) for v in lines[i + 9 + k].split()] for k in range(n)])
        frames.append(dict(step=step, flags=flags, bounds=b, names=names, data=data))
        i += 9 + n
    return frames


def cell(fr):
    b = fr["bounds"]
    if b.shape[1] == 3:  # triclinic bounding box -> lo, hi, tilts (LAMMPS Howto triclinic)
        xy, xz, yz = b[0, 2], b[1, 2], b[2, 2]
        xlo = b[0, 0] - min(0, xy, xz, xy + xz); xhi = b[0, 1] - max(0, xy, xz, xy + xz)
        ylo = b[1, 0] - min(0, yz); yhi = b[1, 1] - max(0, yz)
        zlo, zhi = b[2, 0], b[2, 1]
    else:
        xy = xz = yz = 0.0
        (xlo, xhi), (ylo, yhi), (zlo, zhi) = b
    return np.array([[xhi - xlo, xy, xz], [0, yhi - ylo, yz], [0, 0, zhi - zlo]])


def col(fr, name):
    return fr["data"][:, fr["names"].index(name)]


def pair_vectors(fr):
    """All separations r_j - r_i reduced to fractional [-1/2, 1/2], plus the 27 neighbouring images."""
    h = cell(fr)
    x = np.stack([col(fr, c) for c in "xyz"], axis=1)
    d = x[None, :, :] - x[:, None, :]
    s = d @ np.linalg.inv(h).T
    s -= np.round(s)
    return s, h


def neighbour_ids(fr, rc):
    s, h = pair_vectors(fr)
    ids = col(fr, "id").astype(int)
    n = len(ids)
    within = np.zeros((n, n), dtype=bool)
    for a in (-1, 0, 1):
        for b in (-1, 0, 1):
            for c in (-1, 0, 1):
                r = (s + np.array([a, b, c])) @ h.T
                within |= (r ** 2).sum(-1) < rc * rc
    np.fill_diagonal(within, False)
    return {ids[i]: set(ids[within[i]]) for i in range(n)}


src = os.path.join(ref, "cu_tilted_ref.dump")
frames = read_dump(src)

# --- lens
out = os.path.join(work, "lens.dump")
r = subprocess.run([exe, "lens", src, "-o", out, "--cutoff", "3.1", "--threads", "2"], capture_output=True, text=True)
check(r.returncode == 0, f"tessera lens exits 0 ({r.stderr.strip()})")
got = read_dump(out)
check(len(got) == len(frames) - 1, f"writes all frames but the first ({len(got)})")
for t in range(1, len(frames)):
    a, b = neighbour_ids(frames[t - 1], 3.1), neighbour_ids(frames[t], 3.1)
    g = got[t - 1]
    ids = col(g, "id").astype(int)
    expected = np.array([len(a[i] ^ b[i]) / (len(a[i]) + len(b[i])) if a[i] or b[i] else 0.0 for i in ids])
    check(g["step"] == frames[t]["step"], "LENS of (t-1, t) is written at t")
    check(np.array_equal(col(g, "lens"), expected), f"lens == NumPy set algebra for {len(ids)} atoms (max {expected.max():.3f})")

# --- summary
out_s = os.path.join(work, "summary.csv")
r = subprocess.run([exe, "summary", out, "-o", out_s], capture_output=True, text=True)
check(r.returncode == 0, "tessera summary exits 0")
table = np.genfromtxt(out_s, delimiter=",", names=True)
for k, g in enumerate(got):
    row = table[k] if table.ndim else table
    check(row["timestep"] == g["step"] and abs(row["lens"] - col(g, "lens").sum()) < 1e-9 * max(1, col(g, "lens").sum()),
          f"summary row {k}: timestep and summed lens")

# --- events: threshold the CSP column, link 2.8, against a periodic flood fill
out_e = os.path.join(work, "events.csv")
r = subprocess.run([exe, "events", src, "--column", "c_csp", "--threshold", "2.0", "--link", "2.8", "-o", out_e],
                   capture_output=True, text=True)
check(r.returncode == 0, f"tessera events exits 0 ({r.stderr.strip()})")
ev = np.genfromtxt(out_e, delimiter=",", names=True, ndmin=1)
for fr in frames:
    flagged = col(fr, "c_csp") > 2.0
    s, h = pair_vectors(fr)
    close = np.zeros(s.shape[:2], dtype=bool)
    for a in (-1, 0, 1):
        for b in (-1, 0, 1):
            for c in (-1, 0, 1):
                close |= (((s + np.array([a, b, c])) @ h.T) ** 2).sum(-1) < 2.8 ** 2
    label = -np.ones(len(flagged), dtype=int)
    sizes = []
    for start in np.flatnonzero(flagged):
        if label[start] >= 0:
            continue
        stack, label[start], size = [start], len(sizes), 0
        while stack:
            i = stack.pop()
            size += 1
            for j in np.flatnonzero(close[i] & flagged & (label < 0)):
                label[j] = len(sizes)
                stack.append(j)
        sizes.append(size)
    mine = ev[ev["timestep"] == fr["step"]]
    check(sorted(sizes, reverse=True) == list(mine["size"].astype(int)),
          f"timestep {fr['step']}: {len(sizes)} clusters, sizes equal a periodic flood fill (largest {max(sizes) if sizes else 0})")

print(f"{len(failures)} failed" if failures else "all checks passed")
sys.exit(1 if failures else 0)
