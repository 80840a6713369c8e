#!/usr/bin/python3
"""Reference SOAP power spectra for tests/descriptors/soap.cpp, written separately from
include/tessera/descriptors/soap.hpp: the expansion coefficients are the defining 3-D integral
c^Z_nlm = ∫ g_nl(r) Y_lm(r̂) ρ^Z(r) d³r evaluated by brute-force quadrature on a spherical grid
around each centre (Gauss–Legendre in r and in cos θ, the trapezoid rule in φ), with real
spherical harmonics from scipy.special.sph_harm, the density summed over every periodic image
of every atom within R; no Bessel functions and no closed forms. The radial bases are built as
DScribe 2.1's soap.py builds them (linspace decay points, Löwdin with scipy.linalg.sqrtm(inv(S))).
Each configuration is evaluated on two quadrature grids; the script fails unless they agree to
1e-11 relative to the largest |p| (the reported quadrature error), and writes the finer one.

usage: make_soap_reference.py   (writes soap_reference.txt next to this file)
Output lines: `config NAME file=F basis=B rcut= nmax= lmax= sigma= weighting= ...` then
`centre ID v_0 v_1 ...` (the power spectrum in DScribe's order, compression off, unnormalised).
"""
import os
import sys

import numpy as np
from scipy.linalg import inv, sqrtm
from scipy.special import gamma, sph_harm

HERE = os.path.dirname(os.path.abspath(__file__))


def read_dump(path):
    with open(path) as f:
        lines = f.read().splitlines()
    n = int(lines[3])
    head = lines[4].split()
    b = np.array([[float(v) for v in lines[5 + k].split()] for k in range(3)])
    if "xy" in head:
        xy, xz, yz = b[0, 2], b[1, 2], b[2, 2]
        xlo = b[0, 0] - min(0, xy, xz, xy + xz)
        xhi = b[0, 1] - max(0, xy, xz, xy + xz)
        ylo, yhi = b[1, 0] - min(0, yz), b[1, 1] - max(0, yz)
        zlo, zhi = b[2, 0], b[2, 1]
    else:
        xy = xz = yz = 0.0
        (xlo, xhi), (ylo, yhi), (zlo, zhi) = b[:, :2]
    H = np.array([[xhi - xlo, xy, xz], [0, yhi - ylo, yz], [0, 0, zhi - zlo]])  # columns a, b, c
    cols = lines[8].split()[2:]
    d = np.array([[float(v) for v in lines[9 + i].split()] for i in range(n)])
    return d[:, cols.index("id")].astype(int), d[:, cols.index("type")].astype(int), d[:, [cols.index(c) for c in "xyz"]], H


def gto_basis(rcut, nmax, lmax):
    a = np.linspace(1, rcut, nmax)
    al, be = np.zeros((lmax + 1, nmax)), np.zeros((lmax + 1, nmax, nmax))
    for l in range(lmax + 1):
        alphas = -np.log(1e-3 / np.power(a, l)) / a ** 2
        m = alphas[:, None] + alphas[None, :]
        S = 0.5 * gamma(l + 1.5) * m ** (-l - 1.5)
        al[l], be[l] = alphas, np.real(sqrtm(inv(S)))
    return lambda l, r: be[l] @ (r[None, :] ** l * np.exp(-al[l][:, None] * r[None, :] ** 2))


def poly_basis(rcut, nmax):
    k = np.arange(1, nmax + 1)
    S = 2 * rcut ** (7.0 + k[:, None] + k[None, :]) / ((5.0 + k[:, None] + k[None, :]) * (6.0 + k[:, None] + k[None, :])
                                                        * (7.0 + k[:, None] + k[None, :]))
    be = np.real(sqrtm(inv(S)))
    return lambda l, r: be @ (np.clip(rcut - r, 0, None)[None, :] ** (k[:, None] + 2))


def real_ylm(l, theta, phi):
    """Real (tesseral) spherical harmonics of degree l, m = -l..l, on the points (theta polar)."""
    out = []
    for m in range(-l, l + 1):
        y = sph_harm(abs(m), l, phi, theta)
        if m < 0:
            out.append(np.sqrt(2) * (-1) ** m * y.imag)
        elif m == 0:
            out.append(y.real)
        else:
            out.append(np.sqrt(2) * (-1) ** m * y.real)
    return np.array(out)


def soap_quadrature(centre, pos, types, H, nspecies, cfg, grid):
    rcut, nmax, lmax, sigma = cfg["rcut"], cfg["nmax"], cfg["lmax"], cfg["sigma"]
    eta = 1 / (2 * sigma ** 2)
    R = rcut + sigma * np.sqrt(-2 * np.log(1e-3))
    if cfg["weighting"] == "poly":
        R = min(R, rcut)
        w = lambda r: np.where(r < rcut, (1 + 2 * (r / rcut) ** 3 - 3 * (r / rcut) ** 2), 0.0)  # noqa: E731
    else:
        w = lambda r: np.ones_like(r)  # noqa: E731
    # every periodic image within R (the centre itself included, at distance 0)
    shifts = np.array([[i, j, k] for i in range(-2, 3) for j in range(-2, 3) for k in range(-2, 3)]) @ H.T
    rel = (pos[None, :, :] + shifts[:, None, :] - pos[centre][None, None, :]).reshape(-1, 3)
    typ = np.tile(types, len(shifts))
    d = np.linalg.norm(rel, axis=1)
    keep = d < R
    rel, typ, wt = rel[keep], typ[keep], w(d[keep])
    nr, nt, nphi = grid
    rmax = R + 8 * sigma if cfg["basis"] == "polynomial" else 2.6 * rcut
    rmax = min(rmax, rcut) if cfg["basis"] == "polynomial" else rmax
    xr, wr = np.polynomial.legendre.leggauss(nr)
    r = 0.5 * rmax * (xr + 1)
    wr = 0.5 * rmax * wr * r ** 2
    xt, wtt = np.polynomial.legendre.leggauss(nt)
    theta = np.arccos(xt)
    phi = 2 * np.pi * np.arange(nphi) / nphi
    TH, PH = np.meshgrid(theta, phi, indexing="ij")
    wang = (wtt[:, None] * np.full(nphi, 2 * np.pi / nphi)[None, :]).ravel()
    u = np.stack([np.sin(TH) * np.cos(PH), np.sin(TH) * np.sin(PH), np.cos(TH)], -1).reshape(-1, 3)
    Y = [real_ylm(l, TH.ravel(), PH.ravel()) for l in range(lmax + 1)]  # (2l+1, nang)
    basis = gto_basis(rcut, nmax, lmax) if cfg["basis"] == "gto" else (lambda f: (lambda l, rr: f(l, rr)))(poly_basis(rcut, nmax))
    c = np.zeros((nspecies, nmax, lmax + 1, 2 * lmax + 1))
    for s in range(nspecies):
        sel = typ == s + 1
        if not sel.any():
            continue
        A = np.zeros((lmax + 1, 2 * lmax + 1, nr))  # angular integrals per radius
        for ir in range(nr):
            x = r[ir] * u  # (nang, 3)
            d2 = ((x[:, None, :] - rel[sel][None, :, :]) ** 2).sum(-1)
            rho = (np.exp(-eta * d2) * wt[sel][None, :]).sum(1)
            for l in range(lmax + 1):
                A[l, : 2 * l + 1, ir] = Y[l] @ (wang * rho)
        for l in range(lmax + 1):
            g = basis(l, r)  # (nmax, nr)
            c[s, :, l, : 2 * l + 1] = (g * wr[None, :]) @ A[l, : 2 * l + 1, :].T
    p = []
    for z1 in range(nspecies):
        for z2 in range(z1, nspecies):
            for l in range(lmax + 1):
                pre = np.pi * np.sqrt(8 / (2 * l + 1))
                for a in range(nmax):
                    for b in range(a if z1 == z2 else 0, nmax):
                        p.append(pre * np.dot(c[z1, a, l, : 2 * l + 1], c[z2, b, l, : 2 * l + 1]))
    return np.array(p)


CONFIGS = [
    dict(name="cu_gto", file="cu_tilted.dump", basis="gto", rcut=4.0, nmax=4, lmax=4, sigma=0.5, weighting="none",
         centres=[1, 500, 1000]),
    dict(name="cuzr_gto_poly_weight", file="cuzr_glass.dump", basis="gto", rcut=4.5, nmax=3, lmax=3, sigma=0.6,
         weighting="poly", centres=[1, 2, 777]),
    dict(name="cuzr_polynomial", file="cuzr_glass.dump", basis="polynomial", rcut=4.5, nmax=3, lmax=3, sigma=0.6,
         weighting="none", centres=[5, 1234]),
]

if __name__ == "__main__":
    out = []
    for cfg in CONFIGS:
        ids, types, pos, H = read_dump(os.path.join(HERE, "..", cfg["file"]))
        nspecies = int(types.max())
        out.append("config " + " ".join(f"{k}={v}" for k, v in cfg.items() if k != "centres"))
        for cid in cfg["centres"]:
            i = int(np.flatnonzero(ids == cid)[0])
            coarse = soap_quadrature(i, pos, types, H, nspecies, cfg, (120, 60, 120))
            fine = soap_quadrature(i, pos, types, H, nspecies, cfg, (160, 80, 160))
            err = np.abs(fine - coarse).max() / np.abs(fine).max()
            print(f"{cfg['name']} centre {cid}: {len(fine)} values, max |p| {np.abs(fine).max():.4g}, "
                  f"quadrature change {err:.2e}", flush=True)
            if not err < 1e-11:
                sys.exit(f"quadrature not converged for {cfg['name']} centre {cid}: {err:.2e}")
            out.append(f"centre {cid} " + " ".join(repr(float(v)) for v in fine))
    with open(os.path.join(HERE, "soap_reference.txt"), "w") as f:
        f.write("\n".join(out) + "\n")
