// learn/model_stage.hpp (+ learn/row_model.hpp, knn_index::search_row): a trained model as a
// per-particle stage of the fused pipeline and of the planner. The reference is tessera's own
// two-step path — descriptors by a separate pipeline run, a feature matrix, then
// learned_model::predict (the batch path, itself tested against scikit-learn in
// tests/learn/{knn,logistic,svm,ensemble,gradient_boosting}.cpp) — on the real LAMMPS Cu–Zr
// glass frame tests/reference/cuzr_glass.dump. On sorted rows the contract is bit for bit (==).
#include "../support/reference_frames.hpp"

#include <tessera/descriptors/coordination.hpp>
#include <tessera/descriptors/csp.hpp>
#include <tessera/descriptors/steinhardt.hpp>
#include <tessera/learn/model_stage.hpp>
#include <tessera/pipeline/pipeline.hpp>
#include <tessera/pipeline/planner.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <random>
#include <string>
#include <vector>

using namespace tessera;

namespace {

struct test_frame {
    std::vector<std::array<double, 3>> positions;
    std::vector<int> types;
    orthogonal_box<double> box;  // the glass is in an orthogonal periodic box
};

const test_frame& glass() {
    static const test_frame f = [] {
        const auto frames = tessera_test::read_reference_frames("cuzr_glass.dump");
        std::vector<std::array<double, 3>> x;
        frames.back().positions(x);
        return test_frame{x, frames.back().types(), std::get<orthogonal_box<double>>(frames.back().box)};
    }();
    return f;
}

/// Row-major table of the named columns of a result (the "feature matrix" step).
template <class R>
std::vector<double> table(const R& out, const std::vector<std::string>& names) {
    std::vector<double> x(out.size() * names.size());
    for (std::size_t f = 0; f < names.size(); ++f) {
        const auto c = out.column(names[f]);
        for (std::size_t i = 0; i < out.size(); ++i) x[i * names.size() + f] = c[i];
    }
    return x;
}

/// The batch prediction as the stage's columns (learned_row_model's order).
std::vector<std::vector<double>> batch_columns(const learned_model& lm, const std::vector<double>& x, std::size_t n) {
    const model_prediction p = lm.predict(x, n);
    std::vector<std::vector<double>> cols;
    cols.emplace_back(p.label.begin(), p.label.end());
    if (!p.decision.empty()) cols.push_back(p.decision);
    for (std::size_t c = 0; c < p.classes.size() && !p.proba.empty(); ++c) {
        std::vector<double> v(n);
        for (std::size_t i = 0; i < n; ++i) v[i] = p.proba[i * p.classes.size() + c];
        cols.push_back(v);
    }
    if (!p.label_mean.empty()) cols.push_back(p.label_mean);
    return cols;
}

/// A model of `kind` fitted on x (rows × names, raw) with labels y, standard-scaled.
learned_model fit_model(const std::string& kind, std::vector<std::string> names, const std::vector<double>& raw,
                        const std::vector<std::int64_t>& y) {
    learned_model lm;
    lm.kind = kind;
    lm.features = std::move(names);
    lm.label = "type";
    const std::size_t m = lm.features.size(), n = y.size();
    lm.scaling = "standard";
    lm.shift.assign(m, 0.0);
    lm.factor.assign(m, 0.0);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) lm.shift[j] += raw[i * m + j] / double(n);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < m; ++j) lm.factor[j] += std::pow(raw[i * m + j] - lm.shift[j], 2) / double(n);
    for (double& s : lm.factor) s = s > 0 ? std::sqrt(s) : 1.0;
    std::vector<double> x = raw;
    lm.scale(x);
    const std::vector<int> yi(y.begin(), y.end());
    if (kind == "knn") {
        lm.knn.k = 7;
        lm.knn_x = x;
        lm.knn_y = y;
    } else if (kind == "logistic") {
        lm.logistic.emplace(logistic_options{});
        lm.logistic->fit(x.data(), n, m, yi);
    } else if (kind == "easyensemble") {
        lm.ensemble.emplace(logistic_regression{}, 3, 5);
        lm.ensemble->fit(x.data(), n, m, yi);
    } else if (kind == "gbt") {
        gradient_boosting_options o;
        o.n_estimators = 10;
        lm.gbt = fit_gradient_boosting(feature_matrix_view{x.data(), n, m}, yi, o);
    }
    lm.prepare();
    return lm;
}

/// Every output column of a stage result equals the batch prediction, bit for bit.
template <class Get>
void require_equal_columns(const std::vector<std::vector<double>>& want, std::size_t first, Get&& got) {
    for (std::size_t c = 0; c < want.size(); ++c) {
        INFO("output column " << c);
        const std::span<const double> g = got(first + c);
        REQUIRE(g.size() == want[c].size());
        std::size_t differ = 0;
        for (std::size_t i = 0; i < g.size(); ++i) differ += g[i] == want[c][i] ? 0 : 1;
        REQUIRE(differ == 0);
    }
}

}  // namespace

TEST_CASE("learned_row_model: one row at a time equals learned_model::predict bit for bit", "[learn][model_stage]") {
    std::mt19937 rng(7);
    std::normal_distribution<double> g(0, 1);
    const std::size_t n = 240, m = 3;
    std::vector<double> x;
    std::vector<std::int64_t> y3, y2;
    for (std::size_t i = 0; i < n; ++i) {
        const int c = int(i % 3);
        for (std::size_t j = 0; j < m; ++j) x.push_back(g(rng) + (j == std::size_t(c) ? 1.5 : 0.0));
        y3.push_back(c + 1);
        y2.push_back(c == 0 ? 1 : 2);
    }
    auto svm_model_of = [](bool three) {  // hand-made, as tests/learn/model_file.cpp
        learned_model lm;
        lm.kind = "svm";
        lm.features = {"a", "b", "c"};
        svm_parameters p;
        p.kernel = {svm_kernel::rbf, 0.5, 0.0, 3};
        p.n_features = 3;
        if (three) {
            p.classes = {1, 2, 3};
            p.n_support = {1, 1, 1};
            p.support_vectors = {1, 0, 0, 0, 1, 0, 0, 0, 1};
            p.dual_coef = {0.7, -0.4, -0.3, 0.2, 0.5, -0.6};
            p.intercept = {0.1, -0.05, 0.2};
            p.prob_a = {-1.1, -0.9, -1.3};
            p.prob_b = {0.05, -0.02, 0.1};
        } else {
            p.classes = {1, 2};
            p.n_support = {1, 1};
            p.support_vectors = {1, 0, 0, 0, 1, 1};
            p.dual_coef = {0.8, -0.8};
            p.intercept = {0.05};
        }
        lm.svm.emplace(p);
        return lm;
    };
    std::vector<std::pair<std::string, learned_model>> models;
    for (const char* kind : {"knn", "logistic", "easyensemble", "gbt"}) {
        models.emplace_back(std::string(kind) + "3", fit_model(kind, {"a", "b", "c"}, x, y3));
        models.emplace_back(std::string(kind) + "2", fit_model(kind, {"a", "b", "c"}, x, y2));
    }
    models.emplace_back("svm3", svm_model_of(true));
    models.emplace_back("svm2", svm_model_of(false));
    for (const auto& [name, lm] : models) {
        INFO(name);
        const learned_row_model rm{lm};
        const auto want = batch_columns(lm, x, n);
        REQUIRE(rm.outputs().size() == want.size());
        std::vector<double> got(n * want.size());
        learned_row_model::scratch s;
        std::vector<double> row(want.size());
        for (std::size_t i = 0; i < n; ++i) {
            rm.predict_row(x.data() + i * m, row.data(), s);
            for (std::size_t c = 0; c < want.size(); ++c) got[c * n + i] = row[c];
        }
        require_equal_columns(want, 0, [&](std::size_t c) { return std::span<const double>(got).subspan(c * n, n); });
        // names: prediction, decision (two classes, not knn/easyensemble), proba_<c>, label_mean (knn)
        CHECK(rm.outputs().front() == "prediction");
        if (name.starts_with("knn")) CHECK(rm.outputs().back() == "label_mean");
        // a non-finite feature gives NaN in every column (the batch path would throw)
        const double bad[3] = {0.0, std::nan(""), 1.0};
        rm.predict_row(bad, row.data(), s);
        for (double v : row) CHECK(std::isnan(v));
    }
}

TEST_CASE("knn_index::search_row equals kneighbors row by row", "[learn][model_stage][knn]") {
    std::mt19937 rng(3);
    std::uniform_int_distribution<int> u(0, 4);  // small integers: many ties, the brute fallback runs
    std::vector<double> train(400 * 2), query(50 * 2);
    for (double& v : train) v = u(rng);
    for (double& v : query) v = u(rng) + 0.5 * (u(rng) % 2);
    for (auto alg : {knn_algorithm::kd_tree, knn_algorithm::brute})
        for (auto metric : {knn_metric::euclidean, knn_metric::manhattan}) {
            const knn_index index(feature_matrix_view{train.data(), 400, 2}, metric, alg);
            const std::size_t k = 9;
            std::vector<std::int64_t> idx(50 * k), one(k);
            std::vector<double> dist(50 * k), d1(k);
            index.kneighbors(feature_matrix_view{query.data(), 50, 2}, k, idx, dist);
            std::vector<std::pair<std::size_t, double>> stack(index.row_stack_size());
            std::vector<double> scratch(index.row_scratch_size());
            for (std::size_t q = 0; q < 50; ++q) {
                index.search_row(query.data() + 2 * q, k, one.data(), d1.data(), stack.data(), scratch.data());
                for (std::size_t a = 0; a < k; ++a) {
                    REQUIRE(one[a] == idx[q * k + a]);
                    REQUIRE(d1[a] == dist[q * k + a]);
                }
            }
        }
}

TEST_CASE("model_stage: a model in the fused pipeline equals descriptors, then the batch model", "[learn][model_stage]") {
    const test_frame& f = glass();
    const particle_properties props{.types = f.types};
    // k nearest (csp of the 12 nearest) and balls (coordination per type within 3.5, q4/q6 of
    // every bond within 3.2 — it uses the row as given, so a wrong prefix would show): mixed
    // requests, served by one nearest_or_ball row, each descriptor reading its prefix.
    const csp c12{12};
    const coordination z{.cutoff = 3.5, .per_type = true};
    const steinhardt q{.degrees = {4, 6}, .nnn = 0, .cutoff = 3.2};
    const nearest_or_ball stage{12, 3.5};
    // The two-step reference: each descriptor on the stage its request names (a sorted ball of
    // 3.2 is the 3.2-prefix of the sorted rows, as tests/pipeline/planner.cpp checks).
    const auto ref = pipeline(stage, c12, z).run(f.positions, f.box, props);
    const auto ref_q = pipeline(sorted_ball{3.2}, q).run(f.positions, f.box, props);
    const std::size_t n = ref.size();
    REQUIRE(n == 2000);
    const std::vector<std::string> names{"csp", "coord_1", "coord_2", "q4", "q6"};
    std::vector<double> x = table(ref, {"csp", "coord_1", "coord_2"});
    {
        const std::vector<double> xq = table(ref_q, {"q4", "q6"});
        std::vector<double> all;
        for (std::size_t i = 0; i < n; ++i) {
            all.insert(all.end(), x.begin() + std::ptrdiff_t(3 * i), x.begin() + std::ptrdiff_t(3 * i + 3));
            all.insert(all.end(), xq.begin() + std::ptrdiff_t(2 * i), xq.begin() + std::ptrdiff_t(2 * i + 2));
        }
        x = std::move(all);
    }
    const std::vector<std::int64_t> labels(f.types.begin(), f.types.end());  // learn the species

    for (const char* kind : {"logistic", "knn", "gbt"}) {
        INFO(kind);
        const learned_model lm = fit_model(kind, names, x, labels);
        const auto want = batch_columns(lm, x, n);
        // features listed in another order than the stage's columns: picked by name
        model_stage ms{lm, q, c12, z};
        ms.with_features = true;
        CHECK(ms.request() == neighbor_request::nearest_k_or_within(12, 3.5));
        for (int threads : {1, 2}) {
            INFO(threads << " threads");
            const auto pipe = pipeline(stage, ms);
            const auto out = pipe.run(f.positions, f.box, props, openmp_policy{threads});
            const auto& cols = out.names_of<0>();
            // the inner descriptors' columns first, equal to the separate run's
            REQUIRE(cols.size() == 2 + 3 + 1 + want.size());  // q4 q6, coord coord_1 coord_2, csp
            for (std::size_t j = 0; j < names.size(); ++j) {
                const auto a = out.column(names[j]);
                for (std::size_t i = 0; i < n; ++i) REQUIRE(a[i] == x[i * names.size() + j]);
            }
            require_equal_columns(want, 6, [&](std::size_t c) { return out.get<0>(c); });
            CHECK(cols[6] == "prediction");
        }
        // the planner: the same stage with its descriptors chosen at run time
        dynamic_model_stage<double> dyn{lm, {c12, z, q}};
        dyn.prefix = "m_";
        planner<double> plan;
        plan.add(dyn);
        CHECK(plan.plan().describe() == "nearest_or_ball{k = 12, radius = 3.5, max_radius = inf}");
        for (int threads : {1, 2}) {
            const auto out = plan.run(f.positions, f.box, props, openmp_policy{threads});
            CHECK(out.names_of(0).front() == "m_prediction");
            require_equal_columns(want, 0, [&](std::size_t c) { return out.column(0, c); });
        }
    }
}

TEST_CASE("model_stage: a model on ball descriptors of several radii, sorted and unsorted rows", "[learn][model_stage]") {
    const test_frame& f = glass();
    const particle_properties props{.types = f.types};
    const coordination z{.cutoff = 3.5, .per_type = true};
    const steinhardt q{.degrees = {6}, .nnn = 0, .cutoff = 3.2};
    const auto rz = pipeline(sorted_ball{3.5}, z).run(f.positions, f.box, props);
    const auto rq = pipeline(sorted_ball{3.2}, q).run(f.positions, f.box, props);
    const std::size_t n = rz.size();
    const std::vector<std::string> names{"coord", "q6"};
    std::vector<double> x(2 * n);
    for (std::size_t i = 0; i < n; ++i) x[2 * i] = rz.column("coord")[i], x[2 * i + 1] = rq.column("q6")[i];
    const learned_model lm = fit_model("logistic", names, x, {f.types.begin(), f.types.end()});
    const auto want = batch_columns(lm, x, n);
    model_stage ms{lm, z, q};
    CHECK(ms.request() == neighbor_request::within(3.5));

    SECTION("sorted rows: each descriptor reads its prefix, bit for bit") {
        const auto out = pipeline(sorted_ball{3.5}, ms).run(f.positions, f.box, props, openmp_policy{2});
        require_equal_columns(want, 0, [&](std::size_t c) { return out.get<0>(c); });
    }
    SECTION("unsorted ball rows: q6 reads the bonds inside 3.2, copied in search order") {
        // Another bond order sums q6's spherical harmonics in another order: equal to rounding.
        // 1e-12 absolute on probabilities in [0, 1] allows that (q6 changes by ~1e-16; the
        // logistic model's slope turns it into ~1e-15); the labels must agree exactly.
        const auto out = pipeline(ball{3.5}, ms).run(f.positions, f.box, props, openmp_policy{2});
        for (std::size_t c = 0; c < want.size(); ++c)
            for (std::size_t i = 0; i < n; ++i) REQUIRE(out.get<0>(c)[i] == Approx(want[c][i]).margin(1e-12));
        // the planner takes an unsorted ball{3.5} when every request is that ball
        planner<double> plan;
        plan.add(dynamic_model_stage<double>{lm, {z, q}});
        CHECK(plan.plan().describe() == "ball{radius = 3.5}");
        const auto o2 = plan.run(f.positions, f.box, props, openmp_policy{2});
        for (std::size_t c = 0; c < want.size(); ++c) {
            const auto a = o2.column(0, c), b = out.get<0>(c);
            REQUIRE(std::equal(a.begin(), a.end(), b.begin()));  // the same ball query
        }
    }
}

TEST_CASE("model_stage: what it cannot do is a named error", "[learn][model_stage][errors]") {
    const test_frame& f = glass();
    const particle_properties props{.types = f.types};
    learned_model lm;
    lm.kind = "logistic";
    lm.features = {"csp", "q6", "volume"};
    lm.logistic = logistic_regression::from_coefficients({0, 1}, 3, {1, 2, 3}, {0.5});
    lm.prepare();
    const model_stage ms{lm, csp{12}, steinhardt{.degrees = {6}}};
    CHECK_THROWS_WITH(pipeline(nearest{12}, ms).run(f.positions, f.box, props),
                      Catch::Contains("the model reads feature 'volume', which none of the stage's descriptors "
                                      "computes (they compute: csp, q6)"));
    lm.features = {"csp", "q6", "coord"};
    const model_stage ok{lm, csp{12}, steinhardt{.degrees = {6}}, coordination{3.0}};
    CHECK_THROWS_WITH(pipeline(nearest_or_ball{12, 2.5}, ok).run(f.positions, f.box, props),
                      Catch::Contains("need every neighbour within 3 but the stage's radius is 2.5"));
    CHECK_THROWS_WITH(pipeline(ball{3.5}, ok).run(f.positions, f.box, props),
                      Catch::Contains("not sorted by distance: use tessera::nearest_or_ball{12, 3}"));
    CHECK_THROWS_WITH(model_stage(lm, coordination{}), Catch::Contains("states no finite neighbour request"));
    lm.features = {"coord"};
    CHECK_THROWS_WITH(pipeline(ball{3.0}, model_stage{lm, coordination{3.0}, coordination{2.5}})
                          .run(f.positions, f.box, props),
                      Catch::Contains("feature 'coord' is computed by 2"));
}
