#!/usr/bin/python3
"""Writes the malformed-input catalogue (issue 22): small hostile or broken inputs for every
format tessera reads, and catalogue.tsv, which says for each one the `tessera` command to run
and the exact first line of stderr it must give (tests/cli/check_bad_inputs.py checks them).

Deterministic: no clocks, no randomness without a fixed seed; gzip members have mtime 0.
Every file is < 20 KB. Cases that need a huge input (a 2 GB line) are not written here:
check_bad_inputs.py makes them at run time as sparse files (see docs/reliability.md).

Run: /usr/bin/python3 tests/reference/bad/make_bad_inputs.py   (writes next to itself)

catalogue.tsv columns: file, format, fault, command (shell words after `tessera`; FILE is the
input; run in a directory holding a copy of this one; outputs go to out.*; -q keeps stderr to
the one error line), exit code, the whole expected stderr (one line; empty for exit 0).
"""
import gzip
import io
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = []  # (file, format, fault, command, exit, stderr)


def gz(data: bytes) -> bytes:
    """gzip with a fixed header (mtime 0, no name), so the bytes do not depend on the run."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0, filename="") as g:
        g.write(data)
    return buf.getvalue()


def case(name, fmt, fault, content, command, code, stderr):
    """content: bytes or str written to `name` (None: the checker provides the input)."""
    if content is not None:
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(content if isinstance(content, bytes) else content.encode())
    CASES.append((name, fmt, fault, "-q " + command, str(code), stderr))


# ---- LAMMPS dumps ---------------------------------------------------------------------------
def frame(step=0, n=None, rows=None, cols="id type x y z", box="pp pp pp", bounds=("0 10", "0 10", "0 10"),
          natoms_text=None):
    rows = rows if rows is not None else ["1 1 1 1 1", "2 1 3 1 1", "3 1 1 3 1", "4 1 1 1 3"]
    n = len(rows) if n is None else n
    return ("ITEM: TIMESTEP\n%d\nITEM: NUMBER OF ATOMS\n%s\nITEM: BOX BOUNDS %s\n%s\nITEM: ATOMS %s\n%s\n"
            % (step, natoms_text if natoms_text is not None else n, box, "\n".join(bounds), cols, "\n".join(rows)))


COMPUTE = "compute FILE -o out.dump --coord 3.0"
LENS = "lens FILE -o out.dump --cutoff 3.0"
D2MIN = "d2min FILE -o out.dump --cutoff 3.0"
ten = [frame(step=100 * k) for k in range(10)]


def dump(name, fault, text, code, stderr, command=COMPUTE):
    case(name, "dump", fault, text, command, code, stderr)


dump("empty.dump", "empty file", "", 1, "")
dump("blank.dump", "only blank lines", "\n  \n\t\n", 1, "")
dump("truncated_header.dump", "file ends after NUMBER OF ATOMS", frame()[:frame().index("ITEM: BOX")], 1, "")
dump("truncated_mid_line.dump", "file ends in the middle of the box flags", frame()[:60], 1, "")
dump("truncated_last_frame.dump", "last frame has 2 of its 4 atom lines",
     frame() + frame(step=10).rsplit("\n", 3)[0] + "\n", 1, "")
dump("natoms_1e12.dump", "NUMBER OF ATOMS 10^12 with 4 atom lines (no allocation of the claim)",
     frame(n=10**12), 1, "")
dump("natoms_2e19.dump", "NUMBER OF ATOMS beyond int64", frame(natoms_text="20000000000000000000"), 1, "")
dump("natoms_negative.dump", "negative NUMBER OF ATOMS", frame(n=-4), 1, "")
dump("natoms_not_integer.dump", "NUMBER OF ATOMS 4.0", frame(natoms_text="4.0"), 1, "")
dump("natoms_too_small.dump", "NUMBER OF ATOMS 3 but 4 atom lines", frame(n=3), 1, "")
dump("column_missing_frame7.dump", "frame 7 of 10 lacks the z field on one atom line",
     "".join(ten[:6]) + ten[6].replace("\n3 1 1 3 1\n", "\n3 1 1 3\n") + "".join(ten[7:]), 1, "")
dump("coords_missing_frame7.dump", "frame 7 of 10 has no z column at all",
     "".join(ten[:6]) + frame(step=600, cols="id type x y", rows=["1 1 1 1", "2 1 3 1", "3 1 1 3", "4 1 1 1"])
     + "".join(ten[7:]), 1, "")
dump("no_coordinates.dump", "no coordinate columns", frame(cols="id type vx vy vz"), 1, "")
dump("too_many_fields.dump", "an atom line with 6 fields for 5 columns",
     frame(rows=["1 1 1 1 1", "2 1 3 1 1 7", "3 1 1 3 1", "4 1 1 1 3"]), 1, "")
dump("duplicate_id.dump", "two atoms with id 2", frame(rows=["1 1 1 1 1", "2 1 3 1 1", "2 1 1 3 1", "4 1 1 1 3"]),
     1, "")
dump("id_not_integer.dump", "atom id 2.5", frame(rows=["1 1 1 1 1", "2.5 1 3 1 1", "3 1 1 3 1", "4 1 1 1 3"]), 1, "")
dump("id_huge.dump", "atom id 1e300", frame(rows=["1 1 1 1 1", "1e300 1 3 1 1", "3 1 1 3 1", "4 1 1 1 3"]), 1, "")
dump("nan_coordinate.dump", "x = nan", frame(rows=["1 1 1 1 1", "2 1 3 1 1", "3 1 nan 3 1", "4 1 1 1 3"]), 1, "")
dump("inf_coordinate.dump", "z = -inf", frame(rows=["1 1 1 1 1", "2 1 3 1 1", "3 1 1 3 1", "4 1 1 1 -inf"]), 1, "")
dump("coordinate_overflow.dump", "y = 1e999 (beyond double)",
     frame(rows=["1 1 1 1 1", "2 1 3 1e999 1", "3 1 1 3 1", "4 1 1 1 3"]), 1, "")
dump("non_numeric_field.dump", "x = 1,5 (decimal comma)",
     frame(rows=["1 1 1 1 1", "2 1 1,5 1 1", "3 1 1 3 1", "4 1 1 1 3"]), 1, "")
dump("box_zero_length.dump", "box y lo = hi", frame(bounds=("0 10", "5 5", "0 10")), 1, "")
dump("box_negative_length.dump", "box z hi < lo", frame(bounds=("0 10", "0 10", "10 0")), 1, "")
dump("box_nan.dump", "box x hi = nan", frame(bounds=("0 nan", "0 10", "0 10")), 1, "")
dump("box_far_smaller_than_cutoff.dump", "a periodic box 1e-10 wide against a 3.0 cutoff (wrong units): "
     "10^32 images per atom, refused before the search (neighbors/cell_list.hpp)",
     frame(bounds=("0 1e-10", "0 1e-10", "0 1e-10")), 1, "")
dump("tilt_beyond_limits.dump", "triclinic xy = 30 in a box 10 long: beyond LAMMPS's |xy| <= lx/2, accepted "
     "(tessera's neighbour search is exact for any tilt; core/box.hpp)",
     frame(box="xy xz yz pp pp pp", bounds=("0 40 30", "0 10 0", "0 10 0")), 0, "")
dump("tilt_exceeds_bounds.dump", "xy = 30 but the x bounds are 20 wide: the box has negative length",
     frame(box="xy xz yz pp pp pp", bounds=("0 20 30", "0 10 0", "0 10 0")), 1, "")
dump("tilt_nan.dump", "tilt xz = nan", frame(box="xy xz yz pp pp pp", bounds=("0 10 0", "0 10 nan", "0 10 0")), 1, "")
dump("box_bad_flags.dump", "boundary flags 'xx yy zz'", frame(box="xx yy zz"), 1, "")
dump("box_line_short.dump", "a box bounds line with one number", frame(bounds=("0 10", "0", "0 10")), 1, "")
dump("general_triclinic.dump", "LAMMPS 2023 general triclinic box", frame(box="abc origin pp pp pp"), 1, "")
dump("items_out_of_order.dump", "BOX BOUNDS before NUMBER OF ATOMS",
     "ITEM: TIMESTEP\n0\nITEM: BOX BOUNDS pp pp pp\n0 10\n0 10\n0 10\nITEM: NUMBER OF ATOMS\n4\n", 1, "")
dump("timestep_overflow.dump", "timestep 2^64", frame().replace("TIMESTEP\n0\n", "TIMESTEP\n18446744073709551616\n"),
     1, "")
dump("duplicate_column.dump", "column x listed twice", frame(cols="id type x x z"), 1, "")
dump("no_columns.dump", "ITEM: ATOMS without names", frame(cols=""), 1, "")
dump("trailing_garbage.dump", "a stray line after the last frame", frame() + "end of run\n", 1, "")
dump("bare_cr.dump", "classic-Mac line ends (CR only)", frame().replace("\n", "\r"), 1, "")
dump("crlf.dump", "CRLF line ends (accepted, as LAMMPS does)", frame().replace("\n", "\r\n"), 0, "")
dump("mixed_line_ends.dump", "LF and CRLF mixed (accepted)",
     "".join(l + ("\r\n" if k % 2 else "\n") for k, l in enumerate(frame().splitlines())), 0, "")
dump("utf8_bom.dump", "a UTF-8 byte-order mark before ITEM", "\ufeff" + frame(), 1, "")
random.seed(22)
dump("binary_junk.dump", "3 KB of random bytes", bytes(random.randrange(256) for _ in range(3000)), 1, "")
dump("nul_bytes.dump", "NUL bytes inside an atom line", frame().replace("3 1 1 3 1", "3 1 1\0\0 3 1"), 1, "")
dump("no_id_lens.dump", "lens needs ids: no id column", frame(cols="q type x y z") + frame(step=10, cols="q type x y z"),
     1, "", LENS)
dump("ids_change.dump", "d2min: atom 4 becomes atom 5 in frame 1",
     frame() + frame(step=10, rows=["1 1 1 1 1", "2 1 3 1 1", "3 1 1 3 1", "5 1 1 1 3"]), 1, "", D2MIN)
dump("atom_count_changes.dump", "lens: frame 1 loses an atom", frame() + frame(step=10, rows=["1 1 1 1 1", "2 1 3 1 1",
     "3 1 1 3 1"]), 1, "", LENS)
case("missing.dump", "dump", "a file that does not exist", None, COMPUTE, 1, "")
case("a_directory.dump", "dump", "a directory given as the input (made by the checker)", None, COMPUTE, 1, "")
case("long_line.dump", "dump", "a 2 GiB line (sparse file made by the checker)", None, COMPUTE, 1, "")

# ---- gzip-compressed dumps ------------------------------------------------------------------
good_gz = gz(frame().encode() + frame(step=10).encode())
case("not_gzip.dump.gz", "dump.gz", "a .gz name on plain text (read by content: accepted)", frame(), COMPUTE, 0, "")
case("junk.dump.gz", "dump.gz", "gzip magic then random bytes", b"\x1f\x8b" + bytes(random.randrange(256)
     for _ in range(500)), COMPUTE, 1, "")
case("truncated.dump.gz", "dump.gz", "gzip stream cut after half of its bytes", good_gz[:len(good_gz) // 2], COMPUTE, 1, "")
case("truncated_at_frame.dump.gz", "dump.gz", "gzip stream cut just before its trailer (all text there, no CRC)",
     good_gz[:-8], COMPUTE, 1, "")
bad_crc = bytearray(good_gz)
bad_crc[-8] ^= 0xFF
case("bad_crc.dump.gz", "dump.gz", "gzip CRC-32 does not match", bytes(bad_crc), COMPUTE, 1, "")
corrupt = bytearray(good_gz)
corrupt[20] ^= 0x55
case("corrupt.dump.gz", "dump.gz", "a flipped byte in the deflate data", bytes(corrupt), COMPUTE, 1, "")
case("magic_only.dump.gz", "dump.gz", "only the two gzip magic bytes", b"\x1f\x8b", COMPUTE, 1, "")
case("empty_member.dump.gz", "dump.gz", "a valid gzip of nothing", gz(b""), COMPUTE, 1, "")
case("column_missing_frame7.dump.gz", "dump.gz", "frame 7 of 10 lacks a field, compressed",
     gz(("".join(ten[:6]) + ten[6].replace("\n3 1 1 3 1\n", "\n3 1 1 3\n") + "".join(ten[7:])).encode()), COMPUTE, 1, "")


# ---- extended XYZ ---------------------------------------------------------------------------
def xyz(n=None, comment='Lattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:pos:R:3', rows=None, count=None):
    rows = rows if rows is not None else ["Cu 1 1 1", "Cu 3 1 1", "Cu 1 3 1", "Cu 1 1 3"]
    return "%s\n%s\n%s\n" % (count if count is not None else (len(rows) if n is None else n), comment, "\n".join(rows))


def ext(name, fault, text, code=1, command=COMPUTE):
    case(name, "extxyz", fault, text, command, code, "")


ext("natoms_1e12.xyz", "atom count 10^12 with 4 atom lines", xyz(n=10**12))
ext("natoms_word.xyz", "atom count 'four'", xyz(count="four"))
ext("truncated.xyz", "second frame has 2 of 4 atom lines", xyz() + xyz().rsplit("\n", 3)[0] + "\n")
ext("no_comment_line.xyz", "file ends after the count", "4\n")
ext("lattice_8_numbers.xyz", "Lattice with 8 numbers", xyz(comment='Lattice="10 0 0 0 10 0 0 0" Properties=species:S:1:pos:R:3'))
ext("lattice_nan.xyz", "Lattice with nan", xyz(comment='Lattice="10 0 0 0 nan 0 0 0 10" Properties=species:S:1:pos:R:3'))
ext("lattice_left_handed.xyz", "left-handed Lattice", xyz(comment='Lattice="10 0 0 0 10 0 0 0 -10" Properties=species:S:1:pos:R:3'))
ext("lattice_degenerate.xyz", "two equal cell vectors", xyz(comment='Lattice="10 0 0 10 0 0 0 0 10" Properties=species:S:1:pos:R:3'))
ext("properties_not_triples.xyz", "Properties=species:S:1:pos:R", xyz(comment='Lattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:pos:R'))
ext("properties_bad_type.xyz", "pos:X:3", xyz(comment='Lattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:pos:X:3'))
ext("pos_two_columns.xyz", "pos:R:2", xyz(comment='Lattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:pos:R:2',
                                          rows=["Cu 1 1", "Cu 3 1", "Cu 1 3", "Cu 1 1"]))
ext("unterminated_quote.xyz", "Lattice=\"... without the closing quote", xyz(comment='Lattice="10 0 0 0 10 0 0 0 10 Properties=species:S:1:pos:R:3'))
ext("pbc_two_flags.xyz", "pbc=\"T T\"", xyz(comment='Lattice="10 0 0 0 10 0 0 0 10" pbc="T T" Properties=species:S:1:pos:R:3'))
ext("pbc_without_lattice.xyz", "pbc=\"T T T\" and no Lattice", xyz(comment='pbc="T T T" Properties=species:S:1:pos:R:3'))
ext("nonnumeric_position.xyz", "a position 'abc'", xyz(rows=["Cu 1 1 1", "Cu 3 abc 1", "Cu 1 3 1", "Cu 1 1 3"]))
ext("nan_position.xyz", "a position nan", xyz(rows=["Cu 1 1 1", "Cu 3 1 1", "Cu 1 3 nan", "Cu 1 1 3"]))
ext("fields_missing_frame7.xyz", "frame 7 of 10 has an atom line with 3 fields",
    "".join(xyz() for _ in range(6)) + xyz(rows=["Cu 1 1 1", "Cu 3 1", "Cu 1 3 1", "Cu 1 1 3"]) + "".join(xyz() for _ in range(3)))
ext("duplicate_id.xyz", "id property with a duplicate",
    xyz(comment='Lattice="10 0 0 0 10 0 0 0 10" Properties=id:I:1:species:S:1:pos:R:3',
        rows=["1 Cu 1 1 1", "2 Cu 3 1 1", "2 Cu 1 3 1", "4 Cu 1 1 3"]))
ext("id_not_integer.xyz", "id 2.5 in an I property",
    xyz(comment='Lattice="10 0 0 0 10 0 0 0 10" Properties=id:I:1:species:S:1:pos:R:3',
        rows=["1 Cu 1 1 1", "2.5 Cu 3 1 1", "3 Cu 1 3 1", "4 Cu 1 1 3"]))
ext("step_not_integer.xyz", "step=1.5", xyz(comment='Lattice="10 0 0 0 10 0 0 0 10" step=1.5 Properties=species:S:1:pos:R:3'))
ext("no_positions.xyz", "Properties without pos", xyz(comment='Lattice="10 0 0 0 10 0 0 0 10" Properties=species:S:1:q:R:1',
                                                      rows=["Cu 1", "Cu 2", "Cu 3", "Cu 4"]))
ext("binary_junk.xyz", "random bytes with a .xyz name", bytes(random.randrange(256) for _ in range(2000)))
ext("crlf.xyz", "CRLF line ends (accepted)", xyz().replace("\n", "\r\n"), 0)

# ---- CSV tables -----------------------------------------------------------------------------
STATS = "stats FILE -o out.csv --pearson a,b"


def csv(name, fault, text, code=1, command=STATS):
    case(name, "csv", fault, text, command, code, "")


csv("empty.csv", "empty file", "")
csv("comments_only.csv", "only comment lines", "# nothing here\n# still nothing\n")
csv("ragged_row.csv", "a row with 2 cells for 3 columns", "a,b,c\n1,2,3\n4,5\n6,7,8\n")
csv("extra_cell.csv", "a row with 4 cells for 3 columns", "a,b,c\n1,2,3\n4,5,6,7\n")
csv("non_numeric_cell.csv", "a cell 'x7'", "a,b\n1,2\n3,x7\n5,6\n")
csv("empty_cell.csv", "an empty cell", "a,b\n1,2\n,4\n5,6\n")
csv("duplicate_header.csv", "column a named twice", "a,b,a\n1,2,3\n")
csv("empty_header_name.csv", "a header cell with no name", "a,,b\n1,2,3\n")
csv("header_only.csv", "a header and no rows", "a,b\n")
csv("missing_column.csv", "--pearson names a column the table lacks (a command-line fault: exit 2)",
    "a,c\n1,2\n3,4\n5,6\n", 2)
csv("nan_feature.csv", "kmeans on a table with a nan cell", "a,b\n1,2\n3,nan\n5,6\n7,8\n", 1,
    "cluster kmeans FILE -o out.csv --k 2 --features a,b")
csv("overflow_cell.csv", "a cell 1e400", "a,b\n1,2\n1e400,4\n")
csv("semicolons.csv", "semicolon-separated (European Excel)", "a;b\n1;2\n3;4\n")
csv("bare_cr.csv", "CR-only line ends", "a,b\r1,2\r3,4\r5,6\r")
csv("binary_junk.csv", "random bytes", bytes(random.randrange(256) for _ in range(2000)))
csv("crlf_bom.csv", "Excel's UTF-8 BOM and CRLF (accepted)", "\ufeffa,b\r\n1,2\r\n3,5\r\n5,6\r\n", 0)

# ---- model JSON (learn predict) -------------------------------------------------------------
model = {"format": "tessera-model", "version": 1, "model": "logistic", "features": ["a", "b"], "label": "T",
         "scaler": {"kind": "none"}, "logistic": {"classes": [0, 1], "coef": [[1.0, -1.0]], "intercept": [0.5]}}
case("predict_data.csv", "csv", "(valid data for the model cases)", "a,b\n1,2\n3,1\n0.5,0.5\n", "learn predict "
     "model_ok.json --data FILE -o out.csv", 0, "")
case("model_ok.json", "json", "(a valid model, for reference)", json.dumps(model), "learn predict FILE --data "
     "predict_data.csv -o out.csv", 0, "")
PREDICT = "learn predict FILE --data predict_data.csv -o out.csv"


def bad_model(name, fault, content, code=1):
    case(name, "json", fault, content if isinstance(content, (str, bytes)) else json.dumps(content), PREDICT, code, "")


def edit(**changes):
    m = json.loads(json.dumps(model))
    for k, v in changes.items():
        if v is None:
            m.pop(k, None)
        else:
            m[k] = v
    return m


bad_model("model_empty.json", "empty file", "")
bad_model("model_truncated.json", "JSON cut in the middle", json.dumps(model)[:70])
bad_model("model_not_tessera.json", "JSON without format", {"hello": 1})
bad_model("model_version2.json", "version 2", edit(version=2))
bad_model("model_no_features.json", "features missing", edit(features=None))
bad_model("model_zero_features.json", "features []", edit(features=[]))
bad_model("model_feature_not_in_data.json", "feature 'c' not in the data (model and data disagree: exit 2)",
          edit(features=["a", "c"]), 2)
bad_model("model_coef_shape.json", "coef with 3 values for 2 features",
          edit(logistic={"classes": [0, 1], "coef": [[1.0, -1.0, 2.0]], "intercept": [0.5]}))
bad_model("model_nan.json", "a NaN literal (not JSON)", json.dumps(model).replace("0.5", "NaN"))
bad_model("model_string_number.json", "intercept as a string",
          edit(logistic={"classes": [0, 1], "coef": [[1.0, -1.0]], "intercept": ["0.5"]}))
bad_model("model_huge_k.json", "knn k = 10^12 for 2 training rows",
          edit(model="knn", logistic=None, knn={"k": 10**12, "weights": "uniform", "metric": "euclidean",
                                                 "x": [[0, 0], [1, 1]], "y": [0, 1]}))
bad_model("model_unknown_kind.json", "model 'forest'", edit(model="forest"))
bad_model("model_binary_junk.json", "random bytes", bytes(random.randrange(256) for _ in range(1000)))


# ---- EAM potentials (energy) ----------------------------------------------------------------
def funcfl(nrho=10, nr=10, grid=None, frho=None, zr=None, rhor=None, header="29 63.55 3.615 FCC"):
    grid = grid or "%d 0.1 %d 1.0 4.0" % (nrho, nr)
    frho = frho if frho is not None else " ".join("%g" % (-0.1 * k) for k in range(nrho))
    zr = zr if zr is not None else " ".join("%g" % (1.0 / (k + 1)) for k in range(nr))
    rhor = rhor if rhor is not None else " ".join("%g" % (0.01 * (nr - k)) for k in range(nr))
    return "Cu test potential\n%s\n%s\n%s\n%s\n%s\n" % (header, grid, frho, zr, rhor)


def setfl(elements="1 Cu", extra=""):
    return ("c1\nc2\nc3\n%s\n6 0.1 6 1.0 4.0\n29 63.55 3.615 FCC\n0 -0.1 -0.2 -0.3 -0.4 -0.5\n"
            "0.06 0.05 0.04 0.03 0.02 0.01\n1 0.5 0.2 0.1 0.05 0\n%s" % (elements, extra))


ENERGY = "energy eam_input.dump -o out.dump --pair-style eam --pair-coeff '1 1 FILE'"
ALLOY = "energy eam_input.dump -o out.dump --pair-style eam/alloy --pair-coeff '* * FILE Cu'"
case("eam_input.dump", "dump", "(valid input for the EAM cases)", frame(), "energy FILE -o out.dump --pair-style eam "
     "--pair-coeff '1 1 eam_ok.eam'", 0, "")
case("eam_ok.eam", "eam", "(a valid funcfl file, for reference)", funcfl(), ENERGY, 0, "")


def eam(name, fault, text, command=ENERGY, code=1):
    case(name, "eam", fault, text, command, code, "")


eam("eam_empty.eam", "empty file", "")
eam("eam_truncated_table.eam", "rho(r) has 3 of its 5 values", funcfl(rhor="0.05 0.04 0.03", nr=5))
eam("eam_nonnumeric.eam", "a value 'abc' in F(rho)", funcfl(frho="0 -0.1 abc -0.3 -0.4 -0.5 -0.6 -0.7 -0.8 -0.9"))
eam("eam_nan.eam", "a value nan in Z(r)", funcfl(zr="1 0.5 nan 0.25 0.2 0.1 0.1 0.1 0.1 0.1"))
eam("eam_nrho_huge.eam", "Nrho = 2147483647 (claimed, not present)", funcfl(grid="2147483647 0.1 10 1.0 4.0"))
eam("eam_nrho_overflow.eam", "Nrho = 10^12 (beyond int)", funcfl(grid="1000000000000 0.1 10 1.0 4.0"))
eam("eam_grid_small.eam", "Nr = 3", funcfl(grid="10 0.1 3 1.0 4.0", nr=3))
eam("eam_negative_dr.eam", "dr = -1", funcfl(grid="10 0.1 10 -1.0 4.0"))
eam("eam_short_grid.eam", "grid line with 3 values", funcfl(grid="10 0.1 10"))
eam("eam_extra_values.eam.alloy", "setfl: 2 values beyond r*phi(r)", setfl(extra="7 8\n"), ALLOY)
eam("eam_extra_line_values.eam", "funcfl: rho(r) has 2 values more than Nr", funcfl(rhor="0.1 0.09 0.08 0.07 0.06 "
    "0.05 0.04 0.03 0.02 0.01 0.005 0"))
eam("eam_crlf.eam", "funcfl with CRLF line ends (accepted)", funcfl().replace("\n", "\r\n"), ENERGY, 0)
case("eam_gzip.eam.gz", "eam", "a gzip-compressed funcfl file (accepted)", gz(funcfl().encode()), ENERGY, 0, "")
eam("eam_element_count.eam.alloy", "setfl: '2 Cu' announces 2 elements, names 1", setfl(elements="2 Cu"), ALLOY)
eam("eam_element_absent.eam.alloy", "setfl: pair_coeff asks for Zr, file has Cu", setfl(),
    "energy eam_input.dump -o out.dump --pair-style eam/alloy --pair-coeff '* * FILE Zr'")
eam("eam_binary_junk.eam", "random bytes", bytes(random.randrange(256) for _ in range(1500)))
case("eam_directory", "eam", "a directory as the potential file (made by the checker)", None, ENERGY, 1, "")
case("eam_long_line.eam", "eam", "a 2 GiB line (sparse file made by the checker)", None, ENERGY, 1, "")

# ---- the catalogue --------------------------------------------------------------------------
# The expected stderr lines live in catalogue.tsv itself (reviewed text; check_bad_inputs.py
# --update rewrites them from a run for review with git diff): kept across regenerations.
CATALOGUE = os.path.join(HERE, "catalogue.tsv")
expected = {}
if os.path.exists(CATALOGUE):
    with open(CATALOGUE, encoding="utf-8") as f:
        for line in f.read().splitlines()[1:]:
            cells = line.split("\t")
            expected[cells[0]] = cells[5]
with open(CATALOGUE, "w", encoding="utf-8") as f:
    f.write("file\tformat\tfault\tcommand\texit\tstderr\n")
    for name, fmt, fault, command, code, stderr in CASES:
        f.write("\t".join([name, fmt, fault, command, code, expected.get(name, stderr)]) + "\n")
print(len(CASES), "cases")
