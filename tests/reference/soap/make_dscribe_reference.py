#!/usr/bin/python3
"""DScribe's own SOAP reference values, for tests/descriptors/soap.cpp: the power spectra of the
numerically integrated expansion coefficients that DScribe 2.1 ships as test data
(tests/{gto,polynomial}_coefficients_*.npy, Apache-2.0, https://github.com/SINGROUP/dscribe;
made by DScribe's test suite with its own definitions), turned into power spectra with DScribe's
tests/test_soap.py `get_power_spectrum` rule (π √(8/(2l+1)) Σ_m c c, species pairs, then l, then
n ≤ n′). The systems are DScribe's `get_soap_default_setup` (H at the origin, C at (−0.3, 0.5,
0.4); its test_weighting's poly, pow and exp weightings; the centre at the origin is the H atom) and
`get_soap_{gto,polynomial}_l_max_setup` (27 H atoms from np.random.RandomState(42), the centre
atom 13 at the origin; the gto reference truncated to l ≤ 12, tessera's limit).

usage: make_dscribe_reference.py DSCRIBE_REPOSITORY   (writes dscribe_reference.txt next to this file)
Lines: `case NAME basis= nmax= lmax= rcut= sigma= weighting= r0= c= m= centre=`, then `atom TYPE X Y Z`
lines, then `p v0 v1 ...`.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
tests = os.path.join(sys.argv[1], "tests")


def power_spectrum(coeffs, crossover=True):
    n_species, n_max, l_max = coeffs.shape[1], coeffs.shape[2], coeffs.shape[3] - 1
    out = []
    for zi in range(n_species):
        for zj in range(zi, n_species if crossover else zi + 1):
            for l in range(l_max + 1):
                for ni in range(n_max):
                    for nj in (range(ni, n_max) if zi == zj else range(n_max)):
                        out.append(np.pi * np.sqrt(8 / (2 * l + 1)) * np.dot(coeffs[0, zi, ni, l, :], coeffs[0, zj, nj, l, :]))
    return out


lines = []


def case(name, basis, nmax, lmax, rcut, sigma, weighting, r0, c, m, centre, types, pos, p, d=0.0):
    lines.append(f"case {name} basis={basis} nmax={nmax} lmax={lmax} rcut={rcut} sigma={sigma} weighting={weighting} "
                 f"r0={r0} c={c} m={m} d={d} centre={centre}")
    lines.extend(f"atom {t} {x!r} {y!r} {z!r}" for t, (x, y, z) in zip(types, pos))
    lines.append("p " + " ".join(repr(float(v)) for v in p))


# DScribe's test_weighting parameters: poly r0 2 c 3 m 4; pow r0 2 c 3 d 4 m 5; exp r0 2 c 3 d 4
for basis in ("gto", "polynomial"):
    for fn, m, d in (("poly", 4.0, 0.0), ("pow", 5.0, 4.0), ("exp", 1.0, 4.0)):
        co = np.load(os.path.join(tests, f"{basis}_coefficients_2_2_2.0_0.55_{fn}.npy"))
        case(f"default_{basis}_{fn}", basis, 2, 2, 2.0, 0.55, fn, 2.0, 3.0, m, 0, [1, 2],
             [[0.0, 0.0, 0.0], [-0.3, 0.5, 0.4]], power_spectrum(co), d)
x, y, z = np.meshgrid(np.arange(-1, 2), np.arange(-1, 2), np.arange(-1, 2))
P = np.column_stack((x.ravel(), y.ravel(), z.ravel())).astype(float)
P += np.random.RandomState(42).random((27, 3)) - 0.5
P[13] = [0, 0, 0]
for basis, L, file_l in (("gto", 12, 20), ("polynomial", 9, 9)):
    co = np.load(os.path.join(tests, f"{basis}_coefficients_1_{file_l}_2.0_0.1.npy"))[:, :, :, :L + 1, :]
    case(f"lmax_{basis}", basis, 1, L, 2.0, 0.1, "none", 0, 1, 1, 13, [1] * 27, P.tolist(), power_spectrum(co, False))
with open(os.path.join(HERE, "dscribe_reference.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
