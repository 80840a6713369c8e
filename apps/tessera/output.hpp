#pragma once
// Output files of the `tessera` command that never destroy data.
//
// Every subcommand writes through an output_file:
//   - a target that is one of the run's inputs (or another of its outputs) is refused before
//     anything is opened — compared as files (device + inode), so a hard link, a symbolic link
//     or another spelling of the same path counts;
//   - the data go to a hidden temporary file beside the target (same directory, so the final
//     rename is atomic), which replaces the target only when the run succeeded (commit());
//     a run that fails leaves the target as it was and no temporary behind;
//   - "-" is standard output (plain text; the summary line then goes to stderr).
#include <tessera/core/error.hpp>
#include <tessera/io/csv_writer.hpp>
#include <tessera/io/extxyz_writer.hpp>
#include <tessera/io/lammps_dump_writer.hpp>
#include <tessera/io/npy_writer.hpp>

#include "common.hpp"

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <string>
#include <system_error>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

namespace tessera::cli {

class output_file {
public:
    /// `what` names the option in messages ("-o", "--sq"); `inputs` are every file the run reads
    /// and every output already opened (one run's outputs must differ too).
    output_file(std::string target, const std::vector<std::string>& inputs, std::string what = "-o")
        : target_(std::move(target)) {
        if (target_.empty()) throw usage_error(what + ": empty output path");
        if (target_ == "-") return;
        struct stat out {};
        if (::stat(target_.c_str(), &out) == 0) {
            if (S_ISDIR(out.st_mode)) throw error(what, " ", target_, ": is a directory");
            for (const auto& in : inputs) {
                struct stat s {};
                if (in != "-" && ::stat(in.c_str(), &s) == 0 && s.st_dev == out.st_dev && s.st_ino == out.st_ino)
                    throw usage_error(what + " " + target_ + " is the same file as " +
                                      (in == target_ ? std::string("the input") : "'" + in + "'") +
                                      ": writing it would destroy the data being read; choose another output name");
            }
        }
        const std::filesystem::path p(target_);
        const std::filesystem::path dir = p.has_parent_path() ? p.parent_path() : std::filesystem::path(".");
        std::error_code ec;
        if (!std::filesystem::is_directory(dir, ec))
            throw error(what, " ", target_, ": the directory '", dir.string(), "' does not exist");
        // Same extension as the target (".gz" selects compression in the writers).
        temporary_ = dir / ("." + p.filename().string() + ".tessera-" + std::to_string(::getpid()) + ".tmp" +
                            (p.extension() == ".gz" ? ".gz" : ""));
    }
    output_file(const output_file&) = delete;
    output_file& operator=(const output_file&) = delete;
    ~output_file() {
        if (!temporary_.empty() && !committed_) {
            std::error_code ec;
            std::filesystem::remove(temporary_, ec);
        }
    }

    bool is_stdout() const noexcept { return target_ == "-"; }
    /// The path the user asked for (for messages).
    const std::string& target() const noexcept { return target_; }
    /// Where the writer writes until commit().
    const std::filesystem::path& temporary() const noexcept { return temporary_; }

    /// The run succeeded: the temporary replaces the target. Call after the writer is closed.
    void commit() {
        if (is_stdout() || committed_) return;
        std::error_code ec;
        std::filesystem::rename(temporary_, target_, ec);
        if (ec) throw error(target_, ": cannot move the finished output into place: ", ec.message());
        committed_ = true;
    }

    /// A LAMMPS dump writer for this output (messages name the target, not the temporary).
    lammps_dump_writer dump_writer() const {
        if (is_stdout()) return lammps_dump_writer(std::cout, "<stdout>");
        return lammps_dump_writer(temporary_, target_);
    }
    /// An extended XYZ writer for this output.
    extxyz_writer xyz_writer() const {
        if (is_stdout()) return extxyz_writer(std::cout, "<stdout>");
        return extxyz_writer(temporary_, target_);
    }
    /// A CSV writer for this output.
    std::unique_ptr<csv_writer> csv(std::vector<std::string> header) const {
        if (is_stdout()) return std::make_unique<csv_writer>(std::cout, std::move(header), "<stdout>");
        return std::make_unique<csv_writer>(temporary_, std::move(header), target_);
    }

private:
    std::string target_;
    std::filesystem::path temporary_;
    bool committed_ = false;
};

/// Per-atom output of whole frames, in the format the target's name asks for: `.csv` (or
/// `.csv.gz`) a CSV table and `.npy` a NumPy record table — one row per atom and frame, the
/// columns `timestep` and the frame's columns; every frame must then have the first frame's
/// columns — `.xyz` / `.extxyz` (or `.gz` of them) extended XYZ (io/extxyz_writer.hpp), anything
/// else a LAMMPS dump (also stdout).
class frame_writer {
public:
    explicit frame_writer(const output_file& out) : out_(out) {
        const std::string& t = out.target();
        auto ends = [&](std::string_view e) { return t.size() >= e.size() && t.compare(t.size() - e.size(), e.size(), e) == 0; };
        format_ = out.is_stdout()                                      ? format::dump
                  : ends(".npy")                                       ? format::npy
                  : ends(".csv") || ends(".csv.gz")                    ? format::csv
                  : ends(".xyz") || ends(".xyz.gz") || ends(".extxyz") || ends(".extxyz.gz") ? format::xyz
                                                                       : format::dump;
        if (format_ == format::dump) dump_.emplace(out.dump_writer());
        if (format_ == format::xyz) xyz_.emplace(out.xyz_writer());
    }
    /// Significant digits of dump, extended XYZ and CSV values (0: shortest exact); .npy is always exact.
    void set_precision(int digits) {
        precision_ = digits;
        if (dump_) dump_->set_precision(digits);
        if (xyz_) xyz_->set_precision(digits);
    }
    void write(const frame& f) {
        if (format_ == format::dump) return dump_->write(f);
        if (format_ == format::xyz) return xyz_->write(f);
        if (header_.empty()) open(f);
        else if (f.names != header_)
            throw error(out_.target(), ": frame at timestep ", f.timestep, " has the columns '", f.column_list(),
                        "', the first frame had other columns; a table needs the same columns in every frame");
        if (format_ == format::npy) {
            blocks_.clear();
            blocks_.push_back(npy_writer::column::constant(f.timestep));
            for (const auto& c : f.columns) blocks_.emplace_back(std::span<const double>(c));  // labels: their numbers
            npy_->add_column_block(f.natoms, std::span<const npy_writer::column>(blocks_));
            return;
        }
        char text[detail::max_number_chars];
        for (std::size_t i = 0; i < f.natoms; ++i) {
            csv_->add(f.timestep);
            for (std::size_t c = 0; c < f.columns.size(); ++c) {
                const double v = f.columns[c][i];
                if (f.is_string_column(c)) csv_->add_text(f.label(c, i));
                else if (f.integral[c] && std::abs(v) <= 9007199254740992.0 && v == std::floor(v)) csv_->add(std::int64_t(v));
                else if (precision_ > 0) csv_->add_text({text, std::size_t(detail::write_double(text, v, precision_) - text)});
                else csv_->add(v);
            }
            csv_->end_row();
        }
    }
    void close() {
        if (dump_) dump_->close();
        if (xyz_) xyz_->close();
        if (csv_) csv_->close();
        if (npy_) npy_->close();
    }

private:
    enum class format { dump, xyz, csv, npy };
    void open(const frame& f) {
        header_ = f.names;
        if (format_ == format::csv) {
            std::vector<std::string> names{"timestep"};
            names.insert(names.end(), f.names.begin(), f.names.end());
            csv_ = out_.csv(std::move(names));
        } else {
            std::vector<npy_writer::field> fields{{"timestep", npy_writer::int64}};
            for (std::size_t c = 0; c < f.names.size(); ++c)
                fields.push_back({f.names[c], f.integral[c] ? npy_writer::int64 : npy_writer::float64});
            npy_.emplace(out_.temporary(), std::move(fields), out_.target());
        }
    }

    const output_file& out_;
    format format_ = format::dump;
    int precision_ = 0;
    std::optional<lammps_dump_writer> dump_;
    std::optional<extxyz_writer> xyz_;
    std::unique_ptr<csv_writer> csv_;
    std::optional<npy_writer> npy_;
    std::vector<std::string> header_;
    std::vector<npy_writer::column> blocks_;
};

/// The line every run ends with (unless --quiet): what was read, how long it took, where the
/// result is. On stdout, or on stderr when the data went to stdout.
class run_report {
public:
    explicit run_report(std::string command) : command_(std::move(command)), start_(std::chrono::steady_clock::now()) {}
    /// Filled by for_each_selected_frame(..., &report.tally).
    frame_tally tally;

    /// The tally's frames and atoms, results in `outputs`.
    void done(std::initializer_list<const output_file*> outputs) const { done(tally.frames, tally.atoms, outputs); }
    /// `frames` frames of `atoms` atoms (the last frame's count) written to `outputs`.
    void done(std::size_t frames, std::size_t atoms, std::initializer_list<const output_file*> outputs) const {
        if (!quiet_ok()) return;
        bool to_stdout = false;
        std::string where;
        for (const output_file* o : outputs) {
            if (!o) continue;
            to_stdout = to_stdout || o->is_stdout();
            where += (where.empty() ? "" : ", ") + (o->is_stdout() ? std::string("stdout") : o->target());
        }
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        std::fprintf(to_stdout ? stderr : stdout, "tessera %s: %zu frame%s, %zu atoms, %.3g s -> %s\n", command_.c_str(),
                     frames, frames == 1 ? "" : "s", atoms, seconds, where.c_str());
    }

private:
    static bool quiet_ok() { return show_progress; }
    std::string command_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace tessera::cli
