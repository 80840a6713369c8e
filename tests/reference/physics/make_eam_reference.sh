#!/usr/bin/env bash
# Regenerate the EAM reference data (tests/physics/eam.cpp) with Debian's serial LAMMPS:
#   Large-scale Atomic/Molecular Massively Parallel Simulator - 29 Sep 2021 - Update 2
# Potentials: /usr/share/lammps/potentials (package lammps-data). Takes ~2 s.
#
# | input               | pair_style / file                       | configuration                                   |
# |---------------------|-----------------------------------------|-------------------------------------------------|
# | eam_fs_cuzr.in      | eam/fs CuZr_mm.eam.fs Cu Zr             | ../cuzr_glass.dump, 2 frames, 2000 atoms, pp pp pp |
# | eam_alloy_cu.in     | eam/alloy Cu_mishin1.eam.alloy Cu       | ../cu_tilted.dump, 3 frames, 1000 atoms, triclinic |
# | eam_funcfl_cu.in    | eam, 1 1 Cu_u3.eam                      | ../cu_tilted.dump, frame 3500                   |
# | eam_funcfl_mixed.in | eam, 1 1 Cu_u3.eam + 2 2 Ni_u3.eam      | ../cuzr_glass.dump frame 0 (type 2 = Ni)        |
# | eam_cluster.in      | eam/fs CuZr_mm.eam.fs Cu Zr Cu          | 321-atom displaced fcc ball, boundary s s s     |
#
# Outputs: <name>.dump (`id type fx fy fz c_pe c_s[1..6]`, %.17g, atoms with id <= nsub only, to
# keep the files small; eam_cluster.dump also has x y z and all atoms) and <name>_pe.txt (the
# total potential energy per frame, %.17g). c_pe = compute pe/atom, c_s = compute stress/atom
# NULL virial (bar·Å³, = −W_i · nktv2p). LAMMPS logs go to /tmp.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
LMP=${LMP:-lmp}
for name in eam_fs_cuzr eam_alloy_cu eam_funcfl_cu eam_funcfl_mixed eam_cluster; do
    rm -f "${name}.dump" "${name}_pe.txt"
    echo ">>> ${LMP} -in ${name}.in"
    "${LMP}" -nocite -in "${name}.in" -log "/tmp/${name}.log" -screen none
done
