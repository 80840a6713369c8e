#!/usr/bin/python3
"""Validate the DXA reference inputs written by make_dislocations.sh.

Usage:  /usr/bin/python3 check_inputs.py [DIR]      (DIR defaults to this script's directory)

For every dump (plain or .gz) found in DIR it computes a conventional common
neighbour analysis (CNA) of its own -- fixed cutoff 3.08 A, half way between
the first (a/sqrt2) and second (a) neighbour shells of Cu, a = 3.615 A:
  fcc = 12 neighbours, all 12 bonds of type 421;
  hcp = 12 neighbours, 6 bonds 421 + 6 bonds 422;
  other = everything else (free-surface atoms, dislocation cores, point defects)
and prints the atom count and fcc/hcp/other counts.

For the two straight dislocations (edge.dump*, screw.dump*) it also finds the
stacking-fault ribbon and the two Shockley partial cores:
  * the glide plane y_g is the mean y of the hcp atoms (the two hcp layers of an
    intrinsic fault sit symmetrically about it);
  * along the periodic glide direction g (x for the edge, z for the screw) the
    ribbon centre is the circular mean of the hcp atoms; coordinates r are taken
    relative to it, wrapped into [-Lg/2, Lg/2);
  * a partial core = mean r of the 'other' atoms with |y - y_g| < 6 A on one side
    of the ribbon (r < 0 or r > 0); surface atoms are far away in y;
  * separation = r(right core) - r(left core); the hcp extent along g is printed too.
It also reads off from the perfect stacking which Shockley partial must come
first (see README.md, "Burgers vectors") and prints the two partial
Burgers vectors.  Crystal frame of both dislocation boxes:
x = [1-10], y = [111], z = [-1-12].

Needs numpy and ase (ase only for its periodic/triclinic neighbour list).
"""
import gzip
import os
import sys

import numpy as np
from ase import Atoms
from ase.neighborlist import neighbor_list

A = 3.615
RCUT = 0.5 * (1.0 / np.sqrt(2.0) + 1.0) * A  # 3.0857 A
DY = A / np.sqrt(3.0)  # (111) spacing
# crystal directions of the box axes (unit vectors), dislocation boxes
EX = np.array([1, -1, 0]) / np.sqrt(2.0)
EY = np.array([1, 1, 1]) / np.sqrt(3.0)
EZ = np.array([-1, -1, 2]) / np.sqrt(6.0)


def read_dump(path):
    """Last frame of a LAMMPS text dump with columns id type x y z (any order)."""
    op = gzip.open if path.endswith(".gz") else open
    with op(path, "rt") as f:
        lines = f.read().splitlines()
    starts = [i for i, l in enumerate(lines) if l.startswith("ITEM: TIMESTEP")]
    lines = lines[starts[-1]:]
    n = int(lines[3])
    bh = lines[4].split()
    tri = "xy" in bh
    bounds = [[float(v) for v in lines[5 + k].split()] for k in range(3)]
    pbc = [s[0] == "p" for s in bh[-3:]]
    if tri:
        (xlb, xhb, xy), (ylb, yhb, xz), (zlb, zhb, yz) = bounds
        xlo = xlb - min(0.0, xy, xz, xy + xz)
        xhi = xhb - max(0.0, xy, xz, xy + xz)
        ylo, yhi = ylb - min(0.0, yz), yhb - max(0.0, yz)
        zlo, zhi = zlb, zhb
    else:
        (xlo, xhi), (ylo, yhi), (zlo, zhi) = bounds
        xy = xz = yz = 0.0
    cols = lines[8].split()[2:]
    data = np.array([l.split() for l in lines[9:9 + n]], dtype=float)
    order = np.argsort(data[:, cols.index("id")])
    data = data[order]
    pos = data[:, [cols.index("x"), cols.index("y"), cols.index("z")]]
    cell = np.array([[xhi - xlo, 0, 0], [xy, yhi - ylo, 0], [xz, yz, zhi - zlo]])
    origin = np.array([xlo, ylo, zlo])
    return data[:, cols.index("id")].astype(int), pos, cell, origin, pbc, bh


def cna(pos, cell, origin, pbc):
    """Conventional CNA: 0 other, 1 fcc, 2 hcp."""
    n = len(pos)
    # neighbours are identified by atom index, so no atom may see two images
    # of the same atom: every periodic width must exceed 2 rc
    widths = np.linalg.det(cell) / np.linalg.norm(np.cross(cell[[1, 2, 0]], cell[[2, 0, 1]]), axis=1)
    assert all(w > 2 * RCUT for w, p in zip(widths, pbc) if p), "cell too small for this CNA"
    atoms = Atoms("Cu%d" % n, positions=pos - origin, cell=cell, pbc=pbc)
    i, j = neighbor_list("ij", atoms, RCUT)
    cnt = np.bincount(i, minlength=n)
    s = np.zeros(n, dtype=int)
    cand = np.nonzero(cnt == 12)[0]
    if len(cand) == 0:
        return s
    assert np.all(np.diff(i) >= 0)
    start = np.concatenate(([0], np.cumsum(cnt)))
    nb = j[start[cand][:, None] + np.arange(12)[None, :]]  # (m, 12)
    bondkeys = np.unique(i.astype(np.int64) * n + j)
    for c0 in range(0, len(cand), 8000):
        sl = slice(c0, c0 + 8000)
        q = nb[sl]
        keys = q[:, :, None].astype(np.int64) * n + q[:, None, :]
        M = np.isin(keys, bondkeys)  # M[a,k,l]: neighbours k and l of a are bonded
        T = M[:, :, :, None] & M[:, :, None, :] & M[:, None, :, :]
        ncn = M.sum(2)  # common neighbours of a and its k-th neighbour
        nbond = T.sum((2, 3)) // 2
        maxdeg = T.sum(3).max(2)
        is421 = (ncn == 4) & (nbond == 2) & (maxdeg == 1)
        is422 = (ncn == 4) & (nbond == 2) & (maxdeg == 2)
        n421, n422 = is421.sum(1), is422.sum(1)
        typ = np.zeros(len(q), dtype=int)
        typ[n421 == 12] = 1
        typ[(n421 == 6) & (n422 == 6)] = 2
        s[cand[sl]] = typ
    return s


def shockley_class(v):
    """v: in-plane vector (crystal coords, A) lower->upper atom in perfect stacking.
    Returns +1 if v is one of a/6{[2-1-1],[-12-1],[-1-12]}, -1 for their negatives."""
    m = np.rint(v * 6.0 / A).astype(int)
    g1 = {(2, -1, -1), (-1, 2, -1), (-1, -1, 2)}
    if tuple(m) in g1:
        return +1, m
    if tuple(-m) in g1:
        return -1, m
    return 0, m


def fmt(v):
    return "a/6[" + " ".join("%d" % c for c in v) + "]"


def partials(name, pos, cell, s, gaxis):
    L = cell[gaxis, gaxis]
    y = pos[:, 1]
    hcp = s == 2
    yg = y[hcp].mean()
    th = 2 * np.pi * pos[hcp, gaxis] / L
    cen = np.arctan2(np.sin(th).mean(), np.cos(th).mean()) * L / (2 * np.pi)
    r = (pos[:, gaxis] - cen + 0.5 * L) % L - 0.5 * L
    core = (s == 0) & (np.abs(y - yg) < 6.0)
    left, right = core & (r < 0), core & (r > 0)
    rl, rr = r[left].mean(), r[right].mean()
    gname = "xyz"[gaxis]
    print("  glide plane y_g = %.3f A; hcp ribbon along %s: %.2f .. %.2f A (width %.2f A)"
          % (yg, gname, r[hcp].min(), r[hcp].max(), r[hcp].max() - r[hcp].min()))
    print("  partial cores ('other' atoms, |y-y_g|<6 A): left %s = %.2f A (%d atoms), right %s = %.2f A (%d atoms)"
          % (gname, (cen + rl) % L, left.sum(), gname, (cen + rr) % L, right.sum()))
    print("  partial separation = %.2f A = %.2f nm" % (rr - rl, (rr - rl) / 10))
    # stacking vector lower -> upper across the glide plane, far from the core
    # (the (111) layers there: split the sorted y values at gaps > 0.8 A)
    far = np.nonzero((np.abs(r) > 0.3 * L) & (np.abs(y - yg) < 3 * DY))[0]
    far = far[np.argsort(y[far])]
    layers = np.split(far, np.nonzero(np.diff(y[far]) > 0.8)[0] + 1)
    ymean = np.array([y[l].mean() for l in layers])
    lo = layers[np.nonzero(ymean < yg)[0][-1]]
    up = layers[np.nonzero(ymean > yg)[0][0]]
    inv = np.linalg.inv(cell)
    vs = []
    for k in up[:50]:
        fr = (pos[lo] - pos[k]) @ inv
        fr[:, [0, 2]] -= np.rint(fr[:, [0, 2]])  # minimum image along the periodic x, z
        d = fr @ cell
        m = np.argmin(d[:, 0] ** 2 + d[:, 2] ** 2)
        vs.append(-d[m])
    res = [shockley_class(v[0] * EX + v[2] * EZ) for v in vs]
    cls = [c for c, _ in res]
    err = max(np.linalg.norm(v[0] * EX + v[2] * EZ - A / 6 * m) for v, (_, m) in zip(vs, res))
    print("  perfect stacking: lower->upper in-plane vectors of %d atoms: %s (max deviation %.3f A)"
          % (len(vs), ", ".join(sorted({fmt(m) for _, m in res})), err))
    cls = cls[0] if len(set(cls)) == 1 else 0
    # Rule: let delta = slip of the crystal above the glide plane relative to the
    # one below, g the glide direction (+x edge, +z screw), n = +y.  With line
    # sense xi = g x n (FS/RH) a segment has b = delta(-g side) - delta(+g side).
    # Inside the ribbon the layer above the plane sits on the other hollow site,
    # so delta(ribbon) - delta(perfect) is a Shockley vector of the same class
    # (mod lattice) as the lower->upper stacking vector: that fixes b of the
    # partial at larger g; the other is b_total - that one.  b_total follows
    # from the construction (edge: extra half planes above, xi = +z:
    # a/2[1-10]; screw: delta grows from 0 to b along +z, xi = -x: a/2[-110]).
    if name.startswith("edge"):
        # line sense +z = [-1-12]; total b = a/2[1-10]; right partial (larger x) b_R = slip in ribbon
        cands = {+1: (2, -1, -1), -1: (1, -2, 1)}
        btot = np.array([3, -3, 0])
        sense = "+z = [-1-12]"
    else:
        # g = z, n = y -> g x n = -x; quoted below for line sense +x = [1-10], total b = a/2[1-10]
        cands = {+1: (-1, 2, -1), -1: (-2, 1, 1)}  # for line sense -x (total a/2[-110])
        btot = np.array([-3, 3, 0])
        sense = "+x = [1-10]"
    if cls == 0:
        print("  could not classify the stacking vector")
        return rr - rl
    bR = np.array(cands[cls])
    bL = btot - bR
    if name.startswith("screw"):
        bR, bL = -bR, -bL
    print("  Burgers vectors (FS/RH, line sense %s): left partial %s, right partial %s, sum a/2[1 -1 0]"
          % (sense, fmt(bL), fmt(bR)))
    return rr - rl


def layers(pos, cell, s, disc):
    """hcp atoms per (111) layer (y = [111]) and, for the densest layer pair, the
    radius of a disc of that many atoms (two hcp layers per intrinsic fault)."""
    # bins of half a layer spacing: the collapsed layers of a vacancy fault sit
    # half way between the original ones
    k = np.rint(2 * pos[s == 2, 1] / DY).astype(int)
    if len(k) == 0:
        print("  no hcp atoms")
        return
    lay, cnt = np.unique(k, return_counts=True)
    print("  hcp atoms per (111) layer (y / %.4f A, to 0.5): %s"
          % (DY, " ".join("%g:%d" % (0.5 * l, c) for l, c in zip(lay, cnt))))
    print("  hcp atoms span %.1f (111) spacings = %.1f A along y = [111]"
          % (0.5 * (lay[-1] - lay[0]), 0.5 * (lay[-1] - lay[0]) * DY))
    if not disc:
        return
    top2 = np.sort(cnt)[-2:].sum()
    area = 0.5 * top2 * np.sqrt(3) / 2 * (A / np.sqrt(2)) ** 2
    print("  two fullest layers: %d hcp atoms (%.1f%% of all hcp); disc of that area: R = %.1f A"
          % (top2, 100.0 * top2 / len(k), np.sqrt(area / np.pi)))


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    files = sorted(f for f in os.listdir(d) if f.endswith((".dump", ".dump.gz")))
    if not files:
        sys.exit("no dumps in %s" % d)
    for f in files:
        ids, pos, cell, origin, pbc, bh = read_dump(os.path.join(d, f))
        s = cna(pos, cell, origin, pbc)
        nf, nh, no = (s == 1).sum(), (s == 2).sum(), (s == 0).sum()
        print("%s: %d atoms, box %s" % (f, len(ids), " ".join(bh[3:])))
        print("  cell lengths %.4f %.4f %.4f A, tilt xy xz yz = %.4f %.4f %.4f"
              % (cell[0, 0], cell[1, 1], cell[2, 2], cell[1, 0], cell[2, 0], cell[2, 1]))
        print("  CNA (rc = %.4f A): fcc %d, hcp %d, other %d" % (RCUT, nf, nh, no))
        if f.startswith("edge"):
            print("  line along z, periodic length %.3f A" % cell[2, 2])
            partials(f, pos, cell, s, 0)
        elif f.startswith("screw"):
            print("  line along x, periodic length %.3f A" % cell[0, 0])
            partials(f, pos, cell, s, 2)
        elif f.startswith(("frank_loop", "sft")):
            layers(pos, cell, s, f.startswith("frank_loop"))


if __name__ == "__main__":
    main()
