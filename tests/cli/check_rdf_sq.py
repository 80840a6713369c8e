#!/usr/bin/python3
"""End-to-end test of `tessera rdf --sq`: S(q) of the total g(r) of a Cu-Zr glass made by LAMMPS
(tests/reference/cuzr_glass_ref.dump, 2000 atoms, 3 frames) against the same quadrature in NumPy
from the g(r) the command wrote (S = 1 + 4 pi rho sum r^2 (g-1) sinc(qr) dr, rho = mean N/V),
with and without the Lorch window; 1e-12 relative (+1e-12 absolute: S near its zeros). Physics:
the first peak of Cu50Zr50's S(q) lies near 2.8 1/A (here between 2.5 and 3.1).
Usage: check_rdf_sq.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
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


src = os.path.join(ref, "cuzr_glass_ref.dump")
with open(src) as f:
    lines = f.read().splitlines()
rhos, i = [], 0
while i < len(lines):
    n = int(lines[i + 3])
    lo_hi = [[float(v) for v in lines[i + 5 + d].split()[:2]] for d in range(3)]
    rhos.append(n / np.prod([hi - lo for lo, hi in lo_hi]))
    i += 9 + n
rho = float(np.mean(rhos))

for window in ("none", "lorch"):
    g_csv, s_csv = os.path.join(work, f"g_{window}.csv"), os.path.join(work, f"s_{window}.csv")
    r = subprocess.run([exe, "rdf", src, "-o", g_csv, "--rmax", "15", "--bins", "150", "--sq", s_csv, "--qmax", "12",
                        "--qbins", "120", "--sq-window", window], capture_output=True, text=True)
    check(r.returncode == 0, f"rdf --sq (window {window}) exits 0 ({r.stderr.strip()})")
    g = np.genfromtxt(g_csv, delimiter=",", names=True)
    s = np.genfromtxt(s_csv, delimiter=",", names=True)
    check(s.dtype.names == ("q", "s"), f"S(q) CSV header q,s ({s.dtype.names})")
    rr, gg, q = g["r"], g["g"], s["q"]
    check(np.allclose(q, 12 * np.arange(1, 121) / 120, rtol=0, atol=1e-15), "q = Q/M ... Q")
    dr = rr[1] - rr[0]
    w = np.ones_like(rr) if window == "none" else np.sinc(rr / (rr[-1] + dr / 2))  # np.sinc(x) = sin(pi x)/(pi x)
    want = np.array([1 + 4 * np.pi * rho * np.sum(rr ** 2 * (gg - 1) * np.sinc(qq * rr / np.pi) * w) * dr for qq in q])
    err = np.max(np.abs(s["s"] - want) / (np.abs(want) + 1))
    check(err < 1e-12, f"S(q) == NumPy quadrature (window {window}, max error {err:.1e})")
    peak = q[np.argmax(s["s"])]
    check(2.5 < peak < 3.1, f"first S(q) peak at {peak:.2f} 1/A (Cu50Zr50: near 2.8)")

r = subprocess.run([exe, "rdf", src, "-o", os.path.join(work, "g.csv"), "--rmax", "15", "--sq", "x.csv"],
                   capture_output=True, text=True)
check(r.returncode == 2 and "qmax" in r.stderr, f"--sq without --qmax is refused ({r.stderr.strip()[:80]})")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all checks passed")
