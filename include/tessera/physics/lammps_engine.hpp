#pragma once
/// @file
/// LAMMPS (through liblammps' C library interface) as a `relaxation_engine` (physics/engine.hpp)
/// for AQS and frozen-atom analysis, for potentials tessera does not implement: any `pair_style`
/// LAMMPS has, with LAMMPS's own minimisers (`min_style sd | cg | fire | ...`).
///
/// Each `lammps_engine` owns one LAMMPS instance (`lammps_open` on its own communicator, args
/// `-log none -screen none -nocite`; closed in the destructor). Copying an engine opens a fresh instance with the same
/// settings — how frozen-atom analysis gets one per worker thread. The system is built on the
/// first call (atom count and box known then) as this script would:
///
///     units U;  atom_style atomic;  atom_modify map array sort 0 0.0;  box tilt large
///     boundary p|m p|m p|m                       # per box.periodic(d); m: shrink-wrap with minimum
///     region B prism xlo xhi ylo yhi zlo zhi xy xz yz units box;  create_box ntypes B
///     (atoms 1..n, types as given, lammps_create_atoms)
///     pair_style S;  pair_coeff C...;  [pair_modify M];  [mass t m ...]
///     neighbor SKIN bin;  neigh_modify delay 0 every 1 check yes
///     min_style M;  [min_modify dmax D]
///     compute pe/atom, compute stress/atom NULL virial, compute reduce sum of both
///     thermo 0;  thermo_style custom step pe (+ the sums);  thermo_modify norm no format float %.17g
///
/// and every call then sets the box exactly (`change_box all x final ... xy final ... units box`,
/// numbers written as shortest round-trip decimals, so LAMMPS reads back the same doubles) and
/// writes positions and zero image flags into LAMMPS's arrays by atom id:
///
/// - `relax(x, box, frozen)`: `group` + `fix setforce 0.0 0.0 0.0` on the frozen atoms,
///   `reset_timestep 0`, `minimize etol ftol maxiter maxeval`, fix and group removed. Positions
///   come back **unwrapped and consistent with the input**: LAMMPS wraps atoms into its box and
///   counts the crossings in image flags, so the displacement of atom i is
///   d_i = (x_i + h·image_i)_final − (x_i as written), and x_i ← x_i(input) + d_i; frozen atoms
///   keep their input bits exactly. The atoms are written already wrapped into the box
///   (`triclinic_box::wrap`), because LAMMPS's `pbc()` moves an atom by one period only.
/// - `evaluate(x, box, out)`: `run 0`; forces from `f`, per-atom energy from `compute pe/atom`,
///   per-atom virial W_i = −(compute stress/atom NULL virial)_i / nktv2p (physics/potential.hpp's
///   sign and eV units; nktv2p is LAMMPS's own, 1.6021765e6 in metal, 1 in lj); totals are
///   Σ_i E_i and Σ_i W_i (the contract of force_output), also returned.
///
/// relax_result from LAMMPS's own minimiser record: the stop reason, "Iterations, force
/// evaluations" and the step-0 and final thermo energies (printed with %.17g, so exact) are read
/// from LAMMPS's log of that `minimize` (liblammps exposes none of Min's members through
/// `lammps_extract_global`; the log is a private temporary file per instance, opened with `log
/// FILE` around the command and removed with the engine). The force norms are computed from the
/// final `f` over unfrozen atoms (fix setforce has zeroed the frozen ones, as LAMMPS's fnorm sees
/// them). Each LAMMPS stopping text maps to its stop_reason (minimize_options.hpp); any other text
/// is an error naming it.
///
/// Determinism: atom sorting is off and every `minimize`/`run 0` rebuilds its neighbour list
/// from the positions given, so a call's result depends only on its input, not on what the
/// instance did before (engine.hpp's contract).
///
/// Threads and MPI: each instance runs on its own one-rank communicator, a duplicate of
/// MPI_COMM_SELF (`lammps_open(..., comm)`), so instances never share a communicator and a host
/// running under mpirun gets one private LAMMPS per rank and instance. If nobody has initialised
/// MPI, the first engine does, at MPI_THREAD_MULTIPLE; then separate instances run `minimize` /
/// `run 0` concurrently, as the MPI standard allows for distinct communicators, and give bitwise
/// the results of one thread (tests/physics_lammps). Earlier this engine let LAMMPS initialise
/// MPI (MPI_THREAD_SINGLE) and shared MPI_COMM_WORLD between instances: OpenMPI 4.1 then
/// corrupted its heap in concurrent MPI_Allreduce calls about once in 60 two-thread runs ("free():
/// invalid pointer", seen in CI). If the host initialised MPI below MPI_THREAD_MULTIPLE, every
/// call on every instance takes one process-wide mutex (`concurrent()` is false): correct, no
/// parallel speed-up — at MPI_THREAD_SERIALIZED; at MPI_THREAD_SINGLE or FUNNELED the standard
/// allows MPI calls from the main thread only, so an engine used (or copied, as frozen-atom
/// workers do) from another thread throws. An engine outliving MPI_Finalize throws on use and
/// is not closed (no MPI call is allowed then). What LAMMPS instances share in-process (its
/// Pair/Compute/Fix instance counters) is touched when instances open, close, build a system
/// and add or remove the frozen group's fix; those steps take the same mutex. One increment
/// stays outside it: `minimize` creates LAMMPS's internal `fix MINIMIZE`, whose
/// `Fix::instance_total++` may race (a count only used to match neighbour-list requests, which
/// that fix never makes).
/// `lammps_engine_options::serialize = true` takes the mutex around every call in any case.
///
/// Errors: Debian builds LAMMPS without LAMMPS_EXCEPTIONS, so a command LAMMPS rejects ends the
/// process (exit 1), silently with `-screen none`. The constructor therefore checks what it can
/// first — units, pair and min style names (`lammps_has_style`), that a pair_coeff argument
/// containing '/' is a readable file, tolerances and sizes — and throws tessera::error. When
/// liblammps has exceptions, any LAMMPS error becomes tessera::error with LAMMPS's message.
///
/// Build: link LAMMPS::lammps (CMake `find_package(LAMMPS)`; it brings library.h's directory and
/// LAMMPS_SMALLBIG). 32-bit atom ids and image flags (LAMMPS_SMALLBIG / SMALLSMALL) are required.

#include <tessera/core/box.hpp>
#include <tessera/core/error.hpp>
#include <tessera/core/vec.hpp>
#include <tessera/physics/engine.hpp>
#include <tessera/physics/detail/lammps_support.hpp>
#include <tessera/physics/potential.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <span>
#include <sstream>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

namespace tessera {

/// LAMMPS minimiser settings: `min_style style`, `min_modify dmax dmax` (when dmax > 0) and
/// `minimize etol ftol max_iterations max_evaluations`.
struct lammps_minimizer {
    std::string style = "cg";            ///< sd, cg, fire (or any min_style LAMMPS has)
    double etol = 0.0;                   ///< relative energy tolerance (0: off)
    double ftol = 1e-8;                  ///< force tolerance (force units)
    std::size_t max_iterations = 100000;
    std::size_t max_evaluations = 1000000;
    double dmax = 0.0;                   ///< min_modify dmax; 0 keeps LAMMPS's default (0.1)
};

struct lammps_engine_options {
    std::vector<int> types;              ///< per atom, 1..ntypes (atom i has LAMMPS id i+1)
    std::vector<double> masses;          ///< per type; empty: from the potential file, else 1
    std::string units = "metal";         ///< "metal" or "lj" (any LAMMPS unit style is passed on)
    std::string pair_style;              ///< verbatim, e.g. "eam/fs" or "lj/cut 2.5"
    std::vector<std::string> pair_coeff; ///< verbatim lines, e.g. "* * CuZr_mm.eam.fs Cu Zr"
    std::string pair_modify;             ///< verbatim arguments, e.g. "shift yes"; empty: none
    lammps_minimizer minimizer;
    double skin = 2.0;                   ///< neighbor skin (LAMMPS's default: 2.0 metal, 0.3 lj)
    bool serialize = false;              ///< every LAMMPS call under the process-wide mutex
};

class lammps_engine {
public:
    explicit lammps_engine(lammps_engine_options opt) : opt_(std::move(opt)) {
        validate_options();
        open();
    }
    /// A fresh LAMMPS instance with the same settings (the system is rebuilt on its first call).
    lammps_engine(const lammps_engine& other) : opt_(other.opt_) { open(); }
    lammps_engine& operator=(const lammps_engine& other) {
        if (this != &other) {
            lammps_engine copy(other);
            swap(copy);
        }
        return *this;
    }
    lammps_engine(lammps_engine&& other) noexcept { swap(other); }
    lammps_engine& operator=(lammps_engine&& other) noexcept {
        swap(other);
        return *this;
    }
    ~lammps_engine() { close(); }

    void swap(lammps_engine& o) noexcept {
        std::swap(opt_, o.opt_);
        std::swap(h_, o.h_);
        std::swap(comm_, o.comm_);
        std::swap(mpi_thread_level_, o.mpi_thread_level_);
        std::swap(log_path_, o.log_path_);
        std::swap(built_, o.built_);
        std::swap(periodic_, o.periodic_);
        std::swap(nktv2p_, o.nktv2p_);
        std::swap(box_set_, o.box_set_);
        std::swap(last_box_, o.last_box_);
        std::swap(written_, o.written_);
        std::swap(index_, o.index_);
    }

    const lammps_engine_options& options() const noexcept { return opt_; }
    std::size_t size() const noexcept { return opt_.types.size(); }
    /// The LAMMPS instance (`void*` of library.h), for commands tessera does not issue.
    void* handle() const noexcept { return h_; }
    /// Whether calls on different instances run concurrently (MPI at MPI_THREAD_MULTIPLE and not
    /// `serialize`); false: every call takes the process-wide mutex (file comment).
    bool concurrent() const noexcept { return !serialized(); }

    relax_result relax(std::span<vec3<double>> x, const triclinic_box<double>& box,
                       std::span<const unsigned char> frozen) {
        const std::size_t n = check_call("relax", x.size(), box);
        if (!frozen.empty() && frozen.size() != n)
            throw error("lammps_engine::relax: ", frozen.size(), " frozen flags for ", n, " atoms");
        std::unique_lock<std::mutex> lock = maybe_lock();
        prepare(std::span<const vec3<double>>(x.data(), n), box);

        std::vector<std::string> frozen_ids;
        {
            std::string line;
            std::size_t count = 0;
            for (std::size_t i = 0; i < frozen.size(); ++i) {
                if (!frozen[i]) continue;
                if (count % 1000 == 0) {
                    if (!line.empty()) frozen_ids.push_back(line);
                    line = "group tessera_frozen id";
                }
                line += ' ' + std::to_string(i + 1);
                ++count;
            }
            if (!line.empty()) frozen_ids.push_back(line);
        }
        if (!frozen_ids.empty()) {
            const std::unique_lock<std::mutex> shared = lock_shared_state();  // Fix::instance_total
            for (const std::string& g : frozen_ids) command(g);
            command("fix tessera_freeze tessera_frozen setforce 0.0 0.0 0.0");
        }
        command("reset_timestep 0");
        command("log " + log_path_);
        const lammps_minimizer& m = opt_.minimizer;
        command("minimize " + detail::lammps_number(m.etol) + " " + detail::lammps_number(m.ftol) + " " +
                std::to_string(m.max_iterations) + " " + std::to_string(m.max_evaluations));
        command("log none");
        if (!frozen_ids.empty()) {
            const std::unique_lock<std::mutex> shared = lock_shared_state();
            command("unfix tessera_freeze");
            command("group tessera_frozen delete");
        }

        relax_result r = read_minimize_log();
        // Positions back, unwrapped, as displacements from what was written.
        map_ids();
        const auto* const* xl = static_cast<double**>(lammps_extract_atom(h_, "x"));
        const auto* const* fl = static_cast<double**>(lammps_extract_atom(h_, "f"));
        const auto* img = static_cast<const int*>(lammps_extract_atom(h_, "image"));
        const double lx = box.hi().x - box.lo().x, ly = box.hi().y - box.lo().y, lz = box.hi().z - box.lo().z;
        double f2 = 0, fmax = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!frozen.empty() && frozen[i]) continue;
            const std::size_t j = index_[i];
            int flags[3];
            lammps_decode_image_flags(img[j], flags);
            const vec3<double> u{xl[j][0] + flags[0] * lx + flags[1] * box.xy() + flags[2] * box.xz(),
                                 xl[j][1] + flags[1] * ly + flags[2] * box.yz(), xl[j][2] + flags[2] * lz};
            x[i] = x[i] + (u - written_[i]);
            for (int a = 0; a < 3; ++a) {
                f2 += fl[j][a] * fl[j][a];
                fmax = std::max(fmax, std::abs(fl[j][a]));
            }
        }
        r.final_force_norm = std::sqrt(f2);
        r.final_force_max = fmax;
        return r;
    }

    double evaluate(std::span<const vec3<double>> x, const triclinic_box<double>& box, force_output<double>& out) {
        const std::size_t n = check_call("evaluate", x.size(), box);
        if (out.force.size() != n)
            throw error("lammps_engine::evaluate: force output has ", out.force.size(), " rows for ", n, " atoms");
        if (!out.energy.empty() && out.energy.size() != n)
            throw error("lammps_engine::evaluate: energy output has ", out.energy.size(), " rows for ", n, " atoms");
        if (!out.virial.empty() && out.virial.size() != n)
            throw error("lammps_engine::evaluate: virial output has ", out.virial.size(), " rows for ", n, " atoms");
        std::unique_lock<std::mutex> lock = maybe_lock();
        prepare(x, box);
        command("run 0");
        map_ids();
        const auto* const* fl = static_cast<double**>(lammps_extract_atom(h_, "f"));
        const auto* pe = static_cast<const double*>(
            lammps_extract_compute(h_, "tessera_pe", LMP_STYLE_ATOM, LMP_TYPE_VECTOR));
        const auto* const* sa = static_cast<double**>(
            lammps_extract_compute(h_, "tessera_virial", LMP_STYLE_ATOM, LMP_TYPE_ARRAY));
        if (!fl || !pe || !sa) throw error("lammps_engine::evaluate: LAMMPS returned no forces or per-atom computes");
        out.total_energy = 0;
        out.total_virial = {};
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t j = index_[i];
            out.force[i] = {fl[j][0], fl[j][1], fl[j][2]};
            out.total_energy += pe[j];
            if (!out.energy.empty()) out.energy[i] = pe[j];
            std::array<double, 6> w;
            for (std::size_t c = 0; c < 6; ++c) {
                w[c] = -sa[j][c] / nktv2p_;
                out.total_virial[c] += w[c];
            }
            if (!out.virial.empty()) out.virial[i] = w;
        }
        return out.total_energy;
    }

private:
    lammps_engine_options opt_;
    void* h_ = nullptr;
    MPI_Comm comm_ = MPI_COMM_NULL;       // this instance's own duplicate of MPI_COMM_SELF
    int mpi_thread_level_ = MPI_THREAD_SINGLE;  // what MPI runs at (MPI_Query_thread)
    std::string log_path_;
    bool built_ = false;
    periodicity periodic_{};
    double nktv2p_ = 1;
    bool box_set_ = false;
    std::array<double, 9> last_box_{};
    std::vector<vec3<double>> written_;   // positions as written into LAMMPS (wrapped)
    std::vector<std::size_t> index_;      // atom i (id i+1) → LAMMPS local index

    bool serialized() const noexcept { return opt_.serialize || mpi_thread_level_ != MPI_THREAD_MULTIPLE; }

    std::unique_lock<std::mutex> maybe_lock() {
        if (serialized()) return std::unique_lock<std::mutex>(detail::lammps_global_mutex());
        return std::unique_lock<std::mutex>();
    }

    void validate_options() const {
        const char* who = "lammps_engine";
        if (opt_.types.empty()) throw error(who, ": no atoms (empty type list)");
        int ntypes = 0;
        for (std::size_t i = 0; i < opt_.types.size(); ++i) {
            if (opt_.types[i] < 1) throw error(who, ": atom ", i, " has type ", opt_.types[i], "; types start at 1");
            ntypes = std::max(ntypes, opt_.types[i]);
        }
        if (!opt_.masses.empty() && opt_.masses.size() < std::size_t(ntypes))
            throw error(who, ": ", opt_.masses.size(), " masses for ", ntypes, " atom types");
        for (std::size_t t = 0; t < opt_.masses.size(); ++t)
            if (!(opt_.masses[t] > 0) || !std::isfinite(opt_.masses[t]))
                throw error(who, ": mass of type ", t + 1, " is ", opt_.masses[t]);
        static constexpr const char* units[] = {"lj", "real", "metal", "si", "cgs", "electron", "micro", "nano"};
        if (std::find(std::begin(units), std::end(units), opt_.units) == std::end(units))
            throw error(who, ": unknown LAMMPS units '", opt_.units, "'");
        if (opt_.pair_style.empty()) throw error(who, ": no pair_style");
        if (opt_.pair_coeff.empty()) throw error(who, ": no pair_coeff lines");
        for (const std::string& line : opt_.pair_coeff) {
            std::istringstream words(line);
            std::string w;
            while (words >> w)
                if (w.find('/') != std::string::npos && !std::ifstream(w))
                    throw error(who, ": pair_coeff '", line, "': cannot read file ", w);
        }
        for (const std::string* s : {&opt_.pair_style, &opt_.pair_modify, &opt_.minimizer.style})
            if (s->find_first_of("\n;&$") != std::string::npos)
                throw error(who, ": '", *s, "' contains a newline, ';', '&' or '$'");
        const lammps_minimizer& m = opt_.minimizer;
        if (!(m.etol >= 0) || !std::isfinite(m.etol) || !(m.ftol >= 0) || !std::isfinite(m.ftol))
            throw error(who, ": minimizer tolerances must be finite and >= 0, got etol ", m.etol, ", ftol ", m.ftol);
        if (m.max_iterations == 0 || m.max_evaluations == 0 || m.max_iterations > 2147483647u ||
            m.max_evaluations > 2147483647u)
            throw error(who, ": minimizer iteration and evaluation limits must lie in 1..2^31-1");
        if (!(m.dmax >= 0) || !std::isfinite(m.dmax)) throw error(who, ": dmax must be >= 0, got ", m.dmax);
        if (!(opt_.skin >= 0) || !std::isfinite(opt_.skin)) throw error(who, ": skin must be >= 0, got ", opt_.skin);
    }

    void open() {
        const std::lock_guard<std::mutex> lock(detail::lammps_global_mutex());
        const char* args[] = {"tessera", "-log", "none", "-screen", "none", "-nocite", nullptr};
        mpi_thread_level_ = detail::lammps_mpi_thread_level();
        detail::lammps_require_mpi_usable(mpi_thread_level_, "open");
        if (MPI_Comm_dup(MPI_COMM_SELF, &comm_) != MPI_SUCCESS) {
            comm_ = MPI_COMM_NULL;
            throw error("lammps_engine: MPI_Comm_dup(MPI_COMM_SELF) failed");
        }
        h_ = lammps_open(6, const_cast<char**>(args), comm_, nullptr);
        if (!h_) {
            MPI_Comm_free(&comm_);
            throw error("lammps_engine: lammps_open failed");
        }
        auto fail = [&](const std::string& why) {
            lammps_close(h_);
            h_ = nullptr;
            MPI_Comm_free(&comm_);
            throw error("lammps_engine: ", why);
        };
        if (lammps_extract_setting(h_, "tagint") != 4 || lammps_extract_setting(h_, "imageint") != 4)
            fail("liblammps uses 64-bit atom ids or image flags (LAMMPS_BIGBIG); this engine needs LAMMPS_SMALLBIG");
        const std::string style = first_word(opt_.pair_style);
        if (!lammps_has_style(h_, "pair", style.c_str())) fail("this LAMMPS has no pair_style '" + style + "'");
        if (!lammps_has_style(h_, "minimize", opt_.minimizer.style.c_str()))
            fail("this LAMMPS has no min_style '" + opt_.minimizer.style + "'");
        // The private log a minimize is read from (file comment).
        std::string path = (std::filesystem::temp_directory_path() / "tessera_lammps_XXXXXX").string();
        const int fd = ::mkstemp(path.data());
        if (fd < 0) fail("cannot create a temporary file in " + std::filesystem::temp_directory_path().string());
        ::close(fd);
        log_path_ = path;
        built_ = false;
        box_set_ = false;
    }

    void close() noexcept {
        if (!h_) return;
        const std::lock_guard<std::mutex> lock(detail::lammps_global_mutex());
        int finalized = 0;
        MPI_Finalized(&finalized);
        if (!finalized) {  // after MPI_Finalize no MPI call is allowed: the instance is left, not freed
            lammps_close(h_);
            if (comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
        }
        h_ = nullptr;
        comm_ = MPI_COMM_NULL;
        std::error_code ec;
        if (!log_path_.empty()) std::filesystem::remove(log_path_, ec);
    }

    static std::string first_word(const std::string& s) {
        std::istringstream in(s);
        std::string w;
        in >> w;
        return w;
    }

    void command(const std::string& c) {
        lammps_command(h_, c.c_str());
        if (lammps_has_error(h_)) {
            char buf[1024];
            lammps_get_last_error_message(h_, buf, sizeof buf);
            throw error("lammps_engine: LAMMPS rejected '", c, "': ", buf);
        }
    }

    std::size_t check_call(const char* what, std::size_t n, const triclinic_box<double>& box) const {
        if (!h_) throw error("lammps_engine::", what, ": engine was moved from");
        detail::lammps_require_mpi_usable(mpi_thread_level_, what);
        if (n != opt_.types.size())
            throw error("lammps_engine::", what, ": ", n, " positions for an engine of ", opt_.types.size(), " atoms");
        (void)box;
        return n;
    }

    // Builds the system on first use (or when the periodicity changed), then sets box and positions.
    void prepare(std::span<const vec3<double>> x, const triclinic_box<double>& box) {
        for (std::size_t i = 0; i < x.size(); ++i)
            if (!std::isfinite(x[i].x) || !std::isfinite(x[i].y) || !std::isfinite(x[i].z))
                throw error("lammps_engine: atom ", i, " has a non-finite position");
        const std::size_t n = x.size();
        written_.resize(n);
        for (std::size_t i = 0; i < n; ++i) written_[i] = box.wrap(x[i]);
        if (!built_ || periodic_ != box.periodic_axes()) build(box);
        set_box(box);
        map_ids();
        auto** xl = static_cast<double**>(lammps_extract_atom(h_, "x"));
        auto* img = static_cast<int*>(lammps_extract_atom(h_, "image"));
        const int zero = lammps_encode_image_flags(0, 0, 0);
        for (std::size_t i = 0; i < n; ++i) {
            const std::size_t j = index_[i];
            xl[j][0] = written_[i].x;
            xl[j][1] = written_[i].y;
            xl[j][2] = written_[i].z;
            img[j] = zero;
        }
    }

    void build(const triclinic_box<double>& box) {
        const std::unique_lock<std::mutex> shared = lock_shared_state();
        build_locked(box);
    }

    // The mutex around steps that touch what instances share; when serialized, the caller holds
    // it already.
    std::unique_lock<std::mutex> lock_shared_state() {
        if (serialized()) return std::unique_lock<std::mutex>();
        return std::unique_lock<std::mutex>(detail::lammps_global_mutex());
    }

    void build_locked(const triclinic_box<double>& box);

    void set_box(const triclinic_box<double>& box) {
        const std::array<double, 9> b{box.lo().x, box.hi().x, box.lo().y, box.hi().y, box.lo().z,
                                      box.hi().z, box.xy(), box.xz(), box.yz()};
        if (box_set_ && b == last_box_) return;
        using detail::lammps_number;
        command("change_box all x final " + lammps_number(b[0]) + " " + lammps_number(b[1]) + " y final " +
                lammps_number(b[2]) + " " + lammps_number(b[3]) + " z final " + lammps_number(b[4]) + " " +
                lammps_number(b[5]) + " xy final " + lammps_number(b[6]) + " xz final " + lammps_number(b[7]) +
                " yz final " + lammps_number(b[8]) + " units box");
        last_box_ = b;
        box_set_ = true;
    }

    void map_ids() {
        const std::size_t n = opt_.types.size();
        const int nlocal = lammps_extract_setting(h_, "nlocal");
        if (nlocal < 0 || std::size_t(nlocal) != n)
            throw error("lammps_engine: LAMMPS holds ", nlocal, " atoms, expected ", n, " (atoms lost?)");
        const auto* id = static_cast<const int*>(lammps_extract_atom(h_, "id"));
        index_.assign(n, n);
        for (std::size_t j = 0; j < n; ++j) {
            if (id[j] < 1 || std::size_t(id[j]) > n || index_[std::size_t(id[j]) - 1] != n)
                throw error("lammps_engine: LAMMPS atom ids are not 1..", n);
            index_[std::size_t(id[j]) - 1] = j;
        }
    }

    relax_result read_minimize_log() const {
        std::ifstream in(log_path_);
        if (!in) throw error("lammps_engine: cannot read LAMMPS's log ", log_path_);
        relax_result r;
        std::string line, stop;
        bool in_thermo = false, have_counts = false;
        std::vector<double> energies;
        while (std::getline(in, line)) {
            std::istringstream words(line);
            std::string first;
            words >> first;
            if (first == "Step") {
                in_thermo = true;
                continue;
            }
            if (in_thermo) {  // thermo lines "step pe ..." until "Loop time"; warnings may interleave
                if (first == "Loop") {
                    in_thermo = false;
                    continue;
                }
                double pe = 0;
                std::istringstream t(line);
                t >> first;
                if (!first.empty() && first.find_first_not_of("0123456789") == std::string::npos && (t >> pe))
                    energies.push_back(pe);
                continue;
            }
            const auto eq = line.find(" = ");
            if (line.find("Stopping criterion =") != std::string::npos) {
                stop = line.substr(eq + 3);
                while (!stop.empty() && (stop.back() == ' ' || stop.back() == '\r')) stop.pop_back();
            } else if (line.find("Iterations, force evaluations =") != std::string::npos) {
                std::istringstream c(line.substr(eq + 3));
                have_counts = bool(c >> r.iterations >> r.evaluations);
            }
        }
        if (energies.size() < 1 || stop.empty() || !have_counts)
            throw error("lammps_engine: could not read the minimize summary from LAMMPS's log ", log_path_);
        r.initial_energy = energies.front();
        r.final_energy = energies.back();
        if (!detail::lammps_stop_reason(stop, r.reason))
            throw error("lammps_engine: LAMMPS minimize stopped on '", stop, "', which tessera does not represent");
        return r;
    }
};

inline void lammps_engine::build_locked(const triclinic_box<double>& box) {
    using detail::lammps_number;
    if (built_) command("clear");
    const std::size_t n = opt_.types.size();
    const int ntypes = *std::max_element(opt_.types.begin(), opt_.types.end());
    std::string boundary = "boundary";
    for (std::size_t d = 0; d < 3; ++d) boundary += box.periodic(d) ? " p" : " m";
    const std::string prism = "region tessera_box prism " + lammps_number(box.lo().x) + " " +
                              lammps_number(box.hi().x) + " " + lammps_number(box.lo().y) + " " +
                              lammps_number(box.hi().y) + " " + lammps_number(box.lo().z) + " " +
                              lammps_number(box.hi().z) + " " + lammps_number(box.xy()) + " " +
                              lammps_number(box.xz()) + " " + lammps_number(box.yz()) + " units box";
    for (const std::string& c : {"units " + opt_.units, std::string("atom_style atomic"),
                                 std::string("atom_modify map array sort 0 0.0"), std::string("box tilt large"),
                                 boundary, prism, "create_box " + std::to_string(ntypes) + " tessera_box"})
        command(c);
    std::vector<int> ids(n), types(opt_.types);
    std::vector<double> xs(3 * n);
    for (std::size_t i = 0; i < n; ++i) {
        ids[i] = int(i + 1);
        xs[3 * i] = written_[i].x;
        xs[3 * i + 1] = written_[i].y;
        xs[3 * i + 2] = written_[i].z;
    }
    const int created = lammps_create_atoms(h_, int(n), ids.data(), types.data(), xs.data(), nullptr, nullptr, 1);
    if (created < 0 || std::size_t(created) != n)
        throw error("lammps_engine: LAMMPS created ", created, " of ", n, " atoms");
    // Every type needs a mass before a run; a potential file (EAM) may set its own in pair_coeff.
    for (int t = 1; t <= ntypes; ++t) command("mass " + std::to_string(t) + " 1.0");
    command("pair_style " + opt_.pair_style);
    for (const std::string& c : opt_.pair_coeff) command("pair_coeff " + c);
    if (!opt_.pair_modify.empty()) command("pair_modify " + opt_.pair_modify);
    for (std::size_t t = 0; t < opt_.masses.size(); ++t)
        command("mass " + std::to_string(t + 1) + " " + lammps_number(opt_.masses[t]));
    command("neighbor " + lammps_number(opt_.skin) + " bin");
    command("neigh_modify delay 0 every 1 check yes");
    command("min_style " + opt_.minimizer.style);
    if (opt_.minimizer.dmax > 0) command("min_modify dmax " + lammps_number(opt_.minimizer.dmax));
    command("compute tessera_pe all pe/atom");
    command("compute tessera_virial all stress/atom NULL virial");
    // A per-atom compute is tallied on a step only when some output asks for it on that step:
    // thermo (at a run's first and last step) asks through the reduction.
    command("compute tessera_sum all reduce sum c_tessera_pe c_tessera_virial[1]");
    command("thermo 0");
    command("thermo_style custom step pe c_tessera_sum[1] c_tessera_sum[2]");
    command("thermo_modify norm no format float %.17g");
    nktv2p_ = *static_cast<double*>(lammps_extract_global(h_, "nktv2p"));
    periodic_ = box.periodic_axes();
    built_ = true;
    box_set_ = false;
}

static_assert(relaxation_engine<lammps_engine>);

}  // namespace tessera
