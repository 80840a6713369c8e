// defects/dislocations.hpp on dislocations of known content, built and relaxed with Debian's
// LAMMPS and Cu_mishin1 (tests/reference/dxa/, make_dislocations.sh; README.md there has the
// geometry): crystal x = [1-10], y = [111], z = [-1-12].
//   edge  — b = a/2[1-10] along x, line along z (periodic length Lz): two Shockley partials;
//   screw — b = a/2[1-10] along x, line along x (periodic length Lx): two Shockley partials;
//   perfect crystal at 300 K — nothing;
//   stacking-fault tetrahedron — six stair-rods meeting in four three-armed junctions;
//   vacancy Frank loop (partly dissociated on its rim, README) — Frank, Shockley and stair-rod
//   segments, Burgers vectors conserved at every junction.
#include <tessera/defects/dislocations.hpp>

#include "../support/reference_frames.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

using tessera::vec3;

namespace {

struct analysed {
    tessera::frame frame;
    tessera::dislocation_result result;
    std::vector<std::array<double, 3>> positions;
};

analysed analyse(const std::string& name) {
    analysed a;
    a.frame = tessera_test::read_reference_frames("dxa/" + name).front();
    a.positions = a.frame.positions();
    a.result = tessera::with_box(a.frame.box, [&](const auto& box) { return tessera::extract_dislocations(a.positions, box); });
    return a;
}

const double a0 = 3.615;
const double b_full = a0 / std::sqrt(2.0), b_shockley = a0 / std::sqrt(6.0);

/// Mean coordinate d of a line's points (its position across the glide direction).
double mean_coordinate(const tessera::dislocation_line& l, std::size_t d) {
    double s = 0;
    for (const auto& p : l.points) s += p[d];
    return s / double(l.points.size());
}

/// Two Shockley partials of one dissociated dislocation with line along `line_axis` (periodic
/// length L) and glide direction `glide_axis`: families, lengths, Σb = the full b along x, hcp
/// atoms between the two.
void check_dissociated(const analysed& a, std::size_t line_axis, std::size_t glide_axis, double L,
                       double reference_separation) {
    const auto& r = a.result;
    REQUIRE(r.lines.size() == 2);
    vec3<double> sum{};
    for (const auto& l : r.lines) {
        INFO(l.family_name << " " << l.burgers_notation << " length " << l.length);
        CHECK(l.family == 2);  // 1/6<112> Shockley
        CHECK(l.closed);       // infinite through the periodic boundary
        CHECK(l.length == Approx(L).epsilon(0.02));  // the bound; measured 0.2–0.3 % (edge), 0 (screw)
        CHECK(std::sqrt(norm2(l.burgers_spatial)) == Approx(b_shockley).epsilon(0.01));  // elastic strain < 1 %
        // A partial's Burgers vector lies in the (111) glide plane: no y component.
        CHECK(std::abs(l.burgers_spatial.y) < 0.01 * b_shockley);
        sum = sum + l.burgers_spatial;
    }
    // The partials add up to the full dislocation a/2[1-10], along x (sign: OVITO's convention
    // with lines oriented along +x / +z, docs/descriptors/dislocations.md).
    CHECK(std::abs(std::abs(sum.x) - b_full) < 0.01 * b_full);
    CHECK(std::abs(sum.y) < 1e-3);
    CHECK(std::abs(sum.z) < 1e-3);
    CHECK(r.total_length == Approx(2 * L).epsilon(0.02));
    CHECK(r.length_by_family[2] == Approx(r.total_length));
    // Separation of the partials across the glide direction, against the reference script's own
    // CNA core positions (README.md), within a third of a Burgers vector's worth of cores (3 Å).
    const double c0 = mean_coordinate(r.lines[0], glide_axis), c1 = mean_coordinate(r.lines[1], glide_axis);
    CHECK(std::abs(std::abs(c1 - c0) - reference_separation) < 3.0);
    // The stacking fault: every hcp atom lies between the two partial lines.
    const double lo = std::min(c0, c1), hi = std::max(c0, c1);
    std::size_t hcp = 0, between = 0;
    for (std::size_t i = 0; i < a.positions.size(); ++i)
        if (r.structure[i] == 2) {
            ++hcp;
            between += a.positions[i][glide_axis] > lo - 2 && a.positions[i][glide_axis] < hi + 2;
        }
    CHECK(hcp > 0);
    CHECK(between == hcp);
    (void)line_axis;
}

}  // namespace

TEST_CASE("dislocations, constructed: a dissociated edge dislocation in Cu is two Shockley partials") {
    const auto a = analyse("edge.dump.gz");
    const double Lz = 22.137263550402899;  // the periodic line length (box z)
    check_dissociated(a, 2, 0, Lz, 28.73);
}

TEST_CASE("dislocations, constructed: a dissociated screw dislocation in Cu is two Shockley partials") {
    const auto a = analyse("screw.dump.gz");
    const double Lx = 10 * b_full;  // the line repeats every |b|: ten of them
    check_dissociated(a, 0, 2, Lx, 14.40);
}

TEST_CASE("dislocations, constructed: perfect Cu at 300 K has no dislocation") {
    const auto a = analyse("perfect300.dump");
    CHECK(a.result.lines.empty());
    CHECK(a.result.total_length == 0);
    CHECK(a.result.interface_facets == 0);
}

TEST_CASE("dislocations, constructed: a stacking-fault tetrahedron is six stair-rods in four three-armed junctions") {
    const auto a = analyse("sft.dump.gz");
    const auto& r = a.result;
    REQUIRE(r.lines.size() == 6);
    for (const auto& l : r.lines) {
        INFO(l.burgers_notation);
        CHECK(l.family == 3);  // 1/6<110> stair-rod
        CHECK(l.junction_arms[0] == 3);
        CHECK(l.junction_arms[1] == 3);
        // The tetrahedron's edges are equal (~35 Å for 120 vacancies); each line within 15 %.
        CHECK(l.length == Approx(r.total_length / 6).epsilon(0.15));
    }
    CHECK(r.junctions == 4);
    CHECK(r.worst_junction_residual < 1e-9);
    // The six stair-rod Burgers vectors are the six 1/6<110> directions, one per edge. Compared
    // in space (lines may be expressed in the tetrahedron's inner or outer crystal, whose lattice
    // frames differ by a symmetry operation), up to sign, to 0.05 Å.
    std::map<std::string, int> seen;
    for (const auto& l : r.lines) {
        vec3<double> b = l.burgers_spatial;
        const double lead = std::abs(b.x) > std::abs(b.y) ? (std::abs(b.x) > std::abs(b.z) ? b.x : b.z)
                                                         : (std::abs(b.y) > std::abs(b.z) ? b.y : b.z);
        if (lead < 0) b = b * -1.0;
        char key[64];
        std::snprintf(key, sizeof key, "%.2f %.2f %.2f", std::round(b.x * 20) / 20 + 0.0, std::round(b.y * 20) / 20 + 0.0,
                      std::round(b.z * 20) / 20 + 0.0);
        ++seen[key];
    }
    CHECK(seen.size() == 6);
}

TEST_CASE("dislocations, constructed: a vacancy Frank loop, Burgers vectors conserved at every junction") {
    const auto a = analyse("frank_loop.dump.gz");
    const auto& r = a.result;
    REQUIRE(!r.lines.empty());
    double frank = 0;
    for (const auto& l : r.lines) {
        INFO(l.family_name << " " << l.burgers_notation);
        CHECK((l.family == 2 || l.family == 3 || l.family == 5));  // Shockley, stair-rod, Frank
        if (l.family == 5) frank += l.length;
    }
    CHECK(frank > 0);
    CHECK(r.worst_junction_residual < 1e-9);
    // The loop encloses a disc of R = 18 Å: the lines run around its rim, 2πR ≈ 113 Å, but the
    // rim is partly dissociated into pairs of lines (README): total between one and three rims.
    CHECK(r.total_length > 2 * M_PI * 18 * 0.8);
    CHECK(r.total_length < 3 * 2 * M_PI * 18);
}

TEST_CASE("dislocations, constructed: open boxes: the tetrahedron cut out of its periodic box is still six stair-rods") {
    const auto a = analyse("sft.dump.gz");
    // Without periodic boundaries the box faces become free surfaces (bad cells) around the
    // crystal: the tetrahedron's lines are unchanged, some junctions near the surface stay open.
    const auto r = tessera::extract_dislocations(a.positions, tessera::open_box<double>{});
    REQUIRE(r.lines.size() == 6);
    for (const auto& l : r.lines) CHECK(l.family == 3);
    CHECK(r.total_length == Approx(a.result.total_length).epsilon(0.05));
    CHECK(r.worst_junction_residual < 1e-9);
    CHECK(r.volume == 0);
    CHECK(r.density == 0);
}

TEST_CASE("dislocations, constructed: long lines through periodic boundaries keep their period (the edge stacked twice)") {
    // Regression: smoothing a closed periodic line must use the first point's true neighbours
    // (the last point is the first plus the period); reading the wrong one made long lines
    // double back at their ends (+30 % length at four stacked copies).
    const auto a = analyse("edge.dump.gz");
    const double Lz = 22.137263550402899;
    std::vector<std::array<double, 3>> two = a.positions;
    for (const auto& p : a.positions) two.push_back({p[0], p[1], p[2] + Lz});
    const auto r = tessera::with_box(a.frame.box, [&](const auto& box) {
        const auto lo = box.origin();
        const auto h = box.cell();
        const tessera::orthogonal_box<double> doubled(lo, {lo.x + h(0, 0), lo.y + h(1, 1), lo.z + 2 * Lz}, box.periodic_axes());
        return tessera::extract_dislocations(two, doubled);
    });
    REQUIRE(r.lines.size() == 2);
    for (const auto& l : r.lines) {
        CHECK(l.closed);
        CHECK(l.length == Approx(2 * Lz).epsilon(0.01));
    }
}

namespace {

/// Bitwise the same analysis: lines (points, lengths, Burgers vectors, families, junctions),
/// per-atom line tags and the interface mesh's size.
void check_identical(const tessera::dislocation_result& whole, const tessera::dislocation_result& region) {
    CHECK(region.interface_facets == whole.interface_facets);
    CHECK(region.line_of_atom == whole.line_of_atom);
    REQUIRE(region.lines.size() == whole.lines.size());
    for (std::size_t k = 0; k < whole.lines.size(); ++k) {
        const auto& a = whole.lines[k];
        const auto& b = region.lines[k];
        INFO("line " << k << " " << a.family_name << " " << a.burgers_notation);
        CHECK(b.burgers_notation == a.burgers_notation);
        CHECK(b.family == a.family);
        CHECK(b.length == a.length);
        CHECK(norm2(b.burgers_spatial - a.burgers_spatial) == 0);
        CHECK(b.junction[0] == a.junction[0]);
        CHECK(b.junction[1] == a.junction[1]);
        REQUIRE(b.points.size() == a.points.size());
        for (std::size_t i = 0; i < a.points.size(); ++i) CHECK(norm2(b.points[i] - a.points[i]) == 0);
    }
    CHECK(region.worst_junction_residual == whole.worst_junction_residual);
}

}  // namespace

TEST_CASE("dislocations, constructed: tessellating only the region around defects gives the same lines, bit for bit") {
    tessera::dislocation_options whole;
    whole.region_cutoffs = 0;
    for (const std::string name : {"sft.dump.gz", "screw.dump.gz", "frank_loop.dump.gz"}) {
        INFO(name);
        const auto a = analyse(name);  // the default: the region
        const std::size_t n = a.positions.size();
        // The region is in use (well under all atoms), and nothing changes.
        CHECK(a.result.tessellated_atoms > 0);
        CHECK(a.result.tessellated_atoms < n / 2);
        const auto w = tessera::with_box(a.frame.box, [&](const auto& box) { return tessera::extract_dislocations(a.positions, box, whole); });
        CHECK(w.tessellated_atoms == n);
        check_identical(w, a.result);
    }
    // A region too thin for its check (0.3 neighbour cutoffs): the whole tessellation decides.
    const auto a = analyse("sft.dump.gz");
    tessera::dislocation_options thin;
    thin.region_cutoffs = 0.3;
    const auto t = tessera::with_box(a.frame.box, [&](const auto& box) { return tessera::extract_dislocations(a.positions, box, thin); });
    CHECK(t.tessellated_atoms == a.positions.size());
    check_identical(a.result, t);
    // Open boxes: the surfaces are defects, the region reaches the hull.
    const auto open_region = tessera::extract_dislocations(a.positions, tessera::open_box<double>{});
    const auto open_whole = tessera::extract_dislocations(a.positions, tessera::open_box<double>{}, whole);
    check_identical(open_whole, open_region);
}
