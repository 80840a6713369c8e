// Diagnostic for docs/defects.md ("Known problems"): per frame of a LAMMPS dump of fcc atoms,
// the DXA lines and junctions, the worst junction residual, and the state of the cluster graph —
// how many clusters, how many of at most 5 atoms, and how many cluster pairs whose two-step
// transition paths disagree (a graph cycle that does not close: carrying a lattice vector
// around it changes the vector).
//
//   g++ -std=c++20 -O2 -I include -isystem /usr/include/eigen3 examples/seeds/000/cluster_graph_scan.cpp -o cluster_graph_scan -lz
//   ./cluster_graph_scan OUT/rep1/tension.dump > scan.txt
//
// Columns: frame lines junctions worst_residual clusters tiny_clusters inconsistent_pairs other_lines
#include <tessera/core/frame.hpp>
#include <tessera/defects/dislocations.hpp>
#include <tessera/io/lammps_dump.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace {

/// Cluster pairs (a < b) reached by two paths of at most two direct transitions whose matrices
/// differ by more than 1e-3 in some element.
int inconsistent_pairs(const tessera::cluster_graph& g) {
    int count = 0;
    for (std::uint32_t a = 1; a < g.size(); ++a)
        for (std::uint32_t b = a + 1; b < g.size(); ++b) {
            std::vector<tessera::mat3<double>> paths;
            for (const auto t1 : g.direct_from(a)) {
                if (g.get(t1).to == b) paths.push_back(g.matrix(t1));
                for (const auto t2 : g.direct_from(g.get(t1).to))
                    if (g.get(t2).to == b) paths.push_back(g.matrix(t2) * g.matrix(t1));
            }
            for (std::size_t k = 1; k < paths.size(); ++k) {
                double worst = 0;
                for (std::size_t r = 0; r < 3; ++r)
                    for (std::size_t c = 0; c < 3; ++c) worst = std::max(worst, std::abs(paths[k](r, c) - paths[0](r, c)));
                if (worst > 1e-3) {
                    ++count;
                    break;
                }
            }
        }
    return count;
}

}  // namespace

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::fprintf(stderr, "usage: cluster_graph_scan DUMP\n");
        return 2;
    }
    tessera::lammps_dump_reader reader(argv[1]);
    tessera::frame f;
    for (int frame = 0; reader.next(f); ++frame) {
        const auto p = f.positions();
        const std::vector<std::array<double, 3>> positions(p.begin(), p.end());
        tessera::with_box(f.box, [&](const auto& box) {
            const auto result = tessera::extract_dislocations(positions, box);
            const auto crystal = tessera::identify_crystal_structure(positions, box, tessera::lattice_structure::fcc);
            int tiny = 0, other = 0;
            for (std::uint32_t c = 1; c < crystal.graph.size(); ++c) tiny += crystal.graph.cluster(c).atoms <= 5;
            for (const auto& l : result.lines) other += l.family == 0;
            std::printf("%d %zu %zu %.4f %zu %d %d %d\n", frame, result.lines.size(), result.junctions,
                        result.worst_junction_residual, crystal.graph.size() - 1, tiny,
                        inconsistent_pairs(crystal.graph), other);
        });
    }
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "cluster_graph_scan: %s\n", e.what());
    return 1;
}
