#!/usr/bin/env python3
"""Reference Delaunay tessellations for tests/geometry/delaunay.cpp, from SciPy's
scipy.spatial.Delaunay (Qhull; default options "Qbb Qc Qz Q12 Qt"), an implementation tessera did
not write. Points in general position only (Qhull's own answer for cospherical ties is a joggle or
an arbitrary triangulation, not comparable cell by cell):

  random_600.txt.gz   600 uniform random points in a 20 Å cube (NumPy seed 20261207)
  cuzr_glass.txt.gz   the 2000 atoms of tests/reference/cuzr_glass_ref.dump (a LAMMPS CuZr glass),
                      wrapped positions as written, tessellated as an open point set

Format: "points N", N lines "x y z" (%.17g), "cells M", M lines of four point indices (sorted).
usage: /usr/bin/python3 make_reference.py   (writes next to itself)
"""
import gzip
import os

import numpy as np
from scipy.spatial import Delaunay

here = os.path.dirname(os.path.abspath(__file__))


def write(name, pts):
    tri = Delaunay(pts)
    cells = np.sort(tri.simplices, axis=1)
    cells = cells[np.lexsort(cells.T[::-1])]
    with gzip.open(os.path.join(here, name), "wt") as f:
        f.write(f"points {len(pts)}\n")
        for p in pts:
            f.write("%.17g %.17g %.17g\n" % tuple(p))
        f.write(f"cells {len(cells)}\n")
        for c in cells:
            f.write("%d %d %d %d\n" % tuple(c))
    print(name, len(pts), "points", len(cells), "cells")


rng = np.random.default_rng(20261207)
write("random_600.txt.gz", rng.uniform(0, 20, size=(600, 3)))

with open(os.path.join(here, "..", "cuzr_glass_ref.dump")) as f:
    lines = f.read().splitlines()
n = int(lines[3])
head = lines[8].split()[2:]
ix, iy, iz = head.index("x"), head.index("y"), head.index("z")
pts = np.array([[float(l.split()[ix]), float(l.split()[iy]), float(l.split()[iz])] for l in lines[9:9 + n]])
write("cuzr_glass.txt.gz", pts)
