// io/detail/text_input.hpp: the Clinger fast path of parse_double gives exactly what
// std::from_chars gives (bit for bit, sign of zero included) on every token it accepts, and the
// same integer_like flag; io/lammps_dump_writer.hpp --precision formats as printf's %.Ng.
#include <tessera/io/detail/text_input.hpp>
#include <tessera/io/lammps_dump.hpp>

#include <catch2/catch.hpp>

#include <charconv>
#include <cmath>
#include <limits>
#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace tessera;

namespace {

/// The reference: std::from_chars on the token (after an optional '+'), and digits-only.
bool reference(const std::string& t, double& v, bool& integer_like) {
    const char* b = t.data();
    const char* e = b + t.size();
    if (b != e && *b == '+') ++b;
    const auto [p, ec] = std::from_chars(b, e, v, std::chars_format::general);
    if (ec != std::errc() || p != e) return false;
    integer_like = true;
    for (const char* q = (*b == '-' ? b + 1 : b); q != e; ++q)
        if (*q < '0' || *q > '9') integer_like = false;
    return true;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

}  // namespace

TEST_CASE("parse_double: the fast path equals std::from_chars on random decimal tokens", "[io][parse]") {
    std::mt19937_64 g(2024);
    std::uniform_int_distribution<int> len(0, 21), digit(0, 9), coin(0, 3), ex(-30, 30);
    std::size_t fast = 0, total = 0;
    for (int n = 0; n < 400000; ++n) {
        std::string t;
        if (coin(g) == 0) t += '-';
        if (coin(g) == 1) t += '+';
        const int a = len(g), b = coin(g) == 0 ? 0 : len(g);
        for (int k = 0; k < a; ++k) t += char('0' + digit(g));
        if (coin(g) != 0) {
            t += '.';
            for (int k = 0; k < b; ++k) t += char('0' + digit(g));
        }
        if (coin(g) == 0) t += (coin(g) ? 'e' : 'E') + std::to_string(ex(g));
        double want = 0, got = 0;
        bool want_int = false, got_int = false;
        const bool ok = reference(t, want, want_int) && std::isfinite(want);
        const auto st = detail::parse_double(t, got, got_int);
        INFO("token '" << t << "'");
        REQUIRE((st == detail::parse_status::ok) == ok);
        if (ok) {
            REQUIRE(same_bits(got, want));
            REQUIRE(got_int == want_int);
        }
        const char* start = t.data() + (t.size() && t[0] == '+' ? 1 : 0);
        double v = 0;
        bool il = false;
        fast += detail::parse_decimal_fast(start, t.data() + t.size(), v, il);
        ++total;
    }
    // The fast path must actually be exercised (%g-like tokens are most of these).
    CHECK(fast > total / 4);
}

TEST_CASE("parse_double: what simulation codes print takes the fast path, exactly", "[io][parse]") {
    std::mt19937_64 g(7);
    std::uniform_real_distribution<double> u(-1e3, 1e3);
    char buf[64];
    for (int n = 0; n < 100000; ++n) {
        const double x = u(g);
        for (const char* fmt : {"%g", "%.6f", "%.10g", "%.15g", "%e"}) {
            std::snprintf(buf, sizeof buf, fmt, x);
            const std::string t = buf;
            double want = 0, got = 0;
            bool il = false;
            REQUIRE(reference(t, want, il));
            REQUIRE(detail::parse_double(t, got, il) == detail::parse_status::ok);
            INFO("token '" << t << "'");
            REQUIRE(same_bits(got, want));
        }
    }
    double v = 0;
    bool il = false;
    for (const char* t : {"0.0414822", "72.2966", "-1.5e-3", "12", "-0", "0.0", "1e22", "9007199254740992"})
        CHECK(detail::parse_decimal_fast(t, t + std::strlen(t), v, il));
    CHECK(detail::parse_double("-0", v, il) == detail::parse_status::ok);
    CHECK((std::signbit(v) && v == 0 && il));
    // beyond the fast path: left to from_chars, still right
    for (const char* t : {"9007199254740993", "1e23", "0.1234567890123456789", "1e-400"})
        CHECK_FALSE(detail::parse_decimal_fast(t, t + std::strlen(t), v, il));
    CHECK(detail::parse_double("9007199254740993", v, il) == detail::parse_status::ok);
    CHECK(v == 9007199254740992.0);  // round to nearest even, as from_chars
    for (const char* bad : {".", "-", "e5", "1e", "1e+", "--1", "+-1", "1.2.3", "nan", "inf", "0x10", "1 ", ""})
        CHECK(detail::parse_double(bad, v, il) != detail::parse_status::ok);
    // 20 significant digits whose significand wraps in 64 bits (2^64 = 18446744073709551616 would
    // become 0; found by the dump fuzzer): not the fast path, and from_chars' value.
    for (const char* t : {"18446744073709551616", "18446744073709551616123", "36893488147419103232",
                          "184467440737095516.16", "0018446744073709551616", "-18446744073709551617e-3"}) {
        INFO(t);
        CHECK_FALSE(detail::parse_decimal_fast(t, t + std::strlen(t), v, il));
        double want = 0;
        std::from_chars(t, t + std::strlen(t), want);
        REQUIRE(detail::parse_double(t, v, il) == detail::parse_status::ok);
        CHECK(same_bits(v, want));
    }
    // 19 significant digits after leading zeros still take the fast path.
    const char* nineteen = "0001844674407370955";
    CHECK(detail::parse_decimal_fast(nineteen, nineteen + std::strlen(nineteen), v, il));
    CHECK(v == 1844674407370955.0);
}

TEST_CASE("parse_double: nan and inf are not_finite with the value set", "[io][parse]") {
    double v = 0;
    bool il = true;
    for (const char* t : {"nan", "-nan", "NaN", "+nan", "NAN", "nan(ind)", "-nan(ind)"}) {
        INFO(t);
        v = 0;
        CHECK(detail::parse_double(t, v, il) == detail::parse_status::not_finite);
        CHECK(std::isnan(v));
        CHECK_FALSE(il);
    }
    for (const char* t : {"inf", "Inf", "+inf", "INF", "infinity", "+Infinity"}) {
        INFO(t);
        CHECK(detail::parse_double(t, v, il) == detail::parse_status::not_finite);
        CHECK(v == std::numeric_limits<double>::infinity());
    }
    for (const char* t : {"-inf", "-INFINITY"}) {
        INFO(t);
        CHECK(detail::parse_double(t, v, il) == detail::parse_status::not_finite);
        CHECK(v == -std::numeric_limits<double>::infinity());
    }
    for (const char* t : {"nan1", "infx", "in", "na", "+-inf", "++nan", "-", "nanx()", "inff"}) {
        INFO(t);
        CHECK(detail::parse_double(t, v, il) == detail::parse_status::not_a_number);
    }
}

TEST_CASE("lammps_dump_writer: --precision N writes non-integer values as printf %.Ng", "[io][writer]") {
    frame f;
    f.timestep = 5;
    f.natoms = 3;
    f.box = orthogonal_box<double>({0, 0, 0}, {10.123456789, 10, 10});
    f.box_flags = "pp pp pp";
    f.names = {"id", "x"};
    f.columns = {{1, 2, 3}, {0.123456789123, 5.5, 1234567.891}};
    f.integral = {1, 0};
    std::ostringstream os;
    lammps_dump_writer w(os);
    w.set_precision(6);
    w.write(f);
    w.close();
    const std::string text = os.str();
    char expected[128];
    std::snprintf(expected, sizeof expected, "1 %.6g\n2 %.6g\n3 %.6g\n", 0.123456789123, 5.5, 1234567.891);
    CHECK(text.find(expected) != std::string::npos);
    CHECK(text.find("10.123456789") != std::string::npos);  // the box stays exact
    CHECK_THROWS_WITH(w.set_precision(18), Catch::Contains("precision must be 0"));
}
