#!/usr/bin/python3
"""NumPy brute-force references for stats/spatial_correlation.hpp, voxel_field.hpp,
temporal_correlation.hpp and power_law.hpp (tests/stats/*.cpp).

Run with Debian's python3 (numpy 1.24, scipy 1.10):

    /usr/bin/python3 tests/reference/stats/make_correlation_reference.py

Reads the committed LAMMPS dumps itself (tests/reference/*.dump) and writes into
tests/reference/stats/correlation/ (floats are repr() of doubles: strtod reads them back exactly):

  sacf_<name>.csv        r, pairs, sum, sacf, c, scale per bin, pooled over the dump's frames; every
                         unordered pair i<j at its minimum-image distance, O(N^2) (no cell list);
                         scale = sum|d_i d_j| / pairs, the size against which the C++ tolerance is set
  sacf_<name>_fit.txt    "key value" lines: variance, OLS fit of ln C (scipy.stats.linregress) and
                         the delete-one-block jackknife (3x3x3 blocks in fractional coordinates)
  voxel_<name>.csv       count, mean, std (ddof=0) per voxel of frame 0
  fluct_<name>.csv       nx, ny, nz, N, rms, mean_abs, samples for several grids over all frames
  tacf_<mode>.csv / tacf_<mode>_sites.csv / tacf_<mode>_tc.csv
                         TACF of the voxelised composition field of msd/cuzr_liquid.dump
  grf_field.txt, grf_fit.txt  Gaussian random field with exponential covariance (see below)
  powerlaw_samples.txt, powerlaw_fit.txt

Fields. cuzr_glass_ref.dump: c_qc38[2] (LAMMPS orientorder/atom q6 within 3.8 A, a real per-atom
field); cu_tilted_ref.dump: c_csp (LAMMPS centro/atom). TACF: the Zr indicator (type - 1) of the
21-frame CuZr liquid, voxelised 4x4x4 (local composition; ~7 atoms per voxel, some voxels empty
in some frames, so missing values are exercised).

Gaussian random field. On the 16^3 simple-cubic lattice (spacing 1, periodic box of side 16) the
covariance c(d) = exp(-|d|/xi0) of minimum-image offsets d is block-circulant; its eigenvalues are
the 3-D DFT of c (all > 0 here: min 0.07), so f = IFFT(sqrt(lambda) FFT(white noise)) is a Gaussian
field with exactly that covariance (circulant embedding). xi0 = 1. The Monte Carlo over 200
realisations recorded in grf_fit.txt measures, for the fit rule of the C++ test (r_max = 7.5,
30 bins, fit r <= 3, free amplitude): mean and spread of xi-hat, mean OLS and jackknife errors,
and how often |xi-hat - xi0| < 2 sigma for each error (and < 3 sigma for the jackknife, the
test's criterion).
"""
import os

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.dirname(HERE)
OUT = os.path.join(HERE, "correlation")
os.makedirs(OUT, exist_ok=True)


def read_dump(path):
    """Frames of a LAMMPS dump: dict(box=(lo, h, periodic), cols=names, data=array)."""
    frames = []
    with open(path) as fh:
        lines = fh.read().split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].startswith("ITEM: TIMESTEP"):
            i += 1
            continue
        n = int(lines[i + 3])
        head = lines[i + 4].split()
        b = [list(map(float, lines[i + 5 + k].split())) for k in range(3)]
        if "xy" in head:
            xy, xz, yz = b[0][2], b[1][2], b[2][2]
            xlo = b[0][0] - min(min(0.0, xy), min(xz, xy + xz))
            xhi = b[0][1] - max(max(0.0, xy), max(xz, xy + xz))
            ylo = b[1][0] - min(0.0, yz)
            yhi = b[1][1] - max(0.0, yz)
            lo = np.array([xlo, ylo, b[2][0]])
            hi = np.array([xhi, yhi, b[2][1]])
        else:
            xy = xz = yz = 0.0
            lo = np.array([b[k][0] for k in range(3)])
            hi = np.array([b[k][1] for k in range(3)])
        lx, ly, lz = hi - lo
        h = np.array([[lx, xy, xz], [0, ly, yz], [0, 0, lz]])
        tri = "xy" in head
        cols = lines[i + 8].split()[2:]
        data = np.array([list(map(float, lines[i + 9 + k].split())) for k in range(n)])
        frames.append(dict(lo=lo, h=h, tri=tri, cols=cols, data=data))
        i += 9 + n
    return frames


def col(fr, name):
    return fr["data"][:, fr["cols"].index(name)]


def positions(fr):
    return np.stack([col(fr, "x"), col(fr, "y"), col(fr, "z")], 1)


def fractional(fr, p):
    """tessera's to_fractional, operation for operation (box.hpp): orthogonal (r - lo) * (1/L);
    triclinic h_inv (r - lo) with h_inv written out as in triclinic_box."""
    lo, h = fr["lo"], fr["h"]
    d = p - lo
    if not fr["tri"]:
        return np.stack([d[:, k] * (1.0 / h[k, k]) for k in range(3)], 1)
    lx, ly, lz, xy, xz, yz = h[0, 0], h[1, 1], h[2, 2], h[0, 1], h[0, 2], h[1, 2]
    hi = [[1.0 / lx, -xy / (lx * ly), (xy * yz - ly * xz) / (lx * ly * lz)], [0.0, 1.0 / ly, -yz / (ly * lz)],
          [0.0, 0.0, 1.0 / lz]]
    return np.stack([hi[r][0] * d[:, 0] + hi[r][1] * d[:, 1] + hi[r][2] * d[:, 2] for r in range(3)], 1)


def grid_cell(s, dims):
    """Voxel index (periodic axes): wrap into [0,1), floor(s n), clamp n-1."""
    c = []
    for k in range(3):
        w = s[:, k] - np.floor(s[:, k])
        u = np.floor(w * dims[k])
        c.append(np.minimum(u, dims[k] - 1).astype(np.int64))
    return c[0] + dims[0] * (c[1] + dims[1] * c[2])


def perpendicular_widths(h):
    a, b, c = h[:, 0], h[:, 1], h[:, 2]
    v = abs(np.linalg.det(h))
    return np.array([v / np.linalg.norm(np.cross(b, c)), v / np.linalg.norm(np.cross(c, a)),
                     v / np.linalg.norm(np.cross(a, b))])


def pair_table(fr, p, rmax):
    """All unordered pairs i<j closer than rmax at the minimum image (exact for rmax < w/2:
    the image with every fractional component in (-1/2, 1/2) is then the only candidate)."""
    assert rmax < 0.5 * perpendicular_widths(fr["h"]).min()
    n = len(p)
    I, J = np.triu_indices(n, 1)
    d = p[J] - p[I]
    s = d @ np.linalg.inv(fr["h"]).T
    s -= np.round(s)
    d = s @ fr["h"].T
    r = np.sqrt((d ** 2).sum(1))
    m = r < rmax
    return I[m], J[m], r[m]


def sacf_accumulate(acc, fr, p, f, rmax, bins, nb=3):
    delr = rmax / bins
    I, J, r = pair_table(fr, p, rmax)
    k = np.floor(r * (1.0 / delr)).astype(np.int64)
    keep = k < bins
    I, J, k = I[keep], J[keep], k[keep]
    dl = f - f.mean()
    prod = dl[I] * dl[J]
    blk = grid_cell(fractional(fr, p), (nb, nb, nb))
    B = nb ** 3
    acc.setdefault("S", np.zeros(bins))
    acc.setdefault("P", np.zeros(bins))
    acc.setdefault("A", np.zeros(bins))
    acc.setdefault("BS", np.zeros((B, bins)))
    acc.setdefault("BP", np.zeros((B, bins)))
    acc.setdefault("bsq", np.zeros(B))
    acc.setdefault("bn", np.zeros(B))
    acc["S"] += np.bincount(k, prod, bins)
    acc["P"] += np.bincount(k, None, bins)
    acc["A"] += np.bincount(k, np.abs(prod), bins)
    bi, bj = blk[I], blk[J]
    for q in range(B):
        t = (bi == q) | (bj == q)
        acc["BS"][q] += np.bincount(k[t], prod[t], bins)
        acc["BP"][q] += np.bincount(k[t], None, bins)
        acc["bsq"][q] += (dl[blk == q] ** 2).sum()
        acc["bn"][q] += (blk == q).sum()
    acc["vsum"] = acc.get("vsum", 0.0) + (dl ** 2).sum()
    acc["n"] = acc.get("n", 0) + len(f)
    acc["r"] = (np.arange(bins) + 0.5) * delr


def fit_rule(r, c, pairs, rmin=0.0, rmax=np.inf, min_pairs=1):
    x, y = [], []
    for k in range(len(r)):
        if pairs[k] < max(min_pairs, 1) or r[k] < rmin or r[k] > rmax:
            continue
        if not c[k] > 0:
            break
        x.append(r[k])
        y.append(np.log(c[k]))
    lr = stats.linregress(x, y)
    return lr, len(x), x


def sacf_fit(acc, rmin=0.0, rmax=np.inf, min_pairs=1):
    P = acc["P"]
    var = acc["vsum"] / acc["n"]
    c = np.where(P > 0, acc["S"] / np.maximum(P, 1), np.nan) / var
    lr, n, x = fit_rule(acc["r"], c, P, rmin, rmax, min_pairs)
    xi = -1 / lr.slope
    xs = []
    for q in range(len(acc["bn"])):
        if acc["bn"][q] == 0:
            continue
        Pq = P - acc["BP"][q]
        vq = (acc["vsum"] - acc["bsq"][q]) / (acc["n"] - acc["bn"][q])
        cq = np.where(Pq > 0, (acc["S"] - acc["BS"][q]) / np.maximum(Pq, 1), np.nan) / vq
        xs.append(-1 / fit_rule(acc["r"], cq, Pq, rmin, rmax, min_pairs)[0].slope)
    xs = np.array(xs)
    se_jk = np.sqrt((len(xs) - 1) / len(xs) * ((xs - xs.mean()) ** 2).sum())
    return dict(variance=var, xi=xi, xi_stderr=se_jk, xi_stderr_ols=lr.stderr / lr.slope ** 2, slope=lr.slope,
                intercept=lr.intercept, slope_stderr=lr.stderr, intercept_stderr=lr.intercept_stderr, bins_used=n,
                r_first=x[0], r_last=x[-1], jackknife_blocks=len(xs))


def write_keyed(path, d):
    with open(path, "w") as fh:
        for k, v in d.items():
            fh.write(f"{k} {v!r}\n" if not isinstance(v, (np.floating, float)) else f"{k} {float(v)!r}\n")


def sacf_reference(name, dump, field, rmax, bins, fit_rmin, fit_rmax, min_pairs):
    acc = {}
    for fr in read_dump(os.path.join(REF, dump)):
        sacf_accumulate(acc, fr, positions(fr), col(fr, field), rmax, bins)
    P = acc["P"]
    var = acc["vsum"] / acc["n"]
    with open(os.path.join(OUT, f"sacf_{name}.csv"), "w") as fh:
        fh.write("r,pairs,sum,sacf,c,scale\n")
        for k in range(bins):
            s = acc["S"][k] / P[k] if P[k] else float("nan")
            sc = acc["A"][k] / P[k] if P[k] else float("nan")
            fh.write(f"{acc['r'][k]!r},{int(P[k])},{acc['S'][k]!r},{s!r},{s / var!r},{sc!r}\n")
    fit = sacf_fit(acc, fit_rmin, fit_rmax, min_pairs)
    fit["fit_r_min"], fit["fit_r_max"], fit["fit_min_pairs"] = fit_rmin, fit_rmax, min_pairs
    write_keyed(os.path.join(OUT, f"sacf_{name}_fit.txt"), fit)


def voxel_reference(name, dump, field, dims, grids):
    frames = read_dump(os.path.join(REF, dump))
    fr = frames[0]
    p, f = positions(fr), col(fr, field)
    v = grid_cell(fractional(fr, p), dims)
    nv = dims[0] * dims[1] * dims[2]
    with open(os.path.join(OUT, f"voxel_{name}.csv"), "w") as fh:
        fh.write("count,mean,std\n")
        for q in range(nv):
            x = f[v == q]
            if len(x):
                fh.write(f"{len(x)},{float(np.mean(x))!r},{float(np.std(x))!r}\n")
            else:
                fh.write("0,nan,nan\n")
    with open(os.path.join(OUT, f"fluct_{name}.csv"), "w") as fh:
        fh.write("nx,ny,nz,N,rms,mean_abs,samples\n")
        for g in grids:
            d2, d1, ns, nsum = [], [], 0, 0.0
            for fr in frames:
                p, f = positions(fr), col(fr, field)
                v = grid_cell(fractional(fr, p), g)
                m = f.mean()
                for q in np.unique(v):
                    d = f[v == q].mean() - m
                    d2.append(d * d)
                    d1.append(abs(d))
                nsum += len(f) / (g[0] * g[1] * g[2])
            fh.write(f"{g[0]},{g[1]},{g[2]},{nsum / len(frames)!r},{float(np.sqrt(np.mean(d2)))!r},"
                     f"{float(np.mean(d1))!r},{len(d2)}\n")


def tacf_reference(max_lag):
    frames = read_dump(os.path.join(REF, "msd", "cuzr_liquid.dump"))
    dims = (4, 4, 4)
    nv = 64
    X, M = [], []
    for fr in frames:
        p, f = positions(fr), col(fr, "type") - 1.0
        v = grid_cell(fractional(fr, p), dims)
        cnt = np.bincount(v, None, nv)
        s = np.bincount(v, f, nv)
        X.append(np.where(cnt > 0, s / np.maximum(cnt, 1), np.nan))
        M.append(f.mean())
    X, M = np.array(X), np.array(M)
    T = len(X)
    for mode in ("each_frame", "origin_frame"):
        S = np.zeros((nv, max_lag + 1))
        C = np.zeros((nv, max_lag + 1), dtype=np.int64)
        A = np.zeros(max_lag + 1)
        for k in range(max_lag + 1):
            for t0 in range(T - k):
                m1 = M[t0 + k] if mode == "each_frame" else M[t0]
                prod = (X[t0] - M[t0]) * (X[t0 + k] - m1)
                ok = ~np.isnan(prod)
                S[ok, k] += prod[ok]
                C[ok, k] += 1
                A[k] += np.abs(prod[ok]).sum()
        site = np.where(C > 0, S / np.maximum(C, 1), np.nan)
        tot = S.sum(0) / C.sum(0)
        with open(os.path.join(OUT, f"tacf_{mode}.csv"), "w") as fh:
            fh.write("lag,samples,tacf,normalised,scale\n")
            for k in range(max_lag + 1):
                fh.write(f"{k},{int(C[:, k].sum())},{tot[k]!r},{tot[k] / tot[0]!r},{A[k] / C[:, k].sum()!r}\n")
        with open(os.path.join(OUT, f"tacf_{mode}_sites.csv"), "w") as fh:
            fh.write("site,lag,samples,tacf\n")
            for q in range(nv):
                for k in range(max_lag + 1):
                    fh.write(f"{q},{k},{C[q, k]},{site[q, k]!r}\n")
        with open(os.path.join(OUT, f"tacf_{mode}_tc.csv"), "w") as fh:
            fh.write("site,tc_interp,tc_first\n")  # nan: censored or undefined
            for q in range(nv):
                c, n = site[q], C[q]
                ti = tf = float("nan")
                if n[0] > 0 and c[0] > 0:
                    prev = 0
                    for k in range(1, max_lag + 1):
                        if n[k] == 0:
                            continue
                        if c[k] <= 0:
                            ti = prev + (k - prev) * c[prev] / (c[prev] - c[k])
                            tf = float(k)
                            break
                        prev = k
                fh.write(f"{q},{ti!r},{tf!r}\n")


def grf(L, xi0, rng):
    g = np.arange(L)
    d = np.minimum(g, L - g).astype(float)
    D = np.sqrt(d[:, None, None] ** 2 + d[None, :, None] ** 2 + d[None, None, :] ** 2)
    lam = np.fft.fftn(np.exp(-D / xi0)).real
    assert lam.min() > 0
    w = rng.standard_normal((L, L, L))
    # index (ix, iy, iz) -> C order ix slowest; the C++ test builds particles in this order
    return np.fft.ifftn(np.sqrt(lam) * np.fft.fftn(w)).real.ravel(), lam.min()


def grf_reference():
    L, xi0, rmax, bins, fit_rmax = 16, 1.0, 7.5, 30, 3.0
    g = np.arange(L, dtype=float)
    X, Y, Z = np.meshgrid(g, g, g, indexing="ij")
    p = np.stack([X.ravel(), Y.ravel(), Z.ravel()], 1)
    fr = dict(lo=np.zeros(3), h=np.diag([float(L)] * 3), tri=False)
    rng = np.random.default_rng(20240518)
    f, lam_min = grf(L, xi0, rng)
    with open(os.path.join(OUT, "grf_field.txt"), "w") as fh:
        for x in f:
            fh.write(f"{float(x)!r}\n")
    acc = {}
    sacf_accumulate(acc, fr, p, f, rmax, bins)
    fit = sacf_fit(acc, 0.0, fit_rmax, 1)
    # Monte Carlo: the same estimator on independent realisations (pairs computed once).
    I, J, r = pair_table(fr, p, rmax)
    k = np.floor(r * (1.0 / (rmax / bins))).astype(np.int64)
    blk = grid_cell(fractional(fr, p), (3, 3, 3))
    res = []
    for _ in range(200):
        fm, _ = grf(L, xi0, rng)
        dl = fm - fm.mean()
        prod = dl[I] * dl[J]
        a = dict(S=np.bincount(k, prod, bins), P=np.bincount(k, None, bins).astype(float), vsum=(dl ** 2).sum(),
                 n=len(fm), r=(np.arange(bins) + 0.5) * (rmax / bins), BS=np.zeros((27, bins)), BP=np.zeros((27, bins)),
                 bsq=np.zeros(27), bn=np.zeros(27))
        bi, bj = blk[I], blk[J]
        for q in range(27):
            t = (bi == q) | (bj == q)
            a["BS"][q] = np.bincount(k[t], prod[t], bins)
            a["BP"][q] = np.bincount(k[t], None, bins)
            a["bsq"][q] = (dl[blk == q] ** 2).sum()
            a["bn"][q] = (blk == q).sum()
        ft = sacf_fit(a, 0.0, fit_rmax, 1)
        res.append((ft["xi"], ft["xi_stderr_ols"], ft["xi_stderr"]))
    res = np.array(res)
    fit.update(xi0=xi0, lattice=L, r_max=rmax, bins=bins, fit_r_max=fit_rmax, min_eigenvalue=float(lam_min),
               mc_realisations=len(res), mc_xi_mean=float(res[:, 0].mean()), mc_xi_sd=float(res[:, 0].std()),
               mc_mean_stderr_ols=float(res[:, 1].mean()), mc_mean_stderr_jackknife=float(res[:, 2].mean()),
               mc_cover2_ols=float(np.mean(np.abs(res[:, 0] - xi0) < 2 * res[:, 1])),
               mc_cover2_jackknife=float(np.mean(np.abs(res[:, 0] - xi0) < 2 * res[:, 2])),
               mc_cover3_jackknife=float(np.mean(np.abs(res[:, 0] - xi0) < 3 * res[:, 2])))
    write_keyed(os.path.join(OUT, "grf_fit.txt"), fit)


def ks_scan(x, min_tail):
    z = np.sort(x)
    best = None
    for xm in np.unique(z)[:-1]:
        t = z[z >= xm]
        n = len(t)
        if n < min_tail:
            break
        a = 1 + n / np.log(t / xm).sum()
        d = np.max(np.abs((1 - (xm / t) ** (a - 1)) - np.arange(n) / n))
        if best is None or d < best[2]:
            best = (xm, a, d, n)
    return best


def powerlaw_reference():
    rng = np.random.default_rng(7)
    alpha, xmin = 2.5, 2.0
    tail = xmin * (1 - rng.random(2000)) ** (-1 / (alpha - 1))
    body = rng.uniform(0.5, 2.0, 1000)
    x = rng.permutation(np.concatenate([body, tail]))
    with open(os.path.join(OUT, "powerlaw_samples.txt"), "w") as fh:
        for v in x:
            fh.write(f"{float(v)!r}\n")
    t = x[x >= xmin]
    b, _, _ = stats.pareto.fit(t, floc=0, fscale=xmin)
    a_direct = 1 + len(t) / np.log(t / xmin).sum()
    d = np.max(np.abs((1 - (xmin / np.sort(t)) ** (a_direct - 1)) - np.arange(len(t)) / len(t)))
    xm, a, ks, n = ks_scan(x, 10)
    write_keyed(os.path.join(OUT, "powerlaw_fit.txt"),
                dict(alpha_true=alpha, xmin_true=xmin, fixed_alpha_scipy=b + 1, fixed_alpha=a_direct,
                     fixed_stderr=(a_direct - 1) / np.sqrt(len(t)), fixed_n=len(t), fixed_ks=d, scan_xmin=xm,
                     scan_alpha=a, scan_ks=ks, scan_n=n))


if __name__ == "__main__":
    sacf_reference("cuzr", "cuzr_glass_ref.dump", "c_qc38[2]", 12.0, 120, 0.0, 8.0, 100)
    sacf_reference("cu_tilted", "cu_tilted_ref.dump", "c_csp", 8.0, 80, 0.0, 6.0, 100)
    voxel_reference("cuzr", "cuzr_glass_ref.dump", "c_qc38[2]", (8, 8, 8), [(1, 1, 1), (2, 2, 2), (4, 4, 4), (8, 8, 8)])
    voxel_reference("cu_tilted", "cu_tilted_ref.dump", "c_csp", (6, 5, 4), [(1, 1, 1), (3, 2, 2), (6, 5, 4)])
    tacf_reference(8)
    powerlaw_reference()
    grf_reference()
