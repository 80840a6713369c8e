// Tests for physics/relaxed_modulus.hpp: Ξ and the affine curvature against central differences of
// tessera's forces and per-atom virials under apply_shear_step; the per-atom virial derivative
// against differences along a displacement field; the global relaxed modulus against finite strain
// with tessera::minimize and with LAMMPS (make_relaxed_modulus_reference.sh) on a minimised CuZr
// glass (2000 atoms, CuZr_mm) and Kob-Andersen glass (500 atoms); perfect fcc Cu where the
// correction vanishes; Σ per atom = global; μ_R < μ_B; permutation, translation, threads, errors.
#include "../support/reference_frames.hpp"
#include "../support/smooth_eam.hpp"

#include <tessera/neighbors/query.hpp>
#include <tessera/physics/deform.hpp>
#include <tessera/physics/minimize.hpp>
#include <tessera/physics/relaxed_modulus.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace tessera;

namespace {

constexpr shear_plane planes[3] = {shear_plane::xy, shear_plane::xz, shear_plane::yz};

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
config cuzr_glass() { return from_dump("physics/relaxed_cuzr.dump"); }
config ka_glass() { return from_dump("physics/relaxed_ka.dump"); }

/// LAMMPS `lattice fcc a` in a 5×5×5 prism, displaced by (0.1, 0.2, 0.3) Å as the script does
/// (keeps atoms off the cell faces, see tests/physics/shear_modulus.cpp).
config fcc(double a, int cells) {
    config c{{}, {}, triclinic_box<double>({0, 0, 0}, {a * cells, a * cells, a * cells}, 0, 0, 0)};
    const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    for (int i = 0; i < cells; ++i)
        for (int j = 0; j < cells; ++j)
            for (int k = 0; k < cells; ++k)
                for (const auto& b : basis)
                    c.x.push_back({a * (i + b[0]) + 0.1, a * (j + b[1]) + 0.2, a * (k + b[2]) + 0.3});
    c.types.assign(c.x.size(), 1);
    return c;
}

eam_potential cuzr() { return eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr"); }
eam_potential cu() { return eam_potential::from_lammps("eam/alloy", "* * Cu_mishin1.eam.alloy Cu"); }
lj_cut kob_andersen() {
    const std::vector<std::string> coeffs{"1 1 1.0 1.0 2.5", "1 2 1.5 0.8 2.0", "2 2 0.5 0.88 2.2"};
    return lj_cut::from_lammps("lj/cut 2.5", coeffs, true);
}

using tessera_test::smooth_eam;

struct evaluation {
    std::vector<vec3<double>> force;
    std::vector<std::array<double, 6>> virial;
    std::array<double, 6> total_virial{};
    std::size_t bonds_in_range = 0;  // bonds shorter than the cutoff (to see cutoff crossings)
};

template <class P>
evaluation evaluate(const P& pot, const std::vector<vec3<double>>& x, const std::vector<int>& types,
                    const triclinic_box<double>& b) {
    const auto list = find_neighbors<double>(x, b, ball{pot.cutoff()});
    evaluation e;
    e.force.resize(x.size());
    e.virial.resize(x.size());
    force_output<double> out;
    out.force = e.force;
    out.virial = e.virial;
    typename P::workspace ws{};
    pot.compute(list, types, out, ws);
    e.total_virial = out.total_virial;
    e.bonds_in_range = list.all_distances2().size();
    return e;
}

/// The configuration sheared affinely by γ (apply_shear_step from γ = 0).
config sheared(const config& c, shear_plane p, double gamma) {
    config s = c;
    s.box = apply_shear_step<double>(s.x, c.box, p, gamma);
    return s;
}

template <class P>
affine_shear_response response(const P& pot, const config& c, shear_plane p) {
    const auto list = find_neighbors<double>(c.x, c.box, ball{pot.cutoff()});
    pair_functional_terms t;
    hessian_traits<P>::bond_terms(pot, list, c.types, t);
    return affine_shear(list, t, p);
}

/// Relaxed finite-strain modulus: shear by ±γ, minimise (cg, ftol), −ΔW_ab/(2γV) (energy/volume).
template <class P>
double finite_strain_modulus(const P& pot, const config& c, shear_plane p, double gamma, double ftol,
                             bool normalize) {
    double w[2];
    for (int s = 0; s < 2; ++s) {
        config d = sheared(c, p, s == 0 ? gamma : -gamma);
        minimize_options o;
        o.etol = 0.0;
        o.ftol = ftol;
        o.max_iterations = 100000;
        o.max_evaluations = 1000000;
        o.normalize_energy = normalize;
        const auto r = minimize(pot, std::span<vec3<double>>(d.x), d.types, d.box, o);
        INFO(to_string(p) << " γ = " << (s == 0 ? gamma : -gamma) << ": " << r.message());
        REQUIRE(r.reason == stop_reason::force_tolerance);
        w[s] = evaluate(pot, d.x, d.types, d.box).total_virial[voigt_index(p)];
    }
    return -(w[0] - w[1]) / (2.0 * gamma * c.box.volume());
}

/// LAMMPS's −Δp_ab/(2γ) (bar or lj) for `system`, `plane`, |γ| = g, from relaxed_modulus_ref.txt.
double lammps_modulus(const std::string& system, const std::string& plane, double g) {
    std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/physics/relaxed_modulus_ref.txt");
    REQUIRE(in);
    std::string line, s, p;
    double plus = NAN, minus = NAN;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream is(line);
        double gamma = 0, pab = 0;
        is >> s >> p >> gamma >> pab;
        if (s != system || p != plane) continue;
        if (gamma == g) plus = pab;
        if (gamma == -g) minus = pab;
    }
    REQUIRE(std::isfinite(plus));
    REQUIRE(std::isfinite(minus));
    return -(plus - minus) / (2.0 * g);
}

}  // namespace

namespace {
/// Bonds with a non-zero pair derivative: equal counts at ±h mean no bond crossed a cutoff
/// (lj/cut's force jumps there, which no derivative sees).
template <class P>
std::size_t active_bonds(const P& pot, const config& c) {
    const auto list = find_neighbors<double>(c.x, c.box, ball{pot.cutoff()});
    pair_functional_terms t;
    hessian_traits<P>::bond_terms(pot, list, c.types, t);
    return std::size_t(std::count_if(t.d1.begin(), t.d1.end(), [](double x) { return x != 0.0; }));
}

/// Ξ and the per-atom affine curvature against central differences of forces and per-atom
/// virials at ±h; returns the worst differences relative to max|Ξ| and max|curvature|.
template <class P>
std::pair<double, double> check_affine(const P& pot, const config& c, shear_plane p, double h) {
    const auto s = response(pot, c, p);
    const config cp = sheared(c, p, h), cm = sheared(c, p, -h);
    if constexpr (std::is_same_v<P, lj_cut>) REQUIRE(active_bonds(pot, cp) == active_bonds(pot, cm));
    const auto ep = evaluate(pot, cp.x, cp.types, cp.box), em = evaluate(pot, cm.x, cm.types, cm.box);
    double fmax = 0, fdiff = 0, cmax = 0, cdiff = 0, sum = 0;
    for (std::size_t i = 0; i < c.x.size(); ++i) {
        for (std::size_t d = 0; d < 3; ++d) {
            const double fd = (ep.force[i][d] - em.force[i][d]) / (2 * h);
            fmax = std::max(fmax, std::abs(s.force[3 * i + d]));
            fdiff = std::max(fdiff, std::abs(fd - s.force[3 * i + d]));
        }
        const std::size_t v = voigt_index(p);
        const double fd = -(ep.virial[i][v] - em.virial[i][v]) / (2 * h);
        cmax = std::max(cmax, std::abs(s.atomic_curvature[i]));
        cdiff = std::max(cdiff, std::abs(fd - s.atomic_curvature[i]));
        sum += s.atomic_curvature[i];
    }
    CHECK(std::abs(sum - s.curvature) <= 1e-12 * std::abs(s.curvature) * double(c.x.size()));
    return {fdiff / fmax, cdiff / cmax};
}
}  // namespace

// Ξ = −∂²E/∂x∂γ and −∂W_i,ab/∂γ (the per-atom affine curvature, virial partition) against
// central differences at h = 1e-5 of the forces and virials tessera's potentials compute after
// apply_shear_step(±h). Truncation h²/6·∂³F/∂γ³ ~ 1e-10 relative to |Ξ| for derivatives on the
// bond-length scale; rounding ~1e-16·Σ|bond force| / h ~ 1e-10 of |Ξ|; the cubic EAM tables'
// f'' jumps at knots (δr ~ 1.5e-3 Å) are O(δr²f⁗), small at exact-double tables. We see ≤ 1.5e-9
// (lj) and ≤ 1.5e-8 (smooth EAM) of max|Ξ| and allow 1e-7; a wrong term is ≳ 1e-2.
TEST_CASE("force change and affine curvature under shear equal central differences (KA lj, EAM)",
          "[physics][relaxed_modulus]") {
    const auto ka = ka_glass();
    const auto lj = kob_andersen();
    const auto cz = cuzr_glass();
    const auto eam = smooth_eam();
    for (const auto p : planes) {
        const auto [f1, c1] = check_affine(lj, ka, p, 1e-5);
        const auto [f2, c2] = check_affine(eam, cz, p, 1e-5);
        CHECK(f1 <= 1e-7);
        CHECK(c1 <= 1e-7);
        CHECK(f2 <= 1e-7);
        CHECK(c2 <= 1e-7);
        WARN(to_string(p) << ": max |Ξ - FD| / max|Ξ| = " << f1 << " (KA), " << f2
                          << " (smooth EAM); per-atom curvature " << c1 << ", " << c2);
    }
}

// (∂W_i,ab/∂x)·u against [W_i(x + εu) − W_i(x − εu)]/(2ε) along a random field u (|u_i| ~ 1,
// ε = 1e-6): truncation ε²·(third derivative) ~ 1e-12, rounding ~1e-16·|W_i terms|/ε ~ 1e-9 of
// the largest |δW_i|; we see ≤ 2e-9 and allow 1e-7 of it (a missing F'' term is ~1e-1).
TEST_CASE("per-atom virial derivative along a displacement field equals central differences",
          "[physics][relaxed_modulus]") {
    std::mt19937_64 rng(20240611);
    std::normal_distribution<double> normal;
    const auto run = [&](const auto& pot, const config& c) {
        using P = std::decay_t<decltype(pot)>;
        const auto list = find_neighbors<double>(c.x, c.box, ball{pot.cutoff()});
        pair_functional_terms t;
        hessian_traits<P>::bond_terms(pot, list, c.types, t);
        std::vector<double> u(3 * c.x.size());
        for (double& x : u) x = normal(rng);
        const double eps = 1e-6;
        config a = c, b = c;
        for (std::size_t i = 0; i < c.x.size(); ++i) {
            const vec3<double> d{u[3 * i], u[3 * i + 1], u[3 * i + 2]};
            a.x[i] = c.x[i] + d * eps;
            b.x[i] = c.x[i] - d * eps;
        }
        if constexpr (std::is_same_v<P, lj_cut>) REQUIRE(active_bonds(pot, a) == active_bonds(pot, b));
        const auto ea = evaluate(pot, a.x, a.types, a.box), eb = evaluate(pot, b.x, b.types, b.box);
        for (const auto p : planes) {
            const auto dw = virial_derivative(list, t, p, u);
            double worst = 0, big = 0;
            for (std::size_t i = 0; i < c.x.size(); ++i) {
                const std::size_t v = voigt_index(p);
                const double fd = (ea.virial[i][v] - eb.virial[i][v]) / (2 * eps);
                worst = std::max(worst, std::abs(fd - dw[i]));
                big = std::max(big, std::abs(dw[i]));
            }
            CHECK(worst <= 1e-7 * big);
            WARN(to_string(p) << ": max |dW_i - FD| = " << worst << " of max " << big);
        }
    };
    run(kob_andersen(), ka_glass());
    run(smooth_eam(), cuzr_glass());
}

// Check (1): μ_R against finite strain. Tessera: shear the minimum by ±γ (apply_shear_step),
// minimise with cg to ‖F‖ < 1e-11, −ΔW_ab/(2γV); LAMMPS: the same with change_box … remap and
// minimize 0 1e-11 (relaxed_modulus_ref.txt, −Δp_ab/(2γ)). Error budget at γ = 1e-5 for a smooth
// energy: FD truncation γ²·μ''' (KA: the 1e-5 and 1e-4 rows agree where no bond crosses lj/cut's
// force jump), relaxation residual ‖F‖ ≤ 1e-11 moving the stress by ≲ ‖∂W/∂x‖‖H⁺‖‖F‖ ~ 1e-9
// against Δ(W) = 2γVμ ~ 1e-1, rounding of W ~1e-12: we see 1e-8 relative (KA, smooth EAM) and
// allow 2e-4. CuZr_mm.eam.fs is different: its 10-digit tables make f'' jump at every knot
// (δr = 7.6e-4 Å) by ~1e-3 per bond (tests/physics/shear_modulus.cpp), and at γ = 1e-5 ~5 % of the
// 1.5e5 bonds cross a knot, so the finite-strain slope averages curvatures the analytic H (exact
// inside each knot interval) does not see, and H⁺ amplifies it through the soft modes: LAMMPS's
// 1e-5 and 1e-4 slopes themselves differ by 1.6e-3 (xy), 2.0e-3 (xz), 3.3e-3 (yz) and the
// analytic value lies within that spread. There we allow 4e-3 relative; the non-affine correction
// is 45-60 % of μ_B, so a wrong sign or factor fails by far.
TEST_CASE("relaxed modulus equals finite-strain relaxation (tessera minimize and LAMMPS)",
          "[physics][relaxed_modulus][lammps]") {
    SECTION("Kob-Andersen lj glass, 500 atoms") {
        const auto c = ka_glass();
        const auto lj = kob_andersen();
        const auto r = relaxed_shear_modulus(lj, c.x, c.types, c.box, {.unit = 1.0});
        for (std::size_t q = 0; q < 3; ++q) {
            const double ours = finite_strain_modulus(lj, c, planes[q], 1e-5, 1e-11, true);
            const double lmp = lammps_modulus("ka", to_string(planes[q]), 1e-5);
            for (const double g : {1e-5, -1e-5})
                CHECK(active_bonds(lj, sheared(c, planes[q], g)) == active_bonds(lj, c));
            CHECK(std::abs(r.relaxed[q] - ours) <= 2e-4 * ours);
            CHECK(std::abs(r.relaxed[q] - lmp) <= 2e-4 * lmp);
            CHECK(r.relaxed[q] < r.born[q]);
            WARN(std::setprecision(9) << "KA " << to_string(planes[q]) << ": mu_B = " << r.born[q] << ", mu_R = "
                                      << r.relaxed[q] << " (CG " << r.iterations[q] << " it), tessera FD " << ours
                                      << ", LAMMPS FD(1e-5) " << lmp << ", LAMMPS FD(1e-4) "
                                      << lammps_modulus("ka", to_string(planes[q]), 1e-4));
        }
    }
    SECTION("CuZr glass, 2000 atoms, CuZr_mm") {
        const auto c = cuzr_glass();
        const auto eam = cuzr();
        const auto r = relaxed_shear_modulus(eam, c.x, c.types, c.box);
        for (std::size_t q = 0; q < 3; ++q) {
            const double lmp = lammps_modulus("cuzr", to_string(planes[q]), 1e-5) * 1e-4;  // bar → GPa
            CHECK(std::abs(r.relaxed[q] - lmp) <= 4e-3 * lmp);
            CHECK(r.relaxed[q] < r.born[q]);
            if (q == 0) {  // one plane with tessera's minimiser (≈ 2 × 200 cg iterations of 2000 atoms)
                const double ours = finite_strain_modulus(eam, c, planes[q], 1e-5, 1e-11, false) * ev_per_a3_to_gpa;
                CHECK(std::abs(r.relaxed[q] - ours) <= 4e-3 * ours);
                CHECK(std::abs(lmp - ours) <= 1e-5 * ours);  // same energy, same procedure
                WARN("tessera FD(1e-5) xy: " << std::setprecision(9) << ours << " GPa");
            }
            WARN(std::setprecision(9) << "CuZr " << to_string(planes[q]) << ": mu_B = " << r.born[q]
                                      << " GPa, mu_R = " << r.relaxed[q] << " (CG " << r.iterations[q]
                                      << " it, residual " << r.residual[q] << "), LAMMPS FD(1e-5) " << lmp
                                      << ", FD(1e-4) " << lammps_modulus("cuzr", to_string(planes[q]), 1e-4) * 1e-4);
        }
    }
}

// The same check with exact-double EAM tables (no knot noise): a 432-atom CuZr glass
// (near_instability_432.dump) minimised with smooth_eam, then sheared ±1e-5 and minimised again.
// Allowed 2e-4 relative, as for KA above; we see ≤ 2e-8 (analytic and FD agree to 9 digits).
TEST_CASE("relaxed modulus equals finite-strain relaxation for EAM with exact tables",
          "[physics][relaxed_modulus]") {
    auto c = from_dump("physics/near_instability_432.dump");
    c.box = triclinic_box<double>(c.box.lo(), c.box.hi(), 0.0, 0.0, 0.0);  // an unsheared cell
    const auto eam = smooth_eam();
    minimize_options o;
    o.etol = 0.0;
    o.ftol = 1e-11;
    o.max_iterations = 100000;
    o.max_evaluations = 1000000;
    REQUIRE(minimize(eam, std::span<vec3<double>>(c.x), c.types, c.box, o).reason == stop_reason::force_tolerance);
    const auto r = relaxed_shear_modulus(eam, c.x, c.types, c.box, {.unit = 1.0});
    for (std::size_t q = 0; q < 2; ++q) {  // xy, xz: the minimisations dominate the test's time
        const double ours = finite_strain_modulus(eam, c, planes[q], 1e-5, 1e-11, false);
        CHECK(std::abs(r.relaxed[q] - ours) <= 2e-4 * ours);
        CHECK(r.relaxed[q] < r.born[q]);
        WARN(std::setprecision(9) << "smooth EAM " << to_string(planes[q]) << ": mu_B = " << r.born[q]
                                  << ", mu_R = " << r.relaxed[q] << " eV/A^3, finite strain " << ours);
    }
}

// Perfect fcc: every atom is a centre of inversion, so Ξ = 0 (to rounding: force constants
// ~10 eV/Å² × 1e-15 relative) and μ_R = μ_B = C44 (Mishin et al. 2001: 76.2 GPa); LAMMPS's
// relaxed finite strain (1 cg iteration: nothing to relax) gives 76.19363782 GPa, and the Born
// term is the exact curvature of Cu_mishin1's full-double tables (tests/physics/shear_modulus.cpp):
// 1e-6 relative covers LAMMPS's FD truncation at γ = 1e-4 (γ²·μ'''/6 ~ 1e-8·μ).
TEST_CASE("perfect fcc Cu: no non-affine correction, mu_R = mu_B = C44", "[physics][relaxed_modulus][lammps]") {
    const auto c = fcc(3.615, 5);
    const auto eam = cu();
    const auto r = relaxed_shear_modulus(eam, c.x, c.types, c.box);
    for (std::size_t q = 0; q < 3; ++q) {
        const auto s = response(eam, c, planes[q]);
        double xi = 0;
        for (const double x : s.force) xi = std::max(xi, std::abs(x));
        CHECK(xi <= 1e-10);
        CHECK(std::abs(r.relaxed[q] - r.born[q]) <= 1e-10 * r.born[q]);
        const double lmp = lammps_modulus("fcc", to_string(planes[q]), 1e-4) * 1e-4;
        CHECK(std::abs(r.relaxed[q] - lmp) <= 1e-6 * lmp);
        for (const auto& m : r.atomic) CHECK(std::abs(m[q] - r.relaxed[q]) <= 1e-9 * r.relaxed[q]);
        WARN(std::setprecision(10) << "fcc Cu " << to_string(planes[q]) << ": max|Xi| = " << xi << ", mu_B = "
                                   << r.born[q] << ", mu_R = " << r.relaxed[q] << ", LAMMPS " << lmp);
    }
    CHECK(r.relaxed[0] == Approx(76.2).margin(0.1));
}

// Checks (2) and (3): Σ_i Ω_i μ_R,i = V μ_R (the per-atom virial derivatives sum to Ξ·u, rounding
// ~1e-13 relative over 2000 atoms), likewise the Born parts; the non-affine correction −Ξ·u/V is
// negative; the EAM per-atom Born part is atomic_shear_modulus's value bit for bit.
TEST_CASE("per-atom relaxed moduli sum to the global one, the correction is negative",
          "[physics][relaxed_modulus]") {
    const auto c = cuzr_glass();
    const auto eam = cuzr();
    const double V = c.box.volume();
    std::vector<double> vol(c.x.size());
    for (std::size_t i = 0; i < vol.size(); ++i) vol[i] = 14.0 + double(i % 11);
    const auto r = relaxed_shear_modulus(eam, c.x, c.types, c.box);
    const auto rv = relaxed_shear_modulus(eam, c.x, c.types, c.box, {.atomic_volume = vol});
    const auto mb = atomic_shear_modulus(eam, c.x, c.types, c.box);
    for (std::size_t q = 0; q < 3; ++q) {
        double mean = 0, mean_b = 0, sum_v = 0;
        for (std::size_t i = 0; i < c.x.size(); ++i) {
            mean += r.atomic[i][q] / double(c.x.size());
            mean_b += r.atomic_born[i][q] / double(c.x.size());
            sum_v += rv.atomic[i][q] * vol[i] / V;
            CHECK(r.atomic_born[i][q] == mb[i][q]);
        }
        CHECK(std::abs(mean - r.relaxed[q]) <= 1e-10 * r.relaxed[q]);
        CHECK(std::abs(mean_b - r.born[q]) <= 1e-10 * r.born[q]);
        CHECK(std::abs(sum_v - r.relaxed[q]) <= 1e-10 * r.relaxed[q]);
        CHECK(rv.relaxed[q] == r.relaxed[q]);
        // −Ξ·u from the returned field agrees with the virial-derivative sum
        const auto s = response(eam, c, planes[q]);
        double xu = 0;
        for (std::size_t i = 0; i < c.x.size(); ++i)
            for (std::size_t d = 0; d < 3; ++d) xu += s.force[3 * i + d] * r.nonaffine[q][i][d];
        CHECK(xu > 0);
        CHECK(std::abs((r.born[q] - r.relaxed[q]) - xu / V * ev_per_a3_to_gpa) <= 1e-8 * r.born[q]);
        WARN(to_string(planes[q]) << ": correction " << r.relaxed[q] - r.born[q] << " GPa of mu_B " << r.born[q]);
    }
}

// Check (4): relabelling atoms permutes the per-atom moduli and u; a translation changes bonds by
// rounding only. CG iterates in a different order, so u and μ agree to the CG tolerance (1e-10
// relative residual ⇒ ~1e-9 relative in μ_R, per atom ~1e-9·|u|·|∂W/∂x|): we allow 1e-6 GPa.
// openmp_policy{1} and {3} agree bit for bit (the neighbour list and the EAM Born term are the
// only threaded parts; core/execution.hpp).
TEST_CASE("relaxed modulus: permutation, translation, threads", "[physics][relaxed_modulus]") {
    const auto c = ka_glass();
    const auto lj = kob_andersen();
    const auto r = relaxed_shear_modulus(lj, c.x, c.types, c.box, {.unit = 1.0});
    const std::size_t n = c.x.size();
    std::vector<std::size_t> perm(n);
    std::iota(perm.begin(), perm.end(), std::size_t(0));
    std::reverse(perm.begin(), perm.end());
    std::rotate(perm.begin(), perm.begin() + 137, perm.end());
    config p = c;
    for (std::size_t k = 0; k < n; ++k) {
        p.x[k] = c.x[perm[k]];
        p.types[k] = c.types[perm[k]];
    }
    const auto rp = relaxed_shear_modulus(lj, p.x, p.types, p.box, {.unit = 1.0});
    config t = c;
    const vec3<double> shift{0.37, -2.5, 11.25};
    for (auto& x : t.x) x = x + shift;
    t.box = triclinic_box<double>(c.box.lo() + shift, c.box.hi() + shift, 0, 0, 0);
    const auto rt = relaxed_shear_modulus(lj, t.x, t.types, t.box, {.unit = 1.0});
    double worst = 0, worst_u = 0;
    for (std::size_t q = 0; q < 3; ++q) {
        CHECK(std::abs(rp.relaxed[q] - r.relaxed[q]) <= 1e-8 * r.relaxed[q]);
        CHECK(std::abs(rt.relaxed[q] - r.relaxed[q]) <= 1e-8 * r.relaxed[q]);
        for (std::size_t k = 0; k < n; ++k) {
            worst = std::max({worst, std::abs(rp.atomic[k][q] - r.atomic[perm[k]][q]),
                              std::abs(rt.atomic[perm[k]][q] - r.atomic[perm[k]][q])});
            const auto d = rp.nonaffine[q][k] - r.nonaffine[q][perm[k]];
            worst_u = std::max(worst_u, std::sqrt(d.x * d.x + d.y * d.y + d.z * d.z));
        }
    }
    CHECK(worst <= 1e-6);
    CHECK(worst_u <= 1e-6);
    const auto e = cuzr();
    const auto g = cuzr_glass();
    const auto a = relaxed_shear_modulus(e, g.x, g.types, g.box, {}, openmp_policy{1});
    const auto b = relaxed_shear_modulus(e, g.x, g.types, g.box, {}, openmp_policy{3});
    CHECK(a.relaxed == b.relaxed);
    CHECK(a.atomic == b.atomic);
}

TEST_CASE("relaxed modulus rejects bad input", "[physics][relaxed_modulus][errors]") {
    const auto c = ka_glass();
    const auto lj = kob_andersen();
    CHECK_THROWS_WITH(relaxed_shear_modulus(lj, c.x, std::vector<int>(3, 1), c.box), Catch::Contains("3 types"));
    const triclinic_box<double> slab(c.box.lo(), c.box.hi(), 0, 0, 0, {true, true, false});
    CHECK_THROWS_WITH(relaxed_shear_modulus(lj, c.x, c.types, slab), Catch::Contains("not periodic along axis 2"));
    CHECK_THROWS_WITH(relaxed_shear_modulus(lj, c.x, c.types, open_box<double>{}), Catch::Contains("not periodic"));
    std::vector<double> vol(c.x.size(), 1.0);
    vol[7] = 0.0;
    CHECK_THROWS_WITH(relaxed_shear_modulus(lj, c.x, c.types, c.box, {.atomic_volume = vol}), Catch::Contains("atom 7"));
    CHECK_THROWS_WITH(relaxed_shear_modulus(lj, c.x, c.types, c.box, {.unit = -1.0}), Catch::Contains("unit"));
    CHECK_THROWS_WITH(relaxed_shear_modulus(lj, c.x, c.types, c.box, {.tolerance = 0.0}), Catch::Contains("tolerance"));
    CHECK_THROWS_WITH(relaxed_shear_modulus(lj, c.x, c.types, c.box, {.max_iterations = 5}),
                      Catch::Contains("did not reach"));
    auto bad = c.types;
    bad[3] = 4;
    CHECK_THROWS_WITH(relaxed_shear_modulus(lj, c.x, bad, c.box), Catch::Contains("type 4"));
    // a saddle: simple cubic lj is unstable to shear; a small random displacement gives Ξ ≠ 0
    config sc{{}, {}, triclinic_box<double>({0, 0, 0}, {6.0, 6.0, 6.0}, 0, 0, 0)};
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> jitter(-0.01, 0.01);
    for (int i = 0; i < 6; ++i)
        for (int j = 0; j < 6; ++j)
            for (int k = 0; k < 6; ++k) sc.x.push_back({i + 0.5 + jitter(rng), j + 0.5 + jitter(rng), k + 0.5 + jitter(rng)});
    sc.types.assign(sc.x.size(), 1);
    CHECK_THROWS_WITH(relaxed_shear_modulus(lj, sc.x, sc.types, sc.box), Catch::Contains("not a minimum"));
}
