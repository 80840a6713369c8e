"""Frame 0 of a LAMMPS text dump (id type x y z ...) as a LAMMPS data file (atom_style atomic,
masses 1.0 unless given), the box from the dump's bounds by the LAMMPS triclinic rule, numbers
with 17 significant digits. Usage: dump_to_data.py DUMP DATA [mass1 mass2 ...]"""
import sys

def frame0(path):
    with open(path) as f:
        lines = f.read().split('\n')
    n = int(lines[3]); head = lines[4].split(); tri = 'xy' in head
    b = [list(map(float, lines[5 + k].split())) for k in range(3)]
    cols = lines[8].split()[2:]
    atoms = [lines[9 + i].split() for i in range(n)]
    return tri, b, cols, atoms
def write(path, tri, b, cols, atoms, masses=()):
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
        f.write('\nMasses\n\n' + ''.join('%d %s\n' % (t + 1, masses[t] if t < len(masses) else '1.0') for t in range(ntypes)) + '\nAtoms # atomic\n\n')
        for a in atoms:
            f.write('%s %s %s %s %s\n' % (a[ix], a[it], a[ixx], a[iy], a[iz]))


if __name__ == "__main__":
    write(sys.argv[2], *frame0(sys.argv[1]), masses=sys.argv[3:])
