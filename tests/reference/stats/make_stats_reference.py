#!/usr/bin/python3
"""SciPy / NumPy references for the per-atom-field statistics in include/tessera/stats/
(correlation, power_factor, histogram, conditional, savgol): tests/stats/<same name>.cpp.

Run with Debian's python3 (numpy 1.24.2, scipy 1.10.1):

    /usr/bin/python3 tests/reference/stats/make_stats_reference.py

Deterministic (numpy default_rng with fixed seeds). Writes, beside this script, one text file
per header; each line is `key v1 v2 ...`, floats as repr() of doubles (strtod reads them back
exactly), nan / inf as such. Real data come from committed LAMMPS outputs, which the C++ tests
read themselves: ../cuzr_glass_ref.dump (frame 0), ../d2min/d2min_ref.txt and
../msd/cuzr_liquid.dump.

correlation.txt  per case: a_, b_ (inputs, synthetic cases only), pearson_ (r p),
                 spearman_ (r p), rank_a_, rank_b_ (scipy.stats.rankdata 'average').
power_factor.txt per case and tail: x_/event_ inputs (synthetic), pf_<case>_<tail>:
                 threshold_low threshold_high n_low events_low n_high events_high p_low p_high ratio
                 — a NumPy brute force (np.quantile default 'linear', strict comparisons).
histogram.txt    hist_<case>: bins lo hi, counts_, density_, edges_ (numpy.histogram);
                 kde_<case>: factor covariance, kde points and values (scipy.stats.gaussian_kde).
conditional.txt  cpdf_: counts from np.histogram2d and the row-normalised density;
                 cat_: labels, mask, and per category label count_total count_subset Δf.
savgol.txt       per case: sg_<case>_<w>_<p>_<deriv>_<delta>: scipy.signal.savgol_filter, and
                 exact_ the same filter in exact rational arithmetic (fractions), rounded once.
"""
import os
from fractions import Fraction
from math import factorial

import numpy as np
from scipy import signal, stats

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.dirname(HERE)


def fmt(v):
    v = float(v)
    if np.isnan(v):
        return "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return repr(v)


class Out:
    def __init__(self, name):
        self.f = open(os.path.join(HERE, name), "w")

    def __call__(self, key, values):
        values = np.atleast_1d(np.asarray(values, dtype=float))
        self.f.write(key + " " + " ".join(fmt(v) for v in values) + "\n")


def read_dump_frame0(path):
    with open(path) as f:
        lines = f.read().split("\n")
    n = int(lines[3])
    cols = lines[8].split()[2:]
    data = np.array([[float(v) for v in l.split()] for l in lines[9:9 + n]])
    return {c: data[:, k] for k, c in enumerate(cols)}


def read_d2min(path):
    blocks, key = {}, None
    for line in open(path):
        if line.startswith("#"):
            w = line.split()
            key = (int(w[2]), int(w[4]))
            blocks[key] = []
        elif line.strip():
            blocks[key].append([float(v) for v in line.split()])
    return {k: np.array(v) for k, v in blocks.items()}


glass = read_dump_frame0(os.path.join(REF, "cuzr_glass_ref.dump"))
d2min = read_d2min(os.path.join(REF, "d2min", "d2min_ref.txt"))

# ---------------------------------------------------------------- correlation
out = Out("correlation.txt")
rng = np.random.default_rng(18001)
cases = {}
a = rng.normal(size=50)
cases["rand50"] = (a, 0.5 * a + rng.normal(size=50))
a = np.round(rng.normal(size=200) * 2) / 2
cases["ties200"] = (a, rng.integers(0, 6, size=200) + a)
cases["n3"] = (np.array([1.0, 2.0, 3.5]), np.array([2.0, 1.0, 4.0]))
cases["n2"] = (np.array([1.0, 3.0]), np.array([5.0, 2.0]))
cases["weak1000"] = (rng.normal(size=1000), rng.normal(size=1000))
a = rng.normal(size=300) * 1e3 + 5e4
cases["strong300"] = (a, -a + rng.normal(size=300) * 750)  # p ~ 1e-70: deep in the tail of the beta law
cases["offset"] = (rng.normal(size=40) + 1e6, rng.normal(size=40))
for name, (a, b) in cases.items():
    out("a_" + name, a)
    out("b_" + name, b)
for name, (a, b) in list(cases.items()) + [
        ("real_q6_coord", (glass["c_qc38[2]"], glass["c_c35[3]"])),
        ("real_q4_q6", (glass["c_qc38[1]"], glass["c_qc38[2]"])),
        ("real_d2min", (d2min[(0, 1)][:, 2], d2min[(4, 5)][:, 2]))]:
    pr = stats.pearsonr(a, b)
    sr = stats.spearmanr(a, b)
    out("pearson_" + name, [pr.statistic, pr.pvalue])
    out("spearman_" + name, [sr.statistic, sr.pvalue])
    out("rank_a_" + name, stats.rankdata(a))
    out("rank_b_" + name, stats.rankdata(b))


# ---------------------------------------------------------------- power factor
def power_factor(x, ev, tail):
    lo, hi = np.quantile(x, [tail, 1 - tail])
    low, high = x < lo, x > hi
    nl, nh = int(low.sum()), int(high.sum())
    el, eh = int(ev[low].sum()), int(ev[high].sum())
    pl = el / nl if nl else np.nan
    ph = eh / nh if nh else np.nan
    if np.isnan(pl) or np.isnan(ph) or (pl == 0 and ph == 0):
        ratio = np.nan
    elif pl == 0:
        ratio = np.inf
    else:
        ratio = ph / pl
    return [lo, hi, nl, el, nh, eh, pl, ph, ratio]


out = Out("power_factor.txt")
rng = np.random.default_rng(18002)
pf = {}
x = rng.normal(size=1000)
pf["rand1000"] = (x, (x + 1.5 * rng.normal(size=1000) > 2.5).astype(int))
x = rng.integers(0, 10, size=500).astype(float)  # heavy ties: thresholds fall on data values
pf["ties500"] = (x, (rng.random(500) < 0.05 + 0.02 * x).astype(int))
x = np.arange(40, dtype=float)
pf["nolow40"] = (x, (x > 30).astype(int))  # no event in the low tail: ratio inf
pf["none40"] = (x, np.zeros(40, dtype=int))  # no event at all: ratio nan
for name, (x, ev) in pf.items():
    out("x_" + name, x)
    out("event_" + name, ev)
# real: does an atom's early non-affine displacement (AQS step 0 -> 1) predict that it is among
# the 5 % most non-affine in the last step (4 -> 5)? Also the integer neighbour count (ties).
late = d2min[(4, 5)][:, 2]
event = (late > np.quantile(late, 0.95)).astype(int)
out("event_real_d2min", event)
pf["real_d2min"] = (d2min[(0, 1)][:, 2], event)
pf["real_count"] = (d2min[(0, 1)][:, 1], event)
for name, (x, ev) in pf.items():
    for tail in (0.05, 0.1, 0.25, 0.5):
        out("pf_%s_%s" % (name, repr(tail)), power_factor(x, ev, tail))

# ---------------------------------------------------------------- histogram and KDE
out = Out("histogram.txt")
rng = np.random.default_rng(18003)
hist = {
    "normal": (rng.normal(size=1000), 20, -3.0, 3.0, None),
    "edges": (np.linspace(0, 1, 11), 10, 0.0, 1.0, None),  # values on every edge, hi included
    "tenths": (np.arange(100) / 10.0, 7, 0.1, 9.0, None),   # 0.1 steps against 7 bins: ulp-close edges
    "weighted": (rng.uniform(-1, 2, size=300), 9, -0.5, 1.5, rng.uniform(0, 3, size=300)),
    "real_q6": (glass["c_qc38[2]"], 25, 0.1, 0.65, None),
    "real_coord_auto": (glass["c_c35[3]"], 12, None, None, None),
}
for name, (v, bins, lo, hi, w) in hist.items():
    if not name.startswith("real"):
        out("values_" + name, v)
    if w is not None:
        out("weights_" + name, w)
    rng_ = None if lo is None else (lo, hi)
    c, e = np.histogram(v, bins, range=rng_, weights=w)
    d, _ = np.histogram(v, bins, range=rng_, weights=w, density=True)
    out("hist_" + name, [bins, e[0], e[-1]])
    out("counts_" + name, c)
    out("density_" + name, d)
    out("edges_" + name, e)
kde = {
    "scott": (rng.normal(size=200) * 2 + 1, "scott", None),
    "silverman": (np.concatenate([rng.normal(size=150), rng.normal(size=50) * 0.3 + 4]), "silverman", None),
    "factor": (rng.exponential(size=100), 0.3, None),
    "weighted": (rng.normal(size=120), "scott", rng.uniform(0.1, 2, size=120)),
    "real_q6": (glass["c_qc38[2]"], "scott", None),
}
for name, (v, bw, w) in kde.items():
    k = stats.gaussian_kde(v, bw_method=bw, weights=w)
    pts = np.linspace(v.min() - 1.0 * v.std(), v.max() + 1.0 * v.std(), 61)
    if not name.startswith("real"):
        out("data_" + name, v)
    if w is not None:
        out("kweights_" + name, w)
    out("kde_" + name, [k.factor, k.covariance[0, 0], k.neff])
    out("points_" + name, pts)
    out("pdf_" + name, k(pts))

# ---------------------------------------------------------------- conditional
out = Out("conditional.txt")
rng = np.random.default_rng(18004)
b = rng.normal(size=2000)
a = b + rng.normal(size=2000) * 0.5
cpdf = {"synthetic": (a, 15, -3.0, 3.0, b, 6, -2.0, 2.0),
        "real_q6_by_coord": (glass["c_qc38[2]"], 20, 0.1, 0.65, glass["c_c35[3]"], 8, 9.5, 17.5)}
for name, (a, na, alo, ahi, b, nb, blo, bhi) in cpdf.items():
    if not name.startswith("real"):
        out("ca_" + name, a)
        out("cb_" + name, b)
    H, eb, ea = np.histogram2d(b, a, bins=[nb, na], range=[[blo, bhi], [alo, ahi]])
    rows = H.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        pdf = H / np.diff(ea)[None, :] / rows[:, None]
    # the same per row with numpy.histogram(density=True), for the file comment's claim
    for j in range(nb):
        sel = (b >= eb[j]) & ((b < eb[j + 1]) if j < nb - 1 else (b <= eb[j + 1]))
        if rows[j] > 0:
            dj, _ = np.histogram(a[sel], na, range=(alo, ahi), density=True)
            assert np.allclose(dj, pdf[j], rtol=1e-15, atol=0), name
    out("cpdf_" + name, [na, alo, ahi, nb, blo, bhi])
    out("ccounts_" + name, H.ravel())
    out("cpdf_values_" + name, pdf.ravel())
labels = rng.integers(0, 7, size=500)
mask = (rng.random(500) < 0.1 + 0.05 * labels).astype(int)
out("labels_synthetic", labels)
out("mask_synthetic", mask)
for name, (lab, m) in {"synthetic": (labels, mask),
                       # real: coordination number as the category, subset = the 10 % highest q6
                       "real_coord_q6": (glass["c_c35[3]"],
                                         (glass["c_qc38[2]"] > np.quantile(glass["c_qc38[2]"], 0.9)).astype(int))}.items():
    if name.startswith("real"):
        out("mask_" + name, m)
    cats = np.unique(lab)
    rows = []
    for c in cats:
        ft = np.mean(lab == c)
        fs = np.sum((lab == c) & (m == 1)) / np.sum(m == 1)
        rows += [c, np.sum(lab == c), np.sum((lab == c) & (m == 1)), (fs - ft) / ft * 100]
    out("cat_" + name, rows)


# ---------------------------------------------------------------- Savitzky-Golay
def exact_savgol(x, w, p, deriv, delta):
    """Exact rational weights: row r = d^deriv/dt^deriv at t = r of the LS polynomial fitted to
    positions 0..w-1, i.e. g_r^T (V^T V)^-1 V^T; outputs rounded once to double."""
    h = w // 2
    V = [[Fraction(t) ** k for k in range(p + 1)] for t in range(w)]
    G = [[sum(V[t][i] * V[t][j] for t in range(w)) for j in range(p + 1)] for i in range(p + 1)]
    # invert G by Gauss-Jordan in exact arithmetic
    m = p + 1
    A = [G[i][:] + [Fraction(int(i == j)) for j in range(m)] for i in range(m)]
    for c in range(m):
        piv = next(r for r in range(c, m) if A[r][c] != 0)
        A[c], A[piv] = A[piv], A[c]
        inv = 1 / A[c][c]
        A[c] = [v * inv for v in A[c]]
        for r in range(m):
            if r != c and A[r][c] != 0:
                f = A[r][c]
                A[r] = [vr - f * vc for vr, vc in zip(A[r], A[c])]
    Ginv = [row[m:] for row in A]
    P = [[sum(Ginv[k][l] * V[t][l] for l in range(m)) for t in range(w)] for k in range(m)]  # (V^T V)^-1 V^T

    def row(r):
        g = [Fraction(0)] * m
        if deriv <= p:
            for k in range(deriv, m):
                g[k] = Fraction(factorial(k) // factorial(k - deriv)) * Fraction(r) ** (k - deriv)
        scale = Fraction(delta) ** deriv
        return [sum(g[k] * P[k][t] for k in range(m)) / scale for t in range(w)]

    rows = [row(r) for r in range(w)]
    xf = [Fraction(float(v)) for v in x]
    n = len(x)
    y = []
    for t in range(n):
        if t < h:
            wr, s = rows[t], 0
        elif t >= n - h:
            wr, s = rows[t - (n - w)], n - w
        else:
            wr, s = rows[h], t - h
        y.append(float(sum(c * xf[s + j] for j, c in enumerate(wr))))
    return np.array(y)


def lens_series(path, rcut):
    """LENS (dynamics/lens.hpp, seed 000) of every atom of a LAMMPS dump, brute force with the
    minimum image in a cubic periodic box: |C_t ^ C_t+1| / (|C_t| + |C_t+1|)."""
    frames = []
    with open(path) as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines) and lines[i].startswith("ITEM: TIMESTEP"):
        n = int(lines[i + 3])
        lo, hi = map(float, lines[i + 5].split()[:2])
        d = np.array([[float(v) for v in l.split()] for l in lines[i + 9:i + 9 + n]])
        d = d[np.argsort(d[:, 0])]
        L = hi - lo
        x = d[:, 2:5]
        dx = x[:, None, :] - x[None, :, :]
        dx -= L * np.round(dx / L)
        r2 = np.sum(dx * dx, axis=2)
        nb = (r2 < rcut * rcut) & ~np.eye(n, dtype=bool)
        frames.append(nb)
        i += 9 + n
    out = []
    for a, b in zip(frames[:-1], frames[1:]):
        sym = np.sum(a ^ b, axis=1)
        tot = np.sum(a, axis=1) + np.sum(b, axis=1)
        out.append(np.where(tot > 0, sym / np.where(tot > 0, tot, 1), 0.0))
    return np.array(out).T  # atoms x frame pairs


out = Out("savgol.txt")
rng = np.random.default_rng(18005)
lens = lens_series(os.path.join(REF, "msd", "cuzr_liquid.dump"), 3.7)
series = {
    "noise": rng.normal(size=200) * 3 + 1,
    "sine": np.sin(np.linspace(0, 12, 151)) * 5 + 0.2 * rng.normal(size=151),
    "lens_sum": lens.sum(axis=0),       # summed LENS per frame pair (seed 000, Fig. 2b)
    "lens_atom7": lens[7],              # one atom's LENS series
    "lens_atom100": lens[100],
}
params = {
    "noise": [(5, 2, 0, 1.0), (11, 3, 0, 1.0), (21, 4, 0, 1.0), (31, 5, 0, 1.0), (7, 2, 1, 0.5),
              (9, 4, 2, 1.0), (5, 1, 3, 1.0), (1, 0, 0, 1.0), (3, 2, 0, 1.0)],
    "sine": [(11, 2, 0, 1.0), (15, 3, 1, 0.08), (51, 6, 0, 1.0)],
    "lens_sum": [(5, 2, 0, 1.0), (7, 3, 0, 1.0), (7, 2, 1, 1.0), (19, 3, 0, 1.0)],
    "lens_atom7": [(5, 2, 0, 1.0), (9, 3, 0, 1.0)],
    "lens_atom100": [(5, 2, 0, 1.0), (7, 2, 1, 2.0)],
}
for name, x in series.items():
    out("series_" + name, x)
    for (w, p, d, delta) in params[name]:
        key = "%s_%d_%d_%d_%s" % (name, w, p, d, repr(delta))
        out("sg_" + key, signal.savgol_filter(x, w, p, deriv=d, delta=delta))
        out("exact_" + key, exact_savgol(x, w, p, d, delta))
