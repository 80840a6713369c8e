// tests for include/tessera/cluster/kmeans.hpp: scikit-learn 1.2.1 KMeans references
// (tests/reference/cluster/make_kmeans_gmm_reference.py) and properties of Lloyd's algorithm.
#include <tessera/cluster/kmeans.hpp>

#include "../support/cluster_reference.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

using tessera_test::cluster_table;

struct kmeans_case {
    std::string name, data;
    std::size_t k;
};

const kmeans_case cases[] = {{"blobs", "blobs_2000x5.csv", 4},
                             {"blobs_empty", "blobs_2000x5.csv", 4},
                             {"cuzr_k3", "cuzr_standardised.csv", 3},
                             {"cuzr_k8", "cuzr_standardised.csv", 8}};

double max_abs(const std::vector<double>& v) {
    double m = 0;
    for (double x : v) m = std::max(m, std::abs(x));
    return m;
}

// Centres agree to 1e-12 of the largest centre coordinate: both sides average the same rows
// (identical labels); sklearn sums the mean-centred rows in the same row order and adds the mean
// back, which moves the last bits by ~1e-16 of |mean| — 1e-12 leaves four orders of margin.
void require_centres_close(const std::vector<double>& got, const std::vector<double>& want) {
    REQUIRE(got.size() == want.size());
    const double scale = max_abs(want);
    for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(std::abs(got[i] - want[i]) <= 1e-12 * scale);
}

void require_identical(const tessera::kmeans_result& a, const tessera::kmeans_result& b) {
    REQUIRE(a.labels == b.labels);
    REQUIRE(a.centers == b.centers);
    REQUIRE(a.inertia == b.inertia);
    REQUIRE(a.iterations == b.iterations);
    REQUIRE(a.converged == b.converged);
}

std::vector<std::size_t> as_labels(const std::vector<double>& v) {
    std::vector<std::size_t> out(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) out[i] = static_cast<std::size_t>(std::lround(v[i]));
    return out;
}

}  // namespace

TEST_CASE("kmeans_from equals sklearn KMeans(init=centres, n_init=1) on blobs and the CuZr table", "[kmeans]") {
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            const cluster_table t = tessera_test::read_cluster_table(c.data);
            const tessera::feature_matrix_view x{t.values.data(), t.rows, t.cols};
            auto ref = tessera_test::read_cluster_keyed("kmeans_" + c.name + ".txt");
            REQUIRE(ref["init"].size() == c.k * t.cols);
            // Hamerly explicitly: automatic would pick Lloyd for these small k·cols, and the
            // bitwise Hamerly == Lloyd check below needs both paths.
            const auto r = tessera::kmeans_from(x, ref["init"], 300, 1e-4, tessera::kmeans_algorithm::hamerly);
            REQUIRE(r.k == c.k);
            REQUIRE(r.cols == t.cols);
            REQUIRE(r.labels == as_labels(ref["labels"]));
            require_centres_close(r.centers, ref["centers"]);
            // Inertia is a sum of 10^3 positive terms in different orders and from different
            // distance formulas (sklearn's centred data): 1e-9 relative is the tolerance.
            REQUIRE(std::abs(r.inertia - ref["inertia"][0]) <= 1e-9 * ref["inertia"][0]);
            REQUIRE(r.iterations == static_cast<std::size_t>(ref["n_iter"][0]));
            REQUIRE(r.converged);
            REQUIRE(r.predict(x) == r.labels);  // final E-step: labels agree with the centres

            // Hamerly's bounds skip only provably unchanged assignments: bitwise plain Lloyd.
            require_identical(r, tessera::kmeans_from(x, ref["init"], 300, 1e-4, tessera::kmeans_algorithm::lloyd));
        }
    }
}

// The draws differ from sklearn's (mt19937_64, not numpy's RandomState), so one seed against one
// random_state compares two samples of a random local optimum: with seed 0 against random_state 0
// tessera is behind on the CuZr table (k = 3: 2817.1748 vs 2817.1242, +1.8e-5; k = 8: 1783.354 vs
// 1782.795, +3.1e-4) and not on blobs. The distributions are what must agree: the median over 30
// seeds of tessera's best-of-10 inertia must not exceed the median over sklearn's random_state
// 0..29 (measured: k = 3 2817.1543 vs 2817.1646, k = 8 1784.295 vs 1784.793).
TEST_CASE("kmeans best of 10 is no worse than sklearn's best of 10 (median over 30 seeds)", "[kmeans]") {
    for (const auto& c : cases) {
        if (c.name == "blobs_empty") continue;  // same data as blobs
        DYNAMIC_SECTION(c.name) {
            const cluster_table t = tessera_test::read_cluster_table(c.data);
            const tessera::feature_matrix_view x{t.values.data(), t.rows, t.cols};
            auto ref = tessera_test::read_cluster_keyed("kmeans_" + c.name + ".txt");
            std::vector<double> theirs = ref["best10_inertia_seeds"], ours;
            REQUIRE(theirs.size() == 30);
            tessera::kmeans_options opt;
            opt.k = c.k;
            for (std::uint64_t seed = 0; seed < 30; ++seed) {
                opt.seed = seed;
                const auto r = tessera::kmeans(x, opt);
                REQUIRE(r.predict(x) == r.labels);
                ours.push_back(r.inertia);
            }
            std::sort(ours.begin(), ours.end());
            std::sort(theirs.begin(), theirs.end());
            const double median_ours = (ours[14] + ours[15]) / 2, median_theirs = (theirs[14] + theirs[15]) / 2;
            INFO("tessera seed 0: " << ours.front() << ", sklearn random_state 0: " << ref["best10_inertia"][0]
                                    << "; medians " << median_ours << " vs " << median_theirs);
            REQUIRE(median_ours <= median_theirs * (1 + 1e-9));  // 1e-9: rounding of equal optima
        }
    }
}

TEST_CASE("kmeans: Hamerly equals plain Lloyd through n_init restarts, and the seed decides", "[kmeans]") {
    const cluster_table t = tessera_test::read_cluster_table("cuzr_standardised.csv");
    const tessera::feature_matrix_view x{t.values.data(), t.rows, t.cols};
    tessera::kmeans_options opt;
    opt.k = 8;
    opt.seed = 7;
    opt.algorithm = tessera::kmeans_algorithm::hamerly;
    const auto r = tessera::kmeans(x, opt);
    require_identical(r, tessera::kmeans(x, opt));
    opt.algorithm = tessera::kmeans_algorithm::lloyd;
    require_identical(r, tessera::kmeans(x, opt));
    opt.algorithm = tessera::kmeans_algorithm::automatic;
    require_identical(r, tessera::kmeans(x, opt));
}

TEST_CASE("kmeans: permuting rows gives the same partition from the same centres", "[kmeans]") {
    const cluster_table t = tessera_test::read_cluster_table("cuzr_standardised.csv");
    const tessera::feature_matrix_view x{t.values.data(), t.rows, t.cols};
    auto ref = tessera_test::read_cluster_keyed("kmeans_cuzr_k8.txt");
    const auto r = tessera::kmeans_from(x, ref["init"]);

    std::vector<std::size_t> perm(t.rows);
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    std::mt19937_64 rng(5);
    std::shuffle(perm.begin(), perm.end(), rng);
    std::vector<double> shuffled(t.values.size());
    for (std::size_t i = 0; i < t.rows; ++i)
        std::copy_n(&t.values[perm[i] * t.cols], t.cols, &shuffled[i * t.cols]);
    const auto p = tessera::kmeans_from(tessera::feature_matrix_view{shuffled.data(), t.rows, t.cols}, ref["init"]);
    for (std::size_t i = 0; i < t.rows; ++i) REQUIRE(p.labels[i] == r.labels[perm[i]]);
    require_centres_close(p.centers, r.centers);  // sums in another order
    REQUIRE(std::abs(p.inertia - r.inertia) <= 1e-12 * r.inertia);
    REQUIRE(p.iterations == r.iterations);
}

TEST_CASE("kmeans: a strided view and thread counts do not change the result", "[kmeans]") {
    const cluster_table t = tessera_test::read_cluster_table("blobs_2000x5.csv");
    const tessera::feature_matrix_view x{t.values.data(), t.rows, t.cols};
    tessera::kmeans_options opt;
    opt.k = 4;
    opt.n_init = 3;
    opt.seed = 42;
    const auto serial = tessera::kmeans(x, opt);
    for (int threads : {1, 2, 3}) require_identical(serial, tessera::kmeans(x, opt, tessera::openmp_policy{threads}));

    std::vector<double> wide(t.rows * (t.cols + 2), -1e300);  // padding columns must be ignored
    for (std::size_t i = 0; i < t.rows; ++i) std::copy_n(&t.values[i * t.cols], t.cols, &wide[i * (t.cols + 2)]);
    require_identical(serial, tessera::kmeans(tessera::feature_matrix_view{wide.data(), t.rows, t.cols, t.cols + 2}, opt));
}

TEST_CASE("kmeans_plusplus draws distinct rows, reproducibly", "[kmeans]") {
    const cluster_table t = tessera_test::read_cluster_table("blobs_2000x5.csv");
    const tessera::feature_matrix_view x{t.values.data(), t.rows, t.cols};
    std::mt19937_64 a(3), b(3);
    const auto c1 = tessera::kmeans_plusplus(x, 6, a);
    REQUIRE(c1 == tessera::kmeans_plusplus(x, 6, b));
    REQUIRE(c1 != tessera::kmeans_plusplus(x, 6, a));  // the generator advanced
    for (std::size_t c = 0; c < 6; ++c) {
        bool found = false;
        for (std::size_t i = 0; i < t.rows && !found; ++i)
            found = std::equal(&c1[c * t.cols], &c1[c * t.cols] + t.cols, &t.values[i * t.cols]);
        REQUIRE(found);
        for (std::size_t o = 0; o < c; ++o)
            REQUIRE_FALSE(std::equal(&c1[c * t.cols], &c1[c * t.cols] + t.cols, &c1[o * t.cols]));
    }
}

TEST_CASE("kmeans: small exact cases", "[kmeans]") {
    // Two groups on a line; k = 1 is the mean; k = rows puts a centre on every row.
    const std::vector<double> v{0, 1, 2, 10, 11, 12};
    const tessera::feature_matrix_view x{v.data(), 6, 1};
    tessera::kmeans_options opt;
    opt.k = 2;
    const auto r = tessera::kmeans(x, opt);
    REQUIRE(r.inertia == 4.0);
    REQUIRE(r.labels[0] == r.labels[2]);
    REQUIRE(r.labels[3] == r.labels[5]);
    REQUIRE(r.labels[0] != r.labels[3]);
    opt.k = 1;
    REQUIRE(tessera::kmeans(x, opt).centers == std::vector<double>{6.0});
    opt.k = 6;
    REQUIRE(tessera::kmeans(x, opt).inertia == 0.0);
    // Duplicate rows: fewer distinct points than k leaves an empty cluster at every step;
    // relocation must still end with finite centres and a consistent labelling.
    const std::vector<double> dup{1, 1, 1, 5, 5};
    const auto d = tessera::kmeans_from(tessera::feature_matrix_view{dup.data(), 5, 1}, std::vector<double>{1, 5, 9});
    for (double c : d.centers) REQUIRE(std::isfinite(c));
    REQUIRE(d.inertia == 0.0);
}

TEST_CASE("kmeans: bad input throws tessera::error", "[kmeans]") {
    const std::vector<double> v{0, 1, 2, 3, 4, 5};
    const tessera::feature_matrix_view x{v.data(), 3, 2};
    tessera::kmeans_options opt;
    opt.k = 0;
    REQUIRE_THROWS_AS(tessera::kmeans(x, opt), tessera::error);
    opt.k = 4;
    REQUIRE_THROWS_WITH(tessera::kmeans(x, opt), Catch::Contains("exceeds the 3 rows"));
    opt.k = 2;
    opt.n_init = 0;
    REQUIRE_THROWS_AS(tessera::kmeans(x, opt), tessera::error);
    opt.n_init = 1;
    opt.max_iter = 0;
    REQUIRE_THROWS_AS(tessera::kmeans(x, opt), tessera::error);
    opt.max_iter = 300;
    opt.tol = -1;
    REQUIRE_THROWS_AS(tessera::kmeans(x, opt), tessera::error);
    opt.tol = 1e-4;
    std::vector<double> bad = v;
    bad[3] = std::numeric_limits<double>::quiet_NaN();
    REQUIRE_THROWS_WITH(tessera::kmeans(tessera::feature_matrix_view{bad.data(), 3, 2}, opt),
                        Catch::Contains("row 1, column 1"));
    REQUIRE_THROWS_AS(tessera::kmeans(tessera::feature_matrix_view{v.data(), 3, 0}, opt), tessera::error);
    REQUIRE_THROWS_AS(tessera::kmeans_from(x, std::vector<double>{0, 1, 2}), tessera::error);
    REQUIRE_THROWS_AS(tessera::kmeans_from(x, std::vector<double>{0, std::nan("")}), tessera::error);
    const auto fitted = tessera::kmeans(x, opt);
    REQUIRE_THROWS_AS(fitted.predict(tessera::feature_matrix_view{v.data(), 2, 3}), tessera::error);
}
