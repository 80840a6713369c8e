#pragma once
/// @file
/// The atom ids of one frame must be integers of at most 2^53 (exact in a double) and distinct:
/// the commands match atoms across frames by id. Shared by the LAMMPS dump and extended XYZ
/// readers, so both find the same fault in the same file and name it the same way.

#include <tessera/io/detail/text_input.hpp>  // shortest

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace tessera::detail {

/// A fault in a frame's ids: the row (0-based atom line of the frame) and what is wrong.
struct atom_id_fault {
    std::size_t row = 0;
    std::string what;
};

/// Checks one frame's id column; keeps its scratch buffers between frames (no allocation per
/// frame once they have grown). The fault reported is the first row in file order that is not
/// an integer of at most 2^53, else the first row that repeats an earlier row's id, whichever
/// way the ids were checked.
class atom_id_checker {
public:
    /// `first_line` is the file line of row 0 (for "first on line N" in a duplicate's message).
    std::optional<atom_id_fault> check(std::span<const double> id, std::size_t first_line) {
        constexpr double max_exact = 9007199254740992.0;  // 2^53
        for (std::size_t i = 0; i < id.size(); ++i)
            if (!(std::abs(id[i]) <= max_exact) || id[i] != std::floor(id[i]))
                return atom_id_fault{i, "atom id " + shortest(id[i]) + " is not an integer" +
                                            (std::abs(id[i]) > max_exact ? " of at most 2^53" : "")};
        if (id.empty()) return std::nullopt;
        const auto duplicate = [&](std::size_t row, std::size_t first) {
            return atom_id_fault{row, "duplicate atom id " + std::to_string(static_cast<std::int64_t>(id[row])) +
                                          " (first on line " + std::to_string(first_line + first) + ")"};
        };
        // Dense ids (the usual 1..N, in any order): one pass over a bitmap of ids seen (1 bit per
        // id in the range, not a sort: the sort was 13 % of parsing a dump, and a table of rows
        // held 8 B per atom between frames). The first row whose bit is already set is the
        // earliest repeating row; its first occurrence is found by a scan, on the error path only.
        const auto [lo, hi] = std::minmax_element(id.begin(), id.end());
        if (*hi - *lo < 4.0 * double(id.size()) + 64.0) {
            const double base = *lo;
            seen_.assign(static_cast<std::size_t>(*hi - base) / 64 + 1, 0);
            for (std::size_t i = 0; i < id.size(); ++i) {
                const auto k = static_cast<std::size_t>(id[i] - base);
                const std::uint64_t bit = std::uint64_t{1} << (k % 64);
                if (seen_[k / 64] & bit) {
                    std::size_t first = 0;
                    while (id[first] != id[i]) ++first;
                    return duplicate(i, first);
                }
                seen_[k / 64] |= bit;
            }
            return std::nullopt;
        }
        order_.resize(id.size());
        for (std::size_t i = 0; i < id.size(); ++i) order_[i] = i;
        std::sort(order_.begin(), order_.end(),
                  [&](std::size_t a, std::size_t b) { return id[a] < id[b] || (id[a] == id[b] && a < b); });
        // The earliest repeating row, and the first row of its id (the start of its run).
        std::optional<std::pair<std::size_t, std::size_t>> best;
        for (std::size_t k = 1, run = 0; k < order_.size(); ++k) {
            if (id[order_[k]] != id[order_[k - 1]]) {
                run = k;
                continue;
            }
            if (!best || order_[k] < best->first) best = {order_[k], order_[run]};
        }
        if (best) return duplicate(best->first, best->second);
        return std::nullopt;
    }

private:
    std::vector<std::size_t> order_;       ///< rows sorted by (id, row), for sparse ids
    std::vector<std::uint64_t> seen_;      ///< bit (id − min id): that id was seen (dense ids)
};

}  // namespace tessera::detail
