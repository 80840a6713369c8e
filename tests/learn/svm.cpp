// learn/svm.hpp and learn/svm_train.hpp against scikit-learn 1.2.1's SVC
// (tests/reference/learn/make_svm_reference.py): inference from sklearn's fitted parameters,
// training through libsvm, threads, SIMD vs scalar, errors.
#include <tessera/learn/svm.hpp>
#if defined(TESSERA_TEST_HAVE_LIBSVM)
#include <tessera/learn/svm_train.hpp>
#endif

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace tessera;
namespace ts = tessera;  // ts::svm_model: libsvm declares a global ::svm_model too

namespace {

const std::string svm_dir = std::string(TESSERA_TEST_DATA_DIR) + "/learn/svm/";

struct table {
    std::size_t rows = 0, cols = 0;
    std::vector<double> v;
};

std::vector<double> parse_line(const std::string& line) {
    std::vector<double> out;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) out.push_back(std::stod(cell));
    return out;
}

std::map<std::string, table> read_blocks(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in.good());
    std::map<std::string, table> out;
    std::string name;
    std::size_t r, c;
    while (in >> name >> r >> c) {
        table t{r, c, {}};
        std::string line;
        std::getline(in, line);
        for (std::size_t i = 0; i < r; ++i) {
            std::getline(in, line);
            const auto row = parse_line(line);
            REQUIRE(row.size() == c);
            t.v.insert(t.v.end(), row.begin(), row.end());
        }
        out[name] = std::move(t);
    }
    return out;
}

struct dataset {
    std::size_t rows = 0, cols = 0;
    std::vector<double> X;
    std::vector<int> y;
};

dataset read_data(const std::string& path) {
    std::ifstream in(path);
    REQUIRE(in.good());
    dataset d;
    std::string line;
    while (std::getline(in, line)) {
        auto row = parse_line(line);
        d.cols = row.size() - 1;
        d.y.push_back(int(row.back()));
        d.X.insert(d.X.end(), row.begin(), row.end() - 1);
        ++d.rows;
    }
    return d;
}

svm_kernel kernel_of(const std::string& name) {
    if (name.rfind("rbf", 0) == 0) return svm_kernel::rbf;
    if (name == "linear") return svm_kernel::linear;
    if (name == "poly") return svm_kernel::poly;
    return svm_kernel::sigmoid;
}

svm_parameters sklearn_parameters(const std::map<std::string, table>& b, const std::string& kernel) {
    svm_parameters p;
    const auto& par = b.at("params").v;
    p.kernel = {kernel_of(kernel), par[1], par[2], int(par[3])};
    p.n_features = b.at("support_vectors").cols;
    for (double c : b.at("classes").v) p.classes.push_back(int(c));
    for (double n : b.at("n_support").v) p.n_support.push_back(std::size_t(n));
    p.support_vectors = b.at("support_vectors").v;
    p.dual_coef = b.at("dual_coef").v;
    p.intercept = b.at("intercept").v;
    p.prob_a = b.at("probA").v;
    p.prob_b = b.at("probB").v;
    return p;
}

struct ref_case {
    std::string data, kernel;
};
const std::vector<ref_case> cases = {{"binary", "rbf"},  {"binary", "linear"}, {"binary", "poly"},
                                     {"three", "rbf"},   {"three", "linear"},  {"three", "poly"},
                                     {"three", "rbf_balanced"}, {"four", "rbf"}, {"four", "sigmoid"}};

// The scale of a decision value: Σ|α K| + |b| (the terms that are summed), for relative errors.
double scale_of(const ts::svm_model& m, const double* x) {
    std::vector<double> k(m.kernel_scratch_size()), f(m.n_pairs());
    const auto& p = m.parameters();
    svm_parameters q = p;
    for (auto& a : q.dual_coef) a = std::fabs(a);
    for (auto& b : q.intercept) b = std::fabs(b);
    ts::svm_model abs_model(q);
    (void)f;
    const auto d = abs_model.template decision_function<void>(x, 1, p.n_features);
    double s = 0;
    for (double v : d) s = std::max(s, std::fabs(v));
    return std::max(s, 1.0);
}

}  // namespace

TEST_CASE("svm inference equals sklearn's SVC from its fitted parameters", "[learn][svm]") {
    for (const auto& c : cases) {
        INFO(c.data << " " << c.kernel);
        const auto b = read_blocks(svm_dir + c.data + "_" + c.kernel + ".txt");
        const auto test = read_data(svm_dir + c.data + "_test.csv");
        const ts::svm_model m(sklearn_parameters(b, c.kernel));
        const std::size_t n = test.rows, k = m.n_classes();

        const auto dec = m.decision_function(test.X.data(), n, test.cols);
        const auto& ref = b.at("decision");
        REQUIRE(ref.rows == n);
        REQUIRE(ref.cols == m.n_decision());
        double worst = 0;
        for (std::size_t i = 0; i < n; ++i) {
            // relative to |Σ α K| + |b|: sklearn sums with BLAS ddot and libm exp/tanh (see svm.hpp)
            const double s = scale_of(m, test.X.data() + i * test.cols);
            for (std::size_t j = 0; j < ref.cols; ++j)
                worst = std::max(worst, std::fabs(dec[i * ref.cols + j] - ref.v[i * ref.cols + j]) / s);
        }
        CHECK(worst <= 1e-12);

        if (k > 2) {
            std::vector<double> ovr(n * k);
            m.decision_function_ovr(test.X.data(), n, test.cols, std::span<double>(ovr));
            const auto& r = b.at("decision_ovr");
            double w = 0;
            for (std::size_t i = 0; i < n * k; ++i) w = std::max(w, std::fabs(ovr[i] - r.v[i]));
            CHECK(w <= 1e-12);
        }

        const auto pred = m.predict(test.X.data(), n, test.cols);
        const auto& rp = b.at("predict").v;
        std::size_t same = 0;
        for (std::size_t i = 0; i < n; ++i) same += pred[i] == int(rp[i]);
        CHECK(same == n);

        const auto proba = m.predict_proba(test.X.data(), n, test.cols);
        const auto& rpr = b.at("proba").v;
        double wp = 0;
        for (std::size_t i = 0; i < n * k; ++i) wp = std::max(wp, std::fabs(proba[i] - rpr[i]));
        CHECK(wp <= 1e-9);
    }
}

TEST_CASE("svm inference: threads, SIMD vs scalar", "[learn][svm]") {
    for (const auto& c : cases) {
        INFO(c.data << " " << c.kernel);
        const auto b = read_blocks(svm_dir + c.data + "_" + c.kernel + ".txt");
        // many rows: several chunks per thread
        auto test = read_data(svm_dir + c.data + "_test.csv");
        const std::size_t reps = 5;
        std::vector<double> X;
        for (std::size_t r = 0; r < reps; ++r)
            for (double v : test.X) X.push_back(v * (1.0 + 0.1 * double(r)));
        const std::size_t n = test.rows * reps;
        const ts::svm_model m(sklearn_parameters(b, c.kernel));
        const auto d1 = m.decision_function(X.data(), n, test.cols, openmp_policy{1});
        const auto d2 = m.decision_function(X.data(), n, test.cols, openmp_policy{2});
        CHECK(d1 == d2);
        const auto p1 = m.predict_proba(X.data(), n, test.cols, openmp_policy{1});
        const auto p2 = m.predict_proba(X.data(), n, test.cols, openmp_policy{2});
        CHECK(p1 == p2);
        CHECK(m.predict(X.data(), n, test.cols, openmp_policy{1}) == m.predict(X.data(), n, test.cols, openmp_policy{2}));
        CHECK(m.decision_function(X.data(), n, test.cols) == d1);  // serial = openmp (same instantiation path)

        const auto ds = m.template decision_function<void>(X.data(), n, test.cols);
        double w = 0;
        for (std::size_t i = 0; i < ds.size(); ++i)
            w = std::max(w, std::fabs(ds[i] - d1[i]) / scale_of(m, X.data() + (i / m.n_decision()) * test.cols));
        CHECK(w <= 1e-13);
        const auto ps = m.template predict_proba<void>(X.data(), n, test.cols);
        double wp = 0;
        for (std::size_t i = 0; i < ps.size(); ++i) wp = std::max(wp, std::fabs(ps[i] - p1[i]));
        CHECK(wp <= 1e-12);
    }
}

TEST_CASE("svm inference: errors", "[learn][svm]") {
    const auto b = read_blocks(svm_dir + "three_rbf.txt");
    const auto base = sklearn_parameters(b, "rbf");
    const ts::svm_model m(base);
    std::vector<double> x(2 * 3, 0.5);
    CHECK_THROWS_WITH(m.predict(x.data(), 3, 2), Catch::Contains("2 columns") && Catch::Contains("3 features"));
    x[4] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(m.decision_function(x.data(), 2, 3), Catch::Contains("X[1][1]") && Catch::Contains("not finite"));
    auto p = base;
    p.kernel.gamma = 0;
    CHECK_THROWS_WITH(ts::svm_model(p), Catch::Contains("gamma = 0"));
    p = base;
    p.classes = {1};
    CHECK_THROWS_WITH(ts::svm_model(p), Catch::Contains("at least 2 classes"));
    p = base;
    std::swap(p.classes[0], p.classes[1]);
    CHECK_THROWS_WITH(ts::svm_model(p), Catch::Contains("ascending"));
    p = base;
    p.dual_coef.pop_back();
    CHECK_THROWS_WITH(ts::svm_model(p), Catch::Contains("dual_coef"));
    p = base;
    p.prob_a.clear();
    p.prob_b.clear();
    const ts::svm_model no_prob(p);
    std::vector<double> ok(3, 0.1);
    CHECK_THROWS_WITH(no_prob.predict_proba(ok.data(), 1, 3), Catch::Contains("probability"));
    CHECK(no_prob.predict(ok.data(), 1, 3).size() == 1);
}

#if defined(TESSERA_TEST_HAVE_LIBSVM)
TEST_CASE("svm training through libsvm equals sklearn's SVC", "[learn][svm][libsvm]") {
    std::size_t total = 0, same = 0;
    for (const auto& c : cases) {
        INFO(c.data << " " << c.kernel);
        const auto b = read_blocks(svm_dir + c.data + "_" + c.kernel + ".txt");
        const auto train = read_data(svm_dir + c.data + "_train.csv");
        const auto test = read_data(svm_dir + c.data + "_test.csv");
        const auto& par = b.at("params").v;
        svm_train_options opt;
        opt.kernel = {kernel_of(c.kernel), par[1], par[2], int(par[3])};
        opt.C = par[0];
        opt.tol = par[4];
        opt.balanced = par[5] != 0;
        const ts::svm_model m = train_svm(train.X.data(), train.rows, train.cols, train.y.data(), opt);
        CHECK(m.parameters().n_support == sklearn_parameters(b, c.kernel).n_support);
        const auto dec = m.decision_function(test.X.data(), test.rows, test.cols);
        const auto& ref = b.at("decision").v;
        REQUIRE(dec.size() == ref.size());
        double w = 0;
        for (std::size_t i = 0; i < dec.size(); ++i) w = std::max(w, std::fabs(dec[i] - ref[i]));
        CHECK(w <= 1e-4);
        const auto pred = m.predict(test.X.data(), test.rows, test.cols);
        const auto& rp = b.at("predict").v;
        for (std::size_t i = 0; i < test.rows; ++i) same += pred[i] == int(rp[i]);
        total += test.rows;
    }
    CHECK(double(same) >= 0.999 * double(total));

    SECTION("probability = true gives probabilities that sum to 1") {
        const auto train = read_data(svm_dir + "three_train.csv");
        svm_train_options opt;
        opt.kernel = {svm_kernel::rbf, 0.5, 0, 3};
        opt.probability = true;
        const ts::svm_model m = train_svm(train.X.data(), train.rows, train.cols, train.y.data(), opt);
        REQUIRE(m.has_probability());
        const auto p = m.predict_proba(train.X.data(), train.rows, train.cols);
        for (std::size_t i = 0; i < train.rows; ++i)
            CHECK(p[3 * i] + p[3 * i + 1] + p[3 * i + 2] == Approx(1.0).margin(1e-6));
    }
}

TEST_CASE("svm training: permuting the training rows changes the model only within the solver's tolerance",
          "[learn][svm][libsvm]") {
    // libsvm's SMO visits the rows in another order, so it stops at another point of the
    // tolerance region: trained to tol 1e-8, decision values must agree to 1e-5 (three orders of
    // magnitude above the stopping rule's scale; the same data trained twice agree exactly).
    for (const char* data : {"three", "binary"}) {
        INFO(data);
        const auto train = read_data(svm_dir + std::string(data) + "_train.csv");
        const auto test = read_data(svm_dir + std::string(data) + "_test.csv");
        svm_train_options opt;
        opt.kernel = {svm_kernel::rbf, 0.5, 0, 3};
        opt.tol = 1e-8;
        std::vector<std::size_t> order(train.rows);
        std::iota(order.begin(), order.end(), std::size_t(0));
        std::mt19937_64 rng(11);
        std::shuffle(order.begin(), order.end(), rng);
        std::vector<double> X(train.X.size());
        std::vector<int> y(train.rows);
        for (std::size_t i = 0; i < train.rows; ++i) {
            std::copy_n(train.X.begin() + std::ptrdiff_t(order[i] * train.cols), train.cols, X.begin() + std::ptrdiff_t(i * train.cols));
            y[i] = train.y[order[i]];
        }
        const ts::svm_model a = train_svm(train.X.data(), train.rows, train.cols, train.y.data(), opt);
        const ts::svm_model again = train_svm(train.X.data(), train.rows, train.cols, train.y.data(), opt);
        const ts::svm_model b = train_svm(X.data(), train.rows, train.cols, y.data(), opt);
        const auto da = a.decision_function(test.X.data(), test.rows, test.cols);
        const auto d2 = again.decision_function(test.X.data(), test.rows, test.cols);
        const auto db = b.decision_function(test.X.data(), test.rows, test.cols);
        CHECK(da == d2);
        double w = 0;
        for (std::size_t i = 0; i < da.size(); ++i) w = std::max(w, std::fabs(da[i] - db[i]));
        CHECK(w <= 1e-5);
        CHECK(a.predict(test.X.data(), test.rows, test.cols) == b.predict(test.X.data(), test.rows, test.cols));
    }
}

TEST_CASE("svm training: errors", "[learn][svm][libsvm]") {
    const auto train = read_data(svm_dir + "three_train.csv");
    svm_train_options opt;
    opt.kernel = {svm_kernel::rbf, 0.5, 0, 3};
    auto bad = opt;
    bad.kernel.gamma = -1;
    CHECK_THROWS_WITH(train_svm(train.X.data(), train.rows, train.cols, train.y.data(), bad), Catch::Contains("gamma = -1"));
    bad = opt;
    bad.C = 0;
    CHECK_THROWS_WITH(train_svm(train.X.data(), train.rows, train.cols, train.y.data(), bad), Catch::Contains("C = 0"));
    std::vector<int> one(train.rows, 4);
    CHECK_THROWS_WITH(train_svm(train.X.data(), train.rows, train.cols, one.data(), opt), Catch::Contains("single class"));
    auto X = train.X;
    X[7] = std::numeric_limits<double>::infinity();
    CHECK_THROWS_WITH(train_svm(X.data(), train.rows, train.cols, train.y.data(), opt), Catch::Contains("X[2][1]"));
}
#endif
