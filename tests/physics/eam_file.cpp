// EAM file parsers and the LAMMPS conversion to tables (include/tessera/physics/eam_file.hpp), on
// Debian's potential files (/usr/share/lammps/potentials, package lammps-data) and on broken
// copies written to a temporary directory. The numbers checked are the files' own header values.
#include <tessera/physics/eam_file.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

using namespace tessera;

namespace {

std::vector<std::string> lines_of(const std::string& path) {
    std::ifstream in(find_eam_file(path));
    std::vector<std::string> v;
    std::string s;
    while (std::getline(in, s)) v.push_back(s);
    return v;
}

std::string write_temp(const std::string& name, const std::vector<std::string>& lines) {
    const auto dir = std::filesystem::temp_directory_path() / "tessera_eam_file_test";
    std::filesystem::create_directories(dir);
    const auto p = (dir / name).string();
    std::ofstream out(p);
    for (const auto& l : lines) out << l << '\n';
    return p;
}

}  // namespace

TEST_CASE("funcfl, setfl and fs files are read with their headers and table sizes", "[eam][file]") {
    const auto cu = read_eam_funcfl("Cu_u3.eam");  // found in /usr/share/lammps/potentials
    CHECK(cu.file == "/usr/share/lammps/potentials/Cu_u3.eam");
    CHECK(cu.mass == 63.550);
    CHECK(cu.nrho == 500);
    CHECK(cu.drho == 5.0100200400801306e-04);
    CHECK(cu.nr == 500);
    CHECK(cu.dr == 1.0000000000000009e-02);
    CHECK(cu.cutoff == 4.9499999999999886);
    CHECK(cu.frho.size() == 500);
    CHECK(cu.zr.size() == 500);
    CHECK(cu.rhor.size() == 500);
    CHECK(cu.frho[0] == 0.0);  // written "0."
    CHECK(cu.frho[1] == -3.1561636903424350e-01);

    const auto al = read_eam_setfl("Cu_mishin1.eam.alloy");
    CHECK(al.elements == std::vector<std::string>{"Cu"});
    CHECK(al.nrho == 10001);
    CHECK(al.nr == 10001);
    CHECK(al.cutoff == 5.50678999999999962967);
    CHECK(al.frho.size() == 1);
    CHECK(al.rhor.size() == 1);
    CHECK(al.z2r.size() == 1);
    CHECK(al.z2r[0].size() == 10001);

    const auto fs = read_eam_fs("CuZr_mm.eam.fs");
    CHECK(fs.finnis_sinclair);
    CHECK(fs.elements == std::vector<std::string>{"Cu", "Zr"});
    CHECK(fs.masses[0] == 63.546);
    CHECK(fs.nrho == 10000);
    CHECK(fs.dr == 7.6e-4);
    CHECK(fs.cutoff == 7.6);
    CHECK(fs.rhor.size() == 4);
    CHECK(fs.z2r.size() == 3);
    CHECK(fs.frho[0][1] == -1.73205080800000e-1);
}

TEST_CASE("funcfl files are resampled onto one grid and mixed as LAMMPS does", "[eam][file]") {
    const std::vector<std::string> coeffs{"1 1 Cu_u3.eam", "2 2 Ni_u3.eam"};
    const auto t = eam_tables_from_lammps("eam", coeffs);
    const auto cu = read_eam_funcfl("Cu_u3.eam");
    const auto ni = read_eam_funcfl("Ni_u3.eam");
    // dr = max(0.01, 0.0096969...) = Cu's; r_max = max(499·dr) = 4.99 → nr = int(499 + 0.5)
    CHECK(t.dr == cu.dr);
    CHECK(t.nr == 499);
    CHECK(t.nrho == 499);
    CHECK(t.rhomax == 499 * cu.drho);
    CHECK(t.cutoff == cu.cutoff);
    CHECK(t.num_types == 2);
    CHECK(t.type2frho == std::vector<int>{0, 1});
    CHECK(t.type2rhor == std::vector<int>{0, 0, 1, 1});  // density of a j atom depends on j only
    CHECK(t.type2z2r == std::vector<int>{0, 1, 1, 2});   // 11, 21, 22 (lower triangle)
    // on Cu's own grid points the 4-point resampling is the identity: z2r(Cu-Cu) = 27.2·0.529·Z²
    for (int m : {5, 100, 300}) {
        CHECK(t.z2r[0][std::size_t(m)] == 27.2 * 0.529 * cu.zr[std::size_t(m)] * cu.zr[std::size_t(m)]);
        CHECK(t.rhor[0][std::size_t(m)] == cu.rhor[std::size_t(m)]);
    }
    // Ni resampled: close to, not equal to, the file's values at nearby points
    CHECK(t.rhor[1][200] == Approx(ni.rhor[206]).epsilon(0.05));
    CHECK(t.masses == std::vector<double>{63.550, 58.710});
}

TEST_CASE("setfl / fs type maps: elements may repeat, fs densities are per element pair", "[eam][file]") {
    const auto t = eam_tables_from_lammps("eam/fs", std::vector<std::string>{"* * CuZr_mm.eam.fs Zr Cu Zr"});
    CHECK(t.num_types == 3);
    CHECK(t.type2frho == std::vector<int>{1, 0, 1});
    // type2rhor[i][j] = map[i]·N + map[j]
    CHECK(t.type2rhor == std::vector<int>{3, 2, 3, 1, 0, 1, 3, 2, 3});
    CHECK(t.type2z2r == std::vector<int>{2, 1, 2, 1, 0, 1, 2, 1, 2});
    CHECK(t.rhomax == (10000 - 1) * 3.0e-2);
    const auto a = eam_tables_from_lammps("eam/alloy", std::vector<std::string>{"* * Cu_mishin1.eam.alloy Cu Cu"});
    CHECK(a.type2rhor == std::vector<int>{0, 0, 0, 0});
}

TEST_CASE("funcfl pair_coeff type ranges follow LAMMPS's bounds", "[eam][file]") {
    const auto t = eam_tables_from_lammps("eam", std::vector<std::string>{"1*3 1*3 Cu_u3.eam", "2 2 Ni_u3.eam"});
    CHECK(t.num_types == 3);
    CHECK(t.type2frho == std::vector<int>{0, 1, 0});
    CHECK(eam_tables_from_lammps("eam", std::vector<std::string>{"* * Cu_u3.eam"}).num_types == 1);
}

TEST_CASE("bad potential files and commands are rejected with file and line", "[eam][file][errors]") {
    CHECK_THROWS_WITH(read_eam_funcfl("no_such_file.eam"), Catch::Contains("cannot open potential file 'no_such_file.eam'"));
    CHECK_THROWS_WITH(read_eam_funcfl("/nonexistent/x.eam"), Catch::Contains("cannot open"));

    auto cu = lines_of("Cu_u3.eam");
    // truncated: drop the last 50 lines (inside the rho(r) table)
    const auto trunc = write_temp("trunc.eam", std::vector<std::string>(cu.begin(), cu.end() - 50));
    CHECK_THROWS_WITH(read_eam_funcfl(trunc), Catch::Contains("trunc.eam: truncated: rho(r) has") &&
                                                  Catch::Contains("at the end of the file (line 255)"));
    // a non-numeric token on line 10 (F(rho) table)
    auto bad = cu;
    bad[9].replace(bad[9].find('-'), 1, "x");
    const auto badp = write_temp("bad.eam", bad);
    CHECK_THROWS_WITH(read_eam_funcfl(badp), Catch::Contains("bad.eam:10: '") && Catch::Contains("is not a finite number (F(rho))"));
    // a bad grid line
    auto grid = cu;
    grid[2] = "500 0.1 3 0.01 4.95";
    CHECK_THROWS_WITH(read_eam_funcfl(write_temp("grid.eam", grid)), Catch::Contains("grid.eam:3: need Nrho, Nr >= 5"));

    auto fs = lines_of("CuZr_mm.eam.fs");
    auto el = fs;
    el[3] = "3 Cu Zr";
    CHECK_THROWS_WITH(read_eam_fs(write_temp("el.eam.fs", el)), Catch::Contains("el.eam.fs:4: the element line announces 3"));

    CHECK_THROWS_WITH(eam_tables_from_lammps("eam/fs", std::vector<std::string>{"* * CuZr_mm.eam.fs Cu Al"}),
                      Catch::Contains("element 'Al' (type 2) is not in") && Catch::Contains("Cu Zr"));
    CHECK_THROWS_WITH(eam_tables_from_lammps("eam/fs", std::vector<std::string>{"* * CuZr_mm.eam.fs Cu NULL"}),
                      Catch::Contains("type 2 is NULL"));
    CHECK_THROWS_WITH(eam_tables_from_lammps("eam/alloy", std::vector<std::string>{"1 1 Cu_mishin1.eam.alloy Cu"}),
                      Catch::Contains("'* * FILE El1 El2 ...'"));
    CHECK_THROWS_WITH(eam_tables_from_lammps("eam", std::vector<std::string>{"1 1 Cu_u3.eam", "3 3 Ni_u3.eam"}),
                      Catch::Contains("type 2 has no funcfl file"));
    CHECK_THROWS_WITH(eam_tables_from_lammps("eam", std::vector<std::string>{"1 2 Cu_u3.eam"}),
                      Catch::Contains("sets I I pairs only"));
    CHECK_THROWS_WITH(eam_tables_from_lammps("eam/cd", std::vector<std::string>{"* * x Cu"}),
                      Catch::Contains("not one of eam, eam/alloy, eam/fs"));
}

// Found by tests/fuzz/fuzz_eam.cpp (docs/reliability.md): a grid line claiming Nrho = 2^31 - 1
// reserved 16 GB before reading a value. Counts a file claims must fail as "truncated".
TEST_CASE("a table size the file claims but does not hold is 'truncated', not an allocation (fuzz regression)",
          "[eam][file][errors][fuzz]") {
    const auto setfl = write_temp("claims.eam.alloy", {"c", "c", "c", "1 Cu", "2147483647 0.01 5 0.01 4.95",
                                                       "29 63.55 3.615 fcc", "0 1 2"});
    CHECK_THROWS_WITH(read_eam_setfl(setfl), Catch::Contains("truncated: F(rho) of Cu has 3 of its 2147483647 values"));
    const auto funcfl = write_temp("claims.eam", {"comment", "29 63.55 3.615 FCC", "2000000000 0.01 2000000000 0.01 4.95",
                                                  "0 1 2 3 4"});
    CHECK_THROWS_WITH(read_eam_funcfl(funcfl), Catch::Contains("truncated: F(rho) has 5 of its 2000000000 values"));
}

// Malformed-input catalogue (issue 22, tests/reference/bad/): a directory, an empty file, values
// after the last table (silently ignored before), and what the shared line reader brings
// (CRLF, gzip, a bounded line length).
TEST_CASE("eam files: directory, empty, trailing values, CRLF and gzip", "[eam][file][errors]") {
    const auto dir = std::filesystem::temp_directory_path() / "tessera_eam_file_test" / "a_dir.eam";
    std::filesystem::create_directories(dir);
    CHECK_THROWS_WITH(read_eam_funcfl(dir.string()), Catch::Contains("a_dir.eam: is a directory, not a file"));
    CHECK_THROWS_WITH(read_eam_funcfl(write_temp("empty.eam", {})), Catch::Contains("empty.eam: empty file"));

    auto cu = lines_of("Cu_u3.eam");
    auto extra = cu;
    extra.push_back("1.5 2.5");
    CHECK_THROWS_WITH(read_eam_funcfl(write_temp("extra.eam", extra)),
                      Catch::Contains("extra.eam:" + std::to_string(extra.size()) +
                                      ": values after the last table (rho(r))"));
    auto blank_tail = cu;
    blank_tail.push_back("");
    blank_tail.push_back("   ");
    CHECK_NOTHROW(read_eam_funcfl(write_temp("blank_tail.eam", blank_tail)));
    auto setfl = lines_of("Cu_mishin1.eam.alloy");
    setfl.back() += " 7";
    CHECK_THROWS_WITH(read_eam_setfl(write_temp("extra.eam.alloy", setfl)),
                      Catch::Contains("1 values beyond the last table (r*phi(r) of Cu-Cu)"));

    auto crlf = cu;
    for (auto& l : crlf) l += '\r';
    const auto a = read_eam_funcfl("Cu_u3.eam");
    const auto b = read_eam_funcfl(write_temp("crlf.eam", crlf));
    CHECK(a.frho == b.frho);
    CHECK(a.rhor == b.rhor);
}
