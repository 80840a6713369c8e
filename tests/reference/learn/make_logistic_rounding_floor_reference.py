#!/usr/bin/python3
"""Reference for tests/learn/logistic.cpp "rounding floor of F": the L2 logistic optimum (C = 1) of
logistic/rounding_floor.csv, a real one-feature fit that stalled tessera's Newton line search (the
standardised interstice feature int_max_dist_min of a balanced bootstrap of 216 loose + 216 tight
Kob-Andersen atoms from examples/seeds/004/run --quick; written by that run as ml/topn_b0.csv and
standardised). Solved here by Newton's method in 80-bit long double (NumPy), independent of tessera's
solver and of scikit-learn's (whose newton-cg also stops short on it: ConvergenceWarning).
Writes logistic/rounding_floor_expected.csv: coef,intercept."""
import os

import numpy as np

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "logistic")
a = np.loadtxt(os.path.join(here, "rounding_floor.csv"), delimiter=",", skiprows=1, dtype=np.longdouble)
x, y = a[:, 0], a[:, 1]
X = np.column_stack([x, np.ones_like(x)])
theta = np.zeros(2, dtype=np.longdouble)
C = np.longdouble(1)
for _ in range(40):
    p = 1 / (1 + np.exp(-(X @ theta)))
    g = X.T @ (p - y) + np.array([theta[0] / C, 0], dtype=np.longdouble)
    H = (X * (p * (1 - p))[:, None]).T @ X + np.diag(np.array([1 / C, 0], dtype=np.longdouble))
    theta -= np.linalg.solve(H.astype(np.float64), g.astype(np.float64)).astype(np.longdouble)
p = 1 / (1 + np.exp(-(X @ theta)))
g = X.T @ (p - y) + np.array([theta[0] / C, 0], dtype=np.longdouble)
assert np.max(np.abs(g)) < 1e-15, g
with open(os.path.join(here, "rounding_floor_expected.csv"), "w") as f:
    f.write(f"coef,intercept\n{float(theta[0])!r},{float(theta[1])!r}\n")
print("theta", theta, "max|g|", np.max(np.abs(g)))
