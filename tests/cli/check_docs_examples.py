#!/usr/bin/python3
"""Runs every example command of docs/cli.md (the ```sh blocks, in order) on reference
trajectories named as the examples name them, and checks each exits 0 and writes its outputs.
Usage: check_docs_examples.py TESSERA_EXE REFERENCE_DIR WORK_DIR [DOCS_CLI_MD]"""
import gzip
import os
import re
import shlex
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checks  # noqa: E402

exe, ref, work = (os.path.abspath(a) for a in sys.argv[1:4])
doc = sys.argv[4] if len(sys.argv) > 4 else os.path.join(os.path.dirname(__file__), "..", "..", "docs", "cli.md")
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
check = Checks()

# The inputs the examples name, from the reference trajectories (LAMMPS runs, tests/reference/).
inputs = {
    "glass.dump": "cuzr_glass.dump",          # CuZr glass, 2000 atoms, 2 frames
    "cuzr.dump": "cuzr_glass.dump",
    "cu.dump": "cu_tilted.dump",              # fcc Cu, triclinic, 3 frames
    "run.dump": "msd/cuzr_liquid.dump",       # CuZr liquid, 432 atoms, 21 frames
    "minimized.dump": "msd/cuzr_liquid.dump",
    "shear.dump": "d2min/cuzr_aqs.dump",      # CuZr glass under AQS shear, 6 frames
    "is.dump": "physics/cli_frozen_before.dump",  # CuZr glass at a minimum (|F| < 1e-10), 686 atoms
}
for name, src in inputs.items():
    shutil.copy(os.path.join(ref, src), os.path.join(work, name))
with open(os.path.join(ref, "cu_tilted.dump"), "rb") as f, gzip.open(os.path.join(work, "dump.lammpstrj.gz"), "wb") as g:
    g.write(f.read())

text = open(doc).read()
commands = []
for block in re.findall(r"```sh\n(.*?)```", text, re.S):
    for line in block.replace("\\\n", " ").splitlines():
        line = line.split("  #")[0].strip()
        if line.startswith("tessera "):
            commands.append(line)
check(len(commands) >= 25, f"docs/cli.md has {len(commands)} example commands")
for c in commands:
    args = shlex.split(c)
    out = args[args.index("-o") + 1] if "-o" in args else None
    r = subprocess.run([exe] + args[1:], cwd=work, capture_output=True, text=True)
    ok = r.returncode == 0 and (out is None or out == "-" or os.path.getsize(os.path.join(work, out)) > 0)
    check(ok, f"{c}" + ("" if ok else f"  -> exit {r.returncode}: {r.stderr.strip()[-300:]}"))
check.finish()
