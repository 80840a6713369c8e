#pragma once
/// @file
/// D²min — non-affine squared displacement (Falk & Langer, PRE 57, 7192 (1998)) — and the
/// atomic-strain family from the same local affine map (Shimizu, Ogata & Li, Mater. Trans. 48,
/// 2923 (2007); OVITO's Atomic Strain modifier).
///
/// For particle i with reference neighbours j (|d_j(0)| < r_cut in the *reference* frame):
/// \f[ X = \sum_j d_j(t)\, d_j(0)^T,\quad Y = \sum_j d_j(0)\, d_j(0)^T,\quad J = X Y^{-1},\quad
///     D^2_{\min} = \frac{1}{n_i}\sum_j \left| d_j(t) - J\, d_j(0) \right|^2 \f]
/// (normalised by the neighbour count n_i as seeds 003/004 do; `d2min_normalization::sum` gives
/// OVITO's unnormalised sum). From J: Green–Lagrangian strain E = (JᵀJ − I)/2, von Mises shear
/// strain sqrt(E_xy² + E_xz² + E_yz² + ((E_xx−E_yy)² + (E_xx−E_zz)² + (E_yy−E_zz)²)/6),
/// volumetric strain tr(E)/3, and the rotation angle θ ∈ [0, π] of R in the polar
/// decomposition J = R U (core/polar.hpp).
///
/// **Bond mapping under a changing box.** d_j(t) is the *same* bond as d_j(0): same neighbour
/// id and same periodic image, followed to the current frame. It is mapped through fractional
/// coordinates: with Δs₀ = h₀⁻¹ d_j(0) (the reference bond in reference-cell fractions, image
/// included) and Δs_t = s_j(t) − s_i(t),
/// \f[ d_j(t) = h_t \left[ \Delta s_0 + \mathrm{rint}^{*}(\Delta s_t - \Delta s_0) \right], \f]
/// where rint* subtracts the nearest integer on periodic axes. The affine part of the box change
/// is carried by h_t exactly, whatever image the bond uses, so this works for any tilt, for
/// tension, and for cutoffs beyond half a box length (bonds to periodic images, self images
/// included). The only assumption is that a bond's change in fractional coordinates, beyond the
/// box's own deformation, stays below half a cell per axis. The alternative — reference bond plus
/// the Cartesian minimum-image displacement change — fails under a box change for every bond
/// that crosses a periodic boundary: its image shift changes from h₀n to h_t n, which is not a
/// lattice vector of the current box. OVITO maps through reduced coordinates for the same reason.
/// Positions may be wrapped or unwrapped; image flags are not needed.
///
/// **Invalid particles** (fewer than `min_neighbors` (≥ 3) reference neighbours; Y ill
/// conditioned, i.e. λ_min(Y) ≤ min_rcond·λ_max(Y) — coplanar or collinear neighbours; or
/// det J ≤ 0, an inverted neighbourhood with no proper rotation) are undefined: d2min = shear =
/// volumetric = rotation = NaN, J = I and `valid = 0` (OVITO writes 0 there and flags them in a
/// selection; tessera's rule for undefined values is NaN, so none reads as "no activity").
///
/// Particles are matched by id, so the frames may list them in any order; results are in the
/// current frame's row order. Identical results for any thread count (per-particle work only).

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/polar.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/descriptors/frame_pair.hpp>
#include <tessera/dynamics/trajectory.hpp>
#include <tessera/neighbors/query.hpp>

#include <xsimd/xsimd.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <cstdint>
#include <span>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

namespace tessera {

enum class d2min_normalization {
    per_neighbor,  ///< Σ|…|² / n_i (Falk–Langer as used in seeds 003, 004); the default
    sum,           ///< Σ|…|² (OVITO's Atomic Strain modifier)
};

struct d2min_options {
    double cutoff = 0;  ///< neighbours in the reference frame: |d_j(0)| < cutoff
    d2min_normalization normalization = d2min_normalization::per_neighbor;
    std::size_t min_neighbors = 3;  ///< fewer → invalid (must be ≥ 3: J has 9 unknowns)
    double min_rcond = 1e-10;       ///< λ_min(Y)/λ_max(Y) at or below this → invalid
    /// X, Y and the residual accumulated with xsimd batches over neighbours (default) or by the
    /// scalar loop; they differ only by summation order (~1e-16 relative).
    bool vectorized = true;
};

/// Per-particle results, arrays in the current frame's row order.
template <class T = double>
struct atomic_strain_result {
    std::vector<T> d2min;
    std::vector<T> shear_strain;       ///< von Mises invariant of E
    std::vector<T> volumetric_strain;  ///< tr(E)/3
    std::vector<T> rotation;           ///< radians, [0, π]
    std::vector<unsigned char> valid;  ///< 1 valid, 0 flagged (values are then 0)
    std::vector<std::uint32_t> num_neighbors;  ///< reference neighbours n_i
    std::vector<mat3<T>> deformation;          ///< J (identity when invalid)

    std::size_t size() const noexcept { return d2min.size(); }
    void resize(std::size_t n) {
        d2min.resize(n);
        shear_strain.resize(n);
        volumetric_strain.resize(n);
        rotation.resize(n);
        valid.resize(n);
        num_neighbors.resize(n);
        deformation.resize(n);
    }
};

/// Green–Lagrangian strain E = (JᵀJ − I)/2.
template <class T>
mat3<T> green_lagrangian(const mat3<T>& J) noexcept {
    mat3<T> e = transpose(J) * J - mat3<T>::identity();
    return e * T(0.5);
}
/// von Mises shear-strain invariant of a symmetric strain tensor (Shimizu, Ogata, Li 2007).
template <class T>
T von_mises_strain(const mat3<T>& e) noexcept {
    const T dxy = e(0, 0) - e(1, 1), dxz = e(0, 0) - e(2, 2), dyz = e(1, 1) - e(2, 2);
    return std::sqrt(e(0, 1) * e(0, 1) + e(0, 2) * e(0, 2) + e(1, 2) * e(1, 2) +
                     (dxy * dxy + dxz * dxz + dyz * dyz) / T(6));
}

namespace detail {

/// One particle's local affine fit: the values of one row of atomic_strain_result.
template <class T>
struct affine_fit {
    T d2min, shear_strain, volumetric_strain, rotation;
    unsigned char valid;
    std::uint32_t num_neighbors;
    mat3<T> deformation;
};

/// The local affine fit of one particle with n bonds. Shared by the scalar and batched paths, by
/// d2min() and by d2min_descriptor, so the strain formulas exist once. X and Y are accumulated
/// by the caller; residual(J) returns Σ|d_j(t) − J d_j(0)|².
template <class T, class Residual>
affine_fit<T> fit_affine(const mat3<T>& X, const mat3<T>& Y, std::size_t n, Residual&& residual,
                         const d2min_options& opt) noexcept {
    affine_fit<T> r;
    r.num_neighbors = static_cast<std::uint32_t>(n);
    // Undefined: NaN, so that no number reads as "no plastic activity" (docs/cli.md).
    r.d2min = r.shear_strain = r.volumetric_strain = r.rotation = std::numeric_limits<T>::quiet_NaN();
    r.valid = 0;
    r.deformation = mat3<T>::identity();
    if (n < opt.min_neighbors) return r;
    // Conditioning: λ_min/λ_max ≥ det(Y)/tr(Y)³ (λ_max ≤ tr, λ_min ≥ det/λ_max²), so a large
    // det/tr³ (1/27 for isotropic neighbours) proves Y well conditioned without an eigensolve;
    // only doubtful cases pay for the Jacobi eigenvalues.
    const T tr = Y(0, 0) + Y(1, 1) + Y(2, 2);
    const T det = determinant(Y);
    if (!(tr > T(0))) return r;
    if (!(det > T(opt.min_rcond) * tr * tr * tr)) {
        const symmetric_eigen<T> ey = eigen_symmetric(Y);
        if (!(ey.values[0] > T(opt.min_rcond) * ey.values[2]) || !(ey.values[2] > T(0))) return r;
    }
    const mat3<T> y_inv = inverse(Y);
    const mat3<T> J = X * y_inv;
    if (!(determinant(J) > T(0))) return r;
    const T sum = residual(J);  // the residual directly (the expanded form cancels catastrophically near 0)
    const mat3<T> E = green_lagrangian(J);
    r.d2min = opt.normalization == d2min_normalization::per_neighbor ? sum / T(n) : sum;
    r.shear_strain = von_mises_strain(E);
    r.volumetric_strain = (E(0, 0) + E(1, 1) + E(2, 2)) / T(3);
    const polar_decomposition<T> p = polar(J);
    r.rotation = p.ok ? rotation_angle(p.rotation) : T(0);
    r.valid = p.ok ? 1 : 0;
    r.deformation = J;
    return r;
}

/// fit_affine() into row `row` of `out`.
template <class T, class Residual>
void finish_affine_fit(const mat3<T>& X, const mat3<T>& Y, std::size_t n, Residual&& residual, const d2min_options& opt,
                       atomic_strain_result<T>& out, std::size_t row) noexcept {
    const affine_fit<T> r = fit_affine<T>(X, Y, n, residual, opt);
    out.num_neighbors[row] = r.num_neighbors;
    out.d2min[row] = r.d2min;
    out.shear_strain[row] = r.shear_strain;
    out.volumetric_strain[row] = r.volumetric_strain;
    out.rotation[row] = r.rotation;
    out.valid[row] = r.valid;
    out.deformation[row] = r.deformation;
}

/// Bonds in SoA form: a = d(t), b = d(0), n entries each.
template <class T>
struct bond_soa {
    const T *ax, *ay, *az, *bx, *by, *bz;
    std::size_t n;
};

template <class T>
void accumulate_xy(const bond_soa<T>& d, mat3<T>& X, mat3<T>& Y) noexcept {
    X = mat3<T>{};
    Y = mat3<T>{};
    for (std::size_t k = 0; k < d.n; ++k) {
        const T a[3] = {d.ax[k], d.ay[k], d.az[k]}, b[3] = {d.bx[k], d.by[k], d.bz[k]};
        for (std::size_t r = 0; r < 3; ++r)
            for (std::size_t c = 0; c < 3; ++c) {
                X(r, c) += a[r] * b[c];
                Y(r, c) += b[r] * b[c];
            }
    }
}

/// X (9 sums) and Y (6 sums) with one batch per sum, lanes over neighbours, scalar tail.
template <class Arch, class T>
void accumulate_xy_simd(const bond_soa<T>& d, mat3<T>& X, mat3<T>& Y) noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr std::size_t W = batch::size;
    const std::size_t nv = d.n - d.n % W;
    batch x[9], y[6];
    for (auto& v : x) v = batch(T(0));
    for (auto& v : y) v = batch(T(0));
    for (std::size_t k = 0; k < nv; k += W) {
        const batch a[3] = {batch::load_unaligned(d.ax + k), batch::load_unaligned(d.ay + k), batch::load_unaligned(d.az + k)};
        const batch b[3] = {batch::load_unaligned(d.bx + k), batch::load_unaligned(d.by + k), batch::load_unaligned(d.bz + k)};
        for (std::size_t r = 0; r < 3; ++r)
            for (std::size_t c = 0; c < 3; ++c) x[3 * r + c] = xsimd::fma(a[r], b[c], x[3 * r + c]);
        y[0] = xsimd::fma(b[0], b[0], y[0]);
        y[1] = xsimd::fma(b[0], b[1], y[1]);
        y[2] = xsimd::fma(b[0], b[2], y[2]);
        y[3] = xsimd::fma(b[1], b[1], y[3]);
        y[4] = xsimd::fma(b[1], b[2], y[4]);
        y[5] = xsimd::fma(b[2], b[2], y[5]);
    }
    for (std::size_t q = 0; q < 9; ++q) X.a[q] = xsimd::hadd(x[q]);
    const T ys[6] = {xsimd::hadd(y[0]), xsimd::hadd(y[1]), xsimd::hadd(y[2]),
                     xsimd::hadd(y[3]), xsimd::hadd(y[4]), xsimd::hadd(y[5])};
    Y = mat3<T>{{ys[0], ys[1], ys[2], ys[1], ys[3], ys[4], ys[2], ys[4], ys[5]}};
    for (std::size_t k = nv; k < d.n; ++k) {
        const T a[3] = {d.ax[k], d.ay[k], d.az[k]}, b[3] = {d.bx[k], d.by[k], d.bz[k]};
        for (std::size_t r = 0; r < 3; ++r)
            for (std::size_t c = 0; c < 3; ++c) {
                X(r, c) += a[r] * b[c];
                Y(r, c) += b[r] * b[c];
            }
    }
}

template <class T>
T residual_sum(const bond_soa<T>& d, const mat3<T>& J) noexcept {
    T sum = 0;
    for (std::size_t k = 0; k < d.n; ++k) {
        const vec3<T> r = vec3<T>{d.ax[k], d.ay[k], d.az[k]} - J * vec3<T>{d.bx[k], d.by[k], d.bz[k]};
        sum += norm2(r);
    }
    return sum;
}

template <class Arch, class T>
T residual_sum_simd(const bond_soa<T>& d, const mat3<T>& J) noexcept {
    using batch = xsimd::batch<T, Arch>;
    constexpr std::size_t W = batch::size;
    const std::size_t nv = d.n - d.n % W;
    batch acc(T(0));
    for (std::size_t k = 0; k < nv; k += W) {
        const batch bx = batch::load_unaligned(d.bx + k), by = batch::load_unaligned(d.by + k),
                    bz = batch::load_unaligned(d.bz + k);
        const batch rx = batch::load_unaligned(d.ax + k) - (J(0, 0) * bx + J(0, 1) * by + J(0, 2) * bz);
        const batch ry = batch::load_unaligned(d.ay + k) - (J(1, 0) * bx + J(1, 1) * by + J(1, 2) * bz);
        const batch rz = batch::load_unaligned(d.az + k) - (J(2, 0) * bx + J(2, 1) * by + J(2, 2) * bz);
        acc += rx * rx + ry * ry + rz * rz;
    }
    T sum = xsimd::hadd(acc);
    const bond_soa<T> tail{d.ax + nv, d.ay + nv, d.az + nv, d.bx + nv, d.by + nv, d.bz + nv, d.n - nv};
    return sum + residual_sum(tail, J);
}

inline void require_cutoff(const d2min_options& opt) {
    if (!(opt.cutoff > 0) || !std::isfinite(opt.cutoff)) {
        throw error("D²min: the cutoff must be positive and finite, got ", opt.cutoff);
    }
    if (opt.min_neighbors < 3) throw error("D²min: min_neighbors must be at least 3 (J has 9 unknowns)");
    if (!(opt.min_rcond >= 0)) throw error("D²min: min_rcond must be >= 0");
}

}  // namespace detail

/// A prepared reference configuration: ids, fractional positions, the reference cell and every
/// reference bond (neighbour row, Cartesian vector d(0), fractional vector h₀⁻¹ d(0)). Build
/// once, compare many current frames against it.
template <class T = double>
class d2min_reference {
public:
    d2min_reference() = default;

    template <particle_storage S, box B, class Policy = serial_policy>
    d2min_reference(const S& positions, const B& bx, std::span<const std::int64_t> ids, const d2min_options& opt,
                    Policy policy = {}, const std::string& what = "reference frame")
        : opt_(opt), what_(what) {
        detail::require_cutoff(opt);
        const std::size_t n = tessera::size(positions);
        if (ids.size() != n) {
            throw error(what, ": ", ids.size(), " ids for ", n, " particles");
        }
        index_ = id_index(ids, what);
        h_ = mat3<T>(bx.cell());
        h_inv_ = inverse(h_);
        for (std::size_t d = 0; d < 3; ++d) periodic_[d] = bx.periodic(d);
        frac_.resize(n);
        for (std::size_t i = 0; i < n; ++i) {
            const vec3<T> r(position(positions, i));
            if (!is_finite(r)) {
                throw error(what, ": non-finite position of atom id ", ids[i]);
            }
            frac_[i] = vec3<T>(bx.to_fractional(vec3<typename B::value_type>(r)));
        }
        list_ = find_neighbors<T>(positions, bx, ball{opt.cutoff}, query_options{}, policy);
        frac_bond_.resize(list_.num_bonds());
        const auto vecs = list_.all_vectors();
        for (auto* v : {&d0x_, &d0y_, &d0z_}) v->resize(vecs.size());
        for (std::size_t b = 0; b < vecs.size(); ++b) {
            frac_bond_[b] = h_inv_ * vecs[b];
            d0x_[b] = vecs[b].x;
            d0y_[b] = vecs[b].y;
            d0z_[b] = vecs[b].z;
        }
    }

    std::size_t size() const noexcept { return frac_.size(); }
    const id_index& index() const noexcept { return index_; }
    const neighbor_list<T>& neighbors() const noexcept { return list_; }
    const mat3<T>& cell() const noexcept { return h_; }
    const d2min_options& options() const noexcept { return opt_; }
    std::span<const vec3<T>> fractional_bonds() const noexcept { return frac_bond_; }
    const periodicity& periodic() const noexcept { return periodic_; }
    const std::string& what() const noexcept { return what_; }
    /// Reference bond vectors d(0) as separate x, y, z arrays (CSR order), for batched kernels.
    std::span<const T> d0x() const noexcept { return d0x_; }
    std::span<const T> d0y() const noexcept { return d0y_; }
    std::span<const T> d0z() const noexcept { return d0z_; }

private:
    d2min_options opt_;
    std::string what_;
    id_index index_;
    mat3<T> h_, h_inv_;
    periodicity periodic_{};
    std::vector<vec3<T>> frac_;
    neighbor_list<T> list_;
    std::vector<vec3<T>> frac_bond_;
    std::vector<T> d0x_, d0y_, d0z_;
};

/// D²min and atomic strain of every particle of the current frame against `ref` (rows in the
/// current frame's order). Throws when the set of ids differs, the periodicity differs, or a
/// position is not finite.
template <class Arch = xsimd::default_arch, class T, particle_storage S, box B, class Policy = serial_policy>
void d2min(const d2min_reference<T>& ref, const S& positions, const B& bx, std::span<const std::int64_t> ids,
           atomic_strain_result<T>& out, Policy policy = {}, const std::string& what = "current frame") {
    const std::size_t n = tessera::size(positions);
    if (ids.size() != n) {
        throw error(what, ": ", ids.size(), " ids for ", n, " particles");
    }
    for (std::size_t d = 0; d < 3; ++d)
        if (bx.periodic(d) != ref.periodic()[d]) {
            throw error(what, ": periodicity along axis ", d, " differs from ", ref.what());
        }
    // Same ids in the same order as the reference (the common case of sorted dumps): rows match
    // as they are, and the ids were validated with the reference.
    std::vector<std::size_t> ref_of_cur;
    const auto ref_ids = ref.index().ids();
    if (ids.size() == ref_ids.size() && std::equal(ids.begin(), ids.end(), ref_ids.begin())) {
        ref_of_cur.resize(n);
        for (std::size_t c = 0; c < n; ++c) ref_of_cur[c] = c;
    } else {
        ref_of_cur = match_ids(ref.index(), id_index(ids, what), id_mismatch::error, what, "reference", "current");
    }
    std::vector<vec3<T>> s(n);  // current fractional positions, in reference row order
    for (std::size_t c = 0; c < n; ++c) {
        const vec3<T> r(position(positions, c));
        if (!is_finite(r)) {
            throw error(what, ": non-finite position of atom id ", ids[c]);
        }
        s[ref_of_cur[c]] = vec3<T>(bx.to_fractional(vec3<typename B::value_type>(r)));
    }
    const mat3<T> h(bx.cell());
    const auto& list = ref.neighbors();
    const auto frac_bonds = ref.fractional_bonds();
    const auto offsets = list.offsets();
    const auto indices = list.indices();
    const auto d0x = ref.d0x(), d0y = ref.d0y(), d0z = ref.d0z();
    const periodicity per = ref.periodic();
    const d2min_options& opt = ref.options();
    out.resize(n);
    constexpr std::size_t chunk = 1024;
    detail::for_each_chunk(policy, n, chunk, [&](std::size_t, std::size_t b, std::size_t e) {
        std::vector<T> tx, ty, tz;  // per-chunk scratch d(t): no allocation per particle
        for (auto* v : {&tx, &ty, &tz}) v->reserve(64);
        for (std::size_t c = b; c < e; ++c) {
            const std::size_t i = ref_of_cur[c];
            const std::size_t begin = offsets[i], end = offsets[i + 1], m = end - begin;
            tx.resize(m);
            ty.resize(m);
            tz.resize(m);
            for (std::size_t k = begin; k < end; ++k) {
                const vec3<T> f = detail::follow_fractional_bond(frac_bonds[k], s[indices[k]] - s[i], per);
                const vec3<T> d = h * f;
                tx[k - begin] = d.x;
                ty[k - begin] = d.y;
                tz[k - begin] = d.z;
            }
            const detail::bond_soa<T> bonds{tx.data(), ty.data(), tz.data(), d0x.data() + begin,
                                            d0y.data() + begin, d0z.data() + begin, m};
            mat3<T> X, Y;
            if (opt.vectorized) {
                detail::accumulate_xy_simd<Arch>(bonds, X, Y);
                detail::finish_affine_fit<T>(
                    X, Y, m, [&](const mat3<T>& J) { return detail::residual_sum_simd<Arch>(bonds, J); }, opt, out, c);
            } else {
                detail::accumulate_xy(bonds, X, Y);
                detail::finish_affine_fit<T>(
                    X, Y, m, [&](const mat3<T>& J) { return detail::residual_sum(bonds, J); }, opt, out, c);
            }
        }
    });
}

/// D²min and atomic strain as a two-frame descriptor (descriptors/frame_pair.hpp), for
/// compute_frame_pairs (pipeline/frame_pairs.hpp): reads the reference bonds within
/// options.cutoff and the same bonds now; columns `d2min shear_strain volumetric_strain rotation
/// strain_valid` (as `tessera d2min`). Alone, equal to d2min() bit for bit without FP contraction
/// (to rounding with FMA).
struct d2min_descriptor {
    d2min_options options;

    /// The bonds of one row as the batched kernels read them (grown once per chunk).
    struct scratch {
        std::vector<double> ax, ay, az, bx, by, bz;
    };

    frame_pair_request request() const { return {options.cutoff, 0}; }
    std::vector<std::string> columns(const particle_properties&) const {
        return {"d2min", "shear_strain", "volumetric_strain", "rotation", "strain_valid"};
    }
    void prepare(const particle_properties&, const particle_properties&) const { detail::require_cutoff(options); }

    template <class T, class Arch = xsimd::default_arch>
    void compute(const frame_pair_row<T>& row, output_row<T> out, scratch& s) const {
        static_assert(std::is_same_v<T, double>, "d2min_descriptor: double precision rows");
        const std::size_t m = row.reference.size();
        for (auto* v : {&s.ax, &s.ay, &s.az, &s.bx, &s.by, &s.bz}) v->resize(m);
        for (std::size_t k = 0; k < m; ++k) {
            s.ax[k] = row.reference_bonds_now[k].x;
            s.ay[k] = row.reference_bonds_now[k].y;
            s.az[k] = row.reference_bonds_now[k].z;
            s.bx[k] = row.reference.vectors[k].x;
            s.by[k] = row.reference.vectors[k].y;
            s.bz[k] = row.reference.vectors[k].z;
        }
        const detail::bond_soa<T> bonds{s.ax.data(), s.ay.data(), s.az.data(), s.bx.data(), s.by.data(), s.bz.data(), m};
        mat3<T> X, Y;
        detail::affine_fit<T> r;
        if (options.vectorized) {
            detail::accumulate_xy_simd<Arch>(bonds, X, Y);
            r = detail::fit_affine<T>(
                X, Y, m, [&](const mat3<T>& J) { return detail::residual_sum_simd<Arch>(bonds, J); }, options);
        } else {
            detail::accumulate_xy(bonds, X, Y);
            r = detail::fit_affine<T>(X, Y, m, [&](const mat3<T>& J) { return detail::residual_sum(bonds, J); }, options);
        }
        out[0] = r.d2min;
        out[1] = r.shear_strain;
        out[2] = r.volumetric_strain;
        out[3] = r.rotation;
        out[4] = T(r.valid);
    }
};

}  // namespace tessera
