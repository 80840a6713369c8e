// A model trained on tessera-computed descriptors, then run inside a fused pipeline (issue 15).
//   1. descriptors of every atom of a LAMMPS dump: one pipeline pass (CSP, coordination per
//      species, q4/q6 of the 12 nearest);
//   2. a logistic regression learns the species from them (a toy target: "does the local
//      structure tell Cu from Zr?"), standard-scaled, saved as a tessera model file;
//   3. the model file is loaded and predicts *inside* a pipeline: per atom, the descriptors it
//      reads, then the model — one pass, no feature table — checked against step 1 + batch.
// Usage: tessera_learn_in_pipeline [dump] [model.json]   (defaults: the CuZr glass test frame)
#include <tessera/descriptors/coordination.hpp>
#include <tessera/descriptors/csp.hpp>
#include <tessera/descriptors/steinhardt.hpp>
#include <tessera/io/lammps_dump.hpp>
#include <tessera/learn/model_stage.hpp>
#include <tessera/learn/scaler.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include <cstdio>
#include <string>
#include <variant>
#include <vector>

int main(int argc, char** argv) try {
    namespace ts = tessera;
    const std::string dump = argc > 1 ? argv[1] : TESSERA_EXAMPLE_DUMP;
    const std::string model_path = argc > 2 ? argv[2] : "learn_in_pipeline_model.json";

    ts::frame f;
    ts::lammps_dump_reader(dump).next(f);
    const auto x = f.positions();
    const auto types = f.types();
    const ts::particle_properties props{.types = types};

    // The descriptors, and the one neighbour stage that serves them all (12 nearest + r < 3.5).
    const ts::csp csp{12};
    const ts::coordination coord{.cutoff = 3.5, .per_type = true};
    const ts::steinhardt q{.degrees = {4, 6}, .nnn = 12};
    const ts::nearest_or_ball stage{12, 3.5};

    return std::visit([&](const auto& box) {
        // 1. The feature table.
        const auto table = ts::pipeline(stage, csp, coord, q).run(x, box, props, ts::openmp_policy{});
        const std::vector<std::string> features{"csp", "coord_1", "coord_2", "q4", "q6"};
        const std::size_t n = table.size(), m = features.size();
        std::vector<double> raw(n * m);
        for (std::size_t j = 0; j < m; ++j)
            for (std::size_t i = 0; i < n; ++i) raw[i * m + j] = table.column(features[j])[i];

        // 2. Scale, fit, save.
        ts::standard_scaler scaler;
        scaler.fit(ts::feature_matrix_view{raw.data(), n, m});
        ts::learned_model lm;
        lm.kind = "logistic";
        lm.features = features;
        lm.label = "type";
        lm.scaling = "standard";
        lm.shift = scaler.mean_;
        lm.factor = scaler.scale_;
        std::vector<double> scaled = raw;
        lm.scale(scaled);
        lm.logistic.emplace(ts::logistic_options{});
        lm.logistic->fit(scaled.data(), n, m, types);
        ts::save_model(lm, model_path);

        // 3. Load and predict inside the pipeline: the stage computes what the model reads.
        const ts::model_stage stage_with_model{ts::load_model(model_path), csp, coord, q};
        const auto out = ts::pipeline(stage, stage_with_model).run(x, box, props, ts::openmp_policy{});
        const auto predicted = out.column("prediction");
        const auto p_zr = out.column("proba_2");

        // The same numbers as the two-step path (table, then the batch model), to the bit.
        const ts::model_prediction batch = lm.predict(raw, n);
        std::size_t correct = 0, differ = 0;
        for (std::size_t i = 0; i < n; ++i) {
            correct += predicted[i] == types[i] ? 1 : 0;
            differ += predicted[i] == double(batch.label[i]) && p_zr[i] == batch.proba[2 * i + 1] ? 0 : 1;
        }
        std::printf("%zu atoms, model saved to %s\n", n, model_path.c_str());
        std::printf("species recognised from local structure: %.1f %% (atom 1: P(Zr) = %.3f)\n",
                    100.0 * double(correct) / double(n), p_zr[0]);
        std::printf("in-pipeline vs table + batch predict: %zu atoms differ\n", differ);
        return differ == 0 ? 0 : 1;
    }, f.box);
} catch (const std::exception& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
    return 1;
}
