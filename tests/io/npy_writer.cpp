// io/npy_writer.hpp: the bytes of the file (magic, version, header dict text, 64-byte alignment,
// little-endian records), rows and column blocks across buffer chunks, type conversions, errors
// naming the file, row and field; and np.load on the result when NumPy is available.
#include <tessera/io/npy_writer.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

using namespace tessera;

namespace {

std::filesystem::path scratch(const std::string& name) {
    return std::filesystem::temp_directory_path() / ("tessera_npy_" + name);
}

std::string read_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::uint64_t le64(const std::string& b, std::size_t at) {
    std::uint64_t u = 0;
    for (int i = 7; i >= 0; --i) u = (u << 8) | static_cast<unsigned char>(b[at + std::size_t(i)]);
    return u;
}
std::int64_t i64(const std::string& b, std::size_t at) { return static_cast<std::int64_t>(le64(b, at)); }
double f64(const std::string& b, std::size_t at) { return std::bit_cast<double>(le64(b, at)); }

/// The parts of an .npy file: version, header text (dict, padding and '\n'), data.
struct npy_parts {
    int major = 0, minor = 0;
    std::string header;
    std::string data;
};

npy_parts split(const std::string& b) {
    REQUIRE(b.size() >= 10);
    REQUIRE(b.compare(0, 6, std::string("\x93NUMPY", 6)) == 0);
    npy_parts p;
    p.major = static_cast<unsigned char>(b[6]);
    p.minor = static_cast<unsigned char>(b[7]);
    std::size_t len = 0, pre = 0;
    if (p.major == 1) {
        len = static_cast<unsigned char>(b[8]) | std::size_t(static_cast<unsigned char>(b[9])) << 8;
        pre = 10;
    } else {
        REQUIRE(p.major == 2);
        for (int i = 3; i >= 0; --i) len = (len << 8) | static_cast<unsigned char>(b[8 + std::size_t(i)]);
        pre = 12;
    }
    REQUIRE(b.size() >= pre + len);
    p.header = b.substr(pre, len);
    p.data = b.substr(pre + len);
    CHECK((pre + len) % 64 == 0);
    return p;
}

/// The dict of a header, after checking it is followed by spaces and one '\n'.
std::string dict_of(const std::string& header) {
    REQUIRE(!header.empty());
    CHECK(header.back() == '\n');
    const auto end = header.find_last_not_of(" \n");
    REQUIRE(end != std::string::npos);
    CHECK(header.find('\n') == header.size() - 1);
    return header.substr(0, end + 1);
}

bool have_numpy() { return std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0; }

/// Runs a Python script (given the .npy path as argv[1]); true if it exits with 0.
bool run_python(const std::string& script, const std::filesystem::path& npy, const std::string& tag) {
    const auto py = scratch(tag + ".py");
    std::ofstream(py) << script;
    const std::string cmd = "/usr/bin/python3 '" + py.string() + "' '" + npy.string() + "'";
    const int rc = std::system(cmd.c_str());
    std::filesystem::remove(py);
    return rc == 0;
}

using F = npy_writer;

}  // namespace

TEST_CASE("npy_writer: magic, version, header dict, alignment and little-endian records", "[io][npy]") {
    const auto path = scratch("table.npy");
    {
        npy_writer out(path, {{"frame", F::int64}, {"timestep", F::int64}, {"id", F::int64}, {"csp", F::float64}});
        out.add(std::int64_t(0)).add(std::int64_t(100)).add(std::int64_t(1)).add(0.25).end_row();
        out.add(0).add(100u).add(-7.0).add(-0.0).end_row();  // int in a float field; whole double in an int field
        out.add(std::int64_t(1)).add(std::numeric_limits<std::int64_t>::max()).add(std::int64_t(-1)).add(3).end_row();
        CHECK(out.rows() == 3);
        CHECK(out.header_size() % 64 == 0);
        out.close();
        out.close();  // idempotent
    }
    const std::string b = read_bytes(path);
    const auto p = split(b);
    CHECK(p.major == 1);
    CHECK(p.minor == 0);
    CHECK(dict_of(p.header) ==
          "{'descr': [('frame', '<i8'), ('timestep', '<i8'), ('id', '<i8'), ('csp', '<f8')], "
          "'fortran_order': False, 'shape': (3,), }");
    CHECK(p.header.size() - dict_of(p.header).size() >= 20);  // the room kept for a 20-digit count
    REQUIRE(p.data.size() == 3 * 32);
    CHECK(i64(p.data, 0) == 0);
    CHECK(i64(p.data, 8) == 100);
    CHECK(i64(p.data, 16) == 1);
    CHECK(f64(p.data, 24) == 0.25);
    CHECK(i64(p.data, 32) == 0);
    CHECK(i64(p.data, 40) == 100);
    CHECK(i64(p.data, 48) == -7);
    CHECK(le64(p.data, 56) == 0x8000000000000000u);  // -0.0 kept bit for bit
    CHECK(i64(p.data, 64) == 1);
    CHECK(i64(p.data, 72) == std::numeric_limits<std::int64_t>::max());
    CHECK(i64(p.data, 80) == -1);
    CHECK(f64(p.data, 88) == 3.0);
    // explicit byte order: 0.25 is 0x3FD0000000000000, so its last byte is 0x3F
    CHECK(static_cast<unsigned char>(p.data[31]) == 0x3F);
    CHECK(static_cast<unsigned char>(p.data[8]) == 100);
    std::filesystem::remove(path);
}

TEST_CASE("npy_writer: an empty table, a header that needs version 2.0", "[io][npy]") {
    const auto empty = scratch("empty.npy");
    { npy_writer out(empty, {{"x", F::float64}}); }  // the destructor closes
    const auto e = split(read_bytes(empty));
    CHECK(dict_of(e.header) == "{'descr': [('x', '<f8')], 'fortran_order': False, 'shape': (0,), }");
    CHECK(e.data.empty());
    std::filesystem::remove(empty);

    const auto wide = scratch("wide.npy");
    std::vector<npy_writer::field> fields;
    for (int c = 0; c < 3000; ++c)
        fields.push_back({"a_rather_long_column_name_" + std::to_string(c), c % 2 ? F::int64 : F::float64});
    {
        npy_writer out(wide, fields);
        for (int r = 0; r < 2; ++r) {
            for (int c = 0; c < 3000; ++c) out.add(r * 10000 + c);
            out.end_row();
        }
        out.close();
    }
    const std::string b = read_bytes(wide);
    const auto w = split(b);
    CHECK(w.major == 2);
    CHECK(w.header.size() > 65535);
    CHECK(dict_of(w.header).find("('a_rather_long_column_name_2999', '<i8')], 'fortran_order': False, 'shape': (2,), }") !=
          std::string::npos);
    REQUIRE(w.data.size() == 2 * 3000 * 8);
    CHECK(f64(w.data, 8 * 3000) == 10000.0);
    CHECK(i64(w.data, 8 * (3000 + 2999)) == 12999);
    std::filesystem::remove(wide);
}

TEST_CASE("npy_writer: rows and column blocks across buffer chunks", "[io][npy]") {
    const auto path = scratch("blocks.npy");
    // 40 bytes a row: 26214 rows fill a 1 MiB chunk; the blocks below cross several chunks
    const std::size_t n1 = 70001, n2 = 33333;
    std::vector<double> ids(n1), csp(n1);
    std::vector<std::int64_t> types(n1);
    for (std::size_t i = 0; i < n1; ++i) {
        ids[i] = double(i + 1);
        csp[i] = double(i) * 0.125 - 5.0;
        types[i] = std::int64_t(i % 3) + 1;
    }
    {
        npy_writer out(path, {{"frame", F::int64}, {"timestep", F::int64}, {"id", F::int64}, {"type", F::int64},
                              {"csp", F::float64}});
        out.add_column_block(n1, {F::column::constant(0), F::column::constant(std::int64_t(500)), ids, types, csp});
        out.add(1).add(600).add(1).add(2).add(0.5).end_row();  // rows between blocks
        for (std::size_t i = 0; i < n2; ++i) out.add(2).add(700).add(i + 1).add(1).add(double(i)).end_row();
        const std::vector<double> none;
        out.add_column_block(0, {none, none, F::column::constant(1), none, none});  // no rows
        // a block of int64 into a float64 field and a double constant into an int64 field
        const std::vector<std::int64_t> small{-3, 4};
        out.add_column_block(2, {F::column::constant(3.0), small, small, small, small});
        CHECK(out.rows() == n1 + 1 + n2 + 2);
        out.close();
    }
    const std::string b = read_bytes(path);
    const auto p = split(b);
    const std::size_t rows = n1 + 1 + n2 + 2;
    CHECK(dict_of(p.header) == "{'descr': [('frame', '<i8'), ('timestep', '<i8'), ('id', '<i8'), ('type', '<i8'), "
                               "('csp', '<f8')], 'fortran_order': False, 'shape': (" +
                                   std::to_string(rows) + ",), }");
    REQUIRE(p.data.size() == rows * 40);
    bool ok = true;
    for (std::size_t i = 0; i < n1 && ok; ++i) {
        const std::size_t at = 40 * i;
        ok = i64(p.data, at) == 0 && i64(p.data, at + 8) == 500 && i64(p.data, at + 16) == std::int64_t(i + 1) &&
             i64(p.data, at + 24) == types[i] && f64(p.data, at + 32) == csp[i];
        if (!ok) FAIL_CHECK("first block, row " << i);
    }
    std::size_t at = 40 * n1;
    CHECK(i64(p.data, at) == 1);
    CHECK(i64(p.data, at + 8) == 600);
    CHECK(f64(p.data, at + 32) == 0.5);
    for (std::size_t i = 0; i < n2 && ok; ++i) {
        at = 40 * (n1 + 1 + i);
        ok = i64(p.data, at) == 2 && i64(p.data, at + 8) == 700 && i64(p.data, at + 16) == std::int64_t(i + 1) &&
             i64(p.data, at + 24) == 1 && f64(p.data, at + 32) == double(i);
        if (!ok) FAIL_CHECK("rows, row " << i);
    }
    at = 40 * (n1 + 1 + n2);
    CHECK(i64(p.data, at) == 3);
    CHECK(i64(p.data, at + 8) == -3);
    CHECK(f64(p.data, at + 32) == -3.0);
    CHECK(i64(p.data, at + 40) == 3);
    CHECK(f64(p.data, at + 40 + 32) == 4.0);
    std::filesystem::remove(path);
}

TEST_CASE("npy_writer: invalid fields and .gz paths are refused before the file is created", "[io][npy][errors]") {
    const auto path = scratch("refused.npy");
    std::filesystem::remove(path);
    CHECK_THROWS_WITH(npy_writer(path, {}), Catch::Contains("refused.npy: a .npy table needs at least one field"));
    CHECK_THROWS_WITH(npy_writer(path, {{"a", F::int64}, {"", F::int64}}), Catch::Contains("field 2 has an empty name"));
    for (const std::string bad : {"it's", "say \"x\"", "back\\slash", "new\nline", "caf\xc3\xa9"})
        CHECK_THROWS_WITH(npy_writer(path, {{bad, F::float64}}),
                          Catch::Contains("refused.npy: field name '" + bad + "' is not valid"));
    CHECK_THROWS_WITH(npy_writer(path, {{"x", F::float64}, {"y", F::int64}, {"x", F::int64}}),
                      Catch::Contains("refused.npy: field name 'x' appears twice"));
    CHECK_FALSE(std::filesystem::exists(path));
    const auto gz = scratch("table.npy.gz");
    std::filesystem::remove(gz);
    CHECK_THROWS_WITH(npy_writer(gz, {{"x", F::float64}}),
                      Catch::Contains("table.npy.gz: gzip-compressed .npy output is not supported"));
    CHECK_FALSE(std::filesystem::exists(gz));
    CHECK_THROWS_WITH(npy_writer(scratch("no/such/dir.npy"), {{"x", F::float64}}),
                      Catch::Contains("dir.npy: cannot open for writing"));
    // names with spaces, brackets and other printable characters are fine
    const auto odd = scratch("odd.npy");
    { npy_writer out(odd, {{"f_1[2]", F::float64}, {"c pe", F::float64}}); }
    CHECK(dict_of(split(read_bytes(odd)).header) ==
          "{'descr': [('f_1[2]', '<f8'), ('c pe', '<f8')], 'fortran_order': False, 'shape': (0,), }");
    std::filesystem::remove(odd);
}

TEST_CASE("npy_writer: bad rows and values name the file, row and field, the row is dropped", "[io][npy][errors]") {
    const auto path = scratch("bad.npy");
    npy_writer out(path, {{"id", F::int64}, {"v", F::float64}});
    out.add(1).add(1.5).end_row();
    out.add(2);
    CHECK_THROWS_WITH(out.end_row(), Catch::Contains("bad.npy: row 2 has 1 values for 2 fields"));
    out.add(2).add(2.5);
    CHECK_THROWS_WITH(out.add(3.5), Catch::Contains("bad.npy: row 2 has more than 2 values for 2 fields"));
    CHECK_THROWS_WITH(out.add(1.5), Catch::Contains("bad.npy: row 2, field 'id' (int64): 1.5 is not a whole number"));
    CHECK_THROWS_WITH(out.add(std::ldexp(1.0, 60)), Catch::Contains("row 2, field 'id' (int64): 1152921504606846976"));
    CHECK_THROWS_WITH(out.add(std::nan("")), Catch::Contains("row 2, field 'id' (int64): nan is not"));
    CHECK_THROWS_WITH(out.add(std::numeric_limits<std::uint64_t>::max()),
                      Catch::Contains("row 2, field 'id' (int64): 18446744073709551615 exceeds the int64 range"));
    out.add(std::ldexp(1.0, 53)).add(std::numeric_limits<double>::infinity()).end_row();  // 2^53 is fine
    // blocks: checked whole before any row is written
    const std::vector<double> ids{1, 2, 2.5}, v{0, 0, 0};
    CHECK_THROWS_WITH(out.add_column_block(3, {ids, v}),
                      Catch::Contains("bad.npy: row 5, field 'id' (int64): 2.5 is not a whole number"));
    CHECK_THROWS_WITH(out.add_column_block(2, {ids, v}),
                      Catch::Contains("bad.npy: field 'id': a column of 3 values for a block of 2 rows"));
    CHECK_THROWS_WITH(out.add_column_block(3, {v}), Catch::Contains("bad.npy: a block of 1 columns for 2 fields"));
    CHECK_THROWS_WITH(out.add_column_block(3, {F::column::constant(0.5), v}),
                      Catch::Contains("row 3, field 'id' (int64): 0.5 is not a whole number"));
    CHECK_THROWS_WITH(F::column::constant(std::numeric_limits<std::uint64_t>::max()),
                      Catch::Contains("exceeds the int64 range"));
    out.add(9);
    CHECK_THROWS_WITH(out.add_column_block(3, {v, v}), Catch::Contains("add_column_block with row 3 unfinished (1 of 2"));
    CHECK(out.rows() == 2);
    CHECK_THROWS_WITH(out.close(), Catch::Contains("bad.npy: closed with row 3 unfinished (1 of 2 values)"));
    CHECK_THROWS_WITH(out.add(1), Catch::Contains("bad.npy: write after close"));
    CHECK_THROWS_WITH(out.end_row(), Catch::Contains("bad.npy: write after close"));
    CHECK_THROWS_WITH(out.add_column_block(1, {v, v}), Catch::Contains("bad.npy: write after close"));
    CHECK_NOTHROW(out.close());
    const auto p = split(read_bytes(path));
    CHECK(dict_of(p.header) == "{'descr': [('id', '<i8'), ('v', '<f8')], 'fortran_order': False, 'shape': (2,), }");
    REQUIRE(p.data.size() == 32);
    CHECK(i64(p.data, 0) == 1);
    CHECK(f64(p.data, 8) == 1.5);
    CHECK(i64(p.data, 16) == (std::int64_t(1) << 53));
    CHECK(f64(p.data, 24) == std::numeric_limits<double>::infinity());
    std::filesystem::remove(path);
}

TEST_CASE("npy_writer: an I/O error names the file", "[io][npy][errors]") {
    if (!std::filesystem::exists("/dev/full")) {
        WARN("no /dev/full: I/O error test skipped");
        return;
    }
    npy_writer out("/dev/full", {{"x", F::float64}});
    CHECK_THROWS_WITH(
        [&] {
            for (int i = 0; i < 200000; ++i) out.add(double(i)).end_row();
            out.close();
        }(),
        Catch::Contains("/dev/full: "));
    CHECK_THROWS_WITH(out.add(1.0), Catch::Contains("/dev/full: write after an earlier write error"));
    CHECK_NOTHROW(out.close());
}

TEST_CASE("npy_writer: np.load reads the table (NumPy, when available)", "[io][npy][numpy]") {
    if (!have_numpy()) {
        WARN("/usr/bin/python3 with numpy not found: np.load check skipped");
        return;
    }
    const auto path = scratch("numpy.npy");
    const std::size_t n = 5000;  // frames of 1000 atoms
    std::vector<double> csp(1000), ids(1000);
    {
        npy_writer out(path, {{"frame", F::int64}, {"timestep", F::int64}, {"id", F::int64}, {"f_1[2]", F::float64},
                              {"csp", F::float64}});
        for (std::size_t f = 0; f < n / 1000; ++f) {
            for (std::size_t i = 0; i < 1000; ++i) {
                ids[i] = double(1000 - i);
                csp[i] = double(f * 1000 + i) * 0.25 - 3.0;
            }
            if (f % 2 == 0) {
                out.add_column_block(1000, {F::column::constant(f), F::column::constant(100 * f), ids, F::column::constant(-1.5), csp});
            } else {
                for (std::size_t i = 0; i < 1000; ++i) out.add(f).add(100 * f).add(ids[i]).add(-1.5).add(csp[i]).end_row();
            }
        }
        out.close();
    }
    const std::string script = R"(import sys
import numpy as np
a = np.load(sys.argv[1])
assert a.shape == (5000,), a.shape
assert a.dtype == np.dtype([('frame', '<i8'), ('timestep', '<i8'), ('id', '<i8'), ('f_1[2]', '<f8'), ('csp', '<f8')]), a.dtype
assert a.dtype.names == ('frame', 'timestep', 'id', 'f_1[2]', 'csp'), a.dtype.names
i = np.arange(5000)
assert (a['frame'] == i // 1000).all()
assert (a['timestep'] == 100 * (i // 1000)).all()
assert (a['id'] == 1000 - i % 1000).all()
assert (a['f_1[2]'] == -1.5).all()
assert (a['csp'] == i * 0.25 - 3.0).all()
m = np.load(sys.argv[1], mmap_mode='r')
assert (m['csp'] == a['csp']).all()
)";
    CHECK(run_python(script, path, "numpy"));

    const auto empty = scratch("numpy_empty.npy");
    { npy_writer out(empty, {{"x", F::float64}, {"n", F::int64}}); }
    CHECK(run_python("import sys\nimport numpy as np\na = np.load(sys.argv[1])\n"
                     "assert a.shape == (0,) and a.dtype.names == ('x', 'n'), (a.shape, a.dtype)\n",
                     empty, "numpy_empty"));

    const auto wide = scratch("numpy_wide.npy");
    {
        std::vector<npy_writer::field> fields;
        for (int c = 0; c < 3000; ++c) fields.push_back({"a_rather_long_column_name_" + std::to_string(c), F::int64});
        npy_writer out(wide, fields);
        for (int c = 0; c < 3000; ++c) out.add(c);
        out.end_row();
    }
    CHECK(run_python("import sys\nimport numpy as np\nfrom numpy.lib import format as fmt\n"
                     "f = open(sys.argv[1], 'rb')\nassert fmt.read_magic(f) == (2, 0)\n"
                     "a = np.load(sys.argv[1], max_header_size=1 << 20)\n"
                     "assert a.shape == (1,) and len(a.dtype.names) == 3000\n"
                     "assert a['a_rather_long_column_name_2999'][0] == 2999\n",
                     wide, "numpy_wide"));
    std::filesystem::remove(path);
    std::filesystem::remove(empty);
    std::filesystem::remove(wide);
}
