#pragma once
/// @file
/// Frozen-atom analysis (seed 001: "frozen atom analysis" of shear-transformation-zone cores).
///
/// Start from the configuration one AQS step before a plastic event, x⁰ in box H⁰. Apply the
/// strain step (affine, physics/deform.hpp): x^a in box H¹. Then, for each atom k, freeze k (it
/// keeps its affine position; it still exerts forces), relax the other atoms at fixed box from
/// x^a, and record the total displacement of the relaxation (seed 001, Eq. 1)
///
///     D_f(k) = sqrt( Σ_{i=1..N} |x_i^(k) − x_i^a|² ),
///
/// where x^(k) is the relaxed configuration with k frozen. The same with nothing frozen is the
/// reference D_ref: the displacement of the event itself. An atom whose freezing stops the event
/// has D_f ≪ D_ref (the STZ core); freezing a bystander leaves D_f ≈ D_ref.
///
/// Every relaxation starts from the same x^a, so each D_f is independent of every other: workers
/// (threads over atoms, each with its own engine copy and buffers, reused across its atoms) give
/// bitwise the same values for any thread count and any order. Displacements are taken between
/// unwrapped positions of the same box, so no image arithmetic enters D_f.
///
/// STZ core from the D_f values (the paper reads it off a logarithmic histogram, "the histogram
/// of D_f shows a gap"; it states bands core ≤ 0.5 Å, bulk 0.5–1.3 Å, tail > 1.3 Å for its
/// system). tessera's rule, free of absolute thresholds (documented in docs/physics.md):
///  1. sort the analysed atoms' log10 D_f; the bulk (freezing a bystander changes little) is the
///     dense upper part, the core a minority below it;
///  2. walking down from the median, the first gap between consecutive values of at least
///     `min_gap` decades (default 0.3, a factor 2) separates the core (below) from the rest;
///     walking down from the bulk, not taking the widest gap, keeps a core whose own values
///     spread over a decade in one piece; no such gap = no core (no single atom stops the event);
///  3. a secondary core (cascade events, the paper's Fig. 10): inside the core, the widest gap of
///     at least `secondary_gap` decades (default 0.3) with at least `min_secondary` atoms (default
///     3) on each side splits the primary core (lowest D_f: freezing it stops everything) from the
///     secondary one.
/// stz_core labels: 0 = not core, 1 = primary core, 2 = secondary core.

#include <tessera/core/error.hpp>
#include <tessera/core/worker_threads.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/physics/deform.hpp>
#include <tessera/physics/engine.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

namespace tessera {

struct frozen_atom_options {
    shear_plane plane = shear_plane::xy;
    double strain_step = 5e-5;      ///< the AQS step that triggers the event
    std::vector<std::size_t> atoms; ///< atoms to freeze, one at a time (indices); empty = all
    unsigned threads = 1;           ///< workers, each with its own engine copy
};

struct frozen_atom_result {
    std::vector<double> d_f;             ///< per atom; NaN for atoms not analysed
    std::vector<relax_result> relax;     ///< per atom (default-constructed for atoms not analysed)
    double d_reference = 0;              ///< D with nothing frozen
    relax_result reference_relax;
    std::vector<vec3<double>> reference_displacement;  ///< x_relaxed − x^a with nothing frozen
    triclinic_box<double> strained_box{{0, 0, 0}, {1, 1, 1}, 0, 0, 0};  ///< H¹, the box every relaxation ran in
};

/// sqrt(Σ_i |a_i − b_i|²), summed in index order.
inline double total_displacement(std::span<const vec3<double>> a, std::span<const vec3<double>> b) noexcept {
    double s = 0;
    for (std::size_t i = 0; i < a.size(); ++i) s += norm2(a[i] - b[i]);
    return std::sqrt(s);
}

/// Runs the analysis from the configuration before the event (x_before, box_before).
template <relaxation_engine E>
frozen_atom_result frozen_atom_analysis(const E& engine, std::span<const vec3<double>> x_before,
                                        const triclinic_box<double>& box_before, const frozen_atom_options& opt) {
    const std::size_t n = x_before.size();
    if (n == 0) throw error("frozen-atom analysis: no atoms");
    std::vector<std::size_t> atoms = opt.atoms;
    if (atoms.empty()) {
        atoms.resize(n);
        for (std::size_t i = 0; i < n; ++i) atoms[i] = i;
    }
    for (std::size_t a : atoms)
        if (a >= n) throw error("frozen-atom analysis: atom index ", a, " outside the ", n, " atoms");

    std::vector<vec3<double>> affine(x_before.begin(), x_before.end());
    frozen_atom_result r{std::vector<double>(n, std::numeric_limits<double>::quiet_NaN()),
                         std::vector<relax_result>(n), 0.0, {}, {},
                         apply_shear_step<double>(affine, box_before, opt.plane, opt.strain_step)};

    {   // the reference: nothing frozen
        E e = engine;
        std::vector<vec3<double>> x = affine;
        r.reference_relax = e.relax(x, r.strained_box, {});
        r.d_reference = total_displacement(x, affine);
        r.reference_displacement.resize(n);
        for (std::size_t i = 0; i < n; ++i) r.reference_displacement[i] = x[i] - affine[i];
    }

    // Workers take atoms in a fixed interleaved order (worker w: atoms w, w+T, ...); each result
    // depends only on its atom, so the assignment only balances the load.
    const unsigned workers = std::max(1u, std::min<unsigned>(opt.threads, unsigned(atoms.size())));
    run_workers(workers, [&](unsigned w) {
        E e = engine;
        std::vector<vec3<double>> x(n);
        std::vector<unsigned char> frozen(n, 0);
        for (std::size_t j = w; j < atoms.size(); j += workers) {
            const std::size_t k = atoms[j];
            std::copy(affine.begin(), affine.end(), x.begin());
            frozen[k] = 1;
            r.relax[k] = e.relax(x, r.strained_box, frozen);
            frozen[k] = 0;
            r.d_f[k] = total_displacement(x, affine);
        }
    });
    return r;
}

/// The split of D_f values into primary core, secondary core and the rest (file comment).
struct stz_core_split {
    std::vector<int> label;           ///< per atom: 0 rest (or not analysed), 1 primary, 2 secondary
    double threshold = 0;             ///< core ⇔ D_f < threshold (0 when there is no core)
    double secondary_threshold = 0;   ///< primary ⇔ D_f < this (0 when there is no secondary core)
    double gap_decades = 0;           ///< width of the core/rest gap in log10 D_f
    std::size_t primary_size = 0, secondary_size = 0;
};

inline stz_core_split split_stz_core(std::span<const double> d_f, double min_gap = 0.3, double secondary_gap = 0.3,
                                     std::size_t min_secondary = 3) {
    if (!(min_gap > 0) || !(secondary_gap > 0))
        throw error("stz core: gap widths must be positive, got ", min_gap, " and ", secondary_gap);
    stz_core_split s;
    s.label.assign(d_f.size(), 0);
    struct value {
        double log_d;
        std::size_t atom;
    };
    std::vector<value> v;
    for (std::size_t i = 0; i < d_f.size(); ++i) {
        if (std::isnan(d_f[i])) continue;
        if (d_f[i] < 0 || !std::isfinite(d_f[i])) throw error("stz core: atom ", i, " has D_f = ", d_f[i]);
        // D_f = 0 (nothing moved) lies below any gap: the log of the smallest positive double.
        v.push_back({std::log10(std::max(d_f[i], std::numeric_limits<double>::min())), i});
    }
    if (v.size() < 2) return s;
    std::sort(v.begin(), v.end(), [](const value& a, const value& b) {
        return a.log_d < b.log_d || (a.log_d == b.log_d && a.atom < b.atom);
    });
    auto middle = [&](std::size_t j) { return std::pow(10.0, 0.5 * (v[j - 1].log_d + v[j].log_d)); };
    // Step 2: from the median down, the first gap of min_gap decades; cut = index after it.
    std::size_t cut = 0;
    for (std::size_t j = v.size() / 2; j >= 1; --j) {
        if (v[j].log_d - v[j - 1].log_d >= min_gap) {
            cut = j;
            break;
        }
    }
    if (cut == 0) return s;
    s.gap_decades = v[cut].log_d - v[cut - 1].log_d;
    s.threshold = middle(cut);
    // Step 3: the widest inner gap with min_secondary atoms on each side.
    std::size_t primary_end = cut, best = 0;
    double width = 0;
    for (std::size_t j = min_secondary; j + min_secondary <= cut; ++j) {
        const double g = v[j].log_d - v[j - 1].log_d;
        if (g > width) width = g, best = j;
    }
    if (best != 0 && width >= secondary_gap) {
        primary_end = best;
        s.secondary_threshold = middle(best);
    }
    for (std::size_t j = 0; j < cut; ++j) s.label[v[j].atom] = j < primary_end ? 1 : 2;
    s.primary_size = primary_end;
    s.secondary_size = cut - primary_end;
    return s;
}

}  // namespace tessera
