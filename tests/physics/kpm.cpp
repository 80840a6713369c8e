// Tests for physics/kpm.hpp: the stochastic per-atom VDOS against the dense path (physics/vdos.hpp)
// on the 500-atom Kob-Andersen glass minimised with tessera::minimize (cg, ftol 1e-10): total
// VDOS and the per-atom boson-peak intensities; determinism under a seed and bitwise independence
// of the thread count.
#include "../support/reference_frames.hpp"

#include <tessera/physics/kpm.hpp>
#include <tessera/physics/minimize.hpp>
#include <tessera/physics/vdos.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

using namespace tessera;

namespace {

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
    double ma = 0, mb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        ma += a[i] / double(a.size());
        mb += b[i] / double(b.size());
    }
    double sab = 0, saa = 0, sbb = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / std::sqrt(saa * sbb);
}

}  // namespace

TEST_CASE("kpm per-atom VDOS agrees with the dense path on a minimised KA glass", "[physics][kpm]") {
    const auto frames = tessera_test::read_reference_frames("physics/ka_periodic.dump");
    std::vector<vec3<double>> x;
    for (const auto& p : frames[0].positions()) x.push_back({p[0], p[1], p[2]});
    const auto types = frames[0].types();
    const auto box = std::get<orthogonal_box<double>>(frames[0].box);
    const std::vector<std::string> coeffs{"1 1 1.0 1.0 2.5", "1 2 1.5 0.8 2.0", "2 2 0.5 0.88 2.2"};
    const auto ka = lj_cut::from_lammps("lj/cut 2.5", coeffs, true);
    minimize_options mo;
    mo.etol = 0.0;
    mo.ftol = 1e-10;
    mo.normalize_energy = true;
    minimize(ka, std::span<vec3<double>>(x), types, box, mo);
    const std::vector<double> unit{1.0, 1.0};
    const auto d = dynamical_matrix(hessian(ka, x, types, box), unit, types);
    const auto modes = dense_modes(d, {.frequency_scale = frequency_scale_lj});
    CHECK(modes.negative_modes == 0);
    const double top = modes.frequency.back() * 1.001;
    const std::size_t bins = 25;
    const auto dense = vdos(modes, {.bins = bins, .max_frequency = top});
    const auto kpm = kpm_per_atom_vdos(d, {.moments = 150, .vectors = 32, .seed = 5, .bins = bins, .max_frequency = top,
                                           .frequency_scale = frequency_scale_lj});
    double l1 = 0;
    for (std::size_t b = 0; b < bins; ++b) l1 += std::abs(kpm.g[b] - dense.g[b]) * dense.bin_width;
    const std::size_t n = x.size();
    std::vector<double> low_d(n, 0.0), low_k(n, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t b = 0; b < bins / 3; ++b) {
            low_d[i] += dense.atom_g(i, b);
            low_k[i] += kpm.per_atom[i * bins + b];
        }
    const double corr = pearson(low_d, low_k);
    WARN("KA500: L1(g_kpm - g_dense) = " << l1 << ", corr(low-third weight per atom) = " << corr);
    // Tolerances from the estimator's noise, not from a reference: KPM at M = 150 smooths g over
    // Δλ ≈ πb/M (about one of these bins at mid-spectrum) and R = 32 random vectors leave ~1/√(3R)
    // ≈ 10 % noise on one atom's weight; we see L1 ≈ 0.04 and r ≈ 0.9 (64 vectors: 0.036, 0.94).
    CHECK(l1 < 0.1);
    CHECK(corr > 0.75);
    const auto again = kpm_per_atom_vdos(d, {.moments = 150, .vectors = 32, .seed = 5, .bins = bins, .max_frequency = top,
                                             .frequency_scale = frequency_scale_lj});
    CHECK(again.per_atom == kpm.per_atom);
    // bitwise the same for any thread count (7 vectors, to keep it quick): 2 (a last batch of 1),
    // 3 (batches 3, 3, 1), 40 (more threads than vectors)
    const kpm_options few{.moments = 150, .vectors = 7, .seed = 5, .bins = bins, .max_frequency = top,
                          .frequency_scale = frequency_scale_lj};
    const auto one = kpm_per_atom_vdos(d, few);
    for (const unsigned threads : {2u, 3u, 40u}) {
        INFO("threads = " << threads);
        auto po = few;
        po.threads = threads;
        const auto par = kpm_per_atom_vdos(d, po);
        CHECK(par.per_atom == one.per_atom);
        CHECK(par.g == one.g);
        CHECK(par.lambda_max == one.lambda_max);
    }
    // a different seed draws different vectors (the test above can fail)
    const auto other = kpm_per_atom_vdos(d, {.moments = 150, .vectors = 32, .seed = 6, .bins = bins,
                                             .max_frequency = top, .frequency_scale = frequency_scale_lj});
    CHECK(other.per_atom != kpm.per_atom);
    CHECK_THROWS_WITH(kpm_per_atom_vdos(d, {.threads = 0}), Catch::Contains("threads >= 1"));
}
