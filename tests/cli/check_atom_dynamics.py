#!/usr/bin/python3
"""End-to-end test of `tessera atom-msd` and `tessera vmsd` against NumPy on a Cu-Zr liquid made
by LAMMPS (tests/reference/msd/cuzr_liquid.dump: 432 atoms, 21 frames, image flags, atoms in id
order in every frame; this script shuffles a copy to check id matching).

atom-msd: dr2_K = |u_i(K) - u_i(0)|^2 with u = x + image * L (unwrapped by the image flags);
lg_dr2_T_K = log10(max(dr2_K, floor) / T). vmsd: <|minimum image(x_i(t) - x_i(ref))|^2> over
the frames after the reference (or over all selected frames with --reference).
Tolerance: 1e-12 relative (+1e-15 absolute) — the same doubles combined in another order.
Usage: check_atom_dynamics.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
import os
import random
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
    with open(path) as f:
        lines = f.read().splitlines()
    frames, i = [], 0
    while i < len(lines):
        n = int(lines[i + 3])
        box = np.array([[float(v) for v in lines[i + 5 + d].split()[:2]] for d in range(3)])
        names = lines[i + 8].split()[2:]
        rows = np.array([[float(v) for v in lines[i + 9 + k].split()] for k in range(n)])
        frames.append((lines[i:i + 9], names, rows, box))
        i += 9 + n
    return frames


def run(*args):
    return subprocess.run([exe, *args], capture_output=True, text=True)


def close(a, b, rel=1e-12, abs_=1e-15):
    return bool(np.all(np.abs(a - b) <= rel * np.abs(b) + abs_))


src = os.path.join(ref, "msd", "cuzr_liquid.dump")
frames = read_dump(src)
names = frames[0][1]
col = {n: k for k, n in enumerate(names)}
L = frames[0][3][:, 1] - frames[0][3][:, 0]


def unwrapped(fr):
    rows = fr[2][np.argsort(fr[2][:, col["id"]])]
    return rows[:, [col["x"], col["y"], col["z"]]] + rows[:, [col["ix"], col["iy"], col["iz"]]] * L


# a copy with every frame's atoms shuffled: results must follow the ids
shuffled = os.path.join(work, "cuzr_liquid_shuffled.dump")
rng = random.Random(5)
with open(shuffled, "w") as out:
    for header, _, rows, _ in frames:
        out.write("\n".join(header) + "\n")
        order = list(range(len(rows)))
        rng.shuffle(order)
        for k in order:
            out.write(" ".join(repr(v) if c not in ("id", "type", "ix", "iy", "iz") else str(int(v))
                               for c, v in zip(names, rows[k])) + "\n")

u0 = unwrapped(frames[0])
lags, T, floor = [1, 5, 20], 1500.0, 1e-6
out = os.path.join(work, "atom_msd.dump")
r = run("atom-msd", shuffled, "-o", out, "--lags", ",".join(map(str, lags)), "--temperature", str(T))
check(r.returncode == 0, f"atom-msd exits 0 ({r.stderr.strip()})")
(_, onames, orows, _), = read_dump(out)
check(onames == names + [f"dr2_{k}" for k in lags] + [f"lg_dr2_T_{k}" for k in lags],
      f"atom-msd columns: input + dr2_K + lg_dr2_T_K ({onames[len(names):]})")
orows = orows[np.argsort(orows[:, onames.index("id")])]
for k in lags:
    want = np.sum((unwrapped(frames[k]) - u0) ** 2, axis=1)
    got = orows[:, onames.index(f"dr2_{k}")]
    check(close(got, want), f"dr2_{k} == NumPy for all {len(want)} atoms (max rel {np.max(np.abs(got - want) / want):.1e})")
    lg = orows[:, onames.index(f"lg_dr2_T_{k}")]
    check(close(lg, np.log10(np.maximum(want, floor) / T)), f"lg_dr2_T_{k} == log10(max(dr2, 1e-6)/T)")

# --reference-box: frame 5 of the liquid with its cell (and every atom, affinely) stretched by (1.1, 0.95, 1.02)
# about the cell origin. Mapped back to frame 0's cell, the displacements are the unstretched ones (to
# rounding: a few operations on coordinates of ~10 A give ~1e-14 A; 1e-10 relative on dr2 of order 1 A^2);
# without the option the stretch itself shows up.
stretch = np.array([1.1, 0.95, 1.02])
strained = os.path.join(work, "cuzr_liquid_strained.dump")
with open(strained, "w") as fo:
    for k in (0, 5):
        header, _, rows, box = frames[k]
        head = list(header)
        s_k = stretch if k == 5 else np.ones(3)
        lo = box[:, 0]
        for d in range(3):
            head[5 + d] = f"{lo[d]!r} {lo[d] + s_k[d] * (box[d, 1] - box[d, 0])!r}"
        fo.write("\n".join(head) + "\n")
        for row in rows:
            row = row.copy()
            for d, c in enumerate(("x", "y", "z")):
                row[col[c]] = lo[d] + s_k[d] * (row[col[c]] - lo[d])
            fo.write(" ".join(repr(v) if c not in ("id", "type", "ix", "iy", "iz") else str(int(v))
                              for c, v in zip(names, row)) + "\n")
want = np.sum((unwrapped(frames[5]) - u0) ** 2, axis=1)
for flag, expect_equal in (("--reference-box", True), (None, False)):
    args = ["atom-msd", strained, "-o", out, "--lags", "1"] + ([flag] if flag else [])
    r = run(*args)
    (_, onames, orows3, _), = read_dump(out)
    got = orows3[np.argsort(orows3[:, onames.index("id")]), onames.index("dr2_1")]
    same = close(got, want, rel=1e-10, abs_=1e-12)
    check(r.returncode == 0 and same == expect_equal,
          f"atom-msd {flag or '(no --reference-box)'} on a stretched cell: dr2 {'equals' if expect_equal else 'differs from'}"
          f" the unstretched displacements (max rel {np.max(np.abs(got - want) / want):.1e})")

r = run("atom-msd", src, "-o", out, "--lags", "25")
check(r.returncode == 1 and "lag 25 needs 26 selected frames, the selection has 21" in r.stderr,
      f"a lag beyond the trajectory is an error naming it ({r.stderr.strip()})")
r = run("atom-msd", src, "-o", out, "--lags", "2", "--frames", "::5")
(_, onames, orows2, _), = read_dump(out)
want = np.sum((unwrapped(frames[10]) - u0) ** 2, axis=1)
check(close(orows2[np.argsort(orows2[:, onames.index("id")]), onames.index("dr2_2")], want),
      "--frames ::5 --lags 2: lag counted in selected frames (frame 10)")


def wrapped(fr):
    rows = fr[2][np.argsort(fr[2][:, col["id"]])]
    return rows[:, [col["x"], col["y"], col["z"]]]


def vmsd(reference, used):
    acc = np.zeros(len(reference))
    for fr in used:
        d = wrapped(fr) - reference
        d -= L * np.round(d / L)
        acc += np.sum(d * d, axis=1)
    return acc / len(used)


out = os.path.join(work, "vmsd.dump")
r = run("vmsd", shuffled, "-o", out, "--frames", "0:8")
check(r.returncode == 0, f"vmsd exits 0 ({r.stderr.strip()})")
(_, onames, orows, _), = read_dump(out)
got = orows[np.argsort(orows[:, onames.index("id")]), onames.index("vmsd")]
check(onames == names + ["vmsd"], "vmsd columns: the reference's + vmsd")
check(close(got, vmsd(wrapped(frames[0]), frames[1:8])), "vmsd (first selected frame as reference) == NumPy")

refdump = os.path.join(work, "reference.dump")
with open(src) as f:
    lines = f.read().splitlines()
with open(refdump, "w") as f:
    f.write("\n".join(lines[:9 + 432]) + "\n")
r = run("vmsd", shuffled, "-o", out, "--reference", refdump, "--frames", "3:9")
(_, onames, orows, _), = read_dump(out)
got = orows[np.argsort(orows[:, onames.index("id")]), onames.index("vmsd")]
check(r.returncode == 0 and close(got, vmsd(wrapped(frames[0]), frames[3:9])), "vmsd --reference == NumPy")
r = run("vmsd", src, "-o", out, "--frames", "4")
check(r.returncode == 1 and "select at least two frames or give --reference" in r.stderr,
      f"vmsd with one frame and no reference is an error ({r.stderr.strip()})")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all checks passed")
