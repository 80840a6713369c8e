// pipeline/cell_columns.hpp and the per-cell descriptor contract (descriptors/cell_descriptor.hpp):
// the streamed columns of voronoi_cell_descriptors and interstice_short_range equal those of
// the stored tessellation (tessellate + compute_all, checked against voro++ and LAMMPS in
// tests/neighbors/voronoi.cpp and tests/descriptors/voronoi_cell.cpp) on random points (plain
// and radical, periodic and triclinic) and on a CuZr glass from LAMMPS; a per-cell descriptor
// written here, outside the library, runs through the same runner; thread counts; errors.
#include <tessera/descriptors/interstice.hpp>
#include <tessera/descriptors/voronoi_cell.hpp>
#include <tessera/neighbors/voronoi.hpp>
#include <tessera/pipeline/cell_columns.hpp>

#include "../support/point_sets.hpp"
#include "../support/reference_frames.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <numbers>
#include <random>
#include <vector>

using namespace tessera;
using tessera_test::pts;
using tessera_test::random_points;

namespace {

// Without floating-point contraction the streamed and stored paths run the same operations and
// must agree bit for bit; with FMA (-march=native) the two inlined copies may fuse differently:
// then within 1e-12 of each column's scale (sums of a few hundred terms of that scale), counts
// exactly — as tests/descriptors/voronoi_columns.cpp.
bool same_columns(const std::vector<double>& a, const std::vector<double>& b, std::size_t n) {
    if (a.size() != b.size()) return false;
#if defined(__FMA__)
    for (std::size_t c = 0; n && c < a.size() / n; ++c) {
        double scale = 0;
        for (std::size_t i = 0; i < n; ++i) scale = std::max(scale, std::abs(b[c * n + i]));
        for (std::size_t i = 0; i < n; ++i) {
            const double x = a[c * n + i], y = b[c * n + i];
            if (std::isnan(x) || std::isnan(y)) {
                if (std::isnan(x) != std::isnan(y)) return false;
                continue;
            }
            const bool integral = x == std::floor(x) && y == std::floor(y);
            if (integral ? x != y : !(std::abs(x - y) <= 1e-12 * scale)) return false;
        }
    }
    return true;
#else
    (void)n;
    return std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
#endif
}

// A descriptor a user might add: the cell's isoperimetric quotient Q = 36π V² / A³ (1 for a
// sphere, 0.7405 for the fcc rhombic dodecahedron; 0 for an empty radical cell) and its vertex
// count (needs the vertices).
struct cell_sphericity {
    bool needs_vertices() const { return true; }
    std::vector<std::string> columns(const particle_properties&) const { return {"sphericity", "cell_vertices"}; }
    void prepare(const particle_properties&) const {}
    template <class T>
    void compute(const voronoi_cell_row<T>& row, output_row<T> out) const {
        const T v = row.cells->volume[row.cell], a = row.cells->surface_area[row.cell];
        out[0] = a > 0 ? T(36) * std::numbers::pi_v<T> * v * v / (a * a * a) : T(0);  // radical: cells may be empty
        out[1] = T(row.cells->cell_vertices(row.cell).size());
    }
};

// The stored path: tessellate once, every descriptor from each stored cell.
template <class Box>
std::vector<double> stored_columns(const pts& x, const Box& box, const voronoi_options& opt) {
    voronoi_options o = opt;
    o.store_vertices = true;
    const auto t = tessellate(x, box, o, serial_policy{});
    const std::size_t n = t.num_cells();
    std::vector<double> v = voronoi_cell_descriptors{}.compute_all(t, serial_policy{});
    const std::vector<double> inter = interstice{}.compute_all(t, opt.radii, serial_policy{});
    v.insert(v.end(), inter.begin(), inter.begin() + std::ptrdiff_t(interstice::num_short * n));
    const particle_properties none{};
    for (std::size_t i = 0; i < n; ++i) {
        std::array<double, 2> q{};
        cell_sphericity{}.compute(voronoi_cell_row<double>{&t, i, i, &none, opt.radii}, output_row<double>{q.data(), 1});
        v.push_back(q[0]);
    }
    for (std::size_t i = 0; i < n; ++i) v.push_back(double(t.cell_vertices(i).size()));
    return v;
}

template <class Box>
void check_streamed_equals_stored(const pts& x, const Box& box, const voronoi_options& opt) {
    const auto want = stored_columns(x, box, opt);
    const std::size_t n = want.size() / 22;
    for (const int threads : {1, 2}) {
        const auto got = compute_cell_columns(x, box, opt, {}, openmp_policy{threads}, voronoi_cell_descriptors{},
                                              interstice_short_range{}, cell_sphericity{});
        REQUIRE(got.size() == 22 * n);
        CHECK(same_columns(got, want, n));
    }
}

}  // namespace

TEST_CASE("cell columns: streamed per-cell descriptors equal the stored tessellation's, random points",
          "[voronoi][cell_columns]") {
    const pts x = random_points(2000, {0, 0, 0}, {12, 12, 12}, 21);
    const std::vector<double> radii = tessera_test::random_radii(x.size(), 0.3, 0.6, 9);
    voronoi_options plain, radical;
    radical.radii = radii;
    check_streamed_equals_stored(x, orthogonal_box<double>({0, 0, 0}, {12, 12, 12}), plain);
    check_streamed_equals_stored(x, orthogonal_box<double>({0, 0, 0}, {12, 12, 12}), radical);
    check_streamed_equals_stored(x, triclinic_box<double>({0, 0, 0}, {12, 12, 12}, 2.0, -1.0, 0.5), plain);
}

TEST_CASE("cell columns: a CuZr glass from LAMMPS, columns by name, sphericity within its bounds",
          "[voronoi][cell_columns]") {
    const auto frames = tessera_test::read_reference_frames("d2min/cuzr_aqs.dump");
    const frame& f = frames.at(0);
    const auto p = f.positions();
    pts x(p.begin(), p.end());
    const auto& box = std::get<triclinic_box<double>>(f.box);
    check_streamed_equals_stored(x, box, voronoi_options{});
    const std::vector<int> types = f.types();
    const particle_properties props{types, {}};
    const auto v = compute_cell_columns(x, box, voronoi_options{}, props, serial_policy{}, cell_sphericity{});
    const std::size_t n = x.size();
    for (std::size_t i = 0; i < n; ++i) {
        // A convex polyhedron's quotient lies in (0, 1); a glass's cells have 12-24 or so vertices.
        CHECK((v[i] > 0.3 && v[i] < 1.0));
        CHECK(v[n + i] >= 4);
    }
}

TEST_CASE("cell columns: ghosts are only cut, output shape and parameters are checked", "[voronoi][cell_columns]") {
    const pts x = random_points(800, {0, 0, 0}, {8, 8, 8}, 4);
    voronoi_options opt;
    opt.n_local = 500;
    const auto got = compute_cell_columns(x, open_box<double>{}, opt, {}, serial_policy{}, voronoi_cell_descriptors{});
    REQUIRE(got.size() == 8 * 500);
    opt.store_vertices = false;
    const auto t = tessellate(x, open_box<double>{}, opt, serial_policy{});
    CHECK(same_columns(got, voronoi_cell_descriptors{}.compute_all(t, serial_policy{}), 500));

    std::vector<double> small(10);
    CHECK_THROWS_WITH(compute_cell_columns(x, open_box<double>{}, voronoi_options{}, {},
                                           output_columns<double>{small.data(), 800, 1}, serial_policy{},
                                           voronoi_cell_descriptors{}),
                      Catch::Contains("output has 1 columns of 800 rows; the descriptors write 8 columns"));
    voronoi_options too_many;
    too_many.n_local = 801;
    CHECK_THROWS_WITH(compute_cell_columns(x, open_box<double>{}, too_many, {}, serial_policy{}, voronoi_cell_descriptors{}),
                      Catch::Contains("n_local = 801 exceeds the number of particles 800"));
    CHECK_THROWS_WITH(compute_cell_columns(x, open_box<double>{}, voronoi_options{}, {}, serial_policy{},
                                           voronoi_cell_descriptors{{-1.0, 0, 0}}),
                      Catch::Contains("thresholds must be finite and >= 0"));
}
