// The SIMD kernels of the fused descriptor pass against their plain references, on inputs made
// to hit their edge cases (ties, duplicates, short and ragged runs, every batch width of both
// value types): the padded distance filter (in-place tail, bitmask walk), the rank-ordered
// sorted rows, the CSP smallest-pair selection, the CNA bond matrix, and Y_lm sums restricted
// to the needed degrees (with the multi-row haddp reduction).
#include <tessera/descriptors/cna.hpp>
#include <tessera/descriptors/csp.hpp>
#include <tessera/descriptors/detail/spherical_harmonics.hpp>
#include <tessera/neighbors/detail/distance_filter.hpp>
#include <tessera/neighbors/query.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <tuple>
#include <vector>

using namespace tessera;

TEST_CASE("padded filter equals the copying filter for every run length and offset", "[simd][neighbors]") {
    auto run = [](auto zero) {
        using T = decltype(zero);
        std::mt19937_64 g(31);
        std::uniform_real_distribution<T> u(-3, 3);
        const std::size_t n = 300;
        std::vector<T> x(n + detail::filter_padding), y(x.size()), z(x.size());
        for (std::size_t k = 0; k < x.size(); ++k) {
            x[k] = u(g);
            y[k] = u(g);
            z[k] = u(g);
        }
        const vec3<T> q{T(0.1), T(-0.2), T(0.3)}, shift{T(0.5), T(0), T(-0.25)};
        std::size_t hits = 0;
        for (std::size_t k0 = 0; k0 < 40; ++k0)
            for (std::size_t len = 0; len <= 40; ++len) {
                std::vector<std::tuple<std::size_t, T, T, T, T>> a, b;
                auto ea = [&](std::size_t k, const vec3<T>& r, T r2) { a.emplace_back(k, r.x, r.y, r.z, r2); };
                auto eb = [&](std::size_t k, const vec3<T>& r, T r2) { b.emplace_back(k, r.x, r.y, r.z, r2); };
                detail::filter_candidates_padded(x.data(), y.data(), z.data(), k0, k0 + len, q, shift, T(4), ea);
                detail::filter_candidates(x.data(), y.data(), z.data(), k0, k0 + len, q, shift, T(4), eb);
                // Same lane arithmetic in both: identical bit for bit, in the same order.
                REQUIRE(a == b);
                hits += a.size();
            }
        REQUIRE(hits > 1000);
    };
    run(0.0);
    run(0.0f);
}

TEST_CASE("sorted rows: rank ordering equals std::sort / partial_sort, duplicates included", "[simd][neighbors]") {
    std::mt19937_64 g(5);
    std::uniform_real_distribution<double> u(0, 1);
    for (const std::size_t n : {0, 1, 2, 7, 8, 9, 13, 31, 63, 64, 65, 120}) {
        for (int variant = 0; variant < 3; ++variant) {
            std::vector<detail::candidate<double>> c(n);
            for (std::size_t k = 0; k < n; ++k) {
                c[k].j = std::size_t(g() % 50);
                c[k].r = {u(g), u(g), u(g)};
                c[k].r2 = u(g);
                if (variant >= 1 && k % 3 == 1) c[k].r2 = c[k - 1].r2;  // equal distances, other index
                if (variant == 2 && k % 5 == 4) {                        // same (r², j): two images
                    c[k].r2 = c[k - 1].r2;
                    c[k].j = c[k - 1].j;
                }
            }
            auto expect = c;
            std::sort(expect.begin(), expect.end());
            for (const std::size_t limit : {std::numeric_limits<std::size_t>::max(), std::size_t(12), std::size_t(0)}) {
                neighbor_list<double> out;
                out.clear();
                auto work = c;
                detail::push_sorted(work, out, limit);
                out.end_row();
                const std::size_t first = std::min(limit, n);
                REQUIRE(out.num_bonds() == first);
                for (std::size_t k = 0; k < first; ++k) {
                    REQUIRE(out.neighbors(0)[k] == expect[k].j);
                    REQUIRE(out.distances2(0)[k] == expect[k].r2);
                    REQUIRE(out.vectors(0)[k] == expect[k].r);
                }
            }
        }
    }
}

TEST_CASE("csp: SIMD smallest-pair selection equals nth_element + sort, ties included", "[simd][csp]") {
    auto reference = [](std::vector<double> v, std::size_t h) {
        std::sort(v.begin(), v.end());
        double s = 0;
        for (std::size_t k = 0; k < h; ++k) s += v[k];
        return s;
    };
    std::mt19937_64 g(9);
    std::uniform_real_distribution<double> u(0, 10);
    for (const std::size_t n : {2, 4, 8, 12, 14, 16, 24, 32}) {
        const std::size_t m = n * (n - 1) / 2, h = n / 2;
        for (int variant = 0; variant < 6; ++variant) {
            std::vector<double> v(m);
            for (auto& x : v) x = u(g);
            if (variant == 1)
                for (auto& x : v) x = std::floor(x);  // many exact ties around the h-th value
            if (variant == 2) std::fill(v.begin(), v.end(), 1.5);  // all equal
            if (variant == 3)
                for (std::size_t k = 0; k < m; ++k) v[k] = k < h + 2 ? 0.25 : 7.0;  // duplicates of the minimum
            if (variant >= 4) {  // a crystal: h pairs near 0, the rest large; in one lane, or anywhere
                for (auto& x : v) x = 10 + x;
                for (std::size_t k = 0; k < h; ++k) v[variant == 4 ? (k * 8) % m : g() % m] = 1e-3 * u(g);
            }
            std::array<double, detail::csp_max_pairs + detail::csp_pad> buf{};
            std::copy(v.begin(), v.end(), buf.begin());
            const double fast = detail::csp_smallest_sum_simd<xsimd::default_arch>(buf.data(), m, h);
            std::copy(v.begin(), v.end(), buf.begin());
            const double scalar = detail::csp_smallest_sum(buf.data(), m, h);
            // The same h values summed in the same (ascending) order: exactly equal.
            REQUIRE(fast == reference(v, h));
            REQUIRE(scalar == reference(v, h));
        }
    }
    // float: 16 lanes on AVX-512
    std::array<float, detail::csp_max_pairs + detail::csp_pad> fb{};
    std::vector<float> fv(66);
    for (auto& x : fv) x = float(u(g));
    std::copy(fv.begin(), fv.end(), fb.begin());
    const float ff = detail::csp_smallest_sum_simd<xsimd::default_arch>(fb.data(), 66, 6);
    std::sort(fv.begin(), fv.end());
    float fs = 0;
    for (int k = 0; k < 6; ++k) fs += fv[std::size_t(k)];
    REQUIRE(ff == fs);
}

TEST_CASE("cna: SIMD bond matrix equals the pairwise scalar matrix", "[simd][cna]") {
    auto run = [](auto zero) {
        using T = decltype(zero);
        std::mt19937_64 g(17);
        std::uniform_real_distribution<T> u(-3, 3);
        for (std::size_t n = 1; n <= 16; ++n)
            for (int trial = 0; trial < 20; ++trial) {
                std::array<vec3<T>, 16> v{};
                for (std::size_t k = 0; k < n; ++k) v[k] = {u(g), u(g), u(g)};
                const T c2 = T(9);
                detail::cna_bonds fast, slow;
                detail::cna_bond_matrix<xsimd::default_arch>(v, n, c2, fast);
                detail::cna_bond_matrix<void>(v, n, c2, slow);
                for (std::size_t j = 0; j < 16; ++j) REQUIRE(fast.row[j] == slow.row[j]);
            }
    };
    run(0.0);
    run(0.0f);
}

TEST_CASE("Y_lm sums of selected degrees: SIMD equals scalar, unselected degrees are zero", "[simd][steinhardt]") {
    auto run = [](auto zero, double tol) {
        using T = decltype(zero);
        std::mt19937_64 g(23);
        std::normal_distribution<T> nd(0, 1);
        const int lmax = 8;
        const std::uint32_t needed = (1u << 4) | (1u << 6) | (1u << 8);
        for (const std::size_t nb : {1, 5, 12, 16, 17, 40}) {
            std::vector<vec3<T>> b(nb);
            for (auto& v : b) v = {nd(g), nd(g), nd(g)};
            b[0] = {T(0), T(0), T(0)};  // zero-length bonds are skipped
            std::array<T, detail::max_ylm> re_all{}, im_all{}, re_sel{}, im_sel{}, re_s{}, im_s{};
            detail::sum_ylm<void>(std::span<const vec3<T>>(b), lmax, re_all.data(), im_all.data());
            detail::sum_ylm<xsimd::default_arch>(std::span<const vec3<T>>(b), lmax, re_sel.data(), im_sel.data(), {},
                                                 needed);
            detail::sum_ylm<void>(std::span<const vec3<T>>(b), lmax, re_s.data(), im_s.data(), {}, needed);
            for (int l = 0; l <= lmax; ++l)
                for (int m = 0; m <= l; ++m) {
                    const std::size_t k = detail::ylm_index(l, m);
                    if (needed >> l & 1u) {
                        // Different summation order (lanes, then haddp): rounding only. |Y_lm| ≤ 1.3
                        // per bond, so the scale is the bond count.
                        REQUIRE(std::abs(re_sel[k] - re_all[k]) <= tol * T(nb));
                        REQUIRE(std::abs(im_sel[k] - im_all[k]) <= tol * T(nb));
                        REQUIRE(re_s[k] == re_all[k]);  // scalar: the same loop, identical
                        REQUIRE(im_s[k] == im_all[k]);
                    } else {
                        REQUIRE(re_sel[k] == T(0));
                        REQUIRE(im_sel[k] == T(0));
                        REQUIRE(re_s[k] == T(0));
                    }
                }
        }
    };
    run(0.0, 1e-13);  // ~ 40 roundings of order 1 in double
    run(0.0f, 2e-5);  // the same in float (ε = 1.2e-7)
}
