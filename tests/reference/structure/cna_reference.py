#!/usr/bin/python3
"""Independent NumPy/SciPy reference for adaptive CNA (Stukowski 2012) and fixed-cutoff CNA
(LAMMPS cna/atom rules), written from the papers / the LAMMPS documentation, not from tessera.

    /usr/bin/python3 tests/reference/structure/cna_reference.py

writes tests/reference/structure/cna_reference.dump: a LAMMPS text dump, one frame per test
configuration (orthogonal periodic boxes), columns

    id type x y z acna cna rc

acna: adaptive CNA code, cna: fixed-cutoff CNA code at cutoff rc (same value on every row of a
frame); codes 1 fcc, 2 hcp, 3 bcc, 4 ico, 5 other. Frames (seeded, reproducible):
  0 fcc  a=3.615 4x4x4, gaussian noise sigma 0.05   rc 3.086
  1 hcp  a=2.556 4x3x3, sigma 0.05                  rc 3.086
  2 bcc  a=2.87  5x5x5, sigma 0.05                  rc 3.4
  3 fcc  a=3.615 4x4x4, sigma 0.17 (mixed classes)  rc 3.086
  4 bcc  a=2.87  5x5x5, sigma 0.15 (mixed classes)  rc 3.4
  5 fcc with hcp stacking-fault slab: fcc 111 stacking ABCABAB..., sigma 0.03, rc 3.086
"""
import math
import os

import numpy as np
from scipy.spatial import cKDTree

HERE = os.path.dirname(os.path.abspath(__file__))


def cubic(basis, a, n):
    g = np.array([[i, j, k] for i in range(n) for j in range(n) for k in range(n)], float)
    p = (g[:, None, :] + np.array(basis)[None, :, :]).reshape(-1, 3) * a
    return p, np.array([n * a] * 3)


def hcp(a, nx, ny, nz):
    b, c = math.sqrt(3) * a, math.sqrt(8 / 3) * a
    basis = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 1 / 6, 0.5], [0, 2 / 3, 0.5]])
    g = np.array([[i, j, k] for i in range(nx) for j in range(ny) for k in range(nz)], float)
    p = (g[:, None, :] + basis[None]).reshape(-1, 3) * np.array([a, b, c])
    return p, np.array([nx * a, ny * b, nz * c])


def stacked(a_nn, stacking, nx, ny):
    """Close-packed layers (triangular, spacing a_nn) stacked in the given A/B/C sequence."""
    b = math.sqrt(3) * a_nn
    dz = a_nn * math.sqrt(2 / 3)
    shift = {"A": (0.0, 0.0), "B": (0.5 * a_nn, b / 6), "C": (0.0, b / 3)}
    pts = []
    for layer, s in enumerate(stacking):
        ox, oy = shift[s]
        for i in range(nx):
            for j in range(ny):
                for bx, by in ((0, 0), (0.5, 0.5)):
                    pts.append([(i + bx) * a_nn + ox, (j + by) * b + oy, layer * dz])
    return np.array(pts), np.array([nx * a_nn, ny * b, len(stacking) * dz])


def neighbours(p, L, k):
    tree = cKDTree(np.mod(p, L), boxsize=L)
    d, idx = tree.query(np.mod(p, L), k=k + 1)
    assert np.all(idx[:, 0] == np.arange(len(p)))  # self first (distance 0)
    vec = p[idx[:, 1:]] - p[:, None, :]
    vec -= L * np.round(vec / L)
    return vec


def signature(adj, j):
    """(common, bonds, chain, max_bonds, min_bonds) of bond (centre, j); adj: bool matrix."""
    common = [k for k in range(len(adj)) if adj[j][k]]
    deg = [sum(adj[a][b] for b in common) for a in common]
    nb = sum(deg) // 2
    seen, chain = set(), 0
    for s in common:
        if s in seen:
            continue
        comp, stack = {s}, [s]
        while stack:
            u = stack.pop()
            for w in common:
                if adj[u][w] and w not in comp:
                    comp.add(w)
                    stack.append(w)
        seen |= comp
        chain = max(chain, sum(adj[a][b] for a in comp for b in comp) // 2)
    return len(common), nb, chain, max(deg, default=0), min(deg, default=0)


def adjacency(v, cut2, inclusive):
    d2 = ((v[:, None, :] - v[None, :, :]) ** 2).sum(-1)
    a = (d2 <= cut2) if inclusive else (d2 < cut2)
    np.fill_diagonal(a, False)
    return a.tolist()


def acna(vec):
    r = np.sqrt((vec ** 2).sum(-1))
    v12 = vec[:12]
    rc = (1 + math.sqrt(2)) / 2 * r[:12].mean()
    adj = adjacency(v12, rc * rc, True)
    sig = [signature(adj, j)[:3] for j in range(12)]
    if sig.count((4, 2, 1)) == 12:
        return 1
    if sig.count((4, 2, 1)) == 6 and sig.count((4, 2, 2)) == 6:
        return 2
    if sig.count((5, 5, 5)) == 12:
        return 4
    rc = (1 + math.sqrt(2)) / 2 * (2 / math.sqrt(3) * r[:8].sum() + r[8:14].sum()) / 14
    adj = adjacency(vec[:14], rc * rc, True)
    sig = [signature(adj, j)[:3] for j in range(14)]
    if sig.count((6, 6, 6)) == 8 and sig.count((4, 4, 4)) == 6:
        return 3
    return 5


def cna(vec, rc):
    r2 = (vec ** 2).sum(-1)
    v = vec[r2 < rc * rc]
    n = len(v)
    if n not in (12, 14):
        return 5
    adj = adjacency(v, rc * rc, False)
    sig = [(s[0], s[1], s[3], s[4]) for s in (signature(adj, j) for j in range(n))]
    if n == 12:
        if sig.count((4, 2, 1, 1)) == 12:
            return 1
        if sig.count((4, 2, 1, 1)) == 6 and sig.count((4, 2, 2, 0)) == 6:
            return 2
        if sig.count((5, 5, 2, 2)) == 12:
            return 4
        return 5
    if sig.count((4, 4, 2, 2)) == 6 and sig.count((6, 6, 2, 2)) == 8:
        return 3
    return 5


def frames():
    rng = np.random.default_rng(2012)
    fcc_b = [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]]
    bcc_b = [[0, 0, 0], [0.5, 0.5, 0.5]]
    yield (*cubic(fcc_b, 3.615, 4), 0.05, 3.086)
    yield (*hcp(2.556, 4, 3, 3), 0.05, 3.086)
    yield (*cubic(bcc_b, 2.87, 5), 0.05, 3.4)
    yield (*cubic(fcc_b, 3.615, 4), 0.17, 3.086)
    yield (*cubic(bcc_b, 2.87, 5), 0.15, 3.4)
    yield (*stacked(2.556, "ABCABCABABCABC", 4, 3), 0.03, 3.086)


def main():
    rng = np.random.default_rng(2012)
    out = []
    counts = []
    for step, (p, L, sigma, rc) in enumerate(frames()):
        p = np.mod(p + rng.normal(0, sigma, p.shape), L)
        vec = neighbours(p, L, 40)
        a = [acna(v) for v in vec]
        c = [cna(v, rc) for v in vec]
        counts.append((step, np.bincount(a, minlength=6)[1:].tolist(), np.bincount(c, minlength=6)[1:].tolist()))
        out.append(f"ITEM: TIMESTEP\n{step}\nITEM: NUMBER OF ATOMS\n{len(p)}\n")
        out.append("ITEM: BOX BOUNDS pp pp pp\n" + "".join(f"0 {x!r}\n" for x in L))
        out.append("ITEM: ATOMS id type x y z acna cna rc\n")
        out.extend(f"{i + 1} 1 {q[0]!r} {q[1]!r} {q[2]!r} {ai} {ci} {rc!r}\n" for i, (q, ai, ci) in enumerate(zip(p, a, c)))
    with open(os.path.join(HERE, "cna_reference.dump"), "w") as f:
        f.write("".join(out))
    for step, a, c in counts:
        print(f"frame {step}: acna fcc/hcp/bcc/ico/other {a}   cna {c}")


if __name__ == "__main__":
    main()
