#pragma once
/// @file
/// Line-oriented text input for the readers: byte sources (memory, std::istream, plain file,
/// gzip file), a buffered line reader that counts lines, whitespace tokenising and strict
/// number parsing with std::from_chars. No global state: a parser over a std::string_view is
/// what the fuzzers drive.
///
/// gzip needs zlib (link -lz / ZLIB::ZLIB). It is enabled when <zlib.h> is found, unless
/// TESSERA_NO_ZLIB is defined; without it, opening a gzip file throws tessera::error. A gzip
/// stream that ends early (no trailer) or fails its CRC is an error, never a short file.
///
/// Hostile input (docs/reliability.md, "Malformed-input catalogue"): a line is at most
/// line_reader::default_max_line bytes (64 MiB; set_max_line() changes it), so a file that is
/// one 2 GB line fails after reading 64 MiB instead of holding it; a directory is named as
/// such; a first line with bare carriage returns (classic Mac line ends) is named as such
/// (CRLF and mixed LF/CRLF are accepted: a '\r' before '\n' is dropped). Tokens quoted in
/// messages show control and non-ASCII bytes as \xHH, so binary junk never reaches a terminal raw.

#include <tessera/core/error.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#if !defined(TESSERA_NO_ZLIB) && __has_include(<zlib.h>)
#include <zlib.h>
#define TESSERA_HAS_ZLIB 1
#else
#define TESSERA_HAS_ZLIB 0
#endif

namespace tessera::detail {

/// Something that yields bytes. read() returns 0 at end of input and throws on I/O errors.
class byte_source {
public:
    virtual ~byte_source() = default;
    virtual std::size_t read(char* dst, std::size_t n) = 0;
    /// Bytes of the underlying input consumed so far (compressed bytes for gzip), for progress
    /// estimates against the input's size; 0 when unknown.
    virtual std::uint64_t input_consumed() const noexcept { return 0; }
    /// Bytes still to come when known (a regular file, memory), else unknown_size. Readers use
    /// it to size a frame's arrays once: a frame cannot hold more values than its bytes allow.
    static constexpr std::uint64_t unknown_size = ~std::uint64_t(0);
    virtual std::uint64_t bytes_left() const noexcept { return unknown_size; }
};

/// Bytes from memory: a view of a caller's buffer, or of a string the source owns.
class memory_source final : public byte_source {
public:
    explicit memory_source(std::string_view s) : s_(s) {}
    explicit memory_source(std::string&& owned) : owned_(std::move(owned)), s_(owned_) {}
    std::size_t read(char* dst, std::size_t n) override {
        const std::size_t k = std::min(n, s_.size());
        if (k) std::memcpy(dst, s_.data(), k);
        s_.remove_prefix(k);
        return k;
    }
    std::uint64_t bytes_left() const noexcept override { return s_.size(); }

private:
    std::string owned_;
    std::string_view s_;
};

class istream_source final : public byte_source {
public:
    istream_source(std::istream& is, std::string name) : is_(is), name_(std::move(name)) {}
    std::size_t read(char* dst, std::size_t n) override {
        if (!is_.good()) {
            if (is_.bad()) throw error(name_ + ": read error");
            return 0;
        }
        is_.read(dst, static_cast<std::streamsize>(n));
        if (is_.bad()) throw error(name_ + ": read error");
        return static_cast<std::size_t>(is_.gcount());
    }

private:
    std::istream& is_;
    std::string name_;
};

class file_source final : public byte_source {
public:
    explicit file_source(const std::filesystem::path& p) : name_(p.string()) {
        f_ = std::fopen(name_.c_str(), "rb");
        if (!f_) throw error(name_ + ": cannot open for reading: " + std::strerror(errno));
        std::error_code ec;
        if (std::filesystem::is_regular_file(p, ec)) {
            const auto size = std::filesystem::file_size(p, ec);
            if (!ec) size_ = size;
        }
    }
    ~file_source() override { std::fclose(f_); }
    file_source(const file_source&) = delete;
    file_source& operator=(const file_source&) = delete;
    std::size_t read(char* dst, std::size_t n) override {
        const std::size_t k = std::fread(dst, 1, n, f_);
        if (k < n && std::ferror(f_)) throw error(name_ + ": read error");
        consumed_ += k;
        return k;
    }
    std::uint64_t input_consumed() const noexcept override { return consumed_; }
    std::uint64_t bytes_left() const noexcept override {
        return size_ == unknown_size || consumed_ > size_ ? unknown_size : size_ - consumed_;
    }

private:
    std::FILE* f_ = nullptr;
    std::string name_;
    std::uint64_t consumed_ = 0;
    std::uint64_t size_ = unknown_size;  // regular files only (not pipes, not /dev/stdin)
};

#if TESSERA_HAS_ZLIB
class gzip_source final : public byte_source {
public:
    explicit gzip_source(const std::filesystem::path& p) : name_(p.string()) {
        g_ = gzopen(name_.c_str(), "rb");
        if (!g_) throw error(name_ + ": cannot open gzip file for reading");
        gzbuffer(g_, 1 << 17);
    }
    ~gzip_source() override { gzclose(g_); }
    gzip_source(const gzip_source&) = delete;
    gzip_source& operator=(const gzip_source&) = delete;
    std::size_t read(char* dst, std::size_t n) override {
        const unsigned chunk = static_cast<unsigned>(std::min<std::size_t>(n, 1u << 30));
        const int k = gzread(g_, dst, chunk);
        int code = Z_OK;
        const char* msg = gzerror(g_, &code);
        // zlib returns the bytes it could inflate from a cut stream, then 0 with Z_BUF_ERROR:
        // without this check a gzip file cut at a frame boundary would read as a shorter file.
        if (k == 0 && code == Z_BUF_ERROR)
            throw error(name_ + ": truncated gzip data (the compressed stream ends before its end marker)");
        if (k < 0 || (code != Z_OK && code != Z_BUF_ERROR)) {
            std::string m = msg ? msg : "unknown";
            if (m.rfind(name_ + ": ", 0) == 0) m.erase(0, name_.size() + 2);  // zlib prefixes the path
            throw error(name_ + ": corrupt gzip data (" + m + ")");
        }
        return static_cast<std::size_t>(k);
    }
    std::uint64_t input_consumed() const noexcept override {
        const auto off = gzoffset(g_);
        return off > 0 ? static_cast<std::uint64_t>(off) : 0;
    }

private:
    gzFile g_ = nullptr;
    std::string name_;
};
#endif

/// Throws naming the path when it is a directory (fopen succeeds on one, then reads fail).
inline void check_not_directory(const std::filesystem::path& p) {
    std::error_code ec;
    if (std::filesystem::is_directory(p, ec)) throw error(p.string() + ": is a directory, not a file");
}

/// True when the file starts with the gzip magic bytes 1f 8b.
inline bool is_gzip_file(const std::filesystem::path& p) {
    check_not_directory(p);
    std::FILE* f = std::fopen(p.string().c_str(), "rb");
    if (!f) throw error(p.string() + ": cannot open for reading: " + std::strerror(errno));
    unsigned char m[2] = {0, 0};
    const std::size_t k = std::fread(m, 1, 2, f);
    std::fclose(f);
    return k == 2 && m[0] == 0x1f && m[1] == 0x8b;
}

/// Opens a path, decompressing gzip (detected by magic bytes, whatever the extension).
inline std::unique_ptr<byte_source> open_source(const std::filesystem::path& p) {
    if (is_gzip_file(p)) {
#if TESSERA_HAS_ZLIB
        return std::make_unique<gzip_source>(p);
#else
        throw error(p.string() + ": gzip-compressed input, but tessera was built without zlib");
#endif
    }
    return std::make_unique<file_source>(p);
}

inline std::string quoted(std::string_view t);

/// Buffered line reader: returns each line without its terminator ("\n" or "\r\n") and counts
/// lines from 1. Memory is bounded by the longest line plus the chunk size, and a line longer
/// than max_line() bytes is an error (see the file comment).
class line_reader {
public:
    /// 64 MiB: ~500 times the longest line a dump, XYZ or CSV writer makes for 10^4 columns.
    static constexpr std::size_t default_max_line = std::size_t(64) << 20;

    line_reader(std::unique_ptr<byte_source> src, std::string name)
        : src_(std::move(src)), name_(std::move(name)), buf_(std::size_t(1) << 16) {}

    std::size_t max_line() const noexcept { return max_line_; }
    /// Lines longer than `bytes` (at least 1) are an error from now on.
    void set_max_line(std::size_t bytes) noexcept { max_line_ = std::max<std::size_t>(bytes, 1); }

    const std::string& name() const noexcept { return name_; }
    /// Number of the line last returned by next() (0 before the first).
    std::size_t line() const noexcept { return line_; }
    /// Input bytes consumed so far (see byte_source::input_consumed; includes read-ahead).
    std::uint64_t input_consumed() const noexcept { return src_->input_consumed(); }
    /// Bytes not yet returned as lines, when the source knows its size; else
    /// byte_source::unknown_size.
    std::uint64_t bytes_left() const noexcept {
        const std::uint64_t s = src_->bytes_left();
        return s == byte_source::unknown_size ? s : s + (end_ - pos_);
    }

    /// The next line, or false at end of input. The view is valid until the next call.
    bool next(std::string_view& out) {
        for (;;) {
            const char* nl = static_cast<const char*>(std::memchr(buf_.data() + pos_, '\n', end_ - pos_));
            if (nl) {
                const std::size_t len = static_cast<std::size_t>(nl - (buf_.data() + pos_));
                out = finish(buf_.data() + pos_, len);
                pos_ += len + 1;
                return true;
            }
            if (eof_) {
                if (pos_ == end_) return false;
                out = finish(buf_.data() + pos_, end_ - pos_);  // last line without '\n'
                pos_ = end_;
                return true;
            }
            fill();
        }
    }

    /// The next line that is not blank (whitespace only); false at end of input.
    bool next_nonblank(std::string_view& out) {
        while (next(out))
            if (out.find_first_not_of(" \t\r\v\f") != std::string_view::npos) return true;
        return false;
    }

    /// Text put between "<file>:<line>: " and the message of every error from now on: the
    /// readers name the frame being read ("frame 6 (timestep 600): "); empty between frames.
    void set_context(std::string context) { context_ = std::move(context); }

    /// An error located at the current line: "<file>:<line>: <context><what>".
    error fail(const std::string& what) const { return fail_at(line_, what); }
    error fail_at(std::size_t line, const std::string& what) const {
        return error(name_ + ":" + std::to_string(line) + ": " + context_ + what);
    }

private:
    std::string_view finish(const char* p, std::size_t len) {
        ++line_;
        if (len && p[len - 1] == '\r') --len;
        if (len > max_line_)
            throw fail("line longer than " + std::to_string(max_line_) + " bytes (not a text file of this format?)");
        if (line_ == 1) first_line(p, len);
        return {p, len};
    }
    /// Only the first line is searched (no cost per line). A control byte other than tab and
    /// the CR/VT/FF of text files there: binary data, named as such. A '\r' before its end:
    /// CR-only line ends (the whole file is then one line).
    void first_line(const char* p, std::size_t len) const {
        for (std::size_t i = 0; i < len; ++i) {
            const auto c = static_cast<unsigned char>(p[i]);
            if ((c < 0x20 && c != '\t' && c != '\r' && c != '\v' && c != '\f') || c == 0x7f)
                throw fail("not a text file: byte " + quoted(std::string_view(p + i, 1)) + " at column " +
                           std::to_string(i + 1) + " (binary or compressed data?)");
        }
        if (len && std::memchr(p, '\r', len - 1))
            throw fail("the line ends are bare carriage returns (CR, classic Mac OS); convert them to LF "
                       "(e.g. tr '\\r' '\\n')");
    }
    void fill() {
        if (pos_ > 0) {  // compact
            std::memmove(buf_.data(), buf_.data() + pos_, end_ - pos_);
            end_ -= pos_;
            pos_ = 0;
        }
        if (end_ > max_line_ + 1) {  // the line in the buffer has no end within the bound (+ '\r')
            ++line_;
            throw fail("line longer than " + std::to_string(max_line_) + " bytes (not a text file of this format?)");
        }
        if (end_ == buf_.size()) buf_.resize(std::min(buf_.size() * 2, max_line_ + 2));  // a long line
        std::size_t k = 0;
        try {
            k = src_->read(buf_.data() + end_, buf_.size() - end_);
        } catch (const error& e) {  // "<file>: what" from the source: say where
            const std::string_view what = e.what();
            if (what.substr(0, name_.size() + 2) != name_ + ": ") throw;
            throw fail_at(line_ + 1, std::string(what.substr(name_.size() + 2)));
        }
        if (k == 0) eof_ = true;
        end_ += k;
    }

    std::unique_ptr<byte_source> src_;
    std::string name_;
    std::string context_;
    std::vector<char> buf_;
    std::size_t pos_ = 0, end_ = 0, line_ = 0;
    std::size_t max_line_ = default_max_line;
    bool eof_ = false;
};

inline bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/// Splits s on whitespace into out (cleared first).
// always_inline: the atom-line loops call it once per line; left out of line (GCC 12 does when
// the loop is split into helpers), dump parsing was 5 % slower.
[[gnu::always_inline]] inline void split(std::string_view s, std::vector<std::string_view>& out) {
    out.clear();
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        while (i < n && is_space(s[i])) ++i;
        if (i == n) break;
        const std::size_t b = i;
        while (i < n && !is_space(s[i])) ++i;
        out.push_back(s.substr(b, i - b));
    }
}

/// Index of the first name equal to an earlier one, or -1: sorted, so a header of 10^6 column
/// names (a hostile but bounded line) costs n log n, not n^2 comparisons.
template <class Names>
std::ptrdiff_t first_duplicate(const Names& names) {
    const std::size_t n = names.size();
    if (n <= 32) {
        for (std::size_t c = 1; c < n; ++c)
            for (std::size_t p = 0; p < c; ++p)
                if (names[p] == names[c]) return static_cast<std::ptrdiff_t>(c);
        return -1;
    }
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const std::string_view x = names[a], y = names[b];
        return x < y || (x == y && a < b);
    });
    std::ptrdiff_t first = -1;
    for (std::size_t k = 1; k < n; ++k)
        if (std::string_view(names[order[k]]) == std::string_view(names[order[k - 1]]) &&
            (first < 0 || order[k] < static_cast<std::size_t>(first)))
            first = static_cast<std::ptrdiff_t>(order[k]);
    return first;
}

/// Quotes a token for an error message, shortened if long; control and non-ASCII bytes are
/// written \xHH (a UTF-8 byte-order mark shows as \xEF\xBB\xBF, a NUL as \x00).
inline std::string quoted(std::string_view t) {
    std::string s = "'";
    const std::size_t n = std::min<std::size_t>(t.size(), 40);
    for (std::size_t i = 0; i < n; ++i) {
        const auto c = static_cast<unsigned char>(t[i]);
        if (c >= 0x20 && c < 0x7f) {
            s += static_cast<char>(c);
        } else {
            static constexpr char hex[] = "0123456789ABCDEF";
            s += "\\x";
            s += hex[c >> 4];
            s += hex[c & 15];
        }
    }
    if (t.size() > n) s += "...";
    return s + "'";
}

/// The shortest decimal form of v that reads back exactly ("2.5", "1e+300"), for messages.
inline std::string shortest(double v) {
    char b[32];
    const auto r = std::to_chars(b, b + sizeof b, v);
    return std::string(b, r.ptr);
}

enum class parse_status { ok, not_a_number, not_finite, out_of_range };

/// Exact powers of ten in double: 10^0 … 10^22 (10^22 < 2^53 · 2^22 is the largest exact one).
inline constexpr double exact_powers_of_ten[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                   1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                                   1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/// Clinger's fast path (W. D. Clinger, "How to read floating point numbers accurately", PLDI
/// 1990): a token [-]digits[.digits][(e|E)[+-]digits] whose significand m (its digits without
/// the point) is at most 2^53, and whose decimal exponent e satisfies |e| <= 22, is exactly
/// m × 10^e or m / 10^-e — one IEEE operation on two exact doubles, hence correctly rounded,
/// the value std::from_chars returns. That covers what simulation codes print (%g, %.6f,
/// integer columns) at a fraction of from_chars' cost. False: not handled here (from_chars
/// decides, including every malformed token).
inline bool parse_decimal_fast(const char* b, const char* e, double& v, bool& integer_like) noexcept {
    const char* p = b;
    const bool negative = p != e && *p == '-';
    if (negative) ++p;
    // m <= 2^53 is tested after every digit, so m * 10 + 9 never wraps around 2^64 (a count of
    // significant digits let "18446744073709551616" wrap to 0).
    constexpr std::uint64_t max_m = std::uint64_t(1) << 53;
    std::uint64_t m = 0;
    int fraction = 0;
    const char* digits_begin = p;
    for (; p != e && static_cast<unsigned>(*p - '0') < 10u; ++p) {
        m = m * 10 + static_cast<unsigned>(*p - '0');
        if (m > max_m) return false;
    }
    const bool has_integer_part = p != digits_begin;
    bool digits_only = true;
    if (p != e && *p == '.') {
        digits_only = false;
        ++p;
        const char* f0 = p;
        for (; p != e && static_cast<unsigned>(*p - '0') < 10u; ++p) {
            m = m * 10 + static_cast<unsigned>(*p - '0');
            if (m > max_m) return false;
        }
        fraction = static_cast<int>(p - f0);
        if (!has_integer_part && fraction == 0) return false;
    } else if (!has_integer_part) {
        return false;
    }
    int exponent = 0;
    if (p != e && (*p == 'e' || *p == 'E')) {
        digits_only = false;
        ++p;
        const bool exponent_negative = p != e && *p == '-';
        if (p != e && (*p == '-' || *p == '+')) ++p;
        const char* x0 = p;
        for (; p != e && static_cast<unsigned>(*p - '0') < 10u && exponent < 10000; ++p)
            exponent = exponent * 10 + (*p - '0');
        if (p == x0) return false;
        if (exponent_negative) exponent = -exponent;
    }
    if (p != e) return false;
    const int e10 = exponent - fraction;
    double x = 0;
    if (m == 0) x = 0;
    else if (e10 >= 0 && e10 <= 22) x = static_cast<double>(m) * exact_powers_of_ten[e10];
    else if (e10 < 0 && e10 >= -22) x = static_cast<double>(m) / exact_powers_of_ten[-e10];
    else return false;
    v = negative ? -x : x;
    integer_like = digits_only;
    return true;
}

/// Parses a whole token as a double. `integer_like` is set when the token is an optional sign
/// followed by digits only. Accepts a leading '+'; rejects hex and trailing junk. NaN and
/// infinity (`nan`, `-nan`, `inf`, `-inf`, `+inf`, `infinity`, any case; what printf's %g
/// writes) return not_finite with v set to that value: per-atom columns accept them, header
/// fields (box, time) do not.
inline parse_status parse_double(std::string_view t, double& v, bool& integer_like) noexcept {
    const char* b = t.data();
    const char* e = b + t.size();
    if (b != e && *b == '+') {
        ++b;
        if (b != e && (*b == '-' || *b == '+')) return parse_status::not_a_number;
    }
    if (b == e) return parse_status::not_a_number;
    if (parse_decimal_fast(b, e, v, integer_like)) return parse_status::ok;
    const auto [p, ec] = std::from_chars(b, e, v, std::chars_format::general);
    if (ec == std::errc::result_out_of_range) return parse_status::out_of_range;
    if (ec != std::errc() || p != e) return parse_status::not_a_number;
    if (!std::isfinite(v)) {
        integer_like = false;
        return parse_status::not_finite;
    }
    integer_like = true;
    for (const char* q = (*b == '-' ? b + 1 : b); q != e; ++q)
        if (*q < '0' || *q > '9') {
            integer_like = false;
            break;
        }
    return parse_status::ok;
}

/// Parses a whole token as a 64-bit integer (optional sign).
inline bool parse_int64(std::string_view t, std::int64_t& v) noexcept {
    const char* b = t.data();
    const char* e = b + t.size();
    if (b != e && *b == '+') ++b;
    if (b == e || *b == '+') return false;
    const auto [p, ec] = std::from_chars(b, e, v);
    return ec == std::errc() && p == e;
}

/// Message for a failed numeric parse of `token` in column `col`.
inline std::string number_problem(parse_status st, std::string_view token, std::string_view col) {
    switch (st) {
    case parse_status::not_finite:
        return "non-finite value " + quoted(token) + " in column '" + std::string(col) + "'";
    case parse_status::out_of_range:
        return "value " + quoted(token) + " out of the range of double in column '" + std::string(col) + "'";
    default:
        return "non-numeric value " + quoted(token) + " in column '" + std::string(col) + "'";
    }
}

/// Hash for heterogeneous (std::string_view) lookup in std::unordered_map<std::string, ...>.
struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};

}  // namespace tessera::detail
