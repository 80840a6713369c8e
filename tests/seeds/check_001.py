#!/usr/bin/python3
"""Independent check of seed 001 (docs/seeds/001.md): recompute the numbers of OUT_DIR/summary.json
from the files the run left, without tessera and without importing seed001.py:
- `df_reference` (D_ref, the event's own displacement): from each event's pair dump (frame 0 = the
  configuration before the event after the affine step, frame 1 = the relaxed configuration
  after it), minimum image through the cell;
- `stz_core_sizes`: the core rule of docs/physics.md (sorted log10 D_f, walking down from the
  median, the first gap of at least the minimum gap) re-implemented here, on tessera's D_f per
  atom (event*_df.dump; atoms not analysed counted at D_ref);
- `overlap_d2min`: Falk-Langer D2min per neighbour re-implemented in NumPy (brute-force triclinic
  minimum image, bonds followed through fractional coordinates) on the pair dump, also compared
  atom by atom with tessera's d2min dump;
- `overlap_vonmises`: per-atom stress of both frames by Debian's LAMMPS (`rerun` of the pair dump
  with pair eam/fs CuZr_mm.eam.fs, `compute stress/atom NULL virial`), von Mises of each, the
  change between the frames; also compared atom by atom with tessera's energy dump;
- `core_along_aqs`: per AQS step, each core's mean atomic energy and the von Mises stress of its
  mean stress tensor (and the system's), from LAMMPS pe/atom and stress/atom (rerun of every AQS
  chunk) and the check's own core;
- `events` = the number of analysed events, and every list's length.

usage: check_001.py OUT_DIR      prints `key: run=... check=... ok` per key; exit 1 on any mismatch
"""
import json
import os
import re
import subprocess
import sys

import numpy as np

D = sys.argv[1]
S = json.load(open(os.path.join(D, "summary.json")))
P = lambda n: os.path.join(D, n)  # noqa: E731
bad = []


def report(key, run, chk, tol, rel=False):
    r, c = np.atleast_1d(np.asarray(run, float)), np.atleast_1d(np.asarray(chk, float))
    ok = r.shape == c.shape and bool(np.all(np.abs(r - c) <= (tol * np.abs(c) if rel else tol)))
    fmt = lambda v: (f"{v[0]:.6g}" if v.size == 1 else f"[{v.size} values, max {np.nanmax(np.abs(v)):.4g}]")  # noqa: E731
    diff = f" (max diff {np.nanmax(np.abs(r - c)):.2g})" if r.shape == c.shape and r.size > 1 else ""
    print(f"{key}: run={fmt(r)} check={fmt(c)} {'ok' if ok else 'MISMATCH'}{diff}")
    if not ok:
        bad.append(key)


def frames(path):
    """Frames of a LAMMPS text dump: (lo (3,), H (columns a, b, c), column names, rows sorted by id)."""
    out = []
    with open(path) as f:
        while f.readline():
            f.readline()
            f.readline()
            n = int(f.readline())
            head = f.readline().split()
            b = np.array([[float(v) for v in f.readline().split()] for _ in range(3)])
            if "xy" in head:
                xy, xz, yz = b[0, 2], b[1, 2], b[2, 2]
                lo = np.array([b[0, 0] - min(0, xy, xz, xy + xz), b[1, 0] - min(0, yz), b[2, 0]])
                hi = np.array([b[0, 1] - max(0, xy, xz, xy + xz), b[1, 1] - max(0, yz), b[2, 1]])
            else:
                xy = xz = yz = 0.0
                lo, hi = b[:, 0], b[:, 1]
            H = np.array([[hi[0] - lo[0], xy, xz], [0, hi[1] - lo[1], yz], [0, 0, hi[2] - lo[2]]])
            cols = f.readline().split()[2:]
            rows = np.array([f.readline().split() for _ in range(n)], dtype=float)
            out.append((lo, H, cols, rows[np.argsort(rows[:, cols.index("id")], kind="stable")]))
    return out


def col(fr, name):
    return fr[3][:, fr[2].index(name)]


def xyz(fr):
    return np.column_stack([col(fr, c) for c in "xyz"])


def min_image(d, H):
    s = np.linalg.solve(H, d.T).T
    return (s - np.round(s)) @ H.T


def core_size(d_f, d_ref, min_gap):
    """Number of core atoms (docs/physics.md): analysed atoms only; unanalysed ones take D_ref."""
    vals = np.where(np.isnan(d_f), d_ref, d_f)
    order = np.argsort(np.log10(np.maximum(vals, np.finfo(float).tiny)), kind="stable")
    lv = np.log10(np.maximum(vals[order], np.finfo(float).tiny))
    cut = 0
    for j in range(len(lv) // 2, 0, -1):  # from the median down
        if lv[j] - lv[j - 1] >= min_gap:
            cut = j
            break
    core = np.zeros(len(vals), bool)
    core[order[:cut]] = True
    core &= ~np.isnan(d_f)
    return core


def d2min(fr0, fr1, rc):
    """Falk-Langer D2min per neighbour (tessera d2min's definition, docs/cli.md), brute force."""
    x0, x1 = xyz(fr0), xyz(fr1)
    H0, H1 = fr0[1], fr1[1]
    s0, s1 = np.linalg.solve(H0, (x0 - fr0[0]).T).T, np.linalg.solve(H1, (x1 - fr1[0]).T).T
    out = np.zeros(len(x0))
    for i in range(len(x0)):
        ds0 = s0 - s0[i]
        ds0 -= np.round(ds0)
        d0 = ds0 @ H0.T
        nb = np.flatnonzero((np.einsum("ij,ij->i", d0, d0) < rc * rc) & (np.arange(len(x0)) != i))
        ds0, d0 = ds0[nb], d0[nb]
        dst = s1[nb] - s1[i]
        dt = (ds0 + (dst - ds0) - np.round(dst - ds0)) @ H1.T
        J = (dt.T @ d0) @ np.linalg.inv(d0.T @ d0)
        r = dt - d0 @ J.T
        out[i] = (r ** 2).sum() / len(nb)
    return out


def von_mises(s):
    sxx, syy, szz, sxy, sxz, syz = s.T
    return np.sqrt(0.5 * ((sxx - syy) ** 2 + (syy - szz) ** 2 + (szz - sxx) ** 2) + 3 * (sxy ** 2 + sxz ** 2 + syz ** 2))


def lammps_stress(pair_dump, work, with_pe=False):
    """Per-atom virial stress (and energy) of each frame by Debian's LAMMPS (rerun)."""
    out = os.path.join(work, "check001_stress.dump")
    inp = f"""units metal
atom_style atomic
boundary p p p
region box prism 0 10 0 10 0 10 1 1 1 units box
create_box 2 box
mass 1 63.546
mass 2 91.224
pair_style eam/fs
pair_coeff * * CuZr_mm.eam.fs Cu Zr
neighbor 1.0 bin
compute s all stress/atom NULL virial
compute pe all pe/atom
dump d all custom 1 {out} id type c_s[1] c_s[2] c_s[3] c_s[4] c_s[5] c_s[6] c_pe
dump_modify d sort id format float %.17g
rerun {pair_dump} dump x y z box yes add yes
"""
    with open(os.path.join(work, "check001_stress.in"), "w") as f:
        f.write(inp)
    env = dict(os.environ, LAMMPS_POTENTIALS="/usr/share/lammps/potentials")
    subprocess.run(["lmp", "-in", "check001_stress.in", "-log", "check001_stress.log", "-screen", "none"],
                   cwd=work, env=env, check=True)
    return [fr[3][:, 2:9] if with_pe else fr[3][:, 2:8] for fr in frames(out)]


ev = S["per_event"]
report("events", S["events"], len(ev), 0)
for key in ("stz_core_sizes", "df_reference", "overlap_d2min", "overlap_vonmises"):
    report(f"len({key})", len(S[key]), len(ev), 0)
min_gap = float(re.search(r"first gap >= ([0-9.eE+-]+) decades", S["core_rule"]).group(1))
rc = float(S["d2min_cutoff_A"])
cores = []
for e, r in enumerate(ev):
    tag = f"event{e + 1}_step{r['aqs_step']}"
    pair = frames(P(f"{tag}_pair.dump"))
    assert len(pair) == 2, f"{tag}_pair.dump: {len(pair)} frames"
    u = min_image(xyz(pair[1]) - xyz(pair[0]), pair[1][1])
    d_ref = float(np.sqrt((u ** 2).sum()))
    # the same printed positions and cell: rounding of the sum only
    report(f"df_reference[{e}]", S["df_reference"][e], d_ref, 1e-12, rel=True)
    d_f = col(frames(P(f"{tag}_df.dump"))[0], "d_f")
    core = core_size(d_f, S["df_reference"][e], min_gap)
    c = int(core.sum())
    report(f"stz_core_sizes[{e}]", S["stz_core_sizes"][e], c, 0)

    def overlap(score):
        top = np.argsort(-score, kind="stable")[:c]
        return len(set(top) & set(np.flatnonzero(core))) / c if c else None

    d2 = d2min(pair[0], pair[1], rc)
    d2_run = col(frames(P(f"{tag}_d2min.dump"))[-1], "d2min")
    # the same positions and neighbours, another summation order: 1e-9 relative
    report(f"event{e + 1} D2min per atom (tessera d2min vs NumPy)", d2_run, d2, 1e-9 * np.abs(d2).max())
    if c:
        report(f"overlap_d2min[{e}]", S["overlap_d2min"][e], overlap(d2), 0)
    st = lammps_stress(P(f"{tag}_pair.dump"), D)
    en = frames(P(f"{tag}_energy.dump"))
    ours = [np.column_stack([col(fr, k) for k in ("sxx", "syy", "szz", "sxy", "sxz", "syz")]) for fr in en]
    # EAM per-atom virials of two codes: 1e-9 of the largest component (the bound)
    report(f"event{e + 1} stress/atom (tessera energy vs LAMMPS)", np.concatenate(ours).ravel(),
           np.concatenate(st).ravel(), 1e-9 * np.abs(np.concatenate(st)).max())
    dvm = von_mises(st[1]) - von_mises(st[0])
    if c:
        report(f"overlap_vonmises[{e}]", S["overlap_vonmises"][e], overlap(np.abs(dvm)), 0)
    cores.append(core)

# ---------------------------------------------------------------- each core along the AQS curve
# The AQS trajectory: chunk files aqs_000.dump, aqs_001.dump, ...; each later chunk starts from the
# previous chunk's last frame (its frame 0 repeats it), so global step k is chunk 0's frame k, then
# the following chunks' frames 1, 2, ...  Energies and stresses from LAMMPS (rerun of each chunk).
chunks = sorted(f for f in os.listdir(D) if re.fullmatch(r"aqs_\d{3}\.dump", f))
aqs_frames, aqs_vals = [], []
for n_c, name in enumerate(chunks):
    fr = frames(P(name))
    vals = lammps_stress(P(name), D, with_pe=True)
    aqs_frames += fr if n_c == 0 else fr[1:]
    aqs_vals += vals if n_c == 0 else vals[1:]


def vm(sv):
    return np.sqrt(0.5 * ((sv[0] - sv[1]) ** 2 + (sv[1] - sv[2]) ** 2 + (sv[2] - sv[0]) ** 2)
                   + 3 * (sv[3] ** 2 + sv[4] ** 2 + sv[5] ** 2))


for e, core in enumerate(cores):
    tr = S["core_along_aqs"][e]
    report(f"core_along_aqs[{e}] steps", len(tr["aqs_step"]), len(aqs_frames), 0)
    pc, pa, vc, va = [], [], [], []
    for fr, v in zip(aqs_frames, aqs_vals):
        vol = abs(np.linalg.det(fr[1])) / len(v)
        pc.append(v[core, 6].mean())
        pa.append(v[:, 6].mean())
        vc.append(vm(v[core, :6].mean(axis=0) / vol * 1e-4))
        va.append(vm(v[:, :6].mean(axis=0) / vol * 1e-4))
    # tessera's EAM against LAMMPS's (1e-13 relative per atom seen above), averaged: 1e-9 relative
    if core.any():  # an event without a core has no core series (null in summary.json)
        report(f"core_along_aqs[{e}].pe_core_eV", tr["pe_core_eV"], pc, 1e-9, rel=True)
        report(f"core_along_aqs[{e}].von_mises_core_GPa", tr["von_mises_core_GPa"], vc, 1e-9, rel=True)
    report(f"core_along_aqs[{e}].pe_all_eV", tr["pe_all_eV"], pa, 1e-9, rel=True)
    report(f"core_along_aqs[{e}].von_mises_all_GPa", tr["von_mises_all_GPa"], va, 1e-9, rel=True)
print("all ok" if not bad else f"{len(bad)} mismatches: {bad}")
sys.exit(1 if bad else 0)
