// k-nearest-neighbour search in feature space (learn/knn.hpp), one thread, beside peers:
//
// | row          | what                                                                      |
// |--------------|---------------------------------------------------------------------------|
// | tessera_tree | knn_regressor.label_mean, algorithm kd_tree (exact; sklearn's neighbours)   |
// | tessera_brute| the same, algorithm brute (sklearn's heap over all rows, early exit)       |
// | nanoflann    | nanoflann 1.4 KDTreeSingleIndexAdaptor (L2, leaf 32) knnSearch + mean     |
// |              |   (exact nearest, but ties broken its own way; tree build excluded)       |
// | scalar       | plain brute force: all distances, std::partial_sort of k, mean            |
//
// Data (N training rows × 20 features, 2000 queries from the same distribution, k = 50):
//   lowdim  features = a random linear map of 3 Gaussian latent variables + 2 % noise: the
//           intrinsic dimension of a table of correlated structural descriptors;
//   gauss   20 independent Gaussians: the worst case for any tree.
// N = 10^5 (10^6 with TESSERA_BENCH_LARGE=1). Counter: queries per second.
//
// Measured 2026-12-06 on this shared 2-core machine (g++ 12 -O3 -march=native, one thread,
// N = 10^5; `bench_knn --benchmark_min_time=0.3`), queries/s:
//   lowdim: tessera_tree 13.7k, tessera_brute 1.43k, nanoflann 5.0k, scalar 0.74k
//   gauss:  tessera_tree 0.41k, tessera_brute 0.56k, nanoflann 0.10k, scalar 0.93k
// N = 10^6 (TESSERA_BENCH_LARGE=1), lowdim: tessera_tree 12.1k, nanoflann 3.8k.
// (gauss: every tree visits most rows; the kd_tree search gives up after 1/8 of the rows and
// runs the brute force; the branch-free scalar scan beats the early-exit heap there.)

#include <tessera/learn/knn.hpp>

#include <benchmark/benchmark.h>

#if TESSERA_BENCH_HAVE_NANOFLANN
#include <nanoflann.hpp>
#endif

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <random>
#include <vector>

namespace {

constexpr std::size_t cols = 20, n_query = 2000, k = 50;

std::size_t n_train() { return std::getenv("TESSERA_BENCH_LARGE") ? 1000000 : 100000; }

struct table {
    std::vector<double> x, q, y;
};

const table& data(bool lowdim) {
    static table t[2];
    table& d = t[lowdim ? 1 : 0];
    if (!d.x.empty()) return d;
    std::mt19937_64 g(lowdim ? 11 : 12);
    std::normal_distribution<double> N;
    double W[cols][3];
    for (auto& w : W)
        for (auto& v : w) v = N(g);
    auto make = [&](std::size_t rows) {
        std::vector<double> v(rows * cols);
        for (std::size_t i = 0; i < rows; ++i) {
            const double a[3] = {N(g), N(g), N(g)};
            for (std::size_t j = 0; j < cols; ++j)
                v[i * cols + j] = lowdim ? W[j][0] * a[0] + W[j][1] * a[1] + W[j][2] * a[2] + 0.02 * N(g) : N(g);
        }
        return v;
    };
    d.x = make(n_train());
    d.q = make(n_query);
    d.y.resize(n_train());
    for (auto& v : d.y) v = 300 + 50 * N(g);
    return d;
}

void tessera_knn(benchmark::State& state, bool lowdim, tessera::knn_algorithm alg) {
    const table& d = data(lowdim);
    tessera::knn_regressor r({k, tessera::knn_weights::uniform, tessera::knn_metric::euclidean, alg});
    r.fit({d.x.data(), d.y.size(), cols}, d.y);
    std::vector<double> out(n_query);
    for (auto _ : state) {
        r.label_mean({d.q.data(), n_query, cols}, out);
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["queries/s"] = benchmark::Counter(double(n_query), benchmark::Counter::kIsIterationInvariantRate);
}

void scalar_knn(benchmark::State& state, bool lowdim) {
    const table& d = data(lowdim);
    const std::size_t n = d.y.size();
    std::vector<std::pair<double, std::size_t>> dist(n);
    std::vector<double> out(n_query);
    for (auto _ : state) {
        for (std::size_t a = 0; a < n_query; ++a) {
            const double* x = d.q.data() + a * cols;
            for (std::size_t t = 0; t < n; ++t) {
                double s = 0;
                for (std::size_t j = 0; j < cols; ++j) {
                    const double u = x[j] - d.x[t * cols + j];
                    s += u * u;
                }
                dist[t] = {s, t};
            }
            std::partial_sort(dist.begin(), dist.begin() + k, dist.end());
            double sum = 0;
            for (std::size_t j = 0; j < k; ++j) sum += d.y[dist[j].second];
            out[a] = sum / double(k);
        }
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["queries/s"] = benchmark::Counter(double(n_query), benchmark::Counter::kIsIterationInvariantRate);
}

#if TESSERA_BENCH_HAVE_NANOFLANN
struct cloud {
    const table* d;
    std::size_t kdtree_get_point_count() const { return d->y.size(); }
    double kdtree_get_pt(std::size_t i, std::size_t j) const { return d->x[i * cols + j]; }
    template <class BBOX>
    bool kdtree_get_bbox(BBOX&) const { return false; }
};
using nf_tree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, cloud>, cloud, -1>;

void nanoflann_knn(benchmark::State& state, bool lowdim) {
    const table& d = data(lowdim);
    const cloud c{&d};
    nf_tree tree(int(cols), c, nanoflann::KDTreeSingleIndexAdaptorParams(32));
    tree.buildIndex();
    std::vector<std::uint32_t> idx(k);
    std::vector<double> d2(k), out(n_query);
    for (auto _ : state) {
        for (std::size_t a = 0; a < n_query; ++a) {
            tree.knnSearch(d.q.data() + a * cols, k, idx.data(), d2.data());
            double sum = 0;
            for (std::size_t j = 0; j < k; ++j) sum += d.y[idx[j]];
            out[a] = sum / double(k);
        }
        benchmark::DoNotOptimize(out.data());
    }
    state.counters["queries/s"] = benchmark::Counter(double(n_query), benchmark::Counter::kIsIterationInvariantRate);
}
#endif

void register_all() {
    for (const bool lowdim : {true, false}) {
        const std::string tag = std::string("knn/") + (lowdim ? "lowdim" : "gauss") + "/N=" + std::to_string(n_train());
        benchmark::RegisterBenchmark((tag + "/tessera_tree").c_str(), tessera_knn, lowdim, tessera::knn_algorithm::kd_tree)
            ->Unit(benchmark::kMillisecond);
        benchmark::RegisterBenchmark((tag + "/tessera_brute").c_str(), tessera_knn, lowdim, tessera::knn_algorithm::brute)
            ->Unit(benchmark::kMillisecond);
#if TESSERA_BENCH_HAVE_NANOFLANN
        benchmark::RegisterBenchmark((tag + "/nanoflann").c_str(), nanoflann_knn, lowdim)->Unit(benchmark::kMillisecond);
#endif
        benchmark::RegisterBenchmark((tag + "/scalar").c_str(), scalar_knn, lowdim)->Unit(benchmark::kMillisecond);
    }
}

const int registered = (register_all(), 0);

}  // namespace
