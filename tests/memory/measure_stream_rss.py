#!/usr/bin/python3
"""Peak memory of the `tessera` command streaming a long, large dump (issue 22, "Bounded memory";
numbers in docs/reliability.md).

For each command, the peak resident set size (ru_maxrss of that child, os.wait4) streaming F frames
of N atoms is compared with the same command on the first frame(s) only — one frame for
`compute`, two for the commands that compare a frame with a reference (`lens`, `d2min`, `msd`).
Streaming must not grow with the number of frames: the ratio must stay <= 1.5 (the per-frame
workspace is reused; outputs go to /dev/null through `-o -`, msd's CSV is a row per frame).

  measure_stream_rss.py TESSERA_EXE WORK_DIR [--cells N] [--frames F]
    default 136 cells: 4 * 136^3 = 10 061 824 atoms, 20 frames (about 8 GB of dump in WORK_DIR;
    the files are kept for re-runs and deleted with --clean).
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def peak_rss_mb(cmd, stdout=subprocess.DEVNULL):
    """Runs cmd; returns (exit code, peak RSS in MB of that process, wall seconds, stderr tail)."""
    t0 = time.time()
    p = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE)
    err = p.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, usage.ru_maxrss / 1024.0, time.time() - t0, err.strip()[-300:]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exe")
    ap.add_argument("work")
    ap.add_argument("--cells", type=int, default=136)
    ap.add_argument("--frames", type=int, default=20)
    ap.add_argument("--clean", action="store_true", help="delete the generated dumps at the end")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    gen = os.path.join(a.work, "make_stream_dump")
    src = os.path.join(HERE, "make_stream_dump.cpp")
    if not os.path.exists(gen) or os.path.getmtime(gen) < os.path.getmtime(src):
        subprocess.run(["g++", "-std=c++20", "-O2", src, "-o", gen], check=True)
    natoms = 4 * a.cells ** 3
    files = {}
    for frames in (1, 2, a.frames):
        path = os.path.join(a.work, f"fcc_{a.cells}_{frames}.dump")
        if not os.path.exists(path):
            t0 = time.time()
            subprocess.run([gen, str(a.cells), str(frames), path], check=True)
            print(f"wrote {path}: {os.path.getsize(path) / 1e9:.2f} GB in {time.time() - t0:.0f} s", flush=True)
        files[frames] = path
    commands = {
        "compute --coord 3.0 --csp 12": (1, ["compute", None, "-o", "-", "--coord", "3.0", "--csp", "12", "--quiet"]),
        "lens --cutoff 3.1": (2, ["lens", None, "-o", "-", "--cutoff", "3.1", "--quiet"]),
        "d2min --cutoff 4.0": (2, ["d2min", None, "-o", "-", "--cutoff", "4.0", "--quiet"]),
        "msd": (2, ["msd", None, "-o", "-", "--quiet"]),
    }
    rows, failed = [], False
    for name, (base_frames, args) in commands.items():
        result = {"command": name, "atoms": natoms, "frames": a.frames}
        for label, frames in (("baseline", base_frames), ("stream", a.frames)):
            cmd = [a.exe] + [files[frames] if x is None else x for x in args]
            rc, rss, secs, err = peak_rss_mb(cmd)
            if rc != 0:
                print(f"FAIL {name} on {frames} frame(s): exit {rc}: {err}")
                failed = True
            result[f"{label}_frames"] = frames
            result[f"{label}_rss_mb"] = round(rss, 1)
            result[f"{label}_seconds"] = round(secs, 1)
        result["ratio"] = round(result["stream_rss_mb"] / result["baseline_rss_mb"], 3)
        ok = result["ratio"] <= 1.5
        failed |= not ok
        print(("ok   " if ok else "FAIL ") + f"{name}: {result['baseline_rss_mb']:.0f} MB on "
              f"{result['baseline_frames']} frame(s), {result['stream_rss_mb']:.0f} MB streaming {a.frames} "
              f"(ratio {result['ratio']:.2f}; {natoms / 1e6:.2f} M atoms/frame; {result['stream_seconds']:.0f} s)",
              flush=True)
        rows.append(result)
    with open(os.path.join(a.work, "stream_rss.json"), "w") as f:
        json.dump(rows, f, indent=1)
    if a.clean:
        for path in files.values():
            os.remove(path)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
