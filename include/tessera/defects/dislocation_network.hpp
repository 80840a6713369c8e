#pragma once
/// @file
/// Polyline post-processing of traced dislocation lines: coarsening (points averaged in groups
/// whose size grows with the core width) and Taubin's λ|μ smoothing, as the reference
/// implementation (OVITO 3's DislocationNetwork) does, and the line length.
///
/// Coarsening keeps an open line's end points (junctions stay joined) and averages the others in
/// groups of `count` points until count² ≥ interval · Σ core sizes (core size: the edges of the
/// circuit a point came from, a proxy of the core width in atoms). An infinite line (a loop
/// through periodic boundaries) whose whole length is one such group becomes a straight line
/// through its centroid. Smoothing: G. Taubin, "A signal processing approach to fair surface
/// design", SIGGRAPH 95, 351 (1995): λ = 0.5, k_PB = 0.1, μ = 1/(k_PB − 1/λ), `level` iterations
/// of a λ and a μ pass of the discrete Laplacian; open ends fixed. A closed line (a loop, or a
/// line closed through a periodic boundary, whose last point is its first plus a cell vector)
/// wraps: the first point's neighbours are the second and the second-to-last shifted back by
/// that vector. (OVITO reads line[n − 3] there, a slip we do not copy; it is harmless for
/// periodic lines in OVITO but would not be here.)
#include <tessera/core/vec.hpp>

#include <cmath>
#include <deque>
#include <numeric>
#include <vector>

namespace tessera {

/// Coarsened copy of `line` (see the file comment). `loop`: the line is closed — a loop in space
/// (front ≈ back) or through periodic boundaries; `infinite`: the latter (front and back one
/// cell vector apart).
inline std::deque<vec3<double>> coarsen_dislocation_line(double interval, const std::deque<vec3<double>>& line,
                                                         const std::deque<int>& core, bool loop, bool infinite) {
    std::deque<vec3<double>> out;
    if (interval <= 0) return line;
    const std::size_t n = line.size();
    if (infinite && n >= 3) {
        const int core_sum = std::accumulate(core.begin(), core.end() - 1, 0);
        const int count = int(n) - 1;
        if (double(core_sum) * interval > double(count) * count) {
            vec3<double> com{};
            for (std::size_t i = 0; i + 1 < n; ++i) com = com + (line[i] - line.front());
            com = com * (1.0 / count);
            return {line.front() + com, line.back() + com};
        }
    }
    if (n < 4) return line;
    if (!loop) out.push_back(line.front());
    const std::size_t min_points = norm2(line.front() - line.back()) < 1e-8 ? 4 : 2;
    std::size_t in = 0, in_end = n - 1;
    int sum = 0, count = 0;
    vec3<double> com{};
    do {  // half an interval from the start ...
        sum += core[in];
        com = com + (line[in] - line.front());
        ++count, ++in;
    } while (2 * count * count < int(interval * sum) && std::size_t(count + 1) < n / min_points / 2);
    while (count * count < int(interval * sum) && std::size_t(count) < n / min_points) {  // ... and from the end
        sum += core[in_end];
        com = com + (line[in_end] - line.back());
        ++count, --in_end;
    }
    if (loop) out.push_back(line.front() + com * (1.0 / count));
    while (in < in_end) {
        int s = 0, c = 0;
        vec3<double> m{};
        do {
            s += core[in];
            m = m + line[in];
            ++c, ++in;
        } while (c * c < int(interval * s) && std::size_t(c + 1) < n / min_points && in != in_end);
        out.push_back(m * (1.0 / c));
    }
    if (!loop) out.push_back(line.back());
    else out.push_back(line.back() + com * (1.0 / count));
    return out;
}

/// Taubin smoothing in place (see the file comment); `loop`: the line is closed.
inline void smooth_dislocation_line(int level, std::deque<vec3<double>>& line, bool loop) {
    if (level <= 0 || line.size() <= 2) return;
    const std::size_t n = line.size();
    if (n <= 4 && norm2(line.front() - line.back()) < 1e-8) return;
    const double k_pb = 0.1, lambda = 0.5, mu = 1.0 / (k_pb - 1.0 / lambda);
    const double factors[2] = {lambda, mu};
    std::vector<vec3<double>> lap(n);
    for (int it = 0; it < level; ++it)
        for (const double f : factors) {
            // The first point of a closed line: its neighbours are line[1] and, one period (or
            // one loop) back, line[n − 2] − (line[n − 1] − line[0]).
            lap[0] = loop ? ((line[n - 2] - line[n - 1]) + (line[1] - line[0])) * 0.5 : vec3<double>{};
            for (std::size_t i = 1; i + 1 < n; ++i) lap[i] = ((line[i - 1] - line[i]) + (line[i + 1] - line[i])) * 0.5;
            lap[n - 1] = lap[0];
            for (std::size_t i = 0; i < n; ++i) line[i] = line[i] + lap[i] * f;
        }
}

/// Σ |p_{k+1} − p_k| over an unwrapped polyline.
template <class Points>
double polyline_length(const Points& line) {
    double length = 0;
    for (std::size_t i = 1; i < line.size(); ++i) length += std::sqrt(norm2(line[i] - line[i - 1]));
    return length;
}

}  // namespace tessera
