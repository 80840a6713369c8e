#!/usr/bin/python3
"""Brute-force NumPy cross-check of the LAMMPS reference dumps.

Run with Debian's python (needs only numpy):

    /usr/bin/python3 tests/reference/check_reference.py

What is checked
---------------
* The box convention: the triclinic cell matrix
      h = [[lx, xy, xz], [0, ly, yz], [0, 0, lz]]
  is rebuilt from the dump's *bounding box* header
      ITEM: BOX BOUNDS xy xz yz pp pp pp
      xlo_bound xhi_bound xy
      ylo_bound yhi_bound xz
      zlo_bound zhi_bound yz
  with  xlo = xlo_bound - min(0, xy, xz, xy+xz)
        xhi = xhi_bound - max(0, xy, xz, xy+xz)
        ylo = ylo_bound - min(0, yz),  yhi = yhi_bound - max(0, yz)
        zlo = zlo_bound,               zhi = zhi_bound.
* coord/atom (total and type-split) for every atom of every frame, by brute
  force over ALL periodic images (also images of the atom itself), strict
  r^2 < rc^2, for cu_tilted_ref.dump, tiny_box_ref.dump, tiny_tri_ref.dump
  and cuzr_glass_ref.dump.  Must match exactly.
* On a subset of atoms (every 7th atom): centro/atom fcc and
  orientorder/atom Q_l, w_l, w_l_hat (cu_tilted: nnn 12 and cutoff 3.0;
  cuzr_glass: cutoff 3.8 and nnn 12), to pin down LAMMPS's conventions
  (tolerance 1e-9, relative for |value| > 1, absolute below).
* Trajectory dumps vs *_ref.dump positions (equal after unwrapping).
Prints the CNA structure mix of the Cu frames.  Exit code != 0 on failure.
"""
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


# ----------------------------------------------------------------- dump I/O
def read_dump(path):
    """Yield frames: dict(step, h, origin, cols, data) from a LAMMPS text dump."""
    with open(path) as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].startswith("ITEM: TIMESTEP"):
            i += 1
            continue
        step = int(lines[i + 1])
        assert lines[i + 2].startswith("ITEM: NUMBER OF ATOMS")
        n = int(lines[i + 3])
        hdr = lines[i + 4]
        assert hdr.startswith("ITEM: BOX BOUNDS")
        b = [list(map(float, lines[i + 5 + k].split())) for k in range(3)]
        if "xy" in hdr.split():
            xy, xz, yz = b[0][2], b[1][2], b[2][2]
        else:
            xy = xz = yz = 0.0
        xlo = b[0][0] - min(0.0, xy, xz, xy + xz)
        xhi = b[0][1] - max(0.0, xy, xz, xy + xz)
        ylo = b[1][0] - min(0.0, yz)
        yhi = b[1][1] - max(0.0, yz)
        zlo, zhi = b[2][0], b[2][1]
        h = np.array([[xhi - xlo, xy, xz], [0.0, yhi - ylo, yz], [0.0, 0.0, zhi - zlo]])
        cols = lines[i + 8].split()[2:]
        data = np.array([list(map(float, lines[i + 9 + k].split())) for k in range(n)])
        yield dict(step=step, h=h, origin=np.array([xlo, ylo, zlo]), cols=cols, data=data,
                   tilt=(xy, xz, yz))
        i += 9 + n


def col(frame, name):
    return frame["data"][:, frame["cols"].index(name)]


# ------------------------------------------------------ brute-force images
def image_shifts(h, rc):
    """All lattice translations n (integer triples) that can bring an image
    within rc of an atom after fractional minimum-image reduction."""
    hinv = np.linalg.inv(h)
    # perpendicular widths: 1/|row k of h^-1|
    widths = 1.0 / np.linalg.norm(hinv, axis=1)
    # after fractional min-image |ds_k| <= 1/2; image n_k can only be within
    # rc if |ds_k + n_k| <= rc/w_k, i.e. |n_k| <= rc/w_k + 1/2
    nmax = [int(math.floor(rc / w + 0.5 + 1e-9)) for w in widths]
    rng = [np.arange(-m, m + 1) for m in nmax]
    return np.array(np.meshgrid(*rng, indexing="ij")).reshape(3, -1).T


def pair_r2_blocks(x, h, rc, block=64):
    """Yield (i0, i1, r2, disp) for atom blocks: r2[a, j, s] squared distance
    from atom i0+a to image s of atom j, over all images that can matter."""
    hinv = np.linalg.inv(h)
    s = x @ hinv.T                          # fractional coordinates
    shifts = image_shifts(h, rc).astype(float)
    tvec = shifts @ h.T                      # (S,3) cartesian translations
    n = len(x)
    for i0 in range(0, n, block):
        i1 = min(n, i0 + block)
        ds = s[None, :, :] - s[i0:i1, None, :]       # j - i
        ds -= np.round(ds)                            # min image (fractional)
        d = ds @ h.T                                  # (B,N,3)
        disp = d[:, :, None, :] + tvec[None, None, :, :]   # (B,N,S,3)
        r2 = np.einsum("bnsk,bnsk->bns", disp, disp)
        yield i0, i1, r2, disp


def brute_coord(x, types, h, cutoffs, ntypes):
    """counts[rc] -> (N, ntypes+1) array: per neighbour type, last = all."""
    n = len(x)
    rcmax = max(cutoffs)
    out = {rc: np.zeros((n, ntypes + 1), dtype=int) for rc in cutoffs}
    for i0, i1, r2, _ in pair_r2_blocks(x, h, rcmax):
        for a in range(i1 - i0):             # exclude the atom itself (r2==0)
            r2[a][r2[a] == 0.0] = np.inf
        for rc in cutoffs:
            hit = r2 < rc * rc                # strict, as LAMMPS
            per_j = hit.sum(axis=2)           # (B,N)
            for t in range(1, ntypes + 1):
                out[rc][i0:i1, t - 1] = per_j[:, types == t].sum(axis=1)
            out[rc][i0:i1, ntypes] = per_j.sum(axis=1)
    return out


def neigh_vectors(x, h, idx, rc):
    """For atoms idx: list of (r2 sorted, disp sorted) within rc (self excluded)."""
    hinv = np.linalg.inv(h)
    s = x @ hinv.T
    shifts = image_shifts(h, rc).astype(float)
    tvec = shifts @ h.T
    res = []
    for i in idx:
        ds = s - s[i]
        ds -= np.round(ds)
        d = (ds @ h.T)[:, None, :] + tvec[None, :, :]
        d = d.reshape(-1, 3)
        r2 = np.einsum("ij,ij->i", d, d)
        m = (r2 < rc * rc) & (r2 > 0.0)
        o = np.argsort(r2[m], kind="stable")
        res.append((r2[m][o], d[m][o]))
    return res


# ------------------------------------------------- Steinhardt (LAMMPS conv.)
def ylm_all(l, vecs):
    """Y_lm(theta,phi) for m = -l..l (Condon-Shortley), rows = vectors."""
    r = np.linalg.norm(vecs, axis=1)
    ct = vecs[:, 2] / r
    phi = np.arctan2(vecs[:, 1], vecs[:, 0])
    out = np.zeros((len(vecs), 2 * l + 1), dtype=complex)
    st = np.sqrt(np.maximum(0.0, 1.0 - ct * ct))
    for m in range(0, l + 1):
        # associated Legendre P_l^m with (-1)^m Condon-Shortley phase
        pmm = np.ones_like(ct)
        for k in range(1, m + 1):
            pmm = pmm * (-(2 * k - 1)) * st
        if l == m:
            plm = pmm
        else:
            pm1 = ct * (2 * m + 1) * pmm
            if l == m + 1:
                plm = pm1
            else:
                p2, p1 = pmm, pm1
                for ll in range(m + 2, l + 1):
                    p = ((2 * ll - 1) * ct * p1 - (ll + m - 1) * p2) / (ll - m)
                    p2, p1 = p1, p
                plm = p1
        norm = math.sqrt((2 * l + 1) / (4 * math.pi)
                         * math.factorial(l - m) / math.factorial(l + m))
        y = norm * plm * np.exp(1j * m * phi)
        out[:, l + m] = y
        if m > 0:
            out[:, l - m] = (-1) ** m * np.conj(y)
    return out


def wigner3j(l, m1, m2, m3):
    """(l l l; m1 m2 m3) by the Racah formula."""
    if m1 + m2 + m3 != 0:
        return 0.0
    f = math.factorial
    tri = f(l) * f(l) * f(l) / f(3 * l + 1)
    pre = math.sqrt(tri * f(l + m1) * f(l - m1) * f(l + m2) * f(l - m2) * f(l + m3) * f(l - m3))
    j1 = j2 = j3 = l
    s = 0.0
    for t in range(0, j1 + j2 + j3 + 1):
        x = [t, j3 - j2 + t + m1, j3 - j1 + t - m2, j1 + j2 - j3 - t, j1 - t - m1, j2 - t + m2]
        if min(x) < 0:
            continue
        den = 1.0
        for v in x:
            den *= f(v)
        s += (-1) ** t / den
    return (-1) ** (j1 - j2 - m3) * pre * s


_W3J = {}


def wl_raw(l, qlm):
    """sum_{m1+m2+m3=0} (l l l; m1 m2 m3) q_lm1 q_lm2 q_lm3 (real part)."""
    if l not in _W3J:
        _W3J[l] = [(m1, m2, -m1 - m2, wigner3j(l, m1, m2, -m1 - m2))
                   for m1 in range(-l, l + 1) for m2 in range(-l, l + 1)
                   if abs(m1 + m2) <= l]
    s = 0.0
    for m1, m2, m3, c in _W3J[l]:
        s += c * (qlm[l + m1] * qlm[l + m2] * qlm[l + m3]).real
    return s


def steinhardt(vecs, ls):
    q, w, wh = [], [], []
    for l in ls:
        qlm = ylm_all(l, vecs).mean(axis=0)
        s2 = float(np.sum(np.abs(qlm) ** 2))
        q.append(math.sqrt(4 * math.pi / (2 * l + 1) * s2))
        wr = wl_raw(l, qlm)
        w.append(wr)
        wh.append(wr / s2 ** 1.5 if s2 > 0 else 0.0)
    return q + w + wh


def centro_fcc(vecs12):
    """LAMMPS centro/atom: sum of the N/2 smallest |R_i + R_j|^2 over all pairs."""
    v = vecs12
    pair = []
    for a in range(len(v)):
        for b in range(a + 1, len(v)):
            d = v[a] + v[b]
            pair.append(d @ d)
    pair.sort()
    return sum(pair[: len(v) // 2])


# ------------------------------------------------------------------ checks
FAIL = []


def check_equal(name, got, want):
    got = np.asarray(got)
    want = np.asarray(want)
    bad = np.nonzero(got != want)[0]
    if len(bad):
        FAIL.append(name)
        print(f"  FAIL {name}: {len(bad)} mismatches, first atom idx {bad[:5]} "
              f"brute={got[bad[:5]]} lammps={want[bad[:5]]}")
    else:
        print(f"  ok   {name}: {len(got)} atoms")


def check_close(name, got, want, tol=1e-9):
    got = np.asarray(got, float)
    want = np.asarray(want, float)
    err = np.abs(got - want) / np.maximum(1.0, np.abs(want))
    if not np.all(err < tol):
        FAIL.append(name)
        k = int(np.argmax(err))
        print(f"  FAIL {name}: max rel err {err.max():.3e} at {k}: {got[k]!r} vs {want[k]!r}")
    else:
        print(f"  ok   {name}: max rel err {err.max():.1e} ({got.size} values)")


def coord_checks(path, specs, ntypes):
    """specs: list of (rc, {column: type index or 'all'})"""
    print(f"{os.path.basename(path)}")
    for fr in read_dump(path):
        x = np.stack([col(fr, "x"), col(fr, "y"), col(fr, "z")], axis=1)
        types = col(fr, "type").astype(int)
        h = fr["h"]
        print(f" step {fr['step']}: N={len(x)} lx,ly,lz={h[0,0]:.6f},{h[1,1]:.6f},{h[2,2]:.6f}"
              f" xy,xz,yz={fr['tilt'][0]:.6f},{fr['tilt'][1]:.6f},{fr['tilt'][2]:.6f}")
        counts = brute_coord(x - fr["origin"], types, h, [rc for rc, _ in specs], ntypes)
        for rc, colmap in specs:
            for cname, t in colmap.items():
                k = ntypes if t == "all" else t - 1
                check_equal(f"step {fr['step']} {cname} (rc={rc})", counts[rc][:, k],
                            col(fr, cname).astype(int))
        yield fr, x


def traj_consistency(traj, ref):
    """The rerun re-wraps atoms that the MD dump wrote slightly outside the
    box and converts through lamda coords: positions agree only after
    unwrapping, to ~1e-13."""
    n_rewrap, err = 0, 0.0
    for a, b in zip(read_dump(os.path.join(HERE, traj)), read_dump(os.path.join(HERE, ref))):
        if a["step"] != b["step"] or not np.array_equal(col(a, "id"), col(b, "id")):
            FAIL.append(f"{traj} vs {ref} frame mismatch")
            return
        ua = np.stack([col(a, c) for c in "xyz"], 1) + \
            np.stack([col(a, c) for c in ("ix", "iy", "iz")], 1) @ a["h"].T
        ub = np.stack([col(b, c) for c in "xyz"], 1) + \
            np.stack([col(b, c) for c in ("ix", "iy", "iz")], 1) @ b["h"].T
        err = max(err, float(np.abs(ua - ub).max()))
        n_rewrap += int(np.any(np.stack([col(a, c) != col(b, c) for c in ("ix", "iy", "iz")]), 0).sum())
    ok = err < 1e-10
    if not ok:
        FAIL.append(f"{traj} vs {ref} unwrapped positions")
    print(f"  {'ok  ' if ok else 'FAIL'} {traj} vs {ref}: unwrapped positions agree to {err:.1e};"
          f" {n_rewrap} atom-frames re-wrapped by rerun")


def main():
    # --- tiny boxes: cutoff > L/2 and > L
    for name in ("tiny_box_ref.dump", "tiny_tri_ref.dump"):
        for fr, _ in coord_checks(os.path.join(HERE, name),
                                  [(3.0, {"c_c30": "all"}), (5.0, {"c_c50": "all"}),
                                   (7.5, {"c_c75": "all"})], 1):
            if fr["step"] == 0:
                for c, v in (("c_c30", 12), ("c_c50", 42), ("c_c75", 140)):
                    if not np.all(col(fr, c) == v):
                        FAIL.append(f"{name} perfect {c}")
                        print(f"  FAIL perfect fcc {c} != {v}")

    # --- Cu, strongly tilted triclinic
    path = os.path.join(HERE, "cu_tilted_ref.dump")
    cna_names = {0: "unknown", 1: "fcc", 2: "hcp", 3: "bcc", 4: "ico", 5: "other"}
    for fr, x in coord_checks(path, [(3.0, {"c_c30": "all", "c_c30t": 1}),
                                     (5.5, {"c_c55": "all", "c_c55t": 1})], 1):
        cna = col(fr, "c_cna").astype(int)
        mix = ", ".join(f"{cna_names[k]}={int(np.sum(cna == k))}" for k in range(6)
                        if np.sum(cna == k))
        print(f"  CNA mix step {fr['step']}: {mix}")
        # Steinhardt / centro on a subset
        xo = x - fr["origin"]
        idx = np.arange(0, len(x), 7)
        nb6 = neigh_vectors(xo, fr["h"], idx, 6.0)
        nb3 = neigh_vectors(xo, fr["h"], idx, 3.0)
        ref12 = np.stack([col(fr, f"c_q12[{k}]") for k in range(1, 13)], axis=1)[idx]
        ref3 = np.stack([col(fr, f"c_qc30[{k}]") for k in range(1, 7)], axis=1)[idx]
        got12, got3, csp = [], [], []
        for (r2a, da), (r2b, db) in zip(nb6, nb3):
            v12 = da[:12]
            got12.append(steinhardt(v12, [4, 6, 8, 12]))
            csp.append(centro_fcc(v12))
            got3.append(steinhardt(db, [4, 6]) if len(db) else [0.0] * 6)
        check_close(f"step {fr['step']} centro/atom fcc", csp, col(fr, "c_csp")[idx])
        check_close(f"step {fr['step']} orientorder nnn 12 (Q,w,w_hat l=4,6,8,12)",
                    np.array(got12), ref12)
        check_close(f"step {fr['step']} orientorder cutoff 3.0 (Q,w,w_hat l=4,6)",
                    np.array(got3), ref3)
    traj_consistency("cu_tilted.dump", "cu_tilted_ref.dump")

    # --- CuZr glass, type-split coordination
    path = os.path.join(HERE, "cuzr_glass_ref.dump")
    if os.path.exists(path):
        for fr, x in coord_checks(path, [(3.5, {"c_c35[1]": 1, "c_c35[2]": 2,
                                                 "c_c35[3]": "all"})], 2):
            xo = x - fr["origin"]
            idx = np.arange(0, len(x), 7)
            nb6 = neigh_vectors(xo, fr["h"], idx, 6.0)
            nb38 = neigh_vectors(xo, fr["h"], idx, 3.8)
            ref38 = np.stack([col(fr, f"c_qc38[{k}]") for k in range(1, 7)], axis=1)[idx]
            ref12 = np.stack([col(fr, f"c_q12[{k}]") for k in range(1, 3)], axis=1)[idx]
            got38 = [steinhardt(d, [4, 6]) if len(d) else [0.0] * 6 for _, d in nb38]
            got12 = [steinhardt(d[:12], [4, 6])[:2] for _, d in nb6]
            check_close(f"step {fr['step']} orientorder cutoff 3.8 (Q,w,w_hat l=4,6)",
                        np.array(got38), ref38)
            check_close(f"step {fr['step']} orientorder nnn 12 (Q l=4,6)", np.array(got12), ref12)
        traj_consistency("cuzr_glass.dump", "cuzr_glass_ref.dump")

    print()
    if FAIL:
        print(f"FAILED: {len(FAIL)} checks")
        for f in FAIL:
            print("  ", f)
        return 1
    print("ALL CHECKS PASSED")
    return 0


if __name__ == "__main__":
    sys.exit(main())
