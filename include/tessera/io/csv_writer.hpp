#pragma once
/// @file
/// CSV tables (the command's rdf, msd, isf, events and summary outputs): a header line, then
/// rows of numbers — integers as integers, every other value in the shortest decimal form that
/// reads back to the same double (as the dump writer). Paths ending in ".gz" are compressed.
///
///     tessera::csv_writer out("rdf.csv", {"r", "g"});
///     out.add(0.05).add(1.2).end_row();
///     out.close();   // throws tessera::error on a write error
///
/// A row with more or fewer values than the header is an error naming the file and the row.

#include <tessera/core/error.hpp>
#include <tessera/io/detail/text_output.hpp>

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace tessera {

class csv_writer {
public:
    /// Writes to a file; `name` is what messages call it (default: the path).
    csv_writer(const std::filesystem::path& path, std::vector<std::string> header, std::string name = {})
        : sink_(open(path, header, name)), name_(name.empty() ? path.string() : std::move(name)),
          columns_(header.size()) {
        start(header);
    }
    /// Writes to a stream, which must outlive the writer.
    csv_writer(std::ostream& os, std::vector<std::string> header, std::string name = "<stream>")
        : name_(std::move(name)), columns_(header.size()) {
        if (header.empty()) throw error(name_, ": a CSV table needs at least one column");
        sink_ = std::make_unique<detail::ostream_sink>(os, name_);
        start(header);
    }
    csv_writer(const csv_writer&) = delete;
    csv_writer& operator=(const csv_writer&) = delete;
    ~csv_writer() {
        try {
            close();
        } catch (...) {  // destructors do not throw; call close() to see errors
        }
    }

private:
    void start(const std::vector<std::string>& header) {
        for (std::size_t c = 0; c < header.size(); ++c) {
            if (c) buf_ += ',';
            buf_ += header[c];
        }
        buf_ += '\n';
        row_start_ = buf_.size();
    }

public:

    /// A floating-point value, exactly (shortest round-trip form).
    csv_writer& add(double v) {
        separator();
        char text[detail::max_number_chars];
        buf_.append(text, detail::write_double(text, v));
        return *this;
    }
    /// An integer.
    template <std::integral I>
    csv_writer& add(I v) {
        separator();
        buf_ += std::to_string(v);
        return *this;
    }
    /// A value already formatted (e.g. with a chosen precision, or a label); must not contain a
    /// comma, quote or line break.
    csv_writer& add_text(std::string_view text) {
        if (text.find_first_of(",\"\r\n") != std::string_view::npos)
            throw error(name_, ": row ", rows_ + 1, ": value '", text, "' contains a comma, quote or line break");
        separator();
        buf_ += text;
        return *this;
    }
    /// Ends the row; it must have one value per header column.
    void end_row() {
        ++rows_;
        if (in_row_ != columns_) {
            const std::size_t got = in_row_;
            buf_.resize(row_start_);  // the partial row is never written
            in_row_ = 0;
            throw error(name_, ": row ", rows_, " has ", got, " values for ", columns_, " columns");
        }
        in_row_ = 0;
        buf_ += '\n';
        if (buf_.size() > (std::size_t(1) << 20)) flush();
        row_start_ = buf_.size();
    }
    /// Writes what is buffered and closes the file; throws on an I/O error. Idempotent.
    void close() {
        if (!sink_) return;
        flush();
        auto s = std::move(sink_);
        s->close();
    }

private:
    /// Checks the header before the file is created (a bad call leaves no empty file behind).
    static std::unique_ptr<detail::byte_sink> open(const std::filesystem::path& path,
                                                   const std::vector<std::string>& header, const std::string& name) {
        if (header.empty()) throw error(name.empty() ? path.string() : name, ": a CSV table needs at least one column");
        return detail::open_sink(path, name);
    }
    void separator() {
        if (in_row_++ > 0) buf_ += ',';
    }
    void flush() {
        if (!sink_) throw error(name_, ": write after close");
        sink_->write(buf_);
        buf_.clear();
        row_start_ = 0;
    }

    std::unique_ptr<detail::byte_sink> sink_;
    std::string name_;
    std::size_t columns_;
    std::size_t in_row_ = 0, rows_ = 0;
    std::size_t row_start_ = 0;  ///< where the current row begins in buf_
    std::string buf_;
};

}  // namespace tessera
