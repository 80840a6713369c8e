#pragma once
// Readers for the SciPy / scikit-learn reference files in tests/reference/cluster/ (written by
// tests/reference/cluster/make_hierarchical_pca_reference.py and make_kmeans_gmm_reference.py; floats are repr() of doubles, so
// strtod reads them back exactly).

#include <tessera/learn/feature_matrix.hpp>

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

/// A CSV whose first `text_columns` cells of each row are kept as strings, the rest as doubles.
struct cluster_csv {
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> text;
    std::vector<std::vector<double>> numbers;
};

inline cluster_csv read_cluster_csv(const std::string& name, std::size_t text_columns = 0) {
    std::ifstream in(cluster_reference_path(name));
    if (!in) throw std::runtime_error("cannot open " + cluster_reference_path(name));
    cluster_csv t;
    std::string line, cell;
    std::getline(in, line);
    for (std::istringstream hs(line); std::getline(hs, cell, ',');) t.header.push_back(cell);
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::vector<std::string> s;
        std::vector<double> v;
        std::istringstream ls(line);
        for (std::size_t j = 0; std::getline(ls, cell, ','); ++j) {
            if (j < text_columns) s.push_back(cell);
            else v.push_back(std::strtod(cell.c_str(), nullptr));
        }
        t.text.push_back(std::move(s));
        t.numbers.push_back(std::move(v));
    }
    return t;
}

/// A numeric table as one row-major buffer.
inline std::vector<double> read_cluster_table(const std::string& name, std::size_t& rows, std::size_t& cols) {
    const cluster_csv t = read_cluster_csv(name);
    rows = t.numbers.size();
    cols = t.header.size();
    std::vector<double> x;
    for (const auto& r : t.numbers) {
        if (r.size() != cols) throw std::runtime_error("ragged row in " + name);
        x.insert(x.end(), r.begin(), r.end());
    }
    return x;
}

/// A numeric table with a header line, flattened row-major.
struct cluster_table {
    std::vector<double> values;
    std::size_t rows = 0, cols = 0;
    [[nodiscard]] tessera::feature_matrix_view view() const { return {values.data(), rows, cols, 0, {}}; }
};

inline cluster_table read_cluster_table(const std::string& name) {
    cluster_table t;
    t.values = read_cluster_table(name, t.rows, t.cols);
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
