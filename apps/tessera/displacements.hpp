#pragma once
// Shared driver of `tessera msd` and `tessera isf`: unwrapped displacements against the first
// frame, or averaged over time origins with a ring buffer (dynamics/msd.hpp); --select restricts
// them to the atoms an expression picks in the first selected frame (followed by id).
#include "common.hpp"
#include "output.hpp"

#include <CLI/CLI.hpp>

#include <tessera/core/selection.hpp>
#include <tessera/io/csv_writer.hpp>
#include <tessera/dynamics/msd.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace tessera::cli {

struct displacement_cli_options {
    std::string input, output, frames, select;
    bool origins = false;
    std::size_t max_lag = 0;  // frames; 0 = all
    std::size_t origin_stride = 1;
    int threads = 0;
    // isf only
    double q = 0, dq = 0.1;
    std::size_t max_q = 0;
};

enum class displacement_output { msd, isf };

inline int run_displacements(const displacement_cli_options& o, displacement_output kind) {
    const char* name = kind == displacement_output::msd ? "tessera msd" : "tessera isf";
    output_file file(o.output, {o.input});
    run_report report(name + 8);
    const frame_selection parsed = frame_selection::parse(o.frames);
    std::size_t max_lag = o.max_lag;
    if (o.origins && max_lag == 0) {  // a first pass counts the selected frames
        const auto selection = parsed.resolve(parsed.needs_count() ? std::optional(count_frames(o.input)) : std::nullopt);
        trajectory_reader counter(o.input);
        std::size_t selected = 0;
        for (std::size_t index = 0;; ++index) {
            if (selection.finished(index) || !counter.skip()) break;
            if (selection.selects(index)) ++selected;
        }
        max_lag = selected > 1 ? selected - 1 : 1;
    }
    const openmp_policy policy{o.threads};
    std::optional<unwrapped_trajectory<double>> traj;
    std::optional<displacement_correlator<double>> corr;
    std::vector<vec3<double>> first, q;
    std::vector<int> types;
    int num_types = 0;
    std::vector<std::int64_t> steps;
    struct row {
        std::int64_t step;
        std::vector<displacement_moments> m;
    };
    std::vector<row> rows;
    // --select: the atoms the expression picks in the first selected frame, followed by id.
    const selection selected = parse_selection(o.select);
    std::vector<std::int64_t> chosen;  // sorted ids
    std::vector<unsigned char> mask;
    for_each_selected_frame(o.input, o.frames, name, [&](frame& f, std::size_t index) {
        const std::string what = o.input + " frame " + std::to_string(index) + " (timestep " + std::to_string(f.timestep) + ")";
        if (!selected.selects_all()) {
            const auto fid = f.ids();
            if (!traj) {
                try {
                    selected.evaluate(f, mask);
                } catch (const error& e) {
                    throw usage_error("--select: ", e.what());
                }
                for (std::size_t i = 0; i < fid.size(); ++i)
                    if (mask[i]) chosen.push_back(fid[i]);
                if (chosen.empty()) throw error(what + ": --select '" + o.select + "' selects no atom");
                std::sort(chosen.begin(), chosen.end());
            } else {
                mask.assign(fid.size(), 0);
                std::size_t kept = 0;
                for (std::size_t i = 0; i < fid.size(); ++i)
                    kept += (mask[i] = std::binary_search(chosen.begin(), chosen.end(), fid[i]) ? 1 : 0);
                if (kept != chosen.size())
                    throw error(what + ": " + std::to_string(chosen.size() - kept) + " of the " +
                                std::to_string(chosen.size()) + " atoms --select chose in the first frame are missing");
            }
            keep_atoms(f, mask);
        }
        if (!traj) {
            const auto fam = f.coordinate_family();
            const bool unwrapped_input = fam == "xu" || fam == "xsu" || f.has_image_flags();
            traj.emplace(unwrapped_input);
            if (f.has_column("type")) {
                const auto t = f.types();
                num_types = std::max(0, *std::max_element(t.begin(), t.end()));
                types = t;
            }
            if (kind == displacement_output::isf) {
                q = commensurate_q_vectors(f.box_cell(), o.q, o.dq, o.max_q);
                std::fprintf(stderr, "%s: %zu q-vectors with |q| in [%g, %g]\n", name, q.size(), o.q - o.dq / 2,
                             o.q + o.dq / 2);
            }
            if (o.origins) {
                std::vector<std::size_t> lags(max_lag + 1);
                for (std::size_t l = 0; l <= max_lag; ++l) lags[l] = l;
                corr.emplace(lags, num_types, q, o.origin_stride);
            }
        }
        const auto x = f.positions(unwrap::if_available);
        const auto ids = f.ids();
        const auto& r = std::visit([&](const auto& b) -> const std::vector<vec3<double>>& { return traj->add(x, b, ids, what); },
                                   f.box);
        if (traj->frames() == 1) first = r;
        steps.push_back(f.timestep);
        if (o.origins) {
            if (steps.size() > 2 && steps.back() - steps[steps.size() - 2] != steps[1] - steps[0])
                throw error(what + ": --origins needs evenly spaced frames (timestep spacing " +
                            std::to_string(steps.back() - steps[steps.size() - 2]) + " after " +
                            std::to_string(steps[1] - steps[0]) + ")");
            corr->add(r, types, policy);
        } else {
            rows.push_back({f.timestep, displacement_statistics<double>(first, r, types, num_types, q, policy)});
        }
    }, &report.tally);
    if (o.origins) {
        const std::int64_t dt = steps.size() > 1 ? steps[1] - steps[0] : 0;
        for (std::size_t l = 0; l < corr->lags().size(); ++l) {
            if (corr->moments(l).count == 0) continue;
            row rr{std::int64_t(corr->lags()[l]) * dt, {}};
            for (int g = 0; g <= num_types; ++g) rr.m.push_back(corr->moments(l, std::size_t(g)));
            rows.push_back(std::move(rr));
        }
    }
    std::vector<std::string> header{"timestep"};
    if (kind == displacement_output::msd) {
        header.insert(header.end(), {"msd", "alpha2"});
        for (int g = 1; g <= num_types; ++g) header.push_back("msd_" + std::to_string(g));
    } else {
        header.push_back("fs");
    }
    const auto writer = file.csv(header);
    csv_writer& out = *writer;
    std::vector<double> t, fs;
    for (const auto& rr : rows) {
        out.add(rr.step);
        if (kind == displacement_output::msd) {
            out.add(rr.m[0].msd()).add(rr.m[0].alpha2());
            for (int g = 1; g <= num_types; ++g) out.add(rr.m[std::size_t(g)].msd());
        } else {
            out.add(rr.m[0].fs());
            t.push_back(double(rr.step - (o.origins ? 0 : rows[0].step)));
            fs.push_back(rr.m[0].fs());
        }
        out.end_row();
    }
    out.close();
    file.commit();
    if (kind == displacement_output::isf) {
        const auto tau = tau_alpha(t, fs);
        if (tau) std::fprintf(stderr, "%s: tau_alpha = %.10g timesteps (F_s = 1/e)\n", name, *tau);
        else std::fprintf(stderr, "%s: F_s stays above 1/e: tau_alpha is beyond the trajectory\n", name);
    }
    report.done({&file});
    return 0;
}

inline void add_displacement_options(CLI::App* sub, displacement_cli_options& o) {
    sub->add_option("input", o.input, "LAMMPS text dump (.gz ok) or extended XYZ, with atom ids")->required();
    sub->add_flag("--origins", o.origins, "average over time origins; rows are then lags (timestep = lag in timesteps)");
    auto* origins = sub->get_option("--origins");
    sub->add_option("--max-lag", o.max_lag,
                    "largest lag in frames under --origins (memory: that many frames); 0, the default: all")
        ->check(non_negative_number())
        ->needs(origins);
    sub->add_option("--origin-stride", o.origin_stride, "a time origin every S frames under --origins (default 1)")
        ->check(positive_number())
        ->needs(origins);
    add_select_option(sub, o.select,
                      "only these atoms (the expression is evaluated on the first selected frame; the atoms are "
                      "then followed by id)");
    add_frames_option(sub, o.frames);
    add_threads_option(sub, o.threads);
}

}  // namespace tessera::cli
