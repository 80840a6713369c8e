#!/usr/bin/env bash
# Reference for tests/physics/shear_modulus.cpp: LAMMPS's total potential energy under affine
# simple shear (no relaxation), Debian's serial LAMMPS (29 Sep 2021 - Update 2), potentials from
# /usr/share/lammps/potentials (package lammps-data). Takes ~2 s.
#
#   glass: ../cuzr_glass.dump frame 0 (2000 atoms), eam/fs CuZr_mm.eam.fs Cu Zr
#   fcc:   perfect fcc Cu, a = 3.615 Å, 5×5×5 conventional cells (500 atoms), eam/alloy
#          Cu_mishin1.eam.alloy
#
# For each system, plane (xy, xz, yz) and k = −4..4: `change_box all <plane> final k·h·l remap`
# (l = ly for xy, lz otherwise; γ = tilt/l, the engineering shear strain), `run 0`, and one line
#   <system> <plane> <γ> <pe>          (%.17g)
# in shear_modulus_pe.txt, for two step sizes h = 1e-3 and 1e-4. The test fits the curvature
# d²E/dγ² with the 5-point stencil on k = 0, ±1, ±2 (and compares with the 9-point fit).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
LMP=${LMP:-lmp}
out=shear_modulus_pe.txt
in=/tmp/make_shear_modulus_reference.in
echo "# system plane gamma pe   (LAMMPS 29 Sep 2021, make_shear_modulus_reference.sh)" > "${out}"
for system in glass fcc; do
    {
        echo "units metal"
        echo "atom_style atomic"
        echo "boundary p p p"
        if [ "${system}" = glass ]; then
            echo "region box block 0 10 0 10 0 10 units box"
            echo "create_box 2 box"
            echo "pair_style eam/fs"
            echo "pair_coeff * * CuZr_mm.eam.fs Cu Zr"
            echo "read_dump ../cuzr_glass.dump 0 x y z ix iy iz box yes add yes"
        else
            echo "lattice fcc 3.615"
            echo "region box block 0 5 0 5 0 5"
            echo "create_box 1 box"
            echo "create_atoms 1 box"
            echo "mass 1 63.546"
            echo "pair_style eam/alloy"
            echo "pair_coeff * * Cu_mishin1.eam.alloy Cu"
        fi
        echo "change_box all triclinic"
        echo "neighbor 1.0 bin"
        echo "thermo_style custom step pe"
        for h in 1e-3 1e-4; do
            for plane in xy xz yz; do
                l=lz; [ "${plane}" = xy ] && l=ly
                for k in -4 -3 -2 -1 0 1 2 3 4; do
                    echo "change_box all ${plane} final \$(${k}*${h}*${l}:%.17g) remap units box"
                    echo "run 0"
                    echo "print \"${system} ${plane} \$(${plane}/${l}:%.17g) \$(pe:%.17g)\" append ${out} screen no"
                done
                echo "change_box all ${plane} final 0 remap units box"
            done
        done
    } > "${in}"
    echo ">>> ${LMP} -in ${in} (${system})"
    "${LMP}" -nocite -in "${in}" -log "/tmp/make_shear_modulus_${system}.log" -screen none
done
