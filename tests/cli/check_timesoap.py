#!/usr/bin/python3
"""End-to-end test of `tessera timesoap`: on the three frames of the tilted Cu dump (triclinic),
the `timesoap` column equals the chord ‖p̂(t−K) − p̂(t)‖ computed in NumPy from the SOAP columns
`tessera compute --soap` writes for the same frames (matched by id); identical frames give 0;
--delta, --frames, --threads (identical output for 1 and 2 threads), --intersect, summary and
events on the timesoap column, and errors.
Usage: check_timesoap.py TESSERA_EXE REFERENCE_DIR WORK_DIR"""
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Checks, run  # noqa: E402

exe, ref, work = (os.path.abspath(a) for a in sys.argv[1:4])
shutil.rmtree(work, ignore_errors=True)
os.makedirs(work)
check = Checks()
W = lambda name: os.path.join(work, name)  # noqa: E731
src = os.path.join(ref, "cu_tilted.dump")
SOAP = ["--soap-nmax", "4", "--soap-lmax", "4", "--soap-sigma", "0.5"]


def t(*args):
    return run(exe, *args)


def frames(path):
    """(timestep, column names, rows sorted by id) of every frame of a LAMMPS dump."""
    lines = open(path).read().splitlines()
    out, i = [], 0
    while i < len(lines):
        n = int(lines[i + 3])
        names = lines[i + 8].split()[2:]
        rows = np.array([[float(v) for v in lines[i + 9 + k].split()] for k in range(n)])
        rows = rows[np.argsort(rows[:, names.index("id")])]
        out.append((int(lines[i + 1]), names, rows))
        i += 9 + n
    return out


r = t("compute", src, "-o", W("soap.dump"), "--soap", "4.0", *SOAP)
check(r.returncode == 0, f"compute --soap on {os.path.basename(src)} ({r.stderr.strip()[-200:]})")
soap = frames(W("soap.dump"))
P = [fr[2][:, [k for k, c in enumerate(fr[1]) if c.startswith("soap_")]] for fr in soap]
unit = [p / np.linalg.norm(p, axis=1)[:, None] for p in P]

for delta in (1, 2):
    r = t("timesoap", src, "-o", W(f"ts{delta}.dump"), "--cutoff", "4.0", "--delta", str(delta), *SOAP)
    check(r.returncode == 0, f"timesoap --delta {delta} ({r.stderr.strip()[-200:]})")
    got = frames(W(f"ts{delta}.dump"))
    check([g[0] for g in got] == [s[0] for s in soap[delta:]], f"--delta {delta}: frames {delta}.. written, input steps kept")
    worst = 0.0
    for k, g in enumerate(got):
        chord = np.linalg.norm(unit[k] - unit[k + delta], axis=1)
        worst = max(worst, np.abs(g[2][:, g[1].index("timesoap")] - chord).max())
        same_cols = all(np.array_equal(g[2][:, g[1].index(c)], soap[k + delta][2][:, soap[k + delta][1].index(c)])
                        for c in ("id", "type", "x", "y", "z"))
    # the same vectors normalised in the same way; NumPy rounds sums differently: 1e-13
    check(worst < 1e-13 and same_cols, f"--delta {delta}: timesoap = NumPy's chord from compute --soap ({worst:.1e}), "
          "input columns kept")

# TimeSOAP in summary and events, as LENS: any column
r = t("summary", W("ts1.dump"), "-o", W("ts_sum.csv"), "--columns", "timesoap", "--stats", "mean,max")
rows = open(W("ts_sum.csv")).read().splitlines() if r.returncode == 0 else []
check(len(rows) == 3 and rows[0] == "timestep,atoms,timesoap_mean,timesoap_max"
      and abs(float(rows[1].split(",")[2]) - frames(W("ts1.dump"))[0][2][:, -1].mean()) < 1e-12,
      f"summary --columns timesoap: per-frame mean and max ({rows[:2]})")
r = t("events", W("ts1.dump"), "-o", W("ts_events.csv"), "--column", "timesoap", "--threshold", "0.5", "--normalize",
      "--link", "2.8")
check(r.returncode == 0 and open(W("ts_events.csv")).readline().startswith("timestep"),
      f"events --column timesoap ({r.stderr.strip()[-160:]})")

# identical frames: a dump of the first frame twice
lines = open(src).read().splitlines()
n = int(lines[3])
first = lines[:9 + n]
with open(W("twice.dump"), "w") as f:
    f.write("\n".join(first + first) + "\n")
r = t("timesoap", W("twice.dump"), "-o", W("twice_ts.dump"), "--cutoff", "4.0", *SOAP)
vals = frames(W("twice_ts.dump"))[0] if r.returncode == 0 else None
check(vals is not None and np.all(vals[2][:, vals[1].index("timesoap")] == 0), "identical frames: timesoap exactly 0")

a = t("timesoap", src, "-o", W("th1.dump"), "--cutoff", "4.0", "--threads", "1", *SOAP)
b = t("timesoap", src, "-o", W("th2.dump"), "--cutoff", "4.0", "--threads", "2", *SOAP)
check(a.returncode == 0 and b.returncode == 0 and open(W("th1.dump")).read() == open(W("th2.dump")).read(),
      "--threads 1 and 2: byte-identical output")

# the atom set changes: atom 1 missing from the second frame
out, i, fr = [], 0, 0
while i < len(lines):
    n = int(lines[i + 3])
    body = lines[i + 9:i + 9 + n]
    if fr == 1:
        body = [l for l in body if l.split()[0] != "1"]
        out += lines[i:i + 3] + [str(len(body))] + lines[i + 4:i + 9] + body
    else:
        out += lines[i:i + 9 + n]
    i += 9 + n
    fr += 1
with open(W("missing.dump"), "w") as f:
    f.write("\n".join(out) + "\n")
r = t("timesoap", W("missing.dump"), "-o", W("x.dump"), "--cutoff", "4.0", *SOAP)
check(r.returncode == 1 and "set of atoms changed" in r.stderr and "--intersect" in r.stderr,
      f"an atom missing in frame 1: error naming --intersect ({r.stderr.strip()[-160:]})")
r = t("timesoap", W("missing.dump"), "-o", W("inter.dump"), "--cutoff", "4.0", "--intersect", *SOAP)
check(r.returncode == 0, f"--intersect runs ({r.stderr.strip()[-160:]})")

r = t("timesoap", src, "-o", W("x.dump"), "--cutoff", "4.0", "--frames", "0", *SOAP)
check(r.returncode == 1 and "needs at least 2" in r.stderr, f"one frame: error ({r.stderr.strip()[-120:]})")
r = t("timesoap", src, "-o", W("x.dump"), "--cutoff", "0.5")
check(r.returncode == 2 and "r_cut" in r.stderr, f"gto r_cut <= 1: usage error ({r.stderr.strip()[-120:]})")
r = t("timesoap", src, "-o", src, "--cutoff", "4.0")
check(r.returncode == 2 and "same file" in r.stderr, "output named like the input: refused")
r = t("compute", src, "-o", W("x.dump"), "--csp", "12", "--soap-nmax", "4")
check(r.returncode == 2 and "--soap-nmax needs --soap" in r.stderr and not os.path.exists(W("x.dump")),
      f"compute --soap-nmax without --soap: usage error, no output ({r.stderr.strip()[-120:]})")
sys.exit(check.finish())
