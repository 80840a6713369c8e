#pragma once
/// @file
/// tessera::any_box — a box whose type is known only at run time (the box of a frame read from
/// a file), and tessera::with_box, which hands the concrete box to code written for any box.
///
/// Everything in the library that takes a box (find_neighbors, pipeline::run, planner::run,
/// tessellate, the dynamics functions, ...) is a template over the box type, so it needs the
/// concrete open_box, orthogonal_box or triclinic_box, not the variant. with_box calls `f` with
/// the alternative the variant holds:
///
///     tessera::frame fr;                                   // e.g. from lammps_dump_reader::next
///     const auto pipe = tessera::pipeline(tessera::nearest{12}, tessera::csp{12});
///     const auto out = tessera::with_box(fr, [&](const auto& box) {
///         return pipe.run(fr.positions(), box);            // box: the concrete box type
///     });
///     std::span<const double> csp = out.get<tessera::csp>();
///
/// `f` is usually a generic lambda (`const auto& box`); it must accept each of the three box types
/// and return the same type for all of them (as with std::visit, which with_box calls). Branch
/// on the type inside with `if constexpr (std::is_same_v<std::decay_t<decltype(box)>,
/// tessera::triclinic_box<double>>)` or `std::decay_t<decltype(box)>::is_triclinic`.

#include <tessera/core/box.hpp>

#include <type_traits>
#include <utility>
#include <variant>

namespace tessera {

/// A box chosen at run time: open_box when the input has none (plain XYZ without a Lattice),
/// orthogonal_box, or triclinic_box — always of double. Default-constructed: open_box.
using any_box = std::variant<open_box<double>, orthogonal_box<double>, triclinic_box<double>>;

namespace detail {
template <class F>
inline constexpr bool accepts_every_box = std::is_invocable_v<F, const open_box<double>&> &&
                                          std::is_invocable_v<F, const orthogonal_box<double>&> &&
                                          std::is_invocable_v<F, const triclinic_box<double>&>;
template <class F>
constexpr bool same_result_for_every_box() {
    if constexpr (accepts_every_box<F>) {
        using R = std::invoke_result_t<F, const open_box<double>&>;
        return std::is_same_v<R, std::invoke_result_t<F, const orthogonal_box<double>&>> &&
               std::is_same_v<R, std::invoke_result_t<F, const triclinic_box<double>&>>;
    }
    return true;  // reported by the first static_assert of with_box
}
}  // namespace detail

/// Calls `f(box)` with the concrete box `b` holds (`const open_box<double>&`,
/// `const orthogonal_box<double>&` or `const triclinic_box<double>&`) and returns what f returns.
/// f must accept all three and return the same type for each (see the file comment).
template <class F>
decltype(auto) with_box(const any_box& b, F&& f) {
    static_assert(detail::accepts_every_box<F>,
                  "tessera::with_box: f must accept every box type (open_box, orthogonal_box and triclinic_box "
                  "of double): use a generic lambda, [&](const auto& box) { ... }");
    static_assert(detail::same_result_for_every_box<F>(),
                  "tessera::with_box: f must return the same type for every box type (convert the result, or "
                  "give the lambda an explicit return type: [&](const auto& box) -> T { ... })");
    if constexpr (detail::accepts_every_box<F> && detail::same_result_for_every_box<F>())
        return std::visit(std::forward<F>(f), b);
}

}  // namespace tessera
