// `tessera dxa INPUT -o LINES.csv [--per-atom OUT.dump] [--summary SUMMARY.csv] [--vtk LINES.vtk]
//              [--lattice fcc|bcc|hcp] [--frames A:B:S] [--threads N]`
//
// Dislocation extraction analysis (defects/dislocations.hpp) of every selected frame:
//   LINES.csv:   frame, line, family, b_lattice ("1/6[1 -2 1]"), bx, by, bz (spatial Burgers
//                vector, length units), length, points (polyline points)
//   SUMMARY.csv: frame, timestep, total_length, density, length_perfect, length_shockley,
//                length_stair_rod, length_hirth, length_frank, length_other, b_sum (|Σ b| over lines)
//   OUT.dump:    input columns + structure (a-CNA codes: 1 fcc, 2 hcp, 3 bcc, 5 other) and
//                dislocation_line (the line whose circuits swept a facet at the atom, −1 if none)
//   LINES.vtk:   legacy VTK polylines (ParaView), cell data: frame, line, family, b, length.
// For bcc and hcp input the family columns of SUMMARY.csv hold that lattice's families in order
// (docs/cli.md).
#include "common.hpp"
#include "output.hpp"
#include "subcommands.hpp"

#include <tessera/core/execution.hpp>
#include <tessera/core/frame.hpp>
#include <tessera/defects/dislocations.hpp>
#include <tessera/io/csv_writer.hpp>

#include <CLI/CLI.hpp>

#if defined(_OPENMP)
#include <omp.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <memory>
#include <numeric>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::cli {
namespace {

struct dxa_options {
    std::string input, output, per_atom, summary, vtk, frames, lattice = "fcc";
    int threads = 0;
    bool overwrite = false;
};

/// Short family names: the LINES.csv `family` column and the SUMMARY.csv length_* suffixes.
std::string family_key(lattice_structure lattice, int id) {
    if (lattice == lattice_structure::fcc) {
        static const char* const names[] = {"other", "perfect", "shockley", "stair_rod", "hirth", "frank"};
        return id >= 0 && id <= 5 ? names[id] : "other";
    }
    if (id == 0) return "other";
    if (lattice == lattice_structure::bcc) {
        static const char* const names[] = {"half_111", "100", "110"};
        return id >= 11 && id <= 13 ? names[id - 11] : "other";
    }
    static const char* const names[] = {"a", "c", "1-100", "third_1-100", "third_1-213"};
    return id >= 21 && id <= 25 ? names[id - 21] : "other";
}

int run_dxa(const dxa_options& o) {
    lattice_structure lattice = lattice_structure::fcc;
    if (o.lattice == "bcc") lattice = lattice_structure::bcc;
    else if (o.lattice == "hcp") lattice = lattice_structure::hcp;
    std::vector<std::string> used = {o.input};
    output_file lines_file(o.output, used);
    used.push_back(o.output);
    std::unique_ptr<output_file> atoms_file, summary_file, vtk_file;
    if (!o.per_atom.empty()) atoms_file = std::make_unique<output_file>(o.per_atom, used, "--per-atom"), used.push_back(o.per_atom);
    if (!o.summary.empty()) summary_file = std::make_unique<output_file>(o.summary, used, "--summary"), used.push_back(o.summary);
    if (!o.vtk.empty()) vtk_file = std::make_unique<output_file>(o.vtk, used, "--vtk");
    if (vtk_file && vtk_file->is_stdout()) throw usage_error("--vtk: write the VTK file to a named file, not stdout");
    run_report report("dxa");

    const auto families = burgers_families(lattice);
    const auto lines_writer = lines_file.csv({"frame", "line", "family", "b_lattice", "bx", "by", "bz", "length", "points"});
    std::vector<std::string> summary_header = {"frame", "timestep", "total_length", "density"};
    // fcc: the fixed order; other lattices: their families, then other.
    std::vector<int> summary_ids;
    if (lattice == lattice_structure::fcc) summary_ids = {1, 2, 3, 4, 5, 0};
    else {
        for (const auto& f : families)
            if (f.id != 0) summary_ids.push_back(f.id);
        summary_ids.push_back(0);
    }
    for (const int id : summary_ids) summary_header.push_back("length_" + family_key(lattice, id));
    summary_header.push_back("b_sum");
    std::unique_ptr<csv_writer> summary_writer;
    if (summary_file) summary_writer = summary_file->csv(summary_header);
    std::unique_ptr<frame_writer> atoms_writer;
    if (atoms_file) atoms_writer = std::make_unique<frame_writer>(*atoms_file);
    struct vtk_line {
        std::size_t frame, line;
        int family;
        vec3<double> b;
        double length;
        std::vector<vec3<double>> points;
    };
    std::vector<vtk_line> vtk_lines;
    bool warned = false;
    std::size_t total_lines = 0, total_junctions = 0, worst_frame = 0;
    double worst_residual = 0;
    std::int64_t worst_timestep = 0;

    // Frames are analysed `batch` at a time, one per thread, and written in order: the output
    // is the same for any --threads (each frame's analysis is serial and deterministic).
    struct pending {
        frame f;
        std::size_t index = 0;
        std::vector<std::size_t> row_of;  // analysis index → file row (empty: file order)
        dislocation_result r;
        std::exception_ptr failure;
    };
#if defined(_OPENMP)
    const std::size_t batch = std::size_t(o.threads > 0 ? o.threads : omp_get_max_threads());
#else
    const std::size_t batch = 1;
#endif
    std::vector<pending> waiting;
    auto analyse = [&](pending& p) {
        // The analysis sees the atoms in id order, so its lines do not depend on the order a
        // dump happens to list them in (LAMMPS writes memory order unless `dump_modify sort id`,
        // and its atom sorting changes that order during a run); per-atom results go back to
        // the file's rows.
        std::vector<std::array<double, 3>> positions = p.f.positions();
        if (p.f.has_column("id")) {
            const std::vector<std::int64_t> ids = p.f.ids();
            p.row_of.resize(ids.size());
            std::iota(p.row_of.begin(), p.row_of.end(), std::size_t(0));
            std::stable_sort(p.row_of.begin(), p.row_of.end(), [&](std::size_t a, std::size_t b) { return ids[a] < ids[b]; });
            std::vector<std::array<double, 3>> by_id(positions.size());
            for (std::size_t k = 0; k < p.row_of.size(); ++k) by_id[k] = positions[p.row_of[k]];
            positions.swap(by_id);
        }
        dislocation_options options;
        options.lattice = lattice;
        p.r = with_box(p.f.box, [&](const auto& box) { return extract_dislocations(positions, box, options); });
    };
    auto write = [&](pending& p) {
        frame& f = p.f;
        const std::size_t index = p.index;
        const dislocation_result& r = p.r;
        auto row = [&](std::size_t k) { return p.row_of.empty() ? k : p.row_of[k]; };
        total_lines += r.lines.size();
        total_junctions += r.junctions;
        if (r.worst_junction_residual > worst_residual)
            worst_residual = r.worst_junction_residual, worst_frame = index, worst_timestep = f.timestep;
        std::size_t crystalline = 0;
        for (const int st : r.structure) crystalline += st != 0;
        if (!warned && f.natoms > 0 && crystalline * 10 < f.natoms) {
            std::fprintf(stderr,
                         "tessera: warning: %s frame %zu: only %zu of %zu atoms are %s crystal; no dislocation can be "
                         "found outside crystal (is --lattice %s right?)\n",
                         o.input.c_str(), index, crystalline, f.natoms, o.lattice.c_str(), o.lattice.c_str());
            warned = true;
        }
        csv_writer& lw = *lines_writer;
        for (std::size_t k = 0; k < r.lines.size(); ++k) {
            const auto& l = r.lines[k];
            lw.add(std::int64_t(index)).add(std::int64_t(k)).add_text(family_key(lattice, l.family)).add_text(l.burgers_notation);
            lw.add(l.burgers_spatial.x).add(l.burgers_spatial.y).add(l.burgers_spatial.z).add(l.length);
            lw.add(std::int64_t(l.points.size())).end_row();
            if (vtk_file) vtk_lines.push_back({index, k, l.family, l.burgers_spatial, l.length, l.points});
        }
        if (summary_writer) {
            csv_writer& sw = *summary_writer;
            sw.add(std::int64_t(index)).add(f.timestep).add(r.total_length).add(r.density);
            for (const int id : summary_ids) {
                double sum = 0;
                for (std::size_t k = 0; k < families.size(); ++k)
                    if (families[k].id == id) sum += r.length_by_family[k];
                sw.add(sum);
            }
            sw.add(std::sqrt(norm2(r.burgers_sum))).end_row();
        }
        if (atoms_writer) {
            std::vector<double> structure(f.natoms), line(f.natoms);
            for (std::size_t k = 0; k < f.natoms; ++k) {
                const int s = r.structure[k];
                structure[row(k)] = s == 1 ? 1 : s == 2 ? 2 : s == 3 ? 3 : 5;  // a-CNA / LAMMPS cna/atom codes
                line[row(k)] = r.line_of_atom[k];
            }
            add_result_column(f, o.overwrite, "structure", std::move(structure), true);
            add_result_column(f, o.overwrite, "dislocation_line", std::move(line), true);
            atoms_writer->write(f);
        }
    };
    auto flush = [&] {
        detail::for_each_chunk(openmp_policy{int(batch)}, waiting.size(), 1, [&](std::size_t k, std::size_t, std::size_t) {
            try {
                analyse(waiting[k]);
            } catch (...) {  // nothing may leave a parallel region: rethrown in frame order below
                waiting[k].failure = std::current_exception();
            }
        });
        for (pending& p : waiting) {
            if (p.failure) {
                try {
                    std::rethrow_exception(p.failure);
                } catch (const usage_error&) {
                    throw;
                } catch (const error& e) {  // named by its own frame, not the one being read
                    if (std::string_view(e.what()).find(o.input) != std::string_view::npos) throw;
                    throw frame_error(o.input, p.index, p.f, e.what());
                }
            }
            write(p);
        }
        waiting.clear();
    };
    for_each_selected_frame(o.input, o.frames, "tessera dxa", [&](frame& f, std::size_t index) {
        waiting.push_back({f, index, {}, {}, nullptr});
        if (waiting.size() >= batch) flush();
    }, &report.tally);
    flush();
    lines_writer->close();
    if (summary_writer) summary_writer->close();
    if (atoms_writer) atoms_writer->close();
    if (vtk_file) {
        std::ofstream v(vtk_file->temporary());
        if (!v) throw error(vtk_file->target(), ": cannot be written");
        std::size_t npoints = 0;
        for (const auto& l : vtk_lines) npoints += l.points.size();
        char buf[128];
        v << "# vtk DataFile Version 3.0\ntessera dxa dislocation lines of " << o.input << "\nASCII\nDATASET POLYDATA\n";
        v << "POINTS " << npoints << " double\n";
        for (const auto& l : vtk_lines)
            for (const auto& p : l.points) {
                std::snprintf(buf, sizeof buf, "%.10g %.10g %.10g\n", p.x, p.y, p.z);
                v << buf;
            }
        v << "LINES " << vtk_lines.size() << " " << (npoints + vtk_lines.size()) << "\n";
        std::size_t next = 0;
        for (const auto& l : vtk_lines) {
            v << l.points.size();
            for (std::size_t k = 0; k < l.points.size(); ++k) v << " " << next++;
            v << "\n";
        }
        v << "CELL_DATA " << vtk_lines.size() << "\n";
        v << "SCALARS frame int 1\nLOOKUP_TABLE default\n";
        for (const auto& l : vtk_lines) v << l.frame << "\n";
        v << "SCALARS line int 1\nLOOKUP_TABLE default\n";
        for (const auto& l : vtk_lines) v << l.line << "\n";
        v << "SCALARS family int 1\nLOOKUP_TABLE default\n";
        for (const auto& l : vtk_lines) v << l.family << "\n";
        v << "SCALARS length double 1\nLOOKUP_TABLE default\n";
        for (const auto& l : vtk_lines) {
            std::snprintf(buf, sizeof buf, "%.10g\n", l.length);
            v << buf;
        }
        v << "VECTORS burgers_vector double\n";
        for (const auto& l : vtk_lines) {
            std::snprintf(buf, sizeof buf, "%.10g %.10g %.10g\n", l.b.x, l.b.y, l.b.z);
            v << buf;
        }
        v.close();
        if (!v) throw error(vtk_file->target(), ": write failed");
    }
    lines_file.commit();
    if (summary_file) summary_file->commit();
    if (atoms_file) atoms_file->commit();
    if (vtk_file) vtk_file->commit();
    // Burgers vector conservation at junctions, checked on every frame (docs/defects.md).
    if (worst_residual > 1e-6)
        std::fprintf(stderr,
                     "tessera: warning: dxa: %s frame %zu (timestep %lld): the Burgers vectors at a junction sum to "
                     "%.3g lattice units, not 0 (the largest residual of the run; LINES.csv lists the lines)\n",
                     o.input.c_str(), worst_frame, static_cast<long long>(worst_timestep), worst_residual);
    else if (show_progress)
        std::fprintf(stderr, "tessera dxa: %zu lines, %zu junctions, Burgers vectors conserved at every junction (%.1e)\n",
                     total_lines, total_junctions, worst_residual);
    report.done({&lines_file});
    return 0;
}

}  // namespace

void register_dxa(CLI::App& app, std::function<int()>& action) {
    auto o = std::make_shared<dxa_options>();
    CLI::App* sub = app.add_subcommand(
        "dxa", "Dislocation extraction analysis: lines, Burgers vectors, families, lengths, density (CSV, dump, VTK)");
    sub->add_option("input", o->input, "LAMMPS dump or extended XYZ of a crystal (fcc, bcc or hcp)")->required();
    sub->add_option("-o,--output", o->output,
                    "lines CSV: frame, line, family, b_lattice, bx, by, bz, length, points")
        ->required();
    sub->add_option("--per-atom", o->per_atom, "per-atom output: input columns + structure, dislocation_line");
    sub->add_option("--summary", o->summary,
                    "per-frame CSV: frame, timestep, total_length, density, length per family, b_sum");
    sub->add_option("--vtk", o->vtk, "the lines as legacy VTK polylines (ParaView)");
    sub->add_option("--lattice", o->lattice, "the input crystal (default fcc)")
        ->check(CLI::IsMember({"fcc", "bcc", "hcp"}));
    add_frames_option(sub, o->frames);
    add_threads_option(sub, o->threads);
    add_overwrite_option(sub, o->overwrite);
    add_examples(sub, {"tessera dxa tension.dump -o lines.csv --summary dxa_summary.csv",
                       "tessera dxa tension.dump -o lines.csv --per-atom dxa.dump --vtk lines.vtk --frames 10:20"});
    sub->callback([o, &action] { action = [o] { return run_dxa(*o); }; });
}

}  // namespace tessera::cli
