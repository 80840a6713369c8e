#pragma once
/// @file
/// Polyhedral template matching (PTM; P. M. Larsen, S. Schmidt, J. Schiøtz, "Robust structural
/// identification via polyhedral template matching", Modelling Simul. Mater. Sci. Eng. 24,
/// 055007 (2016)): the local structure, orientation, scale and elastic deformation of each atom,
/// by matching its neighbourhood against ideal coordination polyhedra.
///
/// For each template X with N neighbours (sc 6; fcc, hcp, ico 12; bcc 14; cubic and hexagonal
/// diamond 4 + 12; graphene 3 + 6):
/// 1. the neighbours: the up to 18 nearest, ordered by the solid angle of their Voronoi face
///    (detail/ptm_neighbor_order.hpp); the first N are the candidate shell — for the two-shell
///    templates the first 4 (3) are the inner atoms and each inner atom's nearest unclaimed
///    atoms the outer ones (ptm_two_shell_select);
/// 2. their convex hull with the central atom (detail/ptm_hull.hpp) must be a closed
///    triangulated surface with X's number of facets and degrees, the centre strictly inside
///    (diamond: the inner atoms' outer triangles become fans through them, 28 facets; graphene
///    is planar and has no hull: its 8 correspondences are tried directly);
/// 3. the hull's canonical code (detail/ptm_graph.hpp) must be one of the codes of X's
///    triangulations; each stored correspondence (template point ↔ neighbour) is then scored by
/// 4. the scale-invariant RMSD (detail/ptm_alignment.hpp)
///    \f[ \mathrm{RMSD} = \min_{R,s} \sqrt{\tfrac{1}{N+1} \textstyle\sum_{k=0}^{N} \lVert R t_k - s \tilde x_k \rVert^2 } , \f]
///    t_k the template (mean neighbour distance 1), x̃_k the points minus their barycentre.
/// The structure is the template with the smallest RMSD over all enabled ones; it is reported
/// as `other` if that RMSD exceeds `rmsd_cutoff` (OVITO's default 0.1; 0 disables the cutoff)
/// while the RMSD, orientation and scale of the best match are still reported (OVITO does the
/// same). Atoms that match no template: structure other, RMSD 0, orientation (0,0,0,0), scale 0.
///
/// Outputs, with OVITO's conventions (OVITO 3.x, its vendored PTM; see docs/descriptors/ptm.md):
/// - orientation: the unit quaternion (w, x, y, z) of the rotation taking the template frame to
///   the lab frame, reduced to the fundamental zone of the lattice's conventional rotation group
///   (cubic 24 for sc/fcc/bcc, D6 12 for hcp, icosahedral 60) — every site of a perfect crystal
///   gets the same orientation; the representative is the one with the largest |w|, w >= 0;
/// - interatomic distance: |t_1| / s, the nearest-neighbour distance in input units
///   (lattice constant: ×√2 fcc, ×2/√3 bcc, ×1 sc);
/// - the elastic deformation gradient F, the least-squares map F t_k ≈ s x̃_k of the rotated
///   template onto the scale-normalised neighbourhood (F = R for an undeformed crystal);
/// - the chemical ordering of binary alloys (OVITO's Ordering Type): pure, L1₀, L1₂ (A or B
///   site) for fcc, B2 for bcc, zincblende/wurtzite for the diamonds, boron nitride for
///   graphene; it needs particle types.
///
/// Default templates: all but graphene (which, needing no hull, fits almost any neighbourhood
/// with some RMSD). Per particle nothing is allocated (fixed-size arrays, one per-thread Voronoi
/// cell). Column names: ptm, ptm_rmsd, ptm_qw, ptm_qx, ptm_qy, ptm_qz, ptm_scale (the
/// order of LAMMPS's compute ptm/atom), then ptm_order if `ordering`.

#include <tessera/core/error.hpp>
#include <tessera/descriptors/descriptor.hpp>
#include <tessera/descriptors/detail/ptm_alignment.hpp>
#include <tessera/descriptors/detail/ptm_graph.hpp>
#include <tessera/descriptors/detail/ptm_hull.hpp>
#include <tessera/descriptors/detail/ptm_neighbor_order.hpp>
#include <tessera/descriptors/detail/ptm_templates.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <sstream>
#include <string>
#include <vector>

namespace tessera {

/// Chemical ordering of the matched polyhedron (OVITO's Ordering Type numbers).
enum class ptm_ordering : int { none = 0, pure = 1, l10 = 2, l12_a = 3, l12_b = 4, b2 = 5, zincblende_wurtzite = 6,
                                 boron_nitride = 7 };

/// Bit mask of enabled structures: bit int(s) for structure s.
using ptm_structure_set = unsigned;
constexpr ptm_structure_set ptm_bit(ptm_structure s) noexcept { return 1u << unsigned(int(s)); }
/// The single-shell structures (sc, fcc, hcp, ico, bcc).
inline constexpr ptm_structure_set ptm_single_shell =
    ptm_bit(ptm_structure::sc) | ptm_bit(ptm_structure::fcc) | ptm_bit(ptm_structure::hcp) |
    ptm_bit(ptm_structure::ico) | ptm_bit(ptm_structure::bcc);
/// Every structure, graphene included.
inline constexpr ptm_structure_set ptm_all_structures = ptm_single_shell | ptm_bit(ptm_structure::dcub) |
                                                         ptm_bit(ptm_structure::dhex) | ptm_bit(ptm_structure::graphene);
/// tessera's default: every three-dimensional structure (graphene matches, with some RMSD,
/// almost any neighbourhood, so it is tried only when asked for, as in OVITO).
inline constexpr ptm_structure_set ptm_default_structures = ptm_all_structures & ~ptm_bit(ptm_structure::graphene);
/// OVITO's default selection.
inline constexpr ptm_structure_set ptm_ovito_default =
    ptm_bit(ptm_structure::fcc) | ptm_bit(ptm_structure::hcp) | ptm_bit(ptm_structure::bcc);

/// The match of one neighbourhood.
struct ptm_result {
    ptm_structure structure = ptm_structure::other;  ///< best template (before any RMSD cutoff)
    double rmsd = 0;
    double scale = 0;                    ///< s (template units per input unit)
    double interatomic_distance = 0;     ///< |t_1| / s
    quaternion orientation{0, 0, 0, 0};  ///< fundamental zone of the conventional group
    mat3<double> deformation_gradient{};
    ptm_ordering ordering = ptm_ordering::none;
    /// correspondence[k]: the input neighbour (index into the distance-sorted list) matched to
    /// template point k ≥ 1 of the raw (un-reduced) match.
    std::array<std::uint8_t, detail::ptm_max_points> correspondence{};
};

namespace detail {

/// The templates and their graph tables (built once per matcher, shared by copies).
struct ptm_tables {
    std::array<ptm_template, 9> templates;
    std::array<ptm_graph_table, 9> graphs;
    std::array<std::uint32_t, 3> fcc_alloy_codes{};  ///< canonical codes of L1₀, L1₂ A, L1₂ B

    /// Smallest Σ b_k 2^{p[k]} over the site permutations p (the alloy pattern up to symmetry).
    std::uint32_t canonical_pattern(const ptm_template& t, std::uint32_t bits) const noexcept {
        std::uint32_t best = std::numeric_limits<std::uint32_t>::max();
        for (const auto& p : t.site_permutations) {
            std::uint32_t c = 0;
            for (std::size_t k = 1; k <= t.num_neighbors; ++k)
                if (bits >> k & 1) c |= 1u << p[k];
            best = std::min(best, c);
        }
        return best;
    }

    explicit ptm_tables(ptm_structure_set enabled) {
        for (const ptm_structure s : {ptm_structure::sc, ptm_structure::fcc, ptm_structure::hcp, ptm_structure::ico,
                                      ptm_structure::bcc, ptm_structure::dcub, ptm_structure::dhex,
                                      ptm_structure::graphene}) {
            const std::size_t k = std::size_t(int(s));
            templates[k] = make_ptm_template(s);
            if (enabled & ptm_bit(s)) graphs[k] = make_ptm_graph_table(templates[k]);
        }
        const auto& fcc = templates[std::size_t(int(ptm_structure::fcc))];
        std::uint32_t l10 = 0, l12a = 0, l12b = 0;
        for (std::size_t k = 1; k <= 12; ++k) {
            const bool in_plane = std::abs(fcc.points[k].z) < 1e-12;  // the z = 0 {100} square
            if (!in_plane) l10 |= 1u << k;   // L1₀: the 8 off the like-atom plane are unlike
            if (in_plane) l12a |= 1u << k;   // L1₂ A site (Cu in Cu₃Au): 4 unlike in one {100} plane
            l12b |= 1u << k;                 // L1₂ B site (Au): all 12 unlike
        }
        fcc_alloy_codes = {canonical_pattern(fcc, l10), canonical_pattern(fcc, l12a), canonical_pattern(fcc, l12b)};
    }
};

}  // namespace detail

/// The matcher: templates, graph tables and the options. Copies share the tables; match() is
/// const and thread-safe (each thread passes its own Voronoi cell).
class ptm_matcher {
public:
    explicit ptm_matcher(ptm_structure_set structures = ptm_default_structures)
        : structures_(structures), tables_(std::make_shared<const detail::ptm_tables>(structures)) {
        if (structures & ~ptm_all_structures) throw error("ptm: unknown structure bits in ", structures);
        if (structures == 0) throw error("ptm: no structure enabled");
    }

    ptm_structure_set structures() const noexcept { return structures_; }
    const detail::ptm_tables& tables() const noexcept { return *tables_; }

    /// The nearest neighbours match() reads: 18, or 32 with a two-shell template (its candidate
    /// pool, detail::ptm_two_shell_select).
    std::size_t neighbors_needed() const noexcept {
        const ptm_structure_set two_shell =
            ptm_bit(ptm_structure::dcub) | ptm_bit(ptm_structure::dhex) | ptm_bit(ptm_structure::graphene);
        return structures_ & two_shell ? detail::ptm_two_shell_pool : detail::ptm_max_input_neighbors;
    }

    /// Match one neighbourhood: bond vectors r_j − r_i sorted by distance (the first up to
    /// neighbors_needed() are read: the first 18 for the solid-angle order, all for the two-shell
    /// candidates), with types (centre_type, neighbor_types[j]) for the ordering, or nullptr.
    ptm_result match(const vec3<double>* bonds, std::size_t count, int centre_type, const int* neighbor_types,
                     voronoi_cell<double>& cell) const {
        using namespace detail;
        const std::size_t pool = std::min(count, ptm_two_shell_pool);
        const std::size_t n = std::min(count, ptm_max_input_neighbors);
        std::array<std::uint8_t, ptm_max_input_neighbors> order{};
        ptm_order_by_solid_angle(bonds, n, cell, order);

        ptm_result best;
        double best_rmsd = std::numeric_limits<double>::infinity();  // squared, from the eigenvalue
        std::array<vec3<double>, ptm_max_points> best_x{};  // x̃ in template order
        const ptm_template* best_t = nullptr;
        double best_g2 = 0;
        // Scores one correspondence (xo = points in template order, corr = their bond indices) by
        // the eigenvalue alone; the winner's rotation and RMSD are computed once, at the end.
        auto consider = [&](ptm_structure s, const ptm_template& t, const std::array<vec3<double>, ptm_max_points>& xo,
                            const std::array<std::uint8_t, ptm_max_points>& corr, double g2) {
            const double rmsd2 = superposed_rmsd2(t.points.data(), xo.data(), t.num_neighbors + 1, t.g1, g2);
            if (rmsd2 < best_rmsd) {
                best_rmsd = rmsd2;
                best.structure = s;
                best.correspondence = corr;
                best_x = xo;
                best_t = &t;
                best_g2 = g2;
            }
        };
        // Points: the centre and the chosen bonds (sel[0..N)), minus their barycentre, Σ|x̃|² and
        // the mean neighbour length (the diamond hull's scale: its tolerances are absolute).
        std::array<vec3<double>, ptm_max_points> x{};
        double g2 = 0, mean_length = 0;
        auto load = [&](const std::uint8_t* sel, std::size_t N) {
            vec3<double> bary{};
            mean_length = 0;
            x[0] = {0, 0, 0};
            for (std::size_t k = 1; k <= N; ++k) {
                x[k] = bonds[sel[k - 1]];
                bary = bary + x[k];
                mean_length += std::sqrt(norm2(x[k]));
            }
            bary = bary * (1.0 / double(N + 1));
            mean_length /= double(N);
            if (!(mean_length > 0)) return false;
            g2 = 0;
            for (std::size_t k = 0; k <= N; ++k) {
                x[k] = x[k] - bary;
                g2 += norm2(x[k]);
            }
            return true;
        };
        // Every stored correspondence of the graph's code for template s.
        auto match_graph = [&](ptm_structure s, const ptm_graph& g, const std::uint8_t* sel, ptm_code& code,
                               std::array<std::uint8_t, ptm_graph_max_vertices>& label, std::size_t& len) {
            const std::size_t ti = std::size_t(int(s));
            const ptm_template& t = tables_->templates[ti];
            const std::size_t N = t.num_neighbors;
            if (g.num_facets != t.facets) return;
            for (std::size_t v = 0; v < N; ++v)
                if (g.degree[v] > t.max_degree || (t.all_degrees_equal && g.degree[v] != t.max_degree)) return;
            if (len == 0) len = g.canonical(code, label);
            const ptm_code_entry* entry = tables_->graphs[ti].find(code, len);
            if (!entry) return;
            std::array<std::uint8_t, ptm_graph_max_vertices> vertex_of{};  // label → input vertex
            for (std::size_t v = 0; v < N; ++v) vertex_of[label[v]] = std::uint8_t(v);
            for (const auto& to_point : entry->label_to_point) {
                std::array<vec3<double>, ptm_max_points> xo{};
                std::array<std::uint8_t, ptm_max_points> corr{};
                xo[0] = x[0];
                for (std::size_t l = 0; l < N; ++l) {
                    xo[to_point[l]] = x[vertex_of[l] + 1];
                    corr[to_point[l]] = sel[vertex_of[l]];
                }
                consider(s, t, xo, corr, g2);
            }
        };

        // Single-shell templates: the first N bonds in solid-angle order.
        static constexpr ptm_structure shells[3][3] = {{ptm_structure::sc, ptm_structure::other, ptm_structure::other},
                                                       {ptm_structure::fcc, ptm_structure::hcp, ptm_structure::ico},
                                                       {ptm_structure::bcc, ptm_structure::other, ptm_structure::other}};
        static constexpr std::size_t shell_size[3] = {6, 12, 14};
        // One hull grows through the shells (7, 13, 15 points of the same ordered list), over the
        // centre and the bonds scaled by the mean length of the first six (absolute tolerances).
        std::array<vec3<double>, ptm_max_points> hp{};
        std::size_t in_hull = 0;  // points in `hull` (0: none usable)
        ptm_hull hull;
        if (n >= 6) {
            double l6 = 0;
            for (std::size_t k = 0; k < 6; ++k) l6 += std::sqrt(norm2(bonds[order[k]]));
            l6 /= 6;
            for (std::size_t k = 1; k <= std::min<std::size_t>(n, 14); ++k)
                hp[k] = l6 > 0 ? bonds[order[k - 1]] * (1 / l6) : vec3<double>{};
        }
        for (std::size_t sh = 0; sh < 3; ++sh) {
            const std::size_t N = shell_size[sh];
            bool wanted = false;
            for (const ptm_structure s : shells[sh]) wanted = wanted || (s != ptm_structure::other && (structures_ & ptm_bit(s)));
            if (!wanted || n < N || !load(order.data(), N)) continue;
            const ptm_hull_status st = in_hull >= 4 ? hull.extend(hp.data(), in_hull, N + 1) : hull.build(hp.data(), N + 1);
            in_hull = st == ptm_hull_status::ok || st == ptm_hull_status::centre_on_hull ? N + 1 : 0;
            if (st != ptm_hull_status::ok) continue;
            std::array<std::array<std::uint8_t, 3>, ptm_hull_max_facets> facets;
            for (std::size_t f = 0; f < hull.num_facets; ++f)
                for (std::size_t e = 0; e < 3; ++e) facets[f][e] = std::uint8_t(hull.facets[f][e] - 1);
            ptm_graph g;
            if (!g.build(N, facets.data(), hull.num_facets)) continue;
            ptm_code code;
            std::array<std::uint8_t, ptm_graph_max_vertices> label;
            std::size_t len = 0;
            for (const ptm_structure s : shells[sh])
                if (s != ptm_structure::other && (structures_ & ptm_bit(s))) match_graph(s, g, order.data(), code, label, len);
        }

        // Two-shell templates: inner atoms, then the outer atoms of each (ptm_two_shell_select).
        const bool diamond = structures_ & (ptm_bit(ptm_structure::dcub) | ptm_bit(ptm_structure::dhex));
        std::array<std::uint8_t, ptm_max_points> sel{};
        if (diamond && ptm_two_shell_select(bonds, pool, order, 4, 3, sel) && load(sel.data(), 16)) {
            std::array<vec3<double>, ptm_max_points> unit;
            for (std::size_t k = 0; k <= 16; ++k) unit[k] = x[k] * (1 / mean_length);
            ptm_hull hull;
            if (convex_hull_of_cluster(unit.data(), 17, hull) == ptm_hull_status::ok) {
                ptm_facet_list facets;
                for (std::size_t f = 0; f < hull.num_facets; ++f)
                    facets.push_back({std::uint8_t(hull.facets[f][0] - 1), std::uint8_t(hull.facets[f][1] - 1),
                                      std::uint8_t(hull.facets[f][2] - 1)});
                std::array<std::uint8_t, ptm_graph_max_vertices> colours{};
                ptm_graph g;
                if (diamond_replace_inner_triangles(facets, 4, colours) &&
                    g.build(16, facets.data(), facets.size(), colours.data())) {
                    ptm_code code;
                    std::array<std::uint8_t, ptm_graph_max_vertices> label;
                    std::size_t len = 0;
                    for (const ptm_structure s : {ptm_structure::dcub, ptm_structure::dhex})
                        if (structures_ & ptm_bit(s)) match_graph(s, g, sel.data(), code, label, len);
                }
            }
        }
        if ((structures_ & ptm_bit(ptm_structure::graphene)) && ptm_two_shell_select(bonds, pool, order, 3, 2, sel) &&
            load(sel.data(), 9)) {
            // No hull (planar): the inner order is realised by a rotation; each inner atom's two
            // outer atoms in either order — 8 correspondences (the reference implementation's).
            const ptm_template& t = tables_->templates[std::size_t(int(ptm_structure::graphene))];
            for (unsigned swaps = 0; swaps < 8; ++swaps) {
                std::array<vec3<double>, ptm_max_points> xo = x;
                std::array<std::uint8_t, ptm_max_points> corr{};
                for (std::size_t k = 1; k <= 9; ++k) corr[k] = sel[k - 1];
                for (std::size_t k = 0; k < 3; ++k)
                    if (swaps >> k & 1) {
                        std::swap(xo[4 + 2 * k], xo[5 + 2 * k]);
                        std::swap(corr[4 + 2 * k], corr[5 + 2 * k]);
                    }
                consider(ptm_structure::graphene, t, xo, corr, g2);
            }
        }
        if (!best_t) return ptm_result{};
        const ptm_template& t = *best_t;
        {
            const ptm_superposition sp = superpose(t.points.data(), best_x.data(), t.num_neighbors + 1, best_g2);
            best.rmsd = sp.rmsd;
            best.scale = sp.scale;
            best.orientation = sp.rotation;
        }
        best.interatomic_distance = best.scale > 0 ? t.nearest_distance / best.scale : 0;
        best.ordering = ordering_of(best, centre_type, neighbor_types);
        // Deformation gradient of the raw match: F0 = (Σ s x̃_k t_kᵀ)(Σ t_k t_kᵀ)⁻¹.
        mat3<double> xt{}, tt{};
        for (std::size_t k = 1; k <= t.num_neighbors; ++k) {
            const vec3<double> sx = best_x[k] * best.scale, tk = t.points[k];
            const double a[3] = {sx.x, sx.y, sx.z}, b[3] = {tk.x, tk.y, tk.z};
            for (std::size_t i = 0; i < 3; ++i)
                for (std::size_t j = 0; j < 3; ++j) {
                    xt(i, j) += a[i] * b[j];
                    tt(i, j) += b[i] * b[j];
                }
        }
        mat3<double> F0;
        if (t.structure == ptm_structure::graphene) {  // planar template: the in-plane 2-D inverse, F_zz = 1
            const double det = tt(0, 0) * tt(1, 1) - tt(0, 1) * tt(1, 0);
            const mat3<double> inv2{{tt(1, 1) / det, -tt(0, 1) / det, 0, -tt(1, 0) / det, tt(0, 0) / det, 0, 0, 0, 0}};
            F0 = xt * inv2;
            F0(2, 2) = 1;
        } else {
            F0 = xt * inverse(tt);
        }
        // Fundamental zone: right-multiply by the conventional symmetry g with the largest |w|.
        const quaternion q = best.orientation;
        std::size_t gi = 0;
        double top = -1;
        for (std::size_t i = 0; i < t.conventional_group.size(); ++i) {
            const double w = std::abs((q * t.conventional_group[i]).w);
            if (w > top) top = w, gi = i;
        }
        quaternion r = q * t.conventional_group[gi];
        if (r.w < 0) r = {-r.w, -r.x, -r.y, -r.z};
        best.orientation = r;
        best.deformation_gradient = F0 * rotation_matrix(t.conventional_group[gi]);
        return best;
    }

private:
    ptm_ordering ordering_of(const ptm_result& r, int centre_type, const int* types) const noexcept {
        if (!types) return ptm_ordering::none;
        const detail::ptm_template& t = tables_->templates[std::size_t(int(r.structure))];
        const std::size_t N = t.num_neighbors;
        int other = centre_type;
        bool pure = true;
        std::uint32_t unlike = 0;
        for (std::size_t k = 1; k <= N; ++k) {
            const int s = types[r.correspondence[k]];
            if (s == centre_type) continue;
            pure = false;
            if (other != centre_type && s != other) return ptm_ordering::none;  // a third species
            other = s;
            unlike |= 1u << k;
        }
        if (pure) return ptm_ordering::pure;
        if (r.structure == ptm_structure::fcc) {
            const std::uint32_t c = tables_->canonical_pattern(t, unlike);
            if (c == tables_->fcc_alloy_codes[0]) return ptm_ordering::l10;
            if (c == tables_->fcc_alloy_codes[1]) return ptm_ordering::l12_a;
            if (c == tables_->fcc_alloy_codes[2]) return ptm_ordering::l12_b;
        } else if (r.structure == ptm_structure::bcc) {
            if (unlike == 0x1FEu) return ptm_ordering::b2;  // template points 1–8 (inner) unlike, 9–14 like
        } else if (r.structure == ptm_structure::dcub || r.structure == ptm_structure::dhex) {
            if (unlike == 0x1Eu) return ptm_ordering::zincblende_wurtzite;  // inner 1–4 unlike, outer like
        } else if (r.structure == ptm_structure::graphene) {
            if (unlike == 0xEu) return ptm_ordering::boron_nitride;  // inner 1–3 unlike, outer like
        }
        return ptm_ordering::none;
    }

    ptm_structure_set structures_;
    std::shared_ptr<const detail::ptm_tables> tables_;
};

/// The PTM descriptor for pipelines and `tessera compute --ptm`.
struct ptm {
    static constexpr neighbor_need need = neighbor_need::sorted_nearest;

    /// Structure reported as other above this RMSD (template units); 0: no cutoff.
    double rmsd_cutoff = 0.1;
    bool ordering = false;  ///< adds column ptm_order
    ptm_matcher matcher{};

    ptm() = default;
    explicit ptm(double cutoff, ptm_structure_set structures = ptm_default_structures, bool with_ordering = false)
        : rmsd_cutoff(cutoff), ordering(with_ordering), matcher(structures) {
        if (!(cutoff >= 0) || !std::isfinite(cutoff)) throw error("ptm: the RMSD cutoff must be >= 0 (0: none), got ", cutoff);
    }

    neighbor_request request() const { return neighbor_request::nearest_k(matcher.neighbors_needed()); }

    std::vector<std::string> columns(const particle_properties&) const {
        std::vector<std::string> c{"ptm", "ptm_rmsd", "ptm_qw", "ptm_qx", "ptm_qy", "ptm_qz", "ptm_scale"};
        if (ordering) c.push_back("ptm_order");
        return c;
    }

    void prepare(const neighbor_stage_info& stage, const particle_properties&) const {
        if (stage.k < matcher.neighbors_needed()) {
            std::ostringstream os;
            os << "ptm: needs the " << matcher.neighbors_needed()
               << " nearest neighbours (18 for the Voronoi ordering, 32 with a two-shell template) but the stage "
                  "provides k = "
               << stage.k << "; use tessera::nearest{" << matcher.neighbors_needed() << "}";
            throw error(os.str());
        }
    }

    template <class T>
    void compute(const particle_row<T>& row, output_row<T> out) const {
        thread_local voronoi_cell<double> cell;
        const std::size_t n = std::min(row.size(), matcher.neighbors_needed());
        std::array<vec3<double>, detail::ptm_two_shell_pool> b;
        std::array<int, detail::ptm_two_shell_pool> types;
        for (std::size_t k = 0; k < n; ++k) {
            b[k] = vec3<double>(row.vectors[k]);
            types[k] = row.neighbor_type(k);
        }
        const ptm_result r = matcher.match(b.data(), n, row.type(), types.data(), cell);
        const bool demoted = rmsd_cutoff > 0 && r.rmsd > rmsd_cutoff;
        out[0] = T(demoted ? 0 : int(r.structure));
        out[1] = T(r.rmsd);
        out[2] = T(r.orientation.w);
        out[3] = T(r.orientation.x);
        out[4] = T(r.orientation.y);
        out[5] = T(r.orientation.z);
        out[6] = T(r.interatomic_distance);
        if (ordering) out[7] = T(int(r.ordering));
    }
};

}  // namespace tessera
