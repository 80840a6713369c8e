#pragma once
/// @file
/// A symmetric value per pair of particle types, types 1..num_types (LAMMPS convention) — the
/// first-shell cutoffs of Cu–Zr glasses, for example (Cu–Cu 3.05, Cu–Zr 3.75, Zr–Zr 4.35 Å) —
/// and its one text form, "A-B:V,A-B:V,...":
///
///     auto t = tessera::type_pair_table::parse("1-1:3.05,1-2:3.75,2-2:4.35", "--coord-pairs");
///     t(2, 1) == 3.75;   t.num_types() == 2;   t.max() == 4.35
///
/// Entries not given are 0 (for cutoffs: the pair never counts). pair_coordination
/// (descriptors/coordination.hpp), chemical_order and bond changes (dynamics/bond_changes.hpp)
/// are built from it, so every command flag of this form is read by parse() alone.

#include <tessera/core/error.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera {

class type_pair_table {
public:
    /// Largest type number parse() accepts (a typo like 1-2000000000 would otherwise ask for
    /// 4·10¹⁸ entries).
    static constexpr int max_types = 4096;

    type_pair_table() = default;
    /// num_types × num_types entries, all `fill`.
    explicit type_pair_table(int num_types, double fill = 0)
        : n_(num_types), v_(num_types > 0 ? std::size_t(num_types) * std::size_t(num_types) : 0, fill) {
        if (num_types < 0) throw error("type_pair_table: the number of types must be >= 0, got ", num_types);
    }

    /// Reads "A-B:V,A-B:V,..." (A, B >= 1; V >= 0 and finite; whitespace around items allowed).
    /// The table covers types 1..max(A, B). A pair given twice with different values is an
    /// error. `what` names the source in messages (a command-line flag, a file).
    static type_pair_table parse(std::string_view text, std::string_view what) {
        std::vector<std::pair<std::pair<int, int>, double>> entries;
        int n = 0;
        std::size_t begin = 0;
        while (begin <= text.size()) {
            const std::size_t comma = std::min(text.find(',', begin), text.size());
            const std::string_view item = trim(text.substr(begin, comma - begin));
            const auto fail = [&](const char* why) -> error {
                return error(what, ": '", item, "' ", why, " (expected A-B:VALUE entries like 1-2:3.75)");
            };
            const std::size_t dash = item.find('-'), colon = item.find(':');
            if (item.empty()) throw error(what, ": empty entry in '", text, "' (expected A-B:VALUE,...)");
            if (dash == std::string_view::npos || colon == std::string_view::npos || colon < dash)
                throw fail("is not of the form A-B:VALUE");
            const int a = type_of(item.substr(0, dash)), b = type_of(item.substr(dash + 1, colon - dash - 1));
            if (a < 1 || b < 1) throw fail("has a type that is not an integer in 1..4096");
            double v = 0;
            const std::string_view value = item.substr(colon + 1);
            const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
            if (ec != std::errc() || p != value.data() + value.size() || value.empty())
                throw fail("has a value that is not a number");
            if (!(v >= 0) || !std::isfinite(v)) throw fail("has a value that is negative or not finite");
            for (const auto& [ab, w] : entries)
                if (((ab.first == a && ab.second == b) || (ab.first == b && ab.second == a)) && w != v)
                    throw fail("gives a pair a second, different value");
            entries.push_back({{a, b}, v});
            n = std::max({n, a, b});
            begin = comma + 1;
        }
        type_pair_table t(n);
        for (const auto& [ab, v] : entries) t.set(ab.first, ab.second, v);
        return t;
    }

    /// Sets (a, b) and (b, a); types in 1..num_types(), v >= 0 and finite.
    void set(int a, int b, double v) {
        if (a < 1 || b < 1 || a > n_ || b > n_)
            throw error("type_pair_table: type pair ", a, "-", b, " outside 1..", n_);
        if (!(v >= 0) || !std::isfinite(v))
            throw error("type_pair_table: value ", v, " for pair ", a, "-", b, " must be >= 0 and finite");
        v_[index(a, b)] = v_[index(b, a)] = v;
    }
    /// The value of (a, b); 0 for types outside the table.
    double operator()(int a, int b) const noexcept {
        if (a < 1 || b < 1 || a > n_ || b > n_) return 0;
        return v_[index(a, b)];
    }
    int num_types() const noexcept { return n_; }
    bool empty() const noexcept { return n_ == 0; }
    /// The largest value (0 for an empty table).
    double max() const noexcept { return v_.empty() ? 0.0 : *std::max_element(v_.begin(), v_.end()); }
    /// Row-major num_types × num_types values.
    const std::vector<double>& values() const noexcept { return v_; }

private:
    static std::string_view trim(std::string_view s) noexcept {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    }
    /// A type number, or 0 when the text is not an integer >= 1.
    static int type_of(std::string_view s) noexcept {
        s = trim(s);
        int t = 0;
        const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), t);
        return ec == std::errc() && p == s.data() + s.size() && !s.empty() && t >= 1 && t <= max_types ? t : 0;
    }
    std::size_t index(int a, int b) const noexcept { return std::size_t(a - 1) * std::size_t(n_) + std::size_t(b - 1); }

    int n_ = 0;
    std::vector<double> v_;
};

}  // namespace tessera
