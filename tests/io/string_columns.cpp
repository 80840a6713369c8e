// String (categorical) columns and non-finite values in LAMMPS text dumps:
// tessera/io/lammps_dump.hpp (reader), lammps_dump_writer.hpp, core/frame.hpp (labels).
#include <tessera/io/lammps_dump.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using tessera::frame;
using tessera::lammps_dump_reader;
using tessera::lammps_dump_writer;
using strings = std::vector<std::string>;

namespace {

template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const tessera::error& e) {
        return e.what();
    }
    return "<no tessera::error thrown>";
}

std::vector<frame> read_text(const std::string& text, const std::string& name = "s.dump") {
    auto r = lammps_dump_reader::from_string(text, name);
    std::vector<frame> out;
    frame f;
    while (r.next(f)) out.push_back(f);
    return out;
}

std::string write_text(const std::vector<frame>& frames) {
    std::ostringstream os;
    lammps_dump_writer w(os);
    for (const auto& f : frames) w.write(f);
    w.close();
    return os.str();
}

std::string header(int step, int natoms, const std::string& columns) {
    return "ITEM: TIMESTEP\n" + std::to_string(step) + "\nITEM: NUMBER OF ATOMS\n" + std::to_string(natoms) +
           "\nITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\nITEM: ATOMS " + columns + "\n";
}

/// The strings of column `name`, atom by atom, through frame::label.
strings labels_of(const frame& f, const std::string& name) {
    const auto c = static_cast<std::size_t>(f.column_index(name));
    REQUIRE(f.is_string_column(c));
    strings out;
    for (std::size_t i = 0; i < f.natoms; ++i) out.push_back(f.label(c, i));
    return out;
}

std::vector<double> values_of(const frame& f, const std::string& name) {
    const auto col = f.column(name);
    return {col.begin(), col.end()};
}

bool same_value(double a, double b) {
    if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
    return std::memcmp(&a, &b, sizeof a) == 0;
}

/// Frames equal in everything the reader fills (NaN equal to NaN of either sign).
void check_same(const std::vector<frame>& a, const std::vector<frame>& b) {
    REQUIRE(a.size() == b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
        INFO("frame " << k);
        CHECK(a[k].timestep == b[k].timestep);
        REQUIRE(a[k].natoms == b[k].natoms);
        REQUIRE(a[k].names == b[k].names);
        CHECK(a[k].integral == b[k].integral);
        CHECK(a[k].labels == b[k].labels);
        CHECK(a[k].type_names == b[k].type_names);
        for (std::size_t c = 0; c < a[k].names.size(); ++c)
            for (std::size_t i = 0; i < a[k].natoms; ++i) {
                INFO("column " << a[k].names[c] << " row " << i);
                CHECK(same_value(a[k].columns[c][i], b[k].columns[c][i]));
            }
    }
}

}  // namespace

TEST_CASE("string columns: read as labels by first appearance, written back as text", "[io][lammps][strings]") {
    const std::string text = header(0, 4, "id type element x y z c_struct") +
                             "1 1 Cu 0 0 0 FCC\n"
                             "2 2 Zr 1.2 1.3 1.4 Other\n"
                             "3 1 Cu 2 2 2 FCC\n"
                             "4 2 Zr 3 3 3 ICO\n" +
                             header(10, 3, "id type element x y z c_struct") +
                             "1 1 Cu 0 0 0 ICO\n"
                             "2 2 Zr 1 1 1 HCP\n"
                             "3 1 Cu 2 2 2 FCC\n";
    const auto frames = read_text(text);
    REQUIRE(frames.size() == 2);
    const frame& f = frames[0];
    const std::size_t ce = 2, cs = 6;
    CHECK(f.names == strings{"id", "type", "element", "x", "y", "z", "c_struct"});  // no type derived: type exists
    CHECK(f.is_string_column(ce));
    CHECK(f.is_string_column(cs));
    CHECK_FALSE(f.is_string_column(0));
    CHECK_FALSE(f.is_string_column(1));
    CHECK(f.labels[ce] == strings{"Cu", "Zr"});
    CHECK(f.labels[cs] == strings{"FCC", "Other", "ICO"});
    CHECK(values_of(f, "element") == std::vector<double>{0, 1, 0, 1});  // 0-based label numbers
    CHECK(values_of(f, "c_struct") == std::vector<double>{0, 1, 0, 2});
    CHECK(f.integral[ce] == 1);
    CHECK(f.label_base(ce) == 0);
    CHECK(labels_of(f, "c_struct") == strings{"FCC", "Other", "FCC", "ICO"});
    CHECK(values_of(f, "x") == std::vector<double>{0, 1.2, 2, 3});
    CHECK(f.types() == std::vector<int>{1, 2, 1, 2});
    CHECK(f.type_names == strings{"Cu", "Zr"});  // numeric type + element: type t's element

    // Frame 2: labels keep their numbers; HCP is new and gets the next one.
    const frame& g = frames[1];
    CHECK(g.labels[cs] == strings{"FCC", "Other", "ICO", "HCP"});
    CHECK(values_of(g, "c_struct") == std::vector<double>{2, 3, 0});
    CHECK(labels_of(g, "c_struct") == strings{"ICO", "HCP", "FCC"});

    // The writer writes the labels; reading that back gives the same frames.
    const std::string out = write_text(frames);
    CHECK_THAT(out, Contains("ITEM: ATOMS id type element x y z c_struct\n1 1 Cu 0 0 0 FCC\n2 2 Zr 1.2 1.3 1.4 Other\n"));
    CHECK_THAT(out, Contains("1 1 Cu 0 0 0 ICO\n2 2 Zr 1 1 1 HCP\n3 1 Cu 2 2 2 FCC\n"));
    check_same(read_text(out), frames);
    CHECK(write_text(read_text(out)) == out);
}

TEST_CASE("string columns: any non-whitespace token is a label, odd bytes survive", "[io][lammps][strings]") {
    // 1.5 and 7 are labels too once the column is a string column (its first field is not a number).
    const std::string text = header(0, 5, "id lbl x y z") +
                             "1 a-b 0 0 0\n"
                             "2 1.5 0 0 0\n"
                             "3 \xc3\xa9t\xc3\xa9\x01 0 0 0\n"
                             "4 7 0 0 0\n"
                             "5 ITEM:x 0 0 0\n";
    const auto frames = read_text(text);
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].labels[1] == strings{"a-b", "1.5", "\xc3\xa9t\xc3\xa9\x01", "7", "ITEM:x"});
    CHECK(values_of(frames[0], "lbl") == std::vector<double>{0, 1, 2, 3, 4});
    check_same(read_text(write_text(frames)), frames);

    // A label starting "ITEM:" in the first column is written after a space so that it does not
    // read back as an item line.
    const std::string first = header(0, 2, "name id x y z") + "ITEM:a 1 0 0 0\n" + " ITEM:b 2 0 0 0\n";
    CHECK_THAT(error_of([&] { read_text(first); }), Contains("truncated frame"));
    const auto ok = read_text(header(0, 2, "name id x y z") + "A 1 0 0 0\n" + " ITEM:b 2 0 0 0\n");
    REQUIRE(ok.size() == 1);
    CHECK(ok[0].labels[0] == strings{"A", "ITEM:b"});
    const std::string out = write_text(ok);
    CHECK_THAT(out, Contains("\n ITEM:b 2 0 0 0\n"));
    check_same(read_text(out), ok);
}

TEST_CASE("string columns: element -> type, stable over frames, new element in a later frame",
          "[io][lammps][strings]") {
    const std::string text = header(0, 3, "id element x y z") +
                             "1 Zr 0 0 0\n"
                             "2 Cu 1 1 1\n"
                             "3 Zr 2 2 2\n" +
                             header(1, 3, "id element x y z") +
                             "1 Cu 0 0 0\n"   // Cu first in this frame: still type 2
                             "2 Al 1 1 1\n"   // new: type 3
                             "3 Cu 2 2 2\n" +
                             header(2, 2, "id element x y z") +
                             "1 Al 0 0 0\n"
                             "2 Al 1 1 1\n";
    const auto frames = read_text(text);
    REQUIRE(frames.size() == 3);
    const frame& a = frames[0];
    CHECK(a.names == strings{"id", "element", "x", "y", "z", "type"});  // type appended
    CHECK(a.types() == std::vector<int>{1, 2, 1});
    CHECK(a.type_names == strings{"Zr", "Cu"});
    CHECK(a.is_string_column(1));
    CHECK_FALSE(a.is_string_column(5));  // the derived type column is numeric
    CHECK(a.integral[5] == 1);
    const frame& b = frames[1];
    CHECK(b.types() == std::vector<int>{2, 3, 2});
    CHECK(b.type_names == strings{"Zr", "Cu", "Al"});
    CHECK(labels_of(b, "element") == strings{"Cu", "Al", "Cu"});
    const frame& c = frames[2];
    CHECK(c.types() == std::vector<int>{3, 3});
    CHECK(c.type_names == strings{"Zr", "Cu", "Al"});  // every type seen so far, in order
    for (const auto& f : frames) {
        const auto t = f.types();
        for (std::size_t i = 0; i < f.natoms; ++i) CHECK(f.type_names[static_cast<std::size_t>(t[i]) - 1] == labels_of(f, "element")[i]);
    }

    // Written: numeric type + element; read back: the same columns, types and type names.
    const std::string out = write_text(frames);
    CHECK_THAT(out, Contains("ITEM: ATOMS id element x y z type\n1 Cu 0 0 0 2\n2 Al 1 1 1 3\n"));
    check_same(read_text(out), frames);
}

TEST_CASE("string columns: a `type` column of names becomes types 1..n and is written as names",
          "[io][lammps][strings]") {
    // OVITO can write named particle types in the type column.
    const std::string text = header(0, 3, "id type x y z") +
                             "1 Cu 0 0 0\n"
                             "2 Zr 1 1 1\n"
                             "3 Cu 2 2 2\n" +
                             header(1, 3, "id type x y z") +
                             "1 Zr 0 0 0\n"
                             "2 Zr 1 1 1\n"
                             "3 Ni 2 2 2\n";
    const auto frames = read_text(text);
    REQUIRE(frames.size() == 2);
    const frame& a = frames[0];
    CHECK(a.names == strings{"id", "type", "x", "y", "z"});
    CHECK(a.is_string_column(1));
    CHECK(a.label_base(1) == 1);
    CHECK(a.types() == std::vector<int>{1, 2, 1});
    CHECK(a.type_names == strings{"Cu", "Zr"});
    CHECK(a.labels[1] == strings{"Cu", "Zr"});
    CHECK(a.label(1, 1) == "Zr");
    const frame& b = frames[1];
    CHECK(b.types() == std::vector<int>{2, 2, 3});  // Zr stays 2
    CHECK(b.type_names == strings{"Cu", "Zr", "Ni"});
    CHECK(labels_of(b, "type") == strings{"Zr", "Zr", "Ni"});

    const std::string out = write_text(frames);
    CHECK_THAT(out, Contains("ITEM: ATOMS id type x y z\n1 Zr 0 0 0\n2 Zr 1 1 1\n3 Ni 2 2 2\n"));
    check_same(read_text(out), frames);

    // Replacing the column with numbers drops its labels: the writer then writes numbers.
    frame c = b;
    c.add_column("type", {2, 2, 3}, true);
    CHECK_FALSE(c.is_string_column(1));
    CHECK_THAT(write_text({c}), Contains("ITEM: ATOMS id type x y z\n1 2 0 0 0\n"));
}

TEST_CASE("string columns: numeric type with element keeps both, type_names only when consistent",
          "[io][lammps][strings]") {
    const std::string cols = "id type element x y z";
    // Type 3 without atoms in frame 0: "" until seen.
    const auto ok = read_text(header(0, 3, cols) + "1 4 Ni 0 0 0\n2 1 Cu 1 1 1\n3 2 Zr 2 2 2\n" +
                              header(1, 2, cols) + "1 3 Al 0 0 0\n2 1 Cu 1 1 1\n" +
                              header(2, 1, cols) + "1 2 Zr 0 0 0\n");
    REQUIRE(ok.size() == 3);
    CHECK(ok[0].names == strings{"id", "type", "element", "x", "y", "z"});  // nothing added
    CHECK(ok[0].types() == std::vector<int>{4, 1, 2});
    CHECK(values_of(ok[0], "element") == std::vector<double>{0, 1, 2});
    CHECK(ok[0].type_names == strings{"Cu", "Zr", "", "Ni"});
    CHECK(ok[1].type_names == strings{"Cu", "Zr", "Al", "Ni"});
    CHECK(ok[2].type_names == strings{"Cu", "Zr", "Al", "Ni"});  // remembered over frames
    check_same(read_text(write_text(ok)), ok);

    // One type with two elements: no type names, from then on.
    const auto bad = read_text(header(0, 2, cols) + "1 1 Cu 0 0 0\n2 1 Zr 1 1 1\n" +
                               header(1, 1, cols) + "1 1 Cu 0 0 0\n");
    REQUIRE(bad.size() == 2);
    CHECK(bad[0].type_names.empty());
    CHECK(bad[1].type_names.empty());
    CHECK(labels_of(bad[0], "element") == strings{"Cu", "Zr"});
    CHECK(bad[0].types() == std::vector<int>{1, 1});
    const auto later = read_text(header(0, 1, cols) + "1 1 Cu 0 0 0\n" + header(1, 1, cols) + "1 1 Zr 0 0 0\n");
    CHECK(later[0].type_names == strings{"Cu"});
    CHECK(later[1].type_names.empty());
    // Types that are not positive integers: no names for that frame.
    const auto odd = read_text(header(0, 2, cols) + "1 0 Cu 0 0 0\n2 1 Zr 1 1 1\n");
    CHECK(odd[0].type_names.empty());
}

TEST_CASE("string columns: a numeric column with a string on a later line is an error naming it",
          "[io][lammps][strings][errors]") {
    const std::string text = header(0, 3, "id type element x y z") +  // atom lines are lines 10..12
                             "1 1 29 0 0 0\n"
                             "2 2 40 1 1 1\n"
                             "3 2 Zr 2 2 2\n";
    const std::string msg = error_of([&] { read_text(text, "mixed.dump"); });
    CHECK_THAT(msg, Contains("mixed.dump:12: frame 0 (timestep 0): non-numeric value 'Zr' in column 'element'"));
    CHECK_THAT(msg, Contains("numeric in this frame"));
    CHECK_THAT(msg, Contains("first atom line, line 10"));
    // Coordinates, ids and image flags are never string columns.
    const auto numeric_only = [](const std::string& cols, const std::string& line, const std::string& col) {
        INFO(col);
        CHECK_THAT(error_of([&] { read_text(header(0, 1, cols) + line + "\n", "c.dump"); }),
                   Contains("c.dump:10: frame 0 (timestep 0): non-numeric value 'abc' in column '" + col + "'"));
    };
    numeric_only("id type x y z", "abc 1 0 0 0", "id");
    numeric_only("id type x y z", "1 1 abc 0 0", "x");
    for (const std::string col : {"ys", "zu", "xsu", "iz"}) numeric_only("id type x y z " + col, "1 1 0 0 0 abc", col);
    // Decided per frame, by the frame's first atom line: a string column in frame 0 may be
    // numeric in frame 1 (and keeps its label numbers when it is strings again in frame 2).
    const std::string cols = "id element x y z";
    const auto frames = read_text(header(0, 2, cols) + "1 Cu 0 0 0\n2 Zr 0 0 0\n" +
                                  header(1, 2, cols) + "1 29 0 0 0\n2 40 1 1 1\n" +
                                  header(2, 2, cols) + "1 Ni 0 0 0\n2 Cu 1 1 1\n");
    REQUIRE(frames.size() == 3);
    CHECK_FALSE(frames[1].is_string_column(1));
    CHECK(frames[1].labels[1].empty());
    CHECK(values_of(frames[1], "element") == std::vector<double>{29, 40});
    CHECK(frames[1].names == strings{"id", "element", "x", "y", "z"});  // no type derived from numbers
    CHECK(frames[1].type_names.empty());
    CHECK(frames[2].labels[1] == strings{"Cu", "Zr", "Ni"});
    CHECK(values_of(frames[2], "element") == std::vector<double>{2, 0});
    check_same(read_text(write_text(frames)), frames);
    const std::string late = header(0, 1, cols) + "1 Cu 0 0 0\n" + header(1, 2, cols) + "1 29 0 0 0\n2 Cu 1 1 1\n";
    CHECK_THAT(error_of([&] { read_text(late, "late.dump"); }),
               Contains("late.dump:21: frame 1 (timestep 1): non-numeric value 'Cu' in column 'element'"));
}

TEST_CASE("non-finite values: nan, -nan, inf, -inf in atom columns are read and written", "[io][lammps][nan]") {
    const double inf = std::numeric_limits<double>::infinity();
    const std::string text = header(0, 4, "id type x y z c_a c_b") +
                             "1 1 0 0 0 nan 1\n"  // nan on the first line: still a numeric column
                             "2 1 0 0 0 -nan inf\n"
                             "3 1 0 0 0 NaN -inf\n"
                             "4 1 0 0 nan +Infinity -INF\n";
    const auto frames = read_text(text);
    REQUIRE(frames.size() == 1);
    const frame& f = frames[0];
    CHECK_FALSE(f.is_string_column(5));
    CHECK(f.labels[5].empty());
    const auto a = values_of(f, "c_a"), b = values_of(f, "c_b");
    CHECK(std::isnan(a[0]));
    CHECK(std::isnan(a[1]));
    CHECK(std::isnan(a[2]));
    CHECK(a[3] == inf);
    CHECK(b == std::vector<double>{1, inf, -inf, -inf});
    CHECK(std::isnan(values_of(f, "z")[3]));
    CHECK(f.integral[5] == 0);
    CHECK(f.integral[6] == 0);
    CHECK(f.integral[2] == 1);  // x: 0 0 0 0

    const std::string out = write_text(frames);
    CHECK_THAT(out, Contains("ITEM: ATOMS id type x y z c_a c_b\n1 1 0 0 0 nan 1\n2 1 0 0 0 nan inf\n"
                             "3 1 0 0 0 nan -inf\n4 1 0 0 nan inf -inf\n"));
    check_same(read_text(out), frames);

    // Fixed precision too; and a frame built in code.
    frame g;
    g.natoms = 3;
    g.box = tessera::orthogonal_box<double>({0, 0, 0}, {1, 1, 1});
    g.add_column("id", {1, 2, 3}, true);
    g.add_column("v", {-std::nan(""), inf, -inf});
    g.add_column("n", {std::nan(""), 2, 3}, true);
    std::ostringstream os;
    lammps_dump_writer w(os);
    w.set_precision(6);
    w.write(g);
    CHECK_THAT(os.str(), Contains("ITEM: ATOMS id v n\n1 nan nan\n2 inf 2\n3 -inf 3\n"));
}

TEST_CASE("non-finite values: the header must stay finite", "[io][lammps][nan][errors]") {
    const std::string good = header(0, 1, "id x y z") + "1 0 0 0\n";
    auto bad = good;
    bad.replace(bad.find("0 10\n0 10\n0 10"), 14, "0 10\n0 nan\n0 10");
    CHECK_THAT(error_of([&] { read_text(bad, "h.dump"); }), Contains("h.dump:7: frame 0 (timestep 0): non-finite value 'nan' in column 'box y'"));
    bad = "ITEM: TIME\ninf\n" + good;
    CHECK_THAT(error_of([&] { read_text(bad, "h.dump"); }), Contains("h.dump:2: frame 0: expected one finite number after 'ITEM: TIME'"));
    bad = good;
    bad.replace(bad.find("ATOMS\n1"), 7, "ATOMS\nnan");
    CHECK_THAT(error_of([&] { read_text(bad, "h.dump"); }), Contains("h.dump:4: frame 0 (timestep 0): expected one integer (the number of atoms)"));
    // An id must be an integer, whatever the column's other values.
    bad = good;
    bad.replace(bad.find("1 0 0 0"), 7, "nan 0 0 0");
    CHECK_THAT(error_of([&] { read_text(bad, "h.dump"); }), Contains("h.dump:10: frame 0 (timestep 0): atom id nan is not an integer"));
}

TEST_CASE("string columns: LAMMPS dump custom ... element with inf and -nan (real LAMMPS output)",
          "[io][lammps][strings][nan]") {
    const std::string path = std::string(TESSERA_TEST_DATA_DIR) + "/strings/element_nan.dump";
    lammps_dump_reader r(path);
    std::vector<frame> frames;
    frame f;
    while (r.next(f)) frames.push_back(f);
    REQUIRE(frames.size() == 2);
    const double inf = std::numeric_limits<double>::infinity();
    for (const auto& fr : frames) {
        CHECK(fr.names == strings{"id", "type", "element", "x", "y", "z", "v_big", "v_bad", "v_neg", "v_allnan"});
        CHECK(fr.natoms == 12);
        CHECK(fr.is_string_column(2));
        for (std::size_t c : {0, 1, 3, 4, 5, 6, 7, 8, 9}) CHECK_FALSE(fr.is_string_column(c));
        const auto big = values_of(fr, "v_big"), bad = values_of(fr, "v_bad"), neg = values_of(fr, "v_neg");
        const auto x = values_of(fr, "x");
        for (std::size_t i = 0; i < fr.natoms; ++i) {
            INFO("atom " << i + 1);
            if (x[i] == 0) {
                CHECK(big[i] == 1);
                CHECK(bad[i] == 0);
                CHECK(neg[i] == -1);
            } else {
                CHECK(big[i] == inf);
                CHECK(std::isnan(bad[i]));
                CHECK(neg[i] == -inf);
            }
            CHECK(std::isnan(values_of(fr, "v_allnan")[i]));
        }
        // Numeric types with consistent elements: type t is type_names[t-1], as dump_modify element said.
        const auto t = fr.types();
        const auto el = labels_of(fr, "element");
        for (std::size_t i = 0; i < fr.natoms; ++i)
            CHECK(fr.type_names.at(static_cast<std::size_t>(t[i]) - 1) == el[i]);
    }
    CHECK(frames[0].labels[2] == strings{"Cu", "Zr"});
    CHECK(frames[0].type_names == strings{"Cu", "Zr"});
    CHECK(frames[1].labels[2] == strings{"Cu", "Zr", "Al"});
    CHECK(frames[1].type_names == strings{"Cu", "Zr", "Al"});
    CHECK(labels_of(frames[1], "element")[4] == "Al");
    CHECK(frames[1].types()[8] == 3);

    const std::string out = write_text(frames);
    CHECK_THAT(out, Contains("\n2 1 Cu 1.5 1.5 1.5 inf nan -inf nan\n"));
    CHECK_THAT(out, Contains("\n5 3 Al 0 3 0 1 0 -1 nan\n"));
    check_same(read_text(out), frames);
}

TEST_CASE("string columns: OVITO-style export with named types, a structure column and a tilted box",
          "[io][lammps][strings]") {
    // Hand-written in the layout of OVITO's LAMMPS dump export (named particle types and a
    // structure-type name per atom, CRLF line ends, triclinic bounding box).
    const std::string text =
        "ITEM: TIMESTEP\r\n"
        "1000\r\n"
        "ITEM: NUMBER OF ATOMS\r\n"
        "5\r\n"
        "ITEM: BOX BOUNDS xy xz yz pp pp pp\r\n"
        "-0.5 20.5 0.5\r\n"
        "0 20 0\r\n"
        "0 20 0\r\n"
        "ITEM: ATOMS id type x y z c_pe structure\r\n"
        "1 Cu 0.1 0.2 0.3 -3.54 FCC\r\n"
        "2 Zr 5.5 5.5 5.5 -6.1 Other\r\n"
        "3 Cu 10 10 10 -3.5 HCP\r\n"
        "4 Al 12 1 3 nan Other\r\n"
        "5 Zr 1 12 3 -6.2 FCC\r\n";
    const auto frames = read_text(text);
    REQUIRE(frames.size() == 1);
    const frame& f = frames[0];
    CHECK(std::holds_alternative<tessera::triclinic_box<double>>(f.box));
    CHECK(f.types() == std::vector<int>{1, 2, 1, 3, 2});
    CHECK(f.type_names == strings{"Cu", "Zr", "Al"});
    CHECK(labels_of(f, "structure") == strings{"FCC", "Other", "HCP", "Other", "FCC"});
    CHECK(std::isnan(values_of(f, "c_pe")[3]));
    CHECK(f.positions()[1] == std::array<double, 3>{5.5, 5.5, 5.5});
    const std::string out = write_text(frames);
    CHECK_THAT(out, Contains("ITEM: ATOMS id type x y z c_pe structure\n1 Cu 0.1 0.2 0.3 -3.54 FCC\n"));
    CHECK_THAT(out, Contains("\n4 Al 12 1 3 nan Other\n"));
    check_same(read_text(out), frames);
}

TEST_CASE("frame: string-column accessors and add_string_column", "[io][frame][strings]") {
    frame f;
    f.natoms = 4;
    f.add_column("id", {1, 2, 3, 4}, true);
    f.add_string_column("element", {"Ni", "Al", "Ni", "Ni"});
    f.add_string_column("type", {"B", "A", "B", "C"});
    CHECK(f.labels.size() == 3);
    CHECK(f.labels[1] == strings{"Ni", "Al"});
    CHECK(values_of(f, "element") == std::vector<double>{0, 1, 0, 0});
    CHECK(f.types() == std::vector<int>{1, 2, 1, 3});
    CHECK(f.label(2, 3) == "C");
    CHECK(f.label(1, 1) == "Al");
    CHECK_THAT(error_of([&] { (void)f.label(0, 0); }), Contains("'id' is not a string column"));
    CHECK_THAT(error_of([&] { (void)f.label(1, 4); }), Contains("out of range"));
    CHECK_THAT(error_of([&] { f.add_string_column("bad", {"a", "b c", "d", "e"}); }), Contains("whitespace"));
    CHECK_THAT(error_of([&] { f.add_string_column("bad", {"a"}); }), Contains("1 values for 4 atoms"));
    f.columns[1][2] = 5;  // not a label number
    CHECK_THAT(error_of([&] { (void)f.label(1, 2); }), Contains("not a label number"));
    f.box = tessera::orthogonal_box<double>({0, 0, 0}, {1, 1, 1});
    CHECK_THAT(error_of([&] { write_text({f}); }), Contains("string column 'element' row 2 holds 5"));
    f.columns[1][2] = 0;
    f.labels[1][0] = "N i";
    CHECK_THAT(error_of([&] { write_text({f}); }), Contains("label 'N i', which is empty or contains whitespace"));
    f.labels[1][0] = "Ni";
    CHECK_THAT(write_text({f}), Contains("ITEM: ATOMS id element type\n1 Ni B\n2 Al A\n3 Ni B\n4 Ni C\n"));
    // A frame assembled by hand without labels is all numeric.
    frame g;
    g.natoms = 1;
    g.names = {"id", "x", "y", "z"};
    g.columns = {{1}, {0}, {0}, {0}};
    g.integral = {1, 0, 0, 0};
    g.box = tessera::orthogonal_box<double>({0, 0, 0}, {1, 1, 1});
    CHECK_FALSE(g.is_string_column(0));
    CHECK_THAT(write_text({g}), Contains("ITEM: ATOMS id x y z\n1 0 0 0\n"));
    g.add_column("c", {7});
    CHECK(g.labels.size() == 5);
}

TEST_CASE("string columns: many distinct labels and numeric columns in one frame", "[io][lammps][strings]") {
    // More labels than the linear-scan threshold: the hash lookup must agree with first appearance.
    std::mt19937 rng(7);
    std::string text = header(0, 2000, "id name x y z");
    strings expected_labels, per_atom;
    for (int i = 0; i < 2000; ++i) {
        const std::string l = "L" + std::to_string(rng() % 300);
        per_atom.push_back(l);
        if (std::find(expected_labels.begin(), expected_labels.end(), l) == expected_labels.end())
            expected_labels.push_back(l);
        text += std::to_string(i + 1) + " " + l + " " + std::to_string(i * 0.001) + " 0 0\n";
    }
    const auto frames = read_text(text);
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].labels[1] == expected_labels);
    CHECK(labels_of(frames[0], "name") == per_atom);
    check_same(read_text(write_text(frames)), frames);
}
