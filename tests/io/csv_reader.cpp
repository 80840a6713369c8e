// tests for include/tessera/io/csv_reader.hpp: the table the command's CSV writers produce reads
// back exactly; every malformed input is an error naming file, line and column.
#include <tessera/io/csv_reader.hpp>
#include <tessera/io/csv_writer.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

using namespace tessera;

TEST_CASE("read_csv: reads back what csv_writer writes, bit for bit", "[io][csv]") {
    std::ostringstream os;
    {
        csv_writer w(os, {"id", "x", "T"});
        w.add(1).add(0.1).add(700).end_row();
        w.add(2).add(-1.0 / 3.0).add(1.5e-300).end_row();
        w.close();
    }
    const auto t = read_csv_text(os.str(), "a.csv");
    REQUIRE(t.rows == 2);
    REQUIRE(t.names == std::vector<std::string>{"id", "x", "T"});
    CHECK(t.column("x")[1] == -1.0 / 3.0);
    CHECK(t.column("T")[1] == 1.5e-300);
    CHECK(t.column("id")[0] == 1.0);
}

TEST_CASE("read_csv: spaces, comments, quoted names, CRLF, nan", "[io][csv]") {
    const auto t = read_csv_text("# made by hand\r\n \"a\" , b\r\n\r\n 1 , nan\r\n2,-inf\r\n", "b.csv");
    REQUIRE(t.rows == 2);
    CHECK(t.names == std::vector<std::string>{"a", "b"});
    CHECK(std::isnan(t.column("b")[0]));
    CHECK(t.column("b")[1] == -INFINITY);
}

TEST_CASE("read_csv: errors name the file, line and column", "[io][csv][errors]") {
    CHECK_THROWS_WITH(read_csv_text("", "e.csv"), Catch::Contains("e.csv: empty file"));
    CHECK_THROWS_WITH(read_csv_text("a,a\n1,2\n", "e.csv"), Catch::Contains("e.csv:1: column name 'a' appears twice"));
    CHECK_THROWS_WITH(read_csv_text("a,,c\n", "e.csv"), Catch::Contains("e.csv:1: column 2 of the header has no name"));
    CHECK_THROWS_WITH(read_csv_text("a,b\n1,2\n3\n", "e.csv"), Catch::Contains("e.csv:3: row has 1 cells for 2 columns"));
    CHECK_THROWS_WITH(read_csv_text("a,b\n1,2,3\n", "e.csv"), Catch::Contains("e.csv:2: row has 3 cells"));
    CHECK_THROWS_WITH(read_csv_text("a,b\n1,\n", "e.csv"), Catch::Contains("e.csv:2: empty cell in column 'b'"));
    CHECK_THROWS_WITH(read_csv_text("a,b\n1,Cu\n", "e.csv"), Catch::Contains("e.csv:2: non-numeric value 'Cu' in column 'b'"));
    CHECK_THROWS_WITH(read_csv_text("a\n1\n", "e.csv").column("z"), Catch::Contains("e.csv: no column 'z'; columns are: a"));
}

TEST_CASE("read_csv: Excel's UTF-8 byte-order mark before the header is skipped", "[io][csv]") {
    const table t = read_csv_text("\xEF\xBB\xBF" "a,b\r\n1,2\r\n", "bom.csv");
    REQUIRE(t.names == std::vector<std::string>{"a", "b"});
    CHECK(t.column("a")[0] == 1);
    // only before the header: inside a row it is a non-numeric cell
    CHECK_THROWS_WITH(read_csv_text("a,b\n\xEF\xBB\xBF" "1,2\n", "bom.csv"),
                      Catch::Contains("bom.csv:2: non-numeric value '\\xEF\\xBB\\xBF1' in column 'a'"));
}

TEST_CASE("read_csv: a header of 10^5 names is checked for duplicates in n log n", "[io][csv][errors]") {
    std::string header;
    for (int c = 0; c < 100000; ++c) header += (c ? ",c" : "c") + std::to_string(c);
    CHECK(read_csv_text(header + "\n", "wide.csv").names.size() == 100000);
    CHECK_THROWS_WITH(read_csv_text(header + ",c99\n", "wide.csv"),
                      Catch::Contains("wide.csv:1: column name 'c99' appears twice in the header"));
}

TEST_CASE("read_csv: the file line of every row is kept for messages, binary data is named", "[io][csv][errors]") {
    const table t = read_csv_text("# comment\na,b\n1,2\n\n# more\n3,4\n", "l.csv");
    CHECK(t.lines == std::vector<std::size_t>{3, 6});
    CHECK_THROWS_WITH(read_csv_text(std::string("a,\x01\x02,b\n1,2\n"), "bin.csv"),
                      Catch::Contains("bin.csv:1: not a text file: byte '\\x01' at column 3 (binary or compressed data?)"));
}
