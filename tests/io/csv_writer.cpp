// io/csv_writer.hpp: header, exact numbers (read back bit for bit), integers as integers,
// row-length errors naming the file and row, gzip by extension.
#include <tessera/io/csv_writer.hpp>
#include <tessera/io/detail/text_input.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace tessera;

namespace {
std::string read_all(const std::filesystem::path& p) {
    detail::line_reader in(detail::open_source(p), p.string());
    std::string text;
    std::string_view line;
    while (in.next(line)) (text += line) += '\n';
    return text;
}
std::filesystem::path scratch(const std::string& name) {
    return std::filesystem::temp_directory_path() / ("tessera_csv_" + name);
}
}  // namespace

TEST_CASE("csv_writer: header, integers, doubles that read back exactly", "[io][csv]") {
    const auto path = scratch("exact.csv");
    std::mt19937_64 g(3);
    std::uniform_real_distribution<double> u(-1e6, 1e6);
    std::vector<double> values;
    {
        csv_writer out(path, {"step", "a", "b"});
        for (int i = 0; i < 1000; ++i) {
            const double a = u(g), b = u(g) * 1e-12;
            values.push_back(a);
            values.push_back(b);
            out.add(std::int64_t(i) * 10).add(a).add(b).end_row();
        }
        out.close();
    }
    std::istringstream text(read_all(path));
    std::string line;
    std::getline(text, line);
    CHECK(line == "step,a,b");
    for (int i = 0; i < 1000; ++i) {
        REQUIRE(std::getline(text, line));
        const auto c1 = line.find(','), c2 = line.find(',', c1 + 1);
        REQUIRE(line.substr(0, c1) == std::to_string(i * 10));
        REQUIRE(std::stod(line.substr(c1 + 1, c2 - c1 - 1)) == values[2 * std::size_t(i)]);
        REQUIRE(std::stod(line.substr(c2 + 1)) == values[2 * std::size_t(i) + 1]);
    }
    std::filesystem::remove(path);
}

TEST_CASE("csv_writer: a row of the wrong length names the file and the row, gzip by extension", "[io][csv][errors]") {
    const auto path = scratch("short.csv");
    csv_writer out(path, {"a", "b"});
    out.add(1.0).add(2.0).end_row();
    out.add(1.0);
    CHECK_THROWS_WITH(out.end_row(), Catch::Contains("short.csv: row 2 has 1 values for 2 columns"));
    out.add(3.0).add(4.0).end_row();  // the bad row was dropped; writing goes on
    out.close();
    CHECK(read_all(path) == "a,b\n1,2\n3,4\n");
    std::filesystem::remove(path);
    const auto none = scratch("none.csv");
    std::filesystem::remove(none);
    CHECK_THROWS_WITH(csv_writer(none, {}), Catch::Contains("needs at least one column"));
    CHECK_FALSE(std::filesystem::exists(none));  // refused before the file is created
    const auto gz = scratch("table.csv.gz");
    {
        csv_writer z(gz, {"x"});
        z.add(0.5).end_row();
    }
    CHECK(detail::is_gzip_file(gz));
    CHECK(read_all(gz) == "x\n0.5\n");
    std::filesystem::remove(gz);
}
