// Tests for physics/hessian.hpp: analytic Hessian columns against central finite differences of
// tessera's own forces (lj_cut on the 500-atom Kob-Andersen glass, EAM on the real CuZr glass with
// exact-double tables and with CuZr_mm.eam.fs, eam/alloy Cu on the real triclinic Cu frame);
// symmetry, translation invariance (block rows sum to 0), permutation, the sparse/dense/multiply
// forms agreeing, mass weighting, errors.
#include "../support/reference_frames.hpp"
#include "../support/smooth_eam.hpp"

#include <tessera/neighbors/query.hpp>
#include <tessera/physics/deform.hpp>
#include <tessera/physics/hessian.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using namespace tessera;

namespace {

struct config {
    std::vector<vec3<double>> x;
    std::vector<int> types;
    triclinic_box<double> box;
};

config from_dump(const std::string& name) {
    const auto frames = tessera_test::read_reference_frames(name);
    REQUIRE(!frames.empty());
    config c{{}, frames[0].types(), as_triclinic(frames[0].box, name)};
    for (const auto& p : frames[0].positions()) c.x.push_back({p[0], p[1], p[2]});
    return c;
}

lj_cut kob_andersen() {
    const std::vector<std::string> coeffs{"1 1 1.0 1.0 2.5", "1 2 1.5 0.8 2.0", "2 2 0.5 0.88 2.2"};
    return lj_cut::from_lammps("lj/cut 2.5", coeffs, true);
}
eam_potential cuzr() { return eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr"); }
eam_potential cu() { return eam_potential::from_lammps("eam/alloy", "* * Cu_mishin1.eam.alloy Cu"); }

eam_potential smooth_eam() { return tessera_test::smooth_eam({63.546, 91.224}); }  // Cu, Zr masses

template <class P>
std::vector<vec3<double>> forces(const P& pot, const config& c, const std::vector<vec3<double>>& x) {
    const auto list = find_neighbors<double>(x, c.box, ball{pot.cutoff()});
    std::vector<vec3<double>> f(x.size());
    force_output<double> out;
    out.force = f;
    typename P::workspace ws{};
    pot.compute(list, c.types, out, ws);
    return f;
}

/// Column (3i + a) of H by the 5-point central difference of −F in r_ia (step h).
template <class P>
std::vector<double> fd_column(const P& pot, const config& c, std::size_t i, std::size_t a, double h) {
    std::vector<std::vector<vec3<double>>> f;
    for (const double s : {-2.0, -1.0, 1.0, 2.0}) {
        auto x = c.x;
        x[i][a] += s * h;
        f.push_back(forces(pot, c, x));
    }
    std::vector<double> col(3 * c.x.size());
    for (std::size_t j = 0; j < c.x.size(); ++j)
        for (std::size_t b = 0; b < 3; ++b)
            col[3 * j + b] = -(f[0][j][b] - 8.0 * f[1][j][b] + 8.0 * f[2][j][b] - f[3][j][b]) / (12.0 * h);
    return col;
}

struct fd_result {
    double worst = 0, scale = 0;  // max |H − FD|, max |H| over the checked columns
};

/// Compares the analytic columns of `atoms` with finite differences: |H − FD| <= abs + rel·|H|.
template <class P>
fd_result compare_fd(const P& pot, const config& c, std::span<const std::size_t> atoms, double h, double abs_tol,
                     double rel_tol) {
    const Eigen::SparseMatrix<double> H = hessian(pot, c.x, c.types, c.box).to_sparse();
    fd_result r;
    for (const std::size_t i : atoms)
        for (std::size_t a = 0; a < 3; ++a) {
            const auto col = fd_column(pot, c, i, a, h);
            const Eigen::VectorXd hc = H.col(Eigen::Index(3 * i + a));
            for (std::size_t k = 0; k < col.size(); ++k) {
                const double an = hc(Eigen::Index(k));
                INFO("column atom " << i << " dim " << a << ", row " << k << ": analytic " << an << " fd " << col[k]);
                CHECK(std::abs(an - col[k]) <= abs_tol + rel_tol * std::abs(an));
                r.worst = std::max(r.worst, std::abs(an - col[k]));
                r.scale = std::max(r.scale, std::abs(an));
            }
        }
    return r;
}

const std::size_t some_atoms[] = {17, 1024, 1999};

}  // namespace

// LJ (lj units): a 5-point stencil at h = 1e-4 σ has truncation h⁴/30·|∂⁵F| ~ 1e-16·(13·14·15·16·
// 17·4ε/σ¹⁷ at r ~ 0.9σ ≈ 1e7) ≈ 1e-9 and rounding ~ (3/2)·u·|F|/h ≈ 1.5·1e-16·50/1e-4 ≈ 1e-10
// (|F_i| ≲ 50 ε/σ in this unrelaxed glass); we allow 1e-7 + 1e-8·|H|, while a wrong ψ'' or
// tangential term errs by O(1)–O(100).
TEST_CASE("hessian(lj_cut) equals finite differences of lj_cut's forces (Kob-Andersen glass)", "[physics][hessian]") {
    const auto c = from_dump("physics/ka_periodic.dump");
    const std::size_t atoms[] = {0, 101, 257, 499};
    const auto r = compare_fd(kob_andersen(), c, atoms, 1e-4, 1e-7, 1e-8);
    WARN("KA glass: max |H - FD| = " << r.worst << " of max |H| = " << r.scale);
}

// EAM with exact-double tables: the stencil spans ±2e-4 Å, crossing at most one knot (δr =
// 1.5e-3) per bond, where the cubic's f'' jumps by its O(δ²·f⁗) interpolation error (≈ 2e-6·f⁗,
// f⁗ ≲ 10²·|f| for these exponentials) — ~1e-4 relative on the affected bond's ψ''; rounding
// (3/2)·2e-16·|F ≈ 3 eV/Å|/1e-4 ≈ 1e-11. We see 2e-8 eV/Å² (|H| ≲ 2.5) and allow 1e-6 + 1e-6·|H|;
// a missing F''·g gᵀ term (the 2·r_c coupling) or a swapped ρ direction errs by ≳ 1e-2 eV/Å².
TEST_CASE("hessian(eam) equals finite differences of eam forces (CuZr glass, exact tables)", "[physics][hessian]") {
    const auto c = from_dump("cuzr_glass.dump");
    const auto r = compare_fd(smooth_eam(), c, some_atoms, 1e-4, 1e-6, 1e-6);
    WARN("smooth EAM on the CuZr glass: max |H - FD| = " << r.worst << " eV/A^2 of max |H| = " << r.scale);
}

// The real potential: CuZr_mm.eam.fs tabulates 10 significant digits on δr ≈ 7.6e-4 Å, so the
// spline's f'' changes from knot interval to knot interval by ~5e-11·|f|·10/δr² ≈ 1e-3 of its
// scale (see tests/physics/shear_modulus.cpp), and the stencil (±2e-4 Å) averages two intervals
// for ~half of the bonds: H is the exact derivative of the forces inside an interval, FD sees the
// mix. We see 6e-3 eV/Å² (|H| up to ~8 eV/Å²) and allow 0.02 eV/Å² + 1e-3·|H|; the same code
// passes 1e-6 on exact tables (above), and a structural error would be ≥ 0.1 eV/Å².
TEST_CASE("hessian(eam) vs finite differences on the CuZr glass with CuZr_mm (table noise)", "[physics][hessian]") {
    const auto c = from_dump("cuzr_glass.dump");
    const auto r = compare_fd(cuzr(), c, some_atoms, 1e-4, 2e-2, 1e-3);
    WARN("CuZr_mm on the CuZr glass: max |H - FD| = " << r.worst << " eV/A^2 of max |H| = " << r.scale);
}

// eam/alloy (setfl, full-double tables) on the real triclinic Cu frame (a thermal snapshot: no
// minimum needed for H). Mishin's tables are smooth doubles on δr ≈ 6e-4 Å; knot jumps of f'' are
// interpolation error ~δ²f⁗ ≈ 1e-6 relative. We see 3e-7 eV/Å² (|H| ≲ 9) and allow 3e-6 + 1e-6·|H|.
TEST_CASE("hessian(eam/alloy) vs finite differences on the triclinic Cu frame", "[physics][hessian]") {
    const auto c = from_dump("cu_tilted.dump");
    const std::size_t atoms[] = {0, 250, 999};
    const auto r = compare_fd(cu(), c, atoms, 1e-4, 3e-6, 1e-6);
    WARN("Cu_mishin1 on cu_tilted: max |H - FD| = " << r.worst << " eV/A^2 of max |H| = " << r.scale);
}

// Symmetric and translation-invariant to rounding (entries ≲ 1e2, sums of ~100 terms:
// 1e-11); the three assembled forms are the same matrix (equal up to summation order: 1e-12).
TEST_CASE("hessian: symmetric, rows sum to zero, sparse = dense = multiply", "[physics][hessian]") {
    const auto check = [](const sparse_hessian& h, double tol, bool dense) {
        const Eigen::SparseMatrix<double> s = h.to_sparse();
        const Eigen::SparseMatrix<double> st = s.transpose();
        CHECK(Eigen::MatrixXd((s - st).cwiseAbs()).maxCoeff() <= tol);
        for (Eigen::Index b = 0; b < 3; ++b) {  // H·(uniform translation along b) = 0
            Eigen::VectorXd u = Eigen::VectorXd::Zero(s.cols());
            for (Eigen::Index k = b; k < u.size(); k += 3) u(k) = 1.0;
            CHECK((s * u).cwiseAbs().maxCoeff() <= tol);
        }
        if (dense) CHECK((Eigen::MatrixXd(s) - h.to_dense()).cwiseAbs().maxCoeff() <= tol);
        std::mt19937_64 g(7);
        std::normal_distribution<double> nd;
        std::vector<double> x(h.dimension()), y(h.dimension());
        for (double& v : x) v = nd(g);
        h.multiply(x, y);
        const Eigen::VectorXd ref = s * Eigen::Map<const Eigen::VectorXd>(x.data(), Eigen::Index(x.size()));
        for (std::size_t k = 0; k < y.size(); ++k) CHECK(std::abs(y[k] - ref(Eigen::Index(k))) <= 10 * tol);
    };
    const auto ka = from_dump("physics/ka_periodic.dump");
    check(hessian(kob_andersen(), ka.x, ka.types, ka.box), 1e-9, true);  // |H| up to ~1e4 in this unrelaxed glass
    const auto glass = from_dump("cuzr_glass.dump");
    check(hessian(cuzr(), glass.x, glass.types, glass.box), 1e-11, false);
}

// Relabelling atoms permutes H (bitwise per block up to summation order within a row: 1e-12).
TEST_CASE("hessian: permutation of atoms permutes H, dynamical matrix scales by masses", "[physics][hessian]") {
    const auto c = from_dump("cuzr_glass.dump");
    const auto eam = cuzr();
    const auto h = hessian(eam, c.x, c.types, c.box);
    const Eigen::SparseMatrix<double> d = h.to_sparse();
    const std::size_t n = c.x.size();
    std::vector<std::size_t> perm(n);
    std::iota(perm.begin(), perm.end(), std::size_t(0));
    std::shuffle(perm.begin(), perm.end(), std::mt19937_64(3));
    config p = c;
    for (std::size_t k = 0; k < n; ++k) {
        p.x[k] = c.x[perm[k]];
        p.types[k] = c.types[perm[k]];
    }
    const Eigen::SparseMatrix<double> dp = hessian(eam, p.x, p.types, p.box).to_sparse();
    CHECK(dp.nonZeros() == d.nonZeros());
    double worst = 0;
    for (Eigen::Index col = 0; col < dp.outerSize(); ++col)
        for (Eigen::SparseMatrix<double>::InnerIterator it(dp, col); it; ++it) {
            const auto k = std::size_t(it.row()) / 3, l = std::size_t(it.col()) / 3;
            worst = std::max(worst, std::abs(it.value() - d.coeff(Eigen::Index(3 * perm[k]) + it.row() % 3,
                                                                  Eigen::Index(3 * perm[l]) + it.col() % 3)));
        }
    CHECK(worst <= 1e-12);

    const auto& m = eam.tables().masses;
    REQUIRE(m.size() == 2);
    const auto dyn = dynamical_matrix(h, m, c.types);
    CHECK(dyn.mass_weighted());
    const Eigen::SparseMatrix<double> dd = dyn.to_sparse();
    double w2 = 0;
    for (std::size_t i = 0; i < n; i += 37)
        for (std::size_t j = 0; j < n; ++j) {
            const double s = 1.0 / std::sqrt(m[std::size_t(c.types[i] - 1)] * m[std::size_t(c.types[j] - 1)]);
            for (Eigen::Index a = 0; a < 3; ++a)
                for (Eigen::Index b = 0; b < 3; ++b)
                    w2 = std::max(w2, std::abs(dd.coeff(Eigen::Index(3 * i) + a, Eigen::Index(3 * j) + b) -
                                               s * d.coeff(Eigen::Index(3 * i) + a, Eigen::Index(3 * j) + b)));
        }
    CHECK(w2 <= 1e-13);
    CHECK_THROWS_WITH(dynamical_matrix(dyn, m, c.types), Catch::Contains("already"));
}

TEST_CASE("hessian rejects bad input", "[physics][hessian][errors]") {
    const auto eam = cuzr();
    const std::vector<vec3<double>> x{{0, 0, 0}, {2.5, 0, 0}, {0, 2.5, 0}};
    const open_box<double> open;
    CHECK_THROWS_WITH(hessian(eam, x, std::vector<int>{1, 1}, open), Catch::Contains("2 types for 3 atoms"));
    CHECK_THROWS_WITH(hessian(eam, x, std::vector<int>{1, 3, 1}, open), Catch::Contains("type 3"));
    const std::vector<vec3<double>> overlap{{0, 0, 0}, {2.5, 0, 0}, {2.5, 0, 0}};
    CHECK_THROWS_WITH(hessian(eam, overlap, std::vector<int>{1, 1, 1}, open), Catch::Contains("atoms 1 and 2"));
    const auto half = find_neighbors<double>(x, open, ball{eam.cutoff()}, {.kind = list_kind::half});
    CHECK_THROWS_WITH(hessian(eam, half, std::vector<int>{1, 1, 1}), Catch::Contains("full"));
    const auto h = hessian(eam, x, std::vector<int>{1, 2, 1}, open);
    std::vector<double> v(8), y(9);
    CHECK_THROWS_WITH(h.multiply(v, y), Catch::Contains("dimension 9"));
    CHECK_THROWS_WITH(dynamical_matrix(h, std::vector<double>{63.5}, std::vector<int>{1, 2, 1}),
                      Catch::Contains("types 1..1"));
    CHECK_THROWS_WITH(dynamical_matrix(h, std::vector<double>{63.5, -1.0}, std::vector<int>{1, 2, 1}),
                      Catch::Contains("type 2"));
    const auto f = residual_forces(eam, x, std::vector<int>{1, 2, 1}, open);
    CHECK(f.two_norm > 0);
    CHECK(f.max_norm <= f.two_norm);
}
