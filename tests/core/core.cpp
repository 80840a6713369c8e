// core/: linear algebra, boxes (scalar and xsimd batch forms), particle adaptors, properties.
#include <tessera/core/box.hpp>
#include <tessera/core/detail/huge_page_allocator.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/particles.hpp>
#include <tessera/core/properties.hpp>
#include <tessera/core/vec.hpp>

#include <catch2/catch.hpp>
#include <xsimd/xsimd.hpp>

#include <cstdint>
#include <random>
#include <vector>

using namespace tessera;

namespace user {
struct atom {
    double x, y, z;
    int type;
};
}  // namespace user
TESSERA_REGISTER_POINT(user::atom, double, x, y, z);

TEST_CASE("3x3 solve reproduces a known solution and rejects singular matrices", "[core][vec]") {
    const mat3<double> A{{4, 1, 2, 1, 5, 3, 2, 3, 6}};
    const vec3<double> x_true{1.5, -2.0, 0.25};
    vec3<double> x;
    REQUIRE(solve(A, A * x_true, x));
    // Tolerance: condition number of A is ~5, so a few ulps times 10.
    CHECK(x.x == Approx(x_true.x).margin(1e-14));
    CHECK(x.y == Approx(x_true.y).margin(1e-14));
    CHECK(x.z == Approx(x_true.z).margin(1e-14));
    const mat3<double> S{{1, 2, 3, 2, 4, 6, 0, 1, 1}};  // row 2 = 2 * row 1
    CHECK_FALSE(solve(S, vec3<double>{1, 1, 1}, x));
    CHECK(determinant(A) == Approx(4 * (30 - 9) - 1 * (6 - 6) + 2 * (3 - 10)));
    const mat3<double> I = A * inverse(A);
    for (std::size_t r = 0; r < 3; ++r)
        for (std::size_t c = 0; c < 3; ++c) CHECK(I(r, c) == Approx(r == c ? 1.0 : 0.0).margin(1e-14));
}

TEST_CASE("symmetric eigen-decomposition: A V = V diag(values), V orthonormal, ascending", "[core][vec]") {
    std::mt19937_64 g(7);
    std::normal_distribution<double> n(0, 1);
    for (int trial = 0; trial < 200; ++trial) {
        mat3<double> A;
        for (std::size_t r = 0; r < 3; ++r)
            for (std::size_t c = r; c < 3; ++c) A(r, c) = A(c, r) = n(g);
        if (trial % 4 == 0) A = mat3<double>::diagonal(2, 2, -1);  // degenerate pair
        const auto e = eigen_symmetric(A);
        CHECK(e.values.x <= e.values.y);
        CHECK(e.values.y <= e.values.z);
        const mat3<double> V = e.vectors;
        const mat3<double> VtV = transpose(V) * V;
        const mat3<double> AV = A * V;
        for (std::size_t r = 0; r < 3; ++r)
            for (std::size_t c = 0; c < 3; ++c) {
                CHECK(VtV(r, c) == Approx(r == c ? 1.0 : 0.0).margin(1e-13));
                CHECK(AV(r, c) == Approx(V(r, c) * e.values[c]).margin(1e-12));
            }
    }
}

TEST_CASE("triclinic box: fractional round trip, wrap, volume, minimum image", "[core][box]") {
    const triclinic_box<double> b({-1, 2, 0.5}, {9, 10, 6.5}, 7.0, -3.0, 2.5);  // tilts beyond L/2
    CHECK(b.volume() == Approx(10.0 * 8.0 * 6.0));
    std::mt19937_64 g(3);
    std::uniform_real_distribution<double> u(-30, 30);
    for (int k = 0; k < 1000; ++k) {
        const vec3<double> r{u(g), u(g), u(g)};
        const vec3<double> back = b.from_fractional(b.to_fractional(r));
        CHECK(norm(back - r) < 1e-12);
        const vec3<double> s = b.to_fractional(b.wrap(r));
        for (std::size_t d = 0; d < 3; ++d) {
            CHECK(s[d] >= -1e-12);
            CHECK(s[d] < 1 + 1e-12);
        }
        // wrap moves by a lattice vector: the fractional difference is integral.
        const vec3<double> ds = b.to_fractional(b.wrap(r)) - b.to_fractional(r);
        for (std::size_t d = 0; d < 3; ++d) CHECK(std::abs(ds[d] - std::round(ds[d])) < 1e-9);
        // minimum image (LAMMPS): |d_k| <= L_k/2, and it differs from r by a lattice vector.
        const vec3<double> m = b.minimum_image(r);
        const vec3<double> L = b.hi() - b.lo();
        for (std::size_t d = 0; d < 3; ++d) CHECK(std::abs(m[d]) <= L[d] / 2 + 1e-12);
        const vec3<double> dm = b.to_fractional(m + b.origin()) - b.to_fractional(r + b.origin());
        for (std::size_t d = 0; d < 3; ++d) CHECK(std::abs(dm[d] - std::round(dm[d])) < 1e-9);
    }
}

TEST_CASE("orthogonal box with mixed periodicity leaves open axes alone", "[core][box]") {
    const orthogonal_box<double> b({0, 0, 0}, {10, 10, 10}, {true, false, true});
    const vec3<double> w = b.wrap({12, -5, -1});
    CHECK(w.x == Approx(2));
    CHECK(w.y == -5);
    CHECK(w.z == Approx(9));
    const vec3<double> m = b.minimum_image({7, 7, -7});
    CHECK(m.x == Approx(-3));
    CHECK(m.y == 7);
    CHECK(m.z == Approx(3));
    CHECK_THROWS_AS(orthogonal_box<double>({0, 0, 0}, {0, 1, 1}), tessera::error);
    CHECK_THROWS_WITH(orthogonal_box<double>({0, 0, 0}, {1, std::nan(""), 1}), Catch::Contains("y bounds"));
}

TEST_CASE("batch minimum image equals the scalar one lane by lane", "[core][box][simd]") {
    using batch = xsimd::batch<double>;
    constexpr std::size_t W = batch::size;
    const triclinic_box<double> b({0, 0, 0}, {5, 6, 7}, 1.5, -2.0, 2.5, {true, true, false});
    std::mt19937_64 g(11);
    std::uniform_real_distribution<double> u(-20, 20);
    for (int rep = 0; rep < 100; ++rep) {
        alignas(64) double x[W], y[W], z[W];
        for (std::size_t l = 0; l < W; ++l) {
            x[l] = u(g);
            y[l] = u(g);
            z[l] = u(g);
        }
        batch bx = batch::load_aligned(x), by = batch::load_aligned(y), bz = batch::load_aligned(z);
        b.minimum_image(bx, by, bz);
        alignas(64) double ox[W], oy[W], oz[W];
        bx.store_aligned(ox);
        by.store_aligned(oy);
        bz.store_aligned(oz);
        for (std::size_t l = 0; l < W; ++l) {
            const vec3<double> m = b.minimum_image(vec3<double>{x[l], y[l], z[l]});
            CHECK(ox[l] == m.x);  // bit-identical: same operations in the same order
            CHECK(oy[l] == m.y);
            CHECK(oz[l] == m.z);
        }
    }
}

TEST_CASE("triclinic_from_bounds inverts the LAMMPS bounding box", "[core][box]") {
    // Box lo = (0,0,0), hi = (10,8,6), xy = -2, xz = 3, yz = -1.5:
    // xlo_bound = xlo + min(0, xy, xz, xy+xz) = -2, xhi_bound = xhi + max(0, xy, xz, xy+xz) = 13,
    // ylo_bound = ylo + min(0, yz) = -1.5, yhi_bound = yhi + max(0, yz) = 8.
    const auto b = triclinic_from_bounds(-2.0, 13.0, -1.5, 8.0, 0.0, 6.0, -2.0, 3.0, -1.5);
    CHECK(b.lo() == vec3<double>{0, 0, 0});
    CHECK(b.hi() == vec3<double>{10, 8, 6});
    CHECK(b.xy() == -2.0);
    CHECK(b.xz() == 3.0);
    CHECK(b.yz() == -1.5);
}

TEST_CASE("particle adaptors read the same positions without copying", "[core][particles]") {
    std::vector<double> flat{0, 1, 2, 3, 4, 5, 6, 7, 8};
    // LAMMPS-style double**: a row table into one contiguous block.
    std::vector<double*> rows{flat.data(), flat.data() + 3, flat.data() + 6};
    const aos_view<double> a(rows.data(), 3);
    const aos_view<double> a2(flat.data(), 3);
    std::vector<double> xs{0, 3, 6}, ys{1, 4, 7}, zs{2, 5, 8};
    const soa_view<double> s{xs.data(), ys.data(), zs.data(), 3};
    std::vector<user::atom> atoms{{0, 1, 2, 1}, {3, 4, 5, 2}, {6, 7, 8, 1}};
    std::vector<std::array<double, 3>> arr{{0, 1, 2}, {3, 4, 5}, {6, 7, 8}};
    std::vector<double> padded{0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1};
    const strided_view<double> st{padded.data(), 4, 3};
    for (std::size_t i = 0; i < 3; ++i) {
        const vec3<double> ref{double(3 * i), double(3 * i + 1), double(3 * i + 2)};
        CHECK(position(a, i) == ref);
        CHECK(position(a2, i) == ref);
        CHECK(position(s, i) == ref);
        CHECK(position(atoms, i) == ref);
        CHECK(position(arr, i) == ref);
        CHECK(position(st, i) == ref);
    }
    CHECK(tessera::size(atoms) == 3);
    STATIC_REQUIRE(particle_storage<std::span<const user::atom>>);
    STATIC_REQUIRE(particle_storage<std::vector<vec3<float>>>);
    STATIC_REQUIRE_FALSE(particle_storage<std::vector<int>>);
    STATIC_REQUIRE_FALSE(particle_storage<double*>);
}

TEST_CASE("particle_properties validates spans against the particle count", "[core][properties]") {
    std::vector<int> types{1, 2, 3};
    particle_properties p{.types = types};
    CHECK(p.resolved(3).num_types == 3);
    CHECK(p.resolved(3).n_local == 3);
    CHECK_THROWS_WITH(p.resolved(4), Catch::Contains("3 entries for 4 particles"));
    std::vector<int> bad{1, 0, 2};
    CHECK_THROWS_WITH((particle_properties{.types = bad}.resolved(3)), Catch::Contains("particle 1 has type 0"));
    particle_properties q{.n_local = 5};
    CHECK_THROWS_WITH(q.resolved(3), Catch::Contains("n_local = 5"));
}

TEST_CASE("huge_page_allocator: large and small blocks round-trip through a vector", "[core][allocator]") {
    using alloc = tessera::detail::huge_page_allocator<double>;
    for (const std::size_t n : {std::size_t(0), std::size_t(3), std::size_t(1) << 19, (std::size_t(5) << 20) / 8 + 7}) {
        std::vector<double, alloc> v;
        v.reserve(n);
        for (std::size_t k = 0; k < n; ++k) v.push_back(double(k));
        REQUIRE(v.size() == n);
        if (n) REQUIRE(v.back() == double(n - 1));
        if (n * sizeof(double) >= alloc::threshold)  // large blocks start on a 2 MiB boundary
            REQUIRE(reinterpret_cast<std::uintptr_t>(v.data()) % alloc::huge_page == 0);
        std::vector<double, alloc> w = v;  // copies and growth use the same allocator
        w.push_back(1.0);
        REQUIRE(w.size() == n + 1);
    }
    REQUIRE(alloc{} == tessera::detail::huge_page_allocator<int>{});
}
