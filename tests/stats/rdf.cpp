// stats/rdf.hpp: g(r) against LAMMPS compute rdf, ideal gas, S(q) three ways.
#include <tessera/io/lammps_dump.hpp>
#include <tessera/stats/rdf.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace tessera;
using points = std::vector<std::array<double, 3>>;

namespace {
const std::string radial_dir = std::string(TESSERA_TEST_DATA_DIR) + "/radial/";

// fix ave/time blocks: "step nrows" then rows "i c1 … c9".
std::vector<std::vector<std::vector<double>>> read_lammps_rdf(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in);
    std::vector<std::vector<std::vector<double>>> blocks;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream h(line);
        long step = 0, rows = 0;
        h >> step >> rows;
        std::vector<std::vector<double>> b(static_cast<std::size_t>(rows));
        for (auto& row : b) {
            std::getline(in, line);
            std::istringstream s(line);
            double v;
            s >> v;  // row index
            while (s >> v) row.push_back(v);
        }
        blocks.push_back(std::move(b));
    }
    return blocks;
}

double rel(double a, double b) { return std::abs(a - b) / std::max(1.0, std::abs(b)); }
}  // namespace

TEST_CASE("rdf: total and partial g(r) and coordination match LAMMPS compute rdf", "[rdf][lammps]") {
    const auto ref = read_lammps_rdf(radial_dir + "cuzr_small_rdf.txt");
    REQUIRE(ref.size() == 3);
    lammps_dump_reader reader(radial_dir + "cuzr_small.dump");
    frame f;
    rdf_accumulator avg(6.0, 100, 2);
    double worst = 0;
    for (std::size_t fr = 0; fr < ref.size(); ++fr) {
        REQUIRE(reader.next(f));
        const auto pos = f.positions();
        const auto types = f.types();
        rdf_accumulator one(6.0, 100, 2);
        std::visit(
            [&](const auto& b) {
                one.add_frame(pos, b, {.types = types});
                avg.add_frame(pos, b, {.types = types}, openmp_policy{2});
            },
            f.box);
        const auto t = one.result();
        REQUIRE(t.names == std::vector<std::string>{"g", "g_1_1", "g_1_2", "g_2_2"});
        for (std::size_t k = 0; k < 100; ++k) {
            const auto& row = ref[fr][k];
            REQUIRE(row.size() == 9);
            CHECK(t.r[k] == Approx(row[0]).epsilon(1e-14));
            for (std::size_t c = 0; c < 4; ++c) {
                INFO("frame " << fr << " bin " << k << " col " << c << " g " << t.g[c][k] << " ref " << row[1 + 2 * c]);
                worst = std::max({worst, rel(t.g[c][k], row[1 + 2 * c]), rel(t.coord[c][k], row[2 + 2 * c])});
                REQUIRE(rel(t.g[c][k], row[1 + 2 * c]) < 1e-12);
                REQUIRE(rel(t.coord[c][k], row[2 + 2 * c]) < 1e-12);
            }
        }
    }
    const auto t = avg.result();
    CHECK(t.frames == 3);
    for (std::size_t k = 0; k < 100; ++k)
        for (std::size_t c = 0; c < 4; ++c) {
            const double mean = (ref[0][k][1 + 2 * c] + ref[1][k][1 + 2 * c] + ref[2][k][1 + 2 * c]) / 3.0;
            REQUIRE(rel(t.g[c][k], mean) < 1e-12);
        }
    WARN("rdf vs LAMMPS: worst relative difference " << worst);
}

TEST_CASE("rdf: ideal gas gives g = 1 within statistical error", "[rdf]") {
    const orthogonal_box<double> box({0, 0, 0}, {20, 20, 20});
    std::mt19937_64 g(5);
    std::uniform_real_distribution<double> u(0, 20);
    rdf_accumulator acc(5.0, 10, 2);
    std::vector<int> types(4000);
    for (std::size_t i = 0; i < types.size(); ++i) types[i] = 1 + int(i % 2);
    for (int fr = 0; fr < 4; ++fr) {
        points p(4000);
        for (auto& q : p) q = {u(g), u(g), u(g)};
        acc.add_frame(p, box, {.types = types});
    }
    const auto t = acc.result();
    for (std::size_t k = 2; k < 10; ++k)  // bins with enough pairs for a few-percent check
        for (std::size_t c = 0; c < 4; ++c) CHECK(t.g[c][k] == Approx(1.0).epsilon(0.05));
    // coordination at r_max: rho_b 4/3 π r³
    CHECK(t.coord[0].back() == Approx(4000.0 / 8000.0 * 4.0 / 3.0 * M_PI * 125.0).epsilon(0.02));
}

TEST_CASE("rdf: S(q) from g(r), by Debye summation and on commensurate k agree", "[rdf][sq]") {
    // A perturbed simple-cubic crystal: finite, smooth S(q).
    const double a = 1.0;
    const int m = 10;
    const orthogonal_box<double> box({0, 0, 0}, {m * a, m * a, m * a});
    std::mt19937_64 gen(9);
    std::normal_distribution<double> nd(0, 0.12);
    points p;
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j)
            for (int k = 0; k < m; ++k) p.push_back({i * a + nd(gen), j * a + nd(gen), k * a + nd(gen)});
    const double rmax = 4.5, rho = double(p.size()) / box.volume();
    rdf_accumulator acc(rmax, 4500, 0);
    acc.add_frame(p, box);
    const auto t = acc.result();
    const auto list = find_neighbors<double>(p, box, ball{rmax});
    std::vector<double> q{2.0, 4.0, 5.0, 8.0, 12.0};
    // LAMMPS normalises g with N − 1 partners; ρ = (N − 1)/V in both makes them the same sum.
    const double rho1 = double(p.size() - 1) / box.volume();
    const auto s_g = structure_factor_from_rdf(t.r, t.g[0], rho1, q);
    const auto s_d = structure_factor_debye(list, rho1, rmax, q);
    for (std::size_t m2 = 0; m2 < q.size(); ++m2) CHECK(s_g[m2] == Approx(s_d[m2]).margin(2e-4));
    const auto s_lorch = structure_factor_from_rdf(t.r, t.g[0], rho, q, sq_window::lorch);
    CHECK(std::isfinite(s_lorch[0]));
    (void)rho;
    // Commensurate S(k): shell averages equal a brute-force sum over every integer vector n.
    const auto sk = structure_factor_commensurate(p, box, 7.0, 70);
    for (std::size_t bin : {std::size_t(30), std::size_t(62)}) {
        double sum = 0;
        std::size_t count = 0;
        for (int n0 = -12; n0 <= 12; ++n0)
            for (int n1 = -12; n1 <= 12; ++n1)
                for (int n2 = -12; n2 <= 12; ++n2) {
                    const double km = 2 * M_PI / (m * a) * std::sqrt(double(n0 * n0 + n1 * n1 + n2 * n2));
                    if (km == 0 || km >= 7.0 || std::size_t(km / 0.1) != bin) continue;
                    double re = 0, im = 0;
                    for (const auto& r : p) {
                        const double ph = 2 * M_PI / (m * a) * (n0 * r[0] + n1 * r[1] + n2 * r[2]);
                        re += std::cos(ph);
                        im += std::sin(ph);
                    }
                    sum += (re * re + im * im) / double(p.size());
                    ++count;
                }
        REQUIRE(sk.count[bin] == count);
        CHECK(sk.s[bin] == Approx(sum / double(count)).epsilon(1e-9));
    }
    // the shell at 2π/a holds the six Bragg vectors (S ≈ N e^{−k²⟨u²⟩}) among others
    CHECK(sk.s[62] > 10.0);
}

TEST_CASE("rdf: the Debye sum in an open box is the classic formula", "[rdf][sq]") {
    const points p{{0, 0, 0}, {1, 0, 0}, {0, 2, 0}};
    const auto list = find_neighbors<double>(p, open_box<double>{}, ball{10.0});
    const std::vector<double> q{1.5};
    const double d[3] = {1.0, 2.0, std::sqrt(5.0)};
    double ref = 1;
    for (double r : d) ref += 2.0 / 3.0 * std::sin(1.5 * r) / (1.5 * r);
    CHECK(structure_factor_debye(list, 0.0, 10.0, q)[0] == Approx(ref).epsilon(1e-14));
}

TEST_CASE("rdf: bad arguments are errors", "[rdf][errors]") {
    CHECK_THROWS_WITH(rdf_accumulator(0.0, 10), Catch::Contains("r_max must be positive"));
    CHECK_THROWS_WITH(rdf_accumulator(1.0, 0), Catch::Contains("bins"));
    const points p{{0, 0, 0}, {1, 0, 0}};
    rdf_accumulator acc(2.0, 4, 0);
    CHECK_THROWS_WITH(acc.add_frame(p, open_box<double>{}), Catch::Contains("volume"));
}

TEST_CASE("rdf: matches LAMMPS compute rdf on the shared 2000-atom CuZr glass reference", "[rdf][lammps]") {
    const std::string dir = std::string(TESSERA_TEST_DATA_DIR) + "/";
    const auto ref = read_lammps_rdf(dir + "cuzr_rdf.txt");
    lammps_dump_reader reader(dir + "cuzr_glass_ref.dump");
    frame f;
    double worst = 0;
    std::size_t frames = 0;
    for (const auto& block : ref) {
        REQUIRE(reader.next(f));
        ++frames;
        const auto pos = f.positions();
        const auto types = f.types();
        rdf_accumulator one(6.0, 100, 2);
        std::visit([&](const auto& b) { one.add_frame(pos, b, {.types = types}, openmp_policy{2}); }, f.box);
        const auto t = one.result();
        for (std::size_t k = 0; k < 100; ++k)
            for (std::size_t c = 0; c < 4; ++c) {
                worst = std::max({worst, rel(t.g[c][k], block[k][1 + 2 * c]), rel(t.coord[c][k], block[k][2 + 2 * c])});
                REQUIRE(rel(t.g[c][k], block[k][1 + 2 * c]) < 1e-12);
                REQUIRE(rel(t.coord[c][k], block[k][2 + 2 * c]) < 1e-12);
            }
    }
    CHECK(frames == 2);
    WARN("rdf vs LAMMPS (cuzr_glass_ref, " << frames << " frames): worst relative difference " << worst);
}

TEST_CASE("rdf: the smoothed local g_i(r) integrates to the neighbour count", "[rdf][local]") {
    // ∫ 4πρ r² g_i(r) dr = Σ_j ∫ Gaussian = number of neighbours (Gaussians well inside the grid)
    const std::vector<double> d2{1.1 * 1.1, 1.5 * 1.5, 2.0 * 2.0, 2.2 * 2.2};
    std::vector<double> r, g;
    for (double x = 0.0005; x < 4.0; x += 0.001) r.push_back(x);
    g.resize(r.size());
    const double rho = 0.08;
    local_rdf<double>(d2, rho, 0.1, 0.0, r, g);
    double n = 0;
    for (std::size_t k = 0; k < r.size(); ++k) n += 4 * M_PI * rho * r[k] * r[k] * g[k] * 0.001;
    CHECK(n == Approx(4.0).epsilon(1e-9));
    local_rdf<double>(d2, rho, 0.1, 2.1, r, g);  // cutoff drops the bond at 2.2
    n = 0;
    for (std::size_t k = 0; k < r.size(); ++k) n += 4 * M_PI * rho * r[k] * r[k] * g[k] * 0.001;
    CHECK(n == Approx(3.0).epsilon(1e-9));
}

namespace {
// O(N²) g(r) around a centre subset, written from the definition (stats/rdf.hpp): for every centre i
// of type a and every other atom j of type b, every periodic image within r_max, bin ⌊r/Δr⌋;
// g_ab(k) = H_ab(k) / (N_a^C (N_b − δ_ab) V_k / V); total: N^C (N − 1). Orthogonal box, r_max < L.
std::vector<std::vector<double>> brute_subset_rdf(const points& x, const std::vector<int>& type,
                                                  const std::vector<unsigned char>& centre, const std::array<double, 3>& len,
                                                  double rmax, std::size_t bins) {
    const std::size_t n = x.size();
    std::vector<std::vector<double>> h(5, std::vector<double>(bins, 0.0));  // total, 11, 12, 21, 22
    const double dr = rmax / double(bins);
    for (std::size_t i = 0; i < n; ++i) {
        if (!centre[i]) continue;
        for (std::size_t j = 0; j < n; ++j)
            for (int sx = -1; sx <= 1; ++sx)
                for (int sy = -1; sy <= 1; ++sy)
                    for (int sz = -1; sz <= 1; ++sz) {
                        if (i == j && sx == 0 && sy == 0 && sz == 0) continue;
                        const double dx = x[j][0] - x[i][0] + sx * len[0], dy = x[j][1] - x[i][1] + sy * len[1],
                                     dz = x[j][2] - x[i][2] + sz * len[2];
                        const double r = std::sqrt(dx * dx + dy * dy + dz * dz);
                        const auto k = std::size_t(r / dr);
                        if (k >= bins) continue;
                        h[0][k] += 1;
                        h[1 + std::size_t(type[i] - 1) * 2 + std::size_t(type[j] - 1)][k] += 1;
                    }
    }
    double nc[3] = {0, 0, 0}, nt[3] = {0, 0, 0};
    for (std::size_t i = 0; i < n; ++i) {
        nt[type[i]] += 1;
        if (centre[i]) nc[type[i]] += 1, nc[0] += 1;
    }
    const double volume = len[0] * len[1] * len[2];
    for (std::size_t c = 0; c < 5; ++c)
        for (std::size_t k = 0; k < bins; ++k) {
            const double shell = 4.0 / 3.0 * M_PI * (std::pow((k + 1) * dr, 3) - std::pow(k * dr, 3)) / volume;
            const int a = c == 0 ? 0 : int(c - 1) / 2 + 1, b = c == 0 ? 0 : int(c - 1) % 2 + 1;
            const double centres = c == 0 ? nc[0] : nc[a];
            const double others = c == 0 ? double(n) - 1 : nt[b] - (a == b ? 1 : 0);
            h[c][k] = centres > 0 ? h[c][k] / (centres * others * shell) : 0.0;
        }
    return h;
}
// Frame 0 of the small CuZr glass (orthogonal, periodic), for the centre-subset tests.
struct small_glass {
    points pos;
    std::vector<int> types;
    orthogonal_box<double> box;
};
small_glass first_small_glass_frame() {
    lammps_dump_reader reader(radial_dir + "cuzr_small.dump");
    frame f;
    REQUIRE(reader.next(f));
    const auto* ob = std::get_if<orthogonal_box<double>>(&f.box);
    REQUIRE(ob != nullptr);
    return {f.positions(), f.types(), *ob};
}
}  // namespace

TEST_CASE("rdf: g(r) around a centre subset equals the O(N^2) definition, and complements add up", "[rdf][subset]") {
    const small_glass g = first_small_glass_frame();
    const auto& pos = g.pos;
    const auto& types = g.types;
    const auto* ob = &g.box;
    const std::array<double, 3> len{ob->hi().x - ob->lo().x, ob->hi().y - ob->lo().y, ob->hi().z - ob->lo().z};
    const double rmax = 0.45 * std::min({len[0], len[1], len[2]});
    const std::size_t bins = 60;
    // A subset that mixes both types and is not spatially uniform: atoms in the lower half along x,
    // plus every third atom.
    std::vector<unsigned char> centre(pos.size()), other(pos.size());
    for (std::size_t i = 0; i < pos.size(); ++i) {
        centre[i] = (pos[i][0] - ob->lo().x < 0.5 * len[0]) || i % 3 == 0;
        other[i] = !centre[i];
    }
    rdf_accumulator sub(rmax, bins, 2, rdf_pairs::ordered), rest(rmax, bins, 2, rdf_pairs::ordered),
        all(rmax, bins, 2, rdf_pairs::ordered), plain(rmax, bins, 2);
    sub.add_frame(pos, *ob, {.types = types}, openmp_policy{2}, centre);
    rest.add_frame(pos, *ob, {.types = types}, serial_policy{}, other);
    all.add_frame(pos, *ob, {.types = types});
    plain.add_frame(pos, *ob, {.types = types});
    const auto ts = sub.result(), tr = rest.result(), ta = all.result(), tp = plain.result();
    REQUIRE(ts.names == std::vector<std::string>{"g", "g_1_1", "g_1_2", "g_2_1", "g_2_2"});
    const auto ref = brute_subset_rdf(pos, types, centre, len, rmax, bins);
    double nc = 0, n1c = 0, n2c = 0, n1 = 0, n2 = 0;
    for (std::size_t i = 0; i < pos.size(); ++i) {
        (types[i] == 1 ? n1 : n2) += 1;
        if (centre[i]) nc += 1, (types[i] == 1 ? n1c : n2c) += 1;
    }
    const double n = double(pos.size());
    for (std::size_t k = 0; k < bins; ++k) {
        // Counts are exact integers in both codes; the normalisations are the same products in another
        // order: agreement to rounding, 1e-13 relative.
        for (std::size_t c = 0; c < 5; ++c) {
            INFO("bin " << k << " column " << ts.names[c]);
            CHECK(ts.g[c][k] == Approx(ref[c][k]).epsilon(1e-13).margin(1e-300));
        }
        // All atoms as centres: the ordered table's a <= b columns are the unordered (LAMMPS) table exactly.
        CHECK(ta.g[0][k] == tp.g[0][k]);
        CHECK(ta.g[1][k] == tp.g[1][k]);
        CHECK(ta.g[2][k] == tp.g[2][k]);
        CHECK(ta.g[4][k] == tp.g[3][k]);
        CHECK(ta.g[3][k] == Approx(tp.g[2][k]).epsilon(1e-13));  // g_21 = g_12: the same pairs from the other end
        // A subset and its complement partition the centres: N^C g^C + N^C' g^C' = N g (total), and per centre type.
        CHECK(nc * ts.g[0][k] + (n - nc) * tr.g[0][k] == Approx(n * ta.g[0][k]).epsilon(1e-13).margin(1e-12));
        CHECK(n1c * ts.g[2][k] + (n1 - n1c) * tr.g[2][k] == Approx(n1 * ta.g[2][k]).epsilon(1e-13).margin(1e-12));
        CHECK(n2c * ts.g[3][k] + (n2 - n2c) * tr.g[3][k] == Approx(n2 * ta.g[3][k]).epsilon(1e-13).margin(1e-12));
    }
    // Wrong mask length, and partials around a subset without ordered pairs, are errors.
    std::vector<unsigned char> short_mask(pos.size() - 1, 1);
    rdf_accumulator bad(rmax, bins, 2, rdf_pairs::ordered), unordered(rmax, bins, 2);
    CHECK_THROWS_AS(bad.add_frame(pos, *ob, {.types = types}, serial_policy{}, short_mask), error);
    CHECK_THROWS_AS(unordered.add_frame(pos, *ob, {.types = types}, serial_policy{}, centre), error);
}

TEST_CASE("rdf: pooled frames sum counts and normalisations, and a centre subset and its complement pool to the full g", "[rdf][subset]") {
    const small_glass g = first_small_glass_frame();
    const auto& pos = g.pos;
    const auto& types = g.types;
    const auto* ob = &g.box;
    const double rmax = 5.0;
    const std::size_t bins = 50;
    std::vector<unsigned char> centre(pos.size()), other(pos.size()), none(pos.size(), 0);
    for (std::size_t i = 0; i < pos.size(); ++i) {
        centre[i] = i % 4 == 1 || types[i] == 2;
        other[i] = !centre[i];
    }
    rdf_accumulator pooled(rmax, bins, 2, rdf_pairs::ordered, rdf_average::pooled),
        all(rmax, bins, 2, rdf_pairs::ordered), one(rmax, bins, 2, rdf_pairs::ordered),
        with_empty(rmax, bins, 2, rdf_pairs::ordered, rdf_average::pooled);
    pooled.add_frame(pos, *ob, {.types = types}, serial_policy{}, centre);
    pooled.add_frame(pos, *ob, {.types = types}, openmp_policy{2}, other);
    all.add_frame(pos, *ob, {.types = types});
    one.add_frame(pos, *ob, {.types = types}, serial_policy{}, centre);
    with_empty.add_frame(pos, *ob, {.types = types}, serial_policy{}, centre);
    with_empty.add_frame(pos, *ob, {.types = types}, serial_policy{}, none);  // contributes nothing
    const auto tp = pooled.result(), ta = all.result(), t1 = one.result(), te = with_empty.result();
    REQUIRE(tp.frames == 2);
    for (std::size_t c = 0; c < 5; ++c)
        for (std::size_t k = 0; k < bins; ++k) {
            INFO("column " << tp.names[c] << " bin " << k);
            // Counts are exact; the pooled normalisation N_C + N_C' = N is exact in doubles, the per-bin
            // products round differently from the one-frame path: 1e-13 relative.
            CHECK(tp.g[c][k] == Approx(ta.g[c][k]).epsilon(1e-13).margin(1e-300));
            CHECK(tp.coord[c][k] == Approx(ta.coord[c][k]).epsilon(1e-13).margin(1e-300));
            CHECK(te.g[c][k] == Approx(t1.g[c][k]).epsilon(1e-13).margin(1e-300));
            CHECK(te.coord[c][k] == Approx(t1.coord[c][k]).epsilon(1e-13).margin(1e-300));
        }
}
