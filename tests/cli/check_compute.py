#!/usr/bin/python3
"""End-to-end test of `tessera compute --coord`: runs the command on LAMMPS reference dumps and
checks that (1) every input column and the box come through unchanged, (2) `coord` and
`coord_1` equal LAMMPS coord/atom, (3) --frames selects frames, (4) .gz input works,
(4b) `--soap` columns equal a separate quadrature of SOAP's defining integral, (5) bad input fails with a message naming file and line, and bad arguments exit 2.
Usage: check_compute.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
import gzip
import os
import shutil
import subprocess
import sys

exe, ref, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def read_dump(path):
    """Frames as (header lines, column names, rows as lists of strings)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        lines = f.read().splitlines()
    frames, i = [], 0
    while i < len(lines):
        assert lines[i] == "ITEM: TIMESTEP", (path, i, lines[i])
        n = int(lines[i + 3])
        header = lines[i:i + 8]
        names = lines[i + 8].split()[2:]
        rows = [lines[i + 9 + k].split() for k in range(n)]
        frames.append((header, names, rows))
        i += 9 + n
    return frames


def run(*args):
    return subprocess.run([exe, *args], capture_output=True, text=True)


# (1)-(2) Cu in a strongly tilted box, every frame.
src = os.path.join(ref, "cu_tilted_ref.dump")
out = os.path.join(work, "cu_coord.dump")
r = run("compute", src, "-o", out, "--coord", "3.0", "--threads", "2")
check(r.returncode == 0, f"compute on {src} exits 0 ({r.stderr.strip()})")
a, b = read_dump(src), read_dump(out)
check(len(a) == len(b) and len(a) >= 2, f"same number of frames ({len(a)} in, {len(b)} out)")
for (ha, na, ra), (hb, nb, rb) in zip(a, b):
    check(ha[:4] == hb[:4], "timestep and atom count unchanged")
    box_a = [[float(v) for v in l.split()] for l in ha[5:8]]
    box_b = [[float(v) for v in l.split()] for l in hb[5:8]]
    check(box_a == box_b and ha[4] == hb[4], "box bounds, tilts and flags unchanged (bit for bit)")
    check(nb[:len(na)] == na and nb[len(na):] == ["coord", "coord_1"], f"columns: input + coord, coord_1 ({nb[len(na):]})")
    same = all(float(x) == float(y) for rowa, rowb in zip(ra, rb) for x, y in zip(rowa, rowb[:len(na)]))
    check(same, "every input value unchanged")
    ic, it, oc, o1 = na.index("c_c30"), na.index("c_c30t"), nb.index("coord"), nb.index("coord_1")
    bad = sum(float(rowa[ic]) != float(rowb[oc]) or float(rowa[it]) != float(rowb[o1]) for rowa, rowb in zip(ra, rb))
    check(bad == 0, f"coord == LAMMPS coord/atom for all {len(ra)} atoms ({bad} differ)")

# (3) frame selection and (4) gzip input, on the tiny triclinic box with cutoff > box length.
tiny = os.path.join(ref, "tiny_tri_ref.dump")
tiny_gz = os.path.join(work, "tiny_tri_ref.dump.gz")
with open(tiny, "rb") as fi, gzip.open(tiny_gz, "wb") as fo:
    shutil.copyfileobj(fi, fo)
out = os.path.join(work, "tiny.dump")
r = run("compute", tiny_gz, "-o", out, "--coord", "7.5", "--frames", "0:1")
check(r.returncode == 0, f"gzip input exits 0 ({r.stderr.strip()})")
(h, names, rows), = read_dump(out)
c = names.index("coord")
check(all(float(row[names.index("c_c75")]) == float(row[c]) for row in rows), "cutoff 7.5 > box lengths: coord == LAMMPS")

# (4b) --soap: the power spectrum of tests/reference/soap/soap_reference.txt (a separate 3-D
# quadrature of the defining integral, make_soap_reference.py) through the command: columns
# soap_0 ... soap_83 in DScribe's order, printed to 17 digits.
glass = os.path.join(ref, "cuzr_glass.dump")
soap_out = os.path.join(work, "soap.dump")
r = run("compute", glass, "-o", soap_out, "--frames", "0", "--soap", "4.5", "--soap-nmax", "3", "--soap-lmax", "3",
        "--soap-sigma", "0.6", "--soap-basis", "polynomial")
check(r.returncode == 0, f"compute --soap polynomial ({r.stderr.strip()[-200:]})")
if r.returncode == 0:
    _, names, rows = read_dump(soap_out)[0]
    cols = [c for c in names if c.startswith("soap_")]
    reference, cfg = {}, None
    for line in open(os.path.join(ref, "soap", "soap_reference.txt")):
        t = line.split()
        if t[0] == "config":
            cfg = t[1]
        elif cfg == "name=cuzr_polynomial":
            reference[t[1]] = [float(v) for v in t[2:]]
    byid = {row[names.index("id")]: row for row in rows}
    worst = max(max(abs(float(byid[cid][names.index(c)]) - v) for c, v in zip(cols, vec)) / max(abs(v) for v in vec)
                for cid, vec in reference.items())
    # quadrature references converged to 2e-14; tessera's 100-point radial rule: 2e-12
    check(cols == [f"soap_{k}" for k in range(84)] and len(reference) == 2 and worst < 1e-11,
          f"compute --soap: soap_0 ... soap_83 equal the quadrature reference within 1e-11 of max |p| ({worst:.1e})")
r = run("compute", glass, "-o", os.path.join(work, "x.dump"), "--soap", "1.5", "--soap-nmax", "16", "--soap-sigma", "0.5",
        "--soap-lmax", "2", "--frames", "0")
check(r.returncode == 2 and "--soap" in r.stderr, f"--soap with a singular basis (n_max 16 within 1.5 A): exit 2 naming --soap ({r.stderr.strip()[-160:]})")
# DScribe's own reference (tests/reference/soap/dscribe_reference.txt): its H-C test system in a box
# too large for images, pow weighting through the --soap-weighting flags
dref, name = {}, None
for line in open(os.path.join(ref, "soap", "dscribe_reference.txt")):
    t = line.split()
    if t[0] == "case":
        name = t[1]
    elif t[0] == "p" and name == "default_gto_pow":
        dref = [float(v) for v in t[1:]]
hc = os.path.join(work, "hc.dump")
with open(hc, "w") as f:
    f.write("ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n2\nITEM: BOX BOUNDS pp pp pp\n-20 20\n-20 20\n-20 20\n"
            "ITEM: ATOMS id type x y z\n1 1 0 0 0\n2 2 -0.3 0.5 0.4\n")
r = run("compute", hc, "-o", os.path.join(work, "hc.csv"), "--soap", "2.0", "--soap-nmax", "2", "--soap-lmax", "2",
        "--soap-sigma", "0.55", "--soap-weighting", "pow", "--soap-r0", "2", "--soap-c", "3", "--soap-m", "5",
        "--soap-d", "4")
ok = r.returncode == 0 and len(dref) == 30
if ok:
    head, first = open(os.path.join(work, "hc.csv")).read().splitlines()[:2]
    vals = dict(zip(head.split(","), first.split(",")))
    worst = max(abs(float(vals[f"soap_{k}"]) - v) for k, v in enumerate(dref)) / max(abs(v) for v in dref)
    ok = worst < 1e-10
check(ok, f"compute --soap-weighting pow: DScribe's reference for its H-C system (atom 1) within 1e-10 ({r.stderr.strip()[-160:]})")
# species: fixed by the first frame, so a frame without type 2 writes the same columns; a later
# frame with a higher type than the first is an error (the columns would change meaning)
two = os.path.join(work, "two_frames.dump")
with open(two, "w") as f:
    for types in ((1, 2), (1, 1)):
        f.write("ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n2\nITEM: BOX BOUNDS pp pp pp\n-20 20\n-20 20\n-20 20\n"
                f"ITEM: ATOMS id type x y z\n1 {types[0]} 0 0 0\n2 {types[1]} -0.3 0.5 0.4\n")
r = run("compute", two, "-o", os.path.join(work, "two.dump"), "--soap", "2.0", "--soap-nmax", "2", "--soap-lmax", "1")
fr = read_dump(os.path.join(work, "two.dump")) if r.returncode == 0 else []
check(len(fr) == 2 and fr[0][1] == fr[1][1] and len([c for c in fr[1][1] if c.startswith("soap_")]) == 2 * 2 * (2 * 2 + 1) // 2 * 2,
      f"compute --soap: a frame without type 2 keeps the first frame's columns ({r.stderr.strip()[-160:]})")
with open(two, "w") as f:
    for types in ((1, 1), (1, 2)):
        f.write("ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n2\nITEM: BOX BOUNDS pp pp pp\n-20 20\n-20 20\n-20 20\n"
                f"ITEM: ATOMS id type x y z\n1 {types[0]} 0 0 0\n2 {types[1]} -0.3 0.5 0.4\n")
r = run("compute", two, "-o", os.path.join(work, "two.dump"), "--soap", "2.0", "--soap-nmax", "2", "--soap-lmax", "1")
check(r.returncode == 1 and "first frame" in r.stderr, f"compute --soap: a later frame with a new type is an error ({r.stderr.strip()[-160:]})")
r = run("compute", glass, "-o", os.path.join(work, "x.dump"), "--soap", "4.5", "--soap-lmax", "13")
check(r.returncode == 2, "--soap-lmax 13: exit 2")

# (5) errors.
trunc = os.path.join(work, "truncated.dump")
with open(src) as f:
    lines = f.read().splitlines()
with open(trunc, "w") as f:
    f.write("\n".join(lines[:100]) + "\n")
r = run("compute", trunc, "-o", os.path.join(work, "x.dump"), "--coord", "3.0")
check(r.returncode == 1 and "truncated.dump:" in r.stderr, f"truncated dump: exit 1, message names the file ({r.stderr.strip()})")
r = run("compute", os.path.join(work, "missing.dump"), "-o", os.path.join(work, "x.dump"), "--coord", "3.0")
check(r.returncode == 1 and "missing.dump" in r.stderr, "missing file: exit 1 naming it")
r = run("compute", src, "-o", os.path.join(work, "x.dump"), "--coord", "-1")
check(r.returncode == 2, "negative cutoff: exit 2 (bad argument)")
r = run("compute", src, "-o", os.path.join(work, "x.dump"))
check(r.returncode == 2 and "no descriptor requested" in r.stderr, "no descriptor flag: exit 2 (usage) with a hint")
r = run("compute", src, "-o", os.path.join(work, "x.dump"), "--coord", "3", "--frames", "a:b")
check(r.returncode == 2 and "--frames" in r.stderr, "bad --frames: exit 2 (usage) naming the option")

print(f"{len(failures)} failed" if failures else "all checks passed")
sys.exit(1 if failures else 0)
