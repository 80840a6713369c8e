#!/usr/bin/python3
"""End-to-end test of `tessera delays`: per-atom peak timesteps of two columns and their delay,
against NumPy (first maximum per atom, as numpy.argmax) on a LENS output made from the LAMMPS
Cu-Zr liquid (tests/reference/msd/cuzr_liquid.dump, 21 frames, through `tessera compute --csp 12`
and `tessera lens`), with the atoms of every frame shuffled to check id matching.
Usage: check_delays.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
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


def run(*args):
    return subprocess.run([exe, *args], capture_output=True, text=True)


def read_dump(path):
    with open(path) as f:
        lines = f.read().splitlines()
    frames, i = [], 0
    while i < len(lines):
        n = int(lines[i + 3])
        names = lines[i + 8].split()[2:]
        rows = [lines[i + 9 + k] for k in range(n)]
        frames.append((int(lines[i + 1]), lines[i:i + 9], names, rows))
        i += 9 + n
    return frames


src = os.path.join(ref, "msd", "cuzr_liquid.dump")
csp, lens = os.path.join(work, "csp.dump"), os.path.join(work, "lens.dump")
check(run("compute", src, "-o", csp, "--csp", "12").returncode == 0, "compute --csp 12")
check(run("lens", csp, "-o", lens, "--cutoff", "3.5").returncode == 0, "lens --cutoff 3.5")
frames = read_dump(lens)
check(len(frames) == 20, f"LENS output has {len(frames)} frames (21 input frames)")
shuffled = os.path.join(work, "lens_shuffled.dump")
rng = random.Random(11)
with open(shuffled, "w") as f:
    for _, header, _, rows in frames:
        rows = rows[:]
        rng.shuffle(rows)
        f.write("\n".join(header + rows) + "\n")

names = frames[0][2]
idc, lc, cc = names.index("id"), names.index("lens"), names.index("csp")
steps = np.array([t for t, _, _, _ in frames], dtype=float)


def by_id(rows, c):
    v = np.array([[float(x) for x in r.split()] for r in rows])
    return v[np.argsort(v[:, idc]), c]


L = np.array([by_id(rows, lc) for _, _, _, rows in frames])
C = np.array([by_id(rows, cc) for _, _, _, rows in frames])
offset = -(steps[1] - steps[0]) / 2
out = os.path.join(work, "delays.dump")
r = run("delays", shuffled, "--from", "lens", "--to", "csp", "--from-offset", str(offset), "-o", out)
check(r.returncode == 0, f"delays exits 0 ({r.stderr.strip()})")
(_, _, onames, orows), = read_dump(out)
check(onames == names + ["peak_lens", "peak_csp", "delay"], f"columns ({onames[len(names):]})")
o = np.array([[float(x) for x in row.split()] for row in orows])
o = o[np.argsort(o[:, onames.index("id")])]
want_l, want_c = steps[np.argmax(L, axis=0)], steps[np.argmax(C, axis=0)]
check(np.array_equal(o[:, onames.index("peak_lens")], want_l), "peak_lens == NumPy argmax (first maximum)")
check(np.array_equal(o[:, onames.index("peak_csp")], want_c), "peak_csp == NumPy argmax")
check(np.array_equal(o[:, onames.index("delay")], want_c - (want_l + offset)), "delay = t_csp - (t_lens + offset)")
check(len(set(want_c - want_l)) > 1, "the delays are not all equal (the test can tell atoms apart)")

r = run("delays", shuffled, "--from", "lens", "--to", "nope", "-o", out)
check(r.returncode == 1 and "no column 'nope'" in r.stderr, f"a missing column is an error naming it ({r.stderr.strip()[:90]})")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all checks passed")
