// Clustering against scikit-learn / SciPy on identical data (issue 18, performance): one thread,
// each case a single fit per Google Benchmark iteration; bench/cluster_sklearn.py times the
// reference on the same files and compares results and times; bench/cluster_compare.sh runs both.
//
// | row                      | what (tessera)                                   | reference (cluster_sklearn.py)          |
// |--------------------------|--------------------------------------------------|-----------------------------------------|
// | kmeans/default           | kmeans_from(x, init, 300, 1e-4) (automatic: Lloyd at k·d = 64) | KMeans(init, n_init=1, "lloyd"/"elkan") |
// | kmeans/hamerly, /lloyd   | the same, kmeans_algorithm::hamerly / ::lloyd    |                                         |
// | gmm_full                 | gmm_from(x, resp, full, tol 0, max_iter 50)      | GaussianMixture(full, tol=0, 50), _initialize(resp) |
// | ward/N, single/N         | agglomerate(x, ward / single)                    | scipy linkage(x, "ward" / "single")     |
//
// Data, deterministic (std::mt19937_64): k-means 10^6 × 8, 8 overlapping Gaussian blobs (unit
// spread, centres uniform in [-1.5, 1.5]^8; bench/cluster_kmeans.cpp's table), initial centres
// from kmeans_plusplus (seed 1); GMM 10^5 × 8, 8 blobs with random anisotropic covariances,
// responsibilities 0.7 on the generating blob plus 0.3 spread by uniform weights; Ward/single
// 10 blobs in [-10, 10]^8 (bench/cluster_ward.cpp's table), N = 5000 (TESSERA_BENCH_LARGE=1 adds
// 20000: 1.6 GB condensed matrix here, 3.2 GB in SciPy, ~20 s a fit).
// Before timing, the inputs and tessera's results (inertia, iterations, lower bound, the
// dendrograms) are written as raw little-endian float64 to $TESSERA_BENCH_CLUSTER_DIR (default
// /tmp/tessera_cluster_bench), which the Python script reads and checks.
// Build: g++ -std=c++20 -O2 -DNDEBUG -I include bench/cluster_sklearn.cpp -o /tmp/bench_cluster_sklearn -lbenchmark -lpthread

#include <tessera/cluster/gmm.hpp>
#include <tessera/cluster/hierarchical.hpp>
#include <tessera/cluster/kmeans.hpp>

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

constexpr std::size_t cols = 8;

std::string out_dir() {
    const char* d = std::getenv("TESSERA_BENCH_CLUSTER_DIR");
    return d && *d ? d : "/tmp/tessera_cluster_bench";
}

void write_f64(const std::string& name, const std::vector<double>& v) {
    const std::string path = out_dir() + "/" + name;
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f || std::fwrite(v.data(), sizeof(double), v.size(), f) != v.size() || std::fclose(f) != 0)
        throw std::runtime_error("cannot write " + path);
}

bool large() {
    const char* e = std::getenv("TESSERA_BENCH_LARGE");
    return e && *e && std::string(e) != "0";
}

// ---- k-means: 10^6 × 8, k = 8 -------------------------------------------------------------
constexpr std::size_t km_rows = 1000000, km_k = 8;
struct km_problem {
    std::vector<double> x, init;
};
const km_problem& km_data() {
    static const km_problem p = [] {
        km_problem q;
        std::mt19937_64 g(8);
        std::uniform_real_distribution<double> U(-1.5, 1.5);
        std::normal_distribution<double> N;
        std::vector<double> centres(km_k * cols);
        for (auto& c : centres) c = U(g);
        q.x.resize(km_rows * cols);
        for (std::size_t i = 0; i < km_rows; ++i)
            for (std::size_t j = 0; j < cols; ++j) q.x[i * cols + j] = centres[(i % km_k) * cols + j] + N(g);
        std::mt19937_64 seed(1);
        q.init = tessera::kmeans_plusplus(tessera::feature_matrix_view{q.x.data(), km_rows, cols}, km_k, seed);
        return q;
    }();
    return p;
}

void kmeans_case(benchmark::State& state, tessera::kmeans_algorithm algorithm) {
    const km_problem& p = km_data();
    const tessera::feature_matrix_view x{p.x.data(), km_rows, cols};
    tessera::kmeans_result r;
    for (auto _ : state) {
        r = tessera::kmeans_from(x, p.init, 300, 1e-4, algorithm);
        benchmark::DoNotOptimize(r.inertia);
    }
    state.counters["iterations"] = static_cast<double>(r.iterations);
    state.counters["inertia"] = r.inertia;
}

// ---- GMM, full covariance: 10^5 × 8, k = 8 ------------------------------------------------------
constexpr std::size_t gmm_rows = 100000, gmm_k = 8, gmm_iter = 50;
struct gmm_problem {
    std::vector<double> x, resp;
};
const gmm_problem& gmm_data() {
    static const gmm_problem p = [] {
        gmm_problem q;
        std::mt19937_64 g(18);
        std::uniform_real_distribution<double> U(-3.0, 3.0), S(0.3, 1.5), W(0.0, 1.0);
        std::normal_distribution<double> N;
        // Blob c: x = μ_c + A_c z, A_c lower-triangular with random entries (a full covariance).
        std::vector<double> mu(gmm_k * cols), A(gmm_k * cols * cols, 0.0);
        for (auto& m : mu) m = U(g);
        for (std::size_t c = 0; c < gmm_k; ++c)
            for (std::size_t a = 0; a < cols; ++a)
                for (std::size_t b = 0; b <= a; ++b) A[(c * cols + a) * cols + b] = a == b ? S(g) : 0.3 * N(g);
        q.x.resize(gmm_rows * cols);
        q.resp.resize(gmm_rows * gmm_k);
        std::vector<double> z(cols);
        for (std::size_t i = 0; i < gmm_rows; ++i) {
            const std::size_t c = i % gmm_k;
            for (auto& v : z) v = N(g);
            for (std::size_t a = 0; a < cols; ++a) {
                double v = mu[c * cols + a];
                for (std::size_t b = 0; b <= a; ++b) v += A[(c * cols + a) * cols + b] * z[b];
                q.x[i * cols + a] = v;
            }
            double s = 0;
            for (std::size_t m = 0; m < gmm_k; ++m) s += q.resp[i * gmm_k + m] = W(g);
            for (std::size_t m = 0; m < gmm_k; ++m) q.resp[i * gmm_k + m] = 0.3 * q.resp[i * gmm_k + m] / s + (m == c ? 0.7 : 0.0);
        }
        return q;
    }();
    return p;
}

tessera::gmm_options gmm_opts() {
    tessera::gmm_options o;
    o.k = gmm_k;
    o.covariance = tessera::covariance_type::full;
    o.tol = 0;  // never converges: both sides run exactly max_iter iterations
    o.max_iter = gmm_iter;
    o.reg_covar = 1e-6;
    return o;
}

void gmm_full(benchmark::State& state) {
    const gmm_problem& p = gmm_data();
    const tessera::feature_matrix_view x{p.x.data(), gmm_rows, cols};
    tessera::gaussian_mixture g;
    for (auto _ : state) {
        g = tessera::gmm_from(x, p.resp, gmm_opts());
        benchmark::DoNotOptimize(g.lower_bound);
    }
    state.counters["iterations"] = static_cast<double>(g.n_iter);
    state.counters["lower_bound"] = g.lower_bound;
}

// ---- agglomerative: N × 8, 10 blobs ---------------------------------------------------------
std::vector<double> blobs(std::size_t n) {
    std::mt19937_64 rng(18);
    std::uniform_real_distribution<double> centre(-10.0, 10.0);
    std::normal_distribution<double> noise(0.0, 1.0);
    std::vector<double> centres(10 * cols);
    for (double& c : centres) c = centre(rng);
    std::vector<double> x(n * cols);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < cols; ++c) x[i * cols + c] = centres[(i % 10) * cols + c] + noise(rng);
    return x;
}

std::vector<double> merges(const tessera::dendrogram& d) {
    std::vector<double> z;
    z.reserve(4 * d.merges.size());
    for (const auto& m : d.merges) {
        z.push_back(static_cast<double>(m.a));
        z.push_back(static_cast<double>(m.b));
        z.push_back(m.height);
        z.push_back(static_cast<double>(m.size));
    }
    return z;
}

void agglomerate_case(benchmark::State& state, tessera::linkage method) {
    const auto n = static_cast<std::size_t>(state.range(0));
    const std::vector<double> x = blobs(n);
    const tessera::feature_matrix_view X{x.data(), n, cols};
    for (auto _ : state) benchmark::DoNotOptimize(tessera::agglomerate(X, method).merges.data());
}

// Inputs and tessera's results for the Python side (one untimed fit each).
void write_inputs(const std::vector<std::size_t>& agglomerate_rows) {
    const km_problem& km = km_data();
    write_f64("kmeans_x.f64", km.x);
    write_f64("kmeans_init.f64", km.init);
    const tessera::feature_matrix_view kx{km.x.data(), km_rows, cols};
    const auto r = tessera::kmeans_from(kx, km.init, 300, 1e-4);
    write_f64("kmeans_tessera.f64", {r.inertia, static_cast<double>(r.iterations)});
    write_f64("kmeans_tessera_centers.f64", r.centers);

    const gmm_problem& gm = gmm_data();
    write_f64("gmm_x.f64", gm.x);
    write_f64("gmm_resp.f64", gm.resp);
    const auto g = tessera::gmm_from(tessera::feature_matrix_view{gm.x.data(), gmm_rows, cols}, gm.resp, gmm_opts());
    write_f64("gmm_tessera.f64", {g.lower_bound, static_cast<double>(g.n_iter)});
    write_f64("gmm_tessera_means.f64", g.means);

    for (const std::size_t n : agglomerate_rows) {
        const std::vector<double> x = blobs(n);
        const tessera::feature_matrix_view X{x.data(), n, cols};
        write_f64("agglo_" + std::to_string(n) + "_x.f64", x);
        write_f64("ward_" + std::to_string(n) + "_tessera.f64", merges(tessera::agglomerate(X, tessera::linkage::ward)));
        write_f64("single_" + std::to_string(n) + "_tessera.f64",
                  merges(tessera::agglomerate(X, tessera::linkage::single)));
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::size_t> rows{5000};
    if (large()) rows.push_back(20000);
    benchmark::RegisterBenchmark("kmeans/default", kmeans_case, tessera::kmeans_algorithm::automatic)
        ->Unit(benchmark::kMillisecond)->Iterations(1);
    benchmark::RegisterBenchmark("kmeans/hamerly", kmeans_case, tessera::kmeans_algorithm::hamerly)
        ->Unit(benchmark::kMillisecond)->Iterations(1);
    benchmark::RegisterBenchmark("kmeans/lloyd", kmeans_case, tessera::kmeans_algorithm::lloyd)
        ->Unit(benchmark::kMillisecond)->Iterations(1);
    benchmark::RegisterBenchmark("gmm_full", gmm_full)->Unit(benchmark::kMillisecond)->Iterations(1);
    for (const std::size_t n : rows) {
        benchmark::RegisterBenchmark("ward", agglomerate_case, tessera::linkage::ward)
            ->Arg(static_cast<std::int64_t>(n))->Unit(benchmark::kMillisecond)->Iterations(1);
        benchmark::RegisterBenchmark("single", agglomerate_case, tessera::linkage::single)
            ->Arg(static_cast<std::int64_t>(n))->Unit(benchmark::kMillisecond)->Iterations(1);
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    const char* skip = std::getenv("TESSERA_BENCH_SKIP_WRITE");
    if (!(skip && *skip && std::string(skip) != "0")) {
        std::filesystem::create_directories(out_dir());
        write_inputs(rows);
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
