#!/usr/bin/python3
"""PTM against adaptive CNA on thermal fcc Cu (docs/descriptors/ptm.md, "Thermal Cu").

Runs Debian's LAMMPS (Mishin Cu EAM, 4000 atoms, NPT at zero pressure, 20 ps at each of
300, 600, 900, 1200 K, one frame kept per temperature), then `tessera compute --ptm --acna` on the
frames, and prints the structure fractions as a Markdown table.

Usage: thermal_cu.py TESSERA_EXE WORK_DIR"""
import os
import subprocess
import sys

import numpy as np

exe, work = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
os.makedirs(work, exist_ok=True)
TEMPS = (300, 600, 900, 1200)
LAMMPS = """units metal
boundary p p p
lattice fcc 3.615
region box block 0 10 0 10 0 10
create_box 1 box
create_atoms 1 box
mass 1 63.546
pair_style eam/alloy
pair_coeff * * /usr/share/lammps/potentials/Cu_mishin1.eam.alloy Cu
velocity all create {T2} 4928459 mom yes rot yes dist gaussian
fix 1 all npt temp {T} {T} 0.1 iso 0 0 1.0
timestep 0.002
run 10000
write_dump all custom cu_{T}.dump id type x y z modify sort id
"""
for T in TEMPS:
    path = os.path.join(work, f"cu_{T}.dump")
    if not os.path.exists(path):
        with open(os.path.join(work, f"cu_{T}.in"), "w") as f:
            f.write(LAMMPS.format(T=T, T2=2 * T))
        subprocess.run(["lmp", "-in", f"cu_{T}.in", "-log", f"cu_{T}.log", "-screen", "none"], cwd=work, check=True)

NAMES = {0: "other", 1: "fcc", 2: "hcp", 3: "bcc", 4: "ico", 5: "sc"}
ACNA = {1: "fcc", 2: "hcp", 3: "bcc", 4: "ico", 5: "other"}
print("| T (K) | method | fcc | hcp | bcc | ico | sc | other | RMSD of fcc atoms: mean, 95th percentile |")
print("|---|---|---|---|---|---|---|---|---|")
for T in TEMPS:
    out = os.path.join(work, f"ptm_{T}.dump")
    frac = lambda codes, table, name: np.mean([table.get(int(c)) == name for c in codes])  # noqa: E731
    for cutoff in ("0.1", "0"):
        subprocess.run([exe, "compute", os.path.join(work, f"cu_{T}.dump"), "-o", out, "--ptm", cutoff, "--acna"],
                       check=True, capture_output=True)
        lines = open(out).read().splitlines()
        n = int(lines[3])
        names = lines[8].split()[2:]
        rows = np.array([[float(v) for v in lines[9 + k].split()] for k in range(n)])
        ptm, acna, rmsd = (rows[:, names.index(c)] for c in ("ptm", "acna", "ptm_rmsd"))
        cells = " | ".join(f"{100 * frac(ptm, NAMES, s):.1f} %" for s in ("fcc", "hcp", "bcc", "ico", "sc", "other"))
        label = "PTM, cutoff 0.1 (OVITO's default)" if cutoff == "0.1" else "PTM, no cutoff (best template)"
        print(f"| {T} | {label} | {cells} | {rmsd[ptm == 1].mean():.3f}, {np.percentile(rmsd[ptm == 1], 95):.3f} |")
    cells = " | ".join(f"{100 * frac(acna, ACNA, s):.1f} %" if s != "sc" else "–"
                       for s in ("fcc", "hcp", "bcc", "ico", "sc", "other"))
    print(f"| {T} | a-CNA | {cells} | |")
