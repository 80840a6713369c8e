// descriptors/soap.hpp: the power spectrum against a separately written 3-D quadrature of the
// defining integral on real Cu and CuZr frames (tests/reference/soap/make_soap_reference.py) and
// against DScribe's own numerically integrated test data (make_dscribe_reference.py), the
// scaled Bessel functions, SIMD against scalar, the compression modes against the full vector,
// invariances (rotation, translation and re-imaging, permutation), the smooth cutoff, errors.
#include <tessera/descriptors/soap.hpp>
#include <tessera/io/lammps_dump.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace tessera;
using points = std::vector<std::array<double, 3>>;

namespace {

points random_points(double len, std::size_t n, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    std::uniform_real_distribution<double> u(0, len);
    points p(n);
    for (auto& q : p) q = {u(g), u(g), u(g)};
    return p;
}

/// Row i of every column of the first descriptor of a pipeline result.
template <class R>
std::vector<double> row_of(const R& out, std::size_t ncol, std::size_t i) {
    std::vector<double> v(ncol);
    for (std::size_t c = 0; c < ncol; ++c) v[c] = out.template get<0>(c)[i];
    return v;
}

template <class D, class B>
std::vector<std::vector<double>> run_rows(const D& d, const points& p, const B& box, const particle_properties& props) {
    const auto out = pipeline(ball{d.radius()}, d).run(p, box, props);
    const std::size_t nc = d.columns(props.resolved(p.size())).size();
    std::vector<std::vector<double>> rows(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) rows[i] = row_of(out, nc, i);
    return rows;
}

double max_abs(const std::vector<std::vector<double>>& a) {
    double m = 0;
    for (const auto& r : a)
        for (double v : r) m = std::max(m, std::abs(v));
    return m;
}

double max_diff(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b) {
    double m = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        for (std::size_t c = 0; c < a[i].size(); ++c) m = std::max(m, std::abs(a[i][c] - b[i][c]));
    return m;
}

struct reference_config {
    std::map<std::string, std::string> keys;
    std::vector<std::pair<std::int64_t, std::vector<double>>> centres;
};

std::vector<reference_config> read_reference() {
    std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/soap/soap_reference.txt");
    REQUIRE(in.good());
    std::vector<reference_config> cfgs;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string tag;
        ls >> tag;
        if (tag == "config") {
            cfgs.emplace_back();
            std::string kv;
            while (ls >> kv) cfgs.back().keys[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
        } else if (tag == "centre") {
            REQUIRE(!cfgs.empty());
            std::int64_t id = 0;
            ls >> id;
            std::vector<double> v;
            double x = 0;
            while (ls >> x) v.push_back(x);
            cfgs.back().centres.emplace_back(id, v);
        }
    }
    return cfgs;
}

}  // namespace

TEST_CASE("soap: scaled modified spherical Bessel functions obey the recurrence across every branch",
          "[soap]") {
    // i_{l-1}(x) - i_{l+1}(x) = (2l+1)/x i_l(x), and e^{-x} i_0(x) = (1 - e^{-2x})/(2x): checked at
    // the series / Miller / closed-form boundaries (x = 1 and lmax(lmax+1)/2) and far beyond.
    for (int lmax : {4, 8, 12}) {
        const double edge = 0.5 * lmax * (lmax + 1);
        for (double x : {1e-6, 0.5, 1.0, 1.0 + 1e-12, 3.7, edge - 1e-9, edge, edge + 1e-9, 150.0, 900.0}) {
            double v[13];
            detail::scaled_sph_bessel_i(x, lmax, v);
            INFO("lmax " << lmax << " x " << x);
            CHECK(std::abs(v[0] - (-std::expm1(-2 * x) / (2 * x))) <= 1e-15 * v[0]);
            for (int l = 1; l < lmax; ++l) {
                const double lhs = v[l - 1] - v[l + 1], rhs = (2 * l + 1) / x * v[l];
                INFO("l " << l);
                // rounding of a difference of two terms of size v[l-1]: 1e-13 of it
                CHECK(std::abs(lhs - rhs) <= 1e-13 * v[l - 1]);
                CHECK(v[l] > 0);
                CHECK(v[l] < v[l - 1]);
            }
        }
    }
    // continuity across the branch points: the two formulas agree to rounding (x = 1: series
    // below or at, Miller above; lmax = 4: Miller below 10, closed form from 10)
    for (const auto& [below, above] : {std::pair{1.0, std::nextafter(1.0, 2.0)}, std::pair{std::nextafter(10.0, 0.0), 10.0}}) {
        double a[5], b[5];
        detail::scaled_sph_bessel_i(below, 4, a);
        detail::scaled_sph_bessel_i(above, 4, b);
        for (int l = 0; l <= 4; ++l) CHECK(std::abs(a[l] - b[l]) <= 1e-13 * b[l]);
    }
}

TEST_CASE("soap: equal a 3-D quadrature of the defining integral on real Cu and CuZr frames", "[soap]") {
    const auto cfgs = read_reference();
    REQUIRE(cfgs.size() == 3);
    std::size_t compared = 0;
    for (const auto& c : cfgs) {
        soap_parameters sp;
        sp.basis = c.keys.at("basis") == "gto" ? soap_basis::gto : soap_basis::polynomial;
        sp.r_cut = std::stod(c.keys.at("rcut"));
        sp.n_max = std::stoi(c.keys.at("nmax"));
        sp.l_max = std::stoi(c.keys.at("lmax"));
        sp.sigma = std::stod(c.keys.at("sigma"));
        sp.weighting = c.keys.at("weighting") == "poly" ? soap_weighting::poly : soap_weighting::none;
        lammps_dump_reader reader(std::string(TESSERA_TEST_DATA_DIR) + "/" + c.keys.at("file"));
        frame f;
        REQUIRE(reader.next(f));
        const auto x = f.positions();
        const auto types = f.types();
        const auto ids = f.ids();
        particle_properties props;
        props.types = types;
        for (const bool simd : {true, false}) {
            std::vector<double> all;
            const auto run = [&](const auto& d) {
                const auto pipe = pipeline(ball{d.radius()}, d);
                const auto out = std::visit([&](const auto& b) { return pipe.run(x, b, props); }, f.box);
                for (const auto& [id, ref] : c.centres) {
                    const std::size_t i = std::size_t(std::find(ids.begin(), ids.end(), id) - ids.begin());
                    REQUIRE(i < ids.size());
                    REQUIRE(out.template names_of<0>().size() == ref.size());
                    double big = 0, diff = 0;
                    for (std::size_t k = 0; k < ref.size(); ++k) {
                        big = std::max(big, std::abs(ref[k]));
                        diff = std::max(diff, std::abs(out.template get<0>(k)[i] - ref[k]));
                    }
                    INFO(c.keys.at("name") << " centre " << id << (simd ? " simd" : " scalar") << ": max |p - ref| "
                                           << diff << " of max |p| " << big);
                    // the quadrature converged to 2e-14 of max |p| (the script's two grids):
                    // agreement to 1e-11 leaves room for rounding only
                    CHECK(diff <= 1e-11 * big);
                    ++compared;
                }
            };
            if (simd) run(soap(sp));
            else run(basic_soap<void>(sp));
        }
    }
    CHECK(compared == 16);
}

TEST_CASE("soap: equal DScribe's own numerically integrated reference coefficients", "[soap]") {
    // tests/reference/soap/dscribe_reference.txt: power spectra of DScribe 2.1's test data
    // (numerical integration of its definitions; make_dscribe_reference.py). DScribe checks its
    // own analytic code against these at rtol 1 %; their quadrature is the limit here.
    std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/soap/dscribe_reference.txt");
    REQUIRE(in.good());
    std::string line;
    std::map<std::string, std::string> keys;
    points pos;
    std::vector<int> types;
    std::size_t cases = 0;
    const std::map<std::string, double> tolerance{// relative to max |p|: the reference's own precision
                                                  {"default_gto_poly", 1e-10},  // seen: 1e-12
                                                  {"default_gto_pow", 1e-10},
                                                  {"default_gto_exp", 1e-10},
                                                  {"default_polynomial_poly", 1e-6},  // seen: 5e-8
                                                  {"default_polynomial_pow", 1e-6},
                                                  {"default_polynomial_exp", 1e-6},
                                                  {"lmax_gto", 1e-5},  // seen: 2e-6 (σ = 0.1 on their grid)
                                                  {"lmax_polynomial", 1e-5}};  // seen: 5e-7
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string tag;
        ls >> tag;
        if (tag == "case") {
            keys.clear();
            pos.clear();
            types.clear();
            std::string name, kv;
            ls >> name;
            keys["name"] = name;
            while (ls >> kv) keys[kv.substr(0, kv.find('='))] = kv.substr(kv.find('=') + 1);
        } else if (tag == "atom") {
            int t = 0;
            std::array<double, 3> x{};
            ls >> t >> x[0] >> x[1] >> x[2];
            types.push_back(t);
            pos.push_back(x);
        } else if (tag == "p") {
            std::vector<double> ref;
            double v = 0;
            while (ls >> v) ref.push_back(v);
            soap_parameters sp;
            sp.basis = keys.at("basis") == "gto" ? soap_basis::gto : soap_basis::polynomial;
            sp.n_max = std::stoi(keys.at("nmax"));
            sp.l_max = std::stoi(keys.at("lmax"));
            sp.r_cut = std::stod(keys.at("rcut"));
            sp.sigma = std::stod(keys.at("sigma"));
            const std::string& fn = keys.at("weighting");
            if (fn != "none") {
                sp.weighting = fn == "poly" ? soap_weighting::poly : fn == "pow" ? soap_weighting::pow : soap_weighting::exp;
                sp.weight_r0 = std::stod(keys.at("r0"));
                sp.weight_c = std::stod(keys.at("c"));
                sp.weight_m = std::stod(keys.at("m"));
                sp.weight_d = std::stod(keys.at("d"));
            }
            const int nt = *std::max_element(types.begin(), types.end());
            particle_properties props;
            props.types = types;
            props.num_types = nt;
            for (const bool simd : {true, false}) {
                const auto rows = simd ? run_rows(soap(sp), pos, open_box<double>{}, props)
                                       : run_rows(basic_soap<void>(sp), pos, open_box<double>{}, props);
                const auto& p = rows[std::size_t(std::stoi(keys.at("centre")))];
                REQUIRE(p.size() == ref.size());
                double big = 0, diff = 0;
                for (std::size_t k = 0; k < ref.size(); ++k) {
                    big = std::max(big, std::abs(ref[k]));
                    diff = std::max(diff, std::abs(p[k] - ref[k]));
                }
                INFO(keys.at("name") << (simd ? " simd" : " scalar") << ": max |p - DScribe| " << diff << " of " << big);
                CHECK(diff <= tolerance.at(keys.at("name")) * big);
            }
            ++cases;
        }
    }
    CHECK(cases == 8);
}

TEST_CASE("soap: SIMD and scalar paths agree, with two species", "[soap]") {
    const double len = 16;
    const points p = random_points(len, 500, 11);
    std::vector<int> types(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) types[i] = 1 + int(i % 3 == 0);
    const orthogonal_box<double> box({0, 0, 0}, {len, len, len});
    soap_parameters sp;
    sp.r_cut = 4.5;
    sp.n_max = 5;
    sp.l_max = 6;
    sp.sigma = 0.5;
    const auto a = run_rows(soap(sp), p, box, {.types = types});
    const auto b = run_rows(basic_soap<void>(sp), p, box, {.types = types});
    CHECK(a[0].size() == (2 * 5) * (2 * 5 + 1) / 2 * 7);
    // the same terms summed in another order: 1e-13 of the largest component
    CHECK(max_diff(a, b) <= 1e-13 * max_abs(b));
}

TEST_CASE("soap: crossover is the vector's same-species blocks, mu2 the vector of the untyped system",
          "[soap]") {
    const double len = 15;
    const points p = random_points(len, 400, 5);
    std::vector<int> types(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) types[i] = 1 + int(i % 2);
    const orthogonal_box<double> box({0, 0, 0}, {len, len, len});
    for (const auto basis : {soap_basis::gto, soap_basis::polynomial}) {
        soap_parameters sp;
        sp.r_cut = 4.0;
        sp.n_max = 3;
        sp.l_max = 3;
        sp.sigma = 0.7;
        sp.basis = basis;
        const auto full = run_rows(soap(sp), p, box, {.types = types});
        sp.compression = soap_compression::crossover;
        const auto cross = run_rows(soap(sp), p, box, {.types = types});
        sp.compression = soap_compression::mu2;
        const auto mu2 = run_rows(soap(sp), p, box, {.types = types});
        sp.compression = soap_compression::off;
        const auto untyped = run_rows(soap(sp), p, box, {});
        const std::size_t sym = 3 * 4 / 2 * 4, unsym = 3 * 3 * 4;  // per pair block
        REQUIRE(full[0].size() == 2 * sym + unsym);
        REQUIRE(cross[0].size() == 2 * sym);
        REQUIRE(mu2[0].size() == sym);
        double worst = 0;
        for (std::size_t i = 0; i < p.size(); ++i) {
            // off: blocks (1,1), (1,2), (2,2); crossover: (1,1), (2,2)
            for (std::size_t k = 0; k < sym; ++k) {
                worst = std::max(worst, std::abs(cross[i][k] - full[i][k]));
                worst = std::max(worst, std::abs(cross[i][sym + k] - full[i][sym + unsym + k]));
            }
        }
        CHECK(worst == 0.0);
        // the coefficients summed over species before the product: the spectrum of the density
        // of all atoms, 1e-13 of the largest component (sums in another order)
        CHECK(max_diff(mu2, untyped) <= 1e-13 * max_abs(untyped));
        // mu1nu1: species z against the species sum = Σ_z2 of the (z, z2) blocks of `off`
        // (n, n′ over the full square; the symmetric blocks mirrored)
        sp.compression = soap_compression::mu1nu1;
        const auto mu1 = run_rows(soap(sp), p, box, {.types = types});
        REQUIRE(mu1[0].size() == 2 * 3 * 3 * 4);
        double worst1 = 0;
        for (std::size_t i = 0; i < p.size(); ++i) {
            // value of the off vector for species (z1, z2), l, n, n2 (any order of n, n2 and species)
            auto off = [&](int z1, int z2, int l, int a, int b) {
                if (z1 > z2) std::swap(z1, z2), std::swap(a, b);
                if (z1 == z2 && a > b) std::swap(a, b);
                std::size_t base = z1 == 0 ? (z2 == 0 ? 0 : sym) : sym + unsym;
                if (z1 == z2) {
                    std::size_t k = 0;  // index of (a, b), a <= b, in the symmetric 3x3 block
                    for (int x = 0; x < 3; ++x)
                        for (int y = x; y < 3; ++y, ++k)
                            if (x == a && y == b) return full[i][base + std::size_t(l) * 6 + k];
                }
                return full[i][base + std::size_t(l) * 9 + std::size_t(a * 3 + b)];
            };
            std::size_t f = 0;
            for (int z = 0; z < 2; ++z)
                for (int l = 0; l < 4; ++l)
                    for (int a = 0; a < 3; ++a)
                        for (int b = 0; b < 3; ++b, ++f)
                            worst1 = std::max(worst1, std::abs(mu1[i][f] - (off(z, 0, l, a, b) + off(z, 1, l, a, b))));
        }
        CHECK(worst1 <= 1e-13 * max_abs(full));
    }
}

TEST_CASE("soap: invariant under rotation, translation with re-imaging, and permutation", "[soap]") {
    // rotation: a cluster in an open box, rotated about an arbitrary axis
    const points p = random_points(12, 150, 21);
    soap_parameters sp;
    sp.r_cut = 5.0;
    sp.n_max = 4;
    sp.l_max = 6;
    sp.sigma = 0.6;
    for (const auto basis : {soap_basis::gto, soap_basis::polynomial}) {
        sp.basis = basis;
        const soap d(sp);
        const auto ref = run_rows(d, p, open_box<double>{}, {});
        const double ax[3] = {0.36, -0.48, 0.8}, th = 0.83;  // unit axis
        const double c = std::cos(th), s = std::sin(th);
        points q(p.size());
        for (std::size_t i = 0; i < p.size(); ++i) {
            const auto& v = p[i];
            const double dot = ax[0] * v[0] + ax[1] * v[1] + ax[2] * v[2];
            const double cr[3] = {ax[1] * v[2] - ax[2] * v[1], ax[2] * v[0] - ax[0] * v[2], ax[0] * v[1] - ax[1] * v[0]};
            for (int k = 0; k < 3; ++k) q[i][std::size_t(k)] = v[std::size_t(k)] * c + cr[k] * s + ax[k] * dot * (1 - c);
        }
        const auto rot = run_rows(d, q, open_box<double>{}, {});
        // rounding of rotated coordinates (1e-15 A) through sums of ~1e2 terms: 1e-12 relative
        CHECK(max_diff(ref, rot) <= 1e-12 * max_abs(ref));
    }
    // translation and re-imaging in a periodic box; permutation of the atoms
    const double len = 14;
    const points r = random_points(len, 300, 8);
    std::vector<int> types(r.size());
    for (std::size_t i = 0; i < r.size(); ++i) types[i] = 1 + int(i % 4 == 1);
    const orthogonal_box<double> box({0, 0, 0}, {len, len, len});
    sp.basis = soap_basis::gto;
    const soap d(sp);
    const auto ref = run_rows(d, r, box, {.types = types});
    points t(r.size());
    for (std::size_t i = 0; i < r.size(); ++i)
        for (int k = 0; k < 3; ++k) {
            double v = r[i][std::size_t(k)] + 5.3 + 2.1 * k;
            v -= len * std::floor(v / len);
            if (i % 7 == 0) v += len;  // some atoms one image away
            t[i][std::size_t(k)] = v;
        }
    CHECK(max_diff(ref, run_rows(d, t, box, {.types = types})) <= 1e-12 * max_abs(ref));
    std::vector<std::size_t> perm(r.size());
    for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = (i * 37 + 11) % perm.size();
    points pr(r.size());
    std::vector<int> tp(r.size());
    for (std::size_t i = 0; i < r.size(); ++i) pr[perm[i]] = r[i], tp[perm[i]] = types[i];
    const auto per = run_rows(d, pr, box, {.types = tp});
    double worst = 0;
    for (std::size_t i = 0; i < r.size(); ++i)
        for (std::size_t k = 0; k < ref[i].size(); ++k) worst = std::max(worst, std::abs(per[perm[i]][k] - ref[i][k]));
    // the same neighbours in another order: 1e-13 relative
    CHECK(worst <= 1e-13 * max_abs(ref));
}

TEST_CASE("soap: with poly weighting p is continuous and flat as an atom crosses the cutoff", "[soap]") {
    soap_parameters sp;
    sp.r_cut = 4.0;
    sp.n_max = 4;
    sp.l_max = 4;
    sp.sigma = 0.5;
    sp.weighting = soap_weighting::poly;
    points base = {{0, 0, 0}, {1.9, 0.3, -0.4}, {-1.2, 1.7, 0.9}, {0.4, -2.2, 1.1}};
    const auto at = [&](double r, const auto& d) {
        points q = base;
        q.push_back({r * 0.6, r * 0.0, r * 0.8});  // unit direction (0.6, 0, 0.8)
        return run_rows(d, q, open_box<double>{}, {})[0];
    };
    for (const auto basis : {soap_basis::gto, soap_basis::polynomial}) {
        sp.basis = basis;
        const soap d(sp);
        const auto inside = at(4.0 - 1e-4, d), outside = at(4.0 + 1e-4, d), far = at(9.0, d), mid = at(3.0, d);
        double jump = 0, big = 0, change = 0;
        for (std::size_t k = 0; k < inside.size(); ++k) {
            jump = std::max(jump, std::abs(inside[k] - outside[k]));
            change = std::max(change, std::abs(mid[k] - far[k]));
            big = std::max(big, std::abs(far[k]));
            CHECK(outside[k] == far[k]);  // beyond r0 the atom is not seen at all
        }
        // w = 1 - 3x^2 + 2x^3 vanishes quadratically at x = 1: a 1e-4 A step moves p by
        // O(1e-8) of the atom's contribution (which is O(change) at r = 3)
        CHECK(change > 1e-3 * big);
        CHECK(jump <= 1e-7 * change);
    }
    sp.weighting = soap_weighting::none;  // DScribe's default: a step at R = r_cut + 3.717 sigma
    const soap hard(sp);
    const double R = hard.radius();
    const auto in = at(R - 1e-6, hard), out = at(R + 1e-6, hard);
    double jump = 0;
    for (std::size_t k = 0; k < in.size(); ++k) jump = std::max(jump, std::abs(in[k] - out[k]));
    CHECK(jump > 0);
}

TEST_CASE("soap: poly weighting stays finite just inside r0 for any m, basis defects, a fixed species count",
          "[soap]") {
    soap_parameters sp;
    sp.r_cut = 3.0;
    sp.n_max = 3;
    sp.l_max = 2;
    sp.sigma = 0.5;
    sp.weighting = soap_weighting::poly;
    sp.weight_m = 1.5;  // a non-integer power of 1 + 2x^3 - 3x^2, which rounds below 0 near x = 1
    const soap d(sp);
    for (double delta : {1e-9, 1e-12, 1e-15}) {
        const double w = d.weight(3.0 - delta);
        CHECK(std::isfinite(w));
        CHECK(w >= 0);
        const points q = {{0, 0, 0}, {3.0 - delta, 0, 0}};
        const auto rows = run_rows(d, q, open_box<double>{}, {});
        for (double v : rows[0]) CHECK(std::isfinite(v));
    }
    // the defaults give an orthonormal basis; DScribe's polynomial basis at n_max 8, r_cut 5 cannot
    // be (its overlap matrix is too ill-conditioned): reported, not hidden
    CHECK(soap(soap_parameters{}).basis_defect() < 1e-10);
    soap_parameters poly;
    poly.basis = soap_basis::polynomial;
    CHECK(soap(poly).basis_defect() > 1e-6);
    // a fixed species count: the vector keeps its length when a frame lacks the highest type
    const points p = random_points(9, 60, 4);
    std::vector<int> only1(p.size(), 1), three(p.size(), 1);
    three[5] = 3;
    soap_parameters fixed = sp;
    fixed.weighting = soap_weighting::none;
    fixed.species = 3;
    const soap f3(fixed);
    CHECK(run_rows(f3, p, open_box<double>{}, {.types = only1})[0].size() == f3.features(3));
    CHECK(run_rows(f3, p, open_box<double>{}, {.types = three})[0].size() == f3.features(3));
    fixed.species = 2;
    const soap f2(fixed);
    CHECK_THROWS_WITH(run_rows(f2, p, open_box<double>{}, {.types = three}), Catch::Contains("built for 2 species"));
}

TEST_CASE("soap: normalize divides by the norm, an isolated atom sees only itself, errors name the problem",
          "[soap]") {
    const points p = random_points(10, 80, 2);
    soap_parameters sp;
    sp.r_cut = 3.5;
    sp.n_max = 3;
    sp.l_max = 2;
    const auto raw = run_rows(soap(sp), p, open_box<double>{}, {});
    sp.normalize = true;
    const auto unit = run_rows(soap(sp), p, open_box<double>{}, {});
    for (std::size_t i = 0; i < p.size(); ++i) {
        double n2 = 0, nr = 0;
        for (std::size_t k = 0; k < raw[i].size(); ++k) n2 += unit[i][k] * unit[i][k], nr += raw[i][k] * raw[i][k];
        CHECK(n2 == Approx(1).epsilon(1e-14));
        for (std::size_t k = 0; k < raw[i].size(); ++k) CHECK(std::abs(unit[i][k] - raw[i][k] / std::sqrt(nr)) <= 1e-15);
    }
    // a lone atom: only l = 0 is non-zero; with centre_weight 0 everything is zero
    sp.normalize = false;
    const points one = {{0, 0, 0}};
    const auto lone = run_rows(soap(sp), one, open_box<double>{}, {})[0];
    const std::size_t per_l = 3 * 4 / 2;
    for (std::size_t k = 0; k < lone.size(); ++k) CHECK((k < per_l ? lone[k] != 0 : lone[k] == 0));
    sp.centre_weight = 0;
    const auto hidden = run_rows(soap(sp), one, open_box<double>{}, {});
    for (double v : hidden[0]) CHECK(v == 0);

    soap_parameters bad;
    bad.r_cut = 0.9;
    CHECK_THROWS_WITH(soap(bad), Catch::Contains("r_cut > 1"));
    bad = {};
    bad.l_max = 13;
    CHECK_THROWS_WITH(soap(bad), Catch::Contains("l_max"));
    bad = {};
    bad.sigma = -1;
    CHECK_THROWS_WITH(soap(bad), Catch::Contains("sigma"));
    bad = {};
    bad.n_max = 16;
    bad.r_cut = 1.5;  // 16 primitives decaying within 1 ... 1.5 A: numerically dependent
    CHECK_THROWS_WITH(soap(bad), Catch::Contains("not positive definite"));
    const soap d{soap_parameters{}};
    CHECK_THROWS_WITH(pipeline(ball{d.radius() - 0.5}, d).run(p, open_box<double>{}, {}), Catch::Contains("radius"));
}
