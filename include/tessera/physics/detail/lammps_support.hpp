#pragma once
/// @file
/// What physics/lammps_engine.hpp needs around liblammps: library.h with its MPI entry points
/// (lammps_open on a communicator), and the engine's process-wide pieces — the one mutex around
/// what LAMMPS instances share, MPI initialisation and thread-level checks (the engine's file
/// comment explains the threading model), shortest round-trip numbers for LAMMPS commands and
/// the mapping of LAMMPS's minimiser stop texts.

#include <tessera/core/error.hpp>
#include <tessera/physics/minimize_options.hpp>

// library.h declares lammps_open(..., MPI_Comm, ...) only with LAMMPS_LIB_MPI; mpi.h without
// OpenMPI's deprecated C++ bindings (LAMMPS::lammps links MPI::MPI_CXX, which brings mpi.h).
#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#if defined(LAMMPS_LIBRARY_H) && !defined(LAMMPS_LIB_MPI)
#error "include tessera/physics/lammps_engine.hpp before LAMMPS's library.h, or define LAMMPS_LIB_MPI before both: this engine needs lammps_open(..., MPI_Comm, ...)"
#endif
#ifndef LAMMPS_LIB_MPI
#define LAMMPS_LIB_MPI 1
#endif
#include <mpi.h>
#include <library.h>

#include <charconv>
#include <mutex>
#include <string>

namespace tessera {

namespace detail {

/// The one lock around what LAMMPS instances share (file comment).
inline std::mutex& lammps_global_mutex() {
    static std::mutex m;
    return m;
}

/// Initialises MPI at MPI_THREAD_MULTIPLE if nobody has; returns the thread level MPI runs at
/// (MPI_THREAD_MULTIPLE lets instances on distinct communicators be called concurrently). Call
/// under the mutex.
inline int lammps_mpi_thread_level() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized) throw error("lammps_engine: MPI has been finalised; no LAMMPS instance can be opened");
    int initialized = 0;
    MPI_Initialized(&initialized);
    int provided = MPI_THREAD_SINGLE;
    if (!initialized) {
        if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS)
            throw error("lammps_engine: MPI_Init_thread failed");
    } else {
        MPI_Query_thread(&provided);
    }
    return provided;
}

/// Throws unless MPI may be called from this thread: MPI running (not finalised), and, below
/// MPI_THREAD_SERIALIZED, this thread the main one (the MPI standard allows no other).
inline void lammps_require_mpi_usable(int thread_level, const char* what) {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized) throw error("lammps_engine::", what, ": MPI has been finalised");
    int is_main = 1;
    if (thread_level < MPI_THREAD_SERIALIZED) MPI_Is_thread_main(&is_main);
    if (!is_main)
        throw error("lammps_engine::", what, ": the host initialised MPI at ",
                    thread_level == MPI_THREAD_SINGLE ? "MPI_THREAD_SINGLE" : "MPI_THREAD_FUNNELED",
                    ", so LAMMPS may be used from the main thread only (initialise MPI at MPI_THREAD_SERIALIZED or "
                    "higher, or run with one thread)");
}

/// Shortest decimal that reads back as the same double (what LAMMPS's strtod then sees).
inline std::string lammps_number(double v) {
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
}

inline bool lammps_stop_reason(const std::string& text, stop_reason& r) {
    if (text == "energy tolerance") r = stop_reason::energy_tolerance;
    else if (text == "force tolerance") r = stop_reason::force_tolerance;
    else if (text == "max iterations") r = stop_reason::max_iterations;
    else if (text == "max iterations with v.f negative") r = stop_reason::max_vdotf_negative;
    else if (text == "max force evaluations") r = stop_reason::max_evaluations;
    else if (text == "linesearch alpha is zero") r = stop_reason::zero_alpha;
    else if (text == "search direction is not downhill") r = stop_reason::not_downhill;
    else if (text == "forces are zero") r = stop_reason::zero_force;
    else if (text == "quadratic factors are zero") r = stop_reason::zero_quadratic;
    else return false;
    return true;
}

}  // namespace detail

}  // namespace tessera
