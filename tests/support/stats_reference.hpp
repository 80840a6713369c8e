#pragma once
// Readers for the SciPy/NumPy reference files in tests/reference/stats/ (written by
// tests/reference/stats/make_stats_reference.py: `key v1 v2 ...` lines, floats as repr() of
// doubles — strtod reads them back exactly, including nan and inf) and for the real per-atom
// data those files were made from.

#include "reference_frames.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace tessera_test {

class stats_reference {
public:
    explicit stats_reference(const std::string& file) {
        const std::string path = std::string(TESSERA_TEST_DATA_DIR) + "/stats/" + file;
        std::ifstream in(path);
        if (!in) throw std::runtime_error("cannot open " + path);
        std::string line, key, v;
        while (std::getline(in, line)) {
            std::istringstream ls(line);
            if (!(ls >> key)) continue;
            auto& vec = values_[key];
            while (ls >> v) vec.push_back(std::strtod(v.c_str(), nullptr));
        }
    }
    [[nodiscard]] const std::vector<double>& operator[](const std::string& key) const {
        const auto it = values_.find(key);
        if (it == values_.end()) throw std::runtime_error("no reference key " + key);
        return it->second;
    }
    [[nodiscard]] bool has(const std::string& key) const { return values_.count(key) != 0; }

private:
    std::map<std::string, std::vector<double>> values_;
};

/// A column of frame 0 of tests/reference/cuzr_glass_ref.dump (2000 atoms of a CuZr glass,
/// LAMMPS coord/atom and orientorder/atom columns; see tests/reference/README.md).
inline std::vector<double> glass_column(const std::string& name) {
    static const std::vector<tessera::frame> frames = read_reference_frames("cuzr_glass_ref.dump");
    const auto c = frames.at(0).column(name);
    return {c.begin(), c.end()};
}

/// Column `col` (0 id, 1 n, 2 d2min, ...) of the block `# ref R cur C` of
/// tests/reference/d2min/d2min_ref.txt (NumPy D²min of a CuZr AQS run, 686 atoms).
inline std::vector<double> d2min_column(int ref, int cur, int col) {
    const std::string path = std::string(TESSERA_TEST_DATA_DIR) + "/d2min/d2min_ref.txt";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::string line;
    const std::string header = "# ref " + std::to_string(ref) + " cur " + std::to_string(cur) + " ";
    bool inside = false;
    std::vector<double> out;
    while (std::getline(in, line)) {
        if (line.rfind("#", 0) == 0) {
            if (inside) break;
            inside = line.rfind(header, 0) == 0;
            continue;
        }
        if (!inside || line.empty()) continue;
        std::istringstream ls(line);
        double v = 0;
        for (int k = 0; k <= col; ++k) ls >> v;
        out.push_back(v);
    }
    if (out.empty()) throw std::runtime_error("no block " + header + " in " + path);
    return out;
}

}  // namespace tessera_test
