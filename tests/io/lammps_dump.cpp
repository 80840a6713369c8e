// Tests for tessera/io/lammps_dump.hpp and tessera/core/frame.hpp.
#include <tessera/io/lammps_dump.hpp>

#include <catch2/catch.hpp>
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using tessera::frame;
using tessera::lammps_dump_reader;
using tessera::lammps_dump_writer;

namespace {

fs::path temp_path(const std::string& name) {
    static const std::string tag = std::to_string(std::random_device{}());
    return fs::temp_directory_path() / ("tessera_io_test_" + tag + "_" + name);
}

fs::path write_file(const std::string& name, const std::string& text) {
    const fs::path p = temp_path(name);
    std::ofstream(p, std::ios::binary) << text;
    return p;
}

fs::path write_gz(const std::string& name, const std::string& text) {
    const fs::path p = temp_path(name);
    gzFile g = gzopen(p.string().c_str(), "wb");
    REQUIRE(g != nullptr);
    REQUIRE(gzwrite(g, text.data(), static_cast<unsigned>(text.size())) == static_cast<int>(text.size()));
    REQUIRE(gzclose(g) == Z_OK);
    return p;
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

std::vector<frame> read_all(const fs::path& p) {
    lammps_dump_reader r(p);
    std::vector<frame> out;
    frame f;
    while (r.next(f)) out.push_back(f);
    return out;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

const std::string good =
    "ITEM: TIMESTEP\n"              // 1
    "0\n"                           // 2
    "ITEM: NUMBER OF ATOMS\n"       // 3
    "3\n"                           // 4
    "ITEM: BOX BOUNDS pp pp pp\n"   // 5
    "0 10\n"                        // 6
    "0 10\n"                        // 7
    "0 10\n"                        // 8
    "ITEM: ATOMS id type x y z\n"   // 9
    "1 1 0 0 0\n"                   // 10
    "2 1 1 1 1\n"                   // 11
    "3 2 2 2 2\n";                  // 12

std::string replace(std::string s, const std::string& from, const std::string& to) {
    const auto k = s.find(from);
    REQUIRE(k != std::string::npos);
    return s.replace(k, from.size(), to);
}

// Reads every frame of `text` from a temp file; the error must name the file, line and reason.
void check_malformed(const std::string& text, int line, const std::string& reason) {
    const fs::path p = write_file("bad.dump", text);
    const std::string msg = error_of([&] { read_all(p); });
    INFO(text);
    CHECK_THAT(msg, Contains(p.string() + ":" + std::to_string(line) + ": ") && Contains(reason));
    fs::remove(p);
}

frame random_frame(bool triclinic, std::uint32_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(-1, 1);
    frame f;
    f.timestep = 123456789012LL;
    f.natoms = 200;
    if (triclinic) {
        f.box = tessera::triclinic_box<double>({-1.25, 0.5, -3}, {20.1, 18.3, 17.7}, -3.3, 2.1, -0.7,
                                               {true, false, true});
        f.box_flags = "pp fs pp";
    } else {
        f.box = tessera::orthogonal_box<double>({0, -5, 0.1}, {10.0 / 3, 5, 7.7}, {true, true, false});
        f.box_flags = "pp pp fm";
    }
    std::vector<double> id(f.natoms), type(f.natoms), x(f.natoms), y(f.natoms), z(f.natoms), pe(f.natoms);
    for (std::size_t i = 0; i < f.natoms; ++i) {
        id[i] = static_cast<double>(f.natoms - i) * 7;  // unsorted, large
        type[i] = 1 + static_cast<double>(i % 3);
        x[i] = u(rng) * 10;
        y[i] = u(rng) * 1e-7;
        z[i] = u(rng) * 1e9;
        pe[i] = std::ldexp(u(rng), -1040 + static_cast<int>(i % 60) * 34);  // subnormal .. huge
    }
    pe[0] = -0.0;
    pe[1] = 0.1;
    pe[2] = 5e-324;
    pe[3] = 1.7976931348623157e308;
    f.add_column("id", id, true);
    f.add_column("type", type, true);
    f.add_column("x", x);
    f.add_column("y", y);
    f.add_column("z", z);
    f.add_column("c_pe", pe);
    return f;
}

void check_same_columns(const frame& a, const frame& b) {
    REQUIRE(a.names == b.names);
    REQUIRE(a.natoms == b.natoms);
    for (std::size_t c = 0; c < a.names.size(); ++c)
        for (std::size_t i = 0; i < a.natoms; ++i) {
            INFO(a.names[c] << " row " << i << ": " << a.columns[c][i] << " vs " << b.columns[c][i]);
            REQUIRE(same_bits(a.columns[c][i], b.columns[c][i]));
        }
}

void check_rel(double a, double b) { CHECK(std::abs(a - b) <= 1e-15 * std::max(1.0, std::abs(a))); }

}  // namespace

TEST_CASE("lammps dump: orthogonal round trip is bit exact", "[io][lammps]") {
    const frame f = random_frame(false, 1);
    const fs::path p = temp_path("ortho.dump");
    {
        lammps_dump_writer w(p);
        w.write(f);
    }
    const auto frames = read_all(p);
    REQUIRE(frames.size() == 1);
    const frame& g = frames[0];
    CHECK(g.timestep == f.timestep);
    CHECK(g.box_flags == "pp pp fm");
    check_same_columns(f, g);
    CHECK(g.integral[0] == 1);  // id
    CHECK(g.integral[2] == 0);  // x
    const auto& b = std::get<tessera::orthogonal_box<double>>(g.box);
    const auto& b0 = std::get<tessera::orthogonal_box<double>>(f.box);
    CHECK(b.lo() == b0.lo());
    CHECK(b.hi() == b0.hi());
    CHECK(b.periodic_axes() == tessera::periodicity{true, true, false});
    std::ifstream in(p);
    std::string text((std::istreambuf_iterator<char>(in)), {});
    CHECK_THAT(text, Contains("ITEM: ATOMS id type x y z c_pe\n1400 1 "));  // integers written as such
    fs::remove(p);
}

TEST_CASE("lammps dump: triclinic round trip", "[io][lammps]") {
    const frame f = random_frame(true, 2);
    std::stringstream ss;
    lammps_dump_writer(ss, "mem").write(f);
    const std::string text = ss.str();
    CHECK_THAT(text, Contains("ITEM: BOX BOUNDS xy xz yz pp fs pp\n"));
    auto r = lammps_dump_reader::from_string(text, "mem");
    frame g;
    REQUIRE(r.next(g));
    CHECK_FALSE(r.next(g));
    check_same_columns(f, g);
    const auto& b = std::get<tessera::triclinic_box<double>>(g.box);
    const auto& b0 = std::get<tessera::triclinic_box<double>>(f.box);
    for (std::size_t d = 0; d < 3; ++d) {
        check_rel(b.lo()[d], b0.lo()[d]);
        check_rel(b.hi()[d], b0.hi()[d]);
    }
    check_rel(b.xy(), b0.xy());
    check_rel(b.xz(), b0.xz());
    check_rel(b.yz(), b0.yz());
    CHECK(b.periodic_axes() == tessera::periodicity{true, false, true});
}

TEST_CASE("lammps dump: triclinic bounding box conversion, hand-computed", "[io][lammps]") {
    SECTION("negative xy, yz; positive xz") {
        // min(0, xy, xz, xy+xz) = min(0, -1.5, 0.5, -1) = -1.5; max(...) = 0.5; min(0, yz) = -0.25
        const std::string text = replace(good, "ITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\n",
                                         "ITEM: BOX BOUNDS xy xz yz pp pp pp\n-1.5 10.5 -1.5\n-0.25 10 0.5\n0 10 -0.25\n");
        auto r = lammps_dump_reader::from_string(text);
        frame f;
        REQUIRE(r.next(f));
        const auto& b = std::get<tessera::triclinic_box<double>>(f.box);
        CHECK(b.lo() == tessera::vec3<double>{0, 0, 0});
        CHECK(b.hi() == tessera::vec3<double>{10, 10, 10});
        CHECK(b.xy() == -1.5);
        CHECK(b.xz() == 0.5);
        CHECK(b.yz() == -0.25);
    }
    SECTION("writer emits the bounding box: xy = 2, xz = -3, yz = 1") {
        frame f;
        f.natoms = 1;
        f.box = tessera::triclinic_box<double>({1, 0, 2}, {11, 5, 4}, 2, -3, 1);
        f.add_column("x", {1.5});
        std::ostringstream os;
        lammps_dump_writer(os).write(f);
        // xlo_b = 1 + min(0,2,-3,-1) = -2, xhi_b = 11 + max(0,2,-3,-1) = 13; ylo_b = 0, yhi_b = 5 + 1 = 6
        CHECK_THAT(os.str(), Contains("ITEM: BOX BOUNDS xy xz yz pp pp pp\n-2 13 2\n0 6 -3\n2 4 1\n"));
    }
}

TEST_CASE("lammps dump: any column order, units and time items", "[io][lammps]") {
    const std::string text =
        "ITEM: UNITS\nmetal\nITEM: TIME\n0.25\nITEM: TIMESTEP\n50\nITEM: NUMBER OF ATOMS\n2\n"
        "ITEM: BOX BOUNDS mm ss fs\n0 4\n0 5\n0 6\nITEM: ATOMS z type x id c_a[1] y\n"
        "3 2 1 7 -0 2\n6 1 4 9 1e-05 5\n";
    auto r = lammps_dump_reader::from_string(text);
    frame f;
    REQUIRE(r.next(f));
    CHECK(f.units == "metal");
    REQUIRE(f.time.has_value());
    CHECK(*f.time == 0.25);
    CHECK(f.timestep == 50);
    CHECK(f.box_periodicity() == tessera::not_periodic);
    CHECK(f.ids() == std::vector<std::int64_t>{7, 9});
    CHECK(f.types() == std::vector<int>{2, 1});
    CHECK(f.column("c_a[1]")[1] == 1e-5);
    CHECK(std::signbit(f.column("c_a[1]")[0]));
    const auto pos = f.positions();
    REQUIRE(pos.size() == 2);
    CHECK(pos[0] == std::array<double, 3>{1, 2, 3});
    CHECK(pos[1] == std::array<double, 3>{4, 5, 6});
    CHECK(f.coordinate_family() == "x");
    CHECK_THAT(error_of([&] { (void)f.column("vx"); }), Contains("no column 'vx'") && Contains("z type x id"));
    // written back: units once, time each frame
    std::ostringstream os;
    lammps_dump_writer w(os);
    w.write(f);
    w.write(f);
    const std::string out = os.str();
    CHECK(out.find("ITEM: UNITS") == 0);
    CHECK(out.find("ITEM: UNITS", 1) == std::string::npos);
    CHECK_THAT(out, Contains("ITEM: TIME\n0.25\nITEM: TIMESTEP\n50\n"));
    CHECK_THAT(out, Contains("ITEM: BOX BOUNDS mm ss fs\n"));
    // LAMMPS writes UNITS once, before the first frame: later frames carry it too, read into any
    // frame object (a command reading ahead alternates two)
    auto two = lammps_dump_reader::from_string(text + text.substr(text.find("ITEM: TIME")));
    frame first, second;
    REQUIRE(two.next(first));
    REQUIRE(two.next(second));
    CHECK(first.units == "metal");
    CHECK(second.units == "metal");
}

TEST_CASE("lammps dump: scaled coordinates give the Cartesian positions", "[io][lammps]") {
    const std::string header =
        "ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n2\nITEM: BOX BOUNDS xy xz yz pp pp pp\n"
        "-1 12 -1\n0 8.5 2\n1 6 0.5\n";  // lo = (0, 0, 1), hi = (10, 8, 6), xy = -1, xz = 2, yz = 0.5
    auto r = lammps_dump_reader::from_string(header + "ITEM: ATOMS id xs ys zs\n1 0.5 0.25 0.2\n2 0 0 0\n");
    frame f;
    REQUIRE(r.next(f));
    CHECK(f.coordinate_family() == "xs");
    const auto pos = f.positions();
    // r = lo + (lx s_x + xy s_y + xz s_z, ly s_y + yz s_z, lz s_z)
    CHECK(pos[0][0] == Approx(0 + 10 * 0.5 - 1 * 0.25 + 2 * 0.2).epsilon(1e-14));
    CHECK(pos[0][1] == Approx(0 + 8 * 0.25 + 0.5 * 0.2).epsilon(1e-14));
    CHECK(pos[0][2] == Approx(1 + 5 * 0.2).epsilon(1e-14));
    CHECK(pos[1] == std::array<double, 3>{0, 0, 1});
    // unscaled file with these Cartesian values reads the same
    std::ostringstream xyz;
    xyz.precision(17);
    xyz << header << "ITEM: ATOMS id x y z\n1 " << pos[0][0] << ' ' << pos[0][1] << ' ' << pos[0][2] << "\n2 0 0 1\n";
    const std::string t2 = xyz.str();
    auto r2 = lammps_dump_reader::from_string(t2);
    frame g;
    REQUIRE(r2.next(g));
    const auto p2 = g.positions();
    for (std::size_t d = 0; d < 3; ++d) CHECK(p2[0][d] == Approx(pos[0][d]).epsilon(1e-15));
}

TEST_CASE("lammps dump: image flags unwrap wrapped families only", "[io][lammps]") {
    const std::string head =
        "ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n1\nITEM: BOX BOUNDS xy xz yz pp pp pp\n"
        "-1 10 -1\n0 13 0\n0 10 3\n";  // lo = 0, hi = 10, xy = -1, xz = 0, yz = 3
    frame f;
    SECTION("x y z + ix iy iz") {
        auto r = lammps_dump_reader::from_string(head + "ITEM: ATOMS id x y z ix iy iz\n1 1 2 3 1 -2 1\n");
        REQUIRE(r.next(f));
        CHECK(f.has_image_flags());
        CHECK(f.positions()[0] == std::array<double, 3>{1, 2, 3});
        // r + h n = (1 + 10*1 - 1*(-2) + 0*1, 2 + 10*(-2) + 3*1, 3 + 10*1)
        CHECK(f.positions(tessera::unwrap::if_available)[0] == std::array<double, 3>{13, -15, 13});
        CHECK(f.positions(tessera::unwrap::required)[0] == std::array<double, 3>{13, -15, 13});
    }
    SECTION("xs ys zs + images") {
        auto r = lammps_dump_reader::from_string(head + "ITEM: ATOMS id xs ys zs ix iy iz\n1 0.5 0.5 0.5 -1 0 2\n");
        REQUIRE(r.next(f));
        const auto p = f.positions(tessera::unwrap::if_available)[0];
        // s + n = (-0.5, 0.5, 2.5): x = 10*-0.5 - 1*0.5 + 0, y = 10*0.5 + 3*2.5, z = 25
        CHECK(p[0] == Approx(-5.5));
        CHECK(p[1] == Approx(12.5));
        CHECK(p[2] == Approx(25));
    }
    SECTION("xu yu zu already unwrapped: images not added") {
        auto r = lammps_dump_reader::from_string(head + "ITEM: ATOMS id xu yu zu ix iy iz\n1 1 2 3 1 1 1\n");
        REQUIRE(r.next(f));
        CHECK(f.positions(tessera::unwrap::required)[0] == std::array<double, 3>{1, 2, 3});
    }
    SECTION("no image flags") {
        auto r = lammps_dump_reader::from_string(head + "ITEM: ATOMS id x y z ix\n1 1 2 3 1\n");
        REQUIRE(r.next(f));
        CHECK(f.positions(tessera::unwrap::if_available)[0] == std::array<double, 3>{1, 2, 3});
        CHECK_THAT(error_of([&] { f.positions(tessera::unwrap::required); }),
                   Contains("image flags ix iy iz are missing"));
    }
    SECTION("no coordinates: not an error until positions are asked for") {
        auto r = lammps_dump_reader::from_string(head + "ITEM: ATOMS id type x y\n1 1 1 2\n");
        REQUIRE(r.next(f));
        CHECK_THAT(error_of([&] { f.positions(); }),
                   Contains("no coordinate columns") && Contains("{xs ys zs}") && Contains("id type x y"));
    }
}

TEST_CASE("lammps dump: gzip input and output", "[io][lammps]") {
    const std::string two = good + replace(good, "TIMESTEP\n0", "TIMESTEP\n10");
    for (const std::string name : {"in.dump.gz", "gz_without_extension.dump"}) {
        const fs::path p = write_gz(name, two);
        const auto frames = read_all(p);
        REQUIRE(frames.size() == 2);
        CHECK(frames[1].timestep == 10);
        CHECK(frames[1].positions()[2] == std::array<double, 3>{2, 2, 2});
        fs::remove(p);
    }
    const frame f = random_frame(true, 3);
    const fs::path out = temp_path("out.dump.gz");
    {
        lammps_dump_writer w(out);
        w.write(f);
        w.close();
    }
    CHECK(tessera::detail::is_gzip_file(out));
    const auto back = read_all(out);
    REQUIRE(back.size() == 1);
    check_same_columns(f, back[0]);
    fs::remove(out);
    // truncated gzip stream: an error, never a short frame
    const fs::path gz = write_gz("trunc.dump.gz", two);
    const auto size = fs::file_size(gz);
    fs::resize_file(gz, size / 2);
    CHECK_THAT(error_of([&] { read_all(gz); }), Contains(gz.string()));
    fs::remove(gz);
}

TEST_CASE("lammps dump: streaming several frames, next and skip", "[io][lammps]") {
    std::string text;
    for (int k = 0; k < 4; ++k) {
        std::string fr = replace(good, "TIMESTEP\n0", "TIMESTEP\n" + std::to_string(100 * k));
        if (k == 2) fr = replace(replace(fr, "NUMBER OF ATOMS\n3", "NUMBER OF ATOMS\n2"), "3 2 2 2 2\n", "");
        text += fr;
    }
    text += "\n\n";  // trailing blank lines are fine
    const fs::path p = write_file("multi.dump", text);
    lammps_dump_reader r(p);
    frame f;
    REQUIRE(r.next(f));
    CHECK(f.timestep == 0);
    REQUIRE(r.skip());
    REQUIRE(r.next(f));
    CHECK(f.timestep == 200);
    CHECK(f.natoms == 2);
    CHECK(f.column("x").size() == 2);
    REQUIRE(r.next(f));
    CHECK(f.timestep == 300);
    CHECK(f.natoms == 3);
    CHECK_FALSE(r.next(f));
    CHECK_FALSE(r.skip());
    CHECK(r.frames() == 4);
    CHECK(r.name() == p.string());
    fs::remove(p);
}

TEST_CASE("lammps dump: frame columns can be added and written", "[io][lammps]") {
    auto r = lammps_dump_reader::from_string(good);
    frame f;
    REQUIRE(r.next(f));
    f.add_column("c_csp", {0.5, 1.25, 3});
    f.add_column("c_cluster", {1, 2, 2}, true);
    CHECK_THAT(error_of([&] { f.add_column("bad", {1.0}); }), Contains("'bad' has 1 values for 3 atoms"));
    std::ostringstream os;
    lammps_dump_writer(os).write(f);
    CHECK_THAT(os.str(), Contains("ITEM: ATOMS id type x y z c_csp c_cluster\n1 1 0 0 0 0.5 1\n"));
}

TEST_CASE("lammps dump: every malformed input names file, line and reason", "[io][lammps][errors]") {
    check_malformed(replace(good, "3 2 2 2 2\n", ""), 12, "frame 0 (timestep 0): truncated frame: 2 of 3 atom lines");
    check_malformed(replace(good, "3 2 2 2 2\n", "") + good, 12, "frame 0 (timestep 0): truncated frame: 2 of 3 atom lines before 'ITEM: TIMESTEP'");
    check_malformed(good.substr(0, good.find("ITEM: BOX")), 5, "unexpected end of file after 'ITEM: NUMBER OF ATOMS'");
    check_malformed(good + "ITEM: TIMESTEP\n", 14, "unexpected end of file after 'ITEM: TIMESTEP'");
    check_malformed(replace(good, "2 1 1 1 1", "2 1 1 1"), 11, "atom line has 4 fields, expected 5 (id type x y z)");
    check_malformed(replace(good, "2 1 1 1 1", "2 1 1 1 1 1"), 11, "atom line has 6 fields, expected 5");
    check_malformed(replace(good, "2 1 1 1 1", "2 1 1 abc 1"), 11, "non-numeric value 'abc' in column 'y'");
    check_malformed(replace(good, "2 1 1 1 1", "2 1 1,5 1 1"), 11, "non-numeric value '1,5' in column 'x'");
    // nan/inf are valid atom values (tests/io/string_columns.cpp); a numeric column's later string is not.
    check_malformed(replace(good, "3 2 2 2 2", "3 2 2 2 nano"), 12, "non-numeric value 'nano' in column 'z'");
    check_malformed(replace(good, "3 2 2 2 2", "3 Cu 2 2 2"), 12, "non-numeric value 'Cu' in column 'type' (the column is numeric in this frame: its field on the frame's first atom line, line 10, is a number)");
    check_malformed(replace(good, "1 1 0 0 0", "1 1 zero 0 0"), 10, "non-numeric value 'zero' in column 'x'");
    check_malformed(replace(good, "1 1 0 0 0", "one 1 0 0 0"), 10, "non-numeric value 'one' in column 'id'");
    check_malformed(replace(good, "3 2 2 2 2", "3 2 2 2 1e400"), 12, "out of the range of double in column 'z'");
    check_malformed(replace(good, "3 2 2 2 2", "1 2 2 2 2"), 12, "frame 0 (timestep 0): duplicate atom id 1 (first on line 10)");
    check_malformed(replace(good, "3 2 2 2 2", "2.5 2 2 2 2"), 12, "atom id 2.5");
    check_malformed(replace(good, "ITEM: NUMBER OF ATOMS\n3\n", ""), 3, "expected 'ITEM: NUMBER OF ATOMS', found 'ITEM: BOX BOUNDS pp pp pp' (missing or out-of-order item)");
    check_malformed(replace(good, "ITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\n", ""), 5, "expected 'ITEM: BOX BOUNDS', found 'ITEM: ATOMS id type x y z'");
    check_malformed(replace(good, "ITEM: TIMESTEP\n0\n", ""), 1, "expected 'ITEM: TIMESTEP', found 'ITEM: NUMBER OF ATOMS'");
    check_malformed("hello\n" + good, 1, "expected 'ITEM: TIMESTEP' at the start of a frame, found 'hello'");
    check_malformed(replace(good, "ATOMS\n3", "ATOMS\n-3"), 4, "negative number of atoms: -3");
    check_malformed(replace(good, "ATOMS\n3", "ATOMS\nthree"), 4, "expected one integer (the number of atoms), found 'three'");
    check_malformed(replace(good, "TIMESTEP\n0", "TIMESTEP\n0.5"), 2, "expected one integer (the timestep)");
    check_malformed(replace(good, "0 10\n0 10\n0 10", "0 10\n10 0\n0 10"), 7, "box y hi '0' is not greater than lo '10'");
    check_malformed(replace(good, "0 10\n0 10\n0 10", "0 10\n0 10\n0"), 8, "box bounds line for z has 1 fields, expected 2 (lo hi)");
    check_malformed(replace(good, "0 10\n0 10\n0 10", "0 10\n0 10\n0 inf"), 8, "non-finite value 'inf' in column 'box z'");
    check_malformed(replace(good, "0 10\n0 10\n0 10", "0 10\nnan 10\n0 10"), 7, "non-finite value 'nan' in column 'box y'");
    check_malformed(replace(good, "ITEM: TIMESTEP\n0\n", "ITEM: TIME\nnan\nITEM: TIMESTEP\n0\n"), 2, "expected one finite number after 'ITEM: TIME'");
    check_malformed(replace(good, "TIMESTEP\n0", "TIMESTEP\nnan"), 2, "expected one integer (the timestep)");
    check_malformed(replace(good, "ATOMS\n3", "ATOMS\ninf"), 4, "expected one integer (the number of atoms)");
    check_malformed(replace(good, "BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10", "BOX BOUNDS xy xz yz pp pp pp\n0 10 0\n0 10 0\n0 10"),
                    8, "box bounds line for z has 2 fields, expected 3 (lo_bound hi_bound tilt)");
    check_malformed(replace(good, "BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10", "BOX BOUNDS xy xz yz pp pp pp\n0 10 20\n0 10 0\n0 10 0"),
                    5, "invalid box: box: x bounds must be finite with hi > lo");
    check_malformed(replace(good, "BOX BOUNDS pp pp pp", "BOX BOUNDS abc origin pp pp pp"), 5, "general triclinic boxes ('BOX BOUNDS abc origin', LAMMPS 2023+) are not supported");
    check_malformed(replace(good, "BOX BOUNDS pp pp pp", "BOX BOUNDS pp pq pp"), 5, "invalid boundary flag 'pq'");
    check_malformed(replace(good, "BOX BOUNDS pp pp pp", "BOX BOUNDS pp pf pp"), 5, "invalid boundary flag 'pf'");
    check_malformed(replace(good, "BOX BOUNDS pp pp pp", "BOX BOUNDS pp pp"), 5, "needs three boundary flags");
    check_malformed(replace(good, "ATOMS id type x y z", "ATOMS id type x y x"), 9, "duplicate column name 'x'");
    check_malformed(replace(good, "ATOMS id type x y z", "ATOMS"), 9, "'ITEM: ATOMS' lists no column names");
    check_malformed(replace(good, "ITEM: ATOMS", "ITEM: ATOMSX"), 9, "expected 'ITEM: ATOMS'");
}

TEST_CASE("lammps dump: skip also detects truncation", "[io][lammps][errors]") {
    const fs::path p = write_file("skip.dump", replace(good, "3 2 2 2 2\n", ""));
    lammps_dump_reader r(p);
    CHECK_THAT(error_of([&] { r.skip(); }), Contains(p.string() + ":12: frame 0 (timestep 0): truncated frame"));
    fs::remove(p);
}

// Malformed-input catalogue (issue 22, tests/reference/bad/): what the reader fixes of that work
// guarantee. Each would have passed, crashed or printed garbage before.
TEST_CASE("lammps dump: hostile inputs are named with file and line (issue 22)", "[io][lammps][errors]") {
    // ids beyond 2^53 and fractional ids in their shortest form (was 300 digits of std::to_string)
    check_malformed(replace(good, "2 1 1 1 1", "1e300 1 1 1 1"), 11, "atom id 1e+300 is not an integer of at most 2^53");
    check_malformed(replace(good, "2 1 1 1 1", "2.5 1 1 1 1"), 11, "atom id 2.5 is not an integer");
    // binary bytes are escaped, a UTF-8 byte-order mark shown as such
    check_malformed("\xEF\xBB\xBF" + good, 1, "found '\\xEF\\xBB\\xBFITEM: TIMESTEP'");
    check_malformed(replace(good, "2 1 1 1 1", std::string("2 1 1\0\x01 1 1", 11)), 11, "'1\\x00\\x01'");
    // CR-only line ends: one line, named as such; CRLF and mixed line ends read as LF
    std::string cr = good;
    for (char& c : cr)
        if (c == '\n') c = '\r';
    check_malformed(cr, 1, "the line ends are bare carriage returns (CR, classic Mac OS)");
    // binary data is named as such on the first line (it was quoted as a dump line)
    check_malformed(std::string("PK\x03\x04\0junk\n", 10) + good, 1, "not a text file: byte '\\x03' at column 3");
    std::string mixed;
    for (std::size_t k = 0, line = 0; k < good.size(); ++k)
        if (good[k] == '\n') mixed += ++line % 2 ? "\r\n" : "\n";
        else mixed += good[k];
    const auto p = write_file("mixed.dump", mixed);
    const auto frames = read_all(p);
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].columns[4] == std::vector<double>{0, 1, 2});
    fs::remove(p);
}

TEST_CASE("lammps dump: a truncated or corrupt gzip stream is an error, never a shorter file", "[io][lammps][gzip]") {
    const std::string two = good + replace(good, "TIMESTEP\n0", "TIMESTEP\n10");
    const auto p = write_gz("whole.dump.gz", two);
    REQUIRE(read_all(p).size() == 2);
    std::string bytes;
    {
        std::ifstream in(p, std::ios::binary);
        bytes.assign(std::istreambuf_iterator<char>(in), {});
    }
    // without its 8-byte trailer every line of text is there: zlib still reports the end missing
    const auto cut = write_file("cut.dump.gz", bytes.substr(0, bytes.size() - 8));
    CHECK_THAT(error_of([&] { read_all(cut); }), Contains("cut.dump.gz:") &&
                                                     Contains("truncated gzip data (the compressed stream ends before its end marker)"));
    std::string bad_crc = bytes;
    bad_crc[bad_crc.size() - 8] = static_cast<char>(bad_crc[bad_crc.size() - 8] ^ 0xFF);
    const auto crc = write_file("crc.dump.gz", bad_crc);
    CHECK_THAT(error_of([&] { read_all(crc); }), Contains("crc.dump.gz:") && Contains("corrupt gzip data (incorrect data check)"));
    for (const auto& q : {p, cut, crc}) fs::remove(q);
}

TEST_CASE("lammps dump: a directory, and a line longer than the bound", "[io][lammps][errors]") {
    const auto dir = temp_path("a_dir.dump");
    fs::create_directories(dir);
    CHECK_THAT(error_of([&] { read_all(dir); }), Contains("a_dir.dump: is a directory, not a file"));
    fs::remove(dir);
    // The bound is 64 MiB by default; a small one here stands for it (the CLI check reads a 2 GiB line).
    tessera::detail::line_reader in(std::make_unique<tessera::detail::memory_source>(std::string(300, 'x') + "\nshort\n"), "long.txt");
    in.set_max_line(100);
    std::string_view line;
    CHECK_THROWS_WITH(in.next(line), Contains("long.txt:1: line longer than 100 bytes"));
    tessera::detail::line_reader ok(std::make_unique<tessera::detail::memory_source>(std::string(100, 'x') + "\r\nshort"), "ok.txt");
    ok.set_max_line(100);
    REQUIRE(ok.next(line));
    CHECK(line.size() == 100);
    REQUIRE(ok.next(line));
    CHECK(line == "short");
}

TEST_CASE("lammps dump: a non-finite position names the atom id and its line", "[io][lammps][nan]") {
    const auto p = write_file("nanpos.dump", replace(good, "2 1 1 1 1", "2 1 1 nan 1"));
    const auto frames = read_all(p);  // nan is read (any column may hold it) ...
    REQUIRE(frames.size() == 1);
    CHECK(frames[0].first_line == 10);
    // ... but positions(), which every geometric computation uses, names it
    CHECK_THROWS_WITH(frames[0].positions(),
                      Contains("frame (timestep 0): atom id 2 (line 11) has a non-finite position: x 1, y nan, z 1"));
    fs::remove(p);
}

// A header of 10^5 column names with NUMBER OF ATOMS 10^12: the duplicate-name check and the
// string-column tables were quadratic in the number of names (10^10 comparisons: a hang), and
// every column reserved up to 2^20 values (10^5 x 8 MB of address space). Now at most 2^16
// values in total, or what the rest of the input can hold (a value takes 2 bytes or more), are
// reserved before the lines arrive.
TEST_CASE("lammps dump: a very wide header is checked in n log n and reserves a bounded total", "[io][lammps][errors]") {
    const std::size_t n = 100000;
    std::string names, values;
    for (std::size_t c = 0; c < n; ++c) names += " c" + std::to_string(c), values += " Cu";
    const std::string head = "ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n1000000000000\nITEM: BOX BOUNDS pp pp pp\n"
                             "0 10\n0 10\n0 10\nITEM: ATOMS id x y z";
    const std::string text = head + names + "\n1 0 0 0" + values + "\n";
    auto r = lammps_dump_reader::from_string(text, "wide.dump");
    frame f;
    CHECK_THAT(error_of([&] { r.next(f); }), Contains("wide.dump:11: frame 0 (timestep 0): truncated frame: 1 of 1000000000000"));
    std::size_t reserved = 0;
    for (const auto& c : f.columns) reserved += c.capacity();
    CHECK(reserved <= std::max(std::size_t(1) << 16, text.size() / 2) + f.columns.size());
    auto dup = lammps_dump_reader::from_string(head + names + " c77\n", "dup.dump");
    CHECK_THAT(error_of([&] { dup.next(f); }), Contains("dup.dump:9: frame 0 (timestep 0): duplicate column name 'c77'"));
}

// The reserve before the atom lines is bounded (2^16 values over all columns), so a real frame
// larger than that grows its columns as lines arrive: every value must come through, and the
// next frame of a reused frame object keeps the capacity (no growth, same values).
TEST_CASE("lammps dump: frames larger than the initial reserve grow and keep every value", "[io][lammps]") {
    const std::size_t n = 40000;  // 5 columns x 40000 = 200000 values > 2^16
    std::string text;
    for (int t = 0; t < 2; ++t) {
        text += "ITEM: TIMESTEP\n" + std::to_string(t) + "\nITEM: NUMBER OF ATOMS\n" + std::to_string(n) +
                "\nITEM: BOX BOUNDS pp pp pp\n0 100\n0 100\n0 100\nITEM: ATOMS id type x y z\n";
        for (std::size_t i = 0; i < n; ++i)
            text += std::to_string(i + 1) + " " + std::to_string(1 + (i + t) % 3) + " " + std::to_string(i % 97) + ".25 " +
                    std::to_string(i % 89) + ".5 " + std::to_string(t) + ".125\n";
    }
    // A buffer (and a regular file) knows its size: the first frame is sized once, exactly, no
    // doubling (which left up to half of every column unused); a stream does not: it grows.
    const auto p = write_file("big.dump", text);
    std::istringstream stream(text);
    auto from_buffer = lammps_dump_reader::from_string(text, "big.dump");
    auto from_file = lammps_dump_reader(p);
    auto from_stream = lammps_dump_reader(stream, "big.dump");
    for (auto* r : {&from_buffer, &from_file, &from_stream}) {
        frame f;
        for (int t = 0; t < 2; ++t) {
            REQUIRE(r->next(f));
            REQUIRE(f.natoms == n);
            for (const auto& c : f.columns) REQUIRE(c.size() == n);
            if (r != &from_stream)
                for (const auto& c : f.columns) CHECK(c.capacity() == n);
            std::size_t wrong = 0;
            for (std::size_t i = 0; i < n; ++i)
                wrong += f.columns[0][i] != double(i + 1) || f.columns[1][i] != double(1 + (i + t) % 3) ||
                         f.columns[2][i] != double(i % 97) + 0.25 || f.columns[3][i] != double(i % 89) + 0.5 ||
                         f.columns[4][i] != t + 0.125;
            CHECK(wrong == 0);
        }
        CHECK_FALSE(r->next(f));
    }
    fs::remove(p);
}
