// descriptors/ptm.hpp: the templates and their graph tables (Burnside counts), perfect lattices at
// random orientations and scales (type, RMSD 0, scale, orientation, deformation gradient),
// affine strain, an independent brute-force RMSD minimum over correspondences on perturbed
// clusters, alloy ordering, no-match cases, and the descriptor in a pipeline (periodic lattices,
// permutation and thread invariance).
#include <tessera/descriptors/ptm.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include "../support/structure_lattices.hpp"

#include <Eigen/Dense>
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <vector>

using namespace tessera;
using namespace tessera_test;

namespace {

const ptm_structure single_shell[] = {ptm_structure::sc, ptm_structure::fcc, ptm_structure::hcp, ptm_structure::ico,
                                      ptm_structure::bcc};
const ptm_structure every_structure[] = {ptm_structure::sc,  ptm_structure::fcc,  ptm_structure::hcp,
                                         ptm_structure::ico, ptm_structure::bcc,  ptm_structure::dcub,
                                         ptm_structure::dhex, ptm_structure::graphene};

const ptm_matcher& matcher() {
    static const ptm_matcher m(ptm_all_structures);  // the tables take ~0.1 s to build: once per binary
    return m;
}

/// Two-sublattice lattices for the two-shell templates, as positions in an orthogonal cell.
lattice diamond(double a, int n) {
    return cubic({{0, 0, 0}, {.5, .5, 0}, {.5, 0, .5}, {0, .5, .5}, {.25, .25, .25}, {.75, .75, .25}, {.75, .25, .75},
                  {.25, .75, .75}},
                 a, n);
}
/// Ideal lonsdaleite (hexagonal diamond) with bond length d: hcp sites and the same shifted by
/// 3c/8 along c (c/a = √(8/3)); the bond along +c from the first four basis atoms.
lattice lonsdaleite(double d, int nx, int ny, int nz) {
    const double a = d * std::sqrt(8.0 / 3.0), b = std::sqrt(3.0) * a, c = a * std::sqrt(8.0 / 3.0), u = 3.0 / 8;
    const std::array<std::array<double, 3>, 8> basis{{{0, 0, 0}, {.5, .5, 0}, {.5, 1.0 / 6, .5}, {0, 2.0 / 3, .5},
                                                      {0, 0, u}, {.5, .5, u}, {.5, 1.0 / 6, .5 + u}, {0, 2.0 / 3, .5 + u}}};
    points p;
    for (int i = 0; i < nx; ++i)
        for (int j = 0; j < ny; ++j)
            for (int k = 0; k < nz; ++k)
                for (const auto& f : basis) p.push_back({(i + f[0]) * a, (j + f[1]) * b, (k + f[2]) * c});
    return {p, orthogonal_box<double>({0, 0, 0}, {nx * a, ny * b, nz * c})};
}
/// One graphene sheet with bond length d in the xy plane (z spacing: far beyond any neighbour).
lattice graphene_sheet(double d, int nx, int ny) {
    const double A = d * std::sqrt(3.0);
    points p;
    for (int i = 0; i < nx; ++i)
        for (int j = 0; j < ny; ++j) {
            const double x = i * A, y = j * 3 * d;
            p.push_back({x, y, 0});
            p.push_back({x + A / 2, y + d / 2, 0});
            p.push_back({x + A / 2, y + 1.5 * d, 0});
            p.push_back({x, y + 2 * d, 0});
        }
    return {p, orthogonal_box<double>({0, 0, -50}, {nx * A, ny * 3 * d, 50})};
}

mat3<double> to_mat(const std::array<std::array<double, 3>, 3>& r) {
    return {{r[0][0], r[0][1], r[0][2], r[1][0], r[1][1], r[1][2], r[2][0], r[2][1], r[2][2]}};
}

double max_abs(const mat3<double>& m) {
    double e = 0;
    for (double v : m.a) e = std::max(e, std::abs(v));
    return e;
}

/// Bond vectors of atom i to its `k` nearest periodic images, sorted by distance (brute force).
std::vector<vec3<double>> nearest_bonds(const lattice& l, std::size_t i, std::size_t k) {
    const auto L = l.box.hi();
    std::vector<vec3<double>> b;
    for (std::size_t j = 0; j < l.positions.size(); ++j) {
        if (j == i) continue;
        vec3<double> d{l.positions[j][0] - l.positions[i][0], l.positions[j][1] - l.positions[i][1],
                       l.positions[j][2] - l.positions[i][2]};
        for (std::size_t a = 0; a < 3; ++a) d[a] -= L[a] * std::round(d[a] / L[a]);
        b.push_back(d);
    }
    std::stable_sort(b.begin(), b.end(), [](const auto& x, const auto& y) { return norm2(x) < norm2(y); });
    b.resize(std::min(k, b.size()));
    return b;
}

/// The smallest misorientation-free difference: min over conventional symmetries g of
/// max |R_expected g − R_found| (the found orientation equals the applied one up to symmetry).
double orientation_error(const detail::ptm_template& t, const mat3<double>& applied, const quaternion& found) {
    const mat3<double> Rf = rotation_matrix(found);
    double best = 1e9;
    for (const auto& g : t.conventional_group) best = std::min(best, max_abs(applied * rotation_matrix(g) - Rf));
    return best;
}

// An independent reference: the smallest scale-invariant RMSD over correspondences, found without
// hulls or graphs — for sc every permutation; otherwise iterative closest point from every start
// that maps input neighbours 1 and 2 onto a template pair with the same angle (Kabsch by SVD,
// closest-point assignment, until it repeats). For small noise this is the global minimum over
// permutations.
double brute_force_rmsd(const detail::ptm_template& t, const std::vector<vec3<double>>& bonds) {
    const std::size_t N = t.num_neighbors, M = N + 1;
    Eigen::MatrixXd X(3, M), T(3, M);
    X.col(0).setZero();
    for (std::size_t k = 0; k < N; ++k) X.col(Eigen::Index(k + 1)) << bonds[k].x, bonds[k].y, bonds[k].z;
    const Eigen::Vector3d c = X.rowwise().mean();
    X.colwise() -= c;
    for (std::size_t k = 0; k < M; ++k) T.col(Eigen::Index(k)) << t.points[k].x, t.points[k].y, t.points[k].z;
    auto fit = [&](const std::vector<std::size_t>& perm, Eigen::Matrix3d& R, double& s) {
        // perm[k]: input column matched to template point k
        Eigen::MatrixXd Xp(3, M);
        for (std::size_t k = 0; k < M; ++k) Xp.col(Eigen::Index(k)) = X.col(Eigen::Index(perm[k]));
        const Eigen::Matrix3d H = Xp * T.transpose();  // Σ x t^T: R maximises tr(R^T H)
        Eigen::JacobiSVD<Eigen::Matrix3d> svd(H, Eigen::ComputeFullU | Eigen::ComputeFullV);
        Eigen::Matrix3d D = Eigen::Matrix3d::Identity();
        D(2, 2) = (svd.matrixU() * svd.matrixV().transpose()).determinant() < 0 ? -1 : 1;
        R = svd.matrixU() * D * svd.matrixV().transpose();  // R t ≈ s x
        const double k0 = (svd.singularValues().asDiagonal() * D).trace();
        s = k0 / Xp.squaredNorm();
        return std::sqrt(std::max(0.0, ((R * T) - s * Xp).squaredNorm() / double(M)));
    };
    double best = std::numeric_limits<double>::infinity();
    if (N <= 6) {  // sc: every one of the 720 permutations (truly exhaustive)
        std::vector<std::size_t> perm(M);
        std::iota(perm.begin(), perm.end(), 0);
        Eigen::Matrix3d R;
        double s = 0;
        do best = std::min(best, fit(perm, R, s));
        while (std::next_permutation(perm.begin() + 1, perm.end()));
        return best;
    }
    // starts: input neighbours 1 and 2 onto every template pair with their angle (their true
    // images are one such pair, so the true correspondence is among the starts)
    for (std::size_t j = 2; j <= 3; ++j)
        for (std::size_t a = 1; a <= N; ++a)
            for (std::size_t b = 1; b <= N; ++b) {
                if (a == b) continue;
                const Eigen::Vector3d x1 = X.col(1) - X.col(0), xj = X.col(Eigen::Index(j)) - X.col(0);
                const Eigen::Vector3d ta = T.col(Eigen::Index(a)), tb = T.col(Eigen::Index(b));
                const double angle_x = std::acos(x1.normalized().dot(xj.normalized()));
                const double angle_t = std::acos(ta.normalized().dot(tb.normalized()));
                if (std::abs(angle_x - angle_t) > 0.25) continue;
                auto frame = [](Eigen::Vector3d u, Eigen::Vector3d v) {
                    Eigen::Matrix3d F;
                    u.normalize();
                    Eigen::Vector3d w = u.cross(v).normalized();
                    F.col(0) = u, F.col(1) = w.cross(u), F.col(2) = w;
                    return F;
                };
                Eigen::Matrix3d R = frame(x1, xj) * frame(ta, tb).transpose();  // template → input directions
                double s = std::sqrt(T.squaredNorm() / X.squaredNorm());
                std::vector<std::size_t> perm(M), previous;
                for (int it = 0; it < 30; ++it) {
                    // closest input point to each rotated template point (centre to centre)
                    perm[0] = 0;
                    std::vector<bool> used(M, false);
                    used[0] = true;
                    bool ok = true;
                    for (std::size_t k = 1; k < M && ok; ++k) {
                        const Eigen::Vector3d p = R * T.col(Eigen::Index(k));
                        std::size_t arg = 0;
                        double d = std::numeric_limits<double>::infinity();
                        for (std::size_t m = 1; m < M; ++m) {
                            const double e = (p - s * X.col(Eigen::Index(m))).squaredNorm();
                            if (e < d) d = e, arg = m;
                        }
                        ok = !used[arg];
                        used[arg] = true;
                        perm[k] = arg;
                    }
                    if (!ok || perm == previous) break;
                    previous = perm;
                    best = std::min(best, fit(perm, R, s));
                }
            }
    return best;
}

}  // namespace

TEST_CASE("ptm: templates are centred, of mean neighbour length 1, with their symmetry groups", "[ptm]") {
    const auto& tables = matcher().tables();
    const std::size_t site[] = {0, 24, 6, 24, 60, 24, 12, 3, 6};   // by structure code
    const std::size_t conv[] = {0, 24, 12, 24, 60, 24, 24, 12, 12};
    for (const ptm_structure s : every_structure) {
        const auto& t = tables.templates[std::size_t(int(s))];
        vec3<double> bary{};
        double mean = 0;
        for (std::size_t k = 0; k <= t.num_neighbors; ++k) bary = bary + t.points[k];
        for (std::size_t k = 1; k <= t.num_neighbors; ++k) mean += std::sqrt(norm2(t.points[k]));
        CHECK(std::sqrt(norm2(bary)) < 1e-14);
        CHECK(mean / double(t.num_neighbors) == Approx(1).epsilon(1e-15));
        CHECK(t.site_permutations.size() == site[int(s)]);
        CHECK(t.conventional_group.size() == conv[int(s)]);
        // every conventional rotation maps the template onto itself or (hcp) onto its other site
        for (const auto& g : t.site_rotations) CHECK(std::abs(determinant(g) - 1) < 1e-14);
    }
}

TEST_CASE("ptm: triangulations of the template hulls and their classes up to symmetry (Burnside)", "[ptm]") {
    // Distinct triangulations of the square (fcc, hcp, both diamonds) and rhombic (bcc) faces up
    // to the site group, counted independently of the graph code: 8, 16, 218, 12, 24 (as the
    // reference implementation's template graph tables); one hull each for sc and ico.
    const auto& tables = matcher().tables();
    const std::size_t total[] = {0, 64, 64, 4096, 1, 1, 64, 64};
    const std::size_t classes[] = {0, 8, 16, 218, 1, 1, 12, 24};
    for (const ptm_structure s : every_structure) {
        if (s == ptm_structure::graphene) continue;  // planar: no hull
        const auto& g = tables.graphs[std::size_t(int(s))];
        INFO("structure " << int(s));
        CHECK(g.triangulations == total[int(s)]);
        CHECK(g.distinct_up_to_symmetry == classes[int(s)]);
        // graph-isomorphic classes share a code; never more codes than classes
        CHECK(g.entries.size() <= classes[int(s)]);
        CHECK(!g.entries.empty());
    }
}

TEST_CASE("ptm: perfect lattices at random orientations and scales are matched exactly", "[ptm]") {
    const double d = 2.5;  // nearest-neighbour distance of every lattice below
    struct cas {
        ptm_structure s;
        lattice l;
        std::vector<std::size_t> sites;
    };
    std::vector<cas> cases;
    cases.push_back({ptm_structure::fcc, fcc(d * std::sqrt(2.0), 3), {0, 1, 2, 3}});
    cases.push_back({ptm_structure::bcc, bcc(d * 2 / std::sqrt(3.0), 4), {0, 1}});
    cases.push_back({ptm_structure::hcp, hcp(d, 4, 3, 3), {0, 1, 2, 3}});  // both hcp sites
    cases.push_back({ptm_structure::sc, cubic({{0, 0, 0}}, d, 5), {0}});
    cases.push_back({ptm_structure::dcub, diamond(d * 4 / std::sqrt(3.0), 3), {0, 4}});  // both sublattices
    cases.push_back({ptm_structure::dhex, lonsdaleite(d, 4, 3, 3), {0, 2, 4, 6}});     // all four sites
    cases.push_back({ptm_structure::graphene, graphene_sheet(d, 6, 4), {0, 1}});
    for (const auto& c : cases)
        for (std::uint64_t seed = 1; seed <= 20; ++seed) {
            const mat3<double> R = to_mat(random_rotation(seed));
            const double lambda = 0.5 + 0.1 * double(seed);
            for (const std::size_t site : c.sites) {
                auto b = nearest_bonds(c.l, site, 18);
                for (auto& v : b) v = R * v * lambda;
                voronoi_cell<double> cell;
                const ptm_result r = matcher().match(b.data(), b.size(), 1, nullptr, cell);
                const auto& t = matcher().tables().templates[std::size_t(int(c.s))];
                INFO("structure " << int(c.s) << " seed " << seed << " site " << site);
                REQUIRE(r.structure == c.s);
                CHECK(r.rmsd < 1e-14);
                CHECK(r.interatomic_distance == Approx(d * lambda).epsilon(1e-13));
                CHECK(r.scale == Approx(t.nearest_distance / (d * lambda)).epsilon(1e-13));
                // the applied rotation, up to the conventional group; every site gives the same
                // quaternion (the fundamental-zone representative)
                CHECK(orientation_error(t, R, r.orientation) < 1e-12);
                CHECK(std::abs(r.orientation.w * r.orientation.w + r.orientation.x * r.orientation.x +
                               r.orientation.y * r.orientation.y + r.orientation.z * r.orientation.z - 1) < 1e-14);
                // undeformed: F is the rotation of the reported orientation (graphene: in plane,
                // F_zz = 1 by convention)
                if (c.s != ptm_structure::graphene)
                    CHECK(max_abs(r.deformation_gradient - rotation_matrix(r.orientation)) < 1e-12);
            }
        }
}

TEST_CASE("ptm: every site of a perfect crystal gets the same orientation (conventional group)", "[ptm]") {
    // hcp: the two sites are each other's image under a 60° rotation; cubic: one site group
    const mat3<double> R = to_mat(random_rotation(77));
    for (const auto& l : {hcp(2.5, 4, 3, 3), fcc(3.6, 3), bcc(2.9, 4)}) {
        quaternion first{};
        for (std::size_t site = 0; site < 4; ++site) {
            auto b = nearest_bonds(l, site, 18);
            for (auto& v : b) v = R * v;
            voronoi_cell<double> cell;
            const auto q = matcher().match(b.data(), b.size(), 1, nullptr, cell).orientation;
            if (site == 0) first = q;
            CHECK(std::abs(q.w - first.w) + std::abs(q.x - first.x) + std::abs(q.y - first.y) + std::abs(q.z - first.z) <
                  1e-12);
        }
    }
    // lattices along the template axes: the identity
    for (const auto& l : {hcp(2.5, 4, 3, 3), fcc(3.6, 3), bcc(2.9, 4), cubic({{0, 0, 0}}, 2.5, 5)}) {
        auto b = nearest_bonds(l, 0, 18);
        voronoi_cell<double> cell;
        const auto q = matcher().match(b.data(), b.size(), 1, nullptr, cell).orientation;
        CHECK(q.w == Approx(1).epsilon(1e-14));
    }
}

TEST_CASE("ptm: an icosahedron at random orientations", "[ptm]") {
    const auto& t = matcher().tables().templates[std::size_t(int(ptm_structure::ico))];
    for (std::uint64_t seed = 1; seed <= 20; ++seed) {
        const mat3<double> R = to_mat(random_rotation(seed));
        // a regular icosahedron written independently of the template (vertices (0, ±1, ±φ)
        // and cyclic), and the template itself rotated: type, RMSD and scale from the first,
        // the orientation from the second
        const auto ico = icosahedron(2.7);
        std::vector<vec3<double>> b, c;
        for (std::size_t k = 1; k < ico.size(); ++k) b.push_back(R * vec3<double>{ico[k][0], ico[k][1], ico[k][2]});
        for (std::size_t k = 1; k <= 12; ++k) c.push_back(R * t.points[k] * 2.7);
        voronoi_cell<double> cell;
        const ptm_result r = matcher().match(b.data(), b.size(), 1, nullptr, cell);
        REQUIRE(r.structure == ptm_structure::ico);
        CHECK(r.rmsd < 1e-14);
        CHECK(r.interatomic_distance == Approx(2.7).epsilon(1e-13));
        const ptm_result rt = matcher().match(c.data(), c.size(), 1, nullptr, cell);
        REQUIRE(rt.structure == ptm_structure::ico);
        CHECK(orientation_error(t, R, rt.orientation) < 1e-12);
    }
}

TEST_CASE("ptm: affine strain is recovered by the deformation gradient", "[ptm]") {
    // bonds = M R t (M symmetric, near identity): F is the least-squares map of the template onto
    // the scale-normalised bonds, so F Fᵀ ∝ M Mᵀ exactly (the rotation and scale drop out)
    const mat3<double> M{{1.03, 0.01, -0.02, 0.01, 0.98, 0.015, -0.02, 0.015, 1.01}};
    const mat3<double> MMt = M * transpose(M);
    for (const auto& l : {fcc(3.6, 3), bcc(2.9, 4), hcp(2.5, 4, 3, 3)})
        for (std::uint64_t seed = 1; seed <= 5; ++seed) {
            const mat3<double> R = to_mat(random_rotation(seed + 100));
            auto b = nearest_bonds(l, 0, 18);
            for (auto& v : b) v = M * (R * v);
            voronoi_cell<double> cell;
            const ptm_result r = matcher().match(b.data(), b.size(), 1, nullptr, cell);
            REQUIRE(r.structure != ptm_structure::other);
            CHECK(r.rmsd > 1e-3);  // not a similarity transform
            const mat3<double> FFt = r.deformation_gradient * transpose(r.deformation_gradient);
            const double ratio = FFt(0, 0) / MMt(0, 0);
            CHECK(max_abs(FFt * (1 / ratio) - MMt) < 1e-12);
        }
}

TEST_CASE("ptm: the graph correspondences reach the brute-force RMSD minimum on perturbed clusters", "[ptm]") {
    // Thermal-like noise (σ = 0.03 of the bond length); the independent minimum over
    // correspondences (brute_force_rmsd) must equal PTM's to rounding: a smaller brute-force
    // value would mean a correspondence (an automorphism or a triangulation class) is missing.
    std::mt19937_64 rng(5);
    std::normal_distribution<double> noise(0, 0.03);
    int compared = 0;
    for (const ptm_structure s : every_structure) {
        const auto& t = matcher().tables().templates[std::size_t(int(s))];
        for (std::uint64_t seed = 1; seed <= 25; ++seed) {
            const mat3<double> R = to_mat(random_rotation(seed + 1000 * std::uint64_t(int(s))));
            std::vector<vec3<double>> b;
            for (std::size_t k = 1; k <= t.num_neighbors; ++k)
                b.push_back(R * (t.points[k] + vec3<double>{noise(rng), noise(rng), noise(rng)}) * 3.0);
            std::stable_sort(b.begin(), b.end(), [](const auto& x, const auto& y) { return norm2(x) < norm2(y); });
            ptm_matcher only(ptm_bit(s));  // this template alone: compare its RMSD, not the best type's
            voronoi_cell<double> cell;
            const ptm_result r = only.match(b.data(), b.size(), 1, nullptr, cell);
            INFO("structure " << int(s) << " seed " << seed);
            REQUIRE(r.structure == s);
            // the reference gets the neighbours in PTM's chosen shell (all N here)
            const double ref = brute_force_rmsd(t, b);
            CHECK(r.rmsd == Approx(ref).epsilon(1e-9).margin(1e-13));
            ++compared;
        }
    }
    CHECK(compared == 200);
}

TEST_CASE("ptm: chemical ordering of binary alloys (L1_0, L1_2, B2, zincblende, BN, pure)", "[ptm]") {
    // The ordered lattices written out: species by position in the cubic cell.
    auto run = [](const lattice& l, const std::vector<int>& types, std::size_t site) {
        const auto L = l.box.hi();
        std::vector<std::pair<double, std::size_t>> order;
        std::vector<vec3<double>> all;
        for (std::size_t j = 0; j < l.positions.size(); ++j) {
            if (j == site) continue;
            vec3<double> d{l.positions[j][0] - l.positions[site][0], l.positions[j][1] - l.positions[site][1],
                           l.positions[j][2] - l.positions[site][2]};
            for (std::size_t a = 0; a < 3; ++a) d[a] -= L[a] * std::round(d[a] / L[a]);
            order.push_back({norm2(d), j});
            all.push_back(d);
        }
        std::stable_sort(order.begin(), order.end());
        std::vector<vec3<double>> b;
        std::vector<int> nt;
        for (std::size_t k = 0; k < 18; ++k) {
            const std::size_t j = order[k].second;
            b.push_back(all[j < site ? j : j - 1]);
            nt.push_back(types[j]);
        }
        const mat3<double> R = to_mat(random_rotation(site + 3));
        for (auto& v : b) v = R * v;
        voronoi_cell<double> cell;
        return matcher().match(b.data(), b.size(), types[site], nt.data(), cell);
    };
    const double a = 3.7;
    const auto f = fcc(a, 3);
    auto frac = [&](std::size_t j, std::size_t axis) { return std::fmod(f.positions[j][axis] / a, 1.0); };
    std::vector<int> l12(f.positions.size()), l10(f.positions.size());
    for (std::size_t j = 0; j < f.positions.size(); ++j) {
        const bool corner = frac(j, 0) < 0.25 && frac(j, 1) < 0.25 && frac(j, 2) < 0.25;
        l12[j] = corner ? 2 : 1;             // Cu3Au: Au (2) on the cube corners
        l10[j] = frac(j, 2) < 0.25 ? 1 : 2;  // CuAu: alternating (001) planes
    }
    for (std::size_t site = 0; site < 4; ++site) {
        const auto r = run(f, l12, site);
        REQUIRE(r.structure == ptm_structure::fcc);
        CHECK(r.ordering == (l12[site] == 2 ? ptm_ordering::l12_b : ptm_ordering::l12_a));
        CHECK(run(f, l10, site).ordering == ptm_ordering::l10);
        CHECK(run(f, std::vector<int>(f.positions.size(), 1), site).ordering == ptm_ordering::pure);
    }
    const auto b = bcc(3.0, 4);
    std::vector<int> b2(b.positions.size());
    for (std::size_t j = 0; j < b.positions.size(); ++j) b2[j] = std::fmod(b.positions[j][0] / 3.0, 1.0) < 0.25 ? 1 : 2;
    for (std::size_t site = 0; site < 2; ++site) CHECK(run(b, b2, site).ordering == ptm_ordering::b2);
    // zincblende (SiC): the two diamond sublattices of different species; BN: graphene's two
    const auto z = diamond(4.36, 3);
    std::vector<int> zb(z.positions.size());
    for (std::size_t j = 0; j < zb.size(); ++j) zb[j] = (j % 8) < 4 ? 1 : 2;  // basis atoms 0-3 / 4-7
    for (const std::size_t site : {std::size_t(0), std::size_t(4)}) {
        const auto r = run(z, zb, site);
        REQUIRE(r.structure == ptm_structure::dcub);
        CHECK(r.ordering == ptm_ordering::zincblende_wurtzite);
    }
    const auto gs = graphene_sheet(1.45, 6, 4);
    std::vector<int> bn(gs.positions.size());
    for (std::size_t j = 0; j < bn.size(); ++j) bn[j] = (j % 4 == 0 || j % 4 == 2) ? 1 : 2;  // the two sublattices
    for (const std::size_t site : {std::size_t(0), std::size_t(1)}) {
        const auto r = run(gs, bn, site);
        REQUIRE(r.structure == ptm_structure::graphene);
        CHECK(r.ordering == ptm_ordering::boron_nitride);
    }
    // a random binary fcc alloy is neither ordered type (except by chance: fixed seed)
    std::vector<int> random(f.positions.size());
    std::mt19937_64 g(9);
    for (auto& t : random) t = 1 + int(g() % 2);
    int none = 0;
    for (std::size_t site = 0; site < 20; ++site) none += run(f, random, site).ordering == ptm_ordering::none;
    CHECK(none >= 15);
}

TEST_CASE("ptm: no match for a surface atom, too few neighbours or a flat neighbourhood", "[ptm]") {
    voronoi_cell<double> cell;
    // the three-dimensional templates (graphene, which needs no hull, fits almost anything with
    // some RMSD: it is not in the default set for that reason)
    static const ptm_matcher m3d(ptm_default_structures);
    // all neighbours on one side: the centre is on the hull
    auto l = fcc(3.6, 3);
    auto b = nearest_bonds(l, 0, 18);
    std::vector<vec3<double>> half;
    for (const auto& v : b)
        if (v.z >= 0) half.push_back(v);
    CHECK(m3d.match(half.data(), half.size(), 1, nullptr, cell).structure == ptm_structure::other);
    // fewer than six neighbours
    CHECK(m3d.match(b.data(), 5, 1, nullptr, cell).structure == ptm_structure::other);
    // a square lattice (all in one plane): the hull is degenerate
    std::vector<vec3<double>> flat;
    for (int i = -2; i <= 2; ++i)
        for (int j = -2; j <= 2; ++j)
            if (i || j) flat.push_back({double(i), double(j), 0});
    std::stable_sort(flat.begin(), flat.end(), [](const auto& x, const auto& y) { return norm2(x) < norm2(y); });
    const auto r = m3d.match(flat.data(), std::min<std::size_t>(18, flat.size()), 1, nullptr, cell);
    CHECK(r.structure == ptm_structure::other);
    CHECK(r.rmsd == 0);
    CHECK(r.orientation.w == 0);
    CHECK(r.interatomic_distance == 0);
    // with graphene enabled the square lattice gets graphene, far above any RMSD cutoff
    const auto rg = matcher().match(flat.data(), std::min<std::size_t>(18, flat.size()), 1, nullptr, cell);
    CHECK(rg.structure == ptm_structure::graphene);
    CHECK(rg.rmsd > 0.2);
}

TEST_CASE("ptm: in a pipeline on periodic lattices, with permutation and thread invariance", "[ptm]") {
    const auto f = fcc(3.615, 4);
    const auto out = pipeline(nearest{32}, ptm{}).run(f.positions, f.box);  // 32: the diamonds' pool
    const auto names = out.names();
    CHECK(names == std::vector<std::string>{"ptm", "ptm_rmsd", "ptm_qw", "ptm_qx", "ptm_qy", "ptm_qz", "ptm_scale"});
    for (double v : out.get<ptm>(0)) CHECK(v == 1);
    for (double v : out.get<ptm>(1)) CHECK(v < 1e-14);
    for (double v : out.get<ptm>(2)) CHECK(v == Approx(1).epsilon(1e-14));
    for (double v : out.get<ptm>(6)) CHECK(v == Approx(3.615 / std::sqrt(2.0)).epsilon(1e-13));
    // thermal noise: a permutation of the atoms permutes the rows; any thread count, same bits
    auto p = f.positions;
    jiggle(p, 0.08, 3);
    const auto ref = pipeline(nearest{18}, ptm{0.1, ptm_single_shell, true}).run(p, f.box, {}, openmp_policy{1});
    const auto two = pipeline(nearest{18}, ptm{0.1, ptm_single_shell, true}).run(p, f.box, {}, openmp_policy{2});
    for (std::size_t c = 0; c < 8; ++c) {
        const auto a = ref.get<ptm>(c), b = two.get<ptm>(c);
        CHECK(std::equal(a.begin(), a.end(), b.begin()));
    }
    std::vector<std::size_t> perm(p.size());
    std::iota(perm.begin(), perm.end(), 0);
    std::shuffle(perm.begin(), perm.end(), std::mt19937_64(4));
    points q(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) q[i] = p[perm[i]];
    const auto shuffled = pipeline(nearest{18}, ptm{0.1, ptm_single_shell, true}).run(q, f.box);
    for (std::size_t c = 0; c < 8; ++c)
        for (std::size_t i = 0; i < p.size(); ++i) CHECK(shuffled.get<ptm>(c)[i] == Approx(ref.get<ptm>(c)[perm[i]]).margin(1e-12));
    int fcc_count = 0;
    for (double v : ref.get<ptm>(0)) fcc_count += v == 1;
    CHECK(fcc_count == int(p.size()));  // σ = 0.08 Å at 300 K-like amplitude: still all fcc
}

TEST_CASE("ptm: hostile neighbourhoods never crash and give finite or no-match results", "[ptm]") {
    // random clouds, duplicated and coincident neighbours, a zero bond, collinear and coplanar
    // sets, huge and tiny scales, fewer than any template needs: every result is either a match
    // with finite values or the all-zero no-match
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> u(-1, 1);
    voronoi_cell<double> cell;
    int matched = 0, none = 0;
    for (int trial = 0; trial < 3000; ++trial) {
        const std::size_t n = std::size_t(trial % 19);
        std::vector<vec3<double>> b(n);
        const double scale = trial % 7 == 0 ? 1e-6 : trial % 11 == 0 ? 1e6 : 2.5;
        for (auto& v : b) v = vec3<double>{u(rng), u(rng), u(rng)} * scale;
        if (n > 3 && trial % 5 == 0) b[2] = b[1];                            // duplicate
        if (n > 3 && trial % 13 == 0) b[3] = {0, 0, 0};                       // coincident with the centre
        if (n > 4 && trial % 17 == 0)
            for (auto& v : b) v = vec3<double>{u(rng), 0, 0} * scale;        // collinear
        if (n > 4 && trial % 19 == 0)
            for (auto& v : b) v.z = 0;                                        // coplanar
        std::stable_sort(b.begin(), b.end(), [](const auto& x, const auto& y) { return norm2(x) < norm2(y); });
        std::vector<int> types(n);
        for (auto& t : types) t = 1 + int(rng() % 3);
        const ptm_result r = matcher().match(b.data(), b.size(), 1, types.data(), cell);
        if (r.structure == ptm_structure::other) {
            ++none;
            CHECK((r.rmsd == 0 && r.scale == 0 && r.interatomic_distance == 0 && r.orientation.w == 0));
        } else {
            ++matched;
            const double qn = r.orientation.w * r.orientation.w + r.orientation.x * r.orientation.x +
                              r.orientation.y * r.orientation.y + r.orientation.z * r.orientation.z;
            CHECK(std::isfinite(r.rmsd));
            CHECK(std::isfinite(r.interatomic_distance));
            CHECK(std::abs(qn - 1) < 1e-12);
            CHECK(r.orientation.w >= 0);
            for (double f : r.deformation_gradient.a) CHECK(std::isfinite(f));
        }
    }
    CHECK(matched > 100);  // graphene fits most clouds
    CHECK(none > 100);     // too few neighbours, degenerate clouds
}
