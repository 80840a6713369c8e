#pragma once
/// @file
/// Normal modes of the dynamical matrix D = M^-1/2 H M^-1/2 (physics/hessian.hpp), the
/// vibrational density of states g(ν), its per-atom projections g_i(ν) and the per-atom
/// boson-peak intensity of Yang, Wei, Zaccone & Wang, "Machine-learning integrated glassy defect
/// from intricate configurational-thermodynamic-dynamic space" (2021; seed 003), §II.E, Eq. (6):
///
///     g_i(ν) = (1/3N) Σ_k δ(ν − ν_k) |e_k,i|²,     g(ν) = Σ_i g_i(ν),     I_BP,i = max_ν g_i(ν)/ν²,
///
/// with e_k the orthonormal eigenvectors of D and |e_k,i|² = Σ_{a=x,y,z} e²_{k,3i+a} atom i's
/// polarisation weight in mode k (their ref. 58, phonopy's projected DOS). Σ_i |e_k,i|² = 1 for
/// every mode, hence Σ_i g_i = g exactly.
///
/// Modes. `dense_modes` diagonalises D with LAPACK's dsyevd (Householder tridiagonalisation +
/// divide and conquer; what numpy.linalg.eigh calls) when compiled with TESSERA_HAVE_LAPACK (the
/// CMake target defines it when find_package(LAPACK) succeeds), else with Eigen's
/// SelfAdjointEigenSolver (tridiagonalisation + implicit QR); `modes_options::solver` picks one
/// explicitly. Both are backward stable and agree to ~u·n·max|λ| (tests/physics/vdos.cpp: 4.7e-14
/// relative on a 480×480 KA matrix); eigenvectors agree up to sign and rotations inside degenerate
/// subspaces, which the per-atom spectra below do not see. Frequencies ν_k = sign(λ_k)·√|λ_k|·scale: with D in
/// eV/(Å²·amu), √λ in rad per 1.018e-14 s (1 eV/(Å²·amu) → ω = 9.82269e13 rad/s), so
/// `frequency_scale_thz` = 9.82269e13/(2π·1e12) gives ν = ω/2π in THz (the paper's axis);
/// `frequency_scale_lj` = 1 gives the angular frequency ω in 1/τ for D in LJ units (ε/(σ²m)).
/// Negative λ (not at a minimum, or numerics) are reported as negative ν and counted, never
/// hidden; |λ| <= zero_tolerance·max|λ| counts as a zero mode (three translations under periodic
/// boundaries; six rigid-body modes for an isolated cluster).
///
/// Cost with eigenvectors, this shared 2-core machine (other jobs running), g++ -O2 -march=native:
///   - LAPACK = Debian's OpenBLAS 0.3.21 (libopenblas0-pthread, 2 threads): 1500×1500 0.83 s,
///     3000×3000 8.5 s, 6000×6000 (2000 atoms) 62 s on a random symmetric matrix; numpy.linalg.eigh
///     at the same moment 1.3 s and 10.5 s (1500, 3000). The minimised 2000-atom CuZr glass's D
///     (bench/physics_modes.cpp, load average 4–8 on the 2 cores): dsyevd 64 s, numpy.linalg.eigh
///     of the same matrix right after 66 s, eigenvalues only 38 s; Hessian + modes + vdos 71 s.
///     The "under a minute" holds when the machine is not oversubscribed (the lead's
///     numpy run: 27 s). Memory: dsyevd's workspace is 1 + 6n + 2n² doubles on top of the
///     matrix and its copy (n = 6000: 0.9 GB in all).
///   - Eigen (one thread): 1500×1500 2.7 s, 3000×3000 38 s, 6000×6000 more than 4 min (its
///     tridiagonalisation is unblocked). Reference LAPACK over reference BLAS is slower still.
///   - Eigenvalues only (`eigenvectors = false`) is several times faster on either path.
/// physics/kpm.hpp is the path for larger systems.
///
/// Spectrum (`vdos`): a histogram of `bins` equal bins on [0, ν_max] of the positive non-zero
/// modes; zero and negative modes are left out (counted in the result). Normalisation is the
/// paper's 1/(3N) over all 3N modes, so Σ_b g_b Δν = (modes histogrammed)/(3N), 1 − 1/N under
/// periodic boundaries. The reduced VDOS is g(ν_b)/ν_b² at the bin centres ν_b.
///
/// Per atom: g_i(ν_b) as above; I_BP,i = max over bins with ν_b in [bp_min, bp_max] of g_i/ν_b²
/// (the paper takes the max over all ν; a window is offered because at the lowest populated bin a
/// single mode divided by ν_b² can dominate in small systems — the default is the paper's);
/// ν_BP,i the bin centre where the max is reached. `vdos_low_i` = (N/N_low) Σ_{k: 0 < ν_k <
/// ν_low} |e_k,i|², atom i's share of the N_low soft modes relative to the average atom (mean 1
/// over atoms; > 1: over-represented in soft modes, the "soft spot" participation of
/// Widmer-Cooper, Perry, Harrowell & Reichman, Nat. Phys. 4, 711 (2008), normalised). ν_low
/// defaults to the system's boson-peak frequency (the argmax of g/ν² in the window): the modes
/// in excess of Debye's are those below the peak.

#include <tessera/core/error.hpp>
#include <tessera/physics/hessian.hpp>

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <vector>

namespace tessera {

/// √(eV/(Å²·amu)) → THz of ν = ω/2π (ω = 9.82269e13 rad/s per unit, LAMMPS metal units).
inline constexpr double frequency_scale_thz = 9.82269e13 / (2.0 * std::numbers::pi * 1e12);
/// LJ units: ω in 1/τ, τ = σ√(m/ε).
inline constexpr double frequency_scale_lj = 1.0;

/// Which dense symmetric eigensolver `dense_modes` uses (file comment: speed, memory).
enum class eigensolver {
    automatic,  ///< LAPACK dsyevd if compiled with TESSERA_HAVE_LAPACK, Eigen otherwise
    eigen,      ///< Eigen::SelfAdjointEigenSolver (always available)
    lapack      ///< LAPACK dsyevd; throws tessera::error unless TESSERA_HAVE_LAPACK is defined
};

/// True when this translation unit was compiled with TESSERA_HAVE_LAPACK (linked to a LAPACK).
#if defined(TESSERA_HAVE_LAPACK)
inline constexpr bool have_lapack = true;
#else
inline constexpr bool have_lapack = false;
#endif

struct modes_options {
    double frequency_scale = frequency_scale_thz;
    double zero_tolerance = 1e-8;  ///< relative to max|λ|: either solver's eigenvalue error is ~1e-15·n·max|λ|
    bool eigenvectors = true;      ///< false: eigenvalues only (about 3× faster)
    eigensolver solver = eigensolver::automatic;
};

struct normal_modes {
    std::size_t num_atoms = 0;
    Eigen::VectorXd eigenvalues;   ///< ascending, units of D
    Eigen::MatrixXd eigenvectors;  ///< column k = e_k, orthonormal (empty if not requested)
    std::vector<double> frequency; ///< ν_k = sign(λ_k)√|λ_k|·scale, ascending
    std::size_t zero_modes = 0;    ///< |λ| <= zero_tolerance·max|λ|
    std::size_t negative_modes = 0;///< λ < −zero_tolerance·max|λ|
    double zero_threshold = 0;     ///< the absolute |λ| bound used
    eigensolver solver = eigensolver::eigen;  ///< the solver that ran (eigen or lapack)

    bool is_zero(std::size_t k) const noexcept { return std::abs(eigenvalues(Eigen::Index(k))) <= zero_threshold; }
};

#if defined(TESSERA_HAVE_LAPACK)
extern "C" {
// LAPACK's Fortran dsyevd (LP64 integers, as Debian's liblapack.so.3 and OpenBLAS build it); the
// two trailing arguments are the hidden lengths of the character arguments (gfortran >= 8 passes
// size_t), declared so the call matches the callee's ABI exactly.
void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w, double* work,
             const int* lwork, int* iwork, const int* liwork, int* info, std::size_t jobz_len, std::size_t uplo_len);
}
#endif

namespace detail {

/// dsyevd on `a` (n×n, column-major, overwritten by the eigenvectors when `vectors`): eigenvalues
/// ascending into `w`. Workspace from LAPACK's own query (lwork = −1).
inline void lapack_syevd([[maybe_unused]] Eigen::MatrixXd& a, [[maybe_unused]] Eigen::VectorXd& w,
                         [[maybe_unused]] bool vectors, const char* who) {
#if defined(TESSERA_HAVE_LAPACK)
    if (a.rows() > Eigen::Index(std::numeric_limits<int>::max() / 8) ||
        double(a.rows()) * double(a.rows()) * 2.0 > double(std::numeric_limits<int>::max()))
        throw error(who, ": ", a.rows(), " rows exceed LAPACK's 32-bit workspace indexing");
    const int n = int(a.rows()), lda = n > 0 ? n : 1;
    const char jobz = vectors ? 'V' : 'N', uplo = 'L';
    w.resize(n);
    int info = 0, lwork = -1, liwork = -1, iwork_query = 0;
    double work_query = 0;
    dsyevd_(&jobz, &uplo, &n, a.data(), &lda, w.data(), &work_query, &lwork, &iwork_query, &liwork, &info, 1, 1);
    if (info != 0) throw error(who, ": LAPACK dsyevd workspace query failed (info = ", info, ")");
    lwork = int(work_query);
    liwork = iwork_query;
    std::vector<double> work(std::size_t(std::max(lwork, 1)));
    std::vector<int> iwork(std::size_t(std::max(liwork, 1)));
    dsyevd_(&jobz, &uplo, &n, a.data(), &lda, w.data(), work.data(), &lwork, iwork.data(), &liwork, &info, 1, 1);
    if (info < 0) throw error(who, ": LAPACK dsyevd rejected argument ", -info);
    if (info > 0) throw error(who, ": LAPACK dsyevd did not converge (info = ", info, ")");
#else
    throw error(who, ": compiled without TESSERA_HAVE_LAPACK");
#endif
}

}  // namespace detail

/// All 3N modes of a dense symmetric matrix (D, or H for unit masses). Only the lower triangle
/// is read by the LAPACK path; Eigen's reads the lower triangle too.
inline normal_modes dense_modes(const Eigen::MatrixXd& d, std::size_t num_atoms, const modes_options& o = {}) {
    static constexpr const char* who = "tessera::dense_modes";
    if (d.rows() != d.cols() || std::size_t(d.rows()) != 3 * num_atoms)
        throw error(who, ": matrix is ", d.rows(), "x", d.cols(), ", expected ", 3 * num_atoms, " square");
    if (!(o.frequency_scale > 0) || !std::isfinite(o.frequency_scale))
        throw error(who, ": frequency_scale must be finite and > 0, got ", o.frequency_scale);
    if (!(o.zero_tolerance >= 0) || !(o.zero_tolerance < 1))
        throw error(who, ": zero_tolerance must be in [0, 1), got ", o.zero_tolerance);
    if (o.solver != eigensolver::automatic && o.solver != eigensolver::eigen && o.solver != eigensolver::lapack)
        throw error(who, ": unknown eigensolver ", int(o.solver));
    const bool lapack = o.solver == eigensolver::lapack || (o.solver == eigensolver::automatic && have_lapack);
    if (lapack && !have_lapack)
        throw error(who, ": eigensolver::lapack requested, but tessera was compiled without TESSERA_HAVE_LAPACK");
    if (!d.allFinite()) throw error(who, ": the matrix has non-finite entries");
    normal_modes m;
    m.num_atoms = num_atoms;
    m.solver = lapack ? eigensolver::lapack : eigensolver::eigen;
    if (num_atoms == 0) return m;
    if (lapack) {
        Eigen::MatrixXd a = d;
        detail::lapack_syevd(a, m.eigenvalues, o.eigenvectors, who);
        if (o.eigenvectors) m.eigenvectors = std::move(a);
    } else {
        Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(d, o.eigenvectors ? Eigen::ComputeEigenvectors
                                                                             : Eigen::EigenvaluesOnly);
        if (es.info() != Eigen::Success) throw error(who, ": the eigensolver did not converge");
        m.eigenvalues = es.eigenvalues();
        if (o.eigenvectors) m.eigenvectors = es.eigenvectors();
    }
    const double top = m.eigenvalues.cwiseAbs().maxCoeff();
    m.zero_threshold = o.zero_tolerance * top;
    m.frequency.resize(std::size_t(m.eigenvalues.size()));
    for (std::size_t k = 0; k < m.frequency.size(); ++k) {
        const double l = m.eigenvalues(Eigen::Index(k));
        m.frequency[k] = std::copysign(std::sqrt(std::abs(l)), l) * o.frequency_scale;
        if (std::abs(l) <= m.zero_threshold) ++m.zero_modes;
        else if (l < 0) ++m.negative_modes;
    }
    return m;
}

/// The same from the sparse form (assembled densely: 72·N² bytes).
inline normal_modes dense_modes(const sparse_hessian& d, const modes_options& o = {}) {
    return dense_modes(d.to_dense(), d.num_atoms(), o);
}

struct vdos_options {
    std::size_t bins = 100;
    double max_frequency = 0;  ///< histogram upper end; 0: the largest mode frequency (included)
    bool per_atom = true;      ///< g_i, I_BP and vdos_low need the eigenvectors
    double bp_min_frequency = 0;  ///< window of the max in I_BP (and the system ν_BP)
    double bp_max_frequency = std::numeric_limits<double>::infinity();
    double low_frequency = 0;  ///< ν_low of vdos_low; 0: the system's boson-peak frequency
};

struct vdos_result {
    double bin_width = 0;
    std::vector<double> frequency;  ///< bin centres ν_b
    std::vector<double> g;          ///< g(ν_b), 1/(3N) normalisation
    std::vector<double> reduced;    ///< g(ν_b)/ν_b²
    std::size_t num_atoms = 0, histogrammed_modes = 0, zero_modes = 0, negative_modes = 0, above_range = 0;
    double boson_peak_frequency = 0;  ///< argmax of g/ν² in the window
    std::vector<double> per_atom;     ///< g_i(ν_b) at [i·bins + b] (empty unless per_atom)
    std::vector<double> boson_peak;   ///< I_BP,i
    std::vector<double> boson_peak_frequency_atom;  ///< ν_BP,i
    double low_frequency = 0;         ///< ν_low used
    std::size_t low_modes = 0;        ///< N_low
    std::vector<double> vdos_low;     ///< (N/N_low) Σ_{0<ν_k<ν_low} |e_k,i|²

    double atom_g(std::size_t i, std::size_t b) const { return per_atom[i * frequency.size() + b]; }
};

inline vdos_result vdos(const normal_modes& m, const vdos_options& o = {}) {
    static constexpr const char* who = "tessera::vdos";
    const std::size_t n = m.num_atoms, dim = 3 * n;
    if (o.bins == 0) throw error(who, ": bins must be >= 1");
    if (std::size_t(m.eigenvalues.size()) != dim || m.frequency.size() != dim)
        throw error(who, ": ", m.eigenvalues.size(), " modes for ", n, " atoms");
    if (o.per_atom && (std::size_t(m.eigenvectors.rows()) != dim || std::size_t(m.eigenvectors.cols()) != dim))
        throw error(who, ": per-atom spectra need the eigenvectors (modes_options::eigenvectors)");
    if (!(o.max_frequency >= 0) || !std::isfinite(o.max_frequency) || !(o.low_frequency >= 0) ||
        !std::isfinite(o.low_frequency) || !(o.bp_min_frequency >= 0) || !(o.bp_max_frequency > o.bp_min_frequency))
        throw error(who, ": frequencies must be >= 0 and finite, with bp_min_frequency < bp_max_frequency");
    vdos_result r;
    r.num_atoms = n;
    r.zero_modes = m.zero_modes;
    r.negative_modes = m.negative_modes;
    if (n == 0) return r;
    double top = o.max_frequency;
    if (top == 0) top = m.frequency.back() * (1.0 + 1e-12);
    if (!(top > 0)) throw error(who, ": no positive mode frequency to histogram");
    const std::size_t nb = o.bins;
    r.bin_width = top / double(nb);
    r.frequency.resize(nb);
    for (std::size_t b = 0; b < nb; ++b) r.frequency[b] = (double(b) + 0.5) * r.bin_width;
    r.g.assign(nb, 0.0);
    if (o.per_atom) r.per_atom.assign(n * nb, 0.0);
    const double norm = 1.0 / (double(dim) * r.bin_width);
    std::vector<std::size_t> bin_of(dim, nb);  // nb: not histogrammed
    for (std::size_t k = 0; k < dim; ++k) {
        if (m.is_zero(k) || m.frequency[k] <= 0) continue;
        const auto b = std::size_t(m.frequency[k] / r.bin_width);
        if (b >= nb) {
            ++r.above_range;
            continue;
        }
        bin_of[k] = b;
        ++r.histogrammed_modes;
        r.g[b] += norm;
        if (o.per_atom)
            for (std::size_t i = 0; i < n; ++i) {
                const auto e = m.eigenvectors.col(Eigen::Index(k)).segment(Eigen::Index(3 * i), 3);
                r.per_atom[i * nb + b] += norm * e.squaredNorm();
            }
    }
    r.reduced.resize(nb);
    const auto in_window = [&](std::size_t b) {
        return r.frequency[b] >= o.bp_min_frequency && r.frequency[b] <= o.bp_max_frequency;
    };
    double best = -1;
    for (std::size_t b = 0; b < nb; ++b) {
        r.reduced[b] = r.g[b] / (r.frequency[b] * r.frequency[b]);
        if (in_window(b) && r.reduced[b] > best) {
            best = r.reduced[b];
            r.boson_peak_frequency = r.frequency[b];
        }
    }
    if (!o.per_atom) return r;
    r.boson_peak.assign(n, 0.0);
    r.boson_peak_frequency_atom.assign(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        double bi = -1;
        for (std::size_t b = 0; b < nb; ++b) {
            const double v = r.per_atom[i * nb + b] / (r.frequency[b] * r.frequency[b]);
            if (in_window(b) && v > bi) {
                bi = v;
                r.boson_peak[i] = v;
                r.boson_peak_frequency_atom[i] = r.frequency[b];
            }
        }
    }
    r.low_frequency = o.low_frequency > 0 ? o.low_frequency : r.boson_peak_frequency;
    r.vdos_low.assign(n, 0.0);
    for (std::size_t k = 0; k < dim; ++k) {
        if (m.is_zero(k) || !(m.frequency[k] > 0) || !(m.frequency[k] < r.low_frequency)) continue;
        ++r.low_modes;
        for (std::size_t i = 0; i < n; ++i)
            r.vdos_low[i] += m.eigenvectors.col(Eigen::Index(k)).segment(Eigen::Index(3 * i), 3).squaredNorm();
    }
    if (r.low_modes > 0)
        for (double& v : r.vdos_low) v *= double(n) / double(r.low_modes);
    return r;
}

}  // namespace tessera
