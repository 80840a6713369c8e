#!/usr/bin/python3
"""End-to-end test of `tessera compute --voronoi/--interstice`: on the LAMMPS voronoi/atom
references (tests/reference/voronoi/) checks that voronoi_volume and voronoi_faces equal
c_v[1], c_v[2] (plain) and c_vr[*] (with --radii), that n3..n6 never exceed the face count,
that the 60 interstice columns appear in the documented order, and that a bad --radii fails.
Usage: check_compute_voronoi.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
import os
import subprocess
import sys

exe, ref, work = sys.argv[1:4]
os.makedirs(work, exist_ok=True)
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def read_frames(path):
    lines = open(path).read().splitlines()
    frames, i = [], 0
    while i < len(lines):
        n = int(lines[i + 3])
        names = lines[i + 8].split()[2:]
        rows = [[float(v) for v in lines[i + 9 + k].split()] for k in range(n)]
        frames.append((names, rows))
        i += 9 + n
    return frames


def run(args):
    return subprocess.run([exe, "compute"] + args, capture_output=True, text=True)


srfs = [f"{m}_{s}" for m in ("dist", "area", "vol") for s in ("mean", "max", "min", "std")]
expected_int = ["int_" + s for s in srfs] + [f"int_{o}_{s}" for o in ("mean", "max", "min", "std") for s in srfs]

for name, extra, vcol, fcol in (("cu_tri_voro.dump", [], "c_v[1]", "c_v[2]"),
                                ("cuzr_glass_voro.dump", [], "c_v[1]", "c_v[2]"),
                                ("cuzr_glass_voro.dump", ["--radii", "1:1.28,2:1.60"], "c_vr[1]", "c_vr[2]")):
    out = os.path.join(work, "vor_" + name)
    r = run([os.path.join(ref, "voronoi", name), "-o", out, "--voronoi", "--interstice", "--threads", "2"] + extra)
    check(r.returncode == 0, f"{name} {extra}: exit 0 ({r.stderr.strip()})")
    if r.returncode != 0:
        continue
    for names, rows in read_frames(out):
        c = {k: [row[names.index(k)] for row in rows] for k in names}
        dv = max(abs(a - b) for a, b in zip(c["voronoi_volume"], c[vcol]))
        check(dv < 1e-9, f"{name} {extra}: voronoi_volume equals {vcol} (max diff {dv:.2e})")
        check(c["voronoi_faces"] == c[fcol], f"{name} {extra}: voronoi_faces equals {fcol}")
        check(all(sum(c[f"voronoi_n{k}"][i] for k in range(3, 7)) <= c["voronoi_faces"][i] for i in range(len(rows))),
              f"{name} {extra}: n3+n4+n5+n6 <= faces")
        check([k for k in names if k.startswith("int_")] == expected_int, f"{name}: 60 interstice columns in order")

r = run([os.path.join(ref, "voronoi", "cuzr_glass_voro.dump"), "-o", os.path.join(work, "bad.dump"), "--voronoi",
         "--radii", "1:1.28,2"])
check(r.returncode == 2 and "--radii" in r.stderr, "bad --radii exits 2 naming the flag")

print(f"{len(failures)} failure(s)")
sys.exit(1 if failures else 0)
