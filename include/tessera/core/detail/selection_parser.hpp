#pragma once
/// @file
/// The parser of tessera::selection (core/selection.hpp, which includes this header at its end):
/// recursive descent over the grammar of the selection language (or < and < not < comparison <
/// sum < product < unary < primary), type-checking numbers, conditions and labels and emitting
/// the stack program that selection::evaluate runs. Every error names the expression and the
/// byte where it went wrong.

#include <tessera/core/selection.hpp>

namespace tessera {

class selection::parser {
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

inline selection selection::parse(std::string_view expression) {
    selection s;
    s.text_ = std::string(expression);
    parser p(s);
    p.run();
    s.finish();
    return s;
}

}  // namespace tessera
