// coordination vs LAMMPS `compute coord/atom` on frames made and computed by Debian's LAMMPS
// (tests/reference/README.md: inputs, rerun scripts, column names). Integer counts must agree
// exactly: a mismatch would need a pair within ~1e-15 relative of the cutoff.
#include <tessera/descriptors/coordination.hpp>
#include <tessera/io/lammps_dump.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <variant>
#include <vector>

using namespace tessera;

namespace {

struct lammps_column {
    std::string name;  ///< LAMMPS column in the reference dump
    double cutoff;
    int type = 0;  ///< 0: total; t: neighbours of type t
};

/// Checks every frame of a reference dump: tessera's count for each atom equals LAMMPS's.
std::size_t check_dump(const std::string& file, const std::vector<lammps_column>& columns) {
    lammps_dump_reader reader(std::string(TESSERA_TEST_DATA_DIR) + "/" + file);
    frame f;
    std::size_t frames = 0;
    while (reader.next(f)) {
        ++frames;
        const auto x = f.positions();
        const auto types = f.types();
        particle_properties props;
        props.types = types;
        for (const auto& c : columns) {
            INFO(file << " frame " << frames << " column " << c.name);
            const auto pipe = pipeline(ball{c.cutoff}, coordination{});
            const auto out = std::visit([&](const auto& b) { return pipe.run(x, b, props); }, f.box);
            const auto ours = out.get<coordination>(std::size_t(c.type));
            const auto theirs = f.column(c.name);
            REQUIRE(ours.size() == theirs.size());
            std::size_t mismatches = 0;
            for (std::size_t i = 0; i < ours.size(); ++i) mismatches += ours[i] != theirs[i];
            CHECK(mismatches == 0);
        }
    }
    return frames;
}

}  // namespace

TEST_CASE("coordination matches LAMMPS coord/atom on Cu in a strongly tilted box", "[coordination][lammps]") {
    CHECK(check_dump("cu_tilted_ref.dump", {{"c_c30", 3.0}, {"c_c30t", 3.0, 1}, {"c_c55", 5.5}, {"c_c55t", 5.5, 1}}) >= 2);
}

TEST_CASE("coordination matches LAMMPS in tiny boxes with cutoffs beyond half and whole box lengths",
          "[coordination][lammps][images]") {
    CHECK(check_dump("tiny_box_ref.dump", {{"c_c30", 3.0}, {"c_c50", 5.0}, {"c_c75", 7.5}}) >= 1);
    CHECK(check_dump("tiny_tri_ref.dump", {{"c_c30", 3.0}, {"c_c50", 5.0}, {"c_c75", 7.5}}) >= 1);
}

TEST_CASE("per-type coordination matches LAMMPS on a Cu50Zr50 glass", "[coordination][lammps]") {
    CHECK(check_dump("cuzr_glass_ref.dump", {{"c_c35[1]", 3.5, 1}, {"c_c35[2]", 3.5, 2}, {"c_c35[3]", 3.5, 0}}) >= 1);
}
