#pragma once
/// @file
/// A descriptor whose type is chosen at run time: any type satisfying the contract of
/// descriptors/descriptor.hpp that also states its neighbours (`request()`), behind one small
/// virtual interface. What the run-time planner holds; a copy shares the descriptor (immutable
/// once wrapped).
///
///     tessera::any_descriptor<double> d{tessera::csp{12}};
///     d.request();   // nearest_k(12)

#include <tessera/core/execution.hpp>
#include <tessera/descriptors/descriptor.hpp>
#include <tessera/neighbors/prefix_list.hpp>

#include <concepts>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace tessera {

template <class T = double>
class any_descriptor {
public:
    template <class D>
        requires(!std::is_same_v<std::remove_cvref_t<D>, any_descriptor>)
    any_descriptor(D d) {  // NOLINT(google-explicit-constructor): a descriptor *is* an any_descriptor
        static_assert(descriptor<D>,
                      "tessera::any_descriptor: this type is not a descriptor (it needs `need`, columns(), prepare() "
                      "and compute() or compute_all(); see tessera/descriptors/descriptor.hpp)");
        static_assert(requests_neighbors<D>,
                      "tessera::any_descriptor: the descriptor must state its neighbours at run time — give it "
                      "`neighbor_request request() const` (see tessera/descriptors/descriptor.hpp)");
        static_assert(std::copy_constructible<D>, "tessera::any_descriptor: descriptors are copyable value types");
        if constexpr (descriptor<D> && requests_neighbors<D>) {
            request_ = d.request();
            self_ = std::make_shared<const model<D>>(std::move(d));
        }
    }

    /// The neighbours it reads (fixed when wrapped).
    const neighbor_request& request() const noexcept { return request_; }
    /// True for a per-particle descriptor (compute), false for a whole-list one (compute_all).
    bool per_particle() const noexcept { return self_->per_particle(); }
    std::vector<std::string> columns(const particle_properties& p) const { return self_->columns(p); }
    /// Checks the parameters against a stage serving exactly its request.
    void prepare(const particle_properties& p) const { self_->prepare(request_.stage_info(), p); }
    void compute(const particle_row<T>& row, output_row<T> out) const { self_->compute(row, out); }
    void compute_all(const prefix_list<T>& list, const particle_properties& p, output_columns<T> out,
                     serial_policy) const {
        self_->compute_all_serial(list, p, out);
    }
    void compute_all(const prefix_list<T>& list, const particle_properties& p, output_columns<T> out,
                     openmp_policy policy) const {
        self_->compute_all_openmp(list, p, out, policy);
    }

private:
    struct base {
        virtual ~base() = default;
        virtual bool per_particle() const noexcept = 0;
        virtual std::vector<std::string> columns(const particle_properties&) const = 0;
        virtual void prepare(const neighbor_stage_info&, const particle_properties&) const = 0;
        virtual void compute(const particle_row<T>&, output_row<T>) const = 0;
        virtual void compute_all_serial(const prefix_list<T>&, const particle_properties&, output_columns<T>) const = 0;
        virtual void compute_all_openmp(const prefix_list<T>&, const particle_properties&, output_columns<T>,
                                        openmp_policy) const = 0;
    };

    template <class D>
    struct model final : base {
        D d;
        explicit model(D x) : d(std::move(x)) {}
        bool per_particle() const noexcept override { return particle_descriptor<D>; }
        std::vector<std::string> columns(const particle_properties& p) const override { return d.columns(p); }
        void prepare(const neighbor_stage_info& s, const particle_properties& p) const override { d.prepare(s, p); }
        void compute(const particle_row<T>& row, output_row<T> out) const override {
            if constexpr (particle_descriptor<D>) d.compute(row, out);
        }
        void compute_all_serial(const prefix_list<T>& l, const particle_properties& p,
                                output_columns<T> out) const override {
            if constexpr (!particle_descriptor<D>) d.compute_all(l, p, out, serial_policy{});
        }
        void compute_all_openmp(const prefix_list<T>& l, const particle_properties& p, output_columns<T> out,
                                openmp_policy policy) const override {
            if constexpr (!particle_descriptor<D>) d.compute_all(l, p, out, policy);
        }
    };

    std::shared_ptr<const base> self_;
    neighbor_request request_;
};

}  // namespace tessera
