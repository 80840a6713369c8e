#!/usr/bin/python3
"""Reference for tessera::find_peaks: scipy.signal.find_peaks on deterministic signals.
Writes peaks.txt: for each case a line `signal v0 v1 ...`, then `peaks HEIGHT PROMINENCE i0 i1 ...`
for several (height, prominence) pairs. Run: /usr/bin/python3 make_peaks.py > peaks.txt"""
import numpy as np
from scipy.signal import find_peaks

rng = np.random.default_rng(7)
signals = [
    rng.normal(size=200).round(3),                                   # noise with ties from rounding
    np.repeat(rng.integers(0, 5, size=40), rng.integers(1, 4, size=40)).astype(float),  # plateaus
    np.sin(np.linspace(0, 20, 300)) + 0.3 * rng.normal(size=300),
    np.array([0, 1, 1, 1, 0, 2, 2, 0, 3, 1, 3, 0, 5, 5, 5, 5, 4, 6, 0], dtype=float),
]
for x in signals:
    print("signal " + " ".join(repr(float(v)) for v in x))
    for h, p in [(None, None), (0.5, None), (None, 1.0), (1.0, 0.5), (-1.0, 2.0)]:
        kw = {}
        if h is not None:
            kw["height"] = h
        if p is not None:
            kw["prominence"] = p
        peaks, _ = find_peaks(x, **kw)
        hs = "-inf" if h is None else repr(h)
        ps = "-inf" if p is None else repr(p)
        print(f"peaks {hs} {ps} " + " ".join(str(int(i)) for i in peaks))
