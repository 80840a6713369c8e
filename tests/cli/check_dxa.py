#!/usr/bin/python3
"""`tessera dxa` end to end (ctest cli.dxa): the exact columns of LINES.csv and SUMMARY.csv, the
per-atom dump and the VTK file, checked against each other and against what the inputs are known
to contain (tests/reference/dxa/README.md): a stacking-fault tetrahedron is six stair-rods; a
dissociated edge dislocation two Shockley partials adding up to a/2[1-10], each as long as the
periodic line; the yielding frame of cu.dump has lines and the elastic one none. The per-atom
`structure` column is compared atom by atom with an independent NumPy CNA (check_inputs.py of
the reference directory, which equals LAMMPS compute cna/atom on these files). Bad input: an
output named like the input, a missing file, an unknown lattice.
Usage: check_dxa.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
import csv
import gzip
import math
import os
import shutil
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checks  # noqa: E402

exe, ref, work = (os.path.abspath(a) for a in sys.argv[1:4])
sys.path.insert(0, os.path.join(ref, "dxa"))
import check_inputs  # noqa: E402  (the reference inputs' own checker: dump reader and CNA)

shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
check = Checks()

LINES = ["frame", "line", "family", "b_lattice", "bx", "by", "bz", "length", "points"]
SUMMARY = ["frame", "timestep", "total_length", "density", "length_perfect", "length_shockley", "length_stair_rod",
           "length_hirth", "length_frank", "length_other", "b_sum"]
A = 3.615


def run(*args, expect=0):
    r = subprocess.run([exe, *args], cwd=work, capture_output=True, text=True)
    check(r.returncode == expect, f"tessera {' '.join(args)} exits {expect} (got {r.returncode}: {r.stderr.strip()[-300:]})")
    return r


def table(name):
    with open(os.path.join(work, name)) as f:
        rows = list(csv.reader(f))
    return rows[0], [dict(zip(rows[0], r)) for r in rows[1:]]


def dump_columns(name):
    with open(os.path.join(work, name)) as f:
        lines = f.read().splitlines()
    n = int(lines[3])
    cols = lines[8].split()[2:]
    data = [l.split() for l in lines[9:9 + n]]
    return cols, data


# --- stacking-fault tetrahedron: every output --------------------------------------------------
sft = os.path.join(ref, "dxa", "sft.dump.gz")
run("dxa", sft, "-o", "sft_lines.csv", "--summary", "sft_summary.csv", "--per-atom", "sft_atoms.dump", "--vtk",
    "sft.vtk")
head, lines = table("sft_lines.csv")
check(head == LINES, f"LINES.csv header {head}")
check(len(lines) == 6 and all(r["family"] == "stair_rod" for r in lines), f"SFT: six stair-rods ({[r['family'] for r in lines]})")
for r in lines:
    b = np.array([float(r["bx"]), float(r["by"]), float(r["bz"])])
    # Spatial b = O·b_lattice carries the cluster's mean elastic strain: the small crystal
    # inside the tetrahedron is strained by ~1 % (3 % allowed).
    check(abs(np.linalg.norm(b) - A / math.sqrt(18)) < 0.03 * A / math.sqrt(18),
          f"SFT line {r['line']}: |b| = {np.linalg.norm(b):.4f} = a/√18 = {A / math.sqrt(18):.4f} (3 %)")
    check(r["b_lattice"].startswith("1/6[") and r["b_lattice"].count(" ") == 2, f"b_lattice notation {r['b_lattice']}")
head, summary = table("sft_summary.csv")
check(head == SUMMARY, f"SUMMARY.csv header {head}")
s = summary[0]
total = sum(float(r["length"]) for r in lines)
check(abs(float(s["total_length"]) - total) < 1e-9 * total, f"total_length {s['total_length']} = Σ line lengths {total}")
check(float(s["length_stair_rod"]) == float(s["total_length"]), "all length is stair-rod")
_, pos, cell, origin, pbc, _ = check_inputs.read_dump(sft)
volume = abs(np.linalg.det(cell))
check(abs(float(s["density"]) - total / volume) < 1e-9 * total / volume, f"density = total / V ({volume:.1f} Å³)")
bsum = np.sum([[float(r["bx"]), float(r["by"]), float(r["bz"])] for r in lines], axis=0)
check(abs(float(s["b_sum"]) - np.linalg.norm(bsum)) < 1e-9, f"b_sum = |Σ b| = {np.linalg.norm(bsum):.6f}")
check(s["timestep"] == "5197", f"timestep {s['timestep']}")
cols, data = dump_columns("sft_atoms.dump")
check(cols == ["id", "type", "x", "y", "z", "structure", "dislocation_line"], f"per-atom columns {cols}")
structure = np.array([int(d[5]) for d in data])
line_of = np.array([int(d[6]) for d in data])
check(set(structure) <= {1, 2, 3, 5}, f"structure codes {sorted(set(structure))}")
check(line_of.min() >= -1 and line_of.max() < len(lines) and (line_of >= 0).sum() > 0,
      f"dislocation_line in [-1, {len(lines)}) with {(line_of >= 0).sum()} atoms on lines")
# The same structures as an independent CNA (0 K relaxed: the local cutoff changes nothing).
cna = check_inputs.cna(pos, cell, origin, pbc)
mapped = np.where(cna == 1, 1, np.where(cna == 2, 2, 5))
check(np.array_equal(mapped, structure), f"structure equals the NumPy CNA for {int((mapped == structure).sum())} of {len(structure)} atoms")
with open(os.path.join(work, "sft.vtk")) as f:
    vtk = f.read().split("\n")
npts = int(next(l for l in vtk if l.startswith("POINTS")).split()[1])
nl = int(next(l for l in vtk if l.startswith("LINES")).split()[1])
check(npts == sum(int(r["points"]) for r in lines) and nl == 6, f"VTK: {npts} points, {nl} polylines")

# --- dissociated edge dislocation --------------------------------------------------------------
run("dxa", os.path.join(ref, "dxa", "edge.dump.gz"), "-o", "edge_lines.csv")
_, lines = table("edge_lines.csv")
Lz = 22.137263550402899
check(len(lines) == 2 and all(r["family"] == "shockley" for r in lines), "edge: two Shockley partials")
for r in lines:
    check(abs(float(r["length"]) - Lz) < 0.02 * Lz, f"edge partial length {r['length']} = Lz {Lz:.3f} (2 %)")
b = np.sum([[float(r["bx"]), float(r["by"]), float(r["bz"])] for r in lines], axis=0)
check(abs(abs(b[0]) - A / math.sqrt(2)) < 0.01 and abs(b[1]) < 1e-3 and abs(b[2]) < 1e-3,
      f"edge: partials add up to a/2[1-10] along x ({b})")

# --- a trajectory: frames, --frames ------------------------------------------------------------
shutil.copy(os.path.join(ref, "cu_tilted.dump"), os.path.join(work, "cu.dump"))
run("dxa", "cu.dump", "-o", "cu_lines.csv", "--summary", "cu_summary.csv")
_, summary = table("cu_summary.csv")
check([r["timestep"] for r in summary] == ["3500", "8000", "8250"], f"one summary row per frame {[r['timestep'] for r in summary]}")
check(float(summary[0]["total_length"]) == 0 and float(summary[1]["total_length"]) > 0,
      "no line before yield, lines while yielding")
_, lines = table("cu_lines.csv")
check(all(r["frame"] == "1" for r in lines) and len(lines) > 0, "lines only in frame 1")
run("dxa", "cu.dump", "-o", "cu1.csv", "--frames", "1:2")
_, one = table("cu1.csv")
check([(r["family"], r["b_lattice"], r["length"]) for r in one] == [(r["family"], r["b_lattice"], r["length"]) for r in lines],
      "--frames 1:2 gives frame 1's lines")

# --- row order: the same lines whatever order the dump lists the atoms in (analysed by id) -------
with open(os.path.join(work, "cu.dump")) as fh:
    frames = ["ITEM: TIMESTEP" + x for x in fh.read().split("ITEM: TIMESTEP")[1:]]
rows = frames[1].rstrip("\n").split("\n")
atoms_at = next(i for i, x in enumerate(rows) if x.startswith("ITEM: ATOMS")) + 1
header, atom_rows = rows[:atoms_at], rows[atoms_at:]
with open(os.path.join(work, "cu_sorted.dump"), "w") as fh:
    fh.write("\n".join(header + atom_rows) + "\n")
order = np.random.default_rng(5).permutation(len(atom_rows))
with open(os.path.join(work, "cu_shuffled.dump"), "w") as fh:
    fh.write("\n".join(header + [atom_rows[i] for i in order]) + "\n")
run("dxa", "cu_sorted.dump", "-o", "sorted_lines.csv", "--per-atom", "sorted_atoms.dump")
run("dxa", "cu_shuffled.dump", "-o", "shuffled_lines.csv", "--per-atom", "shuffled_atoms.dump")
with open(os.path.join(work, "sorted_lines.csv")) as a, open(os.path.join(work, "shuffled_lines.csv")) as b:
    check(a.read() == b.read(), "rows shuffled (ids kept): LINES.csv byte for byte the same")
ca, da = dump_columns("sorted_atoms.dump")
cb, db = dump_columns("shuffled_atoms.dump")
da, db = np.array(da, dtype=float), np.array(db, dtype=float)
ia, ib = np.argsort(da[:, ca.index("id")]), np.argsort(db[:, cb.index("id")])
check(np.array_equal(da[ia], db[ib]), "... and every atom's row, matched by id, the same (structure, dislocation_line)")

# --- threads: frames analysed in parallel, written in order: byte-identical output ----------------
for t in ("1", "2", "3"):
    run("dxa", "cu.dump", "-o", f"thr{t}_lines.csv", "--summary", f"thr{t}_summary.csv", "--per-atom", f"thr{t}_atoms.dump",
        "--threads", t)
for name in ("lines.csv", "summary.csv", "atoms.dump"):
    with open(os.path.join(work, "thr1_" + name), "rb") as a:
        one = a.read()
    for t in ("2", "3"):
        with open(os.path.join(work, f"thr{t}_" + name), "rb") as b:
            check(b.read() == one, f"--threads {t}: {name} byte for byte as --threads 1")


def fcc_frame(timestep, cells):
    a = 3.615
    basis = ((0, 0, 0), (0.5, 0.5, 0), (0.5, 0, 0.5), (0, 0.5, 0.5))
    pts = [((i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a)
           for i in range(cells) for j in range(cells) for k in range(cells) for b in basis]
    L = cells * a
    head = (f"ITEM: TIMESTEP\n{timestep}\nITEM: NUMBER OF ATOMS\n{len(pts)}\nITEM: BOX BOUNDS pp pp pp\n"
            f"0 {L}\n0 {L}\n0 {L}\nITEM: ATOMS id type x y z\n")
    return head + "".join(f"{n + 1} 1 {p[0]} {p[1]} {p[2]}\n" for n, p in enumerate(pts))


# A frame that fails inside a batch of frames is named, whatever the thread count, and no output is left.
with open(os.path.join(work, "mixed.dump"), "w") as fh:
    fh.write(fcc_frame(0, 4) + fcc_frame(10, 1) + fcc_frame(20, 4))
for t in ("1", "2"):
    r = run("dxa", "mixed.dump", "-o", f"mixed{t}.csv", "--threads", t, expect=1)
    check("mixed.dump frame 1 (timestep 10)" in r.stderr and "too small" in r.stderr,
          f"--threads {t}: the failing frame is named ({r.stderr.strip()[-160:]})")
    check(not os.path.exists(os.path.join(work, f"mixed{t}.csv")), f"--threads {t}: no partial LINES.csv")

# --- bad input ---------------------------------------------------------------------------------
r = run("dxa", "cu.dump", "-o", "cu.dump", expect=2)
check("same file as the input" in r.stderr, "an output named like the input is refused")
check(os.path.getsize(os.path.join(work, "cu.dump")) == os.path.getsize(os.path.join(ref, "cu_tilted.dump")), "... and the input is intact")
r = run("dxa", "missing.dump", "-o", "x.csv", expect=1)
check("missing.dump" in r.stderr, "a missing input is named")
r = run("dxa", "cu.dump", "-o", "x.csv", "--lattice", "diamond", expect=2)
r = run("dxa", "cu.dump", "-o", "x.csv", "--lattice", "bcc")
check("warning" in r.stderr and "bcc" in r.stderr, f"a lattice that matches no atom warns ({r.stderr.strip()[-200:]})")
check.finish()
