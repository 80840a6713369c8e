#!/usr/bin/python3
"""Reference for tests/cluster/tracking.cpp: clusters of mobile atoms tracked across the 21
frames of the CuZr liquid (tests/reference/msd/cuzr_liquid.dump, LAMMPS, 432 atoms, 0.2 ps
apart), written from the definitions in include/tessera/cluster/tracking.hpp without sharing
code with it.

Signal A (B): atoms whose displacement since the previous frame (unwrapped with the image
flags, x + ix*L) exceeds 0.95 (1.15) Angstrom; clusters: flagged atoms linked by a minimum-image
distance strictly below 3.0 Angstrom, by union-find over all pairs (brute force). Frames 1..20
carry clusters (frame 0 has no displacement). Tracking: pairwise overlaps by Python sets, the
mutual-best rule with the header's tie rules, expressed as sort keys. Delays: brute force over
all track pairs.

Margins are asserted so that C++ flags and links (same doubles, different arithmetic order)
cannot differ: no displacement within 1e-9 A of a threshold, no flagged pair within 1e-9 A of
the link. Deterministic; writes tracking_cuzr_liquid.txt next to this script.
"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DUMP = os.path.join(HERE, "..", "msd", "cuzr_liquid.dump")
THRESHOLDS = {"A": 0.95, "B": 1.15}
LINK = 3.0


def read_dump(path):
    frames = []
    with open(path) as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        if lines[i].startswith("ITEM: TIMESTEP"):
            ts = int(lines[i + 1])
            n = int(lines[i + 3])
            box = [[float(v) for v in lines[i + 5 + k].split()] for k in range(3)]
            cols = lines[i + 8].split()[2:]
            assert cols == ["id", "type", "x", "y", "z", "ix", "iy", "iz"]
            rows = [lines[i + 9 + k].split() for k in range(n)]
            ids = np.array([int(r[0]) for r in rows])
            x = np.array([[float(v) for v in r[2:5]] for r in rows])
            img = np.array([[int(v) for v in r[5:8]] for r in rows])
            frames.append((ts, box, ids, x, img))
            i += 9 + n
        else:
            i += 1
    return frames


def clusters_of(ids, x, L, flagged):
    """Union-find over all flagged pairs closer than LINK (minimum image, orthogonal box)."""
    idx = [i for i in range(len(ids)) if flagged[i]]
    parent = {i: i for i in idx}

    def find(a):
        while parent[a] != a:
            a = parent[a]
        return a

    for a_pos, a in enumerate(idx):
        for b in idx[a_pos + 1:]:
            d = x[b] - x[a]
            d = d - L * np.round(d / L)
            r = float(np.sqrt(d @ d))
            assert abs(r - LINK) > 1e-9, "pair distance too close to the link"
            if r < LINK:
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    groups = {}
    for i in idx:
        groups.setdefault(find(i), set()).add(int(ids[i]))
    return sorted(groups.values(), key=lambda s: min(s))


def track(frames_clusters):
    """frames_clusters: list of (timestep, [set of ids, ...]). Returns tracks, events."""
    tracks = []  # dicts
    events = []
    prev = []  # list of (set, track index)
    for f, (ts, cl) in enumerate(frames_clusters):
        ev = dict(ts=ts, clusters=len(cl), births=0, splits=0, merges=0, deaths=0)
        ov = {}
        for pi, (ps, _) in enumerate(prev):
            for ci, cs in enumerate(cl):
                o = len(ps & cs)
                if o:
                    ov[(pi, ci)] = o
        pred = {}
        for ci in range(len(cl)):
            cand = [pi for (pi, cj) in ov if cj == ci]
            if cand:
                pred[ci] = min(cand, key=lambda pi: (-ov[(pi, ci)], tracks[prev[pi][1]]["first_frame"], prev[pi][1]))
        succ = {}
        for pi in range(len(prev)):
            cand = [ci for (pj, ci) in ov if pj == pi]
            if cand:
                succ[pi] = min(cand, key=lambda ci: (-ov[(pi, ci)], -len(cl[ci]), min(cl[ci])))
        owner = [None] * len(cl)
        for ci in range(len(cl)):
            if ci in pred and succ[pred[ci]] == ci:
                t = tracks[prev[pred[ci]][1]]
                owner[ci] = t["id"]
                t["last_frame"] = f
                t["last_ts"] = ts
                t["sizes"].append(len(cl[ci]))
                t["atoms"] |= cl[ci]
        for ci in range(len(cl)):
            if owner[ci] is None:
                split = ci in pred
                t = dict(id=len(tracks), first_frame=f, last_frame=f, first_ts=ts, last_ts=ts, sizes=[len(cl[ci])],
                         birth=set(cl[ci]), atoms=set(cl[ci]), origin="split" if split else "birth",
                         parent=prev[pred[ci]][1] if split else None, end="alive", merged_into=None)
                tracks.append(t)
                owner[ci] = t["id"]
                ev["splits" if split else "births"] += 1
        for pi, (ps, ti) in enumerate(prev):
            t = tracks[ti]
            if t["last_frame"] == f:
                continue
            if pi in succ:
                t["end"] = "merged"
                t["merged_into"] = owner[succ[pi]]
                ev["merges"] += 1
            else:
                t["end"] = "death"
                ev["deaths"] += 1
        prev = [(cl[ci], owner[ci]) for ci in range(len(cl))]
        events.append(ev)
    return tracks, events


def delays(ta, tb):
    out = []
    for x in ta:
        best = None
        for y in tb:
            if y["first_ts"] >= x["first_ts"] and (x["atoms"] & y["birth"]):
                key = (y["first_ts"], y["id"])
                if best is None or key < best:
                    best = key
        out.append((x["id"], best[1] if best else -1, best[0] - x["first_ts"] if best else -1))
    return out


def main():
    frames = read_dump(DUMP)
    assert len(frames) == 21
    out = [f"# generated by make_tracking_reference.py from msd/cuzr_liquid.dump; link {LINK}"]
    result = {}
    for name, thr in THRESHOLDS.items():
        seq = []
        for k in range(1, len(frames)):
            ts, box, ids, x, img = frames[k]
            _, box0, ids0, x0, img0 = frames[k - 1]
            assert (ids == ids0).all()
            L = np.array([b[1] - b[0] for b in box])
            L0 = np.array([b[1] - b[0] for b in box0])
            d = (x + img * L) - (x0 + img0 * L0)
            r = np.sqrt((d * d).sum(axis=1))
            assert (np.abs(r - thr) > 1e-9).all(), "displacement too close to the threshold"
            seq.append((ts, clusters_of(ids, x, L, r > thr)))
        tracks, events = track(seq)
        result[name] = tracks
        out.append(f"signal {name} {thr} frames {len(seq)} tracks {len(tracks)}")
        for (ts, cl), ev in zip(seq, events):
            out.append(f"frame {name} {ts} {ev['clusters']} {ev['births']} {ev['splits']} {ev['merges']} {ev['deaths']}")
            for c in cl:
                out.append(f"cluster {name} {ts} " + " ".join(map(str, sorted(c))))
        for t in tracks:
            out.append(f"track {name} {t['id']} {t['first_frame']} {t['last_frame']} {t['first_ts']} {t['last_ts']} "
                       f"{max(t['sizes'])} {t['origin']} {-1 if t['parent'] is None else t['parent']} {t['end']} "
                       f"{-1 if t['merged_into'] is None else t['merged_into']}")
            out.append(f"sizes {name} {t['id']} " + " ".join(map(str, t["sizes"])))
            out.append(f"birth {name} {t['id']} " + " ".join(map(str, sorted(t["birth"]))))
            out.append(f"atoms {name} {t['id']} " + " ".join(map(str, sorted(t["atoms"]))))
    for a, b, d in delays(result["A"], result["B"]):
        out.append(f"delay {a} {b} {d}")
    with open(os.path.join(HERE, "tracking_cuzr_liquid.txt"), "w") as f:
        f.write("\n".join(out) + "\n")
    for name, tracks in result.items():
        kinds = {k: sum(1 for t in tracks if t[k[0]] == k[1]) for k in
                 [("origin", "birth"), ("origin", "split"), ("end", "merged"), ("end", "death")]}
        print(name, len(tracks), "tracks", kinds)


if __name__ == "__main__":
    main()
