// tests for include/tessera/descriptors/voronoi_columns.hpp: the streamed Voronoi columns equal,
// bit for bit, the stored tessellation's (tessellate + compute_all) for every box kind, radii,
// thresholds, ghosts and thread counts; and bad output shapes are refused.
//
// The oracle is the stored path, whose cells are checked against voro++ and LAMMPS in
// tests/neighbors/voronoi.cpp and tests/descriptors/voronoi_cell.cpp. Equality is exact
// (memcmp) in builds without FMA contraction: the streamed path records the same cells and
// reduces them with the same functions, so any difference, even in the last bit, is a defect
// (see same_columns for FMA builds).

#include <tessera/descriptors/voronoi_columns.hpp>

#include "../support/point_sets.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

using namespace tessera;
using tessera_test::lattice;
using tessera_test::pts;
using tessera_test::random_points;

namespace {

/// Column-major storage for `count` columns of n values and the pointers compute_voronoi_columns takes.
struct columns {
    std::vector<double> values;
    std::vector<double*> ptrs;
    columns(std::size_t count, std::size_t n) : values(count * n, -12345.0) {
        for (std::size_t k = 0; k < count; ++k) ptrs.push_back(values.data() + k * n);
    }
};

/// Equal columns. Without floating-point contraction (the baseline x86-64 build) the two paths
/// run the same operations and must agree bit for bit. With FMA contraction (-march=native:
/// GCC fuses a*b+c per call site, and the recording and reduction are inlined into different
/// callers on the two paths) they may differ by rounding: then within 1e-12 of each column's
/// scale (the descriptors are sums of a few hundred terms of that scale; the library's documented
/// bound across SIMD architectures is 3e-14), and counts exactly.
bool same_columns(const std::vector<double>& a, const std::vector<double>& b) {
    if (a.size() != b.size()) return false;
#if defined(__FMA__)
    double scale = 0;
    for (double v : b) scale = std::max(scale, std::abs(v));
    for (std::size_t k = 0; k < a.size(); ++k) {
        const bool integral = b[k] == std::floor(b[k]) && a[k] == std::floor(a[k]);
        if (integral ? a[k] != b[k] : !(std::abs(a[k] - b[k]) <= 1e-12 * scale)) return false;
    }
    return true;
#else
    return std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
#endif
}

template <class Box, class Policy>
void check_streamed_equals_stored(const pts& x, const Box& box, const voronoi_options& opt, const voronoi_cell_options& cell_opt,
                                  Policy policy, bool degenerate = false) {
    // A perfect lattice has vertices where more than three cells meet, resolved by the cut
    // tolerance; with FMA contraction the two instantiations of the engine may round one such
    // vertex to either side of it, which changes how the interstice features split it into
    // tetrahedra (not the cell columns). Bitwise equality is still required without FMA.
#if defined(__FMA__)
    const bool compare_interstice = !degenerate;
#else
    const bool compare_interstice = true;
    (void)degenerate;
#endif
    voronoi_options stored_opt = opt;
    stored_opt.store_vertices = true;
    const auto t = tessellate(x, box, stored_opt, policy);
    const std::size_t n = t.num_cells();
    const auto want_cell = voronoi_cell_descriptors{cell_opt}.compute_all(t, policy);
    const auto want_int = interstice{}.compute_all(t, opt.radii, policy);

    columns cell(8, n), inter(60, n);
    compute_voronoi_columns(x, box, opt, voronoi_column_outputs<double>{cell.ptrs, cell_opt, inter.ptrs}, policy);
    CHECK(same_columns(cell.values, want_cell));
    if (compare_interstice) CHECK(same_columns(inter.values, want_int));

    // Each descriptor alone gives the same columns.
    columns cell_only(8, n), inter_only(60, n);
    compute_voronoi_columns(x, box, opt, voronoi_column_outputs<double>{cell_only.ptrs, cell_opt, {}}, policy);
    compute_voronoi_columns(x, box, opt, voronoi_column_outputs<double>{{}, cell_opt, inter_only.ptrs}, policy);
    CHECK(same_columns(cell_only.values, want_cell));
    if (compare_interstice) CHECK(same_columns(inter_only.values, want_int));
}

}  // namespace

TEST_CASE("voronoi_columns: streamed equals stored, periodic box, plain and radical, 1 and 2 threads",
          "[voronoi][interstice][voronoi_columns]") {
    const pts x = random_points(3000, {0, 0, 0}, {14, 14, 14}, 11);
    const orthogonal_box<double> box({0, 0, 0}, {14, 14, 14});
    const std::vector<double> radii = tessera_test::random_radii(x.size(), 0.3, 0.6, 5);
    voronoi_options plain, radical;
    radical.radii = radii;
    for (const auto* opt : {&plain, &radical}) {
        check_streamed_equals_stored(x, box, *opt, {}, serial_policy{});
        check_streamed_equals_stored(x, box, *opt, {}, openmp_policy{2});
        // Thresholds, including the edge threshold that needs the cell's vertices.
        check_streamed_equals_stored(x, box, *opt, {0.05, 0.01, 0.2}, openmp_policy{2});
    }
}

TEST_CASE("voronoi_columns: streamed equals stored, triclinic, open box, walls and perfect fcc",
          "[voronoi][interstice][voronoi_columns]") {
    const pts x = random_points(1500, {0, 0, 0}, {10, 10, 10}, 3);
    check_streamed_equals_stored(x, triclinic_box<double>({0, 0, 0}, {10, 10, 10}, 2.5, -1.5, 1.0), {}, {},
                                 openmp_policy{2});
    check_streamed_equals_stored(x, open_box<double>{}, {}, {}, openmp_policy{2});
    check_streamed_equals_stored(x, orthogonal_box<double>({0, 0, 0}, {10, 10, 10}, {true, false, false}), {}, {},
                                 serial_policy{});
    // Degenerate vertices (four and more faces meet): the fan split of interstice tetrahedra.
    const double a = 3.615;
    const pts fcc = lattice({{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}}, 4, a, 0.0);
    check_streamed_equals_stored(fcc, orthogonal_box<double>({0, 0, 0}, {4 * a, 4 * a, 4 * a}), {}, {}, openmp_policy{2},
                                 /*degenerate=*/true);
}

TEST_CASE("voronoi_columns: cells of the first n_local particles, the rest ghosts",
          "[voronoi][interstice][voronoi_columns]") {
    // Ghost neighbours have no short-range features: the medium-range statistics leave them out.
    const pts x = random_points(2500, {0, 0, 0}, {12, 12, 12}, 8);
    voronoi_options opt;
    opt.n_local = 1700;
    check_streamed_equals_stored(x, open_box<double>{}, opt, {}, openmp_policy{2});
    check_streamed_equals_stored(x, open_box<double>{}, opt, {}, serial_policy{});
}

TEST_CASE("voronoi_columns: bad output shapes are refused, no outputs is a no-op", "[voronoi][voronoi_columns]") {
    const pts x = random_points(50, {0, 0, 0}, {4, 4, 4}, 1);
    const orthogonal_box<double> box({0, 0, 0}, {4, 4, 4});
    columns seven(7, x.size()), sixty(60, x.size()), fifty_nine(59, x.size());
    CHECK_THROWS_WITH(compute_voronoi_columns(x, box, {}, voronoi_column_outputs<double>{seven.ptrs, {}, {}}),
                      Catch::Contains("7 cell columns given, 8 needed"));
    CHECK_THROWS_WITH(compute_voronoi_columns(x, box, {}, voronoi_column_outputs<double>{{}, {}, fifty_nine.ptrs}),
                      Catch::Contains("59 interstice columns given, 60 needed"));
    // Bad input is still the tessellation's error (one radius per particle).
    const std::vector<double> radii(3, 0.5);
    voronoi_options opt;
    opt.radii = radii;
    CHECK_THROWS_WITH(compute_voronoi_columns(x, box, opt, voronoi_column_outputs<double>{{}, {}, sixty.ptrs}),
                      Catch::Contains("3 radii for 50 particles"));
    // Nothing asked: nothing done, not even the checks of the options.
    CHECK_NOTHROW(compute_voronoi_columns(x, box, opt, voronoi_column_outputs<double>{}));
    voronoi_options too_many;
    too_many.n_local = 51;
    CHECK_THROWS_WITH(compute_voronoi_columns(x, box, too_many, voronoi_column_outputs<double>{{}, {}, sixty.ptrs}),
                      Catch::Contains("n_local = 51 exceeds the number of particles 50"));
}

TEST_CASE("voronoi_columns: streamed in spatial order equals stored in input order", "[voronoi][voronoi_columns]") {
    // Above 2^15 particles in random order the streamed cells are computed in a spatial order
    // (the stored path keeps input order up to 2^18): every particle's columns must still land
    // in its own slot, whatever the order and the chunking.
    const pts x = random_points(40000, {0, 0, 0}, {34, 34, 34}, 21);
    const orthogonal_box<double> box({0, 0, 0}, {34, 34, 34});
    check_streamed_equals_stored(x, box, {}, {}, openmp_policy{2});
}
