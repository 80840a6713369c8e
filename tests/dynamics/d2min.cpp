// dynamics/d2min.hpp and core/polar.hpp: D²min and atomic strain against an independent
// NumPy/SciPy implementation (tests/reference/d2min) on a sheared and stretched CuZr glass;
// exact affine deformations of fcc crystals (D²min = 0, applied strain and rotation);
// invariance under atom permutation and translation; serial = OpenMP; invalid flags.
#include <tessera/core/polar.hpp>
#include <tessera/dynamics/d2min.hpp>
#include <tessera/io/lammps_dump.hpp>

#include "../support/structure_lattices.hpp"

#include "../support/dynamics_frames.hpp"
#include "../support/reference_frames.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace tessera;

namespace {

atomic_strain_result<double> run_d2min(const frame& a, const frame& b, const d2min_options& opt,
                                       openmp_policy policy = {1}) {
    const auto xa = a.positions(), xb = b.positions();
    const auto ia = a.ids(), ib = b.ids();
    atomic_strain_result<double> out;
    std::visit(
        [&](const auto& ba, const auto& bb) {
            const d2min_reference<double> ref(xa, ba, ia, opt, policy);
            d2min(ref, xb, bb, ib, out, policy);
        },
        a.box, b.box);
    return out;
}

struct ref_row {
    int n;
    double d2min, shear, vol, rot;
};

// Blocks of d2min_ref.txt keyed by (reference frame, current frame).
std::map<std::pair<int, int>, std::map<std::int64_t, ref_row>> read_numpy_reference(double& cutoff) {
    std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/d2min/d2min_ref.txt");
    REQUIRE(in.good());
    std::map<std::pair<int, int>, std::map<std::int64_t, ref_row>> blocks;
    std::map<std::int64_t, ref_row>* cur = nullptr;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream is(line);
        if (line.rfind("# ref", 0) == 0) {
            std::string hash, w1, w2, w3;
            int a, b;
            is >> hash >> w1 >> a >> w2 >> b >> w3 >> cutoff;
            cur = &blocks[{a, b}];
            continue;
        }
        std::int64_t id;
        ref_row r;
        is >> id >> r.n >> r.d2min >> r.shear >> r.vol >> r.rot;
        (*cur)[id] = r;
    }
    return blocks;
}

mat3<double> axis_angle(vec3<double> axis, double angle) {
    axis = axis / norm(axis);
    const double c = std::cos(angle), s = std::sin(angle), t = 1 - c;
    return mat3<double>{{t * axis.x * axis.x + c, t * axis.x * axis.y - s * axis.z, t * axis.x * axis.z + s * axis.y,
                         t * axis.x * axis.y + s * axis.z, t * axis.y * axis.y + c, t * axis.y * axis.z - s * axis.x,
                         t * axis.x * axis.z - s * axis.y, t * axis.y * axis.z + s * axis.x, t * axis.z * axis.z + c}};
}

double max_abs_diff(const mat3<double>& a, const mat3<double>& b) {
    double m = 0;
    for (std::size_t k = 0; k < 9; ++k) m = std::max(m, std::abs(a.a[k] - b.a[k]));
    return m;
}

// Rotation angle the textbook way, in long double (independent of tessera::rotation_angle).
double angle_acos(const mat3<double>& r) {
    const long double c = ((long double)r(0, 0) + r(1, 1) + r(2, 2) - 1.0L) / 2.0L;
    return double(std::acos(std::clamp(c, -1.0L, 1.0L)));
}

}  // namespace

TEST_CASE("d2min: matches the NumPy lstsq/scipy-polar reference on a sheared and stretched CuZr glass", "[d2min]") {
    // Tolerances: tessera solves the normal equations (J = X Y⁻¹) on wrapped positions mapped
    // through fractional coordinates; the reference uses an SVD least-squares solve on positions
    // unwrapped with image flags. Both round at ~1e-16 relative on bonds of ~3 Å, and
    // cond(Y) ≲ 10, so J agrees to ~1e-14. D²min is a residual: its absolute error is
    // ~ eps·|d|²·cond ≈ 1e-14 Å², so it is compared as |Δ| ≤ 1e-9·|ref| + 1e-12 Å² (strains and
    // angles, O(1e-2..1e-1), likewise with a 1e-13 floor).
    double cutoff = 0;
    const auto blocks = read_numpy_reference(cutoff);
    REQUIRE(cutoff == 4.0);
    REQUIRE(blocks.size() == 9);
    const auto frames = tessera_test::read_reference_frames("d2min/cuzr_aqs.dump");
    REQUIRE(frames.size() == 6);
    d2min_options opt;
    opt.cutoff = cutoff;
    double worst[4] = {0, 0, 0, 0}, largest_d2min = 0;
    for (const auto& [pair, rows] : blocks) {
        INFO("reference frame " << pair.first << ", current frame " << pair.second);
        const auto out = run_d2min(frames[std::size_t(pair.first)], frames[std::size_t(pair.second)], opt);
        const auto ids = frames[std::size_t(pair.second)].ids();
        REQUIRE(ids.size() == rows.size());
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const ref_row& r = rows.at(ids[i]);
            INFO("atom id " << ids[i]);
            REQUIRE(out.num_neighbors[i] == std::uint32_t(r.n));
            REQUIRE(out.valid[i] == 1);
            const double got[4] = {out.d2min[i], out.shear_strain[i], out.volumetric_strain[i], out.rotation[i]};
            const double want[4] = {r.d2min, r.shear, r.vol, r.rot};
            const double floor[4] = {1e-12, 1e-13, 1e-13, 1e-13};
            for (int q = 0; q < 4; ++q) {
                const double rel = std::abs(got[q] - want[q]) / (std::abs(want[q]) + floor[q] / 1e-9);
                worst[q] = std::max(worst[q], rel);
                REQUIRE(std::abs(got[q] - want[q]) <= 1e-9 * std::abs(want[q]) + floor[q]);
            }
            largest_d2min = std::max(largest_d2min, r.d2min);
        }
    }
    WARN("max |Δ|/(|ref| + floor/1e-9): d2min " << worst[0] << ", shear " << worst[1] << ", volumetric " << worst[2]
                                                << ", rotation " << worst[3]);
    CHECK(largest_d2min > 1.0);  // plastic rearrangements happen: the comparison is not trivial
}

TEST_CASE("d2min: an affinely deformed fcc crystal in an open box gives D2min = 0 and the applied E and rotation",
          "[d2min]") {
    const auto lat = tessera_test::fcc(3.6, 3);  // 108 atoms, used as an isolated cluster
    const mat3<double> U{{1.04, 0.015, -0.02, 0.015, 0.97, 0.01, -0.02, 0.01, 1.02}};
    const double theta = 0.37;
    const mat3<double> R = axis_angle({1, 2, 3}, theta);
    const mat3<double> F = R * U;
    std::vector<std::array<double, 3>> cur;
    for (const auto& p : lat.positions) {
        const vec3<double> q = F * vec3<double>{p[0], p[1], p[2]} + vec3<double>{5, -3, 7};
        cur.push_back({q.x, q.y, q.z});
    }
    std::vector<std::int64_t> ids(lat.positions.size());
    std::iota(ids.begin(), ids.end(), 1);
    d2min_options opt;
    opt.cutoff = 3.0;  // first shell (2.55 Å)
    const open_box<double> open;
    const d2min_reference<double> ref(lat.positions, open, ids, opt);
    atomic_strain_result<double> out;
    d2min(ref, cur, open, ids, out);
    const mat3<double> E = (U * U - mat3<double>::identity()) * 0.5;
    const double vm = von_mises_strain(E);
    for (std::size_t i = 0; i < ids.size(); ++i) {
        INFO("atom " << i << " with " << out.num_neighbors[i] << " neighbours");
        REQUIRE(out.valid[i] == 1);
        CHECK(out.d2min[i] < 1e-20);
        CHECK(max_abs_diff(out.deformation[i], F) < 1e-13);
        CHECK(max_abs_diff(green_lagrangian(out.deformation[i]), E) < 1e-13);
        CHECK(std::abs(out.shear_strain[i] - vm) < 1e-13);
        CHECK(std::abs(out.volumetric_strain[i] - (E(0, 0) + E(1, 1) + E(2, 2)) / 3) < 1e-13);
        CHECK(std::abs(out.rotation[i] - theta) < 1e-13);
    }
    // The polar decomposition itself.
    const auto p = polar(F);
    REQUIRE(p.ok);
    CHECK(max_abs_diff(p.rotation, R) < 1e-14);
    CHECK(max_abs_diff(p.stretch, U) < 1e-14);
    CHECK(std::abs(rotation_angle(R) - theta) < 1e-15);
    CHECK(std::abs(rotation_angle(axis_angle({0, 0, 1}, 1e-9)) - 1e-9) < 1e-24);  // small angles keep their digits
    CHECK(std::abs(rotation_angle(axis_angle({1, 1, 0}, 3.0)) - 3.0) < 1e-14);
}

TEST_CASE("d2min: affine F = R U applied to a periodic fcc crystal and its box (orthogonal -> triclinic, atoms "
          "wrapped) gives D2min = 0 and the applied strain",
          "[d2min]") {
    const auto lat = tessera_test::fcc(3.6, 4);  // 256 atoms, L = 14.4
    const mat3<double> U{{1.06, 0.03, -0.01, 0.03, 0.95, 0.02, -0.01, 0.02, 1.03}};
    const mat3<double> R = axis_angle({-1, 2, 0.5}, 0.2);
    const mat3<double> F = R * U;
    // F h0 is a general cell; LAMMPS stores it rotated to upper-triangular form h' = Qᵀ F h0
    // (Gram–Schmidt on its columns), so the map from reference to current is Qᵀ F = (Qᵀ R) U:
    // same U and E, rotation Qᵀ R.
    const mat3<double> g = F * lat.box.cell();
    const vec3<double> a = g.column(0), b = g.column(1);
    const vec3<double> q1 = a / norm(a);
    vec3<double> q2 = b - q1 * dot(q1, b);
    q2 = q2 / norm(q2);
    const vec3<double> q3 = cross(q1, q2);
    const mat3<double> Q = mat3<double>::from_columns(q1, q2, q3);
    const mat3<double> hp = transpose(Q) * g;
    REQUIRE(std::abs(hp(1, 0)) < 1e-12);
    REQUIRE(std::abs(hp(2, 0)) < 1e-12);
    REQUIRE(std::abs(hp(2, 1)) < 1e-12);
    const triclinic_box<double> box1({1, 2, 3}, {1 + hp(0, 0), 2 + hp(1, 1), 3 + hp(2, 2)}, hp(0, 1), hp(0, 2), hp(1, 2));
    const mat3<double> M = transpose(Q) * F;
    std::vector<std::array<double, 3>> cur;
    for (const auto& p : lat.positions) {
        const vec3<double> q = box1.wrap(M * vec3<double>{p[0], p[1], p[2]} + vec3<double>{1, 2, 3});
        cur.push_back({q.x, q.y, q.z});
    }
    std::vector<std::int64_t> ids(lat.positions.size());
    std::iota(ids.begin(), ids.end(), 1);
    const mat3<double> E = (U * U - mat3<double>::identity()) * 0.5;
    const double theta = angle_acos(transpose(Q) * R);
    for (double rc : {3.0, 5.3, 8.0}) {  // first shell, three shells, beyond half the box (images)
        INFO("cutoff " << rc);
        d2min_options opt;
        opt.cutoff = rc;
        const d2min_reference<double> ref(lat.positions, lat.box, ids, opt);
        atomic_strain_result<double> out;
        d2min(ref, cur, box1, ids, out);
        double worst_d2 = 0, worst_e = 0, worst_rot = 0;
        for (std::size_t i = 0; i < ids.size(); ++i) {
            REQUIRE(out.valid[i] == 1);
            worst_d2 = std::max(worst_d2, out.d2min[i]);
            worst_e = std::max(worst_e, max_abs_diff(green_lagrangian(out.deformation[i]), E));
            worst_e = std::max(worst_e, std::abs(out.shear_strain[i] - von_mises_strain(E)));
            worst_rot = std::max(worst_rot, std::abs(out.rotation[i] - theta));
        }
        CHECK(worst_d2 < 1e-20);
        CHECK(worst_e < 1e-13);
        CHECK(worst_rot < 1e-7);  // acos loses half the digits; tessera's own value is closer
    }
}

TEST_CASE("d2min: independent of atom order and translation, serial and OpenMP identical", "[d2min]") {
    const auto frames = tessera_test::read_reference_frames("d2min/cuzr_aqs.dump");
    d2min_options opt;
    opt.cutoff = 4.0;
    const auto base = run_d2min(frames[0], frames[3], opt, openmp_policy{1});
    const auto threaded = run_d2min(frames[0], frames[3], opt, openmp_policy{2});
    CHECK(base.d2min == threaded.d2min);
    CHECK(base.shear_strain == threaded.shear_strain);
    CHECK(base.rotation == threaded.rotation);
    {
        const auto x0 = frames[0].positions(), x3 = frames[3].positions();
        const auto i0 = frames[0].ids(), i3 = frames[3].ids();
        const auto& b0 = std::get<triclinic_box<double>>(frames[0].box);
        const auto& b3 = std::get<triclinic_box<double>>(frames[3].box);
        atomic_strain_result<double> serial_out;
        const d2min_reference<double> ref(x0, b0, i0, opt, serial);
        d2min(ref, x3, b3, i3, serial_out, serial);
        CHECK(serial_out.d2min == base.d2min);
    }
    // Shuffle both frames' rows, translate both (and re-wrap) — by id, same values to rounding.
    auto shuffled = [](const frame& f, std::uint64_t seed, vec3<double> shift) {
        frame s = tessera_test::shuffled_rows(f, seed);
        const auto& bx = std::get<triclinic_box<double>>(f.box);
        auto x = s.column("x"), y = s.column("y"), z = s.column("z");
        for (std::size_t i = 0; i < f.natoms; ++i) {
            const vec3<double> q = bx.wrap(vec3<double>{x[i], y[i], z[i]} + shift);
            x[i] = q.x;
            y[i] = q.y;
            z[i] = q.z;
        }
        return s;
    };
    const frame a = shuffled(frames[0], 11, {3.3, -7.1, 0.4}), b = shuffled(frames[3], 12, {3.3, -7.1, 0.4});
    const auto again = run_d2min(a, b, opt);
    const auto ids_b = b.ids(), ids_3 = frames[3].ids();
    std::map<std::int64_t, std::size_t> row;
    for (std::size_t i = 0; i < ids_b.size(); ++i) row[ids_b[i]] = i;
    for (std::size_t i = 0; i < ids_3.size(); ++i) {
        const std::size_t k = row.at(ids_3[i]);
        REQUIRE(again.num_neighbors[k] == base.num_neighbors[i]);
        REQUIRE(again.d2min[k] == Approx(base.d2min[i]).epsilon(1e-9).margin(1e-12));
        REQUIRE(again.shear_strain[k] == Approx(base.shear_strain[i]).epsilon(1e-9).margin(1e-13));
        REQUIRE(again.rotation[k] == Approx(base.rotation[i]).epsilon(1e-9).margin(1e-13));
    }
    // Against itself: no deformation at all.
    const auto self = run_d2min(frames[2], shuffled(frames[2], 5, {0, 0, 0}), opt);
    CHECK(*std::max_element(self.d2min.begin(), self.d2min.end()) < 1e-24);
    CHECK(*std::max_element(self.shear_strain.begin(), self.shear_strain.end()) < 1e-14);
}

TEST_CASE("d2min: too few or coplanar neighbours are flagged invalid with NaN D2min and strains, normalisation option",
          "[d2min]") {
    // Atom 1: neighbours 2, 3, 4 non-coplanar (valid). Atoms 5..9: a square plane (coplanar
    // neighbourhoods, Y singular). Atom 10: isolated.
    std::vector<std::array<double, 3>> x0{{0, 0, 0},    {1, 0, 0},   {0, 1, 0},   {0, 0, 1},   {10, 10, 10},
                                          {11, 10, 10}, {10, 11, 10}, {9, 10, 10}, {10, 9, 10}, {30, 30, 30}};
    auto x1 = x0;
    x1[1][0] += 0.1;
    x1[5][1] += 0.2;
    std::vector<std::int64_t> ids(x0.size());
    std::iota(ids.begin(), ids.end(), 1);
    d2min_options opt;
    opt.cutoff = 1.2;
    const open_box<double> open;
    atomic_strain_result<double> out;
    d2min(d2min_reference<double>(x0, open, ids, opt), x1, open, ids, out);
    CHECK(out.valid[0] == 1);
    CHECK(out.d2min[0] < 1e-28);  // three bonds fit any J exactly
    CHECK(out.shear_strain[0] > 0);
    for (std::size_t i = 1; i < x0.size(); ++i) {
        INFO("atom " << i + 1);
        CHECK(out.valid[i] == 0);
        CHECK(std::isnan(out.d2min[i]));
        CHECK(std::isnan(out.shear_strain[i]));
        CHECK(std::isnan(out.rotation[i]));
    }
    CHECK(out.num_neighbors[4] == 4);
    CHECK(out.num_neighbors[9] == 0);

    // 4 non-coplanar neighbours with one moved non-affinely: sum = n × per-neighbour value.
    std::vector<std::array<double, 3>> y0{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {-0.6, -0.6, -0.6}};
    auto y1 = y0;
    y1[4][0] += 0.05;
    const std::vector<std::int64_t> id5{1, 2, 3, 4, 5};
    opt.cutoff = 1.1;
    atomic_strain_result<double> per, sum;
    d2min(d2min_reference<double>(y0, open, id5, opt), y1, open, id5, per);
    opt.normalization = d2min_normalization::sum;
    d2min(d2min_reference<double>(y0, open, id5, opt), y1, open, id5, sum);
    REQUIRE(per.num_neighbors[0] == 4);
    CHECK(per.d2min[0] > 1e-5);
    CHECK(sum.d2min[0] == Approx(4 * per.d2min[0]).epsilon(1e-14));

    CHECK_THROWS_WITH(d2min_reference<double>(y0, open, id5, d2min_options{}), Catch::Contains("cutoff must be positive"));
    CHECK_THROWS_WITH(d2min(d2min_reference<double>(y0, open, id5, opt), y1, open,
                            std::vector<std::int64_t>{1, 2, 3, 4, 6}, sum),
                      Catch::Contains("atom id 5 is in the reference frame but not in the current one"));
}

TEST_CASE("d2min: the xsimd-batched accumulation equals the scalar path to rounding", "[d2min][simd]") {
    const auto frames = tessera_test::read_reference_frames("d2min/cuzr_aqs.dump");
    d2min_options opt;
    opt.cutoff = 5.0;  // ~40 neighbours: several full batches plus a tail
    const auto simd = run_d2min(frames[0], frames[4], opt);
    opt.vectorized = false;
    const auto scalar = run_d2min(frames[0], frames[4], opt);
    for (std::size_t i = 0; i < simd.size(); ++i) {
        REQUIRE(simd.valid[i] == scalar.valid[i]);
        REQUIRE(simd.d2min[i] == Approx(scalar.d2min[i]).epsilon(1e-12).margin(1e-14));
        REQUIRE(simd.shear_strain[i] == Approx(scalar.shear_strain[i]).epsilon(1e-12).margin(1e-15));
        REQUIRE(simd.rotation[i] == Approx(scalar.rotation[i]).epsilon(1e-12).margin(1e-15));
    }
    // The xsimd architecture is a template parameter: the SSE2 kernel (2 lanes) agrees too.
    const auto x0 = frames[0].positions(), x4 = frames[4].positions();
    const auto i0 = frames[0].ids(), i4 = frames[4].ids();
    opt.vectorized = true;
    const d2min_reference<double> ref(x0, std::get<triclinic_box<double>>(frames[0].box), i0, opt);
    atomic_strain_result<double> sse;
    d2min<xsimd::sse2>(ref, x4, std::get<triclinic_box<double>>(frames[4].box), i4, sse);
    for (std::size_t i = 0; i < sse.size(); ++i)
        REQUIRE(sse.d2min[i] == Approx(scalar.d2min[i]).epsilon(1e-12).margin(1e-14));
}
