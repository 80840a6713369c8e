#!/usr/bin/env bash
# Reference for tests/physics/saddle_search.cpp: the vacancy migration barrier of fcc Cu
# (eam/alloy Cu_mishin1.eam.alloy from /usr/share/lammps/potentials) by climbing-image NEB in
# Debian's LAMMPS (29 Sep 2021 - Update 2, REPLICA package), 7 replicas under mpirun.
#
# System (the test builds the same one): fcc a = 3.615 Å, 4×4×4 conventional cells, periodic,
# the site at (2,2,2)·a deleted (255 atoms). Initial state: relaxed vacancy (cg, etol 0,
# ftol 1e-10). Final state: the nearest neighbour at (2.5,2.5,2)·a moved into the vacancy and
# relaxed. NEB: spring 1.0 eV/Å², `min_style fire`, first plain NEB then climbing image, both
# stages to ftol 1e-5 eV/Å (LAMMPS's NEB ftol: the largest atomic force of any replica, with
# the climbing image's force its true force at the end). With the CI converged to 1e-5 eV/Å the
# climbing image's energy is the saddle's to ~|F|²/|λ| ≈ 1e-10 eV.
#
# Writes vacancy_neb_barrier.txt: "barrier <EBF>" (eV, %.12g), the initial energy, and the
# energies of the replicas at the end (one "replica k PE" line each).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
here=$PWD
LMP=${LMP:-lmp}
NP=7
work=$(mktemp -d /tmp/make_vacancy_neb.XXXXXX)
trap 'rm -rf "${work}"' EXIT
cd "${work}"
common() {
    cat <<IN
units metal
atom_style atomic
atom_modify map array sort 0 0.0
boundary p p p
lattice fcc 3.615
region box block 0 4 0 4 0 4
create_box 1 box
create_atoms 1 box
mass 1 63.546
pair_style eam/alloy
pair_coeff * * /usr/share/lammps/potentials/Cu_mishin1.eam.alloy Cu
neighbor 2.0 bin
region vac sphere 7.23 7.23 7.23 0.1 units box
delete_atoms region vac
IN
}
# End states (serial run).
{
    common
    cat <<IN
thermo_style custom step pe fnorm
thermo_modify format float %.15g
min_modify dmax 0.1
minimize 0 1e-10 10000 100000
print "initial \$(pe:%.12g)" file energies.txt screen no
write_data initial.data
region mover sphere 9.0375 9.0375 7.23 0.1 units box
group mover region mover
displace_atoms mover move -1.8075 -1.8075 0 units box
minimize 0 1e-10 10000 100000
print "final \$(pe:%.12g)" append energies.txt screen no
write_dump all custom final.dump id x y z modify sort id format float %.15g
IN
} > ends.in
"${LMP}" -in ends.in -log ends.log -screen none
awk 'f {print} /ITEM: ATOMS/ {f=1}' final.dump > body.txt
{ wc -l < body.txt; cat body.txt; } > final.txt
{
    cat <<IN
units metal
atom_style atomic
atom_modify map array sort 0 0.0
boundary p p p
read_data initial.data
mass 1 63.546
pair_style eam/alloy
pair_coeff * * /usr/share/lammps/potentials/Cu_mishin1.eam.alloy Cu
neighbor 2.0 bin
timestep 0.002
min_style fire
fix 1 all neb 1.0 parallel ideal
thermo 100
neb 0.0 1e-5 20000 20000 100 final final.txt
IN
} > neb.in
# Open MPI refuses root unless told (containers run as root).
if [ "$(id -u)" = 0 ]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
mpirun -np ${NP} --oversubscribe "${LMP}" -partition ${NP}x1 -in neb.in -log neb.log -screen none
# The last thermo line of log.lammps: Step MaxReplicaForce MaxAtomForce GradV0 GradV1 GradVc EBF
# EBR RDT, then RD_k PE_k per replica.
last=$(awk '/^ *[0-9]+ +[-0-9.e+]+ +[-0-9.e+]+ +[-0-9.e+]+ /{l=$0} END{print l}' neb.log)
{
    echo "# vacancy migration in fcc Cu (Cu_mishin1, a 3.615, 4x4x4 minus (2,2,2)a), LAMMPS CI-NEB, make_vacancy_neb_reference.sh"
    echo "# last NEB line: ${last}"
    echo "${last}" | awk -v np=${NP} '{printf "max_replica_force %.6g\nbarrier %.12g\n", $2, $7; for (k = 0; k < np; ++k) printf "replica %d %.12g\n", k, $(11 + 2*k)}'
    cat energies.txt
} > "${here}/vacancy_neb_barrier.txt"
cat "${here}/vacancy_neb_barrier.txt"
