#!/usr/bin/python3
"""LENS per frame written straightforwardly in NumPy/SciPy, timed on bench_dynamics's frames.

Mirrors dynsight's LENS (GMPavanLab/dynsight, src/dynsight/_internal/lens/lens.py,
compute_lens_over_trj): per frame a CSR neighbour list of every centre (all particles within
r_cut, the centre excluded, periodic orthogonal box, rows sorted), then per centre
(|A| + |B| - 2 |A ∩ B|) / (|A| + |B|), 0 when both are empty. dynsight does this with numba
loops (a cell list, a count pass, a fill pass, a per-row sort, a merge); numba is not available
here, so this is the vectorised NumPy/SciPy equivalent:

  neighbours   scipy.spatial.cKDTree(x, boxsize=L).query_pairs(r, output_type="ndarray"),
               symmetrised into directed pairs and encoded as one int64 key i*N + j;
               sorting the keys gives dynsight's CSR (indptr via searchsorted/bincount).
  LENS         |A ∩ B| per row from np.intersect1d of the two frames' sorted keys
               (assume_unique) + np.bincount; |A|, |B| from bincount.

Neighbours are strictly closer than r_cut in tessera; query_pairs uses <=, so r is taken one ulp
below r_cut (dynsight itself uses r_cut - 1e-6). Result compared with tessera's values.

Usage:  build/bench/bench_dynamics --benchmark_filter=^$   # writes /tmp/tessera_lens_frames.bin
        /usr/bin/python3 bench/lens_numpy.py [/tmp/tessera_lens_frames.bin] [repetitions]
Timings are process CPU time (time.process_time) and wall time; run under `taskset -c 1` and
with OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 for one thread.
"""
import sys
import time

import numpy as np
from scipy.spatial import cKDTree


def read_frames(path):
    with open(path, "rb") as f:
        n = int(np.fromfile(f, dtype="<i8", count=1)[0])
        L = float(np.fromfile(f, dtype="<f8", count=1)[0])
        x1 = np.fromfile(f, dtype="<f8", count=3 * n).reshape(n, 3)
        x2 = np.fromfile(f, dtype="<f8", count=3 * n).reshape(n, 3)
        ref = np.fromfile(f, dtype="<f8", count=n)
    return L, x1, x2, ref


def neighbour_keys(x, L, r_cut):
    """Sorted int64 keys i*N + j of the directed neighbour pairs (dynsight's CSR, flattened)."""
    n = len(x)
    tree = cKDTree(x, boxsize=L)
    p = tree.query_pairs(np.nextafter(r_cut, 0.0), output_type="ndarray").astype(np.int64)
    keys = np.concatenate((p[:, 0] * n + p[:, 1], p[:, 1] * n + p[:, 0]))
    keys.sort()
    return keys


def lens_from_keys(k1, k2, n):
    a = np.bincount(k1 // n, minlength=n)
    b = np.bincount(k2 // n, minlength=n)
    common = np.intersect1d(k1, k2, assume_unique=True)
    inter = np.bincount(common // n, minlength=n)
    denom = a + b
    out = np.zeros(n)
    nz = denom > 0
    out[nz] = (denom[nz] - 2 * inter[nz]) / denom[nz]
    return out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "/tmp/tessera_lens_frames.bin"
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    r_cut = 8.0
    L, x1, x2, ref = read_frames(path)
    n = len(x1)
    k1 = neighbour_keys(x1, L, r_cut)
    rows = {"build (one frame)": [], "lens (two prebuilt)": [], "frame (build + lens)": []}
    for _ in range(reps):
        c0, w0 = time.process_time(), time.perf_counter()
        k2 = neighbour_keys(x2, L, r_cut)
        c1, w1 = time.process_time(), time.perf_counter()
        out = lens_from_keys(k1, k2, n)
        c2, w2 = time.process_time(), time.perf_counter()
        rows["build (one frame)"].append((c1 - c0, w1 - w0))
        rows["lens (two prebuilt)"].append((c2 - c1, w2 - w1))
        rows["frame (build + lens)"].append((c2 - c0, w2 - w0))
    diff = np.abs(out - ref)
    print(f"N = {n}, r_cut = {r_cut}, {len(k1) / n:.1f} neighbours/atom, mean LENS {out.mean():.4f}")
    print(f"vs tessera: max |diff| {diff.max():.3g}, atoms differing {(diff > 1e-12).sum()}")
    print(f"neighbour keys: {k1.nbytes / n:.1f} B/atom (int64 per directed pair)")
    for name, t in rows.items():
        cpu = sorted(c for c, _ in t)[len(t) // 2]
        wall = sorted(w for _, w in t)[len(t) // 2]
        print(f"{name:22s} median of {reps}: CPU {cpu * 1e3:8.1f} ms  wall {wall * 1e3:8.1f} ms  "
              f"({n / cpu / 1e6:.3f} M atoms/s CPU)")
    if diff.max() > 1e-12:
        sys.exit("LENS differs from tessera's")


if __name__ == "__main__":
    main()
