// tests for include/tessera/learn/feature_matrix.hpp: zero-copy rows, strides, names, checks.

#include <tessera/learn/feature_matrix.hpp>

#include <catch2/catch.hpp>

#include <limits>
#include <string>
#include <vector>

TEST_CASE("feature_matrix_view: rows are views of the caller's buffer", "[learn][features]") {
    // 3 rows of 2 features inside rows of 4 doubles (e.g. a wider per-atom table)
    std::vector<double> buf{1, 2, -1, -1, 3, 4, -1, -1, 5, 6, -1, -1};
    const std::vector<std::string> names{"q4", "q6"};
    const tessera::feature_matrix_view x{buf.data(), 3, 2, 4, names};
    CHECK(x.stride() == 4);
    CHECK(x.row(1).data() == buf.data() + 4);
    CHECK(x.row(1).size() == 2);
    CHECK(x(2, 1) == 6);
    CHECK_NOTHROW(tessera::check_features(x, "test"));
    const auto dense = tessera::features(std::span<const double>(buf), 4);
    CHECK(dense.rows == 3);
    CHECK(dense.stride() == 4);
}

TEST_CASE("feature_matrix_view: checks name the offending row and column", "[learn][features]") {
    using Catch::Matchers::Contains;
    std::vector<double> buf{1, 2, 3, std::numeric_limits<double>::quiet_NaN()};
    const std::vector<std::string> names{"q4", "q6"};
    CHECK_THROWS_WITH(tessera::check_features({buf.data(), 2, 2, 0, names}, "fit"),
                      Contains("fit: feature value nan at row 1, column 1 ('q6') is not finite"));
    CHECK_THROWS_WITH(tessera::check_features({buf.data(), 2, 2, 0, std::span(names).first(1)}, "fit"),
                      Contains("1 feature names for 2 columns"));
    CHECK_THROWS_WITH(tessera::check_features({buf.data(), 1, 3, 2}, "fit"), Contains("row_stride 2 is smaller"));
    CHECK_THROWS_WITH(tessera::check_features({buf.data(), 1, 0}, "fit"), Contains("0 columns"));
    CHECK_THROWS_WITH(tessera::features(std::span<const double>(buf).first(3), 2), Contains("not a whole number of rows"));
}
