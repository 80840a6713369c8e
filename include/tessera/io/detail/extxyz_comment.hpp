#pragma once
/// @file
/// Parsing of the extended-XYZ comment line: `key=value` pairs, values bare, "double-quoted"
/// (with backslash escapes) or {curly-braced}; a bare key means `key=T`. And the
/// `Properties=name:type:count:...` specification.

#include <tessera/io/detail/text_input.hpp>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tessera::detail {

inline bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

/// Splits the comment line into (key, value) pairs. Returns an error description, or empty.
inline std::string parse_key_values(std::string_view s, std::vector<std::pair<std::string, std::string>>& out) {
    out.clear();
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        while (i < n && is_space(s[i])) ++i;
        if (i == n) break;
        const std::size_t kb = i;
        while (i < n && !is_space(s[i]) && s[i] != '=') ++i;
        std::string key(s.substr(kb, i - kb));
        if (key.empty()) return "empty key before '=' at column " + std::to_string(i + 1);
        std::size_t j = i;
        while (j < n && is_space(s[j])) ++j;
        if (j == n || s[j] != '=') {  // bare key
            out.emplace_back(std::move(key), "T");
            continue;
        }
        i = j + 1;
        while (i < n && is_space(s[i])) ++i;
        std::string value;
        if (i < n && (s[i] == '"' || s[i] == '{')) {
            const char close = s[i] == '"' ? '"' : '}';
            ++i;
            bool closed = false;
            while (i < n) {
                if (close == '"' && s[i] == '\\' && i + 1 < n) {
                    value += s[i + 1];
                    i += 2;
                    continue;
                }
                if (s[i] == close) {
                    closed = true;
                    ++i;
                    break;
                }
                value += s[i++];
            }
            if (!closed) return "unterminated " + std::string(close == '"' ? "quote" : "brace") + " in value of '" + key + "'";
        } else {
            const std::size_t vb = i;
            while (i < n && !is_space(s[i])) ++i;
            value.assign(s.substr(vb, i - vb));
        }
        out.emplace_back(std::move(key), std::move(value));
    }
    return {};
}

/// One entry of Properties=: name, type (S, R, I or L) and number of columns.
struct xyz_property {
    std::string name;
    char type = 'R';
    std::size_t count = 1;
};

/// Parses "species:S:1:pos:R:3"; returns an error description, or empty.
inline std::string parse_properties(std::string_view s, std::vector<xyz_property>& out) {
    out.clear();
    std::vector<std::string_view> parts;
    std::size_t b = 0;
    for (std::size_t i = 0; i <= s.size(); ++i)
        if (i == s.size() || s[i] == ':') {
            parts.push_back(s.substr(b, i - b));
            b = i + 1;
        }
    if (parts.size() % 3 != 0) return "Properties must be name:type:count triples, got " + quoted(s);
    for (std::size_t k = 0; k < parts.size(); k += 3) {
        xyz_property p;
        p.name.assign(parts[k]);
        if (p.name.empty()) return "empty property name in Properties";
        if (parts[k + 1].size() != 1 || std::string_view("SRIL").find(static_cast<char>(std::toupper(
                                            static_cast<unsigned char>(parts[k + 1][0])))) == std::string_view::npos)
            return "property '" + p.name + "' has type " + quoted(parts[k + 1]) + ", expected S, R, I or L";
        p.type = static_cast<char>(std::toupper(static_cast<unsigned char>(parts[k + 1][0])));
        std::int64_t c = 0;
        if (!parse_int64(parts[k + 2], c) || c < 1 || c > 1000)
            return "property '" + p.name + "' has count " + quoted(parts[k + 2]) + ", expected 1 to 1000";
        p.count = static_cast<std::size_t>(c);
        out.push_back(std::move(p));
    }
    return {};
}

/// T/F, True/False, 1/0 (any case).
inline std::optional<bool> parse_bool(std::string_view t) {
    if (iequals(t, "t") || iequals(t, "true") || t == "1") return true;
    if (iequals(t, "f") || iequals(t, "false") || t == "0") return false;
    return std::nullopt;
}

}  // namespace tessera::detail
