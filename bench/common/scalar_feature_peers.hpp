#pragma once
// Scalar peers of bench/features.cpp: plain implementations of the bond-order, solid-bond,
// CSP-matching and chemical-order computations, independent of the tessera headers except for
// reading the neighbour list — their own Y_lm (Legendre recurrences), Racah Wigner 3j and
// matching search. Included by that one translation unit only (functions are inline).
#include <tessera/neighbors/neighbor_list.hpp>

#include <array>
#include <cmath>
#include <complex>
#include <cstdio>
#include <cstdlib>
#include <numbers>
#include <vector>

namespace feature_peers {

using list_t = tessera::neighbor_list<double>;


/// Y_lm(θ, φ), m = 0 … l, for l <= 12: associated Legendre functions by the standard
/// recurrences (Condon–Shortley phase), normalised with factorials.
struct ylm_table {
    double K[13][13];
    ylm_table() {
        for (int l = 0; l <= 12; ++l)
            for (int m = 0; m <= l; ++m) {
                double ratio = 1;  // (l-m)!/(l+m)!
                for (int k = l - m + 1; k <= l + m; ++k) ratio /= k;
                K[l][m] = std::sqrt((2 * l + 1) / (4 * std::numbers::pi) * ratio);
            }
    }
    /// y[l][m] for l <= lmax, bond (x, y, z).
    void eval(int lmax, double x, double y, double z, std::complex<double> out[13][13]) const {
        const double r = std::sqrt(x * x + y * y + z * z);
        const double ct = z / r;
        const double st = std::sqrt(std::max(0.0, (1 - ct) * (1 + ct)));
        const double phi = std::atan2(y, x);
        double P[13][13];
        double pmm = 1;
        for (int m = 0; m <= lmax; ++m) {
            if (m > 0) pmm *= -(2 * m - 1) * st;
            P[m][m] = pmm;
            if (m + 1 <= lmax) P[m + 1][m] = ct * (2 * m + 1) * pmm;
            for (int l = m + 2; l <= lmax; ++l)
                P[l][m] = ((2 * l - 1) * ct * P[l - 1][m] - (l + m - 1) * P[l - 2][m]) / (l - m);
        }
        for (int m = 0; m <= lmax; ++m) {
            const std::complex<double> e = std::polar(1.0, m * phi);
            for (int l = m; l <= lmax; ++l) out[l][m] = K[l][m] * P[l][m] * e;
        }
    }
};
inline const ylm_table& ylm() {
    static const ylm_table t;
    return t;
}

/// Wigner 3j (l l l; m1 m2 m3) by Racah's formula.
inline double wigner3j_lll(int l, int m1, int m2, int m3) {
    if (m1 + m2 + m3 != 0 || std::abs(m1) > l || std::abs(m2) > l || std::abs(m3) > l) return 0;
    static double f[40];
    static bool init = [] {
        f[0] = 1;
        for (int k = 1; k < 40; ++k) f[k] = f[k - 1] * k;
        return true;
    }();
    (void)init;
    const int j1 = l, j2 = l, j3 = l;
    const double delta = f[j1 + j2 - j3] * f[j1 - j2 + j3] * f[-j1 + j2 + j3] / f[j1 + j2 + j3 + 1];
    const double pre = std::sqrt(delta * f[j1 + m1] * f[j1 - m1] * f[j2 + m2] * f[j2 - m2] * f[j3 + m3] * f[j3 - m3]);
    double sum = 0;
    for (int k = 0; k <= 3 * l; ++k) {
        const int a[6] = {k, j3 - j2 + k + m1, j3 - j1 + k - m2, j1 + j2 - j3 - k, j1 - k - m1, j2 - k + m2};
        bool ok = true;
        for (int x : a) ok = ok && x >= 0;
        if (!ok) continue;
        double d = 1;
        for (int x : a) d *= f[x];
        sum += (k % 2 ? -1.0 : 1.0) / d;
    }
    const int ph = j1 - j2 - m3;
    return ((ph % 2 + 2) % 2 ? -1.0 : 1.0) * pre * sum;
}

/// q_lm (m >= 0) of the first `nnn` bonds of every row, for l in {4, 6}: qlm[i][l][m].
using qlm_row = std::array<std::array<std::complex<double>, 13>, 13>;
inline std::vector<qlm_row> peer_qlm(const list_t& list, std::size_t nnn, int lmax) {
    std::vector<qlm_row> q(list.num_particles());
    std::complex<double> y[13][13];
    for (std::size_t i = 0; i < q.size(); ++i) {
        for (auto& a : q[i]) a.fill({0, 0});
        const auto v = list.vectors(i);
        if (v.size() < nnn) {
            std::fprintf(stderr, "bench_features: CHECK FAILED: peer: a row with fewer than nnn neighbours\n");
            std::abort();
        }
        for (std::size_t k = 0; k < nnn; ++k) {
            ylm().eval(lmax, v[k].x, v[k].y, v[k].z, y);
            for (int l = 0; l <= lmax; ++l)
                for (int m = 0; m <= l; ++m) q[i][l][m] += y[l][m];
        }
        for (int l = 0; l <= lmax; ++l)
            for (int m = 0; m <= l; ++m) q[i][l][m] /= double(nnn);
    }
    return q;
}
inline std::complex<double> q_of(const std::array<std::complex<double>, 13>& q, int m) {
    return m >= 0 ? q[m] : ((-m) % 2 ? -1.0 : 1.0) * std::conj(q[-m]);
}
inline double norm2_of(const std::array<std::complex<double>, 13>& q, int l) {
    double s = std::norm(q[0]);
    for (int m = 1; m <= l; ++m) s += 2 * std::norm(q[m]);
    return s;
}
inline double ql_of(const std::array<std::complex<double>, 13>& q, int l) {
    return std::sqrt(4 * std::numbers::pi / (2 * l + 1) * norm2_of(q, l));
}
inline double wl_of(const std::array<std::complex<double>, 13>& q, int l) {
    double w = 0;
    for (int m1 = -l; m1 <= l; ++m1)
        for (int m2 = -l; m2 <= l; ++m2) {
            const int m3 = -m1 - m2;
            if (std::abs(m3) > l) continue;
            w += wigner3j_lll(l, m1, m2, m3) * (q_of(q, m1) * q_of(q, m2) * q_of(q, m3)).real();
        }
    return w;
}

/// Lechner–Dellago q̄4, q̄6, w̄4, w̄6 (normalised), 12 nearest; column-major.
inline std::vector<double> peer_qbar(const list_t& list) {
    const std::size_t n = list.num_particles();
    const auto q = peer_qlm(list, 12, 6);
    std::vector<double> out(4 * n);
    for (std::size_t i = 0; i < n; ++i) {
        qlm_row s = q[i];
        const auto nb = list.neighbors(i);
        for (std::size_t a = 0; a < 12; ++a)
            for (int l : {4, 6})
                for (int m = 0; m <= l; ++m) s[l][m] += q[nb[a]][l][m];
        for (int l : {4, 6})
            for (int m = 0; m <= l; ++m) s[l][m] /= 13.0;
        int c = 0;
        for (int l : {4, 6}) out[std::size_t(c++) * n + i] = ql_of(s[l], l);
        for (int l : {4, 6}) out[std::size_t(c++) * n + i] = wl_of(s[l], l) / std::pow(norm2_of(s[l], l), 1.5);
    }
    return out;
}

/// Number of bonds (12 nearest) with s(i, j) > 0.7, l = 6.
inline std::vector<double> peer_solid_bonds(const list_t& list) {
    const std::size_t n = list.num_particles();
    const auto q = peer_qlm(list, 12, 6);
    std::vector<double> norm(n);
    for (std::size_t i = 0; i < n; ++i) norm[i] = std::sqrt(norm2_of(q[i][6], 6));
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto nb = list.neighbors(i);
        int count = 0;
        for (std::size_t a = 0; a < 12; ++a) {
            const auto& qi = q[i][6];
            const auto& qj = q[nb[a]][6];
            double dot = (qi[0] * std::conj(qj[0])).real();
            for (int m = 1; m <= 6; ++m) dot += 2 * (qi[m] * std::conj(qj[m])).real();
            if (dot / (norm[i] * norm[nb[a]]) > 0.7) ++count;
        }
        out[i] = count;
    }
    return out;
}

/// Matching CSP, 12 nearest: minimum over perfect matchings of Σ |R_j + R_k|², by recursion
/// (lowest unmatched neighbour first), pruned when the partial sum reaches the best so far.
inline void peer_match(const double (&w)[12][12], unsigned used, double acc, double& best) {
    if (used == 0xFFFu) {
        best = std::min(best, acc);
        return;
    }
    int j = 0;
    while (used >> j & 1u) ++j;
    for (int k = j + 1; k < 12; ++k) {
        if (used >> k & 1u) continue;
        const double a = acc + w[j][k];
        if (a < best) peer_match(w, used | 1u << j | 1u << k, a, best);
    }
}
inline std::vector<double> peer_csp_matching(const list_t& list) {
    std::vector<double> out(list.num_particles());
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto v = list.vectors(i);
        double w[12][12];
        for (int j = 0; j < 12; ++j)
            for (int k = j + 1; k < 12; ++k) {
                const double x = v[j].x + v[k].x, y = v[j].y + v[k].y, z = v[j].z + v[k].z;
                w[j][k] = w[k][j] = x * x + y * y + z * z;
            }
        double best = std::numeric_limits<double>::infinity();
        peer_match(w, 0, 0.0, best);
        out[i] = best;
    }
    return out;
}

/// G_i^(b)(μ_k) = Σ_{j of type b, r < rc} exp(−(r − μ_k)²/L²) f_c(r); column (b−1)·nμ + k.
std::vector<double> peer_sf(const list_t& list, const std::vector<int>& types, int ntypes, const std::vector<double>& mu,
                            double L, double rc, bool smooth) {
    const std::size_t n = list.num_particles(), nmu = mu.size();
    std::vector<double> out(n * nmu * std::size_t(ntypes), 0.0);
    std::vector<double> acc(nmu * std::size_t(ntypes));
    for (std::size_t i = 0; i < n; ++i) {
        std::fill(acc.begin(), acc.end(), 0.0);
        const auto nb = list.neighbors(i);
        const auto d2 = list.distances2(i);
        for (std::size_t k = 0; k < nb.size(); ++k) {
            if (rc > 0 && !(d2[k] < rc * rc)) continue;
            const double r = std::sqrt(d2[k]);
            const double fc = rc > 0 && smooth ? 0.5 * (1 + std::cos(std::numbers::pi * r / rc)) : 1.0;
            const std::size_t b = types.empty() ? 0 : std::size_t(types[nb[k]] - 1);
            for (std::size_t m = 0; m < nmu; ++m) acc[b * nmu + m] += fc * std::exp(-(r - mu[m]) * (r - mu[m]) / (L * L));
        }
        for (std::size_t c = 0; c < acc.size(); ++c) out[c * n + i] = acc[c];
    }
    return out;
}

/// Two-body excess entropy, LAMMPS entropy/atom quadrature (grid kσ, Gaussians on bins
/// ⌊r/σ⌋ ± 3, trapezoid, g < 1e-10 → integrand r²; bin 0 contributes 0), global density,
/// partial over neighbour types; one column per cutoff, each computed from scratch.
std::vector<double> peer_entropy(const list_t& list, const std::vector<int>& types, int ntypes, double sigma,
                                 const std::vector<double>& cutoffs, double rho) {
    const std::size_t n = list.num_particles();
    std::vector<double> frac(std::size_t(ntypes) + 1, 0.0);
    for (int t : types) frac[std::size_t(t)] += 1.0 / double(types.size());
    std::vector<double> out(n * cutoffs.size());
    std::vector<double> g;
    for (std::size_t i = 0; i < n; ++i) {
        const auto nb = list.neighbors(i);
        const auto d2 = list.distances2(i);
        for (std::size_t c = 0; c < cutoffs.size(); ++c) {
            const double rc = cutoffs[c];
            const int nbin = int(rc / sigma) + 1;
            double s = 0;
            for (int v = 1; v <= ntypes; ++v) {
                const double rv = rho * frac[std::size_t(v)];
                g.assign(std::size_t(nbin), 0.0);
                for (std::size_t k = 0; k < nb.size(); ++k) {
                    if (!(d2[k] < rc * rc) || types[nb[k]] != v) continue;
                    const double r = std::sqrt(d2[k]);
                    const int bin = int(std::floor(r / sigma));
                    for (int b = std::max(bin - 3, 1); b <= std::min(bin + 3, nbin - 1); ++b) {
                        const double rb = b * sigma;
                        g[std::size_t(b)] += std::exp(-(r - rb) * (r - rb) / (2 * sigma * sigma)) /
                                             (4 * std::numbers::pi * rv * std::sqrt(2 * std::numbers::pi) * sigma * rb * rb);
                    }
                }
                double integral = 0;
                for (int b = 0; b < nbin; ++b) {
                    const double rb = b * sigma;
                    const double f = g[std::size_t(b)] < 1e-10 ? rb * rb : (g[std::size_t(b)] * std::log(g[std::size_t(b)]) - g[std::size_t(b)] + 1) * rb * rb;
                    integral += (b == 0 || b == nbin - 1) ? 0.5 * f : f;
                }
                s += -2 * std::numbers::pi * rv * integral * sigma;
            }
            out[c * n + i] = s;
        }
    }
    return out;
}

/// Warren–Cowley α_i(B) and η_i(B) (columns alpha_1, alpha_2, eta_1, eta_2), pair cutoffs.
inline std::vector<double> peer_chemical_order(const list_t& list, const std::vector<int>& types, const double (&rc)[3][3]) {
    const std::size_t n = list.num_particles();
    std::vector<std::array<double, 3>> z(n, {0, 0, 0});
    for (std::size_t i = 0; i < n; ++i) {
        const auto nb = list.neighbors(i);
        const auto d2 = list.distances2(i);
        for (std::size_t k = 0; k < nb.size(); ++k) {
            const int b = types[nb[k]];
            const double c = rc[types[i]][b];
            if (d2[k] < c * c) {
                z[i][0] += 1;
                z[i][std::size_t(b)] += 1;
            }
        }
    }
    double number[3] = {0, 0, 0}, zsum[3][3] = {};
    for (std::size_t i = 0; i < n; ++i) {
        number[types[i]] += 1;
        for (int b = 0; b < 3; ++b) zsum[types[i]][b] += z[i][std::size_t(b)];
    }
    double c[3], Z[3], zmean = 0;
    for (int a = 1; a <= 2; ++a) {
        c[a] = number[a] / double(n);
        Z[a] = zsum[a][0] / number[a];
        zmean += c[a] * Z[a];
    }
    std::vector<double> out(4 * n);
    for (std::size_t i = 0; i < n; ++i)
        for (int b = 1; b <= 2; ++b) {
            const double zi = z[i][0], zib = z[i][std::size_t(b)];
            out[std::size_t(b - 1) * n + i] = c[b] * zi > 0 ? 1 - zib / (c[b] * zi) : 0.0;
            const double zstar = c[b] * Z[types[i]] * Z[b] / zmean;
            out[std::size_t(1 + b) * n + i] = 1 - zib / zstar;
        }
    return out;
}

}  // namespace feature_peers
