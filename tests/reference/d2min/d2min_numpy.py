#!/usr/bin/python3
"""Independent NumPy/SciPy reference for tessera's D²min and atomic strain (dynamics/d2min.hpp).

Written separately from the C++ code and on purpose by a different route:
  * bonds are followed through the *unwrapped* coordinates xu = x + h·(ix, iy, iz) that LAMMPS
    image flags give (tessera uses wrapped positions and fractional-coordinate rounding);
    a reference bond i->j with integer image shift m, d0 = xu_j(0) + h0 m - xu_i(0), becomes
    d_t = xu_j(t) + h_t m - xu_i(t) in the current frame;
  * neighbours by brute force over all pairs and the 27 images around the nearest one;
  * J from a per-atom least-squares solve, numpy.linalg.lstsq(D0, Dt) (J^T), via SVD —
    not the normal equations tessera uses;
  * D²min = (1/n) sum |d_t - J d0|^2 evaluated directly;
  * E = (J^T J - I)/2, von Mises and volumetric strain from E;
  * rotation: scipy.linalg.polar(J) (J = R P), angle = Rotation.from_matrix(R).magnitude().

Usage: /usr/bin/python3 d2min_numpy.py cuzr_aqs.dump CUTOFF > d2min_ref.txt
Output: one block per (reference, current) frame pair — both "first" (0 -> t) and "previous"
(t-1 -> t) references — `# ref REF cur CUR cutoff RC` then `id n d2min shear volumetric rotation`
per atom (atoms with fewer than 3 neighbours print n and zeros), floats as %.17g.
"""
import sys
import numpy as np
import scipy.linalg
from scipy.spatial.transform import Rotation


def read_dump(path):
    frames = []
    with open(path) as f:
        lines = f.read().split("\n")
    k = 0
    while k < len(lines):
        if lines[k].startswith("ITEM: TIMESTEP"):
            step = int(lines[k + 1]); n = int(lines[k + 3])
            b = [list(map(float, lines[k + 5 + d].split())) for d in range(3)]
            xy, xz, yz = b[0][2], b[1][2], b[2][2]
            xlo = b[0][0] - min(0.0, xy, xz, xy + xz); xhi = b[0][1] - max(0.0, xy, xz, xy + xz)
            ylo = b[1][0] - min(0.0, yz); yhi = b[1][1] - max(0.0, yz)
            zlo, zhi = b[2][0], b[2][1]
            h = np.array([[xhi - xlo, xy, xz], [0.0, yhi - ylo, yz], [0.0, 0.0, zhi - zlo]])
            cols = lines[k + 8].split()[2:]
            data = np.array([list(map(float, lines[k + 9 + a].split())) for a in range(n)])
            c = {name: data[:, q] for q, name in enumerate(cols)}
            order = np.argsort(c["id"])
            x = np.stack([c["x"], c["y"], c["z"]], 1)[order]
            img = np.stack([c["ix"], c["iy"], c["iz"]], 1)[order]
            frames.append(dict(step=step, h=h, ids=c["id"][order].astype(int), xu=x + img @ h.T))
            k += 9 + n
        else:
            k += 1
    return frames


def bonds(fr, rc):
    """For each atom: list of (j, m) with |xu_j + h m - xu_i| < rc (m integer 3-vector)."""
    xu, h = fr["xu"], fr["h"]
    hinv = np.linalg.inv(h)
    n = len(xu)
    imgs = np.array([[a, b, c] for a in (-1, 0, 1) for b in (-1, 0, 1) for c in (-1, 0, 1)], float)
    out = []
    for i in range(n):
        d = xu - xu[i]
        m0 = -np.round(d @ hinv.T)                       # nearest image shift per j
        res = []
        for im in imgs:
            m = m0 + im
            v = d + m @ h.T
            r2 = np.einsum("ij,ij->i", v, v)
            for j in np.nonzero(r2 < rc * rc)[0]:
                if j == i and not m[j].any():
                    continue
                res.append((j, m[j].copy()))
        out.append(res)
    return out


def strain(ref, cur, nb):
    rows = []
    for i, bl in enumerate(nb):
        if len(bl) < 3:
            rows.append((ref["ids"][i], len(bl), 0.0, 0.0, 0.0, 0.0))
            continue
        j = np.array([b[0] for b in bl]); m = np.array([b[1] for b in bl])
        d0 = ref["xu"][j] + m @ ref["h"].T - ref["xu"][i]
        dt = cur["xu"][j] + m @ cur["h"].T - cur["xu"][i]
        JT, *_ = np.linalg.lstsq(d0, dt, rcond=None)
        J = JT.T
        d2 = np.sum((dt - d0 @ J.T) ** 2) / len(bl)
        E = 0.5 * (J.T @ J - np.eye(3))
        vm = np.sqrt(E[0, 1] ** 2 + E[0, 2] ** 2 + E[1, 2] ** 2 +
                     ((E[0, 0] - E[1, 1]) ** 2 + (E[0, 0] - E[2, 2]) ** 2 + (E[1, 1] - E[2, 2]) ** 2) / 6)
        R, _ = scipy.linalg.polar(J, side="right")
        rot = Rotation.from_matrix(R).magnitude()
        rows.append((ref["ids"][i], len(bl), d2, vm, np.trace(E) / 3, rot))
    return rows


def main():
    frames = read_dump(sys.argv[1]); rc = float(sys.argv[2])
    pairs = [(0, t) for t in range(1, len(frames))] + [(t - 1, t) for t in range(2, len(frames))]
    cache = {}
    for a, b in pairs:
        if a not in cache:
            cache[a] = bonds(frames[a], rc)
        print(f"# ref {a} cur {b} cutoff {rc:.17g}")
        for r in strain(frames[a], frames[b], cache[a]):
            print(f"{r[0]} {r[1]} {r[2]:.17g} {r[3]:.17g} {r[4]:.17g} {r[5]:.17g}")


if __name__ == "__main__":
    main()
