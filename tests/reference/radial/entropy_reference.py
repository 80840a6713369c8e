#!/usr/bin/python3
"""Independent re-implementation of LAMMPS `compute entropy/atom sigma cutoff [local yes]`
(src/EXTRA-COMPUTE/compute_entropy_atom.cpp) on frame 0 of cuzr_small.dump.

Debian's LAMMPS is built without EXTRA-COMPUTE, so this script stands in for it: it follows the
LAMMPS loop step by step (grid r_k = k*sigma, nbin = int(rc/sigma)+1, Gaussians only on the bins
floor(r/sigma)+-3, integrand r_k^2 where g < 1e-10, trapezoid, s = -2 pi rho * integral), with
O(N^2) minimum-image distances (box side > 2 * largest radius).
Columns: id  s(sigma=0.2, rc=3.0)  s(0.2, 5.0)  s(0.2, 5.0, local density within R=6.0)
Run: /usr/bin/python3 entropy_reference.py > cuzr_small_entropy.txt
"""
import math
import numpy as np

def read_frame(path):
    lines = open(path).read().split("\n")
    n = int(lines[3])
    lo, hi = map(float, lines[5].split()[:2])
    rows = np.array([[float(v) for v in l.split()] for l in lines[9:9 + n]])
    return rows, hi - lo

def entropy(r_list, sigma, rc, density):
    nbin = int(rc / sigma) + 1
    rbin = [k * sigma for k in range(nbin)]
    sigmasq2 = 2 * sigma * sigma
    norm = 4 * math.pi * density
    norm *= math.sqrt(2. * math.pi) * sigma
    inv = 1. / norm
    gofr = [0.0] * nbin
    for r in r_list:
        if not r * r < rc * rc:
            continue
        b = int(math.floor(r / sigma))
        lo = min(max(b - 3, 0), nbin - 1)
        hi = min(b + 3, nbin - 1)
        for k in range(lo, hi + 1):
            if k == 0:
                continue  # r_0 = 0 (LAMMPS would divide by zero; no neighbour is that close here)
            gofr[k] += inv / (rbin[k] * rbin[k]) * math.exp(-(r - rbin[k]) ** 2 / sigmasq2)
    integ = [rbin[k] ** 2 if gofr[k] < 1e-10 else (gofr[k] * math.log(gofr[k]) - gofr[k] + 1) * rbin[k] ** 2
             for k in range(nbin)]
    value = sum(integ[1:nbin - 1]) + 0.5 * integ[0] + 0.5 * integ[nbin - 1]
    value *= sigma
    return -2 * math.pi * density * value

rows, L = read_frame("cuzr_small.dump")
x = rows[:, 2:5]
n = len(x)
rho = n / L ** 3
print("# id s(0.2,3.0) s(0.2,5.0) s_local(0.2,5.0,R=6.0)")
for i in range(n):
    d = x - x[i]
    d -= L * np.round(d / L)
    r2 = (d * d).sum(axis=1)
    r2[i] = np.inf
    dist = np.sqrt(r2[r2 < 36.0])
    rho_local = len(dist) / (4.0 / 3.0 * math.pi * 6.0 ** 3)
    print("%d %.17g %.17g %.17g" % (rows[i, 0], entropy(dist, 0.2, 3.0, rho), entropy(dist, 0.2, 5.0, rho),
                                    entropy(dist, 0.2, 5.0, rho_local)))
