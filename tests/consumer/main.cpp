// Built by tests/consumer/run.cmake against the installed tessera package, through the
// umbrella header: a run-time planner on a small fcc crystal, checked against what fcc is.
#include <tessera/tessera.hpp>

#include <array>
#include <cstdio>
#include <vector>

int main() {
    std::printf("tessera %d.%d.%d\n", tessera::version_major, tessera::version_minor,
                tessera::version_patch);
    // 4x4x4 fcc cells, a = 3.615: every atom has 12 neighbours at a/sqrt2, CSP 0, CNA fcc (1).
    const double a = 3.615;
    std::vector<std::array<double, 3>> p;
    const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            for (int k = 0; k < 4; ++k)
                for (const auto& b : basis) p.push_back({(i + b[0]) * a, (j + b[1]) * a, (k + b[2]) * a});
    const tessera::orthogonal_box<double> box({0, 0, 0}, {4 * a, 4 * a, 4 * a});
    tessera::planner<double> plan;
    plan.add(tessera::csp{12});
    plan.add(tessera::cna{3.086});
    plan.add(tessera::coordination{3.0});
    const auto out = plan.run(p, box);
    for (std::size_t i = 0; i < p.size(); ++i)
        if (!(out.column("csp")[i] < 1e-20) || out.column("cna")[i] != 1 || out.column("coord")[i] != 12) {
            std::printf("consumer: atom %zu is not fcc\n", i);
            return 1;
        }
    std::printf("planner: %zu fcc atoms, stage %s\n", p.size(), plan.plan().describe().c_str());
    try {
        throw tessera::error("consumer: deliberate error");
    } catch (const tessera::error& e) {
        std::printf("caught tessera::error: %s\n", e.what());
        return 0;
    }
    return 1;
}
