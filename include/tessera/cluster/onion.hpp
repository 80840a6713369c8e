#pragma once
/// @file
/// Onion clustering of per-atom time series: Becchi, Fantolino & Pavan, "Layer-by-layer
/// unsupervised clustering of statistically relevant fluctuations in noisy time-series data of
/// complex dynamical systems", PNAS 121, e2403771121 (2024); the steps of its code,
/// tropea-clustering 2.1.1 `onion_uni` (github.com/matteobecchi/onion_clustering,
/// src/tropea_clustering/_internal/onion_old/), the clustering dynsight wraps.
///
/// Each series (a row: one atom, columns = frames) is cut into consecutive windows of
/// `window` frames (Δt); trailing frames that do not fill a window are dropped
/// (`helpers.reshape_from_nt`). With g(x; μ, σ, A) = A exp(−((x−μ)/σ)²) / (√π σ) — σ is the
/// reference's "rescaled" width, √2 × the standard deviation — and n_σ = number_of_sigmas:
///  1. Density of all values of the still-unclassified windows: a Gaussian KDE with Scott's
///     bandwidth (scipy.stats.gaussian_kde: variance with ddof 1, factor n^(−1/5)) evaluated on
///     `bins` points spaced evenly from the smallest to the largest value (np.linspace;
///     bins = 0 means the reference's "auto": 100 points — its docstring's mention of
///     numpy.histogram_bin_edges does not match its code).
///  2. From the grid maximum m (first on ties), two fit intervals, each starting at m ± 3
///     (clipped to the grid): extended outward while the density keeps falling ("min"), or
///     while it is above half the maximum ("half"); the points [i0, i1) (upper end excluded, as
///     the reference slices) are fitted with g by least squares from μ0 = x_m,
///     σ0 = (x_i0 − x_i1)/6, A0 = f_m √π σ0 — scipy.optimize.curve_fit, i.e. MINPACK lmdif
///     (Levenberg–Marquardt, forward-difference Jacobian, ftol = xtol = 1.49012e-8, gtol = 0,
///     maxfev = 800, factor 100); here Eigen's port of the same MINPACK algorithm
///     (unsupported/Eigen/NonLinearOptimization) with the same parameters and difference
///     steps. A fit fails when the interval has fewer than 4 points (curve_fit: fewer than 3 is
///     a TypeError, 3 leaves the covariance undefined, an OptimizeWarning the reference treats
///     as failure), when MINPACK reports anything but convergence, when R of the final QR has
///     a zero diagonal (no covariance), or when the result is not finite. σ < 0 flips the signs
///     of σ and A; A is multiplied by the number of values. Of two successful fits the larger
///     R² = 1 − SS_res/SS_tot wins (ties: "min"); none → stop.
///  3. The state's windows: unclassified windows lying entirely in [μ − n_σ σ, μ + n_σ σ].
///     None → retry steps 2–3 from the first local maximum of the grid (scipy.signal.find_peaks:
///     plateaus give their middle point, grid ends excluded); none again → stop. Otherwise the
///     state is kept with fraction = its windows / all windows, and step 1 repeats on the rest.
///  4. States sorted by μ; merges: for i < j, with shared fractions s_j, s_i = ∫min(g_i, g_j) /
///     ∫g_j, ∫min / ∫g_i (integrals over [⌊μ−3σ⌋−1, ⌊μ+3σ⌋+1], ⌊⌋ truncating toward zero, the
///     min over the union of both ranges), j merges into i if s_j > 0.8 ≥ s_i, i into j if
///     s_i > 0.8 ≥ s_j, the one with the larger fraction when both exceed 0.8; otherwise (peaks
///     p = A/(√π σ)) j into i if p_i > p_j, |μ_i − μ_j| < σ_i and σ_j < 2σ_i, or i into j
///     symmetrically. A state proposed for several merges goes into the candidate of largest
///     fraction; chains are resolved in the reference's order; merged states are dropped.
///  5. Final labels: a window goes to the remaining state k maximising
///     A_k/(σ_k √(2π)) exp(−½((median − μ_k)/σ_k)²) (first on ties; here σ is used as a standard
///     deviation, as the reference does), if max − min of the window < 2 n_σ σ_k; else −1.
///     fraction_k = windows labelled k / all windows; states with none are dropped.
/// Which windows enter step 5: in the reference, set_final_states overwrites every iteration
/// label with one positive value (`all_the_labels[i] = final_map[el]`, `el` being the loop
/// variable of the previous loop), so every window — also those the iterations left
/// unclassified — is reassigned. That is the default (`reassign_unclassified = true`), for
/// identical results; false keeps the evident intent (only windows classified in steps 1–3).
///
/// Deliberate differences: step 4's integrals are exact (erf, crossings of the two Gaussians
/// solved in closed form) where the reference uses scipy's quad (accurate to ~1e-8, so a shared
/// fraction within ~1e-8 of 0.8 could merge differently); where the reference raises instead of
/// returning (zero-variance data in the KDE, numpy overflow warnings turned into errors during a
/// fit) this implementation ends the search or fails the fit; when step 5 empties a state the
/// labels are renumbered (the reference leaves them pointing past the removed state); with no
/// state every window is −1 (the reference returns a windows × Δt array then). Agreement with
/// the reference (tests/reference/cluster/make_onion_reference.py, five data sets with merges
/// and the local-maximum retry): identical labels, state parameters within 5e-10 of their scale
/// (σ for μ) — the same LM algorithm; rounding (QR, sums) may end it one step apart at xtol.
///
/// Cost per iteration: O(values × bins) exponentials for the KDE, split over grid points by the
/// execution policy (each grid point sums its values in order: thread-count independent).
/// Errors (tessera::error): window < 2, fewer than 2 windows in all (the reference's limits),
/// bins = 1, n_σ not positive and finite, non-finite values.

#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/learn/feature_matrix.hpp>

#include <Eigen/Dense>
#include <unsupported/Eigen/NonLinearOptimization>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numbers>
#include <optional>
#include <utility>
#include <vector>

namespace tessera {

struct onion_options {
    std::size_t window = 0;             ///< Δt in frames (>= 2)
    std::size_t bins = 0;               ///< KDE grid points; 0 = the reference's "auto" (100)
    double number_of_sigmas = 2.0;      ///< half-width of a state's band, in units of σ
    bool reassign_unclassified = true;  ///< step 5 over every window (the reference's behaviour)
};

struct onion_state {
    double mean = 0;      ///< μ
    double sigma = 0;     ///< σ of exp(−((x−μ)/σ)²): √2 × the standard deviation
    double area = 0;      ///< A, in units of values (the KDE integrates to 1, times their number)
    double r2 = 0;        ///< coefficient of determination of the chosen fit
    double fraction = 0;  ///< windows labelled with this state / all windows
};

struct onion_result {
    std::vector<onion_state> states;  ///< ascending mean
    std::vector<int> window_labels;   ///< rows × windows_per_series, row-major; −1 = unclassified
    std::size_t windows_per_series = 0;
    double unclassified_fraction = 0;
};

namespace detail::onion {

inline double model(double x, double mu, double sigma, double area) {
    const double t = (x - mu) / sigma;
    return std::exp(-(t * t)) * area / (std::sqrt(std::numbers::pi) * sigma);
}

// curve_fit's residual f(x_i) − y_i, with MINPACK fdjac2's forward differences.
struct residual {
    using Scalar = double;
    enum { InputsAtCompileTime = Eigen::Dynamic, ValuesAtCompileTime = Eigen::Dynamic };
    using InputType = Eigen::VectorXd;
    using ValueType = Eigen::VectorXd;
    using JacobianType = Eigen::MatrixXd;
    const double* x;
    const double* y;
    int m;
    int inputs() const { return 3; }
    int values() const { return m; }
    int operator()(const Eigen::VectorXd& p, Eigen::VectorXd& f) const {
        for (int i = 0; i < m; ++i) f[i] = model(x[i], p[0], p[1], p[2]) - y[i];
        return 0;
    }
    int df(const Eigen::VectorXd& p, Eigen::MatrixXd& jac) const {
        Eigen::VectorXd f0(m), f1(m), q = p;
        (*this)(p, f0);  // = MINPACK's fvec at p: the same doubles
        const double eps = std::sqrt(std::numeric_limits<double>::epsilon());
        for (int j = 0; j < 3; ++j) {
            double h = eps * std::abs(p[j]);
            if (h == 0) h = eps;
            q[j] = p[j] + h;
            (*this)(q, f1);
            q[j] = p[j];
            jac.col(j) = (f1 - f0) / h;
        }
        return 3;  // function evaluations, counted against maxfev as lmdif counts them
    }
};

struct fit {
    double mu, sigma, area, r2;
};

// perform_gauss_fit on grid points [i0, i1) from the peak at `top`.
inline std::optional<fit> gauss_fit(const std::vector<double>& grid, const std::vector<double>& f, std::size_t i0,
                                    std::size_t i1, std::size_t top, std::size_t n_values) {
    const int m = int(i1) - int(i0);
    if (m < 4) return std::nullopt;
    Eigen::VectorXd p(3);
    p[0] = grid[top];
    p[1] = (grid[i0] - grid[i1]) / 6;
    p[2] = f[top] * std::sqrt(std::numbers::pi) * p[1];
    residual r{grid.data() + i0, f.data() + i0, m};
    Eigen::LevenbergMarquardt<residual> lm(r);
    lm.parameters.ftol = lm.parameters.xtol = 1.49012e-8;
    lm.parameters.gtol = 0;
    lm.parameters.maxfev = 800;
    lm.parameters.factor = 100;
    lm.parameters.epsfcn = 0;
    const auto status = lm.minimize(p);
    if (int(status) < 1 || int(status) > 4) return std::nullopt;
    for (int j = 0; j < 3; ++j)
        if (!std::isfinite(p[j]) || lm.fjac(j, j) == 0) return std::nullopt;
    if (p[1] < 0) p[1] = -p[1], p[2] = -p[2];
    double ss_res = 0, mean = 0, ss_tot = 0;
    Eigen::VectorXd res(m);
    r(p, res);
    for (int i = 0; i < m; ++i) ss_res += res[i] * res[i], mean += r.y[i];
    mean /= m;
    for (int i = 0; i < m; ++i) ss_tot += (r.y[i] - mean) * (r.y[i] - mean);
    if (!(ss_tot > 0) || p[1] == 0) return std::nullopt;
    return fit{p[0], p[1], p[2] * double(n_values), 1 - ss_res / ss_tot};
}

// gauss_fit_max / fit_local_maxima: the "min" and "half" intervals around `top`, better R².
inline std::optional<fit> fit_peak(const std::vector<double>& grid, const std::vector<double>& f, std::size_t top,
                                   std::size_t n_values) {
    const std::size_t last = f.size() - 1, gap = 3;
    std::size_t a = top > gap ? top - gap : 0, b = std::min(top + gap, last);
    while (a > 0 && f[a] > f[a - 1]) --a;
    while (b < last && f[b] > f[b + 1]) ++b;
    const auto fmin = gauss_fit(grid, f, a, b, top, n_values);
    a = top > gap ? top - gap : 0, b = std::min(top + gap, last);
    while (a > 0 && f[a] > f[top] / 2) --a;
    while (b < last && f[b] > f[top] / 2) ++b;
    const auto fhalf = gauss_fit(grid, f, a, b, top, n_values);
    if (fmin && fhalf) return fmin->r2 >= fhalf->r2 ? fmin : fhalf;
    return fmin ? fmin : fhalf;
}

// scipy.stats.gaussian_kde(values).evaluate(grid), with scipy's arithmetic.
template <class Policy>
bool kde(const std::vector<double>& v, std::size_t points, std::vector<double>& grid, std::vector<double>& f,
         Policy policy) {
    const std::size_t n = v.size();
    if (n < 2) return false;
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    const double w = 1.0 / double(n);
    double sw = 0, mean = 0, var = 0, w2 = 0;
    for (double x : v) mean += x * w, sw += w, w2 += w * w;
    mean /= sw;
    for (double x : v) var += (x - mean) * w * (x - mean);
    var /= sw - w2 / sw;  // np.cov with aweights w = 1/n, ddof 1: divisor Σw − Σw²/Σw
    if (!(var > 0)) return false;
    const double factor = std::pow(1 / w2, -1.0 / 5);  // Scott: neff^(−1/5), neff = 1/Σw²
    const double c = std::sqrt(1 / var / (factor * factor));  // Cholesky of the precision
    const double norm = std::pow(2 * std::numbers::pi, -0.5) * c;
    grid.resize(points);
    const double step = (*hi - *lo) / double(points - 1);
    for (std::size_t j = 0; j < points; ++j) grid[j] = double(j) * step + *lo;
    grid.back() = *hi;
    f.assign(points, 0);
    detail::for_each_chunk(policy, points, 1, [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t j = b; j < e; ++j) {
            const double xj = grid[j] * c;
            double s = 0;
            for (double x : v) {
                const double r = x * c - xj;
                s += w * (std::exp(-(r * r) / 2) * norm);
            }
            f[j] = s;
        }
    });
    return true;
}

// First peak of scipy.signal.find_peaks (plateau middles, ends excluded).
inline std::optional<std::size_t> first_local_max(const std::vector<double>& f) {
    for (std::size_t i = 1; i + 1 < f.size(); ++i) {
        if (!(f[i - 1] < f[i])) continue;
        std::size_t ahead = i + 1;
        while (ahead < f.size() - 1 && f[ahead] == f[i]) ++ahead;
        if (f[ahead] < f[i]) return (i + ahead - 1) / 2;
    }
    return std::nullopt;
}

// ∫_a^b g(x; μ, σ, A) dx.
inline double integral(double a, double b, double mu, double sigma, double area) {
    return area / 2 * (std::erf((b - mu) / sigma) - std::erf((a - mu) / sigma));
}

struct gauss {
    double mu, sigma, area;
};

// shared_area_between_gaussians(g1, g2): (∫min / ∫g1, ∫min / ∫g2), exact integrals.
inline std::pair<double, double> shared_fractions(const gauss& g1, const gauss& g2) {
    auto lo = [](const gauss& g) { return std::trunc(g.mu - 3 * g.sigma) - 1; };
    auto hi = [](const gauss& g) { return std::trunc(g.mu + 3 * g.sigma) + 1; };
    const double a1 = integral(lo(g1), hi(g1), g1.mu, g1.sigma, g1.area);
    const double a2 = integral(lo(g2), hi(g2), g2.mu, g2.sigma, g2.area);
    const double x0 = std::trunc(std::min(g1.mu - 3 * g1.sigma, g2.mu - 3 * g2.sigma)) - 1;
    const double x1 = std::trunc(std::max(g1.mu + 3 * g1.sigma, g2.mu + 3 * g2.sigma)) + 1;
    // Crossings: ln g1 = ln g2 is α x² + β x + γ = 0.
    const double s1 = g1.sigma * g1.sigma, s2 = g2.sigma * g2.sigma;
    const double al = s1 - s2, be = -2 * (s1 * g2.mu - s2 * g1.mu);
    const double ga = s1 * g2.mu * g2.mu - s2 * g1.mu * g1.mu + s1 * s2 * std::log(g1.area * g2.sigma / (g2.area * g1.sigma));
    std::vector<double> cuts{x0};
    if (al == 0) {
        if (be != 0) cuts.push_back(-ga / be);
    } else if (const double d = be * be - 4 * al * ga; d >= 0) {
        const double q = -0.5 * (be + std::copysign(std::sqrt(d), be));  // stable roots
        if (q != 0) cuts.push_back(q / al), cuts.push_back(ga / q);
        else cuts.push_back(0);
    }
    cuts.push_back(x1);
    std::sort(cuts.begin() + 1, cuts.end() - 1);
    double shared = 0, from = x0;
    for (std::size_t k = 1; k < cuts.size(); ++k) {
        const double to = std::clamp(cuts[k], x0, x1);
        if (to <= from) continue;
        const double mid = (from + to) / 2;
        const bool first = model(mid, g1.mu, g1.sigma, g1.area) <= model(mid, g2.mu, g2.sigma, g2.area);
        shared += first ? integral(from, to, g1.mu, g1.sigma, g1.area) : integral(from, to, g2.mu, g2.sigma, g2.area);
        from = to;
    }
    return {a1 > 0 ? shared / a1 : 0.0, a2 > 0 ? shared / a2 : 0.0};
}

// set_final_states' merge decisions: which states survive (sorted by mean on entry).
inline std::vector<bool> merge_survivors(const std::vector<onion_state>& st) {
    const double max_overlap = 0.8;  // the reference's AREA_MAX_OVERLAP
    std::vector<std::array<std::size_t, 2>> proposed;  // [merged, into]
    auto peak = [](const onion_state& s) { return s.area / s.sigma / std::sqrt(std::numbers::pi); };
    for (std::size_t i = 0; i < st.size(); ++i)
        for (std::size_t j = i + 1; j < st.size(); ++j) {
            const auto [sh1, sh2] = shared_fractions({st[j].mean, st[j].sigma, st[j].area},
                                                     {st[i].mean, st[i].sigma, st[i].area});
            const auto &s0 = st[i], &s1 = st[j];
            if (sh1 > max_overlap && max_overlap >= sh2) proposed.push_back({j, i});
            else if (sh2 > max_overlap && max_overlap >= sh1) proposed.push_back({i, j});
            else if (sh1 > max_overlap && sh2 > max_overlap)
                proposed.push_back(sh1 > sh2 ? std::array<std::size_t, 2>{j, i} : std::array<std::size_t, 2>{i, j});
            else if (peak(s0) > peak(s1) && std::abs(s0.mean - s1.mean) < s0.sigma && s1.sigma < 2 * s0.sigma)
                proposed.push_back({j, i});
            else if (peak(s1) > peak(s0) && std::abs(s0.mean - s1.mean) < s1.sigma && s0.sigma < 2 * s1.sigma)
                proposed.push_back({i, j});
        }
    std::vector<std::array<std::size_t, 2>> best;
    for (std::size_t j = 0; j < st.size(); ++j) {  // np.unique order: ascending merged index
        const std::array<std::size_t, 2>* pick = nullptr;
        for (const auto& pr : proposed)  // first candidate of largest fraction (np.argmax)
            if (pr[0] == j && (!pick || st[pr[1]].fraction > st[(*pick)[1]].fraction)) pick = &pr;
        if (pick) best.push_back(*pick);
    }
    for (std::size_t a = 0; a < best.size(); ++a)  // chains, in the reference's order
        for (std::size_t b = 0; b < best.size(); ++b)
            if (best[b][1] == best[a][0] && best[b][0] != best[a][1]) best[b][1] = best[a][1];
    std::vector<bool> keep(st.size(), true);
    for (const auto& pr : best) keep[pr[0]] = false;
    return keep;
}

}  // namespace detail::onion

/// Onion clustering of the rows of `series` (one time series per row, one frame per column).
template <class Policy = serial_policy>
    requires execution_policy<Policy>
onion_result onion_cluster(const feature_matrix_view& series, const onion_options& opt, Policy policy = {}) {
    namespace d = detail::onion;
    const char* who = "tessera::onion_cluster";
    check_features(series, who);
    if (opt.window < 2) throw error(who, ": window = ", opt.window, " frames; it must be at least 2");
    if (opt.bins == 1) throw error(who, ": bins = 1; use 0 (auto, 100 points) or at least 2");
    if (!(opt.number_of_sigmas > 0) || !std::isfinite(opt.number_of_sigmas))
        throw error(who, ": number_of_sigmas must be positive and finite, got ", opt.number_of_sigmas);
    const std::size_t per = series.cols / opt.window, nw = series.rows * per, tau = opt.window;
    if (nw < 2)
        throw error(who, ": ", series.rows, " series of ", series.cols, " frames make ", nw, " windows of ", tau,
                    " frames; at least 2 are needed");
    auto value = [&](std::size_t w, std::size_t k) { return series(w / per, (w % per) * tau + k); };
    std::vector<double> wmin(nw), wmax(nw);
    for (std::size_t w = 0; w < nw; ++w) {
        wmin[w] = wmax[w] = value(w, 0);
        for (std::size_t k = 1; k < tau; ++k) wmin[w] = std::min(wmin[w], value(w, k)), wmax[w] = std::max(wmax[w], value(w, k));
    }

    // Steps 1–3: peel states off the remaining windows.
    std::vector<int> label(nw, 0);  // 0 unclassified, k + 1: state k in discovery order
    std::vector<std::size_t> left(nw), next;
    for (std::size_t w = 0; w < nw; ++w) left[w] = w;
    std::vector<onion_state> found;
    std::vector<double> values, grid, f;
    const std::size_t points = opt.bins ? opt.bins : 100;
    auto classify = [&](const d::fit& s) {
        const double lo = s.mu - opt.number_of_sigmas * s.sigma, hi = s.mu + opt.number_of_sigmas * s.sigma;
        std::size_t count = 0;
        next.clear();
        for (auto w : left)
            if (wmin[w] >= lo && wmax[w] <= hi) label[w] = int(found.size()) + 1, ++count;
            else next.push_back(w);
        return count;
    };
    while (true) {
        values.clear();
        for (auto w : left)
            for (std::size_t k = 0; k < tau; ++k) values.push_back(value(w, k));
        if (!d::kde(values, points, grid, f, policy)) break;
        const std::size_t top = std::size_t(std::max_element(f.begin(), f.end()) - f.begin());
        auto s = d::fit_peak(grid, f, top, values.size());
        if (!s) break;
        std::size_t count = classify(*s);
        if (count == 0) {
            const auto peak = d::first_local_max(f);
            if (!peak) break;
            s = d::fit_peak(grid, f, *peak, values.size());
            if (!s || (count = classify(*s)) == 0) break;
        }
        found.push_back({s->mu, s->sigma, s->area, s->r2, double(count) / double(nw)});
        left.swap(next);
    }

    // Step 4: sort by mean, merge.
    std::vector<std::size_t> order(found.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return found[a].mean < found[b].mean; });
    std::vector<onion_state> sorted;
    for (auto k : order) sorted.push_back(found[k]);
    const auto keep = d::merge_survivors(sorted);
    std::vector<onion_state> states;
    for (std::size_t k = 0; k < sorted.size(); ++k)
        if (keep[k]) states.push_back(sorted[k]);

    // Step 5: most probable state by the median, if the window's range fits.
    onion_result out;
    out.windows_per_series = per;
    out.window_labels.assign(nw, -1);
    std::vector<std::size_t> count(states.size(), 0);
    std::vector<double> buf(tau);
    const double sqrt2pi = std::sqrt(2 * std::numbers::pi);
    for (std::size_t w = 0; w < nw && !states.empty(); ++w) {
        if (!opt.reassign_unclassified && label[w] == 0) continue;
        for (std::size_t k = 0; k < tau; ++k) buf[k] = value(w, k);
        std::sort(buf.begin(), buf.end());
        const double med = tau % 2 ? buf[tau / 2] : (buf[tau / 2 - 1] + buf[tau / 2]) / 2;
        std::size_t best = 0;
        double best_p = -1;
        for (std::size_t k = 0; k < states.size(); ++k) {
            const auto& s = states[k];
            const double t = (med - s.mean) / s.sigma;
            const double p = (s.area / (s.sigma * sqrt2pi)) * std::exp(-0.5 * (t * t));
            if (p > best_p) best_p = p, best = k;
        }
        if (wmax[w] - wmin[w] < 2 * opt.number_of_sigmas * states[best].sigma) {
            out.window_labels[w] = int(best);
            ++count[best];
        }
    }
    std::vector<int> renumber(states.size(), -1);
    for (std::size_t k = 0; k < states.size(); ++k)
        if (count[k]) {
            renumber[k] = int(out.states.size());
            out.states.push_back(states[k]);
            out.states.back().fraction = double(count[k]) / double(nw);
        }
    std::size_t unclassified = 0;
    for (auto& l : out.window_labels)
        if (l >= 0) l = renumber[std::size_t(l)];
        else ++unclassified;
    out.unclassified_fraction = double(unclassified) / double(nw);
    return out;
}

}  // namespace tessera
