#pragma once
/// @file
/// The two random streams scikit-learn's trees and gradient boosting draw from, reproduced so
/// that a tessera fit with seed s equals a scikit-learn fit with random_state=s:
///
///  - numpy_random_state: NumPy 1.24's legacy `np.random.RandomState(s)` (MT19937 seeded by
///    `mt19937_seed`, which is Matsumoto & Nishimura's init_genrand — the initialisation
///    std::mt19937 mandates, so std::mt19937 is the engine). Two draws are provided:
///      - `randint_rand_r_max()` = `RandomState.randint(0, 0x7FFFFFFF)` (int64 dtype, masked
///        rejection: a 32-bit output & 0x7FFFFFFF, redrawn while it equals 0x7FFFFFFF), the
///        seed a scikit-learn Splitter takes (`rand_r_state`, tree/_splitter.pyx `init`);
///      - `uniform()` = `RandomState.uniform()` = random_sample: (a >> 5, b >> 6) of two 32-bit
///        outputs, (a · 2^26 + b) / 2^53.
///  - sklearn_rand_int: sklearn/utils/_random.pxd `our_rand_r` (xorshift 13/17/5 on a 32-bit
///    state, state 0 replaced by 1, result mod 2^31) and tree/_utils.pyx `rand_int(low, high)`
///    = low + our_rand_r() % (high − low).
///
/// Verified against NumPy/scikit-learn through the trees they drive (tests/learn/regression_tree.cpp).

#include <cstddef>
#include <cstdint>
#include <random>

namespace tessera::detail {

class numpy_random_state {
public:
    explicit numpy_random_state(std::uint32_t seed) : engine_(seed) {}

    /// RandomState.randint(0, RAND_R_MAX) with RAND_R_MAX = 0x7FFFFFFF.
    std::uint32_t randint_rand_r_max() {
        constexpr std::uint32_t rng = 0x7FFFFFFEu, mask = 0x7FFFFFFFu;
        std::uint32_t v;
        do v = static_cast<std::uint32_t>(engine_()) & mask;
        while (v > rng);
        return v;
    }

    /// RandomState.uniform() (a double in [0, 1) with 53 random bits).
    double uniform() {
        const auto a = static_cast<std::uint32_t>(engine_()) >> 5;
        const auto b = static_cast<std::uint32_t>(engine_()) >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

private:
    std::mt19937 engine_;
};

/// sklearn's rand_int(low, high, &state): an integer in [low, high).
inline std::size_t sklearn_rand_int(std::size_t low, std::size_t high, std::uint32_t& state) {
    if (state == 0) state = 1;
    state ^= static_cast<std::uint32_t>(state << 13);
    state ^= static_cast<std::uint32_t>(state >> 17);
    state ^= static_cast<std::uint32_t>(state << 5);
    const std::uint32_t r = state % (0x7FFFFFFFu + 1u);
    return low + static_cast<std::size_t>(r) % (high - low);
}

}  // namespace tessera::detail
