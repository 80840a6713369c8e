// Reference driver for tessera's PTM tests (make_ovito_reference.sh): OVITO 3's vendored PTM
// library (MIT, P. M. Larsen), called as OVITO's PTMAlgorithm calls it — the 18 nearest
// neighbours under periodic boundaries (brute force over the 27 nearest images; ties by index),
// ptm_preorder_neighbours, the get_neighbours callback giving each atom its own ordered list.
// Reads the first frame of a LAMMPS text dump (id type x y z; orthogonal or triclinic, periodic);
// writes one line per atom, by input order: id, structure, RMSD, quaternion (w x y z),
// interatomic distance, ordering type. Not part of tessera: it needs OVITO's PTM source.
#include "ptm_functions.h"
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

struct system_t {
    std::vector<long> id;
    std::vector<int> type;
    std::vector<std::array<double, 3>> x;
    double h[3][3] = {};  // columns a, b, c
    double hinv[3][3] = {};
    std::vector<std::vector<std::pair<double, std::array<double, 3>>>> nbr;  // per atom: (d2, delta)
    std::vector<std::vector<size_t>> nbr_index;
    std::vector<uint64_t> cache;
};

static int get_neighbours(void* vdata, size_t, size_t atom_index, int num_requested, ptm_atomicenv_t* env) {
    system_t& s = *(system_t*)vdata;
    const auto& nb = s.nbr[atom_index];
    int numNeighbors = std::min<int>(num_requested - 1, (int)nb.size());
    int dummy = 0;
    ptm_decode_correspondences(PTM_MATCH_FCC, s.cache[atom_index], env->correspondences, &dummy);
    env->atom_indices[0] = atom_index;
    env->points[0][0] = env->points[0][1] = env->points[0][2] = 0;
    for (int i = 0; i < numNeighbors; i++) {
        int p = env->correspondences[i + 1] - 1;
        env->atom_indices[i + 1] = s.nbr_index[atom_index][p];
        for (int d = 0; d < 3; ++d) env->points[i + 1][d] = nb[p].second[d];
    }
    env->numbers[0] = s.type[atom_index];
    for (int i = 0; i < numNeighbors; i++) env->numbers[i + 1] = s.type[s.nbr_index[atom_index][env->correspondences[i + 1] - 1]];
    env->num = numNeighbors + 1;
    return numNeighbors + 1;
}

int main(int argc, char** argv) {
    if (argc < 3) { std::fprintf(stderr, "usage: ovito_ptm DUMP FLAGS (PTM_CHECK_* bits)\n"); return 2; }
    system_t s;
    std::ifstream in(argv[1]);
    std::string line;
    std::getline(in, line); std::getline(in, line); std::getline(in, line);
    size_t n; in >> n; std::getline(in, line);
    std::getline(in, line);
    const bool tri = line.find("xy") != std::string::npos;
    double lo[3], hi[3], tilt[3] = {0, 0, 0};
    for (int d = 0; d < 3; ++d) {
        std::getline(in, line);
        std::istringstream ls(line);
        ls >> lo[d] >> hi[d];
        if (tri) ls >> tilt[d];
    }
    double xy = tilt[0], xz = tilt[1], yz = tilt[2];
    if (tri) {
        lo[0] -= std::min({0.0, xy, xz, xy + xz}); hi[0] -= std::max({0.0, xy, xz, xy + xz});
        lo[1] -= std::min(0.0, yz); hi[1] -= std::max(0.0, yz);
    }
    double h[3][3] = {{hi[0] - lo[0], xy, xz}, {0, hi[1] - lo[1], yz}, {0, 0, hi[2] - lo[2]}};
    std::getline(in, line);
    std::istringstream hs(line.substr(12));
    std::vector<std::string> names; std::string w; while (hs >> w) names.push_back(w);
    auto col = [&](const char* c) { return int(std::find(names.begin(), names.end(), c) - names.begin()); };
    int ci = col("id"), ct = col("type"), cx = col("x"), cy = col("y"), cz = col("z");
    for (size_t i = 0; i < n; ++i) {
        std::getline(in, line);
        std::istringstream ls(line);
        std::vector<double> v; double t; while (ls >> t) v.push_back(t);
        s.id.push_back(long(v[ci])); s.type.push_back(ct < (int)names.size() ? int(v[ct]) : 1);
        s.x.push_back({v[cx], v[cy], v[cz]});
    }
    // inverse of upper-triangular h
    double a = h[0][0], b = h[0][1], c = h[0][2], d = h[1][1], e = h[1][2], f = h[2][2];
    double hinv[3][3] = {{1 / a, -b / (a * d), (b * e - c * d) / (a * d * f)}, {0, 1 / d, -e / (d * f)}, {0, 0, 1 / f}};
    s.nbr.resize(n); s.nbr_index.resize(n);
    for (size_t i = 0; i < n; ++i) {
        std::vector<std::pair<double, std::pair<size_t, std::array<double, 3>>>> all;
        for (size_t j = 0; j < n; ++j) {
            double dx[3] = {s.x[j][0] - s.x[i][0], s.x[j][1] - s.x[i][1], s.x[j][2] - s.x[i][2]};
            double fr[3];
            for (int r = 0; r < 3; ++r) fr[r] = hinv[r][0] * dx[0] + hinv[r][1] * dx[1] + hinv[r][2] * dx[2];
            for (int r = 0; r < 3; ++r) fr[r] -= std::round(fr[r]);
            for (int i0 = -1; i0 <= 1; ++i0) for (int i1 = -1; i1 <= 1; ++i1) for (int i2 = -1; i2 <= 1; ++i2) {
                if (j == i && !i0 && !i1 && !i2) continue;
                double g[3] = {fr[0] + i0, fr[1] + i1, fr[2] + i2};
                std::array<double, 3> dd;
                for (int r = 0; r < 3; ++r) dd[r] = h[r][0] * g[0] + h[r][1] * g[1] + h[r][2] * g[2];
                all.push_back({dd[0] * dd[0] + dd[1] * dd[1] + dd[2] * dd[2], {j, dd}});
            }
        }
        std::sort(all.begin(), all.end(), [](const auto& p, const auto& q) { return p.first != q.first ? p.first < q.first : p.second.first < q.second.first; });
        for (size_t k = 0; k < 18 && k < all.size(); ++k) { s.nbr[i].push_back({all[k].first, all[k].second.second}); s.nbr_index[i].push_back(all[k].second.first); }
    }
    ptm_initialize_global();
    ptm_local_handle_t handle = ptm_initialize_local();
    s.cache.resize(n);
    for (size_t i = 0; i < n; ++i) {
        double pts[PTM_MAX_INPUT_POINTS - 1][3];
        for (size_t k = 0; k < s.nbr[i].size(); ++k) for (int d2 = 0; d2 < 3; ++d2) pts[k][d2] = s.nbr[i][k].second[d2];
        ptm_preorder_neighbours(handle, (int)s.nbr[i].size(), pts, &s.cache[i]);
    }
    const int flags = std::atoi(argv[2]);
    std::printf("id ptm rmsd qw qx qy qz dist order\n");
    for (size_t i = 0; i < n; ++i) {
        ptm_result_t r; ptm_atomicenv_t env;
        ptm_index(handle, i, get_neighbours, &s, flags, true, &r, &env);
        std::printf("%ld %d %.17g %.17g %.17g %.17g %.17g %.17g %d\n", s.id[i], r.structure_type, r.rmsd, r.orientation[0],
                    r.orientation[1], r.orientation[2], r.orientation[3], r.interatomic_distance, r.ordering_type);
    }
    ptm_uninitialize_local(handle);
}
