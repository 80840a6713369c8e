// What the physics subcommands (energy, minimize, aqs, frozen-atoms) share: the potential in
// LAMMPS syntax (--pair-style, --pair-coeff, --pair-modify), the units it implies, the minimiser
// settings, and the conversion of a frame into the arrays the physics layer moves.
#pragma once

#include "common.hpp"

#include <tessera/core/frame.hpp>
#include <tessera/physics/deform.hpp>
#include <tessera/physics/eam.hpp>
#include <tessera/physics/lj_cut.hpp>
#include <tessera/physics/minimize.hpp>
#include <tessera/physics/native_engine.hpp>
#include <tessera/physics/stress.hpp>

#include <CLI/CLI.hpp>

#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace tessera::cli {

/// The potentials the command offers; subcommands visit it to run on the concrete type.
using any_potential = std::variant<eam_potential, lj_cut>;

struct potential_options {
    std::string pair_style;
    std::vector<std::string> pair_coeff;
    std::string pair_modify;  // "shift yes|no"
    std::string units;        // metal | lj; default: metal for eam, lj for lj/cut
    double skin = -1;         // default: LAMMPS's for the units (2.0 metal, 0.3 lj)
};

inline void add_potential_options(CLI::App* sub, potential_options& o) {
    sub->add_option("--pair-style", o.pair_style,
                    "LAMMPS pair_style: eam, eam/alloy, eam/fs, or 'lj/cut RC'")
        ->required();
    sub->add_option("--pair-coeff", o.pair_coeff,
                    "LAMMPS pair_coeff, repeatable: '* * FILE El1 El2 ...' (eam/alloy, eam/fs; one element per "
                    "type), 'I J FILE' (eam funcfl; i != j mixed as LAMMPS does), 'I J EPS SIGMA [RC]' (lj/cut). "
                    "A FILE not found is looked up in /usr/share/lammps/potentials")
        ->required();
    sub->add_option("--pair-modify", o.pair_modify, "LAMMPS pair_modify: 'shift yes' shifts lj/cut energies to 0 at the cutoff (default: no)");
    sub->add_option("--units", o.units, "LAMMPS units of the input and the potential: metal (eV, A, bar) or lj "
                                        "(default: metal for eam styles, lj for lj/cut)")
        ->check(CLI::IsMember({"metal", "lj"}));
    sub->add_option("--skin", o.skin, "neighbour-list skin (default: LAMMPS's, 2.0 in metal units, 0.3 in lj); "
                                      "results do not depend on it")
        ->check(non_negative_number());
}

inline bool is_eam_style(const std::string& style) {
    return style == "eam" || style == "eam/alloy" || style == "eam/fs";
}

inline any_potential make_potential(const potential_options& o) {
    if (is_eam_style(o.pair_style)) {
        if (!o.pair_modify.empty()) throw usage_error("--pair-modify applies to lj/cut only");
        return eam_potential::from_lammps(o.pair_style, std::span<const std::string>(o.pair_coeff));
    }
    if (o.pair_style.rfind("lj/cut", 0) == 0) {
        bool shift = false;
        if (!o.pair_modify.empty()) {
            std::istringstream in(o.pair_modify);
            std::string key, value, extra;
            in >> key >> value;
            if (key != "shift" || (value != "yes" && value != "no") || (in >> extra))
                throw usage_error("--pair-modify '", o.pair_modify, "': expected 'shift yes' or 'shift no'");
            shift = value == "yes";
        }
        return lj_cut::from_lammps(o.pair_style, std::span<const std::string>(o.pair_coeff), shift);
    }
    throw usage_error("--pair-style '", o.pair_style, "': expected eam, eam/alloy, eam/fs or 'lj/cut RC'");
}

/// metal or lj, from --units or the style.
inline std::string units_of(const potential_options& o) {
    if (!o.units.empty()) return o.units;
    return is_eam_style(o.pair_style) ? "metal" : "lj";
}
inline stress_units stress_units_of(const potential_options& o) {
    return units_of(o) == "metal" ? metal_stress_units : lj_stress_units;
}
inline double skin_of(const potential_options& o) {
    if (o.skin >= 0) return o.skin;
    return units_of(o) == "metal" ? 2.0 : 0.3;
}

/// Minimiser settings as LAMMPS's `min_style` and `minimize etol ftol maxiter maxeval`.
struct minimizer_options {
    std::string style = "cg";
    double etol = 0.0, ftol = 1e-10;
    std::size_t max_iter = 100000, max_eval = 1000000;
    double dmax = 0.1;
    std::string fallback = "none";  ///< "fire": FIRE after a sd/cg line-search failure above ftol
};

/// `default_fallback`: "none" where a run has to be LAMMPS's (energy, minimize, aqs), "fire" where
/// a relaxation stuck above ftol would be misread (frozen-atoms: "the event did not happen").
inline void add_minimizer_options(CLI::App* sub, minimizer_options& o, const char* default_style = "cg",
                                  const char* default_fallback = "none") {
    o.style = default_style;
    o.fallback = default_fallback;
    sub->add_option("--fallback", o.fallback,
                    std::string("after a sd/cg line-search failure ('linesearch alpha is zero') with the force still above "
                                "--ftol: 'fire' goes on with FIRE, 'none' stops there as LAMMPS does (default ") +
                        default_fallback + ")")
        ->check(CLI::IsMember({"none", "fire"}));
    sub->add_option("--min-style", o.style, std::string("LAMMPS min_style: sd, cg or fire (default ") + default_style + ")")
        ->check(CLI::IsMember({"sd", "cg", "fire"}));
    sub->add_option("--etol", o.etol, "stop when the relative energy change of an iteration is below this (default 0)")
        ->check(non_negative_number());
    sub->add_option("--ftol", o.ftol, "stop when the 2-norm of the force vector is below this (default 1e-10; eV/A in metal units)")
        ->check(non_negative_number());
    sub->add_option("--max-iter", o.max_iter, "iteration limit per minimisation (default 100000)")->check(positive_number());
    sub->add_option("--max-eval", o.max_eval, "force-evaluation limit per minimisation (default 1000000)")
        ->check(positive_number());
    sub->add_option("--dmax", o.dmax, "largest move of any atom in one line-search step (LAMMPS min_modify dmax; default 0.1)")
        ->check(positive_number());
}

/// The library's minimiser settings from the command's: LAMMPS's unit-dependent defaults
/// (thermo_modify norm yes and timestep 0.005 in lj units; norm no and timestep 0.001 ps in metal,
/// where FIRE's force-to-velocity factor is 1/mvv2e) and the masses FIRE integrates with (the EAM
/// file's element masses, as LAMMPS's pair_coeff sets them; 1 for lj/cut).
inline minimize_options native_minimize_options(const minimizer_options& m, const potential_options& p,
                                                std::span<const double> masses) {
    minimize_options o;
    o.style = m.style == "sd" ? min_style::sd : (m.style == "fire" ? min_style::fire : min_style::cg);
    o.etol = m.etol;
    o.ftol = m.ftol;
    o.max_iterations = m.max_iter;
    o.max_evaluations = m.max_eval;
    o.dmax = m.dmax;
    o.fire_fallback = m.fallback == "fire";
    o.skin = skin_of(p);
    const bool metal = units_of(p) == "metal";
    o.normalize_energy = !metal;
    o.fire.timestep = metal ? 0.001 : 0.005;
    o.fire.ftm2v = metal ? 1.0 / metal_stress_units.mvv2e : 1.0;
    o.fire.masses = masses;
    return o;
}

/// Per-type masses of a potential (EAM: from its file; lj/cut: none, i.e. 1).
inline std::vector<double> masses_of(const any_potential& pot) {
    if (const auto* eam = std::get_if<eam_potential>(&pot)) return eam->tables().masses;
    return {};
}

/// "xy", "+xy" or "-xy" → plane and sign.
inline std::pair<shear_plane, double> parse_signed_shear(const std::string& s) {
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) return {parse_shear_plane(s.substr(1)), s[0] == '-' ? -1.0 : 1.0};
    return {parse_shear_plane(s), 1.0};
}

/// Frame `index` of `input` (the single-frame commands aqs and frozen-atoms start from one).
inline frame read_one_frame(const std::string& input, std::size_t index) {
    frame chosen;
    bool found = false;
    for_each_selected_frame(input, std::to_string(index) + ":" + std::to_string(index + 1), nullptr,
                            [&](frame& f, std::size_t) {
                                chosen = std::move(f);
                                found = true;
                                return false;
                            });
    if (!found) throw error(input, ": no frame ", index);
    return chosen;
}

/// Row indices of the atoms with the given ids (`--atoms`; ids 1..n when the input has no id
/// column), in the order given; an id the frame does not have is a usage error.
inline std::vector<std::size_t> atom_indices_of(const frame& f, const std::vector<std::int64_t>& wanted, const std::string& what) {
    std::vector<std::size_t> out;
    if (wanted.empty()) return out;
    const std::size_t n = f.natoms;
    const auto ids = f.has_column("id") ? f.ids() : std::vector<std::int64_t>();
    std::unordered_map<std::int64_t, std::size_t> index;
    for (std::size_t i = 0; i < ids.size(); ++i) index.emplace(ids[i], i);
    for (std::int64_t id : wanted) {
        if (ids.empty()) {
            if (id < 1 || std::size_t(id) > n) throw usage_error("--atoms: no atom ", id, " (the input has no id column: atoms are 1..", n, ")");
            out.push_back(std::size_t(id - 1));
            continue;
        }
        const auto it = index.find(id);
        if (it == index.end()) throw usage_error("--atoms: ", what, " has no atom with id ", id);
        out.push_back(it->second);
    }
    return out;
}

/// A frame as the physics layer moves it: unwrapped positions when image flags are present
/// (so displacements are true ones), types, and the cell as a triclinic box.
struct physics_system {
    std::vector<vec3<double>> x;
    std::vector<int> types;
    triclinic_box<double> box;
};

inline physics_system system_of(const frame& f, const std::string& what) {
    const auto p = f.positions(unwrap::if_available);
    std::vector<vec3<double>> x;
    x.reserve(p.size());
    for (const auto& r : p) x.push_back({r[0], r[1], r[2]});
    if (std::holds_alternative<open_box<double>>(f.box)) {
        // No cell (e.g. XYZ without a Lattice): a free cluster, as LAMMPS's `boundary s s s`. The
        // non-periodic box only bounds the atoms (its size does not enter any result).
        vec3<double> lo{0, 0, 0}, hi{1, 1, 1};
        if (!x.empty()) {
            lo = hi = x[0];
            for (const auto& r : x)
                for (std::size_t d = 0; d < 3; ++d) lo[d] = std::min(lo[d], r[d]), hi[d] = std::max(hi[d], r[d]);
        }
        for (std::size_t d = 0; d < 3; ++d) lo[d] -= 1.0, hi[d] += 1.0;
        return {std::move(x), f.types(), triclinic_box<double>(lo, hi, 0, 0, 0, not_periodic)};
    }
    return {std::move(x), f.types(), as_triclinic(f.box, what)};
}

/// The columns pe fx fy fz of an evaluation (replacing input columns of those names: computed for
/// other positions, they would be stale).
inline void add_energy_force_columns(frame& f, std::span<const double> energy, std::span<const vec3<double>> force) {
    add_result_column(f, true, "pe", std::vector<double>(energy.begin(), energy.end()));
    static constexpr const char* names[3] = {"fx", "fy", "fz"};
    for (std::size_t d = 0; d < 3; ++d) {
        std::vector<double> col(force.size());
        for (std::size_t i = 0; i < force.size(); ++i) col[i] = force[i][d];
        add_result_column(f, true, names[d], std::move(col));
    }
}

/// The columns sxx syy szz sxy sxz syz: LAMMPS's stress/atom (−W·nktv2p) of per-atom virials.
inline void add_stress_columns(frame& f, std::span<const std::array<double, 6>> virial, stress_units units,
                               std::vector<std::array<double, 6>>* stress_out = nullptr) {
    std::vector<std::array<double, 6>> stress(virial.size());
    stress_from_virial(virial, units, stress);
    static constexpr const char* names[6] = {"sxx", "syy", "szz", "sxy", "sxz", "syz"};
    for (std::size_t c = 0; c < 6; ++c) {
        std::vector<double> col(stress.size());
        for (std::size_t i = 0; i < stress.size(); ++i) col[i] = stress[i][c];
        add_result_column(f, true, names[c], std::move(col));
    }
    if (stress_out) *stress_out = std::move(stress);
}

/// Writes positions x (in `box`) back into the frame's coordinate columns in the frame's own
/// convention: `xu yu zu` unwrapped, `x y z` wrapped into the cell along periodic axes with the
/// image flags `ix iy iz` updated when the frame has them (as LAMMPS dumps them), `xs ys zs`
/// wrapped fractional, `xsu ysu zsu` unwrapped fractional. The frame's box becomes `box`
/// (kept orthogonal when the input was and the box has no tilt).
inline void store_positions(frame& f, std::span<const vec3<double>> x, const triclinic_box<double>& box) {
    const std::string fam(f.coordinate_family());
    const bool scaled = fam == "xs" || fam == "xsu";
    const bool unwrapped = fam == "xu" || fam == "xsu";
    const bool flags = !unwrapped && f.has_image_flags();
    const std::string ny = fam == "x" ? "y" : "y" + fam.substr(1), nz = fam == "x" ? "z" : "z" + fam.substr(1);
    std::array<std::span<double>, 3> r{f.column(fam), f.column(ny), f.column(nz)};
    std::array<std::span<double>, 3> n{};
    if (flags) n = {f.column("ix"), f.column("iy"), f.column("iz")};
    for (std::size_t i = 0; i < x.size(); ++i) {
        vec3<double> s = box.to_fractional(x[i]);
        vec3<double> image{0, 0, 0};
        if (!unwrapped)
            for (std::size_t d = 0; d < 3; ++d)
                if (box.periodic(d)) image[d] = std::floor(s[d]), s[d] -= image[d];
        // Atoms already inside the cell are written bit for bit (no round trip through s).
        const bool wrapped = image[0] != 0 || image[1] != 0 || image[2] != 0;
        const vec3<double> p = scaled ? s : (unwrapped || !wrapped ? x[i] : box.from_fractional(s));
        for (std::size_t d = 0; d < 3; ++d) {
            r[d][i] = p[d];
            if (flags) n[d][i] = image[d];
        }
    }
    if (std::holds_alternative<open_box<double>>(f.box)) return;  // a free cluster keeps no cell
    const bool was_orthogonal = std::holds_alternative<orthogonal_box<double>>(f.box);
    if (was_orthogonal && box.xy() == 0 && box.xz() == 0 && box.yz() == 0)
        f.box = orthogonal_box<double>(box.lo(), box.hi(), box.periodic_axes());
    else
        f.box = box;
}

}  // namespace tessera::cli
