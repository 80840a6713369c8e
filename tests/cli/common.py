"""Helpers shared by the end-to-end tests of the `tessera` command (tests/cli/check_*.py)."""
import gzip
import subprocess
import sys


class Checks:
    """Collects failed checks; finish() prints the verdict and exits 1 if any failed."""

    def __init__(self):
        self.failures = []

    def __call__(self, cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            self.failures.append(what)
        return cond

    def finish(self):
        if self.failures:
            print(f"{len(self.failures)} failed")
            sys.exit(1)
        print("all checks passed")


def run(exe, *args, cwd=None, stdin=None):
    """Runs the command; returns the CompletedProcess (text stdout/stderr)."""
    return subprocess.run([exe, *map(str, args)], capture_output=True, text=True, cwd=cwd, stdin=stdin)


def read_dump(path):
    """Frames of a LAMMPS text dump as dicts: timestep, names, rows (lists of strings)."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt") as f:
        lines = f.read().splitlines()
    frames, i = [], 0
    while i < len(lines):
        while lines[i] != "ITEM: TIMESTEP":
            i += 2 if lines[i] in ("ITEM: UNITS", "ITEM: TIME") else 1
        step = int(lines[i + 1])
        n = int(lines[i + 3])
        names = lines[i + 8].split()[2:]
        rows = [lines[i + 9 + k].split() for k in range(n)]
        frames.append({"timestep": step, "names": names, "rows": rows})
        i += 9 + n
    return frames


def column(frame, name):
    """One column of a read_dump frame as floats."""
    k = frame["names"].index(name)
    return [float(r[k]) for r in frame["rows"]]
