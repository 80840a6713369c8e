// dynamics/timeseries.hpp: peaks against scipy.signal.find_peaks (reference written by
// tests/reference/timeseries/make_peaks.py), normalisation, moving average, change point.
#include <tessera/dynamics/timeseries.hpp>

#include <catch2/catch.hpp>

#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

using namespace tessera;

TEST_CASE("timeseries: find_peaks equals scipy.signal.find_peaks (heights, prominences, plateaus)", "[timeseries]") {
    std::ifstream in(std::string(TESSERA_TEST_DATA_DIR) + "/timeseries/peaks.txt");
    REQUIRE(in);
    std::string line;
    std::vector<double> signal;
    int cases = 0;
    auto number = [](const std::string& s) {
        return s == "-inf" ? -std::numeric_limits<double>::infinity() : std::stod(s);
    };
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        std::string kind;
        ls >> kind;
        if (kind == "signal") {
            signal.clear();
            double v;
            while (ls >> v) signal.push_back(v);
        } else {
            std::string h, p;
            ls >> h >> p;
            std::vector<std::size_t> expected;
            std::size_t i;
            while (ls >> i) expected.push_back(i);
            INFO("height " << h << " prominence " << p << " signal of " << signal.size());
            CHECK(find_peaks(signal, {number(h), number(p)}) == expected);
            ++cases;
        }
    }
    CHECK(cases == 20);
}

TEST_CASE("timeseries: min-max normalisation, moving average, argmax", "[timeseries]") {
    std::vector<double> v{2, 4, std::nan(""), 6};
    normalize_minmax(v);
    CHECK(v[0] == 0.0);
    CHECK(v[1] == 0.5);
    CHECK(std::isnan(v[2]));
    CHECK(v[3] == 1.0);
    std::vector<double> flat{3, 3};
    normalize_minmax(flat);
    CHECK(flat == std::vector<double>{0, 0});
    const std::vector<double> x{1, 2, 3, 4, 10};
    std::vector<double> m(5);
    moving_average(x, 3, m);
    CHECK(m == std::vector<double>{1.5, 2, 3, 17.0 / 3, 7});
    CHECK_THROWS_WITH(moving_average(x, 2, m), Catch::Contains("odd"));
    CHECK(argmax(x).value() == 4);
    CHECK_FALSE(argmax(std::vector<double>{}).has_value());
}

TEST_CASE("timeseries: change point of a step, and histogram bins", "[timeseries]") {
    std::vector<double> step(50, 1.0);
    for (std::size_t i = 30; i < 50; ++i) step[i] = 5.0 + 0.01 * double(i % 3);
    CHECK(change_point(step) == 30);
    CHECK_THROWS(change_point(std::vector<double>{1.0}));
    histogram h(0, 1, 4);
    for (double v : {-0.1, 0.0, 0.3, 0.99, 1.0, std::nan("")}) h.add(v);
    CHECK(h.counts == std::vector<std::size_t>{1, 1, 0, 1});
    CHECK(h.below == 1);
    CHECK(h.above == 1);
    CHECK(h.invalid == 1);
    CHECK(h.bin_center(0) == 0.125);
}
