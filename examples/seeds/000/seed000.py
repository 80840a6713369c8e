#!/usr/bin/python3
"""Seed 000 complete: LENS events, dislocations (DXA) and fracture of Cu under tension (Perrone,
Cioni, Delle Piane, Pavan, J. Chem. Phys. 162, 214102 (2025): Figs. 3a, 3d, 3f-g, 3i and 4),
end to end with Debian's LAMMPS and the `tessera` command.

usage: seed000.py --tessera EXE [--out DIR] [--quick] [--replicas N] [options]   (normally via ./run)

Per replica (independent velocity seeds), in DIR/repK/ (every per-atom number from tessera;
Python only runs the programs, reads their CSV tables and does small series math and plots):

  tension (the paper's NPT protocol, cu_tension.in)
    lmp -in cu_tension.in                     tension.dump, tension_stress.csv
    tessera compute --csp 12 --acna           structure.dump
    tessera lens --cutoff RC                  lens.dump;  tessera summary -> lens_sum.csv
    yield = the sigma_xx maximum; elastic = LENS frames up to it, plastic = after it
    tessera events --threshold 0.6 / 0.4 --link 2.8 --split S   events_elastic.csv / events_plastic.csv (Fig. 3a)
    tessera dxa --summary                     dxa_lines.csv, dxa_summary.csv
      B(t) = sum over lines of |b| * length; dB/dt after a 3-frame running median; dislocation
      events = peaks of dB/dt (scipy.signal.find_peaks, prominence >= 10 % of the largest dB/dt) (Fig. 3f)
    tessera dxa --frames K --vtk --per-atom   the lines at the largest event, by family (Fig. 3g)
    delays t_b - t_LENS of every LENS cluster to the next dislocation event (Fig. 3i)
    tessera events --column acna --threshold 1 --link 3.0 --track --new-per-frame   births of
      non-fcc clusters (no atom shared with the previous frame's clusters) against summed LENS,
      cumulative curves and the cross-correlation lag of the increments (Fig. 3d)
  fracture (the paper's NVT protocol, cu_fracture.in: fix deform x ... remap v, nvt/sllod, y z fixed)
    lmp -in cu_fracture.in                    fracture.dump, fracture_stress.csv
    fracture time = the first frame after the sigma_xx maximum with sigma_xx < 10 % of it
    tessera compute --csp 12 --acna --coord 3.0; tessera lens; tessera summary
    tessera events --threshold 0.4 (before) / 0.6 (after) --split T_fracture   (Fig. 4f)
    tessera summary --select 'coord < 10' / 'coord >= 12'  LENS of surface / bulk atoms (Fig. 4g)
    tessera dxa --summary (every 5th frame)
Pooled over replicas: DIR/summary.json; figures of replica 1: DIR/seed000_fig3.png, DIR/seed000_fracture.png.
"""
import argparse
import csv
import glob
import hashlib
import json
import os
import subprocess
import time

import numpy as np
from scipy.signal import find_peaks

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DT_PS = 0.002  # MD timestep of both inputs, ps

p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("--tessera", required=True)
p.add_argument("--out", default=None, help="output directory (default build/seed000[-quick])")
p.add_argument("--quick", action="store_true", help="small and short (< 10 min, LAMMPS on one core)")
p.add_argument("--replicas", type=int, default=None, help="independent velocity seeds (default 3, --quick 1)")
p.add_argument("--seed", type=int, default=4928459, help="velocity seed of replica 1 (replica k: seed + 7919 (k-1); "
                                                         "fracture runs: + 104729)")
p.add_argument("--cells", default=None, help="fcc cells NX,NY,NZ of both runs (quick 10,6,6; full 12,8,8)")
p.add_argument("--rate", type=float, default=0.005, help="engineering strain rate, 1/ps (0.005 = 5e9 /s)")
p.add_argument("--tension-steps", type=int, default=None, help="deformation steps of 2 fs (default 15000: 15 %% strain)")
p.add_argument("--fracture-steps", type=int, default=None, help="deformation steps of 2 fs (quick 40000, full 45000)")
p.add_argument("--every", type=int, default=100, help="dump interval, steps (100 = 0.2 ps)")
p.add_argument("--lens-cutoff", type=float, default=3.1,
               help="LENS cutoff, A (default 3.1, the first-shell cutoff the paper also tested; the paper's 8 crosses "
                    "lattice shells at this strain rate: docs/seeds/000.md)")
p.add_argument("--link", type=float, default=2.8, help="LENS event clusters: link distance, A (paper: 2.8)")
p.add_argument("--defect-link", type=float, default=3.0,
               help="non-fcc clusters: link distance, A (between the first and second shells)")
p.add_argument("--elastic-threshold", type=float, default=0.6)
p.add_argument("--plastic-threshold", type=float, default=0.4)
p.add_argument("--pre-fracture-threshold", type=float, default=0.4)
p.add_argument("--post-fracture-threshold", type=float, default=0.6)
p.add_argument("--fracture-fraction", type=float, default=0.1,
               help="fracture = first frame after the stress maximum with sigma_xx below this fraction of it")
p.add_argument("--peak-prominence", type=float, default=0.1,
               help="dislocation events: peaks of dB/dt with a prominence >= this fraction of max dB/dt")
p.add_argument("--large-event", type=int, default=5, help="median_delay_large_events: clusters of >= this many atoms")
p.add_argument("--surface-coord", type=int, default=10,
               help="surface atoms: fewer than this many neighbours within 3.0 A (bulk fcc: 12)")
p.add_argument("--reuse", action="store_true", help="reuse LAMMPS trajectories already in DIR")
a = p.parse_args()

Q = a.quick
a.replicas = a.replicas or (1 if Q else 3)
a.cells = [int(v) for v in (a.cells or ("10,6,6" if Q else "12,8,8")).split(",")]
a.tension_steps = a.tension_steps or 15000
a.fracture_steps = a.fracture_steps or (40000 if Q else 45000)
a.out = a.out or os.path.join("build", "seed000-quick" if Q else "seed000")
os.makedirs(a.out, exist_ok=True)
t_start = time.time()
DT_FRAME = a.every * DT_PS


def log(msg):
    print(f"[seed000 {time.time() - t_start:7.1f} s] {msg}", flush=True)


def tessera(*args):
    args = [str(x) for x in args]
    print("$ tessera " + " ".join(x if " " not in x else repr(x) for x in args), flush=True)
    subprocess.run([a.tessera, *args, "-q"], check=True)


def lammps(inp, cwd, out_name, variables):
    """Debian's lmp on one core (OMP_NUM_THREADS=1, nice 5); output renamed only when complete."""
    out = os.path.join(cwd, out_name)
    if a.reuse and os.path.exists(out):
        log(f"reusing {out}")
        return
    v = []
    for k, val in variables.items():
        v += ["-var", k, str(val)]
    env = dict(os.environ, OMP_NUM_THREADS="1", LAMMPS_POTENTIALS="/usr/share/lammps/potentials")
    cmd = ["nice", "-n", "5", "lmp", "-in", os.path.join(HERE, inp), *v, "-var", "out", out_name + ".part",
           "-log", out_name.replace(".dump", ".log"), "-screen", "none"]
    print("$ " + " ".join(cmd), flush=True)
    t0 = time.time()
    subprocess.run(cmd, cwd=cwd, env=env, check=True)
    os.replace(out + ".part", out)
    log(f"{inp}: {time.time() - t0:.0f} s")


def table(path):
    """CSV with a header -> dict of numpy arrays (strings kept for non-numeric columns)."""
    with open(path) as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    out = {}
    for j, h in enumerate(head):
        col = [r[j] for r in body]
        try:
            out[h] = np.array(col, dtype=float)
        except ValueError:
            out[h] = np.array(col)
    return out


def sel(t, mask):
    return {k: v[mask] for k, v in t.items()}


def running_median3(y):
    """Median of each value and its two neighbours; the two ends unchanged."""
    m = y.astype(float).copy()
    if len(y) >= 3:
        m[1:-1] = np.median(np.stack([y[:-2], y[1:-1], y[2:]]), axis=0)
    return m


def xcorr_lag(x, y, max_lag):
    """Lag (frames) maximising the Pearson correlation of x[t] and y[t + lag]; positive: y follows x."""
    best, best_r, rs = 0, -np.inf, {}
    for lag in range(-max_lag, max_lag + 1):
        xs, ys = (x[:len(x) - lag], y[lag:]) if lag >= 0 else (x[-lag:], y[:len(y) + lag])
        if len(xs) < 3 or xs.std() == 0 or ys.std() == 0:
            continue
        r = float(np.corrcoef(xs, ys)[0, 1])
        rs[lag] = r
        if r > best_r:
            best, best_r = lag, r
    return best, best_r, rs


def read_vtk_lines(path):
    """Polylines of a legacy VTK file written by tessera dxa --vtk: list of (n, 3) point arrays."""
    tok = open(path).read().split()
    i = tok.index("POINTS")
    n = int(tok[i + 1])
    pts = np.array(tok[i + 3:i + 3 + 3 * n], dtype=float).reshape(n, 3)
    i = tok.index("LINES")
    nl, k, lines = int(tok[i + 1]), i + 3, []
    for _ in range(nl):
        m = int(tok[k])
        lines.append(pts[np.array(tok[k + 1:k + 1 + m], dtype=int)])
        k += 1 + m
    return lines


def read_frame(path, columns):
    """First frame of a LAMMPS dump: box lo/hi and the requested columns (rows as in the file)."""
    with open(path) as f:
        f.readline(), f.readline(), f.readline()
        n = int(f.readline())
        f.readline()
        box = np.array([[float(v) for v in f.readline().split()[:2]] for _ in range(3)])
        names = f.readline().split()[2:]
        d = np.loadtxt([f.readline() for _ in range(n)], ndmin=2)
    return box, {c: d[:, names.index(c)] for c in columns}


def per_atom_mean(path, column, t_from):
    """Per-atom time average of a column over the frames with timestep >= t_from (for the map of
    Fig. 4g only: a plot, no number of summary.json comes from here)."""
    acc, cnt, pos, last = None, 0, None, None
    with open(path) as f:
        while True:
            line = f.readline()
            if not line:
                break
            ts = int(f.readline())
            f.readline()
            n = int(f.readline())
            f.readline()
            box = np.array([[float(v) for v in f.readline().split()[:2]] for _ in range(3)])
            names = f.readline().split()[2:]
            rows = [f.readline() for _ in range(n)]
            if ts < t_from:
                continue
            d = np.loadtxt(rows, ndmin=2)
            d = d[np.argsort(d[:, names.index("id")])]
            v = d[:, names.index(column)]
            acc = v.copy() if acc is None else acc + v
            cnt += 1
            pos, last = d[:, [names.index(c) for c in "xyz"]], (box, d[:, names.index("coord")])
    return (acc / cnt if cnt else None), pos, last


def build_id(exe):
    """sha256 (first 16 hex digits) of the tessera launcher and the builds beside it: DXA results can change
    between builds, so summary.json names the one that made them."""
    d = os.path.dirname(os.path.realpath(exe))
    files = sorted(set(glob.glob(os.path.join(d, "tessera*")) + glob.glob(os.path.join(d, "..", "libexec", "tessera", "tessera*"))))
    return {os.path.basename(f): hashlib.sha256(open(f, "rb").read()).hexdigest()[:16] for f in files if os.path.isfile(f)}


# ------------------------------------------------------------------------------------- replicas
def tension(rdir, seed):
    P = lambda n: os.path.join(rdir, n)  # noqa: E731
    nx, ny, nz = a.cells
    lammps("cu_tension.in", rdir, "tension.dump",
           dict(nx=nx, ny=ny, nz=nz, rate=a.rate, steps=a.tension_steps, every=a.every, seed=seed,
                stress="tension_stress.csv"))
    tessera("compute", P("tension.dump"), "-o", P("structure.dump"), "--csp", 12, "--acna")
    tessera("lens", P("structure.dump"), "-o", P("lens.dump"), "--cutoff", a.lens_cutoff)
    tessera("summary", P("lens.dump"), "-o", P("lens_sum.csv"), "--columns", "lens,csp", "--stats", "sum")
    st = table(P("tension_stress.csv"))
    t_yield = int(st["timestep"][int(np.argmax(st["sxx_gpa"]))])
    split = t_yield + a.every  # LENS at t covers (t - dt, t]: frames up to the maximum are elastic
    for phase, thr in (("elastic", a.elastic_threshold), ("plastic", a.plastic_threshold)):
        tessera("events", P("lens.dump"), "--column", "lens", "--threshold", thr, "--link", a.link,
                "--split", split, "-o", P(f"events_{phase}.csv"))
    ev_e = table(P("events_elastic.csv"))
    ev_p = table(P("events_plastic.csv"))
    ev_e = sel(ev_e, ev_e["timestep"] < split)
    ev_p = sel(ev_p, ev_p["timestep"] >= split)

    # dislocations: B(t) = sum |b| L over the lines of each frame, its rate, and the events
    tessera("dxa", P("tension.dump"), "-o", P("dxa_lines.csv"), "--summary", P("dxa_summary.csv"))
    ds = table(P("dxa_summary.csv"))
    dl = table(P("dxa_lines.csv"))
    frames, steps = ds["frame"].astype(int), ds["timestep"]
    B = np.zeros(len(frames))
    if len(dl.get("frame", [])):
        np.add.at(B, dl["frame"].astype(int),
                  np.sqrt(dl["bx"] ** 2 + dl["by"] ** 2 + dl["bz"] ** 2) * dl["length"])
    Bm = running_median3(B)
    dBdt = np.diff(Bm) / DT_FRAME  # at steps[1:], the change over (t - dt, t] as LENS
    dbsum = np.diff(running_median3(ds["b_sum"])) / DT_FRAME
    pk = np.array([], int)
    if dBdt.max() > 0:
        pk, _ = find_peaks(dBdt, height=0.0, prominence=a.peak_prominence * dBdt.max())
    t_b = steps[1:][pk]
    pk_bsum = np.array([], int)
    if dbsum.max() > 0:
        pk_bsum, _ = find_peaks(dbsum, height=0.0, prominence=a.peak_prominence * dbsum.max())

    # Fig. 3i: each LENS cluster's delay to the next dislocation event (at or after it)
    clusters = np.concatenate([ev_e["timestep"], ev_p["timestep"]]), np.concatenate([ev_e["size"], ev_p["size"]])
    delay = np.full(len(clusters[0]), np.nan)
    for i, t in enumerate(clusters[0]):
        later = t_b[t_b >= t]
        if len(later):
            delay[i] = (later.min() - t) * DT_PS

    with open(P("delays.csv"), "w") as f:
        f.write("timestep,phase,size,delay_ps\n")
        for i, (t, sz) in enumerate(zip(*clusters)):
            f.write(f"{int(t)},{'elastic' if t < split else 'plastic'},{int(sz)},{delay[i]!r}\n")
    plastic_large = (clusters[1] >= a.large_event) & (clusters[0] >= split) & np.isfinite(delay)

    # Fig. 3d: births of non-fcc clusters vs summed LENS
    tessera("events", P("structure.dump"), "--column", "acna", "--threshold", 1, "--link", a.defect_link,
            "--track", "-o", P("defect_tracks.csv"), "--new-per-frame", P("defect_new.csv"))
    nw = table(P("defect_new.csv"))
    ls = table(P("lens_sum.csv"))
    births = dict(zip(nw["timestep"].astype(int), nw["births"]))
    lt = ls["timestep"].astype(int)
    b_at = np.array([births.get(t, 0.0) for t in lt])
    el = lt < split
    max_lag = max(1, int(el.sum()) // 4)
    lag, lag_r, rs = xcorr_lag(ls["lens_sum"][el], b_at[el], max_lag)
    lag_all, lag_all_r, _ = xcorr_lag(ls["lens_sum"], b_at, max(1, len(lt) // 4))

    # the frame of the largest event: lines for Fig. 3g
    event_frame = None
    if len(pk):
        k = pk[int(np.argmax(dBdt[pk]))] + 1
        event_frame = int(frames[k])
        tessera("dxa", P("tension.dump"), "--frames", event_frame, "-o", P("dxa_event_lines.csv"),
                "--vtk", P("dxa_event.vtk"), "--per-atom", P("dxa_event.dump"))
    large = clusters[1] >= a.large_event
    res = dict(
        yield_timestep=t_yield, yield_stress_gpa=float(st["sxx_gpa"].max()), split_timestep=split,
        elastic_events=int(len(ev_e["size"])), plastic_events=int(len(ev_p["size"])),
        elastic_single_atom_fraction=float(np.mean(ev_e["size"] == 1)) if len(ev_e["size"]) else None,
        elastic_max_event_size=int(ev_e["size"].max()) if len(ev_e["size"]) else 0,
        plastic_single_atom_fraction=float(np.mean(ev_p["size"] == 1)) if len(ev_p["size"]) else None,
        plastic_max_event_size=int(ev_p["size"].max()) if len(ev_p["size"]) else 0,
        dislocation_events=int(len(pk)), dislocation_event_timesteps=[int(t) for t in t_b],
        dislocation_event_times_ps=[float(t * DT_PS) for t in t_b],
        dislocation_events_from_b_sum=int(len(pk_bsum)),
        dxa_max_total_length=float(ds["total_length"].max()),
        dxa_length_fraction_other=float(ds["length_other"].sum() / max(ds["total_length"].sum(), 1e-300)),
        clusters=int(len(delay)), clusters_with_delay=int(np.isfinite(delay).sum()),
        large_clusters_with_delay=int(np.isfinite(delay[large]).sum()),
        median_delay_large_events=float(np.nanmedian(delay[large])) if np.isfinite(delay[large]).any() else None,
        median_delay_large_events_plastic=float(np.median(delay[plastic_large])) if plastic_large.any() else None,
        median_delay_small_events=float(np.nanmedian(delay[~large])) if np.isfinite(delay[~large]).any() else None,
        defect_births=int(b_at.sum()), defect_lens_lag_ps=float(lag * DT_FRAME), defect_lens_lag_r=lag_r,
        defect_lens_r_at_lag0=rs.get(0), defect_lens_r_range=[min(rs.values()), max(rs.values())] if rs else None,
        defect_lens_lag_all_ps=float(lag_all * DT_FRAME), defect_lens_lag_all_r=lag_all_r,
        event_frame=event_frame)
    plot = dict(st=st, ls=ls, steps=steps, B=B, Bm=Bm, dBdt=dBdt, bsum=ds["b_sum"], dbsum=dbsum, pk=pk,
                t_b=t_b, ev_e=ev_e, ev_p=ev_p, clusters=clusters, delay=delay, b_at=b_at, lt=lt, split=split,
                lag=lag, ds=ds)
    return res, plot, (ev_e["size"], ev_p["size"], delay[large], delay[plastic_large])


def fracture(rdir, seed):
    P = lambda n: os.path.join(rdir, n)  # noqa: E731
    nx, ny, nz = a.cells
    lammps("cu_fracture.in", rdir, "fracture.dump",
           dict(nx=nx, ny=ny, nz=nz, rate=a.rate, steps=a.fracture_steps, every=a.every, seed=seed,
                stress="fracture_stress.csv"))
    st = table(P("fracture_stress.csv"))
    i_max = int(np.argmax(st["sxx_gpa"]))
    smax = float(st["sxx_gpa"][i_max])
    below = np.flatnonzero(st["sxx_gpa"][i_max:] < a.fracture_fraction * smax)
    if not len(below):
        raise SystemExit(f"seed000: {P('fracture_stress.csv')}: sigma_xx never falls below "
                         f"{a.fracture_fraction} of its maximum {smax:.2f} GPa: no fracture (longer --fracture-steps)")
    t_frac = int(st["timestep"][i_max + below[0]])
    tessera("compute", P("fracture.dump"), "-o", P("fstructure.dump"), "--csp", 12, "--acna", "--coord", 3.0)
    tessera("lens", P("fstructure.dump"), "-o", P("flens.dump"), "--cutoff", a.lens_cutoff)
    tessera("summary", P("flens.dump"), "-o", P("flens_sum.csv"), "--columns", "lens,csp", "--stats", "sum")
    # the fracture transient: from t_frac until the summed LENS is back at the post-fracture median
    ls = table(P("flens_sum.csv"))
    lt = ls["timestep"].astype(int)
    after = lt >= t_frac
    med = float(np.median(ls["lens_sum"][after]))
    k_frac = int(np.flatnonzero(after)[0])
    k_post = int(np.flatnonzero(after & (ls["lens_sum"] <= med))[0])
    t_post = int(lt[k_post])
    # each phase normalised over its own frames (frame indices of flens.dump)
    tessera("events", P("flens.dump"), "--column", "lens", "--threshold", a.pre_fracture_threshold,
            "--link", a.link, "--normalize", "--frames", f":{k_frac}", "-o", P("fevents_pre.csv"))
    tessera("events", P("flens.dump"), "--column", "lens", "--threshold", a.post_fracture_threshold,
            "--link", a.link, "--normalize", "--frames", f"{k_post}:", "-o", P("fevents_post.csv"))
    pre = table(P("fevents_pre.csv"))
    post = table(P("fevents_post.csv"))
    sc = a.surface_coord
    tessera("summary", P("flens.dump"), "-o", P("fsurface_lens.csv"), "--columns", "lens", "--stats", "sum",
            "--select", f"coord < {sc}")
    tessera("summary", P("flens.dump"), "-o", P("fbulk_lens.csv"), "--columns", "lens", "--stats", "sum",
            "--select", "coord >= 12")
    su, bu = table(P("fsurface_lens.csv")), table(P("fbulk_lens.csv"))
    ps, pb = su["timestep"] >= t_post, bu["timestep"] >= t_post
    surf_mean = float(su["lens_sum"][ps].sum() / su["atoms"][ps].sum()) if su["atoms"][ps].sum() else None
    bulk_mean = float(bu["lens_sum"][pb].sum() / bu["atoms"][pb].sum()) if bu["atoms"][pb].sum() else None
    tessera("dxa", P("fracture.dump"), "-o", P("fdxa_lines.csv"), "--summary", P("fdxa_summary.csv"), "--frames", "::5")
    fd = table(P("fdxa_summary.csv"))
    res = dict(
        sigma_max_gpa=smax, sigma_max_timestep=int(st["timestep"][i_max]), fracture_timestep=t_frac,
        fracture_time=t_frac * DT_PS, fracture_strain=float(st["strain"][i_max + below[0]]),
        post_fracture_start_timestep=t_post, post_fracture_start=t_post * DT_PS,
        pre_fracture_events=int(len(pre["size"])), post_fracture_events=int(len(post["size"])),
        pre_fracture_single_atom_fraction=float(np.mean(pre["size"] == 1)) if len(pre["size"]) else None,
        pre_fracture_max_event_size=int(pre["size"].max()) if len(pre["size"]) else 0,
        post_fracture_single_atom_fraction=float(np.mean(post["size"] == 1)) if len(post["size"]) else None,
        post_fracture_max_event_size=int(post["size"].max()) if len(post["size"]) else 0,
        post_fracture_fraction_size_1_to_5=float(np.mean(post["size"] <= 5)) if len(post["size"]) else None,
        surface_atoms_at_end=int(su["atoms"][-1]),
        surface_atoms_before_yield=int(su["atoms"][su["timestep"] <= st["timestep"][i_max]].max()),
        surface_mean_lens=surf_mean, bulk_mean_lens=bulk_mean,
        surface_to_bulk_lens=(surf_mean / bulk_mean) if surf_mean and bulk_mean else None,
        dxa_post_fracture_mean_length=float(fd["total_length"][fd["timestep"] >= t_frac].mean()),
        dxa_pre_fracture_max_length=float(fd["total_length"][fd["timestep"] < t_frac].max()))
    plot = dict(st=st, t_frac=t_frac, t_post=t_post, i_max=i_max, pre=pre, post=post, su=su, bu=bu, fd=fd, ls=ls)
    return res, plot, (pre["size"], post["size"])


BUILD_AT_START = build_id(a.tessera)
per, pooled = [], dict(el=[], pl=[], large_delay=[], plastic_large_delay=[], pre=[], post=[])
plots = None
timing = {}
for r in range(a.replicas):
    rdir = os.path.join(a.out, f"rep{r + 1}")
    os.makedirs(rdir, exist_ok=True)
    seed = a.seed + 7919 * r
    t0 = time.time()
    log(f"replica {r + 1}/{a.replicas}: tension (seed {seed})")
    rt, pt, (el, pl, ld, pld) = tension(rdir, seed)
    t1 = time.time()
    log(f"replica {r + 1}/{a.replicas}: fracture (seed {seed + 104729})")
    rf, pf, (pre, post) = fracture(rdir, seed + 104729)
    timing[f"rep{r + 1}_tension_s"] = round(t1 - t0, 1)
    timing[f"rep{r + 1}_fracture_s"] = round(time.time() - t1, 1)
    per.append(dict(replica=r + 1, seed=seed, fracture_seed=seed + 104729, **rt, **rf))
    pooled["el"].append(el), pooled["pl"].append(pl), pooled["large_delay"].append(ld)
    pooled["plastic_large_delay"].append(pld)
    pooled["pre"].append(pre), pooled["post"].append(post)
    if plots is None:
        plots = (pt, pf, rdir)
    log(f"replica {r + 1}: yield at {rt['yield_timestep'] * DT_PS:.1f} ps, {rt['dislocation_events']} dislocation "
        f"events, fracture at {rf['fracture_time']:.1f} ps")

cat = {k: np.concatenate(v) for k, v in pooled.items()}
finite = cat["large_delay"][np.isfinite(cat["large_delay"])]
summary = dict(
    elastic_single_atom_fraction=float(np.mean(cat["el"] == 1)) if len(cat["el"]) else None,
    plastic_max_event_size=int(cat["pl"].max()) if len(cat["pl"]) else 0,
    dislocation_events=int(sum(x["dislocation_events"] for x in per)),
    median_delay_large_events=float(np.median(finite)) if len(finite) else None,
    fracture_time=float(np.mean([x["fracture_time"] for x in per])),
    post_fracture_single_atom_fraction=float(np.mean(cat["post"] == 1)) if len(cat["post"]) else None,
    replicas=a.replicas,
    elastic_events=int(len(cat["el"])), plastic_events=int(len(cat["pl"])),
    plastic_single_atom_fraction=float(np.mean(cat["pl"] == 1)) if len(cat["pl"]) else None,
    pre_fracture_events=int(len(cat["pre"])), post_fracture_events=int(len(cat["post"])),
    pre_fracture_single_atom_fraction=float(np.mean(cat["pre"] == 1)) if len(cat["pre"]) else None,
    pre_fracture_max_event_size=int(cat["pre"].max()) if len(cat["pre"]) else 0,
    post_fracture_max_event_size=int(cat["post"].max()) if len(cat["post"]) else 0,
    large_clusters_with_delay=int(len(finite)),
    median_delay_large_events_plastic=float(np.median(cat["plastic_large_delay"])) if len(cat["plastic_large_delay"])
    else None,
    fracture_time_std=float(np.std([x["fracture_time"] for x in per])),
    defect_lens_lag_ps=[x["defect_lens_lag_ps"] for x in per],
    surface_mean_lens=[x["surface_mean_lens"] for x in per], bulk_mean_lens=[x["bulk_mean_lens"] for x in per],
    per_replica=per,
    definitions={
        "time": "ps from the start of the deformation (timestep x 0.002 ps); LENS at t covers (t - dt, t], dt = "
                f"{DT_FRAME:g} ps between frames",
        "phases": "tension: elastic = LENS frames at or before the sigma_xx maximum, plastic = after it; "
                  "fracture run: pre-fracture = frames before fracture_time, post-fracture = frames from the end of "
                  "the fracture transient (the first frame at or after fracture_time whose summed LENS is at or "
                  "below the median summed LENS of the frames from fracture_time on)",
        "events": f"tessera events --column lens --link {a.link}, LENS min-max normalised per phase (tension: "
                  "--split <first plastic frame>; fracture: --normalize --frames <the phase's frames>): thresholds elastic {a.elastic_threshold}, plastic {a.plastic_threshold}, pre-fracture "
                  f"{a.pre_fracture_threshold}, post-fracture {a.post_fracture_threshold}; fractions pooled over the "
                  "clusters of every replica, maxima over replicas",
        "dislocation_events": "peaks of dB/dt, B(t) = sum over the lines of a frame of |b| * length (tessera dxa "
                              "LINES.csv, spatial b), after a 3-frame running median (ends kept), forward difference "
                              "at the later frame; scipy.signal.find_peaks(height=0, prominence="
                              f"{a.peak_prominence} * max dB/dt); summed over replicas",
        "median_delay_large_events": f"median over LENS clusters of >= {a.large_event} atoms (both phases of the "
                                     "tension runs, pooled) of t_b - t_LENS, t_b the first dislocation event at or "
                                     "after the cluster's frame; clusters after the last event have no delay",
        "fracture_time": f"first frame after the sigma_xx maximum of the NVT run with sigma_xx < "
                         f"{a.fracture_fraction} x the maximum; mean over replicas",
        "surface": f"atoms with fewer than {a.surface_coord} neighbours within 3.0 A (tessera compute --coord 3.0) in a "
                   "frame; surface_mean_lens = sum of their LENS / number of (atom, frame) samples in the post-fracture "
                   "phase (tessera summary --select); bulk: coord >= 12",
        "defect_lens_lag_ps": "lag maximising the Pearson correlation of summed LENS(t) and births(t + lag) of "
                              "non-fcc (a-CNA) clusters over the elastic frames; positive: births follow LENS"},
    parameters=dict(cells=a.cells, atoms=4 * a.cells[0] * a.cells[1] * a.cells[2], rate_per_ps=a.rate,
                    tension_steps=a.tension_steps, fracture_steps=a.fracture_steps, every=a.every, dt_ps=DT_PS,
                    lens_cutoff=a.lens_cutoff, link=a.link, defect_link=a.defect_link,
                    elastic_threshold=a.elastic_threshold, plastic_threshold=a.plastic_threshold,
                    pre_fracture_threshold=a.pre_fracture_threshold,
                    post_fracture_threshold=a.post_fracture_threshold, fracture_fraction=a.fracture_fraction,
                    peak_prominence=a.peak_prominence, large_event=a.large_event, surface_coord=a.surface_coord,
                    coord_cutoff=3.0, seed=a.seed, quick=Q,
                    tessera=subprocess.run([a.tessera, "--version"], capture_output=True, text=True).stdout.strip(),
                    tessera_build=BUILD_AT_START),
    paper=dict(atoms=21952, rate_per_s=3e7, replicas=6, lens_cutoff=8.0, dt_ps=2.0,
               thresholds="elastic 0.6, plastic 0.4; pre-fracture 0.4, post-fracture 0.6",
               defect_lens_lag_ns=1.5, large_event_delay="~0 for hundreds to thousands of atoms; 0-2.5 ns for small",
               post_fracture_event_sizes="typically 1-5 atoms"),
    timing=timing)
summary["timing"]["total_s"] = round(time.time() - t_start, 1)
if build_id(a.tessera) != BUILD_AT_START:
    summary["parameters"]["tessera_build_at_end"] = build_id(a.tessera)
    log("warning: the tessera build changed during the run (summary.json: parameters.tessera_build_at_end)")


# ------------------------------------------------------------------------------------- figures
def event_size_hist(ax, groups, title):
    """Histogram of LENS cluster sizes (10 and more in one bin) for each (name, events, colour)."""
    bins = np.arange(1, 12) - 0.5
    for name, ev, color in groups:
        s = np.minimum(ev["size"], 10)
        if len(s):
            ax.hist(s, bins=bins, alpha=0.6, color=color, density=True,
                    label=f"{name}: {len(s)} clusters, {np.mean(ev['size'] == 1):.0%} single, max {int(ev['size'].max())}")
    ax.set_xticks(range(1, 11), [str(k) for k in range(1, 10)] + ["≥10"])
    ax.set_xlabel("LENS event size (atoms)")
    ax.set_ylabel("fraction of clusters")
    ax.legend(fontsize=7)
    ax.set_title(title, fontsize=10)


def fig3(pt, rdir, path):
    fig = plt.figure(figsize=(13, 8.2))
    gs = fig.add_gridspec(2, 3)
    t = pt["steps"] * DT_PS
    # (a) event sizes
    event_size_hist(fig.add_subplot(gs[0, 0]), (("elastic", pt["ev_e"], "goldenrod"), ("plastic", pt["ev_p"], "tab:blue")),
                    "(3a) LENS event sizes")
    # (d) cumulative LENS vs cumulative births
    ax = fig.add_subplot(gs[0, 1])
    tl = pt["lt"] * DT_PS
    el = pt["lt"] < pt["split"]
    cl = np.cumsum(pt["ls"]["lens_sum"][el])
    cb = np.cumsum(pt["b_at"][el])
    ax.bar(tl[el], pt["b_at"][el] / max(pt["b_at"][el].max(), 1) * 0.3, width=DT_FRAME, color="0.6",
           label="new non-fcc clusters / frame (scaled)")
    ax.plot(tl[el], cl / max(cl[-1], 1e-300), color="tab:blue", label="cumulative Σ LENS")
    ax.plot(tl[el], cb / max(cb[-1], 1), color="k", label="cumulative new clusters")
    ax.set_xlabel("time (ps), elastic phase")
    ax.set_ylabel("normalised")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title(f"(3d) LENS vs defect births: lag {pt['lag'] * DT_FRAME:+.1f} ps", fontsize=10)
    # (f) B and dB/dt
    ax = fig.add_subplot(gs[0, 2])
    ax.plot(t[1:], pt["dBdt"], color="k", lw=1, label="dB/dt, B = Σ |b| L")
    for tb in pt["t_b"] * DT_PS:
        ax.axvline(tb, color="red", ls="--", lw=0.8)
    if len(pt["pk"]):
        k = pt["pk"][int(np.argmax(pt["dBdt"][pt["pk"]]))]
        ax.plot(t[1:][k], pt["dBdt"][k], "*", color="gold", ms=14, mec="k")
    ax.set_xlabel("time (ps)")
    ax.set_ylabel("dB/dt (Å²/ps)")
    tw = ax.twinx()
    tw.plot(pt["st"]["timestep"] * DT_PS, pt["st"]["sxx_gpa"], color="tab:green", lw=0.8)
    tw.set_ylabel("σ_xx (GPa)", color="tab:green")
    ax.set_xlim(max(0, pt["split"] * DT_PS - 6), t[-1])
    ax.set_title(f"(3f) d|b|/dt: {len(pt['pk'])} dislocation events (red)", fontsize=10)
    # (g) lines at the largest event
    ax = fig.add_subplot(gs[1, 0], projection="3d")
    vtk = os.path.join(rdir, "dxa_event.vtk")
    if os.path.exists(vtk):
        lines = read_vtk_lines(vtk)
        fam = table(os.path.join(rdir, "dxa_event_lines.csv"))["family"] if lines else []
        colors = dict(shockley="tab:green", stair_rod="magenta", perfect="tab:blue", hirth="gold",
                      frank="cyan", other="red")
        box, at = read_frame(os.path.join(rdir, "dxa_event.dump"), ["x", "y", "z", "structure"])
        nf = at["structure"] != 1
        ax.scatter(at["x"][nf], at["y"][nf], at["z"][nf], s=1, c="0.75", alpha=0.3)
        seen = set()
        for pts, f in zip(lines, fam):
            ax.plot(pts[:, 0], pts[:, 1], pts[:, 2], color=colors.get(f, "k"), lw=2,
                    label=f if f not in seen else None)
            seen.add(f)
        ax.legend(fontsize=7, loc="upper left")
        ax.set_title(f"(3g) lines at the starred event ({len(lines)} lines; grey: non-fcc)", fontsize=10)
    ax.set_xlabel("x (Å)")
    ax.set_ylabel("y (Å)")
    # (i) size vs delay
    ax = fig.add_subplot(gs[1, 1])
    size, delay = pt["clusters"][1], pt["delay"]
    ok = np.isfinite(delay)
    pl = pt["clusters"][0] >= pt["split"]
    ax.scatter(size[ok & ~pl], delay[ok & ~pl], s=8, alpha=0.4, color="goldenrod", label="elastic-phase clusters")
    ax.scatter(size[ok & pl], delay[ok & pl], s=8, alpha=0.5, color="tab:blue", label="plastic-phase clusters")
    if ok.sum() >= 2 and len(np.unique(size[ok])) >= 2:
        c = np.polyfit(np.log10(size[ok]), delay[ok], 1)
        xs = np.logspace(0, np.log10(size[ok].max()), 50)
        ax.plot(xs, np.polyval(c, np.log10(xs)), color="red", label=f"fit: {c[0]:+.2f} ps per decade")
    ax.legend(fontsize=7)
    ax.set_xscale("log")
    ax.set_xlabel("LENS event size (atoms)")
    ax.set_ylabel("t_b − t_LENS (ps)")
    ax.set_title("(3i) delay to the next dislocation event", fontsize=10)
    # summed LENS / CSP and stress
    ax = fig.add_subplot(gs[1, 2])
    ax.plot(tl, pt["ls"]["lens_sum"], color="tab:blue", lw=1, label="Σ LENS")
    ax.axvspan(0, pt["split"] * DT_PS, color="gold", alpha=0.2, label="elastic")
    ax.set_xlabel("time (ps)")
    ax.set_ylabel("Σ LENS", color="tab:blue")
    tw = ax.twinx()
    tw.plot(tl, pt["ls"]["csp_sum"], color="tab:red", lw=1)
    tw.set_ylabel("Σ CSP (Å²)", color="tab:red")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("summed LENS and CSP (tension)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=72)
    plt.close(fig)


def fig4(pf, rdir, path):
    fig, axs = plt.subplots(2, 3, figsize=(13, 7.6))
    st, tf = pf["st"], pf["t_frac"] * DT_PS
    ax = axs[0, 0]
    ax.plot(st["strain"], st["sxx_gpa"], color="k", lw=1, label="σ_xx")
    ax.plot(st["strain"], st["syy_gpa"], color="0.6", lw=0.8, label="σ_yy")
    ax.axvline(st["strain"][st["timestep"] == pf["t_frac"]][0], color="red", ls="--", lw=0.8, label="fracture")
    ax.set_xlabel("strain")
    ax.set_ylabel("stress (GPa)")
    tw = ax.twinx()
    tw.plot(st["strain"], st["pe_ev"], color="tab:red", lw=0.8)
    tw.set_ylabel("PE (eV)", color="tab:red")
    ax.legend(fontsize=7)
    ax.set_title(f"(4b) NVT/SLLOD: fracture at {tf:.1f} ps", fontsize=10)
    ax = axs[0, 1]
    ls = pf["ls"]
    ax.plot(ls["timestep"] * DT_PS, ls["lens_sum"], color="tab:blue", lw=1)
    ax.set_ylabel("Σ LENS", color="tab:blue")
    tw = ax.twinx()
    tw.plot(ls["timestep"] * DT_PS, ls["csp_sum"], color="tab:red", lw=1)
    tw.set_ylabel("Σ CSP (Å²)", color="tab:red")
    ax.axvline(tf, color="red", ls="--", lw=0.8)
    ax.set_xlabel("time (ps)")
    ax.axvspan(tf, pf["t_post"] * DT_PS, color="red", alpha=0.15, label="fracture transient")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("(4c) summed LENS and CSP", fontsize=10)
    event_size_hist(axs[0, 2], (("before", pf["pre"], "tab:orange"), ("after", pf["post"], "tab:blue")),
                    "(4f) event sizes before / after fracture")
    ax = axs[1, 0]
    su, bu = pf["su"], pf["bu"]
    ax.plot(su["timestep"] * DT_PS, su["atoms"], color="k", lw=1)
    ax.axvline(tf, color="red", ls="--", lw=0.8)
    ax.set_xlabel("time (ps)")
    ax.set_ylabel(f"surface atoms (coord < {a.surface_coord})")
    tw = ax.twinx()
    with np.errstate(invalid="ignore", divide="ignore"):
        tw.plot(su["timestep"] * DT_PS, su["lens_sum"] / su["atoms"], color="tab:purple", lw=0.8, label="surface")
        tw.plot(bu["timestep"] * DT_PS, bu["lens_sum"] / bu["atoms"], color="tab:cyan", lw=0.8, label="bulk")
    tw.set_ylabel("mean LENS")
    tw.legend(fontsize=7, loc="center left")
    ax.set_title("void opening and LENS of surface / bulk atoms", fontsize=10)
    ax = axs[1, 1]
    mean_lens, pos, (box, coord) = per_atom_mean(os.path.join(rdir, "flens.dump"), "lens", pf["t_frac"])
    order = np.argsort(mean_lens)
    sc = ax.scatter(pos[order, 0], pos[order, 2], c=mean_lens[order], s=6, cmap="viridis")
    fig.colorbar(sc, ax=ax, label="time-averaged LENS after fracture")
    ax.set_xlabel("x (Å)")
    ax.set_ylabel("z (Å)")
    ax.set_title("(4g) last frame, coloured by mean LENS", fontsize=10)
    ax = axs[1, 2]
    fd = pf["fd"]
    for col, color in (("length_shockley", "tab:green"), ("length_stair_rod", "magenta"), ("length_hirth", "gold"),
                       ("length_perfect", "tab:blue"), ("length_other", "red")):
        ax.plot(fd["timestep"] * DT_PS, fd[col], color=color, lw=1, label=col.replace("length_", ""))
    ax.axvline(tf, color="red", ls="--", lw=0.8)
    ax.set_xlabel("time (ps)")
    ax.set_ylabel("line length (Å)")
    ax.legend(fontsize=7)
    ax.set_title("DXA on the fracture run (every 5th frame)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=72)
    plt.close(fig)


pt, pf, rdir = plots
fig3(pt, rdir, os.path.join(a.out, "seed000_fig3.png"))
fig4(pf, rdir, os.path.join(a.out, "seed000_fracture.png"))
with open(os.path.join(a.out, "summary.json"), "w") as f:
    json.dump(summary, f, indent=1)
keys = ("elastic_single_atom_fraction", "plastic_max_event_size", "dislocation_events", "median_delay_large_events",
        "fracture_time", "post_fracture_single_atom_fraction")
log("summary: " + ", ".join(f"{k}={summary[k]}" for k in keys))
log(f"done: {os.path.join(a.out, 'summary.json')}, seed000_fig3.png, seed000_fracture.png")
