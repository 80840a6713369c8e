#pragma once
/// @file
/// SOAP power spectrum (Smooth Overlap of Atomic Positions: Bartók, Kondor & Csányi, PRB 87,
/// 184115 (2013) and its erratum; the partial power spectrum of De, Bartók, Csányi & Ceriotti,
/// PCCP 18, 13754 (2016)) with DScribe's radial bases and conventions (Himanen et al., Comput.
/// Phys. Commun. 247, 106949 (2020); DScribe 2.1, dscribe/descriptors/soap.py and
/// dscribe/ext/soapGTO.cpp, read for the definitions below).
///
/// Density of species Z around centre i (the centre itself included, at r = 0), η = 1/(2σ²):
/// \f[ \rho_i^Z(\mathbf r) = \sum_{j \in Z,\ r_{ij} < R} w(r_{ij})\, e^{-\eta |\mathbf r - \mathbf r_{ij}|^2} \f]
/// expanded on radial functions g_{nl} and spherical harmonics,
/// \f[ c^Z_{nlm}(i) = \int g_{nl}(r)\, Y_{lm}(\hat r)\, \rho_i^Z(\mathbf r)\, d^3r
///     = 4\pi \sum_j w(r_{ij})\, Y_{lm}(\hat r_{ij}) \int_0^\infty r^2 g_{nl}(r)\, e^{-\eta (r^2 + r_{ij}^2)}\,
///       i_l(2\eta r r_{ij})\, dr \f]
/// (i_l: modified spherical Bessel function of the first kind), and the power spectrum is
/// \f[ p^{Z_1 Z_2}_{n n' l}(i) = \pi \sqrt{\tfrac{8}{2l+1}} \sum_{m=-l}^{l} c^{Z_1}_{nlm}(i)\, c^{Z_2}_{n'lm}(i)^* \f]
/// (DScribe's prefactor, from the normalisation of the Wigner D matrices in the erratum; with
/// real harmonics, as DScribe, or complex ones, as here, the sum over m is the same real number).
///
/// **Radial bases** (DScribe's, orthonormal under ∫ r² dr by Löwdin's S^{-1/2}):
/// - `gto`: \f$ g_{nl}(r) = \sum_{k=1}^{n_{max}} \beta^{(l)}_{nk}\, r^l e^{-\alpha_{kl} r^2} \f$ with
///   a_k = linspace(1, r_cut, n_max) Å and α_{kl} = −ln(10⁻³ / a_k^l) / a_k² (each primitive
///   has fallen to 10⁻³ at its a_k); overlap S_{kk'} = ½ Γ(l + 3/2) (α_k + α_k')^{−l−3/2};
///   β^{(l)} = S^{−1/2}. The radial integral is then closed-form (∫ x^{ν+1} e^{−a x²} I_ν(bx) dx
///   = b^ν (2a)^{−ν−1} e^{b²/4a}):
///   \f$ \int_0^\infty r^{l+2} e^{-\alpha r^2} e^{-\eta(r^2+d^2)} i_l(2\eta r d)\,dr
///      = \sqrt{\pi/2}\, (2\eta d)^l\, (2(\alpha+\eta))^{-l-3/2}\, e^{-\alpha\eta d^2/(\alpha+\eta)} \f$.
/// - `polynomial`: \f$ g_n(r) = \sum_{k=1}^{n_{max}} \beta_{nk} (r_{cut} - r)^{k+2} \f$ for r < r_cut
///   (0 beyond; the same for every l), S_{kk'} = 2 r_cut^{7+k+k'} / ((5+k+k')(6+k+k')(7+k+k')),
///   β = S^{−1/2}; the radial integral by 100-point Gauss–Legendre on [0, r_cut] (DScribe's rule),
///   with the scaled Bessel e^{−x} i_l(x) (terms where the Gaussian factor e^{−η(r−d)²} is below
///   e^{−40} are skipped).
///
/// **Neighbours and weights.** R = r_cut + σ √(−2 ln 10⁻³) (DScribe's cutoff padding: a Gaussian
/// centred at R has fallen to 10⁻³ at r_cut). `weighting = none`: w = 1 (DScribe's default; an
/// atom crossing R changes p by a step of order 10⁻³ of its contribution). `weighting = poly`
/// (DScribe's weighting={"function": "poly", "r0", "c", "m"}; Caro, PRB 100, 024112 (2019)):
/// \f$ w(r) = c\,(1 + 2 (r/r_0)^3 - 3 (r/r_0)^2)^m \f$ for r ≤ r0, 0 beyond — w and w′ vanish at
/// r0, so p is continuous and smooth as an atom crosses the cutoff; neighbours are then taken
/// within min(r0, R) (an r0 beyond R is cut at R, where w is not yet 0: keep r0 ≤ R for a smooth
/// cutoff). `pow`: w = c / (d + (r/r0)^m) and `exp`: w = c / (d + e^{−r/r0}) (Willatt, Musil &
/// Ceriotti 2018; DScribe's other two functions), neighbours within R. The centre's own weight is
/// w(0) (poly: c; pow: c/d; exp: c/(d + 1)), or `centre_weight` when set (DScribe's "w0"; 0 hides
/// the centre).
///
/// **Species** are tessera's particle types 1 … S (one species when untyped), in ascending order —
/// DScribe orders them by atomic number, so map types to elements in that order to compare.
///
/// **Order of the vector** (DScribe's, `compression`):
/// - `off` (default): for species pairs Z1 ≤ Z2 (Z1 outer), for l = 0 … l_max, for n, then n′ —
///   n′ ≥ n when Z1 = Z2 (the symmetric block: n_max(n_max+1)/2 per l), every n′ otherwise
///   (n_max² per l). Length (S n_max)(S n_max + 1)/2 · (l_max + 1).
/// - `crossover`: DScribe's compression {"mode": "crossover"}: only the Z1 = Z2 blocks, species
///   ascending, each as above. Length S · n_max(n_max+1)/2 · (l_max + 1).
/// - `mu2`: DScribe's {"mode": "mu2"} with unit species weights: the coefficients summed over
///   species first, c_{nlm} = Σ_Z c^Z_{nlm}, then one symmetric block. Length
///   n_max(n_max+1)/2 · (l_max + 1).
/// - `mu1nu1`: DScribe's {"mode": "mu1nu1"} (Darby, Kermode & Csányi, npj Comput. Mater. 8, 166
///   (2022)): p^Z_{nn′l} = π√(8/(2l+1)) Σ_m c^Z_{nlm} Σ_{Z′} c^{Z′}_{n′lm}, for Z, then l, then n, then
///   every n′. Length S · n_max² · (l_max + 1).
/// With `normalize`, p is divided by its Euclidean norm (p̂ of TimeSOAP, dynamics/timesoap.hpp);
/// a zero vector stays zero. Columns soap_0 … soap_{F−1}.
///
/// **Implementation.** Per bond, the primitive radial factors and Y_lm (m ≥ 0; Y_{l,−m} =
/// (−1)^m Y*_{lm}) are accumulated into C^Z_{klm} = Σ_j prim_{kl}(r_ij) Y_lm(r̂_ij); the basis
/// transform c = β C is applied once per centre. For `gto` the bond loop runs on xsimd batches
/// of Arch (one bond per lane, accumulators reduced once per centre); basic_soap<void> is the
/// scalar path. `polynomial` is scalar. Per-thread scratch grows once; no allocation per particle.
/// Checked against a separately written 3-D quadrature of the defining integral
/// (tests/reference/soap/make_soap_reference.py) and against the numerically integrated
/// coefficients DScribe ships as its own test data (make_dscribe_reference.py): its order,
/// prefactor, density (centre included), weighting and species order, to that data's precision.

#include <tessera/core/error.hpp>
#include <tessera/descriptors/descriptor.hpp>
#include <tessera/descriptors/detail/soap_math.hpp>
#include <tessera/descriptors/detail/spherical_harmonics.hpp>

#include <Eigen/Dense>
#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace tessera {

enum class soap_basis { gto, polynomial };
enum class soap_compression { off, crossover, mu2, mu1nu1 };
enum class soap_weighting { none, poly, pow, exp };

struct soap_parameters {
    double r_cut = 5.0;  ///< Å; the radial basis extent (see the file comment)
    int n_max = 8;
    int l_max = 6;
    double sigma = 1.0;  ///< width of the atomic Gaussians
    soap_basis basis = soap_basis::gto;
    soap_weighting weighting = soap_weighting::none;
    double weight_r0 = 0;   ///< poly, pow, exp: r0 (0: r_cut)
    double weight_c = 1;    ///< poly, pow, exp: c
    double weight_m = 1;    ///< poly, pow: m
    double weight_d = 1;    ///< pow, exp: d
    double centre_weight = std::numeric_limits<double>::quiet_NaN();  ///< NaN: w(0)
    soap_compression compression = soap_compression::off;
    bool normalize = false;
    /// Number of species S of the vector; 0: the particle properties' num_types (1 when untyped).
    /// Fix it when frames of one trajectory may lack the highest type, so that every frame's
    /// vector has the same length and meaning.
    int species = 0;
};

template <class Arch = xsimd::default_arch>
class basic_soap {
public:
    static constexpr neighbor_need need = neighbor_need::ball;

    basic_soap() : basic_soap(soap_parameters{}) {}
    explicit basic_soap(const soap_parameters& p) : p_(p) {
        std::ostringstream os;
        if (!(p.r_cut > 0) || !std::isfinite(p.r_cut)) os << "soap: r_cut must be positive and finite, got " << p.r_cut;
        else if (p.basis == soap_basis::gto && !(p.r_cut > 1))
            os << "soap: the gto basis needs r_cut > 1 Å (its primitives decay at 1 … r_cut Å), got " << p.r_cut;
        else if (p.n_max < 1 || p.n_max > 20) os << "soap: n_max must be in 1 … 20, got " << p.n_max;
        else if (p.l_max < 0 || p.l_max > detail::max_degree)
            os << "soap: l_max must be in 0 … " << detail::max_degree << ", got " << p.l_max;
        else if (!(p.sigma > 0) || !std::isfinite(p.sigma)) os << "soap: sigma must be positive and finite, got " << p.sigma;
        else if (p.weighting != soap_weighting::none &&
                 (!(p.weight_r0 >= 0) || !std::isfinite(p.weight_r0) || !(p.weight_c > 0) || !(p.weight_m > 0) ||
                  !std::isfinite(p.weight_c) || !std::isfinite(p.weight_m)))
            os << "soap: weighting needs r0 >= 0 (0: r_cut), c > 0 and m > 0";
        else if ((p.weighting == soap_weighting::pow || p.weighting == soap_weighting::exp) &&
                 (!(p.weight_d >= 0) || !std::isfinite(p.weight_d) || (p.weighting == soap_weighting::pow && p.weight_d == 0)))
            os << "soap: pow and exp weighting need d >= 0 (pow: d > 0, else w(0) is infinite)";
        else if (!std::isnan(p.centre_weight) && !std::isfinite(p.centre_weight))
            os << "soap: centre_weight must be finite";
        else if (p.species < 0) os << "soap: species must be >= 0 (0: from the particles' types), got " << p.species;
        if (os.tellp() > 0) throw error(os.str());
        eta_ = 1 / (2 * p.sigma * p.sigma);
        r0_ = p.weight_r0 > 0 ? p.weight_r0 : p.r_cut;
        radius_ = p.r_cut + p.sigma * std::sqrt(-2 * std::log(1e-3));
        if (p.weighting == soap_weighting::poly) radius_ = std::min(radius_, r0_);
        centre_w_ = std::isnan(p.centre_weight) ? weight(0) : p.centre_weight;
        const int n = p.n_max, L = p.l_max;
        if (p.basis == soap_basis::gto) {
            alpha_.assign(std::size_t((L + 1) * n), 0.0);
            beta_.assign(std::size_t((L + 1) * n * n), 0.0);
            prim_scale_.assign(alpha_.size(), 0.0);
            prim_decay_.assign(alpha_.size(), 0.0);
            for (int l = 0; l <= L; ++l) {
                std::vector<long double> s(std::size_t(n * n));
                for (int k = 0; k < n; ++k) {
                    const double a = n == 1 ? 1.0 : 1.0 + (p.r_cut - 1.0) * k / (n - 1);  // np.linspace(1, r_cut, n)
                    alpha_[std::size_t(l * n + k)] = -std::log(1e-3 / std::pow(a, l)) / (a * a);
                }
                for (int a = 0; a < n; ++a)
                    for (int b = 0; b < n; ++b)
                        s[std::size_t(a * n + b)] =
                            0.5L * std::tgamma(l + 1.5L) *
                            std::pow((long double)alpha_[std::size_t(l * n + a)] + alpha_[std::size_t(l * n + b)], -l - 1.5L);
                const std::string where = "gto (l = " + std::to_string(l) + ")";
                const auto b = detail::inverse_sqrt(s, n, where);
                for (std::size_t k = 0; k < b.size(); ++k) beta_[std::size_t(l * n * n) + k] = double(b[k]);
                // β as used (rounded to double): max |β S βᵀ − I|
                long double defect = 0;
                for (int a = 0; a < n; ++a)
                    for (int c = 0; c < n; ++c) {
                        long double v = 0;
                        for (int i = 0; i < n; ++i)
                            for (int j = 0; j < n; ++j)
                                v += (long double)beta_[std::size_t(l * n * n + a * n + i)] * s[std::size_t(i * n + j)] *
                                     beta_[std::size_t(l * n * n + c * n + j)];
                        defect = std::max(defect, std::abs(v - (a == c ? 1.0L : 0.0L)));
                    }
                basis_defect_ = std::max(basis_defect_, double(defect));
                for (int k = 0; k < n; ++k) {
                    const double al = alpha_[std::size_t(l * n + k)];
                    // 4π √(π/2) (2η)^l (2(α+η))^{−l−3/2}: d^l and the exponential come per bond
                    prim_scale_[std::size_t(l * n + k)] = 4 * std::numbers::pi * std::sqrt(std::numbers::pi / 2) *
                                                          std::pow(2 * eta_, l) * std::pow(2 * (al + eta_), -l - 1.5);
                    prim_decay_[std::size_t(l * n + k)] = al * eta_ / (al + eta_);
                }
            }
        } else {
            std::vector<long double> s(std::size_t(n * n));
            for (int a = 1; a <= n; ++a)
                for (int b = 1; b <= n; ++b)
                    s[std::size_t((a - 1) * n + b - 1)] =
                        2 * std::pow((long double)p.r_cut, 7 + a + b) / (long double)((5 + a + b) * (6 + a + b) * (7 + a + b));
            const auto beta = detail::inverse_sqrt(s, n, "polynomial");  // long double, used as such below
            std::vector<double> x, w;
            detail::gauss_legendre(100, x, w);
            nodes_.resize(x.size());
            node_weight_.resize(x.size());
            node_basis_.assign(x.size() * std::size_t(n), 0.0);
            for (std::size_t q = 0; q < x.size(); ++q) {
                const double r = p.r_cut * 0.5 * (x[q] + 1);
                nodes_[q] = r;
                node_weight_[q] = 4 * std::numbers::pi * w[q] * 0.5 * p.r_cut * r * r;
                for (int a = 0; a < n; ++a) {  // g_a(r_q) summed in long double (large β, cancelling terms)
                    long double g = 0;
                    for (int k = 1; k <= n; ++k)
                        g += beta[std::size_t(a * n + k - 1)] * std::pow((long double)p.r_cut - r, k + 2);
                    node_basis_[q * std::size_t(n) + std::size_t(a)] = double(g);
                }
            }
            // the functions as used: the 100-point rule integrates their products exactly
            long double defect = 0;
            for (int a = 0; a < n; ++a)
                for (int c = 0; c < n; ++c) {
                    long double v = 0;
                    for (std::size_t q = 0; q < x.size(); ++q)
                        v += (long double)node_weight_[q] / (4 * std::numbers::pi_v<long double>) *
                             node_basis_[q * std::size_t(n) + std::size_t(a)] * node_basis_[q * std::size_t(n) + std::size_t(c)];
                    defect = std::max(defect, std::abs(v - (a == c ? 1.0L : 0.0L)));
                }
            basis_defect_ = double(defect);
        }
        // The centre's own radial factors (d = 0, l = 0): once here, not per particle.
        centre_prim_.assign(std::size_t(n), 0.0);
        for (std::size_t k = 0; k < std::size_t(n); ++k) centre_prim_[k] = centre_prim(k);
    }

    const soap_parameters& parameters() const noexcept { return p_; }
    /// How far the radial basis, as used, is from orthonormal: max |<g_a, g_b> − δ_ab| over l.
    /// DScribe's primitives are nearly dependent, so at large n_max (polynomial: n_max ≳ 6 at
    /// r_cut 5; gto: n_max ≳ 12) S^{−1/2} cannot be formed accurately even in long double, and the
    /// functions are not quite orthonormal (DScribe builds the same matrices in double and does
    /// not say so). The descriptor is still well defined and smooth; callers may warn (the
    /// command does above 1e-6).
    double basis_defect() const noexcept { return basis_defect_; }
    /// The neighbour radius used (see the file comment).
    double radius() const noexcept { return radius_; }
    neighbor_request request() const { return neighbor_request::within(radius_); }

    /// Number of species S of the vector: the parameter when set, else the properties' num_types
    /// (1 when untyped).
    int species_of(const particle_properties& p) const noexcept {
        if (p_.species > 0) return p_.species;
        return p.types.empty() ? 1 : std::max(1, p.num_types);
    }

    /// The length of p for S species.
    std::size_t features(int species) const noexcept {
        const std::size_t n = std::size_t(p_.n_max), L1 = std::size_t(p_.l_max + 1), s = std::size_t(species);
        switch (p_.compression) {
            case soap_compression::crossover: return s * n * (n + 1) / 2 * L1;
            case soap_compression::mu2: return n * (n + 1) / 2 * L1;
            case soap_compression::mu1nu1: return s * n * n * L1;
            default: return (s * n) * (s * n + 1) / 2 * L1;
        }
    }

    std::vector<std::string> columns(const particle_properties& p) const {
        std::vector<std::string> c(features(species_of(p)));
        for (std::size_t k = 0; k < c.size(); ++k) c[k] = "soap_" + std::to_string(k);
        return c;
    }

    /// The stage must reach radius(); with a fixed species count, no type may exceed it (types
    /// are checked against num_types by particle_properties).
    void prepare(const neighbor_stage_info& stage, const particle_properties& p) const {
        if (stage.radius < radius_ * (1 - 1e-12))
            throw error("soap: the neighbour stage's radius ", stage.radius, " is below the ", radius_,
                        " SOAP needs (r_cut + sigma sqrt(-2 ln 1e-3), or the poly weighting's r0)");
        if (p_.species > 0 && !p.types.empty() && p.num_types > p_.species)
            throw error("soap: the particles have types up to ", p.num_types, " but the descriptor was built for ",
                        p_.species, " species");
    }

    /// w(r) of the weighting (1 without one; DScribe's weighting.h formulas).
    double weight(double r) const noexcept {
        switch (p_.weighting) {
            case soap_weighting::none: return 1;
            case soap_weighting::pow: return p_.weight_c / (p_.weight_d + std::pow(r / r0_, p_.weight_m));
            case soap_weighting::exp: return p_.weight_c / (p_.weight_d + std::exp(-r / r0_));
            default: break;
        }
        if (!(r < r0_)) return 0;
        const double x = r / r0_;
        // 1 + 2x³ − 3x² = (1 − x)²(1 + 2x): never negative by rounding (pow of a negative base
        // with a non-integer m would be NaN just inside r0)
        return p_.weight_c * std::pow((1 - x) * (1 - x) * (1 + 2 * x), p_.weight_m);
    }

    template <class T>
    void compute(const particle_row<T>& row, output_row<T> out) const {
        const int S = species_of(*row.properties);
        const std::size_t n = std::size_t(p_.n_max), nylm = detail::ylm_count(p_.l_max);
        const std::size_t block = n * nylm;  // one species' C or c
        thread_local std::vector<double> scratch;
        const std::size_t need = 4 * std::size_t(S) * block + 2 * block + features(S) + 64;
        if (scratch.size() < need) scratch.resize(need);
        double* const cre = scratch.data();  // C^Z_{klm}, then c^Z_{nlm}: [Z][k][ylm]
        double* const cim = cre + std::size_t(S) * block;
        double* const tre = cim + std::size_t(S) * block;
        double* const tim = tre + std::size_t(S) * block;
        double* const pout = tim + std::size_t(S) * block + 2 * block;  // 2·block scratch before it (mu1nu1)
        std::fill(cre, cre + 4 * std::size_t(S) * block, 0.0);
        accumulate(row, S, cre, cim);
        // the centre itself: d = 0 feeds only l = 0 (Y_00 = 1/√(4π); prim_{k0}(0) = scale_k0)
        if (centre_w_ != 0) {
            const std::size_t z = std::size_t(row.type() - 1);
            const double y00 = 1 / std::sqrt(4 * std::numbers::pi);
            for (std::size_t k = 0; k < n; ++k) cre[z * block + k * nylm] += centre_w_ * y00 * centre_prim_[k];
        }
        transform(S, cre, cim, tre, tim);
        spectrum(S, tre, tim, pout);
        const std::size_t F = features(S);
        double norm = 1;
        if (p_.normalize) {
            double s2 = 0;
            for (std::size_t f = 0; f < F; ++f) s2 += pout[f] * pout[f];
            norm = s2 > 0 ? std::sqrt(s2) : 1;
        }
        for (std::size_t f = 0; f < F; ++f) out[f] = T(pout[f] / norm);
    }

private:
    /// The primitive/basis radial factor of the centre (d = 0, l = 0), before the 4π Y_00 weight.
    double centre_prim(std::size_t k) const noexcept {
        if (p_.basis == soap_basis::gto) return prim_scale_[k];  // l = 0: (2ηd)^0 e^0
        // polynomial: ∫ r² g_k(r) e^{−ηr²} dr (i_0(0) = 1) for basis function k directly
        double s = 0;
        for (std::size_t q = 0; q < nodes_.size(); ++q)
            s += node_weight_[q] * node_basis_[q * std::size_t(p_.n_max) + k] * std::exp(-eta_ * nodes_[q] * nodes_[q]);
        return s;
    }

    /// C^Z_{klm} += w prim_{kl}(d) Y_lm(r̂) over the bonds of the row (polynomial: k is the
    /// basis function n itself and the transform is the identity).
    template <class T>
    void accumulate(const particle_row<T>& row, int S, double* cre, double* cim) const {
        const std::size_t n = std::size_t(p_.n_max), nylm = detail::ylm_count(p_.l_max), L = std::size_t(p_.l_max);
        const std::size_t block = n * nylm;
        const double r2max = radius_ * radius_;
        if constexpr (!std::is_void_v<Arch>) {
            if (p_.basis == soap_basis::gto) return accumulate_simd(row, S, cre, cim);
        }
        double yre[detail::max_ylm], yim[detail::max_ylm], prim[(detail::max_degree + 1) * 20], bes[detail::max_degree + 1];
        for (std::size_t b = 0; b < row.size(); ++b) {
            const double d2 = double(row.distances2[b]);
            if (!(d2 < r2max) || !(d2 > 0)) continue;
            const double d = std::sqrt(d2), w = weight(d);
            if (w == 0) continue;
            const vec3<T>& v = row.vectors[b];
            std::fill(yre, yre + nylm, 0.0);
            std::fill(yim, yim + nylm, 0.0);
            detail::add_ylm<double>(double(v.x) / d, double(v.y) / d, double(v.z) / d, w, p_.l_max, yre, yim);
            if (p_.basis == soap_basis::gto) {
                double dl = 1;
                for (std::size_t l = 0; l <= L; ++l, dl *= d)
                    for (std::size_t k = 0; k < n; ++k)
                        prim[l * n + k] = prim_scale_[l * n + k] * dl * std::exp(-prim_decay_[l * n + k] * d2);
            } else {
                std::fill(prim, prim + (L + 1) * n, 0.0);
                for (std::size_t q = 0; q < nodes_.size(); ++q) {
                    const double r = nodes_[q], g = eta_ * (r - d) * (r - d);
                    if (g > 40) continue;
                    detail::scaled_sph_bessel_i(2 * eta_ * r * d, p_.l_max, bes);
                    const double f = node_weight_[q] * std::exp(-g);
                    for (std::size_t l = 0; l <= L; ++l)
                        for (std::size_t k = 0; k < n; ++k) prim[l * n + k] += f * bes[l] * node_basis_[q * n + k];
                }
            }
            const std::size_t z = std::size_t(row.neighbor_type(b) - 1) * block;
            for (std::size_t k = 0; k < n; ++k)
                for (std::size_t l = 0; l <= L; ++l) {
                    const double pr = prim[l * n + k];
                    for (std::size_t m = 0; m <= l; ++m) {
                        const std::size_t y = detail::ylm_index(int(l), int(m));
                        cre[z + k * nylm + y] += pr * yre[y];
                        cim[z + k * nylm + y] += pr * yim[y];
                    }
                }
        }
        (void)S;
    }

    /// The gto bond loop on xsimd batches: one bond per lane; per species, accumulators of
    /// C_{klm} (lanes summed once at the end).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"  // GCC 12's AVX-512 intrinsics (_mm512_undefined_pd)
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
    template <class T>
    void accumulate_simd(const particle_row<T>& row, int S, double* cre, double* cim) const {
        using B = xsimd::batch<double, Arch>;
        constexpr std::size_t W = B::size;
        const std::size_t n = std::size_t(p_.n_max), nylm = detail::ylm_count(p_.l_max), L = std::size_t(p_.l_max);
        const std::size_t block = n * nylm;
        const double r2max = radius_ * radius_;
        thread_local std::vector<B, xsimd::aligned_allocator<B>> acc;
        const std::size_t nacc = 2 * std::size_t(S) * block;
        if (acc.size() < nacc) acc.resize(nacc);
        std::fill(acc.begin(), acc.begin() + std::ptrdiff_t(nacc), B(0.0));
        alignas(64) double xs[W], ys[W], zs[W], ds[W], ws[W];
        int zt[W];
        std::array<B, detail::max_ylm> yre, yim;
        std::array<B, (detail::max_degree + 1) * 20> prim;
        std::size_t lane = 0;
        auto flush = [&](std::size_t used) {
            for (std::size_t q = used; q < W; ++q) xs[q] = ys[q] = zs[q] = ds[q] = ws[q] = 0, zt[q] = 0;
            const B x = B::load_aligned(xs), y = B::load_aligned(ys), z = B::load_aligned(zs);
            const B d = B::load_aligned(ds), w = B::load_aligned(ws);
            const B d2 = d * d;
            const B inv = xsimd::select(d > B(0.0), B(1.0) / d, B(0.0));
            for (std::size_t k = 0; k < nylm; ++k) yre[k] = yim[k] = B(0.0);
            detail::add_ylm<double>(B(x * inv), B(y * inv), B(z * inv), w, p_.l_max, yre.data(), yim.data());
            // the primitive radial factors of every lane once, then per species with a lane mask
            B dl(1.0);
            for (std::size_t l = 0; l <= L; ++l, dl *= d)
                for (std::size_t k = 0; k < n; ++k)
                    prim[l * n + k] = B(prim_scale_[l * n + k]) * dl * xsimd::exp(B(-prim_decay_[l * n + k]) * d2);
            for (int s = 0; s < S; ++s) {
                alignas(64) double mk[W];
                bool any = false;
                for (std::size_t q = 0; q < W; ++q) {
                    mk[q] = zt[q] == s + 1 ? 1.0 : 0.0;
                    any = any || mk[q] != 0;
                }
                if (!any) continue;
                const B mask = B::load_aligned(mk);
                B* const are = acc.data() + std::size_t(s) * block;
                B* const aim = acc.data() + std::size_t(S) * block + std::size_t(s) * block;
                for (std::size_t l = 0; l <= L; ++l)
                    for (std::size_t k = 0; k < n; ++k) {
                        const B pr = prim[l * n + k] * mask;
                        for (std::size_t m = 0; m <= l; ++m) {
                            const std::size_t yy = detail::ylm_index(int(l), int(m));
                            are[k * nylm + yy] = xsimd::fma(pr, yre[yy], are[k * nylm + yy]);
                            aim[k * nylm + yy] = xsimd::fma(pr, yim[yy], aim[k * nylm + yy]);
                        }
                    }
            }
        };
        for (std::size_t b = 0; b < row.size(); ++b) {
            const double d2 = double(row.distances2[b]);
            if (!(d2 < r2max) || !(d2 > 0)) continue;
            const double d = std::sqrt(d2), w = weight(d);
            if (w == 0) continue;
            xs[lane] = double(row.vectors[b].x);
            ys[lane] = double(row.vectors[b].y);
            zs[lane] = double(row.vectors[b].z);
            ds[lane] = d;
            ws[lane] = w;
            zt[lane] = row.neighbor_type(b);
            if (++lane == W) {
                flush(W);
                lane = 0;
            }
        }
        if (lane > 0) flush(lane);
        for (std::size_t a = 0; a < std::size_t(S) * block; ++a) {
            cre[a] = xsimd::hadd(acc[a]);
            cim[a] = xsimd::hadd(acc[std::size_t(S) * block + a]);
        }
    }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

    /// c^Z_{nlm} = Σ_k β^{(l)}_{nk} C^Z_{klm} (gto); the polynomial basis was applied per node.
    void transform(int S, const double* cre, const double* cim, double* tre, double* tim) const {
        const std::size_t n = std::size_t(p_.n_max), nylm = detail::ylm_count(p_.l_max), L = std::size_t(p_.l_max);
        const std::size_t block = n * nylm;
        if (p_.basis != soap_basis::gto) {
            std::copy(cre, cre + std::size_t(S) * block, tre);
            std::copy(cim, cim + std::size_t(S) * block, tim);
            return;
        }
        for (std::size_t z = 0; z < std::size_t(S); ++z)
            for (std::size_t l = 0; l <= L; ++l) {
                const double* beta = beta_.data() + l * n * n;
                for (std::size_t a = 0; a < n; ++a)
                    for (std::size_t m = 0; m <= l; ++m) {
                        const std::size_t y = detail::ylm_index(int(l), int(m));
                        double sr = 0, si = 0;
                        for (std::size_t k = 0; k < n; ++k) {
                            sr += beta[a * n + k] * cre[z * block + k * nylm + y];
                            si += beta[a * n + k] * cim[z * block + k * nylm + y];
                        }
                        tre[z * block + a * nylm + y] = sr;
                        tim[z * block + a * nylm + y] = si;
                    }
            }
    }

    /// Σ_m c^{Z1}_{nlm} c^{Z2*}_{n'lm} over m = −l … l from m ≥ 0: the m = 0 term plus twice the
    /// real part of the m > 0 terms (Y_{l,−m} = (−1)^m Y*_{lm} for both factors).
    static double msum(const double* are, const double* aim, const double* bre, const double* bim, int l) noexcept {
        const std::size_t y0 = detail::ylm_index(l, 0);
        double s = are[y0] * bre[y0] + aim[y0] * bim[y0];
        for (int m = 1; m <= l; ++m) {
            const std::size_t y = y0 + std::size_t(m);
            s += 2 * (are[y] * bre[y] + aim[y] * bim[y]);
        }
        return s;
    }

    void spectrum(int S, double* cre, double* cim, double* p) const {
        const std::size_t n = std::size_t(p_.n_max), nylm = detail::ylm_count(p_.l_max);
        const std::size_t block = n * nylm;
        const int L = p_.l_max;
        if (p_.compression == soap_compression::mu2) {  // sum the species into species 0
            for (std::size_t z = 1; z < std::size_t(S); ++z)
                for (std::size_t a = 0; a < block; ++a) {
                    cre[a] += cre[z * block + a];
                    cim[a] += cim[z * block + a];
                }
            S = 1;
        }
        std::size_t f = 0;
        if (p_.compression == soap_compression::mu1nu1) {  // each species against the species sum
            // the species sum goes into the 2·block scratch behind the imaginary parts (compute())
            double* const sre = cim + std::size_t(S) * block;
            double* const sim = sre + block;
            std::fill(sre, sre + block, 0.0);
            std::fill(sim, sim + block, 0.0);
            for (std::size_t z = 0; z < std::size_t(S); ++z)
                for (std::size_t a = 0; a < block; ++a) {
                    sre[a] += cre[z * block + a];
                    sim[a] += cim[z * block + a];
                }
            for (int z = 0; z < S; ++z)
                for (int l = 0; l <= L; ++l) {
                    const double pre = std::numbers::pi * std::sqrt(8.0 / (2.0 * l + 1.0));
                    for (std::size_t a = 0; a < n; ++a)
                        for (std::size_t b = 0; b < n; ++b) {
                            const std::size_t oa = std::size_t(z) * block + a * nylm;
                            p[f++] = pre * msum(cre + oa, cim + oa, sre + b * nylm, sim + b * nylm, l);
                        }
                }
            return;
        }
        for (int z1 = 0; z1 < S; ++z1)
            for (int z2 = z1; z2 < (p_.compression == soap_compression::off ? S : z1 + 1); ++z2)
                for (int l = 0; l <= L; ++l) {
                    const double pre = std::numbers::pi * std::sqrt(8.0 / (2.0 * l + 1.0));
                    for (std::size_t a = 0; a < n; ++a)
                        for (std::size_t b = z1 == z2 ? a : 0; b < n; ++b) {
                            const std::size_t oa = std::size_t(z1) * block + a * nylm;
                            const std::size_t ob = std::size_t(z2) * block + b * nylm;
                            p[f++] = pre * msum(cre + oa, cim + oa, cre + ob, cim + ob, l);
                        }
                }
    }

    soap_parameters p_;
    double eta_ = 0, r0_ = 0, radius_ = 0, centre_w_ = 1, basis_defect_ = 0;
    std::vector<double> alpha_, beta_, prim_scale_, prim_decay_;  // gto: [l][k], β [l][n][k]
    std::vector<double> nodes_, node_weight_, node_basis_;        // polynomial: r_q, 4π w_q r_q², g_n(r_q)
    std::vector<double> centre_prim_;                             // centre_prim(k), k < n_max
};

/// SOAP for the build's default xsimd architecture.
using soap = basic_soap<xsimd::default_arch>;

}  // namespace tessera
