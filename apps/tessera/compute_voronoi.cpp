// `--voronoi [--radii TYPE:R,...]`: columns voronoi_volume, voronoi_faces, voronoi_area,
// voronoi_n3 … voronoi_n6, voronoi_d5 (descriptors/voronoi_cell.hpp).
// `--interstice`: the 60 interstice feature columns int_* (descriptors/interstice.hpp).
// Both come from one streamed tessellation (descriptors/voronoi_columns.hpp: cells are not
// stored); --radii makes it radical (Laguerre) and sets the particle sizes the interstice
// features subtract.
#include "compute_descriptors.hpp"

#include <tessera/descriptors/interstice.hpp>
#include <tessera/descriptors/voronoi_cell.hpp>
#include <tessera/descriptors/voronoi_columns.hpp>
#include <tessera/neighbors/voronoi.hpp>

#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <variant>

namespace tessera::cli {
namespace {

struct voronoi_flags {
    bool voronoi = false, interstice = false;
    std::string radii;  // TYPE:R,TYPE:R,...
    double face_threshold = 0, relative_face_threshold = 0, edge_threshold = 0;
};

std::map<int, double> parse_radii(const std::string& s) {
    std::map<int, double> r;
    std::stringstream in(s);
    std::string item;
    while (std::getline(in, item, ',')) {
        const auto colon = item.find(':');
        try {
            if (colon == std::string::npos) throw std::invalid_argument(item);
            std::size_t used = 0;
            const int type = std::stoi(item.substr(0, colon));
            const double radius = std::stod(item.substr(colon + 1), &used);
            if (type < 1 || !(radius >= 0) || used != item.size() - colon - 1) throw std::invalid_argument(item);
            r[type] = radius;
        } catch (const std::exception&) {
            throw error("'" + item + "' is not TYPE:RADIUS (type >= 1, radius >= 0)");
        }
    }
    return r;
}

}  // namespace

descriptor_cli voronoi_cli(CLI::App* compute) {
    auto o = std::make_shared<voronoi_flags>();
    compute->add_flag("--voronoi", o->voronoi,
                      "Voronoi cells: voronoi_volume, voronoi_faces, voronoi_area, voronoi_n3..voronoi_n6, voronoi_d5");
    compute->add_option("--radii", o->radii,
                        "per-type radii TYPE:R,... for a radical (Laguerre) tessellation and the interstice sizes")
        ->check(CLI::Validator(
            [](std::string& s) {
                try {
                    parse_radii(s);
                    return std::string();
                } catch (const std::exception& e) {
                    return std::string(e.what());
                }
            },
            "TYPE:R,..."));
    compute->add_option("--voronoi-face-threshold", o->face_threshold, "faces smaller than this area are not counted")
        ->check(non_negative_number());
    compute->add_option("--voronoi-relative-face-threshold", o->relative_face_threshold,
                        "faces smaller than this fraction of the cell's surface are not counted")
        ->check(non_negative_number());
    compute->add_option("--voronoi-edge-threshold", o->edge_threshold,
                        "edges shorter than this are not counted in a face's edge count")
        ->check(non_negative_number());
    compute->add_flag("--interstice", o->interstice, "60 interstice features int_* from the Voronoi dual (docs/cli.md)");
    return {[]() -> std::optional<frame_planner> { return std::nullopt; }, [o]() -> std::optional<column_producer> {
        if (!o->voronoi && !o->interstice) return std::nullopt;
        const auto type_radii = o->radii.empty() ? std::map<int, double>{} : parse_radii(o->radii);
        return column_producer{[o, type_radii](const frame_context& c, frame& f) {
            std::vector<double> radii;
            voronoi_options opt;
            if (!type_radii.empty()) {
                if (c.properties.types.empty()) throw usage_error("--radii needs a type column in the input");
                radii.reserve(c.positions.n);
                for (std::size_t i = 0; i < c.positions.n; ++i) {
                    const auto it = type_radii.find(c.properties.types[i]);
                    if (it == type_radii.end())
                        throw error("--radii: no radius for type " + std::to_string(c.properties.types[i]));
                    radii.push_back(it->second);
                }
                opt.radii = radii;
            }
            // Streamed: each cell is reduced to its columns and dropped (no stored tessellation).
            const std::size_t n = c.positions.n;
            auto allocate = [n](std::size_t count, std::vector<std::vector<double>>& cols, std::vector<double*>& ptrs) {
                cols.assign(count, std::vector<double>(n));
                for (auto& v : cols) ptrs.push_back(v.data());
            };
            std::vector<std::vector<double>> cell_cols, interstice_cols;
            std::vector<double*> cell_ptrs, interstice_ptrs;
            if (o->voronoi) allocate(voronoi_cell_descriptors::columns().size(), cell_cols, cell_ptrs);
            if (o->interstice) allocate(interstice::num_features, interstice_cols, interstice_ptrs);
            const voronoi_column_outputs<double> out{
                cell_ptrs, {o->face_threshold, o->relative_face_threshold, o->edge_threshold}, interstice_ptrs};
            std::visit([&](const auto& b) { compute_voronoi_columns(c.positions, b, opt, out, c.policy); }, c.box);
            const auto cell_names = voronoi_cell_descriptors::columns();
            for (std::size_t k = 0; k < cell_cols.size(); ++k)  // integral: faces and n3..n6
                f.add_column(cell_names[k], std::move(cell_cols[k]), k == 1 || (k >= 3 && k <= 6));
            const auto interstice_names = interstice::columns();
            for (std::size_t k = 0; k < interstice_cols.size(); ++k)
                f.add_column(interstice_names[k], std::move(interstice_cols[k]), false);
        }, o->interstice ? (o->voronoi ? "--voronoi/--interstice" : "--interstice") : "--voronoi"};
    }};
}

}  // namespace tessera::cli
