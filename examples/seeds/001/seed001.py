#!/usr/bin/python3
"""Seed 001: frozen-atom analysis of STZ cores in a CuZr metallic glass (Shiihara, Iwashita,
Adachi, Todaka, Egami 2025), end to end with Debian's LAMMPS and the `tessera` command.

usage: seed001.py --tessera EXE [--out DIR] [--quick] [options]   (normally via ./run)

Stages (every number comes from a LAMMPS or tessera run; Python only moves files, applies the
affine strain step to write the "before" frame, ranks and plots):
  1. glass    lmp -in cuzr_glass.in: B2 CuZr -> melt -> quench -> minimise (Cu50Zr50)
              tessera minimize --box-relax 0: cell relaxed until every |P_ab| < 1 bar (0.1 MPa)
  2. aqs      tessera aqs --shear xy --strain-step G (in chunks, until E stress drops are found)
  3. per event at AQS step k (configuration k-1 is the "before" frame):
              tessera frozen-atoms AQS.dump --frame k-1 ...      D_f per atom, D_ref, STZ core
              pair.dump = [affine step applied to frame k-1, relaxed frame k]
              tessera d2min  pair.dump --cutoff RC                D2min of the event
              tessera energy pair.dump --shear-modulus            atomic von Mises stress, both
              tessera bonds  pair.dump --pairs 1-1:3.05,...       LCE (bonds broken + formed)
  4. summary.json and seed001.png
"""
import argparse
import json
import os
import subprocess
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
POT = ["--pair-style", "eam/fs", "--pair-coeff", "* * CuZr_mm.eam.fs Cu Zr"]
LCE_PAIRS = "1-1:3.05,1-2:3.75,2-2:4.35"  # paper's first shells: Cu-Cu, Zr-Cu, Zr-Zr (types 1=Cu 2=Zr)

p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("--tessera", required=True)
p.add_argument("--out", default=None, help="output directory (default build/seed001[-quick])")
p.add_argument("--quick", action="store_true", help="small and fast (< 10 min on 2 cores)")
p.add_argument("--cells", type=int, help="B2 cells per axis: 2*n^3 atoms (quick 7 -> 686, full 10 -> 2000)")
p.add_argument("--quench-steps", type=int, help="2 fs MD steps from 2000 K to 50 K (quick 15000, full 200000)")
p.add_argument("--events", type=int, help="stress drops to analyse (quick 2, full 5)")
p.add_argument("--shear", default="xy", help="xy, -xy, xz, ... (default xy)")
p.add_argument("--strain-step", type=float, help="AQS strain step (quick 2e-4, full 5e-5 as the paper)")
p.add_argument("--fine-step", type=float, default=5e-5,
               help="a drop found with a bigger --strain-step is redone from the step before in steps of this "
                    "(the paper's 5e-5); frozen-atom analysis uses the fine step")
p.add_argument("--max-strain", type=float, default=0.15, help="stop AQS here if too few drops (paper: 15%%)")
p.add_argument("--stress-drop", type=float, default=1.0, help="smallest stress drop that is an event, MPa")
p.add_argument("--min-style", default="cg", choices=["sd", "cg", "fire"],
               help="AQS minimiser (docs/seeds/001.md; frozen-atom relaxations use --frozen-min-style)")
p.add_argument("--frozen-min-style", default="fire", choices=["sd", "cg", "fire"],
               help="minimiser of the frozen-atom relaxations (default fire: cg jumps over the shallow basin a "
                    "frozen atom keeps alive, docs/cli.md)")
p.add_argument("--overshoot", type=float, default=1e-6,
               help="bisect the strain step that triggers each event until it is within this of the instability "
                    "(0: use --fine-step as the paper does)")
p.add_argument("--ftol", type=float, default=1e-6, help="force 2-norm tolerance, eV/A")
p.add_argument("--top", type=int, help="analyse the TOP atoms with the largest share of the softest mode of the "
                                       "configuration before the event (tessera vdos --lowest-modes 1) ... "
                                       "(quick 40, full 300)")
p.add_argument("--random", type=int, help="... plus this many random others (quick 8, full 100)")
p.add_argument("--all-atoms", action="store_true", help="freeze every atom (the paper's analysis; slow)")
p.add_argument("--min-gap", type=float, default=0.3, help="core/rest gap in decades of D_f")
p.add_argument("--d2min-cutoff", type=float, default=5.0, help="D2min neighbour cutoff, A")
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seed", type=int, default=20250320)
p.add_argument("--reuse", action="store_true", help="reuse DIR's glass and AQS trajectory if present")
a = p.parse_args()

Q = a.quick
a.cells = a.cells or (6 if Q else 10)
a.quench_steps = a.quench_steps or (15000 if Q else 200000)
a.events = a.events or (2 if Q else 5)
a.strain_step = a.strain_step or (2e-4 if Q else 5e-5)
a.top = a.top if a.top is not None else (40 if Q else 300)
a.random = a.random if a.random is not None else (8 if Q else 100)
melt, hold = (2500, 2500) if Q else (5000, 10000)
chunk = 20 if Q else 100
a.out = a.out or os.path.join("build", "seed001-quick" if Q else "seed001")
os.makedirs(a.out, exist_ok=True)
out = lambda name: os.path.join(a.out, name)  # noqa: E731
sign = -1.0 if a.shear.startswith("-") else 1.0
plane = a.shear.lstrip("+-")
comp = {"xy": 3, "xz": 4, "yz": 5}[plane]
ratio = max(1, int(round(a.strain_step / a.fine_step)))
timing = {}
t_start = time.time()


def log(msg):
    print(f"[seed001 {time.time() - t_start:7.1f} s] {msg}", flush=True)


def tessera(*args):
    print("$ tessera " + " ".join(str(x) if " " not in str(x) else repr(str(x)) for x in args), flush=True)
    subprocess.run([a.tessera, *map(str, args)], check=True)


# ---------------------------------------------------------------- LAMMPS text dumps
class Frame:
    def __init__(self, timestep, lo, h, cols, data):
        self.timestep, self.lo, self.h, self.cols, self.data = timestep, lo, h, cols, data

    def col(self, name):
        return self.data[:, self.cols.index(name)]

    @property
    def ids(self):
        return self.col("id").astype(np.int64)

    @property
    def pos(self):
        return self.data[:, [self.cols.index(c) for c in ("x", "y", "z")]]


def read_dump(path, want=None):
    """Frames of a LAMMPS text dump (all, or the 0-based indices in `want`), rows sorted by id."""
    frames, i = {}, 0
    with open(path) as f:
        while f.readline():
            ts = int(f.readline())
            f.readline()
            n = int(f.readline())
            bh = f.readline().split()
            b = [list(map(float, f.readline().split())) for _ in range(3)]
            cols = f.readline().split()[2:]
            rows = [f.readline() for _ in range(n)]
            if want is None or i in want:
                xy, xz, yz = (b[0][2], b[1][2], b[2][2]) if "xy" in bh else (0.0, 0.0, 0.0)
                xlo = b[0][0] - min(0.0, xy, xz, xy + xz)
                xhi = b[0][1] - max(0.0, xy, xz, xy + xz)
                ylo, yhi = b[1][0] - min(0.0, yz), b[1][1] - max(0.0, yz)
                zlo, zhi = b[2][0], b[2][1]
                h = np.array([[xhi - xlo, xy, xz], [0, yhi - ylo, yz], [0, 0, zhi - zlo]])
                d = np.array([r.split() for r in rows], dtype=float)
                d = d[np.argsort(d[:, cols.index("id")], kind="stable")]
                frames[i] = Frame(ts, np.array([xlo, ylo, zlo]), h, cols, d)
            i += 1
    return frames if want is not None else [frames[k] for k in range(i)]


def write_dump(path, frames):
    """id type x y z frames with a triclinic box (full precision: repr round-trips)."""
    with open(path, "w") as f:
        for fr, pos in frames:
            (xlo, ylo, zlo), h = fr.lo, fr.h
            xy, xz, yz = h[0, 1], h[0, 2], h[1, 2]
            xhi, yhi, zhi = xlo + h[0, 0], ylo + h[1, 1], zlo + h[2, 2]
            f.write(f"ITEM: TIMESTEP\n{fr.timestep}\nITEM: NUMBER OF ATOMS\n{len(pos)}\n"
                    "ITEM: BOX BOUNDS xy xz yz pp pp pp\n"
                    f"{xlo + min(0.0, xy, xz, xy + xz)!r} {xhi + max(0.0, xy, xz, xy + xz)!r} {xy!r}\n"
                    f"{ylo + min(0.0, yz)!r} {yhi + max(0.0, yz)!r} {xz!r}\n{zlo!r} {zhi!r} {yz!r}\n"
                    "ITEM: ATOMS id type x y z\n")
            for i, t, r in zip(fr.ids, fr.col("type").astype(int), pos):
                f.write(f"{i} {t} {r[0]!r} {r[1]!r} {r[2]!r}\n")


def affine_step(fr, gamma):
    """tessera's/LAMMPS's `change_box all xy delta gamma*ly remap`: keep fractional coordinates."""
    s = np.linalg.solve(fr.h, (fr.pos - fr.lo).T).T
    h2 = fr.h.copy()
    if plane == "xy":
        h2[0, 1] += gamma * fr.h[1, 1]
    elif plane == "xz":
        h2[0, 2] += gamma * fr.h[2, 2]
    else:
        h2[1, 2] += gamma * fr.h[2, 2]
    return Frame(fr.timestep + 1, fr.lo.copy(), h2, fr.cols, fr.data), fr.lo + s @ h2.T


def min_image(d, h):
    s = np.linalg.solve(h, d.T).T
    return (s - np.round(s)) @ h.T


def split_stz_core(d_f, min_gap, secondary_gap=0.3, min_secondary=3):
    """Python copy of tessera::split_stz_core (include/tessera/physics/frozen_atoms.hpp):
    walking down from the median of sorted log10 D_f, the first gap >= min_gap decades; inside
    the core, the widest gap >= secondary_gap with >= min_secondary atoms on each side.
    Returns labels (0 rest, 1 primary, 2 secondary), threshold, gap width in decades."""
    idx = np.flatnonzero(~np.isnan(d_f))
    lab = np.zeros(len(d_f), dtype=int)
    v = sorted(zip(np.log10(np.maximum(d_f[idx], np.finfo(float).tiny)), idx))
    if len(v) < 2:
        return lab, 0.0, 0.0
    cut = 0
    for j in range(len(v) // 2, 0, -1):
        if v[j][0] - v[j - 1][0] >= min_gap:
            cut = j
            break
    if cut == 0:
        return lab, 0.0, 0.0
    gap, thr = v[cut][0] - v[cut - 1][0], 10 ** (0.5 * (v[cut][0] + v[cut - 1][0]))
    primary_end, best, width = cut, 0, 0.0
    for j in range(min_secondary, cut - min_secondary + 1):
        if v[j][0] - v[j - 1][0] > width:
            width, best = v[j][0] - v[j - 1][0], j
    if best and width >= secondary_gap:
        primary_end = best
    for j in range(cut):
        lab[v[j][1]] = 1 if j < primary_end else 2
    return lab, thr, gap


# ---------------------------------------------------------------- 1. glass
t0 = time.time()
glass = out("glass.dump")
if not (a.reuse and os.path.exists(glass)):
    n_atoms = 2 * a.cells ** 3
    log(f"glass: {n_atoms} atoms Cu50Zr50, melt 3000 K {melt * 0.002:g} ps, 2000 K {hold * 0.002:g} ps, "
        f"quench to 50 K in {a.quench_steps * 0.002:g} ps (LAMMPS)")
    env = dict(os.environ, LAMMPS_POTENTIALS="/usr/share/lammps/potentials")
    subprocess.run(["lmp", "-in", os.path.join(HERE, "cuzr_glass.in"), "-var", "n", str(a.cells),
                    "-var", "melt", str(melt), "-var", "hold", str(hold), "-var", "quench", str(a.quench_steps),
                    "-var", "seed", str(a.seed), "-var", "out", "glass_lammps.dump",
                    "-log", "lammps.log", "-screen", "none"], check=True, cwd=a.out, env=env)
    tessera("minimize", out("glass_lammps.dump"), "-o", glass, *POT, "--box-relax", "0",
            "--min-style", a.min_style, "--ftol", a.ftol)
timing["glass_s"] = round(time.time() - t0, 1)

# ---------------------------------------------------------------- 2. AQS in chunks
t0 = time.time()
steps = []  # global AQS step -> (file, frame) ; and stress
table = []  # rows: step, stress (MPa), pe, drop (MPa)
events = []
max_steps = int(round(a.max_strain / a.strain_step))
c, src, src_frame = 0, glass, 0
while True:
    dump, csv = out(f"aqs_{c:03d}.dump"), out(f"aqs_{c:03d}.csv")
    if not (a.reuse and os.path.exists(dump) and os.path.exists(csv)):
        tessera("aqs", src, "--frame", src_frame, "-o", dump, "--csv", csv, *POT, "--shear", a.shear,
                "--strain-step", a.strain_step, "--steps", chunk, "--stress-drop", a.stress_drop * 10,
                "--min-style", a.min_style, "--ftol", a.ftol)
    d = np.genfromtxt(csv, delimiter=",", names=True)
    base = len(steps) - 1 if steps else 0
    for j, row in enumerate(d):
        k = base + j
        if j == 0 and steps:
            continue  # the chunk's step 0 is the previous chunk's last step, relaxed again
        steps.append((dump, j))
        stress = -sign * row[["pxx", "pyy", "pzz", "pxy", "pxz", "pyz"][comp]] / 10.0  # bar -> MPa
        drop = row["drop"] / 10.0
        table.append((k, stress, row["pe"], drop))
        if k > 0 and drop > a.stress_drop and len(events) < a.events:
            events.append(dict(step=k, before=steps[k - 1], after=(dump, j), step_size=a.strain_step,
                               drop=drop, stress_before=table[-2][1]))
    c += 1
    src, src_frame = dump, chunk
    if len(events) >= a.events or len(steps) - 1 >= max_steps:
        break
table = np.array(table)
# Refine: redo each coarse drop from the configuration before it in steps of --fine-step; the
# first fine drop is the event (frozen-atom analysis is sensitive to how far the step overshoots
# the instability, so it gets the paper's step).
if ratio > 1:
    for e, ev in enumerate(events):
        dump, csv = out(f"aqs_fine_{e + 1}.dump"), out(f"aqs_fine_{e + 1}.csv")
        if not (a.reuse and os.path.exists(dump) and os.path.exists(csv)):
            tessera("aqs", ev["before"][0], "--frame", ev["before"][1], "-o", dump, "--csv", csv, *POT,
                    "--shear", a.shear, "--strain-step", a.fine_step, "--steps", 2 * ratio,
                    "--stress-drop", a.stress_drop * 10, "--min-style", a.frozen_min_style, "--ftol", a.ftol)
        d = np.genfromtxt(csv, delimiter=",", names=True)
        hit = [j for j in range(1, len(d)) if d["drop"][j] / 10.0 > a.stress_drop]
        if hit:
            j = hit[0]
            st = -sign * np.array([r[["pxx", "pyy", "pzz", "pxy", "pxz", "pyz"][comp]] for r in d]) / 10.0
            ev.update(before=(dump, j - 1), after=(dump, j), step_size=a.fine_step, drop=d["drop"][j] / 10.0,
                      stress_before=st[j - 1], fine_substep=j)
        else:
            log(f"event {e + 1}: no drop above {a.stress_drop} MPa in {ratio} steps of {a.fine_step:g}; "
                f"kept the coarse step")
# Bisect: the smallest strain step (to --overshoot) from the configuration before the event that
# still triggers it. Frozen-atom analysis asks whether freezing an atom keeps the old minimum
# alive; a step that overshoots the instability by more than the shift a frozen atom gives the
# critical strain lets every event run (on a 432-atom glass: no atom stops an event 1e-5 past the
# instability, the softest-mode atoms do 1e-6 past it; docs/seeds/001.md).
if a.overshoot > 0:
    for e, ev in enumerate(events):
        (fb, ib) = ev["before"]
        runs = []

        def triggers(step):
            """Relax frame `before` strained by `step` with the frozen-atom minimiser: did the event run?"""
            k = len(runs)
            dump, csv = out(f"bisect_{e + 1}_{k}.dump"), out(f"bisect_{e + 1}_{k}.csv")
            if not (a.reuse and os.path.exists(dump) and os.path.exists(csv)):
                tessera("aqs", fb, "--frame", ib, "-o", dump, "--csv", csv, *POT, "--shear", a.shear,
                        "--strain-step", step, "--steps", 1, "--stress-drop", a.stress_drop * 10,
                        "--min-style", a.frozen_min_style, "--ftol", a.ftol)
            d = np.genfromtxt(csv, delimiter=",", names=True)
            runs.append((step, dump, d["drop"][1] / 10.0))
            return d["drop"][1] / 10.0 > a.stress_drop

        # The same minimiser as the frozen-atom relaxations decides whether the event runs: cg
        # can jump a basin that still exists, so its AQS step may come before FIRE's event.
        lo, hi = 0.0, ev["step_size"]
        doublings = 0
        while not triggers(hi) and doublings < 4:
            lo, hi = hi, 2 * hi
            doublings += 1
        if runs[-1][2] <= a.stress_drop:
            log(f"event {e + 1}: {a.frozen_min_style} relaxations see no drop up to a step of {hi:.3g}; kept the AQS step")
            continue
        hit = runs[-1]
        while hi - lo > a.overshoot:
            mid = 0.5 * (lo + hi)
            if triggers(mid):
                hi, hit = mid, runs[-1]
            else:
                lo = mid
        ev.update(after=(hit[1], 1), step_size=hi, drop=hit[2], bisected_step=hi, critical_step_lower=lo)
        log(f"event {e + 1}: triggered by a step of {hi:.3g} (not by {lo:.3g}) from the configuration before it "
            f"({a.frozen_min_style})")
timing["aqs_s"] = round(time.time() - t0, 1)
log(f"AQS: {len(steps) - 1} steps, events at steps {[ev['step'] for ev in events]}")

# ---------------------------------------------------------------- 3. events
rng = np.random.default_rng(a.seed)
results = []
t_frozen = 0.0
for e, ev in enumerate(events):
    k = ev["step"]
    tag = f"event{e + 1}_step{k}"
    (fb, ib), (fa_, ia) = ev["before"], ev["after"]
    gamma = sign * ev["step_size"]
    before = read_dump(fb, {ib})[ib]
    after = read_dump(fa_, {ia})[ia]
    aff, x_aff = affine_step(before, gamma)
    aff.timestep = 0
    n = len(x_aff)
    # The event's own displacement (the frozen-nothing relaxation = AQS step k).
    u = np.linalg.norm(min_image(after.pos - x_aff, after.h), axis=1)
    if a.all_atoms or a.top + a.random >= n:
        chosen = np.arange(n)
        rule = "all atoms"
    else:
        # The softest mode of the configuration before the event is the one that goes unstable;
        # an atom with a large share of it is one whose freezing can keep the minimum alive.
        soft = out(f"{tag}_soft.dump")
        tessera("vdos", fb, "--frame", ib, "-o", out(f"{tag}_vdos.csv"), "--per-atom", soft, *POT,
                "--lowest-modes", 1, "--method", "dense")
        share = read_dump(soft)[0].col("vdos_low")
        top = np.argsort(-share, kind="stable")[: a.top]
        rest = np.setdiff1d(np.arange(n), top)
        rand = rng.choice(rest, size=min(a.random, len(rest)), replace=False)
        chosen = np.sort(np.concatenate([top, rand]))
        rule = (f"the {a.top} atoms with the largest share of the softest mode before the event (tessera vdos "
                f"--lowest-modes 1), plus {len(rand)} random others (seed {a.seed})")
    is_random = np.zeros(n, bool)
    if rule != "all atoms":
        is_random[rand] = True
    ids = before.ids
    t0 = time.time()
    args = ["frozen-atoms", fb, "--frame", ib, "-o", out(f"{tag}_df.dump"), "--csv", out(f"{tag}_hist.csv"),
            *POT, "--shear", a.shear, "--strain-step", ev["step_size"], "--min-style", a.frozen_min_style,
            "--ftol", a.ftol, "--threads", a.threads, "--min-gap", a.min_gap]
    if rule != "all atoms":
        args += ["--atoms", ",".join(map(str, ids[chosen]))]
    if not (a.reuse and os.path.exists(out(f"{tag}_df.dump"))):
        tessera(*args)
    dt = time.time() - t0
    t_frozen += dt
    df_fr = read_dump(out(f"{tag}_df.dump"))[0]
    d_f = df_fr.col("d_f")
    tessera_core = df_fr.col("stz_core").astype(int)
    # D_ref: the frozen-nothing relaxation is AQS step k (same start, same minimiser).
    d_ref = float(np.sqrt(np.sum(np.linalg.norm(min_image(after.pos - x_aff, after.h), axis=1) ** 2)))
    # Core: tessera's rule over the whole system, the atoms not analysed counted at D_ref (the
    # value freezing a bystander gives), so that the median is the bulk even when the subset is
    # mostly near the event. With --all-atoms this is exactly tessera's own stz_core.
    padded = np.where(np.isnan(d_f), d_ref, d_f)
    lab, thr, gap = split_stz_core(padded, a.min_gap)
    lab[np.isnan(d_f)] = 0
    core = lab > 0
    n_core = int(core.sum())
    # Before / after pair for D2min, von Mises stress and LCE.
    after_copy = Frame(1, after.lo, after.h, after.cols, after.data)
    pair = out(f"{tag}_pair.dump")
    write_dump(pair, [(aff, x_aff), (after_copy, after.pos)])
    tessera("d2min", pair, "-o", out(f"{tag}_d2min.dump"), "--cutoff", a.d2min_cutoff)
    tessera("energy", pair, "-o", out(f"{tag}_energy.dump"), *POT, "--shear-modulus")
    tessera("bonds", pair, "-o", out(f"{tag}_bonds.dump"), "--pairs", LCE_PAIRS)
    d2 = read_dump(out(f"{tag}_d2min.dump"))[-1].col("d2min")
    en = read_dump(out(f"{tag}_energy.dump"))
    dvm = en[1].col("von_mises") - en[0].col("von_mises")
    bd = read_dump(out(f"{tag}_bonds.dump"))[-1]
    lce = bd.col("bonds_broken") + bd.col("bonds_formed")

    def overlap(score):
        if n_core == 0:
            return None
        top_c = np.argsort(-score, kind="stable")[:n_core]
        return len(set(top_c) & set(np.flatnonzero(core))) / n_core

    analysed = ~np.isnan(d_f)
    r = {
        "aqs_step": int(k), "strain_step": ev["step_size"], "fine_substep": ev.get("fine_substep"),
        "critical_step_bracket": [ev.get("critical_step_lower"), ev.get("bisected_step")],
        "applied_strain": (k - 1) * a.strain_step + ev.get("fine_substep", 1) * ev["step_size"],
        "stress_before_MPa": float(ev["stress_before"]), "stress_drop_MPa": float(ev["drop"]),
        "atoms_analysed": int(analysed.sum()), "subset": rule,
        "D_ref": d_ref, "core_size": n_core,
        "primary_core_size": int((lab == 1).sum()), "secondary_core_size": int((lab == 2).sum()),
        "core_threshold_D_f": thr, "gap_decades": gap,
        "tessera_stz_core_on_subset": int((tessera_core > 0).sum()),
        "random_atoms_in_core": int((core & is_random).sum()),
        "D_f_min": float(np.nanmin(d_f)), "D_f_median_analysed": float(np.nanmedian(d_f)),
        "overlap_d2min": overlap(d2), "overlap_vonmises": overlap(np.abs(dvm)),
        "core_rank_by_event_displacement_max": (int(np.max(np.argsort(np.argsort(-u))[core])) + 1) if n_core else None,
        "lce_core_fraction_with_bond_change": float((lce[core] > 0).mean()) if n_core else None,
        "lce_core_fraction_3plus": float((lce[core] >= 3).mean()) if n_core else None,
        "lce_atoms_with_bond_change": int((lce > 0).sum()),
        "lce_atoms_in_core_fraction": float((core & (lce > 0)).sum() / max(1, (lce > 0).sum())),
        "lce_mean_core": float(lce[core].mean()) if n_core else None,
        "lce_mean_rest": float(lce[~core].mean()),
        "frozen_atoms_s": round(dt, 1),
    }
    log(f"{tag}: drop {r['stress_drop_MPa']:.2f} MPa, D_ref {d_ref:.4f} A, core {n_core} atoms "
        f"(gap {gap:.2f} decades), overlaps D2min {r['overlap_d2min']} vM {r['overlap_vonmises']}, "
        f"{r['atoms_analysed']} atoms in {dt:.0f} s")
    results.append(dict(r, _d_f=d_f, _core=core, _d2=d2, _thr=thr))
timing["frozen_atoms_s"] = round(t_frozen, 1)

# ---------------------------------------------------------------- 3b. each core along the AQS curve
# The paper follows each STZ core's mean atomic energy and the von Mises stress of the core's mean
# stress tensor along the AQS curve: `tessera energy` on every AQS chunk (pe, stress/atom in
# bar*A^3), then, per AQS step, the mean over the core's atoms (the whole system beside it); the
# mean virial over the mean atomic volume V/N gives the stress (GPa).
t0 = time.time()
chunk_energy = {}
for d in sorted(set(f for f, _ in steps)):
    eo = d[:-len(".dump")] + "_energy.dump"
    if not (a.reuse and os.path.exists(eo)):
        tessera("energy", d, "-o", eo, *POT)
    chunk_energy[d] = read_dump(eo)
S_COLS = ["sxx", "syy", "szz", "sxy", "sxz", "syz"]


def von_mises(s):
    return float(np.sqrt(0.5 * ((s[0] - s[1]) ** 2 + (s[1] - s[2]) ** 2 + (s[2] - s[0]) ** 2)
                         + 3 * (s[3] ** 2 + s[4] ** 2 + s[5] ** 2)))


for r in results:
    track = {"aqs_step": [], "strain_percent": [], "pe_core_eV": [], "pe_all_eV": [], "von_mises_core_GPa": [],
             "von_mises_all_GPa": []}
    for k, (d, j) in enumerate(steps):
        fr = chunk_energy[d][j]
        pe, st = fr.col("pe"), np.column_stack([fr.col(c_) for c_ in S_COLS])
        vol = abs(np.linalg.det(fr.h)) / len(pe)  # mean atomic volume, A^3
        bar_to_gpa = 1e-4
        track["aqs_step"].append(k)
        track["strain_percent"].append(k * a.strain_step * 100)
        track["pe_core_eV"].append(float(pe[r["_core"]].mean()) if r["core_size"] else None)
        track["pe_all_eV"].append(float(pe.mean()))
        track["von_mises_core_GPa"].append(
            von_mises(st[r["_core"]].mean(axis=0) / vol * bar_to_gpa) if r["core_size"] else None)
        track["von_mises_all_GPa"].append(von_mises(st.mean(axis=0) / vol * bar_to_gpa))
    r["core_along_aqs"] = track
timing["core_along_aqs_s"] = round(time.time() - t0, 1)

# ---------------------------------------------------------------- 4. summary and figure
t0 = time.time()
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ne = len(results)
fig = plt.figure(figsize=(15, 3.2 + 3.0 * max(ne, 1)))
gs = fig.add_gridspec(1 + max(ne, 1), 3)
ax = fig.add_subplot(gs[0, :])
strain = table[:, 0] * a.strain_step * 100
ax.plot(strain, table[:, 1], "-", lw=1, color="k")
for e, r in enumerate(results):
    k = r["aqs_step"]
    ax.plot(strain[k - 1:k + 1], table[k - 1:k + 1, 1], "-", color="C3", lw=2)
    ax.plot(strain[k - 1], table[k - 1, 1], "o", mfc="none", mec="C3", ms=12)
    ax.annotate(f"{e + 1}: {r['stress_drop_MPa']:.1f} MPa", (strain[k - 1], table[k - 1, 1]),
                textcoords="offset points", xytext=(-10, 12), ha="right", fontsize=8, color="C3")
ax.set_xlabel(f"applied shear strain {a.shear} (%)")
ax.set_ylabel("shear stress (MPa)")
ax.set_title(f"AQS of Cu50Zr50 glass ({len(x_aff) if events else 0} atoms), step {a.strain_step:g}, "
             f"{a.min_style}; analysed drops circled (frozen-atom relaxations: {a.frozen_min_style})")
for e, r in enumerate(results):
    d_f, core = r["_d_f"], r["_core"]
    ok = ~np.isnan(d_f)
    lg = np.log10(np.maximum(d_f[ok], 1e-8))
    ax1 = fig.add_subplot(gs[1 + e, 0])
    bins = np.arange(np.floor(lg.min() * 10) / 10 - 0.05, np.ceil(lg.max() * 10) / 10 + 0.1, 0.05)
    ax1.hist(lg[~core[ok]], bins=bins, color="0.5", label="rest")
    ax1.hist(lg[core[ok]], bins=bins, color="C3", label=f"STZ core ({r['core_size']})")
    if r["_thr"] > 0:
        ax1.axvline(np.log10(r["_thr"]), color="C3", ls=":", label=f"gap {r['gap_decades']:.2f} dec.")
    ax1.axvline(np.log10(r["D_ref"]), color="k", ls="--", label=f"D_ref {r['D_ref']:.3f} Å")
    ax1.set_yscale("log")
    ax1.set_xlabel("log10 D_f (Å)")
    ax1.set_ylabel("atoms")
    ax1.set_title(f"event {e + 1} (strain {100 * r['applied_strain']:.3f} %): {r['atoms_analysed']} atoms frozen", fontsize=9)
    ax1.legend(fontsize=7)
    ax2 = fig.add_subplot(gs[1 + e, 1])
    d2 = r["_d2"]
    ax2.scatter(d2[ok & ~core], d_f[ok & ~core], s=8, color="0.5", label="rest")
    ax2.scatter(d2[core], d_f[core], s=12, color="C3", label="STZ core")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ax2.set_xlabel(f"D²min (Å², cutoff {a.d2min_cutoff:g} Å)")
    ax2.set_ylabel("D_f (Å)")
    fmt = lambda v: "-" if v is None else f"{v:.2f}"  # noqa: E731
    ax2.set_title(f"overlap with top-|core| D²min {fmt(r['overlap_d2min'])}, |Δσ_vM| {fmt(r['overlap_vonmises'])}",
                  fontsize=9)
    ax2.legend(fontsize=7)
    tr = r["core_along_aqs"]
    if r["core_size"]:
        ax3 = fig.add_subplot(gs[1 + e, 2])
        x = np.array(tr["strain_percent"])
        ax3.plot(x, np.array(tr["pe_core_eV"]) - np.array(tr["pe_all_eV"]), color="C3",
                 label="core ⟨pe⟩ − system ⟨pe⟩ (eV)")
        ax3.set_xlabel(f"applied shear strain {a.shear} (%)")
        ax3.set_ylabel("atomic energy difference (eV)", color="C3")
        ax3.axvline(x[r["aqs_step"]], color="k", ls=":", lw=1)
        ax4 = ax3.twinx()
        ax4.plot(x, tr["von_mises_core_GPa"], color="C0", label="σ_vM of the core's mean stress")
        ax4.plot(x, tr["von_mises_all_GPa"], color="0.5", ls="--", label="σ_vM of the system")
        ax4.set_ylabel("von Mises stress (GPa)", color="C0")
        ax3.set_title(f"event {e + 1}: its core along the AQS curve (event at the dotted line)", fontsize=9)
        h1, l1 = ax3.get_legend_handles_labels()
        h2, l2 = ax4.get_legend_handles_labels()
        ax3.legend(h1 + h2, l1 + l2, fontsize=7)
fig.tight_layout()
fig.savefig(out("seed001.png"), dpi=110)
timing["analysis_plot_s"] = round(time.time() - t0, 1)
timing["total_s"] = round(time.time() - t_start, 1)

pub = [{k: v for k, v in r.items() if not k.startswith("_") and k != "core_along_aqs"} for r in results]
summary = {
    "events": len(results),
    "stz_core_sizes": [r["core_size"] for r in pub],
    "df_reference": [r["D_ref"] for r in pub],
    "overlap_d2min": [r["overlap_d2min"] for r in pub],
    "overlap_vonmises": [r["overlap_vonmises"] for r in pub],
    "core_along_aqs": [r["core_along_aqs"] for r in results],
    "core_along_aqs_definition": "per AQS step: mean tessera-energy pe of the event's STZ core atoms and of all "
                                 "atoms; von Mises stress of the mean stress/atom tensor of the core (of all atoms) "
                                 "over the mean atomic volume V/N, GPa",
    "overlap_definition": "fraction of the STZ core atoms (|core| = c) that are also among the c atoms with "
                          "the largest D2min (tessera d2min, reference = frame k-1 after the affine step, "
                          "current = relaxed frame k) / the largest |von_mises(k) - von_mises(affine k-1)| "
                          "(tessera energy --shear-modulus); ranking over all atoms",
    "stress_drops_MPa": [r["stress_drop_MPa"] for r in pub],
    "per_event": pub,
    "mode": "quick" if Q else "full",
    "system": {"composition": "Cu50Zr50", "atoms": int(len(x_aff)) if events else 2 * a.cells ** 3,
               "potential": "CuZr_mm.eam.fs (eam/fs)", "glass": {
                   "melt_K_ps": [3000, melt * 0.002], "hold_K_ps": [2000, hold * 0.002],
                   "quench_K_per_s": 1950.0 / (a.quench_steps * 0.002e-12), "ensemble": "NPT, P = 0",
                   "cell_relaxation": "tessera minimize --box-relax 0 (|P_ab| < 1 bar = 0.1 MPa)"}},
    "aqs": {"shear": a.shear, "strain_step": a.strain_step, "fine_step": a.fine_step if ratio > 1 else None,
            "steps": len(steps) - 1,
            "min_style": a.min_style, "ftol": a.ftol, "stress_drop_threshold_MPa": a.stress_drop},
    "core_rule": f"tessera's split (docs/physics.md): first gap >= {a.min_gap} decades of log10 D_f walking "
                 "down from the median; atoms not analysed counted at D_ref",
    "lce": {"pairs": LCE_PAIRS, "hysteresis_A": 0.075, "rule": "distance (paper)"},
    "d2min_cutoff_A": a.d2min_cutoff,
    "threads": a.threads,
    "timing_s": timing,
    "paper": {"atoms": 2000, "events": 36, "mean_core_size": 40, "max_core_size": "< 100",
              "core_D_f_band_A": "<= 0.5", "bulk_D_f_band_A": "0.5 - 1.3",
              "lce_atoms_in_core": 0.55, "core_atoms_with_lce": 0.34},
}
with open(out("summary.json"), "w") as f:
    json.dump(summary, f, indent=1)
log(f"done: {out('summary.json')}, {out('seed001.png')} ({timing})")
