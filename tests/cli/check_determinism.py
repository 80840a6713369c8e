#!/usr/bin/python3
"""Determinism of the `tessera` command on real LAMMPS trajectories (issue 22, "Determinism";
docs/reliability.md): every descriptor of `compute`, and `lens`, `d2min`, `msd`, give

  - byte-identical files for 1, 2 and 3 threads (the design promises it: chunked loops whose
    results are concatenated in chunk order, core/execution.hpp);
  - the same per-id results when the atoms of every frame are listed in another (different per
    frame) order: integer-valued columns exactly, real-valued ones to rounding (a neighbour sum
    taken in another order) — |a - b| <= 1e-10 |a| + 1e-12 s, s the column's largest magnitude;
  - the same results, to the same rounding bound, when the whole system (atoms and box) is
    translated, or when atoms are re-imaged (moved by a box vector, image flags adjusted):
    both change only the last bits of the relative positions.

(SSE2 vs AVX2 vs AVX-512 builds: cli.simd_dispatch. Degenerate inputs: cli.degenerate.)

Usage: check_determinism.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checks, run  # noqa: E402

exe, ref, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
check = Checks()
W = lambda name: os.path.join(work, name)  # noqa: E731
REL, ABS = 1e-10, 1e-12  # the rounding bound above


def read_frames(path):
    """[(header lines up to ITEM: ATOMS, column names, rows as lists of strings)] of a dump."""
    with open(path) as f:
        lines = f.read().splitlines()
    frames, i = [], 0
    while i < len(lines):
        n = int(lines[i + 3])
        head = lines[i:i + 8]
        names = lines[i + 8].split()[2:]
        frames.append((head, names, [lines[i + 9 + k].split() for k in range(n)]))
        i += 9 + n
    return frames


def write_frames(path, frames):
    with open(path, "w") as f:
        for head, names, rows in frames:
            f.write("\n".join(head) + "\nITEM: ATOMS " + " ".join(names) + "\n")
            f.write("".join(" ".join(r) + "\n" for r in rows))


def box_of(head):
    """(lo, hi, tilts) of a header: LAMMPS bounds (with xy xz yz for triclinic)."""
    b = [list(map(float, head[5 + d].split())) for d in range(3)]
    return b


def shuffled(frames, seed):
    rng = random.Random(seed)
    out = []
    for head, names, rows in frames:
        rows = list(rows)
        rng.shuffle(rows)
        out.append((head, names, rows))
    return out


def translated(frames, shift):
    out = []
    for head, names, rows in frames:
        head = list(head)
        for d in range(3):
            v = head[5 + d].split()
            v[0], v[1] = repr(float(v[0]) + shift[d]), repr(float(v[1]) + shift[d])
            head[5 + d] = " ".join(v)
        cols = [names.index(c) for c in ("x", "y", "z")]
        new = []
        for r in rows:
            r = list(r)
            for d, c in enumerate(cols):
                r[c] = repr(float(r[c]) + shift[d])
            new.append(r)
        out.append((head, names, new))
    return out


def reimaged(frames, seed):
    """Every other atom moved by +/- one box vector along a random axis, its image flag adjusted."""
    rng = random.Random(seed)
    out = []
    for head, names, rows in frames:
        b = box_of(head)
        tri = "xy" in head[4]
        # LAMMPS bounds -> lo, L, tilts (xlo_bound etc. for triclinic)
        xy, xz, yz = (b[0][2], b[1][2], b[2][2]) if tri else (0.0, 0.0, 0.0)
        xlo = b[0][0] - min(0.0, xy, xz, xy + xz)
        xhi = b[0][1] - max(0.0, xy, xz, xy + xz)
        ylo, yhi = b[1][0] - min(0.0, yz), b[1][1] - max(0.0, yz)
        vecs = [(xhi - xlo, 0.0, 0.0), (xy, yhi - ylo, 0.0), (xz, yz, b[2][1] - b[2][0])]
        cx = [names.index(c) for c in ("x", "y", "z")]
        ci = [names.index(c) if c in names else None for c in ("ix", "iy", "iz")]
        new = []
        for k, r in enumerate(rows):
            r = list(r)
            if k % 2 == 0:
                axis, sign = rng.randrange(3), rng.choice((-1, 1))
                for d in range(3):
                    r[cx[d]] = repr(float(r[cx[d]]) + sign * vecs[axis][d])
                if ci[axis] is not None:
                    r[ci[axis]] = str(int(r[ci[axis]]) - sign)
            new.append(r)
        out.append((head, names, new))
    return out


def table(path):
    """Per frame: (names, {id: row of floats})."""
    out = []
    for _, names, rows in read_frames(path):
        k = names.index("id")
        out.append((names, {int(r[k]): np.array([float(v) for v in r]) for r in rows}))
    return out


def compare(tag, a_path, b_path, skip=("x", "y", "z", "ix", "iy", "iz")):
    a, b = table(a_path), table(b_path)
    if not check(len(a) == len(b), f"{tag}: same number of frames ({len(a)}, {len(b)})"):
        return
    worst, bad = 0.0, []
    for (names, ra), (names_b, rb) in zip(a, b):
        if names != names_b or ra.keys() != rb.keys():
            bad.append("columns or ids differ")
            continue
        ids = sorted(ra)
        A = np.array([ra[i] for i in ids])
        B = np.array([rb[i] for i in ids])
        for c, name in enumerate(names):
            if name in skip:
                continue
            x, y = A[:, c], B[:, c]
            both_nan = np.isnan(x) & np.isnan(y)
            scale = np.nanmax(np.abs(x)) if np.any(np.isfinite(x)) else 0.0
            integral = np.all((x == np.round(x)) | np.isnan(x))
            if integral:
                ok = np.all((x == y) | both_nan)
            else:
                ok = np.all((np.abs(x - y) <= REL * np.abs(x) + ABS * scale) | both_nan)
                d = np.abs(x - y)[~both_nan]
                if d.size and scale > 0:
                    worst = max(worst, float(np.max(d / (np.abs(x[~both_nan]) + scale * 1e-6))))
            if not ok:
                bad.append(name)
    check(not bad, f"{tag}: equal per id (worst relative difference {worst:.2g}){'; differ: ' + ','.join(sorted(set(bad))) if bad else ''}")


cases = {
    "cuzr": ("cuzr_glass.dump",
             [["compute", "--coord-pairs", "1-1:3.05,1-2:3.75,2-2:4.35", "--steinhardt", "4,6", "--average",
               "--wlhat", "--csp", "12", "--acna", "--cna", "3.6", "--sro", "pairs", "--entropy", "0.2",
               "--entropy-cutoff", "5.0", "--symmetry-functions", "1.5:7.5:0.5", "--sf-width", "1.0"],
              ["compute", "--voronoi", "--radii", "1:1.28,2:1.6", "--interstice", "--steinhardt", "6",
               "--steinhardt-voronoi"],
              ["lens", "--cutoff", "3.6"],
              ["d2min", "--cutoff", "4.0"],
              ["compute", "--soap", "4.0", "--soap-nmax", "4", "--soap-lmax", "4", "--soap-sigma", "0.5"],
              ["timesoap", "--cutoff", "4.0", "--soap-nmax", "3", "--soap-lmax", "3", "--soap-sigma", "0.5"],
              ["compute", "--ptm", "0", "--ptm-ordering"]]),
    "cu_tilted": ("cu_tilted.dump",
                  [["compute", "--csp", "12", "--cna", "3.086", "--acna", "--steinhardt", "4,6", "--wl", "--coord",
                    "3.0", "--solid-bonds", "--voronoi"],
                   ["lens", "--cutoff", "3.1"],
                   ["d2min", "--cutoff", "4.0", "--reference", "previous"],
                   ["compute", "--soap", "4.5", "--soap-nmax", "4", "--soap-lmax", "6", "--soap-sigma", "0.5",
                    "--soap-weighting", "poly"],
                   ["compute", "--ptm"]]),
}
for name, (src, commands) in cases.items():
    frames = read_frames(os.path.join(ref, src))
    variants = {
        "shuffled": shuffled(frames, 3),
        "translated": translated(frames, (17.25, -4.125, 9.7)),
        "re-imaged": reimaged(frames, 5),
    }
    write_frames(W(f"{name}.dump"), frames)
    for v, fr in variants.items():
        write_frames(W(f"{name}_{v}.dump"), fr)
    for k, args in enumerate(commands):
        label = f"{name}: {' '.join(args)}"
        outs = []
        for threads in (1, 2, 3):
            out = W(f"{name}_{k}_t{threads}.dump")
            r = run(exe, args[0], W(f"{name}.dump"), "-o", out, "--threads", threads, *args[1:])
            check(r.returncode == 0, f"{label} --threads {threads}: exit 0 ({r.stderr.strip()[-160:]})")
            outs.append(open(out).read() if r.returncode == 0 else None)
        check(outs[0] is not None and outs[0] == outs[1] == outs[2], f"{label}: 1, 2, 3 threads byte-identical")
        for v in variants:
            out = W(f"{name}_{k}_{v}.dump")
            r = run(exe, args[0], W(f"{name}_{v}.dump"), "-o", out, *args[1:])
            if check(r.returncode == 0, f"{label} on {v} atoms: exit 0 ({r.stderr.strip()[-160:]})"):
                compare(f"{label}, {v}", W(f"{name}_{k}_t1.dump"), out)

# msd: one row per frame; atom order, translation and re-imaging must not change it beyond rounding
for name, src in (("cuzr", "cuzr_glass.dump"), ("cu_tilted", "cu_tilted.dump")):
    base = run(exe, "msd", W(f"{name}.dump"), "-o", "-")
    rows0 = np.loadtxt(base.stdout.splitlines()[1:], delimiter=",", ndmin=2)
    for v in ("shuffled", "translated", "re-imaged"):
        r = run(exe, "msd", W(f"{name}_{v}.dump"), "-o", "-")
        rows = np.loadtxt(r.stdout.splitlines()[1:], delimiter=",", ndmin=2)
        ok = rows.shape == rows0.shape and np.allclose(rows, rows0, rtol=REL, atol=ABS * np.max(np.abs(rows0)))
        check(r.returncode == 0 and ok, f"{name}: msd on {v} atoms equals the original")

check.finish()
