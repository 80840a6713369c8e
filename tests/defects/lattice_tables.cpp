// defects/lattice_tables.hpp: shells and template bonds (against the CNA signatures they must
// give), common-neighbour pairs, the generated symmetry groups (group axioms, OVITO's order by a
// port of its permutation search), Burgers families (against orbit membership), the notation,
// PTM's templates, the preferred orientation.
#include <tessera/defects/lattice_tables.hpp>
#include <tessera/descriptors/detail/cna_signatures.hpp>
#include <tessera/descriptors/detail/ptm_templates.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <string>
#include <vector>

using namespace tessera;

namespace {

constexpr lattice_structure all_lattices[] = {lattice_structure::fcc, lattice_structure::hcp, lattice_structure::bcc,
                                              lattice_structure::cubic_diamond, lattice_structure::hex_diamond};

bool close(const vec3<double>& a, const vec3<double>& b, double tol) {
    return std::abs(a.x - b.x) <= tol && std::abs(a.y - b.y) <= tol && std::abs(a.z - b.z) <= tol;
}
bool close(const mat3<double>& a, const mat3<double>& b, double tol) {
    for (std::size_t k = 0; k < 9; ++k)
        if (std::abs(a.a[k] - b.a[k]) > tol) return false;
    return true;
}
int find_vector(std::span<const vec3<double>> L, const vec3<double>& v, double tol = 1e-12) {
    for (std::size_t k = 0; k < L.size(); ++k)
        if (close(L[k], v, tol)) return int(k);
    return -1;
}

// OVITO's symmetry search (StructureAnalysis::initializeListOfStructures), ported as written:
// lexicographic next_permutation over all lattice vectors, pruned by sorting the tail descending.
void bitmap_sort(std::vector<int>::iterator begin, std::vector<int>::iterator end, int max) {
    std::uint64_t bits = 0;
    for (auto p = begin; p != end; ++p) bits |= std::uint64_t(1) << *p;
    for (int i = max - 1; i >= 0; i--)
        if (bits & (std::uint64_t(1) << i)) *begin++ = i;
}
std::vector<std::vector<int>> ovito_search(const lattice_table& t) {
    const auto L = t.lattice_vectors();
    const auto c = t.coordination_vectors();
    const int n = int(c.size()), m = int(L.size());
    int nind[3];
    mat3<double> tm1;
    int found = 0;
    for (int i = 0; i < n && found < 3; i++) {
        if (found == 1 && norm2(cross(c[std::size_t(nind[0])], c[std::size_t(i)])) <= 1e-12) continue;
        if (found == 2 &&
            std::abs(determinant(mat3<double>::from_columns(c[std::size_t(nind[0])], c[std::size_t(nind[1])], c[std::size_t(i)]))) <= 1e-12)
            continue;
        nind[found++] = i;
    }
    tm1 = mat3<double>::from_columns(c[std::size_t(nind[0])], c[std::size_t(nind[1])], c[std::size_t(nind[2])]);
    const mat3<double> tm1inv = inverse(tm1);
    std::vector<int> perm(static_cast<std::size_t>(m)), last(static_cast<std::size_t>(m), -1);
    std::iota(perm.begin(), perm.end(), 0);
    mat3<double> T;
    std::vector<std::vector<int>> out;
    do {
        int changed = int(std::mismatch(perm.begin(), perm.end(), last.begin()).first - perm.begin());
        last = perm;
        if (changed <= nind[2]) {
            T = mat3<double>::from_columns(L[std::size_t(perm[std::size_t(nind[0])])], L[std::size_t(perm[std::size_t(nind[1])])],
                                           L[std::size_t(perm[std::size_t(nind[2])])]) *
                tm1inv;
            if (!close(transpose(T) * T, mat3<double>::identity(), 1e-12)) {
                bitmap_sort(perm.begin() + nind[2] + 1, perm.end(), m);
                continue;
            }
            changed = 0;
        }
        int sort_from = nind[2], invalid;
        for (invalid = changed; invalid < n; invalid++)
            if (!close(T * c[std::size_t(invalid)], L[std::size_t(perm[std::size_t(invalid)])], 1e-12)) break;
        if (invalid == n) out.emplace_back(perm.begin(), perm.begin() + n);
        else sort_from = invalid;
        bitmap_sort(perm.begin() + sort_from + 1, perm.end(), m);
    } while (std::next_permutation(perm.begin(), perm.end()));
    return out;
}

// The first family whose orbit under the group contains b (within 1e-3 per component).
int orbit_family(const vec3<double>& b, lattice_structure s) {
    const auto& t = lattice_table::get(s);
    for (const burgers_family& f : burgers_families(s)) {
        if (f.id == 0) continue;
        for (const lattice_symmetry& op : t.symmetries())
            if (close(op.matrix * f.prototype, b, 1e-3)) return f.id;
    }
    return 0;
}

}  // namespace

TEST_CASE("lattice_tables: vectors, lengths and the inversion images", "[defects][lattice_tables]") {
    const double h = std::sqrt(0.5), r3 = std::sqrt(3.0);
    struct expect { lattice_structure s; std::size_t n, m; };
    for (const auto& [s, n, m] : {expect{lattice_structure::fcc, 12, 12}, expect{lattice_structure::hcp, 12, 18},
                                  expect{lattice_structure::bcc, 14, 14}, expect{lattice_structure::cubic_diamond, 16, 20},
                                  expect{lattice_structure::hex_diamond, 16, 32}}) {
        CAPTURE(int(s));
        const auto& t = lattice_table::get(s);
        REQUIRE(t.structure() == s);
        REQUIRE(t.num_neighbors() == n);
        REQUIRE(t.coordination_vectors().size() == n);
        REQUIRE(t.lattice_vectors().size() == m);
        const auto L = t.lattice_vectors();
        for (std::size_t k = 0; k < m; ++k) {
            CAPTURE(k);
            CHECK(find_vector(L, L[k]) == int(k));  // distinct
            CHECK(find_vector(L, -L[k]) >= 0);
            if (s != lattice_structure::hex_diamond)  // the extra vectors are the inversion images −c
                CHECK((k < n || std::size_t(find_vector(L, -L[k])) < n));
            double expected = h;
            if (s == lattice_structure::bcc) expected = k < 8 ? r3 / 2 : 1.0;
            if (s == lattice_structure::cubic_diamond && (k < 4 || k >= 16)) expected = r3 / 4;
            if (s == lattice_structure::hex_diamond && (k < 4 || (k >= 16 && k < 26))) expected = r3 / 4;
            CHECK(norm(L[k]) == Approx(expected).epsilon(1e-14));
            // L is the orbit of the coordination vectors under the point group
            bool image = false;
            for (const lattice_symmetry& op : t.symmetries()) {
                CHECK(find_vector(L, op.matrix * L[k], 1e-14) >= 0);
                for (std::size_t i = 0; i < n && !image; ++i) image = op.permutation[i] == k;
            }
            CHECK(image);
        }
    }
    // hcp: c = √(4/3) in these units; two neighbours along ±x; OVITO's first vector
    const auto& hcp = lattice_table::get(lattice_structure::hcp);
    CHECK(close(hcp.lattice_vectors()[0], {std::sqrt(2.0) / 4, -std::sqrt(6.0) / 4, 0}, 1e-15));
    CHECK(close(hcp.lattice_vectors()[1], {-h, 0, 0}, 1e-15));
    CHECK(close(hcp.lattice_vectors()[17], {-std::sqrt(2.0) / 4, -std::sqrt(6.0) / 12, std::sqrt(3.0) / 3}, 1e-15));
    CHECK(close(hcp.lattice_vectors()[10] - hcp.lattice_vectors()[13], {std::sqrt(2.0) / 2, std::sqrt(6.0) / 6, 2 * r3 / 3}, 1e-15));
    CHECK(close(lattice_table::get(lattice_structure::fcc).lattice_vectors()[7], {0, -0.5, 0.5}, 0));
    CHECK(close(lattice_table::get(lattice_structure::bcc).lattice_vectors()[13], {0, 0, -1}, 0));
    CHECK(close(lattice_table::get(lattice_structure::cubic_diamond).lattice_vectors()[4], {0, -0.5, 0.5}, 0));
    CHECK_THROWS_AS(lattice_table(lattice_structure::other), tessera::error);
    CHECK_THROWS_AS(lattice_table::get(lattice_structure::other), tessera::error);
    CHECK_THROWS_AS(lattice_table::get(lattice_structure(9)), tessera::error);
}

TEST_CASE("lattice_tables: template bonds give each neighbour its CNA class", "[defects][lattice_tables]") {
    // class -> (common neighbours, bonds among them, bonds in the largest cluster)
    struct sig { int common, bonds, chain; };
    for (const lattice_structure s : all_lattices) {
        CAPTURE(int(s));
        const auto& t = lattice_table::get(s);
        const std::size_t n = t.num_neighbors();
        detail::cna_bonds b;
        b.n = n;
        for (std::size_t i = 0; i < n; ++i) {
            CHECK(!t.bonded(i, i));
            for (std::size_t j = 0; j < n; ++j) {
                CHECK(t.bonded(i, j) == t.bonded(j, i));
                if (t.bonded(i, j)) b.row[i] |= std::uint32_t(1) << j;
            }
            CHECK(t.bond_row(i) == b.row[i]);
            CHECK(t.bond_row(i) >> n == 0u);
        }
        std::vector<int> classes(3, 0);
        for (std::size_t i = 0; i < n; ++i) {
            CAPTURE(i);
            const int c = t.cna_class(i);
            REQUIRE((c >= 0 && c <= 2));
            ++classes[std::size_t(c)];
            const auto g = detail::cna_signature_of(b, i);
            sig want{};
            switch (s) {
                case lattice_structure::fcc: want = {4, 2, 1}; break;
                case lattice_structure::hcp: want = c == 0 ? sig{4, 2, 1} : sig{4, 2, 2}; break;
                case lattice_structure::bcc: want = c == 0 ? sig{6, 6, 6} : sig{4, 4, 4}; break;
                default: want = c == 0 ? sig{3, g.bonds, g.chain} : (c == 1 ? sig{5, 4, 3} : sig{5, 4, 4});
            }
            CHECK(g.common == want.common);
            CHECK(g.bonds == want.bonds);
            CHECK(g.chain == want.chain);
            if (s == lattice_structure::cubic_diamond || s == lattice_structure::hex_diamond) {
                CHECK((c == 0) == (i < 4));  // inner neighbours: class 0, bonded to 3 outer ones only
                if (i < 4) CHECK((t.bond_row(i) & 0xFu) == 0u);
            }
        }
        switch (s) {
            case lattice_structure::fcc: CHECK(classes == std::vector<int>{12, 0, 0}); break;
            case lattice_structure::hcp: CHECK(classes == std::vector<int>{6, 6, 0}); break;
            case lattice_structure::bcc: CHECK(classes == std::vector<int>{8, 6, 0}); break;
            case lattice_structure::cubic_diamond: CHECK(classes == std::vector<int>{4, 12, 0}); break;
            default: CHECK(classes == std::vector<int>{4, 6, 6});
        }
    }
    // hcp: class 1 exactly in the basal plane (OVITO's indices 0, 1, 5, 6, 7, 8)
    const auto& hcp = lattice_table::get(lattice_structure::hcp);
    for (std::size_t i = 0; i < 12; ++i) CHECK(hcp.cna_class(i) == (i <= 1 || (i >= 5 && i <= 8) ? 1 : 0));
}

TEST_CASE("lattice_tables: common-neighbour pairs are the first non-coplanar bonded pair", "[defects][lattice_tables]") {
    for (const lattice_structure s : all_lattices) {
        CAPTURE(int(s));
        const auto& t = lattice_table::get(s);
        const auto c = t.coordination_vectors();
        for (std::size_t i = 0; i < t.num_neighbors(); ++i) {
            CAPTURE(i);
            const auto [i1, i2] = t.common_neighbors(i);
            REQUIRE(i1 < i2);
            REQUIRE(i2 < t.num_neighbors());
            CHECK(t.bonded(i, i1));
            CHECK(t.bonded(i, i2));
            const double det = determinant(mat3<double>::from_columns(c[i], c[i1], c[i2]));
            CHECK(std::abs(det) > 1e-3);  // well away from coplanar, not just above 1e-12
            for (std::size_t a = 0; a < t.num_neighbors(); ++a)  // no earlier pair qualifies
                for (std::size_t b = a + 1; b < t.num_neighbors(); ++b)
                    if (a < i1 || (a == i1 && b < i2))
                        CHECK(!(t.bonded(i, a) && t.bonded(i, b) &&
                                std::abs(determinant(mat3<double>::from_columns(c[i], c[a], c[b]))) > 1e-12));
        }
    }
    // fcc neighbour 0 = ½(110): bonded to ½(011) (1) and ½(101) (2), which are not coplanar with it
    CHECK(lattice_table::get(lattice_structure::fcc).common_neighbors(0) == std::array<std::size_t, 2>{1, 2});
}

TEST_CASE("lattice_tables: symmetry groups", "[defects][lattice_tables]") {
    for (const lattice_structure s : all_lattices) {
        CAPTURE(int(s));
        const auto& t = lattice_table::get(s);
        const auto G = t.symmetries();
        const std::size_t g = G.size(), n = t.num_neighbors();
        REQUIRE(g == (is_cubic(s) ? 48u : 24u));
        CHECK(G[0].matrix == mat3<double>::identity());
        for (std::size_t i = 0; i < n; ++i) CHECK(G[0].permutation[i] == i);
        const auto L = t.lattice_vectors();
        int proper = 0;
        bool inversion = false;
        for (std::size_t a = 0; a < g; ++a) {
            CAPTURE(a);
            const mat3<double>& T = G[a].matrix;
            CHECK(close(transpose(T) * T, mat3<double>::identity(), 1e-14));
            const double det = determinant(T);
            CHECK(std::abs(std::abs(det) - 1) < 1e-14);
            proper += det > 0;
            inversion = inversion || T == mat3<double>::identity() * -1.0;
            std::vector<bool> hit(L.size(), false);
            for (std::size_t i = 0; i < n; ++i) {
                const std::size_t p = G[a].permutation[i];
                REQUIRE(p < L.size());
                CHECK(close(T * L[i], L[p], 1e-14));
                CHECK(!hit[p]);
                hit[p] = true;
            }
            if (is_hexagonal(s)) CHECK(std::abs(std::abs(T(2, 2)) - 1) < 1e-14);  // the c axis stays the c axis
            CHECK(t.find_symmetry(T) == int(a));
            // closure: every product is in the group and is the table's entry; inverses
            for (std::size_t b = 0; b < g; ++b) {
                const std::size_t ab = t.product(a, b);
                REQUIRE(ab < g);
                CHECK(close(T * G[b].matrix, G[ab].matrix, 1e-14));
                CHECK(t.find_symmetry(T * G[b].matrix) == int(ab));
            }
            CHECK(t.product(a, t.inverse(a)) == 0u);
            CHECK(t.product(t.inverse(a), a) == 0u);
            CHECK(close(G[t.inverse(a)].matrix, transpose(T), 1e-14));
            for (std::size_t b = 0; b < a; ++b) CHECK(!close(T, G[b].matrix, 1e-3));  // distinct
        }
        CHECK(proper == int(g / 2));
        CHECK(inversion);
        // lexicographic order of p, which is the order OVITO's search finds them in
        const auto ovito = ovito_search(t);
        REQUIRE(ovito.size() == g);
        for (std::size_t a = 0; a < g; ++a) {
            CAPTURE(a);
            CHECK(std::equal(ovito[a].begin(), ovito[a].end(), G[a].permutation.begin()));
        }
    }
    // the cubic groups are the 48 signed permutation matrices
    const auto& fcc = lattice_table::get(lattice_structure::fcc);
    const int perms[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2}, {1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
    for (const auto& p : perms)
        for (int signs = 0; signs < 8; ++signs) {
            mat3<double> m;
            for (std::size_t r = 0; r < 3; ++r) m(r, std::size_t(p[r])) = (signs >> r & 1) ? -1.0 : 1.0;
            CHECK(fcc.find_symmetry(m) >= 0);
            CHECK(lattice_table::get(lattice_structure::bcc).find_symmetry(m) >= 0);
        }
    // find_symmetry's tolerance (OVITO: 1e-4 per entry)
    mat3<double> near = fcc.symmetries()[17].matrix;
    near(0, 1) += 9e-5;
    CHECK(fcc.find_symmetry(near) == 17);
    CHECK(fcc.find_symmetry(near, 1e-5) == -1);
    near(0, 1) += 2e-4;
    CHECK(fcc.find_symmetry(near) == -1);
    const double a = 0.3;
    CHECK(fcc.find_symmetry(mat3<double>{{std::cos(a), -std::sin(a), 0, std::sin(a), std::cos(a), 0, 0, 0, 1}}) == -1);
    // a table built again equals the shared one
    const lattice_table fresh(lattice_structure::hex_diamond);
    const auto& shared = lattice_table::get(lattice_structure::hex_diamond);
    REQUIRE(fresh.symmetries().size() == shared.symmetries().size());
    for (std::size_t k = 0; k < fresh.symmetries().size(); ++k)
        CHECK(fresh.symmetries()[k].matrix == shared.symmetries()[k].matrix);
}

TEST_CASE("lattice_tables: Burgers vector families", "[defects][lattice_tables]") {
    const std::vector<std::pair<lattice_structure, std::vector<int>>> ids = {
        {lattice_structure::fcc, {0, 1, 2, 3, 4, 5}}, {lattice_structure::bcc, {0, 11, 12, 13}},
        {lattice_structure::hcp, {0, 21, 22, 23, 24, 25}}, {lattice_structure::cubic_diamond, {0, 31, 32, 33, 34}},
        {lattice_structure::hex_diamond, {0, 41, 42, 43, 44}}, {lattice_structure::other, {0}}};
    for (const auto& [s, want] : ids) {
        CAPTURE(int(s));
        const auto families = burgers_families(s);
        REQUIRE(families.size() == want.size());
        for (std::size_t k = 0; k < want.size(); ++k) CHECK(families[k].id == want[k]);
        CHECK(families[0].name == "Other");
        CHECK(classify_burgers({0, 0, 0}, s).id == 0);
        CHECK(classify_burgers(vec3<double>{1, 0, 0} * 0.37, s).id == 0);
        if (s == lattice_structure::other) continue;
        // each prototype and all its images under the group are in its family
        const auto& t = lattice_table::get(s);
        for (const burgers_family& f : families.subspan(1)) {
            CAPTURE(f.id);
            CHECK(!is_burgers_member(f.prototype * 1.01, f, s));
            for (const lattice_symmetry& op : t.symmetries()) {
                const vec3<double> b = op.matrix * f.prototype;
                CHECK(classify_burgers(b, s).id == f.id);
                CHECK(classify_burgers(b + vec3<double>{4e-4, -4e-4, 4e-4}, s).id == f.id);
            }
        }
        // the rule equals orbit membership on sums of lattice vectors and their fractions
        const auto L = t.lattice_vectors();
        std::mt19937_64 rng(7);
        std::uniform_int_distribution<std::size_t> pick(0, L.size() - 1);
        std::uniform_real_distribution<double> noise(-5e-4, 5e-4);
        for (int trial = 0; trial < 600; ++trial) {
            const double scale = 1.0 / double(1 + trial % 6);
            vec3<double> b = (L[pick(rng)] + (trial % 2 ? L[pick(rng)] : vec3<double>{})) * scale;
            if (trial % 3 == 0) b += vec3<double>{noise(rng), noise(rng), noise(rng)};
            CAPTURE(b.x, b.y, b.z);
            CHECK(classify_burgers(b, s).id == orbit_family(b, s));
        }
    }
    CHECK(burgers_families(lattice_structure::fcc)[2].name == "1/6<112> (Shockley)");
    CHECK(classify_burgers({1. / 6, -2. / 6, 1. / 6}, lattice_structure::fcc).id == 2);
    CHECK(classify_burgers({0, -1. / 6, 1. / 6}, lattice_structure::fcc).id == 3);
    CHECK(classify_burgers({0.5, 1, 0.5}, lattice_structure::fcc).id == 0);  // a lattice vector of no family
    CHECK(classify_burgers({0, 0, -std::sqrt(4.0 / 3)}, lattice_structure::hcp).id == 22);
    CHECK(classify_burgers({std::sqrt(0.5) / 2, std::sqrt(1.5) / 2, 0}, lattice_structure::hcp).id == 21);
    // OVITO stores prototypes as float: the 1e-3 tolerance absorbs that
    CHECK(classify_burgers({double(1.0f / 6.0f), double(1.0f / 6.0f), double(2.0f / 6.0f)}, lattice_structure::fcc).id == 2);
}

TEST_CASE("lattice_tables: Burgers vector notation", "[defects][lattice_tables]") {
    const auto fcc = lattice_structure::fcc, hcp = lattice_structure::hcp;
    CHECK(format_burgers({1. / 6, -2. / 6, 1. / 6}, fcc) == "1/6[1 -2 1]");
    CHECK(format_burgers({0.5, -0.5, 0}, fcc) == "1/2[1 -1 0]");
    CHECK(format_burgers({1. / 3, 1. / 3, 1. / 3}, fcc) == "1/3[1 1 1]");
    CHECK(format_burgers(vec3<double>{1, 0, 0} * (1.0 / 3), fcc) == "1/3[1 0 0]");
    CHECK(format_burgers({0, 0, 0}, fcc) == "[0 0 0]");
    CHECK(format_burgers({1e-13, 0, -1e-13}, fcc) == "[0 0 0]");
    CHECK(format_burgers({-1. / 6, -1. / 6, 2. / 6}, fcc) == "1/6[-1 -1 2]");
    CHECK(format_burgers({-0.5, 0, -0.5}, fcc) == "1/2[-1 0 -1]");
    CHECK(format_burgers({0.5, 1. / 3, 0}, fcc) == "1/6[3 2 0]");
    CHECK(format_burgers({1, 0, 0}, lattice_structure::bcc) == "[1 0 0]");
    CHECK(format_burgers({-1, 1, 0}, lattice_structure::bcc) == "[-1 1 0]");
    CHECK(format_burgers({2, 0, 0}, fcc) == "[2 0 0]");
    CHECK(format_burgers({0.5, 0.5, 0.5}, lattice_structure::cubic_diamond) == "1/2[1 1 1]");
    CHECK(format_burgers({1. / 6 + 3e-9, -2. / 6, 1. / 6 - 2e-9}, fcc) == "1/6[1 -2 1]");  // noise
    CHECK(format_burgers({0.5, 0.5, 0.0005}, fcc) == "1/2[1 1 0]");  // components ≤ 1e-3 are zero
    CHECK(format_burgers({0.37, 0, 0}, fcc) == "0.370000 0.000000 0.000000");
    CHECK(format_burgers({-0.37, 0.5, 0}, fcc) == "-0.370000 0.500000 0.000000");
    CHECK(format_burgers({1. / 13, 0, 0}, fcc) == "1/13[1 0 0]");    // OVITO: denominators up to 79
    CHECK(format_burgers({12. / 5, 0, 0}, fcc) == "2.400000 0.000000 0.000000");  // OVITO: f/c needs f ≤ 11
    // the least common denominator for every vector n/d, d ≤ 12, |n_i| ≤ 11
    std::mt19937_64 rng(3);
    std::uniform_int_distribution<int> num(-11, 11), den(1, 12);
    for (int trial = 0; trial < 2000; ++trial) {
        const int d = den(rng), n[3] = {num(rng), num(rng), num(rng)};
        if (n[0] == 0 && n[1] == 0 && n[2] == 0) continue;
        const int g = std::gcd(d, std::gcd(std::abs(n[0]), std::gcd(std::abs(n[1]), std::abs(n[2]))));
        const std::string body = std::to_string(n[0] / g) + " " + std::to_string(n[1] / g) + " " + std::to_string(n[2] / g);
        const std::string want = d / g == 1 ? "[" + body + "]" : "1/" + std::to_string(d / g) + "[" + body + "]";
        CAPTURE(d, n[0], n[1], n[2]);
        CHECK(format_burgers(vec3<double>{double(n[0]), double(n[1]), double(n[2])} * (1.0 / d), fcc) == want);
    }
    // the attribute names OVITO derives from the prototypes (spaces removed, [] -> <>) match the
    // cubic family names
    for (const lattice_structure s : {fcc, lattice_structure::bcc, lattice_structure::cubic_diamond})
        for (const burgers_family& f : burgers_families(s).subspan(1)) {
            std::string key = format_burgers(f.prototype, s);
            key.erase(std::remove(key.begin(), key.end(), ' '), key.end());
            std::replace(key.begin(), key.end(), '[', '<');
            std::replace(key.begin(), key.end(), ']', '>');
            CHECK(std::string(f.name).rfind(key, 0) == 0);
        }
    // hexagonal: four-index Miller–Bravais [u v t w]
    const auto& h = lattice_table::get(hcp);
    CHECK(format_burgers(h.lattice_vectors()[0], hcp) == "1/3[2 -1 -1 0]");
    CHECK(format_burgers(h.lattice_vectors()[7], hcp) == "1/3[1 1 -2 0]");
    CHECK(format_burgers(burgers_families(hcp)[1].prototype, hcp) == "1/3[1 1 -2 0]");
    CHECK(format_burgers({0, 0, std::sqrt(4.0 / 3)}, hcp) == "[0 0 0 1]");
    CHECK(format_burgers({0, std::sqrt(1.5), 0}, hcp) == "[-1 1 0 0]");
    CHECK(format_burgers(burgers_families(hcp)[5].prototype, hcp) == "1/3[1 1 -2 3]");
    CHECK(format_burgers(h.lattice_vectors()[2], lattice_structure::hex_diamond) == "1/6[-2 0 2 -3]");
    CHECK(format_burgers({0, 0, 0}, hcp) == "[0 0 0 0]");
    CHECK(format_burgers({0.37, 0, 0}, hcp).front() == '[');
    // other: decimals only
    CHECK(format_burgers({0, 0, 0}, lattice_structure::other) == "0 0 0");
    CHECK(format_burgers({0.5, 0, -0.25}, lattice_structure::other) == "0.500000 0.000000 -0.250000");
}

TEST_CASE("lattice_tables: cross-check against PTM's templates", "[defects][lattice_tables]") {
    struct pair { lattice_structure s; ptm_structure p; std::size_t ordered; };  // first `ordered` in the same order
    for (const auto& [s, p, ordered] : {pair{lattice_structure::fcc, ptm_structure::fcc, 12},
                                        pair{lattice_structure::hcp, ptm_structure::hcp, 12},
                                        pair{lattice_structure::bcc, ptm_structure::bcc, 14},
                                        pair{lattice_structure::cubic_diamond, ptm_structure::dcub, 4},
                                        pair{lattice_structure::hex_diamond, ptm_structure::dhex, 4}}) {
        CAPTURE(int(s));
        const auto ptm = detail::make_ptm_template(p);
        const auto& t = lattice_table::get(s);
        const auto c = t.coordination_vectors();
        REQUIRE(ptm.num_neighbors == c.size());
        const double scale = norm(c[0]) / norm(ptm.points[1]);  // one scale for the whole shell
        std::vector<vec3<double>> ptm_scaled;
        for (std::size_t k = 0; k < c.size(); ++k) ptm_scaled.push_back(ptm.points[k + 1] * scale);
        for (std::size_t k = 0; k < c.size(); ++k) {
            CAPTURE(k);
            if (k < ordered) CHECK(close(c[k], ptm_scaled[k], 1e-14));
            else CHECK(find_vector(ptm_scaled, c[k], 1e-14) >= 4);  // the same outer shell, another order
        }
    }
}

TEST_CASE("lattice_tables: preferred orientation", "[defects][lattice_tables]") {
    std::mt19937_64 rng(11);
    std::normal_distribution<double> nd(0, 1);
    for (const lattice_structure s : all_lattices) {
        CAPTURE(int(s));
        const auto& t = lattice_table::get(s);
        CHECK(preferred_symmetry(mat3<double>::identity() * 3.615, t) == 0u);
        for (std::size_t k = 0; k < t.symmetries().size(); ++k) {
            CAPTURE(k);
            const mat3<double>& Tk = t.symmetries()[k].matrix;
            CHECK(preferred_symmetry(mat3<double>::identity() * 3.615 * Tk, t) == k);
            // plus 1 % strain and a 3° rotation about a random axis
            vec3<double> u{nd(rng), nd(rng), nd(rng)};
            u = u * (1 / norm(u));
            const double a = 3 * 3.14159265358979 / 180, ca = std::cos(a), sa = std::sin(a);
            const mat3<double> K{{0, -u.z, u.y, u.z, 0, -u.x, -u.y, u.x, 0}};
            const mat3<double> R = mat3<double>::identity() + K * sa + K * K * (1 - ca);
            const mat3<double> E{{1.01, 0.004, 0, 0.004, 0.995, -0.003, 0, -0.003, 1.0}};
            const mat3<double> O = E * R * Tk * 3.615;
            const std::size_t S = preferred_symmetry(O, t);
            CHECK(S == k);
            // re-indexing: O·T_a = (O·T_S⁻¹)·T_product(S, a)
            const mat3<double> O2 = O * transpose(t.symmetries()[S].matrix);
            for (std::size_t b = 0; b < t.symmetries().size(); b += 7)
                CHECK(close(O * t.symmetries()[b].matrix, O2 * t.symmetries()[t.product(S, b)].matrix, 1e-12));
        }
    }
    const auto& fcc = lattice_table::get(lattice_structure::fcc);
    CHECK_THROWS_AS(preferred_symmetry(mat3<double>{}, fcc), tessera::error);
    // another preferred frame: P = T_5 picks the operation that maps O onto it
    CHECK(preferred_symmetry(mat3<double>::identity() * 2.0, fcc, fcc.symmetries()[5].matrix) == fcc.inverse(5));
}
