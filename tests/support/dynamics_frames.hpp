#pragma once
// Helpers shared by the two-frame tests (tests/dynamics, tests/pipeline/frame_pairs.cpp).
#include <tessera/core/frame.hpp>
#include <tessera/dynamics/bond_changes.hpp>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

namespace tessera_test {

// Seed 001's first-shell cutoffs (type 1 = Cu, 2 = Zr).
inline tessera::pair_cutoffs seed001_cutoffs() {
    tessera::pair_cutoffs rc(2);
    rc.set(1, 1, 3.05);
    rc.set(1, 2, 3.75);
    rc.set(2, 2, 4.35);
    return rc;
}

// A frame with its rows permuted (all columns alike), so two frames list the atoms in
// different orders.
inline tessera::frame shuffled_rows(const tessera::frame& f, std::uint64_t seed) {
    std::vector<std::size_t> perm(f.natoms);
    std::iota(perm.begin(), perm.end(), std::size_t(0));
    std::mt19937_64 g(seed);
    std::shuffle(perm.begin(), perm.end(), g);
    tessera::frame s = f;
    for (std::size_t c = 0; c < f.columns.size(); ++c)
        for (std::size_t i = 0; i < f.natoms; ++i) s.columns[c][i] = f.columns[c][perm[i]];
    return s;
}

}  // namespace tessera_test
