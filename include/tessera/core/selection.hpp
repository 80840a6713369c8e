#pragma once
/// @file
/// tessera::selection — atoms chosen by a condition on a frame's columns, e.g. the `--select`
/// of `tessera compute`, `summary` and `events`. Close to OVITO's "Expression selection":
///
///     auto sel = tessera::selection::parse("type==2 && csp>4");
///     std::vector<unsigned char> mask;
///     sel.evaluate(frame, mask);         // mask[i] = 1 if atom i is selected, else 0
///     std::size_t n = sel.count(frame);  // how many are
///     sel.columns();                     // {"type", "csp"}: the columns it reads
///
/// ## The selection language
///
/// An expression is a condition, evaluated for every atom; the atoms for which it holds are
/// selected.
///
///     type==2                         atoms of type 2
///     csp > 4 && c_pe < -3.5          both
///     type==1 or type==3              either
///     not (x < 10 or x > 20)          x in [10, 20], and NaN x (see below)
///     c_stress[1] >= 1e4              LAMMPS array columns by their dump name
///     (xu-x)*(xu-x) + (yu-y)*(yu-y) > 4    arithmetic on columns
///     type == "Cu"                    by species name (extended XYZ input)
///
/// - **Columns**: any column of the frame by its name in the input (`id`, `type`, `x`, `c_pe`,
///   `csp`, `q6`, `c_stress[1]`), case-sensitive: a letter or `_`, then letters, digits, `_`,
///   `.`, `[` and `]`. A name of other characters, or a column called `and`, `or` or `not`, is
///   written in backticks: `` `c-pe` > 0 ``.
/// - **Numbers**: decimal, with optional fraction and exponent: `2`, `0.5`, `.5`, `-3.5`,
///   `1e-3`, `2.5E+4` (read as the nearest double; beyond the range of double is an error).
///   A letter straight after a number is an error (`2x`).
/// - **Arithmetic**: `+`, `-`, `*`, `/` and unary `-`, `+` on numbers and columns, in double
///   precision (IEEE: `x/0` is ±inf, `0/0` is NaN).
/// - **Comparisons**: `==` (or `=`), `!=`, `<`, `<=`, `>`, `>=` between two numbers, columns or
///   arithmetic expressions. They do not chain: write `1 < x && x < 2`, not `1 < x < 2`.
/// - **Logic**: `&&` or `and`, `||` or `or`, `!` or `not`, and parentheses. Keywords are
///   lower case.
/// - **Labels**: a quoted name, `"Cu"` or `'Cu'`, compared with `==` or `!=` to a column that
///   has labels. Today that is `type` when the input named its species (extended XYZ): type t is
///   the t-th species name of the file. A label that no atom has (yet) matches no atom:
///   `type=="Xe"` selects none, `type!="Xe"` all. Comparing a column without labels to a label
///   is an error.
///
/// Precedence, from tightest to loosest: unary `-` and `+`; `*` `/`; `+` `-`; comparisons; `!`/`not`;
/// `&&`/`and`; `||`/`or`. Operators of one level group left to right. `!` binds more loosely
/// than a comparison, as Python's `not` (unlike C): `!type==2` is `!(type==2)`;
/// `a || b && c` is `a || (b && c)`; `!a && b` is `(!a) && b`.
///
/// Numbers and conditions are kept apart: `&&`, `||` and `!` take conditions; arithmetic and
/// comparisons take numbers. A bare column is not a condition (write `flag != 0`), and the whole
/// expression must be one.
///
/// Comparisons follow IEEE 754. `==` is exact, with no tolerance: it suits integer-valued
/// columns (`id`, `type`, counts; exact up to 2^53), while a computed value may differ from a
/// written decimal in its last bit. Every comparison with NaN is false except `!=`, which is
/// true: `x != x` selects the atoms whose x is NaN, `csp <= 4` excludes NaN csp and
/// `!(csp > 4)` includes it.
///
/// Whitespace (space, tab, newline) may appear between any two tokens. An expression has at
/// most 4096 bytes and nests parentheses at most 64 deep.
///
/// Errors are tessera::error. A syntax error names the expression and the character (from 1,
/// counting UTF-8 characters) where it went wrong:
///
///     selection 'type==2 &&': expected a value after '&&' at the end (character 11)
///     selection 'type==2 csp>4': expected an operator before 'csp' at character 9
///     selection 'csp && x>1': '&&' takes conditions; 'csp' at character 1 is a number (compare it, e.g. 'csp != 0')
///
/// A column the frame lacks is reported when evaluating, with the nearest column name (edit
/// distance <= 2, detail/closest_name.hpp) and the frame's columns:
///
///     selection 'tpye==2': no column 'tpye' (did you mean 'type'?); columns are: id type x y z
///
/// ## Evaluation
///
/// parse() compiles the expression to a postfix program (constants folded, `column op number`
/// fused into one instruction). evaluate() runs it over blocks of 512 atoms, each instruction a
/// loop over the block reading the columns in place: no allocation per atom, about a
/// millisecond per million atoms and comparison. Columns are looked up by name at every
/// evaluate(), so one selection serves every frame of a trajectory, whatever its column order.
/// A selection is immutable after parse() and may be evaluated from several threads at once.
/// Comparisons rely on IEEE NaN semantics: do not compile with -ffast-math/-ffinite-math-only.
///
/// It lives in core/ beside frame.hpp because it reads nothing but a frame's columns (or spans
/// the caller binds): no file format is involved.

#include <tessera/core/detail/closest_name.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/frame.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace tessera {

class selection {
public:
    static constexpr std::size_t max_length = 4096;  ///< bytes of an expression
    static constexpr std::size_t max_depth = 64;     ///< nesting of parentheses

    /// A selection of every atom (what `--select` absent means); text() is empty.
    selection() = default;

    /// Compiles `expression`; throws tessera::error on a syntax or type error (file comment).
    static selection parse(std::string_view expression) {
        selection s;
        s.text_ = std::string(expression);
        parser p(s);
        p.run();
        s.finish();
        return s;
    }

    /// The expression as given to parse() (empty for the default selection).
    const std::string& text() const noexcept { return text_; }
    /// True for the default selection, which selects every atom.
    bool selects_all() const noexcept { return code_.empty(); }
    /// The column names the expression reads, each once, in order of first appearance.
    const std::vector<std::string>& columns() const noexcept { return columns_; }
    /// Whether it compares a column to a label (`type=="Cu"`).
    bool uses_labels() const noexcept { return !labels_.empty(); }

    /// Throws the evaluate() error for the first column of columns() missing from `available`.
    void check_columns(std::span<const std::string> available) const {
        for (const auto& c : columns_)
            if (std::find(available.begin(), available.end(), c) == available.end())
                throw error(prefix() + "no column '" + c + "'" + detail::did_you_mean(c, available) +
                            "; columns are: " + join(available));
    }

    /// mask[i] = 1 if atom i of `f` is selected, else 0; mask is resized to f.natoms.
    /// Throws if a column is missing (naming it, the nearest name and the frame's columns) or a
    /// label is compared to a column without labels.
    void evaluate(const frame& f, std::vector<unsigned char>& mask) const {
        mask.resize(f.natoms);
        bound b = bind(f);
        run(b, f.natoms, [&](std::size_t start, std::size_t n, const unsigned char* m) {
            std::memcpy(mask.data() + start, m, n);
        });
    }
    std::vector<unsigned char> evaluate(const frame& f) const {
        std::vector<unsigned char> mask;
        evaluate(f, mask);
        return mask;
    }
    /// The number of atoms of `f` selected (no mask is stored).
    std::size_t count(const frame& f) const {
        std::size_t total = 0;
        bound b = bind(f);
        run(b, f.natoms, [&](std::size_t, std::size_t n, const unsigned char* m) { total += tally(m, n); });
        return total;
    }

    /// The same over columns the caller binds (e.g. descriptor outputs not stored in a frame):
    /// values[k] holds column columns()[k] for at least mask.size() atoms; labels, empty or one
    /// entry per column, gives a column's label names (value v is labels[k][v-1], as
    /// frame::type_names for `type`). Fills mask[i] for i < mask.size().
    void evaluate(std::span<const std::span<const double>> values, std::span<unsigned char> mask,
                  std::span<const std::span<const std::string>> labels = {}) const {
        bound b = bind(values, mask.size(), labels);
        run(b, mask.size(), [&](std::size_t start, std::size_t n, const unsigned char* m) {
            std::memcpy(mask.data() + start, m, n);
        });
    }
    std::size_t count(std::span<const std::span<const double>> values, std::size_t natoms,
                      std::span<const std::span<const std::string>> labels = {}) const {
        std::size_t total = 0;
        bound b = bind(values, natoms, labels);
        run(b, natoms, [&](std::size_t, std::size_t n, const unsigned char* m) { total += tally(m, n); });
        return total;
    }

private:
    // ---- the compiled program ------------------------------------------------------------
    enum class opcode : std::uint8_t {
        column,         // push column `index`
        constant,       // push `value`
        negate,         // number -> number
        add, subtract, multiply, divide,  // number number -> number
        compare,        // number number -> mask (relation `rel`)
        compare_const,  // column `index` rel `value` -> mask
        compare_label,  // column `index` rel labels_[label] -> mask
        mask_const,     // push mask of `value` (0 or 1)
        logical_and, logical_or, logical_not,
    };
    enum class relation : std::uint8_t { eq, ne, lt, le, gt, ge };
    struct instruction {
        opcode op;
        relation rel = relation::eq;
        std::uint32_t index = 0;  // column, or constant slot
        std::uint32_t label = 0;
        double value = 0;
    };

    static constexpr std::size_t block = 512;

    std::string text_;
    std::vector<std::string> columns_;
    std::vector<std::string> labels_;
    std::vector<instruction> code_;
    std::size_t number_depth_ = 0, mask_depth_ = 0, constants_ = 0;

    // ---- messages ------------------------------------------------------------------------
    static std::string printable(std::string_view s) {
        std::string out;
        for (const char ch : s) {
            const auto c = static_cast<unsigned char>(ch);
            if (c < 0x20 || c == 0x7f) {
                static constexpr char hex[] = "0123456789abcdef";
                out += "\\x";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else {
                out += ch;
            }
        }
        return out;
    }
    std::string prefix() const { return "selection '" + printable(text_) + "': "; }
    static std::string join(std::span<const std::string> names) {
        if (names.empty()) return "(none)";
        std::string s;
        for (const auto& n : names) (s += s.empty() ? "" : " ") += n;
        return s;
    }

    // ---- parser --------------------------------------------------------------------------
    enum class kind : std::uint8_t { number, condition, label };
    enum class tok : std::uint8_t {
        end, number, name, label, lparen, rparen,
        and_, or_, not_, eq, ne, lt, le, gt, ge, plus, minus, star, slash,
    };
    struct token {
        tok t = tok::end;
        std::size_t pos = 0, len = 0;  // bytes into the expression
        double value = 0;              // tok::number
        std::string name;              // tok::name (unquoted), tok::label
    };
    struct operand {
        kind k = kind::number;
        std::size_t pos = 0, end = 0;  // bytes of its text
        bool is_column = false, is_const = false;
        std::uint32_t column = 0, label = 0;
        double value = 0;
    };

    class parser {
    public:
        explicit parser(selection& s) : s_(s), x_(s.text_) {}

        void run() {
            if (x_.size() > max_length)
                throw error("selection '" + printable(x_.substr(0, 40)) + "...': the expression has " +
                            std::to_string(x_.size()) + " bytes, more than the limit of " +
                            std::to_string(max_length));
            if (x_.find_first_not_of(" \t\n\r\f\v") == std::string_view::npos)
                throw error("selection '" + printable(x_) + "': the expression is empty");
            advance();
            const operand r = parse_or();
            if (cur_.t == tok::rparen) fail(cur_.pos, "unexpected ')' without a matching '('");
            if (cur_.t != tok::end) fail(cur_.pos, "expected an operator before '" + token_text(cur_) + "'");
            if (r.k != kind::condition) require(r, kind::condition, "the expression");
        }

    private:
        selection& s_;
        std::string_view x_;
        std::size_t at_ = 0;  // next byte to lex
        token cur_, prev_;
        std::size_t depth_ = 0;

        // -- errors --
        std::size_t character(std::size_t byte) const {
            std::size_t n = 1;
            for (std::size_t i = 0; i < byte && i < x_.size(); ++i)
                n += (static_cast<unsigned char>(x_[i]) & 0xC0) != 0x80;
            return n;
        }
        std::string where(std::size_t byte) const {
            if (byte >= x_.size()) return "at the end (character " + std::to_string(character(byte)) + ")";
            return "at character " + std::to_string(character(byte));
        }
        [[noreturn]] void fail(std::size_t byte, const std::string& what) const {
            throw error(s_.prefix() + what + " " + where(byte));
        }
        [[noreturn]] void fail_plain(const std::string& what) const { throw error(s_.prefix() + what); }
        std::string token_text(const token& t) const { return printable(x_.substr(t.pos, t.len)); }
        std::string text_of(const operand& o) const {
            std::string_view t = x_.substr(o.pos, o.end - o.pos);
            if (t.size() > 40) return printable(t.substr(0, 37)) + "...";
            return printable(t);
        }

        // -- lexer --
        static bool is_space(char c) noexcept {
            return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
        }
        static bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
        static bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
        static bool is_name_char(char c) noexcept {
            return is_alpha(c) || is_digit(c) || c == '.' || c == '[' || c == ']';
        }

        void advance() {
            prev_ = std::move(cur_);
            cur_ = lex();
        }
        token lex() {
            while (at_ < x_.size() && is_space(x_[at_])) ++at_;
            token t;
            t.pos = at_;
            if (at_ >= x_.size()) return t;
            const char c = x_[at_];
            const char n = at_ + 1 < x_.size() ? x_[at_ + 1] : '\0';
            auto op = [&](tok k, std::size_t len) {
                t.t = k;
                t.len = len;
                at_ += len;
                return t;
            };
            if (is_digit(c) || (c == '.' && is_digit(n))) return lex_number();
            if (is_alpha(c)) {
                std::size_t e = at_;
                while (e < x_.size() && is_name_char(x_[e])) ++e;
                const std::string_view w = x_.substr(at_, e - at_);
                if (w == "and") return op(tok::and_, 3);
                if (w == "or") return op(tok::or_, 2);
                if (w == "not") return op(tok::not_, 3);
                t.name = std::string(w);
                return op(tok::name, w.size());
            }
            if (c == '`' || c == '"' || c == '\'') {
                const std::size_t close = x_.find(c, at_ + 1);
                const char* what = c == '`' ? "column name" : "label";
                if (close == std::string_view::npos)
                    fail(at_, std::string("missing the closing ") + c + " of the " + what + " starting");
                if (close == at_ + 1) fail(at_, std::string("empty ") + what);
                t.name = std::string(x_.substr(at_ + 1, close - at_ - 1));
                return op(c == '`' ? tok::name : tok::label, close + 1 - at_);
            }
            switch (c) {
                case '(': return op(tok::lparen, 1);
                case ')': return op(tok::rparen, 1);
                case '+': return op(tok::plus, 1);
                case '-': return op(tok::minus, 1);
                case '*': return op(tok::star, 1);
                case '/': return op(tok::slash, 1);
                case '&':
                    if (n == '&') return op(tok::and_, 2);
                    fail(at_, "unexpected '&' (write '&&' or 'and')");
                case '|':
                    if (n == '|') return op(tok::or_, 2);
                    fail(at_, "unexpected '|' (write '||' or 'or')");
                case '!': return n == '=' ? op(tok::ne, 2) : op(tok::not_, 1);
                case '<': return n == '=' ? op(tok::le, 2) : op(tok::lt, 1);
                case '>': return n == '=' ? op(tok::ge, 2) : op(tok::gt, 1);
                case '=':
                    if (n == '=') return op(tok::eq, 2);
                    if (n == '<' || n == '>')
                        fail(at_, std::string("'=") + n + "' is not an operator (write '" + n + "=')");
                    return op(tok::eq, 1);
                default: break;
            }
            // An unexpected character: show it whole (a UTF-8 sequence), hint at ASCII look-alikes.
            std::size_t len = 1;
            const auto u = static_cast<unsigned char>(c);
            if (u >= 0xC0)
                while (at_ + len < x_.size() && (static_cast<unsigned char>(x_[at_ + len]) & 0xC0) == 0x80 && len < 4)
                    ++len;
            const std::string_view ch = x_.substr(at_, len);
            std::string hint;
            if (ch == "\u2265") hint = " (write '>=')";
            else if (ch == "\u2264") hint = " (write '<=')";
            else if (ch == "\u2260") hint = " (write '!=')";
            else if (ch == "\u2212") hint = " (write '-')";
            else if (ch == "\u00d7") hint = " (write '*')";
            else if (ch == "\u2227") hint = " (write '&&')";
            else if (ch == "\u2228") hint = " (write '||')";
            fail(at_, "unexpected character '" + printable(ch) + "'" + hint);
        }
        token lex_number() {
            token t;
            t.t = tok::number;
            t.pos = at_;
            std::size_t e = at_;
            while (e < x_.size() && is_digit(x_[e])) ++e;
            if (e < x_.size() && x_[e] == '.') {
                ++e;
                while (e < x_.size() && is_digit(x_[e])) ++e;
            }
            bool bad = false;
            if (e < x_.size() && (x_[e] == 'e' || x_[e] == 'E')) {
                std::size_t f = e + 1;
                if (f < x_.size() && (x_[f] == '+' || x_[f] == '-')) ++f;
                if (f < x_.size() && is_digit(x_[f])) {
                    while (f < x_.size() && is_digit(x_[f])) ++f;
                    e = f;
                } else {
                    bad = true;  // "1e", "1e+"
                    e = f;
                }
            }
            if (bad || (e < x_.size() && is_name_char(x_[e]))) {
                while (e < x_.size() && is_name_char(x_[e])) ++e;
                fail(at_, "malformed number '" + printable(x_.substr(at_, e - at_)) + "'");
            }
            const auto r = std::from_chars(x_.data() + at_, x_.data() + e, t.value);
            if (r.ec == std::errc::result_out_of_range || !std::isfinite(t.value))
                fail(at_, "number '" + std::string(x_.substr(at_, e - at_)) + "' is out of the range of double");
            if (r.ec != std::errc() || r.ptr != x_.data() + e)
                fail(at_, "malformed number '" + std::string(x_.substr(at_, e - at_)) + "'");
            t.len = e - at_;
            at_ = e;
            return t;
        }

        // -- emission --
        void emit(instruction i) { s_.code_.push_back(i); }
        std::uint32_t column_slot(const std::string& name) {
            auto& cols = s_.columns_;
            const auto it = std::find(cols.begin(), cols.end(), name);
            if (it != cols.end()) return static_cast<std::uint32_t>(it - cols.begin());
            cols.push_back(name);
            return static_cast<std::uint32_t>(cols.size() - 1);
        }

        // -- type checks --
        void require(const operand& o, kind want, const std::string& who) const {
            if (o.k == want) return;
            const std::string t = "'" + text_of(o) + "' " + where(o.pos);
            if (o.k == kind::label)
                fail_plain(who + (who == "the expression" ? " must be a condition; "
                                  : want == kind::number ? " takes numbers; " : " takes conditions; ") + t +
                           " is a label, which is compared to a column with == or != (e.g. 'type==" + text_of(o) +
                           "')");
            if (want == kind::condition)
                fail_plain(who + (who == "the expression" ? " must be a condition; " : " takes conditions; ") + t +
                           " is a number (compare it, e.g. '" + text_of(o) + " != 0')");
            fail_plain(who + " takes numbers; " + t + " is a condition");
        }
        static std::string op_name(const token& t, std::string_view x) {
            std::string s(1, '\'');  // appended, not "'" + ... + "'": GCC 12 -O3 warns falsely (-Wrestrict)
            s.append(x.substr(t.pos, t.len));
            s += '\'';
            return s;
        }

        // -- grammar (file comment): or > and > not > comparison > sum > product > unary > primary --
        operand parse_or() {
            operand l = parse_and();
            while (cur_.t == tok::or_) {
                const token o = cur_;
                advance();
                operand r = parse_and();
                require(l, kind::condition, op_name(o, x_));
                require(r, kind::condition, op_name(o, x_));
                emit({opcode::logical_or});
                l = condition(l.pos, r.end);
            }
            return l;
        }
        operand parse_and() {
            operand l = parse_not();
            while (cur_.t == tok::and_) {
                const token o = cur_;
                advance();
                operand r = parse_not();
                require(l, kind::condition, op_name(o, x_));
                require(r, kind::condition, op_name(o, x_));
                emit({opcode::logical_and});
                l = condition(l.pos, r.end);
            }
            return l;
        }
        operand parse_not() {
            std::size_t nots = 0;
            token first;
            while (cur_.t == tok::not_) {
                if (nots++ == 0) first = cur_;
                advance();
            }
            operand r = parse_comparison();
            if (nots == 0) return r;
            require(r, kind::condition, op_name(first, x_));
            if (nots % 2) {
                if (s_.code_.back().op == opcode::mask_const)
                    s_.code_.back().value = s_.code_.back().value != 0 ? 0 : 1;
                else
                    emit({opcode::logical_not});
            }
            return condition(first.pos, r.end);
        }
        static bool is_relation(tok t) noexcept {
            return t == tok::eq || t == tok::ne || t == tok::lt || t == tok::le || t == tok::gt || t == tok::ge;
        }
        static relation to_relation(tok t) noexcept {
            switch (t) {
                case tok::eq: return relation::eq;
                case tok::ne: return relation::ne;
                case tok::lt: return relation::lt;
                case tok::le: return relation::le;
                case tok::gt: return relation::gt;
                default: return relation::ge;
            }
        }
        static relation mirror(relation r) noexcept {  // a r b  <=>  b mirror(r) a
            switch (r) {
                case relation::lt: return relation::gt;
                case relation::le: return relation::ge;
                case relation::gt: return relation::lt;
                case relation::ge: return relation::le;
                default: return r;
            }
        }
        operand parse_comparison() {
            operand l = parse_sum();
            if (!is_relation(cur_.t)) return l;
            const token o = cur_;
            const relation rel = to_relation(o.t);
            advance();
            operand r = parse_sum();
            if (is_relation(cur_.t))
                fail(cur_.pos, "comparisons do not chain (write '1 < x && x < 2', not '1 < x < 2'): unexpected " +
                                   op_name(cur_, x_));
            auto& code = s_.code_;
            if (l.k == kind::label || r.k == kind::label) {
                const operand& lab = l.k == kind::label ? l : r;
                const operand& col = l.k == kind::label ? r : l;
                if (!col.is_column || (rel != relation::eq && rel != relation::ne))
                    fail_plain("a label is compared to a column with == or != (e.g. 'type==" + text_of(lab) +
                               "'); '" + text_of(lab) + "' " + where(lab.pos) + " is used with " + op_name(o, x_) +
                               (col.is_column ? "" : " and '" + text_of(col) + "', which is not a column"));
                code.pop_back();  // the column's push; a label emits nothing
                emit({opcode::compare_label, rel, col.column, lab.label});
                return condition(l.pos, r.end);
            }
            require(l, kind::number, op_name(o, x_));
            require(r, kind::number, op_name(o, x_));
            if (l.is_const && r.is_const) {
                code.pop_back();
                code.pop_back();
                emit({opcode::mask_const, relation::eq, 0, 0, compare(rel, l.value, r.value) ? 1.0 : 0.0});
            } else if (l.is_column && r.is_const) {
                code.pop_back();
                code.pop_back();
                emit({opcode::compare_const, rel, l.column, 0, r.value});
            } else if (l.is_const && r.is_column) {
                code.pop_back();
                code.pop_back();
                emit({opcode::compare_const, mirror(rel), r.column, 0, l.value});
            } else {
                emit({opcode::compare, rel});
            }
            return condition(l.pos, r.end);
        }
        operand parse_sum() {
            operand l = parse_product();
            while (cur_.t == tok::plus || cur_.t == tok::minus) {
                const token o = cur_;
                advance();
                operand r = parse_product();
                l = arithmetic(o, l, r, o.t == tok::plus ? opcode::add : opcode::subtract);
            }
            return l;
        }
        operand parse_product() {
            operand l = parse_unary();
            while (cur_.t == tok::star || cur_.t == tok::slash) {
                const token o = cur_;
                advance();
                operand r = parse_unary();
                l = arithmetic(o, l, r, o.t == tok::star ? opcode::multiply : opcode::divide);
            }
            return l;
        }
        operand arithmetic(const token& o, const operand& l, const operand& r, opcode op) {
            require(l, kind::number, op_name(o, x_));
            require(r, kind::number, op_name(o, x_));
            operand out;
            out.pos = l.pos;
            out.end = r.end;
            if (l.is_const && r.is_const) {
                out.is_const = true;
                out.value = apply(op, l.value, r.value);
                s_.code_.pop_back();
                s_.code_.back().value = out.value;
            } else {
                emit({op});
            }
            return out;
        }
        operand parse_unary() {
            std::size_t minus = 0;
            std::size_t first = cur_.pos;
            bool any = false;
            token sign;
            while (cur_.t == tok::minus || cur_.t == tok::plus) {
                if (!any) sign = cur_;
                any = true;
                minus += cur_.t == tok::minus;
                advance();
            }
            operand o = parse_primary();
            if (!any) return o;
            require(o, kind::number, op_name(sign, x_));
            o.pos = first;
            o.is_column = false;  // -x is no longer the column x
            if (minus % 2) {
                if (o.is_const) {
                    o.value = -o.value;
                    s_.code_.back().value = o.value;
                } else {
                    emit({opcode::negate});
                }
            }
            return o;
        }
        operand parse_primary() {
            operand o;
            o.pos = cur_.pos;
            o.end = cur_.pos + cur_.len;
            switch (cur_.t) {
                case tok::number:
                    o.is_const = true;
                    o.value = cur_.value;
                    emit({opcode::constant, relation::eq, 0, 0, o.value});
                    advance();
                    return o;
                case tok::name:
                    o.is_column = true;
                    o.column = column_slot(cur_.name);
                    emit({opcode::column, relation::eq, o.column});
                    advance();
                    return o;
                case tok::label: {
                    o.k = kind::label;
                    auto& labs = s_.labels_;
                    const auto it = std::find(labs.begin(), labs.end(), cur_.name);
                    o.label = static_cast<std::uint32_t>(it - labs.begin());
                    if (it == labs.end()) labs.push_back(cur_.name);
                    advance();
                    return o;
                }
                case tok::lparen: {
                    const token open = cur_;
                    if (++depth_ > max_depth)
                        fail(open.pos, "parentheses nested more than " + std::to_string(max_depth) + " deep");
                    advance();
                    operand inner = parse_or();
                    if (cur_.t != tok::rparen) {
                        if (cur_.t == tok::end)
                            fail_plain("missing ')' for the '(' " + where(open.pos));
                        fail(cur_.pos, "expected ')' or an operator before '" + token_text(cur_) + "'");
                    }
                    --depth_;
                    inner.pos = open.pos;
                    inner.end = cur_.pos + 1;
                    advance();
                    return inner;
                }
                case tok::not_:
                    fail_plain("unexpected '" + token_text(cur_) + "' " + where(cur_.pos) +
                               ": it negates a condition and binds more loosely than comparisons and arithmetic; "
                               "put it before the comparison, or the condition in parentheses");
                default: break;
            }
            if (cur_.t == tok::end) {
                if (prev_.len == 0) fail(cur_.pos, "expected a value");
                fail(cur_.pos, "expected a value after '" + token_text(prev_) + "'");
            }
            if (prev_.len == 0) fail(cur_.pos, "expected a value, found '" + token_text(cur_) + "'");
            fail(cur_.pos, "expected a value after '" + token_text(prev_) + "', found '" + token_text(cur_) + "'");
        }
        static operand condition(std::size_t pos, std::size_t end) {
            operand o;
            o.k = kind::condition;
            o.pos = pos;
            o.end = end;
            return o;
        }
    };

    // ---- shared arithmetic and comparison -------------------------------------------------
    static double apply(opcode op, double a, double b) noexcept {
        switch (op) {
            case opcode::add: return a + b;
            case opcode::subtract: return a - b;
            case opcode::multiply: return a * b;
            default: return a / b;
        }
    }
    static bool compare(relation r, double a, double b) noexcept {
        switch (r) {
            case relation::eq: return a == b;
            case relation::ne: return a != b;
            case relation::lt: return a < b;
            case relation::le: return a <= b;
            case relation::gt: return a > b;
            default: return a >= b;
        }
    }

    /// Stack depths and constant slots of the finished program.
    void finish() {
        std::size_t nd = 0, md = 0;
        for (auto& i : code_) {
            switch (i.op) {
                case opcode::column: ++nd; break;
                case opcode::constant: i.index = static_cast<std::uint32_t>(constants_++); ++nd; break;
                case opcode::negate: break;
                case opcode::add: case opcode::subtract: case opcode::multiply: case opcode::divide: --nd; break;
                case opcode::compare: nd -= 2; ++md; break;
                case opcode::compare_const: case opcode::compare_label: case opcode::mask_const: ++md; break;
                case opcode::logical_and: case opcode::logical_or: --md; break;
                case opcode::logical_not: break;
            }
            number_depth_ = std::max(number_depth_, nd);
            mask_depth_ = std::max(mask_depth_, md);
        }
    }

    // ---- binding and running --------------------------------------------------------------
    struct bound {
        std::vector<const double*> columns;  // per columns_ entry
        std::vector<double> labels;          // per labels_ entry: the value it stands for, or NaN
    };

    bound bind(const frame& f) const {
        for (const auto& c : columns_)  // `type==Cu`: a species name written without quotes
            if (!f.has_column(c) && std::find(f.type_names.begin(), f.type_names.end(), c) != f.type_names.end())
                throw error(prefix() + "no column '" + c + "'; '" + c + "' is a species name, written in quotes: "
                            "type==\"" + c + "\"");
        check_columns(f.names);
        std::vector<std::span<const double>> values;
        values.reserve(columns_.size());
        for (const auto& c : columns_) values.push_back(f.column(c));
        std::vector<std::span<const std::string>> labels(columns_.size());
        for (std::size_t k = 0; k < columns_.size(); ++k)
            if (columns_[k] == "type") labels[k] = f.type_names;
        return bind(values, f.natoms, labels,
                    f.type_names.empty() ? " (labels are species names of extended XYZ input; this one has none)"
                                         : " (only 'type' has labels: the species names)");
    }
    bound bind(std::span<const std::span<const double>> values, std::size_t natoms,
               std::span<const std::span<const std::string>> labels, std::string_view label_hint = {}) const {
        if (values.size() != columns_.size())
            throw error(prefix() + std::to_string(values.size()) + " columns bound for the " +
                        std::to_string(columns_.size()) + " it reads (" + join(columns_) + ")");
        if (!labels.empty() && labels.size() != columns_.size())
            throw error(prefix() + std::to_string(labels.size()) + " label lists for " +
                        std::to_string(columns_.size()) + " columns");
        bound b;
        b.columns.resize(columns_.size());
        for (std::size_t k = 0; k < columns_.size(); ++k) {
            if (values[k].size() < natoms)
                throw error(prefix() + "column '" + columns_[k] + "' has " + std::to_string(values[k].size()) +
                            " values for " + std::to_string(natoms) + " atoms");
            b.columns[k] = values[k].data();
        }
        b.labels.assign(labels_.size(), std::numeric_limits<double>::quiet_NaN());
        for (const auto& i : code_) {
            if (i.op != opcode::compare_label) continue;
            const std::span<const std::string> names = labels.empty() ? std::span<const std::string>{} : labels[i.index];
            if (names.empty())
                throw error(prefix() + "column '" + columns_[i.index] + "' has no labels to compare with \"" +
                            labels_[i.label] + "\"" + std::string(label_hint) + "; compare it with a number");
            const auto it = std::find(names.begin(), names.end(), labels_[i.label]);
            if (it != names.end()) b.labels[i.label] = static_cast<double>(it - names.begin() + 1);
        }
        return b;
    }

    static std::size_t tally(const unsigned char* m, std::size_t n) noexcept {
        std::size_t t = 0;
        for (std::size_t i = 0; i < n; ++i) t += m[i];
        return t;
    }

    template <class F>
    static void compare_loop(relation r, std::size_t n, unsigned char* out, F&& get) {
        switch (r) {
            case relation::eq: for (std::size_t i = 0; i < n; ++i) { const auto [a, b] = get(i); out[i] = a == b; } break;
            case relation::ne: for (std::size_t i = 0; i < n; ++i) { const auto [a, b] = get(i); out[i] = a != b; } break;
            case relation::lt: for (std::size_t i = 0; i < n; ++i) { const auto [a, b] = get(i); out[i] = a < b; } break;
            case relation::le: for (std::size_t i = 0; i < n; ++i) { const auto [a, b] = get(i); out[i] = a <= b; } break;
            case relation::gt: for (std::size_t i = 0; i < n; ++i) { const auto [a, b] = get(i); out[i] = a > b; } break;
            case relation::ge: for (std::size_t i = 0; i < n; ++i) { const auto [a, b] = get(i); out[i] = a >= b; } break;
        }
    }

    /// Runs the program block by block; sink(start, n, mask) receives each block's result.
    template <class Sink>
    void run(const bound& b, std::size_t natoms, Sink&& sink) const {
        if (code_.empty()) {  // the default selection
            unsigned char ones[block];
            std::memset(ones, 1, block);
            for (std::size_t start = 0; start < natoms; start += block) sink(start, std::min(block, natoms - start), ones);
            return;
        }
        std::vector<double> scratch(number_depth_ * block);
        std::vector<double> constants(constants_ * block);
        std::vector<unsigned char> masks(mask_depth_ * block);
        std::vector<const double*> stack(number_depth_);
        for (const auto& i : code_)
            if (i.op == opcode::constant)
                std::fill_n(constants.data() + i.index * block, block, i.value);
        for (std::size_t start = 0; start < natoms; start += block) {
            const std::size_t n = std::min(block, natoms - start);
            std::size_t ns = 0, ms = 0;
            for (const auto& i : code_) {
                switch (i.op) {
                    case opcode::column: stack[ns++] = b.columns[i.index] + start; break;
                    case opcode::constant: stack[ns++] = constants.data() + i.index * block; break;
                    case opcode::negate: {
                        double* out = scratch.data() + (ns - 1) * block;
                        const double* a = stack[ns - 1];
                        for (std::size_t k = 0; k < n; ++k) out[k] = -a[k];
                        stack[ns - 1] = out;
                        break;
                    }
                    case opcode::add: case opcode::subtract: case opcode::multiply: case opcode::divide: {
                        double* out = scratch.data() + (ns - 2) * block;
                        const double* a = stack[ns - 2];
                        const double* c = stack[ns - 1];
                        switch (i.op) {
                            case opcode::add: for (std::size_t k = 0; k < n; ++k) out[k] = a[k] + c[k]; break;
                            case opcode::subtract: for (std::size_t k = 0; k < n; ++k) out[k] = a[k] - c[k]; break;
                            case opcode::multiply: for (std::size_t k = 0; k < n; ++k) out[k] = a[k] * c[k]; break;
                            default: for (std::size_t k = 0; k < n; ++k) out[k] = a[k] / c[k]; break;
                        }
                        stack[ns - 2] = out;
                        --ns;
                        break;
                    }
                    case opcode::compare: {
                        const double* a = stack[ns - 2];
                        const double* c = stack[ns - 1];
                        ns -= 2;
                        compare_loop(i.rel, n, masks.data() + ms++ * block,
                                     [a, c](std::size_t k) { return std::pair<double, double>{a[k], c[k]}; });
                        break;
                    }
                    case opcode::compare_const: case opcode::compare_label: {
                        const double* a = b.columns[i.index] + start;
                        const double v = i.op == opcode::compare_const ? i.value : b.labels[i.label];
                        compare_loop(i.rel, n, masks.data() + ms++ * block,
                                     [a, v](std::size_t k) { return std::pair<double, double>{a[k], v}; });
                        break;
                    }
                    case opcode::mask_const:
                        std::memset(masks.data() + ms++ * block, i.value != 0 ? 1 : 0, n);
                        break;
                    case opcode::logical_and: {
                        unsigned char* a = masks.data() + (ms - 2) * block;
                        const unsigned char* c = masks.data() + (ms - 1) * block;
                        for (std::size_t k = 0; k < n; ++k) a[k] &= c[k];
                        --ms;
                        break;
                    }
                    case opcode::logical_or: {
                        unsigned char* a = masks.data() + (ms - 2) * block;
                        const unsigned char* c = masks.data() + (ms - 1) * block;
                        for (std::size_t k = 0; k < n; ++k) a[k] |= c[k];
                        --ms;
                        break;
                    }
                    case opcode::logical_not: {
                        unsigned char* a = masks.data() + (ms - 1) * block;
                        for (std::size_t k = 0; k < n; ++k) a[k] ^= 1;
                        break;
                    }
                }
            }
            sink(start, n, masks.data());
        }
    }
};

}  // namespace tessera
