#pragma once
/// @file
/// numpy's pairwise summation (`pairwise_sum` in numpy/core/src/umath/loops_utils.h.src), the
/// order in which `np.sum` / `np.add.reduce` adds a contiguous float64 array: below 8 values a
/// plain loop; up to 128 values eight interleaved partial sums combined as
/// ((r0+r1)+(r2+r3))+((r4+r5)+(r6+r7)), then the remainder; above that, the two halves (the first
/// a multiple of 8 long) recursively. learn/ uses it wherever a result must equal numpy's to the bit.

#include <cstddef>

namespace tessera::detail {

inline double numpy_pairwise_sum(const double* a, std::size_t n) {
    if (n < 8) {
        double res = 0.;  // numpy starts from -0.0 and adds; the same value for any finite sum here
        for (std::size_t i = 0; i < n; ++i) res += a[i];
        return res;
    }
    if (n <= 128) {
        double r[8];
        for (std::size_t j = 0; j < 8; ++j) r[j] = a[j];
        std::size_t i = 8;
        for (; i < n - (n % 8); i += 8)
            for (std::size_t j = 0; j < 8; ++j) r[j] += a[i + j];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; ++i) res += a[i];
        return res;
    }
    std::size_t n2 = n / 2;
    n2 -= n2 % 8;
    return numpy_pairwise_sum(a, n2) + numpy_pairwise_sum(a + n2, n - n2);
}

}  // namespace tessera::detail
