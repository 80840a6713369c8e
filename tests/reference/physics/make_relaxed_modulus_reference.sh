#!/usr/bin/env bash
# Reference for tests/physics/relaxed_modulus.cpp: the relaxed (non-affine) shear modulus by
# finite strain in Debian's serial LAMMPS (29 Sep 2021 - Update 2), potentials from
# /usr/share/lammps/potentials. Takes a few minutes.
#
#   cuzr: frame 1 of ../cuzr_glass.dump (2000 atoms, CuZr_mm.eam.fs), minimised again
#   ka:   ../physics/ka_periodic.dump (500-atom Kob-Andersen glass, lj/cut 2.5, shift yes), minimised
#   fcc:  perfect fcc Cu, a = 3.615 Å, 5×5×5 cells, displaced by (0.1, 0.2, 0.3) Å, Cu_mishin1
#
# Step 1 minimises each glass (cg, quadratic line search, etol 0, ftol 1e-11) in a triclinic box with
# zero tilts and writes relaxed_<system>.dump (id type x y z, %.17g: the exact doubles the test
# reads). Step 2, for each plane (xy, xz, yz), strain g in {1e-5, 1e-4} and sign s = ±1, restarts
# from that minimum: `change_box all <plane> delta s·g·l remap` (l = ly for xy, lz otherwise;
# apply_shear_step), minimises again, and writes one line to relaxed_modulus_ref.txt
#     <system> <plane> <s·g> <p_ab> <volume> <fnorm> <iterations>   (%.17g; p_ab in bar or lj)
# The test takes μ_R = −(p_ab(+g) − p_ab(−g)) / (2g) (pressure tensor p = −σ).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
LMP=${LMP:-lmp}
export LAMMPS_POTENTIALS=${LAMMPS_POTENTIALS:-/usr/share/lammps/potentials}
work=$(mktemp -d)
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT; echo "work: $work"
out=relaxed_modulus_ref.txt
sed -n '/^ITEM: TIMESTEP/{n;/^1$/{:a;N;$!ba;s/^/ITEM: TIMESTEP\n/;p}}' ../cuzr_glass.dump > "$work/frame1.dump"
/usr/bin/python3 dump_to_data.py "$work/frame1.dump" "$work/cuzr0.data" 63.546 91.224
/usr/bin/python3 dump_to_data.py ka_periodic.dump "$work/ka0.data" 1.0 1.0

setup() {  # system, data file or "" for fcc
    echo "units $([ "$1" = ka ] && echo lj || echo metal)"
    echo "atom_style atomic"
    echo "boundary p p p"
    if [ "$1" = fcc ]; then
        echo "lattice fcc 3.615"
        echo "region box prism 0 5 0 5 0 5 0 0 0"
        echo "create_box 1 box"
        echo "create_atoms 1 box"
        echo "mass 1 63.546"
        echo "displace_atoms all move 0.1 0.2 0.3 units box"
    else
        echo "read_data $2"
        echo "change_box all triclinic"
    fi
    case $1 in
        cuzr) echo "pair_style eam/fs"; echo "pair_coeff * * CuZr_mm.eam.fs Cu Zr"; echo "neighbor 1.0 bin" ;;
        fcc) echo "pair_style eam/alloy"; echo "pair_coeff * * Cu_mishin1.eam.alloy Cu"; echo "neighbor 1.0 bin" ;;
        ka) echo "pair_style lj/cut 2.5"; echo "pair_coeff 1 1 1.0 1.0 2.5"; echo "pair_coeff 1 2 1.5 0.8 2.0"
            echo "pair_coeff 2 2 0.5 0.88 2.2"; echo "pair_modify shift yes"; echo "neighbor 0.3 bin" ;;
    esac
    echo "neigh_modify every 1 delay 0 check yes"
    echo "thermo_style custom step pe fnorm pxy pxz pyz vol"
    echo "thermo_modify norm no"
    echo "min_style cg"
}

for system in cuzr ka; do
    { setup $system "$work/${system}0.data"
      echo "minimize 0.0 1e-11 100000 1000000"
      echo "write_data $work/${system}.data nocoeff"
      echo "write_dump all custom relaxed_${system}.dump id type x y z modify sort id format float %.17g"
    } > "$work/min_${system}.in"
    "$LMP" -nocite -in "$work/min_${system}.in" -log "$work/min_${system}.log" -screen none
done

echo "# system plane gamma p_ab volume fnorm iterations  (LAMMPS 29 Sep 2021, make_relaxed_modulus_reference.sh)" > "$out"
for system in cuzr ka fcc; do
    for plane in xy xz yz; do
        l=lz; [ "$plane" = xy ] && l=ly
        for g in 1e-5 -1e-5 1e-4 -1e-4; do
            [ "$system" = fcc ] && [ "${g#-}" = 1e-5 ] && continue
            { setup $system "$work/${system}.data"
              echo "change_box all ${plane} delta \$(${g}*${l}:%.17g) remap units box"
              echo "minimize 0.0 1e-11 100000 1000000"
              echo "variable it equal \$(step)"
              echo "print \"${system} ${plane} ${g} \$(p${plane}:%.17g) \$(vol:%.17g) \$(fnorm:%.6g) \${it}\" append ${out} screen no"
            } > "$work/run.in"
            "$LMP" -nocite -in "$work/run.in" -log "$work/run_${system}_${plane}_${g}.log" -screen none
        done
    done
done
grep -h "Stopping criterion" -A0 "$work"/min_*.log || true
