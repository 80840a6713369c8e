// tessera::selection (core/selection.hpp): every expression checked against a hand-written
// per-atom lambda; every error message; NaN semantics; limits on hostile input. Random
// expressions against a tree evaluator: selection_random.cpp.
#include <tessera/core/selection.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

using tessera::frame;
using tessera::selection;

namespace {

constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_v = std::numeric_limits<double>::infinity();

/// One atom's values, for the reference lambdas.
struct atom {
    double id, type, x, y, z, c_pe, csp, q6, s1, xu;
};

/// A random frame: 1537 atoms (three whole blocks of 512 and a tail of 1), quantised values so that
/// equality and boundaries are hit, NaN and inf in csp.
frame random_frame(std::size_t n = 1537, unsigned seed = 7) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    auto q = [](double v, double step) { return std::round(v / step) * step; };
    std::vector<double> id(n), type(n), x(n), y(n), z(n), pe(n), csp(n), q6(n), s1(n), xu(n);
    for (std::size_t i = 0; i < n; ++i) {
        id[i] = double(i + 1);
        type[i] = double(1 + int(u(rng) * 3));
        x[i] = q(20 * u(rng), 0.125);
        y[i] = q(20 * u(rng), 0.125);
        z[i] = q(20 * u(rng), 0.125);
        pe[i] = q(-5 + 3 * u(rng), 0.0625);
        const double r = u(rng);
        csp[i] = r < 0.05 ? nan_v : r < 0.06 ? inf_v : q(10 * u(rng), 0.25);
        q6[i] = 0.6 * u(rng);
        s1[i] = 2e5 * (u(rng) - 0.5);
        xu[i] = x[i] + 20 * std::floor(4 * u(rng) - 2);
    }
    frame f;
    f.natoms = n;
    f.add_column("id", id, true);
    f.add_column("type", type, true);
    f.add_column("x", x);
    f.add_column("y", y);
    f.add_column("z", z);
    f.add_column("c_pe", pe);
    f.add_column("csp", csp);
    f.add_column("q6", q6);
    f.add_column("c_stress[1]", s1);
    f.add_column("xu", xu);
    return f;
}

atom atom_at(const frame& f, std::size_t i) {
    auto c = [&](const char* name) { return f.column(name)[i]; };
    return {c("id"), c("type"), c("x"), c("y"), c("z"), c("c_pe"), c("csp"), c("q6"), c("c_stress[1]"), c("xu")};
}

std::vector<unsigned char> reference(const frame& f, const std::function<bool(const atom&)>& pred) {
    std::vector<unsigned char> m(f.natoms);
    for (std::size_t i = 0; i < f.natoms; ++i) m[i] = pred(atom_at(f, i)) ? 1 : 0;
    return m;
}

std::size_t ones(const std::vector<unsigned char>& m) {
    std::size_t n = 0;
    for (const auto c : m) n += c;
    return n;
}

/// The message of the tessera::error that parsing (and, if that succeeds, evaluating on f) throws.
std::string message_of(const std::string& expr, const frame* f = nullptr) {
    try {
        const auto s = selection::parse(expr);
        if (f) (void)s.evaluate(*f);
    } catch (const tessera::error& e) {
        return e.what();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("selection: expressions agree with a per-atom lambda on a random frame", "[selection]") {
    const frame f = random_frame();
    struct item {
        const char* expr;
        std::function<bool(const atom&)> ref;
    };
    const std::vector<item> items = {
        {"type==2", [](const atom& a) { return a.type == 2; }},
        {"type = 2", [](const atom& a) { return a.type == 2; }},
        {"type!=2", [](const atom& a) { return a.type != 2; }},
        {"csp>4", [](const atom& a) { return a.csp > 4; }},
        {"csp >= 4", [](const atom& a) { return a.csp >= 4; }},
        {"csp<4", [](const atom& a) { return a.csp < 4; }},
        {"csp<=4", [](const atom& a) { return a.csp <= 4; }},
        {"4 < csp", [](const atom& a) { return 4 < a.csp; }},
        {"4 >= csp", [](const atom& a) { return 4 >= a.csp; }},
        {"type==1 && c_pe<-3.5", [](const atom& a) { return a.type == 1 && a.c_pe < -3.5; }},
        {"type==1 and c_pe < -3.5", [](const atom& a) { return a.type == 1 && a.c_pe < -3.5; }},
        {"type==1 || type==3", [](const atom& a) { return a.type == 1 || a.type == 3; }},
        {"type==1 or type==3", [](const atom& a) { return a.type == 1 || a.type == 3; }},
        {"!(csp>4)", [](const atom& a) { return !(a.csp > 4); }},
        {"not csp > 4", [](const atom& a) { return !(a.csp > 4); }},
        {"not (x < 10 or x > 15)", [](const atom& a) { return !(a.x < 10 || a.x > 15); }},
        {"x >= 10 && x <= 15", [](const atom& a) { return a.x >= 10 && a.x <= 15; }},
        {"x == 10", [](const atom& a) { return a.x == 10; }},
        {"x == y", [](const atom& a) { return a.x == a.y; }},
        {"x < y && y < z", [](const atom& a) { return a.x < a.y && a.y < a.z; }},
        {"csp != csp", [](const atom& a) { return a.csp != a.csp; }},
        {"csp == csp", [](const atom& a) { return a.csp == a.csp; }},
        {"csp > 1e300", [](const atom& a) { return a.csp > 1e300; }},
        {"c_stress[1] > 2.5E+4", [](const atom& a) { return a.s1 > 2.5e4; }},
        {"c_stress[1] < -.5e4 || q6 > 0.55", [](const atom& a) { return a.s1 < -0.5e4 || a.q6 > 0.55; }},
        {"(xu-x)*(xu-x) > 400", [](const atom& a) { return (a.xu - a.x) * (a.xu - a.x) > 400; }},
        {"x + y * 2 > 30", [](const atom& a) { return a.x + a.y * 2 > 30; }},
        {"(x + y) * 2 > 30", [](const atom& a) { return (a.x + a.y) * 2 > 30; }},
        {"x - y - z > -10", [](const atom& a) { return a.x - a.y - a.z > -10; }},
        {"x / y / 2 < 0.25", [](const atom& a) { return a.x / a.y / 2 < 0.25; }},
        {"-x < -10", [](const atom& a) { return -a.x < -10; }},
        {"- -x > 10 && +y > 10", [](const atom& a) { return a.x > 10 && a.y > 10; }},
        {"x > 2*3+1", [](const atom& a) { return a.x > 7; }},
        {"type==2 && (csp>4 || c_pe > -3) && !(x < 5)",
         [](const atom& a) { return a.type == 2 && (a.csp > 4 || a.c_pe > -3) && !(a.x < 5); }},
        {"`type` == 3 && `c_stress[1]` > 0", [](const atom& a) { return a.type == 3 && a.s1 > 0; }},
        {"id <= 100 or id > 1500", [](const atom& a) { return a.id <= 100 || a.id > 1500; }},
        {"1 < 2", [](const atom&) { return true; }},
        {"1 > 2 || x > 19", [](const atom& a) { return a.x > 19; }},
        {"!(1 > 2) && x > 19", [](const atom& a) { return a.x > 19; }},
        {"x/0 > 1", [](const atom& a) { return a.x / 0.0 > 1; }},
        {"\tcsp\n>\r4 ", [](const atom& a) { return a.csp > 4; }},
    };
    std::size_t checked = 0;
    for (const auto& it : items) {
        if (!it.ref) continue;
        INFO(it.expr);
        const auto sel = selection::parse(it.expr);
        const auto want = reference(f, it.ref);
        const auto got = sel.evaluate(f);
        REQUIRE(got == want);
        CHECK(sel.count(f) == ones(want));
        ++checked;
    }
    CHECK(checked >= 30);
    // Some expressions select neither none nor all atoms, so the comparison means something.
    const auto some = selection::parse("type==1 && c_pe<-3.5").count(f);
    CHECK(some > 100);
    CHECK(some < 1000);
}

TEST_CASE("selection: precedence and grouping", "[selection]") {
    frame f;
    f.natoms = 8;
    std::vector<double> a(8), b(8), c(8);
    for (int i = 0; i < 8; ++i) {  // every combination of three booleans
        a[i] = i & 1;
        b[i] = (i >> 1) & 1;
        c[i] = (i >> 2) & 1;
    }
    f.add_column("a", a);
    f.add_column("b", b);
    f.add_column("c", c);
    auto same = [&](const std::string& x, const std::string& y) {
        INFO(x << "  vs  " << y);
        CHECK(selection::parse(x).evaluate(f) == selection::parse(y).evaluate(f));
    };
    auto differ = [&](const std::string& x, const std::string& y) {
        INFO(x << "  vs  " << y);
        CHECK(selection::parse(x).evaluate(f) != selection::parse(y).evaluate(f));
    };
    // and binds tighter than or, either side
    same("a==1 || b==1 && c==1", "a==1 || (b==1 && c==1)");
    differ("a==1 || b==1 && c==1", "(a==1 || b==1) && c==1");
    same("a==1 && b==1 || c==1", "(a==1 && b==1) || c==1");
    differ("a==1 && b==1 || c==1", "a==1 && (b==1 || c==1)");
    // not binds tighter than and/or, looser than comparison
    same("!a==1 && b==1", "(!(a==1)) && b==1");
    differ("!a==1 && b==1", "!(a==1 && b==1)");
    same("not a==1 or b==1", "(not a==1) or b==1");
    same("!!a==1", "a==1");
    same("! ! ! a==1", "a!=1");
    // keywords and symbols mix
    same("a==1 and b==1 or c==1", "a==1 && b==1 || c==1");
    // arithmetic: * before +, left to right, unary minus tightest
    same("a + b * 2 == 2", "a + (b * 2) == 2");
    differ("a + b * 2 == 2", "(a + b) * 2 == 2");
    same("a - b - c == 0", "(a - b) - c == 0");
    differ("a - b - c == 0", "a - (b - c) == 0");
    same("-a + b == 0", "(-a) + b == 0");
    same("a*-1 == -a", "1==1");
    // arithmetic binds tighter than comparison on both sides
    same("a + 1 > b + c", "(a + 1) > (b + c)");
    // the truth table of a || b && c, spelled out
    const auto m = selection::parse("a==1 || b==1 && c==1").evaluate(f);
    for (int i = 0; i < 8; ++i) CHECK(bool(m[i]) == (a[i] == 1 || (b[i] == 1 && c[i] == 1)));
}

TEST_CASE("selection: NaN compares false except with !=, IEEE", "[selection]") {
    frame f;
    f.natoms = 4;
    f.add_column("v", {nan_v, 1.0, inf_v, -inf_v});
    auto m = [&](const char* e) {
        const auto r = selection::parse(e).evaluate(f);
        return std::vector<int>(r.begin(), r.end());
    };
    CHECK(m("v == 1") == std::vector<int>{0, 1, 0, 0});
    CHECK(m("v != 1") == std::vector<int>{1, 0, 1, 1});
    CHECK(m("v < 2") == std::vector<int>{0, 1, 0, 1});
    CHECK(m("v <= 2") == std::vector<int>{0, 1, 0, 1});
    CHECK(m("v > 0") == std::vector<int>{0, 1, 1, 0});
    CHECK(m("v >= 0") == std::vector<int>{0, 1, 1, 0});
    CHECK(m("v == v") == std::vector<int>{0, 1, 1, 1});
    CHECK(m("v != v") == std::vector<int>{1, 0, 0, 0});   // selects the NaNs
    CHECK(m("!(v > 0)") == std::vector<int>{1, 0, 0, 1});  // negation includes NaN
    CHECK(m("v <= 0") == std::vector<int>{0, 0, 0, 1});    // the comparison excludes it
    CHECK(m("v - v == 0") == std::vector<int>{0, 1, 0, 0}); // inf - inf is NaN
    CHECK(m("v * 0 != 0") == std::vector<int>{1, 0, 1, 1});
    CHECK(m("1/0 > 1e308") == std::vector<int>{1, 1, 1, 1});
    CHECK(m("0/0 != 0/0") == std::vector<int>{1, 1, 1, 1});  // folded constants follow IEEE too
    CHECK(m("0/0 == 0/0") == std::vector<int>{0, 0, 0, 0});
    // equality is exact
    frame g;
    g.natoms = 2;
    g.add_column("w", {0.1 + 0.2, 0.3});
    const auto e = selection::parse("w == 0.3").evaluate(g);
    CHECK(e == std::vector<unsigned char>{0, 1});
}

TEST_CASE("selection: columns, count, the default selection, the span overload", "[selection]") {
    const frame f = random_frame(1025, 3);
    const auto sel = selection::parse("type==2 && (csp>4 || type==2) && c_stress[1] > x*y");
    CHECK(sel.columns() == std::vector<std::string>{"type", "csp", "c_stress[1]", "x", "y"});
    CHECK(sel.text() == "type==2 && (csp>4 || type==2) && c_stress[1] > x*y");
    CHECK_FALSE(sel.selects_all());
    CHECK_FALSE(sel.uses_labels());
    const auto mask = sel.evaluate(f);
    REQUIRE(mask.size() == f.natoms);
    CHECK(sel.count(f) == ones(mask));

    // the same over caller-bound spans, in the order of columns()
    std::vector<std::span<const double>> values;
    for (const auto& c : sel.columns()) values.push_back(f.column(c));
    std::vector<unsigned char> m2(f.natoms, 7);
    sel.evaluate(values, m2);
    CHECK(m2 == mask);
    CHECK(sel.count(values, f.natoms) == ones(mask));
    // a prefix of the atoms
    std::vector<unsigned char> m3(10);
    sel.evaluate(values, m3);
    CHECK(m3 == std::vector<unsigned char>(mask.begin(), mask.begin() + 10));
    // a reused mask is resized
    std::vector<unsigned char> reused(5000, 1);
    sel.evaluate(f, reused);
    CHECK(reused == mask);

    // the default selection selects every atom
    const selection all;
    CHECK(all.selects_all());
    CHECK(all.text().empty());
    CHECK(all.columns().empty());
    CHECK(all.count(f) == f.natoms);
    CHECK(ones(all.evaluate(f)) == f.natoms);

    // an empty frame
    frame empty;
    empty.add_column("type", {});
    CHECK(selection::parse("type==1").evaluate(empty).empty());
    CHECK(selection::parse("type==1").count(empty) == 0);

    // a column order that differs between frames
    frame g;
    g.natoms = 3;
    g.add_column("csp", {5, 1, 5});
    g.add_column("type", {2, 2, 1});
    const auto s2 = selection::parse("type==2 && csp>4");
    CHECK(s2.evaluate(g) == std::vector<unsigned char>{1, 0, 0});
    std::swap(g.names[0], g.names[1]);
    std::swap(g.columns[0], g.columns[1]);
    CHECK(s2.evaluate(g) == std::vector<unsigned char>{1, 0, 0});

    // span overload errors
    std::vector<std::span<const double>> too_few(1, f.column("type"));
    CHECK_THROWS_WITH(sel.evaluate(too_few, m2),
                      "selection 'type==2 && (csp>4 || type==2) && c_stress[1] > x*y': 1 columns bound for the 5 it "
                      "reads (type csp c_stress[1] x y)");
    std::vector<double> short_col(3);
    values[1] = short_col;
    CHECK_THROWS_WITH(sel.evaluate(values, m2),
                      "selection 'type==2 && (csp>4 || type==2) && c_stress[1] > x*y': column 'csp' has 3 values for "
                      "1025 atoms");
}

TEST_CASE("selection: labels compare with a column's species names", "[selection]") {
    frame f;
    f.natoms = 4;
    f.add_column("type", {1, 2, 2, 3}, true);
    f.add_column("x", {0, 1, 2, 3});
    f.type_names = {"Cu", "Zr", "Al"};
    auto m = [&](const char* e) {
        const auto r = selection::parse(e).evaluate(f);
        return std::vector<int>(r.begin(), r.end());
    };
    CHECK(m("type==\"Zr\"") == std::vector<int>{0, 1, 1, 0});
    CHECK(m("type == 'Zr'") == std::vector<int>{0, 1, 1, 0});
    CHECK(m("'Cu' == type || type=='Al'") == std::vector<int>{1, 0, 0, 1});
    CHECK(m("type != \"Cu\" && x > 1") == std::vector<int>{0, 0, 1, 1});
    CHECK(m("(type) == \"Cu\"") == std::vector<int>{1, 0, 0, 0});
    CHECK(m("type == \"Xe\"") == std::vector<int>{0, 0, 0, 0});  // no atom has it (yet)
    CHECK(m("type != \"Xe\"") == std::vector<int>{1, 1, 1, 1});
    CHECK(selection::parse("type=='Cu'").uses_labels());
    CHECK(selection::parse("type=='Cu'").columns() == std::vector<std::string>{"type"});

    // over spans: labels per column
    const auto sel = selection::parse("type == \"Al\" || x == 0");
    std::vector<std::span<const double>> values{f.column("type"), f.column("x")};
    std::vector<std::span<const std::string>> labels{f.type_names, {}};
    std::vector<unsigned char> mask(4);
    sel.evaluate(values, mask, labels);
    CHECK(mask == std::vector<unsigned char>{1, 0, 0, 1});
    CHECK_THROWS_WITH(sel.evaluate(values, mask),
                      "selection 'type == \"Al\" || x == 0': column 'type' has no labels to compare with \"Al\"; "
                      "compare it with a number");

    // errors
    CHECK(message_of("x == \"Cu\"", &f) ==
          "selection 'x == \"Cu\"': column 'x' has no labels to compare with \"Cu\" (only 'type' has labels: the "
          "species names); compare it with a number");
    frame plain;
    plain.natoms = 1;
    plain.add_column("type", {1});
    CHECK(message_of("type == \"Cu\"", &plain) ==
          "selection 'type == \"Cu\"': column 'type' has no labels to compare with \"Cu\" (labels are species names "
          "of extended XYZ input; this one has none); compare it with a number");
    CHECK(message_of("type == Cu", &f) ==
          "selection 'type == Cu': no column 'Cu'; 'Cu' is a species name, written in quotes: type==\"Cu\"");
    CHECK(message_of("type < \"Cu\"") ==
          "selection 'type < \"Cu\"': a label is compared to a column with == or != (e.g. 'type==\"Cu\"'); '\"Cu\"' "
          "at character 8 is used with '<'");
    CHECK(message_of("type+0 == \"Cu\"") ==
          "selection 'type+0 == \"Cu\"': a label is compared to a column with == or != (e.g. 'type==\"Cu\"'); "
          "'\"Cu\"' at character 11 is used with '==' and 'type+0', which is not a column");
    CHECK(message_of("\"Cu\" == 'Zr'") ==
          "selection '\"Cu\" == 'Zr'': a label is compared to a column with == or != (e.g. 'type==\"Cu\"'); "
          "'\"Cu\"' at character 1 is used with '==' and ''Zr'', which is not a column");
    CHECK(message_of("'Cu'") ==
          "selection ''Cu'': the expression must be a condition; ''Cu'' at character 1 is a label, which is "
          "compared to a column with == or != (e.g. 'type=='Cu'')");
    CHECK(message_of("x + 'Cu' > 1") ==
          "selection 'x + 'Cu' > 1': '+' takes numbers; ''Cu'' at character 5 is a label, which is compared to a "
          "column with == or != (e.g. 'type=='Cu'')");
    CHECK(message_of("type == \"Cu") ==
          "selection 'type == \"Cu': missing the closing \" of the label starting at character 9");
    CHECK(message_of("type == ''") == "selection 'type == ''': empty label at character 9");
}

TEST_CASE("selection: syntax and type errors name the expression and the character", "[selection]") {
    struct item {
        const char* expr;
        const char* message;
    };
    const std::vector<item> items = {
        {"type==2 &&", "selection 'type==2 &&': expected a value after '&&' at the end (character 11)"},
        {"type==2 csp>4", "selection 'type==2 csp>4': expected an operator before 'csp' at character 9"},
        {"", "selection '': the expression is empty"},
        {" \t ", "selection ' \\x09 ': the expression is empty"},
        {"&& x>1", "selection '&& x>1': expected a value, found '&&' at character 1"},
        {"==2", "selection '==2': expected a value, found '==' at character 1"},
        {"x > ", "selection 'x > ': expected a value after '>' at the end (character 5)"},
        {"x > )", "selection 'x > )': expected a value after '>', found ')' at character 5"},
        {"()", "selection '()': expected a value after '(', found ')' at character 2"},
        {"(x>1", "selection '(x>1': missing ')' for the '(' at character 1"},
        {"((x>1) && (y>1)", "selection '((x>1) && (y>1)': missing ')' for the '(' at character 1"},
        {"(x>1 y", "selection '(x>1 y': expected ')' or an operator before 'y' at character 6"},
        {"x>1)", "selection 'x>1)': unexpected ')' without a matching '(' at character 4"},
        {"1 < x < 2",
         "selection '1 < x < 2': comparisons do not chain (write '1 < x && x < 2', not '1 < x < 2'): unexpected '<' "
         "at character 7"},
        {"x # 2", "selection 'x # 2': unexpected character '#' at character 3"},
        {"x % 2 == 0", "selection 'x % 2 == 0': unexpected character '%' at character 3"},
        {"x ^ 2 > 1", "selection 'x ^ 2 > 1': unexpected character '^' at character 3"},
        {"x \xe2\x89\xa5 2", "selection 'x \xe2\x89\xa5 2': unexpected character '\xe2\x89\xa5' (write '>=') at character 3"},
        {"\xc3\xa9t\xc3\xa9 > 1 \xe2\x88\x92 2",  // counts characters, not bytes
         "selection '\xc3\xa9t\xc3\xa9 > 1 \xe2\x88\x92 2': unexpected character '\xc3\xa9' at character 1"},
        {"x > 1 \xe2\x88\x92 2",
         "selection 'x > 1 \xe2\x88\x92 2': unexpected character '\xe2\x88\x92' (write '-') at character 7"},
        {"x\x01>1", "selection 'x\\x01>1': unexpected character '\\x01' at character 2"},
        {"x & y", "selection 'x & y': unexpected '&' (write '&&' or 'and') at character 3"},
        {"x>1 | y>1", "selection 'x>1 | y>1': unexpected '|' (write '||' or 'or') at character 5"},
        {"x => 1", "selection 'x => 1': '=>' is not an operator (write '>=') at character 3"},
        {"x =< 1", "selection 'x =< 1': '=<' is not an operator (write '<=') at character 3"},
        {"x === 1", "selection 'x === 1': expected a value after '==', found '=' at character 5"},
        {"2x > 1", "selection '2x > 1': malformed number '2x' at character 1"},
        {"x > 1.2.3", "selection 'x > 1.2.3': malformed number '1.2.3' at character 5"},
        {"x > 1e", "selection 'x > 1e': malformed number '1e' at character 5"},
        {"x > 1e+", "selection 'x > 1e+': malformed number '1e+' at character 5"},
        {"x > 1e999", "selection 'x > 1e999': number '1e999' is out of the range of double at character 5"},
        {"x > 1e-999", "selection 'x > 1e-999': number '1e-999' is out of the range of double at character 5"},
        {"`ty", "selection '`ty': missing the closing ` of the column name starting at character 1"},
        {"`` > 1", "selection '`` > 1': empty column name at character 1"},
        {"csp", "selection 'csp': the expression must be a condition; 'csp' at character 1 is a number (compare it, "
                "e.g. 'csp != 0')"},
        {"x + y", "selection 'x + y': the expression must be a condition; 'x + y' at character 1 is a number "
                  "(compare it, e.g. 'x + y != 0')"},
        {"csp && x>1", "selection 'csp && x>1': '&&' takes conditions; 'csp' at character 1 is a number (compare "
                       "it, e.g. 'csp != 0')"},
        {"x>1 or (y)", "selection 'x>1 or (y)': 'or' takes conditions; '(y)' at character 8 is a number (compare "
                       "it, e.g. '(y) != 0')"},
        {"!x", "selection '!x': '!' takes conditions; 'x' at character 2 is a number (compare it, e.g. 'x != 0')"},
        {"not 2*x", "selection 'not 2*x': 'not' takes conditions; '2*x' at character 5 is a number (compare it, "
                    "e.g. '2*x != 0')"},
        {"x+(y>1)>0", "selection 'x+(y>1)>0': '+' takes numbers; '(y>1)' at character 3 is a condition"},
        {"-(x>1)", "selection '-(x>1)': '-' takes numbers; '(x>1)' at character 2 is a condition"},
        {"(x>1) == (y>1)", "selection '(x>1) == (y>1)': '==' takes numbers; '(x>1)' at character 1 is a condition"},
        {"x == !y",
         "selection 'x == !y': unexpected '!' at character 6: it negates a condition and binds more loosely than "
         "comparisons and arithmetic; put it before the comparison, or the condition in parentheses"},
        {"and > 1", "selection 'and > 1': expected a value, found 'and' at character 1"},
        {"x > 1 and", "selection 'x > 1 and': expected a value after 'and' at the end (character 10)"},
        {"x > 1 or or y > 1", "selection 'x > 1 or or y > 1': expected a value after 'or', found 'or' at character 10"},
    };
    for (const auto& it : items) {
        INFO(it.expr);
        CHECK(message_of(it.expr) == it.message);
    }
    // Long operands are shortened in messages.
    const std::string longname(60, 'q');
    CHECK(message_of(longname + "+1") == "selection '" + longname + "+1': the expression must be a condition; '" +
                                             std::string(37, 'q') + "...' at character 1 is a number (compare it, "
                                             "e.g. '" + std::string(37, 'q') + "... != 0')");
}

TEST_CASE("selection: a missing column is named with the nearest name and the frame's columns", "[selection]") {
    frame f;
    f.natoms = 2;
    for (const char* c : {"id", "type", "x", "y", "z"}) f.add_column(c, {1, 2});
    CHECK(message_of("tpye==2", &f) ==
          "selection 'tpye==2': no column 'tpye' (did you mean 'type'?); columns are: id type x y z");
    CHECK(message_of("type==2 && csp>4", &f) ==
          "selection 'type==2 && csp>4': no column 'csp'; columns are: id type x y z");
    CHECK(message_of("Type==2", &f) ==
          "selection 'Type==2': no column 'Type' (did you mean 'type'?); columns are: id type x y z");
    CHECK(message_of("w>1", &f) == "selection 'w>1': no column 'w' (did you mean 'x'?); columns are: id type x y z");
    frame none;
    CHECK(message_of("x>1", &none) == "selection 'x>1': no column 'x'; columns are: (none)");
    // check_columns: the same message before any frame is read
    const std::vector<std::string> names{"id", "type", "x", "y", "z", "c_pe"};
    CHECK_THROWS_WITH(selection::parse("c_p < -3").check_columns(names),
                      "selection 'c_p < -3': no column 'c_p' (did you mean 'c_pe'?); columns are: id type x y z c_pe");
    CHECK_NOTHROW(selection::parse("c_pe < -3 && type == 1").check_columns(names));
    // keywords are reachable as column names in backticks
    frame k;
    k.natoms = 2;
    k.add_column("and", {1, 2});
    k.add_column("c-pe", {3, -3});
    CHECK(selection::parse("`and` == 2").evaluate(k) == std::vector<unsigned char>{0, 1});
    CHECK(selection::parse("`c-pe` < 0").evaluate(k) == std::vector<unsigned char>{0, 1});
}

TEST_CASE("selection: limits hold on hostile input", "[selection]") {
    frame f;
    f.natoms = 3;
    f.add_column("x", {0, 1, 2});
    auto nested = [](std::size_t depth) { return std::string(depth, '(') + "x>1" + std::string(depth, ')'); };
    CHECK(selection::parse(nested(64)).count(f) == 1);
    CHECK(message_of(nested(65)) ==
          "selection '" + nested(65) + "': parentheses nested more than 64 deep at character 65");
    CHECK_THROWS_AS(selection::parse(nested(1000)), tessera::error);
    CHECK_THROWS_AS(selection::parse(std::string(4000, '(')), tessera::error);
    // numbers nest as deeply as conditions: ((((x)))) + ...
    CHECK(selection::parse(std::string(64, '(') + "x" + std::string(64, ')') + ">1").count(f) == 1);
    CHECK(selection::parse("x > " + std::string(64, '(') + "1" + std::string(64, ')')).count(f) == 1);

    // length: 4096 bytes are accepted, 4097 are not
    std::string e = "x>1";
    while (e.size() + 7 <= selection::max_length) e += " || x>1";
    e += std::string(selection::max_length - e.size(), ' ');
    REQUIRE(e.size() == selection::max_length);
    CHECK(selection::parse(e).count(f) == 1);
    e += " ";
    CHECK(message_of(e) == "selection 'x>1 || x>1 || x>1 || x>1 || x>1 || x>1 |...': the expression has 4097 "
                           "bytes, more than the limit of 4096");

    // long flat chains need no recursion: unary operators, and/or, arithmetic
    CHECK(selection::parse(std::string(4000, '!') + "x>1").count(f) == 1);
    CHECK(selection::parse(std::string(4001, '!') + "x>1").count(f) == 2);
    CHECK(selection::parse(std::string(4000, '-') + "x<-1").count(f) == 0);
    CHECK(selection::parse("x>0" + [] {
              std::string s;
              for (int i = 0; i < 500; ++i) s += " && x>0";
              return s;
          }()).count(f) == 2);
    std::string sum = "x";
    while (sum.size() < 4000) sum += "+x";
    CHECK(selection::parse(sum + " > 1000").count(f) == 2);
    // right-nested within the depth limit
    std::string right = "x";
    for (int i = 0; i < 60; ++i) right = "x - (" + right + ")";
    CHECK(selection::parse(right + " != 0").count(f) == 2);
    std::string conds = "x>1";
    for (int i = 0; i < 60; ++i) conds = "x>1 && (x<0 || " + conds + ")";
    CHECK(selection::parse(conds).count(f) == 1);
}

TEST_CASE("selection: random byte strings either parse or throw tessera::error", "[selection]") {
    frame f;
    f.natoms = 5;
    for (const char* c : {"x", "y", "type"}) f.add_column(c, {0, 1, 2, nan_v, -1});
    f.type_names = {"Cu", "Zr"};
    const std::string alphabet = "xy type 0123.5e+-*/()!=<>&|andort'\"`Cu[]_ \t";
    std::mt19937 rng(11);
    std::size_t parsed = 0;
    for (int t = 0; t < 20000; ++t) {
        std::string s;
        const std::size_t len = rng() % 24;
        for (std::size_t i = 0; i < len; ++i)
            s += rng() % 50 == 0 ? char(rng() % 256) : alphabet[rng() % alphabet.size()];
        try {
            const auto sel = selection::parse(s);
            ++parsed;
            try {
                const auto m = sel.evaluate(f);
                CHECK(m.size() == f.natoms);
                CHECK(sel.count(f) == ones(m));
            } catch (const tessera::error&) {
            }
        } catch (const tessera::error& e) {
            CHECK(std::string(e.what()).rfind("selection '", 0) == 0);
        }
    }
    CHECK(parsed > 100);
}
