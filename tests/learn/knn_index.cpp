// tests for include/tessera/learn/knn_index.hpp: the exact neighbour search behind the k-NN models
// (learn/knn.hpp, tested in knn.cpp against scikit-learn 1.2.1). Neighbour sets and distances
// must be identical: between the k-d tree and the brute force, and to sklearn's heap outcome.

#include <tessera/learn/knn_index.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

TEST_CASE("knn: scikit-learn's heap tie-breaking, not lowest index first", "[learn][knn]") {
    // sklearn 1.2.1: KNeighborsClassifier(3, algorithm='brute').fit([[1],[-1],[1],[.5],[-.5]], y)
    //                .kneighbors([[0]]) -> indices [[4, 3, 1]]
    const std::vector<double> x{1, -1, 1, 0.5, -0.5}, q{0};
    for (const auto alg : {tessera::knn_algorithm::kd_tree, tessera::knn_algorithm::brute}) {
        tessera::knn_index index({x.data(), 5, 1}, tessera::knn_metric::euclidean, alg);
        std::vector<std::int64_t> idx(3);
        std::vector<double> dist(3);
        index.kneighbors({q.data(), 1, 1}, 3, idx, dist);
        CHECK(idx == std::vector<std::int64_t>{3, 4, 1});  // lowest-index-first would give {0, 3, 4}
        CHECK(dist == std::vector<double>{0.5, 0.5, 1.0});
    }
}

TEST_CASE("knn: the k-d tree and the brute force give identical neighbours", "[learn][knn]") {
    // 2000 rows of 3 latent dimensions embedded in 8 features: the tree pays off; half the
    // data sets are rounded to integers (ties everywhere: the tree must fall back correctly).
    std::mt19937_64 g(7);
    std::normal_distribution<double> N;
    for (const bool integer : {false, true})
        for (const auto metric : {tessera::knn_metric::euclidean, tessera::knn_metric::manhattan}) {
            const std::size_t n = 2000, m = 8, nq = 300;
            double W[8][3];
            for (auto& w : W)
                for (auto& v : w) v = N(g);
            auto make = [&](std::size_t rows) {
                std::vector<double> v(rows * m);
                for (std::size_t i = 0; i < rows; ++i) {
                    const double a[3] = {N(g), N(g), N(g)};
                    for (std::size_t j = 0; j < m; ++j) {
                        const double f = 3 * (W[j][0] * a[0] + W[j][1] * a[1] + W[j][2] * a[2]) + 0.05 * N(g);
                        v[i * m + j] = integer ? std::round(f) : f;
                    }
                }
                return v;
            };
            const auto x = make(n), q = make(nq);
            for (const std::size_t k : {std::size_t(1), std::size_t(10), std::size_t(50)}) {
                tessera::knn_index tree({x.data(), n, m}, metric, tessera::knn_algorithm::kd_tree);
                tessera::knn_index brute({x.data(), n, m}, metric, tessera::knn_algorithm::brute);
                std::vector<std::int64_t> it(nq * k), ib(nq * k);
                std::vector<double> dt(nq * k), db(nq * k);
                tree.kneighbors({q.data(), nq, m}, k, it, dt, tessera::openmp_policy{2});
                brute.kneighbors({q.data(), nq, m}, k, ib, db);
                CHECK(it == ib);
                CHECK(dt == db);
            }
        }
}
