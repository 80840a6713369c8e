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
#include <numeric>
#include <random>
#include <string>
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
