// descriptors/pair_entropy.hpp: against tests/reference/radial/entropy_reference.py, a NumPy
// re-implementation of LAMMPS compute entropy/atom's algorithm (Debian's LAMMPS is built without
// EXTRA-COMPUTE, so the compute itself cannot be run here), partial form, invariances, threads.
#include <tessera/descriptors/pair_entropy.hpp>
#include <tessera/io/lammps_dump.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace tessera;

namespace {
const std::string radial_dir = std::string(TESSERA_TEST_DATA_DIR) + "/radial/";

struct loaded {
    std::vector<std::array<double, 3>> pos;
    std::vector<int> types;
    std::vector<std::int64_t> ids;
    any_box box{open_box<double>{}};
};
loaded first_frame() {
    lammps_dump_reader reader(radial_dir + "cuzr_small.dump");
    frame f;
    REQUIRE(reader.next(f));
    return {f.positions(), f.types(), f.ids(), f.box};
}
}  // namespace

TEST_CASE("pair_entropy: matches a NumPy re-implementation of LAMMPS entropy/atom (not LAMMPS itself)",
          "[pair_entropy][python]") {
    const loaded d = first_frame();
    std::ifstream in(radial_dir + "cuzr_small_entropy.txt");
    REQUIRE(in);
    std::string line;
    std::vector<std::array<double, 4>> ref;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream s(line);
        std::array<double, 4> v{};
        s >> v[0] >> v[1] >> v[2] >> v[3];
        ref.push_back(v);
    }
    REQUIRE(ref.size() == d.pos.size());
    const auto& box = std::get<orthogonal_box<double>>(d.box);
    const double rho = double(d.pos.size()) / box.volume();
    const auto out = pipeline(ball{6.0}, pair_entropy{0.2, {3.0, 5.0}, rho},
                              pair_entropy{0.2, {5.0}, 0.0, 6.0})
                         .run(d.pos, box, {.types = d.types}, openmp_policy{2});
    REQUIRE(out.names() == std::vector<std::string>{"entropy_0", "entropy_1", "entropy"});
    double worst = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        REQUIRE(double(d.ids[i]) == ref[i][0]);
        for (std::size_t c = 0; c < 3; ++c) {
            const double x = c < 2 ? out.get<0>(c)[i] : out.get<1>()[i];
            worst = std::max(worst, std::abs(x - ref[i][1 + c]) / std::abs(ref[i][1 + c]));
            REQUIRE(x == Approx(ref[i][1 + c]).epsilon(1e-12));
        }
    }
    WARN("pair_entropy vs the NumPy re-implementation of entropy/atom: worst relative difference " << worst);
}

TEST_CASE("pair_entropy: partial form equals a sum of per-type integrals computed separately",
          "[pair_entropy]") {
    const loaded d = first_frame();
    const auto& box = std::get<orthogonal_box<double>>(d.box);
    const double rho = double(d.pos.size()) / box.volume();
    const auto out = pipeline(ball{4.5}, pair_entropy{0.1, {4.5}, rho, 0.0, true}).run(d.pos, box, {.types = d.types});
    double frac[3] = {0, 0, 0};
    for (int t : d.types) frac[t] += 1.0 / double(d.types.size());
    const double L = box.lengths().x;
    for (std::size_t i = 0; i < d.pos.size(); i += 17) {
        double s = 0;
        for (int v = 1; v <= 2; ++v) {
            const double rv = rho * frac[v];
            // direct quadrature, full Gaussians truncated at ±3σ-bin like LAMMPS, written afresh
            const int nbin = int(4.5 / 0.1) + 1;
            std::vector<double> g(std::size_t(nbin), 0.0);
            for (std::size_t j = 0; j < d.pos.size(); ++j) {
                if (j == i || d.types[j] != v) continue;
                double r2 = 0;
                for (int a = 0; a < 3; ++a) {
                    double x = d.pos[j][a] - d.pos[i][a];
                    x -= L * std::round(x / L);
                    r2 += x * x;
                }
                const double r = std::sqrt(r2);
                if (!(r < 4.5)) continue;
                const int b = int(std::floor(r / 0.1));
                for (int k = std::max(1, b - 3); k <= std::min(b + 3, nbin - 1); ++k) {
                    const double rk = k * 0.1;
                    g[std::size_t(k)] += std::exp(-(r - rk) * (r - rk) / 0.02) /
                                         (4 * M_PI * rv * rk * rk * std::sqrt(2 * M_PI) * 0.1);
                }
            }
            double integral = 0;
            for (int k = 0; k < nbin; ++k) {
                const double rk = k * 0.1;
                const double f = g[std::size_t(k)] < 1e-10 ? rk * rk
                                                           : (g[std::size_t(k)] * std::log(g[std::size_t(k)]) -
                                                              g[std::size_t(k)] + 1) * rk * rk;
                integral += (k == 0 || k == nbin - 1 ? 0.5 : 1.0) * f * 0.1;
            }
            s += -2 * M_PI * rv * integral;
        }
        REQUIRE(out.get<0>()[i] == Approx(s).epsilon(1e-10));
    }
}

TEST_CASE("pair_entropy: a perfect crystal is more ordered (lower s) than the liquid", "[pair_entropy]") {
    // fcc, a = 3.6: every atom equal; value well below the liquid's typical -3.
    std::vector<std::array<double, 3>> p;
    const double a = 3.6;
    const int m = 5;
    for (int i = 0; i < m; ++i)
        for (int j = 0; j < m; ++j)
            for (int k = 0; k < m; ++k)
                for (auto o : {std::array<double, 3>{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}})
                    p.push_back({(i + o[0]) * a, (j + o[1]) * a, (k + o[2]) * a});
    const orthogonal_box<double> box({0, 0, 0}, {m * a, m * a, m * a});
    const auto out = pipeline(ball{5.0}, pair_entropy{0.15, {5.0}, 4.0 / (a * a * a)}).run(p, box);
    for (std::size_t i = 1; i < p.size(); ++i) REQUIRE(out.get<0>()[i] == Approx(out.get<0>()[0]).epsilon(1e-12));
    CHECK(out.get<0>()[0] < -5.0);
}

TEST_CASE("pair_entropy: bad parameters are errors", "[pair_entropy][errors]") {
    const std::vector<std::array<double, 3>> p{{0, 0, 0}, {1, 0, 0}};
    CHECK_THROWS_WITH(pipeline(ball{2.0}, pair_entropy{0.0, {1.0}, 1.0}).run(p, open_box<double>{}),
                      Catch::Contains("sigma"));
    CHECK_THROWS_WITH(pipeline(ball{2.0}, pair_entropy{0.1, {3.0}, 1.0}).run(p, open_box<double>{}),
                      Catch::Contains("exceeds the neighbour radius"));
    CHECK_THROWS_WITH(pipeline(ball{2.0}, pair_entropy{0.1, {1.0}}).run(p, open_box<double>{}),
                      Catch::Contains("density"));
}

TEST_CASE("pair_entropy: serial and OpenMP runs are identical", "[pair_entropy][threads]") {
    const loaded d = first_frame();
    const auto& box = std::get<orthogonal_box<double>>(d.box);
    const auto pipe = pipeline(ball{5.0}, pair_entropy{0.2, {3.0, 4.0, 5.0}, 0.06, 0.0, true});
    const auto a = pipe.run(d.pos, box, {.types = d.types});
    const auto b = pipe.run(d.pos, box, {.types = d.types}, openmp_policy{2});
    for (std::size_t c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < d.pos.size(); ++i) REQUIRE(a.get<0>(c)[i] == b.get<0>(c)[i]);
}

TEST_CASE("pair_entropy: several cutoffs in one pass equal one run per cutoff, SIMD and scalar paths agree",
          "[pair_entropy][simd]") {
    // All cutoffs share one pass over the neighbours (bucketed by the first cutoff that includes
    // them) and the Gaussians of a neighbour are summed a batch of bins at a time: the same sums
    // as one cutoff at a time, in another order. Unsorted and repeated cutoffs, a cutoff below
    // σ-grid resolution (n_bin = 1) and one on a grid point (4.0 = 20σ).
    const loaded d = first_frame();
    const auto& box = std::get<orthogonal_box<double>>(d.box);
    const double rho = double(d.pos.size()) / box.volume();
    const std::vector<double> cuts{5.0, 3.0, 4.0, 3.0, 0.15, 4.75};
    for (const bool partial : {false, true}) {
        const auto all = pipeline(ball{5.0}, pair_entropy{0.2, cuts, rho, 0.0, partial}).run(d.pos, box, {.types = d.types});
        const auto all_scalar =
            pipeline(ball{5.0}, basic_pair_entropy<void>{0.2, cuts, rho, 0.0, partial}).run(d.pos, box, {.types = d.types});
        double worst = 0;
        for (std::size_t c = 0; c < cuts.size(); ++c) {
            const auto one =
                pipeline(ball{5.0}, basic_pair_entropy<void>{0.2, {cuts[c]}, rho, 0.0, partial}).run(d.pos, box, {.types = d.types});
            for (std::size_t i = 0; i < d.pos.size(); ++i) {
                const double x = all.get<0>(c)[i], y = all_scalar.get<0>(c)[i], z = one.get<0>()[i];
                worst = std::max({worst, std::abs(x - z) / std::max(1e-300, std::abs(z)),
                                  std::abs(y - z) / std::max(1e-300, std::abs(z))});
                REQUIRE(x == Approx(z).epsilon(1e-12).margin(1e-14));
                REQUIRE(y == Approx(z).epsilon(1e-12).margin(1e-14));
            }
        }
        WARN("pair_entropy (" << xsimd::default_arch::name() << ", partial " << partial
                               << ") several cutoffs vs one at a time: worst relative difference " << worst);
    }
}
