#!/usr/bin/python3
"""Reference eigenvalues for tests/physics/vdos.cpp (run with /usr/bin/python3; numpy only).

A 160-atom Kob-Andersen mixture (128 A + 32 B, number density 1.2, cubic periodic box of side
L = (160/1.2)^(1/3) = 5.109 sigma > 2 * 2.5 sigma, so the minimum image is the only image in
range) placed by random sequential addition (seed 2024, no two atoms closer than 0.8 sigma). Its
Hessian is built here independently of tessera, from the analytic LJ pair derivatives,
    phi'(r)  = 4 eps (-12 s^12 / r^13 + 6 s^6 / r^7),
    phi''(r) = 4 eps (156 s^12 / r^14 - 42 s^6 / r^8),
    K = phi'' n n^T + phi'/r (I - n n^T),  +K on (i,i), (j,j), -K on (i,j), (j,i),
for pairs closer than the KA cutoffs (2.5 sigma_ab: 2.5, 2.0, 2.2), and its eigenvalues (unit
masses: D = H) come from numpy.linalg.eigvalsh. Writes vdos_ka160.txt: line 1 "L", then 160 lines
"type x y z", then 480 lines of eigenvalues in ascending order (%.17g).
"""
import numpy as np

rng = np.random.default_rng(2024)
n, na = 160, 128
L = (n / 1.2) ** (1.0 / 3.0)
eps = {(1, 1): 1.0, (1, 2): 1.5, (2, 2): 0.5}
sig = {(1, 1): 1.0, (1, 2): 0.8, (2, 2): 0.88}
rc = {(1, 1): 2.5, (1, 2): 2.0, (2, 2): 2.2}

x = []
while len(x) < n:
    p = rng.uniform(0.0, L, 3)
    ok = True
    for q in x:
        d = p - q
        d -= L * np.round(d / L)
        if d @ d < 0.8 ** 2:
            ok = False
            break
    if ok:
        x.append(p)
x = np.array(x)
types = np.array([1] * na + [2] * (n - na))

H = np.zeros((3 * n, 3 * n))
for i in range(n):
    for j in range(i + 1, n):
        key = (min(types[i], types[j]), max(types[i], types[j]))
        d = x[j] - x[i]
        d -= L * np.round(d / L)
        r = np.sqrt(d @ d)
        if r >= rc[key]:
            continue
        e, s = eps[key], sig[key]
        d1 = 4 * e * (-12 * s**12 / r**13 + 6 * s**6 / r**7)
        d2 = 4 * e * (156 * s**12 / r**14 - 42 * s**6 / r**8)
        nn = np.outer(d, d) / r**2
        K = d2 * nn + d1 / r * (np.eye(3) - nn)
        H[3*i:3*i+3, 3*i:3*i+3] += K
        H[3*j:3*j+3, 3*j:3*j+3] += K
        H[3*i:3*i+3, 3*j:3*j+3] -= K
        H[3*j:3*j+3, 3*i:3*i+3] -= K

w = np.linalg.eigvalsh(H)
with open("vdos_ka160.txt", "w") as f:
    f.write("%.17g\n" % L)
    for t, p in zip(types, x):
        f.write("%d %.17g %.17g %.17g\n" % (t, p[0], p[1], p[2]))
    for v in w:
        f.write("%.17g\n" % v)
