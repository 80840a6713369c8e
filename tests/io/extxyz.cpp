// Tests for tessera/io/extxyz.hpp.
#include <tessera/io/extxyz.hpp>
#include <tessera/io/lammps_dump.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using tessera::extxyz_reader;
using tessera::frame;

namespace {

fs::path temp_path(const std::string& name) {
    static const std::string tag = std::to_string(std::random_device{}());
    return fs::temp_directory_path() / ("tessera_xyz_test_" + tag + "_" + name);
}

template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const tessera::error& e) {
        return e.what();
    }
    return "<no tessera::error thrown>";
}

const std::string good =
    "3\n"                                                                                       // 1
    "Lattice=\"10 0 0 0 11 0 0 0 12\" Properties=species:S:1:pos:R:3 pbc=\"T T F\" Time=1.5 step=40\n"  // 2
    "Cu 0 0 0\n"                                                                                // 3
    "Zr 1 2 3\n"                                                                                // 4
    "Cu 4 5 6\n";                                                                               // 5

std::string replace(std::string s, const std::string& from, const std::string& to) {
    const auto k = s.find(from);
    REQUIRE(k != std::string::npos);
    return s.replace(k, from.size(), to);
}

void check_malformed(const std::string& text, int line, const std::string& reason) {
    const fs::path p = temp_path("bad.xyz");
    std::ofstream(p, std::ios::binary) << text;
    const std::string msg = error_of([&] {
        extxyz_reader r(p);
        frame f;
        while (r.next(f)) {
        }
    });
    INFO(text);
    CHECK_THAT(msg, Contains(p.string() + ":" + std::to_string(line) + ": ") && Contains(reason));
    fs::remove(p);
}

}  // namespace

TEST_CASE("extxyz: orthogonal cell, species, pbc, time and step", "[io][extxyz]") {
    auto r = extxyz_reader::from_string(good, "g.xyz");
    frame f;
    REQUIRE(r.next(f));
    CHECK(f.natoms == 3);
    CHECK(f.timestep == 40);
    REQUIRE(f.time);
    CHECK(*f.time == 1.5);
    CHECK(f.names == std::vector<std::string>{"id", "type", "x", "y", "z"});
    CHECK(f.ids() == std::vector<std::int64_t>{1, 2, 3});
    CHECK(f.types() == std::vector<int>{1, 2, 1});
    CHECK(f.type_names == std::vector<std::string>{"Cu", "Zr"});
    const auto& b = std::get<tessera::orthogonal_box<double>>(f.box);
    CHECK(b.hi() == tessera::vec3<double>{10, 11, 12});
    CHECK(b.periodic_axes() == tessera::periodicity{true, true, false});
    CHECK(f.positions()[1] == std::array<double, 3>{1, 2, 3});
    CHECK_FALSE(r.next(f));
}

TEST_CASE("extxyz: upper-triangular lattice maps directly to a triclinic box", "[io][extxyz]") {
    const std::string text = "1\nLattice=\"10 0 0 -2 9 0 1.5 0.5 8\" Origin=\"1 2 3\"\nAl 1 2 3\n";
    auto r = extxyz_reader::from_string(text);
    frame f;
    REQUIRE(r.next(f));
    const auto& b = std::get<tessera::triclinic_box<double>>(f.box);
    CHECK(b.lo() == tessera::vec3<double>{1, 2, 3});
    CHECK(b.hi() == tessera::vec3<double>{11, 11, 11});
    CHECK(b.xy() == -2);
    CHECK(b.xz() == 1.5);
    CHECK(b.yz() == 0.5);
    CHECK(b.periodic_axes() == tessera::fully_periodic);  // default with a Lattice
    CHECK(r.rotation() == tessera::mat3<double>::identity());
}

TEST_CASE("extxyz: a general cell is rotated into the LAMMPS frame", "[io][extxyz]") {
    // A LAMMPS cell and fractional positions, rotated by Q (about the axis (1,2,3), 0.7 rad).
    const tessera::triclinic_box<double> ref({0, 0, 0}, {9, 8, 7}, 1.5, -2, 0.75);
    const tessera::vec3<double> axis = tessera::vec3<double>{1, 2, 3} / std::sqrt(14.0);
    const double c = std::cos(0.7), s = std::sin(0.7);
    tessera::mat3<double> Q;
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) {
            const double k[3][3] = {{0, -axis.z, axis.y}, {axis.z, 0, -axis.x}, {-axis.y, axis.x, 0}};
            Q(i, j) = (i == j ? c : 0) + (1 - c) * axis[i] * axis[j] + s * k[i][j];
        }
    const tessera::mat3<double> hq = Q * ref.cell();
    const std::vector<tessera::vec3<double>> frac{{0.1, 0.2, 0.3}, {0.9, 0.5, 0.05}};
    std::ostringstream os;
    os.precision(17);
    os << frac.size() << "\nLattice=\"";
    for (std::size_t v = 0; v < 3; ++v)
        for (std::size_t d = 0; d < 3; ++d) os << hq(d, v) << (v == 2 && d == 2 ? "\"" : " ");
    os << " Properties=species:S:1:pos:R:3:velo:R:3:Z:I:1:fixed:L:1:dipole:R:2\n";
    for (const auto& fr : frac) {
        const auto r = Q * ref.from_fractional(fr);
        const auto v = Q * tessera::vec3<double>{1, 0, 0};
        os << "Ni " << r.x << ' ' << r.y << ' ' << r.z << ' ' << v.x << ' ' << v.y << ' ' << v.z << " 28 T 0.5 -1\n";
    }
    auto reader = extxyz_reader::from_string(os.str());
    frame f;
    REQUIRE(reader.next(f));
    CHECK(f.names == std::vector<std::string>{"id", "type", "x", "y", "z", "vx", "vy", "vz", "Z", "fixed",
                                              "dipole[1]", "dipole[2]"});
    const auto& b = std::get<tessera::triclinic_box<double>>(f.box);
    CHECK(b.hi().x == Approx(9).epsilon(1e-13));
    CHECK(b.hi().y == Approx(8).epsilon(1e-13));
    CHECK(b.hi().z == Approx(7).epsilon(1e-13));
    CHECK(b.xy() == Approx(1.5).epsilon(1e-13));
    CHECK(b.xz() == Approx(-2).epsilon(1e-13));
    CHECK(b.yz() == Approx(0.75).epsilon(1e-13));
    const auto pos = f.positions();
    for (std::size_t i = 0; i < frac.size(); ++i) {
        const auto r = ref.from_fractional(frac[i]);
        for (std::size_t d = 0; d < 3; ++d) CHECK(pos[i][d] == Approx(r[d]).margin(1e-12));
    }
    CHECK(f.column("vx")[0] == Approx(1).margin(1e-14));  // velocities rotated back too
    CHECK(f.column("vy")[0] == Approx(0).margin(1e-14));
    CHECK(f.column("Z")[1] == 28);
    CHECK(f.column("fixed")[0] == 1);
    CHECK(f.column("dipole[2]")[1] == -1);
    const auto R = reader.rotation();  // = Q^T
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) CHECK(R(i, j) == Approx(Q(j, i)).margin(1e-14));
}

TEST_CASE("extxyz: streaming frames, species numbered across the file, plain xyz", "[io][extxyz]") {
    const std::string text = "2\nplain comment\nO 0 0 0\nH 1 0 0\n1\n\nH 0 0 1\n2\nstep=9\nC 1 1 1\nO 2 2 2\n\n";
    auto r = extxyz_reader::from_string(text);
    frame f;
    REQUIRE(r.next(f));
    CHECK(f.timestep == 0);
    CHECK(std::holds_alternative<tessera::open_box<double>>(f.box));
    CHECK(f.types() == std::vector<int>{1, 2});
    REQUIRE(r.skip());
    REQUIRE(r.next(f));
    CHECK(f.timestep == 9);
    CHECK(f.types() == std::vector<int>{3, 1});
    CHECK(f.type_names == std::vector<std::string>{"O", "H", "C"});
    CHECK_FALSE(r.next(f));
    CHECK(r.frames() == 3);
    // a box-less frame is written as a LAMMPS dump with the atoms' bounding box, non-periodic
    std::ostringstream os;
    tessera::lammps_dump_writer(os).write(f);
    CHECK_THAT(os.str(), Contains("ITEM: BOX BOUNDS ff ff ff\n0.5 2.5\n0.5 2.5\n0.5 2.5\nITEM: ATOMS id type x y z\n1 3 1 1 1\n"));
}

TEST_CASE("extxyz: an explicit type beats species, one-column strings are string columns", "[io][extxyz]") {
    const std::string text =
        "3\nProperties=species:S:1:pos:R:3:type:I:1:site:S:1:tags:S:2\n"
        "Cu 0 0 0 2 a p q\nZr 1 1 1 1 b p q\nCu 2 2 2 2 a p q\n";
    auto r = extxyz_reader::from_string(text);
    frame f;
    REQUIRE(r.next(f));
    CHECK(f.names == std::vector<std::string>{"id", "x", "y", "z", "type", "site"});  // tags (2 columns): skipped
    CHECK(f.types() == std::vector<int>{2, 1, 2});  // the file's numbers, not species order
    CHECK(f.type_names.empty());
    const auto site = static_cast<std::size_t>(f.column_index("site"));
    REQUIRE(f.is_string_column(site));
    CHECK(f.labels[site] == std::vector<std::string>{"a", "b"});
    CHECK(f.columns[site] == std::vector<double>{0, 1, 0});
    CHECK(f.label(site, 2) == "a");
}

TEST_CASE("extxyz: read from a file, written as a LAMMPS dump, read back identically", "[io][extxyz]") {
    const fs::path p = temp_path("in.xyz");
    std::ofstream(p) << good << good;
    extxyz_reader r(p);
    frame f, g;
    REQUIRE(r.next(f));
    REQUIRE(r.next(f));
    std::ostringstream os;
    tessera::lammps_dump_writer(os).write(f);
    auto back = tessera::lammps_dump_reader::from_string(os.str());
    REQUIRE(back.next(g));
    CHECK(g.names == f.names);
    CHECK(g.columns == f.columns);
    CHECK(g.box_flags == "pp pp ff");
    fs::remove(p);
}

TEST_CASE("extxyz: nan and inf in real properties are read as NaN and infinities", "[io][extxyz]") {
    const std::string text = replace(replace(replace(replace(good, "species:S:1:pos:R:3", "species:S:1:pos:R:3:e:R:1:n:I:1"),
                                                     "Cu 0 0 0", "Cu 0 0 0 nan 1"),
                                             "Zr 1 2 3", "Zr 1 2 -inf -NaN 2"),
                                     "Cu 4 5 6", "Cu 4 5 6 +Infinity 3");
    auto r = extxyz_reader::from_string(text, "n.xyz");
    frame f;
    // -NaN in the real column e is fine; the integer column n needs integers.
    REQUIRE(r.next(f));
    const auto z = f.column("z"), e = f.column("e"), n = f.column("n");
    CHECK(z[1] == -std::numeric_limits<double>::infinity());
    CHECK(std::isnan(e[0]));
    CHECK(std::isnan(e[1]));
    CHECK(e[2] == std::numeric_limits<double>::infinity());
    CHECK(n[2] == 3);
    CHECK_THAT(error_of([&] {
                   auto bad = extxyz_reader::from_string(replace(text, "-NaN 2", "-NaN nan"), "n.xyz");
                   bad.next(f);
               }),
               Contains("n.xyz:4: frame 0: non-integer value 'nan' in integer column 'n'"));
}

TEST_CASE("extxyz: malformed input names file, line and reason", "[io][extxyz][errors]") {
    check_malformed(replace(good, "3\n", "three\n"), 1, "expected the number of atoms (one integer), found 'three'");
    check_malformed(replace(good, "3\n", "-3\n"), 1, "negative number of atoms: -3");
    check_malformed("3\n", 2, "unexpected end of file: missing comment line");
    check_malformed(replace(good, "Cu 4 5 6\n", ""), 5, "missing atom line 3 of 3 (truncated frame)");
    check_malformed(good + "2\n\nCu 1 1 1\n", 9, "missing atom line 2 of 2");
    check_malformed(replace(good, "Zr 1 2 3", "Zr 1 2"), 4, "atom line has 3 fields, expected 4 from Properties");
    check_malformed(replace(good, "Zr 1 2 3", "Zr 1 two 3"), 4, "non-numeric value 'two' in column 'y'");
    check_malformed(replace(good, "Zr 1 2 3", "Zr 1 2 NaNo"), 4, "non-numeric value 'NaNo' in column 'z'");
    check_malformed(replace(good, "0 0 12\"", "0 0 nan\""), 2, "non-finite value 'nan' in column 'Lattice'");
    check_malformed(replace(good, "Time=1.5", "Time=inf"), 2, "non-finite value 'inf' in column 'Time'");
    check_malformed(replace(good, "0 0 12\"", "0 0\""), 2, "Lattice needs 9 numbers");
    check_malformed(replace(good, "0 0 12\"", "0 0 inf\""), 2, "non-finite value 'inf' in column 'Lattice'");
    check_malformed(replace(good, "Time=1.5", "Time=\"1.5"), 2, "unterminated quote in value of 'Time'");
    check_malformed(replace(good, "pos:R:3", "pos:R"), 2, "Properties must be name:type:count triples");
    check_malformed(replace(good, "pos:R:3", "pos:X:3"), 2, "property 'pos' has type 'X', expected S, R, I or L");
    check_malformed(replace(good, "pos:R:3", "pos:R:2"), 2, "property 'pos' must have 3 columns");
    check_malformed(replace(good, "pbc=\"T T F\"", "pbc=\"T T\""), 2, "pbc needs three of T/F");
    check_malformed(replace(good, "step=40", "step=4.5"), 2, "step must be an integer, found '4.5'");
    check_malformed(replace(good, "Lattice=\"10 0 0 0 11 0 0 0 12\" ", ""), 2, "pbc has T but there is no Lattice");
    check_malformed(replace(good, "10 0 0 0 11 0 0 0 12", "0 11 0 10 0 0 0 0 12"), 2, "Lattice is left-handed or degenerate");
    check_malformed(replace(good, "species:S:1:pos:R:3", "species:S:1:pos:R:3:n:I:1"), 3, "atom line has 4 fields, expected 5");
    check_malformed(replace(replace(replace(replace(good, "species:S:1:pos:R:3", "species:S:1:pos:R:3:n:I:1"), "Cu 0 0 0", "Cu 0 0 0 1"), "Zr 1 2 3", "Zr 1 2 3 2.5"), "Cu 4 5 6", "Cu 4 5 6 1"),
                    4, "non-integer value '2.5' in integer column 'n'");
    check_malformed(replace(good, "species:S:1:pos:R:3", "species:S:1:pos:R:3:x:R:1"), 2, "duplicate column 'x' from Properties");
}

// Malformed-input catalogue (issue 22): an id property must hold distinct ids, as in a dump
// (lens, d2min and the other two-frame commands match atoms by id); before, duplicates passed.
TEST_CASE("extxyz: duplicate ids in an id property are an error naming both lines", "[io][extxyz][errors]") {
    const std::string ids = "3\nProperties=id:I:1:species:S:1:pos:R:3\n7 Cu 0 0 0\n9 Cu 1 1 1\n7 Cu 2 2 2\n";
    check_malformed(ids, 5, "frame 0: duplicate atom id 7 (first on line 3)");
    check_malformed(good + ids, 10, "frame 1: duplicate atom id 7 (first on line 8)");
    auto r = extxyz_reader::from_string(replace(ids, "7 Cu 2 2 2", "8 Cu 2 2 2"), "ok.xyz");
    frame f;
    REQUIRE(r.next(f));
    CHECK(f.first_line == 3);
    CHECK(f.columns[0] == std::vector<double>{7, 9, 8});
    // a real-valued id property must still hold integers (it was not checked before the readers
    // shared io/detail/atom_ids.hpp)
    check_malformed(replace(replace(ids, "id:I:1", "id:R:1"), "9 Cu", "9.5 Cu"), 4, "frame 0: atom id 9.5 is not an integer");
}

// Species were looked up by a scan of all species seen so far: a frame of n atoms with n
// distinct species names took n²/2 string comparisons (10^5 atoms: 5·10^9, minutes; 10^6: a
// hang). Now a hash beyond the first 8. Every atom must get its own type, numbered in order of
// first appearance, and the names must come back as type_names; the second frame reuses them.
TEST_CASE("extxyz: many distinct species are numbered in order of appearance", "[io][extxyz]") {
    const std::size_t n = 100000;
    std::string text;
    for (int frame_no = 0; frame_no < 2; ++frame_no) {
        text += std::to_string(n) + "\nProperties=species:S:1:pos:R:3\n";
        for (std::size_t i = 0; i < n; ++i) text += "E" + std::to_string(frame_no == 0 ? i : n - 1 - i) + " 0 0 " + std::to_string(i) + "\n";
    }
    auto r = extxyz_reader::from_string(text, "species.xyz");
    frame f;
    REQUIRE(r.next(f));
    const auto types = f.types();
    REQUIRE(types.size() == n);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < n; ++i) wrong += types[i] != int(i + 1);
    CHECK(wrong == 0);
    REQUIRE(f.type_names.size() == n);
    CHECK(f.type_names[0] == "E0");
    CHECK(f.type_names[n - 1] == "E" + std::to_string(n - 1));
    REQUIRE(r.next(f));  // reversed order: the same names keep their numbers
    const auto again = f.types();
    wrong = 0;
    for (std::size_t i = 0; i < n; ++i) wrong += again[i] != int(n - i);
    CHECK(wrong == 0);
}
