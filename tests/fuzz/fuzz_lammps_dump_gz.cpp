// libFuzzer target for the gzip path of the LAMMPS dump reader (zlib's gzopen/gzread via
// detail::gzip_source, which only opens paths: the input goes through a temporary file).
// An input that starts with the gzip magic bytes 1f 8b is written as it is (corrupt headers,
// bad CRCs, truncated streams, concatenated members); any other input is gzip-compressed
// first, so the text behind the decompressor is fuzzed too. The file is opened as the command
// line opens trajectories (io/trajectory_reader.hpp: format detected from the content, so
// gzip-compressed extended XYZ is reached too), read once with next() and once with skip()
// (the frame count behind negative --frames indices); both must agree on the number of frames.
//
// Build and run: scripts/fuzz (docs/reliability.md). Only tessera::error is an accepted outcome.
#include "fuzz_util.hpp"

#include <tessera/io/trajectory_reader.hpp>

#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<unsigned char> bytes;
    if (size >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        bytes.assign(data, data + size);
    } else {
        // A gzip stream (windowBits + 16), as `gzip` and LAMMPS's dump */gz write. Inputs are at
        // most 4 KiB: a 512-byte window, memLevel 1 and level 1 make deflate's state 3 KiB
        // instead of 256 KiB (allocated and poisoned by ASan on every execution: the target ran
        // at ~400-1500 executions/s); inflate reads any window size the same way.
        z_stream z{};
        if (deflateInit2(&z, 1, Z_DEFLATED, 9 + 16, 1, Z_DEFAULT_STRATEGY) != Z_OK) std::abort();
        // deflateBound, not compressBound: the bound depends on the window and memLevel chosen
        // (compressBound assumes the defaults and is too small for memLevel 1 on
        // incompressible input, which made deflate return Z_OK instead of Z_STREAM_END).
        const uLong n = deflateBound(&z, static_cast<uLong>(size));
        bytes.resize(n);
        z.next_in = const_cast<Bytef*>(data);
        z.avail_in = static_cast<uInt>(size);
        z.next_out = bytes.data();
        z.avail_out = static_cast<uInt>(n);
        if (deflate(&z, Z_FINISH) != Z_STREAM_END) std::abort();
        bytes.resize(z.total_out);
        deflateEnd(&z);
    }
    const tessera_fuzz::temp_file file(bytes.data(), bytes.size(), ".gz");
    std::size_t read = 0, skipped = 0;
    bool read_ok = true, skip_ok = true;
    try {
        tessera::trajectory_reader reader(file.path());
        tessera::frame f;
        while (reader.next(f)) {
            ++read;
            try {
                (void)f.positions(tessera::unwrap::if_available);
            } catch (const tessera::error&) {
            }
        }
    } catch (const tessera::error&) {
        read_ok = false;
    }
    try {
        tessera::trajectory_reader reader(file.path());
        while (reader.skip()) ++skipped;
    } catch (const tessera::error&) {
        skip_ok = false;
    }
    // skip() checks less than next() (no atom lines), so it may count frames next() rejects,
    // but never fewer: a file that reads cleanly must skip to the same count.
    if (read_ok && (!skip_ok || skipped != read)) std::abort();
    return 0;
}
