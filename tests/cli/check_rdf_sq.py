#!/usr/bin/python3
"""End-to-end test of `tessera rdf --sq`, `tessera rdf --centers` and `tessera compute --local-rdf`: S(q) of the total g(r) of a Cu-Zr glass made by LAMMPS
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

# tessera compute --local-rdf: g_i(r) of the first frame against the formula in NumPy (brute-force
# minimum-image distances, orthogonal box, cutoff below half the box), every atom and grid point.
loc = os.path.join(work, "local.dump")
r = subprocess.run([exe, "compute", src, "-o", loc, "--frames", "0", "--local-rdf", "2:4:0.5", "--local-rdf-sigma",
                    "0.2"], capture_output=True, text=True)
check(r.returncode == 0, f"compute --local-rdf exits 0 ({r.stderr.strip()})")
with open(loc) as f:
    out_lines = f.read().splitlines()
n = int(out_lines[3])
names = out_lines[8].split()[2:]
rows = np.array([[float(v) for v in out_lines[9 + k].split()] for k in range(n)])
check(names[-5:] == [f"gloc_{k}" for k in range(5)], f"columns gloc_0..gloc_4 ({names[-5:]})")
L = np.array([hi - lo for lo, hi in ([float(v) for v in out_lines[5 + d].split()[:2]] for d in range(3))])
xyz = rows[:, [names.index("x"), names.index("y"), names.index("z")]]
grid, sigma, rc = np.arange(2, 4.0001, 0.5), 0.2, 4.0 + 3 * 0.2
rho0 = n / np.prod(L)
worst = 0.0
for i in range(n):
    d = xyz - xyz[i]
    d -= L * np.round(d / L)
    rij = np.sqrt(np.sum(d * d, axis=1))
    rij = rij[(rij > 0) & (rij < rc)]
    want = np.exp(-(grid[:, None] - rij[None, :]) ** 2 / (2 * sigma ** 2)).sum(axis=1) / (
        4 * np.pi * rho0 * np.sqrt(2 * np.pi) * sigma * grid ** 2)
    got = rows[i, [names.index(f"gloc_{k}") for k in range(5)]]
    worst = max(worst, float(np.max(np.abs(got - want) / (np.abs(want) + 1e-300))))
check(worst < 1e-12, f"gloc == NumPy for all {n} atoms and 5 radii (worst relative {worst:.1e})")

# --centers: g(r) around a subset of centre atoms (every atom a neighbour), ordered partials g_<a>_<b>, against
# NumPy/SciPy pair counts on frame 0 (orthogonal periodic box, r_max below half the box: one image per pair).
from scipy.spatial import cKDTree  # noqa: E402

n0 = int(lines[3])
lo = np.array([float(lines[5 + a].split()[0]) for a in range(3)])
ln = np.array([float(lines[5 + a].split()[1]) for a in range(3)]) - lo
head = lines[8].split()[2:]
tab = np.array([[float(v) for v in lines[9 + k].split()] for k in range(n0)])
x = np.mod(tab[:, [head.index(c) for c in ("x", "y", "z")]] - lo, ln)
x[x >= ln] = 0.0
typ = tab[:, head.index("type")].astype(int)
expr, rmax_c, bins_c = "type==2 || x < 12", 6.0, 60
centre = (typ == 2) | (tab[:, head.index("x")] < 12)
g_sub = os.path.join(work, "g_centres.csv")
r = subprocess.run([exe, "rdf", src, "-o", g_sub, "--rmax", str(rmax_c), "--bins", str(bins_c), "--frames", "0",
                    "--centers", expr], capture_output=True, text=True)
check(r.returncode == 0, f"tessera rdf --centers '{expr}' runs ({r.stderr.strip()[:120]})")
if r.returncode == 0:
    with open(g_sub) as f:
        names = f.readline().strip().split(",")
    got = np.loadtxt(g_sub, delimiter=",", skiprows=1)
    check(names == ["r", "g", "g_1_1", "g_1_2", "g_2_1", "g_2_2"], f"--centers columns are the ordered pairs ({names})")
    pairs = cKDTree(x, boxsize=ln).query_pairs(rmax_c, output_type="ndarray")
    d = x[pairs[:, 0]] - x[pairs[:, 1]]
    d -= ln * np.round(d / ln)
    rr = np.sqrt((d * d).sum(axis=1))
    dr = rmax_c / bins_c
    k = np.floor(rr / dr).astype(int)
    keep = k < bins_c
    shell = 4 / 3 * np.pi * ((np.arange(1, bins_c + 1) * dr) ** 3 - (np.arange(bins_c) * dr) ** 3) / np.prod(ln)
    worst = 0.0
    for col, (a, b) in enumerate([(0, 0), (1, 1), (1, 2), (2, 1), (2, 2)]):
        h = np.zeros(bins_c)
        for i_end, j_end in ((0, 1), (1, 0)):   # each unordered pair, from either end that is a centre
            ci, cj = pairs[keep, i_end], pairs[keep, j_end]
            m = centre[ci] & ((typ[ci] == a) & (typ[cj] == b) if a else True)
            np.add.at(h, k[keep][m], 1)
        n_c = centre.sum() if not a else (centre & (typ == a)).sum()
        others = n0 - 1 if not a else (typ == b).sum() - (a == b)
        want = h / (n_c * others * shell)
        worst = max(worst, float(np.max(np.abs(got[:, 1 + col] - want) / (np.abs(want) + 1e-300))))
    check(worst < 1e-12, f"--centers g, g_a_b == NumPy pair counts, {centre.sum()} centres (worst relative {worst:.1e})")

# --pool: frames 0 and 1 with a centre set that differs between them (x < 12 moves with the atoms), pair
# counts and normalisations summed over the two frames, against the same sums in NumPy.
g_pool = os.path.join(work, "g_pool.csv")
r = subprocess.run([exe, "rdf", src, "-o", g_pool, "--rmax", str(rmax_c), "--bins", str(bins_c), "--frames", "0:2",
                    "--centers", expr, "--pool"], capture_output=True, text=True)
check(r.returncode == 0, f"tessera rdf --centers --pool runs ({r.stderr.strip()[:120]})")
if r.returncode == 0:
    got = np.loadtxt(g_pool, delimiter=",", skiprows=1)
    hsum, nsum = np.zeros(bins_c), np.zeros(bins_c)
    i0 = 0
    for fr in range(2):
        nfr = int(lines[i0 + 3])
        lo_f = np.array([float(lines[i0 + 5 + a].split()[0]) for a in range(3)])
        ln_f = np.array([float(lines[i0 + 5 + a].split()[1]) for a in range(3)]) - lo_f
        tb = np.array([[float(v) for v in lines[i0 + 9 + k].split()] for k in range(nfr)])
        xf = np.mod(tb[:, [head.index(c) for c in ("x", "y", "z")]] - lo_f, ln_f)
        xf[xf >= ln_f] = 0.0
        cen = (tb[:, head.index("type")].astype(int) == 2) | (tb[:, head.index("x")] < 12)
        pr = cKDTree(xf, boxsize=ln_f).query_pairs(rmax_c, output_type="ndarray")
        d = xf[pr[:, 0]] - xf[pr[:, 1]]
        d -= ln_f * np.round(d / ln_f)
        kk = np.floor(np.sqrt((d * d).sum(axis=1)) / (rmax_c / bins_c)).astype(int)
        for i_end in (0, 1):
            m = (kk < bins_c) & cen[pr[:, i_end]]
            np.add.at(hsum, kk[m], 1)
        sh = 4 / 3 * np.pi * ((np.arange(1, bins_c + 1) * dr) ** 3 - (np.arange(bins_c) * dr) ** 3) / np.prod(ln_f)
        nsum += cen.sum() * (nfr - 1) * sh
        i0 += 9 + nfr
    want = hsum / nsum
    worst = float(np.max(np.abs(got[:, 1] - want) / (np.abs(want) + 1e-300)))
    check(worst < 1e-12, f"--pool total g == NumPy pooled counts over 2 frames (worst relative {worst:.1e})")

r = subprocess.run([exe, "rdf", src, "-o", os.path.join(work, "g.csv"), "--rmax", "15", "--sq", "x.csv"],
                   capture_output=True, text=True)
check(r.returncode == 2 and "qmax" in r.stderr, f"--sq without --qmax is refused ({r.stderr.strip()[:80]})")

if failures:
    print(f"{len(failures)} check(s) failed")
    sys.exit(1)
print("all checks passed")
