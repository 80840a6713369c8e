#!/usr/bin/python3
"""End-to-end test of `tessera polyhedra` against NumPy on the LAMMPS Cu-Zr glass
(tests/reference/cuzr_glass_ref.dump through `tessera compute --voronoi --coord 3.5`), pooled over
its frames: counts and fractions per Voronoi index <n3,n4,n5,n6>, a subset's propensity
Δf = (f_sub − f)/f × 100 for the top 10 % by Voronoi volume (per frame, ties to the earlier row)
and for coord > 13, d5, and the row order (most frequent in the subset first). Counts exact,
fractions 1e-15.
Usage: check_polyhedra.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
import os
import subprocess
import sys
from collections import Counter

import numpy as np

exe, ref, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(*args):
    return subprocess.run([exe, *args], capture_output=True, text=True)


def read_dump(path):
    with open(path) as f:
        lines = f.read().splitlines()
    frames, i = [], 0
    while i < len(lines):
        n = int(lines[i + 3])
        names = lines[i + 8].split()[2:]
        rows = np.array([[float(x) for x in lines[i + 9 + k].split()] for k in range(n)])
        frames.append((names, rows))
        i += 9 + n
    return frames


vor = os.path.join(work, "voronoi.dump")
r = run("compute", os.path.join(ref, "cuzr_glass_ref.dump"), "-o", vor, "--voronoi", "--coord", "3.5")
check(r.returncode == 0, f"compute --voronoi ({r.stderr.strip()})")
frames = read_dump(vor)
names = frames[0][0]
idx = [names.index(f"voronoi_n{k}") for k in (3, 4, 5, 6)]


def reference(select):
    total, sub = Counter(), Counter()
    n_all = n_sub = 0
    for _, rows in frames:
        mask = select(rows)
        for row, m in zip(rows, mask):
            key = tuple(int(row[c]) for c in idx)
            total[key] += 1
            sub[key] += int(m)
        n_all += len(rows)
        n_sub += int(np.sum(mask))
    out = []
    for key in total:
        f, fs = total[key] / n_all, sub[key] / n_sub if n_sub else 0.0
        out.append((key, total[key], sub[key], f, fs, (fs - f) / f * 100, key[2] / sum(key) if sum(key) else 0.0))
    out.sort(key=lambda t: (-t[2], -t[1], t[0]))
    return out


def top_volume(rows):
    v = rows[:, names.index("voronoi_volume")]
    order = sorted(range(len(v)), key=lambda a: -v[a])  # stable: ties keep row order
    mask = np.zeros(len(v), dtype=bool)
    mask[order[:int(round(0.1 * len(v)))]] = True
    return mask


cases = [("all atoms", [], lambda rows: np.ones(len(rows), dtype=bool)),
         ("top 10 % by volume", ["--subset", "voronoi_volume", "--top", "0.1"], top_volume),
         ("coord > 13", ["--subset", "coord", "--above", "13"], lambda rows: rows[:, names.index("coord")] > 13)]
for what, args, select in cases:
    out = os.path.join(work, "poly.csv")
    r = run("polyhedra", vor, "-o", out, *args)
    check(r.returncode == 0, f"polyhedra, {what} ({r.stderr.strip()})")
    got = np.genfromtxt(out, delimiter=",", names=True)
    want = reference(select)
    check(len(got) == len(want), f"{what}: {len(want)} polyhedron types")
    keys_ok = all(tuple(int(g[k]) for k in ("n3", "n4", "n5", "n6")) == w[0] for g, w in zip(got, want))
    check(keys_ok, f"{what}: types in the same order (most frequent in the subset first)")
    counts_ok = all(g["count"] == w[1] and g["count_subset"] == w[2] for g, w in zip(got, want))
    check(counts_ok, f"{what}: counts exact")
    worst = max(max(abs(g["fraction"] - w[3]), abs(g["fraction_subset"] - w[4]), abs(g["propensity"] - w[5]) / 100,
                    abs(g["d5"] - w[6])) for g, w in zip(got, want))
    check(worst < 1e-13, f"{what}: fractions, propensity, d5 == NumPy (worst {worst:.1e})")
    if what == "top 10 % by volume":
        check(max(abs(w[5]) for w in want) > 10, "the subset's propensities are not trivially 0")

r = run("polyhedra", os.path.join(ref, "cuzr_glass_ref.dump"), "-o", os.path.join(work, "x.csv"))
check(r.returncode == 1 and "no column 'voronoi_n3'" in r.stderr, f"input without Voronoi columns is an error ({r.stderr.strip()[:80]})")
r = run("polyhedra", vor, "-o", os.path.join(work, "x.csv"), "--subset", "coord")
check(r.returncode == 2, "--subset without --top or --above is refused")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all checks passed")
