// tests for include/tessera/learn/scaler.hpp against scikit-learn 1.2.1 StandardScaler and
// MinMaxScaler (tests/reference/learn/scaler_*). The input has a constant column (scale 1) and a
// near-constant one (variance 5e-35, caught by sklearn's _is_constant_feature, scale 1).
//
// Tolerances: fitted parameters and transforms are required to equal sklearn's to the bit — the
// same operations in the same order (sequential column sums over rows, as numpy's axis-0
// reduction of a C-ordered array; products rounded before they are added, also under
// -march=native: learn/detail/rounded.hpp). Inverse transform: x' = (x - m)/s*s + m carries 4
// roundings, so |x' - x| <= 4 eps max(|x|, |m|) (eps = 2^-52).

#include <tessera/learn/scaler.hpp>

#include "../support/learn_reference.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

namespace {

std::vector<double> input(std::size_t& rows, std::size_t& cols) {
    const auto t = tessera_test::read_csv("scaler_input.csv");
    rows = t.rows.size();
    cols = t.header.size();
    std::vector<double> x;
    for (const auto& r : t.rows) x.insert(x.end(), r.begin(), r.end());
    return x;
}

void require_same(const std::vector<double>& mine, const std::vector<double>& ref) {
    REQUIRE(mine.size() == ref.size());
    std::size_t bad = 0;
    for (std::size_t i = 0; i < mine.size(); ++i) bad += mine[i] != ref[i];
    CHECK(bad == 0);
}

}  // namespace

TEST_CASE("standard_scaler: parameters and transform equal scikit-learn's", "[learn][scaler]") {
    std::size_t n = 0, m = 0;
    const auto x = input(n, m);
    const auto ref = tessera_test::read_keyed("scaler_expected.txt");
    tessera::standard_scaler s;
    s.fit({x.data(), n, m});
    CHECK(s.mean_ == ref.at("std_mean"));
    CHECK(s.var_ == ref.at("std_var"));
    CHECK(s.scale_ == ref.at("std_scale"));
    CHECK(s.scale_[3] == 1.0);
    CHECK(s.scale_[4] == 1.0);  // near-constant: var > 0 but below sklearn's bound
    CHECK(s.n_samples_seen_ == n);
    std::vector<double> z(n * m), back(n * m);
    s.transform({x.data(), n, m}, z);
    require_same(z, ref.at("std_transform"));
    s.inverse_transform({z.data(), n, m}, back);
    for (std::size_t i = 0; i < n * m; ++i)
        CHECK(std::abs(back[i] - x[i]) <= 4 * std::numeric_limits<double>::epsilon() *
                                              std::max(std::abs(x[i]), std::abs(s.mean_[i % m])));
    // in place on a dense buffer
    std::vector<double> inplace = x;
    s.transform({inplace.data(), n, m}, inplace);
    CHECK(inplace == z);
}

TEST_CASE("minmax_scaler: parameters and transform equal scikit-learn's", "[learn][scaler]") {
    std::size_t n = 0, m = 0;
    const auto x = input(n, m);
    const auto ref = tessera_test::read_keyed("scaler_expected.txt");
    tessera::minmax_scaler s;
    s.fit({x.data(), n, m});
    CHECK(s.min_ == ref.at("mm_min"));
    CHECK(s.scale_ == ref.at("mm_scale"));
    CHECK(s.data_min_ == ref.at("mm_data_min"));
    CHECK(s.data_max_ == ref.at("mm_data_max"));
    std::vector<double> z(n * m), back(n * m);
    s.transform({x.data(), n, m}, z);
    require_same(z, ref.at("mm_transform"));
    s.inverse_transform({z.data(), n, m}, back);
    for (std::size_t i = 0; i < n * m; ++i)
        CHECK(std::abs(back[i] - x[i]) <= 4 * std::numeric_limits<double>::epsilon() *
                                              std::max(std::abs(x[i]), std::abs(s.data_min_[i % m])));
}

TEST_CASE("scalers: a restored scaler (parameters copied) transforms identically", "[learn][scaler]") {
    std::size_t n = 0, m = 0;
    const auto x = input(n, m);
    tessera::standard_scaler a;
    a.fit({x.data(), n, m});
    tessera::standard_scaler b;
    b.mean_ = a.mean_;
    b.var_ = a.var_;
    b.scale_ = a.scale_;
    std::vector<double> za(n * m), zb(n * m);
    a.transform({x.data(), n, m}, za);
    b.transform({x.data(), n, m}, zb);
    CHECK(za == zb);
}

TEST_CASE("scalers: bad input is a tessera::error", "[learn][scaler]") {
    using Catch::Matchers::Contains;
    const std::vector<double> x{1, 2, 3, 4};
    std::vector<double> out(4);
    tessera::standard_scaler s;
    CHECK_THROWS_WITH(s.transform({x.data(), 2, 2}, out), Contains("not fitted"));
    s.fit({x.data(), 2, 2});
    CHECK_THROWS_WITH(s.transform({x.data(), 1, 4}, out), Contains("has 4 columns, but the model was fitted on 2"));
    std::vector<double> small(3);
    CHECK_THROWS_WITH(s.transform({x.data(), 2, 2}, small), Contains("need rows * cols = 4"));
    std::vector<double> bad = x;
    bad[2] = std::numeric_limits<double>::infinity();
    CHECK_THROWS_WITH(tessera::minmax_scaler{}.fit({bad.data(), 2, 2}), Contains("row 1, column 0 is not finite"));
    CHECK_THROWS_WITH(tessera::minmax_scaler(1.0, 0.0).fit({x.data(), 2, 2}), Contains("min < max"));
    CHECK_THROWS_WITH(tessera::standard_scaler{}.fit({x.data(), 0, 2}), Contains("0 rows"));
}
