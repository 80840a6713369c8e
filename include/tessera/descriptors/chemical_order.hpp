#pragma once
/// @file
/// Chemical short-range order in the first neighbour shell.
///
/// With Z_i the number of first-shell neighbours of i, Z_i^{(B)} those of type B, c_B the
/// fraction of type-B particles, and averages ⟨·⟩_A over the particles of type A:
///
/// **Warren–Cowley** (J. M. Cowley, Phys. Rev. 77, 669 (1950)), per atom and global:
/// \f[ \alpha_i(B) = 1 - \frac{Z_i^{(B)}}{c_B Z_i}, \qquad
///     \alpha_{A(B)} = 1 - \frac{\sum_{i \in A} Z_i^{(B)}}{c_B \sum_{i \in A} Z_i}. \f]
/// α < 0: B favoured around A; α = 0: random; α = 1: B absent; perfect B2 gives α_AB = −1.
///
/// **η with unequal coordination** (Cargill & Spaepen, J. Non-Cryst. Solids 43, 91 (1981), as
/// used by Liu et al. for CuZr glasses): the random reference is the maximum-entropy count
/// \f$ Z^*_{A(B)} = c_B Z_A Z_B / \langle Z\rangle \f$ with Z_A = ⟨Z_i⟩_A and
/// ⟨Z⟩ = Σ_T c_T Z_T, and
/// \f[ \eta_{A(B)} = 1 - \frac{Z_{A(B)}}{Z^*_{A(B)}}, \qquad
///     \eta_i(B) = 1 - \frac{Z_i^{(B)}}{Z^*_{t_i(B)}}, \f]
/// with Z_{A(B)} = ⟨Z_i^{(B)}⟩_A. Sign convention as α (negative = favoured); Cargill and
/// Spaepen's original η_AB = Z_AB/Z*_AB − 1 is the negative of this.
///
/// Where a denominator is zero (no neighbours, or type B absent) the value is 0.
///
/// The first shell: a cutoff per type pair (`pairs`, a pair_coordination table such as Cu–Cu
/// 3.05, Cu–Zr 3.75, Zr–Zr 4.35 Å), or one `cutoff` (0: the ball stage radius). Per-atom columns:
/// `alpha_<B>` then `eta_<B>` for B = 1 … ntypes. A whole-list descriptor (η needs the global
/// Z_A); global values from chemical_order_summary().

#include <tessera/core/error.hpp>
#include <tessera/descriptors/coordination.hpp>
#include <tessera/descriptors/descriptor.hpp>

#include <limits>
#include <sstream>
#include <string>
#include <vector>

namespace tessera {

/// Global first-shell statistics; matrices indexed [A][B] with 1-based types (row/col 0 unused).
struct chemical_order_stats {
    int ntypes = 0;
    std::vector<double> fraction;                  ///< c_A
    std::vector<double> z;                         ///< Z_A = ⟨Z_i⟩_A
    std::vector<std::vector<double>> z_partial;    ///< Z_A(B) = ⟨Z_i^(B)⟩_A
    std::vector<std::vector<double>> alpha;        ///< α_A(B)
    std::vector<std::vector<double>> z_star;       ///< Z*_A(B)
    std::vector<std::vector<double>> eta;          ///< η_A(B)
    double z_mean = 0;                             ///< ⟨Z⟩
};

struct chemical_order {
    static constexpr neighbor_need need = neighbor_need::ball;

    double cutoff = 0;           ///< one shell radius for all pairs; 0: the stage radius
    pair_coordination pairs{};   ///< per type-pair shell radii (used when pairs.ntypes > 0)

    neighbor_request request() const {
        return neighbor_request::within(pairs.ntypes > 0 ? pairs.max_cutoff()
                                        : cutoff > 0    ? cutoff
                                                        : std::numeric_limits<double>::infinity());
    }

    std::vector<std::string> columns(const particle_properties& p) const {
        std::vector<std::string> names;
        for (const char* what : {"alpha_", "eta_"})
            for (int t = 1; t <= p.num_types; ++t) names.push_back(what + std::to_string(t));
        return names;
    }

    void prepare(const neighbor_stage_info& stage, const particle_properties& p) const {
        if (p.types.empty()) throw error("chemical_order: needs particle types");
        if (pairs.ntypes > 0) {
            pairs.prepare(stage, p);
            if (pairs.ntypes < p.num_types) {
                throw error("chemical_order: the cutoff table covers ", pairs.ntypes, " types, the particles have ",
                            p.num_types);
            }
        } else if (cutoff < 0 || cutoff > stage.radius) {
            throw error("chemical_order: cutoff ", cutoff, " must be >= 0 and at most the neighbour radius ",
                        stage.radius);
        }
    }

    /// Z_i^(B) for every row, into counts[i * (nt + 1) + B] (B = 0: total).
    template <csr_neighbor_list L, class Policy>
    void shell_counts(const L& list, const particle_properties& p, std::vector<double>& counts, Policy policy) const {
        using T = list_value_t<L>;
        const std::size_t n = num_rows(list);
        const std::size_t w = std::size_t(p.num_types) + 1;
        counts.assign(n * w, 0.0);
        // squared shell radii by type pair, once (not a table lookup and a product per bond)
        const bool every = !(pairs.ntypes > 0 || cutoff > 0);
        std::vector<T> rc2(w * w, T(0));
        for (std::size_t a = 1; a < w; ++a)
            for (std::size_t t = 1; t < w; ++t) {
                const T rc = T(pairs.ntypes > 0 ? pairs.cutoff(int(a), int(t)) : cutoff);
                rc2[a * w + t] = rc * rc;
            }
        detail::for_each_chunk(policy, n, 1024, [&](std::size_t, std::size_t b, std::size_t e) {
            for (std::size_t i = b; i < e; ++i) {
                const T* const shell = rc2.data() + std::size_t(p.types[i]) * w;
                double* const zi = counts.data() + i * w;
                const auto row = row_of(list, i);
                const auto nb = row.neighbors;
                const auto d2 = row.distances2;
                for (std::size_t k = 0; k < nb.size(); ++k) {
                    const auto t = std::size_t(p.types[nb[k]]);
                    if (!every && !(d2[k] < shell[t])) continue;
                    zi[0] += 1;
                    zi[t] += 1;
                }
            }
        });
    }

    /// Global α, Z*, η from per-row counts (rows = particles counted).
    static chemical_order_stats summarize(const std::vector<double>& counts, const particle_properties& p,
                                          std::size_t n) {
        const int nt = p.num_types;
        const std::size_t w = std::size_t(nt) + 1;
        chemical_order_stats s;
        s.ntypes = nt;
        auto mat = [&] { return std::vector<std::vector<double>>(w, std::vector<double>(w, 0.0)); };
        s.fraction.assign(w, 0.0);
        s.z.assign(w, 0.0);
        s.z_partial = mat();
        s.alpha = mat();
        s.z_star = mat();
        s.eta = mat();
        std::vector<double> number(w, 0.0);
        for (std::size_t i = 0; i < n; ++i) {
            const auto a = std::size_t(p.types[i]);
            number[a] += 1;
            for (std::size_t b = 0; b < w; ++b) s.z_partial[a][b] += counts[i * w + b];
        }
        for (std::size_t a = 1; a < w; ++a) {
            s.fraction[a] = n ? number[a] / double(n) : 0.0;
            if (number[a] > 0)
                for (std::size_t b = 0; b < w; ++b) s.z_partial[a][b] /= number[a];
            s.z[a] = s.z_partial[a][0];
            s.z_mean += s.fraction[a] * s.z[a];
        }
        for (std::size_t a = 1; a < w; ++a)
            for (std::size_t b = 1; b < w; ++b) {
                const double denom = s.fraction[b] * s.z[a];
                s.alpha[a][b] = denom > 0 ? 1.0 - s.z_partial[a][b] / denom : 0.0;
                s.z_star[a][b] = s.z_mean > 0 ? s.fraction[b] * s.z[a] * s.z[b] / s.z_mean : 0.0;
                s.eta[a][b] = s.z_star[a][b] > 0 ? 1.0 - s.z_partial[a][b] / s.z_star[a][b] : 0.0;
            }
        return s;
    }

    template <csr_neighbor_list L, class Policy>
    void compute_all(const L& list, const particle_properties& p, output_columns<list_value_t<L>> out,
                     Policy policy) const {
        using T = list_value_t<L>;
        std::vector<double> counts;
        shell_counts(list, p, counts, policy);
        const std::size_t n = num_rows(list);
        const auto s = summarize(counts, p, n);
        const std::size_t nt = std::size_t(p.num_types), w = nt + 1;
        for (std::size_t i = 0; i < n; ++i) {
            const auto a = std::size_t(p.types[i]);
            for (std::size_t b = 1; b <= nt; ++b) {
                const double zi = counts[i * w], zib = counts[i * w + b];
                const double da = s.fraction[b] * zi;
                out.column(b - 1)[i] = T(da > 0 ? 1.0 - zib / da : 0.0);
                const double zs = s.z_star[a][b];
                out.column(nt + b - 1)[i] = T(zs > 0 ? 1.0 - zib / zs : 0.0);
            }
        }
    }
};

/// Global first-shell order of the rows of a full neighbour list (props: types of all
/// particles; num_types 0 = the largest type present).
template <csr_neighbor_list L, class Policy = serial_policy>
chemical_order_stats chemical_order_summary(const chemical_order& co, const L& list,
                                            const particle_properties& props, Policy policy = {}) {
    const particle_properties p = props.resolved(props.types.size());
    co.prepare({neighbor_need::ball, std::numeric_limits<double>::infinity(), 0}, p);
    std::vector<double> counts;
    co.shell_counts(list, p, counts, policy);
    return chemical_order::summarize(counts, p, num_rows(list));
}

}  // namespace tessera
