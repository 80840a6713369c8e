#!/usr/bin/python3
"""What tessera writes, others read (issue 22).

(a) ASE (Debian python3-ase): `tessera compute cu_tilted.dump --csp 12 --coord 3.0 -o X.xyz` (and
    `.extxyz.gz`) read with ase.io.read(X, index=":"): every frame; positions, the per-atom arrays
    (csp, coord, id, type, image flags), the cell (triclinic) and Origin equal the `-o X.dump`
    output of the same command exactly (both are shortest round-trip numbers of the same doubles;
    the dump's cell is rebuilt from its bounding-box bounds); pbc and the timestep as the dump has
    them.
(b) LAMMPS (Debian lmp): `rerun` over a tessera-written dump (x y z, image flags, box) with
    `compute coord/atom cutoff 3.0` and `compute centro/atom fcc`: LAMMPS's values equal the
    tessera columns of that same file (coord exactly, csp to 1e-8 relative as
    tests/descriptors/csp.cpp does), the box bounds and tilts it read are the file's exactly, and
    in an orthogonal box positions come back exactly for every atom LAMMPS did not remap into the
    box; LAMMPS wraps atoms outside it, and in a triclinic box takes every atom through
    fractional coordinates and back (domain->remap), so those are compared unwrapped, r + h n,
    to 1e-12 A. On the orthogonal CuZr glass and the triclinic Cu (tests/reference/cuzr_glass.dump,
    cu_tilted.dump).
(c) OVITO is not installed here; it reads LAMMPS dumps and extended XYZ, the formats (a) and (b)
    check (docs/reliability.md).
Usage: check_interop.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
import math
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checks, read_dump, run  # noqa: E402

exe, ref, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
check = Checks()

try:
    import numpy as np
    import ase.io
except ImportError as e:
    print(f"{e.name} missing (Debian python3-ase, python3-numpy): skipped (exit 77, a ctest skip)")
    sys.exit(77)
lmp = shutil.which("lmp")  # Debian's lammps package, as tests/reference/make_reference.sh uses
if lmp is None:
    print("lmp missing (Debian lammps): skipped (exit 77, a ctest skip)")
    sys.exit(77)


def dump_header(path):
    """Per frame: timestep, box line (flags) and the three bounds lines as floats."""
    with open(path) as f:
        lines = f.read().splitlines()
    out = []
    for i, line in enumerate(lines):
        if line.startswith("ITEM: BOX BOUNDS"):
            step = int(lines[lines.index("ITEM: TIMESTEP", max(0, i - 8)) + 1])
            out.append((step, line, [[float(v) for v in lines[i + k].split()] for k in (1, 2, 3)]))
    return out


def box_of(bounds_line, bounds):
    """lo (3), cell rows a, b, c from LAMMPS bounds (bounding-box form when triclinic)."""
    if "xy xz yz" in bounds_line:
        (xlb, xhb, xy), (ylb, yhb, xz), (zlo, zhi, yz) = bounds
        xlo = xlb - min(0.0, xy, xz, xy + xz)
        xhi = xhb - max(0.0, xy, xz, xy + xz)
        ylo, yhi = ylb - min(0.0, yz), yhb - max(0.0, yz)
    else:
        (xlo, xhi), (ylo, yhi), (zlo, zhi) = bounds
        xy = xz = yz = 0.0
    cell = np.array([[xhi - xlo, 0, 0], [xy, yhi - ylo, 0], [xz, yz, zhi - zlo]])
    return np.array([xlo, ylo, zlo]), cell


def array(frame, name):
    return np.array([float(v) for v in (r[frame["names"].index(name)] for r in frame["rows"])])


def ulps(a, b):
    """Largest distance between a and b in units of the last place of b."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.spacing(np.maximum(np.abs(b), 1e-300))))


# --- (a) ASE reads the extended XYZ ------------------------------------------------------------
src = os.path.join(ref, "cu_tilted.dump")
cmd = ["compute", src, "--csp", "12", "--coord", "3.0"]
dump_out = os.path.join(work, "cu_interop.dump")
r = run(exe, *cmd, "-o", dump_out)
check(r.returncode == 0, f"compute -o {dump_out} exits 0 ({r.stderr.strip()})")
frames = read_dump(dump_out)
headers = dump_header(dump_out)
for target in ("cu_interop.xyz", "cu_interop.extxyz.gz"):
    xyz = os.path.join(work, target)
    r = run(exe, *cmd, "-o", xyz)
    check(r.returncode == 0, f"compute -o {target} exits 0 ({r.stderr.strip()})")
    atoms = ase.io.read(xyz, index=":")
    check(len(atoms) == len(frames) == 3, f"{target}: ASE reads {len(atoms)} frames, the dump has {len(frames)}")
    worst_cell = worst_origin = 0.0
    for a, fr, (step, bline, bounds) in zip(atoms, frames, headers):
        what = f"{target} timestep {fr['timestep']}"
        check(a.info.get("Timestep") == fr["timestep"] == step, f"{what}: Timestep = the dump's")
        pos = np.column_stack([array(fr, c) for c in ("x", "y", "z")])
        check(len(a) == len(fr["rows"]) and np.array_equal(a.positions, pos), f"{what}: positions = the dump's, exactly")
        for name in ("id", "type", "ix", "iy", "iz", "coord", "coord_1", "csp"):
            got = a.arrays.get(name)
            check(got is not None and np.array_equal(got, array(fr, name)),
                  f"{what}: ASE array '{name}' = the dump column, exactly")
        check(a.arrays.get("id", np.zeros(0)).dtype.kind == "i" and a.arrays.get("csp", np.zeros(0, int)).dtype.kind == "f",
              f"{what}: id integer, csp float")
        check(list(a.pbc) == [True, True, True] and "pp pp pp" in bline, f"{what}: pbc T T T as the dump's pp pp pp")
        check(set(a.get_chemical_symbols()) == {"X"}, f"{what}: species X (no element names in the input)")
        lo, cell = box_of(bline, bounds)
        got_cell = np.array(a.cell)
        check(got_cell[1, 0] == cell[1, 0] and got_cell[2, 0] == cell[2, 0] and got_cell[2, 1] == cell[2, 1]
              and cell[1, 0] != 0 and cell[2, 1] != 0, f"{what}: tilts xy xz yz = the dump's, exactly (triclinic)")
        check(got_cell[0, 1] == got_cell[0, 2] == got_cell[1, 2] == 0, f"{what}: cell upper-triangular (a along x)")
        worst_cell = max(worst_cell, ulps(np.diag(got_cell), np.diag(cell)))
        worst_origin = max(worst_origin, ulps(a.info.get("Origin", np.full(3, np.inf)), lo))
    # lo and hi are recovered from the dump's bounding-box bounds by a subtraction each, which could
    # round; for these boxes it is exact, so the cell and the origin must be equal to the last bit.
    check(worst_cell == 0, f"{target}: cell lengths = the dump's, exactly (worst {worst_cell:g} ulp)")
    check(worst_origin == 0, f"{target}: Origin = the dump's lo, exactly (worst {worst_origin:g} ulp)")

# --- (b) LAMMPS rerun over a tessera dump ------------------------------------------------------
RERUN = """units           metal
atom_style      atomic
boundary        p p p
# placeholder box of the same kind (LAMMPS refuses a triclinic dump in an orthogonal box)
region          box {region} units box
create_box      {ntypes} box
mass            * 63.546
# no forces: the pair cutoff (6.0) is the neighbour-list range, the search radius of centro/atom
pair_style      zero 6.0
pair_coeff      * *
neighbor        1.0 bin
compute         coord all coord/atom cutoff 3.0
compute         csp   all centro/atom fcc
dump            d all custom 1 {out} id type x y z ix iy iz c_coord c_csp
dump_modify     d sort id format float %.17g
rerun           {inp} dump x y z ix iy iz box yes add yes
"""
for name, ntypes, region in (("cuzr_glass.dump", 2, "block 0 10 0 10 0 10"),
                             ("cu_tilted.dump", 1, "prism 0 10 0 10 0 10 1 1 1")):
    triclinic = region.startswith("prism")
    mine = os.path.join(work, "rerun_" + name)
    r = run(exe, "compute", os.path.join(ref, name), "--csp", "12", "--coord", "3.0", "-o", mine)
    check(r.returncode == 0, f"compute {name} exits 0 ({r.stderr.strip()})")
    theirs = os.path.join(work, "lammps_" + name)
    if os.path.exists(theirs):
        os.remove(theirs)
    script = os.path.join(work, "in.rerun_" + name)
    with open(script, "w") as f:
        f.write(RERUN.format(region=region, ntypes=ntypes, out=os.path.basename(theirs), inp=os.path.basename(mine)))
    p = subprocess.run([lmp, "-nocite", "-in", os.path.basename(script), "-log", "none", "-screen", "none"],
                       cwd=work, capture_output=True, text=True)
    check(p.returncode == 0 and os.path.exists(theirs), f"lmp rerun over tessera's {name} exits 0 ({p.stderr.strip()[-300:]})")
    if p.returncode != 0 or not os.path.exists(theirs):
        continue
    a, b = read_dump(mine), read_dump(theirs)
    ha, hb = dump_header(mine), dump_header(theirs)
    check(len(a) == len(b) >= 2, f"{name}: LAMMPS reran every frame ({len(b)} of {len(a)})")
    worst_csp, remapped, exact, worst_unwrapped = 0.0, 0, 0, 0.0
    for fa, fb, (sa, la, ba), (sb, lb, bb) in zip(a, b, ha, hb):
        what = f"{name} timestep {fa['timestep']}"
        check(fa["timestep"] == fb["timestep"] and len(fa["rows"]) == len(fb["rows"]), f"{what}: timestep, atom count")
        check(la == lb and ba == bb, f"{what}: box bounds and tilts LAMMPS read = the file's, exactly ({la[17:]})")
        order = np.argsort(array(fa, "id"))  # LAMMPS's dump is sorted by id
        check(np.array_equal(array(fa, "id")[order], array(fb, "id")), f"{what}: same ids")
        check(np.array_equal(array(fa, "coord")[order], array(fb, "c_coord")),
              f"{what}: LAMMPS coord/atom cutoff 3.0 = tessera coord, exactly")
        mc, lc = array(fa, "csp")[order], array(fb, "c_csp")
        rel = np.abs(mc - lc) / np.maximum(np.abs(lc), 1e-3)
        worst_csp = max(worst_csp, float(rel.max()))
        check(rel.max() < 1e-8 and lc.max() > 1, f"{what}: LAMMPS centro/atom fcc = tessera csp to 1e-8 relative "
                                                 f"(worst {rel.max():.2e}; csp up to {lc.max():.3g})")
        ra = np.column_stack([array(fa, c)[order] for c in ("x", "y", "z")])
        rb = np.column_stack([array(fb, c) for c in ("x", "y", "z")])
        na = np.column_stack([array(fa, c)[order] for c in ("ix", "iy", "iz")])
        nb = np.column_stack([array(fb, c) for c in ("ix", "iy", "iz")])
        same_image = np.all(na == nb, axis=1)
        remapped += int((~same_image).sum())
        exact += int(np.all(ra == rb, axis=1)[same_image].sum())
        if not triclinic:
            check(np.array_equal(ra[same_image], rb[same_image]),
                  f"{what}: positions LAMMPS read = the file's, exactly ({int(same_image.sum())} atoms not remapped)")
        _, cell = box_of(la, ba)
        ua, ub = ra + na @ cell, rb + nb @ cell
        worst_unwrapped = max(worst_unwrapped, float(np.abs(ua - ub).max()))
        check(np.abs(ua - ub).max() < 1e-12, f"{what}: unwrapped positions r + h n equal to 1e-12 A "
                                             f"({int((~same_image).sum())} atoms wrapped by LAMMPS)")
    print(f"     {name}: csp worst relative difference {worst_csp:.2e}; {exact} positions exact, "
          f"{remapped} remapped by LAMMPS (unwrapped worst {worst_unwrapped:.1e} A)")

check.finish()
