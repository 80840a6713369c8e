#pragma once
// Readers for the scikit-learn reference files in tests/reference/learn/ (written by
// tests/reference/learn/make_knn_reference.py; floats are repr() of doubles, so strtod reads
// them back exactly).

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tessera_test {

inline std::string learn_reference_path(const std::string& name) {
    return std::string(TESSERA_TEST_DATA_DIR) + "/learn/" + name;
}

struct csv_table {
    std::vector<std::string> header;
    std::vector<std::vector<double>> rows;
    [[nodiscard]] std::size_t column(const std::string& name) const {
        for (std::size_t j = 0; j < header.size(); ++j)
            if (header[j] == name) return j;
        throw std::runtime_error("no column " + name);
    }
};

inline csv_table read_csv(const std::string& name) {
    std::ifstream in(learn_reference_path(name));
    if (!in) throw std::runtime_error("cannot open " + learn_reference_path(name));
    csv_table t;
    std::string line, cell;
    std::getline(in, line);
    for (std::istringstream hs(line); std::getline(hs, cell, ',');) t.header.push_back(cell);
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        std::vector<double> r;
        for (std::istringstream ls(line); std::getline(ls, cell, ',');) r.push_back(std::strtod(cell.c_str(), nullptr));
        t.rows.push_back(std::move(r));
    }
    return t;
}

/// "key v1 v2 ..." lines.
inline std::map<std::string, std::vector<double>> read_keyed(const std::string& name) {
    std::ifstream in(learn_reference_path(name));
    if (!in) throw std::runtime_error("cannot open " + learn_reference_path(name));
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
