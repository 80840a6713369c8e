#!/usr/bin/python3
"""Independent check of seed 000 (docs/seeds/000.md): recompute the numbers of OUT_DIR/summary.json
from the files the run left, with NumPy only, without tessera and without importing seed000.py.
Per replica (OUT_DIR/repK/):
- LENS of every atom and frame from the LAMMPS positions (tension.dump, fracture.dump): neighbour
  id sets by brute-force minimum image (strictly within the cutoff), |C(t-dt) xor C(t)| /
  (|C(t-dt)| + |C(t)|); compared atom by atom with tessera's lens.dump / flens.dump, then used
  for everything below;
- the phase boundaries: the sigma_xx maximum of tension_stress.csv (LAMMPS's thermo output), the
  fracture time (first frame after the maximum of fracture_stress.csv below the fraction), the end
  of the fracture transient (summed LENS back at the post-fracture median);
- LENS events: min-max normalisation over each phase's atoms and frames, the phase threshold,
  connected components of event atoms closer than the link (minimum image, own union-find); the
  cluster sizes of every frame compared with tessera's events CSVs;
- dislocation events from dxa_lines.csv (tessera dxa's table is the input: DXA is not redone):
  B = sum |b| * length per frame, 3-point running median, forward difference, peaks by a NumPy
  re-implementation of scipy.signal.find_peaks' local maxima and prominences; dxa_summary.csv's
  total_length and b_sum checked against the lines;
- delays t_b - t_LENS of every cluster, the median over clusters of >= large_event atoms;
- Fig. 3d: non-fcc atoms (structure.dump's acna column, tessera's a-CNA, is the input) clustered
  with the defect link, births = clusters with no atom that was non-fcc in the previous frame
  (compared with defect_new.csv), the cross-correlation lag against the NumPy summed LENS;
- coordination within 3.0 A (compared with fstructure.dump's coord) and the mean LENS of surface
  and bulk atoms after fracture.
Pooled: the six contract keys and the pooled extras.

usage: check_000.py OUT_DIR      prints `key: run=... check=... ok` per key; exit 1 on any mismatch
"""
import csv
import json
import os
import sys

import numpy as np

D = sys.argv[1]
S = json.load(open(os.path.join(D, "summary.json")))
PAR = S["parameters"]
bad = []


def report(key, run, chk, tol=0.0, rel=False):
    if run is None or chk is None:
        ok = run is None and chk is None
        print(f"{key}: run={run} check={chk} {'ok' if ok else 'MISMATCH'}")
        if not ok:
            bad.append(key)
        return
    r, c = np.atleast_1d(np.asarray(run, float)), np.atleast_1d(np.asarray(chk, float))
    ok = r.shape == c.shape and bool(np.all(np.abs(r - c) <= (tol * np.abs(c) if rel else tol)))
    fmt = lambda v: (f"{v[0]:.6g}" if v.size == 1 else f"[{v.size} values, max {np.nanmax(np.abs(v)) if v.size else 0:.4g}]")  # noqa: E731
    diff = f" (max diff {np.nanmax(np.abs(r - c)):.2g})" if r.shape == c.shape and r.size > 1 else ""
    print(f"{key}: run={fmt(r)} check={fmt(c)} {'ok' if ok else 'MISMATCH'}{diff}")
    if not ok:
        bad.append(key)


def frames(path, want=("x", "y", "z")):
    """Frames of an orthogonal LAMMPS text dump: (timestep, lo (3,), L (3,), {column: values}), rows sorted by id."""
    out = []
    with open(path) as f:
        while f.readline():
            ts = int(f.readline())
            f.readline()
            n = int(f.readline())
            head = f.readline().split()
            assert "xy" not in head, f"{path}: a triclinic box; this check handles orthogonal boxes"
            b = np.array([[float(v) for v in f.readline().split()[:2]] for _ in range(3)])
            cols = f.readline().split()[2:]
            rows = np.array([f.readline().split() for _ in range(n)], dtype=float)
            rows = rows[np.argsort(rows[:, cols.index("id")], kind="stable")]
            out.append((ts, b[:, 0], b[:, 1] - b[:, 0], {c: rows[:, cols.index(c)] for c in ("id", *want)}))
    return out


def read_csv(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    out = {}
    for j, h in enumerate(rows[0]):
        col = [r[j] for r in rows[1:]]
        try:
            out[h] = np.array(col, dtype=float)
        except ValueError:
            out[h] = np.array(col)
    return out


def pair_matrices(x, L, radii):
    """Boolean N x N per radius: minimum-image distance strictly below it (radius < L/2 on every axis)."""
    assert np.all(max(radii) < L / 2), f"cutoff {max(radii)} not below half the box {L}"
    n = len(x)
    ms = [np.zeros((n, n), bool) for _ in radii]
    for s in range(0, n, 256):
        d = x[s:s + 256, None, :] - x[None, :, :]
        d -= L * np.round(d / L)
        d2 = np.einsum("ijk,ijk->ij", d, d)
        for m, r in zip(ms, radii):
            m[s:s + 256] = d2 < r * r
    for m in ms:
        np.fill_diagonal(m, False)
    return ms


def lens_and_coord(fr, rc, rc_coord=None):
    """LENS of frames 1.. against the previous frame, and (optionally) coordination of every frame."""
    lens, coord, prev = [], [], None
    for ts, lo, L, c in fr:
        x = np.column_stack([c["x"], c["y"], c["z"]])
        if rc_coord is not None:
            cur, cm = pair_matrices(x, L, [rc, rc_coord])
            coord.append(cm.sum(axis=1))
        else:
            (cur,) = pair_matrices(x, L, [rc])
        if prev is not None:
            num = np.logical_xor(prev, cur).sum(axis=1)
            den = prev.sum(axis=1) + cur.sum(axis=1)
            lens.append(np.where(den > 0, num / np.maximum(den, 1), 0.0))
        prev = cur
    return np.array(lens), coord


def component_labels(p, L, link):
    """Connected-component label (the smallest member index) of each point of p, points closer
    than link (minimum image in the orthogonal box of lengths L) being connected."""
    d = p[:, None, :] - p[None, :, :]
    d -= L * np.round(d / L)
    adj = np.einsum("ijk,ijk->ij", d, d) < link * link
    lab = np.arange(len(p))
    i, j = np.nonzero(adj)
    while True:
        new = lab.copy()
        np.minimum.at(new, i, lab[j])
        new = new[new]
        if np.array_equal(new, lab):
            return lab
        lab = new


def clusters(x, L, flags, link):
    """Sizes (descending) of the connected components of flagged atoms closer than link."""
    idx = np.flatnonzero(flags)
    if not len(idx):
        return []
    lab = component_labels(x[idx], L, link)
    return sorted(np.bincount(np.unique(lab, return_inverse=True)[1]).tolist(), reverse=True)


def phase_events(fr_lens, lens, frame_mask, thr, link):
    """Per selected frame: cluster sizes of atoms whose phase-normalised LENS exceeds thr."""
    v = lens[frame_mask]
    lo, hi = v.min(), v.max()
    out = {}
    for k in np.flatnonzero(frame_mask):
        ts, _, L, c = fr_lens[k]
        x = np.column_stack([c["x"], c["y"], c["z"]])
        out[ts] = clusters(x, L, (lens[k] - lo) / (hi - lo) > thr, link)
    return out


def compare_events(key, mine, path, keep):
    """The run's events CSV against the check's clusters, frame by frame (sizes in order)."""
    ev = read_csv(path)
    theirs = {}
    for t, s in zip(ev.get("timestep", []), ev.get("size", [])):
        if keep(t):
            theirs.setdefault(int(t), []).append(int(s))
    a = [(t, s) for t in sorted(mine) for s in mine[t]]
    b = [(t, s) for t in sorted(theirs) for s in sorted(theirs[t], reverse=True)]
    ok = a == b
    print(f"{key}: {len(b)} clusters in the run, {len(a)} in the check {'ok' if ok else 'MISMATCH'}")
    if not ok:
        bad.append(key)


def local_maxima(x):
    """scipy.signal._peak_finding_utils._local_maxima_1d: plateau middles, ends excluded."""
    peaks, i, n = [], 1, len(x)
    while i < n - 1:
        if x[i - 1] < x[i]:
            ahead = i + 1
            while ahead < n - 1 and x[ahead] == x[i]:
                ahead += 1
            if x[ahead] < x[i]:
                peaks.append((i + ahead - 1) // 2)
                i = ahead
        i += 1
    return np.array(peaks, int)


def prominence(x, p):
    lmin = x[p]
    i = p
    while i >= 0 and x[i] <= x[p]:
        lmin = min(lmin, x[i])
        i -= 1
    rmin = x[p]
    i = p
    while i < len(x) and x[i] <= x[p]:
        rmin = min(rmin, x[i])
        i += 1
    return x[p] - max(lmin, rmin)


def peaks(x, frac):
    if not len(x) or x.max() <= 0:
        return np.array([], int)
    pk = local_maxima(x)
    return np.array([p for p in pk if x[p] >= 0 and prominence(x, p) >= frac * x.max()], int)


def median3(y):
    m = y.astype(float).copy()
    for k in range(1, len(y) - 1):
        m[k] = sorted(y[k - 1:k + 2])[1]
    return m


def lag(x, y, max_lag):
    """(lag, r at the lag, r at lag 0, [min r, max r]) of Pearson r(x[t], y[t + lag]) over |lag| <= max_lag."""
    best, best_r, rs = 0, -np.inf, {}
    for k in range(-max_lag, max_lag + 1):
        xs, ys = (x[:len(x) - k], y[k:]) if k >= 0 else (x[-k:], y[:len(y) + k])
        if len(xs) < 3 or xs.std() == 0 or ys.std() == 0:
            continue
        xc, yc = xs - xs.mean(), ys - ys.mean()
        r = (xc * yc).sum() / np.sqrt((xc * xc).sum() * (yc * yc).sum())
        rs[k] = r
        if r > best_r:
            best, best_r = k, r
    return best, best_r, rs.get(0), [min(rs.values()), max(rs.values())]


def size_stats(sizes, prefix):
    return {f"{prefix}_events": len(sizes),
            f"{prefix}_single_atom_fraction": float(np.mean(sizes == 1)) if len(sizes) else None,
            f"{prefix}_max_event_size": int(sizes.max()) if len(sizes) else 0}


def compare_all(tag, run, mine, tol=1e-9):
    """Every number of `run` (a summary dict) against the check's value of the same key."""
    skip = {"replica", "seed", "fracture_seed", "per_replica", "definitions", "parameters", "paper", "timing"}
    for key in run:
        if key in skip:
            continue
        if key not in mine:
            print(f"{tag}{key}: not recomputed by this check MISMATCH")
            bad.append(tag + key)
            continue
        report(tag + key, run[key], mine[key], tol, rel=True)


every, dtps = PAR["every"], PAR["dt_ps"]
dtf = every * dtps
rc, link = PAR["lens_cutoff"], PAR["link"]
pool = dict(el=[], pl=[], large=[], plastic_large=[], pre=[], post=[])
mine_all = []
for rep in S["per_replica"]:
    k = rep["replica"]
    R = lambda n: os.path.join(D, f"rep{k}", n)  # noqa: E731
    tag = f"rep{k} "
    m = {}
    # ------------------------------------------------------------------ tension
    T = frames(R("tension.dump"))
    lens, _ = lens_and_coord(T, rc)
    tl = frames(R("lens.dump"), want=("lens",))
    # exact set sizes: the same ratio of integers, bit for bit up to a distance tie at the cutoff
    report(f"{tag}tension LENS per atom (tessera lens vs NumPy)", np.concatenate([f[3]["lens"] for f in tl]),
           lens.ravel(), 1e-12)
    Tl = T[1:]
    lts = np.array([f[0] for f in Tl])
    st = read_csv(R("tension_stress.csv"))
    iy = int(np.argmax(st["sxx_gpa"]))
    m["yield_timestep"], m["yield_stress_gpa"] = int(st["timestep"][iy]), st["sxx_gpa"][iy]
    split = m["split_timestep"] = m["yield_timestep"] + every
    el = phase_events(Tl, lens, lts < split, PAR["elastic_threshold"], link)
    pl = phase_events(Tl, lens, lts >= split, PAR["plastic_threshold"], link)
    compare_events(f"{tag}elastic clusters (events_elastic.csv)", el, R("events_elastic.csv"), lambda t: t < split)
    compare_events(f"{tag}plastic clusters (events_plastic.csv)", pl, R("events_plastic.csv"), lambda t: t >= split)
    els = np.array([s for t in sorted(el) for s in el[t]], int)
    pls = np.array([s for t in sorted(pl) for s in pl[t]], int)
    m.update(size_stats(els, "elastic"))
    m.update(size_stats(pls, "plastic"))
    # dislocations (tessera dxa's tables are the input)
    dl, ds = read_csv(R("dxa_lines.csv")), read_csv(R("dxa_summary.csv"))
    nfr = len(ds["frame"])
    B, Lsum, bvec = np.zeros(nfr), np.zeros(nfr), np.zeros((nfr, 3))
    for i in range(len(dl.get("frame", []))):
        f, b = int(dl["frame"][i]), np.array([dl["bx"][i], dl["by"][i], dl["bz"][i]])
        B[f] += np.sqrt((b * b).sum()) * dl["length"][i]
        Lsum[f] += dl["length"][i]
        bvec[f] += b
    report(f"{tag}dxa_summary total_length = sum of line lengths", ds["total_length"], Lsum, 1e-9)
    report(f"{tag}dxa_summary b_sum = |sum of b|", ds["b_sum"], np.sqrt((bvec ** 2).sum(axis=1)), 1e-9)
    dB = np.diff(median3(B)) / dtf
    pk = peaks(dB, PAR["peak_prominence"])
    t_b = ds["timestep"][1:][pk]
    m["dislocation_events"] = len(pk)
    m["dislocation_event_timesteps"] = t_b
    m["dislocation_event_times_ps"] = t_b * dtps
    m["dislocation_events_from_b_sum"] = len(peaks(np.diff(median3(ds["b_sum"])) / dtf, PAR["peak_prominence"]))
    m["dxa_max_total_length"] = Lsum.max()
    m["dxa_length_fraction_other"] = ds["length_other"].sum() / max(Lsum.sum(), 1e-300)
    m["event_frame"] = int(ds["frame"][pk[int(np.argmax(dB[pk]))] + 1]) if len(pk) else None
    ct = np.array([t for t in sorted(el) for _ in el[t]] + [t for t in sorted(pl) for _ in pl[t]], float)
    cs = np.concatenate([els, pls])
    delay = np.array([(t_b[t_b >= t].min() - t) * dtps if (t_b >= t).any() else np.nan for t in ct])
    fin = np.isfinite(delay)
    large = (cs >= PAR["large_event"]) & fin
    small = (cs < PAR["large_event"]) & fin
    plarge = large & (ct >= split)
    m["clusters"], m["clusters_with_delay"], m["large_clusters_with_delay"] = len(ct), int(fin.sum()), int(large.sum())
    m["median_delay_large_events"] = np.median(delay[large]) if large.any() else None
    m["median_delay_large_events_plastic"] = np.median(delay[plarge]) if plarge.any() else None
    m["median_delay_small_events"] = np.median(delay[small]) if small.any() else None
    pool["el"].append(els), pool["pl"].append(pls), pool["large"].append(delay[large])
    pool["plastic_large"].append(delay[plarge])
    # Fig. 3d: births of non-fcc clusters (structure.dump's acna column is the input)
    Ts = frames(R("structure.dump"), want=("x", "y", "z", "acna"))
    births, prev = {}, None
    for ts, lo, L, c in Ts:
        flag = c["acna"] != 1
        x = np.column_stack([c["x"], c["y"], c["z"]])
        idx = np.flatnonzero(flag)
        nb = 0
        if len(idx):
            lab = component_labels(x[idx], L, PAR["defect_link"])
            for lb in np.unique(lab):
                if prev is None or not prev[idx[lab == lb]].any():
                    nb += 1
        births[ts] = nb
        prev = flag
    nw = read_csv(R("defect_new.csv"))
    report(f"{tag}births per frame (defect_new.csv)", nw["births"], [births[int(t)] for t in nw["timestep"]])
    b_at = np.array([births.get(int(t), 0) for t in lts], float)
    m["defect_births"] = b_at.sum()
    lsum = lens.sum(axis=1)
    e = lts < split
    lg, r, r0, rr = lag(lsum[e], b_at[e], max(1, int(e.sum()) // 4))
    m["defect_lens_lag_ps"], m["defect_lens_lag_r"], m["defect_lens_r_at_lag0"], m["defect_lens_r_range"] = \
        lg * dtf, r, r0, rr
    lg, r, _, _ = lag(lsum, b_at, max(1, len(lts) // 4))
    m["defect_lens_lag_all_ps"], m["defect_lens_lag_all_r"] = lg * dtf, r
    # ------------------------------------------------------------------ fracture
    F = frames(R("fracture.dump"))
    flens, coord = lens_and_coord(F, rc, PAR["coord_cutoff"])
    ff = frames(R("flens.dump"), want=("lens", "coord"))
    report(f"{tag}fracture LENS per atom (tessera lens vs NumPy)", np.concatenate([f[3]["lens"] for f in ff]),
           flens.ravel(), 1e-12)
    report(f"{tag}fracture coord per atom (tessera compute --coord vs NumPy)",
           np.concatenate([f[3]["coord"] for f in ff]), np.concatenate(coord[1:]), 0)
    fs = read_csv(R("fracture_stress.csv"))
    im = int(np.argmax(fs["sxx_gpa"]))
    after = np.flatnonzero(fs["sxx_gpa"][im:] < PAR["fracture_fraction"] * fs["sxx_gpa"][im])
    t_frac = int(fs["timestep"][im + after[0]])
    m["sigma_max_gpa"], m["sigma_max_timestep"] = fs["sxx_gpa"][im], int(fs["timestep"][im])
    m["fracture_timestep"], m["fracture_time"] = t_frac, t_frac * dtps
    m["fracture_strain"] = fs["strain"][im + after[0]]
    Fl = F[1:]
    fts = np.array([f[0] for f in Fl])
    fsum = flens.sum(axis=1)
    aft = fts >= t_frac
    t_post = int(fts[np.flatnonzero(aft & (fsum <= np.median(fsum[aft])))[0]])
    m["post_fracture_start_timestep"], m["post_fracture_start"] = t_post, t_post * dtps
    pre = phase_events(Fl, flens, fts < t_frac, PAR["pre_fracture_threshold"], link)
    post = phase_events(Fl, flens, fts >= t_post, PAR["post_fracture_threshold"], link)
    compare_events(f"{tag}pre-fracture clusters (fevents_pre.csv)", pre, R("fevents_pre.csv"), lambda t: True)
    compare_events(f"{tag}post-fracture clusters (fevents_post.csv)", post, R("fevents_post.csv"), lambda t: True)
    pres = np.array([s for t in sorted(pre) for s in pre[t]], int)
    posts = np.array([s for t in sorted(post) for s in post[t]], int)
    m.update(size_stats(pres, "pre_fracture"))
    m.update(size_stats(posts, "post_fracture"))
    m["post_fracture_fraction_size_1_to_5"] = float(np.mean(posts <= 5)) if len(posts) else None
    pool["pre"].append(pres), pool["post"].append(posts)
    cf = np.array(coord[1:])
    late = (fts >= t_post)[:, None]
    surf, bulk = (cf < PAR["surface_coord"]) & late, (cf >= 12) & late
    m["surface_mean_lens"] = flens[surf].mean() if surf.any() else None
    m["bulk_mean_lens"] = flens[bulk].mean() if bulk.any() else None
    m["surface_to_bulk_lens"] = m["surface_mean_lens"] / m["bulk_mean_lens"] \
        if m["surface_mean_lens"] and m["bulk_mean_lens"] else None
    m["surface_atoms_at_end"] = int((cf[-1] < PAR["surface_coord"]).sum())
    m["surface_atoms_before_yield"] = int((cf[fts <= m["sigma_max_timestep"]] < PAR["surface_coord"]).sum(axis=1).max())
    fd = read_csv(R("fdxa_summary.csv"))
    m["dxa_post_fracture_mean_length"] = fd["total_length"][fd["timestep"] >= t_frac].mean()
    m["dxa_pre_fracture_max_length"] = fd["total_length"][fd["timestep"] < t_frac].max()
    compare_all(tag, rep, m)
    mine_all.append(m)

# ------------------------------------------------------------------ pooled
for key in ("elastic_single_atom_fraction", "plastic_max_event_size", "dislocation_events",
            "median_delay_large_events", "fracture_time", "post_fracture_single_atom_fraction"):
    v = S[key]
    if not (isinstance(v, (int, float)) and not isinstance(v, bool)):
        print(f"{key}: {v!r} is not a number MISMATCH")
        bad.append(key)
cat = {k: np.concatenate(v) if v else np.array([]) for k, v in pool.items()}
ft = [m["fracture_time"] for m in mine_all]
mine = dict(
    elastic_single_atom_fraction=np.mean(cat["el"] == 1), plastic_max_event_size=cat["pl"].max(),
    dislocation_events=sum(m["dislocation_events"] for m in mine_all),
    median_delay_large_events=np.median(cat["large"]) if len(cat["large"]) else None,
    fracture_time=np.mean(ft), post_fracture_single_atom_fraction=np.mean(cat["post"] == 1),
    replicas=len(mine_all), elastic_events=len(cat["el"]), plastic_events=len(cat["pl"]),
    plastic_single_atom_fraction=np.mean(cat["pl"] == 1), pre_fracture_events=len(cat["pre"]),
    post_fracture_events=len(cat["post"]), pre_fracture_single_atom_fraction=np.mean(cat["pre"] == 1),
    pre_fracture_max_event_size=cat["pre"].max(), post_fracture_max_event_size=cat["post"].max(),
    large_clusters_with_delay=len(cat["large"]),
    median_delay_large_events_plastic=np.median(cat["plastic_large"]) if len(cat["plastic_large"]) else None,
    fracture_time_std=np.std(ft), defect_lens_lag_ps=[m["defect_lens_lag_ps"] for m in mine_all],
    surface_mean_lens=[m["surface_mean_lens"] for m in mine_all], bulk_mean_lens=[m["bulk_mean_lens"] for m in mine_all])
compare_all("", S, mine)
print("all ok" if not bad else f"{len(bad)} mismatches: {bad}")
sys.exit(1 if bad else 0)
