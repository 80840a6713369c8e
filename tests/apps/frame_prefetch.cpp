// apps/tessera/frame_prefetch.hpp, the command's read-ahead: with a reading thread or without
// one, the frames handed over, their order, indices and contents, the place of a read error and
// an early stop must be those of reading the file directly with trajectory_reader (the oracle).
#include "../../apps/tessera/frame_prefetch.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace {

using tessera::frame;
using tessera::trajectory_reader;

/// Frames start, start + step, ... below stop (no stop: to the end).
struct slice {
    std::size_t start = 0, step = 1;
    std::optional<std::size_t> stop;
    bool selects(std::size_t i) const { return i >= start && (!stop || i < *stop) && (i - start) % step == 0; }
    bool finished(std::size_t i) const { return stop && i >= *stop; }
};

/// A dump of `frames` frames of 3 atoms; frame `broken` (if any) has a bad atom line.
std::filesystem::path write_dump(const std::string& name, std::size_t frames, std::optional<std::size_t> broken = {}) {
    const auto path = std::filesystem::path(name);
    std::ofstream out(path);
    for (std::size_t t = 0; t < frames; ++t) {
        out << "ITEM: TIMESTEP\n" << 10 * t << "\nITEM: NUMBER OF ATOMS\n3\nITEM: BOX BOUNDS pp pp pp\n0 5\n0 5\n0 5\n"
            << "ITEM: ATOMS id type x y z\n";
        for (int i = 1; i <= 3; ++i)
            out << i << " 1 " << 0.5 * double(t + 1) + i << " 1 " << (broken == t && i == 2 ? "oops" : "2") << "\n";
    }
    return path;
}

struct seen {
    std::size_t index;
    std::int64_t timestep;
    std::vector<double> x;
};

/// What a direct read gives (the loop for_each_selected_frame had before reading ahead).
std::vector<seen> direct(const std::filesystem::path& p, const slice& s, std::size_t& end) {
    trajectory_reader r(p);
    std::vector<seen> out;
    frame f;
    std::size_t i = 0;
    for (;; ++i) {
        if (s.finished(i)) break;
        if (!s.selects(i)) {
            if (!r.skip()) break;
            continue;
        }
        if (!r.next(f)) break;
        const auto x = f.column("x");
        out.push_back({i, f.timestep, {x.begin(), x.end()}});
    }
    end = i;
    return out;
}

std::vector<seen> prefetched(const std::filesystem::path& p, const slice& s, bool ahead, std::size_t& end) {
    trajectory_reader r(p);
    tessera::cli::frame_prefetcher<slice> frames(r, s, ahead);
    std::vector<seen> out;
    frame f;
    while (const auto got = frames.next(f)) {
        const auto x = f.column("x");
        out.push_back({got->index, f.timestep, {x.begin(), x.end()}});
        f.add_column("descriptor", std::vector<double>(f.natoms, 1.0));  // as a command does
    }
    end = frames.end_index();
    return out;
}

std::string error_of(const auto& call) {
    try {
        call();
    } catch (const tessera::error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("frame_prefetcher: the frames, indices and contents of a direct read, for every selection") {
    const auto p = write_dump("prefetch_ok.dump", 9);
    const std::vector<slice> selections{{}, {1, 2, 7}, {3, 1, 4}, {0, 3, std::nullopt}, {20, 1, std::nullopt}, {2, 1, 2}};
    for (const slice& s : selections)
        for (const bool ahead : {true, false}) {
            CAPTURE(s.start, s.step, s.stop.value_or(999), ahead);
            std::size_t end_direct = 0, end_prefetched = 0;
            const auto want = direct(p, s, end_direct);
            const auto got = prefetched(p, s, ahead, end_prefetched);
            REQUIRE(got.size() == want.size());
            for (std::size_t k = 0; k < got.size(); ++k) {
                CHECK(got[k].index == want[k].index);
                CHECK(got[k].timestep == want[k].timestep);
                CHECK(got[k].x == want[k].x);
            }
            CHECK(end_prefetched == end_direct);
        }
    std::filesystem::remove(p);
}

TEST_CASE("frame_prefetcher: a read error comes after the frames before it, with the reader's message") {
    const auto p = write_dump("prefetch_broken.dump", 6, 3);
    std::string expected;
    {
        trajectory_reader r(p);
        frame f;
        for (int k = 0; k < 3; ++k) REQUIRE(r.next(f));
        expected = error_of([&] { r.next(f); });
        REQUIRE_FALSE(expected.empty());
    }
    for (const bool ahead : {true, false}) {
        trajectory_reader r(p);
        tessera::cli::frame_prefetcher<slice> frames(r, slice{}, ahead);
        frame f;
        for (std::size_t k = 0; k < 3; ++k) {
            const auto got = frames.next(f);
            REQUIRE(got);
            CHECK(got->index == k);
        }
        CHECK(error_of([&] { frames.next(f); }) == expected);
    }
    // Stopping before the broken frame: no error, whichever frame the thread had read ahead.
    for (const bool ahead : {true, false}) {
        trajectory_reader r(p);
        {
            tessera::cli::frame_prefetcher<slice> frames(r, slice{}, ahead);
            frame f;
            REQUIRE(frames.next(f));
            REQUIRE(frames.next(f));
        }  // destroyed with the thread waiting or reading: joins, no throw
        SUCCEED();
    }
    std::filesystem::remove(p);
}
