// core/type_pair_table.hpp: the one reader of "A-B:V,..." tables, and the classes built on it.
#include <tessera/core/type_pair_table.hpp>
#include <tessera/descriptors/coordination.hpp>
#include <tessera/dynamics/bond_changes.hpp>

#include <catch2/catch.hpp>

using namespace tessera;

TEST_CASE("type_pair_table: parse, symmetry, size, absent pairs", "[core][type_pair_table]") {
    const auto t = type_pair_table::parse("1-1:3.05, 2-1:3.75 ,2-2:4.35", "--coord-pairs");
    CHECK(t.num_types() == 2);
    CHECK(t(1, 1) == 3.05);
    CHECK(t(1, 2) == 3.75);
    CHECK(t(2, 1) == 3.75);
    CHECK(t(2, 2) == 4.35);
    CHECK(t(3, 1) == 0);  // outside the table
    CHECK(t.max() == 4.35);
    const auto sparse = type_pair_table::parse("1-3:2.5", "--pairs");
    CHECK(sparse.num_types() == 3);
    CHECK(sparse(3, 1) == 2.5);
    CHECK(sparse(2, 2) == 0);
    CHECK(type_pair_table::parse("1-1:3,1-1:3", "x")(1, 1) == 3);  // repeated, same value: fine
}

TEST_CASE("type_pair_table: every malformed entry is an error naming the source and the entry",
          "[core][type_pair_table][errors]") {
    using Catch::Contains;
    CHECK_THROWS_WITH(type_pair_table::parse("1-1:3.05,1-2", "--coord-pairs"),
                      Contains("--coord-pairs: '1-2' is not of the form A-B:VALUE"));
    CHECK_THROWS_WITH(type_pair_table::parse("1:2-3", "--pairs"), Contains("'1:2-3' is not of the form"));
    CHECK_THROWS_WITH(type_pair_table::parse("0-1:3", "--pairs"), Contains("not an integer in 1..4096"));
    CHECK_THROWS_WITH(type_pair_table::parse("a-1:3", "--pairs"), Contains("not an integer in 1..4096"));
    CHECK_THROWS_WITH(type_pair_table::parse("1.5-1:3", "--pairs"), Contains("not an integer in 1..4096"));
    CHECK_THROWS_WITH(type_pair_table::parse("1-2000000000:3", "--pairs"), Contains("not an integer in 1..4096"));
    CHECK_THROWS_WITH(type_pair_table::parse("1-1:x", "--pairs"), Contains("value that is not a number"));
    CHECK_THROWS_WITH(type_pair_table::parse("1-1:3x", "--pairs"), Contains("value that is not a number"));
    CHECK_THROWS_WITH(type_pair_table::parse("1-1:", "--pairs"), Contains("value that is not a number"));
    CHECK_THROWS_WITH(type_pair_table::parse("1-1:-3", "--pairs"), Contains("negative or not finite"));
    CHECK_THROWS_WITH(type_pair_table::parse("1-1:inf", "--pairs"), Contains("negative or not finite"));
    CHECK_THROWS_WITH(type_pair_table::parse("1-2:3,2-1:4", "--pairs"), Contains("second, different value"));
    CHECK_THROWS_WITH(type_pair_table::parse("", "--pairs"), Contains("--pairs: empty entry"));
    CHECK_THROWS_WITH(type_pair_table::parse("1-1:3,,2-2:4", "--pairs"), Contains("empty entry"));
}

TEST_CASE("type_pair_table feeds pair_coordination and pair_cutoffs", "[core][type_pair_table]") {
    const auto t = type_pair_table::parse("1-1:3.05,1-2:3.75,2-2:4.35", "test");
    const auto pc = pair_coordination::from_table(t);
    const auto ref = pair_coordination::from_pairs({{{1, 1}, 3.05}, {{1, 2}, 3.75}, {{2, 2}, 4.35}});
    CHECK(pc.ntypes == ref.ntypes);
    CHECK(pc.cutoffs == ref.cutoffs);
    const pair_cutoffs rc(t);
    CHECK(rc(2, 1) == 3.75);
    CHECK(rc.max() == 4.35);
    CHECK_NOTHROW(rc.validate());
    const pair_cutoffs incomplete(type_pair_table::parse("1-1:3.05,2-2:4.35", "test"));
    CHECK_THROWS_WITH(incomplete.validate(), Catch::Contains("no cutoff set for types 1-2"));
}
