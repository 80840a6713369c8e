#pragma once
// Readers for the scikit-learn reference files in tests/reference/cluster/ (written by
// tests/reference/cluster/make_kmeans_gmm_reference.py; floats are repr() of doubles, so strtod
// reads them back exactly).

#include <cstddef>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tessera_test {

inline std::string cluster_reference_path(const std::string& name) {
    return std::string(TESSERA_TEST_DATA_DIR) + "/cluster/" + name;
}

/// A numeric table with a header line, flattened row-major.
struct cluster_table {
    std::vector<double> values;
    std::size_t rows = 0, cols = 0;
};

inline cluster_table read_cluster_table(const std::string& name) {
    std::ifstream in(cluster_reference_path(name));
    if (!in) throw std::runtime_error("cannot open " + cluster_reference_path(name));
    cluster_table t;
    std::string line, cell;
    std::getline(in, line);
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::size_t c = 0;
        for (std::istringstream ls(line); std::getline(ls, cell, ',');) {
            t.values.push_back(std::strtod(cell.c_str(), nullptr));
            ++c;
        }
        if (t.rows == 0) t.cols = c;
        if (c != t.cols) throw std::runtime_error("ragged row in " + name);
        ++t.rows;
    }
    return t;
}

/// "key v1 v2 ..." lines.
inline std::map<std::string, std::vector<double>> read_cluster_keyed(const std::string& name) {
    std::ifstream in(cluster_reference_path(name));
    if (!in) throw std::runtime_error("cannot open " + cluster_reference_path(name));
    std::map<std::string, std::vector<double>> m;
    std::string line, key, v;
    while (std::getline(in, line)) {
        std::istringstream ls(line);
        ls >> key;
        auto& vec = m[key];
        while (ls >> v) vec.push_back(std::strtod(v.c_str(), nullptr));
    }
    return m;
}

}  // namespace tessera_test
