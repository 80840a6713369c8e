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
    static selection parse(std::string_view expression);  // core/detail/selection_parser.hpp

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

    /// The recursive-descent parser that compiles an expression into code_ (defined in
    /// core/detail/selection_parser.hpp, included at the end of this header).
    class parser;

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

#include <tessera/core/detail/selection_parser.hpp>
