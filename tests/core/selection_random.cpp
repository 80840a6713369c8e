// tessera::selection (core/selection.hpp) on random expressions: a tree evaluator and the parser
// must agree on every atom, with expressions printed with the fewest parentheses the precedence
// rules allow (or, at random, more).

#include <tessera/core/selection.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

using tessera::frame;
using tessera::selection;

namespace {
constexpr double nan_v = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_v = std::numeric_limits<double>::infinity();
}  // namespace

namespace {

/// A random expression tree printed with the fewest parentheses (or, at random, more) and
/// evaluated directly: a check of the parser's precedence and of the compiled program together.
struct node {
    enum kind_t { column, number, neg, add, sub, mul, div, cmp, land, lor, lnot } kind;
    int col = 0, rel = 0;
    double value = 0;
    std::unique_ptr<node> l, r;
};

const char* const tree_columns[] = {"a", "b", "c", "d"};

int prec(const node& n) {
    switch (n.kind) {
        case node::lor: return 1;
        case node::land: return 2;
        case node::lnot: return 3;
        case node::cmp: return 4;
        case node::add: case node::sub: return 5;
        case node::mul: case node::div: return 6;
        case node::neg: return 7;
        default: return 8;
    }
}

std::unique_ptr<node> make(std::mt19937& rng, bool condition, int depth) {
    auto n = std::make_unique<node>();
    std::uniform_int_distribution<int> pick(0, 99);
    if (condition) {
        const int p = depth <= 0 ? 0 : pick(rng);
        if (p < 40) {
            n->kind = node::cmp;
            n->rel = pick(rng) % 6;
            n->l = make(rng, false, depth - 1);
            n->r = make(rng, false, depth - 1);
        } else if (p < 65) {
            n->kind = node::land;
        } else if (p < 90) {
            n->kind = node::lor;
        } else {
            n->kind = node::lnot;
            n->l = make(rng, true, depth - 1);
        }
        if (n->kind == node::land || n->kind == node::lor) {
            n->l = make(rng, true, depth - 1);
            n->r = make(rng, true, depth - 1);
        }
        return n;
    }
    const int p = depth <= 0 ? pick(rng) % 50 : pick(rng);
    if (p < 30) {
        n->kind = node::column;
        n->col = pick(rng) % 4;
    } else if (p < 50) {
        n->kind = node::number;
        n->value = (pick(rng) % 9 - 4) * 0.5;  // -2 .. 2, dyadic: + - * stay exact
    } else if (p < 60) {
        n->kind = node::neg;
        n->l = make(rng, false, depth - 1);
    } else {
        n->kind = p < 70 ? node::add : p < 80 ? node::sub : p < 90 ? node::mul : node::div;
        n->l = make(rng, false, depth - 1);
        n->r = make(rng, false, depth - 1);
    }
    return n;
}

std::string print(const node& n, std::mt19937& rng);

std::string child(const node& parent, const node& c, bool right, std::mt19937& rng) {
    std::string s = print(c, rng);
    bool need = prec(c) < prec(parent);
    // left-associative binary operators: a right child of the same level needs parentheses
    if (right && prec(c) == prec(parent) && parent.kind != node::lnot) need = true;
    // a negative literal under unary minus or on the right of a binary operator is fine ("- -2", "a*-2")
    if (parent.kind == node::neg && c.kind == node::neg) need = false;
    if (parent.kind == node::lnot && c.kind == node::lnot) need = false;
    if (!need && std::uniform_int_distribution<int>(0, 9)(rng) == 0) need = true;  // sometimes redundant
    return need ? "(" + s + ")" : s;
}

std::string print(const node& n, std::mt19937& rng) {
    static const char* const rels[] = {"==", "!=", "<", "<=", ">", ">="};
    switch (n.kind) {
        case node::column: return tree_columns[n.col];
        case node::number: {
            std::string s = std::to_string(std::abs(n.value));
            return n.value < 0 ? "-" + s : s;  // a negative literal is unary minus on a number
        }
        case node::neg: return "-" + child(n, *n.l, false, rng);
        case node::lnot: return std::string(rng() % 2 ? "!" : "not ") + child(n, *n.l, false, rng);
        default: break;
    }
    const char* op = n.kind == node::add ? " + " : n.kind == node::sub ? " - " : n.kind == node::mul ? " * "
                   : n.kind == node::div ? " / " : n.kind == node::land ? (rng() % 2 ? " && " : " and ")
                   : n.kind == node::lor ? (rng() % 2 ? " || " : " or ") : rels[n.rel];
    return child(n, *n.l, false, rng) + op + child(n, *n.r, true, rng);
}

double value(const node& n, const double* cols) {
    switch (n.kind) {
        case node::column: return cols[n.col];
        case node::number: return n.value;
        case node::neg: return -value(*n.l, cols);
        case node::add: return value(*n.l, cols) + value(*n.r, cols);
        case node::sub: return value(*n.l, cols) - value(*n.r, cols);
        case node::mul: return value(*n.l, cols) * value(*n.r, cols);
        default: return value(*n.l, cols) / value(*n.r, cols);
    }
}

bool truth(const node& n, const double* cols) {
    switch (n.kind) {
        case node::land: return truth(*n.l, cols) && truth(*n.r, cols);
        case node::lor: return truth(*n.l, cols) || truth(*n.r, cols);
        case node::lnot: return !truth(*n.l, cols);
        default: break;
    }
    const double a = value(*n.l, cols), b = value(*n.r, cols);
    switch (n.rel) {
        case 0: return a == b;
        case 1: return a != b;
        case 2: return a < b;
        case 3: return a <= b;
        case 4: return a > b;
        default: return a >= b;
    }
}

}  // namespace

TEST_CASE("selection: random expressions agree with a tree evaluator", "[selection]") {
    // Small dyadic values (and a NaN and an inf) so that sums and products are exact whatever
    // the compiler contracts, equalities hold often, and NaN/inf propagate.
    std::mt19937 rng(2024);
    frame f;
    f.natoms = 700;
    std::vector<std::vector<double>> cols(4, std::vector<double>(f.natoms));
    for (std::size_t i = 0; i < f.natoms; ++i)
        for (int c = 0; c < 4; ++c) {
            const int r = int(rng() % 40);
            cols[c][i] = r == 0 ? nan_v : r == 1 ? inf_v : r == 2 ? -inf_v : (int(rng() % 9) - 4) * 0.5;
        }
    for (int c = 0; c < 4; ++c) f.add_column(tree_columns[c], cols[c]);
    for (int t = 0; t < 600; ++t) {
        const auto tree = make(rng, true, 1 + t % 6);
        const std::string text = print(*tree, rng);
        INFO(text);
        const auto sel = selection::parse(text);
        const auto got = sel.evaluate(f);
        for (std::size_t i = 0; i < f.natoms; ++i) {
            const double v[4] = {cols[0][i], cols[1][i], cols[2][i], cols[3][i]};
            REQUIRE(bool(got[i]) == truth(*tree, v));
        }
    }
}
