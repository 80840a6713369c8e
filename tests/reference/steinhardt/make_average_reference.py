#!/usr/bin/python3
"""Independent reference for tessera's Lechner-Dellago averages and bond crystallinity.

Written separately from the C++ (angles + scipy.special.sph_harm for Y_lm, sympy's exact
wigner_3j, brute-force neighbours) on a perturbed fcc cluster in an open box.
Writes average_ref.txt: one line per atom,
    x y z | for each mode (nnn=12, then ball rc=0.85):
            qbar4 qbar6 wbar4 wbar6 solid_bonds sum_j s(i,j)
Run: /usr/bin/python3 make_average_reference.py   (numpy, scipy, sympy from Debian)
"""
import numpy as np
from scipy.special import sph_harm
from sympy.physics.wigner import wigner_3j

rng = np.random.default_rng(2024)
basis = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]])
cells = np.array([[a, b, c] for a in range(4) for b in range(4) for c in range(4)], float)
pos = (cells[:, None, :] + basis[None, :, :]).reshape(-1, 3)
pos += rng.normal(0, 0.06, pos.shape)
n = len(pos)
D = pos[None, :, :] - pos[:, None, :]          # D[i, j] = r_j - r_i
R = np.linalg.norm(D, axis=2)
np.fill_diagonal(R, np.inf)

def qlm(l, nbrs):
    out = np.zeros((n, 2 * l + 1), complex)       # m = -l..l
    for i in range(n):
        v = D[i, nbrs[i]]
        r = np.linalg.norm(v, axis=1)
        polar = np.arccos(v[:, 2] / r)
        azim = np.arctan2(v[:, 1], v[:, 0])
        for m in range(-l, l + 1):
            out[i, m + l] = sph_harm(m, l, azim, polar).mean()
    return out

W3J = {}
def w3j(l, m1, m2, m3):
    key = (l, m1, m2, m3)
    if key not in W3J:
        W3J[key] = float(wigner_3j(l, l, l, m1, m2, m3))
    return W3J[key]

def invariants(l, q):                              # q: 2l+1 complex, m = -l..l
    n2 = np.sum(np.abs(q) ** 2)
    ql = np.sqrt(4 * np.pi / (2 * l + 1) * n2)
    w = 0.0
    for m1 in range(-l, l + 1):
        for m2 in range(-l, l + 1):
            m3 = -m1 - m2
            if abs(m3) <= l:
                w += w3j(l, m1, m2, m3) * (q[m1 + l] * q[m2 + l] * q[m3 + l]).real
    return ql, w / n2 ** 1.5

modes = [[list(np.argsort(R[i])[:12]) for i in range(n)],
         [list(np.nonzero(R[i] < 0.85)[0]) for i in range(n)]]
cols = [pos]
for nbrs in modes:
    res = np.zeros((n, 6))
    for li, l in enumerate((4, 6)):
        q = qlm(l, nbrs)
        for i in range(n):
            qbar = (q[i] + q[nbrs[i]].sum(axis=0)) / (len(nbrs[i]) + 1)
            res[i, li], res[i, 2 + li] = invariants(l, qbar)
        if l == 6:
            norm = np.linalg.norm(q, axis=1)
            for i in range(n):
                s = [(q[i] * np.conj(q[j])).sum().real / (norm[i] * norm[j]) for j in nbrs[i]]
                res[i, 4] = sum(x > 0.7 for x in s)
                res[i, 5] = sum(s)
    cols.append(res)
np.savetxt("average_ref.txt", np.hstack(cols), fmt="%.17g",
           header="x y z | nnn=12: qbar4 qbar6 wbar4 wbar6 solid_bonds sum_s | ball 0.85: same")
