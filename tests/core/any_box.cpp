// core/any_box.hpp: with_box hands f the box the variant holds, for each alternative, directly
// and through a frame (core/frame.hpp's overload).
#include <tessera/core/any_box.hpp>
#include <tessera/core/frame.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

using namespace tessera;

namespace {
// The concrete type f was called with, as a name (f must return one type for every box).
std::string kind_of(const any_box& b) {
    return with_box(b, [](const auto& box) -> std::string {
        using B = std::decay_t<decltype(box)>;
        if constexpr (std::is_same_v<B, open_box<double>>) return "open";
        else if constexpr (std::is_same_v<B, orthogonal_box<double>>) return "orthogonal";
        else if constexpr (std::is_same_v<B, triclinic_box<double>>) return "triclinic";
        else return "unexpected";
    });
}

// Boxes whose volumes differ, so a wrong alternative (or a copy of another box) shows.
const orthogonal_box<double> ortho({0, 0, 0}, {2, 3, 4}, {true, false, true});              // V = 24
const triclinic_box<double> tric({1, 1, 1}, {6, 8, 10}, 0.5, -0.25, 1.0, {false, true, true});  // V = 315
}  // namespace

TEST_CASE("with_box calls f with the alternative the any_box holds", "[core][any_box]") {
    const any_box open{open_box<double>{}};
    const any_box o{ortho};
    const any_box t{tric};
    CHECK(kind_of(open) == "open");
    CHECK(kind_of(o) == "orthogonal");
    CHECK(kind_of(t) == "triclinic");
    CHECK(kind_of(any_box{}) == "open");  // default-constructed: open_box

    // f sees that very box (its state, not a default one): volume, periodicity, tilt.
    const auto volume = [](const auto& box) { return box.volume(); };
    CHECK(std::isinf(with_box(open, volume)));
    CHECK(with_box(o, volume) == Approx(24.0));
    CHECK(with_box(t, volume) == Approx(315.0));
    const auto axes = [](const auto& box) { return periodicity{box.periodic(0), box.periodic(1), box.periodic(2)}; };
    CHECK(with_box(open, axes) == not_periodic);
    CHECK(with_box(o, axes) == periodicity{true, false, true});
    CHECK(with_box(t, axes) == periodicity{false, true, true});
    CHECK(with_box(t, [](const auto& box) { return box.cell()(0, 1); }) == 0.5);  // xy
    CHECK(with_box(t, [](const auto& box) { return box.origin(); }) == vec3<double>{1, 1, 1});

    // f is called exactly once, by reference to the variant's own box (no copy).
    int calls = 0;
    const void* seen = nullptr;
    with_box(t, [&](const auto& box) {
        ++calls;
        seen = &box;
    });
    CHECK(calls == 1);
    CHECK(seen == &std::get<triclinic_box<double>>(t));

    // decltype(auto): a reference returned by f stays a reference to the same object.
    const double x = 2.5;
    decltype(auto) ref = with_box(o, [&](const auto&) -> const double& { return x; });
    static_assert(std::is_same_v<decltype(ref), const double&>);
    CHECK(&ref == &x);
    // A move-only result passes through.
    const auto p = with_box(o, [](const auto& box) { return std::make_unique<double>(box.volume()); });
    CHECK(*p == Approx(24.0));
}

TEST_CASE("with_box on a frame uses the frame's box", "[core][any_box]") {
    frame fr;
    CHECK(kind_of(fr.box) == "open");
    fr.box = ortho;
    CHECK(with_box(fr, [](const auto& box) { return box.volume(); }) == Approx(24.0));
    fr.box = tric;
    CHECK(with_box(fr, [](const auto& box) { return std::decay_t<decltype(box)>::is_triclinic; }));
    CHECK(with_box(fr, [](const auto& box) { return box.volume(); }) == Approx(315.0));
    // The frame's own box accessors agree with what with_box sees.
    CHECK(fr.box_origin() == vec3<double>{1, 1, 1});
    CHECK(fr.box_cell()(1, 2) == 1.0);  // yz
    CHECK(fr.box_periodicity() == periodicity{false, true, true});
}
