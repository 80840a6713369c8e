#!/usr/bin/python3
"""End-to-end test of `tessera compute --ptm` (polyhedral template matching).

1. Perfect periodic lattices (fcc, bcc, hcp, sc, cubic and hexagonal diamond) along the template
   axes: the structure code, RMSD 0, ptm_scale = the nearest-neighbour distance, orientation
   (1, 0, 0, 0); a graphene sheet with --ptm-structures all.
2. An fcc crystal in a triclinic primitive cell (LAMMPS puts a along x, so the crystal is rotated):
   the orientation equals the rotation computed here from the cell, up to the 24 cubic symmetries.
3. The thermal Cu frame from a LAMMPS run (cu_tilted.dump, triclinic): for every fcc atom, an
   independent SciPy computation — the 12 nearest images, the optimal assignment to the template
   rotated by tessera's orientation (Hungarian), then the optimal rotation and scale for that
   assignment (Kabsch by SVD) — reproduces ptm_rmsd, ptm_scale and the orientation; the fcc
   fraction is compared with --acna.
4. Options: --ptm 0 vs the default 0.1 (only the ptm column of atoms above 0.1 changes),
   --ptm-structures, --ptm-ordering on L1_2 Cu3Au and B2 CsCl-type lattices, and errors.
5. OVITO's own PTM library (tests/reference/ptm/make_ovito_reference.sh) on five real frames —
   LAMMPS Cu at ~300 K (triclinic) and 1200 K, the CuZr glass, diamond Si at 1000 K and hexagonal
   diamond Si at 600 K, every 3-D template: the same structure for every atom, and RMSD,
   orientation, interatomic distance and ordering equal to rounding.
Usage: check_ptm.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
import gzip
import itertools
import os
import shutil
import sys

import numpy as np
from scipy.optimize import linear_sum_assignment

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checks, run  # noqa: E402

exe, ref, work = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
check = Checks()
W = lambda name: os.path.join(work, name)  # noqa: E731
PTM_COLS = ["ptm", "ptm_rmsd", "ptm_qw", "ptm_qx", "ptm_qy", "ptm_qz", "ptm_scale"]


def write_dump(path, pos, h, types=None):
    """One frame; h = columns a, b, c of a LAMMPS cell (a along x, b in the xy plane)."""
    lx, ly, lz, xy, xz, yz = h[0, 0], h[1, 1], h[2, 2], h[0, 1], h[0, 2], h[1, 2]
    tri = any(abs(v) > 0 for v in (xy, xz, yz))
    with open(path, "w") as f:
        f.write(f"ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n{len(pos)}\n")
        if tri:
            lo = min(0.0, xy, xz, xy + xz)
            hi = max(0.0, xy, xz, xy + xz)
            f.write(f"ITEM: BOX BOUNDS xy xz yz pp pp pp\n{lo!r} {lx + hi!r} {xy!r}\n{min(0.0, yz)!r} "
                    f"{ly + max(0.0, yz)!r} {xz!r}\n0.0 {lz!r} {yz!r}\n")
        else:
            f.write(f"ITEM: BOX BOUNDS pp pp pp\n0.0 {lx!r}\n0.0 {ly!r}\n0.0 {lz!r}\n")
        f.write("ITEM: ATOMS id type x y z\n")
        for i, p in enumerate(pos):
            f.write(f"{i + 1} {1 if types is None else types[i]} {p[0]!r} {p[1]!r} {p[2]!r}\n")


def read_frame(path):
    lines = open(path).read().splitlines()
    n = int(lines[3])
    names = lines[8].split()[2:]
    rows = np.array([[float(v) for v in lines[9 + k].split()] for k in range(n)])
    return names, rows[np.argsort(rows[:, names.index("id")])]


def cubic_lattice(basis, a, n):
    cells = np.array(list(itertools.product(range(n), repeat=3)), float)
    pos = (cells[:, None, :] + np.array(basis)[None, :, :]).reshape(-1, 3) * a
    return pos, np.diag([n * a] * 3)


def hcp_lattice(a, nx, ny, nz):
    b, c = np.sqrt(3) * a, np.sqrt(8 / 3) * a
    basis = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 1 / 6, 0.5], [0, 2 / 3, 0.5]])
    cells = np.array(list(itertools.product(range(nx), range(ny), range(nz))), float)
    frac = (cells[:, None, :] + basis[None]).reshape(-1, 3)
    return frac * [a, b, c], np.diag([nx * a, ny * b, nz * c])


def lonsdaleite(d, nx, ny, nz):
    """Ideal hexagonal diamond with bond length d: hcp sites and the same shifted by 3c/8."""
    a = d * np.sqrt(8 / 3)
    b, c = np.sqrt(3) * a, a * np.sqrt(8 / 3)
    basis = np.array([[0, 0, 0], [0.5, 0.5, 0], [0.5, 1 / 6, 0.5], [0, 2 / 3, 0.5]])
    basis = np.vstack([basis, basis + [0, 0, 3 / 8]])
    cells = np.array(list(itertools.product(range(nx), range(ny), range(nz))), float)
    frac = (cells[:, None, :] + basis[None]).reshape(-1, 3)
    return frac * [a, b, c], np.diag([nx * a, ny * b, nz * c])


def ptm(src, *flags):
    out = W(os.path.basename(src) + ".ptm.dump")
    r = run(exe, "compute", src, "-o", out, "--frames", "0", *flags)
    if not check(r.returncode == 0, f"compute {os.path.basename(src)} {' '.join(flags)} ({r.stderr.strip()[-200:]})"):
        return None, None
    return read_frame(out)


def col(names, rows, name):
    return rows[:, names.index(name)]


# --- 1. perfect lattices along the template axes
d = 2.55
lattices = {
    "fcc": (1, cubic_lattice([[0, 0, 0], [.5, .5, 0], [.5, 0, .5], [0, .5, .5]], d * np.sqrt(2), 4)),
    "bcc": (3, cubic_lattice([[0, 0, 0], [.5, .5, .5]], d * 2 / np.sqrt(3), 5)),
    "hcp": (2, hcp_lattice(d, 5, 3, 3)),
    "sc": (5, cubic_lattice([[0, 0, 0]], d, 6)),
    "dcub": (6, cubic_lattice([[0, 0, 0], [.5, .5, 0], [.5, 0, .5], [0, .5, .5], [.25, .25, .25], [.75, .75, .25],
                               [.75, .25, .75], [.25, .75, .75]], d * 4 / np.sqrt(3), 3)),
    "dhex": (7, lonsdaleite(d, 4, 3, 3)),
}
for name, (code, (pos, h)) in lattices.items():
    write_dump(W(f"{name}.dump"), pos, h)
    names, rows = ptm(W(f"{name}.dump"), "--ptm")
    if names is None:
        continue
    check(names[-7:] == PTM_COLS, f"{name}: columns {names[-7:]}")
    check(np.all(col(names, rows, "ptm") == code), f"{name}: every atom has code {code}")
    check(np.abs(col(names, rows, "ptm_rmsd")).max() < 1e-12, f"{name}: RMSD 0 ({np.abs(col(names, rows, 'ptm_rmsd')).max():.1e})")
    check(np.abs(col(names, rows, "ptm_scale") - d).max() < 1e-12 * d, f"{name}: ptm_scale = nearest-neighbour distance {d}")
    q = rows[:, [names.index(c) for c in PTM_COLS[2:6]]]
    check(np.abs(q - [1, 0, 0, 0]).max() < 1e-12, f"{name}: orientation (1,0,0,0) on every site ({np.abs(q - [1, 0, 0, 0]).max():.1e})")

# graphene: a sheet in a box 40 Å thick (only with graphene enabled; by default it is other)
g = 1.42
A = g * np.sqrt(3)
cells = np.array(list(itertools.product(range(6), range(4))), float)
sheet = np.array([[0, 0], [A / 2, g / 2], [A / 2, 1.5 * g], [0, 2 * g]])
pos = (cells[:, None, :] * [A, 3 * g] + sheet[None]).reshape(-1, 2)
pos = np.hstack([pos, np.full((len(pos), 1), 20.0)])
write_dump(W("graphene.dump"), pos, np.diag([6 * A, 12 * g, 40.0]))
names, rows = ptm(W("graphene.dump"), "--ptm", "--ptm-structures", "all")
if names is not None:
    check(np.all(col(names, rows, "ptm") == 8) and np.abs(col(names, rows, "ptm_rmsd")).max() < 1e-12
          and np.abs(col(names, rows, "ptm_scale") - g).max() < 1e-12, "graphene (--ptm-structures all): code 8, RMSD 0, scale = bond")
names, rows = ptm(W("graphene.dump"), "--ptm")
if names is not None:
    check(np.all(col(names, rows, "ptm") == 0), "graphene with the default templates (no graphene): other")

# --- 2. fcc in a triclinic primitive cell: a rotated crystal
a = d * np.sqrt(2)
prim = 0.5 * a * np.array([[0, 1, 1], [1, 0, 1], [1, 1, 0]], float)  # rows: primitive vectors (crystal frame)
# LAMMPS form of the cell: QR of the column matrix gives the rotation taking crystal to lab
A = prim.T * 4  # 4x4x4 primitive cells, columns
Q, R = np.linalg.qr(A)
S = np.diag(np.sign(np.diag(R)))
Q, R = Q @ S, S @ R  # R upper triangular with a positive diagonal: the LAMMPS cell; lab = Q^T crystal
rot = Q.T  # crystal → lab
cells = np.array(list(itertools.product(range(4), repeat=3)), float)
pos = cells @ (prim @ rot.T)
write_dump(W("fcc_tri.dump"), pos, R)
names, rows = ptm(W("fcc_tri.dump"), "--ptm")


def quat_to_matrix(q):
    w, x, y, z = q
    return np.array([[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                     [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                     [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]])


CUBIC = [np.array(m) for m in itertools.product(*[[-1, 0, 1]] * 9)]
CUBIC = [m.reshape(3, 3) for m in CUBIC if np.allclose(m.reshape(3, 3) @ m.reshape(3, 3).T, np.eye(3))
         and np.isclose(np.linalg.det(m.reshape(3, 3)), 1)]
check(len(CUBIC) == 24, "24 cubic rotations")
if names is not None:
    err = 0.0
    for row in rows:
        Rq = quat_to_matrix(row[[names.index(c) for c in PTM_COLS[2:6]]])
        err = max(err, min(np.abs(rot @ g - Rq).max() for g in CUBIC))
    check(np.all(col(names, rows, "ptm") == 1) and err < 1e-12,
          f"fcc in a triclinic cell: orientation = the cell's rotation up to cubic symmetry ({err:.1e})")

# --- 3. thermal Cu from LAMMPS: independent RMSD, scale and orientation
src = os.path.join(ref, "cu_tilted.dump")
names, rows = ptm(src, "--ptm", "--acna")
if names is not None:
    lines = open(src).read().splitlines()
    lo_b = [list(map(float, lines[5 + k].split())) for k in range(3)]
    xy, xz, yz = lo_b[0][2], lo_b[1][2], lo_b[2][2]
    xlo = lo_b[0][0] - min(0.0, xy, xz, xy + xz)
    xhi = lo_b[0][1] - max(0.0, xy, xz, xy + xz)
    ylo, yhi = lo_b[1][0] - min(0.0, yz), lo_b[1][1] - max(0.0, yz)
    zlo, zhi = lo_b[2][0], lo_b[2][1]
    h = np.array([[xhi - xlo, xy, xz], [0, yhi - ylo, yz], [0, 0, zhi - zlo]])
    P = rows[:, [names.index(c) for c in ("x", "y", "z")]]
    hinv = np.linalg.inv(h)
    t = 1 / np.sqrt(2) * np.array([[1, 1, 0], [0, 1, 1], [1, 0, 1], [-1, -1, 0], [0, -1, -1], [-1, 0, -1],
                                   [-1, 1, 0], [0, -1, 1], [-1, 0, 1], [1, -1, 0], [0, 1, -1], [1, 0, -1]])
    T = np.vstack([[0, 0, 0], t])
    kinds = col(names, rows, "ptm")
    worst = {"rmsd": 0.0, "scale": 0.0, "orientation": 0.0}
    checked = 0
    for i in np.where(kinds == 1)[0]:
        dv = P - P[i]
        f = dv @ hinv.T
        f -= np.round(f)
        dv = f @ h.T
        r2 = (dv ** 2).sum(1)
        r2[i] = np.inf
        order = np.argsort(r2)
        if np.sqrt(r2[order[12]]) - np.sqrt(r2[order[11]]) < 0.3:
            continue  # the shell is not clear by distance: PTM's solid-angle order may choose differently
        X = np.vstack([[0, 0, 0], dv[order[:12]]])
        X -= X.mean(0)
        q = rows[i, [names.index(c) for c in PTM_COLS[2:6]]]
        s_ptm = 1 / rows[i, names.index("ptm_scale")]
        Rq = quat_to_matrix(q)
        cost = ((X[1:, None, :] * s_ptm - (T[1:] @ Rq.T)[None, :, :]) ** 2).sum(2)
        ri, ci = linear_sum_assignment(cost)
        Tm = np.vstack([[0, 0, 0], T[1:][ci[np.argsort(ri)]]])
        Tm -= Tm.mean(0)
        Hm = X.T @ Tm  # Σ x tᵀ
        U, sv, Vt = np.linalg.svd(Hm)
        D = np.diag([1, 1, np.sign(np.linalg.det(U @ Vt))])
        Rk = U @ D @ Vt  # template → lab
        s = (sv * np.diag(D)).sum() / (X ** 2).sum()
        rmsd = np.sqrt((((Tm @ Rk.T) - s * X) ** 2).sum() / 13)
        worst["rmsd"] = max(worst["rmsd"], abs(rmsd - rows[i, names.index("ptm_rmsd")]))
        worst["scale"] = max(worst["scale"], abs(1 / s - rows[i, names.index("ptm_scale")]) / (1 / s))
        worst["orientation"] = max(worst["orientation"], min(np.abs(Rk @ g - Rq).max() for g in CUBIC))
        checked += 1
    # SVD vs symmetric eigensolver and two summation orders: rounding, 1e-12 of O(1) quantities
    check(checked > 900 and all(v < 1e-10 for v in worst.values()),
          f"thermal Cu: {checked} fcc atoms, RMSD / scale / orientation = SciPy's assignment + Kabsch "
          f"({', '.join(f'{k} {v:.1e}' for k, v in worst.items())})")
    acna = col(names, rows, "acna")
    agree = np.mean((acna == 1) == (kinds == 1))
    check(agree > 0.98, f"thermal Cu: PTM fcc and a-CNA fcc agree on {agree:.1%} of atoms "
                        f"(PTM fcc {np.mean(kinds == 1):.1%}, a-CNA fcc {np.mean(acna == 1):.1%})")

# --- 4. options: cutoff 0 changes only the code of atoms above 0.1 (a CuZr glass: many are)
names, rows = ptm(os.path.join(ref, "cuzr_glass_ref.dump"), "--ptm")
n0, r0 = ptm(os.path.join(ref, "cuzr_glass_ref.dump"), "--ptm", "0")
if names is not None and n0 is not None:
    kinds = col(names, rows, "ptm")
    above = col(names, rows, "ptm_rmsd") > 0.1
    same_values = all(np.array_equal(col(n0, r0, c), col(names, rows, c)) for c in PTM_COLS[1:])
    check(above.sum() > 100 and same_values and np.array_equal(col(n0, r0, "ptm")[~above], kinds[~above])
          and np.all(kinds[above] == 0) and np.all(col(n0, r0, "ptm")[above] > 0),
          f"--ptm 0: no cutoff; {above.sum()} atoms above 0.1 get their best structure, all else equal")

names, rows = ptm(W("hcp.dump"), "--ptm", "--ptm-structures", "fcc,bcc")
if names is not None:
    check(np.all(col(names, rows, "ptm") == 0), "--ptm-structures fcc,bcc: perfect hcp is other")

# ordering: Cu3Au (L1_2) and CsCl (B2)
pos, h = lattices["fcc"][1]
frac = np.mod(pos / (d * np.sqrt(2)), 1.0)
corner = np.all(frac < 0.25, axis=1)
write_dump(W("l12.dump"), pos, h, types=np.where(corner, 2, 1))
names, rows = ptm(W("l12.dump"), "--ptm", "--ptm-ordering")
if names is not None:
    order = col(names, rows, "ptm_order")
    check(names[-1] == "ptm_order" and np.all(order[corner] == 4) and np.all(order[~corner] == 3),
          "--ptm-ordering: L1_2 Cu3Au, B site 4 on Au, A site 3 on Cu")
pos, h = lattices["bcc"][1]
frac = np.mod(pos / (d * 2 / np.sqrt(3)), 1.0)
body = np.all(frac > 0.25, axis=1)
write_dump(W("b2.dump"), pos, h, types=np.where(body, 2, 1))
names, rows = ptm(W("b2.dump"), "--ptm", "--ptm-ordering")
if names is not None:
    check(np.all(col(names, rows, "ptm_order") == 5), "--ptm-ordering: CsCl-type lattice is B2 (5)")

# --- 5. OVITO's PTM library on real frames
for src, table in (("cu_tilted.dump", "cu_tilted"), ("cuzr_glass_ref.dump", "cuzr_glass_ref"),
                   ("ptm/cu_1200.dump", "cu_1200"), ("ptm/si_dcub_1000.dump", "si_dcub_1000"),
                   ("ptm/si_dhex_600.dump", "si_dhex_600")):
    names, rows = ptm(os.path.join(ref, src), "--ptm", "0", "--ptm-ordering")
    if names is None:
        continue
    with gzip.open(os.path.join(ref, "ptm", table + ".ovito.txt.gz"), "rt") as f:
        ov = np.loadtxt(f, skiprows=1)
    ov = ov[np.argsort(ov[:, 0])]
    same_ids = np.array_equal(ov[:, 0], col(names, rows, "id"))
    kinds = col(names, rows, "ptm")
    rmsd = col(names, rows, "ptm_rmsd")
    differ = kinds != ov[:, 1]
    # Known difference (docs/descriptors/ptm.md, Algorithm 1.): the two-shell outer atoms come from
    # the central atom's 32 nearest, not each inner atom's own list, so in disordered matter a
    # diamond may be found where OVITO finds none — only far above any RMSD cutoff (glass: 1 of
    # 2000 atoms, RMSD 0.34). Everything else, and every atom after OVITO's default cutoff 0.1,
    # must agree.
    tolerated = differ & np.isin(kinds, [6, 7]) & (ov[:, 1] == 0) & (rmsd > 0.1)
    with_cutoff = np.where(rmsd > 0.1, 0, kinds), np.where(ov[:, 2] > 0.1, 0, ov[:, 1])
    m = (kinds > 0) & ~differ
    q = rows[:, [names.index(c) for c in PTM_COLS[2:6]]]
    worst = {
        "rmsd": float(np.abs(col(names, rows, "ptm_rmsd")[m] - ov[m, 2]).max()),
        "q": float(np.abs(q[m] - ov[m, 3:7]).max()),
        "dist": float((np.abs(col(names, rows, "ptm_scale")[m] - ov[m, 7]) / ov[m, 7]).max()),
    }
    counts = {int(k): int((kinds == k).sum()) for k in np.unique(kinds)}
    # the same arithmetic up to summation order and the eigen solver: 1e-12 of O(1) values
    # (measured 1.8e-14 RMSD, 9e-16 quaternion, 2.2e-15 relative distance)
    check(same_ids and np.array_equal(differ, tolerated) and tolerated.sum() <= len(kinds) // 1000
          and np.array_equal(*with_cutoff) and np.array_equal(col(names, rows, "ptm_order")[~differ], ov[~differ, 8])
          and all(v < 1e-12 for v in worst.values()),
          f"{src}: structure and ordering as OVITO's PTM for {len(kinds) - differ.sum()} of {len(kinds)} atoms "
          f"{counts} (all after the 0.1 cutoff; {tolerated.sum()} two-shell match above 0.1 where OVITO has none); "
          f"{', '.join(f'{k} {v:.1e}' for k, v in worst.items())}")

for flags, message in ((["--ptm", "-1"], "RMSD cutoff"), (["--ptm", "--ptm-structures", "fcc,xyz"], "unknown structure"),
                       (["--ptm-ordering"], "need --ptm")):
    r = run(exe, "compute", W("fcc.dump"), "-o", W("err.dump"), *flags)
    check(r.returncode != 0 and message in r.stderr, f"{' '.join(flags)}: an error naming '{message}' ({r.stderr.strip()[-120:]})")

check.finish()
