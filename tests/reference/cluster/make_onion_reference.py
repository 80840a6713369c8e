#!/usr/bin/python3
"""Reference for tests/cluster/onion.cpp: onion clustering by the tropea-clustering code itself
(onion_reference.py, a verbatim copy of its onion_uni; scipy 1.10, numpy 1.24) on

  randomwalk  5 random walks x 1000 frames, the package's own test input (test/test_uni.py,
              default_rng(12345)); the copy reproduces that test's expected labels exactly
  states3     20 series x 500 frames switching between 3 states (means 0, 1, 2.5; noise sd
              0.10, 0.15, 0.10; per-frame switching probability 0.004) -- default_rng(2024)
  states3b    states3 with bins = 40, number_of_sigmas = 1.5
  states3c    states3 with the iteration labels kept (reassign_unclassified = false in
              tessera): the reference's set_final_states overwrites every label with one
              positive value (see include/tessera/cluster/onion.hpp); here its returned labels
              are replaced by the pre-merge iteration labels, whose sign is all that
              max_prob_assignment looks at
  close2      30 series x 400 frames, two nearby states (means 0, 0.25, sd 0.1) plus rare
              excursions, where the later iterations find overlapping states and merge them

Values are written with 6 decimals and both sides cluster the numbers those decimals denote.
Deterministic; writes onion_<case>_input.txt (one series per line) and onion_reference.txt.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import onion_reference as ref  # noqa: E402


def random_walk():
    rng = np.random.default_rng(12345)
    out = []
    for _ in range(5):
        tmp = [0.0]
        for _ in range(999):
            tmp.append(tmp[-1] + rng.normal())
        out.append(tmp)
    return np.array(out)


def switching(rng, n, frames, means, sds, p_switch):
    out = np.empty((n, frames))
    for i in range(n):
        s = rng.integers(len(means))
        for t in range(frames):
            if rng.random() < p_switch:
                s = (s + 1 + rng.integers(len(means) - 1)) % len(means)
            out[i, t] = means[s] + sds[s] * rng.normal()
    return out


def rounded(x):
    return np.array([[float(f"{v:.6f}") for v in row] for row in x])


def write_input(name, x):
    with open(os.path.join(HERE, f"onion_{name}_input.txt"), "w") as f:
        for row in x:
            f.write(" ".join(f"{v:.6f}" for v in row) + "\n")


def run(x, window, bins, nsig, keep_iteration_labels=False):
    X = ref.reshape_from_nt(x, window)
    original = ref.set_final_states
    if keep_iteration_labels:
        ref.set_final_states = lambda states, labels, overlap: (original(states, labels.copy(), overlap)[0], labels)
    try:
        states, labels = ref.onion_uni(X, bins=bins, number_of_sigmas=nsig)
    finally:
        ref.set_final_states = original
    return states, np.asarray(labels).reshape(x.shape[0], -1)


def main():
    rng = np.random.default_rng(2024)
    s3 = rounded(switching(rng, 20, 500, [0.0, 1.0, 2.5], [0.10, 0.15, 0.10], 0.004))
    close = rounded(switching(rng, 30, 400, [0.0, 0.25, 1.5], [0.1, 0.1, 0.1], 0.002))
    rw = rounded(random_walk())
    inputs = {"randomwalk": rw, "states3": s3, "close2": close}
    cases = [("randomwalk", "randomwalk", 10, "auto", 2.0, False),
             ("states3", "states3", 10, "auto", 2.0, False),
             ("states3b", "states3", 10, 40, 1.5, False),
             ("states3c", "states3", 10, "auto", 2.0, True),
             ("close2", "close2", 8, "auto", 2.0, False)]
    for name, x in inputs.items():
        write_input(name, x)
    lines = ["# case <name> <input> <window> <bins: 0 = auto> <number_of_sigmas> <reassign_unclassified>",
             "# state <mean> <sigma> <area> <r2> <fraction>; labels <one line per series>"]
    for name, inp, window, bins, nsig, keep in cases:
        states, labels = run(inputs[inp], window, bins, nsig, keep)
        lines.append(f"case {name} {inp} {window} {0 if bins == 'auto' else bins} {nsig} {0 if keep else 1}")
        for s in states:
            lines.append(f"state {s.mean:.17g} {s.sigma:.17g} {s.area:.17g} {s.r_2:.17g} {s.perc:.17g}")
        for row in labels:
            lines.append("labels " + " ".join(str(int(v)) for v in row))
        print(name, len(states), "states", [round(s.mean, 4) for s in states],
              "unclassified", float(np.mean(labels == -1)))
    # Step 4's shared-area fractions by the reference's quad, for pairs (area, mean, sigma) x 2:
    # two from the merges above, equal widths (one crossing), nested, distant, negative means
    # (truncation toward zero of the bounds), the random walk's scale.
    pairs = [(139.1823075493669, 0.9239198944757386, 0.5983399376454159,
              1961.62970145881, 1.0007773083467542, 0.24309730430936427),
             (88.76323334276184, 1.4911677519007125, 0.39646934679480467,
              3693.443033097999, 1.5001633139881472, 0.15254937648795378),
             (100.0, 0.0, 0.3, 50.0, 0.4, 0.3), (10.0, 0.2, 0.05, 200.0, 0.25, 0.6),
             (30.0, -2.7, 0.2, 40.0, -1.1, 0.25), (4153.8, -2.13, 15.38, 180.5, 33.4, 4.24)]
    lines.append("# shared <area1> <mean1> <sigma1> <area2> <mean2> <sigma2> <fraction of 1> <fraction of 2>")
    for pr in pairs:
        f1, f2 = ref.shared_area_between_gaussians(*pr)
        lines.append("shared " + " ".join(f"{v:.17g}" for v in (*pr, f1, f2)))
    with open(os.path.join(HERE, "onion_reference.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
