#!/bin/sh
# Makes the LAMMPS reference of tests/physics_lammps/lammps_engine.cpp (physics/lammps_engine.hpp)
# with Debian's lmp, from frame 0 of cuzr_glass.dump (2000 atoms, orthogonal) and frame 0 of
# d2min/cuzr_aqs.dump (686 atoms, triclinic), CuZr eam/fs (Mendelev 2009, lammps-data's
# CuZr_mm.eam.fs). Settings mirror what lammps_engine issues (triclinic box, no atom sorting,
# neighbor 2.0 bin, delay 0 every 1 check yes), so both runs take the same arithmetic path.
# Deterministic (no random numbers). Outputs (all numbers %.17g):
#   lammps_engine_eval.dump  run 0 of cuzr_glass frame 0: id pe fx fy fz stress/atom (NULL virial),
#                            atoms 1..400 (the whole frame would be 500 KB)
#   lammps_engine_ref.txt    key value lines: totals of that run 0; cg minimize (etol 0, ftol
#                            1e-8) with nothing / ids 10 500 1500 frozen (fix setforce); AQS on
#                            cuzr_aqs frame 0: minimize, then 3 x (change_box xy delta 1e-3*ly
#                            remap, minimize), pe and pxy after each
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
/usr/bin/python3 - <<'PY'
def frame0(path):
    with open(path) as f:
        lines = f.read().split('\n')
    n = int(lines[3]); head = lines[4].split(); tri = 'xy' in head
    b = [list(map(float, lines[5 + k].split())) for k in range(3)]
    cols = lines[8].split()[2:]
    atoms = sorted((lines[9 + i].split() for i in range(n)), key=lambda a: int(a[cols.index('id')]))
    return tri, b, cols, atoms
def write(path, tri, b, cols, atoms):
    if tri:
        xy, xz, yz = b[0][2], b[1][2], b[2][2]
        xlo = b[0][0] - min(0.0, xy, xz, xy + xz); xhi = b[0][1] - max(0.0, xy, xz, xy + xz)
        ylo = b[1][0] - min(0.0, yz); yhi = b[1][1] - max(0.0, yz)
        box = [(xlo, xhi), (ylo, yhi), (b[2][0], b[2][1])]
    else:
        box = [(b[k][0], b[k][1]) for k in range(3)]
    ix, it, ixx, iy, iz = cols.index('id'), cols.index('type'), cols.index('x'), cols.index('y'), cols.index('z')
    with open(path, 'w') as f:
        f.write('frame 0 of a tessera reference dump\n\n%d atoms\n2 atom types\n\n' % len(atoms))
        for (lo, hi), ax in zip(box, 'xyz'):
            f.write('%.17g %.17g %slo %shi\n' % (lo, hi, ax, ax))
        if tri:
            f.write('%.17g %.17g %.17g xy xz yz\n' % (xy, xz, yz))
        f.write('\nAtoms # atomic\n\n')
        for a in atoms:
            f.write('%s %s %s %s %s\n' % (a[ix], a[it], a[ixx], a[iy], a[iz]))
write('lammps_engine_glass.data', *frame0('../cuzr_glass.dump'))
write('lammps_engine_aqs.data', *frame0('../d2min/cuzr_aqs.dump'))
PY
cat > lammps_engine_ref.in <<'EOF'
# Run by make_lammps_engine_reference.sh.
variable        pot string /usr/share/lammps/potentials/CuZr_mm.eam.fs
# --- run 0 and the minimizations of cuzr_glass frame 0 -------------------------------------
label           setup
units           metal
atom_style      atomic
atom_modify     map array sort 0 0.0
box             tilt large
read_data       lammps_engine_glass.data
change_box      all triclinic
pair_style      eam/fs
pair_coeff      * * ${pot} Cu Zr
neighbor        2.0 bin
neigh_modify    delay 0 every 1 check yes
compute         pea all pe/atom
compute         sa all stress/atom NULL virial
compute         spe all reduce sum c_pea
compute         ssa all reduce sum c_sa[1] c_sa[2] c_sa[3] c_sa[4] c_sa[5] c_sa[6]
# the per-atom computes are evaluated (and tallied) on a step only when an output asks for them
thermo_style    custom step pe c_spe c_ssa[1]
thermo_modify   norm no format float %.17g
group           head id 1:400
run             0
write_dump      head custom lammps_engine_eval.dump id c_pea fx fy fz c_sa[1] c_sa[2] c_sa[3] c_sa[4] c_sa[5] c_sa[6] modify sort id format float %.17g
print           "eval_pe $(c_spe:%.17g)" file lammps_engine_ref.txt
print           "eval_virial $(c_ssa[1]:%.17g) $(c_ssa[2]:%.17g) $(c_ssa[3]:%.17g) $(c_ssa[4]:%.17g) $(c_ssa[5]:%.17g) $(c_ssa[6]:%.17g)" append lammps_engine_ref.txt
min_style       cg
minimize        0 1e-8 100000 1000000
print           "relax_final $(pe:%.17g)" append lammps_engine_ref.txt
clear
units           metal
atom_style      atomic
atom_modify     map array sort 0 0.0
box             tilt large
read_data       lammps_engine_glass.data
change_box      all triclinic
pair_style      eam/fs
pair_coeff      * * ${pot} Cu Zr
neighbor        2.0 bin
neigh_modify    delay 0 every 1 check yes
thermo_modify   norm no
thermo_style    custom step pe
group           frozen id 10 500 1500
fix             freeze frozen setforce 0.0 0.0 0.0
min_style       cg
minimize        0 1e-8 100000 1000000
print           "frozen_final $(pe:%.17g)" append lammps_engine_ref.txt
# --- AQS on cuzr_aqs frame 0 ---------------------------------------------------------------
clear
units           metal
atom_style      atomic
atom_modify     map array sort 0 0.0
box             tilt large
read_data       lammps_engine_aqs.data
pair_style      eam/fs
pair_coeff      * * ${pot} Cu Zr
neighbor        2.0 bin
neigh_modify    delay 0 every 1 check yes
thermo_style    custom step pe pxy
thermo_modify   norm no
min_style       cg
minimize        0 1e-8 100000 1000000
print           "aqs 0 $(pe:%.17g) $(pxy:%.17g)" append lammps_engine_ref.txt
variable        k loop 3
label           aqs_loop
change_box      all xy delta $(1e-3*ly) remap units box
minimize        0 1e-8 100000 1000000
print           "aqs ${k} $(pe:%.17g) $(pxy:%.17g)" append lammps_engine_ref.txt
next            k
jump            SELF aqs_loop
EOF
lmp -in lammps_engine_ref.in -log none -screen none
rm -f lammps_engine_glass.data lammps_engine_aqs.data lammps_engine_ref.in
