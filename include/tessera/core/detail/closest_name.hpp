#pragma once
/// @file
/// "Did you mean ...?" for error messages about an unknown name (a column in a selection, an
/// option of the command): the candidate nearest to the name in edit distance.
///
///     detail::edit_distance("tpye", "type")                 // 1 (one transposition)
///     detail::closest_name("tpye", names)                   // "type", if a column is called so
///     detail::did_you_mean("tpye", names)                   // " (did you mean 'type'?)" or ""
///
/// The distance is the optimal-string-alignment form of Damerau–Levenshtein: insertions,
/// deletions, substitutions and transpositions of two adjacent characters each cost 1 (a
/// substring is not edited twice). It counts bytes, so a non-ASCII character counts as its
/// UTF-8 length. closest_name() compares ASCII letters case-insensitively (`Type` matches
/// `type` at distance 0) and accepts a candidate at distance <= min(max_distance,
/// max(1, size/2)) of the name's size: one edit for names of up to three characters, so `ab`
/// never suggests `x`. Of equally near candidates the first one wins. Time O(|a| |b|),
/// memory O(|b|); candidates whose length differs by more than the limit are not compared.

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::detail {

namespace closest_name_detail {
inline char fold(char c, bool ignore_case) noexcept {
    return ignore_case && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}
inline std::size_t osa_distance(std::string_view a, std::string_view b, bool ignore_case) {
    // Three rows of the dynamic-programming table: i-2, i-1, i.
    const std::size_t m = b.size();
    std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
    for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        const char ai = fold(a[i - 1], ignore_case);
        for (std::size_t j = 1; j <= m; ++j) {
            const char bj = fold(b[j - 1], ignore_case);
            std::size_t d = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ai == bj ? 0u : 1u)});
            if (i > 1 && j > 1 && ai == fold(b[j - 2], ignore_case) && fold(a[i - 2], ignore_case) == bj)
                d = std::min(d, prev2[j - 2] + 1);
            cur[j] = d;
        }
        std::swap(prev2, prev);
        std::swap(prev, cur);
    }
    return prev[m];
}
}  // namespace closest_name_detail

/// Optimal-string-alignment distance between a and b (case-sensitive; see the file comment).
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
    return closest_name_detail::osa_distance(a, b, false);
}

/// The candidate nearest to `name` (ASCII case ignored) within the limit of the file comment,
/// or nothing. A candidate equal to `name` is returned as well (distance 0).
inline std::optional<std::string> closest_name(std::string_view name, std::span<const std::string> candidates,
                                               std::size_t max_distance = 2) {
    const std::size_t limit = std::min(max_distance, std::max<std::size_t>(1, name.size() / 2));
    std::optional<std::string> best;
    std::size_t best_distance = limit + 1;
    for (const auto& c : candidates) {
        const std::size_t gap = c.size() > name.size() ? c.size() - name.size() : name.size() - c.size();
        if (gap >= best_distance) continue;
        const std::size_t d = closest_name_detail::osa_distance(name, c, true);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    return best;
}

/// " (did you mean 'NAME'?)" with the closest candidate, or "" when none is near enough.
inline std::string did_you_mean(std::string_view name, std::span<const std::string> candidates,
                                std::size_t max_distance = 2) {
    const auto c = closest_name(name, candidates, max_distance);
    return c ? " (did you mean '" + *c + "'?)" : std::string();
}

}  // namespace tessera::detail
