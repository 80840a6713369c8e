#pragma once
/// @file
/// numpy's summation order for learn/ (np.sum of a contiguous float64 array), wherever a result
/// must equal scikit-learn's to the bit: the one implementation is stats/detail/numpy_sum.hpp
/// (pairwise sums in chunks of numpy's 8192-element buffer); this adds the pointer form learn/ uses.

#include <tessera/stats/detail/numpy_sum.hpp>

#include <cstddef>
#include <span>

namespace tessera::detail {

/// np.sum(a[0:n]).
[[nodiscard]] inline double numpy_pairwise_sum(const double* a, std::size_t n) noexcept {
    return numpy_sum(std::span<const double>(a, n));
}

}  // namespace tessera::detail
