// detail::closest_name (core/detail/closest_name.hpp): the edit distance and the "did you mean"
// suggestions of error messages for misspelt column and option names.

#include <tessera/core/detail/closest_name.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <vector>

TEST_CASE("closest_name: edit distance and did-you-mean", "[selection][closest_name]") {
    using tessera::detail::closest_name;
    using tessera::detail::did_you_mean;
    using tessera::detail::edit_distance;
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("abc", "") == 3);
    CHECK(edit_distance("", "abc") == 3);
    CHECK(edit_distance("type", "type") == 0);
    CHECK(edit_distance("tpye", "type") == 1);    // transposition
    CHECK(edit_distance("typ", "type") == 1);     // insertion
    CHECK(edit_distance("typee", "type") == 1);   // deletion
    CHECK(edit_distance("tyre", "type") == 1);    // substitution
    CHECK(edit_distance("Type", "type") == 1);    // case-sensitive
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("ca", "abc") == 3);       // optimal string alignment (true Damerau: 2)
    CHECK(edit_distance("c_pe", "pe") == 2);

    const std::vector<std::string> names{"id", "type", "x", "y", "z", "c_pe", "csp", "q6", "c_stress[1]"};
    CHECK(closest_name("tpye", names) == "type");
    CHECK(closest_name("TYPE", names) == "type");  // case ignored
    CHECK(closest_name("cps", names) == "csp");
    CHECK(closest_name("c_pe1", names) == "c_pe");
    CHECK(closest_name("q66", names) == "q6");
    CHECK(closest_name("c_stress[2]", names) == "c_stress[1]");
    CHECK(closest_name("c_stres[1", names) == "c_stress[1]");  // two edits on a long name
    CHECK(closest_name("w", names) == "x");                     // first of the equally near x y z
    CHECK_FALSE(closest_name("ab", names));                     // short names: one edit only
    CHECK_FALSE(closest_name("potential", names));
    CHECK_FALSE(closest_name("tpye", std::vector<std::string>{}));
    CHECK(closest_name("type", names) == "type");               // exact
    CHECK(closest_name("tpye", names, 0) == std::nullopt);
    CHECK(did_you_mean("tpye", names) == " (did you mean 'type'?)");
    CHECK(did_you_mean("zzzzzz", names).empty());
    // options of the command
    const std::vector<std::string> options{"--csp", "--acna", "--frames", "--threads", "--select"};
    CHECK(closest_name("--frmaes", options) == "--frames");
    CHECK(closest_name("--selcet", options) == "--select");
    CHECK(closest_name("--thread", options) == "--threads");
    CHECK_FALSE(closest_name("--output", options));
}
