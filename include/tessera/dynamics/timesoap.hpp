#pragma once
/// @file
/// TimeSOAP — the rate of change of each particle's SOAP vector (Caruso, Cardellini, Crippa,
/// Rapetti & Pavan, J. Chem. Phys. 158, 214302 (2023); dynsight's `timesoap`). For particle i and
/// frames t, t + Δt, with p̂ = p / ‖p‖ the normalised SOAP power spectrum (descriptors/soap.hpp):
/// \f[ d_i^{t+\Delta t} = \sqrt{2 - 2\, \hat p_i(t) \cdot \hat p_i(t+\Delta t)}
///                      = \lVert \hat p_i(t) - \hat p_i(t+\Delta t) \rVert , \f]
/// the chord between the two unit vectors, 0 (same environment) … 2 (opposite). Evaluated as
/// ‖p_a − p_b ‖p_a‖/‖p_b‖‖ / ‖p_a‖ — the same number, without the cancellation of 2 − 2 cos near
/// 0 and without a product on both sides of the difference, so identical vectors give exactly 0
/// whether or not the compiler fuses multiply-adds. A zero vector (no density: `centre_weight` 0 and no neighbour) has no direction:
/// d = 0 when both are zero, √2 when one is (as if orthogonal).
///
/// Particles are matched across frames by id (the value belongs to the later frame, as LENS in
/// dynamics/lens.hpp); under id_mismatch::intersect a particle absent from the earlier frame gets
/// NaN. Values do not depend on the thread count (each particle's sum is serial).

#include <tessera/core/error.hpp>
#include <tessera/core/execution.hpp>
#include <tessera/descriptors/soap.hpp>
#include <tessera/dynamics/trajectory.hpp>
#include <tessera/pipeline/pipeline.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <span>
#include <string>
#include <vector>

namespace tessera {

/// One frame's SOAP vectors: `size()` rows of `features` values each (row-major: each particle's
/// vector contiguous, as timesoap() reads them), and the frame's ids.
struct soap_frame {
    id_index index;
    std::size_t features = 0;
    std::vector<double> values;  ///< values[row * features + c]

    std::size_t size() const noexcept { return index.size(); }
    double value(std::size_t row, std::size_t c) const noexcept { return values[row * features + c]; }
    std::span<const double> vector(std::size_t row) const noexcept { return {values.data() + row * features, features}; }
};

/// The SOAP vectors of every particle of a frame, into `out` (its storage reused).
template <class Positions, class Box, class Policy = serial_policy>
void compute_soap_frame(const Positions& positions, const Box& box, const particle_properties& props,
                        std::span<const std::int64_t> ids, const soap& descriptor, soap_frame& out,
                        const std::string& what = "frame", Policy policy = {}) {
    const auto pipe = pipeline(ball{descriptor.radius()}, descriptor);
    const auto result = pipe.run(positions, box, props, policy);
    const std::size_t n = result.size();
    if (ids.size() != n) throw error(what, ": ", ids.size(), " ids for ", n, " particles");
    out.index = id_index(ids, what);
    out.features = result.template names_of<0>().size();
    out.values.resize(out.features * n);
    for (std::size_t c = 0; c < out.features; ++c) {  // the pipeline's columns, transposed
        const auto col = result.template get<0>(c);
        for (std::size_t i = 0; i < n; ++i) out.values[i * out.features + c] = col[i];
    }
}

/// d_i between `before` and `after` for every row of `after` (see the file comment).
template <class Policy = serial_policy>
void timesoap(const soap_frame& before, const soap_frame& after, std::span<double> out,
              id_mismatch mode = id_mismatch::error, const std::string& what = "TimeSOAP", Policy policy = {}) {
    if (out.size() != after.size())
        throw error(what, ": output has ", out.size(), " entries for ", after.size(), " particles");
    if (before.features != after.features)
        throw error(what, ": the frames' SOAP vectors have ", before.features, " and ", after.features,
                    " components (did the number of types change?)");
    const std::vector<std::size_t> rows = match_ids(before.index, after.index, mode, what);
    const std::size_t F = after.features;
    detail::for_each_chunk(policy, after.size(), 256, [&](std::size_t, std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) {
            const std::size_t j = rows[i];
            if (j == no_row) {
                out[i] = std::numeric_limits<double>::quiet_NaN();
                continue;
            }
            const std::span<const double> a = before.vector(j), b = after.vector(i);
            double na = 0, nb = 0;
            for (std::size_t c = 0; c < F; ++c) {
                na += a[c] * a[c];
                nb += b[c] * b[c];
            }
            if (na == 0 || nb == 0) {
                out[i] = na == nb ? 0.0 : std::numbers::sqrt2;
                continue;
            }
            // ‖a/|a| − b/|b|‖ = ‖a − b·(|a|/|b|)‖ / |a|: one product per term, so a fused
            // multiply-add (contraction) cannot leave a rounding residue when a = b (exactly 0)
            const double ra = std::sqrt(na), scale = ra / std::sqrt(nb);
            double d2 = 0;
            for (std::size_t c = 0; c < F; ++c) {
                const double x = a[c] - b[c] * scale;
                d2 += x * x;
            }
            out[i] = std::sqrt(d2) / ra;
        }
    });
}

}  // namespace tessera
