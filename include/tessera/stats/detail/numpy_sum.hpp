#pragma once
/// @file
/// numpy's summation order for a contiguous float64 array, so sums, means and normalisations in
/// stats/ round exactly as numpy's (np.sum, np.mean, and through them np.average, np.cov's
/// weight sums, scipy.stats.gaussian_kde's weight normalisation):
/// `np.add.reduce` walks the array in chunks of the iterator's buffer size (8192 elements) and
/// adds each chunk's pairwise sum to the running total in order; a chunk's pairwise sum is
/// numpy/core/src/umath/loops_utils.h.src's pairwise_sum_DOUBLE (plain loop below 8 elements,
/// eight interleaved accumulators up to a block of 128, halving above with the split kept a
/// multiple of 8). Checked bit for bit against numpy 1.24 for n = 1 … 20000.

#include <cstddef>
#include <span>

namespace tessera::detail {

template <class Get>
[[nodiscard]] double numpy_pairwise_sum(std::size_t first, std::size_t n, const Get& get) noexcept {
    if (n < 8) {
        double s = 0.;  // numpy starts this branch from -0.0 only for the empty reduce; 0 + x == x
        for (std::size_t i = 0; i < n; ++i) s += get(first + i);
        return s;
    }
    if (n <= 128) {
        double r[8];
        for (std::size_t j = 0; j < 8; ++j) r[j] = get(first + j);
        std::size_t i = 8;
        for (; i < n - n % 8; i += 8)
            for (std::size_t j = 0; j < 8; ++j) r[j] += get(first + i + j);
        double s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) s += get(first + i);
        return s;
    }
    std::size_t n2 = n / 2;
    n2 -= n2 % 8;
    return numpy_pairwise_sum(first, n2, get) + numpy_pairwise_sum(first + n2, n - n2, get);
}

/// np.sum of get(0), …, get(n − 1).
template <class Get>
[[nodiscard]] double numpy_sum(std::size_t n, const Get& get) noexcept {
    constexpr std::size_t chunk = 8192;  // NPY_BUFSIZE
    double s = 0.0;
    for (std::size_t a = 0; a < n; a += chunk) s += numpy_pairwise_sum(a, n - a < chunk ? n - a : chunk, get);
    return s;
}

[[nodiscard]] inline double numpy_sum(std::span<const double> x) noexcept {
    return numpy_sum(x.size(), [x](std::size_t i) { return x[i]; });
}

/// np.mean (sum, then one division).
[[nodiscard]] inline double numpy_mean(std::span<const double> x) noexcept {
    return numpy_sum(x) / double(x.size());
}

}  // namespace tessera::detail
