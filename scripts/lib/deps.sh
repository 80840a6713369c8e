# shellcheck shell=bash
# Sourced by scripts/test and scripts/demo: install the Debian 12 packages tessera needs,
# but only if something is missing (dpkg -s is fast; apt-get update is not).

TESSERA_DEBIAN_PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libxsimd-dev xtl-dev libboost-dev libboost-graph-dev
  catch2 libbenchmark-dev libcli11-dev libeigen3-dev libnanoflann-dev zlib1g-dev
  liblapack-dev libopenblas0-pthread
  liblammps-dev lammps voro++ voro++-dev
  libsvm-dev nlohmann-json3-dev
  python3-numpy python3-scipy python3-sklearn python3-matplotlib
  python3-ase  # reads tessera's extended XYZ in tests/cli/check_interop.py (docs/reliability.md)
  clang-14 libclang-rt-14-dev  # libFuzzer + ASan/UBSan runtimes: ctest fuzz.smoke (scripts/fuzz, docs/reliability.md)
  libomp-14-dev  # LLVM OpenMP + its TSan annotations (libarcher): scripts/test --sanitize thread
  ccache  # scripts/test compiles through it: a re-run after a small change rebuilds what changed
)

tessera_ensure_deps() {
  local missing=() pkg
  for pkg in "${TESSERA_DEBIAN_PACKAGES[@]}"; do
    if ! dpkg -s "$pkg" >/dev/null 2>&1; then
      missing+=("$pkg")
    fi
  done
  if ((${#missing[@]} == 0)); then
    echo "== dependencies: all ${#TESSERA_DEBIAN_PACKAGES[@]} Debian packages present"
    return 0
  fi
  echo "== dependencies: installing ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo=(sudo)
    else
      echo "error: missing packages (${missing[*]}) and not root; install them or run as root" >&2
      return 1
    fi
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update || return 1
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "${missing[@]}" || return 1
}

# Run a command and print how long it took: tessera_phase "<name>" cmd args...
# A failing command makes the phase (and, under set -e, the calling script) fail.
tessera_phase() {
  local name=$1; shift
  local start end rc=0
  start=$(date +%s.%N)
  echo "== ${name}: $*"
  "$@" || rc=$?
  end=$(date +%s.%N)
  if ((rc != 0)); then
    awk -v n="$name" -v s="$start" -v e="$end" -v rc="$rc" \
      'BEGIN { printf "== %s: FAILED (exit %d) after %.1f s\n", n, rc, e - s }' >&2
    return "$rc"
  fi
  awk -v n="$name" -v s="$start" -v e="$end" 'BEGIN { printf "== %s: done in %.1f s\n", n, e - s }'
}

# Compiler cache for scripts/test: sets the array tessera_ccache_args to the CMake arguments that
# route compilations through ccache (empty when ccache is missing or TESSERA_CCACHE=0) and exports
# its settings. The cache (~/.cache/ccache) is shared by every clone of the repository: paths
# under the clone are hashed relative to it (CCACHE_BASEDIR).
tessera_ccache_setup() {
  tessera_ccache_args=()
  [[ "${TESSERA_CCACHE:-1}" != 0 ]] && command -v ccache >/dev/null 2>&1 || return 0
  export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
  # Catch2 is a precompiled header in the tests (ccache's manual: PCH needs these two).
  export CCACHE_SLOPPINESS="pch_defines,time_macros${CCACHE_SLOPPINESS:+,$CCACHE_SLOPPINESS}"
  export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-10G}"
  tessera_ccache_args=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
}
