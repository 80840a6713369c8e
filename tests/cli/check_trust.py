#!/usr/bin/python3
"""End-to-end test that the `tessera` command never loses or silently corrupts data and says
exactly what went wrong (docs/cli.md, "Conventions shared by every subcommand"):
outputs that are inputs are refused and the input is unchanged; failed runs leave no partial
output and an existing output untouched; `-o -` is stdout; documented defaults equal the bare
flag; contradictory options, types the file lacks and overwritten input columns are errors;
undefined values are NaN with a count; unknown options name the closest valid one; counts in
messages are true; exit codes 2 (usage) and 1 (data); one message prefix; every subcommand's
help stands alone (no internal references, examples, units); CSV/.npy outputs, --select,
--columns/--drop-columns, summary --by, string columns.
Usage: check_trust.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
import hashlib
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checks, column, read_dump, run  # noqa: E402

exe, ref, work = sys.argv[1:4]
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
check = Checks()
W = lambda name: os.path.join(work, name)  # noqa: E731


def md5(path):
    with open(path, "rb") as f:
        return hashlib.md5(f.read()).hexdigest()


def t(*args, **kw):
    return run(exe, *args, **kw)


glass = W("glass.dump")  # CuZr glass, 2000 atoms, 2 frames, types 1 and 2
shutil.copy(os.path.join(ref, "cuzr_glass.dump"), glass)
liquid = W("liquid.dump")  # CuZr liquid, 432 atoms, 21 frames
shutil.copy(os.path.join(ref, "msd", "cuzr_liquid.dump"), liquid)
before = md5(glass)

# --- never lose data -------------------------------------------------------------------------
r = t("compute", glass, "-o", glass, "--coord", "3", "--frames", "0")
check(r.returncode == 2 and "same file" in r.stderr and md5(glass) == before,
      f"output named like the input: exit 2, input unchanged ({r.stderr.strip()})")
os.link(glass, W("hard.dump"))
r = t("compute", glass, "-o", W("hard.dump"), "--coord", "3")
check(r.returncode == 2 and "same file" in r.stderr and md5(glass) == before, "output hard-linked to the input: refused")
os.symlink(glass, W("soft.dump"))
r = t("compute", W("soft.dump"), "-o", glass, "--coord", "3")
check(r.returncode == 2 and md5(glass) == before, "input a symbolic link to the output: refused")
r = t("compute", glass, "-o", os.path.join(work, ".", "glass.dump"), "--coord", "3")
check(r.returncode == 2 and md5(glass) == before, "another spelling of the input path: refused")
r = t("lens", glass, "-o", glass, "--cutoff", "3.1")
check(r.returncode == 2 and md5(glass) == before, "lens: output = input refused")
r = t("summary", glass, "-o", glass)
check(r.returncode == 2 and md5(glass) == before, "summary: output = input refused")
r = t("rdf", glass, "-o", W("rdf.csv"), "--rmax", "5", "--sq", glass, "--qmax", "10")
check(r.returncode == 2 and md5(glass) == before, "rdf --sq: output = input refused")

# A failing run keeps an existing output and leaves no partial file.
with open(W("keep.dump"), "w") as f:
    f.write("precious\n")
r = t("lens", glass, "-o", W("keep.dump"), "--cutoff", "3.1", "--frames", "0")
check(r.returncode == 1 and open(W("keep.dump")).read() == "precious\n",
      f"lens with too few frames: exit 1, existing output untouched ({r.stderr.strip()})")
r = t("lens", glass, "-o", W("new.dump"), "--cutoff", "3.1", "--frames", "0")
check(r.returncode == 1 and not os.path.exists(W("new.dump")), "lens with too few frames: no output file")
# A trajectory that loses an atom at frame 3: lens fails there; nothing is left behind.
frames = open(liquid).read().split("ITEM: TIMESTEP")[1:]
broken = []
for k, fr in enumerate(frames[:6]):
    lines = ("ITEM: TIMESTEP" + fr).splitlines()
    if k == 3:
        lines[3] = str(int(lines[3]) - 1)
        del lines[9]
    broken.append("\n".join(lines) + "\n")
open(W("loses_atom.dump"), "w").write("".join(broken))
r = t("lens", W("loses_atom.dump"), "-o", W("partial.dump"), "--cutoff", "3.1")
check(r.returncode == 1 and not os.path.exists(W("partial.dump")) and "loses_atom.dump" in r.stderr,
      f"lens failing at frame 3: exit 1, no partial output ({r.stderr.strip()})")
check(not [n for n in os.listdir(work) if ".tessera-" in n], "no temporary files left behind")

# -o - writes to stdout; the closing line then goes to stderr.
r = t("compute", glass, "-o", "-", "--coord", "3", "--frames", "0")
check(r.returncode == 0 and r.stdout.startswith("ITEM: TIMESTEP") and not os.path.exists(W("-"))
      and "tessera compute: 1 frame" in r.stderr, "-o - writes the dump to stdout")
r = t("summary", glass, "-o", "-")
check(r.returncode == 0 and r.stdout.splitlines()[0].startswith("timestep,id,type"), "summary -o - writes CSV to stdout")
r = t("compute", glass, "-o", W("c.dump"), "--coord", "3")
check(r.returncode == 0 and "tessera compute: 2 frames, 2000 atoms" in r.stdout and W("c.dump") in r.stdout,
      f"closing line on stdout ({r.stdout.strip()})")
r = t("compute", glass, "-o", W("c.dump"), "--coord", "3", "-q")
check(r.returncode == 0 and r.stdout == "", "--quiet: no closing line")

# --- documented defaults equal the bare flag ---------------------------------------------------
def same_output(args_a, args_b, what):
    a, b = W("default_a.out"), W("default_b.out")
    ra, rb = t(*args_a, "-o", a), t(*args_b, "-o", b)
    check(ra.returncode == 0 and rb.returncode == 0 and md5(a) == md5(b), what)


same_output(["compute", glass, "--solid-bonds"], ["compute", glass, "--solid-bonds", "0.7"],
            "--solid-bonds bare = --solid-bonds 0.7")
sb = column(read_dump(W("default_a.out"))[0], "solid_bonds")
check(sum(sb) / len(sb) < 3, f"--solid-bonds bare on a glass: few solid bonds (mean {sum(sb) / len(sb):.2f})")
same_output(["compute", glass, "--steinhardt", "6"], ["compute", glass, "--steinhardt", "6", "--steinhardt-nnn", "12"],
            "--steinhardt-nnn default 12")
same_output(["compute", glass, "--csp", "12"], ["compute", glass, "--csp", "12", "--csp-mode", "conventional"],
            "--csp-mode default conventional")
same_output(["lens", liquid, "--cutoff", "3.1"], ["lens", liquid, "--cutoff", "3.1", "--delta", "1"], "lens --delta default 1")
same_output(["rdf", glass, "--rmax", "6"], ["rdf", glass, "--rmax", "6", "--bins", "100"], "rdf --bins default 100")
same_output(["bonds", liquid, "--pairs", "1-1:3.05,1-2:3.75,2-2:4.35"],
            ["bonds", liquid, "--pairs", "1-1:3.05,1-2:3.75,2-2:4.35", "--hysteresis", "0.075", "--rule", "distance",
             "--reference", "first"], "bonds defaults: hysteresis 0.075, rule distance, reference first")
same_output(["d2min", liquid, "--cutoff", "4"], ["d2min", liquid, "--cutoff", "4", "--reference", "first"],
            "d2min --reference default first")
same_output(["msd", liquid, "--origins"], ["msd", liquid, "--origins", "--max-lag", "0", "--origin-stride", "1"],
            "msd --max-lag default 0 (all), --origin-stride default 1")
same_output(["isf", liquid, "--q", "2.7"], ["isf", liquid, "--q", "2.7", "--dq", "0.1", "--max-q", "0"],
            "isf --dq default 0.1, --max-q 0")
same_output(["atom-msd", liquid, "--lags", "1,5", "--temperature", "1000"],
            ["atom-msd", liquid, "--lags", "1,5", "--temperature", "1000", "--floor", "1e-6"], "atom-msd --floor default 1e-6")
same_output(["compute", glass, "--coord", "3"], ["compute", glass, "--coord", "3", "--precision", "0", "--threads", "0"],
            "--precision default 0, --threads default 0")

# --- no silent wrong answers -------------------------------------------------------------------
r = t("compute", glass, "-o", W("x.dump"), "--coord", "3.0", "--coord-pairs", "1-1:3,1-2:3,2-2:3")
check(r.returncode == 2 and "--coord" in r.stderr and "--coord-pairs" in r.stderr and not os.path.exists(W("x.dump")),
      f"--coord with --coord-pairs: an error naming both ({r.stderr.strip()})")
r = t("compute", glass, "-o", W("x.dump"), "--coord-pairs", "1-3:3.05")
check(r.returncode == 2 and "type 3" in r.stderr, f"--coord-pairs with a type the file lacks ({r.stderr.strip()})")
r = t("compute", glass, "-o", W("x.dump"), "--coord-pairs", "1-1:3.05")
check(r.returncode == 2 and "type 2" in r.stderr, "--coord-pairs missing a type the file has")
r = t("bonds", glass, "-o", W("x.dump"), "--pairs", "1-1:3,1-2:3,2-2:3,1-3:3,2-3:3,3-3:3")
check(r.returncode == 2 and "type 3" in r.stderr, "bonds --pairs with a type the file lacks")
t("compute", glass, "-o", W("csp.dump"), "--csp", "12")
r = t("compute", W("csp.dump"), "-o", W("x.dump"), "--csp", "8")
check(r.returncode == 2 and "'csp'" in r.stderr and "--overwrite" in r.stderr, "overwriting an input column: an error")
r = t("compute", W("csp.dump"), "-o", W("x.dump"), "--csp", "8", "--overwrite")
check(r.returncode == 0 and read_dump(W("x.dump"))[0]["names"].count("csp") == 1, "--overwrite replaces it")
r = t("msd", liquid, "-o", W("m.csv"), "--max-lag", "5")
check(r.returncode == 2 and "--origins" in r.stderr, "msd --max-lag without --origins: an error")
# An 8-atom cluster: CSP over 12 neighbours and q6 over 12 are undefined -> nan and a count.
cluster = ["ITEM: TIMESTEP", "0", "ITEM: NUMBER OF ATOMS", "8", "ITEM: BOX BOUNDS ff ff ff", "0 20", "0 20", "0 20",
           "ITEM: ATOMS id type x y z"]
cluster += [f"{k + 1} 1 {1 + 2 * (k & 1)} {1 + (k & 2)} {1 + (k & 4) // 2}" for k in range(8)]
open(W("cluster.dump"), "w").write("\n".join(cluster) + "\n")
r = t("compute", W("cluster.dump"), "-o", W("cluster_out.dump"), "--csp", "12", "--steinhardt", "6", "--coord", "2.5")
f0 = read_dump(W("cluster_out.dump"))[0] if r.returncode == 0 else None
check(r.returncode == 0 and all(v != v for v in column(f0, "csp")) and all(v != v for v in column(f0, "q6"))
      and column(f0, "coord") == [3.0] * 8, f"too few neighbours: csp and q6 are nan, coord counted ({r.stderr.strip()})")
check("--csp" in r.stderr and "8 atoms" in r.stderr and "nan" in r.stderr, "too few neighbours: a count on stderr")
r = t("compute", W("cluster_out.dump"), "-o", W("cluster_again.dump"), "--cna", "2.9")
check(r.returncode == 0, "a dump with nan values reads back")

# --- errors that point at the fix --------------------------------------------------------------
r = t("lens", glass, "-o", W("x.dump"), "--cuttoff", "3.1")
check(r.returncode == 2 and "--cuttoff" in r.stderr and "did you mean" in r.stderr and "--cutoff" in r.stderr,
      f"typo of an option: named, with the closest valid one ({r.stderr.strip()})")
r = t("compte", glass)
check(r.returncode == 2 and "compute" in r.stderr, "typo of a subcommand: closest one named")
r = t("compute", liquid, "-o", W("x.dump"), "--coord", "3", "--frames", "10:5")
check(r.returncode == 1 and "21 frames" in r.stderr, f"empty --frames: the true frame count ({r.stderr.strip()})")
r = t("compute", glass, "-o", W("x.dump"), "--cna", "3,086")
check(r.returncode == 2 and len(r.stderr) < 400 and "3,086" in r.stderr and "decimal" in r.stderr,
      f"decimal comma: a short message ({r.stderr.strip()})")
r = t("compute", glass, "-o", W("x.dump"))
check(r.returncode == 2 and r.stderr.count("tessera") == 2 and r.stderr.startswith("tessera: error: "),
      f"one prefix ({r.stderr.strip()})")
r = t("events", glass, "-o", W("e.csv"), "--column", "LENS", "--threshold", "0.5", "--link", "2.8")
check(r.returncode == 1 and "glass.dump" in r.stderr and "LENS" in r.stderr, f"events: missing column names the file ({r.stderr.strip()})")
r = t("compute", W("missing.dump"), "-o", W("x.dump"), "--coord", "3")
check(r.returncode == 1 and "missing.dump" in r.stderr, "missing input: exit 1 naming it")
r = t("compute", glass, "-o", W("nodir/x.dump"), "--coord", "3")
check(r.returncode == 1 and "nodir" in r.stderr, "output directory missing: named")
gone = W("gone.dump")
lines = open(liquid).read().split("ITEM: TIMESTEP")[1:3]
second = ("ITEM: TIMESTEP" + lines[1]).splitlines()
second[3] = str(int(second[3]) - 1)
removed_id = second[9].split()[0]
del second[9]
open(gone, "w").write("ITEM: TIMESTEP" + lines[0] + "\n".join(second) + "\n")
r = t("msd", gone, "-o", W("m.csv"))
check(r.returncode == 1 and f"id {removed_id}" in r.stderr and "in the first frame but not in the current" in r.stderr,
      f"msd: an atom that disappears is named as in the earlier frame only ({r.stderr.strip()})")

# --frames with negative indices and open ends
for sel, steps in (("-1", [20]), ("-3:", [18, 19, 20]), (":-18", [0, 1, 2]), ("-5::2", [16, 18, 20])):
    r = t("compute", liquid, "-o", W("f.dump"), "--coord", "3", "--frames", sel)
    got = [fr["timestep"] for fr in read_dump(W("f.dump"))] if r.returncode == 0 else None
    all_steps = [fr["timestep"] for fr in read_dump(liquid)]
    check(got == [all_steps[k] for k in steps], f"--frames {sel} selects frames {steps}")

# --- help that stands alone --------------------------------------------------------------------
subs = ["compute", "rdf", "lens", "timesoap", "events", "summary", "bonds", "d2min", "msd", "isf", "atom-msd", "vmsd", "delays",
        "polyhedra", "energy", "minimize", "aqs", "frozen-atoms", "vdos", "barriers"]
for s in subs:
    r = t(s, "--help")
    text = r.stdout
    check(r.returncode == 0 and "seed 0" not in text.lower() and "DESIGN" not in text and "Examples:" in text
          and text.count("  tessera " + s) >= 2 and "units" in text, f"tessera {s} --help: no internal references, "
          "units, two examples")
r = t("--help")
check(r.returncode == 0 and "Exit codes" in r.stdout, "tessera --help names the exit codes")

# --- what OVITO users reach for ------------------------------------------------------------------
r = t("compute", glass, "-o", W("sel.csv"), "--csp", "12", "--coord", "3", "--select", "type==2 && csp>4",
      "--columns", "id,type,csp,coord")
rows = open(W("sel.csv")).read().splitlines() if r.returncode == 0 else ["", ""]
check(rows[0] == "timestep,id,type,csp,coord" and all(l.split(",")[2] == "2" and float(l.split(",")[3]) > 4
                                                     for l in rows[1:]) and len(rows) > 10,
      "--select and --columns into a CSV table")
t("compute", glass, "-o", W("all.dump"), "--csp", "12")
want = sum(1 for fr in read_dump(W("all.dump")) for row, tp in zip(column(fr, "csp"), column(fr, "type"))
           if tp == 2 and row > 4)
check(len(rows) - 1 == want, f"--select keeps exactly the matching atoms ({len(rows) - 1} of {want})")
r = t("compute", glass, "-o", W("drop.dump"), "--coord", "3", "--drop-columns", "ix,iy,iz")
check(r.returncode == 0 and read_dump(W("drop.dump"))[0]["names"] == ["id", "type", "x", "y", "z", "coord", "coord_1",
                                                                      "coord_2"], "--drop-columns")
r = t("compute", glass, "-o", W("x.dump"), "--coord", "3", "--drop-columns", "idd")
check(r.returncode == 2 and "did you mean" in r.stderr, "--drop-columns of a missing column: closest name")
r = t("compute", glass, "-o", W("x.dump"), "--coord", "3", "--select", "tpye==2")
check(r.returncode == 2 and "type" in r.stderr, f"--select of a missing column: closest name ({r.stderr.strip()})")
r = t("compute", glass, "-o", W("atoms.npy"), "--coord", "3")
if r.returncode == 0:
    code = ("import numpy as np, sys; a = np.load(sys.argv[1]); "
            "print(a.shape[0], a.dtype.names[0], a.dtype.names[-1], int(a['coord'].sum()))")
    p = subprocess.run(["/usr/bin/python3", "-c", code, W("atoms.npy")], capture_output=True, text=True)
    ref_total = int(sum(sum(column(fr, "coord")) for fr in read_dump(W("c.dump"))))
    check(p.returncode != 0 or p.stdout.split() == ["4000", "timestep", "coord_2", str(ref_total)],
          f".npy table loads in NumPy with the dump's values ({p.stdout.strip()} {p.stderr.strip()[-200:]})")
else:
    check(False, f".npy output ({r.stderr.strip()})")

t("compute", glass, "-o", W("cna.dump"), "--cna", "3.6")
r = t("summary", W("cna.dump"), "-o", W("by_cna.csv"), "--by", "cna")
rows = [l.split(",") for l in open(W("by_cna.csv")).read().splitlines()]
cna0 = column(read_dump(W("cna.dump"))[0], "cna")
check(rows[0] == ["timestep", "cna", "name", "count", "fraction"] and len(rows) == 11
      and [int(rw[3]) for rw in rows[1:6]] == [cna0.count(c) for c in (1, 2, 3, 4, 5)]
      and [rw[2] for rw in rows[1:6]] == ["fcc", "hcp", "bcc", "ico", "other"], "summary --by cna: counts per structure")
r = t("summary", glass, "-o", W("by_type.csv"), "--by", "type", "--columns", "x", "--stats", "mean,max")
rows = [l.split(",") for l in open(W("by_type.csv")).read().splitlines()]
f0 = read_dump(glass)[0]
x1 = [x for x, tp in zip(column(f0, "x"), column(f0, "type")) if tp == 1]
check(rows[0] == ["timestep", "type", "name", "count", "fraction", "x_mean", "x_max"]
      and int(rows[1][3]) == len(x1) and abs(float(rows[1][5]) - sum(x1) / len(x1)) < 1e-12
      and float(rows[1][6]) == max(x1), "summary --by type: per-type mean and max")

# String columns (OVITO and LAMMPS `element`): read, types derived, carried through.
text = open(glass).read().split("ITEM: TIMESTEP")[1]
lines = ("ITEM: TIMESTEP" + text).splitlines()
names = lines[8].split()[2:]
out = lines[:8] + ["ITEM: ATOMS id element x y z"]
for l in lines[9:]:
    v = l.split()
    out.append(" ".join([v[0], "Cu" if v[1] == "1" else "Zr", v[2], v[3], v[4]]))
open(W("ovito.dump"), "w").write("\n".join(out) + "\n")
r = t("compute", W("ovito.dump"), "-o", W("ovito_out.dump"), "--coord", "3.4")
if check(r.returncode == 0, f"a dump with an element column is read ({r.stderr.strip()})"):
    fo = read_dump(W("ovito_out.dump"))[0]
    check("Cu" in r.stderr and "Zr" in r.stderr, "the element -> type mapping is printed")
    check([row[1] for row in fo["rows"][:4]] == [("Cu" if row[1] == "1" else "Zr") for row in lines[9:13] for row in
                                                   [row.split()]], "element names carried through")
    t("compute", glass, "-o", W("numeric_out.dump"), "--coord", "3.4", "--frames", "0")
    fn = read_dump(W("numeric_out.dump"))[0]
    # Types are numbered by first appearance (the first atom is Zr: Zr -> 1, Cu -> 2).
    check(column(fo, "coord") == column(fn, "coord") and column(fo, "coord_1") == column(fn, "coord_2")
          and "1=Zr 2=Cu" in r.stderr, "types from element: numbered by first appearance, same coordination")

check.finish()
