// Writes a large LAMMPS text dump for tests/memory/measure_stream_rss.py: an fcc Cu crystal
// (a = 3.615 Å, n x n x n cells, 4 n^3 atoms) with thermal-like random displacements that change
// from frame to frame (so LENS, D2min and MSD have work), ids 1..N in order, periodic box.
// Deterministic: frame f of a run with F frames equals frame f of any run with more frames.
//   make_stream_dump N_CELLS FRAMES OUT.dump
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: make_stream_dump N_CELLS FRAMES OUT.dump\n");
        return 2;
    }
    const long n = std::atol(argv[1]), frames = std::atol(argv[2]);
    const double a = 3.615, L = a * double(n);
    std::FILE* out = std::fopen(argv[3], "wb");
    if (!out || n < 1 || frames < 1) {
        std::fprintf(stderr, "make_stream_dump: bad arguments or cannot write %s\n", argv[3]);
        return 1;
    }
    static char buffer[1 << 22];
    std::setvbuf(out, buffer, _IOFBF, sizeof buffer);
    const double basis[4][3] = {{0, 0, 0}, {.5, .5, 0}, {.5, 0, .5}, {0, .5, .5}};
    const long natoms = 4 * n * n * n;
    char line[128];
    for (long f = 0; f < frames; ++f) {
        std::mt19937_64 rng(1000 + std::uint64_t(f));
        std::normal_distribution<double> noise(0.0, 0.08 + 0.01 * double(f));  // Å, grows: "heating"
        std::fprintf(out, "ITEM: TIMESTEP\n%ld\nITEM: NUMBER OF ATOMS\n%ld\nITEM: BOX BOUNDS pp pp pp\n", f * 1000, natoms);
        for (int d = 0; d < 3; ++d) std::fprintf(out, "0 %.10g\n", L);
        std::fputs("ITEM: ATOMS id type x y z\n", out);
        long id = 0;
        for (long i = 0; i < n; ++i)
            for (long j = 0; j < n; ++j)
                for (long k = 0; k < n; ++k)
                    for (const auto& b : basis) {
                        const double x = (double(i) + b[0]) * a + noise(rng), y = (double(j) + b[1]) * a + noise(rng),
                                     z = (double(k) + b[2]) * a + noise(rng);
                        char* p = line;
                        p = std::to_chars(p, line + sizeof line, ++id).ptr;
                        *p++ = ' ';
                        *p++ = '1';
                        for (const double v : {x, y, z}) {
                            *p++ = ' ';
                            p = std::to_chars(p, line + sizeof line, v, std::chars_format::fixed, 5).ptr;
                        }
                        *p++ = '\n';
                        std::fwrite(line, 1, std::size_t(p - line), out);
                    }
    }
    return std::fclose(out) == 0 ? 0 : 1;
}
