#!/bin/sh
# Thermal frames for the PTM comparison with OVITO's PTM library (make_ovito_reference.sh):
# fcc Cu at 1200 K (Mishin EAM, 864 atoms), diamond Si at 1000 K and hexagonal-diamond Si at
# 600 K (Stillinger-Weber, 216 and 288 atoms); NPT at p = 0, 10 ps, last frame. Debian's LAMMPS.
set -eu
cd "$(dirname "$0")"
P=/usr/share/lammps/potentials
run() { lmp -in "$1" -log none -screen none; }
cat > /tmp/ptm_cu.in <<IN
units metal
boundary p p p
lattice fcc 3.615
region box block 0 6 0 6 0 6
create_box 1 box
create_atoms 1 box
mass 1 63.546
pair_style eam/alloy
pair_coeff * * $P/Cu_mishin1.eam.alloy Cu
velocity all create 2400 4928459 mom yes rot yes dist gaussian
fix 1 all npt temp 1200 1200 0.1 iso 0 0 1.0
timestep 0.002
run 5000
write_dump all custom $PWD/cu_1200.dump id type x y z modify sort id format float %.10g
IN
run /tmp/ptm_cu.in
cat > /tmp/ptm_si.in <<IN
units metal
boundary p p p
lattice diamond 5.431
region box block 0 3 0 3 0 3
create_box 1 box
create_atoms 1 box
mass 1 28.086
pair_style sw
pair_coeff * * $P/Si.sw Si
velocity all create 2000 1234567 mom yes rot yes dist gaussian
fix 1 all npt temp 1000 1000 0.1 iso 0 0 1.0
timestep 0.001
run 10000
write_dump all custom $PWD/si_dcub_1000.dump id type x y z modify sort id format float %.10g
IN
run /tmp/ptm_si.in
# lonsdaleite: hcp sites and the same shifted by 3c/8 (ideal c/a), orthogonal cell a x sqrt(3)a x c
cat > /tmp/ptm_lon.in <<IN
units metal
boundary p p p
variable a equal 3.840
variable c equal 3.840*sqrt(8/3)
lattice custom 1.0 a1 \${a} 0 0 a2 0 \$(sqrt(3)*v_a) 0 a3 0 0 \${c} &
  basis 0 0 0 basis 0.5 0.5 0 basis 0.5 0.1666666667 0.5 basis 0 0.6666666667 0.5 &
  basis 0 0 0.375 basis 0.5 0.5 0.375 basis 0.5 0.1666666667 0.875 basis 0 0.6666666667 0.875
region box block 0 4 0 3 0 3
create_box 1 box
create_atoms 1 box
mass 1 28.086
pair_style sw
pair_coeff * * $P/Si.sw Si
velocity all create 1200 7654321 mom yes rot yes dist gaussian
fix 1 all npt temp 600 600 0.1 aniso 0 0 1.0
timestep 0.001
run 10000
write_dump all custom $PWD/si_dhex_600.dump id type x y z modify sort id format float %.10g
IN
run /tmp/ptm_lon.in
