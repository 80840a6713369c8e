// Ghost atoms (DESIGN §2, docs/embedding.md): every per-particle descriptor computed on a
// subdomain — its own atoms followed by a shell of ghost copies, open box, n_local rows — must be
// BIT-IDENTICAL to the same atoms in the whole periodic system. This is how an MPI-decomposed
// host (LAMMPS) embeds tessera. Whole-list descriptors (Lechner–Dellago averages, solid bonds,
// chemical order) are tested for their documented behaviour.
//
// Bit identity holds because (1) the ghost copies are built as x + n·L, the same arithmetic the
// periodic cell list uses for an image ((x_j + shift) − x_i), and (2) rows are in the same order:
// k-nearest rows are sorted by distance; ball rows are in cell-list order, which differs between
// the two particle sets, so for descriptors whose floating-point sums depend on the order the
// ball rows are sorted by distance (query_options::sort_by_distance, then pipeline::run_on).
#include <tessera/descriptors/adaptive_cna.hpp>
#include <tessera/descriptors/chemical_order.hpp>
#include <tessera/descriptors/cna.hpp>
#include <tessera/descriptors/coordination.hpp>
#include <tessera/descriptors/csp.hpp>
#include <tessera/descriptors/pair_entropy.hpp>
#include <tessera/descriptors/solid_bonds.hpp>
#include <tessera/descriptors/steinhardt.hpp>
#include <tessera/descriptors/symmetry_functions.hpp>
#include <tessera/neighbors/query.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include "../support/structure_lattices.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <utility>
#include <vector>

using namespace tessera;
using tessera_test::points;

namespace {

/// A periodic cubic system of edge L with types 1 and 2.
struct ghost_system {
    std::string name;
    points p;
    std::vector<int> types;
    double L;
    orthogonal_box<double> box() const { return orthogonal_box<double>({0, 0, 0}, {L, L, L}); }
};

/// Maps every coordinate into [0, L) (so the cell list never re-images a particle).
void wrap_into(points& p, double L) {
    for (auto& q : p)
        for (auto& c : q) {
            c -= std::floor(c / L) * L;
            if (!(c < L)) c = 0;
        }
}

/// fcc Cu, 6³ cells (864 atoms), Gaussian noise σ = 0.08 Å (about 300 K), random types 1/2.
ghost_system noisy_fcc() {
    auto lat = tessera_test::fcc(3.615, 6);
    tessera_test::jiggle(lat.positions, 0.08, 701);
    ghost_system s{"fcc Cu + noise", std::move(lat.positions), {}, 6 * 3.615};
    wrap_into(s.p, s.L);
    std::mt19937_64 g(702);
    for (std::size_t i = 0; i < s.p.size(); ++i) s.types.push_back(1 + int(g() % 2));
    return s;
}

/// A random binary system: 1500 uniform points in a 16³ box (number density 0.37), types 60/40.
ghost_system random_binary() {
    ghost_system s{"random binary", {}, {}, 16.0};
    std::mt19937_64 g(703);
    std::uniform_real_distribution<double> u(0, s.L);
    for (int i = 0; i < 1500; ++i) {
        s.p.push_back({u(g), u(g), u(g)});
        s.types.push_back(u(g) < 0.6 * s.L ? 1 : 2);
    }
    wrap_into(s.p, s.L);
    return s;
}

/// One subdomain: the atoms with x in [lo, hi) (local, in input order) followed by every
/// periodic image within `shell` of the slab (ghosts) — as a host's domain decomposition gives.
struct subdomain {
    points all;            // local then ghosts
    std::vector<int> types;
    std::vector<std::size_t> owner;  // local k is particle owner[k] of the whole system
    std::size_t n_local = 0;
};

subdomain split(const ghost_system& s, int half, double shell) {
    const double L = s.L, lo = half * L / 2, hi = lo + L / 2;
    subdomain d;
    for (std::size_t i = 0; i < s.p.size(); ++i)
        if (s.p[i][0] >= lo && s.p[i][0] < hi) {
            d.all.push_back(s.p[i]);
            d.types.push_back(s.types[i]);
            d.owner.push_back(i);
        }
    d.n_local = d.all.size();
    REQUIRE(shell < L);  // images beyond ±1 box length are not generated here
    for (std::size_t i = 0; i < s.p.size(); ++i)
        for (int a = -1; a <= 1; ++a)
            for (int b = -1; b <= 1; ++b)
                for (int c = -1; c <= 1; ++c) {
                    // x + n·L: the arithmetic of the periodic cell list's image shift
                    const std::array<double, 3> g{s.p[i][0] + a * L, s.p[i][1] + b * L, s.p[i][2] + c * L};
                    const bool inside = a == 0 && b == 0 && c == 0 && g[0] >= lo && g[0] < hi;
                    const bool near = g[0] > lo - shell && g[0] < hi + shell && g[1] > -shell && g[1] < L + shell &&
                                      g[2] > -shell && g[2] < L + shell;
                    if (!inside && near) {
                        d.all.push_back(g);
                        d.types.push_back(s.types[i]);
                    }
                }
    return d;
}

/// Compares every column of descriptor D of two pipeline results, row k of `part` against row
/// owner[k] of `whole`; returns the number of values that are not bit-identical.
template <std::size_t D, class R>
std::size_t count_differences_of(const R& whole, const R& part, const std::vector<std::size_t>& owner,
                                 std::vector<std::string>& report) {
    std::size_t bad = 0;
    const std::vector<std::string>& names = whole.template names_of<D>();
    for (std::size_t c = 0; c < names.size(); ++c) {
        const std::span<const double> w = whole.template get<D>(c), p = part.template get<D>(c);
        std::size_t here = 0;
        double worst = 0;
        for (std::size_t i = 0; i < owner.size(); ++i) {
            const double a = w[owner[i]], b = p[i];
            if (std::memcmp(&a, &b, sizeof a) != 0) {
                ++here;
                worst = std::max(worst, std::abs(a - b));
            }
        }
        if (here)
            report.push_back("descriptor " + std::to_string(D) + " column " + names[c] + ": " + std::to_string(here) +
                             " differ, max |diff| " + std::to_string(worst));
        bad += here;
    }
    return bad;
}

template <std::size_t... K, class R>
std::size_t count_differences(const R& whole, const R& part, const std::vector<std::size_t>& owner,
                              std::vector<std::string>& report, std::index_sequence<K...>) {
    return (count_differences_of<K>(whole, part, owner, report) + ...);
}

/// Runs `pipe` on the whole periodic system and on both subdomains (shell = `shell`) and requires
/// bit-identical rows. `sorted`: ball rows sorted by distance (find_neighbors + run_on).
template <class Stage, class... D>
std::size_t compare_whole_and_parts(const pipeline<Stage, D...>& pipe, const ghost_system& s, double shell,
                                    bool sorted, std::vector<std::string>& report) {
    query_options whole_opt;
    whole_opt.sort_by_distance = sorted;
    const particle_properties whole_props = particle_properties{.types = s.types}.resolved(s.p.size());
    const auto whole = pipe.run_on(find_neighbors(s.p, s.box(), pipe.stage(), whole_opt), whole_props);
    std::size_t bad = 0;
    for (int half = 0; half < 2; ++half) {
        const subdomain d = split(s, half, shell);
        query_options opt;
        opt.n_local = d.n_local;
        opt.sort_by_distance = sorted;
        // Ghost types are present, so num_types is resolved from all particles, as on a host.
        particle_properties props{.types = d.types, .n_local = d.n_local, .num_types = whole_props.num_types};
        props = props.resolved(d.all.size());
        const auto part = pipe.run_on(find_neighbors(d.all, open_box<double>{}, pipe.stage(), opt), props);
        REQUIRE(part.size() == d.n_local);
        bad += count_differences(whole, part, d.owner, report, std::index_sequence_for<D...>{});
    }
    return bad;
}

/// The largest distance to the k-th nearest neighbour in the whole system: the ghost shell must
/// be thicker than this for k-nearest descriptors (precondition of the tests, checked).
double kth_neighbour_reach(const ghost_system& s, std::size_t k) {
    const auto l = find_neighbors(s.p, s.box(), nearest{k});
    double r = 0;
    for (std::size_t i = 0; i < l.num_particles(); ++i) r = std::max(r, std::sqrt(l.distances2(i)[k - 1]));
    return r;
}

pair_coordination cuts() {
    return pair_coordination::from_pairs({{{1, 1}, 2.9}, {{1, 2}, 3.1}, {{2, 2}, 3.3}});
}

constexpr double ball_radius = 4.2;

}  // namespace

TEST_CASE("ghosts: ball descriptors are bit-identical on subdomains with ghost shells", "[ghosts]") {
    for (const ghost_system& s : {noisy_fcc(), random_binary()}) {
        const double rho = double(s.p.size()) / (s.L * s.L * s.L);
        const auto pipe = pipeline(
            ball{ball_radius}, coordination{3.0}, cuts(), cna{3.086},
            symmetry_functions{.mu = symmetry_functions::grid(1.0, 4.0, 0.25), .width = 0.5, .cutoff = ball_radius},
            symmetry_functions{.mu = {1.5, 2.5, 3.5}, .width = 0.7, .cutoff = 0, .smooth = false, .use_simd = false},
            pair_entropy{.sigma = 0.2, .cutoffs = {3.0, 4.0}, .density = rho},
            pair_entropy{.sigma = 0.2, .cutoffs = {3.5}, .local_radius = 4.0},
            steinhardt{.degrees = {4, 6}, .nnn = 0, .wl = true, .wlhat = true});
        std::vector<std::string> report;
        // Shell = ball radius: every neighbour of a local atom is present.
        const std::size_t bad = compare_whole_and_parts(pipe, s, ball_radius, true, report);
        INFO(s.name);
        for (const auto& r : report) UNSCOPED_INFO(r);
        CHECK(bad == 0);
    }
}

TEST_CASE("ghosts: counting descriptors are bit-identical even with unsorted ball rows", "[ghosts]") {
    // pipeline::run's ball rows follow the cell list's order, which differs between the whole
    // system and a subdomain: integer counts do not care.
    for (const ghost_system& s : {noisy_fcc(), random_binary()}) {
        const auto pipe = pipeline(ball{ball_radius}, coordination{3.0}, cuts(), cna{3.086});
        std::vector<std::string> report;
        const std::size_t bad = compare_whole_and_parts(pipe, s, ball_radius, false, report);
        INFO(s.name);
        for (const auto& r : report) UNSCOPED_INFO(r);
        CHECK(bad == 0);
    }
}

TEST_CASE("ghosts: floating-point sums over unsorted ball rows agree only to rounding", "[ghosts]") {
    // Documents why the test above sorts: with pipeline::run (unsorted rows) the sums of
    // symmetry functions / pair entropy / q_l run in a different order on a subdomain.
    const ghost_system s = random_binary();
    const double rho = double(s.p.size()) / (s.L * s.L * s.L);
    const auto pipe = pipeline(ball{ball_radius}, symmetry_functions{.mu = {1.5, 2.5}, .width = 0.5, .cutoff = ball_radius},
                               pair_entropy{.sigma = 0.2, .cutoffs = {4.0}, .density = rho},
                               steinhardt{.degrees = {6}, .nnn = 0});
    const auto whole = pipe.run(s.p, s.box(), {.types = s.types});
    double worst = 0;
    for (int half = 0; half < 2; ++half) {
        const subdomain d = split(s, half, ball_radius);
        const auto part = pipe.run(d.all, open_box<double>{}, {.types = d.types, .n_local = d.n_local});
        for (const auto& name : whole.names())
            for (std::size_t k = 0; k < d.n_local; ++k) {
                const double a = whole.column(name)[d.owner[k]], b = part.column(name)[k];
                worst = std::max(worst, std::abs(a - b) / std::max(1.0, std::abs(a)));
            }
    }
    CHECK(worst < 1e-12);
}

TEST_CASE("ghosts: k-nearest descriptors are bit-identical on subdomains with ghost shells", "[ghosts]") {
    for (const ghost_system& s : {noisy_fcc(), random_binary()}) {
        const std::size_t k = 16;
        const double reach = kth_neighbour_reach(s, k), shell = reach + 0.5;
        const auto pipe = pipeline(nearest{k}, csp{12}, csp{.num_neighbors = 12, .mode = csp_mode::matching},
                                   csp{.num_neighbors = 16, .mode = csp_mode::matching}, adaptive_cna{},
                                   steinhardt{.degrees = {2, 4, 6, 8}, .nnn = 12, .wl = true, .wlhat = true},
                                   steinhardt{.degrees = {6}, .nnn = 16});
        std::vector<std::string> report;
        // Unsorted is fine here: nearest rows are always sorted by distance.
        const std::size_t bad = compare_whole_and_parts(pipe, s, shell, false, report);
        INFO(s.name << ", 16th-neighbour reach " << reach);
        for (const auto& r : report) UNSCOPED_INFO(r);
        CHECK(bad == 0);
    }
}

TEST_CASE("ghosts: a ghost shell thinner than the neighbour reach changes results (the tests can fail)", "[ghosts]") {
    const ghost_system s = noisy_fcc();
    const auto pipe = pipeline(nearest{12}, csp{12});
    std::vector<std::string> report;
    CHECK(compare_whole_and_parts(pipe, s, 1.0, false, report) > 0);
    const auto ball_pipe = pipeline(ball{ball_radius}, coordination{3.0});
    CHECK(compare_whole_and_parts(ball_pipe, s, 2.0, false, report) > 0);
}

TEST_CASE("ghosts: averaged Steinhardt and solid bonds refuse ghosts without rows", "[ghosts][list_descriptor]") {
    const ghost_system s = noisy_fcc();
    const subdomain d = split(s, 0, 5.0);
    const particle_properties props{.types = d.types, .n_local = d.n_local};
    const auto avg = pipeline(nearest{12}, steinhardt_average{.degrees = {4, 6}, .nnn = 12});
    CHECK_THROWS_WITH(avg.run(d.all, open_box<double>{}, props),
                      Catch::Contains("steinhardt_average") && Catch::Contains("without a row (a ghost") &&
                          Catch::Contains("give ghosts rows too"));
    const auto sb = pipeline(nearest{12}, solid_bonds{});
    CHECK_THROWS_WITH(sb.run(d.all, open_box<double>{}, props),
                      Catch::Contains("solid_bonds") && Catch::Contains("without a row (a ghost"));
}

TEST_CASE("ghosts: averaged Steinhardt and solid bonds agree to rounding with a doubled shell and ghost rows",
          "[ghosts][list_descriptor]") {
    // The supported pattern: ghosts get rows too (n_local = n_total), the shell covers two
    // neighbour reaches (a neighbour's own neighbours), and only the first n_local outputs are
    // used. Outer ghosts get wrong (truncated) values that no local row reads.
    // Not bit-identical: a ghost's own row is computed around x_j + n·L, so its bond vectors are
    // x_k − (x_j + n·L) instead of the periodic system's (x_k − n·L) − x_j — last-bit differences
    // in the neighbours' q_lm (measured: at most 2.2e-15). Solid-bond counts are identical.
    for (const ghost_system& s : {noisy_fcc(), random_binary()}) {
        const double reach = kth_neighbour_reach(s, 12);
        const auto pipe = pipeline(nearest{12}, steinhardt_average{.degrees = {4, 6}, .nnn = 12, .wl = true},
                                   solid_bonds{.l = 6, .threshold = 0.7, .nnn = 12});
        const auto whole = pipe.run(s.p, s.box());
        for (int half = 0; half < 2; ++half) {
            const subdomain d = split(s, half, 2 * reach + 0.5);
            const auto part = pipe.run(d.all, open_box<double>{});  // every particle a row
            std::size_t not_bitwise = 0;
            double worst = 0;
            for (const auto& name : whole.names())
                for (std::size_t k = 0; k < d.n_local; ++k) {
                    const double a = whole.column(name)[d.owner[k]], b = part.column(name)[k];
                    not_bitwise += std::memcmp(&a, &b, sizeof a) != 0;
                    worst = std::max(worst, std::abs(a - b));
                }
            const auto sbw = whole.get<solid_bonds>(), sbp = part.get<solid_bonds>();
            std::size_t bonds_differ = 0;
            for (std::size_t k = 0; k < d.n_local; ++k) bonds_differ += sbw[d.owner[k]] != sbp[k];
            INFO(s.name << ", half " << half << ": " << not_bitwise << " values not bit-identical, max diff " << worst);
            CHECK(worst < 1e-13);
            CHECK(bonds_differ == 0);
        }
        // A single shell is not enough: some local values change (the tests can fail).
        const subdomain thin = split(s, 0, reach + 0.1);
        const auto part = pipe.run(thin.all, open_box<double>{});
        std::size_t bad = 0;
        for (std::size_t k = 0; k < thin.n_local; ++k)
            bad += whole.get<steinhardt_average>()[thin.owner[k]] != part.get<steinhardt_average>()[k];
        CHECK(bad > 0);
    }
}

TEST_CASE("ghosts: chemical order and partial pair entropy use subdomain compositions", "[ghosts][list_descriptor]") {
    // Documented limitation: α_i(B), η_i(B) (chemical_order) and pair_entropy{partial = true}
    // normalise by type fractions taken from the particles they are given — on a subdomain that
    // is not the global composition, so per-atom values differ from the whole system. The
    // per-atom shell counts Z_i^(B) they are built from (pair_coordination) are bit-identical.
    const ghost_system s = random_binary();
    const auto co = pipeline(ball{ball_radius}, chemical_order{.cutoff = 3.2});
    const double rho = double(s.p.size()) / (s.L * s.L * s.L);
    const auto pe = pipeline(ball{ball_radius}, pair_entropy{.sigma = 0.2, .cutoffs = {4.0}, .density = rho, .partial = true});
    std::vector<std::string> report;
    CHECK(compare_whole_and_parts(co, s, ball_radius, true, report) > 0);
    CHECK(compare_whole_and_parts(pe, s, ball_radius, true, report) > 0);
    // The remedy for pair entropy: pass the global type fractions; then every subdomain atom
    // equals the whole system bit for bit.
    std::vector<double> global(3, 0.0);
    for (int t : s.types) global[std::size_t(t)] += 1.0 / double(s.types.size());
    const auto pe_global = pipeline(ball{ball_radius}, pair_entropy{.sigma = 0.2, .cutoffs = {4.0}, .density = rho,
                                                                    .partial = true, .type_fractions = global});
    CHECK(compare_whole_and_parts(pe_global, s, ball_radius, true, report) == 0);
    // and a short or invalid table is an error, not a silent misuse
    particle_properties props;
    props.types = s.types;
    const auto short_table = pipeline(ball{ball_radius}, pair_entropy{.sigma = 0.2, .cutoffs = {4.0}, .density = rho,
                                                                      .partial = true, .type_fractions = {0.0, 1.0}});
    CHECK_THROWS_AS(short_table.run(s.p, s.box(), props), error);
}
