#!/usr/bin/python3
"""Writes the seed corpus of the libFuzzer targets, tests/fuzz/corpus/<target>/ (docs/reliability.md):
small pieces cut from the real files of tests/reference/ and /usr/share/lammps/potentials/, plus
edge cases (counts a file claims but does not hold, empty items, non-finite numbers, ...). Every
file is < 4 KB. Deterministic; run from anywhere: /usr/bin/python3 tests/fuzz/make_corpus.py"""
import gzip
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
REF = os.path.join(HERE, "..", "reference")
POT = "/usr/share/lammps/potentials"
OUT = os.path.join(HERE, "corpus")


def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    assert len(data) < 4096, (target, name, len(data))
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def cut_dump(path, natoms):
    """The first frame of a LAMMPS dump with its first `natoms` atoms (NUMBER OF ATOMS fixed)."""
    lines = open(path).read().splitlines()
    i = lines.index("ITEM: NUMBER OF ATOMS")
    head = lines[: i + 1] + [str(natoms)]
    j = next(k for k, l in enumerate(lines) if l.startswith("ITEM: ATOMS"))
    return "\n".join(head + lines[i + 2 : j + 1] + lines[j + 1 : j + 1 + natoms]) + "\n"


def dumps():
    glass = cut_dump(os.path.join(REF, "cuzr_glass.dump"), 12)
    tilted = cut_dump(os.path.join(REF, "cu_tilted.dump"), 10)
    yield "cuzr_glass_12.dump", glass
    yield "cu_tilted_10.dump", tilted
    yield "two_frames.dump", glass + glass.replace("TIMESTEP\n0", "TIMESTEP\n100")
    yield "units_time.dump", "ITEM: UNITS\nmetal\nITEM: TIME\n0.5\n" + glass
    strings = os.path.join(REF, "strings", "element_nan.dump")
    if os.path.exists(strings):
        yield "element_nan.dump", cut_dump(strings, 8)
    head = "ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n%s\nITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\n"
    yield "claims_1e12_atoms.dump", head % "1000000000000" + "ITEM: ATOMS id type x y z\n1 1 0 0 0\n"
    yield "claims_huge_atoms.dump", head % "18446744073709551615" + "ITEM: ATOMS id type x y z\n1 1 0 0 0\n"
    yield "zero_atoms.dump", head % "0" + "ITEM: ATOMS id type x y z\n"
    yield "negative_atoms.dump", head % "-3" + "ITEM: ATOMS id type x y z\n"
    yield "nan_inf_values.dump", head % "2" + "ITEM: ATOMS id type x y z c_pe\n1 1 nan 0 0 inf\n2 2 1e308 -0 5e-324 -inf\n"
    yield "fs_boundaries.dump", (head % "1").replace("pp pp pp", "fs sm pm") + "ITEM: ATOMS id type xs ys zs\n1 1 0.5 0.5 0.5\n"
    yield "scaled_unwrapped.dump", head % "2" + "ITEM: ATOMS id type xsu ysu zsu\n1 1 0.5 1.5 -0.5\n2 1 0 0 0\n"
    yield "general_triclinic.dump", (head % "1").replace("BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10", "BOX BOUNDS abc origin pp pp pp\n10 0 0 0\n0 10 0 0\n0 0 10 0") + "ITEM: ATOMS id type x y z\n1 1 0 0 0\n"
    yield "truncated.dump", glass[: len(glass) // 2]


def xyz_of(dump_text, lattice):
    lines = dump_text.splitlines()
    n = int(lines[3])
    atoms = lines[9 : 9 + n]
    out = [str(n), 'Lattice="%s" Properties=species:S:1:pos:R:3:id:I:1 pbc="T T T" Time=0.0' % lattice]
    for a in atoms:
        w = a.split()
        out.append("%s %s %s %s %s" % ("Cu" if w[1] == "1" else "Zr", w[2], w[3], w[4], w[0]))
    return "\n".join(out) + "\n"


def extxyz():
    glass = cut_dump(os.path.join(REF, "cuzr_glass.dump"), 12)
    L = 3.2825974639777023e01 + 2.2597463977720622e-01
    frame = xyz_of(glass, "%r 0 0 0 %r 0 0 0 %r" % (L, L, L))
    yield "cuzr_glass_12.xyz", frame
    yield "two_frames.xyz", frame + frame
    yield "plain_xyz.xyz", "3\ncomment without keys\nCu 0 0 0\nZr 1 1 1\nCu 2 2 2\n"
    yield "origin_vel.xyz", '2\nLattice="10 0 0 1 10 0 0 0 10" Origin="-1 -1 -1" Properties=species:S:1:pos:R:3:vel:R:3 pbc="T F T"\nCu 0 0 0 1 2 3\nZr 1 1 1 -1 -2 -3\n'
    yield "quoted_values.xyz", '1\nLattice="5 0 0 0 5 0 0 0 5" Properties=species:S:1:pos:R:3 name="a b\\"c" flag=T energy=-1.5e3\nCu 0 0 0\n'
    yield "left_handed.xyz", '1\nLattice="0 10 0 10 0 0 0 0 10" Properties=species:S:1:pos:R:3\nCu 0 0 0\n'
    yield "claims_1e12_atoms.xyz", "1000000000000\nProperties=species:S:1:pos:R:3\nCu 0 0 0\n"
    yield "claims_huge_columns.xyz", "1\nProperties=species:S:1:pos:R:3:f:R:1000000000\nCu 0 0 0 1\n"
    yield "nan_positions.xyz", "2\n\nCu nan 0 0\nZr inf -inf 1e-320\n"


def csv():
    lines = open(os.path.join(REF, "learn", "knn_real_train.csv")).read().splitlines()
    yield "knn_real_train_20.csv", "\n".join(lines[:21]) + "\n"
    yield "quoted_header.csv", '"a","b"\n1,2\n3,4\n'
    yield "comments_blank.csv", "# comment\n\nx, y ,z\n1, 2 ,3\n\n# more\n4,5,6\n"
    yield "nan_inf.csv", "a,b\nnan,inf\n-inf,1e308\n5e-324,-0\n"
    yield "ragged.csv", "a,b,c\n1,2\n"
    yield "empty_cell.csv", "a,b\n1,\n"
    yield "duplicate_name.csv", "a,a\n1,2\n"
    yield "header_only.csv", "only\n"
    yield "crlf.csv", "a,b\r\n1,2\r\n"


def models():
    base = {"format": "tessera-model", "version": 1, "features": ["f0", "f1"], "label": "T", "scaler": {"kind": "none"}}
    def m(kind, body, scaler=None):
        d = dict(base, model=kind)
        d[kind] = body
        if scaler:
            d["scaler"] = scaler
        return json.dumps(d, indent=1)
    yield "knn.json", m("knn", {"k": 2, "weights": "distance", "metric": "euclidean",
                                 "x": [[0, 0], [1, 0], [0, 1], [1, 1]], "y": [0, 1, 1, 0]},
                        {"kind": "standard", "mean": [0.5, 0.5], "scale": [2, 2]})
    yield "knn_manhattan.json", m("knn", {"k": 2, "weights": "uniform", "metric": "manhattan",
                                           "x": [[0, 0], [1, 0]], "y": [3, 7]})
    logi = {"classes": [0, 1], "coef": [[0.5, -1.25]], "intercept": [0.1]}
    yield "logistic.json", m("logistic", logi, {"kind": "minmax", "min": [0, -1], "scale": [1, 0.5]})
    yield "logistic_multi.json", m("logistic", {"classes": [1, 2, 3], "coef": [[1, 0], [0, 1], [-1, -1]],
                                                "intercept": [0, 0.5, -0.5]})
    yield "svm_rbf.json", m("svm", {"kernel": "rbf", "gamma": 0.5, "coef0": 0, "degree": 3, "classes": [0, 1],
                                    "n_support": [1, 1], "support_vectors": [[0, 0], [1, 1]],
                                    "dual_coef": [[-1, 1]], "intercept": [0.2], "prob_a": [-1.5], "prob_b": [0.1]})
    yield "svm_poly3.json", m("svm", {"kernel": "poly", "gamma": 1, "coef0": 1, "degree": 2, "classes": [0, 1, 2],
                                      "n_support": [1, 1, 1], "support_vectors": [[0, 0], [1, 0], [0, 1]],
                                      "dual_coef": [[1, 1, -1], [-1, 1, 1]], "intercept": [0, 0.1, -0.1]})
    yield "easyensemble.json", m("easyensemble", {"seed": 7, "estimators": [logi, logi]})
    tree = {"children_left": [1, -1, -1], "children_right": [2, -1, -1], "feature": [0, -2, -2],
            "threshold": [0.5, -2, -2], "value": [0, -1, 1], "impurity": [0.25, 0, 0],
            "n_node_samples": [4, 2, 2], "weighted_n_node_samples": [4, 2, 2]}
    yield "gbt.json", m("gbt", {"classes": [0, 1], "learning_rate": 0.1, "init": [0.0], "trees": [tree, tree]})
    # a tree of the real scikit-learn-converted reference model (tests/reference/learn/gbt/)
    real = json.load(open(os.path.join(REF, "learn", "gbt", "gbt_binary_small.json")))
    real["gbt"]["trees"] = real["gbt"]["trees"][:1]
    yield "gbt_real_one_tree.json", json.dumps(real)
    yield "cyclic_tree.json", m("gbt", {"classes": [0, 1], "learning_rate": 0.1, "init": [0.0],
                                        "trees": [dict(tree, children_left=[0, -1, -1])]})
    yield "bad_feature_index.json", m("gbt", {"classes": [0, 1], "learning_rate": 0.1, "init": [0.0],
                                              "trees": [dict(tree, feature=[99, -2, -2])]})
    yield "knn_k_huge.json", m("knn", {"k": 18446744073709551615, "weights": "uniform", "metric": "euclidean",
                                       "x": [[0, 0]], "y": [1]})
    yield "not_a_model.json", '{"format": "x"}'
    # fuzz regression (docs/reliability.md): a scaler mean of 1e308 makes every kNN distance +inf
    yield "regression_knn_overflow.json", json.dumps({
        "format": "tessera-model", "version": 1, "features": ["f0", "f1"], "label": "T",
        "scaler": {"kind": "standard", "mean": [0.5, 1e308], "scale": [2, 1]}, "model": "knn",
        "knn": {"k": 1, "weights": "distance", "metric": "euclidean",
                "x": [[1, 0], [1, 0], [0, 1], [1, 1]], "y": [0, 2, 1, 0]}})


def eam_cut(path, keep, kind):
    """A real potential file with every table cut to its first `keep` values (grid counts fixed)."""
    lines = open(path).read().splitlines()
    toks = lambda l: l.split()
    if kind == "funcfl":
        head = lines[:2]
        g = toks(lines[2]); nrho, nr = int(g[0]), int(g[2])
        vals = " ".join(lines[3:]).split()
        tables = [vals[:nrho], vals[nrho:nrho + nr], vals[nrho + nr:nrho + 2 * nr]]
        out = head + ["%d %s %d %s %s" % (keep, g[1], keep, g[3], g[4])]
        for t in tables:
            out.append(" ".join(t[:keep]))
        return "\n".join(out) + "\n"
    head = lines[:4]
    ne = int(toks(lines[3])[0])
    g = toks(lines[4]); nrho, nr = int(g[0]), int(g[2])
    out = head + ["%d %s %d %s %s" % (keep, g[1], keep, g[3], g[4])]
    rest = lines[5:]
    k = 0
    vals = []
    per = nrho + (ne if kind == "fs" else 1) * nr
    for e in range(ne):
        out.append(rest[k].strip()); k += 1
        need = per
        block = []
        while len(block) < need:
            block += rest[k].split(); k += 1
        out.append(" ".join(block[:keep]))
        for j in range(ne if kind == "fs" else 1):
            out.append(" ".join(block[nrho + j * nr: nrho + j * nr + keep]))
    tail = " ".join(rest[k:]).split()
    for p in range(ne * (ne + 1) // 2):
        out.append(" ".join(tail[p * nr: p * nr + keep]))
    return "\n".join(out) + "\n"


def eam():
    # first byte: format selector of fuzz_eam.cpp (0 funcfl, 1 setfl, 2 fs)
    yield "cu_u3_funcfl", "\x00" + eam_cut(os.path.join(POT, "Cu_u3.eam"), 8, "funcfl")
    yield "cu_mishin_setfl", "\x01" + eam_cut(os.path.join(POT, "Cu_mishin1.eam.alloy"), 8, "setfl")
    yield "cuzr_mm_fs", "\x02" + eam_cut(os.path.join(POT, "CuZr_mm.eam.fs"), 6, "fs")
    yield "funcfl_claims_2e9", "\x00comment\n29 63.55 3.615 FCC\n2000000000 0.01 2000000000 0.01 4.95\n0 1 2 3 4\n"
    yield "setfl_claims_2e9", "\x01c\nc\nc\n1 Cu\n2147483647 0.01 5 0.01 4.95\n29 63.55 3.615 fcc\n0 1 2\n"
    yield "setfl_many_elements", "\x01c\nc\nc\n3 Cu Zr Al\n5 0.1 5 0.1 1\n"


def selection():
    for i, s in enumerate(["type==2 && csp>4", "type==1 or type==3", "not (x < 10 or x > 20)",
                           "c_stress[1] >= 1e4", "(x-1)*(x-1) + x/0 > 4", "type == \"Cu\"", "type != 'Xe'",
                           "`c-pe` > 0", "!type==2", "x != x", "-+-x <= .5e-3", "((((((((x>1))))))))",
                           "id = 3 && type =="]):
        yield "sel_%02d" % i, s


def frames():
    for i, s in enumerate(["0:10:2", "-1", "::3", "5:", ":-2", "+3:-1:1", "9223372036854775807:", "-9223372036854775808",
                           "1:2:0", "a:b", "1:2:3:4", ""]):
        yield "frames_%02d" % i, s


def pair_table():
    for i, s in enumerate(["1-1:3.05,1-2:3.75,2-2:4.35", " 1-2 : 3.75 ", "4096-1:1", "4097-1:1", "1-1:1,1-1:2",
                           "1-2:3.75,2-1:3.75", "1-1:inf", "1-1:-0", "1-1:1e-320,", ",", "2-2:nan"]):
        yield "pairs_%02d" % i, s


def lj():
    yield "ka", "lj/cut 2.5\n1 1 1.0 1.0\n1 2 1.5 0.8 2.0\n2 2 0.5 0.88 2.2\n"
    yield "ranges", "lj/cut 3\n* * 1 1\n2* 3 0.5 0.9\n*2 4 1 1 4\n"
    yield "keyword", "lj/cut 2.5\npair_coeff 1 1 1 1\n"
    yield "missing_pair", "lj/cut 2.5\n2 2 1 1\n"
    yield "bad_range", "lj/cut 2.5\n3 1 1 1\n"
    yield "huge_type", "lj/cut 2.5\n2147483647 2147483647 1 1\n"


def gz():
    glass = cut_dump(os.path.join(REF, "cuzr_glass.dump"), 12)
    yield "cuzr_glass_12.dump.gz", gzip.compress(glass.encode(), mtime=0)
    yield "two_members.dump.gz", gzip.compress(glass.encode(), mtime=0) + gzip.compress(glass.replace("TIMESTEP\n0", "TIMESTEP\n5").encode(), mtime=0)
    yield "truncated.dump.gz", gzip.compress(glass.encode(), mtime=0)[:300]
    yield "plain_text_compressed_by_target.dump", glass  # not 1f 8b: the target gzips it
    L = 3.2825974639777023e01 + 2.2597463977720622e-01
    xyz = xyz_of(glass, "%r 0 0 0 %r 0 0 0 %r" % (L, L, L))
    yield "cuzr_glass_12.xyz.gz", gzip.compress(xyz.encode(), mtime=0)  # content detection: extended XYZ
    yield "plain_text_compressed_by_target.xyz", xyz


if __name__ == "__main__":
    if os.path.isdir(OUT):
        shutil.rmtree(OUT)
    for target, gen in [("lammps_dump", dumps), ("extxyz", extxyz), ("csv", csv), ("model_json", models),
                        ("eam", eam), ("selection", selection), ("frames", frames), ("pair_table", pair_table),
                        ("lj_pair_coeff", lj), ("lammps_dump_gz", gz)]:
        for name, data in gen():
            put(target, name, data)
