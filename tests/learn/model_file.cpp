// tests for include/tessera/learn/model_file.hpp: every model kind survives JSON bit for bit
// (predictions of the loaded model equal the original's), and bad files are named errors.
#include <tessera/learn/model_file.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <random>
#include <string>

using namespace tessera;

namespace {
struct data {
    std::vector<double> x;
    std::vector<std::int64_t> y;
    std::size_t rows = 0, cols = 3;
};
data make_data(std::size_t rows, unsigned seed) {
    data d;
    d.rows = rows;
    std::mt19937 rng(seed);
    std::normal_distribution<double> g(0, 1);
    for (std::size_t i = 0; i < rows; ++i) {
        const int c = int(i % 3);
        for (std::size_t j = 0; j < d.cols; ++j) d.x.push_back(g(rng) + (j == std::size_t(c) ? 2.0 : 0.0));
        d.y.push_back(c + 1);
    }
    return d;
}
learned_model base(const char* kind) {
    learned_model lm;
    lm.kind = kind;
    lm.features = {"a", "b", "c"};
    lm.label = "cls";
    lm.scaling = "standard";
    lm.shift = {0.1, -0.2, 0.3};
    lm.factor = {1.5, 0.7, 2.0};
    return lm;
}
void require_same(const model_prediction& a, const model_prediction& b) {
    REQUIRE(a.label == b.label);
    REQUIRE(a.proba == b.proba);  // bit for bit: the JSON numbers round-trip
    REQUIRE(a.decision == b.decision);
    REQUIRE(a.label_mean == b.label_mean);
    REQUIRE(a.classes == b.classes);
}
}  // namespace

TEST_CASE("model_file: every model kind predicts bit-identically after a JSON round trip", "[learn][model_file]") {
    const auto train = make_data(150, 1), test = make_data(60, 2);
    std::vector<int> yi(train.y.begin(), train.y.end());
    std::vector<double> xs = train.x;
    for (const char* kind : {"knn", "logistic", "svm", "easyensemble", "gbt", "gbt2"}) {
        INFO(kind);
        auto lm = base(std::string(kind).starts_with("gbt") ? "gbt" : kind);
        std::vector<double> x = train.x;
        lm.scale(x);
        if (std::string(kind) == "knn") {
            lm.knn.k = 7;
            lm.knn_x = x;
            lm.knn_y = train.y;
        } else if (std::string(kind) == "logistic") {
            lm.logistic.emplace(logistic_options{});
            lm.logistic->fit(x.data(), train.rows, train.cols, yi);
        } else if (std::string(kind) == "svm") {
            svm_parameters p;  // a hand-made 3-class model (no training library in this test)
            p.kernel = {svm_kernel::rbf, 0.5, 0.0, 3};
            p.n_features = 3;
            p.classes = {1, 2, 3};
            p.n_support = {1, 1, 1};
            p.support_vectors = {1, 0, 0, 0, 1, 0, 0, 0, 1};
            p.dual_coef = {0.7, -0.4, -0.3, 0.2, 0.5, -0.6};
            p.intercept = {0.1, -0.05, 0.2};
            p.prob_a = {-1.1, -0.9, -1.3};
            p.prob_b = {0.05, -0.02, 0.1};
            lm.svm.emplace(p);
        } else if (std::string(kind).starts_with("gbt")) {  // 3 classes, and 2 (decision column)
            std::vector<int> y2 = yi;
            if (std::string(kind) == "gbt2")
                for (int& v : y2) v = v == 1 ? 1 : 2;
            gradient_boosting_options o;
            o.n_estimators = 15;
            o.subsample = 0.8;
            lm.gbt = fit_gradient_boosting(feature_matrix_view{x.data(), train.rows, train.cols}, y2, o);
        } else {
            lm.ensemble.emplace(logistic_regression{}, 4, 11);
            lm.ensemble->fit(x.data(), train.rows, train.cols, yi);
        }
        lm.prepare();
        const auto text = model_to_json(lm);
        const auto back = model_from_json(text, "m.json");
        require_same(lm.predict(test.x, test.rows), back.predict(test.x, test.rows));
        CHECK(model_to_json(back) == text);
        CHECK(back.features == lm.features);
        if (lm.gbt) CHECK(back.gbt->feature_importances() == lm.gbt->feature_importances());
    }
}

TEST_CASE("model_file: bad files are errors naming the file", "[learn][model_file][errors]") {
    CHECK_THROWS_WITH(model_from_json("{", "m.json"), Catch::StartsWith("m.json: not a valid tessera model file"));
    CHECK_THROWS_WITH(model_from_json("{\"format\": \"x\"}", "m.json"), Catch::Contains("m.json: not a tessera model file"));
    CHECK_THROWS_WITH(model_from_json("{\"format\": \"tessera-model\", \"version\": 2}", "m.json"),
                      Catch::Contains("version 2"));
    auto lm = base("logistic");
    lm.logistic = logistic_regression::from_coefficients({0, 1}, 3, {1, 2, 3}, {0.5});
    auto text = model_to_json(lm);
    text.replace(text.find("\"logistic\""), 10, "\"nonsense\"");
    CHECK_THROWS_WITH(model_from_json(text, "m.json"), Catch::Contains("m.json"));
    auto bad = base("logistic");
    bad.shift.pop_back();
    bad.logistic = lm.logistic;
    CHECK_THROWS_WITH(model_from_json(model_to_json(bad), "m.json"), Catch::Contains("the scaler has 2 values for 3 features"));
}

// Found by tests/fuzz/fuzz_model_json.cpp (docs/reliability.md): integer fields were read with
// nlohmann's get<T>(), which casts — a float beyond T's range is undefined behaviour and an
// integer beyond it wraps silently. Each must be an error naming the field.
TEST_CASE("model_file: integer fields out of range or not integral are errors (fuzz regression)",
          "[learn][model_file][errors][fuzz]") {
    const std::string knn_head =
        R"({"format": "tessera-model", "version": 1, "features": ["a", "b"], "label": "T", "scaler": {"kind": "none"},)"
        R"( "model": "knn", "knn": {"weights": "uniform", "metric": "euclidean", "x": [[0, 0], [1, 1]], "y": [1, 2], "k": )";
    const auto knn = [&](const std::string& k) { return model_from_json(knn_head + k + "}}", "m.json"); };
    // the fuzzer's input: 2^64 parses as a double, and (size_t)1.8e19 is undefined behaviour
    CHECK_THROWS_WITH(knn("18446744073709551616"), Catch::Contains("m.json: knn k: ") && Catch::Contains("is not an integer in 0.."));
    CHECK_THROWS_WITH(knn("-1"), Catch::Contains("knn k: -1 is not an integer"));  // used to wrap to 2^64 - 1
    CHECK_THROWS_WITH(knn("1.5"), Catch::Contains("knn k: 1.5 is not an integer"));
    CHECK_THROWS_WITH(knn("\"2\""), Catch::Contains("knn k: expected an integer, found string"));
    CHECK(knn("2.0").knn.k == 2);  // an integral float is still accepted (as nlohmann did)
    CHECK(knn("1").knn.k == 1);
    // a k beyond the training rows fails in prepare(), which used to run outside the part that
    // names the file (seen on the fuzz corpus)
    CHECK_THROWS_WITH(knn("5"), Catch::StartsWith("m.json: ") && Catch::Contains("k = 5 exceeds the number of training rows (2)"));

    auto lm = base("logistic");
    lm.logistic = logistic_regression::from_coefficients({0, 1}, 3, {1, 2, 3}, {0.5});
    const std::string text = model_to_json(lm);
    auto with_classes = [&](const std::string& classes) {
        std::string t = text;
        const auto b = t.find('[', t.find("\"classes\""));
        t.replace(b, t.find(']', b) - b + 1, classes);
        return t;
    };
    CHECK(model_from_json(with_classes("[0, 1]"), "m.json").logistic->classes()[1] == 1);
    // 2^32 + 1 used to wrap to 1 (a silent misparse: two classes "0" and "1")
    CHECK_THROWS_WITH(model_from_json(with_classes("[0, 4294967297]"), "m.json"),
                      Catch::Contains("m.json: logistic classes: 4294967297 is not an integer"));
    CHECK_THROWS_WITH(model_from_json(R"({"format": "tessera-model", "version": 1e300})", "m.json"),
                      Catch::Contains("m.json: version: ") && Catch::Contains("is not an integer"));
}

// Found by tests/fuzz/fuzz_model_json.cpp under UBSan: an rbf support vector at 1e308 makes the
// squared distance +inf and xsimd::exp(-inf) converted -inf/ln2 to an integer (undefined
// behaviour) in its range reduction. The kernel argument is now clamped to ±746, where exp is
// already 0 or inf: the prediction equals that of a support vector merely far away (K = 0 too).
// (Without a sanitizer the old code gave the same numbers; the UBSan build of this test is what
// fails on the old code.)
TEST_CASE("model_file: an rbf support vector at 1e308 predicts as a far one (fuzz regression)",
          "[learn][model_file][svm][fuzz]") {
    const auto model = [](const char* far) {
        return model_from_json(std::string(R"({"format": "tessera-model", "version": 1, "features": ["f0", "f1"],)"
                                           R"( "scaler": {"kind": "none"}, "model": "svm", "svm": {"kernel": "rbf",)"
                                           R"( "gamma": 0.5, "coef0": 0, "degree": 3, "classes": [0, 1], "n_support": [1, 1],)"
                                           R"( "support_vectors": [[0, )") +
                                   far + R"(], [1, 1]], "dual_coef": [[-2, 1]], "intercept": [0.2]}})",
                               "m.json");
    };
    const std::vector<double> x{0, 0, -1.5, -0.5, 1e200, 0};
    const auto huge = model("1e308").predict(x, 3), far = model("100").predict(x, 3);
    CHECK(huge.decision == far.decision);  // exp(-0.5·1e4) and exp(-inf) are both exactly 0
    CHECK(huge.label == far.label);
}

TEST_CASE("model_file: kNN neighbours at overflowing distances are the lowest-index rows (fuzz regression)",
          "[learn][model_file][knn][fuzz]") {
    // fuzz_model_json: a scaler mean of 1e308 puts the scaled query at -1e308, so every squared
    // distance overflows to +inf; the heap (which rejects a value equal to its +inf root) stayed
    // empty and its index -1 was read (UBSan: pointer overflow in knn_classifier::run).
    const auto model = [](const char* mean) {
        return model_from_json(std::string(R"({"format": "tessera-model", "version": 1, "features": ["f0", "f1"],)"
                                           R"( "scaler": {"kind": "standard", "mean": [0.5, )") +
                                   mean +
                                   R"(], "scale": [2, 1]}, "model": "knn", "knn": {"k": 2, "weights": "uniform",)"
                                   R"( "metric": "euclidean", "x": [[1, 0], [1, 0], [0, 1], [1, 1]], "y": [0, 2, 1, 0]}})",
                               "m.json");
    };
    const std::vector<double> x{0, 0, -1.5, -0.5};
    const auto p = model("1e308").predict(x, 2);
    // the two lowest-index rows (classes 0 and 2) at +inf, uniform weights: a tie, the first class
    CHECK(p.label == std::vector<std::int64_t>{0, 0});
    REQUIRE(p.proba.size() == 2 * p.classes.size());
    CHECK(p.proba[0] == 0.5);  // class 0
    CHECK(p.proba[2] == 0.5);  // class 2
    // knn_index directly: an overflowing query gets rows 0 and 1, sorted, at +inf
    const std::vector<double> train{1, 0, 1, 0, 0, 1, 1, 1};
    for (const auto algorithm : {knn_algorithm::kd_tree, knn_algorithm::brute}) {
        const knn_index index(feature_matrix_view{train.data(), 4, 2}, knn_metric::euclidean, algorithm);
        const std::vector<double> q{-1e200, 3e200};
        std::vector<std::int64_t> idx(3);
        std::vector<double> dist(3);
        index.kneighbors(feature_matrix_view{q.data(), 1, 2}, 3, idx, dist);
        CHECK(idx == std::vector<std::int64_t>{0, 1, 2});
        CHECK(std::isinf(dist[0]));
        CHECK(std::isinf(dist[2]));
    }
}

// Malformed-input catalogue (issue 22, tests/reference/bad/): a directory is named as such (it
// read as an empty document), and a logistic shape error names the file and the field.
TEST_CASE("model_file: a directory, and a coefficient row of the wrong length", "[learn][model_file][errors]") {
    const auto dir = std::filesystem::temp_directory_path() / "tessera_model_file_test_dir.json";
    std::filesystem::create_directories(dir);
    CHECK_THROWS_WITH(load_model(dir), Catch::Contains("tessera_model_file_test_dir.json: is a directory, not a model file"));
    std::filesystem::remove(dir);
    const std::string text = R"({"format": "tessera-model", "version": 1, "model": "logistic", "features": ["a", "b"],
        "scaler": {"kind": "none"}, "logistic": {"classes": [0, 1], "coef": [[1, 2, 3]], "intercept": [0.5]}})";
    CHECK_THROWS_WITH(model_from_json(text, "m.json"), Catch::StartsWith("m.json: logistic coef: a row of 3 values for 2 columns"));
}
