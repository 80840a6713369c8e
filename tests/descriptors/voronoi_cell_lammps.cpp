// Voronoi volumes and face counts vs LAMMPS `compute voronoi/atom` (which wraps voro++), on frames
// made and recomputed (rerun) by Debian's LAMMPS: tests/reference/voronoi/*.in. The dumps carry
// 17 significant digits, so volumes agree to ~1e-12; we allow 1e-9 relative. Face counts of a
// thermal crystal are never degenerate to 1e-10 of the spacing, so they must agree exactly.
#include <tessera/io/lammps_dump.hpp>
#include <tessera/neighbors/voronoi.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <variant>
#include <vector>

using namespace tessera;

namespace {

struct lammps_stats {
    std::size_t frames = 0, atoms = 0, face_mismatches = 0;
    double max_volume_diff = 0, max_rel_volume_diff = 0;
};

lammps_stats check_voronoi_dump(const std::string& file, const char* vol, const char* faces,
                                std::vector<double> type_radii = {}) {
    lammps_dump_reader reader(std::string(TESSERA_TEST_DATA_DIR) + "/voronoi/" + file);
    frame f;
    lammps_stats s;
    while (reader.next(f)) {
        ++s.frames;
        const auto x = f.positions();
        const auto types = f.types();
        std::vector<double> radii;
        voronoi_options opt;
        if (!type_radii.empty()) {
            for (int t : types) radii.push_back(type_radii[std::size_t(t - 1)]);
            opt.radii = radii;
        }
        const auto t = std::visit([&](const auto& b) { return tessellate(x, b, opt); }, f.box);
        const auto v = f.column(vol);
        const auto nf = f.column(faces);
        double total = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            const double d = std::abs(t.volume[i] - v[i]);
            s.max_volume_diff = std::max(s.max_volume_diff, d);
            s.max_rel_volume_diff = std::max(s.max_rel_volume_diff, d / v[i]);
            s.face_mismatches += double(t.num_faces(i)) != nf[i];
            total += t.volume[i];
        }
        const double bv = std::visit([](const auto& b) { return double(b.volume()); }, f.box);
        CHECK(std::abs(total - bv) / bv < 1e-10);
        s.atoms += x.size();
    }
    return s;
}

}  // namespace

TEST_CASE("voronoi: matches LAMMPS voronoi/atom on thermal Cu in a triclinic box", "[voronoi][lammps]") {
    const auto s = check_voronoi_dump("cu_tri_voro.dump", "c_v[1]", "c_v[2]");
    WARN("Cu triclinic: " << s.frames << " frames, " << s.atoms << " cells, max |dV| " << s.max_volume_diff
                          << ", face-count mismatches " << s.face_mismatches);
    CHECK(s.frames >= 2);
    CHECK(s.max_rel_volume_diff < 1e-9);
    CHECK(s.face_mismatches == 0);
}

TEST_CASE("voronoi: matches LAMMPS voronoi/atom on a Cu50Zr50 glass, plain and radical", "[voronoi][lammps]") {
    const auto s = check_voronoi_dump("cuzr_glass_voro.dump", "c_v[1]", "c_v[2]");
    WARN("CuZr glass: " << s.frames << " frames, " << s.atoms << " cells, max |dV| " << s.max_volume_diff
                        << ", face-count mismatches " << s.face_mismatches);
    CHECK(s.frames >= 1);
    CHECK(s.max_rel_volume_diff < 1e-9);
    CHECK(s.face_mismatches == 0);
    const auto r = check_voronoi_dump("cuzr_glass_voro.dump", "c_vr[1]", "c_vr[2]", {1.28, 1.60});
    WARN("CuZr glass radical: max |dV| " << r.max_volume_diff << ", face-count mismatches " << r.face_mismatches);
    CHECK(r.max_rel_volume_diff < 1e-9);
    CHECK(r.face_mismatches == 0);
}
