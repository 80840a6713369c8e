#pragma once
/// @file
/// Radial distribution functions and static structure factors.
///
/// **Total and partial g(r)**, normalised exactly as LAMMPS `compute rdf` (src/compute_rdf.cpp):
/// bins of width Δr = r_max / n_bins, bin k counts ordered pairs with ⌊r_ij/Δr⌋ = k (r < r_max,
/// every periodic image), reported at the bin centre r_k = (k + ½)Δr, and
/// \f[ g_{ab}(r_k) = \frac{H_{ab}(k)}{N_a\, n_{ab}\, V_k / V}, \qquad
///     V_k = \tfrac{4\pi}{3}\big((k+1)^3 - k^3\big)\Delta r^3, \qquad
///     n_{ab} = N_b - \delta_{ab}, \f]
/// where H_ab(k) counts pairs with a centre of type a and a neighbour of type b — both
/// directions for a = b, i.e. LAMMPS's `I J` histogram counts each unordered a–b pair once from
/// its type-a end — and V is the volume of the (orthogonal or triclinic) cell. The total g(r) is
/// the same with every type (N_a = N, n = N − 1). The coordination column is LAMMPS's running
/// sum \f$ n_{ab}(r_k) = \sum_{k' \le k} g_{ab}(r_{k'})\, n_{ab} V_{k'}/V \f$. Frames are averaged
/// by averaging g and the coordination column (as `fix ave/time` does with compute rdf).
///
/// **g(r) around a subset of centre atoms** (seed 003: the partial RDFs of the 10 % of atoms with
/// the highest and lowest IGD): only centres i in the subset C are histogrammed, against every atom
/// as a neighbour, and the same normalisation holds with N_a → N_a^C, the number of centres of
/// type a (n_ab = N_b − δ_ab still: a centre never counts itself) — LAMMPS's compute rdf with the
/// centres as the `I` group. Without symmetry between the two ends, the partials are the ordered
/// pairs: g_ab for every centre type a and neighbour type b (construct with `rdf_pairs::ordered`).
/// With C = all atoms, g_ab(ordered) = g_ab of the unordered table for a ≤ b.
///
/// **Averaging over frames.** `rdf_average::frames` (default) averages each frame's g (and
/// coordination column) with equal weight, as `fix ave/time` does with compute rdf.
/// `rdf_average::pooled` sums the histograms and the normalisations over frames instead,
/// g(r_k) = Σ_t H_t(k) / Σ_t N_t^C n_t V_k/V_t (coordination Σ_t Σ_{k'≤k} H_t / Σ_t N_t^C): frames
/// weigh by their centres and pairs, and a frame with no centre contributes nothing — the estimate
/// for a centre subset pooled over independent samples (seed 003's RDF of the IGD extremes).
///
/// **Per-atom smoothed g_i(r)** (Piaggi & Parrinello, J. Chem. Phys. 147, 114112 (2017)):
/// \f[ g_i(r) = \frac{1}{4\pi\rho r^2} \sum_{j} \frac{1}{\sqrt{2\pi}\sigma}
///     e^{-(r - r_{ij})^2 / (2\sigma^2)} \f] — see local_rdf and descriptors/pair_entropy.hpp.
///
/// **Static structure factor S(q)**, three ways:
/// - from g(r): \f$ S(q) = 1 + 4\pi\rho \int_0^{r_{max}} r^2 (g(r) - 1)\, \frac{\sin qr}{qr}\, W(r)\, dr \f$
///   by the midpoint rule on the bins, with window W = 1 (`sq_window::none`) or the Lorch window
///   W(r) = sin(πr/r_max)/(πr/r_max) (`sq_window::lorch`), which damps truncation ripples;
/// - Debye summation over pairs within r_max minus the uniform background,
///   \f$ S(q) = 1 + \frac1N \sum_i \sum_{j:\,r_{ij}<r_{max}} \frac{\sin q r_{ij}}{q r_{ij}}
///   - \frac{4\pi\rho}{q^3}\big(\sin q r_{max} - q r_{max}\cos q r_{max}\big) \f$ — the unbinned
///   form of the first (W = 1); in an open box ρ = 0 and it is the classic Debye formula;
/// - on box-commensurate wave vectors \f$ \mathbf k = 2\pi H^{-T}\mathbf n \f$ (n integer, k ≠ 0),
///   \f$ S(\mathbf k) = \frac1N \big|\sum_j e^{i\mathbf k\cdot\mathbf r_j}\big|^2 \f$, averaged over
///   shells of |k| — the exact S(k) of the periodic configuration.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/properties.hpp>
#include <tessera/neighbors/neighbor_list.hpp>
#include <tessera/neighbors/query.hpp>

#include <cmath>
#include <complex>
#include <cstddef>
#include <numbers>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace tessera {

/// Which partial columns an rdf_accumulator makes: type pairs a <= b (LAMMPS's `1 1 1 2 …`), or
/// every ordered (centre a, neighbour b) pair, which a centre subset needs (file comment).
enum class rdf_pairs { unordered, ordered };

/// How frames are combined (file comment): each frame's g with equal weight, or pooled counts.
enum class rdf_average { frames, pooled };

/// g(r) averaged over frames: column 0 total, then one column per type pair a <= b (or every
/// ordered pair, centre type first).
struct rdf_table {
    std::vector<double> r;                   ///< bin centres
    std::vector<std::string> names;          ///< "g", "g_1_1", "g_1_2", …
    std::vector<std::vector<double>> g;      ///< g[c][k]
    std::vector<std::vector<double>> coord;  ///< LAMMPS's running coordination column, per g column
    std::size_t frames = 0;
};

/// Accumulates g(r) over frames (LAMMPS compute rdf normalisation, see file comment).
class rdf_accumulator {
public:
    /// r_max: outer edge of the last bin; bins: number of bins; ntypes: 0 for the total only;
    /// pairs: the partial columns (rdf_pairs::ordered for a centre subset); average: how frames
    /// are combined (file comment).
    rdf_accumulator(double rmax, std::size_t bins, int ntypes = 0, rdf_pairs pairs = rdf_pairs::unordered,
                    rdf_average average = rdf_average::frames)
        : rmax_(rmax), bins_(bins), ntypes_(ntypes), ordered_(pairs == rdf_pairs::ordered),
          pooled_(average == rdf_average::pooled) {
        if (!(rmax > 0) || !std::isfinite(rmax)) throw error("rdf: r_max must be positive and finite");
        if (bins == 0) throw error("rdf: the number of bins must be at least 1");
        if (ntypes < 0) throw error("rdf: ntypes must be >= 0");
        delr_ = rmax_ / double(bins_);
        const std::size_t cols = 1 + npairs();
        gsum_.assign(cols, std::vector<double>(bins_, 0.0));
        csum_ = gsum_;
        if (pooled_) {
            hsum_ = gsum_;
            nsum_ = gsum_;
            isum_.assign(cols, 0.0);
        }
    }

    double rmax() const noexcept { return rmax_; }
    std::size_t bins() const noexcept { return bins_; }
    std::size_t npairs() const noexcept {
        const std::size_t nt = std::size_t(ntypes_);
        return ordered_ ? nt * nt : nt * (nt + 1) / 2;
    }

    /// Adds one frame from a full neighbour list with radius >= r_max (rows = the counted
    /// particles); `volume` is the cell volume.
    template <class T>
    void add_frame(const neighbor_list<T>& list, const particle_properties& props, double volume) {
        if (list.kind() != list_kind::full) throw error("rdf: needs a full neighbour list");
        check_frame(props, volume);
        const std::size_t n = list.num_particles();
        const bool typed = ntypes_ > 0;
        const std::size_t nt = std::size_t(ntypes_);
        // hist[0 …): total; hist[(1 + (a-1)*nt + (b-1)) * bins …): centre a, neighbour b.
        std::vector<double> hist((1 + nt * nt) * bins_, 0.0);
        const double delrinv = 1.0 / delr_;
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t a = typed ? std::size_t(props.types[i]) : 0;
            const auto nb = list.neighbors(i);
            const auto d2 = list.distances2(i);
            for (std::size_t k = 0; k < nb.size(); ++k) {
                const auto bin = static_cast<std::size_t>(std::sqrt(double(d2[k])) * delrinv);
                if (bin >= bins_) continue;
                hist[bin] += 1.0;
                if (typed) hist[(1 + (a - 1) * nt + std::size_t(props.types[nb[k]] - 1)) * bins_ + bin] += 1.0;
            }
        }
        finish_frame(hist, props, n, volume);
    }

    /// Adds one frame (all particles counted, or the first n_local): pairs are histogrammed
    /// straight from a cell-list traversal, without storing a neighbour list (the same pairs and
    /// distances as a ball{r_max} query; counts are exact, so any policy gives the same result).
    /// `centres`: empty (every counted particle is a centre) or one flag per counted particle,
    /// nonzero for the centres of a subset g(r) (file comment; every particle stays a neighbour).
    template <particle_storage S, box B, class Policy = serial_policy>
    void add_frame(const S& particles, const B& bx, const particle_properties& props = {}, Policy policy = {},
                   std::span<const unsigned char> centres = {}) {
        const particle_properties p = props.resolved(tessera::size(particles));
        const double volume = double(bx.volume());
        check_frame(p, volume);
        if (!centres.empty() && centres.size() != p.n_local)
            throw error("rdf: ", centres.size(), " centre flags for ", p.n_local, " particles");
        if (!centres.empty() && ntypes_ > 0 && !ordered_)
            throw error("rdf: partial g(r) around a centre subset need rdf_pairs::ordered (the two ends differ)");
        cell_list<double> cells;
        detail::bin_for_query(cells, particles, bx, ball{rmax_});
        const std::size_t n = p.n_local;
        const bool typed = ntypes_ > 0;
        const std::size_t nt = std::size_t(ntypes_), width = (1 + nt * nt) * bins_;
        constexpr std::size_t chunk = 4096;
        std::vector<double> part(((n + chunk - 1) / chunk) * width, 0.0);  // one histogram per chunk
        const double delrinv = 1.0 / delr_;
        const double radius = rmax_;
        detail::for_each_chunk(policy, n, chunk, [&](std::size_t c, std::size_t b, std::size_t e) {
            double* const hist = part.data() + c * width;
            for (std::size_t i = b; i < e; ++i) {
                if (!centres.empty() && !centres[i]) continue;
                double* const own = typed ? hist + (1 + std::size_t(p.types[i] - 1) * nt - 1) * bins_ : nullptr;
                cells.for_each_within(cells.wrapped_position(i), radius, i, [&](std::size_t j, const vec3<double>&, double r2) {
                    const auto bin = static_cast<std::size_t>(std::sqrt(r2) * delrinv);
                    if (bin >= bins_) return;
                    hist[bin] += 1.0;
                    if (typed) own[std::size_t(p.types[j]) * bins_ + bin] += 1.0;
                });
            }
        });
        std::vector<double> hist(width, 0.0);
        for (std::size_t off = 0; off < part.size(); off += width)
            for (std::size_t k = 0; k < width; ++k) hist[k] += part[off + k];
        finish_frame(hist, p, n, volume, centres);
    }

    /// The frame average (or the pooled estimate) so far.
    rdf_table result() const {
        rdf_table t;
        t.frames = frames_;
        t.r.resize(bins_);
        for (std::size_t k = 0; k < bins_; ++k) t.r[k] = (double(k) + 0.5) * delr_;
        t.names.push_back("g");
        for (int a = 1; a <= ntypes_; ++a)
            for (int b = ordered_ ? 1 : a; b <= ntypes_; ++b)
                t.names.push_back("g_" + std::to_string(a) + "_" + std::to_string(b));
        if (pooled_) {
            t.g = hsum_;
            t.coord = hsum_;
            for (std::size_t c = 0; c < hsum_.size(); ++c) {
                double running = 0;
                for (std::size_t k = 0; k < bins_; ++k) {
                    running += hsum_[c][k];
                    t.g[c][k] = nsum_[c][k] > 0 ? hsum_[c][k] / nsum_[c][k] : 0.0;
                    t.coord[c][k] = isum_[c] > 0 ? running / isum_[c] : 0.0;
                }
            }
            return t;
        }
        const double inv = frames_ ? 1.0 / double(frames_) : 0.0;
        t.g = gsum_;
        t.coord = csum_;
        for (auto* v : {&t.g, &t.coord})
            for (auto& c : *v)
                for (auto& x : c) x *= inv;
        return t;
    }

private:
    void check_frame(const particle_properties& props, double volume) const {
        if (!(volume > 0) || !std::isfinite(volume))
            throw error("rdf: needs a finite positive cell volume (a periodic or closed box)");
        if (ntypes_ > 0) {
            if (props.types.empty()) throw error("rdf: partial g(r) need particle types");
            for (const int t : props.types)
                if (t > ntypes_) throw error("rdf: particle type " + std::to_string(t) + " exceeds ntypes");
        }
    }

    /// Normalises one frame's histograms (layout of add_frame) and adds them to the sums. Centre
    /// counts (N_a^C) divide, neighbour counts (N_b) set the density (file comment).
    void finish_frame(const std::vector<double>& hist, const particle_properties& props, std::size_t n, double volume,
                      std::span<const unsigned char> centres = {}) {
        const std::size_t nt = std::size_t(ntypes_);
        std::vector<double> typecount(nt + 1, 0.0), centrecount(nt + 1, 0.0);
        double ncentres = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const bool centre = centres.empty() || centres[i];
            ncentres += centre ? 1.0 : 0.0;
            if (ntypes_ > 0) {
                typecount[std::size_t(props.types[i])] += 1;
                centrecount[std::size_t(props.types[i])] += centre ? 1.0 : 0.0;
            }
        }
        const double constant = 4.0 * std::numbers::pi / (3.0 * volume);
        auto normalise = [&](const double* h, double icount, double jcount, double duplicates, std::size_t col) {
            const double normfac = icount > 0 ? jcount - duplicates / icount : 0.0;
            double ncoord = 0.0;
            for (std::size_t k = 0; k < bins_; ++k) {
                const double rlower = double(k) * delr_;
                const double rupper = double(k + 1) * delr_;
                const double vfrac = constant * (rupper * rupper * rupper - rlower * rlower * rlower);
                if (pooled_) {
                    hsum_[col][k] += h[k];
                    nsum_[col][k] += vfrac * normfac * icount;
                    continue;
                }
                const double gr = vfrac * normfac != 0.0 ? h[k] / (vfrac * normfac * icount) : 0.0;
                if (icount != 0) ncoord += gr * vfrac * normfac;
                gsum_[col][k] += gr;
                csum_[col][k] += ncoord;
            }
            if (pooled_) isum_[col] += icount;
        };
        // LAMMPS's duplicates term: centres that are also neighbours of their own column (each
        // excludes itself), so normfac = N_b − δ_ab.
        normalise(hist.data(), ncentres, double(n), ncentres, 0);
        std::size_t col = 1;
        for (std::size_t a = 1; a <= nt; ++a)
            for (std::size_t b = ordered_ ? 1 : a; b <= nt; ++b, ++col)
                normalise(hist.data() + (1 + (a - 1) * nt + (b - 1)) * bins_, centrecount[a], typecount[b],
                          a == b ? centrecount[a] : 0.0, col);
        ++frames_;
    }

    double rmax_;
    std::size_t bins_;
    int ntypes_;
    bool ordered_ = false;
    bool pooled_ = false;
    double delr_ = 0;
    std::size_t frames_ = 0;
    std::vector<std::vector<double>> gsum_, csum_;  // frame average: sums of g and coordination
    std::vector<std::vector<double>> hsum_, nsum_;  // pooled: sums of counts and normalisations
    std::vector<double> isum_;                      // pooled: sums of centre counts per column
};

/// Piaggi–Parrinello smoothed local g_i(r) of one particle on a grid of r (r > 0):
/// out[k] = Σ_j exp(−(r_k − r_ij)²/(2σ²)) / (4πρ r_k² √(2π) σ), over the given bonds with
/// r_ij < cutoff (cutoff <= 0: all bonds).
template <class T>
void local_rdf(std::span<const T> distances2, double density, double sigma, double cutoff, std::span<const double> r,
               std::span<double> out) {
    const double norm = 4.0 * std::numbers::pi * density * std::sqrt(2.0 * std::numbers::pi) * sigma;
    const double s2 = 2.0 * sigma * sigma;
    for (std::size_t k = 0; k < r.size(); ++k) out[k] = 0;
    for (const T d2 : distances2) {
        if (cutoff > 0 && !(double(d2) < cutoff * cutoff)) continue;
        const double rij = std::sqrt(double(d2));
        for (std::size_t k = 0; k < r.size(); ++k) {
            const double x = r[k] - rij;
            out[k] += std::exp(-x * x / s2);
        }
    }
    for (std::size_t k = 0; k < r.size(); ++k) out[k] /= norm * r[k] * r[k];
}

/// Window applied to g(r) − 1 before the Fourier transform.
enum class sq_window { none, lorch };

/// S(q) from a tabulated g on bin centres r (uniform width), number density rho.
inline std::vector<double> structure_factor_from_rdf(std::span<const double> r, std::span<const double> g, double rho,
                                                     std::span<const double> q, sq_window window = sq_window::none) {
    if (r.size() != g.size() || r.size() < 2) throw error("structure_factor_from_rdf: r and g must match (>= 2 bins)");
    const double dr = r[1] - r[0];
    const double rmax = r.back() + 0.5 * dr;
    std::vector<double> s(q.size());
    for (std::size_t m = 0; m < q.size(); ++m) {
        double sum = 0;
        for (std::size_t k = 0; k < r.size(); ++k) {
            const double qr = q[m] * r[k];
            const double sinc = qr != 0 ? std::sin(qr) / qr : 1.0;
            double w = 1.0;
            if (window == sq_window::lorch) {
                const double x = std::numbers::pi * r[k] / rmax;
                w = std::sin(x) / x;
            }
            sum += r[k] * r[k] * (g[k] - 1.0) * sinc * w;
        }
        s[m] = 1.0 + 4.0 * std::numbers::pi * rho * sum * dr;
    }
    return s;
}

/// Debye S(q) over the bonds of a full neighbour list of radius rmax (rows = the N particles),
/// minus the background of a uniform density rho inside rmax (rho = 0: plain Debye sum).
template <class T>
std::vector<double> structure_factor_debye(const neighbor_list<T>& list, double rho, double rmax,
                                           std::span<const double> q) {
    const std::size_t n = list.num_particles();
    if (n == 0) throw error("structure_factor_debye: no particles");
    std::vector<double> s(q.size(), 0.0);
    for (std::size_t m = 0; m < q.size(); ++m) {
        if (!(q[m] > 0)) throw error("structure_factor_debye: q must be positive");
        double sum = 0;
        for (std::size_t i = 0; i < n; ++i)
            for (const T d2 : list.distances2(i)) {
                const double qr = q[m] * std::sqrt(double(d2));
                sum += std::sin(qr) / qr;
            }
        const double qR = q[m] * rmax;
        const double bg = rho > 0 ? 4.0 * std::numbers::pi * rho / (q[m] * q[m] * q[m]) * (std::sin(qR) - qR * std::cos(qR))
                                  : 0.0;
        s[m] = 1.0 + sum / double(n) - bg;
    }
    return s;
}

/// S(k) on box-commensurate wave vectors, averaged in shells of |k| of width kmax/bins.
struct structure_factor_table {
    std::vector<double> k;       ///< mean |k| of the vectors in the shell (0 when empty)
    std::vector<double> s;       ///< mean S(k) in the shell
    std::vector<std::size_t> count;  ///< wave vectors in the shell
};

template <particle_storage S, box B>
structure_factor_table structure_factor_commensurate(const S& particles, const B& bx, double kmax, std::size_t bins) {
    for (std::size_t d = 0; d < 3; ++d)
        if (!bx.periodic(d)) throw error("structure_factor_commensurate: needs a fully periodic box");
    if (!(kmax > 0) || bins == 0) throw error("structure_factor_commensurate: kmax > 0 and bins >= 1");
    const std::size_t n = tessera::size(particles);
    const mat3<double> h = bx.cell();  // cell vectors as columns
    // k = 2π H^{-T} n, so k·r = 2π n·s with s = H^{-1}(r − lo) (the origin only adds a phase).
    std::vector<vec3<double>> frac(n);
    for (std::size_t i = 0; i < n; ++i) {
        const auto p = tessera::position(particles, i);
        frac[i] = bx.to_fractional(vec3<double>{double(p.x), double(p.y), double(p.z)});
    }
    const vec3<double> a0{h(0, 0), h(1, 0), h(2, 0)}, a1{h(0, 1), h(1, 1), h(2, 1)}, a2{h(0, 2), h(1, 2), h(2, 2)};
    const double vol = dot(a0, cross(a1, a2));
    const double tau = 2.0 * std::numbers::pi;
    const vec3<double> b[3] = {cross(a1, a2) * (tau / vol), cross(a2, a0) * (tau / vol), cross(a0, a1) * (tau / vol)};
    long nmax[3];
    for (std::size_t d = 0; d < 3; ++d) {
        // |n_d| = |k·a_d| / 2π <= kmax |a_d| / 2π.
        const vec3<double> a{h(0, d), h(1, d), h(2, d)};
        nmax[d] = long(std::floor(kmax * std::sqrt(dot(a, a)) / (2.0 * std::numbers::pi))) + 1;
    }
    structure_factor_table t;
    t.k.assign(bins, 0.0);
    t.s.assign(bins, 0.0);
    t.count.assign(bins, 0);
    const double dk = kmax / double(bins);
    for (long n0 = -nmax[0]; n0 <= nmax[0]; ++n0)
        for (long n1 = -nmax[1]; n1 <= nmax[1]; ++n1)
            for (long n2 = -nmax[2]; n2 <= nmax[2]; ++n2) {
                if (n0 == 0 && n1 == 0 && n2 == 0) continue;
                const vec3<double> kv = b[0] * double(n0) + b[1] * double(n1) + b[2] * double(n2);
                const double km = std::sqrt(dot(kv, kv));
                if (!(km < kmax)) continue;
                double re = 0, im = 0;
                for (std::size_t i = 0; i < n; ++i) {
                    const double ph = 2.0 * std::numbers::pi *
                                      (double(n0) * frac[i].x + double(n1) * frac[i].y + double(n2) * frac[i].z);
                    re += std::cos(ph);
                    im += std::sin(ph);
                }
                const auto bin = std::size_t(km / dk);
                t.k[bin] += km;
                t.s[bin] += (re * re + im * im) / double(n);
                ++t.count[bin];
            }
    for (std::size_t m = 0; m < bins; ++m)
        if (t.count[m]) {
            t.k[m] /= double(t.count[m]);
            t.s[m] /= double(t.count[m]);
        }
    return t;
}

}  // namespace tessera
