// Tests for physics/vdos.hpp: eigenvalues of a 160-atom Kob-Andersen Hessian against
// numpy.linalg.eigvalsh of an independently built matrix (tests/reference/physics/
// make_vdos_reference.py); sum rules on fcc Cu (EAM) — 3N modes, three zero modes, orthonormal
// eigenvectors, Σ_i g_i = g, normalisation; per-atom spectra under permutation; errors.
#include <tessera/physics/hessian.hpp>
#include <tessera/physics/vdos.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numbers>
#include <numeric>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace tessera;

namespace {

struct ka160 {
    std::vector<vec3<double>> x;
    std::vector<int> types;
    std::vector<double> numpy_eigenvalues;
    orthogonal_box<double> box{{0, 0, 0}, {1, 1, 1}};
};

ka160 read_ka160() {
    std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/physics/vdos_ka160.txt");
    REQUIRE(in);
    ka160 c;
    double l = 0;
    in >> l;
    c.box = orthogonal_box<double>({0, 0, 0}, {l, l, l});
    for (int k = 0; k < 160; ++k) {
        int t = 0;
        vec3<double> p;
        in >> t >> p.x >> p.y >> p.z;
        c.types.push_back(t);
        c.x.push_back(p);
    }
    double v = 0;
    while (in >> v) c.numpy_eigenvalues.push_back(v);
    REQUIRE(c.numpy_eigenvalues.size() == 480);
    return c;
}

lj_cut kob_andersen() {
    const std::vector<std::string> coeffs{"1 1 1.0 1.0 2.5", "1 2 1.5 0.8 2.0", "2 2 0.5 0.88 2.2"};
    return lj_cut::from_lammps("lj/cut 2.5", coeffs, true);
}

/// Perfect fcc (LAMMPS `lattice fcc a`, n³ cells), offset off the cell faces.
void fcc(double a, int cells, std::vector<vec3<double>>& x) {
    const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    for (int i = 0; i < cells; ++i)
        for (int j = 0; j < cells; ++j)
            for (int k = 0; k < cells; ++k)
                for (const auto& b : basis)
                    x.push_back({a * (i + b[0]) + 0.1, a * (j + b[1]) + 0.2, a * (k + b[2]) + 0.3});
}

}  // namespace

// Both solvers' eigenvalue errors are ~u·n·max|λ| ≈ 1e-16·480·3.2e4 ≈ 5e-9 (the unrelaxed
// random packing has 0.8σ contacts: max λ ≈ 3.2e4 ε/σ²), and the two matrices differ by the
// rounding of their pair sums (~1e-16·|K|·neighbours): we allow 1e-11·max|λ| ≈ 3e-7.
TEST_CASE("dense_modes: eigenvalues equal numpy.linalg.eigvalsh of an independent LJ Hessian", "[physics][vdos]") {
    const auto c = read_ka160();
    const auto h = hessian(kob_andersen(), c.x, c.types, c.box);
    const std::vector<double> unit{1.0, 1.0};
    const auto m = dense_modes(dynamical_matrix(h, unit, c.types), {.frequency_scale = frequency_scale_lj});
    REQUIRE(m.eigenvalues.size() == 480);
    const double top = std::abs(c.numpy_eigenvalues.back());
    double worst = 0;
    for (std::size_t k = 0; k < 480; ++k) {
        INFO("mode " << k << " tessera " << m.eigenvalues(Eigen::Index(k)) << " numpy " << c.numpy_eigenvalues[k]);
        CHECK(std::abs(m.eigenvalues(Eigen::Index(k)) - c.numpy_eigenvalues[k]) <= 1e-11 * top);
        worst = std::max(worst, std::abs(m.eigenvalues(Eigen::Index(k)) - c.numpy_eigenvalues[k]));
    }
    WARN("KA160 vs numpy eigvalsh: max |dlambda| = " << worst << " of max lambda " << top);
    // not a minimum: negative modes are reported, three translations are the zero modes
    CHECK(m.zero_modes == 3);
    const auto neg = std::size_t(std::count_if(c.numpy_eigenvalues.begin(), c.numpy_eigenvalues.end(),
                                               [&](double l) { return l < -1e-8 * top; }));
    CHECK(m.negative_modes == neg);
    CHECK(neg > 0);
    CHECK(m.frequency.front() < 0);
    CHECK(m.frequency.back() == Approx(std::sqrt(m.eigenvalues(479))).epsilon(1e-15));
}

// Sum rules, each to rounding (entries of D ≲ 0.3 eV/(Å²·amu), 768 modes: 1e-12).
TEST_CASE("vdos sum rules on fcc Cu (EAM): 3N modes, 3 zero modes, orthonormal e_k, sum_i g_i = g", "[physics][vdos]") {
    std::vector<vec3<double>> x;
    fcc(3.615, 4, x);
    const std::vector<int> types(x.size(), 1);
    const double l = 4 * 3.615;
    const orthogonal_box<double> box({0, 0, 0}, {l, l, l});
    const auto eam = eam_potential::from_lammps("eam/alloy", "* * Cu_mishin1.eam.alloy Cu");
    CHECK(residual_forces(eam, x, types, box).max_norm < 1e-10);  // a perfect lattice is a stationary point
    const auto d = dynamical_matrix(hessian(eam, x, types, box), eam.tables().masses, types);
    const auto m = dense_modes(d);
    const std::size_t dim = 3 * x.size();
    REQUIRE(std::size_t(m.eigenvalues.size()) == dim);
    CHECK(m.zero_modes == 3);
    CHECK(m.negative_modes == 0);
    for (std::size_t k = 0; k < 3; ++k) CHECK(std::abs(m.frequency[k]) < 1e-3);  // THz; the 4th is ~2 THz
    CHECK(m.frequency[3] > 1.0);
    const Eigen::MatrixXd gram = m.eigenvectors.transpose() * m.eigenvectors;
    CHECK((gram - Eigen::MatrixXd::Identity(gram.rows(), gram.cols())).cwiseAbs().maxCoeff() < 1e-12);
    // A units sanity check, not a reference: measured Cu's spectrum ends at ~7.3 THz (longitudinal
    // X/L, Svensson, Brockhouse & Rowe, Phys. Rev. 155, 619 (1967)); the 4x4x4 supercell holds the X
    // and L points and Mishin's potential gives 7.82 THz. A slip of 2π or of amu/eV would be far out.
    CHECK(m.frequency.back() > 6.5);
    CHECK(m.frequency.back() < 8.5);

    const auto v = vdos(m, {.bins = 40});
    CHECK(v.histogrammed_modes == dim - 3);
    double integral = 0;
    for (const double g : v.g) integral += g * v.bin_width;
    CHECK(integral == Approx(double(dim - 3) / double(dim)).epsilon(1e-12));
    double worst = 0;
    for (std::size_t b = 0; b < v.frequency.size(); ++b) {
        double s = 0;
        for (std::size_t i = 0; i < x.size(); ++i) s += v.atom_g(i, b);
        worst = std::max(worst, std::abs(s - v.g[b]));
        CHECK(v.reduced[b] == Approx(v.g[b] / (v.frequency[b] * v.frequency[b])));
    }
    CHECK(worst < 1e-12);
    // every atom is equivalent in the perfect crystal: equal I_BP and vdos_low (1) to rounding
    for (std::size_t i = 0; i < x.size(); ++i) {
        CHECK(v.boson_peak[i] == Approx(v.boson_peak[0]).epsilon(1e-9));
        CHECK(v.vdos_low[i] == Approx(1.0).epsilon(1e-9));
    }
    CHECK(v.low_frequency == v.boson_peak_frequency);
}

// Relabelling atoms relabels g_i, I_BP and vdos_low (bins hold the same modes; rounding 1e-9).
TEST_CASE("per-atom spectra: permutation of atoms, window, vdos_low mean", "[physics][vdos]") {
    const auto c = read_ka160();
    const std::vector<double> unit{1.0, 1.0};
    const auto pot = kob_andersen();
    const modes_options mo{.frequency_scale = frequency_scale_lj};
    const vdos_options vo{.bins = 30, .max_frequency = 100.0, .bp_min_frequency = 10.0};
    const auto v = vdos(dense_modes(dynamical_matrix(hessian(pot, c.x, c.types, c.box), unit, c.types), mo), vo);
    std::vector<std::size_t> perm(160);
    std::iota(perm.begin(), perm.end(), std::size_t(0));
    std::shuffle(perm.begin(), perm.end(), std::mt19937_64(11));
    auto p = c;
    for (std::size_t k = 0; k < 160; ++k) {
        p.x[k] = c.x[perm[k]];
        p.types[k] = c.types[perm[k]];
    }
    const auto vp = vdos(dense_modes(dynamical_matrix(hessian(pot, p.x, p.types, p.box), unit, p.types), mo), vo);
    double mean_low = 0;
    for (std::size_t k = 0; k < 160; ++k) {
        CHECK(vp.boson_peak[k] == Approx(v.boson_peak[perm[k]]).epsilon(1e-9));
        CHECK(vp.vdos_low[k] == Approx(v.vdos_low[perm[k]]).epsilon(1e-9).margin(1e-12));
        CHECK(v.boson_peak_frequency_atom[k] >= 10.0);
        mean_low += v.vdos_low[k] / 160.0;
    }
    CHECK(mean_low == Approx(1.0).epsilon(1e-12));
    CHECK(v.above_range > 0);  // modes above 100/τ are counted, not binned
    CHECK(v.negative_modes > 0);
}

// The LAPACK (dsyevd) and Eigen paths on the same matrices. Both are backward stable: each
// eigenvalue is exact for a matrix within ~u·n·‖D‖ of D (Weyl), so they differ by at most a few
// u·n·max|λ| ≈ 1e-16·480 ≈ 5e-14 relative; 1e-12·max|λ| leaves a factor 20. Per-atom spectra
// are sums of |e_k,i|² over a bin, invariant under the eigenvectors' sign and under rotations
// inside a degenerate subspace (fcc Cu's modes are degenerate) as long as the subspace lies in
// one bin; they agree to 1e-10 (the eigenvector error ~u·‖D‖/gap over the bins' mode gaps).
TEST_CASE("dense_modes: LAPACK dsyevd and Eigen give the same modes", "[physics][vdos][lapack]") {
    if constexpr (!have_lapack) {
        CHECK_THROWS_WITH(dense_modes(Eigen::MatrixXd::Identity(3, 3), 1, {.solver = eigensolver::lapack}),
                          Catch::Contains("TESSERA_HAVE_LAPACK"));
        CHECK(dense_modes(Eigen::MatrixXd::Identity(3, 3), 1).solver == eigensolver::eigen);
        WARN("compiled without TESSERA_HAVE_LAPACK: only the Eigen path is tested");
        return;
    }
    CHECK(dense_modes(Eigen::MatrixXd::Identity(3, 3), 1).solver == eigensolver::lapack);  // automatic
    const auto c = read_ka160();
    const std::vector<double> unit{1.0, 1.0};
    const auto d = dynamical_matrix(hessian(kob_andersen(), c.x, c.types, c.box), unit, c.types).to_dense();
    std::vector<vec3<double>> x;
    fcc(3.615, 3, x);  // 108 atoms
    const std::vector<int> types(x.size(), 1);
    const double l = 3 * 3.615;
    const auto eam = eam_potential::from_lammps("eam/alloy", "* * Cu_mishin1.eam.alloy Cu");
    const auto cu = dynamical_matrix(hessian(eam, x, types, orthogonal_box<double>({0, 0, 0}, {l, l, l})),
                                     eam.tables().masses, types)
                        .to_dense();
    for (const auto* mat : {&d, &cu}) {
        const std::size_t n = std::size_t(mat->rows()) / 3;
        const auto a = dense_modes(*mat, n, {.solver = eigensolver::lapack});
        const auto b = dense_modes(*mat, n, {.solver = eigensolver::eigen});
        CHECK(a.solver == eigensolver::lapack);
        CHECK(b.solver == eigensolver::eigen);
        const double top = a.eigenvalues.cwiseAbs().maxCoeff();
        const double worst = (a.eigenvalues - b.eigenvalues).cwiseAbs().maxCoeff();
        WARN(n << " atoms: max |lambda_lapack - lambda_eigen| = " << worst << " of max|lambda| " << top);
        CHECK(worst <= 1e-12 * top);
        CHECK(a.zero_modes == b.zero_modes);
        CHECK(a.negative_modes == b.negative_modes);
        const Eigen::MatrixXd gram = a.eigenvectors.transpose() * a.eigenvectors;
        CHECK((gram - Eigen::MatrixXd::Identity(gram.rows(), gram.cols())).cwiseAbs().maxCoeff() < 1e-12);
        // D e_k = λ_k e_k to rounding of ‖D‖
        CHECK(((*mat) * a.eigenvectors - a.eigenvectors * a.eigenvalues.asDiagonal()).cwiseAbs().maxCoeff() <
              1e-12 * top);
        const auto only = dense_modes(*mat, n, {.eigenvectors = false, .solver = eigensolver::lapack});
        CHECK(only.eigenvectors.size() == 0);
        CHECK((only.eigenvalues - a.eigenvalues).cwiseAbs().maxCoeff() <= 1e-12 * top);
        // bins between well-separated frequencies: fcc Cu's levels are degenerate, KA's are not
        const vdos_options vo{.bins = 7, .max_frequency = a.frequency.back() * 1.001};
        const auto va = vdos(a, vo), vb = vdos(b, vo);
        double dg = 0;
        for (std::size_t k = 0; k < va.per_atom.size(); ++k) dg = std::max(dg, std::abs(va.per_atom[k] - vb.per_atom[k]));
        WARN(n << " atoms: max |g_i lapack - g_i eigen| = " << dg);
        CHECK(dg < 1e-10);
    }
}

namespace {

// Elastic constants of a perfect fcc crystal (4³ cells) by central second differences of the
// energy under homogeneous strain, in eV/Å³. Every atom is an inversion centre: no internal
// relaxation, the clamped constants are the relaxed ones. Strain 1e-4: the energy changes by
// ~3e-5 eV against ~1e-13 relative rounding of the −900 eV total (≈3e-6 relative in C).
struct cubic_constants {
    double c11 = 0, c12 = 0, c44 = 0;
};

cubic_constants elastic_constants(const eam_potential& pot, double a) {
    std::vector<vec3<double>> x0;
    fcc(a, 4, x0);
    const std::vector<int> types(x0.size(), 1);
    const double l = 4 * a, v0 = l * l * l, e = 1e-4;
    // x' = F x with F = [[1+exx, g, 0], [0, 1+eyy, 0], [0, 0, 1]] (LAMMPS's xy tilt)
    const auto energy = [&](double exx, double eyy, double g) {
        std::vector<vec3<double>> x;
        for (const auto& p : x0) x.push_back({(1 + exx) * p.x + g * p.y, (1 + eyy) * p.y, p.z});
        const triclinic_box<double> box({0, 0, 0}, {(1 + exx) * l, (1 + eyy) * l, l}, g * l, 0.0, 0.0);
        const auto list = find_neighbors<double>(x, box, ball{pot.cutoff()});
        std::vector<vec3<double>> f(x.size());
        force_output<double> out;
        out.force = f;
        eam_potential::workspace ws;
        pot.compute(list, types, out, ws);
        return out.total_energy;
    };
    const double e0 = energy(0, 0, 0);
    const auto second = [&](double sx, double sy, double sg) {
        return (energy(sx * e, sy * e, sg * e) + energy(-sx * e, -sy * e, -sg * e) - 2 * e0) / (e * e * v0);
    };
    cubic_constants c;
    c.c11 = second(1, 0, 0);                    // E/V = C11 e²/2
    c.c12 = second(1, 1, 0) / 2 - c.c11;        // E/V = (C11 + C12) e²
    c.c44 = second(0, 0, 1);                    // E/V = C44 γ²/2
    return c;
}

// Continuum frequencies (THz) of all plane waves q = (2π/L) n with 0 < |n|² <= 6 in a cubic
// crystal of density rho (amu/Å³): ω² = eigenvalues of the Christoffel matrix Γ(q)/rho. Sorted
// (ν, |n|²) pairs.
std::vector<std::pair<double, int>> continuum_frequencies(const cubic_constants& c, double rho, double l) {
    std::vector<std::pair<double, int>> nu;
    for (int i = -3; i <= 3; ++i)
        for (int j = -3; j <= 3; ++j)
            for (int k = -3; k <= 3; ++k) {
                const int n2 = i * i + j * j + k * k;
                if (n2 == 0 || n2 > 6) continue;
                const double q[3] = {2 * std::numbers::pi / l * i, 2 * std::numbers::pi / l * j,
                                     2 * std::numbers::pi / l * k};
                Eigen::Matrix3d g;
                const double q2 = q[0] * q[0] + q[1] * q[1] + q[2] * q[2];
                for (int a = 0; a < 3; ++a)
                    for (int b = 0; b < 3; ++b)
                        g(a, b) = a == b ? c.c11 * q[a] * q[a] + c.c44 * (q2 - q[a] * q[a]) : (c.c12 + c.c44) * q[a] * q[b];
                const Eigen::Vector3d w2 = Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d>(g / rho).eigenvalues();
                for (int a = 0; a < 3; ++a) nu.emplace_back(std::sqrt(w2(a)) * frequency_scale_thz, n2);
            }
    std::sort(nu.begin(), nu.end());
    return nu;
}

struct debye_check {
    double worst = 0;   // max over modes of |ν_lattice/ν_continuum − 1| / |n|²
    double lowest = 0;  // |ν/ν_continuum − 1| of the lowest level ([110] transverse, C11 − C12)
};

// The lowest `count` non-zero modes of an (cells)³ fcc Cu supercell against the continuum, with
// the continuum's degeneracies (cubic symmetry) reproduced to rounding.
debye_check debye_low_modes(int cells, std::size_t count) {
    const double a = 3.615;
    const auto eam = eam_potential::from_lammps("eam/alloy", "* * Cu_mishin1.eam.alloy Cu");
    const auto c = elastic_constants(eam, a);
    std::vector<vec3<double>> x;
    fcc(a, cells, x);
    const std::vector<int> types(x.size(), 1);
    const double l = cells * a;
    const auto d = dynamical_matrix(hessian(eam, x, types, orthogonal_box<double>({0, 0, 0}, {l, l, l})),
                                    eam.tables().masses, types);
    const auto m = dense_modes(d, {.eigenvectors = false});
    REQUIRE(m.zero_modes == 3);
    REQUIRE(m.negative_modes == 0);
    const double rho = 4 * eam.tables().masses[0] / (a * a * a);
    const auto cont = continuum_frequencies(c, rho, l);
    REQUIRE(cont.size() > count);
    REQUIRE(cont[count].first > cont[count - 1].first * 1.05);  // the compared set ends at a gap
    debye_check r;
    for (std::size_t k = 0; k < count; ++k) {
        const double nu = m.frequency[3 + k], dev = nu / cont[k].first - 1;
        INFO("mode " << 3 + k << ": lattice " << nu << " THz, continuum " << cont[k].first << ", |n|^2 " << cont[k].second);
        r.worst = std::max(r.worst, std::abs(dev) / cont[k].second);
        if (k < 12) r.lowest = std::max(r.lowest, std::abs(dev));
        if (k > 0 && cont[k].first - cont[k - 1].first <= 1e-9 * cont[k].first)
            CHECK(nu - m.frequency[2 + k] <= 1e-9 * nu);  // same level
        else if (k > 0)
            CHECK(nu - m.frequency[2 + k] > 1e-3 * nu);   // next level
    }
    return r;
}

}  // namespace

// Mishin et al., Phys. Rev. B 63, 224106 (2001), Table I: Cu_mishin1 gives C11 = 169.9,
// C12 = 122.6, C44 = 76.2 GPa at a = 3.615 Å (rounded to 0.1 GPa there; we allow 0.5 GPa).
TEST_CASE("fcc Cu elastic constants of Cu_mishin1 by energy differences", "[physics][vdos][debye]") {
    const auto c = elastic_constants(eam_potential::from_lammps("eam/alloy", "* * Cu_mishin1.eam.alloy Cu"), 3.615);
    const double gpa = 160.21766208;  // eV/Å³ → GPa
    WARN("Cu_mishin1: C11 = " << c.c11 * gpa << ", C12 = " << c.c12 * gpa << ", C44 = " << c.c44 * gpa << " GPa");
    CHECK(c.c11 * gpa == Approx(169.9).margin(0.5));
    CHECK(c.c12 * gpa == Approx(122.6).margin(0.5));
    CHECK(c.c44 * gpa == Approx(76.2).margin(0.5));
}

// Debye limit, checked mode by mode: a crystal's spectrum at these sizes is discrete (q = 2π n/L),
// so g(ν)/ν² per bin would count a handful of degenerate levels; instead the lowest 58 non-zero
// modes of a 6³-cell (864 atoms) supercell — the plane waves with |n|² <= 3: transverse [110]
// (C11 − C12; 12 modes), [100] (C44; 12), [111] (16), [110] (C44; 12) and longitudinal [100]
// (C11; 6) — are compared level by level, multiplicities included, with ω = |q|·√(C/ρ) from the
// Christoffel matrix of the potential's own C11, C12, C44 (the test above). The lattice's
// dispersion moves them by O((qa)²) ∝ |n|² (either sign with EAM): we see |ν/ν_c − 1| at most
// 0.016·|n|² (longitudinal [100]; transverse [111] −4.2 % at |n|² = 3, the lowest level +0.87 %)
// and allow 0.02·|n|²; the [.slow] case at 8³ cells shows the deviation shrink as 1/L².
TEST_CASE("Debye limit: lowest modes of fcc Cu equal the elastic continuum", "[physics][vdos][debye]") {
    const auto r = debye_low_modes(6, 58);
    WARN("864-atom fcc Cu: max |nu/nu_continuum - 1|/|n|^2 = " << r.worst << ", lowest level " << r.lowest);
    CHECK(r.worst < 0.02);
    CHECK(r.lowest < 0.012);
}

TEST_CASE("Debye limit converges as 1/L^2 (8^3 cells, 2048 atoms)", "[physics][vdos][debye][.slow]") {
    const auto r6 = debye_low_modes(6, 58);
    const auto r8 = debye_low_modes(8, 58);
    WARN("lowest level deviation: 6^3 " << r6.lowest << ", 8^3 " << r8.lowest << " (1/L^2 predicts x"
                                        << 36.0 / 64.0 << ")");
    // the leading O(q²) term dominates: the ratio is 0.595 (0.5625 + the O(q⁴) remainder)
    CHECK(r8.lowest == Approx(r6.lowest * 36.0 / 64.0).epsilon(0.1));
    CHECK(r8.worst < r6.worst);
}

TEST_CASE("dense_modes and vdos reject bad input", "[physics][vdos][errors]") {
    CHECK_THROWS_WITH(dense_modes(Eigen::MatrixXd::Zero(4, 4), 1), Catch::Contains("expected 3"));
    Eigen::MatrixXd nan = Eigen::MatrixXd::Identity(3, 3);
    nan(1, 1) = std::nan("");
    CHECK_THROWS_WITH(dense_modes(nan, 1), Catch::Contains("non-finite"));
    CHECK_THROWS_WITH(dense_modes(Eigen::MatrixXd::Identity(3, 3), 1, {.frequency_scale = 0.0}),
                      Catch::Contains("frequency_scale"));
    const auto m = dense_modes(Eigen::MatrixXd::Identity(3, 3), 1, {.eigenvectors = false});
    CHECK_THROWS_WITH(vdos(m), Catch::Contains("eigenvectors"));
    CHECK_THROWS_WITH(vdos(m, {.bins = 0}), Catch::Contains("bins"));
    CHECK(vdos(m, {.per_atom = false}).histogrammed_modes == 3);
    const auto z = dense_modes(Eigen::MatrixXd::Zero(3, 3), 1);
    CHECK_THROWS_WITH(vdos(z), Catch::Contains("no positive mode"));
}
