#!/usr/bin/python3
"""Compare tessera's and LAMMPS's output dumps of bench/whole_job.sh, frame by frame, by atom id.
LAMMPS writes %g (6 significant digits), so CSP and q_l are compared to 1e-5 relative / absolute;
coordination and CNA must be equal."""
import sys

import numpy as np

PAIRS = [("coord", "c_coord", "exact"), ("cna", "c_cna", "exact"), ("csp", "c_csp", "rel"),
         ("q4", "c_q[1]", "abs"), ("q6", "c_q[2]", "abs")]


def frames(path):
    with open(path) as f:
        lines = f.read().split("\n")
    k = 0
    while k < len(lines) and lines[k].startswith("ITEM: TIMESTEP"):
        n = int(lines[k + 3])
        cols = lines[k + 8].split()[2:]
        data = np.array([l.split() for l in lines[k + 9:k + 9 + n]], dtype=float)
        yield dict(zip(cols, data.T))
        k += 9 + n


def main():
    worst = {name: 0.0 for name, _, _ in PAIRS}
    count = 0
    for t, l in zip(frames(sys.argv[1]), frames(sys.argv[2])):
        ot, ol = np.argsort(t["id"]), np.argsort(l["id"])
        assert (t["id"][ot] == l["id"][ol]).all()
        for name, lname, how in PAIRS:
            a, b = t[name][ot], l[lname][ol]
            d = np.abs(a - b) if how != "rel" else np.abs(a - b) / np.maximum(np.abs(b), 1e-12)
            worst[name] = max(worst[name], float(d.max()))
        count += 1
    print(f"compared {count} frames; max differences: " + ", ".join(f"{k} {v:.2g}" for k, v in worst.items()))
    ok = worst["coord"] == 0 and worst["cna"] == 0 and worst["csp"] < 1e-5 and worst["q4"] < 1e-5 and worst["q6"] < 1e-5
    if count == 0 or not ok:
        sys.exit("outputs differ")


if __name__ == "__main__":
    main()
