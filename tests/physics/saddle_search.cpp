// Tests for physics/saddle_search.hpp (ARTn). The vacancy in fcc Cu (Mishin EAM) against LAMMPS's
// climbing-image NEB (tests/reference/physics/make_vacancy_neb_reference.sh); the saddle's
// character checked independently of the search's own Lanczos: a dense finite-difference
// Hessian diagonalised by Eigen has exactly one negative eigenvalue, and relaxing from the saddle
// along ± that eigenvector (tessera::minimize) reaches two distinct minima, one of them x⁰.
// Driver: thread-count independence and independence from which other atoms are searched
// (bitwise), seed reproducibility, row permutation with ids.
#include <tessera/physics/eam.hpp>
#include <tessera/physics/lj_cut.hpp>
#include <tessera/physics/activation_barriers.hpp>
#include <tessera/physics/saddle_search.hpp>

#include "../support/reference_frames.hpp"

#include <catch2/catch.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

using namespace tessera;

namespace {

struct crystal {
    std::vector<vec3<double>> x;
    std::vector<int> types;
    triclinic_box<double> box{{0, 0, 0}, {1, 1, 1}, 0, 0, 0};
    std::size_t next_to_vacancy = 0;  ///< the atom at (2.5, 2.5, 2)·a
    std::size_t far = 0;              ///< an atom at (0.5, 0.5, 0)·a, far from the vacancy
};

// fcc, 4×4×4 conventional cells, the site (2,2,2)·a removed (the NEB script's crystal), relaxed.
template <class P>
crystal fcc_vacancy(const P& pot, double a, double skin) {
    crystal s;
    const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            for (int k = 0; k < 4; ++k)
                for (const auto& b : basis) {
                    const vec3<double> p{(i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a};
                    if (norm(p - vec3<double>{2 * a, 2 * a, 2 * a}) < 1e-9) continue;
                    if (norm(p - vec3<double>{2.5 * a, 2.5 * a, 2 * a}) < 1e-9) s.next_to_vacancy = s.x.size();
                    if (norm(p - vec3<double>{0.5 * a, 0.5 * a, 0}) < 1e-9) s.far = s.x.size();
                    s.x.push_back(p);
                }
    s.types.assign(s.x.size(), 1);
    s.box = triclinic_box<double>({0, 0, 0}, {4 * a, 4 * a, 4 * a}, 0, 0, 0);
    minimize_options o;
    o.ftol = 1e-10;
    o.skin = skin;
    const auto r = minimize(pot, std::span<vec3<double>>(s.x), s.types, s.box, o);
    REQUIRE(!r.reached_limit());
    return s;
}

eam_potential mishin_cu() { return eam_potential::from_lammps("eam/alloy", "* * Cu_mishin1.eam.alloy Cu"); }

// LJ fcc at its T = 0 nearest-neighbour distance 2^(1/6) σ, cut at 2.1 σ — between the third
// (1.94 σ) and fourth (2.24 σ) shells. lj/cut's force jumps at r_c, so a pair crossing r_c
// within ±h of a finite-difference Hessian product spoils it; with no pair near r_c the
// curvatures are clean (see the header on potentials with a force jump).
lj_cut lj_fcc_potential() { return lj_cut::from_lammps("lj/cut 2.1", std::vector<std::string>{"1 1 1.0 1.0"}, true); }
constexpr double lj_fcc_a = 1.5874010519681994;  // √2 · 2^(1/6)

saddle_search_options lj_options() {
    saddle_search_options o;       // seed 003's defaults read in σ and ε, except:
    o.kick_radius = 0.8;           // below the first shell (1.12 σ), as 2 Å is for CuZr: the atom alone
    o.relax.skin = 0.3;            // LAMMPS's lj default
    o.eigenvalue_threshold = -5;   // LJ curvatures are ~15x Cu's in these units (nn spring ~57 ε/σ²)
    o.push_step = 0.07;            // 6 % of the nearest-neighbour distance, as 0.15 Å is for Cu
    return o;
}

double neb_barrier() {
    std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/physics/vacancy_neb_barrier.txt");
    REQUIRE(in);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ss(line);
        std::string key;
        double v = 0;
        if (ss >> key >> v && key == "barrier") return v;
    }
    FAIL("no barrier line in vacancy_neb_barrier.txt");
    return 0;
}

// Dense Hessian by central differences of the forces (h = 1e-4: truncation ~h²·|∂³E| ~ 1e-8,
// rounding ~1e-16·|F|/h ~ 1e-11 in the potential's units), symmetrised.
template <class P>
Eigen::MatrixXd dense_hessian(const P& pot, std::vector<vec3<double>> x, std::span<const int> types,
                              const triclinic_box<double>& box, double skin) {
    const std::size_t n = x.size();
    const double h = 1e-4;
    force_evaluator<P, triclinic_box<double>> e(pot, skin);
    std::vector<vec3<double>> fp(n), fm(n);
    Eigen::MatrixXd hess(3 * n, 3 * n);
    for (std::size_t j = 0; j < 3 * n; ++j) {
        const double keep = x[j / 3][j % 3];
        force_output<double> op{fp, {}, {}}, om{fm, {}, {}};
        x[j / 3][j % 3] = keep + h;
        e.evaluate(std::span<const vec3<double>>(x), types, box, op);
        x[j / 3][j % 3] = keep - h;
        e.evaluate(std::span<const vec3<double>>(x), types, box, om);
        x[j / 3][j % 3] = keep;
        for (std::size_t i = 0; i < 3 * n; ++i) hess(Eigen::Index(i), Eigen::Index(j)) = -(fp[i / 3][i % 3] - fm[i / 3][i % 3]) / (2 * h);
    }
    return 0.5 * (hess + hess.transpose());
}

double force_norm(const eam_potential& pot, std::span<const vec3<double>> x, std::span<const int> types,
                  const triclinic_box<double>& box) {
    force_evaluator<eam_potential, triclinic_box<double>> e(pot, 2.0);
    std::vector<vec3<double>> f(x.size());
    force_output<double> out{f, {}, {}};
    e.evaluate(x, types, box, out);
    double s = 0;
    for (const auto& a : f) s += norm2(a);
    return std::sqrt(s);
}

// The checks every converged saddle must pass, independent of the search's own Lanczos.
template <class P>
void check_saddle(const P& pot, const crystal& s, const saddle_search_result& r, const saddle_search_options& o) {
    REQUIRE(r.converged());
    CHECK(r.force_max < o.force_tolerance);  // the largest atomic force is below any criterion's measure
    const Eigen::MatrixXd hess = dense_hessian(pot, r.saddle, s.types, s.box, o.relax.skin);
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(hess);
    const Eigen::VectorXd& lam = es.eigenvalues();
    // Three translations are ~0 (|λ| ~ 1e-6 from the differences); the softest vibration of
    // these 255-atom crystals is above 0.1 (eV/Å² or ε/σ²), so ±0.05 separates them cleanly.
    std::size_t negative = 0;
    for (Eigen::Index i = 0; i < lam.size(); ++i) negative += lam(i) < -0.05;
    CHECK(negative == 1);
    CHECK(lam(3) > -1e-3);
    // The search's Lanczos value is that of the final point: within 2 % of the dense one.
    CHECK(r.eigenvalue == Approx(lam(0)).epsilon(0.02));
    // Two distinct minima along ± the dense lowest mode: x⁰ and the search's final minimum.
    const Eigen::VectorXd mode = es.eigenvectors().col(0);
    std::vector<std::vector<vec3<double>>> ends;
    for (double sign : {1.0, -1.0}) {
        std::vector<vec3<double>> y = r.saddle;
        for (std::size_t i = 0; i < y.size(); ++i)
            for (std::size_t c = 0; c < 3; ++c) y[i][c] += sign * 0.1 * mode(Eigen::Index(3 * i + c));
        const auto m = minimize(pot, std::span<vec3<double>>(y), s.types, s.box, o.relax);
        REQUIRE(!m.reached_limit());
        ends.push_back(y);
    }
    const double d0 = std::min(max_atom_distance(std::span<const vec3<double>>(ends[0]), s.x, s.box),
                               max_atom_distance(std::span<const vec3<double>>(ends[1]), s.x, s.box));
    const double d1 = std::min(max_atom_distance(std::span<const vec3<double>>(ends[0]), r.final, s.box),
                               max_atom_distance(std::span<const vec3<double>>(ends[1]), r.final, s.box));
    CHECK(d0 < o.same_minimum_distance);
    CHECK(d1 < o.same_minimum_distance);
    CHECK(max_atom_distance(std::span<const vec3<double>>(ends[0]), ends[1], s.box) > 10 * o.same_minimum_distance);
}

}  // namespace

TEST_CASE("saddle search: Cu vacancy migration barrier matches LAMMPS climbing-image NEB", "[physics][saddle]") {
    const auto cu = mishin_cu();
    const crystal s = fcc_vacancy(cu, 3.615, 2.0);
    const double neb = neb_barrier();
    REQUIRE(neb == Approx(0.6885).margin(1e-3));  // the file is the one the script writes
    saddle_search_options o;
    o.criterion = force_criterion::norm;  // the bounds below are in terms of ‖F‖₂
    // Converged to 1e-3 eV/Å, E_s is within ~|F|²/(2·λ_soft) ≈ 1e-6 / 0.6 ≈ 2e-6 eV of the
    // saddle's; the NEB's climbing image is converged to 1e-5 eV/Å and printed to 8 digits
    // (5e-9 eV). 1e-5 eV covers both with margin (observed: ~1e-7 eV).
    o.force_tolerance = 1e-3;
    double lowest = std::numeric_limits<double>::infinity();
    for (std::uint64_t k = 0; k < 4; ++k) {
        const auto r = saddle_search(cu, std::span<const vec3<double>>(s.x), s.types, s.box, s.next_to_vacancy,
                                     saddle_search_seed(3, s.next_to_vacancy, k), o);
        if (r.converged()) lowest = std::min(lowest, r.barrier);
    }
    CHECK(lowest == Approx(neb).margin(1e-5));
    // At seed 003's 0.05 eV/Å the same saddle's energy is off by at most ~0.05²/(2·0.3) ≈ 4e-3 eV.
    o.force_tolerance = 0.05;
    const auto r = saddle_search(cu, std::span<const vec3<double>>(s.x), s.types, s.box, s.next_to_vacancy,
                                 saddle_search_seed(3, s.next_to_vacancy, 0), o);
    REQUIRE(r.converged());
    CHECK(r.barrier == Approx(neb).margin(4e-3));
    CHECK(force_norm(cu, r.saddle, s.types, s.box) < 0.05);
    CHECK(r.final_energy == Approx(r.initial_energy).margin(1e-6));  // the hop lands on an equivalent site
    CHECK(r.final_displacement == Approx(2.48).margin(0.05));         // ~ the nearest-neighbour distance
}

TEST_CASE("saddle search: the Cu saddle has one negative Hessian eigenvalue and joins two minima", "[physics][saddle]") {
    const auto cu = mishin_cu();
    const crystal s = fcc_vacancy(cu, 3.615, 2.0);
    const saddle_search_options o;
    const auto r = saddle_search(cu, std::span<const vec3<double>>(s.x), s.types, s.box, s.next_to_vacancy,
                                 saddle_search_seed(3, s.next_to_vacancy, 1), o);
    check_saddle(cu, s, r, o);
}

TEST_CASE("saddle search: lj/cut vacancy saddles are first-order and connected", "[physics][saddle]") {
    const auto lj = lj_fcc_potential();
    const crystal s = fcc_vacancy(lj, lj_fcc_a, 0.3);
    const auto o = lj_options();
    std::size_t found = 0;
    for (std::uint64_t k = 0; k < 6 && found == 0; ++k) {
        const auto r = saddle_search(lj, std::span<const vec3<double>>(s.x), s.types, s.box, s.next_to_vacancy,
                                     saddle_search_seed(5, s.next_to_vacancy, k), o);
        if (!r.converged()) continue;
        ++found;
        check_saddle(lj, s, r, o);
    }
    CHECK(found == 1);
}

TEST_CASE("activation barriers: same bits for 1 and 2 threads, any atom set, seeds reproducible",
          "[physics][saddle]") {
    const auto lj = lj_fcc_potential();
    const crystal s = fcc_vacancy(lj, lj_fcc_a, 0.3);
    activation_options opt;
    opt.search = lj_options();
    opt.searches_per_atom = 3;
    opt.seed = 5;  // search 1 of the vacancy neighbour converges
    opt.atoms = {s.next_to_vacancy, s.far};
    const auto one = activation_barriers(lj, std::span<const vec3<double>>(s.x), s.types, s.box, opt);
    opt.threads = 2;
    const auto two = activation_barriers(lj, std::span<const vec3<double>>(s.x), s.types, s.box, opt);
    opt.threads = 1;
    opt.atoms = {s.next_to_vacancy};
    const auto alone = activation_barriers(lj, std::span<const vec3<double>>(s.x), s.types, s.box, opt);
    auto same = [](const atom_barriers& a, const atom_barriers& b) {
        REQUIRE(a.searches.size() == b.searches.size());
        CHECK(a.barriers == b.barriers);
        for (std::size_t k = 0; k < a.searches.size(); ++k) {
            CHECK(a.searches[k].status == b.searches[k].status);
            CHECK(a.searches[k].evaluations == b.searches[k].evaluations);
            CHECK(std::memcmp(&a.searches[k].saddle_energy, &b.searches[k].saddle_energy, sizeof(double)) == 0);
        }
    };
    same(one.atoms[s.next_to_vacancy], two.atoms[s.next_to_vacancy]);
    same(one.atoms[s.far], two.atoms[s.far]);
    same(one.atoms[s.next_to_vacancy], alone.atoms[s.next_to_vacancy]);
    CHECK(alone.atoms[s.far].searches.empty());
    CHECK(one.atoms[s.next_to_vacancy].n_saddles() >= 1);
    const auto& b = one.atoms[s.next_to_vacancy].barriers;
    CHECK(std::is_sorted(b.begin(), b.end()));
    // A different seed draws different kicks.
    opt.seed = 6;
    const auto other = activation_barriers(lj, std::span<const vec3<double>>(s.x), s.types, s.box, opt);
    bool differs = false;
    for (std::size_t k = 0; k < 3; ++k)
        differs |= other.atoms[s.next_to_vacancy].searches[k].evaluations !=
                   one.atoms[s.next_to_vacancy].searches[k].evaluations;
    CHECK(differs);
}

TEST_CASE("activation barriers: reversed rows with their ids give the same barriers", "[physics][saddle]") {
    const auto lj = lj_fcc_potential();
    const crystal s = fcc_vacancy(lj, lj_fcc_a, 0.3);
    const std::size_t n = s.x.size();
    std::vector<vec3<double>> xr(s.x.rbegin(), s.x.rend());
    std::vector<long long> ids(n), ids_r(n);
    for (std::size_t i = 0; i < n; ++i) ids[i] = (long long)(i), ids_r[i] = (long long)(n - 1 - i);
    activation_options opt;
    opt.search = lj_options();
    opt.searches_per_atom = 2;
    opt.seed = 5;  // search 1 of this atom converges (the lj/cut test above)
    opt.atoms = {s.next_to_vacancy};
    const auto a = activation_barriers(lj, std::span<const vec3<double>>(s.x), s.types, s.box, opt, ids);
    opt.atoms = {n - 1 - s.next_to_vacancy};
    const auto b = activation_barriers(lj, std::span<const vec3<double>>(xr), s.types, s.box, opt, ids_r);
    const auto& ba = a.atoms[s.next_to_vacancy].barriers;
    const auto& bb = b.atoms[n - 1 - s.next_to_vacancy].barriers;
    REQUIRE(ba.size() == bb.size());
    REQUIRE(!ba.empty());
    // Same kick (one atom kicked, same seed); only the force summation order differs, so the
    // paths agree to rounding amplified over a few hundred steps: 1e-6 ε is far above that and
    // far below any distinct barrier.
    for (std::size_t k = 0; k < ba.size(); ++k) CHECK(ba[k] == Approx(bb[k]).margin(1e-6));
}

TEST_CASE("saddle search: bad arguments throw", "[physics][saddle]") {
    const auto lj = lj_fcc_potential();
    crystal s = fcc_vacancy(lj, lj_fcc_a, 0.3);
    const auto o = lj_options();
    const std::span<const vec3<double>> x(s.x);
    CHECK_THROWS_WITH(saddle_search(lj, x, s.types, s.box, s.x.size(), 1, o), Catch::Contains("outside"));
    auto bad = o;
    bad.eigenvalue_threshold = 0.3;
    CHECK_THROWS_WITH(saddle_search(lj, x, s.types, s.box, 0, 1, bad), Catch::Contains("eigenvalue_threshold"));
    bad = o;
    bad.kick_size = 0;
    CHECK_THROWS_WITH(saddle_search(lj, x, s.types, s.box, 0, 1, bad), Catch::Contains("kick_size"));
    std::vector<int> few(s.types.begin(), s.types.end() - 1);
    CHECK_THROWS_WITH(saddle_search(lj, x, few, s.box, 0, 1, o), Catch::Contains("types for"));
    std::vector<vec3<double>> moved = s.x;
    moved[3].x += 0.05;  // no longer a minimum
    CHECK_THROWS_WITH(saddle_search(lj, std::span<const vec3<double>>(moved), s.types, s.box, 0, 1, o),
                      Catch::Contains("not a minimum"));
    activation_options opt;
    opt.search = o;
    opt.atoms = {s.x.size()};
    CHECK_THROWS_WITH(activation_barriers(lj, x, s.types, s.box, opt), Catch::Contains("outside"));
    std::vector<long long> ids(3);
    opt.atoms = {};
    CHECK_THROWS_WITH(activation_barriers(lj, x, s.types, s.box, opt, ids), Catch::Contains("ids for"));
}

TEST_CASE("activation barriers on the CuZr glass (eam/fs): converged saddles meet the tolerance",
          "[physics][saddle][.slow]") {
    const auto frames = tessera_test::read_reference_frames("cuzr_glass.dump");
    std::vector<vec3<double>> x;
    for (const auto& q : frames[0].positions()) x.push_back({q[0], q[1], q[2]});
    const std::vector<int> types = frames[0].types();
    const auto ob = std::get<orthogonal_box<double>>(frames[0].box);
    const triclinic_box<double> box(ob.origin(), ob.origin() + vec3<double>{ob.cell()(0, 0), ob.cell()(1, 1), ob.cell()(2, 2)}, 0, 0, 0);
    const auto eam = eam_potential::from_lammps("eam/fs", "* * CuZr_mm.eam.fs Cu Zr");
    minimize_options mo;
    mo.ftol = 1e-6;
    mo.skin = 2.0;
    REQUIRE(!minimize(eam, std::span<vec3<double>>(x), types, box, mo).reached_limit());
    activation_options opt;
    opt.searches_per_atom = 4;
    opt.atoms = {0, 1};
    opt.threads = 2;
    const auto r = activation_barriers(eam, std::span<const vec3<double>>(x), types, box, opt);
    std::size_t converged = 0;
    for (std::size_t a : opt.atoms)
        for (const auto& rec : r.atoms[a].searches)
            if (rec.status == saddle_status::converged) {
                ++converged;
                CHECK(rec.barrier > 0);
                CHECK(rec.eigenvalue < 0);
            }
    CHECK(converged >= 1);
}

namespace {

struct ka_glass {
    std::vector<vec3<double>> x;
    std::vector<int> types;
    triclinic_box<double> box{{0, 0, 0}, {1, 1, 1}, 0, 0, 0};
};

// The 500-atom Kob–Andersen glass (lj/cut 2.5, LAMMPS output), minimised as in tests/physics/kpm.cpp.
ka_glass minimised_ka(const lj_cut& ka) {
    const auto frames = tessera_test::read_reference_frames("physics/ka_periodic.dump");
    ka_glass g;
    for (const auto& q : frames[0].positions()) g.x.push_back({q[0], q[1], q[2]});
    g.types = frames[0].types();
    const auto ob = std::get<orthogonal_box<double>>(frames[0].box);
    g.box = triclinic_box<double>(ob.origin(), ob.origin() + vec3<double>{ob.cell()(0, 0), ob.cell()(1, 1), ob.cell()(2, 2)},
                                  0, 0, 0);
    minimize_options mo;
    mo.ftol = 1e-10;
    mo.normalize_energy = true;
    REQUIRE(!minimize(ka, std::span<vec3<double>>(g.x), g.types, g.box, mo).reached_limit());
    return g;
}

lj_cut kob_andersen() {
    const std::vector<std::string> coeffs{"1 1 1.0 1.0 2.5", "1 2 1.5 0.8 2.0", "2 2 0.5 0.88 2.2"};
    return lj_cut::from_lammps("lj/cut 2.5", coeffs, true);
}

}  // namespace

TEST_CASE("saddle search on the KA glass (analytic Hessian, recovery): first-order connected saddles",
          "[physics][saddle]") {
    const auto ka = kob_andersen();
    const ka_glass g = minimised_ka(ka);
    const auto o = saddle_search_options::lj_defaults();
    // Three searches (atom, search index) that converge with seed 17 (bench/saddle_yield.cpp
    // lists all 24 of 4 atoms; 11 converge). What is tested here is that each is a saddle by an
    // independent check: the dense analytic Hessian (Eigen, not the search's Lanczos) has
    // exactly one eigenvalue below −0.05 ε/σ² (the three translations are ~1e-12; the softest
    // vibrations of this glass at these saddles are above 0.3), the force meets the criterion,
    // and E_s > E⁰.
    const std::pair<std::size_t, std::uint64_t> picks[] = {{125, 2}, {125, 5}, {250, 3}};
    std::size_t recovered = 0;
    for (const auto& [atom, k] : picks) {
        const auto r = saddle_search(ka, std::span<const vec3<double>>(g.x), g.types, g.box, atom,
                                     saddle_search_seed(17, atom, k), o);
        INFO("atom " << atom << " search " << k << ": " << to_string(r.status));
        REQUIRE(r.converged());
        recovered += r.recoveries;
        CHECK(r.barrier > 0);
        CHECK(r.force_max < o.force_tolerance);
        CHECK(r.hessian_builds > 0);
        const Eigen::MatrixXd hess = hessian(ka, r.saddle, g.types, g.box).to_dense();
        const Eigen::VectorXd lam = Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(hess, Eigen::EigenvaluesOnly).eigenvalues();
        std::size_t negative = 0;
        for (Eigen::Index i = 0; i < lam.size(); ++i) negative += lam(i) < -0.05;
        CHECK(negative == 1);
        // Lanczos (exact products, at most 20 of them) stops when successive Ritz values differ by
        // < 1e-3·max(|θ|, 5): not an error bound; observed errors 0.02–0.06 ε/σ², 0.1 is 2 % of the threshold.
        CHECK(r.eigenvalue == Approx(lam(0)).margin(0.1));
        CHECK(r.final_displacement > o.same_minimum_distance);
    }
    CHECK(recovered >= 1);  // 250/3 needs two returns to the basin phase: without them it fails
}

TEST_CASE("saddle search on the KA glass: without returns to the basin phase the recovered search fails",
          "[physics][saddle]") {
    const auto ka = kob_andersen();
    const ka_glass g = minimised_ka(ka);
    auto o = saddle_search_options::lj_defaults();
    o.max_recoveries = 0;
    const auto r = saddle_search(ka, std::span<const vec3<double>>(g.x), g.types, g.box, 250,
                                 saddle_search_seed(17, 250, 3), o);
    CHECK(r.status == saddle_status::lost_negative_curvature);
    CHECK(r.recoveries == 0);
}

TEST_CASE("activation barriers on the KA glass: yield of 4 atoms x 6 searches", "[physics][saddle][.slow]") {
    const auto ka = kob_andersen();
    const ka_glass g = minimised_ka(ka);
    activation_options opt;
    opt.search = saddle_search_options::lj_defaults();
    opt.searches_per_atom = 6;
    opt.seed = 17;
    opt.atoms = {0, 125, 250, 375};
    opt.threads = 2;
    const auto r = activation_barriers(ka, std::span<const vec3<double>>(g.x), g.types, g.box, opt);
    std::size_t converged = 0;
    for (std::size_t a : opt.atoms)
        for (const auto& rec : r.atoms[a].searches) converged += rec.status == saddle_status::converged;
    // Measured 11 of 24 (header comment); before issue 17's changes 0 of 24.
    CHECK(converged >= 9);
}
