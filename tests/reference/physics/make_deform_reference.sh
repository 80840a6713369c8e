#!/bin/sh
# Makes the LAMMPS reference of tests/physics/deform.cpp: frame 0 of cu_tilted.dump and
# cuzr_glass.dump as data files (box from the dump's bounds by the LAMMPS triclinic rule), then
# deform_remap.in with Debian's lmp. Deterministic (no random numbers).
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
    atoms = [lines[9 + i].split() for i in range(n)]
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
    ntypes = max(int(a[it]) for a in atoms)
    with open(path, 'w') as f:
        f.write('frame 0 of a tessera reference dump\n\n%d atoms\n%d atom types\n\n' % (len(atoms), ntypes))
        for (lo, hi), ax in zip(box, 'xyz'):
            f.write('%.17g %.17g %slo %shi\n' % (lo, hi, ax, ax))
        if tri:
            f.write('%.17g %.17g %.17g xy xz yz\n' % (xy, xz, yz))
        f.write('\nMasses\n\n' + ''.join('%d 1.0\n' % (t + 1) for t in range(ntypes)) + '\nAtoms # atomic\n\n')
        for a in atoms:
            f.write('%s %s %s %s %s\n' % (a[ix], a[it], a[ixx], a[iy], a[iz]))
write('cu_tilted.data', *frame0('../cu_tilted.dump'))
write('cuzr_glass.data', *frame0('../cuzr_glass.dump'))
PY
lmp -in deform_remap.in -log none -screen none
rm -f cu_tilted.data cuzr_glass.data
