// Tests for physics/frozen_atoms.hpp. The STZ-core split on constructed D_f distributions whose
// answer is known by construction; the driver on a toy engine whose relaxation is known in
// closed form (every unfrozen atom moves by a fixed vector; freezing atom 0 stops all motion),
// so D_f is exact, including thread-count independence and the reference run.
#include <tessera/physics/frozen_atoms.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <random>
#include <vector>

using namespace tessera;

TEST_CASE("stz core split: core below the first factor-2 gap under the bulk, secondary core inside", "[physics][frozen]") {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> bulk(0.0, 0.03), core(-1.5, 0.3);
    std::vector<double> d;
    for (int i = 0; i < 900; ++i) d.push_back(std::pow(10.0, bulk(rng)));         // ~1 Å
    for (int i = 0; i < 30; ++i) d.push_back(std::pow(10.0, std::clamp(core(rng), -2.4, -0.9)));  // 0.004–0.13 Å
    for (int i = 0; i < 8; ++i) d.push_back(0.3 + 0.01 * i);                       // secondary group 0.3–0.37 Å
    d.push_back(std::nan(""));                                                    // not analysed
    const auto s = split_stz_core(d);
    CHECK(s.primary_size == 30);
    CHECK(s.secondary_size == 8);
    for (int i = 0; i < 900; ++i) CHECK(s.label[i] == 0);
    for (int i = 900; i < 930; ++i) CHECK(s.label[i] == 1);
    for (int i = 930; i < 938; ++i) CHECK(s.label[i] == 2);
    CHECK(s.label[938] == 0);
    CHECK(s.threshold > 0.37);
    CHECK(s.threshold < 0.9);
    CHECK(s.secondary_threshold > 0.13);
    CHECK(s.secondary_threshold < 0.3);
}

TEST_CASE("stz core split: no gap means no core, and permutation does not change labels", "[physics][frozen]") {
    std::vector<double> d;
    for (int i = 0; i < 200; ++i) d.push_back(0.5 + 0.005 * i);  // 0.5..1.5 Å, dense
    const auto none = split_stz_core(d);
    CHECK(none.primary_size == 0);
    CHECK(none.threshold == 0);
    // A clear core of 5, then shuffled.
    for (int i = 0; i < 5; ++i) d[i] = 0.01 * (i + 1);
    const auto a = split_stz_core(d);
    CHECK(a.primary_size == 5);
    std::vector<std::size_t> order(d.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = (i * 37) % order.size();  // 37 coprime with 200
    std::vector<double> shuffled(d.size());
    for (std::size_t i = 0; i < d.size(); ++i) shuffled[i] = d[order[i]];
    const auto b = split_stz_core(shuffled);
    for (std::size_t i = 0; i < d.size(); ++i) CHECK(b.label[i] == a.label[order[i]]);
    CHECK_THROWS_WITH(split_stz_core(std::vector<double>{1.0, -1.0}), Catch::Contains("atom 1"));
}

namespace {

// Relaxation known in closed form: each unfrozen atom i moves by (i+1)·u, unless atom 0 is frozen
// (the "core"), then nothing moves. evaluate() is a zero-force, zero-energy stub the driver
// does not use.
struct toy_engine {
    vec3<double> u{0.01, -0.02, 0.005};
    relax_result relax(std::span<vec3<double>> x, const triclinic_box<double>&, std::span<const unsigned char> frozen) {
        if (!frozen.empty() && frozen[0]) return {};
        for (std::size_t i = 0; i < x.size(); ++i)
            if (frozen.empty() || !frozen[i]) x[i] = x[i] + double(i + 1) * u;
        return {};
    }
    double evaluate(std::span<const vec3<double>>, const triclinic_box<double>&, force_output<double>& out) {
        return out.total_energy = 0;
    }
};
static_assert(relaxation_engine<toy_engine>);

}  // namespace

TEST_CASE("frozen-atom driver: D_f exact on a closed-form engine, any thread count", "[physics][frozen]") {
    const std::size_t n = 40;
    std::vector<vec3<double>> x(n);
    for (std::size_t i = 0; i < n; ++i) x[i] = {0.5 * double(i), 0.25 * double(i % 7), 0.1 * double(i % 3)};
    const triclinic_box<double> box({-1, -1, -1}, {30, 10, 10}, 0, 0, 0);
    frozen_atom_options opt;
    opt.strain_step = 1e-3;
    const double u2 = norm2(toy_engine{}.u);
    double all = 0;
    for (std::size_t i = 0; i < n; ++i) all += double((i + 1) * (i + 1)) * u2;
    for (unsigned threads : {1u, 2u, 3u, 7u}) {
        opt.threads = threads;
        const auto r = frozen_atom_analysis(toy_engine{}, x, box, opt);
        CHECK(r.d_reference == Approx(std::sqrt(all)).epsilon(1e-14));
        CHECK(r.d_f[0] == 0.0);
        for (std::size_t k = 1; k < n; ++k)
            CHECK(r.d_f[k] == Approx(std::sqrt(all - double((k + 1) * (k + 1)) * u2)).epsilon(1e-14));
        CHECK(r.strained_box.xy() == Approx(1e-3 * 11).epsilon(1e-14));
    }
    opt.atoms = {3, 5};
    const auto some = frozen_atom_analysis(toy_engine{}, x, box, opt);
    CHECK(std::isnan(some.d_f[0]));
    CHECK(!std::isnan(some.d_f[3]));
    opt.atoms = {40};
    CHECK_THROWS_WITH(frozen_atom_analysis(toy_engine{}, x, box, opt), Catch::Contains("atom index 40"));
}
