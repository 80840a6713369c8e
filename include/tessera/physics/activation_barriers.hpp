#pragma once
/// @file
/// Activation barriers per atom (seed 003) from ARTn saddle searches (physics/saddle_search.hpp):
/// `searches_per_atom` (24) searches on each chosen atom, seeded by saddle_search_seed(seed,
/// atom id, search index); the barriers kept are those of successful searches with
/// ΔQ > `min_barrier`, distinct (two saddles are the same event when |ΔE_s| <
/// `same_saddle_energy` and their largest atomic minimum-image distance <
/// `same_saddle_distance`; the lower search index is kept), sorted ascending: ΔQ₁ <= ΔQ₂ <= ...
/// (fewer than 24 when searches failed or coincided). Threads take atoms w, w+T, ...; results
/// are bitwise the same for any thread count.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/core/worker_threads.hpp>
#include <tessera/physics/potential.hpp>
#include <tessera/physics/saddle_search.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace tessera {

struct activation_options {
    saddle_search_options search{};
    std::vector<std::size_t> atoms;       ///< atoms to search around (indices); empty = all
    std::size_t searches_per_atom = 24;
    std::uint64_t seed = 0;
    double min_barrier = 1e-3;            ///< keep ΔQ > this (drops numerical returns to x⁰)
    double same_saddle_energy = 1e-3;     ///< duplicate saddles: |ΔE_s| below this and ...
    double same_saddle_distance = 0.1;    ///< ... every atom closer than this (minimum image)
    unsigned threads = 1;
};

/// One search's summary (positions dropped).
struct saddle_record {
    saddle_status status = saddle_status::not_converged;
    double barrier = 0, saddle_energy = 0, final_energy = 0, eigenvalue = 0;
    double saddle_displacement = 0, final_displacement = 0;
    std::size_t evaluations = 0;
    bool duplicate = false;  ///< converged, but the same saddle as an earlier search of this atom
};

struct atom_barriers {
    std::vector<double> barriers;          ///< distinct ΔQ > min_barrier, ascending
    std::vector<saddle_record> searches;   ///< in search order (empty for atoms not analysed)
    std::size_t n_saddles() const noexcept { return barriers.size(); }
};

struct activation_result {
    double initial_energy = 0;
    std::vector<atom_barriers> atoms;      ///< per atom index
};

/// ARTn barriers around each chosen atom of the minimum `x0`. `ids` (empty: the indices) are
/// the atom ids the search seeds derive from, so a renumbered input keeps its kicks when the
/// caller passes the original ids.
template <potential P, box B>
activation_result activation_barriers(const P& pot, std::span<const vec3<double>> x0, std::span<const int> types,
                                      const B& bx, const activation_options& opt,
                                      std::span<const long long> ids = {}) {
    const char* who = "tessera::activation_barriers";
    const std::size_t n = x0.size();
    detail::check_saddle_options(opt.search);
    detail::check_saddle_arguments(n, types, pot.num_types());
    if (!ids.empty() && ids.size() != n) throw error(who, ": ", ids.size(), " ids for ", n, " atoms");
    if (!(opt.same_saddle_energy >= 0) || !(opt.same_saddle_distance >= 0) || !std::isfinite(opt.min_barrier))
        throw error(who, ": duplicate tolerances must be >= 0 and min_barrier finite");
    std::vector<std::size_t> atoms = opt.atoms;
    if (atoms.empty())
        for (std::size_t i = 0; i < n; ++i) atoms.push_back(i);
    for (std::size_t a : atoms)
        if (a >= n) throw error(who, ": atom index ", a, " outside the ", n, " atoms");

    activation_result res;
    res.atoms.resize(n);
    const unsigned workers = std::max(1u, std::min<unsigned>(opt.threads, unsigned(atoms.size())));
    // Worker w searches atoms j = w, w + T, …; each atom's result goes to its own slot
    // (core/worker_threads.hpp), so the results do not depend on T.
    run_workers(workers, [&](unsigned w) {
        std::vector<std::vector<vec3<double>>> kept;  // saddles of the current atom, for duplicates
        std::vector<double> kept_energy;
        for (std::size_t j = w; j < atoms.size(); j += workers) {
            const std::size_t a = atoms[j];
            const auto id = std::uint64_t(ids.empty() ? static_cast<long long>(a) : ids[a]);
            atom_barriers& out = res.atoms[a];
            out.searches.resize(opt.searches_per_atom);
            kept.clear();
            kept_energy.clear();
            for (std::size_t s = 0; s < opt.searches_per_atom; ++s) {
                saddle_search_result r =
                    saddle_search(pot, x0, types, bx, a, saddle_search_seed(opt.seed, id, s), opt.search);
                saddle_record& rec = out.searches[s];
                rec = {r.status, r.barrier, r.saddle_energy, r.final_energy, r.eigenvalue,
                       r.saddle_displacement, r.final_displacement, r.evaluations, false};
                if (!r.converged() || !(r.barrier > opt.min_barrier)) continue;
                for (std::size_t k = 0; k < kept.size() && !rec.duplicate; ++k)
                    rec.duplicate = std::fabs(kept_energy[k] - r.saddle_energy) < opt.same_saddle_energy &&
                                    max_atom_distance<B>(kept[k], r.saddle, bx) < opt.same_saddle_distance;
                if (rec.duplicate) continue;
                kept.push_back(std::move(r.saddle));
                kept_energy.push_back(r.saddle_energy);
                out.barriers.push_back(r.barrier);
            }
            std::sort(out.barriers.begin(), out.barriers.end());
        }
    });
    {
        force_evaluator<P, B> e(pot, opt.search.relax.skin);
        std::vector<vec3<double>> f(n);
        force_output<double> out{f, {}, {}};
        res.initial_energy = e.evaluate(x0, types, bx, out);
    }
    return res;
}

}  // namespace tessera
