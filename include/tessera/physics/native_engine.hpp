#pragma once
/// @file
/// tessera's own relaxation engine: a potential (physics/potential.hpp) and the LAMMPS-equivalent
/// minimisers of physics/minimize.hpp, bound to one system's types and minimiser settings —
/// the `relaxation_engine` AQS, box relaxation and frozen-atom analysis run on.
///
/// Copies share the potential (read-only, thread-safe) and own their neighbour list and
/// workspace, so frozen-atom workers each copy the engine. `relax` builds its minimiser state
/// per call (the allocation is per relaxation, not per iteration); `evaluate` keeps a Verlet list
/// with the minimiser's skin across calls, so evaluating the states of an AQS run re-uses it.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/physics/engine.hpp>
#include <tessera/physics/minimize.hpp>
#include <tessera/physics/minimize_options.hpp>
#include <tessera/physics/potential.hpp>

#include <span>
#include <utility>
#include <vector>

namespace tessera {

template <potential P>
class native_engine {
public:
    /// `pot` must outlive the engine and its copies.
    native_engine(const P& pot, std::vector<int> types, minimize_options options)
        : pot_(&pot), types_(std::move(types)), options_(std::move(options)), evaluator_(pot, options_.skin) {}

    relax_result relax(std::span<vec3<double>> x, const triclinic_box<double>& box, std::span<const unsigned char> frozen) {
        check_size(x.size());
        return minimize(*pot_, x, std::span<const int>(types_), box, options_, frozen);
    }

    double evaluate(std::span<const vec3<double>> x, const triclinic_box<double>& box, force_output<double>& out) {
        check_size(x.size());
        return evaluator_.evaluate(x, std::span<const int>(types_), box, out);
    }

    const minimize_options& options() const noexcept { return options_; }
    std::span<const int> types() const noexcept { return types_; }

private:
    void check_size(std::size_t n) const {
        if (n != types_.size())
            throw error("native_engine: ", n, " positions for an engine bound to ", types_.size(), " atoms");
    }

    const P* pot_;
    std::vector<int> types_;
    minimize_options options_;
    force_evaluator<P, triclinic_box<double>> evaluator_;
};

}  // namespace tessera
