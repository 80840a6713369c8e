// detail::atom_id_checker (io/detail/atom_ids.hpp), shared by the dump and extended XYZ readers:
// dense ids go through a bitmap of ids seen, sparse ids through a sort; both must report the
// same fault, the first row in file order that repeats an id, against the id's first row. The
// oracle is a plain O(n^2) scan written here.
#include <tessera/io/detail/atom_ids.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

// {row, first row of its id} of the earliest repeat, by brute force.
std::optional<std::pair<std::size_t, std::size_t>> first_repeat(const std::vector<double>& id) {
    for (std::size_t i = 0; i < id.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (id[j] == id[i]) return std::pair{i, j};
    return std::nullopt;
}

}  // namespace

TEST_CASE("atom ids: the dense and the sorted path report the earliest repeat against a brute-force scan") {
    tessera::detail::atom_id_checker check;
    std::mt19937_64 rng(7);
    for (const double spread : {1.0, 1e9}) {  // ids 1..~n (bitmap) and ids up to ~1e9 n (sort)
        for (int trial = 0; trial < 200; ++trial) {
            const std::size_t n = 1 + rng() % (trial % 2 ? 40 : 400);  // bitmaps of one and of many words
            std::vector<double> id(n);
            for (auto& v : id) v = double(1 + rng() % (n + n / 4 + 1)) * spread;
            const auto expected = first_repeat(id);
            const auto fault = check.check(id, 100);
            REQUIRE(fault.has_value() == expected.has_value());
            if (!expected) continue;
            CHECK(fault->row == expected->first);
            CHECK(fault->what == "duplicate atom id " + std::to_string(static_cast<long long>(id[expected->first])) +
                                     " (first on line " + std::to_string(100 + expected->second) + ")");
        }
    }
}

TEST_CASE("atom ids: sparse ids report the earliest repeating row, not the smallest repeated id") {
    tessera::detail::atom_id_checker check;
    const std::vector<double> id{1e6, 5, 3e6, 1e6, 5};  // range 3e6 >> 4n + 64: the sorted path
    const auto fault = check.check(id, 10);
    REQUIRE(fault);
    CHECK(fault->row == 3);
    CHECK(fault->what == "duplicate atom id 1000000 (first on line 10)");
}

TEST_CASE("atom ids: non-integers and ids beyond 2^53 are refused by row, before duplicates") {
    tessera::detail::atom_id_checker check;
    auto fault = check.check(std::vector<double>{1, 1, 2.5}, 1);
    REQUIRE(fault);
    CHECK(fault->row == 2);
    CHECK(fault->what == "atom id 2.5 is not an integer");
    fault = check.check(std::vector<double>{1, 18014398509481984.0}, 1);
    REQUIRE(fault);
    CHECK(fault->what == "atom id 18014398509481984 is not an integer of at most 2^53");
    CHECK_FALSE(check.check(std::vector<double>{9007199254740992.0, -9007199254740992.0, 0}, 1));
    CHECK_FALSE(check.check(std::vector<double>{}, 1));
}
