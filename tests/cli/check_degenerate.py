#!/usr/bin/python3
"""Degenerate geometry through the `tessera` command (issue 22; docs/reliability.md, "Degenerate
geometry"): each case has a documented, deterministic answer, checked here against what the
geometry says (perfect lattices), against a brute-force sum over periodic images written in this
file (tiny and thin boxes), or against the same crystal in a box large enough to be ordinary.

Every case also runs with 1 and 2 threads (byte-identical output) and, for the lattices, with the
atoms in a shuffled order (per-id results identical; Voronoi volumes within 1e-12 relative, since
a cell's vertices are summed in another order).

Usage: check_degenerate.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
import itertools
import math
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checks, column, read_dump, run  # noqa: E402

exe, _ref, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
check = Checks()
W = lambda name: os.path.join(work, name)  # noqa: E731


def write_dump(path, frames, bounds="pp pp pp", order=None):
    """frames: list of (positions, lo, hi); ids are 1-based positions in the list; order permutes rows."""
    with open(path, "w") as f:
        for step, (pos, lo, hi) in enumerate(frames):
            rows = list(order) if order is not None else range(len(pos))
            f.write(f"ITEM: TIMESTEP\n{step}\nITEM: NUMBER OF ATOMS\n{len(pos)}\nITEM: BOX BOUNDS {bounds}\n")
            for d in range(3):
                f.write(f"{lo[d]!r} {hi[d]!r}\n")
            f.write("ITEM: ATOMS id type x y z\n")
            for i in rows:
                p = pos[i]
                f.write(f"{i + 1} 1 {p[0]!r} {p[1]!r} {p[2]!r}\n")


def lattice(basis, cells, lengths):
    """Positions of a lattice: `basis` in fractions of one cell of `lengths`, cells = (nx, ny, nz)."""
    return [((i + b[0]) * lengths[0], (j + b[1]) * lengths[1], (k + b[2]) * lengths[2])
            for i in range(cells[0]) for j in range(cells[1]) for k in range(cells[2]) for b in basis]


def by_id(frame, name):
    ids = column(frame, "id")
    return {int(i): v for i, v in zip(ids, column(frame, name))}


def compute(tag, dump, args, threads_check=True):
    """Runs compute; checks exit 0 and thread-count independence (byte-identical); returns frame 0."""
    out1, out2 = W(f"{tag}.t1.dump"), W(f"{tag}.t2.dump")
    r = run(exe, "compute", dump, "-o", out1, "--threads", 1, *args)
    check(r.returncode == 0, f"{tag}: compute {' '.join(map(str, args))} exits 0 ({r.stderr.strip()[-200:]})")
    if r.returncode != 0:
        return None
    if threads_check:
        run(exe, "compute", dump, "-o", out2, "--threads", 2, *args)
        check(open(out1).read() == open(out2).read(), f"{tag}: 1 and 2 threads write identical files")
    return read_dump(out1)[0]


# --- perfect lattices: the answers geometry gives, degenerate Voronoi vertices included ----------
A_FCC, A_BCC, A_HCP, A_SC = 3.615, 2.87, 2.5, 2.5
C_HCP = math.sqrt(8 / 3) * A_HCP
lattices = {
    # name: (basis, cells, cell lengths, compute args, expected per-atom values)
    "fcc": ([(0, 0, 0), (.5, .5, 0), (.5, 0, .5), (0, .5, .5)], (4, 4, 4), (A_FCC,) * 3,
            ["--coord", 3.0, "--csp", 12, "--cna", 3.086, "--acna", "--voronoi"],
            {"coord": 12, "cna": 1, "acna": 1, "voronoi_faces": 12, "voronoi_n4": 12,
             "voronoi_volume": A_FCC ** 3 / 4}),
    "bcc": ([(0, 0, 0), (.5, .5, .5)], (5, 5, 5), (A_BCC,) * 3,
            ["--coord", 3.2, "--csp", 8, "--cna", 3.5, "--acna", "--voronoi"],
            {"coord": 14, "cna": 3, "acna": 3, "voronoi_faces": 14, "voronoi_n4": 6, "voronoi_n6": 8,
             "voronoi_volume": A_BCC ** 3 / 2}),
    "hcp": ([(0, 0, 0), (.5, .5, 0), (.5, 5 / 6, .5), (0, 1 / 3, .5)], (5, 3, 3),
            (A_HCP, math.sqrt(3) * A_HCP, C_HCP),
            ["--coord", 3.0, "--cna", 3.0, "--acna", "--voronoi"],
            {"coord": 12, "cna": 2, "acna": 2, "voronoi_faces": 12, "voronoi_n4": 12,
             "voronoi_volume": A_HCP * math.sqrt(3) * A_HCP * C_HCP / 4}),
    "sc": ([(0, 0, 0)], (6, 6, 6), (A_SC,) * 3,
           ["--coord", 3.0, "--csp", 6, "--voronoi"],
           {"coord": 6, "voronoi_faces": 6, "voronoi_n4": 6, "voronoi_volume": A_SC ** 3}),
}
for name, (basis, cells, lengths, args, expected) in lattices.items():
    pos = lattice(basis, cells, lengths)
    hi = tuple(c * l for c, l in zip(cells, lengths))
    plain, shuffled = W(f"{name}.dump"), W(f"{name}_shuffled.dump")
    write_dump(plain, [(pos, (0, 0, 0), hi)])
    order = list(range(len(pos)))
    random.Random(7).shuffle(order)
    write_dump(shuffled, [(pos, (0, 0, 0), hi)], order=order)
    f = compute(name, plain, args)
    g = compute(f"{name}_shuffled", shuffled, args, threads_check=False)
    if f is None or g is None:
        continue
    for col, want in expected.items():
        got = column(f, col)
        tol = 1e-12 * abs(want)  # a volume summed from ~30 vertex products
        check(all(abs(v - want) <= tol for v in got), f"{name}: every atom has {col} = {want:.12g}")
    if "--csp" in args:
        csp = column(f, "csp")
        # |r_i + r_j|^2 of exactly opposite neighbours: rounding of (a/2)^2-sized terms only
        check(max(csp) < 1e-20, f"{name}: csp is zero to rounding (max {max(csp):.3g})")
    for col in f["names"]:
        if col in ("id", "type", "x", "y", "z"):
            continue
        a, b = by_id(f, col), by_id(g, col)
        if col in ("voronoi_volume", "voronoi_area", "csp"):
            same = all(abs(a[i] - b[i]) <= 1e-12 * max(abs(a[i]), 1e-18) + 1e-25 for i in a)
        else:
            same = a == b
        check(same, f"{name}: {col} follows the ids when the atoms are shuffled")

# --- an atom exactly on the upper box face is the atom on the lower face -------------------------
fcc = lattice(lattices["fcc"][0], (4, 4, 4), (A_FCC,) * 3)
L = 4 * A_FCC
moved = list(fcc)
moved[0] = (L, 0.0, 0.0)  # fcc[0] is (0, 0, 0)
write_dump(W("face.dump"), [(moved, (0, 0, 0), (L, L, L))])
face = compute("face", W("face.dump"), lattices["fcc"][3])
base = read_dump(W("fcc.t1.dump"))[0]
if face is not None:
    for col in ("coord", "cna", "acna", "voronoi_faces"):
        check(column(face, col) == column(base, col), f"atom on the upper face: {col} as on the lower face")
    v, w = column(face, "voronoi_volume"), column(base, "voronoi_volume")
    check(max(abs(p - q) for p, q in zip(v, w)) < 1e-12 * A_FCC ** 3, "atom on the upper face: Voronoi volumes equal")


# --- boxes thinner than the cutoff and tiny systems: brute force over periodic images -------------
def brute_coord(pos, box, rc):
    """Neighbours within rc of each atom, summed over every periodic image (self-images included)."""
    reach = [math.ceil(rc / b) for b in box]
    counts = []
    for p in pos:
        n = 0
        for q in pos:
            for s in itertools.product(*(range(-k, k + 1) for k in reach)):
                d2 = sum((q[d] + s[d] * box[d] - p[d]) ** 2 for d in range(3))
                if 0 < d2 < rc * rc:
                    n += 1
        counts.append(n)
    return counts


thin_box = (2 * A_FCC, 2 * A_FCC, A_FCC)  # one cell thick along z
thin = lattice(lattices["fcc"][0], (2, 2, 1), (A_FCC,) * 3)
write_dump(W("thin.dump"), [(thin, (0, 0, 0), thin_box)])
for rc in (4.0, 8.0):  # 8.0 > 2 Lz: an atom meets several images of the same neighbour
    t = compute(f"thin_rc{rc}", W("thin.dump"), ["--coord", rc, "--steinhardt", 6, "--steinhardt-cutoff", rc])
    if t is not None:
        want = brute_coord(thin, thin_box, rc)
        check(column(t, "coord") == want, f"box thinner than rc = {rc}: coord = brute force over images ({want[0]})")
        bulk = compute(f"bulk_rc{rc}", W("fcc.dump"), ["--coord", rc, "--steinhardt", 6, "--steinhardt-cutoff", rc],
                       threads_check=False) if rc < L / 2 else None
        if bulk is not None:
            check(set(column(bulk, "coord")) == set(column(t, "coord")), f"thin box rc = {rc}: coord as in bulk fcc")
            q_thin, q_bulk = column(t, "q6"), column(bulk, "q6")
            check(max(abs(q - q_bulk[0]) for q in q_thin) < 1e-12, f"thin box rc = {rc}: q6 as in bulk fcc")

one, two = [(1.0, 2.0, 3.0)], [(1.0, 2.0, 3.0), (3.5, 2.0, 3.0)]
write_dump(W("one.dump"), [(one, (0, 0, 0), (10, 10, 10))])
write_dump(W("two.dump"), [(two, (0, 0, 0), (10, 10, 10))])
for tag, pos in (("one", one), ("two", two)):
    for rc in (3.0, 10.5, 14.5):  # none, the 6 face images, + the 12 edge images
        r = compute(f"{tag}_rc{rc}", W(f"{tag}.dump"), ["--coord", rc])
        if r is not None:
            want = brute_coord(pos, (10, 10, 10), rc)
            check(column(r, "coord") == want, f"{tag} atom(s) in a periodic 10 A box, rc = {rc}: coord = {want}")

# open box: too few neighbours for a k-nearest descriptor is NaN with a note, not an error
write_dump(W("two_open.dump"), [(two, (0, 0, 0), (10, 10, 10))], bounds="ff ff ff")
r = run(exe, "compute", W("two_open.dump"), "-o", W("two_open.out.dump"), "--csp", 12, "--coord", 3.0)
check(r.returncode == 0 and "--csp is undefined for 2 atoms" in r.stderr,
      f"two atoms in an open box: csp 12 undefined, said on stderr ({r.stderr.strip()[:120]})")
if r.returncode == 0:
    o = read_dump(W("two_open.out.dump"))[0]
    check(all(math.isnan(v) for v in column(o, "csp")) and column(o, "coord") == [1, 1],
          "two atoms in an open box: csp nan, coord 1 each")

# an empty frame: a frame with no rows, the same columns
write_dump(W("empty.dump"), [([], (0, 0, 0), (10, 10, 10))])
e = compute("empty", W("empty.dump"), ["--coord", 3.0, "--csp", 12, "--voronoi"])
if e is not None:
    check(e["rows"] == [] and "coord" in e["names"] and "voronoi_volume" in e["names"],
          "empty frame: written with no rows and every column named")

# --- a cutoff equal to a shell distance: split by rounding, but deterministic ----------------------
rc_shell = A_FCC / math.sqrt(2)
s1 = compute("shell", W("fcc.dump"), ["--coord", repr(rc_shell)])
s2 = compute("shell_shuffled", W("fcc_shuffled.dump"), ["--coord", repr(rc_shell)], threads_check=False)
if s1 is not None and s2 is not None:
    counts = column(s1, "coord")
    check(all(0 <= c <= 12 for c in counts), f"rc = nearest distance: 0..12 neighbours each (a split shell: "
          f"{sorted(set(int(c) for c in counts))})")
    check(by_id(s1, "coord") == by_id(s2, "coord"), "rc = nearest distance: the same split for shuffled atoms")

# --- D2min with a coplanar neighbourhood: undefined, written as nan with strain_valid 0 ------------
plane = [(i * 2.5, j * 2.5, 5.0) for i in range(8) for j in range(8)]
sheared = [(x + 0.01 * y, y, z) for x, y, z in plane]
write_dump(W("plane.dump"), [(plane, (0, 0, 0), (20, 20, 10)), (sheared, (0, 0, 0), (20, 20, 10))])
r = run(exe, "d2min", W("plane.dump"), "-o", W("plane.out.dump"), "--cutoff", 3.0)
check(r.returncode == 0 and "coplanar" in r.stderr, f"d2min on a plane: runs, says why undefined ({r.stderr.strip()[:100]})")
if r.returncode == 0:
    last = read_dump(W("plane.out.dump"))[-1]
    check(all(math.isnan(v) for v in column(last, "d2min")) and set(column(last, "strain_valid")) == {0.0},
          "d2min on a plane: nan with strain_valid 0 for every atom")

check.finish()
