// tessera's learning layer (learn/) on the data of bench/learn_sklearn.py, for the comparison
// with scikit-learn of issue 15. One thread. Reproduce everything with
//     bench/learn_compare.sh BUILD_DIR
// which runs `learn_sklearn.py make DIR`, this program (TESSERA_LEARN_DATA=DIR,
// --benchmark_format=json) and `learn_sklearn.py compare DIR JSON` (sklearn timings, value checks,
// ratios). Each benchmark writes its result into DIR/out_*.npy after timing, for those checks.
//
// | row                          | what is timed                                                   |
// |------------------------------|-----------------------------------------------------------------|
// | learn/knn_fit                | knn_classifier(k = 50).fit on 10^5 x 16 (copy + k-d tree)        |
// | learn/knn_predict            | its predict on 10^5 query rows (uniform weights)                 |
// | learn/logistic_fit           | logistic_regression(C = 1).fit on 10^5 x 60, binary (Newton)     |
// | learn/svm_fit                | train_svm (libsvm) on 2*10^4 x 100, RBF, gamma 'scale', 200 MB   |
// | learn/logistic_predict_proba | a fixed model's predict_proba on 10^6 x 60                       |
// | learn/gbt_decision_function  | a fixed 100-tree depth-3 model's decision_function, 10^6 x 60    |
// | learn/svm_decision_function  | a fixed RBF model (~2000 SVs) decision_function, 10^5 x 100      |
// | learn/read_pred_x            | one SIMD pass summing the 10^6 x 60 prediction rows: the memory  |
// |                              | bound of logistic_predict_proba (bytes/s), not a library call    |
//
// Counters: knn_predict reports the index's bytes over the training matrix's (index/train).
// Without the data (TESSERA_LEARN_DATA unset and /tmp/learnbench_data missing) every row is
// skipped with a message.

#include <tessera/learn/gradient_boosting.hpp>
#include <tessera/learn/knn.hpp>
#include <tessera/learn/logistic.hpp>
#include <tessera/learn/svm.hpp>
// bench/CMakeLists.txt defines TESSERA_BENCH_HAVE_LIBSVM (and links -lsvm) when it finds libsvm;
// a hand build (g++ ... -lsvm) gets it from the header's presence.
#ifndef TESSERA_BENCH_HAVE_LIBSVM
#if __has_include(<libsvm/svm.h>)
#define TESSERA_BENCH_HAVE_LIBSVM 1
#else
#define TESSERA_BENCH_HAVE_LIBSVM 0
#endif
#endif
#if TESSERA_BENCH_HAVE_LIBSVM
#include <tessera/learn/svm_train.hpp>
#endif

#include <benchmark/benchmark.h>
#include <xsimd/xsimd.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace {

std::string data_dir() {
    const char* d = std::getenv("TESSERA_LEARN_DATA");
    return d ? d : "/tmp/learnbench_data";
}

/// A little-endian, C-order .npy array (numpy's format 1.0/2.0) of T: the values and the shape.
template <class T>
struct npy {
    std::vector<T> v;
    std::vector<std::size_t> shape;
    [[nodiscard]] std::size_t rows() const { return shape.empty() ? 1 : shape[0]; }
    [[nodiscard]] std::size_t cols() const { return shape.size() < 2 ? 1 : shape[1]; }
};

template <class T>
const char* npy_descr() {
    if constexpr (std::is_same_v<T, double>) return "<f8";
    else if constexpr (std::is_same_v<T, std::int64_t>) return "<i8";
    else return "<i4";
}

template <class T>
npy<T> load(const std::string& name) {
    const std::string path = data_dir() + "/" + name + ".npy";
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot open " + path + " (run bench/learn_sklearn.py make DIR first)");
    char magic[8];
    f.read(magic, 8);
    if (std::memcmp(magic, "\x93NUMPY", 6) != 0) throw std::runtime_error(path + ": not a .npy file");
    std::uint32_t hlen = 0;
    if (magic[6] == 1) {
        unsigned char b[2];
        f.read(reinterpret_cast<char*>(b), 2);
        hlen = b[0] | (b[1] << 8);
    } else {
        unsigned char b[4];
        f.read(reinterpret_cast<char*>(b), 4);
        hlen = b[0] | (b[1] << 8) | (b[2] << 16) | (std::uint32_t(b[3]) << 24);
    }
    std::string h(hlen, ' ');
    f.read(h.data(), hlen);
    if (h.find(std::string("'descr': '") + npy_descr<T>() + "'") == std::string::npos ||
        h.find("'fortran_order': False") == std::string::npos)
        throw std::runtime_error(path + ": expected " + npy_descr<T>() + " in C order, header " + h);
    npy<T> a;
    const std::size_t s = h.find("'shape': (") + 10, e = h.find(')', s);
    std::size_t n = 1;
    for (std::size_t p = s; p < e;) {
        const std::size_t c = h.find(',', p);
        const std::string tok = h.substr(p, std::min(c, e) - p);
        if (tok.find_first_of("0123456789") != std::string::npos) {
            a.shape.push_back(std::stoull(tok));
            n *= a.shape.back();
        }
        if (c == std::string::npos || c >= e) break;
        p = c + 1;
    }
    a.v.resize(n);
    f.read(reinterpret_cast<char*>(a.v.data()), std::streamsize(n * sizeof(T)));
    if (!f) throw std::runtime_error(path + ": truncated");
    return a;
}

template <class T>
void save(const std::string& name, const std::vector<T>& v) {
    const std::string path = data_dir() + "/" + name + ".npy";
    std::string h = std::string("{'descr': '") + npy_descr<T>() + "', 'fortran_order': False, 'shape': (" +
                    std::to_string(v.size()) + ",), }";
    while ((10 + h.size() + 1) % 64 != 0) h += ' ';
    h += '\n';
    std::ofstream f(path, std::ios::binary);
    f.write("\x93NUMPY\x01\x00", 8);
    const unsigned char len[2] = {static_cast<unsigned char>(h.size() & 0xff), static_cast<unsigned char>(h.size() >> 8)};
    f.write(reinterpret_cast<const char*>(len), 2);
    f.write(h.data(), std::streamsize(h.size()));
    f.write(reinterpret_cast<const char*>(v.data()), std::streamsize(v.size() * sizeof(T)));
}

template <class Fn>
void guarded(benchmark::State& state, Fn&& fn) {
    try {
        fn();
    } catch (const std::exception& e) {
        state.SkipWithError(e.what());
        for (auto _ : state) {
        }
    }
}

constexpr std::size_t knn_k = 50;

void knn_fit(benchmark::State& state) {
    guarded(state, [&] {
        const auto x = load<double>("knn_train_x");
        const auto y = load<std::int64_t>("knn_train_y");
        for (auto _ : state) {
            tessera::knn_classifier m({knn_k});
            m.fit({x.v.data(), x.rows(), x.cols()}, y.v);
            benchmark::DoNotOptimize(&m);
        }
    });
}

void knn_predict(benchmark::State& state) {
    guarded(state, [&] {
        const auto x = load<double>("knn_train_x");
        const auto y = load<std::int64_t>("knn_train_y");
        const auto q = load<double>("knn_query_x");
        tessera::knn_classifier m({knn_k});
        m.fit({x.v.data(), x.rows(), x.cols()}, y.v);
        std::vector<std::int64_t> out(q.rows());
        for (auto _ : state) {
            m.predict({q.v.data(), q.rows(), q.cols()}, out);
            benchmark::DoNotOptimize(out.data());
        }
        state.counters["index/train"] = double(m.index().memory_bytes()) / double(x.v.size() * sizeof(double));
        state.counters["queries/s"] = benchmark::Counter(double(q.rows()), benchmark::Counter::kIsIterationInvariantRate);
        save("out_knn_predict", out);
    });
}

void logistic_fit(benchmark::State& state) {
    guarded(state, [&] {
        const auto x = load<double>("log_x");
        const auto y = load<std::int32_t>("log_y");
        tessera::logistic_options o;
        o.C = 1.0;
        tessera::logistic_regression m(o);
        for (auto _ : state) {
            m.fit(x.v.data(), x.rows(), x.cols(), y.v);
            benchmark::DoNotOptimize(&m);
        }
        state.counters["newton_iterations"] = double(m.iterations());
        save("out_log_coef", std::vector<double>(m.coef().begin(), m.coef().end()));
        save("out_log_intercept", std::vector<double>(m.intercept().begin(), m.intercept().end()));
    });
}

#if TESSERA_BENCH_HAVE_LIBSVM
void svm_fit(benchmark::State& state) {
    guarded(state, [&] {
        const auto x = load<double>("svm_x");
        const auto y = load<std::int32_t>("svm_y");
        tessera::svm_train_options o;
        o.kernel.type = tessera::svm_kernel::rbf;
        o.kernel.gamma = tessera::svm_gamma_scale(x.v.data(), x.rows(), x.cols());
        o.C = 1.0;
        o.cache_size_mb = 200;
        o.tol = 1e-3;
        tessera::svm_model m;
        for (auto _ : state) {
            m = tessera::train_svm(x.v.data(), x.rows(), x.cols(), y.v.data(), o);
            benchmark::DoNotOptimize(&m);
        }
        state.counters["support_vectors"] = double(m.n_support_vectors());
        const auto q = load<double>("svm_pred_x");
        const std::size_t n = std::min<std::size_t>(20000, q.rows());
        save("out_svm_fit_decision", m.decision_function(q.v.data(), n, q.cols()));
        save("out_svm_fit_nsv", std::vector<double>{double(m.n_support_vectors())});
    });
}
#endif

void logistic_predict_proba(benchmark::State& state) {
    guarded(state, [&] {
        const auto x = load<double>("pred_x");
        const auto c = load<double>("pred_log_coef");
        const auto b = load<double>("pred_log_intercept");
        const auto m = tessera::logistic_regression::from_coefficients({0, 1}, x.cols(), c.v, b.v);
        std::vector<double> out(x.rows() * 2);
        for (auto _ : state) {
            m.predict_proba(x.v.data(), x.rows(), x.cols(), out);
            benchmark::DoNotOptimize(out.data());
        }
        state.counters["rows/s"] = benchmark::Counter(double(x.rows()), benchmark::Counter::kIsIterationInvariantRate);
        save("out_log_proba", out);
    });
}

// The floor of any one-pass query over pred_x: read it once (4 independent SIMD sums).
void read_pred_x(benchmark::State& state) {
    guarded(state, [&] {
        const auto x = load<double>("pred_x");
        using batch = xsimd::batch<double>;
        constexpr std::size_t L = batch::size;
        const std::size_t n = x.v.size() / (4 * L) * (4 * L);
        for (auto _ : state) {
            batch a0(0.0), a1(0.0), a2(0.0), a3(0.0);
            for (std::size_t i = 0; i < n; i += 4 * L) {
                a0 += batch::load_unaligned(x.v.data() + i);
                a1 += batch::load_unaligned(x.v.data() + i + L);
                a2 += batch::load_unaligned(x.v.data() + i + 2 * L);
                a3 += batch::load_unaligned(x.v.data() + i + 3 * L);
            }
            const batch a = a0 + a1 + a2 + a3;
            benchmark::DoNotOptimize(a);
        }
        state.counters["bytes/s"] = benchmark::Counter(double(n * sizeof(double)), benchmark::Counter::kIsIterationInvariantRate);
    });
}

void gbt_decision_function(benchmark::State& state) {
    guarded(state, [&] {
        const auto x = load<double>("pred_x");
        const auto off = load<std::int64_t>("pred_gbt_offsets");
        const auto cl = load<std::int64_t>("pred_gbt_children_left"), cr = load<std::int64_t>("pred_gbt_children_right"),
                   ft = load<std::int64_t>("pred_gbt_feature"), ns = load<std::int64_t>("pred_gbt_n_node_samples");
        const auto th = load<double>("pred_gbt_threshold"), va = load<double>("pred_gbt_value"),
                   im = load<double>("pred_gbt_impurity"), ws = load<double>("pred_gbt_weighted_n_node_samples");
        std::vector<tessera::regression_tree> trees;
        for (std::size_t t = 0; t + 1 < off.v.size(); ++t) {
            const auto b = off.v[t], e = off.v[t + 1];
            tessera::regression_tree r;
            r.children_left.assign(cl.v.begin() + b, cl.v.begin() + e);
            r.children_right.assign(cr.v.begin() + b, cr.v.begin() + e);
            r.feature.assign(ft.v.begin() + b, ft.v.begin() + e);
            r.threshold.assign(th.v.begin() + b, th.v.begin() + e);
            r.value.assign(va.v.begin() + b, va.v.begin() + e);
            r.impurity.assign(im.v.begin() + b, im.v.begin() + e);
            r.n_node_samples.assign(ns.v.begin() + b, ns.v.begin() + e);
            r.weighted_n_node_samples.assign(ws.v.begin() + b, ws.v.begin() + e);
            trees.push_back(std::move(r));
        }
        const auto m = tessera::gradient_boosting_classifier::from_parts({0, 1}, x.cols(), 0.1,
                                                                         load<double>("pred_gbt_init").v, std::move(trees));
        std::vector<double> out;
        for (auto _ : state) {
            out = m.decision_function(tessera::feature_matrix_view{x.v.data(), x.rows(), x.cols()});
            benchmark::DoNotOptimize(out.data());
        }
        state.counters["rows/s"] = benchmark::Counter(double(x.rows()), benchmark::Counter::kIsIterationInvariantRate);
        save("out_gbt_decision", out);
    });
}

void svm_decision_function(benchmark::State& state) {
    guarded(state, [&] {
        const auto x = load<double>("svm_pred_x");
        const auto sv = load<double>("pred_svm_sv");
        tessera::svm_parameters p;
        p.kernel.type = tessera::svm_kernel::rbf;
        p.kernel.gamma = load<double>("pred_svm_gamma").v.at(0);
        p.n_features = sv.cols();
        p.classes = {-1, 1};
        for (const auto n : load<std::int64_t>("pred_svm_n_support").v) p.n_support.push_back(std::size_t(n));
        p.support_vectors = sv.v;
        p.dual_coef = load<double>("pred_svm_dual_coef").v;
        p.intercept = load<double>("pred_svm_intercept").v;
        const tessera::svm_model m(std::move(p));
        std::vector<double> out(x.rows());
        for (auto _ : state) {
            m.decision_function(x.v.data(), x.rows(), x.cols(), std::span<double>(out));
            benchmark::DoNotOptimize(out.data());
        }
        state.counters["rows/s"] = benchmark::Counter(double(x.rows()), benchmark::Counter::kIsIterationInvariantRate);
        state.counters["support_vectors"] = double(m.n_support_vectors());
        save("out_svm_decision", out);
    });
}

}  // namespace

BENCHMARK(knn_fit)->Name("learn/knn_fit")->Unit(benchmark::kMillisecond);
BENCHMARK(knn_predict)->Name("learn/knn_predict")->Unit(benchmark::kMillisecond);
BENCHMARK(logistic_fit)->Name("learn/logistic_fit")->Unit(benchmark::kMillisecond);
#if TESSERA_BENCH_HAVE_LIBSVM
BENCHMARK(svm_fit)->Name("learn/svm_fit")->Unit(benchmark::kMillisecond)->Iterations(1);
#endif
BENCHMARK(logistic_predict_proba)->Name("learn/logistic_predict_proba")->Unit(benchmark::kMillisecond);
BENCHMARK(read_pred_x)->Name("learn/read_pred_x")->Unit(benchmark::kMillisecond);
BENCHMARK(gbt_decision_function)->Name("learn/gbt_decision_function")->Unit(benchmark::kMillisecond);
BENCHMARK(svm_decision_function)->Name("learn/svm_decision_function")->Unit(benchmark::kMillisecond);
