#pragma once
/// @file
/// Text output for the writers: byte sinks (std::ostream, plain file, gzip file) and exact
/// number formatting with std::to_chars (shortest representation that reads back bit for bit).

#include <tessera/core/error.hpp>
#include <tessera/io/detail/text_input.hpp>  // TESSERA_HAS_ZLIB, zlib.h

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

namespace tessera::detail {

class byte_sink {
public:
    virtual ~byte_sink() = default;
    virtual void write(std::string_view s) = 0;
    virtual void close() = 0;
};

class ostream_sink final : public byte_sink {
public:
    ostream_sink(std::ostream& os, std::string name) : os_(os), name_(std::move(name)) {}
    void write(std::string_view s) override {
        os_.write(s.data(), static_cast<std::streamsize>(s.size()));
        if (!os_) throw error(name_ + ": write error");
    }
    void close() override {
        os_.flush();
        if (!os_) throw error(name_ + ": write error");
    }

private:
    std::ostream& os_;
    std::string name_;
};

class file_sink final : public byte_sink {
public:
    /// `name` is used in messages (default: the path).
    explicit file_sink(const std::filesystem::path& p, std::string name = {})
        : name_(name.empty() ? p.string() : std::move(name)) {
        f_ = std::fopen(p.c_str(), "wb");
        if (!f_) throw error(name_ + ": cannot open for writing: " + std::strerror(errno));
    }
    ~file_sink() override {
        if (f_) std::fclose(f_);
    }
    file_sink(const file_sink&) = delete;
    file_sink& operator=(const file_sink&) = delete;
    void write(std::string_view s) override {
        if (!f_) throw error(name_ + ": write after close");
        if (std::fwrite(s.data(), 1, s.size(), f_) != s.size()) throw error(name_ + ": write error");
    }
    void close() override {
        if (!f_) return;
        const int rc = std::fclose(f_);
        f_ = nullptr;
        if (rc != 0) throw error(name_ + ": error closing file");
    }

private:
    std::FILE* f_ = nullptr;
    std::string name_;
};

#if TESSERA_HAS_ZLIB
class gzip_sink final : public byte_sink {
public:
    explicit gzip_sink(const std::filesystem::path& p, std::string name = {})
        : name_(name.empty() ? p.string() : std::move(name)) {
        g_ = gzopen(p.c_str(), "wb6");
        if (!g_) throw error(name_ + ": cannot open gzip file for writing");
    }
    ~gzip_sink() override {
        if (g_) gzclose(g_);
    }
    gzip_sink(const gzip_sink&) = delete;
    gzip_sink& operator=(const gzip_sink&) = delete;
    void write(std::string_view s) override {
        if (!g_) throw error(name_ + ": write after close");
        while (!s.empty()) {
            const unsigned k = static_cast<unsigned>(std::min<std::size_t>(s.size(), 1u << 30));
            if (gzwrite(g_, s.data(), k) != static_cast<int>(k)) throw error(name_ + ": gzip write error");
            s.remove_prefix(k);
        }
    }
    void close() override {
        if (!g_) return;
        const int rc = gzclose(g_);
        g_ = nullptr;
        if (rc != Z_OK) throw error(name_ + ": error closing gzip file");
    }

private:
    gzFile g_ = nullptr;
    std::string name_;
};
#endif

/// Opens a path for writing; gzip-compressed when it ends in ".gz". `name` is what messages call
/// it (default: the path; e.g. the final name when writing to a temporary file).
inline std::unique_ptr<byte_sink> open_sink(const std::filesystem::path& p, std::string name = {}) {
    if (p.extension() == ".gz") {
#if TESSERA_HAS_ZLIB
        return std::make_unique<gzip_sink>(p, std::move(name));
#else
        throw error(p.string() + ": gzip output requested, but tessera was built without zlib");
#endif
    }
    return std::make_unique<file_sink>(p, std::move(name));
}

/// Longest text write_double / write_integral produce (with any precision up to 17 digits).
inline constexpr std::size_t max_number_chars = 32;

/// Writes v at p (room for max_number_chars): the shortest decimal form that reads back to the
/// same double, or with `precision` > 0 that many significant digits (printf's %.<precision>g).
/// NaN is written `nan` whatever its sign, infinities `inf` and `-inf`. Returns the end.
inline char* write_double(char* p, double v, int precision = 0) noexcept {
    if (v != v) {
        std::memcpy(p, "nan", 3);
        return p + 3;
    }
    const auto r = precision > 0 ? std::to_chars(p, p + max_number_chars, v, std::chars_format::general, precision)
                                 : std::to_chars(p, p + max_number_chars, v);
    return r.ptr;
}

/// Writes v as an integer when it is a whole number within +-2^53 (keeping "-0"), else as
/// write_double does.
inline char* write_integral(char* p, double v, int precision = 0) noexcept {
    if (std::abs(v) <= 9007199254740992.0 && v == std::floor(v)) {
        if (v == 0 && std::signbit(v)) {
            *p++ = '-';
            *p++ = '0';
            return p;
        }
        return std::to_chars(p, p + max_number_chars, static_cast<std::int64_t>(v)).ptr;
    }
    return write_double(p, v, precision);
}

/// Appends the shortest decimal form of v that reads back to the same double.
inline void append_double(std::string& out, double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

/// Appends v as an integer when it is a whole number within +-2^53 (keeping "-0"), else as a
/// double.
inline void append_integral(std::string& out, double v) {
    if (std::abs(v) <= 9007199254740992.0 && v == std::floor(v)) {
        if (v == 0 && std::signbit(v)) {
            out += "-0";
            return;
        }
        char buf[24];
        const auto r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(v));
        out.append(buf, r.ptr);
    } else {
        append_double(out, v);
    }
}

}  // namespace tessera::detail
