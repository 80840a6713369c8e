#pragma once
/// @file
/// NumPy .npy tables (the command's per-atom output when the path ends in ".npy"): one record
/// per row, a structured dtype with one named field per column, each a little-endian 64-bit
/// integer ('<i8') or double ('<f8'). `np.load` gives a record array: `a['csp']` is a column.
///
///     tessera::npy_writer out("atoms.npy", {{"frame", npy_writer::int64}, {"timestep", npy_writer::int64},
///                                           {"id", npy_writer::int64}, {"csp", npy_writer::float64}});
///     out.add(std::int64_t(0)).add(std::int64_t(100)).add(std::int64_t(1)).add(0.25).end_row();
///     out.close();   // throws tessera::error on a write error
///
///     a = numpy.load("atoms.npy")            # a.dtype.names == ('frame', 'timestep', 'id', 'csp')
///
/// or a block of rows at once from columns (each a span of doubles or int64, or one value for
/// every row), the fast way to write a frame:
///
///     out.add_column_block(natoms, {npy_writer::column::constant(frame_number),
///                                   npy_writer::column::constant(timestep), ids, csp});
///
/// Format (NPY 1.0, numpy.lib.format; NEP 1, https://numpy.org/neps/nep-0001-npy-format.html):
/// the magic "\x93NUMPY", version 1.0 (2.0 only when the header exceeds 65535 bytes), the header
/// length (little-endian uint16; uint32 in 2.0), then the header, a Python dict literal
///
///     {'descr': [('frame', '<i8'), ('csp', '<f8')], 'fortran_order': False, 'shape': (3,), }
///
/// padded with spaces and ended by '\n' so the data start at a multiple of 64 bytes, then the
/// records, packed, row after row. The row count is not known until close(): the header is
/// written with shape (0,) and room for a 20-digit count, and close() seeks back and rewrites it
/// (the file must be seekable: a regular file). A file left by a crash therefore loads as an
/// empty table. gzip (".gz" paths) is not supported: np.load reads plain files only.
///
/// Values are converted to the field's type: an integer given for a float64 field is converted
/// (exactly up to 2^53); a double given for an int64 field must be a whole number within ±2^53,
/// else it is an error (integer columns that tessera stores as doubles — ids, types — pass).
/// Errors name the file, the row (counted from 1, as it would stand in the file) and the field;
/// a row with an error is dropped, and writing can go on. Field names must be non-empty
/// printable ASCII without quotes or backslashes, and distinct.
///
/// NumPy >= 1.24 refuses headers over 10000 bytes by default (about 400 fields): load those
/// with `np.load(path, max_header_size=...)`.
///
/// Memory: rows are packed into a ~1 MiB buffer written out when full; no allocation per row.

#include <tessera/core/error.hpp>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <limits>
#include <memory>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace tessera {

namespace detail {

/// Stores u at p as 8 little-endian bytes, whatever the machine's byte order.
inline void store_le64(unsigned char* p, std::uint64_t u) noexcept {
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(p, &u, 8);
    } else {
        for (int i = 0; i < 8; ++i) p[i] = static_cast<unsigned char>(u >> (8 * i));
    }
}

/// True if v is a whole number within ±2^53 (an int64 field takes it exactly).
inline bool is_exact_int64(double v) noexcept {
    return std::abs(v) <= 9007199254740992.0 && v == std::trunc(v);
}

/// The shortest text of v that reads back to the same double (for error messages).
inline std::string double_text(double v) {
    char buf[32];
    return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

}  // namespace detail

class npy_writer {
public:
    /// The type of a field: little-endian 64-bit integer ('<i8') or double ('<f8').
    enum dtype : unsigned char { int64, float64 };

    struct field {
        std::string name;
        dtype type = float64;
    };

    /// One column of a block of rows (add_column_block): a span of doubles or int64, which must
    /// outlive the call, or one value repeated on every row.
    class column {
    public:
        column(std::span<const double> values) noexcept  // NOLINT(google-explicit-constructor)
            : kind_(kind::doubles), doubles_(values.data()), size_(values.size()) {}
        column(std::span<const std::int64_t> values) noexcept  // NOLINT(google-explicit-constructor)
            : kind_(kind::integers), integers_(values.data()), size_(values.size()) {}
        /// Any contiguous range of double or int64 (std::vector, std::array, ...).
        template <std::ranges::contiguous_range R>
            requires std::ranges::sized_range<R> &&
                     (std::same_as<std::ranges::range_value_t<R>, double> ||
                      std::same_as<std::ranges::range_value_t<R>, std::int64_t>)
        column(const R& r) noexcept  // NOLINT(google-explicit-constructor)
            : column(std::span<const std::ranges::range_value_t<R>>(std::ranges::data(r), std::ranges::size(r))) {}

        /// `v` on every row of the block.
        static column constant(double v) noexcept {
            column c;
            c.kind_ = kind::doubles;
            c.constant_ = true;
            c.double_value_ = v;
            return c;
        }
        /// `v` on every row of the block (an integer; throws if it exceeds the int64 range).
        template <std::integral I>
        static column constant(I v) {
            if constexpr (std::is_unsigned_v<I> && sizeof(I) >= sizeof(std::int64_t))
                if (v > static_cast<I>(std::numeric_limits<std::int64_t>::max()))
                    throw error("npy_writer::column::constant: ", v, " exceeds the int64 range");
            column c;
            c.kind_ = kind::integers;
            c.constant_ = true;
            c.integer_value_ = static_cast<std::int64_t>(v);
            return c;
        }

        bool is_constant() const noexcept { return constant_; }
        /// Number of values (0 for a constant).
        std::size_t size() const noexcept { return size_; }

    private:
        friend class npy_writer;
        enum class kind : unsigned char { doubles, integers };
        column() = default;
        double double_at(std::size_t i) const noexcept { return constant_ ? double_value_ : doubles_[i]; }
        std::int64_t integer_at(std::size_t i) const noexcept { return constant_ ? integer_value_ : integers_[i]; }

        kind kind_ = kind::doubles;
        bool constant_ = false;
        const double* doubles_ = nullptr;
        const std::int64_t* integers_ = nullptr;
        std::size_t size_ = 0;
        double double_value_ = 0;
        std::int64_t integer_value_ = 0;
    };

    /// Creates (truncates) the file and writes the header. Throws before the file is created if
    /// the path ends in ".gz" or a field is invalid (no fields, a bad or repeated name).
    /// `name` is what messages call the file (default: the path).
    npy_writer(const std::filesystem::path& path, std::vector<field> fields, std::string name = {})
        : name_(name.empty() ? path.string() : std::move(name)), fields_(std::move(fields)) {
        validate(path);
        types_.reserve(fields_.size());
        for (const auto& f : fields_) types_.push_back(f.type);
        row_bytes_ = 8 * fields_.size();
        const std::size_t chunk_rows = std::max<std::size_t>(1, (std::size_t(1) << 20) / row_bytes_);
        buf_.resize(chunk_rows * row_bytes_);
        const std::string header = header_text(0);  // sets header_size_; rewritten at close()
        file_.reset(std::fopen(path.c_str(), "wb"));
        if (!file_) throw error(name_, ": cannot open for writing: ", std::strerror(errno));
        write_bytes(header.data(), header.size());
    }
    npy_writer(const npy_writer&) = delete;
    npy_writer& operator=(const npy_writer&) = delete;
    npy_writer(npy_writer&&) noexcept = default;
    npy_writer& operator=(npy_writer&&) = delete;
    ~npy_writer() {
        try {
            close();
        } catch (...) {  // destructors do not throw; call close() to see errors
        }
    }

    /// The next value of the row: a double (an int64 field takes it only if it is a whole number
    /// within ±2^53).
    npy_writer& add(double v) {
        unsigned char* p = slot();
        if (types_[in_row_] == float64) {
            detail::store_le64(p, std::bit_cast<std::uint64_t>(v));
        } else {
            if (!detail::is_exact_int64(v)) bad_value(detail::double_text(v) + " is not a whole number within ±2^53");
            detail::store_le64(p, static_cast<std::uint64_t>(static_cast<std::int64_t>(v)));
        }
        ++in_row_;
        return *this;
    }
    /// The next value of the row: an integer (converted to double for a float64 field; it must
    /// fit in int64 for an int64 field).
    template <std::integral I>
    npy_writer& add(I v) {
        unsigned char* p = slot();
        if (types_[in_row_] == float64) {
            detail::store_le64(p, std::bit_cast<std::uint64_t>(static_cast<double>(v)));
        } else {
            if constexpr (std::is_unsigned_v<I> && sizeof(I) >= sizeof(std::int64_t))
                if (v > static_cast<I>(std::numeric_limits<std::int64_t>::max()))
                    bad_value(std::to_string(v) + " exceeds the int64 range");
            detail::store_le64(p, static_cast<std::uint64_t>(static_cast<std::int64_t>(v)));
        }
        ++in_row_;
        return *this;
    }
    /// Ends the row; it must have one value per field.
    void end_row() {
        if (!file_) closed();
        if (in_row_ != fields_.size()) {
            const std::size_t got = in_row_;
            in_row_ = 0;  // the partial row is never written
            throw error(name_, ": row ", rows_ + 1, " has ", got, " values for ", fields_.size(), " fields");
        }
        in_row_ = 0;
        pos_ += row_bytes_;
        ++rows_;
        if (pos_ == buf_.size()) flush();
    }

    /// Appends `rows` rows from columns, one per field in order: spans of exactly `rows` values
    /// or constants. Checked before anything is written: a block with an error (wrong number of
    /// columns or values, a double that an int64 field cannot take) writes no row.
    void add_column_block(std::size_t rows, std::span<const column> columns) {
        if (!file_) closed();
        if (in_row_ != 0)
            throw error(name_, ": add_column_block with row ", rows_ + 1, " unfinished (", in_row_, " of ",
                        fields_.size(), " values)");
        if (columns.size() != fields_.size())
            throw error(name_, ": a block of ", columns.size(), " columns for ", fields_.size(), " fields");
        for (std::size_t c = 0; c < columns.size(); ++c) {
            const column& col = columns[c];
            if (!col.constant_ && col.size_ != rows)
                throw error(name_, ": field '", fields_[c].name, "': a column of ", col.size_,
                            " values for a block of ", rows, " rows");
            if (types_[c] == int64 && col.kind_ == column::kind::doubles) {
                const std::size_t n = col.constant_ ? std::min<std::size_t>(rows, 1) : rows;
                for (std::size_t i = 0; i < n; ++i)
                    if (!detail::is_exact_int64(col.double_at(i)))
                        throw error(name_, ": row ", rows_ + i + 1, ", field '", fields_[c].name, "' (int64): ",
                                    detail::double_text(col.double_at(i)), " is not a whole number within ±2^53");
            }
        }
        std::size_t done = 0;
        while (done < rows) {
            const std::size_t k = std::min(rows - done, (buf_.size() - pos_) / row_bytes_);
            unsigned char* base = buf_.data() + pos_;
            for (std::size_t c = 0; c < columns.size(); ++c) fill(base + 8 * c, columns[c], types_[c], done, k);
            pos_ += k * row_bytes_;
            rows_ += k;
            done += k;
            if (pos_ == buf_.size()) flush();
        }
    }
    void add_column_block(std::size_t rows, std::initializer_list<column> columns) {
        add_column_block(rows, std::span<const column>(columns.begin(), columns.size()));
    }

    /// Writes what is buffered, rewrites the header with the row count and closes the file;
    /// throws on an I/O error, or (after closing) if a row was left unfinished. Idempotent.
    void close() {
        if (!file_) return;
        const std::size_t unfinished = in_row_;
        in_row_ = 0;
        flush();
        if (std::fflush(file_.get()) != 0) fail("write error");
        if (std::fseek(file_.get(), 0, SEEK_SET) != 0)
            fail("cannot seek back to write the row count into the header (not a regular file?)");
        const std::string header = header_text(rows_);
        write_bytes(header.data(), header.size());
        const int rc = std::fclose(file_.release());
        if (rc != 0) throw error(name_, ": error closing file: ", std::strerror(errno));
        if (unfinished)
            throw error(name_, ": closed with row ", rows_ + 1, " unfinished (", unfinished, " of ", fields_.size(),
                        " values); it was not written");
    }

    /// Rows written so far (complete rows).
    std::size_t rows() const noexcept { return rows_; }
    const std::vector<field>& fields() const noexcept { return fields_; }
    /// Bytes before the first record (a multiple of 64).
    std::size_t header_size() const noexcept { return header_size_; }

private:
    struct file_closer {
        void operator()(std::FILE* f) const noexcept { std::fclose(f); }
    };

    void validate(const std::filesystem::path& path) const {
        if (path.extension() == ".gz")
            throw error(name_, ": gzip-compressed .npy output is not supported (np.load reads plain .npy files); "
                               "write a plain .npy file and compress it afterwards if needed");
        if (fields_.empty()) throw error(name_, ": a .npy table needs at least one field");
        for (std::size_t c = 0; c < fields_.size(); ++c) {
            const std::string& n = fields_[c].name;
            if (n.empty()) throw error(name_, ": field ", c + 1, " has an empty name");
            for (const char ch : n)
                if (ch < 0x20 || ch > 0x7e || ch == '\'' || ch == '"' || ch == '\\')
                    throw error(name_, ": field name '", n,
                                "' is not valid in a .npy header (printable ASCII without quotes or backslashes)");
            if (fields_[c].type != int64 && fields_[c].type != float64)
                throw error(name_, ": field '", n, "' has an unknown type ", int(fields_[c].type));
            for (std::size_t d = 0; d < c; ++d)
                if (fields_[d].name == n) throw error(name_, ": field name '", n, "' appears twice");
        }
    }

    /// The preamble and header with `rows` in the shape, padded to header_size_ (fixed by the
    /// first call, with room for a 20-digit row count).
    std::string header_text(std::size_t rows) {
        std::string dict = "{'descr': [";
        for (std::size_t c = 0; c < fields_.size(); ++c) {
            if (c) dict += ", ";
            dict += "('" + fields_[c].name + (fields_[c].type == int64 ? "', '<i8')" : "', '<f8')");
        }
        dict += "], 'fortran_order': False, 'shape': (";
        const std::string count = std::to_string(rows);
        if (header_size_ == 0) {
            const std::size_t text = dict.size() + 20 + std::string_view(",), }").size() + 1;  // + '\n'
            header_size_ = (10 + text + 63) / 64 * 64;  // 1.0: a uint16 length after 10 bytes
            major_ = 1;
            if (header_size_ - 10 > 65535) {           // 2.0: a uint32 length after 12 bytes
                header_size_ = (12 + text + 63) / 64 * 64;
                major_ = 2;
            }
        }
        dict += count + ",), }";
        const std::size_t preamble = major_ == 1 ? 10 : 12;
        const std::size_t len = header_size_ - preamble;  // the dict, spaces and '\n'
        std::string h("\x93NUMPY", 6);
        h += static_cast<char>(major_);
        h += '\0';
        for (std::size_t b = 0; b < preamble - 8; ++b) h += static_cast<char>((len >> (8 * b)) & 0xff);
        h += dict;
        h.append(header_size_ - 1 - h.size(), ' ');
        h += '\n';
        return h;
    }

    /// The slot of the row's next value; throws after close or past the last field.
    unsigned char* slot() {
        if (!file_) closed();
        if (in_row_ == fields_.size()) {
            in_row_ = 0;  // the row is dropped
            throw error(name_, ": row ", rows_ + 1, " has more than ", fields_.size(), " values for ", fields_.size(),
                        " fields");
        }
        return buf_.data() + pos_ + 8 * in_row_;
    }

    [[noreturn]] void bad_value(const std::string& what) {
        const std::size_t c = in_row_;
        in_row_ = 0;  // the row is dropped
        throw error(name_, ": row ", rows_ + 1, ", field '", fields_[c].name, "' (int64): ", what);
    }

    [[noreturn]] void closed() const {
        throw error(name_, failed_ ? ": write after an earlier write error" : ": write after close");
    }

    /// Closes the file after an I/O error and throws naming it.
    [[noreturn]] void fail(const char* what) {
        const int e = errno;
        file_.reset();
        failed_ = true;
        throw error(name_, ": ", what, e ? std::string(": ") + std::strerror(e) : std::string());
    }

    void write_bytes(const void* p, std::size_t n) {
        errno = 0;
        if (n && std::fwrite(p, 1, n, file_.get()) != n) fail("write error");
    }

    void flush() {
        write_bytes(buf_.data(), pos_);
        pos_ = 0;
    }

    /// Writes k values of `col` (from row `from`) into field slots `row_bytes_` apart.
    void fill(unsigned char* dst, const column& col, dtype type, std::size_t from, std::size_t k) const {
        const std::size_t stride = row_bytes_;
        if (col.constant_) {
            std::uint64_t u = 0;
            if (type == float64)
                u = std::bit_cast<std::uint64_t>(col.kind_ == column::kind::doubles
                                                     ? col.double_value_
                                                     : static_cast<double>(col.integer_value_));
            else
                u = static_cast<std::uint64_t>(col.kind_ == column::kind::integers
                                                   ? col.integer_value_
                                                   : static_cast<std::int64_t>(col.double_value_));
            for (std::size_t i = 0; i < k; ++i) detail::store_le64(dst + i * stride, u);
        } else if (col.kind_ == column::kind::doubles) {
            const double* s = col.doubles_ + from;
            if (type == float64)
                for (std::size_t i = 0; i < k; ++i)
                    detail::store_le64(dst + i * stride, std::bit_cast<std::uint64_t>(s[i]));
            else
                for (std::size_t i = 0; i < k; ++i)
                    detail::store_le64(dst + i * stride, static_cast<std::uint64_t>(static_cast<std::int64_t>(s[i])));
        } else {
            const std::int64_t* s = col.integers_ + from;
            if (type == float64)
                for (std::size_t i = 0; i < k; ++i)
                    detail::store_le64(dst + i * stride, std::bit_cast<std::uint64_t>(static_cast<double>(s[i])));
            else
                for (std::size_t i = 0; i < k; ++i)
                    detail::store_le64(dst + i * stride, static_cast<std::uint64_t>(s[i]));
        }
    }

    std::string name_;
    std::vector<field> fields_;
    std::vector<dtype> types_;  ///< fields_[c].type, contiguous for add()
    std::size_t row_bytes_ = 0;
    std::vector<unsigned char> buf_;  ///< whole rows; written out when full
    std::size_t pos_ = 0;             ///< where the current row begins in buf_
    std::size_t in_row_ = 0;          ///< values of the current row so far
    std::size_t rows_ = 0;            ///< complete rows
    std::size_t header_size_ = 0;
    int major_ = 1;
    bool failed_ = false;
    std::unique_ptr<std::FILE, file_closer> file_;
};

}  // namespace tessera
