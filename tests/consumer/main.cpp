// Built by tests/consumer/run.cmake against the installed tessera package, through the
// umbrella header: a run-time planner on a small fcc crystal, checked against what fcc is; and a
// gzip-compressed dump, which a package built with zlib reads and one built without it
// (TESSERA_USE_ZLIB=OFF, the vcpkg/conan `zlib` feature off) refuses with a clear tessera::error.
#include <tessera/tessera.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

// gzip.compress(b"ITEM: TIMESTEP\n0\n...ITEM: ATOMS id type x y z\n7 1 1 2 3\n", mtime=0) (Python):
// one atom, id 7, at (1, 2, 3) in a 4 A periodic cube.
static const unsigned char one_atom_dump_gz[] = {
    0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0xf3, 0x0c, 0x71, 0xf5, 0xb5, 0x52, 0x08, 0xf1,
    0xf4, 0x75, 0x0d, 0x0e, 0x71, 0x0d, 0xe0, 0x32, 0xe0, 0xf2, 0x04, 0x0b, 0xf8, 0x85, 0xfa, 0x3a, 0xb9, 0x06,
    0x29, 0xf8, 0xbb, 0x29, 0x38, 0x86, 0xf8, 0xfb, 0x06, 0x73, 0x19, 0x42, 0xc5, 0x9d, 0xfc, 0x23, 0x80, 0x38,
    0xd4, 0xcf, 0x25, 0x58, 0xa1, 0xa0, 0x00, 0x82, 0xb8, 0x0c, 0x14, 0x4c, 0xe0, 0x18, 0xa2, 0x0a, 0xac, 0x47,
    0x21, 0x33, 0x45, 0xa1, 0xa4, 0xb2, 0x20, 0x55, 0xa1, 0x42, 0xa1, 0x52, 0xa1, 0x8a, 0xcb, 0x5c, 0xc1, 0x10,
    0x08, 0x8d, 0x14, 0x8c, 0xb9, 0x00, 0xda, 0xa8, 0x44, 0x6b, 0x73, 0x00, 0x00, 0x00};

// Returns 0 when the .gz behaves as this build promises, prints what happened.
static int check_gzip_input(const char* argv0) {
    const auto path = std::filesystem::path(argv0).replace_filename("consumer_one_atom.dump.gz");
    {
        std::ofstream out(path, std::ios::binary);
        out.write(reinterpret_cast<const char*>(one_atom_dump_gz), sizeof one_atom_dump_gz);
    }
    try {
        tessera::trajectory_reader reader(path);
        tessera::frame f;
        if (!reader.next(f)) {
            std::printf("gzip: no frame read\n");
            return 1;
        }
        const auto ids = f.ids();
        const auto p = f.positions();
#ifdef TESSERA_NO_ZLIB
        std::printf("gzip: read a .gz although this package was built without zlib\n");
        return 1;
#else
        const bool ok = ids.size() == 1 && ids[0] == 7 && p[0][0] == 1 && p[0][1] == 2 && p[0][2] == 3;
        std::printf("gzip: read %zu atom(s) from %s: %s\n", ids.size(), path.filename().c_str(), ok ? "ok" : "WRONG");
        return ok ? 0 : 1;
#endif
    } catch (const tessera::error& e) {
#ifdef TESSERA_NO_ZLIB
        const bool clear = std::string(e.what()).find("without zlib") != std::string::npos;
        std::printf("gzip: built without zlib, refused: %s\n", e.what());
        return clear ? 0 : 1;
#else
        std::printf("gzip: unexpected error: %s\n", e.what());
        return 1;
#endif
    }
}

int main(int, char** argv) {
    if (check_gzip_input(argv[0]) != 0) return 1;
    std::printf("tessera %d.%d.%d\n", tessera::version_major, tessera::version_minor,
                tessera::version_patch);
    // 4x4x4 fcc cells, a = 3.615: every atom has 12 neighbours at a/sqrt2, CSP 0, CNA fcc (1).
    const double a = 3.615;
    std::vector<std::array<double, 3>> p;
    const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            for (int k = 0; k < 4; ++k)
                for (const auto& b : basis) p.push_back({(i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a});
    const tessera::orthogonal_box<double> box({0, 0, 0}, {4 * a, 4 * a, 4 * a});
    tessera::planner<double> plan;
    plan.add(tessera::csp{12});
    plan.add(tessera::cna{3.086});
    plan.add(tessera::coordination{3.0});
    const auto out = plan.run(p, box);
    for (std::size_t i = 0; i < p.size(); ++i)
        if (!(out.column("csp")[i] < 1e-20) || out.column("cna")[i] != 1 || out.column("coord")[i] != 12) {
            std::printf("consumer: atom %zu is not fcc\n", i);
            return 1;
        }
    std::printf("planner: %zu fcc atoms, stage %s\n", p.size(), plan.plan().describe().c_str());
    try {
        throw tessera::error("consumer: deliberate error");
    } catch (const tessera::error& e) {
        std::printf("caught tessera::error: %s\n", e.what());
        return 0;
    }
    return 1;
}
