#pragma once
/// @file
/// A trajectory reader that picks the format of a file: LAMMPS text dump or extended XYZ, by
/// name (*.xyz, *.extxyz, optionally .gz: extended XYZ) and, for any other name, by content
/// (the first non-blank line of a dump is "ITEM: ..."; of an XYZ file, the atom count).
///
///     tessera::trajectory_reader r("run.lammpstrj.gz");
///     tessera::frame f;
///     while (r.next(f)) { ... }
///     r.format();   // trajectory_format::lammps_dump

#include <tessera/core/error.hpp>
#include <tessera/core/frame.hpp>
#include <tessera/io/detail/text_input.hpp>
#include <tessera/io/extxyz.hpp>
#include <tessera/io/lammps_dump.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>

namespace tessera {

enum class trajectory_format { lammps_dump, extxyz };

/// The format of a trajectory file: by extension (.xyz/.extxyz, before an optional .gz), else
/// by its first non-blank line. Throws tessera::error when the file cannot be read.
inline trajectory_format detect_trajectory_format(const std::filesystem::path& path) {
    std::string name = path.filename().string();
    if (name.size() > 3 && name.ends_with(".gz")) name.resize(name.size() - 3);
    if (name.ends_with(".xyz") || name.ends_with(".extxyz")) return trajectory_format::extxyz;
    if (!std::filesystem::exists(path)) throw error(path.string(), ": no such file");
    detail::line_reader in(detail::open_source(path), path.string());
    std::string_view line;
    if (!in.next_nonblank(line)) return trajectory_format::lammps_dump;  // empty: the dump reader reports it
    const auto b = line.find_first_not_of(" \t");
    line.remove_prefix(b == std::string_view::npos ? line.size() : b);
    if (line.starts_with("ITEM:")) return trajectory_format::lammps_dump;
    std::int64_t count = 0;
    std::string_view first = line.substr(0, line.find_first_of(" \t\r"));
    if (detail::parse_int64(first, count) && count >= 0) return trajectory_format::extxyz;
    return trajectory_format::lammps_dump;  // neither: the dump reader names what is wrong
}

class trajectory_reader {
public:
    explicit trajectory_reader(const std::filesystem::path& path) : reader_(open(path)) {}

    /// Reads the next frame into f; false at the end.
    bool next(frame& f) {
        return std::visit([&](auto& r) { return r.next(f); }, reader_);
    }
    /// Skips the next frame without parsing its atoms; false at the end.
    bool skip() {
        return std::visit([&](auto& r) { return r.skip(); }, reader_);
    }
    trajectory_format format() const noexcept {
        return std::holds_alternative<extxyz_reader>(reader_) ? trajectory_format::extxyz : trajectory_format::lammps_dump;
    }
    /// Input bytes consumed so far (compressed for gzip): progress against the file size.
    std::uint64_t input_consumed() const {
        return std::visit([](const auto& r) { return r.input_consumed(); }, reader_);
    }
    const std::string& name() const {
        return std::visit([](const auto& r) -> const std::string& { return r.name(); }, reader_);
    }

private:
    using any_reader = std::variant<lammps_dump_reader, extxyz_reader>;
    static any_reader open(const std::filesystem::path& path) {
        if (!std::filesystem::exists(path)) throw error(path.string(), ": no such file");
        if (detect_trajectory_format(path) == trajectory_format::extxyz)
            return any_reader(std::in_place_type<extxyz_reader>, path);
        return any_reader(std::in_place_type<lammps_dump_reader>, path);
    }
    any_reader reader_;
};

}  // namespace tessera
